"""Record predicates and edits for the combination kinds (ages, legal status, placements).

A predicate takes the return and one of its tables and says, per record, whether a kind can be
planted there; it is named in a kind's `needs`. Ages join the child's date of birth from Header
when the table has none, and count whole years as the DfE rules do (birthday reached or not).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carestat.model import Return
from carestat.synth.fault_kinds import Condition, Edit, EditContext, collection_dates


def _header_values(ret: Return, table: pa.Table, field: str) -> pa.Array:
    """Each record's child's Header value of `field` (null when the child is not in Header)."""
    header = ret.tables["Header"]
    index = pc.index_in(table.column("CHILD"), header.column("CHILD"))
    return pc.take(header.column(field), index)


def _dob(ret: Return, table: pa.Table) -> pa.Array:
    """Date of birth per record: the table's own DOB, else the child's Header DOB."""
    if "DOB" in table.column_names:
        return table.column("DOB").combine_chunks()
    return _header_values(ret, table, "DOB")


def _ref(ret: Return, table: pa.Table, when: str) -> pa.Array:
    """Reference dates: "start"/"end" of the collection year, or a date field of the table."""
    if when in ("start", "end"):
        day = collection_dates(ret.year)[0 if when == "start" else 1]
        return pa.array([day] * table.num_rows, pa.date32())
    return table.column(when).combine_chunks()


def ages(ret: Return, table: pa.Table, when: str, shift: int = 0) -> np.ndarray:
    """Whole years of age at `when` (plus `shift` days) per record (-1000 where a date is missing)."""
    dob, ref = _dob(ret, table), _ref(ret, table, when)
    if shift:
        ref = pc.cast(pc.add(pc.cast(ref, pa.int32()), pa.scalar(shift, pa.int32())), pa.date32())
    years = pc.subtract(pc.year(ref), pc.year(dob))
    before = pc.less(
        pc.add(pc.multiply(pc.month(ref), 100), pc.day(ref)),
        pc.add(pc.multiply(pc.month(dob), 100), pc.day(dob)),
    )
    age = pc.subtract(years, pc.cast(before, pa.int64()))
    return np.asarray(pc.fill_null(age, -1000).to_numpy(zero_copy_only=False))


def age(when: str, low: int, high: int = 200, past: bool = False) -> Condition:
    """Records whose child is at least `low` and under `high` years old at `when`.

    With `past`, the child must be past the `low`th birthday (the day before `when` counts).
    """

    def check(ret: Return, table: pa.Table) -> np.ndarray:
        years = ages(ret, table, when)
        low_ok = ages(ret, table, when, shift=-1) >= low if past else years >= low
        return np.asarray(low_ok & (years < high))

    return check


def is_(field: str, *codes: str) -> Condition:
    """Records whose `field` holds one of `codes`."""
    return lambda ret, t: pc.fill_null(pc.is_in(t.column(field), pa.array(codes)), False).to_numpy()


def isnt(field: str, *codes: str) -> Condition:
    """Records whose `field` is blank or holds a value other than `codes`."""
    return lambda ret, t: ~is_(field, *codes)(ret, t)


def not_(field: str, *codes: str) -> Condition:
    """Records whose `field` holds a value other than `codes`."""
    return lambda ret, t: (
        ~is_(field, *codes)(ret, t) & t.column(field).is_valid().to_numpy(zero_copy_only=False)
    )


def header_is(field: str, *codes: str) -> Condition:
    """Records whose child's Header `field` holds one of `codes`."""
    return lambda ret, t: pc.fill_null(
        pc.is_in(_header_values(ret, t, field), pa.array(codes)), False
    ).to_numpy()


def female(ret: Return, table: pa.Table) -> np.ndarray:
    """Records of girls (Header SEX 2, or F from 2024-25)."""
    return header_is("SEX", "2", "F")(ret, table)


def in_year(field: str) -> Condition:
    """Records whose date `field` falls in the collection year."""

    def check(ret: Return, table: pa.Table) -> np.ndarray:
        start, end = collection_dates(ret.year)
        col = table.column(field)
        inside = pc.and_(pc.greater_equal(col, start), pc.less_equal(col, end))
        return np.asarray(pc.fill_null(inside, False).to_numpy(zero_copy_only=False))

    return check


def _of_children(table: pa.Table, children: pa.Array) -> np.ndarray:
    """Whether each record's child is one of `children`."""
    return pc.fill_null(pc.is_in(table.column("CHILD"), children), False).to_numpy()


def only_record(ret: Return, table: pa.Table) -> np.ndarray:
    """Records of children with no other record in the table."""
    counts = pc.value_counts(table.column("CHILD"))
    once = pc.filter(counts.field("values"), pc.equal(counts.field("counts"), 1))
    return _of_children(table, once)


def blank_(field: str) -> Condition:
    """Records whose `field` is blank."""
    return lambda ret, t: t.column(field).is_null().to_numpy(zero_copy_only=False)


def not_in(other: str) -> Condition:
    """Records whose child has no record in table `other`."""

    def check(ret: Return, table: pa.Table) -> np.ndarray:
        if other not in ret.tables:
            return np.ones(table.num_rows, dtype=bool)
        others = pc.drop_null(ret.tables[other].column("CHILD")).unique()
        return ~_of_children(table, others)

    return check


def in_(other: str) -> Condition:
    """Records whose child has a record in table `other`."""
    return lambda ret, t: ~not_in(other)(ret, t)


def has_record(other: str, field: str, *codes: str) -> Condition:
    """Records whose child has a record in table `other` with `field` in `codes`."""

    def check(ret: Return, table: pa.Table) -> np.ndarray:
        found = ret.tables[other].filter(pc.is_in(ret.tables[other].column(field), pa.array(codes)))
        wanted = pc.drop_null(found.column("CHILD")).unique()
        return _of_children(table, wanted)

    return check


def started_in_year(ret: Return, table: pa.Table) -> np.ndarray:
    """Records of children who started a period of care in the collection year (RNE S)."""
    episodes = ret.tables["Episodes"]
    start = pa.scalar(collection_dates(ret.year)[0], pa.date32())
    began = pc.and_(pc.equal(episodes.column("RNE"), "S"),
                    pc.greater_equal(episodes.column("DECOM"), start))  # fmt: skip
    children = pc.drop_null(episodes.filter(pc.fill_null(began, False)).column("CHILD")).unique()
    return _of_children(table, children)


def started_by_sw_window(ret: Return, table: pa.Table) -> np.ndarray:
    """From 2026-27, social worker episodes starting on or before the first day an episode may
    end (SW07STG2: a year before the collection year): ended the day before, they end before it.
    """
    if ret.year < 2027:
        return np.ones(table.num_rows, dtype=bool)
    start = collection_dates(ret.year)[0]
    first = pa.scalar(start.replace(year=start.year - 1), pa.date32())
    return pc.fill_null(pc.less_equal(table.column("SW_DECOM"), first), False).to_numpy()


def _against_year_end(field: str, days: int, compare: Callable[..., pa.Array]) -> Condition:
    """Records whose date `field` compares (`compare`) with `days` before the year's end."""

    def check(ret: Return, table: pa.Table) -> np.ndarray:
        limit = collection_dates(ret.year)[1] - timedelta(days)
        found = pc.fill_null(compare(table.column(field), limit), False)
        return np.asarray(found.to_numpy(zero_copy_only=False))

    return check


def before(field: str, days: int) -> Condition:
    """Records whose date `field` is more than `days` before the end of the collection year."""
    return _against_year_end(field, days, pc.less)


def since(field: str, days: int) -> Condition:
    """Records whose date `field` is at most `days` before the end of the collection year."""
    return _against_year_end(field, days, pc.greater_equal)


def extreme(field: str, which: str = "max") -> Condition:
    """Each child's record with the latest (`max`) or earliest (`min`) `field` date."""

    def check(ret: Return, table: pa.Table) -> np.ndarray:
        last = table.group_by("CHILD").aggregate([(field, which)])
        index = pc.index_in(table.column("CHILD"), last.column("CHILD"))
        most = pc.take(last.column(f"{field}_{which}"), index)
        return np.asarray(pc.fill_null(pc.equal(table.column(field), most), False).to_numpy())

    return check


def later(field: str) -> Condition:
    """Records that are not their child's earliest by `field` (an earlier record exists)."""
    return lambda ret, t: ~extreme(field, "min")(ret, t)


def lasting(days: int) -> Condition:
    """Episodes lasting more than `days` days (to their end, or to the end of the year if open)."""

    def check(ret: Return, table: pa.Table) -> np.ndarray:
        end = pa.scalar(collection_dates(ret.year)[1], pa.date32())
        last = pc.coalesce(table.column("DEC"), end)
        span = pc.subtract(pc.cast(last, pa.int32()), pc.cast(table.column("DECOM"), pa.int32()))
        return np.asarray(pc.fill_null(pc.greater(span, days), False).to_numpy())

    return check


def in_care_at_end(ret: Return, table: pa.Table) -> np.ndarray:
    """Records of children with an episode still open at the end of the year."""
    episodes = ret.tables["Episodes"]
    open_ = pc.filter(episodes.column("CHILD"), episodes.column("DEC").is_null())
    return _of_children(table, open_)


def none_of(condition: Condition) -> Condition:
    """Records not meeting `condition`."""
    return lambda ret, t: ~condition(ret, t)


def all_of(*conditions: Condition) -> Condition:
    """Records meeting every condition."""
    return lambda ret, t: np.logical_and.reduce([c(ret, t) for c in conditions])


# ---- edits ---------------------------------------------------------------------------------


def _dob_at(ctx: EditContext, row: int) -> date:
    """The child's date of birth for a record of the table being edited."""
    if "DOB" in ctx.columns and ctx.columns["DOB"][row] is not None:
        value: date = ctx.columns["DOB"][row]
        return value
    header = ctx.ret.tables["Header"]
    where = header.column("CHILD").to_pylist().index(ctx.columns["CHILD"][row])
    found: date = header.column("DOB")[where].as_py()
    return found


def from_dob(years: int, days: int = 0) -> Edit:
    """Set the date field to the child's birthday `years` on, plus `days` (29 Feb kept valid)."""

    def edit(ctx: EditContext, field: str, row: int) -> int:
        dob = _dob_at(ctx, row)
        birthday = date(dob.year + years, dob.month, min(dob.day, 28 if dob.month == 2 else 31))
        return ctx.put(field, row, birthday + timedelta(days))

    return edit


def copy_of(other: str) -> Edit:
    """Set the field to the value of another field of the same record."""
    return lambda ctx, field, row: ctx.put(field, row, ctx.columns[other][row])


def by_year(choose: Callable[[int], str]) -> Edit:
    """Set a code chosen for the collection year (e.g. the male code, 1 or M)."""
    return lambda ctx, field, row: ctx.put(field, row, choose(ctx.ret.year))


def male_code(year: int) -> str:
    """The male sex code of the year's layout."""
    return "M" if year >= 2025 else "1"
