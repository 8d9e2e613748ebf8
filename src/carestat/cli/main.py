"""The `carestat` application: each command lives in its own module and is registered here.

A command's module is imported, and its options built, only when that command runs (or help
lists it): building all of them cost ~20 ms of every command's start-up.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import suppress
from importlib import import_module
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup
from typer.models import CommandInfo

# Name: the module and attribute of each command (a function, or a Typer app for a group of
# subcommands), in the order of DESIGN.md §5.
COMMANDS = {
    "demo": ("carestat.cli.demo_command", "demo_command"),
    "spec": ("carestat.cli.spec_command", "spec_command"),
    "validate": ("carestat.cli.validate_command", "validate_command"),
    "load": ("carestat.cli.load_command", "load_command"),
    "rules": ("carestat.cli.rules_command", "rules_command"),
    "synth": ("carestat.cli.synth_command", "synth_command"),
    "population": ("carestat.cli.population_command", "population_app"),
    "stats": ("carestat.cli.stats_command", "stats_command"),
    "evidence": ("carestat.cli.evidence_command", "evidence_command"),
    "report": ("carestat.cli.report_command", "report_command"),
}


class Commands(TyperGroup):
    """The commands, each built from its module when asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name]
        found = getattr(import_module(module), attribute)
        if isinstance(found, typer.Typer):
            group = typer.main.get_group(found)
            group.name = cmd_name
            return group
        return typer.main.get_command_from_info(
            CommandInfo(name=cmd_name, callback=found),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )


app = typer.Typer(
    name="carestat",
    cls=Commands,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main() -> None:
    """Read, validate, store and count England's children-in-care (SSDA903) returns."""


# Commands that leave nothing open when they return (no database or server connection, every
# file written and closed), so their process may end without the interpreter's clean-up.
LEAVE_AT_ONCE = frozenset({"validate"})


def run() -> None:
    """The `carestat` script: run the command, then after `validate` leave at once.

    Finalising the interpreter (modules, DuckDB, Arrow) takes ~0.1-0.2 s after a validation:
    a sixth of a council return's whole run. Output is flushed first; an unexpected error
    still ends the usual way, with its traceback.
    """
    if len(sys.argv) < 2 or sys.argv[1] not in LEAVE_AT_ONCE:
        app()
        return
    _lighten()
    try:
        app()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a reader gone (`| head`), or the stream closed
            stream.flush()
    os._exit(code or 0)


def _lighten() -> None:
    """Spare a short run two costs it cannot use: ~10% of a council return's CPU time.

    The cyclic garbage collector ran ~110 times in a validation, walking every object the
    imports made; nothing a validation makes needs it (its process ends at once), and at 100k
    children its peak memory is the same without it. numpy's OpenBLAS starts a thread per core
    that spins ~0.1 s of CPU after its import; validation does no linear algebra. A value the
    user gave for OPENBLAS_NUM_THREADS stands.
    """
    gc.disable()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # read when numpy is first imported


def all_commands() -> dict[str, Any]:
    """Every command built, by name in the listed order (for the reference docs)."""
    group = typer.main.get_command(app)
    return {name: group.get_command(None, name) for name in COMMANDS}  # type: ignore[attr-defined]
