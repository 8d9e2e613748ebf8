"""Tolerated inputs: read correctly, with the right source lines and read notes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carestat.readers import read_return

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "1,01/05/2025,S,C2,N1,U1,PR1,,,,,,\n"
)
HEAD = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"

# (id, header.csv bytes, expected CHILD values, DOB values, lines, a note that must appear or "")
CASES = [
    ("BOM", ("\ufeff" + HEAD + "\n1,M,01/01/2015,WBRI,A1,,\n").encode(), ["1"], [date(2015, 1, 1)], [2], ""),
    ("header case and spaces", (b" child , Sex,DOB,ethnic,UPN,MOTHER,MC_DOB\n1,M,01/01/2015,WBRI,A1,,\n"),
     ["1"], [date(2015, 1, 1)], [2], ""),
    ("trailing spaces and 1234.0 ids", (HEAD + "\n1234.0 ,M ,01/01/2015 ,WBRI ,A1,,\n").encode(),
     ["1234"], [date(2015, 1, 1)], [2], ""),
    ("blank and comma-only rows", (HEAD + "\n1,M,01/01/2015,WBRI,A1,,\n,,,,,,\n\n2,F,02/02/2016,WBRI,A2,,\n,,,,,,\n").encode(),
     ["1", "2"], [date(2015, 1, 1), date(2016, 2, 2)], [2, 5], ""),
    ("Excel serial and ISO dates", (HEAD + "\n1,M,42005,WBRI,A1,,\n2,F,2016-02-02,WBRI,A2,,\n").encode(),
     ["1", "2"], [date(2015, 1, 1), date(2016, 2, 2)], [2, 3], "Excel serial numbers were read as dates"),
    ("extra columns", (HEAD + ",NOTES\n1,M,01/01/2015,WBRI,A1,,,hello\n").encode(), ["1"], [date(2015, 1, 1)], [2],
     "extra columns kept aside: NOTES"),
    ("CRLF line endings", (HEAD + "\r\n1,M,01/01/2015,WBRI,A1,,\r\n2,F,02/02/2016,WBRI,A2,,\r\n").encode(),
     ["1", "2"], [date(2015, 1, 1), date(2016, 2, 2)], [2, 3], ""),
    ("Windows-1252", (HEAD + "\n1,M,01/01/2015,WBRI,A\xe91,,\n").encode("cp1252"), ["1"], [date(2015, 1, 1)], [2],
     "read as Windows-1252"),
    ("quoted field with comma", (HEAD + '\n1,M,01/01/2015,WBRI,"A,1",,\n').encode(), ["1"], [date(2015, 1, 1)], [2], ""),
]  # fmt: skip


@pytest.mark.parametrize(("header", "children", "dobs", "lines", "note"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_tolerated(tmp_path: Path, header: bytes, children: list[str], dobs: list[date],
                   lines: list[int], note: str) -> None:  # fmt: skip
    (tmp_path / "header.csv").write_bytes(header)
    (tmp_path / "episodes.csv").write_text(EPISODES)
    ret = read_return([tmp_path], year=2026, la="E08000035")
    table = ret.tables["Header"]
    assert table.column("CHILD").to_pylist() == children
    assert table.column("DOB").to_pylist() == dobs
    assert table.column("_line").to_pylist() == lines
    # A comma-only row keeps its place in the row numbers (an empty line does not, as in pandas).
    rows = (
        [0, 2] if "comma-only" in str(header) or b",,,,,," in header else list(range(len(children)))
    )
    assert table.column("_row").to_pylist() == rows
    notes = " | ".join(str(p) for p in ret.problems)
    assert note in notes
    if not note:
        assert "header.csv" not in notes
