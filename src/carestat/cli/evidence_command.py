"""`carestat evidence`: the evidence analyses on the store, as JSON or a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carestat.cli.options import DbOption, OutDirOption, fail, out_console

FORMATS = ("json", "html")
NeighboursOption = Annotated[
    Path | None,
    typer.Option("--neighbours", help="YAML/JSON file: council code -> statistical neighbours."),
]


def evidence_command(
    db: DbOption = None,
    output_format: Annotated[str, typer.Option("--format", help="json or html.")] = "json",
    out: OutDirOption = None,
    neighbours: NeighboursOption = None,
) -> None:
    """Test the disputed claims (babies, ethnicity, councils, legal pathways, time in care)."""
    if output_format not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {output_format!r}")
    inputs, sections = run_evidence(db, neighbours)
    if output_format == "json":
        from carestat.evidence.run import to_json

        text = to_json(inputs, sections)
    else:
        from carestat.reports.html import render_page

        text = render_page(sections, title="carestat evidence")
    if out is None:
        typer.echo(text, nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"evidence.{output_format}"
    target.write_text(text, encoding="utf-8")
    out_console.print(f"wrote {target}", markup=False, highlight=False)


def open_tables(db: str | None) -> Any:
    """The store's current tables (exit 2 with a message when the store is unusable or empty)."""
    from carestat.model import InputError
    from carestat.store import StoreError, open_store

    try:
        store = open_store(db)
    except (StoreError, InputError) as error:
        fail(str(error))
    tables = store.current()
    if tables["Header"].count().execute() == 0:
        fail("the store holds no returns: load some with `carestat load`")
    if tables["population"].count().execute() == 0:
        fail("the store holds no population estimates: load them with `carestat population load`")
    return store, tables


def neighbour_list(neighbours: Path | None) -> Any:
    """The statistical neighbours named in `--neighbours` (exit 2 with a message if unreadable)."""
    from carestat.evidence.run import load_neighbours
    from carestat.model import InputError

    try:
        return load_neighbours(neighbours) if neighbours is not None else None
    except InputError as error:
        fail(str(error))


def run_evidence(db: str | None, neighbours: Path | None) -> Any:
    """Inputs and sections from the store (errors exit 2 with a message)."""
    from carestat.evidence.run import evidence

    chosen = neighbour_list(neighbours)
    store, tables = open_tables(db)
    with store:
        return evidence(tables, chosen)
