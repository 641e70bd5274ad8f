"""In `make lab`'s kernels: a notebook run with other parameters writes under
build/adhoc/<run>/, and a pipeline notebook says once where an edit of it is kept.

An IPython extension (src.lab.ProjectKernelManager loads it into every kernel JupyterLab starts).
The first cell a pipeline notebook runs prints one line: an edit is kept in
notebooks/scratch/<name>-edited.ipynb, never in the pipeline's file (not with EDIT=1, where
saves do write it). After each cell the extension looks at the notebook's variables: when they
hold a pipeline report's parameters (pipeline.yml) and differ from every report's, each output
that still points into
reports/ or data/processed/ is moved to build/adhoc/<report>-<UTC time>/ (same relative path,
inputs untouched) and a note under the cell says so. With the pipeline's own values nothing is
moved: the run rewrites the published files byte for byte, which src.helpers' guard allows.
Anything that still tries to change a published file is refused by that guard, with directions.
Outside `make lab` (STCA_PUBLISHED_UNCHANGED unset) the extension does nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from src.helpers import (
    PROCESSED_DIR,
    PUBLISHED_UNCHANGED_ENV,
    REPORTS_DIR,
    relative_to_root,
    repo_path,
)
from src.pipeline import Report, load_config

# what ProjectKernelManager adds to the kernel's command line
KERNEL_ARGUMENT = "--InteractiveShellApp.extensions=src.lab_kernel"
SCRATCH_FOLDER = "notebooks/scratch"  # root-relative; git ignores it


@dataclass(frozen=True)
class Relocation:
    """A one-off run: the report it departs from, the parameters that differ from that report's,
    and the outputs moved (name -> new root-relative path) into `folder`."""

    report: str
    changed: dict
    moved: dict
    folder: Path

    def note(self) -> str:
        changed = ", ".join(f"{k} = {v!r}" for k, v in sorted(self.changed.items()))
        moved = ", ".join(sorted(self.moved))
        return (
            f"One-off run: these parameters differ from the published report {self.report!r} "
            f"({changed}), so its files go to {relative_to_root(self.folder)}/ ({moved} moved "
            "there), not to reports/ or data/processed/, which only `make reports` writes."
        )


def edited_copy_path(path: str) -> str:
    """Where an edit of a pipeline notebook (or its .py) made in JupyterLab is kept:
    notebooks/scratch/<name>-edited.<ext>."""
    source = Path(path)
    return f"{SCRATCH_FOLDER}/{source.stem}-edited{source.suffix}"


def pipeline_notebook_note(session_path: str | None, reports: list[Report]) -> str | None:
    """The line a pipeline notebook's kernel prints once (`session_path`: the notebook JupyterLab
    started the kernel for), or None for any other notebook."""
    if not session_path or not Path(session_path).resolve().is_relative_to(repo_path(".")):
        return None
    notebook = relative_to_root(Path(session_path).resolve())
    if notebook not in {r.notebook for r in reports}:
        return None
    return (
        f"{notebook} is one of the pipeline's notebooks: run and change what you like. An edit "
        f"is kept in {edited_copy_path(notebook)} when JupyterLab saves, never in this file; for "
        "a copy of your own, use 'Save a copy in scratch/' in the toolbar."
    )


def differs(value, expected) -> bool:
    """True unless `value` equals the pipeline's `expected` value (anything that cannot be
    compared, an array say, differs)."""
    try:
        return bool(value != expected)
    except Exception:  # noqa: BLE001 - an ambiguous comparison is a difference
        return True


def is_published(value) -> bool:
    """True when `value` is a path string inside reports/ or data/processed/."""
    if not isinstance(value, str) or not value:
        return False
    full = repo_path(value).resolve()
    return any(full.is_relative_to(d.resolve()) for d in (REPORTS_DIR, PROCESSED_DIR))


def relocate_one_off(
    namespace: MutableMapping, reports: list[Report], folder_for: Callable[[str], Path]
) -> Relocation | None:
    """Move a one-off run's published outputs in `namespace` (a notebook's variables) under
    `folder_for(report name)`, and say what was done; None when nothing needs moving (no report's
    parameters are all defined, they equal a report's, or no output points into a published
    folder). The report compared with is the one with the fewest differing values (pipeline order
    breaks ties)."""
    from src.run import output_parameters  # the runner, only when a report's names are defined

    best = None
    for report in reports:
        if not set(report.parameters) <= namespace.keys():
            continue
        published = sorted(k for k in output_parameters(report) if is_published(namespace[k]))
        changed = {
            k: namespace[k] for k, v in report.parameters.items() if differs(namespace[k], v)
        }
        if not changed:
            return None  # the pipeline's own run: reproduces the published files
        if published and (best is None or len(changed) < len(best[1])):
            best = (report, changed, published)
    if best is None:
        return None
    report, changed, published = best
    folder = folder_for(report.name)
    moved = {
        k: relative_to_root(folder / relative_to_root(repo_path(namespace[k]))) for k in published
    }
    namespace.update(moved)
    reasons = {k: v for k, v in changed.items() if k not in moved} or changed
    return Relocation(report.name, reasons, moved, folder)


def _move_one_off(namespace: MutableMapping, reports: list[Report]) -> None:
    from src.run import adhoc_folder  # build/adhoc/<name>-<UTC time>/, as `make run` names it

    relocation = relocate_one_off(namespace, reports, lambda name: adhoc_folder(name, None))
    if relocation is not None:
        print(relocation.note())


def load_ipython_extension(ipython, env: Mapping[str, str] = os.environ) -> None:
    """Register the after-cell check in a `make lab` kernel (nothing elsewhere)."""
    if env.get(PUBLISHED_UNCHANGED_ENV) != "1":
        return
    config = repo_path("pipeline.yml")
    # each said once per kernel; the note not with EDIT=1, where saves do write the pipeline's file
    pending = {"note": env.get("STCA_LAB_EDIT") != "1", "failure": True}

    def after_cell(result) -> None:
        try:
            reports = load_config(config)
            if pending.pop("note", False):
                note = pipeline_notebook_note(env.get("JPY_SESSION_NAME"), reports)
                if note:
                    print(note)
            _move_one_off(ipython.user_ns, reports)
        except Exception as error:  # noqa: BLE001 - never break the analyst's cell; say why, once
            if pending.pop("failure", False):
                print(f"(the one-off check did not run: {error}; published files stay protected)")

    ipython.events.register("post_run_cell", after_cell)
