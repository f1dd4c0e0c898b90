"""Atomic file replacement that leaves the mode to the umask, like ``open(path, "wb")``.

Artifacts, sidecars and the trust state are not secrets: a model signed by one user must be
readable by the service account that serves it. ``tempfile.mkstemp`` creates its file with mode
0600 whatever the umask, and ``os.replace`` keeps that mode, so the temporary file is created
here with mode 0666 and the umask applied by the kernel. Private keys are written elsewhere
(``safeload.signing.keyfiles``), always 0600.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

__all__ = ["locked_folder", "write_atomic"]

_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)


def _create_temp(folder: Path, prefix: str) -> tuple[int, Path]:
    """A new file beside the target, created exclusively (never an existing file or link)."""
    for _ in range(100):
        tmp = folder / f"{prefix}{secrets.token_hex(8)}.tmp"
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:  # pragma: no cover - 64 random bits collided
            continue
    raise FileExistsError(f"cannot create a temporary file in {folder}")  # pragma: no cover


def write_atomic(path: Path, data: bytes, *, prefix: str | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it
    over ``path``: readers see the old file or the new one, never a partial one."""
    try:
        fd, tmp = _create_temp(path.parent, prefix if prefix is not None else f".{path.name}.")
    except OSError as exc:
        raise _naming(exc, path) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _naming(exc, path) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """The same kind of error (disk full, read-only, permission), about the file the caller
    asked for: the temporary name in the original error means nothing to a user."""
    if exc.errno is None:  # pragma: no cover - every OS write error carries an errno
        return exc
    return type(exc)(exc.errno, f"cannot write {path}: {exc.strerror}; it was left as it was")


@contextlib.contextmanager
def locked_folder(folder: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``folder`` (``flock`` on the directory itself, so no
    lock file is left behind) for a read-modify-write of a file in it, such as adding a
    signature to a sidecar: two writers at once would each write what they read plus their own
    change, and one change would be lost. Where ``fcntl`` is missing (Windows) nothing is
    locked; callers also check that what they read has not changed before they write."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # no such folder: the write itself will fail, with a better message
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
