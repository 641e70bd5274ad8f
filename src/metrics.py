"""Named metrics over the cleaned cases table (one row per person, columns as in src/schema.py).

Each function takes the cases DataFrame (and keyword parameters from the claims ledger) and
returns a plain Python value, so the claims ledger, the charts and the tests share one definition
of every number.
"""

from __future__ import annotations

import pandas as pd

from src.parsers import EXCEPTIONS

YEAR_COLUMNS = {"calendar": "calendar_year", "fiscal": "fiscal_year"}


def year_column(basis: str) -> str:
    """'calendar' -> 'calendar_year', 'fiscal' -> 'fiscal_year' (ValueError otherwise)."""
    try:
        return YEAR_COLUMNS[basis]
    except KeyError:
        raise ValueError(f"year_basis must be 'calendar' or 'fiscal', got {basis!r}") from None


def total_cases(cases: pd.DataFrame) -> int:
    """Number of people in the table."""
    return int(len(cases))


def cases_by_year(cases: pd.DataFrame, basis: str = "calendar") -> pd.Series:
    """People per year (Int index, sorted), on a calendar or fiscal basis; undated rows left out."""
    column = year_column(basis)
    counts = cases[column].dropna().astype(int).value_counts().sort_index()
    counts.index.name = column
    counts.name = "cases"
    return counts


def count_in_year(cases: pd.DataFrame, year: int, basis: str = "calendar") -> int:
    """People screened in `year`."""
    return int((cases[year_column(basis)] == year).sum())


def years_ranked(cases: pd.DataFrame, basis: str = "calendar") -> list[int]:
    """Years from busiest to quietest (ties: earlier year first)."""
    counts = cases_by_year(cases, basis)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [int(year) for year, _ in ranked]


def count_citizenship(
    cases: pd.DataFrame, country: str, year: int | None = None, basis: str = "calendar"
) -> int:
    """People with citizenship `country` (short name), optionally in one year."""
    mask = cases["citizenship"] == country
    if year is not None:
        mask &= cases[year_column(basis)] == year
    return int(mask.fillna(False).sum())


def citizenships(
    cases: pd.DataFrame, year: int | None = None, basis: str = "calendar"
) -> list[str]:
    """Sorted distinct citizenships (recognised names only), optionally in one year."""
    subset = cases if year is None else cases[cases[year_column(basis)] == year]
    names = subset["citizenship"].dropna()
    return sorted(set(names) - {"Unknown"})


def citizenship_counts(cases: pd.DataFrame) -> pd.Series:
    """People per citizenship, largest first; blank/redacted shown as 'Not recorded'."""
    counts = cases["citizenship"].fillna("Not recorded").value_counts()
    counts = counts.sort_values(ascending=False, kind="stable")
    counts.index.name = "citizenship"
    counts.name = "cases"
    return counts.rename_axis("citizenship")


def count_expedited_removal(cases: pd.DataFrame) -> int:
    """People recorded as placed in expedited removal."""
    return int(cases["expedited_removal"].fillna(False).astype(bool).sum())


def expedited_removal_counts(cases: pd.DataFrame) -> pd.Series:
    """People by expedited-removal status: 'Yes', 'No', 'Not recorded' (in that order)."""
    status = cases["expedited_removal"].map({True: "Yes", False: "No"}).fillna("Not recorded")
    counts = status.value_counts().reindex(["Yes", "No", "Not recorded"], fill_value=0)
    counts.index.name = "expedited_removal"
    counts.name = "cases"
    return counts


def exception_counts(cases: pd.DataFrame) -> pd.Series:
    """People per exception, largest first (ties in the order of parsers.EXCEPTIONS)."""
    order = [*EXCEPTIONS, "unknown"]
    counts = cases["exception"].value_counts().reindex(order, fill_value=0)
    counts = counts[(counts > 0) | counts.index.isin(EXCEPTIONS)]
    counts = counts.sort_values(ascending=False, kind="stable")
    counts.index.name = "exception"
    counts.name = "cases"
    return counts


def exceptions_used(cases: pd.DataFrame) -> list[str]:
    """Sorted distinct exception classes present in the table (may include 'unknown')."""
    return sorted(set(cases["exception"].dropna()))


def share_of_exceptions(cases: pd.DataFrame, exceptions: list[str]) -> float:
    """Share (0-1) of all people whose exception is one of `exceptions`."""
    if len(cases) == 0:
        return 0.0
    return float(cases["exception"].isin(exceptions).sum() / len(cases))


def top_exceptions(cases: pd.DataFrame, k: int = 2) -> list[str]:
    """The `k` most used exceptions, as a sorted list."""
    counts = exception_counts(cases)
    counts = counts[counts.index != "unknown"]
    return sorted(counts.head(k).index)


def earliest_screening_date(cases: pd.DataFrame) -> str:
    """Earliest screening date, YYYY-MM-DD ('' when no row has a date)."""
    dates = cases["screening_date"].dropna()
    return str(dates.min()) if len(dates) else ""


def count_between(cases: pd.DataFrame, start: str, end: str) -> int:
    """People screened from `start` to `end` inclusive (ISO dates)."""
    dates = cases["screening_date"]
    return int(((dates >= start) & (dates <= end)).fillna(False).sum())
