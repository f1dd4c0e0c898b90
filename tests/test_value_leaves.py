"""Dates, timedeltas, fixed-offset timezones, Decimals, pure paths, and datetimes and times
without a zone or with a fixed offset are values to the checks after building, as numbers
are (``safeload.trust.graph.value_leaf``): each is checked where the walk meets it, and none
costs what an instance does (rt90-06: 60,000 dates in a list, 780 KB, took a load 5.3 s and
a scan 8.3 s, where plain pickle takes 0.01 s; 60,000 pure paths 7.8 s and 10.6 s)."""

from __future__ import annotations

import datetime as dt
import decimal
import pathlib
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from parity import load_unsigned, verdicts
from safeload import MalformedArtifactError
from safeload.trust.graph import value_leaf, value_leaf_problem

#: A date whose day is 255: CPython's date(bytes) checks only the month.
BAD_DATE = dt.date(b"\x07\xe8\x01\xff")
#: A naive datetime whose minute is 255.
BAD_DATETIME = dt.datetime(b"\x07\xe8\x01\x02\x03\xff\x05\x00\x00\x00")


def test_plain_pickle_keeps_a_date_its_constructor_refuses() -> None:
    # the harm the check stops: the value computes nonsense
    assert pickle.loads(pickle.dumps([BAD_DATE])) == [BAD_DATE]
    assert BAD_DATE.day == 255
    with pytest.raises(ValueError):
        dt.date(BAD_DATE.year, BAD_DATE.month, BAD_DATE.day)


class _Zone(dt.tzinfo):
    def utcoffset(self, when: Any) -> dt.timedelta:
        return dt.timedelta(hours=1)


def test_which_values_are_leaves() -> None:
    tz = dt.timezone(dt.timedelta(hours=2), "X")
    assert value_leaf(dt.date(2024, 1, 2))
    assert value_leaf(dt.timedelta(3))
    assert value_leaf(decimal.Decimal("1.5"))
    assert value_leaf(dt.datetime(2024, 1, 2, 3))
    assert value_leaf(dt.time(3, 4))
    assert value_leaf(tz)
    assert value_leaf(dt.datetime(2024, 1, 2, 3, tzinfo=tz))
    assert value_leaf(dt.time(3, 4, tzinfo=dt.timezone.utc))
    assert value_leaf(pathlib.PurePosixPath("/data/train.csv"))
    assert value_leaf(pathlib.PureWindowsPath(r"C:\data\train.csv"))
    # a zone of another class is an object the value holds: an instance, walked
    assert not value_leaf(dt.datetime(2024, 1, 2, 3, tzinfo=_Zone()))
    assert not value_leaf(dt.time(3, 4, tzinfo=_Zone()))

    class Day(dt.date):
        pass

    assert not value_leaf(Day(2024, 1, 2))  # (a subclass may hold anything)
    assert not value_leaf(pathlib.Path("/tmp"))  # (a concrete path: it reaches the disk)


def test_a_path_leaf_holds_strings_only() -> None:
    # the static pass refuses a BUILD that would set a path's slots; the check after building
    # refuses it again, so a leaf, which the walks do not enter, hides no object
    path = pathlib.PurePosixPath("/data/train.csv")
    assert value_leaf_problem(path) is None
    path._hash = [object()]  # type: ignore[attr-defined]
    problem = value_leaf_problem(path)
    assert problem is not None and "slot _hash" in problem


HOSTILE_PLACES: list[tuple[str, Any]] = [
    ("root", BAD_DATE),
    ("in-a-list", [dt.date(2024, 1, 1), BAD_DATE]),
    ("dict-key", {BAD_DATE: 1}),
    ("dict-value", {"trained_on": BAD_DATE}),
    ("in-a-tuple", (1, (BAD_DATETIME,))),
    ("object-array", np.array([dt.date(2024, 1, 1), BAD_DATE], dtype=object)),
    ("datetime-root", BAD_DATETIME),
    ("decimal-digits", [decimal.Decimal("1" * 5000)]),
]


@pytest.mark.parametrize(
    ("label", "value"), HOSTILE_PLACES, ids=[label for label, _ in HOSTILE_PLACES]
)
def test_a_crafted_value_is_refused_wherever_it_is_held(
    tmp_path: Path, label: str, value: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"{label}.pkl"
    data = pickle.dumps(value, protocol=4)
    path.write_bytes(data)
    pickle.loads(data)  # plain pickle builds it
    with pytest.raises(MalformedArtifactError, match="out of range|too many digits|must be in"):
        load_unsigned(path)  # (parity's: scan must not call it safe)
    with pytest.raises(MalformedArtifactError) as info:
        safeload.load_unsigned(path)
    assert str(path) in str(info.value)
    assert "run code" not in str(info.value)  # (a value, not a gadget: the reason says so)
    assert "SAFE" not in verdicts(data, monkeypatch)


def test_a_shared_date_is_checked_once_and_loads(tmp_path: Path) -> None:
    day = dt.date(2024, 2, 29)
    value = {"days": [day] * 1000, "took": [dt.timedelta(seconds=5)] * 3, "at": day}
    path = tmp_path / "shared.pkl"
    path.write_bytes(pickle.dumps(value, protocol=5))
    got = load_unsigned(path)
    assert got == value and got["days"][0] is got["at"]


def test_many_value_leaves_load_and_scan_like_numbers(tmp_path: Path) -> None:
    # the shapes of rt90-06 at a tenth of its size: each kind loads, scan calls it safe, and
    # the loaded values are the ones pickled
    values: dict[str, list[Any]] = {
        "dates": [dt.date(2020, 1, 1 + i % 28) for i in range(6_000)],
        "spans": [dt.timedelta(seconds=i) for i in range(6_000)],
        "prices": [decimal.Decimal(f"{i}.25") for i in range(6_000)],
        "stamps": [dt.datetime(2020, 1, 1, i % 24, i % 60) for i in range(6_000)],
        "zones": [dt.timezone(dt.timedelta(minutes=i % 900)) for i in range(6_000)],
        "aware": [dt.datetime(2020, 1, 1, i % 24, tzinfo=dt.timezone.utc) for i in range(6_000)],
        "paths": [pathlib.PurePosixPath("runs", str(i)) for i in range(6_000)],
    }
    path = tmp_path / "leaves.pkl"
    path.write_bytes(pickle.dumps(values, protocol=5))
    assert load_unsigned(path) == values
    assert safeload.scan(path).safe


def test_an_aware_datetime_is_still_walked(tmp_path: Path) -> None:
    tz = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
    value = [dt.datetime(2024, 2, 29, 13, 4, tzinfo=tz), dt.time(1, 2, tzinfo=tz)]
    path = tmp_path / "aware.pkl"
    path.write_bytes(pickle.dumps(value, protocol=5))
    assert load_unsigned(path) == value
