"""The published site's reader-facing pieces: web addresses as links, the datasets offered for
download, the key findings of the landing page (each with its status), and the methodology page.

Everything here reads built data (data/processed, the chart folders) and writes into reports/;
it never decides a value's status itself: statuses come from the data (src/status.py).
"""

from __future__ import annotations

import json
import os
import re
from html import escape

from src.helpers import (
    CONTEXT_DIR,
    FIGURES_DIR,
    FOIA_DIR,
    PROCESSED_DIR,
    REPORTS_DIR,
    publish_csv,
)

URL = re.compile(r"https?://[^\s<>\"')\]]+[^\s<>\"')\].,;:]")
ARTICLE_URL = (
    "https://www.vice.com/en/article/bjdkd5/a-small-number-of-people-are-fleeing-canada-for-the-u-s"
)
LINK_ATTRS = 'target="_blank" rel="noopener"'


def link(url: str, text: str | None = None) -> str:
    """An escaped link that opens in a new tab (navigation, not a request the page makes)."""
    return f'<a href="{escape(url)}" {LINK_ATTRS}>{escape(text or url)}</a>'


def linkify(html: str) -> str:
    """Turn every bare web address in the text of `html` into a link; addresses already inside a
    link, a tag's attributes, a script or a style are left alone."""
    parts = re.split(r"(<[^>]+>)", html)
    out, skip = [], 0
    for part in parts:
        if part.startswith("<"):
            tag = part[1:].split()[0].rstrip(">").lower() if len(part) > 2 else ""
            if tag in ("a", "script", "style"):
                skip += 1
            elif tag in ("/a", "/script", "/style"):
                skip = max(0, skip - 1)
            out.append(part)
        elif skip:
            out.append(part)
        else:
            out.append(URL.sub(lambda m: link(m.group(0)), part))
    return "".join(out)


def add_contents(html: str, minimum: int = 4) -> str:
    """Put a table of contents (the page's h2 headings) after the first h1 of a long page."""
    headings = re.findall(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', html, re.S)
    if len(headings) < minimum:
        return html
    items = "".join(
        f'<li><a href="#{anchor}">{re.sub(r"<[^>]+>", "", text).replace("¶", "").strip()}</a></li>'
        for anchor, text in headings
    )
    toc = f'<nav class="toc" aria-label="On this page"><strong>On this page</strong><ol>{items}</ol></nav>'
    match = re.search(r"</h1>", html)
    return html if match is None else html[: match.end()] + toc + html[match.end() :]


# ---------------------------------------------------------------- downloads

DATASETS = [  # (file in data/processed or data/raw, title, what one row is)
    (PROCESSED_DIR / "stca_cases.csv", "Cleaned cases", "one person screened under an STCA exception"),
    (PROCESSED_DIR / "rejected_rows.csv", "Rejected rows", "one row of the release not kept, with the reason and the raw values"),
    (PROCESSED_DIR / "claims_verdicts.csv", "Claims and verdicts", "one claim of the article, its check, basis and verdict"),
    (PROCESSED_DIR / "border_flows.csv", "Official border figures", "one value from an official file, with the file and cell it came from; totals and their breakdowns are both rows, so keep one measure, source_file and period_type, then either area and category 'all' or one kind of breakdown, before summing; complete is false for a partial year"),
    *[(path, f"Canada-side figures: {path.stem.replace('_', ' ')}", "one published figure with its source; keep version 'current' before summing (the other rows are earlier or other sources' values for the same period)")
      for path in sorted(CONTEXT_DIR.glob("*.csv"))],
]  # fmt: skip
DATA_DIR_NAME = "data"


def publish_datasets() -> list[dict]:
    """Copy each dataset into reports/data/ (so the site carries its own data) and return
    title, href (relative to reports/), size and row meaning for each that exists."""
    target = REPORTS_DIR / DATA_DIR_NAME
    target.mkdir(parents=True, exist_ok=True)
    offered = []
    for path, title, row in DATASETS:
        if not path.exists():
            continue
        publish_csv(path, target / path.name)  # a formula-like text cell is made inert
        rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
        offered.append(
            {"title": title, "href": f"{DATA_DIR_NAME}/{path.name}", "rows": rows, "row": row}
        )
    return offered


def dataset_href(name: str) -> str:
    """Where a page links the dataset `name`: its copy in reports/data/ in a pipeline run, the
    file itself in JupyterLab (see helpers.link_href)."""
    from src.helpers import LINKS_FROM_ENV, link_href

    if os.environ.get(LINKS_FROM_ENV) == "reports":
        return f"{DATA_DIR_NAME}/{name}"
    source = next((path for path, _, _ in DATASETS if path.name == name), PROCESSED_DIR / name)
    return link_href(source)


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
    from src import context

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
    from src.status import weakest

    findings = [
        _chart_finding("both_directions", "northern_border_by_sector"),
        _chart_finding("both_directions", "both_directions_by_month"),
    ]
    findings.append(_southbound_finding())
    verdicts_path = PROCESSED_DIR / "claims_verdicts.csv"
    if verdicts_path.exists():
        import pandas as pd  # here, not at the top: the build's no-op check imports this module

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
    from src import context

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
    }
