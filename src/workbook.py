"""What calamine does not tell about an .xlsx workbook, read from its XML: the date system
(1900 or Mac 1904), and cells whose value is unknown (Excel error values such as #N/A, and
formulas saved without a computed value). calamine reads both kinds of cell as empty, which would
make them indistinguishable from blanks and redactions.

The scan reads each sheet's XML once and skips the cell-by-cell search when a sheet has no error
cell and no formula at all (the usual case), so large files cost one pass of a byte search.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from src.parsers import EXCEL_EPOCH as EPOCH_1900  # Excel's 1900 system: one home, in parsers

EPOCH_1904 = pd.Timestamp("1904-01-01")

_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(1|true)\"")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
# One cell element with its attributes and body (cells are never nested).
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>(.*?)</(?:\w+:)?v>", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
# A workbook that unpacks to more than this, or any part packed more than RATIO times, is refused
# before it is read: a release is a few megabytes; a zip bomb is gigabytes from kilobytes.
MAX_UNPACKED = 2 * 1024**3
MAX_RATIO = 1000


@dataclass
class UnknownCell:
    """A cell whose value calamine reads as empty but is not blank."""

    sheet: str
    row: int  # spreadsheet row, 1-based
    column: str  # spreadsheet column letters
    kind: str  # "error" or "uncomputed formula"
    text: str  # the error value ('#N/A') or the formula


@dataclass
class WorkbookFacts:
    """The date system and the cells of unknown value, by sheet name."""

    date1904: bool = False
    unknown_cells: list[UnknownCell] = field(default_factory=list)
    # sheet -> merged ranges as (first row, first column, last row, last column), 1-based rows
    # and 0-based columns, as Excel stores them
    merged: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)

    @property
    def epoch(self) -> pd.Timestamp:
        """Day zero of the workbook's serial dates."""
        return EPOCH_1904 if self.date1904 else EPOCH_1900


def column_index(letters: str) -> int:
    """'A' -> 0, 'Z' -> 25, 'AA' -> 26."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode() for k, v in _ATTR.findall(tag)}


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the archive."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for tag in _REL.findall(rels):
        a = _attrs(tag)
        target = a.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[a.get("Id")] = str(PurePosixPath(path))
    sheets = {}
    for tag in _SHEET.findall(workbook):
        a = _attrs(tag)
        if a.get("id") in targets:
            sheets[a["name"]] = targets[a["id"]]
    return sheets


def check_unpacked_size(archive: zipfile.ZipFile, path: str | Path) -> None:
    """ValueError when the archive would unpack to more than MAX_UNPACKED bytes, or one of its
    parts is packed more than MAX_RATIO times (a zip bomb), before anything is unpacked."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
            and info.file_size > 50 * 1024**2
        ):
            raise ValueError(
                f"{info.filename} would unpack {info.file_size:,} bytes from {info.compress_size:,} "
                f"(over {MAX_RATIO} times): refused as a possible zip bomb"
            )
    if total > MAX_UNPACKED:
        raise ValueError(
            f"the workbook would unpack to {total:,} bytes (more than {MAX_UNPACKED:,}); "
            "refused as too large for a release"
        )


def fill_merged(grid: pd.DataFrame, ranges: list[tuple[int, int, int, int]], first_row: int = 1):
    """A copy of a sheet's grid where every cell of a merged range holds the range's value (the
    top-left cell's, which is the only one Excel stores)."""
    if not ranges:
        return grid
    out = grid.copy()
    for row1, col1, row2, col2 in ranges:
        top, left = row1 - first_row, col1
        if top < 0 or top >= len(out) or left not in out.columns:
            continue
        value = out.iat[top, out.columns.get_loc(left)]
        bottom = min(row2 - first_row, len(out) - 1)
        columns = [c for c in out.columns if col1 <= c <= col2]
        out.loc[out.index[top] : out.index[bottom], columns] = value
    return out


def inspect_xlsx(path: str | Path) -> WorkbookFacts:
    """Read the date system and every error cell and uncomputed formula of an .xlsx file."""
    facts = WorkbookFacts()
    with zipfile.ZipFile(path) as archive:
        check_unpacked_size(archive, path)
        facts.date1904 = bool(_DATE1904.search(archive.read("xl/workbook.xml")))
        for sheet, part in _sheet_paths(archive).items():
            if part not in archive.namelist():
                continue
            xml = archive.read(part)
            if b"mergeCell" in xml:
                facts.merged[sheet] = [
                    (int(r1), column_index(c1.decode()), int(r2), column_index(c2.decode()))
                    for c1, r1, c2, r2 in _MERGE.findall(xml)
                ]
            if b't="e"' not in xml and b"<f" not in xml:
                continue  # no error cell and no formula: nothing to look at
            for attributes, body in _CELL.findall(xml):
                body = body or b""
                is_error = b't="e"' in attributes
                has_formula = b"<f" in body
                if not (is_error or has_formula):
                    continue
                ref = _REF.search(attributes)
                if ref is None:
                    continue
                value = _VALUE.search(body)
                cached = value.group(1).strip() if value else b""
                if is_error:
                    kind, text = "error", cached.decode(errors="replace") or "#ERROR"
                elif not cached:
                    formula = re.search(rb"<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>", body, re.S)
                    kind = "uncomputed formula"
                    text = "=" + (formula.group(1).decode(errors="replace") if formula else "")
                else:
                    continue  # a formula with its computed value: calamine reads the value
                facts.unknown_cells.append(
                    UnknownCell(sheet, int(ref.group(2)), ref.group(1).decode(), kind, text)
                )
    return facts
