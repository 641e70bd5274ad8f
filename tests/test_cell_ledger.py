"""The cleaner reads a release as a person would: every non-empty cell is a field of a kept
person, a cell of a rejected row, or recognised structure; anything else is unexplained and stops
a strict run. One test (or a few) per family of mess, each with a file built for it."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pandas as pd
import pytest
from conftest import HEADER, simple_rows, write_csv, write_xlsx

from src.clean import clean_foia
from src.helpers import CleaningError, publish_csv, spreadsheet_safe

STANDIN = "data/raw/foia/uscis_stca_foia_standin.xlsx"


def clean(path, **kw):
    kw.setdefault("period_end", "2017-03-31")
    return clean_foia(path, verify_checksums=False, **kw)


def person(i, date, country="Mexico", exception="Family member", er="N", port="Blaine, WA"):
    return [f"C-{i}", date, country, exception, er, port]


# ---------------------------------------------------------------- the invariant


def test_the_standin_balances_and_lists_its_structure(standin_result):
    summary = standin_result.summary
    cells = summary.cells
    assert cells.balanced and cells.unexplained == 0
    assert cells.read == cells.fields_kept + cells.rejected + cells.structure
    kinds = {e["kind"] for e in summary.structure}
    assert {"title", "header", "total", "note"} <= kinds
    assert any(k.startswith("table of counts") for k in kinds)  # the Summary sheet
    assert any(k.startswith("notes sheet") for k in kinds)
    assert all(re.fullmatch(r"[A-Z]+\d+(:[A-Z]+\d+)?", e["cells"]) for e in summary.structure)


def test_a_kept_persons_cell_in_a_column_with_no_field_is_unexplained(tmp_path):
    rows = [[*HEADER, "Remarks"], person(1, "2010-01-05") + ["seen twice"], person(2, "2011-02-03")]
    path = write_csv(tmp_path / "r.csv", rows)
    result = clean(path)
    assert result.summary.cells.unexplained == 1 and result.summary.cells.balanced
    assert "unexplained" in result.summary.status
    assert result.summary.unexplained_cells[0]["cells"].startswith("G2")
    with pytest.raises(CleaningError, match=r"(?s)r\.csv.*cannot place.*G2"):
        clean(path, strict=True)


def test_a_release_where_every_row_is_rejected_never_looks_clean(tmp_path):
    rows = [HEADER, person(1, "2001-01-05"), person(2, "2002-02-03")]  # before the STCA
    path = write_csv(tmp_path / "r.csv", rows)
    summary = clean(path).summary
    assert summary.rows.kept == 0 and summary.status != "clean"
    assert "no person kept" in summary.status
    with pytest.raises(CleaningError, match="no person was kept"):
        clean(path, strict=True)


def test_a_sheet_with_no_table_the_cleaner_knows_is_unexplained(tmp_path):
    odd = [["a", "b", "c"], ["1", "2", "3"], ["x", "y", "z"]]
    path = write_xlsx(tmp_path / "r.xlsx", {"Odd": odd, "FY2008": simple_rows()})
    result = clean(path)
    assert result.summary.cells.unexplained == 9
    with pytest.raises(CleaningError, match="cannot place"):
        clean(path, strict=True)


# ---------------------------------------------------------------- rows that are not people


@pytest.mark.parametrize(
    "line, kind",
    [
        (["Data as of 03/31/2017"], "data as of line"),
        (["Source: USCIS"], "source line"),
        (["Prepared by: OPQ"], "source line"),
        (["Note: see above"], "note"),
        ([22], "lone number"),
    ],
)
def test_lines_under_the_data_are_structure_not_people(tmp_path, line, kind):
    rows = [HEADER, person(1, "2010-01-05"), person(2, "2011-02-03"), [], line]
    result = clean(write_csv(tmp_path / "r.csv", rows), strict=True)
    assert len(result.cases) == 2 and len(result.rejected) == 0
    assert kind in {e["kind"] for e in result.summary.structure}


def test_a_format_hint_row_is_structure(tmp_path):
    hints = ["(text)", "(MM/DD/YYYY)", "(text)", "(text)", "(Y/N)", "(text)"]
    rows = [HEADER, hints, person(1, "1/5/2010"), person(2, "2/13/2011")]
    result = clean(write_csv(tmp_path / "r.csv", rows), strict=True)
    assert len(result.cases) == 2 and len(result.rejected) == 0
    assert "format hint" in {e["kind"] for e in result.summary.structure}


def test_two_sheets_with_the_same_people_stop_the_run_naming_both(tmp_path):
    people = [HEADER, person(1, "2016-11-05"), person(2, "2016-12-03"), person(3, "2017-01-09")]
    revised = [HEADER, person(1, "2016-11-05"), person(2, "2016-12-04"), person(3, "2017-01-09")]
    path = write_xlsx(tmp_path / "r.xlsx", {"FY2017": people, "FY2017 revised": revised})
    with pytest.raises(CleaningError, match=r"'FY2017' and 'FY2017 revised' hold the same people"):
        clean(path)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text",
    ["1/5/2010 12:00:00 AM", "2010-01-05 00:00", "2010-01-05T09:30:00Z",
     "2010-01-05T21:30:00-05:00", "1/5/2010 2:05 PM", "2010-01-05 09:30:00+0100"],
)  # fmt: skip
def test_a_datetime_written_as_text_keeps_its_date(tmp_path, text):
    rows = [HEADER, person(1, text), person(2, "1/13/2010")]
    result = clean(write_csv(tmp_path / "r.csv", rows), strict=True)
    assert sorted(result.cases["screening_date"]) == ["2010-01-05", "2010-01-13"]


def test_a_dropped_time_of_day_is_counted(tmp_path):
    rows = [HEADER, person(1, "1/5/2010 2:05 PM"), person(2, "1/13/2010 12:00:00 AM")]
    assert clean(write_csv(tmp_path / "r.csv", rows)).summary.time_dropped == 1


def test_each_sheet_settles_its_own_date_order(tmp_path):
    day_first = [HEADER, person(1, "13/1/2010"), person(2, "5/2/2010")]  # 5 February
    month_first = [HEADER, person(3, "1/13/2011"), person(4, "2/5/2011")]  # 5 February
    path = write_xlsx(tmp_path / "r.xlsx", {"A": day_first, "B": month_first})
    dates = sorted(clean(path).cases["screening_date"])
    assert dates == ["2010-01-13", "2010-02-05", "2011-01-13", "2011-02-05"]


def test_a_sheet_that_nothing_settles_stops_and_never_borrows(tmp_path):
    settled = [HEADER, person(1, "13/1/2010"), person(2, "5/2/2010")]
    ambiguous = [HEADER, person(3, "1/2/2011"), person(4, "2/5/2011")]
    path = write_xlsx(tmp_path / "r.xlsx", {"A": settled, "B": ambiguous})
    with pytest.raises(CleaningError, match=r"r\.xlsx, sheet 'B'.*never borrowed"):
        clean(path)


def test_a_sheets_fiscal_year_settles_its_date_order(tmp_path):
    # FY2011 runs October 2010 to September 2011: 12/7/2010 fits only as 7 December 2010
    rows = [HEADER, person(1, "12/7/2010"), person(2, "3/4/2011")]
    path = write_xlsx(tmp_path / "r.xlsx", {"FY2011": rows})
    assert sorted(clean(path).cases["screening_date"]) == ["2010-12-07", "2011-03-04"]


# ---------------------------------------------------------------- merged cells


def test_a_merged_data_cell_fills_its_range(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "FY2010"
    ws.append(HEADER)
    ws.append(person(1, "2010-01-05", country="Haiti"))
    ws.append(person(2, "2010-01-06", country=None))
    ws.append(person(3, "2010-01-07", country=None))
    ws.merge_cells("C2:C4")  # one Haiti for three people
    path = tmp_path / "r.xlsx"
    wb.save(path)
    result = clean(path, strict=True)
    assert list(result.cases["citizenship"]) == ["Haiti"] * 3


# ---------------------------------------------------------------- withheld values


@pytest.mark.parametrize(
    "code", ["(b)(6)", "(b)(7)(C)", "b6", "[b6]", "REDACTED (b)(6)", "***", "XXXXXXXX",
             "withheld", "( B )( 6 )", "#N/A", "Redacted: b7c"],
)  # fmt: skip
def test_withheld_case_numbers_are_each_a_person_never_a_duplicate(tmp_path, code):
    rows = [HEADER, [code, *person(1, "2010-01-05")[1:]], [code, *person(2, "2010-01-05")[1:]]]
    result = clean(write_csv(tmp_path / "r.csv", rows), strict=True)
    assert len(result.cases) == 2 and len(result.rejected) == 0
    assert result.cases["case_id"].nunique() == 2


@pytest.mark.parametrize("code", ["(b)(6)", "***", "XXXXXXXX", "[b6]", "withheld"])
def test_a_withheld_value_is_not_an_unrecognised_label(tmp_path, code):
    rows = [HEADER, person(1, "2010-01-05", country=code), person(2, "2010-01-05")]
    result = clean(write_csv(tmp_path / "r.csv", rows), strict=True)
    assert result.summary.unrecognized["citizenship"] == []


# ---------------------------------------------------------------- files that fight back


def _rewrite(source, target, change):
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = change(data)
            z.writestr(info, data)
    return target


def test_a_huge_declared_dimension_reads_the_real_cells(tmp_path):
    small = write_xlsx(tmp_path / "small.xlsx", {"FY2010": [HEADER, person(1, "2010-01-05")]})
    huge = _rewrite(
        small, tmp_path / "huge.xlsx",
        lambda d: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', d),
    )  # fmt: skip
    assert len(clean(huge).cases) == 1


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    small = write_xlsx(tmp_path / "small.xlsx", {"FY2010": [HEADER, person(1, "2010-01-05")]})
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            z.writestr(info, zin.read(info.filename))
        with z.open("xl/padding.bin", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(120):  # 120 MB of zeros, packed to about 120 KB
                fh.write(block)
    with pytest.raises(CleaningError, match=r"bomb\.xlsx.*zip bomb"):
        clean(bomb)


# ---------------------------------------------------------------- output safety


def test_formula_like_text_is_made_inert_in_published_csvs_only(tmp_path):
    frame = pd.DataFrame({"raw": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "ok"],
                          "n": [1, -2, 3, 4, 5, 6]})  # fmt: skip
    safe = spreadsheet_safe(frame)
    assert list(safe["raw"]) == ['\'=HYPERLINK("x")', "+1", "-2", "'@SUM(A1)", "'\tx", "ok"]
    assert list(safe["n"]) == [1, -2, 3, 4, 5, 6]
    assert list(frame["raw"])[0] == '=HYPERLINK("x")'  # the data itself is unchanged
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    published = pd.read_csv(publish_csv(source, tmp_path / "out.csv"), dtype=str)
    assert not published["raw"].str.match(r"^[=@\t\r]").any()


def test_a_cleaned_value_that_looks_like_a_formula_stays_in_the_table(tmp_path):
    rows = [HEADER, person(1, "2010-01-05", port="=cmd|' /C calc'!A0"), person(2, "2010-01-06")]
    result = clean(write_csv(tmp_path / "r.csv", rows))
    assert "=cmd|' /C calc'!A0" in set(result.cases["port_of_entry"])
    assert dt.date(2010, 1, 5).isoformat() in set(result.cases["screening_date"])


def _raw_tree(tmp_path):
    """A throwaway data/raw with a manifest and a foia folder holding a small release."""
    raw = tmp_path / "raw"
    (raw / "foia").mkdir(parents=True)
    (raw / "MANIFEST.sha256").write_text("")
    write_csv(raw / "foia" / "release.csv", [HEADER, person(1, "2010-01-05")])
    return raw


def test_a_release_in_a_subfolder_is_named_never_skipped(tmp_path):
    from src.helpers import resolve_foia_path

    raw = _raw_tree(tmp_path)
    (raw / "foia" / "sub").mkdir()
    write_csv(raw / "foia" / "sub" / "real.csv", [HEADER, person(2, "2011-01-05")])
    with pytest.raises(CleaningError, match=r"sub: a subfolder holding real\.csv"):
        resolve_foia_path(raw / "foia")


def test_a_foia_folder_linked_from_elsewhere_is_refused(tmp_path):
    from src.helpers import resolve_foia_path

    raw = _raw_tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_csv(elsewhere / "release.csv", [HEADER, person(1, "2010-01-05")])
    (raw / "foia" / "release.csv").unlink()
    (raw / "foia").rmdir()
    (raw / "foia").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(CleaningError, match="cannot vouch for it"):
        resolve_foia_path(raw / "foia")
    with pytest.raises(CleaningError, match="cannot vouch for it"):
        resolve_foia_path(raw / "foia" / "release.csv")


def test_group_labels_fill_down_only_where_a_subtotal_shows_the_group(tmp_path):
    rows = [
        HEADER,
        person(1, "2010-01-05", country="Haiti"),
        person(2, "2010-01-06", country=None),
        person(3, "2010-01-07", country=None),
        ["Haiti Total", "", "", "", "", 3],
        person(4, "2010-02-05", country="Cuba"),
        person(5, "2010-02-06", country=None),  # no subtotal closes this group: a blank
    ]
    result = clean(write_csv(tmp_path / "r.csv", rows))
    by_id = result.cases.set_index("case_id")["citizenship"]
    assert list(by_id[["C-1", "C-2", "C-3"]]) == ["Haiti"] * 3
    assert pd.isna(by_id["C-5"])
    assert result.summary.group_labels_filled == 2
    assert result.summary.blank_cells["citizenship"]["count"] == 1
    assert "row 7" in result.summary.blank_cells["citizenship"]["rows"]
    assert {"total"} <= {e["kind"] for e in result.summary.structure}


def test_the_withheld_column_keeps_what_withheld_each_field(tmp_path):
    rows = [
        HEADER,
        person(1, "2010-01-05", country="REDACTED (b)(6)", port="***"),
        ["(b)(7)(C)", *person(2, "2010-01-06")[1:]],
    ]
    cases = clean(write_csv(tmp_path / "r.csv", rows)).cases.sort_values("screening_date")
    assert list(cases["withheld"]) == [
        "citizenship (b)(6); port_of_entry masked",
        "case_id (b)(7)(C)",
    ]


def test_a_summary_block_under_the_data_is_structure_not_rejected_people(tmp_path):
    rows = [
        HEADER, person(1, "2010-01-05"), person(2, "2011-02-03"), [],
        ["Exception", "Count"], ["Family member", 2], ["Public interest", 0],
    ]  # fmt: skip
    result = clean(write_csv(tmp_path / "r.csv", rows), strict=True)
    assert len(result.cases) == 2 and len(result.rejected) == 0
    assert "summary block under the data" in {e["kind"] for e in result.summary.structure}
    assert result.summary.cells.balanced


def test_a_grand_total_of_its_own_sheet_is_accepted(tmp_path):
    # found by the mess grammar: one sheet per fiscal year, each closed by its own 'Grand Total'
    first = [HEADER, person(1, "2010-01-05"), person(2, "2010-02-05"), ["Grand Total", "", 2]]
    second = [HEADER, person(3, "2011-01-05"), ["Grand Total", "", 1]]
    path = write_xlsx(tmp_path / "r.xlsx", {"FY2010": first, "FY2011": second})
    result = clean(path, strict=True)
    assert len(result.cases) == 3 and all(t["ok"] for t in result.summary.total_checks)


def test_a_sheet_whose_case_numbers_are_all_withheld_is_read(tmp_path):
    # found by the mess grammar: the duplicate-sheet check crashed when no number was given
    rows = [HEADER, ["(b)(6)", *person(1, "2010-01-05")[1:]], ["***", *person(2, "2010-01-06")[1:]]]
    path = write_xlsx(
        tmp_path / "r.xlsx", {"FY2010": rows, "FY2011": [HEADER, person(3, "2011-01-05")]}
    )
    assert len(clean(path, strict=True).cases) == 3
