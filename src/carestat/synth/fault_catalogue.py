"""The catalogue of planted fault kinds, with the DfE rules each is expected to fire by year.

Rule expectations were read from the DfE rule text and checked against the reference validator's
logic (csc-validator-be-903 0.1.17); see docs/explanation/fault-catalogue.md for the rules no
single-record edit can trigger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from carestat.synth.fault_catalogue_ages import AGE_KINDS
from carestat.synth.fault_catalogue_links import LINK_KINDS
from carestat.synth.fault_catalogue_records import RECORD_KINDS
from carestat.synth.fault_catalogue_where import (
    blank_,
    female,
    in_care_at_end,
    is_,
    isnt,
    not_,
    not_in,
    only_record,
    since,
    started_by_sw_window,
    started_in_year,
)
from carestat.synth.fault_kinds import (
    FaultKind,
    blank,
    duplicate,
    fixed,
    in_all_years,
    orphan,
    other_sex,
    relative,
    set_code,
    unreadable,
)

_all = in_all_years


def _wrong_sex(year: int) -> str:
    """A sex code valid in the other layout: 1/2 until 2023-24, M/F/U from 2024-25."""
    return "1" if year >= 2025 else "M"


def _after_end(start: date, end: date) -> date:
    return end + timedelta(days=1)


def _over_25(start: date, end: date) -> date:
    return start.replace(year=start.year - 26)


K = FaultKind
SIMPLE: list[FaultKind] = [
    # Header
    K("sex_invalid", "Header", "SEX", set_code("9"), _all("101"), ("no_uasc", female, "MOTHER")),
    # From 2024-25 the earlier code 1 still means a boy, so her MOTHER is flagged too (165).
    K("sex_wrong_for_year", "Header", "SEX", set_code(_wrong_sex), (*_all("101"), ("2025-", ("165",))),
      ("no_uasc", female, "MOTHER")),
    K("ethnic_invalid", "Header", "ETHNIC", set_code("XXXX"), _all("103")),
    K("ethnic_blank", "Header", "ETHNIC", blank(), _all("103")),
    K("upn_invalid", "Header", "UPN", set_code("INVALID1"), _all("168")),
    K("dob_unreadable", "Header", "DOB", unreadable(), _all("102")),
    K("dob_after_year", "Header", "DOB", fixed(_after_end), _all("301")),
    K("dob_over_25", "Header", "DOB", fixed(_over_25), _all("351")),
    K("mc_dob_unreadable", "Header", "MC_DOB", unreadable(), _all("171", "611"), ("MC_DOB",)),
    # Episodes
    K("rne_invalid", "Episodes", "RNE", set_code("Z"), _all("143"), ("not_first",)),
    K("ls_invalid", "Episodes", "LS", set_code("Z9"), _all("144"), (only_record,)),
    K("cin_invalid", "Episodes", "CIN", set_code("N9"), _all("145")),
    K("place_invalid", "Episodes", "PLACE", set_code("Z9"), _all("146")),
    K("rec_invalid", "Episodes", "REC", set_code("Z9"), _all("149"), ("REC",)),
    K("provider_invalid", "Episodes", "PLACE_PROVIDER", set_code("PR9"), _all("178"),
      ("PLACE_PROVIDER", "is_last", isnt("RNE", "L"))),
    K("place_change_invalid", "Episodes", "REASON_PLACE_CHANGE", set_code("ZZZZ"), _all("1009"),
      ("REASON_PLACE_CHANGE",)),
    K("decom_unreadable", "Episodes", "DECOM", unreadable(), _all("141")),
    K("dec_unreadable", "Episodes", "DEC", unreadable(), _all("147"), ("DEC",)),
    K("dec_before_decom", "Episodes", "DEC", relative("DECOM", -1), _all("356"), ("DEC",)),
    K("dec_same_day", "Episodes", "DEC", relative("DECOM", 0), _all("355"), ("DEC",)),
    K("dec_after_year", "Episodes", "DEC", fixed(_after_end), _all("385"),
      ("DEC", only_record, is_("RNE", "S"), since("DECOM", 300))),
    K("decom_after_year", "Episodes", "DECOM", fixed(_after_end), _all("354"),
      ("open", "is_last")),
    K("decom_before_1991", "Episodes", "DECOM", fixed(lambda s, e: date(1990, 1, 1)),
      _all("353", "302"), (only_record, not_in("PrevPerm"))),
    # 433 needs the next episode to continue this one (X1), not start a new period of care
    K("previous_episode_open", "Episodes", "DEC", blank(), _all("142", "148", "433"),
      ("DEC", is_("REC", "X1"), "has_later", blank_("REASON_PLACE_CHANGE"),
       isnt("LS", "L1", "L2", "L3", "J2"))),
    # Reviews
    K("review_code_invalid", "Reviews", "REVIEW_CODE", set_code("PN9"), _all("167")),
    K("review_code_blank", "Reviews", "REVIEW_CODE", blank(), _all("167"), ("REVIEW",)),
    K("review_unreadable", "Reviews", "REVIEW", unreadable(), _all("166")),
    K("review_blank", "Reviews", "REVIEW", blank(), _all("166", "167"), ("REVIEW_CODE",)),
    # UASC
    K("duc_unreadable", "UASC", "DUC", unreadable(), _all("104"), ("DUC",)),
    K("uasc_sex_differs", "UASC", "SEX", other_sex(), _all("INT21"), ("SEX", "in_header")),
    # OC2
    K("sdq_score_invalid", "OC2", "SDQ_SCORE", set_code("99"), _all("180"), ("SDQ_SCORE",)),
    K("sdq_reason_invalid", "OC2", "SDQ_REASON", set_code("SDQ9"), _all("196"), ("SDQ_REASON",)),
    # OC3
    K("in_touch_invalid", "OC3", "IN_TOUCH", set_code("ZZZZ"), _all("131")),
    K("activ_invalid", "OC3", "ACTIV", set_code("Z9"), _all("132")),
    K("accom_invalid", "OC3", "ACCOM", set_code("Z9"), _all("133")),
    K("in_touch_blank", "OC3", "IN_TOUCH", blank(), _all("131", "153"), ("ACTIV", "ACCOM")),
    # AD1
    K("foster_care_invalid", "AD1", "FOSTER_CARE", set_code("9"), _all("114")),
    K("nb_adoptr_invalid", "AD1", "NB_ADOPTR", set_code("9"), _all("175")),
    # every adopters' status has a rule for the codes it allows: a single adopter's is 514
    K("sex_adoptr_invalid", "AD1", "SEX_ADOPTR", set_code("ZZ"), _all("176", "514"),
      (is_("LS_ADOPTR", "L0"),)),
    K("ls_adoptr_invalid", "AD1", "LS_ADOPTR", set_code("L9"), _all("177")),
    # An unreadable date is given, not blank: 151 and 601 (items left blank) do not fire.
    K("date_int_unreadable", "AD1", "DATE_INT", unreadable(), _all("112", "333"), ("DATE_MATCH",)),
    K("date_match_unreadable", "AD1", "DATE_MATCH", unreadable(), _all("113")),
    K("date_int_after_match", "AD1", "DATE_INT", relative("DATE_MATCH", 1), _all("333"),
      ("DATE_MATCH",)),
    K("foster_care_blank", "AD1", "FOSTER_CARE", blank(), _all("151", "601"), ("DATE_INT",)),
    # PlacedAdoption
    K("date_placed_unreadable", "PlacedAdoption", "DATE_PLACED", unreadable(), _all("115")),
    K("date_placed_ceased_unreadable", "PlacedAdoption", "DATE_PLACED_CEASED", unreadable(),
      _all("116"), ("DATE_PLACED_CEASED",)),
    K("reason_placed_ceased_invalid", "PlacedAdoption", "REASON_PLACED_CEASED", set_code("RD9"),
      _all("120"), ("REASON_PLACED_CEASED",)),
    # PrevPerm
    # 630 asks a child who started care this year for complete details: Z1 comes without them
    K("prev_perm_invalid", "PrevPerm", "PREV_PERM", set_code("Z9"), _all("631", "630"),
      (is_("PREV_PERM", "Z1"), started_in_year)),
    # Missing
    K("missing_invalid", "Missing", "MISSING", set_code("Z"), _all("1006")),
    K("missing_blank", "Missing", "MISSING", blank(), _all("565", "566"), ("MIS_START",)),
    K("mis_start_blank", "Missing", "MIS_START", blank(), _all("564", "1004"), ("MISSING",)),
    K("mis_start_unreadable", "Missing", "MIS_START", unreadable(), _all("1004")),
    K("mis_end_unreadable", "Missing", "MIS_END", unreadable(), _all("1005"),
      ("MIS_END", only_record, in_care_at_end)),
    K("mis_end_before_start", "Missing", "MIS_END", relative("MIS_START", -1), _all("567"),
      ("MIS_END", "MIS_START")),
    K("mis_start_after_year", "Missing", "MIS_START", fixed(_after_end), _all("570", "567"),
      ("MIS_END", in_care_at_end)),
    # SocialWorker (2023-24 on)
    K("sw_id_invalid", "SocialWorker", "SW_ID", set_code("AB123"), _all("SW02STG1")),
    K("sw_decom_unreadable", "SocialWorker", "SW_DECOM", unreadable(), _all("SW04STG1")),
    K("sw_dec_unreadable", "SocialWorker", "SW_DEC", unreadable(),
      (("2024-", ("SW05STG1", "SW08STG2", "SW10STG2")), ("2026-", ("SW10aSTG2",))), ("SW_DEC",)),
    K("sw_reason_invalid", "SocialWorker", "SW_REASON", set_code("ZZZZZZ"), _all("SW13STG1"),
      ("SW_REASON",)),
    # 2027: SW07STG2 only for an episode that started by the first day one may end
    K("sw_dec_before_decom", "SocialWorker", "SW_DEC", relative("SW_DECOM", -1),
      (("2026-", ("SW18STG2", "SW09STG2", "SW10STG2", "SW10aSTG2")), ("2027-", ("SW07STG2",))),
      ("SW_DEC", "SW_DECOM", started_by_sw_window), years="2026-"),
    # DoLo (2026-27 on)
    K("dolo_start_unreadable", "DoLo", "DOLO_START", unreadable(), _all("700")),
    K("dolo_end_unreadable", "DoLo", "DOLO_END", unreadable(), _all("701"), ("DOLO_END",)),
    K("dolo_end_before_start", "DoLo", "DOLO_END", relative("DOLO_START", -1), _all("702"),
      ("DOLO_END", "DOLO_START")),
    K("dolo_start_after_year", "DoLo", "DOLO_START", fixed(_after_end), _all("703", "702"),
      ("DOLO_END",)),
]  # fmt: skip

# Cross-record kinds: a record repeated, a child missing from Header, a DOB that disagrees.
_DUPLICATE_RULES = {"UASC": "INT36", "OC2": "INT33", "OC3": "INT34",
                    "AD1": "INT31", "PrevPerm": "INT35"}  # fmt: skip
# An orphaned record also leaves its child's other records without it: reviews, missing periods
# and previous permanence of a child with no episodes (1012), no previous permanence (630), a
# care leaver with no episodes (EPI), a formerly UASC child's episodes without distances (392a/b).
_ORPHAN_RULES = {"Episodes": "INT03", "Reviews": ("INT08", "1012"), "UASC": ("INT09", "392a", "392b"),
                 "OC2": "INT05", "OC3": ("INT06", "EPI"), "AD1": "INT01", "PlacedAdoption": "INT02",
                 "PrevPerm": ("INT07", "1012", "630"), "Missing": ("INT04", "1012")}  # fmt: skip
# EPI fires only for a care leaver with no episodes this year: orphan OC3 records of those only.
_ORPHAN_NEEDS = {"OC3": ("no_episodes",)}


_UN = tuple(f"UN{i}" for i in range(1, 8))  # UPN unknown codes


def _codes(rules: str | Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return _all(*((rules,) if isinstance(rules, str) else rules))


_DOB_RULES = {"Reviews": "INT17", "UASC": "INT18", "OC2": "INT14", "OC3": "INT15", "AD1": "INT11",
              "PlacedAdoption": "INT12", "PrevPerm": "INT16", "Missing": "INT13"}  # fmt: skip

CROSS_RECORD: list[FaultKind] = (
    [K(f"duplicate_{t.lower()}", t, "CHILD", duplicate(), _codes(r)) for t, r in _DUPLICATE_RULES.items()]
    # A repeated Header record repeats its UPN too: a real one is reported (444, 2025-26 on).
    + [K("duplicate_header", "Header", "CHILD", duplicate(), _all("INT32"), (is_("UPN", *_UN),)),
       K("duplicate_upn", "Header", "CHILD", duplicate(), (("2023-", ("INT32",)), ("2026-", ("444",))),
         (not_("UPN", *_UN),))]
    + [K(f"orphan_{t.lower()}", t, "CHILD", orphan(), _codes(r), _ORPHAN_NEEDS.get(t, ()))
       for t, r in _ORPHAN_RULES.items()]
    + [K(f"dob_differs_{t.lower()}", t, "DOB", relative("DOB", 1), _all(r), ("DOB", "in_header"))
       for t, r in _DOB_RULES.items()]
)  # fmt: skip

CATALOGUE: tuple[FaultKind, ...] = tuple(
    SIMPLE + CROSS_RECORD + AGE_KINDS + RECORD_KINDS + LINK_KINDS
)

# `expected_rules` assume the return is validated WITHOUT its previous year. With the previous
# year given, a fault also fires these previous-year rules when the edited child is in last
# year's return (Header kinds: the child is in last year's Header; Episodes kinds: the edited
# episode is the child's first this year and last year's latest episode is still open). Measured
# with tools.parity.faults on both validators; per-rule recall over a corpus with previous years
# should count these only where that condition holds. The reverse also happens: orphan_uasc's
# 392a/392b do not fire when the child had a UASC record last year (the rules exempt children
# UASC this year or last), so with the previous year given they are recalled only for a child
# new to UASC this year.
PREVIOUS_YEAR_RULES: dict[str, tuple[str, ...]] = {
    "sex_invalid": ("202",),
    "ethnic_invalid": ("204",),
    "ethnic_blank": ("204",),
    "upn_invalid": ("208",),
    "dob_unreadable": ("203",),
    "dob_after_year": ("203",),
    "dob_over_25": ("203",),
    "mc_dob_unreadable": ("624",),
    "rne_invalid": ("503A",),
    "ls_invalid": ("503B",),
    "cin_invalid": ("503C",),
    "place_invalid": ("503D",),
    "provider_invalid": ("503E",),
    "decom_after_year": ("502",),
    "decom_before_1991": ("502",),
    "orphan_episodes": ("NoE",),
}


# Kinds whose edit also fires other rules depending on the record it lands on (the child's other
# episodes, its OC2/OC3 cohort, its placement's provider): the truth check holds them to recall
# only. Measured by planting each kind on many records of synthetic councils, every year.
VARIES: frozenset[str] = frozenset({
    "cin_invalid", "dec_before_decom", "dec_same_day", "dec_unreadable", "decom_after_year",
    "decom_unreadable", "dob_after_year", "dob_over_25", "mis_end_unreadable", "orphan_episodes",
    "orphan_oc2", "orphan_oc3", "orphan_placedadoption", "place_invalid", "prev_perm_invalid",
    "placed_decision_before_birth", "placed_decision_before_care", "adoption_with_carer_not_new",
    "sw_dec_before_decom", "dolo_end_unreadable", "date_int_after_match",
    "rec_invalid", "rne_placement_first", "sw_decom_unreadable",
})  # fmt: skip


def expected_with_previous(kind: FaultKind, year: int) -> tuple[str, ...]:
    """Rules expected for `kind` in `year` when the previous year is given and the child is in it."""
    extra = [c for c in PREVIOUS_YEAR_RULES.get(kind.name, ()) if c not in kind.expected(year)]
    return kind.expected(year) + tuple(extra)
