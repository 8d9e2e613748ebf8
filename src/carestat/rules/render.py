"""A validation report as text: a terminal view grouped by rule, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from carestat.rules.report import Issue, Report

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
