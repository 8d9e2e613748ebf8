"""Rules on the AD1 and PlacedAdoption tables alone: adoption dates, adopters, decisions."""

from __future__ import annotations

from typing import Any

from carestat.rules.builtin._common import code_rule, date_rule
from carestat.rules.expr import Env, blank, flag, msg, neighbours, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

A = "AD1"
P = "PlacedAdoption"
AD1_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


def _a(note: str = "", **fields: str) -> Example:
    return Example({A: [{"CHILD": "1", **fields}]}, note=note)


def _p(*rows: dict[str, str]) -> Example:
    return Example({P: [{"CHILD": "1", **r} for r in rows]})


date_rule(
    "112", A, "DATE_INT", "The date the child should be placed for adoption is not a valid date."
)
date_rule("113", A, "DATE_MATCH", "The date of matching child and adopters is not a valid date.")
code_rule(
    "114",
    A,
    "FOSTER_CARE",
    "YES_NO",
    "Whether adopted by former carers is not 0 or 1.",
    blank_ok=True,
    good="1",
)
code_rule(
    "175",
    A,
    "NB_ADOPTR",
    "NB_ADOPTR",
    "The number of adopters is not a valid code.",
    blank_ok=True,
    good="2",
)
code_rule(
    "176",
    A,
    "SEX_ADOPTR",
    "SEX_ADOPTR",
    "The adopters' sex is not a valid code.",
    blank_ok=True,
    good="MF",
)
code_rule(
    "177",
    A,
    "LS_ADOPTR",
    "LS_ADOPTR",
    "The adopters' legal status is not a valid code.",
    blank_ok=True,
    good="L0",
)
date_rule(
    "115", P, "DATE_PLACED", "The date of the decision to place for adoption is not a valid date."
)
date_rule(
    "116",
    P,
    "DATE_PLACED_CEASED",
    "The date of the decision to stop placing for adoption is not a valid date.",
)
code_rule("120", P, "REASON_PLACED_CEASED", "REASON_PLACED_CEASED",
          "The reason the adoption decision was reversed is not a valid code.", blank_ok=True, good="RD1")  # fmt: skip


@rule("151", [A], AD1_FIELDS, "The adoption items must all be given or all blank.",
      passes=[_a(), _a(DATE_INT="01/01/2022", DATE_MATCH="01/02/2022", FOSTER_CARE="0", NB_ADOPTR="1",
                     SEX_ADOPTR="F1", LS_ADOPTR="L0"),
              _a(DATE_INT="01/01/2022", DATE_MATCH="31/04/2022", FOSTER_CARE="0", NB_ADOPTR="1",
                 SEX_ADOPTR="F1", LS_ADOPTR="L0", note="an unreadable date is given (113 reports it)")],
      fails=[_a(DATE_INT="01/01/2022")])  # fmt: skip
def _151(t: Env) -> dict[str, Any]:
    import ibis

    a = t.AD1
    given = [~blank(a, f) for f in AD1_FIELDS]  # an unreadable date is given, not blank
    some, every = ibis.or_(*given), ibis.and_(*given)
    return {A: flag(a, some & ~every, msg("Some adoption items are blank: DATE_INT ", show(a, "DATE_INT"),
                                          ", DATE_MATCH ", show(a, "DATE_MATCH"), ", SEX_ADOPTR ", show(a, "SEX_ADOPTR")))}  # fmt: skip


@rule("333", [A], ["DATE_INT"], "The date should be placed must be on or before the date of matching.",
      passes=[_a(DATE_INT="01/01/2022", DATE_MATCH="01/01/2022")],
      fails=[_a(DATE_INT="02/01/2022", DATE_MATCH="01/01/2022"), _a(DATE_MATCH="01/01/2022")])  # fmt: skip
def _333(t: Env) -> dict[str, Any]:
    a = t.AD1
    bad = a.DATE_MATCH.notnull() & (a.DATE_INT.isnull() | (a.DATE_INT > a.DATE_MATCH))
    return {
        A: flag(
            a,
            bad,
            msg("DATE_INT ", show(a, "DATE_INT"), " with DATE_MATCH ", show(a, "DATE_MATCH")),
        )
    }


def _adopters(code: str, message: str, ls: str, allowed: list[str], good: str, wrong: str) -> None:
    def check(t: Env) -> dict[str, Any]:
        a = t.AD1
        bad = (ls == a.LS_ADOPTR) & (a.SEX_ADOPTR.isnull() | ~a.SEX_ADOPTR.isin(allowed))
        return {A: flag(a, bad, msg(f"LS_ADOPTR '{ls}' with SEX_ADOPTR ", show(a, "SEX_ADOPTR")))}

    rule(code, [A], ["LS_ADOPTR", "SEX_ADOPTR"], message,
         passes=[_a(LS_ADOPTR=ls, SEX_ADOPTR=good)], fails=[_a(LS_ADOPTR=ls, SEX_ADOPTR=wrong)])(check)  # fmt: skip


_adopters("514", "A single adopter (L0) must be coded M1 or F1.", "L0", ["M1", "F1"], "F1", "MF")
_adopters("517", "A step-parent adoption (L3) must be coded MF.", "L3", ["MF"], "MF", "MM")
_adopters("518", "Other adopters (L4) must be coded MM or FF.", "L4", ["MM", "FF"], "FF", "MF")
_adopters(
    "519",
    "An unmarried couple (L2) must be coded MM, FF or MF.",
    "L2",
    ["MM", "FF", "MF"],
    "MF",
    "M1",
)
_adopters("520", "A married couple (L11) must be coded MF.", "L11", ["MF"], "MF", "FF")
_adopters("524", "Civil partners (L12) must be coded MM or FF.", "L12", ["MM", "FF"], "MM", "MF")


@rule("511", [A], ["NB_ADOPTR", "SEX_ADOPTR"], "Two adopters must be coded MM, FF or MF.",
      passes=[_a(NB_ADOPTR="2", SEX_ADOPTR="MM")], fails=[_a(NB_ADOPTR="2", SEX_ADOPTR="F1")])  # fmt: skip
def _511(t: Env) -> dict[str, Any]:
    a = t.AD1
    bad = (a.NB_ADOPTR == "2") & a.SEX_ADOPTR.isin(["M1", "F1"])
    return {A: flag(a, bad, msg("NB_ADOPTR '2' with SEX_ADOPTR ", show(a, "SEX_ADOPTR")))}


@rule("119", [P], ["REASON_PLACED_CEASED", "DATE_PLACED_CEASED"],
      "The date and the reason a decision to place for adoption was reversed must both be given or both blank.",
      passes=[_p({}), _p({"DATE_PLACED_CEASED": "01/01/2022", "REASON_PLACED_CEASED": "RD1"})],
      fails=[_p({"DATE_PLACED_CEASED": "01/01/2022"}), _p({"REASON_PLACED_CEASED": "RD1"})])  # fmt: skip
def _119(t: Env) -> dict[str, Any]:
    p = t.PlacedAdoption
    has_date = p.DATE_PLACED_CEASED.notnull() | p.DATE_PLACED_CEASED__raw.notnull()
    bad = has_date != p.REASON_PLACED_CEASED.notnull()
    return {P: flag(p, bad, msg("DATE_PLACED_CEASED ", show(p, "DATE_PLACED_CEASED"), " with REASON_PLACED_CEASED ",
                                show(p, "REASON_PLACED_CEASED")))}  # fmt: skip


@rule("522", [P], ["DATE_PLACED", "DATE_PLACED_CEASED"], "The decision to place for adoption was reversed before it was made.",
      passes=[_p({"DATE_PLACED": "01/01/2022", "DATE_PLACED_CEASED": "01/01/2022"})],
      fails=[_p({"DATE_PLACED": "02/01/2022", "DATE_PLACED_CEASED": "01/01/2022"})])  # fmt: skip
def _522(t: Env) -> dict[str, Any]:
    p = t.PlacedAdoption
    bad = p.DATE_PLACED_CEASED < p.DATE_PLACED
    return {P: flag(p, bad, msg("DATE_PLACED ", show(p, "DATE_PLACED"), " is after DATE_PLACED_CEASED ",
                                show(p, "DATE_PLACED_CEASED")))}  # fmt: skip


@rule("563", [P], ["DATE_PLACED", "REASON_PLACED_CEASED", "DATE_PLACED_CEASED"],
      "The decision to place for adoption was reversed but its date is blank.",
      passes=[_p({"DATE_PLACED": "01/01/2022", "DATE_PLACED_CEASED": "01/02/2022", "REASON_PLACED_CEASED": "RD1"})],
      fails=[_p({"DATE_PLACED_CEASED": "01/02/2022", "REASON_PLACED_CEASED": "RD1"})])  # fmt: skip
def _563(t: Env) -> dict[str, Any]:
    p = t.PlacedAdoption
    bad = (
        p.REASON_PLACED_CEASED.notnull()
        & p.DATE_PLACED_CEASED.notnull()
        & p.DATE_PLACED.isnull()
        & p.DATE_PLACED__raw.isnull()
    )
    return {
        P: flag(
            p, bad, msg("Reversed on ", show(p, "DATE_PLACED_CEASED"), " but DATE_PLACED is blank")
        )
    }


@rule("579", [P], ["DATE_PLACED", "DATE_PLACED_CEASED"],
      "A decision to place for adoption starts while the previous decision is still open.",
      passes=[_p({"DATE_PLACED": "01/01/2022", "DATE_PLACED_CEASED": "01/02/2022"}, {"DATE_PLACED": "01/02/2022"})],
      fails=[_p({"DATE_PLACED": "01/01/2022"}, {"DATE_PLACED": "01/02/2022"})])  # fmt: skip
def _579(t: Env) -> dict[str, Any]:
    p = neighbours(
        t.PlacedAdoption.filter(t.PlacedAdoption.DATE_PLACED.notnull()),
        "DATE_PLACED_CEASED",
        order_by="DATE_PLACED",
    )
    bad = p.has_prev & (
        p.prev_date_placed_ceased.isnull() | (p.prev_date_placed_ceased > p.DATE_PLACED)
    )
    return {P: flag(p, bad, msg("Decision of ", show(p, "DATE_PLACED"), " while the previous one ends ",
                                show(p, "prev_date_placed_ceased")))}  # fmt: skip


@rule("583", [P], ["DATE_PLACED", "DATE_PLACED_CEASED"],
      "An earlier decision to place for adoption has not been reversed though a later one exists.",
      passes=[_p({"DATE_PLACED": "01/01/2022", "DATE_PLACED_CEASED": "01/02/2022"}, {"DATE_PLACED": "01/03/2022"})],
      fails=[_p({"DATE_PLACED": "01/01/2022"}, {"DATE_PLACED": "01/03/2022"})])  # fmt: skip
def _583(t: Env) -> dict[str, Any]:
    p = neighbours(t.PlacedAdoption, order_by="DATE_PLACED")
    bad = p.has_next & p.DATE_PLACED_CEASED.isnull()
    return {
        P: flag(
            p,
            bad,
            msg("Decision of ", show(p, "DATE_PLACED"), " is not reversed but a later one exists"),
        )
    }
