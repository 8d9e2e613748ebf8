"""Postcode look-up by binary search on the sorted letter files, against a plain hash join."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc

from carestat.rules.postcodes import _letter, postcode_facts, postcode_key


def _by_hash(values: list[str | None]) -> list[str | None]:
    """Each value's district, found by hashing the whole letter table (the obvious way)."""
    keys = postcode_key(pa.array(values, pa.string()))
    out: list[str | None] = []
    for key in keys.to_pylist():
        if not key or not "A" <= key[0] <= "Z":
            out.append(None)
            continue
        table, _ = _letter(key[0])
        at = pc.index(table["pcd"], key).as_py()
        out.append(None if at < 0 else table["laua"][at].as_py())
    return out


def test_binary_search_finds_what_a_hash_finds_on_real_and_junk_postcodes() -> None:
    table, _ = _letter("B")
    rng = random.Random(7)
    real = [table["pcd"][rng.randrange(table.num_rows)].as_py() for _ in range(200)]
    spaced = [f"{p[:-3]} {p[-3:]}".lower() for p in real[:50]]  # as councils write them
    junk = ["B", "B1", "B1 1A", "B1 1AAA", "BZ99 9ZZZ9", "1 2AB", "/", "", None, "Ü1 1AA"]
    values = real + spaced + junk
    facts = postcode_facts(pa.array(values, pa.string()))
    assert facts["laua"].to_pylist() == _by_hash(values)
    found = facts["pcd"].to_pylist()
    assert found[:250] == [p.replace(" ", "").upper() for p in values[:250]]  # type: ignore[union-attr]
    assert found[250:] == [None] * len(junk)


def test_each_letter_file_is_sorted_and_its_keys_are_its_postcodes() -> None:
    table, keys = _letter("W")
    assert len(keys) == table.num_rows > 1000
    assert (keys[:-1] <= keys[1:]).all()
    assert [k.decode() for k in keys[:100]] == table["pcd"].to_pylist()[:100]
