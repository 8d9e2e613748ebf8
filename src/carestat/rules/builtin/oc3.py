"""Rules on the OC3 table alone: care leavers' contact, activity and accommodation."""

from __future__ import annotations

from typing import Any

from carestat.rules.builtin._common import code_rule
from carestat.rules.expr import Env, add_years, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

T3 = "OC3"


def _o(**fields: str) -> Example:
    return Example({T3: [{"CHILD": "1", **fields}]})


code_rule(
    "131",
    T3,
    "IN_TOUCH",
    "IN_TOUCH",
    "Whether in touch after leaving care is not a valid code.",
    good="YES",
)
code_rule(
    "132", T3, "ACTIV", "ACTIV", "The activity after leaving care is not a valid code.", good="F1"
)
code_rule(
    "133",
    T3,
    "ACCOM",
    "ACCOM",
    "The accommodation after leaving care is not a valid code.",
    good="B1",
)


@rule("153", [T3], ["IN_TOUCH", "ACTIV", "ACCOM"], "Contact, activity and accommodation must all be given or all blank.",
      passes=[_o(), _o(IN_TOUCH="YES", ACTIV="F1", ACCOM="B1")], fails=[_o(IN_TOUCH="YES")])  # fmt: skip
def _153(t: Env) -> dict[str, Any]:
    o = t.OC3
    given = [o[f].notnull() for f in ("IN_TOUCH", "ACTIV", "ACCOM")]
    all_given = given[0] & given[1] & given[2]
    none_given = ~given[0] & ~given[1] & ~given[2]
    return {T3: flag(o, ~all_given & ~none_given, msg("IN_TOUCH ", show(o, "IN_TOUCH"), ", ACTIV ",
                                                     show(o, "ACTIV"), ", ACCOM ", show(o, "ACCOM")))}  # fmt: skip


@rule("344", [T3], ["IN_TOUCH", "ACTIV", "ACCOM"],
      "The young person died or returned home, so activity and accommodation should be 0.",
      passes=[_o(IN_TOUCH="DIED", ACTIV="0", ACCOM="0")], fails=[_o(IN_TOUCH="RHOM", ACTIV="F1", ACCOM="0")])  # fmt: skip
def _344(t: Env) -> dict[str, Any]:
    o = t.OC3
    bad = o.IN_TOUCH.isin(["DIED", "RHOM"]) & (
        (o.ACTIV != "0") | (o.ACCOM != "0") | o.ACTIV.isnull() | o.ACCOM.isnull()
    )
    return {T3: flag(o, bad, msg("IN_TOUCH ", show(o, "IN_TOUCH"), " with ACTIV ", show(o, "ACTIV"),
                                ", ACCOM ", show(o, "ACCOM")))}  # fmt: skip


@rule("345", [T3], ["IN_TOUCH", "ACTIV", "ACCOM"],
      "The council is in touch, so activity and accommodation must not be 0 (not known).",
      passes=[_o(IN_TOUCH="YES", ACTIV="F1", ACCOM="B1")], fails=[_o(IN_TOUCH="YES", ACTIV="0", ACCOM="B1")])  # fmt: skip
def _345(t: Env) -> dict[str, Any]:
    o = t.OC3
    bad = (o.IN_TOUCH == "YES") & ((o.ACTIV == "0") | (o.ACCOM == "0"))
    return {
        T3: flag(
            o,
            bad,
            msg("IN_TOUCH 'YES' with ACTIV ", show(o, "ACTIV"), ", ACCOM ", show(o, "ACCOM")),
        )
    }


@rule("391", [T3], ["DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
      "Care leaver information is given but the young person was not 17 to 21 during the year.",
      passes=[_o(DOB="{end-17y}", IN_TOUCH="YES"), _o(DOB="{start-22y+1d}", IN_TOUCH="YES")],
      fails=[_o(DOB="{end-17y+1d}", IN_TOUCH="YES"), _o(DOB="{start-22y}", ACTIV="F1")])  # fmt: skip
def _391(t: Env) -> dict[str, Any]:
    o = t.OC3
    given = o.IN_TOUCH.notnull() | o.ACTIV.notnull() | o.ACCOM.notnull()
    # Not yet 17 by the end of the year, or already 22 by its start (DfE text; see docs).
    bad = given & ((add_years(o.DOB, 17) > t.end) | (add_years(o.DOB, 22) <= t.start))
    return {
        T3: flag(o, bad, msg("Care leaver information for a young person born ", show(o, "DOB")))
    }
