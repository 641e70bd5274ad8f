"""Charts: built from hand-made inputs, titled with the finding, described in alt text, saved as
PNG + SVG + CSV, and byte-identical when saved twice."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from conftest import STANDIN

from src import context, figures
from src.helpers import data_status


@pytest.fixture(scope="module")
def ctx():
    return {key: context.load_context(key) for key in context.CONTEXT_FILES}


@pytest.fixture(scope="module")
def year_status():
    return data_status(STANDIN).sidecar["year_status"]


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_partial_years():
    assert figures.partial_years("2017-03-31", "calendar") == {2017}
    assert figures.partial_years("2016-12-31", "calendar") == set()
    assert figures.partial_years("2017-03-31", "fiscal") == {2017}
    assert figures.partial_years("2016-10-15", "fiscal") == {2017}
    assert figures.partial_years("2016-09-30", "fiscal") == set()


def test_year_table_statuses(standin_cases, year_status):
    table = figures.year_table(standin_cases, "calendar", 2005, 2017, year_status, {2017})
    assert table["year"].tolist() == list(range(2005, 2018))
    assert table.set_index("year").loc[2016, "status"] == "pinned"
    assert table.set_index("year").loc[2010, "status"] == "illustrative"
    assert table["partial_year"].sum() == 1
    fiscal = figures.year_table(standin_cases, "fiscal", 2005, 2017, year_status, {2017})
    assert set(fiscal["status"]) == {"illustrative"}  # fiscal sums mix pinned and invented years
    real = figures.year_table(standin_cases, "calendar", 2005, 2017, None, set())
    assert set(real["status"]) == {"release"}
    assert table["cases"].sum() == fiscal["cases"].sum() == 466


def test_cases_per_year_chart(standin_cases, year_status, tmp_path):
    table = figures.year_table(standin_cases, "calendar", 2005, 2017, year_status, {2017})
    chart = figures.chart_cases_per_year(table, "calendar", "2017-03-31", standin=True)
    assert chart.title.startswith("U.S.-bound STCA cases peaked in 2008 and 2009")
    assert "2016: 21" in chart.alt and "2017: 7" in chart.alt and "illustrative" in chart.alt
    hatched = [p.get_hatch() for p in chart.figure.axes[0].patches[: len(table)]]
    assert hatched[table["year"].tolist().index(2016)] in (None, "")
    assert hatched[table["year"].tolist().index(2010)] == figures.ILLUSTRATIVE_HATCH
    first = figures.save_chart(chart, tmp_path / "a")
    second = figures.save_chart(chart, tmp_path / "b")
    for ext in ("png", "svg", "csv"):
        assert _digest(tmp_path / "a" / f"cases_per_year.{ext}") == _digest(
            tmp_path / "b" / f"cases_per_year.{ext}"
        )
    assert pd.read_csv(first["csv"])["cases"].sum() == 466
    assert second["png"].endswith(".png")


def test_real_data_draws_no_hatching(standin_cases):
    table = figures.year_table(standin_cases, "calendar", 2005, 2017, None, {2017})
    chart = figures.chart_cases_per_year(table, "calendar", "2017-03-31", standin=False)
    assert all(p.get_hatch() in (None, "") for p in chart.figure.axes[0].patches)
    assert "illustrative" not in chart.alt


def test_exception_chart_titles_follow_the_data_status(standin_cases):
    assert figures.chart_exceptions(standin_cases, True).title == (
        "Most cases used the family-member or public-interest exception"
    )
    real = figures.chart_exceptions(standin_cases, False)
    assert real.title == "73% of cases used the family-member or public-interest exception"
    assert real.data["share"].sum() == pytest.approx(1, abs=1e-3)


def test_nationalities_chart_calls_out_canadians(standin_cases):
    chart = figures.chart_nationalities(standin_cases, 10, True, {"Canada"})
    assert chart.title.startswith("55 of the 466 were Canadian citizens")
    assert "does not apply to Canadian or U.S. citizens" in chart.alt
    assert len(chart.data) == 10 and chart.data.iloc[0]["citizenship"] == "Canada"


def test_expedited_removal_chart(standin_cases):
    chart = figures.chart_expedited_removal(standin_cases, False)
    assert chart.data.set_index("expedited_removal")["cases"].to_dict() == {
        "Yes": 64,
        "No": 380,
        "Not recorded": 22,
    }
    assert chart.title == "64 people (14% of all cases) were placed in expedited removal"


def test_asymmetry_uses_same_period_and_states_ratios(standin_cases, ctx, year_status):
    table = figures.asymmetry_table(standin_cases, ctx, "2017-03-31", True, year_status)
    rows = table.set_index(["period", "direction"])["people"]
    assert (
        rows[("Jan-Mar 2017", "U.S. to Canada: RCMP interceptions between ports (IRCC)")]
        == 315 + 678 + 897
    )
    assert (
        rows[("Jan-Mar 2017", "U.S. to Canada: claims at land ports of entry (IRCC)")]
        == 925 + 1245 + 1595
    )
    assert rows[("Jan-Mar 2017", "Canada to U.S. (STCA exception cases, USCIS)")] == 7
    chart = figures.chart_asymmetry(table, True)
    assert chart.figure.axes[0].get_yscale() == "log"
    # the title leans only on published counts: 2013's U.S.-bound count is illustrative
    assert chart.title.endswith("270 or more went the other way (Jan-Mar 2017)")


def test_canada_side_marks_the_election(ctx):
    chart = figures.chart_canada_side(figures.canada_side_table(ctx))
    assert "2.1-fold" in chart.title
    assert "November 2016" in chart.alt and "August 2017" in chart.alt
    lines = [ln for ln in chart.figure.axes[1].get_lines() if ln.get_linestyle() == "--"]
    assert len(lines) == 1
    assert set(chart.data["panel"]) == {
        "RCMP interceptions by month",
        "Total asylum claims by year",
    }
    assert chart.data["source_url"].str.startswith("http").all()
