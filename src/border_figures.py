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

from src import context, official
from src.charts import (
    ACCENT,
    CAVEAT_GID,
    MAIN,
    MUTED,
    PALETTE,
    Chart,
    _finish,
    _thousands,
    narrow,
    new_figure,
    renditions,
)

STCA_EXTENDED = pd.Timestamp("2023-03-25")  # the 2022 Additional Protocol took effect
STCA_EXTENSION = (
    "from 25 March 2023 the STCA also covers people who cross between ports and claim asylum "
    "within 14 days of crossing (2022 Additional Protocol)"
)
BORDER_PATROL_WHAT = (
    "Border Patrol apprehensions of anyone crossing into the U.S. between ports on the northern "
    "border (for any purpose; not asylum cases)"
)
ROUNDED_BY = {10: "rounded to 10 by DHS", 5: "rounded to 5 by IRCC"}


def about(value: float, rounding: int) -> str:
    """A published value as a reader sees it: exact, or 'about 23,720 (rounded to 10 by DHS)'
    when its source rounds."""
    if int(rounding) <= 1:
        return f"{value:,.0f}"
    return f"about {value:,.0f} ({ROUNDED_BY.get(int(rounding), f'rounded to {rounding}')})"


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
    return new_figure(width, height)


def _caveat(ax, text: str) -> None:
    """The caveat inside the plotting area, where a shared image keeps it (the phone rendition
    leaves it to the page, which states it as text under the image)."""
    if narrow():
        return
    ax.text(
        0.01, 0.98, textwrap.fill(text, 70), transform=ax.transAxes, va="top", ha="left",
        fontsize=8, color="#333333",
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "#999999"}, gid=CAVEAT_GID,
    )  # fmt: skip


# ---------------------------------------------------------------- (a) northern border by sector


LIVERMORE = "Livermore, CA"  # California: OHSS counts it in the northern region through FY2005
LIVERMORE_LABEL = "Livermore, CA (California, not on the Canada border)"


def sector_table(flows: pd.DataFrame, first: int = 2000, last: int = 2024) -> pd.DataFrame:
    """Border Patrol apprehensions on the northern border by fiscal year and sector (OHSS), one
    row per sector and complete fiscal year, with the region's own published total beside each
    (sector values are rounded separately, so they may not add up to it) and whether the sector
    is on the Canada border (Livermore, California is not)."""
    rows = official.complete_only(
        flows[
            flows["source_file"].str.contains("dhs-ohss")
            & (flows["period_type"] == "fiscal_year")
            & (flows["category"] == "all")
        ]
    )
    rows = rows[rows["period"].astype(int).between(first, last)]
    totals = rows[rows["area"] == "all"].set_index("period")["value"]
    sectors = rows[rows["area"] != "all"]
    table = sectors[
        ["period", "first_month", "last_month", "area", "value", "rounding", "status",
         "source_location"]
    ].rename(columns={"period": "fiscal_year", "area": "sector", "value": "apprehensions"})  # fmt: skip
    table["region_total"] = table["fiscal_year"].map(totals).astype("Int64")
    table["on_canada_border"] = table["sector"] != LIVERMORE
    return table.sort_values(["fiscal_year", "sector"]).reset_index(drop=True)


@renditions
def chart_northern_sectors(table: pd.DataFrame) -> Chart:
    """Stacked bars by fiscal year, Swanton in its own colour, the other sectors muted, Livermore
    (California) hatched and named as not on the Canada border."""
    totals = table.drop_duplicates("fiscal_year").set_index("fiscal_year")["region_total"]
    rounding = int(table["rounding"].max())
    wide = table.pivot_table(
        index="fiscal_year", columns="sector", values="apprehensions", aggfunc="sum"
    )
    others = [c for c in wide.columns if c not in ("Swanton, VT", LIVERMORE)]
    order = ["Swanton, VT", *others] + ([LIVERMORE] if LIVERMORE in wide.columns else [])
    wide = wide[order]
    fig, ax = _new(10, 5.8)
    shades = sns.light_palette(MAIN, n_colors=len(others) + 2)[2:][::-1]
    colours = dict(zip(order, [ACCENT, *shades, "#ffffff"], strict=False))
    bottom = pd.Series(0.0, index=wide.index)
    for sector in order:
        values = wide[sector].dropna()  # a sector a year does not list draws no bar, not a 0
        livermore = sector == LIVERMORE
        ax.bar(values.index, values, bottom=bottom[values.index], width=0.8,
               label=LIVERMORE_LABEL if livermore else sector, color=colours[sector],
               edgecolor="#555555" if livermore else None, hatch="///" if livermore else None)  # fmt: skip
        bottom[values.index] += values
    last, before = totals.index[-1], str(int(totals.index[-1]) - 2)
    for year in (before, last):
        ax.annotate(f"about {totals[year]:,.0f}", (year, totals[year]), xytext=(0, 3),
                    textcoords="offset points", ha="center", fontsize=9)  # fmt: skip
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
    ax.tick_params(axis="x", labelrotation=90)
    ax.legend(loc="upper center", fontsize=8, ncols=3, title="Sector", title_fontsize=8)
    ax.set_ylim(0, totals.max() * 1.35)
    swanton_share = wide.loc[last, "Swanton, VT"] / totals[last]  # against the published total
    title = (
        f"{BORDER_PATROL_WHAT} rose from {about(totals[before], rounding)} in FY{before} to about "
        f"{totals[last]:,.0f} in FY{last}; {swanton_share:.0%} were in the Swanton sector "
        "(Vermont and northern New York)"
    )
    livermore_years = wide.index[wide[LIVERMORE].notna()] if LIVERMORE in wide else []
    livermore_note = (
        f" Livermore, California (hatched, FY{livermore_years[0]}-FY{livermore_years[-1]}) is not "
        "on the Canada border; OHSS counts it in the northern region through FY2005."
        if len(livermore_years)
        else ""
    )
    _finish(
        fig, ax, title,
        f"Source: {OHSS_SOURCE}. Apprehensions of anyone crossing between ports, for any purpose: "
        f"not asylum cases. Shares are our arithmetic against the published region total.{livermore_note}",
        "U.S. fiscal year (October to September)", "People apprehended",
    )  # fmt: skip
    alt = (
        f"Stacked bar chart of U.S. Border Patrol apprehensions on the northern border by fiscal "
        f"year, FY{wide.index[0]} to FY{last}, by sector (values rounded to {rounding} by DHS). "
        f"Totals fall from about {totals.iloc[0]:,.0f} in FY{wide.index[0]} to a low of about "
        f"{totals.min():,.0f} in FY{totals.idxmin()}, then rise to about {totals[before]:,.0f} in "
        f"FY{before} and about {totals[last]:,.0f} in FY{last}, about "
        f"{wide.loc[last, 'Swanton, VT']:,.0f} of them in the Swanton sector.{livermore_note}"
    )
    return Chart("northern_border_by_sector", fig, table, title, alt,
                 title_statuses=["official", "derived"],
                 row="one sector in one complete fiscal year; the sectors of a year add up to its "
                 "region_total within DHS's rounding")  # fmt: skip


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


def southbound_prior_claims(ctx: dict[str, pd.DataFrame] | None = None) -> str:
    """IRCC's one official count of southbound people who had claimed asylum in Canada, in words,
    with its source and our arithmetic marked (from data/raw/context/stca_context_figures.csv)."""
    frame = (ctx or {}).get("stca_context")
    frame = context.load_context("stca_context") if frame is None else frame
    rows = context.current(frame).set_index("measure")
    total, prior = (
        rows.loc["southbound_apprehensions"],
        rows.loc["southbound_apprehensions_prior_refugee_claim"],
    )
    return (
        f"The one official figure on southbound people who had claimed asylum in Canada: IRCC's "
        f"February 2024 briefing says that of {total['value']:,} southbound apprehensions CBP "
        f"reported from July to September 2023, about {prior['value']:,} had made a refugee claim "
        f"in Canada before (our arithmetic: {prior['value'] / total['value']:.0%} of them; IRCC "
        f"gives 8%, which matches a share of the 2,684 with any Canadian immigration history). "
        f"Source: {total['source_url']}"
    )


def rcmp_before_after(table: pd.DataFrame) -> tuple[float, float]:
    """RCMP interceptions into Canada a month, on average, in January to March 2023 (before the
    STCA covered crossings between ports) and April to December 2023 (after), from
    `monthly_table`'s rows (our arithmetic on official figures)."""
    rcmp = table[table["series"].str.startswith("RCMP")].set_index("month")["people"]
    return rcmp.loc["2023-01":"2023-03"].mean(), rcmp.loc["2023-04":"2023-12"].mean()


@renditions
def chart_both_directions(table: pd.DataFrame, southbound_note: str = "") -> Chart:
    """Two lines on one monthly axis, with 25 March 2023 marked (with its 14-day condition) and
    the caveat in the plot. The title says the Border Patrol series was already rising before the
    change, from the data."""
    fig, ax = _new(10, 5.8)
    data = table.assign(date=pd.to_datetime(table["month"], format="%Y-%m"))
    names = list(dict.fromkeys(data["series"]))
    colours = dict(zip(names, [ACCENT, MAIN], strict=True))
    for name in names:
        part = data[data["series"] == name]
        ax.plot(part["date"], part["people"], color=colours[name], label=name, linewidth=2)
    ax.axvline(STCA_EXTENDED, color="#333333", linestyle="--", linewidth=1.2)
    ax.annotate("25 March 2023: the STCA also covers\npeople who cross between ports\nand claim "
                "within 14 days", (STCA_EXTENDED, data["people"].max() * 0.72), xytext=(6, 0),
                textcoords="offset points", fontsize=8.5)  # fmt: skip
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
    ax.set_ylim(0, data["people"].max() * 1.45)
    ax.legend(loc="upper right", fontsize=8)
    _caveat(ax, UNLIKE_CAVEAT)
    rcmp = data[data["series"] == names[0]].set_index("month")["people"]
    usbp = data[data["series"] == names[1]].set_index("month")["people"]
    before, after = rcmp_before_after(table)
    usbp_2022 = usbp.loc["2022-01":"2022-03"].mean()
    usbp_2023 = usbp.loc["2023-01":"2023-03"].mean()
    peak_month = pd.Timestamp(usbp.idxmax())
    title = (
        f"RCMP interceptions into Canada fell from about {round(before, -2):,.0f} a month to about "
        f"{round(after, -2):,.0f} after 25 March 2023, when the STCA began to cover people who "
        f"cross between ports and claim within 14 days. Separately, {BORDER_PATROL_WHAT}, already "
        f"rising before that date (about {round(usbp_2022, -1):,.0f} a month in January to March "
        f"2022, {round(usbp_2023, -1):,.0f} in January to March 2023), reached about "
        f"{usbp.max():,.0f} in {peak_month:%B %Y} (rounded to 10 by DHS)"
    )
    _finish(fig, ax, title, f"Sources: {IRCC_SOURCE}; {OHSS_SOURCE}. Monthly averages are our "
            "arithmetic. What caused the Border Patrol rise is not known from these files.",
            "Month", "People")  # fmt: skip
    peak = usbp.idxmax()
    alt = (
        f"Line chart by month, {data['month'].min()} to {data['month'].max()}. RCMP interceptions "
        f"into Canada peak at {rcmp.max():,.0f} in {rcmp.idxmax()}, average {before:,.0f} a month "
        f"in January to March 2023 and {after:,.0f} from April to December 2023, after the line "
        f"marking 25 March 2023 ({STCA_EXTENSION}). U.S. Border Patrol apprehensions on the "
        f"northern border (rounded to 10 by DHS) average about {usbp_2022:,.0f} a month in "
        f"January to March 2022 and {usbp_2023:,.0f} in January to March 2023, before that line, "
        f"and reach about {usbp.max():,.0f} in {peak}. {UNLIKE_CAVEAT}"
    )
    notes = [UNLIKE_CAVEAT] + ([southbound_note] if southbound_note else [])
    return Chart("both_directions_by_month", fig, table, title, alt, notes=notes,
                 title_statuses=["official", "derived"],
                 row="one month of one series; the two series count different things, so filter "
                 "on 'series' before summing")  # fmt: skip


# ---------------------------------------------------------------- (c) who is apprehended


def citizenship_table(
    flows: pd.DataFrame, years=("2017", "2023", "2024"), top: int = 6
) -> pd.DataFrame:
    """Northern-border apprehensions by citizenship for the chosen fiscal years (OHSS): the
    largest groups of the last year and the earlier years' largest, then all others. A group a
    year's file does not list is absent (no row), never 0. 'All others' is the published region
    total less the groups shown, and every share is against that published total (both our
    arithmetic: `derived`)."""
    rows = official.complete_only(
        flows[
            flows["source_file"].str.contains("dhs-ohss")
            & (flows["period_type"] == "fiscal_year")
            & flows["period"].isin(years)
        ]
    )
    totals = rows[(rows["area"] == "all") & (rows["category"] == "all")].set_index("period")[
        "value"
    ]
    rows = rows[rows["category"].str.startswith("citizenship: ")].assign(
        citizenship=lambda d: d["category"].str.removeprefix("citizenship: ")
    )
    leaders = []
    for year in reversed(years):
        ranked = rows[rows["period"] == year].sort_values("value", ascending=False)
        leaders += [c for c in ranked["citizenship"].head(3) if c not in leaders]
    leaders = leaders[:top]
    out = []
    for year in [y for y in years if y in totals.index]:  # complete years only
        part = rows[rows["period"] == year].set_index("citizenship")
        shown = 0
        for name in leaders:
            if name not in part.index:
                continue  # not in the file for that year: absent, not zero
            value = int(part.loc[name, "value"])
            shown += value
            out.append((year, name, value, "official", int(totals[year])))
        out.append((year, "All others", int(totals[year]) - shown, "derived", int(totals[year])))
    table = pd.DataFrame(
        out, columns=["fiscal_year", "citizenship", "apprehensions", "status", "region_total"]
    )
    months = rows.drop_duplicates("period").set_index("period")
    table.insert(1, "first_month", table["fiscal_year"].map(months["first_month"]))
    table.insert(2, "last_month", table["fiscal_year"].map(months["last_month"]))
    table["rounding"] = 10
    table["share"] = (table["apprehensions"] / table["region_total"]).round(3)
    table["share_status"] = "derived"
    return table


@renditions
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
        "Who Border Patrol apprehends between ports on the northern border (anyone crossing, not "
        "asylum cases) changed: citizens of "
        f"{lead_first['citizenship']} were {share[(first, lead_first['citizenship'])]:.0%} in "
        f"FY{first}, citizens of {lead_last['citizenship']} "
        f"{share[(last, lead_last['citizenship'])]:.0%} in FY{last}"
    )
    _finish(fig, ax, title, f"Source: {OHSS_SOURCE} (region 'Northern Land Border'). Shares "
            "are our arithmetic against the published region total. Canadian "
            "citizens apprehended: " + ", ".join(
                f"FY{y} {table[(table.fiscal_year == y) & (table.citizenship == 'Canada')]['apprehensions'].sum():,}"
                for y in years) + ".", "Share of the year's apprehensions", "")  # fmt: skip
    listing = "; ".join(
        f"FY{r.fiscal_year} {r.citizenship}: {r.apprehensions:,} ({r.share:.0%})"
        for r in table.itertuples()
    )
    alt = (
        "Grouped bar chart of northern-border Border Patrol apprehensions by citizenship (values "
        f"rounded to 10 by DHS; shares of the published total). {listing}."
    )
    return Chart("northern_border_citizenship", fig, table, title, alt,
                 title_statuses=["derived"],
                 row="one citizenship group in one fiscal year; the groups of a year, 'All others' "
                 "included, add up to its region_total")  # fmt: skip


# ---------------------------------------------------------------- (d) Canada's claims by office


OFFICE_ORDER = ["land port", "inland", "airport", "other offices"]


def office_table(flows: pd.DataFrame, first: int = 2015, last: int = 2023) -> pd.DataFrame:
    """Asylum claims in Canada by office type and complete calendar year (IRCC open data): one
    row per office type and year, the year's published total beside it. Only the office-type
    rows (the top-25 citizenship breakdowns of the same file are not this chart's data)."""
    rows = official.complete_only(
        flows[
            flows["source_file"].str.contains("ircc-open-data")
            & (flows["measure"] == "asylum_claims")
            & (flows["period_type"] == "calendar_year")
            & flows["category"].str.startswith("office type: ")
        ]
    )
    rows = rows[rows["period"].astype(int).between(first, last)]
    totals = rows[rows["category"] == "office type: all"].set_index("period")["value"]
    rows = rows[rows["category"] != "office type: all"]
    table = rows.assign(office_type=rows["category"].str.removeprefix("office type: "))[
        ["period", "first_month", "last_month", "office_type", "value", "suppressed", "rounding",
         "status", "source_location"]
    ].rename(columns={"period": "year", "value": "claims"})  # fmt: skip
    table["year_total"] = table["year"].map(totals).astype("Int64")
    return table.sort_values(["year", "office_type"]).reset_index(drop=True)


@renditions
def chart_offices(table: pd.DataFrame) -> Chart:
    """Stacked bars of claims by office type and year, land ports first; suppressed cells (0 to
    5) draw no bar."""
    wide = table.pivot_table(index="year", columns="office_type", values="claims", aggfunc="sum")
    wide = wide.reindex(columns=[c for c in OFFICE_ORDER if c in wide.columns])
    totals = table.drop_duplicates("year").set_index("year")["year_total"]
    fig, ax = _new(9.5, 5.6)
    colours = dict(zip(OFFICE_ORDER, [ACCENT, MAIN, PALETTE[2], MUTED], strict=True))
    bottom = pd.Series(0.0, index=wide.index)
    for office in wide.columns:
        values = wide[office].fillna(0)  # stacking only: suppressed cells draw no height
        ax.bar(wide.index, values, bottom=bottom, color=colours[office], label=office)
        bottom += values
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
    ax.legend(title="Claim office", fontsize=8, title_fontsize=8, loc="upper left")
    land = wide["land port"]
    peak = land.idxmax()
    last = wide.index[-1]
    title = (
        f"Claims at Canada's land ports peaked at {about(land[peak], 5)} in {peak}; in {last} "
        f"{wide.loc[last, 'inland'] / totals[last]:.0%} of all claims were made inland"
    )
    _finish(fig, ax, title, f"Source: {OPEN_DATA_SOURCE}. Shares are our arithmetic against the "
            "published yearly total. From 2018, people intercepted between ports are mostly "
            "processed at land ports, so land-port claims include most irregular crossers.",
            "Year", "Asylum claims")  # fmt: skip
    listing = "; ".join(
        f"{y}: "
        + ", ".join(f"{o} {wide.loc[y, o]:,.0f}" for o in wide.columns if pd.notna(wide.loc[y, o]))
        for y in wide.index
    )
    alt = (
        "Stacked bar chart of asylum claims in Canada by claim office type, by year (rounded to 5 "
        f"by IRCC). {listing}."
    )
    return Chart("canada_claims_by_office", fig, table, title, alt,
                 title_statuses=["official", "derived"],
                 row="one claim office type in one complete year; the office types of a year add "
                 "up to its year_total within IRCC's rounding (suppressed cells hold 0 to 5)")  # fmt: skip
