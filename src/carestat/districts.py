"""Council codes that changed after 2021, mapped to the 2021 codes carestat's council list uses.

The authorities reference package lists upper-tier councils as they were in 2021, while today's
postcode lookups give the districts created since (North Yorkshire, Somerset and the two Cumbrian
unitaries in 2023; Barnsley's and Sheffield's boundary re-codings). Mapping both a placement's
district and the returning council through this table keeps "in the council's own area" true
whichever code a council submits under.
"""

from __future__ import annotations

# Successor code → the 2021 upper-tier code it replaced (Cumbria's two unitaries both → Cumbria).
SUCCESSOR_TO_2021 = {
    "E08000038": "E08000016",  # Barnsley, re-coded
    "E08000039": "E08000019",  # Sheffield, re-coded
    "E06000063": "E10000006",  # Cumberland (was Cumbria)
    "E06000064": "E10000006",  # Westmorland and Furness (was Cumbria)
    "E06000065": "E10000023",  # North Yorkshire unitary
    "E06000066": "E10000027",  # Somerset unitary
}


def as_2021(code: str | None) -> str | None:
    """The 2021 upper-tier code for a council or district code (unchanged when it did not change)."""
    return SUCCESSOR_TO_2021.get(code, code) if code else code
