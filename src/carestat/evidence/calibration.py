"""Calibration: do the evidence methods find planted effects, and stay quiet when there are none?

Data are simulated at the count level from the synthetic generator's own entry model
(`carestat.synth`: the councils, population cube, relative rates by age, sex and ethnic group,
and `Scenario.multiplier` for planted effects), not by writing and re-reading records: entries
in `carestat synth` are exactly Poisson draws of that model per council x year x age x sex x
ethnic cell, so the counts the records would give are drawn directly, which makes 200 seeds at
30 councils x 8 years take about a minute instead of hours. `frailty` adds gamma noise per
council-year (extra-Poisson variation, as real councils show) to check robustness.

The outlier council is checked twice: a council whose rate is x2.5 in every year, for whether the
funnel plot of the last year names it (detection power); and a council whose rate steps up by a
drawn x1.3-1.7 from the 5th of the 8 years (`Scenario` outliers with `from_year`), for whether the
step-change ratio (`step_change`) recovers the planted multiplier. The null run applies the same
estimator to a council without a step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carestat.evidence.disparity import adjusted_rate_ratio
from carestat.evidence.funnel import funnel
from carestat.evidence.step_change import step_change
from carestat.evidence.trend import rate_trend, trend_difference
from carestat.synth.councils import Council, pick_councils
from carestat.synth.generate import MEAN_STOCK_RATE, STARTS_PER_10K
from carestat.synth.population import ETHNIC_CODES, ETHNIC_RATE_RATIO, population_cube
from carestat.synth.population import relative_rates as synth_rates
from carestat.synth.scenario import Scenario

YEARS = tuple(range(2019, 2027))
LAS = 30  # councils in each simulated country
STEP_YEAR = YEARS[4]  # a step outlier's multiplier applies from the 5th of the 8 years
STEP_RANGE = (1.3, 1.7)  # the step's multiplier is drawn from this range
FOCUS_GROUP = "MWBC"  # planted extra ratio on this group
NULL_GROUP = "MWAS"  # built-in ratio 1.0 to White British: a true null
AGE_GROUPS = ((0, 1), (1, 5), (5, 10), (10, 16), (16, 18))


@dataclass(frozen=True)
class Draw:
    """Simulated counts (council, year, age, sex, ethnic), their model means, cube and councils."""

    counts: np.ndarray
    cube: np.ndarray
    councils: list[str]
    years: tuple[int, ...]
    means: np.ndarray


def simulate(
    seed: int, scenario: Scenario | None, las: int = LAS, years: tuple[int, ...] = YEARS,
    frailty: float = 0.0,
) -> Draw:  # fmt: skip
    """Entry counts drawn from the synthetic generator's model, with planted effects."""
    rng = np.random.default_rng(seed)
    councils, cube, means = model_means(rng, scenario, las, years)
    counts = np.zeros_like(cube)
    for i in range(len(councils)):
        for j in range(len(years)):
            noise = rng.gamma(1 / frailty, frailty) if frailty > 0 else 1.0
            counts[i, j] = rng.poisson(means[i, j] * noise)
    return Draw(counts, cube, [c.code for c in councils], years, means)


def model_means(
    rng: np.random.Generator, scenario: Scenario | None, las: int, years: tuple[int, ...]
) -> tuple[list[Council], np.ndarray, np.ndarray]:
    """Councils, population cube and expected entries per cell, drawn as `synth.generate` draws
    them (the same councils and cube for the same seed)."""
    councils = pick_councils(las, rng)
    cube = population_cube(councils, list(years), rng)
    rel = synth_rates()
    share_age = (cube.sum(axis=(0, 1))[None] * rel).sum() / cube.sum()
    scale = STARTS_PER_10K / 10_000 / share_age
    means = np.zeros(cube.shape, dtype=float)
    for i, council in enumerate(councils):
        base = rel * scale * council.stock_rate / MEAN_STOCK_RATE
        for j, year in enumerate(years):
            rate = base if scenario is None else base * scenario.multiplier(council.code, year,
                                                                               years[0])  # fmt: skip
            means[i, j] = cube[i, j] * rate
    return councils, cube, means


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
    planted, growth, extra = planted_scenario(seed)
    out: dict[str, Any] = {"seed": seed, "growth": growth}
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
    out |= _step_outlier(seed, frailty)
    out |= _null(seed, frailty)
    return out


def planted_scenario(seed: int, extra: float = 1.5) -> tuple[Scenario, float, float]:
    """The planted scenario of a seed: infant growth of 3-6% a year (drawn), ethnicity ratio."""
    growth = float(np.random.default_rng([seed, 7]).uniform(3, 6))
    scenario = Scenario(
        infant_growth=({"councils": "all", "percent_per_year": growth},),
        ethnicity=({"councils": "all", "groups": [FOCUS_GROUP], "rate_ratio": extra},),
    )
    return scenario, growth, extra


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
    target = pick_councils(LAS, np.random.default_rng(seed + 10_000))[0].code  # as simulate's
    scenario = Scenario(outliers=({"councils": [target], "rate_multiplier": multiplier},))
    draw = simulate(seed + 10_000, scenario, frailty=frailty)
    last = _frame(draw, draw.counts.sum(axis=(2, 3, 4)), draw.cube.sum(axis=(2, 3, 4)))
    plot = funnel(last[last["year"] == draw.years[-1]])
    z = float(plot.units.loc[plot.units["unit"] == target, "z_adjusted"].iloc[0])
    return {
        "outlier_z": z,
        "outlier_found_95": z > 0 and target in plot.outliers(0.95),
        "outlier_found_998": z > 0 and target in plot.outliers(0.998),
    }


def _step_outlier(seed: int, frailty: float) -> dict[str, Any]:
    """A council whose rate steps up from the 5th year: is the planted multiplier recovered?"""
    target = pick_councils(LAS, np.random.default_rng(seed + 30_000))[0].code
    multiplier = float(np.random.default_rng([seed, 8]).uniform(*STEP_RANGE))
    outlier = {"councils": [target], "rate_multiplier": multiplier, "from_year": STEP_YEAR}
    draw = simulate(seed + 30_000, Scenario(outliers=(outlier,)), frailty=frailty)
    totals = _frame(draw, draw.counts.sum(axis=(2, 3, 4)), draw.cube.sum(axis=(2, 3, 4)))
    ratio = step_change(totals, target, STEP_YEAR)
    checks = _check("outlier", ratio.estimate, ratio.lower, ratio.upper, multiplier, 1.0)
    return {"outlier_multiplier": multiplier, **checks}


def _null(seed: int, frailty: float) -> dict[str, Any]:
    """No planted effect: how often each test (wrongly) reports one at the 5% level."""
    draw = simulate(seed + 20_000, None, frailty=frailty)
    ages = by_age_group(draw)
    infant = ages[ages["group"] == "0-0"]
    trend = rate_trend(infant)
    diff = trend_difference(ages, "0-0")
    ratio = adjusted_rate_ratio(by_ethnic_group(draw), NULL_GROUP)
    totals = _frame(draw, draw.counts.sum(axis=(2, 3, 4)), draw.cube.sum(axis=(2, 3, 4)))
    last = totals[totals["year"] == draw.years[-1]]
    # the same councils with one common rate: pure Poisson, no overdispersion at all
    rng = np.random.default_rng([seed, 20_000])
    common = last.assign(count=rng.poisson(last["population"] * last["count"].sum()
                                           / last["population"].sum()))  # fmt: skip
    step = step_change(totals, draw.councils[0], STEP_YEAR)  # no council has a step
    return {
        "null_trend_fp": trend.excludes_null,
        "null_interaction_fp": diff.excludes_null,
        "null_ethnicity_fp": ratio.excludes_null,
        "null_outlier_fp": step.excludes_null,
        **_funnel_flags("null_funnel", last),
        **_funnel_flags("poisson_funnel", common),
    }


def _funnel_flags(name: str, data: pd.DataFrame) -> dict[str, Any]:
    """Share of councils outside the 95% and 99.8% limits, phi and whether tau2 > 0."""
    plot = funnel(data)
    flags = plot.units["flag"]
    return {
        f"{name}_flag_95": float((flags != "").mean()),
        f"{name}_flag_998": float(flags.str.contains("99.8").mean()),
        f"{name}_phi": plot.phi,
        f"{name}_adjusted": plot.tau2 > 0,
    }


def run(seeds: range | list[int], frailty: float = 0.0) -> Iterator[dict[str, Any]]:
    """One result row per seed."""
    for seed in seeds:
        yield one_seed(seed, frailty)


def summarise(rows: pd.DataFrame) -> dict[str, float]:
    """Coverage, right-sign and false-positive rates over seeds, with Monte Carlo SEs.

    Funnel flag rates are shares of councils: their MC error is the spread of the per-seed shares
    (councils within a seed share one estimate of tau2, so they are not independent).
    """
    out: dict[str, float] = {"seeds": float(len(rows))}
    for column in rows.columns:
        values = rows[column].astype(float)
        if column.endswith(("_covered", "_right_sign", "_significant", "_fp", "_found_95",
                            "_found_998", "_adjusted")):  # fmt: skip
            share = float(values.mean())
            out[column] = round(share, 4)
            out[f"{column}_mc_se"] = round(float(np.sqrt(share * (1 - share) / len(rows))), 4)
        elif "_flag_" in column:
            out[column] = round(float(values.mean()), 4)
            out[f"{column}_mc_se"] = round(float(values.std(ddof=1) / np.sqrt(len(rows))), 4)
        elif column.endswith("_phi"):
            out[column] = round(float(values.mean()), 3)
    return out
