"""Rules on the Header table alone: sex, dates of birth, ethnicity, UPN, motherhood."""

from __future__ import annotations

import datetime as dt
from typing import Any

from carestat.rules.builtin._common import code_rule, date_rule
from carestat.rules.expr import Env, add_years, blank, date, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

H = "Header"


def _h(**fields: str) -> Example:
    return Example({H: [{"CHILD": "1", **fields}]})


code_rule(
    "101", H, "SEX", "SEX", "The child's sex is not a valid code.", years=(2023, 2024), good="1"
)
code_rule(
    "101", H, "SEX", "SEX", "The child's sex is not a valid code.", years=(2025, None), good="U"
)
date_rule("102", H, "DOB", "The date of birth is not a valid date.", blank_ok=False)
code_rule(
    "103", H, "ETHNIC", "ETHNIC", "The ethnicity code is not valid or is missing.", good="WBRI"
)
date_rule("171", H, "MC_DOB", "The date of birth of the mother's child is not a valid date.")

UPN = r"^(([A-HJ-NP-RT-Z][0-9]{12})|([A-HJ-NP-RT-Z][0-9]{11}[A-Z])|(UN[1-5]))$"


@rule("168", [H], ["UPN"], "The Unique Pupil Number is not valid; if unknown, use UN1 to UN5.",
      passes=[_h(UPN="A123456789012"), _h(UPN="UN5"), _h(UPN="H12345678901A")],
      fails=[_h(UPN="I123456789012"), _h(UPN="UN6"), _h(UPN="A12345678901")])  # fmt: skip
def _168(t: Env) -> dict[str, Any]:
    h = t.Header
    bad = h.UPN.notnull() & ~h.UPN.re_search(UPN)
    return {H: flag(h, bad, msg("UPN ", show(h, "UPN"), " is not a valid UPN or UN1-UN5"))}


def _mother_male(male: str) -> Any:
    def check(t: Env) -> dict[str, Any]:
        h = t.Header
        bad = (male == h.SEX) & ~blank(h, "MC_DOB")  # completed, even if not a valid date
        return {H: flag(h, bad, msg("Child's child born ", show(h, "MC_DOB"), " but SEX is male"))}

    return check


rule("174", [H], ["SEX", "MC_DOB"], "A mother's child's date of birth is given but the child is male.",
     years=(2023, 2024), passes=[_h(SEX="2", MC_DOB="01/01/2020")],
     fails=[_h(SEX="1", MC_DOB="01/01/2020")])(_mother_male("1"))  # fmt: skip
rule("174", [H], ["SEX", "MC_DOB"], "A mother's child's date of birth is given but the child is male.",
     years=(2025, None), passes=[_h(SEX="F", MC_DOB="01/01/2020")],
     fails=[_h(SEX="M", MC_DOB="01/01/2020")])(_mother_male("M"))  # fmt: skip


@rule("209", [H], ["UPN", "DOB"], "A child of school age has the unknown UPN code UN1.",
      passes=[_h(UPN="UN1", DOB="{start-5y+153d}")], fails=[_h(UPN="UN1", DOB="{start-5y+152d}")])  # fmt: skip
def _209(t: Env) -> dict[str, Any]:
    # School age: four or older on 31 August before the collection year began.
    h = t.Header
    cutoff = date(dt.date(t.year - 2, 8, 31))
    bad = (h.UPN == "UN1") & (add_years(h.DOB, 4) <= cutoff)
    return {H: flag(h, bad, msg("UPN UN1 for a child born ", show(h, "DOB")))}


@rule("232", [H], ["SEX"], "The child's sex is reported as unknown.", years=(2025, None),
      passes=[_h(SEX="F")], fails=[_h(SEX="U")])  # fmt: skip
def _232(t: Env) -> dict[str, Any]:
    h = t.Header
    return {H: flag(h, h.SEX == "U", msg("SEX is 'U' (unknown)"))}


@rule("301", [H], ["DOB"], "The date of birth is after the end of the collection year.",
      passes=[_h(DOB="{end}")], fails=[_h(DOB="{end+1d}")])  # fmt: skip
def _301(t: Env) -> dict[str, Any]:
    h = t.Header
    return {H: flag(h, t.end < h.DOB, msg("DOB ", show(h, "DOB"), " is after 31/03/", str(t.year)))}


@rule("351", [H], ["DOB"], "The child was over 25 at the start of the collection year.",
      passes=[_h(DOB="{start-25y}")], fails=[_h(DOB="{start-25y-1d}")])  # fmt: skip
def _351(t: Env) -> dict[str, Any]:
    h = t.Header
    bad = add_years(h.DOB, 25) < t.start
    return {H: flag(h, bad, msg("DOB ", show(h, "DOB"), " makes the child over 25 on 01/04"))}


@rule("611", [H], ["MOTHER", "MC_DOB"], "The child is a mother but her child's date of birth is blank.",
      passes=[_h(MOTHER="1", MC_DOB="01/01/2020")], fails=[_h(MOTHER="1")])  # fmt: skip
def _611(t: Env) -> dict[str, Any]:
    h = t.Header
    bad = (h.MOTHER == "1") & h.MC_DOB.isnull()
    return {H: flag(h, bad, msg("MOTHER is 1 but MC_DOB is ", show(h, "MC_DOB")))}


def _not_mother(female: str) -> Any:
    def check(t: Env) -> dict[str, Any]:
        h = t.Header
        # "Completed": any text, a valid date or not (171 reports an invalid one).
        mother = (h.MOTHER == "0") | h.MOTHER.isnull()
        bad = mother & (female == h.SEX) & ~blank(h, "MC_DOB")
        return {H: flag(h, bad, msg("MC_DOB ", show(h, "MC_DOB"), " given but MOTHER is ",
                                    show(h, "MOTHER")))}  # fmt: skip

    return check


_612 = "A mother's child's date of birth is given but the child is not recorded as a mother."
rule("612", [H], ["SEX", "MOTHER", "MC_DOB"], _612, years=(2023, 2024),
     passes=[_h(SEX="2", MOTHER="1", MC_DOB="01/01/2020")],
     fails=[_h(SEX="2", MOTHER="0", MC_DOB="01/01/2020"), _h(SEX="2", MC_DOB="31/31/19")])(_not_mother("2"))  # fmt: skip
rule("612", [H], ["SEX", "MOTHER", "MC_DOB"], _612, years=(2025, None),
     passes=[_h(SEX="F", MOTHER="1", MC_DOB="01/01/2020")],
     fails=[_h(SEX="F", MC_DOB="01/01/2020")])(_not_mother("F"))  # fmt: skip


@rule("620", [H], ["DOB", "MOTHER"], "The child is recorded as a mother but was under 11 on 1 April.",
      passes=[_h(MOTHER="1", DOB="{start-11y}")], fails=[_h(MOTHER="1", DOB="{start-11y+1d}")])  # fmt: skip
def _620(t: Env) -> dict[str, Any]:
    h = t.Header
    bad = (h.MOTHER == "1") & (add_years(h.DOB, 11) > t.start)
    return {H: flag(h, bad, msg("Mother born ", show(h, "DOB"), " was under 11 on 01/04"))}


@rule("621", [H], ["DOB", "MC_DOB"], "The mother's date of birth is not before her child's.",
      passes=[_h(DOB="01/01/2005", MC_DOB="02/01/2005")],
      fails=[_h(DOB="01/01/2005", MC_DOB="01/01/2005")])  # fmt: skip
def _621(t: Env) -> dict[str, Any]:
    # A mother born the same day as her child is not older than it: flagged, as the reference does.
    h = t.Header
    bad = h.MC_DOB <= h.DOB
    return {H: flag(h, bad, msg("Child born ", show(h, "MC_DOB"), ", not after its mother (",
                                show(h, "DOB"), ")"))}  # fmt: skip
