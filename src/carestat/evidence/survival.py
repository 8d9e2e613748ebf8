"""Time in care: Kaplan-Meier time to leaving, exits by route as competing risks, re-entry.

Input: a DataFrame of periods of care, one row each, with `start`, `end` (missing while still in
care), `route` (how the period ended; see `exit_route`) and `age_at_entry` (whole years, derived
from the date of birth upstream: the raw date of birth is never needed here). Periods still open at
`censor` (the end of the data, e.g. 31 March of the last year) are right-censored there.
Estimators are statsmodels' `SurvfuncRight` (Kaplan-Meier, Greenwood variance) and
`CumIncidenceRight` (Aalen-Johansen cumulative incidence for competing risks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight

from carestat.evidence.result import Finding, share_finding, year_span, z_value

AGE_BANDS = ((0, "under 1"), (1, "1 to 4"), (5, "5 to 9"), (10, "10 to 15"), (16, "16 and over"))
ROUTES = ("return home", "adoption", "special guardianship", "child arrangements", "18 and over")
ROUTE_CODES = {
    "return home": ("E4A", "E4B", "E13"),
    "adoption": ("E11", "E12"),
    "special guardianship": ("E43", "E44", "E45", "E46", "E47", "E48"),
    "child arrangements": ("E41",),
}


def age_band(age: pd.Series) -> pd.Series:
    """DfE age band at entry (under 1, 1 to 4, 5 to 9, 10 to 15, 16 and over)."""
    edges = [low for low, _ in AGE_BANDS] + [200]
    labels = [name for _, name in AGE_BANDS]
    return pd.cut(age, bins=edges, right=False, labels=labels).astype(str)


def exit_route(rec: pd.Series, age_at_exit: pd.Series) -> pd.Series:
    """Route out of care from the reason episode ceased (REC) and age at leaving; None if open."""
    codes = rec.fillna("").astype(str).str.upper().to_numpy()
    conditions = [np.isin(codes, ROUTE_CODES[r]) for r in ROUTES[:4]]
    conditions.append((age_at_exit.fillna(0).to_numpy() >= 18) | np.isin(codes, ("E15", "E17")))
    conditions.append(codes != "")
    chosen = pd.Series(np.select(conditions, [*ROUTES, "other"], default=""), index=rec.index)
    return chosen.astype(object).where(chosen != "", None)


def _durations(periods: pd.DataFrame, censor: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """Days in care and whether the end was observed (by the censoring date)."""
    start = pd.to_datetime(periods["start"])
    end = pd.to_datetime(periods["end"])
    ended = end.notna() & (end <= censor)
    stop = end.where(ended, censor)
    days = (stop - start).dt.days.to_numpy(float)
    return np.maximum(days, 0.5), ended.to_numpy()  # same-day periods: half a day, not zero


@dataclass(frozen=True)
class SurvivalCurve:
    """Kaplan-Meier curve of one group: table (days, at_risk, still_in_care, lower, upper)."""

    group: str
    n: int
    events: int
    median_days: float
    median_lower: float
    median_upper: float
    table: pd.DataFrame


def time_to_leave(
    periods: pd.DataFrame, censor: str | pd.Timestamp, by: str | None = "age_band"
) -> list[SurvivalCurve]:
    """Kaplan-Meier probability of still being in care by days since entry, per group."""
    censor = pd.Timestamp(censor)
    data = periods.copy()
    if by == "age_band" and "age_band" not in data:
        data["age_band"] = age_band(data["age_at_entry"])
    groups = data.groupby(by, sort=True) if by else [("all", data)]
    return [_curve(str(name), frame, censor) for name, frame in groups]


def _curve(name: str, frame: pd.DataFrame, censor: pd.Timestamp) -> SurvivalCurve:
    """One Kaplan-Meier fit with log(-log) pointwise 95% bands."""
    days, ended = _durations(frame, censor)
    fit = SurvfuncRight(days, ended.astype(int))
    s, se = np.asarray(fit.surv_prob), np.asarray(fit.surv_prob_se)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z_value(0.95) * se / (s * np.abs(np.log(s)))
        lower, upper = s ** np.exp(half), s ** np.exp(-half)
    table = pd.DataFrame(
        {"days": fit.surv_times, "at_risk": fit.n_risk, "still_in_care": s}
        | {
            "lower": np.where(np.isfinite(lower), lower, s),
            "upper": np.where(np.isfinite(upper), upper, s),
        }
    )
    median = float(fit.quantile(0.5)) if s.size and s.min() <= 0.5 else float("nan")
    low, high = fit.quantile_ci(0.5) if s.size else (np.nan, np.nan)
    return SurvivalCurve(name, len(days), int(ended.sum()), median, float(low), float(high), table)


def exits_by_route(
    periods: pd.DataFrame, censor: str | pd.Timestamp, routes: tuple[str, ...] = ROUTES
) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of leaving care by each route (others compete).

    Routes not in `routes` (e.g. "other") count as a competing exit of their own. Returns a long
    table: route, days, cumulative_incidence, lower, upper (95%, normal on the probability scale,
    clipped to [0, 1]).
    """
    censor = pd.Timestamp(censor)
    days, ended = _durations(periods, censor)
    route = periods["route"].fillna("other").astype(str).to_numpy()
    code = np.where(ended, 1 + len(routes), 0)
    for i, name in enumerate(routes):
        code = np.where(ended & (route == name), i + 1, code)
    fit = CumIncidenceRight(days, code)
    z = z_value(0.95)
    parts = []
    for i, name in enumerate(routes):
        if i >= len(fit.cinc):
            break
        cif, se = np.asarray(fit.cinc[i]), np.asarray(fit.cinc_se[i])
        parts.append(
            pd.DataFrame(
                {"route": name, "days": fit.times, "cumulative_incidence": cif}
                | {"lower": np.clip(cif - z * se, 0, 1), "upper": np.clip(cif + z * se, 0, 1)}
            )
        )
    return pd.concat(parts, ignore_index=True)


def reentry_within(
    periods: pd.DataFrame,
    censor: str | pd.Timestamp,
    days: int = 365,
    keys: tuple[str, ...] = ("la", "child"),
    level: float = 0.95,
) -> Finding:
    """Share of returns home followed by a new period of care within `days` (Wilson CI).

    Only returns home at least `days` before `censor` count, so every one has full follow-up.
    """
    censor = pd.Timestamp(censor)
    keys_present = [k for k in keys if k in periods]
    data = periods.assign(
        start=pd.to_datetime(periods["start"]), end=pd.to_datetime(periods["end"])
    )
    data = data.sort_values([*keys_present, "start"])
    data["_next"] = data.groupby(keys_present)["start"].shift(-1)
    window = pd.Timedelta(days=days)
    home = data[(data["route"] == "return home") & (data["end"] <= censor - window)]
    back = int(((home["_next"] - home["end"]) <= window).sum())
    years = year_span(home["end"].dt.year) if len(home) else (None, None)
    return share_finding(
        f"children returning home who came back into care within {days} days", back, len(home),
        int(home["la"].nunique()) if "la" in home else 0, years,
        ("a return to care in another council is not seen in one council's records",), level,
    )  # fmt: skip
