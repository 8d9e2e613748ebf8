"""Part-B documented differences are recognised on the records they describe, and nothing else."""

from __future__ import annotations

import datetime as dt

from carestat.parity.known import ReturnFacts, explain


def _facts(year: int, **tables: list[dict]) -> ReturnFacts:
    return ReturnFacts(year, "reference-tests", records=tables)


def test_577_is_explained_only_for_a_missing_period_with_an_end() -> None:
    facts = _facts(2023, Missing=[{"CHILD": "1", "MIS_END": dt.date(2022, 9, 1)}, {"CHILD": "1"}])
    assert explain(facts, "reference", ("577", "Missing", 0)) is not None
    assert explain(facts, "reference", ("577", "Missing", 1)) is None
    assert explain(facts, "carestat", ("577", "Missing", 0)) is None


def test_707_is_explained_only_for_a_dolo_with_an_end() -> None:
    day = dt.date(2026, 6, 1)
    facts = _facts(2027, DoLo=[{"CHILD": "1", "DOLO_START": day, "DOLO_END": dt.date(2026, 9, 1)},
                               {"CHILD": "1", "DOLO_START": day}])  # fmt: skip
    assert explain(facts, "reference", ("707", "DoLo", 0)) is not None
    assert explain(facts, "reference", ("707", "DoLo", 1)) is None
    assert explain(facts, "carestat", ("707", "DoLo", 0)) is None


def test_sw01_row_labels_need_an_open_episode_of_an_unreported_child() -> None:
    facts = _facts(
        2024,
        Episodes=[{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "3", "LS": "V3"}],
        SocialWorker=[{"CHILD": "1", "SW_ID": "SW1", "SW_DECOM": dt.date(2023, 5, 1), "SW_REASON": "FCONTA"}],
    )  # fmt: skip
    assert explain(facts, "reference", ("SW01STG1", "SocialWorker", 1)) is not None
    assert explain(facts, "carestat", ("SW01STG1", "Episodes", 1)) is not None
    assert explain(facts, "reference", ("SW01STG1", "SocialWorker", 0)) is None  # child 1 reported
    assert explain(facts, "carestat", ("SW01STG1", "Episodes", 2)) is None  # a short break


def test_zz_social_worker_dates_and_same_day_dolos() -> None:
    facts = _facts(2024, SocialWorker=[{"CHILD": "1", "SW_DECOM__raw": "ZZ/05/2023"},
                                       {"CHILD": "1", "SW_DECOM__raw": "32/05/2023"}])  # fmt: skip
    assert explain(facts, "carestat", ("SW04STG1", "SocialWorker", 0)) is not None
    assert explain(facts, "carestat", ("SW04STG1", "SocialWorker", 1)) is None
    day = dt.date(2026, 6, 1)
    dolo = _facts(2027, DoLo=[{"CHILD": "1", "DOLO_START": day, "DOLO_END": day},
                              {"CHILD": "1", "DOLO_START": day, "DOLO_END": dt.date(2026, 5, 1)}])  # fmt: skip
    assert explain(dolo, "reference", ("702", "DoLo", 0)) is not None
    assert explain(dolo, "reference", ("702", "DoLo", 1)) is None


def test_uasc_205a_and_205d_on_csv() -> None:
    facts = ReturnFacts(2026, "synthetic", records={"Header": [{"CHILD": "1"}, {"CHILD": "2"}],
                        "UASC": [{"CHILD": "2"}]}, last_records={"UASC": [{"CHILD": "1"}, {"CHILD": "2"}]})  # fmt: skip
    assert explain(facts, "carestat", ("205A", "Header", 0)) is not None
    assert explain(facts, "carestat", ("205A", "Header", 1)) is None  # still UASC
    assert explain(facts, "reference", ("205D", "Header", 1)) is None  # no repeated child
    facts.records = {**facts.records, "UASC": [{"CHILD": "2"}, {"CHILD": "2"}]}
    assert explain(facts, "reference", ("205D", "Header", 1)) is not None


def test_577_open_missing_period_is_explained_only_while_the_child_is_in_care() -> None:
    missing = [{"CHILD": "1", "MIS_END__raw": "30/02/2023"}, {"CHILD": "2"}]
    episodes = [{"CHILD": "1", "DEC": None}, {"CHILD": "2", "DEC": dt.date(2023, 6, 1)}]
    facts = _facts(2024, Missing=missing, Episodes=episodes)
    assert explain(facts, "reference", ("577", "Missing", 0)) is not None
    assert explain(facts, "reference", ("577", "Missing", 1)) is None  # care ended: the rule
    assert explain(facts, "carestat", ("577", "Missing", 0)) is None


def test_355_is_explained_when_neither_date_reads_and_the_texts_match() -> None:
    episodes = [{"CHILD": "1"}, {"CHILD": "1", "DECOM__raw": "31/04/2025", "DEC__raw": "31/04/2025"},
                {"CHILD": "1", "DECOM__raw": "31/04/2025"}, {"CHILD": "1", "DECOM": dt.date(2025, 5, 1)}]  # fmt: skip
    facts = _facts(2026, Episodes=episodes)
    assert [explain(facts, "reference", ("355", "Episodes", r)) is not None for r in range(4)] == [
        True, True, False, False,
    ]  # fmt: skip


def test_434_to_436_are_explained_by_an_item_blank_in_both_episodes() -> None:
    day = dt.date(2025, 6, 1)
    episodes = [
        {"CHILD": "1", "DECOM": day, "LS": "C2", "PLACE": "U1", "URN": "SC1", "PL_POST": "A",
         "PLACE_PROVIDER": "PR1"},
        {"CHILD": "1", "DECOM": day.replace(month=5), "LS": "C2", "PLACE": "U1", "PL_POST": "A",
         "PLACE_PROVIDER": "PR1"},
        {"CHILD": "2", "DECOM": day, "LS": None, "PLACE": "U1", "URN": "SC1", "PL_POST": "A",
         "PLACE_PROVIDER": "PR1"},
        {"CHILD": "2", "DECOM": day.replace(month=7), "LS": None, "PLACE": "U4", "URN": "SC2",
         "PL_POST": "B", "PLACE_PROVIDER": "PR1"},
    ]  # fmt: skip
    facts = _facts(2026, Episodes=episodes)
    assert explain(facts, "reference", ("435", "Episodes", 3)) is not None  # LS blank in both
    assert explain(facts, "carestat", ("435", "Episodes", 0)) is None  # URN blank only before
    assert explain(facts, "carestat", ("435", "Episodes", 1)) is None  # the child's first episode


def test_sw11b_is_explained_on_a_record_with_no_start_among_several() -> None:
    records = [{"CHILD": "1", "SW_DEC": dt.date(2026, 3, 29)}, {"CHILD": "1", "SW_DECOM": dt.date(2026, 3, 28)},
               {"CHILD": "2", "SW_DEC": dt.date(2026, 3, 29)}]  # fmt: skip
    facts = _facts(2026, SocialWorker=records)
    assert explain(facts, "carestat", ("SW11bSTG2", "SocialWorker", 0)) is not None
    assert explain(facts, "carestat", ("SW11bSTG2", "SocialWorker", 2)) is None  # its only record


def test_sw11b_reference_flag_on_a_followed_record_after_an_earlier_one() -> None:
    day = dt.date
    records = [
        {"CHILD": "1", "SW_DECOM": day(2024, 5, 1), "SW_DEC": day(2025, 7, 1)},
        {"CHILD": "1", "SW_DECOM": day(2025, 7, 1), "SW_DEC": day(2026, 3, 29)},
        {"CHILD": "1", "SW_DECOM": day(2026, 3, 29)},
        {"CHILD": "2", "SW_DECOM": day(2024, 5, 1), "SW_DEC": day(2025, 7, 1)},
        {"CHILD": "2", "SW_DECOM": day(2025, 7, 1), "SW_DEC": day(2026, 3, 29)},
    ]
    facts = _facts(2026, SocialWorker=records)
    assert explain(facts, "reference", ("SW11bSTG2", "SocialWorker", 1)) is not None
    assert explain(facts, "reference", ("SW11bSTG2", "SocialWorker", 4)) is None  # not followed
    assert explain(facts, "reference", ("SW11bSTG2", "SocialWorker", 0)) is None  # ends in July


def test_uasc_205a_reference_flag_on_a_child_uasc_both_years_after_a_repeat() -> None:
    header = [{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "3"}]
    uasc = [{"CHILD": "1"}, {"CHILD": "1"}, {"CHILD": "3"}]
    facts = ReturnFacts(2027, "synthetic", records={"Header": header, "UASC": uasc},
                        last_records={"UASC": [{"CHILD": "1"}, {"CHILD": "3"}]})  # fmt: skip
    assert explain(facts, "reference", ("205A", "Header", 2)) is not None
    assert explain(facts, "reference", ("205A", "UASC", 2)) is not None
    assert explain(facts, "reference", ("205A", "Header", 1)) is None  # not UASC this year
    facts.records = {**facts.records, "UASC": [{"CHILD": "1"}, {"CHILD": "3"}]}
    assert explain(facts, "reference", ("205A", "Header", 2)) is None  # no repeated child


def test_581_is_explained_only_for_a_missing_period_with_no_start_read() -> None:
    facts = _facts(2024, Missing=[{"CHILD": "1", "MIS_START__raw": "30/02/2023"},
                                  {"CHILD": "1", "MIS_START": dt.date(2023, 4, 1)}])  # fmt: skip
    assert explain(facts, "reference", ("581", "Missing", 0)) is not None
    assert explain(facts, "reference", ("581", "Missing", 1)) is None  # a start: the rule
    assert explain(facts, "carestat", ("581", "Missing", 0)) is None


def test_sw14_unreadable_end_and_sw18_same_day() -> None:
    day = dt.date(2025, 4, 1)
    facts = _facts(2026, SocialWorker=[
        {"CHILD": "1", "SW_DECOM": day, "SW_DEC": day},
        {"CHILD": "1", "SW_DECOM": day, "SW_DEC__raw": "30/02/2026"},
        {"CHILD": "1", "SW_DECOM": day},
    ])  # fmt: skip
    assert explain(facts, "reference", ("SW18STG2", "SocialWorker", 0)) is not None
    assert explain(facts, "reference", ("SW18STG2", "SocialWorker", 1)) is None
    assert explain(facts, "reference", ("SW14STG2", "SocialWorker", 1)) is not None
    assert explain(facts, "reference", ("SW14STG2", "SocialWorker", 2)) is None  # really blank


def test_502_is_explained_when_last_years_open_episode_has_no_start_read() -> None:
    last = {"Episodes": [{"CHILD": "1", "DECOM": dt.date(2023, 3, 28), "DEC": dt.date(2024, 2, 4)},
                         {"CHILD": "1", "DECOM__raw": "30/02/2024"},
                         {"CHILD": "2", "DECOM": dt.date(2024, 1, 1)}]}  # fmt: skip
    facts = ReturnFacts(2025, "synthetic", records={"Episodes": [{"CHILD": "1"}, {"CHILD": "2"}]},
                        last_records=last)  # fmt: skip
    assert explain(facts, "reference", ("502", "Episodes", 0)) is not None
    assert explain(facts, "reference", ("502", "Episodes", 1)) is None  # last start readable


def test_303_and_205c_of_the_reference_on_csv_need_a_wrong_derived_flag() -> None:
    header = [{"CHILD": "A"}, {"CHILD": "B"}, {"CHILD": "C"}]
    facts = _facts(2026, Header=header, UASC=[{"CHILD": "A"}, {"CHILD": "C"}])
    assert explain(facts, "reference", ("303", "Header", 2)) is None  # every flag right
    # A given twice pushes the marks down: B reads UASC, C (UASC, with its DUC) reads not
    facts = _facts(2026, Header=header, UASC=[{"CHILD": "A"}, {"CHILD": "A"}, {"CHILD": "C"}])
    assert explain(facts, "reference", ("303", "Header", 2)) is not None
    assert explain(facts, "reference", ("303", "UASC", 2)) is not None
    assert explain(facts, "reference", ("303", "Header", 0)) is None
    assert explain(facts, "carestat", ("303", "Header", 2)) is None
    # a UASC record whose child has no Header record reads as not UASC
    facts = _facts(2026, Header=header, UASC=[{"CHILD": "D"}])
    assert explain(facts, "reference", ("205C", "UASC", 0)) is not None
    assert explain(facts, "reference", ("303", "Header", 0)) is None


def test_581_after_the_year_in_an_open_episode_633_codes_and_1001_over_20() -> None:
    episodes = [{"CHILD": "1", "DECOM": dt.date(2022, 1, 21), "DEC": None}]
    missing = [{"CHILD": "1", "MIS_START": dt.date(2023, 4, 1)},
               {"CHILD": "1", "MIS_START": dt.date(2023, 3, 1)}]  # fmt: skip
    facts = _facts(2023, Episodes=episodes, Missing=missing)
    assert explain(facts, "reference", ("581", "Missing", 0)) is not None
    assert explain(facts, "reference", ("581", "Missing", 1)) is None  # within the year
    closed = _facts(2023, Episodes=[{**episodes[0], "DEC": dt.date(2022, 6, 1)}], Missing=missing)
    assert explain(closed, "reference", ("581", "Missing", 0)) is None  # no open episode
    perm = _facts(
        2024, PrevPerm=[{"CHILD": "1", "LA_PERM": "999"}, {"CHILD": "2", "LA_PERM": "942"}]
    )
    assert explain(perm, "carestat", ("633", "PrevPerm", 0)) is not None
    assert explain(perm, "reference", ("633", "PrevPerm", 1)) is not None
    assert explain(perm, "reference", ("633", "PrevPerm", 0)) is None
    header = [
        {"CHILD": "1", "DOB": dt.date(2006, 3, 31)},
        {"CHILD": "2", "DOB": dt.date(2006, 4, 1)},
    ]
    leavers = _facts(2026, Header=header, OC3=[{"CHILD": "1"}, {"CHILD": "2"}])
    assert explain(leavers, "reference", ("1001", "OC3", 0)) is not None  # 20 on 31 March 2026
    assert explain(leavers, "reference", ("1001", "OC3", 1)) is None  # 20 the day after


def test_707_open_dolos_578_unread_starts_and_age_rules_without_a_header() -> None:
    episodes = [{"CHILD": "1", "DECOM": dt.date(2026, 8, 15), "DEC": None},
                {"CHILD": "2", "DECOM": None, "DECOM__raw": "30/02/2022", "DEC": dt.date(2023, 5, 7)},
                {"CHILD": "Z1", "DECOM": dt.date(2024, 6, 6), "DEC": dt.date(2026, 4, 15)}]  # fmt: skip
    dolo = [{"CHILD": "1", "DOLO_END": None}, {"CHILD": "3", "DOLO_END": None}]
    missing = [{"CHILD": "2", "MIS_START": dt.date(2023, 4, 10)}, {"CHILD": "1"}]
    header = [
        {"CHILD": "1", "DOB": dt.date(2010, 1, 1)},
        {"CHILD": "2", "DOB": dt.date(2008, 1, 1)},
    ]
    facts = _facts(2027, Header=header, Episodes=episodes, DoLo=dolo,
                   Missing=missing)  # fmt: skip
    assert explain(facts, "reference", ("707", "DoLo", 0)) is not None
    assert explain(facts, "reference", ("707", "DoLo", 1)) is None  # child 3 is not in care
    assert explain(facts, "reference", ("578", "Missing", 0)) is not None
    assert explain(facts, "reference", ("578", "Missing", 1)) is None  # every start readable
    assert explain(facts, "reference", ("387", "Episodes", 2)) is not None
    assert explain(facts, "reference", ("387", "Episodes", 0)) is None
    assert explain(facts, "carestat", ("387", "Episodes", 2)) is None


def test_560_is_explained_by_last_years_unreadable_date_placed() -> None:
    facts = _facts(2026, PlacedAdoption=[{"CHILD": "1"}, {"CHILD": "2"}])
    facts.last_records = {"PlacedAdoption": [
        {"CHILD": "1", "DATE_PLACED": None, "DATE_PLACED__raw": "30/02/2024"},
        {"CHILD": "2", "DATE_PLACED": dt.date(2024, 7, 28), "DATE_PLACED__raw": None}]}  # fmt: skip
    assert explain(facts, "reference", ("560", "PlacedAdoption", 0)) is not None
    assert explain(facts, "reference", ("560", "PlacedAdoption", 1)) is None


def test_foyers_former_carers_short_permanence_dates_and_unknown_births() -> None:
    oc3 = [
        {"CHILD": "1", "ACCOM": "T1"},
        {"CHILD": "2", "ACCOM": "R2"},
        {"CHILD": "3", "ACCOM": "T"},
    ]
    facts = _facts(2025, OC3=oc3)
    assert explain(facts, "carestat", ("347", "OC3", 0)) is not None
    assert explain(facts, "carestat", ("3001", "OC3", 1)) is not None
    assert explain(facts, "carestat", ("347", "OC3", 2)) is None
    perm = [{"CHILD": "1", "DATE_PERM": "1/2/2025"}, {"CHILD": "2", "DATE_PERM": "01/02/2025"},
            {"CHILD": "3", "DATE_PERM": "ZZ/3/2020"}]  # fmt: skip
    facts = _facts(2026, PrevPerm=perm, Episodes=[{"CHILD": "1"}])
    assert explain(facts, "carestat", ("632", "PrevPerm", 0)) is not None
    assert explain(facts, "carestat", ("632", "Episodes", 0)) is not None
    assert explain(facts, "carestat", ("632", "PrevPerm", 1)) is None
    assert explain(facts, "carestat", ("632", "PrevPerm", 2)) is not None
    header = [
        {"CHILD": "1", "DOB": None, "DOB__raw": "30/02/2007"},
        {"CHILD": "2", "DOB": dt.date(2007, 1, 1)},
    ]
    facts = _facts(2027, Header=header, Episodes=[{"CHILD": "1"}, {"CHILD": "2"}])
    assert explain(facts, "reference", ("387", "Episodes", 0)) is not None
    assert explain(facts, "reference", ("387", "Episodes", 1)) is None


def test_social_worker_order_rules_with_a_record_without_a_start() -> None:
    sw = [{"CHILD": "1", "SW_DECOM": None, "SW_DEC": dt.date(2026, 7, 25)},
          {"CHILD": "1", "SW_DECOM": None, "SW_DEC": None},
          {"CHILD": "2", "SW_DECOM": dt.date(2026, 5, 1)}, {"CHILD": "2", "SW_DECOM": dt.date(2026, 6, 1)}]  # fmt: skip
    facts = _facts(2027, SocialWorker=sw)
    assert explain(facts, "reference", ("SW17STG2", "SocialWorker", 0)) is not None
    assert explain(facts, "reference", ("SW19STG2", "SocialWorker", 1)) is not None
    assert explain(facts, "carestat", ("SW11bSTG2", "SocialWorker", 0)) is not None
    assert explain(facts, "reference", ("SW19STG2", "SocialWorker", 2)) is None  # every start read


def test_205b_and_205d_are_explained_only_for_a_child_whose_derived_flag_shifts() -> None:
    header = [{"CHILD": "A"}, {"CHILD": "B"}, {"CHILD": "C"}]
    facts = _facts(2024, Header=header, UASC=[{"CHILD": "C"}])
    facts.last_records = {
        "Header": header,
        "UASC": [{"CHILD": "A"}, {"CHILD": "A"}, {"CHILD": "C"}],
    }
    assert explain(facts, "carestat", ("205B", "Header", 2)) is not None  # C shifted last year
    assert explain(facts, "carestat", ("205B", "Header", 0)) is None


def test_437_is_explained_by_another_episode_whose_start_cannot_be_read() -> None:
    episodes = [{"_row": 0, "CHILD": "1", "REC": "E2"},
                {"_row": 1, "CHILD": "1", "DECOM": None, "DECOM__raw": "30/02/2024"},
                {"_row": 2, "CHILD": "2", "REC": "E2"}, {"_row": 3, "CHILD": "2", "DECOM": dt.date(2023, 1, 1)}]  # fmt: skip
    facts = _facts(2023, Episodes=episodes)
    assert explain(facts, "reference", ("437", "Episodes", 0)) is not None
    assert explain(facts, "reference", ("437", "Episodes", 2)) is None


def test_433_is_explained_for_a_child_with_two_episodes_without_a_start() -> None:
    day = dt.date(2024, 5, 1)
    episodes = [{"CHILD": "1", "RNE": "L"}, {"CHILD": "1", "RNE": "P"},
                {"CHILD": "2", "RNE": "L"}, {"CHILD": "2", "RNE": "P", "DECOM": day}]  # fmt: skip
    facts = _facts(2025, Episodes=episodes)
    assert explain(facts, "reference", ("433", "Episodes", 0)) is not None
    assert explain(facts, "carestat", ("433", "Episodes", 1)) is not None
    assert explain(facts, "carestat", ("433", "Episodes", 3)) is None  # one without a start


def test_1016_is_explained_only_where_average_years_give_another_age() -> None:
    oc3 = [
        {"CHILD": "1", "DOB": dt.date(2009, 3, 31)},  # 18 on 31 March, 17 in average years
        {"CHILD": "2", "DOB": dt.date(2009, 3, 30)},  # 18 either way
    ]
    facts = _facts(2027, OC3=oc3)
    assert explain(facts, "reference", ("1016", "OC3", 0)) is not None
    assert explain(facts, "reference", ("1016", "OC3", 1)) is None
    assert explain(facts, "carestat", ("1016", "OC3", 0)) is None


def test_578_is_explained_by_an_episode_that_ends_before_it_starts() -> None:
    episodes = [{"CHILD": "1", "DECOM": dt.date(2022, 9, 15)},
                {"CHILD": "1", "DECOM": dt.date(2022, 12, 1), "DEC": dt.date(2022, 9, 20)},
                {"CHILD": "2", "DECOM": dt.date(2022, 9, 15), "DEC": dt.date(2022, 9, 20)}]  # fmt: skip
    facts = _facts(2023, Episodes=episodes, Missing=[{"CHILD": "1"}, {"CHILD": "2"}])
    assert explain(facts, "reference", ("578", "Missing", 0)) is not None
    assert explain(facts, "reference", ("578", "Missing", 1)) is None


def test_165_is_explained_for_mother_given_with_no_episode_in_the_year() -> None:
    header = [{"CHILD": "1", "SEX": "2", "MOTHER": "0"}, {"CHILD": "2", "SEX": "2", "MOTHER": "0"}]
    episodes = [{"CHILD": "1", "DECOM": None, "DEC": dt.date(2023, 9, 1)},
                {"CHILD": "2", "DECOM": dt.date(2023, 5, 1)}]  # fmt: skip
    oc3 = [{"CHILD": "1", "ACTIV": "F2"}, {"CHILD": "2", "ACTIV": "F2"}]
    facts = _facts(2024, Header=header, Episodes=episodes, OC3=oc3)
    assert explain(facts, "reference", ("165", "Header", 0)) is not None
    assert explain(facts, "reference", ("165", "OC3", 0)) is not None
    assert explain(facts, "reference", ("165", "Header", 1)) is None  # in care this year


def test_303_is_explained_for_a_repeated_header_child_with_one_record_unmarked() -> None:
    header = [{"CHILD": "A"}, {"CHILD": "B"}, {"CHILD": "C"}, {"CHILD": "A"}]
    facts = _facts(2024, Header=header, UASC=[{"CHILD": "B"}, {"CHILD": "B"}, {"CHILD": "A"}])
    # B's second UASC record pushes the marks down: A's second Header record reads unmarked
    assert explain(facts, "reference", ("303", "Header", 3)) is not None
    assert explain(facts, "reference", ("303", "UASC", 2)) is not None


def test_602_is_explained_by_an_open_episode_ending_in_adoption() -> None:
    episodes = [
        {"CHILD": "1", "REC": "E11"},
        {"CHILD": "2", "REC": "E11", "DEC": dt.date(2027, 1, 5)},
    ]
    facts = _facts(2027, Episodes=episodes, AD1=[{"CHILD": "1"}, {"CHILD": "2"}])
    assert explain(facts, "carestat", ("602", "AD1", 0)) is not None
    assert explain(facts, "carestat", ("602", "AD1", 1)) is None


def test_575_is_explained_for_an_open_missing_period_of_a_child_still_in_care() -> None:
    episodes = [{"CHILD": "1", "DECOM": dt.date(2023, 9, 24)},
                {"CHILD": "2", "DECOM": dt.date(2023, 9, 24), "DEC": dt.date(2024, 3, 1)}]  # fmt: skip
    missing = [{"CHILD": "1", "MIS_START": dt.date(2024, 2, 13)},
               {"CHILD": "2", "MIS_START": dt.date(2024, 2, 13)}]  # fmt: skip
    facts = _facts(2024, Episodes=episodes, Missing=missing)
    assert explain(facts, "reference", ("575", "Missing", 0)) is not None
    assert explain(facts, "reference", ("575", "Missing", 1)) is None  # care ended


def test_303_is_explained_for_a_mark_shifted_past_a_padded_child() -> None:
    header = [{"CHILD": "A"}, {"CHILD": "B"}, {"CHILD": "C"}]
    facts = _facts(
        2025, Header=header, UASC=[{"CHILD": "A"}, {"CHILD": "A"}, {"CHILD": "B"}, {"CHILD": "C"}]
    )
    assert (
        explain(facts, "reference", ("303", "Header", 2)) is None
    )  # A's repeat: B marked, C marked
    facts.padded = frozenset({("CHILD in Header", "B")})  # ' B ' in Header: the reference misses it
    assert explain(facts, "reference", ("303", "Header", 2)) is not None  # C reads B's blank mark
    facts.padded = frozenset({("CHILD in Reviews", "B")})  # elsewhere: Header and UASC still match
    assert explain(facts, "reference", ("303", "Header", 2)) is None
