"""Compiled rule SQL goes to a per-session temporary cache, so tests never touch the user's."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from carestat.model import Return
from carestat.readers import read_return


@pytest.fixture(autouse=True, scope="session")
def _rules_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    old = os.environ.get("CARESTAT_CACHE_DIR")
    os.environ["CARESTAT_CACHE_DIR"] = str(tmp_path_factory.getbasetemp() / "rules-cache")
    yield
    if old is None:
        os.environ.pop("CARESTAT_CACHE_DIR", None)
    else:
        os.environ["CARESTAT_CACHE_DIR"] = old


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid synthetic 2025 return of about 30 children (written once per module)."""
    from carestat.synth import generate, write

    root = tmp_path_factory.mktemp("synth")
    write(generate(las=["E08000035"], years=(2025,), seed=3, children=30), root)
    return root / "E08000035" / "2025"


@pytest.fixture
def folder(pristine: Path, tmp_path: Path) -> Path:
    """A copy of the pristine return, free to edit."""
    return Path(shutil.copytree(pristine, tmp_path / "E08000035" / "2025"))


@pytest.fixture(scope="session")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic council's 2025 and 2026 returns with planted faults in 8% of records."""
    from carestat.synth import generate, write

    root = tmp_path_factory.mktemp("faulty")
    write(generate(las=["E08000035"], years=(2025, 2026), seed=5, children=60), root, errors=0.08)
    return root / "E08000035"


@pytest.fixture(scope="session")
def faulty_inputs(faulty: Path) -> tuple[Return, Return, list[Path]]:
    """The faulty 2026 return, its 2025 return and the provider lists, read."""
    ret = read_return([faulty / "2026"], year=2026, la="E08000035")
    previous = read_return([faulty / "2025"], year=2025, la="E08000035")
    return ret, previous, [faulty.parent / "providers.xlsx"]
