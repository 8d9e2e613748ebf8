"""Rules on the PrevPerm table alone: previous permanence arrangements."""

from __future__ import annotations

from typing import Any

from carestat.rules.builtin._common import code_rule
from carestat.rules.expr import Env, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

P = "PrevPerm"

code_rule(
    "631",
    P,
    "PREV_PERM",
    "PREV_PERM",
    "The previous permanence option is not a valid code.",
    blank_ok=True,
    good="Z1",
)


@rule("635", [P], ["LA_PERM", "DATE_PERM", "PREV_PERM"],
      "A date or council of a previous permanence order is given but not the option itself.",
      passes=[Example({P: [{"CHILD": "1", "PREV_PERM": "P1", "DATE_PERM": "01/01/2015"}]})],
      fails=[Example({P: [{"CHILD": "1", "LA_PERM": "800"}]})])  # fmt: skip
def _635(t: Env) -> dict[str, Any]:
    p = t.PrevPerm
    bad = (p.LA_PERM.notnull() | p.DATE_PERM.notnull()) & p.PREV_PERM.isnull()
    return {
        P: flag(
            p,
            bad,
            msg(
                "LA_PERM ",
                show(p, "LA_PERM"),
                ", DATE_PERM ",
                show(p, "DATE_PERM"),
                " but PREV_PERM is blank",
            ),
        )
    }
