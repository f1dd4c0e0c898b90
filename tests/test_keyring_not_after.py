"""A keyring's ``not_after`` names keys as ``revoked`` does, and refuses what names none."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pytest

import safeload
from safeload import Keyring, SigningKey
from safeload.exceptions import KeyFormatError, RetiredKeyError

PAST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)


def _signed(tmp_path: Path) -> tuple[Path, SigningKey]:
    key = SigningKey.generate()
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps({"a": 1}))
    safeload.sign(path, key)
    return path, key


def _spki_fingerprint(key: SigningKey) -> str:
    import hashlib

    from cryptography.hazmat.primitives import serialization

    public = serialization.load_pem_public_key(key.public_key.to_pem())
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def test_not_after_by_fingerprint_retires_the_key(tmp_path: Path) -> None:
    path, key = _signed(tmp_path)
    ring = Keyring([key.public_key], not_after={_spki_fingerprint(key): PAST})
    assert dict(ring.not_after) == {key.public_key.keyid: PAST}
    with pytest.raises(RetiredKeyError):
        safeload.load(path, ring)


def test_not_after_in_the_future_loads(tmp_path: Path) -> None:
    path, key = _signed(tmp_path)
    assert safeload.load(path, Keyring([key.public_key], not_after={key.keyid: FUTURE})) == {"a": 1}


@pytest.mark.parametrize("how", ["short", "typo", "other-key", "upper-case"])
def test_not_after_naming_no_key_is_refused(how: str) -> None:
    key = SigningKey.generate()
    name = {
        "short": key.keyid[:16],
        "typo": key.keyid[:-1] + ("0" if key.keyid[-1] != "0" else "1"),
        "other-key": SigningKey.generate().keyid,
        "upper-case": key.keyid.upper(),
    }[how]
    with pytest.raises(KeyFormatError, match="none of the keyring's keys"):
        Keyring([key.public_key], not_after={name: PAST})


def test_not_after_without_a_time_zone_is_refused() -> None:
    key = SigningKey.generate()
    with pytest.raises(KeyFormatError, match="zone"):
        Keyring([key.public_key], not_after={key.keyid: dt.datetime(2000, 1, 1)})


@pytest.mark.parametrize("case", ["key twice", "field twice"])
def test_keyring_file_refuses_what_it_would_read_twice(case: str, tmp_path: Path) -> None:
    """rt46-06: a key listed twice (retired in 2000 by one entry, trusted until 2999 by the
    other) or a field named twice (``"revoked"`` given, then given empty) kept one of them
    silently."""
    import json

    key = SigningKey.generate()
    pem = json.dumps(key.public_key.to_pem().decode())
    if case == "key twice":
        text = (
            f'{{"keys": [{{"public_key": {pem}, "not_after": "2000-01-01T00:00:00Z"}}, '
            f'{{"public_key": {pem}, "not_after": "2999-01-01T00:00:00Z"}}]}}'
        )
    else:
        other = json.dumps(SigningKey.generate().public_key.to_pem().decode())
        text = (
            f'{{"keys": [{{"public_key": {pem}}}, {{"public_key": {other}}}], '
            f'"revoked": ["{key.keyid}"], "revoked": []}}'
        )
    ring = tmp_path / "ring.json"
    ring.write_text(text)
    with pytest.raises(KeyFormatError, match="twice"):
        Keyring.from_file(ring)
