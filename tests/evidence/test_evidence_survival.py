"""Kaplan-Meier, Aalen-Johansen and re-entry on a hand-worked set of periods."""

import pandas as pd
import pytest

from carestat.evidence.survival import (
    age_band,
    exit_route,
    exits_by_route,
    reentry_within,
    time_to_leave,
)

DAY0 = pd.Timestamp("2020-01-01")


def periods() -> pd.DataFrame:
    """Seven periods starting together; exits on days 1, 2, 4, 5, 6; two still open."""
    ends = [1, 2, None, 4, 5, 6, None]
    return pd.DataFrame(
        {
            "la": "E09000001",
            "child": [str(i) for i in range(7)],
            "start": DAY0,
            "end": [DAY0 + pd.Timedelta(days=d) if d else pd.NaT for d in ends],
            "route": [
                "return home",
                "adoption",
                None,
                "return home",
                "return home",
                "adoption",
                None,
            ],
            "age_at_entry": [0, 0, 0, 3, 3, 3, 3],
        }
    )


def test_kaplan_meier_by_hand():
    (curve,) = time_to_leave(periods(), DAY0 + pd.Timedelta(days=8), by=None)
    # one exit a day from 7 at risk (open periods censored at day 8): 6/7, 6/7*5/6 = 5/7, ...
    expected = [6 / 7, 5 / 7, 4 / 7, 3 / 7, 2 / 7]
    assert curve.table["still_in_care"].tolist() == pytest.approx(expected)
    assert curve.n == 7 and curve.events == 5 and curve.median_days == 5
    assert (curve.table["lower"] <= curve.table["still_in_care"]).all()


def test_curves_by_age_band_and_censoring_date():
    curves = time_to_leave(periods(), DAY0 + pd.Timedelta(days=3))
    assert [c.group for c in curves] == ["1 to 4", "under 1"]
    assert sum(c.events for c in curves) == 2  # exits after the censoring date are not seen


def test_aalen_johansen_cumulative_incidence_by_hand():
    table = exits_by_route(periods(), DAY0 + pd.Timedelta(days=8))
    home = table[table["route"] == "return home"].set_index("days")["cumulative_incidence"]
    adopted = table[table["route"] == "adoption"].set_index("days")["cumulative_incidence"]
    assert home[1.0] == pytest.approx(1 / 7)
    assert home[4.0] == pytest.approx(1 / 7 + 5 / 7 * 1 / 5)  # S(3) = 5/7, 5 at risk
    assert home[5.0] == pytest.approx(2 / 7 + 4 / 7 * 1 / 4)
    assert adopted[6.0] == pytest.approx(1 / 7 + 3 / 7 * 1 / 3)


def test_exit_routes_from_rec_and_age():
    rec = pd.Series(["E11", "E4A", None, "E8", "E8", "E46", "E41", "E17"])
    age = pd.Series([3, 10, None, 18, 12, 5, 7, 18])
    assert exit_route(rec, age).tolist() == [
        "adoption",
        "return home",
        None,
        "18 and over",
        "other",
        "special guardianship",
        "child arrangements",
        "18 and over",
    ]
    assert age_band(pd.Series([0, 1, 4, 5, 15, 16, 17])).tolist() == [
        "under 1",
        "1 to 4",
        "1 to 4",
        "5 to 9",
        "10 to 15",
        "16 and over",
        "16 and over",
    ]


def test_reentry_within_twelve_months_counts_only_full_follow_up():
    data = pd.DataFrame(
        {
            "la": "E09000001",
            "child": ["a", "a", "b", "c", "c"],
            "start": pd.to_datetime(
                ["2019-01-01", "2019-09-01", "2019-01-01", "2019-01-01", "2020-06-01"]
            ),
            "end": pd.to_datetime(["2019-03-01", None, "2019-02-01", "2019-04-01", None]),
            "route": ["return home", None, "return home", "return home", None],
        }
    )
    finding = reentry_within(data, "2020-12-31")
    assert finding.estimate == pytest.approx(1 / 3)  # a back after 6 months; c after 14 months
    assert finding.lower < 1 / 3 < finding.upper
    late = reentry_within(data, "2019-12-31")  # nobody has 12 months of follow-up yet
    assert late.estimate != late.estimate  # NaN
