"""The floating-point rate one CPU thread reaches on the ConvNet's 128-channel 3x3 convolutions: a ceiling to hold
a whole distillation iteration's GFLOP/s against.

    python benchmarks/conv_rate.py [--threads 1]

For 100 images of 128 channels at 16x16 and 8x8 (the second and third blocks of ConvNet-3 on 32x32 images), in the
default (NCHW) and channels-last layouts: the forward convolution and the two halves of its backward (the input's
and the weights' gradients), best of 5 after one warm-up, process CPU time, 2 x 128 x 128 x 9 x H x W x 100
operations each.
"""
import argparse, time

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--threads', type=int, default=1)
    a = p.parse_args()
    import torch, torch.nn.functional as F
    torch.set_num_threads(a.threads)
    bwd = torch.ops.aten.convolution_backward
    def best(f, n=5):
        f(); ts = []
        for _ in range(n):
            t0 = time.process_time(); f(); ts.append(time.process_time() - t0)
        return min(ts)
    print(f"GFLOP/s of a 3x3 convolution, 128 -> 128 channels, batch 100, {a.threads} thread(s)\n")
    print("| map | layout | forward | input gradient | weight gradient |\n|---|---|---:|---:|---:|")
    for H in (16, 8):
        for layout in (torch.contiguous_format, torch.channels_last):
            x = torch.randn(100, 128, H, H).contiguous(memory_format=layout)
            w = torch.randn(128, 128, 3, 3).contiguous(memory_format=layout)
            b = torch.randn(128)
            dy = torch.randn_like(F.conv2d(x, w, b, padding=1))
            gflop = 2 * 100 * 128 * 128 * 9 * H * H / 1e9
            cfg = ([128], [1, 1], [1, 1], [1, 1], False, [0, 0], 1)
            rates = [gflop / best(f) for f in (lambda: F.conv2d(x, w, b, padding=1),
                                               lambda: bwd(dy, x, w, *cfg, [True, False, False]),
                                               lambda: bwd(dy, x, w, *cfg, [False, True, True]))]
            name = 'NCHW' if layout is torch.contiguous_format else 'channels last'
            print(f"| {H}x{H} | {name} | " + ' | '.join(f"{r:.0f}" for r in rates) + ' |', flush=True)

if __name__ == '__main__': main()
