"""Property-based tests: every parser takes arbitrary input and returns a value or a classified
unknown, never an unhandled exception, and keeps one output per input."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from src import clean, parsers

cells = st.one_of(
    st.text(max_size=60),
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(
        ["(b)(6)", "FY2008", "Total", "3/4/2009", "04-Mar-2009", "39500", "Côte d'Ivoire", "UAM"]
    ),
)
columns = st.lists(cells, min_size=1, max_size=30)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def series(values):
    return pd.Series(values, dtype=object)


@SETTINGS
@given(columns)
def test_dates_never_raise(values):
    out = parsers.parse_dates(series(values))
    assert len(out) == len(values) and str(out.dtype).startswith("datetime64")


@SETTINGS
@given(columns)
def test_fiscal_years_never_raise(values):
    out = parsers.parse_fiscal_year(series(values))
    assert len(out) == len(values)
    assert out.dropna().between(1900, 2100).all()


@SETTINGS
@given(columns)
def test_yes_no_never_raises(values):
    out, flagged = parsers.parse_yes_no(series(values))
    assert len(out) == len(flagged) == len(values)
    assert not (out.notna() & flagged).any()  # a value is either parsed or flagged


@SETTINGS
@given(columns)
def test_countries_never_raise(values):
    names, codes, flagged = parsers.parse_countries(series(values))
    assert len(names) == len(codes) == len(flagged) == len(values)
    assert codes.dropna().str.fullmatch(r"[A-Z]{3}").all()
    assert (names[flagged] == parsers.UNKNOWN_COUNTRY).all()


@SETTINGS
@given(columns)
def test_exceptions_never_raise(values):
    classes, flagged = parsers.parse_exceptions(series(values))
    assert set(classes) <= {*parsers.EXCEPTIONS, parsers.UNKNOWN}
    assert (classes[flagged] == parsers.UNKNOWN).all()


@SETTINGS
@given(columns)
def test_redaction_and_total_checks_never_raise(values):
    assert len(parsers.is_redaction(series(values))) == len(values)
    assert len(parsers.is_total_label(series(values))) == len(values)
    assert len(parsers.blank_redactions(series(values))) == len(values)


@SETTINGS
@given(cells)
def test_header_field_never_raises(value):
    assert parsers.header_field(value) in (None, *parsers.HEADER_SYNONYMS)


@SETTINGS
@given(st.lists(st.lists(cells, min_size=4, max_size=4), min_size=1, max_size=20))
def test_row_classification_covers_every_row(rows):
    body = pd.DataFrame(rows, dtype=object)
    kinds = clean.classify_rows(body)
    assert len(kinds) == len(rows)
    assert set(kinds) <= {
        "blank",
        "total",
        "note",
        "data",
        "header",
        "format hint",
        "lone number",
        "suspect",
        "summary block",
    }
