"""Source notebooks: paired with their percent scripts, nbformat 4.5 with ids, no outputs, and
exactly one parameters cell that comes before any use of its names."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from src import notebooks, pipeline


def test_committed_notebooks_have_no_problems():
    assert notebooks.check() == []


def test_every_pipeline_notebook_is_paired():
    paired = {ipynb.name for ipynb, py in notebooks.pairs() if ipynb.exists() and py.exists()}
    for report in pipeline.load_config():
        assert report.notebook.split("/")[-1] in paired


def _copy_notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(notebooks.NOTEBOOKS, folder)
    return folder


def _edit(path, change):
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, str(path))


def test_check_catches_outputs_and_drift(tmp_path):
    folder = _copy_notebooks(tmp_path)
    target = folder / "01_clean_foia.ipynb"

    def add_output(nb):
        code = next(c for c in nb.cells if c.cell_type == "code")
        code.outputs = [nbformat.v4.new_output("stream", text="hi")]
        code.execution_count = 3

    _edit(target, add_output)
    problems = notebooks.check(folder)
    assert any("carries outputs" in p for p in problems)
    _edit(target, lambda nb: nb.cells.append(nbformat.v4.new_markdown_cell("new text")))
    assert any("out of sync" in p for p in notebooks.check(folder))


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["x = 1"], "exactly one cell tagged 'parameters', found 0"),
        (["#p\nx = 1", "#p\ny = 2"], "found 2"),
        (["print(x)", "#p\nx = 1"], "used before the parameters cell"),
    ],
)
def test_parameter_rules(cells, message):
    nb = nbformat.v4.new_notebook()
    for source in cells:
        cell = nbformat.v4.new_code_cell(source.removeprefix("#p\n"))
        if source.startswith("#p"):
            cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    problems = notebooks.parameter_problems(nb, "nb")
    assert any(message in p for p in problems), problems


def test_sync_is_idempotent_and_ids_are_stable(tmp_path):
    folder = _copy_notebooks(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.glob("*.ipynb")}
    for py in folder.glob("*.py"):
        py.touch()  # make every script look newer, so sync rewrites from it
    notebooks.sync(folder)
    after = {p.name: p.read_bytes() for p in folder.glob("*.ipynb")}
    assert after == before


def test_make_lint_is_clean():
    import os
    import subprocess

    from pipeline_util import VENV

    from src.helpers import ROOT

    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(
        ["make", "lint", f"VENV={VENV}"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_an_analysts_own_notebook_in_notebooks_does_not_fail_lint(tmp_path):
    """JupyterLab's launcher and Duplicate put new notebooks in notebooks/; exploratory code
    there (unused imports, bare expressions, long lines) is the analyst's, not the pipeline's:
    `make lint` checks the pipeline's notebooks only. A lint error in one of those still fails."""
    import os
    import subprocess

    from pipeline_util import VENV

    from src.checkout import copy_repo

    repo = copy_repo(tmp_path / "repo")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import os, sys\nimport pandas as pd\nfrom src import *"),
        nbformat.v4.new_code_cell("cases = pd.read_csv('../data/processed/stca_cases.csv')\ncases.head()"),
        nbformat.v4.new_code_cell("cases.groupby('citizenship').size().sort_values(ascending=False).head(20)  # a long line, a bare expression"),
    ]  # fmt: skip
    for name in ("Untitled.ipynb", "00_start_here-Copy1.ipynb"):
        nbformat.write(nb, str(repo / "notebooks" / name))
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}

    def lint():
        return subprocess.run(["make", "lint", f"VENV={VENV}"], cwd=repo, env=env,
                              capture_output=True, text=True)  # fmt: skip

    result = lint()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # what lint hands ruff: the pipeline's notebooks and pairs, never the analyst's
    listed = subprocess.run([str(VENV / "bin" / "python"), "-m", "src.notebooks", "files"],
                            cwd=repo, env={**env, "PYTHONPATH": str(repo)}, capture_output=True,
                            text=True, check=True).stdout.split()  # fmt: skip
    assert "notebooks/00_start_here.py" in listed and "notebooks/01_clean_foia.ipynb" in listed
    assert not [f for f in listed if "Untitled" in f or "Copy1" in f]
