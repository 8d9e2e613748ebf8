"""The DfE XML layout of a 903 return, as data shared by the XML reader and writer.

Root `EXPSSDA903`; one `CHILD` per child holding one `HEADER` and zero or more `EPISODE`s.
Element names are the CSV column names except `CHILDID` (CHILD) and `PL` (PLACE).
See docs/reference/xml-layout.md.
"""

from __future__ import annotations

from dataclasses import dataclass

ROOT = "EXPSSDA903"
CHILD = "CHILD"
HEADER = "HEADER"
EPISODE = "EPISODE"

# Element name -> column name, where they differ.
RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}
ELEMENT_FOR = {column: element for element, column in RENAMED.items()}

# Header leaf elements in the order the DfE file writes them.
HEADER_FIELDS = ("CHILDID", "UPN", "SEX", "DOB", "ETHNIC", "UASC")
UASC_FIELDS = ("DUC",)
ADOPTION_FIELDS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")
LEAVER_FIELDS = ("IN_TOUCH", "ACTIV", "ACCOM")
MOTHER_FIELDS = ("MOTHER", "MC_DOB")
EPISODE_FIELDS = (
    "DECOM", "RNE", "LS", "CIN", "PL", "PL_POST", "HOME_POST", "URN",
    "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
)  # fmt: skip

# The UASC flag written for a child in the UASC table; blank or "0" means not UASC.
UASC_YES = "1"
UASC_NO = ("", "0")


@dataclass(frozen=True)
class Block:
    """A repeated (or optional) element inside HEADER that becomes one row of a table."""

    element: str
    table: str
    fields: tuple[str, ...]


# Blocks in the order they are written inside HEADER (MOTHER and MC_DOB fall between).
BLOCKS_BEFORE_MOTHER = (
    Block("AMISSING", "Missing", ("MISSING", "MIS_START", "MIS_END")),
    Block("AREVIEW", "Reviews", ("REVIEW", "REVIEW_CODE")),
)
BLOCKS_AFTER_MOTHER = (
    Block("PERMANENCE", "PrevPerm", ("PREV_PERM", "LA_PERM", "DATE_PERM")),
    Block(
        "OC2",
        "OC2",
        (
            "SDQ_SCORE",
            "SDQ_REASON",
            "CONVICTED",
            "HEALTH_CHECK",
            "IMMUNISATIONS",
            "TEETH_CHECK",
            "HEALTH_ASSESSMENT",
            "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED",
            "INTERVENTION_OFFERED",
        ),
    ),
    Block(
        "AD_PLACED", "PlacedAdoption", ("DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED")
    ),
    # Not in the DfE schema 3.3.0 (2021); carestat's choice, named like the CSV columns.
    Block("SW_EPISODE", "SocialWorker", ("SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON")),
    Block("DOLO", "DoLo", ("DOLO_START", "DOLO_END")),
)
BLOCKS = BLOCKS_BEFORE_MOTHER + BLOCKS_AFTER_MOTHER
BLOCK_BY_ELEMENT = {b.element: b for b in BLOCKS}

# Tables made from header leaf fields: a row exists when any of `fields` has a value.
FLAG_TABLES = {"AD1": ADOPTION_FIELDS, "OC3": LEAVER_FIELDS}
# Columns such tables (and the blocks) take from the child's HEADER rather than their own element.
FROM_HEADER = ("CHILD", "SEX", "DOB")

HEADER_LEAVES = frozenset(
    HEADER_FIELDS + UASC_FIELDS + ADOPTION_FIELDS + LEAVER_FIELDS + MOTHER_FIELDS
)


def column_name(element: str) -> str:
    """The CSV column an element holds."""
    return RENAMED.get(element, element)


def element_name(column: str) -> str:
    """The element holding a CSV column."""
    return ELEMENT_FOR.get(column, column)
