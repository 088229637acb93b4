#!/usr/bin/env python
"""Screenshot of the d3_nb sample browser (`d3_nb.browse.browse`) live in JupyterLab, rendered by a real browser.

The script writes a small notebook into a temporary folder that loads a distilled dataset and real images of the
same classes and displays `browse(distilled, real)`; it starts `jupyter lab` on that folder, opens the notebook in
Debian's chromium driven by Playwright (headless), runs all cells from the Run menu, waits for the widget's images,
changes the class dropdown once and waits for the re-render, checks that the widget really rendered (its <img>
elements and its class control are on the page, the info line names the new class, no error output) and saves a PNG
of the page. It exits non-zero with a message saying what is missing when the widget did not render. The server
(and its kernel) and the browser are always shut down at the end.

Install (outside the project's own .venv; Playwright's own browser download is NOT used):

    apt-get install -y chromium                       # Debian's chromium: /usr/bin/chromium
    python3 -m venv /work/pwvenv
    /work/pwvenv/bin/pip install jupyterlab ipywidgets playwright
    /work/pwvenv/bin/pip install torch==2.14.1 torchvision==0.29.1
    /work/pwvenv/bin/pip install -e .            # from the repository root

Run (from the repository root):

    export D3_DATA=/work/shared/data
    /work/pwvenv/bin/python tools/browser_screenshot.py                 # runs/mnist/ipc10/distilled.safetensors if present
    /work/pwvenv/bin/python tools/browser_screenshot.py PATH.safetensors --real fashion_mnist --out shot.png
    /work/pwvenv/bin/python tools/browser_screenshot.py --tiny --out /tmp/tiny.png   # no artifact needed

It prints what it saw (class options, the class chosen, the widget's info line) and the PNG's size. On failure it
exits 1, prints the notebook's error or what it waited for, the tail of the jupyter log, and saves the page at that
moment (--fail-png, default /tmp/browser_screenshot_failure.png).

With --tiny, or without an artifact (none given and the default one absent), the notebook builds a tiny untrained
`Distilled` from the embedded MNIST slice, as nbs/50_browse.ipynb does. Real images come from `load_dataset(REAL, split='test')`
(REAL: `--real`, else the dataset the artifact's teacher was trained on, else 'mnist'); when that cannot be loaded
(no D3_DATA) the embedded MNIST slice is used. Default output: nbs/images/browser_jupyterlab.png.
"""
from __future__ import annotations
import argparse, json, os, secrets, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ARTIFACT = REPO/'runs'/'mnist'/'ipc10'/'distilled.safetensors'
DEFAULT_OUT = REPO/'nbs'/'images'/'browser_jupyterlab.png'
NB_NAME = 'browse_demo.ipynb'

# --- the notebook ----------------------------------------------------------------------------------------------

LOAD_ARTIFACT = """\
ds = Distilled.load({path!r})
real_name = {real}"""

TINY_ARTIFACT = """\
# no artifact given: a tiny untrained one, built as in nbs/50_browse.ipynb
from d3_nb.latents import LatentPriors
from d3_nb.decoders import Decoder
from d3_nb.testing import tiny_data
from d3_nb.aggregate import concat_subtasks
data = tiny_data()
def _part(classes, lpc, seed):
    sub = tiny_data(classes=tuple(classes))
    pri = LatentPriors.from_data(sub.images, sub.labels, lpc, d_z=8, seed=seed)
    torch.manual_seed(seed)
    return Distilled(pri, Decoder(8, data.shape, 'tiny', mean=data.mean, std=data.std), [classes], num_classes=10,
                     class_names=data.classes)
ds = concat_subtasks([_part([0, 1, 2, 3, 4], 2, 0), _part([5, 6, 7, 8, 9], 3, 1)])
real_name = {real}"""

SETUP = """\
import torch
torch.set_num_threads(1)
from d3_nb.core import D3Error
from d3_nb.data import load_dataset
from d3_nb.artifact import Distilled
from d3_nb.browse import browse
{load}
try: real = load_dataset(real_name, split='test')
except D3Error as e:  # no D3_DATA: the embedded MNIST slice
    print(f"{{real_name}} not available ({{e}}); using the embedded slice"); real = load_dataset('embedded', split='test')
print(ds)"""

SHOW = "b = browse(ds, real)\nb"


def make_notebook(folder:Path, artifact:Path|None, real:str|None) -> Path:
    "Write the demo notebook into `folder` and return its path."
    if real: real = repr(real)
    else: real = "(ds.config.get('aggregate', {}).get('teacher') or {}).get('dataset', 'mnist')" if artifact else "'mnist'"
    load = LOAD_ARTIFACT.format(path=str(artifact), real=real) if artifact else TINY_ARTIFACT.format(real=real)
    cell = lambda src: {'cell_type': 'code', 'execution_count': None, 'id': secrets.token_hex(4), 'metadata': {},
                        'outputs': [], 'source': src}
    nb = {'cells': [cell(SETUP.format(load=load)), cell(SHOW)],
          'metadata': {'kernelspec': {'display_name': 'Python 3 (ipykernel)', 'language': 'python', 'name': 'python3'},
                       'language_info': {'name': 'python'}},
          'nbformat': 4, 'nbformat_minor': 5}
    p = folder/NB_NAME
    p.write_text(json.dumps(nb, indent=1))
    return p

# --- the server ------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def start_lab(folder:Path, port:int, token:str, log) -> subprocess.Popen:
    "Start `jupyter lab` on `folder` with its config, data, runtime and settings dirs inside `folder`."
    home = folder/'.jupyter'
    settings = home/'lab'/'user-settings'/'@jupyterlab'/'apputils-extension'
    settings.mkdir(parents=True)
    (settings/'notification.jupyterlab-settings').write_text(json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home/'config'), JUPYTER_DATA_DIR=str(home/'data'),
               JUPYTER_RUNTIME_DIR=str(home/'runtime'), JUPYTERLAB_SETTINGS_DIR=str(home/'lab'/'user-settings'),
               JUPYTERLAB_WORKSPACES_DIR=str(home/'lab'/'workspaces'), OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    cmd = [sys.executable, '-m', 'jupyter', 'lab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
           f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={folder}', '--ServerApp.open_browser=False',
           '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
    if hasattr(os, 'geteuid') and os.geteuid() == 0: cmd.append('--allow-root')  # e.g. in a container
    # own session, so that the server and its kernel can be stopped together by their process group
    return subprocess.Popen(cmd, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_server(proc:subprocess.Popen, port:int, token:str, timeout:float=120):
    url, t0 = f'http://127.0.0.1:{port}/api/status?token={token}', time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None: raise RuntimeError(f"jupyter lab exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200: return
        except OSError: pass
        time.sleep(0.5)
    raise RuntimeError(f"jupyter lab did not answer on port {port} within {timeout:.0f} s")


def stop_lab(proc:subprocess.Popen):
    "SIGTERM the server's process group (server and kernel), then SIGKILL whatever is left."
    if proc is None: return
    try: pgid = os.getpgid(proc.pid)
    except ProcessLookupError: return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try: os.killpg(pgid, sig)
        except ProcessLookupError: return
        try: proc.wait(wait)
        except subprocess.TimeoutExpired: continue
        # the server is gone; its kernel may linger a moment in the same group
        time.sleep(0.5)
        try: os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError: pass
        return

# --- the browser -----------------------------------------------------------------------------------------------

class NotRendered(Exception): pass


def error_text(page) -> str|None:
    "The text of the first error output in the notebook, if any."
    err = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    for i in range(err.count()):
        t = err.nth(i).inner_text()
        if 'Error' in t or 'Traceback' in t: return t
    return None


def wait_for(page, what:str, cond, timeout:float):
    "Poll `cond()` until it is true; fail with `what` (and any error output of the notebook) when it is not."
    t0 = time.time()
    while time.time() - t0 < timeout:
        if cond(): return
        e = error_text(page)
        if e: raise NotRendered(f"the notebook raised an error while waiting for {what}:\n{e[-3000:]}")
        page.wait_for_timeout(500)
    raise NotRendered(f"timed out after {timeout:.0f} s waiting for {what}")


def run_all(page):
    "Run > Run All Cells from the menu bar."
    page.locator('.lm-MenuBar-itemLabel', has_text='Run').first.click()
    item = page.locator('#jp-mainmenu-run .lm-Menu-itemLabel').get_by_text('Run All Cells', exact=True)
    item.wait_for(state='visible', timeout=10_000)
    item.click()


def shoot(url:str, out:Path, chromium:str, width:int, height:int, timeout:float, headless:bool=True, fail_png=None):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=headless)
        page = None
        try:
            page = browser.new_page(viewport={'width': width, 'height': height})
            page.goto(url, wait_until='domcontentloaded', timeout=timeout*1000)
            page.locator('.jp-Notebook').wait_for(timeout=timeout*1000)
            # a kernel that is up and idle shows in the notebook toolbar's status indicator
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(state='attached', timeout=timeout*1000)
            if page.locator('#jp-left-stack').is_visible(): page.keyboard.press('Control+b')  # hide the file browser
            # the indicator can say idle before the kernel's websocket is connected, and a run requested then is
            # lost: run all, and run again if no cell has started (no prompt number or '*') after a while
            prompts = page.locator('.jp-InputArea-prompt')
            started = lambda: any(t.strip() not in ('[ ]:', '') for t in prompts.all_inner_texts())
            for attempt in range(5):
                page.wait_for_timeout(2000)
                run_all(page)
                t0 = time.time()
                while not started() and time.time() - t0 < 10: page.wait_for_timeout(250)
                if started(): break
            else: raise NotRendered("the notebook's cells never started running (Run > Run All Cells, 5 tries)")
            imgs = page.locator('.jp-OutputArea-output img.widget-image')
            loaded = lambda: imgs.count() >= 2 and page.evaluate(
                "() => [...document.querySelectorAll('.jp-OutputArea-output img.widget-image')]"
                ".filter(i => i.offsetParent && i.complete && i.naturalWidth > 0).length") >= 2
            wait_for(page, "the widget's sample and real image <img> elements", loaded, timeout)
            select = page.locator('.jp-OutputArea-output .widget-dropdown select')
            wait_for(page, "the class dropdown", lambda: select.count() == 1, 30)
            options = select.locator('option').all_inner_texts()
            if len(options) < 2: raise NotRendered(f"the class dropdown has {len(options)} options: {options}")
            before = imgs.first.get_attribute('src')
            label = next((o for o in options if o.split(':')[0].strip() == '7'), options[-1])
            select.select_option(label=label)
            cls = label.split(':')[0].strip()
            info = page.locator('.jp-OutputArea-output .widget-html', has_text='prior 0 of its')
            wait_for(page, f"the re-render for class {cls}",
                     lambda: imgs.first.get_attribute('src') != before
                             and info.count() > 0 and info.first.inner_text().startswith(f'class {cls},'), 60)
            page.wait_for_timeout(500)  # let the new PNGs paint
            e = error_text(page)
            if e: raise NotRendered(f"the notebook shows an error:\n{e[-3000:]}")
            widget = page.locator('.jp-OutputArea-output .widget-vbox').first
            widget.scroll_into_view_if_needed()
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            return {'options': options, 'chosen': label, 'info': info.first.inner_text(),
                    'images': imgs.count(), 'browser': browser.version}
        except Exception as e:
            if page is not None and fail_png:
                try: page.screenshot(path=str(fail_png)); e.args = (f"{e.args[0] if e.args else e} (page at failure: {fail_png})",)
                except Exception: pass
            raise
        finally: browser.close()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('artifact', nargs='?', help=f"distilled .safetensors file (default: {DEFAULT_ARTIFACT.relative_to(REPO)} "
                    "if present, else a tiny untrained one)")
    ap.add_argument('--tiny', action='store_true', help='browse a tiny untrained Distilled even if the default artifact exists')
    ap.add_argument('--real', default=None, help="load_dataset name of the real images (default: the teacher's, else mnist)")
    ap.add_argument('--out', default=str(DEFAULT_OUT), help='PNG to write')
    ap.add_argument('--chromium', default='/usr/bin/chromium', help='browser executable (Debian chromium)')
    ap.add_argument('--port', type=int, default=None, help='port for jupyter lab (default: a free one)')
    ap.add_argument('--size', default='1200x900', help='viewport WIDTHxHEIGHT')
    ap.add_argument('--timeout', type=float, default=300, help='seconds to wait for the widget')
    ap.add_argument('--fail-png', default=str(Path(tempfile.gettempdir())/'browser_screenshot_failure.png'),
                    help='where to save the page when the widget does not render')
    ap.add_argument('--headed', action='store_true', help='show the browser window (needs a display)')
    a = ap.parse_args(argv)
    if a.tiny and a.artifact: sys.exit("error: give an artifact or --tiny, not both")
    artifact = (None if a.tiny else Path(a.artifact).resolve() if a.artifact
                else DEFAULT_ARTIFACT if DEFAULT_ARTIFACT.exists() else None)
    if artifact is not None and not artifact.exists(): sys.exit(f"error: no artifact at {artifact}")
    if not Path(a.chromium).exists(): sys.exit(f"error: no browser at {a.chromium} (apt-get install -y chromium)")
    width, height = (int(v) for v in a.size.lower().split('x'))
    out, port, token = Path(a.out).resolve(), a.port or free_port(), secrets.token_hex(16)
    proc = None
    with tempfile.TemporaryDirectory(prefix='d3_browse_') as tmp:
        folder = Path(tmp)
        make_notebook(folder, artifact, a.real)
        log_path = folder/'jupyter.log'
        try:
            with open(log_path, 'wb') as log:
                proc = start_lab(folder, port, token, log)
                wait_for_server(proc, port, token)
                print(f"jupyter lab on port {port}; artifact: {artifact or 'tiny untrained Distilled'}")
                res = shoot(f'http://127.0.0.1:{port}/lab/tree/{NB_NAME}?token={token}', out, a.chromium,
                            width, height, a.timeout, headless=not a.headed, fail_png=a.fail_png)
        except Exception as e:  # NotRendered, a server that did not start, or a Playwright error (e.g. a timeout)
            tail = log_path.read_text(errors='replace')[-2000:] if log_path.exists() else ''
            print(f"error: the browser widget did not render: {type(e).__name__}: {e}\n--- jupyter log (tail) ---\n{tail}", file=sys.stderr)
            return 1
        finally: stop_lab(proc)
    print(f"class options {res['options']}; chose {res['chosen']!r}; {res['images']} widget images; "
          f"info: {res['info']!r}; chromium {res['browser']}")
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == '__main__': sys.exit(main())
