"""`carestat demo`: the main job end to end on synthetic data, as a user would run it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from carestat.cli.options import err_console, fail, out_console

DEMO_YEARS = "2021-2026"
DEMO_COUNCILS = 12
DEMO_SEED = 903


def _steps(out: Path) -> list[tuple[str, list[str]]]:
    """The commands the demo runs, in order (each is a normal carestat command line)."""
    returns = out / "returns"
    database = out / "carestat.duckdb"
    return [
        ("synth", ["synth", str(returns), "--las", str(DEMO_COUNCILS), "--years", DEMO_YEARS,
                   "--seed", str(DEMO_SEED)]),
        ("validate", ["validate", "{first_return}", "--format", "json",
                      "--output", str(out / "validation.json")]),
        ("load", ["load", str(returns), "--db", str(database)]),
        ("stats", ["stats", "--db", str(database), "--format", "csv", "--out", str(out / "stats")]),
        ("evidence", ["evidence", "--db", str(database), "--format", "html",
                      "--out", str(out / "evidence")]),
        ("report", ["report", "--db", str(database), "--output", str(out / "report.html")]),
    ]  # fmt: skip


def _first_return(returns: Path) -> str:
    """The most recent return of the first council synth wrote."""
    folders = sorted(p for p in returns.glob("E*/*") if p.is_dir())
    if not folders:
        fail(f"{returns}: synth wrote no returns")
    latest = max(int(p.name) for p in folders)
    return str(next(p for p in folders if int(p.name) == latest))


def _run(command: Any, args: list[str]) -> int:
    """Run one command in-process; its exit code (validate exits 1 when it finds issues)."""
    try:
        command.main(args, prog_name="carestat", standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    return 0


def demo_command(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for everything the demo makes.")
    ] = Path("demo-output"),
) -> None:
    """Make synthetic returns, validate one, load them all, and count and report on them."""
    from carestat.cli.main import app

    command = typer.main.get_command(app)
    out.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    for name, args in _steps(out):
        args = [_first_return(out / "returns") if a == "{first_return}" else a for a in args]
        started = time.perf_counter()
        err_console.print(f"[bold]carestat {' '.join(args)}[/]")
        code = _run(command, args)
        if code not in (0, 1):
            fail(f"demo: `carestat {name}` failed (exit {code})")
        made.append(f"{name:9} {time.perf_counter() - started:6.1f} s")
    _summarise(out, made)


def _summarise(out: Path, made: list[str]) -> None:
    echo = out_console.print
    echo("\nThe demo ran:")
    for line in made:
        echo(f"  {line}")
    echo(f"\nIts outputs are in {out.resolve()}:")
    for path in sorted(out.iterdir()):
        echo(f"  {path.name}{'/' if path.is_dir() else ''}")
