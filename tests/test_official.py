"""The official files: each reader checked against values read by hand from the file (the cells
quoted in shared/sources/figures-2017-2025.md, copied here as the expected values), readers on
small inputs built to the files' quirks, the agreement of two files that publish one series,
provinces against totals, the schema, and the hand transcriptions the files now replace."""

from __future__ import annotations

import pandas as pd
import pytest

from src import context, official


def value(flows, measure, period_type, period, source, area="all", category="all"):
    return int(official.series(flows, measure, period_type, source, area, category).loc[period])


# ---------------------------------------------------------------- values read by hand

# CBP PDF, unrounded: (sector or 'all', fiscal year) -> (first months..., last month, year total)
PDF_BY_HAND = {
    ("all", 2016): ([176, 144], 224, 2283),
    ("all", 2017): ([169, 145, 131, 152, 273, 302, 268, 310, 337, 340, 359, 241], 241, 3027),
    ("Swanton", 2017): ([10, 22, 25, 19, 43, 43, 25, 41, 51, 63, 73, 34], 34, 449),
    ("all", 2018): ([302, 295], 444, 4316),
    ("Swanton", 2018): ([28, 29], 138, 736),
    ("all", 2019): ([500, 318], 394, 4408),
    ("Swanton", 2019): ([148, 68], 119, 1056),
    ("all", 2020): ([345, 289], 136, 2155),
    ("Swanton", 2020): ([89, 51], 50, 574),
}


@pytest.mark.parametrize("key", sorted(PDF_BY_HAND))
def test_cbp_pdf_values_read_by_hand(flows, key):
    area, fy = key
    first, last, total = PDF_BY_HAND[key]
    months = official.series(flows, "usbp_apprehensions", "month", "cbp-usbp", area)
    fy_months = months.loc[f"{fy - 1}-10" : f"{fy}-09"].astype(int).tolist()
    assert fy_months[: len(first)] == first and fy_months[-1] == last
    assert value(flows, "usbp_apprehensions", "fiscal_year", str(fy), "cbp-usbp", area) == total
    assert sum(fy_months) == total  # the months add up to the printed yearly total


OHSS_BY_HAND = {  # (area, fiscal year) -> value (rounded to 10 by OHSS)
    ("all", "2017"): 3030, ("Swanton, VT", "2017"): 450, ("all", "2018"): 4320,
    ("Swanton, VT", "2018"): 740, ("all", "2019"): 4410, ("Swanton, VT", "2019"): 1060,
    ("all", "2020"): 2160, ("Swanton, VT", "2020"): 570, ("all", "2021"): 920,
    ("Swanton, VT", "2021"): 370, ("all", "2022"): 2240, ("Swanton, VT", "2022"): 1070,
    ("all", "2023"): 10020, ("Swanton, VT", "2023"): 6930, ("all", "2024"): 23720,
    ("Swanton, VT", "2024"): 19390, ("all", "2025"): 1990, ("Swanton, VT", "2025"): 1510,
    ("Blaine, WA", "2023"): 1490, ("Blaine, WA", "2024"): 2410, ("Buffalo, NY", "2023"): 290,
    ("Buffalo, NY", "2024"): 460, ("Detroit, MI", "2023"): 470, ("Detroit, MI", "2024"): 620,
}  # fmt: skip
OHSS_CITIZENSHIP_BY_HAND = {
    ("2017", "Mexico"): 1490, ("2017", "Canada"): 190, ("2022", "Mexico"): 880,
    ("2022", "Canada"): 130, ("2023", "Mexico"): 4870, ("2023", "India"): 1630,
    ("2023", "Venezuela"): 750, ("2023", "Canada"): 170, ("2024", "India"): 14200,
    ("2024", "Mexico"): 3500, ("2024", "Bangladesh"): 1860, ("2024", "Canada"): 250,
}  # fmt: skip


def test_ohss_values_read_by_hand(flows):
    for (area, fy), expected in OHSS_BY_HAND.items():
        assert value(flows, "usbp_apprehensions", "fiscal_year", fy, "dhs-ohss", area) == expected
    for (fy, country), expected in OHSS_CITIZENSHIP_BY_HAND.items():
        got = value(flows, "usbp_apprehensions", "fiscal_year", fy, "dhs-ohss",
                    category=f"citizenship: {country}")  # fmt: skip
        assert got == expected, (fy, country)
    by_citizenship = flows[
        flows["source_file"].str.contains("dhs-ohss")
        & flows["category"].str.startswith("citizenship")
    ]
    sums = by_citizenship.groupby("period")["value"].sum()
    assert sums["2017"] == 2990 and sums["2022"] == 2190 and sums["2024"] == 23700


def test_cbp_state_file_values_read_by_hand(flows):
    totals = {"2020": 32376, "2021": 27180, "2022": 109535, "2023": 189402}
    for fy, expected in totals.items():
        assert value(flows, "cbp_encounters", "fiscal_year", fy, "cbp-nationwide") == expected
    states = {"NY": 90060, "WA": 29716, "VT": 22798, "ME": 19673, "MI": 12594}
    for state, expected in states.items():
        assert (
            value(flows, "cbp_encounters", "fiscal_year", "2023", "cbp-nationwide", state)
            == expected
        )
    canadians = {"2020": 15033, "2021": 16193, "2022": 40600}
    for fy, expected in canadians.items():
        assert value(flows, "cbp_encounters", "fiscal_year", fy, "cbp-nationwide",
                     category="citizenship: Canada") == expected  # fmt: skip
    # CBP's own labels go through the cleaner's country names
    labels = set(flows.loc[flows["source_file"].str.contains("cbp-nationwide"), "category"])
    assert {"citizenship: China", "citizenship: Myanmar", "citizenship: Other"} <= labels


IRCC_MONTHS_BY_HAND = {
    ("rcmp_interceptions", "all", 2022): [2383, 2164, 2502, 2805, 3493, 3088, 3677, 3249, 3695,
                                          3951, 3788, 4745],
    ("rcmp_interceptions", "all", 2023): [4994, 4581, 4173, 104, 79, 60, 83, 97, 88, 75, 95, 226],
    ("land_port_claims", "all", 2017): [925, 1245, 1595, 1255, 920, 825, 875, 1015, 855, 800,
                                        645, 675],
}  # fmt: skip
IRCC_YEARS_BY_HAND = {
    ("rcmp_interceptions", "all", "2022"): 39540, ("rcmp_interceptions", "Quebec", "2022"): 39171,
    ("rcmp_interceptions", "all", "2023"): 14663, ("rcmp_interceptions", "Quebec", "2023"): 13962,
    ("land_port_claims", "all", "2017"): 11630, ("land_port_claims", "all", "2022"): 46065,
    ("land_port_claims", "all", "2023"): 29455, ("asylum_claims", "all", "2022"): 91725,
    ("asylum_claims", "all", "2023"): 143770,
}  # fmt: skip


def test_ircc_page_values_read_by_hand(flows):
    for (measure, area, year), months in IRCC_MONTHS_BY_HAND.items():
        got = official.series(flows, measure, "month", "ircc-pages", area)
        assert got.loc[f"{year}-01" : f"{year}-12"].astype(int).tolist() == months
    for (measure, area, year), expected in IRCC_YEARS_BY_HAND.items():
        assert value(flows, measure, "calendar_year", year, "ircc-pages", area) == expected


def test_ircc_open_data_values_read_by_hand(flows):
    border = {"2015": 4290, "2016": 7365, "2018": 20655, "2019": 20485, "2020": 5660,
              "2021": 8930, "2022": 46065, "2023": 29455}  # fmt: skip
    for year, expected in border.items():
        assert value(flows, "land_port_claims", "calendar_year", year, "ircc-open-data") == expected
    assert value(flows, "land_port_claims", "month", "2024-01", "ircc-open-data") == 1505
    assert value(flows, "land_port_claims", "month", "2024-02", "ircc-open-data") == 1490
    total = "office type: all"
    assert (
        value(flows, "asylum_claims", "calendar_year", "2022", "ircc-open-data", category=total)
        == 91740
    )
    assert (
        value(flows, "asylum_claims", "calendar_year", "2023", "ircc-open-data", category=total)
        == 143795
    )


# ---------------------------------------------------------------- quirks, on built inputs


def test_ohss_header_with_a_line_break_and_fiscal_months(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    sheets = {
        "Annual Rgn and Sector": [["Fiscal\nYear", "Region", "Sector", "Quantity"],
                                  [2024, "Northern Land Border", "Swanton, VT", 19390],
                                  [2024, "Southwest Land Border", "Tucson, AZ", 9]],
        "Annual Region": [["Fiscal\nYear", "Region", "Quantity"], [2024, "Northern Land Border", 23720]],
        "Monthly Region": [["Fiscal\nYear", "Month", "Region", "Quantity"],
                           [2024, "01 October", "Northern Land Border", 1190],
                           [2024, "04 January", "Northern Land Border", 1150]],
        "Annual Rgn and Citp": [["Fiscal\nYear", "Region", "Citizenship", "Quantity"],
                                [2024, "Northern Land Border", "India", 14200]],
    }  # fmt: skip
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(tmp_path / "ohss.xlsx")
    rows = official.read_ohss(tmp_path / "ohss.xlsx")
    months = rows[rows["period_type"] == "month"].set_index("period")["value"].to_dict()
    assert months == {"2023-10": 1190, "2024-01": 1150}  # FY2024 October is calendar 2023
    assert set(rows["area"]) == {"Swanton, VT", "all"}  # other regions left out
    assert (rows["rounding"] == 10).all()


def _page(tables: list[tuple[str, list[list]]]) -> str:
    html = ["<html><body>"]
    for caption, rows in tables:
        html.append(f"<table><caption>\n   {caption}\n   </caption>")
        for i, row in enumerate(rows):
            tag = "th" if i == 0 else "td"
            html.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in row) + "</tr>")
        html.append("</table>")
    return "".join(html) + "</body></html>"


def _province_table(values_qc, values_on, total):
    def add(values):
        return sum(int(str(v).split("Footnote")[0]) for v in values)

    head = ["Province/Territory", *official.MONTHS, "Total"]
    return [head, ["Quebec", *values_qc, add(values_qc)], ["Ontario", *values_on, add(values_on)],
            ["Total", *total, add(total)]]  # fmt: skip


def test_ircc_tables_are_found_by_caption_not_position(tmp_path):
    qc, on = [100] * 12, [5] * 12
    qc[0] = "46Footnote *"
    totals = [105] * 12
    totals[0] = 51
    tables = [
        ("Land Ports of Entry", _province_table([10] * 12, [5] * 12, [15] * 12)),
        ("Some other table", [["Province", "Jan"], ["Quebec", 1]]),
        ("Total Asylum Claimants processed by the CBSA and IRCC, January - December 2030",
         _province_table([20] * 12, [5] * 12, [25] * 12)),
        ("RCMP Interceptions", _province_table(qc, on, totals)),
    ]  # fmt: skip
    page = tmp_path / "asylum-claims-2030.htm"
    page.write_text(_page(tables))
    rows = official.read_ircc_page(page)
    rcmp = rows[(rows["measure"] == "rcmp_interceptions") & (rows["area"] == "Quebec")]
    assert rcmp.set_index("period").loc["2030-01", "value"] == 46  # footnote marker dropped
    land = rows[(rows["measure"] == "land_port_claims") & (rows["area"] == "all")]
    assert land.set_index("period").loc["2030", "value"] == 180


def test_open_data_suppressed_cells_stay_missing(flows):
    suppressed = flows[flows["suppressed"]]
    assert len(suppressed) and suppressed["value"].isna().all()
    assert (suppressed["source_file"].str.contains("ircc")).all()
    assert not (flows["value"].isna() & ~flows["suppressed"]).any()


# ---------------------------------------------------------------- checks across files


def test_two_files_agree_within_rounding_except_where_explained(flows):
    table = official.agreement(flows)
    off = table[~table["within_rounding"]]
    usbp = off[off["series"].str.startswith("Border Patrol")]
    assert usbp["period"].tolist() == ["2000", "2001", "2002", "2003", "2004", "2005"]
    assert usbp["why"].str.contains("Livermore").all()
    claims = off[off["series"].str.startswith("All asylum")]
    assert claims[["period", "difference"]].values.tolist() == [["2022", 15], ["2023", 25]]
    land = table[table["series"].str.startswith("Claims at Canada's land ports")]
    assert len(land) == 7 and land["within_rounding"].all()
    assert len(table[table["series"].str.startswith("Border Patrol")]) == 21  # FY2000-FY2020


def test_provinces_add_up_except_the_known_cells(flows):
    found = official.provinces_vs_totals(flows[flows["source_file"].str.contains("ircc-pages")])
    periods = sorted((f["measure"], f["period"]) for f in found)
    assert periods == [
        ("rcmp_interceptions", "2018"), ("rcmp_interceptions", "2018-07"),
        ("rcmp_interceptions", "2018-08"), ("rcmp_interceptions", "2018-10"),
        ("rcmp_interceptions", "2023-01"), ("rcmp_interceptions", "2023-02"),
        ("rcmp_interceptions", "2023-03"),
    ]  # fmt: skip
    year_2018 = next(f for f in found if f["period"] == "2018")
    assert (year_2018["provinces"], year_2018["total"]) == (19423, 19419)  # Saskatchewan's 4


def test_the_schema_refuses_a_bad_row(flows):
    bad = flows.head(3).copy()
    bad.loc[bad.index[0], "direction"] = "sideways"
    with pytest.raises(Exception, match="sideways"):
        official.BORDER_FLOWS_SCHEMA.validate(bad, lazy=True)


def test_hand_transcriptions_equal_the_official_pages(flows):
    ctx = {key: context.load_context(key) for key in context.CONTEXT_FILES}
    for key, measure in (
        ("rcmp_monthly", "rcmp_interceptions"),
        ("land_port_monthly", "land_port_claims"),
    ):
        typed = context.current(ctx[key]).set_index("period")["value"]
        typed = typed[typed.index.str.fullmatch(r"\d{4}-\d{2}")]
        parsed = official.series(flows, measure, "month", "ircc-pages").loc[typed.index]
        assert parsed.astype(int).to_dict() == typed.astype(int).to_dict(), key
    for key, measure in (
        ("rcmp_annual", "rcmp_interceptions"),
        ("land_port_annual", "land_port_claims"),
    ):
        typed = context.current(ctx[key]).set_index("period")["value"]
        typed = typed[typed.astype(int).index.isin([str(y) for y in range(2017, 2024)])]
        parsed = official.series(flows, measure, "calendar_year", "ircc-pages").reindex(typed.index)
        assert parsed.astype(int).to_dict() == typed.astype(int).to_dict(), key


def test_the_table_is_deterministic_and_sourced(flows, tmp_path):
    assert flows.equals(official.border_flows())
    assert flows["source_location"].str.len().min() > 5
    assert set(flows["status"]) == {"official", "derived"}
    assert pd.Series(official.MEASURES).isin(flows["measure"]).all()


# ---------------------------------------------------------------- IRCC top 25 citizenships


def test_top25_values_match_their_cells_read_another_way(flows):
    import openpyxl

    book = openpyxl.load_workbook(official.IRCC_TOP25, read_only=True)
    try:  # a read-only workbook holds its file open until closed
        grid = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    rows = flows[flows["source_file"].str.contains("Top_25")]
    assert len(rows) > 10_000
    checked = 0
    for r in rows[rows["value"].notna()].sample(40, random_state=1).itertuples():
        row = int(r.source_location.split()[1]) - 1
        header = r.source_location.split("column '")[1].split("'")[0]
        years = pd.Series(grid[2]).ffill().tolist()
        cols = [c for c in range(2, len(grid[4]))
                if str(grid[4][c]).strip() == header or str(grid[3][c]).strip() == header]  # fmt: skip
        col = next(c for c in cols if str(int(float(years[c]))) == r.period[:4])
        assert int(str(grid[row][col]).replace(",", "")) == r.value, r.source_location
        checked += 1
    assert checked == 40
    mexico = rows[(rows["period"] == "2023") & (rows["period_type"] == "calendar_year")
                  & rows["category"].str.startswith("citizenship: Mexico")]  # fmt: skip
    total = int(mexico.loc[mexico["category"] == "citizenship: Mexico", "value"].iloc[0])
    offices = int(mexico.loc[mexico["category"].str.contains("office type"), "value"].sum())
    assert total == 23860 and abs(offices - total) <= 12  # each cell rounded to 5


def _top25_sheet(path, blocks_below: bool, scramble: bool = False):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Top 25"])
    ws.append([])
    ws.append(["Country and Office Type", None, 2023, None])
    ws.append([None, None, "Q1", "2023 Total"])
    ws.append([None, None, "Jan", None])
    countries = {"(1) Mexico": [100, 50, 30, 20], "(2) India": [60, 25, 10, 5]}
    for label, values in countries.items():
        office = [
            [None, name, v, v]
            for name, v in zip(
                ["Airport", "Border", "Inland", "Other Offices"], values, strict=True
            )
        ]
        total = [label, None, sum(values), sum(values) + (500 if scramble else 0)]
        for row in [total, *office] if blocks_below else [*office, total]:
            ws.append(row)
    wb.save(path)
    return path


def test_top25_alignment_is_read_from_the_totals_not_assumed(tmp_path):
    above = official.read_ircc_top25(_top25_sheet(tmp_path / "a.xlsx", blocks_below=False))
    below = official.read_ircc_top25(_top25_sheet(tmp_path / "b.xlsx", blocks_below=True))
    for rows in (above, below):
        india = rows[(rows["category"] == "citizenship: India; office type: airport")
                     & (rows["period_type"] == "calendar_year")]  # fmt: skip
        assert india["value"].tolist() == [60]
    assert below["source_location"].str.contains("below the label").all()
    with pytest.raises(official.OfficialFileError, match="neither above nor below"):
        official.read_ircc_top25(
            _top25_sheet(tmp_path / "c.xlsx", blocks_below=False, scramble=True)
        )
