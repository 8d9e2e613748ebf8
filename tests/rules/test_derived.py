"""Derived placement facts (postcodes) and the provider-list rules run on their examples."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pytest

from carestat.model import Return
from carestat.rules import derive, engine, registry
from carestat.rules.derive import PROVIDERS, derive_placements, extra_tables
from carestat.rules.examples import example_return, resolve_date
from carestat.rules.model import LAST_YEAR, Example, Rule
from carestat.rules.postcodes import postcode_facts

BIRMINGHAM, COVENTRY = "E08000025", "E08000026"


def _episodes(home: list[str | None], place: list[str | None]) -> pa.Table:
    return pa.table(
        {
            "_row": pa.array(range(len(home)), pa.int64()),
            "HOME_POST": pa.array(home, pa.string()),
            "PL_POST": pa.array(place, pa.string()),
        }
    )


def test_distance_is_the_guidance_formula_on_grid_positions() -> None:
    facts = postcode_facts(pa.array(["B1 1AA", "CV1 1GF"])).to_pylist()
    metres = math.dist((facts[0]["east"], facts[0]["north"]), (facts[1]["east"], facts[1]["north"]))
    derived = derive_placements(_episodes(["B1 1AA"], ["CV1 1GF"]), BIRMINGHAM).to_pylist()[0]
    assert derived["PL_DISTANCE"] == round(metres / 1000 / 1.6093, 1)
    assert derived["PL_LA"] == COVENTRY and derived["PL_LOCATION"] == "OUT"


def test_postcodes_match_whatever_their_spacing_and_case() -> None:
    derived = derive_placements(_episodes(["b11aa", "B1  1AA"], ["B1 1AA", "b1 1aa"]), BIRMINGHAM)
    assert derived["PL_DISTANCE"].to_pylist() == [0.0, 0.0]
    assert derived["PL_LOCATION"].to_pylist() == ["IN", "IN"]
    assert derived["HOME_POST_VALID"].to_pylist() == [True, True]


def test_unknown_and_blank_postcodes_give_no_facts() -> None:
    derived = derive_placements(_episodes(["ZZ9 9ZZ", None], ["B1 1AA", None]), BIRMINGHAM)
    rows = derived.to_pylist()
    assert rows[0]["PL_DISTANCE"] is None and rows[0]["HOME_POST_VALID"] is False
    assert rows[0]["PL_LA"] == BIRMINGHAM
    assert rows[1]["PL_LA"] is None and rows[1]["PL_LOCATION"] is None
    assert rows[1]["HOME_POST_VALID"] is None and rows[1]["PL_POST_VALID"] is None


@pytest.mark.parametrize(("postcode", "council"), [("EH1 1AD", "SCO"), ("CF10 1AA", "WAL"),
                                                     ("BT1 1AA", "NIR")])  # fmt: skip
def test_placements_outside_england_name_the_nation(postcode: str, council: str) -> None:
    row = derive_placements(_episodes(["B1 1AA"], [postcode]), BIRMINGHAM).to_pylist()[0]
    assert row["PL_LA"] == council and row["PL_LOCATION"] == "OUT"


def test_districts_newer_than_the_lookup_count_as_the_council_they_replaced() -> None:
    assert derive._council("E06000063") == "E10000006"  # Cumberland (2023), was Cumbria
    assert derive._council("E06000065") == "E10000023"  # North Yorkshire unitary (2023)
    assert derive._council("E07000026") == "E10000006"  # Allerdale, in Cumbria (2021)
    assert derive._council("E07999999") is None  # a district the lookup does not know


def test_a_council_submitting_under_its_new_code_places_its_own_postcodes_inside() -> None:
    ret = example_return(
        2026, {"Episodes": [{"CHILD": "1", "HOME_POST": "YO1 7HH", "PL_POST": "HG1 1AA"}]}
    )
    for la in ("E06000065", "E10000023"):  # North Yorkshire, new and 2021 codes
        derived = extra_tables(dataclasses.replace(ret, la=la), None, None)["EpisodesDerived"]
        assert derived.column("PL_LOCATION").to_pylist() == ["IN"]


def test_extra_tables_derive_last_year_and_infer_the_council() -> None:
    spec_rows = {"Episodes": [{"CHILD": "1", "HOME_POST": "B1 1AA", "PL_POST": "B1 1AD"}]}
    ret, last = example_return(2026, spec_rows), example_return(2025, spec_rows)
    tables = extra_tables(ret, last, None)
    assert set(tables) == {"EpisodesDerived", "Episodes_lastDerived"}
    assert tables["EpisodesDerived"]["PL_LOCATION"].to_pylist() == ["IN"]
    named = Return(year=2026, la=COVENTRY, tables=ret.tables)
    assert extra_tables(named, None, None)["EpisodesDerived"]["PL_LOCATION"].to_pylist() == ["OUT"]


# ---- provider rules: run through the engine with the example's provider rows ----------------


@pytest.fixture(scope="module")
def provider_rules() -> Iterator[list[Rule]]:
    """The provider rules, declared without joining the shared registry."""
    before = list(registry._declared)
    sys.modules.pop("carestat.rules.builtin.providers", None)
    importlib.import_module("carestat.rules.builtin.providers")
    declared = registry._declared[len(before) :]
    registry._declared[:] = before
    yield declared


def _providers(rows: Sequence[Mapping[str, Any]], year: int) -> pa.Table:
    from carestat.readers.providers import PROVIDERS_SCHEMA

    def day(value: Any) -> dt.date | None:
        return dt.datetime.strptime(resolve_date(value, year), "%d/%m/%Y").date() if value else None

    records = [{**r, "deregistered": day(r.get("deregistered"))} for r in rows]
    return pa.Table.from_pylist(records, schema=PROVIDERS_SCHEMA)


def _run(declared: Rule, example: Example, year: int, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    import ibis

    from carestat.rules.expr import Env

    expr = declared.check(Env(year))
    sql = {declared.key: [{"table": t, "sql": str(ibis.to_sql(e, dialect="duckdb"))}
                          for t, e in expr.items()]}  # fmt: skip
    monkeypatch.setattr(engine, "rules_for", lambda year, codes=None: [declared])
    monkeypatch.setattr(engine, "compiled_rules", lambda year: sql)
    tables = {k: v for k, v in example.tables.items() if k != PROVIDERS}
    providers = _providers(list(example.tables[PROVIDERS]), year)
    report = engine.validate(example_return(year, tables), providers=[providers])
    assert not report.rules_skipped, report.rules_skipped
    return [i for i in report.issues if i.rule == declared.code]


def test_provider_rules_flag_their_fail_examples_and_pass_the_others(
    provider_rules: list[Rule], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert {r.code for r in provider_rules} >= {"1008", "219", "221", "224", "227", "228", "229"}
    for declared in provider_rules:
        assert declared.needs == ("providers",) and declared.fails and declared.passes
        for year in sorted({declared.years[0], declared.years[1] or LAST_YEAR}):
            for example in declared.fails:
                issues = _run(declared, example, year, monkeypatch)
                assert issues and all(i.message for i in issues), (declared.key, year, example)
            for example in declared.passes:
                issues = _run(declared, example, year, monkeypatch)
                assert not issues, (declared.key, year, [i.message for i in issues])


def test_provider_rules_are_skipped_without_lists(
    provider_rules: list[Rule], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "rules_for", lambda year, codes=None: provider_rules)
    monkeypatch.setattr(engine, "compiled_rules", lambda year: {})
    ret = example_return(2026, {"Episodes": [{"CHILD": "1", "URN": "1234567"}]})
    report = engine.validate(ret)
    assert not report.issues
    assert {s.rule for s in report.rules_skipped} == {r.code for r in provider_rules}
    assert all("--providers" in s.reason for s in report.rules_skipped)
