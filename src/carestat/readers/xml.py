"""Read a DfE XML 903 return (EXPSSDA903) into the same typed `Return` as the CSV reader.

Parsed with lxml in streaming mode: entities are never resolved, no network, no DTD (refused
before parsing), libxml2's depth and size limits on; each CHILD is flattened into column lists
and then discarded, so memory holds the columns, not the tree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
from lxml import etree

from carestat import kernels as pc
from carestat.model import InputError, ReadProblem, Return, empty_table
from carestat.readers import xml_layout as layout
from carestat.readers.normalise import build_table
from carestat.readers.xml_fast import FastTables, read_regular
from carestat.readers.xml_safety import check_prolog
from carestat.readers.xml_tables import Columns
from carestat.spec import Spec, load_spec

# Above this the file is read in streaming mode rather than held in memory.
FAST_MAX_BYTES = 2 * 1024**3


def _children(path: Path) -> Iterator[etree._Element]:
    """Each CHILD element under the root, discarded once the caller moves on."""
    context = etree.iterparse(
        str(path), events=("end",), tag=layout.CHILD, resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True,
    )  # fmt: skip
    checked = False
    for _, element in context:
        if not checked:
            _check_root(path, element.getroottree().getroot())
            checked = True
        yield element
        element.clear(keep_tail=False)
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]
    if not checked:
        _check_root(path, context.root)


def _check_root(path: Path, root: etree._Element | None) -> None:
    if root is None or root.tag != layout.ROOT:
        tag = "none" if root is None else f"<{root.tag}>"
        raise InputError(f"{path}: the root element is {tag}, not <{layout.ROOT}> (a 903 return)")


def _syntax_message(path: Path, error: etree.XMLSyntaxError) -> str:
    # The parser's first logged error is the cause; the exception text can be a later symptom.
    first = error.error_log[0] if len(error.error_log) else None
    detail = (first.message if first else str(error.msg or error)).strip()
    line = first.line if first else error.lineno
    if "depth" in detail.lower():
        return f"{path}: elements are nested too deeply (line {line}); not a 903 return"
    if "amplification" in detail.lower() or "entity" in detail.lower():
        return f"{path}: line {line}: refused entity reference ({detail})"
    return f"{path}: is not well-formed XML (line {line}: {detail})"


def read_xml_return(path: Path, year: int, la: str | None) -> Return:
    """Read one DfE XML return; InputError when the file is unusable, ReadProblems for oddities."""
    path = Path(path)
    spec = load_spec(year)
    check_prolog(path)
    etree.clear_error_log()  # so the first logged error is this file's
    try:
        fast = _read_regular(path, spec)
        if fast is not None:
            return _build_return(path, spec, la, fast, Counter(), [])
        columns = Columns(spec)
        for child in _children(path):
            columns.add_child(child)
    except etree.XMLSyntaxError as error:
        raise InputError(_syntax_message(path, error)) from None
    return _build_return(path, spec, la, _as_tables(columns), columns.ignored, columns.notes)


class _Discard:
    """A parser target that keeps nothing: libxml2 checks the document and builds no tree."""

    def close(self) -> None:
        """Nothing was kept."""


def _read_regular(path: Path, spec: Spec) -> FastTables | None:
    """The fast reader's tables, checked by libxml2 in a thread meanwhile; None to stream."""
    if path.stat().st_size > FAST_MAX_BYTES:
        return None
    data = path.read_bytes()
    with ThreadPoolExecutor(1) as pool:  # libxml2 releases the GIL while it parses
        checked = pool.submit(_check_well_formed, data)
        try:
            tables = read_regular(data, spec)
        except Exception:
            checked.result()  # a malformed document is reported as such
            raise
        checked.result()
    return tables


def _check_well_formed(data: bytes) -> None:
    """XMLSyntaxError unless libxml2 parses the document (safely, keeping nothing)."""
    parser = etree.XMLParser(
        target=_Discard(), resolve_entities=False, no_network=True, load_dtd=False,
        huge_tree=False,
    )  # fmt: skip
    etree.fromstring(data, parser)


def _as_tables(columns: Columns) -> FastTables:
    tables = FastTables({}, {}, pa.array(columns.uasc_flags, pa.string()))
    for name in columns.names:
        tables.rows[name] = columns.num_rows(name)
        tables.columns[name] = {c: pa.array(v, pa.string()) for c, v in columns.table(name)}
    return tables


def _build_return(
    path: Path, spec: Spec, la: str | None, tables: FastTables, ignored: Counter[str],
    notes: list[ReadProblem],
) -> Return:  # fmt: skip
    for name, element in (("Header", "CHILD"), ("Episodes", "EPISODE")):
        if tables.rows[name] == 0:
            raise InputError(f"{path}: holds no {element} elements, so the return has no {name}")
    ret = Return(year=spec.year, la=la, tables={})
    for name in spec.tables:
        rows = tables.rows[name]
        table, tolerated = build_table(spec, name, tables.columns[name], None, rows)
        ret.tables[name] = table if rows else empty_table(spec, name)
        if rows:
            ret.sources[name] = str(path)
        ret.problems += [
            ReadProblem(str(path), f"{t.column}: {t.what}", table=name) for t in tolerated
        ]
    ret.problems += _notes(path, ignored, notes)
    ret.uasc_flags = _flags(tables.uasc_flags)
    return ret


def _flags(given: pa.Array) -> pa.Array:
    """The Header's UASC flags as text, trimmed, blank as null."""
    text = pc.utf8_trim_whitespace(pc.cast(given, pa.string()))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _notes(path: Path, ignored: Counter[str], notes: list[ReadProblem]) -> list[ReadProblem]:
    problems = list(notes)
    if ignored:
        listed = ", ".join(f"{tag} ({count})" for tag, count in sorted(ignored.items()))
        problems.append(
            ReadProblem(
                str(path), f"elements not in the {layout.ROOT} layout were ignored: {listed}"
            )
        )
    return [ReadProblem(str(path), p.message, p.severity, p.table, p.row) for p in problems]
