"""Write a `Return` as one CSV file per table, in the DfE column order, dates as dd/mm/YYYY."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from carestat.model import RAW_SUFFIX, Return
from carestat.spec.model import ColumnType


def text_columns(ret: Return, name: str) -> pa.Table:
    """A table's spec columns as the text a council's file holds."""
    table = ret.tables[name]
    spec_table = ret.spec.table(name)
    arrays = []
    for column in spec_table.columns:
        values = table.column(column.name)
        if column.type is ColumnType.DATE:
            written = pc.strftime(values.cast(pa.timestamp("s")), format="%d/%m/%Y")
            values = pc.coalesce(written, table.column(column.name + RAW_SUFFIX))
        arrays.append(values)
    return pa.table(arrays, names=list(spec_table.column_names))


def write_csv_return(ret: Return, folder: Path) -> list[Path]:
    """Write every table of the return's year into `folder` (empty tables as headings only)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in ret.spec.tables.items():
        if name not in ret.tables:
            continue
        path = folder / table.file
        options = pacsv.WriteOptions(quoting_style="needed")
        pacsv.write_csv(text_columns(ret, name), path, write_options=options)
        written.append(path)
    return written
