"""The signer protocol for keys held elsewhere: hardware tokens, cloud KMS, signing services.

A :class:`PublicKeySigner` is a :class:`~safeload.Signer` that also says which public key
verifiers must pin. safeload never asks it for private key material: it hands over the exact
bytes to sign (DSSE's pre-authentication encoding) and checks nothing it returns against
anything but that public key. :class:`~safeload.SigningKey`,
:class:`~safeload.ECDSASigningKey` and :class:`~safeload.signing.pkcs11.PKCS11Signer` all
satisfy it; see the README ("Hardware tokens and cloud KMS") for a KMS sketch.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from safeload.signing.ecdsa import PublicKey
from safeload.signing.keys import Signer

__all__ = ["PublicKeySigner"]


@runtime_checkable
class PublicKeySigner(Signer, Protocol):
    """A signer with a public key: ``public_key``, ``keyid``/``algorithm`` (the public key's)
    and ``sign(message) -> bytes`` (DER ECDSA with the curve's hash, or Ed25519)."""

    @property
    def public_key(self) -> PublicKey:
        """The key verifiers pin (:class:`~safeload.VerifyKey` or
        :class:`~safeload.ECDSAVerifyKey`)."""
        ...
