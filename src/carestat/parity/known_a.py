"""Recognisers for documented reference differences (part A: see carestat.parity.known).

Each section named here is in `docs/explanation/reference-differences-a.md`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from carestat.parity.compare import Triple
from carestat.parity.known import (
    ANY_YEAR,
    Known,
    ReturnFacts,
    _new_district,
    calendar_age,
    year_start,
)


def _no_placement_council(facts: ReturnFacts, side: str, triple: Triple) -> bool:
    """The reference finds no council for the placement: no postcode, an unknown one, or a new
    district (its look-up table predates them)."""
    from carestat.rules.postcodes import postcode_facts

    postcode = facts.record(triple[1], triple[2]).get("PL_POST")
    if not postcode:
        return True
    import pyarrow as pa

    if postcode_facts(pa.array([postcode], pa.string()))["laua"][0].as_py() is None:
        return True
    return _new_district(facts, side, triple)


def _no_uasc_records(facts: ReturnFacts, _side: str, _triple: Triple) -> bool:
    """Neither this year's nor last year's return has a UASC record."""
    return not facts.records.get("UASC") and not facts.last_records.get("UASC")


def _reference_marks(
    header: list[dict], uasc: list[dict], padded: Mapping[str, frozenset[str]] | None = None
) -> list[tuple[str, bool]]:
    """Each Header record's child and the UASC mark the reference gives it: its Header-UASC merge
    indicator, assigned back to Header by position (a child repeated in UASC pushes every later
    record's mark down a row). A CHILD `padded` with spaces in the raw Header or UASC file (by
    table) matches nothing in the reference's merge."""
    padded = padded or {}
    in_uasc, in_header = padded.get("UASC", frozenset()), padded.get("Header", frozenset())
    counts: dict[str, int] = {}
    for record in uasc:
        if str(record.get("CHILD")) not in in_uasc:
            counts[str(record.get("CHILD"))] = counts.get(str(record.get("CHILD")), 0) + 1
    found = [0 if str(r.get("CHILD")) in in_header else counts.get(str(r.get("CHILD")), 0)
             for r in header]  # fmt: skip
    marks = [n > 0 for n in found for _ in range(max(n, 1))]
    return [(str(r.get("CHILD")), mark) for r, mark in zip(header, marks, strict=False)]


def _reference_uasc(
    header: list[dict], uasc: list[dict], padded: Mapping[str, frozenset[str]] | None = None
) -> set[str]:
    """Children the reference marks UASC on one of their Header records."""
    return {child for child, mark in _reference_marks(header, uasc, padded) if mark}


def mark_wrong(
    tables: Mapping[str, list[dict[str, Any]]],
    child: str | None,
    padded: Mapping[str, frozenset[str]] | None = None,
) -> bool:
    """The reference's UASC mark of one of `child`'s Header records in one year's return differs
    from its UASC records (a child given twice in Header may have one record marked, one not)."""
    header, uasc = tables.get("Header", []), tables.get("UASC", [])
    if not header or child is None:  # no year to derive marks in
        return False
    truth = child in {str(r.get("CHILD")) for r in uasc}
    marks = _reference_marks(header, uasc, padded)
    return any(mark != truth for who, mark in marks if who == child)


def padded_children(facts: ReturnFacts) -> dict[str, frozenset[str]]:
    """By table, the children whose CHILD is padded with spaces in this year's raw file."""
    found: dict[str, set[str]] = {}
    for kind, child in facts.padded:
        if kind.startswith("CHILD in "):
            found.setdefault(kind.removeprefix("CHILD in "), set()).add(child)
    return {table: frozenset(children) for table, children in found.items()}


def _uasc_shifted(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The reference's UASC mark of the flagged child (this year or last) is not the truth."""
    child = facts.child(triple[1], triple[2])
    marked = truth = False
    # Padding is known for this year's raw files only (last year's is read as given).
    for tables, padded in ((facts.records, padded_children(facts)), (facts.last_records, None)):
        if tables.get("UASC"):
            marked |= child in _reference_uasc(tables.get("Header", []), tables["UASC"], padded)
            truth |= child in {str(r.get("CHILD")) for r in tables["UASC"]}
    return child is not None and marked != truth


def _open_episode(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged record is an episode with no end date (blank `DEC`)."""
    record = facts.record(triple[1], triple[2])
    return triple[1] == "Episodes" and bool(record) and record.get("DEC") is None


def _open_adoption_episode(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged AD1 record's child has an open episode (no `DEC` given) ending in adoption."""
    child = facts.child(triple[1], triple[2])
    return triple[1] == "AD1" and any(
        e.get("CHILD") == child and e.get("DEC") is None and e.get("DEC__raw") is None
        and e.get("REC") in ("E11", "E12")
        for e in facts.records.get("Episodes", [])
    )  # fmt: skip


def _mother_by_letter_sex(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The child's Header gives SEX as M, F or U and MOTHER blank, 0 or 1 (a valid value)."""
    child = facts.child(triple[1], triple[2])
    return any(r.get("SEX") in ("M", "F", "U") and r.get("MOTHER") in (None, "0", "1")
               for r in facts.records.get("Header", []) if r.get("CHILD") == child)  # fmt: skip


def _no_oc3_records(facts: ReturnFacts, _side: str, _triple: Triple) -> bool:
    """The return has no OC3 record."""
    return not facts.records.get("OC3")


def _22_at_start(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The care leaver was 22 or over on 1 April, the first day of the collection year."""
    dob = facts.record(triple[1], triple[2]).get("DOB")
    if triple[1] != "OC3" or not isinstance(dob, dt.date):
        return False
    return calendar_age(dob, year_start(facts)) >= 22


KNOWN_A: tuple[Known, ...] = (
    Known("218, 230: a placement with no known council read as outside England",
          frozenset({"218", "230"}), "carestat", range(2023, 2026), _no_placement_council),
    Known("392a: a return without UASC records", frozenset({"392a"}), "carestat", ANY_YEAR,
          _no_uasc_records),
    Known("392a, 392b, 406: the UASC mark shifted by a repeated child",
          frozenset({"392a", "392b", "406"}), "either", ANY_YEAR, _uasc_shifted),
    Known("359: open episodes ended by rule 365", frozenset({"359"}), "carestat", ANY_YEAR,
          _open_episode),
    Known("602: an open episode with an adoption reason, ended by rule 365", frozenset({"602"}),
          "carestat", ANY_YEAR, _open_adoption_episode),
    Known("165 from 2024-25: the sex codes M, F and U", frozenset({"165"}), "carestat",
          range(2025, 2100), _mother_by_letter_sex),
    Known("165: a return without OC3 records", frozenset({"165"}), "carestat", ANY_YEAR,
          _no_oc3_records),
    Known("391: care leavers aged 22 or over on 1 April", frozenset({"391"}), "carestat",
          ANY_YEAR, _22_at_start),
    Known("370-374: open placements", frozenset({"370", "371", "372", "373", "374"}), "carestat",
          ANY_YEAR, _open_episode),
)  # fmt: skip
