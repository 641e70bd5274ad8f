"""`make diff BASE=<git ref>`: which published values moved between a base version and this
working tree. The base is checked out in a throwaway git worktree under build/diff/ and built
there with `make reports`; then every CSV of both reports/data/ folders is compared with daff,
row by row by the table's primary key (from this tree's datapackage.json), and each added,
removed or changed value is listed (old -> new, with the row's status and source).

Writes build/diff/changes.csv and prints a summary; exit code 0 whether or not values changed.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from src.datasets import CHARTS_DIR, DATA_DIR_NAME, PACKAGE_NAME
from src.helpers import REPORTS_DIR, ROOT, relative_to_root, write_text_atomic

DIFF_DIR = ROOT / "build" / "diff"
CHANGE_COLUMNS = ["table", "key", "change", "column", "old", "new", "status", "source"]


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [list(row) for row in csv.reader(handle)]


def _context(header: list[str], row: list[str], name: str) -> str:
    """The row's value of the first column whose name is or ends with `name` ('' if none)."""
    for i, column in enumerate(header):
        if column == name or column.endswith("_" + name):
            return row[i] if i < len(row) else ""
    return ""


def diff_table(base: Path, head: Path, key: list[str], table: str) -> list[dict]:
    """Every value added, removed or changed from `base` to `head` (two CSV files), rows matched
    by `key` (columns; by daff's own row alignment when empty). One record per changed cell, one
    per added or removed row."""
    import daff

    old, new = _rows(base), _rows(head)
    flags = daff.CompareFlags()
    for column in key:
        if column in old[0] and column in new[0]:
            flags.addPrimaryKey(column)
    flags.unchanged_context = 0
    flags.show_unchanged_columns = True  # the status and source of a changed row
    align = daff.Coopy.compareTables(daff.PythonTableView(old), daff.PythonTableView(new), flags)
    marked = daff.PythonTableView([])
    daff.TableDiff(align.align(), flags).hilite(marked)
    table_rows = marked.data
    header = [str(c) for c in table_rows[0][1:]]
    changes = []
    for action, *cells in table_rows[1:]:
        cells = ["" if c is None else str(c) for c in cells]
        ident = " / ".join(cells[header.index(k)] for k in key if k in header) or "(row)"
        status, source = _context(header, cells, "status"), _context(header, cells, "source")
        if action in ("+++", "---"):
            changes.append({"table": table, "key": ident,
                            "change": "added" if action == "+++" else "removed",
                            "column": "", "old": "", "new": "", "status": status,
                            "source": source})  # fmt: skip
        elif action == "->":
            for column, cell in zip(header, cells, strict=False):
                if "->" in cell:
                    before, after = cell.split("->", 1)
                    changes.append({"table": table, "key": ident, "change": "changed",
                                    "column": column, "old": before, "new": after,
                                    "status": status.split("->")[-1],
                                    "source": source.split("->")[-1]})  # fmt: skip
    return changes


def primary_keys(data_dir: Path) -> dict[str, list[str]]:
    """{CSV path relative to data_dir: its primary key} from data_dir's datapackage.json."""
    package = json.loads((data_dir / PACKAGE_NAME).read_text(encoding="utf-8"))
    return {r["path"]: r["schema"].get("primaryKey", []) for r in package["resources"]}


def published_csvs(reports: Path) -> dict[str, Path]:
    """Every CSV a reports/ folder publishes, by its path in the data package: the datasets in
    reports/data/ and each chart's data, read from reports/figures/<report>/ (where every
    version keeps it; the package holds a copy under charts/)."""
    files = {p.name: p for p in (reports / DATA_DIR_NAME).glob("*.csv")}
    for path in sorted((reports / "figures").glob("*/*.csv")):
        files[f"{CHARTS_DIR}/{path.parent.name}/{path.name}"] = path
    return files


def diff_sites(base: Path, head: Path) -> list[dict]:
    """Every published value that moved between two reports/ folders: tables added or removed
    whole, and each table's changes by its primary key (from head's data package)."""
    keys = primary_keys(head / DATA_DIR_NAME)
    old, new = published_csvs(base), published_csvs(head)
    changes = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new or name not in old:
            kind = "table removed" if name not in new else "table added"
            changes.append(dict.fromkeys(CHANGE_COLUMNS, "") | {"table": name, "change": kind})
            continue
        changes += diff_table(old[name], new[name], keys.get(name, []), name)
    return changes


def build_base(ref: str) -> Path:
    """Check `ref` out in a throwaway worktree under build/diff/ and build its reports there;
    return its reports/ folder."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=ROOT,
                            capture_output=True, text=True)  # fmt: skip
    if commit.returncode != 0:
        raise SystemExit(f"make diff BASE={ref}: not a git commit, tag or branch here")
    folder = DIFF_DIR / commit.stdout.strip()[:12]
    if not folder.exists():
        DIFF_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(folder), commit.stdout.strip()],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    print(f"[diff] building {ref} in {relative_to_root(folder)} (make reports)", file=sys.stderr)
    subprocess.run(["make", "-C", str(folder), "reports"], check=True)
    return folder / "reports"


def write_changes(changes: list[dict], target: Path) -> Path:
    """The changes as a CSV (one row per changed value, added or removed row)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CHANGE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(changes)
    return write_text_atomic(target, buffer.getvalue())


def summary(changes: list[dict], base: str) -> str:
    """The changes in words: one line each, grouped by table."""
    if not changes:
        return f"No published value changed since {base}."
    lines = [f"{len(changes)} changes to published values since {base}:"]
    for c in changes:
        if c["change"] == "changed":
            lines.append(f"  {c['table']} [{c['key']}] {c['column']}: {c['old']} -> {c['new']}"
                         f" ({c['status'] or 'no status'}{'; ' + c['source'] if c['source'] else ''})")  # fmt: skip
        else:
            where = f" [{c['key']}]" if c["key"] else ""
            lines.append(f"  {c['table']}{where}: {c['change']} ({c['status'] or 'no status'})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make diff", description=__doc__.splitlines()[0])
    parser.add_argument("base", help="a git ref: a release tag (v0.1.0), a branch or a commit")
    args = parser.parse_args(argv)
    if not (REPORTS_DIR / DATA_DIR_NAME / PACKAGE_NAME).exists():
        raise SystemExit("make diff: build this tree first (make reports)")
    changes = diff_sites(build_base(args.base), REPORTS_DIR)
    path = write_changes(changes, DIFF_DIR / "changes.csv")
    print(summary(changes, args.base))
    print(f"[diff] {len(changes)} changes -> {relative_to_root(path)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
