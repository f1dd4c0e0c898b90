"""Rollback and freeze protection with a trust-state file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from safeload import SignatureError, SigningKey, TrustState, dump, load, verify
from safeload.cli import main
from safeload.state import parse_version


def test_parse_version() -> None:
    assert parse_version("1.4.0") == parse_version("1.4")
    assert parse_version("10") > parse_version("9.9.9")
    assert parse_version("2.0.0rc1") < parse_version("2.0.0") < parse_version("2.0.0.post1")
    assert parse_version("2026.11.30") > parse_version("2026.2.1")
    for bad in ("1.x", "", "1..2", "2026-11-30", "\u0661"):  # an Arabic-Indic digit is not ASCII
        with pytest.raises(ValueError):
            parse_version(bad)


def test_rollback_is_refused(tmp_path: Path, ed_key: SigningKey) -> None:
    state = TrustState(tmp_path / "state.json")
    new, old = tmp_path / "new" / "m.pkl", tmp_path / "old" / "m.pkl"
    new.parent.mkdir()
    old.parent.mkdir()
    dump({"v": 2}, new, ed_key, name="churn", version="2.0.0")
    dump({"v": 1}, old, ed_key, name="churn", version="1.9.3")
    assert load(old, ed_key.public_key, state=state) == {"v": 1}
    assert load(new, ed_key.public_key, state=state) == {"v": 2}
    assert json.loads((tmp_path / "state.json").read_text()) == {"models": {"churn": "2.0.0"}}
    with pytest.raises(SignatureError, match="older than version 2.0.0"):
        load(old, ed_key.public_key, state=state)
    assert load(new, ed_key.public_key, state=state) == {"v": 2}  # same version again is fine
    # Without a state file the old, validly signed file still loads: protection is opt-in.
    assert load(old, ed_key.public_key) == {"v": 1}


def test_state_needs_signed_name_and_version(tmp_path: Path, ed_key: SigningKey) -> None:
    path = tmp_path / "m.pkl"
    dump([1], path, ed_key)
    with pytest.raises(SignatureError, match="needs a signed model name and version"):
        load(path, ed_key.public_key, state=TrustState(tmp_path / "s.json"))
    with pytest.raises(ValueError, match="not a PEP 440 version"):  # refused when signing
        dump([1], path, ed_key, name="m", version="beta")


def test_corrupt_state_fails_closed(tmp_path: Path, ed_key: SigningKey) -> None:
    path = tmp_path / "m.pkl"
    dump([1], path, ed_key, name="m", version="1")
    (tmp_path / "s.json").write_text("{not json")
    with pytest.raises(SignatureError, match="unreadable"):
        load(path, ed_key.public_key, state=TrustState(tmp_path / "s.json"))


def test_cli_state(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["keygen", "k", "--dir", str(tmp_path)], stdout=out) == 0
    model = tmp_path / "m.pkl"
    import pickle

    model.write_bytes(pickle.dumps([1]))
    key = str(tmp_path / "k.key")
    pub = str(tmp_path / "k.pub")
    state = str(tmp_path / "state.json")
    assert (
        main(["sign", str(model), "--key", key, "--name", "m", "--version", "3"], stdout=out) == 0
    )
    assert main(["verify", str(model), "--pub", pub, "--state", state], stdout=out) == 0
    assert (
        main(["sign", str(model), "--key", key, "--name", "m", "--version", "2"], stdout=out) == 0
    )
    err = io.StringIO()
    assert main(["verify", str(model), "--pub", pub, "--state", state], stdout=out, stderr=err) == 1
    assert "rollback" in err.getvalue()


def test_pep440_prerelease_is_ordered_and_odd_versions_are_refused_when_signing(
    tmp_path: Path, ed_key: SigningKey
) -> None:
    """`sign --version 2.0.0rc1` used to be accepted, then refused by --state at deploy time."""
    state = TrustState(tmp_path / "s.json")
    path = tmp_path / "m.pkl"
    dump([1], path, ed_key, name="m", version="2.0.0rc1")
    verify(path, ed_key.public_key, state=state)
    dump([2], path, ed_key, name="m", version="2.0.0")
    verify(path, ed_key.public_key, state=state)
    dump([1], path, ed_key, name="m", version="2.0.0rc1")
    with pytest.raises(SignatureError, match="older than version 2.0.0"):
        verify(path, ed_key.public_key, state=state)
    out, err = io.StringIO(), io.StringIO()
    key = tmp_path / "k.key"
    key.write_bytes(ed_key.to_pem())
    argv = ["sign", str(path), "--key", str(key), "--version", "2026-11-30"]
    code = main(argv, stdout=out, stderr=err)
    assert code == 2 and "PEP 440" in err.getvalue()


_RECORDER = """
import sys, types
from safeload import TrustState
state = TrustState(sys.argv[1])
for i in range(40):
    predicate = types.SimpleNamespace(name=f"{sys.argv[2]}-{i}", version="1.0")
    state.record(types.SimpleNamespace(predicate=predicate))
"""


def test_concurrent_records_keep_every_model(tmp_path: Path) -> None:
    """Four processes each record 40 models into one state file at once. Each record is a
    read-modify-write: without the lock on the state's folder a writer wrote what it had read
    plus its own model and dropped the others' (a model's highest version forgotten is its
    rollback protection gone)."""
    import subprocess
    import sys

    path = tmp_path / "state.json"
    procs = [
        subprocess.Popen([sys.executable, "-c", _RECORDER, str(path), f"w{w}"]) for w in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    models = json.loads(path.read_text())["models"]
    assert len(models) == 160
