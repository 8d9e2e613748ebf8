"""Disagreements with the reference that `docs/explanation/reference-differences.md` explains.

Each documented difference has a recogniser here: given the return (as carestat read it, and its
raw CSV text) and one disagreeing (rule, table, row) triple, it says whether that triple is an
instance of the documented difference. The parity summary counts recognised triples apart, so a
disagreement is either explained by a named section of the document or left for someone to fix.
Recognisers look at the flagged record (or its child), never at the rule's outcome, so a carestat
bug on a record the difference does not touch stays unexplained.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from carestat.parity.compare import Triple

# The one date form the reference reads (pandas `format="%d/%m/%Y"`, which allows 1-digit parts).
DFE_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
SEX_MEANING = {"1": "M", "2": "F", "M": "M", "F": "F"}
# LA_PERM codes the two sides read differently (633).
COUNCILS_SINCE_2019 = {"838", "839", "940", "941", "942", "943"}


@dataclass
class ReturnFacts:
    """What the recognisers need to know about one corpus return."""

    year: int
    part: str
    la: str | None = None
    records: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)  # table → rows
    last_records: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    odd_dates: frozenset[tuple[str, str]] = frozenset()  # (table, child): a date the reference
    padded: frozenset[tuple[str, str]] = frozenset()  # cannot read; a value padded with spaces

    def record(self, table: str, row: int) -> dict[str, Any]:
        """The record at `row` of `table` (empty when out of range)."""
        rows = self.records.get(table, [])
        if 0 <= row < len(rows) and rows[row].get("_row", row) == row:
            return rows[row]
        return next((r for r in rows if r.get("_row") == row), {})  # rows after a blank one

    def child(self, table: str, row: int) -> str | None:
        """The CHILD of a record."""
        value = self.record(table, row).get("CHILD")
        return None if value is None else str(value)


Recogniser = Callable[[ReturnFacts, str, Triple], bool]


@dataclass(frozen=True)
class Known:
    """One documented difference: its section in reference-differences.md and its recogniser."""

    section: str
    rules: frozenset[str] | None  # None: any rule (differences in reading, not in a rule)
    side: str  # "carestat", "reference" or "either": who flags the record
    years: range
    applies: Recogniser

    def explains(self, facts: ReturnFacts, side: str, triple: Triple) -> bool:
        """Whether this difference explains `side` alone flagging `triple` in `facts`' return."""
        return (
            (self.rules is None or triple[0] in self.rules)
            and self.side in (side, "either")
            and facts.year in self.years
            and self.applies(facts, side, triple)
        )


def _field_is(table: str, column: str, values: set[str]) -> Recogniser:
    """The flagged record is in `table` and its `column` is one of `values`."""
    return lambda f, _s, t: t[1] == table and f.record(table, t[2]).get(column) in values


def _child_in(attribute: str) -> Recogniser:
    """The flagged child has an oddity (`attribute`) in a table the rule reads, or in Header."""

    def applies(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
        child = facts.child(triple[1], triple[2])
        tables = {*_rule_tables(triple[0]), triple[1], "Header"}
        found = getattr(facts, attribute)
        # A padded CHILD breaks the reference's joins between tables, whichever the rule names.
        return any((table, child) in found for table in tables) or ("CHILD", child) in found

    return applies


@cache
def _rule_tables(code: str) -> frozenset[str]:
    """Every table any version of rule `code` declares or its compiled SQL reads (545 declares
    OC2 and reads Episodes to find the children looked after all year)."""
    from carestat.rules.registry import all_rules

    declared = {t for r in all_rules() if r.code == code for t in r.tables}
    return frozenset(declared | _tables_read().get(code, set()))


@cache
def _tables_read() -> dict[str, set[str]]:
    """Each rule code's tables, as its compiled SQL for any year reads them."""
    from carestat.rules.compile import SHARED, compiled_rules
    from carestat.rules.derive import DERIVED
    from carestat.rules.engine import TABLE_REF

    read: dict[str, set[str]] = {}
    for year in range(2023, 2028):
        for key, parts in compiled_rules(year).items():
            found = {n for part in parts for n in TABLE_REF.findall(part["sql"])}
            tables = read.setdefault(key.split("@")[0], set())
            tables |= {n.removesuffix(SHARED).removesuffix(DERIVED) for n in found}
    return read


def _sex_unchanged(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The child's sex means the same this year and last, in different code lists."""
    record = facts.record(triple[1], triple[2])
    child, sex = record.get("CHILD"), SEX_MEANING.get(str(record.get("SEX")))
    last = [SEX_MEANING.get(str(r.get("SEX"))) for r in facts.last_records.get("Header", [])
            if r.get("CHILD") == child]  # fmt: skip
    return sex is not None and sex in last


def _new_district(facts: ReturnFacts, _side: str, triple: Triple, column: str = "PL_POST") -> bool:
    """The placement (or `column`) postcode lies in a district created since 2021."""
    from carestat.districts import SUCCESSOR_TO_2021

    postcode = facts.record(triple[1], triple[2]).get(column)
    return bool(postcode) and _district(str(postcode)) in SUCCESSOR_TO_2021


@cache
def _district(postcode: str) -> str | None:
    """The district a postcode lies in (looked up once per postcode across the corpus)."""
    import pyarrow as pa

    from carestat.rules.postcodes import postcode_facts

    return postcode_facts(pa.array([postcode], pa.string()))["laua"][0].as_py()


def _not_a_record(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """carestat read no record at that row: the row's cells are all empty (`,,,`)."""
    return bool(facts.records) and triple[1] in facts.records and not facts.record(*triple[1:])


def _open_episode(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged episode is still open (blank DEC)."""
    record = facts.record(triple[1], triple[2])
    return triple[1] == "Episodes" and bool(record) and record.get("DEC") is None


def _several_open_last_year(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """Last year's return left more than one episode of the child open."""
    child = facts.child(triple[1], triple[2])
    last = facts.last_records.get("Episodes", [])
    return sum(1 for e in last if e.get("CHILD") == child and e.get("DEC") is None) > 1


def _twin(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged record has an identical copy straight before or after it."""
    record = facts.record(triple[1], triple[2])
    if not record:
        return False
    same = lambda r: {k: v for k, v in r.items() if k != "_row"}  # noqa: E731
    return any(
        (other := facts.record(triple[1], triple[2] + step)) and same(other) == same(record)
        for step in (-1, 1)
    )


def _placement_in_new_district(facts: ReturnFacts, side: str, triple: Triple) -> bool:
    """The home or placement postcode lies in a district created since 2021."""
    return _new_district(facts, side, triple) or _new_district(facts, side, triple, "HOME_POST")


def _predecessor_council(facts: ReturnFacts, side: str, triple: Triple) -> bool:
    """The placement, or the returning council's own area, is in a district created since 2021;
    for the rules comparing with last year's open episode, that episode's placement may be."""
    from carestat.districts import SUCCESSOR_TO_2021

    own_area_new = facts.la in set(SUCCESSOR_TO_2021.values())
    if triple[0] in DISTANCE_RULES:
        return _placement_in_new_district(facts, side, triple)
    if triple[0] in LAST_YEAR_PLACE_RULES:
        last = _latest_last_year(facts, facts.child(triple[1], triple[2]))
        postcode = last.get("PL_POST")
        return _new_district(facts, side, triple) or (
            bool(postcode) and _district(str(postcode)) in SUCCESSOR_TO_2021
        )
    return _new_district(facts, side, triple) or (own_area_new and triple[0] in OWN_AREA_RULES)


def _latest_last_year(facts: ReturnFacts, child: str | None) -> dict[str, Any]:
    """The child's latest episode in last year's return (by start, then position), if any."""
    episodes = [e for e in facts.last_records.get("Episodes", []) if e.get("CHILD") == child]
    dated = [e for e in episodes if e.get("DECOM") is not None]
    return max(dated, key=lambda e: (e["DECOM"], e.get("_row", 0)), default={})


@cache
def _grid(postcode: str) -> bool:
    """Whether a postcode has a grid position (a distance can be measured from it)."""
    import pyarrow as pa

    from carestat.rules.postcodes import postcode_facts

    return postcode_facts(pa.array([postcode], pa.string()))["east"][0].as_py() is not None


def _has_distance(record: Mapping[str, Any]) -> bool:
    """Both postcodes of an episode are known, so its placement distance can be derived."""
    posts = [record.get("HOME_POST"), record.get("PL_POST")]
    return all(posts) and all(_grid(str(p)) for p in posts)


def _distance_on_one_side(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """Of the flagged first episode and the child's latest episode last year, only one has a
    placement distance (both postcodes known)."""
    record = facts.record(triple[1], triple[2])
    last = _latest_last_year(facts, facts.child(triple[1], triple[2]))
    return (
        triple[1] == "Episodes"
        and bool(record)
        and bool(last)
        and (_has_distance(record) != _has_distance(last))
    )


OWN_AREA_RULES = frozenset({"229", "1015", "241"})  # compare a provider's council with the return's
DISTANCE_RULES = frozenset({"392a", "392b", "406"})  # need the distance from home to placement
LAST_YEAR_PLACE_RULES = frozenset({"452", "503H", "503J"})  # placing council/location vs last year
ANY_YEAR = range(2000, 2100)


def _missing_after_year_while_in_care(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """A missing period starting after 31 March within an open episode of its child: the episode
    the reference's rule 365 has ended on 31 March by the time its 581 reads it."""
    record = facts.record(triple[1], triple[2])
    start = record.get("MIS_START")
    if triple[1] != "Missing" or not isinstance(start, dt.date) or start <= _year_end(facts):
        return False
    return any(e.get("CHILD") == record.get("CHILD") and e.get("DEC") is None
               and isinstance(e.get("DECOM"), dt.date) and e["DECOM"] <= start
               for e in facts.records.get("Episodes", []))  # fmt: skip


def _over_20(facts: ReturnFacts, _side: str, triple: Triple) -> bool:
    """The flagged care leaver (OC3) is 20 or over on 31 March, by the Header's date of birth."""
    child = facts.child(triple[1], triple[2])
    dobs = [h.get("DOB") for h in facts.records.get("Header", []) if str(h.get("CHILD")) == child]
    limit = _year_end(facts)
    return triple[1] == "OC3" and any(isinstance(d, dt.date) and _plus_20(d) <= limit for d in dobs)


def _plus_20(day: dt.date) -> dt.date:
    """The 20th birthday (28 February for one born on 29 February)."""
    leap_day = (day.month, day.day) == (2, 29)
    return day.replace(year=day.year + 20, day=28 if leap_day else day.day)


def _year_end(facts: ReturnFacts) -> dt.date:
    """31 March, the collection year's end."""
    return dt.date(facts.year, 3, 31)


def year_start(facts: ReturnFacts) -> dt.date:
    """1 April, the collection year's first day."""
    return dt.date(facts.year - 1, 4, 1)


def calendar_age(born: dt.date, on: dt.date) -> int:
    """Whole years from `born` to `on`, counted by birthdays."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


KNOWN: tuple[Known, ...] = (
    Known("146 in 2024-25: placement K3 flagged as invalid", frozenset({"146"}), "reference",
          range(2025, 2026), _field_is("Episodes", "PLACE", {"K3"})),
    Known("202 across the 2024-25 sex codes", frozenset({"202"}), "reference", range(2025, 2026),
          _sex_unchanged),
    Known("169, 229, 1015, 241: districts created since 2021",
          frozenset({"169", *OWN_AREA_RULES, *DISTANCE_RULES}), "reference", ANY_YEAR,
          _predecessor_council),
    Known("169, 229, 1015, 241: districts created since 2021", LAST_YEAR_PLACE_RULES, "either",
          ANY_YEAR, _predecessor_council),
    Known("169, 229, 1015, 241: districts created since 2021", frozenset({"420"}), "carestat",
          ANY_YEAR, _new_district),
    Known("453, 503G: a distance on one side only", frozenset({"453", "503G"}), "carestat",
          ANY_YEAR, _distance_on_one_side),
    Known("388 (and later Episodes rules): open episodes given a DEC by rule 365",
          frozenset({"388"}), "reference", ANY_YEAR, _open_episode),
    Known("388 (and later Episodes rules): open episodes given a DEC by rule 365",
          frozenset({"581"}), "reference", ANY_YEAR, _missing_after_year_while_in_care),
    Known("633: councils created since 2019 are valid LA_PERM codes", frozenset({"633"}),
          "carestat", ANY_YEAR, _field_is("PrevPerm", "LA_PERM", {"999"})),
    Known("633: councils created since 2019 are valid LA_PERM codes", frozenset({"633"}),
          "reference", ANY_YEAR, _field_is("PrevPerm", "LA_PERM", COUNCILS_SINCE_2019)),
    Known("1001: care leavers over 20", frozenset({"1001"}), "reference", ANY_YEAR, _over_20),
    Known("347: foyers are ACCOM T1 and T2", frozenset({"347"}), "carestat", ANY_YEAR,
          _field_is("OC3", "ACCOM", {"T1", "T2"})),
    Known("3001: former foster carers are ACCOM R1 and R2", frozenset({"3001"}), "carestat",
          ANY_YEAR, _field_is("OC3", "ACCOM", {"R1", "R2"})),
    Known("502: compared with every open episode of last year, not only the last one",
          frozenset({"502"}), "reference", ANY_YEAR, _several_open_last_year),
    Known("Identical records: which copy is flagged", None, "either", ANY_YEAR, _twin),
    Known("Rows with every cell empty", None, "reference", ANY_YEAR, _not_a_record),
    Known("Dates in another form (ISO `2025-03-01`, spreadsheet serials)", None, "either",
          ANY_YEAR, _child_in("odd_dates")),
    Known("Values padded with spaces", None, "either", ANY_YEAR, _child_in("padded")),
)  # fmt: skip


@cache
def every_known() -> tuple[Known, ...]:
    """The recognisers here and in the themed modules beside this one."""
    from carestat.parity.known_a import KNOWN_A
    from carestat.parity.known_b import KNOWN_B

    return KNOWN + KNOWN_A + KNOWN_B


def explain(facts: ReturnFacts, side: str, triple: Triple) -> str | None:
    """The section of reference-differences.md explaining a one-sided flag, if any."""
    return next((k.section for k in every_known() if k.explains(facts, side, triple)), None)


def _rows_as_dicts(table: Any) -> list[dict[str, Any]]:
    """An Arrow table's rows (spec columns only) in `_row` order."""
    columns = ["_row"] + [c for c in table.column_names if not c.startswith("_")]  # with `__raw`
    return table.sort_by("_row").select(columns).to_pylist()


def _raw_oddities(
    folder: Path, year: int, sources: Mapping[str, str]
) -> tuple[frozenset, frozenset]:
    """(table, child) with a date cell the reference cannot read, and with padded values."""
    from carestat.spec import load_spec

    date_columns = {c.name for t in load_spec(year).tables.values() for c in t.columns
                    if c.type.value == "date"}  # fmt: skip
    odd: set[tuple[str, str]] = set()
    padded: set[tuple[str, str]] = set()
    for table, source in sources.items():
        path = Path(source)
        if path.suffix.lower() != ".csv":
            continue
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        if len(rows) < 2:
            continue
        names = [name.strip().upper() for name in rows[0]]
        if "CHILD" not in names:
            continue
        at = names.index("CHILD")
        dates = [i for i, n in enumerate(names) if n in date_columns]
        for row in rows[1:]:
            child = row[at].strip() if at < len(row) else ""
            if any(v != v.strip() for v in row):
                padded.add((table, child))
            if at < len(row) and row[at] != child:
                padded.add(("CHILD", child))
                padded.add((f"CHILD in {table}", child))
            if any(i < len(row) and row[i] and not DFE_DATE.fullmatch(row[i]) for i in dates):
                odd.add((table, child))
    return frozenset(odd), frozenset(padded)


def return_facts(folder: Path, year: int, la: str, part: str, previous: Path | None) -> ReturnFacts:
    """Read a corpus return (and its previous year) for the recognisers."""
    from carestat.model import InputError
    from carestat.readers import read_return

    def read(path: Path | None, y: int) -> Any:
        if path is None or not path.exists():
            return None
        try:
            return read_return([path], year=y, la=la)
        except (InputError, ValueError):
            return None

    def records(ret: Any) -> dict[str, list[dict[str, Any]]]:
        return {} if ret is None else {n: _rows_as_dicts(t) for n, t in ret.tables.items()}

    current = read(folder, year)
    odd, padded = _raw_oddities(folder, year, current.sources if current else {})
    last = records(read(previous, year - 1))
    return ReturnFacts(year, part, la, records(current), last, odd, padded)
