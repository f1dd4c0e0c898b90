"""Allowed names the restricted unpickler hands out in a narrower form.

A file may name ``collections.Counter``, ``decimal.Decimal``, the container builtins,
``copyreg._reconstructor`` and ``collections.defaultdict``, but the unpickler calls them only
with what their own ``__reduce__`` writes: sizes come from data in the file, never from a number
in it. Standard library only, so the static pass (:mod:`safeload.trust.shadow`) can build
values exactly as a load does without importing numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["container_args_problem"]


def _counter_from_dict(*args: Any) -> Any:
    """``collections.Counter`` as the unpickler may call it: with the plain dict that
    ``Counter.__reduce__`` writes (or nothing). ``Counter(iterable)`` counts whatever it is
    given, and a stored ``range`` of any length would keep it counting until memory runs out."""
    import collections

    if len(args) > 1 or (args and type(args[0]) is not dict):
        raise ValueError("collections.Counter is built from a plain dict only")
    return collections.Counter(*args)


def _decimal_from_str(*args: Any) -> Any:
    """``decimal.Decimal`` as the unpickler may call it: with the str that
    ``Decimal.__reduce__`` writes. From an int it converts in quadratic time (a 125 KB integer
    in the file takes seconds, a megabyte minutes)."""
    import decimal

    if len(args) != 1 or type(args[0]) is not str:
        raise ValueError("decimal.Decimal is built from a str only")
    return decimal.Decimal(args[0])


#: What a container may be built from: values already in memory, whose length the file paid
#: for. A ``range`` (lazy, so allowed itself) or an iterator would make ``list``/``set``/
#: ``tuple`` allocate as many items as a number in the file says. Not a dict: no pickler
#: writes one there, and the container keeps its keys only, so what the dict's values held
#: never reached the model while the static pass judged them (rt87-05: ``list({'k':
#: builtins.set})`` was unsafe to scan and loaded as ``['k']``).
_IN_MEMORY = (list, tuple, set, frozenset, str, bytes, bytearray)
#: The encodings pickle writes for ``bytearray``/``bytes`` made from text (protocols 0-2).
_LATIN_1 = frozenset({"latin-1", "latin1", "latin_1"})


def container_args_problem(builtin: type, args: tuple[Any, ...]) -> str | None:
    """Why the restricted unpickler refuses to call ``builtin`` (``list``, ``tuple``, ``set``,
    ``frozenset``, ``bytearray`` or ``bytes``) with ``args``, or ``None``. Sizes come only from
    data in the file: ``bytearray(2**31)`` (a 32-byte file) zero-fills 2 GiB and
    ``set(range(2**44))`` grows until the process is killed."""
    if builtin in (bytearray, bytes):
        if not args or (len(args) == 1 and type(args[0]) in (bytes, bytearray)):
            return None
        if len(args) == 2 and type(args[0]) is str and args[1] in _LATIN_1:
            return None
        return f"builtins.{builtin.__name__} is built from bytes (or latin-1 text) only"
    if not args or (len(args) == 1 and type(args[0]) in _IN_MEMORY):
        return None
    return f"builtins.{builtin.__name__} is built from a list, tuple, set or string only"


def _narrowed_builtin(builtin: type) -> Callable[..., Any]:
    def make(*args: Any) -> Any:
        problem = container_args_problem(builtin, args)
        if problem:
            raise ValueError(problem)
        return builtin(*args)

    make.__qualname__ = make.__name__ = builtin.__name__
    make.__module__ = "builtins"  # as the file names it, in messages
    return make


_NARROWED_BUILTINS: dict[tuple[str, str], type] = {
    ("builtins", kind.__name__): kind for kind in (list, tuple, set, frozenset, bytearray, bytes)
}
_NARROWED_FORMS: dict[tuple[str, str], Callable[..., Any]] = {
    pair: _narrowed_builtin(kind) for pair, kind in _NARROWED_BUILTINS.items()
}
#: narrowed form -> the builtin it stands for (copyreg._reconstructor takes them as a base)
_NARROWED_BASES: dict[int, type] = {
    id(_NARROWED_FORMS[pair]): kind for pair, kind in _NARROWED_BUILTINS.items()
}


def _reconstructor(cls: Any, base: Any, state: Any) -> Any:
    """``copyreg._reconstructor`` (protocols 0-1), for bases the unpickler hands out narrowed:
    ``base.__new__(cls, state)`` and ``base.__init__(obj, state)`` consume ``state`` exactly as
    calling the base would, so the same arguments are refused."""
    import copyreg

    real = _NARROWED_BASES.get(id(base))
    if real is not None:
        problem = container_args_problem(real, (state,))
        if problem:
            raise ValueError(problem)
        base = real
    return copyreg._reconstructor(cls, base, state)  # type: ignore[attr-defined]


_reconstructor.__module__ = "copyreg"  # as the file names it, in messages


def _defaultdict(*args: Any) -> Any:
    """``collections.defaultdict(factory)``, with the real builtin as the factory when the file
    names ``builtins.list``/``set``/``tuple`` (handed out narrowed, see above): the model keeps
    the builtin itself, as it did when it was pickled (and as the use-time walk expects)."""
    import collections

    if args:
        args = (_NARROWED_BASES.get(id(args[0]), args[0]), *args[1:])
    return collections.defaultdict(*args)


#: Allowed names the unpickler hands out in a narrower form (exact resolved names).
_NARROWED: dict[tuple[str, str], Any] = {
    ("collections", "Counter"): _counter_from_dict,
    ("decimal", "Decimal"): _decimal_from_str,
    ("copyreg", "_reconstructor"): _reconstructor,
    ("collections", "defaultdict"): _defaultdict,
    **_NARROWED_FORMS,
}
