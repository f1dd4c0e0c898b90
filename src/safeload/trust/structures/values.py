"""Plain value types a model may hold (dates, decimals, UUIDs, paths): each checked for the
states their constructors never make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from safeload.trust.structures.common import require


def check_date_time(value: Any, context: Any) -> None:
    """CPython rebuilds date, datetime and time from their pickled bytes checking only the month
    (or the hour): a file can make 2024-01-255 or 03:255:05, which then computes nonsense.
    Rebuilding from the public fields runs the constructor's checks (a ValueError refuses)."""
    import datetime as dt

    kind = type(value)
    if kind is dt.datetime:
        again: Any = dt.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
        )
    elif kind is dt.date:
        again = dt.date(value.year, value.month, value.day)
    elif kind is dt.time:
        again = dt.time(
            value.hour, value.minute, value.second, value.microsecond, value.tzinfo, fold=value.fold
        )
    else:
        return
    require(again == value, f"{kind.__name__} fields disagree with the checked constructor")


#: Digits and exponent size a stored Decimal may have: int() and format(d, "f") materialise
#: every digit, so 1E+999999999999999999 exhausts memory. The bound is Python's own default
#: for int/str conversions (sys.int_info.default_max_str_digits).
_DECIMAL_DIGITS = 4300


def check_decimal(value: Any, context: Any) -> None:
    _sign, digits, exponent = value.as_tuple()
    require(len(digits) <= _DECIMAL_DIGITS, "Decimal has too many digits")
    if isinstance(exponent, int):  # "n", "N" or "F" for NaN, sNaN and infinity
        require(abs(exponent) <= _DECIMAL_DIGITS, "Decimal exponent out of range")


def check_uuid(value: Any, context: Any) -> None:
    """UUID.__setstate__ stores whatever the file gives as ``int``; its methods format and
    shift it as a 128-bit number."""
    import uuid

    number = value.int
    require(type(number) is int and 0 <= number < 1 << 128, "UUID int out of range")
    require(isinstance(value.is_safe, uuid.SafeUUID), "UUID is_safe is not a SafeUUID")


def check_pure_path(value: Any, context: Any) -> None:
    """A pure path is rebuilt from its parts by REDUCE, but a BUILD can then overwrite its
    cached slots (the string, the parts): parsing its text again must give the same parts and
    the same path. (From the text, one argument: rebuilding from the parts parsed each part as
    an argument of its own, 1.5 us a part, where the file paid for one memoised string of
    6,000 parts once: rt94-01.)"""
    parts = value.parts
    require(isinstance(parts, tuple) and set(map(type, parts)) <= {str}, "path parts not str")
    text = str(value)
    require(type(text) is str, "path text not str")
    again = type(value)(text)
    require(
        again.parts == parts and str(again) == text and again == value,
        "path disagrees with its parts",
    )


def metadata_validators() -> list[tuple[type, Callable[[Any, Any], None]]]:
    import datetime
    import decimal
    import pathlib
    import uuid

    return [
        (datetime.date, check_date_time),  # datetime is a date subclass
        (datetime.time, check_date_time),
        (decimal.Decimal, check_decimal),
        (uuid.UUID, check_uuid),
        (pathlib.PurePath, check_pure_path),
    ]
