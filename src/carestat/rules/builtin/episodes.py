"""Rules on the Episodes table alone: codes, dates, and how each episode follows the last."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carestat.rules.builtin._common import code_rule, date_rule
from carestat.rules.expr import Env, blank, date, flag, msg, neighbours, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

E = "Episodes"
TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]


def _e(*rows: dict[str, str]) -> Example:
    return Example({E: [{"CHILD": "1", **r} for r in rows]})


date_rule("141", E, "DECOM", "The date the episode began is not a valid date.")
code_rule(
    "143",
    E,
    "RNE",
    "RNE",
    "The reason for new episode is not a valid code.",
    blank_ok=True,
    good="S",
)
code_rule("144", E, "LS", "LS", "The legal status is not a valid code.", blank_ok=True, good="C2")
code_rule(
    "145", E, "CIN", "CIN", "The category of need is not a valid code.", blank_ok=True, good="N1"
)
code_rule(
    "146", E, "PLACE", "PLACE", "The placement type is not a valid code.", blank_ok=True, good="U1"
)
date_rule("147", E, "DEC", "The date the episode ceased is not a valid date.")
code_rule(
    "149",
    E,
    "REC",
    "REC",
    "The reason the episode ceased is not a valid code.",
    blank_ok=True,
    good="E11",
)
code_rule("1009", E, "REASON_PLACE_CHANGE", "REASON_PLACE_CHANGE",
          "The reason for placement change is not a valid code.", blank_ok=True, good="CARPL")  # fmt: skip


@rule("142", [E], ["DEC", "REC"], "A later episode has started but this episode has not ended.",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "X1"}, {"DECOM": "01/06/2022"})],
      fails=[_e({"DECOM": "01/05/2022", "REC": "X1"}, {"DECOM": "01/06/2022"})])  # fmt: skip
def _142(t: Env) -> dict[str, Any]:
    e = neighbours(t.Episodes)
    bad = e.has_next & e.DECOM.notnull() & (e.DEC.isnull() | e.REC.isnull())
    return {E: flag(e, bad, msg("Episode from ", show(e, "DECOM"), " has a later episode but DEC ",
                                show(e, "DEC"), ", REC ", show(e, "REC")))}  # fmt: skip


@rule("148", [E], ["DEC", "REC"], "The date and the reason the episode ceased must both be given or both blank.",
      passes=[_e({"DEC": "01/06/2022", "REC": "X1"}), _e({})],
      fails=[_e({"DEC": "01/06/2022"}), _e({"REC": "E11"})])  # fmt: skip
def _148(t: Env) -> dict[str, Any]:
    e = t.Episodes
    has_dec = e.DEC.notnull() | e.DEC__raw.notnull()
    bad = has_dec != e.REC.notnull()
    return {E: flag(e, bad, msg("DEC ", show(e, "DEC"), " but REC ", show(e, "REC")))}


def _178(no_provider: list[str]) -> Any:
    def check(t: Env) -> dict[str, Any]:
        e = t.Episodes
        given = e.PLACE_PROVIDER.notnull()
        bad = given & (
            ~e.PLACE_PROVIDER.isin(t.codes("PLACE_PROVIDER")) | e.PLACE.isin(no_provider)
        )
        return {E: flag(e, bad, msg("PLACE_PROVIDER ", show(e, "PLACE_PROVIDER"), " with PLACE ",
                                    show(e, "PLACE")))}  # fmt: skip

    return check


_178_msg = "The placement provider is not a valid code, or is given for a placement that has none."
rule("178", [E], ["PLACE_PROVIDER"], _178_msg, years=(2023, 2025),
     passes=[_e({"PLACE": "U1", "PLACE_PROVIDER": "PR1"}), _e({"PLACE": "T1"})],
     fails=[_e({"PLACE": "U1", "PLACE_PROVIDER": "PR9"}), _e({"PLACE": "Z1", "PLACE_PROVIDER": "PR1"})],
     )(_178([*TEMPORARY, "Z1"]))  # fmt: skip
rule("178", [E], ["PLACE_PROVIDER"], _178_msg, years=(2026, None),
     passes=[_e({"PLACE": "U1", "PLACE_PROVIDER": "PR1"}), _e({"PLACE": "Z11"})],
     fails=[_e({"PLACE": "U1", "PLACE_PROVIDER": "PR9"}), _e({"PLACE": "Z14", "PLACE_PROVIDER": "PR1"})],
     )(_178([*TEMPORARY, "Z11", "Z12", "Z13", "Z14"]))  # fmt: skip


def _213(places: list[str]) -> Any:
    def check(t: Env) -> dict[str, Any]:
        e = t.Episodes
        bad = e.PLACE.isin(places) & e.PLACE_PROVIDER.notnull()
        return {E: flag(e, bad, msg("PLACE_PROVIDER ", show(e, "PLACE_PROVIDER"),
                                    " given for PLACE ", show(e, "PLACE")))}  # fmt: skip

    return check


_213_msg = "A placement provider is not needed for this placement type."
rule("213", [E], ["PLACE_PROVIDER"], _213_msg, years=(2023, 2025),
     passes=[_e({"PLACE": "T1"})], fails=[_e({"PLACE": "T1", "PLACE_PROVIDER": "PR1"})])(_213(TEMPORARY))  # fmt: skip
rule("213", [E], ["PLACE_PROVIDER"], _213_msg, years=(2026, None),
     passes=[_e({"PLACE": "Z12"})], fails=[_e({"PLACE": "Z12", "PLACE_PROVIDER": "PR4"})],
     )(_213([*TEMPORARY, "Z11", "Z12", "Z13", "Z14"]))  # fmt: skip


@rule("214", [E], ["PL_POST", "URN"], "Placement location is not needed for short breaks (V3/V4).",
      passes=[_e({"LS": "V3"}), _e({"LS": "C2", "URN": "1234567"})],
      fails=[_e({"LS": "V4", "PL_POST": "AB1 2CD"}), _e({"LS": "V3", "URN": "1234567"})])  # fmt: skip
def _214(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = e.LS.isin(["V3", "V4"]) & (e.PL_POST.notnull() | e.URN.notnull())
    return {E: flag(e, bad, msg("LS ", show(e, "LS"), " with PL_POST ", show(e, "PL_POST"),
                                ", URN ", show(e, "URN")))}  # fmt: skip


@rule("217", [E], ["PLACE", "DECOM", "RNE"],
      "Placed for adoption with current foster carers (A3/A5) from 1 April 2015 needs RNE S, T or U.",
      passes=[_e({"PLACE": "A3", "DECOM": "01/04/2015", "RNE": "T"}), _e({"PLACE": "A5", "DECOM": "31/03/2015", "RNE": "P"})],
      fails=[_e({"PLACE": "A5", "DECOM": "01/04/2015", "RNE": "P"})])  # fmt: skip
def _217(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = (
        e.PLACE.isin(["A3", "A5"])
        & (date(dt.date(2015, 4, 1)) <= e.DECOM)
        & ~e.RNE.isin(["S", "T", "U"])
    )
    return {E: flag(e, bad, msg("PLACE ", show(e, "PLACE"), " from ", show(e, "DECOM"),
                                " with RNE ", show(e, "RNE")))}  # fmt: skip


@rule("217t", [E], ["PLACE", "DECOM"], "Placement type P2 is not valid from 28 October 2023.",
      years=(2024, 2024),
      passes=[_e({"PLACE": "P2", "DECOM": "01/05/2023", "DEC": "28/10/2023"})],
      fails=[_e({"PLACE": "P2", "DECOM": "01/05/2023", "DEC": "29/10/2023"}), _e({"PLACE": "P2", "DECOM": "01/05/2023"})])  # fmt: skip
def _217t(t: Env) -> dict[str, Any]:
    # A P2 placement still going on after 28 October 2023 (ending later, or open), as the
    # reference reads "not valid from 28 October 2023"; one starting later is caught too.
    e = t.Episodes
    bad = (e.PLACE == "P2") & (e.DEC.isnull() | (date(dt.date(2023, 10, 28)) < e.DEC))
    return {E: flag(e, bad, msg("PLACE 'P2' from ", show(e, "DECOM"), " to ", show(e, "DEC")))}


@rule("233", [E], ["REASON_PLACE_CHANGE"], "A reason for placement change is given but the episode has not ceased.",
      years=(2026, None), passes=[_e({"DEC": "01/05/2025", "REASON_PLACE_CHANGE": "CARPL"})],
      fails=[_e({"REASON_PLACE_CHANGE": "CARPL"})])  # fmt: skip
def _233(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = e.DEC.isnull() & e.DEC__raw.isnull() & e.REASON_PLACE_CHANGE.notnull()
    return {
        E: flag(
            e,
            bad,
            msg("REASON_PLACE_CHANGE ", show(e, "REASON_PLACE_CHANGE"), " on an open episode"),
        )
    }


@rule("353", [E], ["DECOM"], "No episode can start before 14 October 1991.",
      passes=[_e({"DECOM": "14/10/1991"})], fails=[_e({"DECOM": "13/10/1991"})])  # fmt: skip
def _353(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = date(dt.date(1991, 10, 14)) > e.DECOM
    return {E: flag(e, bad, msg("DECOM ", show(e, "DECOM"), " is before 14/10/1991"))}


@rule("354", [E], ["DECOM"], "The episode starts after the end of the collection year.",
      passes=[_e({"DECOM": "{end}"})], fails=[_e({"DECOM": "{end+1d}"})])  # fmt: skip
def _354(t: Env) -> dict[str, Any]:
    e = t.Episodes
    return {
        E: flag(e, t.end < e.DECOM, msg("DECOM ", show(e, "DECOM"), " is after the year ended"))
    }


@rule("385", [E], ["DEC"], "The episode ceased after the end of the collection year.",
      passes=[_e({"DEC": "{end}"})], fails=[_e({"DEC": "{end+1d}"})])  # fmt: skip
def _385(t: Env) -> dict[str, Any]:
    e = t.Episodes
    return {E: flag(e, t.end < e.DEC, msg("DEC ", show(e, "DEC"), " is after the year ended"))}


@rule("355", [E], ["DECOM", "DEC"], "The episode lasted less than 24 hours (it ceased the day it began).",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "02/05/2022"})],
      fails=[_e({"DECOM": "01/05/2022", "DEC": "01/05/2022"})])  # fmt: skip
def _355(t: Env) -> dict[str, Any]:
    e = t.Episodes
    return {E: flag(e, e.DECOM == e.DEC, msg("Episode began and ceased on ", show(e, "DEC")))}


@rule("356", [E], ["DECOM", "DEC"], "The episode ceased before it began.",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "01/05/2022"})],
      fails=[_e({"DECOM": "01/05/2022", "DEC": "30/04/2022"})])  # fmt: skip
def _356(t: Env) -> dict[str, Any]:
    e = t.Episodes
    return {
        E: flag(
            e, e.DEC < e.DECOM, msg("DEC ", show(e, "DEC"), " is before DECOM ", show(e, "DECOM"))
        )
    }


@rule("357", [E], ["RNE"], "A child's first episode, starting this year, must have RNE S.",
      passes=[_e({"DECOM": "{start}", "RNE": "S"}), _e({"DECOM": "{start-1d}", "RNE": "P"})],
      fails=[_e({"DECOM": "{start}", "RNE": "P"})])  # fmt: skip
def _357(t: Env) -> dict[str, Any]:
    e = neighbours(t.Episodes.filter(t.Episodes.DECOM.notnull()))
    bad = ~e.has_prev & (t.start <= e.DECOM) & ((e.RNE != "S") | e.RNE.isnull())
    return {
        E: flag(e, bad, msg("First episode, from ", show(e, "DECOM"), ", has RNE ", show(e, "RNE")))
    }


@rule("366", [E], ["RNE"], "A child cannot change placement during a short break (V3 needs RNE S).",
      passes=[_e({"LS": "V3", "RNE": "S"})], fails=[_e({"LS": "V3", "RNE": "P"})])  # fmt: skip
def _366(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = (e.LS == "V3") & ((e.RNE != "S") | e.RNE.isnull())
    return {E: flag(e, bad, msg("LS 'V3' with RNE ", show(e, "RNE")))}


@rule("365", [E], ["LS", "DECOM", "DEC"], "A single short break (V3) must not last more than 17 days.",
      passes=[_e({"LS": "V3", "DECOM": "01/05/2022", "DEC": "18/05/2022"})],
      fails=[_e({"LS": "V3", "DECOM": "01/05/2022", "DEC": "19/05/2022"})])  # fmt: skip
def _365(t: Env) -> dict[str, Any]:
    import ibis

    e = t.Episodes
    until = e.DEC.coalesce(t.end)
    bad = (e.LS == "V3") & (until > e.DECOM + ibis.interval(days=17))
    return {E: flag(e, bad, msg("Short break from ", show(e, "DECOM"), " to ", show(e, "DEC")))}


@rule("380", [E], ["PLACE", "RNE"], "A period of care cannot start with a temporary placement.",
      passes=[_e({"PLACE": "T1", "RNE": "P"})], fails=[_e({"PLACE": "T1", "RNE": "S"})])  # fmt: skip
def _380(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = e.PLACE.isin(TEMPORARY) & ~e.RNE.isin(["P", "B"]).fill_null(False)
    return {E: flag(e, bad, msg("PLACE ", show(e, "PLACE"), " with RNE ", show(e, "RNE")))}


@rule("381", [E], ["PLACE", "REC"], "A period of care cannot end with a temporary placement.",
      passes=[_e({"PLACE": "T1", "REC": "X1"})], fails=[_e({"PLACE": "T2", "REC": "E11"})])  # fmt: skip
def _381(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = e.PLACE.isin(TEMPORARY) & e.REC.notnull() & (e.REC != "X1")
    return {E: flag(e, bad, msg("PLACE ", show(e, "PLACE"), " ends with REC ", show(e, "REC")))}


@rule("382", [E], ["LS", "PLACE"], "A child on short breaks (V3/V4) cannot be in a temporary placement.",
      passes=[_e({"LS": "V3", "PLACE": "U1"})], fails=[_e({"LS": "V4", "PLACE": "T0"})])  # fmt: skip
def _382(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = e.LS.isin(["V3", "V4"]) & e.PLACE.isin(TEMPORARY)
    return {E: flag(e, bad, msg("LS ", show(e, "LS"), " with PLACE ", show(e, "PLACE")))}


@rule("384", [E], ["PLACE", "LS"], "A child on short breaks (V3/V4) cannot be in long-term foster care (U1/U4).",
      passes=[_e({"LS": "V3", "PLACE": "U3"})], fails=[_e({"LS": "V3", "PLACE": "U4"})])  # fmt: skip
def _384(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = e.LS.isin(["V3", "V4"]) & e.PLACE.isin(["U1", "U4"])
    return {E: flag(e, bad, msg("LS ", show(e, "LS"), " with PLACE ", show(e, "PLACE")))}


@rule("388", [E], ["REC"], "REC X1 (new episode begins) needs a next episode starting that day, and only X1 may.",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "X1"}, {"DECOM": "01/06/2022"})],
      fails=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "X1"}),
             _e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "X1"}, {"DECOM": "31/06/2022"}),
             _e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "E11"}, {"DECOM": "01/06/2022"})])  # fmt: skip
def _388(t: Env) -> dict[str, Any]:
    # An episode whose start date is blank or unreadable comes first among the child's, as the
    # reference orders it (it reads such a date as 01/01/1901).
    ep = t.Episodes.mutate(o_decom=t.Episodes.DECOM.fill_null(date(dt.date(1901, 1, 1))))
    e = neighbours(ep, "DECOM", order_by="o_decom")
    follows = e.has_next & e.DEC.notnull()
    bad = (
        (follows & (e.REC == "X1") & (e.next_decom.isnull() | (e.next_decom != e.DEC)))
        | (follows & e.REC.notnull() & (e.REC != "X1") & (e.next_decom == e.DEC))
        | (~e.has_next & e.DEC.notnull() & (e.REC == "X1"))
    )
    return {E: flag(e, bad, msg("REC ", show(e, "REC"), " on ", show(e, "DEC"), ", next episode from ",
                                show(e, "next_decom")))}  # fmt: skip


@rule("431", [E], ["RNE", "DECOM"], "RNE S (started to be looked after) but the previous episode ended on or after that day.",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022"}, {"DECOM": "02/06/2022", "RNE": "S"})],
      fails=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022"}, {"DECOM": "01/06/2022", "RNE": "S"})])  # fmt: skip
def _431(t: Env) -> dict[str, Any]:
    e = neighbours(t.Episodes, "DEC")
    bad = (e.RNE == "S") & (e.prev_dec >= e.DECOM)
    return {E: flag(e, bad, msg("RNE 'S' on ", show(e, "DECOM"), " but the previous episode ended ",
                                show(e, "prev_dec")))}  # fmt: skip


CEASED_CARE = ["E2", "E3", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E11", "E12", "E13",
               "E14", "E15", "E16", "E17", "E41", "E45", "E46", "E47", "E48"]  # fmt: skip


@rule("432", [E], ["RNE"], "The previous episode ended care but this episode's RNE is not S.",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "E8"}, {"DECOM": "01/07/2022", "RNE": "S"})],
      fails=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "E8"}, {"DECOM": "01/07/2022", "RNE": "P"})])  # fmt: skip
def _432(t: Env) -> dict[str, Any]:
    e = neighbours(t.Episodes, "REC")
    bad = e.prev_rec.isin(CEASED_CARE) & ((e.RNE != "S") | e.RNE.isnull())
    return {
        E: flag(
            e,
            bad,
            msg("RNE ", show(e, "RNE"), " after an episode ending REC ", show(e, "prev_rec")),
        )
    }


@rule("433", [E], ["RNE", "DECOM"], "RNE says a continuation episode, but it does not start the day the previous one ended.",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022"}, {"DECOM": "01/06/2022", "RNE": "P"}),
              _e({"DECOM": "01/05/2022", "DEC": "30/02/2022"}, {"DECOM": "30/02/2022", "RNE": "P"})],
      fails=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022"}, {"DECOM": "02/06/2022", "RNE": "L"}),
             _e({"DECOM": "01/05/2022", "DEC": "30/02/2022"}, {"DECOM": "31/02/2022", "RNE": "L"}),
             _e({"DECOM": "01/05/2022"}, {"DECOM": "02/06/2022", "RNE": "L"})])  # fmt: skip
def _433(t: Env) -> dict[str, Any]:
    e = neighbours(t.Episodes, "DEC", "DEC__raw")
    continuing = e.RNE.isin(["P", "L", "T", "U", "B"]) & e.has_prev
    # Two dates that cannot be read but are written alike (30/02/2024 twice) join as written:
    # the date rules report them, and the episodes do continue as the return gives them.
    joined = (e.prev_dec == e.DECOM) | (e.prev_dec__raw == e["DECOM__raw"])
    blank_end = e.prev_dec.isnull() & e.prev_dec__raw.isnull()
    bad = continuing & (blank_end | blank(e, "DECOM") | ~joined.fill_null(False))
    return {E: flag(e, bad, msg("RNE ", show(e, "RNE"), " from ", show(e, "DECOM"),
                                " but the previous episode ended ", show(e, "prev_dec")))}  # fmt: skip


@rule("437", [E], ["REC"], "The child died or was found to be 18 or over (E2/E15) but there are later episodes.",
      passes=[_e({"DECOM": "01/05/2022", "REC": "E2"})],
      fails=[_e({"DECOM": "01/05/2022", "REC": "E15"}, {"DECOM": "01/07/2022"})])  # fmt: skip
def _437(t: Env) -> dict[str, Any]:
    e = neighbours(t.Episodes.filter(t.Episodes.DECOM.notnull()))
    bad = e.REC.isin(["E2", "E15"]) & e.has_next
    return {E: flag(e, bad, msg("REC ", show(e, "REC"), " but a later episode follows"))}


@rule("501", [E], ["DECOM", "DEC"], "An episode starts before the previous episode ended.",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022"}, {"DECOM": "01/06/2022"})],
      fails=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022"}, {"DECOM": "31/05/2022"})])  # fmt: skip
def _501(t: Env) -> dict[str, Any]:
    e = neighbours(t.Episodes, "DEC")
    return {E: flag(e, e.prev_dec > e.DECOM, msg("Episode from ", show(e, "DECOM"),
                                                  " starts before the previous ended (", show(e, "prev_dec"), ")"))}  # fmt: skip
