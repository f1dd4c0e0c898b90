"""A position-based pickle opcode decoder for the scanner.

It reads opcodes straight out of the buffer (no file object, so no copy of a ``bytearray``),
decodes each argument exactly as CPython's C unpickler does (binary arguments over ``LARGE``
bytes come back as read-only views of the buffer instead of copies), and raises ``ValueError``
for anything the unpickler would reject: an unknown opcode, a truncated argument, a missing
newline, an unquoted ``STRING``, non-UTF-8 global names, a negative ``LONG4`` length; and for any
text argument whose C reading it cannot prove (see the text readers below). The scanner turns a
``ValueError`` into an unsafe verdict. ``tests/test_opcodes.py`` checks it against
:mod:`pickletools` on real and random streams, and every text form against ``pickle.loads``.
"""

from __future__ import annotations

import codecs
import math
import mmap
import re
import struct
from collections.abc import Callable
from typing import Any, Final

__all__ = ["Cursor", "OPCODES"]

_U2 = struct.Struct("<H")
_I4 = struct.Struct("<i")
_U4 = struct.Struct("<I")
_U8 = struct.Struct("<Q")
_F8 = struct.Struct(">d")


class Cursor:
    """Reads one opcode at a time from ``buf``; ``pos`` may be moved between reads."""

    __slots__ = ("buf", "pos", "size")

    def __init__(self, buf: bytes | bytearray | mmap.mmap) -> None:
        self.buf = buf
        self.pos = 0
        self.size = len(buf)

    def take(self, n: int) -> bytes | bytearray:
        start = self.pos
        end = start + n
        if n < 0 or end > self.size:
            raise ValueError(f"truncated: {n} byte(s) needed at {start}")
        self.pos = end
        return self.buf[start:end]

    def view(self, n: int) -> memoryview:
        """The next ``n`` bytes as a read-only view into the buffer: no copy."""
        start = self.pos
        end = start + n
        if n < 0 or end > self.size:
            raise ValueError(f"truncated: {n} byte(s) needed at {start}")
        self.pos = end
        return memoryview(self.buf)[start:end].toreadonly()

    def line(self) -> bytes | bytearray:
        start = self.pos
        nl = self.buf.find(b"\n", start)
        if nl < 0:
            raise ValueError(f"no newline after the opcode at {start - 1}")
        self.pos = nl + 1
        return self.buf[start:nl]

    def next(self) -> tuple[str, Any, int]:
        """``(name, argument, offset)`` of the opcode at ``pos``; advances past it."""
        pos = self.pos
        if pos >= self.size:
            raise ValueError("stream ended without STOP")
        entry = OPCODES.get(self.buf[pos])
        if entry is None:
            raise ValueError(f"unknown opcode {self.buf[pos]:#04x} at {pos}")
        self.pos = pos + 1
        name, read = entry
        return name, (read(self) if read is not None else None), pos


def _u1(c: Cursor) -> int:
    return c.take(1)[0]


def _u2(c: Cursor) -> int:
    return int(_U2.unpack(c.take(2))[0])


def _i4(c: Cursor) -> int:
    return int(_I4.unpack(c.take(4))[0])


def _u4(c: Cursor) -> int:
    return int(_U4.unpack(c.take(4))[0])


def _u8(c: Cursor) -> int:
    return int(_U8.unpack(c.take(8))[0])


def _f8(c: Cursor) -> float:
    return float(_F8.unpack(c.take(8))[0])


#: Binary arguments longer than this are returned as views, not copied (array data in a pickle
#: is megabytes, and the scanner only needs its length).
LARGE: Final = 4096


def _counted(size: Callable[[Cursor], int]) -> Callable[[Cursor], bytes | memoryview]:
    def read(c: Cursor) -> bytes | memoryview:
        n = size(c)
        return c.view(n) if n > LARGE else bytes(c.take(n))

    return read


def _counted_text(
    size: Callable[[Cursor], int], encoding: str, errors: str = "strict"
) -> Callable[[Cursor], str]:
    def read(c: Cursor) -> str:
        return bytes(c.take(size(c))).decode(encoding, errors)

    return read


def _long(size: Callable[[Cursor], int]) -> Callable[[Cursor], int]:
    def read(c: Cursor) -> int:
        n = size(c)
        if n < 0:
            raise ValueError("LONG with a negative byte count")
        return int.from_bytes(c.take(n), "little", signed=True)

    return read


def _bytearray8(c: Cursor) -> bytearray | memoryview:
    n = _u8(c)
    return c.view(n) if n > LARGE else bytearray(c.take(n))


# Text arguments (protocol 0). CPython's C unpickler reads them with C library calls whose
# corner cases differ from Python's ``int()`` and ``float()`` (``I010`` is 8, not 10). Each reader
# below accepts only the forms whose C reading is certain on every platform and supported Python,
# computes exactly that reading, and raises ``ValueError`` for everything else (whitespace,
# underscores, NUL bytes, ...): the scanner then refuses the file. tests/test_opcodes.py holds
# every form against ``pickle.loads``.

#: ``INT``: ``strtol(s, &end, 0)``, falling back to ``PyLong_FromString(s, NULL, 0)`` when the
#: number overflows a C long or is followed by anything but the newline.
_INT_FORM: Final = re.compile(rb"([+-]?)(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))")
#: ``LONG``: one trailing ``L`` dropped, then ``PyLong_FromString(s, NULL, 0)`` (= ``int(b, 0)``).
_LONG_FORM: Final = re.compile(rb"[+-]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0+|[1-9][0-9]*)")
#: ``FLOAT``: ``PyOS_string_to_double`` (no whitespace, no underscores, overflow is an error).
_FLOAT_FORM: Final = re.compile(
    rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf|infinity|nan))"
)
#: ``STRING`` between its quotes: ``PyBytes_DecodeEscape`` with only the escapes it reads
#: without a warning (an octal escape above 0o377 or an unknown escape warns, and under
#: ``-W error`` raises, in the unpickler).
_STRING_BODY: Final = re.compile(
    rb"(?:[^\\]|\\(?:[\\'\"abfnrtv]|x[0-9a-fA-F]{2}|[0-3][0-7]{0,2}|[4-7][0-7]?(?![0-7])))*",
    re.DOTALL,
)
#: ``GET``/``PUT``: ``PyLong_FromString(s, NULL, 10)``.
_DECIMAL_FORM: Final = re.compile(rb"[0-9]+")
#: Octal ``INT`` beyond this overflows a 32-bit C long (Windows), where the fallback refuses it.
_C_LONG_32: Final = 2**31


def _uncertain(op: str, text: bytes) -> ValueError:
    return ValueError(
        f"{op} argument {text[:40]!r} is not a form whose reading by the C unpickler is certain"
    )


def _line_int(c: Cursor) -> int | bool:
    text = bytes(c.line())
    m = _INT_FORM.fullmatch(text)
    if m is None:
        raise _uncertain("INT", text)
    sign = -1 if m.group(1) == b"-" else 1
    hexdigits, octal, decimal = m.group(2), m.group(3), m.group(4)
    if hexdigits is not None:
        value = sign * int(hexdigits, 16)  # on overflow, PyLong_FromString reads the same
    elif octal is not None:
        value = sign * int(octal, 8)
        if not -_C_LONG_32 <= value < _C_LONG_32:
            raise _uncertain("INT", text)  # strtol's range is platform-dependent
    else:
        value = sign * int(decimal)
    if len(text) == 2 and (value == 0 or value == 1):
        return value == 1  # the C unpickler makes a bool of a two-character 0 or 1
    return value


def _line_long(c: Cursor) -> int:
    text = bytes(c.line())
    if text.endswith(b"L"):
        text = text[:-1]
    if _LONG_FORM.fullmatch(text) is None:
        raise _uncertain("LONG", text)
    return int(text, 0)


def _line_float(c: Cursor) -> float:
    text = bytes(c.line())
    if _FLOAT_FORM.fullmatch(text) is None:
        raise _uncertain("FLOAT", text)
    value = float(text)
    if math.isinf(value) and text.lstrip(b"+-")[:1] not in (b"i", b"I"):
        raise ValueError(f"FLOAT argument {text[:40]!r} overflows (the unpickler raises)")
    return value


def _line_decimal(c: Cursor) -> int:
    text = bytes(c.line())
    if _DECIMAL_FORM.fullmatch(text) is None:
        raise _uncertain("memo index", text)
    return int(text)


def _line_string(c: Cursor) -> str:
    text = bytes(c.line())
    if len(text) < 2 or text[0] != text[-1] or text[:1] not in (b"'", b'"'):
        raise ValueError("the STRING opcode argument must be quoted")
    body = text[1:-1]
    if _STRING_BODY.fullmatch(body) is None:
        raise _uncertain("STRING", text)
    raw = codecs.escape_decode(body)[0]
    return bytes(raw).decode("ascii")


def _line_unicode(c: Cursor) -> str:
    return bytes(c.line()).decode("raw-unicode-escape")


def _line_raw(c: Cursor) -> str:
    return bytes(c.line()).decode("ascii")


def _line_pair(c: Cursor) -> tuple[str, str]:
    module = bytes(c.line()).decode("utf-8")
    name = bytes(c.line()).decode("utf-8")
    return module, name


_TABLE: list[tuple[bytes, str, Callable[[Cursor], Any] | None]] = [
    (b"(", "MARK", None),
    (b".", "STOP", None),
    (b"0", "POP", None),
    (b"1", "POP_MARK", None),
    (b"2", "DUP", None),
    (b"F", "FLOAT", _line_float),
    (b"I", "INT", _line_int),
    (b"J", "BININT", _i4),
    (b"K", "BININT1", _u1),
    (b"L", "LONG", _line_long),
    (b"M", "BININT2", _u2),
    (b"N", "NONE", None),
    (b"P", "PERSID", _line_raw),
    (b"Q", "BINPERSID", None),
    (b"R", "REDUCE", None),
    (b"S", "STRING", _line_string),
    (b"T", "BINSTRING", _counted_text(_u4, "ascii")),
    (b"U", "SHORT_BINSTRING", _counted_text(_u1, "ascii")),
    (b"V", "UNICODE", _line_unicode),
    (b"X", "BINUNICODE", _counted_text(_u4, "utf-8", "surrogatepass")),
    (b"a", "APPEND", None),
    (b"b", "BUILD", None),
    (b"c", "GLOBAL", _line_pair),
    (b"d", "DICT", None),
    (b"}", "EMPTY_DICT", None),
    (b"e", "APPENDS", None),
    (b"g", "GET", _line_decimal),
    (b"h", "BINGET", _u1),
    (b"i", "INST", _line_pair),
    (b"j", "LONG_BINGET", _u4),
    (b"l", "LIST", None),
    (b"]", "EMPTY_LIST", None),
    (b"o", "OBJ", None),
    (b"p", "PUT", _line_decimal),
    (b"q", "BINPUT", _u1),
    (b"r", "LONG_BINPUT", _u4),
    (b"s", "SETITEM", None),
    (b"t", "TUPLE", None),
    (b")", "EMPTY_TUPLE", None),
    (b"u", "SETITEMS", None),
    (b"G", "BINFLOAT", _f8),
    (b"\x80", "PROTO", _u1),
    (b"\x81", "NEWOBJ", None),
    (b"\x82", "EXT1", _u1),
    (b"\x83", "EXT2", _u2),
    (b"\x84", "EXT4", _i4),
    (b"\x85", "TUPLE1", None),
    (b"\x86", "TUPLE2", None),
    (b"\x87", "TUPLE3", None),
    (b"\x88", "NEWTRUE", None),
    (b"\x89", "NEWFALSE", None),
    (b"\x8a", "LONG1", _long(_u1)),
    (b"\x8b", "LONG4", _long(_i4)),
    (b"B", "BINBYTES", _counted(_u4)),
    (b"C", "SHORT_BINBYTES", _counted(_u1)),
    (b"\x8c", "SHORT_BINUNICODE", _counted_text(_u1, "utf-8", "surrogatepass")),
    (b"\x8d", "BINUNICODE8", _counted_text(_u8, "utf-8", "surrogatepass")),
    (b"\x8e", "BINBYTES8", _counted(_u8)),
    (b"\x8f", "EMPTY_SET", None),
    (b"\x90", "ADDITEMS", None),
    (b"\x91", "FROZENSET", None),
    (b"\x92", "NEWOBJ_EX", None),
    (b"\x93", "STACK_GLOBAL", None),
    (b"\x94", "MEMOIZE", None),
    (b"\x95", "FRAME", _u8),
    (b"\x96", "BYTEARRAY8", _bytearray8),
    (b"\x97", "NEXT_BUFFER", None),
    (b"\x98", "READONLY_BUFFER", None),
]
#: opcode byte -> (name, argument reader or None)
OPCODES: Final[dict[int, tuple[str, Callable[[Cursor], Any] | None]]] = {
    code[0]: (name, read) for code, name, read in _TABLE
}
