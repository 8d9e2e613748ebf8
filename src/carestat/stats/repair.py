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
from ibis.expr.builders import LegacyWindowBuilder

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
    return _close_and_truncate(newest_copies(episodes))


def newest_copies(episodes: ir.Table) -> ir.Table:
    """The first step of `repair_episodes`: one copy of each episode, duplicates and corrections noted.

    Columns `_r1`-`_r3` hold the reasons so far; `close_at_next` completes the repair.
    """
    eps = episodes.filter(episodes.DECOM.notnull()).rename(source_year="year")
    return _keep_newest_copy(eps)


def _keep_newest_copy(eps: ir.Table) -> ir.Table:
    """Keep the newest return's copy of each episode, noting duplicates and later corrections.

    Done with two hash aggregates and a join rather than a window: at national scale the
    window's sort of every copy was the costliest step of the statistics. The copy kept is the
    one with the highest (return year, has an end date, position) packed into one number.
    """
    eps = eps.mutate(_key=_copy_rank(eps))
    # the aggregates read their own narrow projection, not the rows joined back below: a shared
    # subquery would make the engine keep every wide row in memory between the two reads
    few = eps.select(*EPISODE_KEY, "source_year", "DEC", "_key")
    per_year = few.group_by([*EPISODE_KEY, "source_year"]).aggregate(
        _n=few.count(),
        _pick=few._key.max(),
        _open=ibis.ifelse(few.DEC.isnull(), 1, 0).max(),
        _dec_min=few.DEC.min(),
        _dec_max=few.DEC.max(),
    )
    y = per_year
    per_episode = y.group_by(list(EPISODE_KEY)).aggregate(
        _pick=y._pick.max(),
        _newest=y.source_year.max(),
        _dup_year=ibis.ifelse(y._n > 1, y.source_year, ibis.null(y.source_year.type())).max(),
        _oldest_open=ibis.ifelse(
            y._open == 1, y.source_year, ibis.null(y.source_year.type())
        ).min(),
        _dec_min=y._dec_min.min(),
        _dec_max=y._dec_max.max(),
    )
    kept = eps.join(per_episode, [*EPISODE_KEY, eps._key == per_episode._pick])
    older_open = kept._oldest_open.notnull() & (kept._oldest_open < kept._newest)
    return kept.mutate(
        _r1=ibis.ifelse(kept._dup_year.fill_null(-1) == kept._newest, DUPLICATE, None),
        _r2=ibis.ifelse(older_open & kept.DEC.notnull(), CLOSED_LATER, None),
        _r3=ibis.ifelse(kept._dec_min != kept._dec_max, REVISED_LATER, None),
    ).drop("_key", "_pick", "_newest", "_dup_year", "_oldest_open", "_dec_min", "_dec_max")


def _copy_rank(eps: ir.Table) -> ir.IntegerValue:
    """Newest return first, then a copy with an end date, then the later position in the file."""
    has_end = ibis.ifelse(eps.DEC.notnull(), 1, 0).cast("int64")
    return eps.source_year.cast("int64") * 2**33 + has_end * 2**32 + eps._row.cast("int64")


def _close_and_truncate(eps: ir.Table) -> ir.Table:
    """Close open episodes and truncate overlapping ones at the start of the child's next episode."""
    w = ibis.window(group_by=["la", "CHILD"], order_by=["DECOM"])
    return close_at_next(eps.mutate(**next_columns(eps, w)))


def next_columns(eps: ir.Table, w: LegacyWindowBuilder) -> dict[str, ir.Value]:
    """The window columns repair needs: the next episode's start (and its ages, where derived)."""
    nexts = {"_next": eps.DECOM.lead().over(w)}
    if "age_years_decom" in eps.columns:  # derived on load: if the end moves, so do they
        nexts |= {
            f"_next_{c}": eps[c].lead().over(w) for c in ("age_years_decom", "age_days_decom")
        }
    return nexts


def close_at_next(eps: ir.Table) -> ir.Table:
    """Apply the repair given `next_columns`: end open or overlapping episodes at `_next`."""
    closes = eps.DEC.isnull() & eps._next.notnull()
    overlaps = eps.DEC.notnull() & eps._next.notnull() & (eps._next < eps.DEC)
    if "_next_age_years_decom" in eps.columns:
        moved = closes | overlaps
        eps = eps.mutate(
            age_years_dec=ibis.ifelse(moved, eps._next_age_years_decom, eps.age_years_dec),
            age_days_dec=ibis.ifelse(moved, eps._next_age_days_decom, eps.age_days_dec),
        ).drop("_next_age_years_decom", "_next_age_days_decom")
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
