"""Static analysis of pickle and joblib streams: never imports, never executes.

:func:`analyze` walks the opcodes with a small symbolic stack machine. It tracks the memo, so a
name pushed through ``MEMOIZE``/``BINGET`` before ``STACK_GLOBAL`` is resolved exactly as the
unpickler would resolve it, checks ``FRAME`` lengths against their contents, and for joblib
streams computes where each inline array's raw bytes lie (and scans the nested pickle of object
arrays). Anything it cannot follow is an *unsafe* finding: a parse error, a limit, a construct
safeload refuses, or bytes after ``STOP``.

The restricted readers run the same analysis first and refuse the stream unless it is clean, and
then check that the unpickler resolves no global the analysis did not list.
"""

from __future__ import annotations

import _compat_pickle
import re
from dataclasses import dataclass, field
from typing import Any, cast

from safeload._opcodes import Cursor
from safeload._types import Buffer
from safeload.exceptions import LimitExceededError, MalformedArtifactError
from safeload.policy import Limits, Policy, format_name

__all__ = [
    "Finding",
    "GlobalRef",
    "ScanReport",
    "StreamAnalysis",
    "analyze",
]

JOBLIB_WRAPPER = ("joblib.numpy_pickle", "NumpyArrayWrapper")
_NDARRAY_CLASSES = {("numpy", "ndarray"), ("numpy", "memmap")}
_DTYPE_CLASSES = {("numpy", "dtype")}
#: Opcodes refused outright, with the reason.
REFUSED_OPCODES = {
    "EXT1": "extension-registry global (no name in the stream)",
    "EXT2": "extension-registry global (no name in the stream)",
    "EXT4": "extension-registry global (no name in the stream)",
    "PERSID": "persistent id (loads an object from outside the stream)",
    "BINPERSID": "persistent id (loads an object from outside the stream)",
    "NEXT_BUFFER": "out-of-band buffer (data from outside the stream)",
    "READONLY_BUFFER": "out-of-band buffer (data from outside the stream)",
}
_MAX_CONST = 1024
_FIXED = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}
#: Opcodes that push one constant (the value is the decoded argument, or fixed).
_CONST_OPS: dict[str, Any] = {
    **_FIXED,
    **{
        n: None
        for n in (
            "INT",
            "BININT",
            "BININT1",
            "BININT2",
            "LONG",
            "LONG1",
            "LONG4",
            "STRING",
            "BINSTRING",
            "SHORT_BINSTRING",
            "BINBYTES",
            "SHORT_BINBYTES",
            "BINBYTES8",
            "BYTEARRAY8",
            "UNICODE",
            "BINUNICODE",
            "SHORT_BINUNICODE",
            "BINUNICODE8",
            "FLOAT",
            "BINFLOAT",
        )
    },
}
_PUT_OPS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_GET_OPS = frozenset({"GET", "BINGET", "LONG_BINGET"})
_RECONSTRUCTOR = ("copyreg", "_reconstructor")
_CODECS_ENCODE = ("_codecs", "encode")


def py3_name(module: str, qualname: str, protocol: int) -> tuple[str, str]:
    """The name the unpickler really resolves: protocols 0-2 write Python 2 names (``copy_reg``,
    ``__builtin__``) that pickle maps through a fixed table; we apply the same table."""
    if protocol < 3:
        if (module, qualname) in _compat_pickle.NAME_MAPPING:
            mapped: tuple[str, str] = _compat_pickle.NAME_MAPPING[(module, qualname)]
            return mapped
        if module in _compat_pickle.IMPORT_MAPPING:
            return _compat_pickle.IMPORT_MAPPING[module], qualname
    return module, qualname


@dataclass(frozen=True)
class GlobalRef:
    """A global the stream would resolve: where, by which opcode, and whether it is trusted."""

    module: str
    qualname: str
    offset: int
    opcode: str
    trusted: bool = False

    @property
    def name(self) -> str:
        """``module.qualname`` (``module:qualname`` when the qualname is dotted)."""
        return format_name(self.module, self.qualname)


@dataclass(frozen=True)
class Finding:
    """An unsafe or notable construct at ``offset``; ``limit`` when a resource limit was hit."""

    offset: int
    opcode: str
    message: str
    limit: bool = False


@dataclass
class StreamAnalysis:
    """What :func:`analyze` learned about one stream (internal, mutable while scanning)."""

    globals: list[GlobalRef] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    protocol: int = 0
    opcode_count: int = 0
    #: joblib only: (start, end) of each inline array's raw data, in stream order.
    array_regions: list[tuple[int, int]] = field(default_factory=list)
    end: int = 0
    #: offsets of every FRAME opcode (9 bytes each), and of each joblib wrapper's BUILD opcode
    #: (aligned with ``array_regions``): what a reader must rewrite to use the C unpickler.
    frame_ops: list[int] = field(default_factory=list)
    wrapper_builds: list[int] = field(default_factory=list)
    #: raw (module, name) as written in the stream -> the name that is resolved.
    resolved: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    @property
    def untrusted(self) -> list[str]:
        """Distinct untrusted names, in first-seen order."""
        seen: dict[str, None] = {}
        for g in self.globals:
            if not g.trusted:
                seen.setdefault(g.name, None)
        return list(seen)

    @property
    def names(self) -> set[tuple[str, str]]:
        """Every (module, qualname) the stream references."""
        return {(g.module, g.qualname) for g in self.globals}

    @property
    def safe(self) -> bool:
        """No problems and every global trusted."""
        return not self.problems and all(g.trusted for g in self.globals)


@dataclass(frozen=True)
class ScanReport:
    """The public result of :func:`safeload.scan`."""

    source: str
    format: str
    globals: tuple[GlobalRef, ...]
    findings: tuple[Finding, ...]
    notes: tuple[Finding, ...]
    protocol: int | None
    opcode_count: int

    @property
    def untrusted(self) -> tuple[str, ...]:
        """Distinct untrusted global names."""
        seen: dict[str, None] = {}
        for g in self.globals:
            if not g.trusted:
                seen.setdefault(g.name, None)
        return tuple(seen)

    @property
    def safe(self) -> bool:
        """True only if nothing unsafe was found and every global is trusted."""
        return not self.findings and not self.untrusted

    @property
    def verdict(self) -> str:
        """``"safe"`` or ``"unsafe"``."""
        return "safe" if self.safe else "unsafe"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "source": self.source,
            "format": self.format,
            "verdict": self.verdict,
            "protocol": self.protocol,
            "opcodes": self.opcode_count,
            "globals": [
                {"name": g.name, "trusted": g.trusted, "offset": g.offset, "opcode": g.opcode}
                for g in self.globals
            ],
            "untrusted": list(self.untrusted),
            "findings": [
                {"offset": f.offset, "opcode": f.opcode, "message": f.message}
                for f in self.findings
            ],
            "notes": [
                {"offset": f.offset, "opcode": f.opcode, "message": f.message} for f in self.notes
            ],
        }


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
        self.depth = 1 + max((_depth(c) for c in children), default=0)


def _depth(sym: _Sym) -> int:
    return sym.depth if isinstance(sym, _Container) else 0


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


_OPAQUE = _Opaque()


class _Stop(Exception):
    pass


class _Unsafe(Exception):
    def __init__(self, offset: int, opcode: str, message: str) -> None:
        super().__init__(message)
        self.finding = Finding(offset, opcode, message)


def _const_value(sym: _Sym) -> Any:
    """The Python value of a constant (or tuple of constants); raises KeyError otherwise."""
    if isinstance(sym, _Const):
        return sym.value
    if isinstance(sym, _Tuple):
        return tuple(_const_value(i) for i in sym.items)
    if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair == _CODECS_ENCODE:
        # protocol 2 writes bytes as _codecs.encode(text, "latin1"): fold it, nothing runs
        args: tuple[Any, ...] = _const_value(sym.args) if sym.args is not None else ()
        if len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1"):
            return args[0].encode("latin-1")
    raise KeyError("not constant")


_TYPESTR = re.compile(r"^[<>|=]?([a-zA-Z?])(\d+)?")


class _NotCanonical(Exception):
    pass


def _const_or_dtype(sym: _Sym) -> Any:
    """A constant value, with symbolic numpy dtypes replaced by the dtype they denote."""
    if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in _DTYPE_CLASSES:
        return real_dtype(sym)
    if isinstance(sym, _Tuple):
        return tuple(_const_or_dtype(i) for i in sym.items)
    if isinstance(sym, _Dict):
        return {k: _const_or_dtype(v) for k, v in sym.items.items()}
    try:
        return _const_value(sym)
    except KeyError:
        raise _NotCanonical("not a constant") from None


def _same(a: Any, b: Any) -> bool:
    """Exact structural equality (types included), dtypes compared with their byte order."""
    import numpy as np

    if isinstance(a, np.dtype) or isinstance(b, np.dtype):
        return (
            isinstance(a, np.dtype)
            and isinstance(b, np.dtype)
            and a == b
            and a.str == b.str
            and a.isalignedstruct == b.isalignedstruct
        )
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def real_dtype(sym: _Obj) -> Any:
    """The ``numpy.dtype`` a symbolic dtype denotes, rebuilt through numpy's own validating
    constructors; raises ``_NotCanonical`` unless its BUILD state is exactly the state numpy
    writes for that dtype.

    numpy's ``dtype.__setstate__`` trusts its input: tampered flags, a field whose type is not
    a dtype, or a datetime without its unit crash the interpreter (found by fuzzing). Here the
    state is never applied to anything; the dtype is built from the type string, the fields,
    the sub-array and the metadata through ``numpy.dtype(...)``, which validates them, and the
    state numpy would write for the result must equal the stored one, item for item.
    """
    if sym.real is not None:
        return sym.real
    import numpy as np

    try:
        args = _const_value(sym.args) if sym.args is not None else ()
        if not (isinstance(args, tuple) and len(args) == 3 and isinstance(args[0], str)):
            raise _NotCanonical("dtype arguments are not (type string, align, copy)")
        typestr = args[0]
        state = sym.state
        if state is None:
            sym.real = np.dtype(typestr)
            return sym.real
        if not (isinstance(state, _Tuple) and len(state.items) in (8, 9)):
            raise _NotCanonical("dtype state has the wrong shape")
        given = _const_or_dtype(state)
        order, sub, names, fields, elsize, flags = (given[i] for i in (1, 2, 3, 4, 5, 7))
        if sub is not None:
            candidate = np.dtype((sub[0], sub[1]))
        elif names is not None:
            if not isinstance(fields, dict) or not isinstance(names, tuple):
                raise _NotCanonical("structured dtype without fields")
            spec: dict[str, Any] = {"names": list(names), "formats": [], "offsets": []}
            for name in names:
                field = fields[name]
                spec["formats"].append(field[0])
                spec["offsets"].append(field[1])
            spec["itemsize"] = elsize
            titles = [fields[n][2] if len(fields[n]) > 2 else None for n in names]
            if any(t is not None for t in titles):
                spec["titles"] = titles
            aligned = bool(isinstance(flags, int) and flags & 0x80)
            candidate = np.dtype(cast(Any, spec), align=aligned)
        else:
            candidate = np.dtype(typestr)
        if typestr[:1] in ("M", "m") and len(given) == 9 and isinstance(given[8], tuple):
            unit, num = given[8][1][0], given[8][1][1]
            if not isinstance(unit, bytes) or type(num) is not int or not 0 < num < 2**31:
                raise _NotCanonical("malformed datetime unit")
            candidate = np.dtype(f"{typestr}[{num if num > 1 else ''}{unit.decode('ascii')}]")
        elif len(given) == 9 and isinstance(given[8], dict):
            candidate = np.dtype(candidate, metadata=given[8])
        if order in ("<", ">") and candidate.byteorder not in ("|",):
            candidate = candidate.newbyteorder(order)
        expected = candidate.__reduce__()[2]
        if not _same(tuple(given), tuple(expected)):
            raise _NotCanonical("dtype state differs from the state numpy writes")
    except _NotCanonical:
        raise
    except (
        KeyError,
        IndexError,
        TypeError,
        ValueError,
        OverflowError,
        UnicodeError,
        AttributeError,
        RecursionError,
    ) as exc:
        raise _NotCanonical(f"dtype cannot be rebuilt: {type(exc).__name__}") from exc
    sym.real = candidate
    return candidate


def _dtype_layout(sym: _Sym) -> tuple[int, bool]:
    """(itemsize, hasobject) of a symbolic, already checked ``numpy.dtype``."""
    if not (isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in _DTYPE_CLASSES):
        raise KeyError("dtype is not a numpy.dtype")
    try:
        real = real_dtype(sym)
    except _NotCanonical as exc:
        raise KeyError(str(exc)) from None
    return int(real.itemsize), bool(real.hasobject)


def _dtype_state_problem(dtype: _Obj, state: _Sym) -> str | None:
    """Why a ``numpy.dtype`` BUILD state is not one numpy itself writes, or ``None``."""
    try:
        real_dtype(dtype)
    except _NotCanonical as exc:
        return f"numpy.dtype state that numpy never writes (it can crash numpy): {exc}"
    return None


def _array_state_problem(state: _Sym) -> str | None:
    """Why an ndarray-style BUILD state ``(version, shape, dtype, fortran, data, ...)`` would
    crash numpy, or ``None``.

    For object dtypes numpy copies one pointer per element from the stored list without checking
    its length: a shorter list leaves the rest of the array pointing at garbage. The list must
    hold exactly one item per element. (Non-object data is a byte string whose length numpy
    itself checks.)
    """
    if not (isinstance(state, _Tuple) and len(state.items) >= 5):
        return None
    dtype = state.items[2]
    if not (isinstance(dtype, _Obj) and dtype.cls is not None and dtype.cls.pair in _DTYPE_CLASSES):
        return None
    bad = "object array state that does not hold one item per element (it can crash numpy)"
    try:
        _, hasobject = _dtype_layout(dtype)
        shape = _const_value(state.items[1])
    except KeyError:
        return bad
    if not hasobject:
        return None
    if not (isinstance(shape, tuple) and all(type(n) is int and n >= 0 for n in shape)):
        return bad
    count = 1
    for n in shape:
        count *= n
    raw = state.items[4]
    if not isinstance(raw, _Box) or raw.count != count:
        return bad
    return None


# --- the walker ----------------------------------------------------------------------------


class _Walker:
    def __init__(self, data: Buffer, policy: Policy, limits: Limits, joblib: bool):
        self.data = data
        self.size = len(data)
        self.cur = Cursor(data if isinstance(data, (bytes, bytearray)) else bytes(data))
        self.policy = policy
        self.limits = limits
        self.joblib = joblib
        self.result = StreamAnalysis()

    def run(self) -> StreamAnalysis:
        try:
            self._stream(top=True)
            end = self.cur.pos
            self.result.end = end
            if end != self.size:
                raise _Unsafe(end, "STOP", f"{self.size - end} byte(s) after STOP")
        except _Unsafe as exc:
            self.result.problems.append(exc.finding)
        except LimitExceededError as exc:
            self.result.problems.append(Finding(self.cur.pos, "", f"limit: {exc}", limit=True))
        except (
            ValueError,
            EOFError,
            OverflowError,
            IndexError,
            KeyError,
            TypeError,
            UnicodeDecodeError,
            MemoryError,
            RecursionError,
        ) as exc:
            self.result.problems.append(
                Finding(self.cur.pos, "", f"malformed stream: {type(exc).__name__}: {exc}")
            )
        return self.result

    def _global(self, module: Any, qualname: Any, pos: int, opname: str, proto: int) -> _Global:
        if not isinstance(module, str) or not isinstance(qualname, str):
            raise _Unsafe(pos, opname, "global name operands are not constant strings")
        raw = (module, qualname)
        module, qualname = py3_name(module, qualname, proto)
        if self.result.resolved.setdefault(raw, (module, qualname)) != (module, qualname):
            raise _Unsafe(pos, opname, "one global name resolves two ways in this file")
        trusted = self.policy.allows(module, qualname)
        self.result.globals.append(GlobalRef(module, qualname, pos, opname, trusted))
        return _Global(module, qualname)

    def _stream(self, top: bool) -> None:
        stack: list[_Sym] = []
        metastack: list[list[_Sym]] = []
        memo: dict[int, _Sym] = {}
        frame_end: int | None = None
        proto = 0
        limits = self.limits

        def pop_mark(pos: int, name: str) -> list[_Sym]:
            nonlocal stack
            if not metastack:
                raise _Unsafe(pos, name, "MARK expected but missing")
            items = stack
            stack = metastack.pop()
            return items

        def pop(pos: int, name: str) -> _Sym:
            if not stack:
                raise _Unsafe(pos, name, "stack underflow")
            return stack.pop()

        cur = self.cur
        start = cur.pos
        max_ops = limits.max_opcodes
        max_item = limits.max_item_size
        result = self.result
        while True:
            name, arg, pos = cur.next()
            result.opcode_count += 1
            if result.opcode_count > max_ops:
                raise LimitExceededError(f"more than {max_ops} opcodes")
            if frame_end is not None:
                end = cur.pos
                if end > frame_end:
                    raise _Unsafe(pos, name, "opcode crosses the end of its FRAME")
                if end == frame_end:
                    frame_end = None
            # The common opcodes first: constants and the memo.
            if name in _CONST_OPS:
                if isinstance(arg, (str, bytes, bytearray)) and len(arg) > _MAX_CONST:
                    if len(arg) > max_item:
                        raise LimitExceededError(f"item of {len(arg)} bytes")
                    stack.append(_OPAQUE)
                else:
                    stack.append(_Const(_CONST_OPS[name] if name in _FIXED else arg))
                continue
            if name == "MEMOIZE" or name in _PUT_OPS:
                if not stack:
                    raise _Unsafe(pos, name, "memoizing an empty stack")
                idx = len(memo) if name == "MEMOIZE" else int(arg)
                if idx < 0 or idx > 2 * len(memo) + 256:
                    raise _Unsafe(pos, name, f"memo index {idx} far beyond the memo size")
                memo[idx] = stack[-1]
                continue
            if name in _GET_OPS:
                if arg not in memo:
                    raise _Unsafe(pos, name, f"memo index {arg} was never set")
                stack.append(memo[arg])
                continue
            if name == "PROTO":
                if pos != start or not 0 <= arg <= 5:
                    raise _Unsafe(pos, name, f"unexpected PROTO {arg}")
                proto = arg
                if top:
                    result.protocol = arg
                continue
            if name in REFUSED_OPCODES:
                raise _Unsafe(pos, name, f"{name}: {REFUSED_OPCODES[name]} is refused")
            if name == "FRAME":
                if top:
                    result.frame_ops.append(pos)
                end = cur.pos
                if frame_end is not None:
                    raise _Unsafe(pos, name, "FRAME inside a FRAME")
                if arg > self.size - end:
                    raise _Unsafe(pos, name, "FRAME claims more bytes than remain")
                frame_end = end + arg if arg else None
                continue
            if name == "STOP":
                if frame_end is not None:
                    raise _Unsafe(pos, name, "STOP inside an unfinished FRAME")
                if metastack or len(stack) != 1:
                    raise _Unsafe(pos, name, "stack not balanced at STOP")
                return
            if name in ("MARK",):
                metastack.append(stack)
                stack = []
                if len(metastack) > limits.max_depth:
                    raise LimitExceededError(f"nesting deeper than {limits.max_depth}")
            elif name in ("GLOBAL", "INST"):
                module, qualname = arg
                g = self._global(module, qualname, pos, name, proto)
                if name == "INST":
                    # pop_mark rebinds ``stack``: take the arguments first, then push
                    inst_args = _Tuple(pop_mark(pos, name))
                    stack.append(_Obj(g, inst_args))
                else:
                    stack.append(g)
            elif name == "STACK_GLOBAL":
                qn = pop(pos, name)
                mod = pop(pos, name)
                if not (isinstance(mod, _Const) and isinstance(qn, _Const)):
                    raise _Unsafe(pos, name, "STACK_GLOBAL operands are not constant strings")
                stack.append(self._global(mod.value, qn.value, pos, name, proto))
            elif name == "REDUCE":
                args = pop(pos, name)
                func = pop(pos, name)
                if not isinstance(func, _Global):
                    raise _Unsafe(pos, name, "REDUCE calls a computed object, not a named global")
                if (
                    func.pair == _RECONSTRUCTOR
                    and isinstance(args, _Tuple)
                    and args.items
                    and isinstance(args.items[0], _Global)
                ):
                    # protocols 0-1: copyreg._reconstructor(cls, base, state) makes a cls
                    stack.append(_Obj(args.items[0], args))
                else:
                    stack.append(_Obj(func, args))
                self._nest(stack[-1], [])
            elif name in ("NEWOBJ", "NEWOBJ_EX"):
                if name == "NEWOBJ_EX":
                    pop(pos, name)
                args = pop(pos, name)
                cls = pop(pos, name)
                if not isinstance(cls, _Global):
                    raise _Unsafe(pos, name, f"{name} on a computed class")
                stack.append(_Obj(cls, args))
            elif name == "OBJ":
                items = pop_mark(pos, name)
                if not items or not isinstance(items[0], _Global):
                    raise _Unsafe(pos, name, "OBJ on a computed class")
                stack.append(_Obj(items[0], _Tuple(items[1:])))
            elif name == "BUILD":
                state = pop(pos, name)
                if not stack:
                    raise _Unsafe(pos, name, "stack underflow")
                target = stack[-1]
                if isinstance(target, _Global):
                    raise _Unsafe(
                        pos, name, f"BUILD sets state on {format_name(*target.pair)} itself"
                    )
                if isinstance(target, _Container):
                    self._nest(target, [state])
                if isinstance(target, _Obj):
                    target.state = state
                    if target.cls is not None and target.cls.pair in _DTYPE_CLASSES:
                        problem = _dtype_state_problem(target, state)
                        if problem:
                            raise _Unsafe(pos, name, problem)
                    if self.joblib and target.cls is not None and target.cls.pair == JOBLIB_WRAPPER:
                        if frame_end is not None:
                            raise _Unsafe(pos, name, "joblib array data inside a FRAME")
                        if not top:
                            raise _Unsafe(pos, name, "joblib array wrapper inside an object array")
                        result.wrapper_builds.append(pos)
                        self._joblib_array(target, pos)
                        stack[-1] = _OPAQUE
                problem = _array_state_problem(state)
                if problem:
                    raise _Unsafe(pos, name, problem)
            elif name in ("TUPLE", "LIST", "DICT", "FROZENSET", "POP_MARK"):
                items = pop_mark(pos, name)
                if name == "TUPLE":
                    stack.append(_Tuple(items))
                elif name == "DICT":
                    d = _Dict()
                    self._set_items(d, items)
                    stack.append(d)
                elif name != "POP_MARK":
                    stack.append(_Box(items))
                if name != "POP_MARK":
                    self._nest(stack[-1], [])
            elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
                n = int(name[-1])
                if len(stack) < n:
                    raise _Unsafe(pos, name, "stack underflow")
                items = stack[-n:]
                del stack[-n:]
                stack.append(_Tuple(items))
                self._nest(stack[-1], [])
            elif name == "EMPTY_TUPLE":
                stack.append(_Tuple([]))
            elif name == "EMPTY_DICT":
                stack.append(_Dict())
            elif name in ("EMPTY_LIST", "EMPTY_SET"):
                stack.append(_Box([]))
            elif name in ("APPEND", "SETITEM", "APPENDS", "SETITEMS", "ADDITEMS"):
                if name == "APPEND":
                    items = [pop(pos, name)]
                elif name == "SETITEM":
                    v = pop(pos, name)
                    k = pop(pos, name)
                    items = [k, v]
                else:
                    items = pop_mark(pos, name)
                if not stack:
                    raise _Unsafe(pos, name, "stack underflow")
                target = stack[-1]
                if isinstance(target, _Global):
                    raise _Unsafe(pos, name, f"{name} on a class or function object")
                if name in ("SETITEM", "SETITEMS") and isinstance(target, _Dict):
                    self._set_items(target, items)
                if isinstance(target, _Container):
                    self._nest(target, items)
                if isinstance(target, _Box) and name in ("APPEND", "APPENDS", "ADDITEMS"):
                    target.count += len(items)
            elif name == "POP":
                if stack:
                    popped = stack.pop()
                    if isinstance(popped, _Obj):
                        self.result.notes.append(
                            Finding(pos, name, "the result of a call is discarded")
                        )
                else:
                    pop_mark(pos, name)
            elif name == "DUP":
                if not stack:
                    raise _Unsafe(pos, name, "stack underflow")
                stack.append(stack[-1])
            else:
                raise _Unsafe(pos, name, f"opcode {name} is not supported")

    def _nest(self, target: _Sym, children: list[_Sym]) -> None:
        """Record that ``children`` now live inside ``target``; enforce the depth limit."""
        if not isinstance(target, _Container):
            return
        if children:
            target.depth = max(target.depth, 1 + max(_depth(c) for c in children))
        if target.depth > self.limits.max_depth:
            raise LimitExceededError(f"containers nested deeper than {self.limits.max_depth}")

    @staticmethod
    def _set_items(d: _Dict, items: list[_Sym]) -> None:
        if len(items) % 2:
            raise _Unsafe(0, "SETITEMS", "odd number of items for a dict")
        for k, v in zip(items[::2], items[1::2], strict=True):
            if isinstance(k, _Const) and isinstance(k.value, str):
                d.items[k.value] = v

    def _joblib_array(self, wrapper: _Obj, pos: int) -> None:
        """Skip (and for object arrays, scan) the raw array data joblib put after the BUILD."""
        state = wrapper.state
        if not isinstance(state, _Dict):
            raise _Unsafe(pos, "BUILD", "joblib array wrapper state is not a dict")
        s = state.items
        sub = s.get("subclass")
        if not (isinstance(sub, _Global) and sub.pair in _NDARRAY_CLASSES):
            raise _Unsafe(pos, "BUILD", "joblib array subclass must be numpy.ndarray or memmap")
        try:
            shape = _const_value(s["shape"])
            order = _const_value(s["order"])
            itemsize, hasobject = _dtype_layout(s["dtype"])
            align = (
                _const_value(s["numpy_array_alignment_bytes"])
                if ("numpy_array_alignment_bytes" in s)
                else None
            )
        except KeyError as exc:
            raise _Unsafe(pos, "BUILD", f"joblib array metadata not understood: {exc}") from None
        if not (isinstance(shape, tuple) and all(type(n) is int and n >= 0 for n in shape)):
            raise _Unsafe(pos, "BUILD", "joblib array shape is not a tuple of sizes")
        if order not in ("C", "F"):
            raise _Unsafe(pos, "BUILD", "joblib array order must be 'C' or 'F'")
        start = self.cur.pos
        if hasobject:
            self._stream(top=False)  # a nested pickle of the object array
            self.result.array_regions.append((start, self.cur.pos))
            return
        count = 1
        for n in shape:
            count *= n
        nbytes = count * itemsize
        if nbytes > self.limits.max_item_size:
            raise LimitExceededError(f"array of {nbytes} bytes")
        if align is not None:
            if start >= self.size:
                raise _Unsafe(start, "BUILD", "truncated joblib array padding")
            pad = self.cur.buf[start]
            if pad > 64:
                raise _Unsafe(start, "BUILD", "joblib array padding too long")
            self.cur.pos = start + 1 + pad
        data_start = self.cur.pos
        if data_start + nbytes > self.size:
            raise _Unsafe(start, "BUILD", "joblib array data runs past the end of the file")
        self.cur.pos = data_start + nbytes
        self.result.array_regions.append((start, data_start + nbytes))


def analyze(
    data: Buffer,
    *,
    policy: Policy,
    limits: Limits | None = None,
    joblib: bool = False,
) -> StreamAnalysis:
    """Walk one pickle stream (``joblib=True``: with joblib's inline arrays) without executing it.

    Never raises for bad input: every problem becomes a finding in the returned analysis.
    """
    return _Walker(data, policy, limits or Limits(), joblib).run()


def refuse_unless_clean(analysis: StreamAnalysis, source: str) -> None:
    """Raise ``MalformedArtifactError`` for structural problems (not for untrusted names)."""
    if analysis.problems:
        first = analysis.problems[0]
        more = f" (and {len(analysis.problems) - 1} more)" if len(analysis.problems) > 1 else ""
        error = LimitExceededError if first.limit else MalformedArtifactError
        raise error(
            f"{source} was refused before loading: {first.message} at byte {first.offset}"
            f"{more}. Nothing was deserialized. Run `safeload scan {source}` for details.",
            path=source,
        )
