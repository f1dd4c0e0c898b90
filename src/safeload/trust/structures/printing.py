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
import heapq
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
#: Bytes per printed item of bytes: repr writes a byte past ASCII as four characters.
BYTE_CHARS_PER_ITEM = 2
#: Items of a range per printed item: what comparing it to a default makes of it (an array
#: of every item, some 0.18 us each measured, rt86-11).
RANGE_ITEMS_PER_ITEM = 8
#: A long double's repr (numpy's Dragon4 over an exponent of up to 16,384: 77 us, a float's
#: 0.2 us, rt86-02).
LONGDOUBLE_ITEMS = 64
#: A numpy ``SeedSequence``'s repr: its entropy and spawn key, up to 64 ints of 4,096 bits
#: (check_seed_sequence's bound) in 1.6 ms.
SEED_SEQUENCE_ITEMS = 1024
_SEED_SEQUENCE = "numpy.random.bit_generator:SeedSequence"
#: How many items of a container the pretty-printer formats again on their own line when
#: the container does not fit on one (``n_max_elements_to_show``).
SHOWN_ITEMS = 30


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
        self.memo: dict[int, tuple[int, int, int]] = {}
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
_SEQUENCE_BASES = (list, tuple, set, frozenset)


def _entered(value: Any) -> tuple[Any, int] | None:
    """``(an iterator over what the printer formats inside value, the items it adds beyond
    them)`` for a container the printer enters; ``None`` for anything else."""
    kind = type(value)
    # (subclasses too: an OrderedDict, a Counter, a defaultdict, a Bunch or a namedtuple
    # prints every entry as its base does, a Counter sorted by count, rt86-10)
    if kind in _SEQUENCES or (kind not in _TEXTS and issubclass(kind, _SEQUENCE_BASES)):
        return iter(value), 0
    if kind is dict or issubclass(kind, dict):
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
    if kind is Unknown:
        # (scan's stand-in for a large string or bytes the stream holds: its length; before
        # any isinstance test, which an Unknown answers for the kind it stands for)
        size = object.__getattribute__(value, "size")
        if size is None:
            raise Unproven("a parameter the pass cannot see, which repr formats")
        made = object.__getattribute__(value, "made_as")
        per_item = CHARS_PER_ITEM if made is str else BYTE_CHARS_PER_ITEM
        return 1 + int(size) // per_item
    if kind is str or (kind is not bytes and kind is not bytearray and isinstance(value, str)):
        # (numpy's np.str_ too, by its characters: rt86-13)
        return 1 + len(value) // CHARS_PER_ITEM
    if isinstance(value, (bytes, bytearray)):
        # repr escapes a byte past ASCII as four characters (np.bytes_ alike, rt86-13)
        return 1 + len(value) // BYTE_CHARS_PER_ITEM
    if kind is range:
        return _range_items(value)
    if kind is np.longdouble or kind is np.clongdouble:
        return LONGDOUBLE_ITEMS
    if _SEED_SEQUENCE in facts.mro_names(class_of(value)):
        # (whatever the scan can see of it: check_seed_sequence's bound, 64 ints of 4,096
        # bits, is 1.6 ms of repr, rt86-02)
        return SEED_SEQUENCE_ITEMS
    if kind is np.ndarray:
        return 1 + _array_items(value, whole_arrays)
    if kind is int:
        return _int_items(value)
    return 1


def _int_items(value: int) -> int:
    """A Python int: its decimal digits cost quadratic time (250 us for 4,300 digits, the
    most repr makes, rt85-08; 25 us for 4,096 bits, rt86-02), so a linear part and a
    quadratic one."""
    words = value.bit_length() // 64
    return 1 + words // 2 + words * words // 600


def _range_items(value: range) -> int:
    """A ``range``: repr converts its bounds to decimal (two big ints: rt86-02), and a
    notebook's display compares each parameter to its default with ``np.array_equal``,
    which makes an array of every item of a range inside a list (``[range(2**20)] * 100``
    took 17.9 s and 2.9 GB, rt86-11): about a tenth of an item each."""
    bounds = _int_items(value.start) + _int_items(value.stop) + _int_items(value.step)
    try:
        length = len(value)
    except OverflowError:  # (more items than an index holds)
        return _CAP
    return bounds + length // RANGE_ITEMS_PER_ITEM


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
    value: Any,
    memo: dict[int, tuple[int, int, int]],
    whole_arrays: bool = False,
    printer: _Printer | None = None,
) -> int:
    """The items ``repr`` formats for ``value``: a number, a string (per
    :data:`CHARS_PER_ITEM` characters) or another object is 1 (a big int, a range, a long
    double more, an array as :func:`_array_items` counts it, all its items with
    ``whole_arrays``); a container 1 plus its items, met as often as it is held (a list
    holding one list twice prints it twice), a dict entry :data:`DICT_ENTRY` more; an
    estimator or kernel inside as ``printer`` counts it (1 without one). A container met
    again on its own path prints as ``[...]``: 1.

    A container that does not fit on a line is formatted whole, then again item by item for
    its first :data:`SHOWN_ITEMS` items: each level of nesting formats what is below it once
    more (a dict of 12,000 entries inside 15 one-item lists took 3.7 s of repr where its
    items count 60,000, rt86-01). So a container counts its items (its size) plus what its
    :data:`SHOWN_ITEMS` costliest items count on their own. ``memo`` keeps each
    container's (plain size, plain count, estimators' counts) by id, for the whole model (an
    estimator's count has the printer's work at each level above it already). Iterative: a
    deep list is no recursion."""
    if type(value) in _SCALARS:
        return 1
    if _is_instance(value):
        return 1 if printer is None else printer.instance(value)
    first = _entered(value)
    if first is None:
        return _leaf_items(value, whole_arrays)
    if id(value) in memo:
        return _total(memo[id(value)])
    on_path = {id(value)}
    # per container being counted: it, its items, [its plain items so far (not inside an
    # estimator), what the estimators in it count], its costliest items' own counts (a heap
    # of at most SHOWN_ITEMS)
    stack: list[tuple[Any, Any, list[int], list[int]]] = [(value, first[0], [1 + first[1], 0], [])]
    while stack:
        node, items, acc, top = stack[-1]
        for item in items:
            kind = type(item)
            if kind in _SCALARS:
                acc[0] += 1
                if len(top) < SHOWN_ITEMS:  # (a 1 is never among the largest once full)
                    heapq.heappush(top, 1)
                continue
            if kind is int:
                n = _int_items(item)
                acc[0] += n
                _shown(top, n)
                continue
            key = id(item)
            if key in memo:  # (a container counted already: one empty tuple 100,000 times)
                size, count, held = memo[key]
                acc[0] += size
                acc[1] += held
                _shown(top, count)
                continue
            if kind not in _TEXTS and _is_instance(item):
                # (an estimator's own count has the printer's work at each level above it:
                # twice per estimator, measured through a Pipeline's list of tuples)
                acc[1] += 1 if printer is None else printer.instance(item)
                continue
            inner = None if kind in _TEXTS else _entered(item)
            if inner is None:
                n = _leaf_items(item, whole_arrays)
                acc[0] += n
                _shown(top, n)
                continue
            if key in on_path:
                acc[0] += 1
                _shown(top, 1)
            else:
                on_path.add(key)
                stack.append((item, inner[0], [1 + inner[1], 0], []))
                break
        else:
            stack.pop()
            on_path.discard(id(node))
            size = min(acc[0], _CAP)
            found = (size, min(size + sum(top), _CAP), min(acc[1], _CAP))
            memo[id(node)] = found
            if stack:
                parent = stack[-1]
                parent[2][0] += found[0]
                parent[2][1] += found[2]
                _shown(parent[3], found[1])
    return _total(memo[id(value)])


def _total(found: tuple[int, int, int]) -> int:
    """What a container's (plain size, plain count, estimators' counts) print in all."""
    return min(found[1] + found[2], _CAP)


def _shown(top: list[int], count: int) -> None:
    """Keep ``count`` among the :data:`SHOWN_ITEMS` largest in the heap ``top``."""
    if len(top) < SHOWN_ITEMS:
        heapq.heappush(top, count)
    elif count > top[0]:
        heapq.heapreplace(top, count)
