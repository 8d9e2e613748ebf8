"""carestat's folders in the user cache, and writing into them safely.

Compiled rule sets go to the rules folder (`CARESTAT_CACHE_DIR` moves it); what validation
derives once per machine (postcode letters, the specification as JSON) sits beside it.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any


def rules_cache() -> Path:
    """Where compiled rule sets are cached (CARESTAT_CACHE_DIR, else the user cache dir)."""
    if os.environ.get("CARESTAT_CACHE_DIR"):
        return Path(os.environ["CARESTAT_CACHE_DIR"])
    import platformdirs

    return Path(platformdirs.user_cache_dir("carestat")) / "rules"


def cache_folder(name: str) -> Path:
    """A cache folder beside the compiled rules' (e.g. "postcodes", "spec")."""
    return rules_cache().parent / name


def temporary_path(path: Path) -> Path:
    """A name beside `path` to write it under first, then rename: no other process or thread
    writing the same file uses it."""
    return path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def write_json(path: Path, data: Any) -> None:
    """Write `data` as JSON atomically; a cache that cannot be written only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_path(path)
        temporary.write_text(json.dumps(data), encoding="utf-8")
        temporary.replace(path)
    except (OSError, TypeError, ValueError):
        pass
