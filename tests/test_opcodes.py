"""The scanner's opcode decoder agrees with pickletools on real streams and fails closed."""

from __future__ import annotations

import pickle
import pickletools
import struct
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeload._opcodes import OPCODES, Cursor


def _ours(data: bytes) -> list[tuple[str, int]]:
    cur = Cursor(data)
    out = []
    while True:
        name, _arg, pos = cur.next()
        out.append((name, pos))
        if name == "STOP":
            return out


def _reference(data: bytes) -> list[tuple[str, int]]:
    return [(op.name, pos if pos is not None else -1) for op, _a, pos in pickletools.genops(data)]


def test_table_covers_every_opcode() -> None:
    assert {name for name, _ in OPCODES.values()} == {op.name for op in pickletools.opcodes}
    for op in pickletools.opcodes:
        assert OPCODES[op.code.encode("latin-1")[0]][0] == op.name


VALUES: list[Any] = [
    0,
    1,
    -1,
    255,
    256,
    65535,
    65536,
    -(2**31),
    2**31,
    2**70,
    -(2**70),
    1.5,
    float("inf"),
    "",
    "x" * 300,
    "naïve ✓",
    b"",
    b"\x00" * 300,
    bytearray(b"ab"),
    b"\x01" * 10_000,  # over _opcodes.LARGE: returned as a view, not a copy
    bytearray(b"\x02" * 10_000),
    None,
    True,
    False,
    (),
    (1,),
    (1, 2),
    (1, 2, 3),
    (1, 2, 3, 4),
    [],
    [1, [2, [3]]],
    {},
    {"a": {"b": 1}},
    {1, 2},
    frozenset({3}),
    np.arange(5),
    np.float64(2.5),
    {"shared": (s := [1]), "again": s},
]


@pytest.mark.parametrize("protocol", range(6))
def test_same_opcodes_and_arguments_as_pickletools(protocol: int) -> None:
    for value in VALUES:
        data = pickle.dumps(value, protocol=protocol)
        assert _ours(data) == _reference(data), (protocol, value)
        cur = Cursor(data)
        for _op, arg, _pos in pickletools.genops(data):
            name, ours, _ = cur.next()
            if name in ("GLOBAL", "INST"):
                assert " ".join(ours) == arg
            elif name not in ("STRING", "BINSTRING", "SHORT_BINSTRING"):
                assert ours == arg or (ours != ours and arg != arg), (name, ours, arg)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_never_crash_the_decoder(data: bytes) -> None:
    cur = Cursor(data)
    for _ in range(200):
        try:
            name, _arg, _pos = cur.next()
        except (ValueError, UnicodeDecodeError, OverflowError):
            return
        if name == "STOP":
            return


@pytest.mark.parametrize(
    "data",
    [
        b"\x8d" + (2**60).to_bytes(8, "little") + b"ab.",  # huge length: no allocation
        b"S'unterminated\n.",
        b"Sunquoted\n.",
        b"cos\n",  # missing second line
        b"\x8b\xff\xff\xff\xff.",  # LONG4 negative length
        b"cbad\xff\nname\n.",  # non-UTF-8 module name
        b"\xff",
    ],
)
def test_malformed_arguments_raise(data: bytes) -> None:
    cur = Cursor(data)
    with pytest.raises((ValueError, UnicodeDecodeError)):
        while cur.next()[0] != "STOP":
            pass


def test_large_binary_arguments_are_views_not_copies() -> None:
    data = bytearray(pickle.dumps(b"\x05" * 100_000, protocol=5))
    cur = Cursor(data)
    assert cur.next()[0] == "PROTO"
    name, arg, _ = cur.next()
    if name == "FRAME":  # pragma: no cover - depends on how the pickler frames it
        name, arg, _ = cur.next()
    assert name == "BINBYTES" and isinstance(arg, memoryview) and arg.readonly
    assert arg.obj is data and bytes(arg) == b"\x05" * 100_000


# --- text arguments: the static pass reads each form exactly as the C unpickler does ---------

#: (opcode, argument text, whether the static pass accepts it). Every accepted form must decode
#: to exactly what ``pickle.loads`` (the C unpickler) gives, type included; every other form is
#: refused, whatever the unpickler would do with it (its reading is not proven on every
#: platform and Python version, or it is an error there too).
TEXT_FORMS: list[tuple[bytes, bytes, bool]] = [
    # INT: strtol(s, &end, 0), then PyLong_FromString(s, NULL, 0) on overflow or trailing text
    *[
        (b"I", form, True)
        for form in (
            b"0",
            b"1",
            b"7",
            b"-1",
            b"42",
            b"-42",
            b"+5",
            b"00",
            b"01",
            b"+0",
            b"+1",
            b"-0",  # two characters, 0 or 1: a bool
            b"010",
            b"-010",
            b"07777777",
            b"017777777777",
            b"-020000000000",  # octal
            b"0x10",
            b"0X1f",
            b"-0x10",
            b"+0xff",
            b"0x8000000000000000",
            b"0x" + b"f" * 40,
            b"9223372036854775807",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"1" + b"0" * 60,
            b"000",
        )
    ],
    *[
        (b"I", form, False)
        for form in (
            b"",
            b" 1",
            b"1 ",
            b"\t5",
            b"5\t",
            b"\x0b1",
            b"1\r",
            b"08",
            b"09",
            b"0x",
            b"0b",
            b"0b101",
            b"0o17",
            b"1_000",
            b"0x_1",
            b"00_0",
            b"1\x00zz",
            b"\x00",
            b"\x00x",
            b"+",
            b"-",
            b"--1",
            b"+-1",
            b"1L",
            b"0777777777777777777777777",
            b"020000000000",
            b"01777777777777777777777",
            b"1.0",
            b"\xd9\xa1",
        )
    ],
    # LONG: one trailing L dropped, then PyLong_FromString(s, NULL, 0)
    *[
        (b"L", form, True)
        for form in (
            b"10L",
            b"10",
            b"-7L",
            b"+7L",
            b"0L",
            b"00L",
            b"-0L",
            b"0x10L",
            b"0o17L",
            b"0b101L",
            b"1" + b"0" * 60 + b"L",
        )
    ],
    *[
        (b"L", form, False)
        for form in (b"L", b"", b"010L", b"5LL", b" 5 L", b"1_0L", b"1\x00L", b"5l", b"0xL")
    ],
    # FLOAT: PyOS_string_to_double, overflow is an error
    *[
        (b"F", form, True)
        for form in (
            b"1.5",
            b"-1.5",
            b"+1.5",
            b"1.",
            b".5",
            b"1E5",
            b"1e-5",
            b"2.5e+10",
            b"0",
            b"-0.0",
            b"1e-400",
            b"inf",
            b"-Infinity",
            b"INF",
            b"nan",
            b"-nan",
            b"1.7976931348623157e308",
        )
    ],
    *[
        (b"F", form, False)
        for form in (
            b"",
            b" 1.5",
            b"1.5 ",
            b"1_0",
            b"1e999",
            b"-1e999",
            b"1e",
            b".",
            b"0x10",
            b"1.5\x00zz",
            b"nan(1)",
            b"infinit",
            b"1,5",
        )
    ],
    # STRING: quoted, PyBytes_DecodeEscape, then ASCII
    *[
        (b"S", form, True)
        for form in (
            b"''",
            b"'abc'",
            b'"abc"',
            b"'a'b'",
            b"'\\n\\t\\\\'",
            b"'\\x41'",
            b"'\\101'",
            b"'\\0'",
            b"'\\177'",
            b"'\\''",
            b"'a\\\"'",
            b"'\\7'",
            b"'\\77'",
        )
    ],
    *[
        (b"S", form, False)
        for form in (
            b"abc",
            b"'abc",
            b"\"a'",
            b"'",
            b"'\\'",
            b"'a\\q'",
            b"'\\400'",
            b"'\\x4'",
            b"'\\xff'",
            b"'\xc3\xa9'",
            b"'\\777'",
        )
    ],
    # UNICODE: raw-unicode-escape (the same codec the unpickler calls)
    *[
        (b"V", form, True)
        for form in (b"", b"abc", b"\\u00e9", b"\\U0001f600", b"\\x41", b"a\\b", b"\xe9")
    ],
    *[(b"V", form, False) for form in (b"\\u00e", b"\\U0011ffff")],
]


def _c_reading(op: bytes, form: bytes) -> tuple[bool, Any]:
    """What the C unpickler makes of ``op form\\n``: (ok, value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes in STRING warn
        try:
            return True, pickle.loads(op + form + b"\n.")
        except Exception:
            return False, None


def _ours_reading(op: bytes, form: bytes) -> tuple[bool, Any]:
    try:
        return True, Cursor(op + form + b"\n.").next()[1]
    except (ValueError, UnicodeDecodeError, OverflowError):
        return False, None


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack(">d", a) == struct.pack(">d", b) or (a != a and b != b)
    return bool(a == b)


@pytest.mark.parametrize(("op", "form", "accepted"), TEXT_FORMS, ids=repr)
def test_text_argument_reads_like_the_c_unpickler(op: bytes, form: bytes, accepted: bool) -> None:
    assert pickle.Unpickler is not pickle._Unpickler  # the C unpickler is the reference
    c_ok, c_value = _c_reading(op, form)
    ours_ok, ours = _ours_reading(op, form)
    if accepted:
        assert c_ok, "the table says accepted, but the C unpickler refuses it"
        assert ours_ok and _same(ours, c_value), (ours, c_value)
    else:
        assert not ours_ok, f"{ours!r} accepted; the C unpickler gives {c_value!r}"


def test_memo_index_forms() -> None:
    """GET/PUT read ``PyLong_FromString(s, NULL, 10)``: digits only are accepted."""
    for form in (b"0", b"00", b"000"):
        assert Cursor(b"p" + form + b"\n").next()[1] == 0
        assert pickle.loads(b"Np" + form + b"\n0g0\n.") is None
    for form in (b" 0", b"+0", b"0_0", b"-0", b"0\x00", b""):
        with pytest.raises(ValueError):
            Cursor(b"p" + form + b"\n").next()


@settings(max_examples=2000, deadline=None)
@given(
    st.sampled_from([b"I", b"L", b"F", b"S", b"V"]),
    st.binary(max_size=12).map(lambda b: b.replace(b"\n", b""))
    | st.text("0123456789+-xXoObBeE.L_ lnfia'\"\\\x00", max_size=12).map(str.encode),
)
def test_text_arguments_never_disagree_with_the_c_unpickler(op: bytes, form: bytes) -> None:
    """Differential: whatever the static pass accepts, the C unpickler reads the same way."""
    ours_ok, ours = _ours_reading(op, form)
    if ours_ok:
        c_ok, c_value = _c_reading(op, form)
        assert c_ok and _same(ours, c_value), (form, ours, c_value)
