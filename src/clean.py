"""Clean a USCIS STCA FOIA spreadsheet into one tidy row per person.

Liberal in what it reads (xlsx or csv, title rows, footnotes, totals, one sheet per fiscal
year, header synonyms, mixed dates, redaction codes), strict in what it writes: a validated
`stca_cases.csv`, a `rejected_rows.csv` that names the source cell of every rejected row and why,
and a `cleaning_summary.json` whose row accounting must balance on every run.

Entry points: `clean_foia()` returns a `CleaningResult`; `write_outputs()` writes it atomically;
`python -m src.clean RAW [PROCESSED_DIR]` does both from the shell.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from src import parsers
from src.helpers import (
    PROCESSED_DIR,
    data_status,
    find_manifest_dir,
    relative_to_root,
    repo_path,
    verify_manifest,
    write_csv_atomic,
    write_json_atomic,
)
from src.schema import OUTPUT_COLUMNS, validate_cases

STCA_START = pd.Timestamp("2004-12-29")  # the agreement took effect on 29 December 2004
DEFAULT_PERIOD_END = "2017-03-31"  # the stand-in's documented data cutoff (data/raw/PROVENANCE.md)
HEADER_SCAN_ROWS = 40
REQUIRED_FIELDS = ("citizenship", "exception")
FIELDS = tuple(parsers.HEADER_SYNONYMS)
REJECTED_COLUMNS = [
    "source_file",
    "source_sheet",
    "source_row",
    "reason",
    *[f"raw_{name}" for name in FIELDS],
]


class CleaningError(ValueError):
    """The input cannot be cleaned; the message names the file (and sheet, row, column)."""


@dataclass
class CleaningResult:
    """What `clean_foia` returns: the tidy table, the rejected rows, and the summary dict."""

    cases: pd.DataFrame
    rejected: pd.DataFrame
    summary: dict = field(default_factory=dict)


@dataclass
class RawTable:
    """One grid of cells as read (no header applied); row 0 is spreadsheet row `first_row`."""

    sheet: str | None
    grid: pd.DataFrame
    first_row: int = 1


# ---------------------------------------------------------------- reading


def _where(path: Path, sheet: str | None = None, row: int | None = None, column=None) -> str:
    parts = [str(path)]
    if sheet is not None:
        parts.append(f"sheet {sheet!r}")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}")
    return ", ".join(parts)


def _sniff_kind(path: Path, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip (xlsx)"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "legacy Excel .xls or other OLE file"
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return "HTML"
    return "text"


def read_tables(path: str | Path) -> tuple[list[RawTable], dict]:
    """Read every sheet (xlsx) or the one table (csv) as raw grids; return (tables, facts).

    Raises CleaningError for a missing, empty or mislabelled file (e.g. a PDF named .xlsx).
    """
    path = Path(path)
    if not path.exists():
        raise CleaningError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise CleaningError(
            f"{path}: the file is empty (0 bytes); expected an .xlsx or .csv export"
        )
    with open(path, "rb") as fh:
        head = fh.read(2048)
    kind = _sniff_kind(path, head)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        if kind != "zip (xlsx)":
            raise CleaningError(
                f"{path}: named .xlsx but the content looks like {kind}; "
                "expected an Excel workbook (.xlsx)"
            )
        return _read_xlsx(path), {"format": "xlsx"}
    if suffix in (".csv", ".txt"):
        if kind not in ("text",):
            raise CleaningError(f"{path}: named {suffix} but the content looks like {kind}")
        return _read_csv(path)
    raise CleaningError(f"{path}: unsupported file type {suffix!r}; expected .xlsx or .csv")


def _read_xlsx(path: Path) -> list[RawTable]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
    except Exception as exc:  # calamine raises its own error types
        raise CleaningError(f"{path}: cannot read as an Excel workbook: {exc}") from exc
    return [RawTable(sheet=str(name), grid=grid) for name, grid in sheets.items()]


def _csv_encoding(path: Path) -> tuple[str, str]:
    """(codec for pandas, label for the report): UTF-8 (with or without BOM), else Windows-1252."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "utf-8 with BOM"
    try:
        raw.decode("utf-8")
        return "utf-8", "utf-8"
    except UnicodeDecodeError:
        raw.decode("cp1252")  # raises if the bytes are not Windows-1252 either
        return "cp1252", "windows-1252"


def _read_csv(path: Path) -> tuple[list[RawTable], dict]:
    try:
        encoding, label = _csv_encoding(path)
    except UnicodeDecodeError as exc:
        raise CleaningError(
            f"{path}: byte {exc.start} is neither UTF-8 nor Windows-1252 text"
        ) from exc
    with open(path, encoding=encoding, newline="") as fh:
        head = [line for _, line in zip(range(HEADER_SCAN_ROWS), fh, strict=False)]
    width = max((len(row) for row in csv.reader(head)), default=0)
    if width == 0:
        raise CleaningError(f"{path}: no rows found; expected a header row and data rows")
    try:
        grid = pd.read_csv(
            path,
            encoding=encoding,
            header=None,
            names=range(width),
            dtype="str",
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise CleaningError(
            f"{path}: a row has more fields than the header area ({width}): {exc}"
        ) from exc
    return [RawTable(sheet=None, grid=grid)], {"format": "csv", "encoding": label}


# ---------------------------------------------------------------- header detection


@dataclass
class Header:
    """Where the header is and which column holds which field."""

    row_index: int  # position in the grid
    columns: dict[str, int]  # field -> grid column
    labels: dict[int, str]  # grid column -> header text as written


def locate_header(table: RawTable, path: Path) -> Header | None:
    """Find the header row among the first rows: the first with two or more known field names.

    Returns None when no row qualifies (a notes sheet, say). Raises CleaningError when two
    columns map to the same field.
    """
    scan = table.grid.head(HEADER_SCAN_ROWS)
    for position in range(len(scan)):
        row = scan.iloc[position]
        labels = {col: str(value).strip() for col, value in row.items() if pd.notna(value)}
        fields = {col: parsers.header_field(label) for col, label in labels.items()}
        fields = {col: name for col, name in fields.items() if name}
        if len(set(fields.values())) < 2:
            continue
        columns: dict[str, int] = {}
        excel_row = table.first_row + position
        for col, name in fields.items():
            if name in columns:
                first = labels[columns[name]]
                raise CleaningError(
                    f"{_where(path, table.sheet, excel_row)}: columns {first!r} and "
                    f"{labels[col]!r} both map to the field {name!r}; keep one or rename the other"
                )
            columns[name] = col
        return Header(row_index=position, columns=columns, labels=labels)
    return None


def check_required(header: Header, table: RawTable, path: Path) -> None:
    """Raise CleaningError naming each missing required column and listing the headers found."""
    missing = [name for name in REQUIRED_FIELDS if name not in header.columns]
    has_year = (
        "screening_date" in header.columns
        or "fiscal_year" in header.columns
        or parsers.fiscal_year_from_sheet(table.sheet) is not None
    )
    if not has_year:
        missing.append("screening_date or fiscal_year")
    if missing:
        found = ", ".join(repr(v) for v in header.labels.values())
        wanted = "; ".join(
            f"{name}: one of {', '.join(parsers.HEADER_SYNONYMS.get(name, ('Screening Date', 'FY')))}"
            for name in missing
        )
        raise CleaningError(
            f"{_where(path, table.sheet, table.first_row + header.row_index)}: required column "
            f"missing ({', '.join(missing)}). Expected {wanted}. Headers found: {found}"
        )


# ---------------------------------------------------------------- row classification


def classify_rows(body: pd.DataFrame, cleaned: dict | None = None) -> pd.Series:
    """Label each body row 'blank', 'total', 'note' or 'data', column-wise.

    total: a cell reads Total / Grand Total / Subtotal / FY 2008 Total. note: a single filled
    cell holding a phrase of three or more words (footnotes, source lines). Everything else with
    any content is a data row, even if most of it is redacted.
    """
    cells = {col: parsers.per_distinct(parsers.clean_cells, body[col]) for col in body.columns}
    if cleaned is not None:
        cleaned.update(cells)
    filled = pd.DataFrame({col: text.notna() for col, text in cells.items()}, index=body.index)
    count = filled.sum(axis=1)
    total = pd.Series(False, index=body.index)
    for text in cells.values():
        total |= parsers.total_mask(text)
    # A footnote is a lone cell holding a phrase: only rows with one filled cell are looked at.
    single = count == 1
    words = pd.Series(0, index=body.index)
    if single.any():
        lone = pd.Series("", index=body.index[single], dtype="str")
        for text in cells.values():
            lone = lone + " " + text[single].fillna("")
        words[single] = lone.str.count(r"\S+")
    note = single & (words >= 3)
    kinds = pd.Series("data", index=body.index, dtype="str")
    kinds[note] = "note"
    kinds[total] = "total"
    kinds[count == 0] = "blank"
    return kinds


def _stated_count(row: pd.Series) -> int | None:
    """The number a total row carries: a numeric cell, or a number after the word total."""
    for value in row:
        if pd.isna(value):
            continue
        text = str(value).strip()
        number = pd.to_numeric(text.replace(",", ""), errors="coerce")
        if pd.notna(number) and float(number).is_integer() and number >= 0:
            return int(number)
        norm = parsers.normalize_text(text)
        if "total" in norm:
            tail = norm.split("total", 1)[1].split()
            digits = [t for t in tail if t.isdigit() and t != "s"]
            if digits:
                return int(digits[-1])
    return None


# ---------------------------------------------------------------- the cleaner


def _table_records(table: RawTable, header: Header, path: Path, file_label: str):
    """Split one table into data records (raw field columns + location) and row counts."""
    body = table.grid.iloc[header.row_index + 1 :]
    cleaned: dict = {}
    kinds = classify_rows(body, cleaned)
    excel_rows = table.first_row + pd.Series(range(len(table.grid)), index=table.grid.index)
    body_rows = excel_rows.loc[body.index]

    is_data_row = (kinds == "data").to_numpy()
    data = body[is_data_row]
    records = pd.DataFrame(index=data.index)
    for name in FIELDS:
        col = header.columns.get(name)
        # the cleaned text of the cell (stripped; blank -> missing), computed once above
        records[f"raw_{name}"] = (
            cleaned[col][is_data_row] if col is not None else pd.Series(pd.NA, index=data.index)
        )
    records["source_file"] = file_label
    records["source_sheet"] = table.sheet if table.sheet is not None else ""
    records["source_row"] = body_rows.loc[data.index].astype("int64")
    records["sheet_fiscal_year"] = parsers.fiscal_year_from_sheet(table.sheet)

    is_data = (kinds == "data").astype(int)
    cumulative = is_data.cumsum()
    totals = []
    last_section_cum = 0
    for idx in kinds.index[kinds == "total"]:
        row = body.loc[idx]
        label = next(
            str(v) for v in row if pd.notna(v) and parsers.is_total_label(pd.Series([v]))[0]
        )
        kind = parsers.total_kind(label)
        counted = int(cumulative.loc[idx])
        if kind == "section":
            counted_here = counted - last_section_cum
            last_section_cum = counted
        else:
            counted_here = None  # grand totals are checked across all sheets by the caller
        totals.append(
            {
                "sheet": table.sheet,
                "row": int(body_rows.loc[idx]),
                "label": label.strip(),
                "kind": kind,
                "stated": _stated_count(row),
                "counted": counted_here,
                "data_rows_before": counted,
            }
        )
    counts = {
        "preamble_rows": int(header.row_index),
        "header_rows": 1,
        "blank_rows": int((kinds == "blank").sum()),
        "total_rows": int((kinds == "total").sum()),
        "note_rows": int((kinds == "note").sum()),
        "data_rows_read": int((kinds == "data").sum()),
    }
    notes = [
        {
            "sheet": table.sheet,
            "row": int(body_rows.loc[i]),
            "text": str(body.loc[i].dropna().iloc[0]),
        }
        for i in kinds.index[kinds == "note"]
    ]
    return records, counts, totals, notes


MAX_VALUE_SHOWN = 200  # longer raw values are shortened in the summary (the raw file keeps them)


def _shorten(value: str) -> str:
    if len(value) <= MAX_VALUE_SHOWN:
        return value
    return f"{value[:MAX_VALUE_SHOWN]}… ({len(value)} characters)"


def _unrecognized_list(raw: pd.Series, flags: pd.Series) -> list[dict]:
    values = raw[flags].astype("str").str.strip()
    counts = values.value_counts()
    return [{"value": _shorten(str(v)), "count": int(n)} for v, n in sorted(counts.items())]


def build_cases(
    records: pd.DataFrame, period_end: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Parse raw field columns into the output table; return (cases, rejected, details)."""
    each = parsers.per_distinct
    dates = each(parsers.parse_dates, records["raw_screening_date"])
    date_text = each(parsers.blank_redactions, records["raw_screening_date"])
    bad_date = date_text.notna() & dates.isna()

    fy_column = each(parsers.parse_fiscal_year, records["raw_fiscal_year"])
    fy_sheet = pd.to_numeric(records["sheet_fiscal_year"], errors="coerce").astype("Int64")
    fiscal_year = parsers.fiscal_year_of(dates).fillna(fy_column).fillna(fy_sheet)
    fy_disagrees = dates.notna() & fy_column.notna() & (parsers.fiscal_year_of(dates) != fy_column)

    names, iso3, bad_country = each(parsers.parse_countries, records["raw_citizenship"])
    exception, bad_exception = each(parsers.parse_exceptions, records["raw_exception"])
    expedited, bad_expedited = each(parsers.parse_yes_no, records["raw_expedited_removal"])

    case_id = parsers.blank_redactions(records["raw_case_id"])
    generated = case_id.isna()
    if generated.any():  # built only for the rows that need one
        where = records.loc[generated]
        made = (
            "row:" + where["source_file"].astype("str") + ":" + where["source_sheet"].astype("str")
            + ":" + where["source_row"].astype("str")
        )  # fmt: skip
        case_id = case_id.fillna(made)

    period_start_fy = 2005
    period_end_fy = int(parsers.fiscal_year_of(pd.Series([period_end])).iloc[0])
    reason = pd.Series(pd.NA, index=records.index, dtype="str")
    no_year = fiscal_year.isna()
    reason[no_year & bad_date] = "year cannot be determined: date not recognised and no fiscal year"
    reason[no_year & ~bad_date] = "year cannot be determined: no date and no fiscal year"
    early = dates < STCA_START
    late = dates > period_end
    reason[early] = f"date before the STCA took effect ({STCA_START.date()})"
    reason[late] = f"date after the data cutoff ({period_end.date()})"
    fy_out = (
        dates.isna()
        & fiscal_year.notna()
        & ((fiscal_year < period_start_fy) | (fiscal_year > period_end_fy))
    )
    reason[fy_out.fillna(False)] = (
        f"fiscal year outside the data period (FY{period_start_fy}-FY{period_end_fy})"
    )

    pending = reason.isna()
    dup = pending & ~generated & case_id.where(pending).duplicated(keep="first") & case_id.notna()
    if dup.any():
        first_row = (
            records.loc[pending & ~generated]
            .groupby(case_id[pending & ~generated], sort=False)
            .agg(sheet=("source_sheet", "first"), row=("source_row", "first"))
        )
        where = case_id[dup].map(
            lambda cid: f"{first_row.loc[cid, 'sheet'] or 'csv'} row {first_row.loc[cid, 'row']}"
        )
        reason[dup] = "duplicate case_id " + case_id[dup] + " (first seen at " + where + ")"

    rejected_mask = reason.notna()
    port = each(
        lambda s: parsers.blank_redactions(s).str.replace(r"\s+", " ", regex=True),
        records["raw_port_of_entry"],
    )

    cases = pd.DataFrame(
        {
            "case_id": case_id,
            "screening_date": each(lambda d: d.dt.strftime("%Y-%m-%d"), dates),
            "calendar_year": dates.dt.year.astype("Int64"),
            "fiscal_year": fiscal_year.astype("Int64"),
            "citizenship": names,
            "citizenship_iso3": iso3,
            "exception": exception,
            "expedited_removal": expedited,
            "port_of_entry": port,
            "source_file": records["source_file"].astype("str"),
            "source_sheet": records["source_sheet"].astype("str"),
            "source_row": records["source_row"].astype("int64"),
        }
    )[~rejected_mask].reset_index(drop=True)

    rejected = records.loc[rejected_mask, ["source_file", "source_sheet", "source_row"]].copy()
    rejected["reason"] = reason[rejected_mask]
    for name in FIELDS:
        rejected[f"raw_{name}"] = records.loc[rejected_mask, f"raw_{name}"].astype("str")
    rejected = rejected[REJECTED_COLUMNS].reset_index(drop=True)

    kept = ~rejected_mask
    details = {
        "generated_case_ids": int((generated & kept).sum()),
        "fiscal_year_column_disagrees_with_date": int((fy_disagrees & kept).sum()),
        "unrecognized": {
            "citizenship": _unrecognized_list(records["raw_citizenship"], bad_country & kept),
            "exception": _unrecognized_list(records["raw_exception"], bad_exception & kept),
            "expedited_removal": _unrecognized_list(
                records["raw_expedited_removal"], bad_expedited & kept
            ),
            "screening_date": _unrecognized_list(records["raw_screening_date"], bad_date & kept),
        },
    }
    return cases, rejected, details


def clean_foia(
    raw_path: str | Path,
    period_end: str = DEFAULT_PERIOD_END,
    strict: bool = False,
    verify_checksums: bool = True,
) -> CleaningResult:
    """Clean one FOIA file (xlsx or csv) into a CleaningResult.

    raw_path: the file; period_end: last date the release covers (later dates are rejected);
    strict: unknown countries or exception labels, and totals that disagree with the records,
    become errors instead of reported unknowns; verify_checksums: check the nearest
    MANIFEST.sha256 above the file first. Raises CleaningError (or ManifestError).
    """
    path = repo_path(raw_path)
    if not path.exists():
        raise CleaningError(f"{path}: file not found")
    manifest_dir = find_manifest_dir(path)
    if verify_checksums and manifest_dir is not None:
        verify_manifest(manifest_dir)
    period_end_ts = pd.Timestamp(period_end)
    tables, facts = read_tables(path)
    file_label = path.name

    all_records, sheets, totals, notes = [], [], [], []
    row_counts = dict.fromkeys(
        ["preamble_rows", "header_rows", "blank_rows", "total_rows", "note_rows", "data_rows_read"],
        0,
    )
    skipped_rows = 0
    for table in tables:
        header = locate_header(table, path)
        if header is None:
            filled = int(table.grid.notna().any(axis=1).sum())
            sheets.append(
                {
                    "sheet": table.sheet,
                    "status": "skipped: no header row found",
                    "rows": len(table.grid),
                    "filled_rows": filled,
                }
            )
            skipped_rows += len(table.grid)
            continue
        check_required(header, table, path)
        records, counts, table_totals, table_notes = _table_records(table, header, path, file_label)
        offset = sum(len(r) for r in all_records)
        for total in table_totals:
            total["data_rows_before"] += offset
        all_records.append(records)
        totals.extend(table_totals)
        notes.extend(table_notes)
        for key, value in counts.items():
            row_counts[key] += value
        sheets.append(
            {
                "sheet": table.sheet,
                "status": "table",
                "header_row": table.first_row + header.row_index,
                "columns": {header.labels[col]: name for name, col in header.columns.items()},
                "unused_columns": sorted(
                    header.labels[c] for c in header.labels if c not in header.columns.values()
                ),
                **counts,
            }
        )
    if not all_records:
        where = (
            ", ".join(repr(s["sheet"]) for s in sheets)
            if tables[0].sheet is not None
            else "the file"
        )
        raise CleaningError(
            f"{path}: no recognisable header row in {where}. Expected a row naming at least two of: "
            + "; ".join(f"{k} ({', '.join(v[:3])}…)" for k, v in parsers.HEADER_SYNONYMS.items())
        )

    records = pd.concat(all_records, ignore_index=True)
    cases, rejected, details = build_cases(records, period_end_ts)

    total_checks = []
    for total in totals:
        counted = total["counted"] if total["kind"] == "section" else total["data_rows_before"]
        stated = total["stated"]
        total_checks.append(
            {
                "sheet": total["sheet"],
                "row": total["row"],
                "label": total["label"],
                "stated": stated,
                "counted": counted,
                "ok": None if stated is None else stated == counted,
            }
        )
    bad_totals = [t for t in total_checks if t["ok"] is False]

    data_rows = row_counts["data_rows_read"]
    accounting = {
        **row_counts,
        "skipped_sheet_rows": skipped_rows,
        "kept": len(cases),
        "rejected": len(rejected),
    }
    accounting["balanced"] = data_rows == accounting["kept"] + accounting["rejected"]
    if not accounting["balanced"]:  # a bug, not bad input: never publish an unbalanced table
        raise AssertionError(f"row accounting does not balance for {path}: {accounting}")

    unknown = details["unrecognized"]
    if strict and (unknown["citizenship"] or unknown["exception"] or bad_totals):
        problems = []
        for fieldname in ("citizenship", "exception"):
            for item in unknown[fieldname]:
                problems.append(
                    f"unrecognised {fieldname} {item['value']!r} ({item['count']} rows)"
                )
        for t in bad_totals:
            problems.append(
                f"sheet {t['sheet']!r} row {t['row']}: {t['label']!r} states {t['stated']}, "
                f"{t['counted']} records counted"
            )
        raise CleaningError(f"{path} (strict mode):\n  - " + "\n  - ".join(problems))

    cases = validate_cases(cases, STCA_START, period_end_ts)
    status = data_status(path)
    summary = {
        "source_file": relative_to_root(path),
        "source_sha256": status.sha256,
        "is_standin": status.is_standin,
        # What each value computed from this table is (src/status.py); null for a real release.
        "value_status": status.sidecar.get("value_status") if status.is_standin else None,
        **facts,
        "period": {"start": str(STCA_START.date()), "end": str(period_end_ts.date())},
        "checksums_verified": bool(verify_checksums and manifest_dir is not None),
        "sheets": sheets,
        "rows": accounting,
        "total_checks": total_checks,
        "total_mismatches": len(bad_totals),
        "note_rows": notes,
        "rejections_by_reason": {
            str(k): int(v)
            for k, v in sorted(
                rejected["reason"]
                .str.replace(r"duplicate case_id .*", "duplicate case_id", regex=True)
                .value_counts()
                .items()
            )
        },
        "schema": {"validated_with": "pandera", "columns": OUTPUT_COLUMNS, "passed": True},
        **details,
    }
    return CleaningResult(cases=cases, rejected=rejected, summary=summary)


def write_outputs(
    result: CleaningResult, processed_dir: str | Path = PROCESSED_DIR
) -> dict[str, Path]:
    """Write stca_cases.csv, rejected_rows.csv and cleaning_summary.json atomically; return paths."""
    out = repo_path(processed_dir)
    paths = {
        "cases": write_csv_atomic(result.cases, out / "stca_cases.csv"),
        "rejected": write_csv_atomic(result.rejected, out / "rejected_rows.csv"),
        "summary": write_json_atomic(out / "cleaning_summary.json", result.summary),
    }
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: clean RAW into PROCESSED_DIR; exit 1 with a clear message on bad input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_path")
    parser.add_argument("processed_dir", nargs="?", default=str(PROCESSED_DIR))
    parser.add_argument("--period-end", default=DEFAULT_PERIOD_END)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    from src.helpers import ManifestError

    try:
        result = clean_foia(args.raw_path, period_end=args.period_end, strict=args.strict)
    except (CleaningError, ManifestError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    paths = write_outputs(result, args.processed_dir)
    rows = result.summary["rows"]
    print(
        f"read {rows['data_rows_read']} data rows: kept {rows['kept']}, rejected {rows['rejected']}"
        f" -> {paths['cases']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
