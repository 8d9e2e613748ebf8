"""Fault kinds at the boundary of an age, legal status or placement (one record, one field).

Each kind edits a code or date chosen against the child's age, so that one age rule fires:
placements with a minimum age (371-374), reasons for ceasing with an age bound (386-389, 407,
460), youth justice legal status (358), participation codes at reviews (440, 441), mothers'
details (174, 611-621) and unknown UPNs (209, 210). Episode kinds use a child's only episode so
that no sequence rule (433-436, 503) is touched.
"""

from __future__ import annotations

from carestat.synth.fault_catalogue_where import (
    age,
    all_of,
    before,
    blank_,
    by_year,
    female,
    from_dob,
    in_care_at_end,
    is_,
    isnt,
    male_code,
    not_,
    not_in,
    only_record,
)
from carestat.synth.fault_kinds import FaultKind, blank, in_all_years, relative, set_code

K = FaultKind
_all = in_all_years


def _supported(year: int) -> str:
    """Supported accommodation: H5 until 2023-24, K3 from 2024-25."""
    return "K3" if year >= 2025 else "H5"


# An only episode that ended for a reason other than a new episode (so REC edits stay final).
ENDED = all_of(only_record, not_("REC", "X1", "E45", "E46", "E47", "E48", "E11", "E12"))
# An only episode, not own provision (1015, 527, 550), not ending with a special guardianship
# order (516), of no care leaver (OC3) and (in each kind) with no URN (222 flags a URN for a
# placement that takes none), so a new PLACE touches only its age rule.
PLAIN = all_of(
    only_record,
    not_("PLACE_PROVIDER", "PR0", "PR1"),
    isnt("REC", "E45", "E46", "E47", "E48"),
    not_in("OC3"),
)

AGE_KINDS: list[FaultKind] = [
    # Episodes: placements with a minimum age at the start of the episode
    K("place_school_under_4", "Episodes", "PLACE", set_code("S1"), _all("373"),
      (PLAIN, age("DECOM", 0, 4))),
    K("place_employment_under_14", "Episodes", "PLACE", set_code("P3"), _all("374"),
      (PLAIN, blank_("URN"), age("DECOM", 0, 14))),
    K("place_custody_under_10", "Episodes", "PLACE", set_code("R5"), _all("372"),
      (PLAIN, blank_("URN"), age("DECOM", 0, 10))),
    K("place_supported_under_14", "Episodes", "PLACE", by_year(_supported),
      _all("371"), (PLAIN, blank_("URN"), age("DECOM", 0, 14))),
    K("ls_youth_justice_under_10", "Episodes", "LS", set_code("J1"), _all("358"),
      (only_record, isnt("PLACE", "A5", "A6"), age("DECOM", 0, 10))),
    # Episodes: reasons for ceasing with an age bound on the day care ended
    K("rec_adopted_over_18", "Episodes", "REC", set_code("E11"), _all("386", "390"),
      (ENDED, age("DEC", 18))),
    K("rec_independent_under_14", "Episodes", "REC", set_code("E5"), _all("387"),
      (ENDED, age("DEC", 0, 14))),
    K("rec_adult_care_under_16", "Episodes", "REC", set_code("E7"), _all("389"),
      (ENDED, age("DEC", 0, 16))),
    K("rec_staying_put_under_18", "Episodes", "REC", set_code("E17"), _all("460"),
      (ENDED, age("DEC", 0, 18))),
    K("rec_sgo_over_18", "Episodes", "REC", set_code("E46"), _all("407"),
      (ENDED, age("DEC", 18, past=True))),
    K("decom_before_birth", "Episodes", "DECOM", from_dob(0, -1), _all("302"),
      (only_record, is_("RNE", "S"), not_in("PrevPerm"), before("DECOM", 400))),
    # Reviews: participation codes by age at the review
    K("review_pn0_over_4", "Reviews", "REVIEW_CODE", set_code("PN0"), _all("440"),
      ("REVIEW", age("REVIEW", 5))),
    K("review_pn1_under_4", "Reviews", "REVIEW_CODE", set_code("PN1"), _all("441"),
      ("REVIEW", age("REVIEW", 0, 4))),
    # Header: mothers and unknown UPNs
    K("mother_male", "Header", "SEX", by_year(male_code), _all("174", "165"),
      ("MC_DOB", "no_uasc")),
    K("mother_mc_dob_blank", "Header", "MC_DOB", blank(), _all("611"), ("MC_DOB",)),
    K("not_mother_with_mc_dob", "Header", "MOTHER", set_code("0"), _all("612"), ("MC_DOB",)),
    K("mc_dob_before_dob", "Header", "MC_DOB", relative("DOB", -1), _all("621"), ("MC_DOB",)),
    K("mother_under_11", "Header", "MOTHER", set_code("1"), _all("620", "611"),
      (female, age("start", 0, 10))),
    K("mother_blank", "Header", "MOTHER", blank(), _all("393", "165"),
      (female, age("start", 13), in_care_at_end, blank_("MC_DOB"))),
    K("upn_un1_school_age", "Header", "UPN", set_code("UN1"), _all("209"),
      (age("start", 7, 15),)),
    K("upn_blank", "Header", "UPN", blank(), _all("442"), (age("start", 7, 15),)),
    K("sex_unknown", "Header", "SEX", set_code("U"), (("2025-", ("232", "165")),), ("no_uasc", blank_("MOTHER"), not_in("OC3")),
      years="2025-"),
]  # fmt: skip
