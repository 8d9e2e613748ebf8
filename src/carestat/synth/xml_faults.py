"""Plant faults in a return that will be written as XML, leaving out those XML cannot carry.

The DfE XML layout nests every record under its child's HEADER, so some planted faults (a second
Header row for a child, a row whose CHILD has no Header, a UASC SEX that differs from the Header)
cannot be written at all. Those are skipped and recorded, so truth.json only lists faults that are
really in the files.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carestat.model import ROW, Return
from carestat.synth.fault_kinds import FaultKind
from carestat.synth.faults import Fault, _choose, plant
from carestat.writers.xml import xml_losses


def _lossy_tables(losses: list[str]) -> set[str]:
    """Tables named by `xml_losses` messages ("Header has ..." or "<Table>: ...")."""
    return {loss.split(":")[0].split()[0] for loss in losses}


def plant_faults_for_xml(
    ret: Return, rate: float, rng: np.random.Generator
) -> tuple[Return, list[Fault], list[dict[str, Any]]]:
    """Like `plant_faults`, but only faults the XML layout can carry; also the skipped ones."""
    chosen = _choose(ret, rate, rng)
    state = rng.bit_generator.state
    planted, faults = plant(ret, chosen, rng)
    losses = xml_losses(planted)
    if not losses:
        return _ordered(planted, faults, [])
    # A Header fault shows up as a loss in the tables that repeat the child's DOB or SEX.
    lossy = _lossy_tables(losses) | {"Header"}
    keep: list[tuple[FaultKind, int]] = []
    skipped: list[dict[str, Any]] = []
    for kind, row in chosen:
        if kind.table in lossy:
            # Test the fault alone: only the ones that make the return unwritable are dropped.
            alone, _ = plant(ret, [(kind, row)], np.random.default_rng(row))
            reasons = xml_losses(alone)
            if reasons:
                skipped.append(_skipped(ret, kind, row, reasons))
                continue
        keep.append((kind, row))
    rng.bit_generator.state = state  # same seed, same files
    planted, faults = plant(ret, keep, rng)
    still = _lossy_tables(xml_losses(planted))
    if still:
        still |= {
            "Header"
        }  # faults that only clash in combination: drop every fault in those tables
        skipped += [_skipped(ret, k, r, ["clashes with another fault"]) for k, r in keep
                    if k.table in still]  # fmt: skip
        planted, faults = plant(ret, [(k, r) for k, r in keep if k.table not in still], rng)
    return _ordered(planted, faults, skipped)


def _ordered(
    ret: Return, faults: list[Fault], skipped: list[dict[str, Any]]
) -> tuple[Return, list[Fault], list[dict[str, Any]]]:
    """The return in document order, with the faults' rows following their records."""
    ordered, moved = document_order(ret)
    faults = [replace(f, row=int(moved[f.table][f.row])) if f.table in moved else f for f in faults]
    return ordered, faults, skipped


def document_order(ret: Return) -> tuple[Return, dict[str, np.ndarray]]:
    """Rows ordered as the XML file holds them (by the child's Header position), and old → new.

    Written in this order, the CSV and XML files of one return number their rows alike, so the
    truth file's rows and the validators' rows agree in both formats.
    """
    children = ret.tables["Header"].column("CHILD").combine_chunks()
    tables, moved = dict(ret.tables), {}
    for name, table in ret.tables.items():
        if name == "Header" or table.num_rows == 0:
            continue
        position = pc.fill_null(pc.index_in(table.column("CHILD"), value_set=children), -1)
        keys = pa.table({"p": position, "r": pa.array(np.arange(table.num_rows))})
        order = pc.sort_indices(keys, sort_keys=[("p", "ascending"), ("r", "ascending")]).to_numpy()
        new = table.take(order)
        tables[name] = new.set_column(new.schema.get_field_index(ROW), ROW,
                                      pa.array(np.arange(new.num_rows, dtype=np.int64)))  # fmt: skip
        moved[name] = np.empty(len(order), dtype=np.int64)
        moved[name][order] = np.arange(len(order))
    out = Return(ret.year, ret.la, tables, dict(ret.sources), list(ret.problems), dict(ret.extras))
    return out, moved


def _skipped(ret: Return, kind: FaultKind, row: int, reasons: list[str]) -> dict[str, Any]:
    child = ret.tables[kind.table].column("CHILD")[row].as_py()
    return {"la": ret.la, "year": ret.year, "table": kind.table, "row": row, "child": child,
            "field": kind.field, "kind": kind.name, "why": "; ".join(reasons)}  # fmt: skip
