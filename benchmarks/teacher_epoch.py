"""The global teacher's epoch: how much do soft labels from an earlier or later teacher change D3's accuracy?

    python benchmarks/teacher_epoch.py --out runs/mnist_bench --subtasks ipc1 --epochs 2 6 10 [--seeds 0 1 2]
        [--steps-per-epoch 50] [--epochs val 2 6]

Takes the distilled subtask files of a finished run (`OUT/SUBTASKS/subtask_*/subtask.safetensors`, e.g. what
`d3 bench` wrote), and for each teacher epoch E: trains (or reuses
`OUT/teacher_eE.safetensors`) the global teacher exactly as those runs do (10,000 stratified training images,
SGD momentum 0.9, weight decay 5e-4, ConvNet width 128, kept after E epochs: passes over the data by default, the
recipe of the README's table, or epochs of --steps-per-epoch SGD steps; 'val' keeps the epoch the early-teacher rule
picks on the validation split), measures it on the validation split,
relabels the same priors with its soft labels, and trains students under the evaluation protocol. Only the labels
differ between rows. Prints a Markdown table and writes OUT/teacher_epoch.json.
"""
import argparse, json, time
from pathlib import Path
import torch
from d3_nb.data import load_dataset
from d3_nb.train import evaluate
from d3_nb.bench import bench_data, bench_teacher
from d3_nb.aggregate import aggregate
from d3_nb.evaluate import evaluate_student

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='mnist'); p.add_argument('--out', default='runs/mnist')
    p.add_argument('--subtasks', default='ipc1'); p.add_argument('--epochs', nargs='+', default=['2', '6', '10'])
    p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2]); p.add_argument('--student-epochs', type=int, default=300)
    p.add_argument('--threads', type=int, default=1); p.add_argument('--steps-per-epoch', type=int, default=0)
    p.add_argument('--teacher-epochs', type=int, default=20)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out = Path(a.out)
    tr, test = load_dataset(a.dataset), load_dataset(a.dataset, split='test')
    fit, val, _ = bench_data(tr, val_images=5000, expert_images=1000)  # the split the runs used
    files = sorted((out/a.subtasks).glob('subtask_*/subtask.safetensors'))
    assert files, f"no subtask files under {out/a.subtasks}"
    rows = []
    for e in a.epochs:
        s = dict(teacher_epoch=e, teacher_epochs=a.teacher_epochs if e == 'val' else int(e), expert_images=1000,
                 teacher_width=128, steps_per_epoch=a.steps_per_epoch or None)
        tdir = out if not a.steps_per_epoch else out/f'teachers-{a.steps_per_epoch}-steps'  # one folder per recipe
        tdir.mkdir(exist_ok=True)
        t = bench_teacher(tdir, fit, val, s, device=None)
        t_acc = evaluate(t.net, *val.tensors(next(t.net.parameters()).device))
        d = aggregate(files, teacher=t, num_classes=tr.num_classes, out=out/a.subtasks/f'distilled_teacher_e{e}.safetensors')
        conf = float(d.soft_labels.max(1).values.mean())
        t0 = time.perf_counter()
        r = evaluate_student(d, test, epochs=a.student_epochs, seeds=tuple(a.seeds), progress=False, name=f'teacher epoch {e}')
        rows.append(dict(teacher_epoch=e, teacher_val_acc=t_acc, mean_max_prob=conf, result=r.to_dict()))
        print(f"teacher epoch {e}: val {100 * t_acc:.2f} %, mean max prob {conf:.3f}, students {r!r} ({time.perf_counter() - t0:.0f}s)", flush=True)
    print(f"\n{a.dataset}, priors of {out/a.subtasks}, {a.student_epochs} student epochs, seeds {a.seeds}\n")
    print("| teacher epoch | teacher val. acc. % | mean top soft label | D3 test acc. % (mean ± std) |\n|---:|---:|---:|---:|")
    for r in rows:
        acc = r['result']['accuracy']
        print(f"| {r['teacher_epoch']} | {100 * r['teacher_val_acc']:.2f} | {r['mean_max_prob']:.3f} | "
              f"{100 * acc['mean']:.2f} ± {100 * acc['std']:.2f} |")
    (out/'teacher_epoch.json').write_text(json.dumps(rows, indent=1, default=str))

if __name__ == '__main__': main()
