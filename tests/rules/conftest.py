"""Compiled rule SQL goes to a per-session temporary cache, so tests never touch the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _rules_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    old = os.environ.get("CARESTAT_CACHE_DIR")
    os.environ["CARESTAT_CACHE_DIR"] = str(tmp_path_factory.getbasetemp() / "rules-cache")
    yield
    if old is None:
        os.environ.pop("CARESTAT_CACHE_DIR", None)
    else:
        os.environ["CARESTAT_CACHE_DIR"] = old
