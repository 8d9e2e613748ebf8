"""Generate synthetic returns for N councils over a range of years, and write them to disk."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from carestat.model import Return
from carestat.synth.councils import Council, pick_councils
from carestat.synth.history import History
from carestat.synth.population import AGES, population_cube, population_frame, relative_rates
from carestat.synth.scenario import Scenario
from carestat.synth.simulate import CouncilSimulation
from carestat.synth.tables import build_return

STARTS_PER_10K = 21.9  # calibrated by benchmarks/synth_national.py to ~33,000 starts a year
MEAN_STOCK_RATE = 70.0  # the council stock rate that maps to the national entry rate
BURN_IN = 19  # years simulated before the first output year, so the stock is in place
UASC_SHARE = 0.45  # share of boys aged 14-17 entering care who are UASC


@dataclass
class Synthetic:
    """A generated set: councils, their populations and an iterator of council histories."""

    councils: list[Council]
    years: list[int]
    population: pd.DataFrame
    histories: Callable[[], Iterator[History]]
    seed: int
    scenario: Scenario | None

    def returns(self) -> Iterator[Return]:
        """Every (council, year) return, council by council."""
        for history in self.histories():
            for year in self.years:
                yield build_return(history, year)


def _entries(council: Council, i: int, cube: np.ndarray, years: Sequence[int], scale: float,
             scenario: Scenario | None, rng: np.random.Generator, target: float) -> dict[str, np.ndarray]:  # fmt: skip
    """Entry days, dates of birth, sex, ethnic group and UASC flag, Poisson by cell."""
    base = relative_rates() * scale * target / MEAN_STOCK_RATE
    parts = []
    for year in range(years[0] - BURN_IN, years[-1] + 1):
        j = max(0, year - years[0])
        rate = (
            base if scenario is None else base * scenario.multiplier(council.code, year, years[0])
        )
        counts = rng.poisson(cube[i, j] * rate)
        age, sex, ethnic = np.nonzero(counts)
        n = counts[age, sex, ethnic]
        age, sex, ethnic = np.repeat(age, n), np.repeat(sex, n), np.repeat(ethnic, n)
        first = date(year - 1, 4, 1).toordinal()
        day = first + rng.integers(0, date(year, 3, 31).toordinal() - first + 1, age.size)
        newborn = (age == 0) & (rng.random(age.size) < 0.4)
        old = np.where(newborn, rng.integers(0, 7, age.size),
                       (age * 365.25 + rng.random(age.size) * 364).astype(np.int64))  # fmt: skip
        old = np.where((age == 0) & ~newborn, rng.integers(7, 365, age.size), old)
        parts.append((day, day - old, sex, ethnic, age))
    day, dob, sex, ethnic, age = (np.concatenate(p) for p in zip(*parts, strict=True))
    dob = _avoid_leap_day(dob)
    uasc = (sex == 0) & (age >= 14) & (rng.random(age.size) < UASC_SHARE)
    order = np.argsort(day, kind="stable")
    return {"day": day[order], "dob": dob[order], "sex": sex[order], "ethnic": ethnic[order],
            "uasc": uasc[order]}  # fmt: skip


def _avoid_leap_day(dob: np.ndarray) -> np.ndarray:
    dates = (dob - date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    month_day = dates - dates.astype("datetime64[M]").astype("datetime64[D]")
    leap = (dates.astype("datetime64[M]").astype(int) % 12 == 1) & (month_day == 28)
    return dob - leap.astype(np.int64)


def generate(las: int | Sequence[str] = 2, years: Sequence[int] = (2024, 2025, 2026), seed: int = 0,
             children: int | None = None, scenario: Scenario | None = None) -> Synthetic:  # fmt: skip
    """Synthetic councils, populations and (lazily) their returns; same seed, same output."""
    years = sorted(years)
    rng = np.random.default_rng(seed)
    names = None if isinstance(las, int) else list(las)
    councils = pick_councils(las if isinstance(las, int) else len(names or []), rng, names)
    cube = population_cube(councils, years, rng)
    rel = relative_rates()
    share_age = (cube.sum(axis=(0, 1))[None] * rel).sum() / cube.sum()  # population-weighted mean
    scale = STARTS_PER_10K / 10_000 / share_age
    horizon = date(years[-1], 3, 31).toordinal()

    def histories() -> Iterator[History]:
        for i, council in enumerate(councils):
            target = council.stock_rate
            if children is not None:
                target = children / (council.population / 10_000)
            council_rng = np.random.default_rng([seed, i])
            entries = _entries(council, i, cube, years, scale, scenario, council_rng, target)
            yield CouncilSimulation(council, horizon, seed, years[0]).run(entries)

    frame = population_frame(councils, years, cube)
    return Synthetic(councils, years, frame, histories, seed, scenario)


def write(synthetic: Synthetic, out: Path, fmt: str = "csv", errors: float = 0.0,
          progress: Callable[[int], None] | None = None) -> dict[str, int]:  # fmt: skip
    """Write returns, population.csv, providers.xlsx and truth.json under `out`; counts written."""
    from carestat.synth.output import write_all

    return write_all(synthetic, out, fmt, errors, progress)


__all__ = ["AGES", "Synthetic", "generate", "write"]
