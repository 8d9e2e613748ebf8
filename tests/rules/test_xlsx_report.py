"""The Excel report: the council's tables as read, failing cells filled and commented."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from carestat.readers import read_return
from carestat.rules import xlsx_report
from carestat.rules.engine import validate
from carestat.rules.report import Issue, Report
from carestat.rules.xlsx_report import FILLS, column_layout, write_xlsx

ERROR_RGB = FILLS["error"].fgColor.rgb
WARNING_RGB = FILLS["warning"].fgColor.rgb


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV table (row 0 = the first record)."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row + 1][rows[0].index(column)] = value
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def reorder_csv(path: Path, first: str, extra: str) -> None:
    """Move `first` to the front and add a non-903 column `extra` at the end."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    i = rows[0].index(first)
    rows = [
        [r[i], *r[:i], *r[i + 1 :], extra if n == 0 else f"note {n}"] for n, r in enumerate(rows)
    ]
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def fill(sheet: Worksheet, ref: str) -> str | None:
    """The solid fill colour of a cell, None when unfilled."""
    cell = sheet[ref]
    return cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None


def test_planted_faults_are_marked_on_their_cells(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_report, "BATCH_ROWS", 7)  # several batches, as on a national return
    header = folder / "header.csv"
    edit_csv(header, 2, "ETHNIC", "WBRX")
    edit_csv(header, 4, "DOB", "31/02/2010")
    edit_csv(header, 17, "DOB", "2010-13-01")
    edit_csv(header, 20, "ETHNIC", "ABCD")
    reorder_csv(header, "ETHNIC", "NOTES")
    ret = read_return([folder])
    report = validate(ret)
    out = tmp_path / "report.xlsx"
    write_xlsx(report, ret, out)
    book = load_workbook(out)
    sheet = book["Header"]
    titles = [c.value for c in sheet[1]]
    assert titles == ["ETHNIC", "CHILD", "SEX", "DOB", "UPN", "MOTHER", "MC_DOB", "NOTES"]
    # Row 2 of the table is spreadsheet row 4 (header on row 1); ETHNIC is now column A.
    assert sheet["A4"].value == "WBRX" and fill(sheet, "A4") == ERROR_RGB
    assert "103 (error)" in sheet["A4"].comment.text and "'WBRX'" in sheet["A4"].comment.text
    # The unreadable date is shown as the council typed it, and marked.
    assert sheet["D6"].value == "31/02/2010" and fill(sheet, "D6") == ERROR_RGB
    assert "102 (error)" in sheet["D6"].comment.text
    assert sheet["D19"].value == "2010-13-01" and "102 (error)" in sheet["D19"].comment.text
    assert sheet["A22"].value == "ABCD" and fill(sheet, "A22") == ERROR_RGB
    assert sheet["H3"].value == "note 2" and sheet["H22"].value == "note 21"  # extras, in place
    assert sheet.max_row == ret.tables["Header"].num_rows + 1
    # Exactly the cells the report names are marked, in every sheet.
    marked = {
        (name, c.coordinate)
        for name in book.sheetnames[1:-1]
        for row in book[name].iter_rows(min_row=2)
        for c in row
        if c.comment is not None
    }
    expected = set()
    for i in report.issues:
        layout = column_layout(ret, i.table)
        columns = [layout.index(f) for f in i.fields if f in layout] or [0]
        expected |= {(i.table, f"{chr(65 + c)}{i.row + 2}") for c in columns}
    assert marked == expected and ("Header", "A4") in marked


def test_dates_are_dates_headers_frozen_and_filtered(folder: Path, tmp_path: Path) -> None:
    ret = read_return([folder])
    out = tmp_path / "clean.xlsx"
    write_xlsx(Report(2025, "E08000035", rows=ret.rows()), ret, out)
    book = load_workbook(out)
    assert book.sheetnames[0] == "Summary" and book.sheetnames[-1] == "Issues"
    assert "DoLo" not in book.sheetnames  # not a 2025 table
    episodes = book["Episodes"]
    assert episodes.freeze_panes == "A2"
    assert episodes.auto_filter.ref == f"A1:M{ret.tables['Episodes'].num_rows + 1}"
    first = ret.tables["Episodes"]["DECOM"][0].as_py()
    assert episodes["B2"].value.date() == first and episodes["B2"].number_format == "DD/MM/YYYY"
    assert 8 <= episodes.column_dimensions["B"].width <= 45
    assert book["Issues"].max_row == 1  # no issues: the header alone


def test_hand_made_report_layout(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_report, "MAX_LINKS", 3)  # the rest are formulas, as past Excel's cap
    ret = read_return([folder])
    child = ret.tables["Episodes"]["CHILD"][1].as_py()
    issues = [
        Issue("501", "error", "Episodes", 1, 3, child, ("DECOM", "DEC"), "starts early"),
        Issue("EPI", "warning", "Episodes", 1, 3, child, ("DEC",), "a warning too"),
        Issue("EPI", "warning", "Header", 0, 2, None, ("CHILD",), "warning only"),
        Issue("452", "error", "Episodes", 2, 4, child, ("PL_LA",), "derived field"),
        Issue("X", "error", "Reviews", None, None, None, (), "about the whole table"),
    ]
    report = Report(year=2025, la="E08000035", issues=issues, rules_run=5, rows=ret.rows())
    out = tmp_path / "made.xlsx"
    write_xlsx(report, ret, out)
    book = load_workbook(out)
    episodes = book["Episodes"]
    # Two issues on DEC (column H) of row 1: one comment listing both, filled as the worst.
    assert episodes["H3"].comment.text == "501 (error): starts early\nEPI (warning): a warning too"
    assert fill(episodes, "H3") == ERROR_RGB and fill(episodes, "B3") == ERROR_RGB
    assert fill(book["Header"], "A2") == WARNING_RGB
    # A field not in the table (derived): the record's first cell carries it.
    assert "452 (error): derived field" in episodes["A4"].comment.text
    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    assert ["X", "error", "Reviews", None, None, "about the whole table"] in summary
    assert ["Council", "E08000035"] == summary[1][:2] and "NOT valid" in summary[3]
    legend = [row for row in book["Summary"].iter_rows() if row[0].value in FILLS]
    assert [fill(book["Summary"], r[0].coordinate) for r in legend] == [ERROR_RGB, WARNING_RGB]
    listed = book["Issues"]
    assert listed.max_row == len(issues) + 1
    assert [c.value for c in listed[2]][:4] == ["501", "error", "Episodes", 1]
    assert listed["I2"].hyperlink.location == "'Episodes'!B3"
    assert listed["I5"].value == '=HYPERLINK("#\'Episodes\'!A4","Episodes!A4")'
    assert listed["I5"].hyperlink is None and listed["I4"].hyperlink.location == "'Header'!A2"
    assert listed["I6"].value is None  # a whole-table issue has no cell to link to


def test_control_characters_do_not_stop_the_workbook(folder: Path, tmp_path: Path) -> None:
    edit_csv(folder / "header.csv", 3, "ETHNIC", "BA\x0bFR")
    ret = read_return([folder])
    report = validate(ret, codes=["103"])
    out = tmp_path / "odd.xlsx"
    write_xlsx(report, ret, out)
    cell = load_workbook(out)["Header"]["D5"]
    assert cell.value == "BA\ufffdFR" and "103 (error)" in cell.comment.text


def test_rows_are_found_by_their_place_in_the_file(folder: Path, tmp_path: Path) -> None:
    ret = read_return([folder])
    episodes = ret.tables["Episodes"]
    # Records keep their place in the file (`_row`), which skips lines the reader dropped.
    spread = pa.array([2 * r for r in episodes["_row"].to_pylist()], pa.int64())
    ret.tables["Episodes"] = episodes.set_column(0, "_row", spread)
    issues = [
        Issue("501", "error", "Episodes", 4, 6, None, ("DEC",), "third record"),
        Issue("502", "error", "Episodes", 999, None, None, ("DEC",), "no such record"),
    ]
    out = tmp_path / "spread.xlsx"
    write_xlsx(Report(2025, "E08000035", issues=issues, rows=ret.rows()), ret, out)
    book = load_workbook(out)
    sheet = book["Episodes"]
    assert sheet["H4"].comment.text == "501 (error): third record"  # position 2: spreadsheet row 4
    commented = [c.coordinate for row in sheet.iter_rows() for c in row if c.comment]
    assert commented == ["H4"]
    assert book["Issues"]["I2"].hyperlink.location == "'Episodes'!H4"
    assert book["Issues"]["I3"].value is None and book["Issues"]["D3"].value == 999
