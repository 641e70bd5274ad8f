"""reports/data/datapackage.json: a Frictionless Data Package that describes every published CSV,
validated with the frictionless library, and that catches a wrong value when one is seeded."""

from __future__ import annotations

import json
import shutil

import frictionless
import pytest

from src import official
from src.datapackage import validate
from src.status import STATUSES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(built_repo):
    return built_repo[0] / "reports"


def package(site) -> dict:
    return json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))


def test_the_package_and_every_resource_validate(site):
    assert validate(site / "data" / "datapackage.json") == []
    report = frictionless.validate(str(site / "data" / "datapackage.json"))
    assert report.valid and len(report.tasks) == len(package(site)["resources"])


def test_every_published_csv_is_in_the_package_with_a_schema(site):
    described = {r["path"]: r for r in package(site)["resources"]}
    data = site / "data"
    published = {p.relative_to(data).as_posix() for p in data.rglob("*.csv")}
    assert published == set(described)
    for chart_csv in (site / "figures").rglob("*.csv"):  # each chart's data, the same bytes
        copy = data / "charts" / chart_csv.parent.name / chart_csv.name
        assert copy.read_bytes() == chart_csv.read_bytes(), chart_csv
    for resource in described.values():
        fields = resource["schema"]["fields"]
        assert fields and all(f["type"] for f in fields), resource["name"]
        assert resource["licenses"] and resource["sources"], resource["name"]


def test_facts_come_from_one_home(site):
    """Allowed values are the pandera schemas' and the status vocabulary, not restated."""
    resources = {r["name"]: r for r in package(site)["resources"]}
    flows = {f["name"]: f for f in resources["border-flows"]["schema"]["fields"]}
    assert flows["measure"]["constraints"]["enum"] == list(official.MEASURES)
    assert "0 to 5" in flows["value"]["description"]  # suppressed is not zero
    assert resources["border-flows"]["schema"]["primaryKey"]
    for resource in resources.values():
        for field in resource["schema"]["fields"]:
            if field["name"] == "status" or field["name"].endswith("_status"):
                assert set(field["constraints"]["enum"]) <= set(STATUSES), resource["name"]
    cases = {f["name"]: f for f in resources["stca-cases"]["schema"]["fields"]}
    assert cases["case_id"]["constraints"] == {"required": True, "unique": True}
    assert cases["exception"]["constraints"]["enum"]


@pytest.mark.parametrize(
    ("where", "change", "expected"),
    [
        ("border_flows.csv", lambda lines: [lines[0], lines[1].replace(",official,", ",invented,"), *lines[2:]], "constraint"),
        ("claims_verdicts.csv", lambda lines: [*lines, lines[1]], "primary"),
        ("stca_cases.csv", lambda lines: [lines[0], lines[1].replace(",2005-", ",20O5-", 1), *lines[2:]], "type"),
    ],
)  # fmt: skip
def test_a_seeded_error_is_caught_by_name(site, tmp_path, where, change, expected):
    copy = tmp_path / "data"
    shutil.copytree(site / "data", copy)
    path = copy / where
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(change(lines)), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != (site / "data" / where).read_text(encoding="utf-8")
    errors = validate(copy / "datapackage.json")
    name = where.removesuffix(".csv").replace("_", "-")
    assert errors and all(e.startswith(name) for e in errors), errors[:3]
    assert any(expected in e.lower() for e in errors), errors[:3]
