"""`carestat population load FILE`: load population denominators into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carestat.cli.options import DbOption, fail, out_console

population_app = typer.Typer(
    name="population", help="Population denominators for rates per 10,000 children.",
    no_args_is_help=True, add_completion=False,
)  # fmt: skip


@population_app.command("load")
def population_load_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="population.csv, ONS mid-year estimates or Census 2021 ethnic group by age (CSV)."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Load a population file into the store, replacing the rows of each council-year it holds."""
    from carestat.model import InputError
    from carestat.stats.population import read_population
    from carestat.store import StoreError, open_store

    try:
        rows, layout = read_population(file)
        with open_store(db) as store:
            loaded = store.load_population(rows, str(file))
    except (StoreError, InputError) as error:
        fail(str(error))
    out_console.print(
        f"loaded {loaded} population rows from {file} ({layout} layout)", markup=False
    )
