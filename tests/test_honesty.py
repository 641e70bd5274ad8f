"""Every number a reader sees says what it is. These tests read the data and the charts the way a
fact-checker would: status columns, hatching, titles, the ledger's quotations, verdict bases."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from conftest import STANDIN

from src import canada_figures, charts, claims, context, figures, page, views
from src.helpers import ROOT, data_status
from src.status import INVENTED, STATUSES, FoiaStatus, derive

ARTICLE = ROOT.parent / "shared" / "article" / "vice-2017-fleeing-canada.txt"
VALUE_COLUMNS = ("cases", "people", "value", "share")


@pytest.fixture(scope="module")
def ctx():
    return {key: context.load_context(key) for key in context.CONTEXT_FILES}


@pytest.fixture(scope="module")
def foia():
    sidecar = data_status(STANDIN).sidecar
    return FoiaStatus(is_standin=True, value_status=sidecar["value_status"])


@pytest.fixture(scope="module")
def real():
    return FoiaStatus(is_standin=False)


def all_charts(cases, foia, ctx, basis="calendar"):
    """Every chart the reports draw, built from the stand-in (one year basis)."""
    partial = figures.partial_years("2017-03-31", basis)
    table = figures.year_table(cases, basis, 2005, 2017, foia, partial)
    return [
        figures.chart_cases_per_year(table, basis, "2017-03-31"),
        figures.chart_exceptions(
            figures.exception_table(cases, foia), foia.exception_share(figures.FAMILY_PUBLIC)
        ),
        figures.chart_nationalities(
            figures.nationality_table(cases, 10, foia), len(cases), foia.total()
        ),
        figures.chart_expedited_removal(figures.expedited_removal_table(cases, foia)),
        canada_figures.chart_comparison(
            canada_figures.comparison_table(cases, ctx, "2017-03-31", foia)
        ),
        canada_figures.chart_canada_side(canada_figures.canada_side_table(ctx)),
    ]


def numbers_in(text: str) -> set[float]:
    """Every number written in `text` ('1,234', '0.5', '73%' -> 73), years included."""
    return {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def invented_values(data: pd.DataFrame) -> set[float]:
    """The values a reader must not be told as facts: every value of an invented row, shares also
    as whole percentages."""
    rows = data[data["status"].isin(INVENTED)]
    values: set[float] = set()
    for column in VALUE_COLUMNS:
        if column not in rows:
            continue
        for v in pd.to_numeric(rows[column], errors="coerce").dropna():
            values.add(float(v))
            if column == "share":
                values.add(float(round(v * 100)))
    return values


# ---------------------------------------------------------------- the vocabulary


def test_derived_from_invented_is_invented():
    assert derive(["published", "official"]) == "derived"
    assert derive(["published", "illustrative"]) == "illustrative"
    assert derive(["official", "bound"]) == "illustrative"
    with pytest.raises(ValueError, match="unknown status 'pinned'"):
        derive(["pinned"])


def test_sidecar_status_is_machine_readable_for_every_pinned_field(foia, real):
    sidecar = data_status(STANDIN).sidecar
    for kind, table in sidecar["value_status"].items():
        values = [table] if isinstance(table, str) else list(table.values())
        assert set(values) <= set(STATUSES), kind
    assert foia.year("calendar", 2016) == foia.year("calendar", 2017) == "published"
    assert foia.year("calendar", 2008) == "bound" and foia.year("calendar", 2013) == "illustrative"
    assert foia.year("fiscal", 2016) == "illustrative"  # pins hold only for calendar years
    assert foia.citizenship("Canada") == "published"
    assert foia.citizenship("Colombia") == "illustrative"
    assert foia.citizenship("Cuba", 2017) == "published"
    assert foia.exception("family_member") == "illustrative"
    assert foia.exception_share(["public_interest", "family_member"]) == "bound"
    assert foia.expedited_removal("Yes") == "bound"
    assert foia.expedited_removal("No") == "illustrative"
    assert real.year("fiscal", 2013) == real.citizenship("Colombia") == "official"


def test_sidecar_states_assumptions_and_pins_no_more_than_the_article():
    sidecar = data_status(STANDIN).sidecar
    assumptions = {a["what"]: a for a in sidecar["assumptions"]}
    assert assumptions["year reading"]["value"] == "calendar"
    assert assumptions["year reading"]["status"] == "assumption"
    assert assumptions["data cutoff"]["status"] == "assumption"
    pins = {p["quantity"]: p for p in sidecar["pinned"]}
    start = pins["first screening date"]
    assert (
        "vice.com" not in start["source"]["url"]
        and "Federal Register" in start["source"]["publisher"]
    )
    # the article lists the four exceptions open to anyone; it does not say each one occurs, nor
    # in what order they are used
    assert not any(
        "order" in p["comparison"] or "in use" in p["quantity"] for p in sidecar["pinned"]
    )
    assert "does not say each one occurs" in pins["exception of each case"]["comparison"]
    for pin in sidecar["pinned"]:
        if "year" in pin["quantity"] and pin["quantity"] != "first screening date":
            assert pin.get("assumes") == "calendar year", pin["quantity"]


# ---------------------------------------------------------------- charts


@pytest.mark.parametrize("basis", ["calendar", "fiscal"])
def test_every_chart_has_a_status_column_in_the_vocabulary(standin_cases, foia, ctx, basis):
    for chart in all_charts(standin_cases, foia, ctx, basis):
        assert "status" in chart.data, chart.name
        assert set(chart.data["status"]) <= set(STATUSES), chart.name


@pytest.mark.parametrize("basis", ["calendar", "fiscal"])
def test_no_title_states_an_invented_number(standin_cases, foia, ctx, basis):
    for chart in all_charts(standin_cases, foia, ctx, basis):
        stated = numbers_in(chart.title) & invented_values(chart.data)
        assert not stated, f"{chart.name}: title {chart.title!r} states invented {stated}"


@pytest.mark.parametrize("basis", ["calendar", "fiscal"])
def test_no_bar_label_states_an_invented_number(standin_cases, foia, ctx, basis):
    """The numbers written at the bars of every chart, in the wide and the phone rendition: an
    invented bar gets no number (it is hatched, and the word "invented" where there is room),
    and no invented bar is set in bold."""
    for chart in all_charts(standin_cases, foia, ctx, basis):
        data = chart.data
        if "status" not in data or not INVENTED & set(data["status"]):
            continue
        real = {float(v) for c in VALUE_COLUMNS if c in data
                for v in pd.to_numeric(data.loc[~data["status"].isin(INVENTED), c], errors="coerce").dropna()}  # fmt: skip
        only_invented = (
            invented_values(data) - real - {float(round(v * 100)) for v in real if v < 1}
        )
        assert only_invented, chart.name  # else this chart tests nothing
        for rendition, figure in (("wide", chart.figure), ("phone", chart.narrow)):
            labels = [t for ax in figure.axes for t in ax.texts if t.get_text().strip()]
            for label in labels:  # a date ("31 Mar 2017") is not a count
                text = re.sub(r"\b\d{1,2} [A-Z][a-z]+ \d{4}\b", "", label.get_text())
                stated = numbers_in(text) & only_invented
                assert not stated, (
                    f"{chart.name} ({rendition}): label {label.get_text()!r} states invented "
                    f"{stated}"
                )
            if chart.name != "cases_per_year":
                assert any("invented" in t.get_text() for t in labels), (chart.name, rendition)


def test_fiscal_report_claims_none_of_the_articles_per_year_numbers(standin_cases, foia):
    table = figures.year_table(standin_cases, "fiscal", 2005, 2017, foia, {2017})
    assert set(table["status"]) == {"illustrative"}
    chart = figures.chart_cases_per_year(table, "fiscal", "2017-03-31")
    assert not numbers_in(chart.title) - {2008.0, 2009.0}  # no count at all
    assert "peaked" not in chart.title  # the ranking is invented too on a fiscal basis


def _hatches(chart, n):
    return [p.get_hatch() or "" for p in chart.figure.axes[0].patches[:n]]


def test_invented_bars_are_hatched_with_a_legend_and_a_stamp(standin_cases, foia, ctx):
    for chart in all_charts(standin_cases, foia, ctx)[:5]:
        rows = chart.data[chart.data.get("kind", pd.Series("count", chart.data.index)) == "count"]
        invented = rows["status"].isin(INVENTED)
        assert invented.any(), chart.name
        ax = chart.figure.axes[0]
        hatched = sum(1 for p in ax.patches if p.get_hatch())
        assert hatched >= invented.sum(), chart.name
        legend = ax.get_legend()
        assert legend is not None and any("invented" in t.get_text() for t in legend.get_texts()), (
            chart.name
        )
        texts = [t.get_text() for t in chart.figure.texts]
        assert charts.STAMP in texts, chart.name  # survives when the PNG is shared alone
        assert any(t.startswith("STAND-IN DATA") for t in texts), chart.name  # source line


def test_exceptions_and_expedited_removal_are_no_longer_drawn_solid(standin_cases, foia):
    exceptions = figures.chart_exceptions(figures.exception_table(standin_cases, foia), "bound")
    assert all(_hatches(exceptions, 4))
    removal = figures.chart_expedited_removal(figures.expedited_removal_table(standin_cases, foia))
    assert all(_hatches(removal, 3))
    assert removal.data.set_index("expedited_removal")["status"].to_dict() == {
        "Yes": "bound",
        "No": "illustrative",
        "Not recorded": "illustrative",
    }


def test_real_release_draws_nothing_invented(standin_cases, real, ctx):
    for chart in all_charts(standin_cases, real, ctx)[:4]:
        assert not INVENTED & set(chart.data["status"]), chart.name
        assert not any(_hatches(chart, len(chart.data))), chart.name
        assert charts.STAMP not in [t.get_text() for t in chart.figure.texts]
    year_chart = all_charts(standin_cases, real, ctx)[0]
    assert "down to 21 a year" in year_chart.title


def test_comparison_is_like_for_like_and_ratios_carry_their_status(standin_cases, foia, ctx):
    data = canada_figures.comparison_table(standin_cases, ctx, "2017-03-31", foia)
    # RCMP interceptions are never a direction's count; they only narrow the land-port count
    counts = data[data["kind"] == "count"]
    assert not counts["measure"].str.startswith("RCMP").any()
    by = data.set_index(["period", "direction", "kind"])
    assert by.loc[("2013", canada_figures.US_BOUND, "count"), "status"] == "illustrative"
    ratios = data[data["kind"].str.startswith("ratio")].set_index(["period", "kind"])
    assert ratios.loc[("2013", "ratio"), "status"] == "illustrative"  # the invented 2013 count
    assert ratios.loc[("January to March 2017", "ratio, low end"), "status"] == "derived"
    assert ratios.loc[("January to March 2017", "ratio, high end"), "status"] == "derived"
    assert (
        by.loc[("January to March 2017", canada_figures.CANADA_BOUND, "count"), "value"]
        == 925 + 1245 + 1595
    )
    assert data["period_note"].str.contains("assumption").any()
    chart = canada_figures.chart_comparison(data)
    for figure in (chart.figure, chart.narrow):  # the invented ratio is never written
        texts = " ".join(t.get_text() for t in figure.axes[0].texts)
        assert "125" not in chart.title and "125" not in texts
        assert "ratio is not known" in " ".join(texts.split())


def test_canada_side_draws_reprints_distinctly(ctx):
    data = canada_figures.canada_side_table(ctx)
    chart = canada_figures.chart_canada_side(data)
    annual = data[data["panel"].str.startswith("Total")].set_index("period")
    assert annual.loc["2016", "source_kind"] == "official table"  # primary source preferred
    assert annual.loc["2008", "source_kind"] == "reprint"
    bars = chart.figure.axes[1].patches
    years = list(range(int(annual.index.min()), int(annual.index.max()) + 1))
    assert bars[years.index(2008)].get_hatch() == charts.REPRINT_HATCH
    assert not bars[years.index(2017)].get_hatch()


# ---------------------------------------------------------------- context data


def test_context_carries_scope_kind_and_revisions(ctx):
    for frame in ctx.values():
        assert {"status", "source_kind", "scope"} <= set(frame.columns)
    rcmp_2016 = context.current(ctx["rcmp_annual"]).set_index("period").loc["2016"]
    assert "three unofficial crossing points" in rcmp_2016["scope"]
    assert rcmp_2016["status"] == "reported"
    revisions = context.revisions_table(ctx["land_port_monthly"]).set_index("period")
    assert revisions.loc["2017-01 to 2017-02", "first published"] == 2145
    assert revisions.loc["2017-01 to 2017-02", "current value"] == 2170


# ---------------------------------------------------------------- the ledger and verdicts


def article_text() -> str:
    if not ARTICLE.exists():
        pytest.fail(f"the article text is needed beside the checkout: {ARTICLE}")
    return ARTICLE.read_text(encoding="utf-8")


def test_every_claim_quotes_the_article_word_for_word():
    text = article_text()
    ledger = claims.load_ledger()
    for row in ledger.itertuples():
        for phrase in row.article_quote.split(" … "):
            assert phrase in text, f"{row.claim_id}: {phrase!r} is not in the article"
    assert not ledger["claim"].str.contains("many times").any()
    central = ledger.set_index("claim_id").loc["far_more_into_canada"]
    assert central["article_quote"] in text and central["checkable"] == "yes"
    surge = ledger.set_index("claim_id").loc["canada_bound_surge"]
    assert "skyrocketed" in surge["article_quote"] and "skyrocketed" in surge["interpretation"]


def test_no_standin_verdict_reads_supported(standin_cases, foia):
    verdicts = claims.evaluate_claims(claims.load_ledger(), standin_cases, foia, "2017-03-31")
    on_standin = verdicts[verdicts["basis"].str.startswith("stand-in")]
    assert len(on_standin) >= 15
    assert not on_standin["verdict"].isin([claims.SUPPORTED, claims.NOT_SUPPORTED]).any()
    by_id = verdicts.set_index("claim_id")
    assert by_id.loc["y2016_21", "verdict"] == claims.CONSISTENT
    # its 2016 base is a news report's figure: the basis says so, never "official figures"
    assert by_id.loc["canada_bound_surge", "basis"] == claims.BASIS_REPORTED
    assert by_id.loc["canada_bound_surge", "computed_status"] == "reported"
    assert by_id.loc["canada_bound_surge", "verdict"] == claims.SUPPORTED
    assert by_id.loc["y2008_over_100", "computed_status"] == "bound"
    assert set(verdicts["verdict"]) <= set(claims.VERDICTS)


def test_the_same_ledger_gives_real_verdicts_on_a_real_release(standin_cases, real):
    verdicts = claims.evaluate_claims(claims.load_ledger(), standin_cases, real, "2017-03-31")
    checked = verdicts[verdicts["basis"] == claims.BASIS_RELEASE]
    assert len(checked) >= 15 and (checked["verdict"] == claims.SUPPORTED).all()
    assert not verdicts["verdict"].isin([claims.CONSISTENT, claims.NOT_CHECKABLE_STANDIN]).any()


def test_an_invented_value_makes_a_claim_not_checkable(standin_cases, foia):
    ledger = claims.load_ledger()
    row = ledger[ledger["claim_id"] == "y2016_21"].copy()
    row["params"] = '{"year": 2013}'  # 2013's count is invented on the stand-in
    row["expected"] = "16"
    verdict = claims.evaluate_claims(row, standin_cases, foia, "2017-03-31").iloc[0]
    assert verdict["basis"] == claims.BASIS_ILLUSTRATIVE
    assert verdict["verdict"] == claims.NOT_CHECKABLE_STANDIN


# ---------------------------------------------------------------- tables


def test_tables_mark_invented_values(standin_cases, foia):
    verdicts = claims.evaluate_claims(claims.load_ledger(), standin_cases, foia, "2017-03-31")
    table = claims.verdict_table(verdicts).set_index("claim")
    assert table.loc["2008 had more than 100 cases.", "computed"] == "118 †"
    assert table.loc["2008 had more than 100 cases.", "expected"] == "greater than 100"
    assert table.loc["2016 had 21 cases.", "computed"] == "21"
    assert "read as" in table.columns and "the article's words" in table.columns
    by_year = page.mark_invented(views.by_year(standin_cases, "calendar", foia), ["people"])
    assert by_year.loc[2013, "people"] == "16 †" and by_year.loc[2016, "people"] == 21
    html = page.table_html(by_year)
    assert page.INVENTED_NOTE.split(":")[0] in html


# ---------------------------------------------------------------- built reports


@pytest.mark.slow
def test_built_chart_data_and_titles(built_repo):
    repo, _ = built_repo
    csvs = sorted((repo / "reports" / "figures").glob("*/*.csv"))
    assert len(csvs) >= 10
    for path in csvs:
        data = pd.read_csv(path)
        assert "status" in data, path
        assert set(data["status"]) <= set(STATUSES), path
    for index in (repo / "reports" / "figures").glob("*/figures.json"):
        for entry in json.loads(index.read_text()):
            data = pd.read_csv(index.parent / f"{entry['name']}.csv")
            stated = numbers_in(entry["title"]) & invented_values(data)
            assert not stated, f"{entry['name']}: {entry['title']!r} states invented {stated}"
    verdicts = pd.read_csv(repo / "data" / "processed" / "claims_verdicts.csv")
    assert "basis" in verdicts
    standin_rows = verdicts[verdicts["basis"].str.startswith("stand-in")]
    assert not (standin_rows["verdict"] == "supported").any()


def test_notebook_text_states_no_invented_number(standin_cases, foia, ctx):
    """Markdown in the notebooks that draw charts: no number in it may be an invented value of
    those charts (dates and years aside, which are not values)."""
    invented = set()
    for chart in all_charts(standin_cases, foia, ctx) + all_charts(
        standin_cases, foia, ctx, "fiscal"
    ):
        invented |= invented_values(chart.data)
    for name in ("03_figures", "04_canada_context", "02_claims", "00_start_here"):
        notebook = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
        for cell in notebook["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            text = re.sub(r"\b(19|20)\d\d\b", "", text)  # years
            text = re.sub(
                r"\b\d{1,2} (January|February|March|April|May|June|July|August|"
                r"September|October|November|December)\b",
                "",
                text,
            )  # dates
            stated = numbers_in(text) & invented
            assert not stated, f"{name}: markdown states invented {stated}: {text[:120]!r}"
