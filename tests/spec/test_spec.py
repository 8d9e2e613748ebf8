"""The packaged specification: structure per year and agreement with the shared DfE checklists."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from carestat.spec import SUPPORTED_YEARS, TABLE_NAMES, load_spec
from carestat.spec.load import in_range, layout_year
from carestat.spec.model import ColumnType

SHARED_CODELISTS = Path(__file__).parents[3] / "shared" / "spec" / "codelists.tsv"


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (
            2023,
            {
                "Header",
                "Episodes",
                "Reviews",
                "UASC",
                "OC2",
                "OC3",
                "AD1",
                "PlacedAdoption",
                "PrevPerm",
                "Missing",
            },
        ),
        (2024, {"SocialWorker"}),
        (2026, {"SocialWorker"}),
        (2027, {"SocialWorker", "DoLo"}),
    ],
)
def test_tables_present_by_year(year: int, expected: set[str]) -> None:
    assert expected <= set(load_spec(year).tables)


def test_social_worker_and_dolo_absent_before_their_years() -> None:
    assert "SocialWorker" not in load_spec(2023).tables
    assert "DoLo" not in load_spec(2026).tables


def test_table_names_are_canonical_and_ordered() -> None:
    assert tuple(load_spec(2027).tables) == TABLE_NAMES


@pytest.mark.parametrize(
    ("year", "codes"),
    [(2023, {"1", "2"}), (2024, {"1", "2"}), (2025, {"M", "F", "U"}), (2027, {"M", "F", "U"})],
)
def test_sex_codes_change_in_2025(year: int, codes: set[str]) -> None:
    assert load_spec(year).codes("SEX") == codes


def test_place_codes_revised() -> None:
    assert {"H5", "P2", "Z1"} <= load_spec(2024).codes("PLACE")
    assert "K3" not in load_spec(2024).codes("PLACE")
    assert "K3" in load_spec(2025).codes("PLACE")
    later = load_spec(2026).codes("PLACE")
    assert {"K3", "Z11", "Z12", "Z13", "Z14"} <= later
    assert not {"H5", "P2", "Z1"} & later


def test_every_code_column_has_its_list() -> None:
    for year in SUPPORTED_YEARS:
        for table in load_spec(year).tables.values():
            for column in table.columns:
                assert (column.type is ColumnType.CODE) == (column.codes is not None), (
                    year,
                    table.name,
                    column.name,
                )


def test_years_before_2023_use_2023_layout() -> None:
    assert layout_year(2019) == 2023
    assert load_spec(2019).tables.keys() == load_spec(2023).tables.keys()
    with pytest.raises(ValueError, match="2028 is not supported"):
        load_spec(2028)


@pytest.mark.parametrize(
    ("year", "years", "inside"),
    [
        (2024, "2023-2024", True),
        (2025, "2023-2024", False),
        (2030, "2025-", True),
        (2024, "2025-", False),
    ],
)
def test_year_ranges(year: int, years: str, inside: bool) -> None:
    assert in_range(year, years) is inside


def test_spec_objects_are_frozen() -> None:
    spec = load_spec(2026)
    with pytest.raises(AttributeError):
        spec.year = 2020  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.tables["Header"] = spec.tables["Episodes"]  # type: ignore[index]


def _shared_rows() -> list[dict[str, str]]:
    with SHARED_CODELISTS.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _years(ruleset_years: str) -> list[int]:
    """'2022_23-2023_24' or 'all' as collection years."""
    if ruleset_years == "all":
        return list(SUPPORTED_YEARS)
    first, _, last = ruleset_years.partition("-")
    start = int(first[:4]) + 1
    end = int((last or first)[:4]) + 1
    return list(range(start, end + 1))


def _plain_lists() -> list[tuple[str, int, set[str]]]:
    """(column, year, codes) from the shared checklist rows that are plain comma lists."""
    out = []
    for row in _shared_rows():
        codes = row["codes"]
        if not all(c.strip().isalnum() for c in codes.split(",")) or " " in codes:
            continue  # prose entries (regexes, "same + k3") are checked by hand elsewhere
        for year in _years(row["ruleset_years"]):
            out.append((row["column"], year, {c.strip() for c in codes.split(",")}))
    return out


COLUMN_TO_LIST = {"OC2 flags": "YES_NO", "FOSTER_CARE": "YES_NO"}


@pytest.mark.skipif(
    not SHARED_CODELISTS.exists(), reason="../shared/spec is not beside the project"
)
def test_code_lists_agree_with_shared_checklist() -> None:
    checked = 0
    for column, year, codes in _plain_lists():
        name = COLUMN_TO_LIST.get(column, column)
        spec = load_spec(year)
        if name not in spec.codelists:
            continue
        assert spec.codes(name) == codes, (column, year)
        checked += 1
    assert checked > 60
