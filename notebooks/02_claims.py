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
# # Checking the article's claims
#
# Every quantitative claim in the VICE News story (2017) is a row of the ledger
# `references/article_claims.csv`, paraphrased, with the metric that checks it, the comparison and
# the expected value. This notebook evaluates each one against the cleaned table and the cited
# Canada-side figures. Claims the data cannot test are listed too, with the reason.

# %% tags=["parameters"]
cases_path = "data/processed/stca_cases.csv"
ledger_path = "references/article_claims.csv"
verdicts_path = "data/processed/claims_verdicts.csv"
strict = True  # fail the build when a checkable claim is not supported

# %%
from src import claims, helpers, report
from src.schema import read_cases

status = helpers.data_status(helpers.resolve_foia_path("data/raw/foia"))
helpers.show_data_notice(status)
cases = read_cases(helpers.repo_path(cases_path))
ledger = claims.load_ledger(helpers.repo_path(ledger_path))
verdicts = claims.evaluate_claims(ledger, cases)
verdicts_file = helpers.write_csv_atomic(verdicts, helpers.repo_path(verdicts_path))

# %% [markdown]
# ## Verdicts

# %%
report.show_verdict_counts(verdicts)
report.show_table(report.verdict_table(verdicts))

# %% [markdown]
# On the stand-in, the figures the article published were built into the data, so their claims
# hold by construction: what this checks is that the cleaning and the metrics reproduce them. The
# 2013 comparison uses an illustrative 2013 count; its verdict will mean something only with the
# real release.

# %% [markdown]
# ## Claims the data cannot check

# %%
report.show_table(report.not_checkable_table(verdicts))

# %%
if strict:
    claims.require_supported(verdicts)
