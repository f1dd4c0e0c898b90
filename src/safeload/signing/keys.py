"""Keys: the Signer and Verifier protocols, Ed25519 signing/verify keys and key pairs.

The algorithm used to check a signature is a property of the pinned key object, never of the
sidecar. A :class:`VerifyKey` only ever checks Ed25519 signatures (HMAC keys are in
:mod:`safeload.signing.hmac_key`, ECDSA keys in :mod:`safeload.signing.ecdsa`, keyrings in
:mod:`safeload.signing.keyring`), so a sidecar cannot steer one key into acting as another.

File I/O happens only in the explicit ``from_file`` / ``save`` helpers.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

# cryptography is imported where a key is made or used, not here: ``import safeload`` and
# ``safeload scan``, which touch no key, do not pay for it.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from safeload.exceptions import KeyFormatError
from safeload.signing.keyfiles import password_bytes, read_key_file, write_new_file

__all__ = [
    "ALGORITHMS",
    "PrivateKeyFile",
    "Signer",
    "SigningKey",
    "Verifier",
    "VerifyKey",
    "generate_keypair",
]

#: ``keygen --type`` values: the signature algorithms of the key types safeload makes (Ed25519
#: here, ECDSA in :mod:`safeload.signing.ecdsa`, which re-exports this). Kept here, where nothing
#: heavy is imported, for the CLI's parser.
ALGORITHMS: tuple[str, ...] = ("ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521")


@runtime_checkable
class Signer(Protocol):
    """Anything that can sign: :class:`SigningKey` and :class:`HMACKey`."""

    @property
    def keyid(self) -> str:
        """Hex key id recorded next to the signature (a hint for verifiers)."""
        ...

    @property
    def algorithm(self) -> str:
        """``"ed25519"`` or ``"hmac-sha256"``."""
        ...

    def sign(self, message: bytes) -> bytes:
        """Return the signature (or MAC) over ``message``."""
        ...


@runtime_checkable
class Verifier(Protocol):
    """Anything that can check a signature: :class:`VerifyKey` and :class:`HMACKey`."""

    @property
    def keyid(self) -> str:
        """Hex key id."""
        ...

    @property
    def algorithm(self) -> str:
        """``"ed25519"`` or ``"hmac-sha256"``."""
        ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True if ``signature`` is valid for ``message`` under this key; never raises."""
        ...


class VerifyKey:
    """An Ed25519 public key. Key id: SHA-256 of the 32 raw public-key bytes, in hex."""

    algorithm = "ed25519"

    def __init__(self, key: Ed25519PublicKey) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        if not isinstance(key, Ed25519PublicKey):
            raise KeyFormatError(f"expected an Ed25519 public key, got {type(key).__name__}")
        self._key = key
        self._raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self._keyid = hashlib.sha256(self._raw).hexdigest()

    @classmethod
    def from_bytes(cls, raw: bytes) -> VerifyKey:
        """Build from the 32 raw public-key bytes."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        try:
            return cls(Ed25519PublicKey.from_public_bytes(raw))
        except ValueError as exc:
            raise KeyFormatError("an Ed25519 public key is exactly 32 bytes") from exc

    @classmethod
    def from_pem(cls, data: bytes, *, source: str | None = None) -> VerifyKey:
        """Parse a SubjectPublicKeyInfo PEM holding an Ed25519 key."""
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        where = f" in {source}" if source else ""
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise KeyFormatError(
                f"no Ed25519 public key (SubjectPublicKeyInfo PEM){where}", path=source
            ) from exc
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFormatError(
                f"the public key{where} is {type(key).__name__}, not Ed25519", path=source
            )
        return cls(key)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> VerifyKey:
        """Read a ``.pub`` file (SubjectPublicKeyInfo PEM)."""
        return cls.from_pem(read_key_file(path), source=str(path))

    @property
    def keyid(self) -> str:
        """SHA-256 of the raw public key, hex."""
        return self._keyid

    @property
    def raw(self) -> bytes:
        """The 32 raw public-key bytes."""
        return self._raw

    def to_pem(self) -> bytes:
        """SubjectPublicKeyInfo PEM."""
        from cryptography.hazmat.primitives import serialization

        return self._key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the PEM to a new file (mode 0644); refuses to overwrite."""
        p = Path(path)
        write_new_file(p, self.to_pem(), 0o644)
        return p

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True if ``signature`` is a valid Ed25519 signature of ``message``."""
        from cryptography.exceptions import InvalidSignature

        if len(signature) != 64:
            return False
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VerifyKey) and other._raw == self._raw

    def __hash__(self) -> int:
        return hash(self._raw)

    def __repr__(self) -> str:
        return f"VerifyKey(keyid={self._keyid[:16]}…)"


class PrivateKeyFile:
    """What every private key class shares: PKCS#8 PEM out, and a 0600 file that is never
    overwritten (Ed25519 here, ECDSA in :mod:`safeload.signing.ecdsa`)."""

    _key: PrivateKeyTypes

    def to_pem(self, password: str | bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with ``password`` when given."""
        from cryptography.hazmat.primitives import serialization

        pw = password_bytes(password)
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(pw) if pw else serialization.NoEncryption()
        )
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
        )

    def save(self, path: str | os.PathLike[str], password: str | bytes | None = None) -> Path:
        """Write to a new file with mode 0600; refuses to overwrite an existing file."""
        p = Path(path)
        write_new_file(p, self.to_pem(password), 0o600)
        return p


class SigningKey(PrivateKeyFile):
    """An Ed25519 private key. Save it with mode 0600 and never commit it."""

    _key: Ed25519PrivateKey

    algorithm = "ed25519"

    def __init__(self, key: Ed25519PrivateKey) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFormatError(f"expected an Ed25519 private key, got {type(key).__name__}")
        self._key = key
        self._public = VerifyKey(key.public_key())

    @classmethod
    def generate(cls) -> SigningKey:
        """A fresh random key."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(
        cls, data: bytes, password: str | bytes | None = None, *, source: str | None = None
    ) -> SigningKey:
        """Parse a PKCS#8 PEM private key, optionally encrypted with ``password``."""
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        where = f" {source}" if source else ""
        try:
            key = serialization.load_pem_private_key(data, password=password_bytes(password))
        except TypeError as exc:
            # Raised both for "encrypted but no password" and "password but not encrypted".
            hint = (
                "it is encrypted; supply its passphrase"
                if password is None
                else "it is not encrypted; do not pass a passphrase"
            )
            raise KeyFormatError(f"cannot load private key{where}: {hint}", path=source) from exc
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise KeyFormatError(
                f"cannot load private key{where}: not a PKCS#8 PEM Ed25519 key, "
                "or the passphrase is wrong",
                path=source,
            ) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFormatError(
                f"private key{where} is {type(key).__name__}, not Ed25519", path=source
            )
        return cls(key)

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], password: str | bytes | None = None
    ) -> SigningKey:
        """Read a PKCS#8 PEM file, optionally passphrase-protected."""
        return cls.from_pem(read_key_file(path), password, source=str(path))

    @property
    def public_key(self) -> VerifyKey:
        """The matching :class:`VerifyKey`."""
        return self._public

    @property
    def keyid(self) -> str:
        """The public key's id."""
        return self._public.keyid

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature over ``message``."""
        return self._key.sign(message)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Check with the public half (so a signing key can be used where a verifier is wanted)."""
        return self._public.verify(message, signature)

    def __repr__(self) -> str:
        return f"SigningKey(keyid={self.keyid[:16]}…)"


def generate_keypair(
    directory: str | os.PathLike[str],
    name: str,
    *,
    password: str | bytes | None = None,
    type: str = "ed25519",
) -> tuple[Path, Path]:
    """Create ``NAME.key`` (0600) and ``NAME.pub`` in ``directory``; refuse to overwrite either.

    ``type`` is ``ed25519`` (default), ``ecdsa-p256``, ``ecdsa-p384`` or ``ecdsa-p521``.
    Returns ``(private_path, public_path)``.
    """
    if type != "ed25519":
        from safeload.signing.ecdsa import generate_keypair as generate

        return generate(directory, name, type=type, password=password)
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise KeyFormatError(f"invalid key name {name!r}")
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    priv, pub = d / f"{name}.key", d / f"{name}.pub"
    for p in (priv, pub):
        if p.exists():
            raise KeyFormatError(f"{p} already exists; refusing to overwrite a key", path=str(p))
    key = SigningKey.generate()
    key.save(priv, password)
    try:
        key.public_key.save(pub)
    except BaseException:
        # Interrupted (Ctrl-C, disk full) between the two files: a private key without its
        # public half would block the next keygen, so take it back. (`safeload pubkey` derives
        # a lost .pub from a .key.)
        priv.unlink(missing_ok=True)
        raise
    return priv, pub
