"""One child's journey through care: legal routes, placements and how each period ends.

Dates are ordinal day numbers (`date.toordinal()`); a per-child loop is fast enough here because
every draw comes from one `random.Random` and no numpy call happens inside the loop.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from carestat.synth.places import H5_UNTIL, H5_URN_FROM, K3_FROM, Placement

E1_FROM = date(2006, 1, 1).toordinal()  # placement orders exist from 30 December 2005
AGED_OUT = ("E17", "E5", "E6")
HOME = ("E4A", "E4A", "E4A", "E13", "E41", "E8")


def birthday(dob: int, years: int) -> int:
    """The ordinal of the `years`-th birthday (synthetic DOBs never fall on 29 February)."""
    born = date.fromordinal(dob)
    return born.replace(year=born.year + years).toordinal()


@dataclass
class Period:
    """A period of care as a timeline of legal statuses and forced placements, and its end."""

    start: int
    end: int
    rec: str
    legal: list[tuple[int, str]]
    forced: list[tuple[int, str]] = field(default_factory=list)  # (day, PLACE) set by the route
    decision: int = 0
    match: int = 0


def _weighted(rnd: random.Random, weights: dict[str, float]) -> str:
    codes, totals = list(weights), list(accumulate(weights.values()))
    return codes[bisect(totals, rnd.random() * totals[-1])]


def _days(rnd: random.Random, low: int, high: int) -> int:
    return low + int(rnd.random() * (high - low + 1))


def _lognormal(rnd: random.Random, median: float, sigma: float, low: int) -> int:
    return max(low, int(rnd.lognormvariate(0, sigma) * median))


def _accommodated(start: int, d18: int, rnd: random.Random, age: float) -> Period:
    """Section 20 accommodation ending in a return home (or at 18)."""
    length = _lognormal(rnd, 150 if age < 16 else 260, 1.0, 2)
    rec = HOME[int(rnd.random() * len(HOME))]
    return Period(start, start + length, rec, [(start, "V2")])


def _uasc(start: int, d18: int, rnd: random.Random) -> Period:
    """Unaccompanied asylum-seeking children: s20 until 18 for most."""
    end = d18 if rnd.random() < 0.85 else start + _lognormal(rnd, 300, 0.7, 30)
    return Period(start, end, "E8", [(start, "V2")])


def _court(start: int, dob: int, rnd: random.Random) -> Period:
    """Care proceedings: optional s20 or emergency prefix, interim order, then an outcome."""
    legal: list[tuple[int, str]] = []
    day = start
    first = rnd.random()
    if first < 0.30:
        legal.append((day, "V2"))
        day += _days(rnd, 14, 200)
    elif first < 0.45:
        legal.append((day, "L1" if rnd.random() < 0.5 else "L2"))
        day += _days(rnd, 1, 3) if legal[-1][1] == "L1" else _days(rnd, 3, 20)
    legal.append((day, "C1"))
    final = day + max(56, int(rnd.gauss(290, 90)))
    age = (final - dob) / 365.25
    weights = (
        {"adopt": 0.40, "sgo": 0.22, "home": 0.18, "long": 0.20}
        if age < 5
        else {"adopt": 0.04, "sgo": 0.24, "home": 0.22, "long": 0.50}
        if age < 10
        else {"sgo": 0.08, "home": 0.22, "long": 0.70}
    )
    outcome = _weighted(rnd, weights)
    if outcome == "adopt":
        return _adoption(start, final, legal, rnd)
    if outcome == "sgo" and rnd.random() < 0.5:
        return Period(start, final, _sgo(rnd), legal)
    legal.append((final, "C2"))
    if outcome == "home":
        home_at = final + _days(rnd, 1, 120)  # a day after the order: RNE P, not T (rule 435)
        period = Period(start, home_at + _days(rnd, 90, 400), "E4A", legal, [(home_at, "P1")])
        period.rec = "E4A" if rnd.random() < 0.8 else "E41"
        return period
    if outcome == "sgo":
        return Period(start, final + _lognormal(rnd, 500, 0.6, 60), _sgo(rnd), legal)
    if rnd.random() < 0.75:
        return Period(start, 10**7, "E8", legal)  # stays until 18 (cut by the caller)
    return Period(start, final + _lognormal(rnd, 900, 0.8, 60), _weighted(
        rnd, {"E4A": 0.5, "E13": 0.2, "E8": 0.15, "E3": 0.05, "E41": 0.1}), legal)  # fmt: skip


def _sgo(rnd: random.Random) -> str:
    return _weighted(rnd, {"E45": 0.3, "E46": 0.15, "E47": 0.2, "E48": 0.35})


def _adoption(start: int, final: int, legal: list[tuple[int, str]], rnd: random.Random) -> Period:
    """Placement order, match, placement with adopters (A6) and the adoption order."""
    decision = max(start + 1, final - _days(rnd, 20, 120))
    legal.append((final, "E1" if final >= E1_FROM else "C2"))  # no placement orders before 2006
    match = final + _lognormal(rnd, 150, 0.6, 30)
    placed = match + _days(rnd, 7, 60)
    adopted = placed + _days(rnd, 70, 320)
    if date.fromordinal(adopted).timetuple()[1:3] == (3, 31):
        adopted -= 1  # adopted on 31 March would count as looked after all year (rule 187)
    rec = "E11" if rnd.random() < 0.55 else "E12"
    return Period(start, adopted, rec, legal, [(placed, "A6")], decision, match)


def simulate_period(start: int, dob: int, uasc: bool, rnd: random.Random) -> Period:
    """A period of care for a child entering on `start`, cut at the 18th birthday."""
    d18 = birthday(dob, 18)
    age = (start - dob) / 365.25
    court_share = 0.80 if age < 1 else 0.70 if age < 5 else 0.52 if age < 10 else 0.36
    if uasc:
        period = _uasc(start, d18, rnd)
    elif age < 16 and rnd.random() < court_share:
        period = _court(start, dob, rnd)
    else:
        period = _accommodated(start, d18, rnd, age)
    if period.end >= d18:
        period.end, period.rec = d18, AGED_OUT[int(rnd.random() * 3)]
        period.legal = [(d, ls) for d, ls in period.legal if d < d18]
        period.forced = [(d, p) for d, p in period.forced if d < d18]
    if period.rec in ("E17",):
        period.rec = "E5" if rnd.random() < 0.5 else "E6"  # fixed up to E17 if fostered at the end
    return period


def placement_days(period: Period, dob: int, rnd: random.Random) -> list[int]:
    """Days on which the child moves placement (besides the route's forced moves)."""
    days = [period.start]
    forced = [d for d, _ in period.forced]
    last = forced[0] if forced else period.end
    day = period.start
    while True:
        age = (day - dob) / 365.25
        day += _lognormal(rnd, 700 if age < 10 else 420, 1.0, 7)
        if day >= last:
            break
        days.append(day)
    return days + forced


def split_h5(spells: list[tuple[int, Placement]], end: int) -> list[tuple[int, str]]:
    """Days an H5 placement must be re-recorded: with a URN from 28 October 2023, as K3 from 2025-26."""
    cuts = []
    for i, (day, placement) in enumerate(spells):
        spell_end = spells[i + 1][0] if i + 1 < len(spells) else end
        if placement.place != "H5":
            continue
        if day < H5_URN_FROM < spell_end:
            cuts.append((H5_URN_FROM, "H5"))
        if day < H5_UNTIL < spell_end:
            cuts.append((H5_UNTIL, "K3"))
    return cuts


__all__ = ["K3_FROM", "Period", "birthday", "placement_days", "simulate_period", "split_h5"]
