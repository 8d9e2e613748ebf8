"""Periods of care, ages at events and the position on a given day, as Ibis expressions.

A period of care is a chain of episodes where each episode ends with REC = X1 and the next starts
on the same day; a period starts with RNE = S (or wherever the chain breaks, if the data disagree).
"""

from __future__ import annotations

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

    Two passes over the child's episodes in date order (neighbours, then running totals) and one
    aggregate per period: each window is a sort, the costliest step at national scale.
    """
    w = ibis.window(group_by=["la", "CHILD"], order_by=["DECOM"])
    e = episodes
    new = starts_period(e.RNE, e.REC.lag().over(w), e.DEC.lag().over(w), e.DECOM)
    next_decom = e.DECOM.lead().over(w)
    next_new = starts_period(e.RNE.lead().over(w), e.REC, e.DEC, next_decom)
    t = e.mutate(
        _new=ibis.ifelse(new, 1, 0),
        is_period_end=next_decom.isnull() | next_new,
        _rn=ibis.row_number().over(w),
    )
    return number_periods(t)


def number_periods(t: ir.Table) -> ir.Table:
    """Number the periods from marked episodes (`_new` 1 where a period starts, `_rn` the position).

    The second pass (running totals over the child's episodes) and one aggregate per period;
    `_new` and `_rn` are dropped.
    """
    running = ibis.window(group_by=["la", "CHILD"], order_by=["DECOM"], rows=(None, 0))
    moved = ibis.ifelse(t.RNE.isin(NEW_PLACEMENT) | (t._new == 1), t.DECOM, ibis.null("date"))
    t = t.mutate(
        period_number=t._new.sum().over(running),
        _start_rn=ibis.ifelse(t._new == 1, t._rn, ibis.null("int64")).max().over(running),
        placement_start=moved.max().over(running),  # dates ascend: the latest move of this period
        is_period_start=t._new == 1,
    )
    t = t.mutate(episode_in_period=(t._rn - t._start_rn + 1).cast("int64"))
    return t.join(_period_facts(t), ["la", "CHILD", "period_number"]).drop(
        "_new", "_rn", "_start_rn"
    )


def starts_period(
    rne: ir.StringValue, prev_rec: ir.StringValue, prev_dec: ir.DateValue, decom: ir.DateValue
) -> ir.BooleanValue:
    """Whether an episode begins a period: RNE S, or the previous one did not continue into it."""
    starts = (
        (rne == "S")
        | prev_dec.isnull()
        | (prev_rec.fill_null("") != CONTINUES)
        | (prev_dec != decom)
    )
    return starts.fill_null(False)


def _period_facts(t: ir.Table) -> ir.Table:
    """One row per period: its start, end (null while open) and need and status at the start."""
    facts = t.group_by(["la", "CHILD", "period_number"]).aggregate(
        period_start=t.DECOM.min(),
        period_end=ibis.ifelse(t.is_period_end, t.DEC, ibis.null("date")).max(),
        _open=ibis.ifelse(t.is_period_end & t.DEC.isnull(), 1, 0).max(),
        period_cin=ibis.ifelse(t.is_period_start, t.CIN, ibis.null("string")).max(),
        period_ls=ibis.ifelse(t.is_period_start, t.LS, ibis.null("string")).max(),
    )
    end = ibis.ifelse(facts._open == 1, ibis.null("date"), facts.period_end)
    return facts.mutate(period_end=end).drop("_open")


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


def collection_year(day: ir.DateValue) -> ir.IntegerValue:
    """The collection year (1 April to 31 March) holding a date: 2025-04-01 -> 2026."""
    return (day.year() + ibis.ifelse(day.month() >= 4, 1, 0)).cast("int32")


def looked_after_on(episodes: ir.Table, day: ir.DateValue) -> ir.BooleanValue:
    """Whether an episode covers the end of `day` (started by then and not ended on or before it)."""
    return (day >= episodes.DECOM) & (episodes.DEC.isnull() | (day < episodes.DEC))


def is_short_break(episodes: ir.Table) -> ir.BooleanValue:
    """Whether an episode is a V3/V4 short break (excluded from headline figures)."""
    return episodes.LS.isin(SHORT_BREAKS)
