"""Field parsers for messy FOIA cells. Each takes a pandas Series and returns parsed values
without looping over rows in Python: values are parsed column-wise, and labels are mapped
once per distinct value, so a million-row file costs little more than its distinct labels.

Unparseable input never raises: it comes back as a missing value or the `unknown` class, and
the callers count and report it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache

import pandas as pd
import pycountry

from src.helpers import REFERENCES_DIR

# ---------------------------------------------------------------- text normalisation


def normalize_text(value: object) -> str:
    """Casefold, strip accents and punctuation, collapse spaces: 'Côte d’Ivoire ' -> 'cote d ivoire'."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^0-9a-z]+", " ", text.casefold())
    return text.strip()


def clean_cells(series: pd.Series) -> pd.Series:
    """Return the series as strings with surrounding white space removed; blanks become <NA>."""
    text = series.astype("str").str.strip()
    text = text.mask(series.isna() | text.isin(["", "nan", "NaN", "None", "NaT"]))
    return text.astype("str")


def per_distinct(parser, series: pd.Series):
    """Run `parser` (Series -> Series, or a tuple of Series) on the distinct values of `series`
    only, then spread the results back to every row. A million-row column with a few thousand
    distinct labels costs a few thousand parses. Results keep the input's index."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    if len(uniques) == len(series):
        return parser(series)
    parsed = parser(pd.Series(uniques))

    def spread(values: pd.Series) -> pd.Series:
        return values.iloc[codes].set_axis(series.index)

    return tuple(spread(v) for v in parsed) if isinstance(parsed, tuple) else spread(parsed)


# ---------------------------------------------------------------- redactions

_B_CODE = r"\(?\s*b\s*\)?\s*\(?\s*[1-9]\s*\)?(?:\s*\(?\s*[a-f]\s*\)?)?"
_B_CODES = rf"{_B_CODE}(?:\s*(?:,|;|&|/|and)?\s*{_B_CODE})*"
# The withheld class: FOIA exemption codes ('(b)(6)', 'b7c', '[b6]', 'REDACTED (b)(6)'), the
# words (redacted, withheld, exempt), masks ('***', 'XXXXXXXX') and Excel error values ('#N/A').
REDACTION_RE = re.compile(
    rf"^\s*[\[(]?\s*(?:(?:redacted|withheld|exempt(?:ion)?)\s*[:\-]?\s*)?"
    rf"(?:{_B_CODES}|redacted|withheld|exempt|\*{{3,}}|x{{4,}}|#n/?a|#ref!|#value!|#div/0!"
    r"|#name\?|#null!|#num!|#getting_data)\s*[\])]?\s*$",
    re.IGNORECASE,
)


def is_redaction(series: pd.Series) -> pd.Series:
    """True where a cell holds a FOIA redaction code such as '(b)(6)', 'b7c' or '[REDACTED]'."""
    return redaction_mask(clean_cells(series))


def redaction_mask(text: pd.Series) -> pd.Series:
    """is_redaction for text already passed through clean_cells."""
    result = pd.Series(False, index=text.index)
    # only cells with a 'b' or a redaction word can be codes: skip the regex for the rest
    candidates = text.str.contains(
        r"[bB]|redact|withh|exempt|\*\*\*|[xX]{4}|#", case=False, regex=True
    ).fillna(False)
    if candidates.any():
        hits = text[candidates].str.fullmatch(REDACTION_RE.pattern, case=False).fillna(False)
        result[candidates] = hits.astype(bool)
    return result


_CODE_PART = re.compile(
    r"b\s*\)?\s*\(?\s*([1-9])\s*\)?(?:\s*\(?\s*([a-f])\s*\)?(?![a-z]))?", re.IGNORECASE
)


def withheld_code(series: pd.Series) -> pd.Series:
    """For each withheld cell (is_redaction), what withheld it: the FOIA exemption codes as
    '(b)(6)' or '(b)(7)(C)' (several joined by ', '), else 'masked' ('***', 'XXXX'), the Excel
    error written ('#N/A'), or 'withheld'; missing for a cell that is not withheld."""
    text = clean_cells(series)
    withheld = redaction_mask(text)
    out = pd.Series(pd.NA, index=series.index, dtype="str")
    for index in text.index[withheld]:
        value = str(text[index]).strip()
        codes = [
            f"(b)({number})" + (f"({letter.upper()})" if letter else "")
            for number, letter in _CODE_PART.findall(
                re.sub(r"(?i)redacted|withheld|exempt(?:ion)?", "", value)
            )
        ]
        if codes:
            out[index] = ", ".join(dict.fromkeys(codes))
        elif value.startswith("#"):
            out[index] = value.upper()
        elif re.fullmatch(r"[\s*xX]+", value):
            out[index] = "masked"
        else:
            out[index] = "withheld"
    return out


MISSING_MARKERS = {
    "unknown", "unk", "not available", "n/a", "n.a.", "not recorded", "none recorded",
    "-", "--", "---", "?", "??", "–", "—",
}  # fmt: skip


def blank_redactions(series: pd.Series) -> pd.Series:
    """Replace redaction codes, blank cells and explicit 'unknown', 'n/a' or dash markers with
    missing values; other cells are kept as stripped text."""
    text = clean_cells(series)
    marker = text.str.lower().isin(MISSING_MARKERS).fillna(False).astype(bool)
    return text.mask(redaction_mask(text) | marker)


# ---------------------------------------------------------------- identifiers

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")


def case_id_key(series: pd.Series) -> pd.Series:
    """The form of each case number used to find duplicates: Unicode NFKC, invisible characters
    and all white space removed, dash variants as '-', case folded. 'AB\u2013 101' -> 'ab-101'."""

    def key(value: str) -> str:
        text = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
        return re.sub(r"\s+", "", _DASHES.sub("-", text)).casefold()

    return series.map(key, na_action="ignore")


# ---------------------------------------------------------------- headers

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "case_id": ("Case ID", "Case No.", "Case Number", "Record ID", "Case #", "Record Number"),
    "screening_date": (
        "Screening Date",
        "Date of Screening",
        "Interview Date",
        "Receipt Date",
        "Date",
        "Threshold Screening Date",
    ),
    "fiscal_year": ("FY", "Fiscal Year"),
    "citizenship": (
        "Country of Citizenship",
        "Citizenship",
        "Nationality",
        "Country of Nationality",
        "COC",
        "Country",
    ),
    "exception": (
        "Exception",
        "Exception Type",
        "STCA Exception",
        "Exception Claimed",
        "Basis for Exception",
        "Exception Basis",
    ),
    "expedited_removal": (
        "Expedited Removal",
        "ER",
        "Placed in ER",
        "Expedited Removal (Y/N)",
        "Placed in Expedited Removal",
    ),
    "port_of_entry": ("Port of Entry", "POE", "Port"),
}
HEADER_LOOKUP: dict[str, str] = {
    normalize_text(name): field for field, names in HEADER_SYNONYMS.items() for name in names
}


def header_field(label: object) -> str | None:
    """Map one header cell to an output field name ('Case No.' -> 'case_id'), or None."""
    return HEADER_LOOKUP.get(normalize_text(label))


# ---------------------------------------------------------------- yes / no

_YES = {"y", "yes", "true", "t", "1", "1 0", "x"}
_NO = {"n", "no", "false", "f", "0", "0 0"}


def parse_yes_no(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse Y/N, Yes/No, True/False, 1/0 in any case into a nullable boolean.

    Returns (values, unrecognized): blank and redacted cells are <NA> and not flagged; any other
    text that is not a yes/no is <NA> and flagged True in `unrecognized`.
    """
    text = blank_redactions(series)
    norm = text.map(normalize_text, na_action="ignore")
    values = pd.Series(pd.NA, index=series.index, dtype="boolean")
    values[norm.isin(_YES).fillna(False)] = True
    values[norm.isin(_NO).fillna(False)] = False
    unrecognized = text.notna() & values.isna()
    return values, unrecognized.astype(bool)


# ---------------------------------------------------------------- dates and years

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # the 1900 date system; Mac workbooks may use 1904
_ISO_RE = r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_SERIAL_RE = r"\d{5}(?:\.\d+)?"  # 5 digits: 1927-2173; a bare 4-digit number is a year
SLASH_DATE_RE = r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})"
_SLASH_FORMATS = {
    "mdy": ((r"\d{1,2}/\d{1,2}/\d{4}", "%m/%d/%Y"), (r"\d{1,2}/\d{1,2}/\d{2}", "%m/%d/%y")),
    "dmy": ((r"\d{1,2}/\d{1,2}/\d{4}", "%d/%m/%Y"), (r"\d{1,2}/\d{1,2}/\d{2}", "%d/%m/%y")),
}
_STRING_FORMATS = (
    (r"\d{1,2}-[A-Za-z]{3}-\d{4}", "%d-%b-%Y"),
    (r"\d{1,2}-[A-Za-z]{3}-\d{2}", "%d-%b-%y"),
    (r"\d{1,2} [A-Za-z]{3,9} \d{4}", "%d %B %Y"),
    (r"[A-Za-z]{3,9} \d{1,2},? \d{4}", "%B %d %Y"),
)


# A time of day after a date ('1/5/2010 12:00:00 AM', '2010-01-05T09:30:00Z', '... -05:00'):
# the date is kept as written, the time goes (the release's unit is the day).
TIME_OF_DAY = re.compile(
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?\s?[Mm]\.?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)$"
)


MIDNIGHT = r"[ T]+(?:0?0:00(?::00(?:\.0+)?)?|12:00(?::00)?\s*[Aa]\.?\s?[Mm]\.?)\s*(?:Z|UTC|GMT)?$"


def date_text(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(text of each date cell without its time of day, True where a time other than midnight
    was dropped). Redaction codes and blanks are missing."""
    text = blank_redactions(series)
    timed = text.str.contains(TIME_OF_DAY.pattern, regex=True).fillna(False).astype(bool)
    if not timed.any():
        return text, timed
    midnight = text.str.contains(MIDNIGHT, regex=True).fillna(False).astype(bool)
    text = text.where(~timed, text.str.replace(TIME_OF_DAY.pattern, "", regex=True))
    return text, timed & ~midnight


def slash_date_orders(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """For cells written N/N/YYYY: (day_first, month_first), True where the value itself settles
    the order (the first number is above 12: day first; the second is: month first)."""
    parts = date_text(series)[0].str.extract(rf"^{SLASH_DATE_RE}$")
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    return (first > 12).fillna(False).astype(bool), (second > 12).fillna(False).astype(bool)


def has_slash_dates(series: pd.Series) -> bool:
    """Whether any cell is written N/N/YYYY (or N/N/YY), with or without a time of day."""
    text = date_text(series)[0]
    return bool(text.str.fullmatch(SLASH_DATE_RE).fillna(False).any())


def parse_dates(
    series: pd.Series, epoch: pd.Timestamp = EXCEL_EPOCH, date_order: str = "mdy"
) -> pd.Series:
    """Parse mixed date cells into datetime64 (NaT where not a date).

    Accepts Excel date cells (datetime objects), Excel serial numbers (e.g. 39500, counted from
    `epoch`: the workbook's date system), ISO strings (2008-02-21), any of these text forms
    followed by a time of day (with AM/PM, Z or an offset; the date is kept as written),
    N/N/YYYY read in `date_order` ('mdy' or 'dmy'), and D-Mon-YYYY (and two-digit-year and
    long-month variants). Each form is parsed with an explicit format, column-wise.
    """
    text = date_text(series)[0].str.replace(",", "", regex=False)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us]")

    iso = text.str.fullmatch(_ISO_RE).fillna(False).astype(bool)
    if iso.any():
        result[iso] = pd.to_datetime(text[iso], format="ISO8601", errors="coerce")

    serial = text.str.fullmatch(_SERIAL_RE).fillna(False).astype(bool) & ~iso
    if serial.any():
        days = pd.to_numeric(text[serial], errors="coerce")
        result[serial] = epoch + pd.to_timedelta(days.floordiv(1), unit="D")

    for pattern, fmt in (*_SLASH_FORMATS[date_order], *_STRING_FORMATS):
        mask = text.str.fullmatch(pattern).fillna(False).astype(bool) & result.isna()
        if mask.any():
            result[mask] = pd.to_datetime(text[mask], format=fmt, errors="coerce")
    return result


FISCAL_YEAR_FIRST_MONTH = 10  # U.S. federal fiscal year N runs 1 October N-1 to 30 September N


def fiscal_year(dates):
    """The U.S. federal fiscal year: of a date or Timestamp, an int; of a Series of datetimes,
    an Int64 Series (<NA> for NaT). The project's one statement of the rule."""
    if isinstance(dates, pd.Series):
        years = dates.dt.year.astype("Int64")
        return years + (dates.dt.month >= FISCAL_YEAR_FIRST_MONTH).astype("Int64")
    return dates.year + (1 if dates.month >= FISCAL_YEAR_FIRST_MONTH else 0)


def parse_fiscal_year(series: pd.Series) -> pd.Series:
    """Parse fiscal-year cells ('FY2008', 'FY 08', '2008', 2008.0) into Int64 (<NA> if not a year)."""
    text = blank_redactions(series)
    digits = text.str.extract(
        r"^(?:FY|F\.Y\.|Fiscal Year)?\s*'?(\d{4}|\d{2})(?:\.0+)?$", flags=re.I
    )[0]
    years = pd.to_numeric(digits, errors="coerce").astype("Int64")
    years = years.where(years >= 100, years + 2000)
    return years.where((years >= 1900) & (years <= 2100))


def fiscal_year_from_sheet(sheet_name: str | None) -> int | None:
    """Read a fiscal year from a sheet name such as 'FY2008' or 'FY 08 cases'; None if absent."""
    if not sheet_name:
        return None
    match = re.search(r"\bFY\s*'?(\d{4}|\d{2})\b", str(sheet_name), re.I)
    if not match:
        return None
    year = int(match.group(1))
    return year + 2000 if year < 100 else year


# ---------------------------------------------------------------- exceptions

EXCEPTIONS = ("family_member", "unaccompanied_minor", "valid_status", "public_interest")
UNKNOWN = "unknown"
EXCEPTION_PATTERNS: dict[str, re.Pattern] = {
    "family_member": re.compile(
        r"\b(family|relatives?|anchor|spouse|parent|sibling|child(ren)?|son|daughter|brother"
        r"|sister|aunt|uncle|niece|nephew|grand ?parent|legal guardian)\b"
    ),
    "unaccompanied_minor": re.compile(r"\b(unaccompanied|minor|uam|uac|juvenile)\b"),
    "valid_status": re.compile(
        r"\b(valid|visa|status|document|documents|lawful|permit|lpr|green card|parole)\b"
    ),
    "public_interest": re.compile(r"\b(public interest|pi|public)\b"),
}


@lru_cache(maxsize=4096)
def classify_exception(label: str) -> str:
    """Map one exception label to family_member, unaccompanied_minor, valid_status,
    public_interest, or 'unknown' (no category, or more than one, matches)."""
    norm = normalize_text(label)
    hits = [name for name, pattern in EXCEPTION_PATTERNS.items() if pattern.search(norm)]
    return hits[0] if len(hits) == 1 else UNKNOWN


def parse_exceptions(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Classify exception labels. Returns (exception, unrecognized).

    Blank or redacted cells become 'unknown' without a flag; text that matches no category (or
    several) becomes 'unknown' and is flagged for the cleaning report.
    """
    text = blank_redactions(series)
    classes = text.map(classify_exception, na_action="ignore").astype("str")
    unrecognized = text.notna() & (classes == UNKNOWN)
    return classes.fillna(UNKNOWN).astype("str"), unrecognized.fillna(False).astype(bool)


# ---------------------------------------------------------------- countries


def _read_reference_csv(name: str) -> list[dict[str, str]]:
    with open(REFERENCES_DIR / name, encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if not row[next(iter(row))].startswith("#")]


@lru_cache(maxsize=1)
def country_tables() -> tuple[dict[str, str], dict[str, str]]:
    """Return (lookup, short_names).

    lookup maps a normalised name or code to ISO alpha-3 (or '' for a recognised non-country such
    as 'Stateless'); short_names maps alpha-3 to the short English name used in reports.
    Built from pycountry plus references/country_overrides.csv, where the overrides win.
    """
    lookup: dict[str, str] = {}
    short: dict[str, str] = {}
    for country in pycountry.countries:
        a3 = country.alpha_3
        short[a3] = getattr(country, "common_name", None) or country.name
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                lookup.setdefault(normalize_text(value), a3)
    for row in _read_reference_csv("country_overrides.csv"):
        key = normalize_text(row["name"])
        if row["kind"] == "short_name":
            short[row["iso3"]] = row["name"]
            lookup[key] = row["iso3"]
        elif row["kind"] == "alias":
            lookup[key] = row["iso3"]
        elif row["kind"] == "not_a_country":
            lookup[key] = ""
            short["" + key] = row["name"]
        else:
            raise ValueError(
                f"country_overrides.csv: unknown kind {row['kind']!r} for {row['name']!r}"
            )
    return lookup, short


@lru_cache(maxsize=1)
def country_codes() -> dict[str, str]:
    """ISO 3166 alpha-2 and alpha-3 codes (normalised) -> alpha-3. Used only for columns that
    hold codes: elsewhere 'NA' is 'not available', not Namibia, and 'IN' is a word."""
    codes = {}
    for country in pycountry.countries:
        codes[normalize_text(country.alpha_2)] = country.alpha_3
        codes[normalize_text(country.alpha_3)] = country.alpha_3
    codes["xk"] = codes["xkx"] = "XKX"  # Kosovo: user-assigned, used by U.S. agencies
    return codes


def holds_country_codes(text: pd.Series) -> bool:
    """True when at least 80% of the filled cells are two- or three-letter ISO codes."""
    filled = text.dropna()
    if filled.empty:
        return False
    codes = country_codes()
    is_code = filled.str.fullmatch(r"[A-Za-z]{2,3}") & filled.str.lower().isin(codes.keys())
    return bool(is_code.mean() >= 0.8)


@lru_cache(maxsize=8192)
def lookup_country(label: str, codes: bool = False) -> tuple[str, str] | None:
    """Map one country label to (short name, ISO alpha-3), or None if unrecognised.

    Tries the label as written, then 'Korea, South' style inversions ('South Korea'); ISO codes
    only when `codes` (the column holds codes). A recognised non-country ('Stateless') returns
    (name, '').
    """
    lookup, short = country_tables()
    norm = normalize_text(label)
    if codes and norm in country_codes():
        iso3 = country_codes()[norm]
        return short[iso3], iso3
    candidates = [norm]
    if "," in str(label):
        head, _, tail = str(label).partition(",")
        candidates.append(normalize_text(f"{tail} {head}"))
    for key in candidates:
        if key in lookup:
            iso3 = lookup[key]
            return (short[iso3], iso3) if iso3 else (short[key], "")
    return None


UNKNOWN_COUNTRY = "Unknown"


NOT_AVAILABLE_WORDS = {"na", "n a"}  # 'NA' in a column of names means not available


def parse_countries(
    series: pd.Series, codes: bool | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Canonicalise country labels. Returns (short_name, iso3, unrecognized).

    `codes`: whether the column holds ISO codes (None: decide from the values, see
    holds_country_codes). In a column of names 'NA' is missing; in a column of codes, Namibia.
    Blank or redacted: name and iso3 empty (<NA>), not flagged. Unrecognised text: name
    'Unknown', iso3 <NA>, flagged for the cleaning report.
    """
    text = blank_redactions(series)
    codes = holds_country_codes(text) if codes is None else codes
    if not codes:
        text = text.mask(text.map(normalize_text, na_action="ignore").isin(NOT_AVAILABLE_WORDS))
    matches = {value: lookup_country(value, codes) for value in text.dropna().unique()}
    names = {v: (m[0] if m else UNKNOWN_COUNTRY) for v, m in matches.items()}
    codes = {v: (m[1] or None if m else None) for v, m in matches.items()}
    name = text.map(names)
    iso3 = text.map(codes)
    unrecognized = text.notna() & (name == UNKNOWN_COUNTRY)
    return name.astype("str"), iso3.astype("str"), unrecognized.fillna(False).astype(bool)


# ---------------------------------------------------------------- totals and notes

TOTAL_RE = re.compile(
    r"^(?:(?:grand|sub) ?totals?|totals?|sums?|fy ?\d{2,4} totals?|totals? fy ?\d{2,4}"
    r"|totals? (?:for|of|in) .+|(?:count|sum|number) of .+"
    r"|total (?:cases|records|persons|people|screenings)"
    r"|(?!.*\btotal\b.*\btotal\b)[a-z][a-z ,'.()-]{0,60} (?:sub ?)?totals?)(?: \d+)?$"
)


def group_of_total(label: str) -> str | None:
    """The group a subtotal closes ('Mexico Total' -> 'mexico', 'Total for Haiti' -> 'haiti'),
    normalised; None for a plain, grand or fiscal-year total."""
    norm = normalize_text(label)
    match = re.fullmatch(
        r"(.+?) (?:sub ?)?totals?(?: \d+)?|totals? (?:for|of|in) (.+?)(?: \d+)?", norm
    )
    if not match:
        return None
    group = (match.group(1) or match.group(2) or "").strip()
    if not group or group in ("grand", "sub") or re.fullmatch(r"fy ?\d{2,4}", group):
        return None
    return group


_TOTAL_WORDS = ("total", "sum", "count of", "number of")


def is_total_label(series: pd.Series) -> pd.Series:
    """True where a cell is a total or subtotal label ('Total', 'Grand Total', 'FY 2008 Total:')."""
    return total_mask(clean_cells(series))


def total_mask(text: pd.Series) -> pd.Series:
    """is_total_label for text already passed through clean_cells (saves a pass per column)."""
    result = pd.Series(False, index=text.index)
    candidates = (
        text.str.contains("|".join(_TOTAL_WORDS), case=False, regex=True).fillna(False).astype(bool)
    )
    if candidates.any():
        norm = text[candidates].map(normalize_text).astype("str")
        result[candidates] = norm.str.fullmatch(TOTAL_RE.pattern).fillna(False).astype(bool)
    return result


def total_kind(label: str) -> str:
    """'grand' for a grand total, else 'section' (a subtotal or a sheet/fiscal-year total)."""
    return "grand" if normalize_text(label).startswith("grand") else "section"
