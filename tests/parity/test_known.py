"""Documented differences are recognised record by record, and nothing else is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from carestat.parity.known import ReturnFacts, _raw_oddities, explain

K3 = "146 in 2024-25: placement K3 flagged as invalid"


def _facts(year: int = 2025, **tables: list[dict]) -> ReturnFacts:
    return ReturnFacts(year, "synthetic", records=tables)


def test_a_k3_placement_flagged_by_the_reference_in_2024_25_is_explained() -> None:
    facts = _facts(Episodes=[{"CHILD": "1", "PLACE": "K2"}, {"CHILD": "2", "PLACE": "K3"}])
    assert explain(facts, "reference", ("146", "Episodes", 1)) == K3
    assert explain(facts, "reference", ("146", "Episodes", 0)) is None  # not a K3 placement
    assert explain(facts, "carestat", ("146", "Episodes", 1)) is None  # the other side
    assert explain(_facts(2026, **facts.records), "reference", ("146", "Episodes", 1)) is None


def test_sex_recoded_between_years_is_explained_only_when_the_meaning_is_unchanged() -> None:
    facts = ReturnFacts(2025, "synthetic", records={"Header": [{"CHILD": "1", "SEX": "M"},
                        {"CHILD": "2", "SEX": "F"}]},
                        last_records={"Header": [{"CHILD": "1", "SEX": "1"}, {"CHILD": "2", "SEX": "1"}]})  # fmt: skip
    assert explain(facts, "reference", ("202", "Header", 0)) is not None
    assert explain(facts, "reference", ("202", "Header", 1)) is None  # really changed


def test_odd_dates_and_padding_are_found_per_table_and_child(tmp_path: Path) -> None:
    (tmp_path / "header.csv").write_text(
        "CHILD,SEX,DOB\n1,1,2010-01-01\n2, 2,01/01/2011\n3,1,1/2/2012\n"
    )
    odd, padded = _raw_oddities(tmp_path, 2024, {"Header": str(tmp_path / "header.csv")})
    assert odd == {("Header", "1")}  # 1/2/2012 is a form the reference reads
    assert padded == {("Header", "2")}


def test_an_odd_date_explains_a_rule_reading_that_table_but_not_an_unrelated_one() -> None:
    facts = _facts(2024, Header=[{"CHILD": "1"}], Missing=[{"CHILD": "1"}], OC3=[{"CHILD": "1"}])
    facts.odd_dates = frozenset({("Missing", "1")})
    assert explain(facts, "carestat", ("581", "Missing", 0)) is not None
    assert explain(facts, "carestat", ("1002", "OC3", 0)) is None


def test_every_recognised_difference_has_its_section_in_the_document() -> None:
    from carestat.parity.known import every_known

    docs = Path(__file__).parents[2] / "docs/explanation"
    text = "\n".join(p.read_text() for p in docs.glob("reference-differences*.md"))
    headings = {line[3:].strip() for line in text.splitlines() if line.startswith("## ")}
    assert {k.section for k in every_known()} <= headings


def test_a_distance_on_one_side_only_explains_453_and_503g() -> None:
    last = {"Episodes": [{"_row": 0, "CHILD": "1", "DECOM": dt.date(2022, 3, 29),
                          "HOME_POST": "B1 1AA", "PL_POST": "CV1 1GF"}]}  # fmt: skip
    now = {"Episodes": [{"CHILD": "1", "HOME_POST": "ZZ9", "PL_POST": "CV1 1GF"},
                        {"CHILD": "1", "HOME_POST": "B1 1AA", "PL_POST": "CV1 1GF"}]}  # fmt: skip
    facts = ReturnFacts(2023, "synthetic", records=now, last_records=last)
    assert explain(facts, "carestat", ("503G", "Episodes", 0)) is not None
    assert explain(facts, "carestat", ("453", "Episodes", 1)) is None  # a distance both years
    assert explain(facts, "reference", ("503G", "Episodes", 0)) is None


def test_last_years_placement_in_a_new_district_explains_503j() -> None:
    last = {"Episodes": [{"_row": 0, "CHILD": "1", "DECOM": dt.date(2023, 3, 11),
                          "PL_POST": "YO11 1EQ"}]}  # fmt: skip
    now = {
        "Episodes": [{"CHILD": "1", "PL_POST": "TS19 0TD"}, {"CHILD": "2", "PL_POST": "TS19 0TD"}]
    }
    facts = ReturnFacts(2024, "synthetic", la="E10000023", records=now, last_records=last)
    assert explain(facts, "carestat", ("503J", "Episodes", 0)) is not None
    assert explain(facts, "carestat", ("503J", "Episodes", 1)) is None  # no episode last year
    assert explain(facts, "carestat", ("169", "Episodes", 0)) is None  # the reference's side only


def test_padding_in_a_table_the_rule_reads_but_does_not_declare_explains_it() -> None:
    facts = _facts(2026, OC2=[{"CHILD": "1"}, {"CHILD": "2"}], Episodes=[{"CHILD": "1"}])
    facts.padded = frozenset({("Episodes", "1"), ("Episodes", "2")})
    assert explain(facts, "carestat", ("545", "OC2", 0)) == "Values padded with spaces"
    facts.padded = frozenset({("Reviews", "1")})  # 545 reads OC2 and Episodes, not Reviews
    assert explain(facts, "carestat", ("545", "OC2", 0)) is None


def test_a_short_break_placed_in_a_district_created_since_2021_explains_420() -> None:
    episodes = [{"CHILD": "1", "LS": "V4", "PL_POST": "LS22 5HR"},  # Wetherby, E06000065
                {"CHILD": "2", "LS": "V4", "PL_POST": "CV1 1GF"}]  # Coventry, since 1974  # fmt: skip
    facts = _facts(2024, Episodes=episodes)
    assert explain(facts, "carestat", ("420", "Episodes", 0)) is not None
    assert explain(facts, "carestat", ("420", "Episodes", 1)) is None
    assert explain(facts, "reference", ("420", "Episodes", 0)) is None
