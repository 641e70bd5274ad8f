"""The JupyterLab model, without a browser: pipeline notebooks are read-mostly (a save that changes
no code writes nothing; one that changes code is refused with directions; EDIT mode writes the
committed pair), scratch copies are an analyst's own, lint checks only the pipeline's notebooks,
and links in notebook output work both in reports/ and next to the notebook."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from tornado import web

from src import lab, notebooks
from src.helpers import LINKS_FROM_ENV, ROOT, link_href


@pytest.fixture
def repo(tmp_path):
    """A minimal repository: pipeline.yml and the notebooks folder."""
    shutil.copy(ROOT / "pipeline.yml", tmp_path / "pipeline.yml")
    shutil.copytree(
        ROOT / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns("scratch")
    )
    return tmp_path


def _manager(repo: Path, edit: bool = False):
    return lab.PipelineContentsManager(root_dir=str(repo), edit_pipeline=edit)


_WORKER = ThreadPoolExecutor(1)


def _run(coro):
    """Run a coroutine on its own loop, in one worker thread (Playwright's sync API keeps a loop
    running in the main thread for the rest of the session once a browser test has run; the
    notebook signature database may only be used from the thread that opened it)."""
    return _WORKER.submit(asyncio.run, coro).result()


def _model(manager, path):
    return _run(manager.get(path, content=True))


def test_pipeline_notebooks_and_pairs_are_protected(repo):
    manager = _manager(repo)
    assert manager.is_protected("notebooks/00_start_here.ipynb")
    assert manager.is_protected("/notebooks/00_start_here.py")
    assert not manager.is_protected("notebooks/scratch/00_start_here.ipynb")
    assert not manager.is_protected("notebooks/Untitled.ipynb")


def test_a_save_with_outputs_only_writes_nothing(repo):
    manager = _manager(repo)
    path = "notebooks/00_start_here.ipynb"
    before = (repo / path).read_bytes()
    model = _model(manager, path)
    code = next(c for c in model["content"]["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
    code["execution_count"] = 7
    model["content"]["metadata"]["language_info"]["version"] = "9.9.9"
    saved = _run(manager.save(model, path))
    assert saved["path"] == path and saved["type"] == "notebook"
    assert (repo / path).read_bytes() == before


@pytest.mark.parametrize("path", ["notebooks/00_start_here.ipynb", "notebooks/00_start_here.py"])
def test_a_save_that_changes_code_keeps_the_edit_in_scratch_without_an_error(repo, path):
    """Autosave after an edit must not raise (JupyterLab shows an error box every 20 s and
    takes the keyboard): the pipeline's file stays as committed, the edit is kept in scratch,
    rewritten at each save, and the reply is the pipeline file's own model."""
    manager = _manager(repo)
    before = (repo / path).read_bytes()
    for first_year in (2010, 2011):  # two autosaves: the copy follows the latest
        model = _model(manager, path)
        if model["type"] == "notebook":
            params = next(
                c
                for c in model["content"]["cells"]
                if "parameters" in c["metadata"].get("tags", [])
            )
            params["source"] = params["source"].replace(
                "first_year = 2005", f"first_year = {first_year}"
            )
        else:
            model["content"] = model["content"].replace(
                "first_year = 2005", f"first_year = {first_year}"
            )
        saved = _run(manager.save(model, path))
        assert saved["path"] == path
    assert (repo / path).read_bytes() == before
    kept = repo / lab.edited_copy_path(path)
    assert kept.parent == repo / "notebooks" / "scratch"
    assert "first_year = 2011" in kept.read_text() and "first_year = 2010" not in kept.read_text()
    assert not manager.is_protected(lab.edited_copy_path(path))


def test_rename_and_delete_of_pipeline_notebooks_are_refused(repo):
    manager = _manager(repo)
    with pytest.raises(web.HTTPError):
        _run(manager.rename_file("notebooks/00_start_here.ipynb", "notebooks/x.ipynb"))
    with pytest.raises(web.HTTPError):
        _run(manager.delete_file("notebooks/00_start_here.py"))
    assert (repo / "notebooks/00_start_here.ipynb").exists()


def test_other_notebooks_save_as_usual(repo):
    manager = _manager(repo)
    model = _model(manager, "notebooks/00_start_here.ipynb")
    model["content"]["cells"].append(nbformat.v4.new_code_cell("x = 1"))
    (repo / "notebooks" / "scratch").mkdir(exist_ok=True)
    _run(manager.save(model, "notebooks/scratch/mine.ipynb"))
    saved = nbformat.read(repo / "notebooks/scratch/mine.ipynb", as_version=4)
    assert saved.cells[-1].source == "x = 1"


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_duplicated_notebooks_in_notebooks_land_in_scratch(repo):
    """Duplicate (and a copy pasted into notebooks/) asks for notebooks/, the pipeline's folder:
    the copy is created in notebooks/scratch/, which git and lint ignore, and the reply names it
    there (JupyterLab lists and opens that path); it never overwrites. Folders, and copies into
    other folders, go where asked."""
    manager = _manager(repo)
    before = _listing(repo / "notebooks")
    made = [
        _run(manager.copy("notebooks/00_start_here.ipynb", "notebooks")),  # Duplicate
        _run(manager.copy("/notebooks/03_figures.py")),  # no destination: the source's folder
        _run(manager.copy("notebooks/00_start_here.ipynb", "/notebooks/")),
    ]
    paths = [m["path"] for m in made]
    assert paths == [
        "notebooks/scratch/00_start_here.ipynb",
        "notebooks/scratch/03_figures.py",
        "notebooks/scratch/00_start_here-Copy1.ipynb",
    ]
    assert all((repo / p).is_file() for p in paths)
    assert _listing(repo / "notebooks") - before <= {"scratch"}  # nothing new beside the pipeline

    (repo / "elsewhere").mkdir()
    inside = _run(manager.copy("notebooks/00_start_here.ipynb", "elsewhere"))
    assert inside["path"] == "elsewhere/00_start_here.ipynb"
    folder = _run(manager.new_untitled(path="notebooks", type="directory"))
    assert _run(manager.copy(folder["path"], "notebooks"))["path"].count("/") == 1


def test_a_launcher_notebook_named_at_its_first_save_moves_to_scratch(repo):
    """The launcher makes notebooks/Untitled.ipynb (JupyterLab gives it no other place); naming it
    (a rename, JupyterLab's PATCH) puts it in notebooks/scratch/ and the reply says where, so the
    tab follows. Renames elsewhere, of folders, and with EDIT=1 stay where asked."""
    manager = _manager(repo)
    made = _run(manager.new_untitled(path="notebooks", type="notebook"))
    # where JupyterLab will look for it: the folder asked for
    assert made["path"].rpartition("/")[0] == "notebooks" and "Untitled" in made["path"]
    named = _run(manager.update({"path": "notebooks/my-exploration.ipynb"}, made["path"]))
    assert named["path"] == "notebooks/scratch/my-exploration.ipynb"
    assert (repo / named["path"]).is_file() and not (repo / made["path"]).exists()
    again = _run(manager.update({"path": "notebooks/scratch/tried.ipynb"}, named["path"]))
    assert again["path"] == "notebooks/scratch/tried.ipynb"
    folder = _run(manager.new_untitled(path="notebooks", type="directory"))
    kept = _run(manager.update({"path": "notebooks/my-folder"}, folder["path"]))
    assert kept["path"] == "notebooks/my-folder"
    contributor = _manager(repo, edit=True)
    draft = _run(contributor.new_untitled(path="notebooks", type="notebook"))
    new = _run(contributor.update({"path": "notebooks/06_new_report.ipynb"}, draft["path"]))
    assert new["path"] == "notebooks/06_new_report.ipynb"
    copy = _run(contributor.copy("notebooks/00_start_here.ipynb", "notebooks"))
    assert copy["path"] == "notebooks/00_start_here-Copy1.ipynb"


@pytest.mark.parametrize("name", ["scratch/my-years.ipynb", "notebooks/scratch/my-years.ipynb"])
def test_save_as_takes_either_name_the_docs_give(repo, name):
    """Save As with `scratch/<name>.ipynb` (no scratch/ at the root: it means notebooks/scratch/)
    or the full name writes the copy into notebooks/scratch/, and the reply names where it is
    (JupyterLab opens the copy at that path). The pipeline's notebook is unchanged."""
    manager = _manager(repo)
    original = repo / "notebooks/00_start_here.ipynb"
    before = original.read_bytes()
    model = _model(manager, "notebooks/00_start_here.ipynb")
    model["content"]["cells"].append(nbformat.v4.new_code_cell("first_year = 2010"))
    with pytest.raises(web.HTTPError) as missing:  # Save As first checks the name is free
        _run(manager.get(name, content=False))
    assert missing.value.status_code == 404
    saved = _run(manager.save(model, name))
    assert saved["path"] == "notebooks/scratch/my-years.ipynb"
    copy = nbformat.read(repo / "notebooks/scratch/my-years.ipynb", as_version=4)
    assert copy.cells[-1].source == "first_year = 2010"
    assert _run(manager.get(name, content=False))["path"] == "notebooks/scratch/my-years.ipynb"
    assert original.read_bytes() == before
    assert not (repo / "scratch").exists()


def test_a_scratch_folder_at_the_root_is_its_own(repo):
    """Where the root has a scratch/ folder, `scratch/...` means that folder."""
    (repo / "scratch").mkdir()
    manager = _manager(repo)
    model = _model(manager, "notebooks/00_start_here.ipynb")
    assert _run(manager.save(model, "scratch/mine.ipynb"))["path"] == "scratch/mine.ipynb"
    assert (repo / "scratch" / "mine.ipynb").is_file()


def test_edit_mode_writes_the_pair_in_committed_form(repo):
    manager = _manager(repo, edit=True)
    path = "notebooks/00_start_here.ipynb"
    model = _model(manager, path)
    params = next(
        c for c in model["content"]["cells"] if "parameters" in c["metadata"].get("tags", [])
    )
    params["source"] = params["source"].replace("first_year = 2005", "first_year = 2010")
    params["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x\n"}]
    params["execution_count"] = 2
    params["metadata"]["trusted"] = True
    model["content"]["metadata"]["widgets"] = {"state": {}}
    _run(manager.save(model, path))
    assert "first_year = 2010" in (repo / "notebooks/00_start_here.py").read_text()
    nb = nbformat.read(repo / path, as_version=4)
    assert "widgets" not in nb.metadata
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert notebooks.check(repo / "notebooks") == []  # same problems check as `make lint`
    # and a .py saved from the text editor brings its .ipynb along
    py = repo / "notebooks/00_start_here.py"
    _run(manager.save({"type": "file", "format": "text",
                       "content": py.read_text().replace("first_year = 2010", "first_year = 2011")},
                      "notebooks/00_start_here.py"))  # fmt: skip
    assert any(
        "first_year = 2011" in c.source for c in nbformat.read(repo / path, as_version=4).cells
    )
    assert notebooks.check(repo / "notebooks") == []


def test_scratch_copy_never_overwrites(tmp_path):
    first = lab.copy_to_scratch("start_here", tmp_path)
    nb = nbformat.read(first, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("my_work = 1"))
    nbformat.write(nb, str(first))
    second = lab.copy_to_scratch("00_start_here", tmp_path)
    assert first.name == "00_start_here.ipynb" and second.name == "00_start_here-2.ipynb"
    assert nbformat.read(first, as_version=4).cells[-1].source == "my_work = 1"
    nb = nbformat.read(second, as_version=4)
    assert "jupytext" not in nb.metadata and nb.metadata["kernelspec"]["name"] == "stca-foia"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    with pytest.raises(SystemExit, match="known: 00_start_here"):
        lab.copy_to_scratch("nope", tmp_path)


def test_a_scratch_copy_of_a_report_runs_with_its_parameters_and_writes_under_build(tmp_path):
    """`make scratch NB=figures_fiscal` copies the fiscal report, not the notebook's calendar
    defaults, and what the copy writes goes under build/adhoc/<copy>/; inputs keep their paths."""
    copy = lab.copy_to_scratch("figures_fiscal", tmp_path)
    assert copy.name == "03_figures-figures_fiscal.ipynb"
    nb = nbformat.read(copy, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    values: dict = {}
    exec(cell.source, {}, values)  # the cell is plain assignments; the last one of a name wins
    assert values["year_basis"] == "fiscal"
    assert values["figures_dir"].startswith("build/adhoc/03_figures-figures_fiscal/")
    assert values["cases_path"] == "data/processed/stca_cases.csv"
    for report in ("clean_foia", "claims", "both_directions"):
        cell = next(
            c
            for c in nbformat.read(lab.copy_to_scratch(report, tmp_path), as_version=4).cells
            if "parameters" in c.metadata.get("tags", [])
        )
        written: dict = {}
        exec(cell.source, {}, written)
        outputs = [v for k, v in written.items() if k.endswith(("_dir", "verdicts_path"))]
        assert outputs and all(str(v).startswith("build/adhoc/") for v in outputs), written


def test_lint_checks_pipeline_notebooks_only(repo):
    folder = repo / "notebooks"
    nbformat.write(nbformat.v4.new_notebook(), str(folder / "Untitled.ipynb"))
    (folder / "scratch").mkdir(exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(), str(folder / "scratch" / "try.ipynb"))
    assert notebooks.check(folder) == []


def test_lint_flags_metadata_and_header_drift(repo):
    folder = repo / "notebooks"
    ipynb, py = folder / "02_claims.ipynb", folder / "02_claims.py"
    nb = nbformat.read(ipynb, as_version=4)
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, str(ipynb))
    problems = notebooks.check(folder)
    assert any("metadata 'language_info'" in p and "02_claims.ipynb" in p for p in problems), (
        problems
    )
    notebooks.sync(folder)
    assert notebooks.check(folder) == []
    py.write_text(py.read_text().replace(
        "#     formats: ipynb,py:percent\n",
        "#     formats: ipynb,py:percent\n#     notebook_metadata_filter: -all\n"))  # fmt: skip
    assert any("02_claims.py: its header" in p for p in notebooks.check(folder))


def test_committed_language_info_is_the_kernels_without_the_patch_release(repo):
    """Committed: what the kernel reports, version cut to major.minor (any 3.11.x writes the same
    file). Served by `make lab`: the kernel's full version, so nothing changes when it starts."""
    from ipykernel.ipkernel import IPythonKernel

    kernel = dict(IPythonKernel.language_info)
    for ipynb, _ in notebooks.pairs():
        info = nbformat.read(ipynb, as_version=4).metadata["language_info"]
        assert info == {**kernel, "version": ".".join(kernel["version"].split(".")[:2])}, ipynb.name
    served = _model(_manager(repo), "notebooks/00_start_here.ipynb")
    assert served["content"]["metadata"]["language_info"] == kernel


@pytest.mark.parametrize("patch", ["3.11.2", "3.11.13"])
def test_another_python_311_patch_release_changes_nothing(repo, monkeypatch, patch):
    """Another 3.11.x (Debian's 3.11.2, say): lint finds nothing, sync rewrites nothing, and
    JupyterLab is served that interpreter's version, so no notebook is dirty on open."""
    from ipykernel.ipkernel import IPythonKernel

    monkeypatch.setitem(IPythonKernel.language_info, "version", patch)
    folder = repo / "notebooks"
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert notebooks.check(folder) == []
    assert notebooks.sync(folder) == []
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    served = _model(_manager(repo), "notebooks/02_claims.ipynb")
    assert served["content"]["metadata"]["language_info"]["version"] == patch


def test_links_are_relative_to_reports_in_a_build_and_to_the_notebook_elsewhere(monkeypatch):
    target = ROOT / "reports" / "provenance.html"
    monkeypatch.setenv(LINKS_FROM_ENV, "reports")
    assert link_href(target) == "provenance.html"
    monkeypatch.delenv(LINKS_FROM_ENV)
    monkeypatch.chdir(ROOT / "notebooks")
    assert link_href(target) == "../reports/provenance.html"
    assert (Path.cwd() / link_href(target)).resolve() == target.resolve()
    monkeypatch.chdir(ROOT)
    assert link_href("reports/figures/x.svg") == "reports/figures/x.svg"


def test_the_wide_table_cue_is_only_under_tables_wider_than_a_phone():
    """JupyterLab shows the cue unstyled: a three-column table gets none."""
    import pandas as pd

    from src import page

    narrow = page.table_html(pd.DataFrame({"a": [1], "b": [2], "c": [3]}), caption="narrow")
    wide = page.table_html(pd.DataFrame({c: [1] for c in "abcdef"}), caption="wide")
    assert "table-cue" not in narrow and "table-cue" in wide


def test_the_methodology_link_says_what_to_run_when_the_page_is_not_built(monkeypatch, tmp_path):
    """In JupyterLab before `make reports`, the stand-in notice says how to get the page; once
    it exists, and always in a pipeline run (the site writes it afterwards), it does not."""
    import IPython.display

    from src import page
    from src.helpers import LINKS_FROM_ENV

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj.data))
    monkeypatch.setattr(page, "REPORTS_DIR", tmp_path)  # a checkout with nothing built
    monkeypatch.delenv(LINKS_FROM_ENV, raising=False)
    standin = type("Status", (), {"is_standin": True})()
    page.show_data_notice(standin)
    assert "make reports" in shown[-1]
    (tmp_path / "provenance.html").write_text("built")
    page.show_data_notice(standin)
    assert "make reports" not in shown[-1]


# ------------------------------------------- one-off runs in JupyterLab's kernels (src/lab_kernel)


def _report(name: str):
    from src.pipeline import load_config

    return next(r for r in load_config() if r.name == name)


def _relocate(namespace: dict):
    from src.lab_kernel import relocate_one_off
    from src.pipeline import load_config

    return relocate_one_off(
        namespace, load_config(), lambda name: ROOT / "build/adhoc" / f"{name}-t"
    )


@pytest.mark.parametrize("name", ["figures_calendar", "figures_fiscal", "clean_foia", "claims"])
def test_a_run_with_a_reports_own_parameters_moves_nothing(name):
    namespace = {**_report(name).parameters, "unrelated": 1}
    assert _relocate(namespace) is None
    assert namespace == {**_report(name).parameters, "unrelated": 1}


def test_a_run_with_other_parameters_writes_its_outputs_under_build_adhoc():
    """03_figures with its calendar defaults but year_basis = "fiscal": its chart folder moves
    under build/adhoc/<report>-<time>/ (same relative path), its input stays, the note says what
    differs and where the files go, and the check after the next cell moves nothing more."""
    calendar = _report("figures_calendar").parameters
    namespace = {**calendar, "year_basis": "fiscal", "charts": None}
    relocation = _relocate(namespace)
    assert relocation is not None and relocation.report == "figures_calendar"
    assert namespace["figures_dir"] == f"build/adhoc/figures_calendar-t/{calendar['figures_dir']}"
    assert namespace["cases_path"] == calendar["cases_path"]  # an input: read as published
    note = relocation.note()
    assert "year_basis = 'fiscal'" in note and "build/adhoc/figures_calendar-t/" in note
    assert "figures_dir" in note
    assert _relocate(namespace) is None  # already moved


def test_a_cleaning_run_with_other_parameters_writes_its_table_under_build_adhoc():
    clean = _report("clean_foia").parameters
    namespace = {**clean, "strict": not clean["strict"]}
    relocation = _relocate(namespace)
    assert namespace["processed_dir"] == f"build/adhoc/clean_foia-t/{clean['processed_dir']}"
    assert namespace["raw_path"] == clean["raw_path"]
    assert set(relocation.moved) == {"processed_dir"} and set(relocation.changed) == {"strict"}


def test_an_output_pointed_at_another_published_folder_is_moved_too():
    calendar = _report("figures_calendar").parameters
    namespace = {**calendar, "figures_dir": "reports/figures/mine"}
    relocation = _relocate(namespace)
    assert namespace["figures_dir"] == "build/adhoc/figures_calendar-t/reports/figures/mine"
    assert relocation.changed == {"figures_dir": "reports/figures/mine"}


def test_outputs_already_outside_published_folders_are_left_where_they_are():
    """A `make scratch` copy (outputs under build/adhoc/) or an analyst's own folder."""
    calendar = _report("figures_calendar").parameters
    namespace = {**calendar, "year_basis": "fiscal", "figures_dir": "build/adhoc/mine/figures"}
    assert _relocate(namespace) is None
    assert namespace["figures_dir"] == "build/adhoc/mine/figures"
    assert _relocate({"year_basis": "fiscal"}) is None  # not a report's parameters


class _FakeShell:
    """What the extension uses of an IPython shell: its variables and its event hooks."""

    def __init__(self):
        self.user_ns, self.hooks = {}, []
        self.events = self  # IPython's shell.events.register(event, hook)

    def register(self, event, hook):
        self.hooks.append((event, hook))


def test_the_kernel_extension_acts_only_in_make_labs_kernels(capsys):
    from src import lab_kernel

    Shell = _FakeShell
    plain = Shell()
    lab_kernel.load_ipython_extension(plain, env={})
    assert plain.events.hooks == []
    shell = Shell()
    notebook = str(ROOT / "notebooks" / "03_figures.ipynb")  # as JupyterLab's session names it
    env = {"STCA_PUBLISHED_UNCHANGED": "1", "JPY_SESSION_NAME": notebook}
    lab_kernel.load_ipython_extension(shell, env=env)
    [(event, hook)] = shell.events.hooks
    assert event == "post_run_cell"
    calendar = _report("figures_calendar").parameters
    shell.user_ns.update({**calendar, "year_basis": "fiscal"})
    hook(None)
    assert shell.user_ns["figures_dir"].startswith("build/adhoc/figures_calendar-")
    first = capsys.readouterr().out
    # once per kernel: where an edit of this pipeline notebook is kept
    assert "notebooks/scratch/03_figures-edited.ipynb" in first and "Save a copy" in first
    hook(None)
    assert "edited" not in capsys.readouterr().out
    # a value that cannot be compared is a difference, not an error after every cell
    shell.user_ns.update({**calendar, "first_year": __import__("numpy").array([2005, 2006])})
    hook(None)
    assert shell.user_ns["figures_dir"].startswith("build/adhoc/figures_calendar-")
    assert "did not run" not in capsys.readouterr().out
    for other_env in ({**env, "STCA_LAB_EDIT": "1"},
                      {**env, "JPY_SESSION_NAME": str(ROOT / "notebooks/scratch/mine.ipynb")}):  # fmt: skip
        other = Shell()
        lab_kernel.load_ipython_extension(other, env=other_env)
        other.events.hooks[0][1](None)
        assert "edited" not in capsys.readouterr().out
    # the kernel command JupyterLab runs loads it
    manager = lab.ProjectKernelManager(kernel_name="python3")
    assert lab_kernel.KERNEL_ARGUMENT in manager.format_kernel_cmd()


def test_a_failing_one_off_check_says_so_once_and_never_breaks_a_cell(monkeypatch, capsys):
    from src import lab_kernel

    shell = _FakeShell()
    lab_kernel.load_ipython_extension(shell, env={"STCA_PUBLISHED_UNCHANGED": "1"})
    hooks = [hook for _, hook in shell.events.hooks]

    def broken(path):
        raise OSError(f"{path}: unreadable")

    monkeypatch.setattr(lab_kernel, "load_config", broken)
    for _ in range(3):
        hooks[0](None)  # no exception reaches the cell
    said = capsys.readouterr().out
    assert said.count("did not run") == 1 and "unreadable" in said
