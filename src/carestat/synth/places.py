"""Placement types, providers and locations, valid for the dates they are used on."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from datetime import date
from itertools import accumulate

from carestat.synth.councils import Council, Provider, neighbour_pool

# Code-list changes by date (see codelists.yaml): H5 is valid to 2024-25, K3 from 2024-25,
# Z11-Z14 from 2025-26. Placements only use a code inside the years it is valid in.
K3_FROM = date(2024, 4, 1).toordinal()
H5_UNTIL = date(2025, 3, 31).toordinal()
H5_URN_FROM = date(2023, 10, 28).toordinal()  # English H5 placements need a URN from this day
Z1X_FROM = date(2025, 4, 1).toordinal()
NO_URN = frozenset({"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4",
                    "Z11", "Z12", "Z13", "Z14"})  # fmt: skip
FOSTER = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
RESIDENTIAL_DOLO = frozenset({"K2", "Z12", "Z13"})
IN_AREA_SHARE = 0.62
# Out-of-area placements over 20 miles from home: DfE, "Children looked after: a focus on
# placement location" (2024 release), 2015: 14.3% of children outside the boundary and over
# 20 miles, of 37.4% outside it. Of those, about one in six over 100 miles (Children's
# Commissioner, 2019: 2,075 of 11,352). Real returns name postcodes all over England.
DISTANT_SHARE = 0.38
FARTHEST_SHARE = 0.18


@dataclass(frozen=True)
class Placement:
    """Where a child lives during a spell: the PLACE code, provider, URN and postcode."""

    place: str
    provider: str | None
    urn: str | None
    postcode: str | None
    la: str


def _chooser(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    codes = list(weights)
    return codes, list(accumulate(weights.values()))


_YOUNG = _chooser({"U6": 0.50, "U4": 0.20, "U3": 0.16, "U1": 0.10, "U5": 0.04})
_CHILD = _chooser({"U6": 0.50, "U4": 0.24, "U3": 0.08, "U1": 0.07, "K2": 0.09, "R1": 0.02,
                   "S1": 0.01})  # fmt: skip
_TEEN = _chooser({"U6": 0.44, "U4": 0.18, "U3": 0.06, "U1": 0.04, "K2": 0.26, "R1": 0.02,
                  "S1": 0.015, "K1": 0.006})  # fmt: skip
_OLDER = _chooser({"U6": 0.36, "U4": 0.16, "U3": 0.05, "K2": 0.13, "SEMI": 0.30, "S1": 0.01,
                   "K1": 0.004, "R5": 0.01})  # fmt: skip
# Registered placements other than foster and adoption: the provider pool each is drawn from.
POOL = {"K2": "home", "K1": "secure", "S1": "school"}
_UASC = _chooser({"U6": 0.50, "K2": 0.15, "SEMI": 0.35})


def _pick(rnd: random.Random, chooser: tuple[list[str], list[float]]) -> str:
    codes, totals = chooser
    return codes[bisect(totals, rnd.random() * totals[-1])]


def choose_place(age: float, day: int, uasc: bool, rnd: random.Random) -> str:
    """A placement type for a child of `age` years starting a placement on `day` (ordinal)."""
    if uasc:
        code = _pick(rnd, _UASC if age >= 16 else _CHILD)
    elif age >= 16:
        code = _pick(rnd, _OLDER)
    elif age >= 10:
        code = _pick(rnd, _TEEN)
    elif age >= 5:
        code = _pick(rnd, _CHILD)
    else:
        code = _pick(rnd, _YOUNG)
    if code == "SEMI":
        code = "K3" if day >= K3_FROM else "H5"
    if code == "K2" and day >= Z1X_FROM and age >= 12 and rnd.random() < 0.06:
        code = "Z13" if age >= 16 else "Z12"
    return code


def _private(pool: list[Provider], rnd: random.Random) -> Provider:
    choices = [p for p in pool if p.private]
    return choices[int(rnd.random() * len(choices))]


def _elsewhere(council: Council, rnd: random.Random) -> str:
    """The council an out-of-area placement is in: a neighbour, or one 20 or 100+ miles away."""
    choices: tuple[str, ...] = ()
    if rnd.random() < DISTANT_SHARE and council.afar:
        choices = council.afar[1 if rnd.random() < FARTHEST_SHARE else 0]
    choices = choices or council.neighbours
    return choices[int(rnd.random() * len(choices))]


def locate(
    place: str, council: Council, home: str | None, rnd: random.Random, day: int = 0
) -> Placement:
    """Provider, URN and postcode for a placement: in the council's area or a neighbour's."""
    if place == "P1":
        return Placement("P1", "PR0", None, home, council.code)
    # Adoption agencies and secure homes (the council's own unit, PR1) are the council's own;
    # supported accommodation (K3) is used where its provider has premises, in the area (rule 241).
    in_area = rnd.random() < IN_AREA_SHARE or place.startswith("A") or place in ("K1", "K3")
    if in_area:
        code, postcodes, pools = council.code, council.postcodes, council.providers
    else:
        code = _elsewhere(council, rnd)
        postcodes, pools = neighbour_pool(code)
    postcode = postcodes[int(rnd.random() * len(postcodes))]
    while postcode == home:
        postcode = postcodes[int(rnd.random() * len(postcodes))]
    if place in FOSTER:
        # Carers live anywhere; the fostering service is the council's own or an agency of its own area.
        own = rnd.random() < (0.85 if place in ("U1", "U3") else 0.55)
        service = (
            council.providers["fostering"][0]
            if own
            else _private(council.providers["fostering"], rnd)
        )
        return Placement(place, service.provider, service.urn, postcode, code)
    if place.startswith("A"):
        agency = council.providers["adoption"][0]
        return Placement(place, agency.provider, agency.urn, postcode, code)
    if place in NO_URN:
        # Unregistered (Z11-Z14) placements take no provider code (rules 178, 213).
        owner = None if place.startswith("Z") else "PR3" if place == "R5" else "PR4"
        return Placement(place, owner, None, postcode, code)
    kind = POOL.get(place, "supported")
    pool = pools[kind]
    provider = pool[int(rnd.random() * len(pool))] if in_area else _private(pool, rnd)
    for _ in range(20):  # a home at the child's own home postcode would fail rule 392d
        if provider.postcode != home:
            break
        provider = _private(pool, rnd) if not in_area else pool[int(rnd.random() * len(pool))]
    urn = None if place == "H5" and day < H5_URN_FROM else provider.urn  # rules 222, 230
    return Placement(place, provider.provider, urn, provider.postcode, code)
