"""scan = load on the header of a pickled array's ``__setstate__`` tuple (rt47-07).

numpy's ``ndarray.__setstate__`` parses ``(version, shape, dtype, is_fortran, data)`` as
``(iO!O!iO)`` and takes versions 0 and 1 only, data as bytes or a latin-1 str (a list for an
object dtype); ``MaskedArray.__setstate__`` ignores its version. Each variant below is handed to
numpy itself for the expected outcome, then written into a pickle (protocols 2 and 5): the load
must do what numpy does, and scan must predict it.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import dumps_with, parity, prepass_problems

_FLOAT = np.arange(6, dtype=np.float64).reshape(2, 3)
_OBJECT = np.array([1, "a", None, 2.5, (1,), "b"], dtype=object).reshape(2, 3)

#: name -> (the array, a change of its state list)
_CASES: dict[str, tuple[np.ndarray, Any]] = {
    "honest": (_FLOAT, lambda s: s),
    "version-0": (_FLOAT, lambda s: [0, *s[1:]]),
    "version-true": (_FLOAT, lambda s: [True, *s[1:]]),
    "version-2": (_FLOAT, lambda s: [2, *s[1:]]),
    "version-neg": (_FLOAT, lambda s: [-1, *s[1:]]),
    "version-float": (_FLOAT, lambda s: [1.0, *s[1:]]),
    "version-none": (_FLOAT, lambda s: [None, *s[1:]]),
    "version-huge": (_FLOAT, lambda s: [2**40, *s[1:]]),
    "fortran-1": (_FLOAT, lambda s: [*s[:3], 1, s[4]]),
    "fortran-true": (_FLOAT, lambda s: [*s[:3], True, s[4]]),
    "fortran-7": (_FLOAT, lambda s: [*s[:3], 7, s[4]]),
    "fortran-neg": (_FLOAT, lambda s: [*s[:3], -3, s[4]]),
    "fortran-huge": (_FLOAT, lambda s: [*s[:3], 2**31, s[4]]),
    "fortran-float": (_FLOAT, lambda s: [*s[:3], 0.0, s[4]]),
    "fortran-str": (_FLOAT, lambda s: [*s[:3], "", s[4]]),
    "data-latin1-str": (_FLOAT, lambda s: [*s[:4], s[4].decode("latin-1")]),
    "data-wide-str": (_FLOAT, lambda s: [*s[:4], "\u0100" * 48]),
    "data-bytearray": (_FLOAT, lambda s: [*s[:4], bytearray(s[4])]),
    "data-list": (_FLOAT, lambda s: [*s[:4], [0.0] * 6]),
    "data-none": (_FLOAT, lambda s: [*s[:4], None]),
    "items-4": (_FLOAT, lambda s: s[1:]),
    "items-6": (_FLOAT, lambda s: [*s, None]),
    "items-7": (_FLOAT, lambda s: [*s, b"\x00" * 6, None]),
    "object-honest": (_OBJECT, lambda s: s),
    "object-version-0": (_OBJECT, lambda s: [0, *s[1:]]),
    "object-version-3": (_OBJECT, lambda s: [3, *s[1:]]),
    "object-tuple": (_OBJECT, lambda s: [*s[:4], tuple(s[4])]),
    "object-fortran-none": (_OBJECT, lambda s: [*s[:3], None, s[4]]),
}


def _numpy_takes(array: np.ndarray, state: tuple[Any, ...]) -> bool:
    """Whether numpy's own ``__setstate__`` takes ``state`` (the expected load)."""
    made = np.ndarray.__new__(np.ndarray, (0,), array.dtype)
    try:
        made.__setstate__(state)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def _pickled(array: np.ndarray, state: tuple[Any, ...], protocol: int) -> bytes:
    def reduce(obj: Any) -> Any:
        if type(obj) is np.ndarray and obj is array:
            func, args, _ = obj.__reduce__()
            return func, args, state
        return NotImplemented

    return dumps_with({"a": array}, reduce, protocol=protocol)


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize("case", sorted(_CASES))
def test_array_state_header_parity(case: str, protocol: int, tmp_path: Path) -> None:
    """The load does what numpy does with the state, and scan predicts the load."""
    array, change = _CASES[case]
    state = tuple(change(list(array.__reduce__()[2])))
    expected = "loaded" if _numpy_takes(array, state) else "refused"
    if case == "items-4":  # numpy takes (shape, dtype, is_fortran, data); pickle never writes it,
        expected = "refused"  # and the static pass refuses it for load and scan alike
    safe, outcome = parity(_pickled(array, state, protocol), tmp_path)
    assert (safe, outcome) == (expected == "loaded", expected)


@pytest.mark.parametrize(
    "change", ["honest", "version-9", "fortran-str", "mask-bytearray", "items-5"]
)
def test_masked_array_state_header(change: str) -> None:
    """A masked array's 7-item state: its ``__setstate__`` ignores the version and hands numpy
    the flag, the data and the mask (bytes both). (A masked array outside a search's
    ``cv_results_`` is refused anyway: this asks the static pass the load runs first.)"""
    masked = np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    func, args, state = masked.__reduce__()
    items = list(state)
    if change == "version-9":
        items[0] = 9
    elif change == "fortran-str":
        items[3] = "x"
    elif change == "mask-bytearray":
        items[5] = bytearray(items[5])
    elif change == "items-5":
        items = items[:5]

    class _Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if obj is masked:
                return func, args, tuple(items)
            return NotImplemented

    buf = io.BytesIO()
    _Pickler(buf, protocol=4).dump({"m": masked})
    found = [p for p in prepass_problems(buf.getvalue()) if "fails" in p]
    assert bool(found) == (change not in ("honest", "version-9")), found
    try:
        loaded: Any = pickle.loads(buf.getvalue())  # what numpy does: plain pickle, own bytes
    except (TypeError, ValueError):
        loaded = None
    assert (loaded is None) == bool(found)
