"""pandas objects under the ``pandas`` profile, checked before pandas' compiled code sees them.

pandas' unpicklers trust what the file gives them: a BlockManager indexes with its blocks'
column placements while it is built (compiled without bounds checks), ``_new_Index`` calls
``cls.__new__(cls, **d)``, ``NDArrayBacked.__setstate__`` sets any buffer with any dtype, and a
Categorical's codes index its categories unchecked. So the restricted unpickler hands out, for
each name the profile trusts, a *narrowed form* that checks the real arguments (or the real
``BUILD`` state) first and only then calls pandas:

* the functions pandas pickles call (:data:`CALLS`) are replaced by stand-ins that check their
  arguments, then call the real function;
* the classes pickle makes with ``NEWOBJ`` and one ``BUILD`` (:data:`ONE_BUILD`) are handed out
  as a subclass whose ``__setstate__`` checks the state, runs pandas' own, and turns the object
  into an instance of the real class;
* the classes that only name what a stand-in makes (:data:`REFERENCE_ONLY`) are never called.

The static pass (:mod:`safeload.pickle.walker`) refuses every other way of making these objects
(a call, a second ``BUILD``, a ``BUILD`` after use, an object never given its state), and
``scan`` runs the same narrowed forms on the values it reads from the stream
(:mod:`safeload.trust.shadow`), so that it gives the verdict a load gives. Everything else
pandas can pickle is refused.
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


__all__ = [
    "CALLS",
    "NDARRAY_BACKED",
    "NEWOBJ_ONLY",
    "ONE_BUILD",
    "PANDAS_NAMES",
    "REFERENCE_ONLY",
    "narrowed_form",
]

NEW_INDEX = ("pandas.core.indexes.base", "_new_Index")
UNPICKLE_BLOCK = ("pandas._libs.internals", "_unpickle_block")
BLOCK_MANAGER = ("pandas.core.internals.managers", "BlockManager")
NDARRAY_BACKED = ("pandas._libs.arrays", "__pyx_unpickle_NDArrayBacked")
TIMESTAMP = ("pandas._libs.tslibs.timestamps", "_unpickle_timestamp")
TIMEDELTA = ("pandas._libs.tslibs.timedeltas", "_timedelta_unpickle")
STRING_DTYPE = ("pandas", "StringDtype")

#: Functions (and classes called like functions) that pandas pickles call, each handed out as a
#: stand-in that checks its arguments first. What they make never receives a BUILD.
CALLS: frozenset[tuple[str, str]] = frozenset(
    {NEW_INDEX, UNPICKLE_BLOCK, BLOCK_MANAGER, NDARRAY_BACKED, TIMESTAMP, TIMEDELTA, STRING_DTYPE}
)
DATAFRAME = ("pandas", "DataFrame")
SERIES = ("pandas", "Series")
SINGLE_MANAGER = ("pandas.core.internals.managers", "SingleBlockManager")
CATEGORICAL_DTYPE = ("pandas", "CategoricalDtype")
#: Classes pickle makes with NEWOBJ (no arguments) and then exactly one BUILD.
NEWOBJ_ONLY: frozenset[tuple[str, str]] = frozenset(
    {DATAFRAME, SERIES, SINGLE_MANAGER, CATEGORICAL_DTYPE}
)
#: What must receive exactly one BUILD before anything uses it, and must receive it.
ONE_BUILD: frozenset[tuple[str, str]] = NEWOBJ_ONLY | {NDARRAY_BACKED}
INDEX = ("pandas", "Index")
RANGE_INDEX = ("pandas", "RangeIndex")
STRING_ARRAY = ("pandas.arrays", "StringArray")
CATEGORICAL = ("pandas", "Categorical")
#: Classes that only name what ``_new_Index`` / ``__pyx_unpickle_NDArrayBacked`` make.
REFERENCE_ONLY: frozenset[tuple[str, str]] = frozenset(
    {INDEX, RANGE_INDEX, STRING_ARRAY, CATEGORICAL}
)
PANDAS_NAMES: frozenset[tuple[str, str]] = CALLS | NEWOBJ_ONLY | REFERENCE_ONLY

#: numpy's datetime unit codes pandas supports (seconds, ms, us, ns): others index past the
#: tables pandas keeps for its units.
_RESOLUTIONS = frozenset({7, 8, 9, 10})
_INT64 = (-(2**63), 2**63 - 1)
#: Scalars an object column, an object Index or a label may hold.
_PLAIN = (str, int, float, bool, type(None))


class PandasFormError(ValueError):
    """A pandas value the narrowed forms refuse (the unpickler reports it as malformed)."""


def _pd() -> Any:
    return sys.modules.get("pandas") or __import__("pandas")


def _fail(what: str) -> PandasFormError:
    return PandasFormError(f"pandas profile: {what}")


def _is_int(value: Any) -> bool:
    """A Python int or a numpy integer scalar (pandas keeps placements as either)."""
    import numpy as np

    return type(value) is int or type(value) in (np.int64, np.int32, np.intp)


def _plain(value: Any) -> bool:
    return type(value) in _PLAIN


def _check_plain_array(arr: Any, where: str, *, ndim: int) -> None:
    """A numpy array pandas may keep as column data or Index data: numeric, bool or object
    holding only plain scalars, of ``ndim`` dimensions."""
    import numpy as np

    if type(arr) is not np.ndarray or arr.ndim != ndim:
        raise _fail(f"{where} is not a {ndim}-d numpy array")
    kind = arr.dtype.kind
    if kind == "O":
        for item in arr.ravel(order="K"):
            if not _plain(item):
                raise _fail(f"{where} holds a {type(item).__name__}, not a plain scalar")
    elif kind not in "biuf" or arr.dtype.fields is not None or arr.dtype.subdtype is not None:
        raise _fail(f"{where} has dtype {arr.dtype}, not a plain numeric, bool or object dtype")


def _check_label(value: Any, where: str) -> None:
    if not _plain(value):
        raise _fail(f"{where} is a {type(value).__name__}, not a plain label")


# --- checks on built pandas objects (made by the forms below) -----------------------------------


def _check_index(index: Any, where: str) -> None:
    pd = _pd()
    if type(index) is pd.RangeIndex:
        return  # made by _new_Index from three checked ints: lazy, no buffer
    if type(index) is not pd.Index:
        raise _fail(f"{where} is a {type(index).__name__}, not a pandas Index or RangeIndex")
    _check_index_data(index._data, where)


def _check_index_data(data: Any, where: str) -> None:
    pd = _pd()
    if type(data) is pd.arrays.StringArray:
        _check_string_array(data, where)
    else:
        _check_plain_array(data, f"{where}'s data", ndim=1)


def _check_string_array(arr: Any, where: str) -> None:
    import numpy as np

    pd = _pd()
    if type(arr) is not pd.arrays.StringArray:
        raise _fail(f"{where} is a {type(arr).__name__}, not a StringArray")
    dtype, values = arr.dtype, arr._ndarray
    if type(dtype) is not pd.StringDtype or dtype.storage != "python":
        raise _fail(f"{where}'s dtype is not the python-storage string dtype")
    if type(values) is not np.ndarray or values.ndim != 1 or values.dtype.kind != "O":
        raise _fail(f"{where}'s buffer is not a 1-d object array")
    for item in values:
        if type(item) is not str and not (type(item) is float and math.isnan(item)):
            raise _fail(f"{where} holds a {type(item).__name__}, not a str or NaN")


def _check_categorical(cat: Any, where: str) -> None:
    import numpy as np

    pd = _pd()
    if type(cat) is not pd.Categorical:
        raise _fail(f"{where} is a {type(cat).__name__}, not a Categorical")
    dtype, codes = cat.dtype, cat._ndarray
    _check_categorical_dtype(dtype, f"{where}'s dtype")
    if type(codes) is not np.ndarray or codes.ndim != 1 or codes.dtype.kind != "i":
        raise _fail(f"{where}'s codes are not a 1-d integer array")
    n = len(dtype.categories)
    if codes.size and (int(codes.min()) < -1 or int(codes.max()) >= n):
        raise _fail(
            f"{where}'s codes run outside [-1, {n}): pandas takes the values with them unchecked"
        )


def _check_categorical_dtype(dtype: Any, where: str) -> None:
    pd = _pd()
    if type(dtype) is not pd.CategoricalDtype:
        raise _fail(f"{where} is a {type(dtype).__name__}, not a CategoricalDtype")
    cats = dtype.__dict__.get("_categories")
    if type(dtype.__dict__.get("_ordered")) is not bool or cats is None:
        raise _fail(f"{where} has no categories or a non-bool ordered")
    _check_index(cats, f"{where}'s categories")
    if type(cats) is pd.RangeIndex:
        return
    if not cats.is_unique or cats.hasnans:
        raise _fail(f"{where}'s categories are not unique and non-null, as pandas requires")


def _check_column_values(values: Any, where: str, *, ndim: int) -> None:
    """Column data a block or a Series may hold."""
    pd = _pd()
    kind = type(values)
    if kind is pd.Categorical:
        _check_categorical(values, where)
    elif kind is pd.arrays.StringArray:
        _check_string_array(values, where)
    else:
        _check_plain_array(values, where, ndim=ndim)


# --- stand-ins for the functions pandas pickles call -----------------------------------------


def _new_index(real: Callable[..., Any]) -> Callable[..., Any]:
    def _new_Index(cls: Any, d: Any) -> Any:
        pd = _pd()
        if type(d) is not dict:
            raise _fail("_new_Index's attributes are not a dict")
        if cls is pd.RangeIndex:
            if set(d) != {"name", "start", "stop", "step"}:
                raise _fail(f"a RangeIndex with keys {sorted(map(str, d))}")
            if not all(type(d[k]) is int for k in ("start", "stop", "step")) or d["step"] == 0:
                raise _fail("a RangeIndex's start, stop and step are not ints (step not 0)")
        elif cls is pd.Index:
            if set(d) != {"data", "name"}:
                raise _fail(f"an Index with keys {sorted(map(str, d))}")
            _check_index_data(d["data"], "an Index")
        else:
            raise _fail(f"_new_Index of {cls!r}: only Index and RangeIndex are trusted")
        _check_label(d["name"], "an Index's name")
        return real(cls, dict(d))

    return _new_Index


def _placement_indices(placement: Any, where: str) -> np.ndarray:
    """The column positions a placement names, as pandas would read them; only a slice of
    ints with step 1 or a 1-d int64 array."""
    import numpy as np

    if type(placement) is slice:
        start, stop, step = placement.start, placement.stop, placement.step
        if not (_is_int(start) and _is_int(stop) and (step is None or _is_int(step))):
            raise _fail(f"{where} is a slice that is not start:stop:1 of ints")
        start, stop, step = int(start), int(stop), 1 if step is None else int(step)
        if not 0 <= start <= stop or stop - start > 2**31 or step < 1:
            raise _fail(f"{where} is slice({start}, {stop}, {step}): not a range of columns")
        return np.arange(start, stop, step, dtype=np.int64)
    if type(placement) is np.ndarray and placement.ndim == 1 and placement.dtype == np.int64:
        return np.array(placement, dtype=np.int64)
    raise _fail(f"{where} is a {type(placement).__name__}, not a slice or an int64 array")


def _unpickle_block(real: Callable[..., Any]) -> Callable[..., Any]:
    def _unpickle_block(values: Any, placement: Any, ndim: Any) -> Any:
        import numpy as np

        if type(ndim) is not int or ndim != 2:
            raise _fail("a block of a DataFrame is not 2-d")
        where = "a DataFrame block"
        locs = _placement_indices(placement, f"{where}'s placement")
        if type(values) is np.ndarray:
            _check_plain_array(values, f"{where}'s values", ndim=2)
            if values.shape[0] != len(locs):
                raise _fail(f"{where} has {values.shape[0]} rows of data for {len(locs)} columns")
        else:
            _check_column_values(values, f"{where}'s values", ndim=1)
            if len(locs) != 1:
                raise _fail(f"{where} of a 1-d array placed at {len(locs)} columns")
        return real(values, placement, ndim)

    return _unpickle_block


def _block_manager(real: Any) -> Callable[..., Any]:
    def BlockManager(blocks: Any, axes: Any) -> Any:
        import numpy as np
        from pandas.core.internals.blocks import ExtensionBlock, NumpyBlock

        if type(blocks) not in (tuple, list) or type(axes) is not list or len(axes) != 2:
            raise _fail("a BlockManager is not (blocks, [columns, index])")
        _check_index(axes[0], "a DataFrame's columns")
        _check_index(axes[1], "a DataFrame's index")
        n_cols, n_rows = len(axes[0]), len(axes[1])
        seen = np.zeros(n_cols, dtype=bool)
        for blk in blocks:
            if type(blk) not in (NumpyBlock, ExtensionBlock):
                raise _fail(f"a DataFrame block is a {type(blk).__name__}")
            locs = np.asarray(blk.mgr_locs.as_array, dtype=np.int64)
            values = blk.values
            if locs.size and (int(locs.min()) < 0 or int(locs.max()) >= n_cols):
                raise _fail(
                    f"a block is placed at columns outside the frame's {n_cols}: pandas "
                    "indexes its tables with them unchecked while building the frame"
                )
            if seen[locs].any() or len(np.unique(locs)) != len(locs):
                raise _fail("two blocks share a column")
            seen[locs] = True
            if type(blk) is NumpyBlock:
                _check_plain_array(values, "a block's values", ndim=2)
                shape = values.shape
                if shape != (len(locs), n_rows):
                    raise _fail(f"a block of shape {shape} placed at {len(locs)} of {n_rows} rows")
            else:
                _check_column_values(values, "a block's values", ndim=1)
                if len(values) != n_rows or len(locs) != 1:
                    raise _fail("a 1-d block whose length is not the frame's")
        if not seen.all():
            raise _fail("a DataFrame has columns that no block holds")
        return real(tuple(blocks), axes)

    return BlockManager


def _ndarray_backed(real: Callable[..., Any]) -> Callable[..., Any]:
    def __pyx_unpickle_NDArrayBacked(cls: Any, checksum: Any, state: Any) -> Any:
        pd = _pd()
        checked = {pd.arrays.StringArray: STRING_ARRAY, pd.Categorical: CATEGORICAL}
        if cls not in checked or state is not None or type(checksum) is not int:
            raise _fail(
                "__pyx_unpickle_NDArrayBacked makes only a StringArray or a Categorical, given "
                "its state by one BUILD"
            )
        return real(checked_class(checked[cls]), checksum, None)

    return __pyx_unpickle_NDArrayBacked


def _timestamp(real: Callable[..., Any]) -> Callable[..., Any]:
    def _unpickle_timestamp(value: Any, freq: Any, tz: Any, reso: Any) -> Any:
        if type(value) is not int or not _INT64[0] <= value <= _INT64[1]:
            raise _fail("a Timestamp's value is not an int64")
        if freq is not None or tz is not None:
            raise _fail("a Timestamp with a frequency or a time zone (not reviewed)")
        if type(reso) is not int or reso not in _RESOLUTIONS:
            raise _fail(f"a Timestamp's resolution code {reso!r} is not s, ms, us or ns")
        return real(value, None, None, reso)

    return _unpickle_timestamp


def _timedelta(real: Callable[..., Any]) -> Callable[..., Any]:
    def _timedelta_unpickle(value: Any, reso: Any) -> Any:
        if type(value) is not int or not _INT64[0] <= value <= _INT64[1]:
            raise _fail("a Timedelta's value is not an int64")
        if type(reso) is not int or reso not in _RESOLUTIONS:
            raise _fail(f"a Timedelta's resolution code {reso!r} is not s, ms, us or ns")
        return real(value, reso)

    return _timedelta_unpickle


def _string_dtype(real: Any) -> Callable[..., Any]:
    def StringDtype(*args: Any) -> Any:
        if len(args) != 2 or args[0] != "python" or type(args[0]) is not str:
            raise _fail("a StringDtype other than StringDtype('python', nan) (pyarrow storage)")
        if not (type(args[1]) is float and math.isnan(args[1])):
            raise _fail("a StringDtype whose missing value is not NaN (not reviewed)")
        return real("python", args[1])

    return StringDtype


# --- NEWOBJ + BUILD classes: state checked before pandas' __setstate__ ------------------------


def _check_frame_state(state: Any, series: bool) -> None:
    pd = _pd()
    from pandas.core.internals.managers import BlockManager, SingleBlockManager

    kind = "Series" if series else "DataFrame"
    allowed = {"_mgr", "_typ", "_metadata", "attrs", "_attrs", "_flags"}
    if series:
        allowed.add("_name")
    if type(state) is not dict or not set(state) <= allowed or "_mgr" not in state:
        raise _fail(f"a {kind}'s state has keys pandas never writes")
    mgr = state["_mgr"]
    if type(mgr) is not (SingleBlockManager if series else BlockManager):
        raise _fail(f"a {kind}'s manager is a {type(mgr).__name__}")
    if state.get("_typ", "series" if series else "dataframe") != (
        "series" if series else "dataframe"
    ):
        raise _fail(f"a {kind}'s _typ is not {kind.lower()}")
    if state.get("_metadata", []) not in ([], ["_name"]):
        raise _fail(f"a {kind}'s _metadata names other attributes")
    for key in ("attrs", "_attrs"):
        attrs = state.get(key, {})
        if attrs is None:
            continue
        if type(attrs) is not dict or not all(
            type(k) is str and _plain(v) for k, v in attrs.items()
        ):
            raise _fail(f"a {kind}'s attrs are not a dict of plain values")
    flags = state.get("_flags", {})
    if type(flags) is not dict or not all(
        k == "allows_duplicate_labels" and type(v) is bool for k, v in flags.items()
    ):
        raise _fail(f"a {kind}'s flags are not {{'allows_duplicate_labels': bool}}")
    if series:
        _check_label(state.get("_name"), "a Series' name")
    del pd


def _check_single_manager_state(state: Any) -> None:
    if type(state) is not tuple or len(state) != 4 or type(state[3]) is not dict:
        raise _fail("a SingleBlockManager's state is not the 4-tuple pandas writes")
    if set(state[3]) != {"0.14.1"} or type(state[3]["0.14.1"]) is not dict:
        raise _fail("a SingleBlockManager's state is not pandas' 0.14.1 form")
    for old in state[:3]:
        if type(old) is not list:
            raise _fail("a SingleBlockManager's state is not the 4-tuple pandas writes")
    inner = state[3]["0.14.1"]
    if set(inner) != {"axes", "blocks"}:
        raise _fail("a SingleBlockManager's state has keys pandas never writes")
    axes, blocks = inner["axes"], inner["blocks"]
    if type(axes) is not list or len(axes) != 1 or type(blocks) is not list or len(blocks) != 1:
        raise _fail("a SingleBlockManager has not one axis and one block")
    _check_index(axes[0], "a Series' index")
    block = blocks[0]
    if type(block) is not dict or set(block) != {"values", "mgr_locs"}:
        raise _fail("a Series block is not {'values', 'mgr_locs'}")
    values = block["values"]
    _check_column_values(values, "a Series' values", ndim=1)
    n = len(axes[0])
    if len(values) != n:
        raise _fail(f"a Series with {len(values)} values for an index of {n}")
    locs = _placement_indices(block["mgr_locs"], "a Series block's placement")
    if len(locs) != n or (n and (locs[0] != 0 or locs[-1] != n - 1)):
        raise _fail(f"a Series block's placement is not slice(0, {n}, 1)")


def _check_categorical_dtype_state(state: Any) -> None:
    if type(state) is not dict or set(state) != {"categories", "ordered"}:
        raise _fail("a CategoricalDtype's state is not {'categories', 'ordered'}")
    if type(state["ordered"]) is not bool:
        raise _fail("a CategoricalDtype's ordered is not a bool")
    _check_index(state["categories"], "a CategoricalDtype's categories")
    cats = state["categories"]
    if type(cats) is not _pd().RangeIndex and (not cats.is_unique or cats.hasnans):
        raise _fail("a CategoricalDtype's categories are not unique and non-null")


def _check_backed_state(pair: tuple[str, str], state: Any) -> None:
    import numpy as np

    pd = _pd()
    if type(state) is not tuple or len(state) not in (2, 3):
        raise _fail(f"a {pair[1]}'s state is not (dtype, buffer)")
    if len(state) == 3 and not (
        type(state[2]) is dict
        and set(state[2]) <= {"_readonly"}
        and all(type(v) is bool for v in state[2].values())
    ):
        raise _fail(f"a {pair[1]}'s attributes are not {{'_readonly': bool}}")
    dtype, values = state[:2]
    if pair == STRING_ARRAY:
        if type(dtype) is not pd.StringDtype or dtype.storage != "python":
            raise _fail("a StringArray's dtype is not the python-storage string dtype")
    else:
        _check_categorical_dtype(dtype, "a Categorical's dtype")
    if type(values) is not np.ndarray or values.ndim != 1:
        raise _fail(f"a {pair[1]}'s buffer is not a 1-d numpy array")


def _check_backed_built(pair: tuple[str, str], obj: Any) -> None:
    if pair == STRING_ARRAY:
        _check_string_array(obj, "a StringArray")
    else:
        _check_categorical(obj, "a Categorical")


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


_FORMS: dict[tuple[str, str], Callable[[Any], Any]] = {
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
    make = _FORMS.get(pair)
    if make is None:
        return None
    module = sys.modules.get(pair[0]) or __import__(pair[0], fromlist=["_"])
    return make(getattr(module, pair[1]))


@functools.cache
def _leaf_types() -> frozenset[type]:
    pd = _pd()
    from pandas.core.internals.blocks import ExtensionBlock, NumpyBlock
    from pandas.core.internals.managers import BlockManager, SingleBlockManager

    return frozenset(
        {
            pd.DataFrame, pd.Series, pd.Index, pd.RangeIndex, pd.Categorical,
            pd.CategoricalDtype, pd.arrays.StringArray, pd.StringDtype, pd.Timestamp,
            pd.Timedelta, BlockManager, SingleBlockManager, NumpyBlock, ExtensionBlock,
        }
    )  # fmt: skip


def is_checked_pandas(obj: Any) -> bool:
    """Whether ``obj`` is one of the pandas objects the narrowed forms make, and check
    completely before pandas' code runs: the use-time review takes it as a value (its state is
    pandas' own, and nothing in it names a method, a callable or a path)."""
    if "pandas" not in sys.modules or not type(obj).__module__.startswith("pandas"):
        return False
    return type(obj) in _leaf_types()


def checked_pandas_arrays(obj: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The numpy arrays inside a checked pandas object (:func:`is_checked_pandas`): block
    values, index data, a categorical's codes, a string array's objects. The use-time walk
    does not enter these objects, but their arrays are memory the file gave them, so the
    aliasing check after building must see them (rt28-03: a frame's block over the bytes a
    tree's nodes use, rewritten in place by ``df.iloc[...] = ...``). Only pandas' own
    attributes are read, and never a ``RangeIndex``'s data (which it would make).

    Returns every array, and the blocks' values among them: what pandas' public API writes
    in place (``df.iloc[...] = ...``; an index is immutable)."""
    import numpy as np
    from pandas.core.internals.blocks import Block
    from pandas.core.internals.managers import BaseBlockManager

    pd = _pd()
    found: list[np.ndarray] = []
    blocks: list[np.ndarray] = []
    todo: list[Any] = [obj]
    seen: set[int] = set()
    while todo:
        o = todo.pop()
        if id(o) in seen or o is None:
            continue
        seen.add(id(o))
        if isinstance(o, np.ndarray):
            found.append(o)
        elif isinstance(o, (pd.DataFrame, pd.Series)):
            todo.append(o._mgr)
        elif isinstance(o, BaseBlockManager):
            todo.extend(o.blocks)
            todo.extend(o.axes)
        elif isinstance(o, pd.RangeIndex):
            continue
        elif isinstance(o, pd.Index):
            todo.append(o._data)
        elif isinstance(o, pd.Categorical):
            todo.extend((o._codes, o.categories))
        elif isinstance(o, pd.arrays.StringArray):
            todo.append(o._ndarray)
        elif isinstance(o, Block):
            todo.append(o.values)
            if isinstance(o.values, np.ndarray):
                blocks.append(o.values)
    return found, blocks
