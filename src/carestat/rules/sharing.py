"""Window functions the rules have in common, computed once per validation (DuckDB).

About a third of the rules number or neighbour a child's episodes the same few ways; at 100k
children each window re-sorts 300k episodes. `share_windows` finds the windows whose values over
the rows a query sees equal their values over the whole input table, and makes the query read
them as columns `w_<hash>` of `<table>__w`, which the engine builds before the rules run.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlglot
from sqlglot import exp

from carestat.rules.compile import shared_name
from carestat.rules.derive import DERIVED

UNSHAREABLE = ("group", "having", "qualify", "order", "limit", "distinct")
# Window functions whose value at a row depends only on it and the rows before it; the
# aggregates only with a frame ending at the current row.
LOOKING_BACK = (exp.RowNumber, exp.Lag)
RUNNING = (exp.Sum, exp.Min, exp.Max, exp.Count)


def share_windows(tree: Any, schema: dict[str, Any], windows: dict[str, dict[str, str]],
                  dialect: str) -> Any:  # fmt: skip
    """The query with the windows it can share read from `<table>__w` (`windows` collects them).

    A SELECT from an input table shares its windows when it sees the table's rows unchanged
    (no filter, grouping or join but one-to-one joins to the table's derived facts), or only
    the rows where some columns are not blank and each window is unchanged by that
    (`_same_over_kept_rows`).
    """
    for select in list(tree.find_all(exp.Select)):
        source = select.args.get("from") or select.args.get("from_")
        if source is None or not isinstance(source.this, exp.Table):
            continue
        table = source.this
        if table.name not in schema or any(select.args.get(part) for part in UNSHAREABLE):
            continue
        alias = table.alias_or_name
        kept = _not_blank_filter(select.args.get("where"), alias)
        if kept is None or not all(
            _one_to_one(join, alias) for join in select.args.get("joins") or []
        ):
            continue
        found = [w for p in select.expressions for w in p.find_all(exp.Window)]
        if not found or any(w.find(exp.Select) for w in found):
            continue
        if all(_reads_only(w, alias) and _same_over_kept_rows(w, kept) for w in found):
            for window in found:
                text = window.transform(_unqualified).sql(dialect=dialect)
                name = "w_" + hashlib.sha256(text.encode()).hexdigest()[:12]
                windows.setdefault(table.name, {})[name] = text
                window.replace(exp.column(name, table=alias, quoted=True))
            table.set("this", exp.to_identifier(shared_name(table.name), quoted=True))
    return tree


def _not_blank_filter(where: Any, alias: str) -> set[str] | None:
    """The columns a WHERE keeps only non-blank values of, if that is all it does (else None)."""
    if where is None:
        return set()
    columns = set()
    for term in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
        term = term.unnest()
        inner = term.this.unnest() if isinstance(term, exp.Not) else None
        if not (isinstance(inner, exp.Is) and isinstance(inner.expression, exp.Null)):
            return None
        column = inner.this
        if not isinstance(column, exp.Column) or column.table != alias:
            return None
        columns.add(column.name)
    return columns


def _one_to_one(join: Any, alias: str) -> bool:
    """Whether a join is a left join of the table's derived facts on `_row` (one row each)."""
    joined, on = join.this, join.args.get("on")
    if not (isinstance(joined, exp.Table) and joined.name.endswith(DERIVED)):
        return False
    if join.side != "LEFT" or not isinstance(on, exp.EQ):
        return False
    sides = {(c.table, c.name) for c in (on.this, on.expression) if isinstance(c, exp.Column)}
    return sides == {(alias, "_row"), (joined.alias_or_name, "_row")}


def _reads_only(window: Any, alias: str) -> bool:
    return all(column.table == alias for column in window.find_all(exp.Column))


def _same_over_kept_rows(window: Any, kept: set[str]) -> bool:
    """Whether the window has the same value at each kept row over the kept rows or all rows.

    It does when every filtered column partitions the rows (a partition is kept whole or not at
    all). It also does when the one other filtered column leads the order with its blanks last:
    a partition's kept rows come first, so a function that looks only back (row number, lag,
    a running total) sees the same rows.
    """
    partitioned = {
        c.name for c in window.args.get("partition_by") or [] if isinstance(c, exp.Column)
    }
    rest = kept - partitioned
    if not rest:
        return True
    order = window.args.get("order")
    keys = order.expressions if order else []
    if len(rest) != 1 or not keys:
        return False
    first = keys[0]
    if not isinstance(first.this, exp.Column) or first.this.name not in rest:
        return False
    if first.args.get("nulls_first"):
        return False
    if isinstance(window.this, LOOKING_BACK):
        return True
    spec = window.args.get("spec")
    ends_here = spec is None or spec.args.get("end") == "CURRENT ROW"
    return isinstance(window.this, RUNNING) and ends_here


def _unqualified(node: Any) -> Any:
    """A column without its table alias (shared columns are computed on the table itself)."""
    if isinstance(node, exp.Column):
        return exp.column(node.name, quoted=True)
    return node


def window_specs(windows: dict[str, dict[str, str]], dialect: str) -> dict[str, dict[str, Any]]:
    """The specs `window_columns` computes the shared windows from, by table then column."""
    specs = {
        table: {name: window_spec(sql, dialect) for name, sql in columns.items()}
        for table, columns in windows.items()
    }
    return {table: {n: s for n, s in found.items() if s} for table, found in specs.items()}


def window_spec(sql: str, dialect: str = "duckdb") -> dict[str, Any] | None:
    """A shared window as `window_columns` computes it, or None if it cannot.

    It can compute a row number, a lag or a lead without a default, in an order that ends with
    `_row` (so no two rows tie), and a count over a whole partition.
    """
    window = sqlglot.parse_one(sql, read=dialect)
    if not isinstance(window, exp.Window):
        return None
    partition = [_column_name(c) for c in window.args.get("partition_by") or []]
    order = window.args.get("order")
    found = [_order_key(o) for o in order.expressions] if order else []
    keys = [key for key in found if key is not None]
    if None in partition or len(keys) < len(found):
        return None
    spec: dict[str, Any] = {"partition": partition, "order": keys}
    function = window.this
    if isinstance(function, exp.RowNumber):
        spec["function"] = "row_number"
    elif isinstance(function, exp.Lag | exp.Lead) and not function.args.get("default"):
        offset = function.args.get("offset") or exp.Literal.number(1)
        if not (isinstance(offset, exp.Literal) and offset.name.isdigit()):
            return None
        spec |= {"function": "lag" if isinstance(function, exp.Lag) else "lead",
                 "column": _column_name(function.this), "offset": int(offset.name)}  # fmt: skip
    elif isinstance(function, exp.Count) and _whole_partition(window):
        spec |= {"function": "count", "column": _column_name(function.this), "order": []}
    else:
        return None
    if spec.get("column", "") is None:
        return None
    if spec["function"] != "count" and (not keys or keys[-1]["columns"] != ["_row"]):
        return None  # rows that tie could come in either order
    return spec


def _column_name(node: Any) -> str | None:
    return node.name if isinstance(node, exp.Column) else None


def _order_key(ordered: Any) -> dict[str, Any] | None:
    """An order key `window_columns` can sort by: columns, else a date (blanks last only)."""
    if ordered.args.get("nulls_first"):
        return None
    value, columns, default = ordered.this, [], None
    parts = [value.this, *value.expressions] if isinstance(value, exp.Coalesce) else [value]
    for part in parts:
        if isinstance(part, exp.Column) and default is None:
            columns.append(part.name)
        elif isinstance(part, exp.DateFromParts) and columns and default is None:
            numbers = [part.args.get(k) for k in ("year", "month", "day")]
            texts = [n.name for n in numbers if isinstance(n, exp.Literal)]
            if len(texts) != 3 or not all(text.isdigit() for text in texts):
                return None
            year, month, day = map(int, texts)
            default = f"{year:04d}-{month:02d}-{day:02d}"
        else:
            return None
    return {"columns": columns, "default": default, "descending": bool(ordered.args.get("desc"))}


def _whole_partition(window: Any) -> bool:
    """Whether an aggregate window sees its whole partition (no order, or an unbounded frame)."""
    spec = window.args.get("spec")
    if spec is None:
        return window.args.get("order") is None
    return spec.args.get("start") == "UNBOUNDED" and spec.args.get("end") == "UNBOUNDED"
