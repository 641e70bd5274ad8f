"""What every published page says about itself in its footer: the project's name and authors
(from CITATION.cff, the one home of the citation), its version (pyproject.toml), where its code
lives and where to report a data problem, the date the page was built, and how to cite it.

Light on purpose: the report runner imports it for every page.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tomllib
from functools import cache

import yaml

from src.helpers import ROOT

CITATION_FILE = ROOT / "CITATION.cff"
# the issue form for a data problem (.github/ISSUE_TEMPLATE/data-problem.yml)
DATA_PROBLEM_FORM = "issues/new?template=data-problem.yml"


def git_output(*args: str) -> str:
    """What `git <args>` prints in the checkout, stripped; "" outside git or on an error."""
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


@cache
def citation() -> dict:
    """CITATION.cff, read."""
    return yaml.safe_load(CITATION_FILE.read_text(encoding="utf-8"))


def project_version() -> str:
    """The release version: pyproject.toml's (CITATION.cff and CHANGELOG.md repeat it)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["project"]["version"]


def repository_url() -> str:
    """The repository's web address: CITATION.cff's `repository-code`, else an https remote git
    knows; "" when neither is set (never a guessed address: a local clone has none)."""
    url = str(citation().get("repository-code") or "")
    if not url:
        remote = git_output("remote", "get-url", "origin")
        url = remote if remote.startswith("https://") else ""
    return url.removesuffix(".git").rstrip("/")


def build_date() -> str:
    """The date a page is built, as YYYY-MM-DD (UTC): the date of the commit it is built from,
    so two builds of one checkout write the same bytes (the Makefile pins SOURCE_DATE_EPOCH to a
    fixed moment for the images' metadata, so it cannot serve here); today outside git."""
    committed = git_output("show", "-s", "--format=%cI", "HEAD")
    if committed:
        return dt.datetime.fromisoformat(committed).astimezone(dt.UTC).date().isoformat()
    return dt.datetime.now(dt.UTC).date().isoformat()


def page_credits(page_title: str) -> dict:
    """What a page's footer shows: credit, version, repository and problem-report addresses
    (empty when no repository address is set), build date, and the page's citation in full."""
    cff = citation()
    authors = ", ".join(a.get("name") or " ".join(
        p for p in (a.get("given-names"), a.get("family-names")) if p
    ) for a in cff.get("authors", []))  # fmt: skip
    version, date, repo = project_version(), build_date(), repository_url()
    cite = f'{authors}, "{page_title}", in {cff["title"]}, version {version} ({date[:4]}).'
    return {
        "project": cff["title"],
        "authors": authors,
        "version": version,
        "built": date,
        "repository_url": repo,
        "problem_url": f"{repo}/{DATA_PROBLEM_FORM}" if repo else "",
        "cite": cite,
    }


def chart_citation(title: str) -> dict[str, str]:
    """How to cite one chart: in-line ("(the stca-foia contributors, 2026, version 0.1.0)") and
    in full (authors, the chart's title, the project, the release version and year)."""
    credit = page_credits(title)
    year = credit["built"][:4]
    return {
        "inline": f"({credit['authors']}, {year}, version {credit['version']})",
        "full": f'{credit["authors"]}, "{title}" (chart), in {credit["project"]}, version '
        f"{credit['version']} ({year}).",
    }
