"""Issues found in a return and the report that gathers them (the JSON shape is a contract)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One rule failing on one record of one table (row is null for a whole-table issue)."""

    rule: str
    severity: Severity
    table: str
    row: int | None
    line: int | None
    child: str | None
    fields: tuple[str, ...]
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The issue as DESIGN.md §5 pins it."""
        data = asdict(self)
        data["fields"] = list(self.fields)
        return data


@dataclass(frozen=True)
class SkippedRule:
    """A rule in force that could not run, and why."""

    rule: str
    reason: str


@dataclass
class Report:
    """Everything validation found in one return."""

    year: int
    la: str | None
    issues: list[Issue] = field(default_factory=list)
    rules_run: int = 0
    rules_skipped: list[SkippedRule] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    rows_examined: dict[str, int] = field(default_factory=dict)
    read_problems: list[str] = field(default_factory=list)
    previous: str | None = None

    @property
    def valid(self) -> bool:
        """True when no issue has error severity."""
        return not any(issue.severity == "error" for issue in self.issues)

    def issues_by_rule(self) -> dict[str, int]:
        """Number of issues per rule code."""
        return dict(sorted(Counter(issue.rule for issue in self.issues).items()))

    def to_dict(self) -> dict[str, Any]:
        """The report in the pinned JSON shape."""
        return {
            "valid": self.valid,
            "year": self.year,
            "la": self.la,
            "issues": [issue.to_dict() for issue in self.issues],
            "summary": {
                "rules_run": self.rules_run,
                "rules_skipped": [asdict(s) for s in self.rules_skipped],
                "issues_by_rule": self.issues_by_rule(),
                "rows": self.rows,
                "rows_examined": self.rows_examined,
                "read_problems": self.read_problems,
                "previous": self.previous,
            },
        }

    def flatten(self) -> list[tuple[str, str, int | None]]:
        """(rule, table, row) triples: one-line assertions in tests and parity checks."""
        return sorted(
            ((i.rule, i.table, i.row) for i in self.issues), key=lambda t: (t[0], t[1], t[2] or -1)
        )
