"""Published figures written as tidy EES CSV, JSON or an accessible Excel workbook."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from carestat.privacy import SYMBOLS, suppression_summary
from carestat.stats.geography import COUNTRY_CODE, COUNTRY_NAME

INDICATORS = {
    "count": "number",
    "percent": "percent",
    "mean": "mean_days",
    "rate": "rate_per_10000",
}
GEOGRAPHY = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
             "region_code", "region_name", "new_la_code", "la_name"]  # fmt: skip
FILTERS = ["measure", "characteristic_type", "characteristic"]


def tidy(published: pd.DataFrame) -> pd.DataFrame:
    """The EES tidy layout: geography columns, filter columns, one column per indicator ('z' if n/a)."""
    df = published
    out = pd.DataFrame({
        "time_period": df["year"].astype(int), "time_identifier": "Reporting year",
        "geographic_level": df["geographic_level"], "country_code": COUNTRY_CODE,
        "country_name": COUNTRY_NAME, "region_code": df["region_code"], "region_name": df["region_name"],
        "new_la_code": df["la"], "la_name": df["la_name"], "measure": df["measure"],
        "characteristic_type": df["breakdown"], "characteristic": df["category"],
    })  # fmt: skip
    for kind, column in INDICATORS.items():
        out[column] = df["value"].where(df["kind"] == kind, "z")
    return out


def write_csv(published: pd.DataFrame, path: Path | None) -> str | None:
    """The tidy CSV, to `path` or returned as text."""
    text: str = tidy(published).to_csv(index=False, lineterminator="\n")
    if path is None:
        return text
    path.write_text(text, encoding="utf-8")
    return None


def to_json(published: pd.DataFrame) -> str:
    """Figures for programs: symbols, suppression summary and one object per published figure."""
    records = tidy(published).to_dict(orient="records")
    body = {"symbols": SYMBOLS, "suppression": suppression_summary(published), "figures": records}
    return json.dumps(body, indent=1, default=str)


def write_xlsx(published: pd.DataFrame, path: Path) -> None:
    """A workbook after the analysis-function guidance: cover, notes, contents, one table a sheet."""
    from carestat.stats.workbook import write_workbook

    write_workbook(tidy(published), suppression_summary(published), path)
