"""Rules on the Missing table: missing or away-from-placement periods."""

from __future__ import annotations

from typing import Any

from carestat.rules.builtin._common import code_rule
from carestat.rules.expr import Env, bad_date, blank, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

M = "Missing"


def _m(*rows: dict[str, str]) -> Example:
    return Example({M: [{"CHILD": "1", **r} for r in rows]})


code_rule(
    "1006",
    M,
    "MISSING",
    "MISSING",
    "The missing type is not a valid code.",
    blank_ok=True,
    good="A",
)


@rule("564", [M], ["MISSING", "MIS_START"], "The child was missing or away but the start date is blank.",
      passes=[_m({"MISSING": "M", "MIS_START": "01/05/2022"})], fails=[_m({"MISSING": "M"})])  # fmt: skip
def _564(t: Env) -> dict[str, Any]:
    m = t.Missing
    bad = m.MISSING.isin(["M", "A"]) & blank(m, "MIS_START")
    return {M: flag(m, bad, msg("MISSING ", show(m, "MISSING"), " with no start date"))}


@rule("565", [M], ["MISSING", "MIS_START"], "A missing start date is given but not whether missing or away.",
      passes=[_m({"MISSING": "A", "MIS_START": "01/05/2022"})], fails=[_m({"MIS_START": "01/05/2022"})])  # fmt: skip
def _565(t: Env) -> dict[str, Any]:
    m = t.Missing
    bad = ~blank(m, "MIS_START") & m.MISSING.isnull()
    return {M: flag(m, bad, msg("MIS_START ", show(m, "MIS_START"), " but MISSING is blank"))}


@rule("566", [M], ["MISSING", "MIS_END"], "A missing end date is given but not whether missing or away.",
      passes=[_m({"MISSING": "A", "MIS_END": "01/05/2022"})], fails=[_m({"MIS_END": "01/05/2022"})])  # fmt: skip
def _566(t: Env) -> dict[str, Any]:
    m = t.Missing
    bad = ~blank(m, "MIS_END") & m.MISSING.isnull()
    return {M: flag(m, bad, msg("MIS_END ", show(m, "MIS_END"), " but MISSING is blank"))}


@rule("567", [M], ["MIS_START", "MIS_END"], "The missing period ends before it starts.",
      passes=[_m({"MIS_START": "01/05/2022", "MIS_END": "01/05/2022"})],
      fails=[_m({"MIS_START": "01/05/2022", "MIS_END": "30/04/2022"})])  # fmt: skip
def _567(t: Env) -> dict[str, Any]:
    m = t.Missing
    return {
        M: flag(
            m,
            m.MIS_START > m.MIS_END,
            msg("Missing from ", show(m, "MIS_START"), " to ", show(m, "MIS_END")),
        )
    }


@rule("570", [M], ["MIS_START"], "The missing period starts after the end of the collection year.",
      passes=[_m({"MIS_START": "{end}"})], fails=[_m({"MIS_START": "{end+1d}"})])  # fmt: skip
def _570(t: Env) -> dict[str, Any]:
    m = t.Missing
    return {
        M: flag(
            m,
            t.end < m.MIS_START,
            msg("MIS_START ", show(m, "MIS_START"), " is after the year ended"),
        )
    }


@rule("571", [M], ["MIS_END"], "The missing period ends before the start or after the end of the collection year.",
      passes=[_m({"MIS_END": "{start}"}), _m({"MIS_END": "{end}"})],
      fails=[_m({"MIS_END": "{start-1d}"}), _m({"MIS_END": "{end+1d}"})])  # fmt: skip
def _571(t: Env) -> dict[str, Any]:
    m = t.Missing
    bad = (t.start > m.MIS_END) | (t.end < m.MIS_END)
    return {M: flag(m, bad, msg("MIS_END ", show(m, "MIS_END"), " is outside the collection year"))}


@rule("574", [M], ["MIS_START", "MIS_END"], "A missing period starts while the previous one is still open.",
      passes=[_m({"MIS_START": "01/05/2022", "MIS_END": "03/05/2022"}, {"MIS_START": "03/05/2022"})],
      fails=[_m({"MIS_START": "01/05/2022"}, {"MIS_START": "03/05/2022"}),
             _m({"MIS_START": "01/05/2022", "MIS_END": "04/05/2022"}, {"MIS_START": "03/05/2022"})])  # fmt: skip
def _574(t: Env) -> dict[str, Any]:
    import ibis

    # "Previous" is read as the DfE tool and the reference do: periods in order of their end (an
    # open period at its start), so of two overlapping periods the later-ending one is flagged.
    m = t.Missing.filter(t.Missing.CHILD.notnull())
    m = m.mutate(end_fill=m.MIS_END.fill_null(m.MIS_START))
    window = ibis.window(group_by=m.CHILD, order_by=[m.end_fill, m.MIS_START, m._row])
    m = m.mutate(
        prev_mis_end=m.MIS_END.lag().over(window), has_prev=m._row.lag().over(window).notnull()
    )
    bad = m.has_prev & (m.prev_mis_end.isnull() | (m.prev_mis_end > m.MIS_START))
    return {M: flag(m, bad, msg("Missing from ", show(m, "MIS_START"), " but the previous period ends ",
                                show(m, "prev_mis_end")))}  # fmt: skip


@rule("586", [M], ["MIS_START"], "The missing period starts on or before the child's date of birth.",
      passes=[_m({"DOB": "01/05/2010", "MIS_START": "02/05/2010"})],
      fails=[_m({"DOB": "01/05/2010", "MIS_START": "01/05/2010"})])  # fmt: skip
def _586(t: Env) -> dict[str, Any]:
    m = t.Missing
    return {
        M: flag(
            m,
            m.MIS_START <= m.DOB,
            msg("MIS_START ", show(m, "MIS_START"), " for a child born ", show(m, "DOB")),
        )
    }


@rule("1004", [M], ["MIS_START"], "The missing start date is not a valid date or is blank.",
      passes=[_m({"MIS_START": "01/05/2022"})], fails=[_m({"MIS_START": "32/05/2022"}), _m({})])  # fmt: skip
def _1004(t: Env) -> dict[str, Any]:
    m = t.Missing
    return {
        M: flag(
            m, m.MIS_START.isnull(), msg("MIS_START ", show(m, "MIS_START"), " is not a valid date")
        )
    }


@rule("1005", [M], ["MIS_END"], "The missing end date is not a valid date.",
      passes=[_m({"MIS_END": "01/05/2022"}), _m({})], fails=[_m({"MIS_END": "2022-13-01"})])  # fmt: skip
def _1005(t: Env) -> dict[str, Any]:
    m = t.Missing
    return {
        M: flag(
            m, bad_date(m, "MIS_END"), msg("MIS_END ", show(m, "MIS_END"), " is not a valid date")
        )
    }
