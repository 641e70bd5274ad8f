"""Generate the labelled stand-in for the USCIS STCA FOIA spreadsheet (seeded, byte-reproducible).

The real release obtained by VICE News in 2017 is not public. This script writes a workbook in the
shape such a release would have (title rows, one sheet per fiscal year, header synonyms, mixed date
forms, redaction codes, totals and footnotes, a notes sheet) whose records agree with every figure
the article published. Everything else in it is invented and marked illustrative in the sidecar
`<file>.provenance.json`.

Run: `make standin` (or `python -m src.standin [OUT_DIR]`). It is not part of the pipeline, which
never writes to data/raw; after a deliberate regeneration, run `make manifest`.
"""

from __future__ import annotations

import os

# openpyxl writes XML with lxml when it is installed (it is: pandas.read_html needs it) and with
# the standard library otherwise, and the bytes differ. The stand-in is byte-reproducible, so it
# is always written the one way it was first written. Set before openpyxl is imported.
os.environ["OPENPYXL_LXML"] = "False"

import io
import json
import re
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from src.helpers import FOIA_DIR, SIDECAR_SUFFIX, sha256_file
from src.parsers import fiscal_year

SEED = 2017
FILE_NAME = "uscis_stca_foia_standin.xlsx"
CUTOFF = date(
    2017, 3, 31
)  # chosen data cutoff: first half of 2017, before the article's spring date
FIRST_DAY = date(2004, 12, 29)  # STCA in force
ARTICLE = "VICE News, 'A small number of people are fleeing Canada for the U.S.' (2017)"
ARTICLE_URL = (
    "https://www.vice.com/en/article/bjdkd5/a-small-number-of-people-are-fleeing-canada-for-the-u-s"
)

# Calendar-year counts. 2016 and 2017 are the article's; 2008 and 2009 must be the two highest
# and above 100 (article); all other years, and the exact 2008/2009 values, are invented.
YEAR_COUNTS = {
    2005: 31, 2006: 27, 2007: 38, 2008: 118, 2009: 104, 2010: 34, 2011: 22,
    2012: 19, 2013: 16, 2014: 14, 2015: 15, 2016: 21, 2017: 7,
}  # fmt: skip
YEAR_STATUS = {
    **{y: "illustrative" for y in YEAR_COUNTS},
    2008: "bound",  # article: above 100, and one of the two highest years
    2009: "bound",
    2016: "published",  # article: 21 ("last year", read as calendar 2016: our assumption)
    2017: "published",  # article: 7 so far in 2017
}
EXCEPTION_COUNTS = {  # family + public interest must be a majority and the two most used
    "family_member": 198,
    "public_interest": 141,
    "valid_status": 87,
    "unaccompanied_minor": 40,
}
CANADIANS = 55
EXPEDITED_TRUE = 64  # article: more than 60
EXPEDITED_BLANK = 22
REDACTED_CITIZENSHIP = 6
DUPLICATED_RECORDS = 2  # re-keyed copies the cleaner must reject as duplicates

EXCEPTION_LABELS = {
    "family_member": ["Family Member", "Family member in U.S.", "Anchor relative", "family member"],
    "unaccompanied_minor": ["Unaccompanied Minor", "UAM", "unaccompanied minor"],
    "valid_status": ["Valid visa", "Valid Visa/Document", "Lawful status"],
    "public_interest": ["Public Interest", "Public interest exception", "PUBLIC INTEREST"],
}
# Illustrative nationality pool, written the way agency tables spell them (variants on purpose).
OTHER_NATIONALITIES = [
    ("Colombia", 9), ("Haiti", 7), ("Pakistan", 6), ("Sri Lanka", 6), ("Mexico", 5),
    ("India", 5), ("China", 5), ("Somalia", 4), ("Eritrea", 4), ("Congo, Democratic Republic of the", 2),
    ("DR Congo", 2), ("Iran, Islamic Republic of", 3), ("Russian Federation", 3), ("Burma", 3),
    ("Cote d'Ivoire", 1), ("Côte d'Ivoire", 1), ("Ivory Coast", 1), ("Korea, South", 2),
    ("Viet Nam", 2), ("Nigeria", 4), ("Bangladesh", 3), ("Afghanistan", 3), ("Iraq", 3),
    ("El Salvador", 3), ("Guatemala", 2), ("Honduras", 2), ("Zimbabwe", 3), ("Burundi", 2),
    ("Rwanda", 2), ("Sudan", 2), ("Ethiopia", 3), ("Cuba", 2), ("Ukraine", 2), ("Jamaica", 2),
    ("Turkey", 1), ("Egypt", 2), ("Syria", 2), ("Albania", 2), ("Nepal", 2), ("Peru", 1),
]  # fmt: skip
CANADA_SPELLINGS = ["Canada", "CANADA", " canada ", "Canada"]
PORTS = [
    "Blaine, WA", "Champlain, NY", "Buffalo (Peace Bridge), NY", "Detroit, MI", "Derby Line, VT",
    "Highgate Springs, VT", "Sweetgrass, MT", "Pembina, ND", "Lewiston, NY", "Port Huron, MI",
    "Sault Ste. Marie, MI", "Alexandria Bay, NY",
]  # fmt: skip
REDACTIONS = ["(b)(6)", "(b)(7)(C)", "(b)(6), (b)(7)(C)", "b6", "REDACTED", "[redacted]"]
HEADER_STYLES = [
    # (case id, date, citizenship, exception, expedited removal, port), column order as listed
    ("Case No.", "Date of Screening", "Country of Citizenship", "Exception Claimed", "Placed in ER", "POE"),
    ("Case Number", "Screening Date", "Nationality", "STCA Exception", "Expedited Removal (Y/N)", "Port of Entry"),
    ("CASE ID", "Interview Date", "COC", "Basis for Exception", "ER", "Port"),
]  # fmt: skip
FIXED_ZIP_TIME = (2017, 4, 1, 0, 0, 0)
FIXED_DOC_TIME = "2017-04-01T00:00:00Z"


def make_people(seed: int = SEED) -> list[dict]:
    """Draw the 466 stand-in people (plain values, before any spreadsheet quirks)."""
    rng = np.random.default_rng(seed)
    days: list[date] = []
    for year, count in YEAR_COUNTS.items():
        start = max(date(year, 1, 1), FIRST_DAY)
        end = min(date(year, 12, 31), CUTOFF)
        span = (end - start).days
        days += [start + timedelta(days=int(d)) for d in rng.integers(0, span + 1, size=count)]
    days.sort()
    n = len(days)

    exceptions = [name for name, count in EXCEPTION_COUNTS.items() for _ in range(count)]
    rng.shuffle(exceptions)

    years = np.array([d.year for d in days])
    idx_2016 = np.flatnonzero(years == 2016)
    idx_2017 = np.flatnonzero(years == 2017)
    citizenship: list[str | None] = [None] * n
    # Pinned nationalities: 3 of the 7 in 2017 are Cuban; 2016 includes Ukraine and Haiti.
    for i in idx_2017[:3]:
        citizenship[i] = "Cuba"
    citizenship[idx_2016[0]] = "Ukraine"
    citizenship[idx_2016[1]] = "Haiti"
    open_slots = [i for i in range(n) if citizenship[i] is None]
    pre_2017 = [i for i in open_slots if days[i].year < 2017]
    for k, i in enumerate(sorted(rng.choice(pre_2017, size=CANADIANS, replace=False))):
        citizenship[i] = CANADA_SPELLINGS[k % len(CANADA_SPELLINGS)]
    names = [name for name, _ in OTHER_NATIONALITIES]
    weights = np.array([w for _, w in OTHER_NATIONALITIES], dtype=float)
    weights /= weights.sum()
    for i in range(n):
        if citizenship[i] is None:
            pick = str(rng.choice(names, p=weights))
            # Cuba is reserved for 2017's three: elsewhere, draw again from the rest.
            while pick == "Cuba" and days[i].year == 2017:
                pick = str(rng.choice(names, p=weights))
            citizenship[i] = pick
    # A few citizenships withheld, only in years the article says nothing about.
    illustrative = [
        i for i in range(n)
        if YEAR_STATUS[days[i].year] == "illustrative" and "anada" not in citizenship[i].lower()
    ]  # fmt: skip
    for i in rng.choice(illustrative, size=REDACTED_CITIZENSHIP, replace=False):
        citizenship[i] = str(rng.choice(REDACTIONS))

    expedited: list[bool | None] = [False] * n
    order = rng.permutation(n)
    for i in order[:EXPEDITED_TRUE]:
        expedited[i] = True
    for i in order[EXPEDITED_TRUE : EXPEDITED_TRUE + EXPEDITED_BLANK]:
        expedited[i] = None

    people = []
    seq: dict[int, int] = {}
    for i, day in enumerate(days):
        fy = fiscal_year(day)
        seq[fy] = seq.get(fy, 0) + 1
        people.append(
            {
                "case_id": f"SI-FY{fy % 100:02d}-{seq[fy]:04d}",
                "date": day,
                "citizenship": citizenship[i],
                "exception": exceptions[i],
                "expedited_removal": expedited[i],
                "port": PORTS[int(rng.integers(len(PORTS)))],
            }
        )
    return people


def _date_cell(day: date, rng: np.random.Generator):
    """Write a date in one of the forms agency exports mix: a real date cell, an Excel serial
    number, an ISO string, M/D/YYYY or D-Mon-YYYY."""
    form = rng.choice(["cell", "cell", "cell", "serial", "iso", "mdy", "dmy"])
    if form == "cell":
        return day
    if form == "serial":
        return (day - date(1899, 12, 30)).days
    if form == "iso":
        return day.isoformat()
    if form == "mdy":
        return f"{day.month}/{day.day}/{day.year}"
    return day.strftime("%d-%b-%Y")


def _yes_no_cell(value: bool | None, rng: np.random.Generator):
    if value is None:
        return None
    style = rng.integers(5)
    if style == 0:
        return value  # a boolean cell
    if style == 1:
        return "Yes" if value else "No"
    if style == 2:
        return 1 if value else 0
    return "Y" if value else "N"


def build_workbook(people: list[dict], seed: int = SEED):
    """Lay the people out as a FOIA-style workbook (openpyxl Workbook)."""
    from openpyxl import Workbook  # here: only writing the stand-in needs openpyxl's writer
    from openpyxl.styles import Font

    rng = np.random.default_rng(seed + 1)
    wb = Workbook()
    notes = wb.active
    notes.title = "Notes"
    for line in [
        "STAND-IN DATA - NOT THE USCIS RELEASE",
        f"Generated by src/standin.py (seed {seed}) for the stca-foia repository.",
        "Figures published by VICE News (2017) are reproduced; all other values are illustrative.",
        "See data/raw/PROVENANCE.md and the .provenance.json sidecar.",
        "(b)(6), (b)(7)(C): FOIA exemption codes for withheld personal information.",
    ]:
        notes.append([line])

    by_fy: dict[int, list[dict]] = {}
    for person in people:
        by_fy.setdefault(fiscal_year(person["date"]), []).append(person)

    duplicate_fys = sorted(rng.choice(sorted(by_fy), size=DUPLICATED_RECORDS, replace=False))
    for k, fy in enumerate(sorted(by_fy)):
        ws = wb.create_sheet(f"FY{fy}")
        case_h, date_h, cit_h, exc_h, er_h, port_h = HEADER_STYLES[k % len(HEADER_STYLES)]
        ws.append(
            ["STAND-IN DATA (not a USCIS release): STCA threshold screenings at U.S. land ports"]
        )
        ws.append([f"Fiscal Year {fy} (October 1, {fy - 1} - September 30, {fy})"])
        ws.append([])
        ws.append([case_h, date_h, cit_h, exc_h, er_h, port_h])
        ws.cell(row=4, column=1).font = Font(bold=True)
        rows = by_fy[fy]
        if fy in duplicate_fys:
            rows = rows + [dict(rows[len(rows) // 2])]  # a re-keyed duplicate record
        for j, person in enumerate(rows):
            if j and rng.random() < 0.03:
                ws.append([])  # stray blank rows
            label = str(rng.choice(EXCEPTION_LABELS[person["exception"]]))
            port = person["port"] if rng.random() > 0.04 else str(rng.choice(REDACTIONS))
            ws.append(
                [
                    person["case_id"],
                    _date_cell(person["date"], rng),
                    person["citizenship"],
                    label,
                    _yes_no_cell(person["expedited_removal"], rng),
                    port,
                ]
            )
            cell = ws.cell(row=ws.max_row, column=2)
            if isinstance(cell.value, date):
                cell.number_format = "mm/dd/yyyy"
        ws.append([])
        ws.append([f"FY {fy} Total", None, None, None, None, len(rows)])
        ws.append(["(b)(6) and (b)(7)(C) mark values withheld under FOIA exemptions."])
        ws.append(["Stand-in: generated by src/standin.py; see data/raw/PROVENANCE.md."])
    last = wb.worksheets[-1]
    last.append(["Grand Total", None, None, None, None, len(people) + DUPLICATED_RECORDS])

    summary = wb.create_sheet("Summary")
    summary.append(["STAND-IN DATA: cases by fiscal year"])
    summary.append(["Year", "Cases"])
    for fy in sorted(by_fy):
        summary.append([f"FY{fy}", len(by_fy[fy])])
    wb.properties.creator = "src/standin.py"
    wb.properties.title = "STAND-IN: STCA U.S.-bound cases (illustrative)"
    return wb


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the xlsx zip with fixed timestamps so the same seed gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + FIXED_DOC_TIME.encode() + rb"\g<2>",
                    body,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


FEDERAL_REGISTER = {
    "publisher": "U.S. Federal Register (DHS final rule, 69 FR 69480)",
    "title": "Implementation of the Agreement Between the Government of the United States and "
    "the Government of Canada Regarding Asylum Claims Made in Transit and at Land Border Ports-of-Entry",
    "url": "http://federal.elaws.us/citation/69-FR-69489",
    "date": "2004-11-29",
}
YEAR_READING = (
    "The article gives per-year counts (2008 and 2009 above 100, 21 'last year', 7 'so far this "
    "year') without saying whether its years are calendar or U.S. fiscal years. We read them as "
    "calendar years; the stand-in matches them only under that reading (its fiscal-year counts "
    "differ), so every per-year pin is conditional on this assumption."
)


def value_status() -> dict:
    """Status of every kind of value the reports compute from the stand-in (src/status.py reads
    it). A table is one status for all keys, or {key: status} with '*' for the rest."""
    return {
        "total": "published",  # 466
        "calendar_year": {str(y): s for y, s in YEAR_STATUS.items()},
        "calendar_year_ranking": "published",  # 2008 and 2009 the two highest
        "fiscal_year": "illustrative",  # the pins hold only under the calendar reading
        "fiscal_year_ranking": "illustrative",
        "citizenship": {"Canada": "published", "*": "illustrative"},  # 55 Canadians
        "citizenship_2017": {"Cuba": "published", "*": "illustrative"},  # 3 Cubans so far in 2017
        # Which citizenships a year holds, and how many, is invented; only that 2016 included
        # Ukrainian and Haitian citizens is published.
        "citizenships_present": "illustrative",
        "citizenship_present_2016": {
            "Ukraine": "published",
            "Haiti": "published",
            "*": "illustrative",
        },
        "exception": "illustrative",  # no exception's count is published
        "exception_share": {"family_member+public_interest": "bound", "*": "illustrative"},
        # Which of the four exceptions occur is invented; only that no case used anything else is
        # published (the article: people can claim "only" through one of four exceptions).
        "exceptions_used": "illustrative",
        "no_other_exception": "published",
        "expedited_removal": {"Yes": "bound", "*": "illustrative"},  # "more than 60"
        "first_screening_date": "bound",  # on or after 2004-12-29 (Federal Register)
    }


def sidecar(sha256: str, people: list[dict], seed: int = SEED) -> dict:
    """Machine-readable record of what in the stand-in is pinned by a source and what is invented."""
    article = {"publisher": "VICE News", "title": ARTICLE, "url": ARTICLE_URL, "date": "2017"}

    def pin(quantity, value, comparison, status="published", source=article, reading=None):
        entry = {
            "quantity": quantity,
            "value": value,
            "comparison": comparison,
            "status": status,
            "source": source,
        }
        if reading:
            entry["assumes"] = reading
        return entry

    return {
        "file": FILE_NAME,
        "sha256": sha256,
        "is_standin": True,
        "generator": "src/standin.py",
        "seed": seed,
        "records": len(people),
        "duplicated_records": DUPLICATED_RECORDS,
        "assumptions": [
            {
                "what": "data cutoff",
                "value": CUTOFF.isoformat(),
                "status": "assumption",
                "why": "the article (spring-summer 2017) counts 2017 'so far' and cites a March "
                "2017 exchange; the real release's cutoff is not published",
            },
            {
                "what": "year reading",
                "value": "calendar",
                "status": "assumption",
                "why": YEAR_READING,
            },
        ],
        "pinned": [
            pin("people in all", 466, "equals"),
            pin("Canadian citizens", CANADIANS, "equals"),
            pin("placed in expedited removal", 60, "greater than", status="bound"),
            pin("year 2016", 21, "equals", reading="calendar year"),
            pin("2016 nationalities", ["Ukraine", "Haiti"], "includes", reading="calendar year"),
            pin("year 2017 to the data cutoff", 7, "equals", reading="calendar year"),
            pin("Cuban citizens in 2017", 3, "equals", reading="calendar year"),
            pin(
                "years 2008 and 2009",
                100,
                "each greater than, and the two highest",
                status="bound",
                reading="calendar year",
            ),
            pin(
                "family-member plus public-interest exceptions",
                0.5,
                "share greater than",
                status="bound",
            ),
            pin(
                "exception of each case",
                list(EXCEPTION_COUNTS),
                "one of the four exceptions the article lists (it does not say each one occurs)",
            ),
            pin(
                "first screening date",
                FIRST_DAY.isoformat(),
                "on or after (the agreement took effect on 29 December 2004; the article says "
                "only 'since 2004')",
                status="bound",
                source=FEDERAL_REGISTER,
            ),
        ],
        "value_status": value_status(),
        "status_meaning": {
            "published": "the article states this value exactly",
            "bound": "the article (or the law) states a bound; the exact value is invented",
            "illustrative": "no published source gives this value; it is invented",
            "assumption": "a choice of ours",
        },
        "illustrative": [
            "counts for every calendar year other than 2016 and 2017, and the exact 2008 and 2009 counts",
            "every fiscal-year count (the article's years are read as calendar years)",
            "all nationalities other than the 55 Canadians, the 3 Cubans of 2017 and one Ukrainian and one Haitian in 2016",
            "each exception's count and their order (only the family+public majority is published)",
            "the exact number in expedited removal (64; the article says more than 60) and which people",
            "ports of entry, screening dates within each year, case numbers, redactions and layout",
        ],
    }


def generate(out_dir: str | Path = FOIA_DIR, seed: int = SEED) -> tuple[Path, Path]:
    """Write the stand-in workbook and its sidecar into `out_dir`; return both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    people = make_people(seed)
    wb = build_workbook(people, seed)
    buffer = io.BytesIO()
    wb.save(buffer)
    xlsx = out_dir / FILE_NAME
    xlsx.write_bytes(_normalise_zip(buffer.getvalue()))
    meta = out_dir / (xlsx.stem + SIDECAR_SUFFIX)
    meta.write_text(
        json.dumps(sidecar(sha256_file(xlsx), people, seed), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return xlsx, meta


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FOIA_DIR
    for path in generate(target):
        print(f"wrote {path}")
    if target == FOIA_DIR:
        print("data/raw changed on purpose: review, then run `make manifest`.")
