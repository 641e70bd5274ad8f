"""The published site's own pages: the index (key findings, each with its status, and every
report with its downloads) and the methodology page (sources, assumptions, revisions and the
pipeline's picture). `python -m src.site` writes them, with the datasets, into reports/; the
Snakefile's `site` rule runs it after every report.

Everything here reads built data (data/processed, the chart folders); it never decides a value's
status itself: statuses come from the data (src/status.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jinja2
import pandas as pd

from src import context, dag
from src.datasets import publish_datasets
from src.helpers import (
    FIGURES_DIR,
    FOIA_DIR,
    MANIFEST_NAME,
    PROCESSED_DIR,
    PROVENANCE_PAGE,
    RAW_DIR,
    REPORTS_DIR,
    ROOT,
    relative_to_root,
    repo_path,
    sha256_file,
    write_text_atomic,
)
from src.pipeline import TEMPLATES, Report, load_config
from src.status import weakest
from src.summary import CleaningSummary

ARTICLE_URL = (
    "https://www.vice.com/en/article/bjdkd5/a-small-number-of-people-are-fleeing-canada-for-the-u-s"
)
PIPELINE_PICTURE = dag.OUT_DIR / "pipeline.svg"  # drawn by src/dag.py

# ---------------------------------------------------------------- key findings

# What a finding's label says, by the weakest status of the values its sentence states.
STATUS_WORDS = {
    "official": "official figures",
    "derived": "our arithmetic on official figures",
    "reported": "our arithmetic on a news report's figure",
    "published": "stated in the article",
    "assumption": "resting on our assumption",
    "bound": "illustrative: stand-in values",
    "illustrative": "illustrative: stand-in values",
}
# The class name a label is drawn with (the stylesheet has one per group).
STATUS_CLASS = {"official": "official", "derived": "derived", "reported": "derived",
                "published": "published", "assumption": "illustrative", "bound": "illustrative",
                "illustrative": "illustrative"}  # fmt: skip


def _figure_titles(report: str) -> list[dict]:
    path = FIGURES_DIR / report / "figures.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def _chart_finding(report: str, name: str, text_after: str = "") -> dict | None:
    """A finding from a chart's title, labelled with the status the chart gives its title (the
    weakest of the values the title states; see figures.Chart.title_status)."""
    for entry in _figure_titles(report):
        if entry["name"] == name:
            return {"text": entry["title"] + text_after, "statuses": [entry["title_status"]],
                    "href": f"{report}.html"}  # fmt: skip
    return None


def _southbound_finding() -> dict | None:
    """IRCC's count of southbound people who had claimed asylum in Canada, beside the Border
    Patrol findings (data/raw/context/stca_context_figures.csv). Its share is our arithmetic."""
    rows = context.current(context.load_context("stca_context")).set_index("measure")
    if "southbound_apprehensions_prior_refugee_claim" not in rows.index:
        return None
    total = rows.loc["southbound_apprehensions"]
    prior = rows.loc["southbound_apprehensions_prior_refugee_claim"]
    return {
        "text": "Of the people apprehended going south across the border from July to September "
        f"2023, IRCC counted about {prior['value']:,} of {total['value']:,} "
        f"({prior['value'] / total['value']:.0%}) who had made a refugee claim in Canada before: "
        "the only official figure found on asylum seekers going from Canada to the U.S. after 2017",
        "source": {"url": total["source_url"], "text": "IRCC briefing, February 2024"},
        "statuses": [prior["status"], total["status"], "derived"],
        "href": "both_directions.html",
    }


def key_findings(is_standin: bool) -> list[dict]:
    """One sentence each, with its status and the report it comes from. Built from chart titles
    (which state only non-invented numbers, a tested property) and the claims verdicts. Each
    finding's label comes from the statuses of the values it states (`status.weakest`), never
    from the finding's place on the page."""
    findings = [
        _chart_finding("both_directions", "northern_border_by_sector"),
        _chart_finding("both_directions", "both_directions_by_month"),
    ]
    findings.append(_southbound_finding())
    verdicts_path = PROCESSED_DIR / "claims_verdicts.csv"
    if verdicts_path.exists():
        verdicts = pd.read_csv(verdicts_path, keep_default_na=False).set_index("claim_id")
        if "canada_bound_surge" in verdicts.index:
            surge = verdicts.loc["canada_bound_surge"]
            held = surge["verdict"] == "supported"
            base = (
                "a news report's 2016 figure"
                if surge["computed_status"] == "reported"
                else "official figures"
            )
            findings.append(
                {"text": "In the first months of 2017, RCMP interceptions of asylum seekers crossing "
                 f"into Canada ran at {surge['computed']} times their 2016 monthly rate: the "
                 f"article's 'skyrocketed' is {'borne out' if held else 'not borne out'}, on "
                 f"{base} (see the claim's note on its scope).",
                 "statuses": [surge["computed_status"]], "href": "claims.html"}
            )  # fmt: skip
        if "total_466" in verdicts.index:
            findings.append(
                {"text": "The article reported 466 asylum seekers who came from Canada to U.S. land "
                 "ports under the agreement's exceptions since 2004, 55 of them Canadian citizens.",
                 "statuses": ["published"], "href": "claims.html"}
            )  # fmt: skip
    findings.append(
        _chart_finding(
            "figures_calendar", "cases_per_year",
            " (the years are the article's; every other year's count in the chart is invented)"
            if is_standin else "",
        )
    )  # fmt: skip
    findings = [f for f in findings if f is not None]
    for item in findings:
        item.setdefault("source", None)
        item["status"] = weakest(item.pop("statuses"))
        item["status_words"] = STATUS_WORDS[item["status"]]
        item["status_class"] = STATUS_CLASS[item["status"]]
        if not item["text"].endswith((".", "!", "?")):
            item["text"] += "."
    return findings


# ---------------------------------------------------------------- methodology


def methodology_facts() -> dict:
    """What the methodology page shows: sources with links, assumptions, and revisions."""
    frames = {key: context.load_context(key) for key in context.CONTEXT_FILES}
    sources = context.sources_table(frames).drop_duplicates(["publisher", "url"])
    revisions = []
    for frame in frames.values():
        for _, r in frame[frame["version"] == "superseded"].iterrows():
            revisions.append(
                {"measure": r["measure"].replace("_", " "), "period": r["period"].replace("/", " to "),
                 "first": f"{r['value']:,}", "by": f"{r['publisher']} ({r['source_date']})",
                 "url": r["source_url"], "now": f"{context.current_value(frame, r['period']):,}",
                 "note": r["note"]}
            )  # fmt: skip
    sidecar = next(FOIA_DIR.glob("*.provenance.json"), None)
    assumptions = []
    if sidecar is not None:
        assumptions = json.loads(sidecar.read_text(encoding="utf-8")).get("assumptions", [])
    return {
        "sources": sources.to_dict("records"),
        "revisions": revisions,
        "assumptions": assumptions,
        "article_url": ARTICLE_URL,
        "pipeline": pipeline_picture(),
    }


def pipeline_picture() -> dict | None:
    """The methodology page's picture of the pipeline: its address, alt text (the graph in
    words), size and its data (the DOT file), or None before it is drawn."""
    svg, dot = PIPELINE_PICTURE, PIPELINE_PICTURE.with_suffix(".dot")
    if not (svg.exists() and dot.exists()):
        return None
    size = re.search(r'<svg[^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg.read_text("utf-8"))
    width, height = (round(float(v) * 4 / 3) for v in size.groups()) if size else (None, None)
    return {
        "src": os.path.relpath(svg, REPORTS_DIR),
        "data": os.path.relpath(dot, REPORTS_DIR),
        "alt": dag.describe(dag.parse_dot(dot.read_text("utf-8"))),
        "width": width,
        "height": height,
    }


# ---------------------------------------------------------------- the index page


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def project_version() -> str:
    """The release version: pyproject.toml's (CITATION.cff and CHANGELOG.md repeat it)."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]


def build_facts() -> dict:
    """Git commit, its date (not the wall clock, so rebuilds match) and the raw-data checksums."""
    summary_path = PROCESSED_DIR / "cleaning_summary.json"
    summary = (
        CleaningSummary.from_dict(json.loads(summary_path.read_text()), str(summary_path))
        if summary_path.exists()
        else None
    )
    manifest = RAW_DIR / MANIFEST_NAME
    return {
        "version": project_version(),
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
    entries = []
    for report in reports:
        # each chart's CSV, in the order pipeline.yml lists the charts (the notebook's order)
        figures = [f for f in report.figure_files if f.endswith(".csv")]
        rows = {}
        if report.figures_dir:
            index = repo_path(report.figures_dir) / "figures.json"
            if index.exists():  # what one row of each chart's CSV is, and how to sum it
                rows = {e["name"]: e.get("row", "") for e in json.loads(index.read_text("utf-8"))}
        entries.append(
            {
                "name": report.name,
                "title": report.title,
                "summary": report.summary,
                "html": report.html.name if report.html.exists() else None,
                "html_full": report.html_full.name if report.html_full.exists() else None,
                "figure_csvs": [os.path.relpath(repo_path(f), REPORTS_DIR) for f in figures],
                "figure_rows": {
                    os.path.relpath(repo_path(f), REPORTS_DIR): rows.get(Path(f).stem, "")
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
    facts = build_facts()
    build_provenance_page(env)
    html = env.get_template("index.html.j2").render(
        reports=entries,
        facts=facts,
        provenance_href=PROVENANCE_PAGE,
        findings=key_findings(facts["is_standin"]),
        datasets=publish_datasets(),
        article_url=ARTICLE_URL,
        repository_url=facts["repository_url"],
    )
    return write_text_atomic(REPORTS_DIR / "index.html", html)


def build_provenance_page(env) -> Path:
    """reports/provenance.html: the methodology and limitations page, written for readers
    (sources with links, what each measure counts, assumptions, revisions), so the notices' link
    works wherever reports/ is published. Maintainer notes stay in data/raw/PROVENANCE.md."""
    html = env.get_template("provenance.html.j2").render(facts=methodology_facts())
    return write_text_atomic(REPORTS_DIR / PROVENANCE_PAGE, html)


def main(argv: list[str] | None = None) -> int:
    """`python -m src.site`: write reports/index.html, provenance.html and reports/data/."""
    path = build_index(load_config())
    print(f"[site] ✓ {relative_to_root(path)} and {PROVENANCE_PAGE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
