"""Rounding and suppression at the edge, and a differencing attack on published council tables."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from carestat.privacy import publish, suppression_summary

BASE = dict(region_code="E12000003", region_name="Yorkshire and The Humber", year=2026)


def cell(level, la, measure, breakdown, category, kind, num, den=None):
    """One computed figure in the shape `carestat.stats.compute` gives."""
    return dict(BASE, geographic_level=level, la=la, la_name=la, measure=measure, breakdown=breakdown,
                category=category, kind=kind, numerator=float(num),
                denominator=None if den is None else float(den))  # fmt: skip


def table(la, measure, breakdown, values, level="Local authority"):
    """A breakdown with its total row."""
    rows = [cell(level, la, measure, "total", "Total", "count", sum(values.values()))]
    rows += [cell(level, la, measure, breakdown, k, "count", v) for k, v in values.items()]
    return rows


def test_council_counts_primary_and_secondary():
    rows = table("A", "m", "age", {"u1": 3, "1-4": 20, "5-9": 9, "10+": 40})
    out = publish(pd.DataFrame(rows))
    got = dict(zip(out["category"], out["value"], strict=True))
    # 3 is suppressed; the smallest other non-zero cell (9) joins it so 3 cannot be recovered.
    assert got == {"Total": "72", "u1": "c", "1-4": "20", "5-9": "c", "10+": "40"}
    assert suppression_summary(out) == {
        "cells": 5,
        "primary": 1,
        "secondary": 1,
        "share_suppressed": 0.4,
    }


def test_no_secondary_when_two_cells_already_hidden_or_zero_left():
    rows = table("A", "m", "sex", {"M": 2, "F": 4, "U": 0})
    out = publish(pd.DataFrame(rows))
    assert list(out["value"]) == ["6", "c", "c", "0"]
    rows = table("A", "m", "sex", {"M": 2, "F": 30}) + table("B", "m", "sex", {"M": 6, "F": 30})
    out = publish(pd.DataFrame(rows), threshold=5)
    assert list(out["value"]) == ["32", "c", "c", "36", "6", "30"]


def test_national_and_regional_counts_round_to_ten_with_k():
    rows = [
        cell("National", "", "m", "total", "Total", "count", n) for n in (0, 3, 5, 14, 15, 82347)
    ]
    out = publish(pd.DataFrame(rows))
    assert list(out["value"]) == ["0", "k", "10", "10", "20", "82350"]


def test_ratios_whole_numbers_and_symbols():
    rows = [
        cell("Local authority", "A", "p", "total", "Total", "percent", 1, 7),  # small numerator
        cell("Local authority", "A", "p", "total", "Total", "percent", 20, 30),
        cell("Local authority", "A", "r", "total", "Total", "rate", 120, 15000),
        cell("Local authority", "A", "d", "total", "Total", "mean", 1000, 3),  # 3 children
        cell("National", "", "d", "total", "Total", "mean", 1001, 2),
        cell("National", "", "p", "total", "Total", "percent", 0, 0),
        cell("National", "", "r", "total", "Total", "rate", 5, None),
    ]
    out = publish(pd.DataFrame(rows))
    assert list(out["value"]) == ["c", "67", "80", "c", "501", "z", "x"]


def _recoverable(rows: list[dict]) -> list[str]:
    """Suppressed cells determined exactly by the tables' sums (unit vector in the constraint row space).

    Each published breakdown gives one equation: its categories sum to its measure's total.
    """
    hidden = [i for i, r in enumerate(rows) if r["value"] == "c"]
    if not hidden:
        return []
    column = {i: n for n, i in enumerate(hidden)}
    totals = {(r["la"], r["measure"]): i for i, r in enumerate(rows) if r["breakdown"] == "total"}
    groups: dict[tuple, np.ndarray] = {}
    for i, r in enumerate(rows):
        key = (r["la"], r["measure"], r["breakdown"])
        if r["breakdown"] == "total":
            continue
        if key not in groups:
            groups[key] = np.zeros(len(hidden))
            t = totals[key[:2]]
            if t in column:
                groups[key][column[t]] -= 1
        if i in column:
            groups[key][column[i]] += 1
    a = np.array(list(groups.values()))
    rank = np.linalg.matrix_rank(a)
    return [
        f"{rows[i]['measure']}:{rows[i]['category']}"
        for i in hidden
        if np.linalg.matrix_rank(np.vstack([a, np.eye(len(hidden))[column[i]]])) == rank
    ]


def _pair(records: list[dict], first: dict, second: dict) -> list[dict]:
    """The published rows of two breakdown tables (given by one of their cells) and their totals."""
    wanted = {(first["measure"], first["breakdown"]), (second["measure"], second["breakdown"])}
    measures = {m for m, _ in wanted}
    return [
        r for r in records
        if (r["measure"], r["breakdown"]) in wanted or (r["breakdown"] == "total" and r["measure"] in measures)
    ]  # fmt: skip


def test_no_suppressed_cell_recovered_by_differencing_random_table_pairs():
    rng = np.random.default_rng(903)
    checked = suppressed = 0
    for trial in range(15):
        children = rng.integers(0, 40)
        tables = []
        for measure in ("m1", "m2"):
            for breakdown, n_cats in (("age", 5), ("sex", 2), ("need", 8)):
                shares = rng.dirichlet(np.ones(n_cats) * 0.5)
                values = rng.multinomial(children, shares)
                tables.append(
                    table(
                        "A",
                        measure,
                        breakdown,
                        {f"{breakdown}{k}": int(v) for k, v in enumerate(values)},
                    )
                )
        records = publish(pd.DataFrame([r for t in tables for r in t])).to_dict("records")
        suppressed += sum(r["value"] == "c" for r in records)
        for x, y in itertools.combinations(range(len(tables)), 2):
            pair = _pair(records, tables[x][1], tables[y][1])
            assert _recoverable(pair) == [], (trial, x, y)
            checked += 1
    assert checked == 15 * 15 and suppressed > 10


def test_recoverable_detects_a_lone_suppressed_cell():
    rows = [dict(la="A", measure="m", breakdown="total", category="Total", value="10"),
            dict(la="A", measure="m", breakdown="sex", category="M", value="c"),
            dict(la="A", measure="m", breakdown="sex", category="F", value="7")]  # fmt: skip
    assert _recoverable(rows) == ["m:M"]
