"""D3's recipe on a validation split: one distillation at a budget, students measured on held-out training images.

    python benchmarks/d3_recipe.py --dataset mnist --ipc 1 --lpc 10 --precision fp16 --epochs 200
    python benchmarks/d3_recipe.py --dataset mnist --baseline 4 --epochs 200      # random real uint8, 4 per class

The split is the benchmark's (`bench_data`: a validation split held out of the training data, the experts' and the
teacher's pool of 1,000 images per class); the test split is never read. The global teacher (ConvNet width 64, the
validation rule) and two experts are cached in OUT/DATASET. Prints one RESULT line: validation accuracy of one
student seed, the stored bytes, the decoder the budget bought, and the seconds.
"""
import argparse, time
from pathlib import Path
import torch
from d3_nb.data import load_dataset
from d3_nb.bench import bench_data, _upto
from d3_nb.teacher import train_teacher, Teacher
from d3_nb.experts import train_experts
from d3_nb.distill import distill
from d3_nb.aggregate import aggregate
from d3_nb.evaluate import evaluate_student
from d3_nb.baselines import random_real

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dataset', default='mnist'); p.add_argument('--out', default='runs/recipe')
    p.add_argument('--ipc', type=float, default=1); p.add_argument('--lpc', type=int, default=10)
    p.add_argument('--d_z', type=int, default=16); p.add_argument('--decoder', default='auto')
    p.add_argument('--precision', default='fp16'); p.add_argument('--init', default='ae')
    p.add_argument('--iterations', type=int, default=0); p.add_argument('--mtt', type=int, default=0)
    p.add_argument('--labels', default='soft'); p.add_argument('--ae_steps', type=int, default=1500)
    p.add_argument('--epochs', type=int, default=200); p.add_argument('--per_class', type=int, default=0)
    p.add_argument('--baseline', type=int, default=0); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--lr_decoder', type=float, default=1e-4); p.add_argument('--lr_latent', type=float, default=0.01)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    root = Path(a.out)/(a.dataset + (f'_{a.per_class}' if a.per_class else '')); root.mkdir(parents=True, exist_ok=True)
    train = load_dataset(a.dataset)
    if a.per_class: train = train.sample_per_class(a.per_class, seed=0)
    fit, val, pool = bench_data(train, 5000, 1000)
    t0 = time.time()
    if a.baseline:
        r = evaluate_student(random_real(fit, a.baseline, seed=0), val, epochs=a.epochs, seeds=(0,), progress=False)
        print(f"RESULT random real uint8, {a.baseline} per class, {a.epochs} epochs: val {100 * r.mean:.2f} % | "
              f"{r.storage['bytes']:,} B | {time.time() - t0:.0f} s")
        return
    tf = root/'teacher.safetensors'
    if tf.exists(): teacher = Teacher.load(tf, device='cpu')
    else: teacher = train_teacher(_upto(fit, 1000, seed=1), val=val, width=64, progress=False); teacher.save(tf)
    experts = train_experts(pool, root/'experts', num_experts=2, epochs=6, net_kw=dict(width=64), progress=False, val=val)
    name = (f"ipc{a.ipc:g}-lpc{a.lpc}-dz{a.d_z}-{a.decoder}-{a.precision}-{a.init}-it{a.iterations}-mtt{a.mtt}"
            f"-ae{a.ae_steps}-lrd{a.lr_decoder}-lrl{a.lr_latent}")
    t1 = time.time()
    distill(fit, experts, root/name, progress=False, num_classes=fit.num_classes, class_names=fit.classes, init=a.init,
            ae_steps=a.ae_steps, budget_ipc=a.ipc, precision=a.precision, lpc=a.lpc, d_z=a.d_z, decoder=a.decoder,
            iterations=a.iterations, mtt=bool(a.mtt), mmd=True, max_start_epoch=3, lr_decoder=a.lr_decoder,
            lr_latent=a.lr_latent, batch_syn=min(256, a.lpc * fit.num_classes))
    secs = time.time() - t1
    d = aggregate([root/name/'subtask.safetensors'], teacher=teacher if a.labels == 'soft' else None,
                  num_classes=fit.num_classes, class_names=fit.classes, out=root/name/f'distilled-{a.labels}.safetensors')
    st = d.storage()
    r = evaluate_student(d, val, epochs=a.epochs, seeds=(0,), progress=False)
    print(f"RESULT {name} {a.labels}, {a.epochs} epochs: val {100 * r.mean:.2f} % | {st.bytes:,} B = "
          f"{st.ipc_at('fp32'):.2f} IPC-eq | {d.decoders[0]} | {len(d)} priors | distill {secs:.0f} s, "
          f"student {r.compute['student_seconds'][0]:.0f} s", flush=True)

if __name__ == '__main__': main()
