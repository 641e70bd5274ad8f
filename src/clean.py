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
import gzip
import io
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from src import cells as cell_ledger
from src import parsers
from src.helpers import (
    PROCESSED_DIR,
    CleaningError,
    ManifestError,
    check_input_file,
    check_published_unchanged,
    check_writable,
    data_status,
    find_manifest_dir,
    pipeline_defaults,
    relative_to_root,
    release_suffix,
    repo_path,
    sha256_file,
    verify_manifest,
)
from src.schema import OUTPUT_COLUMNS, validate_cases
from src.summary import CellAccounting, CleaningSummary, Period, RowAccounting
from src.workbook import EPOCH_1900, WorkbookFacts, column_index, fill_merged, inspect_xlsx

STCA_START = pd.Timestamp("2004-12-29")  # the agreement took effect on 29 December 2004
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


csv.field_size_limit(2**31 - 1)  # a cell may hold up to Excel's 32,767 characters, or more
__all__ = ["CleaningError", "CleaningResult", "clean_foia", "write_outputs"]


@dataclass
class CleaningResult:
    """What `clean_foia` returns: the tidy table, the rejected rows, and the typed summary."""

    cases: pd.DataFrame
    rejected: pd.DataFrame
    summary: CleaningSummary


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


WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".csv.gz")


def read_tables(path: str | Path) -> tuple[list[RawTable], dict]:
    """Read every sheet (a workbook) or the one table (csv) as raw grids; return (tables, facts).

    facts holds the format, the CSV encoding, and for .xlsx the WorkbookFacts (date system,
    error cells, uncomputed formulas) under "workbook". Raises CleaningError for a missing,
    empty or mislabelled file (e.g. a PDF named .xlsx).
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
    suffix = release_suffix(path)
    if suffix == ".xlsx":
        if kind != "zip (xlsx)":
            raise CleaningError(
                f"{path}: named .xlsx but the content looks like {kind}; "
                "expected an Excel workbook (.xlsx)"
            )
        try:
            workbook = inspect_xlsx(path)
        except (KeyError, OSError, ValueError) as exc:  # a zip that is not a workbook
            raise CleaningError(f"{path}: cannot read as an Excel workbook: {exc}") from exc
        tables = [
            RawTable(t.sheet, fill_merged(t.grid, workbook.merged.get(t.sheet, [])), t.first_row)
            for t in _read_workbook(path)
        ]  # a merged range's value fills every cell of it
        return tables, {"format": "xlsx", "workbook": workbook}
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(path), {"format": suffix.lstrip("."), "workbook": WorkbookFacts()}
    if suffix in TEXT_SUFFIXES:
        if suffix == ".csv.gz":
            if not head.startswith(b"\x1f\x8b"):
                raise CleaningError(f"{path}: named .csv.gz but the content is not gzip data")
        elif kind not in ("text",):
            raise CleaningError(f"{path}: named {suffix} but the content looks like {kind}")
        return _read_csv(path)
    raise CleaningError(
        f"{path}: unsupported file type {suffix!r}; expected one of "
        f"{', '.join(WORKBOOK_SUFFIXES + TEXT_SUFFIXES)}"
    )


def _read_workbook(path: Path) -> list[RawTable]:
    try:
        # keep_default_na=False: the text 'NA' is a value (Namibia, in a column of codes) that
        # the parsers judge in context, not a missing cell
        sheets = pd.read_excel(
            path,
            sheet_name=None,
            header=None,
            engine="calamine",
            keep_default_na=False,
            na_values=[""],
        )
    except Exception as exc:  # calamine raises its own error types
        raise CleaningError(f"{path}: cannot read as a workbook: {exc}") from exc
    return [RawTable(sheet=str(name), grid=grid) for name, grid in sheets.items()]


def _csv_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if release_suffix(path) == ".csv.gz":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise CleaningError(f"{path}: cannot decompress: {exc}") from exc
    return raw


def _csv_encoding(raw: bytes) -> tuple[str, str]:
    """(codec for pandas, label for the report): UTF-8 (with or without BOM), else Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "utf-8 with BOM"
    try:
        raw.decode("utf-8")
        return "utf-8", "utf-8"
    except UnicodeDecodeError:
        raw.decode("cp1252")  # raises if the bytes are not Windows-1252 either
        return "cp1252", "windows-1252"


_WIDER_ROW = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _read_csv(path: Path) -> tuple[list[RawTable], dict]:
    raw = _csv_bytes(path)
    try:
        encoding, label = _csv_encoding(raw)
    except UnicodeDecodeError as exc:
        raise CleaningError(
            f"{path}: byte {exc.start} is neither UTF-8 nor Windows-1252 text"
        ) from exc
    text = raw.decode(encoding)
    try:
        head = list(csv.reader(io.StringIO(text[: 1 << 20]), strict=False))[:HEADER_SCAN_ROWS]
    except csv.Error as exc:
        raise CleaningError(f"{path}: cannot read as CSV near the top: {exc}") from exc
    # The widest of the first rows sets the grid; a later, wider row makes the parser stop.
    # Rows wider than the header itself are caught once the header is known (check_width).
    width = max((len(row) for row in head), default=0)
    if width == 0:
        raise CleaningError(f"{path}: no rows found; expected a header row and data rows")
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            header=None,
            names=range(width),
            dtype="str",
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        match = _WIDER_ROW.search(str(exc))
        if match:
            expected, line, saw = match.groups()
            raise CleaningError(
                f"{path}, row {line}: {saw} fields, but the header has {expected}; a value "
                "spills past the last column (an unquoted comma?). Quote the field or remove "
                "the extra value."
            ) from exc
        raise CleaningError(f"{path}: cannot read as CSV: {exc}") from exc
    return [RawTable(sheet=None, grid=grid)], {"format": "csv", "encoding": label}


# ---------------------------------------------------------------- header detection


@dataclass
class Header:
    """Where the header is and which column holds which field."""

    row_index: int  # position in the grid of its first row
    columns: dict[str, int]  # field -> grid column
    labels: dict[int, str]  # grid column -> header text as written (rows joined by a space)
    height: int = 1  # rows the header spans (2 when sub-headers sit under group labels)


def _header_labels(rows: list[pd.Series]) -> dict[int, str]:
    """Column -> label, joining the cells of one or more header rows with a space."""
    labels: dict[int, list[str]] = {}
    for row in rows:
        for col, value in row.items():
            if pd.notna(value) and str(value).strip():
                labels.setdefault(col, []).append(str(value).strip())
    return {col: " ".join(parts) for col, parts in labels.items()}


def _fields(labels: dict[int, str]) -> dict[int, str]:
    found = {col: parsers.header_field(label) for col, label in labels.items()}
    return {col: name for col, name in found.items() if name}


def locate_header(table: RawTable, path: Path) -> Header | None:
    """Find the header among the first rows: the first row (or pair of rows, when sub-headers
    sit under group labels, as 'Expedited' over 'Removal') naming two or more known fields.

    A pair wins over its rows alone only when it names more fields than either. Returns None
    when nothing qualifies (a notes sheet, say). Raises CleaningError when two columns map to
    the same field.
    """
    scan = table.grid.head(HEADER_SCAN_ROWS)
    rows = [scan.iloc[i] for i in range(len(scan))]

    def count(labels):
        return len(set(_fields(labels).values()))

    for position in range(len(rows)):
        single = _header_labels(rows[position : position + 1])
        pair = _header_labels(rows[position : position + 2])
        below = _header_labels(rows[position + 1 : position + 2])
        n_single, n_pair, n_below = count(single), count(pair), count(below)
        if max(n_single, n_pair) < 2:
            continue
        if n_pair > n_single and n_pair > n_below and position + 1 < len(rows):
            labels, height = pair, 2
        elif n_single >= 2:
            labels, height = single, 1
        else:
            continue  # only the pair qualifies, and the next row alone does better
        fields = _fields(labels)
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
        return Header(row_index=position, columns=columns, labels=labels, height=height)
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


NUMBER_RE = r"\d[\d,]*(?:\.0+)?"
# Fields where a bare number is expected; a number anywhere else, on a row holding nothing but
# it and a label, is a count someone typed under the table, not a person.
NUMERIC_FIELDS = ("case_id", "screening_date", "fiscal_year")


def classify_rows(
    body: pd.DataFrame, cleaned: dict | None = None, header: Header | None = None
) -> pd.Series:
    """Label each body row 'blank', 'total', 'header', 'note', 'format hint', 'lone number',
    'suspect' or 'data', column-wise.

    total: a cell reads Total, Grand Total, Subtotal, Sum, 'Total for FY 2010', 'Count of ...'.
    header: a repeated header row (two or more cells are field names). note: a single filled cell
    holding a phrase of three or more words, or a line that opens like a note ('Data as of',
    'Source:', 'Prepared by', 'Note:', '*'). format hint: every filled cell reads like '(text)' or
    '(MM/DD/YYYY)'. lone number: a single filled cell holding only a number. suspect: a row with
    only a label and a number outside the numeric fields (a count under the table). summary
    block: a blank-separated block after the data of short rows, one of them a label and a
    number. Everything else with any content is a data row, even if most of it is redacted.
    """
    cells = {col: parsers.per_distinct(parsers.clean_cells, body[col]) for col in body.columns}
    if cleaned is not None:
        cleaned.update(cells)
    filled = pd.DataFrame({col: text.notna() for col, text in cells.items()}, index=body.index)
    count = filled.sum(axis=1)
    total = pd.Series(False, index=body.index)
    named = pd.Series(0, index=body.index)
    for text in cells.values():
        total |= parsers.total_mask(text)
        named += parsers.per_distinct(
            lambda t: t.map(parsers.header_field, na_action="ignore").notna(), text
        ).astype(int)
    # A footnote is a lone cell holding a phrase: only rows with one filled cell are looked at.
    single = count == 1
    words = pd.Series(0, index=body.index)
    if single.any():
        lone = pd.Series("", index=body.index[single], dtype="str")
        for text in cells.values():
            lone = lone + " " + text[single].fillna("")
        words[single] = lone.str.count(r"\S+")
    note = single & (words >= 3)
    lone_number = pd.Series(False, index=body.index)
    hints = pd.Series(0, index=body.index)
    for text in cells.values():
        stripped = text.str.strip()
        if single.any():
            lone = stripped[single]
            note[single] |= (
                lone.str.match(cell_ledger.NOTE_LINE.pattern, case=False).fillna(False).astype(bool)
            )
            lone_number[single] |= (
                lone.str.replace(" ", "")
                .str.fullmatch(cell_ledger.LONE_NUMBER.pattern)
                .fillna(False)
                .astype(bool)
            )
        hints += (
            stripped.str.fullmatch(cell_ledger.FORMAT_HINT.pattern, case=False)
            .fillna(False)
            .astype(int)
        )
    format_hint = (count >= 1) & (hints == count)
    suspect = pd.Series(False, index=body.index)
    pair = count == 2
    numbers = pd.Series(0, index=body.index)
    for text in cells.values():
        numbers += text.str.strip().str.fullmatch(NUMBER_RE).fillna(False).astype(int)
    label_and_number = pair & (numbers == 1)
    if header is not None and pair.any():
        numeric_cols = {header.columns.get(f) for f in NUMERIC_FIELDS}
        for col, text in cells.items():
            if col in numeric_cols:
                continue
            suspect |= pair & text.str.fullmatch(NUMBER_RE).fillna(False).astype(bool)
    kinds = pd.Series("data", index=body.index, dtype="str")
    kinds[note] = "note"
    kinds[suspect] = "suspect"
    kinds[lone_number] = "lone number"
    kinds[format_hint] = "format hint"
    kinds[named >= 2] = "header"
    kinds[total] = "total"
    kinds[count == 0] = "blank"
    # A blank-separated block after the data holding only short rows, at least one a label and a
    # number (a summary typed under the table, 'Exception | Count'), is not people.
    block = (count == 0).cumsum()
    for _, rows in kinds.groupby(block, sort=False):
        rows = rows[rows != "blank"]
        if (
            len(rows)
            and rows.index[0] != kinds.index[0]
            and (count[rows.index] <= 2).all()
            and label_and_number[rows.index].any()
            and (kinds.loc[: rows.index[0]] == "data").any()
        ):
            loose = rows.index[
                rows.isin(["data", "suspect"])
            ]  # totals and notes stay what they are
            kinds[loose] = "summary block"
    return kinds


# Fields a pivot's outline layout may write once per group (never a person's own identifiers).
GROUP_FIELDS = ("citizenship", "exception", "expedited_removal", "port_of_entry", "fiscal_year")


def _fill_groups(cleaned: dict, kinds: pd.Series, header: Header) -> int:
    """Fill down a group label written once per group (a pivot's outline layout), but only where
    the structure shows the group: a subtotal row closes it naming the label ('Mexico Total'),
    the label is on the group's first data row, and every other data row of the group is blank
    in that column. Mutates `cleaned` (column -> cleaned text); returns the cells filled. Any
    other blank stays a blank."""
    filled = 0
    rows = list(kinds.index)
    start = 0
    for position, idx in enumerate(rows):
        if kinds.loc[idx] != "total":
            continue
        label = next((str(t.loc[idx]) for t in cleaned.values() if pd.notna(t.loc[idx])), "")
        group = parsers.group_of_total(label)
        segment = [r for r in rows[start:position] if kinds.loc[r] == "data"]
        start = position + 1
        if group is None or len(segment) < 2:
            continue
        for name in GROUP_FIELDS:
            col = header.columns.get(name)
            if col is None:
                continue
            text = cleaned[col]
            first, rest = segment[0], segment[1:]
            if (
                pd.notna(text.loc[first])
                and parsers.normalize_text(text.loc[first]) == group
                and text.loc[rest].isna().all()
            ):
                text.loc[rest] = text.loc[first]
                filled += len(rest)
    return filled


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


def check_width(table: RawTable, header: Header, path: Path) -> None:
    """A CSV row holding a value to the right of the header's last column has more fields than
    the header (an unquoted comma shifts the values): an error naming the row, on any line."""
    if table.sheet is not None or not header.labels:
        return
    last = max(header.labels)
    body = table.grid.iloc[header.row_index + header.height :]
    beyond = body.loc[:, [c for c in body.columns if c > last]]
    if beyond.empty:
        return
    spilled = beyond.notna().any(axis=1)
    if spilled.any():
        position = body.index.get_loc(spilled.idxmax())
        row = body.iloc[position]
        fields = int(row.notna()[::-1].idxmax()) + 1
        excel_row = table.first_row + header.row_index + header.height + position
        raise CleaningError(
            f"{path}, row {excel_row}: {fields} fields, but the header has {last + 1}; a value "
            "spills past the last column (an unquoted comma?). Quote the field or remove the "
            "extra value."
        )


def _with_error_values(table: RawTable, workbook) -> pd.DataFrame:
    """The sheet's grid with each Excel error cell ('#N/A', which calamine reads as empty) holding
    its error text, so it is read as a withheld value with that code, never as a blank."""
    errors = [
        c for c in (workbook.unknown_cells if workbook else [])
        if c.sheet == table.sheet and c.kind == "error"
    ]  # fmt: skip
    if not errors:
        return table.grid
    grid = table.grid.copy()
    for cell in errors:
        row, col = cell.row - table.first_row, column_index(cell.column)
        if 0 <= row < len(grid) and col in grid.columns:
            grid.iat[row, grid.columns.get_loc(col)] = cell.text
    return grid


def _table_records(table: RawTable, header: Header, path: Path, file_label: str, workbook):
    """Split one table into data records (raw field columns + location) and row counts, and
    find what must be reported: cells of unknown value, and columns with data but no field."""
    start = header.row_index + header.height
    body = _with_error_values(table, workbook).iloc[start:]
    cleaned: dict = {}
    kinds = classify_rows(body, cleaned, header)
    groups_filled = _fill_groups(cleaned, kinds, header)  # before anything is counted
    excel_rows = table.first_row + pd.Series(range(len(table.grid)), index=table.grid.index)
    body_rows = excel_rows.loc[body.index]

    is_data_row = kinds.isin(["data", "suspect"]).to_numpy()
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
    records["suspect"] = (kinds[is_data_row] == "suspect").to_numpy()

    # Cells whose value the workbook does not hold (errors, uncomputed formulas), by field.
    field_of = {col: name for name, col in header.columns.items()}
    data_rows = set(records["source_row"].tolist())
    unknown = [
        {
            "sheet": cell.sheet,
            "row": cell.row,
            "column": cell.column,
            "field": field_of.get(column_index(cell.column), ""),
            "kind": cell.kind,
            "text": cell.text,
        }
        for cell in (workbook.unknown_cells if workbook else [])
        if cell.sheet == table.sheet and cell.row in data_rows
    ]
    unmapped = [
        {
            "sheet": table.sheet,
            "column": header.labels.get(
                col, f"column {cell_ledger.column_letters(col)} (no header)"
            ),
            "filled_rows": int(n),
        }
        for col in body.columns
        if col not in field_of and (n := cleaned[col][is_data_row].notna().sum())
    ]

    # The cell ledger: data rows' cells are counted per record (fields, or unplaced); every
    # other filled row is structure, listed with its cells.
    filled = pd.DataFrame({col: cleaned[col].notna() for col in body.columns}, index=body.index)
    mapped = [c for c in body.columns if c in field_of]
    other = [c for c in body.columns if c not in field_of]
    records["cells_mapped"] = filled.loc[data.index, mapped].sum(axis=1).astype("int64")
    records["cells_other"] = (
        filled.loc[data.index, other].sum(axis=1).astype("int64") if other else 0
    )
    records["other_cells"] = ""
    if other:
        with_other = records.index[records["cells_other"] > 0]
        for idx in with_other:
            cols = [c for c in other if filled.at[idx, c]]
            records.at[idx, "other_cells"] = "; ".join(
                f"{cell_ledger.column_letters(c)}{int(body_rows.loc[idx])} "
                f"({header.labels.get(c, 'no header')}): {str(cleaned[c].loc[idx])[:60]}"
                for c in cols
            )
    top = table.grid.iloc[:start]
    structure_cells, structure = cell_ledger.rows_as_structure(
        top.iloc[: header.row_index], table.sheet, table.first_row
    )
    head_cells, head_rows = cell_ledger.rows_as_structure(
        top.iloc[header.row_index :], table.sheet, table.first_row + header.row_index, "header"
    )
    structure_cells += head_cells
    structure += head_rows
    words = {"header": "repeated header", "total": "total", "format hint": "format hint",
             "lone number": "lone number", "summary block": "summary block under the data"}  # fmt: skip
    for idx in kinds.index[kinds.isin([*words, "note"])]:
        columns = [int(c) for c in body.columns if filled.at[idx, c]]
        text = " | ".join(str(cleaned[c].loc[idx]) for c in columns)
        kind = words.get(kinds.loc[idx]) or cell_ledger.line_kind(text, "note")
        structure.append(
            cell_ledger.entry(table.sheet, int(body_rows.loc[idx]), columns, kind, text)
        )
        structure_cells += len(columns)
    cells_read = int(cell_ledger.filled(top).to_numpy().sum() + filled.to_numpy().sum())

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
                "sheet_rows_before": counted,
            }
        )
    counts = {
        "preamble_rows": int(header.row_index),
        "header_rows": header.height + int((kinds == "header").sum()),
        "blank_rows": int((kinds == "blank").sum()),
        "total_rows": int((kinds == "total").sum()),
        "note_rows": int(kinds.isin(["note", "format hint", "lone number", "summary block"]).sum()),
        "data_rows_read": int(is_data_row.sum()),
    }
    ledger = {"read": cells_read, "structure": structure_cells, "entries": structure,
              "groups_filled": groups_filled}  # fmt: skip
    notes = [
        {
            "sheet": table.sheet,
            "row": int(body_rows.loc[i]),
            "text": str(body.loc[i].dropna().iloc[0]),
        }
        for i in kinds.index[kinds == "note"]
    ]
    return records, counts, totals, notes, unknown, unmapped, ledger


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
    records: pd.DataFrame,
    period_end: pd.Timestamp,
    epoch: pd.Timestamp = EPOCH_1900,
    date_order: str | dict[str, str] = "mdy",
) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.Series]:
    """Parse raw field columns into the output table; return (cases, rejected, details, kept),
    kept being True for each record that became a case.

    epoch: day zero of serial-number dates (the workbook's date system); date_order: how N/N/YYYY
    text dates are read ('mdy' or 'dmy', or one per sheet name, settled by the caller from each
    sheet's values)."""
    each = parsers.per_distinct
    orders = date_order if isinstance(date_order, dict) else {}
    dates = pd.Series(pd.NaT, index=records.index, dtype="datetime64[us]")
    for sheet, part in records.groupby("source_sheet", sort=False):
        order = orders.get(sheet, date_order if isinstance(date_order, str) else "mdy")
        dates.loc[part.index] = each(
            lambda s, order=order: parsers.parse_dates(s, epoch=epoch, date_order=order),
            part["raw_screening_date"],
        )
    had_time = each(lambda s: parsers.date_text(s)[1], records["raw_screening_date"])
    date_text = each(parsers.blank_redactions, records["raw_screening_date"])
    bad_date = date_text.notna() & dates.isna()

    fy_column = each(parsers.parse_fiscal_year, records["raw_fiscal_year"])
    fy_sheet = pd.to_numeric(records["sheet_fiscal_year"], errors="coerce").astype("Int64")
    fiscal_year = parsers.fiscal_year(dates).fillna(fy_column).fillna(fy_sheet)
    fy_disagrees = dates.notna() & fy_column.notna() & (parsers.fiscal_year(dates) != fy_column)
    sheet_disagrees = (
        dates.notna() & fy_sheet.notna() & (parsers.fiscal_year(dates) != fy_sheet)
    ).fillna(False)

    names, iso3, bad_country = each(parsers.parse_countries, records["raw_citizenship"])
    exception, bad_exception = each(parsers.parse_exceptions, records["raw_exception"])
    expedited, bad_expedited = each(parsers.parse_yes_no, records["raw_expedited_removal"])

    case_id = parsers.blank_redactions(records["raw_case_id"])
    id_key = each(parsers.case_id_key, case_id)
    generated = case_id.isna()
    if generated.any():  # built only for the rows that need one
        where = records.loc[generated]
        made = (
            "row:" + where["source_file"].astype("str") + ":" + where["source_sheet"].astype("str")
            + ":" + where["source_row"].astype("str")
        )  # fmt: skip
        case_id = case_id.fillna(made)

    period_start_fy = 2005
    period_end_fy = int(parsers.fiscal_year(period_end))
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
    reason[records["suspect"].to_numpy() & reason.isna().to_numpy()] = (
        "looks like a count under the table, not a person: a label and a number, nothing else"
    )

    # Duplicates are found on the normalised case number (case, invisible characters, dashes,
    # spaces), so 'AB-101' and 'ab\u200b-101' are one person; the raw value is kept.
    pending = reason.isna()
    candidates = pending & ~generated & case_id.notna()
    dup = candidates & id_key.where(candidates).duplicated(keep="first")
    variants = []
    if dup.any():
        first = (
            records.assign(case_id=case_id, key=id_key)
            .loc[candidates]
            .groupby("key", sort=False)
            .agg(
                raw=("case_id", "first"),
                sheet=("source_sheet", "first"),
                row=("source_row", "first"),
            )
        )
        key = id_key[dup]
        first_raw = key.map(first["raw"])
        where = key.map(lambda k: f"{first.loc[k, 'sheet'] or 'csv'} row {first.loc[k, 'row']}")
        reason[dup] = (
            "duplicate case_id " + case_id[dup] + ": same case number as " + first_raw
            + " (first seen at " + where + ")"
        )  # fmt: skip
        differs = dup & (case_id != first_raw.reindex(case_id.index))
        variants = sorted({(str(first_raw[i]), str(case_id[i])) for i in case_id.index[differs]})

    rejected_mask = reason.notna()
    port = each(
        lambda s: parsers.blank_redactions(s).str.replace(r"\s+", " ", regex=True),
        records["raw_port_of_entry"],
    )

    withheld = pd.Series("", index=records.index, dtype="str")
    for name in FIELDS:
        code = each(parsers.withheld_code, records[f"raw_{name}"])
        here = code.notna()
        if here.any():
            part = (name + " " + code[here]).astype("str")
            withheld[here] = (
                withheld[here].where(withheld[here] == "", withheld[here] + "; ") + part
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
            "withheld": withheld.replace("", pd.NA),
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
    mismatches = []
    if sheet_disagrees.any():
        off = records[sheet_disagrees & kept].assign(date_fy=parsers.fiscal_year(dates))
        for sheet, group in off.groupby("source_sheet", sort=False):
            mismatches.append(
                {
                    "sheet": sheet,
                    "sheet_fiscal_year": int(group["sheet_fiscal_year"].iloc[0]),
                    "rows": len(group),
                    "fiscal_years_in_dates": sorted(int(y) for y in group["date_fy"].unique()),
                }
            )
    blanks = {}
    for name in ("screening_date", "citizenship", "exception", "expedited_removal"):
        empty = records[f"raw_{name}"].isna() & kept
        if empty.any():
            where = records.loc[empty]
            sheet = where["source_sheet"].map(lambda n: f"sheet {n!r}, " if n else "")
            refs = (sheet + "row " + where["source_row"].astype("str")).tolist()
            blanks[name] = {"count": int(empty.sum()),
                            "rows": ", ".join(refs[:20]) + (" …" if len(refs) > 20 else "")}  # fmt: skip
    details = {
        "blank_cells": blanks,
        "time_dropped": int((had_time & dates.notna() & kept).sum()),
        "generated_case_ids": int((generated & kept).sum()),
        "case_id_variants": [{"kept": a, "duplicate_written_as": b} for a, b in variants],
        "sheet_year_mismatches": mismatches,
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
    return cases, rejected, details, kept


COUNT_LABELS = re.compile(
    r"^(?:counts?|number|n|no|#|frequency|total|totals|cases|persons|people|records"
    r"|(?:count|number|sum|total) of .+|(?:number|no) of (?:cases|persons|people|records))$"
)


def aggregate_column(table: RawTable, header: Header) -> int | None:
    """The count column of a table of counts (a pivot or summary sheet), or None.

    A sheet is taken for a table of counts when it has no case number and no date column, and an
    unmapped column whose header reads like a count ('Count', 'Number of cases') holds whole
    numbers. Its rows are groups of people, never people."""
    if "case_id" in header.columns or "screening_date" in header.columns:
        return None
    mapped = set(header.columns.values())
    body = table.grid.iloc[header.row_index + header.height :]
    for col, label in header.labels.items():
        if col in mapped or not COUNT_LABELS.match(parsers.normalize_text(label)):
            continue
        values = pd.to_numeric(body[col], errors="coerce").dropna()
        if len(values) and (values == values.round()).all():
            return col
    return None


def _order_from_fiscal_years(part: pd.DataFrame) -> str | None:
    """The one date order under which every N/N/YYYY date of a sheet falls in the fiscal year the
    sheet states for it (its name, or the row's fiscal-year cell); None when the sheet states no
    year, or both orders or neither fit."""
    stated = parsers.parse_fiscal_year(part["raw_fiscal_year"]).fillna(
        pd.to_numeric(part["sheet_fiscal_year"], errors="coerce").astype("Int64")
    )
    text = parsers.date_text(part["raw_screening_date"])[0]
    slash = text.str.fullmatch(parsers.SLASH_DATE_RE).fillna(False).astype(bool)
    slash &= stated.notna()
    if not slash.any():
        return None
    fits = []
    for order in ("mdy", "dmy"):
        dates = parsers.parse_dates(part.loc[slash, "raw_screening_date"], date_order=order)
        if (parsers.fiscal_year(dates) == stated[slash]).fillna(False).all():
            fits.append(order)
    return fits[0] if len(fits) == 1 else None


def _date_order(
    records: pd.DataFrame, labels: set[str], path: Path, requested: str | None
) -> dict[str, str]:
    """How N/N/YYYY dates are read on each sheet (sheet name -> 'mdy' or 'dmy'; '' for a CSV),
    settled by that sheet's own values (a first number above 12 means day first, a second
    above 12 month first) or, when none does, by the fiscal year the sheet states (only one order
    puts every date in it); never by another sheet's. `requested` (the date_order parameter)
    settles every sheet. An error when a sheet's values disagree, or when a sheet has N/N/YYYY
    dates and nothing settles them."""
    if requested is not None and requested not in ("mdy", "dmy"):
        raise CleaningError(f"date_order must be 'mdy' or 'dmy', got {requested!r}")
    column = ", ".join(repr(c) for c in sorted(labels)) or "the date column"
    orders = {}
    for sheet, part in records.groupby("source_sheet", sort=False):
        raw = part["raw_screening_date"]
        if requested is not None:
            orders[sheet] = requested
            continue
        if not parsers.has_slash_dates(raw.drop_duplicates()):
            orders[sheet] = "mdy"  # no N/N/YYYY dates here: the order does not matter
            continue
        day_first, month_first = parsers.per_distinct(parsers.slash_date_orders, raw)
        where = _where(path, sheet or None)

        def example(mask, part=part):
            row = part[mask].iloc[0]
            return f"row {int(row['source_row'])}: {row['raw_screening_date']!r}"

        if day_first.any() and month_first.any():
            raise CleaningError(
                f"{where}, column {column}: text dates are written both day first "
                f"({example(day_first)}) and month first ({example(month_first)}); a sheet must "
                "use one order. Correct the dates in the file."
            )
        if day_first.any() or month_first.any():
            orders[sheet] = "dmy" if day_first.any() else "mdy"
            continue
        by_year = _order_from_fiscal_years(part)
        if by_year is not None:
            orders[sheet] = by_year
            continue
        ambiguous = raw[
            parsers.date_text(raw)[0].str.fullmatch(parsers.SLASH_DATE_RE).fillna(False)
        ]
        raise CleaningError(
            f"{where}, column {column}: text dates such as {ambiguous.iloc[0]!r} could be read "
            "day/month or month/day, and no value on this sheet settles it (none has a number "
            "above 12; another sheet's order is never borrowed). Set the cleaning parameter "
            "date_order to 'dmy' (day first) or 'mdy' (month first)."
        )
    return orders


def _check_manifest_covers(path: Path, manifest_dir: Path) -> None:
    """The file read must itself be listed in the manifest with its current checksum."""
    entries = verify_manifest(manifest_dir)
    name = path.resolve().relative_to(manifest_dir.resolve()).as_posix()
    if entries.get(name) != sha256_file(path):
        raise ManifestError(
            f"{manifest_dir} does not vouch for the file read:\n  - not in manifest: {name}\n"
            "Review the file, then run `make manifest` to record its checksum."
        )


@dataclass
class ReadRelease:
    """What reading the file gave: one row of raw text per data row, and what was found on the
    way (sheets and how each was read, stated totals, notes, error cells, unmapped columns)."""

    path: Path
    facts: dict  # format (and encoding for text files)
    workbook: WorkbookFacts | None
    records: pd.DataFrame
    sheets: list[dict]
    totals: list[dict]
    notes: list[dict]
    unknown_cells: list[dict]
    unmapped: list[dict]
    row_counts: dict[str, int]
    skipped_rows: int
    date_labels: set[str]
    cells_read: int = 0
    structure_cells: int = 0
    structure: list[dict] | None = None
    unexplained: list[dict] | None = None  # cells of sheets the cleaner cannot place
    unexplained_cells: int = 0
    group_labels_filled: int = 0


@dataclass
class Reconciled:
    """The records made into cases and rejected rows, checked against the stated totals."""

    date_order: dict[str, str]  # sheet -> 'mdy' or 'dmy'
    cases: pd.DataFrame
    rejected: pd.DataFrame
    details: dict
    total_checks: list[dict]
    rows: RowAccounting
    cells: CellAccounting
    unexplained: list[dict]

    @property
    def bad_totals(self) -> list[dict]:
        return [t for t in self.total_checks if t["ok"] is False]


def read_release(path: Path) -> ReadRelease:
    """Read every sheet (or the text file) at `path` into raw records, one per data row, with
    what was found on the way. Raises CleaningError naming the file, sheet, row or column."""
    tables, facts = read_tables(path)
    workbook = facts.pop("workbook", None)
    file_label = path.name

    all_records, sheets, totals, notes, unknown_cells, unmapped = [], [], [], [], [], []
    row_counts = dict.fromkeys(
        ["preamble_rows", "header_rows", "blank_rows", "total_rows", "note_rows", "data_rows_read"],
        0,
    )
    skipped_rows = 0
    table_fields: dict[str, tuple[RawTable, Header]] = {}
    date_labels: set[str] = set()
    ledger = {"read": 0, "structure": 0, "entries": [], "unexplained": [], "unexplained_cells": 0}

    def set_aside(table: RawTable, kind: str | None) -> None:
        """A sheet with no table of people: its cells are structure of `kind`, or unexplained."""
        default = {"notes sheet": "note", "table of counts": "row"}.get(kind or "", "title")
        cells, entries = cell_ledger.rows_as_structure(
            table.grid, table.sheet, table.first_row, default=default
        )
        ledger["read"] += cells
        if kind is None:
            ledger["unexplained_cells"] += cells
            ledger["unexplained"] += [{**e, "why": "a sheet with no header row of people and no "
                                       "layout the cleaner knows"} for e in entries]  # fmt: skip
            return
        ledger["structure"] += cells
        ledger["entries"] += [{**e, "kind": f"{kind}: {e['kind']}"} for e in entries]

    for table in tables:
        header = locate_header(table, path)
        if header is None:
            filled = int(table.grid.notna().any(axis=1).sum())
            kind = cell_ledger.sheet_without_people(table.grid)
            sheets.append(
                {
                    "sheet": table.sheet,
                    "status": f"skipped: {kind}"
                    if kind
                    else "skipped: no header row found (its cells are unexplained)",
                    "rows": len(table.grid),
                    "filled_rows": filled,
                }
            )
            set_aside(table, kind)
            skipped_rows += len(table.grid)
            continue
        count_col = aggregate_column(table, header)
        if count_col is not None:
            set_aside(table, "table of counts")
            body = table.grid.iloc[header.row_index + header.height :]
            counts_here = pd.to_numeric(body[count_col], errors="coerce")
            sheets.append(
                {
                    "sheet": table.sheet,
                    "status": f"skipped: a table of counts (column {header.labels[count_col]!r}), "
                    "not a list of people",
                    "rows": len(table.grid),
                    "count_total": int(counts_here.sum()),
                }
            )
            skipped_rows += len(table.grid)
            continue
        check_required(header, table, path)
        check_width(table, header, path)
        records, counts, table_totals, table_notes, table_unknown, table_unmapped, cells = (
            _table_records(table, header, path, file_label, workbook)
        )
        ledger["read"] += cells["read"]
        ledger["structure"] += cells["structure"]
        ledger["entries"] += cells["entries"]
        ledger["groups_filled"] = ledger.get("groups_filled", 0) + cells["groups_filled"]
        offset = sum(len(r) for r in all_records)
        for total in table_totals:
            total["data_rows_before"] += offset
        all_records.append(records)
        totals.extend(table_totals)
        notes.extend(table_notes)
        unknown_cells.extend(table_unknown)
        unmapped.extend(table_unmapped)
        table_fields[table.sheet] = (table, header)
        if "screening_date" in header.columns:
            date_labels.add(header.labels[header.columns["screening_date"]])
        for key, value in counts.items():
            row_counts[key] += value
        sheets.append(
            {
                "sheet": table.sheet,
                "status": "table",
                "header_row": table.first_row + header.row_index,
                "header_height": header.height,
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
    _check_fields_everywhere(table_fields, path)
    _check_duplicate_sheets(pd.concat(all_records, ignore_index=True), path)
    formulas = [c for c in unknown_cells if c["kind"] == "uncomputed formula"]
    if formulas:
        listed = "; ".join(
            f"sheet {c['sheet']!r}, row {c['row']}, column {c['column']!r}: {c['text']}"
            for c in formulas[:5]
        )
        raise CleaningError(
            f"{path}, {listed}{' …' if len(formulas) > 5 else ''}: {len(formulas)} data cell(s) "
            "hold a formula saved without its computed value, so their values are unknown. "
            "To fix it, open it in a spreadsheet program and save it (that stores the computed "
            "values), then run the cleaning again."
        )

    return ReadRelease(
        path=path, facts=facts, workbook=workbook, records=pd.concat(all_records, ignore_index=True),
        sheets=sheets, totals=totals, notes=notes, unknown_cells=unknown_cells, unmapped=unmapped,
        row_counts=row_counts, skipped_rows=skipped_rows, date_labels=date_labels,
        cells_read=ledger["read"], structure_cells=ledger["structure"],
        structure=ledger["entries"], unexplained=ledger["unexplained"],
        unexplained_cells=ledger["unexplained_cells"],
        group_labels_filled=ledger.get("groups_filled", 0),
    )  # fmt: skip


def reconcile(release: ReadRelease, period_end: pd.Timestamp, date_order: str | None) -> Reconciled:
    """Parse the records into cases and rejected rows and check the stated totals. The row
    accounting must balance (AssertionError otherwise: a bug, never published)."""
    path, records, workbook = release.path, release.records, release.workbook
    order = _date_order(records, release.date_labels, path, date_order)
    epoch = workbook.epoch if workbook else EPOCH_1900
    cases, rejected, details, kept = build_cases(records, period_end, epoch=epoch, date_order=order)
    for sheet in release.sheets:
        if "count_total" in sheet:
            sheet["matches_cases"] = sheet["count_total"] == len(cases)
    totals = release.totals
    total_checks = []
    for total in totals:
        counted = total["counted"] if total["kind"] == "section" else total["data_rows_before"]
        stated = total["stated"]
        if total["kind"] == "grand" and stated == total.get("sheet_rows_before"):
            counted = stated  # a grand total of its own sheet (one sheet per fiscal year)
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

    rows = RowAccounting(
        **release.row_counts,
        skipped_sheet_rows=release.skipped_rows,
        kept=len(cases),
        rejected=len(rejected),
    )
    if not rows.balanced:  # a bug, not bad input: never publish an unbalanced table
        raise AssertionError(f"row accounting does not balance for {path}: {rows}")
    kept_rows = records[kept.to_numpy()]
    rejected_rows = records[~kept.to_numpy()]
    unexplained = list(release.unexplained or []) + [
        {"sheet": r.source_sheet, "cells": r.other_cells, "kind": "column with no field",
         "text": "", "why": "a kept person's cell in a column that maps to no field"}
        for r in kept_rows[kept_rows["cells_other"] > 0].itertuples()
    ]  # fmt: skip
    cells = CellAccounting(
        read=release.cells_read,
        fields_kept=int(kept_rows["cells_mapped"].sum()),
        rejected=int(rejected_rows["cells_mapped"].sum() + rejected_rows["cells_other"].sum()),
        structure=release.structure_cells,
        unexplained=release.unexplained_cells + int(kept_rows["cells_other"].sum()),
    )
    if not cells.balanced:  # a bug, not bad input: every cell must be placed once
        raise AssertionError(f"cell accounting does not balance for {path}: {cells}")
    return Reconciled(order, cases, rejected, details, total_checks, rows, cells, unexplained)


def strict_problems(release: ReadRelease, result: Reconciled) -> list[str]:
    """The findings strict mode turns into errors, one line each (empty: none)."""
    unknown, details, bad_totals = result.details["unrecognized"], result.details, result.bad_totals
    unknown_cells, unmapped, sheets = release.unknown_cells, release.unmapped, release.sheets
    cases = result.cases
    problems = []
    for fieldname in ("citizenship", "exception"):
        for item in unknown[fieldname]:
            problems.append(f"unrecognised {fieldname} {item['value']!r} ({item['count']} rows)")
    for t in bad_totals:
        problems.append(
            f"sheet {t['sheet']!r} row {t['row']}: {t['label']!r} states {t['stated']}, "
            f"{t['counted']} records counted"
        )
    for c in (c for c in unknown_cells if c["kind"] != "error"):  # errors are withheld values
        problems.append(
            f"sheet {c['sheet']!r}, row {c['row']}, column {c['column']!r} "
            f"({c['field'] or 'no field'}): the cell holds the error {c['text']}, not a value"
        )
    for u in unmapped:
        problems.append(
            f"sheet {u['sheet']!r}: column {u['column']!r} has data in {u['filled_rows']} "
            "rows but maps to no field"
        )
    for m in details["sheet_year_mismatches"]:
        years = ", ".join(f"FY{y}" for y in m["fiscal_years_in_dates"])
        problems.append(
            f"sheet {m['sheet']!r} is named for FY{m['sheet_fiscal_year']} but "
            f"{m['rows']} of its rows are dated in {years}"
        )
    if result.cells.unexplained:
        shown = "; ".join(
            (f"sheet {u['sheet']!r}, " if u["sheet"] else "")
            + u["cells"]
            + (f" ({u['text']})" if u["text"] else "")
            for u in result.unexplained[:5]
        )
        problems.append(
            f"{result.cells.unexplained} cell(s) the cleaner cannot place (not a field of a kept "
            f"person, not a rejected row, not a title, header, note or total): {shown}"
            + (" …" if len(result.unexplained) > 5 else "")
        )
    if len(cases) == 0:
        problems.append(
            f"no person was kept: all {len(result.rejected)} data rows were rejected "
            "(see rejected_rows.csv for the reasons)"
        )
    for sheet in sheets:
        if sheet.get("matches_cases") is False:
            problems.append(
                f"sheet {sheet['sheet']!r}: a table of counts adding up to "
                f"{sheet['count_total']}, but {len(cases)} people were read"
            )
    return problems


def _date_order_words(orders: dict[str, str]) -> dict[str, str]:
    """{'screening_date': 'month first'} when every sheet reads dates one way; otherwise one
    entry per sheet."""
    words = {"mdy": "month first", "dmy": "day first"}
    if len(set(orders.values())) <= 1:
        return {"screening_date": words[next(iter(orders.values()), "mdy")]}
    return {f"screening_date, sheet {sheet!r}": words[o] for sheet, o in orders.items()}


def cleaning_status(result: Reconciled) -> str:
    """'clean', or what a person must review: unexplained cells, rejected rows, nobody kept."""
    issues = []
    if len(result.cases) == 0:
        issues.append("no person kept")
    if result.cells.unexplained:
        issues.append(f"{result.cells.unexplained} unexplained cells")
    if len(result.rejected):
        issues.append(f"{len(result.rejected)} rejected rows")
    return "clean" if not issues else "to review: " + ", ".join(issues)


def summarise(
    release: ReadRelease, result: Reconciled, period_end: pd.Timestamp, checksums_verified: bool
) -> CleaningSummary:
    """The typed summary of a cleaning run (written as cleaning_summary.json)."""
    status = data_status(release.path)
    rejected = result.rejected
    return CleaningSummary(
        source_file=relative_to_root(release.path),
        source_sha256=status.sha256,
        is_standin=status.is_standin,
        # What each value computed from this table is (src/status.py); None for a real release.
        value_status=status.sidecar.get("value_status") if status.is_standin else None,
        format=release.facts["format"],
        encoding=release.facts.get("encoding"),
        date_system="1904" if release.workbook and release.workbook.date1904 else "1900",
        date_order=_date_order_words(result.date_order),
        period=Period(start=str(STCA_START.date()), end=str(period_end.date())),
        checksums_verified=checksums_verified,
        sheets=release.sheets,
        rows=result.rows,
        cells=result.cells,
        status=cleaning_status(result),
        structure=release.structure or [],
        unexplained_cells=result.unexplained,
        group_labels_filled=release.group_labels_filled,
        total_checks=result.total_checks,
        total_mismatches=len(result.bad_totals),
        note_rows=release.notes,
        unknown_cells=release.unknown_cells,
        unmapped_columns=release.unmapped,
        rejections_by_reason={
            str(k): int(v)
            for k, v in sorted(
                rejected["reason"]
                .str.replace(r"duplicate case_id .*", "duplicate case_id", regex=True)
                .value_counts()
                .items()
            )
        },
        schema={"validated_with": "pandera", "columns": OUTPUT_COLUMNS, "passed": True},
        **result.details,
    )


def clean_foia(
    raw_path: str | Path,
    period_end: str | None = None,
    strict: bool = False,
    verify_checksums: bool = True,
    date_order: str | None = None,
) -> CleaningResult:
    """Clean one FOIA file (a workbook or a csv) into a CleaningResult: read, reconcile, check,
    validate, summarise.

    raw_path: the file; period_end: last date the release covers (later dates are rejected;
    default: `period_end` in pipeline.yml's defaults); strict: unknown countries or exception
    labels, totals that disagree with the records, error cells, columns with data but no field,
    sheets named for another fiscal year and tables of counts that disagree with the cases
    become errors instead of reported findings; verify_checksums: check the nearest
    MANIFEST.sha256 above the file first, and that it lists this file; date_order: 'mdy' or
    'dmy' for N/N/YYYY dates that no value settles.
    Raises CleaningError (or ManifestError).
    """
    path = repo_path(raw_path)
    if not path.exists() and not path.is_symlink():
        raise CleaningError(f"{path}: file not found")
    check_input_file(path)
    manifest_dir = find_manifest_dir(path)
    if verify_checksums and manifest_dir is not None:
        _check_manifest_covers(path, manifest_dir)
    period_end_ts = pd.Timestamp(period_end or default_period_end())
    release = read_release(path)
    result = reconcile(release, period_end_ts, date_order)
    if strict:
        problems = strict_problems(release, result)
        if problems:
            raise CleaningError(f"{path} (strict mode):\n  - " + "\n  - ".join(problems))
    cases = validate_cases(result.cases, STCA_START, period_end_ts)
    checked = bool(verify_checksums and manifest_dir is not None)
    summary = summarise(release, result, period_end_ts, checked)
    return CleaningResult(cases=cases, rejected=result.rejected, summary=summary)


def default_period_end() -> str:
    """The data period's last day, as set once in pipeline.yml (defaults.parameters)."""
    return pipeline_defaults()["period_end"]


def _person_keys(part: pd.DataFrame) -> set[str]:
    """What identifies the people of one sheet: their case numbers (normalised), or, for rows
    whose number is withheld, every field they hold."""
    ids = parsers.case_id_key(parsers.blank_redactions(part["raw_case_id"]))
    cols = part[[f"raw_{name}" for name in FIELDS]].astype("str").fillna("")
    fields = cols.iloc[:, 0].str.cat([cols[c] for c in cols.columns[1:]], sep="|")
    named = {f"id:{key}" for key in ids.dropna()}
    return named | {f"row:{row}" for row in fields[ids.isna()]}


def _check_duplicate_sheets(records: pd.DataFrame, path: Path) -> None:
    """Two sheets that hold the same people (a sheet and its revised copy) stop the run, naming
    both: which one is right is a person's call. Same people: at least two, and half of the
    smaller sheet, share case numbers (or, withheld, every field)."""
    keys = {
        sheet: _person_keys(part)
        for sheet, part in records.groupby("source_sheet", sort=False)
        if len(part) >= 2
    }
    names = list(keys)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            shared = keys[first] & keys[second]
            smaller = min(len(keys[first]), len(keys[second]))
            if len(shared) >= 2 and len(shared) * 2 >= smaller:
                raise CleaningError(
                    f"{path}: sheets {first!r} and {second!r} hold the same people ({len(shared)} "
                    f"of {smaller} in both, by case number or, where it is withheld, by every "
                    "field). A release lists each person once: keep the sheet that is right (for "
                    "example the revised one), move the other out of the file, and run again."
                )


# Fields whose column, once a sheet has it, every sheet must have (a vanished column is an
# error, not a column of blanks). fiscal_year may come from sheet names instead.
KEPT_FIELDS = ("case_id", "screening_date", "citizenship", "exception", "expedited_removal")


def _check_fields_everywhere(tables: dict, path: Path) -> None:
    """Raise CleaningError naming a sheet that lacks a field other sheets have."""
    having: dict[str, list] = {}
    for sheet, (_table, header) in tables.items():
        for name in header.columns:
            having.setdefault(name, []).append(sheet)
    for sheet, (table, header) in tables.items():
        missing = [f for f in KEPT_FIELDS if f in having and f not in header.columns]
        if not missing:
            continue
        others = ", ".join(repr(s) for s in having[missing[0]][:3])
        unmapped = [
            repr(label)
            for col, label in header.labels.items()
            if col not in header.columns.values()
        ]
        wanted = "; ".join(f"{f}: one of {', '.join(parsers.HEADER_SYNONYMS[f])}" for f in missing)
        raise CleaningError(
            f"{_where(path, sheet, table.first_row + header.row_index)}: no column for "
            f"{', '.join(missing)}, which other sheets have ({others}). Headers here without a "
            f"field: {', '.join(unmapped) or 'none'}. Expected {wanted}."
        )


OUTPUT_NAMES = {
    "cases": "stca_cases.csv",
    "rejected": "rejected_rows.csv",
    "summary": "cleaning_summary.json",
}


def write_outputs(
    result: CleaningResult, processed_dir: str | Path = PROCESSED_DIR
) -> dict[str, Path]:
    """Write stca_cases.csv, rejected_rows.csv and cleaning_summary.json as one set; return paths.

    All three are written to temporary files first (a full disk fails here, changing nothing).
    Then the old summary is removed, the two tables are moved into place, and the new summary,
    which records the SHA-256 of both, goes last. A crash part-way leaves no summary, and a
    summary that does not match its tables is refused by src.status.read_summary: downstream
    never reads a mixed set.
    """
    out = repo_path(processed_dir)
    check_writable(out / OUTPUT_NAMES["cases"])
    out.mkdir(parents=True, exist_ok=True)
    targets = {key: out / name for key, name in OUTPUT_NAMES.items()}
    temps = {key: out / f".{name}.tmp" for key, name in OUTPUT_NAMES.items()}
    try:
        result.cases.to_csv(temps["cases"], index=False, lineterminator="\n")
        result.rejected.to_csv(temps["rejected"], index=False, lineterminator="\n")
        summary = {
            **result.summary.to_dict(),
            "outputs": {
                OUTPUT_NAMES[key]: sha256_file(temps[key]) for key in ("cases", "rejected")
            },
        }
        text = json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n"
        temps["summary"].write_text(text, encoding="utf-8", newline="\n")
        # in JupyterLab only the same bytes may be written here: then nothing is (see helpers)
        if all([check_published_unchanged(targets[k], tmp) for k, tmp in temps.items()]):
            return targets
        for tmp in temps.values():
            os.chmod(tmp, 0o644)
        targets["summary"].unlink(missing_ok=True)
        for key in ("cases", "rejected", "summary"):
            os.replace(temps[key], targets[key])
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    return targets


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: clean RAW into PROCESSED_DIR; exit 1 with a clear message on bad input."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_path")
    parser.add_argument("processed_dir", nargs="?", default=str(PROCESSED_DIR))
    parser.add_argument("--period-end", default=None, help="default: pipeline.yml's period_end")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    try:
        result = clean_foia(args.raw_path, period_end=args.period_end, strict=args.strict)
    except (CleaningError, ManifestError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    paths = write_outputs(result, args.processed_dir)
    rows = result.summary.rows
    print(
        f"read {rows.data_rows_read} data rows: kept {rows.kept}, rejected {rows.rejected} -> {paths['cases']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
