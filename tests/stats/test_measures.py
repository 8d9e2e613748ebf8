"""Every measure on the hand-built 2026 data set (see fixture_2026.py for the hand working)."""

from __future__ import annotations

import pytest

from carestat.stats.compute import compute

from .conftest import build_tables
from .fixture_2026 import BRADFORD, LEEDS, records


@pytest.fixture(scope="module")
def results():
    """All measures on the fixture, as a list of row dicts."""
    return compute(build_tables(**records())).to_pylist()


def value(rows, measure, la=LEEDS, breakdown="total", category="Total", level=None):
    """(numerator, denominator) of one cell."""
    level = level or ("Local authority" if la else "National")
    hits = [
        (r["numerator"], r["denominator"])
        for r in rows
        if r["measure"] == measure and r["la"] == la and r["breakdown"] == breakdown
        and r["category"] == category and r["geographic_level"] == level
    ]  # fmt: skip
    assert len(hits) == 1, (measure, la, breakdown, category, hits)
    return hits[0]


def counts(rows, measure, breakdown, la=LEEDS):
    """{category: count} of one council breakdown."""
    return {
        r["category"]: r["numerator"]
        for r in rows
        if r["measure"] == measure and r["la"] == la and r["breakdown"] == breakdown
    }


def test_looked_after_31_march(results):
    m = "looked_after_31_march"
    assert value(results, m)[0] == 5
    assert counts(results, m, "age_group") == {
        "Under 1": 1,
        "5 to 9": 1,
        "10 to 15": 2,
        "16 and over": 1,
    }
    assert counts(results, m, "sex") == {"M": 3, "F": 2}
    assert counts(results, m, "category_of_need") == {"N1": 3, "N4": 1, "N8": 1}
    assert counts(results, m, "legal_status") == {"C1": 2, "C2": 2, "V2": 1}
    assert counts(results, m, "placement") == {"U1": 2, "K2": 2, "U4": 1}
    assert value(results, m, la=BRADFORD)[0] == 1
    assert value(results, m, la="", level="Regional")[0] == 6
    assert value(results, m, la="")[0] == 6


def test_during_year_starts_and_ceased(results):
    assert value(results, "looked_after_during_year")[0] == 7
    s = "started_during_year"
    assert value(results, s)[0] == 3
    assert counts(results, s, "age_group") == {"Under 1": 1, "10 to 15": 1, "16 and over": 1}
    assert counts(results, s, "age_under_7_days") == {"Under 7 days": 1, "7 days or over": 2}
    assert counts(results, s, "legal_status") == {"C1": 1, "V2": 2}
    assert counts(results, s, "uasc") == {"true": 1, "false": 2}
    c = "ceased_during_year"
    assert value(results, c)[0] == 3
    assert counts(results, c, "age_group") == {"17": 1, "1 to 4": 1, "10 to 15": 1}
    assert counts(results, c, "reason") == {"E13": 1, "E11": 1, "E8": 1}
    assert counts(results, c, "duration") == {
        "2 years to under 3 years": 2,
        "1 week to under 8 weeks": 1,
    }
    assert value(results, "uasc_31_march")[0] == 1


def test_adoption_scorecard(results):
    assert value(results, "adopted_during_year")[0] == 1
    assert counts(results, "adopted_during_year", "age_group") == {"1 to 4": 1}
    assert value(results, "adoption_days_from_entering_care") == (867, 1)
    assert value(results, "adoption_a1") == (580, 1)
    assert value(results, "adoption_a2") == (335, 1)
    assert value(results, "adoption_a10") == (184, 1)
    assert value(results, "adoption_a1_3yr") == (580, 1)


def test_stability_missing_and_outcomes(results):
    assert value(results, "placements_3_or_more") == (1, 5)
    assert value(results, "long_term_stability") == (1, 2)
    assert value(results, "missing_incidents")[0] == 2
    assert value(results, "children_missing")[0] == 1
    assert value(results, "away_incidents")[0] == 1
    assert counts(results, "care_leavers", "age") == {"18": 1, "21": 1}
    assert counts(results, "care_leavers", "in_touch") == {"YES": 1, "NO": 1}
    assert value(results, "oc2_health_check") == (1, 2)
    assert value(results, "oc2_immunisations") == (2, 2)
    assert value(results, "oc2_sdq_score") == (30, 2)


def test_rates_recomputed_from_counts(results):
    assert value(results, "looked_after_31_march_rate") == (5, 10000)
    assert value(results, "looked_after_31_march_rate", la=BRADFORD) == (1, 5000)
    assert value(results, "looked_after_31_march_rate", la="") == (6, 15000)


def test_breakdowns_sum_to_totals(results):
    cells = {}
    for r in results:
        if r["kind"] == "count" and r["breakdown"] != "total":
            key = (
                r["geographic_level"],
                r["region_code"],
                r["la"],
                r["measure"],
                r["year"],
                r["breakdown"],
            )
            cells[key] = cells.get(key, 0) + r["numerator"]
    assert cells
    for (level, region, la, measure, year, _), total in cells.items():
        expected = [
            r["numerator"] for r in results
            if (r["geographic_level"], r["region_code"], r["la"], r["measure"], r["year"], r["breakdown"])
            == (level, region, la, measure, year, "total")
        ]  # fmt: skip
        assert expected == [total], (measure, la)
