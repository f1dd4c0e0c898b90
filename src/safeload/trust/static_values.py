"""Reading the stream's symbolic values for the static use-time rules, and the run they share.

The run state (the memo of the recursive walks, whether the run reads the classes' facts, the
policy) lives here, with the readers every rule uses: the items of a container or object array,
a short description for a message, literal values, and the rule on globals stored as values.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from safeload.policy import Policy, format_name
from safeload.trust import facts
from safeload.trust.graph import MAX_DATA_DEPTH

#: Deeper than this, a value is not judged here and scan calls the file unproven (a load judges
#: it after building). Two levels past the load's plain-data bound, as these readers may start
#: counting up to two levels above the data (a state dict, a partial's keywords dict): every
#: value the data rule takes is one they read, so scan's verdict on data is the data rule's
#: (rt54-09).
MAX_DEPTH = MAX_DATA_DEPTH + 2
DEPTH_UNPROVEN = (
    f"unproven: a value nested more than {MAX_DEPTH} levels deep, which the stream walk does "
    "not judge (a load checks it after building)"
)


@functools.lru_cache(maxsize=1)
def value_names() -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
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


def run_memo() -> dict[tuple[str, int, int], Any]:
    memo: dict[tuple[str, int, int], Any] | None = getattr(_RUN, "memo", None)
    if memo is None:
        memo = _RUN.memo = {}
    return memo


def begin_run(policy: Policy, *, data: bool) -> None:
    """Start a run: an empty memo, on the classes' facts (``data``) or on the classes."""
    _RUN.memo = {}
    _RUN.data = data
    _RUN.policy = policy


def end_run() -> None:
    """Drop what the run held."""
    _RUN.memo = None
    _RUN.data = False
    _RUN.policy = None


def on_facts() -> bool:
    """Whether the run reads the classes' facts instead of importing the classes."""
    return bool(getattr(_RUN, "data", False))


def run_policy() -> Policy | None:
    """The policy of the run in progress."""
    policy: Policy | None = getattr(_RUN, "policy", None)
    return policy


def class_of(pair: tuple[str, str]) -> Any:
    """The class a trusted name denotes, or in a run on facts its :class:`facts.ClassFacts`
    (``None`` for a name of something that is not a class)."""
    if on_facts():
        return facts.facts_for(*pair)
    from safeload.trust.classes import resolve_class

    return resolve_class(*pair)


#: The container types the restricted unpickler hands out in a narrowed form (a function, see
#: :mod:`safeload.pickle.narrowed`): held as a value, a load's walk finds that function, which
#: is not on the callable allowlist, and refuses the model (rt43-07). Only a defaultdict's
#: factory gets the builtin itself back, and a ``copyreg._reconstructor`` base is consumed.
NARROWED_TYPES = frozenset(
    {("builtins", name) for name in ("list", "tuple", "set", "frozenset", "bytearray", "bytes")}
)


def narrowed_type_problem(pair: tuple[str, str]) -> str:
    """The finding for a narrowed container type held as a value (:data:`NARROWED_TYPES`)."""
    return (
        f"keeps {format_name(*pair)} as a value: the unpickler hands out a narrowed form of "
        "it, a function not on the callable allowlist (only a defaultdict's factory may be "
        "one of these types)"
    )


def value_problem(sym: Any, depth: int, *, allow_callable: bool = False) -> str | None:
    """A global kept as a value (not called) that is neither an allowed function nor a scalar
    type, looking through literal tuples and dicts (each node once per depth)."""
    from safeload._symbolic import _Const

    if type(sym) is _Const:
        return None  # by far the commonest value: decided before any other test
    memo = run_memo()
    key = ("value", id(sym), depth)
    if key not in memo:
        memo[key] = _value_problem_of(sym, depth)
    found: str | None = memo[key]
    return found


def _value_problem_of(sym: Any, depth: int) -> str | None:
    from safeload._symbolic import _Const, _Dict, _Global, _Tuple

    if depth > MAX_DEPTH:
        return DEPTH_UNPROVEN
    if isinstance(sym, _Global):
        if sym.pair in NARROWED_TYPES:
            return narrowed_type_problem(sym.pair)
        callables, types = value_names()
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
            problem = value_problem(item, depth + 1)
            if problem:
                return problem
    return None


def literal_value(sym: Any) -> tuple[bool, Any]:
    """(True, value) when ``sym`` is a constant, a tuple of constants or a dict of them. A node
    met again is the value made the first time, as the unpickler's memo gives it."""
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return True, sym.value
    memo = run_memo()
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
            ok, value = literal_value(item)
            if not ok:
                return False, None
            values.append(value)
        return True, tuple(values)
    if isinstance(sym, _Dict):
        out = {}
        for key, item in sym.items.items():
            ok, value = literal_value(item)
            if not ok:
                return False, None
            out[key] = value
        return True, out
    return False, None


ARRAY_MAKERS = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
    }
)


def made_class(sym: Any) -> Any:
    """The class of the object a call or NEWOBJ makes, when the callable is the class (its
    facts in a run on facts)."""
    from safeload._symbolic import _Global, _Obj

    if not isinstance(sym, _Obj) or not isinstance(sym.cls, _Global):
        return None
    return class_of(sym.cls.pair)


def is_array(sym: Any) -> bool:
    from safeload._symbolic import _Global, _Obj

    return isinstance(sym, _Obj) and isinstance(sym.cls, _Global) and sym.cls.pair in ARRAY_MAKERS


def array_items(sym: Any) -> list[Any] | None:
    """The items of an object array built by ``_reconstruct`` + BUILD with a list state."""
    from safeload._symbolic import _Box, _Tuple

    state = sym.state
    if isinstance(state, _Tuple) and len(state.items) == 5 and isinstance(state.items[4], _Box):
        return list(state.items[4].items)
    return None


def reconstructed_from_dict(sym: Any) -> Any:
    """The state of ``copyreg._reconstructor(cls, dict, state)`` (how protocols 0-1 write a
    dict subclass, and every protocol a scipy ``dok_matrix``), when ``sym`` is that call with
    a class named as its first argument and ``builtins.dict`` as its base; else ``None``."""
    from safeload._symbolic import _Global, _Tuple

    args = sym.args
    if not (isinstance(args, _Tuple) and len(args.items) == 3):
        return None
    first, base, state = args.items
    if not (isinstance(first, _Global) and first.pair == sym.cls.pair):
        return None
    if not (isinstance(base, _Global) and base.pair == ("builtins", "dict")):
        return None
    return state


def items_of(sym: Any) -> list[Any] | None:
    from safeload._symbolic import _Box, _Dict, _Tuple

    if isinstance(sym, (_Box, _Tuple)):
        return list(sym.items)
    if isinstance(sym, _Dict):
        return list(sym.items.values())
    if is_array(sym):
        return array_items(sym)
    return None


def describe(sym: Any) -> str:
    from safeload._symbolic import _Array, _Big, _Bytes, _Const, _Global, _Obj

    if isinstance(sym, _Const):
        return repr(sym.value)[:60]
    if isinstance(sym, _Big):
        return f"a str of {sym.size:,} characters" if sym.text else f"{sym.size:,} bytes"
    if isinstance(sym, _Bytes):
        return f"a bytearray of {sym.size:,} bytes"
    if isinstance(sym, _Array):
        return "a numpy array"
    if isinstance(sym, _Global):
        return format_name(*sym.pair)
    if is_array(sym):
        return "a numpy array"
    if isinstance(sym, _Obj) and isinstance(sym.cls, _Global):
        return f"what {format_name(*sym.cls.pair)} makes"
    return f"a {type(sym).__name__.strip('_').lower()}"
