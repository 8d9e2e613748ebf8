"""Rules checking placements against the Ofsted provider lists given with `--providers`.

Each episode with a URN (other than the regional adoption agencies' XXXXXXX) is looked up in
the `Providers` table (`carestat.rules.derive.provider_table`): one row per URN with its
placement and provider codes, postcode, deregistration date and the council its postcode lies in.
A URN missing from the lists fails 219, 221 and 224 as well as 1008, as the DfE's rules read.
Examples carry the provider rows under the `Providers` key.
"""

from __future__ import annotations

from typing import Any

from carestat.rules.derive import PROVIDERS, derived
from carestat.rules.expr import Env, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

E = "Episodes"
NO_URN = "XXXXXXX"
URN = "1234567"
HOME_POST = "B1 1AA"
PROVIDER = {"urn": URN, "place_codes": ["K2"], "provider_codes": ["PR4"], "postcode": "B11AA"}


def _x(episode: dict[str, str], **provider: Any) -> Example:
    """An episode placed with URN 1234567, and that provider's row (changed by `provider`)."""
    row = {"CHILD": "1", "URN": URN, **episode}
    return Example({E: [row], PROVIDERS: [{**PROVIDER, **provider}]})


def _placed(t: Env) -> Any:
    """Episodes with a real URN, joined to the provider's row (columns prefixed `p_`)."""
    e = t.Episodes
    p = derived(t, PROVIDERS)
    p = p.rename({f"p_{c}": c for c in p.columns})
    with_urn = e.filter(e.URN.notnull() & (e.URN != NO_URN))
    return with_urn.left_join(p, with_urn.URN == p.p_urn)


def _urn(j: Any) -> Any:
    return msg("URN ", show(j, "URN"))


@rule("1008", [E], ["URN"], "The Ofsted URN is not in the provider lists.", needs=["providers"],
      passes=[_x({}), _x({"URN": NO_URN})], fails=[_x({"URN": "7654321"})])  # fmt: skip
def _1008(t: Env) -> dict[str, Any]:
    j = _placed(t)
    return {E: flag(j, j.p_urn.isnull(), msg(_urn(j), " is not in the provider lists"))}


@rule("219", [E], ["URN", "PLACE"], "The provider of this URN does not offer the placement type recorded.",
      needs=["providers"], passes=[_x({"PLACE": "K2"})], fails=[_x({"PLACE": "U1"}), _x({"PLACE": "K2", "URN": "7654321"})])  # fmt: skip
def _219(t: Env) -> dict[str, Any]:
    j = _placed(t)
    bad = ~j.p_place_codes.contains(j.PLACE).fill_null(False)
    return {E: flag(j, bad, msg(_urn(j), " does not offer PLACE ", show(j, "PLACE")))}


def _221(places: list[str]) -> Any:
    def check(t: Env) -> dict[str, Any]:
        j = _placed(t)
        checked = (~j.LS.isin(["V3", "V4"]) | j.LS.isnull()) & j.PLACE.isin(places)
        checked = checked & j.PL_POST.notnull()
        same = j.PL_POST.replace(" ", "") == j.p_postcode
        bad = checked & ~same.fill_null(False)
        what = msg(_urn(j), " is at ", show(j, "p_postcode"), ", not PL_POST ", show(j, "PL_POST"))
        return {E: flag(j, bad, what)}

    return check


_221_msg = "The placement postcode is not the postcode of the provider with this URN."
for first, last, places in ((2023, 2023, ["K1", "K2", "R3", "S1"]), (2024, 2024, ["H5", "K1", "K2", "R3", "S1"]),
                            (2025, None, ["K1", "K2", "K3", "R3", "S1"])):  # fmt: skip
    rule("221", [E], ["PL_POST"], _221_msg, years=(first, last), needs=["providers"],
         passes=[_x({"PLACE": "K2", "PL_POST": "b1 1aa"}), _x({"PLACE": "K2", "PL_POST": "CV1 1GF", "LS": "V3"})],
         fails=[_x({"PLACE": "K2", "PL_POST": "CV1 1GF"})])(_221(places))  # fmt: skip


@rule("224", [E], ["PLACE_PROVIDER"], "The placement provider code is not one the provider with this URN has.",
      needs=["providers"], passes=[_x({"PLACE_PROVIDER": "PR4"})], fails=[_x({"PLACE_PROVIDER": "PR5"})])  # fmt: skip
def _224(t: Env) -> dict[str, Any]:
    j = _placed(t)
    bad = ~j.p_provider_codes.contains(j.PLACE_PROVIDER).fill_null(False)
    what = msg(_urn(j), " is not PLACE_PROVIDER ", show(j, "PLACE_PROVIDER"))
    return {E: flag(j, bad, what)}


@rule("227", [E], ["URN", "DECOM"], "The provider with this URN had closed when the episode started.",
      needs=["providers"],
      passes=[_x({"DECOM": "{start}"}, deregistered="{start+1d}"), _x({"DECOM": "{start}"})],
      fails=[_x({"DECOM": "{start}"}, deregistered="{start}")])  # fmt: skip
def _227(t: Env) -> dict[str, Any]:
    j = _placed(t)
    bad = j.p_deregistered.notnull() & (j.DECOM >= j.p_deregistered)
    what = msg(
        _urn(j), " closed ", show(j, "p_deregistered"), ", episode started ", show(j, "DECOM")
    )
    return {E: flag(j, bad, what)}


@rule("228", [E], ["URN", "DEC"], "The provider with this URN had closed before the episode ended (or before the year's end, if open).",
      needs=["providers"],
      passes=[_x({"DEC": "{end}"}, deregistered="{end}"), _x({}, deregistered="{end+1d}")],
      fails=[_x({"DEC": "{end}"}, deregistered="{end-1d}"), _x({}, deregistered="{end-1d}")])  # fmt: skip
def _228(t: Env) -> dict[str, Any]:
    j = _placed(t)
    ended = j.DEC.notnull() & (j.DEC > j.p_deregistered)
    still_open = j.DEC.isnull() & (t.end > j.p_deregistered)
    what = msg(_urn(j), " closed ", show(j, "p_deregistered"), ", episode ended ", show(j, "DEC"))
    return {E: flag(j, j.p_deregistered.notnull() & (ended | still_open), what)}


@rule("229", [E], ["URN", "PLACE_PROVIDER"], "The provider code does not match where the provider is: own council (PR1) or another council (PR2).",
      needs=["providers"],
      passes=[_x({"PLACE_PROVIDER": "PR1", "HOME_POST": HOME_POST}), _x({"PLACE_PROVIDER": "PR2", "HOME_POST": HOME_POST}, postcode="CV11GF")],
      fails=[_x({"PLACE_PROVIDER": "PR2", "HOME_POST": HOME_POST}), _x({"PLACE_PROVIDER": "PR1", "HOME_POST": HOME_POST}, postcode="CV11GF")])  # fmt: skip
def _229(t: Env) -> dict[str, Any]:
    j = _placed(t)
    own = j.p_own_la.fill_null(False)
    bad = ((j.PLACE_PROVIDER == "PR1") & ~own) | ((j.PLACE_PROVIDER == "PR2") & own)
    what = msg(
        _urn(j), " in council ", show(j, "p_la"), " with PLACE_PROVIDER ", show(j, "PLACE_PROVIDER")
    )
    return {E: flag(j, bad, what)}
