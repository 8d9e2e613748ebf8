"""Ofsted provider lists (`--providers`): one row per URN, for the rules that check URNs.

Reads the workbooks councils download from Ofsted (children's homes and other social care
providers, supported accommodation; combined or separate), recognising sheets by a URN column
and columns by their header names in any case. See `carestat.synth.providers` for the writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from python_calamine import CalamineWorkbook

from carestat.model import InputError
from carestat.readers.normalise import defer_pandas

SA_SHEET = "SA providers"
PROVIDERS_SCHEMA = pa.schema([("urn", pa.string()), ("provider_type", pa.string()),
                              ("name", pa.string()), ("la_name", pa.string()),
                              ("place_codes", pa.list_(pa.string())),
                              ("provider_codes", pa.list_(pa.string())), ("registered", pa.date32()),
                              ("deregistered", pa.date32()), ("places", pa.int64()),
                              ("postcode", pa.string()), ("source", pa.string())])  # fmt: skip

# Header names in Ofsted's lists (any case) -> carestat's normalised column names.
ALIASES = {
    "urn": "urn",
    "provider type": "provider_type",
    "setting name": "name",
    "local authority": "la_name",
    "provider local authority": "la_name",
    "placement code": "place_codes",
    "provider placement code": "place_codes",
    "placement provider code": "provider_codes",
    "provider code": "provider_codes",
    "registration date": "registered",
    "deregistration date": "deregistered",
    "closed date": "deregistered",
    "places": "places",
    "setting address postcode": "postcode",
    "setting postcode": "postcode",
}
COLUMNS = ("urn", "provider_type", "name", "la_name", "place_codes", "provider_codes",
           "registered", "deregistered", "places", "postcode", "source")  # fmt: skip


def _codes(value: Any) -> list[str]:
    """A code cell ("K2", "PR1,PR2", "K1/K2") as a list of upper-case codes."""
    if value is None:
        return []
    return [c.strip().upper() for c in str(value).replace("/", ",").split(",") if c.strip()]


def _cell(column: str, value: Any) -> Any:
    """A cell as carestat keeps it in the normalised table."""
    if value == "":  # the Excel reader gives an empty cell as empty text
        value = None
    if column in ("place_codes", "provider_codes"):
        return _codes(value)
    if column in ("registered", "deregistered"):
        return (
            value.date() if hasattr(value, "date") else value if isinstance(value, date) else None
        )
    if column == "places":
        return int(value) if isinstance(value, int | float) else None
    if value is None:
        return None
    text = str(value).strip()
    if column == "urn":
        return text.removesuffix(".0")
    return text.replace(" ", "").upper() if column == "postcode" else text or None


def _sheet_records(path: Path, title: str, rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Records of one sheet whose header row names a URN column; none otherwise."""
    iterator = iter(rows)
    header = [str(h).strip().lower() if h is not None else "" for h in next(iterator, ())]
    if "urn" not in header:
        return []
    positions = {ALIASES[h]: i for i, h in enumerate(header) if h in ALIASES}
    records = []
    for values in iterator:
        record = {c: _cell(c, values[i]) if i < len(values) else None for c, i in positions.items()}
        if not record.get("urn"):
            continue
        if title.lower() == SA_SHEET.lower() and not record.get("place_codes"):
            record["place_codes"] = ["K3"]  # the supported accommodation sheet has no code column
        record["source"] = f"{path.name}:{title}"
        records.append(record)
    return records


def read_providers(paths: Sequence[Path | str]) -> pa.Table:
    """Read Ofsted provider lists (combined or separate, any sheets with a URN column).

    Returns one row per URN with columns: `urn` (string), `provider_type`, `name`, `la_name`
    (strings), `place_codes` and `provider_codes` (lists of upper-case codes), `registered`
    and `deregistered` (dates, null when absent), `places` (int64), `postcode` (upper case, no
    spaces) and `source` (`file:sheet`). Where several sheets describe one URN (Ofsted's address
    sheet beside its settings sheet) the first non-empty value of each column is kept.
    """
    defer_pandas()  # it may run beside the return's readers, before either builds an array
    merged: dict[str, dict[str, Any]] = {}
    for path in map(Path, paths):
        try:
            book = CalamineWorkbook.from_path(str(path))
            sheets = [(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                      for name in book.sheet_names]  # fmt: skip
        except Exception as error:
            raise InputError(f"{path}: not a readable Excel provider list ({error})") from None
        for title, rows in sheets:
            for record in _sheet_records(path, title, rows):
                into = merged.setdefault(record["urn"], {})
                for column, value in record.items():
                    if into.get(column) in (None, []):
                        into[column] = value
    if not merged and paths:
        raise InputError(
            f"{paths[0]}: no sheet with a URN column; is this an Ofsted provider list?"
        )
    records = [{c: r.get(c) for c in COLUMNS} for r in merged.values()]
    return pa.Table.from_pylist(records, schema=PROVIDERS_SCHEMA)
