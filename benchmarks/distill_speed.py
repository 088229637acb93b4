"""Seconds per distillation iteration and peak memory for fixed MNIST configurations.

    python benchmarks/distill_speed.py [--iterations 10] [--threads 2] [--device cpu|cuda] [--work runs/speed]
    python benchmarks/distill_speed.py --reference-config [--threads 2] [--host-memory default,reuse,mixed,release]
    python benchmarks/distill_speed.py --reference-config --profile [--threads 2]

One expert (ConvNet width 64, 6 epochs on 200 real MNIST images per class; cached in --work) is the trajectory and
feature source for every row. Each row distils all 10 classes for --iterations iterations in a fresh process (so
its peak memory is its own): the mnist-ipc10 and mnist-ipc1 presets, with both losses, MTT only and MMD only, at
full precision and with amp='bf16'. The first iteration is a warm-up and is not timed. Peak memory is the process's
maximum resident set size on a CPU and torch's peak allocated memory on CUDA. Data: MNIST from $D3_DATA, else the
embedded slice.

--reference-config times the authors' own settings instead, for a side-by-side with their scripts: MNIST from
$D3_DATA (all 60,000 training images, one subtask of 10 classes) resized to 32x32, 2 experts x 6 epochs of ConvNet-3
(width 128, instance norm; 20 steps an epoch, since what the trajectories learned does not change what an iteration
costs), the small decoder with d_z 64, 10 unrolled steps, expert_epochs 2, max_start_epoch 4, 30 decoded and 30 real
images per class in MMD with the absolute RBF widths, no augmentation, fresh noise per unrolled step, lr_latent 3e-4,
lr_lr 1e-6, lr_teacher 1e-2, lr_decoder 3e-4, init_logvar 'normal'; lpc 10 (batch_syn 100) and lpc 1 (batch_syn 10).
Each row is a fresh process: 2 warm-up and 8 timed iterations (--iterations), the median seconds of an iteration and
of its MTT and MMD updates, the process's peak RSS, and the floating-point operations of one more iteration
(`torch.utils.flop_counter`) with the rate they ran at. --host-memory names the host-memory policies to compare
(`D3_HOST_MEMORY`, see `d3_nb.core.reuse_host_memory`): 'default' (the variable unset: each loop's own policy,
'mixed' in the distillation iterations, 'reuse' in the training before them), 'reuse' (every block kept for reuse),
'mixed' (blocks under 16 MiB kept, larger ones mapped and handed back) and 'release' (the C library's own), each
then for the whole process; by default 'default', 'reuse' and 'release'.

--profile says where an iteration's time goes instead, at the reference settings with the default policy: the
matrix-product rate these cores reach (a 4096 x 4096 fp32 product, best of 5), then for each lpc row the operators
of 2 iterations after 2 warm-up and 2 timed unprofiled (`torch.profiler`, self time on the calling thread), grouped into kinds, per
iteration, with the time outside any operator (Python, the autograd engine's bookkeeping), then the 12 operators
that take longest.
"""
import argparse, json, os, resource, subprocess, sys, tempfile
from pathlib import Path

ROWS = [(preset, variant, amp) for preset in ('mnist-ipc10', 'mnist-ipc1')
        for variant in ('MTT + MMD', 'MTT only', 'MMD only') for amp in (None, 'bf16')]

def data():
    from d3_nb.data import load_dataset
    from d3_nb.core import D3Error
    try: return load_dataset('mnist').sample_per_class(200, seed=0)
    except D3Error: return load_dataset('embedded')

def experts(work: Path, device):
    from d3_nb.experts import train_experts
    return train_experts(data(), work/'experts', num_experts=1, epochs=6, net_kw=dict(width=64), device=device, progress=False)

def reference_settings() -> dict:
    "The authors' MNIST settings: d3_nb's `REFERENCE_COMMON` (what every reference budget shares) and the rest."
    from d3_nb.settings import REFERENCE_COMMON
    return dict(REFERENCE_COMMON, d_z=64, decoder='small', syn_steps=10, expert_epochs=2, max_start_epoch=4,
                mmd_per_class=30, mmd_real_per_class=30, lr_latent=3e-4, lr_lr=1e-6, lr_teacher=1e-2,
                lr_decoder=3e-4, init='random', checkpoint_every=10**9)
REFERENCE_ROWS = [dict(lpc=10, batch_syn=100), dict(lpc=1, batch_syn=10)]

def reference_data():
    "All of MNIST's training images, resized to 32x32 as the authors' code does."
    from d3_nb.data import load_dataset, ImageData
    d = load_dataset('mnist')
    x = torch_resize(d.images, 32)
    return ImageData(x, d.labels, d.classes, name='mnist32')

def torch_resize(images, side):
    import torch, torch.nn.functional as F
    out = [F.interpolate(c.float(), size=side, mode='bilinear', align_corners=False) for c in images.split(4096)]
    return torch.cat(out).round().clamp(0, 255).to(torch.uint8)

def reference_experts(work: Path, data, device):
    from d3_nb.experts import train_experts
    return train_experts(data, work/'reference-experts', num_experts=2, epochs=6, steps_per_epoch=20,
                         net_kw=dict(width=128), device=device, progress=False)

def one_reference(args):
    "Child process: time one reference row, print one JSON line."
    import time, statistics, torch
    torch.set_num_threads(args.threads)
    from d3_nb.distill import distill
    dev, d = torch.device(args.device), reference_data()
    ex, kw = reference_experts(Path(args.work), d, dev), dict(reference_settings(), **REFERENCE_ROWS[args.one])
    from torch.utils.flop_counter import FlopCounterMode
    with tempfile.TemporaryDirectory() as tmp:
        distill(d, ex, Path(tmp)/'run', iterations=2 + args.iterations, device=dev, progress=False, **kw)
        h = json.loads((Path(tmp)/'run'/'history.json').read_text())[2:]
        peak = torch.cuda.max_memory_allocated() if dev.type == 'cuda' else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        with FlopCounterMode(display=False) as fc:  # after the timing: one more iteration, its operations counted
            distill(d, ex, Path(tmp)/'flops', iterations=1, device=dev, progress=False, **kw)
    med = lambda k: statistics.median(r[k] for r in h)
    print(json.dumps(dict(kw, seconds=med('seconds'), mtt=med('mtt_seconds'), mmd=med('mmd_seconds'), peak=peak,
                          flops=fc.get_total_flops())))

KINDS = [  # (kind, substrings of aten operator names), the first match wins
    ('convolution, forward and backward', ('conv',)),
    ('instance norm (group norm kernels)', ('group_norm', 'instance_norm', 'batch_norm')),
    ('pooling', ('pool',)),
    ('matrix products (linear layers, MMD kernels)', ('mm', 'linear', 'matmul', 'dot')),
    ('activation and its gradient', ('relu', 'threshold', 'leaky', 'sigmoid', 'tanh')),
    ('other elementwise and reductions', ('add', 'sub', 'mul', 'div', 'exp', 'pow', 'sum', 'mean', 'neg', 'sqrt',
                                          'clamp', 'where', 'log', 'max', 'min', 'sort', 'rand', 'normal', 'lerp')),
    ('copies, concatenation, allocation', ('copy', 'cat', 'empty', 'zero', 'fill', 'clone', 'contiguous', 'stack',
                                           'index', 'gather', 'scatter', 'split', 'view', 'reshape', 'to', 'as_strided',
                                           'select', 'slice', 'expand', 'permute', 'transpose', 'flatten', 'unsqueeze')),
]

def kind_of(name: str) -> str:
    n = name.lower().removeprefix('aten::')
    return next((k for k, keys in KINDS if any(w in n for w in keys)), 'other operators')

def one_profile(args):
    "Child process: profile 2 iterations of one reference row after 2 warm-up; print one JSON line."
    import time, torch
    torch.set_num_threads(args.threads)
    from torch.profiler import profile, ProfilerActivity
    from d3_nb.distill import iteration_tools, iteration
    from d3_nb.settings import distill_config
    from d3_nb.state import Run
    dev, d = torch.device(args.device), reference_data()
    ex, kw = reference_experts(Path(args.work), d, dev), dict(reference_settings(), **REFERENCE_ROWS[args.one])
    run = Run(d, ex, distill_config(None, **kw), dev)
    tools = iteration_tools(run)
    for _ in range(2): iteration(run, tools)
    t0 = time.perf_counter()
    for _ in range(2): iteration(run, tools)
    plain = (time.perf_counter() - t0) / 2
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        t0 = time.perf_counter()
        for _ in range(2): iteration(run, tools)
        wall = (time.perf_counter() - t0) / 2
    kinds, ops = {}, {}
    for e in prof.key_averages():
        kinds[kind_of(e.key)] = kinds.get(kind_of(e.key), 0.0) + e.self_cpu_time_total / 1e6 / 2
        ops[e.key] = e.self_cpu_time_total / 1e6 / 2
    top = dict(sorted(ops.items(), key=lambda kv: -kv[1])[:12])
    print(json.dumps(dict(kw, wall=wall, plain=plain, kinds=kinds, top=top)))

def matmul_rate(threads: int) -> float:
    "GFLOP/s of a 4096 x 4096 fp32 matrix product on `threads` threads, best of 5."
    import time, torch
    torch.set_num_threads(threads)
    a, b, best = torch.randn(4096, 4096), torch.randn(4096, 4096), float('inf')
    a @ b
    for _ in range(5):
        t0 = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t0)
    return 2 * 4096 ** 3 / best / 1e9

def profile_table(a):
    import torch
    from d3_nb.data import dataset_available
    if not dataset_available('mnist', 'train'):
        sys.exit("--profile needs the real MNIST training files: set D3_DATA to a folder holding MNIST/raw")
    reference_experts(Path(a.work), reference_data(), torch.device(a.device))  # once, before any timing
    print(f"a 4096 x 4096 fp32 matrix product on {a.threads} threads: {matmul_rate(a.threads):.0f} GFLOP/s "
          f"(best of 5), {_device_name(a)}\n")
    for i in range(len(REFERENCE_ROWS)):
        r = _child(a, i, '--reference-config', '--profile', env={'D3_HOST_MEMORY': None})
        ops = sum(r['kinds'].values())
        print(f"lpc {r['lpc']}, batch_syn {r['batch_syn']}: {r['wall']:.2f} s an iteration profiled, {r['plain']:.2f} s "
              f"not (2 iterations each, after 2 warm-up)\n\n| where the time goes | s / iteration | share |\n|---|---:|---:|")
        for k, v in sorted(r['kinds'].items(), key=lambda kv: -kv[1]):
            print(f"| {k} | {v:.3f} | {100 * v / r['wall']:.1f} % |")
        print(f"| outside any operator (Python, autograd bookkeeping) | {max(0., r['wall'] - ops):.3f} | "
              f"{100 * max(0., r['wall'] - ops) / r['wall']:.1f} % |\n")
        print("| operator (the 12 that take longest) | kind | s / iteration | share |\n|---|---|---:|---:|")
        for k, v in r['top'].items(): print(f"| `{k}` | {kind_of(k)} | {v:.3f} | {100 * v / r['wall']:.1f} % |")
        print(flush=True)

def reference_table(a):
    import torch
    from d3_nb.data import dataset_available
    if not dataset_available('mnist', 'train'):
        sys.exit("--reference-config needs the real MNIST training files: set D3_DATA to a folder holding MNIST/raw")
    reference_experts(Path(a.work), reference_data(), torch.device(a.device))  # once, before any timing
    mem = 'peak GPU memory' if a.device.startswith('cuda') else 'peak RSS'
    print(f"distillation at the reference's settings (MNIST 32x32, 10 classes), median of {a.iterations} iterations "
          f"after 2 warm-up, {_device_name(a)}\n")
    print(f"| lpc | batch_syn | host memory | s / iteration | MTT part | MMD part | {mem} | TFLOP / iteration | GFLOP/s |\n"
          "|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for i, mode in [(i, m) for i in range(len(REFERENCE_ROWS)) for m in a.host_memory.split(',')]:
        r = _child(a, i, '--reference-config', env={'D3_HOST_MEMORY': None if mode == 'default' else mode})
        print(f"| {r['lpc']} | {r['batch_syn']} | {mode} | {r['seconds']:.2f} | {r['mtt']:.2f} | {r['mmd']:.2f} | "
              f"{r['peak'] / 2**30:.1f} GiB | {r['flops'] / 1e12:.3f} | {r['flops'] / 1e9 / r['seconds']:.0f} |",
              flush=True)

def _device_name(a):
    import torch
    return torch.cuda.get_device_name(0) if a.device.startswith('cuda') else f"CPU, {a.threads} threads, {os.cpu_count()} cores"

def _child(a, i, *extra, env=None):
    "Run row `i` in a fresh process (with `env` added to its environment, None: removed); its JSON line."
    out = subprocess.run([sys.executable, __file__, '--one', str(i), '--iterations', str(a.iterations), '--threads',
                          str(a.threads), '--device', a.device, '--work', a.work, *extra], capture_output=True, text=True,
                         env={k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None})
    if out.returncode != 0: print(out.stderr[-2000:], file=sys.stderr); sys.exit(out.returncode)
    return json.loads(out.stdout.strip().splitlines()[-1])

def one(args):
    "Child process: time one configuration, print one JSON line."
    import time, torch
    torch.set_num_threads(args.threads)
    from d3_nb.distill import distill
    preset, variant, amp = ROWS[args.one]
    kw = dict(mtt=variant != 'MMD only', mmd=variant != 'MTT only', amp=amp, max_start_epoch=3, checkpoint_every=10**9)
    dev = torch.device(args.device)
    ex, d = experts(Path(args.work), dev), data()
    with tempfile.TemporaryDirectory() as tmp:
        distill(d, ex, Path(tmp)/'warm', preset=preset, iterations=1, device=dev, progress=False, **kw)
        if dev.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter()
        distill(d, ex, Path(tmp)/'run', preset=preset, iterations=args.iterations, device=dev, progress=False, **kw)
        if dev.type == 'cuda': torch.cuda.synchronize()
        secs = (time.perf_counter() - t0) / args.iterations
    peak = torch.cuda.max_memory_allocated() if dev.type == 'cuda' else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(dict(preset=preset, variant=variant, amp=amp or 'fp32', seconds=secs, peak=peak)))

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--iterations', type=int, default=10); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cpu'); p.add_argument('--work', default='runs/speed')
    p.add_argument('--rows', type=int, nargs='*', default=None, help='indices of the rows to run (default: all)')
    p.add_argument('--one', type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument('--reference-config', action='store_true', help="time the authors' settings (see above)")
    p.add_argument('--profile', action='store_true', help="--reference-config: where an iteration's time goes")
    p.add_argument('--host-memory', default='default,reuse,release',
                   help="--reference-config: host-memory policies to compare, comma-separated (default: D3_HOST_MEMORY "
                        "unset; reuse, mixed, release)")
    a = p.parse_args()
    if a.reference_config and a.iterations == 10 and '--iterations' not in sys.argv: a.iterations = 8
    if a.profile and not a.reference_config: p.error("--profile profiles the reference settings: add --reference-config")
    if a.one is not None: return (one_profile(a) if a.profile else one_reference(a)) if a.reference_config else one(a)
    if a.reference_config:
        from d3_nb.core import HOST_MEMORY_POLICIES  # the package's own list of policies
        bad = [m for m in a.host_memory.split(',') if m != 'default' and m not in HOST_MEMORY_POLICIES]
        if bad: p.error(f"--host-memory takes default, {', '.join(HOST_MEMORY_POLICIES)}, got {bad[0]!r}")
        return profile_table(a) if a.profile else reference_table(a)
    import torch
    Path(a.work).mkdir(parents=True, exist_ok=True)
    experts(Path(a.work), torch.device(a.device))  # train the shared expert once, before any timing
    mem = 'peak GPU memory' if a.device.startswith('cuda') else 'peak RSS'
    dev = _device_name(a)
    print(f"distillation speed, MNIST 10 classes, {a.iterations} timed iterations per row, {dev}\n")
    print(f"| preset | losses | precision | s / iteration | {mem} |\n|---|---|---|---:|---:|")
    for i in (a.rows if a.rows is not None else range(len(ROWS))):
        r = _child(a, i)
        print(f"| {r['preset']} | {r['variant']} | {r['amp']} | {r['seconds']:.2f} | {r['peak'] / 2**20:,.0f} MiB |", flush=True)

if __name__ == '__main__': main()
