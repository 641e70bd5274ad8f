"""Benchmarks: `make bench` (python -m benchmarks.run [--quick]).

Every comparison is measured in the same run, so ratios hold on a noisy machine; each timing is
the median of several repeats. Results go to benchmarks/results/latest.json and latest.md, and the
Markdown table is printed.

1. cold `make reports` (Snakemake) from a clean copy vs the peer: the loop a user would write
   without this repository, `make -j$(nproc)` over one papermill CLI run plus one `jupyter
   nbconvert` per report, in dependency order;
2. beside them, the old home-made engine's cold build (src/build.py at OLD_ENGINE, run from a
   `git worktree`), so the cost of moving to Snakemake is visible;
3. no-op rebuild; 4. rebuild after `touch` on every input (content unchanged: nothing runs);
   5. rebuild after changing the content of one notebook (only it and the site pages run);
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

OLD_ENGINE = "9ea0b62"  # the last commit built by src/build.py, before Snakemake


def cold_rebuild(repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            repo = _copy_repo(Path(tmp))
            times.append(_timed(["make", "reports", f"VENV={VENV}"], repo))
            _log(f"  cold make reports #{i + 1}: {times[-1]:.1f}s")
    return times


def report_graph() -> dict[str, set[str]]:
    """Each report's upstream reports, from Snakemake's own graph."""
    from src.dag import parse_dot, snakemake_dot

    graph = parse_dot(snakemake_dot())
    names = {r.name for r in load_config()}
    return {n: {a for a, b in graph.edges if b == n and a in names} for n in names}


def peer_makefile(repo: Path, out: Path) -> Path:
    """The Makefile a user would write: per report, papermill then nbconvert, after the reports
    whose outputs it reads."""
    bindir = VENV / "bin"
    graph = report_graph()
    lines = [".PHONY: all", "all: " + " ".join(f"{out}/{n}.html" for n in sorted(graph)), ""]
    for report in load_config():
        params = out / f"{report.name}.yml"
        params.write_text(json.dumps(report.parameters))
        executed = out / f"{report.name}.ipynb"
        needs = " ".join(f"{out}/{u}.html" for u in sorted(graph[report.name]))
        lines += [
            f"{out}/{report.name}.html: {needs}",
            f"\t{bindir}/papermill --no-progress-bar --log-level WARNING {report.notebook} {executed} -f {params} -k python3 --cwd {repo}",
            f"\t{bindir}/jupyter nbconvert --log-level=WARN --to html --no-input {executed} --output {report.name}.html",
            "",
        ]
    path = out / "Makefile"
    path.write_text("\n".join(lines))
    return path


def peer(repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            repo = _copy_repo(Path(tmp) / "repo")
            out = Path(tmp) / "peer"
            out.mkdir()
            makefile = peer_makefile(repo, out)
            jobs = str(os.cpu_count() or 2)
            env = {**_env(), "PYTHONPATH": str(repo)}  # the copy's src/, so it writes the copy
            times.append(_timed(["make", "-j", jobs, "-f", str(makefile)], repo, env))
            _log(f"  peer make -j{jobs} papermill+nbconvert #{i + 1}: {times[-1]:.1f}s")
    return times


def old_engine(repeats: int, rev: str = OLD_ENGINE) -> list[float]:
    """Cold builds with the retired engine, from a git worktree of `rev`, in this environment
    (its own make target would re-sync the environment to its lock)."""
    times = []
    for i in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "old"
            subprocess.run(["git", "worktree", "add", "-q", "--detach", str(tree), rev],
                           cwd=ROOT, check=True, capture_output=True)  # fmt: skip
            try:
                env = {**_env(), "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0",
                       "SOURCE_DATE_EPOCH": "1500000000"}  # fmt: skip
                jobs = str(os.cpu_count() or 2)
                times.append(_timed([PY, "-m", "src.build", "--jobs", jobs], tree, env))
                _log(f"  old engine ({rev}) cold #{i + 1}: {times[-1]:.1f}s")
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                               check=False, capture_output=True)  # fmt: skip
    return times


def incremental(repeats: int) -> tuple[list[float], list[float], list[float], list[str], list[str]]:
    """No-op rebuilds, rebuilds after touching every input, rebuilds after a content change to
    one notebook; and what the last two re-ran (read from the files, not the log)."""
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
        inputs += [repo / "pipeline.yml", repo / "Snakefile", repo / "requirements.lock"]
        for _ in range(repeats):
            before = {p: p.stat().st_mtime_ns for p in outputs}
            for path in inputs:
                os.utime(path)
            touched.append(_timed(["make", "reports", f"VENV={VENV}"], repo))
            touch_ran = sorted(p.stem for p in outputs if p.stat().st_mtime_ns != before[p])
        notebook = repo / "notebooks" / "04_canada_context.ipynb"
        for i in range(repeats):
            before = {p: p.stat().st_mtime_ns for p in outputs}
            nb = json.loads(notebook.read_text())
            nb["cells"].append({"cell_type": "markdown", "id": f"bench-{i}", "metadata": {},
                                "source": f"A note added by the benchmark ({i})."})  # fmt: skip
            notebook.write_text(json.dumps(nb, indent=1) + "\n")
            one.append(_timed(["make", "reports", f"VENV={VENV}"], repo))
            executed = sorted(p.stem for p in outputs if p.stat().st_mtime_ns != before[p])
    return noop, touched, one, touch_ran, executed


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
        f"| cold `make reports` (Snakemake) vs the peer, `make -j` papermill+nbconvert ({p['peer_seconds']:.1f}s) | "
        f"{p['cold_seconds']:.1f} | {p['cold_vs_peer']:.2f} | ≤ 0.9 | {'yes' if p['cold_vs_peer'] <= 0.9 else 'no'} |",
        f"| the old engine's cold build (src/build.py at {p['old_engine_rev']}), for comparison | "
        f"{p['old_engine_seconds']:.1f} | {p['cold_vs_old_engine']:.2f} (new/old) | shown, not a target | |",
        f"| no-op `make reports` | {p['noop_seconds']:.2f} | | < 2 s | {'yes' if p['noop_seconds'] < 2 else 'no'} |",
        f"| after `touch` on every input (re-ran: {', '.join(p['touch_all_executed']) or 'nothing'}) | "
        f"{p['touch_all_seconds']:.2f} | | nothing runs | {'yes' if not p['touch_all_executed'] else 'no'} |",
        f"| after changing one notebook, 04_canada_context (re-ran: {', '.join(p['one_change_executed'])}) | "
        f"{p['one_change_seconds']:.1f} | | only it + index | "
        f"{'yes' if p['one_change_only_it'] else 'no'} |",
        "",
        f"Cleaner measured on {results.get('cleaner_date', results['date'])}:",
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
    parser.add_argument(
        "--pipeline-only",
        action="store_true",
        help="measure the pipeline only; keep the cleaner's rows (and their date) from latest.json",
    )
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    sizes = [10_000] if args.quick else [10_000, 100_000, 1_000_000]

    _log("pipeline: cold builds, the peer, the old engine, incremental")
    cold = cold_rebuild(repeats)
    peer_times = peer(repeats)
    old = old_engine(repeats)
    noop, touched, one, touch_ran, executed = incremental(repeats)
    cold_s, peer_s, old_s = (statistics.median(t) for t in (cold, peer_times, old))
    _log("cleaner: generated files")
    results = {
        "date": dt.date.today().isoformat(),
        "cores": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "repeats": repeats,
        "pipeline": {
            "cold_seconds": round(cold_s, 2),
            "peer_seconds": round(peer_s, 2),
            "cold_vs_peer": round(cold_s / peer_s, 3),
            "old_engine_rev": OLD_ENGINE,
            "old_engine_seconds": round(old_s, 2),
            "cold_vs_old_engine": round(cold_s / old_s, 3),
            "noop_seconds": round(statistics.median(noop), 3),
            "touch_all_seconds": round(statistics.median(touched), 3),
            "touch_all_executed": touch_ran,
            "one_change_seconds": round(statistics.median(one), 2),
            "one_change_executed": executed,
            "one_change_only_it": set(executed) == {"canada_context", "index"},
            "raw_seconds": {
                "cold": cold,
                "peer": peer_times,
                "old_engine": old,
                "noop": noop,
                "touch_all": touched,
                "one_change": one,
            },
        },
        "cleaner": [] if args.pipeline_only else cleaner(sizes, ["csv", "xlsx"], repeats, 100_000),
        "cleaner_date": dt.date.today().isoformat(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.pipeline_only:  # the cleaner's rows of the last full run, with their date
        before = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
        results["cleaner"] = before["cleaner"]
        results["cleaner_date"] = before.get("cleaner_date", before["date"])
    write_json_atomic(RESULTS / "latest.json", results)
    table = markdown(results)
    write_text_atomic(RESULTS / "latest.md", table)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
