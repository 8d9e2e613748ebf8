"""Options shared by several commands, and the one way errors leave the CLI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer

if TYPE_CHECKING:
    from rich.console import Console

YearOption = Annotated[
    int | None,
    typer.Option("--year", help="Collection year, the year the return ends: 2026 = 2025-26."),
]
LaOption = Annotated[str | None, typer.Option("--la", help="Council GSS code, e.g. E08000035.")]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", envvar="CARESTAT_DB",
        help="Store URL: duckdb:///path.duckdb, a path ending .duckdb, or postgresql://...",
    ),
]  # fmt: skip
OutDirOption = Annotated[Path | None, typer.Option("--out", help="Folder to write into.")]
OutputFileOption = Annotated[Path | None, typer.Option("--output", help="File to write.")]


class _LazyConsole:
    """A rich Console made on first use: importing rich cost ~0.05 s of every command."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


err_console = cast("Console", _LazyConsole(stderr=True, highlight=False))
out_console = cast("Console", _LazyConsole(highlight=False))


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a short error (no traceback) and exit with `code`."""
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


def is_terminal() -> bool:
    """Whether standard error is a terminal (progress bars show only then)."""
    return sys.stderr.isatty()
