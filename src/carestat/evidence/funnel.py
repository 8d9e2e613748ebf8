"""Funnel plots with overdispersion-adjusted limits, named outliers and statistical neighbours.

Method (no maintained Python library implements it, so it is written here from the papers):
Spiegelhalter DJ (2005) "Funnel plots for comparing institutional performance", Statistics in
Medicine 24:1185-1202; Spiegelhalter DJ, Sherlaw-Johnson C, Bardsley M, Blunt I, Wood C, Grigg O
(2012) "Statistical methods for healthcare regulation: rating, screening and surveillance",
JRSS A 175:1-47.

1. Each unit's indicator is put on a variance-stabilising scale: square root of the ratio O/E for
   rates (target 1, s = 1 / (2 sqrt(E)), E = target rate x population; copes with zero counts),
   log O/E (target 0, s = 1 / sqrt(E)), or the arcsine of the square root for proportions (target
   asin(sqrt(p0)), s = 1 / (2 sqrt(n))); z = (y - target) / s.
2. The z-scores are Winsorised (default 10% at each end: values beyond the 10th and 90th centiles
   are set to them) or truncated (dropped, as NHS Digital's SHMI does), and the multiplicative
   overdispersion factor is phi = mean of the squared trimmed z-scores.
3. The additive random-effects variance, DerSimonian-Laird style, is
   tau2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w)), w = 1 / s^2, and is 0 when
   I phi < I - 1 (no evidence of overdispersion).
4. Adjusted z = (y - target) / sqrt(s^2 + tau2); limits are target +/- z_alpha sqrt(s^2 + tau2),
   transformed back, at 95% (1.96) and 99.8% (3.09).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carestat.evidence.result import Finding, year_span, z_value

LEVELS = (0.95, 0.998)
TRANSFORMS = ("sqrt", "log", "arcsine")


@dataclass(frozen=True)
class Funnel:
    """Target, overdispersion estimates and one row per unit with z-scores, limits and flags."""

    target: float
    phi: float
    tau2: float
    transform: str
    units: pd.DataFrame

    def outliers(self, level: float = 0.998) -> list[str]:
        """Units outside the (adjusted) limits at `level`, highest z first."""
        z = z_value(level)
        out = self.units[self.units["z_adjusted"].abs() > z]
        return [str(u) for u in out.sort_values("z_adjusted", ascending=False)["unit"]]

    def limits(self, denominators: Sequence[float]) -> pd.DataFrame:
        """Control limits (rate or proportion scale) along a grid of denominators, for drawing."""
        n = np.asarray(denominators, dtype=float)
        table = pd.DataFrame({"denominator": n})
        s = _spread(self.transform, self.target, n)
        for level in LEVELS:
            lower, upper = _limits(self.transform, self.target, s, self.tau2, level)
            table[f"lower_{_pct(level)}"], table[f"upper_{_pct(level)}"] = lower, upper
        return table


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
) -> Funnel:
    """Funnel plot data for count/denominator per unit, overdispersion-adjusted by default.

    `transform` "sqrt" or "log" treats the indicator as a rate (count per unit of denominator),
    "arcsine" as a proportion. `target` defaults to the pooled value sum(count) / sum(denominator);
    pass 1.0 with expected counts as the denominator for indirectly standardised ratios.
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
    phi, tau2 = overdispersion(z, s, trim, trim_method) if adjust else (1.0, 0.0)
    units = pd.DataFrame({"unit": cells[unit], "count": o, "denominator": n, "value": o / n})
    units["z"] = z
    units["z_adjusted"] = (y - centre) / np.sqrt(s**2 + tau2)
    for level in LEVELS:
        lower, upper = _limits(transform, theta, s, tau2, level)
        units[f"lower_{_pct(level)}"], units[f"upper_{_pct(level)}"] = lower, upper
    units["flag"] = _flags(units["z_adjusted"].to_numpy())
    return Funnel(target=theta, phi=phi, tau2=tau2, transform=transform, units=units)


def overdispersion(
    z: np.ndarray, s: np.ndarray, trim: float = 0.1, method: str = "winsorise"
) -> tuple[float, float]:
    """Multiplicative phi and additive tau2 from z-scores and within-unit standard errors."""
    if method not in ("winsorise", "truncate"):
        raise ValueError(f"trim method must be 'winsorise' or 'truncate', not {method!r}")
    z, s = np.asarray(z, float), np.asarray(s, float)
    low, high = np.quantile(z, [trim, 1 - trim])  # linear interpolation, R's default type 7
    if method == "winsorise":
        kept_z, kept_s = np.clip(z, low, high), s
    else:
        kept = _truncation_keep(z, trim)
        kept_z, kept_s = z[kept], s[kept]
    count = len(kept_z)
    phi = float(np.mean(kept_z**2))
    if count * phi < count - 1:
        return phi, 0.0
    w = 1.0 / kept_s**2
    tau2 = (count * phi - (count - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return phi, float(max(0.0, tau2))


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


def _limits(
    kind: str, theta: float, s: np.ndarray, tau2: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits back on the rate or proportion scale."""
    half = z_value(level) * np.sqrt(np.asarray(s) ** 2 + tau2)
    if kind == "sqrt":
        return theta * np.clip(1 - half, 0, None) ** 2, theta * (1 + half) ** 2
    if kind == "log":
        return theta * np.exp(-half), theta * np.exp(half)
    centre = np.arcsin(np.sqrt(theta))
    low, high = np.clip(centre - half, 0, np.pi / 2), np.clip(centre + half, 0, np.pi / 2)
    return np.sin(low) ** 2, np.sin(high) ** 2


def _flags(z: np.ndarray) -> list[str]:
    """'high'/'low' with the widest limit crossed ('99.8%' or '95%'), or '' inside the funnel."""
    out = []
    for value in z:
        side = "high" if value > 0 else "low"
        if abs(value) > z_value(0.998):
            out.append(f"{side} 99.8%")
        elif abs(value) > z_value(0.95):
            out.append(f"{side} 95%")
        else:
            out.append("")
    return out


def _pct(level: float) -> str:
    """Column suffix for a level: 95 or 99.8."""
    return f"{level * 100:g}"


@dataclass(frozen=True)
class NeighbourComparison:
    """A council against its statistical neighbours: a rate ratio finding and the ranked table."""

    finding: Finding
    table: pd.DataFrame


def compare_with_neighbours(
    data: pd.DataFrame,
    council: str,
    neighbours: Sequence[str],
    measure: str = "rate",
    *,
    unit: str = "la",
    year: str = "year",
    count: str = "count",
    denominator: str = "population",
    level: float = 0.95,
) -> NeighbourComparison:
    """Rate ratio of `council` to its neighbours pooled (log-scale Poisson CI) and their ranking."""
    wanted = [council, *[n for n in neighbours if n != council]]
    subset = data[data[unit].isin(wanted)]
    table = subset.groupby(unit, as_index=False)[[count, denominator]].sum()
    missing = sorted(set(wanted) - set(table[unit]))
    if council in missing:
        raise ValueError(f"council {council} has no rows")
    table["rate"] = table[count] / table[denominator]
    table["rank"] = table["rate"].rank(ascending=False, method="min").astype(int)
    own = table[table[unit] == council].iloc[0]
    rest = table[table[unit] != council]
    a, b = float(own[count]) or 0.5, float(rest[count].sum()) or 0.5  # Haldane for zero counts
    ratio = (a / own[denominator]) / (b / rest[denominator].sum())
    se = np.sqrt(1 / a + 1 / b)
    z = z_value(level)
    first, last = year_span(subset[year]) if year in subset else (None, None)
    limits = ["neighbours are compared as one pooled group, without adjusting for age or need"]
    if missing:
        limits.append(f"no data for neighbours {', '.join(missing)}")
    finding = Finding(
        measure=measure,
        effect=f"rate ratio, {council} vs {len(rest)} statistical neighbours",
        estimate=float(ratio),
        lower=float(ratio * np.exp(-z * se)),
        upper=float(ratio * np.exp(z * se)),
        scale="ratio",
        null=1.0,
        test="Poisson rate ratio with log-scale Wald interval",
        p_value=float(2 * _normal_sf(abs(np.log(ratio)) / se)),
        n_councils=len(table),
        first_year=first,
        last_year=last,
        level=level,
        limits=tuple(limits),
    )
    return NeighbourComparison(finding, table.sort_values("rank").reset_index(drop=True))


def _normal_sf(x: float) -> float:
    """Upper tail of the standard normal."""
    from scipy.stats import norm

    return float(norm.sf(x))
