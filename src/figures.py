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
from src.helpers import atomic_path, spreadsheet_safe, write_csv_atomic, write_json_atomic
from src.status import INVENTED, FoiaStatus, check, derive, format_ratio, round_ratio, weakest

# Okabe-Ito derived colour-blind-safe palette (seaborn's "colorblind").
PALETTE = sns.color_palette("colorblind")
MAIN, ACCENT, MUTED = PALETTE[0], PALETTE[1], "#9e9e9e"
ILLUSTRATIVE_FACE = "#c6dbef"
ILLUSTRATIVE_HATCH = "///"
BOUND_HATCH = "xx"
REPRINT_FACE = "#d9d9d9"
REPRINT_HATCH = ".."
STAMP = "STAND-IN DATA"
STAMP_COLOUR = "#b35806"
FOIA_SOURCE = "Source: USCIS FOIA release, via VICE News (2017)"
STANDIN_SOURCE = (
    "STAND-IN DATA, not the USCIS release (which is not public): hatched values are invented; "
    "solid ones are the figures VICE News (2017) published"
)
# How each status is drawn, and what its legend entry says.
STATUS_LEGEND = {
    "bound": "invented value within a bound the article states",
    "illustrative": "invented (illustrative) stand-in value",
}
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
    # The statuses of the values the title states (a sentence is as strong as its weakest value);
    # None: the weakest status in the chart's data.
    title_statuses: list[str] | None = None
    # What one row of the CSV is, and what to filter before summing it (shown beside the CSV).
    row: str = ""

    def title_status(self) -> str:
        """The status the title's sentence takes: the weakest of the values it states."""
        return weakest(self.title_statuses or statuses_of(self.data))


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


def statuses_of(data: pd.DataFrame) -> list[str]:
    """The `status` column as a list, each checked against the vocabulary."""
    return [check(s) for s in data["status"]]


def _style_bars(patches, statuses: list[str], faces: list) -> None:
    """Draw each bar by its status: invented values (bound, illustrative) light and hatched."""
    for patch, status, face in zip(patches, statuses, faces, strict=False):
        if patch is None:
            continue
        if status in INVENTED:
            patch.set_facecolor(ILLUSTRATIVE_FACE)
            patch.set_edgecolor(MAIN)
            patch.set_hatch(BOUND_HATCH if status == "bound" else ILLUSTRATIVE_HATCH)
        else:
            patch.set_facecolor(face)
            patch.set_edgecolor(face)


def status_handles(statuses: list[str], solid_label: str, solid_face=MAIN) -> list[Patch]:
    """Legend entries for the statuses present: the solid (real) kind, then each invented kind."""
    present = set(statuses)
    handles = []
    if present - INVENTED:
        handles.append(Patch(facecolor=solid_face, edgecolor=solid_face, label=solid_label))
    for status, hatch in (("bound", BOUND_HATCH), ("illustrative", ILLUSTRATIVE_HATCH)):
        if status in present:
            handles.append(
                Patch(
                    facecolor=ILLUSTRATIVE_FACE,
                    edgecolor=MAIN,
                    hatch=hatch,
                    label=STATUS_LEGEND[status],
                )
            )
    return handles


def mark_invented(fig: Figure, statuses: list[str]) -> bool:
    """When any value is invented, stamp the image itself so the warning survives when the PNG
    is shared alone. Returns whether it stamped."""
    if not INVENTED & set(statuses):
        return False
    fig.text(
        0.5,
        0.5,
        STAMP,
        fontsize=44,
        fontweight="bold",
        color=STAMP_COLOUR,
        alpha=0.13,
        rotation=20,
        ha="center",
        va="center",
        zorder=0,
    )
    return True


def source_for(statuses: list[str], source: str) -> str:
    """The chart's source line: on invented values, say what the values are first."""
    return (STANDIN_SOURCE + ". " + source) if INVENTED & set(statuses) else source


def _hbars(ax, values: list, categories: list, faces: list, statuses: list, labels: list) -> None:
    """Horizontal bars, one per category from the top, in their colours, drawn by status, each
    labelled just right of its end."""
    sns.barplot(x=values, y=categories, ax=ax, color=MAIN, errorbar=None, orient="h")
    _style_bars(ax.patches, statuses, faces)
    for i, (x, text) in enumerate(zip(values, labels, strict=True)):
        ax.annotate(
            text, (x, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9
        )


def publish(chart: Chart, out_dir: str | Path) -> Chart:
    """Save the chart (PNG, SVG, CSV) and show it in the notebook as a figure: the image (with
    its alt text) opens the full-size SVG, and a caption links the SVG, the PNG and the CSV."""
    from src.page import show_figure

    paths = save_chart(chart, out_dir)
    show_figure(paths["png"], chart.alt, caption=chart.title, links=paths)
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
    # the chart's data, published: a formula-like text cell is made inert for spreadsheets
    paths["csv"] = str(write_csv_atomic(spreadsheet_safe(chart.data), out / f"{chart.name}.csv"))
    return paths


def write_figure_index(charts: list[Chart], out_dir: str | Path) -> Path:
    """figures.json: name, title, alt text and notes of every chart in the folder. Chart files
    that no chart of this run wrote (left by an earlier version) are removed: the folder belongs
    to one report, and a stale CSV would be published beside the real ones."""
    out = Path(out_dir)
    names = {c.name for c in charts}
    for path in out.iterdir():
        if path.suffix in (".png", ".svg", ".csv") and path.stem not in names:
            path.unlink()
    entries = [
        {"name": c.name, "title": c.title, "title_status": c.title_status(), "alt": c.alt,
         "notes": c.notes, "row": c.row}
        for c in charts
    ]  # fmt: skip
    return write_json_atomic(out / "figures.json", entries)


# ---------------------------------------------------------------- 1. cases per year


def partial_years(period_end: str, basis: str) -> set[int]:
    """The year (calendar or fiscal) that the data's cutoff cuts short; empty if it ends one."""
    end = pd.Timestamp(period_end)
    if basis == "fiscal":
        from src.parsers import fiscal_year

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


def chart_cases_per_year(table: pd.DataFrame, basis: str, period_end: str) -> Chart:
    """Bar chart of cases per year; the partial last year marked, the two busiest years called
    out, invented values hatched. The title names only values that are not invented."""
    statuses = statuses_of(table)
    fig, ax = _new_figure()
    years = [str(y) for y in table["year"]]
    sns.barplot(x=years, y=table["cases"].tolist(), ax=ax, color=MAIN, errorbar=None, order=years)
    _style_bars(ax.patches, statuses, [MAIN] * len(years))
    top = table.sort_values(["cases", "year"], ascending=[False, True]).head(2)
    end_label = pd.Timestamp(period_end).strftime("%-d %b %Y")
    for i, row in table.reset_index(drop=True).iterrows():
        if row["partial_year"]:
            ax.patches[i].set_linestyle("--")
            ax.patches[i].set_linewidth(1.5)
            ax.patches[i].set_edgecolor("#333333")
        bold = row["year"] in set(top["year"])
        ax.annotate(
            str(row["cases"]),
            (i, row["cases"]),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9 if bold else 8,
            fontweight="bold" if bold else "normal",
        )
    partial = table.index[table["partial_year"]].tolist()
    if partial:  # said under the axis, where it collides with nothing
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


def chart_comparison(data: pd.DataFrame) -> Chart:
    """Two bars per period (each direction) on a log scale (said on the axis), each period's ratio
    (or its range) printed above the Canada-bound bar and marked invented when it rests on an
    invented count; the low end of the Canada-bound count is named in the label."""
    counts = data[data["kind"] == "count"].reset_index(drop=True)
    low_counts = data[data["kind"] == "count, low end"].set_index("period")
    ratio_rows = data[data["kind"].str.startswith("ratio")]
    statuses = statuses_of(data)
    fig, ax = _new_figure(10, 5.8)
    periods = list(dict.fromkeys(counts["period"]))
    colours = {US_BOUND: MAIN, CANADA_BOUND: ACCENT}
    sns.barplot(
        data=counts,
        x="period",
        y="value",
        hue="direction",
        hue_order=[US_BOUND, CANADA_BOUND],
        order=periods,
        palette=colours,
        errorbar=None,
        ax=ax,
    )
    ax.set_yscale("log")
    ratio_text, ratio_invented = {}, {}
    for period in periods:
        rows = ratio_rows[(ratio_rows["period"] == period) & ratio_rows["value"].notna()]
        if len(rows):
            ratio_text[period] = ratio_range_text(rows)
            ratio_invented[period] = bool(set(rows["status"]) & INVENTED)
    for container, direction in zip(ax.containers, [US_BOUND, CANADA_BOUND], strict=True):
        subset = counts[counts["direction"] == direction].set_index("period")
        _style_bars(
            container.patches,
            [subset.loc[p, "status"] for p in periods],
            [colours[direction]] * len(periods),
        )
        for patch, period in zip(container.patches, periods, strict=True):
            row = subset.loc[period]
            text = f"{'more than ' if row['qualifier'] == 'more than' else ''}{row['value']:,}"
            if row["rounding"] > 1:
                text = f"about {text} (rounded to {row['rounding']})"
            if row["status"] in INVENTED:
                text += " (invented)"
            if direction == CANADA_BOUND and period in low_counts.index:
                text += f"\n({low_counts.loc[period, 'value']:,} without RCMP interceptees)"
            if direction == CANADA_BOUND and period in ratio_text:
                text += f"\n= {ratio_text[period].removesuffix(' to 1')} per person going south"
                if ratio_invented[period]:
                    text += "\n(ratio invented)"
            ax.annotate(
                text,
                (patch.get_x() + patch.get_width() / 2, patch.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
    ax.set_ylim(1, counts["value"].max() * 60)  # headroom for labels and legend
    handles = [
        Patch(facecolor=MAIN, label="Canada to U.S.: STCA exception cases at U.S. land ports"),
        Patch(facecolor=ACCENT, label="U.S. to Canada: STCA crossings (2013) / land-port claims"),
    ] + [h for h in status_handles(statuses, "") if h.get_hatch()]
    ax.legend(handles=handles, fontsize=8, loc="upper left")
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
    _finish(fig, ax, title, source, "Period", "People (log scale)")
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
        f"Grouped bar chart on a logarithmic scale comparing people who asked for asylum at land "
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


def chart_canada_side(data: pd.DataFrame) -> Chart:
    """Two panels: RCMP interceptions by month 2017-2019, and Canada's asylum claims by year with
    the November 2016 U.S. election marked; values known only from reprints drawn lighter."""
    statuses = statuses_of(data)
    set_style()
    fig = Figure(figsize=(10, 8.5), layout="constrained")
    top, bottom = fig.subplots(2, 1)
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
                fontsize=6.5,
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
    fig.suptitle(textwrap.fill(title, width=80), x=0.01, ha="left", fontsize=13, fontweight="bold")
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
