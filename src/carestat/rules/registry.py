"""The one registry of rules: built-in modules declare rules with `@rule(...)`."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any

from carestat.rules.model import Check, Example, Need, Rule, only_codes
from carestat.rules.report import Severity

BUILTIN_MODULES = (
    "header", "episodes", "reviews", "uasc", "oc2", "oc3", "adoption", "prev_perm",
    "missing", "social_worker", "dolo", "integrity", "ages", "previous", "linked", "placements", "adoption_links", "remaining_a", "remaining_b", "previous_more", "uasc_more", "derived_places", "providers",
)  # fmt: skip
_declared: list[Rule] = []


def rule(
    code: str,
    tables: Sequence[str],
    fields: Sequence[str],
    message: str,
    years: tuple[int, int | None] = (2023, None),
    needs: Sequence[Need] = (),
    passes: Iterable[Example] = (),
    fails: Iterable[Example] = (),
) -> Callable[[Check], Rule]:
    """Declare a rule whose check is the decorated function; it joins the registry."""

    def declare(check: Check) -> Rule:
        declared = Rule(
            code=code,
            tables=tuple(tables),
            fields=tuple(fields),
            message=message,
            check=check,
            years=years,
            needs=tuple(needs),
            passes=tuple(passes),
            fails=tuple(fails),
        )
        _declared.append(declared)
        return declared

    return declare


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every declared rule version, in declaration order; duplicate keys are a bug."""
    for name in BUILTIN_MODULES:
        importlib.import_module(f"carestat.rules.builtin.{name}")
    keys = [r.key for r in _declared]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise RuntimeError(f"rules declared twice: {', '.join(duplicates)}")
    return tuple(_declared)


def rules_for(year: int, codes: Iterable[str] | None = None) -> list[Rule]:
    """The rules in force in collection `year`, optionally only the given codes."""
    return only_codes([r for r in all_rules() if r.in_force(year)], codes)


@cache
def _severity_data() -> dict[str, Any]:
    import yaml

    text = resources.files("carestat.rules").joinpath("data", "severity.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def severity(code: str) -> Severity:
    """The declared severity of a rule code (DESIGN.md §5: warnings listed as data)."""
    return "warning" if code in set(_severity_data()["warning"]) else "error"
