"""Every rule's declared examples: each `fails` example is flagged, each `passes` one is not."""

from __future__ import annotations

import pytest

from carestat.rules.examples import run_example
from carestat.rules.model import LAST_YEAR, Example, Rule
from carestat.rules.registry import all_rules


def _cases(kind: str) -> list[pytest.param]:
    cases = []
    for declared in all_rules():
        first, last = declared.years
        years = sorted({first, last or LAST_YEAR})
        examples: tuple[Example, ...] = getattr(declared, kind)
        for number, example in enumerate(examples):
            for year in years:
                name = f"{declared.code}-{year}-{kind}{number}{'-' + example.note if example.note else ''}"
                cases.append(pytest.param(declared, example, year, id=name))
    return cases


@pytest.mark.parametrize(("declared", "example", "year"), _cases("fails"))
def test_fail_example_is_flagged(declared: Rule, example: Example, year: int) -> None:
    issues = run_example(declared, example, year)
    assert issues, f"{declared.code} did not flag {example}"
    assert all(i.message for i in issues)


@pytest.mark.parametrize(("declared", "example", "year"), _cases("passes"))
def test_pass_example_is_not_flagged(declared: Rule, example: Example, year: int) -> None:
    issues = run_example(declared, example, year)
    assert not issues, [i.message for i in issues]


def test_every_rule_has_examples_of_both_kinds() -> None:
    missing = [r.key for r in all_rules() if not r.fails or not r.passes]
    assert not missing, f"rules without pass and fail examples: {missing}"


def test_rule_versions_of_a_code_do_not_overlap() -> None:
    by_code: dict[str, list[Rule]] = {}
    for declared in all_rules():
        by_code.setdefault(declared.code, []).append(declared)
    for code, versions in by_code.items():
        for year in range(2023, LAST_YEAR + 1):
            assert sum(v.in_force(year) for v in versions) <= 1, (code, year)
