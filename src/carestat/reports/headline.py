"""Official headline figures for the report, from `carestat.stats`, as published."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

HEADLINE = {
    "looked_after_31_march": "Looked after on 31 March",
    "looked_after_31_march_rate": "Looked after on 31 March, per 10,000",
    "started_during_year": "Started to be looked after",
    "started_during_year_rate": "Started to be looked after, per 10,000",
    "ceased_during_year": "Ceased to be looked after",
    "adopted_during_year": "Adopted",
}


def headline_figures(tables: Mapping[str, Any]) -> pd.DataFrame:
    """England's headline measures by year (rows: measures, columns: years), as published."""
    from carestat.privacy import publish
    from carestat.stats.compute import compute

    published = publish(compute(tables))
    national = published[
        (published["geographic_level"] == "National")
        & (published["category"] == "Total")
        & published["measure"].isin(list(HEADLINE))
    ]
    table = national.pivot_table(
        index="measure", columns="year", values="value", aggfunc="first"
    ).reindex([m for m in HEADLINE if m in set(national["measure"])])
    table.index = [HEADLINE[m] for m in table.index]
    table.columns = [str(c) for c in table.columns]
    return table.rename_axis("measure").reset_index()
