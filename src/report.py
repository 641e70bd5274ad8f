"""Tables and short notes the notebooks show. Functions that build tables return DataFrames (so
tests can check them); `show_*` functions display HTML with every data value escaped, so a country
name holding markup is shown as text and never runs."""

from __future__ import annotations

from html import escape

import pandas as pd

MAX_ROWS_SHOWN = 50


def _display_html(html: str) -> None:
    from IPython.display import HTML, display

    display(HTML(html))


def table_html(frame: pd.DataFrame, max_rows: int = MAX_ROWS_SHOWN) -> str:
    """A table as escaped HTML: full cell text, no row numbers (a named index becomes a column),
    empty cells blank, and a note when rows were cut."""
    shown = frame.reset_index() if any(frame.index.names) else frame
    html = shown.head(max_rows).to_html(
        index=False, escape=True, na_rep="", border=0, classes="dataframe stca-table"
    )
    if len(shown) > max_rows:
        html += f"<p>Showing the first {max_rows} of {len(shown)} rows.</p>"
    return html


def show_table(frame: pd.DataFrame, max_rows: int = MAX_ROWS_SHOWN) -> None:
    """Display `frame` with table_html."""
    with pd.option_context("display.max_colwidth", None):
        _display_html(table_html(frame, max_rows))


def safe_html(template: str, **values) -> str:
    """Fill `template` (trusted markup) with `values`, each HTML-escaped."""
    return template.format(**{k: escape(str(v)) for k, v in values.items()})


def show_source(summary: dict) -> None:
    """One paragraph naming the input file, its checksum, format and the period it covers."""
    encoding = f", {summary['encoding']}" if summary.get("encoding") else ""
    checked = (
        "checksums verified against data/raw/MANIFEST.sha256"
        if summary.get("checksums_verified")
        else "no checksum manifest covers this file: not verified"
    )
    _display_html(
        safe_html(
            "<p>Input <code>{file}</code> ({fmt}{enc}), SHA-256 <code>{sha}</code>; {checked}. "
            "Period: {start} to {end}.</p>",
            file=summary["source_file"],
            fmt=summary.get("format", "?"),
            enc=encoding,
            sha=summary["source_sha256"],
            checked=checked,
            start=summary["period"]["start"],
            end=summary["period"]["end"],
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


def row_accounting_table(summary: dict) -> pd.DataFrame:
    """Rows of every kind the cleaner saw, with counts."""
    rows = summary["rows"]
    return pd.DataFrame(
        {"rows": list(ROW_LABELS.values()), "count": [int(rows[k]) for k in ROW_LABELS]}
    )


def unaccounted_rows(summary: dict) -> int:
    """Data rows read minus rows kept minus rows rejected: zero when nothing was lost."""
    rows = summary["rows"]
    return int(rows["data_rows_read"] - rows["kept"] - rows["rejected"])


def show_balance(summary: dict) -> None:
    """State the row invariant and whether it holds."""
    rows = summary["rows"]
    missing = unaccounted_rows(summary)
    mark = "✓" if missing == 0 else "✗"
    _display_html(
        safe_html(
            "<p><strong>{mark} {read} data rows read = {kept} kept + {rejected} rejected; "
            "{missing} unaccounted for.</strong></p>",
            mark=mark,
            read=rows["data_rows_read"],
            kept=rows["kept"],
            rejected=rows["rejected"],
            missing=missing,
        )
    )


def sheets_table(summary: dict) -> pd.DataFrame:
    """One row per sheet: what was found there and how its rows were counted."""
    out = []
    for sheet in summary["sheets"]:
        out.append(
            {
                "sheet": sheet["sheet"] if sheet["sheet"] is not None else "(csv)",
                "status": sheet["status"],
                "header row": sheet.get("header_row", ""),
                "data rows": sheet.get("data_rows_read", ""),
                "totals": sheet.get("total_rows", ""),
                "footnotes": sheet.get("note_rows", ""),
                "columns used": ", ".join(
                    f"{k} → {v}" for k, v in sheet.get("columns", {}).items()
                ),
            }
        )
    return pd.DataFrame(out)


def total_checks_table(summary: dict) -> pd.DataFrame:
    """Each total row in the source with the count it states and the records counted above it."""
    checks = pd.DataFrame(
        summary["total_checks"], columns=["sheet", "row", "label", "stated", "counted", "ok"]
    )
    verdict = {True: "matches", False: "DOES NOT MATCH", None: "no count stated"}
    checks["check"] = checks.pop("ok").map(verdict)
    return checks


def rejected_table(rejected: pd.DataFrame) -> pd.DataFrame:
    """The rejected rows, with location, reason and raw values (or a one-cell 'none' table)."""
    if rejected.empty:
        return pd.DataFrame({"rejected rows": ["none"]})
    return rejected


def unrecognized_table(summary: dict) -> pd.DataFrame:
    """Field, raw value and count for every value the parsers did not recognise."""
    rows = [
        {"field": fieldname, "value as written": item["value"], "rows": item["count"]}
        for fieldname, items in summary["unrecognized"].items()
        for item in items
    ]
    if not rows:
        return pd.DataFrame({"unrecognised values": ["none: every label was recognised"]})
    return pd.DataFrame(rows)


def show_schema_result(summary: dict) -> None:
    """A line saying the table passed its schema check (the cleaner raises when it does not)."""
    schema = summary["schema"]
    verdict = "passed" if schema["passed"] else "FAILED"
    _display_html(
        safe_html(
            "<p>Schema check ({lib}): <strong>{verdict}</strong> for {n} rows and {c} columns.</p>",
            lib=schema["validated_with"],
            verdict=verdict,
            n=summary["rows"]["kept"],
            c=len(schema["columns"]),
        )
    )


def preview(cases: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The first `n` cleaned rows."""
    return cases.head(n)


# ---------------------------------------------------------------- claims


def verdict_counts(verdicts: pd.DataFrame) -> dict[str, int]:
    """Number of claims per verdict."""
    return {k: int(v) for k, v in verdicts["verdict"].value_counts().items()}


def show_verdict_counts(verdicts: pd.DataFrame) -> None:
    """One line: how many claims are supported, not supported, not checkable."""
    counts = verdict_counts(verdicts)
    _display_html(
        safe_html(
            "<p><strong>{n} claims: {s} supported, {u} not supported, {c} not checkable.</strong></p>",
            n=len(verdicts),
            s=counts.get("supported", 0),
            u=counts.get("not supported", 0),
            c=counts.get("not checkable", 0),
        )
    )


def verdict_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Checkable claims: claim, expected, computed, verdict."""
    checkable = verdicts[verdicts["verdict"] != "not checkable"]
    table = checkable[["claim_id", "claim", "comparison", "expected", "computed", "verdict"]]
    return table.rename(columns={"claim_id": "id"}).reset_index(drop=True)


def not_checkable_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Claims the data cannot test, with the reason."""
    table = verdicts[verdicts["verdict"] == "not checkable"][["claim_id", "claim", "note"]]
    return table.rename(columns={"claim_id": "id", "note": "why not"}).reset_index(drop=True)


# ---------------------------------------------------------------- context data


def revisions_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Periods with a superseded value: first published vs current, with both sources."""
    superseded = frame[frame["version"] == "superseded"]
    current = frame[frame["version"] == "current"].set_index("period")
    rows = []
    for _, r in superseded.iterrows():
        cur = current.loc[r["period"]]
        rows.append(
            {
                "period": r["period"],
                "first published": r["value"],
                "published by": f"{r['publisher']} ({r['source_date']})",
                "current value": cur["value"],
                "current source": f"{cur['publisher']} ({cur['source_date']})",
                "note": r["note"],
            }
        )
    return pd.DataFrame(rows)
