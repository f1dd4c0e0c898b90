"""Verify bytes, a digest or a folder's files against an envelope and pinned keys.

:func:`verify_bytes` is the only code that can construct a :class:`VerifiedArtifact` from a
safeload signature. A wrong key, a flipped byte and a truncated signature raise the same opaque
:class:`SignatureError`; a reason is told only for bytes that valid signatures cover.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from datetime import datetime, timezone

from safeload._types import Buffer
from safeload.exceptions import (
    InsufficientSignaturesError,
    InvalidSignatureError,
    RetiredKeyError,
    SignatureError,
)
from safeload.sidecar import (
    DIRECTORY,
    Envelope,
    Statement,
    Subject,
    format_time,
    parse_envelope,
    parse_statement,
)
from safeload.signing.artifacts import _TOKEN, VerifiedArtifact, VerifiedFolder
from safeload.signing.digests import checked_algorithm, digest_matches
from safeload.signing.keyring import Keyring, KeysLike, as_keyring
from safeload.signing.versions import warn_versions

__all__ = ["trusted_signers", "verify_bytes", "verify_digest", "verify_folder"]


def _count_valid(envelope: Envelope, ring: Keyring, now: datetime) -> tuple[str, ...]:
    """Key ids of the distinct trusted keys that made a valid signature.

    The key id on a signature is a hint, never a reason to trust: a signature counts for a key
    only if it verifies under that key. An empty hint may match any trusted key; a non-empty
    hint that names a different key rules that pairing out. The hint is not signed: blanking it
    keeps a signature valid, so a sidecar's bytes do not identify a release (rt17 f06).
    """
    message = envelope.pae()
    valid = []
    for key in ring.usable(now):
        candidates = [s for s in envelope.signatures if s.keyid in ("", key.keyid)]
        if any(key.verify(message, s.sig) for s in candidates):
            valid.append(key.keyid)
    return tuple(valid)


def trusted_signers(envelope: Envelope, keys: KeysLike, now: datetime) -> tuple[str, ...]:
    """Key ids of the distinct keys of ``keys`` usable at ``now`` (not revoked, not past their
    ``not_after``) with a valid signature over ``envelope``'s exact payload, whatever the
    keyring's threshold: what an approval (``sign --append``) must find before it adds its
    own (rt51-05)."""
    return _count_valid(envelope, as_keyring(keys), now)


def _opaque(source: str, ring: Keyring) -> SignatureError:
    return InvalidSignatureError(
        f"signature verification failed for {source}: no valid signature over these exact "
        f"bytes from the {ring.describe()}. The file or its .sig was changed, belongs to another "
        "file, or was signed by a key you do not trust. Do not load it; fetch both files again "
        "from the publisher or check which key you expect.",
        path=source,
    )


def _too_few(
    envelope: Envelope,
    ring: Keyring,
    now: datetime,
    keyids: tuple[str, ...],
    source: str,
    sidecar_source: str,
    matches: Callable[[Statement], bool],
) -> SignatureError:
    """The error for fewer valid signatures from trusted keys than the threshold.

    Only when the bytes are exactly what valid signatures cover (from trusted keys, or from
    keys the keyring knows but no longer trusts) is the reason told: approvals missing, or a
    revoked or expired key. Anything else, tampering included, gets the one opaque error."""
    message = envelope.pae()
    retired: list[tuple[str, str]] = []
    for keyid, why in ring.retired(now).items():
        key = ring.known(keyid)
        candidates = [s for s in envelope.signatures if s.keyid in ("", keyid)]
        if key is not None and any(key.verify(message, s.sig) for s in candidates):
            retired.append((keyid, why))
    if not keyids and not retired:
        return _opaque(source, ring)
    try:
        statement = parse_statement(envelope.payload, source=sidecar_source)
    except SignatureError:
        return _opaque(source, ring)
    if not matches(statement):
        return _opaque(source, ring)
    old = "; ".join(f"key id {k[:16]}… {why}" for k, why in retired)
    if keyids:
        also = f" It is also signed by a key that no longer counts: {old}." if retired else ""
        return InsufficientSignaturesError(
            f"{source}: {len(keyids)} of {ring.threshold} required signatures from the "
            f"{ring.describe()}. The file is exactly what was signed; approvals are missing. "
            f"Another trusted key holder can add one with `safeload sign {source} --key KEY "
            f"--append --pub PUBLISHER.pub` (or --keyring): an approval is added only to a "
            f"signature that verifies under the keys the approver trusts.{also}",
            have=len(keyids),
            need=ring.threshold,
            path=source,
        )
    return RetiredKeyError(
        f"{source} is exactly what was signed, but only by a key the {ring.describe()} no "
        f"longer trusts: {old}. Do not load it; ask the publisher for a release signed with a "
        "current key.",
        keyids=[k for k, _ in retired],
        path=source,
    )


def verify_bytes(
    data: Buffer,
    sidecar: bytes,
    keys: KeysLike,
    *,
    name: str | None,
    allow_rename: bool = False,
    now: datetime | None = None,
    source: str | None = None,
    sidecar_source: str | None = None,
    _digest: tuple[str, Future[str]] | None = None,
) -> VerifiedArtifact:
    """Verify ``data`` against the sidecar bytes with pinned ``keys``.

    ``name`` is the artifact's file name as found; it must equal the signed name unless
    ``allow_rename``. ``None`` (in-memory use) skips the name check. ``now`` is injectable for
    tests. Raises :class:`SignatureError` (or a subclass) on any failure.

    ``_digest`` is internal: ``(algorithm, digest)`` of exactly ``data``, which
    ``safeload.load`` computes from the same buffer while reading it. Nothing else may pass it.
    """
    statement, keyids = _verify_content(
        len(data),
        lambda subject: digest_matches(subject, data, _digest),
        sidecar,
        keys,
        name=name,
        allow_rename=allow_rename,
        now=now,
        source=source,
        sidecar_source=sidecar_source,
    )
    return VerifiedArtifact(data, statement.subject.name, statement, keyids, _TOKEN)


def verify_digest(
    size: int,
    digest: tuple[str, str],
    sidecar: bytes,
    keys: KeysLike,
    *,
    name: str | None,
    allow_rename: bool = False,
    now: datetime | None = None,
    source: str | None = None,
) -> Statement:
    """Verify content known only by its ``size`` and ``digest`` (``(algorithm, hex)``, the
    algorithm ``sha256`` or ``blake3``) against the sidecar bytes, as :func:`verify_bytes`
    does; return the verified statement. For checking a file that is hashed as it streams past
    and never held whole, so no bytes come back: nothing verified this way can be loaded. A
    digest of another algorithm than the one the statement is checked with
    (:func:`checked_algorithm`) fails like a wrong digest."""
    algorithm, actual = digest

    def matches(subject: Subject) -> bool:
        if checked_algorithm(subject) != algorithm:
            return False
        expected = subject.blake3 if algorithm == "blake3" else subject.sha256
        return expected is not None and hmac.compare_digest(actual, expected)

    statement, _ = _verify_content(
        size,
        matches,
        sidecar,
        keys,
        name=name,
        allow_rename=allow_rename,
        now=now,
        source=source,
        sidecar_source=None,
    )
    return statement


def _verify_content(
    size: int,
    matches_digest: Callable[[Subject], bool],
    sidecar: bytes,
    keys: KeysLike,
    *,
    name: str | None,
    allow_rename: bool,
    now: datetime | None,
    source: str | None,
    sidecar_source: str | None,
) -> tuple[Statement, tuple[str, ...]]:
    """The checks of :func:`verify_bytes` on content of ``size`` bytes whose digest
    ``matches_digest`` compares with a subject's: the verified statement and the key ids."""
    ring = as_keyring(keys)
    src = source or name or "<bytes>"
    envelope = parse_envelope(sidecar, source=sidecar_source or f"{src}.sig")
    current = now or datetime.now(timezone.utc)
    keyids = _count_valid(envelope, ring, current)
    if len(keyids) < ring.threshold:

        def matches(st: Statement) -> bool:
            return (
                st.predicate.format != DIRECTORY
                and len(st.subjects) == 1
                and st.predicate.size == size
                and matches_digest(st.subject)
            )

        raise _too_few(
            envelope, ring, current, keyids, src, sidecar_source or f"{src}.sig", matches
        )
    statement = parse_statement(envelope.payload, source=sidecar_source or f"{src}.sig")
    if statement.predicate.format == DIRECTORY:
        raise SignatureError(
            f"{src}: the signature covers a folder, not this file; load files of a signed "
            "folder by their path inside it",
            path=src,
        )
    if statement.predicate.size != size:
        raise _opaque(src, ring)
    if not matches_digest(statement.subject):
        raise _opaque(src, ring)
    if name is not None and statement.subject.name != name and not allow_rename:
        raise SignatureError(
            f"{src} was signed under the name {statement.subject.name!r}, not {name!r}. A "
            "signature from another file may have been swapped in. If you renamed the file "
            "yourself, pass allow_rename=True (CLI: --allow-rename)."
            + _normalisation_note(statement.subject.name, name),
            path=src,
        )
    expires = statement.predicate.expires
    if expires is not None and current >= expires:
        raise SignatureError(
            f"the signature on {src} expired at {format_time(expires)} (now "
            f"{format_time(current)}). Ask the publisher for a freshly signed release.",
            path=src,
        )
    warn_versions(statement, src)
    return statement, keyids


def _normalisation_note(signed: str, actual: str) -> str:
    """Two names that print alike but differ in Unicode normalisation (a copy through macOS, a
    zip or a sync tool can turn a composed "é" into "e" + accent): say so, or the message shows
    one name twice. Still refused: the name is not the one that was signed."""
    import unicodedata

    if unicodedata.normalize("NFC", signed) != unicodedata.normalize("NFC", actual):
        return ""
    forms = ["NFC" if unicodedata.is_normalized("NFC", n) else "not NFC" for n in (signed, actual)]
    return (
        " The two names look the same but differ in Unicode normalisation (signed: "
        f"{forms[0]}, on disk: {forms[1]}): a copy or archive tool rewrote the name. Rename the "
        "file back, or pass allow_rename=True."
    )


def verify_folder(
    files: Mapping[str, Buffer],
    sidecar: bytes,
    keys: KeysLike,
    *,
    now: datetime | None = None,
    source: str,
    sidecar_source: str | None = None,
) -> VerifiedFolder:
    """Check every file of a folder against its signed manifest.

    Any added, missing, renamed or changed file fails with the same opaque message as a bad
    signature, naming the folder.
    """
    ring = as_keyring(keys)
    envelope = parse_envelope(sidecar, source=sidecar_source or f"{source}.sig")
    current = now or datetime.now(timezone.utc)
    keyids = _count_valid(envelope, ring, current)
    if len(keyids) < ring.threshold:

        def matches(st: Statement) -> bool:
            signed = {x.name: x for x in st.subjects}
            return (
                st.predicate.format == DIRECTORY
                and set(signed) == set(files)
                and all(
                    st.predicate.files[rel] == len(data) and digest_matches(signed[rel], data)
                    for rel, data in files.items()
                )
            )

        sig_source = sidecar_source or f"{source}.sig"
        raise _too_few(envelope, ring, current, keyids, source, sig_source, matches)
    statement = parse_statement(envelope.payload, source=sidecar_source or f"{source}.sig")
    if statement.predicate.format != DIRECTORY:
        raise SignatureError(
            f"{source}.sig signs a single file, not a folder; verify the file instead",
            path=source,
        )
    signed = {x.name: x for x in statement.subjects}
    if set(signed) != set(files):
        added = sorted(set(files) - set(signed))
        missing = sorted(set(signed) - set(files))
        raise SignatureError(
            f"folder {source} does not match its signed manifest: added {added or 'none'}, "
            f"missing {missing or 'none'}. Do not load anything from it.",
            path=source,
        )
    for rel, data in files.items():
        if statement.predicate.files[rel] != len(data) or not digest_matches(signed[rel], data):
            raise _opaque(source, ring)
    expires = statement.predicate.expires
    if expires is not None and current >= expires:
        raise SignatureError(
            f"the signature on folder {source} expired at {format_time(expires)}", path=source
        )
    return VerifiedFolder(dict(files), statement, keyids, _TOKEN)
