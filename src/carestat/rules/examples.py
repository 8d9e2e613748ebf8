"""Turn a rule's tiny examples into a `Return`, and run one rule on them (tests and docs)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import pyarrow as pa

from carestat.model import Return, empty_table
from carestat.readers.normalise import build_table
from carestat.rules.model import Example, Rows, Rule
from carestat.rules.report import Issue
from carestat.spec import load_spec

_TOKEN = re.compile(r"\{(start|end)((?:[+-]\d+[dy])*)\}")
_OFFSET = re.compile(r"([+-]\d+)([dy])")


def resolve_date(text: str, year: int) -> str:
    """Expand `{start}`/`{end}` (1 April / 31 March of the collection year) with offsets.

    `{end+1d}` is 1 April after the year; `{start-4y}` is 1 April four years before it; so one
    example works in every collection year.
    """

    def expand(match: re.Match[str]) -> str:
        day = dt.date(year - 1, 4, 1) if match[1] == "start" else dt.date(year, 3, 31)
        for amount, unit in _OFFSET.findall(match[2]):
            if unit == "d":
                day += dt.timedelta(days=int(amount))
            else:
                day = _shift_years(day, int(amount))
        return day.strftime("%d/%m/%Y")

    return _TOKEN.sub(expand, text)


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def example_return(year: int, tables: Mapping[str, Rows]) -> Return:
    """A return whose tables hold the given records as text (absent columns blank).

    Header records that name a `UASC` flag make it a return read from DfE XML, with those flags
    (a record without one has a blank flag); otherwise it is read from CSV files and has none.
    """
    spec = load_spec(year)
    ret = Return(year=year, la=None, tables={})
    header = tables.get("Header", [])
    if any("UASC" in r for r in header):
        ret.uasc_flags = pa.array([r.get("UASC") for r in header], pa.string())
    for name, table in spec.tables.items():
        rows = tables.get(name, [])
        if not rows:
            ret.tables[name] = empty_table(spec, name)
            continue
        text = {
            column: pa.array(
                [
                    None if r.get(column) is None else resolve_date(str(r[column]), year)
                    for r in rows
                ],
                pa.string(),
            )
            for column in table.column_names
        }
        ret.tables[name], _ = build_table(spec, name, text, None, len(rows))
    return ret


def example_providers(rows: Rows, year: int) -> pa.Table:
    """An Ofsted provider list holding the given records (dates may use `{start}`/`{end}`)."""
    from carestat.readers.providers import PROVIDERS_SCHEMA

    def day(value: object) -> dt.date | None:
        text = resolve_date(str(value), year) if value else None
        return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None

    records = [{**r, "deregistered": day(r.get("deregistered"))} for r in rows]
    return pa.Table.from_pylist(records, schema=PROVIDERS_SCHEMA)


def run_example(declared: Rule, example: Example, year: int) -> list[Issue]:
    """The issues `declared` raises on `example` in collection `year`."""
    from carestat.rules.engine import validate

    ret = example_return(year, example.tables)
    previous = None
    if example.previous is not None:
        previous = example_return(year - 1, example.previous)
    elif "previous" in declared.needs:
        previous = example_return(year - 1, {})
    providers = None
    if "Providers" in example.tables or "providers" in declared.needs:
        providers = [example_providers(example.tables.get("Providers", []), year)]
    report = validate(ret, previous=previous, codes=[declared.code], providers=providers)
    if any(s.rule == declared.code for s in report.rules_skipped):
        raise AssertionError(f"rule {declared.code} did not run: {report.rules_skipped}")
    return [i for i in report.issues if i.rule == declared.code]
