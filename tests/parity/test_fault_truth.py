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


@pytest.mark.parametrize("year", YEARS)
def test_each_kind_fires_its_expected_implemented_rules(returns, year: int) -> None:
    clean = returns[year]
    chosen = one_of_each(clean, kinds_for_year(year))
    assert len(chosen) >= 0.6 * len(kinds_for_year(year)), "too few kinds found a record"
    faulted, faults = plant(clean, chosen, np.random.default_rng(year))
    codes = frozenset(rule.code for rule in rules_for(year, None) if not rule.needs)
    flags = [flags_by_child(((i.rule, i.table, i.row) for i in validate(ret).issues),
                            _children(ret)) for ret in (clean, faulted)]  # fmt: skip
    bad = check(faults, flags[0], flags[1], codes, _children(faulted))
    assert [b for b in bad if b["missing"]] == []
    # Kinds whose side effects do not depend on the record fire exactly their rules.
    assert [b for b in bad if b["kind"] not in VARIES] == []
