"""Why D3 trails real uint8 images at 10 IPC-eq on 100 MNIST images per class: a study on a validation split.

    python benchmarks/small_ipc10_val.py [DEVICE] [OUT] [EPOCHS] [ONLY]     # e.g. cuda /tmp/r10 300

MNIST from $D3_DATA. The training data is `d3 bench --train_per_class 100`'s (100 random training images a class,
seed 0, then its 100-image validation split held out); the teacher, the experts and D3 at 10 IPC-eq are made with the
bench's default settings, and one student (seed 0, EPOCHS epochs, the protocol's) is trained on each of: all the
real images with the teacher's soft labels, 40 random real uint8 images a class (the bench's `random_u8` at these
bytes), all the real images with hard labels, and D3 after 200 iterations, after 0 (its autoencoder start), and after
200 from a longer autoencoder start (6,000 steps), each with its soft and with hard labels. Every accuracy is on 500
other training images of each class (5,000 images none of the runs trains on), never on the test split. ONLY: a
comma-separated list of row names to run (default: all). SMOKE=1 in the environment: toy settings (a check that the
script runs, not a measurement).
"""
import os, sys, time, torch
from pathlib import Path
from d3_nb.data import load_dataset
from d3_nb.bench import bench_data, bench_teacher, bench_d3, uint8_ipc
from d3_nb.baselines import random_real, random_real_soft, full_data
from d3_nb.evaluate import evaluate_student
dev = torch.device(sys.argv[1] if len(sys.argv) > 1 else 'cuda' if torch.cuda.is_available() else 'cpu')
out = Path(sys.argv[2] if len(sys.argv) > 2 else '/tmp/r10'); out.mkdir(parents=True, exist_ok=True)
EPOCHS = int(sys.argv[3]) if len(sys.argv) > 3 else 300
only = sys.argv[4].split(',') if len(sys.argv) > 4 else None
from singleton_spread import val_split  # the images sample_per_class(100, seed=0) leaves out, 500 a class
train = load_dataset('mnist')
rval = val_split(train)
small = train.sample_per_class(100, seed=0)
s = dict(experts=4, expert_epochs=8, steps_per_epoch=50, expert_width=64, expert_images=1000, teacher_epoch='val',
         teacher_epochs=20, teacher_width=128, prior_share=0.3, precision='int8', iterations=200, ae_steps=1500)
if os.environ.get('SMOKE'): s.update(iterations=1, ae_steps=10, experts=1, expert_epochs=2, steps_per_epoch=5, teacher_epochs=2)
fit, val, pool = bench_data(small, 5000, 1000)
t0 = time.time(); teacher = bench_teacher(out, fit, val, s, dev); print(f"teacher {time.time()-t0:.0f}s", flush=True)
def ev(name, src, **kw):
    if only and name.split()[0] not in only: return
    t = time.time()
    r = evaluate_student(src, rval, epochs=EPOCHS, seeds=(0,), device=dev, progress=False, **kw)
    print(f"| {name} | {100 * r.mean:.2f} | {time.time() - t:.0f} s |", flush=True)
n8 = uint8_ipc(10, 10, fit.shape)
ev('teacher_soft_all_real', random_real_soft(fit, min(fit.counts), teacher))
ev('u8_random_40', random_real(fit, n8, seed=0))
ev('all_real_hard', full_data(fit))
for variant in ({}, {'iterations': 0}, {'ae_steps': 20 if os.environ.get('SMOKE') else 6000}):
    t = time.time(); d, secs = bench_d3(out, fit, val, pool, teacher, 10, s, 1, variant, dev)
    tag = 'd3' + ''.join(f'_{k}{v}' for k, v in variant.items())
    print(f"{tag}: distilled in {time.time() - t:.0f}s; {d}", flush=True)
    ev(f'{tag} soft', d); ev(f'{tag} hard', d, labels='hard')
