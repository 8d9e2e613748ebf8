"""Adoptions and the adoption scorecard timeliness measures A1, A2 and A10.

Source: DfE "Children looked after in England including adoptions", tables E1-E2, and the DfE
adoption scorecard (A1, A2, A10; published as three-year averages, see `three_year_average`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carestat.stats.context import Context
from carestat.stats.measures.common import age_group, mean_of, tally
from carestat.stats.measures.flows import ceasings

ADOPTED = ("E11", "E12")  # REC: adopted (application unopposed / opposed)
ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
WITH_FOSTER_CARER = ("A3", "A5")  # placed for adoption with the current foster carer
COURT_AUTHORITY = ("D1", "E1")  # freeing order / placement order


def adoptions(ctx: Context) -> ir.Table:
    """Children adopted in each year, with the dates the scorecard measures need."""
    return ctx.derived("adoptions", _adoptions)


def _adoptions(ctx: Context) -> ir.Table:
    """Build `adoptions`."""
    adopted = ceasings(ctx).filter(lambda t: t.REC.isin(ADOPTED))
    keys = ["la", "CHILD", "period_number"]
    # only adopted children's episodes: whole partitions of the window below, so the same result
    # as over every episode, for a few per cent of the sorting
    e = ctx.episodes.semi_join(adopted.select("la", "CHILD").distinct(), ["la", "CHILD"])
    w = ibis.window(group_by=["la", "CHILD"], order_by=["DECOM"])
    e = e.mutate(_prev_start=e.DECOM.lag().over(w))
    placed = e.filter(e.PLACE.isin(ADOPTION_PLACEMENTS))
    first = ibis.window(group_by=keys, order_by=["DECOM"])
    placed = placed.mutate(_n=ibis.row_number().over(first))
    placed = placed.filter(placed._n == 0).select(
        *keys,
        placed_date=placed.DECOM,
        clock_stop=ibis.ifelse(
            placed.PLACE.isin(WITH_FOSTER_CARER),
            placed._prev_start.fill_null(placed.DECOM),
            placed.DECOM,
        ),
    )
    orders = e.filter(e.LS.isin(COURT_AUTHORITY)).group_by(keys).aggregate(order_date=e.DECOM.min())
    ad1 = ctx.tables["AD1"]
    matches = ad1.group_by(["la", "CHILD"]).aggregate(match_date=ad1.DATE_MATCH.max())
    out = adopted.left_join(placed, keys).drop(*[f"{k}_right" for k in keys])
    out = out.left_join(orders, keys).drop(*[f"{k}_right" for k in keys])
    out = out.left_join(matches, ["la", "CHILD"]).drop("la_right", "CHILD_right")
    return out.mutate(
        a1_days=out.placed_date.delta(out.period_start, unit="day"),
        a2_days=out.match_date.delta(out.order_date, unit="day"),
        a10_days=out.clock_stop.delta(out.period_start, unit="day"),
    )


def adopted_during_year(ctx: Context) -> ir.Table:
    """Children adopted during the year.

    Numerator: children ceasing to be looked after with REC E11 or E12 (last ceasing in the year).
    Breakdowns: age on adoption (DfE adoption groups: under 1, 1-4, 5-9, 10-15, 16+).
    Source: DfE "Children looked after in England including adoptions", table E1.
    """
    rows = adoptions(ctx)

    rows = rows.mutate(adoption_age=age_group(rows.age))
    return tally(rows, "adopted_during_year", {"age_group": "adoption_age"})


def days_entering_care_to_adoption(ctx: Context) -> ir.Table:
    """Mean days from entering care (start of the period) to the adoption (ceasing date).

    Numerator: sum of days over adopted children. Denominator: adopted children. Source: DfE
    "Children looked after in England including adoptions", table E2.
    """
    return mean_of(adoptions(ctx), "adoption_days_from_entering_care", "days_in_care")


def adoption_a1(ctx: Context) -> ir.Table:
    """A1: mean days from entering care to moving in with the adoptive family (adopted children).

    Moving in = start of the first A3-A6 placement of the final period. Denominator: adopted
    children with such a placement. Source: DfE adoption scorecard, A1 (three-year average).
    """
    return mean_of(adoptions(ctx), "adoption_a1", "a1_days")


def adoption_a2(ctx: Context) -> ir.Table:
    """A2: mean days from court authority to place (first D1/E1 episode) to the match (AD1 DATE_MATCH).

    Denominator: adopted children with both dates. Source: DfE adoption scorecard, A2.
    """
    return mean_of(adoptions(ctx), "adoption_a2", "a2_days")


def adoption_a10(ctx: Context) -> ir.Table:
    """A10: A1 with the clock stopped when the child moved in with the foster carer who adopted them.

    Where the adoption placement is A3/A5 (with the current foster carer) the clock stops at the
    start of the preceding episode (the foster placement); otherwise as A1.
    Source: DfE adoption scorecard, A10.
    """
    return mean_of(adoptions(ctx), "adoption_a10", "a10_days")
