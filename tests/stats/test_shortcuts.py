"""The fast formulations of the shared tables give the rows of the straightforward ones.

The statistics find the children looked after on 31 March, starting, ceasing and looked after
during the year with equality joins and aggregates instead of expanding every episode to every
year it spans and sorting each child's episodes. These tests check that on a repaired history with
overlaps, open episodes and several returns, the rows are those of the plain definitions.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pytest

from carestat.stats.context import Context, build_context, episodes_by_year
from carestat.stats.measures.flows import CONTINUES, ceasings, starts
from carestat.stats.measures.looked_after import on_31_march, year_children
from carestat.stats.periods import is_short_break, looked_after_on

from .fixture_2026 import records
from .test_periods import CHAINS, HISTORY

KEYS = ["la", "year", "CHILD"]


@pytest.fixture(scope="module")
def ctx() -> Context:
    """The hand-built 2026 councils plus a two-return history with repairs."""
    from .conftest import build_tables

    recs = records()
    recs["Episodes"] = recs["Episodes"] + HISTORY + CHAINS
    # the 2026 Leeds episodes open on 31 March 2025 appear in the 2025 return too, one left open
    recs["Episodes"] += [
        dict(row, year=2025, DEC=None, REC=None)
        for row in records()["Episodes"]
        if row["DECOM"] < "2025-04-01" and row["la"] == "E08000035"
    ]
    return build_context(build_tables(**recs), materialise=True)


def _rows(t: ir.Table, columns: list[str]) -> list[tuple]:
    """The rows of `t` as sorted tuples of `columns`."""
    df = t.select(*columns).to_pandas()
    return sorted(tuple(str(v) for v in row) for row in df.itertuples(index=False))


def _pick(t: ir.Table, order: str, last: bool) -> ir.Table:
    """The plain definition: sort each child's rows in the year and keep the first (or last)."""
    key = ibis.desc(order) if last else ibis.asc(order)
    ranked = t.mutate(_n=ibis.row_number().over(group_by=KEYS, order_by=[key]))
    return ranked.filter(ranked._n == 0)


def test_31_march_rows_are_the_episodes_covering_the_year_end(ctx: Context) -> None:
    e = episodes_by_year(ctx)
    plain = e.filter(looked_after_on(e, e.year_end) & ~is_short_break(e))
    got = _rows(on_31_march(ctx), [*KEYS, "DECOM"])
    assert got == _rows(_pick(plain, "DECOM", last=True), [*KEYS, "DECOM"])
    assert len(got) == len({row[:3] for row in got}) > 5  # one per child without sorting


def test_starts_and_ceasings_are_the_first_and_last_in_the_year(ctx: Context) -> None:
    e = episodes_by_year(ctx)
    begun = e.filter(
        (e.year_start <= e.DECOM) & (e.year_end >= e.DECOM) & e.is_period_start & ~is_short_break(e)
    )
    ended = e.filter(
        (e.year_start <= e.DEC) & (e.year_end >= e.DEC) & e.is_period_end
        & (e.REC.fill_null("") != CONTINUES) & ~is_short_break(e)
    )  # fmt: skip
    assert _rows(starts(ctx), [*KEYS, "DECOM"]) == _rows(
        _pick(begun, "DECOM", False), [*KEYS, "DECOM"]
    )
    got = _rows(ceasings(ctx), [*KEYS, "DECOM", "DEC"])
    assert got == _rows(_pick(ended, "DEC", True), [*KEYS, "DECOM", "DEC"])
    assert len(got) >= 4


def test_children_of_the_year_are_those_with_an_episode_in_it(ctx: Context) -> None:
    e = episodes_by_year(ctx)
    kids = year_children(ctx)
    during = e.filter(~is_short_break(e)).select(*KEYS).distinct()
    assert _rows(kids.filter(kids.looked_after), KEYS) == _rows(during, KEYS)
    assert _rows(kids.filter(kids.at_year_end), KEYS) == _rows(on_31_march(ctx), KEYS)
    assert _rows(kids, KEYS) == _rows(e.select(*KEYS).distinct(), KEYS)
