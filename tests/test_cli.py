"""The CLI through main(argv): exit 0 ok, 1 verification failed or unsafe, 2 usage or I/O."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import safeload
from safeload.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def release(tmp_path: Path) -> dict[str, Path]:
    code, out, _ = run("keygen", "rel", "--dir", str(tmp_path / "keys"))
    assert code == 0 and "rel.key" in out
    model = tmp_path / "model.pkl"
    model.write_bytes(pickle.dumps({"coef": [1.5, 2.5]}, protocol=5))
    return {
        "key": tmp_path / "keys" / "rel.key",
        "pub": tmp_path / "keys" / "rel.pub",
        "model": model,
        "dir": tmp_path,
    }


def test_sign_verify_inspect(release: dict[str, Path]) -> None:
    m = str(release["model"])
    code, out, _ = run("sign", m, "--key", str(release["key"]), "--version", "3.1")
    assert code == 0 and "model.pkl.sig" in out
    code, out, _ = run("verify", m, "--pub", str(release["pub"]))
    assert code == 0 and out.startswith("OK") and "version 3.1" in out
    code, out, _ = run("verify", m, "--pub", str(release["pub"]), "--json")
    doc = json.loads(out)
    assert (
        code == 0 and doc["ok"] and doc["results"][0]["statement"]["predicate"]["version"] == "3.1"
    )
    code, out, _ = run("inspect", m + ".sig")
    assert code == 0 and "UNVERIFIED" in out and "model.pkl" in out
    code, out, _ = run("inspect", m + ".sig", "--json")
    assert code == 0 and json.loads(out)["verified"] is False


def test_tampered_file_exits_1(release: dict[str, Path]) -> None:
    m = release["model"]
    assert run("sign", str(m), "--key", str(release["key"]))[0] == 0
    data = bytearray(m.read_bytes())
    data[5] ^= 0xFF
    m.write_bytes(bytes(data))
    code, _, err = run("verify", str(m), "--pub", str(release["pub"]))
    assert code == 1 and "FAILED" in err and "model.pkl" in err


def test_missing_sidecar_exits_1_and_missing_file_exits_2(release: dict[str, Path]) -> None:
    code, _, err = run("verify", str(release["model"]), "--pub", str(release["pub"]))
    assert code == 1 and "no signature file" in err
    code, _, err = run("verify", str(release["dir"] / "nope.pkl"), "--pub", str(release["pub"]))
    assert code == 2 and "does not exist" in err


def test_usage_errors_exit_2(release: dict[str, Path]) -> None:
    assert run()[0] == 2
    assert run("verify", str(release["model"]))[0] == 2  # no key source
    assert run("sign", str(release["model"]), "--key", str(release["dir"] / "missing.key"))[0] == 2
    code, _, err = run(
        "sign", str(release["model"]), "--key", str(release["key"]), "--expires", "soon"
    )
    assert code == 2 and "ISO 8601" in err
    code, _, err = run("keygen", "rel", "--dir", str(release["dir"] / "keys"))
    assert code == 2 and "already exists" in err
    assert run("--version")[0] == 0


def test_hmac_env_and_file(release: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    d = release["dir"]
    assert run("keygen", "team", "--dir", str(d), "--hmac")[0] == 0
    secret_file = d / "team.hmac"
    m = str(release["model"])
    assert run("sign", m, "--hmac-key-file", str(secret_file))[0] == 0
    assert run("verify", m, "--hmac-key-file", str(secret_file))[0] == 0
    monkeypatch.setenv("TEAM_SECRET", secret_file.read_text())
    assert run("verify", m, "--hmac-env", "TEAM_SECRET")[0] == 0
    # The HMAC-signed file does not verify with an Ed25519 key, and vice versa.
    assert run("verify", m, "--pub", str(release["pub"]))[0] == 1
    code, _, err = run("verify", m, "--hmac-env", "UNSET_VARIABLE_X")
    assert code == 2 and "not set" in err


def test_threshold_and_append_and_keyring(release: dict[str, Path]) -> None:
    d = release["dir"]
    assert run("keygen", "second", "--dir", str(d / "keys"))[0] == 0
    m = str(release["model"])
    ring = ["--keyring", str(d / "keys"), "--threshold", "2"]
    assert run("sign", m, "--key", str(release["key"]))[0] == 0
    assert run("verify", m, *ring)[0] == 1
    approve = ["--key", str(d / "keys" / "second.key"), "--append"]
    assert run("sign", m, *approve, "--pub", str(release["pub"]))[0] == 0
    assert run("verify", m, *ring)[0] == 0
    assert run("verify", m, "--keyring", str(d / "keys"), "--threshold", "3")[0] == 2


def test_rename_and_expiry(release: dict[str, Path]) -> None:
    m = release["model"]
    # The CLI refuses an expiry in the past (issue 16); the API still writes one, for tests.
    code, _, err = run("sign", str(m), "--key", str(release["key"]), "--expires", "2001-01-01")
    assert code == 2 and "that time has passed" in err and not m.with_name("model.pkl.sig").exists()
    safeload.sign(
        m,
        safeload.SigningKey.from_file(release["key"]),
        expires=datetime(2001, 1, 1, tzinfo=timezone.utc),
    )
    code, _, err = run("verify", str(m), "--pub", str(release["pub"]))
    assert code == 1 and "expired" in err
    assert run("sign", str(m), "--key", str(release["key"]))[0] == 0
    moved = m.with_name("renamed.pkl")
    moved.write_bytes(m.read_bytes())
    moved.with_name("renamed.pkl.sig").write_bytes(m.with_name("model.pkl.sig").read_bytes())
    code, _, err = run("verify", str(moved), "--pub", str(release["pub"]))
    assert code == 1 and "--allow-rename" in err
    assert run("verify", str(moved), "--pub", str(release["pub"]), "--allow-rename")[0] == 0


def test_passphrase_from_env_never_argv(
    release: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    d = release["dir"]
    monkeypatch.setenv("KEY_PASS", "s3cret passphrase")
    assert run("keygen", "locked", "--dir", str(d), "--passphrase-env", "KEY_PASS")[0] == 0
    assert b"ENCRYPTED" in (d / "locked.key").read_bytes()
    m = str(release["model"])
    assert run("sign", m, "--key", str(d / "locked.key"), "--passphrase-env", "KEY_PASS")[0] == 0
    monkeypatch.delenv("KEY_PASS")
    code, _, err = run("sign", m, "--key", str(d / "locked.key"))
    assert code == 2 and "passphrase" in err
    # There is no option that takes a passphrase value on the command line.
    assert run("sign", m, "--key", str(d / "locked.key"), "--passphrase", "x")[0] == 2


def test_scan_cli(tmp_path: Path) -> None:
    good = tmp_path / "ok.pkl"
    good.write_bytes(pickle.dumps({"a": [1, 2]}, protocol=4))
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(
        b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00"
        b"\x8c\x02os\x8c\x06system\x93\x8c\x04true\x85R."
    )
    assert run("scan", str(good))[0] == 0
    code, out, _ = run("scan", str(good), str(bad))
    assert code == 1 and "UNSAFE" in out and "os.system" in out
    code, out, _ = run("scan", str(bad), "--json")
    assert code == 1 and json.loads(out)["reports"][0]["untrusted"] == ["os.system"]
    code, out, _ = run("scan", str(bad), "--sarif")
    assert code == 1 and json.loads(out)["runs"][0]["results"][0]["ruleId"] == "SL001"
    # trusting a code-execution primitive is a usage error, not a way to a SAFE verdict
    assert run("scan", str(bad), "--trust", "os.system")[0] == 2
    assert run("scan", str(tmp_path / "missing.pkl"))[0] == 2


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "safeload", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and "safeload" in proc.stdout


def test_verify_a_directory_in_parallel(release: dict[str, Path]) -> None:
    models = release["dir"] / "models"
    (models / "sub").mkdir(parents=True)
    for i in range(6):
        target = models / ("sub" if i % 2 else ".") / f"m{i}.pkl"
        target.write_bytes(pickle.dumps({"i": i}))
        assert run("sign", str(target), "--key", str(release["key"]))[0] == 0
    (models / "unsigned.joblib").write_bytes(pickle.dumps([0]))
    victim = models / "m0.pkl"
    victim.write_bytes(victim.read_bytes() + b"\x00")
    code, out, err = run("verify", str(models), "--jobs", "3", "--pub", str(release["pub"]))
    assert code == 1
    assert "5 verified, 2 failed" in out
    assert "unsigned.joblib" in err and "m0.pkl" in err
    code, out, _ = run("verify", str(models), "--jobs", "3", "--pub", str(release["pub"]), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["verified"] == 5 and doc["failed"] == 2
    victim.unlink()
    (models / "unsigned.joblib").unlink()
    assert run("verify", str(models), "--jobs", "2", "--pub", str(release["pub"]))[0] == 0


def test_json_output_for_every_command(tmp_path: Path) -> None:
    code, out, _ = run("keygen", "j", "--dir", str(tmp_path), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["algorithm"] == "ed25519" and len(doc["keyid"]) == 64
    code, out, _ = run("keygen", "h", "--dir", str(tmp_path), "--hmac", "--json")
    assert code == 0 and json.loads(out)["algorithm"] == "hmac-sha256"
    model = tmp_path / "m.pkl"
    model.write_bytes(pickle.dumps({"a": 1}))
    code, out, _ = run("sign", str(model), "--key", str(tmp_path / "j.key"), "--json")
    assert code == 0 and json.loads(out)["signed"][0]["sidecar"].endswith("m.pkl.sig")
    code, out, _ = run(
        "convert",
        str(model),
        str(tmp_path / "m.skops"),
        "--key",
        str(tmp_path / "j.key"),
        "--src-pub",
        str(tmp_path / "j.pub"),
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["source_verified"] is True
    # Errors are JSON too when --json was asked for.
    code, out, _ = run(
        "sign", str(tmp_path / "missing.pkl"), "--key", str(tmp_path / "j.key"), "--json"
    )
    assert code == 2 and json.loads(out)["ok"] is False
    code, out, _ = run("inspect", str(model) + ".sig", "--json")
    assert code == 0 and json.loads(out)["verified"] is False


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only(
    release: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeload import _progress

    monkeypatch.setattr(_progress, "MIN_BYTES", 1000)
    monkeypatch.setattr(_progress, "CHUNK", 1000)
    big = release["dir"] / "big.pkl"
    big.write_bytes(pickle.dumps({"blob": b"\x07" * 5000}, protocol=5))
    for argv in (
        ["sign", str(big), "--key", str(release["key"])],
        ["verify", str(big), "--pub", str(release["pub"])],
    ):
        out, err = io.StringIO(), _Terminal()
        assert main(argv, stdout=out, stderr=err) == 0
        bar = err.getvalue()
        # sign reads, then hashes what it read; verify hashes the file as it streams past
        assert "reading big.pkl: 100%" in bar or argv[0] == "verify"
        assert "hashing big.pkl: 100%" in bar
        assert " 19% (" in bar and bar.endswith("\n")
        assert "\r" not in out.getvalue()  # stdout stays clean for --json and pipes
    assert _progress._reporter is None  # uninstalled after the command


def test_progress_bar_escapes_a_file_name(
    release: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bar writes to the terminal itself (its carriage returns are its own), so it
    escapes the control characters of the file name it shows."""
    from safeload import _progress

    monkeypatch.setattr(_progress, "MIN_BYTES", 1000)
    monkeypatch.setattr(_progress, "CHUNK", 1000)
    big = release["dir"] / "big\x1b[2K.pkl"
    big.write_bytes(pickle.dumps({"blob": b"\x07" * 5000}, protocol=5))
    err = _Terminal()
    assert main(["sign", str(big), "--key", str(release["key"])], stderr=err) == 0
    bar = err.getvalue()
    assert "hashing big\\x1b[2K.pkl: 100%" in bar and "\x1b" not in bar
    code, _, plain_err = run("verify", str(big), "--pub", str(release["pub"]))
    assert code == 0 and plain_err == ""  # stderr is not a terminal: no bar
    out, err = io.StringIO(), _Terminal()
    assert (
        main(["sign", str(release["model"]), "--key", str(release["key"])], stdout=out, stderr=err)
        == 0
    )
    assert err.getvalue() == ""  # under MIN_BYTES: nothing drawn


def test_threshold_with_a_json_keyring_is_a_usage_error(release: dict[str, Path]) -> None:
    """Issue 14, item 10: --threshold 2 with a JSON keyring was silently ignored (the file's
    threshold 1 applied) and one signature passed a two-approval gate. Two sources for one
    trust setting are now a usage error; the file's own threshold governs without the flag."""
    d = release["dir"]
    assert run("keygen", "second", "--dir", str(d / "keys"))[0] == 0
    keys = [release["pub"], d / "keys" / "second.pub"]
    ring = d / "ring.json"
    ring.write_text(json.dumps({"keys": [{"public_key": k.read_text()} for k in keys]}))
    m = str(release["model"])
    assert run("sign", m, "--key", str(release["key"]))[0] == 0
    assert run("verify", m, "--keyring", str(ring))[0] == 0  # the file says threshold 1
    code, _, err = run("verify", m, "--keyring", str(ring), "--threshold", "2")
    assert code == 2 and "--threshold conflicts with the keyring file" in err
    assert run("verify", m, "--keyring", str(ring), "--threshold", "1")[0] == 2
    ring.write_text(
        json.dumps({"threshold": 2, "keys": [{"public_key": k.read_text()} for k in keys]})
    )
    assert run("verify", m, "--keyring", str(ring))[0] == 1  # one signature of two


def test_code_execution_primitives_get_no_trust_advice(tmp_path: Path) -> None:
    """Issue 14, item 7: a pickle calling posix.system got the same advice as a harmless
    custom class (--trust posix.system / trusted=['posix.system']), and following it made
    scan say SAFE. Now the message says the file tries to run code and offers no trust flag,
    and trusting the name is a usage error (exit 2)."""
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(b"\x80\x04\x8c\x05posix\x8c\x06system\x93\x8c\x04true\x85R.")
    code, _, err = run("scan", str(bad))
    assert code == 1 and "tries to run code" in err and "--trust" not in err
    code, _, err = run("scan", str(bad), "--trust", "posix.system")
    assert code == 2 and "known code-execution primitive" in err
    for name in ("os.system", "builtins.eval", "subprocess.Popen", "shutil:os.system"):
        assert run("scan", str(bad), "--trust", name)[0] == 2, name
    # a harmless unknown class still gets the advice
    harmless = tmp_path / "custom.pkl"
    harmless.write_bytes(b"\x80\x04\x8c\x05mypkg\x8c\x05Model\x93)\x81.")
    code, _, err = run("scan", str(harmless))
    assert code == 1 and "--trust NAME" in err
    # (trusting it is accepted, no usage error; mypkg is not installed here, so the file is
    # unsafe to scan, as the load refuses it: red team 98, rt98-04)
    code, out, err = run("scan", str(harmless), "--trust", "mypkg.Model")
    assert code == 1 and "cannot be imported" in out + err, (out, err)


def test_scan_a_joblib_file_named_pkl(tmp_path: Path) -> None:
    import joblib
    import numpy as np

    path = tmp_path / "model.pkl"
    joblib.dump({"w": np.arange(3)}, path)
    code, out, err = run("scan", str(path))
    assert code == 0 and out.startswith("SAFE") and "joblib" in out, (out, err)
    code, out, err = run("scan", str(path), "--format", "joblib")
    assert code == 0, (out, err)
    code, out, _ = run("scan", str(path), "--format", "pickle")
    assert code == 1 and "UNSAFE" in out


def test_verify_says_an_approval_is_missing(release: dict[str, Path]) -> None:
    m = str(release["model"])
    assert run("keygen", "second", "--dir", str(release["dir"] / "keys"))[0] == 0
    assert run("sign", m, "--key", str(release["key"]))[0] == 0
    code, _, err = run("verify", m, "--keyring", str(release["dir"] / "keys"), "--threshold", "2")
    assert code == 1 and "1 of 2 required signatures" in err and "was changed" not in err


def test_scan_reports_the_other_files_when_one_is_missing(tmp_path: Path) -> None:
    good = tmp_path / "ok.pkl"
    good.write_bytes(pickle.dumps([1]))
    missing = str(tmp_path / "missing.pkl")
    code, out, err = run("scan", str(good), missing, str(good))
    assert code == 2 and out.count("SAFE") == 2 and "missing.pkl does not exist" in err
    code, out, _ = run("scan", missing, str(good), "--json")
    doc = json.loads(out)
    assert code == 2 and len(doc["reports"]) == 1
    assert doc["errors"][0]["file"] == missing and doc["errors"][0]["error"] != "_UsageError"
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(b"cos\nsystem\n(S'true'\ntR.")
    assert run("scan", missing, str(bad))[0] == 1  # the unsafe verdict is not hidden


def test_append_without_a_signature_is_a_usage_error(release: dict[str, Path]) -> None:
    approve = ["--key", str(release["key"]), "--append", "--pub", str(release["pub"])]
    code, _, err = run("sign", str(release["model"]), *approve)
    assert code == 2 and "without --append" in err and "load()" not in err


# Issue 16: what a new user tripped over.


def test_prompt_passphrase_without_a_terminal_is_a_usage_error(
    release: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass

    def no_terminal(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", no_terminal)
    code, _, err = run("keygen", "x", "--dir", str(release["dir"]), "--prompt-passphrase")
    assert code == 2 and "--passphrase-env" in err and "Traceback" not in err
    m = str(release["model"])
    code, out, err = run("sign", m, "--key", str(release["key"]), "--prompt-passphrase", "--json")
    assert code == 2 and json.loads(out)["error"] == "UsageError"


def test_ctrl_c_exits_130_without_a_traceback(
    release: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeload import cli

    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_dispatch", interrupted)
    code, _, err = run("verify", str(release["model"]), "--pub", str(release["pub"]))
    assert code == 130 and err.startswith("safeload: interrupted") and "Traceback" not in err


def test_verify_reports_the_other_files_when_one_is_missing(release: dict[str, Path]) -> None:
    m, pub = str(release["model"]), str(release["pub"])
    assert run("sign", m, "--key", str(release["key"]))[0] == 0
    missing = str(release["dir"] / "missing.pkl")
    code, out, err = run("verify", m, missing, m + ".sig", "--pub", pub)
    assert code == 2 and out.startswith("OK") and "missing.pkl does not exist" in err
    assert "1 verified, 1 failed" in out
    code, out, _ = run("verify", missing, m, "--pub", pub, "--json")
    doc = json.loads(out)
    assert code == 2 and doc["verified"] == 1
    assert doc["results"][0]["error_type"] == "ArtifactNotFoundError"
    release["model"].write_bytes(b"changed")
    assert run("verify", missing, m, "--pub", pub)[0] == 1  # a failed check outranks it


def test_scan_json_names_a_missing_file_as_not_found(tmp_path: Path) -> None:
    code, out, _ = run("scan", str(tmp_path / "missing.pkl"), "--json")
    assert code == 2 and json.loads(out)["errors"][0]["error"] == "ArtifactNotFoundError"


def test_jobs_with_state_is_a_usage_error(release: dict[str, Path]) -> None:
    m, pub = str(release["model"]), str(release["pub"])
    state = str(release["dir"] / "state.json")
    code, out, err = run("verify", m, "--pub", pub, "--jobs", "2", "--state", state, "--json")
    assert code == 2 and "--jobs and --state cannot be combined" in err
    assert json.loads(out)["error"] == "UsageError"
    assert run("verify", m, "--pub", pub, "--jobs", "0")[0] == 2


def test_keyring_given_a_public_key_says_use_pub(release: dict[str, Path]) -> None:
    code, _, err = run("verify", str(release["model"]), "--keyring", str(release["pub"]))
    assert code == 2 and f"use --pub {release['pub']}" in err and "JSON" not in err.split(":")[1]


def test_expires_takes_the_keyring_formats_and_must_be_in_the_future(
    release: dict[str, Path],
) -> None:
    m, key = str(release["model"]), str(release["key"])
    assert run("sign", m, "--key", key, "--expires", "next week")[0] == 2
    for when in ("2099-01-31", "2099-01-31T00:00:00Z", "2099-01-31T01:00:00+01:00"):
        assert run("sign", m, "--key", key, "--expires", when)[0] == 0
        _, out, _ = run("inspect", m + ".sig")
        assert "expires:  2099-01-31T00:00:00Z" in out


def test_append_with_a_key_that_already_signed_is_refused(release: dict[str, Path]) -> None:
    m, key = str(release["model"]), str(release["key"])
    assert run("sign", m, "--key", key)[0] == 0
    code, _, err = run("sign", m, "--key", key, "--append", "--pub", str(release["pub"]))
    assert code == 2 and "already has a signature" in err


def test_inspect_of_the_model_shows_its_sig(release: dict[str, Path]) -> None:
    m = str(release["model"])
    code, _, err = run("inspect", m)
    assert code == 2 and "not a signature file" in err and "model.pkl.sig" in err
    assert run("sign", m, "--key", str(release["key"]))[0] == 0
    code, out, err = run("inspect", m)
    assert code == 0 and f"showing {m}.sig" in err and "UNVERIFIED" in out


def test_version_warning_is_one_line_on_stderr(
    release: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeload.signing import versions

    m = release["dir"] / "m.joblib"
    safeload.dump([1.0], m, safeload.SigningKey.from_file(release["key"]))
    running = versions.environment()  # patched where the load's version check looks it up
    monkeypatch.setattr(versions, "environment", lambda: {**running, "numpy": "0.1"})
    code, _, err = run("verify", str(m), "--pub", str(release["pub"]))
    assert code == 0
    assert err.startswith("safeload: warning: ") and "saved with numpy" in err
    assert "warnings.warn" not in err and "VersionMismatchWarning" not in err


def test_convert_records_name_and_expiry(release: dict[str, Path]) -> None:
    m, key, pub = release["model"], str(release["key"]), str(release["pub"])
    from sklearn.linear_model import LinearRegression

    safeload.dump(LinearRegression().fit([[1], [2]], [1, 2]), m, safeload.SigningKey.from_file(key))
    dst = str(release["dir"] / "m.skops")
    args = ("convert", str(m), dst, "--key", key, "--src-pub", pub, "--name", "churn")
    code, _, err = run(*args, "--model-version", "2.0", "--expires", "2099-01-31")
    assert code == 0, err
    p = safeload.verify(dst, safeload.VerifyKey.from_file(pub)).predicate
    assert (p.name, p.version, f"{p.expires:%Y-%m-%d}") == ("churn", "2.0", "2099-01-31")
    assert run(*args, "--expires", "2001-01-01")[0] == 2


def test_pubkey_derives_a_lost_public_key(
    release: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    key, pub = release["key"], release["pub"]
    expected = pub.read_bytes()
    pub.unlink()
    code, out, _ = run("pubkey", str(key))
    assert code == 0 and pub.read_bytes() == expected and "rel.pub" in out
    assert run("pubkey", str(key))[0] == 0  # the same key again: nothing to do
    code, out, _ = run("pubkey", str(key), "--out", "-")
    assert code == 0 and out.encode() == expected
    other = release["dir"] / "other.pub"
    other.write_text("something else")
    code, _, err = run("pubkey", str(key), "--out", str(other))
    assert code == 2 and "refusing to overwrite" in err
    monkeypatch.setenv("P", "pw")
    assert run("keygen", "locked", "--dir", str(release["dir"]), "--passphrase-env", "P")[0] == 0
    (release["dir"] / "locked.pub").unlink()
    assert run("pubkey", str(release["dir"] / "locked.key"))[0] == 2  # needs the passphrase
    code, out, _ = run("pubkey", str(release["dir"] / "locked.key"), "--passphrase-env", "P")
    assert code == 0 and (release["dir"] / "locked.pub").exists()


@pytest.mark.parametrize(
    "command", ["keygen", "sign", "verify", "inspect", "convert", "scan", "pubkey"]
)
def test_every_command_help_has_a_description_and_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(command, "--help")  # argparse prints help to sys.stdout
    page = capsys.readouterr().out
    assert code == 0 and "examples:" in page and f"safeload {command} " in page
    usage_end = page.index("\n\n")
    assert page[usage_end + 2 :].strip()[0].isupper(), "no description under the usage line"
    options = page[page.index("options:") :]
    for flag in ("-h, --help", "--json"):
        if flag in options:
            line = next(x for x in options.splitlines() if x.strip().startswith(flag))
            assert len(line.strip()) > len(flag) + 5, f"{flag} has no help text"


@pytest.mark.parametrize(
    ("argv", "chosen"),
    [
        (["scan", "a.pkl"], "scan"),
        (["-q", "scan", "a.pkl"], "scan"),
        (["-vv", "verify", "m.pkl"], "verify"),
        (["--verbose", "sign", "--help"], "sign"),
        (["--help", "scan"], None),
        (["--version"], None),
        (["--quiet", "sca", "a.pkl"], None),
        (["-qv", "scan"], None),
        ([], None),
    ],
)
def test_only_the_command_that_runs_gets_its_options(argv: list[str], chosen: str | None) -> None:
    from safeload.cli import _COMMANDS, _chosen, _parser

    assert _chosen(argv) == chosen
    sub = next(a for a in _parser(argv)._actions if a.dest == "command")
    built = [name for name, p in sub.choices.items() if len(p._actions) > 1]  # type: ignore[union-attr]
    assert built == ([chosen] if chosen else list(_COMMANDS))


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run("--help", "scan")
    page = capsys.readouterr().out
    assert code == 0
    for summary in ("create an Ed25519", "write FILE.sig", "list what a pickle", "opt-in trust"):
        assert summary in page


def test_scan_imports_no_signing_or_writing_module(tmp_path: Path) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps({"a": [1, 2.0]}))
    code = (
        "import safeload.cli, sys; "
        f"code = safeload.cli.main(['scan', {str(path)!r}]); "
        "print(code, sorted(m for m in sys.modules if m in ('safeload.api', "
        "'safeload.cli.sign', 'safeload.cli.verify', 'safeload._dumping', 'safeload._writing') "
        "or m.startswith(('safeload.signing', 'cryptography'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 []", out.stdout + out.stderr


def test_model_version_and_the_old_version_spelling(
    release: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    m, key = str(release["model"]), str(release["key"])
    assert run("sign", m, "--key", key, "--model-version", "1.4.0")[0] == 0
    assert safeload.inspect_sidecar(m + ".sig")[1].predicate.version == "1.4.0"
    assert run("sign", m, "--key", key, "--version", "1.5.0")[0] == 0  # still accepted
    assert safeload.inspect_sidecar(m + ".sig")[1].predicate.version == "1.5.0"
    code, _, _ = run("--version")  # the global --version is the program's, as before
    assert code == 0 and capsys.readouterr().out.startswith("safeload 0.")
    run("sign", "--help")
    assert "--model-version VERSION, --version VERSION" in capsys.readouterr().out


def test_quiet_and_verbose(release: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    import logging

    m, key, pub = str(release["model"]), str(release["key"]), str(release["pub"])
    code, out, err = run("-q", "sign", m, "--key", key)
    assert code == 0 and out == "" and err == ""
    code, out, _ = run("-q", "verify", m, "--pub", pub, "--json")
    assert code == 0 and json.loads(out)["ok"]  # --json output is the result: kept
    release["model"].write_bytes(b"changed")
    code, out, err = run("-q", "verify", m, "--pub", pub)
    assert code == 1 and out == "" and "FAILED" in err  # errors still reach stderr
    assert run("sign", m, "--key", key)[0] == 0
    code, _, err = run("-v", "verify", m, "--pub", pub)
    assert code == 0 and f"safeload: verified {m}" in err
    logger = logging.getLogger("safeload")
    assert logger.handlers == [] and logger.level == logging.NOTSET  # restored after main()
    assert run("-q", "-v", "verify", m, "--pub", pub)[0] == 2


def test_scan_asks_for_one_blas_thread_only_while_it_scans(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from safeload.cli.scan import _one_blas_thread

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with _one_blas_thread():
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")  # the user's choice stands
    with _one_blas_thread():
        assert os.environ["OPENBLAS_NUM_THREADS"] == "4"
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"
