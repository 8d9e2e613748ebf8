"""Flatten CHILD elements of a DfE XML return into the text columns of each 903 table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from lxml import etree

from carestat.model import ReadProblem
from carestat.readers import xml_layout as layout
from carestat.spec import Spec

_Record = dict[str, str | None]
_FROM_HEADER_KEYS = tuple(layout.element_name(c) for c in layout.FROM_HEADER)


def _has_value(record: _Record, fields: tuple[str, ...]) -> bool:
    return any((record.get(f) or "").strip() for f in fields)


class Columns:
    """Text columns of every table of a return, filled one CHILD element at a time."""

    def __init__(self, spec: Spec) -> None:
        self._columns = {name: table.column_names for name, table in spec.tables.items()}
        self._records: dict[str, list[tuple[str | None, ...]]] = {n: [] for n in spec.tables}
        self._keys = {
            name: tuple(layout.element_name(c) for c in columns)
            for name, columns in self._columns.items()
        }
        self._blocks = {b.element: b for b in layout.BLOCKS if b.table in spec.tables}
        self._known_block_fields = {b.element: frozenset(b.fields) for b in self._blocks.values()}
        self._known_episode = frozenset(layout.EPISODE_FIELDS)
        self.ignored: Counter[str] = Counter()
        self.notes: list[ReadProblem] = []
        self.uasc_flags: list[str | None] = []  # the HEADER's UASC text, one per Header row
        self._children = 0

    @property
    def names(self) -> list[str]:
        """The tables being filled."""
        return list(self._records)

    def num_rows(self, name: str) -> int:
        """Rows read so far into a table."""
        return len(self._records[name])

    def table(self, name: str) -> Iterator[tuple[str, list[str | None]]]:
        """(column, text values) of one table."""
        records = self._records[name]
        columns = self._columns[name]
        if not records:
            yield from ((column, []) for column in columns)
            return
        yield from zip(
            columns, (list(values) for values in zip(*records, strict=True)), strict=True
        )

    def _add(self, name: str, record: _Record) -> None:
        """One row; `record` holds the row's own elements and those it takes from HEADER."""
        self._records[name].append(tuple(map(record.get, self._keys[name])))

    def _with_header(self, record: _Record, header: _Record) -> _Record:
        # Columns every table but Header and Episodes repeats take the child's HEADER values.
        for key in _FROM_HEADER_KEYS:
            record[key] = header.get(key)
        return record

    def _record(self, element: etree._Element, known: frozenset[str]) -> _Record:
        record = {field.tag: field.text for field in element}
        if len(record) < len(element):
            tags = Counter(field.tag for field in element)
            twice = ", ".join(sorted(t for t, n in tags.items() if n > 1))
            self.notes.append(ReadProblem(
                "", f"CHILD number {self._children} has {twice} more than once in one "
                f"{element.tag}; the last was kept",
            ))  # fmt: skip
        if not record.keys() <= known:
            for tag in record.keys() - known:
                self.ignored[f"{element.tag}/{tag}"] += 1
        return record

    def _header(self, element: etree._Element) -> tuple[_Record, list[etree._Element]]:
        """The HEADER's own fields, and its repeated blocks in document order."""
        fields: _Record = {}
        blocks = []
        for item in element:
            tag = item.tag
            if tag in self._blocks:
                blocks.append(item)
            elif tag in layout.HEADER_LEAVES:
                fields[tag] = item.text
            else:
                self.ignored[f"HEADER/{tag}"] += 1
        return fields, blocks

    def add_child(self, child: etree._Element) -> None:
        """Add the rows one CHILD element holds to every table."""
        self._children += 1
        header_element = child.find(layout.HEADER)
        header: _Record = {}
        if header_element is None:
            self.notes.append(ReadProblem(
                "", f"CHILD number {self._children} has no HEADER; its episodes have no child id"
            ))  # fmt: skip
        else:
            header, blocks = self._header(header_element)
            self._add_header_tables(header)
            for block in blocks:
                known = self._known_block_fields[block.tag]
                record = self._with_header(self._record(block, known), header)
                self._add(self._blocks[block.tag].table, record)
        for item in child:
            if item.tag == layout.EPISODE:
                record = self._with_header(self._record(item, self._known_episode), header)
                self._add("Episodes", record)
            elif item.tag != layout.HEADER:
                self.ignored[f"CHILD/{item.tag}"] += 1

    def _add_header_tables(self, header: _Record) -> None:
        self._add("Header", header)
        self.uasc_flags.append(header.get("UASC"))
        uasc = (header.get("UASC") or "").strip()
        if uasc not in layout.UASC_NO or _has_value(header, layout.UASC_FIELDS):
            self._add("UASC", header)
        for name, fields in layout.FLAG_TABLES.items():
            if _has_value(header, fields):
                self._add(name, header)
