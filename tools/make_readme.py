"""Write README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which these machines lack).

Follows nbdev's rules: `#| hide` cells and `#| export`-only cells are dropped, directive lines are stripped,
the `# title` / `> summary` front matter becomes the README's heading, and text outputs are shown under code.
"""
from pathlib import Path
from execnb.nbio import read_nb
from nbdev.process import extract_directives

ROOT = Path(__file__).resolve().parent.parent

def cell_md(cell) -> str:
    "Markdown for one notebook cell, or '' when nbdev would hide it."
    if cell.cell_type == 'markdown': return cell.source.strip().replace('](images/', '](nbs/images/')  # links from the repo root
    if cell.cell_type != 'code': return ''
    dirs = extract_directives(cell, remove=True)
    if 'hide' in dirs or 'exporti' in dirs or 'exec_doc' in dirs: return ''
    parts = [] if 'hide_input' in dirs or not cell.source.strip() else [f"```python\n{cell.source.strip()}\n```"]
    if 'hide_output' not in dirs:
        for o in cell.get('outputs', []):
            text = o.get('text') or o.get('data', {}).get('text/plain')
            if text: parts.append("```\n" + ''.join(text).rstrip() + "\n```")
    return '\n\n'.join(parts)

def make_readme(nb=ROOT/'nbs'/'index.ipynb', dest=ROOT/'README.md'):
    body = [m for m in (cell_md(c) for c in read_nb(nb).cells) if m]
    dest.write_text("<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n"
                    + '\n\n'.join(body) + '\n')

if __name__ == '__main__': make_readme()
