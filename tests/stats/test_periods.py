"""Periods of care, ages and episode repair on a hand-built history worked out by hand."""

from __future__ import annotations

import datetime as dt

import ibis

from carestat.stats import add_periods, age_days, age_years, repair_episodes
from carestat.stats import repair as r

d = dt.date.fromisoformat

LA = "E08000035"


def ep(year, child, decom, rne, ls, cin, dec=None, rec=None, **more):
    """One episode record."""
    return dict(la=LA, year=year, CHILD=child, DECOM=decom, RNE=rne, LS=ls, CIN=cin, PLACE="U1",
                DEC=dec, REC=rec, **more)  # fmt: skip


HISTORY = [
    ep(2025, "A", "2024-05-01", "S", "C1", "N1", "2024-08-01", "X1"),
    ep(2025, "A", "2024-08-01", "P", "C2", "N4"),
    ep(2026, "A", "2024-08-01", "P", "C2", "N4", "2025-06-30", "E11"),
    ep(2026, "A", "2025-09-01", "S", "V2", "N2"),
    ep(2026, "A", "2025-09-01", "S", "V2", "N2"),
    ep(2026, "B", "2025-04-10", "S", "C1", "N1", "2025-12-01", "X1"),
    ep(2026, "B", "2025-11-01", "P", "C2", "N1"),
    ep(2026, "C", "2025-01-01", "S", "V2", "N5"),
    ep(2026, "C", "2025-07-01", "S", "C2", "N3"),
]


def _repaired(make_tables):
    eps = make_tables(Episodes=HISTORY)["Episodes"]
    return add_periods(repair_episodes(eps)).order_by(["CHILD", "DECOM"]).to_pyarrow().to_pylist()


def test_repair_keeps_one_copy_and_names_every_change(make_tables):
    rows = _repaired(make_tables)
    got = [
        (x["CHILD"], str(x["DECOM"]), str(x["DEC"]), x["source_year"], x["repair"]) for x in rows
    ]
    assert got == [
        ("A", "2024-05-01", "2024-08-01", 2025, None),
        ("A", "2024-08-01", "2025-06-30", 2026, r.CLOSED_LATER),
        ("A", "2025-09-01", "None", 2026, r.DUPLICATE),
        ("B", "2025-04-10", "2025-11-01", 2026, r.OVERLAP),
        ("B", "2025-11-01", "None", 2026, None),
        ("C", "2025-01-01", "2025-07-01", 2026, r.CLOSED_AT_NEXT),
        ("C", "2025-07-01", "None", 2026, None),
    ]
    assert rows[3]["dec_as_returned"] == d("2025-12-01")
    assert rows[5]["dec_as_returned"] is None


def test_periods_chain_on_x1_and_start_at_s(make_tables):
    rows = _repaired(make_tables)
    got = [
        (x["CHILD"], x["period_number"], x["episode_in_period"], str(x["period_start"]),
         str(x["period_end"]), x["period_cin"], x["period_ls"], x["is_period_start"], x["is_period_end"])
        for x in rows
    ]  # fmt: skip
    assert got == [
        ("A", 1, 1, "2024-05-01", "2025-06-30", "N1", "C1", True, False),
        ("A", 1, 2, "2024-05-01", "2025-06-30", "N1", "C1", False, True),
        ("A", 2, 1, "2025-09-01", "None", "N2", "V2", True, True),
        ("B", 1, 1, "2025-04-10", "None", "N1", "C1", True, False),
        ("B", 1, 2, "2025-04-10", "None", "N1", "C1", False, True),
        ("C", 1, 1, "2025-01-01", "2025-07-01", "N5", "V2", True, True),
        ("C", 2, 1, "2025-07-01", "None", "N3", "C2", True, True),
    ]


def test_ages_in_years_and_days():
    t = ibis.memtable(
        {
            "dob": [
                dt.date(2010, 3, 31),
                dt.date(2010, 3, 31),
                dt.date(2012, 2, 29),
                dt.date(2025, 3, 25),
            ],
            "on": [
                dt.date(2026, 3, 30),
                dt.date(2026, 3, 31),
                dt.date(2013, 2, 28),
                dt.date(2025, 4, 1),
            ],
        }
    )
    out = t.mutate(y=age_years(t.dob, t.on), n=age_days(t.dob, t.on)).to_pyarrow()
    assert out["y"].to_pylist() == [15, 16, 0, 0]
    assert out["n"].to_pylist()[3] == 7
    assert out["n"].to_pylist()[2] == 365


# Repairs that change where periods break: an X1 episode running past the next start (truncated,
# so the chain holds), an open one closed at the next start, and an X1 ending before the next start.
CHAINS = [
    ep(2026, "D", "2025-04-02", "S", "C2", "N1", "2025-06-01", "X1"),
    ep(2026, "D", "2025-05-01", "L", "E1", "N1", "2025-08-01", "X1"),
    ep(2026, "D", "2025-08-01", "P", "E1", "N1"),
    ep(2026, "D", "2025-10-01", "T", "E1", "N1", "2025-12-01", "E11"),
    ep(2025, "F", "2024-06-01", "S", "C2", "N2", "2024-07-01", "X1"),
    ep(2025, "F", "2024-07-05", "P", "C2", "N2", "2025-01-01", "E4A"),
]


def test_one_pass_repair_and_periods_match_the_two_steps(make_tables):
    from carestat.stats.history import repaired_periods

    eps = make_tables(Episodes=HISTORY + CHAINS)["Episodes"]
    aged = eps.mutate(
        age_days_decom=eps._row.cast("int32") * 10, age_years_decom=eps._row.cast("int32"),
        age_days_dec=eps._row.cast("int32") * 11, age_years_dec=eps._row.cast("int32") + 1,
    )  # fmt: skip
    for table in (eps, aged):
        one = repaired_periods(table).order_by(["CHILD", "DECOM"]).to_pyarrow()
        two = add_periods(repair_episodes(table)).order_by(["CHILD", "DECOM"]).to_pyarrow()
        assert one.equals(two)
        assert one.num_rows == 13
