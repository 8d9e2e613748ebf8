"""Compute every measure for every council and year held, with rates and three-year averages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from carestat.stats.context import Context, build_context
from carestat.stats.geography import with_geography
from carestat.stats.measures import adoption, flows, looked_after, outcomes, stability
from carestat.stats.measures.common import COLUMNS, TOTAL
from carestat.stats.plan import run_plan

Measure = Callable[[Context], ir.Table | list[ir.Table]]

MEASURES: tuple[Measure, ...] = (
    looked_after.looked_after_31_march, looked_after.looked_after_during_year,
    looked_after.uasc_31_march, flows.started_during_year, flows.ceased_during_year,
    adoption.adopted_during_year, adoption.days_entering_care_to_adoption,
    adoption.adoption_a1, adoption.adoption_a2, adoption.adoption_a10,
    stability.three_or_more_placements, stability.long_term_stability,
    outcomes.missing_measures, outcomes.care_leavers, outcomes.health_outcomes,
)  # fmt: skip
RATE_MEASURES = ("looked_after_31_march", "looked_after_during_year", "started_during_year",
                 "ceased_during_year")  # fmt: skip
ALL_GROUPS = "ALL"
THREE_YEAR = ("adoption_a1", "adoption_a2", "adoption_a10")


def council_measures(ctx: Context) -> ir.Table:
    """All measures for every council and year, in the shared result shape (with rates and averages)."""
    parts: list[ir.Table] = []
    for measure in MEASURES:
        out = measure(ctx)
        parts.extend(out if isinstance(out, list) else [out])
    results = ibis.union(*parts)
    if ctx.stage is not None:
        results = ctx.stage("results", results)
    return ibis.union(results, rates(results, ctx.tables["population"]), three_year(results))


def rates(results: ir.Table, population: ir.Table) -> ir.Table:
    """Rates per 10,000 children under 18: numerator the count, denominator the population.

    Population rows with ethnic = 'ALL' (estimates by age and sex only) are used where a council
    year has them; otherwise the ethnic-group rows are summed.
    """
    under_18 = population.filter(population.age.cast("int32") < 18)
    overall = under_18.ethnic == ALL_GROUPS  # age-by-sex estimates, not split by ethnic group
    pop = under_18.group_by(["la", "year"]).aggregate(
        _all=ibis.ifelse(overall, under_18.population, 0).sum(),
        _split=ibis.ifelse(overall, 0, under_18.population).sum(),
    )
    pop = pop.mutate(children=ibis.ifelse(pop._all > 0, pop._all, pop._split))
    totals = results.filter(results.measure.isin(RATE_MEASURES) & (results.category == TOTAL))
    joined = totals.join(pop, [totals.la == pop.la, totals.year == pop.year.cast("int32")])
    return joined.select(
        measure=joined.measure + "_rate", breakdown=joined.breakdown, category=joined.category,
        la=joined.la, year=joined.year, kind=ibis.literal("rate"),
        numerator=joined.numerator, denominator=joined.children.cast("float64"),
    )  # fmt: skip


def three_year(results: ir.Table) -> ir.Table:
    """Three-year averages of the scorecard means: days and children pooled over years Y-2..Y."""
    base = results.filter(results.measure.isin(THREE_YEAR))
    spread = ibis.union(*(base.mutate(year=(base.year + k).cast("int32")) for k in (0, 1, 2)))
    held = results.select("la", "year").distinct()
    spread = spread.join(held, ["la", "year"])
    keys = ["measure", "breakdown", "category", "la", "year", "kind"]
    pooled = spread.group_by(keys).aggregate(
        numerator=spread.numerator.sum(), denominator=spread.denominator.sum()
    )
    return pooled.mutate(measure=pooled.measure + "_3yr").select(COLUMNS)


def compute(
    tables: Mapping[str, ir.Table],
    years: Iterable[int] | None = None,
    la: str | None = None,
    materialise: bool = True,
) -> pa.Table:
    """Every measure at council, regional and national level as an Arrow table (unrounded).

    `years` and `la` select what is returned; the whole history is still used to build periods.
    The result has the EES geography columns, the measure keys, `numerator` and `denominator`.
    By default the SQL compiled once per engine and code version runs straight on the engine
    (`carestat.stats.plan`); `materialise=False` runs the Ibis expression instead (same result).
    """
    if la is not None:
        tables = {name: t.filter(t.la == la) for name, t in tables.items()}
    if materialise:
        council = run_plan(tables)
    else:
        council = council_measures(build_context(tables)).to_pyarrow()
    out = with_geography(council)
    if years is not None:
        out = out.filter(
            pc.is_in(out["year"], pa.array(list(years), out.schema.field("year").type))
        )
    return out
