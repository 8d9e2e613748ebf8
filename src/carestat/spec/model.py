"""Frozen dataclasses describing one collection year's 903 return."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class ColumnType(StrEnum):
    """How a column's text is interpreted."""

    ID = "id"
    DATE = "date"
    CODE = "code"
    INTEGER = "integer"
    POSTCODE = "postcode"
    TEXT = "text"


@dataclass(frozen=True)
class Column:
    """One column of a 903 table in one collection year."""

    name: str
    type: ColumnType
    blank_allowed: bool
    codelist: str | None = None
    codes: Mapping[str, str] | None = None

    def is_valid_code(self, value: str) -> bool:
        """Whether `value` is in this column's code list (always true for uncoded columns)."""
        return self.codes is None or value in self.codes


@dataclass(frozen=True)
class Table:
    """One 903 table: its canonical name, conventional file name and ordered columns."""

    name: str
    file: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in the DfE order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called `name` (KeyError if the table has none)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def date_columns(self) -> tuple[str, ...]:
        """Names of the columns holding dates."""
        return tuple(c.name for c in self.columns if c.type is ColumnType.DATE)


@dataclass(frozen=True)
class Spec:
    """The whole return for one collection year (2026 = 1 April 2025 to 31 March 2026)."""

    year: int
    tables: Mapping[str, Table]
    codelists: Mapping[str, Mapping[str, str]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        object.__setattr__(self, "codelists", MappingProxyType(dict(self.codelists)))

    def table(self, name: str) -> Table:
        """The table called `name` (KeyError naming the year if absent)."""
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"the {self.year} return has no {name} table") from None

    def codes(self, codelist: str) -> frozenset[str]:
        """The codes of one code list in this year."""
        return frozenset(self.codelists[codelist])
