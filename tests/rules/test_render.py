"""Text views of a report: the terminal table, CSV, JSON, and a child's timeline lines."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from carestat.rules.render import EXAMPLES_PER_RULE, render, render_timeline, styled_timeline
from carestat.rules.report import Issue, Report, SkippedRule
from carestat.rules.timeline import Record, Timeline


def _report(repeats: int) -> Report:
    issues = [
        Issue("501", "error", "Episodes", n, n + 2, f"C{n}", ("DECOM",), f"problem {n}")
        for n in range(repeats)
    ]
    issues.append(Issue("EPI", "warning", "Header", 0, None, "C0", ("CHILD",), "no episodes"))
    return Report(
        year=2026, la="E08000035", issues=issues, rules_run=7,
        rules_skipped=[SkippedRule("221", "needs the Ofsted provider lists (--providers)")],
        rows={"Header": 5, "Episodes": 9, "Reviews": 0},
    )  # fmt: skip


def test_table_view_groups_by_rule_with_a_few_examples() -> None:
    report = _report(EXAMPLES_PER_RULE + 2)
    text = render(report, "table").splitlines()
    assert text[0] == "Return E08000035 2026: 5 Header, 9 Episodes"
    assert f"501 (error) x{EXAMPLES_PER_RULE + 2}" in text
    assert "    Episodes line 2, child C0: problem 0" in text
    assert "    ... and 2 more" in text and "problem 4" not in "\n".join(text)
    assert "    Header row 0, child C0: no episodes" in text  # no line (XML): the row
    assert "skipped 221: needs the Ofsted provider lists (--providers)" in text
    assert (
        text[-1] == f"7 rules run, 1 skipped; {EXAMPLES_PER_RULE + 2} errors, 1 warnings; NOT valid"
    )


def test_csv_and_json_carry_every_issue() -> None:
    report = _report(3)
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert rows[0] == ["rule", "severity", "table", "row", "line", "child", "fields", "message"]
    assert rows[1:] == [
        [i.rule, i.severity, i.table, str(i.row), "" if i.line is None else str(i.line),
         i.child, " ".join(i.fields), i.message]
        for i in report.issues
    ]  # fmt: skip
    data = json.loads(render(report, "json"))
    assert data == report.to_dict() and data["summary"]["issues_by_rule"] == {"501": 3, "EPI": 1}


def test_timeline_lines_show_dates_as_councils_write_them() -> None:
    open_episode = Record(
        "Episodes", 1, None,
        {"DECOM": dt.date(2025, 4, 1), "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U1",
         "PLACE_PROVIDER": "PR1", "DEC": None, "REC": None, "REASON_PLACE_CHANGE": None},
    )  # fmt: skip
    header = Record("Header", 0, None, {"SEX": "F", "DOB": "31/02/2010", "ETHNIC": "WBRI"})
    uasc = Record("UASC", 0, None, {"DUC": dt.date(2027, 1, 2)})
    review = Record(
        "Reviews", 3, None, {"DOB": None, "REVIEW": dt.date(2025, 5, 6), "REVIEW_CODE": "PN1"}
    )
    timeline = Timeline(
        "C1", 2026, None,
        {"Header": [header], "UASC": [uasc], "Episodes": [open_episode], "Reviews": [review],
         "Missing": []},
        [],
    )  # fmt: skip
    text = render_timeline(timeline).splitlines()
    assert text[0] == "Child C1: (council unknown) 2026 return (2025-26)"
    assert (
        text[1] == "  sex F, born 31/02/2010, ethnicity WBRI, UASC yes, ceased 02/01/2027  [row 0]"
    )
    assert (
        "  01/04/2025 (reason S) to open: legal status C2, CIN N1, placement U1 provider PR1  [row 1]"
        in text
    )
    assert "  REVIEW 06/05/2025, REVIEW_CODE PN1  [row 3]" in text
    assert "Missing or away from placement: none" in text
    assert text[-1] == "0 errors, 0 warnings on this child"
    uasc.values["DUC"] = None  # in the UASC table, no date ceased
    assert "UASC yes  [row 0]" in render_timeline(timeline)


def test_timeline_styles_for_a_terminal() -> None:
    text = "Child C1: x\nEpisodes (1)\n  01/04/2025 ...\n    ! 501 (error) DECOM: a\n    ! EPI (warning) CHILD: b"
    styled = styled_timeline(text)
    assert styled.plain == text
    spans = {text[s.start : s.end].strip(): str(s.style) for s in styled.spans}
    assert spans["Episodes (1)"] == "bold" and spans["! 501 (error) DECOM: a"] == "red"
    assert spans["! EPI (warning) CHILD: b"] == "yellow" and "01/04/2025 ..." not in spans
