"""Vectorised reading of regular DfE XML returns: tags found with numpy, values cut out as Arrow.

Only for a document libxml2 has already parsed without error (so it is well-formed UTF-8) that is
*regular*: UTF-8, no comments, CDATA, processing instructions, entity or character references,
attributes or whitespace inside tags, and every element a known one in its place of the layout,
none given twice in one record. Anything else returns None and the streaming reader (which
notes every oddity) reads the file instead. Regular files are what return software writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from carestat import kernels as pc
from carestat.readers import xml_layout as layout
from carestat.spec import Spec

_LT, _GT, _SLASH = ord("<"), ord(">"), ord("/")
_WHITESPACE = np.array([ord(c) for c in " \t\r\n"], np.uint8)
_MARKUP = np.array([ord(c) for c in "!?"], np.uint8)  # comments, CDATA, DTDs, PIs
_PAD = 32
_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], np.uint64)
_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], np.uint64)
_DECLARATION = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\?>")
_UTF8 = re.compile(rb"""encoding\s*=\s*["'](?:utf-8|utf8|us-ascii|ascii)["']""", re.I)


@dataclass
class FastTables:
    """Text columns of every table, as the streaming reader's `Columns` would give them."""

    rows: dict[str, int]
    columns: dict[str, dict[str, pa.Array]]
    uasc_flags: pa.Array  # the HEADER's UASC text, one per Header row


def _body(data: bytes) -> np.ndarray | None:
    """The document after its XML declaration, or None when it is not plain UTF-8 markup."""
    declaration = _DECLARATION.match(data)
    skip = declaration.end() if declaration else 0
    text = data[:skip]
    if b"encoding" in text and not _UTF8.search(text):
        return None
    if data.find(b"&", skip) >= 0 or data.find(b"=", skip) >= 0:
        return None  # entity or character references, or attributes
    if data[skip : skip + 3] == b"\xef\xbb\xbf":
        skip += 3
    # Zero padding lets every name be read as whole 8-byte words.
    padded = np.frombuffer(data + bytes(_PAD), np.uint8)
    return padded[skip : len(data)]


def _strings(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """The text of `data` between each start and end (empty where they are equal)."""
    lengths = (ends - starts).astype(np.int32)
    offsets = np.zeros(len(starts) + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    gather = np.repeat(starts.astype(np.int32) - offsets[:-1], lengths)
    gather += np.arange(offsets[-1], dtype=np.int32)
    return pa.StringArray.from_buffers(
        len(starts), pa.py_buffer(offsets), pa.py_buffer(data[gather])
    )


class _Tokens:
    """Every start, end and empty-element tag of a document body, by position."""

    def __init__(self, body: np.ndarray) -> None:
        self.data = body
        self.start = np.flatnonzero(body == _LT).astype(np.int32)
        ends = np.flatnonzero(body == _GT).astype(np.int32)
        if len(ends) != len(self.start) or not self._paired(ends):
            ends = ends[np.searchsorted(ends, self.start)]  # some text holds '>'
        self.end = ends
        closing = body[self.start + 1] == _SLASH
        self.empty = body[self.end - 1] == _SLASH
        self.opening = ~closing
        delta = (self.opening & ~self.empty).astype(np.int32) - closing
        self.depth = np.cumsum(delta) - delta + self.opening  # an element's depth; root is 1

    def _paired(self, ends: np.ndarray) -> bool:
        return bool((ends > self.start).all() and (ends[:-1] < self.start[1:]).all())

    def regular_tags(self) -> bool:
        """Whether every tag is a plain element tag with nothing after its name."""
        if len(self.start) == 0 or np.isin(self.data[self.start + 1], _MARKUP).any():
            return False
        before = self.data[self.end - 1 - self.empty]
        return not np.isin(before, _WHITESPACE).any()

    def name_ids(self, names: list[str]) -> np.ndarray:
        """Index in `names` of each opening tag's name; -1 for a name not listed."""
        first = self.start[self.opening] + 1
        length = (self.end[self.opening] - self.empty[self.opening] - first).astype(np.int64)
        base = self.data.base if self.data.base is not None else self.data
        offset = self.data.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        words = np.ndarray((len(base) - 8,), "<u8", base, 0, (1,))
        first = first + offset
        known = _known_words(names)
        lengths = np.array([len(n.encode()) for n in names], np.int64)
        hashed, parts = length.astype(np.uint64), []
        with np.errstate(over="ignore"):
            for w in range(3):  # names up to 24 bytes, as three 8-byte words
                rows = np.flatnonzero(length > 8 * w) if w else slice(None)
                value = words[first[rows] + 8 * w] & _MASKS[np.clip(length[rows] - 8 * w, 0, 8)]
                hashed[rows] += value * _MULTIPLIERS[w]
                parts.append((rows, value))
            known_hash = lengths.astype(np.uint64) + known @ _MULTIPLIERS
        order = np.argsort(known_hash)
        ids = order[np.minimum(np.searchsorted(known_hash[order], hashed), len(names) - 1)]
        same = (known_hash[ids] == hashed) & (lengths[ids] == length) & (length <= 24)
        for w, (rows, value) in enumerate(parts):  # confirm the hash match word by word
            same[rows] &= known[ids[rows], w] == value
        return np.where(same, ids, -1)


def _known_words(names: list[str]) -> np.ndarray:
    """Each name's first 24 bytes as three little-endian words, zero padded."""
    padded = b"".join(n.encode()[:24].ljust(24, b"\0") for n in names)
    return np.frombuffer(padded, "<u8").reshape(len(names), 3).copy()


class _Layout:
    """Element names of one year's layout, and which may hold which."""

    def __init__(self, spec: Spec) -> None:
        self.blocks = [b for b in layout.BLOCKS if b.table in spec.tables]
        names = [layout.ROOT, layout.CHILD, layout.HEADER, layout.EPISODE]
        names += sorted(layout.HEADER_LEAVES) + list(layout.EPISODE_FIELDS)
        for block in self.blocks:
            names += [block.element, *block.fields]
        self.names = list(dict.fromkeys(names))
        self.id = {name: i for i, name in enumerate(self.names)}
        allowed = np.zeros((len(self.names), len(self.names)), bool)
        contents = {
            layout.CHILD: (layout.HEADER, layout.EPISODE),
            layout.EPISODE: layout.EPISODE_FIELDS,
        }
        contents[layout.HEADER] = tuple(layout.HEADER_LEAVES) + tuple(
            b.element for b in self.blocks
        )
        contents |= {b.element: b.fields for b in self.blocks}
        for parent, children in contents.items():
            allowed[self.id[parent], [self.id[c] for c in children]] = True
        self.allowed = allowed


class _Tree:
    """The opening tags of a regular document: name, depth, parent and text span of each."""

    def __init__(self, tokens: _Tokens, ids: np.ndarray) -> None:
        where = np.flatnonzero(tokens.opening)
        self.ids = ids
        self.depth = tokens.depth[where]
        self.empty = tokens.empty[where]
        self.text_start = tokens.end[where] + 1
        following = np.minimum(where + 1, len(tokens.start) - 1)
        self.text_end = np.where(self.empty, self.text_start, tokens.start[following])
        self.parent = np.full(len(where), -1, np.int64)
        positions = np.arange(len(where))
        for level in range(2, int(self.depth.max(initial=1)) + 1):
            # The parent is the last element one level up before this one (document order).
            last_above = np.maximum.accumulate(np.where(self.depth == level - 1, positions, -1))
            here = self.depth == level
            self.parent[here] = last_above[here]

    def regular(self, names: _Layout) -> bool:
        """Whether every element is a known one in its place, and each CHILD has one HEADER."""
        if len(self.ids) == 0 or self.ids.min() < 0 or self.depth.max() > 5:
            return False
        if self.ids[0] != names.id[layout.ROOT] or (self.depth == 1).sum() != 1:
            return False
        if not (self.ids[self.depth == 2] == names.id[layout.CHILD]).all():
            return False
        inner = self.depth >= 3
        if not names.allowed[self.ids[self.parent[inner]], self.ids[inner]].all():
            return False
        headers = self.parent[self.ids == names.id[layout.HEADER]]
        return len(np.unique(headers)) == len(headers) == (self.depth == 2).sum()


class _Builder:
    """Text columns of each table cut out of the document bytes."""

    def __init__(self, tokens: _Tokens, tree: _Tree, names: _Layout) -> None:
        self.data, self.tree, self.names = tokens.data, tree, names
        self.carriage_returns = bool((tokens.data == ord("\r")).any())
        order = np.argsort(tree.ids.astype(np.int16), kind="stable")
        self._bounds = np.concatenate(
            [[0], np.cumsum(np.bincount(tree.ids, minlength=len(names.names)))]
        )
        self._order = order
        self.child_positions = self._rows(layout.CHILD)
        self.header = self._own_columns(layout.HEADER, layout.HEADER_LEAVES)

    def _strings(self, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
        text = _strings(self.data, starts, ends)
        if self.carriage_returns:  # the XML parser reads CR LF (and lone CR) as LF
            text = pc.replace_substring(pc.replace_substring(text, "\r\n", "\n"), "\r", "\n")
        return text

    def _rows(self, element: str) -> np.ndarray:
        """Positions of the opening tags named `element`, in document order."""
        name = self.names.id[element]
        return self._order[self._bounds[name] : self._bounds[name + 1]]

    def _own_columns(
        self, element: str, fields: tuple[str, ...] | frozenset[str]
    ) -> dict[str, pa.Array]:
        """Each field of the records `element` holds: text by record, empty where absent."""
        tree, rows = self.tree, self._rows(element)
        columns = {}
        for field in fields:
            found = self._rows(field)
            parent = tree.parent[found]
            found, parent = found[parent >= 0], parent[parent >= 0]
            found = found[tree.ids[parent] == self.names.id[element]]
            row = np.searchsorted(rows, tree.parent[found])
            if np.any(np.diff(row) <= 0):
                raise _Irregular  # a field given twice in one record
            starts = np.zeros(len(rows), np.int32)
            ends = np.zeros(len(rows), np.int32)
            starts[row], ends[row] = tree.text_start[found], tree.text_end[found]
            columns[field] = self._strings(starts, ends)
        return columns

    def table(self, name: str, element: str, fields: tuple[str, ...]) -> dict[str, pa.Array]:
        """A block or episode table: its own fields, and CHILD, SEX and DOB from its HEADER."""
        columns = self._own_columns(element, fields)
        rows = self._rows(element)
        child = self.tree.parent[rows]
        if element != layout.EPISODE:
            child = self.tree.parent[child]
        ranks = pa.array(np.searchsorted(self.child_positions, child))
        for key in _FROM_HEADER:
            columns[key] = pc.take(self.header[key], ranks)
        return columns


class _Irregular(Exception):
    """The document is not regular; the streaming reader reads it."""


_FROM_HEADER = tuple(layout.element_name(c) for c in layout.FROM_HEADER)


def _blank(values: pa.Array) -> pa.Array:
    return pc.equal(pc.utf8_trim_whitespace(values), "")


def _header_tables(header: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """Which header records are also rows of UASC, AD1 and OC3 (as the streaming reader decides)."""
    uasc = pc.utf8_trim_whitespace(header["UASC"])
    has_duc = pc.invert(_blank(header["DUC"]))
    keep = {"UASC": pc.or_(pc.invert(pc.is_in(uasc, pa.array(layout.UASC_NO))), has_duc)}
    for name, fields in layout.FLAG_TABLES.items():
        blank = [_blank(header[f]) for f in fields]
        every = blank[0]
        for more in blank[1:]:
            every = pc.and_(every, more)
        keep[name] = pc.invert(every)
    return keep


def read_regular(data: bytes, spec: Spec) -> FastTables | None:
    """Text columns of every table of a regular document, or None when it is not regular."""
    body = _body(data)
    if body is None:
        return None
    tokens = _Tokens(body)
    if not tokens.regular_tags():
        return None
    names = _Layout(spec)
    tree = _Tree(tokens, tokens.name_ids(names.names))
    if not tree.regular(names):
        return None
    try:
        return _tables(_Builder(tokens, tree, names), spec)
    except _Irregular:
        return None


def _tables(builder: _Builder, spec: Spec) -> FastTables:
    """Every table of the spec from the builder's columns, named by spec column."""
    by_element: dict[str, dict[str, pa.Array]] = {"Header": builder.header}
    keep = _header_tables(builder.header)
    for name, mask in keep.items():
        by_element[name] = {k: pc.filter(v, mask) for k, v in builder.header.items()}
    by_element["Episodes"] = builder.table("Episodes", layout.EPISODE, layout.EPISODE_FIELDS)
    for block in builder.names.blocks:
        by_element[block.table] = builder.table(block.table, block.element, block.fields)
    result = FastTables({}, {}, builder.header["UASC"])
    for name, table in spec.tables.items():
        columns = by_element.get(name, {})
        rows = len(next(iter(columns.values()))) if columns else 0
        result.rows[name] = rows
        result.columns[name] = {
            c: columns[layout.element_name(c)]
            for c in table.column_names
            if layout.element_name(c) in columns
        }
    return result
