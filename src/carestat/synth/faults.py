"""Plant known faults in a synthetic return and record each one precisely (the truth file).

Each fault kind in `CATALOGUE` is a small declared object: the table and field it edits, how
(`edit`), which records can take it (`when`), and the DfE rule codes expected to flag the faulted
child in each collection year. `plant_faults` gives a share of records one fault each, at most one
per child, so that the expected rules of one fault are not masked or triggered by another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from carestat.model import RAW_SUFFIX, Return
from carestat.synth.fault_catalogue import CATALOGUE
from carestat.synth.fault_kinds import EditContext, FaultKind

__all__ = ["CATALOGUE", "Fault", "FaultKind", "kinds_for_year", "plant", "plant_faults"]


@dataclass(frozen=True)
class Fault:
    """One planted fault: where it is, what changed, and the rules expected to report it.

    `row` is the 0-based position of the record in its table; `old`/`new` are the field's text as
    a council's file would hold it (dates dd/mm/YYYY; None for blank). `expected_rules` are the
    DfE rule codes expected to flag this child (on this record for single-table rules).
    """

    la: str | None
    year: int
    table: str
    row: int
    child: str | None
    field: str
    kind: str
    old: str | None
    new: str | None
    expected_rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (expected_rules as a list)."""
        out = asdict(self)
        out["expected_rules"] = list(self.expected_rules)
        return out


def kinds_for_year(year: int) -> list[FaultKind]:
    """The catalogue's kinds that apply in collection `year` (tables present, rules in force)."""
    from carestat.spec import load_spec

    tables = load_spec(year).tables
    return [k for k in CATALOGUE if k.table in tables and k.expected(year) and k.applies(year)]


def _as_text(value: Any) -> str | None:
    """A cell value as the text a council's CSV would hold."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _choose(ret: Return, rate: float, rng: np.random.Generator) -> list[tuple[FaultKind, int]]:
    """Pick (kind, row) pairs: a share `rate` of each table's records, one fault per child."""
    kinds = kinds_for_year(ret.year)
    chosen: list[tuple[FaultKind, int]] = []
    seen: set[str] = set()
    for name, table in ret.tables.items():
        table_kinds = [k for k in kinds if k.table == name]
        if not table_kinds or table.num_rows == 0:
            continue
        rows = np.sort(
            rng.choice(table.num_rows, rng.binomial(table.num_rows, rate), replace=False)
        )
        if rows.size == 0:
            continue
        eligible = np.column_stack([k.eligible(ret)[rows] for k in table_kinds])
        scores = rng.random(eligible.shape) * eligible
        picks = scores.argmax(axis=1)
        has_kind: list[bool] = (eligible.sum(axis=1) > 0).tolist()
        children = table.column("CHILD").take(pa.array(rows)).to_pylist()
        for row, pick, ok, child in zip(rows, picks, has_kind, children, strict=True):
            if ok and child not in seen:
                seen.add(child)
                chosen.append((table_kinds[pick], int(row)))
    return chosen


def plant_faults(ret: Return, rate: float, rng: np.random.Generator) -> tuple[Return, list[Fault]]:
    """A copy of `ret` where a share `rate` of records carry one planted fault, and the faults."""
    if not 0 <= rate <= 1:
        raise ValueError(f"fault rate must be between 0 and 1, not {rate}")
    return plant(ret, _choose(ret, rate, rng), rng)


def plant(
    ret: Return, chosen: Sequence[tuple[FaultKind, int]], rng: np.random.Generator
) -> tuple[Return, list[Fault]]:
    """A copy of `ret` with the given (kind, row) faults applied, and the faults recorded."""
    tables = dict(ret.tables)
    faults: list[Fault] = []
    for name in {kind.table for kind, _ in chosen}:
        picks = [(k, r) for k, r in chosen if k.table == name]
        tables[name], planted = _apply(ret, name, picks, rng)
        faults += planted
    faults.sort(key=lambda f: (f.table, f.row))
    out = Return(ret.year, ret.la, tables, dict(ret.sources), list(ret.problems), dict(ret.extras))
    return out, faults


def _apply(
    ret: Return, name: str, picks: Sequence[tuple[FaultKind, int]], rng: np.random.Generator
) -> tuple[pa.Table, list[Fault]]:
    """Apply the chosen faults to one table: cell edits in place, duplicates appended at the end."""
    table = ret.tables[name]
    columns = {c: table.column(c).to_pylist() for c in table.column_names}
    context = EditContext(ret, name, columns, rng)
    faults = []
    for kind, row in picks:
        child = columns["CHILD"][row]
        old = _cell_text(columns, kind.field, row)
        target = kind.edit(context, row)
        faults.append(
            Fault(
                la=ret.la,
                year=ret.year,
                table=name,
                row=target,
                child=child,
                field=kind.field,
                kind=kind.name,
                old=old if target == row else None,
                new=_cell_text(columns, kind.field, target),
                expected_rules=kind.expected(ret.year),
            )
        )
    return pa.table(columns, schema=table.schema), faults


def _cell_text(columns: dict[str, list[Any]], field: str, row: int) -> str | None:
    """A cell's text: the date as dd/mm/YYYY, or the unreadable text kept beside it."""
    raw = columns.get(field + RAW_SUFFIX)
    if raw is not None and raw[row] is not None:
        return str(raw[row])
    return _as_text(columns[field][row])
