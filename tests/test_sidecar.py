"""The sidecar format: strict parsing, exact bytes, and golden vectors for format v1."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from safeload import HMACKey, SidecarFormatError, SigningKey, VerifyKey, dumps, load, verify
from safeload.sidecar import (
    PAYLOAD_TYPE,
    PREDICATE_TYPE,
    Envelope,
    pae,
    parse_envelope,
    parse_statement,
)

VECTORS = Path(__file__).parent / "vectors"


def test_pae_matches_dsse_spec() -> None:
    # The DSSE spec's own example: PAE("http://example.com/HelloWorld", "hello world").
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


def _doc(ed_key: SigningKey) -> dict[str, Any]:
    _, sidecar = dumps([1], ed_key)
    result: dict[str, Any] = json.loads(sidecar)
    return result


def _statement(ed_key: SigningKey) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(base64.b64decode(_doc(ed_key)["payload"]))
    return result


def _bad_envelopes(ed_key: SigningKey) -> list[bytes]:
    good = _doc(ed_key)
    cases: list[bytes] = []

    def variant(**changes: Any) -> None:
        d = json.loads(json.dumps(good))
        d.update(changes)
        cases.append(json.dumps(d).encode())

    variant(payloadType="application/json")
    variant(payload=good["payload"] + "=")
    variant(payload="not base64!")
    variant(payload=good["payload"].rstrip("=") if "=" in good["payload"] else "QQ")
    variant(signatures=[])
    variant(signatures={})
    variant(signatures=[{"keyid": 5, "sig": good["signatures"][0]["sig"]}])
    variant(signatures=[{"keyid": "x"}])
    variant(signatures=[{"keyid": "x", "sig": ""}])
    variant(extra=1)
    d = dict(good)
    del d["payloadType"]
    cases.append(json.dumps(d).encode())
    text = json.dumps(good)
    cases.append(('{"payloadType": "x", ' + text[1:]).encode())  # duplicate key
    cases.append(text.encode("utf-16"))
    cases.append(text.replace('"signatures"', '"signatures", "n": NaN, "m"').encode())
    cases.append(b"[" * 100_000)
    return cases


def test_strict_envelope_parser(ed_key: SigningKey) -> None:
    for case in _bad_envelopes(ed_key):
        with pytest.raises(SidecarFormatError):
            parse_envelope(case, source="x.sig")


def _bad_statements(ed_key: SigningKey) -> list[bytes]:
    good = _statement(ed_key)
    out = []

    def mutate(fn: Any) -> None:
        d = json.loads(json.dumps(good))
        fn(d)
        out.append(json.dumps(d).encode())

    mutate(lambda d: d.update(predicateType="https://example.com/other/v1"))
    mutate(lambda d: d.update(_type="https://in-toto.io/Statement/v0.1"))
    mutate(lambda d: d.update(subject=[]))
    mutate(lambda d: d.update(subject=d["subject"] * 2))
    mutate(lambda d: d["subject"][0].update(name="../etc/passwd"))
    mutate(lambda d: d["subject"][0]["digest"].update(sha256="ABC"))
    mutate(lambda d: d["subject"][0]["digest"].update(sha512="00"))
    mutate(lambda d: d["predicate"].update(format="torch"))
    mutate(lambda d: d["predicate"].update(size=-1))
    mutate(lambda d: d["predicate"].update(size=True))
    mutate(lambda d: d["predicate"].update(size="12"))
    mutate(lambda d: d["predicate"].update(created="yesterday"))
    mutate(lambda d: d["predicate"].update(expires="2026-01-01"))
    mutate(lambda d: d["predicate"].update(surprise=1))
    mutate(lambda d: d["predicate"].pop("created"))
    mutate(lambda d: d["predicate"].update(environment={"numpy": 2}))
    out.append(b"\xff not utf-8")
    return out


def test_strict_statement_parser(ed_key: SigningKey) -> None:
    for case in _bad_statements(ed_key):
        with pytest.raises(SidecarFormatError):
            parse_statement(case, source="x.sig")


def test_signed_but_malformed_statement_is_refused(ed_key: SigningKey) -> None:
    """A valid signature over a bad statement still fails closed."""
    from safeload import loads

    for bad in _bad_statements(ed_key)[:5]:
        env = Envelope(bad, PAYLOAD_TYPE)
        env = env.with_signature(
            __import__("safeload.sidecar").sidecar.Signature(ed_key.keyid, ed_key.sign(env.pae()))
        )
        with pytest.raises(SidecarFormatError):
            loads(b"\x80\x05K\x01.", env.to_json(), ed_key.public_key)


def test_envelope_roundtrip_is_exact(ed_key: SigningKey) -> None:
    _, sidecar = dumps({"a": 1}, ed_key)
    env = parse_envelope(sidecar)
    assert parse_envelope(env.to_json()) == env
    st = parse_statement(env.payload)
    assert st.predicate_type == PREDICATE_TYPE
    assert st.to_json() == env.payload


def test_golden_vectors_v1_still_verify(tmp_path: Path) -> None:
    """Signatures made by safeload format v1 must verify forever (or the format version bumps)."""
    v1 = VECTORS / "v1"
    expected = json.loads((v1 / "expected.json").read_text())
    pub = VerifyKey.from_file(v1 / "ed25519.pub")
    assert pub.keyid == expected["ed25519_keyid"]
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    st = verify(v1 / "model.pkl", pub, now=now)
    assert st.subject.name == "model.pkl" and st.predicate.version == "1.0.0"
    assert st.predicate.created == datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
    obj = load(v1 / "model.pkl", pub, now=now)
    assert obj == {"coef": [135.78767123], "intercept": 180616.43835616}
    secret = bytes.fromhex((VECTORS / "hmac-test-secret.hex").read_text().strip())
    hk = HMACKey(secret)
    assert hk.keyid == expected["hmac_keyid"]
    work = tmp_path / "model.pkl"
    shutil.copy(v1 / "model.pkl", work)
    shutil.copy(v1 / "model.pkl.hmac.sig", tmp_path / "model.pkl.sig")
    assert verify(work, hk, now=now).predicate.format == "pickle"


def test_golden_vector_v1_with_blake3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The optional BLAKE3 digest in format v1: verifies with and without blake3 installed."""
    from safeload import _progress

    secret = bytes.fromhex((VECTORS / "hmac-test-secret.hex").read_text().strip())
    work = tmp_path / "model.pkl"
    shutil.copy(VECTORS / "v1" / "model.pkl", work)
    shutil.copy(VECTORS / "v1" / "model.pkl.hmac-blake3.sig", tmp_path / "model.pkl.sig")
    now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    st = verify(work, HMACKey(secret), now=now)
    blake3 = pytest.importorskip("blake3")
    assert st.subject.blake3 == blake3.blake3(work.read_bytes()).hexdigest()
    monkeypatch.setattr(_progress, "blake3_module", lambda: None)
    assert verify(work, HMACKey(secret), now=now).subject.sha256 == st.subject.sha256
