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
# # The other direction: from the U.S. into Canada
#
# The story's point is an asymmetry: far more people go from the U.S. into Canada to seek asylum
# than the other way, and many more did after the November 2016 U.S. election. The Canada-side
# figures here are real: official IRCC tables where they exist, otherwise news reports of
# official figures, each value with its source in the CSV behind each chart.

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
figures_dir = "reports/figures/canada_context"

# %%
from src import canada_figures, charts, context, helpers, page
from src.schema import read_cases
from src.status import FoiaStatus, read_summary

summary = read_summary(helpers.repo_path(summary_path))
foia = FoiaStatus.from_summary(summary)
period_end = summary.period.end  # the FOIA data's cutoff: 2017 is compared up to it
page.show_data_notice(foia)
cases = read_cases(helpers.repo_path(cases_path))
ctx = {key: context.load_context(key) for key in context.CONTEXT_FILES}
out_dir = helpers.repo_path(figures_dir)
published = []

# %% [markdown]
# ## Both directions, like for like
#
# Two periods have a count for each direction that measures the same thing: people who asked for
# asylum at a land port. In 2013, the Canada-bound figure is Prof. Sean Rehaag's, as the article
# quotes it. In early 2017 it is IRCC's count of claims at Canada's land ports, set against the
# article's U.S.-bound count for the year so far; where that period ends is our assumption.
# People the RCMP intercepted between ports crossed without asking at a port, so they are not
# compared here (they are in the next chart). The 2017 comparison is still not exact: IRCC says
# its land-port counts include claimants the RCMP intercepted and brought to a port. Taking every
# RCMP interception of those months away gives the low end, so the ratio is given as a range and
# the title states only its low end. A ratio resting on an invented count is itself invented, and
# is marked so.

# %%
table = canada_figures.comparison_table(cases, ctx, period_end, foia)
chart = canada_figures.chart_comparison(table)
published.append(charts.publish(chart, out_dir))
page.show_table(table, "Both directions, like for like: the values and ratios behind the chart")

# %% [markdown]
# ## The Canada side, 2017 to 2019

# %%
table = canada_figures.canada_side_table(ctx)
chart = canada_figures.chart_canada_side(table)
published.append(charts.publish(chart, out_dir))
figure_index = charts.write_figure_index(published, out_dir)

# %% [markdown]
# ## Revisions
#
# Some counts were revised after first publication. The charts use the current official values;
# the first published ones are kept in the data with their sources.

# %%
page.show_table(context.revisions_table(ctx["rcmp_monthly"]), "RCMP interceptions: revisions")
page.show_table(
    context.revisions_table(ctx["land_port_monthly"]), "Claims at land ports: revisions"
)

# %% [markdown]
# ## Sources

# %%
page.show_table(context.sources_table(ctx), "Sources of the Canada-side figures")
page.show_downloads([name for name in context.CONTEXT_FILES.values()])
