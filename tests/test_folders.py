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
    sign(folder, other_key, append=True)
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


def test_inspect_a_folder_signature(folder: Path) -> None:
    """`inspect DIR.sig` (the release flow) lists every signed file, as `--json` does."""
    out = io.StringIO()
    code = main(["inspect", str(folder.with_name("churn-model.sig"))], stdout=out)
    text = out.getvalue()
    assert code == 0, text
    assert "UNVERIFIED" in text and "directory" in text and "version:  2" in text
    for rel in ("config.json", "extra/vocab.npy", "model.joblib"):
        assert rel in text
