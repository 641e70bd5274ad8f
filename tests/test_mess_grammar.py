"""A generative test of the cleaner, a "mess grammar": start from known people, write them as a
release through random compositions of the layouts agencies send (title rows, "Data as of" and
source lines, format-hint rows, header synonyms, repeated headers, blank rows, totals, lone
numbers and notes under the data, withheld values, dates as text with a time of day, a date
order per sheet, sheets per fiscal year, xlsx or CSV in several encodings), and check that the
cleaner either returns exactly those people, with every cell accounted for, or stops with an
error that names the file.

`make test` runs MESS_EXAMPLES examples (default 150, about 30 s). A longer run:
    MESS_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_mess_grammar.py
Seeds of any failure found are kept as regression cases with @example below.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest
from conftest import write_csv, write_xlsx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from src.clean import clean_foia
from src.helpers import CleaningError
from src.parsers import fiscal_year

EXAMPLES = int(os.environ.get("MESS_EXAMPLES", "150"))
PERIOD_END = "2017-03-31"
COUNTRIES = ["Mexico", "India", "Haiti", "Ukraine", "Cuba", "Colombia", "Sri Lanka"]
EXCEPTIONS = {
    "family_member": ["Family member", "Anchor relative", "FAMILY MEMBER"],
    "public_interest": ["Public interest", "Public Interest Exception"],
    "unaccompanied_minor": ["Unaccompanied minor", "UAM"],
    "valid_status": ["Valid visa", "Valid Visa/Document"],
}
EXPEDITED = {"Yes": ["Yes", "Y", "yes"], "No": ["No", "N", "no"]}
HEADERS = {
    "case_id": ["Case ID", "Case No.", "Case Number"],
    "screening_date": ["Screening Date", "Date of Screening"],
    "citizenship": ["Country of Citizenship", "Citizenship", "Nationality"],
    "exception": ["Exception", "Exception Claimed"],
    "expedited_removal": ["Expedited Removal", "Placed in ER"],
    "port_of_entry": ["Port of Entry", "POE"],
}
HINTS = {
    "case_id": "(text)",
    "screening_date": "(MM/DD/YYYY)",
    "citizenship": "(text)",
    "exception": "(text)",
    "expedited_removal": "(Y/N)",
    "port_of_entry": "(text)",
}
WITHHELD = ["(b)(6)", "(b)(7)(C)", "b6", "[b6]", "REDACTED (b)(6)", "***", "XXXXXXXX", "withheld"]
TOP_LINES = ["U.S. Citizenship and Immigration Services", "STCA threshold screenings",
             "Data as of 03/31/2017", "Source: USCIS RAIO", "Prepared by: OPQ"]  # fmt: skip
FOOT_LINES = ["Data as of 3/31/2017", "Source: USCIS", "Note: (b)(6) marks withheld values",
              "* Prepared by OPQ", "Prepared by: RAIO"]  # fmt: skip


@st.composite
def people(draw):
    n = draw(st.integers(min_value=2, max_value=10))
    days = draw(
        st.lists(
            st.integers(min_value=0, max_value=(dt.date(2017, 3, 31) - dt.date(2005, 1, 1)).days),
            min_size=n, max_size=n,
        )
    )  # fmt: skip
    out = []
    for i, day in enumerate(sorted(days)):
        out.append(
            {
                "case_id": f"SI-{i + 1:04d}",
                "date": dt.date(2005, 1, 1) + dt.timedelta(days=day),
                "citizenship": draw(st.sampled_from(COUNTRIES)),
                "exception": draw(st.sampled_from(sorted(EXCEPTIONS))),
                "expedited_removal": draw(st.sampled_from(["Yes", "No"])),
                "id_withheld": draw(st.booleans().filter(lambda _: True)) and draw(st.booleans()),
            }
        )
    return out


def render_date(day: dt.date, style: str, time: bool):
    """One date as a release might hold it."""
    if style == "cell":
        return dt.datetime(day.year, day.month, day.day, 9, 30) if time else day
    if style == "iso":
        return day.isoformat() + ("T09:30:00Z" if time else "")
    if style == "mdy":
        return f"{day.month}/{day.day}/{day.year}" + (" 12:00:00 AM" if time else "")
    return f"{day.day}/{day.month}/{day.year}" + (" 14:05" if time else "")  # dmy


@st.composite
def releases(draw):
    truth = draw(people())
    kind = draw(st.sampled_from(["xlsx", "csv"]))
    per_year = kind == "xlsx" and draw(st.booleans())
    fields = ["case_id", "screening_date", "citizenship", "exception", "expedited_removal"]
    if draw(st.booleans()):
        fields.append("port_of_entry")
    header = [draw(st.sampled_from(HEADERS[f])) for f in fields]
    groups: dict[str | None, list[dict]] = {}
    for person in truth:
        key = f"FY{int(fiscal_year(pd.Timestamp(person['date'])))}" if per_year else None
        groups.setdefault(key, []).append(person)
    sheets, merges = {}, []
    for name, group in groups.items():
        styles = ["iso", "mdy", "dmy"] + (["cell"] if kind == "xlsx" else [])
        style = draw(st.sampled_from(styles))
        rows = [[line] for line in draw(st.lists(st.sampled_from(TOP_LINES), max_size=3))]
        if rows and draw(st.booleans()):
            rows.append([])
        rows.append(header)
        if draw(st.booleans()):
            rows.append([HINTS[f] for f in fields])
        outline = draw(st.integers(min_value=0, max_value=3)) == 0  # a pivot's outline layout
        if outline:  # one block per citizenship, its label once, closed by 'X Total'
            group = sorted(group, key=lambda p: (p["citizenship"], p["date"]))
        repeat_at = draw(st.integers(min_value=0, max_value=len(group))) if not outline else -1
        merge = (
            kind == "xlsx" and not outline and draw(st.booleans())
        )  # merge runs of one citizenship
        run_start = None
        for position, person in enumerate(group):
            if position == repeat_at and position and draw(st.booleans()):
                rows.append(header)  # a repeated header (a page break in the export)
            if draw(st.integers(min_value=0, max_value=5)) == 0:
                rows.append([])
            time = draw(st.booleans())
            cells = {
                "case_id": draw(st.sampled_from(WITHHELD)) if person["id_withheld"] else person["case_id"],
                "screening_date": render_date(person["date"], style, time),
                "citizenship": person["citizenship"],
                "exception": draw(st.sampled_from(EXCEPTIONS[person["exception"]])),
                "expedited_removal": draw(st.sampled_from(EXPEDITED[person["expedited_removal"]])),
                "port_of_entry": draw(st.sampled_from(["Blaine, WA", "(b)(7)(C)", "***", ""])),
            }  # fmt: skip
            previous = rows[-1] if rows else None
            first_of_block = (
                position == 0 or group[position - 1]["citizenship"] != person["citizenship"]
            )
            if outline and not first_of_block:
                cells["citizenship"] = ""  # written once per group
            rows.append([cells[f] for f in fields])
            last_of_block = (
                position == len(group) - 1
                or group[position + 1]["citizenship"] != person["citizenship"]
            )
            if outline and last_of_block:
                size = sum(p["citizenship"] == person["citizenship"] for p in group)
                rows.append([f"{person['citizenship']} Total", *[""] * (len(fields) - 2), size])
            column = fields.index("citizenship")
            same = (
                merge and run_start is not None and previous is not None
                and len(previous) == len(fields) and previous is not header
                and group[position - 1]["citizenship"] == person["citizenship"]
            )  # fmt: skip
            if same:
                merges.append((name or "Sheet1", column, run_start, len(rows)))
            else:
                run_start = len(rows)
        if draw(st.booleans()):
            rows.append([])
            rows.append(
                ["Grand Total" if outline else "Total", *[""] * (len(fields) - 2), len(group)]
            )
        if draw(st.booleans()):
            rows.append([len(group)])  # a lone number under the data
        if draw(st.integers(min_value=0, max_value=3)) == 0:  # a summary typed under the table
            rows += [[], ["Exception", "Count"]]
            for key in sorted({p["exception"] for p in group}):
                rows.append([EXCEPTIONS[key][0], sum(p["exception"] == key for p in group)])
        for line in draw(st.lists(st.sampled_from(FOOT_LINES), max_size=2)):
            rows.append([line])
        sheets[name] = rows
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return truth, kind, sheets, encoding, _runs(merges)


def _runs(merges):
    """(sheet, column, first row, last row) ranges, 1-based rows, from extended runs."""
    out = {}
    for sheet, column, start, end in merges:
        out[(sheet, column, start)] = end
    return [(sheet, column, start, end) for (sheet, column, start), end in out.items()]


def write_release(tmp_path, kind, sheets, encoding, merges=()):
    if kind == "xlsx":
        from openpyxl import load_workbook
        from openpyxl.utils import get_column_letter

        named = {name or "Sheet1": rows for name, rows in sheets.items()}
        path = write_xlsx(tmp_path / "release.xlsx", named)
        if merges:
            wb = load_workbook(path)
            for sheet, column, start, end in merges:
                letter = get_column_letter(column + 1)
                wb[sheet].merge_cells(f"{letter}{start}:{letter}{end}")  # keeps only the top value
            wb.save(path)
        return path
    (rows,) = sheets.values()
    return write_csv(tmp_path / "release.csv", rows, encoding=encoding)


def expected_table(truth: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "screening_date": [p["date"].isoformat() for p in truth],
            "citizenship": [p["citizenship"] for p in truth],
            "exception": [p["exception"] for p in truth],
            "expedited_removal": [p["expedited_removal"] == "Yes" for p in truth],
            "case_id": [None if p["id_withheld"] else p["case_id"] for p in truth],
        }
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["screening_date", "citizenship", "exception", "expedited_removal"]
    return frame[columns].astype(str).sort_values(columns).reset_index(drop=True)


@pytest.mark.filterwarnings("ignore")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(releases())
def test_a_messy_release_gives_exactly_its_people_or_an_error_naming_the_file(
    tmp_path_factory, release
):
    truth, kind, sheets, encoding, merges = release
    folder = tmp_path_factory.mktemp("mess")
    path = write_release(folder, kind, sheets, encoding, merges)
    if merges:
        event("with merged cells")
    if any(
        str(r[0]).endswith(" Total") and r[0] != "Grand Total"
        for rows in sheets.values()
        for r in rows
        if r
    ):
        event("outline layout with subtotals")
    if any(r == ["Exception", "Count"] for rows in sheets.values() for r in rows):
        event("summary block under the data")
    try:
        result = clean_foia(path, period_end=PERIOD_END, verify_checksums=False, strict=True)
    except CleaningError as error:
        assert path.name in str(error), str(error)
        event(f"stopped: {str(error).split(': ', 1)[-1][:70]}")
        return
    event("cleaned")
    cases, summary = result.cases, result.summary
    want = expected_table(truth)
    pd.testing.assert_frame_equal(_sorted(cases), _sorted(want))
    # the case numbers that were not withheld come through as written; withheld ones say so
    named = want["case_id"].dropna()
    assert set(named) <= set(cases["case_id"])
    withheld_ids = cases["withheld"].fillna("").str.contains("case_id")
    assert withheld_ids.sum() == want["case_id"].isna().sum()
    assert len(result.rejected) == 0
    assert summary.cells.balanced and summary.cells.unexplained == 0
    assert summary.rows.kept == len(truth)
