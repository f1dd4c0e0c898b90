"""Sign bytes, or every file of a folder, into an envelope; add a signature to one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone

from safeload._types import Buffer
from safeload.sidecar import (
    DIRECTORY,
    FORMATS,
    PAYLOAD_TYPE,
    Envelope,
    Predicate,
    Signature,
    Statement,
)
from safeload.signing.digests import subject_of
from safeload.signing.keys import Signer
from safeload.signing.versions import environment

__all__ = ["add_signature", "sign_bytes", "sign_folder"]


def sign_bytes(
    data: Buffer,
    signers: Signer | Iterable[Signer],
    *,
    name: str,
    format: str,
    created: datetime | None = None,
    expires: datetime | None = None,
    version: str | None = None,
    model_name: str | None = None,
    env: Mapping[str, str] | None = None,
    blake3: bool | None = None,
) -> Envelope:
    """Build the statement for ``data`` and sign it with every signer.

    ``blake3``: also record a BLAKE3 digest (``None``: when the ``blake3`` package is
    importable, which it is in a normal install).
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    signer_list = [signers] if isinstance(signers, Signer) else list(signers)
    if not signer_list:
        raise ValueError("at least one signer is needed")
    now = created or datetime.now(timezone.utc)
    _check_version(version)
    if expires is not None and expires.tzinfo is None:
        raise ValueError("expires must be timezone-aware (e.g. datetime(..., tzinfo=timezone.utc))")
    statement = Statement(
        (subject_of(name, data, blake3),),
        Predicate(
            format=format,
            size=len(data),
            created=now,
            expires=expires,
            version=version,
            name=model_name,
            environment=environment() if env is None else env,
        ),
    )
    envelope = Envelope(statement.to_json(), PAYLOAD_TYPE)
    for signer in signer_list:
        envelope = add_signature(envelope, signer)
    return envelope


def _check_version(version: str | None) -> None:
    """Refuse, when signing, a version that rollback protection could not order later."""
    if version is not None:
        from safeload.state import parse_version

        parse_version(version)  # ValueError naming the forms that work


def add_signature(envelope: Envelope, signer: Signer) -> Envelope:
    """Add ``signer``'s signature over the envelope's exact payload (for approvals)."""
    return envelope.with_signature(Signature(signer.keyid, signer.sign(envelope.pae())))


def sign_folder(
    files: Mapping[str, Buffer],
    signers: Signer | Iterable[Signer],
    *,
    created: datetime | None = None,
    expires: datetime | None = None,
    version: str | None = None,
    model_name: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Envelope:
    """A folder manifest: one subject (relative path, SHA-256) per file, sizes in ``files``."""
    signer_list = [signers] if isinstance(signers, Signer) else list(signers)
    if not signer_list:
        raise ValueError("at least one signer is needed")
    if not files:
        raise ValueError("the folder has no files to sign")
    _check_version(version)
    subjects = tuple(subject_of(rel, files[rel], None) for rel in sorted(files))
    statement = Statement(
        subjects,
        Predicate(
            format=DIRECTORY,
            size=sum(len(v) for v in files.values()),
            created=created or datetime.now(timezone.utc),
            expires=expires,
            version=version,
            name=model_name,
            environment=environment() if env is None else env,
            files={rel: len(files[rel]) for rel in sorted(files)},
        ),
    )
    envelope = Envelope(statement.to_json(), PAYLOAD_TYPE)
    for signer in signer_list:
        envelope = add_signature(envelope, signer)
    return envelope
