"""Every example runs as a smoke test (in a subprocess, as a user would run it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _run(*args: str, tmp_path: Path) -> str:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHON": sys.executable,
    }
    proc = subprocess.run(
        list(args), capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_home_prices(tmp_path: Path) -> None:
    from safeload import generate_keypair

    key, pub = generate_keypair(tmp_path / "keys", "demo")
    out = _run(
        sys.executable,
        str(EXAMPLES / "home_prices.py"),
        "--key",
        str(key),
        "--pub",
        str(pub),
        "--out",
        str(tmp_path / "out"),
        tmp_path=tmp_path,
    )
    assert out.count("859,554.79") == 2
    assert "tampered copy refused: SignatureError" in out
    assert "refused: MissingSignatureError" in out
    assert (tmp_path / "out" / "home_prices.joblib.sig").exists()


def test_knn_iris_bytes(tmp_path: Path) -> None:
    out = _run(sys.executable, str(EXAMPLES / "knn_iris_bytes.py"), tmp_path=tmp_path)
    assert "identical: True" in out and out.count("refused") == 2


def test_random_forest_formats(tmp_path: Path) -> None:
    out = _run(
        sys.executable, str(EXAMPLES / "random_forest_formats.py"), "--quick", tmp_path=tmp_path
    )
    for label in ("pickle", "joblib", "safeload pickle", "safeload joblib", "safeload skops"):
        assert label in out
    assert "NO" not in out.split("accuracy preserved", 1)[1]


@pytest.mark.skipif(sys.platform == "win32", reason="bash script")
def test_release_pipeline(tmp_path: Path) -> None:
    out = _run("bash", str(EXAMPLES / "release_pipeline.sh"), tmp_path=tmp_path)
    assert "859,554.79" in out and "tampered model refused (exit code 1)" in out


def test_third_party_model(tmp_path: Path) -> None:
    out = _run(sys.executable, str(EXAMPLES / "third_party_model.py"), tmp_path=tmp_path)
    assert "scan: safe" in out and "predictions identical: True" in out
    assert "malicious file load_unsigned: refused" in out
    assert "malicious file convert: refused" in out
