"""A small synthetic store shared by the evidence CLI and report tests (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from carestat.store import open_store
from carestat.synth.generate import generate


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Four councils x four years of synthetic returns and population, loaded into DuckDB."""
    folder: Path = tmp_path_factory.mktemp("evidence_store")
    url = f"duckdb:///{folder / 'store.duckdb'}"
    synthetic = generate(las=4, years=(2023, 2024, 2025, 2026), seed=5, children=120)
    with open_store(url) as store:
        for ret in synthetic.returns():
            store.load_return(ret)
        store.load_population(pa.Table.from_pandas(synthetic.population, preserve_index=False))
    return url
