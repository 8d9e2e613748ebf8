"""`carestat validate` and `carestat rules` end to end: exit codes, the pinned JSON shape."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carestat.cli.main import app

sys.path.insert(0, str(Path(__file__).parent))

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A valid synthetic 2025 return of about 30 children, with its 2024 return beside it."""
    from carestat.synth import generate, write

    # A synthetic council, valid by construction, so a clean return really has no issues.
    write(generate(las=["E08000035"], years=(2024, 2025), seed=3, children=30), tmp_path)
    return tmp_path / "E08000035" / "2025"


def _break_ethnicity(folder: Path) -> None:
    path = folder / "header.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[3], "WBRX")
    path.write_text("\n".join(lines) + "\n")


def test_valid_return_exits_0(folder: Path) -> None:
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["valid"] is True and report["issues"] == []
    assert report["summary"]["previous"].endswith("2024")


def test_json_shape_is_pinned(folder: Path) -> None:
    _break_ethnicity(folder)
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert list(report) == ["valid", "year", "la", "issues", "summary"]
    assert (report["valid"], report["year"], report["la"]) == (False, 2025, "E08000035")
    issue = next(i for i in report["issues"] if i["rule"] == "103")
    assert list(issue) == ["rule", "severity", "table", "row", "line", "child", "fields", "message"]
    assert issue["severity"] == "error" and issue["table"] == "Header"
    assert (issue["row"], issue["line"], issue["fields"]) == (2, 4, ["ETHNIC"])
    assert "'WBRX'" in issue["message"]
    summary = report["summary"]
    assert {"rules_run", "rules_skipped", "issues_by_rule", "rows"} <= set(summary)
    # 204 (ethnicity changed since last year) fires too when the child was in last year's return.
    assert summary["issues_by_rule"]["103"] == 1 and set(summary["issues_by_rule"]) <= {
        "103",
        "204",
    }
    records = len((folder / "header.csv").read_text().splitlines()) - 1
    assert summary["rows"]["Header"] == records and summary["rules_run"] > 40


def test_rules_filter_and_terminal_view(folder: Path) -> None:
    _break_ethnicity(folder)
    result = runner.invoke(app, ["validate", str(folder), "--rules", "101,102"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    assert "103 (error) x1" in result.output


def test_csv_output_to_file(folder: Path, tmp_path: Path) -> None:
    _break_ethnicity(folder)
    out = tmp_path / "issues.csv"
    result = runner.invoke(app, ["validate", str(folder), "--format", "csv", "--output", str(out)])
    assert result.exit_code == 1
    rows = out.read_text().splitlines()
    assert rows[0] == "rule,severity,table,row,line,child,fields,message"
    assert rows[1].startswith("103,error,Header,2,4,")


@pytest.mark.parametrize(
    "args",
    [["--format", "pdf"], ["--previous", "/no/such/folder"], ["--providers", "/no/such.xlsx"]],
)
def test_bad_arguments_exit_2(folder: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["validate", str(folder), *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize("with_years", [True, False])
def test_an_unreadable_provider_list_exits_2_naming_it(
    folder: Path, tmp_path: Path, with_years: bool
) -> None:
    broken = tmp_path / "providers.xlsx"
    broken.write_text("not a workbook")
    known = ["--year", "2025", "--la", "E08000035"] if with_years else []
    result = runner.invoke(app, ["validate", str(folder), *known, "--providers", str(broken)])
    assert result.exit_code == 2
    assert f"{broken}: not a readable Excel provider list" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_rules_lists_codes_by_year() -> None:
    result = runner.invoke(app, ["rules", "--year", "2024", "--format", "json"])
    assert result.exit_code == 0
    codes = {r["rule"] for r in json.loads(result.output)["rules"]}
    assert {"101", "217t", "501"} <= codes and "233" not in codes
    result = runner.invoke(app, ["rules", "--year", "2027"])
    assert "233" in result.output and "217t" not in result.output


def _child_at(folder: Path, row: int) -> str:
    return (folder / "header.csv").read_text().splitlines()[row + 1].split(",")[0].strip('"')


def test_xlsx_needs_output_and_marks_the_fault(folder: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(folder), "--format", "xlsx"])
    assert result.exit_code == 2 and "--output" in result.output
    _break_ethnicity(folder)
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["validate", str(folder), "--format", "xlsx", "--output", str(out)])
    assert result.exit_code == 1, result.output
    from openpyxl import load_workbook

    book = load_workbook(out)
    assert book.sheetnames[0] == "Summary" and book.sheetnames[-1] == "Issues"
    # Header row 2 is spreadsheet row 4; ETHNIC is the fourth column of header.csv.
    assert (
        book["Header"]["D4"].value == "WBRX" and "103 (error)" in book["Header"]["D4"].comment.text
    )
    assert book["Issues"]["A2"].value == "103"


def test_child_timeline_and_exit_codes(folder: Path) -> None:
    _break_ethnicity(folder)
    broken, clean = _child_at(folder, 2), _child_at(folder, 0)
    result = runner.invoke(app, ["validate", str(folder), "--child", broken])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Child {broken}: E08000035 2025 return")
    assert "! 103 (error) ETHNIC:" in result.output
    result = runner.invoke(app, ["validate", str(folder), "--child", clean, "--format", "json"])
    assert result.exit_code == 0, result.output  # the return has errors, this child has none
    data = json.loads(result.output)
    assert data["child"] == clean and data["valid"] is True and data["tables"]["Header"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--child", "no-such-child"], "has no record"),
        (["--child", "x", "--format", "csv"], "--child"),
        (["--format", "xlsx", "--output", "/no/such/folder/r.xlsx"], "does not exist"),
        (["--format", "xlsx", "--output", "/", "--rules", "101"], "cannot write"),
    ],
)
def test_child_and_xlsx_bad_arguments_exit_2(folder: Path, args: list[str], says: str) -> None:
    result = runner.invoke(app, ["validate", str(folder), *args])
    assert result.exit_code == 2 and says in result.output
    assert "Traceback" not in result.output


def test_last_years_tables_no_rule_reads_are_not_read(folder: Path) -> None:
    """A broken file of last year's that no rule reads (reviews) does not stop the validation."""
    from carestat.readers import read_return
    from carestat.rules.compile import previous_tables

    assert "Reviews" not in previous_tables(2025) and "Episodes" in previous_tables(2025)
    last = folder.parent / "2024"
    only = read_return([last], year=2024, la="E08000035", only={"Header", "Episodes"})
    assert set(only.tables) == {"Header", "Episodes"}
    assert only.tables["Episodes"].equals(read_return([last], 2024, "E08000035").tables["Episodes"])
    reviews = last / "reviews.csv"
    reviews.write_text(reviews.read_text() + '1,"unclosed\n')  # not well-formed CSV
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["summary"]["previous"].endswith("2024")
    # a broken table the rules do read is still an error that names it
    episodes = last / "episodes.csv"
    episodes.write_text(episodes.read_text() + '1,"unclosed\n')
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 2 and "episodes.csv" in result.output


def test_the_script_leaves_after_validate_with_its_exit_code_and_whole_output(
    folder: Path,
) -> None:
    import subprocess

    _break_ethnicity(folder)
    script = "from carestat.cli.main import run; run()"
    done = subprocess.run([sys.executable, "-c", script, "validate", str(folder), "--format",
                           "json"], capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["valid"] is False  # the whole report reached the pipe
    missing = subprocess.run([sys.executable, "-c", script, "validate", str(folder / "nothing")],
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_a_validation_runs_without_the_cycle_collector_or_openblas_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc
    import subprocess

    from carestat.cli import main

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    was_enabled = gc.isenabled()
    try:
        main._lighten()
        assert not gc.isenabled()
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    finally:
        if was_enabled:
            gc.enable()
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    main._lighten()  # the user's own setting stands
    gc.enable()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "3"
    # OpenBLAS reads the setting when numpy is imported: the script must not import it first
    check = "import sys, carestat.cli.main; print('numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
