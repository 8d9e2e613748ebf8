"""Synthetic returns: reproducible, filled, consistent across years, valid codes, realistic shape."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from carestat.model import Return
from carestat.spec import load_spec
from carestat.synth import generate
from carestat.synth.journey import birthday

YEARS = (2023, 2024, 2025, 2026, 2027)


@pytest.fixture(scope="module")
def returns() -> dict[tuple[str, int], Return]:
    """Two councils of about 150 looked after each, 2022-23 to 2026-27."""
    synthetic = generate(las=2, years=YEARS, seed=7, children=150)
    return {(r.la, r.year): r for r in synthetic.returns()}


def test_each_council_and_year_has_a_return(returns: dict[tuple[str, int], Return]) -> None:
    councils = {la for la, _ in returns}
    assert len(councils) == 2
    assert all(la.startswith(("E06", "E08", "E09", "E10")) and len(la) == 9 for la in councils)
    assert sorted({year for _, year in returns}) == list(YEARS)


def test_every_table_is_filled(returns: dict[tuple[str, int], Return]) -> None:
    totals: dict[str, int] = {}
    for ret in returns.values():
        assert set(ret.tables) == set(load_spec(ret.year).tables)
        for name, rows in ret.rows().items():
            totals[name] = totals.get(name, 0) + rows
    assert set(totals) == set(load_spec(2027).tables)
    assert all(rows > 0 for rows in totals.values()), totals
    assert totals["Reviews"] > totals["Header"]  # several reviews a year for most children
    assert totals["Episodes"] > totals["Header"]


def test_codes_are_valid_in_their_year(returns: dict[tuple[str, int], Return]) -> None:
    for ret in returns.values():
        spec = load_spec(ret.year)
        for name, table in spec.tables.items():
            for column in table.columns:
                if column.codes is None:
                    continue
                values = set(pc.drop_null(ret.tables[name][column.name]).to_pylist())
                assert values <= set(column.codes), (
                    ret.year,
                    name,
                    column.name,
                    values - set(column.codes),
                )


def test_mandatory_columns_are_never_blank(returns: dict[tuple[str, int], Return]) -> None:
    for ret in returns.values():
        for name, table in ret.spec.tables.items():
            for column in table.columns:
                if not column.blank_allowed:
                    assert ret.tables[name][column.name].null_count == 0, (name, column.name)


def _episodes(ret: Return) -> list[dict]:
    return sorted(ret.tables["Episodes"].to_pylist(), key=lambda e: (e["CHILD"], e["DECOM"]))


def test_episodes_chain_without_gaps_or_overlaps(returns: dict[tuple[str, int], Return]) -> None:
    for ret in returns.values():
        end = date(ret.year, 3, 31)
        previous: dict | None = None
        for episode in _episodes(ret):
            assert episode["DEC"] is None or episode["DECOM"] < episode["DEC"] <= end
            assert (episode["DEC"] is None) == (episode["REC"] is None)
            if previous and previous["CHILD"] == episode["CHILD"]:
                assert previous["DEC"] is not None
                if previous["REC"] == "X1":
                    assert previous["DEC"] == episode["DECOM"] and episode["RNE"] != "S"
                else:
                    assert previous["DEC"] < episode["DECOM"] and episode["RNE"] == "S"
            previous = episode


def test_children_open_at_year_end_continue_next_year(
    returns: dict[tuple[str, int], Return],
) -> None:
    for (la, year), ret in returns.items():
        if (la, year + 1) not in returns:
            continue
        after = returns[(la, year + 1)]
        later = {e["CHILD"]: e for e in reversed(_episodes(after))}  # first episode per child
        people = {h["CHILD"]: h for h in after.tables["Header"].to_pylist()}
        before = {h["CHILD"]: h for h in ret.tables["Header"].to_pylist()}
        open_now = [e for e in _episodes(ret) if e["DEC"] is None]
        assert open_now
        for episode in open_now:
            child = episode["CHILD"]
            assert later[child]["DECOM"] == episode["DECOM"]
            assert (later[child]["LS"], later[child]["PLACE"]) == (episode["LS"], episode["PLACE"])
            assert people[child]["DOB"] == before[child]["DOB"]
            assert people[child]["ETHNIC"] == before[child]["ETHNIC"]


def test_sex_codes_follow_the_year(returns: dict[tuple[str, int], Return]) -> None:
    for ret in returns.values():
        codes = set(ret.tables["Header"]["SEX"].to_pylist())
        assert codes <= ({"1", "2"} if ret.year <= 2024 else {"M", "F"})


def test_care_ends_by_the_eighteenth_birthday(returns: dict[tuple[str, int], Return]) -> None:
    for ret in returns.values():
        dob = {h["CHILD"]: h["DOB"] for h in ret.tables["Header"].to_pylist()}
        for episode in _episodes(ret):
            eighteen = date.fromordinal(birthday(dob[episode["CHILD"]].toordinal(), 18))
            assert episode["DECOM"] < eighteen
            assert episode["DEC"] is None or episode["DEC"] <= eighteen


def test_same_seed_same_returns() -> None:
    first = [
        r.tables["Episodes"] for r in generate(las=1, years=(2026,), seed=3, children=40).returns()
    ]
    again = [
        r.tables["Episodes"] for r in generate(las=1, years=(2026,), seed=3, children=40).returns()
    ]
    other = [
        r.tables["Episodes"] for r in generate(las=1, years=(2026,), seed=4, children=40).returns()
    ]
    assert first[0].equals(again[0])
    assert not first[0].equals(other[0])


def test_national_shape_on_a_medium_run() -> None:
    """Stock/starts ratio, under-1 share and adoptions in the published proportions."""
    stock = starts = infants = adopted = 0
    for ret in generate(las=4, years=(2025, 2026), seed=11).returns():
        e = ret.tables["Episodes"]
        stock += len(set(e.filter(pc.is_null(e["DEC"]))["CHILD"].to_pylist()))
        begun = e.filter(
            pc.and_(pc.equal(e["RNE"], "S"), pc.greater_equal(e["DECOM"], date(ret.year - 1, 4, 1)))
        )
        dob = dict(
            zip(
                ret.tables["Header"]["CHILD"].to_pylist(),
                ret.tables["Header"]["DOB"].to_pylist(),
                strict=True,
            )
        )
        first = {}
        for child, day in zip(begun["CHILD"].to_pylist(), begun["DECOM"].to_pylist(), strict=True):
            first[child] = min(day, first.get(child, day))
        starts += len(first)
        infants += sum((d - dob[c]).days < 365 for c, d in first.items())
        adopted += ret.tables["AD1"].num_rows
    assert 2.0 < stock / starts < 3.2  # national: 82,000 / 33,000
    assert 0.12 <= infants / starts <= 0.20
    assert 0.05 < adopted / starts < 0.15  # national: 3,000 / 33,000


def test_dates_are_arrow_dates(returns: dict[tuple[str, int], Return]) -> None:
    ret = next(iter(returns.values()))
    assert ret.tables["Episodes"].schema.field("DECOM").type == pa.date32()
