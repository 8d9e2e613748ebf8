"""Calibration: do the evidence methods find planted effects, and stay quiet when there are none?

Data are simulated at the count level from the synthetic generator's own entry model
(`carestat.synth`: the councils, population cube, relative rates by age, sex and ethnic group,
and `Scenario.multiplier` for planted effects), not by writing and re-reading records: entries
in `carestat synth` are exactly Poisson draws of that model per council x year x age x sex x
ethnic cell, so the counts the records would give are drawn directly, which makes 200 seeds at
30 councils x 8 years take about a minute instead of hours. `frailty` adds gamma noise per
council-year (extra-Poisson variation, as real councils show) to check robustness.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carestat.evidence.disparity import adjusted_rate_ratio
from carestat.evidence.funnel import funnel
from carestat.evidence.trend import rate_trend, trend_difference
from carestat.synth.councils import pick_councils
from carestat.synth.generate import MEAN_STOCK_RATE, STARTS_PER_10K
from carestat.synth.population import ETHNIC_CODES, ETHNIC_RATE_RATIO, population_cube
from carestat.synth.population import relative_rates as synth_rates
from carestat.synth.scenario import Scenario

YEARS = tuple(range(2019, 2027))
FOCUS_GROUP = "MWBC"  # planted extra ratio on this group
NULL_GROUP = "MWAS"  # built-in ratio 1.0 to White British: a true null
AGE_GROUPS = ((0, 1), (1, 5), (5, 10), (10, 16), (16, 18))


@dataclass(frozen=True)
class Draw:
    """Simulated counts (council, year, age, sex, ethnic), the population cube and councils."""

    counts: np.ndarray
    cube: np.ndarray
    councils: list[str]
    years: tuple[int, ...]


def simulate(
    seed: int, scenario: Scenario | None, las: int = 30, years: tuple[int, ...] = YEARS,
    frailty: float = 0.0,
) -> Draw:  # fmt: skip
    """Entry counts drawn from the synthetic generator's model, with planted effects."""
    rng = np.random.default_rng(seed)
    councils = pick_councils(las, rng)
    cube = population_cube(councils, list(years), rng)
    rel = synth_rates()
    share_age = (cube.sum(axis=(0, 1))[None] * rel).sum() / cube.sum()
    scale = STARTS_PER_10K / 10_000 / share_age
    counts = np.zeros_like(cube)
    for i, council in enumerate(councils):
        base = rel * scale * council.stock_rate / MEAN_STOCK_RATE
        for j, year in enumerate(years):
            rate = base if scenario is None else base * scenario.multiplier(council.code, year,
                                                                               years[0])  # fmt: skip
            noise = rng.gamma(1 / frailty, frailty) if frailty > 0 else 1.0
            counts[i, j] = rng.poisson(cube[i, j] * rate * noise)
    return Draw(counts, cube, [c.code for c in councils], years)


def by_age_group(draw: Draw) -> pd.DataFrame:
    """Council x year x age group: count and population (the input of the interaction test)."""
    rows = []
    for low, high in AGE_GROUPS:
        c = draw.counts[:, :, low:high].sum(axis=(2, 3, 4))
        p = draw.cube[:, :, low:high].sum(axis=(2, 3, 4))
        rows.append(_frame(draw, c, p).assign(group=f"{low}-{high - 1}"))
    return pd.concat(rows, ignore_index=True)


def by_ethnic_group(draw: Draw) -> pd.DataFrame:
    """Council x year x ethnic group: count and population."""
    c, p = draw.counts.sum(axis=(2, 3)), draw.cube.sum(axis=(2, 3))
    n_la, n_year, n_eth = c.shape
    return pd.DataFrame(
        {
            "la": np.repeat(draw.councils, n_year * n_eth),
            "year": np.tile(np.repeat(draw.years, n_eth), n_la),
            "ethnic": np.tile(ETHNIC_CODES, n_la * n_year),
            "count": c.reshape(-1),
            "population": p.reshape(-1),
        }
    )


def _frame(draw: Draw, counts: np.ndarray, population: np.ndarray) -> pd.DataFrame:
    """A council x year matrix pair as a tidy frame."""
    return pd.DataFrame(
        {
            "la": np.repeat(draw.councils, len(draw.years)),
            "year": np.tile(draw.years, len(draw.councils)),
            "count": counts.reshape(-1),
            "population": population.reshape(-1),
        }
    )


def one_seed(seed: int, frailty: float = 0.0) -> dict[str, Any]:
    """Every check on one seed: planted runs (growth, ethnicity, outlier) and a null run."""
    rng = np.random.default_rng([seed, 7])
    growth = float(rng.uniform(3, 6))
    extra = 1.5
    out: dict[str, Any] = {"seed": seed, "growth": growth}
    planted = Scenario(
        infant_growth=({"councils": "all", "percent_per_year": growth},),
        ethnicity=({"councils": "all", "groups": [FOCUS_GROUP], "rate_ratio": extra},),
    )
    draw = simulate(seed, planted, frailty=frailty)
    ages = by_age_group(draw)
    infant = ages[ages["group"] == "0-0"]
    trend = rate_trend(infant)
    diff = trend_difference(ages, "0-0")
    ratio = adjusted_rate_ratio(by_ethnic_group(draw), FOCUS_GROUP)
    true_ratio = ETHNIC_RATE_RATIO[FOCUS_GROUP] * extra
    out |= _check("trend", trend.estimate, trend.lower, trend.upper, growth, 0.0)
    out |= _check("interaction", diff.estimate, diff.lower, diff.upper, growth, 0.0)
    out |= _check("ethnicity", ratio.estimate, ratio.lower, ratio.upper, true_ratio, 1.0)
    out |= _outlier(seed, frailty)
    out |= _null(seed, frailty)
    return out


def _check(name: str, estimate: float, lower: float, upper: float, truth: float,
           null: float) -> dict[str, Any]:  # fmt: skip
    """Whether the interval covers the truth and the estimate has the truth's sign."""
    return {
        f"{name}_estimate": estimate,
        f"{name}_covered": bool(lower <= truth <= upper),
        f"{name}_right_sign": bool((estimate - null) * (truth - null) > 0),
        f"{name}_significant": bool(lower > null or upper < null),
    }


def _outlier(seed: int, frailty: float, multiplier: float = 2.5) -> dict[str, Any]:
    """A council with every entry rate multiplied: is it named above the funnel's limits?"""
    probe = simulate(seed + 10_000, None, frailty=frailty)  # the councils this seed draws
    target = probe.councils[0]
    scenario = Scenario(outliers=({"councils": [target], "rate_multiplier": multiplier},))
    draw = simulate(seed + 10_000, scenario, frailty=frailty)
    last = _frame(draw, draw.counts.sum(axis=(2, 3, 4)), draw.cube.sum(axis=(2, 3, 4)))
    plot = funnel(last[last["year"] == draw.years[-1]])
    z = float(plot.units.loc[plot.units["unit"] == target, "z_adjusted"].iloc[0])
    return {
        "outlier_z": z,
        "outlier_found_95": z > plot.critical(0.95),
        "outlier_found_998": z > plot.critical(0.998),
    }


def _null(seed: int, frailty: float) -> dict[str, Any]:
    """No planted effect: how often each test (wrongly) reports one at the 5% level."""
    draw = simulate(seed + 20_000, None, frailty=frailty)
    ages = by_age_group(draw)
    infant = ages[ages["group"] == "0-0"]
    trend = rate_trend(infant)
    diff = trend_difference(ages, "0-0")
    ratio = adjusted_rate_ratio(by_ethnic_group(draw), NULL_GROUP)
    totals = _frame(draw, draw.counts.sum(axis=(2, 3, 4)), draw.cube.sum(axis=(2, 3, 4)))
    plot = funnel(totals[totals["year"] == draw.years[-1]])
    flagged = plot.units["z_adjusted"].abs()
    wide, narrow = plot.critical(0.998), plot.critical(0.95)
    return {
        "null_trend_fp": trend.excludes_null,
        "null_interaction_fp": diff.excludes_null,
        "null_ethnicity_fp": ratio.excludes_null,
        "null_funnel_flag_95": float((flagged > narrow).mean()),
        "null_funnel_flag_998": float((flagged > wide).mean()),
        "null_funnel_phi": plot.phi,
        "null_funnel_adjusted": plot.tau2 > 0,
    }


def run(seeds: range | list[int], frailty: float = 0.0) -> Iterator[dict[str, Any]]:
    """One result row per seed."""
    for seed in seeds:
        yield one_seed(seed, frailty)


def summarise(rows: pd.DataFrame) -> dict[str, float]:
    """Coverage, right-sign and false-positive rates over seeds, with Monte Carlo SEs."""
    out: dict[str, float] = {"seeds": float(len(rows))}
    for column in rows.columns:
        if column.endswith(("_covered", "_right_sign", "_fp", "_found_95", "_found_998")) or (
            column.startswith("null_funnel")
        ):
            share = float(rows[column].astype(float).mean())
            out[column] = round(share, 4)
            out[f"{column}_mc_se"] = round(float(np.sqrt(share * (1 - share) / len(rows))), 4)
    return out
