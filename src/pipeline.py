"""pipeline.yml, read: the reports, their notebooks, parameters, inputs and what they publish.

The Snakefile turns these entries into rules (one per report); src/run.py executes one report.
This module only reads the configuration (PyYAML and the standard library), so the Snakefile
stays quick to load.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from src.helpers import ROOT, dates_as_text, relative_to_root, repo_path

CONFIG = ROOT / "pipeline.yml"
BUILD = ROOT / "build"
TEMPLATES = ROOT / "templates"
REPORTS = ROOT / "reports"
DEFAULT_TIMEOUT = 600
FIGURE_FORMATS = ("csv", "png", "svg")  # each chart is published as its data and two images
FIGURE_INDEX = "figures.json"
PHONE_SUFFIX = "-narrow"  # each chart's phone rendition: <name>-narrow.png (src/charts.py)
SHELVES = ("story", "analysts")


@dataclass
class Report:
    """One entry of pipeline.yml: a notebook, its parameters, and what it reads and writes."""

    name: str
    notebook: str
    title: str
    summary: str
    parameters: dict = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)  # chart names written into figures_dir
    execution_timeout: int = DEFAULT_TIMEOUT
    data: str = "foia"  # "official": built only from official files; "foia": from the FOIA table
    # "story": a reader page, read in pipeline.yml's order; "analysts": the cleaning report,
    # start-here and the like, listed apart on the landing page
    shelf: str = "story"

    @property
    def executed(self) -> Path:
        return BUILD / "executed" / f"{self.name}.ipynb"

    @property
    def html(self) -> Path:
        return REPORTS / f"{self.name}.html"

    @property
    def html_full(self) -> Path:
        return REPORTS / f"{self.name}-full.html"

    @property
    def figures_dir(self) -> str | None:
        return self.parameters.get("figures_dir")

    @property
    def figure_files(self) -> list[str]:
        """Root-relative paths of every chart file and the chart index the report publishes."""
        if not self.figures:
            return []
        folder = self.figures_dir
        files = [f"{folder}/{name}.{ext}" for name in self.figures for ext in FIGURE_FORMATS]
        phone = [f"{folder}/{name}{PHONE_SUFFIX}.png" for name in self.figures]
        return [*files, *phone, f"{folder}/{FIGURE_INDEX}"]

    @property
    def products(self) -> list[str]:
        """Every file a successful run leaves (root-relative, no duplicates, in a fixed order):
        both renderings, the executed notebook, the declared outputs and the chart files."""
        paths = [relative_to_root(p) for p in (self.html, self.html_full, self.executed)]
        paths += [relative_to_root(repo_path(p)) for p in (*self.outputs, *self.figure_files)]
        return list(dict.fromkeys(paths))


class ConfigError(ValueError):
    """pipeline.yml is malformed; the message names the entry and key."""


def read_parameters(path: str | Path) -> dict:
    """A YAML file of notebook parameters as a dict; dates as ISO text. SystemExit naming the
    file when it is not a mapping or not YAML."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SystemExit(f"{path}: cannot read the parameters file: {exc}") from exc
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a mapping of parameter names to values")
    return dates_as_text(data)


def declared_parameters(notebook: Path) -> set[str]:
    """Names the notebook's `parameters` cell assigns (read as JSON and parsed, not run)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    names: set[str] = set()
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
    return names


def load_config(path: Path = CONFIG) -> list[Report]:
    """Read pipeline.yml into Report entries, checking names, notebooks and keys."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    defaults = data.get("defaults", {})
    reports: list[Report] = []
    seen: set[str] = set()
    for i, entry in enumerate(data.get("reports", [])):
        where = f"{path.name}: reports[{i}]"
        unknown = set(entry) - set(Report.__dataclass_fields__)
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("name", "notebook", "title", "summary"):
            if not entry.get(key):
                raise ConfigError(f"{where}: '{key}' is required")
        if entry["name"] in seen:
            raise ConfigError(f"{where}: duplicate name {entry['name']!r}")
        seen.add(entry["name"])
        if not repo_path(entry["notebook"]).exists():
            raise ConfigError(f"{where}: notebook {entry['notebook']} does not exist")
        merged = {**{k: v for k, v in defaults.items() if k != "parameters"}, **entry}
        declared = declared_parameters(repo_path(entry["notebook"]))
        shared = {k: v for k, v in defaults.get("parameters", {}).items() if k in declared}
        merged["parameters"] = dates_as_text({**shared, **entry.get("parameters", {})})
        if merged.get("shelf", "story") not in SHELVES:
            raise ConfigError(
                f"{where}: 'shelf' is one of {list(SHELVES)}, not {merged['shelf']!r}"
            )
        if entry.get("figures") and not merged["parameters"].get("figures_dir"):
            raise ConfigError(f"{where}: 'figures' needs a figures_dir parameter to write them to")
        reports.append(Report(**merged))
    return reports


def next_in_story(name: str, reports: list[Report]) -> Report | None:
    """The story page a reader goes to after `name` (pipeline.yml's order of the story shelf);
    None after the last one, or for a page not on the story shelf."""
    story = [r for r in reports if r.shelf == "story"]
    names = [r.name for r in story]
    if name not in names or names.index(name) == len(names) - 1:
        return None
    return story[names.index(name) + 1]


def get_report(name: str, reports: list[Report] | None = None) -> Report:
    """The pipeline entry called `name` (KeyError listing the valid names otherwise)."""
    reports = load_config() if reports is None else reports
    for report in reports:
        if report.name == name:
            return report
    raise KeyError(
        f"no report {name!r} in pipeline.yml; known: {', '.join(r.name for r in reports)}"
    )


def expand_inputs(paths: list[str]) -> list[str]:
    """Root-relative paths of the files `paths` names, folders expanded into the files below them
    (dot files left out)."""
    files = []
    for item in paths:
        p = repo_path(item)
        if p.is_dir():
            files += [relative_to_root(sub) for sub in sorted(p.rglob("*"))
                      if sub.is_file() and not sub.name.startswith(".")]  # fmt: skip
        else:
            files.append(relative_to_root(p))
    return files
