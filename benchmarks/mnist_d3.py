"""D3 on real MNIST (or Fashion-MNIST) on a CPU, evaluated against random real subsets at the same storage.

    python benchmarks/mnist_d3.py --ipc 10 --out runs/mnist [--dataset mnist] [--iterations 300] [--seeds 0 1 2]
                                  [--student-epochs 300] [--ablate]

Stages (each cached in --out, so an interrupted run continues): experts on a 10k stratified subset of the training
split (a validation split of 5,000 images is held out first), one subtask with all classes distilled at the
--ipc budget (latents + decoder + soft labels), a global teacher (10k training images) kept at an early epoch,
its soft labels on the
priors' mean images, then the evaluation protocol (d3_nb.evaluate) on the official test split for D3 and for the
random-real baselines. Prints a Markdown table and writes results.json. --ablate also distils MTT-only and
MMD-only runs with the same settings and reports them with their cost per iteration.
"""
import argparse, json, time
from pathlib import Path
import torch
from d3_nb.core import seed_everything
from d3_nb.data import load_dataset
from d3_nb.experts import train_experts
from d3_nb.distill import distill, distill_config
from d3_nb.bench import bench_data, bench_teacher
from d3_nb.aggregate import aggregate
from d3_nb.evaluate import evaluate_student, results_table
from d3_nb.baselines import random_real, random_real_soft

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='mnist'); p.add_argument('--ipc', type=float, default=10)
    p.add_argument('--out', default='runs/mnist'); p.add_argument('--iterations', type=int, default=None)
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2]); p.add_argument('--student-epochs', type=int, default=300)
    p.add_argument('--teacher-epoch', type=int, default=6); p.add_argument('--expert-width', type=int, default=64)
    p.add_argument('--ablate', action='store_true'); p.add_argument('--lpc', type=int, default=None)
    p.add_argument('--d-z', type=int, default=None); p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    tr, test = load_dataset(a.dataset), load_dataset(a.dataset, split='test')
    fit, val, pool = bench_data(tr, val_images=5000, expert_images=1000)  # the same split, pool and teacher as d3 bench
    t0 = time.perf_counter()
    experts = train_experts(pool, out/'experts', num_experts=4, epochs=8,
                            net_kw=dict(width=a.expert_width), seed=0, progress=False)
    preset = 'mnist-ipc10' if a.ipc >= 10 else 'mnist-ipc1'
    kw = dict(budget_ipc=a.ipc, max_start_epoch=5)
    if a.iterations is not None: kw['iterations'] = a.iterations
    if a.lpc is not None: kw['lpc'] = a.lpc
    if a.d_z is not None: kw['d_z'] = a.d_z
    teacher = bench_teacher(out, fit, dict(teacher_epoch=a.teacher_epoch, expert_images=1000, teacher_width=128), device=None)
    variants = {'D3 (MTT + MMD)': {}}
    if a.ablate: variants.update({'D3, MTT only': dict(mmd=False), 'D3, MMD only': dict(mtt=False)})
    rows = []
    for name, extra in variants.items():
        tag = f"ipc{a.ipc:g}" + ''.join(f"-{k}{v}" for k, v in extra.items())
        sub_dir = out/tag/'subtask_00'
        d = distill(fit, experts, sub_dir, preset=preset, val=val, progress=False, **kw, **extra)
        hist = json.loads((sub_dir/'history.json').read_text())
        per_it = sum(h['seconds'] for h in hist) / max(1, len(hist))
        agg = aggregate([sub_dir/'subtask.safetensors'], teacher=teacher, num_classes=fit.num_classes,
                        out=out/tag/'distilled.safetensors')
        r = evaluate_student(agg, test, epochs=a.student_epochs, seeds=tuple(a.seeds), progress=False,
                             distill_seconds=sum(h['seconds'] for h in hist), name=name)
        rows.append((name, r, per_it))
    for name, make in {'random real, hard labels': lambda s: random_real(fit, int(a.ipc), seed=s),
                       'random real, teacher soft labels': lambda s: random_real_soft(fit, int(a.ipc), teacher, seed=s)}.items():
        r = evaluate_student(make(0), test, epochs=a.student_epochs, seeds=tuple(a.seeds), progress=False, name=name)
        rows.append((name, r, None))
    results = [r for _, r, _ in rows]
    print(f"\n{a.dataset}, budget {a.ipc:g} IPC-equivalent, {a.student_epochs} student epochs, seeds {a.seeds}, "
          f"teacher epoch {a.teacher_epoch}, {torch.get_num_threads()} threads, total {time.perf_counter() - t0:.0f}s\n")
    print(results_table(results, reference=results[-2]))
    print("\n| method | seconds per distillation iteration |\n|---|---|")
    for name, _, per_it in rows:
        if per_it is not None: print(f"| {name} | {per_it:.2f} |")
    (out/f'results_ipc{a.ipc:g}.json').write_text(json.dumps([dict(r.to_dict(), seconds_per_iteration=p)
                                                            for (_, r, p) in rows], indent=1, default=str))

if __name__ == '__main__': main()
