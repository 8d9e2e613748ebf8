"""Unusable inputs: each gives its exact short error and exit code 2 from `carestat validate`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from carestat.cli.main import app

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,M,01/01/2015,WBRI,A123,,\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "1,01/05/2025,S,C2,N1,U1,PR1,,,,,,\n"
)
HEADER_COLUMNS = "CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB"
EPISODE_COLUMNS = (
    "CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE, "
    "HOME_POST, PL_POST, URN"
)
XML_CHILD = (
    "<CHILD><HEADER><CHILDID>1</CHILDID><SEX>M</SEX><DOB>01/01/2015</DOB></HEADER>"
    "<EPISODE><DECOM>01/05/2025</DECOM></EPISODE></CHILD>"
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE EXPSSDA903 [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    "<EXPSSDA903><CHILD><HEADER><CHILDID>&c;</CHILDID></HEADER></CHILD></EXPSSDA903>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE EXPSSDA903 [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<EXPSSDA903><CHILD><HEADER><CHILDID>&x;</CHILDID></HEADER></CHILD></EXPSSDA903>"
)
DTD_ONLY = (
    '<!-- a comment --><!DOCTYPE EXPSSDA903 SYSTEM "http://example.org/903.dtd"><EXPSSDA903/>'
)
DEEP = "<EXPSSDA903>" + "<A>" * 300 + "</A>" * 300 + "</EXPSSDA903>"
DTD_MESSAGE = (
    "has a document type declaration (<!DOCTYPE ...>); 903 XML files have none, "
    "and carestat refuses them because they can define entities"
)

# (id, {file name: content}, extra arguments, expected message with {d} = the return folder)
CASES: list[tuple[str, dict[str, str | bytes], list[str], str]] = [
    ("no Header table", {"episodes.csv": EPISODES}, [],
     f"{{d}}: the return has no Header table (a file with columns {HEADER_COLUMNS}); it is required"),
    ("no Episodes table", {"header.csv": HEADER}, [],
     f"{{d}}: the return has no Episodes table (a file with columns {EPISODE_COLUMNS}); it is required"),
    ("headers only for a required table", {"header.csv": HEADER, "episodes.csv": EPISODES.split("\n")[0] + "\n"}, [],
     f"{{d}}: the return has no Episodes table (a file with columns {EPISODE_COLUMNS}); it is required"),
    ("wrong encoding", {"header.csv": HEADER.encode() + b"2,F,\x81\x8d,WBRI,A1,,\n", "episodes.csv": EPISODES}, [],
     "{d}/header.csv: line 3 is not UTF-8 text (byte 0x81); save the file as CSV UTF-8"),
    ("binary file", {"header.csv": b"\x00\x01\x02binary", "episodes.csv": EPISODES}, [],
     "{d}/header.csv: the file holds binary data (NUL bytes), not CSV text"),
    ("Excel workbook renamed .csv", {"header.csv": b"PK\x03\x04rest-of-zip", "episodes.csv": EPISODES}, [],
     "{d}/header.csv: the file is an Excel workbook or zip archive, not CSV text (save it as CSV UTF-8)"),
    ("old Excel renamed .csv", {"header.csv": b"\xd0\xcf\x11\xe0rest", "episodes.csv": EPISODES}, [],
     "{d}/header.csv: the file is an old Excel (.xls) workbook, not CSV text (save it as CSV UTF-8)"),
    ("PDF renamed .csv", {"header.csv": b"%PDF-1.4 ...", "episodes.csv": EPISODES}, [],
     "{d}/header.csv: the file is a PDF document, not CSV text"),
    ("empty file", {"header.csv": "", "episodes.csv": EPISODES}, [],
     "{d}/header.csv: the file is empty"),
    ("unknown columns", {"header.csv": HEADER, "episodes.csv": EPISODES, "other.csv": "FOO,BAR\n1,2\n"}, [],
     "{d}/other.csv: its columns (FOO, BAR) match no 903 table of 2026"),
    ("a table missing a column", {"header.csv": HEADER.replace("ETHNIC,", "").replace("WBRI,", ""), "episodes.csv": EPISODES}, [],
     "{d}/header.csv: looks like the Header table but has no column ETHNIC"),
    ("duplicate column", {"header.csv": "CHILD,CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n", "episodes.csv": EPISODES}, [],
     "{d}/header.csv: the column CHILD appears more than once"),
    ("two files for one table", {"header.csv": HEADER, "header_copy.csv": HEADER, "episodes.csv": EPISODES}, [],
     "{d}/header_copy.csv: holds the Header table, as {d}/header.csv does; give each table once"),
    ("ragged rows", {"header.csv": HEADER + "2,F,01/01/2016,WBRI,A1,,,EXTRA,MORE\n", "episodes.csv": EPISODES}, [],
     "{d}/header.csv: is not a well-formed CSV table (CSV parse error: Row #3: Expected 7 columns, got 9: 2,F,01/01/2016,WBRI,A1,,,EXTRA,MORE)"),
    ("unterminated quote", {"header.csv": HEADER + '2,"F,01/01/2016,WBRI,A1,,\n', "episodes.csv": EPISODES}, [],
     "{d}/header.csv: is not a well-formed CSV table (CSV parse error: Row #3: Expected 7 columns, got 2: 2,\"F,01/01/2016,WBRI,A1,,)"),
    ("malformed XML", {"return.xml": "<EXPSSDA903><CHILD></EXPSSDA903>"}, [],
     "{d}/return.xml: is not well-formed XML (line 1: Opening and ending tag mismatch: CHILD line 1 and EXPSSDA903)"),
    ("billion laughs", {"return.xml": LAUGHS}, [], "{d}/return.xml: " + DTD_MESSAGE),
    ("external entity", {"return.xml": EXTERNAL}, [], "{d}/return.xml: " + DTD_MESSAGE),
    ("external DTD after a comment", {"return.xml": DTD_ONLY}, [], "{d}/return.xml: " + DTD_MESSAGE),
    ("undeclared entity", {"return.xml": "<EXPSSDA903><CHILD>&x;</CHILD></EXPSSDA903>"}, [],
     "{d}/return.xml: line 1: refused entity reference (Entity 'x' not defined)"),
    ("nesting too deep", {"return.xml": DEEP}, [],
     "{d}/return.xml: elements are nested too deeply (line 1); not a 903 return"),
    ("wrong root element", {"return.xml": f"<CINCENSUS>{XML_CHILD}</CINCENSUS>"}, [],
     "{d}/return.xml: the root element is <CINCENSUS>, not <EXPSSDA903> (a 903 return)"),
    ("not XML at all", {"return.xml": "CHILD,SEX\n1,M\n"}, [],
     "{d}/return.xml: is not XML (it does not start with '<')"),
    ("empty XML file", {"return.xml": ""}, [], "{d}/return.xml: the file is empty"),
    ("Excel workbook renamed .xml", {"return.xml": b"PK\x03\x04zip"}, [],
     "{d}/return.xml: the file is an Excel workbook or zip archive, not XML"),
    ("XML with no children", {"return.xml": "<EXPSSDA903></EXPSSDA903>"}, [],
     "{d}/return.xml: holds no CHILD elements, so the return has no Header"),
    ("XML with no episodes", {"return.xml": f"<EXPSSDA903>{XML_CHILD.split('<EPISODE>')[0]}</CHILD></EXPSSDA903>"}, [],
     "{d}/return.xml: holds no EPISODE elements, so the return has no Episodes"),
    ("XML and CSV mixed", {"header.csv": HEADER, "return.xml": f"<EXPSSDA903>{XML_CHILD}</EXPSSDA903>"}, [],
     "{d}: give either CSV tables or one XML file, not both (header.csv, return.xml)"),
    ("two XML files", {"a.xml": "<EXPSSDA903/>", "b.xml": "<EXPSSDA903/>"}, [],
     "{d}: give one XML file per return, not 2"),
    ("empty folder", {}, [], "{d}: the folder holds no CSV or XML files"),
    ("unknown year", {"header.csv": HEADER, "episodes.csv": EPISODES}, ["--year", "2031"],
     "{d}: collection year 2031 is not supported (supported: 2023-2027, and earlier in the 2023 layout)"),
    ("bad --la", {"header.csv": HEADER, "episodes.csv": EPISODES}, ["--la", "Leeds"],
     "--la Leeds: not a council GSS code such as E08000035"),
]  # fmt: skip


def run(args: list[str]) -> tuple[int, str]:
    """Exit code and standard error of `carestat validate ARGS`."""
    result = CliRunner().invoke(app, ["validate", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("files", "extra", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(
    tmp_path: Path, files: dict[str, str | bytes], extra: list[str], expected: str
) -> None:
    folder = tmp_path / "E08000035" / "2026"
    folder.mkdir(parents=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    code, stderr = run([str(folder), *extra])
    assert code == 2
    assert "Traceback" not in stderr
    assert stderr.strip() == "error: " + expected.format(d=folder)


def test_missing_path(tmp_path: Path) -> None:
    code, stderr = run([str(tmp_path / "nowhere")])
    assert (code, stderr.strip()) == (2, f"error: {tmp_path / 'nowhere'}: no such file or folder")


def test_year_not_derivable(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text(HEADER)
    (tmp_path / "episodes.csv").write_text(EPISODES)
    code, stderr = run([str(tmp_path)])
    expected = (
        f"error: {tmp_path}: cannot tell the collection year; pass --year (2026 = 2025-26) "
        "or keep the return in a folder named <GSS code>/<YYYY>"
    )
    assert (code, stderr.strip()) == (2, expected)


def test_at_least_25_kinds() -> None:
    assert len(CASES) + 2 >= 25
