"""The privacy edge for evidence tables: every published count goes through `privacy.publish`.

Evidence tables are kept tidy (one row per council or England, year, measure, breakdown and
category) and put into the statistics module's result shape, so the same DfE conventions apply:
council counts from 1 to 5 are `c` (with secondary suppression within a breakdown), national
counts are rounded to the nearest 10, and rates resting on a suppressed count are `c`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from carestat.privacy import publish

COUNCIL = "Local authority"
NATIONAL = "National"
ENGLAND = "E92000001"
OUTPUT = ["geographic_level", "la", "year", "measure", "breakdown", "category", "kind", "value"]


def published_counts(
    data: pd.DataFrame,
    measure: str,
    *,
    breakdown: str | None = None,
    count: str = "count",
    population: str | None = None,
    threshold: int = 5,
) -> pd.DataFrame:
    """Council and national counts (and rates per 10,000 when `population` is named), published.

    `data` has one row per council x year (x `breakdown` category). The result has the columns of
    `OUTPUT`; `value` is text as published ('c', 'k' or a number).
    """
    council = _shape(data, measure, breakdown, count, population, COUNCIL)
    keys = ["year"] + ([breakdown] if breakdown else [])
    sums = [count] + ([population] if population else [])
    england = data.groupby(keys, as_index=False)[sums].sum().assign(la=ENGLAND)
    national = _shape(england, measure, breakdown, count, population, NATIONAL)
    rows = pd.concat([council, national], ignore_index=True)
    return publish(rows, threshold=threshold)[OUTPUT]


def _shape(
    data: pd.DataFrame,
    measure: str,
    breakdown: str | None,
    count: str,
    population: str | None,
    level: str,
) -> pd.DataFrame:
    """The statistics result shape, with a total row per council-year when there is a breakdown."""
    parts = []
    if breakdown:
        totals_keys = ["la", "year"]
        sums = [count] + ([population] if population else [])
        totals = data.groupby(totals_keys, as_index=False)[sums].sum()
        parts.append(_rows(totals, measure, "total", None, count, population, level))
        parts.append(_rows(data, measure, breakdown, breakdown, count, population, level))
    else:
        parts.append(_rows(data, measure, "total", None, count, population, level))
    return pd.concat(parts, ignore_index=True)


def _rows(
    data: pd.DataFrame,
    measure: str,
    breakdown: str,
    column: str | None,
    count: str,
    population: str | None,
    level: str,
) -> pd.DataFrame:
    """Count rows and, with a population, rate rows."""
    base = pd.DataFrame(
        {
            "geographic_level": level,
            "la": data["la"].to_numpy(),
            "year": data["year"].astype(int).to_numpy(),
            "measure": measure,
            "breakdown": breakdown,
            "category": data[column].astype(str).to_numpy() if column else "Total",
            "numerator": data[count].astype(float).to_numpy(),
        }
    )
    counts = base.assign(kind="count", denominator=np.nan)
    if population is None:
        return counts
    rates = base.assign(
        measure=f"{measure} per 10,000",
        kind="rate",
        denominator=data[population].astype(float).to_numpy(),
    )
    return pd.concat([counts, rates], ignore_index=True)


def suppress_points(data: pd.DataFrame, count: str = "count", threshold: int = 5) -> pd.DataFrame:
    """Chart points resting on a council count from 1 to `threshold` are left out (they would be
    `c` in a table)."""
    return data[~data[count].between(1, threshold)].reset_index(drop=True)


def national_rates(
    data: pd.DataFrame, keys: Sequence[str], count: str = "count", population: str = "population"
) -> pd.DataFrame:
    """England totals by `keys` with the rate per 10,000 (national figures are never suppressed,
    only rounded; rates are computed from the unrounded counts, as DfE does)."""
    out = data.groupby(list(keys), as_index=False)[[count, population]].sum()
    out["rate"] = 10_000 * out[count] / out[population].where(out[population] > 0)
    return out
