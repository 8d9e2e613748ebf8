"""Count models with a log-population offset and fixed effects, allowing overdispersion.

Why fixed effects: councils differ several-fold in their rates (about 25 to 190 per 10,000), so a
trend or interaction must be estimated within councils. Poisson regression with fixed effects is
consistent for the within-council coefficients whatever the true variance (the Poisson "incidental
parameters" problem does not bias the slopes), so the remaining question is only the standard error,
which each `dispersion` option handles differently:

- "quasi": quasi-Poisson, variance = phi * mean with phi from the Pearson statistic (McCullagh &
  Nelder 1989, s.4.5). Simple and robust when councils are of similar size.
- "negbin": negative binomial, variance = mean + alpha * mean**2 with alpha by moments from the
  Poisson fit, then the GLM refitted with that alpha and a Pearson scale on top.
- "cluster": Poisson with standard errors robust to any variance and to correlation between the
  years of one council (clustered by council); needs a good number of councils (30 or more).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

DISPERSIONS = ("quasi", "negbin", "cluster")


@dataclass(frozen=True)
class Fit:
    """Coefficients, standard errors and p-values of the named (non-fixed-effect) terms."""

    coef: dict[str, float]
    se: dict[str, float]
    p_value: dict[str, float]
    scale: float
    n_obs: int


def fit_count_model(
    frame: pd.DataFrame,
    terms: list[str],
    strata: str,
    count: str = "count",
    exposure: str = "population",
    dispersion: str = "quasi",
    cluster: str | None = None,
) -> Fit:
    """Fit count ~ fixed effect per `strata` + `terms`, offset log(exposure); return the terms."""
    if dispersion not in DISPERSIONS:
        raise ValueError(f"dispersion must be one of {', '.join(DISPERSIONS)}, not {dispersion!r}")
    data = _usable(frame, strata, count, exposure)
    dummies = pd.get_dummies(data[strata].astype(str), dtype=float)
    design = pd.concat([dummies, data[terms].astype(float)], axis=1)
    y = data[count].to_numpy(float)
    offset = np.log(data[exposure].to_numpy(float))
    poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset)
    if dispersion == "cluster":
        groups = pd.factorize(data[cluster or strata])[0]
        result = poisson.fit(cov_type="cluster", cov_kwds={"groups": groups})
    elif dispersion == "quasi":
        result = poisson.fit(scale="X2")
    else:
        alpha = _moment_alpha(y, poisson.fit().mu, design.shape[1])
        family = sm.families.NegativeBinomial(alpha=alpha)
        result = sm.GLM(y, design, family=family, offset=offset).fit(scale="X2")
    return Fit(
        coef={t: float(result.params[t]) for t in terms},
        se={t: float(result.bse[t]) for t in terms},
        p_value={t: float(result.pvalues[t]) for t in terms},
        scale=float(result.scale),
        n_obs=len(y),
    )


def _usable(frame: pd.DataFrame, strata: str, count: str, exposure: str) -> pd.DataFrame:
    """Rows with a positive exposure, in strata that have at least one event (others carry no
    information about within-stratum terms and would make the fixed effect minus infinity)."""
    data = frame[frame[exposure] > 0]
    totals = data.groupby(strata, observed=True)[count].transform("sum")
    data = data[totals > 0].reset_index(drop=True)
    if data.empty:
        raise ValueError("no rows with a positive population and at least one event")
    return data


def _moment_alpha(y: np.ndarray, mu: np.ndarray, n_params: int) -> float:
    """Method-of-moments negative binomial alpha from a Poisson fit (never below a tiny floor)."""
    dof = max(len(y) - n_params, 1)
    alpha = float(np.sum(((y - mu) ** 2 - y) / mu**2) / dof)
    return max(alpha, 1e-8)
