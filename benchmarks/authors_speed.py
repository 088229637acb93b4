"""Seconds per iteration of the authors' D3 code at `distill_speed.py --reference-config`'s settings, for a ratio.

    python benchmarks/authors_speed.py --authors PATH/TO/D3 [--reparam PATH/reparam_module.py] \
        [--lpc 10 --batch_syn 100] [--threads 2] [--iterations 8] [--first_conv_padding 1] [--work runs/authors_speed]

--authors is a checkout of github.com/sunnytqin/D3 (distill_distribution.py, utils.py, networks.py, decoder.py,
mmd.py); --reparam is `reparam_module.py` of github.com/GeorgeCazenavette/mtt-distillation, which their code imports
(default: --authors/reparam_module.py). Their code is not part of this project: this script copies it into
--work/src and applies the few patches it needs on a CPU (each must match exactly once, or the script stops and
says which): the device set to 'cpu', the evaluation pool emptied, `distributed` off, the decoder's
`self._is_on_cuda` (a bound method, always true, so it called `.cuda()`) called, optional imports it does not use
here (kornia, scipy's rotate, einops) made optional, an offline stand-in for its logging service, and perf_counter
lines around the whole iteration, its MTT block and its MMD block. MNIST comes from $D3_DATA/MNIST/raw (their code
has no MNIST loader): all 60,000 training images, bilinearly resized to 32x32, normalised by 0.1307/0.3081. Expert
trajectories: 2 x 6 epochs of 20 plain-SGD steps in their buffer.py's format (built once in --work/buffers).
Their flags: --model=ConvNet --decoder_size=small --z_dim=64 --kernel_num=64 --syn_steps=10 --expert_epochs=2
--max_start_epoch=4 --lr_latent=3e-04 --lr_lr=1e-06 --lr_teacher=1e-02 --lr_decode=3e-04 --mmd_samples=30
--mtt_weight=1.0 --mmd_weight=1.0 --dsa=True --load_all; their distillation loop calls no augmentation.
Their ConvNet pads its first convolution by 3 when images have one channel (made for 28x28 digits), 27 % more
convolution work at 32x32 than d3_nb's padding of 1: --first_conv_padding 1 gives the same work.
Prints one JSON line: lpc, batch_syn, the median seconds of an iteration and of its MTT and MMD blocks over
--iterations after 2 warm-up iterations, and the process's peak RSS (peak_bytes).
"""
import argparse
import contextlib
import gzip
import json
import os
import random
import resource
import runpy
import statistics
import struct
import subprocess
import sys

HERE = None  # --work/src, where `prepare` writes the patched copies

import numpy as np
import torch
import torch.nn.functional as F

RAW = os.path.join(os.environ.get('D3_DATA', 'data'), 'MNIST', 'raw')
BUFFER_PATH = EXPERT_DIR = BUFFER_FILE = None  # set from --work in main()

# D3's utils.py has no MNIST branch; these are the MNIST values of the code it is adapted from
# (VICO-UoE/DatasetCondensation utils.get_dataset: mean=[0.1307], std=[0.3081]).
MNIST_MEAN = [0.1307]
MNIST_STD = [0.3081]
IM_SIZE = (32, 32)

N_EXPERTS, EXPERT_EPOCHS, STEPS_PER_EPOCH, EXPERT_LR, EXPERT_BATCH = 2, 6, 20, 0.01, 256
WARMUP = 2



import shutil
from pathlib import Path

# (file, text that must occur exactly once, its replacement)
PATCHES = [
    ('distill_distribution.py', "import wandb\n", "import wandb\nimport time, d3_timing\n"),
    ('distill_distribution.py', "args.device = 'cuda' if torch.cuda.is_available() else 'cpu'", "args.device = 'cpu'"),
    ('distill_distribution.py', "eval_it_pool = (np.arange(0, args.Iteration + 1, args.eval_it) + args.checkpoint_it).tolist()",
     "eval_it_pool = []"),
    ('distill_distribution.py', "args.distributed = torch.cuda.device_count() > 1", "args.distributed = False"),
    ('distill_distribution.py', "    for it in range(args.checkpoint_it, args.checkpoint_it+args.Iteration+1):\n",
     "    for it in range(args.checkpoint_it, args.checkpoint_it+args.Iteration+1):\n"
     "        _t_iter = time.perf_counter(); _t_mtt = _t_mmd = 0.0\n"),
    ('distill_distribution.py', "        if args.mtt_weight > 1e-3:\n",
     "        if args.mtt_weight > 1e-3:\n            _t0 = time.perf_counter()\n"),
    ('distill_distribution.py', '            wandb.log({"MTT_Loss": mtt_loss.detach().cpu()}, step=it)\n',
     '            wandb.log({"MTT_Loss": mtt_loss.detach().cpu()}, step=it)\n            _t_mtt = time.perf_counter() - _t0\n'),
    ('distill_distribution.py', "        if args.mmd_weight > 1e-4: \n",
     "        if args.mmd_weight > 1e-4: \n            _t0 = time.perf_counter()\n"),
    ('distill_distribution.py', '            wandb.log({"MMD_Loss": mmd_loss_total.detach().cpu()}, step=it)\n',
     '            wandb.log({"MMD_Loss": mmd_loss_total.detach().cpu()}, step=it)\n            _t_mmd = time.perf_counter() - _t0\n'),
    ('distill_distribution.py', "                    }, save_path)\n    \n\n    wandb.finish()",
     "                    }, save_path)\n        d3_timing.record(time.perf_counter() - _t_iter, _t_mtt, _t_mmd)\n    \n\n    wandb.finish()"),
    ('decoder.py', "if self._is_on_cuda else", "if self._is_on_cuda() else"),
    ('utils.py', "import kornia as K\n", "try:\n    import kornia as K\nexcept ImportError:\n    K = None\n"),
    ('utils.py', "from scipy.ndimage.interpolation import rotate as scipyrotate\n",
     "try:\n    from scipy.ndimage.interpolation import rotate as scipyrotate\nexcept ImportError:\n    scipyrotate = None\n"),
    ('networks.py', "from einops import rearrange, repeat\nfrom einops.layers.torch import Rearrange\n",
     "try:\n    from einops import rearrange, repeat\n    from einops.layers.torch import Rearrange\n"
     "except ImportError:\n    rearrange = repeat = Rearrange = None\n"),
]

TIMING = "iters = []\n\ndef record(total, mtt, mmd):\n    iters.append((total, mtt, mmd))\n"
WANDB = """class _Config:
    def __init__(self): self._items = {}
class _Run:
    name = None
config, run = _Config(), _Run()
def init(config=None, name=None, **kwargs):
    globals()['config']._items = dict(config) if isinstance(config, dict) else dict(vars(config)) if config is not None else {}
    run.name = name
    return run
def log(*args, **kwargs): pass
def finish(*args, **kwargs): pass
class Histogram:
    def __init__(self, *args, **kwargs): pass
class Image:
    def __init__(self, *args, **kwargs): pass
"""

def prepare(authors:Path, reparam:Path, src:Path):
    "Copy the authors' files into `src` with `PATCHES` applied; exit with a message when one does not apply."
    files = ['distill_distribution.py', 'utils.py', 'networks.py', 'decoder.py', 'mmd.py']
    missing = [f for f in files if not (authors/f).is_file()] + ([] if reparam.is_file() else [str(reparam)])
    if missing: sys.exit(f"--authors {authors} lacks {', '.join(missing)}: give a checkout of sunnytqin/D3 "
                         "and --reparam reparam_module.py of mtt-distillation")
    src.mkdir(parents=True, exist_ok=True)
    text = {f: (authors/f).read_text() for f in files}
    for i, (f, old, new) in enumerate(PATCHES):
        n = text[f].count(old)
        if n != 1: sys.exit(f"patch {i} does not apply to {f} ({n} matches of {old.strip()[:60]!r}): "
                            "their code differs from the version this script was written for (a403433)")
        text[f] = text[f].replace(old, new)
    for f, t in text.items(): (src/f).write_text(t)
    shutil.copyfile(reparam, src/'reparam_module.py')
    (src/'d3_timing.py').write_text(TIMING); (src/'wandb.py').write_text(WANDB)

# ----------------------------------------------------------------------------- MNIST
def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack('>HBB', data[:4])
    assert zero == 0 and dtype == 0x08, 'expected an unsigned-byte IDX file: %s' % path
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    return torch.from_numpy(arr.copy())


def load_mnist_train():
    images = read_idx(os.path.join(RAW, 'train-images-idx3-ubyte.gz'))  # [60000, 28, 28] uint8
    labels = read_idx(os.path.join(RAW, 'train-labels-idx1-ubyte.gz'))  # [60000] uint8
    assert images.shape == (60000, 28, 28) and labels.shape == (60000,)
    return images, labels.long()


def transform_batch(u8):
    """uint8 [N,28,28] -> float [N,1,32,32]: ToTensor (/255), Normalize(mean,std), bilinear resize to 32x32.
    (Same order as the authors' ImageNet transform: ToTensor, Normalize, Resize; bilinear resize and the
    affine normalisation commute anyway.  Upsampling, so antialiasing is irrelevant.)"""
    x = u8.to(torch.float32).div_(255.0).unsqueeze(1)
    x = (x - MNIST_MEAN[0]) / MNIST_STD[0]
    return F.interpolate(x, size=IM_SIZE, mode='bilinear', align_corners=False)


class MNIST32(torch.utils.data.Dataset):
    """Plays the role of torchvision.datasets.MNIST(train=True, transform=...) in the authors' get_dataset:
    raw uint8 data held, each item transformed on access to a [1,32,32] float tensor, int label."""

    def __init__(self, images_u8, labels):
        self.images = images_u8
        self.labels = labels

    def __len__(self):
        return self.images.shape[0]

    def __getitem__(self, i):
        return transform_batch(self.images[i:i + 1])[0], int(self.labels[i])


def make_get_dataset(orig_get_dataset):
    def get_dataset(dataset, data_path, batch_size=1, subset="imagenette", args=None):
        if dataset != 'MNIST':
            return orig_get_dataset(dataset, data_path, batch_size, subset, args=args)
        images, labels = load_mnist_train()
        channel, im_size, num_classes = 1, IM_SIZE, 10
        class_names = [str(c) for c in range(num_classes)]
        dst_train = MNIST32(images, labels)
        dst_test, testloader, loader_train_dict = None, None, None  # only used by evaluation (disabled)
        class_map = {x: x for x in range(num_classes)}
        class_map_inv = None
        return (channel, im_size, num_classes, class_names, MNIST_MEAN, MNIST_STD, dst_train, dst_test,
                testloader, loader_train_dict, class_map, class_map_inv)
    return get_dataset


# ----------------------------------------------------------------------------- experts
def buffers_ok():
    if not os.path.exists(BUFFER_FILE):
        return False
    try:
        buf = torch.load(BUFFER_FILE)
    except Exception:
        return False
    if not (isinstance(buf, list) and len(buf) == N_EXPERTS
            and all(len(traj) == EXPERT_EPOCHS + 1 for traj in buf)):
        return False
    # snapshots must be distinct (a cache written with aliased snapshots has all epochs equal)
    return all(not torch.equal(traj[0][0], traj[-1][0]) for traj in buf)


def build_buffers():
    """Expert trajectories in the format buffer.py saves: a list of trajectories, each a list (epochs 0..6)
    of lists of parameter tensors ([p.detach().cpu() for p in teacher_net.parameters()]).
    Training is reduced to 20 plain-SGD steps per epoch (lr 0.01, batch 256, momentum 0, no weight decay,
    no augmentation) -- what the experts learned does not change the cost of a distillation iteration."""
    import utils
    images, labels = load_mnist_train()
    criterion = torch.nn.CrossEntropyLoss()
    trajectories = []
    for e in range(N_EXPERTS):
        teacher_net = utils.get_network('ConvNet', 1, 10, IM_SIZE, dist=False)  # same constructor as buffer.py
        teacher_net.train()
        opt = torch.optim.SGD(teacher_net.parameters(), lr=EXPERT_LR, momentum=0, weight_decay=0)
        # .clone(): on CPU, p.detach().cpu() (what buffer.py does, where .cpu() copies off the GPU) is a view of
        # the live parameter, so every snapshot would alias the final weights.
        timestamps = [[p.detach().cpu().clone() for p in teacher_net.parameters()]]
        for ep in range(EXPERT_EPOCHS):
            perm = torch.randperm(images.shape[0])
            for s in range(STEPS_PER_EPOCH):
                idx = perm[s * EXPERT_BATCH:(s + 1) * EXPERT_BATCH]
                loss = criterion(teacher_net(transform_batch(images[idx])), labels[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            timestamps.append([p.detach().cpu().clone() for p in teacher_net.parameters()])
            print('expert %d epoch %d loss %.4f' % (e, ep, loss.item()), file=sys.stderr, flush=True)
        trajectories.append(timestamps)
    os.makedirs(EXPERT_DIR, exist_ok=True)
    tmp = BUFFER_FILE + '.tmp'
    torch.save(trajectories, tmp)
    os.replace(tmp, BUFFER_FILE)
    print('saved %s' % BUFFER_FILE, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- main
def main():
    p = argparse.ArgumentParser()
    p.add_argument('--lpc', type=int, default=1)
    p.add_argument('--batch_syn', type=int, default=None)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--iterations', type=int, default=10, help='measured iterations (after 2 warm-up ones)')
    p.add_argument('--verbose', action='store_true', help="show the authors' own prints (on stderr)")
    p.add_argument('--first_conv_padding', type=int, default=3, choices=[1, 3],
                   help="NON-DEFAULT ablation only. The authors' ConvNet uses padding=3 in its first conv when "
                        "channel==1 (designed for 28x28 MNIST); at 32x32 that gives 36x36/18x18/9x9 maps. "
                        "1 = standard 32x32 geometry (32/16/8). Same parameter count either way.")
    p.add_argument('--build-buffers', dest='build_buffers', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('--authors', required=True, help='a checkout of github.com/sunnytqin/D3')
    p.add_argument('--reparam', default=None, help="mtt-distillation's reparam_module.py (default: in --authors)")
    p.add_argument('--work', default='runs/authors_speed', help='patched copies and expert buffers go here')
    a = p.parse_args()
    global HERE, BUFFER_PATH, EXPERT_DIR, BUFFER_FILE
    work = Path(a.work).resolve()
    HERE = str(work/'src')
    BUFFER_PATH = str(work/'buffers')
    EXPERT_DIR = os.path.join(BUFFER_PATH, 'MNIST', 'ConvNet')  # where their script looks: buffer_path/dataset/model
    BUFFER_FILE = os.path.join(EXPERT_DIR, 'replay_buffer_0.pt')
    if not os.path.exists(os.path.join(RAW, 'train-images-idx3-ubyte.gz')):
        sys.exit(f"MNIST's training files are not in {RAW}: set D3_DATA to a folder holding MNIST/raw")
    authors = Path(a.authors)
    prepare(authors, Path(a.reparam) if a.reparam else authors/'reparam_module.py', work/'src')
    sys.path.insert(0, HERE)  # the patched copies and the stand-ins first

    torch.set_num_threads(a.threads)

    if a.build_buffers:
        build_buffers()
        return

    if not buffers_ok():
        print('building expert buffers (once) ...', file=sys.stderr, flush=True)
        subprocess.run([sys.executable, os.path.abspath(__file__), '--build-buffers', '--threads', str(a.threads),
                        '--authors', a.authors, '--work', a.work] + (['--reparam', a.reparam] if a.reparam else []), check=True)
        assert buffers_ok()

    import utils
    import d3_timing
    utils.get_dataset = make_get_dataset(utils.get_dataset)
    if a.first_conv_padding != 3:
        _orig_get_network = utils.get_network

        def get_network(*args, **kwargs):
            net = _orig_get_network(*args, **kwargs)
            conv = net.features_a[0]
            if isinstance(conv, torch.nn.Conv2d) and conv.in_channels == 1:
                conv.padding = (a.first_conv_padding, a.first_conv_padding)
            return net
        utils.get_network = get_network

    n_total = WARMUP + a.iterations
    authors_argv = [
        '--dataset=MNIST', '--model=ConvNet',
        '--lpc=%d' % a.lpc,
        '--decoder_size=small', '--z_dim=64', '--kernel_num=64',
        '--syn_steps=10', '--expert_epochs=2', '--max_start_epoch=4',
        '--lr_latent=3e-04', '--lr_lr=1e-06', '--lr_teacher=1e-02', '--lr_decode=3e-04',
        '--mmd_samples=30', '--mtt_weight=1.0', '--mmd_weight=1.0',
        '--dsa=True',  # default; in the distill loop this flag only gates decoding latents (no DiffAugment call there)
        '--Iteration=%d' % (n_total - 1),  # the loop runs Iteration+1 iterations
        '--buffer_path=%s' % BUFFER_PATH, '--data_path=%s' % RAW,
        '--load_all',
    ]
    if a.batch_syn is not None:
        authors_argv.append('--batch_syn=%d' % a.batch_syn)

    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)

    saved_argv = sys.argv
    sys.argv = [os.path.join(HERE, 'distill_distribution.py')] + authors_argv
    try:
        if a.verbose:
            ctx = contextlib.redirect_stdout(sys.stderr)
        else:
            devnull = open(os.devnull, 'w')
            ctx = contextlib.ExitStack()
            ctx.enter_context(contextlib.redirect_stdout(devnull))
            ctx.enter_context(contextlib.redirect_stderr(devnull))
        with ctx:
            runpy.run_path(os.path.join(HERE, 'distill_distribution.py'), run_name='__main__')
    finally:
        sys.argv = saved_argv

    rec = d3_timing.iters
    assert len(rec) == n_total, (len(rec), n_total)
    meas = rec[WARMUP:]
    total = statistics.median(r[0] for r in meas)
    mtt = statistics.median(r[1] for r in meas)
    mmd = statistics.median(r[2] for r in meas)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print('per-iteration (total, mtt, mmd) s: ' +
          ', '.join('(%.3f, %.3f, %.3f)' % r for r in rec) +
          '  [first %d = warm-up]; median rest (total - mtt - mmd) = %.3f s' %
          (WARMUP, statistics.median(r[0] - r[1] - r[2] for r in meas)), file=sys.stderr)
    print(json.dumps({"lpc": a.lpc, "batch_syn": a.batch_syn, "seconds": total, "mtt": mtt, "mmd": mmd,
                      "peak_bytes": peak}))


if __name__ == '__main__':
    main()
