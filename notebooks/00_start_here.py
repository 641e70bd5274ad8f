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
# # Start here: a first look at the cleaned table
#
# One row per person who came from Canada to a U.S. land port and asked for asylum under an
# exception to the Safe Third Country Agreement: what each column means, and the people by year,
# citizenship and exception.

# %% [markdown] tags=["analyst"]
# For analysts: run the cells top to bottom (the table is built by `make reports`, or by running
# `01_clean_foia` first). **Things you can change** in the next cell: which year basis to count
# by, the year range and how many nationalities to list. To run a notebook with other values from
# the shell, see "Run one notebook with other parameters" in README.md.
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
cases_path = "data/processed/stca_cases.csv"
summary_path = "data/processed/cleaning_summary.json"
year_basis = "calendar"  # or "fiscal" (U.S. fiscal year, October to September)
first_year = 2005
last_year = 2017
top_nationalities = 15

# %%
from src import helpers, metrics, page, views
from src.schema import DATA_DICTIONARY, read_cases
from src.status import read_foia_status

foia = read_foia_status(helpers.repo_path(summary_path))
page.show_data_notice(foia)
cases = read_cases(helpers.repo_path(cases_path))
selected = views.in_years(cases, year_basis, first_year, last_year)
page.show_selection(len(selected), len(cases), year_basis, first_year, last_year)

# %% [markdown]
# ## What each column means

# %%
page.show_table(views.dictionary(DATA_DICTIONARY, cases), "Data dictionary")
page.show_downloads(["stca_cases.csv"])

# %% [markdown]
# ## By year

# %%
page.show_table(
    page.mark_invented(views.by_year(selected, year_basis, foia), ["people", "share"]),
    "People by year",
)

# %% [markdown]
# ## By nationality

# %%
page.show_table(
    page.mark_invented(
        views.by_nationality(selected, top_nationalities, foia), ["people", "share"]
    ),
    "Largest citizenship groups",
)

# %% [markdown]
# ## By exception, and expedited removal within each

# %%
page.show_table(
    page.mark_invented(views.by_exception(selected, foia), ["people", "expedited_removal"]),
    "People by exception, and expedited removal within each",
)

# %% [markdown] tags=["analyst"]
# ## Your turn
#
# `cases` is a pandas DataFrame; the metrics in `src/metrics.py` (for example
# `metrics.count_in_year(cases, 2016)`) are the same functions the claims ledger uses.

# %% tags=["analyst"]
metrics.count_in_year(cases, 2016, year_basis)
