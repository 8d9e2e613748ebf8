"""Fixtures for the store tests: tiny returns on disk, and a store on each engine."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from carestat.store import Store, open_store

POSTGRES_ENV = "CARESTAT_TEST_POSTGRES"

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE"


def write_return(folder: Path, children: int = 3, variant: str = "a") -> Path:
    """Write a small CSV return (Header, Episodes, Reviews); `variant` changes the content."""
    folder.mkdir(parents=True, exist_ok=True)
    header = [HEADER]
    episodes = [EPISODES]
    reviews = [REVIEWS]
    for i in range(children):
        child = f"{1000 + i}"
        sex = "M" if i % 2 else "F"
        ethnic = "WBRI" if variant == "a" else "MWBA"
        mother = "1" if i == 1 else ""
        header.append(f"{child},{sex},0{1 + i % 9}/03/2015,{ethnic},A1234567890{i % 10}X,{mother},")
        episodes.append(f"{child},01/05/2025,S,C2,N1,U1,PR1,,,,AB1 2CD,EF3 4GH,SC12345{i % 10}")
        if i % 2 == 0:
            episodes.append(f"{child},10/06/2025,P,C2,N1,U3,PR2,31/13/2025,E11,CHILD,,,")
        reviews.append(f"{child},0{1 + i % 9}/03/2015,01/11/2025,PN1")
    (folder / "header.csv").write_text("\n".join(header) + "\n", encoding="utf-8")
    (folder / "episodes.csv").write_text("\n".join(episodes) + "\n", encoding="utf-8")
    (folder / "reviews.csv").write_text("\n".join(reviews) + "\n", encoding="utf-8")
    return folder


def write_population(path: Path, la: str, year: int, count: int) -> Path:
    """Write a population.csv with two rows for one council-year."""
    rows = ["la,year,age,sex,ethnic,population"]
    rows += [f"{la},{year},0,M,WBRI,{count}", f"{la},{year},1,F,ABAN,{count + 1}"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def postgres_url() -> str | None:
    """The test server's URL, when one is configured."""
    return os.environ.get(POSTGRES_ENV)


@pytest.fixture
def make_return() -> Callable[..., Path]:
    """The `write_return` helper, as a fixture (test folders are not packages)."""
    return write_return


@pytest.fixture
def make_population() -> Callable[..., Path]:
    """The `write_population` helper, as a fixture."""
    return write_population


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A URL selecting a fresh PostgreSQL schema, dropped afterwards."""
    base = postgres_url()
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to test against")
    import psycopg

    schema = f"carestat_test_{uuid.uuid4().hex[:12]}"
    yield f"{base.rstrip('/')}/{schema}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["duckdb", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for an empty store on each engine."""
    if request.param == "duckdb":
        return f"duckdb://{tmp_path / 'store.duckdb'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An open, empty store on each engine."""
    with open_store(store_url) as opened:
        yield opened
