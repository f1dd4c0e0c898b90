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

This module names what the profile trusts and finds the arrays inside a checked object; the
forms live below it: :mod:`safeload.trust.pandas_calls` (the stand-ins and
:func:`~safeload.trust.pandas_calls.narrowed_form`), :mod:`safeload.trust.pandas_states` (the
checked ``__setstate__``) and :mod:`safeload.trust.pandas_values` (the checks on values).
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import numpy as np
from safeload.trust.pandas_values import pandas_module

__all__ = [
    "CALLS",
    "NDARRAY_BACKED",
    "NEWOBJ_ONLY",
    "ONE_BUILD",
    "PANDAS_NAMES",
    "REFERENCE_ONLY",
    "PandasContents",
    "is_checked_pandas",
    "pandas_contents",
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


@functools.cache
def _leaf_types() -> frozenset[type]:
    pd = pandas_module()
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


def _parts(obj: Any) -> Iterator[Any]:
    """Each object inside a checked pandas object, once: frames and series, their managers,
    blocks and axes, indexes, categoricals, string arrays, numpy arrays. Only pandas' own
    attributes are read, and never a ``RangeIndex``'s data (which it would make)."""
    import numpy as np
    from pandas.core.internals.blocks import Block
    from pandas.core.internals.managers import BaseBlockManager

    pd = pandas_module()
    todo: list[Any] = [obj]
    seen: set[int] = set()
    while todo:
        o = todo.pop()
        if id(o) in seen or o is None:
            continue
        seen.add(id(o))
        yield o
        if isinstance(o, np.ndarray) or isinstance(o, pd.RangeIndex):
            continue
        if isinstance(o, (pd.DataFrame, pd.Series)):
            todo.append(o._mgr)
        elif isinstance(o, BaseBlockManager):
            todo.extend(o.blocks)
            todo.extend(o.axes)
        elif isinstance(o, pd.Index):
            todo.append(o._data)
        elif isinstance(o, pd.Categorical):
            todo.extend((o._codes, o.categories))
        elif isinstance(o, pd.arrays.StringArray):
            todo.append(o._ndarray)
        elif isinstance(o, Block):
            todo.append(o.values)


class PandasContents(NamedTuple):
    """What one walk of a checked pandas object finds (:func:`pandas_contents`)."""

    #: every numpy array inside it: block values, index data, a categorical's codes, a
    #: string array's objects
    arrays: list[np.ndarray]
    #: the blocks' values among them: what pandas' public API writes in place
    #: (``df.iloc[...] = ...``; an index is immutable)
    blocks: list[np.ndarray]
    #: why it is refused for a long ``RangeIndex`` that nothing pays for, or ``None``
    unpaid_range: str | None
    #: the numpy array inside each extension block (a categorical's codes, a string array's
    #: objects, a masked array's values): the values such a block holds
    extension: list[np.ndarray]
    #: the dtype of each categorical inside it, which pandas hashes at use (``df.dtypes``,
    #: ``df.info()``)
    dtypes: list[Any]


def pandas_contents(obj: Any) -> PandasContents:
    """The arrays inside a checked pandas object (:func:`is_checked_pandas`) and its unpaid
    ranges, in one walk of its parts.

    The use-time walk does not enter these objects, but their arrays are memory the file gave
    them, so the aliasing check after building must see them (rt28-03: a frame's block over
    the bytes a tree's nodes use, rewritten in place by ``df.iloc[...] = ...``).

    A ``RangeIndex`` is three ints in the file, a length as free as a ``range``'s: as a fitted
    array's stand-in (a class-count array, a calibrator's classes), ``RangeIndex(2**20)`` or
    an empty frame of 2**20 rows made ``predict_proba`` allocate (n, 2**20), 16 GB from 1.5 KB
    (rt56-07). One longer than :data:`~safeload._numpy_state.MAX_EMPTY_AXIS` is allowed as an
    axis of a frame or series whose blocks hold at least as many values (an honest frame of a
    million rows), and as a categorical's categories when its codes are as many."""
    import numpy as np
    from pandas.core.internals.blocks import Block
    from pandas.core.internals.managers import BaseBlockManager

    from safeload._numpy_state import MAX_EMPTY_AXIS

    pd = pandas_module()
    found: list[np.ndarray] = []
    blocks: list[np.ndarray] = []
    extension: list[np.ndarray] = []
    paid: dict[int, int] = {}  # a long RangeIndex's id: the most values a holder stores
    long: list[Any] = []
    dtypes: list[Any] = []
    for o in _parts(obj):
        if isinstance(o, np.ndarray):
            found.append(o)
        elif isinstance(o, Block):
            if isinstance(o.values, np.ndarray):
                blocks.append(o.values)
            else:
                inner = next(
                    (
                        a
                        for a in (getattr(o.values, n, None) for n in ("_ndarray", "_data"))
                        if isinstance(a, np.ndarray)
                    ),
                    None,
                )
                if inner is not None:
                    extension.append(inner)
        elif isinstance(o, BaseBlockManager):
            stored = sum(math.prod(b.shape) for b in o.blocks)
            for axis in o.axes:
                paid[id(axis)] = max(paid.get(id(axis), 0), stored)
        elif isinstance(o, pd.Categorical):
            categories = o.categories
            paid[id(categories)] = max(paid.get(id(categories), 0), len(o._codes))
            dtypes.append(o.dtype)
        elif isinstance(o, pd.CategoricalDtype):
            # (one held as a value: a list of them a class hashes at use, rt122-04)
            dtypes.append(o)
        elif type(o) is pd.RangeIndex and len(o) > MAX_EMPTY_AXIS:
            long.append(o)
    unpaid = None
    for index in long:
        if paid.get(id(index), 0) < len(index):
            unpaid = (
                f"a pandas RangeIndex of {len(index):,} items that no stored values pay for "
                f"(at most {MAX_EMPTY_AXIS:,} unpaid)"
            )
            break
    return PandasContents(found, blocks, unpaid, extension, dtypes)
