"""The entry points that serialize a model and sign it, re-exported by :mod:`safeload.api`:
:func:`dump` writes the file and its signature, :func:`dumps` returns both as bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeload import formats
from safeload._signatures import PathLike, checked_signers
from safeload._types import file_path
from safeload._writing import serialize_signed, write_signed

if TYPE_CHECKING:  # the signing stack is imported where it is used (issue 18)
    from safeload.signing.keys import Signer

__all__ = ["dump", "dumps"]


def dump(
    obj: Any,
    path: PathLike,
    signer: Signer | Iterable[Signer],
    *,
    format: str | None = None,
    compress: Any = 0,
    protocol: int | None = None,
    version: str | None = None,
    expires: datetime | None = None,
    name: str | None = None,
) -> Path:
    """Serialize ``obj`` to ``path`` and write its signature to ``<path>.sig``.

    The format comes from ``format`` or the extension (``.pkl``/``.pickle``, ``.joblib`` and
    joblib's compressed extensions, ``.skops``). ``version`` and ``name`` are recorded in the
    signed predicate; ``expires`` (timezone-aware) bounds the signature's validity.
    Returns the sidecar path.
    """
    checked_signers(signer)
    p = file_path(path)
    data, envelope = serialize_signed(
        obj, p, signer, format, compress, protocol, version, expires, name
    )
    return write_signed(p, data, envelope)


def dumps(
    obj: Any,
    signer: Signer | Iterable[Signer],
    *,
    format: str = "pickle",
    compress: Any = 0,
    protocol: int | None = None,
    name: str = "payload",
    version: str | None = None,
    expires: datetime | None = None,
) -> tuple[bytes, bytes]:
    """Serialize ``obj`` in memory; return ``(payload, sidecar)`` bytes."""
    from safeload.signing import sign_bytes

    checked_signers(signer)
    data = formats.write(obj, format, compress=compress, protocol=protocol)
    envelope = sign_bytes(data, signer, name=name, format=format, version=version, expires=expires)
    return data, envelope.to_json()
