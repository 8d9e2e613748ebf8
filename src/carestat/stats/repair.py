"""Repair a council's episode history across successive returns, marking every repaired row.

Each return lists the episodes open at any time in its year, so an episode open on 31 March appears
again, usually closed, in the next return. Repair keeps one copy of each episode (the newest return's,
closed in preference to open), then closes or truncates episodes that run into the child's next
episode. Nothing is changed silently: `repair` names every change and `dec_as_returned` keeps the
end date as it was returned.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

EPISODE_KEY = ("la", "CHILD", "DECOM")

DUPLICATE = "duplicate in the same return removed"
CLOSED_LATER = "open episode closed by a later return"
REVISED_LATER = "end date revised by a later return"
CLOSED_AT_NEXT = "open episode closed at the start of the next episode"
OVERLAP = "overlap with the next episode truncated"


def repair_episodes(episodes: ir.Table) -> ir.Table:
    """One row per distinct episode (council, child, start) with `repair` reasons and `source_year`.

    Adds `source_year` (the return the row was taken from), `dec_as_returned` (DEC as that return
    gave it) and `repair` (null when untouched, else '; '-separated reasons). Episodes with no DECOM
    cannot be placed in a history and are left out (the validator reports them).
    """
    eps = episodes.filter(episodes.DECOM.notnull()).rename(source_year="year")
    kept = _keep_newest_copy(eps)
    return _close_and_truncate(kept)


def _keep_newest_copy(eps: ir.Table) -> ir.Table:
    """Keep the newest return's copy of each episode, noting duplicates and later corrections.

    One window (one sort) does it all: copies newest first, so the kept row's own year is the
    newest, and a following row of the same year means a duplicate within that return.
    """
    order = ibis.window(
        group_by=list(EPISODE_KEY),
        order_by=[ibis.desc("source_year"), eps.DEC.isnull(), ibis.desc("_row")],
    )
    open_year = ibis.ifelse(eps.DEC.isnull(), eps.source_year, ibis.null(eps.source_year.type()))
    marked = eps.mutate(
        _rank=ibis.row_number().over(order),
        _next_year=eps.source_year.lead().over(order),
        _oldest_open=open_year.min().over(order),
        _dec_min=eps.DEC.min().over(order),
        _dec_max=eps.DEC.max().over(order),
    )
    kept = marked.filter(marked._rank == 0)
    older_open = kept._oldest_open.notnull() & (kept._oldest_open < kept.source_year)
    return kept.mutate(
        _r1=ibis.ifelse(kept._next_year.fill_null(-1) == kept.source_year, DUPLICATE, None),
        _r2=ibis.ifelse(older_open & kept.DEC.notnull(), CLOSED_LATER, None),
        _r3=ibis.ifelse(kept._dec_min != kept._dec_max, REVISED_LATER, None),
    ).drop("_rank", "_next_year", "_oldest_open", "_dec_min", "_dec_max")


def _close_and_truncate(eps: ir.Table) -> ir.Table:
    """Close open episodes and truncate overlapping ones at the start of the child's next episode."""
    w = ibis.window(group_by=["la", "CHILD"], order_by=["DECOM"])
    next_start = eps.DECOM.lead().over(w)
    eps = eps.mutate(_next=next_start)
    closes = eps.DEC.isnull() & eps._next.notnull()
    overlaps = eps.DEC.notnull() & eps._next.notnull() & (eps._next < eps.DEC)
    if "age_years_decom" in eps.columns:  # ages derived on load: the end moves, so do they
        eps = eps.mutate(
            age_years_dec=ibis.ifelse(
                closes | overlaps, eps.age_years_decom.lead().over(w), eps.age_years_dec
            ),
            age_days_dec=ibis.ifelse(
                closes | overlaps, eps.age_days_decom.lead().over(w), eps.age_days_dec
            ),
        )
    eps = eps.mutate(
        dec_as_returned=eps.DEC,
        DEC=ibis.ifelse(closes | overlaps, eps._next, eps.DEC),
        _r4=ibis.ifelse(closes, CLOSED_AT_NEXT, None),
        _r5=ibis.ifelse(overlaps, OVERLAP, None),
    )
    return eps.mutate(repair=_join_reasons(eps, ["_r1", "_r2", "_r3", "_r4", "_r5"])).drop(
        "_next", "_r1", "_r2", "_r3", "_r4", "_r5"
    )


def _join_reasons(t: ir.Table, columns: list[str]) -> ir.StringValue:
    """The non-null reason columns joined with '; ', or null when there are none."""
    parts = [t[c].cast("string").fill_null("") for c in columns]
    text = parts[0]
    for part in parts[1:]:
        text = ibis.ifelse((text != "") & (part != ""), text + "; " + part, text + part)
    return text.nullif("")
