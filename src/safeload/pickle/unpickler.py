"""The restricted unpickler for plain pickle streams, and the static pass on its own.

:func:`analyse_stream` refuses a stream before anything is built (:mod:`safeload.pickle.guard`);
:func:`load_pickle_stream` then runs the C unpickler with the guard as its ``find_class``, fed
without a copy of the caller's buffer (:class:`_ViewReader`). With ``views=True``, protocol-5
arrays become aligned views into that buffer instead of copies (:func:`_rewrite_pickle`).
"""

from __future__ import annotations

import io
import mmap
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from safeload._types import Buffer
from safeload.exceptions import (
    LimitExceededError,
    MalformedArtifactError,
    SafeloadError,
    UnsafeStateError,
)
from safeload.pickle.analysis import StreamAnalysis
from safeload.pickle.discards import discard_cuts
from safeload.pickle.guard import _analyse_or_refuse, _Guard, _resolve
from safeload.pickle.names import FROMBUFFER
from safeload.policy import Limits, Policy
from safeload.validate import check_built_dtype

__all__ = ["analyse_stream", "load_pickle_stream"]


class _ViewReader:
    """A read-only file over a buffer, for the C unpickler: no copy of the buffer is made.

    (``io.BytesIO`` copies anything that is not ``bytes``.) The unpickler reads frames with
    ``read``, prefetches unframed data with ``peek``, and reads large byte strings straight into
    their destination with ``readinto``.
    """

    __slots__ = ("_buf", "_pos", "_size", "_view")

    def __init__(self, buf: Buffer) -> None:
        self._buf = buf
        self._view = memoryview(buf).cast("B")
        self._pos = 0
        self._size = len(self._view)

    def read(self, n: int = -1) -> bytes:
        start = self._pos
        end = self._size if n is None or n < 0 else min(self._size, start + n)
        self._pos = end
        return bytes(self._view[start:end])

    def peek(self, n: int = 0) -> bytes:
        """Up to ``n`` bytes ahead, without moving. The C unpickler prefetches with it, so
        streams without frames (protocols 0-3) are not read one opcode per call."""
        start = self._pos
        return bytes(self._view[start : start + max(n, 1)])

    def readinto(self, target: Any) -> int:
        out = memoryview(target).cast("B")
        start = self._pos
        n = min(len(out), self._size - start)
        out[:n] = self._view[start : start + n]
        self._pos = start + n
        return n

    def readline(self, limit: int = -1) -> bytes:
        start = self._pos
        buf = self._buf
        if isinstance(buf, (bytes, bytearray, mmap.mmap)):
            nl = buf.find(b"\n", start)
        else:  # a memoryview: search a copy of the rest (protocols 0-1 only read lines)
            nl = bytes(self._view[start:]).find(b"\n")
            nl = start + nl if nl >= 0 else -1
        end = self._size if nl < 0 else nl + 1
        if limit is not None and limit >= 0:
            end = min(end, start + limit)
        self._pos = end
        return bytes(self._view[start:end])

    def tell(self) -> int:
        return self._pos


class _CUnpickler(pickle.Unpickler):
    """The C unpickler with an allowlisted ``find_class`` and no persistent ids. ``buffers`` are
    only ever the views safeload itself put in place of bytearrays (:func:`_rewrite_pickle`):
    the analysis refuses any stream that has a buffer opcode of its own."""

    def __init__(self, file: io.BytesIO | _ViewReader, guard: _Guard, buffers: Any = None) -> None:
        super().__init__(
            file, fix_imports=False, encoding="ASCII", errors="strict", buffers=buffers
        )
        self._guard = guard

    def find_class(self, module: str, name: str) -> Any:
        return self._guard(module, name)


def _wrap_errors(source: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except SafeloadError:
        raise
    except RecursionError as exc:
        raise MalformedArtifactError(f"{source}: nested too deeply to load", path=source) from exc
    except MemoryError as exc:
        # a limit, as Limits promise (rt28-13): the memory the process may use ran out
        raise LimitExceededError(f"{source}: ran out of memory loading", path=source) from exc
    except Exception as exc:
        raise MalformedArtifactError(
            f"{source} could not be loaded: {type(exc).__name__}: {exc}", path=source
        ) from exc


def analyse_stream(
    data: Buffer, policy: Policy, limits: Limits, source: str, *, joblib: bool
) -> StreamAnalysis:
    """The static pass alone: raises for structural problems and untrusted names, builds
    nothing. Its result can be handed to :func:`load_pickle_stream` / :func:`load_joblib_stream`
    for the same bytes and policy."""
    return _analyse_or_refuse(data, policy, limits, source, joblib=joblib)


def _writable(data: Buffer) -> bool:
    return not memoryview(data).readonly


def load_pickle_stream(
    data: Buffer,
    policy: Policy,
    limits: Limits,
    source: str,
    analysis: StreamAnalysis | None = None,
    *,
    views: bool = False,
    discarded: list[Any] | None = None,
) -> Any:
    """Analyse (unless ``analysis`` is given) then load one plain pickle stream under
    ``policy``.

    ``views=True`` hands ``data`` over to the load: numpy arrays of protocol 5 (4 KiB and more)
    become views into it instead of copies, and it is rearranged to align them (see
    :func:`_rewrite_pickle`). The caller must not use ``data`` again. Read-only buffers are
    never viewed.

    ``discarded``, a list, receives what the stream builds and then drops off its stack (see
    :mod:`safeload.pickle.discards`), for the checks after building.
    """
    if analysis is None:
        analysis = _analyse_or_refuse(data, policy, limits, source, joblib=False)
    guard = _Guard(policy, analysis.resolved, source)
    cuts = recording_cuts(data, analysis, guard, discarded, {})
    if views and analysis.buffer_views and _writable(data):
        return _load_with_views(data, analysis, guard, cuts)
    if cuts:
        stream = _splice(data, analysis, cuts)
        rewritten = io.BytesIO(stream)
        obj = _wrap_errors(source, lambda: _CUnpickler(rewritten, guard).load())
        if rewritten.tell() != len(stream):  # pragma: no cover - as below
            raise _layout_disagrees(source)
        return obj
    f = _ViewReader(data)
    obj = _wrap_errors(source, lambda: _CUnpickler(f, guard).load())
    if f.tell() != len(data):  # pragma: no cover - the analysis checked the same thing
        raise MalformedArtifactError(f"{source}: bytes after STOP", path=source)
    return obj


def recording_cuts(
    data: Buffer,
    analysis: StreamAnalysis,
    guard: _Guard,
    discarded: list[Any] | None,
    regions: dict[int, int],
) -> list[tuple[int, int, bytes]]:
    """The edits that make the top-level stream hand what it discards to ``discarded`` (none
    when it is ``None`` or the stream discards nothing but constants), with ``guard`` set to
    answer the recorder's name with that list. ``regions``: see
    :func:`safeload.pickle.discards.discard_cuts`."""
    if discarded is None or not analysis.discards:
        return []
    guard.recorder = discarded
    buf = data if isinstance(data, (bytes, bytearray, mmap.mmap)) else bytes(data)
    return discard_cuts(buf, 0, analysis.discards, regions)


#: A FRAME opcode: one byte and an 8-byte frame length.
_FRAME_OP = 9


def _splice(data: Buffer, analysis: StreamAnalysis, cuts: list[tuple[int, int, bytes]]) -> bytes:
    """``data`` as one plain stream for the C unpickler: each ``(start, end)`` range replaced by
    its bytes, and the top-level FRAME opcodes dropped (frames are only a buffering hint, and the
    cuts change the frames' lengths). Every range is at opcode boundaries the analysis found,
    and none overlap."""
    cuts += [(f, f + _FRAME_OP, b"") for f in analysis.frame_ops]
    cuts.sort()
    out = bytearray()
    cur = 0
    view = memoryview(data)
    for start, end, replacement in cuts:
        if start < cur:  # pragma: no cover - the analysis never produces overlapping cuts
            raise MalformedArtifactError("overlapping regions in the stream")
        out += view[cur:start]
        out += replacement
        cur = end
    out += view[cur:]
    return bytes(out)


#: ``BYTEARRAY8`` is one opcode byte and an 8-byte length before its data.
_BYTEARRAY8_HEADER = 9
_NEXT_BUFFER = pickle.NEXT_BUFFER
#: Not a pickle opcode.
_SPENT = 0


def _rewrite_pickle(
    data: Buffer, analysis: StreamAnalysis, cuts: list[tuple[int, int, bytes]]
) -> tuple[bytes, list[memoryview]]:
    """The stream with each bytearray of ``analysis.buffer_views`` replaced by ``NEXT_BUFFER``
    (see :func:`_splice`), and the buffers to feed it: views of ``data``, in stream order.

    The pickler put each array's data right after its 9-byte header, at any address. Where that
    is not 16-byte aligned, the data is moved back over its own header (at most 9 bytes, which
    the new stream no longer needs) to the nearest 16- or else 8-byte boundary, so that numpy
    gets an aligned view. This is why ``data`` is spent afterwards, and marked so.
    """
    cuts = cuts + [
        (pos, pos + _BYTEARRAY8_HEADER + size, _NEXT_BUFFER) for pos, size in analysis.buffer_views
    ]
    stream = _splice(data, analysis, cuts)
    view = memoryview(data).cast("B")
    base: int = np.frombuffer(view, dtype=np.uint8).ctypes.data
    buffers: list[memoryview] = []
    for pos, size in analysis.buffer_views:
        start = pos + _BYTEARRAY8_HEADER
        back = (base + start) % 16
        if back > _BYTEARRAY8_HEADER:
            back -= 8
        if back:
            view[start - back : start - back + size] = view[start : start + size]  # memmove
        buffers.append(view[start - back : start - back + size])
    if buffers:
        # The buffer no longer holds the stream. Its final STOP (never inside an array) becomes
        # an invalid opcode, so that reading the spent buffer again fails instead of loading
        # moved bytes.
        view[len(view) - 1] = _SPENT
    return stream, buffers


def _frombuffer_standin(real: Callable[..., Any], source: str) -> Callable[..., Any]:
    """numpy's ``_frombuffer``, except that its buffer must be bytes, a bytearray or one of
    safeload's views of the file, its dtype one numpy's constructors make
    (checked again on what was built, behind the static pass), and that an array over one of
    safeload's views that is still not aligned for its dtype (alignment 16, such as
    ``longdouble``) is copied."""
    seen: dict[int, str | None] = {}

    def _frombuffer(*args: Any) -> Any:
        if not args or type(args[0]) not in (bytes, bytearray, memoryview):
            # numpy writes an array over its own bytes; over another array it is a view that
            # shares (or, as floats, reinterprets an object array's pointers) memory (rt28-01)
            raise UnsafeStateError(
                f"{source}: numpy's _frombuffer over something other than bytes", path=source
            )
        if len(args) > 1:
            check_built_dtype(args[1], seen, source)
        array = real(*args)
        if isinstance(args[0], memoryview) and not array.flags.aligned:
            array = array.copy(order="K")
        return array

    return _frombuffer


def _layout_disagrees(source: str) -> MalformedArtifactError:
    """The unpickler stopped short of, or ran past, what the analysis laid out for it."""
    return MalformedArtifactError(
        f"{source}: the loader and the analysis disagree about the stream's layout", path=source
    )


def _load_with_views(
    data: Buffer, analysis: StreamAnalysis, guard: _Guard, cuts: list[tuple[int, int, bytes]]
) -> Any:
    source = guard.source
    for raw, real in analysis.resolved.items():
        if real in FROMBUFFER:
            guard.substitutes[raw] = _frombuffer_standin(_resolve(*real), source)
    stream, buffers = _rewrite_pickle(data, analysis, cuts)
    pending = iter(buffers)
    f = io.BytesIO(stream)
    obj = _wrap_errors(source, lambda: _CUnpickler(f, guard, pending).load())
    if next(pending, None) is not None or f.tell() != len(stream):
        raise _layout_disagrees(source)
    return obj
