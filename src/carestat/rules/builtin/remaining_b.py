"""Remaining cross-table rules: adoption decisions, missing periods, care leavers, social workers."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from carestat.rules.builtin.adoption_links import first_where
from carestat.rules.builtin.previous_more import _periods_of_care as periods_of_care
from carestat.rules.builtin.remaining_a import (
    ALL_YEAR,
    NEW,
    OC3_ITEMS,
    any_given,
    continuously_looked_after,
)
from carestat.rules.expr import (
    Env,
    add_years,
    blank,
    children,
    flag,
    flag_both,
    link,
    msg,
    show,
)
from carestat.rules.model import Example
from carestat.rules.registry import rule

H, E, O2, O3, A, PA = "Header", "Episodes", "OC2", "OC3", "AD1", "PlacedAdoption"
M, P, U, SW = "Missing", "PrevPerm", "UASC", "SocialWorker"
SHORT_BREAKS = ["V3", "V4"]
PLACED = ["A3", "A4", "A5", "A6"]


def _x(**tables: list[dict[str, str]]) -> Example:
    return Example({name: [{"CHILD": "1", **row} for row in rows] for name, rows in tables.items()})


@cache
def la_codes() -> list[str]:
    """The valid LA_PERM codes: DfE council numbers plus the codes for outside England."""
    text = resources.files("carestat.rules").joinpath("data", "la_codes.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return sorted([*data["councils"], *data["other"]])


@rule("521", [E, A], ["PLACE", "DECOM", "DATE_INT"],
      "The decision that the child should be placed for adoption (DATE_INT) is after the adoption placement began.",
      passes=[_x(Episodes=[{"PLACE": "A3", "DECOM": "{start}"}], AD1=[{"DATE_INT": "{start}"}])],
      fails=[_x(Episodes=[{"PLACE": "A5", "DECOM": "{start}"}], AD1=[{"DATE_INT": "{start+1d}"}])])  # fmt: skip
def _521(t: Env) -> dict[str, Any]:
    j = link(t.Episodes, t.AD1)
    what = msg(
        "Placed (",
        show(j, "PLACE"),
        ") on ",
        show(j, "DECOM"),
        " before DATE_INT ",
        show(j, "r_DATE_INT"),
    )
    return flag_both(j, j.PLACE.isin(PLACED) & (j.r_DATE_INT > j.DECOM), what, E, A)


def _oc2(cla: bool, **fields: str) -> Example:
    return _x(Episodes=[ALL_YEAR if cla else NEW], OC2=[fields])


@rule("543", [E, O2], ["DOB", "CONVICTED"], "A child 10 or over looked after all year has no conviction information.",
      passes=[_oc2(True, DOB="{end-10y}"), _oc2(True, DOB="{end-11y}", CONVICTED="0"), _oc2(False, DOB="{end-11y}")],
      fails=[_oc2(True, DOB="{end-10y-1d}")])  # fmt: skip
def _543(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = (
        (add_years(o.DOB, 10) < t.end)
        & o.CONVICTED.isnull()
        & o.CHILD.isin(continuously_looked_after(t))
    )
    return {O2: flag(o, bad, msg("CONVICTED blank for a child born ", show(o, "DOB")))}


@rule("545", [O2], ["DOB", "HEALTH_CHECK"], "A child under 5 looked after all year has no health promotion information.",
      passes=[_oc2(True, DOB="{end-5y}"), _oc2(True, DOB="{end-3y}", HEALTH_CHECK="1")],
      fails=[_oc2(True, DOB="{end-5y+1d}")])  # fmt: skip
def _545(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = (
        (add_years(o.DOB, 5) > t.end)
        & o.HEALTH_CHECK.isnull()
        & o.CHILD.isin(continuously_looked_after(t))
    )
    return {O2: flag(o, bad, msg("HEALTH_CHECK blank for a child born ", show(o, "DOB")))}


@rule("546", [E, O2], ["DOB", "HEALTH_CHECK"], "A child 5 or over at 31 March should have no health promotion information.",
      passes=[_oc2(True, DOB="{end-5y+1d}", HEALTH_CHECK="1"), _oc2(True, DOB="{end-6y}")],
      fails=[_oc2(True, DOB="{end-5y}", HEALTH_CHECK="0")])  # fmt: skip
def _546(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = (
        (add_years(o.DOB, 5) <= t.end)
        & o.HEALTH_CHECK.notnull()
        & o.CHILD.isin(continuously_looked_after(t))
    )
    return {
        O2: flag(
            o,
            bad,
            msg("HEALTH_CHECK ", show(o, "HEALTH_CHECK"), " for a child born ", show(o, "DOB")),
        )
    }


@rule("555", [E, PA], ["CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"],
      "A freeing order (D1) is recorded but there is no decision to place for adoption, or it is shown as ended.",
      years=(2023, 2024),
      passes=[_x(Episodes=[{"LS": "D1"}], PlacedAdoption=[{"DATE_PLACED": "{start}"}])],
      fails=[_x(Episodes=[{"LS": "D1"}]), _x(Episodes=[{"LS": "D1"}], PlacedAdoption=[{"DATE_PLACED_CEASED": "{end}"}])])  # fmt: skip
def _555(t: Env) -> dict[str, Any]:
    e, pa = t.Episodes, t.PlacedAdoption
    d1 = e.LS == "D1"
    open_d1 = children(e.filter(d1 & e.DEC.isnull()))
    ended = pa.CHILD.isin(open_d1) & (any_given(pa, ("DATE_PLACED_CEASED", "REASON_PLACED_CEASED")))
    return {
        E: flag(e, d1 & ~e.CHILD.isin(children(pa)), msg("LS D1 but no PlacedAdoption record")),
        PA: flag(
            pa,
            ended,
            msg("Open freeing order but DATE_PLACED_CEASED ", show(pa, "DATE_PLACED_CEASED")),
        ),
    }


@rule("556", [E, PA], ["DATE_PLACED", "DECOM"], "The decision to place for adoption is after the freeing order (D1) was granted.",
      years=(2023, 2024),
      passes=[_x(Episodes=[{"LS": "D1", "DECOM": "{start}"}], PlacedAdoption=[{"DATE_PLACED": "{start}"}])],
      fails=[_x(Episodes=[{"LS": "D1", "DECOM": "{start}"}], PlacedAdoption=[{"DATE_PLACED": "{start+1d}"}])])  # fmt: skip
def _556(t: Env) -> dict[str, Any]:
    j = link(t.Episodes, t.PlacedAdoption)
    bad = (j.LS == "D1") & (j.r_DATE_PLACED > j.DECOM)
    return {
        E: flag(
            j,
            bad,
            msg("D1 from ", show(j, "DECOM"), " before DATE_PLACED ", show(j, "r_DATE_PLACED")),
        )
    }


@rule("557", [E, PA], ["DATE_PLACED_CEASED", "REASON_PLACED_CEASED", "PLACE", "LS", "REC"],
      "A child placed for adoption left care without being adopted, but the decision is not shown as ended.",
      passes=[_x(Episodes=[{"PLACE": "A4", "REC": "E11"}]),
              _x(Episodes=[{"PLACE": "A4", "REC": "E4A"}], PlacedAdoption=[{"DATE_PLACED_CEASED": "{end}", "REASON_PLACED_CEASED": "RD1"}])],
      fails=[_x(Episodes=[{"PLACE": "A4", "REC": "E4A"}]),
             _x(Episodes=[{"LS": "E1", "REC": "E8"}], PlacedAdoption=[{"DATE_PLACED_CEASED": "{end}"}])])  # fmt: skip
def _557(t: Env) -> dict[str, Any]:
    e, pa = t.Episodes, t.PlacedAdoption
    left = (
        (e.PLACE.isin(PLACED) | (e.LS == "E1"))
        & e.REC.notnull()
        & ~e.REC.isin(["E11", "E12", "X1"])
    )
    complete = children(
        pa.filter(pa.DATE_PLACED_CEASED.notnull() & pa.REASON_PLACED_CEASED.notnull())
    )
    left_children = children(e.filter(left))
    incomplete = pa.DATE_PLACED_CEASED.isnull() | pa.REASON_PLACED_CEASED.isnull()
    return {
        E: flag(e, left & ~e.CHILD.isin(complete), msg("Left care (REC ", show(e, "REC"), ") with no ended decision")),
        PA: flag(pa, pa.CHILD.isin(left_children) & incomplete, msg("DATE_PLACED_CEASED ", show(pa, "DATE_PLACED_CEASED"),
                                                                     ", REASON_PLACED_CEASED ", show(pa, "REASON_PLACED_CEASED"))),
    }  # fmt: skip


@rule("558", [E, PA], ["DATE_PLACED_CEASED", "REC"],
      "The child was adopted, so the latest decision to place for adoption should not be shown as ended.",
      passes=[_x(Episodes=[{"REC": "E11"}], PlacedAdoption=[{"DATE_PLACED": "{start-1y}", "DATE_PLACED_CEASED": "{start}"}, {"DATE_PLACED": "{start+9d}"}])],
      fails=[_x(Episodes=[{"REC": "E12"}], PlacedAdoption=[{"DATE_PLACED": "{start-1y}", "DATE_PLACED_CEASED": "{start}"},
                                                           {"DATE_PLACED": "{start+9d}", "DATE_PLACED_CEASED": "{start+20d}"}])])  # fmt: skip
def _558(t: Env) -> dict[str, Any]:
    e, pa = t.Episodes, t.PlacedAdoption
    per_child = (
        pa.filter(pa.CHILD.notnull())
        .group_by(p_child=pa.CHILD)
        .aggregate(p_ended=pa.DATE_PLACED_CEASED.count(), p_rows=pa._row.count())
    )
    all_ended = per_child.filter(
        (per_child.p_ended == per_child.p_rows) & (per_child.p_ended > 1)
    ).p_child
    bad = e.REC.isin(["E11", "E12"]) & e.CHILD.isin(all_ended)
    return {
        E: flag(
            e,
            bad,
            msg("Adopted (REC ", show(e, "REC"), ") but every decision to place is shown as ended"),
        )
    }


@rule("577", [E, M], ["MIS_END"], "The child has left care but a missing period has no end date.",
      passes=[_x(Episodes=[{"DECOM": "{start}"}], Missing=[{"MIS_START": "{start}"}]),
              _x(Episodes=[{"DECOM": "{start}", "DEC": "{end-9d}", "REC": "E8"}], Missing=[{"MIS_START": "{start+9d}", "MIS_END": "{start+12d}"}])],
      fails=[_x(Episodes=[{"DECOM": "{start}", "DEC": "{end-9d}", "REC": "E8"}], Missing=[{"MIS_START": "{start+9d}"}]),
             _x(Episodes=[{"DECOM": "{start}"}], Missing=[{"MIS_START": "{start-1d}"}])])  # fmt: skip
def _577(t: Env) -> dict[str, Any]:
    # An open missing period must sit in an open period of care that began by its start: one
    # that began in a period of care since ended (or before care began) outlived that care.
    p = periods_of_care(t)
    m = t.Missing.filter(t.Missing.MIS_START.notnull() & t.Missing.MIS_END.isnull())
    j = m.inner_join(p, m.CHILD == p.p_child)
    held = j.filter((j.p_dec.isnull() & (j.p_decom <= j.MIS_START)).fill_null(False))
    bad = m.CHILD.isin(p.p_child) & ~m._row.isin(held._row)
    return {
        M: flag(
            m,
            bad,
            msg(
                "Missing from ",
                show(m, "MIS_START"),
                " with no end, outside any open period of care",
            ),
        )
    }


@rule("578", [E, M], ["MIS_START"], "A missing period starts when the child was not looked after.",
      passes=[_x(Episodes=[{"DECOM": "{start}", "DEC": "{start+9d}", "REC": "E8"}], Missing=[{"MIS_START": "{start+9d}"}]),
              _x(Episodes=[{"DECOM": "31/04/2020", "DEC": "{start+9d}", "REC": "E8"}], Missing=[{"MIS_START": "{start+9d}"}]),
              _x(Episodes=[{"DECOM": "31/04/2020"}], Missing=[{"MIS_START": "{start+9d}"}])],
      fails=[_x(Episodes=[{"DECOM": "{start}", "DEC": "{start+9d}", "REC": "E8"}], Missing=[{"MIS_START": "{start+10d}"}]),
             _x(Episodes=[{"DECOM": "31/04/2020", "DEC": "{start+9d}", "REC": "E8"}], Missing=[{"MIS_START": "{start+10d}"}]),
             _x(Episodes=[{"DECOM": "31/04/2020", "DEC": "30/02/2020", "REC": "E8"}], Missing=[{"MIS_START": "{start+9d}"}]),
             _x(Episodes=[{"DECOM": "{start}"}], Missing=[{"MIS_START": "{start-1d}"}])])  # fmt: skip
def _578(t: Env) -> dict[str, Any]:
    m, e = t.Missing, t.Episodes
    j = link(m, e)
    # An episode whose start cannot be read bounds the period only by its end: the rule asks
    # whether the missing period began after care ceased. Still open, it has not ceased; with an
    # end that cannot be read either, it bounds nothing.
    end_unread = j.r_DEC.isnull() & j["r_DEC__raw"].notnull()
    started = (j.r_DECOM.isnull() & ~end_unread) | (j.r_DECOM <= j.MIS_START)
    inside = started & (j.r_DEC.isnull() | (j.MIS_START <= j.r_DEC))
    covered = j.filter(inside.fill_null(False)).select(c_row=j._row)
    bad = m.MIS_START.notnull() & m.CHILD.isin(children(e)) & ~m._row.isin(covered.c_row)
    return {
        M: flag(m, bad, msg("Missing from ", show(m, "MIS_START"), " outside any episode of care"))
    }


@rule("580", [E, M], ["REC"], "The child was missing when care ended at 18, but the reason care ended is not E8.",
      passes=[_x(Episodes=[{"DEC": "{end}", "REC": "E8"}], Missing=[{"DOB": "{end-18y}", "MIS_END": "{end}"}])],
      fails=[_x(Episodes=[{"DEC": "{end}", "REC": "E4A"}], Missing=[{"DOB": "{end-18y}", "MIS_END": "{end}"}])])  # fmt: skip
def _580(t: Env) -> dict[str, Any]:
    j = link(t.Episodes, t.Missing)
    ended = (j.r_MIS_END == j.DEC) & (j.r_MIS_END == add_years(j.r_DOB, 18))
    bad = ended & (j.REC.isnull() | (j.REC != "E8"))
    return {
        E: flag(
            j, bad, msg("Missing until care ended ", show(j, "DEC"), " but REC ", show(j, "REC"))
        )
    }


@rule("582", [E, A], ["DEC", "DATE_MATCH"], "The child was adopted on the same day as being matched with adopters.",
      passes=[_x(Episodes=[{"DEC": "{end}", "REC": "E11"}], AD1=[{"DATE_MATCH": "{end-1d}"}])],
      fails=[_x(Episodes=[{"DEC": "{end}", "REC": "E12"}], AD1=[{"DATE_MATCH": "{end}"}])])  # fmt: skip
def _582(t: Env) -> dict[str, Any]:
    j = link(t.Episodes, t.AD1)
    bad = j.REC.isin(["E11", "E12"]) & (j.DEC == j.r_DATE_MATCH)
    return {E: flag(j, bad, msg("Adopted ", show(j, "DEC"), ", the day of matching"))}


@rule("625", [E, H], ["MC_DOB", "DEC"], "The first child's date of birth is after the year ends or after the mother left care.",
      passes=[_x(Header=[{"MC_DOB": "{end}"}], Episodes=[{"DECOM": "{start}", "DEC": "{end}", "REC": "E8"}])],
      fails=[_x(Header=[{"MC_DOB": "{end}"}], Episodes=[{"DECOM": "{start}", "DEC": "{end-1d}", "REC": "E8"}]),
             _x(Header=[{"MC_DOB": "{end+1d}"}])])  # fmt: skip
def _625(t: Env) -> dict[str, Any]:
    # The mother's last ended episode is flagged with her Header record: DEC is one of the fields.
    h, e = t.Header, t.Episodes
    last = first_where(e, e.CHILD.notnull(), "DEC", descending=True)
    j = h.left_join(last.select(l_child=last.CHILD, l_dec=last.DEC), h.CHILD == last.CHILD)
    bad = (j.MC_DOB > t.end) | (j.MC_DOB > j.l_dec)
    k = link(last, h)
    bad_last = (k.r_MC_DOB > t.end) | (k.r_MC_DOB > k.DEC)
    return {
        H: flag(
            j,
            bad,
            msg("MC_DOB ", show(j, "MC_DOB"), " after the year or care ended ", show(j, "l_dec")),
        ),
        E: flag(
            k, bad_last, msg("Care ended ", show(k, "DEC"), " before MC_DOB ", show(k, "r_MC_DOB"))
        ),
    }


@rule("628", [E, H, O3], ["MOTHER"], "Motherhood is given for a care leaver not looked after this year.",
      passes=[_x(Header=[{"MOTHER": "0"}], Episodes=[ALL_YEAR], OC3=[{"IN_TOUCH": "YES"}]), _x(Header=[{}], OC3=[{"IN_TOUCH": "YES"}])],
      fails=[_x(Header=[{"MOTHER": "1"}], OC3=[{"IN_TOUCH": "YES"}])])  # fmt: skip
def _628(t: Env) -> dict[str, Any]:
    h, o = t.Header, t.OC3
    leaver = children(o.filter(any_given(o, OC3_ITEMS)))
    bad = h.MOTHER.notnull() & h.CHILD.isin(leaver) & ~h.CHILD.isin(children(t.Episodes))
    return {
        H: flag(h, bad, msg("MOTHER ", show(h, "MOTHER"), " for a care leaver with no episodes"))
    }


# DATE_PERM may replace unknown parts by ZZ (ZZ/ZZ/2015): such text is valid though not a date.
PARTIAL_DATE = r"^(ZZ|[0-9]{2})/(ZZ|[0-9]{2})/(ZZZZ|[0-9]{4})$"


def _with_latest_key(p: Any, text: Any) -> Any:
    """`p` with `perm_valid` and `perm_key` (YYYYMMDD of the latest day `text` can mean).

    `text` matches PARTIAL_DATE. As DfE's tool reads it: ZZ day = end of the month, ZZ month =
    a year from the day given less a day (31/12 when the day is ZZ too), ZZZZ = 2000. Built in
    steps so each part is a column the next step reads: written as one expression, every use
    repeats its parts, and the SQL grew to 48 KB (a tenth of a council's validation time).
    """
    import ibis

    p = p.mutate(perm_d=text.substr(0, 2), perm_m=text.substr(3, 2), perm_y=text.substr(6, 4))
    p = p.mutate(
        perm_day=(p.perm_d == "ZZ").ifelse("01", p.perm_d).cast("int64"),
        perm_month=(p.perm_m == "ZZ").ifelse("01", p.perm_m).cast("int64"),
        perm_year=(p.perm_y == "ZZZZ").ifelse("2000", p.perm_y).cast("int64"),
    )
    day, month, year = p.perm_day, p.perm_month, p.perm_year
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    p = p.mutate(
        perm_last=ibis.cases(
            (month == 2, leap.ifelse(29, 28)), (month.isin([4, 6, 9, 11]), 30), else_=31
        )
    )
    day, month, year, last = p.perm_day, p.perm_month, p.perm_year, p.perm_last
    return p.mutate(
        perm_valid=month.between(1, 12) & day.between(1, last),
        perm_key=ibis.cases(
            (p.perm_m == "ZZ",
             (day == 1).ifelse(year * 10000 + 1231, (year + 1) * 10000 + 100 + day - 1)),
            (p.perm_d == "ZZ", year * 10000 + month * 100 + last),
            else_=year * 10000 + month * 100 + day,
        ),
    )  # fmt: skip


@rule("632", [E, P], ["DATE_PERM", "DECOM"], "The date of the previous permanence order is not a valid date or is not before care began.",
      passes=[_x(PrevPerm=[{"DATE_PERM": "ZZ/ZZ/2015"}], Episodes=[{"DECOM": "{start}"}]),
              _x(PrevPerm=[{"DATE_PERM": "{start-1d}"}], Episodes=[{"DECOM": "{start}"}]),
              _x(PrevPerm=[{"DATE_PERM": "ZZ/02/2016"}], Episodes=[{"DECOM": "01/03/2016"}])],
      fails=[_x(PrevPerm=[{"DATE_PERM": "{start}"}], Episodes=[{"DECOM": "{start}"}]),
             _x(PrevPerm=[{"DATE_PERM": "2015"}], Episodes=[{"DECOM": "{start}"}]),
             _x(PrevPerm=[{"DATE_PERM": "30/02/2016"}], Episodes=[{"DECOM": "{start}"}]),
             _x(PrevPerm=[{"DATE_PERM": "ZZ/02/2016"}], Episodes=[{"DECOM": "29/02/2016"}])])  # fmt: skip
def _632(t: Env) -> dict[str, Any]:
    # The child's first episode is flagged with the PrevPerm record (DECOM is one of the fields).
    e = t.Episodes
    first = first_where(e, e.CHILD.notnull(), "DECOM")
    starts = first.select(f_child=first.CHILD, f_decom=first.DECOM, f_row=first._row)
    p = t.PrevPerm.left_join(starts, t.PrevPerm.CHILD == starts.f_child)
    p = p.mutate(perm_text=p.DATE_PERM.upper())
    p = p.mutate(perm_shaped=p.perm_text.re_search(PARTIAL_DATE).fill_null(False))
    p = _with_latest_key(p, p.perm_shaped.ifelse(p.perm_text, "01/01/2000"))
    text, shaped = p.perm_text, p.perm_shaped
    decom = p.f_decom.strftime("%Y%m%d").cast("int64")
    bad = (text.notnull() & ~(shaped & p.perm_valid)) | (shaped & (p.perm_key >= decom))
    p = p.mutate(
        flag_text=msg("DATE_PERM ", show(p, "DATE_PERM"), " with care from ", show(p, "f_decom"))
    )
    firsts = p.filter(bad.fill_null(False) & p.f_row.notnull())
    return {
        P: flag(p, bad, p.flag_text),
        E: firsts.select(_row=firsts.f_row, message=firsts.flag_text),
    }


@rule("633", [P], ["LA_PERM"], "The council where the previous permanence order was made is not a valid code.",
      passes=[_x(PrevPerm=[{"LA_PERM": "938"}]), _x(PrevPerm=[{"LA_PERM": "WAL"}]), _x(PrevPerm=[{}])],
      fails=[_x(PrevPerm=[{"LA_PERM": "999"}]), _x(PrevPerm=[{"LA_PERM": "E10000032"}])])  # fmt: skip
def _633(t: Env) -> dict[str, Any]:
    p = t.PrevPerm
    bad = p.LA_PERM.notnull() & ~p.LA_PERM.isin(la_codes())
    return {P: flag(p, bad, msg("LA_PERM ", show(p, "LA_PERM"), " is not a council code"))}


def _birthday(dob: Any, t: Env) -> Any:
    """The child's latest birthday on or before 31 March."""
    import ibis

    this_year = ibis.date(t.end.year(), dob.month(), dob.day())
    return ibis.ifelse(this_year > t.end, this_year - ibis.interval(years=1), this_year)


@rule("1007", [E, O3], OC3_ITEMS, "Care leaver data is given for a 17- or 18-year-old still looked after on that birthday.",
      passes=[_x(OC3=[{"DOB": "{end-17y}", "IN_TOUCH": "YES"}], Episodes=[{"DECOM": "{start}", "DEC": "{end-1d}", "REC": "E8"}])],
      fails=[_x(OC3=[{"DOB": "{end-17y}", "IN_TOUCH": "YES"}], Episodes=[{"DECOM": "{start}"}]),
             _x(OC3=[{"DOB": "{start-18y+9d}", "ACTIV": "F1"}], Episodes=[{"DECOM": "{start}", "DEC": "{start+10d}", "REC": "E8"}])])  # fmt: skip
def _1007(t: Env) -> dict[str, Any]:
    j = link(t.OC3, t.Episodes)
    aged = (add_years(j.DOB, 17) <= t.end) & (add_years(j.DOB, 19) > t.end)
    birthday = _birthday(j.DOB, t)
    in_care = (j.r_DECOM <= birthday) & (j.r_DEC.isnull() | (j.r_DEC > birthday))
    bad = aged & in_care & any_given(j, OC3_ITEMS)
    return {
        O3: flag(
            j,
            bad,
            msg(
                "Care leaver data for a child born ",
                show(j, "DOB"),
                " looked after on the birthday",
            ),
        )
    }


@rule("1014", [E, U, O3], ["ACTIV", "ACCOM", "IN_TOUCH", "DUC"], "UASC data is given for a care leaver not looked after this year.",
      passes=[_x(UASC=[{"DUC": "{start}"}], OC3=[{"IN_TOUCH": "YES"}], Episodes=[ALL_YEAR])],
      fails=[_x(UASC=[{"DUC": "{start}"}], OC3=[{"IN_TOUCH": "YES"}], Episodes=[{"DECOM": "{start-2y}", "DEC": "{start-1d}", "REC": "E8"}])])  # fmt: skip
def _1014(t: Env) -> dict[str, Any]:
    e, u, o = t.Episodes, t.UASC, t.OC3
    in_year = children(e.filter((e.DECOM <= t.end) & (e.DEC.isnull() | (e.DEC >= t.start))))
    leaver = children(o.filter(any_given(o, OC3_ITEMS)))
    uasc_leaver = children(
        u.filter(u.CHILD.isin(children(e)) & ~u.CHILD.isin(in_year) & u.CHILD.isin(leaver))
    )
    return {
        U: flag(u, u.CHILD.isin(uasc_leaver), msg("UASC data for care leaver ", show(u, "CHILD"))),
        O3: flag(
            o,
            o.CHILD.isin(uasc_leaver),
            msg("Care leaver ", show(o, "CHILD"), " also has UASC data"),
        ),
    }


@rule("1016", [E, O3], OC3_ITEMS, "Care leaver data is given for a 17- or 18-year-old who left care after that birthday.",
      years=(2024, None),
      passes=[_x(OC3=[{"DOB": "{end-17y}", "IN_TOUCH": "YES"}], Episodes=[{"DECOM": "{start}", "DEC": "{end-1d}", "REC": "E8"}])],
      fails=[_x(OC3=[{"DOB": "{end-17y-9d}", "IN_TOUCH": "YES"}], Episodes=[{"DECOM": "{start}", "DEC": "{end-1d}", "REC": "E8"}])])  # fmt: skip
def _1016(t: Env) -> dict[str, Any]:
    j = link(t.OC3, t.Episodes)
    seventeen = (add_years(j.DOB, 17) <= t.end) & (add_years(j.DOB, 18) > t.end)
    eighteen = (add_years(j.DOB, 18) <= t.end) & (add_years(j.DOB, 19) > t.end)
    after = (seventeen & (j.r_DEC >= add_years(j.DOB, 17))) | (
        eighteen & (j.r_DEC >= add_years(j.DOB, 18))
    )
    bad = after & any_given(j, OC3_ITEMS)
    return {
        O3: flag(
            j,
            bad,
            msg(
                "Care leaver data; care ended ",
                show(j, "r_DEC"),
                " after the birthday (born ",
                show(j, "DOB"),
                ")",
            ),
        )
    }


@rule("3001", [H, O3], ["ACCOM"], "A care leaver turning 17 this year cannot be living with former foster carers (R1/R2).",
      passes=[_x(Header=[{"DOB": "{start-17y-1d}"}], OC3=[{"ACCOM": "R1"}])],
      fails=[_x(Header=[{"DOB": "{start-17y}"}], OC3=[{"ACCOM": "R2"}])])  # fmt: skip
def _3001(t: Env) -> dict[str, Any]:
    j = link(t.OC3, t.Header)
    turns = add_years(j.r_DOB, 17).between(t.start, t.end)
    return {
        O3: flag(
            j,
            turns & j.ACCOM.isin(["R1", "R2"]),
            msg("ACCOM ", show(j, "ACCOM"), " for a child born ", show(j, "r_DOB")),
        )
    }


@rule("347", [O3], ["ACCOM"], "A care leaver under 18 cannot be accommodated in a foyer (T1/T2).", years=(2024, None),
      passes=[_x(OC3=[{"DOB": "{start-18y}", "ACCOM": "T1"}])], fails=[_x(OC3=[{"DOB": "{start-18y+1d}", "ACCOM": "T2"}])])  # fmt: skip
def _347(t: Env) -> dict[str, Any]:
    o = t.OC3
    bad = o.ACCOM.isin(["T1", "T2"]) & (add_years(o.DOB, 18) > t.start)
    return {O3: flag(o, bad, msg("ACCOM ", show(o, "ACCOM"), " for a child born ", show(o, "DOB")))}


def _sw(*rows: dict[str, str], **tables: list[dict[str, str]]) -> Example:
    return _x(SocialWorker=list(rows), **tables)


@rule("SW01STG1", [SW, E], ["DEC"], "The child is looked after on 31 March but has no complete social worker episode.",
      years=(2024, 2024),
      passes=[_sw({"SW_ID": "SW1", "SW_DECOM": "{start}", "SW_REASON": "FCONTA"}, Episodes=[ALL_YEAR]),
              _sw(Episodes=[{**ALL_YEAR, "LS": "V3"}])],
      fails=[_sw(Episodes=[ALL_YEAR]), _sw({"SW_ID": "SW1", "SW_DECOM": "{start}"}, Episodes=[ALL_YEAR])])  # fmt: skip
def _sw01(t: Env) -> dict[str, Any]:
    e, s = t.Episodes, t.SocialWorker
    # "At least one instance of each item", as DfE words it; a date given is given even if
    # unreadable (SW04STG1 reports that).
    given = s.group_by(g_child=s.CHILD).aggregate(
        ok=s.SW_ID.notnull().any() & (~blank(s, "SW_DECOM")).any() & s.SW_REASON.notnull().any()
    )
    complete = given.filter(given.ok & given.g_child.notnull()).g_child
    open_now = e.DEC.isnull() & (e.LS.isnull() | ~e.LS.isin(SHORT_BREAKS))
    return {
        E: flag(
            e,
            open_now & ~e.CHILD.isin(complete),
            msg("Looked after at 31 March but no complete social worker episode"),
        )
    }


def _sw_next(t: Env) -> Any:
    """Social worker episodes with the child's next episode's start alongside (`n_decom`, `n_row`)."""
    import ibis

    s = t.SocialWorker
    order = ibis.window(group_by=s.CHILD, order_by=[s.SW_DECOM, s._row])
    return s.mutate(n_decom=s.SW_DECOM.lead().over(order), n_row=s._row.lead().over(order))


@rule("SW11aSTG2", [SW], ["SW_DEC"], "A social worker episode ended before 31 March and the next one does not start within 5 days.",
      years=(2024, 2024),
      passes=[_sw({"SW_DECOM": "{start}", "SW_DEC": "{start+9d}"}, {"SW_DECOM": "{start+14d}"}),
              _sw({"SW_DECOM": "{start}", "SW_DEC": "{end-4d}"}, {"SW_DECOM": "{end+2d}"})],
      fails=[_sw({"SW_DECOM": "{start}", "SW_DEC": "{start+9d}"}, {"SW_DECOM": "{start+15d}"}),
             _sw({"SW_DECOM": "{start}", "SW_DEC": "{start+9d}"}, {})])  # fmt: skip
def _sw11a(t: Env) -> dict[str, Any]:
    # The later episode of the pair is flagged (its start is late), as the reference reports it.
    import ibis

    s = t.SocialWorker
    order = ibis.window(group_by=s.CHILD, order_by=[s.SW_DECOM, s._row])
    s = s.mutate(p_dec=s.SW_DEC.lag().over(order), p_row=s._row.lag().over(order))
    five = ibis.interval(days=5)
    early = s.p_dec <= t.end - five
    far = s.SW_DECOM.isnull() | (s.SW_DECOM < s.p_dec - five) | (s.SW_DECOM > s.p_dec + five)
    return {
        SW: flag(
            s,
            early & s.p_row.notnull() & far,
            msg("Starts ", show(s, "SW_DECOM"), "; the previous episode ended ", show(s, "p_dec")),
        )
    }


@rule("SW11bSTG2", [SW], ["SW_DEC"], "A social worker episode ended in the last 5 days of the year and no next one is given.",
      years=(2024, None),
      passes=[_sw({"SW_DECOM": "{start}", "SW_DEC": "{end-5d}"}, {"SW_DECOM": "{end-4d}"}), _sw({"SW_DECOM": "{start}", "SW_DEC": "{end-6d}"}),
              _sw({"SW_DEC": "{end-2d}"}, {"SW_DECOM": "{end-2d}"})],
      fails=[_sw({"SW_DECOM": "{start}", "SW_DEC": "{end-5d}"}), _sw({"SW_DEC": "{end-2d}"}, {"SW_DECOM": "{end-3d}"})])  # fmt: skip
def _sw11b(t: Env) -> dict[str, Any]:
    import ibis

    s = _sw_next(t)
    late = s.SW_DEC.between(t.end - ibis.interval(days=5), t.end)
    # An episode with no start date has no place in the order by start: it is followed when
    # another of the child's episodes starts on or after the day it ended.
    o = t.SocialWorker
    o = o.filter(o.SW_DECOM.notnull()).select(o_child=o.CHILD, o_decom=o.SW_DECOM)
    after = s.inner_join(o, (s.CHILD == o.o_child) & (o.o_decom >= s.SW_DEC))
    followed = s.SW_DECOM.isnull() & s._row.isin(after._row)
    return {
        SW: flag(
            s,
            late & s.n_decom.isnull() & ~followed,
            msg("Ended ", show(s, "SW_DEC"), " with no next social worker episode"),
        )
    }


@rule("SW12STG2", [SW, E], ["SW_DECOM"], "A child looked after on 31 March has no social worker episode covering the start of the year.",
      years=(2024, None),
      passes=[_sw({"SW_DECOM": "{start-1y}", "SW_ID": "SW1"}, Episodes=[ALL_YEAR]),
              _sw({"SW_DECOM": "{start+30d}"}, Episodes=[ALL_YEAR], Header=[{"DOB": "{start+30d}"}])],
      fails=[_sw({"SW_DECOM": "{start+1d}"}, Episodes=[ALL_YEAR])])  # fmt: skip
def _sw12(t: Env) -> dict[str, Any]:
    import ibis

    e, s, h = t.Episodes, t.SocialWorker, t.Header
    open_now = children(e.filter(e.DEC.isnull() & (e.LS.isnull() | ~e.LS.isin(SHORT_BREAKS))))
    first = (
        s.filter(s.CHILD.notnull()).group_by(f_child=s.CHILD).aggregate(f_decom=s.SW_DECOM.min())
    )
    born = h.filter(h.CHILD.notnull()).group_by(b_child=h.CHILD).aggregate(b_dob=h.DOB.min())
    j = first.left_join(born, first.f_child == born.b_child)
    due = ibis.greatest(t.start, j.b_dob.fill_null(t.start))
    late = j.filter((j.f_decom > due).fill_null(False)).f_child
    bad = (
        s.CHILD.isin(open_now)
        & s.CHILD.isin(late)
        & (s.SW_DECOM == s.SW_DECOM.min().over(ibis.window(group_by=s.CHILD)))
    )
    return {
        SW: flag(
            s,
            bad,
            msg(
                "First social worker episode starts ", show(s, "SW_DECOM"), ", after the year began"
            ),
        )
    }
