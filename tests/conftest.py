"""Shared fixtures: the repository root, the stand-in cleaned once per session, and builders for
small messy spreadsheets that the tests write into tmp_path."""

from __future__ import annotations

import os

os.environ["OPENPYXL_LXML"] = "False"  # as src/standin.py: one XML writer, whatever is installed

import datetime as dt
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from src.clean import clean_foia
from src.helpers import FOIA_DIR, ROOT

STANDIN = FOIA_DIR / "uscis_stca_foia_standin.xlsx"
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory):
    """A throwaway copy of the repository after one cold `make reports`: (path, make result).
    Tests that change it work on their own copy (pipeline_util.clone_built)."""
    from pipeline_util import copy_repo, run_make

    repo = copy_repo(tmp_path_factory.mktemp("built"))
    result = run_make(repo, "reports")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return repo, result


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (one per test session; never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"chromium is required for the browser tests ({CHROMIUM}): apt-get install chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def flows() -> pd.DataFrame:
    """The official border table, read once per session (about 7 s: the CBP PDF)."""
    from src import official

    return official.border_flows()


@pytest.fixture(scope="session")
def standin_result():
    """The stand-in cleaned with default settings (checksums verified)."""
    return clean_foia(STANDIN)


@pytest.fixture(scope="session")
def standin_cases(standin_result) -> pd.DataFrame:
    return standin_result.cases


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write {sheet name: rows} to an .xlsx file with openpyxl (dates stay date cells)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    """Write rows as CSV text in the given encoding ('utf-8-sig' adds a BOM)."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


HEADER = [
    "Case ID",
    "Screening Date",
    "Country of Citizenship",
    "Exception",
    "Expedited Removal",
    "Port of Entry",
]


def simple_rows() -> list[list]:
    """A small valid table: title rows, header, five records, a total and a footnote."""
    return [
        ["U.S. Citizenship and Immigration Services"],
        ["STCA threshold screenings"],
        [],
        HEADER,
        ["A1", dt.datetime(2008, 3, 4), "Colombia", "Family Member", "N", "Blaine, WA"],
        ["A2", "2009-11-20", "Burma", "UAM", "Y", "(b)(7)(C)"],
        ["A3", 39600, "Korea, South", "Valid Visa/Document", "yes", "Champlain, NY"],
        ["A4", "4/15/2016", "(b)(6)", "Public interest exception", "", "Detroit, MI"],
        ["A5", "07-Jan-2017", "Canada", "Anchor relative", "0", "Derby Line, VT"],
        [],
        ["Total", None, None, None, None, 5],
        ["(b)(6): withheld under FOIA exemption 6"],
    ]


@pytest.fixture
def simple_xlsx(tmp_path) -> Path:
    return write_xlsx(tmp_path / "release.xlsx", {"FY2008-2017": simple_rows()})
