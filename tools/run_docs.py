"""Run documentation notebooks and keep their outputs, so each shows what its prose talks about.

    python tools/run_docs.py                 # the API notebooks listed in DOC_NBS
    python tools/run_docs.py nbs/12_storage.ipynb ...

Cells run as the tests run them: those flagged `slow`, `cuda` or `notest` and `#| eval: false` cells are skipped and
keep no output. Progress widgets are dropped and any output over `MAX_OUTPUT` characters is cut, so the notebooks stay
small. Run it after changing a notebook whose outputs are kept, then `nbdev_clean`.
"""
import json, sys, time
from pathlib import Path
from fastcore.xtras import working_directory
from execnb.shell import CaptureShell
from nbdev.process import NBProcessor
from nbdev.frontmatter import FrontmatterProc

ROOT = Path(__file__).resolve().parent.parent
DOC_NBS = ['10_latents', '11_decoders', '12_storage', '13_artifact', '22_distill', '31_aggregate', '35_plan',
           '40_evaluate', '45_bench', '50_browse']
SKIP_FLAGS = {'slow', 'cuda', 'notest'}
MAX_OUTPUT = 200_000  # characters of one cell's outputs (a small PNG is ~30,000)
WIDGET = 'application/vnd.jupyter.widget-view+json'

def _skip(cell) -> bool:
    if cell.cell_type != 'code': return True
    direc = getattr(cell, 'directives_', {}) or {}
    return direc.get('eval:', [''])[0].lower() == 'false' or bool(SKIP_FLAGS & direc.keys())

def _keep(outputs:list) -> list:
    "The outputs worth storing: no progress widgets, no execution counts, and nothing huge."
    kept = []
    for o in outputs:
        o = dict(o)
        if WIDGET in o.get('data', {}): continue
        if 'execution_count' in o: o['execution_count'] = None
        kept.append(o)
    if len(json.dumps(kept)) > MAX_OUTPUT:
        kept = [dict(output_type='stream', name='stdout', text=[f"(output of {len(json.dumps(kept)):,} characters not kept)\n"])]
    return kept

def run_doc(path:Path) -> float:
    "Execute the notebook at `path` and write its outputs into it; returns the seconds it took."
    path, t0 = Path(path).resolve(), time.time()
    nb = NBProcessor(path, procs=FrontmatterProc, process=True).nb
    with working_directory(path.parent): CaptureShell(path).run_all(nb, exc_stop=True, preproc=_skip)
    outs = {c.get('id'): c.get('outputs', []) for c in nb.cells if c.cell_type == 'code'}
    raw = json.loads(path.read_text())
    for c in raw['cells']:
        if c['cell_type'] == 'code': c['outputs'], c['execution_count'] = _keep(outs.get(c.get('id'), [])), None
    path.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + '\n')
    return time.time() - t0

if __name__ == '__main__':
    for p in sys.argv[1:] or [ROOT/'nbs'/f'{n}.ipynb' for n in DOC_NBS]: print(f"{p}: {run_doc(Path(p)):.0f} s", flush=True)
