"""Progress of reading and hashing large files, for the command line.

The library reports nothing by default. The CLI installs a reporter (:func:`reporting`) that
draws a one-line bar on stderr when stderr is a terminal; reading and hashing then go in chunks
and call it. Work below :data:`MIN_BYTES` is never reported.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

#: (what, done, total): what is e.g. "reading model.joblib"; done and total are byte counts.
Reporter = Callable[[str, int, int], None]

MIN_BYTES = 64 << 20
CHUNK = 32 << 20

_lock = threading.Lock()
_reporter: Reporter | None = None


def current(total: int) -> Reporter | None:
    """The installed reporter, if one is installed and ``total`` bytes are worth reporting."""
    return _reporter if total >= MIN_BYTES else None


@contextmanager
def reporting(reporter: Reporter | None) -> Iterator[None]:
    """Install ``reporter`` for the duration of the block (the CLI runs one command in it)."""
    global _reporter
    with _lock:
        previous, _reporter = _reporter, reporter
    try:
        yield
    finally:
        with _lock:
            _reporter = previous


def sha256_hex(data: Any, what: str = "hashing") -> str:
    """SHA-256 of ``data`` as hex, reported in chunks when a reporter wants it."""
    total = len(data)
    report = current(total)
    if report is None:
        return hashlib.sha256(data).hexdigest()
    h = hashlib.sha256()
    view = memoryview(data).cast("B")
    for start in range(0, total, CHUNK):
        h.update(view[start : start + CHUNK])  # hashlib releases the GIL for large updates
        report(what, min(total, start + CHUNK), total)
    return h.hexdigest()


class TerminalBar:
    """A reporter drawing ``what: 45% (460/1024 MiB)`` on one line of a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._last: tuple[str, int] | None = None
        self._lock = threading.Lock()

    def __call__(self, what: str, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        with self._lock:
            if self._last == (what, percent):
                return
            self._last = (what, percent)
            line = f"{what}: {percent:3d}% ({done >> 20}/{total >> 20} MiB)"
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{line}{end}")
            self.stream.flush()


def terminal_bar(stream: TextIO) -> Reporter | None:
    """A :class:`TerminalBar` on ``stream`` if it is a terminal, else ``None``."""
    isatty = getattr(stream, "isatty", None)
    return TerminalBar(stream) if isatty is not None and isatty() else None
