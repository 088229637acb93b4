"""The training loop on full MNIST: ConvNet-3 (width 128, instance norm), 2 epochs, official test split.

    python benchmarks/mnist_convnet.py [--epochs 2] [--device cpu]

Prints test accuracy and seconds per epoch; the `slow` cell of nbs/04_train.ipynb asserts the same run reaches 98%.
"""
import argparse, torch
from d3_nb.data import load_dataset
from d3_nb.nets import ConvNet
from d3_nb.train import train, evaluate

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument('--epochs', type=int, default=2); p.add_argument('--device', default=None)
a = p.parse_args()
tr, te = load_dataset('mnist'), load_dataset('mnist', split='test')
torch.manual_seed(0)
net = ConvNet(1, 10, width=128, depth=3, im_size=28)
hist = train(net, tr.tensors(a.device), epochs=a.epochs, lr=0.01, decay_at=None, device=a.device, progress=False)
acc = evaluate(net, *te.tensors(a.device))
print(f"| epochs | test accuracy | seconds per epoch | threads |\n|---|---|---|---|\n"
      f"| {a.epochs} | {100 * acc:.2f}% | {', '.join(f'{s:.0f}' for s in hist['seconds'])} | {torch.get_num_threads()} |")
