"""`make diff`: every published value that moved between two versions, keyed by each table's
primary key, found by daff. A seeded change is reported exactly, and nothing else is."""

from __future__ import annotations

import json

import pytest

from src import diff

HEADER = "measure,period,value,status,source\n"
ROWS = [
    "claims,2017-01,925,official,https://example.org/a\n",
    "claims,2017-02,1245,official,https://example.org/a\n",
    "claims,2017-03,1595,official,https://example.org/a\n",
]


def _site(reports, rows, extra=None):
    """A reports/ folder: data/flows.csv (keyed by measure and period) and its package."""
    folder = reports / "data"
    folder.mkdir(parents=True)
    (folder / "flows.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    resources = [{"name": "flows", "path": "flows.csv",
                  "schema": {"fields": [], "primaryKey": ["measure", "period"]}}]  # fmt: skip
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
        resources.append({"name": name, "path": name, "schema": {"fields": []}})
    (folder / "datapackage.json").write_text(json.dumps({"resources": resources}))
    return reports


def test_a_seeded_change_is_reported_exactly(tmp_path):
    base = _site(tmp_path / "base", ROWS)
    revised = ROWS[1].replace("1245", "1250")  # IRCC revises February
    head = _site(tmp_path / "head", [ROWS[2], revised, ROWS[0]])  # and the rows come reordered
    changes = diff.diff_sites(base, head)
    assert changes == [{"table": "flows.csv", "key": "claims / 2017-02", "change": "changed",
                        "column": "value", "old": "1245", "new": "1250", "status": "official",
                        "source": "https://example.org/a"}]  # fmt: skip


def test_added_and_removed_rows_and_tables(tmp_path):
    base = _site(tmp_path / "base", ROWS, {"old.csv": "a\n1\n"})
    head = _site(tmp_path / "head", [*ROWS[1:], "claims,2017-04,1590,official,x\n"])
    changes = diff.diff_sites(base, head)
    kinds = sorted((c["table"], c["key"], c["change"]) for c in changes)
    assert kinds == [
        ("flows.csv", "claims / 2017-01", "removed"),
        ("flows.csv", "claims / 2017-04", "added"),
        ("old.csv", "", "table removed"),
    ]
    assert "3 changes to published values since v0" in diff.summary(changes, "v0")
    path = diff.write_changes(changes, tmp_path / "changes.csv")
    assert path.read_text().splitlines()[0] == ",".join(diff.CHANGE_COLUMNS)


def test_no_change_says_so(tmp_path):
    base, head = _site(tmp_path / "base", ROWS), _site(tmp_path / "head", ROWS)
    assert diff.diff_sites(base, head) == []
    assert diff.summary([], "v0.1.0") == "No published value changed since v0.1.0."


def test_an_unknown_base_is_refused_by_name():
    with pytest.raises(SystemExit, match="BASE=no-such-ref: not a git commit"):
        diff.build_base("no-such-ref")


def test_chart_data_is_compared_from_the_figures_folders(tmp_path):
    """Each chart's data is compared where every version keeps it (reports/figures/<report>/),
    under its name in the data package (charts/<report>/<chart>.csv)."""
    base, head = _site(tmp_path / "base", ROWS), _site(tmp_path / "head", ROWS)
    for reports, count in ((base, "7"), (head, "8")):
        folder = reports / "figures" / "figures_calendar"
        folder.mkdir(parents=True)
        (folder / "cases_per_year.csv").write_text(f"year,cases,status\n2017,{count},published\n")
    changes = diff.diff_sites(base, head)
    assert [(c["table"], c["column"], c["old"], c["new"]) for c in changes] == [
        ("charts/figures_calendar/cases_per_year.csv", "cases", "7", "8")
    ]
