"""The values a scan stands in for built objects with: shadows, and what the pass cannot see.

A :class:`Shadow` is what the stream says an instance of an allowed class holds: it reports
that class as its ``__class__`` and the stream's state as its attributes. An :class:`Unknown`
is a value the static pass cannot see: every use of it raises :class:`Unproven`. The checks a
load runs on built objects run on these unchanged (:mod:`safeload.trust.shadow`).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from safeload.policy import format_name
from safeload.trust import facts
from safeload.trust.facts import ClassFacts, NeedsImport


class Unproven(Exception):
    """A check needed a value the static pass cannot see."""


class Unknown:
    """A value the static pass cannot see: every use of it raises :class:`Unproven`.

    ``held``: what the pass knows the value holds although it cannot make the value (a dict
    keyed by a shadow holds its keys and values, a set its items). The load's walk enters the
    real container, so scan's graph of the model (:func:`safeload.trust.shadow._children`)
    enters these (rt53-03: a weighted metric as a dict key was out of scan's sight), and
    ``made_as`` is the type the load makes (``None``: not known). ``size``: the length of a
    string or bytes the stream holds but the pass does not fold (``None``: not known), which
    the printed-items bound reads (:mod:`safeload.trust.structures.printing`)."""

    __slots__ = ("held", "made_as", "size", "why")

    def __init__(
        self,
        why: str,
        held: tuple[Any, ...] = (),
        made_as: type | None = None,
        size: int | None = None,
    ) -> None:
        object.__setattr__(self, "why", why)
        object.__setattr__(self, "held", held)
        object.__setattr__(self, "made_as", made_as)
        object.__setattr__(self, "size", size)

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


def is_real(value: Any, kinds: type | tuple[type, ...]) -> bool:
    """``isinstance`` for the builder's own use: false for unknown values and for shadows (a
    shadow of a dict subclass is not a dict the builder can read)."""
    kind = type(value)
    return kind is not Unknown and kind is not Shadow and isinstance(value, kinds)


def narrowed_problem(pair: tuple[str, str], args: Any, made: Any) -> str | None:
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
        if not is_real(args, tuple):
            return f"unproven: what {format_name(*pair)} is called with"
        call = args
    elif is_real(args, tuple) and len(args) == 3 and args[0] is made and is_real(args[1], type):
        kind = _NARROWED_BUILTINS.get((args[1].__module__, args[1].__qualname__))
        call = (args[2],)
    if kind is None or call is None:
        return None
    problem = container_args_problem(kind, call)
    if problem is None:
        return None
    if any(type(a) in (Unknown, Shadow) for a in call):
        return f"unproven: {format_name(*pair)} of a value the pass cannot see ({problem})"
    return (
        f"{problem}: a load refuses this call (sized by a number in the file, it would "
        "allocate without bound)"
    )


def opaque(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` holds anything the pass cannot hand to real code: an unknown value or
    a shadow (only real values, read from the stream, may reach pandas' code in a scan)."""
    kind = type(value)
    if kind is Unknown or kind is Shadow or depth > 64:
        return True
    if kind in (tuple, list, set, frozenset):
        return any(opaque(v, depth + 1) for v in value)
    if kind is dict:
        return any(opaque(k, depth + 1) or opaque(v, depth + 1) for k, v in value.items())
    if kind is np.ndarray and value.dtype.hasobject:
        return any(opaque(v, depth + 1) for v in value.ravel(order="K"))
    return False


class Shadow:
    """What the stream says an instance of an allowed class holds; not the instance.

    ``__class__`` is the real class (so ``isinstance`` and :func:`class_of` answer as for the
    real object); attributes are the state the stream sets, then plain data of the class.
    ``vars()`` works when the real instances have a ``__dict__`` and the state is known."""

    __slots__ = ("_args", "_attrs", "_cls", "_state")

    def __init__(self, cls: Any, attrs: dict[str, Any] | None, state: Any) -> None:
        object.__setattr__(self, "_cls", cls)
        object.__setattr__(self, "_attrs", attrs)
        object.__setattr__(self, "_state", state)
        #: the objects the real instance's ``__reduce__`` names among its arguments (a random
        #: state's or generator's bit generator), which the load's walk meets in it
        object.__setattr__(self, "_args", ())

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


def state_item(shadow: Shadow, key: str) -> Any:
    """``key`` of the state dict a :class:`Shadow` was built from (a Booster's model blob or
    text), or ``None`` when its state is no dict or lacks the key."""
    state = object.__getattribute__(shadow, "_state")
    return state.get(key) if type(state) is dict else None


def class_of(obj: Any) -> type:
    """``type(obj)``, or the class a :class:`Shadow` stands for (in a scan on facts, the
    :class:`~safeload.trust.facts.ClassFacts` standing for it, which is no class: an
    ``is`` or ``issubclass`` test of it fails)."""
    kind = type(obj)
    if kind is Shadow:
        made: type = obj.__class__
        return made
    return kind


def sklearn_class(obj: Any) -> Any:
    """The class whose rules :func:`class_of` ``obj`` is held to: the first reviewed class of
    its MRO (:func:`facts.reviewed_base`). A rule keyed on a scikit-learn class's name or
    module applies to a trusted subclass of it too (an own ``MahalanobisDistance64`` subclass
    skipped the metric's weight rules, an own ``KDTree`` was checked as a ball tree, an own
    ``TreePredictor`` as no predictor: rt99-18 to 20). In a scan on facts, the facts."""
    cls = class_of(obj)
    return facts.reviewed_base(cls) if isinstance(cls, type) else cls


def sklearn_name(obj: Any) -> str:
    """``__name__`` of :func:`sklearn_class` (``name`` of its facts in a scan on facts)."""
    cls = sklearn_class(obj)
    return str(cls.__name__ if isinstance(cls, type) else getattr(cls, "name", ""))


def is_callable(obj: Any) -> bool:
    """``callable(obj)``, also for a :class:`Shadow`: whether the class it stands for (or its
    facts) defines ``__call__``, as ``callable`` asks of a built instance. A shadow itself has
    no ``__call__``, so a scorer or a Gaussian-process kernel as an SVM's kernel was not
    callable to scan and callable to the load (rt43-11)."""
    if type(obj) is not Shadow:
        return callable(obj)
    cls: Any = obj.__class__
    if type(cls) is ClassFacts:
        return "__call__" in cls.defined
    return any("__call__" in vars(base) for base in cls.__mro__)
