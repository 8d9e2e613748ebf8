"""Recognisers for documented reference differences (part A: see carestat.parity.known)."""

from __future__ import annotations

from carestat.parity.known import Known

KNOWN_A: tuple[Known, ...] = ()
