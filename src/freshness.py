"""How fresh each official series is: for every official file behind the pages, what it counts,
the last month it holds ("data as of"), whether it ends before the day the pages are built, and
the publisher's next release where the publisher states one. Figures published after a series
ends (data/raw/context/later_figures.csv: official briefings and news reports, each with its
status and source) are listed beside it, never joined to it.
"""

from __future__ import annotations

import pandas as pd

# Each official series: the start of its file name in data/raw/official/, what it counts, who
# publishes it, the measures of data/raw/context/later_figures.csv that continue its story, and
# the publisher's next release where it states one (None: not stated in the file we hold).
SERIES = [
    ("us/dhs-ohss-usbp-encounters", "U.S. Border Patrol apprehensions on the northern border "
     "(anyone crossing between ports; not asylum cases)", "U.S. DHS Office of Homeland Security "
     "Statistics", ["usbp_apprehensions"], None),
    ("us/cbp-usbp-monthly-encounters", "U.S. Border Patrol encounters by sector, monthly PDF",
     "U.S. Customs and Border Protection", [], "none: a closed series (FY2000 to FY2020)"),
    ("us/cbp-nationwide-encounters", "CBP encounters by state (Border Patrol and ports of entry)",
     "U.S. Customs and Border Protection", [], None),
    ("canada/ircc-pages/", "Asylum claims, land-port claims and RCMP interceptions, by month "
     "(yearly tables)", "Immigration, Refugees and Citizenship Canada",
     ["rcmp_interceptions", "land_port_claims", "asylum_claims_total"], None),
    ("canada/ircc-open-data/", "Asylum claimants by claim office type and province (open data)",
     "Immigration, Refugees and Citizenship Canada", ["land_port_claims", "asylum_claims_total"],
     None),
]  # fmt: skip
OFFICIAL_PREFIX = "data/raw/official/"
MEASURE_WORDS = {"usbp_apprehensions": "Border Patrol apprehensions",
                 "rcmp_interceptions": "RCMP interceptions", "land_port_claims": "claims at land ports",
                 "asylum_claims_total": "asylum claims, all routes"}  # fmt: skip


def _last_month(period: str) -> str:
    """The last month a period covers: 2024 -> 2024-12; 2025-01/2025-02 -> 2025-02."""
    end = period.split("/")[-1]
    return end if len(end) == 7 else f"{end}-12"


def _month_words(month: str) -> str:
    return pd.Timestamp(month + "-01").strftime("%B %Y")


def freshness(flows: pd.DataFrame, later: pd.DataFrame, built: str) -> list[dict]:
    """One entry per official series found in `flows` (border_flows rows): name, publisher, the
    last month it holds, whether that is before the build month (`built`, YYYY-MM-DD), the next
    release (or that none is stated), and the later figures (`later`: context rows) for its
    measures, each with its value, period, status and source."""
    out = []
    build_month = built[:7]
    for prefix, title, publisher, measures, next_release in SERIES:
        rows = flows[flows["source_file"].str.startswith(OFFICIAL_PREFIX + prefix)]
        if rows.empty:
            continue
        last = str(rows["last_month"].max())
        following = later[later["measure"].isin(measures) & (later["version"] == "current")]
        following = following[following["period"].map(_last_month) > last]  # goes past its end
        out.append({
            "title": title,
            "publisher": publisher,
            "first": _month_words(str(rows["first_month"].min())),
            "as_of": _month_words(last),
            "ended": last < build_month,
            "next_release": next_release or "not stated by the publisher in the file we hold",
            "later": [
                {"what": MEASURE_WORDS.get(r.measure, r.measure.replace("_", " ")),
                 "value": f"{'about ' if r.qualifier == 'about' else ''}{int(r.value):,}",
                 "period": r.period.replace("/", " to "), "region": r.region, "scope": r.scope,
                 "status": r.status, "publisher": r.publisher, "url": r.source_url,
                 "date": r.source_date}
                for r in following.itertuples()
            ],
        })  # fmt: skip
    return out
