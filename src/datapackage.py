"""reports/data/datapackage.json: a Frictionless Data Package (v2) that describes every CSV the
site offers for download (the datasets of src/datasets.py, and each chart's data, copied into
reports/data/charts/<report>/ so the folder is a package on its own), each with a Table Schema.

One home for each fact: field types and constraints come from the pandera schemas
(src/schema.py, src/official.py, src/context.py) where a dataset has one, else frictionless infers
them from the file; every status column's allowed values are src/status.py's vocabulary; the
column meanings are the data dictionaries beside the schemas. What this module adds is what only
the package says: primary keys, licences and sources per resource, rounding and suppression.
`python -m src.datapackage check` validates the package and every resource with frictionless.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd

from src import context, official
from src.datasets import CHARTS_DIR, DATA_DIR_NAME, DATASETS, PACKAGE_NAME
from src.helpers import CONTEXT_DIR, PROCESSED_DIR, REPORTS_DIR, write_json_atomic
from src.pipeline import Report
from src.schema import DATA_DICTIONARY, cases_schema
from src.status import STATUS_MEANING, STATUSES

# frictionless checks descriptors with jsonschema, whose format checkers build an IRI grammar
# (rfc3987_syntax, 3 s) that no data package field uses: marked absent, it is skipped (as in
# src/run.py).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"

LICENCES = {
    "us": {"name": "us-public-domain", "title": "U.S. government work: public domain "
           "(17 U.S.C. 105)", "path": "https://www.usa.gov/government-copyright"},
    "ircc": {"name": "OGL-Canada-2.0", "title": "Open Government Licence - Canada 2.0; "
             "contains information licensed under it (attribution: Immigration, Refugees and "
             "Citizenship Canada)", "path": "https://open.canada.ca/en/open-government-licence-canada"},
    "news": {"name": "quoted", "title": "Figures quoted from news reports, with their sources; "
             "the reports belong to their publishers", "path": "https://www.vice.com/en/article/"
             "bjdkd5/a-small-number-of-people-are-fleeing-canada-for-the-u-s"},
    "project": {"name": "MIT", "title": "MIT License (this project's own tables; the stand-in "
                "values are invented)", "path": "https://opensource.org/licenses/MIT"},
}  # fmt: skip
LICENCE_WORDS = {"us-public-domain": "public domain (U.S. government work)",
                 "OGL-Canada-2.0": "Open Government Licence - Canada (IRCC's figures)",
                 "quoted": "news figures quoted with their sources", "MIT": "MIT"}  # fmt: skip
SOURCES = {
    "foia": {"title": "USCIS FOIA release on STCA cases, as reported by VICE News (2017); here a "
             "labelled stand-in", "path": LICENCES["news"]["path"]},
    "dhs": {"title": "U.S. DHS Office of Homeland Security Statistics, CBP Encounters - USBP "
            "(November 2024)", "path": "https://ohss.dhs.gov/topics/immigration/"
            "immigration-enforcement/cbp-encounters"},
    "cbp": {"title": "U.S. Customs and Border Protection, nationwide encounters",
            "path": "https://www.cbp.gov/newsroom/stats/nationwide-encounters"},
    "ircc": {"title": "IRCC, asylum claimants processed by CBSA and IRCC offices",
             "path": "https://www.canada.ca/en/immigration-refugees-citizenship/services/"
             "refugees/asylum-claims.html"},
}  # fmt: skip

# Columns a reader can join or compare on: unique in every row (frictionless checks it).
PRIMARY_KEYS = {
    "stca_cases": ["case_id"],
    "rejected_rows": ["source_file", "source_sheet", "source_row"],
    "claims_verdicts": ["claim_id"],
    "border_flows": ["direction", "measure", "area", "category", "period_type", "period",
                     "source_file"],
    "context": ["measure", "period", "region", "version", "source_url"],
}  # fmt: skip

REJECTED_DICTIONARY = {
    "source_file": "File name of the raw release the row came from.",
    "source_sheet": "Worksheet name (empty for CSV input).",
    "source_row": "Spreadsheet row number (1-based) in the raw file.",
    "reason": "Why the row was not kept as a person.",
}
VERDICTS_DICTIONARY = {
    "claim_id": "The claim's identifier in the ledger (references/article_claims.csv).",
    "claim": "The claim, in our words.",
    "article_quote": "A short quotation from the article (a citation).",
    "interpretation": "How we read a vague word; empty when the words are plain.",
    "comparison": "How the computed value is compared with the expected one.",
    "expected": "The value the article states or implies.",
    "computed": "What the data gives.",
    "computed_status": "The status of the computed value (the weakest of its inputs).",
    "basis": "What the verdict rests on.",
    "verdict": "The verdict: supported, not supported, consistent (by construction), or not "
    "checkable, with why.",
    "source": "Where the claim is made, with its link.",
    "note": "What else the check found.",
}
COMMON_FIELDS = {  # chart data columns that mean the same everywhere
    "status": "What the value is (the status vocabulary is in the package's description).",
    "source": "Where the value comes from (a link, or 'our arithmetic').",
    "rounding": "The publisher's rounding (1: exact; 5 or 10: rounded to that).",
    "qualifier": "'more than', 'about' or 'at least' when the figure is a bound; empty when exact.",
    "period": "The period the value covers.",
    "year": "The year (calendar or U.S. fiscal, see year_basis).",
    "fiscal_year": "U.S. fiscal year (October to September).",
    "month": "Calendar month, YYYY-MM.",
    "cases": "People screened under an STCA exception.",
    "people": "People counted.",
    "share": "Share of the total, 0 to 1 (our arithmetic).",
    "value": "The figure, as published or computed.",
}


# ---------------------------------------------------------------- schemas


def _field_from_pandera(name: str, column) -> dict:
    """A Table Schema field from a pandera Column: type, and its checks as constraints."""
    dtype = str(column.dtype).lower()
    kind = ("integer" if "int" in dtype else "number" if "float" in dtype
            else "boolean" if "bool" in dtype else "string")  # fmt: skip
    field = {"name": name, "type": kind}
    if kind == "boolean":  # pandas writes True/False; other tools write true/false
        field["trueValues"], field["falseValues"] = ["true", "True"], ["false", "False"]
    constraints = {}
    if not column.nullable:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
    for check in column.checks:
        stats = check.statistics or {}
        if check.name == "isin":
            constraints["enum"] = [v for v in stats["allowed_values"] if v != ""]
        elif check.name == "str_matches":
            constraints["pattern"] = _whole_value(
                getattr(stats["pattern"], "pattern", stats["pattern"])
            )
        elif check.name == "str_startswith":
            constraints["pattern"] = re.escape(str(stats["string"])) + ".*"
        elif check.name == "str_length" and stats.get("min_value") is not None:
            constraints["minLength"] = stats["min_value"]
        elif check.name in ("greater_than_or_equal_to", "in_range") and kind != "string":
            if stats.get("min_value") is not None:
                constraints["minimum"] = stats["min_value"]
            if stats.get("max_value") is not None:
                constraints["maximum"] = stats["max_value"]
        elif check.name == "in_range":  # dates held as text: the bounds are dates
            constraints["minimum"], constraints["maximum"] = (
                str(stats["min_value"])[:10],
                str(stats["max_value"])[:10],
            )
    if constraints:
        field["constraints"] = constraints
    return field


def _whole_value(pattern: str) -> str:
    """A pandera pattern (matched at the start of a value) as a Table Schema one (matched
    against the whole value)."""
    pattern = str(pattern).removeprefix("^")
    return pattern.removesuffix("$") if pattern.endswith("$") else pattern + ".*"


def _inferred_fields(path: Path) -> list[dict]:
    """Field names and types as frictionless infers them from the file."""
    from frictionless import Resource

    resource = Resource(path=str(path))
    resource.infer()
    return [{"name": f.name, "type": f.type} for f in resource.schema.fields]


def _with_status_vocabulary(fields: list[dict]) -> list[dict]:
    """A status column's allowed values are the status vocabulary (src/status.py)."""
    for field in fields:
        if field["name"] == "status" or field["name"].endswith("_status"):
            field["type"] = "string"
            constraints = field.setdefault("constraints", {})
            allowed = constraints.get("enum") or list(STATUSES)
            constraints["enum"] = [s for s in allowed if s in STATUSES]
    return fields


def _described(fields: list[dict], dictionary: dict[str, str]) -> list[dict]:
    for field in fields:  # a description set with the schema (rounding, suppression) stays
        text = dictionary.get(field["name"]) or COMMON_FIELDS.get(field["name"])
        if text and "description" not in field:
            field["description"] = text
    return fields


def _cases_fields() -> list[dict]:
    summary_path = PROCESSED_DIR / "cleaning_summary.json"
    period = json.loads(summary_path.read_text(encoding="utf-8"))["period"]
    schema = cases_schema(pd.Timestamp(period["start"]), pd.Timestamp(period["end"]))
    fields = [_field_from_pandera(name, column) for name, column in schema.columns.items()]
    for field in fields:  # pandera holds the dates as text; the file's are ISO dates
        if field["name"] == "screening_date":
            field.update(type="date")  # ISO YYYY-MM-DD, Table Schema's default date format
            field.get("constraints", {}).pop("pattern", None)
    return fields


def _flows_fields() -> list[dict]:
    fields = [_field_from_pandera(n, c) for n, c in official.BORDER_FLOWS_SCHEMA.columns.items()]
    for field in fields:
        if field["name"] == "value":
            field["description"] = (
                official.FLOWS_DICTIONARY["value"] + ". Empty where IRCC suppresses a count: its "
                "'--' means 0 to 5, not zero (see suppressed). Rounded as the rounding column says."
            )
    return fields


def _context_fields() -> list[dict]:
    fields = [_field_from_pandera(n, c) for n, c in context.CONTEXT_SCHEMA.columns.items()]
    for field in fields:
        if field["name"] == "value":
            field["description"] = (
                "The figure as its source gives it; IRCC rounds some counts to 5 (see note)."
            )
    return fields


# ---------------------------------------------------------------- resources


def _dataset_resource(path: Path, title: str, row: str) -> dict:
    """The resource of one downloadable dataset: schema, key, licences and sources."""
    stem = path.stem
    if stem == "stca_cases":
        fields, key, dictionary = _cases_fields(), PRIMARY_KEYS[stem], DATA_DICTIONARY
        licences, sources = ["project"], ["foia"]
    elif stem == "border_flows":
        fields, key = _flows_fields(), PRIMARY_KEYS[stem]
        dictionary, licences, sources = (
            official.FLOWS_DICTIONARY,
            ["us", "ircc"],
            ["dhs", "cbp", "ircc"],
        )
    elif path.parent == CONTEXT_DIR:
        fields, key, dictionary = _context_fields(), PRIMARY_KEYS["context"], {}
        licences, sources = ["ircc", "news"], ["ircc"]
    else:
        fields = _inferred_fields(REPORTS_DIR / DATA_DIR_NAME / path.name)
        key = PRIMARY_KEYS.get(stem, [])
        dictionary = {
            "rejected_rows": REJECTED_DICTIONARY,
            "claims_verdicts": VERDICTS_DICTIONARY,
        }.get(stem, {})
        licences, sources = ["project"], ["foia"]
    schema = {"fields": _described(_with_status_vocabulary(fields), dictionary)}
    if key:
        schema["primaryKey"] = key
    return {
        "name": stem.replace("_", "-"),
        "path": path.name,
        "title": title,
        "description": f"One row per {row}.",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
        "licenses": [LICENCES[k] for k in licences],
        "sources": [SOURCES[k] for k in sources],
    }


def _chart_resources(reports: list[Report]) -> list[dict]:
    """Each chart's data, copied into reports/data/charts/<report>/, with an inferred schema (its
    status column constrained to the vocabulary) and what one row is (figures.json)."""
    resources = []
    for report in reports:
        if not report.figures_dir:
            continue
        folder = REPORTS_DIR.parent / report.figures_dir
        index = folder / "figures.json"
        entries = (
            {e["name"]: e for e in json.loads(index.read_text("utf-8"))} if index.exists() else {}
        )
        for name in report.figures:
            source = folder / f"{name}.csv"
            if not source.exists():
                continue
            target = REPORTS_DIR / DATA_DIR_NAME / CHARTS_DIR / report.name / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            entry = entries.get(name, {})
            fields = _described(_with_status_vocabulary(_inferred_fields(target)), {})
            official_only = report.data == "official"
            resources.append({
                "name": f"chart-{report.name}-{name}".replace("_", "-"),
                "path": f"{CHARTS_DIR}/{report.name}/{source.name}",
                "title": entry.get("title", name),
                "description": f"The data behind the chart. One row is {entry['row']}."
                if entry.get("row") else "The data behind the chart.",
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "schema": {"fields": fields},
                "licenses": [LICENCES[k] for k in (["us", "ircc"] if official_only else ["project", "ircc", "news"])],
                "sources": [SOURCES[k] for k in (["dhs", "ircc"] if official_only else ["foia", "ircc"])],
            })  # fmt: skip
    return resources


def build_package(reports: list[Report], version: str) -> Path:
    """Write reports/data/datapackage.json (after publish_datasets copied the datasets)."""
    folder = REPORTS_DIR / DATA_DIR_NAME
    resources = [
        _dataset_resource(path, title, row)
        for path, title, row in DATASETS
        if (folder / path.name).exists()
    ]
    shutil.rmtree(folder / CHARTS_DIR, ignore_errors=True)  # only this build's charts
    resources += _chart_resources(reports)
    package = {
        "$schema": PROFILE,
        "name": "stca-foia",
        "title": "Who flees Canada for the U.S.? STCA FOIA reports: the data",
        "version": version,
        "description": "Every table the reports publish, each value with its status: "
        + "; ".join(f"{k}: {v}" for k, v in STATUS_MEANING.items())
        + ". The U.S.-bound FOIA tables are a labelled stand-in: values with status bound or "
        "illustrative are invented.",
        "licenses": [LICENCES["project"], LICENCES["us"], LICENCES["ircc"]],
        "resources": resources,
    }
    return write_json_atomic(folder / PACKAGE_NAME, package)


def dictionary(path: Path = REPORTS_DIR / DATA_DIR_NAME / PACKAGE_NAME) -> list[dict]:
    """The package as a per-column data dictionary for the landing page: each resource's title,
    file (relative to reports/), key, licences, and each column's name, type, allowed values or
    range, and meaning."""
    if not path.exists():
        return []
    package = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for resource in package["resources"]:
        columns = []
        for field in resource["schema"]["fields"]:
            rules = field.get("constraints", {})
            allowed = ""
            if "enum" in rules:
                allowed = "one of: " + ", ".join(str(v) for v in rules["enum"])
            elif "minimum" in rules or "maximum" in rules:
                allowed = f"{rules.get('minimum', '')} to {rules.get('maximum', '')}".strip()
            elif "pattern" in rules:
                allowed = "pattern " + rules["pattern"]
            if rules.get("required"):
                allowed = "; ".join(filter(None, ["always filled", allowed]))
            columns.append({"name": field["name"], "type": field["type"], "allowed": allowed,
                            "meaning": field.get("description", "")})  # fmt: skip
        out.append({
            "title": resource["title"], "href": f"{DATA_DIR_NAME}/{resource['path']}",
            "chart": resource["path"].startswith(CHARTS_DIR + "/"),
            "key": resource["schema"].get("primaryKey", []),
            "licences": [LICENCE_WORDS[lic["name"]] for lic in resource.get("licenses", [])],
            "columns": columns,
        })  # fmt: skip
    return out


def validate(path: Path = REPORTS_DIR / DATA_DIR_NAME / PACKAGE_NAME) -> list[str]:
    """Every error frictionless finds in the package and its resources (empty when valid)."""
    from frictionless import validate as frictionless_validate

    report = frictionless_validate(str(path))
    return [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors] + [
        error.message for error in report.errors
    ]


def main(argv: list[str] | None = None) -> int:
    """`python -m src.datapackage check`: validate reports/data/datapackage.json."""
    errors = validate()
    for line in errors[:50]:
        print(line, file=sys.stderr)
    print(f"[datapackage] {'✗ ' + str(len(errors)) + ' errors' if errors else '✓ valid'}",
          file=sys.stderr)  # fmt: skip
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
