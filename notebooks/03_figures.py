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
# # Who came from Canada, when, and how
#
# The U.S.-bound side of the story: people in Canada who asked for asylum at U.S. land ports under
# an exception to the Safe Third Country Agreement, by year, by the exception they used, by
# citizenship, and whether they were placed in expedited removal. Each chart is saved as PNG and
# SVG with the data behind it as CSV (linked from the index page).

# %% tags=["parameters"]
cases_path = "data/processed/stca_cases.csv"
figures_dir = "reports/figures/figures_calendar"
year_basis = "calendar"  # "calendar" or "fiscal" (U.S. fiscal year, October to September)
first_year = 2005
last_year = 2017
period_end = "2017-03-31"  # the data's cutoff: the last year is partial
top_nationalities = 10

# %%
from src import figures, helpers, views
from src.schema import read_cases

status = helpers.data_status(helpers.resolve_foia_path("data/raw/foia"))
helpers.show_data_notice(status)
standin = status.is_standin
year_status = status.sidecar.get("year_status") if standin else None
cases = read_cases(helpers.repo_path(cases_path))
in_range = views.in_years(cases, year_basis, first_year, last_year)
out_dir = helpers.repo_path(figures_dir)
charts = []

# %% [markdown]
# ## Cases per year
#
# The last year runs only to the data's cutoff. While the stand-in is in use, hatched bars are
# years whose counts no published source gives.

# %%
partial = figures.partial_years(period_end, year_basis)
table = figures.year_table(cases, year_basis, first_year, last_year, year_status, partial)
chart = figures.chart_cases_per_year(table, year_basis, period_end, standin)
charts.append(figures.publish(chart, out_dir))

# %% [markdown]
# ## Which exception people used

# %%
chart = figures.chart_exceptions(in_range, standin)
charts.append(figures.publish(chart, out_dir))

# %% [markdown]
# ## Citizenship
#
# Canadians appear although the agreement does not apply to them: see the note under the chart.

# %%
pinned = {"Canada"} if standin else set()
chart = figures.chart_nationalities(in_range, top_nationalities, standin, pinned)
charts.append(figures.publish(chart, out_dir))

# %% [markdown]
# ## Expedited removal

# %%
chart = figures.chart_expedited_removal(in_range, standin)
charts.append(figures.publish(chart, out_dir))

# %%
figure_index = figures.write_figure_index(charts, out_dir)
