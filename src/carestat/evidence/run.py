"""Run every analysis on a store: the Python API behind `carestat evidence` and `carestat report`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from carestat.evidence.analyses import run_all
from carestat.evidence.inputs import EvidenceInputs, build_inputs
from carestat.evidence.section import Section
from carestat.model import InputError


def load_neighbours(path: Path) -> dict[str, list[str]]:
    """Statistical neighbours from a YAML or JSON mapping of council code to a list of codes."""
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InputError(f"{path}: cannot read the neighbours file ({error})") from None
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(c, str) for c in v) for v in raw.values()
    ):
        raise InputError(f"{path}: neighbours must map a council code to a list of council codes")
    return {str(k): [str(c) for c in v] for k, v in raw.items()}


def evidence(
    tables: Mapping[str, Any],
    neighbours: Mapping[str, Sequence[str]] | None = None,
    since: int | None = None,
) -> tuple[EvidenceInputs, list[Section]]:
    """Inputs and the five sections, from a mapping of canonical name to Ibis table.

    `since` is the year from which the step change of each outlying or configured council's
    starts is measured (`step_change`; default the latest year held).
    """
    inputs = build_inputs(tables)
    return inputs, run_all(inputs, neighbours, since)


def to_json(inputs: EvidenceInputs, sections: Sequence[Section]) -> str:
    """The evidence as JSON: coverage, then one object per section."""
    years = inputs.starts["year"]
    body = {
        "councils": len(inputs.councils),
        "first_year": int(years.min()) if len(years) else None,
        "last_year": int(years.max()) if len(years) else None,
        "censor": inputs.censor.date().isoformat(),
        "sections": [s.to_dict() for s in sections],
    }
    return json.dumps(body, indent=1, default=str)
