"""Load the packaged YAML specification into frozen `Spec` objects, one per collection year."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from carestat.cache import cache_folder, write_json
from carestat.spec.model import Column, ColumnType, Spec, Table

SUPPORTED_YEARS: tuple[int, ...] = (2023, 2024, 2025, 2026, 2027)
TABLE_NAMES: tuple[str, ...] = (
    "Header", "Episodes", "Reviews", "UASC", "OC2", "OC3", "AD1",
    "PlacedAdoption", "PrevPerm", "Missing", "SocialWorker", "DoLo",
)  # fmt: skip


@cache
def _read_yaml(name: str) -> Any:
    """A packaged YAML file, parsed once per process and kept as JSON in the user cache.

    Importing PyYAML and parsing cost ~0.05 s of every command; the JSON copy is named by a hash
    of the YAML text, so an edited specification is parsed afresh.
    """
    data = resources.files("carestat.spec").joinpath("data", name).read_bytes()
    cached = cache_folder("spec") / f"{name}.{hashlib.sha256(data).hexdigest()[:16]}.json"
    try:
        return json.loads(cached.read_text("utf-8"))
    except (OSError, ValueError):
        pass
    import yaml

    parsed = yaml.load(data.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    write_json(cached, parsed)
    return parsed


def in_range(year: int, years: str) -> bool:
    """Whether `year` falls in an inclusive range written "2023-2024" or "2025-"."""
    first, _, last = str(years).partition("-")
    return int(first) <= year and (not last or year <= int(last))


def layout_year(year: int) -> int:
    """The collection year whose layout a year uses: years before 2023 use the 2023 layout."""
    if year > SUPPORTED_YEARS[-1]:
        raise ValueError(
            f"collection year {year} is not supported yet (supported: "
            f"{SUPPORTED_YEARS[0]}-{SUPPORTED_YEARS[-1]})"
        )
    return max(year, SUPPORTED_YEARS[0])


def _codelists(year: int) -> dict[str, MappingProxyType[str, str]]:
    lists = {}
    for name, versions in _read_yaml("codelists.yaml").items():
        for version in versions:
            if in_range(year, version["years"]):
                codes = {str(code): str(label) for code, label in version["codes"].items()}
                lists[name] = MappingProxyType(codes)
    return lists


def _column(name: str, raw: dict[str, Any], codelists: dict[str, Any]) -> Column:
    codelist = raw.get("codes")
    return Column(
        name=name,
        type=ColumnType(raw["type"]),
        blank_allowed=bool(raw["blank"]),
        codelist=codelist,
        codes=codelists[codelist] if codelist else None,
    )


@cache
def load_spec(year: int) -> Spec:
    """The 903 specification for collection `year` (2026 = 2025-26); earlier years use 2023's."""
    layout = layout_year(year)
    codelists = _codelists(layout)
    tables = {}
    for name, raw in _read_yaml("tables.yaml").items():
        if not in_range(layout, raw["years"]):
            continue
        columns = tuple(
            _column(col, spec, codelists)
            for col, spec in raw["columns"].items()
            if in_range(layout, spec.get("years", "2023-"))
        )
        tables[name] = Table(name=name, file=raw["file"], columns=columns)
    return Spec(year=year, tables=tables, codelists=codelists)
