# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python (stca-foia)
#     language: python
#     name: stca-foia
# ---

# %% [markdown]
# # Cleaning the USCIS STCA FOIA release
#
# How the USCIS spreadsheet becomes one tidy row per person. The file's checksums are verified
# first; then every row read is accounted for: kept, rejected (with the reason), or set aside as a
# title, total, note or blank row. The cleaned table can be downloaded below, with its data
# dictionary.

# %% [markdown] tags=["analyst"]
# For analysts: the input is `data/raw/foia/`, the outputs go to `data/processed/`
# (`stca_cases.csv`, `rejected_rows.csv`, `cleaning_summary.json`), and the logic lives in
# `src/clean.py`. Set `strict = True` in the parameters to make anything under "To review" stop
# the build.
#
# **Saving.** In JupyterLab this pipeline notebook is read-mostly: run it, change parameters,
# explore. Run with other parameters, the files it writes go to a folder of their own under
# `build/adhoc/` (a note under the parameters cell says which), never to the published reports.
# Outputs are never stored in this file, and a change to its code is not saved in it: each
# save keeps your version in `notebooks/scratch/`, under this notebook's name with `-edited`
# added (git ignores that folder; open it from there to go on). For a copy of your own, use the
# toolbar's "Save a copy in scratch/" (File > Save Notebook As...) and name it
# `scratch/<name>.ipynb`, or `make scratch NB=...`; to change the pipeline on purpose, see
# "Working in JupyterLab" in README.md.

# %% tags=["parameters"]
raw_path = "data/raw/foia"  # a file, or a folder: the real release beside the stand-in wins
processed_dir = "data/processed"
period_end = "2017-03-31"  # last date the release covers; later dates are rejected
strict = True  # anything listed under "To review" (and any unexplained cell) stops the build
date_order = None  # "mdy" or "dmy" for N/N/YYYY dates when no value settles the order

# %%
from src import clean, cleaning_page, helpers, page, views
from src.schema import DATA_DICTIONARY

foia_file = helpers.resolve_foia_path(raw_path)
status = helpers.data_status(foia_file)
page.show_data_notice(status)

# %%
result = clean.clean_foia(foia_file, period_end=period_end, strict=strict, date_order=date_order)
paths = clean.write_outputs(result, processed_dir)
summary = result.summary
cleaning_page.show_source(summary)

# %% [markdown]
# ## Every row accounted for
#
# Data rows read must equal rows kept plus rows rejected; the other rows of each sheet are titles,
# headers, blanks, totals and footnotes, counted here so nothing disappears unseen.

# %%
page.show_table(cleaning_page.row_accounting_table(summary), "Every row of the file, by kind")
cleaning_page.show_balance(summary)

# %% [markdown]
# ## Every cell accounted for
#
# Each non-empty cell of every sheet is a field of a kept person, a cell of a rejected row, or
# structure a person would recognise (a title, a header, a format hint, a "Data as of" or source
# line, a note, a total, a table of counts). Anything else is unexplained: it stops a strict run,
# and the status under the table says so.

# %%
page.show_table(cleaning_page.cell_accounting_table(summary), "Every non-empty cell of the file, by kind")
cleaning_page.show_cell_balance(summary)
structure = cleaning_page.structure_table(summary)
page.show_table(structure, "Rows read as structure, with their cells", max_rows=len(structure))
page.show_table(cleaning_page.unexplained_table(summary), "Cells the cleaner could not place")

# %%
page.show_table(cleaning_page.sheets_table(summary), "What each sheet held")
page.show_table(
    cleaning_page.column_names_table(summary),
    "How the column headers were read (sheets with one layout together)",
)

# %% [markdown]
# ## Totals printed in the spreadsheet, checked against the records above them

# %%
page.show_table(cleaning_page.total_checks_table(summary), "Totals printed in the file, checked")

# %% [markdown]
# ## Rejected rows
#
# A row is rejected only when its year cannot be determined, its date falls outside the period
# the release covers, it repeats an earlier case number, or it holds only a label and a number. Each one is listed with where it came
# from, so it can be checked in the original file.

# %%
page.show_table(cleaning_page.rejected_table(result.rejected), "Rejected rows, as received")
page.show_downloads(["rejected_rows.csv"])

# %% [markdown]
# ## Values that were not recognised
#
# Kept in the table as "Unknown" (country) or "unknown" (exception), and listed here for review.

# %%
page.show_table(cleaning_page.unrecognized_table(summary), "Labels the cleaner did not recognise")

# %% [markdown]
# ## To review
#
# What the cleaner found that a person should look at: cells whose value the file does not hold
# (Excel errors), columns with data that map to no field, sheets named for another fiscal year
# than their dates, case numbers written two ways, tables of counts set aside, blank cells the
# layout does not explain, group labels filled down and times of day dropped from dates.

# %%
page.show_table(cleaning_page.review_table(summary), "Findings to review")

# %% [markdown]
# ## The cleaned table
#
# Checked against a schema (types, allowed values, dates in the period) before it was written.
# Its columns:

# %%
cleaning_page.show_schema_result(summary)
page.show_table(
    views.dictionary(DATA_DICTIONARY, result.cases), "Data dictionary of the cleaned table"
)
page.show_downloads(["stca_cases.csv"])

# %% tags=["analyst"]
page.show_table(cleaning_page.preview(result.cases), "The first ten cleaned rows")
