"""Symbolic values for the static scanner: what a pickle stream would put on its stack,
modelled without building anything."""

from __future__ import annotations

from typing import Any, Final

DTYPE_CLASSES: Final = {("numpy", "dtype")}
CODECS_ENCODE: Final = ("_codecs", "encode")

# --- symbolic values -----------------------------------------------------------------------


class _Sym:
    """Base of the symbolic values on the scanner's stack."""

    __slots__ = ()


class _Const(_Sym):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Opaque(_Sym):
    """A value whose content we do not track (large constants, containers we don't inspect)."""

    __slots__ = ()


class _Bytes(_Opaque):
    """A large ``BYTEARRAY8`` (at byte ``pos``, ``size`` bytes of data): opaque, but followed
    so that a reader may hand numpy a view of the file buffer instead of a copy. ``uses`` counts
    the calls to numpy's ``_frombuffer`` that take it as their buffer; ``shared`` is set when the
    stream fetches it again (memo GET, DUP), where a second consumer could see it."""

    __slots__ = ("pos", "shared", "size", "uses")

    def __init__(self, pos: int, size: int) -> None:
        self.pos = pos
        self.size = size
        self.uses = 0
        self.shared = False


class _Global(_Sym):
    __slots__ = ("module", "qualname")

    def __init__(self, module: str, qualname: str) -> None:
        self.module = module
        self.qualname = qualname

    @property
    def pair(self) -> tuple[str, str]:
        return (self.module, self.qualname)


class _Container(_Sym):
    """Anything that holds other values; ``depth`` is its nesting depth so far."""

    __slots__ = ("depth",)

    def __init__(self, children: list[_Sym]) -> None:
        self.depth = 1 + _max_depth(children)


def _max_depth(children: list[_Sym]) -> int:
    """The deepest nesting among ``children`` (0 for none); a plain loop, as this is hot."""
    deepest = 0
    for c in children:
        if isinstance(c, _Container) and c.depth > deepest:
            deepest = c.depth
    return deepest


class _Tuple(_Container):
    __slots__ = ("items",)

    def __init__(self, items: list[_Sym]) -> None:
        super().__init__(items)
        self.items = items


class _Dict(_Container):
    __slots__ = ("items",)

    def __init__(self) -> None:
        super().__init__([])
        self.items: dict[Any, _Sym] = {}


class _Box(_Container):
    """A list, set or frozenset (contents not tracked, only depth and item count)."""

    __slots__ = ("count",)

    def __init__(self, children: list[_Sym]) -> None:
        super().__init__(children)
        self.count = len(children)


class _Obj(_Container):
    """The result of a call or instantiation; ``cls`` is the global that made it."""

    __slots__ = ("args", "cls", "real", "state")

    def __init__(self, cls: _Global | None, args: _Sym | None = None) -> None:
        super().__init__([args] if args is not None else [])
        self.cls = cls
        self.args = args
        self.state: _Sym | None = None
        #: for a numpy.dtype: the dtype it denotes, once its state has been checked
        self.real: Any = None


_OPAQUE: Final = _Opaque()


def _const_value(sym: _Sym) -> Any:
    """The Python value of a constant (or tuple of constants); raises KeyError otherwise."""
    if isinstance(sym, _Const):
        return sym.value
    if isinstance(sym, _Tuple):
        return tuple(_const_value(i) for i in sym.items)
    if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair == CODECS_ENCODE:
        # protocol 2 writes bytes as _codecs.encode(text, "latin1"): fold it, nothing runs
        args: tuple[Any, ...] = _const_value(sym.args) if sym.args is not None else ()
        if len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1"):
            return args[0].encode("latin-1")
    raise KeyError("not constant")
