"""Which memory a loaded array uses: its own, or the buffer a file was read into."""

from __future__ import annotations

import mmap
from typing import Any

import numpy as np


def owners(array: np.ndarray) -> list[Any]:
    """The chain of objects whose memory ``array`` uses, innermost last."""
    chain: list[Any] = []
    base: Any = array.base
    while base is not None:
        chain.append(base)
        if isinstance(base, np.ndarray):
            base = base.base
        else:
            base = base.obj if isinstance(base, memoryview) else None
    return chain


def views_file_buffer(array: np.ndarray) -> bool:
    """Whether ``array`` uses the memory of a whole file buffer (a private mapping, or a
    bytearray larger than the array: a copy owns its bytes, or a bytearray of its own size)."""
    return any(
        isinstance(o, mmap.mmap) or (isinstance(o, bytearray) and len(o) > array.nbytes)
        for o in owners(array)
    )
