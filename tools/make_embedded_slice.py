"""Write the MNIST slice shipped in d3_nb/assets/ from the official MNIST files.

The slice is the first `n_train` images of each class of MNIST's training file and the first `n_test` of each class
of its test file, kept in file order, written as gzipped IDX files. The SHA-256 of each file's decompressed bytes is
printed: they must match `IDX_SHA256['embedded']` in nbs/01_data.ipynb.

    python tools/make_embedded_slice.py --root $D3_DATA
"""
import os
from pathlib import Path
from fastcore.script import call_parse
from d3_nb.data import IDX_SHA256, data_root, first_per_class
from d3_nb.formats import read_idx, write_idx

@call_parse
def main(root:str=None, # data root holding MNIST/raw/ (default: $D3_DATA)
         dest:str=str(Path(__file__).resolve().parent.parent/'d3_nb'/'assets'), # where to write the slice
         n_train:int=200, # images of each class from the training file
         n_test:int=100): # images of each class from the test file
    "Write the embedded MNIST slice and print the SHA-256 of each file's decompressed bytes."
    raw, dest = data_root(root)/'MNIST'/'raw', Path(dest)
    for part, n in (('train', n_train), ('t10k', n_test)):
        x, y = (read_idx(raw/f'{part}-{k}-ubyte.gz', IDX_SHA256['MNIST'][f'{part}-{k}-ubyte']) for k in ('images-idx3', 'labels-idx1'))
        idx = first_per_class(y, n)
        for k, arr in (('images-idx3', x[idx]), ('labels-idx1', y[idx])):
            name = f'mnist-slice-{part}-{k}-ubyte'
            sha = write_idx(dest/f'{name}.gz', arr)
            os.chmod(dest/f'{name}.gz', 0o644)  # package data: readable by everyone
            print(f"{sha}  {name}  {arr.shape}")
