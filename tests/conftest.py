import os
from pathlib import Path
# The shared real datasets sit beside the project root in development and CI; a user's D3_DATA wins.
_shared = Path(__file__).resolve().parent.parent.parent/'shared'/'data'
if 'D3_DATA' not in os.environ and _shared.exists(): os.environ['D3_DATA'] = str(_shared)
# Under pytest-xdist every worker runs whole notebooks: one torch thread each keeps the workers from fighting
# over the cores (set before any notebook imports torch).
if 'PYTEST_XDIST_WORKER' in os.environ:
    for _v in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ.setdefault(_v, '1')
