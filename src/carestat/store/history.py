"""Each council's repaired episode history with its periods of care, kept in the store.

Repair and periods of care need every episode of a council sorted by child and start, the
costliest step of the statistics at national scale; but they change only when that council's
returns change. So the store keeps them in `episode_history`, recomputed for the councils a load
or supersede touches in that load's own transaction (a reader never sees returns and history out
of step), and rebuilt whole when the table is missing or was made by other statistics code (a
store made before, or a carestat upgrade that changed the repair): the fingerprint of the code
that made it is kept in `carestat_meta`. The rows are exactly `repaired_periods` of the current
episodes, which the statistics read instead of computing them (`Store.current()`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ibis
import ibis.expr.types as ir

from carestat.store.backend import Writer

HISTORY_TABLE = "episode_history"
HISTORY_KEY = "episode_history"  # carestat_meta key: fingerprint of the code that made the rows


def history_fingerprint() -> str:
    """The statistics code and Ibis/sqlglot fingerprint the stored rows must match."""
    from carestat.stats.plan import code_fingerprint

    return code_fingerprint()


def history_expr(con: Any, councils: Iterable[str] | None = None) -> ir.Table:
    """The repaired history of the current episodes (of `councils` only, when given)."""
    from carestat.stats.context import DERIVED_AGES, EPISODE_COLUMNS
    from carestat.stats.history import repaired_periods

    loads = con.table("loads")
    live = loads.filter(loads.superseded_by.isnull()).select("load_id")
    episodes = con.table("episodes")
    wanted = [c for c in (*EPISODE_COLUMNS, *DERIVED_AGES) if c in episodes.columns]
    if councils is not None:
        episodes = episodes.filter(episodes.la.isin(sorted(councils)))
    return repaired_periods(episodes.semi_join(live, "load_id").select(*wanted))


def history_is_current(writer: Writer) -> bool:
    """Whether `episode_history` was made by this code (and so exists)."""
    rows = writer.execute("SELECT value FROM carestat_meta WHERE key = ?", (HISTORY_KEY,))
    return bool(rows) and rows[0][0] == history_fingerprint()


def refresh_history(writer: Writer, con: Any, councils: Iterable[str]) -> None:
    """Recompute the history of `councils` (whole, if stale); call inside the load's transaction."""
    councils = sorted(set(councils))
    if not history_is_current(writer):
        rebuild_history(writer, con)
        return
    if not councils:
        return
    marks = ", ".join("?" for _ in councils)
    writer.execute(f"DELETE FROM {HISTORY_TABLE} WHERE la IN ({marks})", councils)
    sql = _sql(con, history_expr(con, councils))
    _run(writer, f"INSERT INTO {HISTORY_TABLE} SELECT * FROM ({sql}) AS h")


def rebuild_history(writer: Writer, con: Any) -> None:
    """Drop and recompute every council's history and record the code that made it."""
    writer.execute(f"DROP TABLE IF EXISTS {HISTORY_TABLE}")
    _run(writer, f"CREATE TABLE {HISTORY_TABLE} AS {_sql(con, history_expr(con))}")
    writer.execute(
        "INSERT INTO carestat_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (HISTORY_KEY, history_fingerprint()),
    )


def ensure_history(writer: Writer, con: Any) -> None:
    """Backfill: rebuild the history in its own transaction if it is missing or stale."""
    if history_is_current(writer):
        return
    with writer.transaction():
        if not history_is_current(writer):
            rebuild_history(writer, con)


def _sql(con: Any, expr: ir.Table) -> str:
    """The expression as SQL for the store's engine (council codes inlined as literals)."""
    return str(ibis.to_sql(expr, dialect=con.name))


def _run(writer: Writer, sql: str) -> None:
    """Run compiled SQL without parameters (`Writer.execute` would rewrite `?` and `%` in it)."""
    if getattr(writer, "postgres", False):
        with writer.con.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute(sql)
    else:
        writer.con.execute(sql)  # type: ignore[attr-defined]
