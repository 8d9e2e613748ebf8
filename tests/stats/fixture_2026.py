"""A hand-built 2026 data set for two Yorkshire councils; the answers in the tests were worked by hand.

Window: 1 April 2025 - 31 March 2026. Leeds (E08000035) children:
K1 newborn, started 2 days old; K2 three placements in the year; K3 a V3 short break (excluded);
K4 ceased aged 17; K5 adopted (A1 580, A2 335, A10 184 days; 867 days in care); K6 two periods
(started, ceased, started again); K7 UASC aged 16; K8 aged 11, same placement since 2022.
Bradford (E08000032): J1 started in the year, aged 15.
"""

from __future__ import annotations

LEEDS, BRADFORD = "E08000035", "E08000032"
Y = 2026


def h(child, dob, sex, ethnic, la=LEEDS):
    """A header record."""
    return dict(la=la, year=Y, CHILD=child, DOB=dob, SEX=sex, ETHNIC=ethnic)


def e(child, decom, rne, ls, cin, place, dec=None, rec=None, la=LEEDS):
    """An episode record."""
    return dict(la=la, year=Y, CHILD=child, DECOM=decom, RNE=rne, LS=ls, CIN=cin, PLACE=place,
                PLACE_PROVIDER="PR1", DEC=dec, REC=rec)  # fmt: skip


HEADER = [
    h("K1", "2025-12-01", "M", "WBRI"), h("K2", "2020-06-15", "F", "BAFR"),
    h("K3", "2009-02-01", "M", "WBRI"), h("K4", "2008-03-31", "M", "WBRI"),
    h("K5", "2022-01-10", "F", "WBRI"), h("K6", "2012-05-05", "F", "MWBA"),
    h("K7", "2009-09-09", "M", "AOTH"), h("K8", "2015-01-01", "M", "WBRI"),
    h("J1", "2010-01-01", "F", "WBRI", la=BRADFORD),
]  # fmt: skip
EPISODES = [
    e("K1", "2025-12-03", "S", "C1", "N1", "U1"),
    e("K2", "2023-06-01", "S", "C2", "N1", "U1", "2025-05-01", "X1"),
    e("K2", "2025-05-01", "P", "C2", "N1", "U3", "2025-09-01", "X1"),
    e("K2", "2025-09-01", "P", "C2", "N1", "K2"),
    e("K3", "2025-06-01", "S", "V3", "N2", "U1"),
    e("K4", "2023-01-01", "S", "V2", "N4", "U1", "2025-08-01", "E13"),
    e("K5", "2023-03-01", "S", "C1", "N1", "U1", "2023-09-01", "X1"),
    e("K5", "2023-09-01", "L", "E1", "N1", "U1", "2024-10-01", "X1"),
    e("K5", "2024-10-01", "P", "E1", "N1", "A5", "2025-07-15", "E11"),
    e("K6", "2025-04-20", "S", "V2", "N5", "U4", "2025-06-01", "E8"),
    e("K6", "2025-10-01", "S", "C1", "N4", "U4"),
    e("K7", "2025-11-11", "S", "V2", "N8", "K2"),
    e("K8", "2022-01-01", "S", "C1", "N1", "U1", "2023-01-01", "X1"),
    e("K8", "2023-01-01", "L", "C2", "N1", "U1"),
    e("J1", "2025-05-05", "S", "C1", "N1", "U1", la=BRADFORD),
]
UASC = [dict(la=LEEDS, year=Y, CHILD="K7", SEX="M", DOB="2009-09-09", DUC="2027-09-09")]
AD1 = [dict(la=LEEDS, year=Y, CHILD="K5", DOB="2022-01-10", DATE_MATCH="2024-08-01")]
MISSING = [
    dict(la=LEEDS, year=Y, CHILD="K2", MISSING="M", MIS_START="2025-06-01"),
    dict(la=LEEDS, year=Y, CHILD="K2", MISSING="M", MIS_START="2025-07-01"),
    dict(la=LEEDS, year=Y, CHILD="K6", MISSING="A", MIS_START="2025-05-01"),
]
OC3 = [
    dict(la=LEEDS, year=Y, CHILD="L1", DOB="2007-05-01", IN_TOUCH="YES", ACTIV="F2", ACCOM="S"),
    dict(la=LEEDS, year=Y, CHILD="L2", DOB="2005-01-01", IN_TOUCH="NO", ACTIV="G6", ACCOM="Z"),
]
OC2 = [
    dict(la=LEEDS, year=Y, CHILD="K2", HEALTH_CHECK="1", IMMUNISATIONS="1", SDQ_SCORE="10"),
    dict(la=LEEDS, year=Y, CHILD="K8", HEALTH_CHECK="0", IMMUNISATIONS="1", SDQ_SCORE="20"),
]
POPULATION = [
    dict(la=LEEDS, year=Y, age=0, sex="M", ethnic="WBRI", population=4000),
    dict(la=LEEDS, year=Y, age=17, sex="F", ethnic="WBRI", population=6000),
    dict(la=LEEDS, year=Y, age=18, sex="F", ethnic="WBRI", population=1000),  # not under 18
    dict(la=BRADFORD, year=Y, age=5, sex="F", ethnic="WBRI", population=5000),
]


def records() -> dict:
    """All records, keyed as `make_tables` takes them."""
    return dict(Header=HEADER, Episodes=EPISODES, UASC=UASC, AD1=AD1, Missing=MISSING, OC3=OC3,
                OC2=OC2, population=POPULATION)  # fmt: skip
