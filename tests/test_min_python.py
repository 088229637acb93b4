"""The oldest Python that settings.ini promises (`min_python`) can run d3_nb: no newer-only module, syntax or call."""
import shutil, subprocess, sys
from configparser import ConfigParser
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
MIN_PY = cfg['DEFAULT']['min_python']
CODE = ['d3_nb', 'tools', 'benchmarks', 'tests']

def test_no_newer_python_needed():
    "vermin finds every module, function and syntax that needs a Python newer than `min_python`."
    vermin = Path(sys.executable).parent/'vermin'  # installed with the dev tools
    r = subprocess.run([str(vermin), f'-t={MIN_PY}-', '--violations', '--no-tips', '--eval-annotations',
                        *CODE], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, f"code needs a Python newer than min_python={MIN_PY}:\n{r.stdout}{r.stderr}"

def test_parses_on_min_python():
    "The oldest promised interpreter, when this machine has one, parses every file of the package."
    found = [*sorted(Path.home().glob(f'.pyenv/versions/{MIN_PY}.*/bin/python3')), shutil.which(f'python{MIN_PY}')]
    works = lambda e: e and subprocess.run([str(e), '-c', 'pass'], capture_output=True).returncode == 0  # not a dead shim
    exe = next((e for e in found if works(e)), None)
    if exe is None: pytest.skip(f"no Python {MIN_PY} interpreter on this machine to parse the package with")
    src = "import ast, pathlib, sys; [ast.parse(p.read_text(), str(p)) for d in sys.argv[1:] for p in pathlib.Path(d).rglob('*.py')]"
    r = subprocess.run([str(exe), '-c', src, *CODE], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
