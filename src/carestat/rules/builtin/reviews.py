"""Rules on the Reviews table: review dates and how the child took part."""

from __future__ import annotations

from typing import Any

from carestat.rules.expr import Env, add_years, blank, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

R = "Reviews"
OVER_4 = ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]


def _r(**fields: str) -> Example:
    return Example({R: [{"CHILD": "1", **fields}]})


@rule("166", [R], ["REVIEW"], "The review date is not a valid date or is blank.",
      passes=[_r(REVIEW="01/05/2022")], fails=[_r(REVIEW="31/04/2022"), _r()])  # fmt: skip
def _166(t: Env) -> dict[str, Any]:
    r = t.Reviews
    return {
        R: flag(r, r.REVIEW.isnull(), msg("REVIEW ", show(r, "REVIEW"), " is not a valid date"))
    }


@rule("167", [R], ["REVIEW_CODE"], "The participation code is not valid, or is given without a review date.",
      passes=[_r(REVIEW="01/05/2022", REVIEW_CODE="PN1"), _r()],
      fails=[_r(REVIEW="01/05/2022", REVIEW_CODE="PN9"), _r(REVIEW="01/05/2022"), _r(REVIEW_CODE="PN1")])  # fmt: skip
def _167(t: Env) -> dict[str, Any]:
    r = t.Reviews
    no_review = blank(r, "REVIEW")
    coded = r.REVIEW_CODE.isin(t.codes("REVIEW_CODE")).fill_null(False)
    good = (~no_review & coded) | (no_review & r.REVIEW_CODE.isnull())
    return {
        R: flag(
            r, ~good, msg("REVIEW_CODE ", show(r, "REVIEW_CODE"), " for review ", show(r, "REVIEW"))
        )
    }


@rule("440", [R], ["DOB", "REVIEW", "REVIEW_CODE"], "Code PN0 (under 4) but the child was over 4 at the review.",
      passes=[_r(DOB="01/05/2018", REVIEW="01/05/2022", REVIEW_CODE="PN0")],
      fails=[_r(DOB="01/05/2018", REVIEW="02/05/2022", REVIEW_CODE="PN0")])  # fmt: skip
def _440(t: Env) -> dict[str, Any]:
    r = t.Reviews
    bad = (r.REVIEW_CODE == "PN0") & (add_years(r.DOB, 4) < r.REVIEW)
    return {
        R: flag(
            r, bad, msg("PN0 at review ", show(r, "REVIEW"), " for a child born ", show(r, "DOB"))
        )
    }


@rule("441", [R], ["DOB", "REVIEW", "REVIEW_CODE"], "Code PN1-PN7 (aged 4 or over) but the child was under 4 at the review.",
      passes=[_r(DOB="01/05/2018", REVIEW="01/05/2022", REVIEW_CODE="PN1")],
      fails=[_r(DOB="01/05/2018", REVIEW="30/04/2022", REVIEW_CODE="PN2")])  # fmt: skip
def _441(t: Env) -> dict[str, Any]:
    r = t.Reviews
    bad = r.REVIEW_CODE.isin(OVER_4) & (add_years(r.DOB, 4) > r.REVIEW)
    return {R: flag(r, bad, msg(show(r, "REVIEW_CODE"), " at review ", show(r, "REVIEW"),
                                " for a child born ", show(r, "DOB")))}  # fmt: skip
