"""Councils, regions and England: the lookup and the aggregation of council figures."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pyarrow as pa
import pyarrow.compute as pc
import yaml

COUNTRY_CODE = "E92000001"
COUNTRY_NAME = "England"
LEVELS = ("National", "Regional", "Local authority")  # EES geographic_level values
UNKNOWN_REGION = ("", "Unknown region")
ORDER = ["measure", "breakdown", "year", "geographic_level", "region_code", "la", "category"]


@cache
def council_lookup() -> pa.Table:
    """Every council's GSS code, name, region code and region name (from `data/regions.yaml`)."""
    text = resources.files("carestat.stats").joinpath("data/regions.yaml").read_text("utf-8")
    rows = [
        {"la": la, "la_name": name, "region_code": code, "region_name": region["name"]}
        for code, region in yaml.safe_load(text)["regions"].items()
        for la, name in region["councils"].items()
    ]
    return pa.Table.from_pylist(rows)


def region_of(la: str) -> tuple[str, str]:
    """(region code, region name) of a council, or an unknown-region pair."""
    table = council_lookup().to_pylist()
    for row in table:
        if row["la"] == la:
            return row["region_code"], row["region_name"]
    return UNKNOWN_REGION


def with_geography(council: pa.Table) -> pa.Table:
    """Council results plus their regional and national sums, with EES geography columns.

    Sums numerators and denominators, so means, percentages and rates stay exact at every level
    (they are whole numbers held as float64, so the order of summing cannot change them). Done in
    Arrow on the few hundred thousand council rows the engine returns: the same on every engine.
    """
    lookup = council_lookup()
    t = council.join(lookup, "la", join_type="left outer")
    t = t.set_column(t.schema.get_field_index("la_name"), "la_name",
                     pc.coalesce(t["la_name"], t["la"]))  # fmt: skip
    for name, unknown in zip(("region_code", "region_name"), UNKNOWN_REGION, strict=True):
        t = t.set_column(t.schema.get_field_index(name), name, pc.fill_null(t[name], unknown))
    keys = ["measure", "breakdown", "category", "year", "kind"]
    sums = [("numerator", "sum"), ("denominator", "sum")]
    levels = [
        _level(t.group_by(keys, use_threads=False).aggregate(sums), LEVELS[0]),
        _level(t.group_by([*keys, "region_code", "region_name"], use_threads=False).aggregate(sums),
               LEVELS[1]),
        _level(t, LEVELS[2]),
    ]  # fmt: skip
    return pa.concat_tables(levels).sort_by([(c, "ascending") for c in ORDER])


def _level(t: pa.Table, level: str) -> pa.Table:
    """Rows of one geographic level in the result's columns (missing geography as '')."""
    n = t.num_rows
    blank = pa.array([""] * n, pa.string())
    columns = {"geographic_level": pa.array([level] * n, pa.string())}
    for name in ("region_code", "region_name", "la", "la_name"):
        columns[name] = t[name] if name in t.column_names else blank
    for name in ("measure", "breakdown", "category", "year", "kind"):
        columns[name] = t[name]
    columns["numerator"] = (
        t["numerator_sum"] if "numerator_sum" in t.column_names else t["numerator"]
    )
    columns["denominator"] = (
        t["denominator_sum"] if "denominator_sum" in t.column_names else t["denominator"]
    )
    return pa.table(columns)
