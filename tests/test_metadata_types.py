"""Metadata saved next to a model (issue 15, item 1): datetime values, Counter, Decimal, UUID and
pure paths load by default; the states their reconstructors trust are refused."""

from __future__ import annotations

import collections
import datetime as dt
import decimal
import io
import pathlib
import pickle
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import zygote
from parity import load_unsigned
from safeload import MalformedArtifactError, Policy
from safeload.policy import runs_code

TZ = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
METADATA: dict[str, Any] = {
    "trained_on": dt.date(2024, 2, 29),
    "trained_at": dt.datetime(2024, 2, 29, 13, 4, 5, 678901, tzinfo=TZ),
    "trained_at_utc": dt.datetime(2024, 2, 29, 7, 34, tzinfo=dt.timezone.utc),
    "naive": dt.datetime(1999, 12, 31, 23, 59, 59),
    "folded": dt.datetime(2024, 11, 3, 1, 30, fold=1),
    "cutoff": dt.time(23, 59, 59, 999999, tzinfo=TZ),
    "took": dt.timedelta(days=-2, seconds=5, microseconds=7),
    "zone": TZ,
    "labels": collections.Counter({"cat": 3, "dog": 5}),
    "no_labels": collections.Counter(),
    "threshold": decimal.Decimal("0.4999999999999999999999999999"),
    "negative": decimal.Decimal("-1.5E-7"),
    "infinite": decimal.Decimal("-Infinity"),
    "run": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "data": pathlib.PurePosixPath("/data/train.csv"),
    "relative": pathlib.PurePosixPath("runs", "7", "model.pkl"),
    "windows": pathlib.PureWindowsPath(r"C:\data\train.csv"),
    "unc": pathlib.PureWindowsPath(r"\\server\share\x.csv"),
}

WRITERS = ["p0.pkl", "p2.pkl", "p4.pkl", "p5.pkl", "plain.joblib", "zlib.joblib", "xz.joblib"]


def _write(path: Path, obj: Any) -> None:
    if path.name.endswith(".pkl"):
        path.write_bytes(pickle.dumps(obj, protocol=int(path.name[1])))
        return
    buf = io.BytesIO()
    compress: Any = {"plain": 0, "zlib": ("zlib", 3), "xz": ("xz", 3)}[path.name.split(".")[0]]
    joblib.dump(obj, buf, compress=compress)
    path.write_bytes(buf.getvalue())


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, decimal.Decimal) and want.is_nan():
        return isinstance(got, decimal.Decimal) and got.is_nan()
    return type(got) is type(want) and got == want and repr(got) == repr(want)


@pytest.mark.parametrize("writer", WRITERS)
def test_metadata_next_to_a_model_loads_unchanged(tmp_path: Path, writer: str) -> None:
    x = np.random.RandomState(0).rand(30, 3)
    model = LogisticRegression().fit(x, (x[:, 0] > 0.5).astype(int))
    path = tmp_path / writer
    _write(path, {"model": model, **METADATA})
    loaded = load_unsigned(path)
    # what plain pickle gives back (protocols 0-3 drop datetime's fold, for instance)
    plain = joblib.load(path) if writer.endswith(".joblib") else pickle.loads(path.read_bytes())
    for key, want in METADATA.items():
        assert _same(loaded[key], plain[key]) and loaded[key] == want, key
    assert loaded["trained_at"].utcoffset() == TZ.utcoffset(None)
    assert loaded["labels"].most_common(1) == [("dog", 5)]
    assert (loaded["model"].predict(x) == model.predict(x)).all()


def test_only_the_reviewed_names_of_code_modules_are_inert() -> None:
    for name in ("UUID", "PurePosixPath", "PureWindowsPath"):
        module = "uuid" if name == "UUID" else "pathlib"
        assert not runs_code(module, name) and (module, name) in Policy.default()
    for module, name in [
        ("uuid", "getnode"),
        ("uuid", "_get_command_stdout"),
        ("uuid", "SafeUUID"),
        ("pathlib", "Path"),
        ("pathlib", "PosixPath"),
        ("pathlib", "WindowsPath"),
        ("pathlib", "PurePath"),
        ("pathlib._local", "Path"),
    ]:
        assert runs_code(module, name) and (module, name) not in Policy.default()


def _uuid_with(number: Any) -> uuid.UUID:
    value = uuid.UUID(int=1)
    object.__setattr__(value, "int", number)
    return value


def _pickle_with_build(cls_line: bytes, args: bytes, slot_state: bytes) -> bytes:
    """Protocol 2: ``cls(*args)`` then ``BUILD (None, slot_state)``."""
    return b"\x80\x02" + cls_line + args + b"R" + b"N" + slot_state + b"\x86b."


#: (label, hostile object or raw pickle bytes, expected message).
HOSTILE: list[tuple[str, Any, str]] = [
    ("date-day-255", dt.date(b"\x07\xe8\x01\xff"), "date fields|day is out of range"),
    ("date-day-0", dt.date(b"\x07\xe8\x02\x00"), "day is out of range"),
    ("datetime-minute-255", dt.datetime(b"\x07\xe8\x01\x02\x03\xff\x05\x00\x00\x00"), "minute"),
    ("datetime-microsecond", dt.datetime(b"\x07\xe8\x01\x02\x03\x04\x05\xff\xff\xff"), "micro"),
    ("time-second-255", dt.time(b"\x01\x02\xff\x00\x00\x00"), "second"),
    ("decimal-huge-exponent", decimal.Decimal("1E+999999999999999999"), "exponent"),
    ("decimal-tiny-exponent", decimal.Decimal("1E-999999999999999999"), "exponent"),
    ("decimal-many-digits", decimal.Decimal("1" * 5000), "too many digits"),
    ("uuid-negative", _uuid_with(-1), "UUID int out of range"),
    ("uuid-too-wide", _uuid_with(1 << 200), "UUID int out of range"),
    ("uuid-not-an-int", _uuid_with("ffff"), "UUID int out of range"),
    ("uuid-float", _uuid_with(1.0), "UUID int out of range"),
    (
        "path-string-overwritten",
        _pickle_with_build(
            b"cpathlib\nPurePosixPath\n",
            b"X\x01\x00\x00\x00a\x85",
            b"}X\x04\x00\x00\x00_strX\x0b\x00\x00\x00/etc/passwds",
        ),
        "path disagrees with its parts|slot state with items",
    ),
    (
        "counter-of-a-range",
        b"\x80\x02ccollections\nCounter\ncbuiltins\nrange\nK\n\x85R\x85R.",
        "plain dict only",
    ),
    (
        "decimal-of-an-int",
        b"\x80\x02cdecimal\nDecimal\n\x8a\x02\x00\x01\x85R.",
        "from a str only",
    ),
    (
        "counter-of-a-list",
        b"\x80\x02ccollections\nCounter\n]K\x01a\x85R.",
        "plain dict only",
    ),
]


@pytest.mark.parametrize(
    ("label", "payload", "message"), HOSTILE, ids=[label for label, _, _ in HOSTILE]
)
def test_hostile_metadata_is_refused_naming_the_path(
    tmp_path: Path, label: str, payload: Any, message: str
) -> None:
    path = tmp_path / "m.pkl"
    if isinstance(payload, bytes):
        path.write_bytes(payload)
    else:
        path.write_bytes(pickle.dumps({"meta": payload}, protocol=4))
    with pytest.raises(MalformedArtifactError, match=message) as info:
        load_unsigned(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    "payload",
    [
        # timezone's constructor checks its offset, timedelta's its range: refused at build
        b"\x80\x02cdatetime\ntimezone\ncdatetime\ntimedelta\nK\x02K\x00K\x00\x87R\x85R.",
        b"\x80\x02cdatetime\ntimedelta\nJ\x00\xca\x9a;K\x00K\x00\x87R.",
        b"\x80\x02cdatetime\ndate\nC\x05\x07\xe8\x01\x02\x03\x85R.",
    ],
)
def test_constructors_refuse_out_of_range_state_while_building(
    tmp_path: Path, payload: bytes
) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(payload)
    with pytest.raises(MalformedArtifactError, match="could not be loaded"):
        load_unsigned(path)


def test_plain_pickle_decimal_exhausts_memory(tmp_path: Path) -> None:
    """Why the Decimal bound: int() of the loaded value asks for 10**18 digits (and
    as_integer_ratio() never finishes), under plain pickle."""
    path = tmp_path / "d.pkl"
    path.write_bytes(pickle.dumps(decimal.Decimal("1E+999999999999999999")))
    code = textwrap.dedent(f"""
        import pickle, resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        d = pickle.loads(open({str(path)!r}, 'rb').read())
        try:
            int(d)
        except MemoryError:
            raise SystemExit(3)
    """)
    proc = zygote.subprocess_run(
        [sys.executable, "-c", code], capture_output=True, timeout=120, check=False
    )
    assert proc.returncode == 3, proc.stderr[-300:]
