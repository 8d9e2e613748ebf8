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
  The default for trends: it keeps the nominal false-positive rate when councils differ in size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

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
    y = data[count].to_numpy(float)
    offset = np.log(data[exposure].to_numpy(float))
    x = data[terms].to_numpy(float)
    codes = pd.factorize(data[strata])[0]
    if dispersion == "negbin":
        return _negbin(data, terms, strata, y, offset)
    beta, mu, xc = _profile_poisson(y, x, offset, codes)
    hessian_inv = np.linalg.inv((xc * mu[:, None]).T @ xc)
    if dispersion == "quasi":
        dof = max(len(y) - (codes.max() + 1) - len(terms), 1)
        scale = float(np.sum((y - mu) ** 2 / mu) / dof)
        cov = scale * hessian_inv
    else:
        groups = pd.factorize(data[cluster or strata])[0]
        scores = np.stack([np.bincount(groups, (y - mu) * xc[:, j]) for j in range(len(terms))], 1)
        n_groups = len(scores)
        cov = hessian_inv @ (scores.T @ scores) @ hessian_inv * n_groups / max(n_groups - 1, 1)
        scale = 1.0
    se = np.sqrt(np.diag(cov))
    p_values = 2 * stats.norm.sf(np.abs(beta / se))
    return Fit(
        coef=dict(zip(terms, map(float, beta), strict=True)),
        se=dict(zip(terms, map(float, se), strict=True)),
        p_value=dict(zip(terms, map(float, p_values), strict=True)),
        scale=scale,
        n_obs=len(y),
    )


def _profile_poisson(
    y: np.ndarray, x: np.ndarray, offset: np.ndarray, codes: np.ndarray, steps: int = 50
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Newton-Raphson on the Poisson likelihood with the stratum effects profiled out.

    For Poisson regression each stratum's fixed effect has the closed form
    log(sum y / sum exp(offset + x beta)) over the stratum, so only the few named terms are
    iterated (exact, and far faster than a dense design matrix with one column per stratum).
    Returns beta, the fitted means and x centred within strata (weighted by the means).
    """
    beta = np.zeros(x.shape[1])
    total_y = np.bincount(codes, y)
    for _ in range(steps):
        eta = offset + x @ beta
        expected = np.exp(eta - eta.max())
        mu = expected * (total_y / np.bincount(codes, expected))[codes]
        weights = np.bincount(codes, mu)
        means = np.stack([np.bincount(codes, mu * x[:, j]) for j in range(x.shape[1])], 1)
        xc = x - (means / np.maximum(weights, 1e-300)[:, None])[codes]
        step = np.linalg.solve((xc * mu[:, None]).T @ xc, xc.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta, mu, xc


def _negbin(
    data: pd.DataFrame, terms: list[str], strata: str, y: np.ndarray, offset: np.ndarray
) -> Fit:
    """Negative binomial GLM with a dense fixed-effect design (slower; small data only)."""
    dummies = pd.get_dummies(data[strata].astype(str), dtype=float)
    design = pd.concat([dummies, data[terms].astype(float)], axis=1)
    poisson = GLM(y, design, family=families.Poisson(), offset=offset)
    alpha = _moment_alpha(y, poisson.fit().mu, design.shape[1])
    family = families.NegativeBinomial(alpha=alpha)
    result = GLM(y, design, family=family, offset=offset).fit(scale="X2")
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
