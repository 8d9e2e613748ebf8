"""Refuse unsafe or unusable XML before parsing it: size, binary content, DTDs and entities."""

from __future__ import annotations

from pathlib import Path

from carestat.model import InputError

MAX_XML_BYTES = (
    4 * 1024**3
)  # a national return is ~0.5 GB of XML; far beyond that is not a 903 file
PROLOG_BYTES = 1 << 20  # the XML declaration and comments before the root element

_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook or zip archive, not XML",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook, not XML",
    b"%PDF": "a PDF document, not XML",
    b"\x1f\x8b": "a gzip archive, not XML (unpack it first)",
}


def _file_head(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_XML_BYTES:
            raise InputError(f"{path}: the file is {size:,} bytes, too large for a 903 return")
        with path.open("rb") as handle:
            return handle.read(PROLOG_BYTES)
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def _prolog_text(path: Path, head: bytes) -> str:
    """The head of the file as text, enough to look at the markup before the root element."""
    if not head.strip():
        raise InputError(f"{path}: the file is empty")
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise InputError(f"{path}: the file is {what}")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        raise InputError(f"{path}: the file holds binary data (NUL bytes), not XML")
    # Markup is ASCII in every encoding the DfE files use; Latin-1 never fails to decode.
    return head.decode("latin-1").removeprefix("\xef\xbb\xbf")


def check_prolog(path: Path) -> None:
    """InputError unless the file starts like plain XML with no DTD before its root element."""
    text = _prolog_text(path, _file_head(path))
    position = 0
    while True:
        rest = text[position:].lstrip()
        position = len(text) - len(rest)
        if not rest:
            raise InputError(f"{path}: no root element in the first {PROLOG_BYTES:,} bytes")
        if not rest.startswith("<"):
            raise InputError(f"{path}: is not XML (it does not start with '<')")
        if rest.startswith("<!DOCTYPE") or rest.startswith("<!ENTITY"):
            raise InputError(
                f"{path}: has a document type declaration (<!DOCTYPE ...>); 903 XML files have "
                "none, and carestat refuses them because they can define entities"
            )
        end = {"<?": "?>", "<!--": "-->"}
        closing = next((c for o, c in end.items() if rest.startswith(o)), None)
        if closing is None:
            return  # the root element starts here
        found = rest.find(closing)
        if found < 0:
            raise InputError(f"{path}: no root element in the first {PROLOG_BYTES:,} bytes")
        position += found + len(closing)
