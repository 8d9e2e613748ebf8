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
from carestat.parity.known import ReturnFacts, explain


@dataclass(frozen=True)
class ReturnResult:
    """One corpus return: where it came from and what each side said about it."""

    name: str
    part: str  # synthetic, messy, reference-tests, ...
    year: int
    carestat: Mapping[str, Any] | None  # carestat's JSON report; None when it refused the return
    reference: Mapping[str, Any] | None  # the harness's JSON; "error" when the reference refused
    implemented: frozenset[str]  # rule codes carestat declares for the year
    facts: ReturnFacts | None = None  # the records, to recognise documented differences


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
    explained: dict[str, dict[str, int]] = field(default_factory=dict)  # section -> rule -> flags
    explained_triples: set[Triple] = field(default_factory=set)

    def agreement(self) -> Agreement:
        """Per-rule agreement on the compared rules."""
        return compare_triples(self.ours, self.theirs)

    def share_explained(self) -> float:
        """Agreement counting flags a documented difference explains as agreed."""
        agreement = self.agreement()
        both = sum(r.both for r in agreement.rules)
        total = sum(r.total for r in agreement.rules)
        return (both + len(self.explained_triples)) / total if total else 1.0

    def unexplained(self) -> tuple[list[Triple], list[Triple]]:
        """One-sided flags (carestat only, reference only) no documented difference explains."""
        agreement = self.agreement()
        return ([t for t in agreement.only_carestat if t not in self.explained_triples],
                [t for t in agreement.only_reference if t not in self.explained_triples])  # fmt: skip

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
    mine = [t for t in triples_from_report(ours) if t[0] in compared]
    parity.theirs += _tag([t for t in theirs if t[0] in compared], result.name)
    parity.ours += _tag(mine, result.name)
    if result.facts is not None:
        _explain(parity, result, set(mine), {t for t in theirs if t[0] in compared})
    for rule, table, _ in theirs:
        if rule not in result.implemented and not str(table).endswith("_last"):
            parity.not_implemented[rule] = parity.not_implemented.get(rule, 0) + 1


def _explain(parity: YearParity, result: ReturnResult, ours: set, theirs: set) -> None:
    """Record which one-sided flags of a return a documented difference explains."""
    assert result.facts is not None
    for side, triples in (("carestat", ours - theirs), ("reference", theirs - ours)):
        for triple in triples:
            if triple[2] is None or str(triple[1]).endswith("_last"):
                continue
            triple = (str(triple[0]), str(triple[1]), int(triple[2]))
            section = explain(result.facts, side, triple)
            if section is not None:
                counts = parity.explained.setdefault(section, {})
                counts[triple[0]] = counts.get(triple[0], 0) + 1
                parity.explained_triples.update(_tag([triple], result.name))


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
            "share_with_documented_differences": parity.share_explained(),
            "explained": {k: dict(sorted(v.items())) for k, v in sorted(parity.explained.items())},
            "rules_compared": len(parity.compared_rules),
            "rules": agreement.to_dict()["rules"],
            "not_implemented": dict(sorted(parity.not_implemented.items())),
            "excluded": dict(sorted(parity.excluded.items())),
            "refused": parity.refused,
            "only_carestat": [list(t) for t in agreement.only_carestat[:200]],
            "only_reference": [list(t) for t in agreement.only_reference[:200]],
            "unexplained_only_carestat": [list(t) for t in parity.unexplained()[0][:200]],
            "unexplained_only_reference": [list(t) for t in parity.unexplained()[1][:200]],
        }
    return out


def markdown(years: Mapping[int, YearParity]) -> str:
    """The summary as a markdown report: one line per year, then the disagreeing rules."""
    lines = ["# Parity with the reference validator", "",
             "| year | returns | rules compared | agreement (implemented) | with documented "
             "differences | agreement (all rules) | flags of not-implemented rules | refused |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for year, p in years.items():
        lines.append(
            f"| {year} | {p.returns} | {len(p.compared_rules)} | {p.agreement().share:.2%} "
            f"| {p.share_explained():.2%} | {p.share_all():.2%} "
            f"| {sum(p.not_implemented.values())} | {len(p.refused)} |"
        )
    for year, p in years.items():
        lines += _year_lines(year, p)
    return "\n".join(lines) + "\n"


def _year_lines(year: int, p: YearParity) -> list[str]:
    """One year's disagreeing rules, what explains them, and examples of the rest."""
    only_ours, only_theirs = p.unexplained()
    lines = ["", f"## {year}", "", "| rule | both | only carestat | only reference | explained |",
             "|---|---|---|---|---|"]  # fmt: skip
    explained: dict[str, int] = defaultdict(int)
    for counts in p.explained.values():
        for rule, n in counts.items():
            explained[rule] += n
    for r in p.agreement().disagreeing():
        lines.append(f"| {r.rule} | {r.both} | {r.only_carestat} | {r.only_reference} "
                     f"| {explained.get(r.rule, 0)} |")  # fmt: skip
    if p.explained:
        lines += ["", "Explained by reference-differences.md:"]
        for section, counts in sorted(p.explained.items()):
            rules = ", ".join(f"{rule} ×{n}" for rule, n in sorted(counts.items()))
            lines.append(f"- {section}: {rules}")
    examples = defaultdict(list)
    for side, triples in (("carestat", only_ours), ("reference", only_theirs)):
        for t in triples:
            examples[(t[0], side)].append(f"{t[1]} row {t[2]}")
    if examples:
        lines += ["", "Not explained:"]
    for (rule, side), where in sorted(examples.items())[:80]:
        lines.append(f"- {rule} only {side} ({len(where)}): {', '.join(where[:3])}")
    if p.refused:
        lines += ["", "Refused: " + "; ".join(p.refused)]
    return lines
