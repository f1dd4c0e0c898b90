"""The collector is paused while a load builds objects, and always left as it was found."""

from __future__ import annotations

import gc
import pickle

import pytest

from safeload import _gc, load_unsigned
from safeload.pickle.walker import analyze
from safeload.policy import Policy


@pytest.fixture(autouse=True)
def _restore_gc() -> object:
    was = gc.isenabled()
    yield None
    if was:
        gc.enable()
    else:  # pragma: no cover
        gc.disable()


def test_paused_restores_an_enabled_collector() -> None:
    gc.enable()
    with _gc.paused():
        assert not gc.isenabled()
        with _gc.paused():  # nested: the inner block must not turn it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    with _gc.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_paused_restores_on_error() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), _gc.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_the_static_pass_runs_without_the_collector() -> None:
    """100,000 symbolic values and not one collection of the older generations (unpaused,
    700 allocations start one, and every 10th a collection of generation 1). On the way out
    a young collection may run: CPython's tuple free list keeps the count of up to 2,000
    freed pairs, so a pass that frees many leaves the young count above 700 (its objects
    are gone by then)."""
    gc.enable()
    calls: list[int] = []  # the generation of each collection started

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            calls.append(info["generation"])

    gc.callbacks.append(record)
    try:
        stream = pickle.dumps([[i] for i in range(50_000)])
        gc.collect()
        assert calls  # the callback sees collections
        calls.clear()
        analysis = analyze(stream, policy=Policy())
        assert analysis.safe and calls in ([], [0])
    finally:
        gc.callbacks.remove(record)
    assert gc.isenabled()


def test_loading_leaves_the_collector_enabled(tmp_path: object) -> None:
    import pathlib

    path = pathlib.Path(str(tmp_path)) / "m.pkl"
    path.write_bytes(pickle.dumps({"a": [1, 2]}))
    gc.enable()
    assert load_unsigned(path) == {"a": [1, 2]}
    assert gc.isenabled()
