"""The cleaning summary as a typed structure: what `clean_foia` found and did, written to
data/processed/cleaning_summary.json and read back by every later notebook.

Fields are attributes (`summary.rows.kept`, `summary.period.end`), so a misspelt name fails at
once instead of reading as missing. The lists of findings (sheets, total checks, unknown cells,
unmapped columns...) are lists of records, one dict per row of the table a report shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass
class RowAccounting:
    """Where every row of the release went: read = kept + rejected (`balanced`)."""

    preamble_rows: int = 0
    header_rows: int = 0
    blank_rows: int = 0
    total_rows: int = 0
    note_rows: int = 0
    data_rows_read: int = 0
    skipped_sheet_rows: int = 0
    kept: int = 0
    rejected: int = 0

    @property
    def balanced(self) -> bool:
        return self.data_rows_read == self.kept + self.rejected


@dataclass
class CellAccounting:
    """Where every non-empty cell of the release went: read = fields of kept people + cells of
    rejected rows + recognised structure (titles, headers, format hints, notes, totals, tables of
    counts) + unexplained (`balanced`). An unexplained cell stops a strict run."""

    read: int = 0
    fields_kept: int = 0
    rejected: int = 0
    structure: int = 0
    unexplained: int = 0

    @property
    def balanced(self) -> bool:
        return self.read == self.fields_kept + self.rejected + self.structure + self.unexplained


@dataclass
class Period:
    """The dates the release covers (ISO text): the agreement's start to the data cutoff."""

    start: str
    end: str


@dataclass
class CleaningSummary:
    """Everything cleaning_summary.json holds (see the module text)."""

    source_file: str
    source_sha256: str
    is_standin: bool
    value_status: dict | None  # what each value is (src/status.py); None for a real release
    format: str
    date_system: str  # "1900" or "1904"
    date_order: dict[str, str]  # column -> "month first" / "day first"
    period: Period
    checksums_verified: bool
    rows: RowAccounting
    cells: CellAccounting = field(default_factory=CellAccounting)
    # "clean", or what a person must review (unexplained cells, rejected rows, nobody kept)
    status: str = "clean"
    structure: list[dict] = field(default_factory=list)  # one entry per structure row: where, kind
    unexplained_cells: list[dict] = field(default_factory=list)
    time_dropped: int = 0  # date cells that also held a time of day (the time is not kept)
    group_labels_filled: int = 0  # blanks filled from a group label a subtotal row names
    blank_cells: dict = field(default_factory=dict)  # field -> count and rows of kept people
    sheets: list[dict] = field(default_factory=list)
    total_checks: list[dict] = field(default_factory=list)
    total_mismatches: int = 0
    note_rows: list[dict] = field(default_factory=list)
    unknown_cells: list[dict] = field(default_factory=list)
    unmapped_columns: list[dict] = field(default_factory=list)
    rejections_by_reason: dict[str, int] = field(default_factory=dict)
    schema: dict = field(default_factory=dict)
    unrecognized: dict[str, list[dict]] = field(default_factory=dict)
    sheet_year_mismatches: list[dict] = field(default_factory=list)
    case_id_variants: list[dict] = field(default_factory=list)
    generated_case_ids: int = 0
    fiscal_year_column_disagrees_with_date: int = 0
    encoding: str | None = None  # text files only
    outputs: dict[str, str] | None = None  # SHA-256 of the tables, set when they are written

    def to_dict(self) -> dict:
        """The JSON form (keys with no value for this release are left out)."""
        data = asdict(self)
        data["rows"]["balanced"] = self.rows.balanced
        data["cells"]["balanced"] = self.cells.balanced
        return {k: v for k, v in data.items() if not (k in ("encoding", "outputs") and v is None)}

    @classmethod
    def from_dict(cls, data: dict, where: str = "cleaning summary") -> CleaningSummary:
        """Read the JSON form back; ValueError naming `where` and the keys when it does not fit."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        required = {"source_file", "source_sha256", "is_standin", "value_status", "format",
                    "date_system", "date_order", "period", "checksums_verified", "rows"}  # fmt: skip
        missing = required - set(data)
        if unknown or missing:
            raise ValueError(
                f"{where}: not a cleaning summary this code can read "
                f"(unknown keys {sorted(unknown)}, missing {sorted(missing)}); run the cleaning again"
            )
        values = dict(data)
        rows = {k: v for k, v in values["rows"].items() if k != "balanced"}
        values["rows"] = RowAccounting(**rows)
        if "cells" in values:
            cells = {k: v for k, v in values["cells"].items() if k != "balanced"}
            values["cells"] = CellAccounting(**cells)
        values["period"] = Period(**values["period"])
        return cls(**values)
