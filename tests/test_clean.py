"""The cleaner end to end: the stand-in reproduces every article figure, another layout of the same
records cleans to the same table, and bad input fails with a message that says where and why."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import HEADER, STANDIN, simple_rows, write_csv, write_xlsx

from src import clean, standin
from src.clean import CleaningError, clean_foia, write_outputs
from src.helpers import ManifestError
from src.schema import OUTPUT_COLUMNS, read_cases

# ---------------------------------------------------------------- the stand-in and the article


def test_standin_reproduces_every_article_figure(standin_cases):
    c = standin_cases
    by_year = c["calendar_year"].value_counts()
    assert len(c) == 466
    assert (c["citizenship"] == "Canada").sum() == 55
    assert by_year[2016] == 21
    assert by_year[2017] == 7
    assert by_year[2008] > 100 and by_year[2009] > 100
    assert set(by_year.sort_values(ascending=False).index[:2]) == {2008, 2009}
    assert {"Ukraine", "Haiti"} <= set(c.loc[c["calendar_year"] == 2016, "citizenship"])
    assert ((c["calendar_year"] == 2017) & (c["citizenship"] == "Cuba")).sum() == 3
    assert c["expedited_removal"].fillna(False).astype(bool).sum() > 60
    exceptions = c["exception"].value_counts()
    assert set(exceptions.index) == {
        "family_member",
        "unaccompanied_minor",
        "valid_status",
        "public_interest",
    }
    assert exceptions[["family_member", "public_interest"]].sum() > len(c) / 2
    assert set(exceptions.index[:2]) == {"family_member", "public_interest"}
    assert c["screening_date"].min() >= "2004-12-29"
    assert c["screening_date"].max() <= clean.default_period_end()


def test_standin_rows_all_accounted_for(standin_result):
    rows = standin_result.summary.rows
    assert rows.data_rows_read == rows.kept + rows.rejected
    assert rows.balanced is True
    assert rows.rejected == standin.DUPLICATED_RECORDS
    assert set(standin_result.rejected["reason"].str.split(" ").str[0]) == {"duplicate"}
    # every spreadsheet row of every sheet is classified exactly once
    sheet_rows = sum(
        s["preamble_rows"]
        + s["header_rows"]
        + s["blank_rows"]
        + s["total_rows"]
        + s["note_rows"]
        + s["data_rows_read"]
        for s in standin_result.summary.sheets
        if s["status"] == "table"
    )
    skipped = sum(s["rows"] for s in standin_result.summary.sheets if s["status"] != "table")
    import openpyxl

    wb = openpyxl.load_workbook(STANDIN, read_only=True)
    try:  # a read-only workbook holds its file open until closed
        assert sheet_rows + skipped == sum(ws.max_row for ws in wb.worksheets)
    finally:
        wb.close()


def test_standin_totals_match_records(standin_result):
    checks = standin_result.summary.total_checks
    assert len(checks) == 14  # one per fiscal-year sheet plus the grand total
    assert all(t["ok"] for t in checks)


def test_standin_nothing_unrecognised(standin_result):
    assert all(not v for v in standin_result.summary.unrecognized.values())
    assert standin_result.summary.is_standin is True


def test_written_table_reads_back_identically(standin_result, tmp_path):
    paths = write_outputs(standin_result, tmp_path)
    back = read_cases(paths["cases"])
    pd.testing.assert_frame_equal(back, standin_result.cases, check_dtype=True)
    assert list(back.columns) == OUTPUT_COLUMNS
    summary = json.loads(paths["summary"].read_text())
    assert summary["rows"]["kept"] == 466
    assert len(pd.read_csv(paths["rejected"])) == 2


def test_case_ids_point_back_to_the_raw_cell(standin_cases):
    import openpyxl

    wb = openpyxl.load_workbook(STANDIN, read_only=True)
    try:  # a read-only workbook holds its file open until closed
        for _, row in standin_cases.sample(25, random_state=1).iterrows():
            ws = wb[row["source_sheet"]]
            first_cell = next(
                ws.iter_rows(min_row=row["source_row"], max_row=row["source_row"], values_only=True)
            )[0]
            assert first_cell == row["case_id"]
    finally:
        wb.close()


# ---------------------------------------------------------------- another layout, same records


def _people_as_csv(tmp_path, encoding="utf-8"):
    """The stand-in's true records as a CSV with other synonyms, column order, no case id."""
    people = standin.make_people()
    rows = [["Nationality", "Basis for Exception", "Date", "POE", "ER"]]
    labels = {
        "family_member": "Family member in U.S.",
        "unaccompanied_minor": "UAM",
        "valid_status": "Lawful status",
        "public_interest": "Public Interest",
    }
    for p in people:
        er = {True: "TRUE", False: "false", None: ""}[p["expedited_removal"]]
        rows.append(
            [p["citizenship"], labels[p["exception"]], f"{p['date']:%m/%d/%Y}", p["port"], er]
        )
    return write_csv(tmp_path / "other_layout.csv", rows, encoding), people


def _comparable(cases):
    cols = [
        "screening_date",
        "calendar_year",
        "fiscal_year",
        "citizenship",
        "citizenship_iso3",
        "exception",
        "expedited_removal",
    ]
    return cases[cols].sort_values(cols).reset_index(drop=True)


def test_other_layout_cleans_to_the_same_records(tmp_path, standin_cases):
    path, people = _people_as_csv(tmp_path)
    result = clean_foia(path)
    assert result.summary.rows.kept == len(people) == 466
    assert result.cases["case_id"].str.startswith("row:other_layout.csv").all()
    assert result.cases["case_id"].is_unique
    pd.testing.assert_frame_equal(_comparable(result.cases), _comparable(standin_cases))


def test_cp1252_and_bom_csv(tmp_path):
    rows = [["Citizenship", "Exception", "Date"], ["Côte d'Ivoire", "Family Member", "2009-02-03"]]
    for encoding in ("cp1252", "utf-8-sig"):
        path = write_csv(tmp_path / f"{encoding}.csv", rows, encoding)
        result = clean_foia(path)
        assert result.cases["citizenship_iso3"].tolist() == ["CIV"]
        assert result.summary.encoding in ("windows-1252", "utf-8 with BOM")


# ---------------------------------------------------------------- quirks


def test_simple_workbook(simple_xlsx):
    result = clean_foia(simple_xlsx)
    c = result.cases
    assert c["case_id"].tolist() == ["A1", "A2", "A3", "A4", "A5"]
    assert c["screening_date"].tolist() == [
        "2008-03-04",
        "2009-11-20",
        "2008-06-01",
        "2016-04-15",
        "2017-01-07",
    ]
    assert c["fiscal_year"].tolist() == [2008, 2010, 2008, 2016, 2017]
    assert c["citizenship"].isna().tolist() == [False, False, False, True, False]
    assert c["port_of_entry"].isna().tolist() == [False, True, False, False, False]
    assert c["expedited_removal"].tolist()[:3] == [False, True, True]
    rows = result.summary.rows
    assert (rows.preamble_rows, rows.blank_rows, rows.total_rows, rows.note_rows) == (
        3,
        1,
        1,
        1,
    )
    assert result.summary.total_checks[0]["ok"] is True


def test_notes_sheet_is_skipped_and_reported(tmp_path):
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {"Read me": [["About this release"], ["Nothing here"]], "FY2008": simple_rows()},
    )
    result = clean_foia(path)
    statuses = {s["sheet"]: s["status"] for s in result.summary.sheets}
    assert statuses["Read me"].startswith("skipped")
    assert len(result.cases) == 5


def test_fiscal_year_from_column_or_sheet_when_no_date(tmp_path):
    rows = [["FY", "Nationality", "Exception"], ["FY2009", "Haiti", "UAM"], ["", "Cuba", "UAM"]]
    result = clean_foia(write_xlsx(tmp_path / "fy.xlsx", {"FY2011": rows}))
    assert result.cases["fiscal_year"].tolist() == [2009, 2011]
    assert result.cases["calendar_year"].isna().all()


def test_total_that_disagrees_is_reported_and_strict_fails(tmp_path):
    rows = simple_rows()
    rows[10] = ["Total", None, None, None, None, 7]
    path = write_xlsx(tmp_path / "bad_total.xlsx", {"S": rows})
    result = clean_foia(path)
    assert result.summary.total_mismatches == 1
    assert (
        result.summary.total_checks[0] | {"stated": 7, "counted": 5, "ok": False}
        == result.summary.total_checks[0]
    )
    with pytest.raises(CleaningError, match=r"'Total' states 7, 5 records counted"):
        clean_foia(path, strict=True)


def test_rejections_name_reason_and_location(tmp_path):
    rows = [HEADER,
            ["K-101", "2003-05-01", "Cuba", "UAM", "N", ""],
            ["K-102", "2018-01-01", "Cuba", "UAM", "N", ""],
            ["K-103", "not a date", "Cuba", "UAM", "N", ""],
            ["K-104", "2010-01-01", "Cuba", "UAM", "N", ""],
            ["K-104", "2010-02-01", "Cuba", "UAM", "N", ""]]  # fmt: skip
    result = clean_foia(write_xlsx(tmp_path / "r.xlsx", {"Data": rows}))
    rejected = result.rejected.set_index("raw_case_id")
    assert "before the STCA took effect" in rejected.loc["K-101", "reason"]
    assert "after the data cutoff" in rejected.loc["K-102", "reason"]
    assert "year cannot be determined" in rejected.loc["K-103", "reason"]
    assert rejected.loc["K-104", "reason"].startswith(
        "duplicate case_id K-104: same case number as K-104 (first seen at Data row 5)"
    )
    assert (
        rejected.loc["K-103", "source_row"] == 4 and rejected.loc["K-103", "source_sheet"] == "Data"
    )
    assert result.cases["case_id"].tolist() == ["K-104"]
    assert result.summary.rows.data_rows_read == 5


def test_unknown_labels_kept_listed_and_strict(tmp_path):
    rows = [HEADER, ["C1", "2010-01-01", "Atlantis", "Bribery", "maybe", ""]]
    path = write_xlsx(tmp_path / "u.xlsx", {"Data": rows})
    result = clean_foia(path)
    assert result.cases[["citizenship", "exception"]].values.tolist() == [["Unknown", "unknown"]]
    unknown = result.summary.unrecognized
    assert unknown["citizenship"] == [{"value": "Atlantis", "count": 1}]
    assert unknown["exception"] == [{"value": "Bribery", "count": 1}]
    with pytest.raises(
        CleaningError,
        match="unrecognised citizenship 'Atlantis'.*\n.*unrecognised exception 'Bribery'",
    ):
        clean_foia(path, strict=True)


# ---------------------------------------------------------------- bad input: clear errors


def test_missing_file(tmp_path):
    with pytest.raises(CleaningError, match=r"missing\.xlsx: file not found"):
        clean_foia(tmp_path / "missing.xlsx")


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(CleaningError, match=r"empty\.csv: the file is empty"):
        clean_foia(tmp_path / "empty.csv")


def test_pdf_named_xlsx(tmp_path):
    (tmp_path / "fake.xlsx").write_bytes(b"%PDF-1.7\n%...")
    with pytest.raises(
        CleaningError, match=r"fake\.xlsx: named \.xlsx but the content looks like PDF"
    ):
        clean_foia(tmp_path / "fake.xlsx")


def test_no_header_row(tmp_path):
    path = write_xlsx(tmp_path / "nohdr.xlsx", {"Sheet1": [["just"], ["some", "text"]]})
    with pytest.raises(CleaningError, match=r"nohdr\.xlsx: no recognisable header row in 'Sheet1'"):
        clean_foia(path)


def test_missing_required_column_names_it_and_lists_headers(tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx",
        {"FY": [["Case ID", "Date", "Exception", "Port"], ["1", "2010-01-01", "UAM", "x"]]},
    )
    with pytest.raises(CleaningError) as err:
        clean_foia(path)
    message = str(err.value)
    assert "sheet 'FY', row 1" in message and "required column missing (citizenship)" in message
    assert "Headers found: 'Case ID', 'Date', 'Exception', 'Port'" in message


def test_two_columns_for_one_field(tmp_path):
    path = write_xlsx(
        tmp_path / "d.xlsx", {"S": [["Nationality", "Citizenship", "Exception", "Date"]]}
    )
    with pytest.raises(
        CleaningError,
        match="columns 'Nationality' and 'Citizenship' both map to the field 'citizenship'",
    ):
        clean_foia(path)


def test_manifest_mismatch_stops_cleaning(tmp_path):
    import shutil

    from src.helpers import compute_manifest, manifest_text

    raw = tmp_path / "raw"
    shutil.copytree(STANDIN.parent, raw / "foia")
    (raw / "MANIFEST.sha256").write_text(manifest_text(compute_manifest(raw)))
    clean_foia(raw / "foia" / STANDIN.name)  # verifies
    with open(raw / "foia" / STANDIN.name, "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ManifestError, match=r"changed: foia/uscis_stca_foia_standin\.xlsx"):
        clean_foia(raw / "foia" / STANDIN.name)


def test_command_line_exit_codes(tmp_path, simple_xlsx, capsys):
    assert clean.main([str(simple_xlsx), str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "stca_cases.csv").exists()
    assert clean.main([str(tmp_path / "nope.csv"), str(tmp_path / "out2")]) == 1
    assert "nope.csv: file not found" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()


def test_excel_serial_and_date_cells_agree(tmp_path):
    rows = [
        ["Date", "COC", "Exception"],
        [dt.date(2012, 5, 6), "Peru", "UAM"],
        [41035, "Peru", "UAM"],
    ]
    result = clean_foia(write_xlsx(tmp_path / "s.xlsx", {"S": rows}))
    assert result.cases["screening_date"].tolist() == ["2012-05-06", "2012-05-06"]
