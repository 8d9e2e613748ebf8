"""What a rule declares: its code, tables, fields, years in force, needs, message and examples."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from carestat.rules.expr import Env

Need = Literal["previous", "providers"]
Rows = Sequence[Mapping[str, Any]]
# A check receives the unbound tables and returns, per flagged table, an Ibis table expression
# with the columns `_row` and `message` (see `carestat.rules.expr.flag`).
Check = Callable[["Env"], Mapping[str, Any]]

FIRST_YEAR = 2023
LAST_YEAR = 2027


@dataclass(frozen=True)
class Example:
    """A tiny return at a rule's boundary: tables as lists of records (unnamed columns blank)."""

    tables: Mapping[str, Rows]
    previous: Mapping[str, Rows] | None = None
    note: str = ""


@dataclass(frozen=True)
class Rule:
    """One DfE 903 validation rule as it stands in a range of collection years."""

    code: str
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    message: str
    check: Check = field(repr=False, compare=False)
    years: tuple[int, int | None] = (FIRST_YEAR, None)
    needs: tuple[Need, ...] = ()
    passes: tuple[Example, ...] = ()
    fails: tuple[Example, ...] = ()

    def in_force(self, year: int) -> bool:
        """Whether this declaration applies to collection `year` (earlier years use 2023's)."""
        first, last = self.years
        year = max(year, FIRST_YEAR)
        return first <= year and (last is None or year <= last)

    @property
    def key(self) -> str:
        """A name unique in the registry: the code plus the first year of this version."""
        return f"{self.code}@{self.years[0]}"

    @property
    def year_range(self) -> str:
        """Years in force as text, e.g. "2023-" or "2023-2024"."""
        first, last = self.years
        return f"{first}-{last or ''}"


def only_codes(rules: list[Rule], codes: Iterable[str] | None) -> list[Rule]:
    """The rules whose codes are among `codes` (any case, spaces ignored); all when None."""
    if codes is None:
        return rules
    wanted = {c.strip().upper() for c in codes}
    return [r for r in rules if r.code.upper() in wanted]
