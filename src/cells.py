"""The cell ledger of a cleaning run: every non-empty cell of every sheet (or CSV line) ends as a
field of a kept person, a cell of a rejected row, recognised structure, or unexplained.

This module names the kinds of structure, recognises the lines a person reads as not being
people (titles, "Data as of" and "Source:" lines, format hints, lone numbers), and describes
sheets that hold no table of people. `src/clean.py` does the counting; the summary carries the
result (`summary.CellAccounting`) and the cleaning page lists every structure row.
"""

from __future__ import annotations

import re

import pandas as pd

from src import parsers

MAX_TEXT = 80  # characters of a structure row's text kept in the summary

# A single-cell line with one of these openings is a note about the data, however short.
NOTE_LINE = re.compile(
    r"^(?:data\s+(?:as\s+of|current\s+as\s+of|through)|as\s+of\b|sources?\s*:|prepared\s+by\b"
    r"|notes?\s*[:.\-]|footnotes?\b|\*|†|‡|\(\d+\)|\[\d+\]|n\s*=|disclaimer\b|run\s+date\b"
    r"|report\s+(?:date|run|generated)\b|generated\s+(?:on|by)\b|page\s+\d+)",
    re.IGNORECASE,
)
# A cell of a format-hint row under a header: '(text)', '(MM/DD/YYYY)', 'Y/N', 'yyyy-mm-dd'.
FORMAT_HINT = re.compile(
    r"^\(?\s*(?:text|string|date|number|numeric|integer|int|char(?:acter)?s?|alpha(?:numeric)?"
    r"|free\s*text|y\s*/\s*n|yes\s*/\s*no|code|iso\s*code|[mdy]{1,4}(?:[/.\- ][mdy]{1,4}){2}"
    r"|[mdy]{1,4}(?:[/.\- ][mdy]{1,4}){2}\s+hh?:mm(?::ss)?(?:\s*am/pm)?)\s*\)?$",
    re.IGNORECASE,
)
LONE_NUMBER = re.compile(r"^\d[\d,]*(?:\.\d+)?$")


def column_letters(col: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def span(columns: list[int], row: int) -> str:
    """The cells of one row as a spreadsheet reference: 'B4', or 'A4:F4'."""
    first, last = min(columns), max(columns)
    if first == last:
        return f"{column_letters(first)}{row}"
    return f"{column_letters(first)}{row}:{column_letters(last)}{row}"


DATA_AS_OF = re.compile(
    r"^(?:data\s+(?:as\s+of|current|through)|as\s+of\b|run\s+date|report\s+(?:date|run)"
    r"|generated\s+on\b)",
    re.IGNORECASE,
)
SOURCE_LINE = re.compile(r"^(?:sources?\s*:|prepared\s+by\b|generated\s+by\b)", re.IGNORECASE)


def line_kind(text: str, default: str = "title") -> str:
    """What a lone line of text is: 'data as of line', 'source line', 'note', or `default`
    ('title' above a table, 'note' under it or on a notes sheet)."""
    norm = text.strip()
    if DATA_AS_OF.match(norm):
        return "data as of line"
    if SOURCE_LINE.match(norm):
        return "source line"
    if NOTE_LINE.match(norm):
        return "note"
    return default


def entry(sheet: str | None, row: int, columns: list[int], kind: str, text: str) -> dict:
    """One structure row for the summary and the cleaning page."""
    text = " ".join(str(text).split())
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return {"sheet": sheet if sheet is not None else "", "cells": span(columns, row), "kind": kind,
            "text": text}  # fmt: skip


def filled(grid: pd.DataFrame) -> pd.DataFrame:
    """Per cell: does it hold anything after trimming (the cleaner's idea of a filled cell)?"""
    return pd.DataFrame(
        {col: parsers.per_distinct(parsers.clean_cells, grid[col]).notna() for col in grid.columns},
        index=grid.index,
    )


def rows_as_structure(
    grid: pd.DataFrame,
    sheet: str | None,
    first_row: int,
    kind: str | None = None,
    default: str = "title",
) -> tuple[int, list[dict]]:
    """Every filled row of `grid` as structure of `kind` (or, when None, the kind its text reads
    as: a 'Data as of' line, a source line, a note, or `default`). Returns (cells, entries)."""
    mask = filled(grid)
    entries, cells = [], 0
    for position, (index, row) in enumerate(mask.iterrows()):
        columns = [int(c) for c in row.index[row.to_numpy()]]
        if not columns:
            continue
        cells += len(columns)
        values = grid.loc[index, columns]
        text = " | ".join(str(v).strip() for v in values)
        this = kind or (line_kind(text, default) if len(columns) == 1 else default)
        entries.append(entry(sheet, first_row + position, columns, this, text))
    return cells, entries


def sheet_without_people(grid: pd.DataFrame) -> str | None:
    """What a sheet with no header of people is, when its layout says so: 'notes sheet' (every
    filled row is one cell of text) or 'table of counts' (every filled row is a label and a
    number, under at most a title and a header line). None: the sheet holds something the
    cleaner cannot place (its cells are unexplained)."""
    mask = filled(grid)
    shapes = []
    for index, row in mask.iterrows():
        columns = list(row.index[row.to_numpy()])
        if not columns:
            continue
        values = [str(grid.at[index, c]).strip() for c in columns]
        numbers = [bool(LONE_NUMBER.match(v.replace(" ", ""))) for v in values]
        shapes.append((len(columns), sum(numbers)))
    if not shapes:
        return "empty sheet"
    if all(n == 1 and k == 0 for n, k in shapes):
        return "notes sheet"
    body = [s for s in shapes if not (s[1] == 0)]  # rows with a number
    heads = [s for s in shapes if s[1] == 0]
    if body and all(n == 2 and k == 1 for n, k in body) and len(heads) <= 3:
        return "table of counts"
    return None
