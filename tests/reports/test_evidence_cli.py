"""`carestat evidence` and `carestat report` end to end on a small synthetic store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carestat.cli.main import app

runner = CliRunner()
SECTIONS = ["babies", "ethnicity", "councils", "pathways", "time_in_care"]
FINDING_KEYS = {"measure", "effect", "estimate", "lower", "upper", "scale", "null", "test",
                "p_value", "n_councils", "first_year", "last_year", "level", "limits",
                "excludes_null", "sentence"}  # fmt: skip


@pytest.fixture(scope="module")
def evidence_json(small_store: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One `carestat evidence --out` run shared by the JSON tests."""
    folder = tmp_path_factory.mktemp("evidence_json")
    result = runner.invoke(app, ["evidence", "--db", small_store, "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return json.loads((folder / "evidence.json").read_text("utf-8"))


def test_evidence_json_shape(evidence_json: dict) -> None:
    body = evidence_json
    assert body["councils"] == 4 and body["first_year"] == 2023 and body["last_year"] == 2026
    assert [s["key"] for s in body["sections"]] == SECTIONS
    for section in body["sections"]:
        assert section["sentences"], section["key"]
        for finding in section["findings"]:
            assert set(finding) == FINDING_KEYS
            assert finding["sentence"] in section["sentences"]
    babies = body["sections"][0]
    assert babies["findings"][0]["measure"].startswith("starts under 1")
    assert {c["kind"] for c in babies["charts"]} == {"line", "bars"}


def test_published_council_counts_are_suppressed(evidence_json: dict) -> None:
    body = evidence_json
    rows = [r for s in body["sections"] for t in s["tables"].values() for r in t
            if r.get("geographic_level") == "Local authority" and r.get("kind") == "count"]  # fmt: skip
    assert rows
    values = [r["value"] for r in rows]
    assert "c" in values  # small councils' ethnic-group counts must be hidden
    assert not any(v in {"1", "2", "3", "4", "5"} for v in values)
    national = [r["value"] for s in body["sections"] for t in s["tables"].values() for r in t
                if r.get("geographic_level") == "National" and r.get("kind") == "count"]  # fmt: skip
    assert national and all(v == "k" or int(v) % 10 == 0 for v in national)


def test_report_has_every_section_and_charts(small_store: str, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--db", small_store, "--output", str(report)])
    assert result.exit_code == 0, result.output
    html = report.read_text("utf-8")
    for key in ["headline", *SECTIONS]:
        assert f"id='{key}'" in html
    assert "<svg" in html and "<script" not in html and "<link" not in html  # self-contained


def test_neighbours_option_html_and_errors(
    small_store: str, evidence_json: dict, tmp_path: Path
) -> None:
    body = evidence_json
    council = body["sections"][2]["charts"][0]["data"][0]["unit"]
    others = [p["unit"] for p in body["sections"][2]["charts"][0]["data"][1:]]
    config = tmp_path / "neighbours.yaml"
    config.write_text(f"{council}: [{', '.join(others)}]\n")
    args = ["evidence", "--db", small_store, "--neighbours", str(config), "--format", "html"]
    page = runner.invoke(app, args).stdout
    assert page.count("<svg") >= 5 and f"{council} vs" in page
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n")
    result = runner.invoke(app, ["evidence", "--db", small_store, "--neighbours", str(bad)])
    assert result.exit_code == 2 and "bad.yaml" in result.output
    assert runner.invoke(app, ["evidence", "--db", small_store, "--format", "pdf"]).exit_code == 2
    empty = runner.invoke(app, ["evidence", "--db", str(tmp_path / "empty.duckdb")])
    assert empty.exit_code == 2 and "no returns" in empty.output
    wrong = runner.invoke(app, ["report", "--db", small_store, "--output", str(tmp_path / "x.pdf")])
    assert wrong.exit_code == 2
