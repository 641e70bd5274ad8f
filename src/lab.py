"""JupyterLab for analysts: explore freely, never change the pipeline's notebooks by accident.

The pipeline's notebooks (named in pipeline.yml) and their jupytext `.py` pairs are *read-mostly*
when served by `make lab`:

- a save that changes no code (only outputs, execution counts or metadata, as Run All and
  autosave do) is accepted and writes nothing: the committed notebook stays clean;
- a save that changes code or markdown (yours or autosave) raises no error: the pipeline file
  stays as it is and your version is kept in notebooks/scratch/<name>-edited.ipynb (or .py),
  rewritten at each save, where git does not look (the notebook's "Saving" note says so); to
  change a pipeline notebook on purpose use `make lab EDIT=1`;
- with `make lab EDIT=1` a save writes the notebook and its pair in their committed form (no
  outputs, stable cell ids, the project kernel), exactly as `python -m src.notebooks sync` would.

Everything else (scratch notebooks, new files) is saved as usual.

  python -m src.lab scratch NAME   copy a pipeline notebook into notebooks/scratch/ to play with
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web
from traitlets import Bool, List, Unicode, default

from src.helpers import ROOT
from src.notebooks import (
    NOTEBOOKS,
    cells_signature,
    kernel_language_info,
    major_minor,
    notebook_from_py,
    read_notebook_text,
    write_notebook,
    write_pair,
)
from src.pipeline import load_config

SCRATCH_DIR = ROOT / "notebooks" / "scratch"
SAVE_HELP = (
    "{path} is a pipeline notebook: changes to its code are not saved here, so an experiment "
    "never edits the pipeline. To keep your version, use File > Save Notebook As... and name it "
    "notebooks/scratch/<name>.ipynb (git ignores that folder). To change the pipeline on purpose, "
    "restart JupyterLab with `make lab EDIT=1` and save again, or edit {script} in an editor and "
    "run `python -m src.notebooks sync`. Running cells is never a problem: outputs are not kept."
)


def pipeline_files(root: Path = ROOT) -> list[str]:
    """Root-relative paths of the pipeline's notebooks (from pipeline.yml) and their .py pairs."""
    notebooks = sorted({r.notebook for r in load_config(root / "pipeline.yml")})
    return sorted({*notebooks, *(str(Path(nb).with_suffix(".py")) for nb in notebooks)})


def edited_copy_path(path: str) -> str:
    """Where an edit of a pipeline notebook (or its .py) made in JupyterLab is kept:
    notebooks/scratch/<name>-edited.<ext>."""
    source = Path(path)
    return str(Path("notebooks") / "scratch" / f"{source.stem}-edited{source.suffix}")


def _script(path: str) -> str:
    """The .py of a pipeline notebook (what to edit by hand), for a notebook or its .py."""
    return str(Path(path).with_suffix(".py"))


class PipelineContentsManager(AsyncLargeFileManager):
    """Jupyter's file manager with the pipeline's notebooks read-mostly (see the module text)."""

    edit_pipeline = Bool(
        False, config=True, help="Save changes to pipeline notebooks (make lab EDIT=1)."
    )
    protected = List(Unicode(), config=True, help="Root-relative paths that are read-mostly.")

    @default("protected")
    def _default_protected(self) -> list[str]:
        return pipeline_files(Path(self.root_dir))

    def is_protected(self, path: str) -> bool:
        return path.strip("/") in set(self.protected)

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        """The file as stored; a notebook whose language_info holds only major.minor (as
        committed) is served with the full version the project kernel reports, so JupyterLab
        finds nothing to update when the kernel starts and the notebook opens unmodified."""
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if content and model.get("type") == "notebook" and model.get("content"):
            info = model["content"].get("metadata", {}).get("language_info") or {}
            kernel = kernel_language_info()
            if info.get("version") == major_minor(kernel["version"]):
                info["version"] = kernel["version"]
        return model

    async def save(self, model, path=""):
        path = path.strip("/")
        if not self.is_protected(path):
            return await super().save(model, path)
        if model.get("chunk") is not None or model.get("type") not in ("notebook", "file"):
            raise web.HTTPError(403, SAVE_HELP.format(path=path, script=_script(path)))
        if self.edit_pipeline:
            return await self._save_committed_form(model, path)
        if not self._same_code(model, path):
            # An edit: kept in scratch, never in the pipeline's file, and no error box (autosave
            # would raise one every 20 seconds and take the keyboard).
            kept = edited_copy_path(path)
            Path(self._get_os_path(kept)).parent.mkdir(parents=True, exist_ok=True)
            await super().save(model, kept)
            self.log.info("%s: your edit is kept in %s, not in the pipeline's file", path, kept)
        # Nothing a reviewer would see changed in the file: say it is saved, as it is.
        return await self.get(path, content=False)

    def _same_code(self, model, path: str) -> bool:
        """True when the saved content has the same cells (type, source, tags) as the file."""
        on_disk = Path(self._get_os_path(path))
        if not on_disk.exists():
            return False
        try:
            saved = read_notebook_text(model["content"], path)
            current = read_notebook_text(on_disk.read_text(encoding="utf-8"), path)
        except Exception:  # noqa: BLE001 - anything unreadable is a change, refused
            return False
        return cells_signature(saved) == cells_signature(current)

    async def _save_committed_form(self, model, path: str):
        """Write the notebook and its pair as `python -m src.notebooks sync` would."""
        nb = read_notebook_text(model["content"], path)
        write_pair(nb, Path(self._get_os_path(path)))
        self.emit(data={"action": "save", "path": path})
        return await self.get(path, content=False)

    async def rename_file(self, old_path, new_path):
        if not self.edit_pipeline and self.is_protected(old_path):
            raise web.HTTPError(403, f"{old_path} is a pipeline notebook: renaming it needs EDIT=1")
        return await super().rename_file(old_path, new_path)

    async def delete_file(self, path):
        if not self.edit_pipeline and self.is_protected(path):
            raise web.HTTPError(403, f"{path} is a pipeline notebook: deleting it needs EDIT=1")
        return await super().delete_file(path)


def _literal(value) -> str:
    """`value` as Python source, strings in double quotes as the notebooks write them."""
    return json.dumps(value) if isinstance(value, str) else repr(value)


def scratch_parameters(report, copy_stem: str) -> str:
    """Lines that set `report`'s parameters, with every output it writes moved under
    build/adhoc/<copy_stem>/ (src.run.adhoc_parameters), so running the copy never touches
    reports/ or data/processed/."""
    from src.run import ADHOC, adhoc_parameters  # here: only `make scratch` needs the runner

    parameters = adhoc_parameters(report, {}, ADHOC / copy_stem)
    return "\n".join([
        f"# The parameters of the report {report.name!r} (pipeline.yml), for this copy: what it",
        f"# writes goes to build/adhoc/{copy_stem}/, never to reports/ or data/processed/.",
        *(f"{key} = {_literal(value)}" for key, value in parameters.items()),
    ])  # fmt: skip


def copy_to_scratch(name: str, scratch: Path = SCRATCH_DIR) -> Path:
    """Copy the pipeline notebook of `name` (a report name, a file stem or a path) into
    `scratch`, without outputs, and return the new path. Its parameters cell ends by setting the
    report's parameters (for a file stem: the first report that runs the notebook), with its
    outputs moved under build/adhoc/<copy>/. The copy is named after the notebook, or after the
    notebook and the report when the notebook runs for several reports. Never overwrites: an
    existing copy is someone's work, so a numbered name is used instead."""
    reports = load_config()
    first: dict[str, object] = {}
    for r in reports:
        first.setdefault(Path(r.notebook).stem, r)
    report = next((r for r in reports if r.name == name), None) or first.get(Path(name).stem)
    if report is None:
        known = ", ".join(sorted({*first, *(r.name for r in reports)}))
        raise SystemExit(f"no pipeline notebook or report called {name!r}; known: {known}")
    notebook_stem = Path(report.notebook).stem
    stem = notebook_stem if first[notebook_stem] is report else f"{notebook_stem}-{report.name}"
    scratch.mkdir(parents=True, exist_ok=True)
    target = scratch / f"{stem}.ipynb"
    n = 2
    while target.exists():
        target = scratch / f"{stem}-{n}.ipynb"
        n += 1
    nb = notebook_from_py(NOTEBOOKS / f"{notebook_stem}.py")
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.rstrip() + "\n\n" + scratch_parameters(report, target.stem)
    write_notebook(nb, target, paired=False)
    return target


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "scratch":
        target = copy_to_scratch(argv[1])
        print(f"your copy: {target.relative_to(ROOT)} (open it in JupyterLab; git ignores it)")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
