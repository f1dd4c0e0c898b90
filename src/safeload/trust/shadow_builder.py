"""The builder of shadows: the static pass's symbolic values turned into what a load builds.

Constants, containers and string-keyed dicts become the Python values they denote; arrays
are read from the stream; an instance of an allowed class becomes a
:class:`~safeload.trust.shadow_values.Shadow`; standard-library values, sparse matrices and
pandas objects are made for real, by the same narrowed forms a load uses
(:mod:`~safeload.trust.shadow_made`); anything else is
:class:`~safeload.trust.shadow_values.Unknown`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from safeload import _symbolic as s
from safeload.policy import Policy, format_name
from safeload.trust import facts
from safeload.trust.facts import ClassFacts, NeedsImport
from safeload.trust.pandas_forms import PANDAS_NAMES
from safeload.trust.shadow_made import MadeForReal
from safeload.trust.shadow_state import (
    BASE_ESTIMATOR,
    TREE,
    dict_state,
    plain_state,
    shadowable,
)
from safeload.trust.shadow_values import (
    Shadow,
    Unknown,
    Unproven,
    is_real,
    narrowed_problem,
)

RECONSTRUCT = frozenset(
    {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
)
_SCALAR = frozenset({("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")})
_PARTIAL = ("functools", "partial")
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
#: Cython's rebuild of numpy's SeedSequence: (class, layout checksum, state tuple).
_SEED_SEQUENCE = "__pyx_unpickle_SeedSequence"
#: Built-in callables that only repackage their (already converted) arguments.
#: Builtins that may take plain ints (a complex, a slice or a lazy range allocate nothing).
_SMALL_INT_OK = frozenset({("builtins", "complex"), ("builtins", "slice"), ("builtins", "range")})
_PURE_BUILTINS: dict[tuple[str, str], Callable[..., Any]] = {
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "list"): list,
    ("builtins", "tuple"): tuple,
    ("builtins", "bytearray"): bytearray,
    ("builtins", "complex"): complex,
    ("builtins", "slice"): slice,
    ("builtins", "range"): range,
    ("_codecs", "encode"): lambda text, enc: text.encode(enc),
}


#: The largest bytes constant a scan copies to check it (numpy arrays in the stream are read
#: in place, not copied: this is for bytes values, e.g. a native model blob).
MAX_SHADOW_BYTES = 256 << 20


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
            if v is None:
                return Unknown("a large constant the pass no longer holds")
            if isinstance(v, memoryview) and v.nbytes > MAX_SHADOW_BYTES:
                # not copied: a scan of a file larger than memory stays within memory; a check
                # that needs these bytes finds them unproven (unsafe), as for any unknown value
                return Unknown(f"a constant of {v.nbytes} bytes, more than a scan copies")
            return bytes(v) if isinstance(v, memoryview) else v
        if isinstance(sym, s._Tuple):
            return tuple(self.value(i) for i in sym.items)
        if isinstance(sym, s._Dict):
            if sym.lossy:
                return Unknown("a dict with keys that are not strings")
            out: dict[str, Any] = {}
            self.done[id(sym)] = out
            for k, v in sym.items.items():
                out[k] = self.value(v)
            return out
        if isinstance(sym, s._Box):
            if sym.kind == "list":
                items: list[Any] = []
                self.done[id(sym)] = items
                items.extend(self.value(i) for i in sym.items)
                return items
            try:
                made = [self.value(i) for i in sym.items]
                return set(made) if sym.kind == "set" else frozenset(made)
            except (Unproven, TypeError):
                return Unknown("a set of values the pass cannot see")
        if isinstance(sym, s._Global):
            return self._global(sym.pair)
        if type(sym).__name__ == "_Array":  # a joblib inline array
            return self._array(sym)
        if isinstance(sym, s._Obj):
            return self._object(sym)
        return Unknown(f"a {type(sym).__name__.strip('_').lower()} the pass does not follow")

    def _global(self, pair: tuple[str, str]) -> Any:
        from safeload.trust.classes import resolve

        if not self.policy.allows(*pair):
            return Unknown(f"{format_name(*pair)}, which is not trusted")
        if self.data:
            known = facts.facts_for(*pair)
            if known is not None and (shadowable(known) or pair == TREE):
                return known
            top = pair[0].partition(".")[0]
            if not (pair[0] in sys.modules or top in sys.stdlib_module_names or top == "numpy"):
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
                flat = np.empty(len(raw.items), dtype=object)
                for i, item in enumerate(raw.items):
                    flat[i] = self.value(item)
                try:
                    return flat.reshape(shape, order="F" if fortran else "C")
                except ValueError:
                    pass
        return Unknown("an array whose data the pass cannot read from the stream")

    def _object(self, sym: Any) -> Any:

        cls_sym = sym.cls
        if cls_sym is None:
            return Unknown("an object made by a call the pass cannot see")
        pair = cls_sym.pair
        if pair in RECONSTRUCT or pair[1] in ("_frombuffer", "ndarray"):
            return self._array(sym)
        if pair == ("numpy", "dtype"):
            return sym.real if sym.real is not None else Unknown("a dtype the pass cannot see")
        if pair in PANDAS_NAMES:
            return self._pandas(sym, pair)
        args: Any = self.value(sym.args) if sym.args is not None else ()
        problem = narrowed_problem(pair, args, self._global(pair))
        if problem:
            self.problems.append(problem)
            return Unknown(problem)
        if pair in _SCALAR:
            if is_real(args, tuple) and len(args) == 2 and is_real(args[0], np.dtype):
                dt, raw = args
                if not dt.hasobject and is_real(raw, bytes) and len(raw) == dt.itemsize:
                    # an empty string or bytes scalar (itemsize 0) reads no buffer (rt24-11)
                    return np.frombuffer(raw, dt)[0] if raw else dt.type()
            return Unknown("a numpy scalar the pass cannot read")
        if pair in _PURE_BUILTINS and sym.state is None:
            # only from values already in memory: never size an allocation by a number from
            # the file (bytearray(2**40), set(range(2**44)) would exhaust memory here)
            if not is_real(args, tuple) or not all(
                type(a) in (list, tuple, dict, set, frozenset, str, bytes, bool, float, type(None))
                or (type(a) is int and pair in _SMALL_INT_OK)
                for a in args
            ):
                return Unknown(f"what {format_name(*pair)} makes of these arguments")
            try:
                return _PURE_BUILTINS[pair](*args)
            except Exception:
                return Unknown(f"what {format_name(*pair)} makes of these arguments")
        if pair == _PARTIAL:
            return self._partial(sym, args)
        made_class: Any = self._class(sym, args)
        if made_class is None:
            return Unknown(f"what {format_name(*pair)} returns")
        if type(made_class) is ClassFacts:
            return self._facts_object(made_class, sym)
        cls: type = made_class
        if cls.__module__.startswith("scipy.sparse."):
            return self._sparse(cls, sym)
        if sym.cls.pair in _VALUE_CLASSES:
            return self._value_object(cls, sym, args)
        made = Shadow(cls, None, None)
        self.done[id(sym)] = made  # before its state: the state may refer back to it
        state: Any = self.value(sym.state) if sym.state is not None else None
        if sym.cls.pair[1] == _SEED_SEQUENCE and state is None:
            state = args[2]  # Cython's unpickler takes the state as its third argument
        attrs: dict[str, Any] | None
        if (cls.__module__, cls.__qualname__) == TREE:
            if not (is_real(args, tuple) and len(args) == 3 and is_real(state, dict)):
                return Unknown("a Tree whose arguments the pass cannot see")
            attrs = {"n_features": args[0], "n_classes": args[1], "n_outputs": args[2], **state}
        else:
            attrs = dict_state(cls, state)
        object.__setattr__(made, "_attrs", attrs)
        object.__setattr__(made, "_state", state)
        self.instances.append(made)
        return made

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
            attrs = plain_state(state, drop_version=cls.is_a(BASE_ESTIMATOR))
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
