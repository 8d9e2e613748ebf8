"""docs/reference/rules.md is generated from the registry and must be current."""

from __future__ import annotations

from pathlib import Path

from carestat.rules.docs import rules_markdown
from carestat.rules.registry import all_rules

PAGE = Path(__file__).parents[2] / "docs" / "reference" / "rules.md"


def test_rules_page_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/reference/rules.md is stale: run `python -m carestat.rules.docs`"
    )


def test_every_rule_is_documented() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for declared in all_rules():
        assert f"### {declared.code} ({declared.year_range})" in text
