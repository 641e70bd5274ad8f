"""`make reports` in one process: work out what is stale from content, run it, write the index.

  python -m src.build [--jobs N] [--dry-run]

A report is stale when the content of anything it is built from changed since its last
successful run: its notebook, parameters, data inputs (pipeline.yml), the src/ files its code
imports (derived from the source, see src/deps.py), the runner and its templates, or the
environment lock; or when one of its products is missing or was changed by hand. What each
report was built from is recorded in build/records/ (hashes), only when its run succeeds. A
report that reads another's outputs is judged after that one has run, so a rebuild whose
outputs come out byte-identical stops there.

Stale notebooks run concurrently (up to --jobs, in dependency order) in one process; kernels are
started, with pandas and matplotlib imported, while earlier notebooks run. Both HTML renderings
are exported from the same process. A failure keeps the failed notebook in build/failed/,
removes that report's products and the index, and the build exits non-zero; Ctrl-C does the same
for every notebook that was running.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from src.helpers import ROOT, relative_to_root, repo_path, write_json_atomic
from src.pipeline import BUILD, Report, expand_inputs, load_config

RECORDS = BUILD / "records"
HASH_CACHE = BUILD / "hashes.json"
DEPS_CACHE = BUILD / "imports.json"
# Built from these besides its own inputs: the runner (and every src file it imports), its
# templates and the environment lock.
RUNNER_MODULES = ["src/build.py", "src/pipeline.py"]
RUNNER_FOLDERS = ["templates/stca"]
ENVIRONMENT = ["requirements.lock"]
INDEX_FILES = ["pipeline.yml", "templates/index.html.j2", "templates/provenance.html.j2",
               "data/raw/PROVENANCE.md", "data/raw/context/README.md"]  # fmt: skip
# Imported in each kernel before its notebook is given to it (what every notebook imports first).
WARM_UP = "import numpy, pandas, matplotlib.pyplot, seaborn"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- content hashes


class FileHashes:
    """SHA-256 of files, cached by size and modification time (a `touch` costs one re-read, not
    a rebuild)."""

    def __init__(self, cache: Path = HASH_CACHE):
        self.cache = cache
        try:
            self.known = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self.changed = False

    def sha(self, path: str) -> str | None:
        """The file's SHA-256, or None when it does not exist."""
        full = repo_path(path)
        try:
            st = full.stat()
        except OSError:
            return None
        key = [st.st_size, st.st_mtime_ns]
        cached = self.known.get(path)
        if cached and cached[:2] == key:
            return cached[2]
        digest = hashlib.sha256(full.read_bytes()).hexdigest()
        self.known[path] = [*key, digest]
        self.changed = True
        return digest

    def of(self, paths) -> dict[str, str | None]:
        return {p: self.sha(p) for p in sorted(set(paths))}

    def save(self) -> None:
        if self.changed:
            write_json_atomic(self.cache, self.known)
            self.changed = False


class ImportCache:
    """Each file's imported module names, keyed by its content hash (parsing every src file on
    every no-op build would cost more than the rest of the check)."""

    def __init__(self, hashes: FileHashes, cache: Path = DEPS_CACHE):
        self.hashes, self.cache = hashes, cache
        try:
            self.known = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self.changed = False

    def names(self, path: Path, module: str, parse) -> list[str]:
        rel = relative_to_root(path)
        digest = self.hashes.sha(rel)
        entry = self.known.get(rel)
        if entry and entry[0] == digest:
            return entry[1]
        names = sorted(parse(path, module))
        self.known[rel] = [digest, names]
        self.changed = True
        return names

    def save(self) -> None:
        if self.changed:
            write_json_atomic(self.cache, self.known)
            self.changed = False


# ---------------------------------------------------------------- what each report is built from


@dataclass
class Plan:
    """What the build knows about one report before running it."""

    report: Report
    upstream: set[str]  # reports whose outputs it reads

    @property
    def name(self) -> str:
        return self.report.name

    @property
    def products(self) -> list[str]:
        r = self.report
        return [relative_to_root(p) for p in (r.executed, r.html, r.html_full)] + list(r.outputs)

    @property
    def record_path(self) -> Path:
        return RECORDS / f"{self.name}.json"


def plan_reports(reports: list[Report]) -> list[Plan]:
    """One Plan per report, with the reports it depends on (its inputs that others write)."""
    producers = {out: r.name for r in reports for out in r.outputs}
    plans = []
    for r in reports:
        files, _ = expand_inputs(r.inputs)
        upstream = {producers[f] for f in files if f in producers} - {r.name}
        plans.append(Plan(r, upstream))
    _check_acyclic(plans)
    return plans


def _check_acyclic(plans: list[Plan]) -> None:
    deps = {p.name: p.upstream for p in plans}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 1:
            raise SystemExit(
                f"pipeline.yml: reports depend on each other in a cycle: {' -> '.join([*path, name])}"
            )
        if state.get(name) == 2:
            return
        state[name] = 1
        for up in sorted(deps[name]):
            visit(up, [*path, name])
        state[name] = 2

    for name in deps:
        visit(name, [])


def code_inputs(notebook: str, imports: ImportCache) -> list[str]:
    """The src files a notebook's code imports, followed through src (see src/deps.py)."""
    from src import deps

    return deps.code_dependencies(notebook, names_of=imports.names)


def runner_inputs(imports: ImportCache) -> list[str]:
    from src import deps

    files, _ = expand_inputs(RUNNER_FOLDERS)
    return [
        *deps.module_dependencies(*RUNNER_MODULES, names_of=imports.names),
        *files,
        *ENVIRONMENT,
    ]


def report_inputs(plan: Plan, hashes: FileHashes, imports: ImportCache, runner: list[str]):
    """{path: sha256 or None} of everything the report is built from."""
    files, _ = expand_inputs(plan.report.inputs)
    paths = [*files, plan.report.notebook, *code_inputs(plan.report.notebook, imports), *runner]
    return hashes.of(paths)


def read_record(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stale_reason(inputs: dict, parameters: dict, products: list[str], record: dict | None,
                 hashes: FileHashes) -> str | None:  # fmt: skip
    """Why a report must run (None when it is current)."""
    if record is None:
        return "no record of a successful run"
    if record.get("parameters") != parameters:
        return "its parameters changed"
    before = record.get("inputs", {})
    changed = sorted(p for p in set(inputs) | set(before) if inputs.get(p) != before.get(p))
    if changed:
        first = changed[0]
        if first not in inputs:
            how = "is no longer an input"
        elif inputs[first] is None:
            how = "is missing"
        else:
            how = "is new" if first not in before else "changed"
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        return f"{first} {how}{more}"
    made = record.get("products", {})
    for product in products:
        sha = hashes.sha(product)
        if sha is None:
            return f"{product} is missing"
        if sha != made.get(product):
            return f"{product} was changed since it was built"
    return None


def write_record(path: Path, inputs: dict, parameters: dict, products: list[str],
                 hashes: FileHashes) -> None:  # fmt: skip
    write_json_atomic(path, {"inputs": inputs, "parameters": parameters,
                             "products": hashes.of(products)})  # fmt: skip


def remove_record(path: Path) -> None:
    path.unlink(missing_ok=True)


# ---------------------------------------------------------------- kernels, started ahead


class Kernel:
    """A started kernel (cwd: the repository root) and its client, with WARM_UP imported."""

    def __init__(self, km, kc):
        self.km, self.kc = km, kc

    ATTEMPTS = 3

    @classmethod
    async def start(cls, env: dict) -> Kernel:
        """A ready kernel. A kernel that dies before it is ready is started again (up to
        ATTEMPTS): its ports are picked free but bound a moment later, so another process (a
        JupyterLab, a second build) can take one in between ('Address already in use')."""
        for attempt in range(1, cls.ATTEMPTS + 1):
            try:
                return await cls._start_once(env)
            except RuntimeError as err:
                if attempt == cls.ATTEMPTS or "died" not in str(err).lower():
                    raise
                print(f"a kernel died while starting ({err}); starting another", file=sys.stderr)
        raise AssertionError("unreachable")

    @classmethod
    async def _start_once(cls, env: dict) -> Kernel:
        from jupyter_client.manager import AsyncKernelManager

        km = AsyncKernelManager(kernel_name="python3")
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
                raise RuntimeError(
                    f"a new kernel could not import what notebooks need: {reply['content']}"
                )
        except BaseException:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            raise
        return cls(km, kc)

    async def shutdown(self) -> None:
        self.kc.stop_channels()
        if self.km.has_kernel:
            await self.km.shutdown_kernel(now=True)


class KernelPool:
    """Keeps kernels starting ahead of the notebooks that will need them: up to `ahead` ready
    or starting, never more than `needed` in all. Each notebook gets a fresh kernel."""

    def __init__(self, needed: int, ahead: int, env: dict):
        import asyncio

        self.needed, self.ahead, self.env = needed, ahead, env
        self.ready: asyncio.Queue = asyncio.Queue()
        self.starting: set[asyncio.Task] = set()
        self.started = 0
        self.taken = 0
        self._fill()

    def _fill(self) -> None:
        import asyncio

        in_hand = self.started - self.taken  # ready or starting, not yet given out
        while in_hand < self.ahead and self.started < self.needed:
            task = asyncio.ensure_future(self._start())
            self.starting.add(task)
            task.add_done_callback(self.starting.discard)
            self.started += 1
            in_hand += 1

    async def _start(self) -> None:
        try:
            kernel = await Kernel.start(self.env)
        except Exception as err:  # noqa: BLE001 - handed to the notebook that takes it
            await self.ready.put(err)
            return
        await self.ready.put(kernel)

    async def take(self) -> Kernel:
        self.taken += 1
        self.needed = max(self.needed, self.taken)
        self._fill()
        got = await self.ready.get()
        if isinstance(got, Exception):
            raise got
        return got

    def no_more(self, count: int) -> None:
        """At most `count` more notebooks will ask for a kernel."""
        self.needed = min(self.needed, self.taken + count)

    async def close(self) -> None:
        import asyncio

        for task in list(self.starting):
            task.cancel()
        await asyncio.gather(*self.starting, return_exceptions=True)
        while not self.ready.empty():
            got = self.ready.get_nowait()
            if isinstance(got, Kernel):
                await got.shutdown()


# ---------------------------------------------------------------- running one notebook


class StepFailed(Exception):
    """A notebook failed; the message is what the log says."""


def _client_class():
    from contextlib import asynccontextmanager

    from nbclient import NotebookClient

    class BuildClient(NotebookClient):
        """nbclient with the kernel provided (and stopped) by the build, which also handles
        Ctrl-C for every notebook at once."""

        @asynccontextmanager
        async def async_setup_kernel(self, **kwargs):
            yield

    return BuildClient


def parameterized(report: Report, parameters: dict):
    """The report's notebook with papermill's injected-parameters cell after its parameters cell."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(repo_path(report.notebook)))  # papermill's loader
    nb = parameterize_notebook(nb, parameters, kernel_name="python3", language="python")
    return nb


async def execute(report: Report, kernel: Kernel, parameters: dict, out_dir: Path,
                  html: Path, html_full: Path, check_outputs: bool) -> None:  # fmt: skip
    """Run the notebook in `kernel` and write the executed notebook and both renderings.
    StepFailed (or CancelledError) leaves the partial notebook in build/failed/."""
    import asyncio

    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from src.pipeline import export_html, finalise_notebook

    nb = parameterized(report, parameters)
    total = len(nb.cells)
    current = {"index": 0}

    def progress(cell, cell_index):
        current["index"] = cell_index
        _log(f"[{report.name}] cell {cell_index + 1}/{total}")

    client = _client_class()(
        nb, km=kernel.km, timeout=report.execution_timeout, record_timing=False,
        on_cell_start=progress, allow_errors=False,
    )  # fmt: skip
    client.kc = kernel.kc
    failed = BUILD / "failed" / f"{report.name}.ipynb"
    failed.unlink(missing_ok=True)
    try:
        await client.async_execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
        _save(nb, failed)
        cell = nb.cells[current["index"]]
        source = "\n    ".join(cell.source.strip().splitlines()[:3])
        last_line = [line for line in str(err).strip().splitlines() if line.strip()][-1:]
        name = getattr(err, "ename", type(err).__name__)
        value = getattr(err, "evalue", "")
        what = f"{name}: {value}" if value else (last_line[0] if last_line else name)
        raise StepFailed(
            f"[{report.name}] ✗ FAILED in {report.notebook}, cell {current['index'] + 1} of {total}:\n"
            f"    {source}\n  {what}\n"
            f"  The failed notebook, with its outputs up to the error, is kept at {relative_to_root(failed)}.\n"
            f"  Its reports were removed so nothing stale looks current."
        ) from err
    except asyncio.CancelledError:
        _save(nb, failed)
        raise
    finalise_notebook(nb)
    if check_outputs:
        missing = [out for out in report.outputs if not repo_path(out).exists()]
        if missing:
            raise StepFailed(
                f"[{report.name}] ✗ the notebook ran but did not write its declared outputs: {missing}"
            )
    await asyncio.to_thread(export_html, nb, report.name, report.title, report.notebook,
                            parameters, html, html_full)  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    _save(nb, out_dir / f"{report.name}.ipynb")


def _save(nb, path: Path) -> None:
    import nbformat

    from src.helpers import atomic_path

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        nbformat.write(nb, str(tmp))


def kernel_env() -> dict:
    from src.helpers import LINKS_FROM_ENV

    env = dict(os.environ)
    env[LINKS_FROM_ENV] = "reports"  # links in the pages are relative to reports/
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def remove_products(plan: Plan) -> None:
    """A failed or interrupted report leaves nothing that looks finished: its renderings, its
    executed notebook, its declared outputs (the whole set) and the index that would link it."""
    for product in [*plan.products, "reports/index.html"]:
        repo_path(product).unlink(missing_ok=True)
    remove_record(plan.record_path)
    remove_record(RECORDS / "index.json")


# ---------------------------------------------------------------- the build


async def build(plans: list[Plan], jobs: int, dry_run: bool = False) -> int:
    """Run every stale report (dependencies first, up to `jobs` at once), then the index.
    Returns the process exit code."""
    import asyncio

    hashes = FileHashes()
    imports = ImportCache(hashes)
    runner = runner_inputs(imports)
    by_name = {p.name: p for p in plans}
    downstream: dict[str, set[str]] = {p.name: set() for p in plans}
    for p in plans:
        for up in p.upstream:
            downstream[up].add(p.name)

    def current_state(plan: Plan):
        inputs = report_inputs(plan, hashes, imports, runner)
        reason = stale_reason(inputs, plan.report.parameters, plan.products,
                              read_record(plan.record_path), hashes)  # fmt: skip
        return inputs, reason

    # Which reports will probably run: stale now, or downstream of one that is.
    reasons = {p.name: current_state(p)[1] for p in plans}
    likely: set[str] = set()
    for name, reason in reasons.items():
        if reason is not None:
            likely |= {name} | _all_downstream(name, downstream)
    if dry_run:
        for p in plans:
            reason = reasons[p.name]
            _log(
                f"[{p.name}] {'stale: ' + reason if reason else 'current'}"
                + ("" if reason or p.name not in likely else " (may re-run after its inputs)")
            )
        return 0

    pool = KernelPool(needed=len(likely), ahead=jobs, env=kernel_env()) if likely else None
    pending = {p.name for p in plans}
    running: dict[asyncio.Task, str] = {}
    done: set[str] = set()
    failed: set[str] = set()
    ran: list[str] = []
    try:
        while pending or running:
            for name in [p.name for p in plans if p.name in pending]:
                plan = by_name[name]
                if plan.upstream & failed:
                    pending.discard(name)
                    failed.add(name)
                    _log(
                        f"[{name}] not run: it reads the outputs of {', '.join(sorted(plan.upstream & failed))}, which failed"
                    )
                    remove_products(plan)
                    continue
                if not plan.upstream <= done or len(running) >= jobs:
                    continue
                inputs, reason = current_state(plan)
                pending.discard(name)
                if reason is None:
                    done.add(name)
                    continue
                _log(
                    f"[{name}] ▶ {plan.report.notebook} with {json.dumps(plan.report.parameters, sort_keys=True)} ({reason})"
                )
                if pool is None:  # an input changed while the build was deciding: start one now
                    pool = KernelPool(needed=1, ahead=jobs, env=kernel_env())
                running[asyncio.ensure_future(_run(plan, pool, inputs, hashes))] = name
            if pool is not None:
                remaining = len(
                    [n for n in pending if n in likely or _upstream_pending(by_name[n], pending)]
                )
                pool.no_more(remaining)
            if not running:
                continue
            finished, _ = await asyncio.wait(list(running), return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                name = running.pop(task)
                if task.result():
                    done.add(name)
                    ran.append(name)
                else:
                    failed.add(name)
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        if pool is not None:
            await pool.close()
        hashes.save()
        imports.save()
    if failed:
        _log(f"build failed: {', '.join(sorted(failed))}; the index was removed")
        return 1
    return build_index_if_stale(plans, hashes, force=bool(ran))


def _all_downstream(name: str, downstream: dict[str, set[str]]) -> set[str]:
    found, todo = set(), [name]
    while todo:
        for child in downstream[todo.pop()]:
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _upstream_pending(plan: Plan, pending: set[str]) -> bool:
    return bool(plan.upstream & pending)


async def _run(plan: Plan, pool: KernelPool, inputs: dict, hashes: FileHashes) -> bool:
    """Run one report; True when it succeeded (its record written), False when it failed."""
    import asyncio

    started = time.monotonic()
    report = plan.report
    kernel = await pool.take()
    try:
        await execute(report, kernel, report.parameters, BUILD / "executed", report.html,
                      report.html_full, check_outputs=True)  # fmt: skip
    except StepFailed as err:
        _log(str(err))
        remove_products(plan)
        return False
    except Exception as err:  # noqa: BLE001 - any other failure fails this report, not the build's bookkeeping
        _log(f"[{plan.name}] ✗ FAILED: {type(err).__name__}: {err}")
        remove_products(plan)
        return False
    except asyncio.CancelledError:
        _log(f"[{plan.name}] ✗ interrupted; its reports were removed")
        remove_products(plan)
        raise
    finally:
        await kernel.shutdown()
    write_record(plan.record_path, inputs, report.parameters, plan.products, hashes)
    _log(
        f"[{plan.name}] ✓ done in {time.monotonic() - started:.1f}s -> {relative_to_root(report.html)}"
    )
    return True


def index_inputs(plans: list[Plan], hashes: FileHashes, imports: ImportCache) -> dict:
    from src import deps
    from src.site import DATASETS

    paths = [
        *INDEX_FILES,
        *deps.module_dependencies("src/pipeline.py", "src/site.py", names_of=imports.names),
    ]
    paths += [relative_to_root(p.report.executed) for p in plans]
    paths += [relative_to_root(path) for path, _, _ in DATASETS]
    return hashes.of(paths)


def build_index_if_stale(plans: list[Plan], hashes: FileHashes, force: bool) -> int:
    from src.pipeline import build_index

    imports = ImportCache(hashes)
    inputs = index_inputs(plans, hashes, imports)
    record_path = RECORDS / "index.json"
    products = ["reports/index.html", "reports/provenance.html"]
    reason = (
        "a report was rebuilt"
        if force
        else stale_reason(inputs, {}, products, read_record(record_path), hashes)
    )
    if reason is not None:
        build_index([p.report for p in plans])
        _log("[index] ✓ reports/index.html")
        write_record(record_path, inputs, {}, products, hashes)
    hashes.save()
    imports.save()
    return 0


def main(argv: list[str] | None = None) -> int:
    import asyncio

    parser = argparse.ArgumentParser(
        prog="python -m src.build", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 2,
        help="notebooks run at once (default: the number of cores)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what is stale and why; run nothing"
    )
    args = parser.parse_args(argv)
    plans = plan_reports(load_config())
    try:
        return asyncio.run(build(plans, max(1, args.jobs), args.dry_run))
    except KeyboardInterrupt:
        _log(
            "build interrupted: the notebooks that were running were stopped and their reports removed"
        )
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
