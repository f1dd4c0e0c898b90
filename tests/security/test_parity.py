"""The static pass must read a stream exactly as the real unpickler does (issue 14).

Each test shows the disagreement against plain pickle (in a child process, where building the
payload's objects could misbehave) and the refusal now.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

import safeload
import zygote
from harm import Child, plain
from safeload import MalformedArtifactError
from safeload._attacks import _octal_itemsize_dtype


def _plain(payload: bytes, call: str, tmp_path: Path, *, loads: bool = True) -> Child:
    """Plain pickle + ``call`` on the payload in a child: it exits cleanly, or with the load's
    exception (``loads=False``)."""
    path = tmp_path / "payload.bin"
    path.write_bytes(payload)
    child = plain(path, call, loads=loads, timeout=120)
    assert child.returncode == (0 if loads else 1), child
    return child


def test_octal_itemsize_dtype(tmp_path: Path) -> None:
    """``I07777777`` is 2,097,151 to the C unpickler (``strtol(..., 0)``); a base-10 reading
    saw 7,777,777 and passed a field at offset 7,000,000 that runs past every item."""
    payload = _octal_itemsize_dtype(str(tmp_path / "marker"))
    assert b"I07777777\n" in payload
    child = _plain(payload, "print(model.itemsize, model.fields['a'][1])", tmp_path)
    # what numpy really receives: the field is out of bounds
    assert child.stdout.splitlines() == ["loaded", "2097151 7000000", "returned"], child
    report = safeload.scan(payload)
    assert not report.safe
    # refused at the dtype's type string (its 7,777,777-byte item, rt37-05's check) or, with a
    # smaller item, at its state
    assert "numpy.dtype" in report.findings[0].message
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
    child = _plain(payload, "", tmp_path, loads=False)
    assert child.stderr.splitlines()[-1].startswith(("TypeError", "ValueError")), child
    path = tmp_path / "dag.pkl"
    path.write_bytes(payload)
    run = zygote.subprocess_run(
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


def test_dtype_hidden_behind_a_call(tmp_path: Path) -> None:
    """Issue 14, item 2: an object array's dtype made by ``copyreg._reconstructor(*T)``, ``T``
    itself made by a call. The pass knew only a literal ``numpy.dtype(...)``, skipped the
    object-array check, said SAFE, and load_unsigned segfaulted reading 200,000 unset pointers."""
    from safeload._attacks import _hidden_dtype_object_array

    payload = _hidden_dtype_object_array(str(tmp_path / "marker"))
    path = tmp_path / "hidden.pkl"
    path.write_bytes(payload)
    child = plain(path, "model.sum()", loads=None, timeout=120)
    assert child.crashed, child  # killed by a signal: plain pickle crashes on this file
    report = safeload.scan(payload)
    assert not report.safe and "cannot prove" in report.findings[0].message
    with pytest.raises(MalformedArtifactError, match="cannot prove"):
        safeload.load_unsigned(path)


def test_joblib_wrapper_hidden_behind_a_call(tmp_path: Path) -> None:
    """Issue 14, item 4: joblib's NumpyArrayWrapper made by ``_reconstructor(*T)``. joblib reads
    the object array after it with a fresh memo (``BINGET 0, 1`` = posix, system) and runs the
    command; the pass missed the wrapper, kept reading with the outer memo (numpy, dtype) and
    said SAFE. Now a BUILD on an object of a class the pass cannot see is refused."""
    from safeload._attacks import _hidden_joblib_wrapper

    marker = tmp_path / "marker"
    path = tmp_path / "hidden.joblib"
    path.write_bytes(_hidden_joblib_wrapper(str(marker)))
    plain(path, loader="joblib", loads=None, timeout=120)
    assert marker.exists()  # plain joblib ran the command
    marker.unlink()
    report = safeload.scan(path)
    assert not report.safe and "class the pass cannot see" in report.findings[0].message
    with pytest.raises(MalformedArtifactError):
        safeload.load_unsigned(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "variant",
    ["state behind a call", "four-item state", "bit generator helper", "literal is fine"],
)
def test_array_states_must_be_literal(variant: str) -> None:
    """A BUILD on an array (``_reconstruct``, ``ndarray``, a masked array, however it was made)
    accepts only the literal 5- or 7-item state numpy writes, with a dtype the pass can see."""
    from safeload._attacks import _Asm, _c, _dtype, _g

    f8 = _dtype("f8", (3, "<", None, None, None, -1, -1, 0))
    o8 = _dtype("O8", (3, "|", None, None, None, -1, -1, 63))
    a = _Asm(2)
    if variant == "bit generator helper":  # __bit_generator_ctor(cls) is cls()
        a.call("numpy.random._pickle", "__bit_generator_ctor", _g("numpy.ma.core", "MaskedArray"))
    else:
        a.call("numpy._core.multiarray", "_reconstruct", _g("numpy", "ndarray"), (0,), b"b")
    if variant == "state behind a call":
        a.push(_c("builtins", "tuple", [1, (2,), o8, False, [1, 2]]))
    elif variant == "four-item state":
        a.push(((100_000,), o8, False, []))
    elif variant == "bit generator helper":
        a.push((1, (2,), o8, False, [1], b"\0\0", None))
    else:
        a.push((1, (2,), f8, False, b"\0" * 16))
    report = safeload.scan(a.build().stop().value())
    assert report.safe == (variant == "literal is fine"), report.findings


@pytest.mark.parametrize("builder", ["_memo_dtype_rebuilt", "_dtype_used_then_built"])
def test_dtype_state_is_checked_for_every_build(builder: str, tmp_path: Path) -> None:
    """Issue 14, item 9: the dtype check cached its verdict on the symbolic dtype and ignored
    the state of a later BUILD (a dtype fetched again from the memo, or first used by an array
    and only then built). Plain pickle returns an 8-byte item with an 8-byte field at offset 2."""
    import safeload._attacks as attacks

    payload = getattr(attacks, builder)(str(tmp_path / "marker"))
    child = _plain(
        payload, "d = getattr(model, 'dtype', model); print(d.itemsize, d.fields['a'][1])", tmp_path
    )
    # the field runs 2 bytes past the item
    assert child.stdout.splitlines() == ["loaded", "8 2", "returned"], child
    report = safeload.scan(payload)
    assert not report.safe and "already built or used" in report.findings[0].message
    path = tmp_path / "dtype.pkl"
    path.write_bytes(payload)
    with pytest.raises(MalformedArtifactError, match="already built or used"):
        safeload.load_unsigned(path)


_TEXT_FORMS = [
    b"I010\n",
    b"I-010\n",
    b"I0x10\n",
    b"I 12\n",
    b"I12 \n",
    b"I+7\n",
    b"I01\n",
    b"I00\n",
    b"I1_0\n",
    b"I0o7\n",
    b"I" + b"9" * 30 + b"\n",
    b"L010L\n",
    b"L-0x1fL\n",
    b"L12\n",
    b"F1e3\n",
    b"F-0.0\n",
    b"Fnan\n",
    b"F 1.5\n",
    b"F1_0\n",
    b"S'a\\x41'\n",
    b'S"b"\n',
    b"Vx\\u0041\n",
    b"Vy\\\\\n",
]


def test_static_pass_and_c_unpickler_agree() -> None:
    """The differential property of fuzz/fuzz_diff.py (issue 14) on fixed inputs: every value
    and memo entry the pass predicts for a stream it accepts is what the C unpickler builds,
    for each text argument form and for real pickles of every protocol. `make fuzz` and the
    short run in `make test` (tests/test_fuzz_short.py) search for more."""
    pytest.importorskip("atheris")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))
    import fuzz_diff

    values: list[object] = [
        1,
        -5,
        2**70,
        1.5,
        float("nan"),
        "x\n\\",
        b"abc",
        bytearray(b"z" * 5000),
        (1, (2, "a")),
        {"a": [1, 2], "b": {"c": 3}},
        [None, True, False],
        {1, 2},
    ]
    shared = (1, 2)
    values.append([shared, shared, {"k": shared}])  # memo references
    streams = [pickle.dumps(v, p) for v in values for p in range(6)]
    streams += [form + b"." for form in _TEXT_FORMS]
    for data in streams:
        fuzz_diff.check(data)
    with pytest.raises(AssertionError, match="pass decoded 10, C built 8"):
        from safeload._symbolic import _Const

        fuzz_diff.agree(_Const(10), 8, "result")


def test_fuzz_found_dtype_string_that_numpy_parses_with_python() -> None:
    """Found by fuzz/fuzz_diff.py: ``numpy.dtype(",8")`` raises SyntaxError (numpy reads comma
    type strings with Python's parser), which escaped the static pass as an exception instead
    of a finding. It is now an unsafe verdict like any dtype numpy does not make."""
    from safeload._attacks import _Asm, _c, _ndarray

    payload = _Asm(2).push(_ndarray(_c("numpy", "dtype", ",8", False, True), (1,), b"\0" * 8))
    report = safeload.scan(payload.stop().value())
    assert not report.safe
