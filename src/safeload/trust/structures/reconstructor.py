"""What ``copyreg._reconstructor(cls, base, state)`` (how protocols 0-1 write an object) does
in a load, predicted on the class and base the file names, so that scan refuses what the load
fails on (rt49-10). copyreg runs ``object.__new__(cls)`` for the base ``object``, else
``base.__new__(cls, state)`` and then ``base.__init__(obj, state)``. CPython's ``__new__``
wrapper (``tp_new_wrapper``) raises unless ``cls`` is a subclass of ``base`` ("X is not a
subtype of Y") and unless the most derived class of ``cls`` that does not define ``__new__``
in Python makes its instances with ``base``'s own allocator ("is not safe").

The rule reads only the classes' ``__mro__`` and ``vars()``: nothing of a class runs, and no
instance is made. tests/test_reconstructor_rule.py checks it against the real call, class by
class."""

from __future__ import annotations

import types
from typing import Any, Final

#: The builtin bases copyreg writes and whose ``__new__``/``__init__`` the pass may call on a
#: plain state to see whether they raise (they run no code of the file's choosing).
BUILTIN_BASES: Final = (object, dict, list, set, frozenset, tuple, int, float, str)


#: ``Py_TPFLAGS_DISALLOW_INSTANTIATION``: a C type with no allocator (numpy's abstract
#: scalar types), which every ``__new__`` refuses.
_DISALLOW_INSTANTIATION: Final = 1 << 7


def _new_owner(cls: type) -> type | None:
    """The class whose C allocator (``tp_new``) ``cls`` uses: the first class of its MRO whose
    ``vars()`` hold ``__new__``, as CPython's slot lookup finds it; ``None`` where that
    ``__new__`` is a Python function (``slot_tp_new``)."""
    for klass in cls.__mro__:
        found = vars(klass).get("__new__")
        if found is None:
            continue
        if isinstance(found, types.BuiltinFunctionType):
            owner = getattr(found, "__self__", None)
            return owner if isinstance(owner, type) else None
        return None  # a staticmethod of a Python function
    return None


def _static_base(cls: type) -> type | None:
    """``tp_new_wrapper``'s ``staticbase``: ``cls``, or the first ``tp_base`` of it whose
    allocator is not a Python ``__new__``."""
    klass: type | None = cls
    while klass is not None and _new_owner(klass) is None:
        klass = klass.__base__
    return klass


def new_failure(cls: type, base: type) -> str | None:
    """Why ``base.__new__(cls, ...)`` raises in a load, or ``None`` when it makes an object."""
    if not issubclass(cls, base):
        return f"{base.__qualname__}.__new__({cls.__qualname__}): not a subtype of the base"
    static = _static_base(cls)
    if static is not None and (
        static.__flags__ & _DISALLOW_INSTANTIATION or _new_owner(static) is not _new_owner(base)
    ):
        return f"{base.__qualname__}.__new__({cls.__qualname__}) is not safe (CPython refuses it)"
    return None


def state_failure(base: type, state: Any) -> str | None:
    """Why the base's own constructor refuses ``state`` (plain data: the caller checks it), or
    ``None``. ``int.__new__(cls, s)`` converts ``s`` as ``int(s)`` does, and ``dict.__init__(obj,
    s)`` fills ``obj`` as ``dict(s)`` does, so calling the builtin itself on the state raises
    exactly when copyreg's call does; ``object`` ignores the state."""
    if base is object:
        return None
    try:
        base(state)
    except Exception as exc:  # the builtin's TypeError, ValueError
        return f"{base.__qualname__}({type(state).__name__}) raises {type(exc).__name__}"
    return None


def facts_new_failure(mro: tuple[str, ...], python_class: Any, base: type) -> str | None:
    """:func:`new_failure` for a class known by its facts' MRO (``module:qualname`` names),
    where ``python_class(name)`` says whether a name is a Python class (a heap type with no
    allocator of its own): the static base is then the first builtin of the MRO. Raises
    ``LookupError`` when a class of the MRO may have an allocator of its own (the caller
    imports the class and asks :func:`new_failure`)."""
    name = f"builtins:{base.__qualname__}"
    own = mro[0].partition(":")[2]
    if name not in mro:
        return f"{base.__qualname__}.__new__({own}): not a subtype of the base"
    for entry in mro:
        if entry.startswith("builtins:"):
            if entry != name:
                return f"{base.__qualname__}.__new__({own}) is not safe (CPython refuses it)"
            return None
        if not python_class(entry):
            raise LookupError(entry)
    return None
