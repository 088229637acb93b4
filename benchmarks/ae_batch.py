"""The autoencoder start at equal images, in steps of 64 or of 128: reconstruction of digits it never saw, and time.

    D3_DATA=/path/to/data python benchmarks/ae_batch.py [--runs steps:batch,...]

Trains the start's decoder (the `d3 run` default's: small family, width 0.5, d_z 16) on the embedded slice's 2,000
training digits and prints a Markdown table: steps, batch, images seen, seconds, the last training MSE, and the mean
squared error (normalised pixels) of reconstructions of 2,000 MNIST training digits outside the slice. It needs the
full MNIST files (`D3_DATA`) for those held-out digits; the slice's test split is never used.
"""
import argparse, hashlib, os, platform, time
import torch
from d3_nb.data import load_dataset
from d3_nb.autoencoder import pretrain_autoencoder, encode
from d3_nb.decoders import Decoder

def held_out(train, n:int=2000, seed:int=0):
    "`n` MNIST training digits whose bytes are not among `train`'s images."
    full = load_dataset('mnist', split='train')
    seen = {hashlib.sha1(x.numpy().tobytes()).hexdigest() for x in train.images}
    keep = [i for i in range(len(full)) if hashlib.sha1(full.images[i].numpy().tobytes()).hexdigest() not in seen]
    idx = torch.tensor(keep)[torch.randperm(len(keep), generator=torch.Generator().manual_seed(seed))[:n]]
    return full._take(idx, 'val')

def one(train, val, steps:int, batch:int) -> dict:
    "Train a fresh start of `steps` steps of `batch` images; its time and its errors."
    torch.manual_seed(0)
    dec = Decoder(d_z=16, out_shape=train.shape, family='small', width=0.5, mean=train.mean, std=train.std)
    t0 = time.perf_counter()
    enc, hist = pretrain_autoencoder(train, dec, steps=steps, batch_size=batch, progress=False)
    secs = time.perf_counter() - t0
    with torch.no_grad():
        x = val.normalized(val.images, 'cpu')
        mse = ((dec.eval()(encode(enc, x)) - x) ** 2).mean().item()
    return dict(steps=steps, batch=batch, seconds=secs, train=hist['mse'][-1], val=mse)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--runs', default='500:128,1000:64,1000:128', help='steps:batch pairs')
    a = p.parse_args()
    train = load_dataset('embedded', split='train')
    val = held_out(train)
    rows = [one(train, val, *map(int, r.split(':'))) for r in a.runs.split(',')]
    print(f"embedded slice ({len(train):,} digits), held-out MNIST digits: {len(val):,}; {os.cpu_count()} cores "
          f"({platform.machine()}), torch threads: {torch.get_num_threads()}\n")
    print("| steps | batch | images seen | seconds | train MSE | held-out MSE |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['steps']:,} | {r['batch']} | {r['steps'] * r['batch']:,} | {r['seconds']:.0f} | {r['train']:.4f} "
              f"| {r['val']:.4f} |")
