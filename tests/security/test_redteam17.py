"""Red team 17 (model_signing bundles, ECDSA, certificates): each finding's attack, refused.
The reproducers are in the review's f01..f11 scripts; these are their smallest forms."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

import safeload
from safeload import ECDSASigningKey, SidecarFormatError, SignatureError
from safeload.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def key() -> ECDSASigningKey:
    return ECDSASigningKey.generate("ecdsa-p256")


def _repo(root: Path) -> Path:
    repo = root / "repo"
    (repo / "v2").mkdir(parents=True)
    (repo / "model.pkl").write_bytes(pickle.dumps({"release": "v1-old"}))
    (repo / "v2" / "model.pkl").write_bytes(pickle.dumps({"release": "v2-current"}))
    (repo / "config.json").write_text('{"a": 1}')
    return repo


def _shift_down(repo: Path) -> None:
    """f01's attack: a copy of the signed tree one level down, so that repo/v2 alone matches
    the bundle's listing and repo/v2/model.pkl holds the bytes signed as model.pkl."""
    old = (repo / "model.pkl").read_bytes()
    new = (repo / "v2" / "model.pkl").read_bytes()
    (repo / "v2" / "v2").mkdir()
    (repo / "v2" / "v2" / "model.pkl").write_bytes(new)
    (repo / "v2" / "model.pkl").write_bytes(old)
    shutil.copy(repo / "config.json", repo / "v2" / "config.json")


# --- f01: the folder verified is the caller's, never the nearest suffix match -------------------


def test_f01_in_folder_bundle_does_not_pick_a_sub_folder(
    tmp_path: Path, key: ECDSASigningKey
) -> None:
    repo = _repo(tmp_path)
    sig = safeload.sign(repo, key, signature_format="model-signing", signature=repo / "model.sig")
    pub = key.public_key
    target = repo / "v2" / "model.pkl"
    # honest: the caller names the folder; the nested file loads (no more false negative)
    assert safeload.load(target, pub, signature=sig, model_root=repo) == {"release": "v2-current"}
    _shift_down(repo)
    with pytest.raises(SignatureError, match="added"):
        safeload.load(target, pub, signature=sig, model_root=repo)
    with pytest.raises(SignatureError, match="model_root"):  # no implicit folder mode
        safeload.load(target, pub, signature=sig)
    with pytest.raises(SignatureError, match="model_root"):
        safeload.verify(target, pub, signature=sig)


def test_f01_named_dir_sig_still_governs(tmp_path: Path, key: ECDSASigningKey) -> None:
    repo = _repo(tmp_path)
    sig = safeload.sign(repo, key, signature_format="model-signing")  # repo.sig beside repo
    _shift_down(repo)
    target = repo / "v2" / "model.pkl"
    for signature in (None, sig):
        with pytest.raises(SignatureError, match="added"):
            safeload.load(target, key.public_key, signature=signature)


# --- f02: the signature file does not switch folder mode off ------------------------------------


def _single_file_signature(tmp_path: Path, key: ECDSASigningKey, fmt: str) -> Path:
    """An older release of model.pkl, signed on its own by the same key."""
    old = tmp_path / "old" / "model.pkl"
    old.parent.mkdir()
    old.write_bytes(pickle.dumps({"release": "v0-ancient"}))
    return safeload.sign(old, key, signature_format=fmt)


@pytest.mark.parametrize("fmt", ["model-signing", "safeload"])
def test_f02_ab_single_file_signature_in_place_of_the_folder_bundle(
    tmp_path: Path, key: ECDSASigningKey, fmt: str
) -> None:
    repo = _repo(tmp_path)
    sig = safeload.sign(repo, key, signature_format="model-signing", signature=repo / "model.sig")
    old_sig = _single_file_signature(tmp_path, key, fmt)
    shutil.copy(old_sig.with_name("model.pkl"), repo / "model.pkl")
    shutil.copy(old_sig, sig)  # the attacker swaps the in-folder bundle
    with pytest.raises(SignatureError, match="single file"):
        safeload.load(repo / "model.pkl", key.public_key, signature=sig, model_root=repo)
    with pytest.raises(SignatureError, match="single file"):
        safeload.verify(repo, key.public_key, signature=sig)


def test_f02_c_per_file_sig_beside_an_in_folder_bundle(
    tmp_path: Path, key: ECDSASigningKey
) -> None:
    repo = _repo(tmp_path)
    safeload.sign(repo, key, signature_format="model-signing", signature=repo / "model.sig")
    old_sig = _single_file_signature(tmp_path, key, "safeload")
    shutil.copy(old_sig.with_name("model.pkl"), repo / "model.pkl")
    shutil.copy(old_sig, repo / "model.pkl.sig")
    with pytest.raises(SignatureError, match="model_signing folder signature"):
        safeload.load(repo / "model.pkl", key.public_key)
    with pytest.raises(SignatureError):  # verify(repo) uses repo/model.sig: the folder changed
        safeload.verify(repo, key.public_key)
    code, _, err = run("verify", str(repo), "--pub", str(_pub(tmp_path, key)))
    assert code == 1 and "FAILED" in err


def _pub(tmp_path: Path, key: ECDSASigningKey) -> Path:
    path = tmp_path / "pub.pem"
    path.write_bytes(key.public_key.to_pem())
    return path


def test_f02_d_explicit_default_path_keeps_dir_sig_governing(
    tmp_path: Path, key: ECDSASigningKey
) -> None:
    repo = _repo(tmp_path)
    safeload.sign(repo, key)  # repo.sig, safeload's folder sidecar
    old_sig = _single_file_signature(tmp_path, key, "safeload")
    shutil.copy(old_sig.with_name("model.pkl"), repo / "model.pkl")
    dropped = shutil.copy(old_sig, repo / "model.pkl.sig")
    with pytest.raises(SignatureError):
        safeload.load(repo / "model.pkl", key.public_key, signature=dropped)
    other = shutil.copy(old_sig, tmp_path / "elsewhere.sig")
    with pytest.raises(SignatureError, match="governs"):
        safeload.load(repo / "model.pkl", key.public_key, signature=other)
    with pytest.raises(SignatureError, match="governs"):
        safeload.load(repo / "model.pkl", key.public_key, model_root=repo / "v2")


# --- f03: certificate mode takes code-signing leaves only ---------------------------------------


def _cert_signed_folder(
    tmp_path: Path, **leaf: object
) -> tuple[Path, safeload.CertificateAuthority]:
    from certs import make_chain

    repo = _repo(tmp_path)
    chain = make_chain(tmp_path / "pki", **leaf)
    safeload.sign(
        repo,
        safeload.load_signing_key(chain.leaf_key),
        signature_format="model-signing",
        certificate=chain.leaf.read_bytes(),
        chain=chain.intermediate.read_bytes(),
    )
    return repo, safeload.CertificateAuthority.from_file(chain.ca)


@pytest.mark.parametrize(
    "usages",
    [(ExtendedKeyUsageOID.SERVER_AUTH,), (ExtendedKeyUsageOID.EMAIL_PROTECTION,)],
    ids=["tls-server", "s-mime"],
)
def test_f03_tls_and_smime_leaves_are_refused(tmp_path: Path, usages: tuple[Any, ...]) -> None:
    repo, ca = _cert_signed_folder(tmp_path, usages=usages)
    with pytest.raises(SignatureError, match="not a code-signing certificate"):
        safeload.verify(repo, ca=ca)


def test_f03_verify_names_the_signing_certificate(tmp_path: Path) -> None:
    repo, ca = _cert_signed_folder(tmp_path, code_signing=True)
    ca_file = tmp_path / "pki" / "ca.pem"
    assert safeload.verify(repo, ca=ca).predicate.environment["certificate"] == "CN=model signer"
    code, out, _ = run("verify", str(repo), "--ca", str(ca_file))
    assert code == 0 and "signed by certificate CN=model signer" in out


# --- f07 / f08: the caller pins the format and the trust path -----------------------------------


def test_f07_signature_format_pins_the_format(tmp_path: Path, key: ECDSASigningKey) -> None:
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps([1, 2]))
    safeload.sign(model, key, signature_format="model-signing")  # no expiry in a bundle
    pub = key.public_key
    assert safeload.load(model, pub, signature_format="model-signing") == [1, 2]
    with pytest.raises(SignatureError, match="model-signing signature, but safeload"):
        safeload.load(model, pub, signature_format="safeload")
    with pytest.raises(SignatureError, match="safeload was required"):
        safeload.verify(model, pub, signature_format="safeload")
    with pytest.raises(safeload.UsageError):
        safeload.verify(model, pub, signature_format="sigstore")
    code, _, err = run(
        "verify", str(model), "--pub", str(_pub(tmp_path, key)), "--signature-format", "safeload"
    )
    assert code == 1 and "safeload was required" in err
    safeload.sign(tmp_path / "m.pkl", key)  # a sidecar now: the pin passes
    assert safeload.verify(model, pub, signature_format="safeload")
    repo = _repo(tmp_path)
    safeload.sign(repo, key, signature_format="model-signing")
    with pytest.raises(SignatureError, match="safeload was required"):
        safeload.load(repo / "model.pkl", pub, signature_format="safeload")
    with pytest.raises(SignatureError, match="safeload was required"):
        safeload.verify(repo, pub, signature_format="safeload")


def test_f08_keys_and_ca_together_are_a_usage_error(tmp_path: Path) -> None:
    repo, ca = _cert_signed_folder(tmp_path)
    ring = safeload.Keyring(
        [ECDSASigningKey.generate().public_key, ECDSASigningKey.generate().public_key],
        threshold=2,
    )
    with pytest.raises(safeload.UsageError, match="not both"):
        safeload.verify(repo, ring, ca=ca)
    with pytest.raises(safeload.UsageError, match="not both"):
        safeload.load(repo / "model.pkl", ring, ca=ca)


# --- f04: strict parser gaps ----------------------------------------------------------------------


def _signed_file(tmp_path: Path, key: ECDSASigningKey, fmt: str, name: str = "m.pkl") -> Path:
    model = tmp_path / name
    model.write_bytes(pickle.dumps([1, 2]))
    safeload.sign(model, key, signature_format=fmt)
    return model


def test_f04a_message_signature_beside_the_envelope(tmp_path: Path, key: ECDSASigningKey) -> None:
    model = _signed_file(tmp_path, key, "model-signing")
    sig = tmp_path / "m.pkl.sig"
    doc = json.loads(sig.read_bytes())
    doc["messageSignature"] = {"anything": ["at", "all"]}
    sig.write_text(json.dumps(doc))
    with pytest.raises(SidecarFormatError, match="messageSignature"):
        safeload.load(model, key.public_key)


@pytest.mark.parametrize("fmt", ["model-signing", "safeload"])
def test_f04b_huge_json_integer_is_a_format_error_naming_the_file(
    tmp_path: Path, key: ECDSASigningKey, fmt: str
) -> None:
    model = _signed_file(tmp_path, key, fmt)
    good = _signed_file(tmp_path, key, fmt, "other.pkl")
    sig = tmp_path / "m.pkl.sig"
    sig.write_bytes(b'{"x": ' + b"1" * 5000 + b", " + sig.read_bytes()[1:])
    with pytest.raises(SidecarFormatError, match="m.pkl.sig") as info:
        safeload.verify(model, key.public_key)
    assert "digits" in str(info.value)
    code, out, err = run("verify", str(good), str(model), "--pub", str(_pub(tmp_path, key)))
    assert code == 1 and "1 verified, 1 failed" in out and "m.pkl.sig" in err


# --- f05: FIFOs and deep folders ------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_f05a_fifo_in_a_folder_or_as_the_signature_does_not_block(
    tmp_path: Path, key: ECDSASigningKey
) -> None:
    repo = _repo(tmp_path)
    safeload.sign(repo, key, signature_format="model-signing")
    os.mkfifo(repo / "zz_fifo")
    with pytest.raises(safeload.MalformedArtifactError, match="not a regular file"):
        safeload.load(repo / "model.pkl", key.public_key)  # hung forever before
    model = _signed_file(tmp_path, key, "safeload")
    sig = tmp_path / "m.pkl.sig"
    sig.unlink()
    os.mkfifo(sig)
    with pytest.raises(safeload.SafeloadError, match="not a regular file"):
        safeload.load(model, key.public_key)


def test_f05b_deeply_nested_folders_are_no_recursion_error(
    tmp_path: Path, key: ECDSASigningKey
) -> None:
    repo = _repo(tmp_path)
    safeload.sign(repo, key, signature_format="model-signing")
    deep = repo
    here = os.getcwd()
    # deeper than the recursion limit: a walk that recursed per level would raise (verify
    # resolved each level's links with realpath, cubic in the depth: 20 s here; now once)
    depth = sys.getrecursionlimit() + 100
    try:
        os.chdir(repo)  # relative mkdir: the absolute path soon passes PATH_MAX
        for _ in range(depth):
            os.mkdir("a")
            os.chdir("a")
    finally:
        os.chdir(here)
    try:
        # an empty folder changes no file list: it verifies, and (above all) does not crash
        assert safeload.load(deep / "model.pkl", key.public_key) == {"release": "v1-old"}
        code, _, _ = run("verify", str(tmp_path), "--pub", str(_pub(tmp_path, key)))
        assert code in (0, 1)
    finally:
        _remove_chain(repo / "a")  # shutil.rmtree (and so pytest's cleanup) recurses too


def _remove_chain(top: Path) -> None:
    depth = 0
    here = os.getcwd()
    try:
        os.chdir(top)
        while os.path.isdir("a"):
            os.chdir("a")
            depth += 1
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("a")
    finally:
        os.chdir(here)
    top.rmdir()


# --- f10: inspect and verify escape what unverified files say ----------------------------------


@pytest.mark.parametrize("fmt", ["model-signing", "safeload"])
def test_f10_control_characters_are_escaped(tmp_path: Path, key: ECDSASigningKey, fmt: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    evil = "\x1b[1A\x1b[2K\rVERIFIED signed by Acme\u202e.pkl"
    (repo / evil).write_bytes(pickle.dumps(1))
    sig = safeload.sign(repo, key, signature_format=fmt)
    code, out, err = run("inspect", str(sig))
    assert code == 0 and "\\x1b[1A\\x1b[2K\\rVERIFIED" in out and "\\u202e" in out
    assert not any(c in out + err for c in "\x1b\r\u202e")
    (repo / evil).write_bytes(pickle.dumps(2))
    code, out, err = run("verify", str(repo), "--pub", str(_pub(tmp_path, key)))
    assert code == 1 and not any(c in out + err for c in "\x1b\r\u202e")


# --- f09: a changed file gets the opaque error, not "approvals are missing" ---------------------


def test_f09_digest_is_checked_before_the_threshold(tmp_path: Path, key: ECDSASigningKey) -> None:
    second = ECDSASigningKey.generate("ecdsa-p256")
    ring = safeload.Keyring([key.public_key, second.public_key], threshold=2)
    model = _signed_file(tmp_path, key, "model-signing")
    with pytest.raises(safeload.InsufficientSignaturesError):
        safeload.load(model, ring)
    model.write_bytes(pickle.dumps([9]))
    with pytest.raises(safeload.InvalidSignatureError):
        safeload.load(model, ring)


def test_cli_model_root(tmp_path: Path, key: ECDSASigningKey) -> None:
    repo = _repo(tmp_path)
    sig = safeload.sign(repo, key, signature_format="model-signing", signature=repo / "model.sig")
    pub = str(_pub(tmp_path, key))
    target = str(repo / "v2" / "model.pkl")
    code, out, _ = run(
        "verify", target, "--model-root", str(repo), "--signature", str(sig), "--pub", pub
    )
    assert code == 0 and out.startswith("OK")
    code, _, err = run("verify", target, "--signature", str(sig), "--pub", pub)
    assert code == 1 and "--model-root" in err
    code, out, _ = run("verify", str(repo), "--pub", pub)  # DIR/model.sig by default
    assert code == 0 and "3 file(s)" in out


@pytest.mark.parametrize(
    ("ca_usage", "accepted"),
    [(ExtendedKeyUsageOID.CODE_SIGNING, True), (ExtendedKeyUsageOID.SERVER_AUTH, False)],
    ids=["codeSigning-intermediate", "serverAuth-intermediate"],
)
def test_f03_intermediate_extended_key_usage(tmp_path: Path, ca_usage: Any, accepted: bool) -> None:
    """An intermediate restricted to code signing is what code-signing PKIs issue from: it was
    refused (the client verifier wanted clientAuth); one restricted to TLS still is."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from certs import key_pem, make_cert, pem

    rk, ik, lk = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = make_cert("Root", rk, "Root", rk, ca=True)
    inter = make_cert("Int", ik, "Root", rk, ca=True, usages=(ca_usage,))
    leaf = make_cert("model signer", lk, "Int", ik, ca=False, code_signing=True)
    (tmp_path / "ca.pem").write_bytes(pem(root))
    (tmp_path / "leaf.key").write_bytes(key_pem(lk))
    repo = _repo(tmp_path)
    safeload.sign(
        repo,
        safeload.load_signing_key(tmp_path / "leaf.key"),
        signature_format="model-signing",
        certificate=pem(leaf),
        chain=pem(inter),
    )
    ca = safeload.CertificateAuthority.from_file(tmp_path / "ca.pem")
    if accepted:
        assert safeload.verify(repo, ca=ca)
    else:
        with pytest.raises(SignatureError, match="not trusted"):
            safeload.verify(repo, ca=ca)


# --- found by the short fuzz run on this branch (not a red-team finding) ------------------------


def test_scan_never_raises_on_an_unproven_state_in_the_sharing_walk() -> None:
    """The sharing walk (trust/shadow.py) ran outside the pass's fail-closed try, so a state the
    pass could not prove (a dict with non-string keys) escaped analyze() as Unproven."""
    from safeload.pickle.walker import analyze
    from safeload.policy import Limits, Policy

    vectors = Path(__file__).parent.parent / "vectors" / "fuzz"
    data = (vectors / "scan-unproven-state-in-sharing-walk.bin").read_bytes()
    limits = Limits(max_depth=200, max_opcodes=100_000, max_item_size=1 << 20)
    report = analyze(data, policy=Policy.default(), limits=limits, joblib=data[0] & 1 == 1)
    assert report.problems
