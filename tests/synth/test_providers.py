"""Ofsted provider lists: written consistent with the placements, read back normalised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import Workbook, load_workbook

from carestat.model import InputError, Return
from carestat.readers.providers import read_providers
from carestat.synth.providers import (
    PROVIDERS_COLUMNS,
    SA_COLUMNS,
    write_providers_xlsx,
)

from .test_faults import tiny_return

PLACEMENTS = [  # URN, PLACE, PLACE_PROVIDER, PL_POST for the tiny return's first four episodes
    ("1234567", "K2", "PR4", "LS1 1AA"),
    ("1234567", "K2", "PR4", "LS1 1AA"),
    ("SC765432", "K3", "PR4", "M1 1AE"),
    ("XXXXXXX", "A3", "PR1", None),
]


def placed_return() -> Return:
    """The tiny 2026 return with URNs on its episodes."""
    ret = tiny_return(2026)
    episodes = ret.tables["Episodes"].slice(0, len(PLACEMENTS))  # the first four episodes
    for column, values in zip(
        ("URN", "PLACE", "PLACE_PROVIDER", "PL_POST"), zip(*PLACEMENTS, strict=True), strict=True
    ):
        index = episodes.schema.get_field_index(column)
        episodes = episodes.set_column(index, column, pa.array(values, pa.string()))
    ret.tables["Episodes"] = episodes
    return ret


def test_written_workbook_has_the_combined_ofsted_layout(tmp_path: Path) -> None:
    path = tmp_path / "providers.xlsx"
    write_providers_xlsx([placed_return()], path)
    book = load_workbook(path)
    assert book.sheetnames == ["Providers", "SA providers"]
    main, sa = book["Providers"], book["SA providers"]
    assert [c.value for c in main[1]] == list(PROVIDERS_COLUMNS)
    assert [c.value for c in sa[1]] == list(SA_COLUMNS)
    assert [c.value for c in main[2]][:6] == [
        "1234567", "Children's Home", "Setting 1234567", "Leeds", "K2", "PR4",
    ]  # fmt: skip
    assert main[2][0].data_type == "s"  # URN kept as text, as the episodes hold it
    assert sa.max_row == 3 and sa[2][0].value == "SC765432"
    assert main[3][0].value == "SC000000" and main[3][7].value is not None  # a closed provider


def test_reading_back_gives_every_urn_the_placements_use(tmp_path: Path) -> None:
    path = tmp_path / "providers.xlsx"
    write_providers_xlsx([placed_return()], path)
    table = read_providers([path])
    rows = {r["urn"]: r for r in table.to_pylist()}
    assert set(rows) == {"1234567", "SC765432", "SC000000", "SC000000A"}  # not XXXXXXX
    assert rows["1234567"]["place_codes"] == ["K2"]
    assert rows["1234567"]["provider_codes"] == ["PR4"]
    assert rows["1234567"]["postcode"] == "LS11AA"
    assert rows["1234567"]["deregistered"] is None
    assert rows["1234567"]["registered"] == date(2000, 1, 1)
    assert rows["SC765432"]["place_codes"] == ["K3"]
    assert rows["SC765432"]["source"] == "providers.xlsx:SA providers"


def test_reads_separate_ofsted_sheets_and_merges_by_urn(tmp_path: Path) -> None:
    book = Workbook()
    settings = book.active
    assert settings is not None
    settings.title = "Settings and Inspection Info"
    settings.append(["URN", "Local Authority", "Provider Code", "Provider Placement Code",
                     "Closed Date"])  # fmt: skip
    settings.append([1234567, "Leeds", "PR4/PR5", "K2", date(2024, 1, 31)])
    address = book.create_sheet("Address Details")
    address.append(["URN", "Setting Postcode"])
    address.append([1234567, "ls1 1aa"])
    path = tmp_path / "ch.xlsx"
    book.save(path)
    (row,) = read_providers([path]).to_pylist()
    assert row["urn"] == "1234567" and row["postcode"] == "LS11AA"
    assert row["provider_codes"] == ["PR4", "PR5"] and row["place_codes"] == ["K2"]
    assert row["deregistered"] == date(2024, 1, 31)


def test_a_file_that_is_not_a_provider_list_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "notes.xlsx"
    book = Workbook()
    assert book.active is not None
    book.active.append(["Name", "Notes"])
    book.save(bad)
    with pytest.raises(InputError, match="no sheet with a URN column"):
        read_providers([bad])
    text = tmp_path / "text.xlsx"
    text.write_text("not a workbook")
    with pytest.raises(InputError, match="not a readable Excel provider list"):
        read_providers([text])


def test_every_synthetic_provider_has_a_urn_of_its_own() -> None:
    # Hashed URNs once collided (a Peterborough school and a Brent home), and rule 221 then
    # found a placement's postcode was not its URN's.
    from carestat.synth.councils import postcode_pools, providers_for

    urns = [provider.urn for code, (postcodes, _) in postcode_pools().items()
            for pool in providers_for(code, postcodes).values() for provider in pool]  # fmt: skip
    assert len(urns) > 2000 and len(set(urns)) == len(urns)
