"""Pseudonymisation of a return before it enters a pooled store.

Policy `local` (a council's own store) keeps values exactly. Policy `pooled` (several councils):
first derive, from the exact dates, what statistics and evidence need (age in days and years at
each episode's start and end, started within 7 days of birth, age on 31 March), then replace child
identifiers (CHILD, UPN, SW_ID) by a keyed hash (HMAC-SHA256 with the key from
`CARESTAT_PSEUDONYM_KEY`), move DOB and MC_DOB to the first of their month and cut postcodes to
their sector ("LS1 4AP" -> "LS1 4").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Mapping
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from carestat.model import RAW_SUFFIX, InputError, Return

POLICIES = ("local", "pooled")
Policy = Literal["local", "pooled"]
KEY_VARIABLE = "CARESTAT_PSEUDONYM_KEY"
IDENTIFIERS = ("CHILD", "UPN", "SW_ID")
BIRTH_DATES = ("DOB", "MC_DOB")
POSTCODES = ("HOME_POST", "PL_POST")
WITHHELD = (
    "(withheld)"  # replaces the raw text of an unreadable birth date, which may hold the date
)
HASH_CHARS = 32  # 128 bits of the HMAC: collisions are negligible at national scale


def pseudonym_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The pseudonymisation key from `CARESTAT_PSEUDONYM_KEY` (InputError if unset or short)."""
    value = (os.environ if environ is None else environ).get(KEY_VARIABLE, "")
    if len(value) < 16:
        raise InputError(
            f"the pooled privacy policy needs a secret key of at least 16 characters in "
            f"{KEY_VARIABLE}; set it (the same key for every load into this store) and retry"
        )
    return value.encode("utf-8")


def apply_policy(ret: Return, policy: Policy, key: bytes | None = None) -> Return:
    """The return as a store with this policy holds it (`pooled` reads the key if not given)."""
    if policy not in POLICIES:
        raise InputError(f"unknown privacy policy {policy!r}: use one of {', '.join(POLICIES)}")
    if policy == "local":
        return ret
    return pseudonymise(ret, key if key is not None else pseudonym_key())


def pseudonymise(ret: Return, key: bytes | str) -> Return:
    """A copy of `ret` with derived ages added, identifiers hashed, birth dates and postcodes coarsened."""
    secret = key.encode("utf-8") if isinstance(key, str) else key
    tables = add_derived_ages(ret.tables, ret.year)
    tables = {name: _degrade(table, secret) for name, table in tables.items()}
    return dataclasses.replace(ret, tables=tables, extras={})


def hash_id(value: str, key: bytes) -> str:
    """The keyed hash of one identifier (hex, 32 characters)."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:HASH_CHARS]


def postcode_sector(value: str) -> str:
    """The postcode sector: outward code, space, first character of the inward code."""
    compact = value.replace(" ", "").upper()
    if len(compact) < 5:
        return compact[:-3] if len(compact) > 3 else ""
    return f"{compact[:-3]} {compact[-3]}"


def add_derived_ages(tables: Mapping[str, pa.Table], year: int) -> dict[str, pa.Table]:
    """Add exact-date derivations: Episodes get ages at DECOM/DEC, Header and OC3 the age on 31 March."""
    out = dict(tables)
    for name in ("Header", "OC3"):  # OC3 carries the care leaver's own DOB
        table = tables.get(name)
        if table is not None and "DOB" in table.column_names:
            march = pa.array([dt.date(year, 3, 31)] * table.num_rows, pa.date32())
            out[name] = table.append_column("age_years_31_march", _age_years(table["DOB"], march))
    header = tables.get("Header")
    if header is None or "DOB" not in header.column_names or "Episodes" not in tables:
        return out
    dob = dict(zip(header["CHILD"].to_pylist(), header["DOB"].to_pylist(), strict=True))
    eps = tables["Episodes"]
    births = pa.array([dob.get(c) for c in eps["CHILD"].to_pylist()], pa.date32())
    for column in ("DECOM", "DEC"):
        days = pc.days_between(births, eps[column])
        eps = eps.append_column(f"age_days_{column.lower()}", days)
        eps = eps.append_column(f"age_years_{column.lower()}", _age_years(births, eps[column]))
    within_week = pc.less(eps["age_days_decom"], 7)
    out["Episodes"] = eps.append_column("entered_within_7_days_of_birth", within_week)
    return out


def _degrade(table: pa.Table, key: bytes) -> pa.Table:
    """Hash identifiers, move birth dates to the 1st of the month, cut postcodes to sectors."""
    for name in table.column_names:
        column = table[name]
        if name in IDENTIFIERS:
            values = [None if v is None else hash_id(v, key) for v in column.to_pylist()]
            column = pa.array(values, pa.string())
        elif name in BIRTH_DATES:
            column = pc.floor_temporal(column, unit="month")
        elif name in POSTCODES:
            column = pa.array(
                [None if v is None else postcode_sector(v) for v in column.to_pylist()], pa.string()
            )
        elif name.removesuffix(RAW_SUFFIX) in BIRTH_DATES and name.endswith(RAW_SUFFIX):
            column = pc.if_else(pc.is_null(column), column, pa.scalar(WITHHELD))
        else:
            continue
        table = table.set_column(table.column_names.index(name), name, column)
    return table


def _age_years(births: pa.Array | pa.ChunkedArray, on: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Completed years between birth and a date (null where either is null)."""
    years = pc.subtract(pc.year(on), pc.year(births))
    before = pc.or_(
        pc.less(pc.month(on), pc.month(births)),
        pc.and_(pc.equal(pc.month(on), pc.month(births)), pc.less(pc.day(on), pc.day(births))),
    )
    return pc.cast(pc.subtract(years, pc.cast(before, pa.int64())), pa.int32())
