"""DfE publication conventions, applied once to computed figures as they leave the system.

- National and regional counts are rounded to the nearest 10; a non-zero count that rounds to 0 is
  shown as `k`.
- Council counts from 1 to `threshold` (5 by default) are shown as `c`. Then, in each breakdown of a
  council's measure (whose categories sum to the published total), a lone suppressed cell is joined
  by the smallest other non-zero cell, so no suppressed cell can be recovered by subtraction. Only
  as many cells as needed are suppressed; `suppression_summary` reports the share.
- Means, percentages and rates resting on a suppressed count or a denominator from 1 to
  `threshold` are `c`; with no denominator they are `z` (not applicable), and rates without a
  population are `x` (not available). Percentages and rates are whole numbers; means (days) too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

SYMBOLS = {
    "c": "confidential: suppressed to protect children's identities",
    "k": "a non-zero count that rounds to 0",
    "x": "not available",
    "z": "not applicable",
}
COUNCIL = "Local authority"
GROUP = ["la", "year", "measure", "breakdown"]


def publish(results: pa.Table | pd.DataFrame, threshold: int = 5) -> pd.DataFrame:
    """The figures as published: a `value` column of text and a `suppressed` column (primary/secondary)."""
    df = results.to_pandas() if isinstance(results, pa.Table) else results.copy()
    df = df.reset_index(drop=True)
    counts = df["kind"] == "count"
    council = df["geographic_level"] == COUNCIL
    small = counts & council & df["numerator"].between(1, threshold)
    df["suppressed"] = np.where(small, "primary", "")
    df = _secondary(df, threshold)
    df["value"] = _values(df, threshold)
    return df


def _secondary(df: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Suppress the smallest other non-zero cell wherever a breakdown has exactly one suppressed cell."""
    cells = df[
        (df["kind"] == "count") & (df["geographic_level"] == COUNCIL) & (df["breakdown"] != "total")
    ]
    totals = df[
        (df["kind"] == "count") & (df["geographic_level"] == COUNCIL) & (df["breakdown"] == "total")
    ]
    shown_totals = totals.loc[totals["suppressed"] == "", ["la", "year", "measure"]]
    hidden = (cells["suppressed"] != "").astype(int)
    per_group = hidden.groupby([cells[c] for c in GROUP]).transform("sum")
    lone = cells.loc[per_group == 1, GROUP].drop_duplicates().merge(shown_totals)
    open_cells = cells[(cells["suppressed"] == "") & (cells["numerator"] > 0)]
    candidates = open_cells.reset_index().merge(lone, on=GROUP)
    if candidates.empty:
        return df
    ordered = candidates.sort_values("numerator", kind="stable")
    pick = ordered.groupby(GROUP).head(1)["index"]
    df.loc[pick, "suppressed"] = "secondary"
    return df


def _values(df: pd.DataFrame, threshold: int) -> pd.Series:
    """Published text of every figure."""
    out = pd.Series("", index=df.index, dtype="object")
    num, den = df["numerator"].astype(float), df["denominator"].astype(float)
    council = df["geographic_level"] == COUNCIL
    counts = df["kind"] == "count"
    rounded = (np.floor(num / 10 + 0.5) * 10).astype("Int64")
    out[counts & council] = num[counts & council].round().astype("Int64").astype(str)
    out[counts & ~council] = rounded[counts & ~council].astype(str)
    out[counts & ~council & (num > 0) & (rounded == 0)] = "k"
    out[df["suppressed"] != ""] = "c"
    ratio = ~counts
    scale = df["kind"].map({"mean": 1.0, "percent": 100.0, "rate": 10000.0})
    with np.errstate(divide="ignore", invalid="ignore"):
        figure = np.floor(num / den * scale + 0.5)
    out[ratio] = figure[ratio].astype("Int64").astype(str)
    small = council & (num.between(1, threshold) | den.between(1, threshold))
    out[ratio & (df["kind"] != "mean") & small] = "c"
    out[ratio & (df["kind"] == "mean") & council & den.between(1, threshold)] = "c"
    out[ratio & (den.isna() | (den == 0))] = np.where(
        df["kind"][ratio & (den.isna() | (den == 0))] == "rate", "x", "z"
    )
    return out


def suppression_summary(published: pd.DataFrame) -> dict[str, float | int]:
    """How many council count cells were published and suppressed (primary, secondary, share)."""
    cells = published[(published["geographic_level"] == COUNCIL) & (published["kind"] == "count")]
    primary = int((cells["suppressed"] == "primary").sum())
    secondary = int((cells["suppressed"] == "secondary").sum())
    total = len(cells)
    share = (primary + secondary) / total if total else 0.0
    return {
        "cells": total,
        "primary": primary,
        "secondary": secondary,
        "share_suppressed": round(share, 4),
    }
