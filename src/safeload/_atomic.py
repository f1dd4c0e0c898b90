"""Atomic file replacement that leaves the mode to the umask, like ``open(path, "wb")``.

Artifacts, sidecars and the trust state are not secrets: a model signed by one user must be
readable by the service account that serves it. ``tempfile.mkstemp`` creates its file with mode
0600 whatever the umask, and ``os.replace`` keeps that mode, so the temporary file is created
here with mode 0666 and the umask applied by the kernel. Private keys are written elsewhere
(``safeload.keys``), always 0600.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_atomic"]

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
    fd, tmp = _create_temp(path.parent, prefix if prefix is not None else f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
