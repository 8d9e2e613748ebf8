"""How far one council's rate moved, from a given year on, from what the other councils predict.

**Definition.** For each council i and collection year t: numerator, a count of events (e.g.
starts, counted as DfE counts them: first start per child in the year, V3/V4 short breaks left
out); denominator, the population at risk (e.g. children under 18). Exclusions: council-years
without a positive population; councils with no events in any year (they carry no information).
The target council needs events both before `since` and from `since` on.

**Model** (Poisson difference-in-differences): a log-linear count model with council and year
fixed effects and a log-population offset,

    log E[count_it] = log population_it + a_i + g_t + beta * D_it,

with D_it = 1 for the target council in years t >= `since` and 0 otherwise. The council effect
a_i carries the council's own level, the year effects g_t the change from year to year shared by
the councils, so exp(beta) is the target council's rate from `since` on divided by what its own
earlier rate and the other councils' change predict: the **step-change ratio** (1 = no step).
With two periods and constant populations it is the ratio of ratios of counts,
(target after / target before) / (others after / others before). The Poisson fixed-effects
estimator is consistent for beta whatever the variance (Hausman, Hall & Griliches 1984,
Econometrica 52:909-938); its use for difference-in-differences with counts is set out by
Wooldridge (2023, The Econometrics Journal 26:C31-C66). Assumption: without the step, the target
council's rate would have moved in parallel (on the log scale) with the others'.

**Uncertainty.** Allowing overdispersion (councils' rates vary from year to year beyond Poisson
noise), as `glm.fit_count_model` does for the trends:
- "negbin" (default): variance mu + alpha mu^2, alpha by moments from the Poisson fit, with a
  Pearson scale on top. Council-year noise weighs most on large councils, and this variance
  follows it: a single quasi-Poisson scale understates it for a large target council and
  overstates it for a small one (simulation: see docs/explanation/evidence-methods.md);
- "quasi": quasi-Poisson, variance phi * mu with phi from the Pearson statistic.
Council-clustered ("cluster") standard errors do NOT work for one council's effect and are
refused: the score equations for a_i and beta make the target council's residuals sum to zero
before and after `since`, so its own cluster adds nothing to the sandwich and the standard error
ignores the target's noise; inference about a single treated unit cannot lean on clustering
(Conley & Taber 2011, Review of Economics and Statistics 93:113-125; MacKinnon & Webb 2018,
The Econometrics Journal 21:114-135).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from carestat.evidence.glm import fit_count_model
from carestat.evidence.result import Finding, year_span, z_value

DISPERSIONS = ("negbin", "quasi")
EFFECT = "step change in {council} from {since}"  # `sentences` reads council and year back
LIMITS = (
    "the other councils' change from year to year stands in for what would have happened in this "
    "council (parallel trends); a change in recording practice looks the same as one in practice",
    "a step at the chosen year is assumed: a gradual change, or one that began in another year, is "
    "averaged into the ratio",
)


def step_change(
    data: pd.DataFrame,
    council: str,
    since: int,
    measure: str = "rate",
    *,
    unit: str = "la",
    year: str = "year",
    count: str = "count",
    population: str = "population",
    dispersion: str = "negbin",
    level: float = 0.95,
) -> Finding:
    """Step-change ratio of `council`'s rate from year `since` on, with a CI and Wald test.

    >>> cells = pd.DataFrame({"la": ["A", "A", "B", "B", "C", "C"],
    ...                       "year": [2025, 2026] * 3, "count": [10, 30, 20, 20, 40, 40],
    ...                       "population": [1000] * 6})
    >>> round(step_change(cells, "A", 2026, dispersion="quasi").estimate, 6)  # (30/10) / (60/60)
    3.0
    """
    if dispersion not in DISPERSIONS:
        raise ValueError(
            f"dispersion must be one of {', '.join(DISPERSIONS)}, not {dispersion!r}: "
            "council-clustered errors cannot measure the noise of one council's own effect"
        )
    cells = data.groupby([unit, year], as_index=False)[[count, population]].sum()
    cells = cells[cells[population] > 0]
    _check(cells, council, since, unit, year, count)
    years = sorted(cells[year].unique())
    terms = [f"_year_{y}" for y in years[1:]]
    for name, value in zip(terms, years[1:], strict=True):
        cells[name] = (cells[year] == value).astype(float)
    cells["_step"] = ((cells[unit] == council) & (cells[year] >= since)).astype(float)
    fit = fit_count_model(cells, [*terms, "_step"], unit, count, population, dispersion)
    beta, se = fit.coef["_step"], fit.se["_step"]
    z = z_value(level)
    first, last = year_span(cells[year])
    model = {"negbin": "negative binomial", "quasi": "quasi-Poisson"}[dispersion]
    return Finding(
        measure=measure,
        effect=EFFECT.format(council=council, since=since),
        estimate=float(np.exp(beta)),
        lower=float(np.exp(beta - z * se)),
        upper=float(np.exp(beta + z * se)),
        scale="ratio",
        null=1.0,
        test=f"Wald test of the council's step (difference-in-differences) in a {model} "
        "regression with council and year fixed effects and log-population offset",
        p_value=fit.p_value["_step"],
        n_councils=int(cells.loc[cells[count] > 0, unit].nunique()),
        first_year=first,
        last_year=last,
        level=level,
        limits=LIMITS,
    )


def _check(cells: pd.DataFrame, council: str, since: int, unit: str, year: str, count: str) -> None:
    """The target council needs events before and from `since`; others must give the year effects."""
    own = cells[cells[unit] == council]
    if own.empty:
        raise ValueError(f"council {council} has no rows with a positive population")
    before = own.loc[own[year] < since, count].sum()
    after = own.loc[own[year] >= since, count].sum()
    if before <= 0 or after <= 0:
        raise ValueError(
            f"council {council} needs events both before {since} and from {since} on "
            f"(has {before} and {after}): the step-change ratio is not estimable"
        )
    others = cells[(cells[unit] != council) & (cells[count] > 0)]
    if not ((others[year] < since).any() and (others[year] >= since).any()):
        raise ValueError(f"other councils need events both before {since} and from {since} on")


def step_changes(
    data: pd.DataFrame, councils: Sequence[str], since: int, measure: str
) -> tuple[list[Finding], list[str]]:
    """Step-change findings for each named council (la, year, count, population), and notes for
    those that cannot be estimated (e.g. no years before `since`)."""
    findings: list[Finding] = []
    notes: list[str] = []
    for council in dict.fromkeys(councils):  # each once, in the order given
        try:
            findings.append(step_change(data, council, since, measure))
        except (ValueError, np.linalg.LinAlgError) as error:
            notes.append(f"{council}: no step-change ratio from {since} ({error})")
    return findings, notes
