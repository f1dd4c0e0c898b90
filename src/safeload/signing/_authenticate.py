"""Who signed a model_signing bundle: its signatures checked against the pinned keys (a
keyring's threshold counts every signature) or, in certificate mode, against a leaf whose chain
leads to the verifier's CA. What they cover is parsed only once they verify."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from safeload.exceptions import (
    InsufficientSignaturesError,
    InvalidSignatureError,
    KeyFormatError,
    SignatureError,
)
from safeload.signing.bundle import Bundle, Manifest, parse_bundle, parse_manifest
from safeload.signing.certificates import CertificateAuthority, check_chain
from safeload.signing.ecdsa import PublicKey
from safeload.signing.hmac_key import HMACKey
from safeload.signing.keyring import KeysLike, as_keyring


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


def opaque_failure(source: str, trust: str) -> InvalidSignatureError:
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


def authenticate(
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
        leaf, signer = check_chain(bundle, ca, now, source, sig_source)
        if not _valid_by(leaf, bundle):
            raise opaque_failure(source, f"certificate trusted by the {ca.describe()}")
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
                raise opaque_failure(source, ring.describe())
            short = InsufficientSignaturesError(
                f"{source}: {len(keyids)} of {ring.threshold} required signatures from the "
                f"{ring.describe()} in {sig_source}; approvals are missing.",
                have=len(keyids),
                need=ring.threshold,
                path=source,
            )
            return _Checked(parse_manifest(bundle.payload, source=sig_source), keyids, short=short)
    return _Checked(parse_manifest(bundle.payload, source=sig_source), keyids)
