"""Checks on the pandas values the narrowed forms receive: arrays, labels, indexes, columns.

Each raises :class:`PandasFormError` for what the ``pandas`` profile does not trust; the
stand-ins (:mod:`safeload.trust.pandas_calls`) and the checked ``__setstate__`` methods
(:mod:`safeload.trust.pandas_states`) call them before pandas' compiled code sees a value.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: Scalars an object column, an object Index or a label may hold.
_PLAIN = (str, int, float, bool, type(None))


class PandasFormError(ValueError):
    """A pandas value the narrowed forms refuse (the unpickler reports it as malformed)."""


def pandas_module() -> Any:
    return sys.modules.get("pandas") or __import__("pandas")


def fail(what: str) -> PandasFormError:
    return PandasFormError(f"pandas profile: {what}")


def is_int(value: Any) -> bool:
    """A Python int or a numpy integer scalar (pandas keeps placements as either)."""
    import numpy as np

    return type(value) is int or type(value) in (np.int64, np.int32, np.intp)


def is_plain(value: Any) -> bool:
    return type(value) in _PLAIN


def check_plain_array(arr: Any, where: str, *, ndim: int) -> None:
    """A numpy array pandas may keep as column data or Index data: numeric, bool or object
    holding only plain scalars, of ``ndim`` dimensions."""
    import numpy as np

    if type(arr) is not np.ndarray or arr.ndim != ndim:
        raise fail(f"{where} is not a {ndim}-d numpy array")
    kind = arr.dtype.kind
    if kind == "O":
        for item in arr.ravel(order="K"):
            if not is_plain(item):
                raise fail(f"{where} holds a {type(item).__name__}, not a plain scalar")
    elif kind not in "biuf" or arr.dtype.fields is not None or arr.dtype.subdtype is not None:
        raise fail(f"{where} has dtype {arr.dtype}, not a plain numeric, bool or object dtype")


def check_label(value: Any, where: str) -> None:
    if not is_plain(value):
        raise fail(f"{where} is a {type(value).__name__}, not a plain label")


# --- checks on built pandas objects (made by the forms below) -----------------------------------


def check_index(index: Any, where: str) -> None:
    pd = pandas_module()
    if type(index) is pd.RangeIndex:
        return  # made by _new_Index from three checked ints: lazy, no buffer
    if type(index) is not pd.Index:
        raise fail(f"{where} is a {type(index).__name__}, not a pandas Index or RangeIndex")
    check_index_data(index._data, where)


def check_index_data(data: Any, where: str) -> None:
    pd = pandas_module()
    if type(data) is pd.arrays.StringArray:
        check_string_array(data, where)
    else:
        check_plain_array(data, f"{where}'s data", ndim=1)


def check_string_array(arr: Any, where: str) -> None:
    import numpy as np

    pd = pandas_module()
    if type(arr) is not pd.arrays.StringArray:
        raise fail(f"{where} is a {type(arr).__name__}, not a StringArray")
    dtype, values = arr.dtype, arr._ndarray
    if type(dtype) is not pd.StringDtype or dtype.storage != "python":
        raise fail(f"{where}'s dtype is not the python-storage string dtype")
    if type(values) is not np.ndarray or values.ndim != 1 or values.dtype.kind != "O":
        raise fail(f"{where}'s buffer is not a 1-d object array")
    for item in values:
        if type(item) is not str and not (type(item) is float and math.isnan(item)):
            raise fail(f"{where} holds a {type(item).__name__}, not a str or NaN")


def check_categorical(cat: Any, where: str) -> None:
    import numpy as np

    pd = pandas_module()
    if type(cat) is not pd.Categorical:
        raise fail(f"{where} is a {type(cat).__name__}, not a Categorical")
    dtype, codes = cat.dtype, cat._ndarray
    check_categorical_dtype(dtype, f"{where}'s dtype")
    if type(codes) is not np.ndarray or codes.ndim != 1 or codes.dtype.kind != "i":
        raise fail(f"{where}'s codes are not a 1-d integer array")
    n = len(dtype.categories)
    if codes.size and (int(codes.min()) < -1 or int(codes.max()) >= n):
        raise fail(
            f"{where}'s codes run outside [-1, {n}): pandas takes the values with them unchecked"
        )


def check_categorical_dtype(dtype: Any, where: str) -> None:
    pd = pandas_module()
    if type(dtype) is not pd.CategoricalDtype:
        raise fail(f"{where} is a {type(dtype).__name__}, not a CategoricalDtype")
    cats = dtype.__dict__.get("_categories")
    if type(dtype.__dict__.get("_ordered")) is not bool or cats is None:
        raise fail(f"{where} has no categories or a non-bool ordered")
    check_index(cats, f"{where}'s categories")
    if type(cats) is pd.RangeIndex:
        return
    if not cats.is_unique or cats.hasnans:
        raise fail(f"{where}'s categories are not unique and non-null, as pandas requires")


def check_column_values(values: Any, where: str, *, ndim: int) -> None:
    """Column data a block or a Series may hold."""
    pd = pandas_module()
    kind = type(values)
    if kind is pd.Categorical:
        check_categorical(values, where)
    elif kind is pd.arrays.StringArray:
        check_string_array(values, where)
    else:
        check_plain_array(values, where, ndim=ndim)


def placement_indices(placement: Any, where: str) -> np.ndarray:
    """The column positions a placement names, as pandas would read them; only a slice of
    ints with step 1 or a 1-d int64 array."""
    import numpy as np

    if type(placement) is slice:
        start, stop, step = placement.start, placement.stop, placement.step
        if not (is_int(start) and is_int(stop) and (step is None or is_int(step))):
            raise fail(f"{where} is a slice that is not start:stop:1 of ints")
        start, stop, step = int(start), int(stop), 1 if step is None else int(step)
        if not 0 <= start <= stop or stop - start > 2**31 or step < 1:
            raise fail(f"{where} is slice({start}, {stop}, {step}): not a range of columns")
        return np.arange(start, stop, step, dtype=np.int64)
    if type(placement) is np.ndarray and placement.ndim == 1 and placement.dtype == np.int64:
        return np.array(placement, dtype=np.int64)
    raise fail(f"{where} is a {type(placement).__name__}, not a slice or an int64 array")
