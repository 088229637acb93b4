"""Run notebooks as their tests do and keep in them the outputs a reader checks: reprs, tables, figures, printed text.

    python tools/run_docs.py nbs/01_data.ipynb nbs/20_experts.ipynb   # or no argument: every notebook

Cells flagged `slow`, `cuda` or `notest` are not run and keep what they hold. Of a run cell only its results, displays
and standard output are kept (never stderr: progress bars and logs), temporary paths are shortened, and an output too
large to read is cut. What differs from run to run (temporary folders, process ids, clock times) is written the same
way every time, so a rerun changes only what the code changed. Run `nbdev_clean` afterwards, as before any commit.
"""
import argparse, json, os, re, sys, time
from pathlib import Path
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.process import NBProcessor
from nbdev.frontmatter import FrontmatterProc

ROOT = Path(__file__).resolve().parent.parent
SKIP = {'slow', 'cuda', 'notest'}
KEEP_DATA = ('text/plain', 'text/markdown', 'text/html', 'image/png')
MAX_TEXT, MAX_PNG = 6000, 300_000  # characters of text, bytes of base64 PNG

RUN_TO_RUN = [(r'/tmp/tmp[\w.-]+', '/tmp/...'), (r'\bpid \d+', 'pid 12345'),
              (r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00', '2026-01-01T00:00:00+00:00')]

def scrub(text:str) -> str:
    "What changes from run to run (`RUN_TO_RUN`) written one way; the text cut to `MAX_TEXT` characters."
    for pattern, same in RUN_TO_RUN: text = re.sub(pattern, same, text)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + '\n...\n'

def kept(outputs:list) -> list:
    "The outputs of one cell a reader wants: results and displays (text, tables, PNGs) and stdout."
    out = []
    for o in outputs:
        o = dict(o)
        if o.get('output_type') == 'stream':
            if o.get('name') == 'stdout' and ''.join(o['text']).strip():
                out.append(dict(name='stdout', output_type='stream', text=scrub(''.join(o['text'])).splitlines(True)))
        elif o.get('output_type') in ('execute_result', 'display_data'):
            data = {k: v for k, v in o.get('data', {}).items() if k in KEEP_DATA}
            if 'image/png' in data and len(data['image/png']) > MAX_PNG: data.pop('image/png')
            data = {k: (v if k == 'image/png' else scrub(''.join(v)).splitlines(True)) for k, v in data.items()}
            if set(data) - {'text/plain'} or (data.get('text/plain') and not ''.join(data['text/plain']).startswith('<')):
                rec = dict(data=data, metadata={}, output_type=o['output_type'])
                if o['output_type'] == 'execute_result': rec['execution_count'] = None
                out.append(rec)
    return out

def run(path:Path) -> dict:
    "`{cell id: outputs}` of the cells of `path` that a test run executes."
    nb = NBProcessor(path, procs=FrontmatterProc, process=True).nb
    def no_eval(cell):
        if cell.cell_type != 'code': return True
        d = getattr(cell, 'directives_', {}) or {}
        return d.get('eval:', [''])[0].lower() == 'false' or bool(SKIP & d.keys())
    shell = CaptureShell(path)
    with working_directory(path.parent): shell.run_all(nb, exc_stop=True, preproc=no_eval)
    return {c.id: kept(c.get('outputs', [])) for c in nb.cells if c.cell_type == 'code' and not no_eval(c)}

def fill(path:Path) -> tuple:
    "Write the kept outputs into the notebook `path`; `(cells with outputs, code cells)`."
    outs = run(path)
    raw = json.loads(path.read_text())
    for c in raw['cells']:
        if c['cell_type'] == 'code' and c.get('id') in outs: c['outputs'] = outs[c['id']]
    path.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + '\n')
    code = [c for c in raw['cells'] if c['cell_type'] == 'code']
    return sum(bool(c.get('outputs')) for c in code), len(code)

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('notebooks', nargs='*', help='notebooks to fill (default: every notebook under nbs/)')
    a = p.parse_args()
    os.environ['IN_TEST'] = '1'
    paths = [Path(n).resolve() for n in a.notebooks] or sorted((ROOT/'nbs').rglob('*.ipynb'))
    for f in paths:
        t = time.time()
        try: n, total = fill(f)
        except Exception as e: print(f"{f.relative_to(ROOT)}: failed ({type(e).__name__}: {e}); left as it was"); continue
        print(f"{f.relative_to(ROOT)}: {n} of {total} code cells with outputs ({time.time() - t:.0f} s)")
