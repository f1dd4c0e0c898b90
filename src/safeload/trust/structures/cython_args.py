"""What a Cython ``__setstate__`` or ``__cinit__`` does to its arguments before any check runs.

A Cython rebuilder assigns what the stream gives it to C fields: a ``double`` (``p`` of a
distance metric, the quantile of a pinball loss), an ``intp_t`` or ``int`` count, a typed
memoryview of float64 or intp items. The conversion raises on a value of the wrong kind
(``"2.0"`` for a double, ``1.5`` for a count, a float32 array for a float64 view), so the
load fails there and refuses the file. ``scan`` builds nothing: these rules say, of the value
the stream gives, whether the conversion would fail (the load refuses, so scan must too,
rt47-02..04), and accept what it converts (a numpy integer for a count, rt47-05).

Each rule holds on a loaded object too, where the value is what the conversion made, so the
build-time checks call them on both. A value the pass cannot see raises
:class:`~safeload.trust.shadow_values.Unproven`; a value of a type the rules do not model (an
instance of a class from the file) too: what its ``__float__`` or ``__index__`` would do is not
shown. Verified against scikit-learn's own rebuilders in ``tests/test_cython_args.py``.
"""

from __future__ import annotations

import datetime
import decimal
import fractions
import operator
import types
import uuid
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from safeload.trust.shadow_values import Shadow, Unknown, Unproven, is_real
from safeload.trust.structures.common import Bad, require

#: Types whose ``__float__`` and ``__index__`` (or their absence) are the standard library's or
#: numpy's own code: the rules convert them as Cython does. (An object array is left out: its
#: conversion converts its item, which may be anything.)
_MODELLED = (
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    bytearray,
    type(None),
    list,
    tuple,
    dict,
    set,
    frozenset,
    range,
    slice,
    np.generic,
    np.ndarray,
    decimal.Decimal,
    fractions.Fraction,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    datetime.tzinfo,
    uuid.UUID,
)

#: C integer types of the rebuilders' fields: (lowest, highest) value.
C_RANGES = {
    "int": (-(2**31), 2**31 - 1),
    "intp": (-(2**63), 2**63 - 1),
    "long": (-(2**63), 2**63 - 1),
}


def _modelled(value: Any, what: str) -> bool:
    """Whether ``value`` is a class or a function (neither converts to a number); raises
    :class:`Unproven` unless it is one of the :data:`_MODELLED` values."""
    kind = type(value)
    if kind is Unknown or kind is Shadow:
        raise Unproven(f"{what}: a value whose conversion the pass does not model")
    if isinstance(value, _MODELLED):
        if isinstance(value, np.ndarray | np.generic) and value.dtype.hasobject:
            raise Unproven(f"{what}: an object array, whose item the conversion converts")
        return False
    if isinstance(value, type | types.FunctionType | types.BuiltinFunctionType):
        return True
    raise Unproven(f"{what}: a value whose conversion the pass does not model")


def _converted(value: Any, what: str, kind: str, convert: Callable[[Any], Any]) -> Any:
    """``convert(value)`` as Cython's conversion makes it, for a value :func:`_modelled`
    models; a str or bytes is refused (Cython's conversions do not parse text, unlike
    ``float()`` and ``int()``), and so is whatever ``convert`` raises on."""
    require(
        not _modelled(value, what) and not isinstance(value, str | bytes | bytearray),
        f"{what} is not {kind}",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's ComplexWarning: the load converts
            return convert(value)
    except (TypeError, ValueError, OverflowError, decimal.InvalidOperation) as exc:
        require(False, f"{what} is not {kind} ({type(exc).__name__}: {exc})")


def as_c_double(value: Any, what: str) -> None:
    """Cython's conversion of ``value`` to a C ``double`` (``PyFloat_AsDouble``: ``__float__``,
    then ``__index__``; a str or bytes is refused, unlike ``float()``) must succeed."""
    _converted(value, what, "a real number", float)


def as_c_int(value: Any, what: str, ctype: str = "intp") -> None:
    """Cython's conversion of ``value`` to a C integer of type ``ctype`` must succeed and fit.
    ``intp`` (``Py_ssize_t``) takes ``__index__`` only: a float, a numpy bool or a 0-d float
    array is refused. ``int`` and ``long`` take ``__int__`` (a float is truncated, as Cython
    does; a str is refused, unlike ``int()``)."""
    number = _converted(value, what, "an integer", operator.index if ctype == "intp" else int)
    low, high = C_RANGES[ctype]
    require(low <= number <= high, f"{what} does not fit a C {ctype}")


#: numpy kinds and sizes of the element types the memoryviews take.
_VIEW_ITEMS = {
    "float64": ("f", 8),
    "intp": ("i", 8),
    "int32": ("i", 4),
    "uint8": ("u", 1),
}


def as_typed_view(value: Any, what: str, item: str, ndim: int, *, none_ok: bool = True) -> None:
    """Cython's conversion of ``value`` to a C-contiguous typed memoryview of ``ndim``
    dimensions of ``item`` (``const float64_t[:, ::1]``...) must succeed: a buffer (a numpy
    array) of that element type in native byte order, C-contiguous, with that many
    dimensions. ``None`` is accepted where the field may hold none."""
    if value is None:
        require(none_ok, f"{what} is None")
        return
    if is_real(value, (bytes, bytearray)):
        require(ndim == 1 and item == "uint8", f"{what} is bytes, not an array of {item}")
        return
    if not is_real(value, np.ndarray):
        _modelled(value, what)  # (raises Unproven for what it does not model)
        require(False, f"{what} is not an array (a {type(value).__name__})")
    dt = value.dtype
    kind, size = _VIEW_ITEMS[item]
    if dt.names is not None:
        raise Unproven(f"{what}: a record array, whose buffer the pass does not model")
    require(value.ndim == ndim, f"{what} has {value.ndim} dimensions, not {ndim}")
    require(
        dt.kind == kind and dt.itemsize == size and dt.isnative,
        f"{what} is {dt.str}, not native {item}",
    )
    require(value.flags.c_contiguous, f"{what} is not C-contiguous")


#: scikit-learn's Cython losses that pickle rebuilds by calling the class on its one
#: parameter, a C ``double`` (``CyPinballLoss(quantile)``, ``Hinge(threshold)``): the fewest
#: and most positional arguments their ``__init__`` takes (tests/test_cython_args.py checks
#: the table against the classes). Any other count raises TypeError in the load.
LOSS_ARGUMENTS: dict[tuple[str, str], tuple[int, int]] = {
    **{
        ("sklearn._loss._loss", name): (1, 1)
        for name in (
            "CyHalfTweedieLoss",
            "CyHalfTweedieLossIdentity",
            "CyHuberLoss",
            "CyPinballLoss",
        )
    },
    ("sklearn.linear_model._sgd_fast", "EpsilonInsensitive"): (1, 1),
    ("sklearn.linear_model._sgd_fast", "SquaredEpsilonInsensitive"): (1, 1),
    ("sklearn.linear_model._sgd_fast", "Hinge"): (0, 1),
    ("sklearn.linear_model._sgd_fast", "SquaredHinge"): (0, 1),
}


def loss_call_problem(pair: tuple[str, str], args: Any) -> str | None:
    """Why the load's call of the Cython loss ``pair`` on ``args`` fails (so it refuses the
    file), ``"unproven: ..."`` when the pass cannot tell, ``None`` when the call succeeds: a
    count of arguments the ``__init__`` takes, each converted to a C double (rt47-04: a str
    or ``None`` quantile was SAFE to scan and refused by the load)."""
    fewest, most = LOSS_ARGUMENTS[pair]
    name = ".".join(pair)
    if type(args) is not tuple:
        return f"unproven: {name} called on arguments the pass cannot see"
    if not fewest <= len(args) <= most:
        return f"{name} called with {len(args)} arguments (it takes {fewest} to {most})"
    try:
        for value in args:
            as_c_double(value, f"{name}'s parameter")
    except Bad as exc:
        return f"{exc}: a load fails on this call"
    except Unproven as exc:
        return f"unproven: {exc}"
    return None
