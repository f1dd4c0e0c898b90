"""Red team 27: reproducers. Each test first shows the harm under plain pickle (or what
``load_unsigned`` / the loaded model does) in a child process under resource limits, then
asserts what should hold; the "should hold" part fails while the finding stands. Payloads only
compute, crash or allocate; nothing is written outside the test's tmp dir.

The round's other reproducers (rt27-03 to rt27-09) are kept with its findings for the next
round; these are the ones fixed (call_rules.BUILT_BY_STATE).
"""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from harm import Child
from safeload.pickle.walker import analyze
from safeload.policy import Policy
from safeload.trust import facts

_GB = 1 << 30


# --- helpers --------------------------------------------------------------------------------


def _verdicts(data: bytes, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """scan's verdict with the shipped facts and with the imported classes."""
    found = {safeload.scan(data).verdict}
    with monkeypatch.context() as m:
        m.setattr(facts, "data_available", lambda: False)
        found.add(safeload.scan(data).verdict)
    return found


def _prepass_problems(data: bytes) -> list[str]:
    """What the load's own static pass (run by ``load_unsigned`` before the C unpickler builds
    anything) finds: an empty list means the unpickler runs the stream."""
    found = analyze(data, policy=Policy.default(), use_time=False, check_trees=False)
    return [p.message for p in found.problems]


def _write(tmp_path: Path, data: bytes, name: str = "m.pkl") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _g(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _short(text: str) -> bytes:
    raw = text.encode()
    return b"U" + bytes([len(raw)]) + raw


def _binunicode(text: str) -> bytes:
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def _dag(depth: int, fan: int, memo: int = 10) -> bytes:
    """``T0 = (1,)``, ``Tk = (Tk-1,) * fan`` through the memo; leaves ``T_depth`` on the stack."""
    body = b"K\x01\x85q" + bytes([memo])
    for k in range(1, depth + 1):
        body += b"0(" + (b"h" + bytes([memo + k - 1])) * fan + b"tq" + bytes([memo + k])
    return body


class _Call:
    """Pickles as ``func(*args)`` (REDUCE)."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> Any:
        return (self.func, self.args)


_HEAD = "import resource, sys, warnings\nwarnings.simplefilter('ignore')\n"


def _child(code: str, path: Path, *, memory: int = 0, cpu: int = 0, timeout: float = 120) -> Child:
    """Run ``code`` (``path`` is ``sys.argv[1]``) in a child under address-space and CPU limits;
    a child past its CPU limit is killed by a signal (negative return code)."""
    head = _HEAD
    if memory:
        head += f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
    if cpu:
        head += f"resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))\n"
    try:
        proc = subprocess.run(
            [sys.executable, "-X", "faulthandler", "-c", head + code, str(path)],
            capture_output=True,
            timeout=timeout,
            cwd=path.parent,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return Child(None, str(exc.stdout or ""), str(exc.stderr or ""))
    return Child(
        proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    )


_PLAIN = (
    "import pickle\n"
    "try:\n"
    "    model = pickle.load(open(sys.argv[1], 'rb'))\n"
    "    print('loaded', flush=True)\n"
    "except MemoryError:\n"
    "    print('MemoryError', flush=True)\n"
)
_LOAD_UNSIGNED = (
    "import safeload\n"
    "try:\n"
    "    model = safeload.load_unsigned(sys.argv[1])\n"
    "    print('loaded', flush=True)\n"
    "except safeload.SafeloadError as exc:\n"
    "    print('refused', str(exc)[:300], flush=True)\n"
    "except MemoryError:\n"
    "    print('raw MemoryError', flush=True)\n"
)
_SCAN = (
    "import safeload\n"
    "from safeload.trust import facts\n"
    "if len(sys.argv) > 2:\n"
    "    facts.data_available = lambda: False\n"
    "report = safeload.scan(open(sys.argv[1], 'rb').read())\n"
    "print('verdict', report.verdict, flush=True)\n"
)


# --- rt27-01: a sparse class called on a crafted sparse matrix converts it while loading -----


def _crafted_csr(pointer: int) -> Any:
    """A csr matrix whose index pointer runs past its 2-item index/data arrays (rt24-18)."""
    import scipy.sparse as sp

    m = sp.csr_matrix(np.array([[1.0, 0, 0, 0], [0, 2.0, 0, 0]]))
    m.indptr = np.array([0, 1, pointer], dtype=np.int32)
    m.has_sorted_indices = False
    return m


def _rt27_01(form: str) -> bytes:
    import scipy.sparse as sp

    cls = {
        "csc_matrix": sp.csc_matrix,  # __init__ -> asformat('csc') -> tocsc: csr_tocsc
        "coo_matrix": sp.coo_matrix,  # -> tocoo: expandptr
        "dok_matrix": sp.dok_matrix,  # -> todok -> tocoo
        "bsr_matrix": sp.bsr_matrix,  # -> tobsr: csr_count_blocks / csr_tobsr
        "dia_matrix": sp.dia_matrix,  # -> todia -> tocoo
        "csc_array": sp.csc_array,
    }[form]
    pointer = 2**31 - 1 if form == "coo_matrix" else 100_000
    return pickle.dumps(_Call(cls, _crafted_csr(pointer)), protocol=2)


@pytest.mark.parametrize(
    "form", ["csc_matrix", "coo_matrix", "dok_matrix", "bsr_matrix", "dia_matrix", "csc_array"]
)
def test_rt27_01_sparse_class_called_on_crafted_matrix_corrupts_heap_in_load(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rt26-01's fix (``call_rules.VALUE_ONLY``) refuses calls of the *functions* a model keeps
    as values. But the scipy.sparse *classes* are allowlisted too, pickle only ever makes them
    by NEWOBJ + BUILD, and nothing stops the stream from calling one with arguments:
    ``csc_matrix(crafted_csr)`` runs ``_compressed.__init__`` -> ``asformat('csc')`` ->
    ``tocsc`` -> ``csr_tocsc`` on the unchecked ``indptr``, inside the C unpickler, before any
    post-build check. ``load_unsigned`` dies with SIGSEGV (faulthandler: ``unpickler.py
    load_pickle_stream`` -> ``_compressed.py __init__`` -> ``_csr.py tocsc``). scan says unsafe
    (its shadow of the argument is checked), but the load's pre-pass is empty."""
    data = _rt27_01(form)
    path = _write(tmp_path, data)
    plain = _child(_PLAIN, path, memory=4 * _GB, cpu=30)
    assert plain.crashed, f"plain pickle: {plain}"
    assert _verdicts(data, monkeypatch) == {"unsafe"}
    loaded = _child(_LOAD_UNSIGNED, path, memory=4 * _GB, cpu=30)
    # should hold: refused before anything is built, no crash
    assert not loaded.crashed and "refused" in loaded.output, f"load_unsigned: {loaded}"
    assert _prepass_problems(data)


# --- rt27-02: a sparse class called with a shape allocates before anything is checked --------


def _rt27_02(form: str) -> bytes:
    import scipy.sparse as sp

    return pickle.dumps(
        {
            "lil_matrix": _Call(sp.lil_matrix, (10**8, 1)),  # 10**8 empty lists (~6 GB)
            "csr_matrix": _Call(sp.csr_matrix, (2**31 - 2, 1)),  # indptr of 2**31 int64s
            "bsr_matrix": _Call(sp.bsr_matrix, (2**31 - 2, 1)),
        }[form],
        protocol=2,
    )


@pytest.mark.parametrize("form", ["lil_matrix", "csr_matrix", "bsr_matrix"])
def test_rt27_02_sparse_class_called_with_shape_allocates_in_load(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same door as rt27-01 with no crafted matrix: ``lil_matrix((10**8, 1))`` (a 51-byte
    file) makes 10**8 Python lists, ``csr_matrix((2**31 - 2, 1))`` a 16 GiB ``indptr``, while
    the C unpickler runs the call. Under a 2 GiB limit plain pickle gets ``MemoryError`` and
    ``load_unsigned`` reports "ran out of memory loading"; without a limit the machine
    swaps. scan says unsafe (the shadow misses ``_shape``), but the load's pre-pass lets the
    call through. Should hold: the pass refuses calls of classes pickle never calls with
    arguments."""
    data = _rt27_02(form)
    path = _write(tmp_path, data)
    plain = _child(_PLAIN, path, memory=2 * _GB, cpu=30)
    assert "MemoryError" in plain.output or plain.crashed or plain.hung, f"plain: {plain}"
    assert _verdicts(data, monkeypatch) == {"unsafe"}
    # should hold: refused by the static pass, before anything is allocated
    assert _prepass_problems(data), "the load's pre-pass lets the allocating call through"


# --- rt27-03: one array fanned out through a list to an allocating __init__ -------------------


# --- rt27-04: one hashed object hashed again and again ---------------------------------------


def _uuid_with(int_value: bytes) -> bytes:
    return _g("uuid", "UUID") + b")\x81" + b"}" + _short("int") + int_value + b"sb"


# --- rt27-05: a pure path made of one part repeated -----------------------------------------


# --- rt27-06: two arrays over one bytes object: a write through one rewrites the other --------


# --- rt27-07: one 4,096-field dtype referenced many times: repr(model) of 41 GB ---------------


# --- rt27-08: a dtype parameter with a huge sub-array: transform allocates n_samples GiB -------


# --- rt27-09: one large constant copied by many calls ----------------------------------------


# --- rt27-10: numpy.ma.MaskedArray called with a sub-array dtype allocates while loading ------


def _rt27_10(n: int) -> bytes:
    big = np.dtype(("f8", (2**27,)))  # itemsize 1 GiB
    return pickle.dumps(_Call(np.ma.MaskedArray, [0] * n, False, big), protocol=2)


def test_rt27_10_masked_array_called_with_huge_dtype(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``numpy.ma.MaskedArray`` is allowlisted for the masked arrays numpy pickles (by
    ``_mareconstruct`` + BUILD), and the pass only checks the shape of ``_mareconstruct`` and
    ``ndarray`` calls (``EMPTY_SHAPE_ARG``). Called directly, ``MaskedArray(data, mask,
    dtype)`` runs ``np.array(data, dtype)``: with ``data = [0] * 8`` and the sub-array dtype
    ``('f8', (2**27,))`` (a 182-byte file) it allocates 8 GiB while the C unpickler runs the
    call (N GiB for N zeros). Plain pickle: ``MemoryError`` under 2 GiB; ``load_unsigned``:
    "ran out of memory loading". scan **SAFE** (facts on and off), the pre-pass empty.
    Should hold: refused by the pass (``MaskedArray`` is never called by a pickle)."""
    data = _rt27_10(8)
    path = _write(tmp_path, data)
    plain = _child(_PLAIN, path, memory=2 * _GB, cpu=30)
    assert "MemoryError" in plain.output, f"plain: {plain}"
    loaded = _child(_LOAD_UNSIGNED, path, memory=2 * _GB, cpu=30)
    # should hold (it ran out of memory before the fix): refused before the call runs
    assert "refused" in loaded.output and "MemoryError" not in loaded.output, loaded
    assert _verdicts(data, monkeypatch) == {"unsafe"}
    assert _prepass_problems(data)
