"""scan = load on numpy's random states and bit generators given a state (rt47-08).

numpy's state setters check the generator's name and convert every field to a C type; scan
makes a fresh generator of the same kind and hands it the state as the load does, so numpy's
own setter judges both. What the setter keeps (its getter's state) is what the position checks
read: MT19937's ignores ``has_uint32``, PCG64's keeps it. A stored position past the buffer is
still refused by both. The expected outcome of a state numpy's setter refuses is "refused".
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parity import verdicts
from redteam import dumps_with, parity


def _pickled(obj: Any, change: Any, protocol: int) -> bytes:
    """``{'x': obj}`` with the state of each bit generator and random state passed through
    ``change(kind, state_dict)`` (``kind``: "bit" or "legacy")."""

    def reduce(o: Any) -> Any:
        if isinstance(o, np.random.BitGenerator):
            func, args, st = o.__reduce__()
            if isinstance(st, tuple):
                return func, args, (change("bit", dict(st[0])), *st[1:])
            return func, args, change("bit", dict(st))
        if type(o) is np.random.RandomState:
            func, args, st = o.__reduce__()
            return func, args, change("legacy", dict(st))
        return NotImplemented

    return dumps_with({"x": obj}, reduce, protocol=protocol)


def _numpy_refuses(obj: Any, change: Any) -> bool:
    """Whether numpy's own setters refuse the changed states (what the load meets first)."""
    try:
        pickle.loads(_pickled(obj, change, 4))
    except (TypeError, ValueError, OverflowError, IndexError, KeyError):
        return True
    return False


def _only(kind: str, change: Any) -> Any:
    return lambda k, st: change(st) if k == kind else st


_GENERATOR_CASES: dict[str, tuple[str, Any, str | None]] = {
    # name -> (bit generator, change of its state dict, the load's outcome if numpy takes it)
    "honest": ("PCG64", lambda s: s, "loaded"),
    "dxsm-honest": ("PCG64DXSM", lambda s: s, "loaded"),
    "dxsm-name-pcg64": ("PCG64DXSM", lambda s: {**s, "bit_generator": "PCG64"}, None),
    "pcg64-has_uint32-2": ("PCG64", lambda s: {**s, "has_uint32": 2}, "refused"),
    "pcg64-has_uint32-true": ("PCG64", lambda s: {**s, "has_uint32": True}, "loaded"),
    "pcg64-uinteger-huge": ("PCG64", lambda s: {**s, "uinteger": 2**64}, None),
    "sfc64-honest": ("SFC64", lambda s: s, "loaded"),
    "sfc64-name-philox": ("SFC64", lambda s: {**s, "bit_generator": "Philox"}, None),
    "philox-buffer_pos-9": ("Philox", lambda s: {**s, "buffer_pos": 9}, "refused"),
    "philox-honest": ("Philox", lambda s: s, "loaded"),
    "mt19937-honest": ("MT19937", lambda s: s, "loaded"),
    "mt19937-pos-huge": (
        "MT19937",
        lambda s: {**s, "state": {**s["state"], "pos": 10**6}},
        "refused",
    ),
    "mt19937-key-short": (
        "MT19937",
        lambda s: {**s, "state": {**s["state"], "key": s["state"]["key"][:10]}},
        None,
    ),
    "mt19937-has_uint32-2": ("MT19937", lambda s: {**s, "has_uint32": 2}, "loaded"),
    "mt19937-extra-key": ("MT19937", lambda s: {**s, "other": "x"}, "loaded"),
}


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize("case", sorted(_GENERATOR_CASES))
def test_generator_state_parity(case: str, protocol: int, tmp_path: Path, monkeypatch: Any) -> None:
    """A Generator's bit generator given a changed state: numpy's setter refuses (the load
    refuses, scan unsafe) or takes it, and then the position checks judge what it kept."""
    kind, change, outcome = _GENERATOR_CASES[case]
    gen = np.random.Generator(getattr(np.random, kind)(0))
    data = _pickled(gen, _only("bit", change), protocol)
    if _numpy_refuses(gen, _only("bit", change)):
        assert outcome is None, case
        outcome = "refused"
    assert outcome is not None
    assert parity(data, tmp_path) == (outcome == "loaded", outcome)
    assert len(verdicts(data, monkeypatch)) == 1  # from the facts and from the classes


_LEGACY_CASES: dict[str, tuple[Any, str | None]] = {
    "honest": (lambda s: s, "loaded"),
    "gauss-str": (lambda s: {**s, "gauss": "x"}, None),
    "gauss-int": (lambda s: {**s, "gauss": 3}, "loaded"),
    "has_gauss-2": (lambda s: {**s, "has_gauss": 2}, "refused"),
    "name-pcg64": (lambda s: {**s, "bit_generator": "PCG64"}, None),
    "no-state": (lambda s: {k: v for k, v in s.items() if k != "state"}, None),
    "pos-huge": (lambda s: {**s, "state": {**s["state"], "pos": 10**6}}, "refused"),
    "has_uint32-2": (lambda s: {**s, "has_uint32": 2}, "loaded"),
}


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize("case", sorted(_LEGACY_CASES))
def test_random_state_parity(case: str, protocol: int, tmp_path: Path, monkeypatch: Any) -> None:
    """A RandomState (``__randomstate_ctor(<MT19937>)`` in numpy 2) given a changed state."""
    change, outcome = _LEGACY_CASES[case]
    state = np.random.RandomState(0)
    data = _pickled(state, _only("legacy", change), protocol)
    if _numpy_refuses(state, _only("legacy", change)):
        assert outcome is None, case
        outcome = "refused"
    assert outcome is not None
    assert parity(data, tmp_path) == (outcome == "loaded", outcome)
    assert len(verdicts(data, monkeypatch)) == 1


def _named_bit_generator(name: str, state: dict[str, Any]) -> bytes:
    """numpy 1.x's form: ``__bit_generator_ctor('<name>')`` and a BUILD of the state dict."""
    from numpy.random import _pickle

    ctor = getattr(_pickle, "__bit_generator_ctor")  # (a dunder name, mangled in a class)

    class _Named:
        def __reduce__(self) -> Any:
            return ctor, (name,), state

    return pickle.dumps({"x": _Named()}, protocol=2)


@pytest.mark.parametrize("change", ["honest", "name-sfc64", "uinteger-str", "has_uint32-2"])
def test_bit_generator_by_name_parity(change: str, tmp_path: Path) -> None:
    """A bit generator made by name (plain arguments, probed before rt47-08 too)."""
    state = np.random.PCG64(0).state
    if change == "name-sfc64":
        state["bit_generator"] = "SFC64"
    elif change == "uinteger-str":
        state["uinteger"] = "x"
    elif change == "has_uint32-2":
        state["has_uint32"] = 2
    outcome = "loaded" if change == "honest" else "refused"
    assert parity(_named_bit_generator("PCG64", state), tmp_path) == (outcome == "loaded", outcome)
