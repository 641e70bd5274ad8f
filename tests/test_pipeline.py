"""The pipeline: Snakemake rules generated from pipeline.yml, a full build in a throwaway copy of
the repository, and smoke tests that pin the engine's semantics we rely on (touch, content
change, parameter change, deleted output, failing notebook, ad hoc runs)."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest
import yaml
from pipeline_util import clone_built, executed_reports, planned_jobs, run_make

from src import dag, deps, pipeline

REPORT_NAMES = [r.name for r in pipeline.load_config()]


def test_config_entries_are_complete():
    reports = pipeline.load_config()
    names = [r.name for r in reports]  # listed in the story's order (the index follows it)
    assert names[0] == "figures_calendar"  # the story starts with who came from Canada
    shelves = [r.shelf for r in reports]
    assert shelves == sorted(shelves, key=["story", "analysts"].index)  # the analysts' last
    for r in reports:
        assert isinstance(r.outputs, list) and isinstance(r.inputs, list)
        assert r.title and r.summary


def test_config_errors_name_the_entry(tmp_path):
    bad = tmp_path / "pipeline.yml"
    bad.write_text(
        yaml.safe_dump(
            {"reports": [{"name": "x", "notebook": "nope.ipynb", "title": "t", "summary": "s"}]}
        )
    )
    with pytest.raises(
        pipeline.ConfigError, match=r"reports\[0\]: notebook nope.ipynb does not exist"
    ):
        pipeline.load_config(bad)
    bad.write_text(yaml.safe_dump({"reports": [{"name": "x", "colour": "red"}]}))
    with pytest.raises(pipeline.ConfigError, match="unknown keys"):
        pipeline.load_config(bad)


def test_the_graph_comes_from_inputs_and_outputs():
    """Snakemake's own graph (its --dag), which pipeline.yml's inputs and outputs make."""
    graph = dag.parse_dot(dag.snakemake_dot())
    upstream = {n: {a for a, b in graph.edges if b == n} for n in graph.nodes}
    assert upstream["clean_foia"] == set() and upstream["both_directions"] == set()
    assert upstream["claims"] == {"clean_foia", "both_directions"}
    assert upstream["figures_calendar"] == {"clean_foia"}
    assert upstream["site"] >= set(REPORT_NAMES) | {"pipeline_picture"}


def test_figures_need_a_folder_and_every_chart_file_is_an_output(tmp_path):
    bad = tmp_path / "pipeline.yml"
    bad.write_text(yaml.safe_dump({"reports": [{"name": "x", "notebook": "notebooks/00_start_here.ipynb",
                                                 "title": "t", "summary": "s", "figures": ["a"]}]}))  # fmt: skip
    with pytest.raises(pipeline.ConfigError, match=r"reports\[0\]: 'figures' needs a figures_dir"):
        pipeline.load_config(bad)
    calendar = pipeline.get_report("figures_calendar")
    folder = calendar.parameters["figures_dir"]
    for name in calendar.figures:
        for ext in ("csv", "png", "svg"):
            assert f"{folder}/{name}.{ext}" in calendar.products
        assert f"{folder}/{name}-narrow.png" in calendar.products  # the phone rendition
    assert f"{folder}/figures.json" in calendar.products


def test_shelves_and_the_story_order(tmp_path):
    """A page is on the story shelf (read in pipeline.yml's order) or the analysts'; any other
    shelf is refused by name, and the last story page links no next one."""
    bad = tmp_path / "pipeline.yml"
    bad.write_text(yaml.safe_dump({"reports": [{"name": "x", "notebook": "notebooks/00_start_here.ipynb",
                                                 "title": "t", "summary": "s", "shelf": "attic"}]}))  # fmt: skip
    with pytest.raises(pipeline.ConfigError, match=r"reports\[0\]: 'shelf' is one of"):
        pipeline.load_config(bad)
    reports = pipeline.load_config()
    story = [r.name for r in reports if r.shelf == "story"]
    assert len(story) >= 3
    for here, there in zip(story, story[1:], strict=False):
        assert pipeline.next_in_story(here, reports).name == there
    assert pipeline.next_in_story(story[-1], reports) is None
    analyst = next(r.name for r in reports if r.shelf == "analysts")
    assert pipeline.next_in_story(analyst, reports) is None


def test_code_inputs_are_derived_from_imports():
    """The modules each notebook imports, followed through src/, are its code inputs: none is
    listed by hand in pipeline.yml any more."""
    for report in pipeline.load_config():
        assert not [i for i in report.inputs if i.startswith("src/")], report.name
    clean = deps.code_dependencies("notebooks/01_clean_foia.ipynb")
    assert {"src/clean.py", "src/workbook.py", "src/parsers.py", "src/schema.py"} <= set(clean)
    figures = deps.code_dependencies("notebooks/03_figures.ipynb")
    assert {"src/figures.py", "src/views.py", "src/metrics.py"} <= set(figures)
    assert "src/clean.py" not in figures and "src/run.py" not in clean


def test_imports_are_read_from_source_not_run(tmp_path):
    pkg = tmp_path / "src"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "import os\nfrom . import b\n\ndef f():\n    from src.c import thing\n"
    )
    (pkg / "b.py").write_text("raise SystemExit('imported!')\n")
    (pkg / "c.py").write_text("from .d import x\n")
    (pkg / "d.py").write_text("x = 1\n")
    (pkg / "unused.py").write_text("")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\n!ls\nfrom src import a")]
    nbformat.write(nb, str(tmp_path / "n.ipynb"))
    found = deps.code_dependencies(tmp_path / "n.ipynb", root=tmp_path)
    assert found == ["src/__init__.py", "src/a.py", "src/b.py", "src/c.py", "src/d.py"]


@pytest.mark.slow
def test_full_build_writes_every_report_and_processed_file(built_repo):
    repo, result = built_repo
    assert executed_reports(result.stderr) == sorted(REPORT_NAMES)
    for report in pipeline.load_config():
        assert (repo / "reports" / f"{report.name}.html").stat().st_size > 10_000
        for product in report.products:
            assert (repo / product).exists(), product
    for out in (
        "stca_cases.csv",
        "rejected_rows.csv",
        "cleaning_summary.json",
        "claims_verdicts.csv",
        "border_flows.csv",
    ):
        assert (repo / "data" / "processed" / out).exists()
    flows = pd.read_csv(repo / "data" / "processed" / "border_flows.csv", dtype={"period": str})
    assert set(flows["status"]) == {"official", "derived"} and len(flows) > 8000
    summary = json.loads((repo / "data" / "processed" / "cleaning_summary.json").read_text())
    assert summary["rows"]["kept"] == 466 and summary["rows"]["balanced"]
    index = (repo / "reports" / "index.html").read_text()
    for name in REPORT_NAMES:
        assert f'href="{name}.html"' in index
    # the shelves list the story's pages in pipeline.yml's order, then the analysts' pages
    places = [index.index(f'<li id="{name}">') for name in REPORT_NAMES]
    assert places == sorted(places)
    assert "[clean_foia] cell 1/" in result.stderr  # progress is visible
    assert "[site] ✓" in result.stderr
    assert not list((repo / "notebooks").glob("*-executed*"))
    source = nbformat.read(repo / "notebooks" / "01_clean_foia.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in source.cells if c.cell_type == "code")
    # the pipeline's picture is on the methodology page, described for screen readers
    methodology = (repo / "reports" / "provenance.html").read_text()
    assert 'src="figures/pipeline/pipeline.svg"' in methodology
    assert "clean_foia feeds" in methodology


@pytest.mark.slow
def test_parameters_reach_the_notebook_as_yaml_strings(built_repo):
    repo, _ = built_repo
    executed = nbformat.read(repo / "build" / "executed" / "clean_foia.ipynb", as_version=4)
    injected = next(
        c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])
    )
    assert 'period_end = "2017-03-31"' in injected.source  # from defaults in pipeline.yml
    assert injected["id"] == "injected-parameters"
    # a default goes only to the notebooks whose parameters cell declares it
    figures = nbformat.read(repo / "build" / "executed" / "figures_calendar.ipynb", as_version=4)
    injected = next(c for c in figures.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "period_end" not in injected.source and 'year_basis = "calendar"' in injected.source


@pytest.mark.slow
def test_second_build_executes_nothing(built_repo, tmp_path):
    repo = clone_built(built_repo[0], tmp_path)
    again = run_make(repo, "reports")
    assert again.returncode == 0, again.stderr[-3000:]
    assert executed_reports(again.stderr) == [] and "[site]" not in again.stderr
    assert "Nothing to be done" in again.stderr


@pytest.mark.slow
def test_touching_every_input_reruns_nothing(built_repo, tmp_path):
    import os

    repo = clone_built(built_repo[0], tmp_path)
    for folder in ("notebooks", "src", "data/raw", "references", "templates"):
        for path in (repo / folder).rglob("*"):
            if path.is_file():
                os.utime(path)
    for name in ("pipeline.yml", "requirements.lock", "Snakefile"):
        os.utime(repo / name)
    again = run_make(repo, "reports")
    assert again.returncode == 0, again.stderr[-3000:]
    assert executed_reports(again.stderr) == [] and "[site]" not in again.stderr


@pytest.mark.slow
def test_changing_one_notebook_reruns_only_it_and_the_site(built_repo, tmp_path):
    repo = clone_built(built_repo[0], tmp_path)
    path = repo / "notebooks" / "04_canada_context.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("An added note."))
    nbformat.write(nb, str(path))
    again = run_make(repo, "reports")
    assert again.returncode == 0, again.stderr[-3000:]
    assert executed_reports(again.stderr) == ["canada_context"]
    assert "[site] ✓" in again.stderr


@pytest.mark.slow
def test_a_same_size_edit_with_its_timestamp_restored_is_seen(built_repo, tmp_path):
    """Content, not timestamps: an edit that keeps a file's size and modification time still
    re-runs the reports that read it."""
    import os

    repo = clone_built(built_repo[0], tmp_path)
    path = repo / "data" / "raw" / "context" / "stca_context_figures.csv"
    st = path.stat()
    text = path.read_text()
    edited = text.replace("2017", "2071", 1)
    assert edited != text and len(edited) == len(text)
    path.write_text(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    again = run_make(repo, "plan")
    assert again.returncode == 0, again.stderr[-3000:]
    readers = {r.name for r in pipeline.load_config() if "data/raw/context" in r.inputs}
    assert readers and set(planned_jobs(again.stdout)) >= readers


@pytest.mark.slow
def test_a_deleted_chart_file_or_download_is_rebuilt(built_repo, tmp_path):
    repo = clone_built(built_repo[0], tmp_path)
    chart = repo / "reports" / "figures" / "figures_calendar" / "exceptions.png"
    download = repo / "reports" / "data" / "border_flows.csv"
    before = chart.read_bytes(), download.read_bytes()
    chart.unlink()
    download.unlink()
    again = run_make(repo, "reports")
    assert again.returncode == 0, again.stderr[-3000:]
    assert executed_reports(again.stderr) == ["figures_calendar"]  # and the site, for the download
    assert (chart.read_bytes(), download.read_bytes()) == before


@pytest.mark.slow
def test_a_new_module_imported_through_figures_reruns_the_figure_reports_only(built_repo, tmp_path):
    repo = clone_built(built_repo[0], tmp_path)
    (repo / "src" / "chart_extras.py").write_text("EXTRA = 1\n")
    figures = repo / "src" / "figures.py"
    figures.write_text(figures.read_text().replace(
        "from __future__ import annotations\n",
        "from __future__ import annotations\n\nfrom src import chart_extras  # noqa: F401\n", 1))  # fmt: skip
    first = run_make(repo, "reports")
    assert first.returncode == 0, first.stderr[-3000:]
    importers = {r.name for r in pipeline.load_config()
                 if "src/figures.py" in deps.code_dependencies(r.notebook)}  # fmt: skip
    assert {"figures_calendar", "figures_fiscal"} <= importers and "clean_foia" not in importers
    assert executed_reports(first.stderr) == sorted(importers)
    # and the new module, which no pipeline.yml entry names, is now an input of each of them
    (repo / "src" / "chart_extras.py").write_text("EXTRA = 2\n")
    plan = run_make(repo, "plan")
    assert plan.returncode == 0, plan.stderr[-3000:]
    assert planned_jobs(plan.stdout) == sorted([*importers, "all", "site"])
    assert "src/chart_extras.py" in plan.stdout  # the reason names it


def test_src_modules_import_each_other_without_a_cycle():
    """No module of src/ imports, through others, one that imports it back (imports inside
    functions count), so none needs an import hidden in a function to load."""
    from src.helpers import ROOT

    modules = sorted((ROOT / "src").glob("*.py"))
    direct = {m: deps._direct(m, ROOT) - {m} for m in modules}
    for module in modules:
        for other in direct[module]:
            back = deps.closure({other}) - {other}
            assert module not in back, f"{module.name} -> {other.name} -> ... -> {module.name}"


def test_most_modules_rerun_only_the_reports_that_use_them():
    """A change to a module re-runs the reports whose code imports it; only the shared
    foundations (paths and writing, statuses, labels and country names, the page helpers and
    the citation every chart carries) re-run every report. Display code does not import the claims ledger, the charts or the cleaner."""
    reports = pipeline.load_config()
    users: dict[str, set[str]] = {}
    for report in reports:
        for path in deps.code_dependencies(report.notebook):
            users.setdefault(path, set()).add(report.name)
    everywhere = sorted(p for p, names in users.items() if len(names) == len(reports))
    assert everywhere == ["src/__init__.py", "src/credits.py", "src/datasets.py", "src/helpers.py",
                          "src/page.py", "src/parsers.py", "src/status.py", "src/summary.py"]  # fmt: skip
    assert users["src/claims.py"] == {"claims"}
    assert users["src/clean.py"] == {"clean_foia"}
    assert users["src/figures.py"] == {"figures_calendar", "figures_fiscal"}
    assert "src/run.py" not in users and "src/site.py" not in users


@pytest.mark.slow
def test_a_parameter_change_reruns_that_report_and_what_reads_its_outputs(built_repo, tmp_path):
    repo = clone_built(built_repo[0], tmp_path)
    config = yaml.safe_load((repo / "pipeline.yml").read_text())
    entry = next(r for r in config["reports"] if r["name"] == "figures_calendar")
    entry["parameters"]["top_nationalities"] = 12
    (repo / "pipeline.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    again = run_make(repo, "reports")
    assert again.returncode == 0, again.stderr[-3000:]
    assert executed_reports(again.stderr) == ["figures_calendar"]
    # the data period: the cleaner's outputs will change, so every report reading them runs too
    config["defaults"]["parameters"]["period_end"] = "2017-03-15"
    (repo / "pipeline.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    plan = run_make(repo, "plan")
    assert plan.returncode == 0, plan.stderr[-3000:]
    readers = {r.name for r in pipeline.load_config()
               if "data/processed/stca_cases.csv" in r.inputs}  # fmt: skip
    # (pipeline.yml is also what the pipeline's picture is drawn from)
    assert planned_jobs(plan.stdout) == sorted(
        {"clean_foia", *readers, "all", "site", "pipeline_picture"}
    )
    assert "both_directions" not in planned_jobs(plan.stdout)


@pytest.mark.slow
def test_failing_notebook_fails_the_build_and_leaves_no_report(built_repo, tmp_path):
    repo = clone_built(built_repo[0], tmp_path)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("divisor = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print('about to fail')\n1 / divisor")]
    nbformat.write(nb, str(repo / "notebooks" / "99_broken.ipynb"))
    config = yaml.safe_load((repo / "pipeline.yml").read_text())
    config["reports"].append(
        {
            "name": "broken",
            "notebook": "notebooks/99_broken.ipynb",
            "title": "Broken",
            "summary": "fails on purpose",
            "outputs": [],
        }
    )
    (repo / "pipeline.yml").write_text(yaml.safe_dump(config))
    (repo / "reports" / "broken.html").write_text("stale report from an earlier run")

    result = run_make(repo, "reports")
    assert result.returncode != 0
    assert "[broken] ✗ FAILED in notebooks/99_broken.ipynb, cell 3 of 3" in result.stderr
    assert "ZeroDivisionError" in result.stderr and "1 / divisor" in result.stderr
    assert (repo / "build" / "failed" / "broken.ipynb").exists()
    assert not (repo / "reports" / "broken.html").exists()
    assert not (repo / "reports" / "broken-full.html").exists()
    assert not (repo / "build" / "executed" / "broken.ipynb").exists()
    assert not (repo / "reports" / "index.html").exists()  # it would link a report that failed


@pytest.mark.slow
def test_run_one_notebook_with_other_parameters_writes_only_under_build_adhoc(built_repo, tmp_path):
    from src.helpers import compute_manifest

    repo = clone_built(built_repo[0], tmp_path)
    built = {f: compute_manifest(repo / f) for f in ("reports", "data/processed")}
    params = tmp_path / "fiscal.yml"
    params.write_text("year_basis: fiscal\nfirst_year: 2008\nlast_year: 2012\n")
    result = run_make(repo, "run", "NB=figures_calendar", f"PARAMS={params}", "OUT=build/adhoc/fy")
    assert result.returncode == 0, result.stderr[-3000:]
    out = repo / "build" / "adhoc" / "fy"
    assert (out / "figures_calendar.html").exists() and (out / "figures_calendar.ipynb").exists()
    # figures_dir, which the run did not set, was moved under the run's folder
    table = (out / "reports" / "figures" / "figures_calendar" / "cases_per_year.csv").read_text()
    assert table.splitlines()[1].startswith("2008,") and len(table.splitlines()) == 6
    assert {f: compute_manifest(repo / f) for f in built} == built
    # its title says what it is, and every link on its pages works from where they are
    import re
    from urllib.parse import unquote, urlparse

    for page in ("figures_calendar.html", "figures_calendar-full.html"):
        html = (out / page).read_text()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert "calendar years" not in title and "year_basis = fiscal" in title, title
        hrefs = re.findall(r'(?:href|src)="([^"#]+)', html)
        local = [h for h in hrefs if not urlparse(h).scheme]
        assert local, page
        dead = [h for h in local if not (out / unquote(h)).exists()]
        assert dead == [], f"{page}: {dead}"
    # a parameter pointing an output into reports/ is refused by name, and nothing is written
    params.write_text("figures_dir: reports/figures/elsewhere\n")
    refused = run_make(repo, "run", "NB=figures_calendar", f"PARAMS={params}", "OUT=build/adhoc/x")
    assert refused.returncode != 0
    assert "reports/figures/elsewhere" in refused.stderr and "only `make reports`" in refused.stderr
    assert not (repo / "reports" / "figures" / "elsewhere").exists()
    assert {f: compute_manifest(repo / f) for f in built} == built


@pytest.mark.slow
def test_the_cluster_profile_dry_runs(built_repo, tmp_path):
    """profiles/slurm is read and planned by Snakemake with the SLURM executor (nothing is
    submitted: -n), so the cluster path cannot rot unnoticed."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = clone_built(built_repo[0], tmp_path)
    (repo / "reports" / "figures" / "figures_calendar" / "exceptions.svg").unlink()
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(sys.prefix) / "cluster"), str(repo)])
    result = subprocess.run(
        [str(Path(sys.prefix) / "bin" / "snakemake"), "--profile", "profiles/slurm", "-n"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert "slurm_partition=short" in out and "figures_calendar" in out
    assert "This was a dry-run" in out


@pytest.mark.slow
def test_real_release_dropped_in_replaces_the_standin(built_repo, tmp_path):
    """An analyst adds a (here: CSV) release beside the stand-in and records its checksum: the
    pipeline picks it up unchanged and the stand-in notices disappear."""
    from src import standin

    repo = clone_built(built_repo[0], tmp_path)
    rows = ["Record ID,Date of Screening,Citizenship,Exception Type,ER,POE"]
    labels = {
        "family_member": "Family Member",
        "unaccompanied_minor": "Unaccompanied Minor",
        "valid_status": "Valid visa",
        "public_interest": "Public Interest",
    }
    for i, p in enumerate(standin.make_people(), 1):
        er = {True: "Y", False: "N", None: ""}[p["expedited_removal"]]
        rows.append(
            f'R{i:05d},{p["date"]:%Y-%m-%d},"{p["citizenship"].strip()}",{labels[p["exception"]]},{er},"{p["port"]}"'
        )
    (repo / "data" / "raw" / "foia" / "uscis_release.csv").write_text("\n".join(rows) + "\n")
    assert run_make(repo, "manifest").returncode == 0
    result = run_make(repo, "reports")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((repo / "data" / "processed" / "cleaning_summary.json").read_text())
    assert (
        summary["source_file"] == "data/raw/foia/uscis_release.csv"
        and summary["is_standin"] is False
    )
    for page in ("index.html", "clean_foia.html", "claims.html", "figures_calendar.html"):
        assert 'class="standin-notice"' not in (repo / "reports" / page).read_text(), page
    figures_index = (repo / "reports" / "figures" / "figures_calendar" / "figures.json").read_text()
    assert "illustrative" not in figures_index and "STAND-IN" not in figures_index
    # the same ledger gives real verdicts: every checked claim rests on the release, on official
    # figures, on a news report's figure (the 2016 RCMP base) or on the official record of the
    # law, and none reads "consistent (by construction)"
    verdicts = pd.read_csv(repo / "data" / "processed" / "claims_verdicts.csv")
    checked = verdicts[verdicts["basis"] != "no data can test it"]
    assert set(checked["basis"]) == {
        "real release", "official figures", "a news report's figure (with official figures)",
        "the official record (law and regulation)",
    }  # fmt: skip
    assert (checked["basis"] == "real release").sum() >= 15
    assert set(checked["verdict"]) == {"supported", "not checkable"}
    assert set(checked.loc[checked["verdict"] == "not checkable", "basis"]) == {"official figures"}
    for csv in (repo / "reports" / "figures").glob("*/*.csv"):
        assert not pd.read_csv(csv)["status"].isin(["illustrative", "bound"]).any(), csv
