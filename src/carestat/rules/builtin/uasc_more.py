"""UASC status compared with last year's return (rules 205A, 205B, 205D).

carestat keeps no separate UASC flag: a child is UASC in a year when that year's return has a
UASC record for it. That is how a CSV return says it (the reference derives its Header UASC
column the same way), and the XML reader makes a UASC record for every child whose UASC flag is
set or who has a DUC. Rules 105, 205C and 303, which test the flag against the DUC, therefore
need the raw XML flag and are not declared (docs/explanation/reference-differences-b.md).
"""

from __future__ import annotations

from typing import Any

from carestat.rules.expr import Env, add_years, children, flag, msg, show
from carestat.rules.model import Example, Need, Rows
from carestat.rules.registry import rule

H, U = "Header", "UASC"
PREV: tuple[Need, ...] = ("previous",)
DOB = "01/06/2008"
BIRTHDAY_18 = "01/06/2026"


def _case(now: dict[str, Rows], last: dict[str, Rows]) -> Example:
    return Example(now, previous=last)


def _last_uasc(t: Env) -> Any:
    """Last year's UASC records, one per child, columns prefixed `l_`."""
    u = t.last(U)
    u = u.filter(u.CHILD.notnull())
    return u.group_by(l_child=u.CHILD).aggregate(l_duc=u.DUC.min(), l_dob=u.DOB.min())


def _header_rows(t: Env, wanted: Any) -> Any:
    """This year's Header rows of the children in the column expression `wanted`."""
    h = t.Header
    return h.filter(h.CHILD.isin(wanted))


@rule("205A", [H], ["CHILD", "UASC"],
      "The child was UASC last year and is not this year, but last year's date UASC ceased is not in last year.",
      needs=PREV,
      passes=[_case({H: [{"CHILD": "1"}]}, {U: [{"CHILD": "1", "DUC": "{start}"}]}),
              _case({H: [{"CHILD": "1"}], U: [{"CHILD": "1"}]}, {U: [{"CHILD": "1"}]})],
      fails=[_case({H: [{"CHILD": "1"}]}, {U: [{"CHILD": "1", "DUC": "{end+1d}"}]}),
             _case({H: [{"CHILD": "1"}]}, {U: [{"CHILD": "1", "DUC": "{start-1d}"}]}),
             _case({H: [{"CHILD": "1"}]}, {U: [{"CHILD": "1"}]})])  # fmt: skip
def _205a(t: Env) -> dict[str, Any]:
    last = _last_uasc(t)
    h = t.Header.filter(~t.Header.CHILD.isin(children(t.UASC)))
    h = h.inner_join(last, h.CHILD == last.l_child)
    start_last, end_last = add_years(t.start, -1), add_years(t.end, -1)
    in_last_year = (h.l_duc >= start_last) & (h.l_duc <= end_last)
    bad = ~in_last_year.fill_null(False)
    return {H: flag(h, bad, msg("Not UASC this year; last year's DUC ", show(h, "l_duc"),
                                " is not in last year"))}  # fmt: skip


@rule("205B", [U, H], ["DUC", "UASC"],
      "The child is UASC this year and last, but the dates UASC ceased in the two years disagree.",
      needs=PREV,
      passes=[_case({U: [{"CHILD": "1", "DUC": BIRTHDAY_18}], H: [{"CHILD": "1"}]},
                    {U: [{"CHILD": "1", "DOB": DOB, "DUC": BIRTHDAY_18}]}),
              _case({U: [{"CHILD": "1", "DUC": "{start}"}]}, {U: [{"CHILD": "1", "DOB": DOB, "DUC": BIRTHDAY_18}]})],
      fails=[_case({U: [{"CHILD": "1", "DUC": "{start}"}], H: [{"CHILD": "1"}]},
                   {U: [{"CHILD": "1", "DOB": DOB, "DUC": "{start}"}]}),
             _case({U: [{"CHILD": "1", "DUC": "{start-1d}"}]}, {U: [{"CHILD": "1", "DOB": DOB, "DUC": BIRTHDAY_18}]})])  # fmt: skip
def _205b(t: Env) -> dict[str, Any]:
    last = _last_uasc(t)
    u = t.UASC.inner_join(last, t.UASC.CHILD == last.l_child)
    last_is_18th = (u.l_duc == add_years(u.l_dob, 18)).fill_null(False)
    duc_this_year = ((u.DUC >= t.start) & (u.DUC <= t.end)).fill_null(False)
    same_as_last = (u.DUC == u.l_duc).fill_null(False)
    bad = ~last_is_18th | (~duc_this_year & ~same_as_last)
    found = flag(u, bad, msg("DUC ", show(u, "DUC"), " but last year's DUC ", show(u, "l_duc"),
                             " for a child born ", show(u, "l_dob")))  # fmt: skip
    flagged = u.filter(bad.fill_null(False))
    header = _header_rows(t, flagged.CHILD)
    return {
        U: found,
        H: flag(
            header, header.CHILD.notnull(), msg("UASC this year and last, but the DUCs disagree")
        ),
    }


@rule("205D", [H], ["UASC", "CHILD"], "The child is UASC this year but was not UASC in last year's return.",
      needs=PREV,
      passes=[_case({H: [{"CHILD": "1"}], U: [{"CHILD": "1"}]}, {H: [{"CHILD": "1"}], U: [{"CHILD": "1"}]}),
              _case({H: [{"CHILD": "1"}], U: [{"CHILD": "1"}]}, {H: [{"CHILD": "2"}]})],
      fails=[_case({H: [{"CHILD": "1"}], U: [{"CHILD": "1"}]}, {H: [{"CHILD": "1"}]})])  # fmt: skip
def _205d(t: Env) -> dict[str, Any]:
    h = t.Header
    bad = (h.CHILD.isin(children(t.UASC)) & h.CHILD.isin(children(t.last(H)))
           & ~h.CHILD.isin(children(t.last(U))))  # fmt: skip
    return {H: flag(h, bad, msg("UASC this year but not in last year's UASC records"))}
