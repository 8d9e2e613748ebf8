"""Derived tables every measure shares, built once from the store's current tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from carestat.stats.history import repaired_periods
from carestat.stats.periods import (
    age_days,
    age_years,
    collection_year,
    looked_after_on,
    year_end,
    year_start,
)

OLD_SEX = {"1": "M", "2": "F"}  # SEX was 1/2 until 2023-24, M/F/U from 2024-25
# Episode columns the measures use (postcodes, URN and reasons for moving are left behind: every
# window sorts whole rows, so narrow rows are fast rows), and the ages a pooled load derives.
EPISODE_COLUMNS = ("la", "year", "_row", "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE",
                   "PLACE_PROVIDER", "DEC", "REC")  # fmt: skip
DERIVED_AGES = ("age_days_decom", "age_years_decom", "age_days_dec", "age_years_dec")
Stage = Callable[[str, ir.Table], ir.Table]  # turns a derived table into one computed once


@dataclass(frozen=True)
class Context:
    """Shared inputs: the returns held, each child's header and the repaired episode history.

    `children` and `episodes` carry ages derived from the exact dates of birth (`age_march`, the
    age on 31 March of the year `age_march_year`; `age_days_decom`, `age_years_decom` and
    `age_years_dec` on each episode): taken from the store where a pooled load derived them before
    coarsening DOB, else computed from DOB. Measures use these, never DOB itself.
    """

    tables: Mapping[str, ir.Table]
    returns: ir.Table  # la, year, year_start, year_end
    children: ir.Table  # la, CHILD, DOB, SEX, ETHNIC (newest header), uasc, age_march(_year)
    episodes: ir.Table  # repaired episodes with periods, the child's header columns and ages
    stage: Stage | None = None
    memo: dict[str, ir.Table] = field(default_factory=dict)

    @property
    def materialise(self) -> bool:
        """Whether derived tables are computed once rather than inlined into every query."""
        return self.stage is not None

    def derived(self, name: str, build: Callable[[Context], ir.Table]) -> ir.Table:
        """A derived table shared by several measures, built (and staged) once per context."""
        if name not in self.memo:
            table = build(self)
            self.memo[name] = self.stage(name, table) if self.stage else table
        return self.memo[name]


def build_context(
    tables: Mapping[str, ir.Table], materialise: bool = False, stage: Stage | None = None
) -> Context:
    """Build the shared inputs from a mapping of canonical table name to Ibis table.

    With `materialise`, the derived tables are computed once into temporary tables on the engine
    (each measure would otherwise recompute the repair and the periods). `stage` replaces that
    step (the compiled plan uses it to name each derived table instead of computing it).
    """
    if stage is None and materialise:
        stage = _materialise_stage
    header = tables["Header"]
    returns = header.select("la", "year").union(tables["Episodes"].select("la", "year")).distinct()
    returns = returns.mutate(year_start=year_start(returns.year), year_end=year_end(returns.year))
    children = _children(header, tables.get("UASC"))
    if stage is not None:
        returns, children = stage("returns", returns), stage("children", children)
    episodes = tables.get("EpisodeHistory")  # kept by the store, recomputed on each load
    if episodes is None:
        raw = tables["Episodes"]
        raw = raw.select(*(c for c in (*EPISODE_COLUMNS, *DERIVED_AGES) if c in raw.columns))
        episodes = repaired_periods(raw)  # = add_periods(repair_episodes(raw)), one sort fewer
    episodes = episodes.join(children, ["la", "CHILD"], how="left").drop("la_right", "CHILD_right")
    episodes = with_episode_ages(episodes)
    if stage is not None:
        episodes = stage("episodes", episodes)
    return Context(tables, returns, children, episodes, stage=stage)


def _materialise_stage(name: str, table: ir.Table) -> ir.Table:
    """Stage by computing into a temporary table now."""
    return materialise_table(table)


def _children(header: ir.Table, uasc: ir.Table | None) -> ir.Table:
    """One row per (council, child): the newest return's header, SEX in the M/F/U coding."""
    # the newest copy by a hash aggregate of (year, position) packed in one number and a join,
    # rather than a window: no sort of every header row
    keyed = header.mutate(_key=header.year.cast("int64") * 2**33 + header._row.cast("int64"))
    newest = keyed.group_by(["la", "CHILD"]).aggregate(_pick=keyed._key.max())
    kids = keyed.join(newest, [keyed.la == newest.la, keyed._key == newest._pick])
    sex = kids.SEX.substitute(OLD_SEX)
    kids = kids.select(
        "la", "CHILD", "DOB", "ETHNIC", SEX=sex,
        age_march=derived_or(kids, "age_years_31_march", age_years(kids.DOB, year_end(kids.year))),
        age_march_year=kids.year.cast("int32"),
    )  # fmt: skip
    if uasc is None:
        return kids.mutate(uasc=ibis.literal(False))
    flagged = uasc.select("la", "CHILD").distinct().mutate(_u=ibis.literal(True))
    kids = kids.join(flagged, ["la", "CHILD"], how="left").drop("la_right", "CHILD_right")
    return kids.mutate(uasc=kids._u.fill_null(False)).drop("_u")


def derived_or(table: ir.Table, column: str, fallback: ir.Value) -> ir.Value:
    """A column derived on load (pooled stores) where the table has it and it is set, else `fallback`."""
    if column in table.columns:
        return table[column].cast(fallback.type()).coalesce(fallback)
    return fallback


def with_episode_ages(eps: ir.Table) -> ir.Table:
    """Ages at the episode's start (days and years) and end (years), from the store or from DOB."""
    return eps.mutate(
        age_days_decom=derived_or(eps, "age_days_decom", age_days(eps.DOB, eps.DECOM)),
        age_years_decom=derived_or(eps, "age_years_decom", age_years(eps.DOB, eps.DECOM)),
        age_years_dec=derived_or(eps, "age_years_dec", age_years(eps.DOB, eps.DEC)),
    )


def age_on_31_march(rows: ir.Table) -> ir.IntegerValue:
    """Age in completed years on 31 March of each row's `year` (rows carry the child's columns).

    Age on 31 March rises by exactly one a year, so the age at one year end gives every other.
    """
    return (rows.age_march + (rows.year.cast("int32") - rows.age_march_year)).cast("int32")


def episodes_by_year(ctx: Context) -> ir.Table:
    """Each repaired episode once for every collection year it overlaps (adds year, year_start, year_end)."""
    return ctx.derived("episodes_by_year", _episodes_by_year)


def _episodes_by_year(ctx: Context) -> ir.Table:
    """Build `episodes_by_year`."""
    e, r = ctx.episodes, ctx.returns
    return e.join(r, (e.la == r.la) & _overlaps(e, r)).drop("la_right")


def in_year_of(ctx: Context, rows: ir.Table, column: str) -> ir.Table:
    """Episode rows with the collection year holding their date `column` (adds year, year_start, year_end).

    The rows of `episodes_by_year` whose year holds that date, found by an equality join on the
    year rather than the overlap join (every year an episode spans), which is far larger.
    """
    rows = rows.mutate(_year=collection_year(rows[column]))
    r = ctx.returns
    out = rows.join(r, [rows.la == r.la, rows._year == r.year]).drop("_year")
    return out.filter(_overlaps(out, out))


def open_at_year_end(ctx: Context, rows: ir.Table) -> ir.Table:
    """Episode rows for each year whose 31 March they cover (adds year, year_start, year_end).

    The rows of `episodes_by_year` that `looked_after_on` the year end, joined directly.
    """
    r = ctx.returns
    covers = (rows.la == r.la) & looked_after_on(rows, r.year_end)
    return rows.join(r, covers).drop("la_right")


def _overlaps(e: ir.Table, r: ir.Table) -> ir.BooleanValue:
    """Whether an episode overlaps a collection year (the `episodes_by_year` condition)."""
    return (r.year_end >= e.DECOM) & (e.DEC.isnull() | (r.year_start <= e.DEC))


def materialise_table(expr: ir.Table) -> ir.Table:
    """Compute an expression once into a temporary table on its engine and return that table."""
    backend = expr.get_backend()
    name = f"_carestat_{uuid.uuid4().hex[:12]}"
    try:
        return backend.create_table(name, expr, temp=True)
    except NotImplementedError:  # engines without temporary tables
        return expr.cache()
