"""A validation report as text: a terminal view grouped by rule, JSON or CSV; a child's timeline."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from typing import TYPE_CHECKING

from carestat.rules.report import Issue, Report
from carestat.rules.timeline import SECTIONS, Record, Timeline

if TYPE_CHECKING:  # rich costs ~45 ms to import: only the terminal timeline needs it
    from rich.text import Text

COLUMNS = ("rule", "severity", "table", "row", "line", "child", "fields", "message")
EXAMPLES_PER_RULE = 3


def render(report: Report, output_format: str) -> str:
    """The report in `output_format` (table, json or csv)."""
    if output_format == "json":
        return json.dumps(report.to_dict(), indent=2)
    if output_format == "csv":
        return _csv(report.issues)
    return _table(report)


def _csv(issues: list[Issue]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in issues:
        writer.writerow(
            [i.rule, i.severity, i.table, i.row, i.line, i.child, " ".join(i.fields), i.message]
        )
    return buffer.getvalue()


def _table(report: Report) -> str:
    """Counts by rule with a few examples each, then what was skipped."""
    lines = [
        f"Return {report.la or '(council unknown)'} {report.year}: "
        + ", ".join(f"{n} {t}" for t, n in report.rows.items() if n)
    ]
    if report.previous:
        lines.append(f"  previous year: {report.previous}")
    lines += [f"  note: {p}" for p in report.read_problems]
    grouped: dict[str, list[Issue]] = defaultdict(list)
    for issue in report.issues:
        grouped[issue.rule].append(issue)
    for code, issues in grouped.items():
        lines.append(f"{code} ({issues[0].severity}) x{len(issues)}")
        for i in issues[:EXAMPLES_PER_RULE]:
            where = f"line {i.line}" if i.line is not None else f"row {i.row}"
            lines.append(f"    {i.table} {where}, child {i.child}: {i.message}")
        if len(issues) > EXAMPLES_PER_RULE:
            lines.append(f"    ... and {len(issues) - EXAMPLES_PER_RULE} more")
    for skipped in report.rules_skipped:
        lines.append(f"skipped {skipped.rule}: {skipped.reason}")
    errors = sum(i.severity == "error" for i in report.issues)
    lines.append(
        f"{report.rules_run} rules run, {len(report.rules_skipped)} skipped; "
        f"{errors} errors, {len(report.issues) - errors} warnings; "
        + ("valid" if report.valid else "NOT valid")
    )
    return "\n".join(lines)


def render_timeline(timeline: Timeline) -> str:
    """One child's timeline as text: header facts, then each table's records with their issues."""
    year = timeline.year
    lines = [f"Child {timeline.child}: {timeline.la or '(council unknown)'} {year} return "
             f"({year - 1}-{str(year)[2:]})"]  # fmt: skip
    records = timeline.records
    lines += _header_facts(records.get("Header", []), records.get("UASC", []))
    for name, title, _ in SECTIONS:
        if name == "Header" or name not in records:
            continue
        found = records[name]
        lines.append(f"{title}: none" if not found else f"{title} ({len(found)})")
        for record in found:
            lines.append(f"  {_describe(record)}{_where(record)}")
            lines += _issue_lines(record.issues)
    if timeline.other_issues:
        lines.append("Issues on the child, on no one record")
        lines += _issue_lines(timeline.other_issues)
    issues = timeline.issues()
    errors = sum(i.severity == "error" for i in issues)
    lines.append(f"{errors} errors, {len(issues) - errors} warnings on this child")
    return "\n".join(lines)


def _header_facts(header: list[Record], uasc: list[Record]) -> list[str]:
    """Sex, date of birth, ethnicity and UASC status, then the issues on the Header record."""
    if not header:
        return ["  no Header record"]
    lines = []
    for record in header:
        v = record.values
        ceased = uasc[0].values.get("DUC") if uasc else None
        status = "no" if not uasc else f"yes, ceased {_text(ceased)}" if ceased else "yes"
        lines.append(
            f"  sex {_text(v.get('SEX'))}, born {_text(v.get('DOB'))}, ethnicity "
            f"{_text(v.get('ETHNIC'))}, UASC {status}{_where(record)}"
        )
        lines += _issue_lines(record.issues)
    return lines


def _describe(record: Record) -> str:
    """A record on one line: episodes as start-end with their codes, others field by field."""
    v = record.values
    if record.table == "Episodes":
        end = f"{_text(v['DEC'])} ({_text(v['REC'])})" if v.get("DEC") or v.get("REC") else "open"
        change = (
            f", place change {v['REASON_PLACE_CHANGE']}" if v.get("REASON_PLACE_CHANGE") else ""
        )
        return (
            f"{_text(v['DECOM'])} (reason {_text(v['RNE'])}) to {end}: legal status "
            f"{_text(v['LS'])}, CIN {_text(v['CIN'])}, placement {_text(v['PLACE'])} "
            f"provider {_text(v['PLACE_PROVIDER'])}{change}"
        )
    shown = [(k, x) for k, x in v.items() if x is not None and k != "DOB"]
    return ", ".join(f"{k} {_text(x)}" for k, x in shown) or "(blank)"


def _where(record: Record) -> str:
    return f"  [line {record.line}]" if record.line is not None else f"  [row {record.row}]"


def _issue_lines(issues: list[Issue]) -> list[str]:
    return [f"    ! {i.rule} ({i.severity}) {' '.join(i.fields)}: {i.message}" for i in issues]


def _text(value: object) -> str:
    """A value as a council writes it: dates dd/mm/yyyy, blanks as '-'."""
    if value is None:
        return "-"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def styled_timeline(text: str) -> Text:
    """The timeline text for a terminal: titles bold, errors red, warnings yellow."""
    from rich.text import Text

    styled = Text()
    for line in text.splitlines():
        if line.startswith("    ! "):
            style = "red" if "(error)" in line.split(":")[0] else "yellow"
        else:
            style = "" if line.startswith(" ") else "bold"
        styled.append(line + "\n", style=style)
    styled.rstrip()
    return styled
