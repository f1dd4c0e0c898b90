"""The restricted unpickler for joblib streams.

joblib writes each numpy array's bytes inline, after its ``NumpyArrayWrapper``'s BUILD. The
stream is rewritten for the C unpickler with those regions cut out (:func:`_rewrite_joblib`),
and a stand-in for the wrapper builds each array from the bytes the analysis located
(:class:`_ArrayRegions`), as views where ``views=True`` allows.
"""

from __future__ import annotations

import bisect
import io
from typing import Any

import numpy as np

from safeload._types import Buffer
from safeload.exceptions import MalformedArtifactError
from safeload.pickle.analysis import VIEW_FROM, StreamAnalysis
from safeload.pickle.discards import discard_cuts
from safeload.pickle.guard import _analyse_or_refuse, _Guard
from safeload.pickle.names import JOBLIB_WRAPPER
from safeload.pickle.unpickler import (
    _CUnpickler,
    _layout_disagrees,
    _splice,
    _ViewReader,
    _wrap_errors,
    recording_cuts,
)
from safeload.policy import Limits, Policy
from safeload.validate import check_built_dtype

__all__ = ["load_joblib_stream"]


def _rewrite_joblib(
    data: Buffer, analysis: StreamAnalysis, cuts: list[tuple[int, int, bytes]]
) -> bytes:
    """The opcodes of a joblib stream as one plain pickle for the C unpickler (see
    :func:`_splice`), with the edits ``cuts`` too: each inline array region is cut out, and
    each array wrapper's BUILD becomes TUPLE1 + REDUCE, so the wrapper stand-in is called with
    its state and the array it returns takes the wrapper's place on the stack, as joblib's own
    reader does.
    """
    cuts = cuts + [(b, b + 1, b"\x85R") for b in analysis.wrapper_builds]
    cuts += [(start, end, b"") for start, end in analysis.array_regions]
    return _splice(data, analysis, cuts)


class _ArrayRegions:
    """Builds each inline array, in stream order, from the bytes the analysis located."""

    def __init__(
        self, data: Buffer, analysis: StreamAnalysis, guard: _Guard, *, views: bool
    ) -> None:
        self.data: Buffer = data
        self.regions = list(reversed(analysis.array_regions))
        self.guard = guard
        self.views = views
        self.dtypes: dict[int, str | None] = {}
        # sorted once: each object array takes the offsets inside its region by bisection
        # (a scan of every offset per array was quadratic, rt52-08)
        self.discards = sorted(analysis.discards)

    def release(self) -> None:
        """Drop the buffer: the stand-in class refers to this object and, being a class, lives
        until the garbage collector runs."""
        self.data = b""

    def build(self, state: Any) -> Any:
        source = self.guard.source
        if not isinstance(state, dict) or not self.regions:
            raise MalformedArtifactError(
                f"{source}: joblib array wrapper out of place", path=source
            )
        start, end = self.regions.pop()
        subclass, dtype, shape, order = (
            state.get("subclass"),
            state.get("dtype"),
            state.get("shape"),
            state.get("order"),
        )
        if subclass is not np.ndarray and subclass is not np.memmap:
            raise MalformedArtifactError(f"{source}: array subclass refused", path=source)
        if (
            not isinstance(dtype, np.dtype)
            or not isinstance(shape, tuple)
            or order not in ("C", "F")
        ):
            raise MalformedArtifactError(f"{source}: bad joblib array metadata", path=source)
        check_built_dtype(dtype, self.dtypes, source)  # what numpy received, behind the pass
        if dtype.hasobject:
            raw = bytes(memoryview(self.data)[start:end])
            lo = bisect.bisect_left(self.discards, start)
            hi = bisect.bisect_left(self.discards, end, lo)
            inside = [pos - start for pos in self.discards[lo:hi]]
            if inside and self.guard.recorder is not None:
                # what the object array's own pickle discards is kept too (see _recorded)
                raw = _edited(raw, discard_cuts(raw, 0, inside, {}, frames=True))
            nested = io.BytesIO(raw)
            array = _CUnpickler(nested, self.guard).load()
            if not isinstance(array, np.ndarray) or nested.tell() != len(raw):
                raise MalformedArtifactError(f"{source}: bad object array", path=source)
            return array
        offset = start
        # joblib reads the attribute with getattr(..., None): None means no padding (rt25-08)
        if state.get("numpy_array_alignment_bytes") is not None:
            offset += 1 + memoryview(self.data)[start]
        count = 1
        for n in shape:
            count *= int(n)
        nbytes = count * dtype.itemsize
        if offset + nbytes != end:
            raise MalformedArtifactError(
                f"{source}: joblib array at byte {start} does not fill the region the analysis "
                "found; refused",
                path=source,
            )
        array = np.frombuffer(self.data, dtype=dtype, count=count, offset=offset)
        flags = array.flags
        # Small arrays are copied too: a view keeps the whole buffer alive, and a model's small
        # arrays (a forest's ``classes_``, say) would pin all of it after the load.
        if not self.views or nbytes < VIEW_FROM or not (flags.writeable and flags.aligned):
            array = array.copy()
        array = array.reshape(shape[::-1]).T if order == "F" else array.reshape(shape)
        if not array.dtype.isnative and array.dtype.byteorder != "|":
            array = array.byteswap().view(array.dtype.newbyteorder("="))
        return array


def _edited(raw: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    """``raw`` with each ``(start, end)`` range replaced by its bytes (sorted, disjoint)."""
    out = bytearray()
    cur = 0
    for start, end, replacement in sorted(cuts):
        out += raw[cur:start]
        out += replacement
        cur = end
    out += raw[cur:]
    return bytes(out)


def _wrapper_standin(regions: _ArrayRegions) -> type:
    """A class that stands in for joblib's NumpyArrayWrapper during one load."""

    class NumpyArrayWrapper:
        __slots__ = ()

        def __call__(self, state: Any) -> Any:
            return regions.build(state)

    return NumpyArrayWrapper


def load_joblib_stream(
    data: Buffer,
    policy: Policy,
    limits: Limits,
    source: str,
    analysis: StreamAnalysis | None = None,
    *,
    views: bool = False,
    discarded: list[Any] | None = None,
) -> Any:
    """Analyse then load one (decompressed) joblib stream under ``policy`` with the C unpickler.

    ``views=True`` hands ``data`` over to the load: arrays of 4 KiB and more become views into
    it where it is writable and they are aligned (no second copy), so the caller must not use
    ``data`` again. Otherwise, and for all other arrays, they are copies.

    ``discarded``, a list, receives what the stream (and an object array's pickle in it)
    builds and then drops off its stack (see :mod:`safeload.pickle.discards`).
    """
    if analysis is None:
        analysis = _analyse_or_refuse(data, policy, limits, source, joblib=True)
    guard = _Guard(policy, analysis.resolved, source)
    ends = (end for _, end in analysis.array_regions)  # aligned with the wrappers' BUILDs
    regions_after = dict(zip(analysis.wrapper_builds, ends, strict=True))
    cuts = recording_cuts(data, analysis, guard, discarded, regions_after)
    if not analysis.wrapper_builds:
        if cuts:
            plain = io.BytesIO(_splice(data, analysis, cuts))
            return _wrap_errors(source, lambda: _CUnpickler(plain, guard).load())
        f = _ViewReader(data)
        return _wrap_errors(source, lambda: _CUnpickler(f, guard).load())
    regions = _ArrayRegions(data, analysis, guard, views=views)
    standin = _wrapper_standin(regions)
    raw_wrapper = next(raw for raw, real in analysis.resolved.items() if real == JOBLIB_WRAPPER)
    guard.substitutes[raw_wrapper] = standin
    stream = io.BytesIO(_rewrite_joblib(data, analysis, cuts))
    try:
        obj = _wrap_errors(source, lambda: _CUnpickler(stream, guard).load())
    finally:
        regions.release()
    if regions.regions or stream.tell() != len(stream.getbuffer()):
        raise _layout_disagrees(source)
    return obj
