"""ECDSA keys (NIST P-256, P-384, P-521) and key files of any supported type.

As with Ed25519, the algorithm is a property of the pinned key: a P-256 key checks DER-encoded
ECDSA signatures with SHA-256, a P-384 key with SHA-384 and a P-521 key with SHA-512 (the
pairing Sigstore and model_signing use). Nothing in a signature file chooses the curve or hash.

Key id: the hex SHA-256 of the key's SubjectPublicKeyInfo PEM text, the value model_signing
records as ``publicKey.hint`` in its bundles, so one key has one id in both formats.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

# cryptography is imported where a key is made or used (see safeload.signing.keys)
if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from safeload.exceptions import KeyFormatError
from safeload.signing.keyfiles import password_bytes, read_key_file, write_new_file
from safeload.signing.keys import ALGORITHMS, PrivateKeyFile, SigningKey, VerifyKey

__all__ = [
    "ALGORITHMS",
    "ECDSASigningKey",
    "ECDSAVerifyKey",
    "KeyType",
    "PublicKey",
    "generate_keypair",
    "load_public_key",
    "load_signing_key",
    "public_key_from_pem",
    "signing_key_from_pem",
    "wrap_public_key",
]

#: ``keygen --type`` values.
KeyType = Literal["ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521"]


@functools.lru_cache(maxsize=1)
def _curves() -> dict[str, tuple[str, type[ec.EllipticCurve], type[hashes.HashAlgorithm]]]:
    """curve name -> (algorithm name, curve class, hash class)"""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    return {
        "secp256r1": ("ecdsa-p256", ec.SECP256R1, hashes.SHA256),
        "secp384r1": ("ecdsa-p384", ec.SECP384R1, hashes.SHA384),
        "secp521r1": ("ecdsa-p521", ec.SECP521R1, hashes.SHA512),
    }


def _by_algorithm() -> dict[str, type[ec.EllipticCurve]]:
    return {alg: curve for alg, curve, _ in _curves().values()}


#: A DER ECDSA signature on P-521 is at most 139 bytes; anything longer is not one.
_MAX_DER_SIG = 160


def _curve_info(
    key: ec.EllipticCurvePublicKey, source: str | None
) -> tuple[str, type[hashes.HashAlgorithm]]:
    info = _curves().get(key.curve.name)
    if info is None:
        where = f" in {source}" if source else ""
        raise KeyFormatError(
            f"the ECDSA key{where} is on curve {key.curve.name}; safeload (like model_signing) "
            "accepts P-256, P-384 and P-521 only",
            path=source,
        )
    return info[0], info[2]


def _spki_pem(key: ec.EllipticCurvePublicKey | Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class ECDSAVerifyKey:
    """An ECDSA public key on P-256, P-384 or P-521; checks DER signatures with the curve's hash."""

    def __init__(self, key: ec.EllipticCurvePublicKey, *, source: str | None = None) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise KeyFormatError(f"expected an ECDSA public key, got {type(key).__name__}")
        self._algorithm, hash_cls = _curve_info(key, source)
        self._hash = hash_cls
        self._key = key
        self._pem = _spki_pem(key)
        self._keyid = hashlib.sha256(self._pem).hexdigest()

    @classmethod
    def from_pem(cls, data: bytes, *, source: str | None = None) -> ECDSAVerifyKey:
        """Parse a SubjectPublicKeyInfo PEM holding an ECDSA key."""
        key = public_key_from_pem(data, source=source)
        if not isinstance(key, ECDSAVerifyKey):
            where = f" in {source}" if source else ""
            raise KeyFormatError(f"the public key{where} is not an ECDSA key", path=source)
        return key

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> ECDSAVerifyKey:
        """Read a ``.pub`` file (SubjectPublicKeyInfo PEM)."""
        return cls.from_pem(read_key_file(path), source=str(path))

    @property
    def algorithm(self) -> str:
        """``"ecdsa-p256"``, ``"ecdsa-p384"`` or ``"ecdsa-p521"``."""
        return self._algorithm

    @property
    def keyid(self) -> str:
        """SHA-256 of the SubjectPublicKeyInfo PEM, hex (model_signing's ``publicKey.hint``)."""
        return self._keyid

    @property
    def public(self) -> ec.EllipticCurvePublicKey:
        """The ``cryptography`` key object."""
        return self._key

    def to_pem(self) -> bytes:
        """SubjectPublicKeyInfo PEM."""
        return self._pem

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the PEM to a new file (mode 0644); refuses to overwrite."""
        p = Path(path)
        write_new_file(p, self._pem, 0o644)
        return p

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True if ``signature`` is a valid DER ECDSA signature of ``message``; never raises."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric import ec

        if not 0 < len(signature) <= _MAX_DER_SIG:
            return False
        try:
            self._key.verify(signature, message, ec.ECDSA(self._hash()))
        except (InvalidSignature, ValueError):
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ECDSAVerifyKey) and other._pem == self._pem

    def __hash__(self) -> int:
        return hash(self._pem)

    def __repr__(self) -> str:
        return f"ECDSAVerifyKey({self._algorithm}, keyid={self._keyid[:16]}…)"


class ECDSASigningKey(PrivateKeyFile):
    """An ECDSA private key on P-256, P-384 or P-521. Save it with mode 0600; never commit it."""

    _key: ec.EllipticCurvePrivateKey

    def __init__(self, key: ec.EllipticCurvePrivateKey, *, source: str | None = None) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise KeyFormatError(f"expected an ECDSA private key, got {type(key).__name__}")
        self._public = ECDSAVerifyKey(key.public_key(), source=source)
        self._key = key

    @classmethod
    def generate(cls, algorithm: str = "ecdsa-p256") -> ECDSASigningKey:
        """A fresh random key on the curve ``algorithm`` names (``ecdsa-p256`` ...)."""
        from cryptography.hazmat.primitives.asymmetric import ec

        by_algorithm = _by_algorithm()
        curve = by_algorithm.get(algorithm)
        if curve is None:
            raise KeyFormatError(
                f"unknown ECDSA key type {algorithm!r}; use one of {', '.join(by_algorithm)}"
            )
        return cls(ec.generate_private_key(curve()))

    @classmethod
    def from_pem(
        cls, data: bytes, password: str | bytes | None = None, *, source: str | None = None
    ) -> ECDSASigningKey:
        """Parse a PEM private key (PKCS#8 or SEC 1), optionally encrypted."""
        key = signing_key_from_pem(data, password, source=source)
        if not isinstance(key, ECDSASigningKey):
            where = f" {source}" if source else ""
            raise KeyFormatError(f"private key{where} is not an ECDSA key", path=source)
        return key

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], password: str | bytes | None = None
    ) -> ECDSASigningKey:
        """Read a PEM private key file, optionally passphrase-protected."""
        return cls.from_pem(read_key_file(path), password, source=str(path))

    @property
    def public_key(self) -> ECDSAVerifyKey:
        """The matching :class:`ECDSAVerifyKey`."""
        return self._public

    @property
    def keyid(self) -> str:
        """The public key's id."""
        return self._public.keyid

    @property
    def algorithm(self) -> str:
        """The public key's algorithm."""
        return self._public.algorithm

    def sign(self, message: bytes) -> bytes:
        """DER ECDSA signature over ``message`` with the curve's hash."""
        from cryptography.hazmat.primitives.asymmetric import ec

        return self._key.sign(message, ec.ECDSA(self._public._hash()))

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Check with the public half."""
        return self._public.verify(message, signature)

    def __repr__(self) -> str:
        return f"ECDSASigningKey({self.algorithm}, keyid={self.keyid[:16]}…)"


#: A pinned public key of a signature algorithm.
PublicKey = VerifyKey | ECDSAVerifyKey


def wrap_public_key(key: object, *, source: str | None = None) -> PublicKey:
    """A :data:`PublicKey` for a ``cryptography`` public key object (Ed25519 or ECDSA)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if isinstance(key, Ed25519PublicKey):
        return VerifyKey(key)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return ECDSAVerifyKey(key, source=source)
    where = f" in {source}" if source else ""
    raise KeyFormatError(
        f"the public key{where} is {type(key).__name__}; safeload verifies Ed25519 and ECDSA "
        "(P-256, P-384, P-521) keys",
        path=source,
    )


def public_key_from_pem(data: bytes, *, source: str | None = None) -> PublicKey:
    """Parse a SubjectPublicKeyInfo PEM: Ed25519 gives a :class:`~safeload.VerifyKey`, ECDSA an
    :class:`ECDSAVerifyKey`. The key type, and so the algorithm, comes from the key itself."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    where = f" in {source}" if source else ""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFormatError(
            f"no public key (SubjectPublicKeyInfo PEM){where}", path=source
        ) from exc
    return wrap_public_key(key, source=source)


def load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    """Read a ``.pub`` file of any supported type (see :func:`public_key_from_pem`)."""
    return public_key_from_pem(read_key_file(path), source=str(path))


def signing_key_from_pem(
    data: bytes, password: str | bytes | None = None, *, source: str | None = None
) -> SigningKey | ECDSASigningKey:
    """Parse a PEM private key: Ed25519 gives a :class:`~safeload.SigningKey`, ECDSA an
    :class:`ECDSASigningKey`."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    where = f" {source}" if source else ""
    try:
        key = serialization.load_pem_private_key(data, password=password_bytes(password))
    except TypeError as exc:
        hint = (
            "it is encrypted; supply its passphrase"
            if password is None
            else "it is not encrypted; do not pass a passphrase"
        )
        raise KeyFormatError(f"cannot load private key{where}: {hint}", path=source) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise KeyFormatError(
            f"cannot load private key{where}: not a PEM Ed25519 or ECDSA key, or the "
            "passphrase is wrong",
            path=source,
        ) from exc
    if isinstance(key, Ed25519PrivateKey):
        return SigningKey(key)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return ECDSASigningKey(key, source=source)
    raise KeyFormatError(
        f"private key{where} is {type(key).__name__}; safeload signs with Ed25519 or ECDSA keys",
        path=source,
    )


def load_signing_key(
    path: str | os.PathLike[str], password: str | bytes | None = None
) -> SigningKey | ECDSASigningKey:
    """Read a PEM private key file of any supported type."""
    return signing_key_from_pem(read_key_file(path), password, source=str(path))


def generate_keypair(
    directory: str | os.PathLike[str],
    name: str,
    *,
    type: str = "ed25519",
    password: str | bytes | None = None,
) -> tuple[Path, Path]:
    """Create ``NAME.key`` (0600) and ``NAME.pub`` of key ``type`` (one of :data:`ALGORITHMS`)
    in ``directory``; refuse to overwrite either. Returns ``(private_path, public_path)``."""
    if type not in ALGORITHMS:
        raise KeyFormatError(f"unknown key type {type!r}; use one of {', '.join(ALGORITHMS)}")
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise KeyFormatError(f"invalid key name {name!r}")
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    priv, pub = d / f"{name}.key", d / f"{name}.pub"
    for p in (priv, pub):
        if p.exists():
            raise KeyFormatError(f"{p} already exists; refusing to overwrite a key", path=str(p))
    key: SigningKey | ECDSASigningKey = (
        SigningKey.generate() if type == "ed25519" else ECDSASigningKey.generate(type)
    )
    key.save(priv, password)
    key.public_key.save(pub)
    return priv, pub
