"""rt45-01's neighbours: a path whose ``..`` follows a link, given to the CLI and to the
folder checks (the reproducers for ``load``/``verify`` are in ``test_redteam45.py``).

``os.path.abspath`` folds ``x/link/..`` to ``x``; the OS resolves the link first. A path
spelled so reached a file of a signed folder while the folder checks looked above ``x``."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import pytest

import safeload
from safeload import SigningKey
from safeload._folders import inside, real_file, same_path
from safeload.cli import main


def _rolled_back(tmp_path: Path) -> tuple[Path, SigningKey]:
    """``signed/`` signed as a folder holding a new ``model.pkl``, then an old signed
    ``model.pkl`` with its own old sidecar dropped back in; ``x/link -> signed/sub``."""
    key = SigningKey.generate()
    signed = tmp_path / "signed"
    (signed / "sub").mkdir(parents=True)
    (signed / "model.pkl").write_bytes(pickle.dumps({"v": "old"}))
    safeload.sign(signed / "model.pkl", key)
    old, old_sig = (signed / "model.pkl").read_bytes(), (signed / "model.pkl.sig").read_bytes()
    (signed / "model.pkl.sig").unlink()
    (signed / "model.pkl").write_bytes(pickle.dumps({"v": "new"}))
    (signed / "sub" / "cfg.txt").write_text("settings")
    safeload.sign(signed, key)
    (signed / "model.pkl").write_bytes(old)
    (signed / "model.pkl.sig").write_bytes(old_sig)
    (tmp_path / "x").mkdir()
    os.symlink(signed / "sub", tmp_path / "x" / "link")
    return signed, key


def test_plain_path_check_shows_the_rollback(tmp_path: Path) -> None:
    """What the attack needs: the old file verifies on its own sidecar (as single-file mode
    reads it), and the ``..`` path opens it."""
    signed, _key = _rolled_back(tmp_path)
    path = tmp_path / "x" / "link" / ".." / "model.pkl"
    assert path.read_bytes() == (signed / "model.pkl").read_bytes()
    assert os.path.abspath(path) == str(tmp_path / "x" / "model.pkl")  # the lexical fold
    assert real_file(path) == signed.resolve() / "model.pkl"
    assert inside(signed, path) == "model.pkl"
    assert same_path(path, signed / "model.pkl")


@pytest.mark.parametrize("target", ["x/link/../model.pkl", "x/link/.."])
def test_cli_verify_refuses_the_rolled_back_file(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _signed, key = _rolled_back(tmp_path)
    key.public_key.save(tmp_path / "k.pub")
    err = io.StringIO()
    monkeypatch.chdir(tmp_path)
    code = main(["verify", target, "--pub", "k.pub"], stdout=io.StringIO(), stderr=err)
    assert code == 1, err.getvalue()
    assert "does not match its signed manifest" in err.getvalue()


def test_relative_path_with_dotdot_through_a_link_is_governed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _signed, key = _rolled_back(tmp_path)
    monkeypatch.chdir(tmp_path / "x")
    with pytest.raises(safeload.SignatureError):
        safeload.load(Path("link") / ".." / "model.pkl", key.public_key)
