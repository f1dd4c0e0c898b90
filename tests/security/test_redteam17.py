"""Red team 17 (model_signing bundles, ECDSA, certificates): each finding's attack, refused.
The reproducers are in the review's f01..f11 scripts; these are their smallest forms."""

from __future__ import annotations

import io
import pickle
import shutil
from pathlib import Path

import pytest

import safeload
from safeload import ECDSASigningKey, SignatureError
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
