"""Shared type aliases."""

from __future__ import annotations

#: Bytes the readers accept: file contents are read into a private ``bytearray``.
Buffer = bytes | bytearray | memoryview
