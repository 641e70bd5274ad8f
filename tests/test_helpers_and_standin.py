"""Raw-data safety: atomic writes, the checksum manifest, stand-in detection, and a stand-in that
anyone can regenerate byte for byte."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import STANDIN

from src import helpers, standin
from src.helpers import ManifestError


def test_atomic_write_leaves_target_untouched_on_error(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), helpers.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_committed_manifest_matches_data_raw():
    entries = helpers.verify_manifest()
    assert "foia/uscis_stca_foia_standin.xlsx" in entries
    assert len(entries) == len(helpers.compute_manifest())


def test_manifest_reports_each_kind_of_change(tmp_path):
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "a.csv").write_text("1")
    (raw / "sub" / "b.csv").write_text("2")
    (raw / helpers.MANIFEST_NAME).write_text(helpers.manifest_text(helpers.compute_manifest(raw)))
    helpers.verify_manifest(raw)
    (raw / "a.csv").write_text("changed")
    (raw / "sub" / "b.csv").unlink()
    (raw / "new.csv").write_text("3")
    with pytest.raises(ManifestError) as err:
        helpers.verify_manifest(raw)
    text = str(err.value)
    assert (
        "changed: a.csv" in text
        and "missing: sub/b.csv" in text
        and "not in manifest: new.csv" in text
    )
    assert "make manifest" in text


def test_missing_manifest_is_an_error(tmp_path):
    with pytest.raises(ManifestError, match="MANIFEST.sha256 is missing"):
        helpers.verify_manifest(tmp_path)


def test_standin_is_detected_and_a_copy_that_differs_is_not(tmp_path):
    assert helpers.data_status(STANDIN).is_standin
    copy = tmp_path / STANDIN.name
    copy.write_bytes(STANDIN.read_bytes() + b"\0")
    shutil.copy(STANDIN.with_name(STANDIN.stem + helpers.SIDECAR_SUFFIX), tmp_path)
    assert not helpers.data_status(copy).is_standin  # a sidecar only vouches for its own bytes


def test_resolve_prefers_a_real_release_beside_the_standin(tmp_path):
    shutil.copy(STANDIN, tmp_path)
    shutil.copy(STANDIN.with_name(STANDIN.stem + helpers.SIDECAR_SUFFIX), tmp_path)
    assert helpers.resolve_foia_path(tmp_path).name == STANDIN.name
    (tmp_path / "real_release.xlsx").write_bytes(b"PK")
    assert helpers.resolve_foia_path(tmp_path).name == "real_release.xlsx"
    (tmp_path / "second.csv").write_text("x")
    with pytest.raises(ValueError, match="several FOIA files"):
        helpers.resolve_foia_path(tmp_path)


def test_standin_regenerates_byte_for_byte(tmp_path):
    xlsx, meta = standin.generate(tmp_path)
    assert xlsx.read_bytes() == STANDIN.read_bytes()
    committed = json.loads(STANDIN.with_name(STANDIN.stem + helpers.SIDECAR_SUFFIX).read_text())
    assert json.loads(meta.read_text()) == committed


def test_sidecar_marks_published_bound_and_illustrative_years():
    sidecar = helpers.data_status(STANDIN).sidecar
    assert sidecar["is_standin"] is True
    years = sidecar["value_status"]["calendar_year"]
    assert years["2016"] == years["2017"] == "published"
    assert years["2008"] == "bound"
    assert years["2012"] == "illustrative"
    article_pins = [p for p in sidecar["pinned"] if p["quantity"] != "first screening date"]
    assert all(p["source"]["url"].startswith("https://www.vice.com/") for p in article_pins)
    cutoff = [a for a in sidecar["assumptions"] if a["what"] == "data cutoff"]
    assert cutoff[0]["value"] == "2017-03-31"


def test_standin_people_match_the_pinned_counts():
    people = standin.make_people()
    assert len(people) == 466
    assert sum(p["citizenship"].strip().lower() == "canada" for p in people) == 55
    assert sum(p["expedited_removal"] is True for p in people) > 60


def test_in_jupyterlab_a_published_file_is_only_rewritten_with_its_own_bytes(tmp_path, monkeypatch):
    """With `make lab`'s guard on, a write into reports/ or data/processed/ passes only when it
    leaves the bytes as they are; a change or a new file is refused naming the file and what to
    do instead, and the old file stays; elsewhere, and without the guard, writes go through."""
    from src import helpers

    monkeypatch.setattr(helpers, "REPORTS_DIR", tmp_path / "reports")
    monkeypatch.setattr(helpers, "PROCESSED_DIR", tmp_path / "processed")
    monkeypatch.setattr(helpers, "ROOT", tmp_path)
    published = tmp_path / "reports" / "figures" / "x.csv"
    helpers.write_text_atomic(published, "a\n1\n")
    monkeypatch.setenv(helpers.PUBLISHED_UNCHANGED_ENV, "1")
    stamp = published.stat().st_mtime_ns
    helpers.write_text_atomic(published, "a\n1\n")  # the pipeline's own bytes: left as it is
    assert published.stat().st_mtime_ns == stamp
    with pytest.raises(PermissionError, match=r"reports/figures/x.csv: this would change"):
        helpers.write_text_atomic(published, "a\n2\n")
    assert published.read_text() == "a\n1\n"
    assert [p.name for p in published.parent.iterdir()] == ["x.csv"]  # no temporary file left
    with pytest.raises(PermissionError, match="would add a published file.*make scratch"):
        helpers.write_json_atomic(tmp_path / "processed" / "new.json", {})
    helpers.write_text_atomic(tmp_path / "build" / "adhoc" / "x.csv", "a\n2\n")
    monkeypatch.delenv(helpers.PUBLISHED_UNCHANGED_ENV)
    helpers.write_text_atomic(published, "a\n2\n")
    assert published.read_text() == "a\n2\n"
