"""Hand-made messiness applied to a clean synthetic return: what councils' files really look like.

Each variant edits the CSV text of a copy of a return (never the original) with a seeded random
generator, so the same seed gives the same files:
- ``reordered``: columns in reverse order;
- ``headers``: column names in odd case with stray spaces;
- ``dates``: some date cells written in other or impossible forms;
- ``blanks``: some cells (other than CHILD) emptied;
- ``duplicates``: some records repeated straight after themselves;
- ``whitespace``: some values padded with spaces.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

Rows = list[list[str]]
BAD_DATES = ("2025-03-01", "1/2/2025", "31/04/2025", "01-02-2025", "01/02/25", "30/02/2024",
             "2/31/2024", "n/a")  # fmt: skip


def _date_columns(header: list[str], rows: Rows) -> list[int]:
    """Columns whose filled cells look like dd/mm/YYYY dates."""
    out = []
    for i, _ in enumerate(header):
        values = [r[i] for r in rows[:50] if i < len(r) and r[i]]
        if values and all(len(v) == 10 and v[2] == "/" and v[5] == "/" for v in values):
            out.append(i)
    return out


def reordered(header: list[str], rows: Rows, rng: np.random.Generator) -> tuple[list[str], Rows]:
    """Columns in reverse order."""
    return header[::-1], [r[::-1] for r in rows]


def headers(header: list[str], rows: Rows, rng: np.random.Generator) -> tuple[list[str], Rows]:
    """Column names in lower or title case, some with spaces around them."""
    odd = [name.lower() if rng.random() < 0.5 else name.title() for name in header]
    return [f" {n} " if rng.random() < 0.3 else n for n in odd], rows


def dates(header: list[str], rows: Rows, rng: np.random.Generator) -> tuple[list[str], Rows]:
    """About one in twelve filled date cells written in another or an impossible form."""
    for i in _date_columns(header, rows):
        for row in rows:
            if row[i] and rng.random() < 1 / 12:
                row[i] = str(rng.choice(BAD_DATES))
    return header, rows


def blanks(header: list[str], rows: Rows, rng: np.random.Generator) -> tuple[list[str], Rows]:
    """About one in twenty cells other than CHILD emptied."""
    keep = {i for i, name in enumerate(header) if name.strip().upper() == "CHILD"}
    for row in rows:
        for i in range(len(row)):
            if i not in keep and rng.random() < 0.05:
                row[i] = ""
    return header, rows


def duplicates(header: list[str], rows: Rows, rng: np.random.Generator) -> tuple[list[str], Rows]:
    """About one record in thirty repeated straight after itself."""
    out: Rows = []
    for row in rows:
        out.append(row)
        if rng.random() < 1 / 30:
            out.append(list(row))
    return header, out


def whitespace(header: list[str], rows: Rows, rng: np.random.Generator) -> tuple[list[str], Rows]:
    """About one in ten filled cells padded with spaces."""
    for row in rows:
        for i, value in enumerate(row):
            if value and rng.random() < 0.1:
                row[i] = f" {value}  "
    return header, rows


Variant = Callable[[list[str], Rows, np.random.Generator], tuple[list[str], Rows]]
VARIANTS: dict[str, Variant] = {f.__name__: f for f in
                                (reordered, headers, dates, blanks, duplicates, whitespace)}  # fmt: skip
# The messy returns made for each year: each a set of variants applied together.
# The reference refuses any header not spelt exactly as DfE's, so odd headers get a mix of their own
# (a refusal) and do not hide what blanks and padding do to the rules.
MIXES = {"mixA": ("reordered", "dates", "duplicates"), "mixB": ("blanks", "whitespace"),
         "mixC": ("headers",)}  # fmt: skip


def make_messy(clean: Path, out: Path, variants: tuple[str, ...], seed: int) -> Path:
    """Copy the return folder `clean` to `out` and apply `variants` to each of its CSV files."""
    rng = np.random.default_rng(seed)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(clean, out)
    for path in sorted(out.glob("*.csv")):
        table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        if len(table) < 2:
            continue
        header, rows = table[0], table[1:]
        for name in variants:
            header, rows = VARIANTS[name](header, rows, rng)
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return out
