"""The object graph a use-time check walks, the refusal it raises, and the plain-data rule.

:class:`Graph` holds what :func:`safeload.trust.usetime.check_use_time` reaches, with enough
bookkeeping to name the path to each object; :func:`require_data` is the rule for values a
model may keep only as inert data (a stored callable's keyword arguments, the ``data`` and
``params`` dispatch kinds, a column selection).
"""

from __future__ import annotations

import datetime
import decimal
import pathlib
import types
from typing import Any, Final

import numpy as np

from safeload.trust.classes import type_values
from safeload.trust.structures import values

ATOMS = (type(None), bool, int, float, complex, str, bytes, bytearray, range)
#: The exact types of the commonest values, for a set look-up before any isinstance chain.
ATOM_TYPES = frozenset(
    {type(None), bool, int, float, complex, str, bytes, np.float64, np.int64, np.intp}
)
SCALARS = (np.generic, np.dtype)
#: Standard-library values that hold no object and whose methods are pure: the use-time walks
#: (the load's and scan's) take them as numbers, each checked where it is met
#: (:func:`value_leaf_problem`), not as instances. Every instance costs the checks after
#: building some 85 us (the names ledger, the class facts, the printing count), and a date
#: is 13 bytes of stream: 60,000 in a list took a load 5.3 s and a scan 8.3 s (rt90-06);
#: 60,000 one-letter pure paths (510 KB) 7.8 s and 10.6 s. A pure path keeps only the
#: strings its constructor computed (the static pass refuses a slot state with items, and
#: :func:`value_leaf_problem` checks each slot again).
_VALUE_LEAVES = frozenset(
    {
        datetime.date,
        datetime.timedelta,
        datetime.timezone,
        decimal.Decimal,
        pathlib.PurePosixPath,
        pathlib.PureWindowsPath,
    }
)
#: Leaves when their ``tzinfo`` is ``None`` or a :class:`datetime.timezone` (a fixed offset):
#: any other ``tzinfo`` is an object of its own, walked as an instance.
_ZONED_VALUES = frozenset({datetime.datetime, datetime.time})
#: How deep plain data may nest (:func:`require_data`; scan's ``static_kinds.data_problem``
#: counts the same levels, and its other readers reach two levels further, see
#: ``static_values.MAX_DEPTH``). 16, scan's bound before: the load took 20, and data nested 17
#: to 20 levels was refused by scan and loaded (rt54-09); no honest model nests its data past a
#: few levels, and the bound keeps both recursive walks short.
MAX_DATA_DEPTH: Final = 16
TWICE: Final = "data holds one container twice"
TOO_DEEP: Final = f"data nested more than {MAX_DATA_DEPTH} levels deep"


def value_leaf(value: Any) -> bool:
    """Whether ``value`` is a standard-library value the walks take as a number (see
    :data:`_VALUE_LEAVES`): exactly a date, a timedelta, a fixed-offset timezone, a Decimal or a
    pure path, or a datetime or time without a ``tzinfo`` or with a fixed offset."""
    kind = type(value)
    if kind in _VALUE_LEAVES:
        return True
    return kind in _ZONED_VALUES and (
        value.tzinfo is None or type(value.tzinfo) is datetime.timezone
    )


def value_leaf_problem(value: Any) -> str | None:
    """What is wrong with the value leaf ``value``: the checks the load runs on an instance of
    its class (:mod:`safeload.trust.structures.values`), or ``None``. A MemoryError is not
    a reason: it propagates, a limit (rt27-05)."""
    name = _LEAF_CHECKS.get(type(value))
    if name is None:
        return None  # (a timedelta or a timezone: their constructors check every field)
    check = _check_path_leaf if name == "path" else getattr(values, name)
    try:
        check(value, None)
    except MemoryError:
        raise
    except Exception as exc:  # fail closed: any failure refuses, as _run_check does
        return f"an invalid {type(value).__name__}: {exc}"
    return None


#: The most parts a pure path in a model may have (a file system's deepest paths have some
#: hundreds; a model's paths a few).
MAX_PATH_PARTS = 256


def _check_path_leaf(value: Any, context: Any) -> None:
    """A pure path's parts, and every slot it has: a string, a number, ``None``, or a tuple
    or list of strings (what its constructor and its cached properties store), so a leaf
    holds no object the walk would have to visit."""
    parts = len(value.parts)
    if parts > MAX_PATH_PARTS:
        # (re-reading each part costs the check what the file paid once for a memoised
        # prefix: 800 paths of 6,000 parts took 2.4 s to check, rt94-01)
        raise ValueError(f"a path of {parts:,} parts (at most {MAX_PATH_PARTS})")
    values.check_pure_path(value, context)
    for name in slots_of(type(value))[0]:
        held: Any = getattr(value, name, None)
        if isinstance(held, (list, tuple)) and type(held) in (list, tuple):
            # (the kinds of its items, read in C: a path of 6,000 parts, 800 times, rt94-01)
            ok = set(map(type, held)) <= {str}
        else:
            ok = type(held) in (str, int, type(None))
        if not ok:
            raise ValueError(f"path slot {name} holds a {type(held).__name__}")


_SLOTS: dict[type, tuple[tuple[str, ...], bool]] = {}


def slots_of(cls: type) -> tuple[tuple[str, ...], bool]:
    """The slot names ``cls`` declares, and whether any class below ``object`` declares any."""
    found = _SLOTS.get(cls)
    if found is None:
        names: list[str] = []
        declares = False
        for base in cls.__mro__[:-1]:
            slots = vars(base).get("__slots__", None)
            if slots is None:
                continue
            declares = True
            for name in (slots,) if isinstance(slots, str) else slots:
                if name not in ("__dict__", "__weakref__"):
                    names.append(name)
        found = (tuple(names), declares)
        _SLOTS[cls] = found
    return found


#: The check of each leaf class: a name in :mod:`safeload.trust.structures.values`, read when
#: it runs, or "path" (:func:`_check_path_leaf`).
_LEAF_CHECKS: dict[type, str] = {
    datetime.date: "check_date_time",
    datetime.datetime: "check_date_time",
    datetime.time: "check_date_time",
    decimal.Decimal: "check_decimal",
    pathlib.PurePosixPath: "path",
    pathlib.PureWindowsPath: "path",
}


class UnsafeState(Exception):
    """A loaded object's state would make it misbehave when used (internal; the caller turns it
    into a ``safeload`` exception naming the file)."""

    def __init__(self, path: str, problem: str, *, names: tuple[str, ...] = ()) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
        self.names = names


class WalkLimit(UnsafeState):
    """The graph holds more objects than the limit allows."""


class BadValue(UnsafeState):
    """A value leaf (:func:`value_leaf`) in a state its constructor never makes."""


class Graph:
    """Every object reachable from the root, with enough bookkeeping to name its path."""

    def __init__(self, root: Any, max_objects: int) -> None:
        self.root = root
        self.max_objects = max_objects
        self.parent: dict[int, tuple[int, str]] = {}
        self.instances: list[Any] = []
        #: the ids of the value leaves checked (:func:`value_leaf`)
        self.leaves: set[int] = set()
        #: what the walk met, held so that no id it recorded is freed and reused
        self.alive: list[Any] = []
        #: every ndarray and numpy dtype reached (for the built-dtype check)
        self.numpy: list[Any] = []
        #: the arrays inside checked pandas objects, which the walk does not enter, and their
        #: blocks' values among them (writeable through pandas' API)
        self.pandas_arrays: list[Any] = []
        self.pandas_blocks: list[Any] = []
        self.pandas_dtypes: list[Any] = []
        #: id -> ids of the non-atom objects it holds, once per reference (for the DAG bound)
        self.edges: dict[int, list[int]] = {}
        self.keep: list[Any] = []  # temporaries (reduce results) stay alive while ids are used
        #: the ndarray subclasses reached (numpy's masked arrays), held to their one place
        self.subclass_arrays: list[Any] = []

    def path(self, obj_id: int) -> str:
        parts: list[str] = []
        seen = 0
        while obj_id in self.parent and seen < 200:
            obj_id, label = self.parent[obj_id]
            parts.append(label)
            seen += 1
        return "model" + "".join(reversed(parts))


def key_label(i: int, key: Any) -> str:
    """The label of the step to a dict's ``i``-th value, in bounded time: ``[key]`` for a short
    string or a small number, ``.values()[i]`` for anything else. (The repr of a key shared
    through the memo, ``frozenset({F, (F,)})`` nested k times, is 2**k characters long.)"""
    kind = type(key)
    if (kind is str and len(key) <= 80) or (kind is int and -(2**63) <= key < 2**63):
        return f"[{key!r}]"
    if kind in (bool, float, type(None)):
        return f"[{key!r}]"
    return f".values()[{i}]"


#: The names of Cython's function types (each compiled module may bring its own copy of the
#: type, from its own ``_cython_3_x`` module, so they are known by name).
_CYTHON_FUNCTION_TYPES: Final = frozenset({"cython_function_or_method", "fused_cython_function"})


def is_function(o: Any) -> bool:
    """Whether ``o`` is a function of any kind, so the walk judges it against the callable
    allowlist rather than as an instance of its type: a Cython function too (the unpickle
    helpers ``newObj`` and ``__pyx_unpickle_*`` the allowlist names for the unpickler's calls
    are never values; rt52-04)."""
    return (
        isinstance(
            o,
            (
                types.FunctionType,
                types.BuiltinFunctionType,
                types.MethodWrapperType,
                types.WrapperDescriptorType,
                types.MethodDescriptorType,
                types.ClassMethodDescriptorType,
                np.ufunc,
                type(np.mean),
            ),
        )
        or type(o).__name__ in _CYTHON_FUNCTION_TYPES
    )


#: The attributes numpy and scikit-learn read off an array to size what they make of it. An
#: instance whose state sets one answers it with the file's number wherever it stands in for an
#: array: a StandardScaler holding ``shape=(10**9,)`` as ``CategoricalNB.class_count_`` made
#: ``predict`` ask for 16 GB (rt54-08, after rt53-07's Bunch). No honest state sets them.
ARRAY_ANSWERS: Final = frozenset(
    {"shape", "ndim", "size", "T", "mT", "strides", "itemsize", "nbytes", "flat"}
)


def array_answer_problem(key: str, qualname: str) -> str | None:
    """Why an instance state key that answers an array's sizing attribute is refused, or
    ``None`` (one rule for the load's walk and scan's two state readers)."""
    if key not in ARRAY_ANSWERS:
        return None
    return (
        f"state key {key!r} would make a {qualname} answer an array's {key} with the file's "
        "value, where a method reads it to size what it allocates; honest state never sets it"
    )


# --- plain data -----------------------------------------------------------------------------

#: The longest ``range`` plain data may hold (``scan`` holds it to the same bound).
MAX_RANGE = 1 << 20


def range_length(value: range) -> int:
    """``len(value)``, or one more than any bound for a length over ``sys.maxsize``."""
    try:
        return len(value)
    except OverflowError:
        return MAX_RANGE + 1


def require_data(
    value: Any, graph: Graph, oid: int, label: str, depth: int = 0, seen: set[int] | None = None
) -> None:
    """``value`` must be inert data: no instances, callables or object arrays of objects, and
    no container reached twice (a shared list nested in itself is a DAG that unfolds
    exponentially, here and in scikit-learn's repr and clone)."""
    if type(value) is range and range_length(value) > MAX_RANGE:
        # a method that iterates it converts every item (range(10**9): minutes, tens of GB)
        raise UnsafeState(
            graph.path(oid) + label, f"holds a range of more than {MAX_RANGE:,} items (rt24-14)"
        )
    if isinstance(value, ATOMS) or isinstance(value, SCALARS) or value is Ellipsis:
        # (a subclass of bytearray is the one the trusted-class rules admit: hashable by its
        # own __hash__, it is an instance, not data: Word(bytearray) stop words whose
        # __hash__ the file chose took 8.4 s a transform, rt120-03)
        if not (isinstance(value, bytearray) and type(value) is not bytearray):
            return
    if seen is None:
        seen = set()
    if type(value) in (list, tuple, set, frozenset, dict, slice) or isinstance(value, np.ndarray):
        # the empty tuple is one object to every load (CPython's), however many the stream
        # writes: it unfolds to nothing, and scan cannot tell it was met twice (rt54-02)
        if not (type(value) is tuple and not value):
            if id(value) in seen:
                raise UnsafeState(graph.path(oid) + label, TWICE)
            seen.add(id(value))
    if isinstance(value, type) and value in type_values():
        return
    if depth > MAX_DATA_DEPTH:
        raise UnsafeState(graph.path(oid) + label, TOO_DEEP)
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            for i, item in enumerate(value.ravel().tolist()):
                require_data(item, graph, oid, f"{label}[{i}]", depth + 1, seen)
        return
    if type(value) in (list, tuple, set, frozenset):
        for i, item in enumerate(value):
            require_data(item, graph, oid, f"{label}[{i}]", depth + 1, seen)
        return
    if type(value) is dict:
        for i, (key, item) in enumerate(value.items()):
            require_data(key, graph, oid, f"{label}.keys()", depth + 1, seen)
            require_data(item, graph, oid, label + key_label(i, key), depth + 1, seen)
        return
    if type(value) is slice:
        for part in (value.start, value.stop, value.step):
            require_data(part, graph, oid, label, depth + 1, seen)
        return
    raise UnsafeState(
        graph.path(oid) + label,
        f"holds a {type(value).__module__}.{type(value).__qualname__} where only plain data "
        "(numbers, strings, numeric arrays and containers of them) is used",
    )
