"""The native-structure checks of a load, applied by ``scan`` to what the stream says.

A load builds the objects and then runs :mod:`safeload.validate`'s checks on them (libsvm
models, KD/Ball trees, histogram gradient-boosting predictors, sparse matrices, neighbours,
k-means, coefficient widths...). ``scan`` builds nothing, so until now it could call a file
safe that a load refuses. Here the static pass's symbolic values are turned into *shadows*:

* constants, tuples, lists, sets and string-keyed dicts become the Python values they denote;
* arrays become numpy arrays read from the stream (views of it; object arrays are filled with
  the shadows of their items), numpy scalars and dtypes the values numpy would make;
* an instance of an allowed class becomes a :class:`Shadow`: it reports that class as its
  ``__class__`` (so ``isinstance`` answers as for the real object), holds the state the stream
  gives it as its attributes, and reads plain data attributes of the class (never properties
  or methods, which would run code);
* functions and classes stored as values are the allowed objects themselves;
* anything else (the result of a call the pass cannot evaluate, a dict with keys the pass does
  not keep) is :data:`UNKNOWN`-like: any use of it raises :class:`Unproven`, even ``isinstance``.

The same check functions then run on the shadows. A check that fails is the same refusal a
load would give; a check that touches an unknown value is *unproven*, and unproven is unsafe:
scan never reports as safe what it could not check. Nothing here imports a module the policy
does not trust, calls a constructor of a class from the file, or runs a ``__setstate__``.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from safeload import _symbolic as s
from safeload.policy import Policy, format_name
from safeload.trust import facts
from safeload.trust.facts import ClassFacts, NeedsImport
from safeload.trust.pandas_forms import PANDAS_NAMES

__all__ = ["Shadow", "Unproven", "native_findings"]

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
TREE = ("sklearn.tree._tree", "Tree")
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


class Unproven(Exception):
    """A check needed a value the static pass cannot see."""


#: The largest bytes constant a scan copies to check it (numpy arrays in the stream are read
#: in place, not copied: this is for bytes values, e.g. a native model blob).
MAX_SHADOW_BYTES = 256 << 20


class _Unknown:
    """A value the static pass cannot see: every use of it raises :class:`Unproven`."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        object.__setattr__(self, "why", why)

    def _raise(self, *_args: Any, **_kwargs: Any) -> Any:
        raise Unproven(object.__getattribute__(self, "why"))

    @property  # type: ignore[misc]  # isinstance() consults __class__ and sees the error
    def __class__(self) -> type:
        raise Unproven(object.__getattribute__(self, "why"))

    def __getattr__(self, name: str) -> Any:
        raise Unproven(object.__getattribute__(self, "why"))

    __bool__ = __len__ = __iter__ = __int__ = __index__ = __float__ = _raise
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = _raise
    __getitem__ = __contains__ = __call__ = __array__ = _raise


#: (class, name) -> what ``inspect.getattr_static`` finds (classes do not change under a scan).
_STATIC: dict[tuple[type, str], Any] = {}
_MISSING = object()


@functools.lru_cache(maxsize=1)
def _meta_names() -> frozenset[str]:
    """What ``getattr_static`` finds on a class through its metaclass (``type``, ``ABCMeta``)."""
    import abc

    return frozenset(dir(abc.ABCMeta))


def _class_attribute(shadow: Shadow, cls: Any, name: str) -> Any:
    """What ``getattr`` finds on the class: plain data as is, and properties and methods bound
    to the shadow, as they would be to the real object (a load's checks call the same
    scikit-learn code on the object it built). Slots and other native descriptors need a real
    instance: unproven."""
    if type(cls) is ClassFacts:
        # from facts: only "the class does not define it" can be answered; a name it defines
        # (a property, a method, a class constant) needs the class itself
        dunder = name.startswith("__") and name.endswith("__")
        if dunder or name in cls.defined or name in _meta_names() or not cls.plain_meta:
            raise NeedsImport(f"{cls.qualname}.{name}, which the class defines")
        raise AttributeError(name)
    key = (cls, name)
    value = _STATIC.get(key, _STATIC)
    if value is _STATIC:
        try:
            value = inspect.getattr_static(cls, name)
        except AttributeError:
            value = _MISSING
        _STATIC[key] = value
    if value is _MISSING:
        raise AttributeError(name)
    get = getattr(type(value), "__get__", None)
    if get is None:
        return value
    try:
        return get(value, shadow, cls)
    except TypeError as exc:
        if "descriptor" in str(exc):
            raise Unproven(f"{cls.__qualname__}.{name}, which only a real object has") from None
        raise


def _is(value: Any, kinds: type | tuple[type, ...]) -> bool:
    """``isinstance`` for the builder's own use: false for unknown values and for shadows (a
    shadow of a dict subclass is not a dict the builder can read)."""
    kind = type(value)
    return kind is not _Unknown and kind is not Shadow and isinstance(value, kinds)


def _narrowed_problem(pair: tuple[str, str], args: Any, made: Any) -> str | None:
    """Why the restricted unpickler refuses a call of ``pair`` with ``args``: it hands out
    ``list``, ``tuple``, ``set``, ``frozenset``, ``bytearray`` and ``bytes`` in a narrowed form
    (:func:`safeload.pickle.narrowed.container_args_problem`), also as the base of a protocol 0-1
    ``copyreg._reconstructor(cls, base, state)`` (which the pass records as an object of
    ``cls`` with those three arguments; ``made`` is what ``pair`` names). A load refuses these
    files, so scan does too, rather than leaving an unknown value that no check may touch."""
    from safeload.pickle.narrowed import _NARROWED_BUILTINS, container_args_problem

    kind = _NARROWED_BUILTINS.get(pair)
    call: tuple[Any, ...] | None = None
    if kind is not None:
        if not _is(args, tuple):
            return f"unproven: what {format_name(*pair)} is called with"
        call = args
    elif _is(args, tuple) and len(args) == 3 and args[0] is made and _is(args[1], type):
        kind = _NARROWED_BUILTINS.get((args[1].__module__, args[1].__qualname__))
        call = (args[2],)
    if kind is None or call is None:
        return None
    problem = container_args_problem(kind, call)
    if problem is None:
        return None
    if any(type(a) in (_Unknown, Shadow) for a in call):
        return f"unproven: {format_name(*pair)} of a value the pass cannot see ({problem})"
    return (
        f"{problem}: a load refuses this call (sized by a number in the file, it would "
        "allocate without bound)"
    )


def _opaque(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` holds anything the pass cannot hand to real code: an unknown value or
    a shadow (only real values, read from the stream, may reach pandas' code in a scan)."""
    kind = type(value)
    if kind is _Unknown or kind is Shadow or depth > 64:
        return True
    if kind in (tuple, list, set, frozenset):
        return any(_opaque(v, depth + 1) for v in value)
    if kind is dict:
        return any(_opaque(k, depth + 1) or _opaque(v, depth + 1) for k, v in value.items())
    if kind is np.ndarray and value.dtype.hasobject:
        return any(_opaque(v, depth + 1) for v in value.ravel(order="K"))
    return False


class Shadow:
    """What the stream says an instance of an allowed class holds; not the instance.

    ``__class__`` is the real class (so ``isinstance`` and :func:`class_of` answer as for the
    real object); attributes are the state the stream sets, then plain data of the class.
    ``vars()`` works when the real instances have a ``__dict__`` and the state is known."""

    __slots__ = ("_attrs", "_cls", "_state")

    def __init__(self, cls: Any, attrs: dict[str, Any] | None, state: Any) -> None:
        object.__setattr__(self, "_cls", cls)
        object.__setattr__(self, "_attrs", attrs)
        object.__setattr__(self, "_state", state)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        cls: type = object.__getattribute__(self, "_cls")
        return cls

    @property
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        cls: Any = object.__getattribute__(self, "_cls")
        if not facts.has_dict(cls):
            raise AttributeError("__dict__")
        attrs = object.__getattribute__(self, "_attrs")
        if attrs is None:
            raise Unproven(f"the state of a {facts.qualname(cls)} is not a plain dict")
        return dict(attrs)

    def __getattr__(self, name: str) -> Any:
        if name == "__dict__":  # the property above said there is none
            raise AttributeError(name)
        attrs = object.__getattribute__(self, "_attrs")
        cls: Any = object.__getattribute__(self, "_cls")
        if attrs is not None and name in attrs:
            return attrs[name]
        if attrs is None:
            raise Unproven(f"the state of a {facts.qualname(cls)} is not a plain dict")
        return _class_attribute(self, cls, name)

    def __getstate__(self) -> Any:
        return object.__getattribute__(self, "_state")


def class_of(obj: Any) -> type:
    """``type(obj)``, or the class a :class:`Shadow` stands for (in a scan on facts, the
    :class:`~safeload.trust.facts.ClassFacts` standing for it, which is no class: an
    ``is`` or ``issubclass`` test of it fails)."""
    kind = type(obj)
    if kind is Shadow:
        made: type = obj.__class__
        return made
    return kind


class _Builder:
    """Turns the static pass's symbolic values into shadows (memoised by node)."""

    def __init__(self, reader: Any, policy: Policy, *, data: bool = False) -> None:
        self.reader = reader
        self.policy = policy
        #: stand for trusted scikit-learn classes with their facts (imports none of them)
        self.data = data
        self.done: dict[int, Any] = {}
        self.instances: list[Any] = []
        #: calls the restricted unpickler refuses (see :func:`_narrowed_problem`)
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
                return _Unknown("a large constant the pass no longer holds")
            if isinstance(v, memoryview) and v.nbytes > MAX_SHADOW_BYTES:
                # not copied: a scan of a file larger than memory stays within memory; a check
                # that needs these bytes finds them unproven (unsafe), as for any unknown value
                return _Unknown(f"a constant of {v.nbytes} bytes, more than a scan copies")
            return bytes(v) if isinstance(v, memoryview) else v
        if isinstance(sym, s._Tuple):
            return tuple(self.value(i) for i in sym.items)
        if isinstance(sym, s._Dict):
            if sym.lossy:
                return _Unknown("a dict with keys that are not strings")
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
                return _Unknown("a set of values the pass cannot see")
        if isinstance(sym, s._Global):
            return self._global(sym.pair)
        if type(sym).__name__ == "_Array":  # a joblib inline array
            return self._array(sym)
        if isinstance(sym, s._Obj):
            return self._object(sym)
        return _Unknown(f"a {type(sym).__name__.strip('_').lower()} the pass does not follow")

    def _global(self, pair: tuple[str, str]) -> Any:
        from safeload.trust.classes import resolve

        if not self.policy.allows(*pair):
            return _Unknown(f"{format_name(*pair)}, which is not trusted")
        if self.data:
            known = facts.facts_for(*pair)
            if known is not None and _shadowable(known):
                return known
            top = pair[0].partition(".")[0]
            if not (pair[0] in sys.modules or top in sys.stdlib_module_names or top == "numpy"):
                raise NeedsImport(f"{format_name(*pair)}, which is not imported")
        found = resolve(*pair)
        return found if found is not None else _Unknown(f"{format_name(*pair)} is not installed")

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
        return _Unknown("an array whose data the pass cannot read from the stream")

    def _object(self, sym: Any) -> Any:

        cls_sym = sym.cls
        if cls_sym is None:
            return _Unknown("an object made by a call the pass cannot see")
        pair = cls_sym.pair
        if pair in RECONSTRUCT or pair[1] in ("_frombuffer", "ndarray"):
            return self._array(sym)
        if pair == ("numpy", "dtype"):
            return sym.real if sym.real is not None else _Unknown("a dtype the pass cannot see")
        if pair in PANDAS_NAMES:
            return self._pandas(sym, pair)
        args: Any = self.value(sym.args) if sym.args is not None else ()
        problem = _narrowed_problem(pair, args, self._global(pair))
        if problem:
            self.problems.append(problem)
            return _Unknown(problem)
        if pair in _SCALAR:
            if _is(args, tuple) and len(args) == 2 and _is(args[0], np.dtype):
                dt, raw = args
                if not dt.hasobject and _is(raw, bytes) and len(raw) == dt.itemsize:
                    # an empty string or bytes scalar (itemsize 0) reads no buffer (rt24-11)
                    return np.frombuffer(raw, dt)[0] if raw else dt.type()
            return _Unknown("a numpy scalar the pass cannot read")
        if pair in _PURE_BUILTINS and sym.state is None:
            # only from values already in memory: never size an allocation by a number from
            # the file (bytearray(2**40), set(range(2**44)) would exhaust memory here)
            if not _is(args, tuple) or not all(
                type(a) in (list, tuple, dict, set, frozenset, str, bytes, bool, float, type(None))
                or (type(a) is int and pair in _SMALL_INT_OK)
                for a in args
            ):
                return _Unknown(f"what {format_name(*pair)} makes of these arguments")
            try:
                return _PURE_BUILTINS[pair](*args)
            except Exception:
                return _Unknown(f"what {format_name(*pair)} makes of these arguments")
        if pair == _PARTIAL:
            return self._partial(sym, args)
        made_class: Any = self._class(sym, args)
        if made_class is None:
            return _Unknown(f"what {format_name(*pair)} returns")
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
            if not (_is(args, tuple) and len(args) == 3 and _is(state, dict)):
                return _Unknown("a Tree whose arguments the pass cannot see")
            attrs = {"n_features": args[0], "n_classes": args[1], "n_outputs": args[2], **state}
        else:
            attrs = _dict_state(cls, state)
        object.__setattr__(made, "_attrs", attrs)
        object.__setattr__(made, "_state", state)
        self.instances.append(made)
        return made

    def _facts_object(self, cls: ClassFacts, sym: Any) -> Any:
        """:meth:`_object` for a class known by its facts (one whose ``__setstate__`` is
        ``object``'s or ``BaseEstimator``'s, see :func:`_shadowable`)."""
        made = Shadow(cls, None, None)
        self.done[id(sym)] = made  # before its state: the state may refer back to it
        state: Any = self.value(sym.state) if sym.state is not None else None
        attrs = _plain_state(state, drop_version=cls.is_a(_BASE_ESTIMATOR))
        object.__setattr__(made, "_attrs", attrs)
        object.__setattr__(made, "_state", state)
        self.instances.append(made)
        return made

    def _pandas(self, sym: Any, pair: tuple[str, str]) -> Any:
        """A pandas object (pandas profile), made for real by the same narrowed forms a load
        uses (:mod:`safeload.trust.pandas_forms`), from the values the stream holds: each
        checks what it is given before pandas' code runs, so what fails here fails a load.
        The static pass has already refused every other way of making these objects (a
        second BUILD, a BUILD after use, no BUILD at all)."""
        from safeload.trust.pandas_forms import NEWOBJ_ONLY, PandasFormError, narrowed_form

        try:
            form = narrowed_form(pair)
        except ImportError:
            return _Unknown(f"{format_name(*pair)} is not installed")
        args: Any = self.value(sym.args) if sym.args is not None else ()
        if not _is(args, tuple) or _opaque(args):
            return _Unknown(f"what {format_name(*pair)} is given")
        try:
            made: Any = form.__new__(form) if pair in NEWOBJ_ONLY else form(*args)
        except PandasFormError as exc:
            self.problems.append(f"{exc}: a load refuses it")
            return _Unknown(str(exc))
        except Exception as exc:  # pandas' own refusal: a load fails the same way
            self.problems.append(f"pandas refuses to make {format_name(*pair)}: {exc}")
            return _Unknown(str(exc))
        self.done[id(sym)] = made
        if sym.state is not None:
            state = self.value(sym.state)
            if _opaque(state):
                return _Unknown(f"the state of what {format_name(*pair)} makes")
            try:
                made.__setstate__(state)
            except PandasFormError as exc:
                self.problems.append(f"{exc}: a load refuses it")
                return _Unknown(str(exc))
            except Exception as exc:
                self.problems.append(f"pandas refuses the state of {format_name(*pair)}: {exc}")
                return _Unknown(str(exc))
        return made

    def _class(self, sym: Any, args: Any) -> Any:
        """The class of the instance ``sym`` makes (its facts in a run on facts), or ``None``
        when the pass cannot tell."""
        found: Any = self._global(sym.cls.pair)
        if _is(found, type) or type(found) is ClassFacts:
            made_cls: type = found
            return made_cls
        qualname = sym.cls.pair[1]
        if qualname in _CLASS_FROM_FIRST_ARG and _is(args, tuple) and args:
            first = args[0]
            return first if _is(first, type) or type(first) is ClassFacts else None
        if qualname == _SEED_SEQUENCE and _is(args, tuple) and len(args) == 3:
            return args[0] if _is(args[0], type) else None  # (class, checksum, state)
        if qualname in _RANDOM_CTORS:
            from safeload.trust.classes import resolve

            made = resolve(*_RANDOM_CTORS[qualname])
            return made if _is(made, type) else None
        return None

    def _partial(self, sym: Any, args: Any) -> Any:
        state = self.value(sym.state) if sym.state is not None else None
        if not (_is(args, tuple) and len(args) == 1 and callable(args[0])):
            return _Unknown("a functools.partial the pass cannot see")
        func, bound, keywords = args[0], (), {}  # type: tuple[Any, Any, Any]
        if state is not None:
            if not (_is(state, tuple) and len(state) == 4):
                return _Unknown("a functools.partial state the pass cannot see")
            func, bound, keywords, extra = state
            if (
                not callable(func)
                or not _is(bound, tuple)
                or not (extra is None or (_is(extra, dict) and not extra))
            ):
                return _Unknown("a functools.partial state the pass cannot see")
            if not (keywords is None or _is(keywords, dict)):
                return _Unknown("a functools.partial state the pass cannot see")
        return functools.partial(func, *bound, **(keywords or {}))

    def _value_object(self, cls: type, sym: Any, args: Any) -> Any:
        """A standard-library value (date, Decimal, UUID, a pure path...), made exactly as the
        restricted unpickler makes it (its narrowed constructor, then its own
        ``__setstate__``): pure code of the standard library, on values read from the stream.
        A load's checks then test it as they test a loaded one; what fails here fails there."""
        from safeload.pickle.narrowed import _NARROWED

        if not _is(args, tuple):
            return _Unknown(f"a {cls.__qualname__} made from values the pass cannot see")
        state = self.value(sym.state) if sym.state is not None else None
        for value in (*args, state):
            if type(value) in (_Unknown, Shadow):
                return _Unknown(f"a {cls.__qualname__} made from values the pass cannot see")
        make = _NARROWED.get(sym.cls.pair, cls)
        made: Any
        if len(args) == 3 and args[0] is cls and args[1] is object and args[2] is None:
            made = object.__new__(cls)  # protocols 0-1: copyreg._reconstructor(cls, object, None)
        elif args:
            made = make(*args)
        else:
            made = object.__new__(cls)
        if state is not None:
            setstate = getattr(made, "__setstate__", None)
            if setstate is not None:
                setstate(state)
            else:
                made.__dict__.update(state)
        self.done[id(sym)] = made
        self.instances.append(made)
        return made

    def _sparse(self, cls: type, sym: Any) -> Any:
        """The sparse matrix a load builds: scipy's classes keep their state in ``__dict__``
        (no ``__setstate__``, no ``__new__``), so setting the arrays the stream holds on a bare
        instance is exactly what the unpickler does; nothing of the class runs. The checks
        then test it as they test a loaded one."""
        state = self.value(sym.state) if sym.state is not None else None
        attrs = _dict_state(cls, state)
        plain_new = inspect.getattr_static(cls, "__new__") is inspect.getattr_static(
            object, "__new__"
        )
        if attrs is None or not plain_new:
            return _Unknown(f"a {cls.__qualname__} whose state the pass cannot see")
        for value in attrs.values():
            if type(value) is _Unknown:
                return _Unknown(f"a {cls.__qualname__} whose arrays the pass cannot read")
        made: Any = object.__new__(cls)
        made.__dict__.update(attrs)
        self.done[id(sym)] = made
        self.instances.append(made)
        return made


#: Classes whose own ``__setstate__`` ends in a plain ``__dict__`` update (any fix-ups it makes
#: afterwards are modelled in :meth:`_Builder._object` or do not matter to a check).
_SETSTATE_UPDATES_DICT = frozenset(
    {
        "sklearn.base.BaseEstimator",  # drops _sklearn_version, warns
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",  # casts nodes
        "sklearn.isotonic.IsotonicRegression",  # rebuilds its interpolation function
        "scipy.sparse._coo.coo_matrix",  # renames row/col to coords
    }
)
#: Classes whose ``__setstate__`` leaves the instance ``__dict__`` empty: a Bunch ignores the
#: state (it keeps its items as a dict), numpy's random generators keep theirs natively.
_SETSTATE_IGNORES = frozenset(
    {
        "sklearn.utils._bunch.Bunch",
        "numpy.random.mtrand.RandomState",
        "numpy.random._generator.Generator",
        "numpy.random.bit_generator.BitGenerator",
        "numpy.random.bit_generator.SeedSequence",
    }
)
_PREDICTOR = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _dict_state(cls: type, state: Any) -> dict[str, Any] | None:
    """The attributes a BUILD with ``state`` gives an instance of ``cls``, when that is plain:
    the default ``__setstate__`` (a dict, or a dict and slots) or one that updates the dict
    (scikit-learn's drops ``_sklearn_version``). ``None`` when the class's own
    ``__setstate__`` decides in a way this module does not model."""
    owner = next((k for k in cls.__mro__ if "__setstate__" in vars(k)), object)
    if _qualified(owner) in _SETSTATE_IGNORES:
        return {}
    if not (owner is object or _qualified(owner) in _SETSTATE_UPDATES_DICT):
        return None
    attrs = _plain_state(state, drop_version=False)
    if attrs is None:
        return None
    if "_sklearn_version" in attrs and issubclass(cls, _base_estimator()):
        del attrs["_sklearn_version"]
    if _qualified(owner) == _PREDICTOR:
        from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE

        nodes: Any = attrs.get("nodes")
        if _is(nodes, np.ndarray) and nodes.dtype != PREDICTOR_RECORD_DTYPE:
            attrs["nodes"] = nodes.astype(PREDICTOR_RECORD_DTYPE, casting="same_kind")
    if _qualified(owner) == "scipy.sparse._coo.coo_matrix" and "coords" not in attrs:
        attrs["coords"] = (attrs.pop("row", None), attrs.pop("col", None))
    return attrs


def _plain_state(state: Any, *, drop_version: bool) -> dict[str, Any] | None:
    """The attributes a default ``__setstate__`` (or ``BaseEstimator``'s, ``drop_version``)
    gives an instance from ``state``: a dict, or a dict and slots; ``None`` for another form."""
    if state is None:
        return {}
    if _is(state, tuple) and len(state) == 2:
        main, slots = state
        merged = dict(main) if _is(main, dict) else {} if main is None else None
        if merged is None or not (slots is None or _is(slots, dict)):
            return None
        merged.update(slots or {})
        state = merged
    if not _is(state, dict):
        return None
    attrs = dict(state)
    if drop_version:
        attrs.pop("_sklearn_version", None)
    return attrs


_BASE_ESTIMATOR = "sklearn.base:BaseEstimator"
#: The ``__setstate__`` owners whose effect :func:`_plain_state` models exactly.
_PLAIN_SETSTATE = frozenset({"builtins.object", "sklearn.base.BaseEstimator"})


def _shadowable(cls: ClassFacts) -> bool:
    """Whether a shadow may stand for instances of the class with its facts alone: a
    scikit-learn class with a ``__dict__``, the default metaclass and a ``__setstate__`` of
    ``object`` or ``BaseEstimator``, none of the classes :meth:`_Builder._object` treats
    specially (decision trees' ``Tree``, HGB predictors, random states are not)."""
    return (
        cls.module.startswith("sklearn.")
        and cls.has_dict
        and cls.plain_meta
        and cls.setstate_owner in _PLAIN_SETSTATE
        and (cls.module, cls.qualname) != TREE
    )


@functools.lru_cache(maxsize=1)
def _base_estimator() -> type:
    try:
        from sklearn.base import BaseEstimator
    except ImportError:  # pragma: no cover
        return type("NoEstimator", (), {})
    base: type = BaseEstimator
    return base


def native_findings(analysis: Any, reader: Any, policy: Policy) -> list[Any]:
    """Findings for the native structures in ``analysis`` that a load would refuse, or that
    the pass cannot check (unproven, so unsafe).

    Shadows of scikit-learn estimators are first made from the classes' facts
    (:mod:`safeload.trust.facts`), which imports none of them; a stream is cleared that way only
    when every check ran on them without needing a class. Otherwise, and for any refusal, the
    shadows are made again with the classes imported, as they always were."""
    if facts.data_available():
        facts.take_needs_import()
        found = _native_findings(analysis, reader, policy, data=True)
        if not found and not facts.take_needs_import():
            return found
    return _native_findings(analysis, reader, policy, data=False)


def _checks_on_facts(cls: Any) -> list[Callable[[Any, Any], None]]:
    """The checks a load runs on an instance of the class ``cls``'s facts stand for: only the
    generic ones every estimator gets run on such a shadow; any other needs the class."""
    from safeload.trust.profiles import COMPUTED_ATTRIBUTES
    from safeload.trust.structures.estimators import check_index_maps, check_linear_shapes

    generic: dict[str, Callable[[Any, Any], None]] = {
        "check_linear_shapes": check_linear_shapes,
        "check_index_maps": check_index_maps,
    }
    if type(cls) is not ClassFacts:
        raise NeedsImport("an instance the facts do not describe")
    found = []
    for name, check in facts.check_kinds():
        if check == "check_tree" or not cls.is_a(name):
            continue  # the tree's nodes are the static pass's own check
        if check not in generic:
            raise NeedsImport(f"the {check} check of a {cls.qualname}")
        if cls.mro_set.isdisjoint(COMPUTED_ATTRIBUTES):
            found.append(generic[check])
    return found


def _native_findings(analysis: Any, reader: Any, policy: Policy, *, data: bool) -> list[Any]:
    from safeload import validate
    from safeload.pickle.analysis import Finding

    root = analysis.root
    if root is None:
        return []
    builder = _Builder(reader, policy, data=data)
    try:
        builder.value(root)
        # every object the stream builds, also those only a container the pass does not
        # follow holds (a load's walk reaches those through the real container)
        for _pos, obj, _state in analysis.builds:
            builder.value(obj)
        for _pos, obj in analysis.calls:  # calls whose result the stream may discard (POP)
            builder.value(obj)
        for _pos, obj in analysis.pandas_calls:
            builder.value(obj)
        if builder.problems:
            return [Finding(0, "", builder.problems[0])]
        # inside the try: walking a state the pass could not prove raises Unproven
        problem = _sharing_problem(builder.value(root)) or _iteration_problem(builder.instances)
    except RecursionError:
        return [Finding(0, "", "unproven: the object graph is too deep to check statically")]
    except Exception as exc:  # fail closed: what cannot be modelled is not proven
        return [Finding(0, "", f"unproven: the pass cannot model this state ({exc})")]
    if problem:
        return [Finding(0, "", problem, use_time=True)]
    for made in builder.instances:
        cls = class_of(made)
        try:
            if data:
                applying = _checks_on_facts(cls)
            else:
                applying = [
                    check
                    for kind, check in validate.checks_for_scan()
                    if issubclass(cls, kind) and validate.check_applies(check, cls)
                ]
        except NeedsImport as exc:
            return [Finding(0, "", f"unproven from facts: {exc}")]
        for check in applying:
            try:
                check(made, None)
            except Unproven as exc:
                return [
                    Finding(
                        0,
                        "",
                        f"unproven: the {facts.qualname(cls)} check needs {exc}; a load checks "
                        "it after building, scan cannot",
                    )
                ]
            except Exception as exc:  # fail closed: a load refuses on the same errors
                return [
                    Finding(
                        0,
                        "",
                        f"crafted {facts.qualname(cls)}: {exc} (a load refuses it: its native "
                        "code would read out of bounds, crash or never finish)",
                    )
                ]
    return []


def _children(value: Any) -> list[Any]:
    """What a recursive walk of ``value`` (repr, clone, get_params, the use-time walk) meets."""
    kind = type(value)
    if kind is Shadow:
        attrs = object.__getattribute__(value, "_attrs")
        if attrs is not None:
            return list(attrs.values())
        state = object.__getattribute__(value, "_state")
        return list(state) if isinstance(state, (tuple, list)) else []
    if kind in (list, tuple, set, frozenset):
        return list(value)
    if kind is dict:
        return [*value.keys(), *value.values()]
    if kind is np.ndarray and value.dtype.hasobject:
        return list(value.ravel(order="K"))
    return []


def _sharing_problem(root: Any) -> str | None:
    """The use-time walk's sharing bound (:func:`safeload.trust.sharing.check_sharing`) on the
    shadows: one object met through the memo in many places makes scikit-learn's recursive
    methods exponential, so a graph whose unfolded size passes 8 x its objects + 64 is refused."""
    from safeload.trust.sharing import SHARING_FACTOR, SHARING_SLACK, first_over_cap

    edges: dict[int, list[int]] = {}
    children: dict[int, list[Any]] = {id(root): _children(root)}
    stack = [root]
    while stack:
        value = stack.pop()
        key = id(value)
        if key in edges:
            continue
        nodes_below = []
        for kid in children[key]:
            kid_id = id(kid)
            if kid_id not in children:
                children[kid_id] = _children(kid)
            if children[kid_id] or type(kid) is Shadow:
                nodes_below.append(kid)
        edges[key] = [id(k) for k in nodes_below]
        stack.extend(nodes_below)
    nodes = len(edges)
    cap = SHARING_FACTOR * nodes + SHARING_SLACK
    if first_over_cap([id(root)], edges, edges, cap) is not None:
        return (
            f"shares objects so that scikit-learn's recursive methods would meet them more than "
            f"{cap} times although it holds {nodes}: using it would take exponential time"
        )
    return None


def _iteration_problem(instances: list[Any]) -> str | None:
    """The use-time walk's cap on iteration counts that ``transform``/``predict`` loop over
    (:data:`safeload.trust.object_checks.ITERATION_LIMITS`), on the shadows' numbers (plain ints and
    numpy integer scalars alike)."""
    from safeload.trust.object_checks import ITERATING_AT_USE, ITERATION_LIMITS, MAX_ITERATIONS

    for made in instances:
        if type(made) is not Shadow:
            continue
        attrs = object.__getattribute__(made, "_attrs")
        if not attrs:
            continue
        cls = class_of(made)
        limited = set(ITERATION_LIMITS.intersection(attrs))
        if "max_iter" in attrs and facts.short_name(cls) in ITERATING_AT_USE:
            limited.add("max_iter")
        for name in sorted(limited):
            count = attrs[name]
            if _is(count, (int, np.integer)) and int(count) > MAX_ITERATIONS:
                return (
                    f"{facts.qualname(cls)}.{name} asks for more than {MAX_ITERATIONS} iterations "
                    "at use time"
                )
    return None
