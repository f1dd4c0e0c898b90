"""Restricted unpicklers for pickle and joblib streams.

This is the only module that touches :mod:`pickle`. Every stream is first analysed statically
(:func:`safeload.scan.analyze`): a structural problem raises ``MalformedArtifactError`` and any
untrusted global raises ``UntrustedTypeError`` listing all of them, before a single object is
built. Only then does an unpickler run, and its ``find_class`` resolves nothing but exact
allowlisted names that the analysis also saw (a disagreement between the two views is refused).
"""

from __future__ import annotations

import importlib
import io
import pickle
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from safeload.exceptions import MalformedArtifactError, SafeloadError, UntrustedTypeError
from safeload.policy import Limits, Policy, format_name
from safeload.scan import JOBLIB_WRAPPER, StreamAnalysis, analyze, refuse_unless_clean

__all__ = ["load_joblib_stream", "load_pickle_stream", "untrusted_error"]


def untrusted_error(names: list[str], source: str) -> UntrustedTypeError:
    """The actionable error for untrusted globals: lists all of them and how to allow them."""
    listed = "\n".join(f"  - {n}" for n in names)
    as_arg = ", ".join(repr(n) for n in names)
    flags = " ".join(f"--trust {n}" for n in names)
    return UntrustedTypeError(
        f"{source} refers to {len(names)} global(s) that the policy does not trust:\n{listed}\n"
        "Nothing was deserialized. If, and only if, you trust the code behind every one of these "
        f"names, allow them explicitly: load(..., trusted=[{as_arg}]) or on the CLI {flags}. "
        "A name that can run code, open files or import modules must never be trusted.",
        names=names,
        path=source,
    )


def _resolve(module: str, qualname: str) -> Any:
    """Import ``module`` and follow the exact, already-allowlisted qualname inside it."""
    mod = sys.modules.get(module)
    if mod is None:
        mod = importlib.import_module(module)
    obj: Any = mod
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _analyse_or_refuse(
    data: bytes | memoryview, policy: Policy, limits: Limits, source: str, *, joblib: bool
) -> StreamAnalysis:
    if len(data) > limits.max_file_size:
        from safeload.exceptions import LimitExceededError

        raise LimitExceededError(
            f"{source} is {len(data)} bytes, over the limit of {limits.max_file_size}",
            path=source,
        )
    analysis = analyze(data, policy=policy, limits=limits, joblib=joblib)
    refuse_unless_clean(analysis, source)
    if analysis.untrusted:
        raise untrusted_error(analysis.untrusted, source)
    return analysis


class _Guard:
    """The find_class shared by both unpicklers."""

    def __init__(
        self, policy: Policy, resolved: dict[tuple[str, str], tuple[str, str]], source: str
    ) -> None:
        self.policy = policy
        self.resolved = resolved
        self.source = source

    def __call__(self, raw_module: str, raw_name: str) -> Any:
        module, name = self.resolved.get((raw_module, raw_name), (raw_module, raw_name))
        if (raw_module, raw_name) not in self.resolved:
            raise MalformedArtifactError(
                f"{self.source}: the unpickler asked for {format_name(module, name)}, which the "
                "static analysis did not see; the stream is ambiguous and was refused",
                path=self.source,
            )
        if not self.policy.allows(module, name):  # pragma: no cover - analysis refused it first
            raise untrusted_error([format_name(module, name)], self.source)
        try:
            return _resolve(module, name)
        except (ImportError, AttributeError) as exc:
            raise MalformedArtifactError(
                f"{self.source}: trusted name {format_name(module, name)} does not exist in the "
                f"installed libraries ({exc}); the file may need other library versions",
                path=self.source,
            ) from exc


class _CUnpickler(pickle.Unpickler):
    """The C unpickler with an allowlisted ``find_class``; no persistent ids, no buffers."""

    def __init__(self, file: io.BytesIO, guard: _Guard) -> None:
        super().__init__(file, fix_imports=False, encoding="ASCII", errors="strict")
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
        raise MalformedArtifactError(f"{source}: ran out of memory loading", path=source) from exc
    except Exception as exc:
        raise MalformedArtifactError(
            f"{source} could not be loaded: {type(exc).__name__}: {exc}", path=source
        ) from exc


def load_pickle_stream(
    data: bytes | memoryview, policy: Policy, limits: Limits, source: str
) -> Any:
    """Analyse then load one plain pickle stream (protocols 0-5) under ``policy``."""
    analysis = _analyse_or_refuse(data, policy, limits, source, joblib=False)
    guard = _Guard(policy, analysis.resolved, source)
    f = io.BytesIO(data)
    obj = _wrap_errors(source, lambda: _CUnpickler(f, guard).load())
    if f.tell() != len(data):  # pragma: no cover - the analysis checked the same thing
        raise MalformedArtifactError(f"{source}: bytes after STOP", path=source)
    return obj


class _JoblibUnpickler(pickle._Unpickler):
    """Reads joblib's format: a pickle stream with raw array bytes after each array wrapper.

    Array data is read here, not by joblib's wrapper code: the subclass is pinned to
    ``numpy.ndarray``, the byte ranges must match the static analysis, and object arrays are read
    by a nested restricted unpickler.
    """

    dispatch = pickle._Unpickler.dispatch.copy()
    stack: list[Any]

    def __init__(self, file: io.BytesIO, guard: _Guard, regions: list[tuple[int, int]]) -> None:
        super().__init__(file, fix_imports=False, encoding="ASCII", errors="strict")
        self._file_handle = file
        self._guard = guard
        self._regions = list(reversed(regions))
        from joblib.numpy_pickle import NumpyArrayWrapper

        self._wrapper_cls = NumpyArrayWrapper

    def find_class(self, module: str, name: str) -> Any:
        return self._guard(module, name)

    def persistent_load(self, pid: Any) -> Any:
        raise MalformedArtifactError("persistent ids are refused", path=self._guard.source)

    def load_build(self) -> None:
        pickle._Unpickler.load_build(self)  # type: ignore[attr-defined]
        top = self.stack[-1]
        if type(top) is self._wrapper_cls:
            self.stack[-1] = self._read_array(top)

    dispatch[pickle.BUILD[0]] = load_build  # type: ignore[assignment]

    def _read_array(self, wrapper: Any) -> Any:
        source = self._guard.source
        f = self._file_handle
        start = f.tell()
        if not self._regions or self._regions[-1][0] != start:
            raise MalformedArtifactError(
                f"{source}: joblib array data at byte {start} was not where the analysis put it",
                path=source,
            )
        expected_end = self._regions.pop()[1]
        state = vars(wrapper)
        subclass, dtype, shape, order = (
            state.get("subclass"),
            state.get("dtype"),
            state.get("shape"),
            state.get("order"),
        )
        if subclass is not np.ndarray and subclass is not np.memmap:
            raise MalformedArtifactError(f"{source}: array subclass refused", path=source)
        if not isinstance(dtype, np.dtype) or not isinstance(shape, tuple) or order not in "CF":
            raise MalformedArtifactError(f"{source}: bad joblib array metadata", path=source)
        if dtype.hasobject:
            nested = _JoblibUnpickler(f, self._guard, [])
            array = nested.load()
            if not isinstance(array, np.ndarray):
                raise MalformedArtifactError(f"{source}: object array is not an array", path=source)
        else:
            if "numpy_array_alignment_bytes" in state:
                pad = f.read(1)
                f.seek(pad[0], io.SEEK_CUR)
            count = int(np.prod(shape, dtype=np.int64)) if shape else 1
            nbytes = count * dtype.itemsize
            buf = f.read(nbytes)
            if len(buf) != nbytes:
                raise MalformedArtifactError(f"{source}: truncated array data", path=source)
            array = np.frombuffer(buf, dtype=dtype, count=count).copy()
            if order == "F":
                array = array.reshape(shape[::-1]).transpose()
            else:
                array = array.reshape(shape)
            if not array.dtype.isnative and array.dtype.byteorder != "|":
                array = array.byteswap().view(array.dtype.newbyteorder("="))
        if f.tell() != expected_end:
            raise MalformedArtifactError(
                f"{source}: joblib array at byte {start} ended at {f.tell()}, the analysis "
                f"expected {expected_end}; refused",
                path=source,
            )
        return array


def load_joblib_stream(
    data: bytes | memoryview, policy: Policy, limits: Limits, source: str
) -> Any:
    """Analyse then load one (decompressed) joblib stream under ``policy``."""
    analysis = _analyse_or_refuse(data, policy, limits, source, joblib=True)
    if JOBLIB_WRAPPER not in analysis.names:
        # No inline arrays: this is a plain pickle stream and the C unpickler reads it.
        guard = _Guard(policy, analysis.resolved, source)
        f = io.BytesIO(data)
        return _wrap_errors(source, lambda: _CUnpickler(f, guard).load())
    guard = _Guard(policy, analysis.resolved, source)
    f = io.BytesIO(data)
    unpickler = _JoblibUnpickler(f, guard, analysis.array_regions)
    obj = _wrap_errors(source, unpickler.load)
    if f.tell() != len(data) or unpickler._regions:
        raise MalformedArtifactError(
            f"{source}: the loader and the analysis disagree about the stream's layout",
            path=source,
        )
    return obj
