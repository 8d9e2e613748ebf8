"""`carestat load`: read returns (one, or a tree of `<GSS>/<YYYY>/` folders) into the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carestat.cli.options import (
    DbOption,
    LaOption,
    YearOption,
    err_console,
    fail,
    is_terminal,
    out_console,
)
from carestat.model import InputError, Return
from carestat.readers import read_return
from carestat.readers.locate import (
    CSV_SUFFIXES,
    XML_SUFFIXES,
    check_la,
    input_files,
    la_from_path,
    year_from_path,
)

if TYPE_CHECKING:  # the store imports Ibis and pandas: only `carestat load` should pay for that
    from carestat.store import Store

POPULATION_FILE = "population.csv"
OUTCOMES = ("loaded", "already loaded", "superseded", "failed")
BATCH_ROWS = 200_000  # records per transaction: few commits and bulk inserts, bounded memory


def load_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Return folders, XML files, or a root of <GSS>/<YYYY>/ folders."),
    ],
    db: DbOption = None,
    year: YearOption = None,
    la: LaOption = None,
    policy: Annotated[
        str | None,
        typer.Option(
            help="Privacy policy of a new store: local (exact values, the default) or pooled "
            "(ids hashed with CARESTAT_PSEUDONYM_KEY, dates of birth coarsened)."
        ),
    ] = None,
) -> None:
    """Load returns into the store; exit 2 if any could not be read or stored."""
    from carestat.store import StoreError, open_store

    returns, populations = find_inputs(paths)
    if not returns and not populations:
        fail(f"{', '.join(map(str, paths))}: no returns found (CSV tables or XML files)")
    if (year or la) and len(returns) > 1:
        fail(f"--year/--la apply to a single return, but the paths hold {len(returns)} returns")
    try:
        store = open_store(db, policy=policy)
        store.check_can_load()
    except (StoreError, InputError) as error:
        fail(str(error))
    with store:
        tally = load_returns(store, returns, year, la)
        tally += load_populations(store, populations)
    out_console.print(summary(tally, store), markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2 if tally["failed"] or tally["population failed"] else 0)


def find_inputs(paths: list[Path]) -> tuple[list[list[Path]], list[Path]]:
    """The returns (each a list of paths for the reader) and population files under `paths`."""
    returns: list[list[Path]] = []
    populations: list[Path] = []
    loose_csv: list[Path] = []  # CSV files named one by one make a single return together
    for path in paths:
        if path.is_dir():
            _walk(path, returns, populations)
        elif path.name.lower() == POPULATION_FILE:
            populations.append(path)
        elif path.suffix.lower() in XML_SUFFIXES:
            returns.append([path])
        else:
            loose_csv.append(path)  # missing files are reported by the reader, by name
    if loose_csv:
        returns.append(loose_csv)
    return returns, populations


def _walk(folder: Path, returns: list[list[Path]], populations: list[Path]) -> None:
    """A folder holding tables is a return; otherwise look in its subfolders."""
    children = sorted(folder.iterdir())
    tables = [
        p for p in children
        if p.is_file() and p.suffix.lower() in CSV_SUFFIXES | XML_SUFFIXES
        and p.name.lower() != POPULATION_FILE
    ]  # fmt: skip
    if tables:
        returns.append([folder])
        return
    populations += [p for p in children if p.is_file() and p.name.lower() == POPULATION_FILE]
    for child in children:
        if child.is_dir() and not child.name.startswith("."):
            _walk(child, returns, populations)


def load_returns(
    store: Store, returns: list[list[Path]], year: int | None, la: str | None
) -> Counter[str]:
    """Read each return and store them in batches; one that fails is reported, the rest load."""
    tally: Counter[str] = Counter()
    batch: list[tuple[list[Path], Return]] = []
    with progress_bar(len(returns)) as advance:
        for paths in returns:
            if unchanged(store, paths, year, la):  # skip reading what is already stored
                tally["already loaded"] += 1
                advance()
                continue
            try:
                batch.append((paths, read_return(paths, year=year, la=la)))
            except InputError as error:
                report_error(str(error))
                tally["failed"] += 1
            if sum(sum(r.rows().values()) for _, r in batch) >= BATCH_ROWS:
                tally += store_batch(store, batch)
                batch = []
            advance()
        tally += store_batch(store, batch)
    return tally


def unchanged(store: Store, paths: list[Path], year: int | None, la: str | None) -> bool:
    """Whether the files are the current load of the council-year their options or path name."""
    try:
        la = check_la(la) or la_from_path(paths[0])
        year = year or year_from_path(paths[0])
        return bool(la and year) and store.is_current(str(la), int(year or 0), input_files(paths))
    except (InputError, OSError):
        return False  # the full read reports what is wrong


def store_batch(store: Store, batch: list[tuple[list[Path], Return]]) -> Counter[str]:
    """Store read returns together (one transaction; one by one if that fails)."""
    from carestat.store import LoadResult

    tally: Counter[str] = Counter()
    if not batch:
        return tally
    results = store.load_returns([(ret, input_files(paths)) for paths, ret in batch])
    for (paths, _), result in zip(batch, results, strict=True):
        if isinstance(result, InputError):
            report_error(str(result))
        elif isinstance(result, Exception):  # a database failure: nothing of it was kept
            report_error(f"{paths[0]}: could not be stored ({type(result).__name__}: {result})")
        tally[result.status if isinstance(result, LoadResult) else "failed"] += 1
    return tally


def load_populations(store: Store, populations: list[Path]) -> Counter[str]:
    """Load each population file, replacing rows of the same council and year."""
    from carestat.store import read_population_csv

    tally: Counter[str] = Counter()
    for path in populations:
        try:
            tally["population rows"] += store.load_population(read_population_csv(path), str(path))
        except InputError as error:
            report_error(str(error))
            tally["population failed"] += 1
    return tally


def report_error(message: str) -> None:
    """Print one failure on standard error without stopping the run."""
    err_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)


def summary(tally: Counter[str], store: Store) -> str:
    """One line saying what happened to every return and population file."""
    parts = [f"{tally[o]} {o}" for o in OUTCOMES]
    if tally["population rows"] or tally["population failed"]:
        parts.append(f"{tally['population rows']} population rows")
    if tally["population failed"]:
        parts.append(f"{tally['population failed']} population files failed")
    return f"{store.location}: " + ", ".join(parts)


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[], None]]:
    """A rich progress bar on a terminal; nothing when output is piped."""
    if not is_terminal() or total < 2:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("loading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("load", total=total)
        yield lambda: bar.advance(task)
