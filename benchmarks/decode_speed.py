"""Generation speed of each decoder family: one batch of latents at once, or in slices.

    python benchmarks/decode_speed.py [--n 1020] [--d_z 16] [--shape 1 28 28] [--chunks 16 32 64 128]
                                      [--repeats 3] [--threads N] [--device cpu]

Decodes --n latents without gradients (what a student does every epoch with one sample per prior) with
`Decoder.__call__` on the whole batch and with `Decoder.generate(z, chunk)` for each chunk size; prints the best of
--repeats in milliseconds and the largest difference from the whole-batch images (0 with a per-sample norm).
`d3_nb.decoders.GENERATE_CHUNK` is the default slice on the CPU.
"""
import argparse, time
import torch
from d3_nb.core import default_device
from d3_nb.decoders import FAMILIES, make_decoder


def best_ms(fn, repeats:int) -> float:
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return 1000 * min(ts)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--n', type=int, default=1020); p.add_argument('--d_z', type=int, default=16)
    p.add_argument('--shape', type=int, nargs=3, default=[1, 28, 28])
    p.add_argument('--chunks', type=int, nargs='+', default=[16, 32, 64, 128])
    p.add_argument('--repeats', type=int, default=3); p.add_argument('--threads', type=int, default=None)
    p.add_argument('--device', default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    dev = default_device(a.device)
    z = torch.randn(a.n, a.d_z, generator=torch.Generator().manual_seed(0)).to(dev)
    print(f"{a.n} latents of d_z={a.d_z} -> {tuple(a.shape)}, {dev}, {torch.get_num_threads()} threads, best of {a.repeats} (ms)\n")
    print('| family | params | whole batch | ' + ' | '.join(f'slices of {c}' for c in a.chunks) + ' | max difference |')
    print('|---' * (len(a.chunks) + 4) + '|')
    for fam in [f for f in FAMILIES if f != 'large']:
        g = make_decoder(a.d_z, tuple(a.shape), fam).to(dev)
        with torch.no_grad(): whole = g(z)
        sync = (lambda: torch.cuda.synchronize()) if dev.type == 'cuda' else (lambda: None)
        t_whole = best_ms(lambda: (g.generate(z, chunk=len(z)), sync()), a.repeats)
        ts = [best_ms(lambda: (g.generate(z, chunk=c), sync()), a.repeats) for c in a.chunks]
        diff = max(float((g.generate(z, chunk=c) - whole).abs().max()) for c in a.chunks)
        n_params = sum(q.numel() for q in g.parameters())
        print(f"| {fam} | {n_params:,} | {t_whole:.0f} | " + ' | '.join(f'{t:.0f}' for t in ts) + f" | {diff:.1e} |")


if __name__ == '__main__': main()
