"""Councils, regions and England: the lookup and the aggregation of council figures."""

from __future__ import annotations

from functools import cache
from importlib import resources

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import yaml

COUNTRY_CODE = "E92000001"
COUNTRY_NAME = "England"
LEVELS = ("National", "Regional", "Local authority")  # EES geographic_level values
UNKNOWN_REGION = ("", "Unknown region")


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


def with_geography(results: ir.Table) -> ir.Table:
    """Council results plus their regional and national sums, with EES geography columns.

    Sums numerators and denominators, so means, percentages and rates stay exact at every level.
    """
    lookup = council_lookup().to_pylist()  # written into the SQL: no table to upload
    names = {row["la"]: row["la_name"] for row in lookup}
    regions = {row["la"]: row["region_code"] for row in lookup}
    region_names = {row["region_code"]: row["region_name"] for row in lookup}
    region = results.la.substitute(regions, else_=UNKNOWN_REGION[0])
    t = results.mutate(
        region_code=region,
        region_name=region.substitute(region_names, else_=UNKNOWN_REGION[1]),
        la_name=results.la.substitute(names, else_=results.la),
    )
    keys = ["measure", "breakdown", "category", "year", "kind"]
    sums = {"numerator": t.numerator.sum(), "denominator": t.denominator.sum()}
    council = t.mutate(geographic_level=ibis.literal(LEVELS[2]))
    region = (
        t.group_by([*keys, "region_code", "region_name"])
        .aggregate(**sums)
        .mutate(
            geographic_level=ibis.literal(LEVELS[1]), la=ibis.literal(""), la_name=ibis.literal("")
        )
    )
    nation = t.group_by(keys).aggregate(**sums).mutate(
        geographic_level=ibis.literal(LEVELS[0]), region_code=ibis.literal(""),
        region_name=ibis.literal(""), la=ibis.literal(""), la_name=ibis.literal(""),
    )  # fmt: skip
    columns = ["geographic_level", "region_code", "region_name", "la", "la_name", *keys,
               "numerator", "denominator"]  # fmt: skip
    return ibis.union(nation.select(columns), region.select(columns), council.select(columns))
