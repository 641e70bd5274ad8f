"""What the notebooks put on their pages: tables, short notes, the stand-in notice and captioned
figures linking their files. Functions that build tables return DataFrames (so tests can check
them); `show_*` functions display HTML with every data value escaped, so a country name holding
markup is shown as text and never runs."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

import pandas as pd

from src.helpers import PROVENANCE_PAGE, REPORTS_DIR, link_href, relative_to_root
from src.status import INVENTED
from src.summary import CleaningSummary

MAX_ROWS_SHOWN = 50
INVENTED_MARK = "†"
INVENTED_NOTE = (
    f"{INVENTED_MARK} invented: a stand-in value (status illustrative or bound), not a published "
    "or official figure; do not cite it."
)


def _display_html(html: str) -> None:
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


def table_html(frame: pd.DataFrame, max_rows: int = MAX_ROWS_SHOWN, caption: str = "") -> str:
    """A table as escaped HTML for readers: a caption, full cell text, no row numbers (a named
    index becomes a column), values formatted by for_people, inside a box that scrolls sideways
    on its own (never the page) with a cue, a note when rows were cut and a footnote when values
    are marked invented."""
    shown = frame.reset_index() if any(frame.index.names) else frame
    marked = shown.astype(str).apply(lambda c: c.str.endswith(f" {INVENTED_MARK}")).any().any()
    body = for_people(shown.head(max_rows)).to_html(
        index=False, escape=True, na_rep=MISSING, border=0, classes="dataframe stca-table"
    )
    if caption:
        body = body.replace(">", f"><caption>{escape(caption)}</caption>", 1)
    label = escape(caption or "table")
    html = (
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">{body}</div>'
        f'<p class="table-cue">Wide table: scroll sideways inside it.</p>'
    )
    if len(shown) > max_rows:
        html += f"<p>Showing the first {max_rows} of {len(shown)} rows.</p>"
    if marked:
        html += f'<p class="invented-note">{escape(INVENTED_NOTE)}</p>'
    return html


def show_table(frame: pd.DataFrame, caption: str = "", max_rows: int = MAX_ROWS_SHOWN) -> None:
    """Display `frame` with table_html, under `caption`."""
    with pd.option_context("display.max_colwidth", None):
        _display_html(table_html(frame, max_rows, caption))


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
    _display_html(html)


def show_selection(selected: int, total: int, basis: str, first: int, last: int) -> None:
    """One sentence: how many of the people the views below cover."""
    _display_html(
        safe_html(
            "<p>The tables below cover {n} of the {total} people: {basis} years {a} to {b}.</p>",
            n=f"{selected:,}",
            total=f"{total:,}",
            basis=basis,
            a=first,
            b=last,
        )
    )


def show_downloads(names: list[str]) -> None:
    """Links to the datasets behind this page, as published beside the reports (reports/data/)."""
    from src.site import DATASETS, dataset_href

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
    _display_html(
        f'<div class="downloads"><strong>Download the data:</strong><ul>{items}</ul></div>'
    )


def show_source(summary: CleaningSummary) -> None:
    """One paragraph naming the input file, its checksum, format and the period it covers."""
    encoding = f", {summary.encoding}" if summary.encoding else ""
    order = summary.date_order.get("screening_date", "month first")
    encoding += f"; text dates read {order}, serial dates in the {summary.date_system} system"
    checked = (
        "checksum verified against the project's manifest of raw files"
        if summary.checksums_verified
        else "no checksum manifest covers this file: not verified"
    )
    _display_html(
        safe_html(
            "<p>Input: the file <code>{file}</code> ({fmt}{enc}), SHA-256 <code>{sha}</code>; {checked}. "
            "Period: {start} to {end}.</p>",
            file=summary.source_file.rsplit("/", 1)[-1],
            fmt=summary.format,
            enc=encoding,
            sha=summary.source_sha256,
            checked=checked,
            start=summary.period.start,
            end=summary.period.end,
        )
    )


ROW_LABELS = {
    "preamble_rows": "Title rows above the header",
    "header_rows": "Header rows",
    "blank_rows": "Blank rows",
    "total_rows": "Total and subtotal rows",
    "note_rows": "Footnote rows",
    "skipped_sheet_rows": "Rows in sheets without a data table",
    "data_rows_read": "Data rows read",
    "kept": "Rows kept (one per person)",
    "rejected": "Rows rejected",
}


def _counts_table(record, labels: dict[str, str], heading: str) -> pd.DataFrame:
    """One row per field of an accounting record (RowAccounting, CellAccounting): its label
    under `heading`, and its count."""
    return pd.DataFrame(
        {heading: list(labels.values()), "count": [int(getattr(record, k)) for k in labels]}
    )


def row_accounting_table(summary: CleaningSummary) -> pd.DataFrame:
    """Rows of every kind the cleaner saw, with counts."""
    return _counts_table(summary.rows, ROW_LABELS, "rows")


def unaccounted_rows(summary: CleaningSummary) -> int:
    """Data rows read minus rows kept minus rows rejected: zero when nothing was lost."""
    rows = summary.rows
    return int(rows.data_rows_read - rows.kept - rows.rejected)


def show_balance(summary: CleaningSummary) -> None:
    """State the row invariant and whether it holds."""
    rows = summary.rows
    missing = unaccounted_rows(summary)
    mark = "✓" if missing == 0 else "✗"
    _display_html(
        safe_html(
            "<p><strong>{mark} {read} data rows read = {kept} kept + {rejected} rejected; "
            "{missing} unaccounted for.</strong></p>",
            mark=mark,
            read=rows.data_rows_read,
            kept=rows.kept,
            rejected=rows.rejected,
            missing=missing,
        )
    )


CELL_LABELS = {
    "read": "Non-empty cells read",
    "fields_kept": "Fields of kept people",
    "rejected": "Cells of rejected rows",
    "structure": "Structure: titles, headers, format hints, notes, totals, tables of counts",
    "unexplained": "Unexplained (stop a strict run)",
}


def cell_accounting_table(summary: CleaningSummary) -> pd.DataFrame:
    """Where every non-empty cell went, with counts."""
    return _counts_table(summary.cells, CELL_LABELS, "cells")


def show_cell_balance(summary: CleaningSummary) -> None:
    """State the cell invariant, whether it holds, and the run's status."""
    c = summary.cells
    mark = "✓" if c.balanced else "✗"
    _display_html(
        safe_html(
            "<p><strong>{mark} {read} cells read = {kept} fields of kept people + {rejected} "
            "cells of rejected rows + {structure} structure + {unexplained} unexplained.</strong> "
            "Status: {status}.</p>",
            mark=mark, read=f"{c.read:,}", kept=f"{c.fields_kept:,}", rejected=f"{c.rejected:,}",
            structure=f"{c.structure:,}", unexplained=f"{c.unexplained:,}", status=summary.status,
        )
    )  # fmt: skip


def structure_table(summary: CleaningSummary) -> pd.DataFrame:
    """Every row the cleaner read as structure, grouped by sheet and kind, with all its cells."""
    if not summary.structure:
        return pd.DataFrame({"structure": ["none"]})
    rows = pd.DataFrame(summary.structure)
    grouped = rows.groupby(["sheet", "kind"], sort=False).agg(
        rows=("cells", "size"), cells=("cells", ", ".join)
    )
    # the rows' text is in cleaning_summary.json; the page lists where they are
    return grouped.reset_index()[["sheet", "kind", "rows", "cells"]]


def unexplained_table(summary: CleaningSummary) -> pd.DataFrame:
    """Cells the cleaner could not place, with where and why (empty: none)."""
    if not summary.unexplained_cells:
        return pd.DataFrame({"unexplained cells": ["none"]})
    return pd.DataFrame(summary.unexplained_cells)[["sheet", "cells", "text", "why"]]


def sheets_table(summary: CleaningSummary) -> pd.DataFrame:
    """One row per sheet: what was found there and how its rows were counted."""
    out = []
    for sheet in summary.sheets:
        out.append(
            {
                "sheet": sheet["sheet"] if sheet["sheet"] is not None else "(csv)",
                "status": sheet["status"],
                "header row": sheet.get("header_row", ""),
                "data rows": sheet.get("data_rows_read", ""),
                "totals": sheet.get("total_rows", ""),
                "footnotes": sheet.get("note_rows", ""),
            }
        )
    return pd.DataFrame(out)


def column_names_table(summary: CleaningSummary) -> pd.DataFrame:
    """How each layout's headers were read: sheets with the same headers grouped in one row,
    then each field and the header it was read from (one short cell each, readable on a phone)."""
    layouts: dict[tuple, list[str]] = {}
    for sheet in summary.sheets:
        if sheet.get("columns"):
            key = tuple(sorted((field, header) for header, field in sheet["columns"].items()))
            layouts.setdefault(key, []).append(str(sheet["sheet"] or "(csv)"))
    fields = sorted({field for key in layouts for field, _ in key})
    rows = []
    for key, sheets in layouts.items():
        headers = dict(key)
        rows.append({"sheets": ", ".join(sheets), **{f: headers.get(f, "") for f in fields}})
    return pd.DataFrame(rows)


def total_checks_table(summary: CleaningSummary) -> pd.DataFrame:
    """Each total row in the source with the count it states and the records counted above it."""
    checks = pd.DataFrame(
        summary.total_checks, columns=["sheet", "row", "label", "stated", "counted", "ok"]
    )
    verdict = {True: "matches", False: "DOES NOT MATCH", None: "no count stated"}
    checks["check"] = checks.pop("ok").map(verdict)
    return checks


def rejected_table(rejected: pd.DataFrame) -> pd.DataFrame:
    """The rejected rows, with location, reason and raw values as received (or a one-cell 'none'
    table); a raw date that is an Excel serial number gets its reading beside it."""
    if rejected.empty:
        return pd.DataFrame({"rejected rows": ["none"]})
    from src.parsers import EXCEL_EPOCH

    shown = rejected.copy()
    serial = shown["raw_screening_date"].astype(str).str.fullmatch(r"\d{5}(\.0+)?")
    days = pd.to_numeric(shown.loc[serial, "raw_screening_date"], errors="coerce")
    shown.loc[serial, "raw_screening_date"] = [
        f"{int(d)} (an Excel serial date: {(EXCEL_EPOCH + pd.Timedelta(days=int(d))):%Y-%m-%d})"
        for d in days
    ]
    return shown.rename(columns=lambda c: c.replace("raw_", "as received: ").replace("source_", ""))


def unrecognized_table(summary: CleaningSummary) -> pd.DataFrame:
    """Field, raw value and count for every value the parsers did not recognise."""
    rows = [
        {"field": fieldname, "value as written": item["value"], "rows": item["count"]}
        for fieldname, items in summary.unrecognized.items()
        for item in items
    ]
    if not rows:
        return pd.DataFrame({"unrecognised values": ["none: every label was recognised"]})
    return pd.DataFrame(rows)


def review_table(summary: CleaningSummary) -> pd.DataFrame:
    """Everything the cleaner found that a person should look at, one row each, with where it
    is: cells of unknown value, columns with data but no field, sheets named for another fiscal
    year, case numbers that differ only invisibly, tables of counts set aside, blanks the layout
    does not explain, group labels filled down, times of day dropped."""
    rows = []
    for c in summary.unknown_cells:
        rows.append(
            {
                "finding": f"{c['kind']} in a data cell (read as empty)",
                "where": f"sheet {c['sheet']}, row {c['row']}, column {c['column']}",
                "detail": f"{c['text']} ({c['field'] or 'no field'})",
            }
        )
    for u in summary.unmapped_columns:
        rows.append(
            {
                "finding": "column with data that maps to no field (not in the table)",
                "where": f"sheet {u['sheet']}, column {u['column']}",
                "detail": f"{u['filled_rows']} rows filled",
            }
        )
    for m in summary.sheet_year_mismatches:
        rows.append(
            {
                "finding": "sheet named for another fiscal year than its dates",
                "where": f"sheet {m['sheet']}",
                "detail": f"named FY{m['sheet_fiscal_year']}; {m['rows']} rows dated in "
                + ", ".join(f"FY{y}" for y in m["fiscal_years_in_dates"]),
            }
        )
    for v in summary.case_id_variants:
        rows.append(
            {
                "finding": "case number written another way (rejected as a duplicate)",
                "where": "",
                "detail": f"{v['duplicate_written_as']!r} is {v['kept']!r}",
            }
        )
    for sheet in summary.sheets:
        if "count_total" in sheet:
            agrees = "agrees" if sheet.get("matches_cases") else "DOES NOT agree"
            rows.append(
                {
                    "finding": "table of counts set aside (its rows are not people)",
                    "where": f"sheet {sheet['sheet']}",
                    "detail": f"counts add up to {sheet['count_total']}; {agrees} with the "
                    "people read",
                }
            )
    for name, blank in summary.blank_cells.items():
        rows.append(
            {
                "finding": f"blank {name.replace('_', ' ')} that the layout does not explain "
                "(kept as missing)",
                "where": blank["rows"],
                "detail": f"{blank['count']} kept people",
            }
        )
    if summary.group_labels_filled:
        rows.append(
            {
                "finding": "group labels filled down (a subtotal row names each group)",
                "where": "",
                "detail": f"{summary.group_labels_filled} cells",
            }
        )
    if summary.time_dropped:
        rows.append(
            {
                "finding": "dates written with a time of day (the date is kept, the time is not)",
                "where": "",
                "detail": f"{summary.time_dropped} cells",
            }
        )
    if not rows:
        return pd.DataFrame({"findings": ["none: nothing needs review"]})
    return pd.DataFrame(rows)


def show_schema_result(summary: CleaningSummary) -> None:
    """A line saying the table passed its schema check (the cleaner raises when it does not)."""
    schema = summary.schema
    verdict = "passed" if schema["passed"] else "FAILED"
    _display_html(
        safe_html(
            "<p>Schema check ({lib}): <strong>{verdict}</strong> for {n} rows and {c} columns.</p>",
            lib=schema["validated_with"],
            verdict=verdict,
            n=summary.rows.kept,
            c=len(schema["columns"]),
        )
    )


def preview(cases: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The first `n` cleaned rows."""
    return cases.head(n)


# ---------------------------------------------------------------- claims


def show_verdict_breakdown(verdicts: pd.DataFrame) -> None:
    """Lead with what the verdicts rest on: one sentence, then claims per basis and verdict."""
    from src.claims import verdict_breakdown

    counts = verdicts["verdict"].value_counts()
    parts = [f"{n} {verdict}" for verdict, n in counts.items()]
    _display_html(
        safe_html(
            "<p><strong>{n} claims: {parts}.</strong> What each verdict rests on:</p>",
            n=len(verdicts),
            parts="; ".join(parts),
        )
    )
    show_table(verdict_breakdown(verdicts), "Claims by what the verdict rests on")


def verdict_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Checked claims, one row each: the claim, the article's words, how they are read, what is
    expected (comparison and value), what was computed (marked when invented), basis, verdict."""
    checkable = verdicts[verdicts["basis"] != "no data can test it"]
    table = mark_invented(checkable, ["computed"], status_column="computed_status")
    table = table.assign(expected=table["comparison"] + " " + table["expected"])
    table = table[
        ["claim", "article_quote", "interpretation", "expected", "computed", "basis", "verdict",
         "note"]
    ]  # fmt: skip
    return table.rename(
        columns={"article_quote": "the article's words", "interpretation": "read as",
                 "note": "what else the check found"}
    ).reset_index(drop=True)  # fmt: skip


def not_checkable_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Claims no data can test, with the article's words and the reason."""
    table = verdicts[verdicts["basis"] == "no data can test it"]
    table = table[["claim", "article_quote", "note"]]
    return table.rename(
        columns={"article_quote": "the article's words", "note": "why not"}
    ).reset_index(drop=True)


# ---------------------------------------------------------------- context data


def context_figures_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Figures about the agreement itself (data/raw/context/stca_context_figures.csv), one row
    each: what is counted, the period, the value as published (with its qualifier), its status,
    who published it and when, and the address."""
    rows = frame[frame["version"] == "current"]
    value = [
        (f"{q} " if q else "") + f"{v:,}"
        for q, v in zip(rows["qualifier"], rows["value"], strict=True)
    ]
    return pd.DataFrame(
        {"what is counted": rows["scope"], "period": rows["period"].str.replace("/", " to "),
         "value": value, "status": rows["status"], "published by": rows["publisher"],
         "date": rows["source_date"], "source": rows["source_url"], "note": rows["note"]}
    ).reset_index(drop=True)  # fmt: skip


def revisions_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Periods with a superseded value: first published vs current, with both sources."""
    from src.context import current_value

    superseded = frame[frame["version"] == "superseded"]
    current = frame[frame["version"] == "current"].set_index("period")
    rows = []
    for _, r in superseded.iterrows():
        first_month = r["period"].split("/")[0]
        cur = current.loc[first_month]
        rows.append(
            {
                "period": r["period"].replace("/", " to "),
                "first published": r["value"],
                "published by": f"{r['publisher']} ({r['source_date']})",
                "current value": current_value(frame, r["period"]),
                "current source": f"{cur['publisher']} ({cur['source_date']})",
                "note": r["note"],
            }
        )
    return pd.DataFrame(rows)


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
    '<a href="{provenance_href}" style="text-decoration:underline">How the data was made and checked</a>.</div>'
)


def provenance_href() -> str:
    """Link target for the provenance note: the methodology page in reports/."""
    return link_href(REPORTS_DIR / PROVENANCE_PAGE)


def show_data_notice(status) -> None:
    """Display the stand-in notice when `status` (a DataStatus, or a FoiaStatus read from the
    cleaning summary) is the stand-in; otherwise one line naming the release file."""
    from IPython.display import HTML, Markdown, display

    if status.is_standin:
        display(HTML(STANDIN_NOTICE_HTML.format(provenance_href=provenance_href())))
        return
    path = getattr(status, "path", None) or getattr(status, "source_file", "")
    name = relative_to_root(path) if isinstance(path, Path) else str(path)
    display(Markdown(f"Data: the FOIA release `{name}` (sha256 `{status.sha256[:12]}`)."))


def figure_html(png_path: Path, alt: str, caption: str, links: dict[str, str]) -> str:
    """A <figure> for the reports: the PNG embedded (the page stands alone), wrapped in a link to
    the full-size SVG, and a caption with links to the SVG, PNG and CSV (see `link_href`)."""
    import base64
    from html import escape

    href = link_href
    data = base64.b64encode(Path(png_path).read_bytes()).decode("ascii")
    svg = escape(href(links["svg"]))
    return (
        f'<figure class="stca-figure"><a href="{svg}" title="Open the chart at full size">'
        f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}"></a>'
        f"<figcaption>{escape(caption)} "
        f'<span class="figure-links">Full size: <a href="{svg}">SVG</a> · '
        f'<a href="{escape(href(links["png"]))}">PNG</a> · '
        f'Data behind it: <a href="{escape(href(links["csv"]))}">CSV</a></span>'
        "</figcaption></figure>"
    )


def show_figure(
    png_path: str | os.PathLike,
    alt: str,
    caption: str = "",
    links: dict[str, str] | None = None,
) -> None:
    """Display a saved PNG in a notebook with `alt` as its alt text (written into the HTML
    report); with `links` (svg, png, csv paths) as a captioned figure linking its files."""
    from IPython.display import HTML, Image, display

    if not alt or not alt.strip():
        raise ValueError(f"alt text is required for {png_path}")
    if links:
        display(HTML(figure_html(Path(png_path), alt.strip(), caption, links)))
        return
    image = Image(filename=str(png_path))
    display(image, metadata={"image/png": {"alt": alt.strip()}})
