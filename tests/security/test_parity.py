"""The static pass must read a stream exactly as the real unpickler does (issue 14).

Each test shows the disagreement against plain pickle (in a child process, where building the
payload's objects could misbehave) and the refusal now.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import safeload
from safeload import MalformedArtifactError
from safeload._attacks import _octal_itemsize_dtype


def _plain(code: str, payload: bytes, tmp_path: Path) -> str:
    """Run ``code`` in a child with ``data`` bound to the payload; return its stdout."""
    path = tmp_path / "payload.bin"
    path.write_bytes(payload)
    prelude = f"import pickle; data = open({str(path)!r}, 'rb').read()\n"
    run = subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_octal_itemsize_dtype(tmp_path: Path) -> None:
    """``I07777777`` is 2,097,151 to the C unpickler (``strtol(..., 0)``); a base-10 reading
    saw 7,777,777 and passed a field at offset 7,000,000 that runs past every item."""
    payload = _octal_itemsize_dtype(str(tmp_path / "marker"))
    assert b"I07777777\n" in payload
    got = _plain("d = pickle.loads(data); print(d.itemsize, d.fields['a'][1])", payload, tmp_path)
    assert got == "2097151 7000000"  # what numpy really receives: the field is out of bounds
    report = safeload.scan(payload)
    assert not report.safe
    assert "numpy.dtype state" in report.findings[0].message
    path = tmp_path / "dtype.pkl"
    path.write_bytes(payload)
    with pytest.raises(MalformedArtifactError):
        safeload.load_unsigned(path)
