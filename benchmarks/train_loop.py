"""Throughput of d3_nb's training loop next to a bare forward+backward+step loop on the same net and batches.

    python benchmarks/train_loop.py [--width 128] [--depth 3] [--batch 256] [--images 2048] [--repeats 3] [--device cpu]

Prints a table: images/s of each loop (best of --repeats) and the loop's overhead in percent. The third row is a
D3 student as `d3_nb.evaluate` trains it: each epoch decodes every prior's mean image and one fresh sample per prior
(a medium decoder, lpc chosen so that an epoch has --images images), so its cost includes the decoding.
"""
import argparse, time
import torch
from d3_nb.core import default_device
from d3_nb.data import load_dataset
from d3_nb.nets import ConvNet
from d3_nb.train import train, soft_cross_entropy
from d3_nb.latents import LatentPriors
from d3_nb.decoders import make_decoder
from d3_nb.artifact import Distilled
from d3_nb.evaluate import student_data

def bare(net, x, y, batch, dev):
    "The least a training epoch can do: forward, loss, backward, step, with data already on the device."
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    for i in range(0, len(x), batch):
        out = net(x[i:i+batch]); loss = soft_cross_entropy(out, y[i:i+batch])
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    if dev.type == 'cuda': torch.cuda.synchronize()

def timed(fn):
    t0 = time.perf_counter(); fn(); return time.perf_counter() - t0

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--width', type=int, default=128); p.add_argument('--depth', type=int, default=3)
    p.add_argument('--batch', type=int, default=256); p.add_argument('--images', type=int, default=2048)
    p.add_argument('--repeats', type=int, default=3); p.add_argument('--device', default=None)
    a = p.parse_args()
    dev = default_device(a.device)
    x, y = load_dataset('embedded').tensors()
    x, y = x[:a.images].to(dev), y[:a.images].to(dev)
    net = ConvNet(1, 10, width=a.width, depth=a.depth, im_size=28).to(dev)
    bare(net, x[:a.batch], y[:a.batch], a.batch, dev)  # warm-up
    data = load_dataset('embedded')
    d3 = Distilled(LatentPriors(10, max(1, a.images // 20), 16), make_decoder(16, (1, 28, 28), 'medium', mean=data.mean, std=data.std)).to(dev)
    src = student_data(d3, 0, dev)  # as in evaluate_student: mean images decoded once, samples every epoch
    t_bare, t_loop, t_d3 = [], [], []
    for _ in range(a.repeats):  # interleaved, so drifting machine load hits all alike
        t_bare.append(timed(lambda: bare(net, x, y, a.batch, dev)))
        t_loop.append(timed(lambda: train(net, (x, y), epochs=1, batch_size=a.batch, progress=False, device=dev)))
        t_d3.append(timed(lambda: train(net, src, epochs=1, batch_size=a.batch, progress=False, device=dev)))
    ips_bare, ips_loop, ips_d3 = len(x) / min(t_bare), len(x) / min(t_loop), 2 * len(d3) / min(t_d3)
    print(f"ConvNet-{a.depth} width {a.width}, batch {a.batch}, {len(x)} MNIST images, {dev}, "
          f"{torch.get_num_threads()} threads, best of {a.repeats}")
    print(f"| loop | images/s |\n|---|---|\n| bare forward+backward+step | {ips_bare:.0f} |\n| d3_nb.train.train | {ips_loop:.0f} |\n"
          f"| d3_nb.train.train, D3 student ({len(d3)} priors decoded every epoch) | {ips_d3:.0f} |")
    print(f"overhead of d3_nb.train.train: {100 * (ips_bare / ips_loop - 1):.1f}%; "
          f"of a D3 student, decoding included: {100 * (ips_bare / ips_d3 - 1):.1f}%")

if __name__ == '__main__': main()
