"""Keep notebooks reviewable: each `notebooks/*.ipynb` is paired with a jupytext percent `.py`.

  python -m src.notebooks sync    write each .ipynb from its .py (or the .py from a newer .ipynb),
                                  nbformat 4.5, no outputs, content-derived cell ids
  python -m src.notebooks check   fail when a pair differs, a notebook carries outputs, or its
                                  parameters cell is missing, doubled, or comes after a use

The .py is what reviewers read in a diff; the .ipynb is what JupyterLab and papermill open.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from pathlib import Path

import jupytext
import nbformat

from src.helpers import ROOT

NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python (stca-foia)", "language": "python", "name": "stca-foia"}


def pairs(folder: Path = NOTEBOOKS) -> list[tuple[Path, Path]]:
    """(ipynb, py) for every notebook stem in `folder` that has either file."""
    stems = sorted({p.stem for p in folder.glob("*.ipynb")} | {p.stem for p in folder.glob("*.py")})
    return [(folder / f"{s}.ipynb", folder / f"{s}.py") for s in stems]


def stable_ids(nb) -> None:
    """Give each cell an id derived from its type and source (numbered when sources repeat)."""
    seen: dict[str, int] = {}
    for cell in nb.cells:
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        cell["id"] = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def clean_notebook(nb) -> None:
    """Strip outputs and execution counts; set nbformat 4.5, the project kernel, stable ids."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    # Only the pairing is kept: jupytext's version stamps would make every sync a diff.
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    nb.metadata.setdefault("language_info", {})["name"] = "python"
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        tags = cell.get("metadata", {}).get("tags")
        cell["metadata"] = {"tags": tags} if tags else {}
    stable_ids(nb)


def _cells_signature(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (c.cell_type, c.source.strip(), tuple(c.get("metadata", {}).get("tags", [])))
        for c in nb.cells
    ]


def notebook_from_py(py: Path):
    """Read a percent script into a clean notebook node."""
    nb = jupytext.read(py)
    clean_notebook(nb)
    return nb


def sync(folder: Path = NOTEBOOKS) -> list[Path]:
    """Bring every pair in step: the newer file wins. Return the files written."""
    written = []
    for ipynb, py in pairs(folder):
        if py.exists() and (not ipynb.exists() or py.stat().st_mtime >= ipynb.stat().st_mtime):
            nb = notebook_from_py(py)
            if (
                not ipynb.exists()
                or _cells_signature(nbformat.read(ipynb, 4)) != _cells_signature(nb)
                or nbformat.read(ipynb, 4) != nb
            ):
                nbformat.write(nb, str(ipynb))
                written.append(ipynb)
        elif ipynb.exists():
            nb = nbformat.read(ipynb, as_version=4)
            before = nbformat.writes(nb)
            clean_notebook(nb)
            if nbformat.writes(nb) != before:
                nbformat.write(nb, str(ipynb))
                written.append(ipynb)
            if not py.exists() or _cells_signature(jupytext.read(py)) != _cells_signature(nb):
                jupytext.write(nb, py, fmt="py:percent")
                written.append(py)
    return written


def parameter_problems(nb, name: str) -> list[str]:
    """Problems with the `parameters` cell: there must be exactly one, assigning names that no
    earlier cell uses."""
    tagged = [
        i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    if len(tagged) != 1:
        return [f"{name}: expected exactly one cell tagged 'parameters', found {len(tagged)}"]
    index = tagged[0]
    params = set()
    for node in ast.walk(ast.parse(nb.cells[index].source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            params.add(node.id)
    problems = []
    if not params:
        problems.append(f"{name}: the parameters cell assigns no names")
    for earlier in nb.cells[:index]:
        if earlier.cell_type != "code":
            continue
        used = {n.id for n in ast.walk(ast.parse(earlier.source)) if isinstance(n, ast.Name)}
        if used & params:
            problems.append(
                f"{name}: parameters {sorted(used & params)} used before the parameters cell"
            )
    return problems


def check(folder: Path = NOTEBOOKS) -> list[str]:
    """Every problem found with the notebooks in `folder` (empty when all is well)."""
    problems = []
    for ipynb, py in pairs(folder):
        rel = ipynb.relative_to(ROOT) if ipynb.is_relative_to(ROOT) else ipynb
        if not ipynb.exists() or not py.exists():
            problems.append(
                f"{rel}: unpaired (need both .ipynb and .py; run `python -m src.notebooks sync`)"
            )
            continue
        nb = nbformat.read(ipynb, as_version=4)
        if (nb.nbformat, nb.nbformat_minor) != (4, 5):
            problems.append(f"{rel}: nbformat {nb.nbformat}.{nb.nbformat_minor}, expected 4.5")
        for i, cell in enumerate(nb.cells):
            if not cell.get("id"):
                problems.append(f"{rel}: cell {i} has no id")
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count):
                problems.append(
                    f"{rel}: cell {i} carries outputs (strip them: `python -m src.notebooks sync`)"
                )
        if _cells_signature(nb) != _cells_signature(jupytext.read(py)):
            problems.append(
                f"{rel}: out of sync with {py.name} (run `python -m src.notebooks sync`)"
            )
        problems += parameter_problems(nb, str(rel))
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sync"]:
        for path in sync():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if argv[:1] == ["check"]:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"notebooks: {len(pairs())} pairs, {len(problems)} problems")
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
