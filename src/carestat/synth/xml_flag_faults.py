"""Plant faults in the UASC flag that a return written as DfE XML gives each child.

The flag is not a column of any table (a CSV return has none), so these faults are not kinds of
the catalogue, which edits table cells: they are planted only in returns written as XML, after
the catalogue's own, on children without another fault. Each leaves the tables as the XML reader
will read them back (the same UASC records), so it fires only the rules that check the flag.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carestat.model import Return
from carestat.readers.xml_layout import UASC_YES
from carestat.synth.faults import Fault


@dataclass(frozen=True)
class FlagKind:
    """A wrong flag for children of one sort: with no UASC record, with one and no DUC, or with
    one holding a DUC."""

    name: str
    child: str  # "not UASC", "UASC without DUC" or "UASC with DUC"
    flag: str | None
    rules: tuple[str, ...]


FLAG_KINDS = (
    FlagKind("uasc_flag_blank", "not UASC", None, ("105",)),
    FlagKind("uasc_flag_invalid", "UASC without DUC", "2", ("105",)),
    FlagKind("uasc_flag_zero_with_duc", "UASC with DUC", "0", ("303",)),
)


def plant_flag_faults(
    ret: Return, faults: list[Fault], rate: float, rng: np.random.Generator
) -> tuple[Return, list[Fault]]:
    """`ret` with a share `rate` of its children given a wrong flag (none already faulted)."""
    if rate <= 0:
        return ret, []
    header = ret.tables["Header"]
    children = header["CHILD"].to_pylist()
    sorts = _sorts(ret, children)
    taken = {f.child for f in faults}
    flags: list[str | None] = [UASC_YES if sort != "not UASC" else "0" for sort in sorts]
    rows = np.sort(rng.choice(len(children), rng.binomial(len(children), rate), replace=False))
    planted = []
    for row in rows.tolist():
        kinds = [k for k in FLAG_KINDS if k.child == sorts[row]]
        if not kinds or children[row] in taken or children[row] is None:
            continue
        kind = kinds[rng.integers(len(kinds))]
        planted.append(Fault(ret.la, ret.year, "Header", row, children[row], "UASC", kind.name,
                             flags[row], kind.flag, kind.rules))  # fmt: skip
        flags[row] = kind.flag
        taken.add(children[row])
    return replace(ret, uasc_flags=pa.array(flags, pa.string())), planted


def _sorts(ret: Return, children: list[str | None]) -> list[str]:
    """Each Header record's child: not UASC, UASC without a DUC, or UASC with one."""
    uasc = ret.tables["UASC"]
    with_duc = pc.is_valid(uasc["DUC"])
    if "DUC__raw" in uasc.column_names:
        with_duc = pc.or_(with_duc, pc.is_valid(uasc["DUC__raw"]))
    records = set(uasc["CHILD"].to_pylist())
    dated = set(uasc.filter(with_duc)["CHILD"].to_pylist())
    return [
        "not UASC" if c not in records else "UASC with DUC" if c in dated else "UASC without DUC"
        for c in children
    ]
