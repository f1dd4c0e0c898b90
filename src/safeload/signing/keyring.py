"""Keyrings: the trusted keys, how many must have signed, expiry and revocation.

A keyring holds only pinned key objects of a known algorithm (:func:`_pinned`); it is built
from key objects, a directory of ``*.pub`` files or a JSON keyring file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

from safeload._json_keys import unique_object
from safeload._time import parse_time
from safeload.exceptions import KeyFormatError
from safeload.signing.ecdsa import (
    ECDSASigningKey,
    ECDSAVerifyKey,
    load_public_key,
    public_key_from_pem,
)
from safeload.signing.hmac_key import HMACKey
from safeload.signing.keyfiles import read_key_file
from safeload.signing.keys import SigningKey, Verifier, VerifyKey

__all__ = ["Keyring", "KeysLike", "as_keyring"]


def _pinned(key: object) -> Verifier:
    """The verification key for ``key``: a pinned key object of a known algorithm (Ed25519,
    ECDSA, HMAC), or a signing key's public half. Anything else, e.g. a caller's own object
    claiming some ``algorithm``, is refused: the algorithm comes from the key's class."""
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


def _not_after_by_keyid(
    not_after: Mapping[str, datetime], keys: Mapping[str, Verifier]
) -> dict[str, datetime]:
    """``not_after`` keyed by key id. A key may be named as ``revoked`` names it: by its full
    key id or its SHA-256 SPKI fingerprint. Any other name (a short id, a typo, a key the
    keyring does not hold) is refused: it would retire nothing, silently, and a key meant to
    have expired would stay trusted (red team 45, rt45-10). A time without a time zone is
    refused too (comparing it with the verification time would fail at every load)."""
    if not isinstance(not_after, Mapping):
        raise KeyFormatError("not_after must map key ids to times")
    by_name: dict[str, str] = {}
    for keyid, key in keys.items():
        for name in _fingerprints(key):
            by_name[name] = keyid
    limits: dict[str, datetime] = {}
    for name, limit in not_after.items():
        found = by_name.get(name) if isinstance(name, str) else None
        if found is None:
            raise KeyFormatError(
                f"not_after names {name!r}, which is none of the keyring's keys (give the full "
                "key id, 64 lower-case hex digits as `safeload inspect` shows it, or the "
                "SHA-256 fingerprint of its SubjectPublicKeyInfo); it would retire nothing"
            )
        keyid = found
        if not isinstance(limit, datetime) or limit.tzinfo is None:
            raise KeyFormatError(f"not_after of {keyid} is {limit!r}, not a time with a zone")
        if keyid in limits and limits[keyid] != limit:
            raise KeyFormatError(f"not_after gives key {keyid} two different times")
        limits[keyid] = limit
    return limits


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
        limits = _not_after_by_keyid(not_after or {}, {**unique, **revoked_keys})
        init = object.__setattr__
        init(self, "_keys", unique)
        init(self, "_threshold", threshold)
        init(self, "_not_after", MappingProxyType(limits))
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
        p = Path(path)
        raw = read_key_file(p)
        try:
            # a field named twice would keep its last value silently (a second "revoked": []
            # dropped the revocations before it, rt46-06)
            doc = json.loads(raw.decode("utf-8"), object_pairs_hook=unique_object)
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
                if any(k.keyid == key.keyid for k in keys):
                    # its entries could disagree, and one would win silently (a second entry
                    # trusting until 2099 undid the first's expiry in 2020, rt46-06)
                    raise ValueError(f"the key {key.keyid} is listed twice")
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
    if isinstance(keys, (VerifyKey, HMACKey, SigningKey, ECDSAVerifyKey, ECDSASigningKey)):
        return Keyring([keys])
    if isinstance(keys, (str, bytes, os.PathLike)):
        raise KeyFormatError(
            "keys must be key objects, not paths; use VerifyKey.from_file(...) or "
            "Keyring.from_dir(...)"
        )
    return Keyring(keys)  # type: ignore[arg-type]
