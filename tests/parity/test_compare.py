"""Per-rule agreement between carestat's flags and the reference's, on tiny hand-made cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carestat.parity import compare_triples, load_reference_json
from carestat.parity.compare import triples_from_report


def test_identical_flags_agree_fully() -> None:
    flags = [("103", "Header", 0), ("141", "Episodes", 2)]
    agreement = compare_triples(flags, list(reversed(flags)))
    assert agreement.share == 1.0
    assert agreement.disagreeing() == []
    assert [(r.rule, r.both) for r in agreement.rules] == [("103", 1), ("141", 1)]


def test_each_side_counted_per_rule() -> None:
    ours = [("103", "Header", 0), ("103", "Header", 1), ("141", "Episodes", 2)]
    theirs = [["103", "Header", 0], ["141", "Episodes", 3], ["INT32", "Header", 4]]
    agreement = compare_triples(ours, theirs)
    by_rule = {r.rule: r for r in agreement.rules}
    assert (by_rule["103"].both, by_rule["103"].only_carestat, by_rule["103"].only_reference) == (
        1, 1, 0,
    )  # fmt: skip
    assert (by_rule["141"].both, by_rule["141"].only_carestat, by_rule["141"].only_reference) == (
        0, 1, 1,
    )  # fmt: skip
    assert by_rule["INT32"].only_reference == 1
    assert agreement.share == pytest.approx(1 / 5)  # 5 distinct triples, 1 on both sides
    assert agreement.only_reference == (("141", "Episodes", 3), ("INT32", "Header", 4))
    assert [r.rule for r in agreement.disagreeing()] == ["141", "INT32", "103"]


def test_previous_year_tables_whole_table_issues_and_skipped_rules_are_left_out() -> None:
    ours = [("202", "Header", 0), ("999", "Header", None)]
    theirs = [("202", "Header", 0), ("202", "Header_last", 0), ("231", "Header", 5)]
    agreement = compare_triples(ours, theirs, skip_rules=["231"])
    assert agreement.share == 1.0
    assert [r.rule for r in agreement.rules] == ["202"]


def test_nothing_flagged_on_either_side_is_full_agreement() -> None:
    assert compare_triples([], []).share == 1.0
    assert compare_triples([], []).to_dict() == {"share": 1.0, "rules": {}}


def test_reads_both_sides_files(tmp_path: Path) -> None:
    ref = tmp_path / "ref.json"
    ref.write_text(json.dumps({"flagged": [["101", "Header", 3]], "raised": ["233"]}))
    triples, raised = load_reference_json(ref)
    assert triples == [("101", "Header", 3)] and raised == ["233"]
    report = {"issues": [{"rule": "101", "table": "Header", "row": 3},
                         {"rule": "X", "table": "Header", "row": None}]}  # fmt: skip
    assert compare_triples(triples_from_report(report), triples).share == 1.0


def test_a_refused_upload_is_an_error(tmp_path: Path) -> None:
    ref = tmp_path / "ref.json"
    ref.write_text(json.dumps({"error": "UploadError: Failed to match provided data"}))
    with pytest.raises(ValueError, match="refused the return: UploadError"):
        load_reference_json(ref)
