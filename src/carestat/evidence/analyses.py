"""The five analysis families of `carestat evidence`, each a Section of findings, tables and charts.

Every published count table passes through `publish.published_counts` (the privacy edge); chart
points resting on council counts from 1 to 5 are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from carestat.evidence import inputs as derive
from carestat.evidence.disparity import adjusted_rate_ratio, composition, relative_rate_index
from carestat.evidence.funnel import Funnel, funnel
from carestat.evidence.inputs import EvidenceInputs
from carestat.evidence.neighbours import compare_with_neighbours
from carestat.evidence.pathways import (
    collection_year,
    interim_order_outcomes,
    outcome_shares,
    s20_to_proceedings,
    share_past_limit,
)
from carestat.evidence.publish import national_rates, published_counts, suppress_points
from carestat.evidence.section import Chart, Section
from carestat.evidence.sentences import describe_funnel, describe_share_by_group
from carestat.evidence.step_change import step_changes
from carestat.evidence.survival import exits_by_route, reentry_within, time_to_leave
from carestat.evidence.trend import rate_trend, trend_difference

REFERENCE_GROUP = "WBRI"
MIN_GROUP_STARTS = 20  # groups with fewer starts in all councils and years get no finding


def babies(inputs: EvidenceInputs) -> Section:
    """Starts under 1 and under 7 days per 10,000 aged 0: trends, the interaction, entry routes."""
    rates = derive.infant_rates(inputs)
    newborn = rates.drop(columns="count").rename(columns={"newborn": "count"})
    groups = derive.age_group_rates(inputs)
    groups = groups[groups["group"] != "unknown"]
    section = Section("babies", "Babies and newborns")
    section.findings += [
        rate_trend(rates, "starts under 1 per 10,000 children aged 0"),
        rate_trend(newborn, "starts within 7 days of birth per 10,000 children aged 0"),
        trend_difference(groups, "under 1", "starts per 10,000 children in the age group"),
    ]
    routes = derive.baby_entry_routes(inputs)
    route_counts = routes.groupby(["la", "year", "route"]).size().rename("count").reset_index()
    totals = route_counts.groupby("route")["count"].sum()
    section.statements.append(
        describe_share_by_group(
            "how babies' periods of care began",
            (totals / totals.sum()).to_dict(),
            int(totals.sum()),
        )
    )
    section.tables["starts under 1"] = published_counts(
        rates, "starts under 1", population="population"
    )
    section.tables["starts within 7 days of birth"] = published_counts(
        newborn, "starts within 7 days of birth", population="population"
    )
    section.tables["babies' routes into care"] = published_counts(
        route_counts, "babies' periods of care", breakdown="route"
    )
    by_group = national_rates(groups, ["year", "group"])
    section.charts += [
        Chart("line", "Starts per 10,000 children, England, by age group", by_group, "year",
              "rate", "group"),
        Chart("bars", "How babies' periods of care began, England", national_routes(route_counts),
              "year", "count", "route"),
    ]  # fmt: skip
    return section


def national_routes(route_counts: pd.DataFrame) -> pd.DataFrame:
    """England totals by year and route, rounded to the nearest 10 as national counts are."""
    out = route_counts.groupby(["year", "route"], as_index=False)["count"].sum()
    out["count"] = (np.floor(out["count"] / 10 + 0.5) * 10).astype(int)
    return out


def ethnicity(inputs: EvidenceInputs, reference: str = REFERENCE_GROUP) -> Section:
    """Rates by ethnic group against the population and rate ratios within councils."""
    cells = derive.ethnic_rates(inputs)
    section = Section("ethnicity", "Ethnicity")
    if reference not in set(cells["ethnic"]) or cells["count"].sum() == 0:
        section.notes.append(f"no starts or population for the reference group {reference}")
        return section
    totals = cells.groupby("ethnic")["count"].sum()
    for group in sorted(totals.index[(totals >= MIN_GROUP_STARTS)]):
        if group != reference:
            section.findings.append(adjusted_rate_ratio(cells, group, reference=reference))
    crude = relative_rate_index(cells, reference=reference, by=["year"])
    rri = crude.table.rename(columns={"group": "ethnic"})
    section.tables["starts by ethnic group"] = published_counts(
        cells, "starts", breakdown="ethnic", population="population"
    )
    ages = inputs.starts[~inputs.starts["uasc"].fillna(False).astype(bool)]
    ages = ages.groupby(["ethnic", "age_group"]).size().rename("count").reset_index()
    share = composition(ages, group="ethnic", part="age_group")
    share["count"] = (np.floor(share["count"] / 10 + 0.5) * 10).astype(int)  # national: nearest 10
    section.tables["age of starts within each group, England"] = share
    forest = pd.DataFrame([f.to_dict() for f in section.findings])
    if not forest.empty:
        forest["group"] = forest["effect"].str.extract(r"within councils, (\S+) vs")[0]
        section.charts.append(
            Chart("forest", f"Rate ratio of starts to {reference} within councils (95% CI)",
                  forest[["group", "estimate", "lower", "upper"]], "estimate", "group")
        )  # fmt: skip
    section.charts.append(
        Chart("line", "Crude relative rate index by year, England", rri, "year", "rri", "ethnic")
    )
    section.notes.append(
        "UASC are left out: they arrive from abroad and are not part of the resident population."
    )
    return section


def council_variation(
    inputs: EvidenceInputs,
    neighbours: Mapping[str, Sequence[str]] | None = None,
    since: int | None = None,
) -> Section:
    """Funnel plots of four council rates in the latest year, named outliers, neighbours, and
    for the starts funnel's outliers and each configured council, the step-change ratio of its
    starts from `since` (default the latest year) on."""
    section = Section("councils", "Council variation")
    series = derive.council_series(inputs)
    latest = int(inputs.starts["year"].max())
    measures = derive.in_year(series, latest)
    focus: list[str] = []
    for name, data in measures.items():
        if data["population"].sum() <= 0 or data["count"].sum() == 0 or len(data) < 3:
            section.notes.append(f"{name}: too few councils or events for a funnel plot")
            continue
        plot = funnel(data, count="count", denominator="population")
        high = [u for u in plot.outliers(0.998) if _z(plot, u) > 0]
        low = [u for u in plot.outliers(0.998) if _z(plot, u) < 0]
        focus += [*high, *low] if name == "starts" else []
        label = f"{name} per 10,000, {int(data['year'].iloc[0])}"
        section.statements.append(
            describe_funnel(label, len(plot.units), high, low, "99.8%", plot.tau2 > 0)
        )
        section.notes.append(_funnel_method(label, plot))
        points = suppress_points(plot.units).assign(value=lambda d: d["value"] * 10_000)
        grid = plot.limits(list(np.geomspace(points["denominator"].min() * 0.8,
                                        points["denominator"].max() * 1.2, 60)))  # fmt: skip
        section.charts.append(
            Chart("funnel", f"Funnel plot: {label}", points, "denominator", "value",
                  options={"limits": grid, "target": plot.target * 10_000})
        )  # fmt: skip
        section.tables[f"funnel: {name}"] = _funnel_table(plot.units)
    for council, others in (neighbours or {}).items():
        starts = measures["starts"]
        if council in set(starts["la"]):
            result = compare_with_neighbours(starts, council, others, "starts per 10,000")
            section.findings.append(result.finding)
    if not neighbours:
        section.notes.append(
            "no statistical neighbours configured: pass --neighbours FILE (council: [codes])"
        )
    focus += [c for c in neighbours or {} if c in set(series["starts"]["la"])]
    findings, notes = step_changes(
        series["starts"], focus, since or latest, "starts per 10,000 children"
    )
    section.findings += findings
    section.notes += notes
    return section


def _funnel_method(label: str, plot: Funnel) -> str:
    """How a funnel's limits were set: the overdispersion test, phi and tau2, the quantiles."""
    p = plot.overdispersion_p
    test = f"overdispersion test p {'< 0.001' if p < 0.001 else f'= {p:.2g}'}, phi = {plot.phi:.2f}"
    if plot.tau2 > 0:
        limits = f"tau2 = {plot.tau2:.4f}; limits widened, t quantiles on {plot.df} df"
    else:
        limits = "no overdispersion adjustment; exact Poisson limits"
    return f"{label}: {test}; {limits}."


def _z(plot: object, unit: str) -> float:
    """Adjusted z-score of one unit of a funnel."""
    units = plot.units  # type: ignore[attr-defined]
    return float(units.loc[units["unit"] == unit, "z_adjusted"].iloc[0])


def _funnel_table(units: pd.DataFrame) -> pd.DataFrame:
    """Per council: rate per 10,000 (c if the count is 1 to 5), adjusted z and the flag."""
    out = units[["unit", "z_adjusted", "flag"]].rename(columns={"unit": "la"})
    small = units["count"].between(1, 5)
    rate = (units["value"] * 10_000).round().astype(int).astype(str)
    out.insert(1, "rate per 10,000", rate.where(~small, "c"))
    out["z_adjusted"] = out["z_adjusted"].round(2).where(~small)
    return out


def legal_pathways(inputs: EvidenceInputs) -> Section:
    """From a first interim care order: how it ends and how long it takes; s20 to proceedings."""
    section = Section("pathways", "Legal pathways")
    spells = _in_window(inputs.spells, inputs, "start")
    outcomes = interim_order_outcomes(spells, inputs.censor)
    if outcomes.empty:
        section.notes.append("no interim care orders (C1) in the data")
        return section
    section.findings += [
        share_past_limit(outcomes),
        s20_to_proceedings(spells, inputs.censor),
    ]
    resolved = outcomes[outcomes["resolved"]]
    counts = resolved.groupby(["la", "year", "outcome"]).size().rename("count").reset_index()
    section.tables["how first interim care orders ended"] = published_counts(
        counts, "first interim care orders ended", breakdown="outcome"
    )
    shares = outcome_shares(outcomes, by=("year",))
    shares["count"] = (np.floor(shares["count"] / 10 + 0.5) * 10).astype(int)
    section.charts.append(
        Chart("bars", "How first interim care orders ended, England", shares, "year", "share",
              "outcome")
    )  # fmt: skip
    totals = resolved["outcome"].value_counts()
    section.statements.append(
        describe_share_by_group(
            "how first interim care orders ended", (totals / totals.sum()).to_dict(),
            int(totals.sum()),
        )
    )  # fmt: skip
    return section


def time_in_care(inputs: EvidenceInputs) -> Section:
    """Kaplan-Meier time to leaving care by age at entry, exits by route, re-entry."""
    section = Section("time_in_care", "Time in care")
    periods = _in_window(inputs.periods, inputs, "start")
    periods = periods[periods["age_at_entry"].notna()]
    if periods.empty:
        section.notes.append("no periods of care began within the years held")
        return section
    curves = time_to_leave(periods, inputs.censor)
    section.findings.append(reentry_within(periods, inputs.censor))
    steps = pd.concat([c.table.assign(group=c.group) for c in curves], ignore_index=True)
    section.charts.append(
        Chart("steps", "Still in care, by age at entry (Kaplan-Meier)", _thin(steps), "days",
              "still_in_care", "group")
    )  # fmt: skip
    routes = exits_by_route(periods, inputs.censor)
    section.charts.append(
        Chart("steps", "Left care by each route (cumulative incidence)", _thin(routes, "route"),
              "days", "cumulative_incidence", "route")
    )  # fmt: skip
    medians = pd.DataFrame(
        {"age at entry": [c.group for c in curves], "periods": [_ten(c.n) for c in curves]}
        | {"median days": [c.median_days for c in curves]}
        | {"lower": [c.median_lower for c in curves], "upper": [c.median_upper for c in curves]}
    )
    section.tables["median time in care by age at entry, England"] = medians
    section.statements += [
        f"Children who entered care aged {c.group} left after a median of {c.median_days:.0f} "
        f"days (95% CI {c.median_lower:.0f} to {c.median_upper:.0f}), from about {_ten(c.n):,} "
        "periods of care."
        for c in curves
        if np.isfinite(c.median_days) and np.isfinite(c.median_lower)
        and np.isfinite(c.median_upper)
    ]  # fmt: skip
    section.notes.append(
        "Only periods that began within the years held are followed, so that children who "
        "entered long ago are not over-represented among the long stays."
    )
    return section


def _in_window(frame: pd.DataFrame, inputs: EvidenceInputs, column: str) -> pd.DataFrame:
    """Rows whose `column` falls in the collection years held (from 1 April of the first)."""
    first = int(inputs.starts["year"].min()) if len(inputs.starts) else inputs.censor.year
    start = pd.to_datetime(frame[column])
    return frame[(start >= pd.Timestamp(first - 1, 4, 1)) & (collection_year(start) > 0)]


def _thin(curves: pd.DataFrame, group: str = "group", points: int = 200) -> pd.DataFrame:
    """At most `points` steps per curve (charts need no more; keeps the output small)."""
    parts = []
    for _, frame in curves.groupby(group, sort=True):
        step = max(1, len(frame) // points)
        parts.append(pd.concat([frame.iloc[::step], frame.iloc[[-1]]]).drop_duplicates())
    return pd.concat(parts, ignore_index=True) if parts else curves


def _ten(n: int) -> int:
    """A national count rounded to the nearest 10."""
    return int(np.floor(n / 10 + 0.5) * 10)


def run_all(
    inputs: EvidenceInputs,
    neighbours: Mapping[str, Sequence[str]] | None = None,
    since: int | None = None,
) -> list[Section]:
    """All five analysis families, in the order of the issue (`since`: the year from which
    outlying and configured councils' step changes are measured; default the latest)."""
    return [
        babies(inputs),
        ethnicity(inputs),
        council_variation(inputs, neighbours, since),
        legal_pathways(inputs),
        time_in_care(inputs),
    ]
