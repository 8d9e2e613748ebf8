"""The catalogue of fault kinds planted by `carestat.synth.faults`, each a small declared object.

A kind names the table and field it edits, how it edits them, which records can take it, and the
DfE rule codes expected to flag the faulted child, by collection year. Rules that a single-record
edit cannot trigger are listed, with the reason, in docs/explanation/fault-catalogue.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carestat.model import LINE, RAW_SUFFIX, ROW, Return
from carestat.spec.load import in_range

Edit = Callable[["EditContext", str, int], int]  # edits (field, row); returns the faulted row


def collection_dates(year: int) -> tuple[date, date]:
    """First and last day of collection `year` (2026: 1 April 2025 and 31 March 2026)."""
    return date(year - 1, 4, 1), date(year, 3, 31)


class EditContext:
    """What an edit may touch: one table's columns as Python lists, the return and the generator."""

    def __init__(
        self, ret: Return, name: str, columns: dict[str, list[Any]], rng: np.random.Generator
    ) -> None:
        self.ret, self.name, self.columns, self.rng = ret, name, columns, rng
        self.start, self.end = collection_dates(ret.year)

    def put(self, field: str, row: int, value: Any) -> int:
        """Set a field; for a date field also clear the unreadable text kept beside it."""
        self.columns[field][row] = value
        if field + RAW_SUFFIX in self.columns:
            self.columns[field + RAW_SUFFIX][row] = None
        return row

    def set_unreadable(self, field: str, row: int, text: str) -> int:
        """Put text that is not a date into a date field: the date is null, the text kept raw."""
        self.columns[field][row] = None
        self.columns[field + RAW_SUFFIX][row] = text
        return row

    def append_copy(self, row: int) -> int:
        """Append a copy of a record at the end of the table (keeps other rows' positions)."""
        new = len(self.columns[ROW])
        for values in self.columns.values():
            values.append(values[row])
        self.columns[ROW][new] = new
        lines = [line for line in self.columns[LINE] if line is not None]
        self.columns[LINE][new] = max(lines) + 1 if lines else None
        return new

    def header_children(self) -> set[str]:
        """Children present in the Header table."""
        return set(pc.drop_null(self.ret.tables["Header"].column("CHILD")).to_pylist())


# ---- edits ---------------------------------------------------------------------------------


def set_code(value: str | Callable[[int], str]) -> Edit:
    """Replace the field with a fixed code (or one chosen for the collection year)."""
    return lambda ctx, field, row: ctx.put(
        field, row, value(ctx.ret.year) if callable(value) else value
    )


def blank() -> Edit:
    """Leave the field blank."""
    return lambda ctx, field, row: ctx.put(field, row, None)


def unreadable() -> Edit:
    """Write a calendar date that does not exist (30 February), as councils' systems sometimes do."""

    def edit(ctx: EditContext, field: str, row: int) -> int:
        old = ctx.columns[field][row]
        return ctx.set_unreadable(field, row, f"30/02/{(old or ctx.end).year}")

    return edit


def relative(other: str, days: int) -> Edit:
    """Set the field to another date field of the same record plus `days`."""
    return lambda ctx, field, row: ctx.put(field, row, ctx.columns[other][row] + timedelta(days))


def fixed(when: Callable[[date, date], date]) -> Edit:
    """Set the field to a date computed from the collection year's first and last days."""
    return lambda ctx, field, row: ctx.put(field, row, when(ctx.start, ctx.end))


def duplicate() -> Edit:
    """Repeat the record at the end of the table."""
    return lambda ctx, field, row: ctx.append_copy(row)


def orphan() -> Edit:
    """Give the record a child id that the Header table does not hold."""

    def edit(ctx: EditContext, field: str, row: int) -> int:
        known, new = ctx.header_children(), "Z" + str(ctx.columns["CHILD"][row])
        while new in known:
            new = "Z" + new
        return ctx.put("CHILD", row, new)

    return edit


def other_sex() -> Edit:
    """Swap the sex code for the other valid one of the year (1/2 or M/F)."""

    def edit(ctx: EditContext, field: str, row: int) -> int:
        pair = ("M", "F") if ctx.ret.year >= 2025 else ("1", "2")
        old = ctx.columns["SEX"][row]
        return ctx.put("SEX", row, pair[1] if old == pair[0] else pair[0])

    return edit


# ---- which records can take a kind -----------------------------------------------------------


def _later_episode(table: pa.Table) -> np.ndarray:
    """Whether each episode has a later-starting episode of the same child."""
    child = table.column("CHILD").to_numpy(zero_copy_only=False)
    decom = pc.fill_null(table.column("DECOM").cast(pa.int32()), -(2**31)).to_numpy()
    order = np.lexsort((decom, child))
    later = np.zeros(len(child), dtype=bool)
    same_child_next = child[order][:-1] == child[order][1:]
    later[order[:-1]] = same_child_next
    return later


def _in_table(ret: Return, table: pa.Table, other: str) -> np.ndarray:
    """Whether each record's child appears in another table."""
    if other not in ret.tables:
        return np.zeros(table.num_rows, dtype=bool)
    others = pc.drop_null(ret.tables[other].column("CHILD")).unique()
    return pc.fill_null(pc.is_in(table.column("CHILD"), others), False).to_numpy()


Condition = Callable[[Return, pa.Table], np.ndarray]  # which records of a table qualify

CONDITIONS: dict[str, Condition] = {
    "no_uasc": lambda ret, t: ~_in_table(ret, t, "UASC"),
    "in_header": lambda ret, t: _in_table(ret, t, "Header"),
    "no_episodes": lambda ret, t: ~_in_table(ret, t, "Episodes"),
    "not_first": lambda ret, t: pc.fill_null(pc.not_equal(t.column("RNE"), "S"), False).to_numpy(),
    "has_later": lambda ret, t: _later_episode(t),
    "is_last": lambda ret, t: ~_later_episode(t),
    "open": lambda ret, t: t.column("DEC").is_null().to_numpy(zero_copy_only=False),
}


@dataclass(frozen=True)
class FaultKind:
    """One kind of planted fault: where, how, on which records, and the rules it should fire."""

    name: str
    table: str
    field: str
    how: Edit
    rules: tuple[tuple[str, tuple[str, ...]], ...]  # (collection years "2025-", rule codes)
    needs: tuple[str | Condition, ...] = ()  # fields holding a value, CONDITIONS names, predicates
    years: str = "2023-"

    def applies(self, year: int) -> bool:
        """Whether this kind is planted in collection `year`."""
        return in_range(year, self.years)

    def expected(self, year: int) -> tuple[str, ...]:
        """The rule codes expected to flag this fault in collection `year`."""
        codes: list[str] = []
        for years, rule_codes in self.rules:
            if in_range(year, years):
                codes += [c for c in rule_codes if c not in codes]
        return tuple(codes)

    def eligible(self, ret: Return) -> np.ndarray:
        """Which records of the table can take this fault (a boolean per row)."""
        table = ret.tables[self.table]
        mask = np.ones(table.num_rows, dtype=bool)
        for need in self.needs:
            if callable(need):
                mask &= need(ret, table)
            elif need in CONDITIONS:
                mask &= CONDITIONS[need](ret, table)
            else:
                mask &= table.column(need).is_valid().to_numpy(zero_copy_only=False)
        return mask

    def edit(self, ctx: EditContext, row: int) -> int:
        """Apply the fault to one record; returns the row that now carries it."""
        return self.how(ctx, self.field, row)


ALL = "2023-"  # every collection year carestat has rules for


def in_all_years(*codes: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Expected rules that are the same in every year."""
    return ((ALL, codes),)
