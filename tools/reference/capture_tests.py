"""Capture the reference validator's own per-rule test cases as tables (runs INSIDE .venv-ref).

    .venv-ref/bin/python tools/reference/capture_tests.py OUT

Each rule module of csc-validator-be-903 has a `test_validate()` that builds small pandas frames
and calls the module's `validate`. This runs every such test with `validate` wrapped so the
frames it receives are saved: OUT/<year>/<rule>/<Table>.csv (the frame's own columns, as the
test wrote them) and OUT/<year>/<rule>/case.json ({"rule", "year", "tables", "passed"}).
tools/parity/reference_cases.py turns them into returns for both validators.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import pkgutil
import sys
from pathlib import Path

TABLE_NAMES = {"SWEpisodes": "SocialWorker"}


def _save(frames: dict, folder: Path) -> list[str]:
    """Write the current-year frames of one call as CSV; their canonical table names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for table, frame in frames.items():
        if table == "metadata" or table.endswith("_last") or not hasattr(frame, "to_csv"):
            continue
        name = TABLE_NAMES.get(table, table)
        frame.reset_index(drop=True).to_csv(folder / f"{name}.csv", index=False)
        names.append(name)
    return names


def capture(module_name: str, year: int, out: Path) -> dict | None:
    """Run one rule module's test with its validate wrapped; the case, or None without a test."""
    module = importlib.import_module(module_name)
    if not hasattr(module, "test_validate") or not hasattr(module, "validate"):
        return None
    rule = module_name.rsplit("rule_", 1)[-1]
    seen: list[dict] = []
    original = module.validate

    def wrapped(dfs, *args, **kwargs):
        if not seen and isinstance(dfs, dict):
            # Rules convert and add columns in place: keep the frames as the test built them.
            seen.append(
                {k: v.copy(deep=True) if hasattr(v, "to_csv") else v for k, v in dfs.items()}
            )
        return original(dfs, *args, **kwargs)

    module.validate = wrapped
    passed = True
    try:
        module.test_validate()
    except Exception:  # a failing or crashing test is recorded, not fatal
        passed = False
    finally:
        module.validate = original
    if not seen:
        return None
    tables = _save(seen[0], out / str(year) / rule)
    case = {"rule": rule, "year": year, "tables": tables, "passed": passed}
    (out / str(year) / rule / "case.json").write_text(json.dumps(case), encoding="utf-8")
    return case


def main(argv: list[str]) -> int:
    """Capture every year's rule tests under OUT."""
    logging.disable(logging.CRITICAL)
    out = Path(argv[0])
    import lac_validator.rules as rules

    count = 0
    for package in sorted(p.name for p in pkgutil.iter_modules(rules.__path__) if p.ispkg):
        year = int(package[3:7]) + 1  # lac2022_23 -> collection year 2023
        base = importlib.import_module(f"lac_validator.rules.{package}")
        for info in pkgutil.iter_modules(base.__path__):
            if info.name.startswith("rule_"):
                with contextlib.redirect_stdout(sys.stderr):
                    count += capture(f"{base.__name__}.{info.name}", year, out) is not None
    print(f"captured {count} reference test cases under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
