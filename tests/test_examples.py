"""Every example runs as a smoke test, in a subprocess, the way a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import safeload

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HOME_PRICE = "859,554.79"  # the seed tutorial's prediction for 5000 sq ft


def _run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHON": sys.executable,
        **(env or {}),
    }
    proc = subprocess.run(
        list(args), capture_output=True, text=True, timeout=300, cwd=cwd, env=full_env, check=False
    )
    assert proc.returncode == expect, proc.stdout + proc.stderr
    return proc


def _example(name: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    return _run(sys.executable, str(EXAMPLES / name), *args, cwd=cwd, env=env).stdout


def _assert_home_prices_output(out: str) -> None:
    assert out.count(HOME_PRICE) == 2  # once for pickle, once for joblib
    assert out.count("identical to the fitted model") == 2
    assert "tampered copy refused: InvalidSignatureError" in out
    assert "copy without its .sig refused: MissingSignatureError" in out


def test_home_prices_with_key_files(tmp_path: Path) -> None:
    key, pub = safeload.generate_keypair(tmp_path / "keys", "demo")
    out_dir = tmp_path / "out"
    args = ("--key", str(key), "--pub", str(pub), "--out", str(out_dir))
    _assert_home_prices_output(_example("home_prices.py", *args, cwd=tmp_path))
    written = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*"))
    assert written == [
        "home_prices.joblib",
        "home_prices.joblib.sig",
        "home_prices.pkl",
        "home_prices.pkl.sig",
        "tampered",
        "tampered/home_prices.joblib",
        "tampered/home_prices.joblib.sig",
        "unsigned",
        "unsigned/home_prices.joblib",
    ]
    # What the example wrote verifies with the public key alone, outside the example.
    for name in ("home_prices.pkl", "home_prices.joblib"):
        safeload.verify(out_dir / name, safeload.VerifyKey.from_file(pub))
    # Running it again into the same folder works (make demo does this).
    _assert_home_prices_output(_example("home_prices.py", *args, cwd=tmp_path))


def test_home_prices_throwaway_key_and_temp_dir(tmp_path: Path) -> None:
    cwd, tmp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmp.mkdir()
    out = _example("home_prices.py", cwd=cwd, env={"TMPDIR": str(tmp)})
    _assert_home_prices_output(out)
    assert not any(cwd.iterdir())  # nothing written into the working directory
    (made,) = tmp.iterdir()  # one fresh temporary folder holds everything
    assert made.name.startswith("safeload-home-")
    assert (made / "home_prices.pkl.sig").is_file()


def test_home_prices_encrypted_key(tmp_path: Path) -> None:
    key = safeload.SigningKey.generate()
    key_path = key.save(tmp_path / "enc.key", password="correct horse battery staple")
    pub_path = key.public_key.save(tmp_path / "enc.pub")
    args = ("--key", str(key_path), "--pub", str(pub_path), "--out", str(tmp_path / "out"))
    out = _example(
        "home_prices.py",
        *args,
        "--passphrase-env",
        "HOME_PRICES_PASSPHRASE",
        cwd=tmp_path,
        env={"HOME_PRICES_PASSPHRASE": "correct horse battery staple"},
    )
    _assert_home_prices_output(out)


def test_home_prices_refuses_pub_without_key(tmp_path: Path) -> None:
    pub = safeload.SigningKey.generate().public_key.save(tmp_path / "x.pub")
    _run(
        sys.executable, str(EXAMPLES / "home_prices.py"), "--pub", str(pub), cwd=tmp_path, expect=2
    )


def test_knn_iris_bytes(tmp_path: Path) -> None:
    out = _example("knn_iris_bytes.py", cwd=tmp_path)
    assert "restored predictions identical: True" in out
    assert "another key: refused (SignatureError)" in out
    assert "one changed byte: refused (SignatureError)" in out


def test_random_forest_formats(tmp_path: Path) -> None:
    out = _example("random_forest_formats.py", "--quick", cwd=tmp_path)
    table = out.split("accuracy preserved", 1)[1].strip().splitlines()
    labels = [line[:17].strip() for line in table]
    assert labels == ["pickle", "joblib", "safeload pickle", "safeload joblib", "safeload skops"]
    assert all(line.rstrip().endswith("yes") for line in table)


needs_bash = pytest.mark.skipif(sys.platform == "win32", reason="bash script")


@needs_bash
def test_release_pipeline(tmp_path: Path) -> None:
    out = _run("bash", str(EXAMPLES / "release_pipeline.sh"), cwd=tmp_path).stdout
    assert f"loaded; 5000 sq ft -> {HOME_PRICE}" in out
    assert "tampered model refused (exit code 1), as expected" in out


@needs_bash
def test_release_pipeline_fails_if_tampering_is_accepted(tmp_path: Path) -> None:
    """If `safeload verify` on the tampered file exits 0 instead of 1, the script fails.

    The script accepts exit code 1 and nothing else, so this also covers 2 (usage/I-O error).
    """
    fake_code = 0
    fake = tmp_path / "fake-safeload"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        '"$PYTHON" -m safeload "$@" && exit 0\n'
        'if [ "$1" = verify ]; then exit "$FAKE_CODE"; fi\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    proc = _run(
        "bash",
        str(EXAMPLES / "release_pipeline.sh"),
        cwd=tmp_path,
        env={"SAFELOAD": str(fake), "FAKE_CODE": str(fake_code)},
        expect=1,
    )
    assert f"unexpected exit code {fake_code}" in proc.stderr


def test_third_party_model(tmp_path: Path) -> None:
    out = _example("third_party_model.py", cwd=tmp_path)
    assert "scan: safe" in out and "predictions identical: True" in out
    assert "malicious file load_unsigned: refused" in out
    assert "malicious file convert: refused" in out
    assert "use-time file scan: unsafe" in out
    assert "use-time file load_unsigned: refused (UnsafeStateError)" in out


def test_make_demo_installs_only_what_the_demo_needs(tmp_path: Path) -> None:
    """Issue 16: `make demo` on a fresh clone installed the test tools and compiled the static
    pass. On a machine without the test venv it must install safeload alone, pure Python."""
    import shutil

    if shutil.which("make") is None:
        pytest.skip("no make here")
    venv = tmp_path / "venv"  # no stamp in it: a fresh clone
    plan = subprocess.run(
        ["make", "-n", "-C", str(ROOT), f"VENV={venv}", "demo"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installs = [line for line in plan.splitlines() if "pip install" in line]
    assert installs, plan
    assert not any("[test" in line or "mypy" in line for line in installs), installs
    assert any("SAFELOAD_PURE_PYTHON=1" in line and " -e ." in line for line in installs)
    assert "examples/home_prices.py" in plan
    (venv / ".installed-stamp").parent.mkdir()
    (venv / ".installed-stamp").touch()  # `make test` already set this venv up: use it
    plan = subprocess.run(
        ["make", "-n", "-C", str(ROOT), f"VENV={venv}", "demo"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "SAFELOAD_PURE_PYTHON=1" not in plan


def test_custom_transformer(tmp_path: Path) -> None:
    out = _example("custom_transformer.py", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert "without trusted=: refused, the file names ('mytransforms.ClipScaler',)" in out
    assert out.count("predictions identical: True") == 2
    assert "trusting scipy's norm_gen by name: refused (it is a class of the installed" in out
