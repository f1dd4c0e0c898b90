"""Signed model folders: one DIR.sig over every file; any change to the folder fails."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from safeload import Keyring, SignatureError, SigningKey, load, sign, verify
from safeload.cli import main


@pytest.fixture()
def folder(tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression) -> Path:
    d = tmp_path / "churn-model"
    (d / "extra").mkdir(parents=True)
    joblib.dump(home_model, d / "model.joblib")
    (d / "config.json").write_text('{"threshold": 0.5}')
    np.save(d / "extra" / "vocab.npy", np.arange(4))
    sign(d, ed_key, version="2", name="churn")
    return d


def test_folder_sign_verify_load(folder: Path, ed_key: SigningKey) -> None:
    sig = folder.with_name("churn-model.sig")
    doc = json.loads(sig.read_text())
    statement = verify(folder, ed_key.public_key)
    assert statement.predicate.format == "directory"
    assert sorted(statement.predicate.files) == ["config.json", "extra/vocab.npy", "model.joblib"]
    assert doc["payloadType"] == "application/vnd.in-toto+json"
    model = load(folder / "model.joblib", ed_key.public_key)
    assert model.predict([[5000]])[0] == pytest.approx(859554.79, abs=0.01)


@pytest.mark.parametrize("change", ["added", "missing", "renamed", "changed", "symlink"])
def test_any_change_to_the_folder_fails(folder: Path, ed_key: SigningKey, change: str) -> None:
    if change == "added":
        (folder / "extra" / "new.txt").write_text("surprise")
    elif change == "missing":
        (folder / "config.json").unlink()
    elif change == "renamed":
        (folder / "config.json").rename(folder / "config2.json")
    elif change == "changed":
        (folder / "config.json").write_text('{"threshold": 0.9}')
    else:
        os.symlink(folder / "config.json", folder / "link.json")
    with pytest.raises(SignatureError):
        verify(folder, ed_key.public_key)
    with pytest.raises(SignatureError):
        load(folder / "model.joblib", ed_key.public_key)


def test_symlinks_allowed_on_request(tmp_path: Path, ed_key: SigningKey) -> None:
    d = tmp_path / "m"
    d.mkdir()
    (d / "a.txt").write_text("a")
    sign(d, ed_key)
    os.symlink(d / "a.txt", d / "b.txt")
    with pytest.raises(SignatureError, match="symlink"):
        verify(d, ed_key.public_key)
    with pytest.raises(SignatureError, match="added"):
        verify(d, ed_key.public_key, allow_symlinks=True)


def test_folder_approvals_and_cli(
    folder: Path, ed_key: SigningKey, other_key: SigningKey, tmp_path: Path
) -> None:
    ring = Keyring([ed_key.public_key, other_key.public_key], threshold=2)
    with pytest.raises(SignatureError):
        verify(folder, ring)
    sign(folder, other_key, append=True, keys=ring)
    assert verify(folder, ring).predicate.name == "churn"
    keys = tmp_path / "ring"
    keys.mkdir()
    ed_key.public_key.save(keys / "a.pub")
    other_key.public_key.save(keys / "b.pub")
    out = io.StringIO()
    assert (
        main(["verify", str(folder), "--keyring", str(keys), "--threshold", "2"], stdout=out) == 0
    )
    assert "directory" in out.getvalue()
    (folder / "config.json").write_text("{}")
    assert (
        main(["verify", str(folder), "--keyring", str(keys)], stdout=out, stderr=io.StringIO()) == 1
    )


def test_file_sidecar_is_not_a_folder_sidecar(tmp_path: Path, ed_key: SigningKey) -> None:
    d = tmp_path / "m"
    d.mkdir()
    (d / "a.pkl").write_bytes(b"\x80\x04K\x01.")
    sign(d, ed_key)
    # A folder's sidecar copied next to a file must not verify that file.
    (tmp_path / "a.pkl").write_bytes(b"\x80\x04K\x01.")
    (tmp_path / "a.pkl.sig").write_bytes(d.with_name("m.sig").read_bytes())
    with pytest.raises(SignatureError, match="covers a folder"):
        verify(tmp_path / "a.pkl", ed_key.public_key)


def test_folder_statement_is_parsed_strictly(folder: Path) -> None:
    import base64

    from safeload import SidecarFormatError
    from safeload.sidecar import parse_envelope, parse_statement

    env = parse_envelope(folder.with_name("churn-model.sig").read_bytes())
    good = json.loads(env.payload)
    cases = []
    for mutate in (
        lambda d: d["subject"][0].update(name="../escape"),
        lambda d: d["subject"][0].update(name="/abs"),
        lambda d: d["subject"][0].update(name="a//b"),
        lambda d: d["subject"].append(dict(d["subject"][0])),
        lambda d: d["predicate"]["files"].pop(next(iter(d["predicate"]["files"]))),
        lambda d: d["predicate"].pop("files"),
    ):
        doc = json.loads(json.dumps(good))
        mutate(doc)
        cases.append(json.dumps(doc).encode())
    for case in cases:
        with pytest.raises(SidecarFormatError):
            parse_statement(case)
    assert base64.b64encode(env.payload)


# --- issue 14, item 5: one signature governs a file in a signed folder ------------------------


def _old_release(tmp_path: Path, ed_key: SigningKey) -> tuple[bytes, bytes]:
    """An older artifact named like the folder's model, validly signed on its own back then."""
    from safeload import dump

    old = tmp_path / "old-release"
    old.mkdir()
    stale = LinearRegression().fit([[1], [2], [3]], [1, 2, 3])  # predicts 5000 for 5000
    dump(stale, old / "model.joblib", ed_key, version="1", name="churn")
    return (old / "model.joblib").read_bytes(), (old / "model.joblib.sig").read_bytes()


def test_downgrade_inside_a_signed_folder_is_refused(
    folder: Path, ed_key: SigningKey, tmp_path: Path
) -> None:
    old, old_sig = _old_release(tmp_path, ed_key)
    # The old pair is genuine: on its own it verifies and loads (this is what load() used to
    # do inside the folder, where it preferred model.joblib.sig over the folder's DIR.sig).
    assert load(tmp_path / "old-release" / "model.joblib", ed_key.public_key).predict([[5000]])[
        0
    ] == pytest.approx(5000)
    # An attacker who can write into the signed folder drops the old pair in.
    (folder / "model.joblib").write_bytes(old)
    (folder / "model.joblib.sig").write_bytes(old_sig)
    target = folder / "model.joblib"
    with pytest.raises(SignatureError, match="does not match its signed manifest"):
        load(target, ed_key.public_key)
    with pytest.raises(SignatureError):
        verify(target, ed_key.public_key)
    with pytest.raises(SignatureError):
        verify(folder, ed_key.public_key)
    err = io.StringIO()
    pub = tmp_path / "ed.pub"
    ed_key.public_key.save(pub)
    assert main(["verify", str(target), "--pub", str(pub)], stdout=io.StringIO(), stderr=err) == 1
    # Without the extra sidecar (the file alone swapped) the folder refuses it too.
    (folder / "model.joblib.sig").unlink()
    with pytest.raises(SignatureError):
        load(target, ed_key.public_key)


def test_a_file_sidecar_inside_a_signed_folder_is_covered_not_consulted(
    tmp_path: Path, ed_key: SigningKey, other_key: SigningKey, home_model: LinearRegression
) -> None:
    from safeload import dump

    d = tmp_path / "release"
    d.mkdir()
    dump(home_model, d / "model.joblib", other_key)  # its own sidecar, by another key
    sign(d, ed_key, version="3", name="churn")  # the folder signature covers both files
    statement = verify(d / "model.joblib", ed_key.public_key)
    assert statement.predicate.format == "directory" and statement.predicate.version == "3"
    assert load(d / "model.joblib", ed_key.public_key).predict([[5000]])[0] == pytest.approx(
        859554.79, abs=0.01
    )
    # the file's own key is not enough: the folder signature governs
    with pytest.raises(SignatureError):
        load(d / "model.joblib", other_key.public_key)


def test_nested_files_and_signed_subfolders(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression
) -> None:
    d = tmp_path / "release"
    (d / "sub").mkdir(parents=True)
    joblib.dump(home_model, d / "sub" / "model.joblib")
    sign(d, ed_key, version="2")
    assert load(d / "sub" / "model.joblib", ed_key.public_key).coef_.shape == (1,)
    # an old signed sub-folder dropped in with its own SUB.sig: the outermost signature governs
    old = tmp_path / "old" / "sub"
    old.mkdir(parents=True)
    joblib.dump(LinearRegression().fit([[1], [2]], [1, 2]), old / "model.joblib")
    sign(old, ed_key, version="1")
    (d / "sub" / "model.joblib").write_bytes((old / "model.joblib").read_bytes())
    (d / "sub.sig").write_bytes(old.with_name("sub.sig").read_bytes())
    assert verify(old, ed_key.public_key).predicate.version == "1"  # genuine on its own
    with pytest.raises(SignatureError):
        load(d / "sub" / "model.joblib", ed_key.public_key)
    with pytest.raises(SignatureError):
        verify(d / "sub" / "model.joblib", ed_key.public_key)


def test_inspect_a_folder_signature(folder: Path) -> None:
    """`inspect DIR.sig` (the release flow) lists every signed file, as `--json` does."""
    out = io.StringIO()
    code = main(["inspect", str(folder.with_name("churn-model.sig"))], stdout=out)
    text = out.getvalue()
    assert code == 0, text
    assert "UNVERIFIED" in text and "directory" in text and "version:  2" in text
    for rel in ("config.json", "extra/vocab.npy", "model.joblib"):
        assert rel in text
