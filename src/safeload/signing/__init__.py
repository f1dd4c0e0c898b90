"""Sign bytes into an envelope; verify bytes against an envelope and pinned keys.

:func:`verify_bytes` is the only code that can construct a :class:`VerifiedArtifact`, and the
format readers accept nothing else (except an explicitly named :class:`UnsignedArtifact`), so
deserializing unverified bytes is a type error rather than a code-review catch.
"""

from __future__ import annotations

import functools
import hmac
import warnings
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from datetime import datetime, timezone
from typing import ClassVar, NoReturn, SupportsIndex

from safeload import _progress
from safeload._types import Buffer
from safeload.exceptions import (
    InsufficientSignaturesError,
    InvalidSignatureError,
    RetiredKeyError,
    SignatureError,
)
from safeload.keys import Keyring, KeysLike, Signer, as_keyring
from safeload.sidecar import (
    DIRECTORY,
    FORMATS,
    PAYLOAD_TYPE,
    Envelope,
    Predicate,
    Signature,
    Statement,
    Subject,
    format_time,
    parse_envelope,
    parse_statement,
)

__all__ = [
    "InconsistentVersionWarning",
    "VersionMismatchWarning",
    "UnsignedArtifact",
    "VerifiedArtifact",
    "add_signature",
    "environment",
    "sign_bytes",
    "signer_environment",
    "unsigned_artifact",
    "verify_bytes",
    "verify_digest",
]

_TOKEN = object()


class _Sealed:
    """Base for values only this module may construct: a private token must be passed.

    Not dataclasses: ``dataclasses.replace`` (and ``copy.replace``) would carry the token over
    into a value holding other bytes. Attributes are set once, by :meth:`_seal`; setting,
    deleting, copying and pickling are refused.
    """

    __slots__ = ()
    #: the function that alone constructs this type, named in the error
    _MAKER: ClassVar[str] = "this module"

    def _seal(self, token: object, **values: object) -> None:
        if token is not _TOKEN:
            raise TypeError(f"{type(self).__name__} is created only by {self._MAKER}")
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be copied or pickled")

    def __repr__(self) -> str:
        names: tuple[str, ...] = getattr(type(self), "__slots__", ())
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names if n not in ("data", "files"))
        return f"{type(self).__name__}({shown})"


class VersionMismatchWarning(UserWarning):
    """The artifact was saved with library versions that differ from the running ones.

    safeload's own class, not scikit-learn's ``sklearn.exceptions.InconsistentVersionWarning``
    (which scikit-learn itself still raises when it unpickles an estimator): filter this one
    to silence safeload's warning."""


#: The name this warning had before 0.2; the same class, kept so existing filters still work.
InconsistentVersionWarning = VersionMismatchWarning


def signer_environment() -> dict[str, str]:
    """What :func:`sign` records for a file it did not write: only the signer's safeload
    version. The libraries the file was saved with are unknown to it, and recording the
    signer's would make a load warn about, and `inspect` show, versions the file never had."""
    return {k: v for k, v in environment().items() if k == "safeload"}


class VerifiedArtifact(_Sealed):
    """Bytes whose signature has been checked, with the statement that covers them.

    Only :func:`verify_bytes` can create one. ``data`` is the very buffer that was hashed.
    ``safeload.formats.read(..., consume=True)`` takes the buffer over (its arrays become views
    into it, and a pickle buffer is rearranged); without ``consume`` it is left as it is.
    """

    __slots__ = ("data", "keyids", "name", "statement")
    _MAKER = "safeload.signing.verify_bytes"
    data: Buffer
    name: str
    statement: Statement
    keyids: tuple[str, ...]

    def __init__(
        self,
        data: Buffer,
        name: str,
        statement: Statement,
        keyids: tuple[str, ...],
        _token: object = None,
    ) -> None:
        self._seal(_token, data=data, name=name, statement=statement, keyids=keyids)

    @property
    def format(self) -> str:
        """The signed format: ``pickle``, ``joblib`` or ``skops``."""
        return self.statement.predicate.format


class UnsignedArtifact(_Sealed):
    """Bytes that were deliberately loaded without a signature check (``load_unsigned``)."""

    __slots__ = ("data", "format", "name")
    _MAKER = "unsigned_artifact()"
    data: Buffer
    name: str
    format: str

    def __init__(self, data: Buffer, name: str, format: str, _token: object = None) -> None:
        self._seal(_token, data=data, name=name, format=format)


def unsigned_artifact(data: Buffer, name: str, format: str) -> UnsignedArtifact:
    """Wrap bytes that the caller chose to read without verification."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}")
    return UnsignedArtifact(data, name, format, _TOKEN)


def _dist_version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


#: Distributions whose versions are recorded at save time and compared at load time.
_TRACKED = ("scikit-learn", "joblib", "numpy", "scipy", "skops", "safeload")


def environment() -> dict[str, str]:
    """Versions recorded in the predicate: Python and the libraries that shape the pickle."""
    return dict(_environment())


@functools.lru_cache(maxsize=1)
def _environment() -> tuple[tuple[str, str], ...]:
    import platform

    env = [("python", platform.python_version())]
    for dist in _TRACKED:
        v = _dist_version(dist)
        if v is not None:
            env.append((dist, v))
    return tuple(env)


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
        (_subject(name, data, blake3),),
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


def _subject(name: str, data: Buffer, blake3: bool | None) -> Subject:
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


def _digest_matches(
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


def add_signature(envelope: Envelope, signer: Signer) -> Envelope:
    """Add ``signer``'s signature over the envelope's exact payload (for approvals)."""
    return envelope.with_signature(Signature(signer.keyid, signer.sign(envelope.pae())))


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
            f"--append`.{also}",
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
        lambda subject: _digest_matches(subject, data, _digest),
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
    _warn_versions(statement, src)
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


def _warn_versions(statement: Statement, source: str) -> None:
    running = environment()
    for dist in ("scikit-learn", "joblib", "numpy"):
        saved = statement.predicate.environment.get(dist)
        now = running.get(dist)
        if saved is not None and now is not None and saved != now:
            warnings.warn(
                f"{source} was saved with {dist} {saved} and is being loaded with {dist} {now}. "
                "This might lead to breaking code or invalid results; re-save the model with "
                "the running version if possible.",
                VersionMismatchWarning,
                stacklevel=5,
            )


class VerifiedFolder(_Sealed):
    """Every file of a folder, read once and checked against the folder's signed manifest.

    Only :func:`verify_folder` can create one.
    """

    __slots__ = ("files", "keyids", "statement")
    _MAKER = "safeload.signing.verify_folder"
    files: Mapping[str, Buffer]
    statement: Statement
    keyids: tuple[str, ...]

    def __init__(
        self,
        files: Mapping[str, Buffer],
        statement: Statement,
        keyids: tuple[str, ...],
        _token: object = None,
    ) -> None:
        self._seal(_token, files=files, statement=statement, keyids=keyids)

    def artifact(self, relpath: str, format: str) -> VerifiedArtifact:
        """One verified member, ready for a reader."""
        data = self.files[relpath]
        subject = next(x for x in self.statement.subjects if x.name == relpath)
        single = Statement(
            (subject,),
            Predicate(
                format=format,
                size=len(data),
                created=self.statement.predicate.created,
                expires=self.statement.predicate.expires,
                version=self.statement.predicate.version,
                name=self.statement.predicate.name,
                environment=self.statement.predicate.environment,
            ),
        )
        return VerifiedArtifact(data, relpath, single, self.keyids, _TOKEN)


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
    subjects = tuple(_subject(rel, files[rel], None) for rel in sorted(files))
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
                    st.predicate.files[rel] == len(data) and _digest_matches(signed[rel], data)
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
        if statement.predicate.files[rel] != len(data) or not _digest_matches(signed[rel], data):
            raise _opaque(source, ring)
    expires = statement.predicate.expires
    if expires is not None and current >= expires:
        raise SignatureError(
            f"the signature on folder {source} expired at {format_time(expires)}", path=source
        )
    return VerifiedFolder(dict(files), statement, keyids, _TOKEN)
