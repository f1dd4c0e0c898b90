"""A joblib array wrapper referred to again (memo GET after or before its BUILD, or DUP) is
refused by scan and load (rt53-08's neighbours): joblib's pickler makes a new wrapper per array
and never refers to one twice, and the wrapper itself (or the load's stand-in for it) would
otherwise become a value of the model. test_redteam53.py holds the GET-after-BUILD forms."""

from __future__ import annotations

import io
import pickletools
from pathlib import Path

import joblib
import numpy as np
import pytest

import safeload


def _dumped(model: object) -> bytes:
    buf = io.BytesIO()
    joblib.dump(model, buf, protocol=4)
    return buf.getvalue()


def _verdicts(data: bytes, tmp_path: Path) -> tuple[bool, str]:
    path = tmp_path / "m.joblib"
    path.write_bytes(data)
    safe = safeload.scan(path).safe
    try:
        safeload.load_unsigned(path)
    except safeload.SafeloadError:
        return safe, "refused"
    return safe, "loaded"


def _wrapper_ops(data: bytes) -> tuple[int, int]:
    """The offsets of the first wrapper's NEWOBJ and the MEMOIZE after it."""
    # (lazily: pickletools cannot read the raw array bytes that follow the wrapper's BUILD)
    newobj = -1
    for op, _arg, pos in pickletools.genops(io.BytesIO(data)):
        if op.name == "NEWOBJ":
            newobj = pos
        elif newobj >= 0:
            assert op.name == "MEMOIZE"
            return newobj, pos
    raise AssertionError("no array wrapper")


def test_dup_before_build_refused(tmp_path: Path) -> None:
    """DUP in place of the wrapper's MEMOIZE: the stack keeps the wrapper below the array
    joblib puts in its place (one byte for one byte, so no FRAME length changes)."""
    data = _dumped([np.arange(3)])
    _newobj, memoize = _wrapper_ops(data)
    forged = data[:memoize] + b"2" + data[memoize + 1 :]
    assert _verdicts(forged, tmp_path) == (False, "refused")


@pytest.mark.parametrize("copies", [1, 3])
def test_honest_repeated_arrays_load(tmp_path: Path, copies: int) -> None:
    """One array held several times: joblib writes a new wrapper (and its data) each time."""
    shared = np.arange(5.0)
    data = _dumped([shared] * copies + [{"again": shared}])
    assert data.count(b"NumpyArrayWrapper") == 1  # (the class, memoised once)
    assert _verdicts(data, tmp_path) == (True, "loaded")
