"""Missing episodes, care leavers (OC3) and health outcomes (OC2).

Source: DfE "Children looked after in England including adoptions" (missing: table G; care
leavers: tables F1-F2) and "Outcomes for children in need, including children looked after" (OC2).
"""

from __future__ import annotations

import ibis.expr.types as ir

from carestat.stats.context import Context, derived_or
from carestat.stats.measures.common import KEYS, mean_of, share_of, tally
from carestat.stats.periods import age_years, year_end

MISSING_TYPES = {
    "M": "missing",
    "A": "away",
}  # MISSING: missing / away from placement without permission
OC2_FLAGS = ("HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
             "SUBSTANCE_MISUSE", "CONVICTED", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")  # fmt: skip


def missing_measures(ctx: Context) -> list[ir.Table]:
    """Children who went missing (or were away) in the year and the number of incidents.

    `children_missing`/`children_away`: distinct children with at least one MISSING = M/A record in
    the year's return. `missing_incidents`/`away_incidents`: records. Source: DfE table G.
    """
    t = ctx.tables["Missing"]
    out = []
    for code, word in MISSING_TYPES.items():
        rows = t.filter(code == t.MISSING)
        out.append(tally(rows, f"{word}_incidents"))
        out.append(tally(rows.select(*KEYS, "CHILD").distinct(), f"children_{word}"))
    return out


def care_leavers(ctx: Context) -> ir.Table:
    """Care leavers (OC3): counts by age, in touch, activity and accommodation.

    Numerator: OC3 records of the year's return (care leavers aged 17 to 21 around their
    birthday). Breakdowns each sum to the total. Source: DfE tables F1-F2.
    """
    t = ctx.tables["OC3"]
    age = age_years(t.DOB, year_end(t.year))  # pooled stores: derived on load, DOB coarsened
    t = t.mutate(age=derived_or(t, "age_years_31_march", age))
    breakdowns = {
        "age": "age",
        "in_touch": "IN_TOUCH",
        "activity": "ACTIV",
        "accommodation": "ACCOM",
    }
    return tally(t, "care_leavers", breakdowns)


def health_outcomes(ctx: Context) -> list[ir.Table]:
    """OC2 outcomes: percentage with each flag = 1, and the mean SDQ score.

    Denominator: OC2 records (children looked after continuously for 12 months at 31 March); for
    SDQ, those with a score. Source: DfE "Outcomes for children in need, including children looked
    after" (health and wellbeing tables).
    """
    t = ctx.tables["OC2"]
    flags = {f"flag_{c.lower()}": t[c] == "1" for c in OC2_FLAGS}
    t = t.mutate(sdq=t.SDQ_SCORE.try_cast("float64"), **flags)
    out = [share_of(t, f"oc2_{c.lower()}", f"flag_{c.lower()}") for c in OC2_FLAGS]
    out.append(mean_of(t, "oc2_sdq_score", "sdq"))
    return out
