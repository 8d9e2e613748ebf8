"""An Excel workbook following the government analysis-function spreadsheet guidance (openpyxl).

Cover sheet first, then notes (symbols), a contents table, then one table per measure, each on its
own sheet starting in A1 with a title row, no merged cells and no blank rows or columns in the table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.table import Table, TableStyleInfo

from carestat.privacy import SYMBOLS

TITLE = "Children looked after in England: figures computed by carestat from SSDA903 records"


def write_workbook(tidy: pd.DataFrame, summary: dict[str, float | int], path: Path) -> None:
    """Write the tidy figures as a guidance-following workbook."""
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    _lines(cover, [TITLE, "Source: SSDA903 returns held in the carestat store.",
                   "National and regional counts are rounded to the nearest 10; council counts of 1 to 5 "
                   "and the cells that would reveal them are shown as c.",
                   f"Share of council count cells suppressed: {summary['share_suppressed']:.1%}"])  # fmt: skip
    notes = book.create_sheet("Notes")
    _lines(notes, ["Notes and symbols used in this workbook"])
    notes.append(["Symbol", "Meaning"])
    for symbol, meaning in SYMBOLS.items():
        notes.append([symbol, meaning])
    contents = book.create_sheet("Contents")
    _lines(contents, ["Table of contents"])
    contents.append(["Sheet", "Measure"])
    for number, (measure, rows) in enumerate(tidy.groupby("measure", sort=True), start=1):
        name = f"Table_{number}"
        contents.append([name, measure])
        _table(book.create_sheet(name), name, measure, rows)
    book.save(path)


def _lines(sheet: object, lines: list[str]) -> None:
    """Write text lines down column A, the first as a bold title."""
    for i, text in enumerate(lines):
        sheet.append([text])  # type: ignore[attr-defined]
        if i == 0:
            sheet.cell(row=1, column=1).font = Font(bold=True, size=14)  # type: ignore[attr-defined]


def _table(sheet: object, name: str, measure: str, rows: pd.DataFrame) -> None:
    """One measure as a titled, marked-up Excel table."""
    _lines(sheet, [f"{name}: {measure}"])
    columns = [c for c in rows.columns if c != "measure"]
    sheet.append(columns)  # type: ignore[attr-defined]
    for values in rows[columns].itertuples(index=False):
        sheet.append([None if pd.isna(v) else v for v in values])  # type: ignore[attr-defined]
    last = sheet.cell(row=len(rows) + 2, column=len(columns)).coordinate  # type: ignore[attr-defined]
    table = Table(displayName=name, ref=f"A2:{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    sheet.add_table(table)  # type: ignore[attr-defined]
