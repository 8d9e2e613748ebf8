"""Read a file's bytes as text, refusing what is not text with a clear message."""

from __future__ import annotations

from pathlib import Path

from carestat.model import InputError

MAX_BYTES = 2 * 1024**3  # a national episodes file is ~30 MB; anything near this is not a 903 table

_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook or zip archive, not CSV text (save it as CSV UTF-8)",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook, not CSV text (save it as CSV UTF-8)",
    b"%PDF": "a PDF document, not CSV text",
    b"\x1f\x8b": "a gzip archive, not CSV text (unpack it first)",
}


def read_text(path: Path) -> tuple[str, list[str]]:
    """The file's text and any notes on its encoding; InputError when it is not text."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: the file is {size:,} bytes, too large for a 903 table")
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    for signature, what in _SIGNATURES.items():
        if data.startswith(signature):
            raise InputError(f"{path}: the file is {what}")
    return decode(path, data)


def decode(path: Path, data: bytes) -> tuple[str, list[str]]:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252 with a note."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), ["the file is UTF-16; it was read, but save it as UTF-8"]
    if b"\x00" in data:
        raise InputError(f"{path}: the file holds binary data (NUL bytes), not CSV text")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise InputError(
            f"{path}: line {line} is not UTF-8 text (byte 0x{data[utf8_error.start]:02x}); "
            "save the file as CSV UTF-8"
        ) from None
    return text, ["the file is not UTF-8; it was read as Windows-1252"]
