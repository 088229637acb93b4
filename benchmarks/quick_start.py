"""The quick start, timed: `d3 run` with the options given (none: the defaults), in a fresh folder, end to end.

    python benchmarks/quick_start.py [--repeats 1] [-- D3 RUN OPTIONS ...]

Prints a Markdown table: wall-clock seconds of the whole command (process start to exit, imports included), the
students' test accuracy on the embedded slice's 1,000 test digits, the stored bytes, the machine, the commit and the
load average when it started (a load near 0 means the cores were idle; the target is 300 s on 2 idle cores).
`OMP_NUM_THREADS=1 python benchmarks/quick_start.py` measures on one core, as when another job holds the other.
`--heldout` (needs MNIST: `D3_DATA`) also scores a student of the same settings on 5,000 MNIST training digits outside
the slice, the split that chose the quick start's settings (the slice's own test digits choose nothing).
"""
import argparse, json, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

def heldout_accuracy(artifact, n:int=5000) -> float:
    "A student (d3 run's defaults) of `artifact`, scored on `n` MNIST training digits outside the embedded slice."
    import hashlib, torch
    from d3_nb.data import load_dataset
    from d3_nb.artifact import Distilled
    from d3_nb.evaluate import evaluate_student
    sl, full = load_dataset('embedded', split='train'), load_dataset('mnist', split='train')
    seen = {hashlib.sha1(x.numpy().tobytes()).hexdigest() for x in sl.images}
    keep = [i for i in range(len(full)) if hashlib.sha1(full.images[i].numpy().tobytes()).hexdigest() not in seen]
    idx = torch.tensor(keep)[torch.randperm(len(keep), generator=torch.Generator().manual_seed(0))[:n]]
    r = evaluate_student(Distilled.load(artifact, device='cpu'), full._take(idx, 'val'), steps=1000, seeds=(0,),
                         width=32, progress=False)
    return r.mean

def one_run(extra:list, heldout:bool=False) -> dict:
    "Run `d3 run` once in a new folder; its wall-clock seconds, accuracy and storage."
    with tempfile.TemporaryDirectory() as tmp:
        load, t0 = os.getloadavg()[0], time.perf_counter()
        p = subprocess.run([sys.executable, '-c', 'from d3_nb.cli import console; console()', 'run',
                            '--out', f'{tmp}/run', '--no-progress', *extra], capture_output=True, text=True)
        secs = time.perf_counter() - t0
        if p.returncode: sys.exit(f"d3 run failed (exit {p.returncode}):\n{p.stderr[-2000:]}")
        res = json.loads(Path(f'{tmp}/run/result.json').read_text())
        held = heldout_accuracy(f'{tmp}/run/distilled.safetensors') if heldout else None
    return dict(seconds=secs, accuracy=res['accuracy']['mean'], bytes=res['storage']['bytes'],
                ipc=res['storage'].get('ipc_equivalent_fp32'), load=load, heldout=held)

def commit() -> str:
    "The commit measured, marked when the package's sources differ from it."
    try:
        head = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', 'd3_nb'], capture_output=True, text=True).stdout.strip()
    except OSError: return '?'
    return head + (' + uncommitted changes' if dirty else '')

if __name__ == '__main__':
    argv = sys.argv[1:]
    extra = argv[argv.index('--') + 1:] if '--' in argv else []
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--repeats', type=int, default=1)
    p.add_argument('--heldout', action='store_true', help='also score on MNIST digits outside the slice (D3_DATA)')
    a = p.parse_args(argv[:argv.index('--')] if '--' in argv else argv)
    rows = [one_run(extra, a.heldout) for _ in range(a.repeats)]
    threads = os.environ.get('OMP_NUM_THREADS', "torch's default")
    print(f"`d3 run {' '.join(extra)}`".replace(' `', '`') + f" on {os.cpu_count()} cores ({platform.machine()}), "
          f"torch threads: {threads}, commit {commit()}\n")
    print("| run | wall-clock s | test accuracy | held-out MNIST accuracy | stored bytes | IPC-eq (fp32) | load at start |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for i, r in enumerate(rows):
        ipc = f"{r['ipc']:.2f}" if r['ipc'] is not None else '-'
        held = f"{100 * r['heldout']:.2f} %" if r['heldout'] is not None else '-'
        print(f"| {i} | {r['seconds']:.0f} | {100 * r['accuracy']:.2f} % | {held} | {r['bytes']:,} | {ipc} | {r['load']:.2f} |")
