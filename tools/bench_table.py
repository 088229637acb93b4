"""The README's side-by-side benchmark table: one row per method, one accuracy column per dataset, per budget.

    python tools/bench_table.py benchmarks/results/mnist.json benchmarks/results/fashion_mnist.json

Reads the `results.json` that `d3 bench` writes (one per dataset) and prints, for each budget, a Markdown table of
every method with its labels, stored bytes, test accuracy (mean ± std over the seeds) on each dataset and the
distillation seconds on each; the best accuracy of a budget on each dataset is in bold (the full data, which no
budget bounds, is left out of that). Then one line per D3 cell with its diversity figures. Nothing is computed here:
every number is the file's.
"""
import json, sys
from pathlib import Path

ORDER = ['random', 'random_u8', 'random_soft', 'herding', 'dm', 'd3', 'd3_subtasks', 'full']  # d3_nb.bench's 'all'

def load(path) -> tuple:
    "`(dataset, results)` of one bench's results.json."
    try:
        d = json.loads(Path(path).read_text())
        return d['settings']['dataset'], d['results']
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"{path}: not a d3 bench results.json ({type(e).__name__}: {e})")

def secs(r) -> str:
    s = r['compute'].get('distill_seconds')
    return '–' if not s or s < 1 else f"{s:,.0f}"

def cell_key(r) -> tuple: return r['method'], r['budget']

def table(benches:list, budget) -> list:
    "The Markdown lines of one budget's table."
    names = [n for n, _ in benches]
    rows = {}
    for n, rs in benches:
        for r in rs:
            if r['budget'] == budget or r['method'] == 'full': rows.setdefault(r['method'], {})[n] = r
    best = {n: max((r[n]['accuracy']['mean'] for m, r in rows.items() if m != 'full' and n in r), default=None)
            for n in names}
    head = ['method', 'labels', 'stored bytes', *[f"{n} test acc. %" for n in names], f"distill s ({', '.join(names)})"]
    out = ['| ' + ' | '.join(head) + ' |', '|---|---|' + '---:|' * (len(head) - 2)]
    for m in sorted(rows, key=lambda m: ORDER.index(m) if m in ORDER else len(ORDER)):
        by = rows[m]
        first = next(iter(by.values()))
        sizes = sorted({r['storage']['bytes'] for r in by.values()})
        accs = []
        for n in names:
            if n not in by: accs.append('–'); continue
            a = by[n]['accuracy']
            t = f"{100 * a['mean']:.2f} ± {100 * a['std']:.2f}"
            accs.append(f"**{t}**" if m != 'full' and a['mean'] == best[n] else t)
        out.append('| ' + ' | '.join([first['name'], first['settings'].get('labels', '?'),
                                      ' / '.join(f"{b:,}" for b in sizes), *accs,
                                      ', '.join(secs(by[n]) if n in by else '–' for n in names)]) + ' |')
    return out

def main(paths):
    benches = [load(p) for p in paths]
    budgets = sorted({r['budget'] for _, rs in benches for r in rs if r['method'] != 'full'})
    for b in budgets:
        print(f"\nBudget {b:g} IPC-eq\n")
        print('\n'.join(table(benches, b)))
        for n, rs in benches:
            for r in rs:
                if r['budget'] == b and r.get('diversity'):
                    dv = r['diversity']
                    print(f"\n{n}, {r['name']}: {dv['within']:.3f} within a prior, {dv['between']:.3f} between a "
                          f"class's priors")

if __name__ == '__main__':
    if len(sys.argv) < 2: sys.exit(__doc__)
    main(sys.argv[1:])
