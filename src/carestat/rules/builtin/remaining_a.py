"""Rules on OC2/OC3 by time in care, placement-order dates and short legal statuses."""

from __future__ import annotations

from typing import Any

from carestat.rules.builtin.adoption_links import first_where
from carestat.rules.expr import Env, add_years, children, flag, flag_both, link, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

H, E, O2, O3, A, PA, R = "Header", "Episodes", "OC2", "OC3", "AD1", "PlacedAdoption", "Reviews"
SHORT_BREAKS = ["V3", "V4"]
OC2_ITEMS = ("CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
             "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")  # fmt: skip
CORE = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")
OC3_ITEMS = ("IN_TOUCH", "ACTIV", "ACCOM")
AD1_ITEMS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
# A child looked after all year: one open episode from before the year (the usual example).
ALL_YEAR = {"CHILD": "1", "DECOM": "{start-2y}", "RNE": "S", "LS": "C2", "PLACE": "U1"}
# A child who started to be looked after during the year: not continuously looked after.
NEW = {"CHILD": "1", "DECOM": "{start+30d}", "RNE": "S", "LS": "C2", "PLACE": "U1"}


def _x(**tables: list[dict[str, str]]) -> Example:
    return Example({name: [{"CHILD": "1", **row} for row in rows] for name, rows in tables.items()})


def any_given(table: Any, fields: tuple[str, ...]) -> Any:
    """Any of the fields holds a value (dates: any text, even unreadable)."""
    import ibis

    parts = [table[f].notnull() for f in fields]
    parts += [table[f + "__raw"].notnull() for f in fields if f + "__raw" in table.columns]
    return ibis.or_(*parts)


def continuously_looked_after(t: Env) -> Any:
    """CHILD ids looked after throughout the year (DfE definition, as the reference reads it).

    In care at some point in the year, and no episode that starts care (RNE S) after 1 April,
    ends care (REC other than X1) before 31 March, or is a short break (V3/V4) in the year.
    """
    e = t.Episodes
    during = (e.DECOM <= t.end) & (e.DEC.isnull() | (e.DEC >= t.start))
    enters = (e.RNE == "S") & (e.DECOM > t.start) & (e.DECOM <= t.end)
    leaves = (e.REC.isnull() | (e.REC != "X1")) & (e.DEC >= t.start) & (e.DEC < t.end)
    breaks = e.LS.isin(SHORT_BREAKS) & during
    marked = e.filter(e.CHILD.notnull()).mutate(
        c_in=during.fill_null(False), c_out=(enters | leaves | breaks).fill_null(False)
    )
    per_child = marked.group_by(c_child=marked.CHILD).aggregate(
        c_in=marked.c_in.any(), c_out=marked.c_out.any()
    )
    return per_child.filter(per_child.c_in & ~per_child.c_out).c_child


@rule("117", [E, PA], ["DATE_PLACED_CEASED", "DATE_PLACED", "DEC", "REC", "DECOM"],
      "A placement-order decision date is after the year ends or after the child ceased to be looked after.",
      passes=[_x(Episodes=[{"DECOM": "{start}", "DEC": "{end}", "REC": "E11"}], PlacedAdoption=[{"DATE_PLACED": "{end}"}])],
      fails=[_x(Episodes=[{"DECOM": "{start}", "DEC": "{end-1d}", "REC": "E11"}], PlacedAdoption=[{"DATE_PLACED": "{end}"}]),
             _x(Episodes=[{"DECOM": "{start}"}], PlacedAdoption=[{"DATE_PLACED_CEASED": "{end+1d}"}])])  # fmt: skip
def _117(t: Env) -> dict[str, Any]:
    e = t.Episodes
    latest = first_where(e, e.REC.isnull() | (e.REC != "X1"), "DECOM", descending=True)
    j = link(t.PlacedAdoption, latest)
    bad = (
        (j.DATE_PLACED > t.end)
        | (j.DATE_PLACED > j.r_DEC)
        | (j.DATE_PLACED_CEASED > t.end)
        | (j.DATE_PLACED_CEASED > j.r_DEC)
    )
    what = msg("DATE_PLACED ", show(j, "DATE_PLACED"), ", DATE_PLACED_CEASED ",
               show(j, "DATE_PLACED_CEASED"), " but latest episode ends ", show(j, "r_DEC"))  # fmt: skip
    return flag_both(j, bad, what, PA, E)


@rule("118", [E, PA], ["DATE_PLACED_CEASED", "DECOM", "LS"],
      "The decision that the child should no longer be placed for adoption is before the year or before care began.",
      passes=[_x(Episodes=[{"DECOM": "{start-1y}", "LS": "E1"}], PlacedAdoption=[{"DATE_PLACED_CEASED": "{start}"}])],
      fails=[_x(Episodes=[{"DECOM": "{start-1y}", "LS": "E1"}], PlacedAdoption=[{"DATE_PLACED_CEASED": "{start-1d}"}]),
             _x(Episodes=[{"DECOM": "{start+10d}", "LS": "C2"}], PlacedAdoption=[{"DATE_PLACED_CEASED": "{start+9d}"}])])  # fmt: skip
def _118(t: Env) -> dict[str, Any]:
    e = t.Episodes
    first = first_where(e, e.LS.isnull() | ~e.LS.isin(SHORT_BREAKS), "DECOM")
    j = link(t.PlacedAdoption, first)
    bad = (j.DATE_PLACED_CEASED < t.start) | (j.DATE_PLACED_CEASED < j.r_DECOM)
    what = msg("DATE_PLACED_CEASED ", show(j, "DATE_PLACED_CEASED"),
               " but first episode starts ", show(j, "r_DECOM"))  # fmt: skip
    return flag_both(j, bad, what, PA, E)


def _oc2(cla: bool, **fields: str) -> Example:
    return _x(Episodes=[ALL_YEAR if cla else NEW], OC2=[fields])


@rule("157", [O2, E], ["SDQ_REASON", "DOB"],
      "SDQ1 (no form returned, child too old or young) is given for a child of an age to have an SDQ.",
      passes=[_oc2(True, DOB="{start-4y+1d}", SDQ_REASON="SDQ1"), _oc2(True, DOB="{start-10y}", SDQ_REASON="SDQ2")],
      fails=[_oc2(True, DOB="{start-4y}", SDQ_REASON="SDQ1")])  # fmt: skip
def _157(t: Env) -> dict[str, Any]:
    o = t.OC2
    of_age = (add_years(o.DOB, 4) <= t.start) & (add_years(o.DOB, 16) >= t.end)
    bad = o.CHILD.isin(continuously_looked_after(t)) & of_age & o.SDQ_SCORE.isnull()
    return {
        O2: flag(o, bad & (o.SDQ_REASON == "SDQ1"), msg("SDQ1 for a child born ", show(o, "DOB")))
    }


def _not_cla(code: str, fields: tuple[str, ...], message: str, good: dict[str, str]) -> None:
    def check(t: Env) -> dict[str, Any]:
        o = t.OC2
        bad = ~o.CHILD.isin(continuously_looked_after(t)) & any_given(o, fields)
        what = msg("Not looked after all year but given: ", show(o, fields[0]))
        return {O2: flag(o, bad, what)}

    rule(code, [O2, E], fields, message, passes=[_oc2(True, **good), _oc2(False)],
         fails=[_oc2(False, **good)])(check)  # fmt: skip


_not_cla(
    "185",
    ("SDQ_SCORE",),
    "An SDQ score is given for a child not looked after for the whole year.",
    {"SDQ_SCORE": "10"},
)
_not_cla(
    "198",
    ("SDQ_REASON",),
    "A reason for no SDQ is given for a child not looked after for the whole year.",
    {"SDQ_REASON": "SDQ2"},
)
_not_cla("190", OC2_ITEMS, "OC2 items are given for a child not looked after for the whole year.", {"TEETH_CHECK": "1"})  # fmt: skip


@rule("186", [O2, E], ["SDQ_SCORE"],
      "A child aged 4 to 16 looked after all year has neither an SDQ score nor a reason for none.",
      passes=[_oc2(True, DOB="{start-5y}", SDQ_SCORE="5"), _oc2(True, DOB="{start-4y+1d}"), _oc2(False, DOB="{start-5y}")],
      fails=[_oc2(True, DOB="{start-4y}"), _oc2(True, DOB="{end-17y+1d}")])  # fmt: skip
def _186(t: Env) -> dict[str, Any]:
    o = t.OC2
    of_age = (add_years(o.DOB, 4) <= t.start) & (add_years(o.DOB, 17) > t.end)
    none = o.SDQ_SCORE.isnull() & o.SDQ_REASON.isnull()
    bad = of_age & none & o.CHILD.isin(continuously_looked_after(t))
    return {O2: flag(o, bad, msg("No SDQ score or reason for a child born ", show(o, "DOB")))}


@rule("197B", [O2, E], ["SDQ_REASON", "DOB"],
      "A child turning 4 or 17 this year, looked after all year, has neither an SDQ score nor a reason for none.",
      passes=[_oc2(True, DOB="{start-4y}", SDQ_REASON="SDQ1"), _oc2(True, DOB="{start-4y-1d}")],
      fails=[_oc2(True, DOB="{start-4y}"), _oc2(True, DOB="{end-17y}")])  # fmt: skip
def _197b(t: Env) -> dict[str, Any]:
    o = t.OC2
    four, seventeen = add_years(o.DOB, 4), add_years(o.DOB, 17)
    turning = four.between(t.start, t.end) | seventeen.between(t.start, t.end)
    none = o.SDQ_SCORE.isnull() & o.SDQ_REASON.isnull()
    bad = turning & none & o.CHILD.isin(continuously_looked_after(t))
    return {O2: flag(o, bad, msg("No SDQ score or reason for a child born ", show(o, "DOB")))}


@rule("187", [O3, A, E], (*AD1_ITEMS, *OC3_ITEMS),
      "A child looked after all year should have no adoption (AD1) or care leaver (OC3) data.",
      passes=[_x(Episodes=[NEW], OC3=[{"IN_TOUCH": "YES"}], AD1=[{"FOSTER_CARE": "0"}])],
      fails=[_x(Episodes=[ALL_YEAR], OC3=[{"IN_TOUCH": "YES"}]), _x(Episodes=[ALL_YEAR], AD1=[{"DATE_INT": "{start}"}])])  # fmt: skip
def _187(t: Env) -> dict[str, Any]:
    cla = continuously_looked_after(t)
    found = {}
    for name, fields in ((O3, OC3_ITEMS), (A, AD1_ITEMS)):
        data = t.table(name)
        bad = data.CHILD.isin(cla) & any_given(data, fields)
        found[name] = flag(data, bad, msg(f"{name} data for a child looked after all year"))
    return found


@rule("191", [O2, E], (*CORE, "CHILD"),
      "A child looked after all year is missing immunisations, teeth check, health assessment or substance misuse.",
      passes=[_oc2(True, IMMUNISATIONS="1", TEETH_CHECK="1", HEALTH_ASSESSMENT="1", SUBSTANCE_MISUSE="0"),
              _x(Episodes=[NEW])],
      fails=[_oc2(True, IMMUNISATIONS="1", TEETH_CHECK="1", HEALTH_ASSESSMENT="1"), _x(Episodes=[ALL_YEAR])])  # fmt: skip
def _191(t: Env) -> dict[str, Any]:
    import ibis

    cla = continuously_looked_after(t)
    o, e = t.OC2, t.Episodes
    missing = ibis.or_(*[o[f].isnull() for f in CORE])
    first = first_where(e, e.CHILD.isin(cla) & ~e.CHILD.isin(children(o)), "DECOM")
    return {
        O2: flag(o, o.CHILD.isin(cla) & missing, msg("Looked after all year but OC2 items blank")),
        E: flag(first, first.CHILD.notnull(), msg("Child ", show(first, "CHILD"),
                                                  " looked after all year has no OC2 record")),
    }  # fmt: skip


@rule("215", [O2, O3], (*OC3_ITEMS, *OC2_ITEMS),
      "A care leaver (OC3) should have no OC2 data on children looked after 12 months.",
      passes=[_x(OC3=[{"IN_TOUCH": "YES"}], OC2=[{"SDQ_SCORE": "5"}])],
      fails=[_x(OC3=[{"ACTIV": "F1"}], OC2=[{"CONVICTED": "0"}])])  # fmt: skip
def _215(t: Env) -> dict[str, Any]:
    j = link(t.OC3, t.OC2)
    bad = any_given(j, OC3_ITEMS) & any_given(j, tuple(f"r_{f}" for f in OC2_ITEMS))
    return flag_both(j, bad, msg("Care leaver ", show(j, "CHILD"), " also has OC2 items"), O3, O2)


@rule("334", [E, A], ["DATE_INT", "DECOM", "RNE"],
      "The date the child should be placed for adoption is before the latest period of care began.",
      passes=[_x(Episodes=[{"DECOM": "{start}", "RNE": "S"}], AD1=[{"DATE_INT": "{start}"}])],
      fails=[_x(Episodes=[{"DECOM": "{start-1y}", "RNE": "S"}, {"DECOM": "{start}", "RNE": "S"}],
                AD1=[{"DATE_INT": "{start-1d}"}])])  # fmt: skip
def _334(t: Env) -> dict[str, Any]:
    e = t.Episodes
    latest = first_where(e, e.RNE == "S", "DECOM", descending=True)
    j = link(t.AD1, latest)
    what = msg("DATE_INT ", show(j, "DATE_INT"), " before care began ", show(j, "r_DECOM"))
    return flag_both(j, j.DATE_INT < j.r_DECOM, what, A, E)


@rule("335", [E, A], ["PLACE", "FOSTER_CARE"],
      "Whether adopted by the foster carer (FOSTER_CARE) does not match the adoption placement.",
      passes=[_x(Episodes=[{"PLACE": "A3", "REC": "E11"}], AD1=[{"FOSTER_CARE": "1"}])],
      fails=[_x(Episodes=[{"PLACE": "A3", "REC": "E11"}], AD1=[{"FOSTER_CARE": "0"}]),
             _x(Episodes=[{"PLACE": "A4", "REC": "E12"}], AD1=[{"FOSTER_CARE": "1"}])])  # fmt: skip
def _335(t: Env) -> dict[str, Any]:
    j = link(t.Episodes, t.AD1)
    by_carer = j.PLACE.isin(["A2", "A3", "A5"]) & (j.r_FOSTER_CARE == "0")
    not_carer = j.PLACE.isin(["A1", "A4", "A6"]) & (j.r_FOSTER_CARE == "1")
    bad = j.REC.isin(["E1", "E11", "E12"]) & (by_carer | not_carer)
    what = msg("PLACE ", show(j, "PLACE"), " but FOSTER_CARE ", show(j, "r_FOSTER_CARE"))
    return flag_both(j, bad, what, E, A)


def _male(year: int) -> list[str]:
    # From 2024-25 boys are coded M; a return still giving the earlier code 1 means a boy too.
    return ["1"] if year <= 2024 else ["M", "1"]


def _165(male: list[str]) -> Any:
    def check(t: Env) -> dict[str, Any]:
        h, e = t.Header, t.Episodes
        counted = e.filter((e.LS.isnull() | ~e.LS.isin(SHORT_BREAKS)) & (e.DECOM <= t.end)
                           & (e.DEC.isnull() | (e.DEC >= t.start)))  # fmt: skip
        in_year = h.CHILD.isin(children(counted))
        invalid = h.MOTHER.notnull() & ~h.MOTHER.isin(["0", "1"])
        for_boy = h.MOTHER.notnull() & h.SEX.isin(male)
        # Required of a girl looked after in the year (short breaks aside), as the reference reads
        # it: a Header child neither in care this year nor a care leaver is not asked about.
        needed = h.MOTHER.isnull() & ~h.SEX.isin(male) & in_year
        bad = invalid | for_boy | needed
        what = msg("MOTHER ", show(h, "MOTHER"), " for SEX ", show(h, "SEX"))
        # The child's care-leaver record is reported too, as the reference does.
        kids = h.filter(bad.fill_null(False) & h.CHILD.notnull()).CHILD
        o = t.OC3
        told = msg("Care leaver record of child ", show(o, "CHILD"), " with MOTHER not valid")
        return {H: flag(h, bad, what), O3: flag(o, o.CHILD.isin(kids), told)}

    return check


for first, last in ((2023, 2024), (2025, None)):
    m, f = _male(first)[0], "2" if first <= 2024 else "F"
    rule("165", [H, E, O3], ["MOTHER", "SEX", "ACTIV", "ACCOM", "IN_TOUCH", "DECOM"],
         "Whether the young person is a mother is not valid for her sex and time in care.", years=(first, last),
         passes=[_x(Header=[{"SEX": f, "MOTHER": "0"}], Episodes=[ALL_YEAR]), _x(Header=[{"SEX": m}], Episodes=[ALL_YEAR]),
                 _x(Header=[{"SEX": f}], OC3=[{"IN_TOUCH": "YES"}]),
                 _x(Header=[{"SEX": f}], Episodes=[{**ALL_YEAR, "LS": "V3"}])],
         fails=[_x(Header=[{"SEX": f}], Episodes=[ALL_YEAR]), _x(Header=[{"SEX": m, "MOTHER": "0"}]),
                _x(Header=[{"SEX": f, "MOTHER": "2"}], Episodes=[ALL_YEAR]), _x(Header=[{"SEX": "1", "MOTHER": "0"}])])(_165(_male(first)))  # fmt: skip


def _ep(**fields: str) -> dict[str, str]:
    return {"CHILD": "1", **fields}


ADOPTION_PLACES = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]


@rule("336", [E], ["PLACE"], "A child is placed for adoption (A3/A4) straight from a placement other than foster care.",
      passes=[Example({E: [_ep(DECOM="{start}", PLACE="U1"), _ep(DECOM="{start+9d}", PLACE="A3")]}),
              Example({E: [_ep(DECOM="{start}", PLACE="A4")]})],
      fails=[Example({E: [_ep(DECOM="{start}", PLACE="K2"), _ep(DECOM="{start+9d}", PLACE="A4")]})])  # fmt: skip
def _336(t: Env) -> dict[str, Any]:
    from carestat.rules.expr import neighbours

    e = neighbours(t.Episodes, "PLACE")
    bad = (
        e.PLACE.isin(["A3", "A4"])
        & e.has_prev
        & (e.prev_place.isnull() | ~e.prev_place.isin(ADOPTION_PLACES))
    )
    return {E: flag(e, bad, msg("PLACE ", show(e, "PLACE"), " after PLACE ", show(e, "prev_place")))}  # fmt: skip


def _too_long(code: str, status: str, days: int, message: str) -> None:
    def check(t: Env) -> dict[str, Any]:
        import ibis

        e = t.Episodes
        spell = e.filter((e.LS == status) & e.DECOM.notnull())
        spell = spell.mutate(s_dec=spell.DEC.fill_null(t.end))
        order = ibis.window(group_by=spell.CHILD, order_by=[spell.DECOM, spell._row])
        starts = spell.s_dec.lag().over(order).isnull() | (
            spell.s_dec.lag().over(order) != spell.DECOM
        )
        spell = spell.mutate(s_new=ibis.ifelse(starts, 1, 0))
        spell = spell.mutate(s_run=spell.s_new.cumsum().over(order))
        run = ibis.window(group_by=[spell.CHILD, spell.s_run])
        spell = spell.mutate(s_from=spell.DECOM.min().over(run), s_to=spell.s_dec.max().over(run))
        bad = spell.s_to.delta(spell.s_from, unit="day") > days
        what = msg(f"LS {status} from ", show(spell, "s_from"), " to ", show(spell, "s_to"))
        return {E: flag(spell, bad, what)}

    ok_end, bad_end = f"{{start+{days}d}}", f"{{start+{days + 1}d}}"
    rule(code, [E], ["DECOM", "LS", "DEC"], message,
         passes=[Example({E: [_ep(DECOM="{start}", LS=status, DEC=ok_end)]})],
         fails=[Example({E: [_ep(DECOM="{start}", LS=status, DEC=bad_end)]}),
                Example({E: [_ep(DECOM="{start}", LS=status, DEC="{start+2d}"),
                             _ep(DECOM="{start+2d}", LS=status, DEC=bad_end)]}, note="joined")])(check)  # fmt: skip


_too_long("361", "L1", 3, "Police protection (L1) lasted longer than 72 hours.")
_too_long("362", "L2", 21, "An emergency protection order (L2) lasted longer than 21 days.")
_too_long("363", "L3", 7, "A child assessment order (L3) lasted longer than 7 days.")
_too_long(
    "364",
    "J2",
    21,
    "Detention under PACE (J2) in council accommodation lasted longer than 21 days.",
)


@rule("367", [E], ["LS", "DECOM", "DEC"], "Respite care (V3) in the year adds up to more than 75 days.",
      passes=[Example({E: [_ep(DECOM="{start-10d}", LS="V3", DEC="{start+75d}")]})],
      fails=[Example({E: [_ep(DECOM="{start}", LS="V3", DEC="{start+40d}"), _ep(DECOM="{start+50d}", LS="V3", DEC="{start+86d}")]})])  # fmt: skip
def _367(t: Env) -> dict[str, Any]:
    import ibis

    e = t.Episodes
    v3 = e.filter((e.LS == "V3") & e.DECOM.notnull())
    upto = ibis.ifelse(v3.DEC.isnull() | (v3.DEC > t.end), t.end, v3.DEC)
    since = ibis.ifelse(v3.DECOM < t.start, t.start, v3.DECOM)
    v3 = v3.mutate(v_days=upto.delta(since, unit="day"))
    v3 = v3.filter(v3.v_days > 0)
    v3 = v3.mutate(v_total=v3.v_days.sum().over(ibis.window(group_by=v3.CHILD)))
    return {E: flag(v3, v3.v_total > 75, msg("Respite care (V3) this year totals ", v3.v_total.cast("string"), " days"))}  # fmt: skip


@rule("377", [E], ["PLACE"], "More than two temporary placements for a foster carer's holiday (T3) in the year.",
      passes=[Example({E: [_ep(DECOM="{start}", PLACE="T3"), _ep(DECOM="{start+5d}", PLACE="T3")]})],
      fails=[Example({E: [_ep(DECOM="{start}", PLACE="T3"), _ep(DECOM="{start+5d}", PLACE="T3"), _ep(DECOM="{start+9d}", PLACE="T3")]})])  # fmt: skip
def _377(t: Env) -> dict[str, Any]:
    import ibis

    e = t.Episodes
    t3 = e.filter(e.PLACE == "T3")
    t3 = t3.mutate(n_t3=t3._row.count().over(ibis.window(group_by=t3.CHILD)))
    return {
        E: flag(t3, t3.n_t3 > 2, msg(t3.n_t3.cast("string"), " holiday placements (T3) this year"))
    }


@rule("383", [E], ["PLACE", "RNE", "PL_POST"], "After a temporary placement (T0-T4) the child must return to the placement before it.",
      passes=[Example({E: [_ep(DECOM="{start}", PLACE="U1", PL_POST="AB1 2CD"), _ep(DECOM="{start+9d}", PLACE="T3", RNE="T"),
                           _ep(DECOM="{start+19d}", PLACE="U1", PL_POST="AB1 2CD", RNE="P")]})],
      fails=[Example({E: [_ep(DECOM="{start}", PLACE="U1", PL_POST="AB1 2CD"), _ep(DECOM="{start+9d}", PLACE="T3", RNE="T"),
                          _ep(DECOM="{start+19d}", PLACE="U2", PL_POST="AB1 2CD", RNE="P")]})])  # fmt: skip
def _383(t: Env) -> dict[str, Any]:
    import ibis

    e = t.Episodes
    order = ibis.window(group_by=e.CHILD, order_by=[e.DECOM, e._row])
    e = e.mutate(p_place=e.PLACE.lag().over(order), b_place=e.PLACE.lag(2).over(order),
                 b_post=e.PL_POST.lag(2).over(order), b_row=e._row.lag(2).over(order))  # fmt: skip
    returned = (e.RNE == "P") & (e.PLACE == e.b_place) & e.PL_POST.identical_to(e.b_post)
    bad = (
        e.b_row.notnull()
        & e.p_place.isin(["T0", "T1", "T2", "T3", "T4"])
        & ~returned.fill_null(False)
    )
    what = msg("After PLACE ", show(e, "p_place"), ": RNE ", show(e, "RNE"), ", PLACE ", show(e, "PLACE"),
               " (before it ", show(e, "b_place"), ")")  # fmt: skip
    return {E: flag(e, bad, what)}


@rule("398", [E], ["LS", "HOME_POST", "PL_POST"], "Postcodes are given for a short break (V3/V4).",
      passes=[Example({E: [_ep(LS="V3")]}), Example({E: [_ep(LS="C2", PL_POST="AB1 2CD")]})],
      fails=[Example({E: [_ep(LS="V4", HOME_POST="AB1 2CD")]})])  # fmt: skip
def _398(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = e.LS.isin(SHORT_BREAKS) & (e.HOME_POST.notnull() | e.PL_POST.notnull())
    return {E: flag(e, bad, msg("LS ", show(e, "LS"), " with HOME_POST ", show(e, "HOME_POST"),
                                ", PL_POST ", show(e, "PL_POST")))}  # fmt: skip


@rule("399", [E, H, R], ["MOTHER", "LS", "REVIEW", "REVIEW_CODE"],
      "Motherhood or review data is given for a child only ever on short breaks (V3/V4).",
      passes=[_x(Episodes=[{"LS": "V3"}, {"LS": "C2"}], Header=[{"MOTHER": "0"}], Reviews=[{"REVIEW": "{start}"}])],
      fails=[_x(Episodes=[{"LS": "V3"}], Header=[{"MOTHER": "0"}]), _x(Episodes=[{"LS": "V4"}], Reviews=[{"REVIEW_CODE": "PN1"}])])  # fmt: skip
def _399(t: Env) -> dict[str, Any]:
    e, h, r = t.Episodes, t.Header, t.Reviews
    marked = e.filter(e.CHILD.notnull()).mutate(b_other=(e.LS.isnull() | ~e.LS.isin(SHORT_BREAKS)))
    per_child = marked.group_by(b_child=marked.CHILD).aggregate(b_other=marked.b_other.any())
    breaks_only = per_child.filter(~per_child.b_other).b_child
    # A child with motherhood or review data is flagged on all its records in the three tables,
    # as the reference reports it (the data may sit on any of them).
    with_review = r.filter(any_given(r, ("REVIEW", "REVIEW_CODE")) & r.CHILD.notnull()).CHILD
    with_mother = h.filter(h.MOTHER.notnull() & h.CHILD.notnull()).CHILD

    def kid(col: Any) -> Any:
        return col.isin(breaks_only) & (col.isin(with_review) | col.isin(with_mother))

    what = msg("Motherhood or review data for child ", show(h, "CHILD"), " on short breaks only")
    return {
        H: flag(h, kid(h.CHILD), what),
        R: flag(r, kid(r.CHILD), msg("Review record of a child on short breaks only")),
        E: flag(e, kid(e.CHILD), msg("Short break of a child with motherhood or review data")),
    }
