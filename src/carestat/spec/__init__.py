"""The SSDA903 return as data: tables, columns, types and code lists for each collection year."""

from carestat.spec.load import SUPPORTED_YEARS, TABLE_NAMES, load_spec
from carestat.spec.model import Column, ColumnType, Spec, Table

__all__ = ["SUPPORTED_YEARS", "TABLE_NAMES", "Column", "ColumnType", "Spec", "Table", "load_spec"]
