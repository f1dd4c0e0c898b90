"""Shared type aliases."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

from safeload.exceptions import UsageError

#: Bytes the readers accept. File contents are read into private memory: a ``bytearray``, or for
#: large files an anonymous private ``mmap`` (see ``safeload.api._read_once``).
Buffer = bytes | bytearray | memoryview | mmap.mmap
#: A file name the public functions accept.
PathLike = str | os.PathLike[str]


def file_path(path: object, what: str = "path") -> Path:
    """``path`` as a :class:`~pathlib.Path`, or a :class:`~safeload.UsageError` saying what to
    pass where it is no file name (bytes of a model, a number, ``None``): the public functions
    that read or write a file raise it before touching anything."""
    if isinstance(path, (str, os.PathLike)):
        name = os.fspath(path)
        if isinstance(name, str):
            return Path(name)
    hint = ""
    if isinstance(path, (bytes, bytearray, memoryview)):
        hint = (
            ": for a model held in memory use safeload.scan(data), or safeload.loads(payload, "
            "sidecar, keys) for a signed one"
        )
    kind = type(path).__name__
    raise UsageError(f"{what} must be a file name (str or os.PathLike), not {kind}{hint}")
