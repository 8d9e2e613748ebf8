"""Tidy inputs for the evidence analyses, built from the store's current tables.

The records are turned into derived tables by the statistics module (repaired episodes, periods of
care, starts counted as DfE counts them); this module only selects from them and brings the result
into pandas. Ages are derived on the engine (`age_years`, `age_days`): the date of birth itself
never leaves the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from carestat.evidence.survival import exit_route
from carestat.stats.context import Context, build_context
from carestat.stats.measures.adoption import adoptions
from carestat.stats.measures.flows import starts
from carestat.stats.measures.looked_after import on_31_march
from carestat.stats.periods import SHORT_BREAKS

AGE_GROUPS = ((0, "under 1"), (1, "1 to 4"), (5, "5 to 9"), (10, "10 to 15"), (16, "16 and over"))
ALL_GROUPS = "ALL"  # population rows by age and sex only, not split by ethnic group
EMERGENCY = ("L1", "L2")


@dataclass(frozen=True)
class EvidenceInputs:
    """The tidy tables every analysis draws on (pandas, one row per event or cell)."""

    starts: pd.DataFrame  # la, year, child, age, age_group, newborn, ethnic, ls, uasc
    population: pd.DataFrame  # la, year, age, ethnic, population
    looked_after: pd.DataFrame  # la, year, count (31 March)
    adoptions: pd.DataFrame  # la, year, count
    periods: pd.DataFrame  # la, child, period, start, end, rec, route, age_at_entry, first_ls
    spells: pd.DataFrame  # la, child, period, ls, start, end, rec
    censor: pd.Timestamp  # 31 March of the latest year held

    @property
    def councils(self) -> list[str]:
        """Councils with any starts or periods."""
        return sorted(set(self.starts["la"]) | set(self.periods["la"]))


def build_inputs(tables: Mapping[str, ir.Table], materialise: bool = True) -> EvidenceInputs:
    """Every input table, from a mapping of canonical name to Ibis table (`Store.current()`)."""
    ctx = build_context(tables, materialise=materialise)
    censor = pd.Timestamp(int(ctx.returns.year.max().execute()), 3, 31)
    return EvidenceInputs(
        starts=_starts(ctx),
        population=_population(tables["population"]),
        looked_after=_per_year(on_31_march(ctx)),
        adoptions=_per_year(adoptions(ctx)),
        periods=_periods(ctx),
        spells=_spells(ctx),
        censor=censor,
    )


def fetch(expr: ir.Table) -> pd.DataFrame:
    """An Ibis table as pandas, through Arrow (Ibis's own `to_pandas` converts column by column
    in Python: 3 s instead of 0.3 s for a million legal-status spells); dates as datetime64."""
    return expr.to_pyarrow().to_pandas(date_as_object=False)


def _starts(ctx: Context) -> pd.DataFrame:
    """Starts in each year (DfE counting: first start per child), ages derived on the engine."""
    s = starts(ctx)
    df = fetch(s.select(
        "la", "year", child=s.CHILD, age=s.age, newborn=s.newborn == "Under 7 days",
        ethnic=s.ETHNIC, ls=s.LS, uasc=s.uasc,
    ))  # fmt: skip
    df["year"] = df["year"].astype(int)
    df["newborn"] = df["newborn"].fillna(False).astype(bool)
    df["age_group"] = age_group(df["age"])
    return df


def _per_year(rows: ir.Table) -> pd.DataFrame:
    """Rows (one per child) counted by council and year."""
    df = fetch(rows.group_by(["la", "year"]).aggregate(count=rows.count()))
    df["year"] = df["year"].astype(int)
    return df


def _population(population: ir.Table) -> pd.DataFrame:
    """Under-18 population by council, year, single age and ethnic group ('ALL' rows kept apart)."""
    keys = ["la", "year", "age", "ethnic"]
    rows = population.filter(population.age < 18)
    df = fetch(rows.group_by(keys).aggregate(population=rows.population.sum()).order_by(keys))
    return df.astype({"year": "int64", "age": "int64", "population": "int64"})


def _periods(ctx: Context) -> pd.DataFrame:
    """One row per period of care (short-break-only periods left out), ages at entry and exit."""
    e = ctx.episodes
    # Ages come from the derived columns (exact even where a pooled store coarsened DOB).
    starts = e.filter(e.is_period_start).select(
        _la="la", _child="CHILD", _period="period_number", age_at_entry="age_years_decom"
    )
    ends = e.filter(e.is_period_end)
    ends = ends.join(
        starts,
        [ends.la == starts._la, ends.CHILD == starts._child, ends.period_number == starts._period],
    )
    t = ends.select(
        "la", child=ends.CHILD, period=ends.period_number, start=ends.period_start,
        end=ends.period_end, rec=ends.REC, first_ls=ends.period_ls,
        age_at_entry=ends.age_at_entry,
        age_at_exit=ibis.ifelse(ends.period_end.isnull(), ibis.null("int64"), ends.age_years_dec),
    )  # fmt: skip
    df = fetch(t.filter(~t.first_ls.isin(SHORT_BREAKS)))
    df["rec"] = df["rec"].where(df["end"].notna())
    df["route"] = exit_route(df["rec"], df["age_at_exit"].astype("Float64"))
    return df


def _spells(ctx: Context) -> pd.DataFrame:
    """Legal-status spells: one row per episode, with its period."""
    e = ctx.episodes
    return fetch(
        e.select(
            "la", child=e.CHILD, period=e.period_number, ls=e.LS, start=e.DECOM, end=e.DEC,
            rec=e.REC,
        )
    )  # fmt: skip


def age_group(age: pd.Series) -> pd.Series:
    """DfE age group of ages in whole years ('unknown' when missing)."""
    edges = [low for low, _ in AGE_GROUPS] + [200]
    labels = [name for _, name in AGE_GROUPS]
    out = pd.cut(age.astype(float), bins=edges, right=False, labels=labels)
    return out.astype(object).where(out.notna(), "unknown")


def population_by(population: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Population summed by `keys`, using the 'ALL' rows where a council-year has them."""
    has_all = population["ethnic"] == ALL_GROUPS
    if "ethnic" in keys:
        population = population[~has_all]
    else:
        pairs = population.loc[has_all, ["la", "year"]].drop_duplicates().assign(_all=True)
        flag = population[["la", "year"]].merge(pairs, how="left", on=["la", "year"])["_all"]
        population = population[flag.fillna(False).to_numpy(bool) == has_all.to_numpy(bool)]
    return population.groupby(keys, as_index=False)["population"].sum()


def age_group_rates(inputs: EvidenceInputs) -> pd.DataFrame:
    """Starts and population by council, year and age group (group, count, population)."""
    pop = inputs.population.assign(group=age_group(inputs.population["age"]))
    pop = population_by(pop, ["la", "year", "group"])
    counts = inputs.starts.groupby(["la", "year", "age_group"]).size().rename("count")
    counts = counts.reset_index().rename(columns={"age_group": "group"})
    out = pop.merge(counts, on=["la", "year", "group"], how="left")
    out["count"] = out["count"].fillna(0).astype(int)
    return out


def infant_rates(inputs: EvidenceInputs) -> pd.DataFrame:
    """Starts under 1 and under 7 days old per council and year, with the population aged 0."""
    pop = population_by(inputs.population[inputs.population["age"] == 0], ["la", "year"])
    babies = inputs.starts[inputs.starts["age"] == 0]
    counts = babies.groupby(["la", "year"]).agg(count=("child", "size"), newborn=("newborn", "sum"))
    out = pop.merge(counts.reset_index(), on=["la", "year"], how="left")
    out[["count", "newborn"]] = out[["count", "newborn"]].fillna(0).astype(int)
    return out


def ethnic_rates(inputs: EvidenceInputs) -> pd.DataFrame:
    """Starts (UASC left out: they are not drawn from the resident population) and population by
    council, year and ethnic group."""
    pop = population_by(inputs.population, ["la", "year", "ethnic"])
    resident = inputs.starts[~inputs.starts["uasc"].fillna(False).astype(bool)]
    counts = resident.groupby(["la", "year", "ethnic"]).size().rename("count").reset_index()
    out = pop.merge(counts, on=["la", "year", "ethnic"], how="left")
    out["count"] = out["count"].fillna(0).astype(int)
    return out


def council_rates(inputs: EvidenceInputs, year: int | None = None) -> dict[str, pd.DataFrame]:
    """Per-council count and denominator in one year (default the latest) for the funnel plots."""
    year = year if year is not None else int(inputs.starts["year"].max())
    return in_year(council_series(inputs), year)


def council_series(inputs: EvidenceInputs) -> dict[str, pd.DataFrame]:
    """Per-council count and denominator in every year held (la, year, count, population)."""
    under_18 = population_by(inputs.population, ["la", "year"])
    infants = infant_rates(inputs)
    starts = inputs.starts.groupby(["la", "year"]).size().rename("count").reset_index()
    return {
        "starts": _with_denominator(starts, under_18),
        "looked after on 31 March": _with_denominator(inputs.looked_after, under_18),
        "infant starts": infants[["la", "year", "count", "population"]],
        "adoptions": _with_denominator(inputs.adoptions, under_18),
    }


def in_year(series: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """The rows of one year of each council series."""
    return {name: df[df["year"] == year].reset_index(drop=True) for name, df in series.items()}


def _with_denominator(counts: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Counts joined to every council-year's population (zero where no events)."""
    out = population.merge(counts[["la", "year", "count"]], on=["la", "year"], how="left")
    out["count"] = out["count"].fillna(0).astype(int)
    return out


def baby_entry_routes(inputs: EvidenceInputs) -> pd.DataFrame:
    """How babies' periods of care began: s20 then C1, straight to C1, emergency L1/L2, other.

    One row per period starting under age 1: la, year, child, period, route.
    """
    p = inputs.periods[inputs.periods["age_at_entry"] == 0]
    keys = ["la", "child", "period"]
    c1 = inputs.spells[inputs.spells["ls"] == "C1"][keys].drop_duplicates().assign(_c1=True)
    p = p.merge(c1, on=keys, how="left")
    later_c1 = p["_c1"].fillna(False).astype(bool)
    route = np.select(
        [p["first_ls"] == "C1", p["first_ls"].isin(EMERGENCY), (p["first_ls"] == "V2") & later_c1],
        ["straight to C1", "emergency (L1/L2)", "s20 then C1"],
        default="other",
    )
    start = pd.to_datetime(p["start"])
    year = start.dt.year + (start.dt.month >= 4).astype(int)
    return pd.DataFrame({"la": p["la"], "year": year, "child": p["child"]} | {"route": route})
