"""The pandas classes pickle makes with NEWOBJ and one BUILD: their state checked first.

:func:`checked_class` is what the restricted unpickler hands out for such a class: a subclass
whose ``__setstate__`` checks the state (a DataFrame's or Series' keys and manager, a
SingleBlockManager's 4-tuple, a CategoricalDtype, a StringArray's or Categorical's buffer),
runs pandas' own, and makes the object an instance of the real class.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from safeload.trust.pandas_forms import (
    CATEGORICAL,
    CATEGORICAL_DTYPE,
    DATAFRAME,
    SERIES,
    SINGLE_MANAGER,
    STRING_ARRAY,
)
from safeload.trust.pandas_values import (
    check_categorical,
    check_categorical_dtype,
    check_column_values,
    check_index,
    check_label,
    check_string_array,
    fail,
    is_plain,
    pandas_module,
    placement_indices,
)

__all__ = ["checked_class"]


def _check_frame_state(state: Any, series: bool) -> None:
    pd = pandas_module()
    from pandas.core.internals.managers import BlockManager, SingleBlockManager

    kind = "Series" if series else "DataFrame"
    allowed = {"_mgr", "_typ", "_metadata", "attrs", "_attrs", "_flags"}
    if series:
        allowed.add("_name")
    if type(state) is not dict or not set(state) <= allowed or "_mgr" not in state:
        raise fail(f"a {kind}'s state has keys pandas never writes")
    mgr = state["_mgr"]
    if type(mgr) is not (SingleBlockManager if series else BlockManager):
        raise fail(f"a {kind}'s manager is a {type(mgr).__name__}")
    if state.get("_typ", "series" if series else "dataframe") != (
        "series" if series else "dataframe"
    ):
        raise fail(f"a {kind}'s _typ is not {kind.lower()}")
    if state.get("_metadata", []) not in ([], ["_name"]):
        raise fail(f"a {kind}'s _metadata names other attributes")
    for key in ("attrs", "_attrs"):
        attrs = state.get(key, {})
        if attrs is None:
            continue
        if type(attrs) is not dict or not all(
            type(k) is str and is_plain(v) for k, v in attrs.items()
        ):
            raise fail(f"a {kind}'s attrs are not a dict of plain values")
    flags = state.get("_flags", {})
    if type(flags) is not dict or not all(
        k == "allows_duplicate_labels" and type(v) is bool for k, v in flags.items()
    ):
        raise fail(f"a {kind}'s flags are not {{'allows_duplicate_labels': bool}}")
    if series:
        check_label(state.get("_name"), "a Series' name")
    del pd


def _check_single_manager_state(state: Any) -> None:
    if type(state) is not tuple or len(state) != 4 or type(state[3]) is not dict:
        raise fail("a SingleBlockManager's state is not the 4-tuple pandas writes")
    if set(state[3]) != {"0.14.1"} or type(state[3]["0.14.1"]) is not dict:
        raise fail("a SingleBlockManager's state is not pandas' 0.14.1 form")
    for old in state[:3]:
        if type(old) is not list:
            raise fail("a SingleBlockManager's state is not the 4-tuple pandas writes")
    inner = state[3]["0.14.1"]
    if set(inner) != {"axes", "blocks"}:
        raise fail("a SingleBlockManager's state has keys pandas never writes")
    axes, blocks = inner["axes"], inner["blocks"]
    if type(axes) is not list or len(axes) != 1 or type(blocks) is not list or len(blocks) != 1:
        raise fail("a SingleBlockManager has not one axis and one block")
    check_index(axes[0], "a Series' index")
    block = blocks[0]
    if type(block) is not dict or set(block) != {"values", "mgr_locs"}:
        raise fail("a Series block is not {'values', 'mgr_locs'}")
    values = block["values"]
    check_column_values(values, "a Series' values", ndim=1)
    n = len(axes[0])
    if len(values) != n:
        raise fail(f"a Series with {len(values)} values for an index of {n}")
    locs = placement_indices(block["mgr_locs"], "a Series block's placement")
    if len(locs) != n or (n and (locs[0] != 0 or locs[-1] != n - 1)):
        raise fail(f"a Series block's placement is not slice(0, {n}, 1)")


def _check_categorical_dtype_state(state: Any) -> None:
    if type(state) is not dict or set(state) != {"categories", "ordered"}:
        raise fail("a CategoricalDtype's state is not {'categories', 'ordered'}")
    if type(state["ordered"]) is not bool:
        raise fail("a CategoricalDtype's ordered is not a bool")
    check_index(state["categories"], "a CategoricalDtype's categories")
    cats = state["categories"]
    if type(cats) is not pandas_module().RangeIndex and (not cats.is_unique or cats.hasnans):
        raise fail("a CategoricalDtype's categories are not unique and non-null")


def _check_backed_state(pair: tuple[str, str], state: Any) -> None:
    import numpy as np

    pd = pandas_module()
    if type(state) is not tuple or len(state) not in (2, 3):
        raise fail(f"a {pair[1]}'s state is not (dtype, buffer)")
    if len(state) == 3 and not (
        type(state[2]) is dict
        and set(state[2]) <= {"_readonly"}
        and all(type(v) is bool for v in state[2].values())
    ):
        raise fail(f"a {pair[1]}'s attributes are not {{'_readonly': bool}}")
    dtype, values = state[:2]
    if pair == STRING_ARRAY:
        if type(dtype) is not pd.StringDtype or dtype.storage != "python":
            raise fail("a StringArray's dtype is not the python-storage string dtype")
    else:
        check_categorical_dtype(dtype, "a Categorical's dtype")
    if type(values) is not np.ndarray or values.ndim != 1:
        raise fail(f"a {pair[1]}'s buffer is not a 1-d numpy array")


def _check_backed_built(pair: tuple[str, str], obj: Any) -> None:
    if pair == STRING_ARRAY:
        check_string_array(obj, "a StringArray")
    else:
        check_categorical(obj, "a Categorical")


_STATE_CHECKS: dict[tuple[str, str], Callable[[Any], None]] = {
    DATAFRAME: lambda st: _check_frame_state(st, series=False),
    SERIES: lambda st: _check_frame_state(st, series=True),
    SINGLE_MANAGER: _check_single_manager_state,
    CATEGORICAL_DTYPE: _check_categorical_dtype_state,
    STRING_ARRAY: lambda st: _check_backed_state(STRING_ARRAY, st),
    CATEGORICAL: lambda st: _check_backed_state(CATEGORICAL, st),
}


@functools.cache
def checked_class(pair: tuple[str, str]) -> type:
    """``pair``'s class as the unpickler hands it out: a subclass (same layout) whose
    ``__setstate__`` checks the state, runs pandas' own, checks the result where pandas'
    leaves something to check, and makes the object an instance of the real class."""
    real: type = getattr(sys.modules.get(pair[0]) or __import__(pair[0], fromlist=["_"]), pair[1])
    check = _STATE_CHECKS[pair]

    def __setstate__(self: Any, state: Any) -> None:
        check(state)
        # the real class first: pandas' __setstate__ may call self.__setstate__ again with
        # the state it normalised, which is then pandas' own
        self.__class__ = real
        real.__setstate__(self, state)  # type: ignore[attr-defined]
        if pair in (STRING_ARRAY, CATEGORICAL):
            _check_backed_built(pair, self)

    return type(
        real.__name__,
        (real,),
        {
            "__slots__": (),
            "__module__": real.__module__,
            "__qualname__": real.__qualname__,
            "__setstate__": __setstate__,
        },
    )
