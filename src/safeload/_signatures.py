"""Signature files and the trust arguments of the public functions: where a signature file
lives, reading it, telling its format, and checking the keys, signers and certificate roots a
caller passed before anything is read."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from safeload import _progress, _types
from safeload import io as fileio
from safeload.exceptions import (
    LimitExceededError,
    MissingSignatureError,
    SafeloadError,
    SidecarFormatError,
    SignatureError,
    UsageError,
)

if TYPE_CHECKING:  # the signing stack is imported where it is used (issue 18)
    from safeload.signing.keyring import KeysLike
    from safeload.signing.modelsig import CertificateAuthority

_log = logging.getLogger("safeload.api")

PathLike = _types.PathLike


#: What :func:`sign` writes: safeload's own sidecar, or an OpenSSF model_signing bundle.
SIGNATURE_FORMATS = ("safeload", "model-signing")


def sidecar_path(path: PathLike) -> Path:
    """Where the signature of ``path`` lives: ``<path>.sig``."""
    p = Path(path)
    return p.with_name(p.name + ".sig")


def checked_keys(keys: object) -> None:
    """Refuse what can never be a set of trusted keys with a message that says what to pass,
    before any file is read (``None``, PEM bytes, a path, a number)."""
    from safeload.signing.hmac_key import HMACKey
    from safeload.signing.keyring import Keyring
    from safeload.signing.keys import SigningKey, Verifier, VerifyKey

    if keys is None:
        raise UsageError(
            "keys is None: pass the trusted public key(s), e.g. VerifyKey.from_file('keys/x.pub')"
            ", a list of them, or Keyring.from_dir('keys/'). There is no way to load without one;"
            " for a third-party file you have reviewed, use load_unsigned()"
        )
    if isinstance(keys, (bytes, bytearray, memoryview)) and bytes(keys).lstrip().startswith(
        b"-----BEGIN"
    ):
        raise UsageError(
            "keys is PEM text, not a key: parse it first with VerifyKey.from_pem(data) (or "
            "VerifyKey.from_file('keys/x.pub'))"
        )
    if isinstance(keys, (str, bytes, bytearray, memoryview, os.PathLike)):
        raise UsageError(
            f"keys must be key objects, not {type(keys).__name__}: use "
            "VerifyKey.from_file('keys/x.pub') or Keyring.from_dir('keys/')"
        )
    # Any verifier (not only today's key classes) passes; so does any iterable of them.
    if not isinstance(keys, (Keyring, VerifyKey, HMACKey, SigningKey, Verifier)):
        try:
            iter(keys)  # type: ignore[call-overload]
        except TypeError:
            raise UsageError(
                f"keys must be a key, a list of keys or a Keyring, not {type(keys).__name__}"
            ) from None


def checked_signers(signer: object) -> None:
    """Refuse a public key (or nothing) where a private key is needed, naming the fix."""
    from safeload.signing.keys import Signer, VerifyKey

    many = not isinstance(signer, (Signer, VerifyKey)) and isinstance(signer, (list, tuple))
    for one in list(signer) if many else [signer]:  # type: ignore[call-overload]
        if isinstance(one, VerifyKey):
            raise UsageError(
                "a public key (VerifyKey) cannot sign: pass the private key, e.g. "
                "SigningKey.from_file('keys/x.key'); the public key is for load() and verify()"
            )
        if not isinstance(one, Signer):
            raise UsageError(
                f"cannot sign with {type(one).__name__}: pass a SigningKey or an HMACKey "
                "(or a list of them)"
            )


def read_sidecar(path: Path, signature: PathLike | None = None) -> bytes:
    from safeload.sidecar import MAX_SIDECAR_BYTES

    sig = sidecar_path(path) if signature is None else Path(signature)
    if not sig.exists():
        raise MissingSignatureError(
            f"{path} has no signature file ({sig.name} not found). safeload never loads an "
            "unsigned file with load(); ask the publisher for the .sig, or, for a third-party "
            "file you have reviewed, use load_unsigned() / `safeload scan` first.",
            path=str(path),
        )
    try:
        return bytes(fileio.read_once(sig, MAX_SIDECAR_BYTES, "signature file"))
    except LimitExceededError as exc:
        raise SidecarFormatError(
            f"sidecar {sig} is larger than {MAX_SIDECAR_BYTES} bytes; not a safeload signature",
            path=str(sig),
        ) from exc


def wants_blake3(sidecar: bytes) -> bool:
    """Whether verification will check BLAKE3 rather than SHA-256: this machine has blake3 and
    the sidecar records a BLAKE3 digest. Only picks which digest to compute early; the sidecar
    is verified in full, and a wrong guess only costs time."""
    from safeload.sidecar import parse_envelope, parse_statement
    from safeload.signing import checked_algorithm

    if _progress.blake3_module() is None:
        return False  # no need to parse: SHA-256 is the only choice
    try:
        statement = parse_statement(parse_envelope(sidecar).payload)
    except SafeloadError:
        return False
    return all(checked_algorithm(s) == "blake3" for s in statement.subjects)


def claimed_sizes(sidecar: bytes) -> dict[str, int] | None:
    """The sizes a safeload sidecar claims (``""`` -> the size for one file; relative path ->
    size for a folder), before it is verified, or ``None`` (not a safeload sidecar, or
    unreadable: verification reports it). Only ever used to refuse early, without reading a
    file whose size already disagrees (rt26b-04); never to accept anything."""
    from safeload.sidecar import parse_envelope, parse_statement

    try:
        statement = parse_statement(parse_envelope(sidecar).payload)
    except SafeloadError:
        return None
    if statement.predicate.files:
        return dict(statement.predicate.files)
    if statement.predicate.size is None:
        return None
    return {"": statement.predicate.size}


def check_format(sidecar: bytes, wanted: str | None, sig: Path, p: Path) -> None:
    """Refuse a signature file in another format than the caller pinned (f07): a model_signing
    bundle carries no expiry, version or format, so it must not stand in for a sidecar."""
    from safeload.signing.bundle import is_bundle

    if wanted is None:
        return
    if wanted not in SIGNATURE_FORMATS:
        raise UsageError(
            f"signature_format must be one of {', '.join(SIGNATURE_FORMATS)}, not {wanted!r}"
        )
    found = "model-signing" if is_bundle(sidecar) else "safeload"
    if found != wanted:
        raise SignatureError(
            f"{sig} is a {found} signature, but {wanted} was required for {p}; do not load it",
            path=str(p),
        )


def one_trust_path(keys: KeysLike | None, ca: CertificateAuthority | None) -> None:
    if ca is None:
        checked_keys(keys)
    elif keys is not None:
        raise UsageError(
            "pass keys= or ca=, not both: a certificate-mode bundle is checked against the CA "
            "alone, so a keyring's threshold and revocations would silently not apply"
        )


def need_keys(keys: KeysLike | None, p: Path) -> KeysLike:
    if keys is None:
        raise ValueError(
            f"{p} has a safeload signature; verifying it needs the publisher's public key(s) "
            "(keys=, CLI --pub/--keyring); a CA file only verifies model_signing bundles"
        )
    return keys
