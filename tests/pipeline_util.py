"""Helpers for tests that build the whole pipeline in a throwaway copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from src.checkout import copy_repo  # noqa: F401 - re-exported for the tests

VENV = Path(sys.prefix)


def run_make(repo: Path, *targets: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run make in `repo` with this test run's environment as the project env (no reinstall)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTHONPATH")
    }
    return subprocess.run(
        ["make", *targets, f"VENV={VENV}"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def executed_reports(output: str) -> list[str]:
    """Names of the reports a make run executed (from the runner's '▶' lines)."""
    return sorted(line.split("]")[0].lstrip("[") for line in output.splitlines() if "] ▶ " in line)


def planned_jobs(output: str) -> list[str]:
    """The jobs a dry run (`make plan`) would run, from Snakemake's job-stats table."""
    lines = output.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["job", "count"])
    except StopIteration:
        return []  # "Nothing to be done"
    jobs = []
    for line in lines[start + 2 :]:
        name = line.split()[0] if line.split() else "total"
        if name == "total":
            break
        jobs.append(name)
    return sorted(jobs)


def clone_built(repo: Path, dest: Path) -> Path:
    """Copy an already built repository (mtimes kept, so make sees it as built)."""
    target = dest / "repo"
    shutil.copytree(repo, target, symlinks=True)
    return target
