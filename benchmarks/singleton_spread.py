"""How wide a one-image prior should be: D3 at 10 IPC-eq on 100 MNIST images per class, judged on a validation split.

    python benchmarks/singleton_spread.py [OUT] [EPOCHS] [RULES]      # e.g. /tmp/spread 150 u8,class,0.25,0.5,0.75,1

MNIST from $D3_DATA. The data, teacher, experts and D3 settings are `d3 bench --train_per_class 100`'s (100 random
training images a class, seed 0, its validation split held out). D3 at 10 IPC-eq there has lpc 90 (the fewest images
of a class), so nearly every prior is one image's code. The script distils its autoencoder start (iterations 0),
then gives every prior the variance of each rule in turn: `class`, the variance of its class's codes (what a
one-image cluster got before `singleton_var`), or a number r, `singleton_var`'s isotropic variance reaching r of the
way to the nearest other code of the class. For each it prints how many of three draws of samples the teacher
classifies as their prior's class, and the accuracy of one student (seed 0, EPOCHS epochs, soft labels) on 500 other
training images of each class (5,000 images no run trains on), never on the test split. The rule `u8` is the
baseline at the same bytes: the bench's `random_u8` (40 random real uint8 images a class, hard labels), same student.
"""
import sys, time, torch
from pathlib import Path
from d3_nb.data import load_dataset
from d3_nb.bench import bench_data, bench_teacher, bench_d3, uint8_ipc
from d3_nb.baselines import random_real
from d3_nb.autoencoder import singleton_var
from d3_nb.evaluate import evaluate_student

def val_split(train, per_class=500):
    "`per_class` training images of each class that `sample_per_class(100, seed=0)` leaves out."
    g, idx = torch.Generator().manual_seed(0), []
    for grp in train._by_class():
        p = torch.randperm(len(grp), generator=g); idx.append(grp[p[100:100 + per_class]])
    return train._take(torch.cat(idx), 'val')

def rule_logvar(pr, rule):
    "Log-variances of `pr`'s priors under `rule`, each prior taken as one image's code."
    mu, lab, lv = pr.mu.detach(), pr.labels, torch.empty_like(pr.logvar)
    for c in lab.unique():
        m = lab == c
        if rule == 'class': v = mu[m].var(0, unbiased=False).expand(int(m.sum()), -1)
        else: v = singleton_var(mu[m], mu[m], torch.arange(int(m.sum())), float(rule))[:, None].expand(-1, mu.shape[1])
        lv[m] = v.clamp_min(torch.e ** -6).log()
    return lv

def _positive(r:str) -> bool:
    try: return float(r) > 0
    except ValueError: return False

def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else '/tmp/spread'); out.mkdir(parents=True, exist_ok=True)
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    rules = (sys.argv[3] if len(sys.argv) > 3 else 'u8,class,0.25,0.5,0.75,1').split(',')
    bad = [r for r in rules if r not in ('u8', 'class') and not _positive(r)]
    if bad: sys.exit(f"RULES are u8, class or positive numbers (a reach), comma-separated; got {bad[0]!r}")
    train = load_dataset('mnist')
    rval, small = val_split(train), train.sample_per_class(100, seed=0)
    s = dict(experts=4, expert_epochs=8, steps_per_epoch=50, expert_width=64, expert_images=1000, teacher_epoch='val',
             teacher_epochs=20, teacher_width=128, prior_share=0.3, precision='int8', iterations=0, ae_steps=1500)
    fit, val, pool = bench_data(small, 5000, 1000)
    teacher = bench_teacher(out, fit, val, s, None)
    d, _ = bench_d3(out, fit, val, pool, teacher, 10, s)
    pr = d.priors[0]
    print(f"D3 autoencoder start: lpc {pr.lpc}, d_z {pr.d_z}; student {epochs} epochs, seed 0\n")
    print("| one-image prior variance | teacher agrees with samples | validation accuracy | student seconds |\n"
          "|---|---:|---:|---:|")
    for rule in rules:
        if rule == 'u8':
            t = time.time()
            r = evaluate_student(random_real(fit, uint8_ipc(10, 10, fit.shape), seed=0), rval, epochs=epochs, seeds=(0,),
                                 progress=False)
            print(f"| random real uint8 at the same bytes | – | {100 * r.mean:.2f} | {time.time() - t:.0f} |", flush=True)
            continue
        with torch.no_grad(): pr.logvar.copy_(rule_logvar(pr, rule))
        agree = []
        for k in range(3):
            xs, ys = d.sample(1, generator=torch.Generator().manual_seed(k))
            with torch.no_grad(): agree.append((teacher.net(xs).argmax(1) == (ys.argmax(1) if ys.ndim > 1 else ys)).float().mean().item())
        t = time.time()
        r = evaluate_student(d, rval, epochs=epochs, seeds=(0,), progress=False)
        name = "the class's spread" if rule == 'class' else f"singleton_var, reach {rule}"
        print(f"| {name} | {100 * sum(agree) / 3:.1f} % | {100 * r.mean:.2f} | {time.time() - t:.0f} |", flush=True)

if __name__ == '__main__': main()
