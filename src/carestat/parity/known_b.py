"""Recognisers for documented reference differences (part B: see carestat.parity.known).

Sections are in `docs/explanation/reference-differences-b.md` (and one, 205A, in
`reference-differences.md`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from carestat.parity.compare import Triple
from carestat.parity.known import (
    ANY_YEAR,
    Known,
    Recogniser,
    ReturnFacts,
    _year_end,
    calendar_age,
    year_start,
)
from carestat.parity.known_a import mark_wrong, padded_children
from carestat.rules.builtin.remaining_a import OC3_ITEMS, SHORT_BREAKS

# DATE_PERM in the day/month/year form with a one-digit day or month (ZZ parts allowed).
SHORT_PARTS = re.compile(r"^(?=.*\b\d/)(ZZ|\d{1,2})/(ZZ|\d{1,2})/(ZZZZ|\d{4})$")

ZZ_DATE = re.compile(r"(ZZ|\d{2})/(ZZ|\d{2})/(ZZZZ|\d{4})")


def _given(table: str, column: str) -> Recogniser:
    """The flagged record is in `table` and its `column` is not blank."""

    def applies(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
        return triple[1] == table and facts.record(table, triple[2]).get(column) is not None

    return applies


def _no_start(table: str, column: str) -> Recogniser:
    """The flagged record is in `table` and carestat read its `column` as blank."""

    def applies(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
        record = facts.record(table, triple[2])
        return triple[1] == table and bool(record) and record.get(column) is None

    return applies


def _open_episode(record: dict[str, Any]) -> bool:
    """An episode still open on 31 March that is not a short break."""
    return bool(record) and record.get("DEC") is None and record.get("LS") not in SHORT_BREAKS


def _sw01_row(facts: ReturnFacts, side: str, triple: Triple) -> bool:
    """Episodes row `r` (reported by the reference as SocialWorker row `r`) is an open episode of
    a child whose social worker records do not give each of SW_ID, SW_DECOM and SW_REASON."""
    if triple[1] != ("SocialWorker" if side == "reference" else "Episodes"):
        return False
    episode = facts.record("Episodes", triple[2])
    records = [
        r for r in facts.records.get("SocialWorker", []) if r.get("CHILD") == episode.get("CHILD")
    ]
    items = ("SW_ID", "SW_DECOM", "SW_REASON")
    reported = all(any(r.get(i) is not None for r in records) for i in items)
    return _open_episode(episode) and not reported


def _zz_date(column: str) -> Recogniser:
    """The flagged SocialWorker record's raw `column` text is a date shape with ZZ parts."""

    def applies(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
        record = facts.record("SocialWorker", triple[2])
        raw = str(record.get(f"{column}__raw") or "")
        return triple[1] == "SocialWorker" and "ZZ" in raw and bool(ZZ_DATE.fullmatch(raw))

    return applies


def _sw12_side(facts: ReturnFacts, side: str, triple: Triple) -> bool:
    """The reference's population (care starting or not ending X1), or carestat's (a first
    social worker record starting after 1 April)."""
    record = facts.record(triple[1], triple[2])
    if side == "reference":
        ends_care = record.get("REC") != "X1"
        care_edge = record.get("RNE") == "S" or ends_care
        return triple[1] == "Episodes" and care_edge and record.get("LS") not in SHORT_BREAKS
    start = record.get("SW_DECOM")
    return triple[1] == "SocialWorker" and isinstance(start, dt.date) and start > year_start(facts)


def _same_day(table: str, start: str, end: str) -> Recogniser:
    """The flagged record of `table` ends (`end`) on the day it starts (`start`)."""

    def applies(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
        record = facts.record(table, triple[2])
        return (
            triple[1] == table
            and record.get(start) is not None
            and record.get(start) == record.get(end)
        )

    return applies


def _unreadable(table: str, column: str) -> Recogniser:
    """The flagged record of `table` has a `column` that was given but is not a date."""

    def applies(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
        record = facts.record(table, triple[2])
        return (
            triple[1] == table
            and record.get(column) is None
            and record.get(f"{column}__raw") is not None
        )

    return applies


def _last_open_without_start(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The child's previous return has an open episode with no start date carestat could read."""
    child = facts.child(triple[1], triple[2])
    return triple[1] == "Episodes" and any(
        r.get("CHILD") == child and r.get("DEC") is None and r.get("DECOM") is None
        for r in facts.last_records.get("Episodes", [])
    )


def _uasc_last_year_only(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The Header child had a UASC record last year and has none this year."""
    child = facts.child(triple[1], triple[2])
    last = {r.get("CHILD") for r in facts.last_records.get("UASC", [])}
    now = {r.get("CHILD") for r in facts.records.get("UASC", [])}
    return triple[1] == "Header" and child is not None and child in last and child not in now


def _uasc_repeats(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """This or last year's UASC table repeats a child, shifting the reference's UASC flags."""
    for records in (facts.records.get("UASC", []), facts.last_records.get("UASC", [])):
        seen = [r.get("CHILD") for r in records if r.get("CHILD") is not None]
        if len(seen) != len(set(seen)):
            return triple[1] == "Header"
    return False


def _derived_uasc_flag_wrong(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flag the reference derives for a CSV return is wrong for the flagged child, this year
    or last: shifted by a repeated child, or blank for a UASC record with no Header record."""
    child = facts.child(triple[1], triple[2])
    headers = {str(r.get("CHILD")) for r in facts.records.get("Header", [])}
    orphan = triple[1] == "UASC" and child not in headers
    return orphan or _shifted_mark(facts, _side, triple)


def _shifted_mark(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The reference's UASC mark of the flagged child is wrong this year or last (shifted)."""
    child = facts.child(triple[1], triple[2])
    now = mark_wrong(facts.records, child, padded_children(facts))
    return now or mark_wrong(facts.last_records, child)


def _uasc_both_years_after_repeat(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """This year's or last year's UASC table repeats a child, and the flagged child (a Header or
    UASC record) has a UASC record in both years: UASC last year and still UASC this year."""
    if triple[1] not in ("Header", "UASC") or not _uasc_repeats(
        facts, _side, ("205A", "Header", 0)
    ):
        return False
    child = facts.child(triple[1], triple[2])
    now = {r.get("CHILD") for r in facts.records.get("UASC", [])}
    last = {r.get("CHILD") for r in facts.last_records.get("UASC", [])}
    return child is not None and child in now and child in last


def _open_in_care(table: str, end: str) -> Recogniser:
    """An open record of `table` (no readable `end`) of a child with an open episode this year:
    the episode rule 365 has ended by the time the reference's rule reads it."""

    def applies(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
        record = facts.record(table, triple[2])
        child = record.get("CHILD")
        in_care = any(e.get("CHILD") == child and e.get("DEC") is None
                      for e in facts.records.get("Episodes", []))  # fmt: skip
        return triple[1] == table and bool(record) and record.get(end) is None and in_care

    return applies


def _child_has_unread_start(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged missing period's child has an episode whose start date could not be read."""
    child = facts.child(triple[1], triple[2])
    return triple[1] == "Missing" and any(
        e.get("CHILD") == child and e.get("DECOM") is None and e.get("DECOM__raw") is not None
        for e in facts.records.get("Episodes", [])
    )


def _child_has_backward_episode(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged missing period's child has an episode that ends before it starts."""
    child = facts.child(triple[1], triple[2])
    return triple[1] == "Missing" and any(
        e.get("CHILD") == child
        and isinstance(e.get("DECOM"), dt.date)
        and isinstance(e.get("DEC"), dt.date)
        and e["DEC"] < e["DECOM"]
        for e in facts.records.get("Episodes", [])
    )


def _other_episode_unread_start(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged episode's child has another episode whose start date could not be read."""
    child = facts.child(triple[1], triple[2])
    return triple[1] == "Episodes" and any(
        e.get("CHILD") == child and e.get("_row") != triple[2] and e.get("DECOM") is None
        and e.get("DECOM__raw") is not None
        for e in facts.records.get("Episodes", [])
    )  # fmt: skip


def _no_known_dob(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged episode's child has no Header record with a date of birth carestat could read."""
    child = facts.child(triple[1], triple[2])
    dobs = [h.get("DOB") for h in facts.records.get("Header", []) if str(h.get("CHILD")) == child]
    return triple[1] == "Episodes" and child is not None and not any(dobs)


def _partial_date_with_short_parts(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged child's DATE_PERM has a one-digit day or month (`1/2/2025`)."""
    child = facts.child(triple[1], triple[2])
    return triple[1] in ("Episodes", "PrevPerm") and any(
        p.get("CHILD") == child and SHORT_PARTS.match(str(p.get("DATE_PERM") or ""))
        for p in facts.records.get("PrevPerm", [])
    )


def _unread_placed_last_year(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The child's placement for adoption last year has a DATE_PLACED that could not be read."""
    child = facts.child(triple[1], triple[2])
    return triple[1] == "PlacedAdoption" and any(
        p.get("CHILD") == child and p.get("DATE_PLACED") is None
        and p.get("DATE_PLACED__raw") is not None
        for p in facts.last_records.get("PlacedAdoption", [])
    )  # fmt: skip


def _age_by_average_years(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The OC3 record's child is a different age on 31 March in years of 365.2425 days."""
    born = facts.record("OC3", triple[2]).get("DOB")
    if triple[1] != "OC3" or not isinstance(born, dt.date):
        return False
    end = _year_end(facts)
    return int((end - born).days // 365.2425) != calendar_age(born, end)


def _episodes_without_start(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged episode's child has two or more episodes with no readable start date."""
    child = facts.child(triple[1], triple[2])
    unstarted = [e for e in facts.records.get("Episodes", [])
                 if e.get("CHILD") == child and e.get("DECOM") is None]  # fmt: skip
    return triple[1] == "Episodes" and child is not None and len(unstarted) > 1


def _in_year(episode: dict[str, Any], start: dt.date, end: dt.date) -> bool:
    """An episode carestat counts as care in the year (short breaks aside), as rule 165 does."""
    decom, dec = episode.get("DECOM"), episode.get("DEC")
    return (
        episode.get("LS") not in SHORT_BREAKS
        and isinstance(decom, dt.date)
        and decom <= end
        and (dec is None or (isinstance(dec, dt.date) and dec >= start))
    )


def _mother_given_outside_year(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The child has MOTHER given, care leaver data, and episodes none of which is in the year."""
    child = facts.child(triple[1], triple[2])
    end, start = _year_end(facts), year_start(facts)
    mine = [e for e in facts.records.get("Episodes", []) if e.get("CHILD") == child]
    told = any(r.get("CHILD") == child and any(r.get(f) is not None for f in OC3_ITEMS)
               for r in facts.records.get("OC3", []))  # fmt: skip
    mother = any(h.get("CHILD") == child and h.get("MOTHER") is not None
                 for h in facts.records.get("Header", []))  # fmt: skip
    return (
        triple[1] in ("Header", "OC3")
        and mother
        and told
        and bool(mine)
        and not any(_in_year(e, start, end) for e in mine)
    )


def _same_date_text(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """Neither date of the episode could be read, and their texts are the same (or both blank)."""
    record = facts.record("Episodes", triple[2])
    unread = record.get("DECOM") is None and record.get("DEC") is None
    return (
        triple[1] == "Episodes"
        and bool(record)
        and unread
        and (record.get("DECOM__raw") == record.get("DEC__raw"))
    )


PLACEMENT_ITEMS = ("LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER")


def _blank_beside_blank(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """An item compared by 434-436 is blank both in the episode and in the child's one before."""
    record = facts.record("Episodes", triple[2])
    if triple[1] != "Episodes" or not record:
        return False
    earlier = [
        e for e in facts.records.get("Episodes", []) if e.get("CHILD") == record.get("CHILD")
    ]
    never = dt.date.max
    earlier.sort(key=lambda e: (e.get("DECOM") or never, e.get("_row", 0)))
    at = next(i for i, e in enumerate(earlier) if e is record)
    before = earlier[at - 1] if at > 0 else None
    return before is not None and any(
        record.get(item) is None and before.get(item) is None for item in PLACEMENT_ITEMS
    )


def _followed_after_earlier(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """A social worker record ending in the last 5 days of the year, with an earlier record of the
    child before it and another starting on or after the day it ended."""
    record = facts.record("SocialWorker", triple[2])
    start, end = record.get("SW_DECOM"), record.get("SW_DEC")
    year_end = _year_end(facts)
    if (
        triple[1] != "SocialWorker"
        or not isinstance(start, dt.date)
        or not isinstance(end, dt.date)
    ):
        return False
    if not year_end - dt.timedelta(days=5) <= end <= year_end:
        return False
    starts = [r.get("SW_DECOM") for r in facts.records.get("SocialWorker", [])
              if r.get("CHILD") == record.get("CHILD") and r is not record]  # fmt: skip
    dated = [d for d in starts if isinstance(d, dt.date)]
    return any(d < start for d in dated) and any(d >= end for d in dated)


def _no_start_among_several(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """A social worker record with no readable start, of a child with other records."""
    record = facts.record("SocialWorker", triple[2])
    child = record.get("CHILD")
    others = sum(1 for r in facts.records.get("SocialWorker", []) if r.get("CHILD") == child)
    return triple[1] == "SocialWorker" and record.get("SW_DECOM") is None and others > 1


def _child_has_sw_without_start(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged social worker record's child has several records, one with no readable start
    (the two sides order such a record differently)."""
    child = facts.child(triple[1], triple[2])
    mine = [r for r in facts.records.get("SocialWorker", []) if r.get("CHILD") == child]
    return (
        triple[1] == "SocialWorker"
        and len(mine) > 1
        and any(r.get("SW_DECOM") is None for r in mine)
    )


KNOWN_B: tuple[Known, ...] = (
    Known("577: missing periods with an end date outside every period of care", frozenset({"577"}),
          "reference", ANY_YEAR, _given("Missing", "MIS_END")),
    Known("707: DoLOs with an end date outside every period of care", frozenset({"707"}),
          "reference", ANY_YEAR, _given("DoLo", "DOLO_END")),
    Known("SW01STG1: episodes reported as social worker rows", frozenset({"SW01STG1"}), "either",
          ANY_YEAR, _sw01_row),
    Known("SW04STG1, SW05STG1: social worker dates with ZZ parts", frozenset({"SW04STG1"}),
          "carestat", ANY_YEAR, _zz_date("SW_DECOM")),
    Known("SW04STG1, SW05STG1: social worker dates with ZZ parts", frozenset({"SW05STG1"}),
          "carestat", ANY_YEAR, _zz_date("SW_DEC")),
    Known("SW12STG2: social worker episodes for the full year", frozenset({"SW12STG2"}), "either",
          ANY_YEAR, _sw12_side),
    Known("702: a DoLO that ends the day it starts", frozenset({"702"}), "reference", ANY_YEAR,
          _same_day("DoLo", "DOLO_START", "DOLO_END")),
    Known("205A-205D: the UASC flag of a CSV return", frozenset({"205A"}), "carestat", ANY_YEAR,
          _uasc_last_year_only),
    Known("205A-205D: the UASC flag of a CSV return", frozenset({"205D"}), "reference", ANY_YEAR,
          _uasc_repeats),
    Known("205A-205D: the UASC flag of a CSV return", frozenset({"205A"}), "reference", ANY_YEAR,
          _uasc_both_years_after_repeat),
    Known("205A-205D: the UASC flag of a CSV return", frozenset({"205B", "205D"}), "either",
          ANY_YEAR, _shifted_mark),
    Known("105, 303, 205C: the UASC flag of an XML return", frozenset({"303", "205C"}),
          "reference", ANY_YEAR, _derived_uasc_flag_wrong),
    Known("577: open missing periods of a child still in care, ended by rule 365",
          frozenset({"577"}), "reference", ANY_YEAR, _open_in_care("Missing", "MIS_END")),
    Known("575: open missing periods of a child still in care, ended by rule 365",
          frozenset({"575"}), "reference", ANY_YEAR, _open_in_care("Missing", "MIS_END")),
    Known("707: open DoLOs of a child still in care, ended by rule 365", frozenset({"707"}),
          "reference", ANY_YEAR, _open_in_care("DoLo", "DOLO_END")),
    Known("560: last year's decision date that cannot be read", frozenset({"560"}), "reference",
          ANY_YEAR, _unread_placed_last_year),
    Known("578: an episode whose start date cannot be read", frozenset({"578"}), "reference",
          ANY_YEAR, _child_has_unread_start),
    Known("578: an episode that ends before it starts", frozenset({"578"}), "reference",
          ANY_YEAR, _child_has_backward_episode),
    Known("437: a later episode whose start date cannot be read", frozenset({"437"}),
          "reference", ANY_YEAR, _other_episode_unread_start),
    Known("387, 389: an episode of a child with no known date of birth",
          frozenset({"387", "389"}), "reference", ANY_YEAR, _no_known_dob),
    Known("632: a permanence date with one-digit parts", frozenset({"632"}), "carestat",
          ANY_YEAR, _partial_date_with_short_parts),
    Known("355: the text of the two dates compared", frozenset({"355"}), "reference", ANY_YEAR,
          _same_date_text),
    Known("434-436: a blank item beside a blank item", frozenset({"434", "435", "436"}), "either",
          ANY_YEAR, _blank_beside_blank),
    Known("SW11bSTG2: a social worker episode with no start date", frozenset({"SW11bSTG2"}),
          "carestat", ANY_YEAR, _no_start_among_several),
    Known("SW11bSTG2: an episode ending in the last 5 days after an earlier one",
          frozenset({"SW11bSTG2"}), "reference", ANY_YEAR, _followed_after_earlier),
    Known("SW11bSTG2, SW17STG2, SW19STG2: a child's social worker records, one with no start date",
          frozenset({"SW11bSTG2", "SW17STG2", "SW19STG2"}), "either", ANY_YEAR,
          _child_has_sw_without_start),
    Known("581: a missing period whose start date is blank or cannot be read", frozenset({"581"}),
          "reference", ANY_YEAR, _no_start("Missing", "MIS_START")),
    Known("SW14STG2: a social worker end date that cannot be read", frozenset({"SW14STG2"}),
          "reference", ANY_YEAR, _unreadable("SocialWorker", "SW_DEC")),
    Known("SW18STG2: a social worker episode that ends the day it starts",
          frozenset({"SW18STG2"}), "reference", ANY_YEAR,
          _same_day("SocialWorker", "SW_DECOM", "SW_DEC")),
    Known("165: mother status given for a girl with no episode in the year", frozenset({"165"}),
          "reference", ANY_YEAR, _mother_given_outside_year),
    Known("433: a child's episodes with no start date", frozenset({"433"}), "either", ANY_YEAR,
          _episodes_without_start),
    Known("1016: ages in years of 365.2425 days", frozenset({"1016"}), "reference", ANY_YEAR,
          _age_by_average_years),
    Known("502: last year's open episode with a start date that cannot be read",
          frozenset({"502"}), "reference", ANY_YEAR, _last_open_without_start),
)  # fmt: skip
