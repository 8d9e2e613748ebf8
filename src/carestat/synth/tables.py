"""Cut a council's simulated history into one collection year's return, table by table."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from carestat.model import LINE, RAW_SUFFIX, ROW, Return, table_schema
from carestat.spec import load_spec
from carestat.synth.extras import adoption_tables, oc2_table, oc3_children, oc3_table
from carestat.synth.history import BLANK, History

EPOCH = date(1970, 1, 1).toordinal()


def year_bounds(year: int) -> tuple[int, int]:
    """Ordinals of 1 April and 31 March bounding collection `year`."""
    return date(year - 1, 4, 1).toordinal(), date(year, 3, 31).toordinal()


def arrow_table(ret_year: int, name: str, columns: dict[str, np.ndarray]) -> pa.Table:
    """A `Return` table from numpy columns (dates as ordinals, 0 or masked = blank)."""
    schema = table_schema(load_spec(ret_year), name)
    rows = len(next(iter(columns.values()))) if columns else 0
    arrays = []
    for f in schema:
        if f.name == ROW:
            arrays.append(pa.array(np.arange(rows, dtype=np.int64)))
        elif f.name == LINE or f.name.endswith(RAW_SUFFIX):
            arrays.append(pa.nulls(rows, f.type))
        elif pa.types.is_date32(f.type):
            values = columns[f.name].astype(np.int64)
            arrays.append(pa.array(values - EPOCH, pa.int32(), mask=values <= 0).cast(pa.date32()))
        else:
            arrays.append(pa.array(columns[f.name], pa.string(), from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def _sex(year: int, sex: np.ndarray) -> np.ndarray:
    return np.where(sex == "M", "1", "2") if load_spec(year).codes("SEX") == {"1", "2"} else sex


def _upn(year: int, dob: np.ndarray, upn: np.ndarray) -> np.ndarray:
    """UN1 before school age (rule 209's 31 August reference date), the real UPN after."""
    from carestat.synth.extras import birthdays

    reference = date(year - 2, 8, 31).toordinal()
    return np.where(birthdays(dob, 4) > reference, "UN1", upn)


def build_return(history: History, year: int) -> Return:
    """The return a council would submit for collection `year`."""
    start, end = year_bounds(year)
    ch, ep = history.children, history.episodes
    in_year = (ep["decom"] <= end) & (ep["dec"] >= start)
    e = {k: v[in_year] for k, v in ep.items()}
    ended = e["dec"] <= end
    e["dec"] = np.where(ended, e["dec"], 0)
    e["rec"] = np.where(ended, e["rec"], BLANK)
    e["rpc"] = np.where(ended, e["rpc"], BLANK)
    looked_after = np.unique(e["idx"])
    leavers = oc3_children(history, year, looked_after)
    people = np.union1d(looked_after, leavers)
    child, dob = ch["child"], ch["dob"]
    spec = load_spec(year)
    tables = {"Episodes": _episodes(year, e, child)}
    tables["Header"] = _header(year, history, people, looked_after)
    tables["UASC"] = _uasc(year, history, people, start)
    tables["Reviews"] = _events(year, history, "review", start, end)
    tables["Missing"] = _events(year, history, "missing", start, end)
    tables["OC2"] = oc2_table(year, history, e)
    tables["OC3"] = oc3_table(year, history, leavers)
    tables.update(adoption_tables(year, history, e))
    if "SocialWorker" in spec.tables:
        tables["SocialWorker"] = _events(year, history, "sw", start, end, looked_after)
    if "DoLo" in spec.tables:
        tables["DoLo"] = _events(year, history, "dolo", start, end)
    del child, dob
    return Return(year=year, la=history.la, tables=tables, sources={"synth": history.la})


def _episodes(year: int, e: dict[str, np.ndarray], child: np.ndarray) -> pa.Table:
    columns = {"CHILD": child[e["idx"]], "DECOM": e["decom"], "RNE": e["rne"], "LS": e["ls"],
               "CIN": e["cin"], "PLACE": e["place"], "PLACE_PROVIDER": e["provider"],
               "DEC": e["dec"], "REC": e["rec"], "REASON_PLACE_CHANGE": e["rpc"],
               "HOME_POST": e["home_post"], "PL_POST": e["pl_post"], "URN": e["urn"]}  # fmt: skip
    return arrow_table(year, "Episodes", columns)


def _header(year: int, h: History, people: np.ndarray, looked_after: np.ndarray) -> pa.Table:
    ch = h.children
    dob, sex = ch["dob"][people], ch["sex"][people]
    in_care = np.isin(people, looked_after)
    mother_dob = ch["mother_dob"][people]
    mother = np.where(sex == "F", np.where(mother_dob > 0, "1", "0"), BLANK)
    mother = np.where(in_care, mother, BLANK)
    columns = {"CHILD": ch["child"][people], "SEX": _sex(year, sex), "DOB": dob,
               "ETHNIC": ch["ethnic"][people], "UPN": _upn(year, dob, ch["upn"][people]),
               "MOTHER": mother, "MC_DOB": np.where(mother == "1", mother_dob, 0)}  # fmt: skip
    return arrow_table(year, "Header", columns)


def _uasc(year: int, h: History, header: np.ndarray, start: int) -> pa.Table:
    """Every UASC child in the Header (care leavers too) not yet 18 on 1 April (rules 104, 205A)."""
    ch = h.children
    people = header[ch["uasc"][header] == 1]
    dob = ch["dob"][people]
    eighteen = np.array([_add_years(d, 18) for d in dob.tolist()], dtype=np.int64)
    keep = eighteen >= start
    people, dob, eighteen = people[keep], dob[keep], eighteen[keep]
    # DUC is the 18th birthday even when still ahead: rule 205B compares it across years.
    columns = {"CHILD": ch["child"][people], "SEX": _sex(year, ch["sex"][people]), "DOB": dob,
               "DUC": eighteen}  # fmt: skip
    return arrow_table(year, "UASC", columns)


def _add_years(ordinal: int, years: int) -> int:
    born = date.fromordinal(ordinal)
    return born.replace(year=born.year + years).toordinal()


def _events(year: int, h: History, kind: str, start: int, end: int,
            among: np.ndarray | None = None) -> pa.Table:  # fmt: skip
    ev, ch = h.events, h.children
    kinds = np.isin(ev["kind"], ["M", "A"]) if kind == "missing" else ev["kind"] == kind
    if among is not None:
        kinds &= np.isin(ev["idx"], among)
    if kind in ("review", "missing"):
        mask = kinds & (ev["start"] >= start) & (ev["start"] <= end)
    else:
        mask = kinds & (ev["start"] <= end) & (ev["end"] >= start)
    idx, first, last, code = ev["idx"][mask], ev["start"][mask], ev["end"][mask], ev["code"][mask]
    child, dob = ch["child"][idx], ch["dob"][idx]
    if kind == "review":
        under4 = first < dob + 4 * 365.25
        codes = np.array(
            ["PN1", "PN1", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"], dtype=object
        )
        pick = codes[(idx * 7 + first) % len(codes)]
        return arrow_table(year, "Reviews", {"CHILD": child, "DOB": dob, "REVIEW": first,
                                             "REVIEW_CODE": np.where(under4, "PN0", pick)})  # fmt: skip
    closed = np.where(last <= end, last, 0)
    if kind == "missing":
        columns = {
            "CHILD": child,
            "DOB": dob,
            "MISSING": code,
            "MIS_START": first,
            "MIS_END": closed,
        }
        return arrow_table(year, "Missing", columns)
    if kind == "dolo":
        return arrow_table(year, "DoLo", {"CHILD": child, "DOB": dob, "DOLO_START": first,
                                          "DOLO_END": closed})  # fmt: skip
    worker = np.array([c.split()[0] for c in code.tolist()], dtype=object)
    reason = np.array([c.split()[1] for c in code.tolist()], dtype=object)
    columns = {"CHILD": child, "DOB": dob, "SW_ID": worker, "SW_DECOM": first, "SW_DEC": closed,
               "SW_REASON": reason}  # fmt: skip
    return arrow_table(year, "SocialWorker", columns)
