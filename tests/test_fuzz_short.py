"""A short, fixed-seed run of every atheris fuzz target (the long runs are `make fuzz`), one
test per target so that the two test workers share them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

FUZZ = Path(__file__).resolve().parent.parent / "fuzz" / "run.py"


TARGETS = ("fuzz_sidecar.py", "fuzz_scan.py", "fuzz_load.py", "fuzz_diff.py")


@pytest.mark.parametrize("target", TARGETS)
def test_short_fuzz_run(target: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(FUZZ), "--runs", "200", "--seed", "1", "--target", target],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no crash" in proc.stdout


def test_every_target_has_a_short_run() -> None:
    """The targets above are fuzz/run.py's."""
    assert "TARGETS = " + str(TARGETS).replace("'", "\"") in FUZZ.read_text()
