"""Under-18 populations by council, year, age, sex and ethnic group, and the entry rates they drive."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from carestat.synth.councils import Council

# England's under-18 population by 903 ethnic code (approximate 2021 Census shares).
ETHNIC_SHARES: dict[str, float] = {
    "WBRI": 0.700, "WIRI": 0.005, "WOTH": 0.050, "WIRT": 0.002, "WROM": 0.004,
    "MWBC": 0.015, "MWBA": 0.008, "MWAS": 0.015, "MOTH": 0.017, "AIND": 0.030,
    "APKN": 0.045, "ABAN": 0.018, "AOTH": 0.020, "BCRB": 0.008, "BAFR": 0.035,
    "BOTH": 0.008, "CHNE": 0.005, "OOTH": 0.020,
}  # fmt: skip
ETHNIC_CODES: tuple[str, ...] = tuple(ETHNIC_SHARES)

# Entry rate relative to White British children (published disparities: mixed and Black
# Caribbean children over-represented, Asian children under-represented).
ETHNIC_RATE_RATIO: dict[str, float] = {
    "WBRI": 1.0, "WIRI": 0.8, "WOTH": 0.8, "WIRT": 2.0, "WROM": 1.5,
    "MWBC": 2.0, "MWBA": 1.5, "MWAS": 1.0, "MOTH": 1.6, "AIND": 0.3,
    "APKN": 0.5, "ABAN": 0.4, "AOTH": 0.8, "BCRB": 1.5, "BAFR": 1.2,
    "BOTH": 2.0, "CHNE": 0.2, "OOTH": 1.5,
}  # fmt: skip

# Share of starts by single year of age (peaks at 0 and 14-16; ~16% under 1).
START_SHARE_BY_AGE = np.array(
    [0.160, 0.050, 0.042, 0.040, 0.038, 0.036, 0.036, 0.036, 0.036, 0.036,
     0.042, 0.046, 0.050, 0.058, 0.070, 0.078, 0.082, 0.034]
)  # fmt: skip
START_SHARE_BY_AGE = START_SHARE_BY_AGE / START_SHARE_BY_AGE.sum()
MALE_SHARE = 0.512
AGES = 18
SEXES = ("M", "F")


def _ethnic_mix(council: Council, rng: np.random.Generator) -> np.ndarray:
    """The council's ethnic mix: London boroughs far more diverse than elsewhere."""
    base = np.array(list(ETHNIC_SHARES.values()))
    white = 0.38 if council.code.startswith("E09") else 0.78
    white = float(np.clip(rng.normal(white, 0.08), 0.15, 0.96))
    others = base[1:] * rng.gamma(8.0, 1 / 8.0, base.size - 1)
    return np.concatenate([[white], others / others.sum() * (1 - white)])


def population_cube(
    councils: Sequence[Council], years: Sequence[int], rng: np.random.Generator
) -> np.ndarray:
    """Counts shaped (council, year, age, sex, ethnic): mid-year estimates for each collection year."""
    ages = 1.0 + 0.004 * np.arange(AGES)  # births have fallen: slightly fewer young children
    ages = ages / ages.sum()
    sexes = np.array([MALE_SHARE, 1 - MALE_SHARE])
    cube = np.zeros((len(councils), len(years), AGES, 2, len(ETHNIC_CODES)))
    for i, council in enumerate(councils):
        mix = _ethnic_mix(council, rng)
        for j, year in enumerate(years):
            total = council.population * (1.003 ** (year - 2020))
            cube[i, j] = total * ages[:, None, None] * sexes[None, :, None] * mix[None, None, :]
    return np.rint(cube)


def population_frame(
    councils: Sequence[Council], years: Sequence[int], cube: np.ndarray
) -> pd.DataFrame:
    """The cube in the population.csv layout: la, year, age, sex, ethnic, population."""
    index = pd.MultiIndex.from_product(
        [[c.code for c in councils], list(years), range(AGES), SEXES, ETHNIC_CODES],
        names=["la", "year", "age", "sex", "ethnic"],
    )
    frame = pd.DataFrame({"population": cube.reshape(-1).astype(np.int64)}, index=index)
    return frame.reset_index()


def relative_rates() -> np.ndarray:
    """Entry rate per child shaped (age, sex, ethnic), before council and national scaling."""
    by_age = START_SHARE_BY_AGE * AGES  # population is near-flat by age
    sex = np.array([1.05, 0.95])
    ethnic = np.array([ETHNIC_RATE_RATIO[c] for c in ETHNIC_CODES])
    return by_age[:, None, None] * sex[None, :, None] * ethnic[None, None, :]
