"""Symbolic values for the static scanner: what a pickle stream would put on its stack,
modelled without building anything."""

from __future__ import annotations

from typing import Any, Final

from safeload.exceptions import LimitExceededError

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


class _Big(_Opaque):
    """A constant too large to fold (over ``safeload.pickle.analysis.MAX_CONST``): opaque to
    every check, but kept (a view of the stream for bytes) so that the arrays of a native
    structure can be read from the stream. ``value`` is dropped (``None``) once it is known
    not to be needed; ``size`` (its length) stays. ``mutable``: pushed by ``BYTEARRAY8`` (a
    view of the stream does not say whether the load makes bytes or a bytearray of it)."""

    __slots__ = ("mutable", "size", "text", "value")

    def __init__(self, value: Any, mutable: bool = False) -> None:
        self.value = value
        self.size = len(value) if isinstance(value, (str, bytes, bytearray, memoryview)) else 0
        #: a string (not bytes), known after ``value`` is dropped
        self.text = isinstance(value, str)
        self.mutable = mutable


class _Array(_Opaque):
    """A joblib inline array the pass located: ``count`` items of ``dtype`` (a real numpy
    dtype) from byte ``start`` of the stream, in ``shape`` and ``order``."""

    __slots__ = ("count", "dtype", "order", "shape", "start")

    def __init__(self, start: int, count: int, dtype: Any, shape: Any, order: Any) -> None:
        self.start = start
        self.count = count
        self.dtype = dtype
        self.shape = shape
        self.order = order


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
    """Anything that holds other values; ``depth`` is its nesting depth so far. ``frozen`` is
    set once the value (or a value holding it) has been handed to a call or a BUILD: the
    callee may keep it (numpy keeps a dtype's fields dict) or copy it, so from then on the
    stream may not change it (see :func:`freeze`)."""

    __slots__ = ("depth", "frozen", "key_nodes")

    def __init__(self, children: list[_Sym]) -> None:
        self.depth = 1 + _max_depth(children)
        self.frozen = False
        #: the expanded node count of this value as a dict key, once the hash count asked
        #: (``safeload._numpy_state._key_nodes``); 0 before
        self.key_nodes = 0


def _max_depth(children: list[_Sym]) -> int:
    """The deepest nesting among ``children`` (0 for none); a plain loop, as this is hot."""
    deepest = 0
    for c in children:
        if isinstance(c, _Container) and c.depth > deepest:
            deepest = c.depth
    return deepest


#: ``_Tuple.folded`` before the first fold, and after a fold that found a non-constant item.
_UNFOLDED: Final = object()
_NOT_CONST: Final = object()
#: Expanded sizes saturate here (a memo DAG doubles them at every step).
_SIZE_CAP: Final = 1 << 62


class _Tuple(_Container):
    """A tuple. The stream cannot change a tuple once built, so its folded value (see
    :func:`_const_value`) is computed once and kept, with its expanded size."""

    __slots__ = ("folded", "items", "size")

    def __init__(self, items: list[_Sym]) -> None:
        super().__init__(items)
        self.items = items
        self.folded: Any = _UNFOLDED
        self.size = 0


class _Dict(_Container):
    """A dict: its string-keyed items (``lossy`` once an item with another key was set, which
    ``items`` does not keep; those keys and values are in ``others``). ``unknown_keys`` is set
    once a key is not a constant the pass can fold (made by a call: ``builtins.str("shape")``
    is an ordinary ``"shape"`` key to the unpickler and overrides the literal one)."""

    __slots__ = ("items", "lossy", "others", "unknown_keys")

    def __init__(self) -> None:
        super().__init__([])
        self.items: dict[Any, _Sym] = {}
        self.lossy = False
        self.others: list[_Sym] | None = None
        self.unknown_keys = False


class _Box(_Container):
    """A list, set or frozenset (``kind``): its depth, item count and items (the use-time pass
    reads them; ``items`` is the list the stream built, shared, not copied)."""

    __slots__ = ("count", "items", "kind")

    def __init__(self, children: list[_Sym], kind: str = "list") -> None:
        super().__init__(children)
        self.count = len(children)
        self.items = children
        self.kind = kind


class _Obj(_Container):
    """The result of a call or instantiation; ``cls`` is the global that made it."""

    __slots__ = ("args", "cls", "held", "key", "real", "state")

    def __init__(self, cls: _Global | None, args: _Sym | None = None) -> None:
        super().__init__([args] if args is not None else [])
        self.cls = cls
        self.args = args
        self.state: _Sym | None = None
        #: for a numpy.dtype: the dtype it denotes, once its state has been checked
        self.real: Any = None
        #: for a dict, list or set made by a call: what SETITEM(S)/APPEND(S)/ADDITEMS put in
        self.held: list[_Sym] | None = None
        #: the value the hash count made of it as a key, once (``(value, state)``, for the
        #: state it had): one object per symbol, as the load makes one (a NaN hashes by
        #: identity, rt114-01)
        self.key: Any = None


def freeze(sym: _Sym) -> None:
    """Mark ``sym`` and every container it holds as handed over (``_Container.frozen``): the
    arguments of a call, the state of a BUILD. The unpickler passes the objects themselves, so
    a later SETITEM or APPEND on any of them would change what the callee holds after the pass
    checked it (issue: red team 14, f11/f14-f16). Each node is marked once, so the walks of a
    whole stream are linear in its size; an ``_Obj`` is not entered (its own arguments and
    state were frozen when it consumed them), except for what the stream added to it."""
    todo: list[_Sym] = [sym]
    while todo:
        s = todo.pop()
        if not isinstance(s, _Container) or s.frozen:
            continue
        s.frozen = True
        if isinstance(s, _Tuple):
            todo.extend(s.items)
        elif isinstance(s, _Dict):
            todo.extend(s.items.values())
            if s.others is not None:
                todo.extend(s.others)
        elif isinstance(s, _Box):
            todo.extend(s.items)
        elif isinstance(s, _Obj) and s.held is not None:
            todo.extend(s.held)


_OPAQUE: Final = _Opaque()


#: Constant folding work allowed per byte of the stream, and for any stream (see FoldBudget).
FOLD_UNITS_PER_BYTE: Final = 16
FOLD_UNITS_BASE: Final = 1 << 16


class FoldBudget:
    """The work that constant folding may do on one stream: ``FOLD_UNITS_PER_BYTE`` units per
    byte of the stream plus ``FOLD_UNITS_BASE``.

    Through the memo a stream can share one value many times: ``T0 = (1,)``, ``Tk = (Tk-1,
    Tk-1)`` takes 8 bytes per step and doubles what a naive fold (and anything that walks the
    folded value: a comparison, numpy's constructors) has to visit. Folding itself is memoised
    and linear in the stream (:func:`_fold`); each fold is charged the *expanded* size of its
    result (every node counted once per path that reaches it), and walks that are not memoised
    (:func:`safeload._numpy_state._const_or_dtype`) are charged per node visited. Once the
    budget is spent the pass stops with ``LimitExceededError``, an unsafe verdict. So the work of
    folding, and of whatever consumes folded values, is at most 16 node visits per byte plus
    65,536: linear in the file size. Real models spend a small fraction of it.
    """

    __slots__ = ("left", "listed", "stood", "texts", "total")

    def __init__(self, stream_size: int) -> None:
        self.total = FOLD_UNITS_PER_BYTE * stream_size + FOLD_UNITS_BASE
        self.left = self.total
        #: the texts of symbols :func:`safeload._numpy_state._text_value` has read and
        #: charged, by ``id`` (with the symbol, which keeps the id its own)
        self.texts: dict[int, tuple[Any, Any]] = {}
        #: the values :func:`safeload._numpy_state._key_value` gave a list's tuple or
        #: frozenset items, by ``id`` (with the symbol): one walk of a memoised tuple however
        #: often a list holds it (rt119-03)
        self.listed: dict[int, tuple[Any, Any]] = {}
        #: the stand-ins of the items of those tuples, by ``id`` (with the symbol)
        self.stood: dict[int, tuple[Any, Any]] = {}

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise LimitExceededError(
                f"constant folding needs more than {self.total} units of work for this "
                "stream (values shared through the memo expand exponentially)"
            )


def _fold(sym: _Sym) -> tuple[Any, int]:
    """``(value, expanded size)`` of a constant or tuple of constants; raises KeyError
    otherwise. A tuple is folded once (memoised on the node), so this is linear in the number of
    distinct values however often the memo shares them."""
    if isinstance(sym, _Const):
        return sym.value, 1
    if isinstance(sym, _Tuple):
        if sym.folded is _UNFOLDED:
            sym.folded = _NOT_CONST  # until every item folds (also guards against cycles)
            values: list[Any] = []
            size = 1
            for item in sym.items:
                value, n = _fold(item)
                values.append(value)
                size = min(size + n, _SIZE_CAP)
            sym.folded = tuple(values)
            sym.size = size
        if sym.folded is _NOT_CONST:
            raise KeyError("not constant")
        return sym.folded, sym.size
    if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair == CODECS_ENCODE:
        # protocol 2 writes bytes as _codecs.encode(text, "latin1"): fold it, nothing runs
        args: Any = ()
        n = 1
        if sym.args is not None:
            args, n = _fold(sym.args)
        if len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1"):
            return args[0].encode("latin-1"), n + 1
    raise KeyError("not constant")


def _const_value(sym: _Sym, budget: FoldBudget) -> Any:
    """The Python value of a constant (or tuple of constants); raises KeyError otherwise.
    Charges ``budget`` the expanded size of the value."""
    value, size = _fold(sym)
    budget.spend(size)
    return value
