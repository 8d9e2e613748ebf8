"""UASC status compared with last year's return (205A, 205B, 205D), and the XML UASC flag.

A child is UASC in a year when that year's return has a UASC record for it. That is how a CSV
return says it (the reference derives its Header UASC column the same way), and the XML reader
makes a UASC record for every child whose UASC flag is set or who has a DUC. A DfE XML return
also gives each child a flag (`<UASC>0</UASC>` or `1`), which the reader keeps beside the Header
(`Return.uasc_flags`, read here as `HeaderDerived`): rules 105, 303 and 205C check that flag, and
so can fire on XML returns only, as in the reference (a CSV return has no flag to get wrong).
"""

from __future__ import annotations

from typing import Any

from carestat.model import ROW
from carestat.rules.derive import DERIVED, derived
from carestat.rules.expr import Env, add_years, children, flag, flag_both, link, msg, show
from carestat.rules.model import Example, Need, Rows
from carestat.rules.registry import rule

H, U = "Header", "UASC"
PREV: tuple[Need, ...] = ("previous",)
DOB = "01/06/2008"
BIRTHDAY_18 = "01/06/2026"
# The XML flag read as a number, as the reference reads it: "01", "+1" and "1.0" are 1.
ZERO_OR_ONE, ONE = r"^\+?0*[01](\.0*)?$", r"^\+?0*1(\.0*)?$"


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


def _flagged(t: Env, last: bool = False) -> Any:
    """Header records with their XML UASC flag (column `UASC`); none for a CSV return."""
    h = t.last(H) if last else t.Header
    name = (H + "_last" if last else H) + DERIVED
    f = derived(t, name).rename(f_row=ROW)
    return h.inner_join(f, h[ROW] == f.f_row).drop("f_row")


def _flag_is(value: str | None) -> dict[str, Rows]:
    """An XML return's child 1 (UASC flag `value`) with a UASC record holding a DUC."""
    return {H: [{"CHILD": "1", "UASC": value}], U: [{"CHILD": "1", "DUC": "{start}"}]}


@rule("105", [H], ["UASC"], "The UASC flag of an XML return is blank or not a valid code (0 or 1).",
      passes=[Example({H: [{"CHILD": "1", "UASC": "0"}, {"CHILD": "2", "UASC": "1"}]}),
              Example({H: [{"CHILD": "1", "UASC": "01"}]}, note="read as a number"),
              Example({H: [{"CHILD": "1"}]}, note="a CSV return has no flag")],
      fails=[Example({H: [{"CHILD": "1", "UASC": "2"}]}),
             Example({H: [{"CHILD": "1", "UASC": None}]}, note="<UASC/> or no <UASC>")])  # fmt: skip
def _105(t: Env) -> dict[str, Any]:
    h = _flagged(t)
    bad = h.UASC.isnull() | ~h.UASC.re_search(ZERO_OR_ONE)
    return {H: flag(h, bad, msg("UASC flag ", show(h, "UASC"), " is not 0 or 1"))}


@rule("303", [U, H], ["DUC", "UASC"], "A date UASC ceased is given but the XML return's UASC flag is not 1.",
      passes=[Example(_flag_is("1")), Example({H: [{"CHILD": "1"}], U: [{"CHILD": "1", "DUC": "{start}"}]}),
              Example({H: [{"CHILD": "1", "UASC": "0"}], U: [{"CHILD": "1", "SEX": "1"}]})],
      fails=[Example(_flag_is("0")), Example(_flag_is(None)), Example(_flag_is("2"))])  # fmt: skip
def _303(t: Env) -> dict[str, Any]:
    u = t.UASC
    joined = link(u, _flagged(t), prefix="h_")
    has_duc = joined.DUC.notnull() | joined.DUC__raw.notnull()
    bad = has_duc & (joined.h_UASC.isnull() | ~joined.h_UASC.re_search(ONE))
    what = msg("DUC ", show(joined, "DUC"), " but the UASC flag is ", show(joined, "h_UASC"))
    return flag_both(joined, bad, what, U, H, prefix="h_")


@rule("205C", [U, H], ["DUC", "UASC"],
      "The child is not UASC this year or last (by the XML return's flags), but a date UASC ceased is given.",
      needs=PREV,
      passes=[_case(_flag_is("0"), {U: [{"CHILD": "1", "DUC": "{start-1d}"}]}),
              _case(_flag_is("01"), {H: [{"CHILD": "2"}]}),
              _case(_flag_is("0"), {H: [{"CHILD": "1", "UASC": "1"}]}),
              _case(_flag_is("1"), {H: [{"CHILD": "2"}]}),
              _case({H: [{"CHILD": "1"}], U: [{"CHILD": "1", "DUC": "{start}"}]}, {H: [{"CHILD": "2"}]})],
      fails=[_case(_flag_is("0"), {H: [{"CHILD": "2"}]}),
             _case(_flag_is(None), {H: [{"CHILD": "1", "UASC": "0"}]})])  # fmt: skip
def _205c(t: Env) -> dict[str, Any]:
    joined = link(t.UASC, _flagged(t), prefix="h_")
    # "Not UASC" is a blank flag or exactly 0, as the reference compares it.
    not_now = joined.h_UASC.isnull() | (joined.h_UASC == "0")
    last_flags, last_u = _flagged(t, last=True), t.last(U)
    set_last = children(last_flags.filter(last_flags.UASC.notnull() & (last_flags.UASC != "0")))
    # Last year's status by its flags if it was an XML return, else by its UASC records.
    xml_last = last_flags.count() > 0
    uasc_last = (xml_last & joined.CHILD.isin(set_last)) | (
        ~xml_last & joined.CHILD.isin(children(last_u))
    )
    duc_last = children(last_u.filter(last_u.DUC.notnull() | last_u.DUC__raw.notnull()))
    has_duc = joined.DUC.notnull() | joined.DUC__raw.notnull() | joined.CHILD.isin(duc_last)
    bad = not_now & ~uasc_last & has_duc
    what = msg("DUC ", show(joined, "DUC"), " for a child whose UASC flag is ",
               show(joined, "h_UASC"), " and who was not UASC last year")  # fmt: skip
    return flag_both(joined, bad, what, U, H, prefix="h_")
