"""Building blocks for rule checks, written once as Ibis expressions over unbound tables.

Nothing here runs at import time: Ibis is imported inside the functions, so that a normal
`carestat validate` (which runs precompiled SQL) never pays for importing or building Ibis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from carestat.model import RAW_SUFFIX, table_schema
from carestat.spec import Spec, load_spec

LAST = "_last"  # suffix of the previous year's tables


class Env:
    """The unbound tables of one collection year's return (and the previous year's)."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.spec: Spec = load_spec(year)
        self._tables: dict[str, Any] = {}

    def table(self, name: str) -> Any:
        """The unbound Ibis table `name` of this year's return."""
        return self._unbound(name, self.spec, name)

    def last(self, name: str) -> Any:
        """The unbound Ibis table `name` of the previous year's return (`<name>_last`)."""
        return self._unbound(name + LAST, load_spec(self.year - 1), name)

    def _unbound(self, key: str, spec: Spec, name: str) -> Any:
        import ibis

        if key not in self._tables:
            schema = ibis.Schema.from_pyarrow(table_schema(spec, name))
            self._tables[key] = ibis.table(schema, name=key)
        return self._tables[key]

    def __getattr__(self, name: str) -> Any:
        if name[:1].isupper():
            return self.table(name)
        raise AttributeError(name)

    def codes(self, codelist: str) -> list[str]:
        """The codes of a code list in this year, sorted (so compiled SQL is stable)."""
        return sorted(self.spec.codes(codelist))

    @cached_property
    def start(self) -> Any:
        """The first day of the collection year (1 April)."""
        return date(dt.date(self.year - 1, 4, 1))

    @cached_property
    def end(self) -> Any:
        """The last day of the collection year (31 March)."""
        return date(dt.date(self.year, 3, 31))


def date(value: dt.date) -> Any:
    """A date literal."""
    import ibis

    return ibis.literal(value, type="date")


def flag(table: Any, condition: Any, message: Any) -> Any:
    """Rows of `table` where `condition` is true (null counts as false), with a message."""
    return table.filter(condition.fill_null(False)).select(_row=table["_row"], message=message)


def msg(*parts: Any) -> Any:
    """A message built in SQL from literal text and string expressions."""
    import ibis

    values = [ibis.literal(p) if isinstance(p, str) else p for p in parts]
    return values[0].concat(*values[1:]) if len(values) > 1 else values[0]


def show(table: Any, column: str) -> Any:
    """A column's value for a message: quoted text, a dd/mm/YYYY date, or (blank)."""
    import ibis

    col = table[column]
    if col.type().is_date():
        text = col.strftime("%d/%m/%Y")
        if column + RAW_SUFFIX in table.columns:
            raw = table[column + RAW_SUFFIX]
            text = text.coalesce(ibis.literal("'").concat(raw, "'"))
    else:
        text = ibis.literal("'").concat(col.cast("string"), "'")
    return text.coalesce(ibis.literal("(blank)"))


def blank(table: Any, column: str) -> Any:
    """The field is empty (for dates: no text at all, not even an unreadable one)."""
    col = table[column]
    if col.type().is_date():
        return col.isnull() & table[column + RAW_SUFFIX].isnull()
    return col.isnull()


def bad_date(table: Any, column: str) -> Any:
    """The field holds text that is not a valid date."""
    return table[column + RAW_SUFFIX].notnull()


def not_in(column: Any, codes: Iterable[str]) -> Any:
    """The value is blank or not one of `codes`."""
    return column.isnull() | ~column.isin(list(codes))


def filled_not_in(column: Any, codes: Iterable[str]) -> Any:
    """The value is present and not one of `codes`."""
    return column.notnull() & ~column.isin(list(codes))


def age_at(dob: Any, when: Any) -> Any:
    """Whole years of age on the date `when` for a child born on `dob`."""
    import ibis

    before_birthday = (when.month() * 100 + when.day()) < (dob.month() * 100 + dob.day())
    return when.year() - dob.year() - ibis.ifelse(before_birthday, 1, 0)


def add_years(when: Any, years: int) -> Any:
    """The date `years` years after `when`."""
    import ibis

    return when + ibis.interval(years=years)


def neighbours(table: Any, *columns: str, order_by: str = "DECOM") -> Any:
    """Records with the same child's previous and next record alongside (ordered by date).

    Adds `prev_<col>` and `next_<col>` for each column named (lower-case prefixes never collide
    with the upper-case spec names, even in case-insensitive DuckDB), plus `has_prev`/`has_next`.
    """
    import ibis

    window = ibis.window(group_by=table.CHILD, order_by=[table[order_by], table._row])
    added: dict[str, Any] = {}
    for column in columns:
        added[f"prev_{column.lower()}"] = table[column].lag().over(window)
        added[f"next_{column.lower()}"] = table[column].lead().over(window)
    added["has_prev"] = table._row.lag().over(window).notnull()
    added["has_next"] = table._row.lead().over(window).notnull()
    return table.mutate(**added)


def children(table: Any) -> Any:
    """The non-blank CHILD ids of a table, for `isin` (NOT IN with a null would match nothing)."""
    return table.filter(table.CHILD.notnull()).CHILD


def link(left: Any, right: Any, prefix: str = "r_") -> Any:
    """`left` joined to `right` on CHILD, the right-hand columns renamed `<prefix><name>`."""
    renamed = right.rename({f"{prefix}{c}": c for c in right.columns})
    return left.inner_join(renamed, left.CHILD == renamed[f"{prefix}CHILD"])


def flag_both(
    joined: Any, condition: Any, message: Any, left: str, right: str, prefix: str = "r_"
) -> dict[str, Any]:
    """Flag the matching rows of both linked tables (one issue per flagged row of each)."""
    found = joined.mutate(flag_message=message).filter(condition.fill_null(False))
    return {
        left: found.select(_row=found["_row"], message=found.flag_message),
        right: found.select(_row=found[f"{prefix}_row"], message=found.flag_message),
    }
