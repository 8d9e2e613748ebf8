"""Rules comparing this year's return with the previous year's (`<Table>_last`)."""

from __future__ import annotations

from typing import Any

from carestat.rules.expr import Env, flag, msg, show
from carestat.rules.model import Example, Need, Rows
from carestat.rules.registry import rule

H, E, PA = "Header", "Episodes", "PlacedAdoption"
PREV: tuple[Need, ...] = ("previous",)
UN_CODES = ["UN1", "UN2", "UN3", "UN4", "UN5"]


def _case(now: dict[str, Rows], last: dict[str, Rows]) -> Example:
    return Example(now, previous=last)


def _h(now: dict[str, str], last: dict[str, str]) -> Example:
    return _case({H: [{"CHILD": "1", **now}]}, {H: [{"CHILD": "1", **last}]})


def last_header(t: Env) -> Any:
    """Last year's Header, one row per child, columns prefixed `l_`."""
    h = t.last("Header").filter(t.last("Header").CHILD.notnull())
    return h.group_by(l_child=h.CHILD).aggregate(
        l_sex=h.SEX.min(), l_dob=h.DOB.min(), l_ethnic=h.ETHNIC.min(), l_upn=h.UPN.min(),
        l_mother=h.MOTHER.min(), l_mc_dob=h.MC_DOB.min(),
    )  # fmt: skip


def _with_last(t: Env) -> Any:
    last = last_header(t)
    return t.Header.inner_join(last, t.Header.CHILD == last.l_child)


def _sex(column: Any) -> Any:
    """SEX as M/F whichever year's codes it uses (1/2 until 2023-24)."""
    return column.cases(("1", "M"), ("2", "F"), else_=column)


@rule("202", [H], ["SEX"], "The child's sex differs from last year's return.", needs=PREV,
      passes=[_h({"SEX": "1"}, {"SEX": "1"})], fails=[_h({"SEX": "2"}, {"SEX": "1"}), _h({}, {"SEX": "1"})])  # fmt: skip
def _202(t: Env) -> dict[str, Any]:
    h = _with_last(t)
    # A sex given one year and blank the other has changed too (as DOB for 203).
    bad = (h.SEX.isnull() != h.l_sex.isnull()) | (_sex(h.SEX) != _sex(h.l_sex))
    return {H: flag(h, bad, msg("SEX ", show(h, "SEX"), " but last year ", show(h, "l_sex")))}


@rule("203", [H], ["DOB"], "The date of birth differs from last year's return.", needs=PREV,
      passes=[_h({"DOB": "01/01/2010"}, {"DOB": "01/01/2010"})], fails=[_h({"DOB": "01/01/2010"}, {"DOB": "02/01/2010"})])  # fmt: skip
def _203(t: Env) -> dict[str, Any]:
    h = _with_last(t)
    bad = (h.DOB.isnull() != h.l_dob.isnull()) | (h.DOB != h.l_dob)
    return {H: flag(h, bad, msg("DOB ", show(h, "DOB"), " but last year ", show(h, "l_dob")))}


@rule("204", [H], ["ETHNIC"], "The ethnicity differs from last year's return.", needs=PREV,
      passes=[_h({"ETHNIC": "WBRI"}, {"ETHNIC": "WBRI"})], fails=[_h({"ETHNIC": "WBRI"}, {"ETHNIC": "WIRI"})])  # fmt: skip
def _204(t: Env) -> dict[str, Any]:
    h = _with_last(t)
    bad = (h.ETHNIC.isnull() != h.l_ethnic.isnull()) | (h.ETHNIC != h.l_ethnic)
    return {
        H: flag(h, bad, msg("ETHNIC ", show(h, "ETHNIC"), " but last year ", show(h, "l_ethnic")))
    }


@rule("208", [H], ["UPN"], "The UPN differs from last year's return.", needs=PREV,
      passes=[_h({"UPN": "A123456789012"}, {"UPN": "UN1"}), _h({"UPN": "UN3"}, {"UPN": "UN1"})],
      fails=[_h({"UPN": "A123456789012"}, {"UPN": "B123456789012"}), _h({"UPN": "UN1"}, {"UPN": "A123456789012"})])  # fmt: skip
def _208(t: Env) -> dict[str, Any]:
    h = _with_last(t)
    now_blank, was_blank = h.UPN.isnull(), h.l_upn.isnull()
    different = ~(now_blank & was_blank) & ((now_blank != was_blank) | (h.UPN != h.l_upn))
    unknown_to_unknown = ((h.l_upn == "UN1") | was_blank) & h.UPN.isin(UN_CODES[1:])
    unknown_to_known = (h.l_upn.isin(UN_CODES) | was_blank) & ~(h.UPN.isin(UN_CODES) | now_blank)
    bad = different & ~unknown_to_unknown.fill_null(False) & ~unknown_to_known.fill_null(False)
    return {H: flag(h, bad, msg("UPN ", show(h, "UPN"), " but last year ", show(h, "l_upn")))}


@rule("624", [H], ["MC_DOB"], "The date of birth of the mother's child differs from last year's.", needs=PREV,
      passes=[_h({"MC_DOB": "01/01/2020"}, {"MC_DOB": "01/01/2020"}), _h({"MC_DOB": "01/01/2020"}, {})],
      fails=[_h({"MC_DOB": "02/01/2020"}, {"MC_DOB": "01/01/2020"}), _h({}, {"MC_DOB": "01/01/2020"})])  # fmt: skip
def _624(t: Env) -> dict[str, Any]:
    h = _with_last(t)
    bad = h.l_mc_dob.notnull() & (h.MC_DOB.isnull() | (h.MC_DOB != h.l_mc_dob))
    return {
        H: flag(h, bad, msg("MC_DOB ", show(h, "MC_DOB"), " but last year ", show(h, "l_mc_dob")))
    }


@rule("626", [H], ["MOTHER", "MC_DOB"],
      "A mother whose child was born before this year was recorded as not a mother last year.", needs=PREV,
      passes=[_h({"MOTHER": "1", "MC_DOB": "{start}"}, {"MOTHER": "0"})],
      fails=[_h({"MOTHER": "1", "MC_DOB": "{start-1d}"}, {"MOTHER": "0"})])  # fmt: skip
def _626(t: Env) -> dict[str, Any]:
    h = _with_last(t)
    bad = (h.MOTHER == "1") & (h.l_mother == "0") & (h.MC_DOB < t.start)
    return {H: flag(h, bad, msg("Child born ", show(h, "MC_DOB"), " but MOTHER was 0 last year"))}


def first_and_open_last(t: Env) -> Any:
    """Each child's first episode this year beside last year's latest episode, if still open."""
    import ibis

    e = t.Episodes
    order = ibis.window(group_by=e.CHILD, order_by=[e.DECOM, e._row])
    first = e.mutate(n_ep=ibis.row_number().over(order))
    first = first.filter((first.n_ep == 0) & first.DECOM.notnull())
    last = t.last("Episodes")
    latest = ibis.window(group_by=last.CHILD, order_by=[last.DECOM.desc(), last._row.desc()])
    last = last.mutate(n_last=ibis.row_number().over(latest))
    last = last.filter((last.n_last == 0) & last.DEC.isnull() & last.CHILD.notnull())
    last = last.select(
        l_child=last.CHILD, l_decom=last.DECOM, l_rne=last.RNE, l_ls=last.LS, l_cin=last.CIN,
        l_place=last.PLACE, l_place_provider=last.PLACE_PROVIDER, l_urn=last.URN,
    )  # fmt: skip
    return first.inner_join(last, first.CHILD == last.l_child)


def _ep(now: dict[str, str], last: dict[str, str]) -> Example:
    return _case({E: [{"CHILD": "1", "DECOM": "01/01/2020", **now}]},
                 {E: [{"CHILD": "1", "DECOM": "01/01/2020", **last}]})  # fmt: skip


@rule("502", [E], ["DECOM"], "Last year ended with an open episode whose start differs from this year's first episode.",
      needs=PREV, passes=[_ep({}, {})], fails=[_case({E: [{"CHILD": "1", "DECOM": "02/01/2020"}]}, {E: [{"CHILD": "1", "DECOM": "01/01/2020"}]}),
                                               _ep({}, {"DECOM": "30/02/2020"})])  # fmt: skip
def _502(t: Env) -> dict[str, Any]:
    e = first_and_open_last(t)
    # Last year's open episode with no readable start cannot match this year's first start.
    bad = (e.DECOM != e.l_decom) | e.l_decom.isnull()
    return {
        E: flag(
            e,
            bad,
            msg(
                "First episode starts ",
                show(e, "DECOM"),
                " but last year's open episode started ",
                show(e, "l_decom"),
            ),
        )
    }


def _continuity(code: str, field: str, message: str, exempt: tuple[tuple[str, list[str]], ...] = (),
                years: tuple[int, int | None] = (2023, None)) -> None:  # fmt: skip
    def check(t: Env) -> dict[str, Any]:
        e = first_and_open_last(t)
        mine, theirs = e[field], e[f"l_{field.lower()}"]
        bad = (mine.isnull() != theirs.isnull()) | (mine != theirs)
        for old, new in exempt:
            bad = bad & ~((theirs == old) & mine.isin(new))
        return {E: flag(e, bad, msg(f"{field} ", show(e, field), " but last year's open episode has ",
                                    show(e, f"l_{field.lower()}")))}  # fmt: skip

    rule(code, [E], [field], message, years=years, needs=PREV,
         passes=[_ep({field: "X"}, {field: "X"})], fails=[_ep({field: "X"}, {field: "Y"})])(check)  # fmt: skip


_continuity(
    "503A",
    "RNE",
    "The first episode's reason for new episode differs from last year's open episode.",
)
_continuity("503B", "LS", "The first episode's legal status differs from last year's open episode.")
_continuity(
    "503C", "CIN", "The first episode's category of need differs from last year's open episode."
)
_continuity(
    "503D",
    "PLACE",
    "The first episode's placement type differs from last year's open episode.",
    years=(2023, 2024),
)
_continuity("503D", "PLACE", "The first episode's placement type differs from last year's open episode.",
            exempt=(("H5", ["K3"]),), years=(2025, 2025))  # fmt: skip
_continuity("503D", "PLACE", "The first episode's placement type differs from last year's open episode.",
            exempt=(("H5", ["K3"]), ("Z1", ["Z11", "Z12", "Z13", "Z14"])), years=(2026, None))  # fmt: skip
_continuity(
    "503E",
    "PLACE_PROVIDER",
    "The first episode's placement provider differs from last year's open episode.",
)
_continuity("503F", "URN", "The first episode's Ofsted URN differs from last year's open episode.")


@rule("NoE", [E], ["DECOM"], "An episode starts before this year but the child has no episodes last year.", needs=PREV,
      passes=[_ep({"DECOM": "{start-1d}"}, {})],
      fails=[_case({E: [{"CHILD": "1", "DECOM": "{start-1d}"}]}, {E: [{"CHILD": "2", "DECOM": "01/01/2020"}]})])  # fmt: skip
def _noe(t: Env) -> dict[str, Any]:
    e = t.Episodes
    last = t.last("Episodes")
    known = last.filter(last.CHILD.notnull()).CHILD
    bad = (e.DECOM < t.start) & ~e.CHILD.isin(known)
    return {
        E: flag(
            e,
            bad,
            msg("Episode from ", show(e, "DECOM"), " but the child has no episodes last year"),
        )
    }


def _pa(now: dict[str, str], last: dict[str, str]) -> Example:
    return _case({PA: [{"CHILD": "1", **now}]}, {PA: [{"CHILD": "1", **last}]})


def _with_last_pa(t: Env, keep: Any = None) -> Any:
    last = t.last("PlacedAdoption")
    last = last.filter(last.CHILD.notnull() if keep is None else last.CHILD.notnull() & keep(last))
    last = last.select(l_child=last.CHILD, l_date_placed=last.DATE_PLACED,
                       l_ceased=last.DATE_PLACED_CEASED, l_reason=last.REASON_PLACED_CEASED)  # fmt: skip
    now = t.PlacedAdoption
    return now.left_join(last, now.CHILD == last.l_child)


@rule("559", [PA], ["DATE_PLACED"], "A decision to place for adoption made before this year is missing from last year's return.",
      needs=PREV, passes=[_pa({"DATE_PLACED": "{start-1d}"}, {"DATE_PLACED": "{start-1d}"})],
      fails=[_case({PA: [{"CHILD": "1", "DATE_PLACED": "{start-1d}"}]}, {})])  # fmt: skip
def _559(t: Env) -> dict[str, Any]:
    p = _with_last_pa(t)
    bad = (p.DATE_PLACED < t.start) & p.l_date_placed.isnull()
    return {
        PA: flag(
            p, bad, msg("Decision of ", show(p, "DATE_PLACED"), " is not in last year's return")
        )
    }


@rule("560", [PA], ["DATE_PLACED", "DATE_PLACED_CEASED"],
      "The date of the decision to place for adoption changed from last year although it was not reversed.",
      needs=PREV, passes=[_pa({"DATE_PLACED": "01/01/2020"}, {"DATE_PLACED": "01/01/2020"})],
      fails=[_pa({"DATE_PLACED": "02/01/2020"}, {"DATE_PLACED": "01/01/2020"}),
             _pa({"DATE_PLACED": "30/02/2020"}, {"DATE_PLACED": "01/01/2020"}), _pa({}, {"DATE_PLACED": "01/01/2020"})])  # fmt: skip
def _560(t: Env) -> dict[str, Any]:
    # A decision now blank or unreadable differs from last year's date too.
    p = _with_last_pa(t)
    changed = p.DATE_PLACED.isnull() | (p.DATE_PLACED != p.l_date_placed)
    bad = p.l_date_placed.notnull() & p.l_ceased.isnull() & changed
    return {
        PA: flag(
            p,
            bad,
            msg(
                "DATE_PLACED ", show(p, "DATE_PLACED"), " but last year ", show(p, "l_date_placed")
            ),
        )
    }


@rule("561", [PA], ["DATE_PLACED"],
      "The decision to place for adoption is the same as last year's, which was reversed.",
      needs=PREV, passes=[_pa({"DATE_PLACED": "01/01/2020"}, {"DATE_PLACED": "01/01/2020"})],
      fails=[_pa({"DATE_PLACED": "01/01/2020"}, {"DATE_PLACED": "01/01/2020", "DATE_PLACED_CEASED": "01/02/2020", "REASON_PLACED_CEASED": "RD1"})])  # fmt: skip
def _561(t: Env) -> dict[str, Any]:
    p = _with_last_pa(t)
    bad = (p.DATE_PLACED == p.l_date_placed) & (p.l_ceased.notnull() | p.l_reason.notnull())
    return {
        PA: flag(p, bad, msg("DATE_PLACED ", show(p, "DATE_PLACED"), " was reversed last year"))
    }


@rule("348", ["OC3"], ["IN_TOUCH"], "The care leaver was reported as having died last year.", years=(2026, None),
      needs=PREV, passes=[_case({"OC3": [{"CHILD": "1", "IN_TOUCH": "DIED"}]}, {"OC3": [{"CHILD": "1", "IN_TOUCH": "DIED"}]})],
      fails=[_case({"OC3": [{"CHILD": "1", "IN_TOUCH": "YES"}]}, {"OC3": [{"CHILD": "1", "IN_TOUCH": "DIED"}]})])  # fmt: skip
def _348(t: Env) -> dict[str, Any]:
    o = t.OC3
    last = t.last("OC3")
    died = last.filter(last.IN_TOUCH == "DIED").CHILD
    bad = o.CHILD.isin(died) & ((o.IN_TOUCH != "DIED") | o.IN_TOUCH.isnull())
    return {
        "OC3": flag(
            o,
            bad,
            msg("IN_TOUCH ", show(o, "IN_TOUCH"), " but last year the young person had died"),
        )
    }


@rule("576", ["Missing"], ["CHILD"], "Last year ended with an open missing period that does not start this year's first one.",
      needs=PREV, passes=[_case({"Missing": [{"CHILD": "1", "MIS_START": "01/03/2020"}]}, {"Missing": [{"CHILD": "1", "MIS_START": "01/03/2020"}]})],
      fails=[_case({"Missing": [{"CHILD": "1", "MIS_START": "02/05/2020"}]}, {"Missing": [{"CHILD": "1", "MIS_START": "01/03/2020"}]})])  # fmt: skip
def _576(t: Env) -> dict[str, Any]:
    import ibis

    m = t.Missing
    order = ibis.window(group_by=m.CHILD, order_by=[m.MIS_START, m._row])
    m = m.mutate(n_mis=ibis.row_number().over(order))
    m = m.filter(m.n_mis == 0)
    last = t.last("Missing")
    last = last.filter(last.MIS_END.isnull() & last.MIS_END__raw.isnull() & last.CHILD.notnull())
    last = last.select(l_child=last.CHILD, l_start=last.MIS_START)
    j = m.inner_join(last, m.CHILD == last.l_child)
    bad = j.l_start.notnull() & ((j.MIS_START != j.l_start) | j.MIS_START.isnull())
    return {"Missing": flag(j, bad, msg("First missing period starts ", show(j, "MIS_START"),
                                        " but last year's open one started ", show(j, "l_start")))}  # fmt: skip
