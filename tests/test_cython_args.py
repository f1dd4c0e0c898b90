"""The Cython argument rules (:mod:`safeload.trust.structures.cython_args`) against
scikit-learn's own rebuilders: for each value of a zoo, the rule accepts it exactly when the
real conversion does (a C double: ``CyPinballLoss(quantile)``; C ``intp_t`` and ``int``
counts and float64/intp memoryviews: ``KDTree.__setstate__``), and is unproven only on values
it does not model."""

from __future__ import annotations

import datetime
import decimal
import fractions
import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from safeload.trust.shadow_values import Unproven
from safeload.trust.structures import cython_args
from safeload.trust.structures.common import Bad

_DATA = np.random.RandomState(0).rand(10, 2)


def _zoo() -> dict[str, Any]:
    ro = _DATA.copy()
    ro.flags.writeable = False
    return {
        "int": 1,
        "bool": True,
        "neg": -1,
        "int-2**31": 2**31,
        "int-2**63": 2**63,
        "int-huge": 10**400,
        "float": 0.5,
        "float-1.0": 1.0,
        "nan": float("nan"),
        "complex": 1j,
        "str": "1",
        "bytes": b"1",
        "bytearray": bytearray(b"1"),
        "None": None,
        "list": [1],
        "tuple": (1,),
        "dict": {},
        "np.float64": np.float64(0.5),
        "np.float32": np.float32(0.5),
        "np.float16": np.float16(1),
        "np.longdouble": np.longdouble(1),
        "np.int64": np.int64(1),
        "np.int32": np.int32(1),
        "np.uint64": np.uint64(1),
        "np.uint64-max": np.uint64(2**64 - 1),
        "np.bool": np.bool_(True),
        "np.complex128": np.complex128(1),
        "np.str": np.str_("1"),
        "np.datetime64": np.datetime64(1, "s"),
        "np.timedelta64": np.timedelta64(1, "s"),
        "decimal": decimal.Decimal("0.5"),
        "decimal-snan": decimal.Decimal("sNaN"),
        "decimal-inf": decimal.Decimal("inf"),
        "fraction": fractions.Fraction(1, 2),
        "timedelta": datetime.timedelta(1),
        "date": datetime.date(2020, 1, 1),
        "array-0d": np.array(0.5),
        "array-0d-int": np.array(3),
        "array-1": np.array([0.5]),
        "array-data": _DATA,
        "array-readonly": ro,
        "array-f4": _DATA.astype(np.float32),
        "array-big-endian": _DATA.astype(">f8"),
        "array-fortran": np.asfortranarray(_DATA),
        "array-strided": np.repeat(_DATA, 2, axis=0)[::2],
        "array-1d": _DATA.ravel(),
        "array-3d": _DATA[None],
        "array-empty": np.zeros((0, 2)),
        "array-empty-fortran": np.zeros((0, 2), order="F"),
        "array-one-row-fortran": np.asfortranarray(_DATA[:1]),
        "array-longdouble": _DATA.astype(np.longdouble),
        "array-int64": np.arange(10),
        "array-intq": np.arange(10).astype("q"),
        "array-int32": np.arange(10, dtype=np.int32),
        "array-uint64": np.arange(10, dtype=np.uint64),
        "array-int-big-endian": np.arange(10).astype(">i8"),
        "array-object": _DATA.astype(object),
        "class": int,
        "function": len,
    }


#: Values the rules do not model (they are unproven, never accepted or refused).
_UNMODELLED = {"array-object"}


def _outcome(call: Callable[[], Any]) -> str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except Unproven:
        return "unproven"
    except Bad:
        return "refused"
    except (TypeError, ValueError, OverflowError, decimal.InvalidOperation):
        return "refused"
    return "ok"


def _loss(value: Any) -> None:
    from sklearn._loss._loss import CyPinballLoss

    CyPinballLoss(value)


def _tree_state(index: int, value: Any) -> None:
    from sklearn.neighbors import KDTree

    state = list(KDTree(_DATA).__getstate__())
    state[index] = value
    KDTree.__new__(KDTree).__setstate__(tuple(state))


_CASES: dict[str, tuple[Callable[[Any], None], Callable[[Any], None]]] = {
    "double": (_loss, lambda v: cython_args.as_c_double(v, "x")),
    "intp": (lambda v: _tree_state(4, v), lambda v: cython_args.as_c_int(v, "x", "intp")),
    "int": (lambda v: _tree_state(7, v), lambda v: cython_args.as_c_int(v, "x", "int")),
    "float64[:, ::1]": (
        lambda v: _tree_state(0, v),
        lambda v: cython_args.as_typed_view(v, "x", "float64", 2),
    ),
    "intp[::1]": (
        lambda v: _tree_state(1, v),
        lambda v: cython_args.as_typed_view(v, "x", "intp", 1),
    ),
}


@pytest.mark.parametrize("case", sorted(_CASES))
@pytest.mark.parametrize("name", sorted(_zoo()))
def test_rule_agrees_with_cython(case: str, name: str) -> None:
    real, rule = _CASES[case]
    value = _zoo()[name]
    expected = _outcome(lambda: real(value))
    got = _outcome(lambda: rule(value))
    if name in _UNMODELLED and "[" not in case:  # (a memoryview refuses an object array)
        assert got == "unproven", (case, name, expected)
    else:
        assert got == expected, (case, name, got, expected)


def test_loss_table_matches_the_classes() -> None:
    """:data:`LOSS_ARGUMENTS` names exactly the losses the walk lets REDUCE call, with the
    counts of arguments their ``__init__`` takes."""
    import importlib

    from safeload.pickle.call_rules import CYTHON_LOSSES

    assert set(cython_args.LOSS_ARGUMENTS) == set(CYTHON_LOSSES)
    for (module, name), (fewest, most) in cython_args.LOSS_ARGUMENTS.items():
        cls = getattr(importlib.import_module(module), name)
        for count in range(4):
            expected = "ok" if fewest <= count <= most else "refused"
            made = functools.partial(cls, *([0.5] * count))
            assert _outcome(made) == expected, (name, count)
