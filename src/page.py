"""What the notebooks put on their pages: tables, short notes, the stand-in notice and captioned
figures linking their files. Functions that build tables return DataFrames (so tests can check
them); `show_*` functions display HTML with every data value escaped, so a country name holding
markup is shown as text and never runs."""

from __future__ import annotations

import base64
import os
from html import escape
from pathlib import Path

import pandas as pd

from src.credits import chart_citation
from src.datasets import DATASETS, dataset_href
from src.helpers import (
    LINKS_FROM_ENV,
    PROVENANCE_PAGE,
    REPORTS_DIR,
    link_href,
    publishing_site,
    relative_to_root,
    repo_path,
)
from src.status import INVENTED

MAX_ROWS_SHOWN = 50
# Columns from which a table is wider than a 390 px phone (each column keeps at least 7em).
WIDE_TABLE_COLUMNS = 4
INVENTED_MARK = "†"
INVENTED_NOTE = (
    f"{INVENTED_MARK} invented: a stand-in value (status illustrative or bound), not a published "
    "or official figure; do not cite it."
)


def display_html(html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(html))


def mark_invented(
    frame: pd.DataFrame, value_columns: list[str], status_column: str = "status"
) -> pd.DataFrame:
    """A display copy of `frame` in which each value column of a row whose status is invented
    (illustrative or bound) reads '<value> †'. The status column is kept."""
    shown = frame.copy()
    invented = shown[status_column].isin(INVENTED)
    for column in value_columns:
        shown[column] = [
            f"{v} {INVENTED_MARK}" if flag else v
            for v, flag in zip(shown[column], invented, strict=True)
        ]
    return shown


YEAR_LIKE = ("year", "fiscal_year", "calendar_year", "period", "row", "header row", "source_row")
MISSING = "—"


def header_text(name: object) -> str:
    """'ratio_to_us_bound' -> 'Ratio to us bound': words, not code."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _format(value, kind: str) -> str:
    """One cell for people; a value marked invented keeps its mark."""
    mark = ""
    if isinstance(value, str) and value.endswith(f" {INVENTED_MARK}"):
        value, mark = value[: -len(INVENTED_MARK) - 1], f" {INVENTED_MARK}"
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return MISSING
    if kind == "text":
        return MISSING if value == "" else f"{value}{mark}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"{value}{mark}"
    if kind == "share":
        return f"{number:.1%}{mark}"
    if kind == "year":
        return f"{number:.0f}{mark}"
    return (f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}") + mark


def _kind(name: str, values: pd.Series) -> str:
    name = name.lower()
    if name == "share" or name.endswith("_share"):
        return "share"
    if name in YEAR_LIKE or name.endswith(("year", "id", " row", "_row")):
        return "year"
    if pd.api.types.is_bool_dtype(values):
        return "text"
    numeric = pd.to_numeric(
        values.astype(str).str.removesuffix(f" {INVENTED_MARK}"), errors="coerce"
    )
    return "number" if numeric.notna().sum() == values.notna().sum() else "text"


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """A display copy: shares as percentages, thousands separators (not in years or row
    numbers), missing values as an em dash, human column names; † marks kept."""
    shown = frame.copy()
    for column in shown.columns:
        kind = _kind(str(column), shown[column])
        shown[column] = [_format(v, kind) for v in shown[column]]
    return shown.rename(columns=header_text)


def cards_html(frame: pd.DataFrame, caption: str, first: tuple[str, ...]) -> str:
    """`frame` (already formatted for people) as a table that a narrow screen shows as one card
    per row: each cell carries its column's name (shown before it on a card), and the columns
    named in `first` come first on the card, in that order (see .cards in stca.css)."""
    order = {name: f"card-{rank}" for name, rank in zip(first, ("first", "second"), strict=False)}
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(
            f'<td data-label="{escape(str(c))}"'
            + (f' class="{order[c]}"' if c in order else "")
            + f">{escape(str(v))}</td>"
            for c, v in zip(frame.columns, values, strict=True)
        ) + "</tr>"
        for values in frame.itertuples(index=False)
    )  # fmt: skip
    return (
        f'<table class="dataframe stca-table cards"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def table_html(
    frame: pd.DataFrame, max_rows: int = MAX_ROWS_SHOWN, caption: str = "",
    cards: tuple[str, ...] = (),
) -> str:  # fmt: skip
    """A table as escaped HTML for readers: a caption, full cell text, no row numbers (a named
    index becomes a column), values formatted by for_people, inside a box that scrolls sideways
    on its own (never the page) with a cue, a note when rows were cut and a footnote when values
    are marked invented. With `cards` (column names, as people read them), a narrow screen shows
    one card per row with those columns first, and nothing scrolls sideways."""
    shown = frame.reset_index() if any(frame.index.names) else frame
    marked = shown.astype(str).apply(lambda c: c.str.endswith(f" {INVENTED_MARK}")).any().any()
    people = for_people(shown.head(max_rows))
    if cards:
        body = cards_html(people.fillna(MISSING), caption, cards)
    else:
        body = people.to_html(
            index=False, escape=True, na_rep=MISSING, border=0, classes="dataframe stca-table"
        )
        if caption:
            body = body.replace(">", f"><caption>{escape(caption)}</caption>", 1)
    label = escape(caption or "table")
    boxed = "table-scroll has-cards" if cards else "table-scroll"
    html = f'<div class="{boxed}" role="region" tabindex="0" aria-label="{label}">{body}</div>'
    if len(shown.columns) >= WIDE_TABLE_COLUMNS and not cards:  # narrower: fits a phone
        html += '<p class="table-cue">Wide table: scroll sideways inside it.</p>'

    if len(shown) > max_rows:
        html += f"<p>Showing the first {max_rows} of {len(shown)} rows.</p>"
    if marked:
        html += f'<p class="invented-note">{escape(INVENTED_NOTE)}</p>'
    return html


def show_table(
    frame: pd.DataFrame, caption: str = "", max_rows: int = MAX_ROWS_SHOWN,
    cards: tuple[str, ...] = (),
) -> None:  # fmt: skip
    """Display `frame` with table_html, under `caption` (as cards on phones when `cards`)."""
    with pd.option_context("display.max_colwidth", None):
        display_html(table_html(frame, max_rows, caption, cards))


def safe_html(template: str, **values) -> str:
    """Fill `template` (trusted markup) with `values`, each HTML-escaped."""
    return template.format(**{k: escape(str(v)) for k, v in values.items()})


YEAR_BASIS_NOTES = {
    ("calendar", True): (
        "Counted by calendar year",
        "The article does not say whether its years are calendar or U.S. fiscal years. We read "
        "them as calendar years (our assumption); the stand-in agrees with the article's "
        "per-year figures only under that reading.",
    ),
    ("fiscal", True): (
        "Counted by U.S. fiscal year (October to September)",
        "The article's per-year figures are read as calendar years (our assumption), so this "
        "page claims none of them: on the stand-in, every fiscal-year count is invented. Use it "
        "to see how the charts would look by fiscal year once the real release is in.",
    ),
    ("calendar", False): ("Counted by calendar year", ""),
    ("fiscal", False): ("Counted by U.S. fiscal year (October to September)", ""),
}


def show_year_basis_note(year_basis: str, foia) -> None:
    """A heading saying which years the page counts by, and what that means for the article's
    per-year figures (from `foia.is_standin`)."""
    heading, note = YEAR_BASIS_NOTES[(year_basis, bool(foia.is_standin))]
    html = safe_html("<h2>{heading}</h2>", heading=heading)
    if note:
        html += safe_html("<p>{note}</p>", note=note)
    display_html(html)


def show_selection(selected: int, total: int, basis: str, first: int, last: int) -> None:
    """One sentence: how many of the people the views below cover."""
    display_html(
        safe_html(
            "<p>The tables below cover {n} of the {total} people: {basis} years {a} to {b}.</p>",
            n=f"{selected:,}",
            total=f"{total:,}",
            basis=basis,
            a=first,
            b=last,
        )
    )


def show_heading(title: str, lead: str = "") -> None:
    """A section heading (and a lead sentence) shown only when the section's code runs."""
    display_html(safe_html("<h2>{title}</h2>", title=title)
                 + (safe_html("<p>{lead}</p>", lead=lead) if lead else ""))  # fmt: skip


def show_omitted_totals(omitted: list[str], cases: int) -> None:
    """Say which totals a page leaves out because they are the calendar-year page's."""
    if not omitted:
        return
    words = {"exceptions": "the exception used", "nationalities": "citizenship",
             "expedited_removal": "expedited removal"}  # fmt: skip
    listed = ", ".join(words[o] for o in omitted)
    display_html(safe_html(
        "<p>Only what differs by year basis is shown here. The totals by {listed} count the same "
        "{cases} cases on either basis, so they are the calendar-year page's charts.</p>",
        listed=listed, cases=f"{cases:,}",
    ))  # fmt: skip


def show_downloads(names: list[str]) -> None:
    """Links to the datasets behind this page, as published beside the reports (reports/data/)."""
    titles = {path.name: (title, row) for path, title, row in DATASETS}
    items = "".join(
        safe_html(
            '<li><a href="{href}">{title}</a> (CSV; one row per {row})</li>',
            href=dataset_href(name),
            title=titles.get(name, (name, ""))[0],
            row=titles.get(name, ("", "value"))[1],
        )
        for name in names
    )
    display_html(
        f'<div class="downloads"><strong>Download the data:</strong><ul>{items}</ul></div>'
    )


# ---------------------------------------------------------------- notices and figures


STANDIN_NOTICE_HTML = (
    '<div class="standin-notice" role="note" '
    'style="border:3px solid #b35806;background:#fff3e0;color:#3b1f00;padding:0.8em 1em;'
    'margin:0.5em 0;font-size:1.05em">'
    "<strong>Stand-in data.</strong> The USCIS FOIA spreadsheet behind the 2017 VICE News story "
    "is not public. This report is built on a labelled stand-in file, made to agree with the "
    "figures the article published (reading its years as calendar years, our assumption). Every "
    "other value (most years, most nationalities, the split between exceptions, ports, dates) is "
    "<em>invented</em>: hatched in charts, marked in tables, and not to be cited. "
    '<a href="{provenance_href}" style="text-decoration:underline">How the data was made and checked</a>.'
    "{missing}</div>"
)
# In JupyterLab before the first build the methodology page does not exist yet.
PROVENANCE_MISSING = (
    " (That page is written by <code>make reports</code>; run it first to open it.)"
)


def provenance_href() -> str:
    """Link target for the provenance note: the methodology page in reports/."""
    return link_href(REPORTS_DIR / PROVENANCE_PAGE)


def show_data_notice(status) -> None:
    """Display the stand-in notice when `status` (a DataStatus, or a FoiaStatus read from the
    cleaning summary) is the stand-in; otherwise one line naming the release file."""
    from IPython.display import HTML, Markdown, display

    if status.is_standin:
        built = publishing_site() or (REPORTS_DIR / PROVENANCE_PAGE).exists()  # the site has it
        missing = "" if built else PROVENANCE_MISSING
        display(
            HTML(STANDIN_NOTICE_HTML.format(provenance_href=provenance_href(), missing=missing))
        )
        return
    path = getattr(status, "path", None) or getattr(status, "source_file", "")
    name = relative_to_root(path) if isinstance(path, Path) else str(path)
    display(Markdown(f"Data: the FOIA release `{name}` (sha256 `{status.sha256[:12]}`)."))


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height in pixels, from its header."""
    with open(path, "rb") as handle:
        head = handle.read(24)
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def figure_html(
    png_path: Path, alt: str, caption: str, links: dict[str, str], source: str = "",
    caveat: str = "",
) -> str:  # fmt: skip
    """A <figure> for the reports. On the site (and in ad hoc pages) the image is a <picture>
    that links its files: the phone rendition (`links["narrow"]`) on screens up to 700 px, the
    wide PNG elsewhere, so a phone downloads only what it shows; in JupyterLab the wide PNG is
    embedded. The caption states the title, then (on phones, where the image leaves them out)
    the source line and caveat as text, and links the SVG, the PNG, the phone image and the CSV
    (see `link_href`)."""
    href = link_href
    wide_w, wide_h = png_size(Path(png_path))
    svg, png, csv = (escape(href(links[k])) for k in ("svg", "png", "csv"))
    alt_attr = escape(alt)
    phone = links.get("narrow")
    if phone and os.environ.get(LINKS_FROM_ENV):
        phone_w, phone_h = png_size(repo_path(phone))
        image = (
            f'<picture><source media="(max-width: 700px)" srcset="{escape(href(phone))}" '
            f'width="{phone_w}" height="{phone_h}">'
            f'<img src="{png}" alt="{alt_attr}" width="{wide_w}" height="{wide_h}"></picture>'
        )
    else:
        data = base64.b64encode(Path(png_path).read_bytes()).decode("ascii")
        image = f'<img src="data:image/png;base64,{data}" alt="{alt_attr}">'
    notes = "".join(
        f'<span class="figure-source">{escape(text)}</span>' for text in (source, caveat) if text
    )
    phone_link = (
        f'<a class="only-narrow" href="{escape(href(phone))}">phone size</a>'
        '<span class="only-narrow"> · </span>'
        if phone
        else ""
    )
    cite = chart_citation(caption) if caption else None
    citation = (
        f'<span class="figure-cite">Cite this chart: {escape(cite["inline"])} in the text; in '
        f"full: {escape(cite['full'])}</span>"
        if cite
        else ""
    )
    return (
        f'<figure class="stca-figure">{image}'
        f'<figcaption><span class="figure-title">{escape(caption)}</span>{notes}'
        f'<span class="figure-links">Full size: {phone_link}<a href="{svg}">SVG</a> · '
        f'<a href="{png}">PNG</a> · Data behind it: <a href="{csv}">CSV</a></span>{citation}'
        "</figcaption></figure>"
    )


def show_figure(
    png_path: str | os.PathLike,
    alt: str,
    caption: str = "",
    links: dict[str, str] | None = None,
    source: str = "",
    caveat: str = "",
) -> None:
    """Display a saved PNG in a notebook with `alt` as its alt text (written into the HTML
    report); with `links` (svg, png, csv paths) as a captioned figure linking its files."""
    from IPython.display import HTML, Image, display

    if not alt or not alt.strip():
        raise ValueError(f"alt text is required for {png_path}")
    if links:
        display(HTML(figure_html(Path(png_path), alt.strip(), caption, links, source, caveat)))
        return
    image = Image(filename=str(png_path))
    display(image, metadata={"image/png": {"alt": alt.strip()}})
