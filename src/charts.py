"""Chart infrastructure shared by every report's charts: the palette and style, the Chart
record (figure, data, title, alt text, statuses), the marks for invented values, and writing a
chart as PNG, SVG and CSV (deterministically) with the folder's figures.json.
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

from src.helpers import atomic_path, spreadsheet_safe, write_csv_atomic, write_json_atomic
from src.page import show_figure
from src.status import INVENTED, check, weakest

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


def bar_label(text: str, status: str, invented: str = "") -> str:
    """The label drawn at a bar: its value, unless the value is invented (then `invented`, no
    number): the bar is hatched and the legend says why, and a reader must not be able to copy
    an invented figure off a chart."""
    return invented if status in INVENTED else text


def _hbars(ax, values: list, categories: list, faces: list, statuses: list, labels: list) -> None:
    """Horizontal bars, one per category from the top, in their colours, drawn by status, each
    labelled just right of its end."""
    sns.barplot(x=values, y=categories, ax=ax, color=MAIN, errorbar=None, orient="h")
    _style_bars(ax.patches, statuses, faces)
    for i, (x, text, status) in enumerate(zip(values, labels, statuses, strict=True)):
        text = bar_label(text, status, invented="invented")
        ax.annotate(
            text, (x, i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9,
            style="italic" if status in INVENTED else "normal",
        )  # fmt: skip


def publish(chart: Chart, out_dir: str | Path) -> Chart:
    """Save the chart (PNG, SVG, CSV) and show it in the notebook as a figure: the image (with
    its alt text) opens the full-size SVG, and a caption links the SVG, the PNG and the CSV."""
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
