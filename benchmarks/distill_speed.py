"""Seconds per distillation iteration and peak memory for fixed MNIST configurations.

    python benchmarks/distill_speed.py [--iterations 10] [--threads 2] [--device cpu|cuda] [--work runs/speed]

One expert (ConvNet width 64, 6 epochs on 200 real MNIST images per class; cached in --work) is the trajectory and
feature source for every row. Each row distils all 10 classes for --iterations iterations in a fresh process (so
its peak memory is its own): the mnist-ipc10 and mnist-ipc1 presets, with both losses, MTT only and MMD only, at
full precision and with amp='bf16'. The first iteration is a warm-up and is not timed. Peak memory is the process's
maximum resident set size on a CPU and torch's peak allocated memory on CUDA. Data: MNIST from $D3_DATA, else the
embedded slice.
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
    a = p.parse_args()
    if a.one is not None: return one(a)
    import torch
    Path(a.work).mkdir(parents=True, exist_ok=True)
    experts(Path(a.work), torch.device(a.device))  # train the shared expert once, before any timing
    mem = 'peak GPU memory' if a.device.startswith('cuda') else 'peak RSS'
    dev = torch.cuda.get_device_name(0) if a.device.startswith('cuda') else f"CPU, {a.threads} threads, {os.cpu_count()} cores"
    print(f"distillation speed, MNIST 10 classes, {a.iterations} timed iterations per row, {dev}\n")
    print(f"| preset | losses | precision | s / iteration | {mem} |\n|---|---|---|---:|---:|")
    for i in (a.rows if a.rows is not None else range(len(ROWS))):
        out = subprocess.run([sys.executable, __file__, '--one', str(i), '--iterations', str(a.iterations), '--threads',
                              str(a.threads), '--device', a.device, '--work', a.work], capture_output=True, text=True)
        if out.returncode != 0: print(out.stderr[-2000:], file=sys.stderr); sys.exit(out.returncode)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {r['preset']} | {r['variant']} | {r['amp']} | {r['seconds']:.2f} | {r['peak'] / 2**20:,.0f} MiB |", flush=True)

if __name__ == '__main__': main()
