"""Planted effects (`--scenario FILE`): exact multipliers on the Poisson entry rate, with their truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from carestat.model import InputError
from carestat.synth.population import ETHNIC_CODES


@dataclass(frozen=True)
class Scenario:
    """Effects to plant: infant entry growth, ethnicity rate ratios, outlier councils.

    An outlier's `rate_multiplier` applies from its optional `from_year` on (a step change);
    without `from_year`, in every year.
    """

    infant_growth: tuple[dict[str, Any], ...] = ()
    ethnicity: tuple[dict[str, Any], ...] = ()
    outliers: tuple[dict[str, Any], ...] = ()
    source: dict[str, Any] = field(default_factory=dict)

    def multiplier(self, la: str, year: int, base_year: int) -> np.ndarray:
        """Rate multipliers shaped (age, sex, ethnic) for one council and year."""
        out = np.ones((18, 2, len(ETHNIC_CODES)))
        for effect in self.infant_growth:
            if _applies(effect, la):
                steps = max(0, year - int(effect.get("from_year", base_year)))
                out[0] *= (1 + float(effect["percent_per_year"]) / 100) ** steps
        for effect in self.ethnicity:
            if _applies(effect, la):
                for code in effect["groups"]:
                    out[:, :, ETHNIC_CODES.index(code)] *= float(effect["rate_ratio"])
        for effect in self.outliers:
            if _applies(effect, la) and year >= int(effect.get("from_year", base_year)):
                out *= float(effect["rate_multiplier"])
        return out

    def effects(self, councils: list[str], base_year: int) -> list[dict[str, Any]]:
        """The planted effects with their true values, for truth.json."""
        out: list[dict[str, Any]] = []
        for e in self.infant_growth:
            out.append({"kind": "infant_entry_growth", "councils": _names(e, councils),
                        "percent_per_year": float(e["percent_per_year"]),
                        "from_year": int(e.get("from_year", base_year)),
                        "true_rate_ratio_per_year": 1 + float(e["percent_per_year"]) / 100})  # fmt: skip
        for e in self.ethnicity:
            out.append({"kind": "ethnicity_rate_ratio", "councils": _names(e, councils),
                        "groups": list(e["groups"]), "extra_rate_ratio": float(e["rate_ratio"])})  # fmt: skip
        for e in self.outliers:
            out.append({"kind": "outlier_council", "councils": _names(e, councils),
                        "rate_multiplier": float(e["rate_multiplier"]),
                        "from_year": int(e.get("from_year", base_year))})  # fmt: skip
        return out


def _applies(effect: dict[str, Any], la: str) -> bool:
    names = effect.get("councils", "all")
    return names == "all" or la in names


def _names(effect: dict[str, Any], councils: list[str]) -> list[str]:
    names = effect.get("councils", "all")
    return list(councils) if names == "all" else [c for c in names if c in councils]


def load_scenario(path: Path) -> Scenario:
    """Read a scenario YAML file; a clear `InputError` names what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise InputError(f"{path}: cannot read the scenario ({error})") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: a scenario must be a mapping of effects")
    unknown = set(raw) - {"infant_growth", "ethnicity", "outliers"}
    if unknown:
        raise InputError(f"{path}: unknown scenario key(s): {', '.join(sorted(unknown))}")
    checks = {
        "infant_growth": "percent_per_year",
        "ethnicity": "rate_ratio",
        "outliers": "rate_multiplier",
    }
    for key, needed in checks.items():
        for effect in raw.get(key, []) or []:
            if not isinstance(effect, dict) or needed not in effect:
                raise InputError(f"{path}: each {key} entry needs '{needed}'")
            if not isinstance(effect.get("from_year", 0), int):
                raise InputError(f"{path}: {key} from_year must be a year such as 2023")
            for code in effect.get("groups", []):
                if code not in ETHNIC_CODES:
                    raise InputError(f"{path}: ethnicity group {code!r} is not a 903 ETHNIC code")
    effects = {key: tuple(raw.get(key, []) or []) for key in checks}
    return Scenario(effects["infant_growth"], effects["ethnicity"], effects["outliers"], raw)
