"""Funnel plots with overdispersion-adjusted limits and named outliers.

Method (no maintained Python library implements it, so it is written here from the papers):
Spiegelhalter DJ (2005) "Funnel plots for comparing institutional performance", Statistics in
Medicine 24:1185-1202; Spiegelhalter DJ, Sherlaw-Johnson C, Bardsley M, Blunt I, Wood C, Grigg O
(2012) "Statistical methods for healthcare regulation: rating, screening and surveillance",
JRSS A 175:1-47; the limits of an additive random-effects model are prediction intervals for a
unit, given on a t scale as in Higgins JPT, Thompson SG, Spiegelhalter DJ (2009) "A re-evaluation
of random-effects meta-analysis", JRSS A 172:137-159.

1. Each unit's indicator is put on a variance-stabilising scale: square root of the ratio O/E for
   rates (target 1, s = 1 / (2 sqrt(E)), E = target rate x population; copes with zero counts),
   log O/E (target 0, s = 1 / sqrt(E)), or the arcsine of the square root for proportions (target
   asin(sqrt(p0)), s = 1 / (2 sqrt(n))); z = (y - target) / s.
2. Overdispersion test: sum z^2 against chi-square on I - 1 degrees of freedom (the Pearson test;
   untrimmed, so that it has its nominal size). Without evidence at the 5% level, tau2 = 0 and the
   limits are the plain ones.
3. Multiplicative phi from trimmed z-scores, so that outlying units do not inflate it: Winsorised
   (default 10% at each end: values beyond the 10th and 90th centiles are set to them) or
   truncated (dropped, as NHS Digital's SHMI does). Winsorising z-scores that are normal with
   variance phi gives about 0.68 phi, so the Winsorised mean of z^2 is divided by its expectation
   for a standard normal (the consistency factor; without it, simulations of 30 councils put 11%
   of null councils outside the 95% limits; docs/explanation/evidence-methods.md). The truncated
   (SHMI) estimate is left as NHS Digital defines it.
4. The additive random-effects variance, DerSimonian-Laird style, is
   tau2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w)), w = 1 / s^2.
5. Adjusted z = (y - target) / sqrt(s^2 + tau2); limits are target +/- q sqrt(s^2 + tau2),
   transformed back, at 95% and 99.8%, where q is the normal quantile (1.96, 3.09) when tau2 = 0
   and the t quantile on I - 2 degrees of freedom when tau2 is estimated (it is uncertain with few
   units: with 30 councils normal quantiles flag about twice the nominal 0.2%).
6. Without overdispersion (tau2 = 0), rates get exact Poisson limits on the count scale,
   interpolated between integers as in Spiegelhalter (2005, appendix): the normal approximation
   flags 6-13% of pure Poisson units at the 95% level when expected counts are 2-20 (rare events
   such as adoptions in small councils). Proportions keep the arcsine limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from carestat.evidence.result import z_value

LEVELS = (0.95, 0.998)
TRANSFORMS = ("sqrt", "log", "arcsine")
OVERDISPERSION_TEST_LEVEL = 0.05


@dataclass(frozen=True)
class Funnel:
    """Target, overdispersion estimates and one row per unit with z-scores, limits and flags.

    `overdispersion_p` is the p-value of the chi-square test of overdispersion; `df` the degrees of
    freedom of the t quantiles behind the limits (None: normal quantiles, tau2 = 0).
    """

    target: float
    phi: float
    tau2: float
    transform: str
    units: pd.DataFrame
    overdispersion_p: float = 1.0
    df: int | None = None

    def critical(self, level: float) -> float:
        """Two-sided critical value of the adjusted z-score at `level`."""
        return critical_value(level, self.df)

    def outliers(self, level: float = 0.998) -> list[str]:
        """Units outside the (adjusted) limits at `level`, highest z first."""
        units, pct = self.units, _pct(level)
        outside = (units["value"] > units[f"upper_{pct}"]) | (
            units["value"] < units[f"lower_{pct}"]
        )
        out = units[outside]
        return [str(u) for u in out.sort_values("z_adjusted", ascending=False)["unit"]]

    def limits(self, denominators: Sequence[float]) -> pd.DataFrame:
        """Control limits (rate or proportion scale) along a grid of denominators, for drawing."""
        n = np.asarray(denominators, dtype=float)
        table = pd.DataFrame({"denominator": n})
        for level in LEVELS:
            lower, upper = _unit_limits(self.transform, self.target, n, self.tau2, level, self.df)
            table[f"lower_{_pct(level)}"], table[f"upper_{_pct(level)}"] = lower, upper
        return table


def critical_value(level: float, df: int | None = None) -> float:
    """Normal (df None) or t quantile for a two-sided `level`."""
    return z_value(level) if df is None else float(stats.t.ppf(0.5 + level / 2, df))


def funnel(
    data: pd.DataFrame,
    *,
    unit: str = "la",
    count: str = "count",
    denominator: str = "population",
    transform: str = "sqrt",
    target: float | None = None,
    trim: float = 0.1,
    trim_method: str = "winsorise",
    adjust: bool = True,
    test_level: float | None = OVERDISPERSION_TEST_LEVEL,
) -> Funnel:
    """Funnel plot data for count/denominator per unit, overdispersion-adjusted by default.

    `transform` "sqrt" or "log" treats the indicator as a rate (count per unit of denominator),
    "arcsine" as a proportion. `target` defaults to the pooled value sum(count) / sum(denominator);
    pass 1.0 with expected counts as the denominator for indirectly standardised ratios.
    `test_level` None adjusts whenever tau2 > 0, without testing for overdispersion first.
    """
    if transform not in TRANSFORMS:
        raise ValueError(f"transform must be one of {', '.join(TRANSFORMS)}, not {transform!r}")
    cells = data.groupby(unit, as_index=False)[[count, denominator]].sum()
    cells = cells[cells[denominator] > 0].reset_index(drop=True)
    o, n = cells[count].to_numpy(float), cells[denominator].to_numpy(float)
    theta = float(o.sum() / n.sum()) if target is None else float(target)
    y, centre = _transform(transform, theta, o, n)
    s = _spread(transform, theta, n)
    z = (y - centre) / s
    p_value = overdispersion_test(z)
    phi, tau2 = overdispersion(z, s, trim, trim_method) if adjust else (1.0, 0.0)
    if test_level is not None and p_value >= test_level:
        tau2 = 0.0  # no evidence of overdispersion: plain limits
    df = len(z) - 2 if tau2 > 0 and len(z) > 2 else None
    units = pd.DataFrame({"unit": cells[unit], "count": o, "denominator": n, "value": o / n})
    units["z"] = z
    units["z_adjusted"] = (y - centre) / np.sqrt(s**2 + tau2)
    for level in LEVELS:
        lower, upper = _unit_limits(transform, theta, n, tau2, level, df)
        units[f"lower_{_pct(level)}"], units[f"upper_{_pct(level)}"] = lower, upper
    units["flag"] = _flags(units)
    return Funnel(theta, phi, tau2, transform, units, p_value, df)


def overdispersion_test(z: np.ndarray) -> float:
    """P-value of the Pearson test of overdispersion: sum z^2 against chi-square on I - 1 df."""
    z = np.asarray(z, float)
    if len(z) < 2:
        return 1.0
    return float(stats.chi2.sf(float(np.sum(z**2)), len(z) - 1))


def overdispersion(
    z: np.ndarray,
    s: np.ndarray,
    trim: float = 0.1,
    method: str = "winsorise",
    consistent: bool = True,
) -> tuple[float, float]:
    """Multiplicative phi and additive tau2 from z-scores and within-unit standard errors.

    `consistent` divides the Winsorised phi by its value for standard normal z-scores (so that
    phi is about 1 without overdispersion); False gives the papers' uncorrected estimate.
    """
    if method not in ("winsorise", "truncate"):
        raise ValueError(f"trim method must be 'winsorise' or 'truncate', not {method!r}")
    z, s = np.asarray(z, float), np.asarray(s, float)
    low, high = np.quantile(z, [trim, 1 - trim])  # linear interpolation, R's default type 7
    if method == "winsorise":
        kept_z, kept_s = np.clip(z, low, high), s
        scale = winsorised_normal_moment(trim) if consistent else 1.0
    else:
        kept = _truncation_keep(z, trim)
        kept_z, kept_s, scale = z[kept], s[kept], 1.0
    count = len(kept_z)
    phi = float(np.mean(kept_z**2)) / scale
    if count * phi < count - 1:
        return phi, 0.0
    w = 1.0 / kept_s**2
    tau2 = (count * phi - (count - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return phi, float(max(0.0, tau2))


def winsorised_normal_moment(trim: float) -> float:
    """E[w(Z)^2] for standard normal Z Winsorised at its `trim` and 1 - `trim` quantiles."""
    if trim <= 0:
        return 1.0
    k = float(stats.norm.ppf(1 - trim))
    return (1 - 2 * trim) - 2 * k * float(stats.norm.pdf(k)) + 2 * trim * k * k


def _truncation_keep(z: np.ndarray, trim: float) -> np.ndarray:
    """Units kept by SHMI-style truncation: rank groups strictly inside the trimmed tails."""
    groups = round(1 / trim)
    ranks = pd.Series(z).rank(method="average").to_numpy()
    bucket = np.floor(ranks * groups / (len(z) + 1))
    return np.asarray((bucket > 0) & (bucket < groups - 1))


def _transform(kind: str, theta: float, o: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, float]:
    """Indicator on the transformed scale and the target on that scale."""
    if kind == "sqrt":
        return np.sqrt(o / (theta * n)), 1.0
    if kind == "log":
        with np.errstate(divide="ignore"):
            return np.log(o / (theta * n)), 0.0
    return np.arcsin(np.sqrt(o / n)), float(np.arcsin(np.sqrt(theta)))


def _spread(kind: str, theta: float, n: np.ndarray) -> np.ndarray:
    """Within-unit standard error on the transformed scale."""
    if kind == "sqrt":
        return 1.0 / (2.0 * np.sqrt(theta * n))
    if kind == "log":
        return 1.0 / np.sqrt(theta * n)
    return 1.0 / (2.0 * np.sqrt(n))


def _unit_limits(
    kind: str, theta: float, n: np.ndarray, tau2: float, level: float, df: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Limits at `level` for denominators `n`: exact Poisson for rates without overdispersion."""
    if tau2 == 0 and kind in ("sqrt", "log"):
        expected = theta * np.asarray(n, float)
        low = poisson_limit(expected, (1 - level) / 2)
        high = poisson_limit(expected, (1 + level) / 2)
        return low / n, high / n
    return _limits(kind, theta, _spread(kind, theta, n), tau2, critical_value(level, df))


def poisson_limit(expected: np.ndarray, p: float) -> np.ndarray:
    """The p-quantile of Poisson counts with mean `expected`, interpolated between integers.

    r is the smallest count with P(O <= r) >= p; the limit is r - a, where
    a = (P(O <= r) - p) / P(O = r) (Spiegelhalter 2005, appendix A.1.2).
    """
    mu = np.asarray(expected, float)
    r = stats.poisson.ppf(p, mu)
    at_r, below = stats.poisson.cdf(r, mu), stats.poisson.cdf(r - 1, mu)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(at_r > below, (at_r - p) / (at_r - below), 0.0)
    return np.maximum(r - a, 0.0)


def _limits(
    kind: str, theta: float, s: np.ndarray, tau2: float, critical: float
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits back on the rate or proportion scale."""
    half = critical * np.sqrt(np.asarray(s) ** 2 + tau2)
    if kind == "sqrt":
        return theta * np.clip(1 - half, 0, None) ** 2, theta * (1 + half) ** 2
    if kind == "log":
        return theta * np.exp(-half), theta * np.exp(half)
    centre = np.arcsin(np.sqrt(theta))
    low, high = np.clip(centre - half, 0, np.pi / 2), np.clip(centre + half, 0, np.pi / 2)
    return np.sin(low) ** 2, np.sin(high) ** 2


def _flags(units: pd.DataFrame) -> list[str]:
    """'high'/'low' with the widest limit crossed ('99.8%' or '95%'), or '' inside the funnel."""
    value = units["value"].to_numpy()
    out = []
    for i, v in enumerate(value):
        label = ""
        for level in ("95", "99.8"):  # the widest crossed wins
            if v > units[f"upper_{level}"].iat[i]:
                label = f"high {level}%"
            elif v < units[f"lower_{level}"].iat[i]:
                label = f"low {level}%"
        out.append(label)
    return out


def _pct(level: float) -> str:
    """Column suffix for a level: 95 or 99.8."""
    return f"{level * 100:g}"
