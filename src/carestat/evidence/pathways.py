"""Legal pathways: how a first interim care order (C1) ends and how long it takes; s20 to
proceedings.

Input: legal-status spells, one row per episode of care: `la`, `child`, `period` (the period of
care it belongs to), `ls` (legal status), `start` (DECOM), `end` (DEC, missing while open) and
`rec` (reason the episode ceased). Within a period, the first C1 starts the clock; it stops at the
first later episode with another legal status (C2 full care order, E1/D1 placement order, V2
accommodation under s20, other) or, if none, where the period ends (read from REC: special
guardianship, child arrangements order, return home, adoption, other). Orders still running at the
censoring date are censored. The share past 26 weeks counts orders resolved after 182 days or still
running after 182 days, over all orders whose status at 182 days is known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carestat.evidence.result import Finding, share_finding, wilson_interval, year_span
from carestat.evidence.survival import ROUTE_CODES

KEYS = ["la", "child", "period"]
LIMIT_DAYS = 26 * 7
STATUS_OUTCOMES = {"C2": "full care order", "E1": "placement order", "D1": "placement order"}
STATUS_OUTCOMES |= {"V2": "section 20"}
PROCEEDINGS = ("C1", "C2", "D1", "E1")
LIMITS = (
    "legal status in the return is a proxy: it shows orders in force, not court hearings",
    "children whose proceedings began before they were looked after are not seen from the start",
)


def collection_year(dates: pd.Series) -> pd.Series:
    """Collection year a date falls in (1 April to 31 March, named by the year it ends)."""
    d = pd.to_datetime(dates)
    return d.dt.year + (d.dt.month >= 4).astype(int)


def interim_order_outcomes(spells: pd.DataFrame, censor: str | pd.Timestamp) -> pd.DataFrame:
    """One row per period with a C1: la, child, period, year, c1_start, outcome, days,
    resolved (bool) and past_limit (True/False, or missing when not yet known)."""
    censor = pd.Timestamp(censor)
    data = _with_period_id(spells).assign(end=pd.to_datetime(spells["end"]))
    c1_start = data.loc[data["ls"] == "C1"].groupby("pid")["start"].min()
    rows = data[data["pid"].isin(c1_start.index)].sort_values(["pid", "start"], kind="stable")
    starts = rows["pid"].map(c1_start)
    later = rows[(rows["start"] > starts) & (rows["ls"] != "C1")].drop_duplicates("pid")
    last = rows.drop_duplicates("pid", keep="last").set_index("pid")
    out = last[KEYS].assign(c1_start=c1_start)
    out["start"] = later.set_index("pid")["start"]  # the first change of status, if any
    out["ls"] = later.set_index("pid")["ls"]
    out["end"], out["rec"] = last["end"], last["rec"]
    by_status = out["ls"].map(lambda s: STATUS_OUTCOMES.get(s, "other legal status"))
    ended = out["end"].notna() & (out["end"] <= censor)
    out["outcome"] = np.select(
        [out["start"].notna(), ended], [by_status, _ending(out["rec"])], default="still interim"
    )
    stop = out["start"].where(out["start"].notna(), out["end"].where(ended, censor))
    out["days"] = (stop - out["c1_start"]).dt.days
    out["resolved"] = out["outcome"] != "still interim"
    known = out["resolved"] | (out["days"] > LIMIT_DAYS)
    out["past_limit"] = (out["days"] > LIMIT_DAYS).where(known).astype("boolean")
    out["year"] = collection_year(out["c1_start"])
    columns = [*KEYS, "year", "c1_start", "outcome", "days", "resolved", "past_limit"]
    return out[columns].reset_index(drop=True)


def _with_period_id(spells: pd.DataFrame) -> pd.DataFrame:
    """Spells with `start` as dates and `pid`, one integer per period of care (la, child, period):
    joins on one integer instead of three text columns (about a million spells nationally)."""
    pid = spells.groupby(KEYS, sort=False, observed=True, dropna=False).ngroup()
    return spells.assign(start=pd.to_datetime(spells["start"]), pid=pid)


def _ending(rec: pd.Series) -> np.ndarray:
    """How a period ended, from the REC of its last episode."""
    codes = rec.fillna("").astype(str).str.upper().to_numpy()
    names = {"return home": "return home", "adoption": "adoption"}
    names |= {"special guardianship": "special guardianship order"}
    names |= {"child arrangements": "child arrangements order"}
    conditions = [np.isin(codes, ROUTE_CODES[r]) for r in names]
    return np.select(conditions, list(names.values()), default="other ending")


def outcome_shares(outcomes: pd.DataFrame, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Count and share (Wilson 95% CI) of each outcome among resolved orders, per `by` group."""
    resolved = outcomes[outcomes["resolved"]]
    keys = [*by, "outcome"]
    table = resolved.groupby(keys, as_index=False).size().rename(columns={"size": "count"})
    totals = table.groupby(list(by))["count"].transform("sum") if by else table["count"].sum()
    table["share"] = table["count"] / totals
    bounds = [
        wilson_interval(int(k), int(n))
        for k, n in zip(table["count"], np.broadcast_to(totals, len(table)), strict=True)
    ]
    table["lower"], table["upper"] = [b[0] for b in bounds], [b[1] for b in bounds]
    return table


def share_past_limit(outcomes: pd.DataFrame, level: float = 0.95) -> Finding:
    """Share of first interim care orders lasting more than 26 weeks, where that is known."""
    known = outcomes["past_limit"].dropna()
    past = int(known.sum())
    return share_finding(
        "first interim care orders lasting more than 26 weeks", past, len(known),
        int(outcomes["la"].nunique()), year_span(outcomes["year"]), LIMITS, level,
    )  # fmt: skip


def s20_to_proceedings(
    spells: pd.DataFrame, censor: str | pd.Timestamp, follow_days: int = 365, level: float = 0.95
) -> Finding:
    """Share of periods with s20 accommodation (V2) that move to proceedings (C1, C2, E1, D1)
    later in the same period; only V2 starting `follow_days` or more before `censor` count."""
    censor = pd.Timestamp(censor)
    data = _with_period_id(spells)
    v2 = data.loc[data["ls"] == "V2"].groupby("pid")["start"].min()
    v2 = v2[v2 <= censor - pd.Timedelta(days=follow_days)]
    rows = data[data["pid"].isin(v2.index)]
    moved = rows[(rows["start"] > rows["pid"].map(v2)) & rows["ls"].isin(PROCEEDINGS)]
    converted = int(moved["pid"].nunique())
    years = year_span(collection_year(v2)) if len(v2) else (None, None)
    return share_finding(
        "periods of s20 accommodation that turned into care proceedings", converted, len(v2),
        int(rows["la"].nunique()), years,
        (*LIMITS, "proceedings begun after the child left care are not seen"), level,
    )  # fmt: skip
