"""The public entry points. This is the only module that opens paths.

Every load reads the artifact exactly once into memory, verifies those bytes, and deserializes
those same bytes; the path is never opened again after verification.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeload import _progress, formats
from safeload import io as fileio
from safeload._folders import (
    MODEL_SIGNING_DEFAULT,
    bundle_ignores,
    signed_folder,
    skipping,
    verify_folder_any,
    verify_in_folder,
)
from safeload._signatures import SIGNATURE_FORMATS as SIGNATURE_FORMATS
from safeload._signatures import (
    PathLike,
    check_format,
    checked_keys,
    checked_signers,
    need_keys,
    one_trust_path,
    read_sidecar,
    sidecar_path,
    wants_blake3,
)
from safeload._types import Buffer
from safeload.exceptions import (
    MalformedArtifactError,
    SafeloadError,
    UsageError,
)
from safeload.io.atomic import locked_folder, write_atomic
from safeload.policy import Limits, Policy, TrustedSpec, resolve_policy
from safeload.scan import Finding, GlobalRef, ScanReport, analyze
from safeload.trust.profiles import Profile as TrustProfile
from safeload.trust.profiles import resolve_profiles

if TYPE_CHECKING:  # the signing stack is imported where it is used (issue 18)
    from safeload.sidecar import (
        Envelope,
        Statement,
    )
    from safeload.signing import (
        VerifiedArtifact,
    )
    from safeload.signing.keyring import Keyring, KeysLike
    from safeload.signing.keys import Signer
    from safeload.signing.modelsig import (
        CertificateAuthority,
    )
    from safeload.state import TrustState

__all__ = [
    "TrustProfile",
    "convert",
    "dump",
    "dumps",
    "inspect_sidecar",
    "installed_version",
    "load",
    "load_unsigned",
    "loads",
    "profiles_for_name",
    "scan",
    "sidecar_path",
    "sign",
    "trust_profiles",
    "verify",
]


#: What the library does, for callers who want to see it (the CLI's -v). The library adds no
#: handler and logs nothing above INFO: errors are raised, never logged.
_log = logging.getLogger(__name__)


def verify_bytes(*args: Any, **kwargs: Any) -> VerifiedArtifact:
    """:func:`safeload.signing.verify_bytes`, imported on first use (``import safeload`` and a
    scan do not import the signing stack). Every verification of a file's bytes in this
    module goes through this name."""
    from safeload.signing import verify_bytes as verify

    return verify(*args, **kwargs)


def add_signature(*args: Any, **kwargs: Any) -> Envelope:
    """:func:`safeload.signing.add_signature`, imported on first use (see :func:`verify_bytes`)."""
    from safeload.signing import add_signature as add

    return add(*args, **kwargs)


def _format_for(path: Path, data: Buffer | None, explicit: str | None) -> str:
    if explicit is not None:
        if explicit not in ("pickle", "joblib", "skops"):
            raise ValueError(f"format must be pickle, joblib or skops, not {explicit!r}")
        return explicit
    by_name = formats.format_from_name(path.name)
    if by_name == "pickle" and data is not None and formats.sniff_format(data) == "joblib":
        return "joblib"  # joblib.dump(model, "model.pkl") is common
    if by_name is not None:
        return by_name
    if data is not None:
        return formats.sniff_format(data)
    raise ValueError(
        f"cannot tell the format of {path.name} from its extension; use .pkl, .joblib or "
        ".skops, or pass format="
    )


def _joblib_compress_for(path: Path, compress: Any) -> Any:
    """joblib picks a compressor from the extension when writing to a path; we write bytes, so
    make that choice explicit."""
    if compress not in (0, False, None):
        return compress
    for ext, method in formats.JOBLIB_COMPRESSIONS.items():
        if path.name.lower().endswith(ext):
            return (method, 3)
    return 0


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
    p = Path(path)
    data, envelope = _serialize_signed(
        obj, p, signer, format, compress, protocol, version, expires, name
    )
    return _write_signed(p, data, envelope)


def _serialize_signed(
    obj: Any,
    p: Path,
    signer: Signer | Iterable[Signer],
    format: str | None,
    compress: Any,
    protocol: int | None,
    version: str | None,
    expires: datetime | None,
    name: str | None,
) -> tuple[bytes, Envelope]:
    """What :func:`dump` writes to ``p`` and its sidecar, in memory."""
    from safeload.signing import sign_bytes

    fmt = _format_for(p, None, format)
    if fmt == "joblib":
        compress = _joblib_compress_for(p, compress)
    data = formats.write(obj, fmt, compress=compress, protocol=protocol)
    envelope = sign_bytes(
        data, signer, name=p.name, format=fmt, expires=expires, version=version, model_name=name
    )
    return data, envelope


def _write_signed(p: Path, data: bytes, envelope: Envelope) -> Path:
    """Write ``data`` to ``p``, then its sidecar; returns the sidecar path."""
    write_atomic(p, data)
    sig = sidecar_path(p)
    write_atomic(sig, envelope.to_json())
    _log.info("wrote %s (%d bytes) and %s", p, len(data), sig)
    return sig


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


def load(
    path: PathLike,
    keys: KeysLike | None = None,
    *,
    trusted: Iterable[TrustedSpec] = (),
    profiles: Iterable[str] = (),
    allow_rename: bool = False,
    policy: Policy | None = None,
    limits: Limits | None = None,
    now: datetime | None = None,
    state: TrustState | None = None,
    allow_symlinks: bool = False,
    signature: PathLike | None = None,
    ignore_paths: Iterable[str] = (),
    ca: CertificateAuthority | None = None,
    model_root: PathLike | None = None,
    signature_format: str | None = None,
) -> Any:
    """Verify ``path`` against ``<path>.sig`` with pinned ``keys``, then deserialize the same
    bytes through the restricted reader.

    The signature file (``signature``, default ``<path>.sig``) is either safeload's sidecar or
    an OpenSSF model_signing bundle, told apart by content. A bundle is checked against the
    pinned ECDSA ``keys`` or, in certificate mode, against the roots in ``ca``; ``ignore_paths``
    (relative to a signed folder) adds to the paths the bundle leaves out. Either way the file
    is read once, and the bytes verified are the bytes deserialized.

    ``keys`` is a key, a list of keys or a :class:`~safeload.Keyring`. ``trusted`` adds exact
    names to the default policy (or to ``policy``); ``profiles`` adds reviewed opt-in trust
    profiles by name (``["xgboost"]``; ``safeload profiles`` lists them, see
    :mod:`safeload.trust.profiles`). Raises a :class:`~safeload.SafeloadError`
    subclass on any failure; there is no switch that loads a file whose signature fails.
    With ``state``, a signed name/version older than one already accepted is refused
    (rollback protection), and a successful load records its version. A file inside a signed
    folder (``DIR.sig`` beside ``DIR``, for ``DIR`` or any folder above the file) is loaded only
    after the whole folder verifies, and that folder signature alone governs it: a ``.sig`` of
    the file's own is ignored (see :func:`safeload._folders.governing_folder`).

    Which folder, if any, is verified is the caller's choice, never the signature file's: a file
    is checked as part of a folder only when ``DIR.sig`` beside a folder holding it exists, or
    when ``model_root`` names the folder (with ``signature``, default ``model_root.sig``; e.g.
    model_signing's ``model/model.sig``). Otherwise ``signature`` must sign this one file; a
    folder signature is refused (see :func:`safeload._folders.signed_folder`). ``signature_format``
    (``"safeload"`` or ``"model-signing"``) refuses a signature file of the other format.
    """
    from safeload.signing.bundle import is_bundle

    one_trust_path(keys, ca)
    p = Path(path)
    lim = limits or Limits()
    pol = resolve_policy(policy, trusted, profiles)
    governing = signed_folder(p, signature, model_root)
    if governing is not None:
        verified, rel = verify_in_folder(
            p,
            *governing,
            keys,
            lim,
            now,
            allow_symlinks,
            ca=ca,
            ignore_paths=ignore_paths,
            signature_format=signature_format,
        )
        fmt = _format_for(p, verified.files[rel], None)
        artifact = verified.artifact(rel, fmt)
        return _read_verified(artifact, verified.statement, state, pol, lim, str(p))
    sidecar: bytes | SafeloadError
    try:
        sidecar = read_sidecar(p, signature)
    except SafeloadError as exc:  # reported after the artifact's own errors, as before
        sidecar = exc
    if isinstance(sidecar, bytes):
        check_format(sidecar, signature_format, Path(signature or sidecar_path(p)), p)
    if isinstance(sidecar, bytes) and is_bundle(sidecar):
        data = fileio.read_once(p, lim.max_file_size)
        sig = Path(signature or sidecar_path(p))
        bundled = _verify_bundled_file(p, data, sidecar, sig, keys, ca, allow_rename, now)
        del data
        return _read_verified(bundled, bundled.statement, state, pol, lim, str(p))
    return _load_with_sidecar(
        p, sidecar, need_keys(keys, p), signature, pol, lim, allow_rename, now, state
    )


def _load_with_sidecar(
    p: Path,
    sidecar: bytes | SafeloadError,
    keys: KeysLike,
    signature: PathLike | None,
    pol: Policy,
    lim: Limits,
    allow_rename: bool,
    now: datetime | None,
    state: TrustState | None,
) -> Any:
    """:func:`load` of a file with safeload's own sidecar (or whose sidecar could not be read:
    ``sidecar`` is then the error, raised after the artifact's own errors)."""
    # Large files are hashed while they are read, with the digest verification will check.
    algorithm = "blake3" if isinstance(sidecar, bytes) and wants_blake3(sidecar) else "sha256"
    data, digest = fileio.read_file(
        p, lim.max_file_size, hash_from=_OVERLAP_FROM, algorithm=algorithm
    )
    if not isinstance(sidecar, bytes):
        raise sidecar
    verify = functools.partial(
        verify_bytes,
        data,
        sidecar,
        keys,
        name=p.name,
        allow_rename=allow_rename,
        now=now,
        source=str(p),
        sidecar_source=str(signature or sidecar_path(p)),
        _digest=digest,
    )
    prepared: formats.Prepared | None = None
    if len(data) < _OVERLAP_FROM:
        artifact = verify()
    else:
        artifact, prepared = _verify_beside_static_pass(verify, data, p, pol, lim)
    del data
    return _read_verified(artifact, artifact.statement, state, pol, lim, str(p), prepared)


def _verify_beside_static_pass(
    verify: Callable[[], VerifiedArtifact], data: Buffer, p: Path, pol: Policy, lim: Limits
) -> tuple[VerifiedArtifact, formats.Prepared | None]:
    """Verify in another thread while the static pass runs here (hashing releases the GIL).
    The pass only reads bytes and builds nothing; nothing is deserialized until verification
    has succeeded, and a signature failure is reported before anything the pass found. The
    pass's result goes with the artifact; ``formats.read`` reuses it only if it was made for
    the verified format and the same policy."""
    verifying = _VERIFIER.submit(verify)
    found: SafeloadError | None = None
    prepared: formats.Prepared | None = None
    guess = _format_for(p, data, None)
    try:
        prepared = formats.prepare(data, guess, pol, lim, str(p))
    except SafeloadError as exc:
        found = exc
    artifact = verifying.result()
    if found is not None and artifact.format == guess:
        raise found
    return artifact, prepared


def _verify_bundled_file(
    p: Path,
    data: Buffer,
    bundle: bytes,
    sig: Path,
    keys: KeysLike | None,
    ca: CertificateAuthority | None,
    allow_rename: bool,
    now: datetime | None,
) -> VerifiedArtifact:
    """The bytes ``data`` read from the one file ``p``, verified against the model_signing
    bundle ``bundle`` (read from ``sig``), for :func:`load` and :func:`verify` alike."""
    from safeload.signing.modelsig import verify_model_file

    return verify_model_file(
        data,
        bundle,
        keys=keys,
        ca=ca,
        name=p.name,
        format=_format_for(p, data, None),
        allow_rename=allow_rename,
        now=now,
        source=str(p),
        sidecar_source=str(sig),
    )


#: Threads that hash large artifacts while the static pass runs (hashlib releases the GIL).
_VERIFIER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="safeload-verify")


#: Below this size the hash is quicker than handing it to a thread.
_OVERLAP_FROM = 1 << 20


def _read_verified(
    artifact: VerifiedArtifact,
    statement: Statement,
    state: TrustState | None,
    pol: Policy,
    lim: Limits,
    source: str,
    prepared: formats.Prepared | None = None,
) -> Any:
    """Rollback check, restricted read, then record the accepted version. The artifact's buffer
    is spent: the callers read it for this load alone."""
    if state is not None:
        state.check(statement, source)
    _log.info("verified %s; reading it through the restricted %s reader", source, artifact.format)
    obj = formats.read(artifact, pol, lim, source, prepared, consume=True)
    if state is not None:
        state.record(statement)
    _log.debug("loaded %s: %s", source, type(obj).__name__)
    return obj


def loads(
    payload: bytes,
    sidecar: bytes,
    keys: KeysLike,
    *,
    trusted: Iterable[TrustedSpec] = (),
    profiles: Iterable[str] = (),
    name: str | None = None,
    policy: Policy | None = None,
    limits: Limits | None = None,
    now: datetime | None = None,
) -> Any:
    """In-memory :func:`load`. ``name``, when given, must match the signed subject name;
    ``trusted`` and ``profiles`` as for :func:`load`."""
    checked_keys(keys)
    lim = limits or Limits()
    pol = resolve_policy(policy, trusted, profiles)
    artifact = verify_bytes(
        bytes(payload), bytes(sidecar), keys, name=name, now=now, source=name or "<bytes>"
    )
    # consume: the buffer is our copy of ``payload``
    return formats.read(artifact, pol, lim, name or "<bytes>", consume=True)


def load_unsigned(
    path: PathLike,
    *,
    trusted: Iterable[TrustedSpec] = (),
    profiles: Iterable[str] = (),
    format: str | None = None,
    policy: Policy | None = None,
    limits: Limits | None = None,
) -> Any:
    """Load a third-party file that has NO signature check, through the same restricted readers.

    The allowlist still applies: unknown types, code-running globals and malformed streams are
    refused. What is missing is any proof of who made the file. ``trusted`` and ``profiles``
    extend the allowlist as for :func:`load`.
    """
    from safeload.signing import unsigned_artifact

    p = Path(path)
    lim = limits or Limits()
    pol = resolve_policy(policy, trusted, profiles)
    data = fileio.read_once(p, lim.max_file_size)
    fmt = _format_for(p, data, format)
    _log.info("reading %s (%s) WITHOUT a signature check, through the restricted reader", p, fmt)
    if fmt == "skops":
        return formats.read(unsigned_artifact(data, p.name, fmt), pol, lim, str(p), consume=True)
    # the analysis, not the name, decides whether a .pkl is joblib content (rt14 f04)
    prepared = formats.prepare(data, fmt, pol, lim, str(p), guessed=format is None)
    artifact = unsigned_artifact(data, p.name, prepared.format)
    return formats.read(artifact, pol, lim, str(p), prepared, consume=True)


def sign(
    path: PathLike,
    signer: Signer | Iterable[Signer],
    *,
    append: bool = False,
    format: str | None = None,
    version: str | None = None,
    expires: datetime | None = None,
    name: str | None = None,
    signature_format: str = "safeload",
    signature: PathLike | None = None,
    ignore_paths: Iterable[str] = (),
    certificate: bytes | None = None,
    chain: bytes = b"",
) -> Path:
    """Sign an existing file, writing ``<path>.sig``; returns the sidecar path.

    ``signature_format="model-signing"`` writes an OpenSSF model_signing bundle instead (to
    ``signature``, default ``<path>.sig``), which ``model_signing verify key`` (or ``verify
    certificate``, with ``certificate``/``chain`` as PEM bytes) accepts. It needs an ECDSA
    signer; ``ignore_paths`` (relative to the folder) are left out and recorded, with
    model_signing's defaults (``.git`` ...) and the bundle itself when it is inside the folder.

    ``path`` may be a folder: ``DIR.sig`` then lists every file in it (relative path, SHA-256,
    size), and :func:`verify` / :func:`load` of a file inside fail on any change to the folder.

    With ``append=True`` the signature is added to the existing sidecar (an approval), after
    checking that the sidecar's statement describes this exact file. Concurrent appends are
    serialised by a lock on the folder, so no approval is lost.
    """
    checked_signers(signer)
    if signature_format not in SIGNATURE_FORMATS:
        raise ValueError(
            f"signature_format must be one of {', '.join(SIGNATURE_FORMATS)}, "
            f"not {signature_format!r}"
        )
    if signature_format == "model-signing":
        if append or version is not None or expires is not None or name is not None:
            raise ValueError(
                "a model_signing bundle records no version, name or expiry, and safeload does "
                "not append to one; drop --append/--version/--name/--expires"
            )
        return _sign_model_signing(Path(path), signer, signature, ignore_paths, certificate, chain)
    if signature is not None or certificate is not None or tuple(ignore_paths):
        raise ValueError(
            "--signature, --ignore-paths and --cert/--chain apply to "
            "--signature-format model-signing only"
        )
    with locked_folder(sidecar_path(path).parent):
        return _sign_locked(Path(path), signer, append, format, version, expires, name)


def _sign_model_signing(
    p: Path,
    signer: Signer | Iterable[Signer],
    signature: PathLike | None,
    ignore_paths: Iterable[str],
    certificate: bytes | None,
    chain: bytes,
) -> Path:
    """Write a model_signing bundle for the file or folder ``p``."""
    from safeload.signing.bundle import DEFAULT_IGNORE
    from safeload.signing.keys import Signer
    from safeload.signing.modelsig import normalize_ignore, sign_model

    sig = Path(signature) if signature is not None else sidecar_path(p)
    signers = [signer] if isinstance(signer, Signer) else list(signer)
    if p.is_dir():
        ignores = bundle_ignores(p, sig, ignore_paths)
        files: dict[str, Buffer] = dict(
            fileio.read_folder(
                p,
                Limits().max_file_size,
                allow_symlinks=False,
                skip=skipping([*DEFAULT_IGNORE, *ignores]),
            )
        )
        single = False
    else:
        ignores = [normalize_ignore(x) for x in ignore_paths]
        files = {p.name: fileio.read_once(p, Limits().max_file_size)}
        single = True
    bundle = sign_model(
        files,
        signers,
        model_name=Path(os.path.abspath(p)).name,
        single=single,
        ignore_paths=ignores,
        certificate=certificate,
        chain=chain,
    )
    write_atomic(sig, bundle.to_json())
    return sig


def _sign_locked(
    p: Path,
    signer: Signer | Iterable[Signer],
    append: bool,
    format: str | None,
    version: str | None,
    expires: datetime | None,
    name: str | None,
) -> Path:
    """Sign the file or folder ``p`` (the caller holds the folder lock): a new sidecar, or with
    ``append`` one more signature on the sidecar that describes exactly these bytes."""
    from safeload.sidecar import parse_envelope, parse_statement
    from safeload.signing import sign_bytes, sign_folder, signer_environment

    sig = sidecar_path(p)
    before = read_sidecar(p) if append else None
    folder = p.is_dir()
    files: Mapping[str, Buffer] = (
        fileio.read_folder(p, Limits().max_file_size, allow_symlinks=False)
        if folder
        else {p.name: fileio.read_once(p, Limits().max_file_size)}
    )
    if before is not None:
        envelope = parse_envelope(before, source=str(sig))
        statement = parse_statement(envelope.payload, source=str(sig))
        if not _describes(statement, files, folder):
            raise MalformedArtifactError(
                f"{sig} describes {'a different folder' if folder else 'different bytes'} "
                f"than {p}; refusing to add a signature",
                path=str(p),
            )
        envelope = _approve(envelope, signer, sig)
    elif folder:
        envelope = sign_folder(
            files,
            signer,
            expires=expires,
            version=version,
            model_name=name,
            env=signer_environment(),
        )
    else:
        data = files[p.name]
        envelope = sign_bytes(
            data,
            signer,
            name=p.name,
            format=_format_for(p, data, format),
            version=version,
            expires=expires,
            model_name=name,
            env=signer_environment(),  # the file's own library versions are unknown here
        )
    return _write_sidecar(p, sig, envelope, before)


def _describes(statement: Statement, files: Mapping[str, Buffer], folder: bool) -> bool:
    """Whether ``statement`` describes exactly ``files``: every relative path and its SHA-256
    for a folder; the SHA-256 and size for one file (whose signed name may differ)."""
    if folder:
        described = {x.name: x.sha256 for x in statement.subjects}
        return described == {rel: _progress.sha256_hex(b) for rel, b in files.items()}
    ((name, data),) = files.items()
    digest = _progress.sha256_hex(data, f"hashing {name}")
    return statement.subject.sha256 == digest and statement.predicate.size == len(data)


def _approve(envelope: Envelope, signer: Signer | Iterable[Signer], sig: Path) -> Envelope:
    """Add each signer's signature; refuse a key that already signed, which would count once
    and so add no approval (a threshold of 2 would still be unmet, silently)."""
    from safeload.signing.keys import Signer

    for one in [signer] if isinstance(signer, Signer) else list(signer):
        if any(s.keyid == one.keyid for s in envelope.signatures):
            raise UsageError(
                f"{sig} already has a signature by key id {one.keyid[:16]}…; a second one from "
                "the same key adds no approval. Ask another key holder to append theirs.",
                path=str(sig),
            )
        envelope = add_signature(envelope, one)
    return envelope


def _write_sidecar(p: Path, sig: Path, envelope: Envelope, before: bytes | None) -> Path:
    """Write the sidecar; for an append, only if it still holds what the append started from
    (a writer that does not take the lock changed it: fail rather than drop its change)."""
    if before is not None and read_sidecar(p) != before:
        raise MalformedArtifactError(
            f"{sig} changed while a signature was being added to it (another signer at the same "
            "time?); nothing was written. Run the command again.",
            path=str(sig),
        )
    write_atomic(sig, envelope.to_json())
    _log.info("wrote %s (%d signature(s))", sig, len(envelope.signatures))
    return sig


def verify(
    path: PathLike,
    keys: KeysLike | None = None,
    *,
    allow_rename: bool = False,
    now: datetime | None = None,
    limits: Limits | None = None,
    state: TrustState | None = None,
    allow_symlinks: bool = False,
    signature: PathLike | None = None,
    ignore_paths: Iterable[str] = (),
    ca: CertificateAuthority | None = None,
    model_root: PathLike | None = None,
    signature_format: str | None = None,
) -> Statement:
    """Check ``path`` against its sidecar without deserializing; return the verified statement.

    With ``state``, a rollback is refused and the accepted version is recorded. ``path`` may be
    a folder signed with :func:`sign`: every file is checked, and any added, missing, renamed
    or changed file, or a symlink (unless ``allow_symlinks``), fails. A file inside a signed
    folder is verified as part of the whole folder, whose statement is returned; its own
    sidecar, if any, is ignored, as in :func:`load`.

    ``signature``, ``ignore_paths`` and ``ca`` are as for :func:`load`: an OpenSSF
    model_signing bundle is recognised by content and verified like a safeload signature.
    ``model_root`` and ``signature_format`` are as for :func:`load`. A folder ``path`` with no
    ``DIR.sig`` beside it is checked against model_signing's default ``DIR/model.sig``."""
    one_trust_path(keys, ca)
    statement, accepted_as = _verified_statement(
        Path(path),
        keys,
        allow_rename=allow_rename,
        now=now,
        lim=limits or Limits(),
        allow_symlinks=allow_symlinks,
        signature=signature,
        ignore_paths=ignore_paths,
        ca=ca,
        model_root=model_root,
        signature_format=signature_format,
    )
    if state is not None:
        state.accept(statement, accepted_as)
    return statement


def _verified_statement(
    p: Path,
    keys: KeysLike | None,
    *,
    allow_rename: bool,
    now: datetime | None,
    lim: Limits,
    allow_symlinks: bool,
    signature: PathLike | None,
    ignore_paths: Iterable[str],
    ca: CertificateAuthority | None,
    model_root: PathLike | None,
    signature_format: str | None,
) -> tuple[Statement, str]:
    """:func:`verify`'s work: the verified statement, and the path whose version the rollback
    state records (the folder, for a file verified as part of one)."""
    from safeload.signing import verify_digest
    from safeload.signing.bundle import is_bundle

    if p.is_dir() and signature is None and not sidecar_path(p).is_file():
        p = Path(os.path.realpath(p))  # current -> v2: v2.sig signs it, as for its files
    sig = Path(signature) if signature is not None else sidecar_path(p)
    if p.is_dir():
        if signature is None and not sig.exists() and not (p / "model").exists():
            sig = p / MODEL_SIGNING_DEFAULT  # model_signing's layout: the folder is named
        sidecar = read_sidecar(p, sig)
        check_format(sidecar, signature_format, sig, p)
        folder = verify_folder_any(
            p, sig, sidecar, keys, ca, ignore_paths, lim, now, allow_symlinks
        )
        _log.info("verified %s (%d files)", p, len(folder.statement.subjects))
        return folder.statement, str(p)
    governing = signed_folder(p, signature, model_root)
    if governing is not None:
        verified, _ = verify_in_folder(
            p,
            *governing,
            keys,
            lim,
            now,
            allow_symlinks,
            ca=ca,
            ignore_paths=ignore_paths,
            signature_format=signature_format,
        )
        _log.info("verified %s as a file of the signed folder %s", p, governing[0])
        return verified.statement, str(governing[0])
    # the artifact's own errors (missing, not a regular file, too large) come first
    fh, size = fileio.open_sized(p, lim.max_file_size)
    with fh:
        sidecar = read_sidecar(p, sig)
        check_format(sidecar, signature_format, sig, p)
        if is_bundle(sidecar):
            data = fileio.read_once(p, lim.max_file_size)
            bundled = _verify_bundled_file(p, data, sidecar, sig, keys, ca, allow_rename, now)
            return bundled.statement, str(p)
        # Nothing is deserialized, so the file is hashed as it streams past, never held whole:
        # a file larger than memory verifies in a few MiB.
        algorithm = "blake3" if wants_blake3(sidecar) else "sha256"
        digest = fileio.hash_stream(fh, p, size, algorithm)
    statement = verify_digest(
        size,
        (algorithm, digest),
        sidecar,
        need_keys(keys, p),
        name=p.name,
        allow_rename=allow_rename,
        now=now,
        source=str(p),
    )
    _log.info("verified %s", p)
    return statement, str(p)


def inspect_sidecar(path: PathLike) -> tuple[Envelope, Statement]:
    """Parse a ``.sig`` file for display. NOTHING is verified: do not make trust decisions on it."""
    from safeload.sidecar import MAX_SIDECAR_BYTES, parse_envelope, parse_statement

    p = Path(path)
    raw = bytes(fileio.read_once(p, MAX_SIDECAR_BYTES, "signature file"))
    envelope = parse_envelope(raw, source=str(p))
    return envelope, parse_statement(envelope.payload, source=str(p))


def scan(
    source: PathLike | bytes,
    *,
    trusted: Iterable[TrustedSpec] = (),
    profiles: Iterable[str] = (),
    policy: Policy | None = None,
    limits: Limits | None = None,
    format: str | None = None,
) -> ScanReport:
    """List what a pickle, joblib or skops file would import, without running anything from it.

    Any parse error, limit, or construct safeload refuses gives an ``unsafe`` verdict. The
    verdict is :func:`load_unsigned`'s: the checks a load runs on what it builds run here on
    shadows of the stream's values (:mod:`safeload.trust.shadow`); a check that needs a value
    the stream does not show makes the file "unproven", which is unsafe. Only trusted modules
    are imported, to read their rules. Pass the same ``trusted`` and ``profiles`` as the load
    would, for the same verdict.
    """
    lim = limits or Limits()
    pol = resolve_policy(policy, trusted, profiles)
    data: Buffer
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, label = bytes(source), "<bytes>"
        fmt = format or formats.sniff_format(data)
    else:
        p = Path(source)
        head = fileio.read_head(p, fileio.HEAD)
        if not formats.could_be_model(head):
            # refused on its first bytes: a large file that is no model is never read whole
            problem = f"not a pickle, joblib or skops file (it starts with {head[:8]!r})"
            guess = format or formats.format_from_name(p.name) or "pickle"
            return ScanReport(str(p), guess, (), (Finding(0, "", problem),), (), None, 0)
        data, label = fileio.read_for_scan(p, lim.max_file_size), str(p)
        fmt = _format_for(p, data, format)
    if fmt == "skops":
        return _scan_skops(data, pol, lim, label)
    stream: Buffer = data
    findings: list[Finding] = []
    if fmt == "joblib":
        try:
            stream = formats.joblib_stream(data, lim, label)
        except SafeloadError as exc:
            findings.append(Finding(0, "", str(exc)))
            return ScanReport(label, fmt, (), tuple(findings), (), None, 0)
    result = analyze(stream, policy=pol, limits=lim, joblib=(fmt == "joblib"))
    if result.joblib_content and format is None:
        # named .pkl (or sniffed) as pickle, but the analysis met joblib's array placeholder:
        # joblib content, which only the joblib reading describes (rt14 f04)
        fmt = "joblib"
        result = analyze(data, policy=pol, limits=lim, joblib=True)
    return ScanReport(
        label,
        fmt,
        tuple(result.globals),
        tuple(result.problems),
        tuple(result.notes),
        result.protocol,
        result.opcode_count,
    )


def _probe(model: Any, x: Any) -> Any:
    for method in ("predict", "transform", "decision_function", "score_samples"):
        fn = getattr(model, method, None)
        if callable(fn):
            return fn(x)
    raise ValueError(f"{type(model).__name__} has no predict/transform to check with")


def convert(
    src: PathLike,
    dst: PathLike,
    signer: Signer | Iterable[Signer],
    *,
    keys: KeysLike | None = None,
    trusted: Iterable[TrustedSpec] = (),
    profiles: Iterable[str] = (),
    check: Any = None,
    version: str | None = None,
    policy: Policy | None = None,
    limits: Limits | None = None,
    name: str | None = None,
    expires: datetime | None = None,
) -> Path:
    """Load ``src`` through the restricted reader and write it to ``dst`` (normally ``.skops``)
    with a fresh signature. Returns the new sidecar path.

    With ``keys``, ``src`` must carry a valid signature from them; without, it is read as an
    unsigned third-party file (the allowlist still applies). With ``check`` (an input array), the
    converted bytes are verified and loaded back in memory and must give identical predictions
    before anything is written: if the check fails (``MalformedArtifactError``) or cannot run
    (the model's own error, e.g. a probe with the wrong number of columns), ``dst`` and its
    sidecar are left exactly as they were. ``version``, ``name`` and ``expires`` are recorded in
    the new signature, as for :func:`dump`. ``trusted`` and ``profiles`` apply to reading
    ``src`` and to the check, as for :func:`load`.
    """
    checked_signers(signer)
    if keys is not None:
        checked_keys(keys)
    trusted = list(trusted)
    profiles = [p.name for p in resolve_profiles(profiles)]
    if keys is not None:
        obj = load(src, keys, trusted=trusted, profiles=profiles, policy=policy, limits=limits)
    else:
        obj = load_unsigned(src, trusted=trusted, profiles=profiles, policy=policy, limits=limits)
    out = Path(dst)
    data, envelope = _serialize_signed(obj, out, signer, None, 0, None, version, expires, name)
    if check is not None:
        _check_conversion(
            obj, data, envelope, signer, check, trusted, profiles, policy, limits, src, out
        )
    return _write_signed(out, data, envelope)


def _check_conversion(
    obj: Any,
    data: bytes,
    envelope: Envelope,
    signer: Signer | Iterable[Signer],
    check: Any,
    trusted: list[TrustedSpec],
    profiles: list[str],
    policy: Policy | None,
    limits: Limits | None,
    src: PathLike,
    out: Path,
) -> None:
    """Verify and load the converted bytes in memory; their predictions on ``check`` must equal
    the source model's. Raises before anything is written."""
    from safeload.signing.keyring import as_keyring
    from safeload.signing.keys import Signer

    signers = [signer] if isinstance(signer, Signer) else list(signer)
    verifier: Keyring = as_keyring(signers)  # type: ignore[arg-type]
    again = loads(
        data,
        envelope.to_json(),
        verifier,
        trusted=trusted,
        profiles=profiles,
        name=out.name,
        policy=policy,
        limits=limits,
    )
    import numpy as np

    try:
        before, after = _probe(obj, check), _probe(again, check)
    except (ValueError, TypeError, IndexError) as exc:
        raise ValueError(
            f"--check / check=: the model from {src} cannot predict on the check input ({exc}); "
            f"nothing was written to {out}"
        ) from exc
    if hasattr(before, "toarray"):
        before, after = before.toarray(), after.toarray()
    if not np.array_equal(np.asarray(before), np.asarray(after)):
        raise MalformedArtifactError(
            f"converting {src} to {out} changed the model's output on the check input; "
            "nothing was written",
            path=str(src),
        )


def _scan_skops(data: Buffer, pol: Policy, lim: Limits, label: str) -> ScanReport:
    from safeload.skops_format import check_zip, native_problem, schema_globals, skops_types

    try:
        zf = check_zip(data, lim, label)
        found = schema_globals(zf, label)
        skops_types(data, lim, label)  # skops must be able to read the schema too
        problem = native_problem(zf, label)
    except SafeloadError as exc:
        return ScanReport(label, "skops", (), (Finding(0, "", str(exc)),), (), None, 0)
    if problem:
        return ScanReport(label, "skops", (), (Finding(0, "", problem),), (), None, 0)
    refs: dict[tuple[str, str], GlobalRef] = {}
    for loader, module, name in found:
        refs.setdefault(
            (module, name), GlobalRef(module, name, 0, loader, pol.allows(module, name))
        )
    findings: tuple[Finding, ...] = ()
    if all(r.trusted for r in refs.values()):
        # what a load checks after building (use-time rules, native structures), on the
        # pickle of what skops would build (r15-17: scan skipped them for skops files)
        from safeload.trust.skops_stream import skops_findings

        findings = tuple(skops_findings(zf, pol, lim))
    return ScanReport(label, "skops", tuple(refs.values()), findings, (), None, 0)


def trust_profiles() -> dict[str, TrustProfile]:
    """The opt-in trust profiles by name (``profiles=[...]``, ``--profile NAME``): each with
    the names it trusts and why, what it leaves out and why, and the library versions it was
    reviewed against."""
    from safeload.trust.profiles import PROFILES

    return dict(PROFILES)


def profiles_for_name(name: str) -> list[str]:
    """The trust profiles that trust the global ``name`` (``module.Name`` or
    ``module:Outer.Inner``, as reports write it); empty if none does."""
    from safeload.trust.profiles import profile_for_name

    module, _, qualname = name.partition(":") if ":" in name else name.rpartition(".")
    return profile_for_name(module, qualname)


def installed_version(profile: TrustProfile) -> str | None:
    """The installed version of the library ``profile`` covers, read from its distribution
    metadata (nothing is imported), or ``None`` when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    for dist in (profile.library, f"{profile.library}-cpu"):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return None
