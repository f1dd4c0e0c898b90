"""What a skops schema's nodes make, as stand-ins that pickle the way skops builds them.

:class:`NewStandIn` (an ``ObjectNode``: ``cls.__new__(cls)`` then its state) and
:class:`CallStandIn` (a ``ReduceNode``: ``constructor(*args)`` then its state) are pickled, never
built; :func:`read_npy` reads an array member with ``allow_pickle=False`` once its header's size
fits the member; :class:`Refused` is a node that cannot be modelled (unproven).
:mod:`safeload.trust.skops_stream` turns a schema into a stream of them.
"""

from __future__ import annotations

import copyreg
import io
import zipfile
from typing import Any

import numpy as np

from safeload.policy import Policy, format_name

__all__ = [
    "CallStandIn",
    "NewStandIn",
    "Refused",
    "has_stand_in",
    "is_numpy_scalar_type",
    "read_npy",
    "resolve_trusted",
]

#: pickle writes a reduce by this function as NEWOBJ
_NEWOBJ: Any = getattr(copyreg, "__newobj__")  # noqa: B009 - typeshed does not list it


class Refused(Exception):
    """The node cannot be modelled, or skops would fail on it: unproven."""


class NewStandIn:
    """What an ``ObjectNode`` makes: ``cls.__new__(cls)``, then ``__setstate__(state)`` or a
    ``__dict__`` update when the state is not None: pickle's NEWOBJ + BUILD."""

    __slots__ = ("_cls", "_state")

    def __init__(self, cls: type) -> None:
        self._cls = cls
        self._state: Any = None

    @property  # type: ignore[misc]  # pickle checks that __newobj__'s class is the object's
    def __class__(self) -> type:
        return self._cls

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_NEWOBJ, (self._cls,), self._state)


class CallStandIn:
    """What a ``ReduceNode`` makes: ``constructor(*args)``, then the state if it is truthy:
    pickle's REDUCE + BUILD."""

    __slots__ = ("_args", "_func", "_state")

    def __init__(self, func: Any, args: tuple[Any, ...], state: Any) -> None:
        self._func, self._args, self._state = func, args, state

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (self._func, self._args, self._state if self._state else None)


def resolve_trusted(module: str, name: str, policy: Policy) -> Any:
    """The object skops' ``gettype`` returns, when the policy trusts the name."""
    from safeload.skops_format import _as_checked
    from safeload.trust.classes import resolve

    real = _as_checked(module, name)
    if not policy.allows(*real):
        raise Refused(f"{format_name(*real)} is not trusted")
    found = resolve(*real)
    if found is None:
        raise Refused(f"{format_name(*real)} is not installed")
    return found


def read_npy(zf: zipfile.ZipFile, member: Any) -> np.ndarray[Any, Any]:
    if not isinstance(member, str) or member not in zf.NameToInfo:
        raise Refused(f"array member {member!r} is missing")
    raw = zf.read(member)
    buf = io.BytesIO(raw)
    fmt = np.lib.format
    try:
        version = fmt.read_magic(buf)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(buf)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(buf)
        else:
            raise Refused(f"array member {member!r} has .npy version {version}")
        count = 1
        for n in shape:
            count *= int(n)
        if dtype.hasobject or count * dtype.itemsize > len(raw):
            raise Refused(f"array member {member!r} declares more data than it holds")
        arr: np.ndarray[Any, Any]
        if count and dtype.itemsize:
            # the header is read: take the data after it as np.load would (its own copy,
            # in the stored order), without np.load parsing the header a second time
            flat = np.frombuffer(raw, dtype=dtype, count=count, offset=buf.tell())
            arr = (flat.reshape(shape[::-1]).transpose() if fortran else flat.reshape(shape)).copy(
                order="K"
            )
        else:
            buf.seek(0)
            arr = np.load(buf, allow_pickle=False)
    except Refused:
        raise
    except Exception as exc:  # skops' np.load fails the same way: a load refuses it
        raise Refused(f"array member {member!r} is unreadable ({exc})") from None
    return arr


def is_numpy_scalar_type(kind: Any) -> bool:
    """Whether ``kind`` is one of numpy's own scalar types (never a subclass of one: scan
    would call it on the file's text, and a trusted own ``__new__`` would run, rt101-14)."""
    return (
        isinstance(kind, type)
        and issubclass(kind, np.generic)
        and kind is not np.object_
        and str(kind.__module__) == "numpy"
    )


def has_stand_in(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is anything but plain data: str, numbers, bytes, ``None``, numeric
    arrays and numpy numbers, in dicts, lists and tuples. A converter that keeps only part of
    what a node built (a random state's state dict, a dtype's array) checks this of the rest:
    skops built all of it, and a stand-in there, in a set, an object array or a partial as
    much as in a dict, is a call the stream never shows (rt46-07)."""
    if depth > 32:
        return True
    if value is None or type(value) in (bool, int, float, str, bytes):
        return False
    if isinstance(value, np.ndarray):
        return value.dtype.kind not in "biufcSU"
    if isinstance(value, np.generic):
        return value.dtype.kind not in "biufcSU"
    if type(value) is dict:
        return any(
            has_stand_in(k, depth + 1) or has_stand_in(v, depth + 1) for k, v in value.items()
        )
    if type(value) in (list, tuple):
        return any(has_stand_in(v, depth + 1) for v in value)
    return True
