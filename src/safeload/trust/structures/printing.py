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
from typing import Any

import numpy as np

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


def printed_problem(instances: Any, weights: dict[int, int], file_size: int | None) -> str | None:
    """Why ``repr`` of the model holding ``instances`` would format too much, or ``None``.
    ``weights``: how often the printer meets each instance, by id, nesting counted (an
    instance not in it is not held by the model)."""
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of

    memo: dict[int, int] = {}
    bound = max(MAX_PRINTED, PRINT_SPREAD * (file_size or 0))
    total = 0
    for obj in instances:
        times = weights.get(id(obj), 0)
        if not times:
            continue
        cls = class_of(obj)
        kernel = facts.is_kernel(cls)
        if not (kernel or facts.is_estimator(cls)):
            continue
        from safeload.trust.structures.names import _attrs

        own = 0
        for name, value in _attrs(obj).items():
            if name.startswith("_") or name.endswith("_"):
                continue
            # (a kernel formats every number of its arrays: RBF's length scales)
            own += printed_items(value, memo, whole_arrays=kernel)
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
    from safeload.trust import facts
    from safeload.trust.shadow_values import Shadow, class_of

    if type(value) is not Shadow and not hasattr(type(value), "get_params"):
        return False
    cls = class_of(value)
    return facts.is_estimator(cls) or facts.is_kernel(cls)


def _children(value: Any) -> list[tuple[Any, int]] | None:
    """The items ``value`` prints with what each adds beyond its own count, when it is a
    container the printer enters; ``None`` for anything else."""
    kind = type(value)
    if kind in (list, tuple, set, frozenset):
        return [(item, 0) for item in value]
    if kind is dict:
        out: list[tuple[Any, int]] = []
        for key, item in value.items():
            out.append((key, DICT_ENTRY))
            out.append((item, 0))
        return out
    if kind is np.ndarray and value.dtype.hasobject:
        return [(item, 0) for item in value.ravel(order="K")]
    if kind is functools.partial:
        return [(value.func, 0), *((a, 0) for a in value.args)] + [
            (item, DICT_ENTRY) for item in value.keywords.values()
        ]
    return None


def _leaf_items(value: Any, whole_arrays: bool) -> int:
    from safeload.trust.shadow_values import Unknown, Unproven

    kind = type(value)
    if kind is Unknown:
        raise Unproven("a parameter the pass cannot see, which repr formats")
    if kind in (str, bytes, bytearray):
        return 1 + len(value) // CHARS_PER_ITEM
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
    if _is_instance(value):
        return 1
    kids = _children(value)
    if kids is None:
        return _leaf_items(value, whole_arrays)
    if id(value) in memo:
        return memo[id(value)]
    on_path = {id(value)}
    stack: list[tuple[Any, Any, list[int]]] = [(value, iter(kids), [1])]
    while stack:
        node, items, acc = stack[-1]
        for item, extra in items:
            acc[0] += extra
            inner = None if _is_instance(item) else _children(item)
            if inner is None:
                acc[0] += 1 if _is_instance(item) else _leaf_items(item, whole_arrays)
                continue
            key = id(item)
            if key in memo:
                acc[0] += memo[key]
            elif key in on_path:
                acc[0] += 1
            else:
                on_path.add(key)
                stack.append((item, iter(inner), [1]))
                break
        else:
            stack.pop()
            on_path.discard(id(node))
            memo[id(node)] = acc[0]
            if stack:
                stack[-1][2][0] += acc[0]
    return memo[id(value)]
