"""Run every notebook in nbs/ through nbdev's test runner, one pytest test per notebook.

nbdev honours the `tst_flags` in settings.ini: cells flagged `slow` or `cuda` are skipped unless
`D3_TEST_FLAGS` names them (e.g. `D3_TEST_FLAGS="slow" pytest`), and `notest` cells never run.
"""
import os
from pathlib import Path
import pytest
import nbdev.test as nbt

ROOT = Path(__file__).resolve().parent.parent
NBS = sorted(p for p in (ROOT/'nbs').rglob('*.ipynb')
             if not any(part.startswith(('_', '.')) for part in p.relative_to(ROOT/'nbs').parts))
FLAGS = os.environ.get('D3_TEST_FLAGS', '').split()
# `D3_REAL_DATA_ONLY=1`: only the notebooks whose checks change when the real datasets are found (CI's second pass,
# after the whole suite ran on a fresh clone without them)
REAL_MARKS = ("dataset_available('mnist')", "os.environ.get('D3_DATA')")
if os.environ.get('D3_REAL_DATA_ONLY'): NBS = [p for p in NBS if any(m in p.read_text() for m in REAL_MARKS)]

@pytest.mark.parametrize('nb', NBS, ids=[str(p.relative_to(ROOT/'nbs')) for p in NBS])
def test_notebook(nb):
    skip = [f for f in nbt.get_config().tst_flags.split() if f not in FLAGS]
    ok, secs = nbt.test_nb(nb, skip_flags=skip, force_flags=FLAGS, do_print=False)
    assert ok, f"{nb.name} failed (see the traceback above)"

def test_real_datasets_found():
    "The notebooks check the full MNIST and Fashion-MNIST files only when they are found: a skip here says they were not."
    from d3_nb.data import dataset_available
    missing = [n for n in ('mnist', 'fashion_mnist') for s in ('train', 'test') if not dataset_available(n, s)]
    if missing: pytest.skip(f"real {sorted(set(missing))} not found (set D3_DATA to a folder holding MNIST/raw and "
                            "FashionMNIST/raw): their checks in the notebooks were skipped, the embedded slice was tested")
