"""Benchmarks: `make bench` (python -m benchmarks.run [--quick]).

Every comparison is measured in the same run, so ratios hold on a noisy machine; each timing is
the median of several repeats. Results go to benchmarks/results/latest.json and latest.md, and the
Markdown table is printed.

1. cold rebuild (`make reports` from a clean copy) vs the naive baseline (per notebook, in turn:
   a fresh `papermill` run, then a fresh `jupyter nbconvert`);
2. the floor: kernel start + imports per notebook x notebooks on the longest dependency chain,
   plus those notebooks' compute;
3. no-op rebuild; 4. rebuild after `touch` on every input (content unchanged: nothing runs);
   5. rebuild after changing the content of one figure notebook;
6. the cleaner on generated 10k / 100k / 1M-row CSV and XLSX files: rows per second, peak memory,
   ratio to a plain pandas read of the same file; calamine vs openpyxl for XLSX.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from src.helpers import ROOT, write_json_atomic, write_text_atomic
from src.pipeline import load_config

RESULTS = ROOT / "benchmarks" / "results"
CACHE = ROOT / "benchmarks" / ".cache"
VENV = Path(sys.prefix)
PY = sys.executable


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env or _env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return elapsed


def _copy_repo(dest: Path) -> Path:
    from src.checkout import copy_repo

    return copy_repo(dest)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- pipeline timings


def cold_rebuild(repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            repo = _copy_repo(Path(tmp))
            times.append(_timed(["make", "reports", f"VENV={VENV}"], repo))
            _log(f"  cold make reports #{i + 1}: {times[-1]:.1f}s")
    return times


def dependency_order() -> list:
    """The reports in an order that runs each after the ones whose outputs it reads (pipeline.yml
    lists them in a reader's order instead)."""
    from src.build import plan_reports

    plans = plan_reports(load_config())
    done: list = []
    while len(done) < len(plans):
        for plan in plans:
            if plan.report not in done and all(
                any(d.name == up for d in done) for up in plan.upstream
            ):
                done.append(plan.report)
    return done


def naive_baseline(repeats: int) -> tuple[list[float], dict[str, float]]:
    """Each notebook in turn: papermill CLI, then nbconvert CLI. Returns times and per-notebook
    compute (sum of papermill's cell durations) from the last repeat."""
    times, compute = [], {}
    bindir = VENV / "bin"
    for i in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            repo = _copy_repo(Path(tmp))
            start = time.perf_counter()
            for report in dependency_order():
                out = Path(tmp) / f"{report.name}.ipynb"
                params = Path(tmp) / f"{report.name}.yml"
                params.write_text(json.dumps(report.parameters))
                subprocess.run(
                    [str(bindir / "papermill"), report.notebook, str(out), "-f", str(params), "-k", "python3",
                     "--cwd", str(repo)],
                    cwd=repo, env=_env(), check=True, capture_output=True,
                )  # fmt: skip
                subprocess.run(
                    [str(bindir / "jupyter"), "nbconvert", "--to", "html", str(out)],
                    cwd=repo, env=_env(), check=True, capture_output=True,
                )  # fmt: skip
                if i == repeats - 1:
                    nb = json.loads(out.read_text())
                    compute[report.name] = sum(
                        c.get("metadata", {}).get("papermill", {}).get("duration") or 0
                        for c in nb["cells"]
                    )
            times.append(time.perf_counter() - start)
            _log(f"  naive baseline #{i + 1}: {times[-1]:.1f}s")
    return times, compute


KERNEL_SCRIPT = """
import json, time
from jupyter_client.manager import start_new_kernel
start = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3")
reply = kc.execute_interactive("import pandas, seaborn, matplotlib\\nfrom src import figures, clean, claims", timeout=120)
elapsed = time.perf_counter() - start
kc.stop_channels()
km.shutdown_kernel(now=True)
assert reply["content"]["status"] == "ok", reply
print(json.dumps({"seconds": elapsed}))
"""


def kernel_start_and_imports(repeats: int) -> list[float]:
    """Start a kernel and run the imports every pipeline notebook's first code cell does, timed
    inside one process (no papermill or nbconvert start-up): the unavoidable cost per notebook."""
    return [_subprocess_json(KERNEL_SCRIPT)["seconds"] for _ in range(repeats)]


def incremental(repeats: int) -> tuple[list[float], list[float], list[float], list[str], list[str]]:
    """No-op rebuilds, rebuilds after touching every input, rebuilds after a content change to
    the figure notebook; and what the last two re-ran (read from the files, not the log)."""
    noop, touched, one = [], [], []
    touch_ran: list[str] = []
    executed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = _copy_repo(Path(tmp))
        _timed(["make", "reports", f"VENV={VENV}"], repo)
        for _ in range(repeats):
            noop.append(_timed(["make", "reports", f"VENV={VENV}"], repo))
        outputs = [
            *sorted((repo / "build" / "executed").glob("*.ipynb")),
            repo / "reports" / "index.html",
        ]
        inputs = [p for folder in ("notebooks", "src", "data/raw", "references", "templates")
                  for p in (repo / folder).rglob("*") if p.is_file()]  # fmt: skip
        for _ in range(repeats):
            before = {p: p.stat().st_mtime_ns for p in outputs}
            for path in inputs:
                os.utime(path)
            touched.append(_timed(["make", "reports", f"VENV={VENV}"], repo))
            touch_ran = sorted(p.stem for p in outputs if p.stat().st_mtime_ns != before[p])
        notebook = repo / "notebooks" / "03_figures.ipynb"
        for i in range(repeats):
            before = {p: p.stat().st_mtime_ns for p in outputs}
            nb = json.loads(notebook.read_text())
            nb["cells"].append({"cell_type": "markdown", "id": f"bench-{i}", "metadata": {},
                                "source": f"A note added by the benchmark ({i})."})  # fmt: skip
            notebook.write_text(json.dumps(nb, indent=1) + "\n")
            one.append(_timed(["make", "reports", f"VENV={VENV}"], repo))
            executed = sorted(p.stem for p in outputs if p.stat().st_mtime_ns != before[p])
    return noop, touched, one, touch_ran, executed


def chains() -> list[list[str]]:
    """For each report, the longest path through the graph (outputs feeding inputs) ending at it."""
    from src.build import plan_reports

    deps = {p.name: p.upstream for p in plan_reports(load_config())}
    memo: dict[str, list[str]] = {}

    def chain(name: str) -> list[str]:
        if name not in memo:
            best = max((chain(d) for d in sorted(deps[name])), key=len, default=[])
            memo[name] = [*best, name]
        return memo[name]

    return [chain(name) for name in deps]


# ---------------------------------------------------------------- the cleaner at scale


CLEANER_SCRIPT = """
import json, resource, sys, time
from src.clean import clean_foia
start = time.perf_counter()
result = clean_foia(sys.argv[1], verify_checksums=False)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": elapsed, "rows": result.summary.rows.data_rows_read, "peak_bytes": peak}))
"""
READ_SCRIPT = """
import json, resource, sys, time
import pandas as pd
start = time.perf_counter()
if sys.argv[1].endswith(".csv"):
    frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
else:
    frame = pd.read_excel(sys.argv[1], sheet_name=None, header=None, engine=sys.argv[2])
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def generate_raw(rows: int, kind: str) -> Path:
    """A messy FOIA-like file of `rows` records (cached): the stand-in's people, repeated with
    fresh case numbers, in the stand-in's mixed date forms, labels and redactions."""
    import numpy as np

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"foia_{rows}.{kind}"
    if path.exists():
        return path
    from src import standin

    people = standin.make_people()
    rng = np.random.default_rng(rows)
    header = ["Case Number", "Screening Date", "Nationality", "STCA Exception", "ER", "POE"]
    labels = standin.EXCEPTION_LABELS
    base = []
    for p in people:
        base.append(
            [p["date"], p["citizenship"], p["exception"], p["expedited_removal"], p["port"]]
        )
    picks = rng.integers(0, len(base), size=rows)
    forms = rng.integers(0, 4, size=rows)
    data = []
    for i, (k, form) in enumerate(zip(picks, forms, strict=True)):
        day, cit, exc, er, port = base[k]
        date = (day.isoformat(), f"{day.month}/{day.day}/{day.year}", day.strftime("%d-%b-%Y"),
                str((day - dt.date(1899, 12, 30)).days))[form]  # fmt: skip
        label = labels[exc][i % len(labels[exc])]
        er_text = {True: "Y", False: "N", None: ""}[er]
        data.append([f"C{i:08d}", date, cit, label, er_text, port])
    if kind == "csv":
        import csv

        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["STAND-IN benchmark file"])
            writer.writerow([])
            writer.writerow(header)
            writer.writerows(data)
            writer.writerow(["Total", "", "", "", "", rows])
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("FY all")
        ws.append(["STAND-IN benchmark file"])
        ws.append(header)
        for row in data:
            ws.append(row)
        ws.append(["Total", None, None, None, None, rows])
        wb.save(path)
    return path


def _subprocess_json(script: str, *args: str) -> dict:
    out = subprocess.run(
        [PY, "-c", script, *args], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def cleaner(sizes: list[int], kinds: list[str], repeats: int, openpyxl_max: int) -> list[dict]:
    rows = []
    for kind in kinds:
        for size in sizes:
            path = generate_raw(size, kind)
            clean_runs = [_subprocess_json(CLEANER_SCRIPT, str(path)) for _ in range(repeats)]
            read_runs = [
                _subprocess_json(READ_SCRIPT, str(path), "calamine") for _ in range(repeats)
            ]
            clean_s = statistics.median(r["seconds"] for r in clean_runs)
            read_s = statistics.median(r["seconds"] for r in read_runs)
            entry = {
                "format": kind,
                "rows": size,
                "clean_seconds": round(clean_s, 3),
                "rows_per_second": round(size / clean_s),
                "peak_memory_mb": round(max(r["peak_bytes"] for r in clean_runs) / 2**20),
                "plain_read_seconds": round(read_s, 3),
                "ratio_to_plain_read": round(clean_s / read_s, 2),
            }
            if kind == "xlsx" and size <= openpyxl_max:
                slow = statistics.median(
                    _subprocess_json(READ_SCRIPT, str(path), "openpyxl")["seconds"]
                    for _ in range(repeats)
                )
                entry["openpyxl_read_seconds"] = round(slow, 3)
                entry["calamine_speedup_vs_openpyxl"] = round(slow / read_s, 1)
            rows.append(entry)
            _log(f"  cleaner {kind} {size:>9,} rows: {clean_s:.2f}s (plain read {read_s:.2f}s)")
    return rows


# ---------------------------------------------------------------- report


def markdown(results: dict) -> str:
    p = results["pipeline"]
    lines = [
        f"Benchmark of {results['date']} on {results['cores']} cores ({results['machine']}); "
        f"medians of {results['repeats']} runs.",
        "",
        "| measure | seconds | ratio | target | met |",
        "|---|---|---|---|---|",
        f"| cold `make reports` vs naive papermill+nbconvert ({p['naive_seconds']:.1f}s) | {p['cold_seconds']:.1f} | "
        f"{p['cold_vs_naive']:.2f} | ≤ 0.4 | {'yes' if p['cold_vs_naive'] <= 0.4 else 'no'} |",
        f"| cold `make reports` vs floor ({p['floor_seconds']:.1f}s: {len(p['longest_chain'])} x "
        f"{p['kernel_start_imports_seconds']:.1f}s kernel+imports + {p['chain_compute_seconds']:.1f}s compute) | "
        f"{p['cold_seconds']:.1f} | {p['cold_vs_floor']:.2f} | ≤ 2 | {'yes' if p['cold_vs_floor'] <= 2 else 'no'} |",
        f"| no-op `make reports` | {p['noop_seconds']:.2f} | | < 1 s | {'yes' if p['noop_seconds'] < 1 else 'no'} |",
        f"| after `touch` on every input (re-ran: {', '.join(p['touch_all_executed']) or 'nothing'}) | "
        f"{p['touch_all_seconds']:.2f} | | nothing runs | {'yes' if not p['touch_all_executed'] else 'no'} |",
        f"| after changing one figure notebook (re-ran: {', '.join(p['one_change_executed'])}) | "
        f"{p['one_change_seconds']:.1f} | | only it + index | "
        f"{'yes' if p['one_change_only_it'] else 'no'} |",
        "",
        "| cleaner input | rows | seconds | rows/s | peak MB | plain read s | ratio to plain read | openpyxl read s | calamine speed-up |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in results["cleaner"]:
        lines.append(
            f"| {c['format']} | {c['rows']:,} | {c['clean_seconds']:.2f} | {c['rows_per_second']:,} | "
            f"{c['peak_memory_mb']} | {c['plain_read_seconds']:.2f} | {c['ratio_to_plain_read']:.2f} | "
            f"{c.get('openpyxl_read_seconds', '')} | {c.get('calamine_speedup_vs_openpyxl', '')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, small cleaner sizes only")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]

    _log("pipeline: cold builds, naive baseline, floor, incremental")
    cold = cold_rebuild(repeats)
    naive, compute = naive_baseline(repeats)
    kernel = kernel_start_and_imports(max(repeats, 3))
    noop, touched, one, touch_ran, executed = incremental(repeats)
    k = statistics.median(kernel)

    def floor_of(names: list[str]) -> float:
        return len(names) * k + sum(compute.get(name, 0) for name in names)

    # the floor: the slowest chain of dependent notebooks, if everything else ran beside it
    chain = max(chains(), key=floor_of)
    chain_compute = sum(compute.get(name, 0) for name in chain)
    floor = floor_of(chain)
    cold_s, naive_s = statistics.median(cold), statistics.median(naive)
    _log("cleaner: generated files")
    results = {
        "date": dt.date.today().isoformat(),
        "cores": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "repeats": repeats,
        "pipeline": {
            "cold_seconds": round(cold_s, 2),
            "naive_seconds": round(naive_s, 2),
            "cold_vs_naive": round(cold_s / naive_s, 3),
            "kernel_start_imports_seconds": round(k, 2),
            "longest_chain": chain,
            "notebook_compute_seconds": {n: round(v, 2) for n, v in compute.items()},
            "chain_compute_seconds": round(chain_compute, 2),
            "floor_seconds": round(floor, 2),
            "cold_vs_floor": round(cold_s / floor, 3),
            "noop_seconds": round(statistics.median(noop), 3),
            "touch_all_seconds": round(statistics.median(touched), 3),
            "touch_all_executed": touch_ran,
            "one_change_seconds": round(statistics.median(one), 2),
            "one_change_executed": executed,
            "one_change_only_it": set(executed) == {"figures_calendar", "figures_fiscal", "index"},
            "raw_seconds": {
                "cold": cold,
                "naive": naive,
                "kernel": kernel,
                "noop": noop,
                "touch_all": touched,
                "one_change": one,
            },
        },
        "cleaner": cleaner(sizes, ["csv", "xlsx"], repeats, openpyxl_max=100_000),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_json_atomic(RESULTS / "latest.json", results)
    table = markdown(results)
    write_text_atomic(RESULTS / "latest.md", table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
