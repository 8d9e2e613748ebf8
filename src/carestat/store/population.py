"""Read `population.csv` (la, year, age, sex, ethnic, population) into a checked Arrow table."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from carestat.model import InputError

POPULATION_SCHEMA = pa.schema(
    [
        pa.field("la", pa.string(), nullable=False),
        pa.field("year", pa.int32(), nullable=False),
        pa.field("age", pa.int32(), nullable=False),
        pa.field("sex", pa.string(), nullable=False),
        pa.field("ethnic", pa.string(), nullable=False),
        pa.field("population", pa.int64(), nullable=False),
    ]
)


def read_population_csv(path: Path) -> pa.Table:
    """The population denominators in a CSV file; InputError naming the file if unusable."""
    names = POPULATION_SCHEMA.names
    try:
        table = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(),
            convert_options=pacsv.ConvertOptions(
                column_types={f.name: f.type for f in POPULATION_SCHEMA},
                include_columns=names,
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, KeyError) as error:
        raise InputError(
            f"{path}: not a population file with columns {','.join(names)}: {error}"
        ) from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read: {error}") from None
    return check_population(table, str(path))


def check_population(table: pa.Table, where: str) -> pa.Table:
    """The table in the store's population shape; InputError on blanks or impossible values."""
    missing = [n for n in POPULATION_SCHEMA.names if n not in table.column_names]
    if missing:
        raise InputError(f"{where}: population table lacks column(s) {', '.join(missing)}")
    table = table.select(POPULATION_SCHEMA.names)
    for name in POPULATION_SCHEMA.names:
        column = table.column(name)
        if column.null_count or (pa.types.is_string(column.type) and pc.any(pc.equal(column, ""))):
            raise InputError(f"{where}: population column {name} has blank values")
    try:
        table = table.cast(POPULATION_SCHEMA)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise InputError(f"{where}: population values of the wrong type: {error}") from None
    if pc.any(pc.less(table.column("population"), 0)).as_py():
        raise InputError(f"{where}: population counts must not be negative")
    return table
