"""Write a synthetic set to disk: returns (CSV or XML), population.csv, providers.xlsx, truth.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from carestat.model import Return
from carestat.writers.csv import write_csv_return

if TYPE_CHECKING:
    from carestat.synth.generate import Synthetic


def _plant(
    ret: Return, errors: float, rng: np.random.Generator, fmt: str
) -> tuple[Return, list[Any], list[dict[str, Any]]]:
    """Plant faults; for XML only those the layout can carry (the rest are returned as skipped)."""
    if fmt == "xml":
        from carestat.synth.xml_faults import plant_faults_for_xml
        from carestat.synth.xml_flag_faults import plant_flag_faults

        planted, faults, skipped = plant_faults_for_xml(ret, errors, rng)
        planted, flagged = plant_flag_faults(planted, faults, errors, rng)
        return planted, faults + flagged, skipped
    from carestat.synth.faults import plant_faults

    planted, faults = plant_faults(ret, errors, rng)
    return planted, faults, []


def _write_return(ret: Return, out: Path, fmt: str) -> None:
    folder = out / str(ret.la) / str(ret.year)
    if fmt == "xml":
        from carestat.writers.xml import write_xml_return

        folder.mkdir(parents=True, exist_ok=True)
        write_xml_return(ret, folder / "return.xml")
    else:
        write_csv_return(ret, folder)


def _slim(ret: Return) -> Return:
    """The columns the providers list needs, so all years of all councils fit in memory."""
    keep = ("CHILD", "DECOM", "DEC", "PLACE", "PLACE_PROVIDER", "PL_POST", "URN")
    episodes = ret.tables["Episodes"]
    return Return(ret.year, ret.la, {"Episodes": episodes.select([c for c in episodes.column_names
                                                                   if c in keep or c.startswith("_")])})  # fmt: skip


def write_all(synthetic: Synthetic, out: Path, fmt: str, errors: float,
              progress: Callable[[int], None] | None) -> dict[str, int]:  # fmt: skip
    """Write everything; returns how many returns and faults were written."""
    out.mkdir(parents=True, exist_ok=True)
    synthetic.population.to_csv(out / "population.csv", index=False)
    faults: list[dict[str, Any]] = []
    slim: list[Return] = []
    rng = np.random.default_rng([synthetic.seed, 903])
    written = 0
    skipped: list[dict[str, Any]] = []
    for ret in synthetic.returns():
        if errors > 0:
            ret, planted, lost = _plant(ret, errors, rng, fmt)
            faults.extend(f.to_dict() for f in planted)
            skipped.extend(lost)
        _write_return(ret, out, fmt)
        slim.append(_slim(ret))
        written += 1
        if progress:
            progress(1)
    _write_providers(slim, out)
    effects = synthetic.scenario.effects([c.code for c in synthetic.councils], synthetic.years[0]) \
        if synthetic.scenario else []  # fmt: skip
    truth = {"seed": synthetic.seed, "councils": [c.code for c in synthetic.councils],
             "years": synthetic.years, "faults": faults, "effects": effects}  # fmt: skip
    if fmt == "xml":
        truth["skipped_faults"] = skipped  # faults the XML layout cannot carry, not planted
    (out / "truth.json").write_text(json.dumps(truth, indent=1, default=str), "utf-8")
    return {"returns": written, "faults": len(faults)}


def _write_providers(returns: list[Return], out: Path) -> None:
    try:
        from carestat.synth.providers import write_providers_xlsx  # written by the faults helper
    except ImportError:
        return  # providers.xlsx arrives with carestat.synth.providers
    write_providers_xlsx(returns, out / "providers.xlsx")
