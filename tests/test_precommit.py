"""The pre-commit hook definitions run the CLI the way pre-commit would."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

from safeload import SigningKey, dump
from safeload.cli import main

HOOKS = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"


def _hooks() -> dict[str, dict[str, str]]:
    """A tiny reader for our own flat hook list (no YAML dependency needed)."""
    hooks: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in HOOKS.read_text().splitlines():
        m = re.match(r"^(- )?\s*(\w+): (.*)$", line)
        if not m:
            continue
        if m.group(1):
            current = {}
        key, value = m.group(2), m.group(3).strip()
        current[key] = value.strip("'")
        if key == "id":
            hooks[value] = current
    return hooks


def _run(entry: str, *args: str) -> int:
    argv = shlex.split(entry)
    assert argv[0] == "safeload"
    return main([*argv[1:], *args], stdout=io.StringIO(), stderr=io.StringIO())


def test_hooks_match_model_files_and_run(tmp_path: Path) -> None:
    hooks = _hooks()
    assert set(hooks) == {"safeload-scan", "safeload-verify", "safeload-verify-all"}
    pattern = re.compile(hooks["safeload-scan"]["files"])
    for name in ("a.pkl", "b.joblib", "c.joblib.gz", "d.skops"):
        assert pattern.search(name)
    assert not pattern.search("train.py")
    key = SigningKey.generate()
    key.public_key.save(tmp_path / "k.pub")
    good = tmp_path / "good.pkl"
    dump({"a": 1}, good, key)
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(b"cos\nsystem\n(S'true'\ntR.")
    assert _run(hooks["safeload-scan"]["entry"], str(good)) == 0
    assert _run(hooks["safeload-scan"]["entry"], str(good), str(evil)) == 1
    verify = hooks["safeload-verify"]["entry"]
    assert _run(verify, "--keyring", str(tmp_path), str(good)) == 0
    assert _run(verify, "--keyring", str(tmp_path), str(evil)) == 1


def test_verify_hook_sees_sig_only_changes_and_deletions(tmp_path: Path) -> None:
    """A commit that only edits or deletes a .sig must not pass unseen."""
    hooks = _hooks()
    pattern = re.compile(hooks["safeload-verify"]["files"])
    assert pattern.search("models/a.pkl.sig") and pattern.search("m/b.joblib.gz.sig")
    assert "v0.1.0" not in HOOKS.read_text()  # no such tag exists
    key = SigningKey.generate()
    (tmp_path / "keys").mkdir()
    key.public_key.save(tmp_path / "keys" / "k.pub")
    models = tmp_path / "models"
    models.mkdir()
    good = models / "good.pkl"
    dump({"a": 1}, good, key)
    verify = hooks["safeload-verify"]["entry"]
    ring = str(tmp_path / "keys")
    assert _run(verify, "--keyring", ring, str(good) + ".sig") == 0
    sig = Path(str(good) + ".sig")
    data = bytearray(sig.read_bytes())
    data[-40] ^= 1  # inside the signature
    sig.write_bytes(bytes(data))
    assert _run(verify, "--keyring", ring, str(sig)) == 1
    # a deleted .sig is never passed to a hook: safeload-verify-all checks the folder itself
    every = hooks["safeload-verify-all"]
    assert every["always_run"] == "true" and every["pass_filenames"] == "false"
    dump({"a": 1}, good, key)
    assert _run(every["entry"], "--keyring", ring, str(models)) == 0
    sig.unlink()
    assert _run(every["entry"], "--keyring", ring, str(models)) == 1
