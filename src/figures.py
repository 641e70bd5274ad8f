"""The article's charts, drawn with seaborn on matplotlib Figure objects (no pyplot state).

Each `chart_*` function takes tidy inputs and returns a Chart: the figure, the exact data behind
it (saved as CSV beside the images), a title that states the finding, and alt text that says
what the chart shows. `save_chart()` writes PNG, SVG and CSV deterministically.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from src import context, metrics
from src.helpers import atomic_path, write_csv_atomic, write_json_atomic

# Okabe-Ito derived colour-blind-safe palette (seaborn's "colorblind").
PALETTE = sns.color_palette("colorblind")
MAIN, ACCENT, MUTED = PALETTE[0], PALETTE[1], "#9e9e9e"
ILLUSTRATIVE_FACE = "#c6dbef"
ILLUSTRATIVE_HATCH = "///"
FOIA_SOURCE = "Source: USCIS FOIA release, via VICE News (2017)"
STANDIN_SOURCE = (
    "Data: labelled STAND-IN for the USCIS FOIA release (not public); "
    "hatched values are illustrative, not published"
)
ELECTION = pd.Timestamp("2016-11-08")


def set_style() -> None:
    """Fixed seaborn theme and the settings that make SVG output reproducible."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE, font="DejaVu Sans")
    matplotlib.rcParams.update(
        {"svg.hashsalt": "stca-foia", "svg.fonttype": "path", "figure.dpi": 100}
    )


@dataclass
class Chart:
    """A finished chart: name (file stem), figure, data behind it, title and alt text."""

    name: str
    figure: Figure
    data: pd.DataFrame
    title: str
    alt: str
    notes: list[str] = field(default_factory=list)


def _new_figure(width: float = 9, height: float = 5.2) -> tuple[Figure, object]:
    set_style()
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _source_line(fig: Figure, source: str) -> None:
    """Wrapped source line under the axes, with room reserved for it by the layout engine."""
    text = textwrap.fill(source, width=int(fig.get_figwidth() * 15))
    lines = text.count("\n") + 1
    reserve = (0.18 + 0.14 * lines) / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, reserve, 1, 1 - reserve))
    fig.text(0.01, 0.01, text, fontsize=8, color="#444444", ha="left", va="bottom")


def _finish(fig: Figure, ax, title: str, source: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(
        textwrap.fill(title, width=int(fig.get_figwidth() * 8)),
        loc="left",
        fontsize=13,
        fontweight="bold",
    )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _source_line(fig, source)


def _thousands(value, _pos=None) -> str:
    return f"{value:,.0f}"


def _style_bars(ax, illustrative: list[bool], faces: list) -> None:
    for patch, is_illustrative, face in zip(ax.patches, illustrative, faces, strict=False):
        patch.set_facecolor(ILLUSTRATIVE_FACE if is_illustrative else face)
        patch.set_edgecolor(MAIN if is_illustrative else face)
        if is_illustrative:
            patch.set_hatch(ILLUSTRATIVE_HATCH)


def _hbars(
    ax, values: list, categories: list, faces: list, illustrative: list, labels: list
) -> None:
    """Horizontal bars, one per category from the top, in their colours, illustrative ones
    hatched, each labelled just right of its end."""
    sns.barplot(x=values, y=categories, ax=ax, color=MAIN, errorbar=None, orient="h")
    _style_bars(ax, illustrative, faces)
    for i, (x, text) in enumerate(zip(values, labels, strict=True)):
        ax.annotate(
            text, (x, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9
        )


def publish(chart: Chart, out_dir: str | Path) -> Chart:
    """Save the chart (PNG, SVG, CSV) and show its PNG in the notebook with its alt text."""
    from src.helpers import show_figure

    paths = save_chart(chart, out_dir)
    show_figure(paths["png"], chart.alt)
    return chart


def save_chart(chart: Chart, out_dir: str | Path) -> dict[str, str]:
    """Write `<name>.png`, `<name>.svg` and `<name>.csv` into out_dir atomically; return paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Settle the constrained layout once, then freeze it: every later save draws the same picture.
    if chart.figure.get_layout_engine() is not None:
        chart.figure.draw_without_rendering()
        chart.figure.set_layout_engine("none")
    paths = {}
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        target = out / f"{chart.name}.{ext}"
        with atomic_path(target) as tmp:
            chart.figure.savefig(tmp, format=ext, dpi=150, metadata=meta)
        paths[ext] = str(target)
    paths["csv"] = str(write_csv_atomic(chart.data, out / f"{chart.name}.csv"))
    return paths


def write_figure_index(charts: list[Chart], out_dir: str | Path) -> Path:
    """figures.json: name, title, alt text and notes of every chart in the folder."""
    entries = [{"name": c.name, "title": c.title, "alt": c.alt, "notes": c.notes} for c in charts]
    return write_json_atomic(Path(out_dir) / "figures.json", entries)


# ---------------------------------------------------------------- 1. cases per year


def partial_years(period_end: str, basis: str) -> set[int]:
    """The year (calendar or fiscal) that the data's cutoff cuts short; empty if it ends one."""
    end = pd.Timestamp(period_end)
    if basis == "fiscal":
        return (
            set() if (end.month, end.day) == (9, 30) else {end.year + (1 if end.month >= 10 else 0)}
        )
    return set() if (end.month, end.day) == (12, 31) else {end.year}


def year_table(
    cases: pd.DataFrame,
    basis: str,
    first: int,
    last: int,
    year_status: dict[str, str] | None,
    partial_years: set[int],
) -> pd.DataFrame:
    """Cases per year in [first, last] with each year's data status and partial-year flag.

    year_status (from the stand-in sidecar, calendar years) marks values as pinned, bound or
    illustrative; None means real data (every value 'published'). On a fiscal basis, a stand-in
    year mixes two calendar years, so every value is illustrative.
    """
    counts = metrics.cases_by_year(cases, basis).reindex(range(first, last + 1), fill_value=0)
    table = counts.rename("cases").rename_axis("year").reset_index()
    if year_status is None:
        table["status"] = "release"
    elif basis == "fiscal":
        table["status"] = "illustrative"
    else:
        table["status"] = [year_status.get(str(y), "illustrative") for y in table["year"]]
    table["partial_year"] = table["year"].isin(partial_years)
    table["year_basis"] = basis
    return table


def chart_cases_per_year(table: pd.DataFrame, basis: str, period_end: str, standin: bool) -> Chart:
    """Bar chart of cases per year; partial last year marked, the two peak years called out,
    stand-in years that no source pins down hatched."""
    fig, ax = _new_figure()
    years = [str(y) for y in table["year"]]
    sns.barplot(x=years, y=table["cases"].tolist(), ax=ax, color=MAIN, errorbar=None, order=years)
    illustrative = [standin and s in ("illustrative", "bound") for s in table["status"]]
    _style_bars(ax, illustrative, [MAIN] * len(years))
    top = table.sort_values(["cases", "year"], ascending=[False, True]).head(2)
    end_label = pd.Timestamp(period_end).strftime("%-d %b %Y")
    for i, row in table.reset_index(drop=True).iterrows():
        label = str(row["cases"])
        if row["partial_year"]:
            label += f"\npartial year\n(to {end_label})"
            ax.patches[i].set_linestyle("--")
            ax.patches[i].set_linewidth(1.5)
            ax.patches[i].set_edgecolor("#333333")
        bold = row["year"] in set(top["year"])
        ax.annotate(
            label,
            (i, row["cases"]),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9 if bold else 8,
            fontweight="bold" if bold else "normal",
        )
    bound = table[table["status"] == "bound"] if standin else table.iloc[0:0]
    if len(bound):
        first, last = years.index(str(bound["year"].min())), years.index(str(bound["year"].max()))
        ax.annotate(
            "article: over 100 in each",
            ((first + last) / 2, bound["cases"].max()),
            xytext=(0, 20),
            textcoords="offset points",
            ha="center",
            fontsize=9,
        )
    ax.set_ylim(0, table["cases"].max() * 1.3 + 1)
    peak = sorted(int(y) for y in top["year"])
    full = table[~table["partial_year"]]
    last_full = full.iloc[-1] if len(full) else table.iloc[-1]
    kind = "fiscal years" if basis == "fiscal" else "years"
    title = (
        f"U.S.-bound STCA cases peaked in {peak[0]} and {peak[1]}; "
        f"by {last_full['year']} they were down to {last_full['cases']} a year"
    )
    handles = []
    if standin:
        handles = [
            Patch(facecolor=MAIN, edgecolor=MAIN, label="count stated in the article"),
            Patch(
                facecolor=ILLUSTRATIVE_FACE,
                edgecolor=MAIN,
                hatch=ILLUSTRATIVE_HATCH,
                label="illustrative stand-in value (no published count)",
            ),
        ]
        ax.legend(handles=handles, loc="upper right", frameon=True, fontsize=9)
    source = FOIA_SOURCE + (". " + STANDIN_SOURCE if standin else "")
    xlabel = "U.S. fiscal year (October to September)" if basis == "fiscal" else "Calendar year"
    _finish(fig, ax, title, source, xlabel, "People screened under an STCA exception")
    listing = ", ".join(f"{y}: {c}" for y, c in zip(table["year"], table["cases"], strict=True))
    alt = (
        f"Bar chart of people from Canada screened at U.S. land ports under STCA exceptions, by "
        f"{kind}, {table['year'].iloc[0]} to {table['year'].iloc[-1]}. Counts: {listing}. "
        f"The highest are {peak[0]} and {peak[1]}."
        + (
            f" {table[table['partial_year']]['year'].tolist()} is partial, to {period_end}."
            if table["partial_year"].any()
            else ""
        )
        + (
            " Hatched bars are illustrative stand-in values, not published figures."
            if standin
            else ""
        )
    )
    return Chart("cases_per_year", fig, table, title, alt)


# ---------------------------------------------------------------- 2. exceptions

EXCEPTION_LABELS = {
    "family_member": "Family member in the U.S.",
    "public_interest": "Public interest",
    "valid_status": "Valid U.S. visa or status",
    "unaccompanied_minor": "Unaccompanied minor",
    "unknown": "Not recorded / unrecognised",
}


def chart_exceptions(cases: pd.DataFrame, standin: bool) -> Chart:
    """Horizontal bars of each exception's share, the family-member and public-interest pair
    highlighted, with the pair's combined share in the title."""
    counts = metrics.exception_counts(cases)
    data = counts.rename("cases").reset_index()
    data["share"] = (data["cases"] / data["cases"].sum()).round(4)
    data["label"] = data["exception"].map(EXCEPTION_LABELS)
    pair = ["family_member", "public_interest"]
    data["highlighted"] = data["exception"].isin(pair)
    fig, ax = _new_figure(9, 4.2)
    faces = [MAIN if h else MUTED for h in data["highlighted"]]
    labels = [f"{r.share:.0%} ({r.cases})" for r in data.itertuples()]
    _hbars(ax, data["share"].tolist(), data["label"].tolist(), faces, [False] * len(data), labels)
    ax.set_xlim(0, data["share"].max() * 1.25)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    combined = metrics.share_of_exceptions(cases, pair)
    if standin:  # only the majority is published; the exact share is invented
        title = "Most cases used the family-member or public-interest exception"
    else:
        title = f"{combined:.0%} of cases used the family-member or public-interest exception"
    source = FOIA_SOURCE + (
        ". "
        + STANDIN_SOURCE
        + "; only the family+public majority is published, the split is illustrative"
        if standin
        else ""
    )
    _finish(fig, ax, title, source, "Share of all cases", "")
    listing = "; ".join(f"{r.label}: {r.share:.0%} ({r.cases})" for r in data.itertuples())
    alt = (
        f"Horizontal bar chart of the STCA exception each person used. {listing}. "
        f"Family member and public interest together: {combined:.0%}."
        + (" Only that majority is published; the split shown is illustrative." if standin else "")
    )
    return Chart("exceptions", fig, data, title, alt)


# ---------------------------------------------------------------- 3. nationalities

CITIZENS_NOTE = (
    "The STCA does not apply to Canadian or U.S. citizens. The Canadians here are most likely "
    "children born in Canada travelling with non-Canadian parents (Prof. Sean Rehaag, quoted by "
    "VICE News)."
)


def chart_nationalities(
    cases: pd.DataFrame, top_k: int, standin: bool, pinned_countries: set[str] | None = None
) -> Chart:
    """Largest citizenship groups, Canada called out in a second colour, with the note on why
    Canadians appear at all. Under the stand-in, groups whose counts no source gives are hatched."""
    counts = metrics.citizenship_counts(cases)
    counts = counts[counts.index != "Not recorded"]
    data = counts.head(top_k).rename("cases").reset_index()
    data["share"] = (data["cases"] / len(cases)).round(4)
    pinned_countries = pinned_countries or set()
    data["status"] = [
        "published" if (not standin or c in pinned_countries) else "illustrative"
        for c in data["citizenship"]
    ]
    fig, ax = _new_figure(9, 5.6)
    faces = [ACCENT if c == "Canada" else MAIN for c in data["citizenship"]]
    illustrative = [s == "illustrative" for s in data["status"]]
    labels = [str(c) for c in data["cases"]]
    _hbars(ax, data["cases"].tolist(), data["citizenship"].tolist(), faces, illustrative, labels)
    ax.set_xlim(0, data["cases"].max() * 1.15)
    canadians = metrics.count_citizenship(cases, "Canada")
    largest = data.iloc[0]["citizenship"]
    title = (
        f"{canadians} of the {len(cases)} were Canadian citizens, whom the agreement does not cover"
    )
    if not standin:  # under the stand-in, the other groups' sizes (hence the ranking) are invented
        title += f"; the largest group: {largest}"
    handles = [Patch(facecolor=ACCENT, label="Canadian citizens")]
    if standin:
        handles.append(
            Patch(
                facecolor=ILLUSTRATIVE_FACE,
                edgecolor=MAIN,
                hatch=ILLUSTRATIVE_HATCH,
                label="illustrative stand-in count",
            )
        )
    ax.legend(handles=handles, loc="lower right", fontsize=9)
    source = FOIA_SOURCE + (". " + STANDIN_SOURCE if standin else "") + ". " + CITIZENS_NOTE
    _finish(fig, ax, title, source, "People", "Country of citizenship")
    listing = "; ".join(f"{r.citizenship}: {r.cases}" for r in data.itertuples())
    alt = (
        f"Horizontal bar chart of the {len(data)} largest citizenship groups among {len(cases)} "
        f"cases: {listing}. Canada is highlighted. {CITIZENS_NOTE}"
        + (" Hatched bars are illustrative stand-in counts." if standin else "")
    )
    return Chart("nationalities", fig, data, title, alt, notes=[CITIZENS_NOTE])


# ---------------------------------------------------------------- 4. expedited removal


def chart_expedited_removal(cases: pd.DataFrame, standin: bool) -> Chart:
    """How many people were placed in expedited removal, and what share of all cases."""
    counts = metrics.expedited_removal_counts(cases)
    data = counts.rename("cases").reset_index()
    data["share"] = (data["cases"] / len(cases)).round(4)
    fig, ax = _new_figure(9, 3.6)
    status = data["expedited_removal"].tolist()
    faces = [ACCENT if v == "Yes" else (MUTED if v == "Not recorded" else MAIN) for v in status]
    labels = [f"{r.cases} ({r.share:.0%})" for r in data.itertuples()]
    _hbars(
        ax, data["cases"].tolist(), status, faces, [standin and v == "Yes" for v in status], labels
    )
    ax.set_xlim(0, data["cases"].max() * 1.2)
    yes = int(data.loc[data["expedited_removal"] == "Yes", "cases"].iloc[0])
    share = yes / len(cases) if len(cases) else 0
    if standin:  # the article says "more than 60"; the stand-in's exact count is invented
        title = "More than 60 people were placed in expedited removal"
    else:
        title = f"{yes} people ({share:.0%} of all cases) were placed in expedited removal"
    source = FOIA_SOURCE + (
        ". " + STANDIN_SOURCE + "; the article says 'more than 60', the exact count is illustrative"
        if standin
        else ""
    )
    _finish(fig, ax, title, source, "People", "Placed in expedited removal")
    listing = "; ".join(
        f"{r.expedited_removal}: {r.cases} ({r.share:.0%})" for r in data.itertuples()
    )
    alt = f"Horizontal bar chart of expedited removal among {len(cases)} cases: {listing}." + (
        " The article gives only 'more than 60'; the exact stand-in count is illustrative."
        if standin
        else ""
    )
    return Chart("expedited_removal", fig, data, title, alt)


# ---------------------------------------------------------------- 5. the asymmetry


def asymmetry_table(
    cases: pd.DataFrame,
    ctx: dict[str, pd.DataFrame],
    period_end: str,
    standin: bool,
    year_status: dict[str, str] | None,
) -> pd.DataFrame:
    """U.S.-bound vs Canada-bound counts for the periods where both directions are published."""
    end = pd.Timestamp(period_end)
    last_month = f"{end.year}-{end.month:02d}"
    q_label = f"Jan-{end.strftime('%b')} {end.year}"
    us_2013 = metrics.count_in_year(cases, 2013)
    us_2017 = metrics.count_between(cases, f"{end.year}-01-01", end.strftime("%Y-%m-%d"))
    rehaag = context.current(ctx["canada_bound_2013"]).iloc[0]
    status_2013 = (
        "illustrative"
        if standin and (year_status or {}).get("2013") == "illustrative"
        else "published"
    )
    rows = [
        (
            "2013",
            "Canada to U.S. (STCA exception cases, USCIS)",
            us_2013,
            "",
            status_2013,
            "USCIS FOIA via VICE News (2017)",
        ),
        (
            "2013",
            "U.S. to Canada (STCA crossings, Rehaag data)",
            int(rehaag["value"]),
            rehaag["qualifier"],
            "published",
            f"{rehaag['publisher']}, {rehaag['source_url']}",
        ),
        (
            q_label,
            "Canada to U.S. (STCA exception cases, USCIS)",
            us_2017,
            "",
            "published",
            "USCIS FOIA via VICE News (2017)",
        ),
        (
            q_label,
            "U.S. to Canada: claims at land ports of entry (IRCC)",
            context.sum_months(ctx["land_port_monthly"], f"{end.year}-01", last_month),
            "",
            "published",
            context.current(ctx["land_port_monthly"])["source_url"].iloc[0],
        ),
        (
            q_label,
            "U.S. to Canada: RCMP interceptions between ports (IRCC)",
            context.sum_months(ctx["rcmp_monthly"], f"{end.year}-01", last_month),
            "",
            "published",
            context.current(ctx["rcmp_monthly"])["source_url"].iloc[0],
        ),
    ]
    data = pd.DataFrame(
        rows, columns=["period", "direction", "people", "qualifier", "status", "source"]
    )
    us = data[data["direction"].str.startswith("Canada to U.S.")].set_index("period")["people"]
    data["ratio_to_us_bound"] = [
        None if d.startswith("Canada to U.S.") or us[p] == 0 else round(v / us[p], 1)
        for p, d, v in zip(data["period"], data["direction"], data["people"], strict=True)
    ]
    return data


def chart_asymmetry(data: pd.DataFrame, standin: bool) -> Chart:
    """Grouped bars on a log scale so both directions stay visible, each Canada-bound bar labelled
    with its ratio to the U.S.-bound count of the same period."""
    fig, ax = _new_figure(10, 5.6)
    hue_order = list(dict.fromkeys(data["direction"]))
    colours = {
        d: (MAIN if d.startswith("Canada to U.S.") else c)
        for d, c in zip(hue_order, [MAIN, ACCENT, PALETTE[2], PALETTE[4], PALETTE[3]], strict=False)
    }
    sns.barplot(
        data=data,
        x="period",
        y="people",
        hue="direction",
        hue_order=hue_order,
        palette=colours,
        errorbar=None,
        ax=ax,
    )
    ax.set_yscale("log")
    periods = [t.get_text() for t in ax.get_xticklabels()]
    for container, direction in zip(ax.containers, hue_order, strict=True):
        subset = data[data["direction"] == direction].set_index("period")
        for patch in container.patches:
            if patch is None:
                continue
            period = periods[int(round(patch.get_x() + patch.get_width() / 2))]
            if period not in subset.index:
                continue
            row = subset.loc[period]
            text = f"{'>' if row['qualifier'] == 'more than' else ''}{row['people']:,}"
            if pd.notna(row["ratio_to_us_bound"]):
                text += f"\n{row['ratio_to_us_bound']:,.0f}×"
            ax.annotate(
                text,
                (patch.get_x() + patch.get_width() / 2, patch.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
            if standin and row["status"] == "illustrative":
                patch.set_facecolor(ILLUSTRATIVE_FACE)
                patch.set_hatch(ILLUSTRATIVE_HATCH)
                patch.set_edgecolor(MAIN)
    ax.set_ylim(1, data["people"].max() * 40)  # headroom for the legend above the bars
    ax.legend(title=None, fontsize=8, loc="upper left")
    us_status = data[data["direction"].str.startswith("Canada to U.S.")].set_index("period")[
        "status"
    ]
    published = data["period"].map(us_status) == "published"
    ratios = data.loc[published, "ratio_to_us_bound"].dropna()
    periods = " and ".join(dict.fromkeys(data.loc[ratios.index, "period"]))
    title = (
        f"For every person who went from Canada to the U.S., {ratios.min():,.0f} or more went "
        f"the other way ({periods})"
    )
    source = (
        "Sources: USCIS FOIA via VICE News (2017); IRCC 'Asylum claims by year' tables (modified "
        "2024-04-22); Rehaag's 2013 figure as quoted by VICE. Log scale. Land-port claims count all "
        "claims at land ports, not only STCA exceptions."
        + (" " + STANDIN_SOURCE + "." if standin else "")
    )
    _finish(fig, ax, title, source, "Period", "People (log scale)")
    listing = "; ".join(
        f"{r.period}, {r.direction}: {'more than ' if r.qualifier == 'more than' else ''}{r.people:,}"
        + (
            f" ({r.ratio_to_us_bound:,.0f} times the U.S.-bound count)"
            if pd.notna(r.ratio_to_us_bound)
            else ""
        )
        for r in data.itertuples()
    )
    alt = f"Grouped bar chart on a logarithmic scale comparing the two directions. {listing}." + (
        " The 2013 U.S.-bound count is an illustrative stand-in value."
        if standin and (data["status"] == "illustrative").any()
        else ""
    )
    return Chart("asymmetry", fig, data, title, alt)


# ---------------------------------------------------------------- 6. the Canada side


def canada_side_table(ctx: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Monthly RCMP interceptions (2017-2019) and total asylum claims by year, tidy, with sources."""
    monthly = context.current(ctx["rcmp_monthly"]).assign(panel="RCMP interceptions by month")
    annual = context.current(ctx["claims_annual"]).assign(panel="Total asylum claims by year")
    cols = ["panel", "period", "value", "qualifier", "publisher", "source_date", "source_url"]
    return pd.concat([monthly[cols], annual[cols]], ignore_index=True)


def chart_canada_side(data: pd.DataFrame) -> Chart:
    """Two panels: RCMP interceptions by month 2017-2019, and Canada's asylum claims by year with
    the November 2016 U.S. election marked."""
    set_style()
    fig = Figure(figsize=(10, 8.5), layout="constrained")
    top, bottom = fig.subplots(2, 1)
    monthly = data[data["panel"].str.startswith("RCMP")].copy()
    monthly["month"] = pd.to_datetime(monthly["period"], format="%Y-%m")
    sns.lineplot(
        data=monthly, x="month", y="value", ax=top, color=ACCENT, marker="o", errorbar=None
    )
    peak = monthly.loc[monthly["value"].idxmax()]
    top.annotate(
        f"{peak['month']:%B %Y}: {peak['value']:,}",
        (peak["month"], peak["value"]),
        xytext=(8, -4),
        textcoords="offset points",
        fontsize=9,
    )
    top.set_title("RCMP interceptions between ports of entry, by month", loc="left", fontsize=11)
    top.set_xlabel("Month")
    top.set_ylabel("People intercepted")

    annual = data[data["panel"].str.startswith("Total")].copy()
    annual["year"] = annual["period"].astype(int)
    years = list(range(annual["year"].min(), annual["year"].max() + 1))
    values = annual.set_index("year")["value"].reindex(years)
    sns.barplot(
        x=[str(y) for y in years], y=values.fillna(0).tolist(), ax=bottom, color=MAIN, errorbar=None
    )
    for i, y in enumerate(years):
        if pd.isna(values[y]):
            bottom.annotate(
                "no published\ntotal",
                (i, 0),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=7,
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
    bottom.set_title("Asylum claims in Canada, by year (all routes)", loc="left", fontsize=11)
    bottom.set_xlabel("Year")
    bottom.set_ylabel("Claims")
    bottom.tick_params(axis="x", labelrotation=45)
    c2016, c2017 = values.get(2016), values.get(2017)
    growth = c2017 / c2016 if c2016 else float("nan")
    title = (
        f"After the 2016 U.S. election, irregular crossings into Canada surged and asylum claims "
        f"rose {growth:.1f}-fold from 2016 to 2017"
    )
    fig.suptitle(textwrap.fill(title, width=80), x=0.01, ha="left", fontsize=13, fontweight="bold")
    for axis in (top, bottom):
        axis.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_thousands))
    _source_line(
        fig,
        "Sources: IRCC 'Asylum claims by year' tables (modified 2024-04-22), Canadian "
        "Press (2011-2016), CCR, U.S. cable 09OTTAWA348 and Toronto Star (2004-2009); see the "
        "CSV for each value's source. 2010: no published total found.",
    )
    alt = (
        f"Two charts. Top: line chart of RCMP interceptions of people crossing into Canada between "
        f"ports of entry, monthly from January 2017 to December 2019, peaking in {peak['month']:%B %Y} "
        f"at {peak['value']:,}. Bottom: bar chart of asylum claims in Canada by year, "
        f"{years[0]} to {years[-1]}, with a dashed line at the November 2016 U.S. election; claims "
        f"went from {int(c2016):,} in 2016 to {int(c2017):,} in 2017. No total is published for 2010."
    )
    return Chart("canada_side", fig, data, title, alt)
