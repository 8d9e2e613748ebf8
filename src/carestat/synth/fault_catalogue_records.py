"""Fault kinds on one record's own fields: postcodes, episode links, OC2, OC3, adopters, missing.

Each kind edits one field so that the record contradicts another field of itself, the child's age
or the record before it: a postcode that cannot be read (392c), placement and home the same
(392d), items of the OC2 health return that depend on each other (158-197a, 542-546), care
leavers' contact and accommodation (344-347), adopters' number, sex and legal status (511-524),
decisions to place for adoption (119, 522), previous permanence (633, 635), missing periods,
social worker episodes and DoLOs outside the year or before birth.
"""

from __future__ import annotations

from datetime import date, timedelta

from carestat.synth.fault_catalogue_where import (
    age,
    blank_,
    copy_of,
    from_dob,
    in_,
    in_year,
    is_,
    isnt,
    later,
    not_,
    not_in,
    only_record,
    since,
    started_in_year,
)
from carestat.synth.fault_kinds import (
    FaultKind,
    blank,
    fixed,
    in_all_years,
    relative,
    set_code,
)

K = FaultKind
_all = in_all_years


def _after_end(start: date, end: date) -> date:
    return end + timedelta(days=1)


RECORD_KINDS: list[FaultKind] = [
    # Episodes: postcodes and the links between a child's episodes
    K("home_post_invalid", "Episodes", "HOME_POST", set_code("ZZ9"), _all("392c", "392a"),
      ("HOME_POST",)),
    K("pl_post_same_as_home", "Episodes", "PL_POST", copy_of("HOME_POST"), _all("392d"),
      ("HOME_POST", "PL_POST", not_("PLACE", "P1"), "is_last", isnt("RNE", "L"))),
    K("rne_started_continuation", "Episodes", "RNE", set_code("S"), _all("431"),
      (is_("RNE", "P"), "is_last", later("DECOM"), not_in("OC2"), in_("PrevPerm"))),
    K("rec_new_episode_last", "Episodes", "REC", set_code("X1"), _all("388"),
      (only_record, not_("REC", "X1"), since("DECOM", 300))),
    K("rec_died_with_later", "Episodes", "REC", set_code("E2"), _all("437", "388", "432"),
      ("has_later", is_("REC", "X1"), not_in("OC2"))),
    K("rne_placement_first", "Episodes", "RNE", set_code("P"), _all("357"),
      (only_record, is_("RNE", "S"), since("DECOM", 300), "DEC", not_("REC", "X1"))),
    K("decom_gap_continuation", "Episodes", "DECOM", relative("DECOM", 1), _all("433", "388"),
      (is_("RNE", "P"), "is_last", "open", later("DECOM"))),
    K("provider_blank", "Episodes", "PLACE_PROVIDER", blank(), _all("526"),
      ("PLACE_PROVIDER", "is_last", isnt("RNE", "L"))),
    K("place_change_reason_blank", "Episodes", "REASON_PLACE_CHANGE", blank(), _all("225"),
      ("REASON_PLACE_CHANGE",)),
    K("urn_blank_required", "Episodes", "URN", blank(), _all("218"),
      ("URN", is_("PLACE", "K2"), "is_last", isnt("RNE", "L"))),
    # UASC
    K("duc_after_18", "UASC", "DUC", from_dob(19), _all("304"), ("DUC",)),
    # OC2
    K("oc2_yes_no_invalid", "OC2", "IMMUNISATIONS", set_code("2"), _all("181"),
      ("IMMUNISATIONS",)),
    K("oc2_core_blank", "OC2", "IMMUNISATIONS", blank(), _all("182", "191"),
      ("IMMUNISATIONS", is_("CONVICTED", "0"), isnt("HEALTH_CHECK", "1"))),
    K("oc2_core_blank_convicted", "OC2", "TEETH_CHECK", blank(), _all("182", "191", "544"),
      ("TEETH_CHECK", is_("CONVICTED", "1"), isnt("HEALTH_CHECK", "1"))),
    K("oc2_core_blank_health_check", "OC2", "HEALTH_ASSESSMENT", blank(),
      _all("182", "191", "547"), ("HEALTH_ASSESSMENT", isnt("CONVICTED", "1"),
                                  is_("HEALTH_CHECK", "1"))),
    K("sdq_reason_with_score", "OC2", "SDQ_REASON", set_code("SDQ1"), _all("197a"),
      ("SDQ_SCORE", blank_("SDQ_REASON"))),
    K("sdq_under_4", "OC2", "SDQ_SCORE", set_code("10"), _all("188"), (age("end", 0, 4),)),
    K("sdq_over_17", "OC2", "SDQ_SCORE", set_code("10"), _all("189"),
      (age("start", 17, past=True), blank_("SDQ_SCORE"))),
    K("convicted_under_10", "OC2", "CONVICTED", set_code("0"), _all("542"),
      (age("end", 0, 10), blank_("CONVICTED"))),
    K("convicted_blank_10", "OC2", "CONVICTED", blank(), _all("543"),
      ("CONVICTED", age("end", 10))),
    K("health_check_over_5", "OC2", "HEALTH_CHECK", set_code("1"), _all("546"),
      (age("end", 5), blank_("HEALTH_CHECK"))),
    K("health_check_blank_under_5", "OC2", "HEALTH_CHECK", blank(), _all("545"),
      ("HEALTH_CHECK", age("end", 0, 5))),
    K("intervention_received_blank", "OC2", "INTERVENTION_RECEIVED", blank(), _all("192"),
      (is_("SUBSTANCE_MISUSE", "1"), "INTERVENTION_RECEIVED")),
    K("intervention_without_problem", "OC2", "INTERVENTION_OFFERED", set_code("1"), _all("193"),
      (is_("SUBSTANCE_MISUSE", "0"),)),
    K("intervention_offered_and_received", "OC2", "INTERVENTION_OFFERED", set_code("0"),
      _all("158"), (is_("INTERVENTION_RECEIVED", "1"),)),
    K("intervention_offered_blank", "OC2", "INTERVENTION_OFFERED", blank(), _all("159"),
      (is_("INTERVENTION_RECEIVED", "0"), "INTERVENTION_OFFERED")),
    # OC3
    K("oc3_died_with_details", "OC3", "IN_TOUCH", set_code("DIED"), _all("344"),
      (not_("ACTIV", "0"), not_("ACCOM", "0"))),
    K("oc3_in_touch_accom_unknown", "OC3", "ACCOM", set_code("0"), _all("345"),
      (is_("IN_TOUCH", "YES"),)),
    K("oc3_foyer_under_18", "OC3", "ACCOM", set_code("T1"), _all("347"),
      (age("end", 0, 18), is_("IN_TOUCH", "YES"))),
    # AD1
    K("adopters_single_status_couple", "AD1", "LS_ADOPTR", set_code("L0"), _all("514"),
      (is_("NB_ADOPTR", "2"),)),
    K("adopters_unmarried_sex_single", "AD1", "SEX_ADOPTR", set_code("M1"), _all("511", "519"),
      (is_("NB_ADOPTR", "2"), is_("LS_ADOPTR", "L2"))),
    K("adopters_other_mixed", "AD1", "LS_ADOPTR", set_code("L4"), _all("518"),
      (is_("SEX_ADOPTR", "MF"),)),
    K("adopters_married_same_sex", "AD1", "SEX_ADOPTR", set_code("MM"), _all("520"),
      (is_("LS_ADOPTR", "L11"), is_("SEX_ADOPTR", "MF"))),
    K("adopters_step_parent_same_sex", "AD1", "LS_ADOPTR", set_code("L3"), _all("517"),
      (is_("SEX_ADOPTR", "MM", "FF"),)),
    K("adopters_civil_partners_mixed", "AD1", "LS_ADOPTR", set_code("L12"), _all("524"),
      (is_("SEX_ADOPTR", "MF"),)),
    # PlacedAdoption
    K("placed_ceased_before_placed", "PlacedAdoption", "DATE_PLACED_CEASED",
      relative("DATE_PLACED", -1), _all("522"), ("DATE_PLACED", "DATE_PLACED_CEASED")),
    K("reason_placed_ceased_blank", "PlacedAdoption", "REASON_PLACED_CEASED", blank(),
      _all("119"), ("REASON_PLACED_CEASED", "DATE_PLACED_CEASED")),
    # PrevPerm
    K("prev_perm_blank_with_details", "PrevPerm", "PREV_PERM", blank(), _all("635", "630"),
      ("LA_PERM", "PREV_PERM", started_in_year)),  # 630: only a child who started care this year
    K("la_perm_invalid", "PrevPerm", "LA_PERM", set_code("999"), _all("633"), ("LA_PERM",)),
    # Missing
    K("mis_end_after_year", "Missing", "MIS_END", fixed(_after_end), _all("571"),
      ("MIS_END", only_record)),
    K("mis_start_before_birth", "Missing", "MIS_START", from_dob(0, -1),
      _all("586", "578", "581"), ("MIS_START", only_record)),
    # SocialWorker
    K("sw_dec_same_day", "SocialWorker", "SW_DEC", relative("SW_DECOM", 0),
      (("2024-", ("SW09STG2", "SW10STG2")), ("2024-2024", ("SW11aSTG2",)),
       ("2026-", ("SW10aSTG2",))),
      ("SW_DEC", in_year("SW_DECOM"), "SW_DECOM")),
    # DoLo
    K("dolo_end_after_year", "DoLo", "DOLO_END", fixed(_after_end), _all("704"), ("DOLO_END",)),
    K("dolo_start_before_birth", "DoLo", "DOLO_START", from_dob(0, -1), _all("708"),
      ("DOLO_START",)),
]  # fmt: skip
