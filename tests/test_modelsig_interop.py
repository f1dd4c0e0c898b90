"""Interop with the real peer: OpenSSF model_signing (PyPI ``model-signing`` 1.1.x, with
``pyopenssl``), through its own command line, both directions.

- model_signing signs (key and certificate modes, a folder and a single file) and safeload
  verifies and loads;
- safeload signs and ``model_signing verify key`` / ``verify certificate`` accept unchanged;
- a tampered, added, removed or renamed file is refused by both.
"""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

import safeload
from certs import Chain, make_chain
from safeload import CertificateAuthority, ECDSASigningKey, SignatureError

pytest.importorskip("model_signing", reason="model-signing (test extra) is not installed")
pytest.importorskip("OpenSSL", reason="pyopenssl (test extra) is not installed")


def test_peer_is_model_signing_1_1() -> None:
    major, minor = (int(x) for x in version("model-signing").split(".")[:2])
    assert (major, minor) >= (1, 1) and major == 1, (
        "interop is pinned to the model_signing 1.x format"
    )


def ms(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run model_signing's own CLI."""
    return subprocess.run(
        [sys.executable, "-m", "model_signing", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def ms_ok(*args: str | Path) -> None:
    result = ms(*args)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    m = tmp_path / "model"
    (m / "sub").mkdir(parents=True)
    (m / "model.pkl").write_bytes(pickle.dumps({"coef": [0.5, 1.5]}))
    (m / "sub" / "meta.json").write_text('{"rows": 3}')
    (m / ".gitignore").write_text("*.tmp\n")
    return m


@pytest.fixture()
def single(tmp_path: Path) -> Path:
    f = tmp_path / "alone" / "model.pkl"
    f.parent.mkdir()
    f.write_bytes(pickle.dumps([7, 8, 9]))
    return f


@pytest.fixture()
def ec_key(tmp_path: Path) -> tuple[ECDSASigningKey, Path, Path]:
    key = ECDSASigningKey.generate("ecdsa-p256")
    priv, pub = tmp_path / "ec.key", tmp_path / "ec.pub"
    key.save(priv)
    key.public_key.save(pub)
    return key, priv, pub


@pytest.fixture()
def chain(tmp_path: Path) -> Chain:
    return make_chain(tmp_path / "pki")


def _damages(model: Path) -> list[tuple[str, Callable[[], None], Callable[[], None]]]:
    """(what, damage, undo) for a folder model."""
    pkl, meta = model / "model.pkl", model / "sub" / "meta.json"
    extra, away, moved = model / "extra.bin", model.parent / "meta.away", meta.with_name("m2.json")
    original = pkl.read_bytes()
    return [
        (
            "tampered",
            lambda: pkl.write_bytes(original + b"\x00"),
            lambda: pkl.write_bytes(original),
        ),
        ("added", lambda: extra.write_bytes(b"x"), extra.unlink),
        ("removed", lambda: meta.rename(away), lambda: away.rename(meta)),
        ("renamed", lambda: meta.rename(moved), lambda: moved.rename(meta)),
    ]


def _both_refuse(
    model: Path, sig: Path, ms_verify: list[str | Path], safeload_verify: Callable[[], object]
) -> None:
    for what, damage, undo in _damages(model):
        damage()
        try:
            assert ms(*ms_verify).returncode != 0, f"model_signing accepted a {what} file"
            with pytest.raises(SignatureError):
                safeload_verify()
        finally:
            undo()
    ms_ok(*ms_verify)
    safeload_verify()


# --- model_signing signs, safeload verifies -----------------------------------------------------


def test_model_signing_key_folder_to_safeload(
    folder: Path, ec_key: tuple[ECDSASigningKey, Path, Path]
) -> None:
    key, priv, pub = ec_key
    sig = folder.with_name("model.sig")
    ms_ok("sign", "key", folder, "--private_key", priv, "--signature", sig)
    assert safeload.verify(folder, key.public_key)  # default MODEL.sig: model.sig beside it
    assert safeload.load(folder / "model.pkl", key.public_key) == {"coef": [0.5, 1.5]}
    _both_refuse(
        folder,
        sig,
        ["verify", "key", folder, "--signature", sig, "--public_key", pub],
        lambda: safeload.verify(folder, key.public_key),
    )


def test_model_signing_key_file_to_safeload(
    single: Path, ec_key: tuple[ECDSASigningKey, Path, Path]
) -> None:
    key, priv, pub = ec_key
    sig = single.with_name("model.pkl.sig")
    ms_ok("sign", "key", single, "--private_key", priv, "--signature", sig)
    assert safeload.load(single, key.public_key) == [7, 8, 9]
    assert safeload.verify(single, key.public_key)  # (streamed: rt26b-04)
    renamed = single.with_name("other.pkl")
    shutil.copyfile(single, renamed)
    with pytest.raises(SignatureError, match="signed under the name"):
        safeload.verify(renamed, key.public_key, signature=sig)
    single.write_bytes(pickle.dumps([7, 8, 10]))
    assert ms("verify", "key", single, "--signature", sig, "--public_key", pub).returncode != 0
    with pytest.raises(SignatureError):
        safeload.load(single, key.public_key)
    with pytest.raises(SignatureError):
        safeload.verify(single, key.public_key)


def test_model_signing_signature_inside_folder_to_safeload(
    folder: Path, ec_key: tuple[ECDSASigningKey, Path, Path]
) -> None:
    """model_signing's default: model.sig in the working directory, here inside the model."""
    key, priv, _ = ec_key
    sig = folder / "model.sig"
    ms_ok("sign", "key", folder, "--private_key", priv, "--signature", sig)
    assert safeload.verify(folder, key.public_key, signature=sig)


def test_model_signing_certificate_folder_and_file_to_safeload(
    folder: Path, single: Path, chain: Chain
) -> None:
    ca = CertificateAuthority.from_file(chain.ca)
    for model in (folder, single):
        sig = model.with_name(model.name + ".sig")
        ms_ok(
            "sign", "certificate", model, "--private_key", chain.leaf_key,
            "--signing_certificate", chain.leaf, "--certificate_chain", chain.intermediate,
            "--signature", sig,
        )  # fmt: skip
        assert safeload.verify(model, ca=ca)
        other = CertificateAuthority.from_file(make_chain(model.parent / "other").ca)
        with pytest.raises(SignatureError, match="not trusted"):
            safeload.verify(model, ca=other)
    assert safeload.load(folder / "model.pkl", ca=ca) == {"coef": [0.5, 1.5]}
    sig = folder.with_name("model.sig")
    _both_refuse(
        folder,
        sig,
        ["verify", "certificate", folder, "--signature", sig, "--certificate_chain", chain.ca],
        lambda: safeload.verify(folder, ca=ca),
    )


# --- safeload signs, model_signing verifies -----------------------------------------------------


def test_safeload_key_folder_to_model_signing(
    folder: Path, ec_key: tuple[ECDSASigningKey, Path, Path]
) -> None:
    key, _, pub = ec_key
    sig = safeload.sign(folder, key, signature_format="model-signing")
    verify = ["verify", "key", folder, "--signature", sig, "--public_key", pub]
    ms_ok(*verify)
    _both_refuse(folder, sig, verify, lambda: safeload.verify(folder, key.public_key))


def test_safeload_key_file_to_model_signing(
    single: Path, ec_key: tuple[ECDSASigningKey, Path, Path]
) -> None:
    key, _, pub = ec_key
    sig = safeload.sign(single, key, signature_format="model-signing")
    ms_ok("verify", "key", single, "--signature", sig, "--public_key", pub)
    single.write_bytes(single.read_bytes() + b"\x00")
    assert ms("verify", "key", single, "--signature", sig, "--public_key", pub).returncode != 0


@pytest.mark.parametrize("alg", ["ecdsa-p384", "ecdsa-p521"])
def test_safeload_other_curves_to_model_signing(folder: Path, tmp_path: Path, alg: str) -> None:
    key = ECDSASigningKey.generate(alg)
    pub = key.public_key.save(tmp_path / f"{alg}.pub")
    sig = safeload.sign(folder, key, signature_format="model-signing")
    ms_ok("verify", "key", folder, "--signature", sig, "--public_key", pub)


def test_safeload_cli_ignore_paths_and_signature_inside(
    folder: Path, ec_key: tuple[ECDSASigningKey, Path, Path]
) -> None:
    _, priv, pub = ec_key
    from safeload.cli import main

    (folder / "scratch").mkdir()
    (folder / "scratch" / "a.tmp").write_text("x")
    sig = folder / "model.sig"
    argv = ["sign", str(folder), "--key", str(priv), "--signature-format", "model-signing"]
    argv += ["--signature", str(sig), "--ignore-paths", str(folder / "scratch")]
    assert main(argv) == 0
    (folder / "scratch" / "a.tmp").write_text("changed")
    ms_ok("verify", "key", folder, "--signature", sig, "--public_key", pub)
    assert main(["verify", str(folder), "--pub", str(pub), "--signature", str(sig)]) == 0


def test_safeload_approvals_bundle_to_model_signing(folder: Path, tmp_path: Path) -> None:
    """A bundle with two signatures: model_signing checks the first signer's; safeload can ask
    for both."""
    a, b = ECDSASigningKey.generate(), ECDSASigningKey.generate()
    sig = safeload.sign(folder, [a, b], signature_format="model-signing")
    pub_a = a.public_key.save(tmp_path / "a.pub")
    ms_ok("verify", "key", folder, "--signature", sig, "--public_key", pub_a)
    assert safeload.verify(folder, safeload.Keyring([a.public_key, b.public_key], threshold=2))


def test_safeload_certificate_folder_and_file_to_model_signing(
    folder: Path, single: Path, chain: Chain
) -> None:
    signer = safeload.load_signing_key(chain.leaf_key)
    for model in (folder, single):
        sig = safeload.sign(
            model,
            signer,
            signature_format="model-signing",
            certificate=chain.leaf.read_bytes(),
            chain=chain.intermediate.read_bytes(),
        )
        ms_ok("verify", "certificate", model, "--signature", sig, "--certificate_chain", chain.ca)
    sig = folder.with_name("model.sig")
    ca = CertificateAuthority.from_file(chain.ca)
    _both_refuse(
        folder,
        sig,
        ["verify", "certificate", folder, "--signature", sig, "--certificate_chain", chain.ca],
        lambda: safeload.verify(folder, ca=ca),
    )


def test_bundles_are_byte_compatible_in_shape(
    folder: Path, ec_key: tuple[ECDSASigningKey, Path, Path], tmp_path: Path
) -> None:
    """Same members in the same order as model_signing's own bundle (only payload and signature
    bytes differ)."""
    import json

    key, priv, _ = ec_key
    theirs = tmp_path / "theirs.sig"
    ms_ok("sign", "key", folder, "--private_key", priv, "--signature", theirs)
    ours = safeload.sign(
        folder, key, signature_format="model-signing", signature=tmp_path / "o.sig"
    )

    def shape(doc: object) -> object:
        if isinstance(doc, dict):
            return [(k, shape(v)) for k, v in doc.items() if k not in ("payload", "sig")]
        if isinstance(doc, list):
            return [shape(v) for v in doc]
        return doc

    assert shape(json.loads(ours.read_bytes())) == shape(json.loads(theirs.read_bytes()))
    theirs_stmt = safeload.verify(folder, key.public_key, signature=theirs)
    ours_stmt = safeload.verify(folder, key.public_key, signature=ours)
    assert theirs_stmt.subjects == ours_stmt.subjects
