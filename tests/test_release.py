"""What lets others reuse and cite the work: a licence, a citation file that validates against
the Citation File Format 1.2.0 schema, and one release version that the citation file, the
changelog and the landing page all name."""

from __future__ import annotations

import json
import re
import tomllib

import jsonschema
import pytest
import yaml

from src.helpers import ROOT

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json").read_text())


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def cff_errors(data: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return sorted(e.message for e in validator.iter_errors(data))


def test_the_licence_is_the_one_the_pages_state():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "MIT licence" in (ROOT / "templates" / "stca" / "footer.html.j2").read_text()
    assert citation()["license"] == "MIT"


def test_citation_cff_validates_against_cff_1_2():
    assert cff_errors(citation()) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("authors"),
        lambda d: d.update({"cff-version": "1.1"}),
        lambda d: d.update({"date-released": "27 November 2026"}),
        lambda d: d.update({"licence": "MIT"}),
    ],
)
def test_an_invalid_citation_file_is_caught(change):
    data = citation()
    change(data)
    assert cff_errors(data) != []


def test_one_version_named_everywhere():
    assert citation()["version"] == version()
    releases = re.findall(
        r"^## (\S+) - (\d{4}-\d{2}-\d{2})$", (ROOT / "CHANGELOG.md").read_text(), re.M
    )
    assert releases and releases[0][0] == version()  # the newest release comes first
    assert citation()["date-released"] == releases[0][1]


FORM_TYPES = {"markdown", "input", "textarea", "dropdown", "checkboxes"}


@pytest.mark.parametrize("name", ["data-problem", "wrong-source", "new-release"])
def test_each_report_a_problem_form_is_a_valid_github_issue_form(name):
    """GitHub's issue forms: name, description and a body of typed fields with unique ids, at
    least one of them required, so a report arrives with what we need to act on it."""
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / f"{name}.yml").read_text())
    assert form["name"] and form["description"]
    body = form["body"]
    assert {item["type"] for item in body} <= FORM_TYPES
    ids = [item["id"] for item in body if item["type"] != "markdown"]
    assert len(ids) == len(set(ids)) and all(item["attributes"]["label"] for item in body)
    assert any(item.get("validations", {}).get("required") for item in body)


def test_page_credits_come_from_the_citation_file(monkeypatch):
    """The footer's credit, version and citation are CITATION.cff's and pyproject's; a link to
    the repository and its data-problem form appears only when the address is known (never a
    guessed one)."""
    from src import credits

    cff = citation()
    shown = credits.page_credits("Checking the article's claims")
    assert shown["project"] == cff["title"] and shown["version"] == version()
    assert cff["authors"][0]["name"] in shown["authors"]
    assert "Checking the article's claims" in shown["cite"] and version() in shown["cite"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", shown["built"])
    monkeypatch.setattr(
        credits, "citation", lambda: {**cff, "repository-code": "https://example.org/stca/"}
    )
    linked = credits.page_credits("x")
    assert linked["repository_url"] == "https://example.org/stca"
    assert linked["problem_url"] == "https://example.org/stca/issues/new?template=data-problem.yml"
    monkeypatch.setattr(credits, "citation", lambda: cff)
    monkeypatch.setattr(credits, "git_output", lambda *args: "")
    assert credits.page_credits("x")["problem_url"] == ""


def test_the_corrections_log_is_checked_and_shown(tmp_path):
    """references/corrections.csv: every row dated, with old, new and why; a row of an unknown
    kind is refused naming the column; the methodology page lists each row."""
    import pandera.errors

    from src import site

    log = site.load_corrections()
    assert len(log) >= 1 and (log["why"].str.len() > 10).all()
    bad = tmp_path / "corrections.csv"
    text = (ROOT / "references" / "corrections.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace(",our fix,", ",oops,", 1), encoding="utf-8")
    with pytest.raises(pandera.errors.SchemaErrors, match="kind"):
        site.load_corrections(bad)
    facts = site.methodology_facts()
    assert [c["what"] for c in facts["corrections"]] == list(log["what"])


def test_binder_opens_the_start_notebook_on_the_project_kernel():
    """The README's Binder link opens a notebook that exists; postBuild registers the kernel
    that notebook names; repo2docker reads environment.yml (kept equal to the lock elsewhere)."""
    from urllib.parse import unquote

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    link = re.search(r"https://mybinder\.org/v2/gh/[^/\s]+/[^/\s]+/HEAD\?labpath=([^)\s]+)", readme)
    assert link, "no Binder link in README.md"
    notebook = ROOT / unquote(link.group(1))
    assert notebook.is_file() and notebook.suffix == ".ipynb", notebook
    kernel = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"]
    post_build = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert f"--name {kernel}" in post_build
    assert (ROOT / "environment.yml").is_file() and not (ROOT / "binder").exists()
