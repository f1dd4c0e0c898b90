"""Protocol 5 pickles: numpy arrays as aligned views of the file buffer, not copies.

numpy pickles an array (protocol 5) as ``_frombuffer(bytearray, dtype, shape, order)``. When a
load owns its buffer (``load``, ``load_unsigned``, ``formats.read(consume=True)``), a bytearray
of 4 KiB or more that nothing but that call uses is handed to numpy as a view of the buffer,
moved over its own opcode header to an aligned address. These tests pin what must not change:
the values, writability, alignment and layout of the arrays, the types of everything else, and
a buffer that a caller keeps.
"""

from __future__ import annotations

import pickle
import pickletools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memory import views_file_buffer
from safeload import MalformedArtifactError, SigningKey, dump, load, load_unsigned
from safeload.formats import read
from safeload.pickle.analysis import VIEW_FROM
from safeload.pickle.unpickler import load_pickle_stream
from safeload.pickle.walker import analyze
from safeload.policy import Limits, Policy, resolve_policy
from safeload.signing import unsigned_artifact


def _arrays() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        "f64": rng.random(5000),
        "i32": np.arange(3001, dtype=np.int32),
        "c128": rng.random(700) + 1j,
        "ld": np.arange(600, dtype=np.longdouble) / 3,  # alignment 16 on x86-64
        "fortran": np.asfortranarray(rng.random((40, 30))),
        "u8": np.arange(5000, dtype=np.uint8),
        "small": np.arange(3.0),
        "raw": bytearray(b"x" * 5000),  # a plain bytearray stays one
        "text": "t",
    }


def _check_like(loaded: dict[str, Any], expected: dict[str, Any]) -> None:
    assert loaded.keys() == expected.keys()
    for key, want in expected.items():
        got = loaded[key]
        assert type(got) is type(want), key
        if isinstance(want, np.ndarray):
            assert got.dtype == want.dtype and got.shape == want.shape, key
            assert np.array_equal(got, want), key
            assert got.flags.aligned and got.flags.writeable, key
            assert got.flags.f_contiguous == want.flags.f_contiguous, key
        else:
            assert got == want, key


@pytest.mark.parametrize("pad", range(16))
def test_arrays_are_aligned_writable_views_at_every_offset(tmp_path: Path, pad: int) -> None:
    """``pad`` shifts every array's place in the file, so each of the 16 residues is met."""
    value = {"pad": "p" * pad, **_arrays()}
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(value, protocol=5))
    loaded = load_unsigned(path)
    _check_like(loaded, value)
    for key in ("f64", "i32", "c128", "fortran", "u8"):
        assert views_file_buffer(loaded[key]), key
        assert loaded[key].ctypes.data % 8 == 0
    assert not views_file_buffer(loaded["small"])  # under VIEW_FROM: copied, not pinning the file
    assert loaded["small"].nbytes < VIEW_FROM
    loaded["f64"][:] = 0  # writable, and no other array shares its bytes
    assert np.array_equal(loaded["i32"], value["i32"]) and np.array_equal(loaded["u8"], value["u8"])


def test_signed_load_views_the_verified_buffer(tmp_path: Path, ed_key: SigningKey) -> None:
    value = _arrays()
    path = tmp_path / "m.pkl"
    dump(value, path, ed_key)
    loaded = load(path, ed_key.public_key)
    _check_like(loaded, value)
    assert views_file_buffer(loaded["f64"])


def test_an_array_that_cannot_be_aligned_is_copied(tmp_path: Path) -> None:
    """A 16-byte dtype whose data cannot reach a 16-byte boundary within its header is copied
    rather than left unaligned."""
    seen_aligned_view = seen_copy = False
    for pad in range(16):
        value = {"pad": "p" * pad, "ld": np.arange(1000, dtype=np.longdouble)}
        path = tmp_path / f"ld{pad}.pkl"
        path.write_bytes(pickle.dumps(value, protocol=5))
        loaded = load_unsigned(path)["ld"]
        assert loaded.flags.aligned and np.array_equal(loaded, value["ld"])
        if views_file_buffer(loaded):
            seen_aligned_view = True
        else:
            seen_copy = True
    assert seen_aligned_view and seen_copy


def test_formats_read_without_consume_leaves_the_buffer_alone() -> None:
    value = _arrays()
    data = bytearray(pickle.dumps(value, protocol=5))
    before = bytes(data)
    policy, limits = resolve_policy(None, ()), Limits()
    first = read(unsigned_artifact(data, "m.pkl", "pickle"), policy, limits, "m.pkl")
    second = read(unsigned_artifact(data, "m.pkl", "pickle"), policy, limits, "m.pkl")
    assert bytes(data) == before
    _check_like(first, value)
    _check_like(second, value)
    assert not views_file_buffer(first["f64"])
    first["f64"][:] = 0
    assert np.array_equal(second["f64"], value["f64"])


def test_consume_spends_the_buffer_for_its_views() -> None:
    value = {"pad": "p", "f64": np.arange(4096, dtype=np.float64)}
    data = bytearray(pickle.dumps(value, protocol=5))
    before = bytes(data)
    artifact = unsigned_artifact(data, "m.pkl", "pickle")
    loaded = read(artifact, resolve_policy(None, ()), Limits(), "m.pkl", consume=True)
    _check_like(loaded, value)
    assert views_file_buffer(loaded["f64"])
    assert np.shares_memory(loaded["f64"], np.frombuffer(data, dtype=np.uint8))
    assert bytes(data) != before  # the data moved over its header: the buffer is spent


@pytest.mark.parametrize("pad", range(16))
def test_a_spent_buffer_cannot_be_read_again(pad: int) -> None:
    """After a consuming read, the buffer's bytes are not the stream any more (arrays moved over
    their headers): a second read must fail, not load whatever the moved bytes now say."""
    value = {"pad": "p" * pad, "f64": np.arange(1000.0)}
    data = bytearray(pickle.dumps(value, protocol=5))
    policy, limits = resolve_policy(None, ()), Limits()
    first = read(unsigned_artifact(data, "m.pkl", "pickle"), policy, limits, "m.pkl", consume=True)
    _check_like(first, value)
    with pytest.raises(MalformedArtifactError, match="refused before loading"):
        read(unsigned_artifact(data, "m.pkl", "pickle"), policy, limits, "m.pkl", consume=True)
    _check_like(first, value)  # the first result is untouched


def test_read_only_buffers_are_never_viewed() -> None:
    value = _arrays()
    data = pickle.dumps(value, protocol=5)
    policy, limits = resolve_policy(None, ()), Limits()
    loaded = load_pickle_stream(data, policy, limits, "m.pkl", views=True)
    _check_like(loaded, value)
    assert not views_file_buffer(loaded["f64"])


# --- what the analysis lists ------------------------------------------------------------------


def _views(data: bytes) -> list[tuple[int, int]]:
    analysis = analyze(data, policy=Policy())
    assert not analysis.problems, analysis.problems
    return analysis.buffer_views


def test_analysis_lists_large_array_buffers_only() -> None:
    data = pickle.dumps(_arrays(), protocol=5)
    listed = _views(data)
    ops = {pos: (op.name, arg) for op, arg, pos in pickletools.genops(data)}
    sizes = sorted(size for _, size in listed)
    assert sizes == sorted(
        a.nbytes for k, a in _arrays().items() if k not in ("small", "raw", "text")
    )
    for pos, size in listed:
        assert ops[pos][0] == "BYTEARRAY8" and len(ops[pos][1]) == size
    assert _views(pickle.dumps(_arrays(), protocol=4)) == []  # no BYTEARRAY8 before protocol 5
    assert _views(pickle.dumps(bytearray(10_000), protocol=5)) == []  # not an array's buffer


def _unframed(data: bytes) -> bytes:
    """``data`` without its FRAME opcodes (frames are optional), so that opcodes can be added."""
    frames = [pos for op, _, pos in pickletools.genops(data) if op.name == "FRAME"]
    out = bytearray(data)
    for pos in reversed(frames):
        del out[pos : pos + 9]
    return bytes(out)


def _memo_index_after(data: bytes, opname: str) -> int:
    """The memo index of the value the last ``opname`` before the last REDUCE pushed (numpy's
    bytearray, or its argument tuple), which MEMOIZE stored right after it."""
    ops = [op.name for op, _, _ in pickletools.genops(data)]
    last = max(i for i, name in enumerate(ops) if name == opname and "REDUCE" in ops[i:])
    assert ops[last + 1] == "MEMOIZE"
    return ops[: last + 1].count("MEMOIZE")


def _fetch_again(data: bytes, opname: str, how: str) -> bytes:
    """An array pickle whose result is ``(array, x)``: ``x`` the value ``opname`` pushed
    (the bytearray, or the argument tuple around it), fetched again by ``how``."""
    stream = _unframed(data)
    assert stream.endswith(b".")
    idx = _memo_index_after(stream, opname)
    fetch = b"h" + bytes([idx]) if how == "BINGET" else b"j" + idx.to_bytes(4, "little")
    return stream[:-1] + fetch + b"\x86."  # TUPLE2, STOP


@pytest.mark.parametrize("how", ["BINGET", "LONG_BINGET"])
@pytest.mark.parametrize("opname", ["BYTEARRAY8", "TUPLE"])
def test_a_buffer_fetched_again_stays_a_bytearray(opname: str, how: str, tmp_path: Path) -> None:
    """A second reference must see what pickle gives: a bytearray, never a view of the file."""
    array = np.arange(1000, dtype=np.float64)
    data = _fetch_again(pickle.dumps(array, protocol=5), opname, how)
    plain = pickle.loads(data)
    assert _views(data) == []
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    loaded = load_unsigned(path)
    assert np.array_equal(loaded[0], array)
    second = loaded[1] if opname == "BYTEARRAY8" else loaded[1][0]
    assert type(second) is bytearray is type(plain[1] if opname == "BYTEARRAY8" else plain[1][0])


def test_a_duplicated_buffer_stays_a_bytearray(tmp_path: Path) -> None:
    """DUP right after the bytearray: the copy is a second reference (in a list here)."""
    array = np.arange(1000, dtype=np.float64)
    stream = _unframed(pickle.dumps(array, protocol=5))
    pos = next(p for op, _, p in pickletools.genops(stream) if op.name == "BYTEARRAY8")
    end = pos + 9 + array.nbytes
    # BYTEARRAY8 x -> x, DUP, EMPTY_LIST, swap impossible: keep it simple, x DUP POP is enough to
    # mark it, and the value that survives is still the one _frombuffer takes.
    data = stream[:end] + b"2" + b"0" + stream[end:]  # DUP, POP
    assert pickle.loads(data).tolist() == array.tolist()
    assert _views(data) == []
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    assert np.array_equal(load_unsigned(path), array)


def test_a_stream_with_its_own_buffer_opcode_is_refused(tmp_path: Path) -> None:
    """NEXT_BUFFER in the file would take one of the views safeload feeds the unpickler; the
    static pass refuses it before any view is made."""
    array = np.arange(1000, dtype=np.float64)
    stream = _unframed(pickle.dumps(array, protocol=5))
    data = stream[:-1] + b"\x97\x86."  # NEXT_BUFFER, TUPLE2, STOP
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)  # plain pickle has no buffers to give it
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    with pytest.raises(MalformedArtifactError, match="NEXT_BUFFER"):
        load_unsigned(path)


def test_joblib_arrays_view_the_buffer_only_when_it_is_handed_over() -> None:
    import io

    import joblib

    value = {"w": np.arange(5000, dtype=np.float64)}
    out = io.BytesIO()
    joblib.dump(value, out)
    data = bytearray(out.getvalue())
    before = bytes(data)
    policy, limits = resolve_policy(None, ()), Limits()
    first = read(unsigned_artifact(data, "m.joblib", "joblib"), policy, limits, "m.joblib")
    second = read(unsigned_artifact(data, "m.joblib", "joblib"), policy, limits, "m.joblib")
    assert not views_file_buffer(first["w"]) and not views_file_buffer(second["w"])
    first["w"][:] = 0  # two reads of one artifact are two independent models
    assert np.array_equal(second["w"], value["w"]) and bytes(data) == before
    owned = read(
        unsigned_artifact(data, "m.joblib", "joblib"), policy, limits, "m.joblib", consume=True
    )
    assert views_file_buffer(owned["w"]) and np.array_equal(owned["w"], value["w"])


def test_damaged_view_pickles_fail_closed() -> None:
    """Random byte changes to a pickle whose arrays are views: each load either succeeds or
    raises a safeload error, never anything else."""
    import random

    from safeload import SafeloadError

    value = {"a": np.arange(600.0), "b": np.arange(700, dtype=np.int32), "c": "x"}
    original = pickle.dumps(value, protocol=5)
    assert _views(original)
    rng = random.Random(1)
    policy, limits = resolve_policy(None, ()), Limits()
    outcomes = {"loaded": 0, "refused": 0}
    for _ in range(300):
        data = bytearray(original)
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        artifact = unsigned_artifact(data, "m.pkl", "pickle")
        try:
            read(artifact, policy, limits, "m.pkl", consume=True)
            outcomes["loaded"] += 1
        except SafeloadError:
            outcomes["refused"] += 1
    assert outcomes["loaded"] and outcomes["refused"]
