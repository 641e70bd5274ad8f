"""The fact-check classes: a value is as strong as its weakest input, an invented value never
names a real publication, a downloadable table sums to its published totals along its documented
row unit, a partial period is never shown unmarked, absent is not zero, and every ratio a reader
sees uses one rounding rule."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from src import border_figures, canada_figures, claims, context, official
from src.helpers import data_status
from src.site import STATUS_WORDS
from src.standin import FILE_NAME
from src.status import (
    INVENTED,
    STATUSES,
    FoiaStatus,
    derive,
    format_ratio,
    round_ratio,
    weakest,
)

STANDIN = f"data/raw/foia/{FILE_NAME}"
REAL_PUBLICATIONS = re.compile(r"VICE|USCIS|IRCC|CBP|DHS|CTV|Star|canada\.ca|vice\.com", re.I)


@pytest.fixture(scope="module")
def foia():
    return FoiaStatus(is_standin=True, value_status=data_status(STANDIN).sidecar["value_status"])


@pytest.fixture(scope="module")
def ctx():
    return {key: context.load_context(key) for key in context.CONTEXT_FILES}


# ---------------------------------------------------------------- a status follows its weakest input


@pytest.mark.parametrize("other", ["official", "published", "derived", "assumption"])
def test_arithmetic_on_a_reported_value_is_reported_never_derived(other):
    assert derive(["reported", other]) == "reported"
    assert derive([other, other]) == "derived"
    assert derive(["reported", "illustrative"]) == "illustrative"
    assert weakest(["official", "reported"]) == "reported"


def test_a_reported_input_never_prints_as_official_figures():
    # the labels readers see, one per status: only official inputs alone read "official figures"
    for status in STATUSES:
        if status != "official":
            assert "official figures" != STATUS_WORDS[status]
    assert "news report" in STATUS_WORDS["reported"]
    basis = claims.verdict_basis(FoiaStatus(is_standin=True), [], ["official", "reported"])
    assert basis == claims.BASIS_REPORTED and basis != claims.BASIS_OFFICIAL
    assert claims.verdict_basis(FoiaStatus(is_standin=True), [], ["official"]) == (
        claims.BASIS_OFFICIAL
    )
    with pytest.raises(ValueError):
        claims.verdict_basis(FoiaStatus(is_standin=True), [], [])


def test_the_surge_rests_on_a_news_report_and_weighs_its_scope(standin_cases, foia, flows):
    ctx = claims.load_context()
    ctx["border_flows"] = flows
    ledger = claims.load_ledger()
    verdict = claims.evaluate_claims(
        ledger[ledger["claim_id"] == "canada_bound_surge"], standin_cases, foia, "2017-03-31", ctx
    ).iloc[0]
    assert verdict["computed_status"] == "reported"
    assert verdict["basis"] == claims.BASIS_REPORTED
    # the scope: share of early-2017 interceptions in the three provinces, and the break-even
    assert "1,883 of the 1,890" in verdict["note"] and "3,780 or more" in verdict["note"]


def test_a_computed_list_carries_the_status_of_the_list_not_of_the_sentence(standin_cases, foia):
    verdicts = claims.evaluate_claims(claims.load_ledger(), standin_cases, foia, "2017-03-31")
    by_id = verdicts.set_index("claim_id")
    # only "no other exception" and "includes Ukraine and Haiti" are published
    for claim in ("only_the_four_exceptions", "y2016_nationalities"):
        assert by_id.loc[claim, "computed_status"] == "illustrative"
        assert by_id.loc[claim, "basis"] == claims.BASIS_PINNED


def test_statements_of_law_are_checked_against_the_record():
    ledger = claims.load_ledger().set_index("claim_id")
    for claim in ("stca_first_country_rule", "stca_loophole_between_ports"):
        row = ledger.loc[claim]
        assert row["checkable"] == "record"
        assert "Federal Register" in row["source"] or "FR" in row["source"]
    assert "25 March 2023" in ledger.loc["stca_loophole_between_ports", "note"]
    assert "14 days" in ledger.loc["stca_loophole_between_ports", "note"]


# ---------------------------------------------------------------- invented values and their sources


def test_no_invented_value_names_a_real_publication(standin_cases, foia, ctx):
    table = canada_figures.comparison_table(standin_cases, ctx, "2017-03-31", foia)
    invented = table[table["status"].isin(INVENTED)]
    assert len(invented)  # the 2013 U.S.-bound count and its ratio
    assert not invented["source"].str.contains(REAL_PUBLICATIONS).any(), invented["source"]
    for status in STATUSES:
        source = foia.source(status)
        assert bool(REAL_PUBLICATIONS.search(source)) == (status not in INVENTED), status


def test_no_invented_row_of_any_built_chart_names_a_real_publication(built_repo):
    repo, _ = built_repo
    for path in sorted((repo / "reports" / "figures").glob("*/*.csv")):
        data = pd.read_csv(path, keep_default_na=False)
        if "source" not in data:
            continue
        invented = data[data["status"].isin(INVENTED)]
        assert not invented["source"].str.contains(REAL_PUBLICATIONS).any(), path.name


# ---------------------------------------------------------------- tables a reader can sum


def test_citizenship_rows_sum_to_the_published_total_and_absent_is_not_zero(flows):
    table = border_figures.citizenship_table(flows)
    sums = table.groupby("fiscal_year")["apprehensions"].sum()
    totals = table.groupby("fiscal_year")["region_total"].first()
    assert (sums == totals).all()
    assert (table["share_status"] == "derived").all()
    # a citizenship the file does not list for a year is no row, never a 0 marked official
    leader = table["citizenship"].iloc[0]
    thinned = flows[
        ~((flows["category"] == f"citizenship: {leader}") & (flows["period"] == "2017"))
    ]
    thin = border_figures.citizenship_table(thinned)
    assert leader not in set(thin[thin["fiscal_year"] == "2017"]["citizenship"])
    assert not ((thin["apprehensions"] == 0) & (thin["status"] == "official")).any()


def test_office_rows_are_only_office_types_and_sum_to_the_year_total(flows):
    table = border_figures.office_table(flows)
    assert set(table["office_type"]) <= set(border_figures.OFFICE_ORDER)
    sums = table.groupby("year")["claims"].sum()
    totals = table.groupby("year")["year_total"].first()
    # each cell is rounded to 5 by IRCC, suppressed cells hold 0 to 5
    slack = table.groupby("year").size() * 2.5 + table.groupby("year")["suppressed"].sum() * 5
    assert ((sums - totals).abs() <= slack).all()


def test_sector_rows_sum_to_the_region_total_within_rounding(flows):
    table = border_figures.sector_table(flows)
    assert "Northern Land Border (region total)" not in set(table["sector"])
    sums = table.groupby("fiscal_year")["apprehensions"].sum()
    totals = table.groupby("fiscal_year")["region_total"].first()
    slack = table.groupby("fiscal_year").size() * 5 + 5
    assert ((sums - totals).abs() <= slack).all()
    assert not table.loc[table["sector"] == border_figures.LIVERMORE, "on_canada_border"].any()


def test_border_flows_totals_sum_from_their_months_when_complete(flows):
    months = flows[(flows["period_type"] == "month") & (flows["area"] == "all")]
    years = flows[(flows["period_type"] == "calendar_year") & (flows["area"] == "all")]
    ircc = years[years["source_file"].str.contains("ircc-pages")]
    checked = 0
    for row in ircc.itertuples():
        parts = months[
            (months["source_file"] == row.source_file)
            & (months["measure"] == row.measure)
            & (months["category"] == row.category)
            & months["period"].str.startswith(row.period)
        ]
        if len(parts) != 12 or row.value is pd.NA or parts["value"].isna().any():
            continue
        assert abs(int(parts["value"].sum()) - int(row.value)) <= 12 * row.rounding / 2 + 5
        checked += 1
    assert checked >= 10


# ---------------------------------------------------------------- partial periods


def test_partial_periods_are_flagged_with_their_months(flows):
    fy2025 = flows[
        flows["source_file"].str.contains("dhs-ohss")
        & (flows["period_type"] == "fiscal_year")
        & (flows["period"] == "2025")
    ]
    assert len(fy2025) and not fy2025["complete"].any()
    assert set(fy2025["first_month"]) == {"2024-10"} and set(fy2025["last_month"]) == {"2024-11"}
    open_2024 = flows[
        flows["source_file"].str.contains("ircc-open-data")
        & (flows["period_type"] == "calendar_year")
        & (flows["period"] == "2024")
    ]
    assert len(open_2024) and set(open_2024["last_month"]) == {"2024-02"}
    assert flows.loc[flows["period_type"] == "month", "complete"].all()
    overview = " ".join(official.flows_overview(flows)["years"])
    assert "FY2025: October to November 2024 only" in overview
    assert "2024: January to February 2024 only" in overview


def test_no_chart_shows_a_partial_period(flows):
    partial = flows[~flows["complete"]]
    keys = set(zip(partial["source_file"], partial["period"], strict=True))
    sector = border_figures.sector_table(flows)
    assert not any(p == "2025" for p in sector["fiscal_year"])
    offices = border_figures.office_table(flows)
    assert not any(("ircc-open-data" in f and p in set(offices["year"])) for f, p in keys)
    citizenship = border_figures.citizenship_table(flows, years=("2023", "2024", "2025"))
    assert "2025" not in set(citizenship["fiscal_year"])


# ---------------------------------------------------------------- one rounding rule for ratios


@pytest.mark.parametrize(
    "value, text",
    [(537.857, "538"), (267.857, "268"), (3.0657, "3.07"), (2.108, "2.11"), (1234.5, "1,230")],
)
def test_format_ratio_gives_three_significant_figures(value, text):
    assert format_ratio(value) == text
    assert format_ratio(round_ratio(value)) == text


NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
RATIO_TEXT = re.compile(
    rf"{NUMBER}(?= to 1\b|-fold| times (?:their|the|as))|between {NUMBER} and {NUMBER}"
)


def _significant(number: str) -> int:
    digits = number.replace(",", "").replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if "." not in number else len(digits)


def test_every_ratio_on_every_page_uses_one_rounding_rule(built_repo):
    """Every ratio written on a published page or in a chart title has at most three significant
    figures, and a ratio that appears on two pages is written the same way."""
    repo, _ = built_repo
    seen = []
    texts = [p.read_text(encoding="utf-8") for p in sorted((repo / "reports").glob("*.html"))]
    for index in sorted((repo / "reports" / "figures").glob("*/figures.json")):
        texts += [e["title"] for e in json.loads(index.read_text(encoding="utf-8"))]
    for text in texts:
        plain = re.sub(r"<[^>]+>", " ", text)
        for match in RATIO_TEXT.finditer(plain):
            where = plain[max(0, match.start() - 80) : match.end() + 20]
            for number in filter(None, match.groups()):
                seen.append(number)
                assert _significant(number) <= 3, f"{number!r} in {where!r}"
    assert {"268", "538", "3.07"} <= set(seen), sorted(set(seen))
    verdicts = pd.read_csv(
        repo / "data" / "processed" / "claims_verdicts.csv", keep_default_na=False
    )
    assert "between 268 and 538" in set(verdicts["computed"])


ARITHMETIC = re.compile(r"\s=\s|->|\bdifference\b|\bthe change is\b|\d\s\+\s\d")


def test_every_note_with_our_arithmetic_says_so():
    """A context note that adds, subtracts or attributes a change is our arithmetic and says so."""
    for key in context.CONTEXT_FILES:
        frame = context.load_context(key)
        for note in frame["note"].dropna():
            if ARITHMETIC.search(note):
                assert "our arithmetic" in note, f"{context.CONTEXT_FILES[key]}: {note!r}"
