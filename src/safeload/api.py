"""The public entry points. This is the only module that opens paths.

Every load reads the artifact exactly once into memory, verifies those bytes, and deserializes
those same bytes; the path is never opened again after verification.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeload import formats
from safeload._dumping import dump, dumps
from safeload._folders import real_folder, signed_folder
from safeload._loading import (
    load_bundled,
    load_in_folder,
    load_with_sidecar,
    verified_statement,
)
from safeload._profiles import TrustProfile, installed_version, profiles_for_name, trust_profiles
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
)
from safeload._types import file_path
from safeload._unsigned import inspect_sidecar, load_unsigned, scan
from safeload._writing import (
    check_conversion,
    reload_conversion,
    serialize_signed,
    sign_locked,
    sign_model_signing,
    write_signed,
)
from safeload.exceptions import SafeloadError, UsageError
from safeload.io.atomic import locked_folder
from safeload.policy import Limits, Policy, TrustedSpec, resolve_policy
from safeload.trust.profiles import resolve_profiles

if TYPE_CHECKING:  # the signing stack is imported where it is used (issue 18)
    from safeload.sidecar import Envelope, Statement
    from safeload.signing import VerifiedArtifact
    from safeload.signing.keyring import KeysLike
    from safeload.signing.keys import Signer
    from safeload.signing.modelsig import CertificateAuthority
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

# These entry points live in modules of their own and are re-exported here: dump and dumps in
# safeload._dumping, those that check no signature (load_unsigned, scan, inspect_sidecar) in
# safeload._unsigned, the trust profiles' helpers in safeload._profiles.


def verify_bytes(*args: Any, **kwargs: Any) -> VerifiedArtifact:
    """:func:`safeload.signing.verify_bytes`, imported on first use (``import safeload`` and a
    scan do not import the signing stack). Every verification of a file's bytes in the public
    layer goes through this name: the entry points hand it to the helpers they call."""
    from safeload.signing import verify_bytes as verify

    return verify(*args, **kwargs)


def add_signature(*args: Any, **kwargs: Any) -> Envelope:
    """:func:`safeload.signing.add_signature`, imported on first use (see :func:`verify_bytes`)."""
    from safeload.signing import add_signature as add

    return add(*args, **kwargs)


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
    p = file_path(path)
    lim = limits or Limits()
    pol = resolve_policy(policy, trusted, profiles)
    governing = signed_folder(p, signature, model_root)
    if governing is not None:
        return load_in_folder(
            p,
            governing,
            keys,
            lim,
            now,
            allow_symlinks,
            ca,
            ignore_paths,
            signature_format,
            state,
            pol,
        )
    sidecar: bytes | SafeloadError
    try:
        sidecar = read_sidecar(p, signature)
    except SafeloadError as exc:  # reported after the artifact's own errors, as before
        sidecar = exc
    if isinstance(sidecar, bytes):
        check_format(sidecar, signature_format, Path(signature or sidecar_path(p)), p)
    if isinstance(sidecar, bytes) and is_bundle(sidecar):
        sig = Path(signature or sidecar_path(p))
        return load_bundled(p, sidecar, sig, keys, ca, allow_rename, now, state, pol, lim)
    return load_with_sidecar(
        p, sidecar, need_keys(keys, p), signature, pol, lim, allow_rename, now, state, verify_bytes
    )


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


def sign(
    path: PathLike,
    signer: Signer | Iterable[Signer],
    *,
    append: bool = False,
    keys: KeysLike | None = None,
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

    With ``append=True`` the signature is added to the existing sidecar (an approval). It needs
    ``keys``, the public keys (or keyring) the approver trusts: the sidecar must already carry a
    valid signature over its exact statement from one of them (not revoked, not past its
    ``not_after``, not the approver's own key), the statement must not have expired, and it must
    describe this exact file; otherwise :class:`SignatureError` and nothing is written (rt51-05:
    an approval of a statement anyone could write made it a release). Concurrent appends are
    serialised by a lock on the folder, so no approval is lost.
    """
    checked_signers(signer)
    file_path(path)
    # a symlinked folder is signed where it really is: its files are governed by that folder's
    # DIR.sig, and a .sig beside the link would be read by no load (rt51-03)
    path = real_folder(path)
    if signature_format not in SIGNATURE_FORMATS:
        raise ValueError(
            f"signature_format must be one of {', '.join(SIGNATURE_FORMATS)}, "
            f"not {signature_format!r}"
        )
    if signature_format == "model-signing":
        if append or keys is not None or (version, expires, name) != (None, None, None):
            raise ValueError(
                "a model_signing bundle records no version, name or expiry, and safeload does "
                "not append to one; drop --append/keys=/--version/--name/--expires"
            )
        return sign_model_signing(Path(path), signer, signature, ignore_paths, certificate, chain)
    if signature is not None or certificate is not None or tuple(ignore_paths):
        raise ValueError(
            "--signature, --ignore-paths and --cert/--chain apply to "
            "--signature-format model-signing only"
        )
    if append:
        if keys is None:
            raise UsageError(
                "append=True needs keys=: the public key(s) or keyring you trust. An approval "
                "is added only to a signature that verifies under them (CLI: sign --append "
                "--pub PUBLISHER.pub or --keyring)."
            )
        checked_keys(keys)
    elif keys is not None:
        raise UsageError("keys= is for append=True (an approval) only; a new signature needs none")
    with locked_folder(sidecar_path(path).parent):
        return sign_locked(
            Path(path),
            signer,
            keys if append else None,
            format,
            version,
            expires,
            name,
            add_signature,
        )


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
    statement, accepted_as = verified_statement(
        file_path(path),
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
    unsigned third-party file (the allowlist still applies). The converted bytes are always
    verified and loaded back in memory before anything is written (a file safeload would refuse
    is never written, ``MalformedArtifactError``); with ``check`` (an input array), they must
    also give identical predictions: if the check fails (``MalformedArtifactError``) or cannot run
    (the model's own error, e.g. a probe with the wrong number of columns), ``dst`` and its
    sidecar are left exactly as they were. ``version``, ``name`` and ``expires`` are recorded in
    the new signature, as for :func:`dump`. ``trusted`` and ``profiles`` apply to reading
    ``src`` and to the check, as for :func:`load`.
    """
    checked_signers(signer)
    file_path(src, "src")
    out = file_path(dst, "dst")
    if keys is not None:
        checked_keys(keys)
    trusted = list(trusted)
    profiles = [p.name for p in resolve_profiles(profiles)]
    if keys is not None:
        obj = load(src, keys, trusted=trusted, profiles=profiles, policy=policy, limits=limits)
    else:
        obj = load_unsigned(src, trusted=trusted, profiles=profiles, policy=policy, limits=limits)
    data, envelope = serialize_signed(obj, out, signer, None, 0, None, version, expires, name)
    reload = functools.partial(
        loads, trusted=trusted, profiles=profiles, name=out.name, policy=policy, limits=limits
    )
    if check is not None:
        check_conversion(obj, data, envelope, signer, check, src, out, reload)
    else:
        reload_conversion(data, envelope, signer, src, out, reload)
    return write_signed(out, data, envelope)
