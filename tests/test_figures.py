"""Charts: built from hand-made inputs, titled with the finding, described in alt text, saved as
PNG + SVG + CSV, and byte-identical when saved twice."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from conftest import STANDIN

from src import canada_figures, charts, context, figures
from src.helpers import data_status
from src.status import FoiaStatus


@pytest.fixture(scope="module")
def ctx():
    return {key: context.load_context(key) for key in context.CONTEXT_FILES}


@pytest.fixture(scope="module")
def foia():
    return FoiaStatus(is_standin=True, value_status=data_status(STANDIN).sidecar["value_status"])


REAL = FoiaStatus(is_standin=False)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_partial_years():
    assert figures.partial_years("2017-03-31", "calendar") == {2017}
    assert figures.partial_years("2016-12-31", "calendar") == set()
    assert figures.partial_years("2017-03-31", "fiscal") == {2017}
    assert figures.partial_years("2016-10-15", "fiscal") == {2017}
    assert figures.partial_years("2016-09-30", "fiscal") == set()


def test_year_table_statuses(standin_cases, foia):
    table = figures.year_table(standin_cases, "calendar", 2005, 2017, foia, {2017})
    assert table["year"].tolist() == list(range(2005, 2018))
    assert table.set_index("year").loc[2016, "status"] == "published"
    assert table.set_index("year").loc[2008, "status"] == "bound"
    assert table.set_index("year").loc[2010, "status"] == "illustrative"
    assert table["partial_year"].sum() == 1
    fiscal = figures.year_table(standin_cases, "fiscal", 2005, 2017, foia, {2017})
    assert set(fiscal["status"]) == {"illustrative"}  # the pins hold only for calendar years
    real = figures.year_table(standin_cases, "calendar", 2005, 2017, REAL, set())
    assert set(real["status"]) == {"official"}
    assert table["cases"].sum() == fiscal["cases"].sum() == 466


def test_cases_per_year_chart(standin_cases, foia, tmp_path):
    table = figures.year_table(standin_cases, "calendar", 2005, 2017, foia, {2017})
    chart = figures.chart_cases_per_year(table, "calendar", "2017-03-31")
    assert (
        chart.title
        == "U.S.-bound STCA cases peaked in 2008 and 2009; by 2016 they were down to 21 a year"
    )
    assert "2016: 21," in chart.alt and "2013: 16 (invented)" in chart.alt
    hatched = [p.get_hatch() for p in chart.figure.axes[0].patches[: len(table)]]
    assert hatched[table["year"].tolist().index(2016)] in (None, "")
    assert hatched[table["year"].tolist().index(2010)] == charts.ILLUSTRATIVE_HATCH
    assert hatched[table["year"].tolist().index(2008)] == charts.BOUND_HATCH
    first = charts.save_chart(chart, tmp_path / "a")
    second = charts.save_chart(chart, tmp_path / "b")
    for ext in ("png", "svg", "csv"):
        assert _digest(tmp_path / "a" / f"cases_per_year.{ext}") == _digest(
            tmp_path / "b" / f"cases_per_year.{ext}"
        )
    assert pd.read_csv(first["csv"])["cases"].sum() == 466
    assert second["png"].endswith(".png")


def test_fiscal_title_on_the_standin_states_no_finding(standin_cases, foia):
    table = figures.year_table(standin_cases, "fiscal", 2005, 2017, foia, {2017})
    chart = figures.chart_cases_per_year(table, "fiscal", "2017-03-31")
    assert "invented" in chart.title and "17" not in chart.title


def test_real_data_draws_no_hatching(standin_cases):
    table = figures.year_table(standin_cases, "calendar", 2005, 2017, REAL, {2017})
    chart = figures.chart_cases_per_year(table, "calendar", "2017-03-31")
    assert all(p.get_hatch() in (None, "") for p in chart.figure.axes[0].patches)
    assert "invented" not in chart.alt


def test_exception_chart_titles_follow_the_data_status(standin_cases, foia):
    standin = figures.chart_exceptions(figures.exception_table(standin_cases, foia), "bound")
    assert standin.title == "Most cases used the family-member or public-interest exception"
    real = figures.chart_exceptions(figures.exception_table(standin_cases, REAL), "official")
    assert real.title == "73% of cases used the family-member or public-interest exception"
    assert real.data["share"].sum() == pytest.approx(1, abs=1e-3)


def test_nationalities_chart_calls_out_canadians_and_all_others(standin_cases, foia):
    data = figures.nationality_table(standin_cases, 10, foia)
    chart = figures.chart_nationalities(data, len(standin_cases), "published")
    assert chart.title == "55 of the 466 were Canadian citizens, whom the agreement does not cover"
    assert "does not apply to Canadian or U.S. citizens" in chart.alt
    assert len(chart.data) == 11 and chart.data.iloc[0]["citizenship"] == "Canada"
    assert chart.data.iloc[-1]["citizenship"] == figures.ALL_OTHERS
    assert chart.data["cases"].sum() == 466  # the bars account for every case
    real = figures.nationality_table(standin_cases, 10, REAL)
    assert "largest group: Canada" in figures.chart_nationalities(real, 466, "official").title


def test_expedited_removal_chart(standin_cases):
    chart = figures.chart_expedited_removal(figures.expedited_removal_table(standin_cases, REAL))
    assert chart.data.set_index("expedited_removal")["cases"].to_dict() == {
        "Yes": 64,
        "No": 380,
        "Not recorded": 22,
    }
    assert chart.title == "64 people (14% of all cases) were placed in expedited removal"


def test_comparison_uses_the_same_period_in_both_directions(standin_cases, ctx, foia):
    table = canada_figures.comparison_table(standin_cases, ctx, "2017-03-31", foia)
    rows = table[table["kind"] == "count"].set_index(["period", "direction"])["value"]
    assert rows[("January to March 2017", canada_figures.CANADA_BOUND)] == 925 + 1245 + 1595
    assert rows[("January to March 2017", canada_figures.US_BOUND)] == 7
    assert rows[("2013", canada_figures.CANADA_BOUND)] == 2000
    chart = canada_figures.chart_comparison(table)
    assert chart.figure.axes[0].get_xscale() == "linear"  # the gap at its true size
    low = table[table["kind"] == "count, low end"].set_index("period")["value"]
    # IRCC's land-port claims include RCMP interceptees: the low end takes every one away
    assert low["January to March 2017"] == 925 + 1245 + 1595 - (315 + 678 + 897)
    assert chart.title.endswith(": at least 268 to 1 from January to March 2017")


def test_canada_side_marks_the_election(ctx):
    chart = canada_figures.chart_canada_side(canada_figures.canada_side_table(ctx))
    assert "2.11-fold" in chart.title  # 50,375 / 23,860, by the one ratio rule
    assert "November 2016" in chart.alt and "August 2017" in chart.alt
    lines = [ln for ln in chart.figure.axes[1].get_lines() if ln.get_linestyle() == "--"]
    assert len(lines) == 1
    assert set(chart.data["panel"]) == {
        "RCMP interceptions by month",
        "Total asylum claims by year",
    }
    assert chart.data["source_url"].str.startswith("http").all()
    assert set(chart.data["status"]) <= {"official", "reported"}


def test_stale_chart_files_are_removed(tmp_path, ctx):
    (tmp_path / "asymmetry.csv").write_text("old")
    (tmp_path / "notes.txt").write_text("kept")
    chart = canada_figures.chart_canada_side(canada_figures.canada_side_table(ctx))
    charts.save_chart(chart, tmp_path)
    charts.write_figure_index([chart], tmp_path)
    assert not (tmp_path / "asymmetry.csv").exists()
    assert (tmp_path / "canada_side.csv").exists() and (tmp_path / "notes.txt").exists()


# ---------------------------------------------------------------- phone renditions, page charts


def test_every_chart_has_a_phone_rendition_with_readable_text(standin_cases, foia, ctx, tmp_path):
    """Each chart is drawn a second time for a phone: NARROW_WIDTH wide, no text under
    NARROW_MIN_PT (so at least 11 CSS px on a 390 px screen), saved beside the wide one and
    described in figures.json."""
    table = canada_figures.comparison_table(standin_cases, ctx, "2017-03-31", foia)
    chart = canada_figures.chart_comparison(table)
    assert chart.narrow is not None
    assert chart.narrow.get_figwidth() == charts.NARROW_WIDTH
    assert charts.min_font_pt(chart.narrow) >= charts.NARROW_MIN_PT
    assert charts.min_font_pt(chart.figure) < charts.NARROW_MIN_PT  # the wide one is not forced
    # the headline is the page's caption on a phone, not repeated in the image
    texts = [t.get_text() for t in charts._texts(chart.narrow)]
    assert chart.title not in " ".join(texts)
    paths = charts.save_chart(chart, tmp_path)
    assert paths["narrow"].endswith("-narrow.png")
    charts.write_figure_index([chart], tmp_path)
    entry = json.loads((tmp_path / "figures.json").read_text())[0]
    assert entry["renditions"]["narrow"]["file"] == "both_directions_like_for_like-narrow.png"
    assert entry["renditions"]["narrow"]["min_font_pt"] >= charts.NARROW_MIN_PT


def test_the_comparison_is_drawn_on_a_linear_scale(standin_cases, ctx, foia):
    chart = canada_figures.chart_comparison(
        canada_figures.comparison_table(standin_cases, ctx, "2017-03-31", foia)
    )
    for figure in (chart.figure, chart.narrow):
        ax = figure.axes[0]
        assert ax.get_xscale() == "linear" and ax.get_yscale() == "linear"
        # the 7-person bar is labelled: on a true scale it is a sliver
        assert any(t.get_text().endswith(": 7") for t in ax.texts)


def test_a_page_leaves_out_only_totals_that_match_the_calendar_page(standin_cases):
    """The fiscal page may leave out the totals only while both year bases select the same
    cases; an unknown name, or dropping the per-year chart, is refused by name."""
    assert figures.check_charts(["cases_per_year"], standin_cases, "fiscal", 2005, 2017) == list(
        figures.TOTAL_CHARTS
    )
    with pytest.raises(ValueError, match="charts"):
        figures.check_charts(["cases_per_year", "maps"], standin_cases, "fiscal", 2005, 2017)
    with pytest.raises(ValueError, match="cases_per_year"):
        figures.check_charts(["exceptions"], standin_cases, "fiscal", 2005, 2017)
    # FY2008 to FY2016 and calendar 2008 to 2016 select different cases: the totals differ
    with pytest.raises(ValueError, match="select other cases"):
        figures.check_charts(["cases_per_year"], standin_cases, "fiscal", 2008, 2016)
