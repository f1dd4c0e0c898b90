"""The BLAKE3 digest: recorded beside SHA-256 when the signer has blake3 (a dependency), checked
instead of SHA-256 when the verifier has it too, ignored otherwise.

Switching it off (``no_blake3``) covers an install without it (an older safeload, or blake3
left out), on either side.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from safeload import (
    SidecarFormatError,
    SignatureError,
    SigningKey,
    _progress,
    dump,
    dumps,
    load,
    loads,
    sign,
    signing,
    verify,
)
from safeload.sidecar import Envelope, parse_envelope, parse_statement

blake3 = pytest.importorskip("blake3")


@pytest.fixture()
def no_blake3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_progress, "blake3_module", lambda: None)


def _statement_doc(sidecar: bytes) -> dict[str, object]:
    doc: dict[str, object] = json.loads(parse_envelope(sidecar).payload)
    return doc


def test_recorded_when_the_signer_has_it(ed_key: SigningKey) -> None:
    payload, sidecar = dumps({"w": [1, 2]}, ed_key)
    subject = parse_statement(parse_envelope(sidecar).payload).subject
    assert subject.blake3 == blake3.blake3(payload).hexdigest()
    assert _statement_doc(sidecar)["subject"] == [
        {"name": subject.name, "digest": {"blake3": subject.blake3, "sha256": subject.sha256}}
    ]
    assert loads(payload, sidecar, ed_key.public_key) == {"w": [1, 2]}


def test_not_recorded_without_blake3(ed_key: SigningKey, no_blake3: None) -> None:
    payload, sidecar = dumps({"w": 1}, ed_key)
    assert parse_statement(parse_envelope(sidecar).payload).subject.blake3 is None
    with pytest.raises(ValueError, match="pip install blake3"):
        signing.sign_bytes(payload, ed_key, name="m.pkl", format="pickle", blake3=True)


def test_can_be_left_out_on_request(ed_key: SigningKey) -> None:
    envelope = signing.sign_bytes(b"abc", ed_key, name="m.pkl", format="pickle", blake3=False)
    assert parse_statement(envelope.payload).subject.blake3 is None


def test_verifier_uses_blake3_instead_of_sha256(
    tmp_path: Path, ed_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.joblib"
    dump({"w": np.arange(10)}, path, ed_key)
    big = tmp_path / "big.joblib"  # large: hashed with BLAKE3 while it is read
    dump({"w": np.arange(1 << 20)}, big, ed_key)

    def no_sha256(*args: object, **kwargs: object) -> str:
        raise AssertionError("SHA-256 computed although BLAKE3 was available")

    monkeypatch.setattr(_progress, "sha256_hex", no_sha256)
    assert verify(path, ed_key.public_key).subject.blake3 is not None
    assert load(path, ed_key.public_key)["w"].tolist() == list(range(10))
    monkeypatch.setattr(_progress, "blake3_hex", no_sha256)  # not hashed a second time either
    assert load(big, ed_key.public_key)["w"][-1] == (1 << 20) - 1


@pytest.mark.parametrize("signer_has", [True, False])
@pytest.mark.parametrize("verifier_has", [True, False])
@pytest.mark.parametrize("size", [100, 5 << 20])  # small, and over the hash-while-reading size
def test_every_combination_verifies_and_catches_tampering(
    tmp_path: Path,
    ed_key: SigningKey,
    monkeypatch: pytest.MonkeyPatch,
    signer_has: bool,
    verifier_has: bool,
    size: int,
) -> None:
    real = _progress.blake3_module
    if not signer_has:
        monkeypatch.setattr(_progress, "blake3_module", lambda: None)
    path = tmp_path / "m.pkl"
    dump({"blob": b"\x01" * size}, path, ed_key)
    monkeypatch.setattr(_progress, "blake3_module", real if verifier_has else (lambda: None))
    assert len(load(path, ed_key.public_key)["blob"]) == size
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(SignatureError):
        load(path, ed_key.public_key)
    with pytest.raises(SignatureError):
        verify(path, ed_key.public_key)


def test_a_wrong_signed_blake3_digest_fails_where_blake3_is_checked(ed_key: SigningKey) -> None:
    """Both digests are signed; a verifier checks the strongest one it can compute."""
    payload = b"the model"
    honest = signing.sign_bytes(payload, ed_key, name="m.pkl", format="pickle")
    doc = _statement_doc(honest.to_json())
    subject = doc["subject"][0]  # type: ignore[index]
    subject["digest"]["blake3"] = "0" * 64
    forged = Envelope(
        json.dumps(doc, sort_keys=True, separators=(",", ":")).encode(), honest.payload_type
    )
    forged = signing.add_signature(forged, ed_key)
    with pytest.raises(SignatureError):
        signing.verify_bytes(payload, forged.to_json(), ed_key.public_key, name="m.pkl")


@pytest.mark.parametrize("value", ["ABC", "0" * 63, 7, None, "g" * 64])
def test_malformed_blake3_digest_is_refused(ed_key: SigningKey, value: object) -> None:
    honest = signing.sign_bytes(b"x", ed_key, name="m.pkl", format="pickle")
    doc = _statement_doc(honest.to_json())
    doc["subject"][0]["digest"]["blake3"] = value  # type: ignore[index]
    payload = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    with pytest.raises(SidecarFormatError, match="digest.blake3"):
        parse_statement(payload)


def test_other_digest_algorithms_are_still_refused(ed_key: SigningKey) -> None:
    honest = signing.sign_bytes(b"x", ed_key, name="m.pkl", format="pickle")
    doc = _statement_doc(honest.to_json())
    doc["subject"][0]["digest"]["md5"] = "0" * 32  # type: ignore[index]
    payload = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    with pytest.raises(SidecarFormatError, match="unknown field"):
        parse_statement(payload)


def test_signed_folders_record_and_check_blake3(
    tmp_path: Path, ed_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "a.bin").write_bytes(b"aaa")
    (folder / "b.bin").write_bytes(b"bbb")
    sig = sign(folder, ed_key)
    statement = parse_statement(parse_envelope(sig.read_bytes()).payload)
    assert all(s.blake3 is not None for s in statement.subjects)
    assert verify(folder, ed_key.public_key)
    monkeypatch.setattr(_progress, "blake3_module", lambda: None)
    assert verify(folder, ed_key.public_key)  # a verifier without blake3 checks SHA-256
    (folder / "b.bin").write_bytes(b"bbB")
    with pytest.raises(SignatureError):
        verify(folder, ed_key.public_key)


def test_blake3_progress_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int, int]] = []
    monkeypatch.setattr(_progress, "MIN_BYTES", 10)
    monkeypatch.setattr(_progress, "CHUNK", 10)
    data = bytes(range(25))
    with _progress.reporting(lambda what, done, total: seen.append((what, done, total))):
        digest = _progress.blake3_hex(data, "hashing x")
    assert digest == blake3.blake3(data).hexdigest()
    assert seen == [("hashing x", 10, 25), ("hashing x", 20, 25), ("hashing x", 25, 25)]


def test_blake3_is_a_dependency_of_the_default_install() -> None:
    """Issue 18: the fast digest is part of the default install, not an extra."""
    from importlib.metadata import requires

    plain = [r for r in requires("safeload") or [] if "extra ==" not in r]
    assert any(r.replace(" ", "").startswith("blake3>=") for r in plain), plain
