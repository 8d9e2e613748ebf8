"""Rules linking tables of the same return by child: motherhood, UPN, adoption records."""

from __future__ import annotations

from typing import Any

from carestat.rules.expr import Env, blank, children, flag, flag_both, link, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

H, E, A, PA = "Header", "Episodes", "AD1", "PlacedAdoption"
SHORT_BREAKS = ["V3", "V4"]


def _female(year: int) -> str:
    return "2" if year <= 2024 else "F"


def _393(female: str) -> Any:
    def check(t: Env) -> dict[str, Any]:
        h = t.Header
        e = t.Episodes
        looked_after = children(e.filter(~e.LS.isin(SHORT_BREAKS) | e.LS.isnull()))
        bad = (h.SEX == female) & h.MOTHER.isnull() & h.CHILD.isin(looked_after)
        return {H: flag(h, bad, msg("MOTHER is blank for a girl looked after"))}

    return check


for first, last in ((2023, 2024), (2025, None)):
    f = _female(first)
    rule("393", [H, E], ["MOTHER"], "A girl is looked after but whether she is a mother is blank.", years=(first, last),
         passes=[Example({H: [{"CHILD": "1", "SEX": f, "MOTHER": "0"}], E: [{"CHILD": "1", "LS": "C2"}]}),
                 Example({H: [{"CHILD": "1", "SEX": f}], E: [{"CHILD": "1", "LS": "V3"}]})],
         fails=[Example({H: [{"CHILD": "1", "SEX": f}], E: [{"CHILD": "1", "LS": "C2"}]})])(_393(f))  # fmt: skip


@rule("442", [H, E], ["UPN"], "The UPN is blank for a child looked after (other than short breaks).",
      passes=[Example({H: [{"CHILD": "1", "UPN": "UN1"}], E: [{"CHILD": "1", "LS": "C2"}]}),
              Example({H: [{"CHILD": "1"}], E: [{"CHILD": "1", "LS": "V4"}]})],
      fails=[Example({H: [{"CHILD": "1"}], E: [{"CHILD": "1", "LS": "C2"}]})])  # fmt: skip
def _442(t: Env) -> dict[str, Any]:
    h, e = t.Header, t.Episodes
    looked_after = children(e.filter(~e.LS.isin(SHORT_BREAKS) | e.LS.isnull()))
    return {H: flag(h, h.UPN.isnull() & h.CHILD.isin(looked_after), msg("UPN is blank"))}


def _607(female: str) -> Any:
    def check(t: Env) -> dict[str, Any]:
        j = link(t.Episodes, t.Header)
        ceased = j.DEC.notnull() & j.REC.notnull() & (j.REC != "X1")
        in_year = (j.DEC >= t.start) & (j.DEC <= t.end)
        bad = (
            ceased & in_year & ~j.LS.isin(SHORT_BREAKS) & (j.r_SEX == female) & j.r_MOTHER.isnull()
        )
        return flag_both(
            j,
            bad,
            msg("Ceased ", show(j, "DEC"), " (", show(j, "REC"), ") but MOTHER is blank"),
            E,
            H,
        )

    return check


for first, last in ((2023, 2024), (2025, None)):
    f = _female(first)
    rule("607", [E, H], ["DEC", "REC", "MOTHER", "LS", "SEX"],
         "A girl ceased to be looked after this year but whether she is a mother is blank.", years=(first, last),
         passes=[Example({H: [{"CHILD": "1", "SEX": f, "MOTHER": "0"}], E: [{"CHILD": "1", "LS": "C2", "DEC": "{end}", "REC": "E8"}]})],
         fails=[Example({H: [{"CHILD": "1", "SEX": f}], E: [{"CHILD": "1", "LS": "C2", "DEC": "{end}", "REC": "E8"}]})],
         )(_607(f))  # fmt: skip


OTHERS = ("PlacedAdoption", "Missing", "Reviews", "AD1", "PrevPerm", "OC2")


@rule("1012", list(OTHERS), ["CHILD"], "Only OC3 data may be returned for a child with no episodes this year.",
      passes=[Example({E: [{"CHILD": "1"}], "Reviews": [{"CHILD": "1"}]})],
      fails=[Example({E: [{"CHILD": "1"}], "Reviews": [{"CHILD": "2"}]}), Example({"OC2": [{"CHILD": "2"}]})])  # fmt: skip
def _1012(t: Env) -> dict[str, Any]:
    looked_after = children(t.Episodes)
    found = {}
    for name in OTHERS:
        other = t.table(name)
        found[name] = flag(other, ~other.CHILD.isin(looked_after), msg("Child ", show(other, "CHILD"),
                                                                         " has no episodes this year"))  # fmt: skip
    return found


AD1_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


@rule("134", ["OC3", A], ["IN_TOUCH", "ACTIV", "ACCOM", *AD1_FIELDS], "Adoption data should not be given for a care leaver (OC3).",
      passes=[Example({"OC3": [{"CHILD": "1", "IN_TOUCH": "YES"}], A: [{"CHILD": "2", "DATE_INT": "01/01/2020"}]})],
      fails=[Example({"OC3": [{"CHILD": "1", "IN_TOUCH": "YES"}], A: [{"CHILD": "1", "DATE_INT": "01/01/2020"}]})])  # fmt: skip
def _134(t: Env) -> dict[str, Any]:
    import ibis

    j = link(t.AD1, t.OC3)
    oc3 = ibis.or_(*[j[f"r_{f}"].notnull() for f in ("IN_TOUCH", "ACTIV", "ACCOM")])
    ad1 = ibis.or_(
        *[
            j[f].notnull() | (j[f + "__raw"].notnull() if f + "__raw" in j.columns else False)
            for f in AD1_FIELDS
        ]
    )
    return {A: flag(j, oc3 & ad1, msg("Adoption data for care leaver ", show(j, "CHILD")))}


@rule("331", [A, E], ["DATE_MATCH", "DECOM", "REC"], "The date of matching is after the adoption placement began.",
      passes=[Example({A: [{"CHILD": "1", "DATE_MATCH": "01/01/2022"}], E: [{"CHILD": "1", "DECOM": "01/01/2022", "REC": "E11"}]})],
      fails=[Example({A: [{"CHILD": "1", "DATE_MATCH": "02/01/2022"}], E: [{"CHILD": "1", "DECOM": "01/01/2022", "REC": "E12"}]})])  # fmt: skip
def _331(t: Env) -> dict[str, Any]:
    j = link(t.AD1, t.Episodes)
    bad = j.r_REC.isin(["E11", "E12"]) & (j.DATE_MATCH > j.r_DECOM)
    return flag_both(
        j,
        bad,
        msg("Matched ", show(j, "DATE_MATCH"), " after placement on ", show(j, "r_DECOM")),
        A,
        E,
    )


@rule("523", [PA, A], ["DATE_PLACED", "DATE_INT"], "The decision to place for adoption differs from the date should be placed (AD1).",
      passes=[Example({PA: [{"CHILD": "1", "DATE_PLACED": "01/01/2022"}], A: [{"CHILD": "1", "DATE_INT": "01/01/2022"}]})],
      fails=[Example({PA: [{"CHILD": "1", "DATE_PLACED": "02/01/2022"}], A: [{"CHILD": "1", "DATE_INT": "01/01/2022"}]})])  # fmt: skip
def _523(t: Env) -> dict[str, Any]:
    j = link(t.PlacedAdoption, t.AD1)
    bad = j.DATE_PLACED.notnull() & j.r_DATE_INT.notnull() & (j.DATE_PLACED != j.r_DATE_INT)
    return flag_both(
        j,
        bad,
        msg("DATE_PLACED ", show(j, "DATE_PLACED"), " but DATE_INT ", show(j, "r_DATE_INT")),
        PA,
        A,
    )


@rule("525", [PA, A], ["DATE_PLACED_CEASED", *AD1_FIELDS], "The decision to place for adoption was reversed but adoption data is given.",
      passes=[Example({PA: [{"CHILD": "1", "DATE_PLACED_CEASED": "01/01/2022"}], A: [{"CHILD": "1"}]})],
      fails=[Example({PA: [{"CHILD": "1", "DATE_PLACED_CEASED": "01/01/2022"}], A: [{"CHILD": "1", "NB_ADOPTR": "1"}]})])  # fmt: skip
def _525(t: Env) -> dict[str, Any]:
    import ibis

    j = link(t.PlacedAdoption, t.AD1)
    # An unreadable date is a date given (115/112/113 report it), not a blank.
    adopted = ibis.or_(*[~blank(j, f"r_{f}") for f in AD1_FIELDS])
    bad = ~blank(j, "DATE_PLACED_CEASED") & adopted
    return flag_both(
        j,
        bad,
        msg("Reversed ", show(j, "DATE_PLACED_CEASED"), " but adoption data is given"),
        PA,
        A,
    )


@rule("210", [H, E], ["UPN", "DECOM"], "A child looked after for more than a week at 31 March should not have UPN UN4.",
      passes=[Example({H: [{"CHILD": "1", "UPN": "UN4"}], E: [{"CHILD": "1", "DECOM": "{end-8d}"}]})],
      fails=[Example({H: [{"CHILD": "1", "UPN": "UN4"}], E: [{"CHILD": "1", "DECOM": "{end-7d}"}]})])  # fmt: skip
def _210(t: Env) -> dict[str, Any]:
    import datetime as dt

    from carestat.rules.expr import date

    j = link(t.Episodes, t.Header)
    bad = (j.r_UPN == "UN4") & (j.DECOM >= date(dt.date(t.year, 3, 24)))
    return flag_both(j, bad, msg("UPN 'UN4' with an episode from ", show(j, "DECOM")), E, H)


def _mx(missing: dict[str, str], *episodes: dict[str, str]) -> Example:
    return Example(
        {"Missing": [{"CHILD": "1", **missing}], E: [{"CHILD": "1", **e} for e in episodes]}
    )


@rule("575", [E, "Missing"], ["MIS_END"], "The placement the child went missing from ended, so the missing period must end too.",
      passes=[_mx({"MIS_START": "05/05/2022", "MIS_END": "06/05/2022"}, {"DECOM": "01/05/2022", "DEC": "01/06/2022"}),
              _mx({"MIS_START": "05/05/2022"}, {"DECOM": "01/05/2022"}),
              _mx({"MIS_START": "05/05/2022", "MIS_END": "31/04/2022"}, {"DECOM": "01/05/2022", "DEC": "01/06/2022"})],
      fails=[_mx({"MIS_START": "05/05/2022"}, {"DECOM": "01/05/2022", "DEC": "01/06/2022"})])  # fmt: skip
def _575(t: Env) -> dict[str, Any]:
    j = link(t.Missing, t.Episodes)
    bad = (
        (j.MIS_START >= j.r_DECOM)
        & (j.MIS_START <= j.r_DEC)
        & blank(j, "MIS_END")  # an end given but not a date is there (1004-style rules say so)
        & j.r_DEC.notnull()
    )
    return {
        "Missing": flag(
            j,
            bad,
            msg(
                "Missing from ",
                show(j, "MIS_START"),
                " has no end but the placement ended ",
                show(j, "r_DEC"),
            ),
        )
    }


@rule("581", [E, "Missing"], ["MIS_START"], "The child went missing at a time they were not looked after.",
      passes=[_mx({"MIS_START": "05/05/2022"}, {"DECOM": "01/05/2022"})],
      fails=[_mx({"MIS_START": "30/04/2022"}, {"DECOM": "01/05/2022"}),
             _mx({"MIS_START": "02/06/2022"}, {"DECOM": "01/05/2022", "DEC": "01/06/2022"})])  # fmt: skip
def _581(t: Env) -> dict[str, Any]:
    m = t.Missing
    j = link(m, t.Episodes)
    inside = (j.MIS_START >= j.r_DECOM) & ((j.MIS_START <= j.r_DEC) | j.r_DEC.isnull())
    covered = j.filter(inside.fill_null(False))._row
    bad = m.MIS_START.notnull() & m._row.isin(j._row) & ~m._row.isin(covered)
    return {
        "Missing": flag(
            m, bad, msg("Missing from ", show(m, "MIS_START"), " when no episode was open")
        )
    }


@rule("1011", [E, "OC3"], ["IN_TOUCH", "ACTIV", "ACCOM"],
      "Care leaver information is not required when the last episode ended with care transferred to another council (E3).",
      passes=[Example({E: [{"CHILD": "1", "DECOM": "01/05/2022", "REC": "E3"}], "OC3": [{"CHILD": "1"}]})],
      fails=[Example({E: [{"CHILD": "1", "DECOM": "01/05/2022", "REC": "E3"}], "OC3": [{"CHILD": "1", "IN_TOUCH": "YES"}]})])  # fmt: skip
def _1011(t: Env) -> dict[str, Any]:
    import ibis

    e = t.Episodes.filter(t.Episodes.DECOM.notnull())
    latest = e.mutate(
        n_latest=ibis.row_number().over(
            ibis.window(group_by=e.CHILD, order_by=[e.DECOM.desc(), e._row.desc()])
        )
    )
    transferred = children(latest.filter((latest.n_latest == 0) & (latest.REC == "E3")))
    o = t.OC3
    given = o.IN_TOUCH.notnull() | o.ACTIV.notnull() | o.ACCOM.notnull()
    return {
        "OC3": flag(
            o,
            given & o.CHILD.isin(transferred),
            msg("Care leaver data for a child transferred to another council"),
        )
    }
