"""The hash count's stand-ins (rt113-01, rt113-06): a tuple or frozenset key is counted by
all of its items, whatever they are.

An item the pass builds or evaluates (numbers, texts, dates, times, timezones, paths,
dtypes, classes) hashes as the load will hash it; an item whose hash no file chooses and the
pass does not evaluate (an object hashed by identity, an enum member) stands in with one hash
per class, so the other items still decide whether keys collide; an item whose hash the file
may choose and the pass cannot read (a call's result) makes the whole key count as one hash
with every such key. Each attack below gives plain pickle a dict of keys that all share one
hash and all differ (Python compares each new key with every earlier one: quadratic time,
shown at scale by rt113-01's child); safeload refuses it. Honest keys of the same shapes
load."""

from __future__ import annotations

import datetime
import decimal
import enum
import pathlib
import pickle
import pickletools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import P61, own_module, scan_and_load, write

pytestmark = pytest.mark.filterwarnings("ignore")

_N = 200
_TZ = datetime.timezone(datetime.timedelta(hours=2))


class Colour(enum.Enum):
    """A member hashes by its name: the file cannot choose that hash."""

    RED = 1
    BLUE = 2


def _colliding(make: Any) -> dict[Any, int]:
    """``{make(k): 0}`` for 200 ``k``: 200 different keys of one hash."""
    value = {make(k): 0 for k in range(1, _N + 1)}
    assert len(value) == _N and len({hash(key) for key in value}) == 1
    return value


ATTACKS: dict[str, Any] = {
    # items the pass builds as the load does
    "date": lambda k: (datetime.date(2024, 1, 1), k * P61),
    "aware datetime": lambda k: (datetime.datetime(2024, 1, 1, tzinfo=_TZ), k * P61),
    "timedelta": lambda k: (k * P61, datetime.timedelta(days=3)),
    "path": lambda k: (pathlib.PurePosixPath("data/train.csv"), k * P61),
    "dtype": lambda k: (np.dtype("float64"), k * P61),
    "class": lambda k: (int, k * P61),
    "text past the folded size": lambda k: ("t" * 2_000, k * P61),
    "frozenset": lambda k: frozenset([datetime.date(2024, 1, 1), k * P61]),
    "nested": lambda k: ((datetime.date(2024, 1, 1), "x"), k * P61),
    # an item that stands in by its class
    "enum member": lambda k: (Colour.RED, k * P61),
    # a Decimal of a text longer than the pass folds
    "long decimal text": lambda k: decimal.Decimal("0" * 2_000 + str(k * P61)),
}


@pytest.mark.parametrize("protocol", [2, 4])
@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_colliding_keys_refused(
    name: str, protocol: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(__import__(__name__), "Colour", Colour, raising=False)
    value = _colliding(ATTACKS[name])
    data = pickletools.optimize(pickle.dumps(value, protocol))
    assert len(pickle.loads(data)) == _N  # plain pickle builds all of them
    trusted = [Colour] if name == "enum member" else []
    safe, loaded = scan_and_load(write(tmp_path, data), trusted)
    assert not safe and loaded.startswith("refused") and "one hash" in loaded, loaded


def test_same_value_in_different_objects_refused(tmp_path: Path) -> None:
    """Equal dates written as different objects (no memo) hash alike too."""
    out = b"\x80\x04}\x94("
    raw = datetime.date(2024, 1, 1).__reduce__()[1][0]
    for k in range(1, _N + 1):
        number = pickle.encode_long(k * P61)
        out += b"\x8c\x08datetime\x8c\x04date\x93C\x04" + raw + b"\x85R"
        out += b"\x8a" + bytes([len(number)]) + number + b"\x86K\x00"
    data = out + b"u."
    keys = pickle.loads(data)
    assert len(keys) == _N and len({hash(key) for key in keys}) == 1
    safe, loaded = scan_and_load(write(tmp_path, data))
    assert not safe and loaded.startswith("refused"), loaded


HONEST: dict[str, Any] = {
    "dates and a text": lambda i: (datetime.date(2020, 1, 1) + datetime.timedelta(i), "x"),
    "aware datetimes": lambda i: (
        "store",
        datetime.datetime(2024, 1, 1, tzinfo=_TZ) + datetime.timedelta(hours=i),
    ),
    "paths": lambda i: (pathlib.PurePosixPath(f"data/part-{i}.csv"), 0),
    "dtypes": lambda i: (np.dtype([("a", "f8"), (f"b{i}", "i4")]), 1),
    "time and number": lambda i: (datetime.time(i % 24, i % 60), i // 60),
    "decimal texts": lambda i: decimal.Decimal(f"{i}.25"),
    "dates alone": lambda i: datetime.date(2020, 1, 1) + datetime.timedelta(i),
    "paths alone": lambda i: pathlib.PurePosixPath(f"data/part-{i}.csv"),
    "timedeltas alone": lambda i: datetime.timedelta(seconds=i),
}


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize("name", sorted(HONEST))
def test_honest_keys_load(name: str, protocol: int, tmp_path: Path) -> None:
    value = {HONEST[name](i): i for i in range(300)}
    assert len(value) == 300
    path = write(tmp_path, pickle.dumps(value, protocol))
    assert scan_and_load(path) == (True, "loaded")


_RECORDS = """
import datetime
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Frozen:
    store: str
    day: datetime.date


@dataclass(frozen=True, slots=True)
class Base:
    a: int


@dataclass(frozen=True, slots=True, eq=False)
class Child(Base):
    b: int
"""


def test_slotted_dataclass_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slotted frozen dataclass's state is the list of its fields, read by the places of
    the fields its hash reads (rt113-06): honest keys load and colliding ones are counted."""
    own = own_module(tmp_path, monkeypatch, "stand_in_records", _RECORDS)
    start = datetime.date(2024, 1, 1)
    honest = {
        "frozen": (
            {own.Frozen("s", start + datetime.timedelta(i)): i for i in range(100)},
            own.Frozen,
        ),
    }
    for name, (value, cls) in honest.items():
        path = write(tmp_path, pickle.dumps(value, 5), f"{name}.pkl")
        safe, loaded = scan_and_load(path, [cls])
        # (scan calls a class made by its own __setstate__ unproven: only running it can judge)
        assert loaded == "loaded" and (safe or name == "frozen"), (name, loaded)
    attacks = {
        "frozen": (_colliding(lambda k: own.Frozen("s", (start, k * P61))), own.Frozen),
        # (Child inherits Base's hash and eq: read by Base's fields, all of one hash)
        "child": (_colliding(lambda k: own.Child(k * P61, k)), own.Child),
    }
    for name, (value, cls) in attacks.items():
        path = write(tmp_path, pickle.dumps(value, 5), f"bad-{name}.pkl")
        safe, loaded = scan_and_load(path, [cls])
        assert not safe and loaded.startswith("refused"), (name, loaded)
