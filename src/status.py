"""What every value a reader sees is: one status vocabulary, and the lookup of each FOIA value's
status from the data (the stand-in's sidecar, carried into cleaning_summary.json).

Statuses:
  published     the article states this exact value
  bound         the article (or the law) states a bound the value meets; the value itself is invented
  official      a government table or file (a real FOIA release is one)
  reported      a news report citing an official figure
  derived       arithmetic on values of the statuses above
  illustrative  invented for the stand-in
  assumption    a choice of ours (the data cutoff, how the article's years are read)

A value derived from anything `illustrative` or `bound` is `illustrative` (see `derive`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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
    "reported": "a news report citing an official figure",
    "derived": "our arithmetic on published or official values",
    "illustrative": "invented for the stand-in",
    "assumption": "a choice of ours",
}


def check(status: str) -> str:
    """Return `status` if it is in the vocabulary; ValueError naming the vocabulary otherwise."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {', '.join(STATUSES)}")
    return status


def derive(statuses: Iterable[str]) -> str:
    """Status of a value computed from values with `statuses`: `illustrative` if any input is
    invented, otherwise `derived`."""
    statuses = [check(s) for s in statuses]
    if not statuses:
        raise ValueError("derive() needs the statuses of at least one input")
    return "illustrative" if any(s in INVENTED for s in statuses) else "derived"


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
        """Status of which citizenships appear in one year."""
        return self._get("citizenships_present", str(int(year)))

    def exception(self, exception: str) -> str:
        """Status of the count of people who used one exception."""
        return self._get("exception", exception)

    def exception_share(self, exceptions: Iterable[str]) -> str:
        """Status of the combined share of a group of exceptions ('a+b', names sorted)."""
        return self._get("exception_share", "+".join(sorted(exceptions)))

    def exceptions_used(self) -> str:
        """Status of the set of exceptions that appear."""
        return self._get("exceptions_used")

    def expedited_removal(self, value: str) -> str:
        """Status of the count with expedited removal 'Yes', 'No' or 'Not recorded'."""
        return self._get("expedited_removal", value)

    def first_screening_date(self) -> str:
        """Status of the earliest screening date."""
        return self._get("first_screening_date")

    def label(self) -> str:
        """'stand-in' or 'real release'."""
        return "stand-in" if self.is_standin else "real release"


class IncompleteOutputs(RuntimeError):
    """data/processed holds a summary that does not match its tables (a mixed or partial set)."""


def read_summary(summary_path):
    """cleaning_summary.json as a CleaningSummary (src/summary.py), after checking that the tables it was written with are
    the ones beside it (their SHA-256 is in the summary). FileNotFoundError saying how to make
    it; IncompleteOutputs when the set is mixed."""
    import json
    from pathlib import Path

    from src.helpers import sha256_file

    path = Path(summary_path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: run the cleaning notebook first (make reports, or 01_clean_foia)"
        )
    from src.summary import CleaningSummary

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
