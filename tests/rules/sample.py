"""A plain, valid synthetic return of N children, built vectorised (tests and speed runs)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from carestat.model import Return, empty_table
from carestat.readers.normalise import build_table
from carestat.spec import load_spec


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(np.datetime_as_string(days.astype("datetime64[D]")), pa.string())


def _dmy(days: np.ndarray) -> pa.Array:
    iso = np.datetime_as_string(days.astype("datetime64[D]"))
    return pa.array([f"{d[8:10]}/{d[5:7]}/{d[0:4]}" for d in iso], pa.string())


def sample_return(children: int, year: int = 2025, seed: int = 1, first_id: int = 100000) -> Return:
    """Each child: Header, two episodes joined by X1 (the second open), a review, PrevPerm Z1."""
    rng = np.random.default_rng(seed)
    spec = load_spec(year)
    start = np.datetime64(dt.date(year - 1, 4, 1), "D")
    ids = np.arange(first_id, first_id + children).astype(str)
    age_days = rng.integers(5 * 365, 16 * 365, children)
    dob = start - age_days
    first = start + rng.integers(0, 150, children)
    move = first + rng.integers(1, 150, children)
    sex = ["1", "2"] if year <= 2024 else ["M", "F"]
    text = {
        "Header": {
            "CHILD": pa.array(ids),
            "SEX": pa.array(rng.choice(sex, children)),
            "DOB": _dmy(dob),
            "ETHNIC": pa.array(rng.choice(["WBRI", "MWBC", "BAFR", "AIND"], children)),
            "UPN": pa.array(["UN3"] * children),
            "MOTHER": pa.array(["0"] * children),
        },
        "Episodes": {
            "CHILD": pa.array(np.repeat(ids, 2)),
            "DECOM": _dmy(np.column_stack([first, move]).ravel()),
            "RNE": pa.array(["S", "P"] * children),
            "LS": pa.array(["C2", "C2"] * children),
            "CIN": pa.array(["N1", "N1"] * children),
            "PLACE": pa.array(["U1", "U4"] * children),
            "PLACE_PROVIDER": pa.array(["PR1", "PR1"] * children),
            "DEC": _dmy(np.column_stack([move, move]).ravel()),
            "REC": pa.array(["X1", None] * children),
            "REASON_PLACE_CHANGE": pa.array(["CARPL", None] * children),
        },
        "Reviews": {
            "CHILD": pa.array(ids),
            "DOB": _dmy(dob),
            "REVIEW": _dmy(first + 20),
            "REVIEW_CODE": pa.array(["PN1"] * children),
        },
        "PrevPerm": {
            "CHILD": pa.array(ids),
            "DOB": _dmy(dob),
            "PREV_PERM": pa.array(["Z1"] * children),
        },
    }
    # The second episode is open: blank its DEC.
    decs = text["Episodes"]["DEC"].to_pylist()
    text["Episodes"]["DEC"] = pa.array([d if i % 2 == 0 else None for i, d in enumerate(decs)])
    ret = Return(year=year, la="E08000035", tables={})
    for name in spec.tables:
        if name in text:
            rows = len(next(iter(text[name].values())))
            ret.tables[name], _ = build_table(spec, name, text[name], None, rows)
        else:
            ret.tables[name] = empty_table(spec, name)
    return ret
