"""Pausing Python's cyclic garbage collector while a load builds objects.

The static pass builds one symbolic value per opcode (about 100,000 for a 300-tree forest) and
the unpickler builds the model. While they are alive the collector counts them as new objects,
so it runs full collections over the whole heap in the middle of a load: 55 ms each, one in
every three passes, measured on a 300-tree forest. Nothing is unbounded while it is paused: the
objects a load builds are bounded by the opcode and size limits, and any garbage cycles are
collected once the collector runs again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


@contextmanager
def paused() -> Iterator[None]:
    """Disable the collector for the block and re-enable it afterwards if it was enabled.

    The switch is process-wide. Nested and concurrent uses are safe: only a caller that found
    the collector enabled turns it back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
