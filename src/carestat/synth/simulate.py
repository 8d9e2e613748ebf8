"""Simulate one council: entries drawn from its population, then each child's journey recorded."""

from __future__ import annotations

import random
import zlib
from datetime import date

import numpy as np

from carestat.synth.councils import Council
from carestat.synth.history import OPEN, Children, Episodes, Events, History, Periods
from carestat.synth.journey import Period, birthday, placement_days, simulate_period, split_h5
from carestat.synth.places import FOSTER, RESIDENTIAL_DOLO, Placement, choose_place, locate
from carestat.synth.population import ETHNIC_CODES

REASONS = ("CARPL", "CARPL", "CARPL", "CLOSE", "ALLEG", "STAND", "CREQB", "CREQB", "CREQO",
           "CHILD", "LAREQ", "OTHER")  # fmt: skip
SW_REASONS = (
    "MANAGE",
    "LEFTRL",
    "LEFTRL",
    "ORGRST",
    "TSPROC",
    "ABSENC",
    "PCCHAN",
    "OTHERS",
)
NOT_LEAVERS = frozenset({"E11", "E12", "E45", "E46", "E47", "E48", "E41", "E3", "E2", "E15"})
DOLO_FROM, DOLO_TO = date(2026, 4, 1).toordinal(), date(2027, 3, 31).toordinal()
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def collection_end(day: int) -> int:
    """The 31 March ending the collection year that `day` falls in."""
    d = date.fromordinal(day)
    return date(d.year + (d.month >= 4), 3, 31).toordinal()


class CouncilSimulation:
    """Runs every child of one council and records them in a `History`."""

    def __init__(self, council: Council, horizon: int, seed: int, first_year: int) -> None:
        self.council = council
        self._premises = {p.postcode for pool in council.providers.values() for p in pool}
        self.horizon = horizon
        # Periods ending over a year before the first output year are never written: skip their detail.
        self.cutoff = date(first_year - 2, 4, 1).toordinal()
        self.rnd = random.Random(f"{seed}-{council.code}")
        self.tag = zlib.crc32(council.code.encode()) % 1000
        self.children, self.episodes = Children(), Episodes()
        self.periods, self.events = Periods(), Events()
        self.open_sw: dict[int, int] = {}  # child → position of its open social worker episode

    def run(self, entries: dict[str, np.ndarray]) -> History:
        """Simulate children entering on the given days (ordinals) with given DOB, sex, ethnic."""
        child_ids = 1_000_000 + np.cumsum(
            np.random.default_rng(self.tag).integers(1, 9, len(entries["day"]))
        )
        for i, day in enumerate(entries["day"].tolist()):
            self._child(i, str(child_ids[i]), int(day), int(entries["dob"][i]),
                        "M" if entries["sex"][i] == 0 else "F",
                        ETHNIC_CODES[entries["ethnic"][i]], bool(entries["uasc"][i]))  # fmt: skip
        return History(self.council.code, self.children.arrays(), self.episodes.arrays(),
                       self.periods.arrays(), self.events.arrays())  # fmt: skip

    def _child(
        self, i: int, child: str, start: int, dob: int, sex: str, ethnic: str, uasc: bool
    ) -> None:
        rnd = self.rnd
        mother = 0
        if sex == "F" and start - dob > 14 * 365 and rnd.random() < 0.03:
            mother = birthday(dob, 14) + int(rnd.random() * (start - birthday(dob, 14)))
        upn = f"{UPN_LETTERS[self.tag % 23]}{self.tag:03d}{i:09d}"
        self.children.add(child=child, dob=dob, sex=sex, ethnic=ethnic, upn=upn, uasc=int(uasc),
                          mother_dob=mother)  # fmt: skip
        while start <= self.horizon:
            period = simulate_period(start, dob, uasc, rnd)
            if period.end >= self.cutoff:
                self._record(i, dob, uasc, period)
            returned = period.rec in ("E4A", "E13", "E8") and period.end - dob < 15 * 365
            if not returned or rnd.random() > 0.18:
                break
            start = period.end + max(30, int(rnd.lognormvariate(0, 0.8) * 300))

    def _spells(self, period: Period, dob: int, uasc: bool, home: str | None) -> list:
        rnd, forced = self.rnd, dict(period.forced)
        legal_days = {d for d, _ in period.legal}
        spells: list[tuple[int, Placement, str | None]] = []
        for day in placement_days(period, dob, rnd):
            place = forced.get(day) or choose_place((day - dob) / 365.25, day, uasc, rnd)
            if spells and place == spells[-1][1].place and place not in FOSTER:
                continue
            reason = "CARPL" if day in forced else REASONS[int(rnd.random() * len(REASONS))]
            if spells and day in legal_days:
                day += 1  # a move on the day the legal status changes would need RNE T (rule 435)
            placement = locate(place, self.council, home, rnd, day)
            while spells and placement == spells[-1][1]:
                placement = locate(place, self.council, home, rnd, day)  # a move must change (435)
            spells.append((day, placement, reason))
        for cut, code in split_h5([(d, p) for d, p, _ in spells], period.end):
            spells.append((cut, locate(code, self.council, home, rnd, cut), "PLACE"))
        spells.sort(key=lambda s: s[0])
        return self._distinct(spells, home)

    def _home(self, drawn: int) -> str:
        """The postcode drawn, or the next one that is no provider's premises (rule 392d).

        Stepping on rather than drawing again keeps every other child's draws as they were.
        """
        pool = self.council.postcodes
        for step in range(min(len(pool), 50)):
            home = str(pool[(drawn + step) % len(pool)])
            if home not in self._premises:
                return home
        return str(pool[drawn])

    def _distinct(self, spells: list, home: str | None) -> list:
        """Each move to a different placement (rule 435), even where a re-recorded H5 lands."""
        kept = spells[:1]
        for day, placement, reason in spells[1:]:
            for _ in range(20):
                if placement != kept[-1][1]:
                    break
                placement = locate(placement.place, self.council, home, self.rnd, day)
            if placement != kept[-1][1]:
                kept.append((day, placement, reason))
        return kept

    def _record(self, i: int, dob: int, uasc: bool, period: Period) -> None:
        rnd = self.rnd
        pool = self.council.postcodes
        home = None if uasc else self._home(int(rnd.random() * len(pool)))
        spells = self._spells(period, dob, uasc, home)
        cin = "N8" if uasc else _cin(rnd)
        period_no = len(self.periods.idx)
        days = sorted({d for d, _ in period.legal} | {d for d, _, _ in spells})
        days = [d for d in days if d < period.end]
        legal_at, spell_at = dict(period.legal), {d: (p, r) for d, p, r in spells}
        ls, last_place = None, None
        placement, reason = spells[0][1], spells[0][2]
        for n, day in enumerate(days):
            new_ls = legal_at.get(day, ls)
            placement_change = day in spell_at
            if placement_change:
                placement, reason = spell_at[day]
            rne = "S" if n == 0 else ("T" if placement_change else "L") if new_ls != ls else "P"
            if n and placement_change:
                self.episodes.rpc[-1] = None if last_place is None else reason
            ls = new_ls
            end = days[n + 1] if n + 1 < len(days) else period.end
            self.episodes.add(idx=i, period=period_no, decom=day, dec=end, rne=rne, ls=ls, cin=cin,
                              place=placement.place, provider=placement.provider, rec="X1", rpc=None,
                              home_post=home, pl_post=placement.postcode, urn=placement.urn)  # fmt: skip
            last_place = placement.place
        rec = period.rec
        if rec in ("E45", "E46") and last_place not in FOSTER:
            rec = "E48"  # rule 516: SGO to former foster carers needs a foster placement
        if period.end == birthday(dob, 18) and last_place in FOSTER and rnd.random() < 0.6:
            rec = "E17"
        self.episodes.rec[-1] = rec
        self._events(i, dob, period, spells)
        leaver = period.end - dob >= 16 * 365.25 and rec not in NOT_LEAVERS
        leaver = leaver and period.end - max(period.start, birthday(dob, 14)) >= 91
        adopters = _adopters(rnd) if period.decision else ""
        self.periods.add(idx=i, start=period.start, end=period.end, rec=rec, leaver=int(leaver),
                         decision=period.decision, match=period.match, adopters=adopters)  # fmt: skip

    def _events(self, i: int, dob: int, period: Period, spells: list) -> None:
        rnd, ev = self.rnd, self.events
        review = period.start + 10 + int(rnd.random() * 17)
        gap = 60
        while review < period.end:
            ev.add(idx=i, kind="review", start=review, end=review, code=None)
            review += gap + int(rnd.random() * 30)
            gap = 150
        self._social_workers(i, period, dob)
        # DfE, CLA 2022: 11% of children looked after had a missing incident, 6.3 on average
        # (76,890 for 12,150 children), nearly all aged 10+. A quarter of children 11+ running
        # away, at a skewed ~12 a year while placed where children go missing, gives 11% and ~6
        # missing (plus ~2 away) per child in a 1k return.
        runaway = rnd.lognormvariate(2.15, 0.8) if rnd.random() < 0.24 else 0.05
        for n, (day, placement, _) in enumerate(spells):
            spell_end = spells[n + 1][0] if n + 1 < len(spells) else period.end
            spell_end = min(spell_end, period.end)
            if (day - dob) / 365.25 >= 11 and placement.place not in ("P1", "A6", "K1", "R5"):
                self._missing(i, day, spell_end, runaway)
            if placement.place in RESIDENTIAL_DOLO and day - dob >= 12 * 365:
                self._dolo(i, day, spell_end)

    def _missing(self, i: int, start: int, end: int, rate: float) -> None:
        rnd, day = self.rnd, start
        while True:
            day += 1 + int(rnd.expovariate(rate) * 365)
            back = day + int(rnd.expovariate(0.8))  # 90% back within 2 days (DfE)
            if back >= end:
                return
            if back <= collection_end(day):
                kind = "M" if rnd.random() < 0.8 else "A"  # away without authorisation: ~1 in 5
                self.events.add(idx=i, kind=kind, start=day, end=back, code=kind)
            day = back

    def _social_workers(self, i: int, period: Period, dob: int) -> None:
        """Chained social worker episodes; the latest stays open (rule SW17), closed on re-entry."""
        rnd, day, ev = self.rnd, period.start, self.events
        reason = "FCONTA"  # first contact
        if self.open_sw.get(i) is not None:
            ev.end[self.open_sw[i]] = day  # the previous period's worker hands over on re-entry
            reason = "CHCHAN"
        else:
            # A social worker before care, from 1 April or earlier (rule SW12: the whole year).
            year_began = date(date.fromordinal(collection_end(day)).year - 1, 4, 1).toordinal()
            before = day - int(rnd.lognormvariate(0, 0.8) * 120)
            day = max(dob, min(before, year_began))
        while True:
            end = day + max(30, int(rnd.lognormvariate(0, 0.6) * 420))
            worker = f"SW{self.tag:03d}{int(rnd.random() * 400):04d}"
            if end >= period.end - 14:
                self.open_sw[i] = len(ev.idx)
                ev.add(idx=i, kind="sw", start=day, end=OPEN, code=f"{worker} {reason}")
                return
            ev.add(idx=i, kind="sw", start=day, end=end, code=f"{worker} {reason}")
            day, reason = end, SW_REASONS[int(rnd.random() * len(SW_REASONS))]

    def _dolo(self, i: int, start: int, end: int) -> None:
        rnd = self.rnd
        if end <= DOLO_FROM or start > DOLO_TO or rnd.random() > 0.12:
            return
        begin = max(start + 1, DOLO_FROM) + int(rnd.random() * 90)
        # End the day before the placement ends: the next placement starts on `end` (709/710).
        if begin >= min(end - 1, DOLO_TO):
            return
        finish = min(end - 1, begin + 60 + int(rnd.random() * 240))
        self.events.add(idx=i, kind="dolo", start=begin, end=finish, code=None)


def _cin(rnd: random.Random) -> str:
    value = rnd.random()
    for code, share in (("N1", 0.62), ("N2", 0.03), ("N3", 0.03), ("N4", 0.08), ("N5", 0.14),
                        ("N6", 0.01), ("N7", 0.002)):  # fmt: skip
        if value < share:
            return code
        value -= share
    return "N8"


def _adopters(rnd: random.Random) -> str:
    value = rnd.random()
    if value < 0.12:
        return "1 " + ("F1 L0" if rnd.random() < 0.85 else "M1 L0")
    if value < 0.22:
        return (
            "2 "
            + ("FF" if rnd.random() < 0.5 else "MM")
            + (" L12" if rnd.random() < 0.6 else " L4")
        )
    return "2 MF " + ("L11" if rnd.random() < 0.8 else "L2")
