"""Children looked after on 31 March, during the year, and unaccompanied asylum-seeking children.

Source: DfE "Children looked after in England including adoptions", methodology, tables A1-A5.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carestat.stats.context import Context, age_on_31_march, open_at_year_end
from carestat.stats.measures.common import age_group, tally
from carestat.stats.periods import is_short_break, looked_after_on

AT_31_MARCH_BREAKDOWNS = {
    "age_group": "age_group",
    "sex": "SEX",
    "ethnicity": "ETHNIC",
    "category_of_need": "period_cin",
    "legal_status": "LS",
    "placement": "PLACE",
    "provider": "PLACE_PROVIDER",
}


def on_31_march(ctx: Context) -> ir.Table:
    """One row per child looked after on 31 March of each year (short breaks excluded), with age."""
    return ctx.derived("on_31_march", _on_31_march)


def _on_31_march(ctx: Context) -> ir.Table:
    """Build `on_31_march`."""
    # One row per child already: repair ends every episode by the start of the child's next one,
    # so at most one episode covers any moment (no per-child sort needed).
    eps = open_at_year_end(ctx, ctx.episodes.filter(~is_short_break(ctx.episodes)))
    age = age_on_31_march(eps)
    return eps.mutate(age=age, age_group=age_group(age))


def looked_after_31_march(ctx: Context) -> ir.Table:
    """Children looked after on 31 March.

    Numerator: children with an episode open at the end of 31 March (started on or before it, not
    ended on or before it), one per child. Denominator: none (a count; rates use the population).
    Exclusions: children whose open episode is a V3/V4 short break. Breakdowns: age on 31 March
    (under 1, 1-4, 5-9, 10-15, 16+), sex, ethnicity, category of need at the start of the latest
    period, legal status, placement type and provider of the open episode.
    Source: DfE "Children looked after in England including adoptions", table A1.
    """
    return tally(on_31_march(ctx), "looked_after_31_march", AT_31_MARCH_BREAKDOWNS)


def looked_after_during_year(ctx: Context) -> ir.Table:
    """Children looked after at any time during the year.

    Numerator: distinct children with any episode overlapping 1 April-31 March. Exclusions: episodes
    that are V3/V4 short breaks. Breakdowns: age on 31 March, sex.
    Source: DfE "Children looked after in England including adoptions", table A1 (during the year).
    """
    eps = year_children(ctx)
    eps = eps.filter(eps.looked_after)
    eps = eps.mutate(age_group=age_group(age_on_31_march(eps)))
    return tally(eps, "looked_after_during_year", {"age_group": "age_group", "sex": "SEX"})


def uasc_31_march(ctx: Context) -> ir.Table:
    """Unaccompanied asylum-seeking children looked after on 31 March.

    Numerator: children looked after on 31 March (as `looked_after_31_march`) who have a UASC record
    in any return of the council. Breakdowns: age group, sex.
    Source: DfE "Children looked after in England including adoptions", table A1 (UASC).
    """
    rows = on_31_march(ctx)
    rows = rows.filter(rows.uasc.fill_null(False))
    return tally(rows, "uasc_31_march", {"age_group": "age_group", "sex": "SEX"})


def placements_in_year(ctx: Context) -> ir.Table:
    """Per (council, year, child): placements held during the year (for the stability measures)."""
    rows = year_children(ctx)
    return rows.select("la", "year", "CHILD", "placements")


def year_children(ctx: Context) -> ir.Table:
    """Per (council, year, child) with an episode in the year: placements and the child's columns.

    `placements` counts every episode; `looked_after` is whether any episode was not a short
    break; `at_year_end` whether the child is in `on_31_march` (a non-short-break episode open at
    the end of 31 March). SEX and the ages are the child's own, carried through the aggregate as keys.
    """
    return ctx.derived("year_children", _year_children)


def _year_children(ctx: Context) -> ir.Table:
    """Build `year_children` from a narrow `episodes_by_year` (only the columns needed)."""
    e = ctx.episodes.select(
        "la", "CHILD", "DECOM", "DEC", "RNE", "LS", "SEX", "age_march", "age_march_year"
    )
    r = ctx.returns
    eps = e.join(
        r, (e.la == r.la) & (r.year_end >= e.DECOM) & (e.DEC.isnull() | (r.year_start <= e.DEC))
    )
    new_here = (eps.year_start <= eps.DECOM) & eps.RNE.isin(("S", "P", "T", "B"))
    keys = ["la", "year", "CHILD", "SEX", "age_march", "age_march_year"]
    per_child = eps.group_by(keys).aggregate(
        _moves=ibis.ifelse(new_here, 1, 0).sum(),
        _first=eps.DECOM.min(),
        _first_move=ibis.ifelse(new_here, eps.DECOM, ibis.null("date")).min(),
        looked_after=(~is_short_break(eps)).any(),
        at_year_end=(looked_after_on(eps, eps.year_end) & ~is_short_break(eps)).any(),
    )
    # the placement held on 1 April (or on entry) counts once unless it began as a move this year
    first_is_move = (per_child._first_move == per_child._first).fill_null(False)
    held = ibis.ifelse(first_is_move, 0, 1)
    return per_child.mutate(placements=per_child._moves + held).drop(
        "_moves", "_first", "_first_move"
    )
