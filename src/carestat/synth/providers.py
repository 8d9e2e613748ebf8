"""Ofsted provider lists: write them for synthetic returns, read them for `--providers`.

The workbook follows the combined Ofsted list councils download and the reference validator
accepts in its "children's homes" box: a sheet `Providers` (children's homes and other social
care providers) and a sheet `SA providers` (supported accommodation, placement code K3). URNs are
written as text, as Ofsted's lists hold them, so they match the URN column of the episodes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook, load_workbook

from carestat.model import InputError, Return

PROVIDERS_SHEET = "Providers"
SA_SHEET = "SA providers"
PROVIDERS_COLUMNS = ("URN", "Provider type", "Setting name", "Local authority", "Placement code",
                     "Placement provider code", "Registration date", "Deregistration date",
                     "Places", "Setting address postcode")  # fmt: skip
SA_COLUMNS = ("URN", "Provider type", "Setting name", "Provider local authority",
              "Placement provider code", "Registration date", "Closed date",
              "Setting address postcode")  # fmt: skip
PROVIDER_TYPES = {"K2": "Children's Home", "K1": "Secure Children's Home",
                  "U4": "Independent Fostering Agency", "U5": "Independent Fostering Agency",
                  "U6": "Independent Fostering Agency", "R1": "Residential Family Centre",
                  "K3": "Supported Accommodation", "S1": "Residential Special School"}  # fmt: skip
NO_URN = "XXXXXXX"  # DfE's placeholder for regional adoption agencies
CLOSED_URN = "SC000000"  # a long-closed provider, as real lists hold


@cache
def _la_names() -> dict[str, str]:
    """Upper-tier council names by GSS code, from the maintained authorities package."""
    import qlacref_authorities

    return {r["UTLA21CD"]: r["UTLA21NM"] for r in qlacref_authorities.records}


def _usage(returns: Iterable[Return]) -> dict[str, dict[str, Any]]:
    """For each URN: placement codes, provider codes, postcodes, councils and first start date."""
    used: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "place": set(),
            "provider": set(),
            "post": Counter(),
            "la": Counter(),
            "first": None,
        }
    )
    for ret in returns:
        episodes = ret.tables["Episodes"]
        episodes = episodes.filter(pc.and_(pc.is_valid(episodes["URN"]),
                                           pc.not_equal(episodes["URN"], NO_URN)))  # fmt: skip
        columns = ["URN", "PLACE", "PLACE_PROVIDER", "PL_POST", "DECOM"]
        for urn, place, provider, post, decom in zip(
            *(episodes.column(c).to_pylist() for c in columns), strict=True
        ):
            entry = used[urn]
            entry["place"].add(place)
            entry["provider"].add(provider)
            entry["post"][post] += 1
            entry["la"][ret.la] += 1
            if decom and (entry["first"] is None or decom < entry["first"]):
                entry["first"] = decom
    return used


def _row(urn: str, entry: dict[str, Any], supported: bool) -> list[Any]:
    """One provider's row, consistent with every placement made with it."""
    places = sorted(p for p in entry["place"] if p)
    la_code = entry["la"].most_common(1)[0][0] if entry["la"] else None
    la_name = _la_names().get(la_code or "", la_code)
    post = next((p for p, _ in entry["post"].most_common() if p), None)
    registered = date(min(entry["first"].year, 2000), 1, 1) if entry["first"] else None
    kind = PROVIDER_TYPES.get(places[0], "Other Social Care Provider") if places else "Unknown"
    providers = ",".join(sorted(p for p in entry["provider"] if p))
    name = f"Setting {urn}"
    if supported:
        return [urn, kind, name, la_name, providers, registered, None, post]
    return [urn, kind, name, la_name, ",".join(places), providers, registered, None, len(places) * 4, post]  # fmt: skip


def write_providers_xlsx(returns: Iterable[Return], path: Path) -> None:
    """Write the Ofsted provider lists listing every URN the returns' placements use."""
    book = Workbook()
    main = book.active
    assert main is not None
    main.title = PROVIDERS_SHEET
    main.append(list(PROVIDERS_COLUMNS))
    sa = book.create_sheet(SA_SHEET)
    sa.append(list(SA_COLUMNS))
    for urn, entry in sorted(_usage(returns).items()):
        supported = entry["place"] == {"K3"}
        (sa if supported else main).append(_row(urn, entry, supported))
    # Ofsted's lists also hold closed providers; one on each sheet also makes the closing-date
    # columns read as dates (the reference validator's rules 227/228 raise on an empty column).
    closed, opened = date(2010, 3, 31), date(2000, 1, 1)
    main.append([CLOSED_URN, "Children's Home", "Closed setting", None, "K2", "PR4", opened,
                 closed, 0, None])  # fmt: skip
    sa.append([CLOSED_URN + "A", "Supported Accommodation", "Closed setting", None, "PR4", opened,
               closed, None])  # fmt: skip
    for sheet in (main, sa):
        for cell in sheet["A"][1:]:
            cell.number_format = "@"  # URNs are text, never numbers
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


# ---- reading provider lists --------------------------------------------------------------------

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
    merged: dict[str, dict[str, Any]] = {}
    for path in map(Path, paths):
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:
            raise InputError(f"{path}: not a readable Excel provider list ({error})") from None
        for sheet in book.worksheets:
            for record in _sheet_records(path, sheet.title, sheet.iter_rows(values_only=True)):
                into = merged.setdefault(record["urn"], {})
                for column, value in record.items():
                    if into.get(column) in (None, []):
                        into[column] = value
    if not merged and paths:
        raise InputError(
            f"{paths[0]}: no sheet with a URN column; is this an Ofsted provider list?"
        )
    schema = pa.schema([("urn", pa.string()), ("provider_type", pa.string()),
                        ("name", pa.string()), ("la_name", pa.string()),
                        ("place_codes", pa.list_(pa.string())),
                        ("provider_codes", pa.list_(pa.string())), ("registered", pa.date32()),
                        ("deregistered", pa.date32()), ("places", pa.int64()),
                        ("postcode", pa.string()), ("source", pa.string())])  # fmt: skip
    rows = [{c: r.get(c) for c in COLUMNS} for r in merged.values()]
    return pa.Table.from_pylist(rows, schema=schema)
