"""The package's layout: modules import each other without cycles, and none reaches for another's private names."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent/'d3_nb'

def imports() -> dict:
    "`{module: [(imported module, [names]), ...]}` for every d3_nb module, from its source (function bodies included)."
    out = {}
    for p in sorted(PKG.glob('*.py')):
        if p.stem == '_modidx': continue
        found = []
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level == 1 or (node.module or '').startswith('d3_nb')):
                mod = node.module if node.level == 0 else f"d3_nb.{node.module}" if node.module else 'd3_nb'
                found.append((mod, [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                found += [(a.name, []) for a in node.names if a.name.startswith('d3_nb.')]
        out[f"d3_nb.{p.stem}"] = found
    return out

def cycle(graph:dict):
    "One import cycle of `graph` as a list of modules, or None."
    state, stack = {}, []
    def visit(m):
        state[m] = 1; stack.append(m)
        for n in graph.get(m, ()):
            if state.get(n) == 1: return stack[stack.index(n):] + [n]
            if n not in state and (c := visit(n)): return c
        state[m] = 2; stack.pop()
    for m in graph:
        if m not in state and (c := visit(m)): return c

def test_cycle_finder_finds_one():
    assert cycle({'a': ['b'], 'b': ['c'], 'c': ['a']}) == ['a', 'b', 'c', 'a']
    assert cycle({'a': ['b'], 'b': [], 'c': ['a', 'b']}) is None

def test_no_import_cycle():
    found = imports()
    assert len(found) > 15, sorted(found)  # the walk sees the package
    graph = {m: sorted({i for i, _ in deps if i in found and i != m}) for m, deps in found.items()}
    assert cycle(graph) is None, f"import cycle: {' -> '.join(cycle(graph))}"

def test_no_private_names_across_modules():
    bad = [f"{m} imports {i}.{n}" for m, deps in imports().items() for i, names in deps for n in names
           if n.startswith('_') and not n.startswith('__') and i != m]
    assert not bad, bad

def test_modules_stay_short():
    "A module a newcomer reads in one sitting: at most 500 lines (the generated index aside)."
    long = {p.name: n for p in PKG.glob('*.py') if p.stem != '_modidx' and (n := len(p.read_text().splitlines())) > 500}
    assert not long, f"modules over 500 lines (split them by concern): {long}"

def test_export_cells_stay_short():
    "An exported cell reads at a glance: at most 40 lines (split a long function at its steps, a class with `patch`)."
    import json
    long = []
    for nb in sorted((PKG.parent/'nbs').glob('*.ipynb')):
        for c in json.loads(nb.read_text())['cells']:
            src = ''.join(c['source'])
            if c['cell_type'] == 'code' and src.startswith('#| export') and len(src.splitlines()) > 40:
                long.append(f"{nb.name}: {src.splitlines()[1][:60]} ({len(src.splitlines())} lines)")
    assert not long, f"export cells over 40 lines: {long}"
