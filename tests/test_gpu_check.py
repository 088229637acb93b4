"""tools/gpu_check.sh, the one-shot GPU check, runs every step at toy sizes on the CPU and prints its table."""
import os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def test_gpu_check_tiny_on_cpu(tmp_path):
    env = {**os.environ, 'PATH': f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    r = subprocess.run(['bash', str(ROOT/'tools'/'gpu_check.sh'), '--device', 'cpu', '--tiny', '--iterations', '1',
                        '--work', str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    table = r.stdout.split('d3_nb GPU check on')[-1]  # the last table: the check's own (the run prints its result too)
    rows = [l for l in table.splitlines() if l.startswith('| ') and not l.startswith('| check')]
    status = {l.split(' | ')[0][2:]: l.split(' | ')[1] for l in rows}
    assert status == {'cuda cells': 'not run', 'speed imagenet64-ipc1': 'ok', 'speed imagenet64-ipc2': 'ok',
                      'speed imagenet64-ipc10': 'ok', 'resume bit-exact (deterministic)': 'ok',
                      'MNIST run + student': 'ok', 'torchrun subtasks': 'ok'}, status
    assert 's/iteration' in r.stdout and 'images/s' in r.stdout
    assert (tmp_path/'torchrun'/'subtask_00'/'subtask.safetensors').is_file()  # --work keeps the runs

def test_gpu_check_refuses_cuda_without_a_gpu():
    import torch
    if torch.cuda.is_available(): return  # on a GPU machine the full check is what tools/gpu_check.sh runs
    r = subprocess.run(['bash', str(ROOT/'tools'/'gpu_check.sh')], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and 'no CUDA device here' in r.stderr, r.stderr

def test_gpu_check_only_must_match_a_check():
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'gpu_check.py'), '--device', 'cpu', '--only', 'nonesuch'],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--only 'nonesuch' matches none of the checks: cuda cells" in r.stderr, r.stderr
    assert '| check |' not in r.stdout  # no empty table
