"""Placement rules on Episodes: providers, URNs, legal status pairings, category of need."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carestat.rules.expr import Env, date, flag, msg, neighbours, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

E = "Episodes"
TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]
Z_2026 = ["Z11", "Z12", "Z13", "Z14"]


def _e(*rows: dict[str, str]) -> Example:
    return Example({E: [{"CHILD": "1", **r} for r in rows]})


def _pairing(
    code: str, message: str, places: list[str], provider: str, inside: bool, ok: str, bad: str
) -> None:
    """A provider code that cannot go with (or, if not `inside`, only goes with) some placements."""

    def check(t: Env) -> dict[str, Any]:
        e = t.Episodes
        in_list = e.PLACE.isin(places)
        wrong = (in_list if inside else (~in_list | e.PLACE.isnull())) & (
            e.PLACE_PROVIDER == provider
        )
        return {
            E: flag(e, wrong, msg(f"PLACE_PROVIDER '{provider}' with PLACE ", show(e, "PLACE")))
        }

    rule(code, [E], ["PLACE", "PLACE_PROVIDER"], message,
         passes=[_e({"PLACE": ok, "PLACE_PROVIDER": provider})],
         fails=[_e({"PLACE": bad, "PLACE_PROVIDER": provider})])(check)  # fmt: skip


_pairing(
    "527",
    "Provider PR1 (own provision) cannot go with placements P1, R2 or R5.",
    ["P1", "R2", "R5"],
    "PR1",
    True,
    "U1",
    "R2",
)
_pairing(
    "528",
    "Provider PR2 (other council) cannot go with placements P1, R2 or R5.",
    ["P1", "R2", "R5"],
    "PR2",
    True,
    "U1",
    "R5",
)
_pairing("529", "Provider PR3 (other public) cannot go with placements P1, A3-A6, K1, K2 or U1-U6.",
         ["A3", "A4", "A5", "A6", "K1", "K2", "P1", "U1", "U2", "U3", "U4", "U5", "U6"], "PR3", True, "R2", "K2")  # fmt: skip
_pairing(
    "530", "Provider PR4 (private) cannot go with placement P1.", ["P1"], "PR4", True, "U4", "P1"
)
_pairing(
    "531", "Provider PR5 (voluntary) cannot go with placement P1.", ["P1"], "PR5", True, "U4", "P1"
)
_pairing(
    "550", "Provider PR0 (parent) can only go with placement P1.", ["P1"], "PR0", False, "P1", "U1"
)


def _526(exempt: list[str]) -> Any:
    def check(t: Env) -> dict[str, Any]:
        e = t.Episodes
        bad = (~e.PLACE.isin(exempt) | e.PLACE.isnull()) & e.PLACE_PROVIDER.isnull()
        return {E: flag(e, bad, msg("PLACE_PROVIDER is blank for PLACE ", show(e, "PLACE")))}

    return check


_526_msg = "The placement provider is blank for a placement that needs one."
rule("526", [E], ["PLACE", "PLACE_PROVIDER"], _526_msg, years=(2023, 2025),
     passes=[_e({"PLACE": "T1"}), _e({"PLACE": "U1", "PLACE_PROVIDER": "PR1"})], fails=[_e({"PLACE": "U1"})])(_526([*TEMPORARY, "Z1"]))  # fmt: skip
rule("526", [E], ["PLACE", "PLACE_PROVIDER"], _526_msg, years=(2026, None),
     passes=[_e({"PLACE": "Z11"})], fails=[_e({"PLACE": "K2"})])(_526([*TEMPORARY, *Z_2026]))  # fmt: skip


def _222(places: list[str]) -> Any:
    def check(t: Env) -> dict[str, Any]:
        e = t.Episodes
        bad = e.PLACE.isin(places) & e.URN.notnull() & (e.URN != "XXXXXXX")
        return {E: flag(e, bad, msg("URN ", show(e, "URN"), " given for PLACE ", show(e, "PLACE")))}

    return check


_222_msg = "An Ofsted URN should not be given for this placement type."
_222_base = ["P1", "P3", "R1", "R2", "R5", *TEMPORARY]
for first, last, places in ((2023, 2023, ["H5", "P2", "Z1", *_222_base]), (2024, 2024, ["P2", "Z1", *_222_base]),
                            (2025, 2025, ["Z1", *_222_base]), (2026, None, [*Z_2026, *_222_base])):  # fmt: skip
    rule("222", [E], ["URN"], _222_msg, years=(first, last),
         passes=[_e({"PLACE": "P1", "URN": "XXXXXXX"}), _e({"PLACE": "K2", "URN": "1234567"})],
         fails=[_e({"PLACE": "R1", "URN": "1234567"})])(_222(sorted(places)))  # fmt: skip


@rule("378", [E], ["PLACE", "LS"], "A child placed with parents (P1) cannot be under a single period of s20 (V2).",
      passes=[_e({"PLACE": "P1", "LS": "C2"})], fails=[_e({"PLACE": "P1", "LS": "V2"})])  # fmt: skip
def _378(t: Env) -> dict[str, Any]:
    e = t.Episodes
    return {E: flag(e, (e.PLACE == "P1") & (e.LS == "V2"), msg("PLACE 'P1' with LS 'V2'"))}


@rule("390", [E], ["PLACE", "REC"], "Ceased as adopted but the child was not placed for adoption (A3-A6).",
      passes=[_e({"PLACE": "A4", "REC": "E11"})], fails=[_e({"PLACE": "U1", "REC": "E12"})])  # fmt: skip
def _390(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = e.REC.isin(["E11", "E12"]) & (~e.PLACE.isin(["A3", "A4", "A5", "A6"]) | e.PLACE.isnull())
    return {E: flag(e, bad, msg("REC ", show(e, "REC"), " from PLACE ", show(e, "PLACE")))}


@rule("408", [E], ["PLACE", "LS"], "Placed for adoption with a placement order (A5/A6) but the legal status is not E1.",
      passes=[_e({"PLACE": "A5", "LS": "E1"})], fails=[_e({"PLACE": "A6", "LS": "C2"})])  # fmt: skip
def _408(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = e.PLACE.isin(["A5", "A6"]) & ((e.LS != "E1") | e.LS.isnull())
    return {E: flag(e, bad, msg("PLACE ", show(e, "PLACE"), " with LS ", show(e, "LS")))}


@rule("426", [E], ["LS"], "A child cannot be on short breaks under both V3 and V4 in the same year.",
      passes=[_e({"LS": "V3"}, {"LS": "V3"})], fails=[_e({"LS": "V3"}, {"LS": "V4"})])  # fmt: skip
def _426(t: Env) -> dict[str, Any]:
    e = t.Episodes
    v3 = e.filter(e.LS == "V3").CHILD
    v4 = e.filter(e.LS == "V4").CHILD
    bad = ((e.LS == "V3") & e.CHILD.isin(v4)) | ((e.LS == "V4") & e.CHILD.isin(v3))
    return {
        E: flag(
            e,
            bad,
            msg("LS ", show(e, "LS"), " but the child also has the other short-break status"),
        )
    }


@rule("445", [E], ["LS", "DECOM"], "D1 (freeing order) is not valid for episodes starting after December 2005.",
      years=(2023, 2024), passes=[_e({"LS": "D1", "DECOM": "31/12/2005"})], fails=[_e({"LS": "D1", "DECOM": "01/01/2006"})])  # fmt: skip
def _445(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = (e.LS == "D1") & (e.DECOM > date(dt.date(2005, 12, 31)))
    return {E: flag(e, bad, msg("LS 'D1' from ", show(e, "DECOM")))}


@rule("446", [E], ["LS", "DECOM"], "E1 (placement order) is not valid for episodes starting before December 2005.",
      passes=[_e({"LS": "E1", "DECOM": "01/12/2005"})], fails=[_e({"LS": "E1", "DECOM": "30/11/2005"})])  # fmt: skip
def _446(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = (e.LS == "E1") & (e.DECOM < date(dt.date(2005, 12, 1)))
    return {E: flag(e, bad, msg("LS 'E1' from ", show(e, "DECOM")))}


@rule("451", [E], ["DEC", "REC", "LS"], "The child is still freed for adoption (D1), which is no longer possible.",
      years=(2023, 2024), passes=[_e({"LS": "D1", "DEC": "01/05/2022", "REC": "E11"})], fails=[_e({"LS": "D1"})])  # fmt: skip
def _451(t: Env) -> dict[str, Any]:
    e = t.Episodes
    bad = (e.LS == "D1") & e.DEC.isnull() & e.REC.isnull()
    return {E: flag(e, bad, msg("Open episode with LS 'D1'"))}


@rule("504", [E], ["CIN"], "The category of need differs from the one at the start of the period of care.",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "X1", "CIN": "N1"}, {"DECOM": "01/06/2022", "CIN": "N1"})],
      fails=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "X1", "CIN": "N1"}, {"DECOM": "01/06/2022", "CIN": "N2"})])  # fmt: skip
def _504(t: Env) -> dict[str, Any]:
    e = neighbours(t.Episodes, "REC", "DEC", "CIN")
    bad = (
        (e.prev_rec == "X1")
        & (e.prev_dec == e.DECOM)
        & ((e.CIN != e.prev_cin) | (e.CIN.isnull() != e.prev_cin.isnull()))
    )
    return {
        E: flag(
            e,
            bad,
            msg("CIN ", show(e, "CIN"), " but the previous episode has ", show(e, "prev_cin")),
        )
    }


def _226(temporary: list[str]) -> Any:
    def check(t: Env) -> dict[str, Any]:
        e = neighbours(t.Episodes, "REASON_PLACE_CHANGE")
        bad = e.PLACE.isin(temporary) & (
            e.REASON_PLACE_CHANGE.notnull() | e.prev_reason_place_change.notnull()
        )
        return {
            E: flag(
                e,
                bad,
                msg("Temporary PLACE ", show(e, "PLACE"), " with a reason for placement change"),
            )
        }

    return check


rule("226", [E], ["REASON_PLACE_CHANGE", "PLACE"], "A reason for placement change is not needed for temporary placements.",
     passes=[_e({"DECOM": "01/05/2022", "PLACE": "U1"}, {"DECOM": "01/06/2022", "PLACE": "T1"})],
     fails=[_e({"DECOM": "01/05/2022", "PLACE": "U1", "REASON_PLACE_CHANGE": "CARPL"}, {"DECOM": "01/06/2022", "PLACE": "T1"})],
     )(_226(TEMPORARY))  # fmt: skip


@rule("225", [E], ["REASON_PLACE_CHANGE"], "A reason for placement change must be recorded when the placement changes.",
      passes=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "X1", "PLACE": "U1", "REASON_PLACE_CHANGE": "CARPL"},
                 {"DECOM": "01/06/2022", "RNE": "P", "PLACE": "U4"})],
      fails=[_e({"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "X1", "PLACE": "U1"}, {"DECOM": "01/06/2022", "RNE": "P", "PLACE": "U4"})])  # fmt: skip
def _225(t: Env) -> dict[str, Any]:
    e = neighbours(t.Episodes, "RNE", "PLACE")
    moved = e.next_rne.isin(["P", "B", "T", "U"]) & ~e.next_place.isin(TEMPORARY)
    bad = (e.REC == "X1") & e.REASON_PLACE_CHANGE.isnull() & ~e.PLACE.isin(TEMPORARY) & moved
    return {
        E: flag(
            e,
            bad,
            msg("Placement ", show(e, "PLACE"), " changed on ", show(e, "DEC"), " with no reason"),
        )
    }


@rule("516", [E], ["REC", "PLACE"],
      "Ceased with a special guardianship order to former foster carers (E45/E46) but the last placement was not foster care.",
      passes=[_e({"REC": "E45", "PLACE": "U4"})], fails=[_e({"REC": "E46", "PLACE": "K2"})])  # fmt: skip
def _516(t: Env) -> dict[str, Any]:
    e = t.Episodes
    foster = ["U1", "U2", "U3", "U4", "U5", "U6"]
    bad = e.REC.isin(["E45", "E46"]) & (~e.PLACE.isin(foster) | e.PLACE.isnull())
    return {E: flag(e, bad, msg("REC ", show(e, "REC"), " from PLACE ", show(e, "PLACE")))}


def _temporary_limit(code: str, place: str, days: int, message: str) -> None:
    def check(t: Env) -> dict[str, Any]:
        import ibis

        e = t.Episodes
        bad = (e.PLACE == place) & (e.DEC > e.DECOM + ibis.interval(days=days))
        return {
            E: flag(e, bad, msg(f"PLACE '{place}' from ", show(e, "DECOM"), " to ", show(e, "DEC")))
        }

    start = "01/05/2022"
    ok, long = (_shift(start, days), _shift(start, days + 1))
    rule(code, [E], ["DECOM", "PLACE"], message,
         passes=[_e({"PLACE": place, "DECOM": start, "DEC": ok})],
         fails=[_e({"PLACE": place, "DECOM": start, "DEC": long})])(check)  # fmt: skip


def _shift(day: str, days: int) -> str:
    moved = dt.datetime.strptime(day, "%d/%m/%Y").date() + dt.timedelta(days=days)
    return moved.strftime("%d/%m/%Y")


_temporary_limit(
    "375", "T1", 42, "A temporary placement for hospitalisation (T1) lasted more than six weeks."
)
_temporary_limit(
    "376",
    "T3",
    21,
    "A temporary placement for a foster carer's holiday (T3) lasted more than three weeks.",
)
_temporary_limit(
    "379",
    "T4",
    7,
    "A temporary placement for an unspecified reason (T4) lasted more than seven days.",
)

PLACEMENT = ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")


def _changed(e: Any) -> Any:
    """Whether any placement item differs from the previous episode (blanks compare equal)."""
    import ibis

    return ibis.or_(
        *[e[c].fill_null("") != e[f"prev_{c.lower()}"].fill_null("") for c in PLACEMENT]
    )


def _rne_check(
    code: str, rnes: list[str], message: str, ls_must_change: bool, place_must_change: bool
) -> None:
    def check(t: Env) -> dict[str, Any]:
        e = neighbours(t.Episodes, "LS", *PLACEMENT)
        same_ls = e.LS.fill_null("") == e.prev_ls.fill_null("")
        wrong = (same_ls if ls_must_change else ~same_ls) | (
            ~_changed(e) if place_must_change else _changed(e)
        )
        bad = e.has_prev & e.RNE.isin(rnes) & wrong
        return {E: flag(e, bad, msg("RNE ", show(e, "RNE"), " with LS ", show(e, "LS"), " (was ", show(e, "prev_ls"),
                                    "), PLACE ", show(e, "PLACE"), " (was ", show(e, "prev_place"), ")"))}  # fmt: skip

    before = {"DECOM": "01/05/2022", "DEC": "01/06/2022", "REC": "X1", "LS": "C1", "PLACE": "U1"}
    after = {"DECOM": "01/06/2022", "RNE": rnes[0], "LS": "C2" if ls_must_change else "C1",
             "PLACE": "U4" if place_must_change else "U1"}  # fmt: skip
    wrong = dict(after, LS="C1") if ls_must_change else dict(after, LS="C2")
    rule(code, [E], ["RNE", "LS", *PLACEMENT], message,
         passes=[_e(before, after)], fails=[_e(before, wrong)])(check)  # fmt: skip


_rne_check(
    "434",
    ["L"],
    "RNE L (legal status change only) but the legal status is unchanged or the placement changed.",
    True,
    False,
)
_rne_check(
    "435",
    ["P", "T"],
    "RNE P/T (placement change) but the placement is unchanged or the legal status changed.",
    False,
    True,
)
_rne_check(
    "436",
    ["U", "B"],
    "RNE U/B (placement and legal status change) but one of them is unchanged.",
    True,
    True,
)
