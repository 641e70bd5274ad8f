"""Each field parser on small messy inputs built here."""

import datetime as dt

import pandas as pd
import pytest

from src import parsers


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Case ID", "case_id"), ("case no.", "case_id"), ("CASE NUMBER", "case_id"), ("Record ID", "case_id"),
        ("Screening Date", "screening_date"), ("date of screening", "screening_date"),
        ("Interview  Date", "screening_date"), ("Receipt Date", "screening_date"), ("DATE", "screening_date"),
        ("FY", "fiscal_year"), ("Fiscal Year", "fiscal_year"),
        ("Country of Citizenship", "citizenship"), ("Citizenship", "citizenship"), ("Nationality", "citizenship"),
        ("Country of Nationality", "citizenship"), ("COC", "citizenship"),
        ("Exception", "exception"), ("Exception Type", "exception"), ("STCA Exception", "exception"),
        ("Exception Claimed", "exception"), ("Basis for Exception", "exception"),
        ("Expedited Removal", "expedited_removal"), ("ER", "expedited_removal"),
        ("Placed in ER", "expedited_removal"), ("Expedited Removal (Y/N)", "expedited_removal"),
        ("Port of Entry", "port_of_entry"), ("POE", "port_of_entry"), ("port", "port_of_entry"),
        ("Name", None), ("", None), (None, None),
    ],
)  # fmt: skip
def test_header_synonyms(label, field):
    assert parsers.header_field(label) == field


def test_dates_in_every_accepted_form():
    cells = pd.Series(
        [dt.datetime(2008, 3, 4), "2008-03-04", "2008-03-04 00:00:00", 39511, "39511.0",
         "3/4/2008", "04-Mar-2008", "4 March 2008"],
        dtype=object,
    )  # fmt: skip
    parsed = parsers.parse_dates(cells)
    assert (parsed == pd.Timestamp("2008-03-04")).all(), parsed.tolist()


@pytest.mark.parametrize(
    "bad", ["garbage", "13/45/2008", "2008", "(b)(6)", "", None, "31-Foo-2009"]
)
def test_dates_unparseable_become_nat(bad):
    assert parsers.parse_dates(pd.Series([bad], dtype=object)).isna().all()


def test_fiscal_year_october_is_next_year_for_dates_and_series():
    dates = pd.Series(pd.to_datetime(["2016-09-30", "2016-10-01", "2017-03-31", None]))
    assert parsers.fiscal_year(dates).tolist() == [2016, 2017, 2017, pd.NA]
    assert [parsers.fiscal_year(d) for d in (dt.date(2016, 9, 30), dt.date(2016, 10, 1))] == [
        2016,
        2017,
    ]
    assert parsers.fiscal_year(pd.Timestamp("2017-03-31")) == 2017


@pytest.mark.parametrize(
    ("cell", "year"),
    [("FY2008", 2008), ("FY 08", 2008), ("2008", 2008), (2008.0, 2008), ("x", None)],
)
def test_parse_fiscal_year(cell, year):
    value = parsers.parse_fiscal_year(pd.Series([cell], dtype=object)).iloc[0]
    assert (pd.isna(value) and year is None) or value == year


def test_fiscal_year_from_sheet_name():
    assert parsers.fiscal_year_from_sheet("FY2008") == 2008
    assert parsers.fiscal_year_from_sheet("fy 09 cases") == 2009
    assert parsers.fiscal_year_from_sheet("Notes") is None


def test_yes_no_in_any_case():
    values, flagged = parsers.parse_yes_no(
        pd.Series(
            [
                "Y",
                "n",
                "Yes",
                "NO",
                "True",
                "false",
                "1",
                "0",
                True,
                0,
                "",
                None,
                "(b)(6)",
                "maybe",
            ],
            dtype=object,
        )
    )
    assert values.tolist()[:10] == [True, False, True, False, True, False, True, False, True, False]
    assert values.iloc[10:].isna().all()
    assert flagged.tolist() == [False] * 13 + [True]


@pytest.mark.parametrize(
    ("label", "name", "iso3"),
    [
        ("Congo, Democratic Republic of the", "Democratic Republic of the Congo", "COD"),
        ("DR Congo", "Democratic Republic of the Congo", "COD"),
        ("Burma", "Myanmar", "MMR"),
        ("Russian Federation", "Russia", "RUS"),
        ("Cote d'Ivoire", "Côte d'Ivoire", "CIV"),
        ("Côte d'Ivoire", "Côte d'Ivoire", "CIV"),
        ("Ivory Coast", "Côte d'Ivoire", "CIV"),
        ("Korea, South", "South Korea", "KOR"),
        ("Iran, Islamic Republic of", "Iran", "IRN"),
        ("Viet Nam", "Vietnam", "VNM"),
        ("  canada ", "Canada", "CAN"),
        ("HAITI", "Haiti", "HTI"),
    ],
)
def test_country_variants(label, name, iso3):
    names, codes, flagged = parsers.parse_countries(pd.Series([label]))
    assert (names.iloc[0], codes.iloc[0], bool(flagged.iloc[0])) == (name, iso3, False)


def test_country_unknown_redacted_and_stateless():
    names, codes, flagged = parsers.parse_countries(
        pd.Series(["Atlantis", "(b)(6)", "", "Stateless"])
    )
    assert names.iloc[0] == "Unknown" and pd.isna(codes.iloc[0]) and flagged.iloc[0]
    assert pd.isna(names.iloc[1]) and not flagged.iloc[1]
    assert pd.isna(names.iloc[2]) and not flagged.iloc[2]
    assert names.iloc[3] == "Stateless" and pd.isna(codes.iloc[3]) and not flagged.iloc[3]


@pytest.mark.parametrize(
    ("label", "category"),
    [
        ("Family Member", "family_member"), ("Family member in U.S.", "family_member"),
        ("Anchor relative", "family_member"), ("Unaccompanied Minor", "unaccompanied_minor"),
        ("UAM", "unaccompanied_minor"), ("Valid visa", "valid_status"),
        ("Valid Visa/Document", "valid_status"), ("Lawful status", "valid_status"),
        ("Public Interest", "public_interest"), ("Public interest exception", "public_interest"),
        ("Bribery", "unknown"), ("Family member with valid visa", "unknown"),
    ],
)  # fmt: skip
def test_exception_labels(label, category):
    assert parsers.classify_exception(label) == category


def test_exception_blank_is_unknown_but_not_flagged():
    classes, flagged = parsers.parse_exceptions(pd.Series(["", "(b)(6)", "Bribery"]))
    assert classes.tolist() == ["unknown", "unknown", "unknown"]
    assert flagged.tolist() == [False, False, True]


@pytest.mark.parametrize(
    "code",
    [
        "(b)(6)",
        "(b)(7)(C)",
        "(b)(6), (b)(7)(C)",
        "b6",
        "B7C",
        "REDACTED",
        "[redacted]",
        " (b) (6) ",
    ],
)
def test_redaction_codes_become_missing(code):
    assert parsers.is_redaction(pd.Series([code])).iloc[0]
    assert parsers.blank_redactions(pd.Series([code])).isna().iloc[0]


@pytest.mark.parametrize("text", ["Cuba", "b", "6", "Bolivia", "(b)", "Public Interest"])
def test_non_redactions_are_kept(text):
    assert not parsers.is_redaction(pd.Series([text])).iloc[0]


@pytest.mark.parametrize(
    ("label", "is_total"),
    [("Total", True), ("Grand Total", True), ("FY 2008 Total", True), ("Subtotal", True),
     ("Sub-total", True), ("Total:", True), ("TOTAL 466", True), ("Totally", False), ("Togo", False)],
)  # fmt: skip
def test_total_labels(label, is_total):
    assert parsers.is_total_label(pd.Series([label])).iloc[0] == is_total


def test_total_kind():
    assert parsers.total_kind("Grand Total") == "grand"
    assert parsers.total_kind("FY 2008 Total") == "section"
