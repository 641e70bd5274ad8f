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
# # Checking the article's claims
#
# Every claim in the VICE News story (2017) that data could test is a row of our claims ledger:
# the claim in our words, the article's own words, how we read any vague word, and the check.
# Each verdict says what it rests on. While the data is the labelled stand-in, a claim whose
# figure was built into the stand-in can only be *consistent by construction*, and a claim
# resting on an invented value is *not checkable on the stand-in*; only claims resting on real
# figures (official ones, a news report's, the official record of the law, or the real release)
# are marked supported or not supported, and the basis says which, the weakest input deciding.
# Claims no data can test are listed at the end, with the reason.

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
ledger_path = "references/article_claims.csv"
flows_path = "data/processed/border_flows.csv"  # official files, for the second verdict
verdicts_path = "data/processed/claims_verdicts.csv"
strict = True  # fail the build when a checked claim is not supported or inconsistent

# %%
from src import claims, context, helpers, page
from src.schema import read_cases
from src.status import FoiaStatus, read_summary

summary = read_summary(helpers.repo_path(summary_path))
foia = FoiaStatus.from_summary(summary)
page.show_data_notice(foia)
cases = read_cases(helpers.repo_path(cases_path))
ledger = claims.load_ledger(helpers.repo_path(ledger_path))
ctx = claims.load_context(helpers.repo_path(flows_path))
verdicts = claims.evaluate_claims(ledger, cases, foia, summary.period.end, ctx)
verdicts_file = helpers.write_csv_atomic(verdicts, helpers.repo_path(verdicts_path))

# %% [markdown]
# ## What the verdicts rest on

# %%
claims.show_verdict_breakdown(verdicts)

# %% [markdown]
# ## Each claim, how we read it, and its verdict
#
# "Consistent (by construction)" means the stand-in was built to agree with the article, so the
# check shows only that the cleaning and the counting reproduce the article's figure. The
# article's years are read as calendar years: that reading is our assumption.

# %%
page.show_table(
    claims.verdict_table(verdicts),
    "Checked claims, with their verdict and basis",
    cards=claims.VERDICT_CARD_FIRST,
)
page.show_downloads(["claims_verdicts.csv"])

# %% [markdown]
# ## Figures about the agreement itself
#
# Published figures on how the agreement worked at Canada's land border and on people going
# south, each with its source and status. They are context for the claims above; none of them
# counts the article's U.S.-bound cases.

# %%
page.show_table(context.context_figures_table(ctx["stca_context"]), "STCA figures from other sources")

# %% [markdown]
# ## Claims no data can check

# %%
page.show_table(claims.not_checkable_table(verdicts), "Claims no data can check, and why")

# %%
if strict:
    claims.require_supported(verdicts)
