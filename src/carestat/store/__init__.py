"""The store: 903 returns in DuckDB or PostgreSQL (via Ibis), loaded atomically with provenance."""

from carestat.store.connect import open_store
from carestat.store.population import read_population_csv
from carestat.store.provenance import LoadRecord, LoadResult
from carestat.store.schema import SCHEMA_VERSION, store_name
from carestat.store.store import Store
from carestat.store.url import StoreError, parse_store_url

__all__ = [
    "SCHEMA_VERSION",
    "LoadRecord",
    "LoadResult",
    "Store",
    "StoreError",
    "open_store",
    "parse_store_url",
    "read_population_csv",
    "store_name",
]
