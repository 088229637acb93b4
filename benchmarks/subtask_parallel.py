"""Wall-clock of a decomposed distillation run serially and with parallel worker processes, on real data.

    python benchmarks/subtask_parallel.py [--dataset fashion_mnist] [--subtasks 2] [--workers 1 2]
                                          [--n_per_class 500] [--iterations 30] [--root DATA]

For each --workers value, a fresh `d3 subtasks` command (a new process, a new temporary run folder) runs every
subtask: experts, then distillation. With `--workers 1` the subtasks run one after another in one process that may
use every core; with `--workers W` they run in W processes that share the cores (each gets cores // W threads).
The table gives the wall-clock of the whole command, the speed-up over the first row, and how far each subtask's
latents and decoder are from the first row's (thread counts change floating-point summation order, so small
differences are expected; the layout is the same). Run it on an otherwise idle machine: it measures time.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path


def run(a, workers:int, out:Path) -> float:
    cmd = ['d3', 'subtasks', '--out', str(out), '--dataset', a.dataset, '--subtasks', str(a.subtasks),
           '--workers', str(workers), '--n_per_class', str(a.n_per_class), '--num_experts', str(a.experts),
           '--epochs', str(a.epochs), '--width', str(a.width), '--preset', a.preset, '--iterations', str(a.iterations),
           '--no-progress'] + (['--root', a.root] if a.root else [])
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if p.returncode: sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return secs


def max_diff(ref:Path, other:Path, subtasks:int) -> float:
    from safetensors.torch import load_file
    from d3_nb.subtasks import subtask_path
    worst = 0.
    for k in range(subtasks):
        x, y = load_file(subtask_path(ref, k)), load_file(subtask_path(other, k))
        assert x.keys() == y.keys(), f"subtask {k}: different tensors"
        worst = max([worst] + [float((x[n].double() - y[n].double()).abs().max()) for n in x if x[n].is_floating_point()])
    return worst


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='fashion_mnist')
    p.add_argument('--root', default=None)
    p.add_argument('--subtasks', type=int, default=2)
    p.add_argument('--workers', type=int, nargs='+', default=[1, 2])
    p.add_argument('--n_per_class', type=int, default=500)
    p.add_argument('--experts', type=int, default=3)
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--width', type=int, default=64)
    p.add_argument('--preset', default='mnist-ipc1')
    p.add_argument('--iterations', type=int, default=30)
    a = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix='d3_parallel_'))
    try:
        rows, ref = [], None
        for w in a.workers:
            out = tmp/f'workers{w}'
            secs = run(a, w, out)
            ref = ref or (out, secs)
            rows.append((w, secs, ref[1] / secs, max_diff(ref[0], out, a.subtasks)))
            print(f"workers={w}: {secs:.1f} s", file=sys.stderr)
    finally: shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{a.dataset}, {a.subtasks} subtasks, {a.n_per_class} images/class, {a.experts} experts x {a.epochs} epochs "
          f"(width {a.width}), {a.iterations} iterations of {a.preset}; {os.cpu_count()} CPUs\n")
    print('| workers | wall-clock (s) | speed-up | max abs difference to the first row |')
    print('|---|---|---|---|')
    for w, secs, up, d in rows: print(f"| {w} | {secs:.1f} | {up:.2f}x | {d:.2e} |")


if __name__ == '__main__': main()
