# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python (stca-foia)
#     language: python
#     name: stca-foia
# ---

# %% [markdown]
# # Cleaning the USCIS STCA FOIA release
#
# This notebook turns the raw spreadsheet in `data/raw/foia/` into one tidy row per person
# (`data/processed/stca_cases.csv`). It verifies the raw data's checksums first, then reports
# every row it read: kept, rejected (with the reason), or set aside as a title, total, note or
# blank row. The logic lives in `src/clean.py`; this notebook calls it and shows the result.

# %% tags=["parameters"]
raw_path = "data/raw/foia"  # a file, or a folder: the real release beside the stand-in wins
processed_dir = "data/processed"
period_end = "2017-03-31"  # last date the release covers; later dates are rejected
strict = False  # True: anything listed under "To review" below stops the build
date_order = None  # "mdy" or "dmy" for N/N/YYYY dates when no value settles the order

# %%
from src import clean, helpers, report, views
from src.schema import DATA_DICTIONARY

foia_file = helpers.resolve_foia_path(raw_path)
status = helpers.data_status(foia_file)
helpers.show_data_notice(status)

# %%
result = clean.clean_foia(foia_file, period_end=period_end, strict=strict, date_order=date_order)
paths = clean.write_outputs(result, processed_dir)
summary = result.summary
report.show_source(summary)

# %% [markdown]
# ## Every row accounted for
#
# Data rows read must equal rows kept plus rows rejected; the other rows of each sheet are titles,
# headers, blanks, totals and footnotes, counted here so nothing disappears unseen.

# %%
report.show_table(report.row_accounting_table(summary))
report.show_balance(summary)

# %%
report.show_table(report.sheets_table(summary))

# %% [markdown]
# ## Totals printed in the spreadsheet, checked against the records above them

# %%
report.show_table(report.total_checks_table(summary))

# %% [markdown]
# ## Rejected rows
#
# A row is rejected only when its year cannot be determined, its date falls outside the period
# the release covers, or it repeats an earlier case number. Each one is listed with where it came
# from, so it can be checked in the raw file; the full list is `rejected_rows.csv`.

# %%
report.show_table(report.rejected_table(result.rejected))

# %% [markdown]
# ## Values that were not recognised
#
# Kept in the table as `Unknown` (country) or `unknown` (exception), and listed here for review.
# Run with `strict = True` to make any of them stop the build.

# %%
report.show_table(report.unrecognized_table(summary))

# %% [markdown]
# ## To review
#
# What the cleaner found that a person should look at: cells whose value the file does not hold
# (Excel errors), columns with data that map to no field, sheets named for another fiscal year
# than their dates, case numbers written two ways, and tables of counts set aside. With
# `strict = True` any of these stops the build.

# %%
report.show_table(report.review_table(summary))

# %% [markdown]
# ## The cleaned table
#
# Validated with a pandera schema before it was written. Its columns:

# %%
report.show_schema_result(summary)
report.show_table(views.dictionary(DATA_DICTIONARY, result.cases))

# %%
report.show_table(report.preview(result.cases))
