"""Population denominators from the three layouts `carestat population load` accepts.

1. carestat `population.csv`: la, year, age, sex, ethnic, population (see the contracts).
2. ONS mid-year estimates by single year of age and sex, long layout (as ONS publishes for local
   authorities): a council code column (`ladcode21`, `LAD2021CD`, `code`, ...), `sex` (1 or M =
   male, 2 or F = female), `age` (0-90, '90+' read as 90) and `population_YYYY` columns, one per
   mid-year; mid-year YYYY is the denominator of collection year YYYY+1. `ethnic` becomes `ALL`.
3. Census 2021 ethnic group by age (ONS custom-dataset CSV): a geography `... Code` column, an
   `Ethnic group (20 categories)` label column, an age label column with single years ("Aged 4
   years", "Aged under 1 year") and `Observation`. Ethnic groups map to 903 ETHNIC codes; `sex`
   becomes `ALL`; the year is 2022 (Census day 2021 is nearest mid-2021).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa

from carestat.model import InputError

CARESTAT_COLUMNS = ["la", "year", "age", "sex", "ethnic", "population"]
ALL = "ALL"
CENSUS_YEAR = 2022
SEXES = {"1": "M", "2": "F", "M": "M", "F": "F", "MALE": "M", "FEMALE": "F"}
CENSUS_ETHNIC = {
    "bangladeshi": "ABAN", "chinese": "CHNE", "indian": "AIND", "pakistani": "APKN",
    "other asian": "AOTH", "african": "BAFR", "caribbean": "BCRB", "other black": "BOTH",
    "white and asian": "MWAS", "white and black african": "MWBA", "white and black caribbean": "MWBC",
    "other mixed or multiple ethnic groups": "MOTH", "english, welsh, scottish, northern irish or british": "WBRI",
    "irish": "WIRI", "gypsy or irish traveller": "WIRT", "roma": "WROM", "other white": "WOTH",
    "arab": "OOTH", "any other ethnic group": "OOTH",
}  # fmt: skip


def read_population(path: Path) -> tuple[pa.Table, str]:
    """The denominators in a file and the name of the layout recognised (InputError if none)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InputError(f"{path}: cannot be read as CSV: {error}") from None
    columns = {c.strip().lower(): c for c in frame.columns}
    if set(CARESTAT_COLUMNS) <= set(columns):
        out, layout = frame.rename(columns={v: k for k, v in columns.items()}), "carestat"
    elif (
        "sex" in columns and "age" in columns and any(c.startswith("population_") for c in columns)
    ):
        out, layout = _mid_year(frame, columns, path), "ONS mid-year estimates"
    elif "observation" in columns and any("ethnic group" in c for c in columns):
        out, layout = _census(frame, columns, path), "Census 2021 ethnic group by age"
    else:
        raise InputError(
            f"{path}: not a population file: expected la,year,age,sex,ethnic,population, an ONS "
            "mid-year estimates file (code, sex, age, population_YYYY) or a Census 2021 ethnic "
            "group by age file (... Code, Ethnic group, Age, Observation)"
        )
    return _typed(out[CARESTAT_COLUMNS], path), layout


def _mid_year(frame: pd.DataFrame, columns: dict[str, str], path: Path) -> pd.DataFrame:
    """ONS long mid-year estimates to the carestat layout."""
    code = next(
        (columns[c] for c in columns if re.fullmatch(r"(ladcode\d*|lad\d*cd|code|area_code)", c)),
        None,
    )
    if code is None:
        raise InputError(
            f"{path}: ONS mid-year estimates need a council code column (e.g. ladcode21)"
        )
    years = {
        columns[c]: int(c.removeprefix("population_")) + 1
        for c in columns
        if re.fullmatch(r"population_\d{4}", c)
    }
    long = frame.melt(id_vars=[code, columns["sex"], columns["age"]], value_vars=list(years), var_name="col",
                      value_name="population")  # fmt: skip
    return pd.DataFrame({
        "la": long[code].str.strip(), "year": long["col"].map(years),
        "age": long[columns["age"]].str.replace("+", "", regex=False).str.strip(),
        "sex": long[columns["sex"]].str.strip().str.upper().map(SEXES), "ethnic": ALL,
        "population": long["population"].str.replace(",", "", regex=False),
    })  # fmt: skip


def _census(frame: pd.DataFrame, columns: dict[str, str], path: Path) -> pd.DataFrame:
    """A Census 2021 ethnic group by single year of age download to the carestat layout."""
    code = next(
        columns[c] for c in columns if c.endswith(" code") and "ethnic" not in c and "age" not in c
    )
    ethnic = next(columns[c] for c in columns if "ethnic group" in c and not c.endswith(" code"))
    age = next(
        (columns[c] for c in columns if c.startswith("age") and not c.endswith(" code")), None
    )
    if age is None:
        raise InputError(f"{path}: the Census file has no age column")
    labels = frame[ethnic].str.split(":").str[-1].str.strip().str.lower()
    kept = frame[labels != "does not apply"]
    codes = labels[labels != "does not apply"].map(CENSUS_ETHNIC)
    years = kept[age].str.extract(r"^aged (under 1|\d+) years?$", flags=re.IGNORECASE)[0]
    if codes.isna().any() or years.isna().any():
        bad = kept[ethnic][codes.isna()].tolist()[:1] + kept[age][years.isna()].tolist()[:1]
        raise InputError(f"{path}: unrecognised ethnic group or age (single years needed): {bad}")
    return pd.DataFrame({
        "la": kept[code].str.strip(), "year": CENSUS_YEAR, "age": years.replace("under 1", "0"),
        "sex": ALL, "ethnic": codes, "population": kept[columns["observation"]],
    }).groupby(["la", "year", "age", "sex", "ethnic"], as_index=False)["population"].apply(
        lambda s: pd.to_numeric(s).sum()
    )  # fmt: skip


def _typed(frame: pd.DataFrame, path: Path) -> pa.Table:
    """Check and type the columns (InputError naming the first bad row)."""
    for column in ("year", "age", "population"):
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if numbers.isna().any():
            row = int(numbers.isna().to_numpy().nonzero()[0][0])
            raise InputError(
                f"{path}: row {row + 2}: {column} {frame[column].iloc[row]!r} is not a whole number"
            )
        frame = frame.assign(**{column: numbers.astype("int64")})
    if frame["sex"].isna().any():
        raise InputError(f"{path}: sex must be 1/2, M/F or Male/Female")
    schema = pa.schema([("la", pa.string()), ("year", pa.int32()), ("age", pa.int32()), ("sex", pa.string()),
                        ("ethnic", pa.string()), ("population", pa.int64())])  # fmt: skip
    return pa.Table.from_pandas(
        frame.astype({"la": str, "sex": str, "ethnic": str}), schema=schema, preserve_index=False
    )
