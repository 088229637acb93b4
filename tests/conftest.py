import os
from pathlib import Path
# The shared real datasets sit beside the project root in development and CI; a user's D3_DATA wins.
_shared = Path(__file__).resolve().parent.parent.parent/'shared'/'data'
if 'D3_DATA' not in os.environ and _shared.exists(): os.environ['D3_DATA'] = str(_shared)
