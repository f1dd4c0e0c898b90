"""What ``repr`` of a model formats: the bound on printed parameters (rt84-17).

scikit-learn's pretty-printer (``repr``, a notebook's ``_repr_html_``) formats every
constructor parameter of every estimator it meets, item by item for a Python container
(some 3 us an item), and a kernel formats each of its length scales (``RBF.__repr__``). It
does not remember what it has printed, and renders a nested estimator's parameters about
twice per estimator above it (measured: a list parameter 17 times slower three pipelines
deep, a kernel's length scales 725 times slower eight deep). One list of 65,536 floats, or
one RBF of 65,536 length scales, referenced from 16 places or nested a few pipelines deep,
is a file of under 1 KB whose ``repr`` takes seconds to minutes.

The count: each estimator's parameters (those its class holds to
``_parameter_constraints``; for a class without them, its attributes named neither ``_x``
nor ``x_``: scikit-learn's convention for what ``get_params`` returns) and each kernel's
hyperparameters, as items (:func:`printed_items`), the estimators and kernels among them
counted as they print, an estimator's twice (:class:`_Printer`); what fit stores is not
printed (a forest's trees). Each estimator or kernel the model holds, times how often the
model meets it, at most :data:`MAX_PRINTED`, whatever the file's size.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np

from safeload.trust import facts
from safeload.trust.shadow_values import Shadow, Unknown, Unproven, class_of
from safeload.trust.structures.names import _attrs

#: Printed items ``repr`` of a whole model may format, its nesting counted: an item takes
#: 1.7-1.9 us of ``repr`` at the top level and up to some 5.6 us deep in pipelines (where the
#: printer's work grows a little faster than twice per level), and a notebook's display
#: (``_repr_mimebundle_``: the text and the HTML) about three times that, so some 0.25-0.75 s
#: of repr and up to 2.3 s of display here (rt85-10: 257,664 items took 1.5 s and 4.5 s). An
#: honest GaussianProcessRegressor of 65,536 anisotropic length scales counts 131,072 (0.22 s
#: of repr measured); a CountVectorizer given a vocabulary of 10,000 words, 120,000 (0.2 s).
#: Not paid by the file's size: what pays need not be what prints (rt85-03: 756 KB of random
#: coefficients bought a 20 s repr).
MAX_PRINTED = (1 << 17) + (1 << 12)  # (and room for the regressor's other parameters)
#: What a dict entry costs beyond its key and value (the printer sorts and pairs them:
#: 17.7 us an entry measured, against 3.3 us a list item).
DICT_ENTRY = 3
#: Characters of a string (or bytes) per printed item: the printer cuts a long string at
#: its words, 0.2 us a character.
CHARS_PER_ITEM = 8
#: numpy prints an array of more than this many items summarized (``threshold``), showing
#: :data:`ARRAY_EDGE` items at each end of every axis (rt85-05: a (7,) * 7 array shows 6**7).
ARRAY_SHOWN = 1000
ARRAY_EDGE = 3


#: The bases whose instances the printer formats by their parameters: scikit-learn's
#: estimators (what the doubling counts) and its Gaussian-process kernels.
_ESTIMATOR = "sklearn.base:BaseEstimator"
_KERNEL = "sklearn.gaussian_process.kernels:Kernel"


def printed_kind(cls: Any) -> str:
    """``"estimator"``, ``"kernel"`` or ``""`` for a class (or scan's class facts), by its
    bases' names: nothing is imported (a scan of a plain model imports no scikit-learn)."""
    names = facts.mro_names(cls)
    if _ESTIMATOR in names:
        return "estimator"
    return "kernel" if _KERNEL in names else ""


class _Printer:
    """What ``repr`` of each estimator or kernel formats (:func:`printed_problem`), by id:
    ``printed``, and the containers' counts, ``memo``."""

    def __init__(self) -> None:
        self.printed: dict[int, int] = {}
        self.memo: dict[int, int] = {}
        self.active: set[int] = set()
        #: per class (by id: the classes outlive the count), its kind and parameter names
        self.classes: dict[int, tuple[str, frozenset[str]]] = {}

    def kind_of(self, obj: Any) -> tuple[str, frozenset[str]]:
        """:func:`printed_kind` of ``obj``'s class and, for an estimator, the parameters its
        class validates (a forest's hundreds of trees ask for one class)."""
        cls = class_of(obj)
        found = self.classes.get(id(cls))
        if found is None:
            kind = printed_kind(cls)
            params = facts.constraint_names(cls) if kind == "estimator" else frozenset()
            found = self.classes[id(cls)] = (kind, params)
        return found

    def instance(self, obj: Any) -> int:
        """``repr`` of ``obj``: twice (an estimator; the pretty-printer renders a nested
        estimator's parameters about twice per estimator above it) or once (a kernel) the
        items of its parameters, the estimators and kernels among them counted as they print.
        One met again inside itself prints as ``...``: 1."""
        key = id(obj)
        if key in self.printed:
            return self.printed[key]
        if key in self.active:
            return 1
        self.active.add(key)
        # (an estimator's parameters are the names its class validates; without such a table
        # (a kernel, a third-party estimator), every attribute named neither _x nor x_)
        kind, params = self.kind_of(obj)
        own = 0
        for name, value in _attrs(obj).items():
            if name not in params if params else name.startswith("_") or name.endswith("_"):
                continue
            kind_of_value = type(value)
            if kind_of_value in _SCALARS:  # (most parameters: a forest's trees hold only these)
                own += 1
            elif kind_of_value is str:
                own += 1 + len(value) // CHARS_PER_ITEM
            elif kind_of_value is int:
                own += _int_items(value)
            else:
                # (a kernel formats every number of its arrays: RBF's length scales)
                own = min(own + printed_items(value, self.memo, kind == "kernel", self), _CAP)
        self.active.discard(key)
        total = min((2 if kind == "estimator" else 1) * own, _CAP)
        self.printed[key] = total
        return total


#: Where a count stops growing (far past :data:`MAX_PRINTED`).
_CAP = 1 << 62


def printed_problem(instances: Any, meets: dict[int, int]) -> str | None:
    """Why ``repr`` of an estimator or kernel the model holds would format too much, or
    ``None``: what it prints (:class:`_Printer`: its parameters, not what fit stored: a
    forest's trees do not print), times how often the model meets it (``meets``, by id: a
    list holding one estimator 1,000 times prints it 1,000 times; an instance not in it is
    not held by the model). The largest counts, at most :data:`MAX_PRINTED`."""
    printer = _Printer()
    try:
        for obj in instances:
            times = meets.get(id(obj), 0)
            if not times or not printer.kind_of(obj)[0]:
                continue
            total = times * printer.instance(obj)
            if total > MAX_PRINTED:
                return (
                    f"its repr would format {total:,} or more parameter items, nesting "
                    f"counted (at most {MAX_PRINTED:,}): scikit-learn's printer formats each "
                    "item of a parameter's containers and each length scale of a kernel "
                    "wherever it meets the estimator, about twice per estimator above it"
                )
    except RecursionError:
        return "its parameters nest too deeply for their repr to be counted"
    return None


def _is_instance(value: Any) -> bool:
    """An estimator or kernel: counted as an instance of its own, not inside its holder."""
    if type(value) is not Shadow and not hasattr(type(value), "get_params"):
        return False
    return bool(printed_kind(class_of(value)))


#: Values that print as one item, met by the million in a long parameter (a list of floats).
_SCALARS = frozenset(
    {float, bool, complex, type(None), np.float64, np.float32, np.int64, np.int32, np.bool_}
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
        return 1 + _array_items(value, whole_arrays)
    if kind is int:
        return _int_items(value)
    return 1


def _int_items(value: int) -> int:
    """A Python int: its decimal digits cost quadratic time (250 us for 4,300 digits, the
    most repr makes, rt85-08)."""
    words = value.bit_length() // 64
    return 1 + words * words // 600


def _array_items(array: Any, whole: bool) -> int:
    """The items numpy's repr formats for a numeric, text or record ``array``: every one, or
    for more than :data:`ARRAY_SHOWN` (unless ``whole``: a kernel formats each length scale)
    :data:`ARRAY_EDGE` at each end of each axis; each as wide as its dtype prints (a text
    item by its characters, a record by its 8-byte fields: rt85-04)."""
    size = int(array.size)
    shown: int = size
    if size > ARRAY_SHOWN and not whole:
        shown = 1
        for length in array.shape:
            shown *= min(int(length), 2 * ARRAY_EDGE)
    dtype: Any = array.dtype
    width: int
    if dtype.kind == "U":
        width = 1 + dtype.itemsize // 4 // CHARS_PER_ITEM
    elif dtype.kind in "SV" or dtype.fields is not None or dtype.subdtype is not None:
        width = 1 + dtype.itemsize // 8
    else:
        width = 1
    return shown * width


def printed_items(
    value: Any, memo: dict[int, int], whole_arrays: bool = False, printer: _Printer | None = None
) -> int:
    """The items ``repr`` formats for ``value``: a number, a string (per
    :data:`CHARS_PER_ITEM` characters) or another object is 1 (a big int more, an array as
    :func:`_array_items` counts it, all its items with ``whole_arrays``); a container 1 plus
    its items, met as often as it is held (a list holding one list twice prints it twice), a
    dict entry :data:`DICT_ENTRY` more; an estimator or kernel inside as ``printer`` counts
    it (1 without one). A container met again on its own path prints as ``[...]``: 1.
    ``memo`` keeps each container's count by id, for the whole model. Iterative: a deep list
    is no recursion."""
    if type(value) in _SCALARS:
        return 1
    if _is_instance(value):
        return 1 if printer is None else printer.instance(value)
    first = _entered(value)
    if first is None:
        return _leaf_items(value, whole_arrays)
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
            if kind is int:
                acc[0] += _int_items(item)
                continue
            key = id(item)
            if key in memo:  # (a container counted already: one empty tuple 100,000 times)
                acc[0] += memo[key]
                continue
            if kind not in _TEXTS and _is_instance(item):
                acc[0] += 1 if printer is None else printer.instance(item)
                continue
            inner = None if kind in _TEXTS else _entered(item)
            if inner is None:
                acc[0] += _leaf_items(item, whole_arrays)
                continue
            if key in on_path:
                acc[0] += 1
            else:
                on_path.add(key)
                stack.append((item, inner[0], [1 + inner[1]]))
                break
        else:
            stack.pop()
            on_path.discard(id(node))
            memo[id(node)] = acc[0] = min(acc[0], _CAP)
            if stack:
                stack[-1][2][0] += acc[0]
    return memo[id(value)]
