"""Recognisers for documented reference differences (part B: see carestat.parity.known)."""

from __future__ import annotations

from carestat.parity.known import Known

KNOWN_B: tuple[Known, ...] = ()
