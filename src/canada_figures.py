"""The Canada-side charts: U.S.-bound cases against Canada-bound crossings and claims, like for
like, and the Canada side on its own, each value with the status its source gives it.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from src import context, metrics
from src.charts import (
    ACCENT,
    ELECTION,
    MAIN,
    REPRINT_FACE,
    REPRINT_HATCH,
    Chart,
    _finish,
    _source_line,
    _style_bars,
    _thousands,
    bar_label,
    main_title,
    mark_invented,
    narrow,
    new_figure,
    renditions,
    source_for,
    status_handles,
    statuses_of,
)
from src.status import INVENTED, FoiaStatus, derive, format_ratio, round_ratio

# ---------------------------------------------------------------- 5. both directions, like for like

US_BOUND = "Canada to U.S."
LAND_PORT_WORDS = "asylum claims at Canada's land ports of entry"
CANADA_BOUND = "U.S. to Canada"


def comparison_table(
    cases: pd.DataFrame, ctx: dict[str, pd.DataFrame], period_end: str, foia_status: FoiaStatus
) -> pd.DataFrame:
    """Both directions for the two periods where like measures exist, one row per value.

    2013: U.S.-bound STCA exception cases (USCIS) against the STCA crossings into Canada that
    Prof. Rehaag's data show (as quoted by the article). 2017 to the data cutoff: the same U.S.-bound
    cases against asylum claims at Canada's land ports (IRCC), both asylum claims made at a land
    port. IRCC's land-port counts include claimants the RCMP intercepted between ports and brought
    to a port, so a second Canada-bound row takes every RCMP interception of those months away:
    the like-for-like ratio lies between the two ratios (kind 'ratio, low end' and 'ratio, high
    end'). Each ratio is its own row, rounded by the one rule (status.round_ratio), with the
    status `derive` gives it; a FOIA value's source follows its status (FoiaStatus.source).
    """
    end = pd.Timestamp(period_end)
    last_month = f"{end.year}-{end.month:02d}"
    period_2017 = f"January to {end:%B} {end.year}"
    rehaag = context.current(ctx["canada_bound_2013"]).iloc[0]
    land = context.current(ctx["land_port_monthly"])
    land = land[(land["period"] >= f"{end.year}-01") & (land["period"] <= last_month)]
    rcmp = context.current(ctx["rcmp_monthly"])
    rcmp = rcmp[(rcmp["period"] >= f"{end.year}-01") & (rcmp["period"] <= last_month)]
    us_measure = "asylum seekers screened at U.S. land ports under an STCA exception (USCIS)"
    us_2013 = foia_status.year("calendar", 2013)
    us_2017 = foia_status.year("calendar", end.year)
    land_status = derive(land["status"]) if len(land) > 1 else land["status"].iloc[0]
    rows = [
        {"period": "2013", "direction": US_BOUND, "measure": us_measure, "kind": "count",
         "value": metrics.count_in_year(cases, 2013), "qualifier": "", "status": us_2013,
         "source": foia_status.source(us_2013)},
        {"period": "2013", "direction": CANADA_BOUND,
         "measure": "asylum seekers who crossed into Canada under the STCA (Rehaag's data)",
         "kind": "count", "value": int(rehaag["value"]), "qualifier": rehaag["qualifier"],
         "status": rehaag["status"], "source": rehaag["source_url"]},
        {"period": period_2017, "direction": US_BOUND, "measure": us_measure, "kind": "count",
         "value": metrics.count_between(cases, f"{end.year}-01-01", end.strftime("%Y-%m-%d")),
         "qualifier": "", "status": us_2017, "source": foia_status.source(us_2017)},
        {"period": period_2017, "direction": CANADA_BOUND,
         "measure": f"{LAND_PORT_WORDS} (IRCC; includes claimants the RCMP intercepted between "
         "ports and brought to a port)",
         "kind": "count", "value": int(land["value"].sum()), "qualifier": "",
         "status": land_status, "source": land["source_url"].iloc[0]},
        {"period": period_2017, "direction": CANADA_BOUND,
         "measure": f"{LAND_PORT_WORDS} less every RCMP interception of those months (the "
         "fewest that can have been made by people who came to a port themselves)",
         "kind": "count, low end", "value": max(int(land["value"].sum() - rcmp["value"].sum()), 0),
         "qualifier": "at least", "status": derive([*land["status"], *rcmp["status"]]),
         "source": "our arithmetic on IRCC's land-port claims and RCMP interceptions "
         f"({land['source_url'].iloc[0]})"},
    ]  # fmt: skip
    for period in ("2013", period_2017):
        us = next(r for r in rows if r["period"] == period and r["direction"] == US_BOUND)
        canada = [r for r in rows if r["period"] == period and r["direction"] == CANADA_BOUND]
        for ca in canada:
            low_end = ca["kind"] == "count, low end"
            kind = (
                "ratio"
                if len(canada) == 1
                else ("ratio, low end" if low_end else "ratio, high end")
            )
            rows.append(
                {"period": period, "direction": f"{CANADA_BOUND} per person {US_BOUND}",
                 "measure": f"ratio: {ca['measure']} per U.S.-bound case", "kind": kind,
                 "value": round_ratio(ca["value"] / us["value"]) if us["value"] else None,
                 "qualifier": "at least" if low_end else ca["qualifier"],
                 "status": derive([us["status"], ca["status"]]),
                 "source": "our arithmetic on the rows above"}
            )  # fmt: skip
    data = pd.DataFrame(rows)
    data["value"] = pd.Series([r["value"] for r in rows], dtype=object)  # counts stay integers
    # IRCC rounds each land-port month to 5: the counts built on them say so where drawn
    data["rounding"] = data["measure"].map(lambda m: 5 if LAND_PORT_WORDS in m else 1)
    data.loc[data["kind"].str.startswith("ratio"), "rounding"] = 1
    data["period_note"] = data["period"].map(
        {
            "2013": "calendar year",
            period_2017: f"our assumption: the article's 'so far this year' read as to {end:%-d %B %Y}",
        }
    )
    return data


def ratio_range_text(ratios: pd.DataFrame) -> str:
    """'538 to 1', or 'between 268 and 538 to 1' when a period has a low and a high end (each by
    the one rounding rule)."""
    values = dict(zip(ratios["kind"], ratios["value"], strict=True))
    if "ratio" in values:
        return f"{format_ratio(values['ratio'])} to 1"
    return (
        f"between {format_ratio(values['ratio, low end'])} and "
        f"{format_ratio(values['ratio, high end'])} to 1"
    )


LAND_PORT_CAVEAT = (
    "Not exactly like for like: IRCC says its land-port counts include asylum claimants the RCMP "
    "intercepted between ports and brought to a port. Taking away every RCMP interception of "
    "the same months gives the low end of the ratio."
)


def _count_text(row, low_count=None) -> str:
    """A count as a bar states it: 'more than 2,000', 'about 3,765 (rounded to 5)', and the low
    end when there is one; an invented count says only that."""
    if row["status"] in INVENTED:
        return bar_label("", row["status"], invented="invented")
    text = f"{'more than ' if row['qualifier'] == 'more than' else ''}{row['value']:,}"
    if row["rounding"] > 1:
        text = f"about {text} (rounded to {row['rounding']})"
    if low_count is not None:
        text += f"; at least {low_count:,} without RCMP interceptees"
    return text


@renditions
def chart_comparison(data: pd.DataFrame) -> Chart:
    """Each period's two directions as horizontal bars on a linear scale, so the gap is seen at
    its true size: the small U.S.-bound bar is labelled with its count, the Canada-bound bar with
    its count and how many people that is per person going south (marked invented when it rests
    on an invented count). The low end of the Canada-bound count is named in its label."""
    counts = data[data["kind"] == "count"].reset_index(drop=True)
    low_counts = data[data["kind"] == "count, low end"].set_index("period")
    ratio_rows = data[data["kind"].str.startswith("ratio")]
    statuses = statuses_of(data)
    fig, ax = new_figure(10, 5.6, phone_height=5.6)
    periods = list(dict.fromkeys(counts["period"]))
    colours = {US_BOUND: MAIN, CANADA_BOUND: ACCENT}
    ratio_text, ratio_invented = {}, {}
    for period in periods:
        rows = ratio_rows[(ratio_rows["period"] == period) & ratio_rows["value"].notna()]
        if len(rows):
            ratio_text[period] = ratio_range_text(rows)
            ratio_invented[period] = bool(set(rows["status"]) & INVENTED)
    # from the top: the latest period first, then earlier ones; in each, north then south. Each
    # bar's label sits on its own lines above it, so it has the full width on any screen.
    bars, y = [], 0.0
    for period in reversed(periods):
        ax.text(0, y, period, fontweight="bold", fontsize=11, va="bottom", ha="left")
        y += 0.35
        for direction in (CANADA_BOUND, US_BOUND):
            row = counts[(counts["period"] == period) & (counts["direction"] == direction)].iloc[0]
            lines = 3 if direction == CANADA_BOUND else 1
            y += (0.55 * lines if narrow() else 0.4 * min(lines, 2)) + 0.2
            bars.append((y, row, direction, period))
            y += 0.7
        y += 0.3
    patches = ax.barh([b[0] for b in bars], [b[1]["value"] for b in bars], height=0.45)
    _style_bars(patches, [b[1]["status"] for b in bars], [colours[b[2]] for b in bars])
    largest = counts["value"].max()
    for y_bar, row, direction, period in bars:
        has_low = direction == CANADA_BOUND and period in low_counts.index
        text = f"{direction}: " + _count_text(
            row, low_counts.loc[period, "value"] if has_low else None
        )
        if direction == CANADA_BOUND and period in ratio_text and row["status"] not in INVENTED:
            if ratio_invented[period]:  # the ratio rests on an invented count: no number
                text += ";\nthe ratio is not known (the other count is invented)"
            else:
                text += f",\n= {ratio_text[period].removesuffix(' to 1')} per person going south"
        ax.annotate(
            text,
            (0, y_bar - 0.3),
            va="bottom",
            ha="left",
            fontsize=9,
            fontweight="bold" if row["status"] not in INVENTED else "normal",
            style="italic" if row["status"] in INVENTED else "normal",
        )
    ax.set_yticks([])
    ax.set_ylim(y - 0.3, -0.75)
    ax.set_xlim(0, largest * 1.04)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
    ax.grid(axis="y", visible=False)
    handles = [
        Patch(facecolor=MAIN, label="Canada to U.S.: STCA exception cases at U.S. land ports"),
        Patch(facecolor=ACCENT, label="U.S. to Canada: STCA crossings (2013) / land-port claims"),
    ] + [h for h in status_handles(statuses, "") if h.get_hatch()]
    ax.legend(
        handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.14), frameon=False
    )
    real = [p for p in periods if p in ratio_text and not ratio_invented[p]]
    title = "Far more asylum seekers crossed from the U.S. into Canada than the other way"
    title_statuses = ["published"]  # with no number, the title is the article's own claim
    if real:
        best = ratio_rows[(ratio_rows["period"] == real[-1])]
        low = best[best["kind"] != "ratio, high end"]
        title += f": at least {format_ratio(low['value'].min())} to 1 from {real[-1]}"
        title_statuses = list(low["status"])
    mark_invented(fig, statuses)
    source = source_for(
        statuses,
        "Sources: USCIS FOIA via VICE News (2017); IRCC 'Asylum claims by year' 2017 table "
        "(modified 2024-04-22); Prof. Sean Rehaag's 2013 figure as quoted by VICE News. "
        + LAND_PORT_CAVEAT
        + " Canada's land-port claims also include claimants the STCA does not cover (e.g. U.S. "
        "citizens). The end of the 2017 period is our assumption.",
    )
    _finish(
        fig,
        ax,
        title,
        source,
        "People (linear scale: bar lengths compare truly)"
        if not narrow()
        else "People (linear scale)",
        "",
    )
    listing = "; ".join(
        f"{r.period}, {r.direction}: {'more than ' if r.qualifier == 'more than' else ''}"
        f"{r.value:,}{' (invented)' if r.status in INVENTED else ''}"
        for r in counts.itertuples()
    )
    ratio_alt = "; ".join(
        f"{p}: {t}{' (invented, from an invented count)' if ratio_invented[p] else ''}"
        for p, t in ratio_text.items()
    )
    alt = (
        f"Horizontal bar chart on a linear scale comparing people who asked for asylum at land "
        f"ports in each direction. {listing}. Ratios: {ratio_alt}. {LAND_PORT_CAVEAT}"
    )
    return Chart(
        "both_directions_like_for_like", fig, data, title, alt, notes=[LAND_PORT_CAVEAT],
        title_statuses=title_statuses,
        row="one count or one ratio (see 'kind'); counts of different periods, directions or "
        "measures do not add up, so read them one by one",
    )  # fmt: skip


# ---------------------------------------------------------------- 6. the Canada side


def canada_side_table(ctx: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Monthly RCMP interceptions (2017-2019) and total asylum claims by year, tidy, each value
    with its status, kind of source, scope and source."""
    monthly = context.current(ctx["rcmp_monthly"]).assign(panel="RCMP interceptions by month")
    annual = context.current(ctx["claims_annual"]).assign(panel="Total asylum claims by year")
    cols = [
        "panel", "period", "value", "qualifier", "status", "source_kind", "scope",
        "publisher", "source_date", "source_url",
    ]  # fmt: skip
    return pd.concat([monthly[cols], annual[cols]], ignore_index=True)


@renditions
def chart_canada_side(data: pd.DataFrame) -> Chart:
    """Two panels: RCMP interceptions by month 2017-2019, and Canada's asylum claims by year with
    the November 2016 U.S. election marked; values known only from reprints drawn lighter."""
    statuses = statuses_of(data)
    fig, (top, bottom) = new_figure(10, 8.5, rows=2)
    monthly = data[data["panel"].str.startswith("RCMP")].copy()
    monthly["month"] = pd.to_datetime(monthly["period"], format="%Y-%m")
    sns.lineplot(
        data=monthly, x="month", y="value", ax=top, color=ACCENT, marker="o", errorbar=None
    )
    peak = monthly.loc[monthly["value"].idxmax()]
    first = monthly["month"].min()
    top.annotate(
        f"{peak['month']:%B %Y}: {peak['value']:,}",
        (peak["month"], peak["value"]),
        xytext=(8, -4),
        textcoords="offset points",
        fontsize=9,
    )
    top.set_title(
        f"RCMP interceptions between ports of entry, by month, from {first:%B %Y} "
        "(the first monthly figures published)",
        loc="left",
        fontsize=11,
    )
    top.set_xlabel("Month")
    top.set_ylabel("People intercepted")

    annual = data[data["panel"].str.startswith("Total")].copy()
    annual["year"] = annual["period"].astype(int)
    years = list(range(annual["year"].min(), annual["year"].max() + 1))
    by_year = annual.set_index("year")
    values = by_year["value"].reindex(years)
    sns.barplot(
        x=[str(y) for y in years], y=values.fillna(0).tolist(), ax=bottom, color=MAIN, errorbar=None
    )
    reprint = by_year["source_kind"].reindex(years).eq("reprint").tolist()
    for patch, is_reprint in zip(bottom.patches, reprint, strict=False):
        if is_reprint:
            patch.set_facecolor(REPRINT_FACE)
            patch.set_edgecolor(MAIN)
            patch.set_hatch(REPRINT_HATCH)
    for i, y in enumerate(years):
        if pd.isna(values[y]):
            bottom.annotate(
                "no total\nfound",
                (i, 0),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                color="#555555",
            )
    x_election = years.index(2016) + (ELECTION.day_of_year / 366) - 0.5
    bottom.axvline(x_election, color="#333333", linestyle="--", linewidth=1.2)
    bottom.annotate(
        "U.S. election,\nNov 2016",
        (x_election, values.max() * 0.92),
        xytext=(-6, 0),
        textcoords="offset points",
        ha="right",
        fontsize=9,
    )
    bottom.legend(
        handles=[
            Patch(facecolor=MAIN, label="official IRCC table or open data"),
            Patch(
                facecolor=REPRINT_FACE,
                edgecolor=MAIN,
                hatch=REPRINT_HATCH,
                label="reported, known only from a reprint (news, NGO or cable)",
            ),
        ],
        loc="upper left",
        fontsize=8,
    )
    bottom.set_title("Asylum claims in Canada, by year (all routes)", loc="left", fontsize=11)
    bottom.set_xlabel("Year")
    bottom.set_ylabel("Claims")
    bottom.tick_params(axis="x", labelrotation=45)
    c2016, c2017 = values.get(2016), values.get(2017)
    growth = c2017 / c2016 if c2016 else float("nan")
    title = (
        f"After the 2016 U.S. election, irregular crossings into Canada surged and asylum claims "
        f"rose {format_ratio(growth)}-fold from 2016 to 2017"
    )
    main_title(fig, None, title)
    title_statuses = [
        derive(
            [by_year.loc[y, "status"] for y in (2016, 2017) if y in by_year.index] or ["official"]
        )
    ]
    for axis in (top, bottom):
        axis.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
    mark_invented(fig, statuses)
    _source_line(
        fig,
        "Sources: IRCC 'Asylum claims by year' tables (modified 2024-04-22) and open data (2015-"
        "2016, rounded to 5); before 2015, totals known only from reprints of Canadian Press, "
        "Toronto Star, CCR and a U.S. embassy cable (see the CSV for each value's source). "
        "2010: no published total found.",
    )
    reprint_years = [y for y, r in zip(years, reprint, strict=True) if r]
    alt = (
        f"Two charts. Top: line chart of RCMP interceptions of people crossing into Canada between "
        f"ports of entry, monthly from {first:%B %Y} to December 2019, peaking in "
        f"{peak['month']:%B %Y} at {peak['value']:,}. Bottom: bar chart of asylum claims in Canada "
        f"by year, {years[0]} to {years[-1]}, with a dashed line at the November 2016 U.S. "
        f"election; claims went from {int(c2016):,} in 2016 to {int(c2017):,} in 2017. No total "
        "was found for 2010."
    )
    if reprint_years:
        alt += (
            f" Values for {reprint_years[0]} to {reprint_years[-1]} are drawn lighter: they are "
            "known only from reprints."
        )
    return Chart("canada_side", fig, data, title, alt, title_statuses=title_statuses)
