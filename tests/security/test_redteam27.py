"""Red team 27: reproducers. Each test first shows the harm under plain pickle (or what
``load_unsigned`` / the loaded model does) in a child process under resource limits, then
asserts what should hold; the "should hold" part fails while the finding stands. Payloads only
compute, crash or allocate; nothing is written outside the test's tmp dir.

The round's other reproducers (rt27-03 to rt27-09) are kept with its findings for the next
round; these are the ones fixed (call_rules.BUILT_BY_STATE).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    LOAD_UNSIGNED,
    MB,
    PLAIN,
    Call,
    crafted_csr,
    global_,
    prepass_problems,
    run_child,
    short_binstring,
    verdicts,
    write,
)

# --- rt27-01: a sparse class called on a crafted sparse matrix converts it while loading -----


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
    return pickle.dumps(Call(cls, crafted_csr(pointer)), protocol=2)


def _plain_child(path: Path) -> Any:
    """Plain pickle in a fresh interpreter, under 4 GB and :data:`HANG_CPU` of CPU."""
    imports = ("pickle", "scipy.sparse")
    return run_child(PLAIN, path, memory=4 * GB, cpu=HANG_CPU, imports=imports, fresh=True)


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
    path = write(tmp_path, data)
    # heap corruption: whether it shows depends on a fresh interpreter's heap; coo and dok
    # walk the 2**31 - 1 or corrupted pointers until the CPU limit kills them (HANG_CPU,
    # counted after scipy.sparse's import, shows the spin: an honest conversion of this
    # 2-item matrix takes microseconds)
    plain = _plain_child(path)
    if not plain.crashed:  # the corrupted heap faulted at exit, or hung there (dia_matrix,
        # once, on a loaded machine): run it once more before failing
        plain = _plain_child(path)
    assert plain.crashed or plain.returncode is None, f"plain pickle: {plain}"
    assert verdicts(data, monkeypatch) == {"unsafe"}
    loaded = run_child(LOAD_UNSIGNED, path, memory=4 * GB, cpu=30)
    # should hold: refused before anything is built, no crash
    assert not loaded.crashed and "refused" in loaded.output, f"load_unsigned: {loaded}"
    assert prepass_problems(data)


# --- rt27-02: a sparse class called with a shape allocates before anything is checked --------


def _rt27_02(form: str) -> bytes:
    import scipy.sparse as sp

    return pickle.dumps(
        {
            "lil_matrix": Call(sp.lil_matrix, (10**8, 1)),  # 10**8 empty lists (~6 GB)
            "csr_matrix": Call(sp.csr_matrix, (2**31 - 2, 1)),  # indptr of 2**31 int64s
            "bsr_matrix": Call(sp.bsr_matrix, (2**31 - 2, 1)),
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
    path = write(tmp_path, data)
    # 256 MiB past the imports: lil_matrix's object array of 10**8 rows alone is 800 MB
    plain = run_child(PLAIN, path, grow=256 * MB, cpu=30, imports=("scipy.sparse",))
    assert "MemoryError" in plain.output or plain.crashed or plain.hung, f"plain: {plain}"
    assert verdicts(data, monkeypatch) == {"unsafe"}
    # should hold: refused by the static pass, before anything is allocated
    assert prepass_problems(data), "the load's pre-pass lets the allocating call through"


# --- rt27-03: one array fanned out through a list to an allocating __init__ -------------------


# --- rt27-04: one hashed object hashed again and again ---------------------------------------


def _uuid_with(int_value: bytes) -> bytes:
    return global_("uuid", "UUID") + b")\x81" + b"}" + short_binstring("int") + int_value + b"sb"


# --- rt27-05: a pure path made of one part repeated -----------------------------------------


# --- rt27-06: two arrays over one bytes object: a write through one rewrites the other --------


# --- rt27-07: one 4,096-field dtype referenced many times: repr(model) of 41 GB ---------------


# --- rt27-08: a dtype parameter with a huge sub-array: transform allocates n_samples GiB -------


# --- rt27-09: one large constant copied by many calls ----------------------------------------


# --- rt27-10: numpy.ma.MaskedArray called with a sub-array dtype allocates while loading ------


def _rt27_10(n: int) -> bytes:
    big = np.dtype(("f8", (2**27,)))  # itemsize 1 GiB
    return pickle.dumps(Call(np.ma.MaskedArray, [0] * n, False, big), protocol=2)


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
    path = write(tmp_path, data)
    plain = run_child(PLAIN, path, memory=2 * GB, cpu=30)
    assert "MemoryError" in plain.output, f"plain: {plain}"
    loaded = run_child(LOAD_UNSIGNED, path, memory=2 * GB, cpu=30)
    # should hold (it ran out of memory before the fix): refused before the call runs
    assert "refused" in loaded.output and "MemoryError" not in loaded.output, loaded
    assert verdicts(data, monkeypatch) == {"unsafe"}
    assert prepass_problems(data)
