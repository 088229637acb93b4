"""ImageNet-64's pipeline at full size on CPU ranks: data path, orchestration and memory, never accuracy.

Writes a dataset in downsampled ImageNet-64's own file format (`Imagenet64_train_npz/train_data_batch_N.npz`,
`Imagenet64_val_npz/val_data.npz`) of RANDOM BYTES, converts it to the uint8 store, then runs the whole pipeline
(`d3 run`: experts, distillation, teacher, aggregation, evaluation) under `torchrun` on CPU ranks with toy networks
and step counts, and prints one table: per stage and rank, seconds, peak anonymous and file-backed memory; then the
disk each part takes. The numbers measure speed and memory only: on random bytes every accuracy is chance.

    python benchmarks/scale_rehearsal.py --work /tmp/rehearsal --classes 1000 --per_class 300 --ranks 4
    python benchmarks/scale_rehearsal.py --work /tmp/rehearsal --classes 1000 --per_class 1300 --ranks 4
    python benchmarks/scale_rehearsal.py --work /tmp/rehearsal --classes 1000 --per_class 300 --ranks 4 \
        --teacher_data_parallel   # the teacher on every rank, a share of each batch
"""
import argparse, json, os, shutil, subprocess, sys, time
from pathlib import Path

def du(p:Path) -> int:
    "Bytes of the files under `p` (as allocated: sparse files count what they hold)."
    if not p.exists(): return 0
    if p.is_file(): return p.stat().st_blocks * 512
    return sum(f.stat().st_blocks * 512 for f in p.rglob('*') if f.is_file())

def gib(n) -> str: return f"{n / 2**30:.2f} GiB" if n >= 2**28 else f"{n / 2**20:.0f} MiB"

CONVERT = """
import json, sys, time
from d3_nb.pipeline import MemoryPeaks
from d3_nb.data import load_dataset
from d3_nb.core import CpuClock
with CpuClock() as c, MemoryPeaks() as m:
    for split in ('train', 'val', 'test'): load_dataset('imagenet64', split=split, root=sys.argv[1])
print(json.dumps(dict(seconds=c.wall, cpu_seconds=c.cpu, peak_anon=m.anon, peak_file=m.file)))
"""

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--work', required=True, help='a folder for the fake data, its store and the run')
    ap.add_argument('--classes', type=int, default=1000)
    ap.add_argument('--per_class', type=int, default=300, help='training images a class (ImageNet: up to 1,300)')
    ap.add_argument('--val_per_class', type=int, default=50, help="the test split's images a class")
    ap.add_argument('--ranks', type=int, default=4, help='torchrun ranks (CPU processes)')
    ap.add_argument('--subtasks', type=int, default=4)
    ap.add_argument('--kill', action='store_true', help='kill rank 1 as the distillation starts, then resume')
    ap.add_argument('--keep', action='store_true', help='keep the fake data and its store for another run')
    ap.add_argument('--teacher_data_parallel', action='store_true', help='the teacher trained on every rank')
    a = ap.parse_args()
    work = Path(a.work)
    root, out = work/f'data-{a.classes}x{a.per_class}', work/f'run-{a.classes}x{a.per_class}-r{a.ranks}'
    work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out, ignore_errors=True)
    print("RANDOM BYTES in ImageNet-64's file format: speed and memory only, never accuracy.", flush=True)
    t0 = time.perf_counter()
    if not (root/'Imagenet64_val_npz'/'val_data.npz').exists():
        from d3_nb.formats import write_imagenet_like
        write_imagenet_like(root, classes=a.classes, per_class=a.per_class, size=64, val_per_class=a.val_per_class)
    written = time.perf_counter() - t0
    conv = json.loads(subprocess.run([sys.executable, '-c', CONVERT, str(root)], capture_output=True, text=True,
                                     check=True).stdout.strip().splitlines()[-1])
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(a.ranks),
           '--no-python', str(Path(sys.executable).parent/'d3'), 'run', '--dataset', 'imagenet64', '--root', str(root),
           '--out', str(out), '--subtasks', str(a.subtasks), '--budget', '1', '--lpc', '1', '--num_experts', '2',
           '--expert_epochs', '2', '--steps_per_epoch', '4', '--width', '8', '--iterations', '2', '--ae_steps', '20',
           '--teacher_epoch', '1', '--student_steps', '4', '--student_width', '8', '--seeds', str(a.ranks),
           '--settings', json.dumps(dict(decoder='tiny', decoder_width=0.25, syn_steps=2, batch_syn=64,
                                         mmd_per_class=2, mmd_real_per_class=4)),
           '--accuracy_floor', '0', '--device', 'cpu', '--no-progress'] + \
          (['--teacher_data_parallel'] if a.teacher_data_parallel else [])
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    runs = []
    if a.kill:
        t1 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True, env={**env, 'D3_FAULT': 'distillation:1'})
        runs.append(('killed at the distillation', time.perf_counter() - t1, r.returncode))
    t1 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    runs.append(('run' if not a.kill else 'resumed', time.perf_counter() - t1, r.returncode))
    if r.returncode: sys.exit(f"the run failed:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
    rows = [json.loads(l) for f in sorted((out/'logs').glob('stages.rank*.jsonl')) for l in f.read_text().splitlines()]
    order = ['experts', 'distillation', 'teacher', 'teacher and aggregation', 'evaluation']
    rows.sort(key=lambda s: (order.index(s['stage']) if s['stage'] in order else 9, s['rank']))
    from d3_nb.store import imagenet_store
    store = imagenet_store(root, 64)  # converted already: its path
    print(f"\n{a.classes:,} classes x {a.per_class:,} images (64x64 RGB, {gib(a.classes * a.per_class * 12288)} of "
          f"uint8 images), {a.subtasks} subtasks on {a.ranks} CPU ranks; fake data written in {written:.0f} s\n")
    print("| stage | rank | jobs | seconds | CPU s | peak anonymous | peak file-backed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| store conversion (all splits) | – | 1 | {conv['seconds']:,.0f} | {conv['cpu_seconds']:,.0f} | "
          f"{gib(conv['peak_anon'])} | {gib(conv['peak_file'])} |")
    for s in rows:
        print(f"| {s['stage']} | {s['rank']} | {s['jobs']} | {s['seconds']:,.0f} | {s['cpu_seconds']:,.0f} | "
              f"{gib(s['peak_anon'])} | {gib(s['peak_file'])} |")
    print(f"\nmax peak anonymous memory of any rank in any stage: {gib(max(s['peak_anon'] for s in rows))}")
    print(f"torchrun: " + '; '.join(f"{n} in {sec:,.0f} s (exit {rc})" for n, sec, rc in runs))
    print(f"disk: fake .npz data {gib(du(root) - du(store) if store else du(root))}, store {gib(du(store) if store else 0)}, "
          f"run folder {gib(du(out))} (experts {gib(sum(du(p) for p in out.glob('subtask_*/experts')))})")
    if not a.keep: shutil.rmtree(work, ignore_errors=True)

if __name__ == '__main__': main()
