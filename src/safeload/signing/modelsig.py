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

import functools
import hmac
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from safeload import _progress
from safeload._types import Buffer
from safeload.exceptions import (
    InsufficientSignaturesError,
    InvalidSignatureError,
    KeyFormatError,
    SignatureError,
)
from safeload.sidecar import DIRECTORY, Predicate, Signature, Statement, Subject
from safeload.signing.artifacts import _TOKEN, VerifiedArtifact, VerifiedFolder
from safeload.signing.bundle import (
    DEFAULT_IGNORE,
    PREDICATE_TYPE,
    Bundle,
    Manifest,
    Resource,
    parse_bundle,
    parse_manifest,
    resource_order,
)
from safeload.signing.ecdsa import ECDSAVerifyKey, PublicKey, wrap_public_key
from safeload.signing.hmac_key import HMACKey
from safeload.signing.keyring import KeysLike, as_keyring
from safeload.signing.keys import Signer
from safeload.signing.signer import PublicKeySigner

# cryptography's x509 is imported where a certificate is read (see safeload.signing.keys)
if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.x509 import verification as x509v

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
_MAX_CA_FILE = 4 << 20


@dataclass(frozen=True)
class CertificateAuthority:
    """Trusted root certificates (the verifier's CA file) for certificate-mode bundles."""

    roots: tuple[x509.Certificate, ...]
    source: str | None = None

    @classmethod
    def from_pem(cls, data: bytes, *, source: str | None = None) -> CertificateAuthority:
        """Parse one or more PEM certificates."""
        from cryptography import x509

        where = f" in {source}" if source else ""
        try:
            roots = tuple(x509.load_pem_x509_certificates(data))
        except ValueError as exc:
            raise KeyFormatError(f"no PEM certificates{where}", path=source) from exc
        if not roots:
            raise KeyFormatError(f"no PEM certificates{where}", path=source)
        return cls(roots, source)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> CertificateAuthority:
        """Read a CA file (PEM, one or more certificates)."""
        p = Path(path)
        try:
            data = p.read_bytes()[: _MAX_CA_FILE + 1]
        except OSError as exc:
            raise KeyFormatError(f"cannot read CA file {p}: {exc.strerror}", path=str(p)) from exc
        if len(data) > _MAX_CA_FILE:
            raise KeyFormatError(f"CA file {p} is larger than {_MAX_CA_FILE} bytes", path=str(p))
        return cls.from_pem(data, source=str(p))

    def describe(self) -> str:
        """For messages."""
        where = f" {self.source}" if self.source else ""
        return f"CA file{where} ({len(self.roots)} certificate(s))"


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


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    manifest: Manifest
    keyids: tuple[str, ...]
    #: certificate mode: the CA-validated leaf's subject (and SANs), for the caller to see
    signer: str | None = None
    #: some, not enough, trusted keys signed: raised only once the files match (rt17 f09), so a
    #: changed file gets the opaque error, not advice to collect approvals
    short: InsufficientSignaturesError | None = None

    def approved(self) -> None:
        if self.short is not None:
            raise self.short

    def environment(self) -> dict[str, str]:
        return {"certificate": self.signer} if self.signer else {}


def _opaque(source: str, trust: str) -> InvalidSignatureError:
    return InvalidSignatureError(
        f"signature verification failed for {source}: no valid signature over these exact "
        f"bytes from the {trust}. The model or its signature file was changed, belongs to "
        "another model, or was signed by a key you do not trust. Do not load it; fetch both "
        "again from the publisher or check which key you expect.",
        path=source,
    )


def _valid_by(key: PublicKey, bundle: Bundle) -> bool:
    message = bundle.pae()
    return any(key.verify(message, s.sig) for s in bundle.signatures if s.keyid in ("", key.keyid))


def _check_chain(
    bundle: Bundle, ca: CertificateAuthority, now: datetime, source: str, sig_source: str
) -> tuple[PublicKey, str]:
    """The leaf's public key and who it names, once its chain leads to ``ca`` at ``now`` and it
    may sign code."""
    from cryptography import x509
    from cryptography.x509 import verification as x509v

    try:
        leaf, *rest = (x509.load_der_x509_certificate(c) for c in bundle.certificates)
    except ValueError as exc:
        raise SignatureError(
            f"{sig_source}: a certificate in the bundle's chain is not valid DER", path=source
        ) from exc
    policy = (
        x509v.PolicyBuilder()
        .store(x509v.Store(list(ca.roots)))
        .time(now)
        .max_chain_depth(8)
        .extension_policies(
            ca_policy=_ca_policy(),
            ee_policy=x509v.ExtensionPolicy.permit_all(),
        )
    )
    try:
        policy.build_client_verifier().verify(leaf, rest)
    except x509v.VerificationError as exc:
        raise SignatureError(
            f"{source}: the signing certificate in {sig_source} (subject "
            f"{leaf.subject.rfc4514_string()!r}) is not trusted by the {ca.describe()} at "
            f"{now:%Y-%m-%dT%H:%M:%SZ}: {exc}. An unknown or expired CA, or an expired or not "
            "yet valid certificate: do not load it.",
            path=source,
        ) from exc
    if not _may_sign(leaf):
        raise SignatureError(
            f"{source}: the signing certificate in {sig_source} (subject "
            f"{leaf.subject.rfc4514_string()!r}) is not a code-signing certificate: it needs "
            "key usage digitalSignature and, if it has an extended key usage, codeSigning in it "
            "(a TLS server or e-mail certificate from the same CA may not sign models).",
            path=source,
        )
    try:
        return wrap_public_key(leaf.public_key(), source=sig_source), describe_certificate(leaf)
    except (KeyFormatError, ValueError) as exc:  # ValueError: a point off the curve
        raise SignatureError(f"{source}: {sig_source}: {exc}", path=source) from exc


def _ca_may_issue_code_signing(
    policy: x509v.Policy, cert: x509.Certificate, eku: x509.ExtendedKeyUsage | None
) -> None:
    """An intermediate's extended key usage, when present, must allow code signing (or any
    purpose). A client verifier would otherwise demand clientAuth, refusing the code-signing
    intermediates real PKIs use (red team 17, f03 note)."""
    from cryptography import x509

    allowed = {
        x509.oid.ExtendedKeyUsageOID.CODE_SIGNING,
        x509.oid.ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    }
    if eku is not None and not allowed & set(eku):
        raise ValueError("a CA's extended key usage does not allow code signing")


@functools.lru_cache(maxsize=1)
def _ca_policy() -> x509v.ExtensionPolicy:
    """The extension policy for CA certificates (WebPKI's, with code-signing intermediates)."""
    from cryptography import x509
    from cryptography.x509 import verification as x509v

    return x509v.ExtensionPolicy.webpki_defaults_ca().may_be_present(
        x509.ExtendedKeyUsage, x509v.Criticality.AGNOSTIC, _ca_may_issue_code_signing
    )


def _may_sign(cert: x509.Certificate) -> bool:
    """RFC 5280: both extensions restrict. The key must be allowed to sign (key usage
    digitalSignature, which must be present), and an extended key usage, when present, must
    allow code signing. model_signing 1.1 accepts either one alone (red team 17, f03)."""
    from cryptography import x509

    try:
        if not cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature:
            return False
    except x509.ExtensionNotFound:
        return False
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return x509.oid.ExtendedKeyUsageOID.CODE_SIGNING in eku


def describe_certificate(cert: x509.Certificate) -> str:
    """The leaf's subject and subject alternative names, with control characters escaped."""
    from cryptography import x509

    text = cert.subject.rfc4514_string()
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        san = None
    if san is not None:
        names = [str(getattr(n, "value", n)) for n in san]
        text += " (SAN " + ", ".join(names) + ")"
    return text.encode("unicode_escape").decode("ascii")


def _authenticate(
    bundle_bytes: bytes,
    keys: KeysLike | None,
    ca: CertificateAuthority | None,
    now: datetime,
    source: str,
    sig_source: str,
) -> _Checked:
    """Check the bundle's signatures against the pinned keys or the CA; parse what they cover."""
    bundle = parse_bundle(bundle_bytes, source=sig_source)
    if bundle.certificates:
        if ca is None:
            raise SignatureError(
                f"{sig_source} is a certificate-mode model_signing bundle; verify it against "
                "your CA file (--ca / ca=), not a public key",
                path=source,
            )
        leaf, signer = _check_chain(bundle, ca, now, source, sig_source)
        if not _valid_by(leaf, bundle):
            raise _opaque(source, f"certificate trusted by the {ca.describe()}")
        checked = parse_manifest(bundle.payload, source=sig_source)
        return _Checked(checked, (leaf.keyid,), signer)
    else:
        if keys is None:
            raise SignatureError(
                f"{sig_source} is a key-mode model_signing bundle; verify it with the "
                "publisher's public key (--pub / keys=), not a CA file",
                path=source,
            )
        ring = as_keyring(keys)
        if any(isinstance(k, HMACKey) for k in ring.keys):
            raise KeyFormatError(
                "model_signing bundles are verified with public keys (or a CA), not HMAC secrets"
            )
        keyids = tuple(k.keyid for k in ring.usable(now) if _valid_by(k, bundle))  # type: ignore[arg-type]
        if len(keyids) < ring.threshold:
            if not keyids:
                raise _opaque(source, ring.describe())
            short = InsufficientSignaturesError(
                f"{source}: {len(keyids)} of {ring.threshold} required signatures from the "
                f"{ring.describe()} in {sig_source}; approvals are missing.",
                have=len(keyids),
                need=ring.threshold,
                path=source,
            )
            return _Checked(parse_manifest(bundle.payload, source=sig_source), keyids, short=short)
    return _Checked(parse_manifest(bundle.payload, source=sig_source), keyids)


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
    current = now or datetime.now(timezone.utc)
    checked = _authenticate(bundle_bytes, keys, ca, current, source, sidecar_source)
    resources = checked.manifest.resources
    if len(resources) != 1 or resources[0].name != ".":
        raise SignatureError(
            f"{sidecar_source} signs a folder of {len(resources)} file(s), not the single file "
            f"{source}; verify the folder, or name it as the model root (model_root=, CLI "
            "--model-root) to load a file of it",
            path=source,
        )
    actual = _progress.sha256_hex(data, f"hashing {name}")
    if not hmac.compare_digest(actual, resources[0].sha256):
        raise _opaque(source, "signature file " + sidecar_source)
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
            size=len(data),
            created=SIGNED_AT_UNKNOWN,
            name=checked.manifest.model_name or None,
            environment=checked.environment(),
        ),
        predicate_type=PREDICATE_TYPE,
    )
    return VerifiedArtifact(data, name, statement, checked.keyids, _TOKEN)


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
    checked = _authenticate(bundle_bytes, keys, ca, current, source, sidecar_source)
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
            raise _opaque(source, "signature file " + sidecar_source)
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
