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


_SCAN_CAPPED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB of address space
resource.setrlimit(resource.RLIMIT_CPU, (60, 60))  # killed by SIGXCPU if it spins
import safeload
report = safeload.scan(open(sys.argv[1], "rb").read())
print(report.verdict, report.findings[0].limit if report.findings else None)
"""


def test_memo_dag_constant_folding_is_bounded(tmp_path: Path) -> None:
    """T0=(1,), Tk=(Tk-1,Tk-1) through the memo, T27 as an array shape. Before memoised folding
    this 417-byte file made scan visit 2**28 tuples (3.8 GiB, then MemoryError); now the fold
    is linear and its expanded size is charged to a budget of 16 units per byte."""
    from safeload._attacks import _memo_dag_shape

    payload = _memo_dag_shape(str(tmp_path / "marker"))
    assert len(payload) < 600
    # plain pickle builds the DAG in a moment (28 tuples); numpy refuses the shape
    got = _plain(
        "import numpy\n"
        "try:\n    pickle.loads(data)\nexcept (TypeError, ValueError) as e:\n"
        "    print('refused', type(e).__name__)",
        payload,
        tmp_path,
    )
    assert got.startswith("refused")
    path = tmp_path / "dag.pkl"
    path.write_bytes(payload)
    run = subprocess.run(
        [sys.executable, "-c", _SCAN_CAPPED, str(path)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr  # completed within 1 GiB and 60 s of CPU
    assert run.stdout.split() == ["unsafe", "True"]  # refused, as a limit
    with pytest.raises(safeload.LimitExceededError):
        safeload.load_unsigned(path)


def test_folding_is_memoised_and_charged_by_expanded_size() -> None:
    from safeload._symbolic import (
        FOLD_UNITS_BASE,
        FOLD_UNITS_PER_BYTE,
        FoldBudget,
        _Const,
        _const_value,
        _fold,
        _Tuple,
    )

    t = _Tuple([_Const(1)])
    for _ in range(500):  # 2**500 nodes expanded: only memoisation makes this return
        t = _Tuple([t, t])
    value, size = _fold(t)
    assert value[0] is value[1] and size == 1 << 62  # shared, and the size saturates
    with pytest.raises(safeload.LimitExceededError):
        _const_value(t, FoldBudget(1000))
    small = _Tuple([_Const(1), _Const(2)])
    budget = FoldBudget(10)
    assert budget.total == FOLD_UNITS_PER_BYTE * 10 + FOLD_UNITS_BASE
    assert _const_value(small, budget) == (1, 2) and budget.total - budget.left == 3
