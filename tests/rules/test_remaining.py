"""Behaviour of the remaining rules beyond their declared examples (remaining_a/remaining_b)."""

from __future__ import annotations

import re

from carestat.rules.builtin.remaining_b import la_codes
from carestat.rules.examples import run_example
from carestat.rules.model import Example
from carestat.rules.registry import rules_for

YEAR = 2026


def _issues(code: str, tables: dict[str, list[dict[str, str]]], year: int = YEAR) -> list[str]:
    (declared,) = rules_for(year, [code])
    rows = {name: [{"CHILD": "1", **r} for r in recs] for name, recs in tables.items()}
    return [i.message for i in run_example(declared, Example(rows), year)]


def test_council_codes_are_three_digits_or_outside_england() -> None:
    codes = la_codes()
    assert all(re.fullmatch(r"[0-9]{3}|WAL|SCO|NIR|NUK", c) for c in codes)
    # Councils created in 2019, 2021 and 2023 are valid; the unused 999 is not.
    assert {"838", "839", "940", "941", "942", "943"} <= set(codes)
    assert "999" not in codes and len(codes) == len(set(codes))


def test_continuous_care_is_broken_by_a_short_break_in_the_year() -> None:
    oc2 = [{"SDQ_SCORE": "12"}]
    in_care = {"DECOM": "{start-2y}", "RNE": "S", "LS": "C2"}
    assert not _issues("185", {"Episodes": [in_care], "OC2": oc2})
    short = {"DECOM": "{start-2y}", "RNE": "S", "LS": "V3", "DEC": "{start+5d}", "REC": "X1"}
    assert _issues("185", {"Episodes": [short], "OC2": oc2})


def test_continuous_care_is_broken_by_leaving_care_in_the_year() -> None:
    oc2 = [{"SDQ_REASON": "SDQ2"}]
    left = {"DECOM": "{start-2y}", "RNE": "S", "LS": "C2", "DEC": "{end-10d}", "REC": "E8"}
    moved = {**left, "REC": "X1"}
    later = {"DECOM": "{end-10d}", "RNE": "P", "LS": "C2"}
    assert _issues("198", {"Episodes": [left], "OC2": oc2})
    assert not _issues("198", {"Episodes": [moved, later], "OC2": oc2})


def test_a_spell_of_police_protection_across_episodes_flags_each_episode() -> None:
    spell = [
        {"DECOM": "{start}", "LS": "L1", "DEC": "{start+2d}", "REC": "X1"},
        {"DECOM": "{start+2d}", "LS": "L1", "DEC": "{start+4d}", "REC": "X1"},
    ]
    assert len(_issues("361", {"Episodes": spell})) == 2
    apart = [spell[0], {**spell[1], "DECOM": "{start+3d}"}]
    assert not _issues("361", {"Episodes": apart})


def test_open_respite_is_counted_to_the_end_of_the_year() -> None:
    open_v3 = [{"DECOM": "{end-80d}", "LS": "V3"}]
    assert _issues("367", {"Episodes": open_v3})
    assert not _issues("367", {"Episodes": [{"DECOM": "{end-70d}", "LS": "V3"}]})


def test_foyer_rule_applies_only_from_2024() -> None:
    assert not rules_for(2023, ["347"])
    assert rules_for(2024, ["347"])


def test_placement_order_rules_end_in_2024() -> None:
    for code in ("555", "556"):
        assert rules_for(2024, [code]) and not rules_for(2025, [code])
