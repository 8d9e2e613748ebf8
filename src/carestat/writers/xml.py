"""Write a `Return` as one DfE XML file (EXPSSDA903), streamed child by child with lxml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

from carestat.model import Return
from carestat.readers import xml_layout as layout
from carestat.writers.csv import text_columns

_ONE_PER_CHILD = ("UASC", "AD1", "OC3")


@dataclass
class _Grouped:
    """One table's text rows grouped by the child's position in Header (document order)."""

    columns: dict[str, list[str | None]]
    starts: np.ndarray  # rows of child i are starts[i]:starts[i + 1]
    orphans: int  # rows whose CHILD has no Header record

    def rows(self, child: int) -> range:
        """Positions (in `columns`) of one child's rows."""
        return range(int(self.starts[child]), int(self.starts[child + 1]))


def _group(text: pa.Table, header_children: pa.Array) -> _Grouped:
    position = pc.index_in(text.column("CHILD"), value_set=header_children)
    orphans = position.null_count
    # Orphan rows (no Header record) sort last and are left out.
    position = pc.fill_null(position, len(header_children))
    order = pc.sort_indices(
        pa.table({"p": position, "r": pa.array(np.arange(text.num_rows))}),
        sort_keys=[("p", "ascending"), ("r", "ascending")],
    )
    kept = order[: text.num_rows - orphans]
    sorted_position = pc.take(position, kept).to_numpy(zero_copy_only=False)
    starts = np.searchsorted(sorted_position, np.arange(len(header_children) + 1))
    return _Grouped(text.take(kept).to_pydict(), starts, orphans)


def _text_tables(ret: Return) -> dict[str, pa.Table]:
    return {name: text_columns(ret, name) for name in ret.spec.tables if name in ret.tables}


def xml_losses(ret: Return) -> list[str]:
    """What this return holds that the DfE XML layout cannot carry (empty: nothing is lost)."""
    texts = _text_tables(ret)
    header = texts["Header"]
    children = header.column("CHILD").combine_chunks()
    losses = []
    if pc.count_distinct(children).as_py() < header.num_rows:
        losses.append("Header has a CHILD more than once (or blank)")
    for name, text in texts.items():
        if name == "Header" or text.num_rows == 0:
            continue
        grouped = _group(text, children)
        if grouped.orphans:
            losses.append(f"{name}: {grouped.orphans} rows whose CHILD has no Header record")
        losses += _header_mismatches(name, text, header)
        if name in _ONE_PER_CHILD and int(np.diff(grouped.starts).max(initial=0)) > 1:
            losses.append(f"{name}: a child has more than one row (XML holds one per child)")
        if name in layout.FLAG_TABLES and _any_all_blank(text, layout.FLAG_TABLES[name]):
            losses.append(f"{name}: a row with every {name} field blank cannot be written")
    return losses


def _any_all_blank(text: pa.Table, elements: tuple[str, ...]) -> bool:
    """Whether some row has nothing in any of these fields (XML would not show the row)."""
    masks = [pc.is_null(text.column(layout.column_name(e))) for e in elements]
    return bool(pc.any(reduce(pc.and_, masks)).as_py())


def _header_mismatches(name: str, text: pa.Table, header: pa.Table) -> list[str]:
    """Columns a table takes from HEADER in XML but which differ from the Header record."""
    shared = [c for c in ("SEX", "DOB") if c in text.column_names]
    if not shared:
        return []
    joined = text.select(["CHILD", *shared]).join(
        header.select(["CHILD", *shared]), "CHILD", right_suffix="_h", join_type="inner"
    )
    found = []
    for column in shared:
        left, right = joined.column(column), joined.column(column + "_h")
        same = pc.fill_null(pc.equal(left, right), False)
        both_blank = pc.and_(pc.is_null(left), pc.is_null(right))
        if pc.sum(pc.invert(pc.or_(same, both_blank))).as_py():
            found.append(f"{name}: {column} differs from the child's Header {column}")
    return found


def write_xml_return(ret: Return, path: Path) -> None:
    """Write the return in the DfE XML layout; ValueError if it holds what XML cannot carry."""
    losses = xml_losses(ret)
    if losses:
        raise ValueError("the XML layout cannot carry this return: " + "; ".join(losses))
    texts = _text_tables(ret)
    header = texts.pop("Header").to_pydict()
    if ret.uasc_flags is not None:  # flags as read from XML (or planted): written as they are
        header["UASC"] = ret.uasc_flags.to_pylist()
    children = pa.array(header["CHILD"], pa.string())
    grouped = {name: _group(text, children) for name, text in texts.items()}
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(layout.ROOT):
            for index in range(len(header["CHILD"])):
                xf.write(_child(index, header, grouped), "\n")


def _leaf(parent: etree._Element, element: str, value: str | None) -> None:
    etree.SubElement(parent, element).text = value


def _fields(parent: etree._Element, table: _Grouped, row: int, elements: tuple[str, ...]) -> None:
    for element in elements:
        _leaf(parent, element, table.columns[layout.column_name(element)][row])


def _blocks(
    head: etree._Element, block: layout.Block, grouped: dict[str, _Grouped], child: int
) -> None:
    table = grouped.get(block.table)
    if table is None:
        return
    for row in table.rows(child):
        _fields(etree.SubElement(head, block.element), table, row, block.fields)


def _rows(grouped: dict[str, _Grouped], name: str, child: int) -> tuple[_Grouped | None, range]:
    table = grouped.get(name)
    return table, (table.rows(child) if table is not None else range(0))


def _child(
    index: int, header: dict[str, list[str | None]], grouped: dict[str, _Grouped]
) -> etree._Element:
    """One CHILD element: HEADER with the child's blocks, then its EPISODEs."""
    child = etree.Element(layout.CHILD)
    head = etree.SubElement(child, layout.HEADER)
    for element in layout.HEADER_FIELDS[:-1]:
        _leaf(head, element, header[layout.column_name(element)][index])
    uasc, rows = _rows(grouped, "UASC", index)
    flags = header.get("UASC")
    # Else 1 for a child with a UASC record, 0 otherwise (a blank flag fails DfE rule 105).
    _leaf(head, "UASC", flags[index] if flags is not None else layout.UASC_YES if rows else "0")
    for row in rows:
        _fields(head, uasc, row, layout.UASC_FIELDS)  # type: ignore[arg-type]
    for name, elements in layout.FLAG_TABLES.items():
        table, rows = _rows(grouped, name, index)
        for row in rows:
            _fields(head, table, row, elements)  # type: ignore[arg-type]
    for block in layout.BLOCKS_BEFORE_MOTHER:
        _blocks(head, block, grouped, index)
    for element in layout.MOTHER_FIELDS:
        _leaf(head, element, header[element][index])
    for block in layout.BLOCKS_AFTER_MOTHER:
        _blocks(head, block, grouped, index)
    episodes, rows = _rows(grouped, "Episodes", index)
    for row in rows:
        _fields(etree.SubElement(child, layout.EPISODE), episodes, row, layout.EPISODE_FIELDS)  # type: ignore[arg-type]
    return child
