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

This module walks what the analysis recorded (stored values, calls, BUILDs) and judges calls
and ``partial`` objects; the rules it applies live below it: :mod:`.static_state` (an object's
BUILD state), :mod:`.static_kinds` (the dispatch kinds and the plain-data rule),
:mod:`.static_params` (parameter values rebuilt from the stream), :mod:`.static_values` (the
run and the readers of symbolic values) and :mod:`.static_sharing` (the sharing bound).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from safeload.policy import Policy, format_name
from safeload.trust import facts, facts_rules
from safeload.trust.callables import CLASS_ATTRIBUTES
from safeload.trust.pandas_forms import PANDAS_NAMES
from safeload.trust.static_kinds import data_problem, row_problem
from safeload.trust.static_sharing import build_sharing_problem
from safeload.trust.static_state import state_problem
from safeload.trust.static_values import (
    NARROWED_TYPES,
    begin_run,
    class_of,
    end_run,
    value_names,
    value_problem,
)

__all__ = ["use_time_findings"]

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
    begin_run(policy, data=data)
    try:
        for pos, problem in _problems(analysis, policy):
            findings.append(Finding(pos, "BUILD", problem, use_time=True))
            break  # one is enough for a verdict; load reports the first too
    except Exception as exc:  # fail closed: a bug here is an unsafe verdict, never a clean one
        findings.append(
            Finding(0, "", f"use-time analysis failed: {type(exc).__name__}: {exc}", use_time=True)
        )
    finally:
        end_run()
    return findings


def _problems(analysis: Any, policy: Policy) -> Iterator[tuple[int, str]]:
    from safeload._symbolic import _Dict, _Global, _Obj, _Tuple

    wrapper_states = {
        id(state) for _pos, obj, state in analysis.builds if obj.cls.pair in _SKIP_CLASSES
    }
    # exactly as a load runs it (pickle.walker.analyze); run always, its cap refused list
    # DAGs in a dict that the load loads (rt54-03)
    problem = build_sharing_problem(analysis)
    if problem:
        yield 0, problem
    held_states = {
        id(state)
        for _pos, obj, state in analysis.builds
        if isinstance(obj.cls, _Global)
        and obj.cls.pair in CLASS_ATTRIBUTES
        and isinstance(state, _Dict)
        and not state.lossy
    }
    for pos, target, items in analysis.stored:
        if id(target) in wrapper_states:
            continue  # joblib's array header: its subclass entry is checked by the walk
        if id(target) in held_states:
            continue  # a state dict judged whole by _state_value_problem, with its owner
        for item in items:
            problem = value_problem(item, 0)
            if problem:
                yield pos, problem
    # the value the stream returns is held as the load's walk holds it (its root): a class
    # or a function there, or in tuples around it, is judged as one in a container (rt43-06)
    problem = value_problem(analysis.root, 0) if analysis.root is not None else None
    if problem:
        yield 0, problem
    # so is what it drops (the load walks the list of it): a dropped tuple's or dict's
    # items as a container's, a bare dropped global as the list's item, allowed (rt95-09)
    for dropped in analysis.dropped:
        if isinstance(dropped, (_Tuple, _Dict)):
            problem = value_problem(dropped, 0)
            if problem:
                yield 0, problem
    # partials that a BUILD gives a whole new (func, args, keywords, dict): the call's own
    # arguments are dropped, so the rules below judge the BUILD's (rt50-08)
    rebuilt = {id(obj) for _pos, obj, _state in analysis.builds if _made_by(obj, _PARTIAL)}
    for pos, obj in analysis.calls:
        cls = obj.cls
        if not isinstance(cls, _Global):
            continue
        args = obj.args
        if cls.pair == _PARTIAL and id(obj) in rebuilt:
            first = args.items[0] if isinstance(args, _Tuple) and args.items else None
            if not (isinstance(first, _Global) or _made_by(first, _PARTIAL)):
                yield pos, "functools.partial called on no function: the load fails on it"
            continue
        if cls.pair == _PARTIAL:
            first = args.items[0] if isinstance(args, _Tuple) and args.items else None
            problem = _partial_problem(first)
            if problem:
                yield pos, problem
            if isinstance(args, _Tuple) and len(args.items) > 1:
                yield pos, _POSITIONAL
        if isinstance(args, _Tuple):
            for i, item in enumerate(args.items):
                if _consumed_type(cls.pair, i, item):
                    continue
                problem = value_problem(item, 0, allow_callable=cls.pair == _PARTIAL)
                if problem:
                    yield pos, problem
            problem = _fields_problem(cls.pair, args, policy)
            if problem:
                yield pos, problem
    for pos, obj in analysis.arg_calls:
        problem = _constructed_problem(obj.cls.pair, policy)
        if problem:
            yield pos, problem
    for pos, opcode, obj in analysis.bare_calls:
        problem = _bare_call_problem(obj.cls.pair, opcode, policy)
        if problem:
            yield pos, problem
    for pos, obj, state in analysis.builds:
        cls = obj.cls
        if not isinstance(obj, _Obj) or not isinstance(cls, _Global):
            continue
        if (
            cls.pair in _SKIP_CLASSES
            or cls.pair in _NUMPY_STATE_CLASSES
            or _data_only(cls.pair, policy)
        ):
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
            if isinstance(keywords, _Dict) and (keywords.lossy or keywords.unknown_keys):
                # partial keeps any key; a load refuses one that is not a plain str (rt50-08)
                yield pos, "a stored functools.partial keyword that is not a plain str"
            if isinstance(keywords, _Dict):
                for key, value in keywords.items.items():
                    problem = data_problem(value, 0) or _keyword_problem(key, value)
                    if problem:
                        yield pos, f"functools.partial keyword {key!r} {problem}"
            extra = state.items[3] if len(state.items) > 3 else None
            if isinstance(extra, _Dict) and (extra.items or extra.lossy):
                yield pos, "a functools.partial with attributes"
            for item in state.items[1:]:
                problem = value_problem(item, 0)
                if problem:
                    yield pos, problem
            continue
        problem = _state_value_problem(cls.pair, state)
        if problem:
            yield pos, problem
        if policy.allows(*cls.pair):
            problem = state_problem(cls.pair, state) or _opaque_state_problem(cls.pair, state)
            if problem:
                yield pos, problem


def _data_only(pair: tuple[str, str], policy: Policy) -> bool:
    """Whether a BUILD on an object of ``pair`` goes to a reviewed ``__setstate__`` that takes
    its state as data only (scikit-learn's ``Tree``'s): the class itself, or a trusted
    subclass of it that does not define its own (rt103-07: an own ``Tree`` subclass loaded
    and scan refused its state's keys as hiding the class's attributes)."""
    if pair in _DATA_ONLY:
        return True
    if not policy.allows(*pair) or policy.reviewed(*pair):
        return False
    from safeload.trust.classes import resolve_class
    from safeload.trust.trusted_classes import defining_class

    cls = resolve_class(*pair)
    if cls is None:
        return False
    base = facts.reviewed_base(cls)
    owner = defining_class(cls, "__setstate__")
    return owner is base and facts.module_and_qualname(base) in _DATA_ONLY


#: (callee, argument index) where the load hands a narrowed container type's builtin over
#: rather than keeping the narrowed form: a defaultdict's factory (``narrowed._defaultdict``
#: puts the builtin back) and ``copyreg._reconstructor``'s base (consumed by the call).
_TYPE_TAKEN_AT = frozenset(
    {(("collections", "defaultdict"), 0), (("copyreg", "_reconstructor"), 1)}
)


def _state_value_problem(pair: tuple[str, str], state: Any) -> str | None:
    """:func:`value_problem` of a BUILD state, except that an attribute of
    :data:`~safeload.trust.callables.CLASS_ATTRIBUTES` may hold exactly the class listed for it
    (a literal state dict of an object of that exact class), as the load's walk admits."""
    from safeload._symbolic import _Dict, _Global

    held = CLASS_ATTRIBUTES.get(pair)
    if held is None or not isinstance(state, _Dict) or state.lossy:
        return value_problem(state, 0)
    for key, value in state.items.items():
        if isinstance(value, _Global) and type(key) is str and value.pair == held.get(key):
            continue
        problem = value_problem(value, 1)
        if problem:
            return problem
    return None


def _consumed_type(pair: tuple[str, str], index: int, item: Any) -> bool:
    """Whether argument ``index`` of a call of ``pair`` is a narrowed container type that the
    load does not keep as its narrowed form (:data:`_TYPE_TAKEN_AT`): judged as the type."""
    from safeload._symbolic import _Global

    return (
        (pair, index) in _TYPE_TAKEN_AT
        and isinstance(item, _Global)
        and item.pair in NARROWED_TYPES
        and item.pair in value_names()[1]
    )


def _constructed_problem(pair: tuple[str, str], policy: Policy) -> str | None:
    """A trusted class with an instance ``__dict__`` called with arguments (REDUCE, INST,
    OBJ): its ``__init__`` stores them as attributes (``FunctionTransformer(func)``), which
    the rules above judge only in a BUILD state. Pickle makes such objects by NEWOBJ (or
    ``copyreg._reconstructor``) and BUILD, so the stream walk calls this unproven (rt23-06);
    a load judges what it built."""
    if pair in _PLAIN_CALLS or pair in PANDAS_NAMES or not policy.allows(*pair):
        return None  # pandas objects are checked by safeload.trust.pandas_forms
    cls = class_of(pair)
    if cls is None or not facts.has_dict(cls):
        return None
    if not (
        facts.is_estimator(cls)
        or facts.is_kernel(cls)
        or facts_rules.dispatch_rows(cls)
        or facts.constraint_names(cls)
    ):
        return None  # no rule judges its attributes (collections.Counter(counts))
    return (
        f"unproven: {facts.qualname(cls)} made by calling it with arguments, which its "
        "__init__ stores out of reach of the stream walk's rules (pickle writes NEWOBJ and "
        "BUILD)"
    )


def _bare_call_problem(pair: tuple[str, str], opcode: str, policy: Policy) -> str | None:
    """A class the caller trusted (no list reviewed it) called without arguments by REDUCE,
    or by OBJ or INST where it has ``__getinitargs__``: the unpickler runs ``cls()``, so the
    class's ``__init__`` and its metaclass's ``__call__`` run, where NEWOBJ runs only
    ``cls.__new__(cls)``. Whether they accept no arguments is known only by running them
    (rt98-01: an own ``Unit(name)`` by REDUCE with ``()`` was SAFE to scan, and the load
    failed on it). Pickle writes NEWOBJ for such classes, so honest files are not touched.
    A builtin ``__new__`` that fails (an abstract class) fails the call too (rt99-01)."""
    from safeload.trust.trusted_classes import builtin_new_failure, call_hook, has_initargs

    if not policy.allows(*pair) or policy.reviewed(*pair) or pair in PANDAS_NAMES:
        return None
    cls = class_of(pair)
    if cls is not None and not isinstance(cls, type):
        raise facts.NeedsImport(f"{format_name(*pair)}, a class the caller trusted")
    if not isinstance(cls, type):
        return None
    hook = call_hook(cls)
    if opcode != "REDUCE" and not hook and not has_initargs(cls):
        return builtin_new_failure(cls)  # (OBJ and INST make it by cls.__new__(cls) alone)
    if hook is None:
        return builtin_new_failure(cls)
    return (
        f"unproven: {format_name(*pair)}, a class the caller trusted, is called without "
        f"arguments by {opcode}, which runs its {hook}: only running it can tell "
        "whether it accepts the call (pickle writes NEWOBJ for such classes)"
    )


def _opaque_state_problem(pair: tuple[str, str], state: Any) -> str | None:
    """An instance whose attributes come from a call (``builtins.dict(pairs)``) rather than a
    literal dict: pickle never writes that for an object's state, and the rules above cannot
    read it, so scan calls it unproven (a load judges what it built)."""
    from safeload._symbolic import _Obj, _Tuple

    main = state.items[0] if isinstance(state, _Tuple) and len(state.items) == 2 else state
    if not isinstance(main, _Obj):
        return None
    cls = class_of(pair)
    if cls is None or not facts.has_dict(cls):
        return None  # extension types take their state through __setstate__
    return (
        f"unproven: the state of a {facts.qualname(cls)} is made by a call, which the stream "
        "walk cannot judge (a load checks what it built)"
    )


def _fields_problem(pair: tuple[str, str], args: Any, policy: Policy) -> str | None:
    """A namedtuple made by a call: its fields are its arguments, pinned like attributes."""
    cls = class_of(pair) if policy.allows(*pair) else None
    fields = facts.fields(cls) if cls is not None else None
    if cls is None or fields is None:
        return None
    values = dict(zip(fields, args.items, strict=False))
    for row in facts_rules.dispatch_rows(cls):
        if row.attribute in values:
            problem = row_problem(row, values[row.attribute], 0)
            if problem:
                return f"{facts.qualname(cls)}.{row.attribute} {problem} (it drives {row.drives})"
    return None


def _keyword_problem(key: str, sym: Any) -> str | None:
    """:func:`safeload.trust.object_checks.keyword_problem` on a stored keyword's value, when
    the stream holds it as a literal; one of the keywords it judges that is not a literal is
    unproven (the load judges the value it built)."""
    from safeload.trust.object_checks import JUDGED_KEYWORDS, keyword_problem
    from safeload.trust.static_params import param_value

    if key not in JUDGED_KEYWORDS:
        return None
    known, value = param_value(sym)
    if not known and key == "labels":
        # an array of labels (make_scorer(f1_score, labels=np.unique(y)), rt55-02): judged by
        # its shape, which is all keyword_problem reads of it
        length = _vector_length(sym)
        if length is not None:
            import numpy as np

            known, value = True, np.empty(length, dtype=np.int8)
    if not known:
        return "is not a value the pass can judge (unproven)"
    return keyword_problem(key, value)


def _vector_length(sym: Any) -> int | None:
    """The length of a plain 1-D numpy array the stream makes (``_reconstruct`` and its BUILD,
    protocol 5's ``_frombuffer``, a joblib inline array), read from its literal shape, or
    ``None``."""
    from safeload._symbolic import _Array, _Const, _Global, _Obj, _Tuple
    from safeload.pickle.names import FROMBUFFER, RECONSTRUCT

    shape: Any = None
    if isinstance(sym, _Array):
        shape = tuple(sym.shape)
    elif isinstance(sym, _Obj) and isinstance(sym.cls, _Global):
        args: Any = sym.args.items if isinstance(sym.args, _Tuple) else ()
        if sym.cls.pair in RECONSTRUCT and isinstance(sym.state, _Tuple):
            first = args[0] if args else None
            plain = isinstance(first, _Global) and first.pair == ("numpy", "ndarray")
            if plain and len(sym.state.items) == 5:
                shape = sym.state.items[1]
        elif sym.cls.pair in FROMBUFFER and len(args) in (4, 5):
            shape = args[2]  # (a 1-d array's axes, if written, are (0,))
    if isinstance(shape, _Tuple):
        shape = tuple(i.value if isinstance(i, _Const) else None for i in shape.items)
    if type(shape) is tuple and len(shape) == 1 and type(shape[0]) is int and shape[0] >= 0:
        return int(shape[0])
    return None


def _made_by(sym: Any, pair: tuple[str, str]) -> bool:
    from safeload._symbolic import _Global, _Obj

    return isinstance(sym, _Obj) and isinstance(sym.cls, _Global) and sym.cls.pair == pair


def _partial_problem(func: Any) -> str | None:
    from safeload._symbolic import _Global

    callables, _types = value_names()
    if isinstance(func, _Global) and func.pair in callables:
        return None
    what = format_name(*func.pair) if isinstance(func, _Global) else "a computed object"
    return (
        f"functools.partial around {what}: a stored partial may wrap only a function on the "
        "callable allowlist"
    )


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
