"""The claims ledger: every quantitative claim of the article, checked against the data, with
what each verdict rests on.

references/article_claims.csv has one row per claim: an id, the claim in our own words, the
article's own words (`article_quote`, a short quotation; phrases from two places joined by "…"),
how a vague word is read (`interpretation`), the metric that checks it (a function in
src/metrics.py, or a context metric below), its parameters (JSON), a comparison, the expected value
(JSON), whether it is checkable, its source and a note (for a claim that is not checkable: why).

`evaluate_claims()` returns, for each claim, the computed value and its status, the `basis` of the
verdict and the verdict itself. On the stand-in a verdict can only be "consistent (by
construction)" (the value was built to match the article) or "not checkable on the stand-in" (the
value is invented); "supported" and "not supported" are kept for claims that rest on official
figures or on the real release.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from src import context, metrics
from src.helpers import REFERENCES_DIR
from src.status import FoiaStatus, derive

LEDGER = REFERENCES_DIR / "article_claims.csv"
SUPPORTED, NOT_SUPPORTED = "supported", "not supported"
CONSISTENT = "consistent (by construction)"
INCONSISTENT = "inconsistent with the article (stand-in error)"
NOT_CHECKABLE_STANDIN = "not checkable on the stand-in"
NOT_CHECKABLE = "not checkable"
VERDICTS = (
    SUPPORTED,
    NOT_SUPPORTED,
    CONSISTENT,
    INCONSISTENT,
    NOT_CHECKABLE_STANDIN,
    NOT_CHECKABLE,
)
FAILED = (NOT_SUPPORTED, INCONSISTENT)
BASIS_PINNED = "stand-in: pinned by construction"
BASIS_ILLUSTRATIVE = "stand-in: illustrative"
BASIS_OFFICIAL = "official figures"
BASIS_RELEASE = "real release"
BASIS_NONE = "no data can test it"
LEDGER_COLUMNS = [
    "claim_id", "claim", "article_quote", "interpretation", "metric", "params", "comparison",
    "expected", "checkable", "source", "note",
]  # fmt: skip


class ClaimsNotSupported(AssertionError):
    """A checkable claim failed in strict mode; the message lists each one."""


# Context metrics need the Canada-side tables as well as the cases, and the data's cutoff.


def _months_to_cutoff(period_end: str) -> tuple[str, str, str]:
    end = pd.Timestamp(period_end)
    return f"{end.year}-01", f"{end.year}-{end.month:02d}", end.strftime("%Y-%m-%d")


def land_port_claims_per_us_case(
    cases: pd.DataFrame, ctx: dict[str, pd.DataFrame], period_end: str
) -> float:
    """Asylum claims at Canada's land ports from January to the cutoff month, per U.S.-bound STCA
    case screened from 1 January to the cutoff (both: asylum claims made at a land port)."""
    first, last, end = _months_to_cutoff(period_end)
    canada = context.sum_months(ctx["land_port_monthly"], first, last)
    us = metrics.count_between(cases, f"{first}-01", end)
    return float("inf") if us == 0 else canada / us


def rcmp_monthly_rate_ratio(
    cases: pd.DataFrame, ctx: dict[str, pd.DataFrame], base_year: int, period_end: str
) -> float:
    """Monthly average of RCMP interceptions from January to the cutoff month, divided by the
    monthly average of `base_year` (its annual total / 12)."""
    first, last, _ = _months_to_cutoff(period_end)
    months = len(pd.period_range(first, last, freq="M"))
    recent = context.sum_months(ctx["rcmp_monthly"], first, last) / months
    return recent / (context.annual_value(ctx["rcmp_annual"], base_year) / 12)


# U.S.-bound measures in the official files that count the same thing as asylum claims at
# Canada's land ports (none is published: Border Patrol apprehensions and CBP encounters count
# anyone, for any purpose).
LIKE_FOR_LIKE_US_BOUND = ("us_land_port_asylum_claims",)


class NoLikeMeasure(LookupError):
    """The official files hold no measure comparable with the one the claim needs."""


def official_land_port_claims_per_us_case(
    cases: pd.DataFrame, ctx: dict[str, pd.DataFrame], year: int, period_end: str
) -> float:
    """From official files only: Canada's land-port claims in `year` per U.S.-bound asylum claim
    at a land port in the same year. Raises NoLikeMeasure naming the U.S.-bound measures that do
    exist when none is like for like."""
    flows = ctx.get("border_flows")
    if flows is None:
        raise NoLikeMeasure("the official border table (border_flows.csv) was not given")
    us_bound = flows[flows["direction"] == "canada_to_us"]
    like = us_bound[us_bound["measure"].isin(LIKE_FOR_LIKE_US_BOUND)]
    if like.empty:
        found = ", ".join(sorted(set(us_bound["measure"]))) or "none"
        raise NoLikeMeasure(
            f"no like-for-like U.S.-bound measure in the official files (they hold: {found}, "
            "which count anyone crossing, for any purpose)"
        )

    def yearly(rows: pd.DataFrame) -> int:
        rows = rows[
            (rows["period_type"] == "calendar_year")
            & (rows["period"] == str(year))
            & (rows["area"] == "all")
            & (rows["category"] == "all")
        ]
        return int(rows["value"].sum())

    canada = yearly(
        flows[
            (flows["measure"] == "land_port_claims")
            & flows["source_file"].str.contains("ircc-pages")
        ]
    )
    us = yearly(like)
    return float("inf") if us == 0 else canada / us


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
    "land_port_claims_per_us_case": land_port_claims_per_us_case,
    "rcmp_monthly_rate_ratio": rcmp_monthly_rate_ratio,
    "official_land_port_claims_per_us_case": official_land_port_claims_per_us_case,
}


def _context_statuses(frame: pd.DataFrame, first: str, last: str) -> list[str]:
    cur = context.current(frame)
    return cur[(cur["period"] >= first) & (cur["period"] <= last)]["status"].tolist()


def input_statuses(
    metric: str,
    params: dict,
    foia: FoiaStatus,
    ctx: dict[str, pd.DataFrame],
    period_end: str,
) -> tuple[list[str], list[str]]:
    """The statuses of the values a metric reads: (FOIA-table values, context values)."""
    basis = params.get("basis", "calendar")
    first, last, _ = _months_to_cutoff(period_end)
    foia_inputs = {
        "total_cases": lambda: [foia.total()],
        "count_citizenship": lambda: [foia.citizenship(params["country"], params.get("year"))],
        "earliest_screening_date": lambda: [foia.first_screening_date()],
        "count_expedited_removal": lambda: [foia.expedited_removal("Yes")],
        "exceptions_used": lambda: [foia.exceptions_used()],
        "share_of_exceptions": lambda: [foia.exception_share(params["exceptions"])],
        "years_ranked": lambda: [foia.year_ranking(basis)],
        "count_in_year": lambda: [foia.year(basis, params["year"])],
        "citizenships": lambda: [foia.citizenships_present(params["year"])],
        "land_port_claims_per_us_case": lambda: [foia.year("calendar", int(first[:4]))],
        "rcmp_monthly_rate_ratio": lambda: [],
        "official_land_port_claims_per_us_case": lambda: [],
    }[metric]()
    context_inputs = {
        "official_land_port_claims_per_us_case": lambda: ["official"],
        "land_port_claims_per_us_case": lambda: _context_statuses(
            ctx["land_port_monthly"], first, last
        ),
        "rcmp_monthly_rate_ratio": lambda: (
            _context_statuses(ctx["rcmp_monthly"], first, last)
            + _context_statuses(
                ctx["rcmp_annual"], str(params["base_year"]), str(params["base_year"])
            )
        ),
    }.get(metric, lambda: [])()
    return foia_inputs, context_inputs


def verdict_basis(foia: FoiaStatus, foia_inputs: list[str]) -> str:
    """What a verdict rests on: the stand-in's pinned or invented values, the real release, or
    (when no FOIA value is read) official figures alone."""
    if not foia_inputs:
        return BASIS_OFFICIAL
    if not foia.is_standin:
        return BASIS_RELEASE
    return BASIS_ILLUSTRATIVE if "illustrative" in foia_inputs else BASIS_PINNED


def verdict(basis: str, holds: bool) -> str:
    """The verdict word for a checked claim on a given basis."""
    if basis == BASIS_ILLUSTRATIVE:
        return NOT_CHECKABLE_STANDIN
    if basis == BASIS_PINNED:
        return CONSISTENT if holds else INCONSISTENT
    return SUPPORTED if holds else NOT_SUPPORTED


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
        if not row["article_quote"].strip():
            raise ValueError(f"{where}: article_quote is empty (the article's own words)")
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
    ledger: pd.DataFrame,
    cases: pd.DataFrame,
    foia: FoiaStatus,
    period_end: str,
    ctx: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Evaluate every ledger row. Returns claim_id, claim, article_quote, interpretation,
    comparison, expected, computed, computed_status, basis, verdict, source and note (expected and
    computed as display text). `foia` says which FOIA values are invented; `period_end` is the
    data's cutoff (context metrics compare up to it)."""
    ctx = ctx if ctx is not None else {k: context.load_context(k) for k in context.CONTEXT_FILES}
    rows = []
    for _, row in ledger.iterrows():
        out = {
            "claim_id": row["claim_id"],
            "claim": row["claim"],
            "article_quote": row["article_quote"],
            "interpretation": row["interpretation"],
            "comparison": row["comparison"].replace("_", " "),
            "expected": "",
            "computed": "",
            "computed_status": "",
            "basis": BASIS_NONE,
            "verdict": NOT_CHECKABLE,
            "source": row["source"],
            "note": row["note"],
        }
        if row["checkable"] == "yes":
            params = json.loads(row["params"]) if row["params"] else {}
            foia_inputs, context_inputs = input_statuses(
                row["metric"], params, foia, ctx, period_end
            )
            k = params.pop("k", None)
            expected = json.loads(row["expected"])
            try:
                if row["metric"] in CASE_METRICS:
                    computed = CASE_METRICS[row["metric"]](cases, **params)
                else:
                    computed = CONTEXT_METRICS[row["metric"]](
                        cases, ctx, period_end=period_end, **params
                    )
            except NoLikeMeasure as reason:
                out.update(
                    computed=str(reason),
                    computed_status="official",
                    basis=verdict_basis(foia, foia_inputs),
                    verdict=NOT_CHECKABLE,
                )
                rows.append(out)
                continue
            if row["comparison"] == "among_top_k":
                shown = f"top {k}: " + _fmt(list(computed)[:k])
            elif row["comparison"] == "includes":
                found = [v for v in expected if v in set(computed)]
                shown = f"{_fmt(found) or 'none of them'} (among {len(computed)} found)"
            else:
                shown = _fmt(computed)
            inputs = foia_inputs + context_inputs
            basis = verdict_basis(foia, foia_inputs)
            holds = compare(computed, row["comparison"], expected, k=k)
            if k is not None:
                out["comparison"] = f"among the top {k}:"
            out.update(
                expected=_fmt(expected),
                computed=shown,
                computed_status=inputs[0] if len(inputs) == 1 else derive(inputs),
                basis=basis,
                verdict=verdict(basis, holds),
            )
        rows.append(out)
    return pd.DataFrame(rows)


def load_context(flows_path: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The Canada-side context tables, and the official border table when `flows_path` is given
    (for the claims checked on official files alone)."""
    ctx = {key: context.load_context(key) for key in context.CONTEXT_FILES}
    if flows_path is not None:
        ctx["border_flows"] = pd.read_csv(flows_path, dtype={"period": str})
    return ctx


def verdict_breakdown(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Number of claims per (basis, verdict), in a fixed order."""
    order = {v: i for i, v in enumerate(VERDICTS)}
    counts = verdicts.groupby(["basis", "verdict"]).size().rename("claims").reset_index()
    return counts.sort_values(
        ["verdict", "basis"], key=lambda s: s.map(order) if s.name == "verdict" else s
    ).reset_index(drop=True)


def unsupported(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The checked claims that failed: not supported, or (on the stand-in) inconsistent."""
    return verdicts[verdicts["verdict"].isin(FAILED)]


def require_supported(verdicts: pd.DataFrame) -> None:
    """Raise ClaimsNotSupported naming every checkable claim that failed."""
    failed = unsupported(verdicts)
    if len(failed):
        lines = [
            f"{r.claim_id}: expected {r.comparison} {r.expected}, computed {r.computed}"
            for r in failed.itertuples()
        ]
        raise ClaimsNotSupported(
            f"{len(failed)} checked claim(s) failed:\n  - " + "\n  - ".join(lines)
        )
