"""The rules reference page, generated from the registry (`python -m carestat.rules.docs`)."""

from __future__ import annotations

from pathlib import Path

from carestat.rules.model import Example, Rule
from carestat.rules.registry import all_rules, rules_for, severity
from carestat.spec import SUPPORTED_YEARS

PAGE = Path("docs") / "reference" / "rules.md"


def _example(example: Example) -> str:
    parts = []
    for table, rows in example.tables.items():
        shown = "; ".join(
            ", ".join(f"{k}={v}" for k, v in row.items() if k != "CHILD") or "(blank)"
            for row in rows
        )
        parts.append(f"{table}: {shown}")
    if example.previous:
        parts.append(
            "last year " + " ".join(f"{t}: {len(r)} rows" for t, r in example.previous.items())
        )
    return " | ".join(parts)


def _rule_section(declared: Rule) -> list[str]:
    needs = f"; needs {', '.join(declared.needs)}" if declared.needs else ""
    lines = [
        f"### {declared.code} ({declared.year_range})",
        "",
        declared.message,
        "",
        f"- severity: {severity(declared.code)}; tables: {', '.join(declared.tables)}; "
        f"fields: {', '.join(declared.fields)}{needs}",
    ]
    lines += [f"- passes: `{_example(e)}`" for e in declared.passes]
    lines += [f"- fails: `{_example(e)}`" for e in declared.fails]
    return [*lines, ""]


def rules_markdown() -> str:
    """Every rule version: message, severity, tables, fields, needs, examples; counts by year."""
    lines = ["# Validation rules", "", "Generated from the rule registry by `python -m carestat.rules.docs`.", "",
             "Years are collection years (2026 = 2025-26). `{start}`/`{end}` in examples are 1 April and",
             "31 March of the year the example runs in.", "", "| year | rules |", "|---|---|"]  # fmt: skip
    lines += [f"| {year} | {len(rules_for(year))} |" for year in SUPPORTED_YEARS]
    lines.append("")
    for declared in sorted(all_rules(), key=lambda r: (r.code, r.years[0])):
        lines += _rule_section(declared)
    return "\n".join(lines)


if __name__ == "__main__":
    PAGE.write_text(rules_markdown(), encoding="utf-8")
    print(PAGE)
