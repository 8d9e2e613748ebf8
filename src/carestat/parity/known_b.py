"""Recognisers for documented reference differences (part B: see carestat.parity.known).

Sections are in `docs/explanation/reference-differences-b.md`.
"""

from __future__ import annotations

from carestat.parity.compare import Triple
from carestat.parity.known import ANY_YEAR, Known, Recogniser, ReturnFacts


def _given(table: str, column: str) -> Recogniser:
    """The flagged record is in `table` and its `column` is not blank."""

    def applies(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
        return triple[1] == table and facts.record(table, triple[2]).get(column) is not None

    return applies


KNOWN_B: tuple[Known, ...] = (
    Known("577: missing periods with an end date outside every period of care", frozenset({"577"}),
          "reference", ANY_YEAR, _given("Missing", "MIS_END")),
)  # fmt: skip
