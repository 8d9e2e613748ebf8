"""The readers' fast paths give what the general paths give, and keep pandas out of start-up."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

import pyarrow as pa

from carestat.readers.normalise import _DMY, _parts, _standard_dates, _strict_dates, parse_dates


def _texts() -> list[str | None]:
    """Every day and month 0..32 / 0..13 in leap and common years, and near-misses."""
    grid = [f"{d:02d}/{m:02d}/{y:04d}" for d in range(33) for m in range(14)
            for y in (0, 1600, 1900, 2000, 2023, 2024, 2100, 9999)]  # fmt: skip
    odd = ["1/2/2020", "01/2/2020", "0a/01/2020", "01/01/20a0", "01-01-2020", "+1/02/2020",
           " 1/02/2020", "01/01/20201", "éé/01/2020", "٠١/٠١/٢٠٢٠", "", None]  # fmt: skip
    rng = random.Random(903)
    noise = ["".join(rng.choice("0123456789/-+ a") for _ in range(10)) for _ in range(3000)]
    return grid + odd + noise


def test_standard_dates_match_the_general_reading() -> None:
    values = pa.array(_texts(), pa.string())
    for part in (values, values.slice(5)):  # an offset into the buffers as well
        general = _strict_dates(*_parts(part, _DMY))
        fast = _standard_dates(part)
        standard = pa.array([len(v or "") == 10 for v in part.to_pylist()])
        assert fast.filter(standard).equals(general.filter(standard))
        assert fast.filter(pa.compute.invert(standard)).null_count == len(part) - sum(
            standard.to_pylist()
        )


def test_parse_dates_reads_short_forms_and_keeps_unreadable_text() -> None:
    dates, raw, _ = parse_dates(pa.array(["1/2/2020", "31/02/2020", "05/06/2021", None]))
    assert [str(d) if d else None for d in dates.to_pylist()] == [
        "2020-02-01", None, "2021-06-05", None,
    ]  # fmt: skip
    assert raw.to_pylist() == [None, "31/02/2020", None, None]


def test_reading_does_not_import_pandas_and_pandas_still_converts(tmp_path) -> None:
    folder = tmp_path / "E09000029" / "2026"
    folder.mkdir(parents=True)
    (folder / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,M,01/02/2010,WBRI,A123,,\n"
    )
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n1,01/05/2025,S,C2,N1,U1,PR1,,,,,,\n"
    )
    script = textwrap.dedent(f"""
        import sys
        from carestat.readers import read_return
        ret = read_return([{str(folder)!r}])
        print("pandas" in sys.modules)
        import pandas as pd, pyarrow as pa
        print(pa.types.is_dictionary(pa.array(pd.Series(pd.Categorical(["a"]))).type))
        print(ret.tables["Header"].to_pandas().shape[0])
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    # pandas was not loaded by reading; once loaded, pyarrow converts its objects as usual
    assert done.stdout.split("\n")[:3] == ["False", "True", "1"]
