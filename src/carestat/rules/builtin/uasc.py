"""Rules on the UASC table alone: the date unaccompanied asylum-seeking status ceased."""

from __future__ import annotations

from typing import Any

from carestat.rules.expr import Env, add_years, bad_date, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

U = "UASC"


def _u(**fields: str) -> Example:
    return Example({U: [{"CHILD": "1", **fields}]})


@rule("104", [U], ["DUC"], "The date UASC status ceased is not a valid date, or is before the collection year.",
      passes=[_u(DUC="{start}"), _u()], fails=[_u(DUC="{start-1d}"), _u(DUC="31/09/2022")])  # fmt: skip
def _104(t: Env) -> dict[str, Any]:
    u = t.UASC
    bad = bad_date(u, "DUC") | (t.start > u.DUC)
    return {
        U: flag(u, bad, msg("DUC ", show(u, "DUC"), " is not a valid date in or after the year"))
    }


@rule("304", [U], ["DUC"], "The date UASC status ceased must be on or before the child's 18th birthday.",
      passes=[_u(DOB="01/05/2005", DUC="01/05/2023")], fails=[_u(DOB="01/05/2005", DUC="02/05/2023")])  # fmt: skip
def _304(t: Env) -> dict[str, Any]:
    u = t.UASC
    bad = add_years(u.DOB, 18) < u.DUC
    return {
        U: flag(
            u,
            bad,
            msg(
                "DUC ",
                show(u, "DUC"),
                " is after the 18th birthday of a child born ",
                show(u, "DOB"),
            ),
        )
    }
