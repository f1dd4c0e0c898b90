"""The scanner's opcode decoder agrees with pickletools on real streams and fails closed."""

from __future__ import annotations

import pickle
import pickletools
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
