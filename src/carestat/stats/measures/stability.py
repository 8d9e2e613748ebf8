"""Placement stability: short-term (3+ placements) and long-term (same placement 2+ years).

Source: DfE "Children looked after in England including adoptions", table A5 (placement stability).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carestat.stats.context import Context
from carestat.stats.measures.common import share_of
from carestat.stats.measures.looked_after import on_31_march, year_children


def three_or_more_placements(ctx: Context) -> ir.Table:
    """Percentage of children looked after on 31 March who had 3 or more placements in the year.

    Numerator: those with 3+ placements (the placement held at the start of the year or on entry,
    plus each new placement: RNE S, P, T or B). Denominator: looked after on 31 March (short breaks
    excluded). Source: DfE "Children looked after in England including adoptions", table A5.
    """
    rows = year_children(ctx)  # the children of on_31_march, flagged there: no join needed
    rows = rows.filter(rows.at_year_end)
    rows = rows.mutate(three_plus=rows.placements >= 3)
    return share_of(rows, "placements_3_or_more", "three_plus")


def long_term_stability(ctx: Context) -> ir.Table:
    """Percentage of under-16s looked after 2.5+ years who were in the same placement for 2+ years.

    Denominator: looked after on 31 March, aged under 16, whose current period began at least
    2.5 years before 31 March. Numerator: those whose current placement (latest RNE S, P, T or B
    episode) began at least 2 years before 31 March. Source: DfE, table A5.
    """
    rows = on_31_march(ctx)
    rows = rows.filter(
        (rows.age < 16) & (rows.period_start <= rows.year_end - ibis.interval(months=30))
    )
    rows = rows.mutate(same_2_years=rows.placement_start <= rows.year_end - ibis.interval(years=2))
    return share_of(rows, "long_term_stability", "same_2_years")
