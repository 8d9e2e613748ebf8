"""Rules 105, 303 and 205C check the UASC flag a DfE XML return gives each child."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from carestat.model import empty_return
from carestat.readers import read_return
from carestat.rules.derive import header_flags
from carestat.rules.engine import validate
from carestat.writers.csv import write_csv_return

# Child 10: flag 2; 11: blank flag; 12: flag 0 with a DUC; 13: flag 1 with a DUC; 14: flag 01.
CHILDREN = {
    "10": "<UASC>2</UASC>",
    "11": "<UASC/>",
    "12": "<UASC>0</UASC><DUC>01/06/2025</DUC>",
    "13": "<UASC>1</UASC><DUC>01/06/2025</DUC>",
    "14": "<UASC>01</UASC>",
}
HEADER = "<SEX>1</SEX><DOB>01/02/2015</DOB><ETHNIC>WBRI</ETHNIC>"
EPISODE = (
    "<EPISODE><DECOM>01/05/2025</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL></EPISODE>"
)


def _xml_return(folder: Path) -> Path:
    children = "".join(
        f"<CHILD><HEADER><CHILDID>{child}</CHILDID>{HEADER}{flag}</HEADER>{EPISODE}</CHILD>"
        for child, flag in CHILDREN.items()
    )
    folder.mkdir(parents=True)
    path = folder / "return.xml"
    path.write_text(f"<?xml version='1.0' encoding='utf-8'?><EXPSSDA903>{children}</EXPSSDA903>")
    return path


def _flagged(report, rule: str) -> list[tuple[str, str | None]]:
    return sorted((i.table, i.child) for i in report.issues if i.rule == rule)


@pytest.fixture()
def xml_return(tmp_path: Path) -> Path:
    return _xml_return(tmp_path / "E09000007" / "2026")


def test_the_flag_of_an_xml_return_is_checked(xml_return: Path) -> None:
    report = validate(read_return([xml_return], year=2026), codes=["105", "303"])
    assert _flagged(report, "105") == [("Header", "10"), ("Header", "11")]
    assert _flagged(report, "303") == [("Header", "12"), ("UASC", "12")]
    messages = {i.child: i.message for i in report.issues if i.rule == "105"}
    assert messages == {
        "10": "UASC flag '2' is not 0 or 1",
        "11": "UASC flag (blank) is not 0 or 1",
    }


def test_the_same_tables_from_csv_files_have_no_flag_to_check(
    xml_return: Path, tmp_path: Path
) -> None:
    ret = read_return([xml_return], year=2026)
    folder = tmp_path / "csv" / "E09000007" / "2026"
    write_csv_return(ret, folder)
    from_csv = read_return([folder], year=2026)
    assert from_csv.uasc_flags is None
    assert header_flags(from_csv).num_rows == 0
    assert validate(from_csv, codes=["105", "303"]).issues == []


def test_205c_reads_last_years_status_from_its_flags_or_its_uasc_records(
    xml_return: Path, tmp_path: Path
) -> None:
    ret = read_return([xml_return], year=2026)
    last = read_return([xml_return], year=2025)  # the same children, read as last year's
    # Last year from XML: child 12's flag was 0, child 13's 1; only 12 was not UASC.
    report = validate(ret, previous=last, codes=["205C"])
    assert _flagged(report, "205C") == [("Header", "12"), ("UASC", "12")]
    # Last year from CSV files: UASC status is a UASC record, which child 12 has (its DUC).
    last.uasc_flags = None
    assert validate(ret, previous=last, codes=["205C"]).issues == []


def test_flags_that_do_not_match_the_header_are_refused() -> None:
    ret = empty_return(2026)
    ret.uasc_flags = pa.array(["1"], pa.string())
    with pytest.raises(ValueError, match="1 UASC flags for 0 Header records"):
        header_flags(ret)


def test_the_workbook_shows_the_flag_and_marks_it(xml_return: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from carestat.rules.xlsx_report import write_xlsx

    ret = read_return([xml_return], year=2026)
    report = validate(ret, codes=["105"])
    write_xlsx(report, ret, tmp_path / "report.xlsx")
    header = load_workbook(tmp_path / "report.xlsx")["Header"]
    names = [cell.value for cell in header[1]]
    column = names.index("UASC") + 1
    flags = [header.cell(row, column).value for row in range(2, 7)]
    assert flags == ["2", None, "0", "1", "01"]
    commented = [row for row in range(2, 7) if header.cell(row, column).comment is not None]
    assert commented == [2, 3]  # children 10 and 11, the rows 105 flags
    assert "105 (error)" in header.cell(2, column).comment.text
