"""Calibration through the path users run: synth records -> store -> evidence inputs.

The main study (`calibration.py`) draws entry counts straight from synth's entry model. This check
makes sure that shortcut is faithful for a few seeds: `carestat.synth.generate` builds every child's
records (the same councils and population cube as the count path for the same seed: both draw
them first from `default_rng(seed)`), the returns and the population are loaded into a temporary
DuckDB store, and `build_inputs` counts the starts as the statistics module does (first start of a
child in the year, ages derived on the engine). Per seed it reports:

- starts counted from the records over the entry model's expected count (all ages and under 1),
  and the Pearson dispersion of council x year x age-group starts about that expectation (about 1
  when the records give Poisson draws of the model);
- the infant trend, the infant-vs-older interaction and the ethnicity rate ratio estimated from
  the records and from the count path's draw for the same seed, and whether they agree: the two
  are independent draws of one model, so their difference should lie within
  1.96 sqrt(se_records^2 + se_counts^2) in about 95% of comparisons.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from carestat.evidence import inputs as derive
from carestat.evidence.calibration import (
    AGE_GROUPS,
    FOCUS_GROUP,
    by_age_group,
    by_ethnic_group,
    planted_scenario,
    simulate,
)
from carestat.evidence.disparity import adjusted_rate_ratio
from carestat.evidence.result import Finding, z_value
from carestat.evidence.trend import rate_trend, trend_difference

RECORD_YEARS = tuple(range(2021, 2027))
LABELS = dict(zip((f"{low}-{high - 1}" for low, high in AGE_GROUPS),
                  (name for _, name in derive.AGE_GROUPS), strict=True))  # fmt: skip


def records_inputs(seed: int, las: int, years: tuple[int, ...]) -> derive.EvidenceInputs:
    """Evidence inputs from synthetic records of the seed's planted scenario, via a store."""
    from carestat.store import open_store
    from carestat.synth.generate import generate

    scenario, _, _ = planted_scenario(seed)
    synthetic = generate(las, list(years), seed=seed, scenario=scenario)
    population = pa.Table.from_pandas(synthetic.population, preserve_index=False)
    with (
        tempfile.TemporaryDirectory(prefix="carestat-calibrate-") as folder,
        open_store(str(Path(folder) / "records.duckdb")) as store,
    ):
        store.load_returns([(ret, []) for ret in synthetic.returns()])
        store.load_population(population)
        return derive.build_inputs(store.current())


def records_seed(seed: int, las: int = 8, years: tuple[int, ...] = RECORD_YEARS) -> dict[str, Any]:
    """Records path against the entry model and the count path, for one seed."""
    scenario, _, _ = planted_scenario(seed)
    draw = simulate(seed, scenario, las, years)
    inputs = records_inputs(seed, las, years)
    groups = derive.age_group_rates(inputs)
    groups = groups[groups["group"] != "unknown"]
    expected = by_age_group(_as_counts(draw, draw.means))
    expected["group"] = expected["group"].map(LABELS)
    cells = groups.merge(expected, on=["la", "year", "group"], suffixes=("", "_model"))
    infant = cells[cells["group"] == "under 1"]
    out: dict[str, Any] = {
        "seed": seed,
        "councils": las,
        "same_population": bool((cells["population"] == cells["population_model"]).all()),
        "starts_ratio": float(cells["count"].sum() / cells["count_model"].sum()),
        "infant_ratio": float(infant["count"].sum() / infant["count_model"].sum()),
        "dispersion": _dispersion(cells["count"], cells["count_model"]),
    }
    counted = by_age_group(draw)
    counted["group"] = counted["group"].map(LABELS)
    pairs = {
        "trend": (rate_trend(groups[groups["group"] == "under 1"]),
                  rate_trend(counted[counted["group"] == "under 1"])),
        "interaction": (trend_difference(groups, "under 1"),
                        trend_difference(counted, "under 1")),
        "ethnicity": (adjusted_rate_ratio(derive.ethnic_rates(inputs), FOCUS_GROUP),
                      adjusted_rate_ratio(by_ethnic_group(draw), FOCUS_GROUP)),
    }  # fmt: skip
    for name, (records, counts) in pairs.items():
        out |= _agreement(name, records, counts)
    return out


def _dispersion(observed: pd.Series, expected: pd.Series) -> float:
    """Mean Pearson contribution (o - e)^2 / e: about 1 for Poisson draws of the expectation."""
    return float(((observed - expected) ** 2 / expected).mean())


def _as_counts(draw: Any, values: np.ndarray) -> Any:
    """The draw with its counts replaced (e.g. by the model's expected counts)."""
    from dataclasses import replace

    return replace(draw, counts=values)


def _agreement(name: str, records: Finding, counts: Finding) -> dict[str, Any]:
    """Both estimates and whether they differ by less than 1.96 combined standard errors."""
    log = records.scale == "ratio"
    a, b = _on_scale(records, log), _on_scale(counts, log)
    se = np.hypot(_se(records, log), _se(counts, log))
    return {
        f"{name}_records": records.estimate,
        f"{name}_counts": counts.estimate,
        f"{name}_agree": bool(abs(a - b) <= z_value(0.95) * se),
    }


def _on_scale(finding: Finding, log: bool) -> float:
    """The estimate on the scale its interval is symmetric on."""
    return float(np.log(finding.estimate)) if log else _log_multiplier(finding.estimate)


def _se(finding: Finding, log: bool) -> float:
    """Standard error recovered from the interval's width on the symmetric scale."""
    low, high = (np.log(finding.lower), np.log(finding.upper)) if log else (
        _log_multiplier(finding.lower), _log_multiplier(finding.upper))  # fmt: skip
    return float((high - low) / (2 * z_value(finding.level)))


def _log_multiplier(percent: float) -> float:
    """A percent change per year as the log of its multiplier (the model's coefficient)."""
    return float(np.log1p(percent / 100))


def summarise_records(rows: pd.DataFrame) -> dict[str, float]:
    """Means of the ratios and dispersion, shares of agreeing estimates, over seeds."""
    out = {"records_seeds": float(len(rows))}
    for column in ("starts_ratio", "infant_ratio", "dispersion"):
        out[f"records_{column}"] = round(float(rows[column].mean()), 4)
    for column in [c for c in rows.columns if c.endswith("_agree") or c == "same_population"]:
        out[f"records_{column}"] = round(float(rows[column].astype(float).mean()), 4)
    return out
