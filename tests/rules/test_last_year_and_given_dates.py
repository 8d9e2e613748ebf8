"""Boundaries found by parity: last year's UASC records, unreadable dates that count as given,
and a social worker episode with no start date (see docs/explanation/reference-differences*.md)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from carestat.rules.engine import validate
from carestat.rules.examples import example_return
from carestat.rules.model import Rows

HOME, COVENTRY = "B1 1AA", "CV1 1GF"


def _flags(
    code: str, now: Mapping[str, Rows], last: Mapping[str, Rows] | None = None, year: int = 2026
) -> list[tuple[str, int | None]]:
    previous = None if last is None else example_return(year - 1, last)
    report = validate(example_return(year, now), previous=previous, codes=[code])
    assert not report.rules_skipped, report.rules_skipped
    return [(i.table, i.row) for i in report.issues if i.rule == code]


def _episodes(**fields: str) -> dict[str, list[dict[str, str]]]:
    return {"Episodes": [{"CHILD": "1", "DECOM": "{start}", "RNE": "S", "LS": "C2", **fields}]}


UASC_LAST_YEAR = {"UASC": [{"CHILD": "1", "DUC": "{end-1y}"}]}


@pytest.mark.parametrize("code", ["392a", "392b"])
def test_a_child_uasc_last_year_is_exempt_and_runs_without_a_previous_return(code: str) -> None:
    # No previous return: last year is empty, the rule runs (is not skipped) and flags.
    assert _flags(code, _episodes(HOME_POST=HOME)) == [("Episodes", 0)]
    assert _flags(code, _episodes(HOME_POST=HOME), {}) == [("Episodes", 0)]
    assert _flags(code, _episodes(HOME_POST=HOME), UASC_LAST_YEAR) == []
    other_child = {"UASC": [{"CHILD": "2", "DUC": "{end-1y}"}]}
    assert _flags(code, _episodes(HOME_POST=HOME), other_child) == [("Episodes", 0)]
    # A record with nothing but the child's id does not make the child UASC (as this year).
    assert _flags(code, _episodes(HOME_POST=HOME), {"UASC": [{"CHILD": "1"}]}) == [("Episodes", 0)]


def test_406_flags_a_distance_for_a_child_uasc_last_year() -> None:
    placed = _episodes(HOME_POST=HOME, PL_POST=COVENTRY)
    assert _flags("406", placed) == []
    assert _flags("406", placed, UASC_LAST_YEAR) == [("Episodes", 0)]


AD1_COMPLETE = {"DATE_INT": "01/01/2025", "DATE_MATCH": "01/02/2025", "FOSTER_CARE": "0",
                "NB_ADOPTR": "1", "SEX_ADOPTR": "F1", "LS_ADOPTR": "L0"}  # fmt: skip
ADOPTED = {"CHILD": "1", "DECOM": "{start}", "RNE": "S", "LS": "E1", "DEC": "{end}", "REC": "E11"}


@pytest.mark.parametrize("date", ["31/04/2025", "30/02/2025"])
def test_an_unreadable_adoption_date_is_given_not_blank(date: str) -> None:
    given = {"AD1": [{"CHILD": "1", **AD1_COMPLETE, "DATE_MATCH": date}]}
    blank = {"AD1": [{"CHILD": "1", **AD1_COMPLETE, "DATE_MATCH": None}]}
    assert _flags("151", given) == []
    assert _flags("151", blank) == [("AD1", 0)]
    assert _flags("601", {**given, "Episodes": [ADOPTED]}) == []
    assert _flags("601", {**blank, "Episodes": [ADOPTED]}) == [("AD1", 0), ("Episodes", 0)]
    # Only an unreadable date: adoption data is given (602), and given after a reversal (525).
    only = {"AD1": [{"CHILD": "1", "DATE_INT": date}]}
    assert _flags("602", {**only, "Episodes": [{**ADOPTED, "REC": "E8"}]}) == [("AD1", 0)]
    reversed_ = {"PlacedAdoption": [{"CHILD": "1", "DATE_PLACED_CEASED": date}]}
    assert _flags("525", {**only, **reversed_}) == [("AD1", 0), ("PlacedAdoption", 0)]


def _sw(*records: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    return {"SocialWorker": [{"CHILD": "1", "SW_ID": f"SW{i}", **r} for i, r in enumerate(records)]}


def test_sw11b_a_record_with_no_start_is_followed_by_one_starting_on_or_after_its_end() -> None:
    ended = {"SW_DEC": "{end-2d}"}
    assert _flags("SW11bSTG2", _sw(ended, {"SW_DECOM": "{end-2d}"})) == []
    assert _flags("SW11bSTG2", _sw(ended, {"SW_DECOM": "{end-3d}"})) == [("SocialWorker", 0)]
    assert _flags("SW11bSTG2", _sw(ended)) == [("SocialWorker", 0)]
    # Records with a start keep the order by start: the later one follows, whenever it starts.
    started = {"SW_DECOM": "{start}", "SW_DEC": "{end-2d}"}
    assert _flags("SW11bSTG2", _sw(started, {"SW_DECOM": "{end-20d}"})) == []
