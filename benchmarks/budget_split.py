"""How D3 should split a budget between its decoder and its priors: validation accuracy of D3's start, per split.

    python benchmarks/budget_split.py --dataset fashion_mnist --budget 10 --prior_shares 0.3,0.5 --ae_steps 1500,4500

For each prior share (the part of the bytes the priors take, `budget_settings`), latent dimension and autoencoder
length, D3's start from the data (the autoencoder and the per-class clusters, no iterations, `distill(iterations=0)`)
is built at the budget on the bench's training split, in one subtask, and one student (seed 0, `--eval_epochs`
epochs on the mean images plus a fresh sample of every prior each epoch) is scored on the bench's validation split
(the 5,000 held-out training images `d3 bench` uses; never the test split). Each row prints the priors per class, the
decoder, the autoencoder's reconstruction error (normalised pixels), the validation accuracy and the seconds.
A short student ranks splits; it does not predict the protocol's 300-epoch accuracy, and a split with more priors
gives its short student more steps per epoch. Data from $D3_DATA; the experts are the bench's (pass `--experts`
to reuse a bench folder's). Rows already in OUT are read back, not rebuilt.
"""
import argparse, inspect, json, time
from pathlib import Path
import torch
from d3_nb.data import load_dataset
from d3_nb.bench import bench, bench_data
from d3_nb.experts import train_experts
from d3_nb.distill import distill
from d3_nb.settings import d3_settings

def floats(s): return [float(x) for x in s.split(',')]
def ints(s): return [int(x) for x in s.split(',')]

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('--dataset', default='fashion_mnist')
p.add_argument('--budget', type=float, default=10, help='images per class (fp32 convention)')
p.add_argument('--prior_shares', type=floats, default=[0.3, 0.5, 0.7])
p.add_argument('--d_z', type=ints, default=[16])
p.add_argument('--ae_steps', type=ints, default=[1500])
p.add_argument('--eval_epochs', type=int, default=30)
p.add_argument('--train_per_class', type=int, default=None, help="a class-balanced subset, as d3 bench's")
p.add_argument('--experts', default=None, help='experts folder (default: OUT/experts)')
p.add_argument('--out', default='budget_split')
p.add_argument('--threads', type=int, default=None)
a = p.parse_args()
bad = [x for x in a.prior_shares if not 0 < x < 1]
if bad: p.error(f"--prior_shares must lie strictly between 0 and 1, got {bad}")
if min(a.d_z + a.ae_steps) < 1 or a.eval_epochs < 1: p.error("--d_z, --ae_steps and --eval_epochs must be positive")
if a.threads: torch.set_num_threads(a.threads)
out = Path(a.out)
train = load_dataset(a.dataset)
if a.train_per_class: train = train.sample_per_class(a.train_per_class, seed=0)
B = {k: v.default for k, v in inspect.signature(bench).parameters.items()}  # d3 bench's defaults: its split, experts
fit, val, pool = bench_data(train, B['val_images'], B['expert_images'])
experts = train_experts(pool, a.experts or out/'experts', num_experts=B['experts'], epochs=B['expert_epochs'],
                        steps_per_epoch=B['steps_per_epoch'], net_kw=dict(width=B['expert_width']), seed=0,
                        progress=False, val=val)
print(f"{a.dataset}, {len(fit):,} training images, {len(val):,} validation, budget {a.budget:g} IPC-eq, "
      f"students of {a.eval_epochs} epochs\n")
print("| prior share | d_z | AE steps | priors per class | decoder | AE mse | val. acc. % | s |")
print("|---:|---:|---:|---:|---|---:|---:|---:|")
for dz in a.d_z:
    for steps in a.ae_steps:
        for share in a.prior_shares:
            kw = {**d3_settings(a.budget, fit.num_classes, fit.shape, B['expert_epochs'], max_lpc=min(fit.counts),
                                iterations=0, ae_steps=steps, prior_share=share, d_z=dz),
                  'keep_state': 'best', 'eval_every': 1, 'eval_epochs': a.eval_epochs}
            t0 = time.perf_counter()
            d = distill(fit, experts, out/f"ps{share:g}-dz{dz}-ae{steps}", val=val, progress=False,
                        num_classes=fit.num_classes, class_names=fit.classes, **kw)
            h = json.loads((out/f"ps{share:g}-dz{dz}-ae{steps}"/'history.json').read_text())
            mse = next(r['ae_mse'] for r in h if 'ae_mse' in r)
            print(f"| {share:g} | {dz} | {steps:,} | {kw['lpc']} | {kw['decoder']} x{kw['decoder_width']:g} | "
                  f"{mse:.4f} | {100 * d.config['kept']['val_acc']:.2f} | {d.config['distill_seconds']:.0f} |",
                  flush=True)
