"""What every build-time check shares: the error a failed check raises and the array type."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

#: numpy 2.2's stubs (the newest numpy on Python 3.10) require ndarray's type arguments.
Array = npt.NDArray[Any]


#: Most features a decision tree may say it was fitted on. ``feature_importances_`` and the
#: partial-dependence helpers allocate one float per feature, so without a cap a small file could
#: ask for gigabytes with one integer (r15-12); 16 777 216 columns is far beyond any tree fitted
#: on dense data (and beyond ``HashingVectorizer``'s default of 2**20).
MAX_TREE_FEATURES = 2**24

#: Most columns a transform may allocate per input row from a stored size it cannot derive from
#: the input (``PolynomialFeatures``' expansion, ``PolynomialCountSketch``'s sketches): the same
#: bound as :data:`MAX_TREE_FEATURES`, for the same reason (r15-12, rt18-10).
MAX_OUTPUT_COLUMNS = 2**24

#: The longest step name a pipeline, union or column transformer may hold. Each prefixes every
#: output name of its step in ``get_feature_names_out``, so a long one is repeated once per
#: column: a 64 KB name over 10,000 columns is 655 MB of names from a 150 KB file (rt31-06).
MAX_STEP_NAME = 256

#: The longest feature name an estimator may store (a column name; generated names repeat it,
#: and LightGBM's ``feature_name()`` allocates one buffer of the longest per feature, rt45-06).
MAX_FEATURE_NAME = 1024

#: Most loop rounds a transform may run from a stored count alone (``AdditiveChi2Sampler``'s
#: ``sample_steps``, ``PolynomialFeatures``' degree): each round allocates an array as large as the
#: input, and scikit-learn's documentation calls 1 to 3 steps typical.
MAX_TRANSFORM_ROUNDS = 1_000


class Bad(Exception):
    pass


def require(cond: Any, what: str) -> None:
    if not bool(cond):
        raise Bad(what)


#: Most objects a walk of a loaded model visits (and the longest chain a check follows).
MAX_OBJECTS = 50_000_000


def is_int(value: Any) -> bool:
    """A Python or numpy integer, not a bool."""
    return type(value) is not bool and isinstance(value, (int, np.integer))


def int_array_within(values: Any, low: int, high: int) -> bool:
    """``values`` are integers, all in ``[low, high)``."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        return False
    return arr.size == 0 or low <= int(arr.min()) <= int(arr.max()) < high


def root_array(a: Any) -> Any:
    """The array whose memory ``a`` views (``a`` itself if it owns its memory)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def reachable(
    root: Any, edges: dict[int, list[int]], stop: frozenset[int] | set[int] = frozenset()
) -> set[int]:
    """The ids of what ``root`` reaches along ``edges`` (id -> ids it holds: the load's
    use-time walk, or scan's shadow graph), ``root`` included. A node in ``stop`` is reached
    but not entered."""
    seen = {id(root)}
    stack = [id(root)]
    while stack:
        key = stack.pop()
        if key in stop:
            continue
        for kid in edges.get(key, ()):
            if kid not in seen:
                seen.add(kid)
                stack.append(kid)
    return seen
