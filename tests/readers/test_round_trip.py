"""Round trip: a Return written as CSV and as DfE XML reads back identical (hypothesis).

What the XML layout cannot carry, and so the strategy never generates (see
docs/reference/xml-layout.md): rows whose CHILD has no Header record, a DOB (or UASC SEX) that
differs from the child's Header, more than one UASC/AD1/OC3 row per child, AD1/OC3 rows with
every field blank, and rows not grouped by child in Header order (XML orders them so).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carestat.model import LINE, Return
from carestat.readers import read_return
from carestat.readers.normalise import build_table
from carestat.readers.xml import read_xml_return
from carestat.readers.xml_layout import FLAG_TABLES
from carestat.spec import SUPPORTED_YEARS, load_spec
from carestat.spec.model import Column, ColumnType
from carestat.writers.csv import write_csv_return
from carestat.writers.xml import write_xml_return, xml_losses

ONE_PER_CHILD = ("UASC", "AD1", "OC3")
TEXT = st.from_regex(r"[A-Z0-9,&<'-]([A-Z0-9 ,&<'-]{0,6}[A-Z0-9,&<'-])?", fullmatch=True)
DATES = st.dates(date(1990, 1, 1), date(2035, 12, 31)).map(lambda d: d.strftime("%d/%m/%Y"))
NOT_DATES = st.sampled_from(["UNKNOWN", "31/02/2020", "2020/13/45"])


def cell(column: Column) -> st.SearchStrategy[str | None]:
    """Text a council's file might hold in this column, already in carestat's normal form."""
    if column.type is ColumnType.DATE:
        value: st.SearchStrategy[str | None] = st.one_of(DATES, DATES, NOT_DATES)
    elif column.type is ColumnType.CODE and column.codes:
        value = st.one_of(st.sampled_from(sorted(column.codes)), st.just("ZZ9"))
    elif column.type in (ColumnType.ID, ColumnType.INTEGER):
        value = st.from_regex(r"[1-9][0-9]{0,6}", fullmatch=True)
    else:
        value = TEXT
    return st.one_of(value, st.none()) if column.blank_allowed else value


@st.composite
def returns(draw: st.DrawFn) -> Return:
    """Small returns over the spec of a drawn year, holding only what both layouts carry."""
    year = draw(st.sampled_from([2019, *SUPPORTED_YEARS]))
    spec = load_spec(year)
    ids = draw(st.lists(st.from_regex(r"[1-9][0-9]{2,6}", fullmatch=True), min_size=1,
                        max_size=4, unique=True))  # fmt: skip
    header = [{c.name: draw(cell(c)) for c in spec.table("Header").columns} for _ in ids]
    for child, row in zip(ids, header, strict=True):
        row["CHILD"] = child
    text: dict[str, list[dict[str, str | None]]] = {"Header": header}
    for name, table in spec.tables.items():
        if name == "Header":
            continue
        most = 1 if name in ONE_PER_CHILD else 3
        rows = []
        for index, parent in enumerate(header):
            least = 1 if name == "Episodes" and index == 0 else 0
            for _ in range(draw(st.integers(least, most))):
                row = {c.name: draw(cell(c)) for c in table.columns}
                row.update({k: parent[k] for k in ("CHILD", "SEX", "DOB") if k in row})
                if name in FLAG_TABLES and all(row[f] is None for f in FLAG_TABLES[name]):
                    continue
                rows.append(row)
        text[name] = rows
    tables = {}
    for name, rows in text.items():
        columns = {c: pa.array([r[c] for r in rows], pa.string())
                   for c in spec.table(name).column_names}  # fmt: skip
        lines = [n + 2 for n in range(len(rows))]
        tables[name], _ = build_table(spec, name, columns, lines, len(rows))
    return Return(year=year, la=None, tables=tables)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ret=returns())
def test_csv_and_xml_round_trip(ret: Return, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    folder: Path = tmp_path_factory.mktemp("rt")
    assert xml_losses(ret) == []
    write_csv_return(ret, folder / "csv")
    from_csv = read_return([folder / "csv"], year=ret.year)
    write_xml_return(ret, folder / "return.xml")
    from_xml = read_xml_return(folder / "return.xml", ret.year, None)
    assert set(from_csv.tables) == set(from_xml.tables) == set(ret.tables)
    for name, table in ret.tables.items():
        assert from_csv.tables[name].equals(table), name
        without_line = table.drop_columns([LINE])
        assert from_xml.tables[name].drop_columns([LINE]).equals(without_line), name
        assert from_xml.tables[name].column(LINE).null_count == table.num_rows


def test_writer_refuses_what_xml_cannot_carry(tmp_path: Path) -> None:
    spec = load_spec(2026)
    header = {c: pa.array(["1"] if c == "CHILD" else ["01/01/2010"] if c == "DOB" else [None],
                          pa.string()) for c in spec.table("Header").column_names}  # fmt: skip
    reviews = {"CHILD": pa.array(["2"]), "DOB": pa.array(["02/02/2012"]),
               "REVIEW": pa.array(["03/03/2025"]), "REVIEW_CODE": pa.array(["PN1"])}  # fmt: skip
    tables = {n: build_table(spec, n, {}, [], 0)[0] for n in spec.tables}
    tables["Header"] = build_table(spec, "Header", header, [2], 1)[0]
    tables["Reviews"] = build_table(spec, "Reviews", reviews, [2], 1)[0]
    ret = Return(year=2026, la=None, tables=tables)
    assert xml_losses(ret) == ["Reviews: 1 rows whose CHILD has no Header record"]
    try:
        write_xml_return(ret, tmp_path / "r.xml")
    except ValueError as error:
        assert "Reviews: 1 rows whose CHILD has no Header record" in str(error)
    else:
        raise AssertionError("the writer wrote a return it cannot carry")
