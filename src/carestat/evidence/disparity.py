"""Rates by group (e.g. ethnicity) against the population, and relative rate indices with CIs.

The relative rate index (RRI) of a group is its rate divided by a reference rate: a named reference
group (e.g. White British, WBRI) or all other groups together. Its interval is computed on the log
scale, se = sqrt(phi * (1/a + 1/b)) for event counts a and b, where phi >= 1 is a quasi-Poisson
overdispersion factor estimated from the council x year x group cells (so variation between
councils and years beyond Poisson noise widens the intervals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from carestat.evidence.result import Finding, wilson_interval, year_span, z_value

PER = 10_000


@dataclass(frozen=True)
class RateRatios:
    """One row per (by..., group): count, population, rate per 10,000, RRI, CI and p-value."""

    table: pd.DataFrame
    reference: str
    phi: float
    n_councils: int
    first_year: int | None
    last_year: int | None

    def finding(self, group: str, measure: str, level: float = 0.95) -> Finding:
        """The national (unstratified) RRI of one group as a Finding."""
        row = self.table[self.table["group"] == group]
        if len(row) != 1:
            raise ValueError(f"need exactly one row for group {group!r}; stratified tables differ")
        r = row.iloc[0]
        return Finding(
            measure=measure,
            effect=f"relative rate index, {group} vs {self.reference}",
            estimate=float(r["rri"]),
            lower=float(r["lower"]),
            upper=float(r["upper"]),
            scale="ratio",
            null=1.0,
            test="log-scale Wald interval for a rate ratio, quasi-Poisson overdispersion",
            p_value=float(r["p_value"]),
            n_councils=self.n_councils,
            first_year=self.first_year,
            last_year=self.last_year,
            level=level,
            limits=(
                "population estimates by ethnic group are uncertain, especially for small groups",
                "ethnicity is recorded differently in the return and in population estimates",
            ),
        )


def relative_rate_index(
    data: pd.DataFrame,
    *,
    group: str = "ethnic",
    reference: str | None = "WBRI",
    by: Sequence[str] = (),
    council: str = "la",
    year: str = "year",
    count: str = "count",
    population: str = "population",
    phi: float | None = None,
    level: float = 0.95,
) -> RateRatios:
    """Rates and RRIs by `group` (optionally within `by`, e.g. council or year); reference None
    compares each group with all other groups together."""
    if phi is None:
        phi = dispersion_factor(data, group, council, count, population)
    keys = [*by, group]
    cells = data.groupby(keys, as_index=False, observed=True)[[count, population]].sum()
    ref_count, ref_pop = _reference(cells, list(by), group, reference, count, population)
    a, na = cells[count].to_numpy(float), cells[population].to_numpy(float)
    a, b = _haldane(a, ref_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        rri = (a / na) / (b / ref_pop)
        se = np.sqrt(phi * (1 / a + 1 / b))
    z = z_value(level)
    table = cells.rename(columns={group: "group", count: "count", population: "population"})
    table["rate"] = PER * cells[count] / cells[population]
    table["rri"], table["lower"], table["upper"] = rri, rri * np.exp(-z * se), rri * np.exp(z * se)
    table["p_value"] = 2 * stats.norm.sf(np.abs(np.log(rri)) / se)
    if reference is not None:
        is_ref = (table["group"] == reference).to_numpy()
        table.loc[is_ref, ["rri", "lower", "upper", "p_value"]] = [1.0, np.nan, np.nan, np.nan]
    first, last = year_span(data[year]) if year in data else (None, None)
    n_councils = int(data[council].nunique()) if council in data else 0
    name = reference if reference is not None else "all other groups"
    return RateRatios(table, name, float(phi), n_councils, first, last)


def _reference(
    cells: pd.DataFrame,
    by: list[str],
    group: str,
    reference: str | None,
    count: str,
    population: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Reference count and population aligned with each row of `cells`."""
    if reference is None:
        totals = (
            cells.groupby(by)[[count, population]].transform("sum")
            if by
            else cells[[count, population]].sum().to_frame().T.loc[[0] * len(cells)]
        )
        return (
            totals[count].to_numpy(float) - cells[count].to_numpy(float),
            totals[population].to_numpy(float) - cells[population].to_numpy(float),
        )
    if reference not in set(cells[group]):
        raise ValueError(f"reference group {reference!r} is not in column {group!r}")
    ref = cells[cells[group] == reference]
    if not by:
        return (
            np.full(len(cells), float(ref[count].iloc[0])),
            np.full(len(cells), float(ref[population].iloc[0])),
        )
    merged = cells[by].merge(ref[[*by, count, population]], on=by, how="left")
    return merged[count].to_numpy(float), merged[population].to_numpy(float)


def _haldane(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add 0.5 to both counts where either is zero, so the log ratio and its SE stay finite."""
    zero = (a == 0) | (b == 0)
    return np.where(zero, a + 0.5, a), np.where(zero, b + 0.5, b)


def dispersion_factor(
    data: pd.DataFrame,
    group: str,
    council: str = "la",
    count: str = "count",
    population: str = "population",
    iterations: int = 50,
) -> float:
    """Quasi-Poisson phi (at least 1) of count ~ council + group, offset log(population).

    The two-way main-effects Poisson model is fitted by iterative proportional fitting (exact
    for this model and vectorised), then phi = Pearson chi-square / residual degrees of freedom.
    """
    d = data[data[population] > 0]
    o, n = d[count].to_numpy(float), d[population].to_numpy(float)
    rows, cols = pd.factorize(d[council])[0], pd.factorize(d[group])[0]
    a, b = np.ones(rows.max() + 1), np.ones(cols.max() + 1)
    obs_rows, obs_cols = np.bincount(rows, o), np.bincount(cols, o)
    for _ in range(iterations):
        a = obs_rows / np.maximum(np.bincount(rows, n * b[cols]), 1e-300)
        b = obs_cols / np.maximum(np.bincount(cols, n * a[rows]), 1e-300)
    mu = n * a[rows] * b[cols]
    live = mu > 0
    chi2 = float(np.sum((o[live] - mu[live]) ** 2 / mu[live]))
    dof = int(live.sum()) - (len(a) + len(b) - 1)
    return max(1.0, chi2 / dof) if dof > 0 else 1.0


def composition(
    data: pd.DataFrame, *, group: str, part: str, count: str = "count", level: float = 0.95
) -> pd.DataFrame:
    """Share of each `part` (e.g. age band of starts) within each `group`, with Wilson CIs."""
    cells = data.groupby([group, part], as_index=False, observed=True)[count].sum()
    totals = cells.groupby(group)[count].transform("sum")
    cells["share"] = cells[count] / totals
    bounds = [
        wilson_interval(int(k), int(t), level)
        for k, t in zip(cells[count], totals, strict=True)  # one per cell: a few hundred at most
    ]
    cells["lower"] = [lo for lo, _ in bounds]
    cells["upper"] = [hi for _, hi in bounds]
    return cells


def adjusted_rate_ratio(
    data: pd.DataFrame,
    group_value: str,
    *,
    group: str = "ethnic",
    reference: str = "WBRI",
    council: str = "la",
    year: str = "year",
    count: str = "count",
    population: str = "population",
    level: float = 0.95,
) -> Finding:
    """Rate ratio of one group to the reference within council-years (Poisson with council x year
    fixed effects, council-clustered standard errors).

    The crude national ratio mixes councils: groups living mostly in high-rate (or low-rate)
    councils look over- (or under-) represented for that reason alone. Comparing within each
    council and year removes that, so this is the estimate the calibration study checks.
    """
    from carestat.evidence.glm import fit_count_model

    cells = data[data[group].isin([group_value, reference])]
    cells = cells.groupby([council, year, group], as_index=False)[[count, population]].sum()
    cells["_focus"] = (cells[group] == group_value).astype(float)
    cells["_stratum"] = cells[council].astype(str) + "|" + cells[year].astype(str)
    fit = fit_count_model(cells, ["_focus"], "_stratum", count, population, "cluster", council)
    beta, se = fit.coef["_focus"], fit.se["_focus"]
    z = z_value(level)
    first, last = year_span(cells[year])
    return Finding(
        measure=f"rate of starts, {group_value} children",
        effect=f"rate ratio within councils, {group_value} vs {reference}",
        estimate=float(np.exp(beta)),
        lower=float(np.exp(beta - z * se)),
        upper=float(np.exp(beta + z * se)),
        scale="ratio",
        null=1.0,
        test="Wald test in a Poisson regression with council x year fixed effects and "
        "council-clustered standard errors",
        p_value=fit.p_value["_focus"],
        n_councils=int(cells[council].nunique()),
        first_year=first,
        last_year=last,
        level=level,
        limits=(
            "population estimates by ethnic group are uncertain, especially for small groups",
            "ethnicity is recorded differently in the return and in population estimates",
        ),
    )
