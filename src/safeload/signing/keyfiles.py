"""Key files: read one (size-capped), create one that is never overwritten, and the passphrase
bytes of an encrypted private key. The only file I/O of the key classes."""

from __future__ import annotations

import os
from pathlib import Path

from safeload.exceptions import KeyFormatError

_MAX_KEY_FILE = 64 * 1024


def read_key_file(path: str | os.PathLike[str]) -> bytes:
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise KeyFormatError(f"cannot read key file {p}: {exc.strerror}", path=str(p)) from exc
    if len(data) > _MAX_KEY_FILE:
        raise KeyFormatError(f"key file {p} is larger than {_MAX_KEY_FILE} bytes", path=str(p))
    return data


def write_new_file(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with ``mode``; refuse to overwrite anything already there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError as exc:
        raise KeyFormatError(
            f"{path} already exists; refusing to overwrite a key. Move it away first.",
            path=str(path),
        ) from exc
    try:
        os.fchmod(fd, mode)  # umask may have narrowed or (for 0644) not mattered
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def password_bytes(password: str | bytes | None) -> bytes | None:
    if password is None:
        return None
    return password.encode("utf-8") if isinstance(password, str) else bytes(password)
