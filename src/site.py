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
import sys
from pathlib import Path

import jinja2
import pandas as pd
import pandera.pandas as pa

from src import border_figures, context, dag
from src.canada_figures import CANADA_BOUND, US_BOUND
from src.credits import build_date, git_output, page_credits, project_version
from src.datapackage import build_package, dictionary
from src.datasets import PACKAGE_NAME, publish_datasets
from src.freshness import freshness
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
from src.markup import add_contents, add_contents_after, add_heading_ids
from src.page import png_size
from src.pipeline import PHONE_SUFFIX, TEMPLATES, Report, load_config
from src.status import INVENTED, STATUS_MEANING, format_ratio, weakest
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


def _chart_data(report: str, name: str) -> pd.DataFrame | None:
    """The data behind a published chart (its CSV in the report's figures folder), or None."""
    path = FIGURES_DIR / report / f"{name}.csv"
    return pd.read_csv(path, keep_default_na=False) if path.exists() else None


def _verdicts() -> pd.DataFrame | None:
    path = PROCESSED_DIR / "claims_verdicts.csv"
    if not path.exists():
        return None
    return pd.read_csv(path, keep_default_na=False).set_index("claim_id")


def _labelled(item: dict) -> dict:
    """A sentence with its label: the words for the weakest status of the values it states."""
    item.setdefault("source", None)
    item["status"] = weakest(item.pop("statuses"))
    item["status_words"] = STATUS_WORDS[item["status"]]
    item["status_class"] = STATUS_CLASS[item["status"]]
    if not item["text"].endswith((".", "!", "?")):
        item["text"] += "."
    return item


def _comparison_counts() -> dict | None:
    """The like-for-like comparison's latest period whose ratio rests on no invented count: the
    period, each direction's count row and the low end of the ratio row (from its chart's CSV)."""
    data = _chart_data("canada_context", "both_directions_like_for_like")
    if data is None:
        return None
    ratios = data[data["kind"].str.startswith("ratio") & (data["value"] != "")]
    real = ratios[~ratios["status"].isin(INVENTED)]
    if real.empty:
        return None
    period = real["period"].iloc[-1]
    rows = data[(data["period"] == period) & (data["kind"] == "count")].set_index("direction")
    low = real[(real["period"] == period) & (real["kind"] != "ratio, high end")]
    low = low.assign(number=low["value"].astype(float)).sort_values("number").iloc[0]
    return {"period": period, "south": rows.loc[US_BOUND], "north": rows.loc[CANADA_BOUND],
            "ratio": low}  # fmt: skip


def answer() -> list[dict]:
    """The story's answer in three sentences, each with its status: going south (the article's
    release) and going north (official Canadian figures), the first paragraph; what changed after
    March 2023, the second. Only numbers that are not invented are stated; a sentence whose
    numbers are missing is left out."""
    sentences = []
    verdicts = _verdicts()
    pair = _comparison_counts()
    if verdicts is not None and "total_466" in verdicts.index:
        total = verdicts.loc["total_466"]
        text = (
            f"Going south: the U.S. release behind the article counts {int(total['computed']):,} "
            "people who came from Canada to U.S. land ports from 2004 to early 2017 and asked for "
            "asylum under the agreement's exceptions"
        )
        statuses = [total["computed_status"]]
        if pair is not None and pair["south"]["status"] not in INVENTED:
            text += f", {int(pair['south']['value']):,} of them in {pair['period']}"
            statuses.append(pair["south"]["status"])
        if not INVENTED & set(statuses):
            sentences.append({"text": text, "statuses": statuses, "paragraph": 1})
    if pair is not None:
        north, ratio = pair["north"], pair["ratio"]
        rounded = f" (rounded to {north['rounding']})" if int(north["rounding"]) > 1 else ""
        sentences.append({
            "text": f"Going north in the same months: about {int(north['value']):,} asylum "
            f"claims at Canada's land ports{rounded}, official Canadian figures; at least "
            f"{format_ratio(float(ratio['value']))} for every person going south",
            "statuses": [north["status"], ratio["status"]],
            "source": {"url": north["source"], "text": "IRCC"}
            if str(north["source"]).startswith("https://") else None,
            "paragraph": 1,
        })  # fmt: skip
    monthly = _chart_data("both_directions", "both_directions_by_month")
    if monthly is not None:
        before, after = border_figures.rcmp_before_after(monthly)
        text = (
            "Since 25 March 2023 the agreement also covers people who cross between ports: RCMP "
            f"interceptions of people crossing into Canada fell from about {round(before, -2):,.0f} "
            f"a month to about {round(after, -2):,.0f}. No count of asylum seekers going south "
            "has been published since 2017; U.S. Border Patrol counts apprehensions of anyone "
            "crossing, which are not asylum cases"
        )
        statuses = [*monthly[monthly["series"].str.startswith("RCMP")]["status"], "derived"]
        sentences.append({"text": text, "statuses": statuses, "paragraph": 2})
    return [_labelled(s) for s in sentences]


def series_freshness() -> list[dict]:
    """Each official series: data as of, whether it ends before the build date, the next
    release, and the figures published since (src/freshness.py)."""
    flows_path = PROCESSED_DIR / "border_flows.csv"
    if not flows_path.exists():
        return []
    flows = pd.read_csv(flows_path, keep_default_na=False, dtype=str)
    return freshness(flows, context.load_context("later"), build_date())


def lead_chart() -> dict | None:
    """The landing page's chart: the like-for-like comparison (both files, its title, alt text
    and data), or None before it is built."""
    folder, name = FIGURES_DIR / "canada_context", "both_directions_like_for_like"
    entry = next((e for e in _figure_titles("canada_context") if e["name"] == name), None)
    if entry is None or not (folder / f"{name}.png").exists():
        return None
    base = os.path.relpath(folder, REPORTS_DIR)
    files = {kind: f"{base}/{name}{suffix}" for kind, suffix in
             (("png", ".png"), ("narrow", f"{PHONE_SUFFIX}.png"), ("svg", ".svg"), ("csv", ".csv"))}  # fmt: skip
    sizes = {k: png_size(folder / Path(files[k]).name) for k in ("png", "narrow")}
    return {**files, "sizes": sizes, "title": entry["title"], "alt": entry["alt"],
            "href": "canada_context.html"}  # fmt: skip


def key_findings(is_standin: bool) -> list[dict]:
    """One sentence each, with its status and the report it comes from, in the story's order:
    U.S.-bound cases, then Canada-bound like for like, then today's picture. Built from chart
    titles (which state only non-invented numbers, a tested property) and the claims verdicts.
    Each finding's label comes from the statuses of the values it states (`status.weakest`),
    never from the finding's place on the page."""
    verdicts = _verdicts()
    south, north, today = "Going south, 2004 to 2017", "Going north, like for like", "Since 2023"
    grouped: list[tuple[str, dict | None]] = []
    if verdicts is not None and "total_466" in verdicts.index:
        grouped.append((south, {
            "text": "The article reported 466 asylum seekers who came from Canada to U.S. land "
            "ports under the agreement's exceptions since 2004, 55 of them Canadian citizens.",
            "statuses": ["published"], "href": "claims.html"}))  # fmt: skip
    grouped.append((south, _chart_finding(
        "figures_calendar", "cases_per_year",
        " (the years are the article's; every other year's count in the chart is invented)"
        if is_standin else "",
    )))  # fmt: skip
    grouped.append((north, _chart_finding("canada_context", "both_directions_like_for_like")))
    if verdicts is not None and "canada_bound_surge" in verdicts.index:
        surge = verdicts.loc["canada_bound_surge"]
        held = surge["verdict"] == "supported"
        base = (
            "a news report's 2016 figure"
            if surge["computed_status"] == "reported"
            else "official figures"
        )
        grouped.append((north, {
            "text": "In the first months of 2017, RCMP interceptions of asylum seekers crossing "
            f"into Canada ran at {surge['computed']} times their 2016 monthly rate: the "
            f"article's 'skyrocketed' is {'borne out' if held else 'not borne out'}, on "
            f"{base} (see the claim's note on its scope).",
            "statuses": [surge["computed_status"]], "href": "claims.html"}))  # fmt: skip
    grouped += [
        (today, _chart_finding("both_directions", "both_directions_by_month")),
        (today, _southbound_finding()),
        (today, _chart_finding("both_directions", "northern_border_by_sector")),
    ]
    return [_labelled({**item, "group": group}) for group, item in grouped if item is not None]


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
        "corrections": load_corrections().to_dict("records"),
        "assumptions": assumptions,
        "article_url": ARTICLE_URL,
        "pipeline": pipeline_picture(),
    }


CORRECTIONS = ROOT / "references" / "corrections.csv"
CORRECTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "date": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")),
        "version": pa.Column(str, pa.Check.str_matches(r"^(unreleased|\d+\.\d+\.\d+)$")),
        "what": pa.Column(str, pa.Check.str_length(min_value=5)),
        "where": pa.Column(str, pa.Check.str_length(min_value=5)),
        "old": pa.Column(str),
        "new": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(["upstream revision", "our fix"])),
        "why": pa.Column(str, pa.Check.str_length(min_value=10)),
        "source": pa.Column(str, pa.Check.str_matches(r"^(https?://.*)?$")),
    },
    strict=True,
    ordered=True,
)


def load_corrections(path: Path = CORRECTIONS) -> pd.DataFrame:
    """references/corrections.csv, checked: each published value we corrected, or an upstream
    source revised after we published it (date, release, what and where, old and new, why, and
    the source of a revision), newest first. SchemaError naming the row and column otherwise."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = CORRECTIONS_SCHEMA.validate(frame, lazy=True)
    return frame.sort_values("date", ascending=False, kind="stable")


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
        "commit": git_output("rev-parse", "--short=12", "HEAD") or "not a git checkout",
        "commit_date": git_output("show", "-s", "--format=%cI", "HEAD") or "unknown",
        "foia_file": summary.source_file if summary else "not built",
        "foia_sha256": summary.source_sha256 if summary else "",
        "is_standin": summary.is_standin if summary else True,
        "manifest_sha256": sha256_file(manifest) if manifest.exists() else "",
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
                "shelf": report.shelf,
            }
        )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    facts = build_facts()
    datasets = publish_datasets()
    build_package(reports, project_version())
    build_provenance_page(env)
    html = env.get_template("index.html.j2").render(
        story=[e for e in entries if e["shelf"] == "story"],  # in pipeline.yml's order
        analysts=[e for e in entries if e["shelf"] == "analysts"],
        facts=facts,
        provenance_href=PROVENANCE_PAGE,
        answer=answer(),
        lead=lead_chart(),
        findings=key_findings(facts["is_standin"]),
        datasets=datasets,
        data_dictionary=dictionary(),
        freshness=series_freshness(),
        statuses=STATUS_MEANING,
        package_href=f"data/{PACKAGE_NAME}",
        article_url=ARTICLE_URL,
        credits=page_credits("Who flees Canada for the U.S.?"),
        stylesheet=(TEMPLATES / "stca" / "stca.css").read_text(encoding="utf-8"),
    )
    html = add_contents_after(add_heading_ids(html), "</figure>")  # after the answer and chart
    return write_text_atomic(REPORTS_DIR / "index.html", html)


def build_provenance_page(env) -> Path:
    """reports/provenance.html: the methodology and limitations page, written for readers
    (sources with links, what each measure counts, assumptions, revisions), so the notices' link
    works wherever reports/ is published. Maintainer notes stay in data/raw/PROVENANCE.md."""
    html = env.get_template("provenance.html.j2").render(
        facts=methodology_facts(),
        credits=page_credits("Methodology and limitations"),
        stylesheet=(TEMPLATES / "stca" / "stca.css").read_text(encoding="utf-8"),
    )
    return write_text_atomic(REPORTS_DIR / PROVENANCE_PAGE, add_contents(add_heading_ids(html)))


def main(argv: list[str] | None = None) -> int:
    """`python -m src.site`: write reports/index.html, provenance.html and reports/data/."""
    path = build_index(load_config())
    print(f"[site] ✓ {relative_to_root(path)} and {PROVENANCE_PAGE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
