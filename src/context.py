"""Real, cited Canada-side figures from data/raw/context/ (see its README.md).

Every row keeps its source; `current()` picks the value to use for each period, while superseded
and alternative versions stay available for notes and tests.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from src.helpers import CONTEXT_DIR

CONTEXT_FILES = {
    "rcmp_monthly": "rcmp_interceptions_monthly.csv",
    "rcmp_annual": "rcmp_interceptions_annual.csv",
    "land_port_monthly": "land_port_claims_monthly.csv",
    "land_port_annual": "land_port_claims_annual.csv",
    "claims_annual": "asylum_claims_annual.csv",
    "canada_bound_2013": "canada_bound_stca_2013.csv",
    "stca_context": "stca_context_figures.csv",
    "later": "later_figures.csv",  # published after the official files end (both directions)
}

CONTEXT_SCHEMA = pa.DataFrameSchema(
    {
        "measure": pa.Column(str),
        # YYYY, YYYY-MM, or a span of months YYYY-MM/YYYY-MM (a revised multi-month total)
        "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}(-\d{2})?(/\d{4}-\d{2})?$")),
        "region": pa.Column(str),
        "value": pa.Column("int64", pa.Check.ge(0)),
        "qualifier": pa.Column(str, pa.Check.isin(["", "more than", "about"]), nullable=True),
        "version": pa.Column(str, pa.Check.isin(["current", "superseded", "alternative"])),
        "status": pa.Column(str, pa.Check.isin(["official", "reported"])),
        "source_kind": pa.Column(
            str, pa.Check.isin(["official table", "official briefing", "news report", "reprint"])
        ),
        "scope": pa.Column(str, pa.Check.str_length(min_value=10)),
        "source_url": pa.Column(str, pa.Check.str_matches(r"^https?://")),
        "publisher": pa.Column(str, pa.Check.str_length(min_value=3)),
        "source_date": pa.Column(str, pa.Check.str_matches(r"^\d{4}(-\d{2}(-\d{2})?)?$")),
        "note": pa.Column(str, nullable=True),
    },
    strict=True,
    ordered=True,
)


def load_context(key: str, folder: Path = CONTEXT_DIR) -> pd.DataFrame:
    """Read one context table by key (see CONTEXT_FILES), validated; every row keeps its source."""
    path = Path(folder) / CONTEXT_FILES[key]
    frame = pd.read_csv(path, dtype={"period": "str", "source_date": "str"}, keep_default_na=False)
    frame["value"] = frame["value"].astype("int64")
    return CONTEXT_SCHEMA.validate(frame, lazy=True)


def current(frame: pd.DataFrame) -> pd.DataFrame:
    """The `current` row of each measure and period (ValueError if one has several)."""
    cur = frame[frame["version"] == "current"]
    dupes = cur["period"][cur[["measure", "period"]].duplicated()]
    if len(dupes):
        raise ValueError(f"several current values for periods {sorted(set(dupes))}")
    return cur.sort_values("period").reset_index(drop=True)


def monthly_totals_by_year(monthly: pd.DataFrame) -> pd.Series:
    """Sum of current monthly values per year (only years with all 12 months)."""
    cur = current(monthly)
    years = cur["period"].str[:4]
    complete = years.value_counts()
    sums = cur.groupby(years)["value"].sum()
    return sums[complete.reindex(sums.index) == 12]


def annual_value(frame: pd.DataFrame, year: int) -> int:
    """The current value published for `year`."""
    row = current(frame)
    match = row[row["period"] == str(year)]
    if match.empty:
        raise KeyError(f"no current value for {year}")
    return int(match["value"].iloc[0])


def current_value(frame: pd.DataFrame, period: str) -> int:
    """The current value of `period`; for a span 'YYYY-MM/YYYY-MM', the sum of its current months
    (KeyError when a month of the span has no current value)."""
    if "/" not in period:
        match = current(frame).set_index("period")["value"]
        if period not in match.index:
            raise KeyError(f"no current value for {period}")
        return int(match[period])
    first, last = period.split("/")
    months = pd.period_range(first, last, freq="M").strftime("%Y-%m")
    values = current(frame).set_index("period")["value"]
    missing = [m for m in months if m not in values.index]
    if missing:
        raise KeyError(f"no current value for {', '.join(missing)}")
    return int(values[list(months)].sum())


def sum_months(frame: pd.DataFrame, first: str, last: str) -> int:
    """Sum of current monthly values from period `first` to `last` (YYYY-MM, inclusive)."""
    cur = current(frame)
    return int(cur[(cur["period"] >= first) & (cur["period"] <= last)]["value"].sum())


def sources_table(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Distinct (file, publisher, kind, source_date, source_url) rows, for a report's sources."""
    rows = []
    for key, frame in frames.items():
        for _, r in frame.drop_duplicates(["publisher", "source_url"]).iterrows():
            rows.append(
                {
                    "table": CONTEXT_FILES.get(key, key),
                    "publisher": r["publisher"],
                    "kind": r["source_kind"],
                    "status": r["status"],
                    "date": r["source_date"],
                    "url": r["source_url"],
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- tables for the pages


def context_figures_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Figures about the agreement itself (data/raw/context/stca_context_figures.csv), one row
    each: what is counted, the period, the value as published (with its qualifier), its status,
    who published it and when, and the address."""
    rows = frame[frame["version"] == "current"]
    value = [
        (f"{q} " if q else "") + f"{v:,}"
        for q, v in zip(rows["qualifier"], rows["value"], strict=True)
    ]
    return pd.DataFrame(
        {"what is counted": rows["scope"], "period": rows["period"].str.replace("/", " to "),
         "value": value, "status": rows["status"], "published by": rows["publisher"],
         "date": rows["source_date"], "source": rows["source_url"], "note": rows["note"]}
    ).reset_index(drop=True)  # fmt: skip


def revisions_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Periods with a superseded value: first published vs current, with both sources."""
    superseded = frame[frame["version"] == "superseded"]
    current = frame[frame["version"] == "current"].set_index("period")
    rows = []
    for _, r in superseded.iterrows():
        first_month = r["period"].split("/")[0]
        cur = current.loc[first_month]
        rows.append(
            {
                "period": r["period"].replace("/", " to "),
                "first published": r["value"],
                "published by": f"{r['publisher']} ({r['source_date']})",
                "current value": current_value(frame, r["period"]),
                "current source": f"{cur['publisher']} ({cur['source_date']})",
                "note": r["note"],
            }
        )
    return pd.DataFrame(rows)
