"""The pipeline's picture for the methodology page: Snakemake's `--dag`, drawn with matplotlib.

  python -m src.dag     writes reports/figures/pipeline/pipeline.svg and pipeline.dot (its data)

Snakemake describes the graph of jobs in Graphviz's DOT language; this module reads the nodes
and edges from it and lays them out in columns by dependency depth, so no Graphviz is needed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass

from src.helpers import FIGURES_DIR, ROOT, atomic_path, write_text_atomic

OUT_DIR = FIGURES_DIR / "pipeline"
NODE = re.compile(r'^\s*(\d+)\s*\[.*?label\s*=\s*"([^"]+)"', re.M)
EDGE = re.compile(r"^\s*(\d+)\s*->\s*(\d+)", re.M)
HIDDEN = {"all"}  # the default target only gathers the others


@dataclass(frozen=True)
class Graph:
    """Jobs by name, and (upstream, downstream) pairs."""

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]


def snakemake_dot() -> str:
    """The DOT text of `snakemake --dag` for every job (as if nothing were built yet)."""
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--dag", "--forceall", "--nolock", "--quiet", "all"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0 or "digraph" not in result.stdout:
        raise SystemExit(f"snakemake --dag failed:\n{result.stderr[-2000:]}")
    return result.stdout[result.stdout.index("digraph") :]


def parse_dot(text: str) -> Graph:
    """Nodes (by label) and edges of Snakemake's DOT output, without the `all` target."""
    labels = {number: label for number, label in NODE.findall(text)}
    nodes = tuple(sorted(label for label in labels.values() if label not in HIDDEN))
    edges = {
        (labels[a], labels[b])
        for a, b in EDGE.findall(text)
        if labels.get(a) in nodes and labels.get(b) in nodes
    }
    return Graph(nodes, tuple(sorted(edges)))


def reduced(graph: Graph) -> Graph:
    """The graph without edges implied by longer paths (a -> c when a -> b -> c): what the
    picture draws, so no arrow crosses a column of boxes."""

    def reaches(start: str, goal: str, skip: tuple[str, str]) -> bool:
        todo, seen = [start], set()
        while todo:
            node = todo.pop()
            for a, b in graph.edges:
                if a == node and (a, b) != skip and b not in seen:
                    if b == goal:
                        return True
                    seen.add(b)
                    todo.append(b)
        return False

    kept = tuple(e for e in graph.edges if not reaches(e[0], e[1], skip=e))
    return Graph(graph.nodes, kept)


def columns(graph: Graph) -> list[list[str]]:
    """Nodes grouped into columns: each as late as its readers allow (one column before the
    earliest of them), the final steps last, so arrows run one column to the right."""
    downstream = {n: [b for a, b in graph.edges if a == n] for n in graph.nodes}
    upstream = {n: [a for a, b in graph.edges if b == n] for n in graph.nodes}
    depth: dict[str, int] = {}

    def level(node: str, seen: tuple = ()) -> int:  # longest path from a source
        if node in seen:
            raise ValueError(f"the pipeline's graph has a cycle through {node}")
        if node not in depth:
            depth[node] = 1 + max((level(u, (*seen, node)) for u in upstream[node]), default=-1)
        return depth[node]

    last = max(level(n) for n in graph.nodes)
    column: dict[str, int] = {}

    def place(node: str) -> int:
        if node not in column:
            after = [place(d) for d in downstream[node]]
            column[node] = min(after) - 1 if after else last
        return column[node]

    for node in graph.nodes:
        place(node)
    return [sorted(n for n in graph.nodes if column[n] == c) for c in range(last + 1)]


def describe(graph: Graph) -> str:
    """The picture's alt text: what feeds what, in words."""
    parts = []
    for node in graph.nodes:
        fed = sorted(b for a, b in graph.edges if a == node)
        if fed:
            parts.append(f"{node} feeds {', '.join(fed)}")
    starts = sorted(n for n in graph.nodes if not any(b == n for _, b in graph.edges))
    return (
        f"The pipeline's {len(graph.nodes)} steps as Snakemake runs them. "
        f"Steps that start from raw files: {', '.join(starts)}. " + "; ".join(parts) + "."
    )


def draw(graph: Graph):
    """A matplotlib figure of the graph: one column per depth, arrows from inputs to readers."""
    # here: the site reads the graph (parse_dot, describe) without drawing it
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    graph = reduced(graph)
    cols = columns(graph)
    rows = max(len(c) for c in cols)
    matplotlib.rcParams["svg.hashsalt"] = "stca-pipeline"  # element ids the same every build
    fig = Figure(figsize=(2.4 * len(cols) + 0.4, 0.75 * rows + 0.6))
    ax = fig.subplots()
    where = {}
    for x, col in enumerate(cols):  # centre each column vertically
        offset = (rows - len(col)) / 2
        for i, node in enumerate(col):
            where[node] = (x * 2.4, rows - 1 - (i + offset))
    for a, b in graph.edges:
        (x1, y1), (x2, y2) = where[a], where[b]
        ax.add_patch(
            FancyArrowPatch((x1 + 0.95, y1), (x2 - 0.95, y2), arrowstyle="-|>", mutation_scale=12,
                            color="#555555", linewidth=1, shrinkA=0, shrinkB=0)
        )  # fmt: skip
    for node, (x, y) in where.items():
        ax.add_patch(
            FancyBboxPatch((x - 0.95, y - 0.27), 1.9, 0.54, boxstyle="round,pad=0.02,rounding_size=0.12",
                           facecolor="#eef3f8", edgecolor="#1f4e79", linewidth=1.2)
        )  # fmt: skip
        ax.text(x, y, node.replace("_", " "), ha="center", va="center", fontsize=11)
    ax.set_xlim(-1.1, 2.4 * (len(cols) - 1) + 1.1)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.axis("off")
    fig.tight_layout(pad=0.2)
    return fig


def main() -> int:
    dot = snakemake_dot()
    graph = parse_dot(dot)
    fig = draw(graph)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with atomic_path(OUT_DIR / "pipeline.svg") as tmp:
        fig.savefig(tmp, format="svg", metadata={"Date": None, "Title": describe(graph)})
    write_text_atomic(OUT_DIR / "pipeline.dot", dot)
    print("[pipeline_picture] ✓ reports/figures/pipeline/pipeline.svg", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
