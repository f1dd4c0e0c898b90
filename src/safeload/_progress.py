"""Progress of reading and hashing large files, for the command line.

The library reports nothing by default. The CLI installs a reporter (:func:`reporting`) that
draws a one-line bar on stderr when stderr is a terminal; reading and hashing then go in chunks
and call it. Work below :data:`MIN_BYTES` is never reported.
"""

from __future__ import annotations

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


def blake3_module() -> Any:
    """The ``blake3`` package (a dependency; missing only where it was left out of the
    install), or ``None``."""
    try:
        import blake3
    except ImportError:
        return None
    return blake3


def new_hasher(algorithm: str, *, all_cores: bool = True) -> Any:
    """A fresh ``sha256`` or ``blake3`` hasher (``blake3`` needs :func:`blake3_module`).

    ``all_cores=False`` keeps BLAKE3 on the calling thread, for hashing beside other work."""
    if algorithm == "sha256":
        import hashlib  # not at import: a scan hashes nothing (issue 18's start-up)

        return hashlib.sha256()
    mod = blake3_module()
    if algorithm != "blake3" or mod is None:  # pragma: no cover - callers check first
        raise ValueError(f"cannot hash with {algorithm!r} here")
    return mod.blake3(max_threads=mod.blake3.AUTO if all_cores else 1)


def _hex(hasher: Any, data: Any, what: str) -> str:
    """Feed ``data`` to ``hasher``, in reported chunks when a reporter wants them."""
    total = len(data)
    report = current(total)
    if report is None:
        hasher.update(data)
    else:
        view = memoryview(data).cast("B")
        for start in range(0, total, CHUNK):
            hasher.update(view[start : start + CHUNK])  # both release the GIL for large input
            report(what, min(total, start + CHUNK), total)
    return str(hasher.hexdigest())


def sha256_hex(data: Any, what: str = "hashing") -> str:
    """SHA-256 of ``data`` as hex."""
    return _hex(new_hasher("sha256"), data, what)


def blake3_hex(data: Any, what: str = "hashing") -> str:
    """BLAKE3 of ``data`` as hex, on all cores; needs :func:`blake3_module` to be present."""
    return _hex(new_hasher("blake3"), data, what)


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
            if not line.isprintable():  # a file name's control characters, shown escaped
                line = line.encode("unicode_escape").decode("ascii")
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{line}{end}")
            self.stream.flush()


def terminal_bar(stream: TextIO) -> Reporter | None:
    """A :class:`TerminalBar` on ``stream`` if it is a terminal, else ``None``."""
    isatty = getattr(stream, "isatty", None)
    return TerminalBar(stream) if isatty is not None and isatty() else None
