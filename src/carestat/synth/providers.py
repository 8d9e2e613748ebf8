"""Ofsted provider lists written for synthetic returns (read back by `carestat.readers.providers`).

The workbook follows the combined Ofsted list councils download and the reference validator
accepts in its "children's homes" box: a sheet `Providers` (children's homes and other social
care providers) and a sheet `SA providers` (supported accommodation, placement code K3). URNs are
written as text, as Ofsted's lists hold them, so they match the URN column of the episodes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
from openpyxl import Workbook

from carestat.model import Return

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


@cache
def _registered_postcodes() -> dict[str, tuple[str, str]]:
    """Every synthetic provider's URN → (council, premises postcode), as synth placed them."""
    from carestat.synth.councils import postcode_pools, providers_for

    registry = {}
    for code, (postcodes, _) in postcode_pools().items():
        for pool in providers_for(code, postcodes).values():
            registry.update({p.urn: (p.la, p.postcode) for p in pool})
    return registry


def _row(urn: str, entry: dict[str, Any], supported: bool) -> list[Any]:
    """One provider's row, consistent with every placement made with it."""
    places = sorted(p for p in entry["place"] if p)
    la_code = entry["la"].most_common(1)[0][0] if entry["la"] else None
    post = next((p for p, _ in entry["post"].most_common() if p), None)
    if urn in _registered_postcodes():
        # A fostering service's premises are its office, not the carers' homes the placements give.
        la_code, post = _registered_postcodes()[urn]
    la_name = _la_names().get(la_code or "", la_code)
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
