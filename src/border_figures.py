"""Charts of both directions across the Canada-U.S. border from official files (the
both_directions report). Every value here is `official` (or `derived`: our sums and averages of
official values). Border Patrol apprehensions and RCMP interceptions are different measures:
they are drawn side by side with that caveat on the chart, and never divided one by the other.
"""

from __future__ import annotations

import textwrap

import matplotlib
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from src import official
from src.figures import (
    ACCENT,
    MAIN,
    MUTED,
    PALETTE,
    Chart,
    _finish,
    _thousands,
    set_style,
)

STCA_EXTENDED = pd.Timestamp("2023-03-25")  # the 2022 Additional Protocol took effect
UNLIKE_CAVEAT = (
    "Not like for like: Border Patrol apprehensions count everyone caught crossing into the U.S. "
    "between ports on the northern border, for any purpose (many never sought asylum in Canada); "
    "they are not the STCA asylum cases of the 2017 article. RCMP interceptions count asylum "
    "seekers crossing into Canada between ports. No ratio is computed between them."
)
OHSS_SOURCE = (
    "U.S. DHS Office of Homeland Security Statistics, 'CBP Encounters - USBP' (November 2024 "
    "release), rounded to 10"
)
IRCC_SOURCE = "IRCC 'Asylum claims by year' tables 2017-2023 (modified 2024-04-22)"
OPEN_DATA_SOURCE = (
    "IRCC open data, asylum claimants by claim office type (29 February 2024), rounded to 5; "
    "0 to 5 suppressed"
)


def _new(width: float, height: float):
    set_style()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _caveat(ax, text: str) -> None:
    """The caveat inside the plotting area, where a shared image keeps it."""
    ax.text(
        0.01, 0.98, textwrap.fill(text, 70), transform=ax.transAxes, va="top", ha="left",
        fontsize=8, color="#333333",
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "#999999"},
    )  # fmt: skip


# ---------------------------------------------------------------- (a) northern border by sector


REGION_TOTAL = "Northern Land Border (region total)"


def sector_table(flows: pd.DataFrame, first: int = 2000, last: int = 2024) -> pd.DataFrame:
    """Border Patrol apprehensions on the northern border by fiscal year and sector (OHSS)."""
    rows = flows[
        flows["source_file"].str.contains("dhs-ohss")
        & (flows["period_type"] == "fiscal_year")
        & (flows["category"] == "all")
    ]
    rows = rows[rows["period"].astype(int).between(first, last)]
    table = rows[["period", "area", "value", "rounding", "status", "source_location"]].rename(
        columns={"period": "fiscal_year", "area": "sector", "value": "apprehensions"}
    )
    # the region's own total (sector values are rounded separately, so they may not add up to it)
    table["sector"] = table["sector"].replace({"all": REGION_TOTAL})
    return table.sort_values(["fiscal_year", "sector"]).reset_index(drop=True)


def chart_northern_sectors(table: pd.DataFrame) -> Chart:
    """Stacked bars by fiscal year, Swanton in its own colour, the other sectors muted."""
    totals = table[table["sector"] == REGION_TOTAL].set_index("fiscal_year")["apprehensions"]
    wide = (
        table[table["sector"] != REGION_TOTAL]
        .pivot_table(index="fiscal_year", columns="sector", values="apprehensions", aggfunc="sum")
        .fillna(0)
    )
    order = ["Swanton, VT"] + [c for c in wide.columns if c != "Swanton, VT"]
    wide = wide[order]
    fig, ax = _new(10, 5.8)
    shades = sns.light_palette(MAIN, n_colors=len(order) + 1)[2:][::-1]
    colours = [ACCENT, *shades]
    bottom = pd.Series(0.0, index=wide.index)
    for sector, colour in zip(order, colours, strict=True):
        ax.bar(wide.index, wide[sector], bottom=bottom, color=colour, label=sector, width=0.8)
        bottom += wide[sector]
    last, before = totals.index[-1], str(int(totals.index[-1]) - 2)
    for year in (before, last):
        ax.annotate(f"{totals[year]:,.0f}", (year, totals[year]), xytext=(0, 3),
                    textcoords="offset points", ha="center", fontsize=9, fontweight="bold")  # fmt: skip
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
    ax.tick_params(axis="x", labelrotation=90)
    ax.legend(loc="upper center", fontsize=8, ncols=3, title="Sector", title_fontsize=8)
    ax.set_ylim(0, totals.max() * 1.35)
    swanton_share = wide.loc[last, "Swanton, VT"] / totals[last]
    title = (
        f"Border Patrol apprehensions on the northern border rose from {totals[before]:,.0f} in "
        f"FY{before} to {totals[last]:,.0f} in FY{last}; {swanton_share:.0%} were in the "
        "Swanton sector (Vermont and northern New York)"
    )
    _finish(
        fig, ax, title,
        f"Source: {OHSS_SOURCE}. FY2000-FY2005 include Livermore, CA, which OHSS counts in the "
        "northern region. Apprehensions of anyone crossing between ports, for any purpose: not "
        "asylum cases.",
        "U.S. fiscal year (October to September)", "People apprehended",
    )  # fmt: skip
    alt = (
        f"Stacked bar chart of U.S. Border Patrol apprehensions on the northern border by fiscal "
        f"year, FY{wide.index[0]} to FY{last}, by sector. Totals fall from "
        f"{totals.iloc[0]:,.0f} in FY{wide.index[0]} to a low of {totals.min():,.0f} in "
        f"FY{totals.idxmin()}, then rise to {totals[before]:,.0f} in FY{before} and "
        f"{totals[last]:,.0f} in FY{last}, {wide.loc[last, 'Swanton, VT']:,.0f} of them in the "
        "Swanton sector."
    )
    return Chart("northern_border_by_sector", fig, table, title, alt)


# ---------------------------------------------------------------- (b) both directions by month


def monthly_table(
    flows: pd.DataFrame, first: str = "2017-01", last: str = "2024-11"
) -> pd.DataFrame:
    """RCMP interceptions into Canada (IRCC pages) and Border Patrol apprehensions on the
    northern border (OHSS), by calendar month."""
    rcmp = official.series(flows, "rcmp_interceptions", "month", "ircc-pages")
    usbp = official.series(flows, "usbp_apprehensions", "month", "dhs-ohss")
    frames = []
    for name, values, source in (
        ("RCMP interceptions into Canada, between ports", rcmp, IRCC_SOURCE),
        ("U.S. Border Patrol apprehensions on the northern border", usbp, OHSS_SOURCE),
    ):
        part = values.loc[first:last].rename("people").rename_axis("month").reset_index()
        part["series"] = name
        part["status"] = "official"
        part["source"] = source
        frames.append(part)
    return pd.concat(frames, ignore_index=True)[["month", "series", "people", "status", "source"]]


def chart_both_directions(table: pd.DataFrame) -> Chart:
    """Two lines on one monthly axis, with 25 March 2023 marked and the caveat in the plot."""
    fig, ax = _new(10, 5.8)
    data = table.assign(date=pd.to_datetime(table["month"], format="%Y-%m"))
    names = list(dict.fromkeys(data["series"]))
    colours = dict(zip(names, [ACCENT, MAIN], strict=True))
    for name in names:
        part = data[data["series"] == name]
        ax.plot(part["date"], part["people"], color=colours[name], label=name, linewidth=2)
    ax.axvline(STCA_EXTENDED, color="#333333", linestyle="--", linewidth=1.2)
    ax.annotate("25 March 2023: the STCA\napplies along the whole border",
                (STCA_EXTENDED, data["people"].max() * 0.72), xytext=(6, 0),
                textcoords="offset points", fontsize=8.5)  # fmt: skip
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
    ax.set_ylim(0, data["people"].max() * 1.45)
    ax.legend(loc="upper right", fontsize=8)
    _caveat(ax, UNLIKE_CAVEAT)
    rcmp = data[data["series"] == names[0]].set_index("month")["people"]
    usbp = data[data["series"] == names[1]].set_index("month")["people"]
    before = rcmp.loc["2023-01":"2023-03"].mean()
    after = rcmp.loc["2023-04":"2023-12"].mean()
    peak_month = pd.Timestamp(usbp.idxmax())
    title = (
        f"After the STCA was extended on 25 March 2023, RCMP interceptions into Canada fell from "
        f"about {round(before, -2):,.0f} a month to about {round(after, -2):,.0f}; Border Patrol "
        f"apprehensions on the northern border rose to {usbp.max():,.0f} in {peak_month:%B %Y}"
    )
    _finish(fig, ax, title, f"Sources: {IRCC_SOURCE}; {OHSS_SOURCE}.", "Month", "People")
    peak = usbp.idxmax()
    alt = (
        f"Line chart by month, {data['month'].min()} to {data['month'].max()}. RCMP interceptions "
        f"into Canada peak at {rcmp.max():,.0f} in {rcmp.idxmax()}, average {before:,.0f} a month "
        f"in January to March 2023 and {after:,.0f} from April to December 2023, after the line "
        f"marking 25 March 2023. U.S. Border Patrol apprehensions on the northern border rise to "
        f"{usbp.max():,.0f} in {peak}. {UNLIKE_CAVEAT}"
    )
    return Chart("both_directions_by_month", fig, table, title, alt, notes=[UNLIKE_CAVEAT])


# ---------------------------------------------------------------- (c) who is apprehended


def citizenship_table(
    flows: pd.DataFrame, years=("2017", "2023", "2024"), top: int = 6
) -> pd.DataFrame:
    """Northern-border apprehensions by citizenship for the chosen fiscal years (OHSS): the
    largest groups of the last year and the earlier years' largest, then all others."""
    rows = flows[
        flows["source_file"].str.contains("dhs-ohss")
        & (flows["period_type"] == "fiscal_year")
        & flows["category"].str.startswith("citizenship: ")
        & flows["period"].isin(years)
    ].assign(citizenship=lambda d: d["category"].str.removeprefix("citizenship: "))
    leaders = []
    for year in reversed(years):
        ranked = rows[rows["period"] == year].sort_values("value", ascending=False)
        leaders += [c for c in ranked["citizenship"].head(3) if c not in leaders]
    leaders = leaders[:top]
    out = []
    for year in years:
        part = rows[rows["period"] == year]
        for name in leaders:
            value = part.loc[part["citizenship"] == name, "value"].sum()
            out.append((year, name, int(value), "official"))
        others = int(part.loc[~part["citizenship"].isin(leaders), "value"].sum())
        out.append((year, "All others", others, "derived"))
    table = pd.DataFrame(out, columns=["fiscal_year", "citizenship", "apprehensions", "status"])
    totals = table.groupby("fiscal_year")["apprehensions"].transform("sum")
    table["share"] = (table["apprehensions"] / totals).round(3)
    return table


def chart_citizenship(table: pd.DataFrame) -> Chart:
    """Grouped horizontal bars: share of each fiscal year's apprehensions by citizenship."""
    fig, ax = _new(9.5, 6)
    years = list(dict.fromkeys(table["fiscal_year"]))
    palette = dict(zip(years, [MUTED, PALETTE[2], ACCENT], strict=False))
    sns.barplot(data=table, y="citizenship", x="share", hue="fiscal_year", palette=palette,
                errorbar=None, ax=ax, orient="h")  # fmt: skip
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(title="Fiscal year", fontsize=8, title_fontsize=8, loc="lower right")
    share = table.set_index(["fiscal_year", "citizenship"])["share"]
    first, last = years[0], years[-1]
    lead_first = table[table["fiscal_year"] == first].iloc[
        table[table["fiscal_year"] == first]["apprehensions"].argmax()
    ]
    lead_last = table[table["fiscal_year"] == last].iloc[
        table[table["fiscal_year"] == last]["apprehensions"].argmax()
    ]
    title = (
        f"Who is apprehended on the northern border changed: citizens of "
        f"{lead_first['citizenship']} were {share[(first, lead_first['citizenship'])]:.0%} in "
        f"FY{first}, citizens of {lead_last['citizenship']} "
        f"{share[(last, lead_last['citizenship'])]:.0%} in FY{last}"
    )
    _finish(fig, ax, title, f"Source: {OHSS_SOURCE} (region 'Northern Land Border'). Canadian "
            "citizens apprehended: " + ", ".join(
                f"FY{y} {table[(table.fiscal_year == y) & (table.citizenship == 'Canada')]['apprehensions'].sum():,}"
                for y in years) + ".", "Share of the year's apprehensions", "")  # fmt: skip
    listing = "; ".join(
        f"FY{r.fiscal_year} {r.citizenship}: {r.apprehensions:,} ({r.share:.0%})"
        for r in table.itertuples()
    )
    alt = f"Grouped bar chart of northern-border apprehensions by citizenship. {listing}."
    return Chart("northern_border_citizenship", fig, table, title, alt)


# ---------------------------------------------------------------- (d) Canada's claims by office


OFFICE_ORDER = ["land port", "inland", "airport", "other offices"]


def office_table(flows: pd.DataFrame, first: int = 2015, last: int = 2023) -> pd.DataFrame:
    """Asylum claims in Canada by office type and calendar year (IRCC open data)."""
    rows = flows[
        flows["source_file"].str.contains("ircc-open-data")
        & (flows["measure"] == "asylum_claims")
        & (flows["period_type"] == "calendar_year")
        & (flows["category"] != "office type: all")
    ]
    rows = rows[rows["period"].astype(int).between(first, last)]
    table = rows.assign(office_type=rows["category"].str.removeprefix("office type: "))[
        ["period", "office_type", "value", "suppressed", "rounding", "status", "source_location"]
    ].rename(columns={"period": "year", "value": "claims"})
    return table.sort_values(["year", "office_type"]).reset_index(drop=True)


def chart_offices(table: pd.DataFrame) -> Chart:
    """Stacked bars of claims by office type and year, land ports first."""
    wide = table.pivot_table(index="year", columns="office_type", values="claims", aggfunc="sum")
    wide = wide.reindex(columns=[c for c in OFFICE_ORDER if c in wide.columns]).fillna(0)
    fig, ax = _new(9.5, 5.6)
    colours = dict(zip(OFFICE_ORDER, [ACCENT, MAIN, PALETTE[2], MUTED], strict=True))
    bottom = pd.Series(0.0, index=wide.index)
    for office in wide.columns:
        ax.bar(wide.index, wide[office], bottom=bottom, color=colours[office], label=office)
        bottom += wide[office]
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
    ax.legend(title="Claim office", fontsize=8, title_fontsize=8, loc="upper left")
    land = wide["land port"]
    peak = land.idxmax()
    last = wide.index[-1]
    title = (
        f"Claims at Canada's land ports peaked at {land[peak]:,.0f} in {peak}; in {last} "
        f"{wide.loc[last, 'inland'] / bottom[last]:.0%} of all claims were made inland"
    )
    _finish(fig, ax, title, f"Source: {OPEN_DATA_SOURCE}. From 2018, people intercepted "
            "between ports are mostly processed at land ports, so land-port claims include most "
            "irregular crossers.", "Year", "Asylum claims")  # fmt: skip
    listing = "; ".join(
        f"{y}: " + ", ".join(f"{o} {wide.loc[y, o]:,.0f}" for o in wide.columns) for y in wide.index
    )
    alt = f"Stacked bar chart of asylum claims in Canada by claim office type, by year. {listing}."
    return Chart("canada_claims_by_office", fig, table, title, alt)
