"""The cleaning report's tables: where the data came from, how every row and cell was accounted
for, what was rejected or not recognised, and the schema check. Each table is a DataFrame (so
tests can check it); `show_*` functions display escaped HTML (src/page.py)."""

from __future__ import annotations

import pandas as pd

from src.page import display_html, safe_html
from src.parsers import EXCEL_EPOCH
from src.summary import CleaningSummary


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
    display_html(
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
    display_html(
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
    display_html(
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
    display_html(
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
