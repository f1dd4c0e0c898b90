"""An independent DSSE implementation (securesystemslib) accepts safeload's Ed25519 envelopes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safeload import SigningKey, dump
from safeload.sidecar import PAYLOAD_TYPE, pae

dsse = pytest.importorskip("securesystemslib.dsse")
signer_mod = pytest.importorskip("securesystemslib.signer")


def _sslib_key(key: SigningKey) -> object:
    crypto_pub = key.public_key._key  # the cryptography Ed25519PublicKey
    return signer_mod.SSlibKey.from_crypto(crypto_pub, keyid=key.keyid)


def test_securesystemslib_verifies_a_safeload_sidecar(tmp_path: Path) -> None:
    key = SigningKey.generate()
    sig = dump({"w": [1.0]}, tmp_path / "m.joblib", key)
    envelope = dsse.Envelope.from_dict(json.loads(sig.read_text()))
    assert envelope.payload_type == PAYLOAD_TYPE
    assert envelope.pae() == pae(PAYLOAD_TYPE, envelope.payload)
    accepted = envelope.verify([_sslib_key(key)], 1)
    assert key.keyid in accepted
    statement = json.loads(envelope.payload)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["subject"][0]["name"] == "m.joblib"


def test_securesystemslib_rejects_a_tampered_payload(tmp_path: Path) -> None:
    from securesystemslib.exceptions import VerificationError

    key = SigningKey.generate()
    sig = dump({"w": [1.0]}, tmp_path / "m.joblib", key)
    doc = json.loads(sig.read_text())
    envelope = dsse.Envelope.from_dict(doc)
    envelope.payload = envelope.payload.replace(b"m.joblib", b"x.joblib")
    with pytest.raises(VerificationError):
        envelope.verify([_sslib_key(key)], 1)
