"""Readers for the official files on both directions across the Canada-U.S. border (in
data/raw/official/, provenance in data/raw/PROVENANCE.md), and the tidy table they make.

Every reader returns long-format rows with the columns of BORDER_FLOWS_COLUMNS: one row per
value, with where in the file it came from. Values stay as published (rounded where the source
rounds; IRCC's suppressed 0-5 cells stay missing, never zero).
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from src import parsers
from src.helpers import (
    RAW_DIR,
    ManifestError,
    find_manifest_dir,
    relative_to_root,
    sha256_file,
    verify_manifest,
)

OFFICIAL_DIR = RAW_DIR / "official"
OHSS_FILE = OFFICIAL_DIR / "us" / "dhs-ohss-usbp-encounters-oct1999-nov2024.xlsx"
CBP_PDF = OFFICIAL_DIR / "us" / "cbp-usbp-monthly-encounters-fy2000-fy2020.pdf"
CBP_STATE_CSV = OFFICIAL_DIR / "us" / "cbp-nationwide-encounters-fy2020-fy2023-state.csv"
IRCC_PAGES = OFFICIAL_DIR / "canada" / "ircc-pages"
IRCC_OFFICE_TYPE = OFFICIAL_DIR / "canada" / "ircc-open-data" / "EN_ODP-Asylum-OfficeType_Prov.xlsx"

NORTHERN = "Northern Land Border"  # OHSS and CBP's name for the Canada border region
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FY_MONTHS = ["October", "November", "December", "January", "February", "March", "April", "May",
             "June", "July", "August", "September"]  # fmt: skip

BORDER_FLOWS_COLUMNS = [
    "direction", "measure", "area", "category", "period_type", "period", "first_month",
    "last_month", "complete", "value", "rounding", "suppressed", "status", "source_file",
    "source_location",
]  # fmt: skip
ROW_UNIT = (
    "one value as an official file publishes it. A file's totals and their breakdowns are all "
    "rows: to sum, first keep one measure, one source_file and one period_type, then either "
    "area 'all' and category 'all' (the file's own totals) or one kind of breakdown (the "
    "provinces, sectors, office types or citizenships). Rows with complete false cover only part "
    "of their period."
)
FLOWS_DICTIONARY = {
    "direction": "canada_to_us, us_to_canada, or canada_all_routes (claims in Canada by any route)",
    "measure": "what is counted: usbp_apprehensions, cbp_encounters, rcmp_interceptions, "
    "land_port_claims, asylum_claims",
    "area": "'all' for the whole border or country; otherwise the sector, province or state as "
    "the source names it",
    "category": "'all', or a breakdown: 'citizenship: India', 'office type: inland'",
    "period_type": "fiscal_year (U.S., October to September), calendar_year or month",
    "period": "2024 for a year, 2023-04 for a calendar month",
    "first_month": "the first calendar month the value covers (YYYY-MM)",
    "last_month": "the last calendar month the value covers: for a year the file publishes only "
    "in part (FY2025 in the DHS workbook: October and November 2024; 2024 in IRCC's open data: "
    "January and February), the last month it holds",
    "complete": "true when the value covers its whole period; false for a partial year",
    "value": "the number as published (empty when suppressed)",
    "rounding": "1, 5 or 10: the source's rounding",
    "suppressed": "true where IRCC shows '--' (0 to 5, withheld)",
    "status": "official (as published) or derived (our sum of a file's rows)",
    "source_file": "the file in the repository's official data folder",
    "source_location": "sheet, page or table, and row and column, of the value",
}
DIRECTIONS = ("canada_to_us", "us_to_canada", "canada_all_routes")
MEASURES = (
    "usbp_apprehensions",  # U.S. Border Patrol, between ports (any purpose)
    "cbp_encounters",  # Border Patrol + port (OFO) encounters combined
    "rcmp_interceptions",  # RCMP, between ports, into Canada
    "land_port_claims",  # asylum claims at Canada's land ports of entry
    "asylum_claims",  # asylum claims in Canada (category: office type, or all)
)

BORDER_FLOWS_SCHEMA = pa.DataFrameSchema(
    {
        "direction": pa.Column(str, pa.Check.isin(DIRECTIONS)),
        "measure": pa.Column(str, pa.Check.isin(MEASURES)),
        "area": pa.Column(str, pa.Check.str_length(min_value=2)),
        "category": pa.Column(str, pa.Check.str_length(min_value=2)),
        "period_type": pa.Column(str, pa.Check.isin(["fiscal_year", "calendar_year", "month"])),
        "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}(-\d{2})?$")),
        "first_month": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$")),
        "last_month": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$")),
        "complete": pa.Column(bool),
        "value": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "rounding": pa.Column("int64", pa.Check.isin([1, 5, 10])),
        "suppressed": pa.Column(bool),
        "status": pa.Column(str, pa.Check.isin(["official", "derived"])),
        "source_file": pa.Column(str, pa.Check.str_startswith("data/raw/official/")),
        "source_location": pa.Column(str, pa.Check.str_length(min_value=3)),
    },
    checks=[
        pa.Check(lambda d: d["value"].isna() == d["suppressed"], error="missing iff suppressed"),
    ],
    strict=True,
    ordered=True,
)


class OfficialFileError(ValueError):
    """An official file does not have the shape its reader expects; the message says where."""


def _rows(**common) -> callable:
    def make(**values) -> dict:
        return {**common, **values}

    return make


def fy_month_to_calendar(fiscal_year: int, month: str | int) -> str:
    """The calendar month of a month of a U.S. fiscal year (October to September), given by name
    or number: ('October', 2024) -> '2023-10'; (3, 2024) -> '2024-03'."""
    number = month if isinstance(month, int) else pd.Timestamp(f"1 {month} 2000").month
    year = fiscal_year - 1 if number >= 10 else fiscal_year
    return f"{year}-{number:02d}"


FOOTNOTE = re.compile(r"\s*Footnote\s*\S*", re.I)  # IRCC cells carry 'Footnote *' markers


def _number(text) -> int | None:
    """'1,234' -> 1234; '--' (suppressed) and blanks -> None."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    cleaned = FOOTNOTE.sub("", str(text)).strip().replace(",", "")
    if cleaned in ("", "--", "N/A", "n/a"):
        return None
    return int(float(cleaned))


# ---------------------------------------------------------------- DHS OHSS workbook


def _ohss_sheet(path: Path, sheet: str, columns: list[str]) -> pd.DataFrame:
    frame = pd.read_excel(path, sheet_name=sheet, engine="calamine")
    frame.columns = [" ".join(str(c).split()) for c in frame.columns]  # 'Fiscal\nYear'
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise OfficialFileError(
            f"{path}, sheet {sheet!r}: columns {missing} not found (found {list(frame.columns)})"
        )
    frame["excel_row"] = range(2, len(frame) + 2)
    return frame


def read_ohss(path: Path = OHSS_FILE) -> pd.DataFrame:
    """U.S. Border Patrol encounters on the northern land border from the OHSS workbook: by
    fiscal year and sector ('Annual Rgn and Sector', area 'all' for the region), by month
    ('Monthly Region') and by fiscal year and citizenship ('Annual Rgn and Citp'). Rounded to 10.
    """
    source = relative_to_root(path)
    row = _rows(direction="canada_to_us", measure="usbp_apprehensions", rounding=10,
                suppressed=False, status="official", source_file=source)  # fmt: skip
    out = []
    sectors = _ohss_sheet(path, "Annual Rgn and Sector", ["Fiscal Year", "Region", "Sector"])
    for r in sectors[sectors["Region"] == NORTHERN].itertuples():
        out.append(row(area=r.Sector, category="all", period_type="fiscal_year",
                       period=str(r._1), value=int(r.Quantity),
                       source_location=f"sheet 'Annual Rgn and Sector', row {r.excel_row}"))  # fmt: skip
    region = _ohss_sheet(path, "Annual Region", ["Fiscal Year", "Region", "Quantity"])
    for r in region[region["Region"] == NORTHERN].itertuples():
        out.append(row(area="all", category="all", period_type="fiscal_year", period=str(r._1),
                       value=int(r.Quantity),
                       source_location=f"sheet 'Annual Region', row {r.excel_row}"))  # fmt: skip
    monthly = _ohss_sheet(path, "Monthly Region", ["Fiscal Year", "Month", "Region", "Quantity"])
    for r in monthly[monthly["Region"] == NORTHERN].itertuples():
        month_name = re.sub(r"^\d+\s+", "", str(r.Month))  # '01 October' -> 'October'
        out.append(row(area="all", category="all", period_type="month",
                       period=fy_month_to_calendar(int(r._1), month_name), value=int(r.Quantity),
                       source_location=f"sheet 'Monthly Region', row {r.excel_row}"))  # fmt: skip
    citizenship = _ohss_sheet(path, "Annual Rgn and Citp", ["Fiscal Year", "Region", "Citizenship"])
    for r in citizenship[citizenship["Region"] == NORTHERN].itertuples():
        out.append(row(area="all", category=f"citizenship: {r.Citizenship}",
                       period_type="fiscal_year", period=str(r._1), value=int(r.Quantity),
                       source_location=f"sheet 'Annual Rgn and Citp', row {r.excel_row}"))  # fmt: skip
    return pd.DataFrame(out)


# ---------------------------------------------------------------- CBP monthly PDF

BORDER_ROWS = {"Coastal Border", "Northern Border", "Southwest Border", "Monthly Total"}
NORTHERN_SECTORS = {"Blaine", "Buffalo", "Detroit", "Grand Forks", "Havre", "Houlton",
                    "Spokane", "Swanton"}  # fmt: skip


def _sector_name(cell: str) -> str:
    """'Big Bend\\n(formerly Marfa)' -> 'Big Bend'; 'Livermore*' -> 'Livermore'."""
    first = str(cell).split("\n")[0]
    return re.sub(r"\s*\(.*\)$", "", first).rstrip("*").strip()


def read_cbp_pdf(path: Path = CBP_PDF) -> pd.DataFrame:
    """U.S. Border Patrol apprehensions (FY2020: encounters) by northern sector and month, and the
    'Northern Border' total row, one page per fiscal year. Unrounded. A closed sector's 'N/A'
    is left out (it is not a count)."""
    import pdfplumber  # here: only the CBP PDF needs it, and it is slow to import

    source = relative_to_root(path)
    row = _rows(direction="canada_to_us", measure="usbp_apprehensions", rounding=1,
                suppressed=False, status="official", source_file=source)  # fmt: skip
    out = []
    with pdfplumber.open(path) as pdf:
        for page_no, page in enumerate(pdf.pages, 1):
            text = page.extract_text() or ""
            match = re.search(r"FY\s*(\d{4})", text)
            tables = page.extract_tables()
            if not match or not tables:
                raise OfficialFileError(f"{path}, page {page_no}: no fiscal year or no table")
            fiscal_year = int(match.group(1))
            table = tables[0]
            header = [" ".join(str(c).split()) for c in table[0]]
            if header[0].upper() != "SECTOR" or header[-1] != "Yearly Total":
                raise OfficialFileError(f"{path}, page {page_no}: unexpected header {header}")
            months = header[1:13]
            for line in table[1:]:
                name = _sector_name(line[0])
                if name not in NORTHERN_SECTORS and name != "Northern Border":
                    continue
                area = "all" if name == "Northern Border" else name
                where = f"page {page_no}, row '{name}'"
                for month, cell in zip(months, line[1:13], strict=True):
                    value = _number(cell)
                    if value is None:
                        continue  # N/A: sector not operating
                    out.append(row(area=area, category="all", period_type="month",
                                   period=fy_month_to_calendar(fiscal_year, month),
                                   value=value, source_location=f"{where}, {month}"))  # fmt: skip
                total = _number(line[13])
                if total is not None:
                    out.append(row(area=area, category="all", period_type="fiscal_year",
                                   period=str(fiscal_year), value=total,
                                   source_location=f"{where}, Yearly Total"))  # fmt: skip
    return pd.DataFrame(out)


# ---------------------------------------------------------------- CBP nationwide encounters by state

MONTH_ABBR = {m.upper(): i for i, m in enumerate(MONTHS, 1)}


def read_cbp_state_csv(path: Path = CBP_STATE_CSV) -> pd.DataFrame:
    """CBP encounters (Border Patrol and ports combined) on the northern land border, summed by
    fiscal year, by month, and by fiscal year and state. Unrounded; status 'derived' (our sums
    of the file's rows)."""
    frame = pd.read_csv(path, dtype={"Fiscal Year": int, "Encounter Count": int})
    expected = {"Fiscal Year", "Month (abbv)", "Land Border Region", "State", "Encounter Count"}
    if not expected <= set(frame.columns):
        raise OfficialFileError(f"{path}: columns {sorted(expected - set(frame.columns))} missing")
    north = frame[frame["Land Border Region"] == NORTHERN].copy()
    north["month_no"] = north["Month (abbv)"].str.upper().map(MONTH_ABBR)
    north["period"] = [
        fy_month_to_calendar(int(fy), int(m))
        for fy, m in zip(north["Fiscal Year"], north["month_no"], strict=True)
    ]
    source = relative_to_root(path)
    row = _rows(direction="canada_to_us", measure="cbp_encounters", category="all", rounding=1,
                suppressed=False, status="derived", source_file=source)  # fmt: skip
    where = f"sum of 'Encounter Count' where 'Land Border Region' = '{NORTHERN}'"
    out = [
        row(area="all", period_type="fiscal_year", period=str(fy), value=int(v),
            source_location=f"{where}, Fiscal Year {fy}")
        for fy, v in north.groupby("Fiscal Year")["Encounter Count"].sum().items()
    ] + [
        row(area="all", period_type="month", period=p, value=int(v),
            source_location=f"{where}, month {p}")
        for p, v in north.groupby("period")["Encounter Count"].sum().items()
    ] + [
        row(area=state, period_type="fiscal_year", period=str(fy), value=int(v),
            source_location=f"{where}, State {state}, Fiscal Year {fy}")
        for (fy, state), v in north.groupby(["Fiscal Year", "State"])["Encounter Count"].sum().items()
    ]  # fmt: skip
    # CBP's own citizenship labels ('CHINA, PEOPLES REPUBLIC OF') through the cleaner's
    # country normalisation, so they match the other files' names.
    names, _, unknown = parsers.parse_countries(north["Citizenship"], codes=False)
    if unknown.any():
        raise OfficialFileError(
            f"{path}: citizenship labels not recognised: {sorted(set(north['Citizenship'][unknown]))}"
            "; add them to references/country_overrides.csv"
        )
    north["citizenship"] = names
    out += [
        row(area="all", category=f"citizenship: {name}", period_type="fiscal_year",
            period=str(fy), value=int(v),
            source_location=f"{where}, Citizenship {name!r}, Fiscal Year {fy}")
        for (fy, name), v in north.groupby(["Fiscal Year", "citizenship"])["Encounter Count"].sum().items()
    ]  # fmt: skip
    return pd.DataFrame(out)


# ---------------------------------------------------------------- IRCC yearly pages

IRCC_TABLES = {  # caption (start) -> (measure, direction, rounding)
    "RCMP Interceptions": ("rcmp_interceptions", "us_to_canada", 1),
    "Land Ports of Entry": ("land_port_claims", "us_to_canada", 5),
    "Total Asylum Claimants processed by the CBSA and IRCC": (
        "asylum_claims", "canada_all_routes", 5),
}  # fmt: skip


def _page_tables(path: Path) -> dict[str, pd.DataFrame]:
    """The page's tables, found by their caption (white space normalised), not by position."""
    import lxml.html  # here: only the IRCC pages need it

    doc = lxml.html.fromstring(path.read_bytes())
    by_caption = {}
    for element in doc.iter("table"):
        caption = " ".join(element.xpath("string(caption)").split())
        by_caption.setdefault(caption, element)
    found = {}
    for wanted in IRCC_TABLES:
        matches = [c for c in by_caption if c.startswith(wanted)]
        if not matches:
            raise OfficialFileError(
                f"{path}: no table captioned {wanted!r}; captions found: {sorted(by_caption)}"
            )
        html = lxml.html.tostring(by_caption[matches[0]], encoding="unicode")
        found[wanted] = pd.read_html(StringIO(html), flavor="lxml")[0]
    return found


def read_ircc_page(path: Path) -> pd.DataFrame:
    """One IRCC 'Asylum claims by year' page: RCMP interceptions, claims at land ports, and all
    claims (CBSA + IRCC), by province and month, with the page's total rows and columns. Checks
    that the provinces add up to the total row, month by month (exactly for the unrounded RCMP
    table; within rounding for the others)."""
    year = int(re.search(r"(\d{4})", path.name).group(1))
    source = relative_to_root(path)
    out = []
    for caption, table in _page_tables(path).items():
        measure, direction, rounding = IRCC_TABLES[caption]
        table = table.copy()
        table.columns = [FOOTNOTE.sub("", " ".join(str(c).split())) for c in table.columns]
        labels = table.iloc[:, 0].astype(str).str.replace(FOOTNOTE, "", regex=True).str.strip()
        is_total = labels.str.startswith("Total")
        months = [c for c in table.columns if c[:3] in MONTHS]
        if len(months) != 12 or is_total.sum() != 1:
            raise OfficialFileError(
                f"{path}, table {caption!r}: expected 12 months and one total row"
            )
        for label, values in zip(labels, table.itertuples(index=False), strict=True):
            area = "all" if label.startswith("Total") else label
            where = f"table '{caption}', row '{label}'"
            cells = dict(zip(table.columns, values, strict=True))
            for month in months:
                value = _number(cells[month])
                out.append(dict(direction=direction, measure=measure, area=area, category="all",
                                period_type="month", period=f"{year}-{MONTHS.index(month[:3]) + 1:02d}",
                                value=value, rounding=rounding, suppressed=value is None,
                                status="official", source_file=source,
                                source_location=f"{where}, {month}"))  # fmt: skip
            total_col = [c for c in table.columns if c.lower().startswith("total")]
            if total_col:
                value = _number(cells[total_col[0]])
                out.append(dict(direction=direction, measure=measure, area=area, category="all",
                                period_type="calendar_year", period=str(year), value=value,
                                rounding=rounding, suppressed=value is None, status="official",
                                source_file=source, source_location=f"{where}, {total_col[0]}"))  # fmt: skip
    return pd.DataFrame(out)


def provinces_vs_totals(rows: pd.DataFrame) -> list[dict]:
    """Periods where provinces do not add up to the total row, beyond the source's rounding (half
    a rounding step per cell, and up to 5 per suppressed cell): one dict per disagreement."""
    found = []
    for (measure, source, period), group in rows.groupby(["measure", "source_file", "period"]):
        total = group.loc[group["area"] == "all", "value"].dropna()
        parts = group.loc[group["area"] != "all", "value"]
        if total.empty or parts.empty:
            continue
        rounding = int(group["rounding"].iloc[0])
        slack = 0 if rounding == 1 else rounding / 2 * (len(parts) + 1)
        slack += 5 * int(parts.isna().sum())
        added = int(parts.fillna(0).sum())
        if abs(added - int(total.iloc[0])) > slack:
            found.append(
                {"measure": measure, "source_file": source, "period": period,
                 "provinces": added, "total": int(total.iloc[0])}
            )  # fmt: skip
    return found


def read_ircc_pages(folder: Path = IRCC_PAGES) -> pd.DataFrame:
    """Every yearly page in the folder."""
    pages = sorted(folder.glob("asylum-claims-*.htm"))
    if not pages:
        raise OfficialFileError(f"{folder}: no asylum-claims-YYYY.htm pages")
    return pd.concat([read_ircc_page(p) for p in pages], ignore_index=True)


# ---------------------------------------------------------------- IRCC open data (office type)

OFFICE_TYPES = {"Airport": "airport", "Border": "land port", "Inland": "inland",
                "Other Offices": "other offices", "Total": "all"}  # fmt: skip


def read_ircc_office_type(path: Path = IRCC_OFFICE_TYPE) -> pd.DataFrame:
    """Asylum claimants by office type and month (and year totals), national rows only: the
    '<type> - Total' rows, 'Other Offices' and 'Total'. '--' (0 to 5, suppressed) stays missing.
    Rounded to 5. The land-port ('Border') rows are also given as measure land_port_claims."""
    grid = pd.read_excel(path, header=None, engine="calamine", dtype=object)
    years = grid.iloc[2].ffill()
    labels = grid.iloc[3]
    columns = []  # (grid column, period_type, period, header text)
    for col in range(2, grid.shape[1]):
        label = str(labels[col]).strip()
        if label in MONTHS:
            year = int(float(years[col]))
            columns.append((col, "month", f"{year}-{MONTHS.index(label) + 1:02d}", label))
        elif re.fullmatch(r"\d{4} Total", label):
            columns.append((col, "calendar_year", label[:4], label))
    if not columns:
        raise OfficialFileError(f"{path}: no month or year-total columns in rows 3-4")
    source = relative_to_root(path)
    out = []
    for index in range(4, len(grid)):
        name = str(grid.iat[index, 0]).strip().removesuffix(" - Total").strip()
        if name not in OFFICE_TYPES:
            continue
        office = OFFICE_TYPES[name]
        for col, period_type, period, header in columns:
            value = _number(grid.iat[index, col])
            base = dict(area="all", period_type=period_type, period=period, value=value,
                        rounding=5, suppressed=value is None, status="official",
                        source_file=source,
                        source_location=f"row {index + 1} '{grid.iat[index, 0]}', column '{header}'")  # fmt: skip
            out.append({**base, "direction": "canada_all_routes", "measure": "asylum_claims",
                        "category": f"office type: {office}"})  # fmt: skip
            if office == "land port":
                out.append({**base, "direction": "us_to_canada", "measure": "land_port_claims",
                            "category": "all"})  # fmt: skip
    return pd.DataFrame(out)


# ---------------------------------------------------------------- the tidy table


def verify_inputs(paths: list[Path]) -> None:
    """Every file read must be listed, with its current checksum, in the manifest of the folder
    above it (ManifestError otherwise); files outside any manifest (test fixtures) pass."""
    for path in paths:
        folder = find_manifest_dir(path)
        if folder is None:
            continue
        entries = verify_manifest(folder)
        name = Path(path).resolve().relative_to(folder.resolve()).as_posix()
        if entries.get(name) != sha256_file(path):
            raise ManifestError(f"{folder}: not in manifest: {name}; run `make manifest`")


def border_flows(
    ohss: Path = OHSS_FILE,
    pdf: Path = CBP_PDF,
    state_csv: Path = CBP_STATE_CSV,
    pages: Path = IRCC_PAGES,
    office_type: Path = IRCC_OFFICE_TYPE,
    top25: Path | None = None,
) -> pd.DataFrame:
    """Every official value, tidy and validated (BORDER_FLOWS_SCHEMA), sorted for stable output.
    Series published by two files are both kept (source_file tells them apart)."""
    top25 = IRCC_TOP25 if top25 is None else top25
    verify_inputs([ohss, pdf, state_csv, *sorted(Path(pages).glob("*.htm")), office_type, top25])
    frames = [
        read_ohss(ohss),
        read_cbp_pdf(pdf),
        read_cbp_state_csv(state_csv),
        read_ircc_pages(pages),
        read_ircc_office_type(office_type),
        read_ircc_top25(top25),
    ]
    table = with_coverage(pd.concat(frames, ignore_index=True))[BORDER_FLOWS_COLUMNS]
    table["value"] = table["value"].astype("Int64")
    table["rounding"] = table["rounding"].astype("int64")
    table["suppressed"] = table["suppressed"].astype(bool)
    for column in ("direction", "measure", "area", "category", "period_type", "period",
                   "status", "source_file", "source_location"):  # fmt: skip
        table[column] = table[column].astype(str)
    table = table.sort_values(
        ["direction", "measure", "source_file", "period_type", "period", "area", "category"],
        kind="stable",
    ).reset_index(drop=True)
    return BORDER_FLOWS_SCHEMA.validate(table, lazy=True)


def period_months(period_type: str, period: str) -> list[str]:
    """The calendar months (YYYY-MM) a period spans: a month itself, a calendar year's January to
    December, or a U.S. fiscal year's October (of the year before) to September."""
    if period_type == "month":
        return [period]
    year = int(period)
    start = f"{year - 1}-10" if period_type == "fiscal_year" else f"{year}-01"
    return list(pd.period_range(start, periods=12, freq="M").strftime("%Y-%m"))


def with_coverage(rows: pd.DataFrame) -> pd.DataFrame:
    """Add first_month, last_month and complete to every row. A year's coverage is the months of
    that year the same file publishes month by month (any area or category); a file with no
    monthly values is taken to cover its years whole."""
    published = rows[rows["period_type"] == "month"].groupby("source_file")["period"].agg(set)
    first, last, complete = [], [], []
    for source, period_type, period in zip(
        rows["source_file"], rows["period_type"], rows["period"].astype(str), strict=True
    ):
        span = period_months(period_type, period)
        months = published.get(source)
        covered = span if period_type == "month" or not months else [m for m in span if m in months]
        covered = covered or span  # a year with no monthly values at all: as published
        first.append(covered[0])
        last.append(covered[-1])
        complete.append(len(covered) == len(span))
    return rows.assign(first_month=first, last_month=last, complete=complete)


def complete_only(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows that cover their whole period (charts leave partial years out)."""
    return rows[rows["complete"].astype(bool)]


def series(
    flows: pd.DataFrame,
    measure: str,
    period_type: str,
    source: str,
    area: str = "all",
    category: str = "all",
) -> pd.Series:
    """One series (period -> value) from the tidy table, from the file whose name contains
    `source`."""
    rows = flows[
        (flows["measure"] == measure)
        & (flows["period_type"] == period_type)
        & (flows["area"] == area)
        & (flows["category"] == category)
        & flows["source_file"].str.contains(source, regex=False)
    ]
    return rows.set_index("period")["value"].sort_index()


# ---------------------------------------------------------------- two files, one series

LIVERMORE_NOTE = (
    "OHSS counts Livermore, CA in the northern region through FY2005 (5,770 in FY2000 to 70 in "
    "FY2005); CBP's PDF does not, and FY2000-FY2002 sector values differ besides"
)
PAIRS = [
    # (name, measure, period_type, (file A, its category), (file B, its category), tolerance,
    #  why they may disagree)
    ("Border Patrol, northern border, by fiscal year", "usbp_apprehensions", "fiscal_year",
     ("cbp-usbp-monthly", "all"), ("dhs-ohss", "all"), 5, LIVERMORE_NOTE),
    ("Claims at Canada's land ports, by year", "land_port_claims", "calendar_year",
     ("ircc-pages", "all"), ("ircc-open-data", "all"), 5,
     "published at different dates; IRCC revises"),
    ("All asylum claims in Canada, by year", "asylum_claims", "calendar_year",
     ("ircc-pages", "all"), ("ircc-open-data", "office type: all"), 5,
     "published at different dates (tables 22 April 2024, open data 29 February 2024); "
     "IRCC revises"),
]  # fmt: skip


def agreement(flows: pd.DataFrame) -> pd.DataFrame:
    """For each series two official files publish, the values side by side by period, the
    difference, whether it is within the rounding of the two files, and why not where known."""
    out = []
    for name, measure, period_type, (a, cat_a), (b, cat_b), tolerance, note in PAIRS:
        left = series(flows, measure, period_type, a, category=cat_a)
        right = series(flows, measure, period_type, b, category=cat_b)
        both = pd.DataFrame({"a": left, "b": right}).dropna()
        for period, row in both.iterrows():
            difference = int(row["b"] - row["a"])
            within = abs(difference) <= tolerance
            out.append(
                {"series": name, "period": period, "file_a": publication(a),
                 "value_a": int(row["a"]), "file_b": publication(b), "value_b": int(row["b"]),
                 "difference": difference, "within_rounding": within,
                 "why": "" if within else note}
            )  # fmt: skip
    return pd.DataFrame(out)


def provinces_vs_totals_table(flows: pd.DataFrame) -> pd.DataFrame:
    """provinces_vs_totals over the IRCC pages, as a table (one row per disagreement)."""
    pages = flows[flows["source_file"].str.contains("ircc-pages")]
    found = provinces_vs_totals(pages)
    if not found:
        return pd.DataFrame({"disagreements": ["none"]})
    table = pd.DataFrame(found)
    table["source_file"] = (
        table["source_file"]
        .str.extract(r"(\d{4})\.htm$")[0]
        .map(lambda year: f"IRCC table for {year}")
    )
    table["measure"] = table["measure"].map(MEASURE_WORDS)
    return table.rename(columns={"source_file": "published in", "provinces": "provinces add up to"})


MEASURE_WORDS = {
    "usbp_apprehensions": "U.S. Border Patrol apprehensions between ports, northern border",
    "cbp_encounters": "CBP encounters (Border Patrol and ports), northern border",
    "rcmp_interceptions": "RCMP interceptions of asylum seekers between ports",
    "land_port_claims": "asylum claims at Canada's land ports",
    "asylum_claims": "asylum claims in Canada, all routes",
}
DIRECTION_WORDS = {
    "canada_to_us": "into the U.S. from Canada",
    "us_to_canada": "into Canada from the U.S.",
    "canada_all_routes": "in Canada (all routes)",
}
PUBLICATIONS = {
    "dhs-ohss": "DHS OHSS workbook (Nov 2024)",
    "cbp-usbp-monthly": "CBP monthly PDF",
    "cbp-nationwide": "CBP encounters by state",
    "ircc-pages": "IRCC yearly tables (Apr 2024)",
    "ircc-open-data": "IRCC open data (Feb 2024)",
}


def publication(source_file: str) -> str:
    """A reader's name for the publication a file belongs to."""
    return next((name for key, name in PUBLICATIONS.items() if key in source_file), source_file)


def _month_span(first: str, last: str) -> str:
    start, end = pd.Period(first, freq="M"), pd.Period(last, freq="M")
    if start == end:
        return start.strftime("%B %Y")
    if start.year == end.year:
        return f"{start.strftime('%B')} to {end.strftime('%B %Y')}"
    return f"{start.strftime('%B %Y')} to {end.strftime('%B %Y')}"


def flows_dictionary() -> pd.DataFrame:
    """Column and meaning, for the downloadable table, after a first line saying what one row is
    and how to sum it."""
    return pd.DataFrame(
        {"column": ["(one row)", *FLOWS_DICTIONARY],
         "meaning": [ROW_UNIT, *FLOWS_DICTIONARY.values()]}
    )  # fmt: skip


def flows_overview(flows: pd.DataFrame) -> pd.DataFrame:
    """What the tidy table holds, for readers: one row per measure and publication, with the
    years covered and the number of values."""
    years = flows[flows["period_type"] != "month"]
    table = years.assign(publication=years["source_file"].map(publication))
    out = []
    for (measure, direction, pub), part in table.groupby(
        ["measure", "direction", "publication"], sort=False
    ):
        prefix = "FY" if (part["period_type"] == "fiscal_year").all() else ""
        partial = part[~part["complete"].astype(bool)].drop_duplicates("period")
        text = f"{prefix}{part['period'].min()}–{prefix}{part['period'].max()}"
        for r in partial.sort_values("period").itertuples():
            text += f" ({prefix}{r.period}: {_month_span(r.first_month, r.last_month)} only)"
        out.append({"measure": MEASURE_WORDS[measure], "direction": DIRECTION_WORDS[direction],
                    "publication": pub, "years": text,
                    "values": int(len(flows[(flows["measure"] == measure)
                                           & (flows["direction"] == direction)
                                           & (flows["source_file"].map(publication) == pub)]))})  # fmt: skip
    out = pd.DataFrame(out)
    return out[["measure", "direction", "publication", "years", "values"]].rename(
        columns={
            "measure": "what is counted",
            "direction": "where",
            "values": "values in the table",
        }
    )


# ---------------------------------------------------------------- IRCC open data (top 25 citizenships)

IRCC_TOP25 = (
    OFFICIAL_DIR
    / "canada"
    / "ircc-open-data"
    / "EN_ODP-Asylum-Top_25_CITZ_Office_Type_last_year.xlsx"
)
OFFICE_ROWS = {"Airport": "airport", "Border": "land port", "Inland": "inland",
               "Other Offices": "other offices"}  # fmt: skip
COUNTRY_LABEL = re.compile(r"^\(\d+\)\s*(.+)$")


def _top25_columns(grid: pd.DataFrame, path: Path) -> list[tuple[int, str, str, str]]:
    """(column, period_type, period, header) for month and year-total columns; quarter totals
    (interleaved with the months) are left out."""
    years = grid.iloc[2].ffill()
    columns = []
    for col in range(2, grid.shape[1]):
        month, total = str(grid.iat[4, col]).strip(), str(grid.iat[3, col]).strip()
        if month in MONTHS:
            columns.append(
                (col, "month", f"{int(float(years[col]))}-{MONTHS.index(month) + 1:02d}", month)
            )
        elif re.fullmatch(r"\d{4} Total", total):
            columns.append((col, "calendar_year", total[:4], total))
    if not any(kind == "calendar_year" for _, kind, _, _ in columns):
        raise OfficialFileError(f"{path}: no 'YYYY Total' columns in rows 3-5")
    return columns


def read_ircc_top25(path: Path = IRCC_TOP25) -> pd.DataFrame:
    """Asylum claimants by the top 25 citizenships (and office type), by month and year.

    In this sheet each country's label row ('(1) Mexico', holding the country's total) sits one
    row away from its block of office-type rows. Which side the block is on is not assumed: it is
    the side whose office rows add up to the label row's year totals (within rounding to 5); a
    sheet where neither side adds up is refused. '--' (0 to 5) stays missing, flagged suppressed.
    """
    grid = pd.read_excel(path, header=None, engine="calamine", dtype=object)
    columns = _top25_columns(grid, path)
    year_cols = [col for col, kind, _, _ in columns if kind == "calendar_year"]
    labels = [
        (i, COUNTRY_LABEL.match(str(grid.iat[i, 0]).strip()).group(1))
        for i in range(len(grid))
        if COUNTRY_LABEL.match(str(grid.iat[i, 0]).strip())
    ]
    if not labels:
        raise OfficialFileError(f"{path}: no '(n) Country' label rows")

    def block(start: int, stop: int) -> list[int]:
        return [i for i in range(max(start, 0), min(stop, len(grid)))
                if str(grid.iat[i, 1]).strip() in OFFICE_ROWS]  # fmt: skip

    def adds_up(label_row: int, rows: list[int]) -> bool:
        if not rows:  # a block holds the office types present (three or four rows)
            return False
        for col in year_cols:
            total = _number(grid.iat[label_row, col])
            parts = [_number(grid.iat[r, col]) for r in rows]
            slack = 2.5 * (len(parts) + 1) + 5 * sum(p is None for p in parts)
            if total is not None and abs(sum(p or 0 for p in parts) - total) > slack:
                return False
        return True

    side = None
    for candidate, rows_of in (("above", lambda i: block(i - 4, i)), ("below", lambda i: block(i + 1, i + 5))):  # fmt: skip
        if all(adds_up(i, rows_of(i)) for i, _ in labels):
            side = candidate
            break
    if side is None:
        raise OfficialFileError(
            f"{path}: the office-type rows add up to their country's totals neither above nor "
            "below the country labels; the layout changed, check it by hand"
        )
    source = relative_to_root(path)
    out = []
    for label_row, label in labels:
        match = parsers.lookup_country(label)
        country = match[0] if match else label
        office_rows = (
            block(label_row - 4, label_row)
            if side == "above"
            else block(label_row + 1, label_row + 5)
        )
        for row_index, office in [(label_row, None)] + [
            (r, OFFICE_ROWS[str(grid.iat[r, 1]).strip()]) for r in office_rows
        ]:
            category = f"citizenship: {country}" + (f"; office type: {office}" if office else "")
            for col, period_type, period, header in columns:
                value = _number(grid.iat[row_index, col])
                out.append(dict(
                    direction="canada_all_routes", measure="asylum_claims", area="all",
                    category=category, period_type=period_type, period=period, value=value,
                    rounding=5, suppressed=value is None, status="official", source_file=source,
                    source_location=f"row {row_index + 1} ('{label}' block, {office or 'total'}), "
                    f"column '{header}' (office rows {side} the label)",
                ))  # fmt: skip
    return pd.DataFrame(out)
