"""Shared window columns computed with Arrow: one sort per ordering, then index arithmetic.

DuckDB's window operator costs 2-5 ms per window over a council's 18k episodes whatever it
computes, and ~1 s for a national return's 21 episode windows. Every window the rules share
(`sharing.py`) is a row number, a look back or ahead within a partition (lag, lead) or a count
over a whole partition; a sort of the table's rows and a shift of positions compute those in a
few ms, on a thread while DuckDB opens. `sharing.window_spec` describes each window at compile
time; a window it cannot describe is built by DuckDB from its SQL.

A spec is a dict: `function` (row_number, lag, lead or count), `column` and `offset` (lag,
lead, count), `partition` (column names) and `order` (keys, each `{"columns": [...],
"default": "YYYY-MM-DD" or None, "descending": bool}`: the first non-blank of the columns, else
the default date). Blanks sort last, ascending or descending, as DuckDB sorts them by default.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pyarrow as pa

from carestat import kernels as pc
from carestat.arrays import from_numpy

Spec = dict[str, Any]


def window_table(table: pa.Table, kept: list[str], specs: dict[str, Spec]) -> pa.Table:
    """The `kept` columns of `table` and, after them, the window column of each spec."""
    orderings: dict[str, _Ordering] = {}
    columns = {name: table[name] for name in kept}
    for name, spec in specs.items():
        key = json.dumps([spec["partition"], spec["order"]])
        if key not in orderings:
            orderings[key] = _Ordering(table, spec["partition"], spec["order"])
        columns[name] = orderings[key].compute(table, spec)
    return pa.table(columns)


class _Ordering:
    """A table's rows in one window order: each sorted position's row and partition bounds."""

    def __init__(self, table: pa.Table, partition: list[str], order: list[dict[str, Any]]):
        keys = [table[c] for c in partition] + [_key(table, k) for k in order]
        names = [f"k{i}" for i in range(len(keys))]
        directions = ["ascending"] * len(partition)
        directions += ["descending" if k["descending"] else "ascending" for k in order]
        sort_keys = [(n, d, "at_end") for n, d in zip(names, directions, strict=True)]
        self.rows = (
            pc.sort_indices(pa.table(dict(zip(names, keys, strict=True))), sort_keys=sort_keys)
            .to_numpy().astype(np.int64)
            if keys else np.arange(table.num_rows, dtype=np.int64)
        )  # fmt: skip
        self.n = table.num_rows
        starts = np.zeros(self.n, dtype=bool)
        starts[:1] = True
        # Arrow indices, not numpy ones: `take(ndarray)` imports numpy.ma (10 ms) to convert them
        self.indices = from_numpy(self.rows, pa.int64())
        for column in (pc.take(table[c], self.indices) for c in partition):
            starts[1:] |= _differs_from_previous(column)
        self.part = np.cumsum(starts) - 1  # partition of each sorted position
        self.first = np.flatnonzero(starts)  # sorted position where each partition begins
        self.end = np.append(self.first[1:], self.n)  # ... and where the next begins

    def compute(self, table: pa.Table, spec: Spec) -> pa.Array:
        """One window column, in the table's row order."""
        position = np.arange(self.n, dtype=np.int64)
        function = spec["function"]
        if function == "row_number":
            return self._in_table_order(position - self.first[self.part] + 1)
        if function == "count":
            valid = pc.take(pc.is_valid(table[spec["column"]]), self.indices)
            counted = np.asarray(valid.to_numpy(zero_copy_only=False), dtype=np.int64)
            totals = np.add.reduceat(counted, self.first)
            return self._in_table_order(totals[self.part])
        step = -spec["offset"] if function == "lag" else spec["offset"]
        source = position + step
        inside = (source >= self.first[self.part]) & (source < self.end[self.part])
        rows = np.empty(self.n, dtype=np.int64)
        rows[self.rows] = self.rows[np.where(inside, source, 0)]
        valid = np.empty(self.n, dtype=bool)
        valid[self.rows] = inside
        return pc.take(table[spec["column"]], from_numpy(rows, pa.int64(), valid))

    def _in_table_order(self, values: np.ndarray) -> pa.Array:
        placed = np.empty(self.n, dtype=np.int64)
        placed[self.rows] = values
        return from_numpy(placed, pa.int64())


def _key(table: pa.Table, key: dict[str, Any]) -> pa.ChunkedArray:
    """An order key's values: the first non-blank of its columns, else its default date."""
    values = [table[c] for c in key["columns"]]
    if key["default"] is not None:
        values.append(pa.scalar(dt.date.fromisoformat(key["default"]), pa.date32()))
    return values[0] if len(values) == 1 else pc.coalesce(*values)


def _differs_from_previous(column: pa.ChunkedArray) -> np.ndarray:
    """Whether each value but the first differs from the one before it (two blanks are equal)."""
    if len(column) < 2:
        return np.zeros(0, dtype=bool)
    here, before = column[1:], column[:-1]
    unequal = pc.fill_null(pc.not_equal(here, before), False)
    one_blank = pc.xor(pc.is_valid(here), pc.is_valid(before))
    return np.asarray(pc.or_(unequal, one_blank).to_numpy(zero_copy_only=False), dtype=bool)
