"""Wrong UASC flags planted in returns written as XML: read back as planted, caught by their rules."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carestat.model import Return
from carestat.readers import read_return
from carestat.rules.engine import validate
from carestat.synth.generate import generate
from carestat.synth.xml_flag_faults import plant_flag_faults
from carestat.writers.xml import write_xml_return


@cache
def _synthetic() -> Return:
    return next(iter(generate(las=1, years=(2026,), seed=5, children=300).returns()))


def _without_a_duc(ret: Return) -> Return:
    """The return with its first UASC record's DUC blanked (synthetic UASC children have one)."""
    uasc = ret.tables["UASC"]
    blank = pc.equal(pa.array(np.arange(uasc.num_rows)), 0)
    duc = pc.if_else(blank, pa.scalar(None, pa.date32()), uasc["DUC"])
    tables = {**ret.tables, "UASC": uasc.set_column(uasc.schema.get_field_index("DUC"), "DUC", duc)}
    return replace(ret, tables=tables)


def _written_and_read(ret: Return, folder: Path) -> Return:
    folder.mkdir(parents=True)
    write_xml_return(ret, folder / "return.xml")
    return read_return([folder / "return.xml"], year=ret.year, la=ret.la)


def test_each_wrong_flag_is_read_back_as_planted_and_fires_its_rules(tmp_path: Path) -> None:
    ret = _without_a_duc(_synthetic())
    planted, faults = plant_flag_faults(ret, [], 0.4, np.random.default_rng(3))
    assert {f.kind for f in faults} == {
        "uasc_flag_blank", "uasc_flag_invalid", "uasc_flag_zero_with_duc"
    }  # fmt: skip
    back = _written_and_read(planted, tmp_path / "xml")
    assert back.uasc_flags is not None and planted.uasc_flags is not None
    assert back.uasc_flags.to_pylist() == planted.uasc_flags.to_pylist()
    assert back.rows() == planted.rows()  # the same UASC records: only the flags differ
    flagged = {(i.rule, i.child) for i in validate(back, codes=["105", "303"]).issues}
    assert flagged == {(rule, f.child) for f in faults for rule in f.expected_rules}


def test_children_with_another_fault_keep_their_flag() -> None:
    ret = _synthetic()
    _, everyone = plant_flag_faults(ret, [], 1.0, np.random.default_rng(3))
    taken = everyone[:5]
    _, faults = plant_flag_faults(ret, taken, 1.0, np.random.default_rng(3))
    assert len(faults) == len(everyone) - 5
    assert not {f.child for f in faults} & {f.child for f in taken}


def test_no_rate_no_flags() -> None:
    ret = _synthetic()
    planted, faults = plant_flag_faults(ret, [], 0.0, np.random.default_rng(3))
    assert planted is ret and faults == []
