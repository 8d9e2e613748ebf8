"""Parity per collection year: agreement on the rules both sides run, and on all rules.

Each corpus return gives carestat's JSON report and the reference harness's JSON result. A rule is
compared when carestat implements it, the reference has it in force, the reference did not raise
on it and carestat did not skip it for that return. Rules carestat has not implemented yet are
"not implemented": their reference flags are counted apart, and only in the all-rules share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from carestat.parity.compare import Agreement, Triple, compare_triples, triples_from_report


@dataclass(frozen=True)
class ReturnResult:
    """One corpus return: where it came from and what each side said about it."""

    name: str
    part: str  # synthetic, messy, reference-tests, ...
    year: int
    carestat: Mapping[str, Any] | None  # carestat's JSON report; None when it refused the return
    reference: Mapping[str, Any] | None  # the harness's JSON; "error" when the reference refused
    implemented: frozenset[str]  # rule codes carestat declares for the year


@dataclass
class YearParity:
    """Everything counted for one collection year."""

    year: int
    returns: int = 0
    ours: list[Triple] = field(default_factory=list)
    theirs: list[Triple] = field(default_factory=list)
    not_implemented: dict[str, int] = field(default_factory=dict)  # rule -> reference flags
    excluded: dict[str, str] = field(default_factory=dict)  # rule -> why it was not compared
    refused: list[str] = field(default_factory=list)  # "name: who refused and why"
    compared_rules: set[str] = field(default_factory=set)

    def agreement(self) -> Agreement:
        """Per-rule agreement on the compared rules."""
        return compare_triples(self.ours, self.theirs)

    def share_all(self) -> float:
        """Agreement counting every reference flag of a not-implemented rule as a disagreement."""
        agreement = self.agreement()
        both = sum(r.both for r in agreement.rules)
        total = sum(r.total for r in agreement.rules) + sum(self.not_implemented.values())
        return both / total if total else 1.0


def _tag(triples: Iterable[Triple], name: str) -> list[Triple]:
    """Make rows unique across returns by prefixing the table with the return's name."""
    return [(rule, f"{name}:{table}", row) for rule, table, row in triples]


def _skipped(report: Mapping[str, Any]) -> list[str]:
    """Rule codes carestat skipped on this return (needs unmet, or the rule failed)."""
    skipped = report.get("summary", {}).get("rules_skipped", [])
    return [s["rule"] if isinstance(s, Mapping) else str(s) for s in skipped]


def add_return(parity: YearParity, result: ReturnResult) -> None:
    """Count one return's flags into its year."""
    parity.returns += 1
    ref, ours = result.reference, result.carestat
    if ours is None or ref is None or "error" in ref:
        why = "carestat refused it" if ours is None else f"reference: {(ref or {}).get('error')}"
        parity.refused.append(f"{result.name}: {why}")
        return
    in_force = set(ref.get("codes", []))
    excluded = {code: "the reference raised on it" for code in ref.get("raised", [])}
    excluded |= {code: "carestat skipped it" for code in _skipped(ours) if code not in excluded}
    compared = (result.implemented & in_force) - excluded.keys()
    parity.excluded.update({c: w for c, w in excluded.items() if c in in_force})
    parity.compared_rules |= compared
    theirs = [tuple(t) for t in ref["flagged"]]
    parity.theirs += _tag([t for t in theirs if t[0] in compared], result.name)
    parity.ours += _tag([t for t in triples_from_report(ours) if t[0] in compared], result.name)
    for rule, table, _ in theirs:
        if rule not in result.implemented and not str(table).endswith("_last"):
            parity.not_implemented[rule] = parity.not_implemented.get(rule, 0) + 1


def by_year(results: Iterable[ReturnResult]) -> dict[int, YearParity]:
    """Parity for each collection year of the corpus."""
    years: dict[int, YearParity] = {}
    for result in results:
        add_return(years.setdefault(result.year, YearParity(result.year)), result)
    return dict(sorted(years.items()))


def to_dict(years: Mapping[int, YearParity]) -> dict[str, Any]:
    """A JSON-ready summary of every year."""
    out: dict[str, Any] = {}
    for year, parity in years.items():
        agreement = parity.agreement()
        out[str(year)] = {
            "returns": parity.returns,
            "share_implemented": agreement.share,
            "share_all_rules": parity.share_all(),
            "rules_compared": len(parity.compared_rules),
            "rules": agreement.to_dict()["rules"],
            "not_implemented": dict(sorted(parity.not_implemented.items())),
            "excluded": dict(sorted(parity.excluded.items())),
            "refused": parity.refused,
            "only_carestat": [list(t) for t in agreement.only_carestat[:200]],
            "only_reference": [list(t) for t in agreement.only_reference[:200]],
        }
    return out


def markdown(years: Mapping[int, YearParity]) -> str:
    """The summary as a markdown report: one line per year, then the disagreeing rules."""
    lines = ["# Parity with the reference validator", "",
             "| year | returns | rules compared | agreement (implemented) | agreement (all rules) "
             "| flags of not-implemented rules | refused |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for year, p in years.items():
        lines.append(
            f"| {year} | {p.returns} | {len(p.compared_rules)} | {p.agreement().share:.2%} "
            f"| {p.share_all():.2%} | {sum(p.not_implemented.values())} | {len(p.refused)} |"
        )
    for year, p in years.items():
        lines += ["", f"## {year}", "", "| rule | both | only carestat | only reference |",
                  "|---|---|---|---|"]  # fmt: skip
        for r in p.agreement().disagreeing():
            lines.append(f"| {r.rule} | {r.both} | {r.only_carestat} | {r.only_reference} |")
        examples = defaultdict(list)
        for side, triples in (("carestat", p.agreement().only_carestat),
                              ("reference", p.agreement().only_reference)):  # fmt: skip
            for t in triples:
                examples[(t[0], side)].append(f"{t[1]} row {t[2]}")
        for (rule, side), where in sorted(examples.items())[:60]:
            lines.append(f"- {rule} only {side}: {', '.join(where[:3])}")
        if p.refused:
            lines += ["", "Refused: " + "; ".join(p.refused)]
    return "\n".join(lines) + "\n"
