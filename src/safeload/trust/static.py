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
from collections.abc import Iterator
from typing import Any

from safeload.policy import Policy, format_name

__all__ = ["use_time_findings"]

_PARTIAL = ("functools", "partial")
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


@functools.lru_cache(maxsize=1)
def _value_names() -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
    from safeload.trust.callables import CALLABLE_ROWS, TYPE_VALUE_ROWS

    return (
        frozenset((m, q) for m, q, _ in CALLABLE_ROWS),
        frozenset((m, q) for m, q, _ in TYPE_VALUE_ROWS),
    )


def use_time_findings(analysis: Any, policy: Policy) -> list[Any]:
    """Findings (``use_time=True``) for the state in ``analysis`` that load would refuse."""
    from safeload.scan import Finding

    findings: list[Finding] = []
    try:
        for pos, problem in _problems(analysis, policy):
            findings.append(Finding(pos, "BUILD", problem, use_time=True))
            break  # one is enough for a verdict; load reports the first too
    except Exception as exc:  # fail closed: a bug here is an unsafe verdict, never a clean one
        findings.append(
            Finding(0, "", f"use-time analysis failed: {type(exc).__name__}: {exc}", use_time=True)
        )
    return findings


def _problems(analysis: Any, policy: Policy) -> Iterator[tuple[int, str]]:
    from safeload._symbolic import _Global, _Obj, _Tuple

    wrapper_states = {
        id(state) for _pos, obj, state in analysis.builds if obj.cls.pair in _SKIP_CLASSES
    }
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
        if isinstance(args, _Tuple):
            for item in args.items:
                problem = _value_problem(item, 0, allow_callable=cls.pair == _PARTIAL)
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
            for item in state.items[1:]:
                problem = _value_problem(item, 0)
                if problem:
                    yield pos, problem
            continue
        problem = _value_problem(state, 0)
        if problem:
            yield pos, problem
        if policy.allows(*cls.pair):
            problem = _state_problem(cls.pair, state)
            if problem:
                yield pos, problem


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


def _value_problem(sym: Any, depth: int, *, allow_callable: bool = False) -> str | None:
    """A global kept as a value (not called) that is neither an allowed function nor a scalar
    type, looking through literal tuples and dicts."""
    from safeload._symbolic import _Const, _Dict, _Global, _Tuple

    if type(sym) is _Const:
        return None  # by far the commonest value: decided before any other test
    if depth > _MAX_DEPTH:
        return None  # the post-build check walks the rest
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
    """(True, value) when ``sym`` is a constant, a tuple of constants or a dict of them."""
    from safeload._symbolic import _Const, _Dict, _Tuple

    if isinstance(sym, _Const):
        return True, sym.value
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


def _state_problem(pair: tuple[str, str], state: Any) -> str | None:
    from safeload._symbolic import _Const, _Dict, _Tuple
    from safeload.trust import usetime

    if isinstance(state, _Tuple) and len(state.items) == 2 and isinstance(state.items[0], _Dict):
        state = state.items[0]  # (dict state, slot state)
    if not isinstance(state, _Dict):
        return None
    cls = usetime.resolve_class(*pair)
    if cls is None or getattr(cls, "__dictoffset__", 0) == 0:
        return None  # extension types take their state through __setstate__, not __dict__
    wanted = usetime.literal_attributes(cls)
    literals: dict[str, Any] = {}
    for key, sym in state.items.items():
        if key in wanted:
            if type(sym) is _Const:
                literals[key] = sym.value
                continue
            ok, value = _literal(sym)
            if ok:
                literals[key] = value
    return usetime.state_problem(cls, list(state.items), literals)
