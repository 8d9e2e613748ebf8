"""Rules on the OC2 table alone: health, offending and SDQ for children in care 12 months."""

from __future__ import annotations

from typing import Any

from carestat.rules.builtin._common import code_rule
from carestat.rules.expr import Env, add_years, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

T2 = "OC2"
YES_NO_FIELDS = ("CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
                 "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")  # fmt: skip
CORE = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")


def _o(**fields: str) -> Example:
    return Example({T2: [{"CHILD": "1", **fields}]})


code_rule("196", T2, "SDQ_REASON", "SDQ_REASON", "The reason for no SDQ score is not a valid code.",
          blank_ok=True, good="SDQ1")  # fmt: skip


@rule("158", [T2], ["INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"],
      "An intervention was received, so whether one was offered should be blank.",
      passes=[_o(INTERVENTION_RECEIVED="1")], fails=[_o(INTERVENTION_RECEIVED="1", INTERVENTION_OFFERED="0")])  # fmt: skip
def _158(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = (o.INTERVENTION_RECEIVED == "1") & o.INTERVENTION_OFFERED.notnull()
    return {
        T2: flag(
            o,
            bad,
            msg(
                "INTERVENTION_OFFERED ", show(o, "INTERVENTION_OFFERED"), " after one was received"
            ),
        )
    }


@rule("159", [T2], ["SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"],
      "A substance misuse problem with no intervention received needs whether one was offered.",
      passes=[_o(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0", INTERVENTION_OFFERED="1")],
      fails=[_o(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0")])  # fmt: skip
def _159(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = (
        (o.SUBSTANCE_MISUSE == "1")
        & (o.INTERVENTION_RECEIVED == "0")
        & o.INTERVENTION_OFFERED.isnull()
    )
    return {T2: flag(o, bad, msg("INTERVENTION_OFFERED is blank"))}


@rule("180", [T2], ["SDQ_SCORE"], "The SDQ score is not a whole number from 0 to 40.",
      passes=[_o(SDQ_SCORE="0"), _o(SDQ_SCORE="40"), _o()], fails=[_o(SDQ_SCORE="41"), _o(SDQ_SCORE="1.5")])  # fmt: skip
def _180(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = o.SDQ_SCORE.notnull() & ~o.SDQ_SCORE.re_search(r"^([0-9]|[1-3][0-9]|40)$")
    return {T2: flag(o, bad, msg("SDQ_SCORE ", show(o, "SDQ_SCORE"), " is not 0-40"))}


@rule("181", [T2], YES_NO_FIELDS, "The OC2 yes/no items must be 0 or 1 when given.",
      passes=[_o(CONVICTED="0", HEALTH_CHECK="1")], fails=[_o(TEETH_CHECK="2")])  # fmt: skip
def _181(t: Env) -> dict[str, Any]:
    import ibis

    o = t.OC2
    bad = ibis.or_(*[o[f].notnull() & ~o[f].isin(["0", "1"]) for f in YES_NO_FIELDS])
    return {T2: flag(o, bad, msg("An OC2 yes/no item is not 0 or 1: ", *_listed(o, YES_NO_FIELDS)))}


def _listed(o: Any, fields: tuple[str, ...]) -> list[Any]:
    parts: list[Any] = []
    for i, f in enumerate(fields):
        parts += [("" if i == 0 else ", ") + f + " ", show(o, f)]
    return parts


@rule("182", [T2], (*CORE, "CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"),
      "Immunisations, teeth check, health assessment and substance misuse must be given, or all OC2 items blank.",
      passes=[_o(), _o(IMMUNISATIONS="1", TEETH_CHECK="1", HEALTH_ASSESSMENT="1", SUBSTANCE_MISUSE="0", CONVICTED="0")],
      fails=[_o(CONVICTED="0")])  # fmt: skip
def _182(t: Env) -> dict[str, Any]:
    import ibis

    o = t.OC2
    core_missing = ibis.or_(*[o[f].isnull() for f in CORE])
    others = ibis.or_(
        *[
            o[f].notnull()
            for f in ("CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")
        ]
    )
    return {
        T2: flag(o, core_missing & others, msg("Some OC2 items given but not: ", *_listed(o, CORE)))
    }


@rule("188", [T2], ["SDQ_SCORE", "SDQ_REASON"], "The child is under 4 at the end of the year but an SDQ score or reason is given.",
      passes=[_o(DOB="{end-4y}", SDQ_SCORE="10")], fails=[_o(DOB="{end-4y+1d}", SDQ_REASON="SDQ1")])  # fmt: skip
def _188(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = (add_years(o.DOB, 4) > t.end) & (o.SDQ_SCORE.notnull() | o.SDQ_REASON.notnull())
    return {T2: flag(o, bad, msg("SDQ given for a child born ", show(o, "DOB")))}


@rule("189", [T2], ["DOB", "SDQ_SCORE", "SDQ_REASON"], "The child is 17 or over at the start of the year but an SDQ score or reason is given.",
      passes=[_o(DOB="{start-17y}", SDQ_SCORE="10")], fails=[_o(DOB="{start-17y-1d}", SDQ_SCORE="10")])  # fmt: skip
def _189(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = (add_years(o.DOB, 17) < t.start) & (o.SDQ_SCORE.notnull() | o.SDQ_REASON.notnull())
    return {T2: flag(o, bad, msg("SDQ given for a child born ", show(o, "DOB")))}


@rule("192", [T2], ["SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED"],
      "A substance misuse problem is recorded but whether an intervention was received is blank.",
      passes=[_o(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0")], fails=[_o(SUBSTANCE_MISUSE="1")])  # fmt: skip
def _192(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = (o.SUBSTANCE_MISUSE == "1") & o.INTERVENTION_RECEIVED.isnull()
    return {T2: flag(o, bad, msg("SUBSTANCE_MISUSE 1 but INTERVENTION_RECEIVED is blank"))}


@rule("193", [T2], ["SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"],
      "No substance misuse problem, yet intervention items are given.",
      passes=[_o(SUBSTANCE_MISUSE="0")], fails=[_o(SUBSTANCE_MISUSE="0", INTERVENTION_OFFERED="1"), _o(INTERVENTION_RECEIVED="1")])  # fmt: skip
def _193(t: Env) -> dict[str, Any]:
    o = t.OC2
    no_problem = o.SUBSTANCE_MISUSE.isnull() | (o.SUBSTANCE_MISUSE == "0")
    bad = no_problem & (o.INTERVENTION_RECEIVED.notnull() | o.INTERVENTION_OFFERED.notnull())
    return {
        T2: flag(
            o,
            bad,
            msg("SUBSTANCE_MISUSE ", show(o, "SUBSTANCE_MISUSE"), " with intervention items given"),
        )
    }


@rule("197a", [T2], ["SDQ_SCORE", "SDQ_REASON"], "A reason for no SDQ score is given although there is a score.",
      passes=[_o(SDQ_SCORE="10"), _o(SDQ_REASON="SDQ2")], fails=[_o(SDQ_SCORE="10", SDQ_REASON="SDQ2")])  # fmt: skip
def _197a(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = o.SDQ_SCORE.notnull() & o.SDQ_REASON.notnull()
    return {
        T2: flag(
            o,
            bad,
            msg("SDQ_SCORE ", show(o, "SDQ_SCORE"), " and SDQ_REASON ", show(o, "SDQ_REASON")),
        )
    }


@rule("542", [T2], ["CONVICTED"], "A child under 10 at 31 March should not have conviction information.",
      passes=[_o(DOB="{end-10y}", CONVICTED="0")], fails=[_o(DOB="{end-10y+1d}", CONVICTED="0")])  # fmt: skip
def _542(t: Env) -> dict[str, Any]:
    o = t.OC2
    bad = (add_years(o.DOB, 10) > t.end) & o.CONVICTED.notnull()
    return {
        T2: flag(
            o, bad, msg("CONVICTED ", show(o, "CONVICTED"), " for a child born ", show(o, "DOB"))
        )
    }


def _needs_core(code: str, field: str, message: str, only_yes: bool) -> None:
    def check(t: Env) -> dict[str, Any]:
        import ibis

        o = t.OC2
        given = (o[field] == "1") if only_yes else o[field].notnull()
        core_missing = ibis.or_(*[o[f].isnull() for f in CORE])
        return {
            T2: flag(
                o,
                given & core_missing,
                msg(f"{field} ", show(o, field), " but not: ", *_listed(o, CORE)),
            )
        }

    full = {
        "IMMUNISATIONS": "1",
        "TEETH_CHECK": "1",
        "HEALTH_ASSESSMENT": "1",
        "SUBSTANCE_MISUSE": "0",
    }
    rule(code, [T2], [field, *CORE], message, passes=[_o(**{field: "1"}, **full)],
         fails=[_o(**{field: "1"}, TEETH_CHECK="1")])(check)  # fmt: skip


_needs_core(
    "544",
    "CONVICTED",
    "Conviction information needs immunisations, teeth check, health assessment and substance misuse.",
    True,
)
_needs_core(
    "547",
    "HEALTH_CHECK",
    "Health promotion information needs immunisations, teeth check, health assessment and substance misuse.",
    True,
)
