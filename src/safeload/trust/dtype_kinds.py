"""Values a model stores as types: the number type an estimator's ``dtype`` parameter names and
the dtype of the data an estimator was fitted on, each held to a plain scalar numpy dtype with a
small item (its item size sizes every row a transform returns); and :func:`short`, how the
use-time checks quote a value in a message."""

from __future__ import annotations

import re
from typing import Any

import numpy as np


def short(value: Any) -> str:
    """``value`` quoted for a message: a short repr of a plain value (of exactly a builtin
    type: a subclass's ``__repr__`` is its own code), else its class. Never a container's repr:
    printing a ring of estimators took 19 s inside the load (rt105-05, rt108-01)."""
    if type(value) in (str, int, float, bool, type(None)):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return f"a {type(value).__module__}.{type(value).__qualname__}"


#: The kinds of numpy dtype a ``numeric_dtype`` row accepts: bool, int, uint, float, complex.
_NUMERIC_KINDS = frozenset("biufc")


#: A type code a ``numeric_dtype`` row parses: letters, digits and a byte-order mark, short
#: (no commas, brackets or parentheses: no records, sub-arrays or units).
_TYPE_CODE = re.compile(r"[<>=|]?[A-Za-z][A-Za-z0-9]{0,15}\Z")


#: The largest numeric item numpy has (complex longdouble on x86-64: 32 bytes).
_MAX_NUMERIC_ITEM = 32


def numeric_dtype_problem(value: Any) -> str | None:
    """Why ``value`` is not a number type an estimator's ``dtype`` parameter may hold (rt28-09),
    or ``None``: a numeric scalar type, a plain numpy dtype of one, or a short type code that
    names one. Nothing here calls code of the value's choosing: a type is looked up by identity
    or subclass of numpy's own scalar bases, a str is parsed only when it is a short code."""
    if isinstance(value, type):
        if value in (bool, int, float, complex) or issubclass(value, (np.number, np.bool_)):
            dt = np.dtype(value)
        else:
            return f"is the class {value.__module__}.{value.__qualname__}, not a number type"
    elif type(value) is str:
        if not _TYPE_CODE.match(value):
            return f"is the type code {short(value)}; only a short numeric type code is accepted"
        try:
            dt = np.dtype(value)
        except (TypeError, ValueError, OverflowError):
            return f"is {short(value)}, not a numpy type code"
    elif type(value) is np.dtype or isinstance(value, np.dtype):
        dt = value
    else:
        return f"is {short(value)}, not a number type"
    return _scalar_dtype_problem(dt, _NUMERIC_KINDS, "numeric", "every row transform returns")


def _scalar_dtype_problem(
    dt: np.dtype[Any], kinds: frozenset[str], what: str, sizes: str
) -> str | None:
    """Why ``dt`` is not a plain scalar dtype of one of ``kinds`` with a small item (no record
    fields, no sub-array), or ``None``."""
    if (
        dt.kind not in kinds
        or dt.fields is not None
        or dt.subdtype is not None
        or not 0 < dt.itemsize <= _MAX_NUMERIC_ITEM
    ):
        return (
            f"names the dtype {str(dt)[:60]!r}, not a {what} scalar type: its item size "
            f"would size {sizes}"
        )
    return None


#: The kinds of numpy dtype a ``fitted_dtype`` row accepts: the numeric kinds and object.
_FITTED_KINDS = _NUMERIC_KINDS | {"O"}


def fitted_dtype_problem(value: Any) -> str | None:
    """Why ``value`` is not what an estimator stores as the dtype of the data it was fitted on
    (``SimpleImputer._fit_dtype`` and ``_fill_dtype``, set to ``X.dtype``; rt29-05), or
    ``None``: a ``numpy.dtype`` object, exactly, of a numeric or object type. Never a type
    code, a type or any other object (a ``Bunch`` answers ``.kind == 'O'`` and numpy reads a
    dict as a record spec), whose item size the file would choose."""
    if not isinstance(value, np.dtype):
        return f"is {short(value)}, not a numpy dtype"
    return _scalar_dtype_problem(
        value, _FITTED_KINDS, "numeric or object", "every row the model returns"
    )
