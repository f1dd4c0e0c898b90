"""Stand-ins for the functions pandas pickles call, and the narrowed form of each pandas name.

Each stand-in checks its arguments (:mod:`safeload.trust.pandas_values`) and then calls the
real function: ``_new_Index``, ``_unpickle_block``, ``BlockManager``,
``__pyx_unpickle_NDArrayBacked``, the Timestamp and Timedelta unpicklers and ``StringDtype``.
:func:`narrowed_form` is what the restricted unpickler hands out for a name of the profile.
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from typing import Any

from safeload.trust.pandas_forms import (
    BLOCK_MANAGER,
    CATEGORICAL,
    NDARRAY_BACKED,
    NEW_INDEX,
    NEWOBJ_ONLY,
    STRING_ARRAY,
    STRING_DTYPE,
    TIMEDELTA,
    TIMESTAMP,
    UNPICKLE_BLOCK,
)
from safeload.trust.pandas_states import checked_class
from safeload.trust.pandas_values import (
    check_column_values,
    check_index,
    check_index_data,
    check_label,
    check_plain_array,
    fail,
    pandas_module,
    placement_indices,
)

__all__ = ["narrowed_form"]

#: numpy's datetime unit codes pandas supports (seconds, ms, us, ns): others index past the
#: tables pandas keeps for its units.
_RESOLUTIONS = frozenset({7, 8, 9, 10})
_INT64 = (-(2**63), 2**63 - 1)


def _new_index(real: Callable[..., Any]) -> Callable[..., Any]:
    def _new_Index(cls: Any, d: Any) -> Any:
        pd = pandas_module()
        if type(d) is not dict:
            raise fail("_new_Index's attributes are not a dict")
        if cls is pd.RangeIndex:
            if set(d) != {"name", "start", "stop", "step"}:
                raise fail(f"a RangeIndex with keys {sorted(map(str, d))}")
            if not all(type(d[k]) is int for k in ("start", "stop", "step")) or d["step"] == 0:
                raise fail("a RangeIndex's start, stop and step are not ints (step not 0)")
        elif cls is pd.Index:
            if set(d) != {"data", "name"}:
                raise fail(f"an Index with keys {sorted(map(str, d))}")
            check_index_data(d["data"], "an Index")
        else:
            raise fail(f"_new_Index of {cls!r}: only Index and RangeIndex are trusted")
        check_label(d["name"], "an Index's name")
        return real(cls, dict(d))

    return _new_Index


def _unpickle_block(real: Callable[..., Any]) -> Callable[..., Any]:
    def _unpickle_block(values: Any, placement: Any, ndim: Any) -> Any:
        import numpy as np

        if type(ndim) is not int or ndim != 2:
            raise fail("a block of a DataFrame is not 2-d")
        where = "a DataFrame block"
        locs = placement_indices(placement, f"{where}'s placement")
        if type(values) is np.ndarray:
            check_plain_array(values, f"{where}'s values", ndim=2)
            if values.shape[0] != len(locs):
                raise fail(f"{where} has {values.shape[0]} rows of data for {len(locs)} columns")
        else:
            check_column_values(values, f"{where}'s values", ndim=1)
            if len(locs) != 1:
                raise fail(f"{where} of a 1-d array placed at {len(locs)} columns")
        return real(values, placement, ndim)

    return _unpickle_block


def _block_manager(real: Any) -> Callable[..., Any]:
    def BlockManager(blocks: Any, axes: Any) -> Any:
        import numpy as np
        from pandas.core.internals.blocks import ExtensionBlock, NumpyBlock

        if type(blocks) not in (tuple, list) or type(axes) is not list or len(axes) != 2:
            raise fail("a BlockManager is not (blocks, [columns, index])")
        check_index(axes[0], "a DataFrame's columns")
        check_index(axes[1], "a DataFrame's index")
        n_cols, n_rows = len(axes[0]), len(axes[1])
        seen = np.zeros(n_cols, dtype=bool)
        for blk in blocks:
            if type(blk) not in (NumpyBlock, ExtensionBlock):
                raise fail(f"a DataFrame block is a {type(blk).__name__}")
            locs = np.asarray(blk.mgr_locs.as_array, dtype=np.int64)
            values = blk.values
            if locs.size and (int(locs.min()) < 0 or int(locs.max()) >= n_cols):
                raise fail(
                    f"a block is placed at columns outside the frame's {n_cols}: pandas "
                    "indexes its tables with them unchecked while building the frame"
                )
            if seen[locs].any() or len(np.unique(locs)) != len(locs):
                raise fail("two blocks share a column")
            seen[locs] = True
            if type(blk) is NumpyBlock:
                check_plain_array(values, "a block's values", ndim=2)
                shape = values.shape
                if shape != (len(locs), n_rows):
                    raise fail(f"a block of shape {shape} placed at {len(locs)} of {n_rows} rows")
            else:
                check_column_values(values, "a block's values", ndim=1)
                if len(values) != n_rows or len(locs) != 1:
                    raise fail("a 1-d block whose length is not the frame's")
        if not seen.all():
            raise fail("a DataFrame has columns that no block holds")
        return real(tuple(blocks), axes)

    return BlockManager


def _ndarray_backed(real: Callable[..., Any]) -> Callable[..., Any]:
    def __pyx_unpickle_NDArrayBacked(cls: Any, checksum: Any, state: Any) -> Any:
        pd = pandas_module()
        checked = {pd.arrays.StringArray: STRING_ARRAY, pd.Categorical: CATEGORICAL}
        if cls not in checked or state is not None or type(checksum) is not int:
            raise fail(
                "__pyx_unpickle_NDArrayBacked makes only a StringArray or a Categorical, given "
                "its state by one BUILD"
            )
        return real(checked_class(checked[cls]), checksum, None)

    return __pyx_unpickle_NDArrayBacked


def _timestamp(real: Callable[..., Any]) -> Callable[..., Any]:
    def _unpickle_timestamp(value: Any, freq: Any, tz: Any, reso: Any) -> Any:
        if type(value) is not int or not _INT64[0] <= value <= _INT64[1]:
            raise fail("a Timestamp's value is not an int64")
        if value == _INT64[0]:
            # (pandas returns its NaT singleton for it, no Timestamp; NaT pickles otherwise:
            # scan had taken it for a Timestamp, rt81-08)
            raise fail("a Timestamp's value is NaT's marker (iNaT)")
        if freq is not None or tz is not None:
            raise fail("a Timestamp with a frequency or a time zone (not reviewed)")
        if type(reso) is not int or reso not in _RESOLUTIONS:
            raise fail(f"a Timestamp's resolution code {reso!r} is not s, ms, us or ns")
        return real(value, None, None, reso)

    return _unpickle_timestamp


def _timedelta(real: Callable[..., Any]) -> Callable[..., Any]:
    def _timedelta_unpickle(value: Any, reso: Any) -> Any:
        if type(value) is not int or not _INT64[0] <= value <= _INT64[1]:
            raise fail("a Timedelta's value is not an int64")
        if type(reso) is not int or reso not in _RESOLUTIONS:
            raise fail(f"a Timedelta's resolution code {reso!r} is not s, ms, us or ns")
        return real(value, reso)

    return _timedelta_unpickle


def _string_dtype(real: Any) -> Callable[..., Any]:
    def StringDtype(*args: Any) -> Any:
        if len(args) != 2 or args[0] != "python" or type(args[0]) is not str:
            raise fail("a StringDtype other than StringDtype('python', nan) (pyarrow storage)")
        if not (type(args[1]) is float and math.isnan(args[1])):
            raise fail("a StringDtype whose missing value is not NaN (not reviewed)")
        return real("python", args[1])

    return StringDtype


FORMS: dict[tuple[str, str], Callable[[Any], Any]] = {
    NEW_INDEX: _new_index,
    UNPICKLE_BLOCK: _unpickle_block,
    BLOCK_MANAGER: _block_manager,
    NDARRAY_BACKED: _ndarray_backed,
    TIMESTAMP: _timestamp,
    TIMEDELTA: _timedelta,
    STRING_DTYPE: _string_dtype,
}


@functools.cache
def narrowed_form(pair: tuple[str, str]) -> Any:
    """What the restricted unpickler hands out for ``pair`` (one of :data:`CALLS` or
    :data:`NEWOBJ_ONLY`), importing pandas; ``None`` for any other name."""
    if pair in NEWOBJ_ONLY:
        return checked_class(pair)
    make = FORMS.get(pair)
    if make is None:
        return None
    module = sys.modules.get(pair[0]) or __import__(pair[0], fromlist=["_"])
    return make(getattr(module, pair[1]))
