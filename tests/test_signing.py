"""Verification rules: every way a signature can be wrong fails, with one opaque message."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from safeload import (
    HMACKey,
    InconsistentVersionWarning,
    InvalidSignatureError,
    Keyring,
    MissingSignatureError,
    SidecarFormatError,
    SignatureError,
    SigningKey,
    dump,
    dumps,
    load,
    loads,
    sign,
    verify,
)
from safeload.sidecar import Envelope, Signature, parse_envelope, parse_statement
from safeload.signing import VerifiedArtifact, sign_bytes, verify_bytes

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _payload(ed_key: SigningKey, obj: Any = None) -> tuple[bytes, bytes]:
    return dumps(obj if obj is not None else {"w": [1.0, 2.0]}, ed_key)


def _message(exc: pytest.ExceptionInfo[SignatureError]) -> str:
    return str(exc.value)


def test_roundtrip_ed25519_and_hmac(ed_key: SigningKey, hmac_key: HMACKey) -> None:
    for key, verifier in ((ed_key, ed_key.public_key), (hmac_key, hmac_key)):
        payload, sidecar = dumps({"a": 1}, key)
        assert loads(payload, sidecar, verifier) == {"a": 1}


def test_verified_artifact_cannot_be_forged() -> None:
    with pytest.raises(TypeError, match="only"):
        VerifiedArtifact(b"x", "x", None, ())  # type: ignore[arg-type]


def test_one_opaque_message_for_crypto_failures(ed_key: SigningKey, other_key: SigningKey) -> None:
    payload, sidecar = _payload(ed_key)
    messages = set()
    flipped = bytearray(payload)
    flipped[len(flipped) // 2] ^= 0x01
    env = parse_envelope(sidecar)
    short_sig = Envelope(
        env.payload,
        env.payload_type,
        (Signature(env.signatures[0].keyid, env.signatures[0].sig[:-1]),),
    )
    _, wrong_signer = dumps({"w": [1.0, 2.0]}, other_key)
    cases = [
        (payload, wrong_signer, ed_key.public_key),  # signed by a key we do not trust
        (bytes(flipped), sidecar, ed_key.public_key),  # flipped byte
        (payload[:-1], sidecar, ed_key.public_key),  # truncated
        (payload + b"\x00", sidecar, ed_key.public_key),  # appended
        (payload, short_sig.to_json(), ed_key.public_key),  # truncated signature
    ]
    for data, sc, key in cases:
        with pytest.raises(SignatureError) as exc:
            loads(data, sc, key, name="m.pkl")
        # one opaque class for every byte-level failure (a SignatureError)
        assert type(exc.value) is InvalidSignatureError
        messages.add(_message(exc))
    assert len(messages) == 1
    (msg,) = messages
    assert "m.pkl" in msg and "keyring" in msg


def test_changed_predicate_fails(ed_key: SigningKey) -> None:
    payload, sidecar = _payload(ed_key)
    env = parse_envelope(sidecar)
    doc = json.loads(env.payload)
    doc["predicate"]["version"] = "9.9"
    forged = Envelope(json.dumps(doc).encode(), env.payload_type, env.signatures)
    with pytest.raises(SignatureError, match="verification failed"):
        loads(payload, forged.to_json(), ed_key.public_key)


def test_sidecar_from_another_file(tmp_path: Path, ed_key: SigningKey) -> None:
    dump({"model": "a"}, tmp_path / "a.pkl", ed_key)
    dump({"model": "b"}, tmp_path / "b.pkl", ed_key)
    (tmp_path / "b.pkl.sig").write_bytes((tmp_path / "a.pkl.sig").read_bytes())
    with pytest.raises(SignatureError, match="verification failed"):
        load(tmp_path / "b.pkl", ed_key.public_key)
    # Same bytes under another name: the name binding catches the swap.
    (tmp_path / "c.pkl").write_bytes((tmp_path / "a.pkl").read_bytes())
    (tmp_path / "c.pkl.sig").write_bytes((tmp_path / "a.pkl.sig").read_bytes())
    with pytest.raises(SignatureError, match="signed under the name 'a.pkl'"):
        load(tmp_path / "c.pkl", ed_key.public_key)
    assert load(tmp_path / "c.pkl", ed_key.public_key, allow_rename=True) == {"model": "a"}


def test_missing_and_garbled_sidecar(tmp_path: Path, ed_key: SigningKey) -> None:
    path = tmp_path / "m.joblib"
    dump([1, 2], path, ed_key)
    sig = path.with_name("m.joblib.sig")
    good = sig.read_bytes()
    sig.unlink()
    with pytest.raises(MissingSignatureError, match="m.joblib"):
        load(path, ed_key.public_key)
    with pytest.raises(MissingSignatureError):
        verify(path, ed_key.public_key)
    for garbage in (b"", b"{", b"\xff\xfe", b"[]", good[: len(good) // 2], b"x" * (2 << 20)):
        sig.write_bytes(garbage)
        with pytest.raises(SidecarFormatError, match="m.joblib.sig"):
            load(path, ed_key.public_key)


def _hmac_over(secret: bytes, env: Envelope) -> bytes:
    return hmac.new(secret, env.pae(), hashlib.sha256).digest()


def test_algorithm_confusion(ed_key: SigningKey, hmac_key: HMACKey) -> None:
    """The algorithm comes from the pinned key. Public-key bytes used as an HMAC secret (the
    PyJWT-style attack) never verify against the Ed25519 key, and HMAC never checks Ed25519."""
    payload, sidecar = _payload(ed_key)
    env = parse_envelope(sidecar)
    pub = ed_key.public_key
    for secret in (pub.raw, pub.to_pem()):
        forged = Envelope(
            env.payload, env.payload_type, (Signature(pub.keyid, _hmac_over(secret, env)),)
        )
        with pytest.raises(SignatureError, match="verification failed"):
            loads(payload, forged.to_json(), pub)
    # An HMAC key never accepts an Ed25519 signature, even one labelled with its key id.
    relabelled = Envelope(
        env.payload, env.payload_type, (Signature(hmac_key.keyid, env.signatures[0].sig),)
    )
    with pytest.raises(SignatureError):
        loads(payload, relabelled.to_json(), hmac_key)
    # And an Ed25519 key never accepts an HMAC.
    hp, hs = dumps({"w": [1.0, 2.0]}, hmac_key)
    with pytest.raises(SignatureError):
        loads(hp, hs, pub)
    # The sidecar has no way to name an algorithm: an "alg" field is a format error.
    doc = json.loads(sidecar)
    doc["signatures"][0]["alg"] = "HS256"
    with pytest.raises(SidecarFormatError, match="unknown field"):
        loads(payload, json.dumps(doc).encode(), pub)


def test_keyid_is_only_a_hint(ed_key: SigningKey, other_key: SigningKey) -> None:
    """A hint never grants trust: it can only rule a key out. An empty hint lets every
    trusted key be tried; a hint naming another key (an edited sidecar) fails."""
    payload, sidecar = _payload(ed_key)
    env = parse_envelope(sidecar)
    sig = env.signatures[0].sig
    empty = Envelope(env.payload, env.payload_type, (Signature("", sig),))
    assert loads(payload, empty.to_json(), ed_key.public_key) == {"w": [1.0, 2.0]}
    ring = Keyring([other_key.public_key, ed_key.public_key])
    assert loads(payload, empty.to_json(), ring) == {"w": [1.0, 2.0]}
    for hint in ("0" * 64, "someone-else", other_key.keyid):
        relabelled = Envelope(env.payload, env.payload_type, (Signature(hint, sig),))
        with pytest.raises(SignatureError):
            loads(payload, relabelled.to_json(), ring)
    # A matching key id on a bad signature earns nothing.
    fake = Envelope(env.payload, env.payload_type, (Signature(ed_key.keyid, b"\x00" * 64),))
    with pytest.raises(SignatureError):
        loads(payload, fake.to_json(), ed_key.public_key)


def test_sidecar_layout_is_bound(ed_key: SigningKey) -> None:
    """Signatures cover the payload (DSSE); the exact layout is required so that every byte of
    the .sig matters."""
    from safeload import SidecarFormatError

    payload, sidecar = _payload(ed_key)
    for edited in (
        sidecar + b"\n",
        sidecar[:-1],
        sidecar.replace(b'  "', b'   "', 1),
        json.dumps(json.loads(sidecar)).encode(),
    ):
        with pytest.raises(SidecarFormatError, match="exact layout"):
            loads(payload, edited, ed_key.public_key)


def test_expiry_uses_injected_time(ed_key: SigningKey) -> None:
    expires = NOW + timedelta(days=30)
    payload, sidecar = dumps([1], ed_key, expires=expires)
    assert loads(payload, sidecar, ed_key.public_key, now=NOW) == [1]
    with pytest.raises(SignatureError, match="expired at 2026-07-01T00:00:00Z"):
        loads(payload, sidecar, ed_key.public_key, now=expires)
    with pytest.raises(ValueError, match="timezone-aware"):
        dumps([1], ed_key, expires=datetime(2030, 1, 1))


def test_threshold_counts_distinct_keys(ed_key: SigningKey, other_key: SigningKey) -> None:
    third = SigningKey.generate()
    ring = Keyring([ed_key.public_key, other_key.public_key, third.public_key], threshold=2)
    one_payload, one_sidecar = dumps([1], ed_key)
    with pytest.raises(SignatureError):
        loads(one_payload, one_sidecar, ring)
    # The same key signing twice still counts once.
    env = parse_envelope(one_sidecar)
    dup = Envelope(
        env.payload, env.payload_type, (*env.signatures, Signature("", env.signatures[0].sig))
    )
    with pytest.raises(SignatureError):
        loads(one_payload, dup.to_json(), ring)
    payload, sidecar = dumps([1], [ed_key, other_key])
    assert loads(payload, sidecar, ring) == [1]
    # An untrusted second signer does not help reach the threshold.
    payload, sidecar = dumps([1], [ed_key, SigningKey.generate()])
    with pytest.raises(SignatureError):
        loads(payload, sidecar, ring)


def test_sign_existing_file_and_append(
    tmp_path: Path, ed_key: SigningKey, other_key: SigningKey
) -> None:
    path = tmp_path / "model.pkl"
    import pickle

    path.write_bytes(pickle.dumps({"k": 1}))
    sign(path, ed_key, version="1.0")
    st = verify(path, ed_key.public_key)
    assert st.predicate.format == "pickle" and st.predicate.version == "1.0"
    ring = Keyring([ed_key.public_key, other_key.public_key], threshold=2)
    with pytest.raises(SignatureError):
        verify(path, ring)
    sign(path, other_key, append=True, keys=ed_key.public_key)
    assert verify(path, ring).subject.name == "model.pkl"
    assert len(parse_envelope(path.with_name("model.pkl.sig").read_bytes()).signatures) == 2


def test_version_mismatch_warns(ed_key: SigningKey) -> None:
    data = b"\x80\x05K\x01."
    env = sign_bytes(
        data, ed_key, name="x.pkl", format="pickle", env={"scikit-learn": "0.0.1", "python": "3.0"}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        art = verify_bytes(data, env.to_json(), ed_key.public_key, name="x.pkl")
    assert art.statement.predicate.environment["scikit-learn"] == "0.0.1"
    msgs = [str(w.message) for w in caught if w.category is InconsistentVersionWarning]
    assert msgs and "scikit-learn 0.0.1" in msgs[0]


def test_recorded_size_and_metadata(ed_key: SigningKey) -> None:
    payload, sidecar = dumps([1, 2, 3], ed_key, version="2.1")
    st = parse_statement(parse_envelope(sidecar).payload)
    assert st.predicate.size == len(payload)
    assert st.subject.sha256 == hashlib.sha256(payload).hexdigest()
    assert st.predicate.version == "2.1"
    for dist in ("python", "scikit-learn", "joblib", "numpy", "safeload"):
        assert dist in st.predicate.environment
    assert base64.b64decode(json.loads(sidecar)["payload"]) == parse_envelope(sidecar).payload


def test_verified_artifact_cannot_be_rebuilt_around_other_bytes(ed_key: SigningKey) -> None:
    """Issue 14, item 10: ``dataclasses.replace(verified, data=other)`` copied the private
    token into a VerifiedArtifact holding bytes that were never verified. It is no longer a
    dataclass, and it cannot be changed, copied or pickled."""
    import copy
    import dataclasses
    import pickle as pickle_module

    payload, sidecar = dumps({"a": 1}, ed_key)
    verified = verify_bytes(payload, sidecar, ed_key.public_key, name="payload")
    assert verified.data == payload
    evil = pickle_module.dumps({"a": 2})
    with pytest.raises(TypeError):
        dataclasses.replace(verified, data=evil)  # type: ignore[type-var]
    for attempt in (copy.copy, copy.deepcopy, pickle_module.dumps):
        with pytest.raises(TypeError):
            attempt(verified)
    with pytest.raises(AttributeError):
        verified.data = evil  # type: ignore[misc]
    with pytest.raises(AttributeError):
        object.__setattr__(verified, "other", evil)
    assert verified.data == payload
    with pytest.raises(TypeError, match="only"):
        VerifiedArtifact(evil, "payload", verified.statement, verified.keyids)


def test_missing_approval_is_told_apart_from_tampering(
    ed_key: SigningKey, other_key: SigningKey
) -> None:
    """Threshold 2 with one valid signature over the exact bytes: "1 of 2", not tampering."""
    from safeload import InsufficientSignaturesError, InvalidSignatureError

    ring = Keyring([ed_key.public_key, other_key.public_key], threshold=2)
    payload, sidecar = _payload(ed_key)
    with pytest.raises(InsufficientSignaturesError, match="1 of 2 required signatures") as exc:
        loads(payload, sidecar, ring)
    assert (exc.value.have, exc.value.need) == (1, 2)
    assert "was changed" not in str(exc.value)
    tampered = bytearray(payload)
    tampered[-2] ^= 1
    with pytest.raises(InvalidSignatureError, match="was changed") as opaque:
        loads(bytes(tampered), sidecar, ring)
    assert not isinstance(opaque.value, InsufficientSignaturesError)
    with pytest.raises(InvalidSignatureError, match="was changed"):
        loads(payload, sidecar, Keyring([SigningKey.generate().public_key]))


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_signed_by_a_retired_key_is_told_apart_from_tampering(
    ed_key: SigningKey, other_key: SigningKey, how: str
) -> None:
    from safeload import InvalidSignatureError, RetiredKeyError

    keys = [ed_key.public_key, other_key.public_key]
    if how == "revoked":
        ring = Keyring(keys, revoked=[ed_key.keyid])
        reason = "revoked"
    else:
        ring = Keyring(keys, not_after={ed_key.keyid: NOW - timedelta(days=1)})
        reason = "not_after"
    payload, sidecar = _payload(ed_key)
    with pytest.raises(RetiredKeyError, match=reason) as exc:
        loads(payload, sidecar, ring, now=NOW)
    assert exc.value.keyids == (ed_key.keyid,)
    with pytest.raises(InvalidSignatureError):
        loads(payload + b"x", sidecar, ring, now=NOW)


def test_folder_missing_approval_is_told_apart(
    tmp_path: Path, ed_key: SigningKey, other_key: SigningKey
) -> None:
    from safeload import InsufficientSignaturesError, InvalidSignatureError

    d = tmp_path / "m"
    d.mkdir()
    (d / "a.txt").write_text("a")
    sign(d, ed_key)
    ring = Keyring([ed_key.public_key, other_key.public_key], threshold=2)
    with pytest.raises(InsufficientSignaturesError, match="1 of 2"):
        verify(d, ring)
    (d / "a.txt").write_text("b")
    with pytest.raises(InvalidSignatureError):
        verify(d, ring)


def test_concurrent_appends_lose_no_approval(
    tmp_path: Path, ed_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight `sign --append` at once: every approval is in the sidecar afterwards."""
    import threading
    import time

    from safeload import api

    path = tmp_path / "m.pkl"
    dump([1], path, ed_key)
    real = api.add_signature

    def slow(envelope: Envelope, signer: Any) -> Envelope:
        time.sleep(0.05)  # widen the read-modify-write window
        return real(envelope, signer)

    monkeypatch.setattr(api, "add_signature", slow)
    approvers = [SigningKey.generate() for _ in range(8)]
    errors: list[BaseException] = []

    def approve(key: SigningKey) -> None:
        try:
            sign(path, key, append=True, keys=ed_key.public_key)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(k,)) for k in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    keyids = {s.keyid for s in parse_envelope(Path(str(path) + ".sig").read_bytes()).signatures}
    assert keyids == {ed_key.keyid, *(k.keyid for k in approvers)}
    ring = Keyring([ed_key.public_key, *(k.public_key for k in approvers)], threshold=9)
    assert verify(path, ring).predicate.format == "pickle"


def test_append_fails_when_the_sidecar_changes_underneath(
    tmp_path: Path, ed_key: SigningKey, other_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that does not take the lock: the append fails rather than drop its change."""
    from safeload import MalformedArtifactError, api

    path = tmp_path / "m.pkl"
    dump([1], path, ed_key)
    real = api.add_signature

    def meanwhile(envelope: Envelope, signer: Any) -> Envelope:
        Path(str(path) + ".sig").write_bytes(dumps([1], other_key)[1])
        return real(envelope, signer)

    monkeypatch.setattr(api, "add_signature", meanwhile)
    with pytest.raises(MalformedArtifactError, match="changed while a signature was being added"):
        sign(path, other_key, append=True, keys=ed_key.public_key)
