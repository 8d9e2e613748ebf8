"""carestat fires each planted fault kind's expected rules (those it implements), year by year."""

from __future__ import annotations

import numpy as np
import pytest

from carestat.parity.faults import check, flags_by_child, one_of_each
from carestat.rules.engine import validate
from carestat.rules.registry import rules_for
from carestat.synth.fault_catalogue import VARIES
from carestat.synth.faults import kinds_for_year, plant
from carestat.synth.generate import generate

YEARS = (2023, 2024, 2025, 2026, 2027)


@pytest.fixture(scope="module")
def returns() -> dict[int, object]:
    """One small synthetic council's clean returns, 2023-2027."""
    synthetic = generate(las=1, years=range(2022, 2028), seed=11, children=60)
    return {ret.year: ret for ret in synthetic.returns() if ret.year in YEARS}


def _children(ret) -> dict[tuple[str, int], str]:
    return {(name, row): child for name, table in ret.tables.items()
            if "CHILD" in table.column_names
            for row, child in enumerate(table.column("CHILD").to_pylist())}  # fmt: skip


def _rounds(clean, year: int, rounds: int = 2) -> list[list]:
    """Kinds planted in a few rounds, one fault per child in each, until every kind has one."""
    left, planted = kinds_for_year(year), []
    for _ in range(rounds):
        chosen = one_of_each(clean, left)
        if not chosen:
            break
        planted.append(chosen)
        done = {kind.name for kind, _ in chosen}
        left = [kind for kind in left if kind.name not in done]
    return planted


@pytest.mark.parametrize("year", YEARS)
def test_each_kind_fires_its_expected_implemented_rules(returns, year: int) -> None:
    clean = returns[year]
    planted = _rounds(clean, year)
    assert sum(map(len, planted)) >= 0.6 * len(kinds_for_year(year)), "too few kinds found a record"
    codes = frozenset(rule.code for rule in rules_for(year, None) if not rule.needs)
    before = flags_by_child(((i.rule, i.table, i.row) for i in validate(clean).issues),
                            _children(clean))  # fmt: skip
    bad = []
    for chosen in planted:
        faulted, faults = plant(clean, chosen, np.random.default_rng(year))
        after = flags_by_child(((i.rule, i.table, i.row) for i in validate(faulted).issues),
                               _children(faulted))  # fmt: skip
        bad += check(faults, before, after, codes, _children(faulted))
    assert [b for b in bad if b["missing"]] == []
    # Kinds whose side effects do not depend on the record fire exactly their rules.
    assert [b for b in bad if b["kind"] not in VARIES] == []
