"""Loading returns on each engine: contents, no-op reloads, resubmissions, atomicity, population."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from carestat.model import InputError, Return
from carestat.readers import read_return
from carestat.readers.locate import input_files
from carestat.store import Store, StoreError, open_store, read_population_csv
from carestat.store.schema import DERIVED_COLUMNS, store_name

LA, YEAR = "E08000035", 2026


def read(folder: Path) -> tuple[Return, list[Path]]:
    """A return and the files it came from."""
    return read_return([folder]), input_files([folder])


def current_rows(store: Store, table: str, la: str = LA, year: int = YEAR) -> list[dict]:
    """One council-year's current rows of a table, in input order, without the keys."""
    t = store.current()[table]
    got = t.filter((t.la == la) & (t.year == year)).order_by("_row").to_pyarrow()
    derived = [name for name, _ in DERIVED_COLUMNS.get(table, ())]  # null in a local store
    return got.drop_columns(["la", "year", *derived]).to_pylist()


def expected_rows(ret: Return, table: str) -> list[dict]:
    """The return's rows as the store should give them back: position then spec columns."""
    data = ret.data(table)
    return data.add_column(0, "_row", ret.tables[table].column("_row")).to_pylist()


def count_rows(store: Store, table: str) -> int:
    """Rows of every load (superseded ones too) in a store table."""
    [(n,)] = store.writer.execute(f"SELECT COUNT(*) FROM {store_name(table)}")
    return int(n)


def test_current_equals_the_return(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    ret, files = read(make_return(tmp_path / LA / str(YEAR), children=5))
    result = store.load_return(ret, files)
    assert (result.status, result.la, result.year) == ("loaded", LA, YEAR)
    for table in ret.tables:
        assert current_rows(store, table) == expected_rows(ret, table), table
    assert store.current()["DoLo"].count().execute() == 0  # a 2027 table, empty for 2026
    assert current_rows(store, "Episodes")[1]["DEC"] is None  # unreadable date stored as null


def test_reload_of_the_same_files_changes_nothing(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    ret, files = read(make_return(tmp_path / LA / str(YEAR)))
    first = store.load_return(ret, files)
    again = store.load_return(ret, files)
    assert again.status == "already loaded"
    assert again.load_id == first.load_id
    assert len(store.history(LA, YEAR)) == 1
    assert count_rows(store, "Episodes") == ret.tables["Episodes"].num_rows


def test_resubmission_supersedes_and_keeps_the_old_load(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    old, old_files = read(make_return(tmp_path / "a" / LA / str(YEAR), 3, "a"))
    new, new_files = read(make_return(tmp_path / "b" / LA / str(YEAR), 4, "b"))
    first = store.load_return(old, old_files)
    second = store.load_return(new, new_files)
    assert (second.status, second.superseded) == ("superseded", first.load_id)
    history = store.history(LA, YEAR)
    assert [h.load_id for h in history] == [first.load_id, second.load_id]
    assert [h.superseded_by for h in history] == [second.load_id, None]
    assert current_rows(store, "Header") == expected_rows(new, "Header")
    total = old.tables["Header"].num_rows + new.tables["Header"].num_rows
    assert count_rows(store, "Header") == total  # the old load is kept for audit


def test_returning_to_earlier_content_is_a_new_load(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    a, a_files = read(make_return(tmp_path / "a" / LA / str(YEAR), 3, "a"))
    b, b_files = read(make_return(tmp_path / "b" / LA / str(YEAR), 3, "b"))
    store.load_return(a, a_files)
    store.load_return(b, b_files)
    third = store.load_return(a, a_files)
    assert third.status == "superseded"
    assert current_rows(store, "Header") == expected_rows(a, "Header")
    assert len(store.history(LA, YEAR)) == 3


def test_other_councils_and_years_are_untouched(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    one, one_files = read(make_return(tmp_path / LA / "2025", 2, "a"))
    two, two_files = read(make_return(tmp_path / "E09000001" / "2025", 3, "b"))
    assert store.load_return(one, one_files).status == "loaded"
    assert store.load_return(two, two_files).status == "loaded"
    assert current_rows(store, "Header", LA, 2025) == expected_rows(one, "Header")
    assert current_rows(store, "Header", "E09000001", 2025) == expected_rows(two, "Header")


def test_failure_half_way_leaves_the_store_as_it_was(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_return: Callable[..., Path]
) -> None:
    old, old_files = read(make_return(tmp_path / "a" / LA / str(YEAR), 3, "a"))
    new, new_files = read(make_return(tmp_path / "b" / LA / str(YEAR), 4, "b"))
    first = store.load_return(old, old_files)
    before = {t: count_rows(store, t) for t in ("Header", "Episodes", "Reviews")}
    insert = store.writer.insert

    def fail_on_reviews(table: str, rows: pa.Table) -> None:
        if table == "reviews":  # Header and Episodes are already in when this fails
            raise RuntimeError("disk full")
        insert(table, rows)

    monkeypatch.setattr(store.writer, "insert", fail_on_reviews)
    with pytest.raises(RuntimeError, match="disk full"):
        store.load_return(new, new_files)
    monkeypatch.undo()
    assert {t: count_rows(store, t) for t in before} == before
    assert [(h.load_id, h.superseded_by) for h in store.history(LA, YEAR)] == [
        (first.load_id, None)
    ]
    assert current_rows(store, "Header") == expected_rows(old, "Header")
    assert store.load_return(new, new_files).status == "superseded"  # the store still works


def test_original_files_are_kept_by_content(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    ret, files = read(make_return(tmp_path / LA / str(YEAR)))
    store.load_return(ret, files)
    [record] = store.history(LA, YEAR)
    assert sorted(Path(str(f["name"])).name for f in record.files) == [
        "episodes.csv", "header.csv", "reviews.csv",
    ]  # fmt: skip
    for kept in record.files:
        assert store.original(str(kept["sha256"])) == Path(str(kept["name"])).read_bytes()
    assert store.original("0" * 64) is None


def test_provenance_records_warnings_and_version(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    folder = make_return(tmp_path / LA / str(YEAR))
    text = (folder / "header.csv").read_text().splitlines()
    (folder / "header.csv").write_text(
        "\n".join([text[0] + ",NOTES", *(r + ",x" for r in text[1:])])
    )
    ret, files = read(folder)
    assert ret.problems  # the extra column is reported by the reader
    store.load_return(ret, files)
    [record] = store.history(LA, YEAR)
    assert record.warnings == [str(p) for p in ret.problems]
    assert record.rows["Header"] == 3
    assert record.carestat_version
    assert record.loaded_at.utcoffset() is not None and record.loaded_at.utcoffset().seconds == 0


def test_a_return_held_only_in_memory_is_idempotent(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    ret, _ = read(make_return(tmp_path / LA / str(YEAR)))
    assert store.load_return(ret).status == "loaded"
    assert store.load_return(ret).status == "already loaded"


def test_a_return_without_a_council_is_refused(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    ret = read_return([make_return(tmp_path / "somewhere")], year=YEAR)
    with pytest.raises(InputError, match="cannot tell the council"):
        store.load_return(ret)


def test_population_replaces_rows_of_the_same_council_and_year(
    store: Store, tmp_path: Path, make_population: Callable[..., Path]
) -> None:
    store.load_population(read_population_csv(make_population(tmp_path / "p1.csv", LA, 2025, 5)))
    store.load_population(read_population_csv(make_population(tmp_path / "p2.csv", LA, 2026, 7)))
    store.load_population(read_population_csv(make_population(tmp_path / "p3.csv", LA, 2026, 9)))
    rows = store.current()["population"].order_by(["year", "age"]).to_pyarrow().to_pylist()
    assert [(r["year"], r["age"], r["population"]) for r in rows] == [
        (2025, 0, 5), (2025, 1, 6), (2026, 0, 9), (2026, 1, 10),
    ]  # fmt: skip


def test_the_store_survives_reopening(
    store_url: str, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    ret, files = read(make_return(tmp_path / LA / str(YEAR)))
    with open_store(store_url) as store:
        store.load_return(ret, files)
    with open_store(store_url) as store:
        assert store.load_return(ret, files).status == "already loaded"
        assert current_rows(store, "Header") == expected_rows(ret, "Header")


def test_a_store_of_another_schema_version_is_refused(store_url: str) -> None:
    with open_store(store_url) as store:
        store.writer.execute("UPDATE carestat_meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 0"):
        open_store(store_url)


ORDER = {"EpisodeHistory": ["la", "CHILD", "DECOM"]}  # the stored history has no year


def test_duckdb_and_postgresql_give_identical_results(
    tmp_path: Path, postgres_schema_url: str, make_return: Callable[..., Path]
) -> None:
    loaded = [
        read(make_return(tmp_path / la / str(year), children=3 + year % 3, variant=variant))
        for la, year, variant in [(LA, 2025, "a"), (LA, 2026, "b"), ("E06000001", 2026, "a")]
    ]
    results = []
    for url in (f"duckdb://{tmp_path / 'same.duckdb'}", postgres_schema_url):
        with open_store(url) as store:
            for ret, files in loaded:
                store.load_return(ret, files)
            results.append(
                {
                    name: table.order_by(ORDER.get(name, ["la", "year", "_row"])).to_pyarrow()
                    for name, table in store.current().items()
                    if name != "population"
                }
            )
    duck, postgres = results
    assert duck.keys() == postgres.keys()
    for name in duck:
        if name != "EpisodeHistory":  # derived: integer widths may differ by engine, not values
            assert duck[name].schema == postgres[name].schema, name
        assert duck[name].to_pylist() == postgres[name].to_pylist(), name
    assert duck["Episodes"].num_rows > 0


def test_a_batch_loads_together_and_a_bad_return_fails_alone(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    good = [
        read(make_return(tmp_path / la / "2026", 2 + i)) for i, la in enumerate([LA, "E06000001"])
    ]
    nowhere = read_return([make_return(tmp_path / "nowhere")], year=2026)  # no council
    results = store.load_returns([good[0], (nowhere, []), good[1]])
    assert isinstance(results[1], InputError)
    assert [r.status for r in (results[0], results[2]) if not isinstance(r, Exception)] == [
        "loaded", "loaded",
    ]  # fmt: skip
    assert current_rows(store, "Header", "E06000001", 2026) == expected_rows(good[1][0], "Header")
    again = store.load_returns(good)
    assert [r.status for r in again if not isinstance(r, Exception)] == ["already loaded"] * 2


def test_a_batch_with_two_versions_of_one_return_applies_them_in_order(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    a = read(make_return(tmp_path / "a" / LA / str(YEAR), 3, "a"))
    b = read(make_return(tmp_path / "b" / LA / str(YEAR), 4, "b"))
    results = store.load_returns([a, b])
    assert [r.status for r in results if not isinstance(r, Exception)] == ["loaded", "superseded"]
    assert current_rows(store, "Header") == expected_rows(b[0], "Header")
