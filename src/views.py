"""Ready-made views of the cleaned table for analysts (the start-here notebook)."""

from __future__ import annotations

import pandas as pd

from src import metrics


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


def by_year(cases: pd.DataFrame, basis: str) -> pd.DataFrame:
    """People per year, with the share of all rows shown."""
    counts = metrics.cases_by_year(cases, basis)
    return pd.DataFrame({"people": counts, "share": (counts / counts.sum()).round(3)})


def by_nationality(cases: pd.DataFrame, top: int) -> pd.DataFrame:
    """The `top` largest citizenship groups, with their ISO code and share."""
    counts = metrics.citizenship_counts(cases).head(top)
    codes = (
        cases.dropna(subset=["citizenship"]).drop_duplicates("citizenship").set_index("citizenship")
    )
    return pd.DataFrame(
        {
            "iso3": codes["citizenship_iso3"].reindex(counts.index),
            "people": counts,
            "share": (counts / len(cases)).round(3),
        }
    )


def by_exception(cases: pd.DataFrame) -> pd.DataFrame:
    """People per exception, and how many of them were placed in expedited removal."""
    removal = cases["expedited_removal"].fillna(False).astype(bool)
    table = (
        cases.assign(expedited_removal=removal)
        .groupby("exception", sort=False)
        .agg(people=("case_id", "size"), expedited_removal=("expedited_removal", "sum"))
    )
    return table.sort_values("people", ascending=False)
