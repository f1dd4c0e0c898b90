"""Shared type aliases."""

from __future__ import annotations

import mmap

#: Bytes the readers accept. File contents are read into private memory: a ``bytearray``, or for
#: large files an anonymous private ``mmap`` (see ``safeload.api._read_once``).
Buffer = bytes | bytearray | memoryview | mmap.mmap
