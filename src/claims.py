"""The claims ledger: every quantitative claim of the article, checked against the data.

references/article_claims.csv has one row per claim: an id, the claim in our own words, the
metric that checks it (a function in src/metrics.py, or a context metric below), its parameters
(JSON), a comparison, the expected value (JSON), whether it is checkable, its source and a note.
`evaluate_claims()` returns claim, expected, computed and verdict for each row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from src import context, metrics
from src.helpers import REFERENCES_DIR

LEDGER = REFERENCES_DIR / "article_claims.csv"
SUPPORTED, NOT_SUPPORTED, NOT_CHECKABLE = "supported", "not supported", "not checkable"
LEDGER_COLUMNS = [
    "claim_id", "claim", "metric", "params", "comparison", "expected", "checkable", "source", "note",
]  # fmt: skip


class ClaimsNotSupported(AssertionError):
    """A checkable claim failed in strict mode; the message lists each one."""


# Context metrics need the Canada-side tables as well as the cases.


def ratio_canada_to_us_2013(cases: pd.DataFrame, ctx: dict[str, pd.DataFrame]) -> float:
    """Canada-bound STCA crossings in 2013 (published lower bound) / U.S.-bound cases in 2013."""
    canada = context.annual_value(ctx["canada_bound_2013"], 2013)
    us = metrics.count_in_year(cases, 2013)
    return float("inf") if us == 0 else canada / us


def rcmp_interceptions_ratio(
    cases: pd.DataFrame, ctx: dict[str, pd.DataFrame], year: int, base_year: int
) -> float:
    """RCMP interceptions in `year` / in `base_year` (annual current values)."""
    return context.annual_value(ctx["rcmp_annual"], year) / context.annual_value(
        ctx["rcmp_annual"], base_year
    )


CASE_METRICS: dict[str, Callable] = {
    name: getattr(metrics, name)
    for name in (
        "total_cases",
        "count_citizenship",
        "earliest_screening_date",
        "count_expedited_removal",
        "exceptions_used",
        "share_of_exceptions",
        "years_ranked",
        "count_in_year",
        "citizenships",
    )
}
CONTEXT_METRICS: dict[str, Callable] = {
    "ratio_canada_to_us_2013": ratio_canada_to_us_2013,
    "rcmp_interceptions_ratio": rcmp_interceptions_ratio,
}


def compare(computed, comparison: str, expected, k: int | None = None) -> bool:
    """Apply one ledger comparison: equals, greater_than, less_than, at_least, includes, only,
    among_top_k (computed is a ranked list; expected must be in its first k)."""
    if comparison == "equals":
        return computed == expected
    if comparison == "greater_than":
        return computed > expected
    if comparison == "less_than":
        return computed < expected
    if comparison == "at_least":
        return computed >= expected
    if comparison == "includes":
        return set(expected) <= set(computed)
    if comparison == "only":
        return set(computed) <= set(expected) and len(computed) > 0
    if comparison == "among_top_k":
        if k is None:
            raise ValueError("among_top_k needs 'k' in the claim's params")
        return expected in list(computed)[:k]
    raise ValueError(f"unknown comparison {comparison!r}")


def load_ledger(path: Path = LEDGER) -> pd.DataFrame:
    """Read the ledger, checking its columns, ids, metrics and comparisons."""
    ledger = pd.read_csv(path, dtype="str", keep_default_na=False)
    if list(ledger.columns) != LEDGER_COLUMNS:
        raise ValueError(f"{path}: columns {list(ledger.columns)}, expected {LEDGER_COLUMNS}")
    if ledger["claim_id"].duplicated().any():
        raise ValueError(
            f"{path}: duplicate claim_id {sorted(ledger['claim_id'][ledger['claim_id'].duplicated()])}"
        )
    for i, row in ledger.iterrows():
        where = f"{path.name} row {i + 2} ({row['claim_id']})"
        if row["checkable"] not in ("yes", "no"):
            raise ValueError(f"{where}: checkable must be yes or no")
        if row["checkable"] == "yes":
            if row["metric"] not in CASE_METRICS | CONTEXT_METRICS:
                raise ValueError(f"{where}: unknown metric {row['metric']!r}")
            json.loads(row["expected"])
        elif not row["note"]:
            raise ValueError(f"{where}: a claim that is not checkable needs the reason in 'note'")
    return ledger


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value != float("inf") else "∞"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def evaluate_claims(
    ledger: pd.DataFrame, cases: pd.DataFrame, ctx: dict[str, pd.DataFrame] | None = None
) -> pd.DataFrame:
    """Evaluate every ledger row; return claim_id, claim, comparison, expected, computed, verdict,
    source and note (computed and expected as display text)."""
    ctx = ctx if ctx is not None else {k: context.load_context(k) for k in context.CONTEXT_FILES}
    rows = []
    for _, row in ledger.iterrows():
        out = {
            "claim_id": row["claim_id"],
            "claim": row["claim"],
            "comparison": row["comparison"].replace("_", " "),
            "expected": "",
            "computed": "",
            "verdict": NOT_CHECKABLE,
            "source": row["source"],
            "note": row["note"],
        }
        if row["checkable"] == "yes":
            params = json.loads(row["params"]) if row["params"] else {}
            k = params.pop("k", None)
            expected = json.loads(row["expected"])
            if row["metric"] in CASE_METRICS:
                computed = CASE_METRICS[row["metric"]](cases, **params)
            else:
                computed = CONTEXT_METRICS[row["metric"]](cases, ctx, **params)
            if row["comparison"] == "among_top_k":
                shown = f"top {k}: " + _fmt(list(computed)[:k])
            elif row["comparison"] == "includes":
                found = [v for v in expected if v in set(computed)]
                shown = f"{_fmt(found) or 'none of them'} (among {len(computed)} found)"
            else:
                shown = _fmt(computed)
            ok = compare(computed, row["comparison"], expected, k=k)
            out.update(
                expected=_fmt(expected), computed=shown, verdict=SUPPORTED if ok else NOT_SUPPORTED
            )
        rows.append(out)
    return pd.DataFrame(rows)


def unsupported(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The checkable claims that the data do not support."""
    return verdicts[verdicts["verdict"] == NOT_SUPPORTED]


def require_supported(verdicts: pd.DataFrame) -> None:
    """Raise ClaimsNotSupported naming every checkable claim that failed."""
    failed = unsupported(verdicts)
    if len(failed):
        lines = [
            f"{r.claim_id}: expected {r.comparison} {r.expected}, computed {r.computed}"
            for r in failed.itertuples()
        ]
        raise ClaimsNotSupported(
            f"{len(failed)} checkable claim(s) not supported by the data:\n  - "
            + "\n  - ".join(lines)
        )
