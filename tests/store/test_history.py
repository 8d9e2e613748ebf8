"""The stored episode history: in step with every load and supersede, rebuilt when stale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from carestat.readers import read_return
from carestat.readers.locate import input_files
from carestat.stats.context import DERIVED_AGES, EPISODE_COLUMNS
from carestat.stats.history import repaired_periods
from carestat.store import Store, open_store
from carestat.store.history import HISTORY_KEY

KEY = ["la", "CHILD", "DECOM"]


def load(store: Store, folder: Path) -> None:
    """Load the return in a folder."""
    store.load_return(read_return([folder]), input_files([folder]))


def stored_and_computed(store: Store) -> tuple[list[dict], list[dict]]:
    """The stored history and the one computed afresh from the current episodes."""
    tables = store.current()
    raw = tables["Episodes"]
    raw = raw.select(*(c for c in (*EPISODE_COLUMNS, *DERIVED_AGES) if c in raw.columns))
    stored = tables["EpisodeHistory"].order_by(KEY).to_pyarrow().to_pylist()
    return stored, repaired_periods(raw).order_by(KEY).to_pyarrow().to_pylist()


def test_history_follows_loads_and_supersedes(
    store: Store, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    load(store, make_return(tmp_path / "E08000035" / "2026", children=3))
    load(store, make_return(tmp_path / "E06000001" / "2026", children=2))
    stored, computed = stored_and_computed(store)
    assert len(stored) == 5 + 3 and stored == computed  # episodes of both councils
    # a supersede with one child fewer: that council's rows are replaced, the other's kept
    load(store, make_return(tmp_path / "again" / "E08000035" / "2026", children=1, variant="b"))
    stored, computed = stored_and_computed(store)
    assert stored == computed
    assert sum(r["la"] == "E08000035" for r in stored) == 2
    assert sum(r["la"] == "E06000001" for r in stored) == 3


def test_a_stale_or_missing_history_is_rebuilt_on_reading(
    store_url: str, tmp_path: Path, make_return: Callable[..., Path]
) -> None:
    with open_store(store_url) as store:
        load(store, make_return(tmp_path / "E08000035" / "2026", children=3))
        # as a store made before the history was kept, or by other statistics code
        store.writer.execute("DROP TABLE episode_history")
        store.writer.execute("DELETE FROM carestat_meta WHERE key = ?", (HISTORY_KEY,))
        load(store, make_return(tmp_path / "E06000001" / "2026", children=2))  # rebuilt whole
        stored, computed = stored_and_computed(store)
        assert len(stored) == 8 and stored == computed
        store.writer.execute("UPDATE carestat_meta SET value = 'old' WHERE key = ?", (HISTORY_KEY,))
        store.writer.execute("DELETE FROM episode_history")
    with open_store(store_url) as store:
        stored, computed = stored_and_computed(store)
        assert len(stored) == 8 and stored == computed
