"""Part A's documented differences are recognised record by record, and nothing else is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from carestat.parity.known import ReturnFacts, explain
from carestat.parity.known_a import KNOWN_A


def _facts(year: int, **tables: list[dict]) -> ReturnFacts:
    return ReturnFacts(year, "reference-tests", records=tables)


def test_unknown_placement_council_explains_218_only_before_2025_26() -> None:
    facts = _facts(2023, Episodes=[{"CHILD": "1", "PL_POST": None},
                                   {"CHILD": "2", "PL_POST": "EC1N 8AY"}])  # fmt: skip
    assert explain(facts, "carestat", ("218", "Episodes", 0)) is not None
    assert explain(facts, "carestat", ("218", "Episodes", 1)) is None  # a known London postcode
    assert explain(facts, "reference", ("218", "Episodes", 0)) is None
    assert explain(_facts(2026, **facts.records), "carestat", ("218", "Episodes", 0)) is None


def test_392a_is_explained_only_without_uasc_records_in_either_year() -> None:
    facts = _facts(2023, Episodes=[{"CHILD": "1"}], UASC=[])
    assert explain(facts, "carestat", ("392a", "Episodes", 0)) is not None
    assert explain(facts, "carestat", ("392b", "Episodes", 0)) is None
    facts.last_records = {"UASC": [{"CHILD": "9"}]}
    assert explain(facts, "carestat", ("392a", "Episodes", 0)) is None


def test_open_episodes_explain_359_for_carestat_and_388_for_the_reference() -> None:
    facts = _facts(2024, Episodes=[{"CHILD": "1", "DEC": None},
                                   {"CHILD": "1", "DEC": dt.date(2023, 6, 1)}])  # fmt: skip
    assert explain(facts, "carestat", ("359", "Episodes", 0)) is not None
    assert explain(facts, "reference", ("388", "Episodes", 0)) is not None
    assert explain(facts, "reference", ("359", "Episodes", 0)) is None
    assert explain(facts, "carestat", ("359", "Episodes", 1)) is None  # ended: not this difference


def test_391_is_explained_from_22_on_1_april_only() -> None:
    facts = _facts(2023, OC3=[{"CHILD": "A", "DOB": dt.date(2000, 4, 1)},
                              {"CHILD": "B", "DOB": dt.date(2000, 4, 2)}])  # fmt: skip
    assert explain(facts, "carestat", ("391", "OC3", 0)) is not None
    assert explain(facts, "carestat", ("391", "OC3", 1)) is None  # 21 on 1 April 2022


def test_part_a_sections_are_the_headings_of_its_document() -> None:
    doc = Path(__file__).parents[2] / "docs/explanation/reference-differences-a.md"
    headings = {line[3:].strip() for line in doc.read_text().splitlines() if line.startswith("## ")}
    assert {k.section for k in KNOWN_A} == headings


def test_a_child_repeated_in_uasc_shifts_the_reference_mark_of_later_children() -> None:
    header = [{"CHILD": c} for c in "XABC"]
    facts = _facts(2023, Header=header, UASC=[{"CHILD": "A"}, {"CHILD": "A"}, {"CHILD": "C"}],
                   Episodes=[{"CHILD": c} for c in "BCX"])  # fmt: skip
    assert explain(facts, "carestat", ("392a", "Episodes", 0)) is not None  # B: marked, not UASC
    assert explain(facts, "reference", ("392b", "Episodes", 1)) is not None  # C: UASC, not marked
    assert explain(facts, "reference", ("392b", "Episodes", 2)) is None  # X: before the repeat


def test_165_letter_sex_codes_are_explained_from_2024_25_unless_mother_is_invalid() -> None:
    header = [{"CHILD": "1", "SEX": "F"}, {"CHILD": "2", "SEX": "F", "MOTHER": "2"}]
    facts = _facts(2025, Header=header, OC3=[{"CHILD": "9"}])
    assert explain(facts, "carestat", ("165", "Header", 0)) is not None
    assert explain(facts, "carestat", ("165", "Header", 1)) is None  # the reference flags it too
    assert explain(_facts(2024, **facts.records), "carestat", ("165", "Header", 0)) is None


def test_165_without_oc3_records_is_explained() -> None:
    facts = _facts(2024, Header=[{"CHILD": "1", "SEX": "2"}])
    assert explain(facts, "carestat", ("165", "Header", 0)) is not None
    facts = _facts(2024, Header=[{"CHILD": "1", "SEX": "2"}], OC3=[{"CHILD": "9"}])
    assert explain(facts, "carestat", ("165", "Header", 0)) is None


def test_a_shifted_uasc_mark_explains_406_for_the_marked_child_only() -> None:
    header = [{"CHILD": c} for c in "ABC"]
    facts = _facts(2023, Header=header, UASC=[{"CHILD": "A"}, {"CHILD": "A"}, {"CHILD": "C"}],
                   Episodes=[{"CHILD": c} for c in "BC"])  # fmt: skip
    assert explain(facts, "reference", ("406", "Episodes", 0)) is not None  # B: marked, not UASC
    assert explain(facts, "carestat", ("406", "Episodes", 1)) is not None  # C: UASC, not marked
    last_year_only = ReturnFacts(2027, "synthetic", records={"Episodes": [{"CHILD": "B"}]},
                                 last_records={"Header": header, "UASC": [{"CHILD": "B"}]})  # fmt: skip
    assert explain(last_year_only, "reference", ("406", "Episodes", 0)) is None  # truly UASC


def test_165_unknown_sex_is_explained_from_2024_25() -> None:
    facts = _facts(2027, Header=[{"CHILD": "1", "SEX": "U"}], OC3=[{"CHILD": "9"}])
    assert explain(facts, "carestat", ("165", "Header", 0)) is not None
    assert explain(facts, "reference", ("165", "Header", 0)) is None
