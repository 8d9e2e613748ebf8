"""Interim care order outcomes, duration past 26 weeks and s20 to proceedings, by hand."""

import pandas as pd
import pytest

from carestat.evidence.pathways import (
    collection_year,
    interim_order_outcomes,
    outcome_shares,
    s20_to_proceedings,
    share_past_limit,
)

SPELLS = pd.DataFrame(
    [
        ("A", "1", 1, "C1", "2020-01-01", "2020-03-01", "X1"),  # C1 -> C2 after 60 days
        ("A", "1", 1, "C2", "2020-03-01", None, None),
        ("A", "2", 1, "V2", "2019-01-01", "2019-05-01", "X1"),  # s20 -> C1 -> SGO after 245 days
        ("A", "2", 1, "C1", "2019-05-01", "2020-01-01", "E46"),
        ("A", "3", 1, "C1", "2021-01-01", None, None),  # open, 212 days at censor: past 26 weeks
        ("A", "4", 1, "C1", "2021-06-01", None, None),  # open, 61 days: not yet known
        ("A", "5", 1, "V2", "2019-01-01", "2019-06-01", "E4A"),  # s20, went home
        ("A", "6", 1, "V2", "2021-06-01", None, None),  # s20 too recent to follow up
    ],
    columns=["la", "child", "period", "ls", "start", "end", "rec"],
)
CENSOR = "2021-08-01"


def test_outcomes_and_durations_by_hand():
    table = interim_order_outcomes(SPELLS, CENSOR).set_index("child")
    assert table.loc["1", "outcome"] == "full care order" and table.loc["1", "days"] == 60
    assert (
        table.loc["2", "outcome"] == "special guardianship order" and table.loc["2", "days"] == 245
    )
    assert table.loc["3", "outcome"] == "still interim" and bool(table.loc["3", "past_limit"])
    assert pd.isna(table.loc["4", "past_limit"])
    assert table.loc["2", "year"] == 2020 and table.loc["3", "year"] == 2021


def test_share_past_26_weeks_counts_only_known_orders():
    finding = share_past_limit(interim_order_outcomes(SPELLS, CENSOR))
    assert finding.estimate == pytest.approx(2 / 3)
    assert finding.lower < 2 / 3 < finding.upper and finding.p_value is None


def test_outcome_shares_among_resolved_orders():
    shares = outcome_shares(interim_order_outcomes(SPELLS, CENSOR)).set_index("outcome")
    assert shares["count"].to_dict() == {"full care order": 1, "special guardianship order": 1}
    assert shares["share"].sum() == pytest.approx(1.0)


def test_s20_into_proceedings_with_follow_up():
    finding = s20_to_proceedings(SPELLS, CENSOR)
    assert finding.estimate == pytest.approx(1 / 2)  # child 2 yes, child 5 no, child 6 too recent
    assert finding.n_councils == 1


def test_collection_year_runs_april_to_march():
    dates = pd.Series(pd.to_datetime(["2025-03-31", "2025-04-01"]))
    assert collection_year(dates).tolist() == [2025, 2026]
