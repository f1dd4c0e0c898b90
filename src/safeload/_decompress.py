"""joblib's compressed containers, decompressed in memory under the ``max_decompressed_size``
limit (zlib, gzip, bz2, xz, lzma and, with the ``lz4`` package, lz4).
:mod:`safeload.formats` re-exports :func:`joblib_stream`.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable
from typing import Any, Protocol

from safeload._sniff import compression_of
from safeload._types import Buffer
from safeload.exceptions import LimitExceededError, MalformedArtifactError
from safeload.policy import Limits

_CHUNK = 1 << 24


class _Decompressor(Protocol):
    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...  # pragma: no cover


def _decompress(data: Buffer, method: str, limit: int, source: str) -> bytearray:
    """Decompress a whole joblib container, refusing to grow past ``limit`` bytes."""
    if method == "compat":
        raise MalformedArtifactError(
            f"{source} uses joblib's legacy 'ZF' container (joblib < 0.10), which safeload does "
            "not read. Re-save the model with a current joblib.",
            path=source,
        )
    if method == "lz4":
        return _decompress_lz4(data, limit, source)
    factories: dict[str, Callable[[], Any]] = {
        "zlib": lambda: zlib.decompressobj(zlib.MAX_WBITS),
        "gzip": lambda: zlib.decompressobj(31),
        "bz2": bz2.BZ2Decompressor,
        "xz": lambda: lzma.LZMADecompressor(format=lzma.FORMAT_XZ),
        "lzma": lambda: lzma.LZMADecompressor(format=lzma.FORMAT_ALONE),
    }
    d = factories[method]()
    out = bytearray()
    try:
        if method in ("zlib", "gzip"):
            pending = data
            while True:
                chunk = d.decompress(pending, _CHUNK)
                out += chunk
                if len(out) > limit:
                    break
                pending = d.unconsumed_tail
                if not pending and not chunk:
                    break
            complete = d.eof and not d.unused_data
        else:
            chunk = d.decompress(data, _CHUNK)
            out += chunk
            while not d.eof and len(out) <= limit:
                if d.needs_input:
                    break
                out += d.decompress(b"", _CHUNK)
            complete = d.eof and not d.unused_data
    except (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError) as exc:
        raise MalformedArtifactError(
            f"{source}: corrupt {method} data ({exc}); nothing was deserialized", path=source
        ) from exc
    if len(out) > limit:
        raise LimitExceededError(
            f"{source} decompresses to more than {limit} bytes (limit max_decompressed_size); "
            "refused as a possible decompression bomb",
            path=source,
        )
    if not complete:
        raise MalformedArtifactError(
            f"{source}: {method} data is truncated or followed by extra bytes", path=source
        )
    return out


def _decompress_lz4(data: Buffer, limit: int, source: str) -> bytearray:
    try:
        import lz4.frame  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError as exc:
        raise MalformedArtifactError(
            f"{source} is lz4-compressed; install the 'lz4' package to read it", path=source
        ) from exc
    d = lz4.frame.LZ4FrameDecompressor()
    out = bytearray()
    try:
        out += d.decompress(data, max_length=_CHUNK)
        while not d.eof and len(out) <= limit and not d.needs_input:
            out += d.decompress(b"", max_length=_CHUNK)
    except RuntimeError as exc:
        raise MalformedArtifactError(f"{source}: corrupt lz4 data ({exc})", path=source) from exc
    if len(out) > limit:
        raise LimitExceededError(f"{source} decompresses past {limit} bytes", path=source)
    if not d.eof or d.unused_data:
        raise MalformedArtifactError(f"{source}: lz4 data truncated or padded", path=source)
    return out


def joblib_stream(data: Buffer, limits: Limits, source: str) -> Buffer:
    """The raw pickle stream inside a joblib file (decompressed when needed).

    A ``bytearray`` lets the arrays be writable views of the one buffer instead of copies."""
    method = compression_of(data)
    if method is None:
        return data
    return _decompress(data, method, limits.max_decompressed_size, source)
