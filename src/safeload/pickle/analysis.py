"""What the static pass reports: the globals a stream names, its findings, the
:class:`StreamAnalysis` a reader acts on, and the public :class:`ScanReport`. Also the one
exception the walk raises internally (:class:`Unsafe`) and :func:`refuse_unless_clean`, which
turns an analysis into the error a load raises."""

from __future__ import annotations

import _compat_pickle
from dataclasses import dataclass, field
from typing import Any, Final

from safeload.exceptions import LimitExceededError, MalformedArtifactError, UnsafeStateError
from safeload.pickle.names import BARE_MODULES
from safeload.policy import format_name

VIEW_FROM: Final = 4096
MAX_CONST: Final = 1024


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
    #: offsets of the POP and POP_MARK opcodes that drop something other than a constant off
    #: the stack: the load keeps what they drop for its checks (safeload.pickle.discards).
    discards: list[int] = field(default_factory=list)
    #: what those opcodes drop (symbolic values): scan checks them as the load checks what it
    #: keeps of them (safeload.trust.shadow)
    dropped: list[Any] = field(default_factory=list)
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
    #: (offset, opcode, object) of every REDUCE, INST or OBJ that calls a named global without
    #: arguments: REDUCE runs ``cls()`` (its ``__init__`` and its metaclass's ``__call__``),
    #: where NEWOBJ runs only ``cls.__new__(cls)`` (rt98-01).
    bare_calls: list[tuple[int, str, Any]] = field(default_factory=list)
    #: (offset, object) of every NEWOBJ and NEWOBJ_EX with arguments: ``cls.__new__(cls,
    #: *args)``, where a builtin's ``__new__`` sizes what it makes by them (rt103-09).
    new_calls: list[tuple[int, Any]] = field(default_factory=list)
    #: (offset, object) of every call of a pandas function (safeload.trust.pandas_forms): scan
    #: runs its checked form also when the stream discards the result.
    pandas_calls: list[tuple[int, Any]] = field(default_factory=list)
    stored: list[tuple[int, Any, list[Any]]] = field(default_factory=list)
    #: (offset, object) of every object made by a call (or opaque value) that the stream uses
    #: as a dict key or set item: the native pass makes it and hashes it as the load does.
    hashed: list[tuple[int, Any]] = field(default_factory=list)
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


class Unsafe(Exception):
    def __init__(self, offset: int, opcode: str, message: str, use_time: bool = False) -> None:
        super().__init__(message)
        self.finding = Finding(offset, opcode, message, use_time=use_time)


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
