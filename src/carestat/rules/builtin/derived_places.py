"""Rules on placement facts derived from the postcodes: distance, placing council, in/out of area.

The return holds only HOME_POST and PL_POST; PL_DISTANCE, PL_LA and PL_LOCATION are derived as
the DfE does (see `carestat.rules.derive`) and read here through `with_places`. Children who are
or were unaccompanied asylum seekers have no distance; carestat knows them from this year's UASC
records and, when the previous return is given, last year's (the DfE rules also name the year
before that, which no return carestat reads holds). Rules 164 (a distance outside 0.0-999.9) and
411 (IN but another council) cannot fail on facts derived this way and are not declared (see
docs/explanation/reference-differences-b.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from carestat.rules.derive import with_places
from carestat.rules.expr import Env, add_years, children, date, flag, flag_both, link, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

E, H, U = "Episodes", "Header", "UASC"
SHORT_BREAKS = ["V3", "V4"]
HOME, NEAR, COVENTRY, WICK, TRURO, EDINBURGH = (
    "B1 1AA", "B1 1AD", "CV1 1GF", "KW1 4AA", "TR1 1AA", "EH1 1AD"
)  # fmt: skip


def _e(*rows: dict[str, str], **tables: list[dict[str, str]]) -> Example:
    return Example({E: [{"CHILD": "1", **r} for r in rows], **tables})


def _last(example: Example, previous: dict[str, list[dict[str, str]]]) -> Example:
    """`example` validated with a previous return holding `previous`."""
    return Example(example.tables, previous)


def _uasc() -> dict[str, list[dict[str, str]]]:
    return {U: [{"CHILD": "1", "DUC": "{end}"}]}


def _not_short_break(e: Any) -> Any:
    return ~e.LS.isin(SHORT_BREAKS) | e.LS.isnull()


def _is_uasc(t: Env, e: Any) -> Any:
    """The child has a UASC record this year or last (an empty last year without `--previous`)."""

    def known(u: Any) -> Any:
        return children(
            u.filter(u.SEX.notnull() | u.DOB.notnull() | u.DUC.notnull() | u.DUC__raw.notnull())
        )

    return e.CHILD.isin(known(t.UASC)) | e.CHILD.isin(known(t.last(U)))


def _uasc_last_year() -> dict[str, list[dict[str, str]]]:
    return {U: [{"CHILD": "1", "DUC": "{end-1y}"}]}


def _distance(e: Any) -> Any:
    import ibis

    return ibis.literal("PL_DISTANCE ").concat(e.PL_DISTANCE.cast("string").fill_null("(blank)"))


@rule("169", [E], ["PL_LA"], "The placing council cannot be found: check the placement postcode.",
      passes=[_e({"LS": "C2", "PL_POST": COVENTRY}), _e({"LS": "V3"})],
      fails=[_e({"LS": "C2", "PL_POST": "ZZ9 9ZZ"}), _e({"LS": "C2"})])  # fmt: skip
def _169(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    bad = _not_short_break(e) & e.PL_LA.isnull()
    return {E: flag(e, bad, msg("No council found for PL_POST ", show(e, "PL_POST")))}


@rule("179", [E], ["PL_LOCATION"], "Whether the placement is in or out of the council's area cannot be found: check the placement postcode.",
      passes=[_e({"LS": "C2", "PL_POST": EDINBURGH}), _e({"LS": "V4"})],
      fails=[_e({"LS": "C2", "PL_POST": "ZZ9 9ZZ"})])  # fmt: skip
def _179(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    bad = _not_short_break(e) & e.PL_LOCATION.isnull()
    return {E: flag(e, bad, msg("No placement location for PL_POST ", show(e, "PL_POST")))}


@rule("392a", [E, U], ["PL_DISTANCE"], "A child looked after (not UASC) has no placement distance: check both postcodes.",
      passes=[_e({"LS": "C2", "HOME_POST": HOME, "PL_POST": COVENTRY}), _e({"LS": "C2"}, **_uasc()),
              _last(_e({"LS": "C2"}), _uasc_last_year())],
      fails=[_e({"LS": "C2", "HOME_POST": HOME, "PL_POST": "ZZ9 9ZZ"}), _last(_e({"LS": "C2"}), {})])  # fmt: skip
def _392a(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    bad = _not_short_break(e) & ~_is_uasc(t, e) & e.PL_DISTANCE.isnull()
    what = msg(
        "No distance from HOME_POST ", show(e, "HOME_POST"), " to PL_POST ", show(e, "PL_POST")
    )
    return {E: flag(e, bad, what)}


@rule("392b", [E, U], ["HOME_POST", "PL_POST"], "A child looked after (not UASC) has a blank home or placement postcode.",
      passes=[_e({"LS": "C2", "HOME_POST": HOME, "PL_POST": COVENTRY}), _e({"LS": "V3"}), _e({"LS": "C2"}, **_uasc()),
              _last(_e({"LS": "C2", "HOME_POST": HOME}), _uasc_last_year())],
      fails=[_e({"LS": "C2", "HOME_POST": HOME})])  # fmt: skip
def _392b(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = _not_short_break(e) & ~_is_uasc(t, e) & (e.HOME_POST.isnull() | e.PL_POST.isnull())
    what = msg("HOME_POST ", show(e, "HOME_POST"), ", PL_POST ", show(e, "PL_POST"))
    return {E: flag(e, bad, what)}


@rule("392c", [E], ["HOME_POST", "PL_POST"], "A home or placement postcode is not a known postcode.",
      passes=[_e({"HOME_POST": HOME, "PL_POST": "cv11gf"}), _e({})],
      fails=[_e({"HOME_POST": "B1 1ZZZ"}), _e({"HOME_POST": HOME, "PL_POST": "ZZ9 9ZZ"})])  # fmt: skip
def _392c(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    bad = (e.HOME_POST_VALID == False) | (e.PL_POST_VALID == False)  # noqa: E712 (SQL, not Python)
    what = msg("HOME_POST ", show(e, "HOME_POST"), ", PL_POST ", show(e, "PL_POST"))
    return {E: flag(e, bad, msg(what, " not found among known postcodes"))}


@rule("392d", [E], ["HOME_POST", "PL_POST", "PLACE"], "Home and placement postcodes are the same but the child is not placed with parents (P1).",
      passes=[_e({"PLACE": "P1", "HOME_POST": HOME, "PL_POST": HOME}), _e({"PLACE": "U1", "HOME_POST": HOME, "PL_POST": NEAR})],
      fails=[_e({"PLACE": "U1", "HOME_POST": HOME, "PL_POST": HOME})])  # fmt: skip
def _392d(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = ((e.PLACE != "P1") | e.PLACE.isnull()) & (e.HOME_POST == e.PL_POST)
    what = msg(
        "HOME_POST and PL_POST are both ", show(e, "PL_POST"), " with PLACE ", show(e, "PLACE")
    )
    return {E: flag(e, bad, what)}


@rule("406", [E, U], ["PL_DISTANCE"], "A child UASC this year or last has a placement distance; it should be blank.",
      passes=[_e({"LS": "C2"}, **_uasc()), _e({"HOME_POST": HOME, "PL_POST": COVENTRY}),
              _last(_e({"HOME_POST": HOME, "PL_POST": COVENTRY}), {"Header": [{"CHILD": "1"}]})],
      fails=[_e({"HOME_POST": HOME, "PL_POST": COVENTRY}, **_uasc()),
             _last(_e({"HOME_POST": HOME, "PL_POST": COVENTRY}), _uasc_last_year())])  # fmt: skip
def _406(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    bad = _is_uasc(t, e) & e.PL_DISTANCE.notnull()
    return {E: flag(e, bad, msg(_distance(e), " for a UASC child"))}


@rule("420", [E], ["PL_LA"], "A placing council is found for a short break (legal status V3 or V4).",
      passes=[_e({"LS": "V3"}), _e({"LS": "C2", "PL_POST": COVENTRY})],
      fails=[_e({"LS": "V3", "PL_POST": COVENTRY})])  # fmt: skip
def _420(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    bad = e.LS.isin(SHORT_BREAKS) & e.PL_LA.notnull()
    return {E: flag(e, bad, msg("PL_LA ", show(e, "PL_LA"), " for LS ", show(e, "LS")))}


@rule("454", [E], ["PL_DISTANCE"], "The placement is over 350 miles from home.", years=(2026, None),
      passes=[_e({"HOME_POST": HOME, "PL_POST": EDINBURGH})],
      fails=[_e({"HOME_POST": TRURO, "PL_POST": WICK})])  # fmt: skip
def _454(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    bad = (e.PL_DISTANCE > 350) & (e.PL_DISTANCE != 999.9)
    return {E: flag(e, bad, msg(_distance(e), " miles is over 350"))}


FOSTER_OR_ADOPT = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]


def _1015(exempt: list[str]) -> Any:
    def check(t: Env) -> dict[str, Any]:
        e = with_places(t, t.Episodes)
        checked = (e.PLACE_PROVIDER == "PR1") & ~e.LS.isin(SHORT_BREAKS) & ~e.PLACE.isin(exempt)
        outside = (e.PL_LOCATION != "IN") | e.PL_LOCATION.isnull()
        return {E: flag(e, checked & outside, msg("PR1 placement in PL_LA ", show(e, "PL_LA")))}

    return check


# From 2025-26 supported accommodation (K3) is left to rule 241, as the reference has it.
for first, last, exempt in ((2023, 2025, FOSTER_OR_ADOPT), (2026, None, [*FOSTER_OR_ADOPT, "K3"])):
    rule("1015", [E], ["PL_LA"], "Own provision (PR1) but the child is placed outside the council's area.",
         years=(first, last),
         passes=[_e({"LS": "C2", "PLACE": "K2", "PLACE_PROVIDER": "PR1", "HOME_POST": HOME, "PL_POST": NEAR}),
                 _e({"LS": "C2", "PLACE": exempt[-1], "PLACE_PROVIDER": "PR1", "HOME_POST": HOME, "PL_POST": COVENTRY})],
         fails=[_e({"LS": "C2", "PLACE": "K2", "PLACE_PROVIDER": "PR1", "HOME_POST": HOME, "PL_POST": COVENTRY})])(_1015(exempt))  # fmt: skip


@rule("230", [E], ["PLACE", "DEC", "URN"], "An English H5 placement open on or after 29 October 2023 needs an Ofsted URN.",
      years=(2024, 2024),
      passes=[_e({"PLACE": "H5", "URN": "1234567", "PL_POST": HOME}),
              _e({"PLACE": "H5", "DEC": "28/10/2023", "PL_POST": HOME}), _e({"PLACE": "H5", "PL_POST": EDINBURGH})],
      fails=[_e({"PLACE": "H5", "DEC": "29/10/2023", "PL_POST": HOME}), _e({"PLACE": "H5", "URN": "XXXXXXX"})])  # fmt: skip
def _230(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    open_late = (e.DEC >= date(dt.date(2023, 10, 29))) | e.DEC.isnull()
    no_urn = e.URN.isnull() | (e.URN == "XXXXXXX")
    england = ~e.PL_LA.isin(["SCO", "WAL", "NIR"]) | e.PL_LA.isnull()
    bad = (e.PLACE == "H5") & open_late & no_urn & england
    return {
        E: flag(e, bad, msg("H5 placement ending ", show(e, "DEC"), " with URN ", show(e, "URN")))
    }


# ---- child facts checked with placements ---------------------------------------------------


@rule("231", [H, U], ["DOB", "UASC_STATUS"], "A UASC child is under 11 at the end of the year: check the date of birth.",
      years=(2025, None),
      passes=[Example({H: [{"CHILD": "1", "DOB": "{end-11y}"}], **_uasc()}),
              Example({H: [{"CHILD": "1", "DOB": "{end-2y}"}]})],
      fails=[Example({H: [{"CHILD": "1", "DOB": "{end-11y+1d}"}], **_uasc()})])  # fmt: skip
def _231(t: Env) -> dict[str, Any]:
    h = t.Header
    bad = _is_uasc(t, h) & (h.DOB > add_years(t.end, -11))
    return {H: flag(h, bad, msg("UASC child born ", show(h, "DOB")))}


@rule("234", [E, H], ["REASON_PLACE_CHANGE", "DOB"], "A child under 10 cannot change placement because of custody (CUSTOD).",
      years=(2026, None),
      passes=[Example({E: [{"CHILD": "1", "DECOM": "{start}", "REASON_PLACE_CHANGE": "CUSTOD"}],
                       H: [{"CHILD": "1", "DOB": "{start-10y}"}]})],
      fails=[Example({E: [{"CHILD": "1", "DECOM": "{start}", "REASON_PLACE_CHANGE": "CUSTOD"}],
                      H: [{"CHILD": "1", "DOB": "{start-10y+1d}"}]})])  # fmt: skip
def _234(t: Env) -> dict[str, Any]:
    j = link(t.Episodes, t.Header)
    bad = (j.REASON_PLACE_CHANGE == "CUSTOD") & (add_years(j.r_DOB, 10) > j.DECOM)
    what = msg("CUSTOD on ", show(j, "DECOM"), " for a child born ", show(j, "r_DOB"))
    return flag_both(j, bad, what, E, H)


@rule("444", [H], ["UPN"], "The same UPN is reported for more than one child.", years=(2026, None),
      passes=[Example({H: [{"CHILD": "1", "UPN": "UN1"}, {"CHILD": "2", "UPN": "UN1"}]}),
              Example({H: [{"CHILD": "1", "UPN": "A123"}, {"CHILD": "2", "UPN": "A124"}]})],
      fails=[Example({H: [{"CHILD": "1", "UPN": "A123"}, {"CHILD": "2", "UPN": "A123"}]})])  # fmt: skip
def _444(t: Env) -> dict[str, Any]:
    import ibis

    h = t.Header
    allowed = ["UN1", "UN2", "UN3", "UN4", "UN5"]
    counted = h.filter(h.UPN.notnull() & ~h.UPN.isin(allowed)).group_by("UPN").agg(n=ibis._.count())
    repeated = counted.filter(counted.n > 1).UPN
    return {
        H: flag(h, h.UPN.isin(repeated), msg("UPN ", show(h, "UPN"), " is reported more than once"))
    }


# ---- URNs by where the child is placed -----------------------------------------------------

OUTSIDE_ENGLAND = ["SCO", "WAL", "NIR"]
TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]
_218_BASE = ["P1", "P3", "R1", "R2", "R5", *TEMPORARY]


def _218(exempt: list[str]) -> Any:
    def check(t: Env) -> dict[str, Any]:
        e = with_places(t, t.Episodes)
        open_in_year = (e.DEC >= t.start) | e.DEC.isnull()  # unreadable counts as open
        england = ~e.PL_LA.isin(OUTSIDE_ENGLAND) | e.PL_LA.isnull()
        bad = open_in_year & e.URN.isnull() & (~e.PLACE.isin(exempt) | e.PLACE.isnull()) & england
        return {E: flag(e, bad, msg("URN is blank for PLACE ", show(e, "PLACE"), " in PL_LA ", show(e, "PL_LA")))}  # fmt: skip

    return check


_218_msg = "An Ofsted URN is required for this placement in England."
for first, last, exempt in ((2023, 2024, ["H5", "P2", "Z1", *_218_BASE]), (2025, 2025, ["Z1", *_218_BASE]),
                            (2026, None, ["Z11", "Z12", "Z13", "Z14", *_218_BASE])):  # fmt: skip
    rule("218", [E], ["URN"], _218_msg, years=(first, last),
         passes=[_e({"PLACE": "K2", "URN": "1234567"}), _e({"PLACE": "R1"}),
                 _e({"PLACE": "K2", "PL_POST": EDINBURGH}), _e({"PLACE": "K2", "DEC": "{start-1d}"})],
         fails=[_e({"PLACE": "K2", "PL_POST": COVENTRY, "DEC": "{start}"})])(_218(sorted(exempt)))  # fmt: skip


@rule("241", [E], ["URN"], "A supported accommodation (K3) placement with a URN is outside the council's area.",
      years=(2026, None),
      passes=[_e({"PLACE": "K3", "URN": "1234567", "HOME_POST": HOME, "PL_POST": NEAR}),
              _e({"PLACE": "K3", "URN": "XXXXXXX", "HOME_POST": HOME, "PL_POST": COVENTRY})],
      fails=[_e({"PLACE": "K3", "URN": "1234567", "HOME_POST": HOME, "PL_POST": COVENTRY})])  # fmt: skip
def _241(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    checked = (e.PLACE == "K3") & e.URN.notnull() & (e.URN != "XXXXXXX")
    outside = (e.PL_LOCATION != "IN") | e.PL_LOCATION.isnull()
    return {E: flag(e, checked & outside, msg("K3 URN ", show(e, "URN"), " placed in PL_LA ", show(e, "PL_LA")))}  # fmt: skip


@rule("242", [E], ["URN"], "URN XXXXXXX is only for regional adoption agencies (adoption and foster placements).",
      years=(2026, None),
      passes=[_e({"PLACE": "A4", "URN": "XXXXXXX"}), _e({"PLACE": "K2", "URN": "1234567"})],
      fails=[_e({"PLACE": "K2", "URN": "XXXXXXX"}), _e({"URN": "XXXXXXX"})])  # fmt: skip
def _242(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = (e.URN == "XXXXXXX") & (~e.PLACE.isin(FOSTER_OR_ADOPT) | e.PLACE.isnull())
    return {E: flag(e, bad, msg("URN 'XXXXXXX' with PLACE ", show(e, "PLACE")))}


@rule("243", [E], ["URN"], "A URN is given for a placement outside England, where providers are not registered with Ofsted.",
      years=(2026, None),
      passes=[_e({"PL_POST": EDINBURGH}), _e({"PL_POST": COVENTRY, "URN": "1234567"})],
      fails=[_e({"PL_POST": EDINBURGH, "URN": "1234567"})])  # fmt: skip
def _243(t: Env) -> dict[str, Any]:
    e = with_places(t, t.Episodes)
    bad = e.PL_LA.isin(OUTSIDE_ENGLAND) & e.URN.notnull()
    return {E: flag(e, bad, msg("URN ", show(e, "URN"), " for a placement in ", show(e, "PL_LA")))}
