"""The notebook pipeline's pieces: pipeline.yml, the HTML renderings, the index page.

`make reports` is src/build.py (what is stale, in one process). Commands here
(`python -m src.pipeline --help`):
  run NAME|NB --adhoc   run one notebook with other parameters (--params-file), into build/adhoc/
                        only: reports/ and the build records are not touched
  index                 write reports/index.html from pipeline.yml and the executed notebooks
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from src.helpers import (
    PROVENANCE_PAGE,
    ROOT,
    dates_as_text,
    relative_to_root,
    repo_path,
    write_text_atomic,
)

CONFIG = ROOT / "pipeline.yml"
BUILD = ROOT / "build"
TEMPLATES = ROOT / "templates"
REPORTS = ROOT / "reports"
INJECTED_CELL_ID = "injected-parameters"
DEFAULT_TIMEOUT = 600


@dataclass
class Report:
    """One entry of pipeline.yml: a notebook, its parameters, and what it reads and writes."""

    name: str
    notebook: str
    title: str
    summary: str
    parameters: dict = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    execution_timeout: int = DEFAULT_TIMEOUT
    data: str = "foia"  # "official": built only from official files; "foia": from the FOIA table

    @property
    def executed(self) -> Path:
        return BUILD / "executed" / f"{self.name}.ipynb"

    @property
    def html(self) -> Path:
        return REPORTS / f"{self.name}.html"

    @property
    def html_full(self) -> Path:
        return REPORTS / f"{self.name}-full.html"


class ConfigError(ValueError):
    """pipeline.yml is malformed; the message names the entry and key."""


def read_parameters(path: str | Path) -> dict:
    """A YAML file of notebook parameters as a dict; dates as ISO text. SystemExit naming the
    file when it is not a mapping or not YAML."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SystemExit(f"{path}: cannot read the parameters file: {exc}") from exc
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a mapping of parameter names to values")
    return dates_as_text(data)


def declared_parameters(notebook: Path) -> set[str]:
    """Names the notebook's `parameters` cell assigns (read as JSON and parsed, not run)."""
    import ast

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    names: set[str] = set()
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
    return names


def load_config(path: Path = CONFIG) -> list[Report]:
    """Read pipeline.yml into Report entries, checking names, notebooks and keys."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    defaults = data.get("defaults", {})
    reports: list[Report] = []
    seen: set[str] = set()
    for i, entry in enumerate(data.get("reports", [])):
        where = f"{path.name}: reports[{i}]"
        unknown = set(entry) - set(Report.__dataclass_fields__)
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("name", "notebook", "title", "summary"):
            if not entry.get(key):
                raise ConfigError(f"{where}: '{key}' is required")
        if entry["name"] in seen:
            raise ConfigError(f"{where}: duplicate name {entry['name']!r}")
        seen.add(entry["name"])
        if not repo_path(entry["notebook"]).exists():
            raise ConfigError(f"{where}: notebook {entry['notebook']} does not exist")
        merged = {**{k: v for k, v in defaults.items() if k != "parameters"}, **entry}
        declared = declared_parameters(repo_path(entry["notebook"]))
        shared = {k: v for k, v in defaults.get("parameters", {}).items() if k in declared}
        merged["parameters"] = dates_as_text({**shared, **entry.get("parameters", {})})
        reports.append(Report(**merged))
    return reports


def get_report(name: str, reports: list[Report] | None = None) -> Report:
    """The pipeline entry called `name` (KeyError listing the valid names otherwise)."""
    reports = load_config() if reports is None else reports
    for report in reports:
        if report.name == name:
            return report
    raise KeyError(
        f"no report {name!r} in pipeline.yml; known: {', '.join(r.name for r in reports)}"
    )


# ---------------------------------------------------------------- make rules


def expand_inputs(paths: list[str]) -> tuple[list[str], list[str]]:
    """Expand folders into the files below them; return (files, folders) as root-relative paths."""
    files, folders = [], []
    for item in paths:
        p = repo_path(item)
        if p.is_dir():
            folders.append(relative_to_root(p))
            for sub in sorted(p.rglob("*")):
                if sub.is_dir():
                    folders.append(relative_to_root(sub))
                elif not sub.name.startswith("."):
                    files.append(relative_to_root(sub))
        else:
            files.append(relative_to_root(p))
    return files, folders


# ---------------------------------------------------------------- running one notebook


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def finalise_notebook(nb) -> None:
    """Make the executed notebook deterministic: fixed id for papermill's injected cell, no
    timestamps or durations in metadata."""
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = INJECTED_CELL_ID
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    papermill_meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        papermill_meta.pop(key, None)


ANALYST_TAG = "analyst"  # cells for analysts only: left out of the published rendering


def export_html(
    nb, report_name: str, title: str, notebook: str, parameters: dict, published: Path, full: Path
) -> None:
    """Write the two renderings: `published` for readers (no code, no cells tagged 'analyst', no
    parameters) and `full` for analysts (code, every cell, and a note of the run's parameters).
    Bare web addresses become links in both."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    from src.site import add_contents, linkify

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    for target, with_code in ((published, False), (full, True)):
        exporter = HTMLExporter(
            template_name="stca",
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=not with_code,
            exclude_input_prompt=not with_code,
            exclude_output_prompt=True,
        )
        if not with_code:
            exporter.register_preprocessor(
                TagRemovePreprocessor(remove_cell_tags={ANALYST_TAG}, enabled=True), enabled=True
            )
        other = (
            {"href": full.name, "label": "Version with code (for analysts)"}
            if not with_code
            else {"href": published.name, "label": "Published version (no code)"}
        )
        resources = {
            "metadata": {"name": report_name},
            "stca": {
                "parameters": parameters if with_code else None,
                "notebook": notebook,
                "other_rendering": other,
            },
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        write_text_atomic(target, add_contents(linkify(body)))


def run_adhoc(report: Report, extra_parameters: dict | None = None) -> int:
    """Run one notebook with other parameters into build/adhoc/ (executed notebook and both
    renderings), on the build's executor. Returns a process exit code."""
    import asyncio

    from src.build import Kernel, StepFailed, execute, kernel_env

    parameters = {**report.parameters, **(extra_parameters or {})}
    out_dir = BUILD / "adhoc"

    async def run() -> None:
        kernel = await Kernel.start(kernel_env())
        try:
            await execute(report, kernel, parameters, out_dir, out_dir / f"{report.name}.html",
                          out_dir / f"{report.name}-full.html", check_outputs=False)  # fmt: skip
        finally:
            await kernel.shutdown()

    _log(f"[{report.name}] ▶ {report.notebook} with {json.dumps(parameters, sort_keys=True)}")
    started = time.monotonic()
    try:
        asyncio.run(run())
    except StepFailed as err:
        _log(str(err).replace("Its reports were removed so nothing stale looks current.", ""))
        return 1
    _log(
        f"[{report.name}] ✓ done in {time.monotonic() - started:.1f}s -> {relative_to_root(out_dir)}"
    )
    return 0


# ---------------------------------------------------------------- the index page


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def build_facts() -> dict:
    """Git commit, its date (not the wall clock, so rebuilds match) and the raw-data checksums."""
    from src.helpers import MANIFEST_NAME, RAW_DIR, sha256_file

    summary_path = ROOT / "data" / "processed" / "cleaning_summary.json"
    from src.summary import CleaningSummary

    summary = (
        CleaningSummary.from_dict(json.loads(summary_path.read_text()), str(summary_path))
        if summary_path.exists()
        else None
    )
    manifest = RAW_DIR / MANIFEST_NAME
    return {
        "commit": _git("rev-parse", "--short=12", "HEAD") or "not a git checkout",
        "commit_date": _git("show", "-s", "--format=%cI", "HEAD") or "unknown",
        "foia_file": summary.source_file if summary else "not built",
        "foia_sha256": summary.source_sha256 if summary else "",
        "is_standin": summary.is_standin if summary else True,
        "manifest_sha256": sha256_file(manifest) if manifest.exists() else "",
        # only a web address git knows (never a guessed one; a local clone has none)
        "repository_url": next(
            (u for u in [_git("remote", "get-url", "origin")] if u.startswith("https://")), ""
        ),
    }


def build_index(reports: list[Report]) -> Path:
    """Write reports/index.html: each report's title, summary, both renderings, figure CSVs."""
    import jinja2

    entries = []
    for report in reports:
        figures, rows = [], {}
        if report.parameters.get("figures_dir"):
            folder = repo_path(report.parameters["figures_dir"])
            figures = [relative_to_root(p) for p in sorted(folder.glob("*.csv"))]
            index = folder / "figures.json"
            if index.exists():  # what one row of each chart's CSV is, and how to sum it
                rows = {e["name"]: e.get("row", "") for e in json.loads(index.read_text("utf-8"))}
        entries.append(
            {
                "name": report.name,
                "title": report.title,
                "summary": report.summary,
                "html": report.html.name if report.html.exists() else None,
                "html_full": report.html_full.name if report.html_full.exists() else None,
                "figure_csvs": [os.path.relpath(repo_path(f), REPORTS) for f in figures],
                "figure_rows": {
                    os.path.relpath(repo_path(f), REPORTS): rows.get(Path(f).stem, "")
                    for f in figures
                },
                "parameters": report.parameters,
                "data": report.data,
            }
        )
    # Reports built only on official files first (they hold real numbers), in pipeline order.
    entries.sort(key=lambda e: e["data"] != "official")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    from src import site

    facts = build_facts()
    build_provenance_page(env)
    html = env.get_template("index.html.j2").render(
        reports=entries,
        facts=facts,
        provenance_href=PROVENANCE_PAGE,
        findings=site.key_findings(facts["is_standin"]),
        datasets=site.publish_datasets(),
        article_url=site.ARTICLE_URL,
        repository_url=facts["repository_url"],
    )
    return write_text_atomic(REPORTS / "index.html", html)


def build_provenance_page(env) -> Path:
    """reports/provenance.html: the methodology and limitations page, written for readers
    (sources with links, what each measure counts, assumptions, revisions), so the notices' link
    works wherever reports/ is published. Maintainer notes stay in data/raw/PROVENANCE.md."""
    from src.site import methodology_facts

    html = env.get_template("provenance.html.j2").render(facts=methodology_facts())
    return write_text_atomic(REPORTS / PROVENANCE_PAGE, html)


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m src.pipeline", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one notebook with other parameters (build/adhoc/)")
    run.add_argument("name", help="a report name from pipeline.yml, or a notebook path")
    run.add_argument(
        "--adhoc", action="store_true", help="accepted for compatibility: runs are always ad hoc"
    )
    run.add_argument("--params-file", help="YAML file of parameters (strings stay strings)")
    sub.add_parser("index", help="write reports/index.html")
    args = parser.parse_args(argv)

    if args.command == "index":
        path = build_index(load_config())
        _log(f"[index] ✓ {relative_to_root(path)}")
        return 0
    extra = read_parameters(args.params_file) if args.params_file else {}
    try:
        report = get_report(args.name)
    except KeyError:
        if not repo_path(args.name).exists():
            raise
        nb_path = relative_to_root(repo_path(args.name))
        report = Report(
            name=Path(nb_path).stem,
            notebook=nb_path,
            title=Path(nb_path).stem,
            summary="ad hoc run",
        )
    return run_adhoc(report, extra_parameters=extra)


if __name__ == "__main__":
    raise SystemExit(main())
