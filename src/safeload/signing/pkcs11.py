"""Sign with an ECDSA or Ed25519 key held in a PKCS#11 token (HSM, smart card, SoftHSM2).

The private key never leaves the token. For ECDSA, safeload hashes the message with the hash of
the key's curve and asks the token for a raw ``CKM_ECDSA`` signature over that digest, then
DER-encodes it; for Ed25519 the token signs the message itself (``CKM_EDDSA``). The signer's
public key is read from the token's public-key object with the same label (or id), so verifiers
pin an ordinary ECDSA or Ed25519 public key.

Keys are named by an RFC 7512 PKCS#11 URI::

    pkcs11:token=release;object=model-signing?module-path=/usr/lib/softhsm/libsofthsm2.so

``token`` and ``object`` (or ``id``) select the key; ``module-path`` the PKCS#11 library. A PIN in
the URI (``pin-value``, ``pin-source``) is refused: the caller passes it (the CLI reads it from
``$SAFELOAD_PKCS11_PIN``), so it never shows in a process list or shell history.

Needs the ``python-pkcs11`` package (``pip install safeload[pkcs11]``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from cryptography.hazmat.primitives.serialization import load_der_public_key

from safeload.exceptions import KeyFormatError
from safeload.signing.ecdsa import PublicKey, wrap_public_key
from safeload.signing.keys import VerifyKey

__all__ = ["PKCS11Signer", "PKCS11URI", "parse_pkcs11_uri"]

_PATH_ATTRS = {"token", "object", "id", "type", "manufacturer", "model", "serial", "slot-id"}
_QUERY_ATTRS = {"module-path", "module-name"}
_HASHES = {"ecdsa-p256": hashlib.sha256, "ecdsa-p384": hashlib.sha384, "ecdsa-p521": hashlib.sha512}


@dataclass(frozen=True)
class PKCS11URI:
    """The parts of a PKCS#11 URI safeload uses."""

    module_path: str
    token: str
    object: str | None = None
    id: bytes | None = None


def parse_pkcs11_uri(uri: str) -> PKCS11URI:
    """Parse ``pkcs11:token=...;object=...?module-path=...`` (RFC 7512)."""
    if not uri.startswith("pkcs11:"):
        raise KeyFormatError("a PKCS#11 key URI starts with 'pkcs11:'")
    body = uri[len("pkcs11:") :]
    path, _, query = body.partition("?")
    attrs: dict[str, str] = {}
    raw: dict[str, bytes] = {}
    for part, allowed in ((path, _PATH_ATTRS), (query, _QUERY_ATTRS)):
        sep = ";" if part is path else "&"
        for item in filter(None, part.split(sep)):
            name, eq, value = item.partition("=")
            if name in ("pin-value", "pin-source"):
                raise KeyFormatError(
                    "a PIN in the PKCS#11 URI would show in process lists and shell history; "
                    "remove it and set SAFELOAD_PKCS11_PIN (CLI) or pass pin= instead"
                )
            if not eq or name not in allowed:
                raise KeyFormatError(f"PKCS#11 URI: unsupported attribute {name!r} in {uri!r}")
            if name in attrs:
                raise KeyFormatError(f"PKCS#11 URI: {name!r} given twice")
            raw[name] = unquote_to_bytes(value)
            try:
                attrs[name] = "" if name == "id" else raw[name].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise KeyFormatError(f"PKCS#11 URI: {name} is not UTF-8 text") from exc
    if "module-path" not in attrs or "token" not in attrs:
        raise KeyFormatError(
            "a PKCS#11 key URI needs token=... and ?module-path=... (the PKCS#11 library), e.g. "
            "pkcs11:token=T;object=K?module-path=/usr/lib/softhsm/libsofthsm2.so"
        )
    if "object" not in attrs and "id" not in attrs:
        raise KeyFormatError("a PKCS#11 key URI needs object=LABEL or id=%XX... to pick the key")
    if attrs.get("type", "private") not in ("private", "public"):
        raise KeyFormatError("PKCS#11 URI: type must be private")
    return PKCS11URI(attrs["module-path"], attrs["token"], attrs.get("object"), raw.get("id"))


class PKCS11Signer:
    """A :class:`~safeload.PublicKeySigner` whose ECDSA or Ed25519 private key stays inside a
    PKCS#11 token.

    Opens a session per signature (so a long-lived signer holds no session), logging in with
    ``pin``. ``public_key`` is the token's matching public key (:class:`ECDSAVerifyKey` or
    :class:`~safeload.VerifyKey`). model_signing bundles need an ECDSA key.
    """

    def __init__(self, uri: PKCS11URI, *, pin: str | None) -> None:
        try:
            import pkcs11
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise KeyFormatError(
                "PKCS#11 signing needs the python-pkcs11 package: pip install safeload[pkcs11]"
            ) from exc
        if pin is None:
            raise KeyFormatError(
                "no PIN for the PKCS#11 token: set SAFELOAD_PKCS11_PIN (CLI) or pass pin="
            )
        self._pkcs11: Any = pkcs11
        self._uri = uri
        self._pin = pin
        try:
            self._token = pkcs11.lib(uri.module_path).get_token(token_label=uri.token)
        except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
            raise KeyFormatError(
                f"cannot open PKCS#11 token {uri.token!r} with {uri.module_path}: "
                f"{type(exc).__name__} {exc}"
            ) from exc
        self._public = self._read_public()

    @classmethod
    def from_uri(cls, uri: str, *, pin: str | None) -> PKCS11Signer:
        """A signer for the key a PKCS#11 URI names."""
        return cls(parse_pkcs11_uri(uri), pin=pin)

    def _find(self, session: Any, object_class: Any) -> Any:
        pk = self._pkcs11
        query: dict[Any, Any] = {pk.Attribute.CLASS: object_class}
        if self._uri.object is not None:
            query[pk.Attribute.LABEL] = self._uri.object
        if self._uri.id is not None:
            query[pk.Attribute.ID] = self._uri.id
        found = list(session.get_objects(query))
        if len(found) != 1:
            raise KeyFormatError(
                f"PKCS#11 token {self._uri.token!r}: expected one {object_class.name} object "
                f"matching {self._describe()}, found {len(found)}"
            )
        return found[0]

    def _describe(self) -> str:
        parts = []
        if self._uri.object is not None:
            parts.append(f"object={self._uri.object}")
        if self._uri.id is not None:
            parts.append(f"id={self._uri.id.hex()}")
        return ";".join(parts)

    def _session(self) -> Any:
        pk = self._pkcs11
        try:
            return self._token.open(user_pin=self._pin)
        except pk.PKCS11Error as exc:
            raise KeyFormatError(
                f"cannot log in to PKCS#11 token {self._uri.token!r} (wrong PIN?): "
                f"{type(exc).__name__}"
            ) from exc

    def _read_public(self) -> PublicKey:
        from pkcs11.util.ec import encode_ec_public_key

        pk = self._pkcs11
        with self._session() as session:
            obj = self._find(session, pk.ObjectClass.PUBLIC_KEY)
            if obj.key_type == pk.KeyType.EC_EDWARDS:
                point = bytes(obj[pk.Attribute.EC_POINT])
                # CKA_EC_POINT of an Edwards key: the 32 key bytes, DER OCTET STRING or bare
                raw = point[2:] if len(point) == 34 and point[:2] == b"\x04\x20" else point
                try:
                    return VerifyKey.from_bytes(raw)
                except KeyFormatError as exc:
                    raise KeyFormatError(
                        f"PKCS#11 key {self._describe()} is an Edwards key but not Ed25519"
                    ) from exc
            if obj.key_type != pk.KeyType.EC:
                raise KeyFormatError(
                    f"PKCS#11 key {self._describe()} is {obj.key_type.name}; safeload signs "
                    "with ECDSA and Ed25519 keys from tokens"
                )
            return wrap_public_key(load_der_public_key(encode_ec_public_key(obj)))

    @property
    def public_key(self) -> PublicKey:
        """The token key's public half (what verifiers pin)."""
        return self._public

    @property
    def keyid(self) -> str:
        """The public key's id."""
        return self._public.keyid

    @property
    def algorithm(self) -> str:
        """``ecdsa-p256``, ``ecdsa-p384``, ``ecdsa-p521`` or ``ed25519``, from the token's key."""
        return self._public.algorithm

    def sign(self, message: bytes) -> bytes:
        """DER ECDSA (or raw Ed25519) signature over ``message``, made inside the token."""
        from pkcs11.util.ec import encode_ecdsa_signature

        pk = self._pkcs11
        with self._session() as session:
            key = self._find(session, pk.ObjectClass.PRIVATE_KEY)
            if isinstance(self._public, VerifyKey):
                der: bytes = bytes(key.sign(message, mechanism=pk.Mechanism.EDDSA))
            else:
                digest = _HASHES[self.algorithm](message).digest()
                der = encode_ecdsa_signature(key.sign(digest, mechanism=pk.Mechanism.ECDSA))
        if not self._public.verify(message, der):  # a token that signs wrongly fails here
            raise KeyFormatError(
                f"PKCS#11 key {self._describe()} made a signature its public key does not verify"
            )
        return der

    def __repr__(self) -> str:
        return f"PKCS11Signer(token={self._uri.token!r}, {self._describe()})"
