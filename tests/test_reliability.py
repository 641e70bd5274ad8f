"""Reliability: bad rows are kept or rejected with a reason, raw data stays untouched even when
the pipeline runs against a read-only data/raw, an interrupted build leaves nothing that looks
finished, and two builds from a clean state are byte-identical."""

from __future__ import annotations

import filecmp
import os
import signal
import subprocess
import time

import pandas as pd
import pytest
from conftest import HEADER, write_xlsx
from pipeline_util import VENV, clone_built, copy_repo, executed_reports, run_make

from src.clean import clean_foia
from src.cleaning_page import unrecognized_table
from src.helpers import compute_manifest

EVIL = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'


def test_entirely_redacted_row_is_rejected_with_a_reason(tmp_path):
    rows = [HEADER, ["(b)(6)"] * 6, ["K-1", "2010-01-01", "Cuba", "UAM", "N", ""]]
    result = clean_foia(write_xlsx(tmp_path / "r.xlsx", {"S": rows}))
    assert len(result.cases) == 1
    assert result.rejected["reason"].tolist() == [
        "year cannot be determined: no date and no fiscal year"
    ]
    assert result.rejected["raw_citizenship"].tolist() == ["(b)(6)"]


def test_very_long_cells_and_markup_are_kept_as_unknown(tmp_path):
    long_name = "Republic of " + "x" * 30_000  # Excel's cell limit is 32,767 characters
    rows = [
        HEADER,
        ["K-1", "2010-01-01", long_name, "UAM", "N", "y" * 20_000],
        ["K-2", "2010-01-02", EVIL, "UAM", "N", ""],
    ]
    result = clean_foia(write_xlsx(tmp_path / "r.xlsx", {"S": rows}))
    assert result.cases["citizenship"].tolist() == ["Unknown", "Unknown"]
    listed = {item["value"] for item in result.summary.unrecognized["citizenship"]}
    assert EVIL in listed
    assert f"{long_name[:200]}… (30012 characters)" in listed
    assert "&lt;script&gt;" in unrecognized_table(result.summary).to_html()
    assert "<script>" not in unrecognized_table(result.summary).to_html()


@pytest.mark.slow
@pytest.mark.browser
def test_markup_in_raw_data_is_escaped_in_the_cleaning_report(built_repo, tmp_path, browser):
    repo = clone_built(built_repo[0], tmp_path)
    raw = write_xlsx(
        tmp_path / "evil.xlsx", {"S": [HEADER, ["K-1", "2010-01-01", EVIL, "Bribery", "N", EVIL]]}
    )
    params = tmp_path / "p.yml"
    # not strict: the file's labels are unknown on purpose; this checks how they are shown
    params.write_text(f"raw_path: {raw}\nprocessed_dir: {tmp_path / 'out'}\nstrict: false\n")
    result = run_make(repo, "run", "NB=clean_foia", f"PARAMS={params}", "OUT=build/adhoc/evil")
    assert result.returncode == 0, result.stderr[-3000:]
    html = repo / "build" / "adhoc" / "evil" / "clean_foia.html"
    assert "<script>document.title" not in html.read_text()
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page.goto(html.as_uri(), wait_until="load")
    assert page.title() != "owned" and dialogs == []
    assert '<script>document.title="owned"</script>' in page.inner_text("body")  # shown as text
    context.close()


def _read_only_make(repo, *targets):
    """Run make with data/raw read-only: a read-only bind mount for root (who ignores file
    modes), plain file modes for anyone else."""
    raw = repo / "data" / "raw"
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(raw)], check=True)
        try:
            return run_make(repo, *targets)
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(raw)], check=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTHONPATH")
    }
    script = (
        f'mount --bind "{raw}" "{raw}" && mount -o remount,ro,bind "{raw}" && '
        f'touch "{raw}/probe" 2>/dev/null && {{ echo "data/raw is writable"; exit 97; }}; '
        f'make {" ".join(targets)} VENV="{VENV}"'
    )
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "bash", "-c", script],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.slow
def test_interrupted_build_leaves_nothing_that_looks_done(built_repo, tmp_path):
    """Ctrl-C while a notebook runs: its pages, its executed notebook and the index are gone (no
    half-written page, nothing that looks current), and the next build finishes the job."""
    repo = clone_built(built_repo[0], tmp_path)
    (repo / "reports" / "figures" / "figures_calendar" / "exceptions.png").unlink()  # to re-run
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTHONPATH")
    }
    proc = subprocess.Popen(
        ["make", "reports", f"VENV={VENV}"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    for line in proc.stdout:  # wait until the figure notebooks are part-way through
        lines.append(line)
        if "[figures_calendar] cell 5/" in line:
            break
    os.killpg(proc.pid, signal.SIGINT)
    proc.communicate(timeout=120)  # drain and close the pipe
    assert proc.returncode != 0
    executed = repo / "build" / "executed"
    assert not (executed / "figures_calendar.ipynb").exists()
    assert not (repo / "reports" / "figures_calendar.html").exists()
    assert not (repo / "reports" / "index.html").exists()
    leftovers = [p for p in repo.rglob("*.tmp")] + list((repo / "build" / "running").glob("*"))
    assert leftovers == [], leftovers
    # the next build finishes the job and produces the same result as an uninterrupted one
    time.sleep(1)
    again = run_make(repo, "reports")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "figures_calendar" in executed_reports(again.stderr)
    assert (repo / "reports" / "index.html").exists()


def _built_files(repo):
    files = {}
    for folder in ("data/processed", "reports"):
        for path in sorted((repo / folder).rglob("*")):
            if path.is_file():
                files[path.relative_to(repo).as_posix()] = path
    return files


@pytest.mark.slow
def test_two_clean_builds_are_byte_identical_and_raw_data_is_only_read(built_repo, tmp_path):
    """A second clean build, with data/raw read-only (a read-only bind mount for root), builds
    every report, leaves data/raw unchanged and writes the same bytes as the first."""
    from src import pipeline

    first = built_repo[0]
    second = copy_repo(tmp_path / "second")
    raw_before = compute_manifest(second / "data" / "raw")
    result = _read_only_make(second, "reports")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert executed_reports(result.stderr) == sorted(r.name for r in pipeline.load_config())
    assert compute_manifest(second / "data" / "raw") == raw_before
    a, b = _built_files(first), _built_files(second)
    assert sorted(a) == sorted(b)
    kinds = {p.rsplit(".", 1)[-1] for p in a}
    assert {"csv", "json", "png", "svg", "html"} <= kinds
    differing = [rel for rel in a if not filecmp.cmp(a[rel], b[rel], shallow=False)]
    assert differing == []  # no field is allowed to differ: see README, "Reproducible builds"
    cases = pd.read_csv(first / "data" / "processed" / "stca_cases.csv")
    assert len(cases) == 466
