"""OpenSSF model_signing bundles in safeload (signing/bundle.py, signing/modelsig.py): sign and
verify files and folders with ECDSA keys and with certificates, load through the restricted
reader from the bytes that were verified, and refuse every bad input the issue lists."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import safeload
from certs import make_chain
from safeload import (
    CertificateAuthority,
    ECDSASigningKey,
    InsufficientSignaturesError,
    InvalidSignatureError,
    KeyFormatError,
    Keyring,
    MissingSignatureError,
    SidecarFormatError,
    SignatureError,
    SigningKey,
    load_public_key,
)
from safeload.cli import main
from safeload.sidecar import Signature
from safeload.signing.bundle import (
    BUNDLE_MEDIA_TYPE,
    PREDICATE_TYPE,
    Bundle,
    is_bundle,
    parse_bundle,
)

VECTORS = Path(__file__).parent / "vectors" / "model_signing"
IN_PERIOD = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def key() -> ECDSASigningKey:
    return ECDSASigningKey.generate("ecdsa-p256")


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    m = tmp_path / "model"
    (m / "sub").mkdir(parents=True)
    (m / "model.pkl").write_bytes(pickle.dumps({"coef": [1.0, 2.0]}))
    (m / "sub" / "vocab.txt").write_text("a\nb\n")
    (m / ".git").mkdir()
    (m / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return m


def resign(sig: Path, key: ECDSASigningKey, edit: Callable[[dict[str, Any]], None]) -> None:
    """Edit the statement inside a bundle and sign it again with ``key`` (valid signature)."""
    bundle = parse_bundle(sig.read_bytes())
    doc = json.loads(bundle.payload)
    edit(doc)
    payload = json.dumps(doc).encode()
    draft = Bundle(payload, (), bundle.hint)
    signed = Bundle(payload, (Signature("", key.sign(draft.pae())),), bundle.hint)
    sig.write_bytes(signed.to_json())


# --- round trips -------------------------------------------------------------------------------


def test_folder_roundtrip_and_load_a_member(folder: Path, key: ECDSASigningKey) -> None:
    sig = safeload.sign(folder, key, signature_format="model-signing")
    assert sig == folder.with_name("model.sig") and is_bundle(sig.read_bytes())
    doc = json.loads(sig.read_bytes())
    assert doc["mediaType"] == BUNDLE_MEDIA_TYPE
    assert doc["verificationMaterial"]["publicKey"]["hint"] == key.keyid
    st = safeload.verify(folder, key.public_key)
    assert st.predicate_type == PREDICATE_TYPE
    assert sorted(st.predicate.files) == ["model.pkl", "sub/vocab.txt"]  # .git left out
    # model.sig beside the folder governs the files inside it
    assert safeload.load(folder / "model.pkl", key.public_key) == {"coef": [1.0, 2.0]}
    (folder / "sub" / "vocab.txt").write_text("a\nc\n")
    with pytest.raises(InvalidSignatureError):
        safeload.load(folder / "model.pkl", key.public_key)


def test_single_file_roundtrip(tmp_path: Path, key: ECDSASigningKey) -> None:
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps([1, 2, 3]))
    sig = safeload.sign(model, key, signature_format="model-signing")
    statement = json.loads(parse_bundle(sig.read_bytes()).payload)
    assert [r["name"] for r in statement["predicate"]["resources"]] == ["."]
    assert safeload.load(model, key.public_key) == [1, 2, 3]
    other = tmp_path / "elsewhere.sig"
    shutil.move(sig, other)
    with pytest.raises(MissingSignatureError):
        safeload.load(model, key.public_key)
    assert safeload.load(model, key.public_key, signature=other) == [1, 2, 3]


def test_load_reads_the_file_once(
    tmp_path: Path, key: ECDSASigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same-bytes guarantee: the model is opened once, and those bytes are the ones checked
    and deserialized (model_signing hashes the file, and a loader opens it again)."""
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps({"a": 1}))
    safeload.sign(model, key, signature_format="model-signing")
    opened: list[str] = []
    real_open = os.open

    def counting_open(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    assert safeload.load(model, key.public_key) == {"a": 1}
    assert opened.count(str(model)) == 1


def test_load_refuses_untrusted_types_after_verifying(tmp_path: Path, key: ECDSASigningKey) -> None:
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps(Path("x")))  # signed, but not on the allowlist
    safeload.sign(model, key, signature_format="model-signing")
    with pytest.raises(safeload.UntrustedTypeError):
        safeload.load(model, key.public_key)


def test_signature_inside_the_folder_is_ignored(folder: Path, key: ECDSASigningKey) -> None:
    sig = safeload.sign(
        folder, key, signature_format="model-signing", signature=folder / "model.sig"
    )
    statement = json.loads(parse_bundle(sig.read_bytes()).payload)
    assert "model.sig" in statement["predicate"]["serialization"]["ignore_paths"]
    assert safeload.verify(folder, key.public_key, signature=sig)


def test_ignore_paths(folder: Path, key: ECDSASigningKey) -> None:
    (folder / "notes").mkdir()
    (folder / "notes" / "draft.md").write_text("x")
    safeload.sign(folder, key, signature_format="model-signing", ignore_paths=["notes"])
    (folder / "notes" / "draft.md").write_text("changed, and ignored")
    st = safeload.verify(folder, key.public_key)
    assert "notes/draft.md" not in st.predicate.files
    # the verifier may leave more out, as with model_signing's --ignore-paths
    (folder / "scratch.tmp").write_text("x")
    with pytest.raises(SignatureError, match="added"):
        safeload.verify(folder, key.public_key)
    assert safeload.verify(folder, key.public_key, ignore_paths=["scratch.tmp"])


def test_added_removed_renamed_changed_files_fail(folder: Path, key: ECDSASigningKey) -> None:
    safeload.sign(folder, key, signature_format="model-signing")
    (folder / "extra.pkl").write_bytes(b"x")
    with pytest.raises(SignatureError, match=r"added \['extra.pkl'\]"):
        safeload.verify(folder, key.public_key)
    (folder / "extra.pkl").unlink()
    (folder / "sub" / "vocab.txt").rename(folder / "sub" / "vocab2.txt")
    with pytest.raises(SignatureError, match="missing"):
        safeload.verify(folder, key.public_key)
    (folder / "sub" / "vocab2.txt").rename(folder / "sub" / "vocab.txt")
    assert safeload.verify(folder, key.public_key)
    (folder / "model.pkl").write_bytes((folder / "model.pkl").read_bytes() + b"\x00")
    with pytest.raises(InvalidSignatureError):
        safeload.verify(folder, key.public_key)


def test_symlink_in_folder_fails(folder: Path, key: ECDSASigningKey) -> None:
    safeload.sign(folder, key, signature_format="model-signing")
    (folder / "link").symlink_to(folder / "model.pkl")
    with pytest.raises(SignatureError, match="symlink"):
        safeload.verify(folder, key.public_key)


def test_wrong_key_and_kinds_of_key(folder: Path, key: ECDSASigningKey) -> None:
    safeload.sign(folder, key, signature_format="model-signing")
    with pytest.raises(InvalidSignatureError, match="model"):
        safeload.verify(folder, ECDSASigningKey.generate().public_key)
    with pytest.raises(InvalidSignatureError):
        safeload.verify(folder, SigningKey.generate().public_key)
    with pytest.raises(KeyFormatError, match="HMAC"):
        safeload.verify(folder, safeload.HMACKey.generate())
    with pytest.raises(SignatureError, match="public key"):
        safeload.verify(folder, ca=CertificateAuthority.from_file(VECTORS / "ca.pem"))
    with pytest.raises(KeyFormatError, match="ECDSA"):
        safeload.sign(folder, SigningKey.generate(), signature_format="model-signing")


def test_approvals_across_signatures(folder: Path) -> None:
    """Every signature counts (model_signing reads signatures[0] only)."""
    a, b, c = (ECDSASigningKey.generate() for _ in range(3))
    safeload.sign(folder, [a, b], signature_format="model-signing")
    ring = Keyring([a.public_key, b.public_key, c.public_key], threshold=2)
    assert safeload.verify(folder, ring)
    with pytest.raises(InsufficientSignaturesError) as info:
        safeload.verify(folder, Keyring([a.public_key, c.public_key], threshold=2))
    assert (info.value.have, info.value.need) == (1, 2)


# --- certificates -------------------------------------------------------------------------------


def _cert_sign(folder: Path, chain: Any) -> Path:
    signer = safeload.load_signing_key(chain.leaf_key)
    return safeload.sign(
        folder,
        signer,
        signature_format="model-signing",
        certificate=chain.leaf.read_bytes(),
        chain=chain.intermediate.read_bytes(),
    )


def test_certificate_mode(folder: Path, tmp_path: Path) -> None:
    chain = make_chain(tmp_path / "pki")
    _cert_sign(folder, chain)
    ca = CertificateAuthority.from_file(chain.ca)
    assert safeload.verify(folder, ca=ca)
    assert safeload.load(folder / "model.pkl", ca=ca) == {"coef": [1.0, 2.0]}
    with pytest.raises(SignatureError, match="CA file"):
        safeload.verify(folder, ECDSASigningKey.generate().public_key)
    other = make_chain(tmp_path / "other")
    with pytest.raises(SignatureError, match="not trusted"):
        safeload.verify(folder, ca=CertificateAuthority.from_file(other.ca))


def test_certificate_expired_or_not_yet_valid(folder: Path, tmp_path: Path) -> None:
    chain = make_chain(tmp_path / "pki")
    _cert_sign(folder, chain)
    ca = CertificateAuthority.from_file(chain.ca)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=400)
    with pytest.raises(SignatureError, match="not trusted"):
        safeload.verify(folder, ca=ca, now=later)
    earlier = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    with pytest.raises(SignatureError, match="not trusted"):
        safeload.verify(folder, ca=ca, now=earlier)


def test_leaf_without_signing_usage_is_refused(folder: Path, tmp_path: Path) -> None:
    chain = make_chain(tmp_path / "pki", digital_signature=False)
    _cert_sign(folder, chain)
    with pytest.raises(SignatureError, match="not a code-signing certificate"):
        safeload.verify(folder, ca=CertificateAuthority.from_file(chain.ca))
    # codeSigning does not make up for a key usage that forbids signatures (rt17 f03)
    code_signing = make_chain(tmp_path / "cs", digital_signature=False, code_signing=True)
    _cert_sign(folder, code_signing)
    with pytest.raises(SignatureError, match="not a code-signing certificate"):
        safeload.verify(folder, ca=CertificateAuthority.from_file(code_signing.ca))
    both = make_chain(tmp_path / "both", code_signing=True)
    _cert_sign(folder, both)
    st = safeload.verify(folder, ca=CertificateAuthority.from_file(both.ca))
    assert st.predicate.environment["certificate"] == "CN=model signer"


def test_certificate_must_hold_the_signing_key(folder: Path, tmp_path: Path) -> None:
    chain = make_chain(tmp_path / "pki")
    with pytest.raises(KeyFormatError, match="does not hold"):
        safeload.sign(
            folder,
            ECDSASigningKey.generate(),
            signature_format="model-signing",
            certificate=chain.leaf.read_bytes(),
        )


# --- bad input ----------------------------------------------------------------------------------


def _bundle_cases(key: ECDSASigningKey) -> list[tuple[str, Callable[[Path], None]]]:
    def top(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
        def apply(sig: Path) -> None:
            doc = json.loads(sig.read_bytes())
            change(doc)
            sig.write_text(json.dumps(doc))

        return apply

    def signed(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
        return lambda sig: resign(sig, key, change)

    def res(doc: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = doc["predicate"]["resources"]
        return out

    def fix_subject(doc: dict[str, Any]) -> None:
        h = hashlib.sha256()
        for r in res(doc):
            h.update(bytes.fromhex(r["digest"]))
        doc["subject"][0]["digest"]["sha256"] = h.hexdigest()

    def then_fix(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        def both(doc: dict[str, Any]) -> None:
            change(doc)
            fix_subject(doc)

        return both

    return [
        (
            "mediaType",
            top(lambda d: d.update(mediaType="application/vnd.dev.sigstore.bundle+json")),
        ),
        ("unknown field", top(lambda d: d.update(extra=1))),
        ("unknown field", top(lambda d: d["dsseEnvelope"].update(extra=1))),
        ("payloadType", top(lambda d: d["dsseEnvelope"].update(payloadType="text/plain"))),
        ("keyless", top(lambda d: d["verificationMaterial"].update(tlogEntries=[{}]))),
        ("base64", top(lambda d: d["dsseEnvelope"].update(payload="!!"))),
        ("unknown field", signed(lambda d: d["predicate"].update(extra=1))),
        ("predicateType", signed(lambda d: d.update(predicateType="https://example/x"))),
        ("subject digest", signed(lambda d: d["subject"][0]["digest"].update(sha256="0" * 64))),
        ("not sorted", signed(then_fix(lambda d: res(d).reverse()))),
        ("not sorted", signed(then_fix(lambda d: res(d).append(dict(res(d)[-1]))))),
        ("plain relative", signed(then_fix(lambda d: res(d)[0].update(name="../model.pkl")))),
        ("relative POSIX", signed(then_fix(lambda d: res(d)[0].update(name="/etc/passwd")))),
        (
            "not supported",
            signed(lambda d: d["predicate"]["serialization"].update(hash_type="blake3")),
        ),
        (
            "not supported",
            signed(lambda d: d["predicate"]["serialization"].update(method="shards")),
        ),
    ]


def test_bad_bundles_are_refused_naming_the_file(folder: Path, key: ECDSASigningKey) -> None:
    original = safeload.sign(folder, key, signature_format="model-signing").read_bytes()
    sig = folder.with_name("model.sig")
    for what, damage in _bundle_cases(key):
        sig.write_bytes(original)
        damage(sig)
        with pytest.raises(SidecarFormatError, match=what) as info:
            safeload.verify(folder, key.public_key)
        assert str(sig) in str(info.value), what
        with pytest.raises(SidecarFormatError):
            safeload.load(folder / "model.pkl", key.public_key)
        code, _, err = run("verify", str(folder), "--pub", _pub(key, folder.parent))
        assert code == 1 and str(sig) in err, what


def test_duplicate_json_keys_are_refused(folder: Path, key: ECDSASigningKey) -> None:
    sig = safeload.sign(folder, key, signature_format="model-signing")
    text = sig.read_text()
    sig.write_text(text.replace('{"mediaType"', '{"mediaType":"x","mediaType"', 1))
    with pytest.raises(SidecarFormatError, match="duplicate"):
        safeload.verify(folder, key.public_key)


def test_file_bundle_against_folder_and_back(folder: Path, key: ECDSASigningKey) -> None:
    sig = safeload.sign(folder / "model.pkl", key, signature_format="model-signing")
    with pytest.raises(SignatureError, match="single file"):
        safeload.verify(folder, key.public_key, signature=sig)
    folder_sig = safeload.sign(folder, key, signature_format="model-signing")
    outside = folder.parent / "model.pkl"
    shutil.copy(folder / "model.pkl", outside)
    with pytest.raises(SignatureError, match="folder"):
        safeload.verify(outside, key.public_key, signature=folder_sig)


def _pub(key: ECDSASigningKey, where: Path) -> str:
    path = where / f"{key.keyid[:8]}.pub"
    if not path.exists():
        key.public_key.save(path)
    return str(path)


# --- golden bundles made by model_signing 1.1.1 ---------------------------------------


def test_golden_model_signing_bundles_verify(tmp_path: Path) -> None:
    pub = load_public_key(VECTORS / "ec-p256.pub")
    ca = CertificateAuthority.from_file(VECTORS / "ca.pem")
    model = tmp_path / "model"
    shutil.copytree(VECTORS / "model", model)
    assert safeload.verify(model, pub, signature=VECTORS / "model.key.sig")
    assert safeload.verify(model, ca=ca, signature=VECTORS / "model.cert.sig", now=IN_PERIOD)
    single = tmp_path / "single.bin"
    shutil.copy(VECTORS / "single.bin", single)
    assert safeload.verify(single, pub, signature=VECTORS / "single.bin.sig")
    (model / "config.json").write_text("{}")
    for sig, kw in (("model.key.sig", {"keys": pub}), ("model.cert.sig", {"ca": ca})):
        with pytest.raises(InvalidSignatureError):
            safeload.verify(model, signature=VECTORS / sig, now=IN_PERIOD, **kw)


# --- command line -------------------------------------------------------------------------------


def test_cli_sign_and_verify_bundle(folder: Path, tmp_path: Path) -> None:
    assert run("keygen", "ec", "--dir", str(tmp_path), "--type", "ecdsa-p384")[0] == 0
    key, pub = str(tmp_path / "ec.key"), str(tmp_path / "ec.pub")
    out_sig = str(tmp_path / "out.sig")
    code, out, err = run(
        "sign", str(folder), "--key", key, "--signature-format", "model-signing",
        "--signature", out_sig, "--ignore-paths", str(folder / "sub"),
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run("verify", str(folder), "--pub", pub, "--signature", out_sig)
    assert code == 0 and "model_signing bundle, 1 file(s)" in out, err
    (folder / "model.pkl").write_bytes(b"changed")
    code, _, err = run("verify", str(folder), "--pub", pub, "--signature", out_sig)
    assert code == 1 and str(folder) in err


def test_cli_certificate_mode(folder: Path, tmp_path: Path) -> None:
    chain = make_chain(tmp_path / "pki")
    code, _, err = run(
        "sign", str(folder), "--key", str(chain.leaf_key), "--signature-format", "model-signing",
        "--cert", str(chain.leaf), "--chain", str(chain.intermediate),
    )  # fmt: skip
    assert code == 0, err
    assert run("verify", str(folder), "--ca", str(chain.ca))[0] == 0
    other = make_chain(tmp_path / "other")
    code, _, err = run("verify", str(folder), "--ca", str(other.ca))
    assert code == 1 and "not trusted" in err


def test_cli_usage_errors(folder: Path, tmp_path: Path, key: ECDSASigningKey) -> None:
    key.save(tmp_path / "k.key")
    k = str(tmp_path / "k.key")
    pub = _pub(key, tmp_path)
    # keyless Sigstore is not supported yet: a clear usage error, not a missing flag
    code, _, err = run("verify", str(folder), "--pub", pub, "--identity", "me@example.com")
    assert code == 2 and "not supported yet" in err
    # model-signing options without the format
    code, _, err = run("sign", str(folder), "--key", k, "--cert", "x.pem")
    assert code == 2 and "--signature-format model-signing" in err
    # an ignore path outside the model
    code, _, err = run(
        "sign", str(folder), "--key", k, "--signature-format", "model-signing",
        "--ignore-paths", str(tmp_path),
    )  # fmt: skip
    assert code == 2 and "not inside the model" in err
    # Ed25519 keys cannot make bundles model_signing accepts
    assert run("keygen", "ed", "--dir", str(tmp_path))[0] == 0
    code, _, err = run(
        "sign", str(folder), "--key", str(tmp_path / "ed.key"), "--signature-format",
        "model-signing",
    )  # fmt: skip
    assert code == 2 and "ECDSA" in err


def test_cli_inspect_bundle(folder: Path, key: ECDSASigningKey) -> None:
    sig = safeload.sign(folder, key, signature_format="model-signing")
    code, out, _ = run("inspect", str(sig))
    assert code == 0 and "UNVERIFIED model_signing bundle" in out and "sub/vocab.txt" in out
    code, out, _ = run("inspect", str(sig), "--json")
    doc = json.loads(out)
    assert doc["verified"] is False and doc["hint"] == key.keyid and doc["mode"] == "key"
    sig.write_text("{}")
    assert run("inspect", str(sig))[0] != 0


def test_load_a_member_with_the_bundle_inside_the_folder(
    folder: Path, key: ECDSASigningKey
) -> None:
    """model_signing's default layout: model/model.sig signs the folder it sits in."""
    sig = safeload.sign(
        folder, key, signature_format="model-signing", signature=folder / "model.sig"
    )
    member = folder / "sub" / "vocab.txt"
    pub = key.public_key
    got = safeload.verify(member, pub, signature=sig, model_root=folder)
    assert got.predicate.format == "directory"
    assert safeload.verify(folder, pub).predicate.format == "directory"  # DIR/model.sig default
    loaded = safeload.load(folder / "model.pkl", pub, signature=sig, model_root=folder)
    assert loaded == {"coef": [1.0, 2.0]}
    # the caller, not the bundle, picks folder mode: without model_root it is refused
    with pytest.raises(SignatureError, match="model_root"):
        safeload.load(folder / "model.pkl", pub, signature=sig)
    (folder / "extra.pkl").write_bytes(b"x")  # any change to the folder fails the member too
    with pytest.raises(SignatureError, match="added"):
        safeload.load(folder / "model.pkl", pub, signature=sig, model_root=folder)
