"""Use-time checks: a loaded object graph must stay harmless whatever method is called on it.

The allowlist decides what a file may *build*. This module decides whether what was built may
be *used*: scikit-learn objects look methods up by names kept in their state, call stored
callables with the caller's data, and hand stored objects to code that calls their methods. A
file controls all of that state, so before a model is returned every object in it is checked:

1. **Structure** (one walk over everything reachable, with the path to each object):

   * a function kept as a value must be on the callable allowlist
     (:mod:`safeload.trust.callables`), by identity; ``functools.partial`` only around such a
     function, with plain-data arguments; bound methods, modules and other functions never;
   * a class kept as a value must be a numpy scalar type or a builtin number type;
   * an instance's state keys are identifiers that shadow nothing its class defines: no state
     key may hide a method, property or hook (``predict``, ``__sklearn_tags__``,
     ``_parameter_constraints``) behind a value of the file's choosing.

2. **Dispatch** (per object, by type): each row of the reviewed table in
   :mod:`safeload.trust.dispatch` pins an attribute that drives behaviour (a method name, a
   sub-estimator slot, a stored callable, an output container, a cache path) to what the class
   itself stores; estimators' constructor parameters are checked against scikit-learn's own
   ``_parameter_constraints``.

Nothing here calls a method of a loaded object that its state could redirect: the structure
pass runs first, so every later attribute read resolves to class code.
"""

from __future__ import annotations

import collections
import functools
import importlib
import inspect
import keyword
import re
import sys
import types
from collections.abc import Callable, Container, Iterator
from typing import Any

import numpy as np

from safeload.trust import native_params
from safeload.trust.callables import CALLABLE_ROWS, TYPE_VALUE_ROWS
from safeload.trust.dispatch import MAX_THREADS, ROWS, DispatchRow
from safeload.trust.pandas_forms import is_checked_pandas
from safeload.trust.profiles import INSTANCE_DEFAULTS, PROFILE_ROWS, estimator_like_names

__all__ = ["UnsafeState", "WalkLimit", "check_use_time", "fitted_dispatch_rows"]

_ATOMS = (type(None), bool, int, float, complex, str, bytes, bytearray, range)
#: The exact types of the commonest values, for a set look-up before any isinstance chain.
_ATOM_TYPES = frozenset(
    {type(None), bool, int, float, complex, str, bytes, np.float64, np.int64, np.intp}
)
_SCALARS = (np.generic, np.dtype)
_OUTPUT_CONTAINERS = frozenset({"default", "pandas", "polars"})
_PUBLIC_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


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


# --- resolved tables ------------------------------------------------------------------------


def _resolve(module: str, qualname: str) -> Any:
    try:
        found: Any = sys.modules.get(module) or importlib.import_module(module)
    except ImportError:
        return None
    for part in qualname.split("."):
        found = getattr(found, part, None)
        if found is None:
            return None
    return found


@functools.lru_cache(maxsize=1)
def _callables() -> dict[int, str]:
    """id() of every allowed function -> its name (the objects are kept alive by their
    modules, so the ids stay valid)."""
    found: dict[int, str] = {}
    for module, qualname, _reason in CALLABLE_ROWS:
        obj = _resolve(module, qualname)
        if obj is not None:
            found[id(obj)] = f"{module}.{qualname}"
    return found


@functools.lru_cache(maxsize=1)
def _type_values() -> frozenset[type]:
    found = set()
    for module, qualname, _reason in TYPE_VALUE_ROWS:
        obj = _resolve(module, qualname)
        if isinstance(obj, type):
            found.add(obj)
    return frozenset(found)


@functools.lru_cache(maxsize=1)
def _data_only_types() -> frozenset[type]:
    """Extension types whose ``__setstate__`` converts everything it is given to numbers and
    numeric arrays, so nothing can hide in them: walking their state would only cost time (a
    forest has hundreds). Their index arrays are the native checks' business."""
    return frozenset(_classes_named(("sklearn.tree._tree:Tree",)))


@functools.lru_cache(maxsize=1)
def _enum_member_types() -> frozenset[type]:
    """Enum classes whose members an allowed type's ``__setstate__`` looks up by value
    (``uuid.UUID`` stores ``SafeUUID(state["is_safe"])``): a member is the class's own
    singleton, never built from the file, and none of these enums is on the allowlist."""
    return frozenset(_classes_named(("uuid:SafeUUID",)))


@functools.lru_cache(maxsize=1)
def _resolved_rows() -> tuple[tuple[type, DispatchRow], ...]:
    rows = []
    for row in ROWS:
        module, _, qualname = row.cls.partition(":")
        cls = _resolve(module, qualname)
        if isinstance(cls, type):
            rows.append((cls, row))
    return tuple(rows)


_ROWS_BY_TYPE: dict[type, tuple[DispatchRow, ...]] = {}


def fitted_dispatch_rows(cls: type) -> tuple[DispatchRow, ...]:
    """The dispatch-table rows that apply to instances of ``cls`` (its own and its bases')."""
    rows = _ROWS_BY_TYPE.get(cls)
    if rows is None:
        rows = tuple(row for base, row in _resolved_rows() if issubclass(cls, base))
        # profile rows match by name along the MRO: nothing is imported to apply them, and
        # they apply however the class came to be trusted
        names = _mro_names(cls)
        rows += tuple(row for row in PROFILE_ROWS if row.cls in names)
        _ROWS_BY_TYPE[cls] = rows
    return rows


def _mro_names(cls: type) -> frozenset[str]:
    """``module:qualname`` of ``cls`` and each of its bases."""
    return frozenset(f"{base.__module__}:{base.__qualname__}" for base in cls.__mro__)


_REBUILT: dict[type, dict[str, tuple[str | None, ...]]] = {}


def _rebuilt_attributes(cls: type) -> dict[str, tuple[str | None, ...]]:
    """Attributes the class's own ``__setstate__`` rebuilds (kind ``rebuilt``): not walked."""
    found = _REBUILT.get(cls)
    if found is None:
        found = {r.attribute: r.values for r in fitted_dispatch_rows(cls) if r.kind == "rebuilt"}
        _REBUILT[cls] = found
    return found


_CLASS_NAMES: dict[type, frozenset[str]] = {}
#: Class-level values an instance's own attribute of the same name may hide (see _class_names).
_PLAIN_DEFAULTS = (bool, int, float, str, type(None))


def _class_names(cls: type) -> frozenset[str]:
    """The names ``cls`` defines that instance state must not hide.

    Left out: a constructor parameter whose class-level value is a plain constant. scikit-learn
    stores every constructor parameter on the instance, so honest state always hides such a
    class default (``Lars.positive = False`` and ``LassoLarsIC(positive=...)``); the value then
    gets the same parameter checks as any other parameter. Methods, properties and class
    settings that are not parameters stay protected."""
    names = _CLASS_NAMES.get(cls)
    if names is None:
        params = _init_parameters(cls)
        names = frozenset(
            name
            for base in cls.__mro__
            for name in vars(base)
            if name not in params
            or type(inspect.getattr_static(cls, name, None)) not in _PLAIN_DEFAULTS
        )
        for base in cls.__mro__:
            names -= INSTANCE_DEFAULTS.get(f"{base.__module__}:{base.__qualname__}", frozenset())
        _CLASS_NAMES[cls] = names
    return names


def _init_parameters(cls: type) -> frozenset[str]:
    try:
        sig = inspect.signature(inspect.getattr_static(cls, "__init__"))
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(
        name
        for name, p in sig.parameters.items()
        if name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    )


# --- the walk -------------------------------------------------------------------------------


class _Graph:
    """Every object reachable from the root, with enough bookkeeping to name its path."""

    def __init__(self, root: Any, max_objects: int) -> None:
        self.root = root
        self.max_objects = max_objects
        self.parent: dict[int, tuple[int, str]] = {}
        self.instances: list[Any] = []
        #: every ndarray and numpy dtype reached (for the built-dtype check)
        self.numpy: list[Any] = []
        #: id -> ids of the non-atom objects it holds, once per reference (for the DAG bound)
        self.edges: dict[int, list[int]] = {}
        self._keep: list[Any] = []  # temporaries (reduce results) stay alive while ids are used

    def path(self, obj_id: int) -> str:
        parts: list[str] = []
        seen = 0
        while obj_id in self.parent and seen < 200:
            obj_id, label = self.parent[obj_id]
            parts.append(label)
            seen += 1
        return "model" + "".join(reversed(parts))


def _label_attr(name: str) -> str:
    return f".{name}"


def _key_label(i: int, key: Any) -> str:
    """The label of the step to a dict's ``i``-th value, in bounded time: ``[key]`` for a short
    string or a small number, ``.values()[i]`` for anything else. (The repr of a key shared
    through the memo, ``frozenset({F, (F,)})`` nested k times, is 2**k characters long.)"""
    kind = type(key)
    if (kind is str and len(key) <= 80) or (kind is int and -(2**63) <= key < 2**63):
        return f"[{key!r}]"
    if kind in (bool, float, type(None)):
        return f"[{key!r}]"
    return f".values()[{i}]"


def _children(o: Any, graph: _Graph) -> Iterator[tuple[str, Any]]:
    """The objects ``o`` holds, each with the label of the step from ``o`` to it."""
    if isinstance(o, collections.defaultdict):
        yield ".default_factory", o.default_factory
    if isinstance(o, dict):
        for i, (k, v) in enumerate(o.items()):
            if not isinstance(k, _ATOMS):
                yield f".keys()[{i}]", k
            yield _key_label(i, k), v
    elif isinstance(o, (list, tuple)):
        for i, v in enumerate(o):
            yield f"[{i}]", v
    elif isinstance(o, (set, frozenset)):
        for i, v in enumerate(o):
            yield f".<item {i}>", v
    elif isinstance(o, slice):
        yield ".start", o.start
        yield ".stop", o.stop
        yield ".step", o.step


def check_use_time(root: Any, *, max_objects: int) -> tuple[list[Any], list[Any]]:
    """Check every object reachable from ``root``; return the instances seen and the numpy
    arrays and dtypes seen (for the native-structure and dtype checks that follow). Raises
    :class:`UnsafeState` on the first problem."""
    graph = _Graph(root, max_objects)
    _walk(graph)
    _check_sharing(graph)
    for obj in graph.instances:
        _check_instance(obj, graph)
    return graph.instances, graph.numpy


#: How many times, on average, scikit-learn's recursive methods may meet each object with
#: behaviour (estimators, kernels, scorers, helpers).
#: Honest models share an estimator between two slots at most (``estimators_`` and
#: ``named_estimators_``), so nested ensembles stay within a few times each.
_SHARING_FACTOR = 8
_SHARING_SLACK = 64


def _check_sharing(graph: _Graph) -> None:
    """The file's memo can make one object appear in many places: N nested pipelines whose two
    steps are the same object are a DAG of 3N objects that ``repr``, ``get_params``, ``clone``
    and ``transform`` walk as a tree of 2**N. Count, without unfolding, how many estimators such
    a walk would meet, and refuse a graph that would make it exponential."""
    # every object counts: estimators, kernels (a Sum whose two terms are one kernel, nested,
    # evaluates 2**N kernels in predict), and containers (a list holding one list twice, nested,
    # is unfolded by repr and clone)
    estimator_ids = set(graph.edges) | {id(o) for o in graph.instances}
    if not estimator_ids:
        return
    cap = _SHARING_FACTOR * len(estimator_ids) + _SHARING_SLACK
    if first_over_cap([id(graph.root)], graph.edges, estimator_ids, cap) is not None:
        raise UnsafeState(
            "model",
            f"shares objects so that scikit-learn's recursive methods (repr, get_params, "
            f"clone, transform, kernel evaluation) would meet them more than {cap} times "
            f"although it holds {len(estimator_ids)}: using it would take exponential time",
        )


def first_over_cap(
    roots: list[int], edges: dict[int, list[int]], counted: Container[int], cap: int
) -> int | None:
    """The first of ``roots`` from which a recursive walk (one that does not remember what it
    has seen, as repr, clone and get_params do) would meet more than ``cap`` of the ``counted``
    nodes, or ``None``. Counted without unfolding: a post-order pass over the DAG ``edges``
    (node id -> child ids), each node visited once, sums saturating at ``cap + 1``; an edge
    back into the current path (a cycle) counts nothing."""
    unfolded: dict[int, int] = {}
    state: dict[int, int] = {}
    for root in roots:
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            kids = edges.get(node, ())
            if i == 0:
                if node in state:
                    continue
                state[node] = 1
            if i < len(kids):
                work.append((node, i + 1))
                if kids[i] not in state:
                    work.append((kids[i], 0))
                continue
            total = 1 if node in counted else 0
            for child in kids:
                total += unfolded.get(child, 0)
                if total > cap:
                    break
            unfolded[node] = min(total, cap + 1)
            state[node] = 2
        if unfolded.get(root, 0) > cap:
            return root
    return None


def _walk(graph: _Graph) -> None:
    callables = _callables()
    type_values = _type_values()
    seen: set[int] = set()
    stack: list[Any] = [graph.root]
    parent = graph.parent
    atoms = _ATOM_TYPES
    members = _enum_member_types()
    while stack:
        o = stack.pop()
        if type(o) in atoms or isinstance(o, _ATOMS) or type(o) in members:
            continue
        oid = id(o)
        if oid in seen:
            continue
        if isinstance(o, _SCALARS):
            if isinstance(o, np.dtype):
                seen.add(oid)
                graph.numpy.append(o)
            continue
        if is_checked_pandas(o):
            continue  # checked when it was made (safeload.trust.pandas_forms)
        seen.add(oid)
        if len(seen) > graph.max_objects:
            raise WalkLimit("model", f"more than {graph.max_objects} objects")
        kids: list[tuple[str, Any]]
        if isinstance(o, (dict, list, tuple, set, frozenset, slice)):
            kids = list(_children(o, graph))
            if type(o) not in (dict, list, tuple, set, frozenset, slice):
                kids.extend(_instance_children(o, graph, oid))
                graph.instances.append(o)
        elif isinstance(o, np.ndarray):
            graph.numpy.append(o)
            if o.size > 1 and not (o.flags.c_contiguous or o.flags.f_contiguous):
                # numpy.ndarray(shape, dtype, buffer, offset, strides) can make a zero-strided
                # array of any logical size over 8 bytes: every use of it allocates that size
                raise UnsafeState(graph.path(oid), "holds an array that is not contiguous")
            kids = []
            if type(o) is not np.ndarray:
                kids = _array_subclass_children(o, graph, oid)
            if o.dtype.hasobject:
                # the raw elements: a masked array's tolist() would hide its masked slots
                raw = o.view(np.ndarray).ravel().tolist()
                kids.extend((f"[{i}]", v) for i, v in enumerate(raw))
            if not kids:
                continue
        elif isinstance(o, type):
            if o not in type_values:
                raise UnsafeState(
                    graph.path(oid),
                    f"holds the class {_qual(o)} as a value; only numpy scalar types and "
                    "builtin number types may be kept as values",
                    names=(_qual(o),),
                )
            continue
        elif isinstance(o, functools.partial):
            _check_partial(o, graph, oid, callables)
            kids = [(".args", o.args), (".keywords", o.keywords)]
            d = getattr(o, "__dict__", None)
            if d:
                raise UnsafeState(graph.path(oid), "a functools.partial with attributes")
        elif _is_function(o):
            if id(o) not in callables:
                raise UnsafeState(
                    graph.path(oid),
                    f"holds the function {_fn_name(o)}, which is not on the callable allowlist "
                    "(safeload.trust.callables): a model may keep only pure functions that it "
                    "calls with your data",
                    names=(_fn_name(o),),
                )
            continue
        elif isinstance(o, (types.ModuleType, types.MethodType, types.CodeType, types.FrameType)):
            raise UnsafeState(graph.path(oid), f"holds a {type(o).__name__} object")
        else:
            graph.instances.append(o)
            kids = list(_instance_children(o, graph, oid))
        out: list[int] = []
        for label, child in kids:
            if isinstance(child, _ATOMS) or isinstance(child, np.generic):
                continue
            cid = id(child)
            out.append(cid)
            if cid not in seen and cid not in parent:
                parent[cid] = (oid, label)
            stack.append(child)
        if out:
            graph.edges[oid] = out


def _array_subclass_children(o: Any, graph: _Graph, oid: int) -> list[tuple[str, Any]]:
    """What an ndarray subclass (numpy's MaskedArray) keeps besides its elements: its mask,
    fill value and options are walked like any state; its base class must be an array type."""
    d = getattr(o, "__dict__", None)
    if not isinstance(d, dict):
        return []
    kids = []
    for key, value in d.items():
        if key == "_baseclass":
            if value not in (np.ndarray, np.ma.MaskedArray):
                raise UnsafeState(graph.path(oid) + "._baseclass", "is not an array type")
            continue
        kids.append((_label_attr(key), value))
    return kids


def _qual(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_function(o: Any) -> bool:
    return isinstance(
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


def _fn_name(o: Any) -> str:
    module = getattr(o, "__module__", None) or type(o).__module__
    name = getattr(o, "__qualname__", None) or getattr(o, "__name__", None) or repr(o)
    return f"{module}.{name}"


def _check_partial(o: functools.partial[Any], graph: _Graph, oid: int, allowed: Any) -> None:
    func = o.func
    if not _is_function(func) or id(func) not in allowed:
        what = _fn_name(func) if _is_function(func) else f"a {type(func).__name__} object"
        raise UnsafeState(
            graph.path(oid),
            f"functools.partial around {what}: a stored partial may wrap only a function on "
            "the callable allowlist",
            names=(what,),
        )
    if o.args:
        # partial puts stored arguments first, so the caller's data moves to a later position:
        # for a ufunc that is ``out`` (np.log1p(stored, X) writes into X, or into a model
        # array that a check_array partial handed on). Honest models bind keywords only.
        raise UnsafeState(
            graph.path(oid) + ".args",
            "a stored functools.partial binds positional arguments; only keyword arguments "
            "are accepted",
        )
    for i, (key, arg) in enumerate((o.keywords or {}).items()):
        _require_data(arg, graph, oid, ".keywords" + _key_label(i, key))
    _check_kwargs(o.keywords, graph.path(oid) + ".keywords")


_SLOTS: dict[type, tuple[tuple[str, ...], bool]] = {}


def _slots_of(cls: type) -> tuple[tuple[str, ...], bool]:
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


#: Keyword arguments that make a numpy function write into an array the model holds (which
#: may be the very array a native structure was checked with).
_OUTPUT_KEYWORDS = frozenset({"out"})
#: Attributes whose dict is passed as ``**kwargs`` to a stored callable or a metric.
KWARGS_ATTRIBUTES = frozenset(
    {
        "kw_args",
        "inv_kw_args",
        "_kwargs",
        "kernel_params",
        "metric_params",
        "effective_metric_params_",
    }
)


#: Slots whose callable scikit-learn calls with two arrays (kernels, metrics, score functions).
_TWO_ARGUMENT_SLOTS = frozenset({"kernel", "metric", "score_func", "affinity", "_score_func"})
#: Iteration counts that transform or predict run (LDA's E-step, NMF's solver for W), which
#: scikit-learn bounds only from below; honest values are far under the limit.
_ITERATION_LIMITS = frozenset({"max_doc_update_iter", "max_iter_predict", "transform_max_iter"})
#: Classes whose transform runs its ``max_iter`` solver (NMF's W, per call).
_ITERATING_AT_USE = frozenset({"NMF", "MiniBatchNMF"})
_MAX_ITERATIONS = 100_000


def _check_name_template(template: str, path: str) -> None:
    """ColumnTransformer formats every output name with this template: only the two documented
    fields, with no format specification (``{feature_name:>1500000000}`` makes each name 1.5 GB)."""
    import string

    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        raise UnsafeState(path, "is not a format string") from None
    for _text, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in ("transformer_name", "feature_name") or spec or conversion:
            raise UnsafeState(
                path, "may use only {transformer_name} and {feature_name}, without format specs"
            )
    if len(template) > 1000:
        raise UnsafeState(path, "is longer than 1000 characters")


def _check_kwargs(kwargs: Any, path: str) -> None:
    if isinstance(kwargs, dict):
        for key in kwargs:
            if key in _OUTPUT_KEYWORDS:
                raise UnsafeState(
                    f"{path}[{key!r}]",
                    "a stored keyword argument would make the function write into an array "
                    "the model holds",
                )


def _instance_children(o: Any, graph: _Graph, oid: int) -> Iterator[tuple[str, Any]]:
    cls = type(o)
    d = getattr(o, "__dict__", None)
    if isinstance(d, dict) and not isinstance(o, type):
        _check_keys(cls, d, graph, oid)
        rebuilt = _rebuilt_attributes(cls)
        atoms = _ATOM_TYPES
        for key, value in d.items():
            if type(value) in atoms:
                continue
            if key in rebuilt:
                if not isinstance(value, _classes_named(rebuilt[key])):
                    raise UnsafeState(graph.path(oid) + _label_attr(key), "was not rebuilt")
                continue
            yield _label_attr(key), value
    slots, declares = _slots_of(cls)
    for name in slots:
        if hasattr(o, name):
            yield _label_attr(name), getattr(o, name)
    if d is None and cls in _data_only_types():
        return
    if d is None and not declares:
        # An extension type (a Cython tree, loss, metric or random state): what it holds is
        # in its pickled state. Its reconstructor (item 0) is a class or helper, not a value.
        # Classes and constructors inside it are how it is rebuilt, not values it keeps.
        reduced = o.__reduce_ex__(4)
        if isinstance(reduced, tuple):
            graph._keep.append(reduced)
            for i, part in enumerate(reduced[1:3], start=1):
                for label, value in _state_parts(part, f".<reduce {i}>"):
                    if not isinstance(value, type) and not _is_function(value):
                        yield label, value


def _state_parts(part: Any, label: str) -> Iterator[tuple[str, Any]]:
    if type(part) in (tuple, list):
        for i, value in enumerate(part):
            yield from _state_parts(value, f"{label}[{i}]")
    elif type(part) is dict:
        for i, (key, value) in enumerate(part.items()):
            yield from _state_parts(value, label + _key_label(i, key))
    else:
        yield label, part


#: (class, state keys) already found clean: the hundreds of trees of a forest share one.
_CLEAN_KEYS: set[tuple[type, tuple[Any, ...]]] = set()


def _check_keys(cls: type, state: dict[Any, Any], graph: _Graph, oid: int) -> None:
    keys = tuple(state)
    if (cls, keys) in _CLEAN_KEYS:
        return
    _check_each_key(cls, state, graph, oid)
    if len(_CLEAN_KEYS) < 10_000:
        _CLEAN_KEYS.add((cls, keys))


def _check_each_key(cls: type, state: dict[Any, Any], graph: _Graph, oid: int) -> None:
    names = _class_names(cls)
    for key in state:
        if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
            raise UnsafeState(graph.path(oid), f"state key {key!r} is not an attribute name")
        if key.startswith("__") and key.endswith("__"):
            raise UnsafeState(graph.path(oid), f"state sets the special attribute {key!r}")
        if key in names:
            raise UnsafeState(
                graph.path(oid),
                f"state key {key!r} would hide what {cls.__qualname__} itself defines under "
                "that name (a method, property or class setting); honest state never does",
            )


# --- plain data -----------------------------------------------------------------------------


#: The longest ``range`` plain data may hold (``scan`` holds it to the same bound).
MAX_RANGE = 1 << 20


def _range_length(value: range) -> int:
    """``len(value)``, or one more than any bound for a length over ``sys.maxsize``."""
    try:
        return len(value)
    except OverflowError:
        return MAX_RANGE + 1


def _require_data(
    value: Any, graph: _Graph, oid: int, label: str, depth: int = 0, seen: set[int] | None = None
) -> None:
    """``value`` must be inert data: no instances, callables or object arrays of objects, and
    no container reached twice (a shared list nested in itself is a DAG that unfolds
    exponentially, here and in scikit-learn's repr and clone)."""
    if type(value) is range and _range_length(value) > MAX_RANGE:
        # a method that iterates it converts every item (range(10**9): minutes, tens of GB)
        raise UnsafeState(
            graph.path(oid) + label, f"holds a range of more than {MAX_RANGE:,} items (rt24-14)"
        )
    if isinstance(value, _ATOMS) or isinstance(value, _SCALARS) or value is Ellipsis:
        return
    if seen is None:
        seen = set()
    if type(value) in (list, tuple, set, frozenset, dict, slice) or isinstance(value, np.ndarray):
        if id(value) in seen:
            raise UnsafeState(graph.path(oid) + label, "data holds one container twice")
        seen.add(id(value))
    if isinstance(value, type) and value in _type_values():
        return
    if depth > 20:
        raise UnsafeState(graph.path(oid) + label, "data nested too deeply")
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            for i, item in enumerate(value.ravel().tolist()):
                _require_data(item, graph, oid, f"{label}[{i}]", depth + 1, seen)
        return
    if type(value) in (list, tuple, set, frozenset):
        for i, item in enumerate(value):
            _require_data(item, graph, oid, f"{label}[{i}]", depth + 1, seen)
        return
    if type(value) is dict:
        for i, (key, item) in enumerate(value.items()):
            _require_data(key, graph, oid, f"{label}.keys()", depth + 1, seen)
            _require_data(item, graph, oid, label + _key_label(i, key), depth + 1, seen)
        return
    if type(value) is slice:
        for part in (value.start, value.stop, value.step):
            _require_data(part, graph, oid, label, depth + 1, seen)
        return
    raise UnsafeState(
        graph.path(oid) + label,
        f"holds a {type(value).__module__}.{type(value).__qualname__} where only plain data "
        "(numbers, strings, numeric arrays and containers of them) is used",
    )


# --- per-object checks ----------------------------------------------------------------------


def _check_instance(obj: Any, graph: _Graph) -> None:
    state = getattr(obj, "__dict__", None)
    fields = getattr(type(obj), "_fields", None)
    if isinstance(obj, tuple) and isinstance(fields, tuple):
        state = dict(zip(fields, obj, strict=False))  # a namedtuple's fields
    if not isinstance(state, dict):
        return
    for name in KWARGS_ATTRIBUTES.intersection(state):
        _check_kwargs(state[name], f"{graph.path(id(obj))}.{name}")
    for name in _TWO_ARGUMENT_SLOTS.intersection(state):
        fn = state[name]
        inner = fn.func if isinstance(fn, functools.partial) else fn
        if isinstance(inner, (np.ufunc, type(np.mean))):
            raise UnsafeState(
                f"{graph.path(id(obj))}.{name}",
                "a numpy function where two arrays are passed: its second would be written to "
                "(a ufunc's out)",
            )
    template = state.get("verbose_feature_names_out")
    if isinstance(template, str):
        _check_name_template(template, f"{graph.path(id(obj))}.verbose_feature_names_out")
    limited = set(_ITERATION_LIMITS.intersection(state))
    if "max_iter" in state and type(obj).__name__ in _ITERATING_AT_USE:
        limited.add("max_iter")
    for name in limited:
        count = state[name]
        if isinstance(count, (int, np.integer)) and int(count) > _MAX_ITERATIONS:
            raise UnsafeState(
                f"{graph.path(id(obj))}.{name}",
                f"asks for more than {_MAX_ITERATIONS} iterations at use time",
            )
    rows = fitted_dispatch_rows(type(obj))
    for row in rows:
        if row.attribute in state:
            try:
                _apply(row, state[row.attribute], graph)
            except UnsafeState as exc:
                if exc.path.startswith("<"):
                    raise UnsafeState(
                        f"{graph.path(id(obj))}.{row.attribute}",
                        f"{exc.problem} (it drives {row.drives})",
                        names=exc.names,
                    ) from None
                raise
    constraints = _constraints_of(type(obj))
    if constraints:
        _check_params(type(obj), state, constraints, graph.path(id(obj)))
    native = native_params.object_problem(_mro_names(type(obj)), obj, state)
    if native is not None:  # LightGBM / CatBoost parameters (r15-01/02/03/07/14)
        raise UnsafeState(f"{graph.path(id(obj))}.{native[0]}", native[1])
    kernel = _kernel_base()
    if kernel is not None and isinstance(obj, kernel):
        for key in state:
            if key.startswith("hyperparameter_"):
                raise UnsafeState(
                    f"{graph.path(id(obj))}.{key}",
                    "a kernel reads and writes every attribute named hyperparameter_* by the "
                    "name stored in it; only the class may define them",
                )
    search = _search_base()
    if search is not None and isinstance(obj, search):
        for grid_name in ("param_grid", "param_distributions"):
            if grid_name in state:
                _check_grid(state[grid_name], f"{graph.path(id(obj))}.{grid_name}", graph)


#: Kinds whose rows a parameter grid could otherwise get around: fit applies the grid with
#: set_params, after the load-time checks ran.
_GRID_KINDS = frozenset(
    {
        "none",
        "attr_path",
        "data",
        "one_of",
        "each_one_of",
        "forbidden",
        "params",
        "int_one",
        "thread_count",
    }
)


def grid_rows(name: str) -> list[DispatchRow]:
    """The dispatch rows a grid could get around for parameter ``name`` (a grid key's last
    ``__`` part): for the load's check here and scan's in :mod:`safeload.trust.static`."""
    return [r for r in (*ROWS, *PROFILE_ROWS) if r.attribute == name and r.kind in _GRID_KINDS]


def _check_grid(grid: Any, path: str, graph: _Graph) -> None:
    grids = grid if type(grid) in (list, tuple) else [grid]
    for one in grids:
        if type(one) is not dict:
            continue  # scikit-learn refuses it in fit
        for key, candidates in one.items():
            if not isinstance(key, str):
                raise UnsafeState(path, f"grid key {_short(key)} is not a parameter name")
            name = key.rpartition("__")[2]
            rows = grid_rows(name)
            if not rows:
                continue
            values = _sequence(candidates)
            for value in values if values is not None else [candidates]:
                for row in rows:
                    try:
                        _apply(row, value, graph)
                    except UnsafeState as exc:
                        raise UnsafeState(
                            f"{path}[{key!r}]",
                            f"fit would set {name} to a value a loaded model may not hold: "
                            f"{exc.problem}",
                        ) from None


def _bad(problem: str) -> UnsafeState:
    return UnsafeState("<value>", problem)


def _apply(row: DispatchRow, value: Any, graph: _Graph) -> None:
    check = _KIND_CHECKS.get(row.kind)
    if check is None:  # pragma: no cover - tests/test_usetime.py checks every row's kind
        raise _bad(f"unknown dispatch kind {row.kind!r}")
    check(row, value, graph)


def _one_of(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if value is None and None in row.values:
        return
    # a str exactly: scan judges the literal in the stream, and a numpy str scalar is none
    if type(value) is not str or value not in row.values:
        raise _bad(f"is {_short(value)}; allowed: {_choices(row)}")


def _regex(row: DispatchRow, value: Any, graph: _Graph) -> None:
    from safeload.trust.regex import regex_problem

    if value is None:
        return
    if type(value) is not str:
        raise _bad(f"is {_short(value)}, not a plain str pattern")
    if row.values:
        if value not in row.values:
            raise _bad(
                f"is the pattern {_short(value)}, not one of the reviewed patterns "
                f"({_choices(row)}): re-save the model with one of them"
            )
        return
    problem = regex_problem(value)
    if problem:
        raise _bad(f"is the pattern {_short(value)}, which may never finish: {problem}")


def _each_one_of(row: DispatchRow, value: Any, graph: _Graph) -> None:
    items = [value] if isinstance(value, str) else _sequence(value)
    if items is None:
        raise _bad(f"is {_short(value)}, not a list of names")
    for item in items:
        if item is None and None in row.values:
            continue
        if not isinstance(item, str) or item not in row.values:
            raise _bad(f"holds {_short(item)}; allowed: {_choices(row)}")


def _sequence(value: Any) -> list[Any] | None:
    if type(value) in (list, tuple):
        return list(value)
    if isinstance(value, np.ndarray) and value.ndim <= 2:
        return [v for v in value.ravel().tolist()]
    return None


def _is_estimator(value: Any) -> bool:
    base = _base_estimator()
    if base is not None and isinstance(value, base) and not isinstance(value, type):
        return True
    if isinstance(value, type):
        return False
    return type(value) in _estimator_like() or _profile_estimator_like(type(value))


def _profile_estimator_like(cls: type) -> bool:
    """A profile class that stands where an estimator is used without deriving from
    ``BaseEstimator`` (a CatBoost model), matched by name (nothing imported)."""
    return not _mro_names(cls).isdisjoint(estimator_like_names())


def _estimator_ok(row: DispatchRow, value: Any) -> bool:
    if value is None or _is_estimator(value):
        return True
    return isinstance(value, str) and value in row.values


def _estimator(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if not _estimator_ok(row, value):
        raise _bad(f"holds {_short(value)} where an estimator is used")


def _estimators(row: DispatchRow, value: Any, graph: _Graph, depth: int = 0) -> None:
    if depth > 3:
        raise _bad("estimators nested too deeply")
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, np.ndarray) and value.dtype.hasobject:
        items = value.ravel().tolist()
    elif type(value) in (list, tuple):
        items = list(value)
    elif _estimator_ok(row, value):
        return
    else:
        raise _bad(f"is {_short(value)}, not a collection of estimators")
    for item in items:
        if type(item) in (list, tuple) or (isinstance(item, np.ndarray) and item.dtype.hasobject):
            _estimators(row, item, graph, depth + 1)
        elif not _estimator_ok(row, item):
            raise _bad(f"holds {_short(item)} where an estimator is used")


def _named_estimators(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if type(value) not in (list, tuple):
        raise _bad(f"is {_short(value)}, not a list of (name, estimator) pairs")
    for item in value:
        if type(item) not in (list, tuple) or len(item) != 2 or not isinstance(item[0], str):
            raise _bad(f"holds {_short(item)}, not a (name, estimator) pair")
        if not _estimator_ok(row, item[1]):
            raise _bad(f"holds {_short(item[1])} where an estimator is used")


def _named_transformers(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if type(value) not in (list, tuple):
        raise _bad(f"is {_short(value)}, not a list of (name, transformer, columns)")
    selector = _column_selector()
    for item in value:
        if type(item) not in (list, tuple) or len(item) != 3 or not isinstance(item[0], str):
            raise _bad(f"holds {_short(item)}, not a (name, transformer, columns) triple")
        if not _estimator_ok(row, item[1]):
            raise _bad(f"holds {_short(item[1])} where a transformer is used")
        columns = item[2]
        if selector is not None and isinstance(columns, selector):
            continue
        _require_data(columns, graph, id(value), "[columns]")


def _callable(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if value is None or (isinstance(value, str) and value in row.values):
        return
    if isinstance(value, functools.partial):
        return  # the walk already held it to an allowed function with data arguments
    if _is_function(value) and id(value) in _callables():
        return
    raise _bad(f"holds {_short(value)}; a stored callable must be on the callable allowlist")


def _scorer(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if value is None or isinstance(value, str):
        return  # a scorer name is looked up in scikit-learn's own table
    scorers = _scorer_classes()
    if isinstance(value, scorers):
        return  # its own rows pin what it holds
    if isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, (str, *scorers)) for k, v in value.items()
    ):
        return
    if type(value) in (list, tuple, set) and all(isinstance(v, str) for v in value):
        return
    _callable(row, value, graph)


def _none(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if value is not None:
        raise _bad(f"is {_short(value)}; only None is accepted in a loaded model")


def _output_config(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if type(value) is not dict:
        raise _bad(f"is {_short(value)}, not a dict")
    for key, container in value.items():
        if not isinstance(key, str) or container not in _OUTPUT_CONTAINERS:
            raise _bad(
                f"asks for output container {_short(container)}; allowed: "
                + ", ".join(sorted(_OUTPUT_CONTAINERS))
            )
        if container != "default" and graph.root is not None:
            problem = _container_problem(container)
            if problem:
                raise _bad(problem)


def _container_problem(name: str) -> str | None:
    """scikit-learn imports the output container's library by name when the model is used.
    Unless that library is already imported, the import would take the first ``name`` on
    ``sys.path``, and for scripts, notebooks and ``python -c`` that is the working directory.
    So the library must be installed, and not be shadowed by a file in the working directory.
    Finding it runs no code of its own (``importlib.util.find_spec``)."""
    import importlib.util
    import os

    if name in sys.modules:
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return (
            f"asks for output container {name!r}, which is not installed: using the model "
            f"would import whatever module named {name!r} is first on the import path"
        )
    origin = os.path.realpath(spec.origin)
    here = os.path.realpath(os.getcwd())
    top = os.path.dirname(origin)
    if os.path.basename(origin) == "__init__.py":
        top = os.path.dirname(top)
    if top == here:  # found through the working directory's entry on sys.path
        return (
            f"asks for output container {name!r}, and the module that name would import is "
            f"{spec.origin}, in the working directory"
        )
    return None


def _attr_path(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if callable(value) and not isinstance(value, str):
        _callable(row, value, graph)
        return
    if not isinstance(value, str):
        raise _bad(f"is {_short(value)}, not an attribute path")
    if value == "auto" or value in row.values:
        return
    parts = value.split(".")
    if not all(_PUBLIC_NAME.match(p) for p in parts) or not parts[-1].endswith("_"):
        raise _bad(
            f"is {value!r}; an attribute path must be public names ending in a fitted "
            "attribute (such as 'coef_' or 'named_steps.clf.feature_importances_')"
        )


def _data(row: DispatchRow, value: Any, graph: _Graph) -> None:
    try:
        _require_data(value, graph, id(graph.root), "")
    except UnsafeState as exc:
        raise _bad(exc.problem) from None


def _kernel(row: DispatchRow, value: Any, graph: _Graph) -> None:
    kernel = _kernel_base()
    if value is None or (kernel is not None and isinstance(value, kernel)):
        return
    if isinstance(value, str) and value in row.values:
        return
    raise _bad(f"holds {_short(value)} where a Gaussian-process kernel is used")


def _classes_named(names: tuple[str | None, ...]) -> tuple[type, ...]:
    """The classes ``names`` name that can be imported now. Cached only once every name
    resolved: a class asked about before its library was imported (CatBoost's ``_catboost``
    module exists only once ``catboost`` is imported) is looked up again next time, not taken
    as absent for good."""
    cached = _NAMED.get(names)
    if cached is not None:
        return cached
    found = []
    for name in names:
        if name is None:
            continue
        module, _, qualname = name.partition(":")
        cls = _resolve(module, qualname)
        if isinstance(cls, type):
            found.append(cls)
    result = tuple(found)
    if len(result) == sum(name is not None for name in names):
        _NAMED[names] = result
    return result


_NAMED: dict[tuple[str | None, ...], tuple[type, ...]] = {}


def _instance_ok(row: DispatchRow, value: Any) -> bool:
    if value is None:
        return None in row.values
    return not isinstance(value, type) and isinstance(value, _classes_named(row.values))


def _instance_of(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if not _instance_ok(row, value):
        raise _bad(f"holds {_short(value)}; allowed: instances of {_choices(row)}")


def _each_instance_of(row: DispatchRow, value: Any, graph: _Graph) -> None:
    items = _sequence(value)
    if items is None:
        raise _bad(f"is {_short(value)}, not a list")
    for item in items:
        if not _instance_ok(row, item):
            raise _bad(f"holds {_short(item)}; allowed: instances of {_choices(row)}")


def _rebuilt(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if not isinstance(value, _classes_named(row.values)):
        raise _bad(f"holds {_short(value)}, not what the class rebuilds")


def _params(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if value is None:
        return
    if type(value) is not dict:
        raise _bad(f"is {_short(value)}, not a dict of parameters")
    for key in value:
        if key in row.values:
            raise _bad(
                f"holds the parameter {key!r}, which names a file, a path, a host or a stream "
                "for the library's native code; a loaded model may not set it"
            )
    try:
        _require_data(value, graph, id(graph.root), "")
    except UnsafeState as exc:
        raise _bad(exc.problem) from None


def _int_one(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if type(value) is not int or value != 1:
        raise _bad(f"is {_short(value)}; only 1 is accepted (more starts worker processes)")


def _thread_count(row: DispatchRow, value: Any, graph: _Graph) -> None:
    if value is None and None in row.values:
        return
    if type(value) is not int or not 1 <= value <= MAX_THREADS:
        raise _bad(
            f"is {_short(value)}; only an int from 1 to {MAX_THREADS} is accepted (the native "
            "code starts that many threads)"
        )


def _forbidden(row: DispatchRow, value: Any, graph: _Graph) -> None:
    raise _bad("may not be set by a file")


_KIND_CHECKS: dict[str, Callable[[DispatchRow, Any, _Graph], None]] = {
    "one_of": _one_of,
    "regex": _regex,
    "each_one_of": _each_one_of,
    "estimator": _estimator,
    "estimators": _estimators,
    "named_estimators": _named_estimators,
    "named_transformers": _named_transformers,
    "callable": _callable,
    "scorer": _scorer,
    "none": _none,
    "output_config": _output_config,
    "attr_path": _attr_path,
    "data": _data,
    "kernel": _kernel,
    "forbidden": _forbidden,
    "int_one": _int_one,
    "thread_count": _thread_count,
    "params": _params,
    "instance_of": _instance_of,
    "rebuilt": _rebuilt,
    "each_instance_of": _each_instance_of,
}


def _short(value: Any) -> str:
    if isinstance(value, (str, int, float, type(None))):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return f"a {type(value).__module__}.{type(value).__qualname__}"


def _choices(row: DispatchRow) -> str:
    return ", ".join(repr(v) for v in row.values)


# --- scikit-learn's own parameter constraints -------------------------------------------------


@functools.lru_cache(maxsize=1)
def _base_estimator() -> type | None:
    cls = _resolve("sklearn.base", "BaseEstimator")
    return cls if isinstance(cls, type) else None


@functools.lru_cache(maxsize=1)
def _estimator_like() -> frozenset[type]:
    """Internal scikit-learn classes that stand where an estimator is used without deriving
    from ``BaseEstimator``."""
    return frozenset(_classes_named(("sklearn.calibration:_CalibratedClassifier",)))


@functools.lru_cache(maxsize=1)
def _scorer_classes() -> tuple[type, ...]:
    """The scorer classes (a fitted search or threshold tuner stores one of these)."""
    names = ("_BaseScorer", "_PassthroughScorer", "_MultimetricScorer")
    found = [_resolve("sklearn.metrics._scorer", name) for name in names]
    return tuple(cls for cls in found if isinstance(cls, type))


@functools.lru_cache(maxsize=1)
def _kernel_base() -> type | None:
    cls = _resolve("sklearn.gaussian_process.kernels", "Kernel")
    return cls if isinstance(cls, type) else None


@functools.lru_cache(maxsize=1)
def _search_base() -> type | None:
    cls = _resolve("sklearn.model_selection._search", "BaseSearchCV")
    return cls if isinstance(cls, type) else None


@functools.lru_cache(maxsize=1)
def _column_selector() -> type | None:
    cls = _resolve("sklearn.compose._column_transformer", "make_column_selector")
    return cls if isinstance(cls, type) else None


def _constraints_of(cls: type) -> dict[str, Any] | None:
    base = _base_estimator()
    if base is None or not issubclass(cls, base):
        return None
    constraints = getattr(cls, "_parameter_constraints", None)
    return constraints if isinstance(constraints, dict) else None


#: (type, parameter, value) triples already validated; parameters of plain atoms only, which is
#: what most of a forest's hundreds of identical trees hold.
_VALID_ATOMS: set[tuple[type, str, Any]] = set()


def _check_params(
    cls: type, values: dict[str, Any], constraints: dict[str, Any], path: str
) -> None:
    """Hold ``values`` to the class's own parameter constraints (atoms already found valid
    are skipped: most of a forest's hundreds of trees hold the same ones)."""
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    todo: dict[str, Any] = {}
    for name, value in values.items():
        if name not in constraints:
            continue
        if type(value) in (bool, int, float, str, type(None)):
            if (cls, name, (type(value), value)) in _VALID_ATOMS:
                continue
        todo[name] = value
    if not todo:
        return
    try:  # all at once first: one call per estimator is what a forest can afford
        validate_parameter_constraints(
            {name: constraints[name] for name in todo}, todo, caller_name=cls.__name__
        )
    except (InvalidParameterError, ValueError, TypeError):
        for name, value in todo.items():  # then one by one, to name the parameter
            try:
                validate_parameter_constraints(
                    {name: constraints[name]}, {name: value}, caller_name=cls.__name__
                )
            except (InvalidParameterError, ValueError, TypeError) as exc:
                raise UnsafeState(
                    f"{path}.{name}",
                    f"holds a value {cls.__name__} itself refuses ({str(exc).rstrip('.')})",
                ) from None
        raise UnsafeState(path, "its parameters together are refused") from None
    if len(_VALID_ATOMS) < 100_000:
        for name, value in todo.items():
            if type(value) in (bool, int, float, str, type(None)):
                _VALID_ATOMS.add((cls, name, (type(value), value)))


# --- the same rules for literal state seen by the static pass -------------------------------

#: Kinds whose rule can be decided from a literal value alone.
_LITERAL_KINDS = frozenset(
    {
        "one_of",
        "each_one_of",
        "none",
        "output_config",
        "attr_path",
        "forbidden",
        "int_one",
        "thread_count",
        "regex",
    }
)


def resolve_class(module: str, qualname: str) -> type | None:
    """The class ``module.qualname`` names, if it is one (for the static pass, which asks only
    about names the policy already trusts)."""
    found = _resolve(module, qualname)
    return found if isinstance(found, type) else None


def is_estimator_class(cls: type) -> bool:
    """Whether instances of ``cls`` may stand where an estimator is used."""
    base = _base_estimator()
    return (
        (base is not None and issubclass(cls, base))
        or cls in _estimator_like()
        or _profile_estimator_like(cls)
    )


def is_scorer_class(cls: type) -> bool:
    """Whether ``cls`` is one of scikit-learn's scorer classes."""
    return issubclass(cls, _scorer_classes())


def classes_named(names: tuple[str | None, ...]) -> tuple[type, ...]:
    """The classes that ``'module:qualname'`` entries name (``None`` entries skipped)."""
    return _classes_named(names)


_LITERAL_ATTRS: dict[type, frozenset[str]] = {}


def literal_attributes(cls: type) -> frozenset[str]:
    """The attributes of ``cls`` whose literal values :func:`state_problem` judges."""
    found = _LITERAL_ATTRS.get(cls)
    if found is None:
        rows = {r.attribute for r in fitted_dispatch_rows(cls) if r.kind in _LITERAL_KINDS}
        found = frozenset(rows | set(_constraints_of(cls) or ()))
        _LITERAL_ATTRS[cls] = found
    return found


def state_problem(cls: type, keys: list[str], literals: dict[str, Any]) -> str | None:
    """What the post-build check would refuse in a state with these ``keys``, judged from the
    values known as literals; ``None`` when nothing can be said yet."""
    key_set = tuple(keys)
    if (cls, key_set) not in _CLEAN_KEYS:
        names = _class_names(cls)
        for key in keys:
            if key in names or (key.startswith("__") and key.endswith("__")):
                return (
                    f"state key {key!r} would hide what {cls.__qualname__} itself defines under "
                    "that name"
                )
        if all(isinstance(k, str) and k.isidentifier() for k in keys) and len(_CLEAN_KEYS) < 10_000:
            _CLEAN_KEYS.add((cls, key_set))
    graph = _Graph(None, 0)
    for row in fitted_dispatch_rows(cls):
        if row.attribute in literals and row.kind in _LITERAL_KINDS:
            try:
                _apply(row, literals[row.attribute], graph)
            except UnsafeState as exc:
                return f"{cls.__qualname__}.{row.attribute} {exc.problem} (it drives {row.drives})"
    constraints = _constraints_of(cls)
    if not constraints:
        return None
    todo = {}
    for name, value in literals.items():
        if name not in constraints:
            continue
        if type(value) not in (bool, int, float, str, type(None)):
            todo[name] = value  # a literal tuple, list, dict or numpy scalar (rt23-01)
        elif (cls, name, (type(value), value)) not in _VALID_ATOMS:
            todo[name] = value
    if not todo:
        return None
    try:
        _check_params(cls, todo, constraints, "")
    except UnsafeState as exc:
        return f"{cls.__qualname__}{exc.path} {exc.problem}"
    return None
