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
# # Who came from Canada, when, and how
#
# The U.S.-bound side of the story: people in Canada who asked for asylum at U.S. land ports under
# an exception to the Safe Third Country Agreement, by year, by the exception they used, by
# citizenship, and whether they were placed in expedited removal. Every value carries its status:
# invented stand-in values are hatched in the charts and marked in the data behind them.

# %% [markdown] tags=["analyst"]
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
figures_dir = "reports/figures/figures_calendar"
year_basis = "calendar"  # "calendar" or "fiscal" (U.S. fiscal year, October to September)
first_year = 2005
last_year = 2017
top_nationalities = 10
# the charts this page draws; a total left out must be the same as on the calendar-year page
charts = ["cases_per_year", "exceptions", "nationalities", "expedited_removal"]

# %%
from src import charts as charts_module
from src import figures, helpers, page, views
from src.schema import read_cases
from src.status import FoiaStatus, read_summary

summary = read_summary(helpers.repo_path(summary_path))
foia = FoiaStatus.from_summary(summary)
period_end = summary.period.end  # the data's cutoff: the last year is partial
page.show_data_notice(foia)
page.show_year_basis_note(year_basis, foia)
cases = read_cases(helpers.repo_path(cases_path))
in_range = views.in_years(cases, year_basis, first_year, last_year)
out_dir = helpers.repo_path(figures_dir)
published = []
omitted = figures.check_charts(charts, cases, year_basis, first_year, last_year)
page.show_omitted_totals(omitted, len(in_range))

# %% [markdown]
# ## Cases per year
#
# The last year runs only to the data's cutoff. Hatched bars are invented stand-in values.

# %%
partial = figures.partial_years(period_end, year_basis)
table = figures.year_table(cases, year_basis, first_year, last_year, foia, partial)
chart = figures.chart_cases_per_year(table, year_basis, period_end)
published.append(charts_module.publish(chart, out_dir))

# %%
if "exceptions" in charts:
    page.show_heading("Which exception people used")
    table = figures.exception_table(in_range, foia)
    chart = figures.chart_exceptions(table, foia.exception_share(figures.FAMILY_PUBLIC))
    published.append(charts_module.publish(chart, out_dir))

# %%
if "nationalities" in charts:
    page.show_heading(
        "Citizenship",
        "Canadians appear although the agreement does not apply to them: see the note under the chart.",
    )
    table = figures.nationality_table(in_range, top_nationalities, foia)
    chart = figures.chart_nationalities(table, len(in_range), foia.total())
    published.append(charts_module.publish(chart, out_dir))

# %%
if "expedited_removal" in charts:
    page.show_heading("Expedited removal")
    chart = figures.chart_expedited_removal(figures.expedited_removal_table(in_range, foia))
    published.append(charts_module.publish(chart, out_dir))

# %%
figure_index = charts_module.write_figure_index(published, out_dir)
