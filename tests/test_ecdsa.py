"""ECDSA keys (safeload.signing.ecdsa): key files, safeload sidecars signed with ECDSA, keyrings
mixing Ed25519 and ECDSA, the algorithm always from the pinned key, and golden vectors."""

from __future__ import annotations

import io
import json
import pickle
import shutil
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import safeload
from safeload import (
    ECDSASigningKey,
    ECDSAVerifyKey,
    HMACKey,
    InsufficientSignaturesError,
    InvalidSignatureError,
    KeyFormatError,
    Keyring,
    SigningKey,
    VerifyKey,
    load_public_key,
    load_signing_key,
)
from safeload.cli import main
from safeload.signing import verify_bytes

VECTORS = Path(__file__).parent / "vectors" / "v1"
NOW = datetime(2026, 11, 23, tzinfo=timezone.utc)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("alg", ["ecdsa-p256", "ecdsa-p384", "ecdsa-p521"])
def test_key_roundtrip_and_keyid_is_model_signing_hint(alg: str, tmp_path: Path) -> None:
    key = ECDSASigningKey.generate(alg)
    assert key.algorithm == alg
    assert isinstance(key, safeload.PublicKeySigner)
    assert isinstance(SigningKey.generate(), safeload.PublicKeySigner)
    assert not isinstance(HMACKey.generate(), safeload.PublicKeySigner)
    key.save(tmp_path / "k.key", password="pw")
    assert stat.S_IMODE((tmp_path / "k.key").stat().st_mode) == 0o600
    key.public_key.save(tmp_path / "k.pub")
    again = load_signing_key(tmp_path / "k.key", "pw")
    assert isinstance(again, ECDSASigningKey) and again.keyid == key.keyid
    pub = load_public_key(tmp_path / "k.pub")
    assert isinstance(pub, ECDSAVerifyKey) and pub == key.public_key
    # the id is the SHA-256 of the PEM text, which model_signing records as publicKey.hint
    import hashlib

    assert pub.keyid == hashlib.sha256((tmp_path / "k.pub").read_bytes()).hexdigest()
    sig = key.sign(b"message")
    assert pub.verify(b"message", sig) and not pub.verify(b"messagE", sig)


def test_loaders_dispatch_on_the_key_itself(tmp_path: Path) -> None:
    ed = SigningKey.generate()
    (tmp_path / "ed.key").write_bytes(ed.to_pem())
    (tmp_path / "ed.pub").write_bytes(ed.public_key.to_pem())
    assert isinstance(load_signing_key(tmp_path / "ed.key"), SigningKey)
    assert isinstance(load_public_key(tmp_path / "ed.pub"), VerifyKey)
    # VerifyKey stays Ed25519-only: an ECDSA PEM is refused there, not silently converted
    ec_key = ECDSASigningKey.generate()
    (tmp_path / "ec.pub").write_bytes(ec_key.public_key.to_pem())
    with pytest.raises(KeyFormatError, match="not Ed25519"):
        VerifyKey.from_file(tmp_path / "ec.pub")
    with pytest.raises(KeyFormatError, match="not an ECDSA key"):
        ECDSAVerifyKey.from_file(tmp_path / "ed.pub")


def test_unsupported_keys_are_refused(tmp_path: Path) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "rsa.pub").write_bytes(pem)
    with pytest.raises(KeyFormatError, match="Ed25519 and ECDSA"):
        load_public_key(tmp_path / "rsa.pub")
    k1 = ec.generate_private_key(ec.SECP256K1())
    with pytest.raises(KeyFormatError, match="P-256, P-384 and P-521"):
        ECDSAVerifyKey(k1.public_key())
    with pytest.raises(KeyFormatError, match="unknown ECDSA key type"):
        ECDSASigningKey.generate("ecdsa-p224")


def test_verify_never_raises_on_garbage() -> None:
    pub = ECDSASigningKey.generate().public_key
    for sig in (b"", b"\x30", b"\x00" * 70, b"\x30" * 500):
        assert pub.verify(b"m", sig) is False


@pytest.mark.parametrize("alg", ["ecdsa-p256", "ecdsa-p384"])
def test_safeload_sidecar_with_ecdsa(alg: str, tmp_path: Path) -> None:
    key = ECDSASigningKey.generate(alg)
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps({"w": [1.0, 2.0]}))
    safeload.sign(model, key)
    assert safeload.load(model, key.public_key) == {"w": [1.0, 2.0]}
    model.write_bytes(pickle.dumps({"w": [1.0, 2.5]}))
    with pytest.raises(InvalidSignatureError):
        safeload.load(model, key.public_key)


def test_algorithm_comes_from_the_pinned_key(tmp_path: Path) -> None:
    """A signature made with one algorithm never verifies under a key of another, whatever the
    sidecar says: the key class does the check."""
    p256, p384, ed = (
        ECDSASigningKey.generate("ecdsa-p256"),
        ECDSASigningKey.generate("ecdsa-p384"),
        SigningKey.generate(),
    )
    for signer in (p256, p384, ed):
        data, sidecar = safeload.dumps([1], signer)
        for other in (p256, p384, ed):
            if other is signer:
                assert verify_bytes(data, sidecar, other.public_key, name=None)
            else:
                with pytest.raises(InvalidSignatureError):
                    verify_bytes(data, sidecar, other.public_key, name=None)
    # an ECDSA public key is not an HMAC secret (PyJWT GHSA-ffqj-6fqr-9h24)
    with pytest.raises(KeyFormatError, match="PEM or SSH2 key file"):
        HMACKey(p256.public_key.to_pem())


def test_keyring_mixes_ed25519_and_ecdsa(tmp_path: Path) -> None:
    ed, ec1, ec2 = (
        SigningKey.generate(),
        ECDSASigningKey.generate(),
        ECDSASigningKey.generate("ecdsa-p384"),
    )
    ring_dir = tmp_path / "ring"
    ring_dir.mkdir()
    ed.public_key.save(ring_dir / "ed.pub")
    ec1.public_key.save(ring_dir / "ec1.pub")
    ec2.public_key.save(ring_dir / "ec2.pub")
    ring = Keyring.from_dir(ring_dir, threshold=2)
    assert set(ring.keyids) == {ed.keyid, ec1.keyid, ec2.keyid}
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps("x"))
    safeload.sign(model, ec1)
    with pytest.raises(InsufficientSignaturesError):
        safeload.load(model, ring)
    safeload.sign(model, ed, append=True, keys=ring)
    assert safeload.load(model, ring) == "x"
    # the same key listed twice counts once
    assert len(Keyring([ec1.public_key, ec1, ec1.public_key])) == 1
    doc = {
        "threshold": 2,
        "keys": [
            {"public_key": ed.public_key.to_pem().decode()},
            {"public_key": ec2.public_key.to_pem().decode()},
        ],
    }
    (tmp_path / "ring.json").write_text(json.dumps(doc))
    with pytest.raises(InsufficientSignaturesError):
        safeload.load(model, Keyring.from_file(tmp_path / "ring.json"))


def test_golden_ecdsa_vectors_still_verify(tmp_path: Path) -> None:
    for curve in ("p256", "p384"):
        pub = load_public_key(VECTORS / f"ecdsa-{curve}.pub")
        assert pub.algorithm == f"ecdsa-{curve}"
        work = tmp_path / curve
        work.mkdir()
        shutil.copy(VECTORS / "model.pkl", work / "model.pkl")
        shutil.copy(VECTORS / f"model.pkl.ecdsa-{curve}.sig", work / "model.pkl.sig")
        st = safeload.verify(work / "model.pkl", pub, now=NOW)
        assert st.predicate.version == "1.0.0"
        (work / "model.pkl").write_bytes((work / "model.pkl").read_bytes() + b"\x00")
        with pytest.raises(InvalidSignatureError):
            safeload.verify(work / "model.pkl", pub, now=NOW)


@pytest.mark.parametrize("alg", ["ecdsa-p256", "ecdsa-p384"])
def test_cli_keygen_sign_verify_ecdsa(alg: str, tmp_path: Path) -> None:
    code, out, _ = run("keygen", "rel", "--dir", str(tmp_path), "--type", alg, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["algorithm"] == alg
    assert stat.S_IMODE(Path(doc["private"]).stat().st_mode) == 0o600
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps([3]))
    assert run("sign", str(model), "--key", doc["private"])[0] == 0
    code, out, _ = run("verify", str(model), "--pub", doc["public"])
    assert code == 0 and "OK" in out
    other = ECDSASigningKey.generate(alg)
    other.public_key.save(tmp_path / "other.pub")
    assert run("verify", str(model), "--pub", str(tmp_path / "other.pub"))[0] == 1


def test_cli_keygen_rejects_unknown_type(tmp_path: Path) -> None:
    assert run("keygen", "x", "--dir", str(tmp_path), "--type", "rsa")[0] == 2


def test_revoking_an_ecdsa_key_by_its_der_fingerprint(tmp_path: Path) -> None:
    """rt17 f11: the common fingerprint is SHA-256 of the DER SPKI, not safeload's key id (of
    the PEM text); revoking by it used to revoke nothing, silently."""
    import hashlib

    leaked = ECDSASigningKey.generate("ecdsa-p256")
    other = ECDSASigningKey.generate("ecdsa-p256")
    der = leaked.public_key.public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fingerprint = hashlib.sha256(der).hexdigest()
    assert fingerprint != leaked.public_key.keyid
    ring = Keyring([leaked.public_key, other.public_key], revoked=[fingerprint])
    assert ring.keyids == (other.public_key.keyid,)
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps([1]))
    safeload.sign(model, leaked)
    with pytest.raises(safeload.SignatureError):
        safeload.load(model, ring)
    safeload.sign(model, leaked, signature_format="model-signing")
    with pytest.raises(safeload.SignatureError):
        safeload.load(model, ring)
    ed = SigningKey.generate()  # Ed25519 keys too
    ed_der = serialization.load_pem_public_key(ed.public_key.to_pem()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ring = Keyring([ed.public_key, other.public_key], revoked=[hashlib.sha256(ed_der).hexdigest()])
    assert ring.keyids == (other.public_key.keyid,)


def test_ecdsa_sidecar_is_malleable_but_its_payload_is_not(tmp_path: Path) -> None:
    """rt17 f06: s -> n - s gives a different, still valid sidecar (documented in SECURITY.md);
    the statement it carries is the same."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.utils import (
        decode_dss_signature,
        encode_dss_signature,
    )

    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    key = ECDSASigningKey.generate("ecdsa-p256")
    model = tmp_path / "m.pkl"
    sig = safeload.dump([1, 2], model, key)
    before = safeload.verify(model, key.public_key)
    doc = json.loads(sig.read_bytes())
    r, s = decode_dss_signature(base64.b64decode(doc["signatures"][0]["sig"]))
    doc["signatures"][0]["sig"] = base64.b64encode(encode_dss_signature(r, n - s)).decode()
    edited = (json.dumps(doc, indent=2) + "\n").encode()
    assert edited != sig.read_bytes()
    sig.write_bytes(edited)
    assert safeload.verify(model, key.public_key) == before


def test_cli_convert_takes_an_ecdsa_source_key(tmp_path: Path) -> None:
    """rt17 nit: convert --src-pub read Ed25519 keys only."""
    src_key = ECDSASigningKey.generate("ecdsa-p256")
    (tmp_path / "src.pub").write_bytes(src_key.public_key.to_pem())
    dst_key = SigningKey.generate()
    dst_key.save(tmp_path / "dst.key")
    model = tmp_path / "m.pkl"
    safeload.dump({"w": [1.0]}, model, src_key)
    dst = tmp_path / "m.skops"
    code, _, err = run(
        "convert", str(model), str(dst), "--key", str(tmp_path / "dst.key"),
        "--src-pub", str(tmp_path / "src.pub"),
    )  # fmt: skip
    assert code == 0, err
    assert safeload.load(dst, dst_key.public_key) == {"w": [1.0]}
