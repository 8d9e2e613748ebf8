"""Internal integrity checks across tables: every child in Header, matching DOB/SEX, no duplicates."""

from __future__ import annotations

from typing import Any

from carestat.rules.expr import Env, children, flag, msg, show
from carestat.rules.model import Example
from carestat.rules.registry import rule

H = "Header"
ORPHANS = {"INT01": "AD1", "INT02": "PlacedAdoption", "INT03": "Episodes", "INT04": "Missing",
           "INT05": "OC2", "INT06": "OC3", "INT07": "PrevPerm", "INT08": "Reviews", "INT09": "UASC"}  # fmt: skip
DOB_MATCH = {"INT11": "AD1", "INT12": "PlacedAdoption", "INT13": "Missing", "INT14": "OC2",
             "INT15": "OC3", "INT16": "PrevPerm", "INT17": "Reviews", "INT18": "UASC"}  # fmt: skip
ONCE = {"INT31": "AD1", "INT32": "Header", "INT33": "OC2", "INT34": "OC3", "INT35": "PrevPerm",
        "INT36": "UASC"}  # fmt: skip


def _orphan(table: str) -> Any:
    def check(t: Env) -> dict[str, Any]:
        other = t.table(table)
        bad = ~other.CHILD.isin(children(t.Header))
        return {table: flag(other, bad, msg("Child ", show(other, "CHILD"), " is not in Header"))}

    return check


def _dob_match(table: str) -> Any:
    def check(t: Env) -> dict[str, Any]:
        other = t.table(table)
        header = t.Header.select(h_child=t.Header.CHILD, h_dob=t.Header.DOB)
        joined = other.inner_join(header, header.h_child == other.CHILD)
        bad = joined.DOB.notnull() & joined.h_dob.notnull() & (joined.h_dob != joined.DOB)
        return {table: flag(joined, bad, msg("DOB ", show(joined, "DOB"), " but Header has ",
                                             show(joined, "h_dob")))}  # fmt: skip

    return check


def _once(table: str) -> Any:
    def check(t: Env) -> dict[str, Any]:
        import ibis

        data = t.table(table)
        data = data.mutate(n_child=data._row.count().over(ibis.window(group_by=data.CHILD)))
        bad = data.CHILD.notnull() & (data.n_child > 1)
        return {table: flag(data, bad, msg("Child ", show(data, "CHILD"), " appears ",
                                           data.n_child.cast("string"), " times"))}  # fmt: skip

    return check


for code, table in ORPHANS.items():
    rule(code, [H, table], ["CHILD"], f"A child in {table} is not in Header.",
         passes=[Example({H: [{"CHILD": "1"}], table: [{"CHILD": "1"}]})],
         fails=[Example({H: [{"CHILD": "1"}], table: [{"CHILD": "2"}]})])(_orphan(table))  # fmt: skip

for code, table in DOB_MATCH.items():
    rule(code, [H, table], ["DOB"], f"The date of birth in {table} differs from Header's.",
         passes=[Example({H: [{"CHILD": "1", "DOB": "01/01/2010"}], table: [{"CHILD": "1", "DOB": "01/01/2010"}]})],
         fails=[Example({H: [{"CHILD": "1", "DOB": "01/01/2010"}], table: [{"CHILD": "1", "DOB": "02/01/2010"}]})],
         )(_dob_match(table))  # fmt: skip

for code, table in ONCE.items():
    rule(code, [table], ["CHILD"], f"A child appears more than once in {table}.",
         passes=[Example({table: [{"CHILD": "1"}, {"CHILD": "2"}]})],
         fails=[Example({table: [{"CHILD": "1"}, {"CHILD": "1"}]})])(_once(table))  # fmt: skip


@rule("INT21", [H, "UASC"], ["SEX"], "The sex in UASC differs from Header's.",
      passes=[Example({H: [{"CHILD": "1", "SEX": "1"}], "UASC": [{"CHILD": "1", "SEX": "1"}]})],
      fails=[Example({H: [{"CHILD": "1", "SEX": "1"}], "UASC": [{"CHILD": "1", "SEX": "2"}]})])  # fmt: skip
def _int21(t: Env) -> dict[str, Any]:
    u = t.UASC
    header = t.Header.select(h_child=t.Header.CHILD, h_sex=t.Header.SEX)
    joined = u.inner_join(header, header.h_child == u.CHILD)
    bad = joined.SEX.notnull() & joined.h_sex.notnull() & (joined.h_sex != joined.SEX)
    return {
        "UASC": flag(
            joined, bad, msg("SEX ", show(joined, "SEX"), " but Header has ", show(joined, "h_sex"))
        )
    }


@rule("EPI", [H], ["CHILD"], "The child has neither episodes nor care leaver (OC3) information.",
      passes=[Example({H: [{"CHILD": "1"}], "Episodes": [{"CHILD": "1"}]}),
              Example({H: [{"CHILD": "1"}], "OC3": [{"CHILD": "1"}]})],
      fails=[Example({H: [{"CHILD": "1"}], "Episodes": [{"CHILD": "2"}]})])  # fmt: skip
def _epi(t: Env) -> dict[str, Any]:
    h = t.Header
    bad = ~h.CHILD.isin(children(t.Episodes)) & ~h.CHILD.isin(children(t.OC3))
    return {H: flag(h, bad, msg("Child ", show(h, "CHILD"), " has no episodes and no OC3 record"))}
