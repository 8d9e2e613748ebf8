"""Writers: a `Return` as the files councils submit (CSV tables, DfE XML)."""

from carestat.writers.csv import write_csv_return

__all__ = ["write_csv_return"]
