"""One child's whole record in a return, in date order, with the issues that point at it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from carestat import kernels as pc
from carestat.model import LINE, RAW_SUFFIX, ROW, Return
from carestat.rules.report import Issue, Report

# (table, title, column the records are ordered by) in the order a reader follows a journey.
SECTIONS: tuple[tuple[str, str, str | None], ...] = (
    ("Header", "Child", None),
    ("UASC", "Unaccompanied asylum-seeking child", "DUC"),
    ("Episodes", "Episodes", "DECOM"),
    ("Reviews", "Reviews", "REVIEW"),
    ("Missing", "Missing or away from placement", "MIS_START"),
    ("AD1", "Adoption decisions (AD1)", "DATE_INT"),
    ("PlacedAdoption", "Placed for adoption", "DATE_PLACED"),
    ("OC2", "Outcomes of children looked after 12 months (OC2)", None),
    ("OC3", "Care leavers (OC3)", None),
    ("PrevPerm", "Previous permanence", None),
    ("SocialWorker", "Social workers", "SW_DECOM"),
    ("DoLo", "Deprivation of liberty orders", "DOLO_START"),
)
HIDDEN = {"CHILD"}  # the child is the subject of the whole timeline


@dataclass
class Record:
    """One record of the child's: where it was read, its values and the issues on it."""

    table: str
    row: int
    line: int | None
    values: dict[str, Any]  # dates as datetime.date; an unreadable date as its text
    unreadable: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The record in the timeline's JSON shape (dates as ISO text)."""
        values = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in self.values.items()}
        return {
            "row": self.row,
            "line": self.line,
            "values": values,
            "unreadable": self.unreadable,
            "issues": [i.to_dict() for i in self.issues],
        }


@dataclass
class Timeline:
    """Every record of one child in a return, by table, and the issues on the child."""

    child: str
    year: int
    la: str | None
    records: dict[str, list[Record]]
    other_issues: list[Issue]  # on the child but on no one record (e.g. a whole table)

    def issues(self) -> list[Issue]:
        """Every issue on the child."""
        found = [i for records in self.records.values() for r in records for i in r.issues]
        return found + self.other_issues

    @property
    def valid(self) -> bool:
        """True when no issue on the child has error severity."""
        return not any(i.severity == "error" for i in self.issues())

    def facts(self) -> dict[str, Any]:
        """Sex, date of birth and ethnicity from the Header; UASC from the UASC table."""
        header = self.records.get("Header", [])
        values = header[0].to_dict()["values"] if header else {}
        uasc = self.records.get("UASC", [])
        ceased = uasc[0].to_dict()["values"].get("DUC") if uasc else None
        return {
            "sex": values.get("SEX"),
            "dob": values.get("DOB"),
            "ethnicity": values.get("ETHNIC"),
            "uasc": bool(uasc),
            "uasc_ceased": ceased,
        }

    def to_dict(self) -> dict[str, Any]:
        """The timeline as JSON: a stable shape, every table of the year present."""
        issues = self.issues()
        errors = sum(i.severity == "error" for i in issues)
        return {
            "child": self.child,
            "year": self.year,
            "la": self.la,
            "valid": self.valid,
            "summary": {"errors": errors, "warnings": len(issues) - errors},
            "facts": self.facts(),
            "tables": {name: [r.to_dict() for r in rs] for name, rs in self.records.items()},
            "issues": [i.to_dict() for i in self.other_issues],
        }


def has_child(ret: Return, child: str) -> bool:
    """Whether any table of the return holds a record of `child`."""
    return any(
        t.num_rows and pc.any(pc.equal(t["CHILD"], child)).as_py() for t in ret.tables.values()
    )


def child_timeline(ret: Return, report: Report, child: str) -> Timeline:
    """The timeline of `child` in `ret`, with the issues `report` found on its records."""
    records: dict[str, list[Record]] = {}
    for name, _, order in SECTIONS:
        if name in ret.tables:
            records[name] = _records(ret, name, child, order)
    by_place: dict[tuple[str, int], list[Issue]] = defaultdict(list)
    for issue in report.issues:
        if issue.row is not None:
            by_place[(issue.table, issue.row)].append(issue)
    placed: set[int] = set()
    for table_records in records.values():
        for record in table_records:
            record.issues = by_place.get((record.table, record.row), [])
            placed.update(id(i) for i in record.issues)
    others = [i for i in report.issues if i.child == child and id(i) not in placed]
    return Timeline(child, ret.year, ret.la, records, others)


def _records(ret: Return, name: str, child: str, order: str | None) -> list[Record]:
    """The child's records of one table, by `order` (unknown dates last), then as read."""
    table = ret.tables[name]
    if not table.num_rows:
        return []
    mine = pc.filter(table, pc.equal(table["CHILD"], child))
    columns = [c for c in ret.spec.table(name).column_names if c not in HIDDEN]
    found = []
    for item in mine.to_pylist():
        values = {c: item[c] for c in columns}
        unreadable = [c for c in columns if item.get(c + RAW_SUFFIX) is not None]
        values.update({c: item[c + RAW_SUFFIX] for c in unreadable})
        found.append(Record(name, item[ROW], item[LINE], values, unreadable))
    if order is not None:
        found.sort(key=lambda r: _sort_key(r.values.get(order), r.row))
    return found


def _sort_key(value: Any, row: int) -> tuple[int, dt.date, int]:
    if isinstance(value, dt.date):
        return (0, value, row)
    return (1, dt.date.min, row)
