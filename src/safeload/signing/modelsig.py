"""Sign and verify models in the OpenSSF model_signing format, on bytes already in memory.

Verification is stricter than model_signing's own in three ways:

- every signature in the envelope counts, so a keyring ``threshold`` asks for approvals from
  several pinned keys (model_signing reads ``signatures[0]`` only);
- the bytes checked are the bytes the caller then deserializes: the caller reads each file once
  and hands its buffer here (model_signing hashes the files on disk, and a loader opens them
  again afterwards);
- a certificate chain is checked at the time of verification (``now``, injectable), not at the
  leaf's ``notBefore``, so an expired or not yet valid certificate is refused.

The algorithm always comes from the pinned key or the CA-validated leaf certificate, never from
the bundle; the bundle's ``publicKey.hint`` is only a hint.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone

from safeload import _progress
from safeload._types import Buffer
from safeload.exceptions import KeyFormatError, SignatureError
from safeload.sidecar import DIRECTORY, Predicate, Signature, Statement, Subject
from safeload.signing._authenticate import authenticate, opaque_failure
from safeload.signing.artifacts import _TOKEN, VerifiedArtifact, VerifiedFolder
from safeload.signing.bundle import (
    DEFAULT_IGNORE,
    PREDICATE_TYPE,
    Bundle,
    Manifest,
    Resource,
    resource_order,
)
from safeload.signing.certificates import CertificateAuthority
from safeload.signing.certificates import describe_certificate as describe_certificate
from safeload.signing.ecdsa import ECDSAVerifyKey, wrap_public_key
from safeload.signing.keyring import KeysLike
from safeload.signing.keys import Signer
from safeload.signing.signer import PublicKeySigner

__all__ = [
    "CertificateAuthority",
    "SIGNED_AT_UNKNOWN",
    "is_ignored",
    "normalize_ignore",
    "sign_model",
    "verify_model_file",
    "verify_model_folder",
]

#: model_signing bundles carry no signing time; statements made from them say this.
SIGNED_AT_UNKNOWN = datetime(1970, 1, 1, tzinfo=timezone.utc)
# The CA file and the certificate-chain check live in safeload.signing.certificates (re-exported
# here), the check of a bundle's signatures in safeload.signing._authenticate.


def normalize_ignore(path: str) -> str:
    """An ignore path as model_signing records it: relative POSIX, no trailing slash."""
    norm = path.replace("\\", "/").strip("/")
    while norm.startswith("./"):
        norm = norm[2:]
    if not norm or norm == "." or any(p == ".." for p in norm.split("/")):
        raise ValueError(f"ignore path {path!r} must name something inside the model folder")
    return norm


def is_ignored(rel: str, ignore: Iterable[str]) -> bool:
    """Whether the relative path ``rel`` is, or is under, one of ``ignore``."""
    return any(rel == p or rel.startswith(p + "/") for p in ignore)


# --- signing ---------------------------------------------------------------------------------


def _ecdsa_public(signer: Signer) -> ECDSAVerifyKey:
    public = signer.public_key if isinstance(signer, PublicKeySigner) else None
    if not isinstance(public, ECDSAVerifyKey):
        raise KeyFormatError(
            f"model_signing bundles need an ECDSA key (P-256, P-384 or P-521); this signer is "
            f"{getattr(signer, 'algorithm', type(signer).__name__)}. Create one with "
            "`safeload keygen NAME --type ecdsa-p256`."
        )
    return public


def sign_model(
    files: Mapping[str, Buffer],
    signers: Signer | Sequence[Signer],
    *,
    model_name: str,
    single: bool,
    ignore_paths: Iterable[str] = (),
    certificate: bytes | None = None,
    chain: bytes = b"",
) -> Bundle:
    """A model_signing bundle over ``files`` (relative path -> bytes, already without ignored
    paths; for ``single``, one entry holding the file).

    ``certificate`` (PEM leaf) and ``chain`` (PEM intermediates) select certificate mode: the
    leaf must hold the signer's public key, and only one signer is allowed. The recorded
    ``ignore_paths`` are model_signing's defaults plus ``ignore_paths``.
    """
    signer_list = [signers] if isinstance(signers, Signer) else list(signers)
    if not signer_list:
        raise ValueError("at least one signer is needed")
    if not files:
        raise ValueError("the model has no files to sign")
    publics = [_ecdsa_public(s) for s in signer_list]
    if single:
        if len(files) != 1:  # pragma: no cover - the API passes one file
            raise ValueError("a single-file model has exactly one file")
        (data,) = files.values()
        resources: tuple[Resource, ...] = (
            Resource(".", _progress.sha256_hex(data, f"hashing {model_name}")),
        )
    else:
        resources = tuple(
            Resource(rel, _progress.sha256_hex(files[rel], f"hashing {rel}"))
            for rel in sorted(files, key=resource_order)
        )
    ignores = tuple(sorted({*DEFAULT_IGNORE, *(normalize_ignore(p) for p in ignore_paths)}))
    manifest = Manifest(model_name, resources, ignores, False)
    certs: tuple[bytes, ...] = ()
    if certificate is not None:
        if len(signer_list) != 1:
            raise ValueError("a certificate-mode bundle has exactly one signer")
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        try:
            leaf = x509.load_pem_x509_certificate(certificate)
            rest = x509.load_pem_x509_certificates(chain) if chain.strip() else []
        except ValueError as exc:
            raise KeyFormatError("--cert/--chain must be PEM certificates") from exc
        if wrap_public_key(leaf.public_key()) != publics[0]:
            raise KeyFormatError(
                "the certificate does not hold the signing key's public key; pass the "
                "certificate issued for this key"
            )
        certs = tuple(c.public_bytes(Encoding.DER) for c in (leaf, *rest))
    draft = Bundle(manifest.to_json(), (), publics[0].keyid, certs)
    message = draft.pae()
    sigs = tuple(
        Signature("" if i == 0 else publics[i].keyid, s.sign(message))
        for i, s in enumerate(signer_list)
    )
    return Bundle(draft.payload, sigs, None if certs else publics[0].keyid, certs)


def verify_model_file(
    data: Buffer,
    bundle_bytes: bytes,
    *,
    keys: KeysLike | None = None,
    ca: CertificateAuthority | None = None,
    name: str,
    format: str,
    allow_rename: bool = False,
    now: datetime | None = None,
    source: str,
    sidecar_source: str,
) -> VerifiedArtifact:
    """Verify a single-file model (one resource named ``.``) against a bundle; the returned
    artifact holds ``data`` itself, ready for the restricted reader. ``format`` is the reader
    to use (model_signing does not record one).

    The signed subject name must be ``name`` unless ``allow_rename``: model_signing treats it
    as informational, safeload treats a renamed file as it does with its own sidecars."""
    statement, keyids = verify_model_digest(
        len(data),
        lambda: _progress.sha256_hex(data, f"hashing {name}"),
        bundle_bytes,
        keys=keys,
        ca=ca,
        name=name,
        format=format,
        allow_rename=allow_rename,
        now=now,
        source=source,
        sidecar_source=sidecar_source,
    )
    return VerifiedArtifact(data, name, statement, keyids, _TOKEN)


def verify_model_digest(
    size: int,
    sha256: Callable[[], str],
    bundle_bytes: bytes,
    *,
    keys: KeysLike | None = None,
    ca: CertificateAuthority | None = None,
    name: str,
    format: str,
    allow_rename: bool = False,
    now: datetime | None = None,
    source: str,
    sidecar_source: str,
) -> tuple[Statement, tuple[str, ...]]:
    """:func:`verify_model_file` for a file of ``size`` bytes that is never held whole: the
    verified statement and the key ids that approved it. ``sha256`` computes the file's hex
    SHA-256 (streamed, for ``verify``); it is called only once the bundle itself verifies."""
    current = now or datetime.now(timezone.utc)
    checked = authenticate(bundle_bytes, keys, ca, current, source, sidecar_source)
    resources = checked.manifest.resources
    if len(resources) != 1 or resources[0].name != ".":
        raise SignatureError(
            f"{sidecar_source} signs a folder of {len(resources)} file(s), not the single file "
            f"{source}; verify the folder, or name it as the model root (model_root=, CLI "
            "--model-root) to load a file of it",
            path=source,
        )
    actual = sha256()
    if not hmac.compare_digest(actual, resources[0].sha256):
        raise opaque_failure(source, "signature file " + sidecar_source)
    checked.approved()
    signed_name = checked.manifest.model_name
    if signed_name != name and not allow_rename:
        raise SignatureError(
            f"{source} was signed under the name {signed_name!r}, not {name!r}. A signature "
            "from another file may have been swapped in. If you renamed the file yourself, "
            "pass allow_rename=True (CLI: --allow-rename).",
            path=source,
        )
    statement = Statement(
        (Subject(name, actual),),
        Predicate(
            format=format,
            size=size,
            created=SIGNED_AT_UNKNOWN,
            name=checked.manifest.model_name or None,
            environment=checked.environment(),
        ),
        predicate_type=PREDICATE_TYPE,
    )
    return statement, checked.keyids


def verify_model_folder(
    files: Mapping[str, Buffer],
    bundle_bytes: bytes,
    *,
    keys: KeysLike | None = None,
    ca: CertificateAuthority | None = None,
    ignore_paths: Iterable[str] = (),
    now: datetime | None = None,
    source: str,
    sidecar_source: str,
) -> VerifiedFolder:
    """Verify every file of a folder against a bundle.

    ``files`` are all files read from the folder (relative POSIX path -> bytes). Those under an
    ignored path (the bundle's ``ignore_paths``, model_signing's defaults and the verifier's
    ``ignore_paths``) are left out; every other file must be listed with its digest, and every
    listed file must be there. Any difference fails, naming added and missing files.
    """
    current = now or datetime.now(timezone.utc)
    checked = authenticate(bundle_bytes, keys, ca, current, source, sidecar_source)
    manifest = checked.manifest
    if [r.name for r in manifest.resources] == ["."]:
        raise SignatureError(
            f"{sidecar_source} signs a single file, not the folder {source}; verify the file",
            path=source,
        )
    ignore = {*DEFAULT_IGNORE, *manifest.ignore_paths, *(normalize_ignore(p) for p in ignore_paths)}
    present = {rel: data for rel, data in files.items() if not is_ignored(rel, ignore)}
    signed = {r.name: r.sha256 for r in manifest.resources}
    if set(signed) != set(present):
        added = sorted(set(present) - set(signed))
        missing = sorted(set(signed) - set(present))
        raise SignatureError(
            f"folder {source} does not match its signed manifest in {sidecar_source}: added "
            f"{added or 'none'}, missing {missing or 'none'}. Do not load anything from it.",
            path=source,
        )
    for rel, data in present.items():
        if not hmac.compare_digest(_progress.sha256_hex(data, f"hashing {rel}"), signed[rel]):
            raise opaque_failure(source, "signature file " + sidecar_source)
    checked.approved()
    ordered = sorted(present, key=resource_order)
    statement = Statement(
        tuple(Subject(rel, signed[rel]) for rel in ordered),
        Predicate(
            format=DIRECTORY,
            size=sum(len(present[rel]) for rel in ordered),
            created=SIGNED_AT_UNKNOWN,
            name=manifest.model_name or None,
            environment=checked.environment(),
            files={rel: len(present[rel]) for rel in ordered},
        ),
        predicate_type=PREDICATE_TYPE,
    )
    return VerifiedFolder(dict(present), statement, checked.keyids, _TOKEN)
