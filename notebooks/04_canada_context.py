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
# # The other direction: from the U.S. into Canada
#
# The story's point is an asymmetry. A few hundred people went from Canada to the U.S. under the
# STCA exceptions in over twelve years; far more went the other way, and many more again after the
# November 2016 U.S. election. The Canada-side figures here are real and published: each value's
# source is in `data/raw/context/` and in the CSV behind each chart.

# %% tags=["parameters"]
cases_path = "data/processed/stca_cases.csv"
figures_dir = "reports/figures/canada_context"
period_end = "2017-03-31"  # the FOIA data's cutoff: 2017 is compared up to this month

# %%
from src import context, figures, helpers, report
from src.schema import read_cases

status = helpers.data_status(helpers.resolve_foia_path("data/raw/foia"))
helpers.show_data_notice(status)
standin = status.is_standin
year_status = status.sidecar.get("year_status") if standin else None
cases = read_cases(helpers.repo_path(cases_path))
ctx = {key: context.load_context(key) for key in context.CONTEXT_FILES}
out_dir = helpers.repo_path(figures_dir)
charts = []

# %% [markdown]
# ## Both directions, side by side
#
# Only two periods have published counts for both directions: 2013 (a figure Prof. Sean Rehaag
# obtained, quoted in the article) and the first months of 2017, up to the FOIA data's cutoff.

# %%
table = figures.asymmetry_table(cases, ctx, period_end, standin, year_status)
chart = figures.chart_asymmetry(table, standin)
charts.append(figures.publish(chart, out_dir))
report.show_table(table)

# %% [markdown]
# ## The Canada side, 2017 to 2019

# %%
table = figures.canada_side_table(ctx)
chart = figures.chart_canada_side(table)
charts.append(figures.publish(chart, out_dir))
figure_index = figures.write_figure_index(charts, out_dir)

# %% [markdown]
# ## Revisions
#
# Some monthly counts were revised after first publication. The charts use the current official
# values; the first published ones are kept in the data with their sources.

# %%
report.show_table(report.revisions_table(ctx["rcmp_monthly"]))

# %% [markdown]
# ## Sources

# %%
report.show_table(context.sources_table(ctx))
