"""Copies of this checkout, for builds that must not touch the work tree (tests, benchmarks)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from src.helpers import ROOT


def copy_repo(dest: Path, root: Path = ROOT) -> Path:
    """Copy the tracked and the untracked-but-not-ignored files of `root` (as they are in the
    work tree, uncommitted edits included) to `dest`; return `dest`."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        source = root / rel
        if not source.exists():
            continue  # deleted in the work tree, not yet committed
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return dest
