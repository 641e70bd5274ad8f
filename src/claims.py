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
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from src import context, metrics
from src.helpers import REFERENCES_DIR
from src.page import display_html, mark_invented, safe_html, show_table
from src.status import INVENTED, FoiaStatus, derive, format_ratio, round_ratio

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
BASIS_REPORTED = "a news report's figure (with official figures)"
BASIS_RELEASE = "real release"
BASIS_RECORD = "the official record (law and regulation)"
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


class Range(tuple):
    """A value known only between two bounds (low, high). Compared by the bound that makes a
    claim hardest to meet: 'greater than' by its low end, 'less than' by its high end."""

    def __new__(cls, low: float, high: float):
        return super().__new__(cls, (float(low), float(high)))

    @property
    def low(self) -> float:
        return self[0]

    @property
    def high(self) -> float:
        return self[1]


def _ratio(numerator: float, denominator: float) -> float:
    return float("inf") if denominator == 0 else numerator / denominator


def land_port_claims_per_us_case(
    cases: pd.DataFrame, ctx: dict[str, pd.DataFrame], period_end: str
) -> Range:
    """Asylum claims at Canada's land ports from January to the cutoff month, per U.S.-bound STCA
    case screened from 1 January to the cutoff, as a Range. IRCC's land-port counts include
    claimants the RCMP intercepted between ports and brought to a port, so the like-for-like
    count lies between the land-port claims less every RCMP interception of those months (low)
    and all land-port claims (high)."""
    first, last, end = _months_to_cutoff(period_end)
    canada = context.sum_months(ctx["land_port_monthly"], first, last)
    intercepted = context.sum_months(ctx["rcmp_monthly"], first, last)
    us = metrics.count_between(cases, f"{first}-01", end)
    return Range(_ratio(max(canada - intercepted, 0), us), _ratio(canada, us))


def rcmp_monthly_rate_ratio(
    cases: pd.DataFrame, ctx: dict[str, pd.DataFrame], base_year: int, period_end: str
) -> float:
    """Monthly average of RCMP interceptions from January to the cutoff month, divided by the
    monthly average of `base_year` (its annual total / 12)."""
    first, last, _ = _months_to_cutoff(period_end)
    months = len(pd.period_range(first, last, freq="M"))
    recent = context.sum_months(ctx["rcmp_monthly"], first, last) / months
    return recent / (context.annual_value(ctx["rcmp_annual"], base_year) / 12)


# The provinces the 2016 RCMP total was reported for ("three unofficial crossing points in Quebec,
# Manitoba and B.C."; see its `scope` in data/raw/context).
SURGE_BASE_PROVINCES = ("Quebec", "Manitoba", "British Columbia")


def _month_name(period: str) -> str:
    return pd.Period(period, freq="M").strftime("%B %Y")


def surge_scope_note(ctx: dict[str, pd.DataFrame], base_year: int, period_end: str) -> str:
    """What the narrower scope of the base year's RCMP total does to the surge ratio, in words
    computed from the data: the share of the recent months' interceptions that were in the
    provinces the base total was reported for (from the official table, when `border_flows` is
    in `ctx`), and how large the base year would have to be for the ratio to fall to 2."""
    first, last, _ = _months_to_cutoff(period_end)
    months = len(pd.period_range(first, last, freq="M"))
    recent = context.sum_months(ctx["rcmp_monthly"], first, last)
    base = context.annual_value(ctx["rcmp_annual"], base_year)
    scope = context.current(ctx["rcmp_annual"]).set_index("period").loc[str(base_year), "scope"]
    break_even = recent / months * 12 / 2
    note = (
        f"Our arithmetic on a news report's figure: the {base_year} base ({base:,}) was reported "
        f"with a narrower scope ({scope}). "
    )
    flows = ctx.get("border_flows")
    if flows is not None:
        rows = flows[
            (flows["measure"] == "rcmp_interceptions")
            & (flows["period_type"] == "month")
            & (flows["period"] >= first)
            & (flows["period"] <= last)
            & (flows["category"] == "all")
        ]
        in_scope = int(rows[rows["area"].isin(SURGE_BASE_PROVINCES)]["value"].sum())
        total = int(rows[rows["area"] == "all"]["value"].sum())
        if total:
            note += (
                f"From {_month_name(first)} to {_month_name(last)}, {in_scope:,} of the "
                f"{total:,} interceptions "
                f"({in_scope / total:.1%}) were in {', '.join(SURGE_BASE_PROVINCES)} "
                "(IRCC's official table), so the surge is not an artefact of counting more "
                "places. "
            )
    note += (
        f"The monthly rate would fail to double only if {base_year}'s true total were "
        f"{break_even:,.0f} or more, {format_ratio(break_even / base)} times the reported figure."
    )
    return note


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
    expected=None,
) -> tuple[list[str], list[str], list[str]]:
    """The statuses of what a claim's check rests on: (FOIA-table values the verdict rests on,
    context values, FOIA-table values the computed value shows). They differ where the check
    tests a published fact about an invented value: "no case used another exception" is
    published while which exceptions occur is invented; "2016 included Ukraine and Haiti" is
    published while the list (and count) of 2016's citizenships is invented."""
    basis = params.get("basis", "calendar")
    first, last, _ = _months_to_cutoff(period_end)
    shown = {
        "exceptions_used": lambda: [foia.exceptions_used()],
        "citizenships": lambda: [foia.citizenships_present(params["year"])],
    }
    checked = {
        "exceptions_used": lambda: [foia.no_other_exception()],
        "citizenships": lambda: [
            foia.citizenship_present(country, params["year"]) for country in expected or []
        ],
    }
    foia_inputs = {
        "total_cases": lambda: [foia.total()],
        "count_citizenship": lambda: [foia.citizenship(params["country"], params.get("year"))],
        "earliest_screening_date": lambda: [foia.first_screening_date()],
        "count_expedited_removal": lambda: [foia.expedited_removal("Yes")],
        **checked,
        "share_of_exceptions": lambda: [foia.exception_share(params["exceptions"])],
        "years_ranked": lambda: [foia.year_ranking(basis)],
        "count_in_year": lambda: [foia.year(basis, params["year"])],
        "land_port_claims_per_us_case": lambda: [foia.year("calendar", int(first[:4]))],
        "rcmp_monthly_rate_ratio": lambda: [],
        "official_land_port_claims_per_us_case": lambda: [],
    }[metric]()
    context_inputs = {
        "official_land_port_claims_per_us_case": lambda: ["official"],
        "land_port_claims_per_us_case": lambda: (
            _context_statuses(ctx["land_port_monthly"], first, last)
            + _context_statuses(ctx["rcmp_monthly"], first, last)
        ),
        "rcmp_monthly_rate_ratio": lambda: (
            _context_statuses(ctx["rcmp_monthly"], first, last)
            + _context_statuses(
                ctx["rcmp_annual"], str(params["base_year"]), str(params["base_year"])
            )
        ),
    }.get(metric, lambda: [])()
    foia_shown = shown.get(metric, lambda: foia_inputs)()
    return foia_inputs, context_inputs, foia_shown


def verdict_basis(foia: FoiaStatus, foia_inputs: list[str], context_inputs: list[str]) -> str:
    """What a verdict rests on, from the statuses of its inputs, the weakest deciding: an
    invented stand-in value (illustrative), the stand-in's pinned values, a news report's
    figure, the real release, or official figures alone. ValueError when a check has no input
    at all (its basis would be unknown)."""
    statuses = list(foia_inputs) + list(context_inputs)
    if not statuses:
        raise ValueError("a checked claim must read at least one value with a status")
    if foia_inputs and foia.is_standin:
        # a check against a bound the article states ("more than 60") is pinned by construction
        # even though the exact value is invented; a check on an illustrative value is not
        return BASIS_ILLUSTRATIVE if "illustrative" in foia_inputs else BASIS_PINNED
    if set(statuses) & INVENTED:
        return BASIS_ILLUSTRATIVE
    if "reported" in statuses:
        return BASIS_REPORTED
    if foia_inputs:
        return BASIS_RELEASE
    if set(statuses) <= {"official", "derived"}:
        return BASIS_OFFICIAL
    raise ValueError(f"no basis for inputs with statuses {sorted(set(statuses))}")


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
        return (computed.low if isinstance(computed, Range) else computed) > expected
    if comparison == "less_than":
        return (computed.high if isinstance(computed, Range) else computed) < expected
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
        if row["checkable"] not in ("yes", "no", "record"):
            raise ValueError(f"{where}: checkable must be yes, no or record")
        if row["checkable"] == "record" and not (row["note"] and URL_IN_TEXT.search(row["source"])):
            raise ValueError(
                f"{where}: a claim checked against the official record needs the record's words "
                "in 'note' and its address in 'source'"
            )
        if row["checkable"] == "yes":
            if row["metric"] not in CASE_METRICS | CONTEXT_METRICS:
                raise ValueError(f"{where}: unknown metric {row['metric']!r}")
            json.loads(row["expected"])
        elif not row["note"]:
            raise ValueError(f"{where}: a claim that is not checkable needs the reason in 'note'")
    return ledger


URL_IN_TEXT = re.compile(r"https?://")


def _fmt_expected(value) -> str:
    """Display text of a ledger's expected value, as the ledger writes it (not a ratio)."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def _fmt(value) -> str:
    """Display text of a computed value; every ratio by the one rule of status.format_ratio."""
    if isinstance(value, Range):
        if round_ratio(value.low) == round_ratio(value.high):
            return format_ratio(value.high)
        return f"between {format_ratio(value.low)} and {format_ratio(value.high)}"
    if isinstance(value, float):
        return format_ratio(value)
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
        if row["checkable"] == "record":
            out.update(basis=BASIS_RECORD, verdict=SUPPORTED, computed_status="official")
        if row["checkable"] == "yes":
            params = json.loads(row["params"]) if row["params"] else {}
            expected = json.loads(row["expected"])
            foia_inputs, context_inputs, foia_shown = input_statuses(
                row["metric"], params, foia, ctx, period_end, expected
            )
            k = params.pop("k", None)
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
                    basis=verdict_basis(foia, foia_inputs, context_inputs),
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
            inputs = foia_shown + context_inputs
            basis = verdict_basis(foia, foia_inputs, context_inputs)
            holds = compare(computed, row["comparison"], expected, k=k)
            if k is not None:
                out["comparison"] = f"among the top {k}:"
            if row["metric"] == "rcmp_monthly_rate_ratio":
                out["note"] = " ".join(
                    filter(
                        None, [row["note"], surge_scope_note(ctx, params["base_year"], period_end)]
                    )
                )
            out.update(
                expected=_fmt_expected(expected),
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


# ---------------------------------------------------------------- the claims page's tables


def show_verdict_breakdown(verdicts: pd.DataFrame) -> None:
    """Lead with what the verdicts rest on: one sentence, then claims per basis and verdict."""
    counts = verdicts["verdict"].value_counts()
    parts = [f"{n} {verdict}" for verdict, n in counts.items()]
    display_html(
        safe_html(
            "<p><strong>{n} claims: {parts}.</strong> What each verdict rests on:</p>",
            n=len(verdicts),
            parts="; ".join(parts),
        )
    )
    show_table(verdict_breakdown(verdicts), "Claims by what the verdict rests on")


# On a phone the verdict table is a card per claim, these first (as page.table_html names them).
VERDICT_CARD_FIRST = ("Verdict", "Basis")


def verdict_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Checked claims, one row each: the claim, its verdict and basis, the article's words, how
    they are read, what is expected (comparison and value), what was computed (marked when
    invented), and what else the check found."""
    checkable = verdicts[verdicts["basis"] != "no data can test it"]
    table = mark_invented(checkable, ["computed"], status_column="computed_status")
    table = table.assign(expected=table["comparison"] + " " + table["expected"])
    table = table[
        ["claim", "verdict", "basis", "article_quote", "interpretation", "expected", "computed",
         "note"]
    ]  # fmt: skip
    return table.rename(
        columns={"article_quote": "the article's words", "interpretation": "read as",
                 "note": "what else the check found"}
    ).reset_index(drop=True)  # fmt: skip


def not_checkable_table(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Claims no data can test, with the article's words and the reason."""
    table = verdicts[verdicts["basis"] == "no data can test it"]
    table = table[["claim", "article_quote", "note"]]
    return table.rename(
        columns={"article_quote": "the article's words", "note": "why not"}
    ).reset_index(drop=True)
