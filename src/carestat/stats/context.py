"""Derived tables every measure shares, built once from the store's current tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from carestat.stats.periods import add_periods, year_end, year_start
from carestat.stats.repair import repair_episodes

OLD_SEX = {"1": "M", "2": "F"}  # SEX was 1/2 until 2023-24, M/F/U from 2024-25


@dataclass(frozen=True)
class Context:
    """Shared inputs: the returns held, each child's header and the repaired episode history."""

    tables: Mapping[str, ir.Table]
    returns: ir.Table  # la, year, year_start, year_end
    children: ir.Table  # la, CHILD, DOB, SEX, ETHNIC (newest header), uasc (bool)
    episodes: ir.Table  # repaired episodes with periods and the child's DOB
    materialise: bool = False
    memo: dict[str, ir.Table] = field(default_factory=dict)

    def derived(self, name: str, build: Callable[[Context], ir.Table]) -> ir.Table:
        """A derived table shared by several measures, built (and materialised) once per context."""
        if name not in self.memo:
            table = build(self)
            self.memo[name] = materialise_table(table) if self.materialise else table
        return self.memo[name]


def build_context(tables: Mapping[str, ir.Table], materialise: bool = False) -> Context:
    """Build the shared inputs from a mapping of canonical table name to Ibis table.

    With `materialise`, the derived tables are computed once into temporary tables on the engine
    (each measure would otherwise recompute the repair and the periods).
    """
    header = tables["Header"]
    returns = header.select("la", "year").union(tables["Episodes"].select("la", "year")).distinct()
    returns = returns.mutate(year_start=year_start(returns.year), year_end=year_end(returns.year))
    children = _children(header, tables.get("UASC"))
    episodes = add_periods(repair_episodes(tables["Episodes"]))
    episodes = episodes.join(children, ["la", "CHILD"], how="left").drop("la_right", "CHILD_right")
    if materialise:
        returns, children, episodes = (materialise_table(x) for x in (returns, children, episodes))
    return Context(tables, returns, children, episodes, materialise=materialise)


def _children(header: ir.Table, uasc: ir.Table | None) -> ir.Table:
    """One row per (council, child): the newest return's header, SEX in the M/F/U coding."""
    newest = ibis.window(group_by=["la", "CHILD"], order_by=[ibis.desc("year"), ibis.desc("_row")])
    ranked = header.mutate(_rank=ibis.row_number().over(newest))
    kids = ranked.filter(ranked._rank == 0)
    sex = kids.SEX.substitute(OLD_SEX)
    kids = kids.select("la", "CHILD", "DOB", "ETHNIC", SEX=sex)
    if uasc is None:
        return kids.mutate(uasc=ibis.literal(False))
    flagged = uasc.select("la", "CHILD").distinct().mutate(_u=ibis.literal(True))
    kids = kids.join(flagged, ["la", "CHILD"], how="left").drop("la_right", "CHILD_right")
    return kids.mutate(uasc=kids._u.fill_null(False)).drop("_u")


def episodes_by_year(ctx: Context) -> ir.Table:
    """Each repaired episode once for every collection year it overlaps (adds year, year_start, year_end)."""
    return ctx.derived("episodes_by_year", _episodes_by_year)


def _episodes_by_year(ctx: Context) -> ir.Table:
    """Build `episodes_by_year`."""
    e, r = ctx.episodes, ctx.returns
    overlaps = (e.la == r.la) & (r.year_end >= e.DECOM) & (e.DEC.isnull() | (r.year_start <= e.DEC))
    return e.join(r, overlaps).drop("la_right")


def materialise_table(expr: ir.Table) -> ir.Table:
    """Compute an expression once into a temporary table on its engine and return that table."""
    backend = expr.get_backend()
    name = f"_carestat_{uuid.uuid4().hex[:12]}"
    try:
        return backend.create_table(name, expr, temp=True)
    except NotImplementedError:  # engines without temporary tables
        return expr.cache()
