"""One known table, written many ways: shuffled rows and columns, other header synonyms, other
date formats, header rows split over two lines, totals and repeated headers, identifiers with
invisible variants, split over sheets, as a workbook or a CSV. The cleaner must give the same
records every time, or stop with a clear error (CleaningError) -- never different records."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest
from conftest import write_csv, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from src.clean import CleaningError, clean_foia
from src.parsers import lookup_country

# The known table: (case id, date, citizenship, exception label, expedited removal).
TRUTH = [
    ("K-01", dt.date(2008, 3, 4), "Colombia", "Family Member", True),
    ("K-02", dt.date(2008, 11, 20), "Haiti", "Public Interest", False),
    ("K-03", dt.date(2009, 6, 1), "Burma", "UAM", None),
    ("K-04", dt.date(2010, 1, 13), "Cuba", "Valid visa", False),
    ("K-05", dt.date(2012, 7, 30), "Canada", "Anchor relative", True),
    ("K-06", dt.date(2014, 12, 25), "Mexico", "Public interest exception", False),
    ("K-07", dt.date(2016, 2, 29), "Ukraine", "Family member in U.S.", False),
    ("K-08", dt.date(2017, 3, 31), "Korea, South", "Unaccompanied Minor", True),
]
FIELDS = ["case_id", "screening_date", "citizenship", "exception", "expedited_removal"]
SYNONYMS = {
    "case_id": ["Case ID", "Case No.", "Record Number", "CASE #"],
    "screening_date": ["Screening Date", "Date of Screening", "Interview Date"],
    "citizenship": ["Country of Citizenship", "Nationality", "COC"],
    "exception": ["Exception", "STCA Exception", "Basis for Exception"],
    "expedited_removal": ["Expedited Removal", "ER", "Placed in ER"],
}
TWO_ROW = {"screening_date": ("Screening", "Date"), "expedited_removal": ("Expedited", "Removal")}
DATE_FORMS = {
    "iso": lambda d: d.isoformat(),
    "mdy": lambda d: f"{d.month}/{d.day}/{d.year}",
    "dmy": lambda d: f"{d.day}/{d.month}/{d.year}",
    "d-mon-y": lambda d: d.strftime("%d-%b-%Y"),
    "date cell": lambda d: dt.datetime(d.year, d.month, d.day),
    "serial": lambda d: (d - dt.date(1899, 12, 30)).days,
}
YES_NO = {True: ["Y", "yes", "TRUE"], False: ["N", "no", "0"], None: ["", "(b)(6)"]}
ID_VARIANTS = [
    lambda s: s,
    lambda s: f" {s} ",
    lambda s: s.lower(),
    lambda s: s.replace("-", "\u2011"),
]


def expected_records():
    return sorted(
        (cid.lower(), d.isoformat(), lookup_country(country)[0], er)
        for cid, d, country, _, er in TRUTH
    )


def cleaned_records(result):
    c = result.cases
    return sorted(
        (
            str(cid).lower().replace("\u2011", "-").strip(),
            date,
            country,
            None if pd.isna(er) else bool(er),
        )
        for cid, date, country, er in zip(
            c["case_id"], c["screening_date"], c["citizenship"], c["expedited_removal"], strict=True
        )
    )


@st.composite
def layouts(draw):
    rng = random.Random(draw(st.integers(0, 10**6)))
    return {
        "order": rng.sample(FIELDS, len(FIELDS)),
        "names": {f: rng.choice(SYNONYMS[f]) for f in FIELDS},
        "two_row": draw(st.booleans()),
        "date_form": draw(st.sampled_from(sorted(DATE_FORMS))),
        "shuffle": rng.random(),
        "total": draw(st.sampled_from(["none", "Total", "Sum", "Total for all years"])),
        "repeat_header": draw(st.booleans()),
        "id_variant": draw(st.integers(0, len(ID_VARIANTS) - 1)),
        "split": draw(st.booleans()),
        "csv": draw(st.booleans()),
        "seed": rng.random(),
    }


def build(layout, tmp_path):
    rng = random.Random(layout["seed"])
    order = layout["order"]
    if layout["two_row"]:
        top = [TWO_ROW[f][0] if f in TWO_ROW else layout["names"][f] for f in order]
        bottom = [TWO_ROW[f][1] if f in TWO_ROW else None for f in order]
        header = [top, bottom]
    else:
        header = [[layout["names"][f] for f in order]]
    rows = []
    for cid, day, country, label, er in TRUTH:
        values = {
            "case_id": ID_VARIANTS[layout["id_variant"]](cid),
            "screening_date": DATE_FORMS[layout["date_form"]](day),
            "citizenship": country,
            "exception": label,
            "expedited_removal": rng.choice(YES_NO[er]),
        }
        rows.append([values[f] for f in order])
    random.Random(layout["shuffle"]).shuffle(rows)
    if layout["csv"] and layout["date_form"] == "date cell":
        rows = [
            [v.date().isoformat() if isinstance(v, dt.datetime) else v for v in r] for r in rows
        ]
    parts = [rows[:4], rows[4:]] if layout["split"] and not layout["csv"] else [rows]
    sheets = {}
    for i, part in enumerate(parts):
        body = list(part)
        if layout["repeat_header"] and len(body) > 2:
            body.insert(2, list(header[-1] if not layout["two_row"] else header[0]))
        if layout["total"] != "none":
            body.append([layout["total"]] + [None] * (len(order) - 2) + [len(part)])
        sheets[f"Sheet{i + 1}"] = [["USCIS release"], *header, *body]
    if layout["csv"]:
        table = sheets["Sheet1"]
        table = [["" if v is None else v for v in r] for r in table]
        return write_csv(tmp_path / "release.csv", table)
    return write_xlsx(tmp_path / "release.xlsx", sheets)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(layouts())
def test_every_layout_gives_the_same_records_or_a_clear_error(tmp_path_factory, layout):
    path = build(layout, tmp_path_factory.mktemp("layout"))
    try:
        result = clean_foia(path)
    except CleaningError as err:
        assert str(path) in str(err)  # a clear error names the file
        return
    assert cleaned_records(result) == expected_records(), layout
    assert result.summary.rows.kept == len(TRUTH)


@pytest.mark.parametrize("date_form", sorted(DATE_FORMS))
def test_each_date_form_on_its_own(tmp_path, date_form):
    layout = {
        "order": FIELDS, "names": {f: SYNONYMS[f][0] for f in FIELDS}, "two_row": False,
        "date_form": date_form, "shuffle": 0.5, "total": "Total", "repeat_header": False,
        "id_variant": 0, "split": False, "csv": False, "seed": 0.1,
    }  # fmt: skip
    result = clean_foia(build(layout, tmp_path))
    assert cleaned_records(result) == expected_records()
