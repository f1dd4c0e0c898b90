"""The digests of a statement's subjects: which one a verifier here checks, and checking it
(against a digest computed while the file was read, when there is one)."""

from __future__ import annotations

import hmac
from concurrent.futures import Future

from safeload import _progress
from safeload._types import Buffer
from safeload.sidecar import Subject

__all__ = ["checked_algorithm"]


def subject_of(name: str, data: Buffer, blake3: bool | None) -> Subject:
    """The subject of ``data``: SHA-256 always, BLAKE3 as well when asked for or available."""
    available = _progress.blake3_module() is not None
    if blake3 and not available:
        raise ValueError("a BLAKE3 digest needs the blake3 package: pip install blake3")
    b3 = (
        _progress.blake3_hex(data, f"hashing {name}") if available and blake3 is not False else None
    )
    return Subject(name, _progress.sha256_hex(data, f"hashing {name}"), b3)


def checked_algorithm(subject: Subject) -> str:
    """The digest a verifier here checks for ``subject``: BLAKE3 when both the statement and
    this machine have it (it is signed like SHA-256, and several times faster), else SHA-256."""
    if subject.blake3 is not None and _progress.blake3_module() is not None:
        return "blake3"
    return "sha256"


def digest_matches(
    subject: Subject, data: Buffer, precomputed: tuple[str, Future[str]] | None = None
) -> bool:
    """Whether ``data`` has the subject's digest (see :func:`checked_algorithm`).
    ``precomputed`` is ``(algorithm, digest)`` of exactly ``data``, used when it is that one."""
    algorithm = checked_algorithm(subject)
    expected = subject.blake3 if algorithm == "blake3" else subject.sha256
    if expected is None:  # pragma: no cover - checked_algorithm implies a BLAKE3 digest
        return False
    if precomputed is not None and precomputed[0] == algorithm:
        actual = precomputed[1].result()
    elif algorithm == "blake3":
        actual = _progress.blake3_hex(data, f"hashing {subject.name}")
    else:
        actual = _progress.sha256_hex(data, f"hashing {subject.name}")
    return hmac.compare_digest(actual, expected)
