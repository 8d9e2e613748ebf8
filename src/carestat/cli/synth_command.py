"""`carestat synth`: write synthetic returns for N councils over a range of years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carestat.cli.options import fail, is_terminal, out_console
from carestat.model import InputError


def parse_years(text: str) -> list[int]:
    """Years written "2019-2026" or "2026" (collection years); ValueError when unusable."""
    first, _, last = text.partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        raise ValueError(f"--years must look like 2019-2026, not {text!r}") from None
    if low > high or low < 2000 or high > 2027:
        raise ValueError(f"--years must be a rising range within 2000-2027, not {text!r}")
    return list(range(low, high + 1))


def synth_command(
    out: Annotated[Path, typer.Argument(help="Folder to write the returns into.")],
    las: Annotated[
        int, typer.Option("--las", help="How many councils (150 gives the national shape).")
    ] = 2,
    years: Annotated[
        str, typer.Option("--years", help="Collection years, e.g. 2019-2026.")
    ] = "2024-2026",
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same files.")] = 0,
    children: Annotated[
        int | None,
        typer.Option("--children", help="About this many looked after at 31 March per council."),
    ] = None,
    errors: Annotated[
        float, typer.Option("--errors", help="Share of records given one planted fault.")
    ] = 0.0,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario", help="YAML file of effects to plant (docs/guides/scenarios.md)."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv (one file per table) or xml.")] = "csv",
) -> None:
    """Simulate children's journeys through care and write each council's yearly returns."""
    from carestat.synth import generate, write
    from carestat.synth.scenario import load_scenario

    if fmt not in ("csv", "xml"):
        fail(f"--format must be csv or xml, not {fmt!r}")
    if not 0 <= errors <= 1:
        fail(f"--errors must be a share between 0 and 1, not {errors}")
    if children is not None and children < 1:
        fail(f"--children must be at least 1, not {children}")
    try:
        year_list = parse_years(years)
        planted = load_scenario(scenario) if scenario else None
        synthetic = generate(
            las=las, years=year_list, seed=seed, children=children, scenario=planted
        )
    except (ValueError, InputError) as error:
        fail(str(error))
    total = len(synthetic.councils) * len(year_list)
    if is_terminal():
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("Writing returns", total=total)
            counts = write(synthetic, out, fmt, errors, lambda n: progress.advance(task, n))
    else:
        counts = write(synthetic, out, fmt, errors)
    out_console.print(f"Wrote {counts['returns']} returns ({len(synthetic.councils)} councils × "
                      f"{len(year_list)} years) and {counts['faults']} planted faults to {out}")  # fmt: skip
