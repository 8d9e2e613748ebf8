"""A council's simulated history: every child, episode and event, held column-wise."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

BLANK = np.array(None, dtype=object)  # np.where filler for a blank (null) cell
OPEN = 10**7  # ordinal day far in the future: the event has not happened by the horizon


@dataclass
class Columns:
    """Append-only named columns, turned into numpy arrays once the simulation is done."""

    def add(self, **values: Any) -> None:
        """Append one record."""
        columns = self.__dict__
        for name, value in values.items():
            columns[name].append(value)

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns as numpy arrays (ints as int64, everything else as objects)."""
        out = {}
        for f in fields(self):
            values = getattr(self, f.name)
            is_int = f.type in ("list[int]",)
            out[f.name] = np.array(values, dtype=np.int64 if is_int else object)
        return out


@dataclass
class Children(Columns):
    """One record per child: identity and the facts the Header and UASC tables hold."""

    child: list[str] = field(default_factory=list)
    dob: list[int] = field(default_factory=list)
    sex: list[str] = field(default_factory=list)
    ethnic: list[str] = field(default_factory=list)
    upn: list[str] = field(default_factory=list)
    uasc: list[int] = field(default_factory=list)
    mother_dob: list[int] = field(default_factory=list)  # 0 = not a mother


@dataclass
class Episodes(Columns):
    """One record per episode, in child then start order."""

    idx: list[int] = field(default_factory=list)
    period: list[int] = field(default_factory=list)
    decom: list[int] = field(default_factory=list)
    dec: list[int] = field(default_factory=list)
    rne: list[str] = field(default_factory=list)
    ls: list[str] = field(default_factory=list)
    cin: list[str] = field(default_factory=list)
    place: list[str] = field(default_factory=list)
    provider: list[str | None] = field(default_factory=list)
    rec: list[str] = field(default_factory=list)
    rpc: list[str | None] = field(default_factory=list)
    home_post: list[str | None] = field(default_factory=list)
    pl_post: list[str | None] = field(default_factory=list)
    urn: list[str | None] = field(default_factory=list)


@dataclass
class Periods(Columns):
    """One record per period of care, with what the adoption, leaver and history tables need."""

    idx: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    rec: list[str] = field(default_factory=list)
    leaver: list[int] = field(default_factory=list)  # 1 = relevant care leaver (OC3 later)
    decision: list[int] = field(default_factory=list)  # adoption decision date, 0 = none
    match: list[int] = field(default_factory=list)
    adopters: list[str] = field(default_factory=list)  # "NB_ADOPTR SEX_ADOPTR LS_ADOPTR"


@dataclass
class Events(Columns):
    """Dated events: reviews, missing spells, social worker episodes and DoLOs."""

    idx: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)  # review, M, A, sw, dolo
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    code: list[str | None] = field(default_factory=list)


@dataclass
class History:
    """Everything simulated for one council, as numpy columns."""

    la: str
    children: dict[str, np.ndarray]
    episodes: dict[str, np.ndarray]
    periods: dict[str, np.ndarray]
    events: dict[str, np.ndarray]
