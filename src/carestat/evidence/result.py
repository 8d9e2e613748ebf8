"""The shared result of an evidence analysis and small helpers for intervals."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Finding:
    """One estimate with its interval, the test behind it and what data it covers.

    `scale` says how to read `estimate`: "percent" (percent change, null 0), "ratio" (rate ratio,
    null 1) or "share" (a proportion between 0 and 1, null given by `null`).
    """

    measure: str
    effect: str
    estimate: float
    lower: float
    upper: float
    scale: str
    null: float
    test: str
    p_value: float | None
    n_councils: int
    first_year: int | None
    last_year: int | None
    level: float = 0.95
    limits: tuple[str, ...] = field(default_factory=tuple)

    @property
    def excludes_null(self) -> bool:
        """Whether the confidence interval lies wholly on one side of the null value."""
        return bool(self.lower > self.null or self.upper < self.null)

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary for JSON output."""
        out = asdict(self)
        out["limits"] = list(self.limits)
        out["excludes_null"] = self.excludes_null
        return out


def z_value(level: float) -> float:
    """Two-sided normal quantile for a confidence level (1.96 for 0.95)."""
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson_interval(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (good coverage for small counts)."""
    if trials <= 0:
        return (float("nan"), float("nan"))
    z = z_value(level)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def year_span(years: Any) -> tuple[int | None, int | None]:
    """First and last year in a column of years (None when empty)."""
    values = np.asarray(years)
    if values.size == 0:
        return (None, None)
    return (int(values.min()), int(values.max()))


def share_finding(
    measure: str, successes: int, trials: int, n_councils: int,
    years: tuple[int | None, int | None], limits: tuple[str, ...], level: float = 0.95,
) -> Finding:  # fmt: skip
    """A proportion successes/trials with its Wilson interval (no null hypothesis is tested)."""
    lower, upper = wilson_interval(successes, trials, level)
    return Finding(
        measure=measure,
        effect="share",
        estimate=successes / trials if trials else float("nan"),
        lower=lower,
        upper=upper,
        scale="share",
        null=float("nan"),
        test="Wilson score interval for a proportion",
        p_value=None,
        n_councils=n_councils,
        first_year=years[0],
        last_year=years[1],
        level=level,
        limits=limits,
    )
