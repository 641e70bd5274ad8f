"""What every value a reader sees is: one status vocabulary, and the lookup of each FOIA value's
status from the data (the stand-in's sidecar, carried into cleaning_summary.json).

Statuses:
  published     the article states this exact value
  bound         the article (or the law) states a bound the value meets; the value itself is invented
  official      a government table or file (a real FOIA release is one)
  reported      a news report citing an official figure
  derived       our arithmetic on published or official values only
  illustrative  invented for the stand-in
  assumption    a choice of ours (the data cutoff, how the article's years are read)

A value follows its weakest input (see `derive`): arithmetic on anything `illustrative` or `bound`
is `illustrative`; otherwise arithmetic on a `reported` value is `reported` (our arithmetic on a
news report's figure); only arithmetic on published or official values alone is `derived`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from src.helpers import sha256_file
from src.summary import CleaningSummary

STATUSES = (
    "published",
    "bound",
    "official",
    "reported",
    "derived",
    "illustrative",
    "assumption",
)
INVENTED = frozenset({"illustrative", "bound"})
STATUS_MEANING = {
    "published": "stated in the article",
    "bound": "invented value within a bound the article states",
    "official": "from a government table or file",
    "reported": "a news report citing an official figure, or our arithmetic on one",
    "derived": "our arithmetic on published or official values only",
    "illustrative": "invented for the stand-in",
    "assumption": "a choice of ours",
}


def check(status: str) -> str:
    """Return `status` if it is in the vocabulary; ValueError naming the vocabulary otherwise."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    return status


def derive(statuses: Iterable[str]) -> str:
    """Status of a value computed from values with `statuses`, the weakest input deciding:
    `illustrative` if any input is invented, else `reported` if any input is a news report's
    figure, else `derived` (published, official, derived or assumption inputs only)."""
    statuses = [check(s) for s in statuses]
    if not statuses:
        raise ValueError("derive() needs the statuses of at least one input")
    if any(s in INVENTED for s in statuses):
        return "illustrative"
    return "reported" if "reported" in statuses else "derived"


def weakest(statuses: Iterable[str]) -> str:
    """The weakest of `statuses` as they stand (no arithmetic): the status a sentence or a
    table takes when it states several values. ValueError on an empty list."""
    statuses = [check(s) for s in statuses]
    if not statuses:
        raise ValueError("weakest() needs at least one status")
    return min(statuses, key=STRENGTH.__getitem__)


# From weakest to strongest: what a value stating several inputs falls back to.
STRENGTH = {
    "illustrative": 0, "bound": 1, "assumption": 2, "reported": 3, "derived": 4,
    "published": 5, "official": 6,
}  # fmt: skip


def format_ratio(value: float) -> str:
    """The one rounding rule for every ratio a reader sees: three significant figures, with
    thousands separators (537.86 -> '538', 267.86 -> '268', 3.0657 -> '3.07', 2.108 -> '2.11').
    Infinite -> '∞'."""
    if value == float("inf"):
        return "∞"
    return f"{round_ratio(value):,.{max(0, 2 - _magnitude(value))}f}"


def round_ratio(value: float) -> float:
    """A ratio rounded by the rule of `format_ratio` (three significant figures), as a number
    for the data files."""
    if value in (0, float("inf")) or value != value:
        return value
    return round(float(value), 2 - _magnitude(value))


def _magnitude(value: float) -> int:
    return int(math.floor(math.log10(abs(value)))) if value else 0


def _lookup(table: str | Mapping[str, str], key: str, default: str) -> str:
    """A status table is either one status for every key, or {key: status} with optional '*'."""
    if isinstance(table, str):
        return table
    return table.get(key, table.get("*", default))


@dataclass(frozen=True)
class FoiaStatus:
    """The status of each kind of value computed from the FOIA table.

    For a real release every value is `official`. For the stand-in, `value_status` is the sidecar's
    machine-readable record of what the article pins (see src/standin.py); anything it does not
    name is `illustrative`.
    """

    is_standin: bool
    value_status: Mapping = field(default_factory=dict)
    source_file: str = ""
    sha256: str = ""

    @classmethod
    def from_summary(cls, summary) -> FoiaStatus:
        """Build from the cleaning summary (a CleaningSummary: `is_standin`, `value_status`)."""
        is_standin = bool(summary.is_standin)
        value_status = summary.value_status or {}
        if is_standin and not value_status:
            raise ValueError(
                "the cleaning summary says the data is the stand-in but carries no value_status: "
                "re-run the cleaning notebook (01_clean_foia)"
            )
        return cls(
            is_standin=is_standin,
            value_status=value_status,
            source_file=summary.source_file,
            sha256=summary.source_sha256,
        )

    def _get(self, kind: str, key: str = "*") -> str:
        if not self.is_standin:
            return "official"
        return check(_lookup(self.value_status.get(kind, "illustrative"), key, "illustrative"))

    def total(self) -> str:
        """Status of the number of people in the table."""
        return self._get("total")

    def year(self, basis: str, year: int) -> str:
        """Status of the count of people in one calendar or fiscal year."""
        return self._get(f"{basis}_year", str(int(year)))

    def year_ranking(self, basis: str) -> str:
        """Status of which years are the busiest."""
        return self._get(f"{basis}_year_ranking")

    def citizenship(self, country: str, year: int | None = None) -> str:
        """Status of the count of people of one citizenship (in one year, or overall)."""
        if year is None:
            return self._get("citizenship", country)
        return self._get(f"citizenship_{int(year)}", country)

    def citizenships_present(self, year: int) -> str:
        """Status of which citizenships appear in one year, and how many (the computed list)."""
        return self._get("citizenships_present", str(int(year)))

    def citizenship_present(self, country: str, year: int) -> str:
        """Status of the fact that `country` appears among one year's citizenships."""
        return self._get(f"citizenship_present_{int(year)}", country)

    def exception(self, exception: str) -> str:
        """Status of the count of people who used one exception."""
        return self._get("exception", exception)

    def exception_share(self, exceptions: Iterable[str]) -> str:
        """Status of the combined share of a group of exceptions ('a+b', names sorted)."""
        return self._get("exception_share", "+".join(sorted(exceptions)))

    def exceptions_used(self) -> str:
        """Status of the set of exceptions that appear (the computed list)."""
        return self._get("exceptions_used")

    def no_other_exception(self) -> str:
        """Status of the fact that no case used an exception outside the four."""
        return self._get("no_other_exception")

    def expedited_removal(self, value: str) -> str:
        """Status of the count with expedited removal 'Yes', 'No' or 'Not recorded'."""
        return self._get("expedited_removal", value)

    def first_screening_date(self) -> str:
        """Status of the earliest screening date."""
        return self._get("first_screening_date")

    def source(self, status: str) -> str:
        """The source a table names for a FOIA value of `status`: an invented value never names
        a real publication."""
        if check(status) in INVENTED:
            return "invented for the stand-in; no published source"
        if self.is_standin:
            return "VICE News (2017), reporting the USCIS FOIA release"
        return f"USCIS FOIA release ({self.source_file or 'data/raw/foia'})"

    def label(self) -> str:
        """'stand-in' or 'real release'."""
        return "stand-in" if self.is_standin else "real release"


class IncompleteOutputs(RuntimeError):
    """data/processed holds a summary that does not match its tables (a mixed or partial set)."""


def read_summary(summary_path):
    """cleaning_summary.json as a CleaningSummary (src/summary.py), after checking that the tables it was written with are
    the ones beside it (their SHA-256 is in the summary). FileNotFoundError saying how to make
    it; IncompleteOutputs when the set is mixed."""
    path = Path(summary_path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: run the cleaning notebook first (make reports, or 01_clean_foia)"
        )
    summary = CleaningSummary.from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))
    for name, digest in (summary.outputs or {}).items():
        table = path.parent / name
        if not table.exists() or sha256_file(table) != digest:
            raise IncompleteOutputs(
                f"{path.parent}: {name} does not match {path.name} (the outputs are a mixed or "
                "incomplete set, e.g. after an interrupted write); re-run the cleaning notebook"
            )
    return summary


def read_foia_status(summary_path) -> FoiaStatus:
    """FoiaStatus from a cleaning_summary.json path (what downstream notebooks read)."""
    return FoiaStatus.from_summary(read_summary(summary_path))
