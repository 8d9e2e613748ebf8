"""Factories for the many rules that share one shape (a code list, a valid date, a blank)."""

from __future__ import annotations

from typing import Any

from carestat.rules.expr import Env, bad_date, blank, filled_not_in, flag, msg, not_in, show
from carestat.rules.model import Example, Rule
from carestat.rules.registry import rule

Years = tuple[int, int | None]
ANY_YEARS: Years = (2023, None)


def code_rule(
    code: str, table: str, field: str, codelist: str, message: str,
    blank_ok: bool = False, years: Years = ANY_YEARS, good: str | None = None,
) -> Rule:  # fmt: skip
    """The field must hold a code of `codelist` (or be blank, if `blank_ok`)."""
    test = filled_not_in if blank_ok else not_in
    bad = [Example({table: [{"CHILD": "1", field: "ZZZ9"}]})]
    if not blank_ok:
        bad.append(Example({table: [{"CHILD": "1"}]}, note="blank"))
    okay = [Example({table: [{"CHILD": "1", field: good}]})] if good else []
    if blank_ok:
        okay.append(Example({table: [{"CHILD": "1"}]}, note="blank"))

    def check(t: Env) -> dict[str, Any]:
        data = t.table(table)
        what = msg(f"{field} ", show(data, field), f" is not a valid {codelist} code")
        return {table: flag(data, test(data[field], t.codes(codelist)), what)}

    return rule(code, (table,), (field,), message, years, passes=okay, fails=bad)(check)


def date_rule(
    code: str, table: str, field: str, message: str,
    blank_ok: bool = True, years: Years = ANY_YEARS,
) -> Rule:  # fmt: skip
    """The field, when given (or always, unless `blank_ok`), must be a valid dd/mm/YYYY date."""
    bad = [Example({table: [{"CHILD": "1", field: "31/02/2020"}]})]
    okay = [Example({table: [{"CHILD": "1", field: "29/02/2020"}]})]
    (okay if blank_ok else bad).append(Example({table: [{"CHILD": "1"}]}, note="blank"))

    def check(t: Env) -> dict[str, Any]:
        data = t.table(table)
        wrong = bad_date(data, field) if blank_ok else data[field].isnull()
        what = msg(f"{field} ", show(data, field), " is not a valid date")
        return {table: flag(data, wrong, what)}

    return rule(code, (table,), (field,), message, years, passes=okay, fails=bad)(check)


def required_rule(
    code: str, table: str, field: str, message: str, years: Years = ANY_YEARS
) -> Rule:
    """The field must not be blank."""

    def check(t: Env) -> dict[str, Any]:
        data = t.table(table)
        return {table: flag(data, blank(data, field), msg(f"{field} is blank"))}

    okay = [Example({table: [{"CHILD": "1", field: "X"}]})]
    bad = [Example({table: [{"CHILD": "1"}]})]
    return rule(code, (table,), (field,), message, years, passes=okay, fails=bad)(check)
