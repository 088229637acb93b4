"""One GPU check, one table: the `cuda`-flagged notebook cells, seconds per distillation iteration and peak memory of
each ImageNet-64 preset, a bit-exact resume with `deterministic=True`, a short real-MNIST distillation with a student,
and a one-GPU `torchrun` run of `d3 subtasks`.

    bash tools/gpu_check.sh                          # on a CUDA machine: about 4 minutes on one H200
    bash tools/gpu_check.sh --device cpu --tiny      # every step at toy sizes on the CPU (what CI runs)

The preset rows distil random images of ImageNet-64's shape (3x64x64, the reference's classes per subtask: 200 for
ipc1 and ipc10, 500 for ipc2) from a one-expert, two-epoch trajectory: they measure speed and memory only, never
accuracy. The MNIST row uses MNIST from $D3_DATA when it is there, else the slice embedded in the package, and reports
the student's test accuracy and its training speed in images per second. Exit status 1 when any step failed.
"""
import argparse, os, resource, shutil, subprocess, sys, tempfile, time, traceback
from pathlib import Path

from d3_nb.plan import LAYOUTS  # each ImageNet-64 preset's subtask count, of ImageNet-1K's 1,000 classes

ROOT = Path(__file__).resolve().parents[1]

def sync(device):
    import torch
    if device.type == 'cuda': torch.cuda.synchronize(device)

def peak_memory(device) -> str:
    "Peak memory so far: torch's peak allocation on CUDA, the process's peak resident set on a CPU."
    import torch
    if device.type == 'cuda': return f"{torch.cuda.max_memory_allocated(device) / 2**30:.2f} GiB allocated"
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB RSS (process)"

def cuda_cells(a, work):
    "The notebooks' `#| cuda` cells (each notebook that has one, run whole with the cuda flag)."
    if not a.device.startswith('cuda'): return 'not run', 'needs a CUDA device'
    nbs = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if '#| cuda' in p.read_text())
    failed = [p.name for p in nbs if subprocess.run(['nbdev_test', '--path', str(p), '--flags', 'cuda'], cwd=ROOT,
                                                      capture_output=True, text=True).returncode]
    if failed: raise RuntimeError(f"cuda cells failed in {failed}")
    return 'ok', f"{len(nbs)} notebooks: {', '.join(p.stem for p in nbs)}"

def fake_subtask(classes:int, side:int, per_class:int=32):
    "Random uint8 images of one subtask's shape (speed and memory only)."
    import torch
    from d3_nb.data import ImageData
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (classes * per_class, 3, side, side), dtype=torch.uint8, generator=g)
    y = torch.arange(classes).repeat_interleave(per_class)
    return ImageData(x, y, [f'c{i}' for i in range(classes)], (0.5,) * 3, (0.25,) * 3, name='imagenet64-shaped')

def preset_speed(preset:str):
    "A step timing `iterations` distillation iterations of `preset` after one warm-up iteration."
    def step(a, work):
        import torch
        from d3_nb.experts import train_experts
        from d3_nb.distill import iteration_tools, iteration
        from d3_nb.settings import distill_config
        from d3_nb.state import Run
        dev = torch.device(a.device)
        data = fake_subtask(4 if a.tiny else 1000 // LAYOUTS[preset], 16 if a.tiny else 64)
        over = dict(max_start_epoch=1, expert_epochs=1)
        if a.tiny: over.update(decoder='tiny', d_z=8, batch_syn=8, mmd_per_class=4, mmd_real_per_class=4)
        ex = train_experts(data, work/preset, num_experts=1, epochs=2, steps_per_epoch=2, aug=False,
                           net_kw=dict(width=8 if a.tiny else 128), device=dev, progress=False)
        if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats(dev)
        run = Run(data, ex, distill_config(preset, **over), dev)
        tools = iteration_tools(run)
        iteration(run, tools)  # warm-up: allocator, kernels
        sync(dev)
        t0 = time.perf_counter()
        for _ in range(a.iterations): iteration(run, tools)
        sync(dev)
        secs = (time.perf_counter() - t0) / a.iterations
        return 'ok', f"{secs:.3f} s/iteration over {data.num_classes} classes; {peak_memory(dev)}"
    return step

def mnist_run(a, work):
    "A short D3 run on real digits (experts, distillation, teacher, aggregation) and students trained on it."
    from d3_nb.data import dataset_available
    from d3_nb.cli import d3_run
    name = 'mnist' if dataset_available('mnist') else 'embedded'
    tiny = dict(budget=1, lpc=2, iterations=5, ae_steps=20, num_experts=1, expert_epochs=6, width=8, student_epochs=2,
                n_per_class=20, steps_per_epoch=25)
    full = dict(budget=1, lpc=4, iterations=100, ae_steps=500, num_experts=2, expert_epochs=6, width=64,
                student_epochs=50, student_width=128, n_per_class=500)
    kw = tiny if a.tiny else dict(full, n_per_class=500 if name == 'mnist' else None)  # the slice: all 200 a class
    res = d3_run(dataset=name, out=str(work/'mnist'), device=a.device, progress=False, **kw)
    return 'ok', f"{name}: {100 * res['accuracy']['mean']:.2f} % test accuracy{student_speed(a)}"

def student_speed(a) -> str:
    "Images per second of a student ConvNet (width 128) training on 10,000 random 28x28 digits-shaped images."
    import torch
    from d3_nb.nets import make_net
    from d3_nb.train import train
    dev = torch.device(a.device)
    n = 512 if a.tiny else 10_000
    g = torch.Generator().manual_seed(0)
    xy = (torch.randn(n, 1, 28, 28, generator=g).to(dev), torch.randint(0, 10, (n,), generator=g).to(dev))
    net = make_net('convnet', 1, 10, 28, width=16 if a.tiny else 128)
    train(net, xy, epochs=1, device=dev, progress=False)  # warm-up
    sync(dev)
    t0 = time.perf_counter()
    epochs = 1 if a.tiny else 3
    train(net, xy, epochs=epochs, device=dev, progress=False)
    sync(dev)
    return f"; a student trains at {n * epochs / (time.perf_counter() - t0):,.0f} images/s"

def torchrun_subtasks(a, work):
    "`d3 subtasks` as one torchrun rank: NCCL on a GPU, gloo on the CPU."
    d3 = shutil.which('d3')
    if d3 is None: raise RuntimeError("the d3 console script is not installed (pip install -e .)")
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '1', '--no-python', d3,
           'subtasks', '--out', str(work/'torchrun'), '--n_per_class', '10', '--subtasks', '2', '--num_experts', '1',
           '--epochs', '2', '--width', '8', '--depth', '2', '--batch_size', '64', '--iterations', '2', '--lpc', '1',
           '--d_z', '4', '--decoder', 'tiny', '--no-progress', '--device', a.device, '--settings',
           '{"syn_steps": 2, "max_start_epoch": 1, "expert_epochs": 1, "mmd_per_class": 4, "mmd_real_per_class": 8}']
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    last = (r.stderr.strip().splitlines() or [''])[-1]
    if r.returncode: raise RuntimeError(f"torchrun exited {r.returncode}: {last}")
    files = sorted(p.parent.name for p in (work/'torchrun').glob('subtask_*/subtask.safetensors'))
    if len(files) != 2: raise RuntimeError(f"torchrun finished but wrote {files}")
    return 'ok', f"2 subtasks by one rank ({'nccl' if a.device.startswith('cuda') else 'gloo'})"

# argv: the output folder (as `kill_at_checkpoint` and `run_job` pass it), the experts, the device, iterations
RESUME_JOB = r"""
import sys, torch
from d3_nb.testing import tiny_data
from d3_nb.distill import distill
distill(tiny_data(20).subset([3, 5, 7]), sys.argv[2], sys.argv[1], device=sys.argv[3], progress=False,
        lpc=2, d_z=8, decoder='tiny', iterations=int(sys.argv[4]), syn_steps=3, expert_epochs=1, max_start_epoch=2,
        mmd_per_class=4, mmd_real_per_class=8, checkpoint_every=1, aug=False, deterministic=True)
"""

def resume_exact(a, work):
    "`deterministic=True`: a run killed after a checkpoint and run again equals, tensor for tensor, an unbroken run."
    import torch
    from d3_nb.testing import tiny_data, kill_at_checkpoint, run_job
    from d3_nb.experts import train_experts
    from d3_nb.artifact import Distilled
    ex, n = work/'resume'/'experts', 12
    train_experts(tiny_data(20).subset([3, 5, 7]), ex, num_experts=2, epochs=3, net_kw=dict(width=8, depth=2),
                  device=torch.device(a.device), progress=False)
    killed, whole = work/'resume'/'killed', work/'resume'/'whole'
    kill_at_checkpoint(RESUME_JOB, killed, [ex, a.device, n], settle=0.5)
    for out in (killed, whole): run_job(RESUME_JOB, out, [ex, a.device, n])
    x, y = (Distilled.load(o/'subtask.safetensors', device='cpu').state_tensors() for o in (killed, whole))
    differ = [k for k in x if not torch.equal(x[k], y[k])]
    if differ: raise RuntimeError(f"resumed run differs from the unbroken one in {differ[:4]}")
    return 'ok', f"{len(x)} tensors equal after a kill at a checkpoint and a resume ({n} iterations, {a.device})"

STEPS = [('cuda cells', cuda_cells), *[(f'speed {p}', preset_speed(p)) for p in LAYOUTS],
         ('resume bit-exact (deterministic)', resume_exact),
         ('torchrun subtasks', torchrun_subtasks), ('MNIST run + student', mnist_run)]

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='cuda', help="cuda, cuda:N or cpu (default: cuda)")
    p.add_argument('--tiny', action='store_true', help="toy sizes (the CPU test of this script)")
    p.add_argument('--iterations', type=int, default=3, help="timed distillation iterations per preset (default: 3)")
    p.add_argument('--only', default=None, help="run only the checks whose names contain this text")
    p.add_argument('--work', default=None, help="folder for the runs (default: a temporary folder, removed)")
    a = p.parse_args(argv)
    names = [n for n, _ in STEPS]
    if a.only and not any(a.only in n for n in names):
        print(f"gpu_check: --only {a.only!r} matches none of the checks: {', '.join(names)}", file=sys.stderr)
        return 2
    import torch
    if a.device.startswith('cuda') and not torch.cuda.is_available():
        print("gpu_check: no CUDA device here; run with --device cpu --tiny to check the script on the CPU",
              file=sys.stderr)
        return 2
    card = torch.cuda.get_device_name(torch.device(a.device)) if a.device.startswith('cuda') else \
        f"CPU ({os.cpu_count()} cores, {torch.get_num_threads()} threads)"
    work = Path(a.work or tempfile.mkdtemp(prefix='d3_gpu_check_'))
    rows, failed = [], False
    try:
        for name, step in STEPS:
            if a.only and a.only not in name: continue
            t0 = time.perf_counter()
            try: status, result = step(a, work)
            except Exception as e:  # a check reports every failure as a row and goes on
                status, result, failed = 'FAILED', f"{type(e).__name__}: {e}".splitlines()[0][:200], True
                traceback.print_exc(file=sys.stderr)
            rows.append((name, status, f"{time.perf_counter() - t0:.1f}", result))
            print(f"[{status}] {name}: {result}", file=sys.stderr, flush=True)
    finally:
        if a.work is None: shutil.rmtree(work, ignore_errors=True)
    print(f"\nd3_nb GPU check on {card}{' (--tiny)' if a.tiny else ''}, torch {torch.__version__}\n")
    print("| check | status | s | result |\n|---|---|---:|---|")
    for r in rows: print('| ' + ' | '.join(r) + ' |')
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
