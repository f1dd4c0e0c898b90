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

This module is the walk. What it asks of the classes is in :mod:`safeload.trust.classes`; the
graph, its refusal and the plain-data rule in :mod:`safeload.trust.graph`; the sharing bound in
:mod:`safeload.trust.sharing`; the per-object checks in :mod:`safeload.trust.object_checks`,
which apply the dispatch kinds (:mod:`safeload.trust.kinds`) and the parameter checks
(:mod:`safeload.trust.params`). The static pass judges literal state with the same rules
(:mod:`safeload.trust.literal_state`).
"""

from __future__ import annotations

import collections
import enum
import functools
import keyword
import types
from collections.abc import Iterator
from typing import Any

import numpy as np

from safeload.trust.callables import CLASS_ATTRIBUTES
from safeload.trust.classes import (
    CLEAN_KEYS,
    callables,
    class_names,
    classes_named,
    data_only_types,
    enum_member_types,
    fitted_dispatch_rows,
    rebuilt_attributes,
    remember_clean,
    search_base,
    type_values,
)
from safeload.trust.graph import (
    ATOM_TYPES,
    ATOMS,
    SCALARS,
    BadValue,
    Graph,
    UnsafeState,
    WalkLimit,
    array_answer_problem,
    is_function,
    key_label,
    require_data,
    slots_of,
    value_leaf,
    value_leaf_problem,
)
from safeload.trust.graph import MAX_RANGE as MAX_RANGE
from safeload.trust.object_checks import check_instance, check_kwargs
from safeload.trust.pandas_forms import is_checked_pandas, pandas_contents
from safeload.trust.sharing import UNWALKED_LINKS, check_sharing
from safeload.trust.static_masked import MASKED_PLACE
from safeload.trust.structures.common import root_array

__all__ = ["UnsafeState", "WalkLimit", "check_use_time", "fitted_dispatch_rows"]


def _label_attr(name: str) -> str:
    return f".{name}"


def _children(o: Any, graph: Graph | None) -> Iterator[tuple[str, Any]]:
    """The objects ``o`` holds, each with the label of the step from ``o`` to it."""
    if isinstance(o, collections.defaultdict):
        yield ".default_factory", o.default_factory
    if isinstance(o, dict):
        # dict's own storage, not the subclass's items(): scipy's dok matrix answers items()
        # from its _dict, and an estimator in its own storage went unchecked (rt108-07)
        for i, (k, v) in enumerate(dict.items(o)):
            if not isinstance(k, ATOMS):
                yield f".keys()[{i}]", k
            yield key_label(i, k), v
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


def check_use_time(
    root: Any, *, max_objects: int
) -> tuple[list[Any], list[Any], dict[int, list[int]], Any, list[Any]]:
    """Check every object reachable from ``root``; return the instances seen, the numpy
    arrays and dtypes seen (for the native-structure and dtype checks that follow) and the
    edges between objects (node id -> child ids) with their components
    (:func:`safeload.trust.sharing.components`, or ``None``), and what the walk made to read
    (the caller holds it while it uses the ids: none is reused). Raises
    :class:`UnsafeState` on the first problem."""
    graph = Graph(root, max_objects)
    _walk(graph)
    if graph.subclass_arrays:
        _check_masked_places(graph)
    _check_pandas_blocks(graph)
    graph.numpy.extend(graph.pandas_arrays)
    comps = check_sharing(graph)
    for obj in graph.instances:
        check_instance(obj, graph)
    _check_in_place(graph)
    return graph.instances, graph.numpy, graph.edges, comps, graph.alive


def _instance_state(obj: Any) -> dict[str, Any] | None:
    state = getattr(obj, "__dict__", None)
    return state if type(state) is dict else None


def _check_in_place(graph: Graph) -> None:
    """Estimators stored with an in-place parameter off write into the caller's data
    (:func:`safeload.trust.in_place.in_place_problem`, rt42-01); one in its holder's private
    slot must be held by nothing else in the graph the walk recorded."""
    from safeload.trust.in_place import in_place_problem

    counts: collections.Counter[int] | None = None

    def held_once(obj: Any, holder: Any, slot: str) -> bool:
        nonlocal counts
        if counts is None:
            counts = collections.Counter(kid for kids in graph.edges.values() for kid in kids)
        return counts[id(obj)] == 1 and id(obj) in graph.edges.get(id(holder), ())

    found = in_place_problem(graph.instances, _instance_state, held_once)
    if found is not None:
        obj, name, why = found
        raise UnsafeState(f"{graph.path(id(obj))}.{name}", why)


def _check_masked_places(graph: Graph) -> None:
    """A masked array only where scikit-learn puts one: a value of a search's ``cv_results_``
    dict (its ``param_*`` columns), referenced by nothing else. numpy.ma's reductions and
    comparisons skip masked items, so every check that tests an array with ``max``, ``min``
    or ``np.all`` passes a masked out-of-range index, while native code reads the raw buffer:
    a CSR matrix whose masked ``indices`` held column 50,000,000, or a KD tree's ``node_data``
    with a masked ``idx_end``, crashed ``predict`` (rt39-02, rt39-03). Every reference into
    a masked array must come from such a dict, and each such dict be referenced once (by its
    search), so no other object can share the array."""
    search = search_base()
    results: set[int] = set()
    if search is not None:
        for obj in graph.instances:
            if isinstance(obj, search):
                table = vars(obj).get("cv_results_")
                if type(table) is dict:
                    results.add(id(table))
    masked = {id(a) for a in graph.subclass_arrays}
    if id(graph.root) in masked or id(graph.root) in results:
        raise UnsafeState("model", MASKED_PLACE)
    references = dict.fromkeys(results, 0)
    for parent, kids in graph.edges.items():
        for kid in kids:
            if kid in masked and parent not in results:
                raise UnsafeState(graph.path(kid), MASKED_PLACE)
            if kid in references:
                references[kid] += 1
    for table, count in references.items():
        if count > 1:
            raise UnsafeState(
                graph.path(table), "a search's cv_results_ that is also held elsewhere"
            )


def pandas_block_problem(arrays: list[Any], blocks: list[Any], dtypes: list[Any]) -> str | None:
    """A checked pandas object's block is memory pandas' public API writes in place
    (``df.iloc[...] = ...``, ``s[:] = ...``); one whose array is also an array the model holds
    elsewhere (``arrays``: one object through the memo, a sparse matrix's ``indices`` as a
    Series) lets that write rewrite the model's array after its checks, and native code then
    reads out of bounds. ``check_array_aliasing`` allows one array reached twice; a block may
    not be. Object blocks hold references, which a write replaces safely, and are allowed.
    Then the categoricals' ``dtypes``: :func:`categorical_crowd_problem`."""
    crowded = categorical_crowd_problem(dtypes)
    if crowded:
        return crowded
    if not blocks:
        return None
    numeric = {id(root_array(b)) for b in blocks if not b.dtype.hasobject}
    for o in arrays:
        if isinstance(o, np.ndarray) and id(root_array(o)) in numeric:
            return (
                "holds an array that is also the values of a pandas block: writing the frame "
                "or series would rewrite it after the checks"
            )
    return None


def categorical_crowd_problem(dtypes: list[Any]) -> str | None:
    """Why the categorical dtypes of a model's pandas objects are refused, or ``None``: more
    than ``SHARED_HASH_LIMIT`` distinct ones of one hash. pandas hashes a CategoricalDtype by
    its categories under a fixed key (an XOR of one value per category, or a tuple's hash for
    mixed kinds), so a file may give any number of them one hash, and pandas puts a frame's
    dtypes in a hash table at use: 1,000 such columns took 12 s in ``df.info()`` (rt122-09).
    Each dtype is hashed once (pandas' own code, linear in its categories) and compared with
    at most ``SHARED_HASH_LIMIT`` others; dtypes over the same categories' data count once
    (:func:`_categories_key`: a thousand dtypes over one memoised array are one hashing), and
    one over a long ``RangeIndex`` (three ints, whose values no file chooses) is not hashed."""
    from safeload._numpy_state import SHARED_HASH_LIMIT

    table: dict[int, list[Any]] = {}
    seen: set[Any] = set()
    for dtype in dtypes:
        key = _categories_key(dtype)
        if key is None or key in seen:
            continue
        seen.add(key)
        try:
            same = table.setdefault(hash(dtype), [])
            known = any(_same_dtype(dtype, other) for other in same)
        except Exception as exc:  # (pandas' own refusal: fail closed)
            return f"holds a categorical dtype pandas cannot hash or compare ({exc})"
        if known:
            continue
        same.append(dtype)
        if len(same) > SHARED_HASH_LIMIT:
            return (
                f"its pandas objects hold more than {SHARED_HASH_LIMIT} different categorical "
                "dtypes of one hash: pandas hashes a dtype by its categories, which the file "
                "chooses, and compares each with every earlier one of its hash when it lists a "
                "frame's dtypes (quadratic time)"
            )
    return None


def _same_dtype(one: Any, other: Any) -> bool:
    """Whether two categorical dtypes are equal as pandas compares them (the same ``ordered``,
    the same categories' dtype, and the same categories, in order where ordered, as a set
    otherwise), without pandas' comparison of unordered ones: it builds a hash table of one's
    categories, and a file's values of one hash in it made 30 comparisons take 40 s
    (rt123-05). A set is compared sorted; categories that do not sort (mixed kinds) are
    compared in order, so equal ones may count apart (the safe side)."""
    if one.ordered != other.ordered:
        return False
    left, right = one.categories, other.categories
    if left.dtype != right.dtype or len(left) != len(right):
        return False
    if left.equals(right) or one.ordered:
        return bool(left.equals(right))
    try:
        return bool(np.array_equal(np.sort(np.asarray(left)), np.sort(np.asarray(right))))
    except TypeError:
        return False


#: A ``RangeIndex`` of categories longer than this is not hashed by the count (its values are
#: its three ints: no file lines many such up on one hash, and hashing each costs its length)
_LONG_RANGE = 4096


def _categories_key(dtype: Any) -> Any:
    """What tells a categorical dtype's hashing apart: its categories' data (where in memory,
    its shape, strides and type) and ``ordered``, so dtypes over the same data (equal dtypes)
    are hashed once; ``None`` for one not to hash (a long ``RangeIndex``)."""
    import sys

    cats = dtype.categories
    pd = sys.modules["pandas"]
    if type(cats) is pd.RangeIndex:
        if len(cats) > _LONG_RANGE:
            return None
        return ("range", cats.start, cats.stop, cats.step, dtype.ordered)
    data = getattr(cats, "_data", None)
    data = getattr(data, "_ndarray", data)
    if isinstance(data, np.ndarray):
        where = data.__array_interface__["data"][0]
        return ("array", where, data.shape, data.strides, data.dtype.str, dtype.ordered)
    return ("object", id(cats), dtype.ordered)


def _check_pandas_blocks(graph: Graph) -> None:
    """:func:`pandas_block_problem` on the arrays the walk reached itself (outside pandas)."""
    problem = pandas_block_problem(graph.numpy, graph.pandas_blocks, graph.pandas_dtypes)
    if problem:
        raise UnsafeState("model", problem)


def _walk(graph: Graph) -> None:
    allowed = callables()
    value_types = type_values()
    seen: set[int] = set()
    stack: list[Any] = [graph.root]
    parent = graph.parent
    atoms = ATOM_TYPES
    members = enum_member_types()
    keep = graph.alive.append
    while stack:
        o = stack.pop()
        if type(o) in atoms or isinstance(o, ATOMS) or type(o) in members:
            continue
        oid = id(o)
        if oid in seen:
            continue
        if value_leaf(o):  # (only the root: a held one is checked where it is met, below)
            _check_value_leaf(o, graph, oid, "")
            continue
        if isinstance(o, SCALARS):
            if isinstance(o, np.dtype):
                seen.add(oid)
                graph.numpy.append(o)
            continue
        if is_checked_pandas(o):
            # checked when it was made (safeload.trust.pandas_forms); its arrays still go to
            # the dtype and aliasing checks after the walk (rt28-03)
            seen.add(oid)
            contents = pandas_contents(o)
            if contents.unpaid_range:
                raise UnsafeState(graph.path(oid), f"holds {contents.unpaid_range}")
            graph.pandas_arrays.extend(contents.arrays)
            graph.pandas_blocks.extend(contents.blocks)
            graph.pandas_dtypes.extend(contents.dtypes)
            continue
        seen.add(oid)
        if len(seen) > graph.max_objects:
            raise WalkLimit("model", f"more than {graph.max_objects} objects")
        kids = _held(o, graph, oid, allowed, value_types)
        links = UNWALKED_LINKS.get((type(o).__module__, type(o).__qualname__), ())
        out: list[int] = []
        for label, child in kids:
            if isinstance(child, ATOMS) or isinstance(child, np.generic):
                continue
            # (held until the checks end: a record array's rows are tuples made for the walk,
            # and an id freed and reused would let ``seen`` skip another object with all it
            # holds, rt92-03; one reference a child, not its label)
            keep(child)
            if value_leaf(child):
                _check_value_leaf(child, graph, oid, label)
                continue
            cid = id(child)
            if not (links and label[1:] in links):  # (labelled .name: _label_attr)
                out.append(cid)
            if cid not in seen and cid not in parent:
                parent[cid] = (oid, label)
            stack.append(child)
        if out:
            graph.edges[oid] = out


def _check_value_leaf(o: Any, graph: Graph, oid: int, label: str) -> None:
    """Refuse a value leaf (:func:`safeload.trust.graph.value_leaf`), held by ``oid`` through
    ``label``, whose state its constructor never makes."""
    key = id(o)  # (every object met stays alive: ids are not reused)
    if key in graph.leaves:
        return
    graph.leaves.add(key)
    problem = value_leaf_problem(o)
    if problem:
        raise BadValue(graph.path(oid) + label, problem)


def entered(o: Any) -> list[Any]:
    """What the load's walk enters in the built value ``o``: the values :func:`_held` returns
    for it, without its checks (nothing for what the walk does not enter: a number, a numpy
    scalar or dtype, an enum member, a checked pandas object, a class, a function). Scan's
    shadow graph reads every value its builder makes for real through this (a partial, a
    sparse matrix, a random state, a date, a dict subclass: rt54-01), so the two sharing
    bounds count one graph."""
    if type(o) in ATOM_TYPES or isinstance(o, ATOMS) or type(o) in enum_member_types():
        return []
    if value_leaf(o):
        return []
    if isinstance(o, SCALARS) or is_checked_pandas(o):
        return []
    kids: list[tuple[str, Any]]
    if isinstance(o, _PLAIN):
        kids = list(_children(o, None))
        if type(o) not in _PLAIN:
            kids.extend(_instance_children(o, None, 0))
    elif isinstance(o, np.ndarray):
        kids = _array_subclass_children(o, None, 0) if type(o) is not np.ndarray else []
        if o.dtype.hasobject:
            kids.extend(("", v) for v in o.view(np.ndarray).ravel().tolist())
    elif isinstance(o, (type, *_NOT_ENTERED)) or is_function(o):
        return []
    elif isinstance(o, functools.partial):
        return [o.args, o.keywords]
    else:
        kids = list(_instance_children(o, None, 0))
    return [value for _label, value in kids]


#: The containers :func:`_held` enters item by item (a subclass of one also as an instance).
_PLAIN = (dict, list, tuple, set, frozenset, slice)
#: What :func:`_held` refuses outright (so holds nothing the walk would meet).
_NOT_ENTERED = (types.ModuleType, types.MethodType, types.CodeType, types.FrameType)


def _held(
    o: Any, graph: Graph, oid: int, allowed: Any, value_types: frozenset[type]
) -> list[tuple[str, Any]]:
    """Check ``o`` by what it is and return what it holds, each with the label of the step to
    it (nothing for an allowed class or function, which the walk does not enter)."""
    kids: list[tuple[str, Any]]
    if isinstance(o, (dict, list, tuple, set, frozenset, slice)):
        kids = list(_children(o, graph))
        if type(o) not in (dict, list, tuple, set, frozenset, slice):
            kids.extend(_instance_children(o, graph, oid))
            graph.instances.append(o)
        return kids
    if isinstance(o, np.ndarray):
        return _array_children(o, graph, oid)
    if isinstance(o, type):
        if o not in value_types:
            raise UnsafeState(
                graph.path(oid),
                f"holds the class {_qual(o)} as a value; only numpy scalar types and "
                "builtin number types may be kept as values",
                names=(_qual(o),),
            )
        return []
    if isinstance(o, functools.partial):
        _check_partial(o, graph, oid, allowed)
        kids = [(".args", o.args), (".keywords", o.keywords)]
        d = getattr(o, "__dict__", None)
        if d:
            raise UnsafeState(graph.path(oid), "a functools.partial with attributes")
        return kids
    if is_function(o):
        if id(o) not in allowed:
            raise UnsafeState(
                graph.path(oid),
                f"holds the function {_fn_name(o)}, which is not on the callable allowlist "
                "(safeload.trust.callables): a model may keep only pure functions that it "
                "calls with your data",
                names=(_fn_name(o),),
            )
        return []
    if isinstance(o, (types.ModuleType, types.MethodType, types.CodeType, types.FrameType)):
        raise UnsafeState(graph.path(oid), f"holds a {type(o).__name__} object")
    graph.instances.append(o)
    return list(_instance_children(o, graph, oid))


def _permuted(o: Any) -> bool:
    """Whether ``o`` is a contiguous array with its axes permuted (a transposed or moved-axis
    view: numpy 2.4 writes one as ``_frombuffer(..., 'K', axes)``, rt104-01): each item in
    its own bytes, as many as the array's size, so its uses cost what it holds."""
    order = sorted(range(o.ndim), key=lambda axis: -o.strides[axis])
    return bool(o.transpose(order).flags.c_contiguous)


def _array_children(o: Any, graph: Graph, oid: int) -> list[tuple[str, Any]]:
    """An array is recorded for the dtype check and must be contiguous; what it holds is its
    object elements and, for a subclass, its other state."""
    graph.numpy.append(o)
    if o.size > 1 and not (o.flags.c_contiguous or o.flags.f_contiguous or _permuted(o)):
        # numpy.ndarray(shape, dtype, buffer, offset, strides) can make a zero-strided
        # array of any logical size over 8 bytes: every use of it allocates that size
        raise UnsafeState(graph.path(oid), "holds an array that is not contiguous")
    kids = []
    if type(o) is not np.ndarray:
        graph.subclass_arrays.append(o)
        kids = _array_subclass_children(o, graph, oid)
    if o.dtype.hasobject:
        # the raw elements: a masked array's tolist() would hide its masked slots
        raw = o.view(np.ndarray).ravel().tolist()
        kids.extend((f"[{i}]", v) for i, v in enumerate(raw))
    return kids


def _array_subclass_children(o: Any, graph: Graph | None, oid: int) -> list[tuple[str, Any]]:
    """What an ndarray subclass (numpy's MaskedArray) keeps besides its elements: its mask,
    fill value and options are walked like any state; its base class must be an array type."""
    d = getattr(o, "__dict__", None)
    if not isinstance(d, dict):
        return []
    kids = []
    for key, value in d.items():
        if key == "_baseclass":
            if graph is not None and value not in (np.ndarray, np.ma.MaskedArray):
                raise UnsafeState(graph.path(oid) + "._baseclass", "is not an array type")
            continue
        kids.append((_label_attr(key), value))
    return kids


def _is_held_class(value: Any, pair: tuple[str, str] | None) -> bool:
    """Whether ``value`` is exactly the class ``pair`` names."""
    return (
        pair is not None
        and isinstance(value, type)
        and (value.__module__, value.__qualname__) == pair
    )


def _qual(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _fn_name(o: Any) -> str:
    module = getattr(o, "__module__", None) or type(o).__module__
    name = getattr(o, "__qualname__", None) or getattr(o, "__name__", None) or repr(o)
    return f"{module}.{name}"


def _check_partial(o: functools.partial[Any], graph: Graph, oid: int, allowed: Any) -> None:
    func = o.func
    if not is_function(func) or id(func) not in allowed:
        what = _fn_name(func) if is_function(func) else f"a {type(func).__name__} object"
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
        require_data(arg, graph, oid, ".keywords" + key_label(i, key))
    check_kwargs(o.keywords, graph.path(oid) + ".keywords")


_NATIVE_REDUCE: dict[type, bool] = {}


def _native_reduce(cls: type) -> bool:
    """Whether ``cls`` pickles through an extension type's own ``__reduce__`` (a Python
    subclass of one, such as ``KDTree`` of ``BinaryTree64``): its instance ``__dict__`` is
    empty, and what it holds (a KD tree's data and index arrays) is in its reduced state."""
    found = _NATIVE_REDUCE.get(cls)
    if found is None:
        reduce = getattr(cls, "__reduce__", None)
        found = reduce is not None and reduce is not object.__reduce__
        found = found and not isinstance(reduce, types.FunctionType)  # not defined in Python
        _NATIVE_REDUCE[cls] = found
    return found


def _instance_children(o: Any, graph: Graph | None, oid: int) -> Iterator[tuple[str, Any]]:
    """What the instance ``o`` holds; with a ``graph``, its keys and rebuilt attributes are
    checked on the way (without one, for :func:`entered`, they are only skipped as here)."""
    cls = type(o)
    if isinstance(o, enum.Enum) and _enum_member(o):
        return  # (made with its class, not by the file: the load looked it up by value)
    d = getattr(o, "__dict__", None)
    if isinstance(d, dict) and not isinstance(o, type):
        if graph is not None:
            _check_keys(cls, d, graph, oid)
        rebuilt = rebuilt_attributes(cls)
        held = CLASS_ATTRIBUTES.get((cls.__module__, cls.__qualname__))
        atoms = ATOM_TYPES
        for key, value in d.items():
            if type(value) in atoms:
                continue
            if key in rebuilt:
                if graph is not None and not isinstance(value, classes_named(rebuilt[key])):
                    raise UnsafeState(graph.path(oid) + _label_attr(key), "was not rebuilt")
                continue
            if held is not None and _is_held_class(value, held.get(key)):
                continue  # the one class this attribute keeps (callables.CLASS_ATTRIBUTES)
            yield _label_attr(key), value
    slots, declares = slots_of(cls)
    for name in slots:
        is_set, value = _slot_value(cls, o, name)
        if is_set:
            yield _label_attr(name), value
    if d is None and cls in data_only_types():
        return
    if walks_reduced(cls, d, declares):
        # An extension type (a Cython tree, loss, metric or random state): what it holds is
        # in its pickled state. Its reconstructor (item 0) is a class or helper, not a value.
        # Classes and constructors inside it are how it is rebuilt, not values it keeps.
        reduced = o.__reduce_ex__(4)
        if isinstance(reduced, tuple):
            if graph is not None:
                graph.keep.append(reduced)
            for i, part in enumerate(reduced[1:3], start=1):
                for label, value in _state_parts(part, f".<reduce {i}>"):
                    if not isinstance(value, type) and not is_function(value):
                        yield label, value


def _slot_value(cls: type, o: Any, name: str) -> tuple[bool, Any]:
    """``(True, value)`` of the slot ``name`` of ``o``, ``(False, None)`` when it is unset: read
    through the slot's own descriptor, so that no ``__getattr__`` of the class runs for an
    unset one (attrs answers a cached_property's slot by computing it, rt99-17)."""
    for base in cls.__mro__:
        slot = vars(base).get(name)
        if type(slot) is types.MemberDescriptorType:
            try:
                return True, slot.__get__(o, cls)
            except AttributeError:
                return False, None
    return (True, getattr(o, name)) if hasattr(o, name) else (False, None)


def _enum_member(o: enum.Enum) -> bool:
    """Whether ``o`` is one of its enum class's own members (its ``__dict__`` holds what the
    enum machinery set, ``__objclass__`` among it: an own enum's member was refused, rt99-08)."""
    members = vars(type(o)).get("_member_map_")
    if members is None:
        members = getattr(type(o), "_member_map_", None)
    return isinstance(members, dict) and members.get(getattr(o, "_name_", None)) is o


def walks_reduced(cls: type, d: Any, declares: bool | None = None) -> bool:
    """Whether the walk meets what an instance of ``cls`` with the ``__dict__`` ``d`` (``None``:
    none) holds in its ``__reduce_ex__`` parts (:func:`reduced_values`) rather than in its
    attributes: an extension type, or a Python subclass of one with no attributes set.
    ``declares``: whether a class of it declares ``__slots__`` (looked up when ``None``)."""
    if declares is None:
        declares = slots_of(cls)[1]
    return (d is None and not declares) or (not d and _native_reduce(cls))


def reduced_values(args: Any, state: Any) -> list[Any]:
    """What the walk meets in an extension type's reduced arguments and state: the values
    inside their tuples, lists and dicts, classes and functions left out (how it is
    rebuilt, not what it keeps). Scan's shadow graph reads a shadow of such a type with it
    (rt54-01)."""
    return [
        value
        for part in (args, state)
        for _label, value in _state_parts(part, "")
        if not isinstance(value, type) and not is_function(value)
    ]


def _state_parts(part: Any, label: str) -> Iterator[tuple[str, Any]]:
    if type(part) in (tuple, list):
        for i, value in enumerate(part):
            yield from _state_parts(value, f"{label}[{i}]")
    elif type(part) is dict:
        for i, (key, value) in enumerate(part.items()):
            yield from _state_parts(value, label + key_label(i, key))
    else:
        yield label, part


def _check_keys(cls: type, state: dict[Any, Any], graph: Graph, oid: int) -> None:
    keys = tuple(state)
    if (cls, keys) in CLEAN_KEYS:
        return
    _check_each_key(cls, state, graph, oid)
    remember_clean(cls, keys)


def _check_each_key(cls: type, state: dict[Any, Any], graph: Graph, oid: int) -> None:
    names = class_names(cls)
    for key in state:
        if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
            raise UnsafeState(graph.path(oid), f"state key {key!r} is not an attribute name")
        if key.startswith("__") and key.endswith("__"):
            raise UnsafeState(graph.path(oid), f"state sets the special attribute {key!r}")
        answers = array_answer_problem(key, cls.__qualname__)
        if answers:
            raise UnsafeState(graph.path(oid), answers)
        if key in names:
            raise UnsafeState(
                graph.path(oid),
                f"state key {key!r} would hide what {cls.__qualname__} itself defines under "
                "that name (a method, property or class setting); honest state never does",
            )
