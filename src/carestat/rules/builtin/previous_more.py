"""More rules reading last year's return: adoption history, continuity, care leavers, DoLOs.

The DoLO rules 707, 709 and 710 do not need last year's return but share the period-of-care
and overlap logic kept here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carestat.rules.builtin.previous import last_header
from carestat.rules.expr import Env, add_years, children, flag, flag_both, msg, show
from carestat.rules.model import Example, Need, Rows
from carestat.rules.registry import rule

H, E, PA, OC3, D = "Header", "Episodes", "PlacedAdoption", "OC3", "DoLo"
PREV: tuple[Need, ...] = ("previous",)
ADOPTED = ["E11", "E12"]
FROM_2027 = (2027, None)


def _case(now: Mapping[str, Rows], last: Mapping[str, Rows] | None = None) -> Example:
    return Example(now, previous=last or {})


def _episodes_both_years(t: Env) -> Any:
    """This year's and last year's episodes in one table; `this_year` marks this year's rows."""
    import ibis

    cols = ("CHILD", "DECOM", "DEC", "REC", "LS")
    now, last = t.Episodes, t.last("Episodes")
    now = now.select(*cols, _row=now._row, this_year=ibis.literal(True))
    last = last.select(*cols, _row=last._row, this_year=ibis.literal(False))
    return now.union(last)


@rule("199", [E], ["CHILD"], "The child was adopted from care before: this year's or last year's episodes end in adoption earlier.",
      needs=PREV,
      passes=[_case({E: [{"CHILD": "1", "DECOM": "{start}", "REC": "E11"}]},
                    {E: [{"CHILD": "1", "DECOM": "{start-200d}", "DEC": "{start-100d}", "REC": "E4A"}]})],
      fails=[_case({E: [{"CHILD": "1", "DECOM": "{start}"}]},
                   {E: [{"CHILD": "1", "DECOM": "{start-200d}", "DEC": "{start-100d}", "REC": "E12"}]}),
             _case({E: [{"CHILD": "1", "DECOM": "{start}", "REC": "E11"}, {"CHILD": "1", "DECOM": "{start+10d}"}]})])  # fmt: skip
def _199(t: Env) -> dict[str, Any]:
    import ibis

    e = _episodes_both_years(t)
    e = e.filter(e.DECOM.notnull() & e.CHILD.notnull())
    # Only a child with an episode ending in adoption can be flagged: number only theirs (all
    # children's episodes of two years made this a costly rule at 100k children, 0.14 s).
    e = e.filter(e.CHILD.isin(e.filter(e.REC.isin(ADOPTED)).CHILD))
    # Last year's records first on a tie: an episode carried over is the same episode.
    order = ibis.window(group_by=e.CHILD, order_by=[e.DECOM, e.this_year, e._row],
                        preceding=None, following=0)  # fmt: skip
    is_ad = e.REC.isin(ADOPTED).fill_null(False)
    e = e.mutate(is_ad=is_ad, adoptions=is_ad.cast("int64").sum().over(order))
    bad = e.this_year & (e.adoptions > 0) & ~((e.adoptions == 1) & e.is_ad)
    return {E: flag(e, bad, msg("Episode from ", show(e, "DECOM"), " after an earlier adoption"))}


def _h(now: dict[str, str], last: dict[str, str], episodes: bool = True) -> Example:
    eps = [{"CHILD": "1", "DECOM": "{start}"}] if episodes else []
    return _case({H: [{"CHILD": "1", **now}], E: eps}, {H: [{"CHILD": "1", **last}]})


@rule("207", [H], ["MOTHER"], "The child was recorded as a mother last year but not this year.",
      needs=PREV, passes=[_h({"MOTHER": "1"}, {"MOTHER": "1"}), _h({"MOTHER": "0"}, {"MOTHER": "1"}, episodes=False)],
      fails=[_h({"MOTHER": "0"}, {"MOTHER": "1"}), _h({}, {"MOTHER": "1"}, )])  # fmt: skip
def _207(t: Env) -> dict[str, Any]:
    last = last_header(t)
    h = t.Header.inner_join(last, t.Header.CHILD == last.l_child)
    bad = (
        h.CHILD.isin(children(t.Episodes))
        & (h.l_mother == "1")
        & ~(h.MOTHER == "1").fill_null(False)
    )
    return {H: flag(h, bad, msg("MOTHER ", show(h, "MOTHER"), " but last year MOTHER was '1'"))}


def _latest_last(t: Env) -> Any:
    """Each child's latest episode (by start) in last year's return, columns prefixed `l_`."""
    import ibis

    last = t.last("Episodes")
    last = last.filter(last.CHILD.notnull() & last.DECOM.notnull())
    order = ibis.window(group_by=last.CHILD, order_by=[last.DECOM.desc(), last._row.desc()])
    last = last.mutate(n_last=ibis.row_number().over(order))
    last = last.filter(last.n_last == 0)
    return last.select(l_child=last.CHILD, l_decom=last.DECOM, l_dec=last.DEC,
                       l_dec_raw=last.DEC__raw)  # fmt: skip


@rule("562", [E], ["DECOM"], "The first episode starting before this year is not last year's latest episode.",
      needs=PREV,
      passes=[_case({E: [{"CHILD": "1", "DECOM": "01/01/2020"}]}, {E: [{"CHILD": "1", "DECOM": "01/01/2020"}]})],
      fails=[_case({E: [{"CHILD": "1", "DECOM": "01/01/2020"}]},
                   {E: [{"CHILD": "1", "DECOM": "01/01/2020"}, {"CHILD": "1", "DECOM": "05/01/2020"}]}),
             _case({E: [{"CHILD": "1", "DECOM": "{start-1d}"}]}, {E: [{"CHILD": "2", "DECOM": "{start-1d}"}]})])  # fmt: skip
def _562(t: Env) -> dict[str, Any]:
    import ibis

    e = t.Episodes
    e = e.filter((e.DECOM < t.start) & e.CHILD.notnull())
    order = ibis.window(group_by=e.CHILD, order_by=[e.DECOM, e._row])
    e = e.mutate(n_ep=ibis.row_number().over(order))
    e = e.filter(e.n_ep == 0)
    last = _latest_last(t)
    j = e.left_join(last, e.CHILD == last.l_child)
    bad = j.l_decom.isnull() | (j.l_decom != j.DECOM)
    return {E: flag(j, bad, msg("Episode from ", show(j, "DECOM"),
                                " but last year's latest episode started ", show(j, "l_decom")))}  # fmt: skip


def _pa(now: dict[str, str], last: dict[str, str]) -> Example:
    return _case({PA: [{"CHILD": "1", **now}]}, {PA: [{"CHILD": "1", **last}]})


REVERSED = {
    "DATE_PLACED": "01/01/2020",
    "DATE_PLACED_CEASED": "01/02/2020",
    "REASON_PLACED_CEASED": "RD1",
}


@rule("584", [PA], ["DATE_PLACED"],
      "A decision to place for adoption was reversed last year, but this year's decision is not later than it.",
      needs=PREV, passes=[_pa({"DATE_PLACED": "02/01/2020"}, REVERSED), _pa({"DATE_PLACED": "01/01/2020"}, {"DATE_PLACED": "01/01/2020"})],
      fails=[_pa({"DATE_PLACED": "01/01/2020"}, REVERSED), _pa({}, REVERSED)])  # fmt: skip
def _584(t: Env) -> dict[str, Any]:
    last = t.last(PA)
    last = last.filter(
        last.CHILD.notnull()
        & (last.DATE_PLACED_CEASED.notnull() | last.REASON_PLACED_CEASED.notnull())
    )
    last = last.select(l_child=last.CHILD, l_date_placed=last.DATE_PLACED)
    p = t.PlacedAdoption.inner_join(last, t.PlacedAdoption.CHILD == last.l_child)
    bad = p.DATE_PLACED.isnull() | (p.DATE_PLACED <= p.l_date_placed)
    return {PA: flag(p, bad, msg("DATE_PLACED ", show(p, "DATE_PLACED"), " but last year's reversed decision was ",
                                 show(p, "l_date_placed")))}  # fmt: skip


def _oc3(
    now_eps: list[dict[str, str]], last_eps: list[dict[str, str]], dob: str = "{end-19y}"
) -> Example:
    now = {OC3: [{"CHILD": "1", "DOB": dob, "IN_TOUCH": "YES"}], H: [{"CHILD": "1", "DOB": dob}],
           E: [{"CHILD": "1", **r} for r in now_eps]}  # fmt: skip
    return _case(now, {E: [{"CHILD": "1", **r} for r in last_eps]})


@rule("1000", [OC3], ["IN_TOUCH", "ACTIV", "ACCOM"], "Care leaver information is given for a child who died in care.",
      needs=PREV, passes=[_oc3([], [{"DECOM": "{start-1y}", "DEC": "{start-1d}", "REC": "E3"}])],
      fails=[_oc3([], [{"DECOM": "{start-1y}", "DEC": "{start-1d}", "REC": "E2"}]),
             _oc3([{"DECOM": "{start}", "DEC": "{start+1d}", "REC": "E2"}], [])])  # fmt: skip
def _1000(t: Env) -> dict[str, Any]:
    o = t.OC3
    now, last = t.Episodes, t.last("Episodes")
    died = (o.CHILD.isin(now.filter(now.REC == "E2").CHILD)
            | o.CHILD.isin(last.filter(last.REC == "E2").CHILD))  # fmt: skip
    return {
        OC3: flag(o, died, msg("Care leaver information for a child whose episode ended E2 (died)"))
    }


@rule("1002", [OC3], ["IN_TOUCH", "ACTIV", "ACCOM"], "Care leaver information is given for a child with no episodes this year or last.",
      needs=PREV, passes=[_oc3([], [{"DECOM": "{start-1y}"}]), _oc3([{"DECOM": "{start}"}], [])],
      fails=[_oc3([], [])])  # fmt: skip
def _1002(t: Env) -> dict[str, Any]:
    o = t.OC3
    bad = ~o.CHILD.isin(children(t.Episodes)) & ~o.CHILD.isin(children(t.last("Episodes")))
    return {OC3: flag(o, bad, msg("Care leaver information but no episodes this year or last"))}


@rule("1010", [OC3], ["IN_TOUCH", "ACTIV", "ACCOM"],
      "Care leaver information is given for a child with no episodes this year although last year's latest was open.",
      needs=PREV, passes=[_oc3([], [{"DECOM": "{start-1y}", "DEC": "{start-1d}"}]),
                          _oc3([{"DECOM": "{start-1y}"}], [{"DECOM": "{start-1y}"}]),
                          _oc3([], [{"DECOM": "{start-1y}", "DEC": "30/02/2021"}])],
      fails=[_oc3([], [{"DECOM": "{start-1y}"}])])  # fmt: skip
def _1010(t: Env) -> dict[str, Any]:
    o = t.OC3
    last = _latest_last(t)
    # An end date given but not a date still ended the episode (the date rules report it).
    still_open = last.filter(last.l_dec.isnull() & last.l_dec_raw.isnull()).l_child
    bad = ~o.CHILD.isin(children(t.Episodes)) & o.CHILD.isin(still_open)
    return {
        OC3: flag(
            o,
            bad,
            msg("Care leaver information but no episodes this year, and last year's ended open"),
        )
    }


def _care_leaver_days(t: Env) -> Any:
    """Per care leaver: days looked after since the 14th and 16th birthdays (both years), and adoption.

    Episodes repeated in both returns count once (the closed copy wins); each child's latest
    episode, if open, runs to the end of this year; V3/V4 (short breaks) do not count.
    """
    import ibis

    e = _episodes_both_years(t)
    # Only care leavers' days are asked for: numbering everyone's episodes of two years first
    # made this the costliest rule at 100k children (0.36 s).
    e = e.filter(e.CHILD.notnull() & e.DECOM.notnull() & e.CHILD.isin(t.OC3.CHILD))
    copy = ibis.window(group_by=[e.CHILD, e.DECOM], order_by=[e.DEC.isnull(), e.this_year])
    e = e.mutate(n_copy=ibis.row_number().over(copy))
    e = e.filter(e.n_copy == 0)
    latest = ibis.window(group_by=e.CHILD, order_by=[e.DECOM.desc(), e._row.desc()])
    e = e.mutate(n_latest=ibis.row_number().over(latest))
    e = e.mutate(dec=ibis.ifelse((e.n_latest == 0) & e.DEC.isnull(), t.end, e.DEC))
    adopted = e.filter((e.n_latest == 0) & e.REC.isin(ADOPTED)).CHILD
    h = t.Header.filter(t.Header.CHILD.notnull() & t.Header.DOB.notnull())
    h = h.group_by(h_child=h.CHILD).aggregate(h_dob=h.DOB.min())
    e = e.filter(~e.LS.isin(["V3", "V4"]).fill_null(False))
    e = e.inner_join(h, e.CHILD == h.h_child)

    def days_since(birthday: Any) -> Any:
        since = ibis.greatest(e.DECOM, birthday)
        return ibis.greatest(e.dec.delta(since, unit="day"), 0)

    e = e.mutate(d14=days_since(add_years(e.h_dob, 14)), d16=days_since(add_years(e.h_dob, 16)))
    days = e.group_by(c_child=e.CHILD).aggregate(total14=e.d14.sum(), total16=e.d16.sum())
    return days, adopted, h


@rule("1001", [OC3], ["IN_TOUCH", "ACTIV", "ACCOM"],
      "Care leaver information is given for a young person whose episodes do not make them a relevant or former relevant child.",
      needs=PREV,
      passes=[_oc3([], [{"DECOM": "{start-1y}", "DEC": "{end}", "REC": "E4A"}], dob="{start-17y}"),
              _oc3([], [], dob="{end-21y}")],
      fails=[_oc3([], [{"DECOM": "{end-60d}", "DEC": "{end-1d}", "REC": "E4A"}], dob="{start-17y}"),
             _oc3([], [{"DECOM": "{start-1y}", "DEC": "{start-1d}", "REC": "E11"}], dob="{start-17y}"),
             _oc3([], [], dob="{start-17y}"), _oc3([], [], dob="31/02/2005")])  # fmt: skip
def _1001(t: Env) -> dict[str, Any]:
    days, adopted, h = _care_leaver_days(t)
    # Over 20 at the year's end: two years of episodes cannot show their time in care. Without
    # a valid date of birth nothing can be shown either, and the record is flagged.
    old = h.filter(add_years(h.h_dob, 20) <= t.end).h_child
    o = t.OC3.left_join(days, t.OC3.CHILD == days.c_child)
    enough = (o.total14 >= 91) & (o.total16 >= 1)
    bad = ~o.CHILD.isin(old) & (o.CHILD.isin(adopted) | ~enough.fill_null(False))
    return {OC3: flag(o, bad, msg("Care leaver information but ", o.total14.fill_null(0).cast("string"),
                                  " days looked after since age 14, ", o.total16.fill_null(0).cast("string"),
                                  " since 16, or adopted"))}  # fmt: skip


def _periods_of_care(t: Env) -> Any:
    """Each child's periods of care: an episode starting after the previous one ended begins one."""
    import ibis

    e = t.Episodes.filter(t.Episodes.CHILD.notnull() & t.Episodes.DECOM.notnull())
    order = ibis.window(group_by=e.CHILD, order_by=[e.DECOM, e._row])
    prev_dec = e.DEC.lag().over(order)
    first = e._row.lag().over(order).isnull()
    e = e.mutate(new=(first | (e.DECOM > prev_dec).fill_null(False)).cast("int64"))
    running = ibis.window(group_by=e.CHILD, order_by=[e.DECOM, e._row], preceding=None, following=0)
    e = e.mutate(period=e.new.sum().over(running))
    span = ibis.window(group_by=[e.CHILD, e.period], order_by=[e.DECOM.desc(), e._row.desc()])
    e = e.mutate(p_decom=e.DECOM.min().over(span), n_end=ibis.row_number().over(span))
    e = e.filter(e.n_end == 0)
    return e.select(p_child=e.CHILD, p_decom=e.p_decom, p_dec=e.DEC)


def _d(dolos: list[dict[str, str]], eps: list[dict[str, str]]) -> Example:
    return Example({D: [{"CHILD": "1", **r} for r in dolos], E: [{"CHILD": "1", **r} for r in eps]})


@rule("707", [D], ["DOLO_END"], "The child ceased to be looked after but a DoLO has no end date.",
      years=FROM_2027,
      passes=[_d([{"DOLO_START": "{start+10d}"}], [{"DECOM": "{start}"}]),
              _d([{"DOLO_START": "{start+10d}", "DOLO_END": "{start+20d}"}], [{"DECOM": "{start}", "DEC": "{start+30d}"}]),
              # An end date outside care is not this rule's (the reference flags it: see
              # reference-differences-b.md), as for missing periods and rule 577.
              _d([{"DOLO_START": "{start+10d}", "DOLO_END": "{start+40d}"}], [{"DECOM": "{start}", "DEC": "{start+30d}"}])],
      fails=[_d([{"DOLO_START": "{start+10d}"}], [{"DECOM": "{start}", "DEC": "{start+30d}"}]),
             _d([{"DOLO_START": "{start-1d}"}], [{"DECOM": "{start}"}])])  # fmt: skip
def _707(t: Env) -> dict[str, Any]:
    # A DoLO with no end must sit in an open period of care that began by its start; one that
    # began in a period of care since ended (or before care began) outlived that care.
    p = _periods_of_care(t)
    d = t.DoLo.filter(t.DoLo.DOLO_START.notnull() & t.DoLo.DOLO_END.isnull())
    j = d.inner_join(p, d.CHILD == p.p_child)
    outside = (j.p_dec.notnull() | (j.DOLO_START < j.p_decom)).fill_null(False)
    j = j.mutate(outside=outside)
    found = j.group_by([j._row, j.DOLO_START, j.DOLO_END, j.DOLO_END__raw]).aggregate(
        everywhere=j.outside.all()
    )
    return {D: flag(found, found.everywhere, msg("DoLO from ", show(found, "DOLO_START"), " with end ",
                                                show(found, "DOLO_END"), ", outside any open period of care"))}  # fmt: skip


def _overlapping(t: Env) -> Any:
    """DoLOs with start and end beside the child's episodes that overlap them."""
    d = t.DoLo.filter(t.DoLo.DOLO_START.notnull() & t.DoLo.DOLO_END.notnull())
    e = t.Episodes
    e = e.select(e_child=e.CHILD, e__row=e._row, e_decom=e.DECOM, e_dec=e.DEC, e_place=e.PLACE)
    j = d.inner_join(e, d.CHILD == e.e_child)
    overlap = ((j.DOLO_START <= j.e_dec) | j.e_dec.isnull()) & (j.DOLO_END >= j.e_decom)
    return j.filter(overlap.fill_null(False))


def _dolo_place(code: str, message: str, wrong: Any, good: str, bad: str) -> None:
    def case(place: str) -> Example:
        return _d([{"DOLO_START": "{start+10d}", "DOLO_END": "{start+20d}"}],
                  [{"DECOM": "{start}", "PLACE": place}])  # fmt: skip

    def check(t: Env) -> dict[str, Any]:
        j = _overlapping(t)
        text = msg(
            "Placement ", show(j, "e_place"), " during the DoLO from ", show(j, "DOLO_START")
        )
        return flag_both(j, wrong(j.e_place), text, D, E, prefix="e_")

    rule(code, [D, E], ["DOLO_START", "PLACE"], message, years=FROM_2027,
         passes=[case(good)], fails=[case(bad)])(check)  # fmt: skip


_dolo_place("709", "A child with a DoLO is placed other than in K2, Z12 or Z13 during it.",
            lambda place: ~place.isin(["K2", "Z12", "Z13"]).fill_null(False), "K2", "U1")  # fmt: skip
_dolo_place("710", "A child with a DoLO is in a secure home, with parents, in a young offender institution or supported accommodation.",
            lambda place: place.isin(["K1", "P1", "R5", "K3"]), "K2", "K1")  # fmt: skip


HOME, NEAR, COVENTRY = "B1 1AA", "B1 1AD", "CV1 1GF"  # Birmingham, next door, Coventry
PLACE_FACTS = ("PL_DISTANCE", "PL_LA", "PL_LOCATION")


def _first_beside_latest_open(t: Env) -> Any:
    """Each child's first episode this year beside last year's latest episode if still open.

    Both carry the placement facts derived from their postcodes; last year's are `l_<name>`.
    """
    import ibis

    from carestat.rules.derive import with_places

    e = with_places(t, t.Episodes.filter(t.Episodes.CHILD.notnull() & t.Episodes.DECOM.notnull()))
    e = e.mutate(n_ep=ibis.row_number().over(group_by=e.CHILD, order_by=[e.DECOM, e._row]))
    e = e.filter(e.n_ep == 0)
    last = t.last("Episodes")
    last = last.filter(last.CHILD.notnull() & last.DECOM.notnull())
    last = with_places(t, last, "Episodes_last")
    order = ibis.window(group_by=last.CHILD, order_by=[last.DECOM.desc(), last._row.desc()])
    last = last.mutate(n_last=ibis.row_number().over(order))
    last = last.filter((last.n_last == 0) & last.DEC.isnull())
    facts = {f"l_{c.lower()}": last[c] for c in PLACE_FACTS}
    last = last.select(l_child=last.CHILD, l_rne=last.RNE, **facts)
    return e.inner_join(last, e.CHILD == last.l_child)


def _places(now: dict[str, str], last: dict[str, str]) -> Example:
    ep = {"CHILD": "1", "DECOM": "01/01/2020", "RNE": "S", "HOME_POST": HOME}
    return _case({E: [{**ep, **now}]}, {E: [{**ep, **last}]})


def _differs(mine: Any, theirs: Any) -> Any:
    """Different values, a blank differing from a value."""
    return (mine.isnull() != theirs.isnull()) | (mine != theirs).fill_null(False)


def _place_rule(code: str, column: str, message: str, same_rne: bool = False) -> None:
    def check(t: Env) -> dict[str, Any]:
        e = _first_beside_latest_open(t)
        mine, theirs = e[column], e[f"l_{column.lower()}"]
        if column == "PL_DISTANCE":  # distances are rounded to 0.1 mile: allow one step
            bad = ((mine - theirs).abs() >= 0.2).fill_null(False) | (
                mine.isnull() != theirs.isnull()
            )
        else:
            bad = _differs(mine, theirs)
        if same_rne:
            bad = bad & (e.RNE == e.l_rne).fill_null(False)
        return {E: flag(e, bad, msg(f"Derived {column} ", show(e, column), " but last year's open episode had ",
                                    show(e, f"l_{column.lower()}")))}  # fmt: skip

    far, other_rne = {"PL_POST": COVENTRY}, {"PL_POST": COVENTRY, "RNE": "P"}
    passes = [_places({"PL_POST": NEAR}, {"PL_POST": NEAR})]
    if same_rne:
        passes.append(_places(other_rne, {"PL_POST": NEAR}))
    passes.append(_places(far, {"PL_POST": NEAR, "DEC": "01/02/2020"}))
    rule(code, [E], [column], message, needs=PREV, passes=passes,
         fails=[_places(far, {"PL_POST": NEAR})])(check)  # fmt: skip


_place_rule("452", "PL_LA", "The first episode's placing council differs from last year's open episode with the same reason for new episode.", same_rne=True)  # fmt: skip
_place_rule("453", "PL_DISTANCE", "The first episode's placement distance differs from last year's open episode with the same reason for new episode.", same_rne=True)  # fmt: skip
_place_rule(
    "503G",
    "PL_DISTANCE",
    "The first episode's placement distance differs from last year's open episode.",
)
_place_rule(
    "503H", "PL_LA", "The first episode's placing council differs from last year's open episode."
)
_place_rule("503J", "PL_LOCATION", "The first episode's placement location (in or out of area) differs from last year's open episode.")  # fmt: skip
