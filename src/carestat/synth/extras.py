"""The tables derived from journeys: OC2 outcomes, OC3 care leavers, adoption and previous permanence."""

from __future__ import annotations

import zlib
from datetime import date

import numpy as np
import pyarrow as pa

from carestat.synth.history import BLANK, History

OC3_AGES = (17, 18, 19, 20, 21)
IN_TOUCH = ("YES",) * 17 + ("NO", "REFU", "NREQ")
ACTIV = ("F1", "P1", "F2", "F2", "F2", "P2", "F4", "F4", "P4", "F5", "G4", "G5", "G5", "G6")
ACCOM = ("B1", "C1", "D1", "D1", "E1", "K1", "R1", "U1", "U1", "U2", "Y1", "Z1", "Z1", "T1")


def birthdays(dob: np.ndarray, years: int) -> np.ndarray:
    """Ordinals of each `years`-th birthday."""
    out = [date.fromordinal(d).replace(year=date.fromordinal(d).year + years).toordinal()
           for d in dob.tolist()]  # fmt: skip
    return np.array(out, dtype=np.int64)


def _rng(history: History, year: int, table: str) -> np.random.Generator:
    return np.random.default_rng([zlib.crc32(f"{history.la}{table}".encode()), year])


def _table(year: int, name: str, columns: dict[str, np.ndarray]) -> pa.Table:
    from carestat.synth.tables import arrow_table

    return arrow_table(year, name, columns)


def continuously_looked_after(e: dict[str, np.ndarray], start: int, end: int) -> np.ndarray:
    """Children (indices) looked after throughout the year, as the DfE's OC2 rules count it."""
    enters = (e["rne"] == "S") & (e["decom"] > start)
    leaves = (e["rec"] != "X1") & (e["dec"] > 0) & (e["dec"] < end)
    broken = np.unique(e["idx"][enters | leaves])
    return np.setdiff1d(np.unique(e["idx"]), broken)


def oc2_table(year: int, history: History, e: dict[str, np.ndarray]) -> pa.Table:
    """Outcomes for children looked after continuously for 12 months at 31 March."""
    from carestat.synth.tables import year_bounds

    start, end = year_bounds(year)
    people = continuously_looked_after(e, start, end)
    dob = history.children["dob"][people]
    rng, n = _rng(history, year, "OC2"), len(people)
    flag = lambda share: np.where(rng.random(n) < share, "1", "0")  # noqa: E731
    sdq_due = (birthdays(dob, 4) <= end) & (birthdays(dob, 17) >= start)  # rule 197B
    has_score = sdq_due & (rng.random(n) < 0.8)
    reason = np.array(["SDQ2", "SDQ4", "SDQ5"], dtype=object)[rng.integers(0, 3, n)]
    misuse = flag(0.04)
    received = np.where(misuse == "1", flag(0.6), BLANK)
    columns = {
        "CHILD": history.children["child"][people], "DOB": dob,
        "SDQ_SCORE": np.where(has_score, rng.integers(0, 41, n).astype(str), BLANK),
        "SDQ_REASON": np.where(sdq_due & ~has_score, reason, BLANK),
        "CONVICTED": np.where(birthdays(dob, 10) <= end, flag(0.03), BLANK),
        "HEALTH_CHECK": np.where(birthdays(dob, 5) > end, flag(0.9), BLANK),
        "IMMUNISATIONS": flag(0.85), "TEETH_CHECK": flag(0.75), "HEALTH_ASSESSMENT": flag(0.88),
        "SUBSTANCE_MISUSE": misuse, "INTERVENTION_RECEIVED": received,
        "INTERVENTION_OFFERED": np.where(received == "0", flag(0.5), BLANK),
    }  # fmt: skip
    return _table(year, "OC2", columns)


def oc3_children(history: History, year: int, looked_after: np.ndarray) -> np.ndarray:
    """Care leavers with a 17th-21st birthday in the year, not in care then, seen last year or this."""
    from carestat.synth.tables import year_bounds

    start, end = year_bounds(year)
    p = history.periods
    seen_from = year_bounds(year - 1)[0]  # the validators see this year's and last year's episodes
    leaver = (p["leaver"] == 1) & (p["end"] >= seen_from) & (p["end"] <= end)
    idx, left = p["idx"][leaver], p["end"][leaver]
    dob = history.children["dob"][idx]
    # Rule 1001 counts 13 weeks in care since the 14th birthday within the episodes it can see.
    since = np.maximum(np.maximum(p["start"][leaver], birthdays(dob, 14)), seen_from)
    keep = np.zeros(len(idx), dtype=bool)
    for age in OC3_AGES:
        day = birthdays(dob, age)
        keep |= (day >= start) & (day <= end) & (day > left)
    keep &= left - since >= 91
    keep &= left > birthdays(dob, 16)  # a relevant child was in care after turning 16 (1001)
    chosen = np.unique(idx[keep])
    # Rules 612, 624 and 628 cannot all pass for a mother who left care: leave her out of OC3.
    mothers = history.children["mother_dob"][chosen] > 0
    chosen = chosen[~mothers | np.isin(chosen, looked_after)]
    last_end = {int(i): int(d) for i, d in zip(p["idx"].tolist(), p["end"].tolist(), strict=True)}
    return np.array([i for i in chosen if last_end[int(i)] <= end], dtype=np.int64)


def oc3_table(year: int, history: History, leavers: np.ndarray) -> pa.Table:
    """What care leavers are doing around their 17th to 21st birthdays."""
    from carestat.synth.tables import year_bounds

    start, end = year_bounds(year)
    rng, n = _rng(history, year, "OC3"), len(leavers)
    dob = history.children["dob"][leavers]
    touch = np.array(IN_TOUCH, dtype=object)[rng.integers(0, len(IN_TOUCH), n)]
    accom = np.array(ACCOM, dtype=object)[rng.integers(0, len(ACCOM), n)]
    seventeen = (birthdays(dob, 17) >= start) & (birthdays(dob, 17) <= end)
    accom = np.where(seventeen & np.isin(accom, ["Z1", "T1", "R1", "R2"]), "D1", accom)  # 3001
    under_18 = birthdays(dob, 18) > start  # no foyers (T1/T2) for under-18s: rule 347
    accom = np.where(under_18 & np.isin(accom, ["T1", "T2"]), "D1", accom)
    activ = np.array(ACTIV, dtype=object)[rng.integers(0, len(ACTIV), n)]
    known = touch == "YES"
    columns = {"CHILD": history.children["child"][leavers], "DOB": dob, "IN_TOUCH": touch,
               "ACTIV": np.where(known, activ, "0"), "ACCOM": np.where(known, accom, "0")}  # fmt: skip
    return _table(year, "OC3", columns)


def adoption_tables(year: int, history: History, e: dict[str, np.ndarray]) -> dict[str, pa.Table]:
    """AD1 (adopted this year), PlacedAdoption (decision to place made) and PrevPerm (new starts)."""
    from carestat.synth.tables import year_bounds

    start, end = year_bounds(year)
    p, ch = history.periods, history.children
    periods = np.unique(e["period"])
    adopted = periods[np.isin(p["rec"][periods], ["E11", "E12"]) & (p["end"][periods] <= end)]
    idx = p["idx"][adopted]
    parts = np.array([a.split() for a in p["adopters"][adopted].tolist()] or np.empty((0, 3)))
    ad1 = {"CHILD": ch["child"][idx], "DOB": ch["dob"][idx], "DATE_INT": p["decision"][adopted],
           "DATE_MATCH": p["match"][adopted], "FOSTER_CARE": np.full(len(idx), "0", dtype=object),
           "NB_ADOPTR": parts[:, 0], "SEX_ADOPTR": parts[:, 1], "LS_ADOPTR": parts[:, 2]}  # fmt: skip
    decided = periods[(p["decision"][periods] > 0) & (p["decision"][periods] <= end)]
    pidx = p["idx"][decided]
    placed = {"CHILD": ch["child"][pidx], "DOB": ch["dob"][pidx], "DATE_PLACED": p["decision"][decided],
              "DATE_PLACED_CEASED": np.zeros(len(pidx), dtype=np.int64),
              "REASON_PLACED_CEASED": np.full(len(pidx), None, dtype=object)}  # fmt: skip
    prev = _prev_perm(history, year, e, start)
    return {"AD1": _table(year, "AD1", ad1), "PlacedAdoption": _table(year, "PlacedAdoption", placed),
            "PrevPerm": _table(year, "PrevPerm", prev)}  # fmt: skip


# Councils' DfE three-digit codes (a few real ones) and the UK nations, where an order was made.
LA_PERM_CODES = ("800", "202", "330", "341", "350", "380", "926", "936", "919", "873", "WAL", "SCO")
P3_UNTIL = date(2014, 4, 22).toordinal()  # residence orders became child arrangements orders


def _prev_perm(history: History, year: int, e: dict[str, np.ndarray], start: int) -> dict:
    """PrevPerm for children starting care: Z1 for most, an earlier order (P1-P4) for some."""
    starting = (e["rne"] == "S") & (e["decom"] >= start)
    starts = np.unique(e["idx"][starting])
    # Rule 632 compares DATE_PERM with the child's first episode in the return, which may belong
    # to an earlier period of care than the one starting this year.
    order = np.argsort(e["idx"], kind="stable")
    ids, first_pos = np.unique(e["idx"][order], return_index=True)
    first_decom = np.minimum.reduceat(e["decom"][order], first_pos) if len(ids) else ids
    decom = first_decom[np.searchsorted(ids, starts)]
    dob = history.children["dob"][starts]
    rng, n = _rng(history, year, "PrevPerm"), len(starts)
    earlier = (decom - dob > 730) & (rng.random(n) < 0.09)
    # The order was made between the child's first birthday and two months before care began.
    when = dob + 365 + (rng.random(n) * np.maximum(decom - 60 - dob - 365, 0)).astype(np.int64)
    code = np.array(["P1", "P2", "P2", "P4", "P4"], dtype=object)[rng.integers(0, 5, n)]
    code = np.where((code == "P4") & (when < P3_UNTIL), "P3", code)
    la_perm = np.array(LA_PERM_CODES, dtype=object)[rng.integers(0, len(LA_PERM_CODES), n)]
    if _is_date(year, "PrevPerm", "DATE_PERM"):
        perm_date = np.where(earlier, when, 0)
    else:  # the spec holds DATE_PERM as text (it may carry ZZ for unknown parts)
        text = [date.fromordinal(int(d)).strftime("%d/%m/%Y") for d in when.tolist()]
        perm_date = np.where(earlier, np.array(text, dtype=object), BLANK)
    return {"CHILD": history.children["child"][starts], "DOB": dob,
            "PREV_PERM": np.where(earlier, code, "Z1"), "LA_PERM": np.where(earlier, la_perm, BLANK),
            "DATE_PERM": perm_date}  # fmt: skip


def _is_date(year: int, table: str, column: str) -> bool:
    from carestat.model import table_schema
    from carestat.spec import load_spec

    return pa.types.is_date32(table_schema(load_spec(year), table).field(column).type)
