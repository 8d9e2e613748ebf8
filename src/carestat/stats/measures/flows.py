"""Children starting and ceasing to be looked after during the year.

Source: DfE "Children looked after in England including adoptions", tables C1-C3 and D1-D3.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from carestat.stats.context import Context, in_year_of
from carestat.stats.measures.common import CEASED_AGE_GROUPS, age_group, first_per_child, tally
from carestat.stats.periods import is_short_break

CONTINUES = "X1"
DURATION_BANDS = (
    (0, "Under 1 week"), (7, "1 week to under 8 weeks"), (56, "8 weeks to under 6 months"),
    (183, "6 months to under 1 year"), (365, "1 year to under 2 years"),
    (730, "2 years to under 3 years"), (1095, "3 years to under 5 years"), (1826, "5 years and over"),
)  # fmt: skip


def starts(ctx: Context) -> ir.Table:
    """One row per child starting to be looked after in each year: the first start in the year."""
    return ctx.derived("starts", _starts)


def _starts(ctx: Context) -> ir.Table:
    """Build `starts`."""
    e = ctx.episodes
    eps = in_year_of(ctx, e.filter(e.is_period_start & ~is_short_break(e)), "DECOM")
    eps = first_per_child(eps, "DECOM")
    age, days = eps.age_years_decom, eps.age_days_decom
    newborn = ibis.cases((days < 7, "Under 7 days"), (days.notnull(), "7 days or over"), else_=None)
    return eps.mutate(
        age=age, age_group=age_group(age), newborn=newborn, uasc_label=eps.uasc.cast("string")
    )


def started_during_year(ctx: Context) -> ir.Table:
    """Children who started to be looked after during the year.

    Numerator: children with a period of care starting 1 April-31 March, counted once (their first
    start in the year). Exclusions: periods starting with a V3/V4 short break. Breakdowns: age on
    starting, whether under 7 days old, legal status and category of need of the first episode, UASC.
    Source: DfE "Children looked after in England including adoptions", table C1.
    """
    breakdowns = {"age_group": "age_group", "age_under_7_days": "newborn", "legal_status": "LS",
                  "category_of_need": "CIN", "uasc": "uasc_label"}  # fmt: skip
    return tally(starts(ctx), "started_during_year", breakdowns)


def ceasings(ctx: Context) -> ir.Table:
    """One row per child ceasing to be looked after in each year: the last ceasing in the year."""
    return ctx.derived("ceasings", _ceasings)


def _ceasings(ctx: Context) -> ir.Table:
    """Build `ceasings`."""
    e = ctx.episodes
    ended = e.DEC.notnull() & e.is_period_end & (e.REC.fill_null("") != CONTINUES)
    eps = in_year_of(ctx, e.filter(ended & ~is_short_break(e)), "DEC")
    eps = first_per_child(eps, "DEC", last=True)
    age = eps.age_years_dec
    days = eps.DEC.delta(eps.period_start, unit="day")
    cases = [(days >= low, label) for low, label in reversed(DURATION_BANDS)]
    return eps.mutate(
        age=age,
        age_group=age_group(age, CEASED_AGE_GROUPS),
        days_in_care=days,
        duration=ibis.cases(*cases, else_=None),
    )


def ceased_during_year(ctx: Context) -> ir.Table:
    """Children who ceased to be looked after during the year.

    Numerator: children whose period of care ended 1 April-31 March (REC other than X1), counted
    once (their last ceasing in the year). Exclusions: V3/V4 short-break episodes. Breakdowns: age
    on ceasing (under 1, 1-4, 5-9, 10-15, 16, 17, 18+), reason (REC), duration of the period.
    Source: DfE "Children looked after in England including adoptions", table D1.
    """
    breakdowns = {"age_group": "age_group", "reason": "REC", "duration": "duration"}
    return tally(ceasings(ctx), "ceased_during_year", breakdowns)
