"""Certificate mode of model_signing bundles: the verifier's trusted roots (its CA file) and the
check that a bundle's chain leads to them at the time of verification, for a leaf that may sign
code. :mod:`safeload.signing.modelsig` verifies bundles with them and re-exports
:class:`CertificateAuthority`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from safeload.exceptions import KeyFormatError, SignatureError
from safeload.signing.bundle import Bundle
from safeload.signing.ecdsa import PublicKey, wrap_public_key

# cryptography's x509 is imported where a certificate is read (see safeload.signing.keys)
if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.x509 import verification as x509v

__all__ = ["CertificateAuthority", "describe_certificate"]

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


def check_chain(
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
