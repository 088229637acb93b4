"""One subtask's memory and time as the dataset grows: the subtask has a fixed number of classes, the dataset has C.

    python benchmarks/subtask_scale.py [--classes 10 100 1000] [--subtask_size 10] [--per_class 20]
                                       [--iterations 10] [--width 32] [--device cpu]

For each C, a fresh Python process builds a shape-only synthetic dataset (random uint8 28x28 images, C classes,
--per_class images each), splits it into contiguous subtasks of --subtask_size classes and runs subtask 0 with
`d3_nb.subtasks.run_subtask` (2 experts x 2 epochs, then --iterations distillation iterations). It measures

- the process's peak resident memory (ru_maxrss) before the job (torch, the package and the C-class dataset loaded)
  and after it; their difference is what the subtask's job itself added at its peak;
- on CUDA, the job's peak allocated GPU memory (torch.cuda.max_memory_allocated);
- the experts' wall time and the median time of one distillation iteration (from the run's history.json).

Prints a Markdown table. The job's memory and time should not grow with C; only holding the dataset does (and a job
need not hold it: `load_dataset(name, classes=partition[k])` reads only the subtask's classes).
"""
import argparse, json, os, resource, statistics, subprocess, sys, tempfile, time
from pathlib import Path


def child(a):
    import torch
    torch.set_num_threads(a.threads)
    from d3_nb.data import ImageData
    from d3_nb.subtasks import partition_classes, run_subtask, subtask_dir, subtask_path
    C, n = a.C, a.per_class
    g = torch.Generator().manual_seed(0)
    data = ImageData(torch.randint(0, 256, (C * n, 1, 28, 28), dtype=torch.uint8, generator=g),
                     torch.arange(C).repeat_interleave(n), [f'c{i}' for i in range(C)], mean=(0.5,), std=(0.29,),
                     name=f'synthetic{C}')
    part = partition_classes(C, C // a.subtask_size)
    ekw = dict(num_experts=2, epochs=2, batch_size=256, net_kw=dict(width=a.width, depth=3))
    dkw = dict(lpc=a.lpc, d_z=16, decoder='tiny', iterations=a.iterations, syn_steps=5, expert_epochs=1,
               max_start_epoch=1, mmd_per_class=10, mmd_real_per_class=20, checkpoint_every=a.iterations)
    dev = torch.device(a.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    kib = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    before = kib()
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats(dev)
    out = Path(tempfile.mkdtemp())
    from d3_nb.artifact import Distilled
    import contextlib, io
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        run_subtask(data, part, 0, out, ekw, dkw, device=dev, progress=False)
    total = time.perf_counter() - t0
    hist = json.loads((subtask_dir(out, 0)/'history.json').read_text())
    secs = [h['seconds'] for h in hist[1:]] or [hist[0]['seconds']]
    res = dict(C=C, subtask_classes=len(part[0]), images=len(data), data_mib=data.images.numel() / 2**20,
               rss_before_mib=before / 1024, rss_after_mib=kib() / 1024, job_extra_mib=(kib() - before) / 1024,
               gpu_peak_mib=torch.cuda.max_memory_allocated(dev) / 2**20 if dev.type == 'cuda' else None,
               job_s=total, distill_s=sum(h['seconds'] for h in hist), iter_s=statistics.median(secs),
               file_bytes=subtask_path(out, 0).stat().st_size, device=str(dev), threads=torch.get_num_threads())
    res['experts_s'] = res['job_s'] - res['distill_s']
    res['stored_bytes'] = Distilled.load(subtask_path(out, 0), device='cpu').storage().bytes
    print('RESULT ' + json.dumps(res))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--classes', type=int, nargs='+', default=[10, 100, 1000])
    p.add_argument('--subtask_size', type=int, default=10)
    p.add_argument('--per_class', type=int, default=20)
    p.add_argument('--iterations', type=int, default=10)
    p.add_argument('--lpc', type=int, default=2)
    p.add_argument('--width', type=int, default=32)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--device', default=None)
    p.add_argument('--C', type=int, default=None, help=argparse.SUPPRESS)  # set in the child process
    a = p.parse_args()
    if a.C is not None: return child(a)
    rows = []
    for C in a.classes:
        args = [sys.executable, __file__, '--C', str(C)] + [f'--{k}={v}' for k, v in vars(a).items()
                                                             if k not in ('classes', 'C') and v is not None]
        r = subprocess.run(args, capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': str(a.threads)})
        line = [l for l in r.stdout.splitlines() if l.startswith('RESULT ')]
        if r.returncode or not line: sys.exit(f"C={C} failed:\n{r.stdout}\n{r.stderr}")
        rows.append(json.loads(line[0][7:]))
    d = rows[0]
    print(f"One subtask of {a.subtask_size} classes ({a.per_class} images each), 2 experts x 2 epochs (ConvNet-3 width "
          f"{a.width}), {a.iterations} distillation iterations (lpc {a.lpc}, tiny decoder); {d['device']}, "
          f"{d['threads']} thread(s); one fresh process per row.\n")
    gpu = any(r['gpu_peak_mib'] is not None for r in rows)
    print("| C (dataset classes) | dataset images | dataset MiB | peak RSS before job (MiB) | peak RSS after (MiB) | "
          "job's added peak RSS (MiB) |" + (" job's GPU peak (MiB) |" if gpu else "") +
          " experts (s) | s / distillation iteration | subtask stored (B) | subtask file (B) |")
    print("|---:|---:|---:|---:|---:|---:|" + ("---:|" if gpu else "") + "---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['C']:,} | {r['images']:,} | {r['data_mib']:.1f} | {r['rss_before_mib']:.0f} | {r['rss_after_mib']:.0f} | "
              f"{r['job_extra_mib']:.0f} |" + (f" {r['gpu_peak_mib']:.1f} |" if gpu else "") +
              f" {r['experts_s']:.2f} | {r['iter_s']:.3f} | {r['stored_bytes']:,} | {r['file_bytes']:,} |")
    print("\nsubtask stored = the exact storage of its latents and decoder; the file adds a JSON header that names all C "
          "classes (a few bytes per class).")


if __name__ == '__main__': main()
