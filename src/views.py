"""Ready-made views of the cleaned table for analysts (the start-here notebook)."""

from __future__ import annotations

import pandas as pd

from src import metrics
from src.status import FoiaStatus


def in_years(cases: pd.DataFrame, basis: str, first: int, last: int) -> pd.DataFrame:
    """Rows whose calendar or fiscal year lies in [first, last]."""
    return cases[cases[metrics.year_column(basis)].between(first, last)]


def dictionary(dictionary: dict[str, str], cases: pd.DataFrame) -> pd.DataFrame:
    """Column, type, how many rows are filled, and what it means."""
    return pd.DataFrame(
        {
            "type": [str(cases[c].dtype) for c in dictionary],
            "filled": [int(cases[c].notna().sum()) for c in dictionary],
            "meaning": list(dictionary.values()),
        },
        index=pd.Index(list(dictionary), name="column"),
    )


def by_year(cases: pd.DataFrame, basis: str, foia: FoiaStatus) -> pd.DataFrame:
    """People per year, with the share of all rows shown and each year's status (a share is
    invented exactly when its count is)."""
    counts = metrics.cases_by_year(cases, basis)
    return pd.DataFrame(
        {
            "people": counts,
            "share": (counts / counts.sum()).round(3),
            "status": [foia.year(basis, y) for y in counts.index],
        }
    )


def by_nationality(cases: pd.DataFrame, top: int, foia: FoiaStatus) -> pd.DataFrame:
    """The `top` largest citizenship groups, with their ISO code, share and status."""
    counts = metrics.citizenship_counts(cases).head(top)
    codes = (
        cases.dropna(subset=["citizenship"]).drop_duplicates("citizenship").set_index("citizenship")
    )
    return pd.DataFrame(
        {
            "iso3": codes["citizenship_iso3"].reindex(counts.index),
            "people": counts,
            "share": (counts / len(cases)).round(3),
            "status": [foia.citizenship(c) for c in counts.index],
        }
    )


def by_exception(cases: pd.DataFrame, foia: FoiaStatus) -> pd.DataFrame:
    """People per exception, how many of them were placed in expedited removal, and status."""
    removal = cases["expedited_removal"].fillna(False).astype(bool)
    table = (
        cases.assign(expedited_removal=removal)
        .groupby("exception", sort=False)
        .agg(people=("case_id", "size"), expedited_removal=("expedited_removal", "sum"))
    )
    # the cross-count is no better known than the exception's own count
    table["status"] = [foia.exception(e) for e in table.index]
    return table.sort_values("people", ascending=False)
