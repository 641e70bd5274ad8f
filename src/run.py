"""Run one notebook: papermill's parameters cell, nbclient to execute it, nbconvert for both pages.

  python -m src.run report NAME                 one report of pipeline.yml (a Snakemake job)
  python -m src.run adhoc NAME|NOTEBOOK [--params-file F] [--out DIR]
                                                the same notebook with other parameters, written
                                                only under build/adhoc/<run>/ (`make run`)

One process per report: the kernel starts while this process reads the notebook, and both
renderings (reader and analyst) are exported here, so no second process imports nbconvert.

A failed or interrupted run exits non-zero, names the notebook and cell, keeps the executed
notebook up to the failure in build/failed/, and removes reports/index.html (which would link a
page that is no longer there); Snakemake removes the report's own files.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import dataclasses
import datetime as dt
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from src.credits import page_credits
from src.helpers import (
    LINKS_FROM_ENV,
    PROCESSED_DIR,
    PROTECTED_ENV,
    PUBLISHED_UNCHANGED_ENV,
    REPORTS_DIR,
    ROOT,
    atomic_path,
    relative_to_root,
    repo_path,
    write_text_atomic,
)
from src.markup import add_contents, add_heading_ids, linkify
from src.pipeline import (
    BUILD,
    TEMPLATES,
    Report,
    get_report,
    load_config,
    next_in_story,
    read_parameters,
)

# nbformat validates notebooks with jsonschema, whose format checkers import rfc3987_syntax when
# it is installed (jupyter-events needs it); that import builds an Earley parser for IRI formats
# that no notebook schema uses, 0.9 s in every report's process. Marked absent, it is skipped.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

ADHOC = BUILD / "adhoc"
FAILED = BUILD / "failed"
INJECTED_CELL_ID = "injected-parameters"
ANALYST_TAG = "analyst"  # cells for analysts only: left out of the published rendering
# Imported in the kernel while this process prepares the notebook (what every notebook imports).
WARM_UP = "import numpy, pandas, matplotlib.pyplot, seaborn"


class RunFailed(Exception):
    """A notebook failed; the message is what the log says."""


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the kernel


class Kernel:
    """A started kernel (cwd: the repository root) and its client, with WARM_UP imported."""

    ATTEMPTS = 3

    def __init__(self, km: AsyncKernelManager, kc, sockets: Path):
        self.km, self.kc, self.sockets = km, kc, sockets

    @classmethod
    async def start(cls, env: dict) -> Kernel:
        """A ready kernel. A kernel that dies before it is ready is started again (up to
        ATTEMPTS): its ports are picked free but bound a moment later, so another process (a
        JupyterLab, another build) can take one in between ('Address already in use')."""
        for attempt in range(1, cls.ATTEMPTS + 1):
            try:
                return await cls._start_once(env)
            except RuntimeError as err:
                if attempt == cls.ATTEMPTS or "died" not in str(err).lower():
                    raise
                _log(f"a kernel died while starting ({err}); starting another")
        raise AssertionError("unreachable")

    @classmethod
    async def _start_once(cls, env: dict) -> Kernel:
        # IPC (Unix sockets in a private folder), not TCP: no port another process can take
        # between choosing and binding it, and nothing listening on the network.
        sockets = Path(tempfile.mkdtemp(prefix="stca-kernel-"))
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "kernel"))
        await km.start_kernel(cwd=str(ROOT), env=env)
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            msg_id = kc.execute(WARM_UP, silent=True, store_history=False)
            while True:
                reply = await kc.get_shell_msg(timeout=120)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"a new kernel could not import numpy, pandas, matplotlib, seaborn: {reply['content']}")  # fmt: skip
        except BaseException:
            await cls(km, kc, sockets).shutdown()
            raise
        return cls(km, kc, sockets)

    async def shutdown(self) -> None:
        """Stop the kernel and remove its sockets (a second call does nothing)."""
        if not self.sockets.exists():
            return
        self.kc.stop_channels()
        if self.km.has_kernel:
            await self.km.shutdown_kernel(now=True)
        shutil.rmtree(self.sockets, ignore_errors=True)


def _client_class():
    """nbclient's NotebookClient, given the kernel this module started (and stops)."""
    from nbclient import NotebookClient  # imported already by parameterized(), in the worker thread

    class Client(NotebookClient):
        @asynccontextmanager
        async def async_setup_kernel(self, **kwargs):
            yield

    return Client


def kernel_env(links_from: Path, protected: list[Path] = ()) -> dict:
    """The kernel's environment: src/ importable, page links relative to `links_from`, and
    writes refused inside `protected` folders (see helpers.check_writable)."""
    env = dict(os.environ)
    env[LINKS_FROM_ENV] = str(links_from)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    if protected:
        env[PROTECTED_ENV] = os.pathsep.join(str(p) for p in protected)
    else:
        env.pop(PROTECTED_ENV, None)
    env.pop(PUBLISHED_UNCHANGED_ENV, None)  # JupyterLab's guard: the runner is the writer
    return env


# ---------------------------------------------------------------- one notebook


def parameterized(notebook: str, parameters: dict):
    """The notebook with papermill's injected-parameters cell after its parameters cell."""
    # Here, and nbclient and nbformat below: they take about 1.5 s to import (nbformat's schema
    # checks build a grammar), so they are imported in a worker thread while the kernel starts.
    import nbclient  # noqa: F401 - imported now, used once the kernel is ready
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(repo_path(notebook)))
    return parameterize_notebook(nb, parameters, kernel_name="python3", language="python")


def finalise_notebook(nb) -> None:
    """Make the executed notebook deterministic: a fixed id for papermill's injected cell, no
    timestamps or durations in metadata."""
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = INJECTED_CELL_ID
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    papermill_meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        papermill_meta.pop(key, None)


def index_href(folder: Path) -> str | None:
    """The landing page's address from a page written into `folder`: beside it on the site; for
    an ad hoc run, the site's, when it is built (else no link rather than a dead one)."""
    index = REPORTS_DIR / "index.html"
    if folder.resolve() == REPORTS_DIR.resolve():
        return index.name
    return os.path.relpath(index, folder) if index.exists() else None


def export_html(
    nb, report: Report, parameters: dict, published: Path, full: Path, pipeline_page: bool = True
) -> None:
    """Write the two renderings: `published` for readers (no code, no cells tagged 'analyst', no
    parameters; a link to the next page of the story when `pipeline_page`) and `full` for
    analysts (code, every cell, and a note of the run's parameters). Both carry the footer
    (src/credits.py). Bare web addresses become links in both."""
    # here: imported in a worker thread, after the notebook ran (see _run)
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = report.title
    following = next_in_story(report.name, load_config()) if pipeline_page else None
    for target, with_code in ((published, False), (full, True)):
        exporter = HTMLExporter(
            template_name="stca",
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=not with_code,
            exclude_input_prompt=not with_code,
            exclude_output_prompt=True,
            # code colours only where there is code
            config=Config({"CSSHTMLHeaderPreprocessor": {"enabled": with_code}}),
        )
        if not with_code:
            exporter.register_preprocessor(
                TagRemovePreprocessor(remove_cell_tags={ANALYST_TAG}, enabled=True), enabled=True
            )
        other = (
            {"href": full.name, "label": "Version with code (for analysts)"}
            if not with_code
            else {"href": published.name, "label": "Published version (no code)"}
        )
        resources = {
            "metadata": {"name": report.name},
            "stca": {
                "index_href": index_href(published.parent),
                "parameters": parameters if with_code else None,
                "notebook": report.notebook,
                "other_rendering": other,
                "next": {"href": following.html.name, "title": following.title}
                if following and not with_code
                else None,
                "credits": page_credits(report.title),
            },
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        write_text_atomic(target, add_contents(add_heading_ids(linkify(body))))


def save_notebook(nb, path: Path) -> None:
    import nbformat  # imported already by parameterized(), in the worker thread

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        nbformat.write(nb, str(tmp))


async def execute(report: Report, parameters: dict, kernel_task: asyncio.Task) -> object:
    """Run the notebook in the kernel `kernel_task` starts; return the executed notebook.
    RunFailed (or CancelledError) keeps the notebook up to the failure in build/failed/."""
    nb = await asyncio.to_thread(parameterized, report.notebook, parameters)
    from nbclient.exceptions import (
        CellExecutionError,
        CellTimeoutError,
        DeadKernelError,
    )  # as above

    total = len(nb.cells)
    current = {"index": 0}

    def progress(cell, cell_index):
        current["index"] = cell_index
        _log(f"[{report.name}] cell {cell_index + 1}/{total}")

    kernel = await kernel_task
    client = _client_class()(
        nb, km=kernel.km, timeout=report.execution_timeout, record_timing=False,
        on_cell_start=progress, allow_errors=False,
    )  # fmt: skip
    client.kc = kernel.kc
    failed = FAILED / f"{report.name}.ipynb"
    failed.unlink(missing_ok=True)
    try:
        await client.async_execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
        save_notebook(nb, failed)
        cell = nb.cells[current["index"]]
        source = "\n    ".join(cell.source.strip().splitlines()[:3])
        last_line = [line for line in str(err).strip().splitlines() if line.strip()][-1:]
        name = getattr(err, "ename", type(err).__name__)
        value = getattr(err, "evalue", "")
        what = f"{name}: {value}" if value else (last_line[0] if last_line else name)
        raise RunFailed(
            f"[{report.name}] ✗ FAILED in {report.notebook}, cell {current['index'] + 1} of {total}:\n"
            f"    {source}\n  {what}\n"
            f"  The failed notebook, with its outputs up to the error, is kept at {relative_to_root(failed)}."
        ) from err
    except asyncio.CancelledError:
        save_notebook(nb, failed)
        raise
    finally:
        await kernel.shutdown()
    finalise_notebook(nb)
    return nb


def check_products(report: Report) -> None:
    """RunFailed unless the notebook wrote its declared outputs and exactly the charts that
    pipeline.yml lists for it (so Snakemake knows every file the report publishes)."""
    missing = [out for out in report.outputs if not repo_path(out).exists()]
    if missing:
        raise RunFailed(f"[{report.name}] ✗ the notebook ran but did not write its outputs (pipeline.yml): {', '.join(missing)}")  # fmt: skip
    if not report.figures_dir:
        return
    index = repo_path(report.figures_dir) / "figures.json"
    written = [e["name"] for e in json.loads(index.read_text("utf-8"))] if index.exists() else []
    if sorted(written) != sorted(report.figures):
        raise RunFailed(
            f"[{report.name}] ✗ the notebook wrote the charts {sorted(written)} but pipeline.yml "
            f"lists figures: {sorted(report.figures)} for it; list every chart it publishes"
        )


def _remove_index() -> None:
    """The index would link a page that a failed run removed."""
    (REPORTS_DIR / "index.html").unlink(missing_ok=True)


async def _run(report: Report, parameters: dict, env: dict, pages: tuple[Path, Path],
               executed: Path, pipeline: bool) -> None:  # fmt: skip
    kernel_task = asyncio.ensure_future(Kernel.start(env))
    try:
        nb = await execute(report, parameters, kernel_task)
    except BaseException:
        if not kernel_task.done():
            kernel_task.cancel()
        elif not kernel_task.cancelled() and kernel_task.exception() is None:
            await kernel_task.result().shutdown()
        raise
    if pipeline:
        check_products(report)
    await asyncio.to_thread(export_html, nb, report, parameters, *pages, pipeline)
    save_notebook(nb, executed)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run(report: Report, parameters: dict, env: dict, pages: tuple[Path, Path], executed: Path,
        pipeline: bool) -> int:  # fmt: skip
    """Execute and export one notebook; return the process exit code."""
    signal.signal(signal.SIGTERM, _interrupt)  # Snakemake stops jobs with SIGTERM
    _log(f"[{report.name}] ▶ {report.notebook} with {json.dumps(parameters, sort_keys=True)}")
    started = time.monotonic()
    try:
        asyncio.run(_run(report, parameters, env, pages, executed, pipeline))
    except RunFailed as err:
        _log(str(err))
        if pipeline:
            _remove_index()
            _log("  Its pages and the index were removed so nothing stale looks current.")
        return 1
    except KeyboardInterrupt:
        if pipeline:
            _remove_index()
        _log(f"[{report.name}] ✗ interrupted; nothing it was writing was left half-written")
        return 130
    _log(f"[{report.name}] ✓ done in {time.monotonic() - started:.1f}s -> {relative_to_root(pages[0])}")  # fmt: skip
    return 0


def run_report(name: str) -> int:
    """One report of pipeline.yml into reports/ (what a Snakemake job runs)."""
    report = get_report(name)
    if report.figures_dir:  # only this run's charts: none left from an earlier version
        shutil.rmtree(repo_path(report.figures_dir), ignore_errors=True)
    env = kernel_env(REPORTS_DIR)
    return run(report, report.parameters, env, (report.html, report.html_full), report.executed,
               pipeline=True)  # fmt: skip


# ---------------------------------------------------------------- ad hoc runs


def output_parameters(report: Report) -> set[str]:
    """Names of the report's parameters that name a file or folder it writes (an output, or the
    folder its outputs or charts go into)."""
    writes = {relative_to_root(repo_path(p)) for p in [*report.outputs, *report.figure_files]}
    names = set()
    for key, value in report.parameters.items():
        if isinstance(value, str) and value:
            rel = relative_to_root(repo_path(value))
            if rel in writes or any(w.startswith(rel.rstrip("/") + "/") for w in writes):
                names.add(key)
    return names


def adhoc_parameters(report: Report, extra: dict, out_dir: Path) -> dict:
    """The report's parameters with `extra` applied, and every output parameter that `extra`
    does not set moved into `out_dir` (same relative path). Inputs keep their paths: an ad hoc
    run reads what the pipeline built. SystemExit when an output would land in reports/ or
    data/processed/, which only `make reports` writes."""
    parameters = dict(report.parameters)
    outputs = output_parameters(report)
    for key in outputs - set(extra):
        parameters[key] = relative_to_root(out_dir / relative_to_root(repo_path(parameters[key])))
    parameters.update(extra)
    for key in sorted(outputs):
        target = repo_path(str(parameters[key])).resolve()
        for folder in (REPORTS_DIR, PROCESSED_DIR):
            if target.is_relative_to(folder.resolve()):
                raise SystemExit(
                    f"{key} = {parameters[key]}: an ad hoc run may not write into "
                    f"{relative_to_root(folder)}/ (only `make reports` does); set {key} to a "
                    f"path under build/adhoc/, or leave it out to write into the run's folder"
                )
    return parameters


def adhoc_title(report: Report, extra: dict) -> str:
    """The page title of an ad hoc run: the report's title when nothing was changed, else one
    that says it is a one-off and with which parameters (a fiscal run is not "calendar years")."""
    base = report.title or report.name
    changed = {k: v for k, v in extra.items() if report.parameters.get(k) != v}
    if not changed:
        return f"{base} (ad hoc run)"
    shown = ", ".join(f"{k} = {v}" for k, v in sorted(changed.items()))
    return f"{report.name}: ad hoc run with {shown}"


def adhoc_folder(name: str, out: str | None) -> Path:
    """build/adhoc/<name>-<UTC time>/, or `out` when it is under build/adhoc/ (SystemExit if not)."""
    if out is None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        return ADHOC / f"{name}-{stamp}"
    folder = repo_path(out).resolve()
    if not folder.is_relative_to(ADHOC.resolve()):
        raise SystemExit(f"--out {out}: ad hoc runs write only under {relative_to_root(ADHOC)}/")
    return folder


def run_adhoc(name: str, params_file: str | None = None, out: str | None = None) -> int:
    """Run a pipeline notebook (or any notebook) with other parameters into build/adhoc/<run>/:
    the executed notebook, both renderings and whatever the notebook writes. reports/ and
    data/processed/ are refused to the kernel, so a build in progress is never disturbed."""
    extra = read_parameters(params_file) if params_file else {}
    try:
        report = get_report(name, load_config())
    except KeyError:
        if not repo_path(name).is_file():
            raise SystemExit(
                f"make run NB={name}: neither a report of pipeline.yml nor a notebook"
            ) from None
        path = relative_to_root(repo_path(name))
        report = Report(name=Path(path).stem, notebook=path, title=Path(path).stem, summary="")
    out_dir = adhoc_folder(report.name, out)
    parameters = adhoc_parameters(report, extra, out_dir)
    report = dataclasses.replace(report, title=adhoc_title(report, extra))
    env = kernel_env(out_dir, protected=[REPORTS_DIR, PROCESSED_DIR])
    pages = (out_dir / f"{report.name}.html", out_dir / f"{report.name}-full.html")
    return run(report, parameters, env, pages, out_dir / f"{report.name}.ipynb", pipeline=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m src.run", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("report", help="one report of pipeline.yml into reports/ (Snakemake job)")
    one.add_argument("name")
    adhoc = sub.add_parser("adhoc", help="a notebook with other parameters into build/adhoc/")
    adhoc.add_argument("name", help="a report name from pipeline.yml, or a notebook path")
    adhoc.add_argument("--params-file", help="YAML file of parameters (strings stay strings)")
    adhoc.add_argument("--out", help="folder under build/adhoc/ (default: <name>-<UTC time>)")
    args = parser.parse_args(argv)
    if args.command == "report":
        return run_report(args.name)
    return run_adhoc(args.name, args.params_file, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
