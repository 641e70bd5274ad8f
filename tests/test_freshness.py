"""Freshness: each official series says the last month it holds, whether it ends before the
build, and the figures published since, each beside its series with its status and source."""

from __future__ import annotations

import pandas as pd

from src import context
from src.freshness import freshness


def flows(*rows):
    return pd.DataFrame(
        [{"source_file": f"data/raw/official/{f}", "first_month": a, "last_month": b}
         for f, a, b in rows]
    )  # fmt: skip


def test_a_series_ending_before_the_build_says_so_with_later_figures_beside_it():
    later = context.load_context("later")
    series = freshness(
        flows(("us/dhs-ohss-usbp-encounters-oct1999-nov2024.xlsx", "1999-10", "2024-11"),
              ("canada/ircc-open-data/EN_ODP-Asylum-OfficeType_Prov.xlsx", "2015-01", "2024-02")),
        later, "2026-11-27",
    )  # fmt: skip
    dhs, ircc = series
    assert dhs["as_of"] == "November 2024" and dhs["ended"]
    assert dhs["next_release"].startswith("not stated")
    assert [(f["value"], f["period"], f["status"]) for f in dhs["later"]] == [
        ("54", "2025-03", "reported")
    ]
    assert ircc["as_of"] == "February 2024"
    # only what comes after the series' end: 2024 and 2025 figures, each with its source
    assert {f["period"][:4] for f in ircc["later"]} == {"2024", "2025"}
    assert all(f["url"].startswith("https://") and f["status"] in ("official", "reported")
               for f in ircc["later"])  # fmt: skip
    assert {f["value"] for f in ircc["later"]} >= {"about 173,000", "15,425"}


def test_a_current_series_is_not_called_ended_and_an_absent_one_is_left_out():
    series = freshness(
        flows(("us/dhs-ohss-usbp-encounters-oct1999-nov2024.xlsx", "1999-10", "2024-11")),
        context.load_context("later"), "2024-11-30",
    )  # fmt: skip
    assert len(series) == 1 and not series[0]["ended"]
