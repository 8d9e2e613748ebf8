"""Synthetic returns are valid by construction, and a return gives the same issues as CSV and as XML."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from carestat.parity.faults import one_of_each
from carestat.readers import read_return
from carestat.rules.engine import validate
from carestat.spec import load_spec
from carestat.synth.faults import kinds_for_year, plant
from carestat.synth.generate import generate
from carestat.synth.providers import write_providers_xlsx
from carestat.writers.csv import write_csv_return
from carestat.writers.xml import write_xml_return, xml_losses

YEARS = (2024, 2027)


@pytest.fixture(scope="module")
def returns() -> dict[int, object]:
    """A council's synthetic returns, each year with the year before (big enough for rare tables)."""
    synthetic = generate(las=1, years=range(2023, 2028), seed=29, children=250)
    return {(ret.la, ret.year): ret for ret in synthetic.returns()}


@pytest.mark.parametrize("year", YEARS)
def test_synthetic_returns_have_no_errors_and_fill_every_table(
    returns, year, tmp_path: Path
) -> None:
    providers = tmp_path / "providers.xlsx"
    write_providers_xlsx(list(returns.values()), providers)
    for (la, y), ret in returns.items():
        if y != year:
            continue
        report = validate(ret, returns[(la, year - 1)], [providers])
        assert [i for i in report.issues if str(i.severity) in ("error", "Severity.ERROR")] == [], (
            la,
            year,
        )
        assert report.rules_skipped == [], (la, year)
        assert len(report.rows_examined) == report.rules_run > 250  # rows counted for every rule
        empty = [n for n in load_spec(year).tables if ret.tables[n].num_rows == 0]
        assert empty == [], f"{la} {year}: tables with no records: {empty}"


def _issues(ret) -> Counter:
    """Issues without their row numbers (XML orders records by child, CSV by table)."""
    report = validate(ret)
    return Counter((i.rule, i.table, i.child, i.message) for i in report.issues)


@pytest.mark.parametrize("year", YEARS)
def test_the_same_return_as_csv_and_as_xml_gives_the_same_issues(
    returns, year, tmp_path: Path
) -> None:
    clean = next(r for (la, y), r in sorted(returns.items()) if y == year)
    faulted, _ = plant(clean, one_of_each(clean, kinds_for_year(year)), np.random.default_rng(year))
    if xml_losses(faulted):  # faults only a CSV can hold (e.g. a record with no Header child)
        faulted, _ = plant(clean, [f for f in one_of_each(clean, kinds_for_year(year))
                                   if f[0].table != "Header"][:20], np.random.default_rng(year))  # fmt: skip
    write_csv_return(faulted, tmp_path / "csv" / clean.la / str(year))
    (tmp_path / "xml" / clean.la / str(year)).mkdir(parents=True)
    write_xml_return(faulted, tmp_path / "xml" / clean.la / str(year) / "return.xml")
    from_csv = read_return([tmp_path / "csv" / clean.la / str(year)], year=year)
    from_xml = read_return([tmp_path / "xml" / clean.la / str(year) / "return.xml"], year=year)
    assert _issues(from_csv), "the planted faults should give issues"
    assert _issues(from_xml) == _issues(from_csv)
