"""The contract of data/processed/stca_cases.csv, checked with pandera before anything is written.

Others script against this table, so the columns, their types, their allowed values and the
relations between them (calendar and fiscal year agree with the date) are fixed here and
documented in DATA_DICTIONARY, which the cleaning report shows.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from src.parsers import EXCEPTIONS, UNKNOWN, fiscal_year, per_distinct

DATA_DICTIONARY: dict[str, str] = {
    "case_id": "Case identifier from the release; when absent, 'row:<file>:<sheet>:<row>' (stable).",
    "screening_date": "Date of the STCA threshold screening, YYYY-MM-DD; empty when not given.",
    "calendar_year": "Calendar year of screening_date; empty when there is no date.",
    "fiscal_year": "U.S. federal fiscal year (FY N = 1 Oct N-1 to 30 Sep N), from the date, "
    "else a fiscal-year column, else the sheet name.",
    "citizenship": "Country of citizenship, short English name; 'Unknown' for text that was not "
    "recognised; empty when blank or redacted.",
    "citizenship_iso3": "ISO 3166-1 alpha-3 code of citizenship (XKX for Kosovo); empty when none.",
    "exception": "STCA exception claimed: family_member, unaccompanied_minor, valid_status, "
    "public_interest, or unknown (blank, redacted or unrecognised).",
    "expedited_removal": "Placed in expedited removal: true, false, or empty when not recorded.",
    "port_of_entry": "U.S. land port as written in the release; empty when blank or redacted.",
    "withheld": "Fields the release withheld for this person, each with what withheld it: "
    "'citizenship (b)(6); port_of_entry masked' (FOIA exemption codes as written, 'masked' for "
    "*** or XXXX, 'withheld' for a word with no code); empty when nothing was withheld.",
    "source_file": "File name of the raw release the row came from.",
    "source_sheet": "Worksheet name (empty for CSV input).",
    "source_row": "Spreadsheet row number (1-based) of the record in the raw file.",
}
OUTPUT_COLUMNS = list(DATA_DICTIONARY)


def _years_agree(df: pd.DataFrame) -> pd.Series:
    dates = per_distinct(lambda s: pd.to_datetime(s, format="%Y-%m-%d"), df["screening_date"])
    has_date = dates.notna()
    cal_ok = ~has_date | (dates.dt.year == df["calendar_year"])
    fy = fiscal_year(dates)
    fy_ok = ~has_date | (fy == df["fiscal_year"])
    return (cal_ok & fy_ok).fillna(False).astype(bool)


def cases_schema(period_start: pd.Timestamp, period_end: pd.Timestamp) -> pa.DataFrameSchema:
    """Schema for the cleaned cases within [period_start, period_end]."""
    fy_first, fy_last = fiscal_year(period_start), fiscal_year(period_end)
    return pa.DataFrameSchema(
        {
            "case_id": pa.Column(str, unique=True, nullable=False),
            "screening_date": pa.Column(
                str,
                [
                    pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$"),
                    pa.Check.in_range(str(period_start.date()), str(period_end.date())),
                ],
                nullable=True,
            ),
            "calendar_year": pa.Column(
                "Int64", pa.Check.in_range(period_start.year, period_end.year), nullable=True
            ),
            "fiscal_year": pa.Column("Int64", pa.Check.in_range(fy_first, fy_last), nullable=False),
            "citizenship": pa.Column(str, nullable=True),
            "citizenship_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"), nullable=True),
            "exception": pa.Column(str, pa.Check.isin([*EXCEPTIONS, UNKNOWN])),
            "expedited_removal": pa.Column("boolean", nullable=True),
            "port_of_entry": pa.Column(str, nullable=True),
            "withheld": pa.Column(str, nullable=True),
            "source_file": pa.Column(str, nullable=False),
            "source_sheet": pa.Column(str, nullable=True),
            "source_row": pa.Column("int64", pa.Check.ge(1)),
        },
        checks=[pa.Check(_years_agree, error="calendar/fiscal year disagree with screening_date")],
        strict=True,
        ordered=True,
    )


def validate_cases(cases: pd.DataFrame, period_start, period_end) -> pd.DataFrame:
    """Validate the cleaned table (all errors at once); return it, or raise pandera's SchemaErrors."""
    return cases_schema(pd.Timestamp(period_start), pd.Timestamp(period_end)).validate(
        cases, lazy=True
    )


def read_cases(path) -> pd.DataFrame:
    """Read stca_cases.csv back with the schema's dtypes (for notebooks and tests)."""
    frame = pd.read_csv(
        path,
        dtype={
            "case_id": "str",
            "screening_date": "str",
            "calendar_year": "Int64",
            "fiscal_year": "Int64",
            "citizenship": "str",
            "citizenship_iso3": "str",
            "exception": "str",
            "expedited_removal": "boolean",
            "port_of_entry": "str",
            "withheld": "str",
            "source_file": "str",
            "source_sheet": "str",
            "source_row": "int64",
        },
        keep_default_na=False,
        na_values={
            c: [""] for c in OUTPUT_COLUMNS if c not in ("case_id", "source_file", "exception")
        },
    )
    return frame[OUTPUT_COLUMNS]
