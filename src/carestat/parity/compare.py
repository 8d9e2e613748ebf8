"""Per-rule agreement between carestat's flagged records and the reference validator's.

A flag is a (rule, table, row) triple: the DfE rule code, the canonical table name and the
0-based position of the record in its table. Only current-year tables are compared (the
reference also flags rows of last year's tables, named `<Table>_last`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Triple = tuple[str, str, int]


@dataclass(frozen=True)
class RuleAgreement:
    """How far carestat and the reference agree on one rule's flags."""

    rule: str
    both: int
    only_carestat: int
    only_reference: int

    @property
    def total(self) -> int:
        """Flags raised by either side."""
        return self.both + self.only_carestat + self.only_reference

    @property
    def share(self) -> float:
        """Share of flags raised by both (1.0 when neither side flags anything)."""
        return self.both / self.total if self.total else 1.0


@dataclass(frozen=True)
class Agreement:
    """Agreement on a whole corpus: per rule, and the overall share of agreed triples."""

    rules: tuple[RuleAgreement, ...]
    only_carestat: tuple[Triple, ...]
    only_reference: tuple[Triple, ...]

    @property
    def share(self) -> float:
        """Share of all flagged triples that both sides flagged."""
        both = sum(r.both for r in self.rules)
        total = sum(r.total for r in self.rules)
        return both / total if total else 1.0

    def disagreeing(self) -> list[RuleAgreement]:
        """The rules on which the two sides differ, worst first."""
        rules = [r for r in self.rules if r.both != r.total]
        return sorted(rules, key=lambda r: (r.share, -r.total, r.rule))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "share": self.share,
            "rules": {
                r.rule: {"both": r.both, "only_carestat": r.only_carestat,
                         "only_reference": r.only_reference}
                for r in self.rules
            },
        }  # fmt: skip


def _current(triples: Iterable[Iterable[Any]], skip_rules: frozenset[str]) -> set[Triple]:
    """Triples as tuples, without previous-year tables, rows about whole tables or skipped rules."""
    out = set()
    for rule, table, row in triples:
        if row is None or str(table).endswith("_last") or str(rule) in skip_rules:
            continue
        out.add((str(rule), str(table), int(row)))
    return out


def compare_triples(
    carestat: Iterable[Iterable[Any]],
    reference: Iterable[Iterable[Any]],
    skip_rules: Iterable[str] = (),
) -> Agreement:
    """Per-rule agreement of two sets of (rule, table, row) flags, ignoring `skip_rules`."""
    skip = frozenset(skip_rules)
    ours, theirs = _current(carestat, skip), _current(reference, skip)
    rules = sorted({t[0] for t in ours | theirs})
    per_rule = tuple(
        RuleAgreement(
            rule=rule,
            both=sum(1 for t in ours & theirs if t[0] == rule),
            only_carestat=sum(1 for t in ours - theirs if t[0] == rule),
            only_reference=sum(1 for t in theirs - ours if t[0] == rule),
        )
        for rule in rules
    )
    return Agreement(per_rule, tuple(sorted(ours - theirs)), tuple(sorted(theirs - ours)))


def triples_from_report(report: Mapping[str, Any]) -> list[Triple]:
    """(rule, table, row) triples from carestat's JSON validation report (DESIGN.md §5)."""
    return [(i["rule"], i["table"], i["row"]) for i in report["issues"] if i["row"] is not None]


def load_reference_json(path: Path) -> tuple[list[Triple], list[str]]:
    """The reference harness's output: its flagged triples and the rules that raised."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if "error" in data:
        raise ValueError(f"{path}: the reference refused the return: {data['error']}")
    triples = [(str(r), str(t), int(n)) for r, t, n in data["flagged"]]
    return triples, [str(code) for code in data.get("raised", [])]
