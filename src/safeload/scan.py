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
import mmap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from safeload import _gc
from safeload._allowlist import NUMPY_SCALAR_TYPES
from safeload._numpy_state import (
    _array_state_problem,
    _dtype_layout,
    _dtype_state_problem,
    _NotCanonical,
    real_dtype,
)
from safeload._opcodes import Cursor
from safeload._symbolic import (
    _OPAQUE,
    CODECS_ENCODE,
    DTYPE_CLASSES,
    FOLD_UNITS_BASE,
    FOLD_UNITS_PER_BYTE,
    FoldBudget,
    _Array,
    _Big,
    _Box,
    _Bytes,
    _Const,
    _const_value,
    _Container,
    _Dict,
    _fold,
    _Global,
    _max_depth,
    _Obj,
    _Sym,
    _Tuple,
    freeze,
)
from safeload._threads import switch_point
from safeload._types import Buffer
from safeload.exceptions import LimitExceededError, MalformedArtifactError, UnsafeStateError
from safeload.policy import Limits, Policy, format_name
from safeload.trust.native import made_by_call, native_state_problem
from safeload.trust.pandas_forms import (
    CALLS as PANDAS_CALLS,
)
from safeload.trust.pandas_forms import (
    NDARRAY_BACKED,
    NEWOBJ_ONLY,
    ONE_BUILD,
    PANDAS_NAMES,
    REFERENCE_ONLY,
)
from safeload.trust.profiles import NATIVE_STATES

__all__ = [
    "Finding",
    "GlobalRef",
    "ScanReport",
    "StreamAnalysis",
    "analyze",
]

JOBLIB_WRAPPER: Final = ("joblib.numpy_pickle", "NumpyArrayWrapper")
_NDARRAY_CLASSES: Final = {("numpy", "ndarray"), ("numpy", "memmap")}
#: Last name components of joblib's array placeholders (current and legacy). joblib reads raw
#: array bytes after such an object's BUILD, so a stream naming one is joblib content whatever
#: the spelling (dotted qualname, module alias, text escapes), and only the joblib reading of it
#: says what ``joblib.load`` does.
JOBLIB_WRAPPER_NAMES: Final = frozenset({"NumpyArrayWrapper", "NDArrayWrapper", "ZNDArrayWrapper"})
#: Opcodes refused outright, with the reason.
REFUSED_OPCODES: Final = {
    "EXT1": "extension-registry global (no name in the stream)",
    "EXT2": "extension-registry global (no name in the stream)",
    "EXT4": "extension-registry global (no name in the stream)",
    "PERSID": "persistent id (loads an object from outside the stream)",
    "BINPERSID": "persistent id (loads an object from outside the stream)",
    "NEXT_BUFFER": "out-of-band buffer (data from outside the stream)",
    "READONLY_BUFFER": "out-of-band buffer (data from outside the stream)",
}
_MAX_CONST: Final = 1024
#: scikit-learn's decision tree: its node arrays are indexes that predict() follows unchecked.
_TREE: Final = ("sklearn.tree._tree", "Tree")
#: What makes scikit-learn's native structures, whose C-level ``__setstate__`` the library calls
#: once, right after making them. A second BUILD (or one after the object was used) would let
#: the pass check one state while the object ends with another (r15-06).
_ONE_NATIVE_STATE: Final = frozenset(
    {
        _TREE,
        ("sklearn.neighbors._kd_tree", "KDTree"),
        ("sklearn.neighbors._kd_tree", "newObj"),
        ("sklearn.neighbors._ball_tree", "BallTree"),
        ("sklearn.neighbors._ball_tree", "newObj"),
        ("sklearn.metrics._dist_metrics", "newObj"),
    }
)
_RECONSTRUCT: Final = frozenset(
    {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
)
#: A protocol 5 array is ``numpy..._frombuffer(bytearray, dtype, shape, order)``. A
#: ``BYTEARRAY8`` of at least ``VIEW_FROM`` bytes that only such a call consumes is listed in
#: ``StreamAnalysis.buffer_views``: a reader may give numpy a view of the file buffer instead.
#: (Smaller arrays are copied: a view keeps the whole buffer alive.)
_FROMBUFFER: Final = frozenset(
    {("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer")}
)
VIEW_FROM: Final = 4096
_FIXED: Final = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}
#: Opcodes that push one constant (the value is the decoded argument, or fixed).
_CONST_OPS: Final[dict[str, Any]] = {
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
#: Opcodes that occur at most a few times per stream; one membership test skips all of them.
_RARE_OPS: Final = frozenset({"PROTO", "FRAME", "STOP", *REFUSED_OPCODES})
_PUT_OPS: Final = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_GET_OPS: Final = frozenset({"GET", "BINGET", "LONG_BINGET"})
_RECONSTRUCTOR: Final = ("copyreg", "_reconstructor")
#: Allowed callables whose result is an instance of the class passed as their first argument
#: (``_reconstructor(cls, base, state)`` is ``base.__new__(cls, state)``; the bit generator
#: helper calls ``cls()``). With a literal class there, the result is of that class; with
#: anything else (an argument tuple made by a call, a class fetched out of a container made by
#: a call) the pass cannot tell what the result is, and it becomes an object of unknown class.
#: Calls that allocate an array of the shape in argument N (see _Walker._empty_shape).
_EMPTY_SHAPE_ARG: Final[dict[tuple[str, str], int]] = {
    ("numpy", "ndarray"): 0,
    ("numpy.core.multiarray", "_reconstruct"): 1,
    ("numpy._core.multiarray", "_reconstruct"): 1,
    ("numpy.ma.core", "_mareconstruct"): 2,
}
_CLASS_FROM_ARG: Final = frozenset(
    {_RECONSTRUCTOR, ("numpy.random._pickle", "__bit_generator_ctor")}
)
#: Targets whose BUILD hands its state to ``ndarray.__setstate__`` (masked arrays: to it and to
#: their mask's); their state must be a literal array state the pass can check in full.
_ARRAY_MAKERS: Final = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.ma.core", "_mareconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "memmap"),
        ("numpy.ma", "MaskedArray"),
        ("numpy.ma.core", "MaskedArray"),
    }
)
#: Calls whose arguments end up stored in what they make (checked by safeload.trust.static).
_STORING_CALLS: Final = frozenset(
    {
        ("builtins", "list"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "tuple"),
        ("builtins", "dict"),
        # narrowed by the unpickler (sized by a number from the file otherwise): scan checks
        # each call, also one whose result the stream discards
        ("builtins", "bytearray"),
        ("builtins", "bytes"),
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("functools", "partial"),
        # a namedtuple whose fields the dispatch table pins: its state is its call arguments
        ("sklearn.impute._iterative", "_ImputerTriplet"),
    }
)


#: Calls that make a plain dict, list or set (or a subclass that keeps their item methods): the
#: only objects, besides the containers the stream builds with EMPTY_DICT/DICT, EMPTY_LIST/LIST
#: and EMPTY_SET, that SETITEM(S), APPEND(S) and ADDITEMS may fill (an OrderedDict or Bunch is
#: pickled as a call and then SETITEMS). On anything else those opcodes call the target's own
#: ``__setitem__``/``append``/``extend``/``add``: an array's writes into data the pass has
#: checked, a list's takes slice keys (``lst[:] = []``). tests/test_scan.py checks that each
#: class keeps the builtin item methods.
DICT_MAKERS: Final = frozenset(
    {
        ("builtins", "dict"),
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("sklearn.utils._bunch", "Bunch"),
    }
)
LIST_MAKERS: Final = frozenset({("builtins", "list")})
SET_MAKERS: Final = frozenset({("builtins", "set")})


def _kind(sym: _Sym) -> str:
    """A short description of a symbolic value, with its article, for findings."""
    if isinstance(sym, _Obj):
        if sym.cls is None:
            return "an object of a class the pass cannot see"
        return f"an object made by {format_name(*sym.cls.pair)}"
    if isinstance(sym, _Box):
        return f"a {sym.kind}"
    if isinstance(sym, _Dict):
        return "a dict"
    if isinstance(sym, _Tuple):
        return "a tuple"
    if isinstance(sym, (_Array, _Bytes)):
        return "an array"
    return "a constant"


def _mutation_problem(name: str, target: _Sym) -> str | None:
    """Why SETITEM(S)/APPEND(S)/ADDITEMS on ``target`` is refused, or ``None``.

    The pass models these opcodes only on a container the stream is still building: a dict
    (list, set) it made itself or one made by a call in ``DICT_MAKERS`` (...), not yet handed
    to a call or BUILD. Honest pickles fill each container right after making it, before
    anything consumes it (checked on the test corpora, every protocol and joblib)."""
    if name in ("SETITEM", "SETITEMS"):
        ok = isinstance(target, _Dict) or (
            isinstance(target, _Obj) and target.cls is not None and target.cls.pair in DICT_MAKERS
        )
        method = "__setitem__"
    elif name == "ADDITEMS":
        ok = (isinstance(target, _Box) and target.kind == "set") or (
            isinstance(target, _Obj) and target.cls is not None and target.cls.pair in SET_MAKERS
        )
        method = "add"
    else:
        ok = (isinstance(target, _Box) and target.kind == "list") or (
            isinstance(target, _Obj) and target.cls is not None and target.cls.pair in LIST_MAKERS
        )
        method = "append/extend"
    if not ok:
        return (
            f"{name} on {_kind(target)}: the unpickler would call its {method} (an array "
            "writes into data the pass checked, a list takes slice keys); only a plain "
            "container the stream is building may be filled"
        )
    if isinstance(target, _Container) and target.frozen:
        return (
            f"{name} changes {_kind(target)} after it was handed to a call or BUILD (the "
            "callee may keep it, as numpy keeps a dtype's fields dict, or may have copied it): "
            "the pass checked it as it was"
        )
    return None


def _is_dunder(key: str) -> bool:
    return len(key) > 4 and key.startswith("__") and key.endswith("__")


_BIT_GENERATOR_CTOR: Final = ("numpy.random._pickle", "__bit_generator_ctor")
#: numpy's bit generators and seed sequence, named only as the argument of their pickle helper.
_BIT_GENERATORS: Final = frozenset(
    {
        ("numpy.random._mt19937", "MT19937"),
        ("numpy.random._pcg64", "PCG64"),
        ("numpy.random._pcg64", "PCG64DXSM"),
        ("numpy.random._philox", "Philox"),
        ("numpy.random._sfc64", "SFC64"),
        ("numpy.random.bit_generator", "SeedSequence"),
    }
)


def _has_setstate(target: _Sym, policy: Policy) -> bool:
    """Whether BUILD hands its state to the target's ``__setstate__`` (a trusted class that
    defines one; a bit generator made by name), so that a ``(state, slotstate)`` pair is not
    applied with ``setattr``. Anything the pass cannot resolve is taken not to."""
    if not (isinstance(target, _Obj) and target.cls is not None):
        return False
    pair = target.cls.pair
    if pair == _BIT_GENERATOR_CTOR or pair in ONE_BUILD:
        return True  # pandas': the checked __setstate__ (safeload.trust.pandas_forms)
    if not policy.allows(*pair):
        return False  # refused anyway, as an untrusted name
    from safeload.trust.facts import setstate_from_facts

    known = setstate_from_facts(pair[0], pair[1])
    if known is not None:
        return known
    from safeload.trust.usetime import resolve_class

    cls = resolve_class(*pair)
    return cls is not None and getattr(cls, "__setstate__", None) is not None


def _state_keys_problem(state: _Sym, target: _Sym, policy: Policy) -> str | None:
    """Why a BUILD state's dicts are refused, or ``None``: a key the pass cannot evaluate
    (it could override a key the pass read; dunder keys are :func:`_dunder_key`'s). For a
    class without ``__setstate__``, a ``(state, slotstate)`` pair's slot state must be
    ``None`` or a literal dict: the unpickler ``setattr``s each of its items on the object."""
    # the dicts whose keys reach setattr or a __setstate__: the state, and the items of a
    # tuple state (a slot state, a functools.partial's keywords, a Cython object's __dict__)
    dicts: list[_Sym] = list(state.items) if isinstance(state, _Tuple) else [state]
    if isinstance(state, _Tuple) and len(state.items) == 2:
        slots = state.items[1]
        if not (
            isinstance(slots, _Dict)
            or (isinstance(slots, _Const) and slots.value is None)
            or _has_setstate(target, policy)
        ):
            return (
                f"BUILD slot state that is {_kind(slots)}: the unpickler would setattr each "
                "of its items (__class__ included) on the object; only a literal dict is "
                "allowed"
            )
    for d in dicts:
        if not isinstance(d, _Dict):
            continue
        if d.unknown_keys:
            return (
                "BUILD state dict with a key made by a call: the pass cannot tell which key "
                "it is (builtins.str('shape') overrides 'shape')"
            )
    return None


def _slot_items_problem(state: _Sym, target: _Sym, policy: Policy) -> str | None:
    """Hook: a ``(state, slot state)`` BUILD whose slot state has items, on a class without
    its own ``__setstate__``: the unpickler ``setattr``s each item while loading, running
    property setters (a sparse matrix's ``shape`` setter reshapes arrays nothing has checked
    yet, rt24-18). Pickle writes a slot state only for classes with ``__slots__``, and none on
    the allowlist is pickled with one."""
    if not (isinstance(state, _Tuple) and len(state.items) == 2):
        return None
    slots = state.items[1]
    if (
        isinstance(slots, _Dict)
        and (slots.items or slots.lossy or slots.unknown_keys)
        and not _has_setstate(target, policy)
    ):
        return (
            "BUILD slot state with items: the unpickler would setattr each while loading, "
            "running whatever setter the class defines; no allowed class is pickled with one"
        )
    return None


def _dunder_key(state: _Sym) -> str | None:
    """A dunder key (``__class__``, ``__sklearn_tags__``) among the attributes a BUILD state
    sets (a state dict, or the dicts of a ``(state, slotstate)`` pair), or ``None``: as a slot
    item ``__class__`` swaps the object's class under the pass, and in an instance dict a
    dunder shadows what the class defines."""
    dicts: list[_Sym] = [state]
    if isinstance(state, _Tuple):
        dicts = list(state.items) if len(state.items) == 2 else []
    for d in dicts:
        if isinstance(d, _Dict):
            for key in d.items:
                if _is_dunder(key):
                    return str(key)
    return None


def _may_hold_globals(items: list[_Sym]) -> bool:
    """Whether stored ``items`` may carry a global as a value (a global, or a literal tuple or
    dict around one): only those are kept for the use-time pass."""
    for item in items:
        if isinstance(item, _Global) or isinstance(item, _Tuple) or isinstance(item, _Dict):
            return True
    return False


#: The opcodes that make up most of a scikit-learn pickle, decoded inline by the walker (byte ->
#: name, argument length); they have no branch in the general chain. Anything else goes through
#: the general decoder, and so do these when their argument runs past the end of the buffer,
#: where the decoder raises. These make up about 80% of a forest's opcodes.
_FAST: Final[dict[int, tuple[str, int]]] = {
    0x68: ("BINGET", 1),
    0x94: ("MEMOIZE", 0),
    0x71: ("BINPUT", 1),
    0x4B: ("BININT1", 1),
    0x4E: ("NONE", 0),
    0x28: ("MARK", 0),
    0x4D: ("BININT2", 2),
    0x88: ("NEWTRUE", 0),
    0x89: ("NEWFALSE", 0),
    0x29: ("EMPTY_TUPLE", 0),
    0x7D: ("EMPTY_DICT", 0),
}
#: ``_FAST`` as two tables indexed by the opcode byte (argument length -1: not inline), so the
#: hot loop indexes a tuple instead of hashing a key.
_FAST_ARG: Final[tuple[int, ...]] = tuple(_FAST[b][1] if b in _FAST else -1 for b in range(256))
_FAST_NAME: Final[tuple[str, ...]] = tuple(_FAST[b][0] if b in _FAST else "" for b in range(256))


#: Every 4096 opcodes the walker calls an interpreted function, where the interpreter may hand
#: the GIL to a thread that has waited for it (see safeload._threads). Compiled with mypyc the
#: walker never does so on its own, and a large load hashes the file in another thread that
#: needs the GIL to start each chunk: without this, hashing stalled for the whole pass and
#: verification waited for it afterwards.
_YIELD_MASK: Final = 4095


def _fetched_again(got: _Sym) -> None:
    """A memo GET or DUP pushes ``got`` a second time: a large bytearray in it (itself, or the
    buffer argument of a ``_frombuffer`` call) may now reach another consumer, so it stays a
    bytearray."""
    if isinstance(got, _Bytes):
        got.shared = True
    elif isinstance(got, _Tuple) and got.items:
        first = got.items[0]
        if isinstance(first, _Bytes):
            first.shared = True


def _memo_put(memo: list[_Sym | None], idx: int, value: _Sym) -> int:
    """Store ``value`` at memo index ``idx`` (already bounds-checked by the caller), growing the
    list as needed; returns 1 if the index was unset (the memo has one entry more), else 0."""
    if idx >= len(memo):
        memo.extend([None] * (idx + 1 - len(memo)))
    added = 1 if memo[idx] is None else 0
    memo[idx] = value
    return added


#: Modules that a library's own build records under a bare name. scikit-learn 1.7's wheels pickle
#: their Cython loss classes as ``_loss.CyHalfBinomialLoss`` and so on: ``_loss`` is importable
#: there only because importing ``sklearn._loss._loss`` also registers it under its bare name.
#: Such a name is checked against the allowlist, and resolved, as the real module: never as
#: whatever top-level ``_loss`` the import path might offer.
BARE_MODULES: Final = {"_loss": "sklearn._loss._loss"}


def py3_name(module: str, qualname: str, protocol: int) -> tuple[str, str]:
    """The name the unpickler really resolves: protocols 0-2 write Python 2 names (``copy_reg``,
    ``__builtin__``) that pickle maps through a fixed table; we apply the same table. A bare
    module name of ``BARE_MODULES`` becomes the module it stands for."""
    if protocol < 3:
        if (module, qualname) in _compat_pickle.NAME_MAPPING:
            mapped: tuple[str, str] = _compat_pickle.NAME_MAPPING[(module, qualname)]
            return mapped
        if module in _compat_pickle.IMPORT_MAPPING:
            return _compat_pickle.IMPORT_MAPPING[module], qualname
    if module in BARE_MODULES:
        return BARE_MODULES[module], qualname
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
    #: the state the stream gives an allowed object would make it misbehave when used
    use_time: bool = False


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
    #: plain pickle only: (offset of the BYTEARRAY8 opcode, data size) of each large bytearray
    #: that is nothing but the buffer of one numpy ``_frombuffer`` call (see ``VIEW_FROM``).
    buffer_views: list[tuple[int, int]] = field(default_factory=list)
    #: raw (module, name) as written in the stream -> the name that is resolved.
    resolved: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    #: For the use-time pass (safeload.trust.static): (offset, object, state) of every BUILD
    #: on a named class, (offset, object) of every object made by a call or NEWOBJ, and
    #: (offset, container, items) of everything stored into a container.
    builds: list[tuple[int, Any, Any]] = field(default_factory=list)
    calls: list[tuple[int, Any]] = field(default_factory=list)
    #: (offset, object) of every REDUCE, INST or OBJ that calls a named global with arguments:
    #: a class's ``__init__`` stores them, out of reach of the rules on BUILD states.
    arg_calls: list[tuple[int, Any]] = field(default_factory=list)
    #: (offset, object) of every call of a pandas function (safeload.trust.pandas_forms): scan
    #: runs its checked form also when the stream discards the result.
    pandas_calls: list[tuple[int, Any]] = field(default_factory=list)
    stored: list[tuple[int, Any, list[Any]]] = field(default_factory=list)
    #: Only with ``analyze(..., keep_values=True)`` (the differential fuzz target): the symbolic
    #: value the top-level stream returns and its memo (index -> value, ``None`` unset) at STOP.
    kept: tuple[Any, list[Any]] | None = None
    #: Scan only: the value the top-level stream returns (for the native-structure checks).
    root: Any = None
    #: Read as a plain pickle, the stream names a joblib array placeholder (and was refused):
    #: it is joblib content, which only the joblib reading describes.
    joblib_content: bool = False

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


class _Unsafe(Exception):
    def __init__(self, offset: int, opcode: str, message: str, use_time: bool = False) -> None:
        super().__init__(message)
        self.finding = Finding(offset, opcode, message, use_time=use_time)


# --- the walker ----------------------------------------------------------------------------


class _Frame:
    """The state of one stream's walk that the opcode handlers share: the stack and the
    stacks a MARK put aside, the memo, the end of the current FRAME, the protocol, and where
    the stream starts. A nested joblib object array is walked with a frame of its own."""

    def __init__(self, top: bool) -> None:
        #: the top-level stream (not a joblib object array's nested pickle)
        self.top = top
        self.stack: list[_Sym] = []
        self.metastack: list[list[_Sym]] = []
        #: memo index -> value (``None``: unset)
        self.memo: list[_Sym | None] = []
        self.frame_end: int | None = None
        self.proto = 0
        self.start = 0

    def pop(self, pos: int, name: str) -> _Sym:
        """Take the top item off the stack."""
        if not self.stack:
            raise _Unsafe(pos, name, "stack underflow")
        return self.stack.pop()

    def peek(self, pos: int, name: str) -> _Sym:
        """The top item, left on the stack."""
        if not self.stack:
            raise _Unsafe(pos, name, "stack underflow")
        return self.stack[-1]

    def pop_mark(self, pos: int, name: str) -> list[_Sym]:
        """Take the items above the last MARK off the stack (and the MARK)."""
        if not self.metastack:
            raise _Unsafe(pos, name, "MARK expected but missing")
        items = self.stack
        self.stack = self.metastack.pop()
        return items


def _rebuild_problem(target: _Obj) -> str | None:
    """Hook: why a BUILD on ``target`` is refused because it was given a state already, or
    was used (handed to a call or a state): numpy writes one state per array or dtype, and
    scikit-learn one per native structure (trees, neighbor trees, metrics), before anything
    uses it; another would change it under whatever holds it, after the pass checked it."""
    cls = target.cls
    if cls is None or (target.state is None and not target.frozen):
        return None
    if cls.pair in _ARRAY_MAKERS or cls.pair in DTYPE_CLASSES:
        return (
            "BUILD on a numpy array or dtype that was already built or used (handed to a call "
            "or a state; numpy writes one state for each, before anything uses it)"
        )
    if cls.pair in _ONE_NATIVE_STATE or cls.pair[0] == "sklearn.metrics._dist_metrics":
        return (
            f"a second BUILD on what {format_name(*cls.pair)} makes, or one after it was used: "
            "scikit-learn writes one state for its native structures (trees, neighbor trees, "
            "metrics), and the pass checks that one"
        )
    if target.state is not None:
        # pickle writes one state per object; a second one merges into the first (an
        # estimator's n_features_in_ after its tree was checked, rt24-19; a joblib
        # placeholder's alignment, rt24-02), and the checks saw each alone
        return (
            f"a second BUILD on what {format_name(*cls.pair)} makes: pickle writes one state "
            "per object, and the checks judge that one"
        )
    return None


#: The bases ``copyreg`` writes for the classes a model holds at protocols 0-1 (the first
#: non-heap type of the MRO): ``object``, or a builtin value type the class extends.
_RECONSTRUCTOR_BASES: Final = frozenset(
    ("builtins", n)
    for n in ("object", "dict", "list", "set", "frozenset", "tuple", "int", "float", "str")
)


def _reconstructor_base_problem(args: _Sym, policy: Policy) -> str | None:
    """``copyreg._reconstructor(cls, base, state)`` runs ``base.__new__(cls, state)`` and,
    unless ``base`` is ``object``, ``base.__init__(obj, state)``: with a Python class as the
    base, its ``__init__`` stores ``state`` as a parameter no rule on BUILD states sees
    (rt23-06). Only the bases copyreg itself writes are allowed (an untrusted base is
    refused as untrusted)."""
    if not isinstance(args, _Tuple):
        return (
            "copyreg._reconstructor on arguments made by a call: the pass cannot prove what "
            "it makes (an object of a class the pass cannot see, on whose arguments a base's "
            "__init__ may run); pickle writes them as a tuple"
        )
    base = args.items[1] if len(args.items) > 1 else None
    if isinstance(base, _Global) and base.pair in _RECONSTRUCTOR_BASES:
        state = args.items[2] if len(args.items) > 2 else None
        if base.pair == ("builtins", "tuple") and not isinstance(state, _Tuple):
            # tuple.__new__(cls, state) takes any iterable: a list or a dict's keys would be
            # a namedtuple's fields that no rule reads (rt25-09); copyreg writes a tuple
            return (
                "copyreg._reconstructor with the base builtins.tuple on something else than a "
                "tuple: copyreg writes the fields as a tuple"
            )
        if base.pair != ("builtins", "object") and isinstance(state, _Obj):
            # base.__init__(obj, state) runs on it: dict(range(5)) and the like (rt24-13)
            return (
                f"copyreg._reconstructor with the base {format_name(*base.pair)} on a value "
                "made by a call: the pass cannot prove what the base's __init__ receives"
            )
        return None
    if isinstance(base, _Global) and not policy.allows(*base.pair):
        return None
    what = format_name(*base.pair) if isinstance(base, _Global) else "a computed value"
    return (
        f"copyreg._reconstructor with the base {what}: it would run that base's "
        "__init__ on the call's arguments; copyreg writes object or a builtin type"
    )


#: scikit-learn's ``newObj(cls)`` helpers (``cls.__new__(cls)``), each written only for the
#: Cython classes of its own module (neighbor trees, distance metrics).
_NEW_OBJ: Final = frozenset(
    {
        ("sklearn.neighbors._kd_tree", "newObj"),
        ("sklearn.neighbors._ball_tree", "newObj"),
        ("sklearn.metrics._dist_metrics", "newObj"),
    }
)
#: numpy's random-state helpers ``ctor(name, bit_generator_ctor)``: they call their second
#: argument with the first, so only numpy's own helper may be given.
_RANDOM_STATE_CTORS: Final = frozenset(
    {
        ("numpy.random._pickle", "__generator_ctor"),
        ("numpy.random._pickle", "__randomstate_ctor"),
    }
)


#: Types pickle never calls (their values are constants); see _call_form_problem.
_NEVER_CALLED: Final = frozenset(("builtins", n) for n in ("str", "int", "float", "bool"))
_NUMPY_SCALAR_TYPES: Final = frozenset(NUMPY_SCALAR_TYPES)
_RANGE: Final = ("builtins", "range")
#: The longest range a stream may make (usetime.MAX_RANGE holds one kept as data to the same
#: bound; tests/test_scan.py checks they agree): handed to a call, a range becomes as many
#: items (numpy.float64(range(2**31)), rt25-03).
MAX_RANGE: Final = 1 << 20


def _range_problem(items: list[_Sym]) -> str | None:
    """A ``range`` call: literal int bounds, at most ``MAX_RANGE`` items."""
    bounds = [i.value for i in items if isinstance(i, _Const) and type(i.value) is int]
    if len(bounds) != len(items) or not 1 <= len(bounds) <= 3:
        return "builtins.range with bounds the pass cannot read"
    try:
        length = len(range(*bounds))
    except (ValueError, OverflowError):  # a zero step, a length over sys.maxsize
        length = MAX_RANGE + 1
    if length > MAX_RANGE:
        return f"builtins.range of more than {MAX_RANGE:,} items"
    return None


def unfolded(sym: Any, cap: int, memo: dict[int, tuple[Any, int]]) -> int:
    """How many nodes ``sym`` unfolds into through tuples, lists, sets and dicts (a dict's
    values, other keys included), every shared container counted once per path; at most
    ``cap + 1``. ``memo`` (id -> the container and its count) makes it linear; it keeps each
    container, so an id stays its own while the memo lives."""
    if not (isinstance(sym, _Tuple) or isinstance(sym, _Box) or isinstance(sym, _Dict)):
        return 1
    known = memo.get(id(sym))
    if known is not None:
        return known[1]
    if isinstance(sym, _Dict):
        items: list[_Sym] = list(sym.items.values()) + (sym.others or [])
    else:
        items = sym.items
    total = 1
    for item in items:
        total += unfolded(item, cap, memo)
        if total > cap:
            total = cap + 1
            break
    memo[id(sym)] = (sym, total)
    return total


def _call_form_problem(pair: tuple[str, str], args: _Sym, policy: Policy) -> str | None:
    """Hook: the forms of a call (REDUCE, INST, OBJ) that pickle never writes and the pass
    cannot follow, refused before anything is built (red teams 23 and 24)."""
    if pair == _RECONSTRUCTOR:
        return _reconstructor_base_problem(args, policy)
    if not isinstance(args, _Tuple):
        # the C unpickler calls func(*args) only with a tuple, joblib's Python unpickler with
        # any iterable; a tuple made by a call hides what the callee gets from every check
        return (
            f"a call of {format_name(*pair)} on arguments made by a call: the pass cannot "
            "prove what it receives; pickle writes the arguments as a tuple"
        )
    items = args.items
    if pair in _NEVER_CALLED or (pair[0] == "numpy" and pair[1] in _NUMPY_SCALAR_TYPES):
        # a value of these types is a constant in a pickle (numpy scalars: multiarray.scalar);
        # called on what the stream built, they run its __str__/__int__/__array__ while
        # loading: str(crafted sparse matrix) wrote out of bounds, int(Decimal('1E+1000000'))
        # and float64(range(n)) cost what the file asks (rt25-01/03/10)
        return f"a call of {format_name(*pair)}: pickle writes its values as constants"
    if pair == ("numpy.random.mtrand", "RandomState") and items:
        return "numpy.random.RandomState called with a seed: numpy pickles it by name and state"
    if pair == _RANGE:
        return _range_problem(items)
    if pair in _NEW_OBJ:
        first = items[0] if len(items) == 1 else None
        if not (isinstance(first, _Global) and first.pair[0] == pair[0]):
            what = format_name(*first.pair) if isinstance(first, _Global) else "another value"
            return (
                f"{format_name(*pair)} on {what}: scikit-learn writes it only for the classes "
                "of its own module"
            )
    if pair in _RANDOM_STATE_CTORS and len(items) > 1:
        second = items[1]
        if not (isinstance(second, _Global) and second.pair == _BIT_GENERATOR_CTOR):
            return (
                f"{format_name(*pair)} given a constructor other than numpy's "
                "__bit_generator_ctor: it would call it with the first argument"
            )
    if pair in _BIT_GENERATORS and items:
        # numpy pickles them by __bit_generator_ctor and a state dict; a seed from the file
        # costs time quadratic in its size (SeedSequence's int-to-words loop, rt24-15)
        return (
            f"{format_name(*pair)} called with arguments: numpy pickles bit generators by "
            "name and state, never seeds them from the file"
        )
    if pair == ("_codecs", "encode") and not (
        len(items) == 2 and isinstance(items[1], _Const) and items[1].value in ("latin1", "latin-1")
    ):
        # protocol 2's form of bytes; another codec (punycode) costs quadratic time (rt24-15)
        return "_codecs.encode with another codec than latin-1, the only one pickle writes"
    if pair[1] in JOBLIB_WRAPPER_NAMES and items:
        return (
            f"{format_name(*pair)} called with arguments: its __init__ sets fields (the "
            "alignment) that decide how joblib reads the array data; joblib writes it by NEWOBJ"
        )
    return None


def _class_from_arg(func: _Global, args: _Sym) -> _Obj:
    """Hook: what a call of ``_CLASS_FROM_ARG`` makes. With a literal class as the first
    argument (protocols 0-1: ``copyreg._reconstructor(cls, base, state)``), an object of that
    class; a bit generator named by a string, one of the helper's; anything else, an object
    of a class the pass cannot see."""
    first = args.items[0] if isinstance(args, _Tuple) and args.items else None
    if isinstance(first, _Global):
        return _Obj(first, args)
    if (
        func.pair != _RECONSTRUCTOR
        and isinstance(args, _Tuple)
        and (first is None or isinstance(first, _Const))
        and (first is None or type(first.value) is str)
    ):
        return _Obj(func, args)  # a bit generator by name
    return _Obj(None, args)  # a class the pass cannot see


class _Walker:
    def __init__(self, data: Buffer, policy: Policy, limits: Limits, joblib: bool):
        self.data = data
        self.size = len(data)
        self.cur = Cursor(data if isinstance(data, (bytes, bytearray, mmap.mmap)) else bytes(data))
        self.policy = policy
        self.limits = limits
        self.joblib = joblib
        self.result = StreamAnalysis()
        self.byte_arrays: list[_Bytes] = []
        #: (offset, object) of each object of a class that restores a native model blob
        self.native_objects: list[tuple[int, _Obj]] = []
        #: (offset, object) of each pandas object that must receive exactly one BUILD
        self.pandas_objects: list[tuple[int, _Obj]] = []
        #: id() of each constant a BYTEARRAY8 pushed (the symbols live as long as the walk)
        self.bytearrays: set[int] = set()
        self.fold = FoldBudget(self.size)
        #: id -> (container, how many nodes it unfolds into): see _shared_args
        self.unfolded: dict[int, tuple[Any, int]] = {}
        self.keep_values = False
        #: read decision trees' arrays from the stream and check them (scan); a load skips it,
        #: because it checks the trees it built (validate.py) before returning them
        self.check_trees = True

    def _native_call(self, pair: tuple[str, str], args: _Sym, pos: int, name: str) -> None:
        """Refuse a call that makes a native-model class (or a reconstructor given one): their
        constructors read model files named by the arguments (see safeload.trust.native)."""
        if pair in NATIVE_STATES:
            raise _Unsafe(pos, name, made_by_call(pair))
        if pair in _CLASS_FROM_ARG and isinstance(args, _Tuple) and args.items:
            first = args.items[0]
            if isinstance(first, _Global) and first.pair in NATIVE_STATES:
                raise _Unsafe(pos, name, made_by_call(first.pair))

    def _pandas_made(
        self, pair: tuple[str, str], args: _Sym, pos: int, name: str, made: _Obj | None
    ) -> None:
        """The ways pickle makes pandas objects (safeload.trust.pandas_forms), and no other:
        its functions by a call, its frames, managers and dtypes by NEWOBJ without arguments,
        its Index and array classes never (only named to _new_Index and its array maker)."""
        newobj = name in ("NEWOBJ", "NEWOBJ_EX")
        if pair in _CLASS_FROM_ARG and isinstance(args, _Tuple) and args.items:
            first = args.items[0]
            if isinstance(first, _Global) and first.pair in PANDAS_NAMES:
                raise _Unsafe(
                    pos,
                    name,
                    f"{format_name(*first.pair)} made by {format_name(*pair)}: pandas pickles "
                    "make it only one way, which the pandas profile checks",
                )
        if pair not in PANDAS_NAMES:
            return
        label = format_name(*pair)
        if name in ("INST", "OBJ"):
            raise _Unsafe(pos, name, f"{name} on {label}: pandas pickles never write it")
        if pair in REFERENCE_ONLY:
            raise _Unsafe(
                pos,
                name,
                f"{label} is made by {name}: pandas pickles only name it to _new_Index or "
                "__pyx_unpickle_NDArrayBacked, whose checked forms make it",
            )
        if pair in NEWOBJ_ONLY:
            if name != "NEWOBJ" or not isinstance(args, _Tuple) or args.items:
                raise _Unsafe(
                    pos,
                    name,
                    f"{label} is made by {name} with arguments: pandas pickles make it by "
                    "NEWOBJ without arguments and give it its state by one BUILD",
                )
        elif newobj:
            raise _Unsafe(pos, name, f"{name} on {label}, which pandas pickles call")
        if made is not None and pair in ONE_BUILD:
            self.pandas_objects.append((pos, made))

    def _pandas_build(self, target: _Obj, pos: int, name: str) -> None:
        """BUILD on a pandas object: exactly one, before anything uses it, and only on what
        pandas gives a state (its NEWOBJ classes and its array-backed objects)."""
        pair = target.cls.pair if target.cls is not None else None
        if pair is None or pair not in PANDAS_NAMES:
            return
        if pair not in ONE_BUILD:
            raise _Unsafe(
                pos,
                name,
                f"BUILD on what {format_name(*pair)} makes: pandas never writes a state for it",
            )
        if target.state is not None or target.frozen:
            raise _Unsafe(
                pos,
                name,
                f"a second BUILD on a pandas object made by {format_name(*pair)}, or one after "
                "it was used: pandas writes one state, checked before anything uses it",
            )

    def _native_build(self, target: _Obj, state: _Sym) -> str | None:
        """What is wrong with the one BUILD of a native-model class (safeload.trust.native)."""
        cls = target.cls
        if cls is None:  # pragma: no cover - the caller checked
            return "BUILD on an object whose class the pass cannot see"
        if target.state is not None or target.frozen:
            return (
                f"a second BUILD on {format_name(*cls.pair)}, or one after it was used: the "
                "library writes one state, read by its native parser once"
            )
        rule = NATIVE_STATES[cls.pair]
        return native_state_problem(rule, state, self.data, self.bytearrays)

    def run(self) -> StreamAnalysis:
        try:
            self._stream(top=True)
            end = self.cur.pos
            self.result.end = end
            if end != self.size:
                raise _Unsafe(end, "STOP", f"{self.size - end} byte(s) after STOP")
            self._check_all_built()
            self.result.buffer_views = [
                (b.pos, b.size) for b in self.byte_arrays if b.uses == 1 and not b.shared
            ]
        # One name per clause: compiled with mypyc, a name keeps the type of its first use.
        except _Unsafe as unsafe:
            self.result.problems.append(unsafe.finding)
        except LimitExceededError as limit:
            self.result.problems.append(Finding(self.cur.pos, "", f"limit: {limit}", limit=True))
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

    def _check_all_built(self) -> None:
        """Hook, at the end of the walk: every pandas object that must receive one BUILD, and
        every native-model object, was given its state (pandas' code would otherwise meet
        unset buffers, the library a missing model)."""
        unset = (
            (
                self.pandas_objects,
                "a pandas object made by {} is never given its state: pandas' code would meet "
                "its unset buffers",
            ),
            (
                self.native_objects,
                "{} is made but never given its state: its native model would be missing when "
                "it is used",
            ),
        )
        for made, harm in unset:
            for pos, obj in made:
                if obj.state is None and obj.cls is not None:
                    raise _Unsafe(pos, "NEWOBJ", harm.format(format_name(*obj.cls.pair)))

    def _global(self, module: Any, qualname: Any, pos: int, opname: str, proto: int) -> _Global:
        if not isinstance(module, str) or not isinstance(qualname, str):
            raise _Unsafe(pos, opname, "global name operands are not constant strings")
        raw = (module, qualname)
        module, qualname = py3_name(module, qualname, proto)
        if self.result.resolved.setdefault(raw, (module, qualname)) != (module, qualname):
            raise _Unsafe(pos, opname, "one global name resolves two ways in this file")
        trusted = self.policy.allows(module, qualname)
        if trusted and qualname.rpartition(".")[2] in JOBLIB_WRAPPER_NAMES:
            self._joblib_placeholder(module, qualname, pos, opname)
        self.result.globals.append(GlobalRef(module, qualname, pos, opname, trusted))
        return _Global(module, qualname)

    def _joblib_placeholder(self, module: str, qualname: str, pos: int, opname: str) -> None:
        """Refuse a trusted joblib array placeholder the walk would not treat as one (an
        untrusted one is refused as untrusted).

        Read as a plain pickle, the placeholder is an ordinary object and the raw array bytes
        joblib skips after its BUILD are parsed as opcodes: ``joblib.load`` and this pass would
        read different streams (rt14 f04). Read as joblib, only the exact name is recognised as
        the placeholder, so any other spelling of it would desynchronise the same way.
        """
        if self.joblib and (module, qualname) == JOBLIB_WRAPPER:
            return
        what = format_name(module, qualname)
        if not self.joblib:
            self.result.joblib_content = True
            raise _Unsafe(
                pos,
                opname,
                f"{what} is joblib's array placeholder: this is joblib content, which joblib "
                "reads differently from a plain pickle; read it as joblib (format='joblib', "
                "CLI: --format joblib)",
            )
        raise _Unsafe(pos, opname, f"{what} is a joblib array placeholder under another name")

    def _stream(self, top: bool) -> _Sym:
        """Walk one stream to its STOP; return the value it leaves (a nested joblib object
        array's stream returns its array).

        The opcodes that make up most of a pickle (``_FAST``, constants, the memo) are decoded
        and modelled inline; every other opcode goes to its handler in ``_HANDLERS``. The
        stack, the FRAME end and the opcode count live in locals while the loop runs, and in
        the stream's :class:`_Frame` (and ``result.opcode_count``) while a handler runs."""
        fr = _Frame(top)
        stack = fr.stack
        metastack = fr.metastack
        # The memo as the C unpickler keeps it: a list indexed by memo index (None: unset), and
        # the number of indexes set, which is where MEMOIZE writes. PUT indexes are bounded
        # below, so the list stays within twice the entries plus 257.
        memo = fr.memo
        memo_len = 0
        frame_end: int | None = None
        limits = self.limits
        cur = self.cur
        buf = cur.buf
        size = cur.size
        fr.start = cur.pos
        max_ops = limits.max_opcodes
        max_depth = limits.max_depth
        result = self.result
        handlers = _HANDLERS
        ops = result.opcode_count  # counted in a local (this loop is hot), stored on the way out
        try:
            while True:
                pos = cur.pos
                op = buf[pos] if pos < size else 0  # 0 is not an opcode
                arg_len = _FAST_ARG[op]
                if arg_len >= 0 and pos + 1 + arg_len <= size:
                    name = _FAST_NAME[op]
                    end = cur.pos = pos + 1 + arg_len
                else:
                    op = -1
                    name, arg, pos = cur.next()
                    end = cur.pos
                ops += 1
                if ops > max_ops:
                    raise LimitExceededError(f"more than {max_ops} opcodes")
                if not ops & _YIELD_MASK:
                    switch_point()  # let other threads in: see _YIELD_MASK
                if frame_end is not None:
                    if end > frame_end:
                        raise _Unsafe(pos, name, "opcode crosses the end of its FRAME")
                    if end == frame_end:
                        frame_end = None
                if op >= 0:
                    # The inline opcodes: same checks as the general branches below.
                    if op == 0x68:  # BINGET
                        idx = buf[pos + 1]
                        got = memo[idx] if idx < len(memo) else None
                        if got is None:
                            raise _Unsafe(pos, name, f"memo index {idx} was never set")
                        if isinstance(got, _Tuple) or isinstance(got, _Bytes):  # no call
                            _fetched_again(got)  # on this hot path for any other value
                        stack.append(got)
                    elif op == 0x94 or op == 0x71:  # MEMOIZE, BINPUT
                        if not stack:
                            raise _Unsafe(pos, name, "memoizing an empty stack")
                        # a one-byte BINPUT index is always within the bound checked below
                        idx = memo_len if op == 0x94 else buf[pos + 1]
                        memo_len += _memo_put(memo, idx, stack[-1])
                    elif op == 0x4B:  # BININT1
                        stack.append(_Const(buf[pos + 1]))
                    elif op == 0x4E:  # NONE
                        stack.append(_Const(None))
                    elif op == 0x4D:  # BININT2
                        stack.append(_Const(buf[pos + 1] | buf[pos + 2] << 8))
                    elif op == 0x88 or op == 0x89:  # NEWTRUE, NEWFALSE
                        stack.append(_Const(op == 0x88))
                    elif op == 0x29:  # EMPTY_TUPLE
                        stack.append(_Tuple([]))
                    elif op == 0x7D:  # EMPTY_DICT
                        stack.append(_Dict())
                    else:  # MARK
                        metastack.append(stack)
                        stack = []
                        if len(metastack) > max_depth:
                            raise LimitExceededError(f"nesting deeper than {max_depth}")
                    continue
                # The common opcodes first: constants and the memo.
                if name in _CONST_OPS:
                    if (
                        isinstance(arg, (str, bytes, bytearray, memoryview))
                        and len(arg) > _MAX_CONST
                    ):
                        stack.append(self._large_const(pos, name, arg, top))
                        continue
                    const = _Const(_CONST_OPS[name] if name in _FIXED else arg)
                    stack.append(const)
                    if name == "BYTEARRAY8":  # a mutable buffer, as a native parser may need
                        self.bytearrays.add(id(const))
                    continue
                if name == "MEMOIZE" or name in _PUT_OPS:
                    if not stack:
                        raise _Unsafe(pos, name, "memoizing an empty stack")
                    idx = memo_len if name == "MEMOIZE" else int(arg)
                    if idx < 0 or idx > 2 * memo_len + 256:
                        raise _Unsafe(pos, name, f"memo index {idx} far beyond the memo size")
                    memo_len += _memo_put(memo, idx, stack[-1])
                    continue
                if name in _GET_OPS:
                    idx = int(arg)
                    got = memo[idx] if 0 <= idx < len(memo) else None
                    if got is None:
                        raise _Unsafe(pos, name, f"memo index {arg} was never set")
                    _fetched_again(got)
                    stack.append(got)
                    continue
                # Everything else: one handler per opcode, on the frame.
                handler = handlers.get(name)
                if handler is None:
                    raise _Unsafe(pos, name, f"opcode {name} is not supported")
                fr.stack = stack
                fr.frame_end = frame_end
                result.opcode_count = ops  # a nested object-array pickle counts too
                value = handler(self, fr, pos, name, arg)
                stack = fr.stack
                frame_end = fr.frame_end
                ops = result.opcode_count
                if value is not None:  # STOP
                    return value
        finally:
            result.opcode_count = ops

    def _large_const(self, pos: int, name: str, arg: Any, top: bool) -> _Sym:
        """Hook: the value of a constant longer than ``_MAX_CONST``, within the item limit.

        A top-level ``BYTEARRAY8`` of at least ``VIEW_FROM`` bytes in a plain pickle becomes a
        :class:`_Bytes` that counts its consumers (``_count_buffer_use``, ``_fetched_again``):
        one that only a ``_frombuffer`` call consumes is listed in ``buffer_views``. Any other
        ``BYTEARRAY8`` is recorded in ``bytearrays``, a mutable buffer as a native parser may
        need."""
        if len(arg) > self.limits.max_item_size:
            raise LimitExceededError(f"item of {len(arg)} bytes")
        if name == "BYTEARRAY8" and len(arg) >= VIEW_FROM and top and not self.joblib:
            view = _Bytes(pos, len(arg))
            self.byte_arrays.append(view)
            return view
        big = _Big(arg)
        if name == "BYTEARRAY8":
            self.bytearrays.add(id(big))
        return big

    # --- one handler per opcode (see _HANDLERS): (frame, offset, opcode name, argument) -------

    def _op_proto(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        if pos != fr.start or not 0 <= arg <= 5:
            raise _Unsafe(pos, name, f"unexpected PROTO {arg}")
        fr.proto = arg
        if fr.top:
            self.result.protocol = arg
        return None

    def _op_refused(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        raise _Unsafe(pos, name, f"{name}: {REFUSED_OPCODES[name]} is refused")

    def _op_frame(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        if fr.top:
            self.result.frame_ops.append(pos)
        end = self.cur.pos
        if fr.frame_end is not None:
            raise _Unsafe(pos, name, "FRAME inside a FRAME")
        if arg > self.size - end:
            raise _Unsafe(pos, name, "FRAME claims more bytes than remain")
        fr.frame_end = end + arg if arg else None
        return None

    def _op_stop(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """The stream's value: the one item on a balanced stack."""
        if fr.frame_end is not None:
            raise _Unsafe(pos, name, "STOP inside an unfinished FRAME")
        if fr.metastack or len(fr.stack) != 1:
            raise _Unsafe(pos, name, "stack not balanced at STOP")
        value = fr.stack[0]
        if fr.top and self.keep_values:
            self.result.kept = (value, list(fr.memo))
        if fr.top:
            self.result.root = value
        return value

    def _op_reduce(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        args = fr.pop(pos, name)
        func = fr.pop(pos, name)
        if not isinstance(func, _Global):
            raise _Unsafe(pos, name, "REDUCE calls a computed object, not a named global")
        self._push_call(fr, func, args, pos, name)
        return None

    def _op_build(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        state = fr.pop(pos, name)
        target = fr.peek(pos, name)
        if isinstance(target, _Global):
            raise _Unsafe(pos, name, f"BUILD sets state on {format_name(*target.pair)} itself")
        problem = _state_keys_problem(state, target, self.policy)
        if problem:
            raise _Unsafe(pos, name, problem)
        self._note_dunder_state(state, target, pos, name)
        problem = _slot_items_problem(state, target, self.policy)
        if problem and _dunder_key(state) is None:  # a dunder is refused as such, above
            raise _Unsafe(pos, name, problem)
        freeze(state)
        if isinstance(target, _Container):
            self._nest(target, [state])
        if isinstance(target, _Obj):
            self._build_object(fr, target, state, pos, name)
        problem = self._array_build_problem(target, state)
        if problem:
            raise _Unsafe(pos, name, problem)
        problem = self._tree_build_problem(target, state)
        if problem:
            raise _Unsafe(pos, name, problem)
        return None

    def _build_object(self, fr: _Frame, target: _Obj, state: _Sym, pos: int, name: str) -> None:
        """BUILD on an object the stream made: the checks of its class, then its state."""
        cls = target.cls
        if cls is None:
            raise _Unsafe(
                pos,
                name,
                "BUILD on an object whose class the pass cannot see (made by a call from "
                "arguments that are themselves made by a call); its state could be a numpy "
                "dtype's, an array's or a joblib wrapper's",
            )
        problem = _rebuild_problem(target)
        if problem:
            raise _Unsafe(pos, name, problem)
        self._pandas_build(target, pos, name)
        if cls.pair in NATIVE_STATES:
            problem = self._native_build(target, state)
            if problem:
                raise _Unsafe(pos, name, problem)
        target.state = state
        self.result.builds.append((pos, target, state))
        problem = self._dtype_build_problem(target, state)
        if problem:
            raise _Unsafe(pos, name, problem)
        if self.joblib and cls.pair == JOBLIB_WRAPPER:
            fr.stack[-1] = self._joblib_wrapper_build(fr, target, pos, name)

    def _op_tuple_n(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """TUPLE1, TUPLE2, TUPLE3."""
        n = int(name[-1])
        stack = fr.stack
        if len(stack) < n:
            raise _Unsafe(pos, name, "stack underflow")
        items = stack[-n:]
        del stack[-n:]
        made = _Tuple(items)
        stack.append(made)
        self._nest(made, [])
        return None

    def _op_tuple(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        made = _Tuple(fr.pop_mark(pos, name))
        fr.stack.append(made)
        self._nest(made, [])
        return None

    def _op_dict(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        items = fr.pop_mark(pos, name)
        d = _Dict()
        self._set_items(d, items)
        fr.stack.append(d)
        if _may_hold_globals(items):
            self.result.stored.append((pos, d, items))
        self._nest(d, [])
        return None

    def _op_list(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """LIST, FROZENSET."""
        items = fr.pop_mark(pos, name)
        made = _Box(items, "list" if name == "LIST" else "frozenset")
        fr.stack.append(made)
        if _may_hold_globals(items):
            self.result.stored.append((pos, made, items))
        self._nest(made, [])
        return None

    def _op_pop_mark(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        fr.pop_mark(pos, name)
        return None

    def _op_fill(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """APPEND, APPENDS, SETITEM, SETITEMS, ADDITEMS: items into the container below them."""
        if name == "APPEND":
            items = [fr.pop(pos, name)]
        elif name == "SETITEM":
            v = fr.pop(pos, name)
            k = fr.pop(pos, name)
            items = [k, v]
        else:
            items = fr.pop_mark(pos, name)
        target = fr.peek(pos, name)
        if _may_hold_globals(items):
            self.result.stored.append((pos, target, items))
        if isinstance(target, _Global):
            raise _Unsafe(pos, name, f"{name} on a class or function object")
        problem = _mutation_problem(name, target)
        if problem:
            raise _Unsafe(pos, name, problem)
        if name in ("SETITEM", "SETITEMS") and isinstance(target, _Dict):
            self._set_items(target, items)
        elif isinstance(target, _Obj):
            if target.held is None:
                target.held = []
            target.held.extend(items)
        if isinstance(target, _Container):
            self._nest(target, items)
        if isinstance(target, _Box) and name in ("APPEND", "APPENDS", "ADDITEMS"):
            target.count += len(items)
            target.items.extend(items)
        return None

    def _op_newobj(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """NEWOBJ, NEWOBJ_EX."""
        kwargs: _Sym = _Const(None)
        if name == "NEWOBJ_EX":
            kwargs = fr.pop(pos, name)
        args = fr.pop(pos, name)
        cls = fr.pop(pos, name)
        if not isinstance(cls, _Global):
            raise _Unsafe(pos, name, f"{name} on a computed class")
        if not isinstance(args, _Tuple):
            raise _Unsafe(
                pos,
                name,
                f"{name} on arguments made by a call: the pass cannot prove what "
                f"{format_name(*cls.pair)}.__new__ receives; pickle writes them as a tuple",
            )
        problem = _call_form_problem(cls.pair, args, self.policy)  # str.__new__(str, b, enc)
        if problem:
            raise _Unsafe(pos, name, problem)
        if cls.pair in _EMPTY_SHAPE_ARG:
            self._empty_shape(cls.pair, args, pos, name)
        if name == "NEWOBJ_EX" and (cls.pair in DTYPE_CLASSES or cls.pair in _ARRAY_MAKERS):
            raise _Unsafe(pos, name, "NEWOBJ_EX on a numpy dtype or array (numpy never writes it)")
        if name == "NEWOBJ_EX" and not (
            isinstance(kwargs, _Dict) and not (kwargs.items or kwargs.lossy or kwargs.unknown_keys)
        ):
            # cls.__new__(cls, *args, **kwargs): keywords the shadows do not model could size
            # an allocation (bytes(source=2**40)); only __getnewargs_ex__ classes write them,
            # and none is on the allowlist (rt23-07)
            raise _Unsafe(
                pos,
                name,
                f"NEWOBJ_EX on {format_name(*cls.pair)} with keyword arguments: no allowlisted "
                "class is pickled with them",
            )
        freeze(args)
        freeze(kwargs)
        self._shared_args(args, pos, name)
        made = _Obj(cls, args)
        self._pandas_made(cls.pair, args, pos, name, made)
        fr.stack.append(made)
        if cls.pair in NATIVE_STATES:
            if name != "NEWOBJ" or not isinstance(args, _Tuple) or args.items:
                raise _Unsafe(pos, name, made_by_call(cls.pair))
            self.native_objects.append((pos, made))
        if cls.pair in _STORING_CALLS:
            self.result.calls.append((pos, made))
        return None

    def _op_empty_box(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """EMPTY_LIST, EMPTY_SET."""
        fr.stack.append(_Box([], "list" if name == "EMPTY_LIST" else "set"))
        return None

    def _op_global(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        module, qualname = arg
        fr.stack.append(self._global(module, qualname, pos, name, fr.proto))
        return None

    def _op_inst(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        module, qualname = arg
        g = self._global(module, qualname, pos, name, fr.proto)
        # pop_mark replaces ``fr.stack``: take the arguments first, then push
        self._push_call(fr, g, _Tuple(fr.pop_mark(pos, name)), pos, name)
        return None

    def _push_call(self, fr: _Frame, func: _Global, args: _Sym, pos: int, name: str) -> None:
        """REDUCE, INST and OBJ: one call step. The C unpickler calls ``func(*args)`` for all
        three (INST and OBJ call ``func.__new__(func)`` when there are no arguments), so they
        get the same checks and make the same object: a call of ``copyreg._reconstructor``
        makes an object of its first argument's class whichever opcode calls it (rt23-02/03)."""
        freeze(args)
        self._shared_args(args, pos, name)
        self._check_call(func.pair, args, pos, name)
        if func.pair in _CLASS_FROM_ARG:
            made = _class_from_arg(func, args)
            made_cls = made.cls
            if (
                func.pair == _RECONSTRUCTOR
                and made_cls is not None
                and made_cls.pair in _STORING_CALLS
                and isinstance(args, _Tuple)
                and len(args.items) == 3
            ):
                # protocols 0-1 write a namedtuple as _reconstructor(cls, tuple, fields):
                # its fields are judged as the arguments of a call of cls (rt24-08)
                self.result.calls.append((pos, _Obj(made_cls, args.items[2])))
        else:
            made = _Obj(func, args)
            self._record_call(pos, func.pair, made)
            self._count_buffer_use(func.pair, args)
            if isinstance(args, _Tuple) and args.items:
                self.result.arg_calls.append((pos, made))
        fr.stack.append(made)
        self._nest(made, [])

    def _op_stack_global(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        qn = fr.pop(pos, name)
        mod = fr.pop(pos, name)
        if not (isinstance(mod, _Const) and isinstance(qn, _Const)):
            raise _Unsafe(pos, name, "STACK_GLOBAL operands are not constant strings")
        fr.stack.append(self._global(mod.value, qn.value, pos, name, fr.proto))
        return None

    def _op_obj(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        items = fr.pop_mark(pos, name)
        cls = items[0] if items else None
        if not isinstance(cls, _Global):
            raise _Unsafe(pos, name, "OBJ on a computed class")
        self._push_call(fr, cls, _Tuple(items[1:]), pos, name)
        return None

    def _op_pop(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """POP: the top item, or (on an empty stack) the items since the last MARK."""
        if fr.stack:
            popped = fr.stack.pop()
            if isinstance(popped, _Obj):
                self.result.notes.append(Finding(pos, name, "the result of a call is discarded"))
        else:
            fr.pop_mark(pos, name)
        return None

    def _op_dup(self, fr: _Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        top = fr.peek(pos, name)
        _fetched_again(top)
        fr.stack.append(top)
        return None

    # --- hooks: the checks and bookkeeping the handlers run, each tested on its own ---------

    def _check_call(self, pair: tuple[str, str], args: _Sym, pos: int, name: str) -> None:
        """Hook: what REDUCE refuses in the call of ``pair`` on ``args`` (frozen already): an
        allocating shape, a native-model maker, a pandas object made another way than pickle
        makes it."""
        if pair in _EMPTY_SHAPE_ARG:
            self._empty_shape(pair, args, pos, name)
        problem = _call_form_problem(pair, args, self.policy)
        if problem:
            raise _Unsafe(pos, name, problem)
        self._native_call(pair, args, pos, name)
        self._pandas_made(pair, args, pos, name, None)

    def _shared_args(self, args: _Sym, pos: int, name: str) -> None:
        """Hook: refuse arguments that unfold into more nodes than the fold budget allows
        (16 per byte of the stream, plus 65,536). Through the memo a few hundred bytes make a
        tuple that is shared ``fan ** depth`` times, and a call that hashes, prints or
        converts it (``dict(((T, 0),))``, ``frozenset(T)``, ``numpy.float64(T)``) walks every
        path while loading (rt25-02). Each container is counted once (memoised; the arguments
        are frozen, so the count cannot go stale), so this is linear in the stream."""
        cap = FOLD_UNITS_PER_BYTE * self.size + FOLD_UNITS_BASE
        if unfolded(args, cap, self.unfolded) > cap:
            raise _Unsafe(
                pos,
                name,
                "call arguments that share one container so many times that the callee would "
                "visit more items than the file's size allows",
            )

    def _record_call(self, pos: int, pair: tuple[str, str], made: _Obj) -> None:
        """Hook: list what a REDUCE on a named callable made for the checks after the walk
        (pandas' array-backed objects and functions, calls that store their arguments)."""
        result = self.result
        if pair == NDARRAY_BACKED:
            self.pandas_objects.append((pos, made))
        if pair in PANDAS_CALLS:
            result.pandas_calls.append((pos, made))
        if pair in _STORING_CALLS:
            result.calls.append((pos, made))

    @staticmethod
    def _count_buffer_use(pair: tuple[str, str], args: _Sym) -> None:
        """Hook (``_frombuffer`` bookkeeping): a large top-level bytearray (:class:`_Bytes`)
        given as the buffer of a numpy ``_frombuffer`` call has one consumer more. Only a
        bytearray used once, and never fetched again, may become a view of the file."""
        if isinstance(args, _Tuple) and args.items and pair in _FROMBUFFER:
            buffer = args.items[0]
            if isinstance(buffer, _Bytes):
                buffer.uses += 1

    def _note_dunder_state(self, state: _Sym, target: _Sym, pos: int, name: str) -> None:
        """Hook: a BUILD state that sets a dunder attribute is a use-time finding, recorded
        while the walk goes on (the file is refused either way, and the names it needs say
        more). Only the first problem of a file is such a note, and none is made for an object
        of an untrusted class (the file is refused by that name)."""
        dunder = _dunder_key(state)
        if dunder is None or self.result.problems:
            return
        if (
            isinstance(target, _Obj)
            and target.cls is not None
            and not self.policy.allows(*target.cls.pair)
        ):
            return
        self.result.problems.append(
            Finding(
                pos,
                name,
                f"BUILD state sets {dunder!r}: dunder attributes are refused (a slot item "
                "__class__ swaps the object's class, an instance one shadows the class's)",
                use_time=True,
            )
        )

    def _dtype_build_problem(self, target: _Obj, state: _Sym) -> str | None:
        """Hook: why the state BUILD gives a numpy dtype is refused (see
        ``_numpy_state._dtype_state_problem``), or ``None``; ``None`` for any other object."""
        if target.cls is not None and target.cls.pair in DTYPE_CLASSES:
            return _dtype_state_problem(target, state, self.fold)
        return None

    def _array_build_problem(self, target: _Sym, state: _Sym) -> str | None:
        """Hook: why a BUILD state is refused as an array state (see
        ``_numpy_state._array_state_problem``), or ``None``. Every BUILD state is looked at
        (an array state hides in any object's); the state of what ``_ARRAY_MAKERS`` make must be
        a literal array state checked in full. A load checks the arrays it builds, so after the
        check the state forgets its data (except a tree's nodes); scan reads them again in the
        native-structure checks."""
        strict = (
            isinstance(target, _Obj) and target.cls is not None and target.cls.pair in _ARRAY_MAKERS
        )
        problem = _array_state_problem(state, self.fold, strict=strict)
        if problem:
            return problem
        if strict and isinstance(state, _Tuple) and not self.check_trees:
            _forget_unless_nodes(state)
        return None

    def _tree_build_problem(self, target: _Sym, state: _Sym) -> str | None:
        """Hook: with ``check_trees`` (scan), why the state BUILD gives a scikit-learn ``Tree``
        is refused (:meth:`_tree_problem`), or ``None``; ``None`` for any other object."""
        if (
            self.check_trees
            and isinstance(target, _Obj)
            and target.cls is not None
            and target.cls.pair == _TREE
        ):
            return self._tree_problem(target, state)
        return None

    def _joblib_wrapper_build(self, fr: _Frame, wrapper: _Obj, pos: int, name: str) -> _Sym:
        """Hook: the BUILD of joblib's ``NumpyArrayWrapper`` in a joblib stream, after which
        joblib reads the raw array bytes. Refused inside a FRAME or a nested object array;
        records the BUILD's offset, skips (or, for an object array, walks) the array data, and
        returns what takes the wrapper's place on the stack."""
        if fr.frame_end is not None:
            raise _Unsafe(pos, name, "joblib array data inside a FRAME")
        if not fr.top:
            raise _Unsafe(pos, name, "joblib array wrapper inside an object array")
        self.result.wrapper_builds.append(pos)
        return self._joblib_array(wrapper, pos)

    def _empty_shape(self, pair: tuple[str, str], args: _Sym, pos: int, name: str) -> None:
        """numpy's own pickles call these with shape ``(0,)`` and set the data by BUILD; a
        non-empty shape allocates before any state is set (``numpy.ndarray((2**28,), 'O')``
        fills 2 GiB with None while loading), so it is refused."""
        index = _EMPTY_SHAPE_ARG[pair]
        shape: Any = None
        if isinstance(args, _Tuple) and len(args.items) > index:
            try:
                shape = _const_value(args.items[index], self.fold)
            except KeyError:
                shape = None
        if type(shape) is int:
            shape = (shape,)
        if not (type(shape) is tuple and all(type(n) is int and n >= 0 for n in shape)):
            raise _Unsafe(pos, name, f"{format_name(*pair)} with a shape the pass cannot see")
        count = 1
        for n in shape:
            count *= n
        if count != 0:
            raise _Unsafe(
                pos,
                name,
                f"{format_name(*pair)} with shape {shape!r}: numpy writes (0,) and sets the data "
                "by BUILD; a non-empty shape allocates memory before anything is checked",
            )

    def _nest(self, target: _Sym, children: list[_Sym]) -> None:
        """Record that ``children`` now live inside ``target``; enforce the depth limit."""
        if not isinstance(target, _Container):
            return
        if children:
            deeper = 1 + _max_depth(children)
            if deeper > target.depth:
                target.depth = deeper
        if target.depth > self.limits.max_depth:
            raise LimitExceededError(f"containers nested deeper than {self.limits.max_depth}")

    @staticmethod
    def _set_items(d: _Dict, items: list[_Sym]) -> None:
        if len(items) % 2:
            raise _Unsafe(0, "SETITEMS", "odd number of items for a dict")
        target = d.items
        for i in range(0, len(items), 2):  # an index loop: no slices, and mypyc compiles it
            k = items[i]
            if isinstance(k, _Const) and isinstance(k.value, str):
                target[k.value] = items[i + 1]
            else:
                d.lossy = True
                if d.others is None:
                    d.others = []
                d.others.append(k)
                d.others.append(items[i + 1])
                try:
                    _fold(k)
                except KeyError:
                    d.unknown_keys = True

    def _joblib_array(self, wrapper: _Obj, pos: int) -> _Sym:
        """Skip (and for object arrays, scan) the raw array data joblib put after the BUILD;
        return what takes the wrapper's place on the stack."""
        state = wrapper.state
        if not isinstance(state, _Dict):
            raise _Unsafe(pos, "BUILD", "joblib array wrapper state is not a dict")
        s = state.items
        sub = s.get("subclass")
        if not (isinstance(sub, _Global) and sub.pair in _NDARRAY_CLASSES):
            raise _Unsafe(pos, "BUILD", "joblib array subclass must be numpy.ndarray or memmap")
        try:
            shape = _const_value(s["shape"], self.fold)
            order = _const_value(s["order"], self.fold)
            itemsize, hasobject = _dtype_layout(s["dtype"], self.fold)
            align = (
                _const_value(s["numpy_array_alignment_bytes"], self.fold)
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
            nested = self._stream(top=False)  # a nested pickle of the object array
            self.result.array_regions.append((start, self.cur.pos))
            return nested if self.check_trees else _OPAQUE
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
        dtype = s["dtype"]
        if isinstance(dtype, _Obj) and dtype.real is not None:
            return _Array(data_start, count, dtype.real, shape, order)
        return _OPAQUE

    def _literal_array(self, sym: _Sym) -> Any:
        """The numpy array ``sym`` denotes, read from the stream without building anything
        else, or ``None`` when the pass cannot prove what it holds: a ``_reconstruct`` + BUILD
        with literal data, a protocol 5 ``_frombuffer`` of literal bytes, or a joblib inline
        array."""
        import numpy as np

        try:
            if isinstance(sym, _Array):
                located: Any = np.frombuffer(self.data, sym.dtype, sym.count, sym.start)
                return located.reshape(sym.shape, order=sym.order)
            if not (isinstance(sym, _Obj) and sym.cls is not None):
                return None
            if sym.cls.pair in _RECONSTRUCT:
                st = sym.state
                if not (isinstance(st, _Tuple) and len(st.items) == 5):
                    return None
                dtype, raw = st.items[2], _literal_bytes(st.items[4], self.fold)
                shape = _const_value(st.items[1], self.fold)
                order = "F" if _const_value(st.items[3], self.fold) else "C"
            elif sym.cls.pair in _FROMBUFFER:
                args = sym.args
                if not (isinstance(args, _Tuple) and len(args.items) == 4):
                    return None
                buf = args.items[0]
                if isinstance(buf, _Bytes):
                    raw = memoryview(self.cur.buf)[buf.pos + 9 : buf.pos + 9 + buf.size]
                else:
                    raw = _literal_bytes(buf, self.fold)
                dtype = args.items[1]
                shape = _const_value(args.items[2], self.fold)
                order = _const_value(args.items[3], self.fold)
            else:
                return None
            if raw is None or not isinstance(dtype, _Obj) or dtype.cls is None:
                return None
            if dtype.cls.pair not in DTYPE_CLASSES:
                return None
            data: Any = np.frombuffer(raw, real_dtype(dtype, self.fold))
            return data.reshape(shape, order=order)
        except (_NotCanonical, KeyError, ValueError, TypeError, AttributeError):
            return None

    def _array_shape(self, sym: _Sym) -> Any:
        """The shape of an array the pass located (as for :meth:`_literal_array`), or ``None``."""
        try:
            if isinstance(sym, _Array):
                return tuple(sym.shape)
            if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in _RECONSTRUCT:
                if isinstance(sym.state, _Tuple) and len(sym.state.items) == 5:
                    return _const_value(sym.state.items[1], self.fold)
            if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in _FROMBUFFER:
                if isinstance(sym.args, _Tuple) and len(sym.args.items) == 4:
                    return _const_value(sym.args.items[2], self.fold)
        except KeyError:
            return None
        return None

    def _tree_problem(self, tree: _Obj, state: _Sym) -> str | None:
        """Why a scikit-learn ``Tree`` built from this stream would read out of bounds in
        ``predict`` (the checks of ``validate._check_tree``, on the arrays as the stream holds
        them), or that the pass cannot prove it would not: ``scan`` must refuse what ``load``
        refuses (issue 14, item 6)."""
        import numpy as np

        from safeload.validate import MAX_TREE_FEATURES

        unproven = "sklearn Tree whose node arrays the pass cannot read from the stream"
        args = tree.args
        if not (isinstance(state, _Dict) and isinstance(args, _Tuple) and len(args.items) == 3):
            return unproven
        try:
            n_features = _const_value(args.items[0], self.fold)
            n_outputs = _const_value(args.items[2], self.fold)
            node_count = _const_value(state.items["node_count"], self.fold)
        except KeyError:
            return unproven
        n_classes = self._literal_array(args.items[1])
        nodes = self._literal_array(state.items.get("nodes", _OPAQUE))
        values_shape = self._array_shape(state.items.get("values", _OPAQUE))
        if n_classes is None or nodes is None or values_shape is None:
            return unproven
        if type(n_features) is not int or type(n_outputs) is not int:
            return unproven
        if type(node_count) is not int:
            return unproven
        try:
            bad = "crafted sklearn Tree (predict would read out of bounds): "
            if nodes.dtype != _tree_node_dtype():
                # scikit-learn casts other layouts by position, while this pass reads fields by
                # name: only its own record layout is read (rt18-02)
                return "sklearn Tree whose node records are not scikit-learn's layout (unproven)"
            if nodes.ndim != 1 or nodes.shape[0] != node_count or node_count < 1:
                return bad + "node_count disagrees with its nodes"
            left = nodes["left_child"].astype(np.int64)
            right = nodes["right_child"].astype(np.int64)
            leaf = left == -1
            if not np.array_equal(leaf, right == -1):
                return bad + "a node has exactly one child"
            idx = np.arange(node_count)
            inner = ~leaf
            li, ri, ii = left[inner], right[inner], idx[inner]
            if not (
                np.all((li > ii) & (li < node_count)) and np.all((ri > ii) & (ri < node_count))
            ):
                return bad + "a child index is out of range"
            parents = np.bincount(np.concatenate([li, ri]), minlength=node_count)
            if parents[0] != 0 or not np.all(parents[1:] == 1):
                return bad + "the nodes are not a tree (a node has no parent or several)"
            if not 1 <= n_features <= MAX_TREE_FEATURES:
                return bad + "n_features is out of range"
            feature = nodes["feature"].astype(np.int64)[inner]
            if not np.all((feature >= 0) & (feature < n_features)):
                return bad + "a feature index is out of range"
            if not np.all(nodes["feature"][leaf] == -2):  # TREE_UNDEFINED (rt18-07)
                return bad + "a leaf has a split feature (export_text would never finish)"
            counts = n_classes.astype(np.int64)
            if counts.shape != (n_outputs,) or not np.all(counts >= 1):
                return bad + "n_classes is malformed"
            if values_shape != (node_count, n_outputs, int(counts.max())):
                return bad + "the value array has the wrong shape"
            if "missing_go_to_left" in (nodes.dtype.names or ()):
                if not np.all(nodes["missing_go_to_left"] <= 1):
                    return bad + "missing_go_to_left is not 0 or 1"
            max_depth = _const_value(state.items["max_depth"], self.fold)
            if type(max_depth) is not int:
                return unproven
            if _node_depth(left, right, inner) != max_depth:
                return bad + "max_depth is not the tree's real depth"
        except (KeyError, ValueError, TypeError, IndexError, OverflowError):
            return unproven
        return None


#: An opcode handler: (walker, frame, offset, opcode name, decoded argument) -> the stream's
#: value at STOP, else ``None``.
_Handler = Callable[[_Walker, _Frame, int, str, Any], "_Sym | None"]

#: The handler of every opcode the walker does not model inline (``_Walker._stream``). An
#: opcode missing here (and from the inline ones) is refused as unsupported.
_HANDLERS: Final[dict[str, _Handler]] = {
    "PROTO": _Walker._op_proto,
    "FRAME": _Walker._op_frame,
    "STOP": _Walker._op_stop,
    **{name: _Walker._op_refused for name in REFUSED_OPCODES},
    "GLOBAL": _Walker._op_global,
    "STACK_GLOBAL": _Walker._op_stack_global,
    "REDUCE": _Walker._op_reduce,
    "BUILD": _Walker._op_build,
    "NEWOBJ": _Walker._op_newobj,
    "NEWOBJ_EX": _Walker._op_newobj,
    "INST": _Walker._op_inst,
    "OBJ": _Walker._op_obj,
    "TUPLE1": _Walker._op_tuple_n,
    "TUPLE2": _Walker._op_tuple_n,
    "TUPLE3": _Walker._op_tuple_n,
    "TUPLE": _Walker._op_tuple,
    "LIST": _Walker._op_list,
    "FROZENSET": _Walker._op_list,
    "DICT": _Walker._op_dict,
    "POP_MARK": _Walker._op_pop_mark,
    "EMPTY_LIST": _Walker._op_empty_box,
    "EMPTY_SET": _Walker._op_empty_box,
    "APPEND": _Walker._op_fill,
    "APPENDS": _Walker._op_fill,
    "SETITEM": _Walker._op_fill,
    "SETITEMS": _Walker._op_fill,
    "ADDITEMS": _Walker._op_fill,
    "POP": _Walker._op_pop,
    "DUP": _Walker._op_dup,
}


def _tree_node_dtype() -> Any:
    """scikit-learn's ``NODE_DTYPE`` (the C struct of a tree node, aligned), without importing
    scikit-learn; tests/test_scan_native.py holds it equal to scikit-learn's."""
    import numpy as np

    fields = [
        ("left_child", np.intp),
        ("right_child", np.intp),
        ("feature", np.intp),
        ("threshold", np.float64),
        ("impurity", np.float64),
        ("n_node_samples", np.intp),
        ("weighted_n_node_samples", np.float64),
        ("missing_go_to_left", np.uint8),
    ]
    return np.dtype(fields, align=True)


def _node_depth(left: Any, right: Any, inner: Any) -> int:
    """The depth of the deepest node (the root is 0), as scikit-learn's
    ``Tree.compute_node_depths`` finds it: it visits the nodes in order and gives each child
    its parent's depth plus one. The caller has checked that children point forward and that
    every node but the root has exactly one parent. By pointer jumping: O(n log n) however deep
    the tree."""
    import numpy as np

    n = left.shape[0]
    parent = np.full(n, -1, dtype=np.int64)
    idx = np.arange(n, dtype=np.int64)
    parent[left[inner]] = idx[inner]  # one parent each: no two writes to the same node
    parent[right[inner]] = idx[inner]
    depth = (parent >= 0).astype(np.int64)  # edges from each node to ``up``
    up = parent
    while True:
        live = up >= 0
        if not live.any():
            return int(depth.max())
        above = up[live]
        depth = depth.copy()
        depth[live] += depth[above]  # reads the old values: numpy evaluates the right side first
        up = up.copy()
        up[live] = up[above]


def _literal_bytes(sym: _Sym, budget: FoldBudget) -> Any:
    """The bytes a constant denotes (protocol 2 writes them as ``_codecs.encode(text,
    "latin1")``), large constants included, or ``None``."""
    if isinstance(sym, _Big):
        value = sym.value
        return value if isinstance(value, (bytes, bytearray, memoryview)) else None
    if (
        isinstance(sym, _Obj)
        and sym.cls is not None
        and sym.cls.pair == ("builtins", "bytes")
        and isinstance(sym.args, _Tuple)
        and not sym.args.items
        and sym.state is None
    ):
        return b""  # protocols 0-2 write empty bytes as bytes()
    if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair == CODECS_ENCODE:
        args = sym.args
        if isinstance(args, _Tuple) and len(args.items) == 2:
            text = args.items[0]
            value = text.value if isinstance(text, (_Big, _Const)) else None
            try:
                encoding = _const_value(args.items[1], budget)
            except KeyError:
                return None
            if isinstance(value, str) and encoding in ("latin1", "latin-1"):
                return value.encode("latin-1")
        return None
    if isinstance(sym, _Const) and isinstance(sym.value, (bytes, bytearray, memoryview)):
        return sym.value
    return None


def _forget_unless_nodes(state: _Tuple) -> None:
    """An array state has been checked: drop the large data it holds unless its dtype is a
    decision tree's node dtype, whose indexes the Tree check reads (keeps the pass's memory
    at what it was for every other array)."""
    dtype = state.items[2]
    names = dtype.real.names if isinstance(dtype, _Obj) and dtype.real is not None else None
    if names is not None and "left_child" in names:
        return
    raw = state.items[4]
    if isinstance(raw, _Obj) and isinstance(raw.args, _Tuple) and raw.args.items:
        raw = raw.args.items[0]
    if isinstance(raw, _Big):
        raw.value = None


def analyze(
    data: Buffer,
    *,
    policy: Policy,
    limits: Limits | None = None,
    joblib: bool = False,
    keep_values: bool = False,
    check_trees: bool = True,
    use_time: bool = True,
) -> StreamAnalysis:
    """Walk one pickle stream (``joblib=True``: with joblib's inline arrays) without executing it.

    Never raises for bad input: every problem becomes a finding in the returned analysis.
    ``keep_values`` keeps the symbolic result and memo in ``kept``, for differential tests.
    ``check_trees=False`` skips the static checks of native structures (decision trees' arrays
    here, the others on shadows in :mod:`safeload.trust.shadow`), and ``use_time=False`` the
    use-time rules on the state the stream shows: a load passes both, because it checks what it
    built, native structures and state, before returning it (scan cannot).
    """
    with _gc.paused():  # the symbolic values are garbage as soon as the walk ends
        walker = _Walker(data, policy, limits or Limits(), joblib)
        walker.keep_values = keep_values
        walker.check_trees = check_trees
        result = walker.run()
        if use_time and not result.problems and all(g.trusted for g in result.globals):
            from safeload.trust.static import use_time_findings

            result.problems.extend(use_time_findings(result, policy))
        elif not result.problems:
            # a load skips the use-time rules (it checks what it built), but not this one: the
            # C unpickler hashes a dict key while building, and a tuple DAG as a key hashes in
            # 2**k steps before any check after building could run (red team 14, f03)
            from safeload.trust.static import hashes_containers, stored_sharing_problem

            sharing = stored_sharing_problem(result) if hashes_containers(result) else None
            if sharing:
                result.problems.append(Finding(0, "", sharing, use_time=True))
        if check_trees and not result.problems and all(g.trusted for g in result.globals):
            from safeload.trust.shadow import native_findings

            result.problems.extend(native_findings(result, walker, policy))
        result.root = None
        result.builds, result.calls, result.stored = [], [], []
        result.pandas_calls = []
        return result


def refuse_unless_clean(analysis: StreamAnalysis, source: str) -> None:
    """Raise ``MalformedArtifactError`` for structural problems (not for untrusted names)."""
    if analysis.problems:
        first = analysis.problems[0]
        more = f" (and {len(analysis.problems) - 1} more)" if len(analysis.problems) > 1 else ""
        if first.use_time:
            raise UnsafeStateError(
                f"{source} was refused before loading: {first.message} (at byte "
                f"{first.offset}){more}. Every type in it is allowed, but this state would "
                "let the model run code, write files or import modules when it is used. "
                "Nothing was deserialized.",
                path=source,
            )
        error = LimitExceededError if first.limit else MalformedArtifactError
        raise error(
            f"{source} was refused before loading: {first.message} at byte {first.offset}"
            f"{more}. Nothing was deserialized. Run `safeload scan {source}` for details.",
            path=source,
        )
