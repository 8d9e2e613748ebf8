"""What an analysis family returns: findings with their sentences, published tables and charts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from carestat.evidence.result import Finding
from carestat.evidence.sentences import describe


@dataclass(frozen=True)
class Chart:
    """Data for one chart: `kind` names the drawing (line, bars, forest, funnel, steps)."""

    kind: str
    title: str
    data: pd.DataFrame
    x: str
    y: str
    series: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary (the data as records) for JSON output."""
        return {
            "kind": self.kind,
            "title": self.title,
            "x": self.x,
            "y": self.y,
            "series": self.series,
            "data": _records(self.data),
        }


@dataclass
class Section:
    """One analysis family: findings, extra sentences, published tables, charts and notes."""

    key: str
    title: str
    findings: list[Finding] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        """Every sentence of the section: one per finding, then the generated statements."""
        return [describe(f) for f in self.findings] + self.statements

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary for JSON output."""
        return {
            "key": self.key,
            "title": self.title,
            "sentences": self.sentences,
            "findings": [_clean(f.to_dict()) | {"sentence": describe(f)} for f in self.findings],
            "tables": {name: _records(t) for name, t in self.tables.items()},
            "charts": [c.to_dict() for c in self.charts],
            "notes": self.notes,
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dictionaries (NaN as null, dates as ISO text)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return [_clean(r) for r in out.to_dict(orient="records")]


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """NaN and infinities become None; numpy scalars become Python numbers."""
    clean: dict[str, Any] = {}
    for key, value in record.items():
        if hasattr(value, "item") and not isinstance(value, list | tuple | str):
            value = value.item()
        if (
            (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))
            or value is pd.NA
            or value is pd.NaT
        ):
            value = None
        clean[str(key)] = value
    return clean
