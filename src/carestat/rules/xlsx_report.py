"""A validation report as an Excel workbook: the council's own tables with failing cells marked.

Sheets: Summary (the return, counts by rule, skipped rules, a legend, issues about whole
tables), one sheet per table as read (original column order, unreadable dates as typed,
failing cells filled and commented), then Issues (every issue, linked to its cell). Written in
openpyxl's write-only mode: rows stream to disk, so a 10k-children return stays quick.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.hyperlink import Hyperlink

from carestat.model import RAW_SUFFIX, ROW, Return
from carestat.readers.csv import normalise_header
from carestat.rules.registry import rules_for, severity
from carestat.rules.report import Issue, Report

FILLS = {
    "error": PatternFill("solid", fgColor="FFC7CE"),  # Excel's own "bad" red
    "warning": PatternFill("solid", fgColor="FFEB9C"),  # and its "neutral" amber
}
BOLD = Font(bold=True)
LINK = Font(color="0563C1", underline="single")
DATE_FORMAT = "DD/MM/YYYY"  # as councils write dates in their returns
EXCEL_EPOCH_OFFSET = 25569  # Excel serial number of 1970-01-01 (1900 date system)
MAX_WIDTH = 45
BATCH_ROWS = 50_000  # rows turned into Python values at once: bounds memory on national returns
WIDTH_SAMPLE = 1000  # rows looked at to size a column: enough to see its usual widths
ISSUE_COLUMNS = ("rule", "severity", "table", "row", "line", "child", "fields", "message", "cell")
AUTHOR = "carestat"
MAX_LINKS = 60_000  # Excel holds at most 65,530 hyperlinks a sheet; formulas link the rest
# Control characters a worksheet cannot hold (openpyxl refuses them); shown as U+FFFD instead.
ILLEGAL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"
ILLEGAL_RE = re.compile(ILLEGAL)
REPLACEMENT = "\ufffd"
Marks = dict[int, dict[int, list[Issue]]]  # row -> column index (0-based) -> issues on that cell


def write_xlsx(report: Report, ret: Return, path: Path) -> None:
    """Write the workbook for `report` on `ret` to `path` (OSError if it cannot be written)."""
    with open(path, "wb") as handle:  # opened first: a file that cannot be written fails early
        _write(report, ret).save(handle)


def _write(report: Report, ret: Return) -> Workbook:
    """The workbook, its sheets streamed to temporary files until it is saved."""
    book = Workbook(write_only=True)
    summary = book.create_sheet("Summary")
    layouts = {name: column_layout(ret, name) for name in tables_read(ret)}
    marks, cells = _marks(ret, report.issues, layouts)
    for name, layout in layouts.items():
        _table_sheet(book.create_sheet(name), ret, name, layout, marks.get(name, {}))
    _summary_sheet(summary, report, ret)
    _issues_sheet(book.create_sheet("Issues"), report.issues, cells)
    return book


def tables_read(ret: Return) -> list[str]:
    """The tables the council sent (a source file, or records), in spec order."""
    return [n for n, t in ret.tables.items() if n in ret.sources or t.num_rows]


def column_layout(ret: Return, name: str) -> list[str]:
    """Column names of a table in the order of its source file; extra columns included."""
    spec_columns = list(ret.spec.table(name).column_names)
    kept = kept_aside(ret, name)
    extras = list(kept.column_names) if kept is not None else []
    known = set(spec_columns) | set(extras)
    order = [h for h in _source_headers(ret.sources.get(name)) if h in known]
    return order + [c for c in spec_columns + extras if c not in order]


def kept_aside(ret: Return, name: str) -> pa.Table | None:
    """A table's columns beyond the spec's: a CSV file's extra columns, an XML Header's UASC flag.

    The flag is shown so that rules 105, 303 and 205C can mark the cell they check.
    """
    extras = ret.extras.get(name)
    if name != "Header" or ret.uasc_flags is None:
        return extras
    if extras is None:
        return pa.table({"UASC": ret.uasc_flags})
    return extras if "UASC" in extras.column_names else extras.append_column("UASC", ret.uasc_flags)


def _source_headers(source: str | None) -> list[str]:
    """The normalised header row of a CSV source (empty for XML or when it cannot be read)."""
    if not source or not source.lower().endswith(".csv"):
        return []
    try:
        with open(source, "rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return []
    first = re.split(rb"\r\n|\n|\r", head, maxsplit=1)[0].decode("utf-8", "replace")
    cells = next(csv.reader([first]), [])
    return [normalise_header(c) or f"column {i + 1}" for i, c in enumerate(cells)]


def _marks(
    ret: Return, issues: list[Issue], layouts: dict[str, list[str]]
) -> tuple[dict[str, Marks], dict[int, tuple[str, int, int]]]:
    """Issues by table, `_row` and cell; and each issue's (sheet, row, column), 1-based."""
    marks: dict[str, Marks] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    cells: dict[int, tuple[str, int, int]] = {}
    by_table: dict[str, list[tuple[int, Issue, int]]] = defaultdict(list)
    for index, issue in enumerate(issues):
        if issue.row is not None and issue.table in layouts:
            by_table[issue.table].append((index, issue, issue.row))
    for table, mine in by_table.items():
        layout = layouts[table]
        at = _positions(ret, table, [row for _, _, row in mine])
        for (index, issue, row), position in zip(mine, at, strict=True):
            if position is None:
                continue  # not a record of this table: listed on the Issues sheet only
            # Fields of other tables (a rule spanning tables) are not in this sheet: mark the row.
            columns = [layout.index(f) for f in issue.fields if f in layout] or [0]
            for column in columns:
                marks[table][row][column].append(issue)
            cells[index] = (table, position + 2, columns[0] + 1)
    return marks, cells


def _positions(ret: Return, table: str, rows: list[int]) -> list[int | None]:
    """Where records (by `_row`, their place in the file) sit in the table as read."""
    found = pc.index_in(
        pa.array(rows, pa.int64()), value_set=ret.tables[table][ROW].combine_chunks()
    )
    return found.to_pylist()


def _batches(
    ret: Return, name: str, layout: list[str]
) -> Iterator[tuple[list[int], list[list[Any]]]]:
    """Each record's `_row`, and the columns in `layout` order as Python values, in batches."""
    table = ret.tables[name]
    extras = kept_aside(ret, name)
    for start in range(0, max(table.num_rows, 1), BATCH_ROWS):
        part = table.slice(start, BATCH_ROWS)
        more = extras.slice(start, BATCH_ROWS) if extras is not None else None
        yield part[ROW].to_pylist(), [_column_values(part, more, c) for c in layout]


def _column_values(table: pa.Table, extras: pa.Table | None, column: str) -> list[Any]:
    """A column as Python values: dates as Excel serial numbers, unreadable ones as typed."""
    if column not in table.column_names:
        assert extras is not None  # the layout names only spec and extra columns
        return _legal(extras.column(column)).to_pylist()
    values = table.column(column)
    if not pa.types.is_date(values.type):
        return _legal(values).to_pylist()
    serials = pc.add(values.cast(pa.int32()), EXCEL_EPOCH_OFFSET).to_pylist()
    raw = table.column(column + RAW_SUFFIX)
    for i in pc.indices_nonzero(pc.is_valid(raw)).to_pylist():
        serials[i] = clean(raw[i].as_py())
    return serials


def _legal(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text a worksheet can hold: control characters replaced (vectorised)."""
    return pc.replace_substring_regex(values.cast(pa.string()), ILLEGAL, REPLACEMENT)


def clean(text: str) -> str:
    """One text a worksheet can hold."""
    return ILLEGAL_RE.sub(REPLACEMENT, text)


def _table_sheet(
    sheet: WriteOnlyWorksheet, ret: Return, name: str, layout: list[str], marks: Marks
) -> None:
    """One table as read: header frozen with a filter, failing cells filled and commented."""
    table = ret.tables[name]
    dates = [i for i, c in enumerate(layout) if pa.types.is_date(_type(table, c))]
    styled = {i: _date_cell(sheet) for i in dates}
    for batch, (rows, columns) in enumerate(_batches(ret, name, layout)):
        if batch == 0:  # widths and the header go before any record
            _set_widths(sheet, layout, columns, table)
            sheet.freeze_panes = "A2"
            sheet.append([_header_cell(sheet, clean(c)) for c in layout])
        for row, values in zip(rows, zip(*columns, strict=True), strict=True):
            cells: list[Any] = list(values)
            for i in dates:
                # Serial numbers in a date-formatted cell: far cheaper than openpyxl's date
                # path. A row is written as it is appended, so one cell per column is reused.
                if type(cells[i]) is int:
                    styled[i].value = cells[i]
                    cells[i] = styled[i]
            for column, found in marks.get(row, {}).items():
                cells[column] = _marked_cell(sheet, cells[column], found)
            sheet.append(cells)
    last = get_column_letter(max(len(layout), 1))
    sheet.auto_filter.ref = f"A1:{last}{table.num_rows + 1}"


def _type(table: pa.Table, column: str) -> pa.DataType:
    return table.schema.field(column).type if column in table.column_names else pa.string()


def _date_cell(sheet: WriteOnlyWorksheet) -> Cell:
    cell = WriteOnlyCell(sheet)
    cell.number_format = DATE_FORMAT
    return cell


def _header_cell(sheet: WriteOnlyWorksheet, value: str) -> Cell:
    cell = WriteOnlyCell(sheet, value)
    cell.font = BOLD
    return cell


def _marked_cell(sheet: WriteOnlyWorksheet, value: Any, issues: list[Issue]) -> Cell:
    """A cell filled by its worst severity, its issues listed in one comment."""
    if isinstance(value, Cell):  # a shared date cell: copy it, never mark the shared one
        cell = WriteOnlyCell(sheet, value.value)
        cell.number_format = value.number_format
    else:
        cell = WriteOnlyCell(sheet, value)
    worst = "error" if any(i.severity == "error" for i in issues) else "warning"
    cell.fill = FILLS[worst]
    cell.comment = _comment(issues)
    return cell


def _comment(issues: list[Issue]) -> Comment:
    text = clean("\n".join(f"{i.rule} ({i.severity}): {i.message}" for i in issues))
    # Size the box to the text: Excel does not grow a comment to fit.
    lines = sum(1 + len(line) // 60 for line in text.splitlines())
    return Comment(text, AUTHOR, height=20 * lines + 20, width=360)


def _set_widths(
    sheet: WriteOnlyWorksheet, layout: list[str], columns: list[list[Any]], table: pa.Table
) -> None:
    """Column widths from the header and the first rows' values (set before any row)."""
    for i, (name, values) in enumerate(zip(layout, columns, strict=True)):
        sample = [v for v in values[:WIDTH_SAMPLE] if isinstance(v, str)]
        longest = max(map(len, sample), default=0)
        if pa.types.is_date(_type(table, name)):
            longest = max(longest, len("00/00/0000"))
        width = min(max(len(name) + 3, longest + 2), MAX_WIDTH)  # +3 leaves room for the filter
        sheet.column_dimensions[get_column_letter(i + 1)].width = width


def _summary_sheet(sheet: WriteOnlyWorksheet, report: Report, ret: Return) -> None:
    """The return, rule counts, skipped rules, a legend and the issues about whole tables."""
    for column, width in zip("ABCDEF", (22, 12, 28, 10, 14, 80), strict=True):
        sheet.column_dimensions[column].width = width
    for row in _summary_rows(sheet, report, ret):
        sheet.append(row)


def _summary_rows(sheet: WriteOnlyWorksheet, report: Report, ret: Return) -> Iterator[list[Any]]:
    errors = sum(i.severity == "error" for i in report.issues)
    yield [_header_cell(sheet, "carestat validation report")]
    yield ["Council", report.la or "(unknown)"]
    yield ["Collection year", report.year, f"{report.year - 1}-{str(report.year)[2:]}"]
    yield ["Result", "valid" if report.valid else "NOT valid"]
    yield ["Issues", len(report.issues), f"{errors} errors, {len(report.issues) - errors} warnings"]
    yield ["Rules run", report.rules_run]
    yield ["Previous year", report.previous or "(none)"]
    yield []
    yield _bold(sheet, ["Legend"])
    yield [_filled(sheet, "error"), "a cell failing an error-severity rule (comment: why)"]
    yield [_filled(sheet, "warning"), "a cell failing only warnings (comment: why)"]
    yield ["", "an issue about a whole record marks the record's first cell"]
    yield []
    yield _bold(sheet, ["Table", "Records", "File"])
    for name, rows in report.rows.items():
        if rows or name in ret.sources:
            yield [name, rows, ret.sources.get(name, "")]
    yield from _rule_rows(sheet, report)
    yield from _section(sheet, ["Rule skipped", "", "Why"],
                        ([s.rule, "", s.reason] for s in report.rules_skipped))  # fmt: skip
    yield from _section(sheet, ["Read note"], ([clean(p)] for p in report.read_problems))
    whole = [i for i in report.issues if i.row is None]
    yield from _section(sheet, ["Issue on a whole table", "Severity", "Table", "", "", "Message"],
                        ([i.rule, i.severity, i.table, "", "", clean(i.message)] for i in whole))  # fmt: skip


def _rule_rows(sheet: WriteOnlyWorksheet, report: Report) -> Iterator[list[Any]]:
    """Every rule run (those with issues first): severity, tables, issues, rows examined."""
    counts = Counter(i.rule for i in report.issues)
    declared = {r.code: r for r in rules_for(report.year)}
    codes = sorted(set(report.rows_examined) | set(counts), key=lambda c: (-counts[c], c))
    rows = (
        [code, severity(code), ", ".join(declared[code].tables) if code in declared else "",
         counts[code], report.rows_examined.get(code, "")]
        for code in codes
    )  # fmt: skip
    yield from _section(sheet, ["Rule", "Severity", "Tables", "Issues", "Rows examined"], rows)


def _section(
    sheet: WriteOnlyWorksheet, header: list[str], rows: Iterable[list[Any]]
) -> Iterator[list[Any]]:
    """A blank line, a bold header and the rows; nothing at all when there are no rows."""
    rows = list(rows)
    if rows:
        yield []
        yield _bold(sheet, header)
        yield from rows


def _bold(sheet: WriteOnlyWorksheet, values: list[str]) -> list[Any]:
    return [_header_cell(sheet, v) for v in values]


def _filled(sheet: WriteOnlyWorksheet, severity: str) -> Cell:
    cell = WriteOnlyCell(sheet, severity)
    cell.fill = FILLS[severity]
    return cell


def _issues_sheet(
    sheet: WriteOnlyWorksheet, issues: list[Issue], cells: dict[int, tuple[str, int, int]]
) -> None:
    """Every issue as a row, its last cell a link to the failing cell."""
    for column, width in zip("ABCDEFGHI", (8, 9, 15, 7, 7, 12, 24, 80, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_bold(sheet, list(ISSUE_COLUMNS)))
    for index, i in enumerate(issues):
        child = clean(i.child) if i.child else None
        row: list[Any] = [i.rule, i.severity, i.table, i.row, i.line, child,
                          " ".join(i.fields), clean(i.message)]  # fmt: skip
        if index in cells:
            row.append(_link(sheet, *cells[index], formula=index >= MAX_LINKS))
        sheet.append(row)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(ISSUE_COLUMNS))}{len(issues) + 1}"


def _link(
    sheet: WriteOnlyWorksheet, table: str, row: int, column: int, formula: bool = False
) -> Cell:
    """A cell linking to another sheet's cell: a hyperlink, or a HYPERLINK formula."""
    target = f"{get_column_letter(column)}{row}"
    location, label = f"'{table}'!{target}", f"{table}!{target}"
    if formula:
        cell = WriteOnlyCell(sheet, f'=HYPERLINK("#{location}","{label}")')
    else:
        cell = WriteOnlyCell(sheet, label)
        cell.hyperlink = Hyperlink(ref="", location=location, display=label)
    cell.font = LINK
    return cell
