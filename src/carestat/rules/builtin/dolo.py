"""Rules on the deprivation-of-liberty orders table (DoLo, from 2026-27).

Rule 706 (last year's open DoLO carried into this year) is not declared: 2025-26 returns have no
DoLo table (docs/explanation/reference-differences-b.md).
"""

from __future__ import annotations

from typing import Any

from carestat.rules.expr import Env, bad_date, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

D = "DoLo"
FROM_2027 = (2027, None)


def _d(*rows: dict[str, str]) -> Example:
    return Example({D: [{"CHILD": "1", **r} for r in rows]})


@rule("700", [D], ["DOLO_START"], "The DoLO start date is not a valid date.", years=FROM_2027,
      passes=[_d({"DOLO_START": "01/05/2026"})], fails=[_d({"DOLO_START": "1 May 2026"}), _d({})])  # fmt: skip
def _700(t: Env) -> dict[str, Any]:
    d = t.DoLo
    return {
        D: flag(
            d,
            d.DOLO_START.isnull(),
            msg("DOLO_START ", show(d, "DOLO_START"), " is not a valid date"),
        )
    }


@rule("701", [D], ["DOLO_END"], "The DoLO end date is not a valid date.", years=FROM_2027,
      passes=[_d({"DOLO_END": "01/05/2026"}), _d({})], fails=[_d({"DOLO_END": "00/05/2026"})])  # fmt: skip
def _701(t: Env) -> dict[str, Any]:
    d = t.DoLo
    return {
        D: flag(
            d,
            bad_date(d, "DOLO_END"),
            msg("DOLO_END ", show(d, "DOLO_END"), " is not a valid date"),
        )
    }


@rule("702", [D], ["DOLO_START", "DOLO_END"], "The DoLO ended before it started.", years=FROM_2027,
      passes=[_d({"DOLO_START": "01/05/2026", "DOLO_END": "01/05/2026"})],
      fails=[_d({"DOLO_START": "01/05/2026", "DOLO_END": "30/04/2026"})])  # fmt: skip
def _702(t: Env) -> dict[str, Any]:
    d = t.DoLo
    return {
        D: flag(
            d,
            d.DOLO_END < d.DOLO_START,
            msg("DoLO from ", show(d, "DOLO_START"), " to ", show(d, "DOLO_END")),
        )
    }


@rule("703", [D], ["DOLO_START"], "The DoLO started after the end of the collection year.", years=FROM_2027,
      passes=[_d({"DOLO_START": "{end}"})], fails=[_d({"DOLO_START": "{end+1d}"})])  # fmt: skip
def _703(t: Env) -> dict[str, Any]:
    d = t.DoLo
    return {
        D: flag(
            d,
            t.end < d.DOLO_START,
            msg("DOLO_START ", show(d, "DOLO_START"), " is after the year ended"),
        )
    }


@rule("704", [D], ["DOLO_END"], "The DoLO ended before the start or after the end of the collection year.",
      years=FROM_2027, passes=[_d({"DOLO_END": "{start}"})],
      fails=[_d({"DOLO_END": "{start-1d}"}), _d({"DOLO_END": "{end+1d}"})])  # fmt: skip
def _704(t: Env) -> dict[str, Any]:
    d = t.DoLo
    bad = (t.start > d.DOLO_END) | (t.end < d.DOLO_END)
    return {
        D: flag(d, bad, msg("DOLO_END ", show(d, "DOLO_END"), " is outside the collection year"))
    }


@rule("705", [D], ["DOLO_START", "DOLO_END"], "A DoLO starts while the previous one is still open.",
      years=FROM_2027,
      passes=[_d({"DOLO_START": "01/05/2026", "DOLO_END": "03/05/2026"}, {"DOLO_START": "03/05/2026"})],
      fails=[_d({"DOLO_START": "01/05/2026"}, {"DOLO_START": "03/05/2026"})])  # fmt: skip
def _705(t: Env) -> dict[str, Any]:
    # "Previous" as for 574: DoLOs in order of their end (an open one at its start).
    import ibis

    d = t.DoLo.filter(t.DoLo.CHILD.notnull())
    d = d.mutate(end_fill=d.DOLO_END.fill_null(d.DOLO_START))
    window = ibis.window(group_by=d.CHILD, order_by=[d.end_fill, d.DOLO_START, d._row])
    d = d.mutate(
        prev_dolo_end=d.DOLO_END.lag().over(window), has_prev=d._row.lag().over(window).notnull()
    )
    bad = d.has_prev & (d.prev_dolo_end.isnull() | (d.prev_dolo_end > d.DOLO_START))
    return {D: flag(d, bad, msg("DoLO from ", show(d, "DOLO_START"), " but the previous one ends ",
                                show(d, "prev_dolo_end")))}  # fmt: skip


@rule("708", [D], ["DOLO_START"], "The DoLO starts on or before the child's date of birth.", years=FROM_2027,
      passes=[_d({"DOB": "01/05/2010", "DOLO_START": "02/05/2010"})],
      fails=[_d({"DOB": "01/05/2010", "DOLO_START": "01/05/2010"})])  # fmt: skip
def _708(t: Env) -> dict[str, Any]:
    d = t.DoLo
    return {
        D: flag(
            d,
            d.DOLO_START <= d.DOB,
            msg("DOLO_START ", show(d, "DOLO_START"), " for a child born ", show(d, "DOB")),
        )
    }
