"""What ``repr`` of a model formats: the bound on printed parameters (rt84-17).

scikit-learn's pretty-printer (``repr``, a notebook's ``_repr_html_``) formats every
constructor parameter of every estimator it meets, item by item for a Python container
(some 3 us an item), and a kernel formats each of its length scales (``RBF.__repr__``). It
does not remember what it has printed, and renders a nested estimator's parameters about
twice per estimator above it (measured: a list parameter 17 times slower three pipelines
deep, a kernel's length scales 725 times slower eight deep). One list of 65,536 floats, or
one RBF of 65,536 length scales, referenced from 16 places or nested a few pipelines deep,
is a file of under 1 KB whose ``repr`` takes seconds to minutes.

The count: each estimator's parameters (its attributes named neither ``_x`` nor ``x_``:
scikit-learn's convention for what ``get_params`` returns) and each kernel's
hyperparameters, as items (:func:`printed_items`), times how often the printer meets the
owner with its nesting (:func:`safeload.trust.sharing.path_counts` with ``doubling`` at
every estimator). At most :data:`MAX_PRINTED`, or :data:`PRINT_SPREAD` per byte of the file
as it is stored.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np

from safeload.trust.shadow_values import Shadow, Unknown, Unproven, class_of
from safeload.trust.structures.names import _attrs

#: Printed items ``repr`` of a whole model may format, its nesting counted: an item takes
#: 1.7-1.9 us at the top level and up to some 5.6 us deep in pipelines (where the printer's
#: work grows a little faster than twice per level), so 0.45-1.5 s here. An honest
#: GaussianProcessRegressor of 65,536 anisotropic length scales counts 131,072 (0.22 s
#: measured); a CountVectorizer given a vocabulary of 10,000 words, 50,000 (0.2 s).
MAX_PRINTED = 1 << 18
#: Printed items per byte of the file, as stored, past :data:`MAX_PRINTED`: a file's own
#: parameters are paid by its size, as in the other use-time bounds (an honest vocabulary
#: parameter stores one to two compressed bytes per item it prints).
PRINT_SPREAD = 8
#: What a dict entry costs beyond its key and value (the printer sorts and pairs them:
#: 17.7 us an entry measured, against 3.3 us a list item).
DICT_ENTRY = 3
#: Characters of a string (or bytes) per printed item: the printer cuts a long string at
#: its words, 0.2 us a character.
CHARS_PER_ITEM = 8
#: numpy prints an array of more than this many items summarized (``threshold``).
ARRAY_SHOWN = 1000


#: The bases whose instances the printer formats by their parameters: scikit-learn's
#: estimators (what the doubling counts) and its Gaussian-process kernels.
_ESTIMATOR = "sklearn.base:BaseEstimator"
_KERNEL = "sklearn.gaussian_process.kernels:Kernel"


def printed_kind(cls: Any) -> str:
    """``"estimator"``, ``"kernel"`` or ``""`` for a class (or scan's class facts), by its
    bases' names: nothing is imported (a scan of a plain model imports no scikit-learn)."""
    from safeload.trust import facts

    names = facts.mro_names(cls)
    if _ESTIMATOR in names:
        return "estimator"
    return "kernel" if _KERNEL in names else ""


def printed_problem(instances: Any, weights: dict[int, int], file_size: int | None) -> str | None:
    """Why ``repr`` of the model holding ``instances`` would format too much, or ``None``.
    ``weights``: how often the printer meets each instance, by id, nesting counted (an
    instance not in it is not held by the model)."""
    memo: dict[int, int] = {}
    bound = max(MAX_PRINTED, PRINT_SPREAD * (file_size or 0))
    total = 0
    for obj in instances:
        times = weights.get(id(obj), 0)
        if not times:
            continue
        kind = printed_kind(class_of(obj))
        if not kind:
            continue
        own = 0
        for name, value in _attrs(obj).items():
            if name.startswith("_") or name.endswith("_"):
                continue
            # (a kernel formats every number of its arrays: RBF's length scales)
            own += printed_items(value, memo, whole_arrays=kind == "kernel")
        total += times * own
        if total > bound:
            return (
                f"its repr would format {total:,} or more parameter items, nesting counted "
                f"(at most {bound:,}): scikit-learn's printer formats each item of a "
                "parameter's containers and each length scale of a kernel wherever it meets "
                "the estimator, about twice per estimator above it"
            )
    return None


def _is_instance(value: Any) -> bool:
    """An estimator or kernel: counted as an instance of its own, not inside its holder."""
    if type(value) is not Shadow and not hasattr(type(value), "get_params"):
        return False
    return bool(printed_kind(class_of(value)))


#: Values that print as one item, met by the million in a long parameter (a list of floats).
_SCALARS = frozenset(
    {int, float, bool, complex, type(None), np.float64, np.float32, np.int64, np.int32, np.bool_}
)
_TEXTS = frozenset({str, bytes, bytearray})
_SEQUENCES = frozenset({list, tuple, set, frozenset})


def _entered(value: Any) -> tuple[Any, int] | None:
    """``(an iterator over what the printer formats inside value, the items it adds beyond
    them)`` for a container the printer enters; ``None`` for anything else."""
    kind = type(value)
    if kind in _SEQUENCES:
        return iter(value), 0
    if kind is dict:
        return itertools.chain.from_iterable(value.items()), DICT_ENTRY * len(value)
    if kind is np.ndarray and value.dtype.hasobject:
        return iter(value.ravel(order="K")), 0
    if kind is functools.partial:
        inside = itertools.chain((value.func,), value.args, value.keywords.values())
        return inside, DICT_ENTRY * len(value.keywords)
    return None


def _leaf_items(value: Any, whole_arrays: bool) -> int:
    kind = type(value)
    if kind in _SCALARS:
        return 1
    if kind in _TEXTS:
        return 1 + len(value) // CHARS_PER_ITEM
    if kind is Unknown:
        # (scan's stand-in for a large string or bytes the stream holds: its length)
        size = object.__getattribute__(value, "size")
        if size is None:
            raise Unproven("a parameter the pass cannot see, which repr formats")
        return 1 + int(size) // CHARS_PER_ITEM
    if kind is np.ndarray:
        size = int(value.size)
        return 1 + (size if whole_arrays else min(size, ARRAY_SHOWN))
    return 1


def printed_items(value: Any, memo: dict[int, int], whole_arrays: bool = False) -> int:
    """The items ``repr`` formats for ``value``: a number, string (per
    :data:`CHARS_PER_ITEM` characters), numeric array (its first :data:`ARRAY_SHOWN` items,
    or all with ``whole_arrays``) or other object is 1; a container 1 plus its items, met as
    often as it is held (a list holding one list twice prints it twice), a dict entry
    :data:`DICT_ENTRY` more; an estimator or kernel inside is 1 (counted on its own). A
    container met again on its own path prints as ``[...]``: 1. ``memo`` keeps each
    container's count by id, for the whole model. Iterative: a deep list is no recursion."""
    if type(value) in _SCALARS:
        return 1
    first = None if _is_instance(value) else _entered(value)
    if first is None:
        return 1 if _is_instance(value) else _leaf_items(value, whole_arrays)
    if id(value) in memo:
        return memo[id(value)]
    on_path = {id(value)}
    stack: list[tuple[Any, Any, list[int]]] = [(value, first[0], [1 + first[1]])]
    while stack:
        node, items, acc = stack[-1]
        for item in items:
            kind = type(item)
            if kind in _SCALARS:
                acc[0] += 1
                continue
            inner = None if kind in _TEXTS or _is_instance(item) else _entered(item)
            if inner is None:
                acc[0] += (
                    1
                    if kind not in _TEXTS and _is_instance(item)
                    else _leaf_items(item, whole_arrays)
                )
                continue
            key = id(item)
            if key in memo:
                acc[0] += memo[key]
            elif key in on_path:
                acc[0] += 1
            else:
                on_path.add(key)
                stack.append((item, inner[0], [1 + inner[1]]))
                break
        else:
            stack.pop()
            on_path.discard(id(node))
            memo[id(node)] = acc[0]
            if stack:
                stack[-1][2][0] += acc[0]
    return memo[id(value)]
