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
# # Both directions, 2000 to 2024, from official files
#
# The 2017 story asked whether anyone flees Canada for the U.S. Its U.S.-bound numbers came from a
# USCIS release that is not public, and no later count of asylum seekers going from Canada to the
# U.S. has been published. What official files do show, for both directions, is on this page,
# and everything on it is real: U.S. Border Patrol apprehensions on the northern border (DHS and
# CBP), asylum claims and RCMP interceptions in Canada (IRCC). They are not the same measures as
# the article's, and they are not the same measure as each other: each chart says so.

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
flows_path = "data/processed/border_flows.csv"
figures_dir = "reports/figures/both_directions"

# %%
from src import border_figures, charts, helpers, official, page

flows = official.border_flows()
flows_file = helpers.write_csv_atomic(flows, helpers.repo_path(flows_path))
out_dir = helpers.repo_path(figures_dir)
published = []
page.show_table(official.flows_overview(flows), "What the official files hold")
page.show_downloads(["border_flows.csv"])
page.show_table(official.flows_dictionary(), "Data dictionary of the official border table")

# %% [markdown]
# ## The northern border, seen from the U.S. side
#
# Border Patrol agents apprehend anyone who crosses into the U.S. between ports of entry, for any
# purpose: these are not asylum cases. On the northern border these numbers were small for two
# decades, then rose sharply from 2022, most of all in the Swanton sector (Vermont and northern
# New York), across from Quebec. DHS rounds them to 10.

# %%
chart = border_figures.chart_northern_sectors(border_figures.sector_table(flows))
published.append(charts.publish(chart, out_dir))

# %% [markdown]
# ## Both directions, month by month
#
# On 25 March 2023 the Safe Third Country Agreement was extended to people who cross the land
# border between ports and claim asylum within 14 days of crossing, so people crossing into
# Canada that way (mostly at Roxham Road, Quebec) could be returned to the U.S. The two lines
# count different things, as the box in the chart says: the Border Patrol line counts anyone
# crossing into the U.S. between ports, for any purpose, and it was already rising in 2022.

# %%
chart = border_figures.chart_both_directions(
    border_figures.monthly_table(flows), border_figures.southbound_prior_claims()
)
published.append(charts.publish(chart, out_dir))

# %% [markdown]
# ## Who is apprehended on the northern border

# %%
chart = border_figures.chart_citizenship(border_figures.citizenship_table(flows))
published.append(charts.publish(chart, out_dir))

# %% [markdown]
# ## Canada's asylum claims, by where they were made

# %%
chart = border_figures.chart_offices(border_figures.office_table(flows))
published.append(charts.publish(chart, out_dir))
figure_index = charts.write_figure_index(published, out_dir)

# %% [markdown]
# ## Where two official files publish the same series
#
# Both are kept in the data. They agree within their rounding except where noted.

# %%
page.show_table(official.agreement(flows), "The same series in two files")

# %% [markdown]
# ## Where a table's provinces do not add up to its own total
#
# IRCC's pages hold a few such cells (the 2018 Saskatchewan revision, early 2023). The values are
# kept as published.

# %%
page.show_table(
    official.provinces_vs_totals_table(flows), "Provinces that do not add up to the total"
)
