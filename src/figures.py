"""The article's charts from the FOIA table, drawn with seaborn on matplotlib Figure objects (no
pyplot state): cases per year, exceptions, citizenship and expedited removal.

Each `chart_*` function takes tidy inputs and returns a Chart (src/charts.py): the figure, the
exact data behind it (saved as CSV beside the images), a title that states the finding, and alt
text that says what the chart shows.
"""

from __future__ import annotations

import matplotlib
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from src import metrics, views
from src.charts import (
    ACCENT,
    FOIA_SOURCE,
    MAIN,
    MUTED,
    Chart,
    _finish,
    _hbars,
    _new_figure,
    _style_bars,
    bar_label,
    mark_invented,
    narrow,
    renditions,
    source_for,
    status_handles,
    statuses_of,
)
from src.parsers import fiscal_year
from src.status import INVENTED, FoiaStatus, derive

# ---------------------------------------------------------------- 1. cases per year


def partial_years(period_end: str, basis: str) -> set[int]:
    """The year (calendar or fiscal) that the data's cutoff cuts short; empty if it ends one."""
    end = pd.Timestamp(period_end)
    if basis == "fiscal":
        return set() if (end.month, end.day) == (9, 30) else {fiscal_year(end)}
    return set() if (end.month, end.day) == (12, 31) else {end.year}


def year_table(
    cases: pd.DataFrame,
    basis: str,
    first: int,
    last: int,
    foia_status: FoiaStatus,
    partial_years: set[int],
) -> pd.DataFrame:
    """Cases per year in [first, last], each with its status (from `foia_status`) and whether the
    data's cutoff cuts the year short."""
    counts = metrics.cases_by_year(cases, basis).reindex(range(first, last + 1), fill_value=0)
    table = counts.rename("cases").rename_axis("year").reset_index()
    table["status"] = [foia_status.year(basis, y) for y in table["year"]]
    table["partial_year"] = table["year"].isin(partial_years)
    table["year_basis"] = basis
    return table


@renditions
def chart_cases_per_year(table: pd.DataFrame, basis: str, period_end: str) -> Chart:
    """Bar chart of cases per year; the partial last year marked, the two busiest years called
    out, invented values hatched. The title names only values that are not invented."""
    statuses = statuses_of(table)
    fig, ax = _new_figure()
    years = [str(y) for y in table["year"]]
    sns.barplot(x=years, y=table["cases"].tolist(), ax=ax, color=MAIN, errorbar=None, order=years)
    _style_bars(ax.patches, statuses, [MAIN] * len(years))
    top = table.sort_values(["cases", "year"], ascending=[False, True]).head(2)
    real = table[~table["status"].isin(INVENTED)]  # only real values are called out in bold
    busiest_real = set(real.sort_values(["cases", "year"], ascending=[False, True]).head(2)["year"])
    end_label = pd.Timestamp(period_end).strftime("%-d %b %Y")
    for i, row in table.reset_index(drop=True).iterrows():
        if row["partial_year"]:
            ax.patches[i].set_linestyle("--")
            ax.patches[i].set_linewidth(1.5)
            ax.patches[i].set_edgecolor("#333333")
        bold = row["year"] in busiest_real
        ax.annotate(
            bar_label(str(row["cases"]), row["status"]),
            (i, row["cases"]),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9 if bold else 8,
            fontweight="bold" if bold else "normal",
        )
    partial = table.index[table["partial_year"]].tolist()
    if partial and not narrow():  # said under the axis, where it collides with nothing
        ax.annotate(
            f"partial year\n(to {end_label})",
            (partial[0], 0),
            xytext=(0, -30),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=7.5,
            color="#333333",
            annotation_clip=False,
        )
    bound = table[table["status"] == "bound"]
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
    status_by_year = dict(zip(table["year"], table["status"], strict=True))
    full = table[~table["partial_year"]]
    last_full = full.iloc[-1] if len(full) else table.iloc[-1]
    fy = "FY" if basis == "fiscal" else ""
    if any(status_by_year[y] == "illustrative" for y in peak):
        # the busiest years are themselves invented: state no finding from them
        kind = "U.S. fiscal year" if basis == "fiscal" else "year"
        title = f"U.S.-bound STCA cases by {kind}: every count here is an invented stand-in value"
        title_statuses = ["illustrative"]
    else:
        title = f"U.S.-bound STCA cases peaked in {fy}{peak[0]} and {fy}{peak[1]}"
        # which years peak is what the title states: pinned by the article when their counts are
        # published or within its bound ("more than 100"), whatever the exact counts
        title_statuses = [
            "published" if status_by_year[y] == "bound" else status_by_year[y] for y in peak
        ]
        if last_full["status"] not in INVENTED:
            title += f"; by {fy}{last_full['year']} they were down to {last_full['cases']} a year"
            title_statuses.append(last_full["status"])
    handles = status_handles(statuses, "count stated in the article")
    if handles and INVENTED & set(statuses):
        ax.legend(handles=handles, loc="upper right", frameon=True, fontsize=9)
    mark_invented(fig, statuses)
    xlabel = "U.S. fiscal year (October to September)" if basis == "fiscal" else "Calendar year"
    if partial and narrow():  # no room under the upright year labels: the axis title says it
        xlabel += f"; {fy}{table.loc[partial[0], 'year']} only to {end_label}"
    _finish(
        fig,
        ax,
        title,
        source_for(statuses, FOIA_SOURCE),
        xlabel,
        "People screened under an STCA exception",
    )
    kind = "U.S. fiscal years" if basis == "fiscal" else "calendar years"
    listing = ", ".join(
        f"{y}: {c}{' (invented)' if s in INVENTED else ''}"
        for y, c, s in zip(table["year"], table["cases"], statuses, strict=True)
    )
    alt = (
        f"Bar chart of people from Canada screened at U.S. land ports under STCA exceptions, by "
        f"{kind}, {table['year'].iloc[0]} to {table['year'].iloc[-1]}. Counts: {listing}."
        + (f" {fy}{table.loc[partial[0], 'year']} is partial, to {end_label}." if partial else "")
        + (" Hatched bars are invented stand-in values." if INVENTED & set(statuses) else "")
    )
    return Chart("cases_per_year", fig, table, title, alt, title_statuses=title_statuses)


# ---------------------------------------------------------------- 2. exceptions

EXCEPTION_LABELS = {
    "family_member": "Family member in the U.S.",
    "public_interest": "Public interest",
    "valid_status": "Valid U.S. visa or status",
    "unaccompanied_minor": "Unaccompanied minor",
    "unknown": "Not recorded / unrecognised",
}
FAMILY_PUBLIC = ["family_member", "public_interest"]


def exception_table(cases: pd.DataFrame, foia_status: FoiaStatus) -> pd.DataFrame:
    """People and share per exception, each row with its status; the family-member and
    public-interest pair flagged."""
    counts = metrics.exception_counts(cases)
    data = counts.rename("cases").reset_index()
    data["share"] = (data["cases"] / data["cases"].sum()).round(4)
    data["label"] = data["exception"].map(EXCEPTION_LABELS)
    data["highlighted"] = data["exception"].isin(FAMILY_PUBLIC)
    data["status"] = [foia_status.exception(e) for e in data["exception"]]
    data["share_status"] = [derive([s, foia_status.total()]) for s in data["status"]]
    return data


@renditions
def chart_exceptions(data: pd.DataFrame, pair_status: str) -> Chart:
    """Horizontal bars of each exception's share, the family-member and public-interest pair
    highlighted; the pair's combined share is stated only when it is not invented."""
    statuses = statuses_of(data)
    fig, ax = _new_figure(9, 4.2)
    faces = [MAIN if h else MUTED for h in data["highlighted"]]
    labels = [f"{r.share:.0%} ({r.cases})" for r in data.itertuples()]
    _hbars(ax, data["share"].tolist(), data["label"].tolist(), faces, statuses, labels)
    ax.set_xlim(0, data["share"].max() * 1.35)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    combined = float(data.loc[data["highlighted"], "share"].sum())
    if pair_status in INVENTED:  # only "a majority" is published; the exact share is invented
        title = "Most cases used the family-member or public-interest exception"
        title_statuses = ["published"]  # the article's own words, no number of ours
    else:
        title = f"{combined:.0%} of cases used the family-member or public-interest exception"
        title_statuses = [derive([pair_status])]
    handles = status_handles(statuses, "count from the release")
    if INVENTED & set(statuses):
        ax.legend(handles=handles, loc="lower right", fontsize=9)
    mark_invented(fig, statuses)
    source = source_for(
        statuses,
        FOIA_SOURCE
        + (
            ". The article publishes only that family member + public interest are a majority"
            if pair_status in INVENTED
            else ""
        ),
    )
    _finish(fig, ax, title, source, "Share of all cases", "")
    listing = "; ".join(
        f"{r.label}: {r.share:.0%} ({r.cases}){' (invented)' if r.status in INVENTED else ''}"
        for r in data.itertuples()
    )
    alt = f"Horizontal bar chart of the STCA exception each person used. {listing}." + (
        " The article publishes only that family member and public interest together are a "
        "majority; every share shown is an invented stand-in value."
        if pair_status in INVENTED
        else f" Family member and public interest together: {combined:.0%}."
    )
    return Chart("exceptions", fig, data, title, alt, title_statuses=title_statuses)


# ---------------------------------------------------------------- 3. nationalities

CITIZENS_NOTE = (
    "The STCA does not apply to Canadian or U.S. citizens. The Canadians here are most likely "
    "children born in Canada travelling with non-Canadian parents (Prof. Sean Rehaag, quoted by "
    "VICE News)."
)
ALL_OTHERS = "All others"


def nationality_table(cases: pd.DataFrame, top_k: int, foia_status: FoiaStatus) -> pd.DataFrame:
    """The `top_k` largest citizenship groups, then one 'All others' row (the rest, including
    citizenship not recorded), so the rows add up to every case; each row with its status."""
    counts = metrics.citizenship_counts(cases)
    named = counts[counts.index != "Not recorded"]
    data = named.head(top_k).rename("cases").reset_index()
    data["status"] = [foia_status.citizenship(c) for c in data["citizenship"]]
    others = len(cases) - int(data["cases"].sum())
    if others:
        rest = pd.DataFrame(
            {
                "citizenship": [ALL_OTHERS],
                "cases": [others],
                "status": [derive([foia_status.total(), *(data["status"])])],
            }
        )
        data = pd.concat([data, rest], ignore_index=True)
    data["share"] = (data["cases"] / len(cases)).round(4)
    data["share_status"] = [derive([s, foia_status.total()]) for s in data["status"]]
    return data[["citizenship", "cases", "share", "status", "share_status"]]


@renditions
def chart_nationalities(data: pd.DataFrame, total: int, total_status: str) -> Chart:
    """Largest citizenship groups and all others, Canada called out in a second colour, with the
    note on why Canadians appear at all. Invented counts hatched."""
    statuses = statuses_of(data)
    fig, ax = _new_figure(9, 6.0)
    faces = [
        ACCENT if c == "Canada" else (MUTED if c == ALL_OTHERS else MAIN)
        for c in data["citizenship"]
    ]
    labels = [str(c) for c in data["cases"]]
    _hbars(ax, data["cases"].tolist(), data["citizenship"].tolist(), faces, statuses, labels)
    ax.set_xlim(0, data["cases"].max() * 1.15)
    by_country = data.set_index("citizenship")
    title = "Canadian citizens, whom the agreement does not cover, were among those who came"
    title_statuses = ["published"]  # the article's own statement, no number of ours
    if "Canada" in by_country.index and by_country.loc["Canada", "status"] not in INVENTED:
        canadians = int(by_country.loc["Canada", "cases"])
        of_total = f" of the {total}" if total_status not in INVENTED else ""
        title = f"{canadians}{of_total} were Canadian citizens, whom the agreement does not cover"
        title_statuses = [by_country.loc["Canada", "status"]] + ([total_status] if of_total else [])
    named = data[data["citizenship"] != ALL_OTHERS]
    if len(named) and not INVENTED & set(statuses):  # a ranking needs every count to be real
        title += f"; the largest group: {named.iloc[0]['citizenship']}"
        title_statuses += statuses
    handles = [Patch(facecolor=ACCENT, label="Canadian citizens")] + [
        h for h in status_handles(statuses, "count from the release") if h.get_hatch()
    ]
    ax.legend(handles=handles, loc="upper right", fontsize=9)
    mark_invented(fig, statuses)
    source = source_for(statuses, FOIA_SOURCE) + ". " + CITIZENS_NOTE
    _finish(fig, ax, title, source, "People", "Country of citizenship")
    listing = "; ".join(
        f"{r.citizenship}: {r.cases}{' (invented)' if r.status in INVENTED else ''}"
        for r in data.itertuples()
    )
    alt = (
        f"Horizontal bar chart of the {len(named)} largest citizenship groups among {total} "
        f"cases and all others: {listing}. Canada is highlighted. {CITIZENS_NOTE}"
        + (" Hatched bars are invented stand-in counts." if INVENTED & set(statuses) else "")
    )
    return Chart(
        "nationalities", fig, data, title, alt, notes=[CITIZENS_NOTE], title_statuses=title_statuses
    )


# ---------------------------------------------------------------- 4. expedited removal


def expedited_removal_table(cases: pd.DataFrame, foia_status: FoiaStatus) -> pd.DataFrame:
    """People by expedited removal (Yes, No, Not recorded), share of all, and status."""
    counts = metrics.expedited_removal_counts(cases)
    data = counts.rename("cases").reset_index()
    data["share"] = (data["cases"] / len(cases)).round(4) if len(cases) else 0.0
    data["status"] = [foia_status.expedited_removal(v) for v in data["expedited_removal"]]
    data["share_status"] = [derive([s, foia_status.total()]) for s in data["status"]]
    return data


@renditions
def chart_expedited_removal(data: pd.DataFrame) -> Chart:
    """How many people were placed in expedited removal, and what share of all cases."""
    statuses = statuses_of(data)
    fig, ax = _new_figure(9, 3.8)
    values = data["expedited_removal"].tolist()
    faces = [ACCENT if v == "Yes" else (MUTED if v == "Not recorded" else MAIN) for v in values]
    labels = [f"{r.cases} ({r.share:.0%})" for r in data.itertuples()]
    _hbars(ax, data["cases"].tolist(), values, faces, statuses, labels)
    ax.set_xlim(0, data["cases"].max() * 1.25)
    yes = data.set_index("expedited_removal").loc["Yes"]
    if yes["status"] == "bound":  # the article: "more than 60"; the exact count is invented
        title = "The article reports that more than 60 people were placed in expedited removal"
        title_statuses = ["published"]
    elif yes["status"] == "illustrative":
        title = "Expedited removal: every count here is an invented stand-in value"
        title_statuses = ["illustrative"]
    else:
        title = (
            f"{yes['cases']} people ({yes['share']:.0%} of all cases) were placed in "
            "expedited removal"
        )
        title_statuses = [yes["status"], yes["share_status"]]
    if INVENTED & set(statuses):
        ax.legend(
            handles=status_handles(statuses, "count from the release"),
            loc="lower right",
            fontsize=9,
        )
    mark_invented(fig, statuses)
    _finish(
        fig,
        ax,
        title,
        source_for(statuses, FOIA_SOURCE),
        "People",
        "Placed in expedited removal",
    )
    listing = "; ".join(
        f"{r.expedited_removal}: {r.cases} ({r.share:.0%})"
        f"{' (invented)' if r.status in INVENTED else ''}"
        for r in data.itertuples()
    )
    alt = f"Horizontal bar chart of expedited removal among all cases: {listing}." + (
        " The article gives only 'more than 60'; every count shown is an invented stand-in value."
        if INVENTED & set(statuses)
        else ""
    )
    return Chart("expedited_removal", fig, data, title, alt, title_statuses=title_statuses)


# ---------------------------------------------------------------- which charts a page draws

FOIA_CHARTS = ("cases_per_year", "exceptions", "nationalities", "expedited_removal")
# counted over every case in the years chosen: the same on either year basis when both select
# the same cases
TOTAL_CHARTS = ("exceptions", "nationalities", "expedited_removal")


def check_charts(
    charts: list[str], cases: pd.DataFrame, basis: str, first: int, last: int
) -> list[str]:
    """The charts of FOIA_CHARTS a page leaves out. ValueError naming the `charts` parameter when
    it lists an unknown chart, or leaves out a total that would differ from the calendar-year
    page's (the two year bases select different cases), so a page never hides what differs."""
    unknown = sorted(set(charts) - set(FOIA_CHARTS))
    if unknown or "cases_per_year" not in charts:
        raise ValueError(
            f"charts: {list(charts)}; expected cases_per_year (always drawn) and any of "
            f"{list(TOTAL_CHARTS)}"
        )
    omitted = [c for c in TOTAL_CHARTS if c not in charts]
    calendar = views.in_years(cases, "calendar", first, last).index
    if omitted and not views.in_years(cases, basis, first, last).index.equals(calendar):
        raise ValueError(
            f"charts: {omitted} are left out, but {basis} years {first} to {last} select other "
            "cases than calendar years do, so these totals differ; list them in `charts`"
        )
    return omitted
