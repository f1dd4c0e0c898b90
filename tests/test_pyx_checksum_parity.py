"""scan = load on Cython's ``__pyx_unpickle_<Class>(cls, checksum, state)`` (rt47-06).

The helper raises "Incompatible checksums" unless the checksum converts to a C long equal to
one of the layout checksums the class accepts (Cython 3 accepts several, and lists them in the
message); a SeedSequence's state then goes through its typed fields. Every accepted checksum,
read here from the helper's own message, must load and scan SAFE; anything else is refused by
both. The expected outcome of each variant is what plain pickle does with the same bytes.
"""

from __future__ import annotations

import pickle
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parity import verdicts
from redteam import dumps_with, parity


def _accepted(helper: Any, cls: type) -> list[int]:
    """The checksums ``helper`` accepts, as its own refusal of -1 lists them."""
    with pytest.raises(pickle.PickleError) as info:
        helper(cls, -1, None)
    listed = str(info.value).partition(" vs ")[2].partition(" = ")[0]
    found = [int(h, 16) for h in re.findall(r"0x([0-9a-fA-F]+)", listed)]
    assert found
    return found


def _with_checksum(obj: Any, checksum: Any, protocol: int, state: Any = None) -> bytes:
    """``{'x': obj}`` pickled with its Cython checksum (and BUILD ``state``) replaced."""

    def reduce(o: Any) -> Any:
        if o is obj:
            func, args, *rest = o.__reduce__()
            if state is not None:
                rest = [state]
            return (func, (args[0], checksum, args[2]), *rest)
        return NotImplemented

    return dumps_with({"x": obj}, reduce, protocol=protocol)


def _expected(data: bytes) -> str:
    try:
        pickle.loads(data)
    except (pickle.PickleError, TypeError, ValueError, OverflowError, IndexError):
        return "refused"
    return "loaded"


def _objects() -> dict[str, Any]:
    from sklearn._loss._loss import CyHalfMultinomialLoss

    return {"seed": np.random.SeedSequence(5), "loss": CyHalfMultinomialLoss()}


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize("kind", ["seed", "loss"])
def test_every_accepted_checksum_loads(kind: str, protocol: int, tmp_path: Path) -> None:
    """Each checksum the helper lists loads and scans SAFE (the one pickle writes among them);
    one past the largest is refused by both."""
    obj = _objects()[kind]
    helper, args = obj.__reduce__()[:2]
    accepted = _accepted(helper, type(obj))
    assert args[1] in accepted
    for checksum in accepted:
        assert parity(_with_checksum(obj, checksum, protocol), tmp_path) == (True, "loaded")
    wrong = _with_checksum(obj, max(accepted) + 1, protocol)
    assert parity(wrong, tmp_path) == (False, "refused")


@pytest.mark.parametrize(
    "checksum",
    ["str", "float", "float-off", "bool", "huge", "none"],
)
def test_checksum_conversion_parity(checksum: str, tmp_path: Path) -> None:
    """Cython converts the checksum to a C long through ``__int__`` (a float equal to an
    accepted one passes, a str, None or a number past a C long does not): scan asks the
    helper itself, so both agree."""
    obj = _objects()["seed"]
    honest = obj.__reduce__()[1][1]
    value = {
        "str": str(honest),
        "float": float(honest),
        "float-off": honest + 0.5,
        "bool": True,
        "huge": 2**70,
        "none": None,
    }[checksum]
    data = _with_checksum(obj, value, 2)
    expected = _expected(data)
    assert parity(data, tmp_path) == (expected == "loaded", expected)


_FIELDS = {
    "honest": lambda s: s,
    "children-float": lambda s: (s[0], 1.5, *s[2:]),
    "children-neg": lambda s: (s[0], -1, *s[2:]),
    "children-2**32": lambda s: (s[0], 2**32, *s[2:]),
    "children-str": lambda s: (s[0], "1", *s[2:]),
    "pool_size-float": lambda s: (*s[:3], 4.0, s[4]),
    "spawn_key-list": lambda s: (*s[:4], [1]),
    "state-short": lambda s: s[:4],
}


@pytest.mark.parametrize("case", sorted(_FIELDS))
def test_seed_sequence_fields_parity(case: str, tmp_path: Path, monkeypatch: Any) -> None:
    """A SeedSequence's BUILD state goes through its typed fields: what they convert (a float
    count, through ``__int__``) loads, what they refuse (a negative count, a float pool size,
    which goes through ``__index__``, a list for the spawn key) is refused;
    scan gives the state to a real SeedSequence too, with and without the class facts."""
    obj = np.random.SeedSequence(5)
    state = _FIELDS[case](obj.__reduce__()[2])
    data = _with_checksum(obj, obj.__reduce__()[1][1], 2, state)
    expected = _expected(data)
    safe, outcome = parity(data, tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)
    if expected == "refused":  # (the load's own checks may refuse what pickle makes)
        assert outcome == "refused"
    if case in ("honest", "children-float"):
        assert outcome == "loaded"
    assert len(verdicts(data, monkeypatch)) == 1  # from the facts and from the classes


def test_checksum_as_in_pickle(tmp_path: Path) -> None:
    """The reproducer's form: the honest checksum's 4-byte BININT replaced (protocol 2)."""
    obj = _objects()["loss"]
    checksum = obj.__reduce__()[1][1]
    data = pickle.dumps({"x": obj}, protocol=2)
    old = b"J" + struct.pack("<i", checksum)
    assert data.count(old) == 1
    assert parity(data, tmp_path) == (True, "loaded")
    changed = data.replace(old, b"J" + struct.pack("<i", checksum ^ 1))
    assert parity(changed, tmp_path) == (False, "refused")
