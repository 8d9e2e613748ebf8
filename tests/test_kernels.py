"""The kernels module calls Arrow's kernels as pyarrow.compute does, without importing it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as compute
import pytest

from carestat import kernels


def test_keywords_positional_options_and_any_number_of_arguments_match_pyarrow() -> None:
    text = pa.array(["01/02/2020", "31/02/2020", None])
    for name, args, kwargs in [
        ("strptime", [text], {"format": "%d/%m/%Y", "unit": "s", "error_is_null": True}),
        ("round", [pa.array([1.25, 2.5])], {"ndigits": 1}),
        ("binary_join_element_wise", [text, pa.array(["a", "b", "c"]), "-"], {}),
        ("is_in", [text], {"value_set": pa.array(["01/02/2020"])}),
        ("and_", [pa.array([True, None]), pa.array([True, True])], {}),
        ("equal", [text, "31/02/2020"], {}),
        ("sum", [pa.array([1, 2, None])], {}),
    ]:
        assert getattr(kernels, name)(*args, **kwargs) == getattr(compute, name)(*args, **kwargs)
    assert kernels.round(pa.array([1.25]), 1) == compute.round(pa.array([1.25]), 1)


def test_the_hand_written_helpers_match_pyarrow() -> None:
    values = pa.chunked_array([[1, None], [3]])
    assert kernels.fill_null(values, 0) == compute.fill_null(values, 0)
    assert kernels.index(values, 3).as_py() == compute.index(values, 3).as_py() == 2
    assert kernels.drop_null(values) == compute.drop_null(values)
    table = pa.table({"a": [1, 2], "b": ["x", None]})
    assert kernels.filter(table, pa.array([False, True])) == table.filter(pa.array([False, True]))
    assert kernels.take(table, pa.array([1, 0])) == table.take(pa.array([1, 0]))
    wider = pa.schema([("a", pa.int64()), ("b", pa.large_string())])
    assert kernels.cast_table(
        table.cast(pa.schema([("a", pa.int32()), ("b", pa.string())])), wider
    ) == table.cast(wider)
    assert kernels.cast(pa.array([dt.datetime(2020, 1, 2)]), pa.date32()).to_pylist() == [
        dt.date(2020, 1, 2)
    ]


def test_an_unknown_kernel_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no Arrow kernel"):
        kernels.no_such_kernel  # noqa: B018


@pytest.mark.parametrize("form", ["csv", "xml"])
def test_a_validation_does_not_import_pyarrow_compute(tmp_path: Path, form: str) -> None:
    out = tmp_path / "synth"
    carestat = Path(sys.executable).parent / "carestat"
    subprocess.run([str(carestat), "synth", str(out), "--las", "1", "--years", "2025-2026",
                    "--children", "30", "--format", form, "--seed", "5"], check=True,
                   capture_output=True)  # fmt: skip
    council = next(p for p in out.iterdir() if p.is_dir())
    script = textwrap.dedent(f"""
        import sys
        from carestat.cli.main import app
        sys.argv = ["carestat", "validate", {str(council / "2026")!r}, "--year", "2026",
                    "--la", {council.name!r}, "--previous", {str(council / "2025")!r},
                    "--format", "json", "--output", {str(tmp_path / "report.json")!r}]
        try:
            app()
        except SystemExit as end:
            print(end.code, "pyarrow.compute" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.split() == ["0", "False"], done.stderr
