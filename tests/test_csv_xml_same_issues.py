"""The same synthetic return validated as CSV and as XML gives the same issues."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from carestat.model import Return
from carestat.readers import read_return
from carestat.rules.engine import validate
from carestat.synth import generate
from carestat.synth.providers import write_providers_xlsx
from carestat.synth.xml_faults import plant_faults_for_xml
from carestat.writers.csv import write_csv_return
from carestat.writers.xml import write_xml_return

YEARS = (2026, 2027)


def _returns(errors: float) -> list[Return]:
    synthetic = generate(las=1, years=YEARS, seed=11, children=40)
    rng = np.random.default_rng(5)
    out = []
    for ret in synthetic.returns():
        planted, faults, _ = plant_faults_for_xml(ret, errors, rng)
        assert (len(faults) > 0) == (errors > 0)
        out.append(planted)
    return out


def _issues(folder: Path, previous: Path, providers: Path) -> set[tuple]:
    ret = read_return([folder])
    last = read_return([previous], year=ret.year - 1, la=ret.la)
    report = validate(ret, previous=last, providers=[providers])
    return {(i.rule, i.table, i.row, i.child, i.message) for i in report.issues}


@pytest.mark.parametrize("errors", [0.0, 0.04])
def test_csv_and_xml_give_the_same_issues(tmp_path: Path, errors: float) -> None:
    """Same (rule, table, row) triples and messages, with and without planted faults."""
    returns = _returns(errors)
    providers = tmp_path / "providers.xlsx"
    write_providers_xlsx(returns, providers)
    for ret in returns:
        csv_folder = tmp_path / "csv" / str(ret.la) / str(ret.year)
        write_csv_return(ret, csv_folder)
        xml_folder = tmp_path / "xml" / str(ret.la) / str(ret.year)
        xml_folder.mkdir(parents=True)
        write_xml_return(ret, xml_folder / "return.xml")
    la, (last, this) = str(returns[0].la), YEARS
    from_csv = _issues(
        tmp_path / "csv" / la / str(this), tmp_path / "csv" / la / str(last), providers
    )
    from_xml = _issues(
        tmp_path / "xml" / la / str(this) / "return.xml",
        tmp_path / "xml" / la / str(last),
        providers,
    )
    assert from_csv == from_xml
    if errors:
        assert from_csv, "planted faults should raise issues"
