"""The builder of shadows: the static pass's symbolic values turned into what a load builds.

Constants, containers and string-keyed dicts become the Python values they denote; arrays
are read from the stream; an instance of an allowed class becomes a
:class:`~safeload.trust.shadow_values.Shadow`; standard-library values, sparse matrices and
pandas objects are made for real, by the same narrowed forms a load uses
(:mod:`~safeload.trust.shadow_made`); anything else is
:class:`~safeload.trust.shadow_values.Unknown`.
"""

from __future__ import annotations

import keyword
import sys
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from safeload import _symbolic as s
from safeload.pickle.call_rules import CALLED_BARE_MODULES
from safeload.pickle.names import BIT_GENERATORS, DICT_MAKERS, JOBLIB_WRAPPER, MULTIARRAY_SCALAR
from safeload.pickle.narrowed import _NARROWED
from safeload.policy import Policy, format_name
from safeload.trust import facts
from safeload.trust.facts import ClassFacts, NeedsImport
from safeload.trust.pandas_forms import PANDAS_NAMES
from safeload.trust.shadow_made import (
    MadeForReal,
    failure_text,
    is_key,
    is_plain,
    key_hash_problem,
    key_shadows_name,
)
from safeload.trust.shadow_state import (
    BASE_ESTIMATOR,
    TREE,
    dict_state,
    plain_state,
    setstate_failure,
    shadowable,
)
from safeload.trust.shadow_values import (
    Shadow,
    Unknown,
    Unproven,
    is_real,
    narrowed_problem,
)
from safeload.trust.static_masked import MASKED_MAKERS
from safeload.trust.static_params import big_value, read_scalar
from safeload.trust.structures.cython_args import LOSS_ARGUMENTS, loss_call_problem
from safeload.trust.structures.reconstructor import (
    BUILTIN_BASES,
    facts_new_failure,
    new_failure,
    state_failure,
)
from safeload.trust.trusted_classes import attrs_setstate, builtin_new_failure, own_hook

RECONSTRUCT = frozenset(
    {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
)
_PARTIAL = ("functools", "partial")
_XGBOOST_BOOSTER = ("xgboost.core", "Booster")
#: Standard-library value classes the allowlist admits, made for real (see _value_object).
_VALUE_CLASSES = frozenset(
    {
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("decimal", "Decimal"),
        ("collections", "Counter"),
        ("uuid", "UUID"),
        ("pathlib", "PurePosixPath"),
        ("pathlib", "PureWindowsPath"),
        ("pathlib._local", "PurePosixPath"),
        ("pathlib._local", "PureWindowsPath"),
    }
)
#: Calls that make an instance of the class given as their first argument.
_CLASS_FROM_FIRST_ARG = frozenset({"newObj", "__newobj__", "_reconstructor"})
#: numpy's random-state constructors, and the class each makes (extension types: no __dict__).
_RANDOM_CTORS = {
    "__randomstate_ctor": ("numpy.random", "RandomState"),
    "__generator_ctor": ("numpy.random", "Generator"),
    "__bit_generator_ctor": ("numpy.random", "BitGenerator"),
}
#: numpy's random-state helpers (and numpy 1.x's name for the first), probed by
#: :meth:`Builder._random_build_failure`.
_RANDOM_BUILDS = frozenset(_RANDOM_CTORS) | {"__RandomState_ctor"}
_BIT_GENERATOR_CTOR = "__bit_generator_ctor"
#: numpy's helpers that make an object holding a bit generator (see Builder._random_args).
_RANDOM_HOLDERS = frozenset({"__randomstate_ctor", "__generator_ctor"})
#: numpy's bit generator classes: what ``__bit_generator_ctor(cls)`` makes (the pass names the
#: object by its class, :func:`safeload.pickle.call_rules.class_from_arg`).
_BIT_GENERATOR_CLASSES = BIT_GENERATORS - {("numpy.random.bit_generator", "SeedSequence")}


def _numpy_bit_generator_class(value: Any) -> bool:
    """One of numpy's bit generator classes, which ``__bit_generator_ctor`` calls bare."""
    return (
        is_real(value, type)
        and issubclass(value, np.random.BitGenerator)
        and value is not np.random.BitGenerator
        and value.__module__.startswith("numpy.random.")
    )


def _probe_state(value: Any, depth: int = 0) -> bool:
    """Plain data, numpy numbers and arrays of numbers: what a random state's ``__setstate__``
    may be handed in a probe."""
    if is_plain(value, scalars=True):
        return True
    if type(value) is np.ndarray:
        return not value.dtype.hasobject
    if depth < 4 and type(value) is dict:
        return all(is_plain(k) and _probe_state(v, depth + 1) for k, v in value.items())
    if depth < 4 and type(value) in (tuple, list):  # RandomState's legacy tuple state
        return all(_probe_state(v, depth + 1) for v in value)
    return False


#: Cython's rebuild of numpy's SeedSequence: (class, layout checksum, state tuple).
_SEED_SEQUENCE = "__pyx_unpickle_SeedSequence"
#: scikit-learn's distance metrics' module (Cython classes with a ``__cinit__``).
_DIST_METRICS = "sklearn.metrics._dist_metrics"
#: The prefix of Cython's pickle helpers, ``__pyx_unpickle_<Class>(cls, checksum, state)``.
_PYX_UNPICKLE = "__pyx_unpickle_"
#: Built-in callables that only repackage their (already converted) arguments.
#: Builtins that may take plain ints (a complex, a slice or a lazy range allocate nothing).
_SLICE = ("builtins", "slice")
_SMALL_INT_OK = frozenset({("builtins", "complex"), ("builtins", "slice"), ("builtins", "range")})
_PURE_BUILTINS: dict[tuple[str, str], Callable[..., Any]] = {
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "list"): list,
    ("builtins", "tuple"): tuple,
    ("builtins", "bytearray"): bytearray,
    ("builtins", "bytes"): bytes,  # protocols 0-2 write b"" as bytes() (rt44-04)
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
    ("builtins", "range"): range,
    ("_codecs", "encode"): lambda text, enc: text.encode(enc),
}


#: Builtins a load calls on what the file gives them: (the form the restricted unpickler hands
#: out, or the builtin itself). Called by scan on plain values, to predict the load's refusal.
_PROBED: dict[tuple[str, str], Callable[..., Any]] = {
    ("builtins", "dict"): dict,
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
}
_RECONSTRUCTOR = ("copyreg", "_reconstructor")
#: Containers and values the unpickler makes by calling them on what the stream built, which
#: the builder models: where it cannot make one, the load's call may fail (a raw TypeError of
#: the unpickler, a refusal), so an unknown result is unproven, not a value no check reads.
_MODELLED_CALLS = frozenset(
    {
        ("builtins", "dict"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("collections", "defaultdict"),
        ("collections", "Counter"),
        ("collections", "OrderedDict"),
        ("decimal", "Decimal"),
    }
)
#: Calls that hash the items of their (one) argument.
_HASHING_CALLS = frozenset({("builtins", "set"), ("builtins", "frozenset")})
#: Calls whose result has no ``__dict__``: a BUILD with a state fails on it.
_NO_DICT = (
    frozenset(_PROBED)
    | frozenset(
        pair for pair in _NARROWED if pair not in (_RECONSTRUCTOR, ("collections", "Counter"))
    )
    | {("builtins", "range"), ("builtins", "object"), ("_codecs", "encode")}
)
#: dict subclasses with a ``__dict__``: a BUILD sets attributes from a dict state.
_DICT_SUBCLASSES = frozenset({("collections", "OrderedDict"), ("collections", "Counter")})


#: Builtin and standard-library types the pass may make with ``copyreg._reconstructor`` to
#: see whether it raises (they run no code of the file's choosing).
_BUILTIN_TYPES = (object, dict, list, set, frozenset, tuple, bytes, bytearray, int, float, str)


def _reconstructor_call(args: Any) -> Callable[..., Any] | None:
    """``copyreg._reconstructor`` when it would make a builtin type from a builtin base and
    plain state (``_reconstructor(OrderedDict, dict, None)`` raises in the load), else
    ``None``: a class of a library is made by the load, never called here."""
    import collections
    import copyreg

    safe = (*_BUILTIN_TYPES, collections.OrderedDict, collections.Counter)
    if not (is_real(args, tuple) and len(args) == 3 and is_plain(args[2])):
        return None
    if any(args[0] is t for t in safe) and any(args[1] is t for t in safe):
        found: Callable[..., Any] = copyreg._reconstructor  # type: ignore[attr-defined]
        return found
    return None


def _python_class(name: str) -> bool:
    """Whether the facts know ``module:qualname`` as a scikit-learn Python class (one with a
    ``__dict__``: Cython's extension types have none), which allocates with its base's
    ``__new__``."""
    module, _, qualname = name.partition(":")
    if not module.startswith("sklearn."):
        return False
    try:
        found = facts.facts_for(module, qualname)
    except NeedsImport:
        return False  # (the caller imports the class)
    return found is not None and found.has_dict and (module, qualname) != TREE


def _reconstructor_failure(args: Any) -> str | None:
    """Why ``copyreg._reconstructor(cls, base, state)`` fails in a load, for a builtin base:
    ``cls`` no subclass of the base, or one CPython will not allocate with the base's
    ``__new__`` (``(StandardScaler, int, 5)``, ``(ndarray, object, None)``), or a plain state the
    base's constructor refuses (``(Bunch, dict, [(1, 2, 3)])``), rt49-10. A class known only by
    its facts is judged by its MRO, or imported where the facts cannot tell."""
    if not (is_real(args, tuple) and len(args) == 3):
        return None
    cls, base, state = args
    if not any(base is b for b in BUILTIN_BASES):
        return None  # (the static pass refuses every other base)
    if type(cls) is ClassFacts:
        try:
            failure = facts_new_failure(cls.mro, _python_class, base)
        except LookupError as exc:
            raise NeedsImport(f"{exc}, given to copyreg._reconstructor") from None
    elif is_real(cls, type):
        failure = new_failure(cls, base)
    else:
        return None  # (a class the pass cannot see: left to the other rules)
    if failure is None and is_plain(state):
        failure = state_failure(base, state)
    return f"copyreg._reconstructor: {failure}: a load fails" if failure else None


def _attribute_name(key: Any) -> bool:
    """Whether a state key names an attribute, as the load's use-time walk requires of every
    ``__dict__`` key (:func:`safeload.trust.usetime._check_each_key`)."""
    return type(key) is str and key.isidentifier() and not keyword.iskeyword(key)


def _empty_slot_state(state: Any) -> bool:
    """Whether ``state`` is ``(None, {})``: no state and no slots, which the unpickler's BUILD
    passes over on any object."""
    return (
        is_real(state, tuple)
        and len(state) == 2
        and state[0] is None
        and is_real(state[1], dict)
        and not state[1]
    )


def _with_fields(
    fields: tuple[str, ...] | None, args: Any, attrs: dict[str, Any] | None, cls: Any
) -> dict[str, Any] | None:
    """A named tuple's attributes: its fields, which NEWOBJ gives it as arguments (an
    ``_ImputerTriplet``'s ``neighbor_feat_idx``, which the load's checks read, rt36-02), or
    protocols 0 and 1 as the items of ``copyreg._reconstructor(cls, tuple, items)`` (the
    pass records that call's three arguments as the object's: rt104-03)."""
    if (
        is_real(args, tuple)
        and len(args) == 3
        and args[0] is cls
        and args[1] is tuple
        and is_real(args[2], tuple)
    ):
        # (tuple.__new__(cls, items) makes a tuple of any length: its fields are its first
        # items, as the load's checks read them, rt106-03)
        args = args[2][: len(fields)] if fields is not None else args[2]
    if fields is None or not (is_real(args, tuple) and len(args) == len(fields)):
        return attrs
    return {**dict(zip(fields, args, strict=True)), **(attrs or {})}


_RECONSTRUCT = frozenset(
    {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
)


def _unbuilt_empty(sym: Any, value: Any) -> Any:
    """The array numpy makes of ``_reconstruct(numpy.ndarray, shape, b"b")`` that no BUILD
    follows, when ``shape`` holds no item: an empty int8 array of that shape, which the load
    checks as any built one (rt111-02: scan called it unproven, and for NuSVC's dual_coef_
    "refused by a load" that loaded it). With items its memory is uninitialised: ``None``,
    unknown to the pass (and both refuse it)."""
    if not (isinstance(sym, s._Obj) and sym.cls is not None and sym.cls.pair in _RECONSTRUCT):
        return None
    items = sym.args.items if isinstance(sym.args, s._Tuple) else []
    if len(items) != 3 or not isinstance(items[0], s._Global):
        return None
    if items[0].pair != ("numpy", "ndarray"):
        return None
    shape, code = value(items[1]), value(items[2])
    if type(shape) is not tuple or not all(type(n) is int and n >= 0 for n in shape):
        return None
    if code != b"b" or 0 not in shape:
        return None
    return np.empty(shape, dtype=np.int8)


def _plainly_reconstructed(args: Any, cls: Any) -> bool:
    """Whether ``args`` are ``(cls, object, None)``: protocols 0 and 1 write an object of a
    plain class as ``copyreg._reconstructor(cls, object, None)``, which runs
    ``object.__new__(cls)`` and no code of the class's (rt99-16: scan called the caller's
    class "called with arguments")."""
    return len(args) == 3 and args[0] is cls and args[1] is object and args[2] is None


def _call_failure(pair: tuple[str, str], args: Any, made: Any = None) -> str | None:
    """Why a load's call of ``pair`` on ``args`` fails (so the load refuses the file), when the
    pass can tell: the callee is a builtin or a narrowed form of one and every argument is plain
    data. ``dict({}, {})``, ``set([[]])`` and ``complex(2**1024)`` raise in the unpickler; scan
    says so rather than leaving an unknown value that no check touches (rt33-11). The narrowed
    forms never size an allocation by a number, so calling them here costs what the file paid
    for."""
    if is_real(args, tuple) and len(args) == 3 and args[0] is made and made is not None:
        # copyreg._reconstructor(cls, base, state): the pass records it as an object of
        # ``cls`` made with those three arguments (``made`` is what ``pair`` names)
        failure = _reconstructor_failure(args)
        if failure:
            return failure
        call = _reconstructor_call(args)
        pair = _RECONSTRUCTOR
    elif pair == _RECONSTRUCTOR:
        call = _reconstructor_call(args)
    else:
        call = _PROBED.get(pair) or _NARROWED.get(pair)
        if call is not None and not (is_real(args, tuple) and is_plain(args)):
            call = None
    if call is None:
        return None
    try:
        call(*args)
    except Unproven:  # pragma: no cover - plain values raise no Unproven
        return None
    except Exception as exc:
        return failure_text(pair, exc)
    return None


def _latin1_payload(raw: Any) -> Any:
    """A numpy scalar's payload as ``multiarray.scalar`` reads it: a str is encoded to latin-1
    first (numpy does so), so a str payload is judged by numpy as its bytes are (rt49-04: a
    UCS4 code point past U+10FFFF in a latin-1 str was SAFE, the load failed). A str past
    latin-1 (numpy fails on it; the static pass refuses it) and any other value stay as
    they are."""
    if is_real(raw, str):
        try:
            return raw.encode("latin-1")
        except UnicodeEncodeError:
            return raw
    return raw


def resolvable_on_facts(pair: tuple[str, str]) -> bool:
    """Whether a run on facts may resolve ``pair`` for real (a name the facts cannot shadow):
    its module is imported already, or is the standard library's or numpy's, or it is joblib's
    array header, which that run imports (:meth:`Builder._global`)."""
    top = pair[0].partition(".")[0]
    return (
        pair[0] in sys.modules
        or top in sys.stdlib_module_names
        or top == "numpy"
        or pair == JOBLIB_WRAPPER
    )


class Builder(MadeForReal):
    """Turns the static pass's symbolic values into shadows (memoised by node); what it makes
    for real is :class:`~safeload.trust.shadow_made.MadeForReal`'s."""

    def __init__(self, reader: Any, policy: Policy, *, data: bool = False) -> None:
        self.reader = reader
        self.policy = policy
        #: stand for trusted scikit-learn classes with their facts (imports none of them)
        self.data = data
        self.done: dict[int, Any] = {}
        self.instances: list[Any] = []
        #: calls the restricted unpickler refuses (see :func:`narrowed_problem`)
        self.problems: list[str] = []
        #: the state a load's object keeps after numpy's or Cython's setters converted what the
        #: stream gave (by node): what the checks read in place of the stream's state
        self.converted: dict[int, Any] = {}
        #: :meth:`_global`'s answers by name: a stream names one class thousands of times
        self.globals: dict[tuple[str, str], Any] = {}

    def value(self, sym: Any) -> Any:
        key = id(sym)
        if key in self.done:
            return self.done[key]
        out = self._convert(sym)
        self.done[key] = out
        return out

    def _convert(self, sym: Any) -> Any:
        if isinstance(sym, s._Const):
            v = sym.value
            return bytes(v) if isinstance(v, memoryview) else v
        if isinstance(sym, s._Big):
            v = sym.value
            size = sym.size if sym.size > 0 else None  # (read by the printed-items bound)
            if v is None:
                return Unknown("a large constant the pass no longer holds", size=size)
            ok, made = big_value(sym)
            if not ok:
                # not copied: a scan of a file larger than memory stays within memory; a check
                # that needs these bytes finds them unproven (unsafe), as for any unknown value
                return Unknown(
                    f"a constant of {sym.size} bytes, more than a scan copies", size=size
                )
            return made  # (a BYTEARRAY8 over 4 KB is a bytearray, as the load makes it)
        if isinstance(sym, s._Tuple):
            return tuple(self.value(i) for i in sym.items)
        if isinstance(sym, s._Dict):
            out: dict[Any, Any] = {}
            self.done[id(sym)] = out
            for k, v in sym.items.items():
                out[k] = self.value(v)
            others = sym.others or []
            for i in range(0, len(others), 2):
                # keys that are not strings (a binarizer's int labels): plain values hash as
                # they do in a load; anything else stays unknown (rt33-09)
                key = self.value(others[i])
                if not is_key(key) or key_shadows_name(key, sym.items):
                    # (a str key made by a call may override a literal one, and which wins
                    # depends on an order the pass does not keep); what it holds stays in
                    # the graph the load's walk enters (rt53-03)
                    # (each once: ``out`` already holds the plain keys met before this one,
                    # which ``others`` lists again, rt54-11)
                    held = [*(out[k] for k in sym.items), *(self.value(o) for o in others)]
                    return Unknown("a dict with keys that are not plain values", tuple(held), dict)
                out[key] = self.value(others[i + 1])
            return out
        if isinstance(sym, s._Box):
            if sym.kind == "list":
                items: list[Any] = []
                self.done[id(sym)] = items
                items.extend(self.value(i) for i in sym.items)
                return items
            members: list[Any] = []
            try:
                members.extend(self.value(i) for i in sym.items)
                return set(members) if sym.kind == "set" else frozenset(members)
            except (Unproven, TypeError):
                # what it holds stays in the graph the load's walk enters (rt53-03)
                kind = set if sym.kind == "set" else frozenset
                return Unknown("a set of values the pass cannot see", tuple(members), kind)
        if isinstance(sym, s._Global):
            return self._global(sym.pair)
        if type(sym).__name__ == "_Array":  # a joblib inline array
            return self._array(sym)
        if isinstance(sym, s._Obj):
            made = self._object(sym)
            if (
                type(made) is Unknown
                and object.__getattribute__(made, "made_as") is None
                and sym.cls is not None
                and sym.cls.pair in _MODELLED_CALLS
            ):
                # the unpickler calls it on what the stream built and fails on arguments it
                # cannot take (dict(log1p, []), defaultdict({}, log1p), set([[]])): a result
                # the pass cannot make is not shown to exist, even where no check reads it
                # (one shown to exist, keyed by a shadow, says what type it is)
                why = object.__getattribute__(made, "why")
                self.problems.append(
                    why if why in self.problems else f"unproven: {why}, which a load makes"
                )
            return made
        # (a large string or bytes: its length is known, which the printed-items bound reads)
        size = getattr(sym, "size", None) if type(sym).__name__ in ("_Big", "_Bytes") else None
        return Unknown(
            f"a {type(sym).__name__.strip('_').lower()} the pass does not follow",
            size=size if isinstance(size, int) and size > 0 else None,
        )

    def _global(self, pair: tuple[str, str]) -> Any:
        found = self.globals.get(pair)
        if found is None:
            found = self._find_global(pair)
            if type(found) is not Unknown:  # (each stand-in stays its own object)
                self.globals[pair] = found
        return found

    def _find_global(self, pair: tuple[str, str]) -> Any:
        from safeload.trust.classes import resolve

        if not self.policy.allows(*pair):
            return Unknown(f"{format_name(*pair)}, which is not trusted")
        if self.data:
            known = facts.facts_for(*pair)
            if known is not None and (shadowable(known) or pair == TREE):
                return known
            if pair == JOBLIB_WRAPPER:
                # joblib's array header, in every joblib file: safeload's own dependency, whose
                # format the load reads; no check applies to the wrapper (the array it stands
                # for is checked), so a run on facts need not be thrown away for it
                import joblib.numpy_pickle  # noqa: F401
            if not resolvable_on_facts(pair):
                raise NeedsImport(f"{format_name(*pair)}, which is not imported")
        found = resolve(*pair)
        return found if found is not None else Unknown(f"{format_name(*pair)} is not installed")

    def _array(self, sym: Any) -> Any:
        arr = self.reader.literal_array(sym)
        if arr is not None:
            return arr
        # an object array: _reconstruct + BUILD whose data is the list of its items
        state = sym.state if isinstance(sym, s._Obj) else None
        if isinstance(state, s._Tuple) and len(state.items) == 5:
            dtype, raw = state.items[2], state.items[4]
            real = dtype.real if isinstance(dtype, s._Obj) else None
            shape, fortran = self.value(state.items[1]), self.value(state.items[3])
            if (
                isinstance(raw, s._Box)
                and real is not None
                and real.hasobject
                and type(shape) is tuple
                and all(type(n) is int for n in shape)
            ):
                if real.fields is not None:
                    # (a record array: numpy's __setstate__ sets each record from its tuple,
                    # as here; kept a record array, so scan's count prints what the load's
                    # does, not tuples, rt92-04)
                    return self._records(real, raw, shape, fortran)
                flat = np.empty(len(raw.items), dtype=object)
                for i, item in enumerate(raw.items):
                    flat[i] = self.value(item)
                try:
                    return flat.reshape(shape, order="F" if fortran else "C")
                except ValueError:
                    pass
        empty = _unbuilt_empty(sym, self.value) if state is None else None
        if empty is not None:
            return empty
        return Unknown("an array whose data the pass cannot read from the stream")

    def _records(self, dtype: Any, raw: Any, shape: tuple[int, ...], fortran: Any) -> Any:
        """The record array a load builds from the stream's list of record tuples, or an
        unknown value where a record is not a plain tuple of what its fields take."""
        made = np.empty(len(raw.items), dtype=dtype)
        try:
            for i, item in enumerate(raw.items):
                record = self.value(item)
                if type(record) is not tuple:
                    raise TypeError("a record that is not a tuple")
                made[i] = record
            return made.reshape(shape, order="F" if fortran else "C")
        except (TypeError, ValueError, OverflowError):
            return Unknown("a record array whose records the pass cannot set")

    def _masked(self, sym: Any) -> Any:
        """A masked array (a search's ``cv_results_`` column), made for real where the stream
        shows its data, mask and fill value, so the graph of the model enters it as the load's
        walk enters the one the load builds: its object items, its fill value and its other
        attributes (rt53-03: a weighted metric among a column's items was out of scan's
        sight). The state is numpy's ``(version, shape, dtype, is_fortran, data, mask,
        fill_value)``; otherwise an unknown value holding what the state holds."""
        state = sym.state if isinstance(sym, s._Obj) else None
        if not (isinstance(state, s._Tuple) and len(state.items) == 7):
            return Unknown("a masked array the pass cannot see")
        _version, shape_sym, dtype_sym, fortran_sym, raw, mask_sym, fill_sym = state.items
        items = [self.value(item) for item in raw.items] if isinstance(raw, s._Box) else []
        fill = self.value(fill_sym)
        made = self._masked_array(
            dtype_sym.real if isinstance(dtype_sym, s._Obj) else None,
            self.value(shape_sym),
            self.value(fortran_sym),
            items if isinstance(raw, s._Box) else self.value(raw),
            self.value(mask_sym),
            fill,
        )
        if made is not None:
            return made
        return Unknown("a masked array the pass cannot make", (*items, fill), np.ma.MaskedArray)

    @staticmethod
    def _masked_array(dtype: Any, shape: Any, fortran: Any, data: Any, mask: Any, fill: Any) -> Any:
        """The masked array numpy's ``MaskedArray.__setstate__`` makes of these parts, or
        ``None`` where they are not the plain values an honest pickle holds (the data and
        the mask are the stream's own bytes, so nothing here is sized by a number alone)."""
        if not (
            isinstance(dtype, np.dtype)
            and type(shape) is tuple
            and all(type(n) is int and n >= 0 for n in shape)
            and type(fortran) is bool
            and type(mask) is bytes
        ):
            return None
        count = 1
        for n in shape:
            count *= n
        order: Literal["C", "F"] = "F" if fortran else "C"
        try:
            if dtype.hasobject:
                if type(data) is not list or len(data) != count or dtype != np.dtype(object):
                    return None
                flat = np.empty(count, dtype=object)
                for i, item in enumerate(data):
                    flat[i] = item
                values = flat.reshape(shape, order=order)
            else:
                if type(data) is not bytes or len(data) != count * dtype.itemsize:
                    return None
                values = np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy()
            if len(mask) == count:
                flags = np.frombuffer(mask, dtype=np.bool_).reshape(shape, order=order).copy()
            elif mask == b"\x00":  # (nomask, one False)
                flags = np.ma.nomask
            else:
                return None
            made = np.ma.MaskedArray(values, mask=flags)
            made.fill_value = fill
        except Exception:  # (a fill value numpy cannot take: the load's own check judges it)
            return None
        return made

    def _object(self, sym: Any) -> Any:

        cls_sym = sym.cls
        if cls_sym is None:
            return Unknown("an object made by a call the pass cannot see")
        pair = cls_sym.pair
        if pair in RECONSTRUCT or pair[1] in ("_frombuffer", "ndarray"):
            return self._array(sym)
        if pair == ("numpy", "dtype"):
            return sym.real if sym.real is not None else Unknown("a dtype the pass cannot see")
        if pair in MASKED_MAKERS:
            return self._masked(sym)
        if pair in PANDAS_NAMES:
            return self._pandas(sym, pair)
        args: Any = self.value(sym.args) if sym.args is not None else ()
        problem = narrowed_problem(pair, args, self._global(pair))
        if problem:
            self.problems.append(problem)
            return Unknown(problem)
        if pair in MULTIARRAY_SCALAR:
            if is_real(args, tuple) and len(args) == 2 and is_real(args[0], np.dtype):
                dt, raw = args
                raw = _latin1_payload(raw)
                if not dt.hasobject and is_real(raw, bytes):
                    # made by numpy's own multiarray.scalar, as the load makes it: a payload
                    # shorter than the item size, or a code point past U+10FFFF, fails there
                    # too (a short one was SAFE, left unknown where no check read it)
                    ok, made_scalar = read_scalar(dt, raw)
                    if ok:
                        return made_scalar
                    refused = f"{made_scalar}: a load fails on this call"
                    self.problems.append(refused)
                    return Unknown(refused)
            return Unknown("a numpy scalar the pass cannot read")
        if (
            is_real(args, tuple)
            and args
            and self.policy.allows(*pair)
            and not self.policy.reviewed(*pair)
            and not _plainly_reconstructed(args, self._global(pair))
        ):
            # a class the caller trusted, called with the file's arguments: what its
            # constructor does with them (rejects them, opens what they name) is not known
            # without running it, which scan never does (rt96-09)
            unproven = (
                f"unproven: {format_name(*pair)}, a class the caller trusted, is called with "
                "arguments; what its constructor does with them is known only by running it"
            )
            self.problems.append(unproven)
            return Unknown(unproven)
        if self.policy.allows(*pair) and not self.policy.reviewed(*pair):
            trusted = self._global(pair)
            hook = own_hook(trusted, with_state=sym.state is not None)
            failed = None if hook is not None else builtin_new_failure(trusted)
            if failed is not None:
                self.problems.append(failed)
                return Unknown(failed)
            if (
                hook is None
                and sym.state is not None
                and attrs_setstate(getattr(trusted, "__setstate__", None))
                and not is_real(self.value(sym.state), dict)
            ):
                # attrs' setstate reads a dict's fields by name (or a tuple's by place, or
                # fails): the pass models a dict state only
                hook = "__setstate__ (attrs', given a state that is not a dict)"
            if hook is not None:
                # (the caller's own __new__ runs for any call, its __setstate__ for a BUILD:
                # whether they take the file's values is known only by running them, rt98)
                unproven = (
                    f"unproven: {format_name(*pair)}, a class the caller trusted, is made by "
                    f"its own {hook}, which only running it can judge"
                )
                self.problems.append(unproven)
                return Unknown(unproven)
        failure = (
            _call_failure(pair, args, self._global(pair))
            or self._build_failure(pair, sym)
            or self._cython_failure(pair, sym, args)
            or self._bare_build_failure(pair, sym, args)
        )
        if not failure and pair in LOSS_ARGUMENTS:
            failure = loss_call_problem(pair, args)  # (the walk let only REDUCE call it)
        if failure:
            self.problems.append(failure)
            return Unknown(failure)
        if pair == _SLICE and is_real(args, tuple) and 1 <= len(args) <= 3:
            # a slice keeps its arguments as they are, whatever they are, and allocates
            # nothing: made for real around shadows too, so the graph of the model enters it
            # as the load's walk does (rt53-03: a weighted metric as a slice's start)
            return self._filled(slice(*args), sym)
        if pair in _PURE_BUILTINS:
            # (_build_failure has refused any state but None and (None, {}), no-ops in the load)
            # only from values already in memory: never size an allocation by a number from
            # the file (bytearray(2**40), set(range(2**44)) would exhaust memory here)
            if not is_real(args, tuple) or not all(
                type(a) in (list, tuple, dict, set, frozenset, str, bytes, bool, float, type(None))
                or (type(a) is int and pair in _SMALL_INT_OK)
                for a in args
            ):
                return Unknown(f"what {format_name(*pair)} makes of these arguments")
            if pair in _HASHING_CALLS and args and type(args[0]) in (list, tuple, set, dict):
                for item in args[0]:
                    unhashable = key_hash_problem(item)  # a shadow hashes by its class
                    if unhashable:
                        self.problems.append(unhashable)
                        return Unknown(unhashable)
            try:
                made_value = _PURE_BUILTINS[pair](*args)
            except Exception as exc:
                if is_plain(args):  # _codecs.encode('\u0100', 'latin1'): the load fails too
                    failure = failure_text(pair, exc)
                    self.problems.append(failure)
                    return Unknown(failure)
                return Unknown(f"what {format_name(*pair)} makes of these arguments")
            return self._filled(made_value, sym)
        if pair == _PARTIAL:
            return self._partial(sym, args)
        if pair in DICT_MAKERS:
            found = self._mapping_class(pair)
            if not is_real(found, type):
                return found if type(found) is Unknown else Unknown(f"a {format_name(*pair)}")
            return self._mapping(found, sym, args)
        made_class: Any = self._class(sym, args)
        if made_class is None:
            return Unknown(f"what {format_name(*pair)} returns")
        if type(made_class) is ClassFacts:
            return self._facts_object(made_class, sym)
        cls: type = made_class
        if cls.__module__.startswith("scipy.sparse."):
            if sym.state is None:
                # made by NEWOBJ and never given its state: the load's walk fails on it
                # (no _dict, no data arrays), so the load refuses it (rt38-15)
                failure = f"a {cls.__name__} never given its state"
                self.problems.append(failure)
                return Unknown(failure)
            return self._sparse(cls, sym)
        if sym.cls.pair in _VALUE_CLASSES:
            return self._value_object(cls, sym, args)
        made = Shadow(cls, None, None)
        self.done[id(sym)] = made  # before its state: the state may refer back to it
        state: Any = self.value(sym.state) if sym.state is not None else None
        if (cls.__module__, cls.__qualname__) == _XGBOOST_BOOSTER:
            state = self._booster_state(sym, state)
        if sym.cls.pair[1] == _SEED_SEQUENCE and state is None:
            state = args[2]  # Cython's unpickler takes the state as its third argument
        if cls.__module__ == _DIST_METRICS and sym.state is None:
            # made by __new__ alone (no BUILD): Cython's __cinit__ gives it p=2, a 1-item vec
            # and a 1x1 mat, the state its check reads in a load (rt50-06; a Mahalanobis
            # metric, whose buffer only __setstate__ makes, the walk has refused)
            state = (2.0, np.zeros(1), np.zeros((1, 1)))
        state = self.converted.pop(id(sym), state)
        if sym.cls.pair[1] in _RANDOM_HOLDERS:
            object.__setattr__(made, "_args", self._random_args(sym, args))
        attrs: dict[str, Any] | None
        if (cls.__module__, cls.__qualname__) == TREE:
            if not (is_real(args, tuple) and len(args) == 3 and is_real(state, dict)):
                return Unknown("a Tree whose arguments the pass cannot see")
            attrs = {"n_features": args[0], "n_classes": args[1], "n_outputs": args[2], **state}
        else:
            self._check_none_state(facts.setstate_owner(cls), sym)
            attrs = dict_state(cls, state)
            if not any("__setstate__" in vars(k) for k in cls.__mro__):
                self._check_slot_state(state)  # (object's: the unpickler sets the state)
                self._check_plain_build(sym, state, facts.has_dict(cls))
            self._check_setstate(facts.setstate_owner(cls), attrs)
        self._check_tuple_build(facts.fields(cls), state)
        attrs = _with_fields(facts.fields(cls), args, attrs, cls)
        self._check_keys(attrs)
        object.__setattr__(made, "_attrs", attrs)
        object.__setattr__(made, "_state", state)
        self.instances.append(made)
        return made

    def _booster_state(self, sym: Any, state: Any) -> Any:
        """An xgboost Booster's state, its blob a view of the stream where the pass does not
        hold the bytes (a ``BYTEARRAY8``, a ``bytearray`` call), as the static pass read it
        (:func:`safeload.trust.xgboost_model.blob_view`): the one-output rule reads the
        learner's parameters from it (``labels._single_output_problem``)."""
        given = sym.state
        if not (is_real(state, dict) and isinstance(given, s._Dict)):
            return state
        if type(state.get("handle")) is not Unknown or "handle" not in given.items:
            return state
        from safeload.trust.xgboost_model import blob_view

        view = blob_view(given.items["handle"], getattr(self.reader, "data", None))
        return state if view is None else {**state, "handle": view}

    def _filled(self, made: Any, sym: Any) -> Any:
        """A list or set made by a call, with what APPEND(S) or ADDITEMS put in it after
        (``pickle.names.LIST_MAKERS``, ``SET_MAKERS``), as the unpickler fills it: the items
        are held by the model, so the checks and the use-time graph must meet them."""
        if not sym.held:
            return made
        self.done[id(sym)] = made  # before its items: they may refer back to it
        items = [self.value(item) for item in sym.held]
        if type(made) is list:
            made.extend(items)
        elif type(made) is set and all(is_plain(v, scalars=True) for v in items):
            made.update(items)
        else:
            return Unknown(f"what {type(made).__name__} holds after the stream filled it")
        return made

    def _mapping_class(self, pair: tuple[str, str]) -> Any:
        """The class a dict maker names (:data:`safeload.pickle.names.DICT_MAKERS`), itself
        even in a run on facts (a Bunch is made for real: its items are what checks read)."""
        from safeload.trust.classes import resolve

        found = self._global(pair)
        if type(found) is not ClassFacts:
            return found
        if pair[0] not in sys.modules:
            raise NeedsImport(f"{format_name(*pair)}, made for real")
        return resolve(*pair)

    def _check_slot_state(self, state: Any) -> None:
        """A ``(state, slot state)`` BUILD whose slot state is not a dict: the unpickler fails
        ("slot state is not a dictionary"), and scikit-learn's ``__setstate__`` takes no
        tuple at all."""
        if is_real(state, tuple) and len(state) == 2 and not is_real(state[1], dict):
            self.problems.append("a BUILD whose slot state is not a dict")

    def _check_plain_build(self, sym: Any, state: Any, has_dict: bool) -> None:
        """A BUILD on an instance of a class without ``__setstate__``: the unpickler takes a
        ``(state, slot state)`` pair apart, then needs the state to be ``None`` or a dict and
        the instance to have a ``__dict__`` for it (even an empty one); anything else fails
        the load ("state is not a dictionary", "no attribute __dict__"), rt46-04."""
        if sym.state is None:
            return  # no BUILD
        main = state[0] if is_real(state, tuple) and len(state) == 2 else state
        if main is None:
            return
        if type(main) is Unknown:
            return  # judged where the state is read (an unknown state is unproven there)
        if not is_real(main, dict):
            self.problems.append(
                "a BUILD whose state is not a dict, on a class without __setstate__ (the "
                "unpickler fails: state is not a dictionary)"
            )
        elif not has_dict:
            self.problems.append(
                "a BUILD with a state on an instance that has no __dict__ (the unpickler "
                "fails: no attribute __dict__)"
            )

    def _check_setstate(self, owner: str, attrs: dict[Any, Any] | None) -> None:
        """A class's own ``__setstate__`` that raises on this state: the load fails on the
        BUILD (IsotonicRegression's interp1d of its thresholds, rt36-03)."""
        failure = setstate_failure(owner, attrs)
        if failure:
            self.problems.append(failure)

    def _check_none_state(self, owner: str, sym: Any) -> None:
        """A BUILD whose state is ``None`` (pickle never writes one): the unpickler skips it
        for a class without ``__setstate__``, but calls the class's own with ``None``.
        ``BaseEstimator.__setstate__`` pops ``_sklearn_version`` from it (or updates
        ``__dict__`` with it): the load fails. Any other ``__setstate__`` is not modelled on
        ``None``, so it is unproven."""
        given = sym.state
        if not (isinstance(given, s._Const) and given.value is None):
            return
        if owner in ("builtins.object", "builtins:object"):
            return
        if owner in ("sklearn.base.BaseEstimator", BASE_ESTIMATOR):
            self.problems.append(
                "a BUILD with the state None on a scikit-learn estimator: BaseEstimator's "
                "__setstate__ reads the state as a dict, so a load fails"
            )
        else:
            self.problems.append(
                f"unproven: a BUILD with the state None, which a load hands to {owner}'s "
                "__setstate__"
            )

    def _check_tuple_build(self, fields: tuple[str, ...] | None, state: Any) -> None:
        """A named tuple keeps no ``__dict__``: a BUILD with a state dict fails in the load
        ("no attribute __dict__", rt37-08)."""
        if fields is not None and state is not None and not _empty_slot_state(state):
            # (a tuple state too: "state is not a dictionary", or a slot state, rt38-06; the
            # unpickler passes over (None, {}), which sets nothing, rt106-06)
            self.problems.append("a BUILD with a state on a named tuple, which has no attributes")

    def _check_keys(self, attrs: dict[Any, Any] | None) -> None:
        """A state key that is not a str naming an attribute: the load's use-time walk refuses
        it (:func:`safeload.trust.usetime._check_each_key`), and now that the builder makes
        dicts with other keys (rt33-09), scan must say so itself."""
        for key in attrs or ():
            if not _attribute_name(key):
                self.problems.append(f"state key {key!r} is not an attribute name")
                return

    def _build_failure(self, pair: tuple[str, str], sym: Any) -> str | None:
        """A BUILD after a call whose result keeps no attributes (a dict, a slice, a Decimal,
        a range, bytes, the narrowed containers): the unpickler fails on any state but
        ``None`` or ``(None, {})`` (rt34-06, rt35-13; as for containers the stream makes
        itself, :func:`safeload.pickle.state_rules.literal_build_problem`). An OrderedDict or
        Counter keeps attributes: its state must be a dict (or a dict and a slot dict) of
        attribute names, as the load's use-time walk requires of every ``__dict__``."""
        if sym.state is not None and (pair[1] in _RANDOM_BUILDS or pair in _BIT_GENERATOR_CLASSES):
            return self._random_build_failure(pair, sym)
        if sym.state is None or not (pair in _NO_DICT or pair in _DICT_SUBCLASSES):
            return None
        state = self.value(sym.state)
        if state is None:
            return None
        what = f"a BUILD on what {format_name(*pair)} makes"
        if pair in _NO_DICT:
            if is_real(state, tuple) and len(state) == 2 and state[0] is None:
                if is_real(state[1], dict) and not state[1]:
                    return None  # (None, {}): no state dict, no slot items: a no-op
            return f"{what}, which has no attributes to set"
        if is_real(state, tuple) and len(state) == 2:
            # the unpickler sets a slot state item by item: it must be a dict
            if not is_real(state[1], dict):
                return f"{what} with a slot state that is not a dict"
            parts = [p for p in state if p is not None]
        else:
            parts = [state]
        for part in parts:
            if not is_real(part, dict):
                return f"{what} with a state that is not a dict"
            for key in part:
                if not _attribute_name(key):
                    return f"{what}: state key {key!r} is not an attribute name"
        return None

    def _random_build_failure(self, pair: tuple[str, str], sym: Any) -> str | None:
        """A random state or generator made by numpy's pickle helper, then given a state: the
        pass makes it for real and hands it the state, as the load does, and says whether numpy
        refuses it ("state dictionary is not valid", rt36-08; a str ``gauss``, another
        generator's name, a str ``uinteger``, rt47-08). numpy's validating setters size nothing
        by a number from the file. The helper's arguments must be plain values, a bit generator
        class of numpy's, or a bit generator the stream makes with numpy's helper, which the
        pass makes afresh of the same kind (``RandomState.set_state`` reads only its name; numpy
        2 pickles ``__randomstate_ctor(<bit generator>)``). A bit generator's seed sequence is
        stored without a look (``(state, seed_seq)``), so the probe hands it ``None`` in its
        place. What numpy's getter then returns is what the load's object holds, and the
        state's own checks read it (MT19937's setter drops a ``has_uint32``): with arguments or
        a state the pass cannot make, they judge the stream's state instead."""
        func = self._global(pair)
        if not (callable(func) and getattr(func, "__module__", "").startswith("numpy.random")):
            return None
        bit_generator = pair in _BIT_GENERATOR_CLASSES or pair[1] == _BIT_GENERATOR_CTOR
        args = () if pair in _BIT_GENERATOR_CLASSES else self._probe_args(sym)
        state = self.value(sym.state)
        probe = state
        if bit_generator and is_real(state, tuple) and len(state) >= 2:
            probe = (state[0], *(None for _ in state[1:]))  # (state, seed_seq, ignored...)
        if args is None or not _probe_state(probe):
            return None
        try:
            made = self._fresh(sym) if pair in _BIT_GENERATOR_CLASSES else func(*args)
            if made is None:
                return None
            made.__setstate__(probe)
            if hasattr(made, "get_state"):  # a RandomState
                held: Any = made.get_state(legacy=False)
            elif isinstance(made, np.random.BitGenerator):
                held = made.state
                if is_real(state, tuple):
                    held = (held, *state[1:])
            elif isinstance(made, np.random.Generator):
                # a generator keeps the state in its bit generator, which the load's walk
                # reaches and checks (a position past the key, rt50-09): the same check here
                from safeload.trust.structures.randomness import check_random_state

                check_random_state(made.bit_generator, None)
                return None
            else:
                return None
        except Exception as exc:
            return failure_text(pair, exc)
        self.converted[id(sym)] = held
        return None

    def _random_args(self, sym: Any, args: Any) -> tuple[Any, ...]:
        """What the load's walk meets in the reduced arguments of the random state or
        generator numpy's helper ``sym`` makes (its bit generator, rt54-01): the stream's own
        bit generator, which the made object keeps (the same object wherever the stream holds
        it); else the fresh one the helper makes by name (numpy 1.x's form), made here the same
        way; else the stream's arguments as they are."""
        if not is_real(args, tuple):
            return (args,)
        shadows = tuple(a for a in args if type(a) is Shadow)
        if shadows:
            return shadows
        func = self._global(sym.cls.pair)
        probe = self._probe_args(sym)
        if probe is not None and getattr(func, "__module__", "").startswith("numpy.random"):
            try:
                return tuple(func(*probe).__reduce__()[1])
            except Exception:  # (the load's call fails too: judged where it is made)
                return tuple(args)
        return tuple(args)

    def _probe_args(self, sym: Any) -> tuple[Any, ...] | None:
        """The arguments of numpy's random-state helper ``sym`` calls, with which the pass may
        make one for real (see :meth:`_random_build_failure`), or ``None``."""
        args: Any = self.value(sym.args) if sym.args is not None else ()
        given = sym.args.items if isinstance(sym.args, s._Tuple) else ()
        if not (is_real(args, tuple) and len(given) == len(args)):
            return None
        out: list[Any] = []
        for value, item in zip(args, given, strict=True):
            if is_plain(value) or _numpy_bit_generator_class(value) or self._numpy_ctor(item):
                out.append(value)  # (numpy 1.x: ``ctor(<name>, __bit_generator_ctor)``, rt50-09)
                continue
            made = self._fresh(item) if item is not sym else None
            if made is None:
                return None
            out.append(made)
        return tuple(out)

    def _numpy_ctor(self, sym: Any) -> bool:
        """``sym`` names numpy's own ``__bit_generator_ctor`` (which numpy 1.x pickles hand
        its random-state helpers): calling it makes a fresh bit generator by name."""
        if not (isinstance(sym, s._Global) and sym.pair[1] == _BIT_GENERATOR_CTOR):
            return False
        maker = self._global(sym.pair)
        return callable(maker) and getattr(maker, "__module__", "").startswith("numpy.random")

    def _fresh(self, sym: Any) -> Any:
        """A new bit generator of the kind ``sym`` makes with numpy's pickle helper, by class
        (the static pass refuses any other call of the class) or by a plain name, else
        ``None``. Seeded afresh: a state BUILD or ``set_state`` reads only its name."""
        if not (isinstance(sym, s._Obj) and sym.cls is not None):
            return None
        maker = self._global(sym.cls.pair)
        args: Any = self.value(sym.args) if sym.args is not None else ()
        if _numpy_bit_generator_class(maker):
            return maker() if is_real(args, tuple) and args == (maker,) else None
        if not (
            sym.cls.pair[1] == _BIT_GENERATOR_CTOR
            and callable(maker)
            and getattr(maker, "__module__", "").startswith("numpy.random")
            and is_real(args, tuple)
            and is_plain(args)
        ):
            return None
        try:
            return maker(*args)
        except Exception:
            return None  # (the stream's own call fails in the load: judged where it is made)

    def _cython_failure(self, pair: tuple[str, str], sym: Any, args: Any) -> str | None:
        """Cython's ``__pyx_unpickle_<Class>(cls, checksum, state)`` raises "Incompatible
        checksums" unless the checksum converts to a C long (an int, a float, a numpy number;
        a str does not) equal to one of the layout checksums the class accepts (Cython 3 lists
        several), so the load refuses the file (rt47-06). The pass calls the real helper on the
        checksum and the class the file names (which must be the helper's own class or a
        subclass: the helper runs ``Class.__new__(cls)``, rt48-02), making a bare instance as
        the load does, so the answer is the helper's. The instance is then given its state
        (the third argument, then a BUILD's) as the load gives it, when that state is plain
        data and arrays: the helper takes only a tuple it can set (rt48-03), and a
        SeedSequence's typed fields convert what the stream holds (``n_children_spawned=1.5``
        is kept as 1), which the seed-sequence checks then read. A checksum, class or state
        the pass cannot see is unproven."""
        if not pair[1].startswith(_PYX_UNPICKLE):
            return None
        func = self._global(pair)
        if not (is_real(args, tuple) and len(args) == 3 and callable(func)):
            return None  # (other counts are refused by the static pass; unknown names too)
        module = sys.modules.get(getattr(func, "__module__", ""))
        own: Any = getattr(module, pair[1][len(_PYX_UNPICKLE) :], None)  # the class it makes
        if not (is_real(own, type) and is_plain(args[1], scalars=True)):
            return f"unproven: a layout checksum the pass cannot see, given to {format_name(*pair)}"
        cls = args[0]
        if type(cls) is Unknown:
            return f"unproven: a class the pass cannot see, given to {format_name(*pair)}"
        if type(cls) is ClassFacts:
            raise NeedsImport(f"{cls.qualname}, given to {format_name(*pair)}")
        if not (is_real(cls, type) and issubclass(cls, own)):
            # the helper runs ``own.__new__(cls)``: "not a subtype" in the load (rt48-02)
            return (
                f"{format_name(*pair)} makes a {own.__qualname__} of something that is not a "
                f"subclass of it: a load fails"
            )
        try:
            made = func(cls, args[1], None)
        except Exception as exc:
            return failure_text(pair, exc)
        states = [args[2]]
        if sym.state is not None:
            states.append(self.value(sym.state))
        if not all(_probe_state(state) for state in states):
            if pair[1] == _SEED_SEQUENCE:
                return None  # the seed-sequence checks judge the stream's own state
            return f"unproven: a state the pass cannot see, given to {format_name(*pair)}"
        try:
            # the state as the load hands it over: the helper's own (a typed tuple), then a
            # BUILD's to the instance's __setstate__ (None included, which Cython refuses)
            made = func(cls, args[1], args[2])
            if sym.state is not None:
                made.__setstate__(states[1])
        except Exception as exc:
            return failure_text(pair, exc)  # (rt48-03: a state the helper refuses)
        if pair[1] == _SEED_SEQUENCE:
            self.converted[id(sym)] = made.__reduce__()[2]
        return None

    def _bare_build_failure(self, pair: tuple[str, str], sym: Any, args: Any) -> str | None:
        """A Cython loss scikit-learn pickles as a call without arguments
        (:data:`~safeload.pickle.call_rules.CALLED_BARE_MODULES`), then given a state by BUILD:
        where its class has Cython's ``__setstate__`` (``CyHalfMultinomialLoss``), the pass
        makes one as the load does and hands it the state, when that state is plain data, and
        says whether Cython refuses it (rt49-12; the ``__pyx_unpickle_`` form is
        :meth:`_cython_failure`'s). A state the pass cannot see is unproven."""
        if sym.state is None or pair[0] not in CALLED_BARE_MODULES:
            return None
        if not (is_real(args, tuple) and not args):
            return None
        cls = self._global(pair)
        if type(cls) is ClassFacts:
            raise NeedsImport(f"{format_name(*pair)}, given a state by BUILD")
        if not (is_real(cls, type) and "__setstate__" in vars(cls)):
            return None  # (no setstate of its own: the rules on plain BUILDs judge it)
        state = self.value(sym.state)
        if not _probe_state(state):
            return f"unproven: a state the pass cannot see, given to {format_name(*pair)}"
        try:
            cls().__setstate__(state)
        except Exception as exc:
            return failure_text(pair, exc)
        return None

    def _facts_object(self, cls: ClassFacts, sym: Any) -> Any:
        """:meth:`_object` for a class known by its facts (one whose ``__setstate__`` is
        ``object``'s or ``BaseEstimator``'s, see :func:`shadowable`)."""
        made = Shadow(cls, None, None)
        self.done[id(sym)] = made  # before its state: the state may refer back to it
        state: Any = self.value(sym.state) if sym.state is not None else None
        attrs: dict[str, Any] | None
        if (cls.module, cls.qualname) == TREE:
            # as :meth:`_object` models a decision tree's ``Tree`` with the class imported:
            # its three arguments and its state dict (its nodes are the static pass's check)
            args: Any = self.value(sym.args) if sym.args is not None else ()
            if not (is_real(args, tuple) and len(args) == 3 and is_real(state, dict)):
                return Unknown("a Tree whose arguments the pass cannot see")
            attrs = {"n_features": args[0], "n_classes": args[1], "n_outputs": args[2], **state}
        else:
            self._check_none_state(cls.setstate_owner, sym)
            attrs = plain_state(state, drop_version=cls.is_a(BASE_ESTIMATOR))
            if cls.setstate_owner in ("builtins.object", "builtins:object"):
                self._check_slot_state(state)
                self._check_plain_build(sym, state, cls.has_dict)
            self._check_setstate(cls.setstate_owner, attrs)
            self._check_tuple_build(cls.fields, state)
            if cls.fields is not None and sym.args is not None:
                attrs = _with_fields(cls.fields, self.value(sym.args), attrs, cls)
        self._check_keys(attrs)
        object.__setattr__(made, "_attrs", attrs)
        object.__setattr__(made, "_state", state)
        self.instances.append(made)
        return made

    def _class(self, sym: Any, args: Any) -> Any:
        """The class of the instance ``sym`` makes (its facts in a run on facts), or ``None``
        when the pass cannot tell."""
        found: Any = self._global(sym.cls.pair)
        if is_real(found, type) or type(found) is ClassFacts:
            made_cls: type = found
            return made_cls
        qualname = sym.cls.pair[1]
        if qualname in _CLASS_FROM_FIRST_ARG and is_real(args, tuple) and args:
            first = args[0]
            return first if is_real(first, type) or type(first) is ClassFacts else None
        if qualname == _SEED_SEQUENCE and is_real(args, tuple) and len(args) == 3:
            return args[0] if is_real(args[0], type) else None  # (class, checksum, state)
        if qualname in _RANDOM_CTORS:
            from safeload.trust.classes import resolve

            made = resolve(*_RANDOM_CTORS[qualname])
            return made if is_real(made, type) else None
        return None
