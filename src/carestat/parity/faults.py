"""Fault truth check helpers: which rules each planted fault makes fire, against the catalogue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from carestat.model import Return
from carestat.synth.faults import Fault, FaultKind

Flags = dict[str, set[str]]  # child -> rules flagging one of its records


def one_of_each(ret: Return, kinds: Iterable[FaultKind]) -> list[tuple[FaultKind, int]]:
    """One (kind, row) per kind that has an eligible record, each on a child not used yet."""
    chosen, used = [], set()
    for kind in kinds:
        children = ret.tables[kind.table].column("CHILD").to_pylist()
        for row in np.flatnonzero(kind.eligible(ret)):
            if children[row] not in used:
                used.add(children[row])
                chosen.append((kind, int(row)))
                break
    return chosen


def flags_by_child(
    triples: Iterable[Iterable[Any]], children: Mapping[tuple[str, int], str]
) -> Flags:
    """Rules flagging each child's current-year records."""
    out: Flags = defaultdict(set)
    for rule, table, row in triples:
        child = children.get((str(table), int(row))) if row is not None else None
        if child is not None:
            out[child].add(str(rule))
    return out


def check(
    faults: list[Fault],
    clean: Flags,
    faulted: Flags,
    rules: frozenset[str] | None,
    where: Mapping[tuple[str, int], str] = {},
) -> list[dict]:
    """Kinds whose new rules differ from expected (expected limited to `rules` when given).

    A fault's child is the one it names and, for edits of CHILD itself, the record's new child.
    """
    bad = []
    for fault in faults:
        child = fault.child or ""
        ids = {child, where.get((fault.table, fault.row), child)}
        new = set().union(*(faulted.get(c, set()) for c in ids))
        new -= set().union(*(clean.get(c, set()) for c in ids))
        expected = set(fault.expected_rules)
        if rules is not None:
            expected &= rules
            new &= rules
        if new != expected:
            bad.append({"kind": fault.kind, "year": fault.year, "table": fault.table,
                        "row": fault.row, "child": child, "expected": sorted(expected),
                        "missing": sorted(expected - new), "extra": sorted(new - expected)})  # fmt: skip
    return bad
