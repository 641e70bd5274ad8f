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


def inspect_xlsx(path: str | Path) -> WorkbookFacts:
    """Read the date system and every error cell and uncomputed formula of an .xlsx file."""
    facts = WorkbookFacts()
    with zipfile.ZipFile(path) as archive:
        facts.date1904 = bool(_DATE1904.search(archive.read("xl/workbook.xml")))
        for sheet, part in _sheet_paths(archive).items():
            if part not in archive.namelist():
                continue
            xml = archive.read(part)
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
