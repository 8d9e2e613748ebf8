"""Planted faults: each kind edits what it declares, records it exactly, and keeps files readable."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from carestat.model import RAW_SUFFIX, Return
from carestat.readers import read_return
from carestat.readers.normalise import build_table
from carestat.spec import load_spec
from carestat.synth.fault_catalogue import (
    CATALOGUE,
    PREVIOUS_YEAR_RULES,
    VARIES,
    expected_with_previous,
)
from carestat.synth.fault_catalogue_coverage import (
    END,
    REASONS,
    START,
    coverage_markdown,
    covered,
    in_force,
    uncovered,
)
from carestat.synth.faults import Fault, FaultKind, kinds_for_year, plant, plant_faults
from carestat.synth.generate import generate
from carestat.writers.csv import write_csv_return

YEARS = (2023, 2024, 2025, 2026, 2027)


def _rows(year: int) -> dict[str, list[dict[str, str]]]:
    """A tiny return in which every fault kind has a record it can apply to."""
    m, f = ("M", "F") if year >= 2025 else ("1", "2")
    y = year - 1  # the calendar year in which the collection year starts
    # C2 is 17 at the start of the year, C3 a toddler, C4 turns 18 after the year ends; C5, with
    # an earlier permanent order, moved once and has no OC2 record (rare in synthetic councils).
    dob = {"C1": "01/05/2010", "C2": f"01/02/{y - 17}", "C3": f"01/07/{y - 2}",
           "C4": f"01/06/{y - 17}", "C5": "01/05/2012"}  # fmt: skip
    return {
        "Header": [
            {"CHILD": "C1", "SEX": m, "DOB": dob["C1"], "ETHNIC": "WBRI", "UPN": "A123456789012"},
            {"CHILD": "C2", "SEX": f, "DOB": dob["C2"], "ETHNIC": "WBRI", "UPN": "UN1",
             "MOTHER": "1", "MC_DOB": f"01/03/{y}"},
            {"CHILD": "C3", "SEX": m, "DOB": dob["C3"], "ETHNIC": "OOTH", "UPN": "UN2"},
            {"CHILD": "C4", "SEX": f, "DOB": dob["C4"], "ETHNIC": "WBRI", "UPN": "UN3"},
            {"CHILD": "C5", "SEX": m, "DOB": dob["C5"], "ETHNIC": "WBRI", "UPN": "A123456789013"},
        ],
        "Episodes": [
            {"CHILD": "C1", "DECOM": f"01/06/{y}", "RNE": "S", "LS": "C2", "CIN": "N1",
             "PLACE": "U1", "PLACE_PROVIDER": "PR1", "DEC": f"01/09/{y}", "REC": "X1",
             "REASON_PLACE_CHANGE": "CARPL"},
            {"CHILD": "C1", "DECOM": f"01/09/{y}", "RNE": "P", "LS": "C2", "CIN": "N1",
             "PLACE": "U1", "PLACE_PROVIDER": "PR1"},
            {"CHILD": "C2", "DECOM": f"01/05/{y}", "RNE": "S", "LS": "V2", "CIN": "N4",
             "PLACE": "K2", "PLACE_PROVIDER": "PR1", "DEC": f"15/02/{y + 1}", "REC": "E4A"},
            {"CHILD": "C3", "DECOM": f"01/01/{y - 1}", "RNE": "S", "LS": "V2", "CIN": "N4",
             "PLACE": "U3", "PLACE_PROVIDER": "PR2"},
            {"CHILD": "C4", "DECOM": f"01/05/{y}", "RNE": "S", "LS": "V2", "CIN": "N4",
             "PLACE": "K2", "PLACE_PROVIDER": "PR2", "DEC": f"01/03/{y + 1}", "REC": "E4A"},
            {"CHILD": "C5", "DECOM": f"01/06/{y}", "RNE": "S", "LS": "C2", "CIN": "N1",
             "PLACE": "U1", "PLACE_PROVIDER": "PR1", "DEC": f"01/09/{y}", "REC": "X1",
             "REASON_PLACE_CHANGE": "CARPL"},
            {"CHILD": "C5", "DECOM": f"01/09/{y}", "RNE": "P", "LS": "C2", "CIN": "N1",
             "PLACE": "U3", "PLACE_PROVIDER": "PR1"},
        ],
        "Reviews": [{"CHILD": "C1", "DOB": dob["C1"], "REVIEW": f"01/12/{y}", "REVIEW_CODE": "PN1"}],
        "UASC": [{"CHILD": "C3", "SEX": m, "DOB": dob["C3"], "DUC": f"01/07/{y + 10}"}],
        "OC2": [{"CHILD": "C1", "DOB": dob["C1"], "SDQ_SCORE": "10", "SDQ_REASON": "SDQ1",
                 "CONVICTED": "0"},
                {"CHILD": "C2", "DOB": dob["C2"], "CONVICTED": "1", "IMMUNISATIONS": "1",
                 "TEETH_CHECK": "1", "HEALTH_CHECK": "0", "HEALTH_ASSESSMENT": "1",
                 "SUBSTANCE_MISUSE": "1", "INTERVENTION_RECEIVED": "1"},
                {"CHILD": "C3", "DOB": dob["C3"], "SUBSTANCE_MISUSE": "1",
                 "INTERVENTION_RECEIVED": "0", "INTERVENTION_OFFERED": "1"}],
        "OC3": [{"CHILD": "C4", "DOB": dob["C4"], "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "S"}],
        "AD1": [{"CHILD": "C2", "DOB": dob["C2"], "DATE_INT": f"01/06/{y}",
                 "DATE_MATCH": f"01/08/{y}", "FOSTER_CARE": "0", "NB_ADOPTR": "1",
                 "SEX_ADOPTR": "M1", "LS_ADOPTR": "L0"},
                {"CHILD": "C1", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L2"},
                {"CHILD": "C4", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"},
                {"CHILD": "C4", "NB_ADOPTR": "2", "SEX_ADOPTR": "FF", "LS_ADOPTR": "L4"}],
        "PlacedAdoption": [{"CHILD": "C2", "DOB": dob["C2"], "DATE_PLACED": f"01/06/{y}",
                            "DATE_PLACED_CEASED": f"01/10/{y}", "REASON_PLACED_CEASED": "RD1"},
                           {"CHILD": "C3", "DOB": dob["C3"], "DATE_PLACED": f"01/06/{y}",
                            "DATE_PLACED_CEASED": f"01/10/{y}", "REASON_PLACED_CEASED": "RD1"}],
        "PrevPerm": [{"CHILD": "C1", "DOB": dob["C1"], "PREV_PERM": "P1", "LA_PERM": "800",
                      "DATE_PERM": "01/01/2015"},
                     {"CHILD": "C5", "DOB": dob["C5"], "PREV_PERM": "P1", "LA_PERM": "800",
                      "DATE_PERM": "01/01/2016"}],
        "Missing": [{"CHILD": "C1", "DOB": dob["C1"], "MISSING": "M",
                     "MIS_START": f"01/10/{y}", "MIS_END": f"03/10/{y}"}],
        "SocialWorker": [{"CHILD": "C1", "DOB": dob["C1"], "SW_ID": "SW1",
                          "SW_DECOM": f"01/06/{y}", "SW_DEC": f"01/01/{y + 1}",
                          "SW_REASON": "MANAGE"}],
        "DoLo": [{"CHILD": "C1", "DOB": dob["C1"], "DOLO_START": f"01/07/{y}",
                  "DOLO_END": f"01/08/{y}"}],
    }  # fmt: skip


def tiny_return(year: int) -> Return:
    """The tiny return of `_rows` as a typed `Return` (tables absent in the year are left out)."""
    spec = load_spec(year)
    tables = {}
    for name, records in _rows(year).items():
        if name not in spec.tables:
            continue
        text = {
            col: pa.array([r.get(col) for r in records], pa.string())
            for col in spec.table(name).column_names
        }
        lines = list(range(2, len(records) + 2))
        tables[name], _ = build_table(spec, name, text, lines, len(records))
    return Return(year=year, la="E08000035", tables=tables)


def _cell(ret: Return, fault: Fault) -> str | None:
    """The faulted cell's text as it stands in the return."""
    table = ret.tables[fault.table]
    raw = fault.field + RAW_SUFFIX
    if raw in table.column_names and table.column(raw)[fault.row].as_py() is not None:
        return str(table.column(raw)[fault.row].as_py())
    value = table.column(fault.field)[fault.row].as_py()
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value


@cache
def synthetic(year: int) -> Return:
    """A small synthetic council's clean return (the one the truth check plants on)."""
    returns = generate(las=1, years=range(2022, 2028), seed=11, children=100).returns()
    return next(ret for ret in returns if ret.year == year)


def _with_record(year: int, kind: FaultKind) -> Return | None:
    """The tiny return if the kind has a record there, else the synthetic one if it has."""
    return next((r for r in (tiny_return(year), synthetic(year)) if kind.eligible(r).any()), None)


@pytest.mark.parametrize("year", YEARS)
def test_every_kind_of_the_year_has_a_record_to_apply_to(year: int) -> None:
    # Kinds for records synthetic councils rarely hold (mothers, adopters) use the tiny return.
    none = [kind.name for kind in kinds_for_year(year) if _with_record(year, kind) is None]
    assert none == []


@pytest.mark.parametrize("year", YEARS)
def test_each_kind_edits_its_field_and_records_it(year: int) -> None:
    for kind in kinds_for_year(year):
        ret = _with_record(year, kind)
        assert ret is not None, kind.name
        row = int(np.flatnonzero(kind.eligible(ret))[0])
        before = ret.tables[kind.table].num_rows
        out, (fault,) = plant(ret, [(kind, row)], np.random.default_rng(1))
        assert (fault.kind, fault.table, fault.field) == (kind.name, kind.table, kind.field)
        assert fault.expected_rules and fault.old != fault.new, fault
        assert _cell(out, fault) == fault.new, fault
        table = out.tables[fault.table]
        assert table.schema == ret.tables[fault.table].schema
        added = 1 if kind.name.startswith("duplicate_") else 0
        assert table.column("_row").to_pylist() == list(range(before + added)), kind.name
        assert ret.tables[fault.table].num_rows == before  # the input is left untouched


def test_unreadable_date_goes_to_the_raw_column() -> None:
    ret = tiny_return(2026)
    kind = next(k for k in CATALOGUE if k.name == "dob_unreadable")
    out, (fault,) = plant(ret, [(kind, 0)], np.random.default_rng(1))
    assert out.tables["Header"].column("DOB")[0].as_py() is None
    assert out.tables["Header"].column("DOB__raw")[0].as_py() == "30/02/2010"
    assert fault.old == "01/05/2010" and fault.new == "30/02/2010"


def test_wrong_sex_code_depends_on_the_year() -> None:
    kind = next(k for k in CATALOGUE if k.name == "sex_wrong_for_year")
    _, (old,) = plant(tiny_return(2024), [(kind, 0)], np.random.default_rng(1))
    _, (new,) = plant(tiny_return(2025), [(kind, 0)], np.random.default_rng(1))
    assert (old.old, old.new) == ("1", "M")
    assert (new.old, new.new) == ("M", "1")


def test_rules_by_year_and_kinds_by_table() -> None:
    sw = next(k for k in CATALOGUE if k.name == "sw_dec_before_decom")
    assert not sw.applies(2025) and sw.expected(2026)[0] == "SW18STG2"
    assert {k.table for k in kinds_for_year(2023)}.isdisjoint({"SocialWorker", "DoLo"})
    assert "DoLo" in {k.table for k in kinds_for_year(2027)}
    assert len({k.name for k in CATALOGUE}) == len(CATALOGUE)


def test_rate_zero_plants_nothing() -> None:
    ret = tiny_return(2026)
    out, faults = plant_faults(ret, 0.0, np.random.default_rng(3))
    assert faults == []
    assert all(out.tables[n].equals(ret.tables[n]) for n in ret.tables)


def test_rate_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        plant_faults(tiny_return(2026), 1.5, np.random.default_rng(3))


def test_plant_faults_is_seeded_and_one_per_child() -> None:
    ret = tiny_return(2027)
    _, first = plant_faults(ret, 1.0, np.random.default_rng(7))
    _, again = plant_faults(ret, 1.0, np.random.default_rng(7))
    assert first == again
    children = [f.child for f in first]
    assert len(children) == len(set(children)) == 5  # every child has records to fault
    assert all(f.to_dict()["expected_rules"] == list(f.expected_rules) for f in first)


@pytest.mark.parametrize("seed", range(6))
def test_faulted_return_stays_readable(tmp_path: Path, seed: int) -> None:
    ret = tiny_return(2026)
    out, faults = plant_faults(ret, 1.0, np.random.default_rng(seed))
    folder = tmp_path / "E08000035" / "2026"
    write_csv_return(out, folder)
    back = read_return([folder], year=2026, la="E08000035")
    for fault in faults:
        assert _cell(back, fault) == fault.new, fault


def test_previous_year_rules_name_catalogue_kinds_and_extend_expectations() -> None:
    kinds = {kind.name: kind for kind in CATALOGUE}
    assert set(PREVIOUS_YEAR_RULES) <= set(kinds)
    for name, codes in PREVIOUS_YEAR_RULES.items():
        for year in (2023, 2027):
            both = expected_with_previous(kinds[name], year)
            assert both[: len(kinds[name].expected(year))] == kinds[name].expected(year)
            assert set(codes) <= set(both)


def test_coverage_page_is_current() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "explanation" / "fault-catalogue.md"
    text = page.read_text(encoding="utf-8")
    assert f"{START}\n{coverage_markdown()}\n{END}" in text, (
        "run: python -m carestat.synth.fault_catalogue_coverage"
    )


@pytest.mark.parametrize("year", YEARS)
def test_every_rule_in_force_is_covered_or_has_a_reason(year: int) -> None:
    listed = set(covered(year)).union(*(set(c) for c in uncovered(year).values()))
    assert listed == in_force(year)
    assert not covered(year) & {c for codes in REASONS.values() for c in codes}


def test_varying_kinds_are_catalogue_kinds() -> None:
    assert VARIES <= {kind.name for kind in CATALOGUE}
