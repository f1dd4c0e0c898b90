"""A short, fixed-seed run of every atheris fuzz target (the long runs are `make fuzz`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

FUZZ = Path(__file__).resolve().parent.parent / "fuzz" / "run.py"


def test_short_fuzz_run() -> None:
    proc = subprocess.run(
        [sys.executable, str(FUZZ), "--runs", "600", "--seed", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no crash" in proc.stdout
