"""The vectorised XML reader gives exactly what the streaming reader gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from carestat.readers import xml as xml_reader
from carestat.readers.xml_fast import read_regular
from carestat.spec import load_spec

CHILD_ONE = (
    "<CHILD><HEADER><CHILDID>101</CHILDID><UPN>A123</UPN><SEX>1</SEX><DOB>01/02/2015</DOB>"
    "<ETHNIC>wbri</ETHNIC><UASC>1</UASC><DUC>03/04/2033</DUC><IN_TOUCH/><ACTIV></ACTIV>"
    "<AREVIEW><REVIEW>05/06/2025</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>"
    "<AREVIEW><REVIEW_CODE>PN0</REVIEW_CODE></AREVIEW><AREVIEW/>"
    "<MOTHER>0</MOTHER><MC_DOB/>"
    "<SW_EPISODE><SW_ID>SW1</SW_ID><SW_DECOM>2025-04-01</SW_DECOM></SW_EPISODE></HEADER>"
    "<EPISODE><DECOM>01/04/2025</DECOM><RNE>S</RNE><PL>U1</PL><PL_POST>AB1 2CD</PL_POST>"
    "<DEC>31/02/2026</DEC><URN>a>b</URN></EPISODE><EPISODE/></CHILD>"
)
CHILD_TWO = (
    "<CHILD>\r\n  <HEADER>\r\n    <CHILDID> 102 </CHILDID><SEX>2</SEX><DOB>45123</DOB><UASC>0</UASC>"
    "<DATE_INT>01/01/2025</DATE_INT><IN_TOUCH>YES</IN_TOUCH>\r\n  </HEADER>\r\n"
    "  <EPISODE><DECOM>02/04/2025</DECOM><LS>C2</LS><HOME_POST>X\r\nY</HOME_POST></EPISODE>\r\n</CHILD>"
)
REGULAR = (
    "\ufeff<?xml version='1.0' encoding='utf-8'?>\n<EXPSSDA903>\n"
    + CHILD_ONE
    + "\n"
    + CHILD_TWO
    + "\n</EXPSSDA903>\n"
)
IRREGULAR = {
    "comment": ("<MOTHER>", "<!-- a note --><MOTHER>"),
    "attribute": ("<EXPSSDA903>", '<EXPSSDA903 version="3">'),
    "entity": ("<PL>U1</PL>", "<PL>U&amp;1</PL>"),
    "unknown element": ("<RNE>S</RNE>", "<RNE>S</RNE><EXTRA>1</EXTRA>"),
    "field twice": ("<RNE>S</RNE>", "<RNE>S</RNE><RNE>T</RNE>"),
    "no header": ("<CHILD>\r\n  <HEADER>", "<CHILD><EPISODE/></CHILD><CHILD>\r\n  <HEADER>"),
    "space in tag": ("<EPISODE/>", "<EPISODE />"),
    "latin-1": ("encoding='utf-8'", "encoding='iso-8859-1'"),
    "nested too far": ("<RNE>S</RNE>", "<RNE><X>S</X></RNE>"),
    "processing instruction": ("<EPISODE/>", "<?pi x?><EPISODE/>"),
}


def _both(path: Path, year: int, monkeypatch: pytest.MonkeyPatch):
    fast = xml_reader.read_xml_return(path, year, None)
    with monkeypatch.context() as patch:
        patch.setattr(xml_reader, "FAST_MAX_BYTES", -1)
        streamed = xml_reader.read_xml_return(path, year, None)
    return fast, streamed


@pytest.mark.parametrize("year", [2024, 2026])
def test_regular_document_reads_as_streamed(
    tmp_path: Path, year: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "return.xml"
    path.write_bytes(REGULAR.encode("utf-8"))
    assert read_regular(path.read_bytes(), load_spec(year)) is not None
    fast, streamed = _both(path, year, monkeypatch)
    assert fast.tables["Episodes"].num_rows == 3
    assert fast.tables["Reviews"].num_rows == 3
    assert fast.tables["Header"].column("CHILD").to_pylist() == ["101", "102"]
    for name, table in streamed.tables.items():
        assert fast.tables[name].equals(table), name
    assert fast.problems == streamed.problems
    assert fast.uasc_flags is not None and fast.uasc_flags.to_pylist() == ["1", "0"]
    assert fast.uasc_flags.equals(streamed.uasc_flags)


@pytest.mark.parametrize("case", sorted(IRREGULAR))
def test_irregular_document_is_left_to_the_streaming_reader(
    tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = IRREGULAR[case]
    assert old in REGULAR
    path = tmp_path / "return.xml"
    path.write_bytes(REGULAR.replace(old, new, 1).encode("utf-8"))
    assert read_regular(path.read_bytes(), load_spec(2026)) is None
    fast, streamed = _both(path, 2026, monkeypatch)
    for name, table in streamed.tables.items():
        assert fast.tables[name].equals(table), name
    assert fast.problems == streamed.problems


def test_social_worker_blocks_before_2024_are_left_to_the_streaming_reader() -> None:
    assert read_regular(REGULAR.encode("utf-8"), load_spec(2023)) is None
    assert read_regular(REGULAR.encode("utf-8"), load_spec(2026)) is not None


def test_both_readers_keep_each_childs_uasc_flag_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flags = [
        "<UASC>2</UASC>",
        "<UASC/>",
        "",
        "<UASC> 1 </UASC>",
        "<UASC>0</UASC><DUC>01/06/2025</DUC>",
    ]
    children = "".join(
        f"<CHILD><HEADER><CHILDID>{n}</CHILDID>{flag}</HEADER><EPISODE/></CHILD>"
        for n, flag in enumerate(flags)
    )
    path = tmp_path / "return.xml"
    path.write_text(f"<?xml version='1.0' encoding='utf-8'?><EXPSSDA903>{children}</EXPSSDA903>")
    fast, streamed = _both(path, 2026, monkeypatch)
    for ret in (fast, streamed):
        assert ret.uasc_flags is not None
        assert ret.uasc_flags.to_pylist() == ["2", None, None, "1", "0"]  # trimmed, blank as null
        # the UASC records are as before: a flag other than 0 or blank, or a DUC
        assert ret.tables["UASC"]["CHILD"].to_pylist() == ["0", "3", "4"]
