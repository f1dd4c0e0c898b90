"""Shared type aliases."""

from __future__ import annotations

import mmap
import os

#: Bytes the readers accept. File contents are read into private memory: a ``bytearray``, or for
#: large files an anonymous private ``mmap`` (see ``safeload.api._read_once``).
Buffer = bytes | bytearray | memoryview | mmap.mmap
#: A file name the public functions accept.
PathLike = str | os.PathLike[str]
