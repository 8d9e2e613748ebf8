"""Fault kinds that contradict a record's placement, legal status or decision dates.

Each kind edits one field of an episode or adoption record so that it no longer fits the rest of
the record: short-term legal statuses that last too long (361-364), short breaks in a long-term
foster placement (384), placement types needing a placement order or a new period of care (217,
408), a provider that cannot run a placement (550), reasons for ceasing that need a foster
placement (516), and decisions to place for adoption dated before birth, before care or outside
the year (117, 118, 184, 1003).
"""

from __future__ import annotations

from datetime import date, timedelta

from carestat.synth.fault_catalogue_where import (
    age,
    all_of,
    from_dob,
    has_record,
    in_,
    is_,
    isnt,
    lasting,
    none_of,
    not_,
    not_in,
    only_record,
)
from carestat.synth.fault_kinds import FaultKind, fixed, in_all_years, set_code

K = FaultKind
_all = in_all_years


def _before_start(start: date, end: date) -> date:
    return start - timedelta(days=1)


def _after_end(start: date, end: date) -> date:
    return end + timedelta(days=1)


# An only episode of a child under 16 in a foster placement, neither adopted nor a care leaver,
# so an edit of its legal status or placement meets no adoption, leaver or age rule.
FOSTERED = all_of(only_record, is_("PLACE", "U1", "U2", "U3", "U4", "U5", "U6"),
                  isnt("REC", "E11", "E12", "E45", "E46", "E47", "E48"), not_in("OC3"),
                  age("DECOM", 0, 16))  # fmt: skip

# Children who started to be looked after this year (1003 compares with that start).
STARTED = has_record("Episodes", "RNE", "S")

# Children with no placement order nor adoptive placement (552, 554 compare with those dates).
NO_ORDER = all_of(
    none_of(has_record("Episodes", "LS", "E1", "D1")),
    none_of(has_record("Episodes", "PLACE", "A3", "A4", "A5", "A6")),
)

LINK_KINDS: list[FaultKind] = [
    # legal statuses with a maximum length
    K("ls_police_too_long", "Episodes", "LS", set_code("L1"), _all("361"), (FOSTERED, lasting(30))),
    K("ls_emergency_too_long", "Episodes", "LS", set_code("L2"), _all("362"),
      (FOSTERED, lasting(30))),
    K("ls_assessment_too_long", "Episodes", "LS", set_code("L3"), _all("363"),
      (FOSTERED, lasting(30))),
    K("ls_pace_too_long", "Episodes", "LS", set_code("J2"), _all("364"),
      (FOSTERED, lasting(30), age("DECOM", 10))),
    # short breaks
    # a short break needs no placement location (214, 398, 420) nor reviews (399)
    K("short_break_long_term_foster", "Episodes", "LS", set_code("V4"),
      _all("384", "214", "398", "399", "420"),
      (FOSTERED, is_("PLACE", "U1", "U4"), not_in("OC2"), in_("Reviews"))),
    # placement types
    # placed for adoption with no decision to place recorded (551)
    K("adoption_order_without_order", "Episodes", "PLACE", set_code("A6"), _all("408", "551"),
      (FOSTERED, not_("LS", "E1", "D1"), not_in("PlacedAdoption"), "open")),
    K("adoption_with_carer_not_new", "Episodes", "PLACE", set_code("A3"), _all("217", "551"),
      (is_("RNE", "P", "B"), "is_last", "open", isnt("LS", "E1", "D1"), "URN",
       not_in("PlacedAdoption"))),
    K("provider_parent_not_p1", "Episodes", "PLACE_PROVIDER", set_code("PR0"), _all("550"),
      (FOSTERED,)),
    K("sgo_not_fostered", "Episodes", "REC", set_code("E46"), _all("516"),
      (only_record, "DEC", isnt("PLACE", "U1", "U2", "U3", "U4", "U5", "U6"),
       isnt("REC", "X1"), age("DEC", 0, 18), not_in("PlacedAdoption"))),
    # PlacedAdoption: decision dates
    K("placed_decision_before_birth", "PlacedAdoption", "DATE_PLACED", from_dob(0, -1),
      _all("184", "1003"), ("DATE_PLACED", not_in("AD1"), STARTED)),
    K("placed_decision_before_care", "PlacedAdoption", "DATE_PLACED", from_dob(0, 1),
      _all("1003"), ("DATE_PLACED", not_in("AD1"), STARTED)),
    K("placed_decision_after_year", "PlacedAdoption", "DATE_PLACED", fixed(_after_end),
      _all("117"), ("DATE_PLACED", not_in("AD1"), NO_ORDER)),
    K("placed_ceased_before_year", "PlacedAdoption", "DATE_PLACED_CEASED", fixed(_before_start),
      _all("118"), ("DATE_PLACED_CEASED", not_in("AD1"))),
]  # fmt: skip
