"""Keep the pipeline's notebooks reviewable: each one (named in pipeline.yml) is paired with a
jupytext percent `.py`, and both are kept in one committed form.

  python -m src.notebooks sync [PATH...]   write each .ipynb from its .py (or the .py from a newer
                                           .ipynb) in the committed form; PATH adds a notebook that
                                           is not in pipeline.yml yet
  python -m src.notebooks files            the pipeline's notebooks and pairs (what `make lint`
                                           lints: an analyst's own notebooks are not linted)
  python -m src.notebooks check            fail when a pair differs, a notebook carries outputs, a
                                           file is not in the committed form (metadata drift), or
                                           the parameters cell is missing, doubled, or late

The committed form: nbformat 4.5, no outputs, content-derived cell ids, the project kernel and the
`language_info` that kernel reports with the Python version cut to major.minor (so any 3.11.x
writes the same file), and a jupytext header with the pairing only. JupyterLab is served the full
version of the kernel it runs (src/lab.py), so opening and closing a notebook leaves it unmodified. Notebooks that are
not in pipeline.yml (notebooks/scratch/, an Untitled.ipynb) are an analyst's own: not checked.

The .py is what reviewers read in a diff; the .ipynb is what JupyterLab and papermill open.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import sys
from pathlib import Path

import jupytext
import jupytext.header
import nbformat

from src.helpers import ROOT, write_text_atomic
from src.pipeline import load_config

NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python (stca-foia)", "language": "python", "name": "stca-foia"}


def pipeline_stems() -> list[str]:
    """File stems of the notebooks pipeline.yml runs."""
    return sorted({Path(r.notebook).stem for r in load_config()})


def pairs(folder: Path = NOTEBOOKS, stems: list[str] | None = None) -> list[tuple[Path, Path]]:
    """(ipynb, py) for each pipeline notebook (or each of `stems`) in `folder`."""
    stems = pipeline_stems() if stems is None else stems
    return [(folder / f"{s}.ipynb", folder / f"{s}.py") for s in sorted(set(stems))]


def kernel_language_info() -> dict:
    """What the project kernel reports as `language_info` (JupyterLab writes it into a notebook
    when the kernel starts; committing the same keeps the notebook unmodified on open)."""
    from ipykernel.ipkernel import IPythonKernel  # here: slow to import, one check needs it

    return json.loads(json.dumps(IPythonKernel.language_info))


def major_minor(version: str) -> str:
    """'3.11.7' -> '3.11' (a version already that short is returned as it is)."""
    return ".".join(str(version).split(".")[:2])


def committed_language_info() -> dict:
    """The kernel's language_info as committed: the same, with the version cut to major.minor."""
    info = kernel_language_info()
    info["version"] = major_minor(info.get("version", ""))
    return info


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
    nb.metadata["language_info"] = committed_language_info()
    for key in list(nb.metadata):
        if key not in ("kernelspec", "jupytext", "language_info"):
            del nb.metadata[key]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        tags = cell.get("metadata", {}).get("tags")
        cell["metadata"] = {"tags": tags} if tags else {}
    stable_ids(nb)


def cells_signature(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (c.cell_type, c.source.strip(), tuple(c.get("metadata", {}).get("tags", [])))
        for c in nb.cells
    ]


def notebook_from_py(py: Path):
    """Read a percent script into a clean notebook node."""
    nb = jupytext.read(py)
    clean_notebook(nb)
    return nb


def read_notebook_text(content, path: str):
    """A notebook node from what JupyterLab sends: a notebook dict, or the text of an .ipynb or
    a percent .py (named by `path`)."""
    if isinstance(content, dict):
        return nbformat.from_dict(content)
    if str(path).endswith(".py"):
        return jupytext.reads(content, fmt="py:percent")
    return nbformat.reads(content, as_version=4)


@contextlib.contextmanager
def _no_version_stamp():
    """jupytext stamps its version into every header it writes; that would make each save by a
    newer jupytext a diff. Its module flag turns the stamp off (jupytext's own tests use it)."""
    before = jupytext.header.INSERT_AND_CHECK_VERSION_NUMBER
    jupytext.header.INSERT_AND_CHECK_VERSION_NUMBER = False
    try:
        yield
    finally:
        jupytext.header.INSERT_AND_CHECK_VERSION_NUMBER = before


def ipynb_text(nb) -> str:
    """The committed text of a clean notebook (as nbformat, and so JupyterLab, writes it)."""
    return nbformat.writes(nb) + "\n"


def py_text(nb) -> str:
    """The committed percent script of a clean notebook: the pairing and kernel in the header."""
    with _no_version_stamp():
        return jupytext.writes(nb, fmt="py:percent")


def write_notebook(nb, path: Path, paired: bool = True) -> None:
    """Write a notebook in the committed form (its code and tags as given); `paired=False`
    leaves out the jupytext pairing (a scratch copy is a plain notebook)."""
    clean_notebook(nb)
    if not paired:
        nb.metadata.pop("jupytext", None)
    write_text_atomic(path, ipynb_text(nb))


def write_pair(nb, path: Path) -> list[Path]:
    """Write `nb` as the pair of `path` (.ipynb or .py): both files in the committed form."""
    clean_notebook(nb)
    ipynb, py = path.with_suffix(".ipynb"), path.with_suffix(".py")
    write_text_atomic(ipynb, ipynb_text(nb))
    write_text_atomic(py, py_text(nb))
    return [ipynb, py]


def sync(folder: Path = NOTEBOOKS, stems: list[str] | None = None) -> list[Path]:
    """Bring every pair in step in the committed form: the newer file wins. Return the files
    written (a file already in its committed form is left alone)."""
    written = []
    for ipynb, py in pairs(folder, stems):
        if not ipynb.exists() and not py.exists():
            continue
        if py.exists() and (not ipynb.exists() or py.stat().st_mtime >= ipynb.stat().st_mtime):
            nb = notebook_from_py(py)
        else:
            nb = nbformat.read(ipynb, as_version=4)
            clean_notebook(nb)
        for path, text in ((ipynb, ipynb_text(nb)), (py, py_text(nb))):
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                write_text_atomic(path, text)
                written.append(path)
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


def check(folder: Path = NOTEBOOKS, stems: list[str] | None = None) -> list[str]:
    """Every problem found with the pipeline's notebooks in `folder` (empty when all is well)."""
    problems = []
    for ipynb, py in pairs(folder, stems):
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
        if cells_signature(nb) != cells_signature(jupytext.read(py)):
            problems.append(
                f"{rel}: out of sync with {py.name} (run `python -m src.notebooks sync`)"
            )
        else:
            problems += _drift(ipynb, py)
        problems += parameter_problems(nb, str(rel))
    return problems


def _drift(ipynb: Path, py: Path) -> list[str]:
    """Differences from the committed form, named (metadata a save would change, header keys)."""
    clean = notebook_from_py(py)
    found = []
    committed = nbformat.read(ipynb, as_version=4)
    for key in sorted(set(committed.metadata) | set(clean.metadata)):
        if committed.metadata.get(key) != clean.metadata.get(key):
            found.append(
                f"{ipynb.name}: metadata '{key}' is {json.dumps(committed.metadata.get(key))}, "
                f"the committed form has {json.dumps(clean.metadata.get(key))} (JupyterLab would "
                "mark it modified on open; run `python -m src.notebooks sync`)"
            )
    if not found and ipynb.read_text(encoding="utf-8") != ipynb_text(clean):
        found.append(
            f"{ipynb.name}: not in the committed form (cell ids, cell metadata or layout); "
            "run `python -m src.notebooks sync`"
        )
    if py.read_text(encoding="utf-8") != py_text(clean):
        found.append(
            f"{py.name}: its header or layout differs from the committed form (a jupytext save "
            "adds version stamps and filter keys); run `python -m src.notebooks sync`"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sync"]:
        extra = [Path(a).stem for a in argv[1:]]
        for path in sync(stems=sorted({*pipeline_stems(), *extra})):
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if argv[:1] == ["files"]:  # what `make lint` gives ruff: the pipeline's notebooks and pairs
        print(" ".join(str(p.relative_to(ROOT)) for pair in pairs() for p in pair if p.exists()))
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
