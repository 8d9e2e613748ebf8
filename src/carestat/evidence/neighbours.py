"""A council against its statistical neighbours: rate ratio to the pooled group and ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from carestat.evidence.result import Finding, year_span, z_value


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
