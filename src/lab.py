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

Exploration lands in scratch: Duplicate (or a copy pasted) in notebooks/ (the pipeline's folder)
is created in notebooks/scratch/; a file in notebooks/ given a name there (the launcher's
Untitled.ipynb, at its first save) moves to notebooks/scratch/; and Save As accepts
`scratch/<name>.ipynb` (there is no scratch/ at the root: it means notebooks/scratch/) as well as
`notebooks/scratch/<name>.ipynb`. The launcher's new notebook itself starts in the folder asked
for (JupyterLab opens the asked folder joined with the new name, so it cannot be made elsewhere):
git ignores `notebooks/Untitled*` and lint looks only at the pipeline's notebooks. Everything
else is saved as usual.

  python -m src.lab scratch NAME   copy a pipeline notebook into notebooks/scratch/ to play with
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jupyter_core.utils import ensure_async
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
from tornado import web
from traitlets import Bool, List, Unicode, default

from src.helpers import ROOT
from src.lab_kernel import SCRATCH_FOLDER, edited_copy_path
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

SCRATCH_DIR = ROOT / SCRATCH_FOLDER
PIPELINE_FOLDER = "notebooks"
SAVE_HELP = (
    "{path} is a pipeline notebook: changes to its code are not saved here, so an experiment "
    "never edits the pipeline. To keep your version, use File > Save Notebook As... and name it "
    "scratch/<name>.ipynb (that is notebooks/scratch/, which git ignores). To change the pipeline "
    "on purpose, restart JupyterLab with `make lab EDIT=1` and save again, or edit {script} in an "
    "editor and run `python -m src.notebooks sync`. Running cells is never a problem: outputs are "
    "not kept."
)


def pipeline_files(root: Path = ROOT) -> list[str]:
    """Root-relative paths of the pipeline's notebooks (from pipeline.yml) and their .py pairs."""
    notebooks = sorted({r.notebook for r in load_config(root / "pipeline.yml")})
    return sorted({*notebooks, *(str(Path(nb).with_suffix(".py")) for nb in notebooks)})


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

    def scratch_alias(self, path: str) -> str:
        """`scratch/...` means notebooks/scratch/... when the root has no scratch/ of its own
        (the name the docs give for Save As); any other path is returned as it is."""
        path = path.strip("/")
        if path.startswith("scratch/") and not Path(self._get_os_path("scratch")).exists():
            return f"{PIPELINE_FOLDER}/{path}"
        return path

    def _scratch_folder(self) -> str:
        """notebooks/scratch/, created if missing (git ignores it: a clean-up may remove it)."""
        Path(self._get_os_path(SCRATCH_FOLDER)).mkdir(parents=True, exist_ok=True)
        return SCRATCH_FOLDER

    def _exploration_folder(self, folder: str | None) -> str | None:
        """Where a file duplicated (or named) in `folder` goes: notebooks/scratch/ instead
        of notebooks/ (the pipeline's folder, which git and lint watch)."""
        if folder is None or folder.strip("/") != PIPELINE_FOLDER:
            return folder
        return self._scratch_folder()

    async def copy(self, from_path, to_path=None):
        """Duplicate (or a copy pasted) into notebooks/ lands in notebooks/scratch/ (a folder is
        copied where asked; with EDIT=1, a contributor's copy too)."""
        source = from_path.strip("/")
        if not self.edit_pipeline and not await ensure_async(self.dir_exists(source)):
            if to_path is None:  # the source's folder, as Jupyter would choose
                to_path = source.rpartition("/")[0]
            to_path = self._exploration_folder(to_path)
        return await super().copy(from_path, to_path)

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        """The file as stored; a notebook whose language_info holds only major.minor (as
        committed) is served with the full version the project kernel reports, so JupyterLab
        finds nothing to update when the kernel starts and the notebook opens unmodified."""
        path = self.scratch_alias(path)
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if content and model.get("type") == "notebook" and model.get("content"):
            info = model["content"].get("metadata", {}).get("language_info") or {}
            kernel = kernel_language_info()
            if info.get("version") == major_minor(kernel["version"]):
                info["version"] = kernel["version"]
        return model

    async def save(self, model, path=""):
        path = self.scratch_alias(path)
        if path.startswith(f"{SCRATCH_FOLDER}/"):
            self._scratch_folder()
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

    async def update(self, model, path):
        """A rename (JupyterLab's PATCH). A file in notebooks/ given another name there (the
        launcher's Untitled.ipynb, named at its first save) moves to notebooks/scratch/ under
        that name; the reply names where it is, and JupyterLab's tab follows it."""
        old, new = path.strip("/"), (model.get("path") or "").strip("/")
        if (
            new
            and not self.edit_pipeline
            and old.rpartition("/")[0] == new.rpartition("/")[0] == PIPELINE_FOLDER
            and not self.is_protected(old)
            and not self.is_protected(new)
            and not await ensure_async(self.dir_exists(old))
        ):
            model = {**model, "path": f"{self._scratch_folder()}/{new.rpartition('/')[2]}"}
        return await super().update(model, path)

    async def rename_file(self, old_path, new_path):
        if not self.edit_pipeline and self.is_protected(old_path):
            raise web.HTTPError(403, f"{old_path} is a pipeline notebook: renaming it needs EDIT=1")
        return await super().rename_file(old_path, new_path)

    async def delete_file(self, path):
        if not self.edit_pipeline and self.is_protected(path):
            raise web.HTTPError(403, f"{path} is a pipeline notebook: deleting it needs EDIT=1")
        return await super().delete_file(path)


class ProjectKernelManager(ServerKernelManager):
    """The project kernel as `make lab` starts it: with src.lab_kernel loaded, and on Unix
    sockets of its own, <runtime>/stca-<first 8 hex of its id>-<n>.

    With one shared prefix a kernel started right after another stopped (the launcher's new
    notebook does that) took the same socket files while the server still held the old
    kernel's connection, and the notebook never connected ("Invalid Signature"). Short, because
    a Unix socket's path must fit in 107 bytes and the runtime folder may be deep."""

    def format_kernel_cmd(self, extra_arguments=None):
        """The kernel's command, loading src.lab_kernel (one-off runs write under build/adhoc/)."""
        from src.lab_kernel import KERNEL_ARGUMENT

        return super().format_kernel_cmd([*(extra_arguments or []), KERNEL_ARGUMENT])

    def _ip_default(self) -> str:
        if self.transport != "ipc" or not self.connection_file:
            return super()._ip_default()
        connection = Path(self.connection_file)
        return str(connection.parent / f"stca-{connection.stem.removeprefix('kernel-')[:8]}")


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
