"""The one result shape all measures share, and helpers that build it.

Every measure returns an Ibis table with columns `measure`, `breakdown`, `category`, `la`, `year`,
`kind` ('count', 'mean' or 'percent'), `numerator` and `denominator` (null for counts). Means and
percentages keep numerator and denominator so that regions and England are summed correctly and
three-year averages pool days and children, not averages.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

TOTAL = "Total"
UNKNOWN = "Unknown"
KEYS = ["la", "year"]
COLUMNS = ["measure", "breakdown", "category", "la", "year", "kind", "numerator", "denominator"]

AGE_GROUPS = ((0, "Under 1"), (1, "1 to 4"), (5, "5 to 9"), (10, "10 to 15"), (16, "16 and over"))
CEASED_AGE_GROUPS = (*AGE_GROUPS[:4], (16, "16"), (17, "17"), (18, "18 and over"))


def age_group(
    age: ir.IntegerValue, groups: tuple[tuple[int, str], ...] = AGE_GROUPS
) -> ir.StringValue:
    """The DfE age group of an age in completed years (Unknown when the age is unknown)."""
    cases = [(age >= low, label) for low, label in reversed(groups)]
    return ibis.ifelse(age.isnull(), UNKNOWN, ibis.cases(*cases, else_=UNKNOWN))


def _shape(t: ir.Table, measure: str, breakdown: str, kind: str) -> ir.Table:
    """Put grouped results into the shared column order."""
    den = t.denominator.cast("float64") if "denominator" in t.columns else ibis.null("float64")
    return t.select(
        measure=ibis.literal(measure),
        breakdown=ibis.literal(breakdown),
        category=t.category.cast("string"),
        la=t.la,
        year=t.year.cast("int32"),
        kind=ibis.literal(kind),
        numerator=t.numerator.cast("float64"),
        denominator=den,
    )


def _grouped(rows: ir.Table, measure: str, kind: str, aggs: Mapping[str, ir.Value],
             breakdowns: Mapping[str, ir.Value]) -> ir.Table:  # fmt: skip
    """Aggregate `rows` for the total and for each breakdown, in the shared shape."""
    total = rows.group_by(KEYS).aggregate(**aggs).mutate(category=ibis.literal(TOTAL))
    parts = [_shape(total, measure, "total", kind)]
    for name, column in breakdowns.items():
        cat = column.cast("string").fill_null(UNKNOWN).name("category")
        grouped = rows.group_by([*KEYS, cat]).aggregate(**aggs)
        parts.append(_shape(grouped, measure, name, kind))
    return ibis.union(*parts)


def tally(rows: ir.Table, measure: str, breakdowns: Mapping[str, str] | None = None) -> ir.Table:
    """Count rows (one per child or per event) in total and by each breakdown column."""
    cols = {name: rows[c] for name, c in (breakdowns or {}).items()}
    return _grouped(rows, measure, "count", {"numerator": rows.count()}, cols)


def mean_of(
    rows: ir.Table, measure: str, value: str, breakdowns: Mapping[str, str] | None = None
) -> ir.Table:
    """Mean of a numeric column over rows with a value, kept as sum and count."""
    rows = rows.filter(rows[value].notnull())
    aggs = {"numerator": rows[value].cast("float64").sum(), "denominator": rows.count()}
    cols = {name: rows[c] for name, c in (breakdowns or {}).items()}
    return _grouped(rows, measure, "mean", aggs, cols)


def share_of(
    rows: ir.Table, measure: str, flag: str, breakdowns: Mapping[str, str] | None = None
) -> ir.Table:
    """Percentage of rows where a boolean column is true, kept as count true and count of rows."""
    # int32: PostgreSQL casts booleans to integer, not bigint; all-null flags stay null (n/a)
    aggs = {"numerator": rows[flag].cast("int32").sum(), "denominator": rows.count()}
    cols = {name: rows[c] for name, c in (breakdowns or {}).items()}
    return _grouped(rows, measure, "percent", aggs, cols)


def first_per_child(rows: ir.Table, order: str, last: bool = False) -> ir.Table:
    """Keep one row per (council, year, child): the first (or last) by `order`, then by DECOM.

    Episode rows (repaired: one per child and start date, so DECOM breaks every tie). A hash
    aggregate of the two dates packed in one number and a join, rather than a window: no sort.
    """
    key = _days(rows[order]) * 2**21 + _days(rows.DECOM)
    rows = rows.mutate(_pick=key)
    best = rows.group_by(["la", "year", "CHILD"]).aggregate(
        _best=rows._pick.max() if last else rows._pick.min()
    )
    keys = [rows.la == best.la, rows.year == best.year, rows.CHILD == best.CHILD]
    return rows.join(best, [*keys, rows._pick == best._best]).drop("_pick", "_best")


def _days(day: ir.DateValue) -> ir.IntegerValue:
    """Days from 1 January 1900 (positive for any date a return holds, and below 2**21)."""
    return day.delta(ibis.date(1900, 1, 1), unit="day").cast("int64")
