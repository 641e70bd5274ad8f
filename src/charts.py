"""Chart infrastructure shared by every report's charts: the palette and style, the Chart
record (figure, data, title, alt text, statuses), the marks for invented values, and writing a
chart as PNG, SVG and CSV (deterministically) with the folder's figures.json.
"""

from __future__ import annotations

import contextvars
import functools
import io
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from PIL import Image

from src.helpers import atomic_path, spreadsheet_safe, write_csv_atomic, write_json_atomic
from src.page import show_figure
from src.pipeline import PHONE_SUFFIX
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

# The phone rendition: drawn for a 390 px screen, where the image is about 360 CSS px wide, so
# one inch of figure is about 100 CSS px and NARROW_MIN_PT points are at least 11 CSS px.
NARROW_WIDTH = 3.6  # inches
NARROW_MIN_PT = 8.5
NARROW_DPI = 200  # twice the CSS pixels, for sharp text on phone screens
WIDE_DPI = 150
_NARROW = contextvars.ContextVar("narrow", default=False)
SOURCE_GID, CAVEAT_GID = "source", "caveat"
LAYOUT_FAILED = "constrained_layout not applied"  # the texts the page repeats as live text


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
    # The same chart drawn for a phone screen (see `renditions`); None: only the wide one.
    narrow: Figure | None = None

    def title_status(self) -> str:
        """The status the title's sentence takes: the weakest of the values it states."""
        return weakest(self.title_statuses or statuses_of(self.data))


def narrow() -> bool:
    """True while the phone rendition of a chart is being drawn (see `renditions`)."""
    return _NARROW.get()


def new_figure(width: float = 9, height: float = 5.2, rows: int = 1, phone_height: float = 0):
    """A figure of `width` x `height` inches with `rows` axes stacked (one: the axes itself);
    for the phone rendition, NARROW_WIDTH wide and `phone_height` tall (by default a little
    taller than wide)."""
    set_style()
    if narrow():
        default = max(3.4, height * 0.8) + (0.9 * rows if rows > 1 else 0)
        width, height = NARROW_WIDTH, phone_height or default
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, (fig.add_subplot() if rows == 1 else fig.subplots(rows, 1))


def _new_figure(width: float = 9, height: float = 5.2) -> tuple[Figure, object]:
    return new_figure(width, height)


def main_title(fig: Figure, ax, title: str) -> None:
    """The chart's headline, in the wide image (which may be shared alone); the phone rendition
    leaves it to the page's caption, which states it as text."""
    if narrow():
        return
    if ax is None:
        fig.suptitle(textwrap.fill(title, width=int(fig.get_figwidth() * 8)), x=0.01, ha="left",
                     fontsize=13, fontweight="bold")  # fmt: skip
        return
    ax.set_title(
        textwrap.fill(title, width=int(fig.get_figwidth() * 8)),
        loc="left",
        fontsize=13,
        fontweight="bold",
    )


def _source_line(fig: Figure, source: str) -> None:
    """Wrapped source line under the axes, with room reserved for it by the layout engine. The
    phone rendition leaves it to the page, which shows it as text under the image."""
    if narrow():
        return
    text = textwrap.fill(source, width=int(fig.get_figwidth() * 15))
    lines = text.count("\n") + 1
    reserve = (0.18 + 0.14 * lines) / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, reserve, 1, 1 - reserve))
    fig.text(0.01, 0.01, text, fontsize=8, color="#444444", ha="left", va="bottom", gid=SOURCE_GID)


def _finish(fig: Figure, ax, title: str, source: str, xlabel: str, ylabel: str) -> None:
    main_title(fig, ax, title)
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
        fontsize=44 * min(1.0, fig.get_figwidth() / 9),
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


def renditions(builder):
    """Decorate a chart builder so that it also draws the chart for a phone screen: the builder
    runs again with `narrow()` true (a NARROW_WIDTH figure, no headline or source line, which the
    page states as text), then `fit_for_phone` makes every text at least NARROW_MIN_PT."""

    @functools.wraps(builder)
    def build(*args, **kwargs) -> Chart:
        chart = builder(*args, **kwargs)
        token = _NARROW.set(True)
        try:
            with warnings.catch_warnings():  # a squeezed-out plot fails here, not on the page
                warnings.filterwarnings("error", message=LAYOUT_FAILED)
                chart.narrow = fit_for_phone(builder(*args, **kwargs).figure)
        finally:
            _NARROW.reset(token)
        return chart

    return build


def _texts(fig: Figure) -> list[Text]:
    """Every visible, non-empty text of the figure (labels, ticks, legends, notes)."""
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _refill(text: Text, width_pt: float) -> None:
    """Re-wrap `text` so that no line is wider than `width_pt` (by its font size)."""
    chars = max(12, int(width_pt / (0.56 * text.get_fontsize())))
    lines = text.get_text().split("\n")
    if max(len(line) for line in lines) > chars:
        text.set_text(textwrap.fill(" ".join(lines), width=chars))


def fit_for_phone(fig: Figure) -> Figure:
    """The phone rendition's finishing: no text under NARROW_MIN_PT (the stamp aside, which is
    large), long texts wrapped to the width, one legend below the plot rather than over it, and
    x tick labels turned upright when they would overlap."""
    width_pt = fig.get_figwidth() * 72
    axes = fig.get_axes()
    legends = [ax.get_legend() for ax in axes if ax.get_legend() is not None]
    if len(legends) == 1:  # the one legend goes under the plot, where it hides no data
        old = legends[0]
        title = old.get_title().get_text()
        labels = [textwrap.fill(t.get_text(), width=44) for t in old.get_texts()]
        handles = old.legend_handles
        old.remove()
        fig.legend(handles, labels, title=title or None, loc="outside lower left",
                   fontsize=NARROW_MIN_PT, title_fontsize=NARROW_MIN_PT, frameon=False)  # fmt: skip
    for ax in axes:  # notes at the data are placed by the chart; they must not squeeze the axes
        for text in ax.texts:
            text.set_in_layout(False)
    # what starts at the axes' left edge (titles) or sits inside them (legends) has less room
    titles = [getattr(ax, name) for ax in axes for name in ("title", "_left_title", "_right_title")]
    narrower = (
        {title: 0.62 for title in titles}
        | {ax.xaxis.label: 0.6 for ax in axes}
        | {ax.yaxis.label: 0.45 for ax in axes}
        | {t: 0.5 for ax in axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    )
    for text in _texts(fig):
        if text.get_text() == STAMP:
            continue
        if text.get_fontsize() < NARROW_MIN_PT:
            text.set_fontsize(NARROW_MIN_PT)
        _refill(text, width_pt * narrower.get(text, 0.9))
    for ax in axes:  # long category names (horizontal bars) on two lines
        names = [t.get_text() for t in ax.get_yticklabels()]
        if any(len(n) > 18 for n in names):
            ax.set_yticks(ax.get_yticks(), [textwrap.fill(n, width=18) for n in names])
    fig.draw_without_rendering()
    for ax in axes:
        if _overlapping(ax.get_xticklabels()):
            ax.tick_params(axis="x", labelrotation=90)
    fig.draw_without_rendering()
    right = fig.bbox.x1
    for ax in axes:
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        if _overlapping(labels, vertical=True):  # still crowded upright: every other one
            for label in labels[1::2]:
                label.set_visible(False)
        for text in ax.texts:  # a note running off the right edge goes to the left of its point
            if text.get_window_extent().x1 > right and hasattr(text, "xyann"):
                dx, dy = text.xyann
                text.xyann = (-abs(dx), dy)
                text.set_horizontalalignment("right")
    return fig


def _overlapping(labels, vertical: bool = False) -> bool:
    """Whether neighbouring tick labels overlap (side by side, or when turned upright)."""
    boxes = [t.get_window_extent() for t in labels if t.get_visible() and t.get_text()]
    return any(a.x1 > b.x0 + (1 if vertical else 0) for a, b in zip(boxes, boxes[1:], strict=False))


def min_font_pt(fig: Figure) -> float:
    """The smallest text size in the figure, in points (the stamp aside)."""
    sizes = [t.get_fontsize() for t in _texts(fig) if t.get_text() != STAMP]
    return round(min(sizes), 2) if sizes else 0.0


def page_notes(fig: Figure) -> dict[str, str]:
    """The source line and caveats drawn in the wide image, as one-line text for the page."""
    found = {SOURCE_GID: "", CAVEAT_GID: ""}
    for text in _texts(fig):
        if text.get_gid() in found:
            joined = " ".join(text.get_text().split())
            found[text.get_gid()] = " ".join(filter(None, [found[text.get_gid()], joined]))
    return found


def publish(chart: Chart, out_dir: str | Path) -> Chart:
    """Save the chart (PNG, SVG, CSV, and the phone PNG) and show it in the notebook as a
    captioned figure linking its files (see page.show_figure)."""
    paths = save_chart(chart, out_dir)
    notes = page_notes(chart.figure)
    show_figure(paths["png"], chart.alt, caption=chart.title, links=paths,
                source=notes[SOURCE_GID], caveat=notes[CAVEAT_GID])  # fmt: skip
    return chart


def save_chart(chart: Chart, out_dir: str | Path) -> dict[str, str]:
    """Write `<name>.png`, `<name>.svg` and `<name>.csv` into out_dir atomically; return paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # a chart whose plot is squeezed out fails, loudly
        warnings.filterwarnings("error", message=LAYOUT_FAILED)
        return _save_chart(chart, out)


def _save_chart(chart: Chart, out: Path) -> dict[str, str]:
    # Settle the constrained layout once, then freeze it: every later save draws the same picture.
    if chart.figure.get_layout_engine() is not None:
        chart.figure.draw_without_rendering()
        chart.figure.set_layout_engine("none")
    paths = {"png": str(save_png(chart.figure, out / f"{chart.name}.png", WIDE_DPI))}
    target = out / f"{chart.name}.svg"
    with atomic_path(target) as tmp:
        chart.figure.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
    paths["svg"] = str(target)
    if chart.narrow is not None:
        phone = out / f"{chart.name}{PHONE_SUFFIX}.png"
        paths["narrow"] = str(save_png(chart.narrow, phone, NARROW_DPI))
    # the chart's data, published: a formula-like text cell is made inert for spreadsheets
    paths["csv"] = str(write_csv_atomic(spreadsheet_safe(chart.data), out / f"{chart.name}.csv"))
    return paths


def save_png(fig: Figure, target: Path, dpi: int) -> Path:
    """The figure as a PNG of at most 64 colours (a chart has few; about a third of the bytes
    a reader downloads), written atomically; the same figure gives the same bytes. Drawn to raw
    pixels and encoded once (not PNG-encoded by matplotlib and decoded again)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="rgba", dpi=dpi)
    width, height = (round(v * dpi) for v in fig.get_size_inches())
    image = Image.frombytes("RGBA", (width, height), buffer.getvalue()).convert("RGB")
    small = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    with atomic_path(target) as tmp:
        small.save(tmp, format="png", compress_level=9)
    return target


def rendition_facts(chart: Chart) -> dict:
    """figures.json's record of each image: file, width in inches, pixel density and smallest
    text size, from which a test finds the text size a reader sees at any display width."""
    facts = {"wide": {"file": f"{chart.name}.png", "width_in": float(chart.figure.get_figwidth()),
                      "dpi": WIDE_DPI, "min_font_pt": min_font_pt(chart.figure)}}  # fmt: skip
    if chart.narrow is not None:
        facts["narrow"] = {"file": f"{chart.name}{PHONE_SUFFIX}.png",
                           "width_in": float(chart.narrow.get_figwidth()), "dpi": NARROW_DPI,
                           "min_font_pt": min_font_pt(chart.narrow)}  # fmt: skip
    return facts


def write_figure_index(charts: list[Chart], out_dir: str | Path) -> Path:
    """figures.json: name, title, alt text and notes of every chart in the folder. Chart files
    that no chart of this run wrote (left by an earlier version) are removed: the folder belongs
    to one report, and a stale CSV would be published beside the real ones."""
    out = Path(out_dir)
    names = {c.name for c in charts} | {c.name + PHONE_SUFFIX for c in charts if c.narrow}
    for path in out.iterdir():
        if path.suffix in (".png", ".svg", ".csv") and path.stem not in names:
            path.unlink()
    entries = [
        {"name": c.name, "title": c.title, "title_status": c.title_status(), "alt": c.alt,
         "notes": c.notes, "row": c.row, "renditions": rendition_facts(c)}
        for c in charts
    ]  # fmt: skip
    return write_json_atomic(out / "figures.json", entries)
