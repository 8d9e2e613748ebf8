"""The command line lists every command and builds each one when it is asked for."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from carestat.cli.main import COMMANDS, app

runner = CliRunner()


def test_help_lists_every_command_in_order() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    listed = [line.strip("│ ").split(" ")[0] for line in result.output.splitlines()]
    assert [name for name in listed if name in COMMANDS] == list(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_builds_and_shows_its_help(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"carestat {name}" in result.output


def test_an_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["nosuch"])
    assert result.exit_code == 2 and "No such command" in result.output
