"""safeload's own protocol 5 pickles put each large array's data on a 16-byte boundary of the
file (safeload.pickle.aligned), so that a load views it without moving it first. The padding
is a string pushed and popped: the stream must load to the same object under plain pickle and
under safeload, scan safe, and keep its frames consistent."""

from __future__ import annotations

import pickle
import pickletools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from safeload import SigningKey, dump, load, load_unsigned, scan
from safeload.formats import write
from safeload.pickle.aligned import ALIGNMENT, align_bytearrays
from safeload.pickle.walker import analyze
from safeload.policy import Policy


def _model() -> dict[str, Any]:
    rng = np.random.default_rng(0)
    return {
        # between VIEW_FROM and pickle's 64 KiB frame target: written inside a FRAME
        "in_frame": [rng.random(600 + i) for i in range(5)],
        # larger than the frame target: written between frames
        "big": rng.random(20_000),
        "ld": np.arange(700, dtype=np.longdouble),
        "small": np.arange(3.0),
        "text": "t" * 3,
    }


def _views_misaligned(data: bytes) -> int:
    found = analyze(data, policy=Policy(), use_time=False, check_trees=False)
    assert not found.problems
    assert found.buffer_views
    return sum(1 for pos, _size in found.buffer_views if (pos + 9) % ALIGNMENT)


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        if k == "in_frame":
            assert all(np.array_equal(x, y) for x, y in zip(a[k], b[k], strict=True))
        elif isinstance(a[k], np.ndarray):
            assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k])
        else:
            assert a[k] == b[k]


def test_written_pickles_have_aligned_arrays() -> None:
    model = _model()
    plain = pickle.dumps(model, protocol=5)
    assert _views_misaligned(plain) > 0  # what pickle writes (the test can fail)
    padded = write(model, "pickle")
    assert _views_misaligned(padded) == 0
    _same(pickle.loads(padded), model)  # any unpickler reads the padding and drops it
    ops = [op.name for op, _arg, _pos in pickletools.genops(padded)]
    assert ops.count("FRAME") >= 1 and "SHORT_BINUNICODE" in ops
    assert scan(padded, format="pickle").safe


def _frames(data: bytes) -> list[tuple[int, int]]:
    return [
        (pos, pos + 9 + arg)
        for op, arg, pos in pickletools.genops(data)
        if op.name == "FRAME" and pos is not None
    ]


def test_frames_grow_by_their_padding() -> None:
    plain = pickle.dumps(_model(), protocol=5)
    views = analyze(plain, policy=Policy(), use_time=False, check_trees=False).buffer_views
    inside = [p for p, _ in views if any(f < p < end for f, end in _frames(plain))]
    assert inside  # some arrays are written inside a FRAME (the case under test)
    padded = align_bytearrays(plain)
    # the static pass refuses an opcode that crosses the end of its FRAME: a frame that did
    # not grow by its padding would end inside an opcode
    assert _views_misaligned(padded) == 0
    _same(pickle.loads(padded), _model())


@pytest.mark.parametrize("protocol", [2, 4])
def test_other_protocols_are_written_as_pickle_writes_them(protocol: int) -> None:
    model = _model()
    assert write(model, "pickle", protocol=protocol) == pickle.dumps(model, protocol=protocol)


def test_streams_without_views_are_unchanged() -> None:
    data = pickle.dumps({"a": np.arange(3.0)}, protocol=5)
    assert align_bytearrays(data) == data
    broken = data[:-1]  # no STOP: the pass refuses it, and the writer leaves it alone
    assert align_bytearrays(broken) == broken


def test_signed_round_trip(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "m.pkl"
    dump(_model(), path, key)
    _same(load(path, key.public_key), _model())
    _same(load_unsigned(path), _model())
    with path.open("rb") as fh:
        _same(pickle.load(fh), _model())
