"""`carestat report`: one self-contained HTML file of headline figures and the evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carestat.cli.evidence_command import NeighboursOption, neighbour_list, open_tables
from carestat.cli.options import DbOption, fail, out_console


def report_command(
    output: Annotated[Path, typer.Option("--output", help="HTML file to write.")],
    db: DbOption = None,
    neighbours: NeighboursOption = None,
) -> None:
    """Write the official headline figures and the evidence findings, with charts, to one HTML file."""
    from carestat.evidence.run import evidence
    from carestat.reports.headline import headline_figures
    from carestat.reports.html import render_page

    if output.suffix.lower() not in (".html", ".htm"):
        fail(f"--output must name an .html file, not {output}")
    chosen = neighbour_list(neighbours)
    store, tables = open_tables(db)
    with store:
        headline = headline_figures(tables)
        _, sections = evidence(tables, chosen)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_page(sections, headline, "carestat report"), encoding="utf-8")
    out_console.print(f"wrote {output}", markup=False, highlight=False)
