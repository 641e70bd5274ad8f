"""The datasets the site offers for download: which files, what one row is, and where a page
links each one (its copy in reports/data/ on the site, the file itself in JupyterLab)."""

from __future__ import annotations

from src.helpers import (
    CONTEXT_DIR,
    PROCESSED_DIR,
    REPORTS_DIR,
    link_href,
    publish_csv,
    publishing_site,
)

CONTEXT_TITLES = {
    "later_figures": "Figures published after the official files end (both directions)"
}
DATASETS = [  # (file in data/processed or data/raw, title, what one row is)
    (PROCESSED_DIR / "stca_cases.csv", "Cleaned cases", "one person screened under an STCA exception"),
    (PROCESSED_DIR / "rejected_rows.csv", "Rejected rows", "one row of the release not kept, with the reason and the raw values"),
    (PROCESSED_DIR / "claims_verdicts.csv", "Claims and verdicts", "one claim of the article, its check, basis and verdict"),
    (PROCESSED_DIR / "border_flows.csv", "Official border figures", "one value from an official file, with the file and cell it came from; totals and their breakdowns are both rows, so keep one measure, source_file and period_type, then either area and category 'all' or one kind of breakdown, before summing; complete is false for a partial year"),
    *[(path, CONTEXT_TITLES.get(path.stem, f"Canada-side figures: {path.stem.replace('_', ' ')}"), "one published figure with its source; keep version 'current' before summing (the other rows are earlier or other sources' values for the same period)")
      for path in sorted(CONTEXT_DIR.glob("*.csv"))],
]  # fmt: skip
DATA_DIR_NAME = "data"
PACKAGE_NAME = "datapackage.json"  # reports/data/datapackage.json (src/datapackage.py)
CHARTS_DIR = "charts"  # reports/data/charts/<report>/<chart>.csv: each chart's data, in the package


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
    if publishing_site():
        return f"{DATA_DIR_NAME}/{name}"
    source = next((path for path, _, _ in DATASETS if path.name == name), PROCESSED_DIR / name)
    return link_href(source)
