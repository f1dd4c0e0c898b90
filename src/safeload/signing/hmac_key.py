"""HMAC-SHA256 keys: one shared secret, for use inside one trust domain only.

An :class:`HMACKey` only ever computes HMACs, so a sidecar cannot steer it into checking a
public-key signature, nor a public key into acting as a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from safeload.exceptions import KeyFormatError
from safeload.signing.keyfiles import read_key_file, write_new_file

__all__ = ["MIN_HMAC_SECRET", "HMACKey"]

#: Shortest HMAC secret accepted, in bytes (256 bits).
MIN_HMAC_SECRET = 32
_HKDF_MAC_LABEL = b"safeload/v1 hmac-sha256 signing key"
_HKDF_ID_LABEL = b"safeload/v1 hmac-sha256 key id"


class HMACKey:
    """A shared HMAC-SHA256 secret, for use inside one trust domain only.

    The MAC key and the key id are both derived from the secret with HKDF-SHA256 under different
    fixed labels, so the id reveals nothing about the secret or the MAC key.
    """

    algorithm = "hmac-sha256"

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, (bytes, bytearray)):
            raise KeyFormatError("an HMAC secret must be bytes")
        secret = bytes(secret)
        if len(secret) < MIN_HMAC_SECRET:
            raise KeyFormatError(
                f"an HMAC secret must be at least {MIN_HMAC_SECRET} random bytes, "
                f"got {len(secret)}; create one with `safeload keygen NAME --hmac`"
            )
        if secret.lstrip().startswith(b"-----BEGIN"):
            raise KeyFormatError(
                "that HMAC secret is a PEM key; public keys are not secrets. Use a random "
                "secret (`safeload keygen NAME --hmac`) or verify with the Ed25519 VerifyKey."
            )
        self._mac_key = self._derive(secret, _HKDF_MAC_LABEL)
        self._keyid = self._derive(secret, _HKDF_ID_LABEL).hex()
        self._secret = secret

    @staticmethod
    def _derive(secret: bytes, label: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)

    @classmethod
    def generate(cls) -> HMACKey:
        """A fresh 32-byte random secret."""
        return cls(secrets.token_bytes(32))

    @classmethod
    def from_hex(cls, text: str | bytes, *, source: str | None = None) -> HMACKey:
        """Parse the hex text that :meth:`save` writes (surrounding whitespace ignored)."""
        where = f" from {source}" if source else ""
        try:
            if isinstance(text, bytes):
                text = text.decode("ascii")
            secret = bytes.fromhex(text.strip())
        except (UnicodeDecodeError, ValueError) as exc:
            raise KeyFormatError(
                f"HMAC secret{where} must be hex text (as written by `safeload keygen --hmac`)",
                path=source,
            ) from exc
        try:
            return cls(secret)
        except KeyFormatError as exc:
            raise KeyFormatError(f"HMAC secret{where}: {exc}", path=source) from None

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> HMACKey:
        """Read a hex-encoded secret from a file."""
        return cls.from_hex(read_key_file(path), source=str(path))

    @classmethod
    def from_env(cls, name: str, environ: Mapping[str, str] | None = None) -> HMACKey:
        """Read a hex-encoded secret from environment variable ``name``.

        ``environ`` defaults to ``os.environ``; pass a mapping in tests.
        """
        env = os.environ if environ is None else environ
        value = env.get(name)
        if value is None:
            raise KeyFormatError(f"environment variable {name} is not set")
        return cls.from_hex(value, source=f"${name}")

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the secret as hex to a new file with mode 0600; refuses to overwrite."""
        p = Path(path)
        write_new_file(p, self._secret.hex().encode("ascii") + b"\n", 0o600)
        return p

    @property
    def keyid(self) -> str:
        """HKDF-derived id, hex; safe to publish."""
        return self._keyid

    def sign(self, message: bytes) -> bytes:
        """HMAC-SHA256 over ``message`` with the derived MAC key."""
        return hmac.new(self._mac_key, message, hashlib.sha256).digest()

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Constant-time comparison of the expected MAC with ``signature``."""
        return hmac.compare_digest(self.sign(message), signature)

    def __repr__(self) -> str:
        return f"HMACKey(keyid={self._keyid[:16]}…)"
