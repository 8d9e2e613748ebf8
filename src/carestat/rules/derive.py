"""Tables derived from a return for the rules that need more than its own columns.

Some DfE rules read values the return does not hold: the placement's distance and local authority
(derived from the postcodes), or the Ofsted provider lists. `extra_tables` builds them as Arrow
tables that the engine registers beside the return's own, under names the compiled SQL reads.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from carestat.model import Return


def extra_tables(
    ret: Return, previous: Return | None, providers: Sequence[object] | None
) -> dict[str, pa.Table]:
    """Derived tables by name, for the engine to register (none yet)."""
    return {}
