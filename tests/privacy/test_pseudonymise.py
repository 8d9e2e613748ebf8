"""Pseudonymisation for pooled stores: derived ages first, then hashed ids and coarsened dates."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from carestat.model import InputError, Return
from carestat.privacy import apply_policy, pseudonym_key, pseudonymise
from carestat.privacy.pseudonymise import hash_id, postcode_sector

KEY = b"a-test-key-of-enough-length"


def _return() -> Return:
    header = pa.table({
        "_row": [0, 1], "_line": [2, 3], "CHILD": ["101", "102"], "UPN": ["A123456789012", None],
        "DOB": [dt.date(2025, 3, 25), dt.date(2010, 6, 15)], "MC_DOB": [None, dt.date(2009, 2, 28)],
        "DOB__raw": [None, None], "MC_DOB__raw": [None, None],
    })  # fmt: skip
    episodes = pa.table({
        "_row": [0, 1], "_line": [2, 3], "CHILD": ["101", "102"],
        "DECOM": [dt.date(2025, 4, 1), dt.date(2025, 6, 14)], "DEC": [None, dt.date(2026, 1, 1)],
        "HOME_POST": ["LS1 4AP", "bd13dd"], "PL_POST": [None, "LS2 9JT"],
    })  # fmt: skip
    return Return(2026, "E08000035", {"Header": header, "Episodes": episodes})


def test_pooled_return_keeps_derived_ages_and_hides_exact_values():
    out = pseudonymise(_return(), KEY)
    h, e = out.tables["Header"].to_pylist(), out.tables["Episodes"].to_pylist()
    assert [r["CHILD"] for r in h] == [hash_id("101", KEY), hash_id("102", KEY)]
    assert len(h[0]["CHILD"]) == 32 and h[0]["CHILD"] != "101"
    assert e[0]["CHILD"] == h[0]["CHILD"]  # the link between tables survives
    assert (h[1]["UPN"] != "A123456789012" and h[1]["UPN"] is None) or h[0][
        "UPN"
    ] != "A123456789012"
    assert [r["DOB"] for r in h] == [dt.date(2025, 3, 1), dt.date(2010, 6, 1)]
    assert h[1]["MC_DOB"] == dt.date(2009, 2, 1)
    assert [r["age_years_31_march"] for r in h] == [1, 15]
    assert [r["age_days_decom"] for r in e] == [7, 5478]
    assert [r["age_years_decom"] for r in e] == [0, 14]
    assert [r["entered_within_7_days_of_birth"] for r in e] == [False, False]
    assert [r["age_years_dec"] for r in e] == [None, 15]
    assert [r["HOME_POST"] for r in e] == ["LS1 4", "BD1 3"]


def test_hash_depends_on_key_and_postcode_sectors():
    assert hash_id("101", KEY) != hash_id("101", b"another-key-of-enough-length")
    assert postcode_sector("sw1a 1aa") == "SW1A 1"
    assert postcode_sector("M1 1AE") == "M1 1"


def test_policies_and_missing_key():
    ret = _return()
    assert apply_policy(ret, "local") is ret
    with pytest.raises(InputError, match="CARESTAT_PSEUDONYM_KEY"):
        pseudonym_key({})
    with pytest.raises(InputError, match="unknown privacy policy"):
        apply_policy(ret, "open")  # type: ignore[arg-type]
    assert pseudonym_key({"CARESTAT_PSEUDONYM_KEY": KEY.decode()}) == KEY


def test_care_leavers_keep_their_age_on_31_march():
    ret = _return()
    oc3 = pa.table({
        "_row": [0, 1], "_line": [2, 3], "CHILD": ["201", "202"],
        "DOB": [dt.date(2008, 3, 31), dt.date(2007, 4, 1)], "DOB__raw": [None, None],
    })  # fmt: skip
    ret.tables["OC3"] = oc3
    out = pseudonymise(ret, KEY).tables["OC3"].to_pylist()
    assert [r["age_years_31_march"] for r in out] == [18, 18]  # 31 March 2026: 18 and 18
    assert [r["DOB"] for r in out] == [dt.date(2008, 3, 1), dt.date(2007, 4, 1)]
