"""The use-time checks that can be decided from the stream alone, for ``scan`` and early refusal.

:mod:`safeload.trust.usetime` checks what was actually built, after loading; it is the guard.
This pass applies the same rules to what the static walk can see without building anything, so
that ``safeload scan`` flags a file that ``load`` would refuse for its state, and ``load``
refuses it before any object exists:

* a function or class stored as a value (in a container, an object's state, a ``partial`` or a
  container constructor's arguments) must be on the callable allowlist or be a scalar type;
* a ``functools.partial`` must wrap an allowed function (its REDUCE argument and its state);
* an object's state keys may not shadow anything its class defines;
* literal state values are checked against the dispatch table and scikit-learn's own parameter
  constraints (a ``response_method`` of ``"fit"``, a ``memory`` path, an output container).

Values the walk does not follow (list contents built elsewhere, results of calls) are left to
the post-build check, which sees everything; this pass only ever adds refusals.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from typing import Any

from safeload.exceptions import LimitExceededError
from safeload.policy import Policy, format_name
from safeload.trust import facts, native_params
from safeload.trust.pandas_forms import PANDAS_NAMES
from safeload.trust.structures.common import MAX_STEP_NAME

__all__ = ["hashes_containers", "stored_sharing_problem", "use_time_findings"]

_PARTIAL = ("functools", "partial")
_POSITIONAL = (
    "a stored functools.partial binds positional arguments (the caller's data would become a "
    "ufunc's out); only keyword arguments are accepted"
)
_SKIP_CLASSES = frozenset({("joblib.numpy_pickle", "NumpyArrayWrapper")})
#: Extension types whose __setstate__ turns every value into numbers or numeric arrays (the
#: post-build walk skips them for the same reason).
_DATA_ONLY = frozenset({("sklearn.tree._tree", "Tree")})
#: Builds whose state the static pass already vets as an array, dtype or scalar state.
_NUMPY_STATE_CLASSES = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "dtype"),
        ("numpy", "ndarray"),
    }
)
_MAX_DEPTH = 16
#: Deeper than this, a value is not judged here and scan calls the file unproven (a load judges
#: it after building; plain data deeper than 20 it refuses too).
_DEPTH_UNPROVEN = (
    "unproven: a value nested more than 16 levels deep, which the stream walk does not judge "
    "(a load checks it after building)"
)


@functools.lru_cache(maxsize=1)
def _value_names() -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    from safeload.trust.callables import CALLABLE_ROWS, TYPE_VALUE_ROWS

    return (
        frozenset((m, q) for m, q, _ in CALLABLE_ROWS),
        frozenset((m, q) for m, q, _ in TYPE_VALUE_ROWS),
    )


#: Results of the recursive walks below for the run in progress, by (walk, node id, depth):
#: the stream's memo makes values DAGs, and a tuple of depth 16 whose two items are one tuple
#: (8 bytes a level) would otherwise be walked 2**16 times per 2-byte reference to it. The
#: nodes stay alive (the analysis holds them) for the whole run, so their ids are stable.
_RUN = threading.local()


def _memo() -> dict[tuple[str, int, int], Any]:
    memo: dict[tuple[str, int, int], Any] | None = getattr(_RUN, "memo", None)
    if memo is None:
        memo = _RUN.memo = {}
    return memo


def use_time_findings(analysis: Any, policy: Policy) -> list[Any]:
    """Findings (``use_time=True``) for the state in ``analysis`` that load would refuse.

    The classes' facts (:mod:`safeload.trust.facts`) are tried first, which imports none of
    them; only a stream they clear completely is cleared that way. Anything they cannot answer,
    and any refusal, is decided again with the classes imported, as it always was, so that
    verdicts and messages are the classes' own."""
    if facts.data_available():
        facts.take_needs_import()
        found = _findings(analysis, policy, data=True)
        if not found and not facts.take_needs_import():
            return found
    return _findings(analysis, policy, data=False)


def _findings(analysis: Any, policy: Policy, *, data: bool) -> list[Any]:
    from safeload.pickle.analysis import Finding

    findings: list[Finding] = []
    _RUN.memo = {}
    _RUN.data = data
    _RUN.policy = policy
    try:
        for pos, problem in _problems(analysis, policy):
            findings.append(Finding(pos, "BUILD", problem, use_time=True))
            break  # one is enough for a verdict; load reports the first too
    except Exception as exc:  # fail closed: a bug here is an unsafe verdict, never a clean one
        findings.append(
            Finding(0, "", f"use-time analysis failed: {type(exc).__name__}: {exc}", use_time=True)
        )
    finally:
        _RUN.memo = None
        _RUN.data = False
        _RUN.policy = None
    return findings


def _class_of(pair: tuple[str, str]) -> Any:
    """The class a trusted name denotes, or in a run on facts its :class:`facts.ClassFacts`
    (``None`` for a name of something that is not a class)."""
    if getattr(_RUN, "data", False):
        return facts.facts_for(*pair)
    from safeload.trust.classes import resolve_class

    return resolve_class(*pair)


def _problems(analysis: Any, policy: Policy) -> Iterator[tuple[int, str]]:
    from safeload._symbolic import _Dict, _Global, _Obj, _Tuple

    wrapper_states = {
        id(state) for _pos, obj, state in analysis.builds if obj.cls.pair in _SKIP_CLASSES
    }
    problem = stored_sharing_problem(analysis)
    if problem:
        yield 0, problem
    for pos, target, items in analysis.stored:
        if id(target) in wrapper_states:
            continue  # joblib's array header: its subclass entry is checked by the walk
        for item in items:
            problem = _value_problem(item, 0)
            if problem:
                yield pos, problem
    for pos, obj in analysis.calls:
        cls = obj.cls
        if not isinstance(cls, _Global):
            continue
        args = obj.args
        if cls.pair == _PARTIAL:
            first = args.items[0] if isinstance(args, _Tuple) and args.items else None
            problem = _partial_problem(first)
            if problem:
                yield pos, problem
            if isinstance(args, _Tuple) and len(args.items) > 1:
                yield pos, _POSITIONAL
        if isinstance(args, _Tuple):
            for item in args.items:
                problem = _value_problem(item, 0, allow_callable=cls.pair == _PARTIAL)
                if problem:
                    yield pos, problem
            problem = _fields_problem(cls.pair, args, policy)
            if problem:
                yield pos, problem
    for pos, obj in analysis.arg_calls:
        problem = _constructed_problem(obj.cls.pair, policy)
        if problem:
            yield pos, problem
    for pos, obj, state in analysis.builds:
        cls = obj.cls
        if not isinstance(obj, _Obj) or not isinstance(cls, _Global):
            continue
        if cls.pair in _SKIP_CLASSES or cls.pair in _NUMPY_STATE_CLASSES or cls.pair in _DATA_ONLY:
            continue  # array and dtype states are checked by the walk itself
        if cls.pair == _PARTIAL and isinstance(state, _Tuple) and state.items:
            problem = _partial_problem(state.items[0])
            if problem:
                yield pos, problem
            # partial's state is (func, args, keywords, dict)
            bound = state.items[1] if len(state.items) > 1 else None
            if isinstance(bound, _Tuple) and bound.items:
                yield pos, _POSITIONAL
            keywords = state.items[2] if len(state.items) > 2 else None
            if isinstance(keywords, _Dict) and "out" in keywords.items:
                yield pos, "a stored functools.partial binds out=, writing into a model array"
            if isinstance(keywords, _Dict):
                for key, value in keywords.items.items():
                    problem = _data_problem(value, 0)
                    if problem:
                        yield pos, f"functools.partial keyword {key!r} {problem}"
            extra = state.items[3] if len(state.items) > 3 else None
            if isinstance(extra, _Dict) and (extra.items or extra.lossy):
                yield pos, "a functools.partial with attributes"
            for item in state.items[1:]:
                problem = _value_problem(item, 0)
                if problem:
                    yield pos, problem
            continue
        problem = _value_problem(state, 0)
        if problem:
            yield pos, problem
        if policy.allows(*cls.pair):
            problem = _state_problem(cls.pair, state) or _opaque_state_problem(cls.pair, state)
            if problem:
                yield pos, problem


def _constructed_problem(pair: tuple[str, str], policy: Policy) -> str | None:
    """A trusted class with an instance ``__dict__`` called with arguments (REDUCE, INST,
    OBJ): its ``__init__`` stores them as attributes (``FunctionTransformer(func)``), which
    the rules above judge only in a BUILD state. Pickle makes such objects by NEWOBJ (or
    ``copyreg._reconstructor``) and BUILD, so the stream walk calls this unproven (rt23-06);
    a load judges what it built."""
    if pair in _PLAIN_CALLS or pair in PANDAS_NAMES or not policy.allows(*pair):
        return None  # pandas objects are checked by safeload.trust.pandas_forms
    cls = _class_of(pair)
    if cls is None or not facts.has_dict(cls):
        return None
    if not (
        facts.is_estimator(cls)
        or facts.is_kernel(cls)
        or facts.dispatch_rows(cls)
        or facts.constraint_names(cls)
    ):
        return None  # no rule judges its attributes (collections.Counter(counts))
    return (
        f"unproven: {facts.qualname(cls)} made by calling it with arguments, which its "
        "__init__ stores out of reach of the stream walk's rules (pickle writes NEWOBJ and "
        "BUILD)"
    )


def _opaque_state_problem(pair: tuple[str, str], state: Any) -> str | None:
    """An instance whose attributes come from a call (``builtins.dict(pairs)``) rather than a
    literal dict: pickle never writes that for an object's state, and the rules above cannot
    read it, so scan calls it unproven (a load judges what it built)."""
    from safeload._symbolic import _Obj, _Tuple

    main = state.items[0] if isinstance(state, _Tuple) and len(state.items) == 2 else state
    if not isinstance(main, _Obj):
        return None
    cls = _class_of(pair)
    if cls is None or not facts.has_dict(cls):
        return None  # extension types take their state through __setstate__
    return (
        f"unproven: the state of a {facts.qualname(cls)} is made by a call, which the stream "
        "walk cannot judge (a load checks what it built)"
    )


def _fields_problem(pair: tuple[str, str], args: Any, policy: Policy) -> str | None:
    """A namedtuple made by a call: its fields are its arguments, pinned like attributes."""
    cls = _class_of(pair) if policy.allows(*pair) else None
    fields = facts.fields(cls) if cls is not None else None
    if cls is None or fields is None:
        return None
    values = dict(zip(fields, args.items, strict=False))
    for row in facts.dispatch_rows(cls):
        if row.attribute in values:
            problem = _row_problem(row, values[row.attribute], 0)
            if problem:
                return f"{facts.qualname(cls)}.{row.attribute} {problem} (it drives {row.drives})"
    return None


def _partial_problem(func: Any) -> str | None:
    from safeload._symbolic import _Global

    callables, _types = _value_names()
    if isinstance(func, _Global) and func.pair in callables:
        return None
    what = format_name(*func.pair) if isinstance(func, _Global) else "a computed object"
    return (
        f"functools.partial around {what}: a stored partial may wrap only a function on the "
        "callable allowlist"
    )


def stored_sharing_problem(analysis: Any) -> str | None:
    """:func:`_sharing_problem` on what ``analysis`` stored: linear, so a load can run it too,
    before the C unpickler hashes a dict key (a tuple DAG as a key hashes in 2**k steps, f03).
    Call it in :func:`safeload.pickle.walker.analyze` before ``stored`` is dropped."""
    return _sharing_problem([items for _pos, _target, items in analysis.stored])


def hashes_containers(analysis: Any) -> bool:
    """Whether the stream hashes a container (a tuple or frozenset as a dict key or set item,
    directly or through a call to a dict or set constructor): the only way the C unpickler
    itself walks a shared value (f03). A load runs :func:`stored_sharing_problem` only then;
    ``True`` whenever unsure."""
    from safeload._symbolic import _Box, _Container, _Dict, _Obj

    for _pos, target, items in analysis.stored:
        if isinstance(target, _Dict):
            for i in range(0, len(items), 2):
                if isinstance(items[i], _Container):
                    return True
        elif isinstance(target, _Box):
            if target.kind != "list" and any(isinstance(i, _Container) for i in items):
                return True
        elif any(isinstance(i, _Container) for i in items):
            return True  # items added to something else: not modelled, so check
    for _pos, obj in analysis.calls:
        if isinstance(obj, _Obj) and obj.cls is not None and obj.cls.pair in _HASHING_CALLS:
            if isinstance(obj.args, _Container) and obj.args.depth > 2:
                return True
    return False


#: Constructors that hash what their arguments hold (keys or items).
_HASHING_CALLS = frozenset(
    {
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "dict"),
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("collections", "Counter"),
    }
)


def _container_kids(sym: Any) -> list[Any]:
    from safeload._symbolic import _Box, _Dict, _Tuple

    if isinstance(sym, _Tuple) or isinstance(sym, _Box):
        items: Any = sym.items
    elif isinstance(sym, _Dict):
        items = sym.items.values()
    else:
        return []
    return [i for i in items if isinstance(i, (_Tuple, _Box, _Dict))]


def _sharing_problem(stored: list[list[Any]]) -> str | None:
    """The load's sharing bound (:func:`safeload.trust.sharing.check_sharing`) on the literal
    containers stored in the stream, keys of dicts and items of sets included (the shadows of
    :mod:`safeload.trust.shadow` keep string keys only): a frozenset whose items are a frozenset
    and a tuple of it, nested k times, is 2**k items to every recursive walk. A container counts
    when it holds containers, as in the load's count. Linear: each node is visited once."""
    from safeload.trust.sharing import SHARING_FACTOR, SHARING_SLACK, first_over_cap

    edges: dict[int, list[int]] = {}
    roots: list[int] = []
    stack: list[Any] = []
    holds: dict[int, bool] = {}  # id -> whether it holds containers: one look per item (rt27-11)
    for items in stored:
        for item in items:
            key = id(item)
            held = holds.get(key)
            if held is None:
                held = holds[key] = bool(_container_kids(item))
            if held:
                roots.append(key)
                stack.append(item)
    while stack:
        node = stack.pop()
        if id(node) in edges:
            continue
        kids = _container_kids(node)
        edges[id(node)] = [id(k) for k in kids]
        stack.extend(kids)
    counted = {node for node, kids in edges.items() if kids}
    cap = SHARING_FACTOR * len(counted) + SHARING_SLACK
    if first_over_cap(roots, edges, counted, cap) is not None:
        return (
            f"shares containers so that recursive walks (repr, clone, the use-time walk) "
            f"would meet them more than {cap} times although it holds {len(counted)}: "
            "using it would take exponential time"
        )
    return None


def _value_problem(sym: Any, depth: int, *, allow_callable: bool = False) -> str | None:
    """A global kept as a value (not called) that is neither an allowed function nor a scalar
    type, looking through literal tuples and dicts (each node once per depth)."""
    from safeload._symbolic import _Const

    if type(sym) is _Const:
        return None  # by far the commonest value: decided before any other test
    memo = _memo()
    key = ("value", id(sym), depth)
    if key not in memo:
        memo[key] = _value_problem_of(sym, depth)
    found: str | None = memo[key]
    return found


def _value_problem_of(sym: Any, depth: int) -> str | None:
    from safeload._symbolic import _Const, _Dict, _Global, _Tuple

    if depth > _MAX_DEPTH:
        return _DEPTH_UNPROVEN
    if isinstance(sym, _Global):
        callables, types = _value_names()
        if sym.pair in callables or sym.pair in types:
            return None
        return (
            f"keeps {format_name(*sym.pair)} as a value: only functions on the callable "
            "allowlist and scalar types may be stored in a model"
        )
    if isinstance(sym, _Tuple):
        items: Any = sym.items
    elif isinstance(sym, _Dict):
        items = sym.items.values()
    else:
        return None
    for item in items:
        if type(item) is not _Const:
            problem = _value_problem(item, depth + 1)
            if problem:
                return problem
    return None


def _literal(sym: Any) -> tuple[bool, Any]:
    """(True, value) when ``sym`` is a constant, a tuple of constants or a dict of them. A node
    met again is the value made the first time, as the unpickler's memo gives it."""
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return True, sym.value
    memo = _memo()
    key = ("literal", id(sym), 0)
    if key not in memo:
        memo[key] = _literal_of(sym)
    found: tuple[bool, Any] = memo[key]
    return found


def _literal_of(sym: Any) -> tuple[bool, Any]:
    from safeload._symbolic import _Dict, _Tuple

    if isinstance(sym, _Tuple):
        values = []
        for item in sym.items:
            ok, value = _literal(item)
            if not ok:
                return False, None
            values.append(value)
        return True, tuple(values)
    if isinstance(sym, _Dict):
        out = {}
        for key, item in sym.items.items():
            ok, value = _literal(item)
            if not ok:
                return False, None
            out[key] = value
        return True, out
    return False, None


def _pair_state(cls: Any, name: str, state: Any) -> tuple[str | None, Any]:
    """A ``(state, slot state)`` BUILD: (a problem, or ``None`` and the dict to judge, which
    is ``None`` when there is none)."""
    if len(state.items) != 2:
        return None, None
    owner = facts.setstate_owner(cls)
    if owner in _DICT_SETSTATE or (
        owner != "builtins.object" and _BASE_ESTIMATOR in facts.mro_names(cls)
    ):
        # they pop from or update with what they are given: a tuple fails every load
        # (rt23-04; the ones that delegate to BaseEstimator's, rt24-12)
        return f"{name} given a (state, slot state) pair: its __setstate__ takes a dict", None
    return None, _slot_merge(state.items[0], state.items[1], owner)


def _kwargs_problem(name: str, state: Any) -> str | None:
    """The keyword-argument dicts a model passes to a function (``kw_args``, ...): no
    ``out=``, and only plain string keys."""
    from safeload._symbolic import _Dict
    from safeload.trust.object_checks import KWARGS_ATTRIBUTES

    for attribute in KWARGS_ATTRIBUTES.intersection(state.items):
        kwargs = state.items[attribute]
        if isinstance(kwargs, _Dict) and "out" in kwargs.items:
            return f"{name}.{attribute} binds out=, writing into a model array"
        if isinstance(kwargs, _Dict) and (kwargs.lossy or kwargs.unknown_keys):
            # **kwargs takes a str subclass (numpy.str_('out')) as a keyword (rt24-17)
            return (
                f"{name}.{attribute} unproven: a keyword that is not a plain string, which "
                "the walk cannot read"
            )
    return None


def _state_problem(pair: tuple[str, str], state: Any) -> str | None:
    from safeload._symbolic import _Const, _Dict, _Tuple
    from safeload.trust.graph import UnsafeState
    from safeload.trust.object_checks import check_name_template

    if pair in PANDAS_NAMES:
        return None  # checked, with the real values, by safeload.trust.pandas_forms
    if not isinstance(state, (_Dict, _Tuple)):
        return None
    cls = _class_of(pair)
    if cls is None or not facts.has_dict(cls):
        return None  # extension types take their state through __setstate__, not __dict__
    name = facts.qualname(cls)
    if isinstance(state, _Tuple):
        problem, state = _pair_state(cls, name, state)
        if problem or state is None:
            return problem
    problem = _kwargs_problem(name, state)
    if problem:
        return problem
    wanted = facts.literal_attributes(cls)
    literals: dict[str, Any] = {}
    for key, sym in state.items.items():
        if key in wanted:
            if type(sym) is _Const:
                literals[key] = sym.value
                continue
            ok, value = _param_value(sym)
            if ok:
                literals[key] = value
            elif _only_data(sym) and key in facts.constraint_names(cls):
                return (
                    f"{name}.{key} unproven: {_describe(sym)}, a value the stream walk cannot "
                    "build, where the class checks its parameters"
                )
    problem = facts.state_problem(cls, list(state.items), literals)
    if problem:
        return problem
    native = native_params.stream_problem(facts.mro_names(cls), state.items)
    if native is not None:  # LightGBM / CatBoost parameters, as the load judges them
        return f"{name}.{native[0]} {native[1]}"
    ok, template = _param_value(state.items.get("verbose_feature_names_out"))
    if ok and isinstance(template, str):
        try:
            check_name_template(template, name)
        except UnsafeState as exc:
            return f"{name}.verbose_feature_names_out {exc.problem}"
    if facts.is_kernel(cls):
        for key in state.items:
            if key.startswith("hyperparameter_"):
                return (
                    f"{name}.{key}: a kernel reads and writes every attribute named "
                    "hyperparameter_* by the name stored in it; only the class may define them"
                )
    if facts.is_search(cls):
        for grid_name in ("param_grid", "param_distributions"):
            if grid_name in state.items:
                problem = _grid_problem(state.items[grid_name])
                if problem:
                    return f"{name}.{grid_name} {problem}"
    for row in facts.dispatch_rows(cls):
        if row.attribute in state.items and (
            row.kind not in _LITERAL_DONE or row.kind in _ANY_VALUE_KINDS
        ):
            problem = _row_problem(row, state.items[row.attribute], 0)
            if problem:
                return f"{name}.{row.attribute} {problem} (it drives {row.drives})"
    return None


def _param_value(sym: Any, depth: int = 0) -> tuple[bool, Any]:
    """(True, value) for a parameter value the stream walk can build exactly: constants (long
    strings too), tuples, lists, sets and str-keyed dicts of such values, numpy scalars of a
    literal numeric dtype, and complex, set, frozenset, slice or range calls on them. The
    constraint checks then judge it as a load judges the object it built (rt23-01, rt24-05,
    rt24-09). A node met again is the value made the first time (memoised: a memo DAG
    cannot make this exponential)."""
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return True, sym.value
    memo = _memo()
    key = ("param", id(sym), 0)
    if key not in memo:
        # a value that unfolds into more nodes than a model's parameter ever holds is not
        # built (its repr in a refusal would walk every shared path, rt25-04)
        too_big = depth > _MAX_DEPTH or _unfolded(sym, _MAX_PARAM_NODES) > _MAX_PARAM_NODES
        memo[key] = (False, None) if too_big else _param_value_of(sym, depth)
    found: tuple[bool, Any] = memo[key]
    return found


def _param_value_of(sym: Any, depth: int) -> tuple[bool, Any]:
    from safeload._symbolic import _Big, _Box, _Dict, _Global, _Obj, _Tuple

    if isinstance(sym, _Big):
        return (True, sym.value) if type(sym.value) is str else (False, None)
    if isinstance(sym, _Global):
        # a class or function as the value (C=builtins.float): the object itself, imported
        # only on the path that imports classes (the facts cannot hold it)
        policy = getattr(_RUN, "policy", None)
        if policy is None or not policy.allows(*sym.pair):
            return False, None  # refused as untrusted by the walk
        if getattr(_RUN, "data", False):
            raise facts.NeedsImport(f"{format_name(*sym.pair)} as a parameter value")
        from safeload.trust.classes import resolve

        try:
            return True, resolve(*sym.pair)
        except Exception:  # not importable here: the load fails on it too
            return False, None
    if isinstance(sym, (_Tuple, _Box)):
        values = []
        for item in sym.items:
            ok, value = _param_value(item, depth + 1)
            if not ok:
                return False, None
            values.append(value)
        kind = tuple if isinstance(sym, _Tuple) else _BOX_TYPES.get(sym.kind)
        try:
            return (True, kind(values)) if kind is not None else (False, None)
        except TypeError:  # an unhashable item in a set, as the unpickler fails
            return False, None
    if isinstance(sym, _Dict):
        return _dict_value(sym, depth)
    if not (isinstance(sym, _Obj) and isinstance(sym.cls, _Global)):
        return False, None
    pair = sym.cls.pair
    args = _items(sym.args) if sym.args is not None else []
    if args is None:
        return False, None
    if pair in _SCALAR_CALLS:
        return _scalar_value(args) if _scalar_problem(sym) is None else (False, None)
    if pair == ("numpy", "dtype"):
        return _dtype_value(sym)
    if pair not in _VALUE_TYPES or sym.held:
        return False, None
    if pair[1] in ("set", "frozenset") and not all(isinstance(a, (_Tuple, _Box)) for a in args):
        return False, None  # from a literal container only, as the load's narrowing allows
    values = []
    for arg in args:
        ok, value = _param_value(arg, depth + 1)
        if not ok or isinstance(value, dict):
            return False, None
        values.append(value)
    try:
        return True, _VALUE_TYPES[pair](*values)
    except (TypeError, ValueError, OverflowError):
        return False, None


_BOX_TYPES: dict[str, Any] = {"list": list, "set": set, "frozenset": frozenset}
#: The most nodes a parameter value the walk builds may unfold into.
_MAX_PARAM_NODES = 100_000


def _dict_value(sym: Any, depth: int) -> tuple[bool, Any]:
    """A dict's value: its string keys, then the others in stream order, built with
    :func:`_param_value` (``class_weight`` keyed by numpy ints or long labels, rt25-07). A
    built key equal to a string key is unproven: which value wins depends on an order the
    walk does not keep."""
    strings = dict(sym.items)
    built: dict[Any, Any] = {}
    for name, item in strings.items():
        ok, value = _param_value(item, depth + 1)
        if not ok:
            return False, None
        built[name] = value
    others = sym.others or []
    for i in range(0, len(others), 2):
        ok, name = _param_value(others[i], depth + 1)
        ok_item, value = _param_value(others[i + 1], depth + 1) if ok else (False, None)
        if not ok_item:
            return False, None
        try:
            if name in strings:
                return False, None
            built[name] = value
        except TypeError:  # an unhashable key, as the unpickler fails
            return False, None
    return True, built


def _dtype_value(sym: Any, size: int = 0) -> tuple[bool, Any]:
    """A ``numpy.dtype`` the walk rebuilt and checked (``OneHotEncoder(dtype=...)``), folding
    within the budget of ``size`` bytes."""
    from safeload._numpy_state import _NotCanonical, real_dtype
    from safeload._symbolic import FoldBudget

    try:
        return True, real_dtype(sym, FoldBudget(size))
    except (_NotCanonical, LimitExceededError):
        return False, None


def _unfolded(sym: Any, cap: int) -> int:
    """:func:`safeload.pickle.costs.unfolded`, memoised for the run."""
    from safeload.pickle.costs import unfolded

    counts: dict[int, Any] = _memo().setdefault(("unfolded", 0, 0), {})
    return unfolded(sym, cap, counts)


def _only_data(sym: Any, depth: int = 0) -> bool:
    """Whether ``sym`` is made of constants and data types only (no instance of another class,
    no array, no global): a value a load's constraint check judges as data, so one the walk
    cannot build is unproven rather than left to the load."""
    from safeload._symbolic import _Big, _Box, _Const, _Dict, _Global, _Obj, _Tuple

    if depth > _MAX_DEPTH:
        return False
    if isinstance(sym, (_Const, _Big)):
        return True
    if isinstance(sym, (_Tuple, _Box)):
        return all(_only_data(item, depth + 1) for item in sym.items)
    if isinstance(sym, _Dict):
        return all(_only_data(item, depth + 1) for item in sym.items.values())
    if isinstance(sym, _Obj) and isinstance(sym.cls, _Global) and not _is_array(sym):
        return (
            sym.cls.pair in _DATA_CALLS
            or sym.cls.pair in _SCALAR_CALLS
            or (sym.cls.pair in _VALUE_CLASSES)
        )
    return False


#: Value types a model may hold that the walk does not build (a constraint on a parameter
#: holding one is judged by the load; the walk calls it unproven).
_VALUE_CLASSES = frozenset(
    {
        ("collections", "OrderedDict"),
        ("datetime", "timedelta"),
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("decimal", "Decimal"),
        ("pathlib", "PurePosixPath"),
        ("pathlib", "PureWindowsPath"),
        ("uuid", "UUID"),
        ("collections", "Counter"),
        ("collections", "defaultdict"),
        ("datetime", "time"),
        ("datetime", "timezone"),
        ("sklearn.utils._bunch", "Bunch"),
    }
)


def _scalar_value(args: list[Any]) -> tuple[bool, Any]:
    """The numpy scalar ``scalar(dtype, payload)`` makes, read with numpy (the dtype rebuilt
    through :func:`safeload._numpy_state.real_dtype`); (False, None) when it cannot be."""
    import numpy as np

    dtype, payload = args
    raw = _bytes_value(payload)
    if raw is None:
        return False, None
    ok, real = _dtype_value(dtype, len(raw))
    if not ok or real.hasobject or real.itemsize != len(raw):
        return False, None
    if not raw:  # an empty string or bytes scalar (itemsize 0): numpy reads no buffer
        return True, real.type()
    return True, np.frombuffer(raw, dtype=real, count=1)[0]


#: ``__setstate__`` owners that take only a dict (see _state_problem).
_DICT_SETSTATE = frozenset(
    {
        "sklearn.base.BaseEstimator",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.isotonic.IsotonicRegression",
    }
)
_BASE_ESTIMATOR = "sklearn.base:BaseEstimator"


def _slot_merge(main: Any, slots: Any, owner: str) -> Any:
    """The attributes a ``(state, slot state)`` BUILD sets, as one dict: with ``object``'s
    ``__setstate__`` the unpickler updates ``__dict__`` from the state and then ``setattr``s
    each slot item, so the rules must see both (rt23-09). For another ``__setstate__``, the
    state dict alone, as before; ``None`` when there is no dict to judge."""
    from safeload._symbolic import _Const, _Dict

    if owner != "builtins.object":
        return main if isinstance(main, _Dict) else None
    parts = [p for p in (main, slots) if not (isinstance(p, _Const) and p.value is None)]
    if not all(isinstance(p, _Dict) for p in parts):
        return main if isinstance(main, _Dict) else None
    merged = _Dict()
    for part in parts:
        merged.items.update(part.items)
        merged.lossy = merged.lossy or part.lossy
        merged.unknown_keys = merged.unknown_keys or part.unknown_keys
    return merged


def _grid_problem(grid: Any) -> str | None:
    """What a load's grid check says about a parameter grid, as far as the stream shows it:
    ``fit`` would ``set_params`` each candidate, after the load-time checks ran."""
    from safeload._symbolic import _Const, _Dict
    from safeload.trust.kinds import apply
    from safeload.trust.params import grid_rows

    grids = _items(grid) if not isinstance(grid, _Dict) else [grid]
    for one in grids or ():
        if not isinstance(one, _Dict):
            continue
        if one.lossy:
            return "has a grid key that is not a parameter name"
        for key, candidates in one.items.items():
            name = key.rpartition("__")[2]
            rows = grid_rows(name)
            if not rows:
                continue
            values = _items(candidates)
            for value in values if values is not None else [candidates]:
                for row in rows:
                    if isinstance(value, _Const):
                        try:
                            apply(row, value.value, None)  # type: ignore[arg-type]
                        except Exception as exc:  # UnsafeState, or a value it cannot judge
                            problem: str | None = getattr(exc, "problem", None) or str(exc)
                        else:
                            problem = None
                    else:
                        problem = _row_problem(row, value, 0)
                    if problem:
                        return (
                            f"[{key!r}]: fit would set {name} to a value a loaded model may not "
                            f"hold: {problem}"
                        )
    return None


# --- the dispatch kinds, judged on symbolic values -------------------------------------------

#: Kinds whose rule refuses a value the stream shows is not a literal (a list, an object):
#: :func:`literal_state.state_problem` judges only literals, so these are judged here too.
_ANY_VALUE_KINDS = frozenset({"none", "int_one", "thread_count", "regex", "one_of"})
#: Kinds :func:`literal_state.state_problem` already judged from literals.
_LITERAL_DONE = frozenset(
    {"one_of", "none", "output_config", "forbidden", "rebuilt", "int_one", "thread_count", "regex"}
)
ARRAY_MAKERS = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
    }
)


def _made_class(sym: Any) -> Any:
    """The class of the object a call or NEWOBJ makes, when the callable is the class (its
    facts in a run on facts)."""
    from safeload._symbolic import _Global, _Obj

    if not isinstance(sym, _Obj) or not isinstance(sym.cls, _Global):
        return None
    return _class_of(sym.cls.pair)


def _is_array(sym: Any) -> bool:
    from safeload._symbolic import _Global, _Obj

    return isinstance(sym, _Obj) and isinstance(sym.cls, _Global) and sym.cls.pair in ARRAY_MAKERS


def _array_items(sym: Any) -> list[Any] | None:
    """The items of an object array built by ``_reconstruct`` + BUILD with a list state."""
    from safeload._symbolic import _Box, _Tuple

    state = sym.state
    if isinstance(state, _Tuple) and len(state.items) == 5 and isinstance(state.items[4], _Box):
        return list(state.items[4].items)
    return None


def _items(sym: Any) -> list[Any] | None:
    from safeload._symbolic import _Box, _Dict, _Tuple

    if isinstance(sym, (_Box, _Tuple)):
        return list(sym.items)
    if isinstance(sym, _Dict):
        return list(sym.items.values())
    if _is_array(sym):
        return _array_items(sym)
    return None


def _describe(sym: Any) -> str:
    from safeload._symbolic import _Const, _Global, _Obj

    if isinstance(sym, _Const):
        return repr(sym.value)[:60]
    if isinstance(sym, _Global):
        return format_name(*sym.pair)
    if _is_array(sym):
        return "a numpy array"
    if isinstance(sym, _Obj) and isinstance(sym.cls, _Global):
        return f"what {format_name(*sym.cls.pair)} makes"
    return f"a {type(sym).__name__.strip('_').lower()}"


def _text_length(sym: Any) -> int:
    """The length of a string constant (folded, or too large to fold), else 0."""
    from safeload._symbolic import _Big, _Const

    if isinstance(sym, _Const) and isinstance(sym.value, str):
        return len(sym.value)
    if isinstance(sym, _Big) and sym.text:
        return sym.size
    return 0


def _estimator_ok(row: Any, sym: Any) -> bool:
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return sym.value is None or (isinstance(sym.value, str) and sym.value in row.values)
    cls = _made_class(sym)
    return cls is not None and facts.is_estimator(cls)


def _instance_ok(row: Any, sym: Any) -> bool:
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return sym.value is None and None in row.values
    cls = _made_class(sym)
    return cls is not None and facts.is_subclass_of_named(cls, row.values)


def _row_problem(row: Any, sym: Any, depth: int) -> str | None:
    """What :mod:`safeload.trust.kinds` would say about ``sym`` in ``row``'s attribute, as far
    as the stream shows it; ``None`` when it is fine or cannot be judged from the stream."""
    from safeload._symbolic import _Const, _Global, _Obj, _Tuple

    kind = row.kind
    if kind == "int_one":
        if isinstance(sym, _Const):
            return None  # judged as a literal by state_problem
        return f"holds {_describe(sym)}; only the int 1 is accepted in a loaded model"
    if kind == "thread_count":
        if isinstance(sym, _Const):
            return None  # judged as a literal by state_problem
        return f"holds {_describe(sym)}; only an int thread count is accepted in a loaded model"
    if kind == "none":
        if isinstance(sym, _Const):
            return None  # judged as a literal by state_problem
        return f"holds {_describe(sym)}; only None is accepted in a loaded model"
    if kind in ("regex", "one_of"):
        if _literal(sym)[0]:
            return None  # judged as a literal by state_problem (a str, exactly, or None)
        return f"holds {_describe(sym)}; only a str or None is accepted"
    if kind == "each_one_of":
        items = [sym] if isinstance(sym, _Const) else _items(sym)
        for item in items or ():
            if isinstance(item, _Const) and (item.value is None and None in row.values):
                continue
            if not isinstance(item, _Const) or item.value not in row.values:
                return f"holds {_describe(item)}, not one of the method names it accepts"
        return None
    if kind in ("estimator", "estimators", "named_estimators", "named_transformers"):
        if _estimator_ok(row, sym):
            return None
        if isinstance(sym, _Const):  # a number or a name that is not one of the sentinels
            return f"holds {_describe(sym)} where an estimator is used"
        items = None if kind == "estimator" else _items(sym)
        if items is None:
            made = _made_class(sym)
            if made is not None and facts.is_container(made):
                return None  # a Bunch or other container subclass: its items are not tracked
            if isinstance(sym, _Obj) or isinstance(sym, _Global):
                return f"holds {_describe(sym)} where an estimator is used"
            return None  # not modelled by the stream walk: judged after building
        for item in items:
            if kind != "estimators":
                if not isinstance(item, _Tuple) or len(item.items) < 2:
                    continue  # judged after building
                length = _text_length(item.items[0])
                if length > MAX_STEP_NAME:
                    return f"names a step with {length:,} characters (at most {MAX_STEP_NAME})"
                item = item.items[1]
            if kind == "estimators" and depth < 3 and _items(item) is not None:
                problem = _row_problem(row, item, depth + 1)
                if problem:
                    return problem
            elif not _estimator_ok(row, item):
                return f"holds {_describe(item)} where an estimator is used"
        return None
    if kind in ("instance_of", "each_instance_of", "kernel"):
        check = row if kind != "kernel" else _KERNEL_ROW
        items = [sym] if kind != "each_instance_of" else (_items(sym) or [])
        for item in items:
            if isinstance(item, _Const) and item.value is None and kind == "kernel":
                continue
            if not _instance_ok(check, item):
                return f"holds {_describe(item)}, not an instance of what it accepts"
        return None
    if kind in ("callable", "scorer", "attr_path"):
        if isinstance(sym, _Const):
            return None  # strings: judged as literals by state_problem
        if isinstance(sym, _Global):
            return _value_problem(sym, 0)
        cls = _made_class(sym)
        if cls is not None and (
            (kind == "scorer" and facts.is_scorer(cls)) or facts.is_partial(cls)
        ):
            return None
        if kind == "scorer" and _items(sym) is not None and not _is_array(sym):
            return None  # a dict or list of scorer names / scorers: judged after building
        return f"holds {_describe(sym)} where a callable from the allowlist is used"
    if kind == "data":
        return _data_problem(sym, 0)
    if kind == "numeric_dtype":
        if _param_value(sym)[0]:
            return None  # judged as a literal by state_problem (a type, a dtype, a type code)
        return f"holds {_describe(sym)}, not a numeric scalar type"
    if kind == "fitted_dtype":
        if _param_value(sym)[0]:
            return None  # judged as a literal by state_problem (a numpy.dtype, exactly)
        return f"holds {_describe(sym)}, not a numpy dtype"
    if kind == "params":
        from safeload._symbolic import _Dict

        if isinstance(sym, _Const) and sym.value is None:
            return None
        if isinstance(sym, _Dict):
            for key in sym.items:
                if key in row.values:
                    return (
                        f"holds the parameter {key!r}, which names a file, a path, a host or a "
                        "stream for the library's native code; a loaded model may not set it"
                    )
            if sym.lossy or sym.unknown_keys:
                return "unproven: a parameter dict whose keys the stream walk cannot read"
            return _data_problem(sym, 0)
        if isinstance(sym, _Obj) or isinstance(sym, _Global):
            return f"holds {_describe(sym)}, not a dict of parameters"
        return None
    return None


class _KernelRow:
    values = ("sklearn.gaussian_process.kernels:Kernel", None)


_KERNEL_ROW = _KernelRow()


def _data_problem(sym: Any, depth: int) -> str | None:
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return None
    memo = _memo()
    key = ("data", id(sym), depth)
    if key not in memo:
        memo[key] = _data_problem_of(sym, depth)
    found: str | None = memo[key]
    return found


def _data_problem_of(sym: Any, depth: int) -> str | None:
    from safeload._symbolic import _Global, _Obj

    if depth > _MAX_DEPTH:
        return _DEPTH_UNPROVEN
    if isinstance(sym, _Global):
        # plain data holds no functions, even allowed ones; type values (dtype=float) it may
        _callables, types = _value_names()
        if sym.pair in types:
            return None
        return f"holds {_describe(sym)} where only plain data is used"
    if _is_array(sym):
        for item in _array_items(sym) or ():
            problem = _data_problem(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(sym, _Obj):
        cls = sym.cls.pair if sym.cls is not None else None
        if cls in _SCALAR_CALLS:
            return _scalar_problem(sym)
        if cls == ("builtins", "range"):
            return _range_problem(sym)
        if cls in _DATA_CALLS:
            # a data type's call is plain data when what it is given is: its arguments
            # and what SETITEMS or APPENDS put in it
            for part in (sym.args, *(sym.held or ())):
                problem = _data_problem(part, depth + 1)
                if problem:
                    return problem
            return None
        return f"holds {_describe(sym)} where only plain data is used"
    for item in _items(sym) or ():
        problem = _data_problem(item, depth + 1)
        if problem:
            return problem
    return None


def _range_problem(sym: Any) -> str | None:
    """A ``range`` is plain data up to the load's bound (``usetime.MAX_RANGE``), judged on its
    literal arguments; one the walk cannot size is unproven (rt24-14)."""
    from safeload.trust.graph import MAX_RANGE, range_length

    ok, value = _param_value(sym)
    if not ok or type(value) is not range:
        return "unproven: a range whose bounds the stream walk cannot read"
    if range_length(value) > MAX_RANGE:
        return f"holds a range of more than {MAX_RANGE:,} items (rt24-14)"
    return None


def _scalar_problem(sym: Any) -> str | None:
    """A numpy scalar is plain data when its dtype is a literal one of a fixed-size,
    non-object kind and its payload is bytes (what numpy writes); an object-dtype scalar or
    one whose dtype the walk cannot name is unproven (rt23-08)."""
    from safeload._symbolic import _Const, _Global, _Obj

    args = _items(sym.args) if sym.args is not None else None
    if args is not None and len(args) == 2:
        dtype, payload = args
        spec = (
            _items(dtype.args)
            if isinstance(dtype, _Obj)
            and isinstance(dtype.cls, _Global)
            and dtype.cls.pair == ("numpy", "dtype")
            and dtype.args is not None
            else None
        )
        code = spec[0] if spec else None
        if (
            isinstance(code, _Const)
            and type(code.value) is str
            and _SCALAR_CODE.fullmatch(code.value)
            and _bytes_value(payload) is not None
        ):
            return None
    return "unproven: a numpy scalar whose dtype is not a literal numeric one"


def _bytes_value(sym: Any) -> bytes | None:
    """The bytes a payload is, as pickle writes one: a constant (a long one too), ``bytes()``
    for an empty one at protocols 0-2, or there a ``_codecs.encode`` of a string to latin-1;
    ``None`` for anything else."""
    from safeload._symbolic import _Big, _Const, _Global, _Obj

    if isinstance(sym, _Const):
        return sym.value if type(sym.value) is bytes else None
    if isinstance(sym, _Big):
        return bytes(sym.value) if isinstance(sym.value, (bytes, memoryview)) else None
    if not (isinstance(sym, _Obj) and isinstance(sym.cls, _Global)) or sym.held:
        return None
    args = _items(sym.args) if sym.args is not None else None
    if sym.cls.pair == ("builtins", "bytes") and args == []:
        return b""
    if sym.cls.pair != ("_codecs", "encode") or args is None or len(args) != 2:
        return None
    text, codec = args
    if not (isinstance(text, (_Const, _Big)) and type(text.value) is str):
        return None
    if not (isinstance(codec, _Const) and codec.value in ("latin1", "latin-1")):
        return None
    try:
        return text.value.encode("latin1")
    except UnicodeEncodeError:
        return None


#: Functions and value types that pickles call with arguments, none an object with a
#: ``__dict__`` its arguments become (the calls _constructed_problem need not look up).
_PLAIN_CALLS = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }
)


#: Data types whose call on literal arguments ``_param_value`` makes (never ``bytes`` or
#: ``bytearray``: an int argument sizes an allocation).
_VALUE_TYPES: dict[tuple[str, str], Any] = {
    ("builtins", "complex"): complex,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "slice"): slice,
    ("builtins", "range"): range,
}


#: numpy scalar calls: plain data only with a literal numeric dtype (see _scalar_problem)
_SCALAR_CALLS = frozenset(
    {("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}
)
#: the dtype codes numpy writes for fixed-size, non-object scalars (bool, ints, floats,
#: complex, datetimes, bytes and str)
_SCALAR_CODE = re.compile(r"[biufcmMSU][0-9]{1,3}")

#: Calls that make plain data when their arguments are: numpy dtypes, bytes, builtin
#: containers. Exactly the types the load's plain-data rule admits (``graph.require_data``):
#: an ``OrderedDict`` is not one of them (rt23-05).
_DATA_CALLS = frozenset(
    {
        ("numpy", "dtype"),
        ("_codecs", "encode"),
        ("builtins", "bytearray"),
        ("builtins", "bytes"),
        ("builtins", "complex"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "slice"),
        ("builtins", "range"),
    }
)
