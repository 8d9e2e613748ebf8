"""Rules joining Episodes to Header: the child's age at the start or end of an episode."""

from __future__ import annotations

from typing import Any

from carestat.rules.expr import Env, add_years, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

H, E = "Header", "Episodes"


def with_dob(t: Env) -> Any:
    """Episodes with the child's Header date of birth as `h_dob` (first Header row per child)."""
    header = t.Header.filter(t.Header.CHILD.notnull())
    header = header.group_by(h_child=header.CHILD).aggregate(h_dob=header.DOB.min())
    return t.Episodes.left_join(header, t.Episodes.CHILD == header.h_child)


def with_child_header(t: Env, e: Any, bad: Any, what: Any) -> dict[str, Any]:
    """Flag episodes, and the Header record of each flagged child (as the reference reports both)."""
    h = t.Header
    found = e.filter(bad.fill_null(False) & e.CHILD.notnull())
    told = msg("Child ", show(h, "CHILD"), " born ", show(h, "DOB"), " has an episode flagged here")
    return {E: flag(e, bad, what), H: flag(h, h.CHILD.isin(found.CHILD), told)}


def _case(dob: str, **episode: str) -> Example:
    return Example({H: [{"CHILD": "1", "DOB": dob}], E: [{"CHILD": "1", **episode}]})


def _min_age(
    code: str, place: str, years: int, message: str, in_force: tuple[int, int | None]
) -> None:
    def check(t: Env) -> dict[str, Any]:
        e = with_dob(t)
        bad = (e.PLACE == place) & (e.DECOM < add_years(e.h_dob, years))
        return {E: flag(e, bad, msg(f"PLACE '{place}' from ", show(e, "DECOM"), " for a child born ",
                                    show(e, "h_dob")))}  # fmt: skip

    rule(code, [E, H], ["DECOM", "PLACE"], message, years=in_force,
         passes=[_case("01/05/2000", PLACE=place, DECOM=f"01/05/{2000 + years}")],
         fails=[_case("01/05/2000", PLACE=place, DECOM=f"30/04/{2000 + years}")])(check)  # fmt: skip


_min_age("370", "P2", 15, "A child in independent living (P2) should be at least 15.", (2023, 2023))
_min_age("370", "P2", 16, "A child in independent living (P2) should be at least 16.", (2024, 2024))
_min_age(
    "371", "H5", 14, "A child in semi-independent living (H5) should be at least 14.", (2023, 2023)
)
_min_age(
    "371", "H5", 16, "A child in semi-independent living (H5) should be at least 16.", (2024, 2024)
)
_min_age(
    "371", "K3", 16, "A child in supported accommodation (K3) should be at least 16.", (2025, None)
)
_min_age(
    "372", "R5", 10, "A child in youth custody or prison (R5) should be at least 10.", (2023, None)
)
_min_age("373", "S1", 4, "A child placed in a school (S1) should be at least 4.", (2023, None))
_min_age(
    "374", "P3", 14, "A child in residential employment (P3) should be at least 14.", (2023, None)
)


@rule("302", [H, E], ["DECOM", "DOB"], "The child's first episode starts before the child was born.",
      passes=[_case("01/05/2020", DECOM="01/05/2020")], fails=[_case("01/05/2020", DECOM="30/04/2020")])  # fmt: skip
def _302(t: Env) -> dict[str, Any]:
    import ibis

    e = t.Episodes
    first = e.group_by(f_child=e.CHILD).aggregate(f_decom=e.DECOM.min())
    h = t.Header.inner_join(first, t.Header.CHILD == first.f_child)
    eps = with_dob(t)
    early = eps.DECOM == eps.DECOM.min().over(ibis.window(group_by=eps.CHILD))
    return {
        H: flag(h, h.f_decom < h.DOB, msg("Born ", show(h, "DOB"), " but first episode starts ", show(h, "f_decom"))),
        E: flag(eps, early & (eps.DECOM < eps.h_dob), msg("Episode from ", show(eps, "DECOM"),
                                                          " starts before birth on ", show(eps, "h_dob"))),
    }  # fmt: skip


@rule("352", [H, E], ["DECOM", "RNE"], "The child started to be looked after (RNE S) aged 18 or over.",
      passes=[_case("01/05/2000", RNE="S", DECOM="30/04/2018")], fails=[_case("01/05/2000", RNE="S", DECOM="01/05/2018")])  # fmt: skip
def _352(t: Env) -> dict[str, Any]:
    e = with_dob(t)
    bad = (e.RNE == "S") & (add_years(e.h_dob, 18) <= e.DECOM)
    return {
        E: flag(
            e, bad, msg("Started on ", show(e, "DECOM"), " for a child born ", show(e, "h_dob"))
        )
    }


@rule("358", [H, E], ["DECOM", "DOB", "LS"], "A youth justice legal status (J1-J3) for a child under 10.",
      passes=[_case("01/05/2000", LS="J1", DECOM="02/05/2010")], fails=[_case("01/05/2000", LS="J2", DECOM="01/05/2010")])  # fmt: skip
def _358(t: Env) -> dict[str, Any]:
    e = with_dob(t)
    bad = e.LS.isin(["J1", "J2", "J3"]) & (add_years(e.h_dob, 10) >= e.DECOM)
    what = msg(
        "LS ", show(e, "LS"), " from ", show(e, "DECOM"), " for a child born ", show(e, "h_dob")
    )
    return with_child_header(t, e, bad, what)


@rule("359", [H, E], ["DEC", "LS", "PLACE"],
      "A child looked after past 18 must be under section 20 (V2) in a children's home (K2).",
      passes=[_case("{end-18y}", LS="V2", PLACE="K2"), _case("{end-18y}", LS="C2", PLACE="U1", DEC="{end}")],
      fails=[_case("{end-18y-1d}", LS="C2", PLACE="U1")])  # fmt: skip
def _359(t: Env) -> dict[str, Any]:
    e = with_dob(t)
    bad = (add_years(e.h_dob, 18) < t.end) & e.DEC.isnull() & ~((e.LS == "V2") & (e.PLACE == "K2"))
    return {E: flag(e, bad, msg("Open episode with LS ", show(e, "LS"), ", PLACE ", show(e, "PLACE"),
                                " for a child born ", show(e, "h_dob")))}  # fmt: skip


def _ceased_age(code: str, recs: list[str], years: int, over: bool, message: str, rec: str) -> None:
    def check(t: Env) -> dict[str, Any]:
        e = with_dob(t)
        birthday = add_years(e.h_dob, years)
        wrong_age = (e.DEC >= birthday) if over else (e.DEC < birthday)
        return {E: flag(e, e.REC.isin(recs) & wrong_age, msg("REC ", show(e, "REC"), " on ", show(e, "DEC"),
                                                              " for a child born ", show(e, "h_dob")))}  # fmt: skip

    ok_dec, bad_dec = (f"30/04/{2000 + years}", f"01/05/{2000 + years}")
    if not over:
        ok_dec, bad_dec = bad_dec, ok_dec
    rule(code, [H, E], ["REC"], message,
         passes=[_case("01/05/2000", REC=rec, DEC=ok_dec)], fails=[_case("01/05/2000", REC=rec, DEC=bad_dec)])(check)  # fmt: skip


_ceased_age(
    "386", ["E11", "E12"], 18, True, "Ceased as adopted but the child had reached 18.", "E11"
)
_ceased_age(
    "387", ["E5", "E6"], 14, False, "Ceased to independent living but the child was under 14.", "E5"
)
_ceased_age(
    "389", ["E7"], 16, False, "Ceased to adult social care but the child was under 16.", "E7"
)
_ceased_age(
    "460", ["E17"], 18, False, "Ceased to stay put (E17) but the child was under 18.", "E17"
)


@rule("407", [H, E], ["DEC", "DOB", "REC"], "Ceased with a special guardianship order but the child was over 18.",
      passes=[_case("01/05/2000", REC="E45", DEC="01/05/2018")], fails=[_case("01/05/2000", REC="E46", DEC="02/05/2018")])  # fmt: skip
def _407(t: Env) -> dict[str, Any]:
    e = with_dob(t)
    bad = e.REC.isin(["E45", "E46", "E47", "E48"]) & (add_years(e.h_dob, 18) < e.DEC)
    what = msg(
        "REC ", show(e, "REC"), " on ", show(e, "DEC"), " for a child born ", show(e, "h_dob")
    )
    return with_child_header(t, e, bad, what)
