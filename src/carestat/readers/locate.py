"""Work out which files make a return, and its council and collection year."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from carestat.model import InputError

GSS_CODE = re.compile(r"^E(06|07|08|09|10)\d{6}$")
YEAR = re.compile(r"^(19|20)\d{2}$")
CSV_SUFFIXES = {".csv", ".txt"}
XML_SUFFIXES = {".xml"}


def input_files(paths: Sequence[Path]) -> list[Path]:
    """The CSV or XML files named, or found directly inside the folders named."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in CSV_SUFFIXES | XML_SUFFIXES
            )  # fmt: skip
            if not found:
                raise InputError(f"{path}: the folder holds no CSV or XML files")
            files += found
        else:
            files.append(path)
    kinds = {"xml" if f.suffix.lower() in XML_SUFFIXES else "csv" for f in files}
    if len(kinds) > 1:
        raise InputError(
            f"{paths[0]}: give either CSV tables or one XML file, not both "
            f"({', '.join(f.name for f in files)})"
        )
    if "xml" in kinds and len(files) > 1:
        raise InputError(f"{paths[0]}: give one XML file per return, not {len(files)}")
    return files


def year_from_path(path: Path) -> int | None:
    """The collection year from a `.../<GSS>/<YYYY>/` path, if it has one."""
    folder = path if path.is_dir() else path.parent
    for part in reversed(folder.resolve().parts):
        if YEAR.match(part):
            return int(part)
    return None


def la_from_path(path: Path) -> str | None:
    """The council's GSS code from a `.../<GSS>/<YYYY>/` path, if it has one."""
    folder = path if path.is_dir() else path.parent
    for part in reversed(folder.resolve().parts):
        if GSS_CODE.match(part.upper()):
            return part.upper()
    return None


def check_la(la: str | None) -> str | None:
    """A council code as carestat keys it (9-character GSS); InputError if malformed."""
    if la is None:
        return None
    code = la.strip().upper()
    if GSS_CODE.match(code):
        return code
    raise InputError(f"--la {la}: not a council GSS code such as E08000035")
