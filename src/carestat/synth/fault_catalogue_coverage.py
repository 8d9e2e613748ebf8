"""Which rules in force the fault catalogue covers, year by year, and why the others are not.

`coverage_markdown()` renders the table and the uncovered rules by reason that
docs/explanation/fault-catalogue.md holds between its coverage markers; a test checks the page
is current and `python -m carestat.synth.fault_catalogue_coverage` rewrites it.
"""

from __future__ import annotations

from pathlib import Path

from carestat.rules.model import FIRST_YEAR, LAST_YEAR
from carestat.rules.registry import rules_for
from carestat.synth.faults import kinds_for_year

YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"
OTHER = (
    "not yet given a kind (the edit fires other rules too, or synthetic returns lack the records)"
)

# Why a rule in force has no kind. Each rule is listed once, under its first reason that holds.
REASONS: dict[str, tuple[str, ...]] = {
    "needs the previous year's return (kinds planned; `expected_with_previous` covers some)": (
        "199", "202", "203", "204", "205A", "205B", "205C", "205D", "207", "208", "348", "452",
        "453", "502", "503A", "503B", "503C", "503D", "503E", "503F", "503G", "503H", "503J",
        "559", "560", "561", "562", "576", "584", "624", "626", "1000", "1001", "1002", "1010",
        "NoE"),
    "needs the Ofsted provider lists": ("219", "221", "224", "227", "228", "229", "1008"),
    "checks the UASC flag of an XML return, no table cell: planted in XML returns only, by "
    "`synth.xml_flag_faults`": ("105", "303"),
    "raises in the reference on any data, so its faults cannot be checked there": (
        "231", "233", "706", "709", "710"),
    "fires on an absent record (a record or a whole child removed, not an edit)": (
        "553", "555", "602", "SW01STG1", "SW01aSTG1", "SW01bSTG1",
        "SW11bSTG2", "SW12STG2", "SW17STG2", "SW03STG1"),
    "needs an edit computed from another record (overlaps, gaps, repeats between records)": (
        "365", "366", "367", "377", "426", "434", "435", "436", "501", "504", "574", "579",
        "583", "705", "SW10bSTG2", "SW19STG2"),
    "placement facts derived from postcodes (LA, location, distance) or URNs": (
        "169", "179", "213", "222", "226", "230", "241", "242", "243", "406",
        "454", "1015"),
    "care leavers and the OC2/OC3 cohorts (an edit moves a child between cohorts)": (
        "134", "157", "185", "186", "187", "190", "197B", "198", "215", "391", "628", "1007",
        "1011", "1014", "1016", "3001"),
}  # fmt: skip


def in_force(year: int) -> set[str]:
    """Codes of the rules carestat declares in force in collection `year`."""
    return {rule.code for rule in rules_for(year)}


def covered(year: int) -> set[str]:
    """Codes in force that at least one kind of the year is expected to fire."""
    return {code for kind in kinds_for_year(year) for code in kind.expected(year)} & in_force(year)


def uncovered(year: int) -> dict[str, list[str]]:
    """Rules in force with no kind, by reason (rules without a listed reason under OTHER)."""
    left = in_force(year) - covered(year)
    out: dict[str, list[str]] = {}
    for reason, codes in [*REASONS.items(), (OTHER, tuple(left))]:
        found = sorted(left & set(codes), key=_order)
        left -= set(found)
        if found:
            out[reason] = found
    return out


def _order(code: str) -> tuple[int, str]:
    digits = "".join(c for c in code if c.isdigit())
    return (int(digits) if digits else 0, code)


def coverage_markdown() -> str:
    """The coverage table and the uncovered rules by reason, as Markdown."""
    lines = ["| year | kinds | rules covered | rules in force |", "|---|---|---|---|"]
    for year in YEARS:
        lines.append(f"| {year} ({year - 1}-{str(year)[2:]}) | {len(kinds_for_year(year))} | "
                     f"{len(covered(year))} | {len(in_force(year))} |")  # fmt: skip
    lines += [
        "",
        "Rules in force that no kind fires, by reason (years in brackets when not all):",
        "",
    ]
    reasons: dict[str, dict[str, list[int]]] = {reason: {} for reason in [*REASONS, OTHER]}
    for year in YEARS:
        for reason, found in uncovered(year).items():
            for code in found:
                reasons[reason].setdefault(code, []).append(year)
    for reason, years in reasons.items():
        listed = [c if len(y) == len(YEARS) else f"{c} ({_span(y)})" for c, y in years.items()]
        if listed:
            lines.append(f"- **{reason}**: {', '.join(sorted(listed, key=_order))}.")
    return "\n".join(lines)


def _span(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def rewrite(page: Path) -> None:
    """Replace the generated block of `page` (between the coverage markers)."""
    text = page.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    page.write_text(f"{head}{START}\n{coverage_markdown()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    rewrite(Path(__file__).resolve().parents[3] / "docs" / "explanation" / "fault-catalogue.md")
