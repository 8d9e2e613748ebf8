"""Previous-year, UASC and DoLO rules on returns of several records (beyond their examples)."""

from __future__ import annotations

from collections.abc import Mapping

from carestat.rules.engine import validate
from carestat.rules.examples import example_return
from carestat.rules.model import Rows
from carestat.rules.report import Issue


def _issues(
    code: str, now: Mapping[str, Rows], last: Mapping[str, Rows], year: int = 2025
) -> list[Issue]:
    ret = example_return(year, now)
    previous = example_return(year - 1, last)
    report = validate(ret, previous=previous, codes=[code])
    assert not report.rules_skipped, report.rules_skipped
    return [i for i in report.issues if i.rule == code]


def test_199_points_at_this_years_episodes_after_an_adoption_last_year() -> None:
    last = {"Episodes": [{"CHILD": "1", "DECOM": "01/01/2023", "DEC": "01/02/2024", "REC": "E11"}]}
    now = {
        "Episodes": [
            {"CHILD": "2", "DECOM": "01/05/2024"},
            {"CHILD": "1", "DECOM": "01/06/2024"},
        ]
    }
    issues = _issues("199", now, last)
    assert [(i.table, i.row, i.child) for i in issues] == [("Episodes", 1, "1")]
    assert "01/06/2024" in issues[0].message


def test_205b_flags_the_uasc_record_and_the_header() -> None:
    last = {"UASC": [{"CHILD": "7", "DOB": "01/06/2008", "DUC": "01/05/2024"}]}
    now = {
        "Header": [{"CHILD": "6"}, {"CHILD": "7"}],
        "UASC": [{"CHILD": "7", "DUC": "01/06/2026"}],
    }
    issues = _issues("205B", now, last)
    assert sorted((i.table, i.row) for i in issues) == [("Header", 1), ("UASC", 0)]


def test_205a_ignores_children_still_uasc_and_children_not_in_this_years_header() -> None:
    last = {"UASC": [{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "3"}]}
    now = {"Header": [{"CHILD": "1"}, {"CHILD": "2"}], "UASC": [{"CHILD": "1"}]}
    issues = _issues("205A", now, last)
    assert [(i.table, i.row, i.child) for i in issues] == [("Header", 1, "2")]


def test_1001_counts_an_episode_reported_in_both_years_once() -> None:
    # Open for the last 61 days of last year, closed 20 days into this one: 81 days, under 91.
    dob = "01/01/2007"
    open_last = {"CHILD": "1", "DECOM": "30/01/2024", "RNE": "S"}
    last = {"Episodes": [open_last]}
    now = {
        "Header": [{"CHILD": "1", "DOB": dob}],
        "Episodes": [{**open_last, "DEC": "20/04/2024", "REC": "E4A"}],
        "OC3": [{"CHILD": "1", "DOB": dob, "IN_TOUCH": "YES"}],
    }
    issues = _issues("1001", now, last)
    assert len(issues) == 1 and "81 days" in issues[0].message


def test_707_open_dolo_in_the_open_period_of_care_is_fine_but_not_in_a_closed_one() -> None:
    episodes = [
        {"CHILD": "1", "DECOM": "01/04/2026", "DEC": "01/05/2026"},
        {"CHILD": "1", "DECOM": "01/07/2026"},
    ]
    dolos = [
        {"CHILD": "1", "DOLO_START": "10/07/2026"},
        {"CHILD": "1", "DOLO_START": "10/04/2026"},
    ]
    issues = _issues("707", {"Episodes": episodes, "DoLo": dolos}, {}, year=2027)
    assert [(i.table, i.row) for i in issues] == [("DoLo", 1)]


def test_709_flags_the_dolo_and_each_overlapping_episode() -> None:
    episodes = [
        {"CHILD": "1", "DECOM": "01/04/2026", "DEC": "01/05/2026", "PLACE": "U1"},
        {"CHILD": "1", "DECOM": "01/05/2026", "DEC": "01/06/2026", "PLACE": "K2"},
        {"CHILD": "1", "DECOM": "01/08/2026", "PLACE": "U1"},
    ]
    dolos = [{"CHILD": "1", "DOLO_START": "20/04/2026", "DOLO_END": "20/05/2026"}]
    issues = _issues("709", {"Episodes": episodes, "DoLo": dolos}, {}, year=2027)
    assert sorted((i.table, i.row) for i in issues) == [("DoLo", 0), ("Episodes", 0)]
    assert all("'U1'" in i.message for i in issues)


def test_584_message_shows_both_decisions() -> None:
    last = {
        "PlacedAdoption": [
            {"CHILD": "1", "DATE_PLACED": "01/03/2024", "REASON_PLACED_CEASED": "RD1"}
        ]
    }
    now = {"PlacedAdoption": [{"CHILD": "1", "DATE_PLACED": "01/02/2024"}]}
    issues = _issues("584", now, last)
    assert len(issues) == 1
    assert "01/02/2024" in issues[0].message and "01/03/2024" in issues[0].message


def test_503g_allows_a_tenth_of_a_mile_between_years() -> None:
    episode = {"CHILD": "1", "DECOM": "01/01/2024", "RNE": "S", "HOME_POST": "B1 1AA"}
    last = {"Episodes": [{**episode, "PL_POST": "CV1 1GF"}]}
    same = _issues("503G", {"Episodes": [{**episode, "PL_POST": "CV1 1GF"}]}, last)
    moved = _issues("503G", {"Episodes": [{**episode, "PL_POST": "B1 1AD"}]}, last)
    assert same == [] and len(moved) == 1
