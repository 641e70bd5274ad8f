"""The cleaner on a bad day: each class of unusual input either gives the right records or stops
with an error naming the file (and sheet, row, column) and what was expected. Never a silent
wrong table."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil

import pandas as pd
import pytest
from conftest import HEADER, STANDIN, write_csv, write_xlsx

from src import clean, helpers, status
from src.clean import CleaningError, clean_foia


def rows_with_dates(*dates):
    return [HEADER] + [
        [f"K-{i}", d, "Cuba", "Family Member", "N", "Blaine, WA"] for i, d in enumerate(dates, 1)
    ]


def dates_of(result):
    return result.cases["screening_date"].tolist()


# ---------------------------------------------------------------- dates


def test_day_first_text_dates_are_detected_from_the_values(tmp_path):
    path = write_csv(tmp_path / "r.csv", rows_with_dates("05/10/2010", "25/10/2010", "01/02/2011"))
    result = clean_foia(path)
    assert dates_of(result) == ["2010-10-05", "2010-10-25", "2011-02-01"]
    assert result.summary.date_order["screening_date"] == "day first"


def test_month_first_text_dates_are_detected_from_the_values(tmp_path):
    path = write_csv(tmp_path / "r.csv", rows_with_dates("05/10/2010", "10/25/2010"))
    assert dates_of(clean_foia(path)) == ["2010-05-10", "2010-10-25"]


def test_ambiguous_text_dates_stop_and_ask_for_a_parameter(tmp_path):
    path = write_csv(tmp_path / "r.csv", rows_with_dates("05/10/2010", "03/04/2011"))
    with pytest.raises(CleaningError) as err:
        clean_foia(path)
    message = str(err.value)
    assert str(path) in message and "'Screening Date'" in message and "date_order" in message
    assert dates_of(clean_foia(path, date_order="dmy")) == ["2010-10-05", "2011-04-03"]
    assert dates_of(clean_foia(path, date_order="mdy")) == ["2010-05-10", "2011-03-04"]


def test_a_column_mixing_both_orders_is_an_error(tmp_path):
    path = write_csv(tmp_path / "r.csv", rows_with_dates("25/10/2010", "10/25/2010"))
    with pytest.raises(
        CleaningError, match=r"day first \(row 2: '25/10/2010'\).*month first \(row 3"
    ):
        clean_foia(path)


def test_the_1904_date_system_is_read_from_the_workbook(tmp_path):
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "FY2008"
    for row in [
        HEADER,
        ["K-1", 38000, "Cuba", "UAM", "N", ""],
        ["K-2", dt.date(2008, 3, 1), "Cuba", "UAM", "N", ""],
    ]:
        ws.append(row)
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    result = clean_foia(path)
    expected = (pd.Timestamp("1904-01-01") + pd.Timedelta(days=38000)).strftime("%Y-%m-%d")
    assert dates_of(result) == [expected, "2008-03-01"]
    assert result.summary.date_system == "1904"


# ---------------------------------------------------------------- unknown cell values


def _workbook_with(path, cells):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "FY2010"
    ws.append(HEADER)
    ws.append(["K-1", "2010-01-05", "Cuba", "UAM", "N", ""])
    ws.append(["K-2", "2010-01-06", "Haiti", "UAM", "N", ""])
    for ref, value, kind in cells:
        ws[ref].value = value
        if kind:
            ws[ref].data_type = kind
    wb.save(path)
    return path


def test_error_cells_are_listed_by_location_and_withheld_with_their_code(tmp_path):
    path = _workbook_with(tmp_path / "e.xlsx", [("C3", "#N/A", "e")])
    result = clean_foia(path)
    cells = result.summary.unknown_cells
    assert cells == [
        {
            "sheet": "FY2010",
            "row": 3,
            "column": "C",
            "field": "citizenship",
            "kind": "error",
            "text": "#N/A",
        }
    ]
    # the error value is a withheld value (issue 20), with its code; a strict run goes on
    strict = clean_foia(path, strict=True)
    haiti = strict.cases.set_index("case_id").loc["K-2"]
    assert pd.isna(haiti["citizenship"]) and haiti["withheld"] == "citizenship #N/A"


def test_uncomputed_formulas_are_an_error_that_says_how_to_fix_it(tmp_path):
    path = _workbook_with(tmp_path / "f.xlsx", [("E3", '=IF(1,"Y","N")', None)])
    with pytest.raises(CleaningError) as err:
        clean_foia(path)
    message = str(err.value)
    assert str(path) in message and "sheet 'FY2010', row 3, column 'E'" in message
    assert "open it in a spreadsheet program and save it" in message


# ---------------------------------------------------------------- headers and layouts


def test_a_header_over_two_rows_is_read_as_one(tmp_path):
    rows = [
        [
            "Case ID",
            "Screening Date",
            "Country of Citizenship",
            "Exception",
            "Expedited",
            "Port of",
        ],
        [None, None, None, None, "Removal", "Entry"],
        ["K-1", "2010-01-05", "Cuba", "UAM", "Y", "Blaine"],
        ["K-2", "2010-01-06", "Haiti", "UAM", "N", "Blaine"],
    ]
    result = clean_foia(write_xlsx(tmp_path / "h.xlsx", {"FY2010": rows}))
    assert result.cases["expedited_removal"].tolist() == [True, False]
    assert result.cases["port_of_entry"].tolist() == ["Blaine", "Blaine"]
    assert result.summary.rows.header_rows == 2 and len(result.rejected) == 0


def test_a_group_header_row_above_the_header_is_not_data(tmp_path):
    rows = [
        ["Case", None, None, "Outcome", None, None],
        HEADER,
        ["K-1", "2010-01-05", "Cuba", "UAM", "Y", "Blaine"],
    ]
    result = clean_foia(write_xlsx(tmp_path / "g.xlsx", {"FY2010": rows}))
    assert len(result.cases) == 1 and result.cases["expedited_removal"].tolist() == [True]


def test_a_column_with_data_that_maps_to_no_field_is_reported(tmp_path):
    rows = [HEADER + ["Removal Outcome"], ["K-1", "2010-01-05", "Cuba", "UAM", "Y", "", "ordered"]]
    result = clean_foia(write_xlsx(tmp_path / "u.xlsx", {"FY2010": rows}))
    assert result.summary.unmapped_columns == [
        {"sheet": "FY2010", "column": "Removal Outcome", "filled_rows": 1}
    ]
    with pytest.raises(CleaningError, match="Removal Outcome"):
        clean_foia(write_xlsx(tmp_path / "u2.xlsx", {"FY2010": rows}), strict=True)


def test_a_field_that_disappears_from_one_sheet_is_an_error(tmp_path):
    full = [HEADER, ["K-1", "2010-01-05", "Cuba", "UAM", "Y", "Blaine"]]
    short = [HEADER[:4] + ["Removal?"], ["K-2", "2011-01-05", "Cuba", "UAM", "Y"]]
    with pytest.raises(CleaningError) as err:
        clean_foia(write_xlsx(tmp_path / "d.xlsx", {"FY2010": full, "FY2011": short}))
    message = str(err.value)
    assert (
        "sheet 'FY2011'" in message and "expedited_removal" in message and "'Removal?'" in message
    )


def test_a_summary_sheet_of_counts_is_not_read_as_people(tmp_path):
    cases = [
        HEADER,
        ["K-1", "2010-01-05", "Cuba", "UAM", "Y", ""],
        ["K-2", "2010-02-05", "Cuba", "UAM", "N", ""],
    ]
    pivot = [["Country of Citizenship", "Exception", "Count"], ["Cuba", "UAM", 2]]
    result = clean_foia(write_xlsx(tmp_path / "p.xlsx", {"FY2010": cases, "Pivot": pivot}))
    assert len(result.cases) == 2
    sheet = next(s for s in result.summary.sheets if s["sheet"] == "Pivot")
    assert sheet["status"].startswith("skipped: a table of counts")
    assert sheet["count_total"] == 2 and sheet["matches_cases"] is True
    wrong = [["Country of Citizenship", "Exception", "Count"], ["Cuba", "UAM", 5]]
    result = clean_foia(write_xlsx(tmp_path / "q.xlsx", {"FY2010": cases, "Pivot": wrong}))
    sheet = next(s for s in result.summary.sheets if s["sheet"] == "Pivot")
    assert sheet["matches_cases"] is False
    with pytest.raises(CleaningError, match="Pivot"):
        clean_foia(write_xlsx(tmp_path / "r.xlsx", {"FY2010": cases, "Pivot": wrong}), strict=True)


@pytest.mark.parametrize(
    "furniture",
    [
        ["Sum", None, None, None, None, 2],
        ["Total for FY 2010", 2],
        ["Count of Case ID:", None, 2],
        HEADER,
    ],
)
def test_totals_in_other_words_and_repeated_headers_are_not_people(tmp_path, furniture):
    rows = [
        HEADER,
        ["K-1", "2010-01-05", "Cuba", "UAM", "Y", ""],
        ["K-2", "2010-02-05", "Cuba", "UAM", "N", ""],
        furniture,
    ]
    result = clean_foia(write_xlsx(tmp_path / "t.xlsx", {"FY2010": rows}))
    assert result.cases["case_id"].tolist() == ["K-1", "K-2"]
    assert result.summary.rows.data_rows_read == 2


def test_a_label_and_a_number_alone_are_reported_not_kept(tmp_path):
    rows = [HEADER, ["K-1", "2010-01-05", "Cuba", "UAM", "Y", ""], ["Cases on this page", None, 1]]
    result = clean_foia(write_xlsx(tmp_path / "s.xlsx", {"FY2010": rows}))
    assert result.cases["case_id"].tolist() == ["K-1"]
    assert result.rejected["reason"].str.contains("a label and a number").tolist() == [True]


def test_a_sheet_named_for_another_fiscal_year_is_reported(tmp_path):
    rows = [
        HEADER,
        ["K-1", "2012-01-05", "Cuba", "UAM", "Y", ""],
        ["K-2", "2012-02-05", "Cuba", "UAM", "N", ""],
    ]
    result = clean_foia(write_xlsx(tmp_path / "y.xlsx", {"FY2010": rows}))
    assert result.summary.sheet_year_mismatches == [
        {"sheet": "FY2010", "sheet_fiscal_year": 2010, "rows": 2, "fiscal_years_in_dates": [2012]}
    ]
    with pytest.raises(CleaningError, match="FY2010.*FY2012"):
        clean_foia(write_xlsx(tmp_path / "y2.xlsx", {"FY2010": rows}), strict=True)


# ---------------------------------------------------------------- identifiers and codes


def test_case_numbers_that_differ_only_invisibly_are_one_person(tmp_path):
    ids = ["AB-101", "ab-101", "AB\u200b-101", "AB\u2013101", "AB -101", "\u00a0AB-101"]
    rows = [HEADER] + [[cid, "2010-01-05", "Cuba", "UAM", "N", ""] for cid in ids]
    result = clean_foia(write_xlsx(tmp_path / "i.xlsx", {"FY2010": rows}))
    assert result.cases["case_id"].tolist() == ["AB-101"]
    assert len(result.rejected) == 5
    assert result.rejected["reason"].str.contains("same case number as").all()
    # the raw value is kept (as read: surrounding white space trimmed)
    assert result.rejected["raw_case_id"].tolist() == [i.strip() for i in ids[1:]]


def test_na_is_missing_in_a_column_of_names_and_namibia_in_a_column_of_codes(tmp_path):
    names = [HEADER] + [
        [f"K-{i}", "2010-01-05", c, "UAM", "N", ""]
        for i, c in enumerate(["Cuba", "Haiti", "NA", "N/A"])
    ]
    result = clean_foia(write_xlsx(tmp_path / "n.xlsx", {"FY2010": names}))
    assert result.cases["citizenship"].tolist()[:2] == ["Cuba", "Haiti"]
    assert result.cases["citizenship"].isna().tolist() == [False, False, True, True]
    codes = [HEADER] + [
        [f"K-{i}", "2010-01-05", c, "UAM", "N", ""] for i, c in enumerate(["CU", "HT", "NA", "MX"])
    ]
    result = clean_foia(write_xlsx(tmp_path / "c.xlsx", {"FY2010": codes}))
    assert result.cases["citizenship"].tolist() == ["Cuba", "Haiti", "Namibia", "Mexico"]


# ---------------------------------------------------------------- csv shape


@pytest.mark.parametrize("line", [2, 60])
def test_a_row_wider_than_the_header_is_an_error_anywhere(tmp_path, line):
    rows = [HEADER] + [[f"K-{i}", "2010-01-05", "Cuba", "UAM", "N", "Blaine"] for i in range(80)]
    rows[line - 1] = rows[line - 1][:2] + ["Korea", " South"] + rows[line - 1][3:]  # unquoted comma
    path = write_csv(tmp_path / "w.csv", rows)
    with pytest.raises(CleaningError, match=rf"{path}, row {line}: 7 fields.*header has 6"):
        clean_foia(path)


def test_a_huge_field_near_the_top_is_read_or_named(tmp_path):
    rows = [HEADER, ["K-1", "2010-01-05", "Xy" * 100_000, "UAM", "N", ""]]
    result = clean_foia(write_csv(tmp_path / "big.csv", rows))
    assert result.cases["citizenship"].tolist() == ["Unknown"]


# ---------------------------------------------------------------- the input folder


def _folder_with_standin(tmp_path):
    folder = tmp_path / "foia"
    folder.mkdir()
    for name in (STANDIN.name, STANDIN.stem + helpers.SIDECAR_SUFFIX):
        shutil.copy(STANDIN.parent / name, folder / name)
    return folder


def test_a_release_in_another_format_is_read_not_ignored(tmp_path):
    folder = _folder_with_standin(tmp_path)
    plain = write_csv(tmp_path / "release.csv", rows_with_dates("2010-01-05", "2010-02-05"))
    (folder / "release.csv.gz").write_bytes(gzip.compress(plain.read_bytes()))
    chosen = helpers.resolve_foia_path(folder)
    assert chosen.name == "release.csv.gz"
    assert len(clean_foia(chosen).cases) == 2


@pytest.mark.parametrize("name", ["release.numbers", "release.pdf", "release.zip"])
def test_a_release_the_cleaner_cannot_read_is_named(tmp_path, name):
    folder = _folder_with_standin(tmp_path)
    (folder / name).write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(CleaningError, match=rf"{name}.*cannot read"):
        helpers.resolve_foia_path(folder)


def test_dot_files_dangling_and_outside_symlinks_are_refused(tmp_path):
    folder = _folder_with_standin(tmp_path)
    (folder / ".hidden.csv").write_text("x")
    with pytest.raises(CleaningError, match=r"\.hidden\.csv.*hidden"):
        helpers.resolve_foia_path(folder)
    (folder / ".hidden.csv").unlink()
    os.symlink(tmp_path / "nowhere.csv", folder / "dangling.csv")
    with pytest.raises(CleaningError, match="dangling.csv.*points to nothing"):
        helpers.resolve_foia_path(folder)
    (folder / "dangling.csv").unlink()
    outside = write_csv(tmp_path / "outside.csv", rows_with_dates("2010-01-05"))
    os.symlink(outside, folder / "link.csv")
    with pytest.raises(CleaningError, match="link.csv.*outside"):
        helpers.resolve_foia_path(folder)


def test_a_file_the_manifest_does_not_list_is_not_read_as_verified(tmp_path):
    raw = tmp_path / "raw"
    folder = raw / "foia"
    folder.mkdir(parents=True)
    release = write_csv(folder / "release.csv", rows_with_dates("2010-01-05"))
    (raw / helpers.MANIFEST_NAME).write_text(helpers.manifest_text({}))
    with pytest.raises(helpers.ManifestError, match="not in manifest: foia/release.csv"):
        clean_foia(release)
    (raw / helpers.MANIFEST_NAME).write_text(helpers.manifest_text(helpers.compute_manifest(raw)))
    assert clean_foia(release).summary.checksums_verified is True


# ---------------------------------------------------------------- outputs as one set


def test_outputs_are_one_set_and_a_mixed_set_is_refused(tmp_path, simple_xlsx, monkeypatch):
    out = tmp_path / "processed"
    clean.write_outputs(clean_foia(simple_xlsx), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    summary = status.read_summary(out / "cleaning_summary.json")
    assert set(summary.outputs) == {"stca_cases.csv", "rejected_rows.csv"}

    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):  # the disk fills up after the first file is in place
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(clean.os, "replace", failing_replace)
    result = clean_foia(simple_xlsx, period_end="2016-12-31")
    with pytest.raises(OSError):
        clean.write_outputs(result, out)
    monkeypatch.undo()
    # the summary went first, so what is left is either the whole old set or no summary at all
    if (out / "cleaning_summary.json").exists():
        assert {
            p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")
        } == before
    else:
        with pytest.raises(FileNotFoundError):
            status.read_summary(out / "cleaning_summary.json")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left

    clean.write_outputs(clean_foia(simple_xlsx), out)
    (out / "stca_cases.csv").write_text("case_id\nX\n")
    with pytest.raises(status.IncompleteOutputs, match="stca_cases.csv does not match"):
        status.read_summary(out / "cleaning_summary.json")


def test_unquoted_dates_in_a_parameters_file_are_read_as_text(tmp_path):
    from src import pipeline

    params = tmp_path / "p.yml"
    params.write_text("period_end: 2016-12-31\nstrict: true\n")
    assert pipeline.read_parameters(params) == {"period_end": "2016-12-31", "strict": True}
    (tmp_path / "bad.yml").write_text("- just\n- a list\n")
    with pytest.raises(SystemExit, match="bad.yml.*mapping"):
        pipeline.read_parameters(tmp_path / "bad.yml")


def test_summary_json_round_trips(tmp_path, simple_xlsx):
    from dataclasses import replace

    from src.summary import CleaningSummary

    result = clean_foia(simple_xlsx)
    clean.write_outputs(result, tmp_path)
    written = json.loads((tmp_path / "cleaning_summary.json").read_text())
    assert written["rows"]["balanced"] is True
    back = CleaningSummary.from_dict(written)
    assert replace(back, outputs=None) == result.summary
    assert back.rows.kept == len(result.cases) and back.period.end == result.summary.period.end
    with pytest.raises(
        ValueError, match=r"x.json: .*unknown keys \['colour'\], missing \['rows'\]"
    ):
        CleaningSummary.from_dict(
            {**{k: v for k, v in written.items() if k != "rows"}, "colour": 1}, "x.json"
        )


# ---------------------------------------------------------------- the pipeline on a bad day


@pytest.mark.slow
def test_a_failed_cleaning_leaves_the_whole_old_set_or_nothing(built_repo, tmp_path):
    from pipeline_util import clone_built, run_make

    repo = clone_built(built_repo[0], tmp_path)
    standin = repo / "data" / "raw" / "foia" / STANDIN.name
    standin.chmod(0o644)
    standin.write_bytes(standin.read_bytes() + b"\0")  # a raw file changed behind our back
    result = run_make(repo, "reports")
    assert result.returncode != 0 and "does not match MANIFEST.sha256" in result.stderr
    processed = repo / "data" / "processed"
    cleaning_set = {"stca_cases.csv", "rejected_rows.csv", "cleaning_summary.json"}
    left = {p.name for p in processed.glob("*")} & cleaning_set
    assert left in (set(), {"stca_cases.csv", "rejected_rows.csv", "cleaning_summary.json"})
    assert not (processed / "cleaning_summary.json").exists()  # the failed set is gone whole
    assert not (processed / "stca_cases.csv").exists()


@pytest.mark.slow
def test_a_second_build_at_the_same_time_stops_and_says_so(built_repo, tmp_path):
    """Snakemake locks the checkout: a second `make reports` while one runs stops at once with a
    message saying why, runs nothing, and the first build finishes as if alone."""
    import os
    import subprocess

    from pipeline_util import VENV, clone_built, executed_reports, run_make

    repo = clone_built(built_repo[0], tmp_path)
    (repo / "reports" / "figures" / "figures_calendar" / "exceptions.png").unlink()
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTHONPATH")}  # fmt: skip
    first = subprocess.Popen(
        ["make", "reports", f"VENV={VENV}"], cwd=repo, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    seen = []
    for line in first.stdout:  # wait until the first build is running a notebook
        seen.append(line)
        if "[figures_calendar] cell 2/" in line:
            break
    second = run_make(repo, "reports")
    rest, _ = first.communicate(timeout=300)
    assert second.returncode != 0
    assert "another build may be running" in second.stderr, second.stderr[-2000:]
    assert executed_reports(second.stderr) == []  # it ran nothing
    assert first.returncode == 0, "".join(seen)[-2000:] + rest[-2000:]
    assert run_make(repo, "reports").returncode == 0  # and the next one finds nothing to do
