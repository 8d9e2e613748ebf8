"""Arrow's compute kernels, called without importing `pyarrow.compute`.

Importing `pyarrow.compute` writes a documented Python wrapper for each of Arrow's ~300 kernels:
~30 ms of every process, before a validation can start (a council return's whole validation
takes ~0.6 s). A validation calls about 50 kernels, so this module makes a wrapper for each on
first use, with the same call forms: positional arguments, then the kernel's options as
keywords (`strptime(dates, format="%d/%m/%Y", unit="s", error_is_null=True)`).
`pyarrow.compute` stays the API everywhere else; array methods such as `.cast()` or `.filter()`
import it, so the modules that use this one call the kernels instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyarrow import _compute, lib

KERNEL_NAMES = {"and_": "and", "or_": "or"}  # Python keywords, as pyarrow.compute names them


def __getattr__(name: str) -> Callable[..., Any]:
    """The wrapper of the kernel `name`, made once."""
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        function = _compute.get_function(KERNEL_NAMES.get(name, name))
    except lib.ArrowKeyError:
        raise AttributeError(f"no Arrow kernel named {name!r}") from None
    wrapper = _wrapper(function)
    globals()[name] = wrapper
    return wrapper


def _wrapper(function: Any) -> Callable[..., Any]:
    """Call `function` on arrays or scalars, building its options from keywords."""
    options_class: Any = getattr(_compute, function._doc.options_class, None)
    arity = function.arity

    def call(*args: Any, options: Any = None, **kwargs: Any) -> Any:
        if arity is not Ellipsis and len(args) > arity:  # options given by position
            args, extra = args[:arity], args[arity:]
            options = options_class(*extra, **kwargs)
        elif kwargs and options is None:
            options = options_class(**kwargs)
        return function.call(list(args), options)

    call.__name__ = function.name
    return call


def cast(values: Any, target_type: Any) -> Any:
    """`values` as `target_type`, refusing conversions that lose information."""
    return _compute.call_function("cast", [values], _compute.CastOptions.safe(target_type))


def fill_null(values: Any, fill_value: Any) -> Any:
    """`values` with each null replaced by `fill_value`."""
    if not isinstance(fill_value, (lib.Array, lib.ChunkedArray, lib.Scalar)):
        fill_value = lib.scalar(fill_value, type=values.type)
    elif fill_value.type != values.type:
        fill_value = cast(fill_value, values.type)
    return _compute.call_function("coalesce", [values, fill_value])


def index(values: Any, value: Any) -> Any:
    """The first position of `value` in `values`, or -1 (an Arrow scalar)."""
    if not isinstance(value, lib.Scalar):
        value = lib.scalar(value, type=values.type)
    return _compute.call_function("index", [values], _compute.IndexOptions(value))


def take(data: Any, indices: Any) -> Any:
    """The rows (or items) of `data` at `indices`."""
    return _compute.call_function("take", [data, indices])


def filter(data: Any, mask: Any) -> Any:
    """The rows (or items) of `data` where `mask` is true (nulls dropped)."""
    return _compute.call_function("filter", [data, mask])


def drop_null(values: Any) -> Any:
    """`values` without its nulls."""
    return _compute.call_function("drop_null", [values])


def cast_table(table: Any, schema: Any) -> Any:
    """`table` with its columns cast to the types of `schema` (same names, same order)."""
    columns = [
        cast(column, field.type) for column, field in zip(table.columns, schema, strict=True)
    ]
    return lib.table(columns, schema=schema)
