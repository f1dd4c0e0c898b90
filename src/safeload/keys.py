"""Keys: Ed25519 signing/verify keys, HMAC-SHA256 keys, key ids and keyrings.

The algorithm used to check a signature is a property of the pinned key object, never of the
sidecar. An :class:`HMACKey` only ever computes HMACs and a :class:`VerifyKey` only ever checks
Ed25519 signatures, so a sidecar cannot steer one into acting as the other.

File I/O happens only in the explicit ``from_file`` / ``save`` helpers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NoReturn, Protocol, runtime_checkable

# cryptography is imported where a key is made or used, not here: ``import safeload`` and
# ``safeload scan``, which touch no key, do not pay for it.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from safeload._time import parse_time
from safeload.exceptions import KeyFormatError

__all__ = [
    "ALGORITHMS",
    "HMACKey",
    "Keyring",
    "KeysLike",
    "Signer",
    "SigningKey",
    "Verifier",
    "VerifyKey",
    "as_keyring",
    "generate_keypair",
]

#: ``keygen --type`` values: the signature algorithms of the key types safeload makes (Ed25519
#: here, ECDSA in :mod:`safeload.signing.ecdsa`, which re-exports this). Kept here, where nothing
#: heavy is imported, for the CLI's parser.
ALGORITHMS: tuple[str, ...] = ("ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521")

#: Shortest HMAC secret accepted, in bytes (256 bits).
MIN_HMAC_SECRET = 32
_HKDF_MAC_LABEL = b"safeload/v1 hmac-sha256 signing key"
_HKDF_ID_LABEL = b"safeload/v1 hmac-sha256 key id"
_MAX_KEY_FILE = 64 * 1024


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


def _read_key_file(path: str | os.PathLike[str]) -> bytes:
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = fh.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise KeyFormatError(f"cannot read key file {p}: {exc.strerror}", path=str(p)) from exc
    if len(data) > _MAX_KEY_FILE:
        raise KeyFormatError(f"key file {p} is larger than {_MAX_KEY_FILE} bytes", path=str(p))
    return data


def _write_new_file(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with ``mode``; refuse to overwrite anything already there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError as exc:
        raise KeyFormatError(
            f"{path} already exists; refusing to overwrite a key. Move it away first.",
            path=str(path),
        ) from exc
    try:
        os.fchmod(fd, mode)  # umask may have narrowed or (for 0644) not mattered
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _password_bytes(password: str | bytes | None) -> bytes | None:
    if password is None:
        return None
    return password.encode("utf-8") if isinstance(password, str) else bytes(password)


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
        return cls.from_pem(_read_key_file(path), source=str(path))

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
        _write_new_file(p, self.to_pem(), 0o644)
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

        pw = _password_bytes(password)
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(pw) if pw else serialization.NoEncryption()
        )
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc
        )

    def save(self, path: str | os.PathLike[str], password: str | bytes | None = None) -> Path:
        """Write to a new file with mode 0600; refuses to overwrite an existing file."""
        p = Path(path)
        _write_new_file(p, self.to_pem(password), 0o600)
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
            key = serialization.load_pem_private_key(data, password=_password_bytes(password))
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
        return cls.from_pem(_read_key_file(path), password, source=str(path))

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
        return cls.from_hex(_read_key_file(path), source=str(path))

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
        _write_new_file(p, self._secret.hex().encode("ascii") + b"\n", 0o600)
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


def _pinned(key: object) -> Verifier:
    """The verification key for ``key``: a pinned key object of a known algorithm (Ed25519,
    ECDSA, HMAC), or a signing key's public half. Anything else, e.g. a caller's own object
    claiming some ``algorithm``, is refused: the algorithm comes from the key's class."""
    # Imported here: safeload.signing imports this module.
    from safeload.signing.ecdsa import ECDSASigningKey, ECDSAVerifyKey

    if isinstance(key, (SigningKey, ECDSASigningKey)):
        return key.public_key
    if isinstance(key, (VerifyKey, HMACKey, ECDSAVerifyKey)):
        return key
    public = getattr(key, "public_key", None)
    if isinstance(public, (VerifyKey, ECDSAVerifyKey)):  # a Signer (PKCS#11, KMS): its public key
        return public
    raise KeyFormatError(
        f"not a verification key: {type(key).__name__}; use VerifyKey, ECDSAVerifyKey or HMACKey"
    )


#: A full key id: 64 lower-case hex digits (SHA-256 of an Ed25519 key, or an HMAC key's id).
_KEYID = re.compile(r"[0-9a-f]{64}")


def _fingerprints(key: Verifier) -> frozenset[str]:
    """The ids a key is known by: its key id and, for a public key, SHA-256 of its DER
    SubjectPublicKeyInfo."""
    ids = {key.keyid}
    to_pem = getattr(key, "to_pem", None)
    if callable(to_pem):
        from cryptography.exceptions import UnsupportedAlgorithm
        from cryptography.hazmat.primitives import serialization

        try:
            public = serialization.load_pem_public_key(to_pem())
        except (ValueError, TypeError, UnsupportedAlgorithm):
            return frozenset(ids)
        der = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        ids.add(hashlib.sha256(der).hexdigest())
    return frozenset(ids)


def _revoked_ids(revoked: Iterable[str]) -> frozenset[str]:
    """Revoked key ids, each checked to be a full key id: anything else (a prefix, upper case,
    a name) matches no key, so it would revoke nothing, silently."""
    if isinstance(revoked, (str, bytes)):
        raise KeyFormatError("revoked must be a list of key ids, not one string")
    ids = list(revoked)
    for keyid in ids:
        if not isinstance(keyid, str) or _KEYID.fullmatch(keyid) is None:
            raise KeyFormatError(
                f"revoked entry {keyid!r} is not a full key id (64 lower-case hex digits, as "
                "`safeload inspect` and Keyring.keyids show it); it would revoke nothing"
            )
    return frozenset(ids)


class Keyring:
    """A set of trusted keys and how many of them must have signed (``threshold``).

    Keys are de-duplicated by key id, so one key counts once however many times it is listed
    or has signed. A keyring is immutable: its keys, threshold, expiry times and revocations
    are fixed when it is made (``source`` only says where it came from, for messages).
    """

    __slots__ = ("_keys", "_not_after", "_revoked", "_revoked_keys", "_source", "_threshold")
    _keys: dict[str, Verifier]
    _revoked_keys: dict[str, Verifier]
    _not_after: Mapping[str, datetime]
    _revoked: frozenset[str]
    _source: str | None
    _threshold: int

    def __init__(
        self,
        keys: Iterable[Verifier | SigningKey],
        threshold: int = 1,
        *,
        not_after: Mapping[str, datetime] | None = None,
        revoked: Iterable[str] = (),
        source: str | None = None,
    ) -> None:
        unique: dict[str, Verifier] = {}
        for key in keys:
            verifier = _pinned(key)
            unique.setdefault(verifier.keyid, verifier)
        revoked_ids = _revoked_ids(revoked)
        # Revoked keys never count; they are kept apart only to say "signed by a revoked key".
        # A key is revoked by its key id or by its common fingerprint, SHA-256 of the DER
        # SubjectPublicKeyInfo (what openssl/cosign show), so revoking a leaked key by the id
        # the rest of the world uses cannot silently revoke nothing (red team 17, f11).
        revoked_keys = {
            k: unique.pop(k) for k in list(unique) if _fingerprints(unique[k]) & revoked_ids
        }
        if not unique:
            raise KeyFormatError("a keyring needs at least one key that is not revoked")
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
            raise KeyFormatError(f"threshold must be a positive integer, got {threshold!r}")
        if threshold > len(unique):
            raise KeyFormatError(
                f"threshold {threshold} is more than the {len(unique)} distinct key(s) in the "
                "keyring; verification could never pass"
            )
        init = object.__setattr__
        init(self, "_keys", unique)
        init(self, "_threshold", threshold)
        init(self, "_not_after", MappingProxyType(dict(not_after or {})))
        init(self, "_revoked", revoked_ids)
        init(self, "_revoked_keys", revoked_keys)
        init(self, "_source", source)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("a Keyring is immutable; build a new one")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("a Keyring is immutable; build a new one")

    @property
    def threshold(self) -> int:
        """How many distinct trusted keys must have signed."""
        return self._threshold

    @property
    def revoked(self) -> frozenset[str]:
        """Key ids that are never trusted."""
        return self._revoked

    @property
    def not_after(self) -> Mapping[str, datetime]:
        """Key id -> the time from which that key is no longer trusted (read-only)."""
        return self._not_after

    @property
    def source(self) -> str | None:
        """The directory or file the keyring was read from, if any."""
        return self._source

    @classmethod
    def from_dir(cls, path: str | os.PathLike[str], threshold: int = 1) -> Keyring:
        """Trust every ``*.pub`` file (Ed25519 or ECDSA SubjectPublicKeyInfo PEM) in ``path``."""
        from safeload.signing.ecdsa import load_public_key

        p = Path(path)
        if not p.is_dir():
            raise KeyFormatError(f"keyring directory {p} does not exist", path=str(p))
        files = sorted(f for f in p.glob("*.pub") if f.is_file())
        if not files:
            raise KeyFormatError(f"no *.pub files in keyring directory {p}", path=str(p))
        return cls([load_public_key(f) for f in files], threshold=threshold, source=str(p))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Keyring:
        """Read a JSON keyring: trusted keys with optional ``not_after``, and revoked key ids.

        ``{"threshold": 1, "keys": [{"public_key": "<PEM>", "not_after": "2027-01-31T00:00:00Z"}],
        "revoked": ["<keyid>"]}``. A key is trusted only before its ``not_after``; a revoked key
        is never trusted, whatever it signed.
        """
        from safeload.signing.ecdsa import public_key_from_pem

        p = Path(path)
        raw = _read_key_file(p)
        try:
            doc = json.loads(raw.decode("utf-8"))
            entries = doc["keys"]
            threshold = doc.get("threshold", 1)
            revoked = doc.get("revoked", [])
            unknown = set(doc) - {"keys", "threshold", "revoked"}
            if unknown:
                raise ValueError(
                    f"unknown field(s) {', '.join(sorted(unknown))} (known: keys, threshold, "
                    "revoked)"
                )
            if not isinstance(entries, list) or not isinstance(revoked, list):
                raise ValueError("keys and revoked must be lists")
            keys: list[Verifier] = []
            limits: dict[str, datetime] = {}
            for entry in entries:
                key = public_key_from_pem(entry["public_key"].encode("ascii"), source=str(p))
                extra = set(entry) - {"public_key", "not_after", "name"}
                if extra:
                    raise ValueError(
                        f"a key entry has unknown field(s) {', '.join(sorted(extra))} (known: "
                        "public_key, not_after, name)"
                    )
                if "not_after" in entry:
                    limits[key.keyid] = parse_time(entry["not_after"])
                keys.append(key)
            _revoked_ids(revoked)
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            UnicodeDecodeError,
            KeyFormatError,
        ) as exc:
            raise KeyFormatError(f"keyring file {p} is not valid: {exc}", path=str(p)) from exc
        return cls(keys, threshold=threshold, not_after=limits, revoked=revoked, source=str(p))

    def usable(self, now: datetime) -> tuple[Verifier, ...]:
        """The keys trusted at ``now``: not revoked, and before their ``not_after``."""
        return tuple(
            k
            for keyid, k in self._keys.items()
            if keyid not in self.not_after or now < self.not_after[keyid]
        )

    def retired(self, now: datetime) -> dict[str, str]:
        """Keys this keyring knows but does not trust at ``now``: key id -> why (revoked, or
        past ``not_after``). For error messages only; their signatures never count."""
        why = {k: "is revoked by the keyring" for k in self._revoked_keys}
        for keyid in self._keys:
            limit = self.not_after.get(keyid)
            if limit is not None and now >= limit:
                why[keyid] = f"is trusted only until {limit:%Y-%m-%dT%H:%M:%SZ} (not_after)"
        return why

    def known(self, keyid: str) -> Verifier | None:
        """The key with ``keyid``, trusted or retired (for error messages)."""
        return self._keys.get(keyid) or self._revoked_keys.get(keyid)

    @property
    def keys(self) -> tuple[Verifier, ...]:
        """The distinct keys, in insertion order."""
        return tuple(self._keys.values())

    @property
    def keyids(self) -> tuple[str, ...]:
        """Their key ids."""
        return tuple(self._keys)

    def describe(self) -> str:
        """A short human description for error messages."""
        ids = ", ".join(k[:12] for k in self._keys)
        where = f" from {self.source}" if self.source else ""
        return f"keyring{where} ({len(self._keys)} key(s): {ids}; threshold {self.threshold})"

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"Keyring({self.describe()})"


#: What the API accepts wherever keys are wanted.
KeysLike = Verifier | SigningKey | Iterable[Verifier | SigningKey] | Keyring


def as_keyring(keys: KeysLike) -> Keyring:
    """Normalise a key, a list of keys, or a :class:`Keyring` into a :class:`Keyring`."""
    if isinstance(keys, Keyring):
        return keys
    from safeload.signing.ecdsa import ECDSASigningKey, ECDSAVerifyKey

    if isinstance(keys, (VerifyKey, HMACKey, SigningKey, ECDSAVerifyKey, ECDSASigningKey)):
        return Keyring([keys])
    if isinstance(keys, (str, bytes, os.PathLike)):
        raise KeyFormatError(
            "keys must be key objects, not paths; use VerifyKey.from_file(...) or "
            "Keyring.from_dir(...)"
        )
    return Keyring(keys)  # type: ignore[arg-type]


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
