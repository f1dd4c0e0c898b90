"""Parameter values the stream walk can build exactly, for the constraint checks.

:func:`param_value` rebuilds constants, containers, numpy scalars and dtypes and a few value
types from the stream's symbolic values, within a bound on their size, so that scikit-learn's
parameter constraints judge them as a load judges what it built; :func:`only_data` says when a
value the walk cannot build is plain data all the same (unproven, then).
"""

from __future__ import annotations

import collections
import datetime
import decimal
import pathlib
import uuid
from typing import Any

from safeload.exceptions import LimitExceededError
from safeload.policy import format_name
from safeload.trust import facts
from safeload.trust.static_values import (
    MAX_DEPTH,
    is_array,
    items_of,
    on_facts,
    reconstructed_from_dict,
    run_memo,
    run_policy,
)


def param_value(sym: Any, depth: int = 0) -> tuple[bool, Any]:
    """(True, value) for a parameter value the stream walk can build exactly: constants (long
    strings too), tuples, lists, sets and str-keyed dicts of such values, numpy scalars of a
    literal numeric dtype, and complex, set, frozenset, slice or range calls on them. The
    constraint checks then judge it as a load judges the object it built (rt23-01, rt24-05,
    rt24-09). A node met again is the value made the first time (memoised: a memo DAG
    cannot make this exponential)."""
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return True, sym.value
    memo = run_memo()
    key = ("param", id(sym), 0)
    if key not in memo:
        # a value that unfolds into more nodes than a model's parameter ever holds is not
        # built (its repr in a refusal would walk every shared path, rt25-04)
        too_big = depth > MAX_DEPTH or _unfolded(sym, _MAX_PARAM_NODES) > _MAX_PARAM_NODES
        memo[key] = (False, None) if too_big else _param_value_of(sym, depth)
    found: tuple[bool, Any] = memo[key]
    return found


def _param_value_of(sym: Any, depth: int) -> tuple[bool, Any]:
    from safeload._symbolic import _Big, _Box, _Dict, _Global, _Obj, _Tuple

    if isinstance(sym, _Big):
        # a long bytes as RidgeCV.cv, which scikit-learn's iterable constraint takes (rt42-02)
        return big_value(sym)
    if isinstance(sym, _Global):
        # a class or function as the value (C=builtins.float): the object itself, imported
        # only on the path that imports classes (the facts cannot hold it)
        policy = run_policy()
        if policy is None or not policy.allows(*sym.pair):
            return False, None  # refused as untrusted by the walk
        if on_facts():
            raise facts.NeedsImport(f"{format_name(*sym.pair)} as a parameter value")
        from safeload.trust.classes import resolve

        try:
            return True, resolve(*sym.pair)
        except Exception:  # not importable here: the load fails on it too
            return False, None
    if isinstance(sym, (_Tuple, _Box)):
        values = []
        for item in sym.items:
            ok, value = param_value(item, depth + 1)
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
    args = items_of(sym.args) if sym.args is not None else []
    if args is None:
        return False, None
    if pair in SCALAR_CALLS:
        if scalar_problem(sym) is not None:
            return False, None
        found: tuple[bool, Any] = run_memo()[("scalar", id(sym), 0)]
        return found
    if pair == ("numpy", "dtype"):
        return _dtype_value(sym)
    if pair in _DICT_TYPES:
        return _dict_call_value(sym, args, depth)
    if pair == _BUNCH:
        return _bunch_value(sym, args, depth)
    if pair in _MADE_VALUES:
        return _made_value(sym, pair, args, depth)
    if pair not in _VALUE_TYPES or sym.held:
        return False, None
    if pair[1] in ("set", "frozenset") and not all(isinstance(a, (_Tuple, _Box)) for a in args):
        return False, None  # from a literal container only, as the load's narrowing allows
    # set(items) and frozenset(items) are one level, as the load's data rule counts the set
    # it builds: the list handed over is consumed (rt55-03: nested frozensets written as
    # calls counted two levels each here and were unproven at 10)
    inner = depth if pair[1] in ("set", "frozenset") else depth + 1
    values = []
    for arg in args:
        ok, value = param_value(arg, inner)
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


#: The largest bytes constant the pass copies to build it (numpy arrays in the stream are read
#: in place: this is for bytes values, a parameter or a native model blob).
MAX_BUILT_BYTES = 256 << 20


def big_value(sym: Any) -> tuple[bool, Any]:
    """(True, value) for what a load makes of a constant over ``MAX_CONST`` (a ``_Big``): its
    str, or its bytes as ``bytes``, or as a ``bytearray`` when ``BYTEARRAY8`` pushed it (a
    view of the stream over 4 KB, copied, up to :data:`MAX_BUILT_BYTES`); (False, None) for
    one whose value the walk dropped or will not copy."""
    value = sym.value
    if type(value) is str:
        return True, value
    if not isinstance(value, (bytes, bytearray, memoryview)):
        return False, None
    if isinstance(value, memoryview) and value.nbytes > MAX_BUILT_BYTES:
        return False, None
    kind = bytearray if sym.mutable else bytes
    return True, value if type(value) is kind else kind(value)


def _dict_value(sym: Any, depth: int) -> tuple[bool, Any]:
    """A dict's value: its string keys, then the others in stream order, built with
    :func:`param_value` (``class_weight`` keyed by numpy ints or long labels, rt25-07). A
    built key equal to a string key is unproven: which value wins depends on an order the
    walk does not keep."""
    strings = dict(sym.items)
    built: dict[Any, Any] = {}
    for name, item in strings.items():
        ok, value = param_value(item, depth + 1)
        if not ok:
            return False, None
        built[name] = value
    others = sym.others or []
    for i in range(0, len(others), 2):
        ok, name = param_value(others[i], depth + 1)
        ok_item, value = param_value(others[i + 1], depth + 1) if ok else (False, None)
        if not ok_item:
            return False, None
        try:
            if name in strings:
                return False, None
            built[name] = value
        except TypeError:  # an unhashable key, as the unpickler fails
            return False, None
    return True, built


def _dict_call_value(sym: Any, args: list[Any], depth: int) -> tuple[bool, Any]:
    """An ``OrderedDict``, ``Counter`` or ``defaultdict`` as pickle writes one: the class
    called on no argument (a Counter: on a dict of counts; a defaultdict: on its factory, a
    builtin type, or none), then SETITEMS in stream order, and no BUILD.
    Made from the built keys and values, so the constraints judge it as the load judges
    the object it built (a ``dict`` or array-like parameter takes it; rt38-04)."""
    from safeload._symbolic import _Const, _Global

    if sym.state is not None and not (isinstance(sym.state, _Const) and sym.state.value is None):
        return False, None  # attributes on the instance: not a value this builds
    factory: Any = None
    if sym.cls.pair == _DEFAULTDICT and args:
        # its first argument is the default factory (pickle leaves out a None one): None or
        # one of the builtin types the load keeps as a factory; anything else is unproven
        first = args[0]
        if isinstance(first, _Global) and first.pair in _FACTORIES:
            factory = _FACTORIES[first.pair]
        elif not (isinstance(first, _Const) and first.value is None):
            return False, None
        args = args[1:]
    if len(args) > 1:
        return False, None
    built = []
    for arg in args:
        ok, value = param_value(arg, depth + 1)
        if not ok or type(value) is not dict:
            return False, None  # a Counter counts any iterable it is given: dicts only
        built.append(value)
    held = sym.held or []
    try:
        if sym.cls.pair == _DEFAULTDICT:
            made: Any = collections.defaultdict(factory, *built)
        else:
            made = _DICT_TYPES[sym.cls.pair](*built)
        for i in range(0, len(held), 2):
            ok, key = param_value(held[i], depth + 1)
            ok_item, value = param_value(held[i + 1], depth + 1) if ok else (False, None)
            if not ok_item:
                return False, None
            made[key] = value
    except (TypeError, IndexError):  # an unhashable key, as the unpickler fails
        return False, None
    return True, made


def _bunch_value(sym: Any, args: list[Any], depth: int) -> tuple[bool, Any]:
    """A scikit-learn ``Bunch`` as pickle writes one: NEWOBJ of the class without arguments
    (protocols 0-1: ``copyreg._reconstructor(Bunch, dict, items)``), then SETITEMS; the BUILD
    that follows changes nothing (``Bunch.__setstate__`` ignores its state). Made from the
    built keys and values, a dict subclass that an array-like, dict or iterable constraint
    takes as the load's does (``RidgeCV.alphas``, ``VotingRegressor.weights``: rt41-03)."""
    given = reconstructed_from_dict(sym)
    if given is None and args:
        return False, None  # NEWOBJ with arguments, or a call of Bunch: not pickle's form
    if on_facts():
        raise facts.NeedsImport("a Bunch as a parameter value")
    from safeload.trust.classes import resolve

    cls = resolve(*_BUNCH)
    if not isinstance(cls, type):
        return False, None
    made: Any = dict.__new__(cls)  # NEWOBJ (Bunch keeps dict's __new__)
    items: list[tuple[Any, Any]] = []
    if given is not None:
        ok, first = param_value(given, depth + 1)
        if not ok or type(first) is not dict:
            return False, None
        items.extend(first.items())
    held = sym.held or []
    for i in range(0, len(held) - 1, 2):
        ok, key = param_value(held[i], depth + 1)
        ok_item, value = param_value(held[i + 1], depth + 1) if ok else (False, None)
        if not ok_item:
            return False, None
        items.append((key, value))
    try:
        for key, value in items:
            made[key] = value
    except TypeError:  # an unhashable key, as the unpickler fails
        return False, None
    return True, made


def _made_value(sym: Any, pair: tuple[str, str], args: list[Any], depth: int) -> tuple[bool, Any]:
    """A standard-library value (a date, ``Decimal``, pure path, ``UUID``) or a bytes or
    bytearray made by a call, made exactly as the restricted unpickler makes it: the
    narrowed form it hands out (``Decimal`` from a str, ``bytes``/``bytearray`` from bytes or
    latin-1 text, protocol 2's ``_codecs.encode``) or the class itself, on the built
    arguments; a ``UUID`` by NEWOBJ and its own ``__setstate__``. Pure code of the standard
    library on values read from the stream, none sized by a number in it (rt42-02: a date,
    ``Decimal`` or bytearray in ``RidgeClassifierCV.cv`` or a tree's ``monotonic_cst`` was
    unproven while the load's constraints took the list). ``(False, None)`` where the
    load's call fails, or for a form the walk does not build."""
    from safeload._symbolic import _Const
    from safeload.pickle.narrowed import _NARROWED

    policy = run_policy()
    if policy is None or not policy.allows(*pair) or sym.held:
        return False, None
    values = []
    for arg in args:
        ok, value = param_value(arg, depth + 1)
        if not ok:
            return False, None
        values.append(value)
    state: Any = None
    if sym.state is not None and not (isinstance(sym.state, _Const) and sym.state.value is None):
        ok, state = param_value(sym.state, depth + 1)
        if not ok or type(state) is not dict or pair != _UUID:
            return False, None  # a BUILD on what keeps no attributes fails the load
    try:
        if pair == _UUID:  # copyreg.__newobj__(UUID), then BUILD
            if values or state is None:
                return False, None
            made: Any = object.__new__(_MADE_VALUES[pair])
            made.__setstate__(state)
            return True, made
        if pair == _ENCODE:
            raw = _bytes_value(sym)
            return (True, raw) if raw is not None else (False, None)
        return True, _NARROWED.get(pair, _MADE_VALUES[pair])(*values)
    except Exception:  # the load's call fails the same way: not a value it builds
        return False, None


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

    counts: dict[int, Any] = run_memo().setdefault(("unfolded", 0, 0), {})
    return unfolded(sym, cap, counts)


def only_data(sym: Any, depth: int = 0) -> bool:
    """Whether ``sym`` is made of constants and data types only (no instance of another class,
    no array, no global): a value a load's constraint check judges as data, so one the walk
    cannot build is unproven rather than left to the load."""
    from safeload._symbolic import _Big, _Box, _Const, _Dict, _Global, _Obj, _Tuple

    if depth > MAX_DEPTH:
        return False
    if isinstance(sym, (_Const, _Big)):
        return True
    if isinstance(sym, (_Tuple, _Box)):
        return all(only_data(item, depth + 1) for item in sym.items)
    if isinstance(sym, _Dict):
        return all(only_data(item, depth + 1) for item in sym.items.values())
    if isinstance(sym, _Obj) and isinstance(sym.cls, _Global) and not is_array(sym):
        if sym.cls.pair in _DICT_TYPES or sym.cls.pair == _BUNCH:
            # data when what it was given and holds is (rt38-04; a Bunch, rt41-03)
            given = reconstructed_from_dict(sym)
            args = [given] if given is not None else list(items_of(sym.args) or ())
            if sym.cls.pair == _DEFAULTDICT and given is None:
                args = args[1:]  # its factory: a callable, judged as before (not data)
            given = [*args, *(sym.held or ())]
            return all(only_data(item, depth + 1) for item in given)
        return (
            sym.cls.pair in DATA_CALLS
            or sym.cls.pair in SCALAR_CALLS
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
    """The numpy scalar ``scalar(dtype, payload)`` makes, made by numpy's own ``scalar`` as the
    load makes it (the dtype rebuilt through :func:`safeload._numpy_state.real_dtype`, never
    one holding objects); (False, None) when the walk cannot read it or numpy refuses it (a
    payload shorter than the dtype's item size, a code point past U+10FFFF: the load fails
    too)."""
    dtype, payload = args
    raw = _bytes_value(payload)
    if raw is None:
        return False, None
    ok, real = _dtype_value(dtype, len(raw))
    if not ok or real.hasobject:
        return False, None
    made = read_scalar(real, raw)
    return made if made[0] else (False, None)


def read_scalar(dtype: Any, raw: bytes) -> tuple[bool, Any]:
    """(True, scalar) for what numpy's ``multiarray.scalar`` (the function the load calls)
    makes of ``dtype`` (a rebuilt dtype holding no objects: it copies bytes) and ``raw``;
    (False, why) when numpy refuses them, as it does in the load."""
    try:
        from numpy._core.multiarray import scalar
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core.multiarray import scalar  # type: ignore[no-redef]
    try:
        return True, scalar(dtype, raw)
    except Exception as exc:  # ValueError, SystemError, ...
        why = f"{type(exc).__name__}: {str(exc)[:80]}"
        return False, f"numpy's multiarray.scalar refuses the payload ({why})"


def scalar_problem(sym: Any) -> str | None:
    """A numpy scalar is plain data when numpy makes it from its dtype, which the walk
    rebuilds, and its payload of bytes (what numpy writes), as the load makes it: a void or
    structured record and a str of any length too (rt42-03: ``numpy.void(b"ab")`` and a
    ``numpy.str_`` of 1,000 characters were unproven while the load's plain-data rule took
    them). An object-dtype scalar, one whose dtype the walk cannot name, and one numpy
    refuses (a payload shorter than its item size: scan called it SAFE, the load failed)
    are unproven (rt23-08)."""
    memo = run_memo()
    key = ("scalar", id(sym), 0)
    if key not in memo:
        args = items_of(sym.args) if sym.args is not None else None
        memo[key] = _scalar_value(args) if args is not None and len(args) == 2 else (False, None)
    if memo[key][0]:
        return None
    return "unproven: a numpy scalar whose dtype or payload the stream walk cannot read"


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
    args = items_of(sym.args) if sym.args is not None else None
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


#: Dict subclasses ``param_value`` makes from a call and the items the stream sets in it
#: (:func:`_dict_call_value`).
_DICT_TYPES: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "Counter"): collections.Counter,
    ("collections", "defaultdict"): collections.defaultdict,
}
_DEFAULTDICT = ("collections", "defaultdict")
_BUNCH = ("sklearn.utils._bunch", "Bunch")
#: The factories a defaultdict ``param_value`` makes may have (the builtin types the load
#: keeps as one, :mod:`safeload.pickle.narrowed`; they build empty or zero values).
_FACTORIES: dict[tuple[str, str], Any] = {
    **{("builtins", t.__name__): t for t in (list, dict, set, tuple, int, float, str, bool)},
    ("collections", "OrderedDict"): collections.OrderedDict,
}
_UUID = ("uuid", "UUID")
_ENCODE = ("_codecs", "encode")
#: Values ``param_value`` makes for real, by the form the restricted unpickler calls
#: (:func:`_made_value`): standard-library value types and bytes made by a call.
_MADE_VALUES: dict[tuple[str, str], Any] = {
    ("datetime", "date"): datetime.date,
    ("datetime", "datetime"): datetime.datetime,
    ("datetime", "time"): datetime.time,
    ("datetime", "timedelta"): datetime.timedelta,
    ("datetime", "timezone"): datetime.timezone,
    ("decimal", "Decimal"): decimal.Decimal,
    ("pathlib", "PurePosixPath"): pathlib.PurePosixPath,
    ("pathlib", "PureWindowsPath"): pathlib.PureWindowsPath,
    ("pathlib._local", "PurePosixPath"): pathlib.PurePosixPath,
    ("pathlib._local", "PureWindowsPath"): pathlib.PureWindowsPath,
    _UUID: uuid.UUID,
    ("builtins", "bytes"): bytes,
    ("builtins", "bytearray"): bytearray,
    _ENCODE: None,  # (read by _bytes_value)
}
#: Data types whose call on literal arguments ``param_value`` makes (``bytes`` and
#: ``bytearray`` only in their narrowed forms, :data:`_MADE_VALUES`: an int argument would size
#: an allocation).
_VALUE_TYPES: dict[tuple[str, str], Any] = {
    ("builtins", "complex"): complex,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "slice"): slice,
    ("builtins", "range"): range,
}


#: numpy scalar calls: plain data only when numpy makes one from what the walk reads (see
#: scalar_problem)
SCALAR_CALLS = frozenset(
    {("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}
)

#: Calls that make plain data when their arguments are: numpy dtypes, bytes, builtin
#: containers. Exactly the types the load's plain-data rule admits (``graph.require_data``):
#: an ``OrderedDict`` is not one of them (rt23-05).
DATA_CALLS = frozenset(
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
