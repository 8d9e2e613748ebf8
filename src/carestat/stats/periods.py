"""Periods of care, ages at events and the position on a given day, as Ibis expressions.

A period of care is a chain of episodes where each episode ends with REC = X1 and the next starts
on the same day; a period starts with RNE = S (or wherever the chain breaks, if the data disagree).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

SHORT_BREAKS = ("V3", "V4")  # agreed series of short-term placements: out of headline figures
NEW_PLACEMENT = ("S", "P", "T", "B")  # RNE codes that begin a new placement
CONTINUES = "X1"  # REC meaning the period continues in a new episode the same day


def add_periods(episodes: ir.Table) -> ir.Table:
    """Add period-of-care columns to episodes (one council's history or many).

    Adds `period_number` (1, 2, ... per child), `period_start`, `period_end` (null while open),
    `is_period_start`, `is_period_end`, `episode_in_period` (1-based), `period_cin` and
    `period_ls` (the category of need and legal status at the start of the period), and
    `placement_start` (when the placement this episode belongs to began: the latest episode of the
    period so far with RNE S, P, T or B).
    """
    w = ibis.window(group_by=["la", "CHILD"], order_by=["DECOM"])
    prev_rec = episodes.REC.lag().over(w)
    prev_dec = episodes.DEC.lag().over(w)
    new = (
        (episodes.RNE == "S")
        | prev_dec.isnull()
        | (prev_rec.fill_null("") != CONTINUES)
        | (prev_dec != episodes.DECOM)
    )
    t = episodes.mutate(_new=ibis.ifelse(new, 1, 0))
    running = ibis.window(group_by=["la", "CHILD"], order_by=["DECOM"], rows=(None, 0))
    t = t.mutate(period_number=t._new.sum().over(running))
    in_period = ibis.window(group_by=["la", "CHILD", "period_number"], order_by=["DECOM"])
    t = t.mutate(
        episode_in_period=ibis.row_number().over(in_period) + 1,
        _next_period=t.period_number.lead().over(w),
    )
    t = t.mutate(
        is_period_start=t.episode_in_period == 1,
        is_period_end=t._next_period.isnull() | (t._next_period != t.period_number),
    )
    period = ibis.window(group_by=["la", "CHILD", "period_number"])
    so_far = ibis.window(
        group_by=["la", "CHILD", "period_number"], order_by=["DECOM"], rows=(None, 0)
    )
    moved = ibis.ifelse(t.RNE.isin(NEW_PLACEMENT) | t.is_period_start, t.DECOM, ibis.null("date"))
    return (
        t.mutate(
            placement_start=moved.max().over(so_far),
            period_start=t.DECOM.min().over(period),
            period_end=_first_where(t.is_period_end, t.DEC, period),
            _open=ibis.ifelse(t.is_period_end & t.DEC.isnull(), 1, 0).max().over(period),
            period_cin=_first_where(t.is_period_start, t.CIN, period),
            period_ls=_first_where(t.is_period_start, t.LS, period),
        )
        .pipe(_null_open_end)
        .drop("_new", "_next_period", "_open")
    )


def _null_open_end(t: ir.Table) -> ir.Table:
    """A period whose last episode is open has no end."""
    return t.mutate(period_end=ibis.ifelse(t._open == 1, ibis.null("date"), t.period_end))


def _first_where(flag: ir.BooleanValue, value: ir.Value, window: Any) -> ir.Value:
    """The value on the (single) row of the window where `flag` holds."""
    return ibis.ifelse(flag, value, ibis.null(value.type())).max().over(window)


def age_years(dob: ir.DateValue, on: ir.DateValue) -> ir.IntegerValue:
    """Age in completed years on a date (birthday on 29 February counts from 1 March)."""
    before_birthday = (on.month() < dob.month()) | (
        (on.month() == dob.month()) & (on.day() < dob.day())
    )
    return (on.year() - dob.year() - ibis.ifelse(before_birthday, 1, 0)).cast("int32")


def age_days(dob: ir.DateValue, on: ir.DateValue) -> ir.IntegerValue:
    """Age in days on a date (0 on the day of birth)."""
    return on.delta(dob, unit="day").cast("int32")


def year_start(year: ir.IntegerValue) -> ir.DateValue:
    """1 April at the start of a collection year (2026 -> 2025-04-01)."""
    return ibis.date(year - 1, 4, 1)


def year_end(year: ir.IntegerValue) -> ir.DateValue:
    """31 March at the end of a collection year (2026 -> 2026-03-31)."""
    return ibis.date(year, 3, 31)


def looked_after_on(episodes: ir.Table, day: ir.DateValue) -> ir.BooleanValue:
    """Whether an episode covers the end of `day` (started by then and not ended on or before it)."""
    return (day >= episodes.DECOM) & (episodes.DEC.isnull() | (day < episodes.DEC))


def is_short_break(episodes: ir.Table) -> ir.BooleanValue:
    """Whether an episode is a V3/V4 short break (excluded from headline figures)."""
    return episodes.LS.isin(SHORT_BREAKS)
