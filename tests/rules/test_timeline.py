"""One child's timeline: records in date order, issues under the records they point at."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from carestat.readers import read_return
from carestat.rules.render import render_timeline
from carestat.rules.report import Issue, Report
from carestat.rules.timeline import SECTIONS, child_timeline, has_child


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def busiest_child(folder: Path) -> str:
    """The child with the most episodes."""
    return Counter(r[0] for r in read_rows(folder / "episodes.csv")[1:]).most_common(1)[0][0]


def test_episodes_in_date_order_whatever_the_file_order(folder: Path) -> None:
    child = busiest_child(folder)
    path = folder / "episodes.csv"
    rows = read_rows(path)
    mine = [i for i, r in enumerate(rows) if i and r[0] == child]
    reordered = list(rows)
    for i, j in zip(mine, reversed(mine), strict=True):
        reordered[i] = rows[j]
    write_rows(path, reordered)
    ret = read_return([folder])
    timeline = child_timeline(ret, Report(2025, "E08000035"), child)
    episodes = timeline.records["Episodes"]
    starts = [r.values["DECOM"] for r in episodes]
    assert len(starts) == len(mine) >= 2 and starts == sorted(starts)
    assert [r.row for r in episodes] == sorted((r.row for r in episodes), reverse=True)
    assert [r.line for r in episodes] == [r.row + 2 for r in episodes]
    assert timeline.records["Header"][0].values["SEX"] in {"M", "F"}
    assert "CHILD" not in episodes[0].values


def test_issues_sit_under_their_records(folder: Path) -> None:
    ret = read_return([folder])
    child = busiest_child(folder)
    children = ret.tables["Episodes"]["CHILD"].to_pylist()
    mine, other = children.index(child), next(i for i, c in enumerate(children) if c != child)
    header_row = ret.tables["Header"]["CHILD"].to_pylist().index(child)
    issues = [
        Issue("501", "error", "Episodes", mine, mine + 2, child, ("DECOM",), "on my episode"),
        Issue("103", "error", "Episodes", other, other + 2, children[other], (), "not mine"),
        Issue("EPI", "warning", "Header", header_row, None, None, ("CHILD",), "no child given"),
        Issue("X1", "error", "Episodes", None, None, child, (), "on the child, no record"),
    ]
    timeline = child_timeline(ret, Report(2025, "E08000035", issues=issues), child)
    episode = next(r for r in timeline.records["Episodes"] if r.row == mine)
    assert [i.message for i in episode.issues] == ["on my episode"]
    assert [i.rule for i in timeline.records["Header"][0].issues] == ["EPI"]
    assert [i.rule for i in timeline.other_issues] == ["X1"]
    assert {i.rule for i in timeline.issues()} == {"501", "EPI", "X1"} and not timeline.valid
    text = render_timeline(timeline).splitlines()
    at = next(n for n, line in enumerate(text) if f"[line {mine + 2}]" in line)
    assert text[at + 1].strip() == "! 501 (error) DECOM: on my episode"
    assert "not mine" not in "\n".join(text)
    assert text[-1] == "2 errors, 1 warnings on this child"
    assert any(line.startswith("Adoption decisions (AD1)") for line in text)


def test_json_shape_is_stable(folder: Path) -> None:
    child = busiest_child(folder)
    rows = read_rows(folder / "header.csv")
    at = next(i for i, r in enumerate(rows) if i and r[0] == child)
    rows[at][rows[0].index("DOB")] = "31/02/2010"
    write_rows(folder / "header.csv", rows)
    ret = read_return([folder])
    data = child_timeline(ret, Report(2025, "E08000035"), child).to_dict()
    assert list(data) == ["child", "year", "la", "valid", "summary", "facts", "tables", "issues"]
    assert list(data["facts"]) == ["sex", "dob", "ethnicity", "uasc", "uasc_ceased"]
    assert data["facts"]["dob"] == "31/02/2010" and data["facts"]["uasc"] is bool(
        data["tables"]["UASC"]
    )
    assert (data["child"], data["year"], data["la"], data["valid"]) == (
        child, 2025, "E08000035", True,
    )  # fmt: skip
    assert list(data["tables"]) == [name for name, _, _ in SECTIONS if name in ret.tables]
    header = data["tables"]["Header"][0]
    assert list(header) == ["row", "line", "values", "unreadable", "issues"]
    assert header["values"]["DOB"] == "31/02/2010" and header["unreadable"] == ["DOB"]
    episode = data["tables"]["Episodes"][0]
    assert episode["values"]["DECOM"][4] == "-"  # dates as ISO text
    assert data["summary"] == {"errors": 0, "warnings": 0} and data["issues"] == []


def test_has_child(folder: Path) -> None:
    ret = read_return([folder])
    assert has_child(ret, busiest_child(folder))
    assert not has_child(ret, "no-such-child")
