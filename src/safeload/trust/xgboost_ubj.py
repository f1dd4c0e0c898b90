"""A bounded check of xgboost's pickled model blob, before xgboost's native parser reads it.

``xgboost.core.Booster.__setstate__`` hands ``state["handle"]`` (UBJSON: ``{"Config": ...,
"Model": ...}``) to ``XGBoosterUnserializeFromBuffer``. xgboost's UBJSON reader trusts the
lengths the blob declares (a typed-array count past the end of the buffer is copied before it
is checked: red-team r15-11), and its tree loader trusts the node indices (a child index out of
range is followed by ``predict``: r15-04). This module reads the blob first:

* :func:`parse` walks the UBJSON iteratively (no recursion) and accepts only the forms
  xgboost's writer produces and its reader reads the same way: objects ``{`` whose keys are
  ``L<int64 length>`` strings, arrays ``[ ... ]``, ``[#L<count>`` and typed arrays
  ``[$<d|D|i|U|l|L>#L<count>``, strings ``SL<length>``, and the scalars ``Z T F i U I l L C d
  D``. Every declared length or count must be non-negative and fit in the bytes that remain
  (count times the element size for a typed array), nesting is at most :data:`MAX_DEPTH` deep,
  there are at most :data:`MAX_ITEMS` values, and the blob must end where the top object ends.
  No object may name a key twice (xgboost's writer never does; its reader keeps the first
  member, a dict the last, so a duplicate would let the check read one value and xgboost
  build another: rt43-01). Typed arrays are not decoded: they are kept as offsets into the
  blob.

The checks of the model it holds (its trees) are in :mod:`safeload.trust.xgboost_model`.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Final

from safeload._threads import switch_point

if TYPE_CHECKING:  # numpy is imported when a blob is checked, not with safeload
    import numpy as np

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "Typed",
    "UBJError",
    "parse",
]

#: Deepest nesting of objects and arrays accepted (xgboost's own models nest about 8 deep).
MAX_DEPTH: Final = 64
#: Most values (object members and untyped array items) accepted in one blob. Typed arrays
#: count once however long: their elements are never decoded one by one.
MAX_ITEMS: Final = 1 << 24

#: Typed-array element types: (size in bytes, numpy dtype, big-endian as UBJSON writes).
_TYPED: Final = {
    "d": (4, ">f4"),
    "D": (8, ">f8"),
    "i": (1, "i1"),
    "U": (1, "u1"),
    "l": (4, ">i4"),
    "L": (8, ">i8"),
}
_SCALAR: Final = {
    "i": struct.Struct(">b"),
    "U": struct.Struct(">B"),
    "I": struct.Struct(">h"),
    "l": struct.Struct(">i"),
    "L": struct.Struct(">q"),
    "C": struct.Struct(">b"),
    "d": struct.Struct(">f"),
    "D": struct.Struct(">d"),
}
_I64: Final = struct.Struct(">q")
#: Every 4096 values the parse calls an interpreted function, where another thread may take the
#: GIL (see safeload._threads): compiled with mypyc (setup.py) it never gives it away itself.
_YIELD_MASK: Final = 4095
#: Strings longer than this are kept as their length only (nothing here reads long strings).
_KEEP_STR: Final = 256


class UBJError(ValueError):
    """The blob is not UBJSON as xgboost writes it, or declares more than it holds."""


class Typed:
    """A typed array of the blob, not decoded: ``count`` elements of type ``code`` at
    ``offset``."""

    __slots__ = ("code", "count", "offset")

    def __init__(self, code: str, offset: int, count: int) -> None:
        self.code = code
        self.offset = offset
        self.count = count

    def array(self, blob: Any) -> np.ndarray[Any, Any]:
        """The elements, as a native-endian numpy array (a copy)."""
        import numpy as np

        dtype = np.dtype(_TYPED[self.code][1])
        got = np.frombuffer(blob, dtype, self.count, self.offset)
        return got.astype(dtype.newbyteorder("="))


class _LongStr:
    """A string value longer than :data:`_KEEP_STR`, kept as its length."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        self.size = size


def parse(blob: Any, max_items: int = MAX_ITEMS) -> Any:
    """The value of the UBJSON ``blob`` (bytes-like): dicts, lists, ints, floats, bools,
    ``None``, ``str`` (long strings as :class:`_LongStr`) and :class:`Typed` arrays. Raises
    :class:`UBJError` for anything xgboost's writer does not produce (an object naming a key
    twice among it), any length or count that does not fit in what remains, nesting deeper
    than :data:`MAX_DEPTH`, more than ``max_items`` values (:data:`MAX_ITEMS`; a parameter, as
    the compiled module's constants cannot be patched), or bytes after the top value."""
    with memoryview(blob) as outer, outer.cast("B") as view:
        data = view.tobytes()  # (bytes: compiled, indexing it is a C read)
    return _Reader(data, max_items).parse()


#: What :meth:`_Reader.value` returns when it opened a container instead of reading a value.
_OPENED = object()


class _Reader:
    """One pass over a UBJSON blob, iterative (a frame per open container, no recursion), each
    length and count checked against what remains before anything is allocated for it.

    A frame is ``[container, is_object, remaining count (-1: until the end marker), key]``.
    """

    def __init__(self, view: bytes, max_items: int) -> None:
        self.view: bytes = view
        self.max_items: int = max_items
        self.end: int = len(view)
        self.pos: int = 0
        self.items: int = 0
        self.stack: list[list[Any]] = []

    def parse(self) -> Any:
        while True:
            if self.stack:  # inside a container: its end, or (in an object) the next key
                closed = self.end_of_container()
                if closed is not _OPENED:
                    if self.attach(closed):
                        result = closed
                        break
                    continue
                if self.stack[-1][1]:
                    self.key()
            value = self.value()
            if value is _OPENED:
                continue
            if self.attach(value):
                result = value
                break
        if self.pos != self.end:
            raise UBJError(f"{self.end - self.pos} byte(s) after the model")
        return result

    def attach(self, value: Any) -> bool:
        """Put ``value`` into the open container; True when there is none (it is the blob)."""
        if not self.stack:
            return True
        frame = self.stack[-1]
        if frame[1]:
            frame[0][frame[3]] = value
        else:
            frame[0].append(value)
        if frame[2] > 0:
            frame[2] -= 1
        return False

    def end_of_container(self) -> Any:
        """The open container, popped, if it ends here (its count is spent or its end marker
        is next); else ``_OPENED`` (it stays open)."""
        view, pos = self.view, self.pos
        container, is_object, remaining = self.stack[-1][:3]
        if remaining < 0:
            if pos >= self.end:
                raise UBJError(f"byte {pos}: the blob ends inside a container")
            if view[pos] != (0x7D if is_object else 0x5D):  # '}' / ']'
                return _OPENED
            self.pos = pos + 1
        elif remaining != 0:
            return _OPENED
        self.stack.pop()
        return container

    def length(self, at: int, what: str) -> tuple[int, int]:
        """``(n, position after it)``: xgboost writes every length and count as 'L' + int64
        (big-endian)."""
        if at < self.end and self.view[at] != 0x4C:  # 'L'
            raise UBJError(f"{what} at byte {at}: xgboost writes its lengths as 'L' + int64")
        if at + 9 > self.end:
            raise UBJError(f"{what} at byte {at}: the blob ends")
        (n,) = _I64.unpack_from(self.view, at + 1)
        if n < 0:
            raise UBJError(f"{what} at byte {at}: negative length {n}")
        return n, at + 9

    def key(self) -> None:
        n, pos = self.length(self.pos, "an object key")
        if n > self.end - pos:
            raise UBJError(
                f"an object key of {n} bytes at byte {pos}: only {self.end - pos} remain"
            )
        key = bytes(self.view[pos : pos + n]).decode("utf-8", "replace")
        if key in self.stack[-1][0]:
            # xgboost's UBJReader keeps the first of two equal keys (std::map::emplace), a
            # dict here the last: whichever this walk checked, xgboost could build the other
            # (rt43-01). Two keys that differ only in bytes UTF-8 cannot decode are refused
            # too: fail closed, never guess which member a parser keeps.
            raise UBJError(
                f"byte {pos}: the object names the key {key[:64]!r} twice (xgboost's reader "
                "keeps the first, a check of the last would miss it)"
            )
        self.stack[-1][3] = key
        self.pos = pos + n

    def value(self) -> Any:
        """The value at the current position, or ``_OPENED`` after opening a container."""
        view, end, pos = self.view, self.end, self.pos
        if pos >= end:
            raise UBJError(f"byte {pos}: the blob ends where a value should be")
        self.items += 1
        if self.items > self.max_items:
            raise UBJError(f"more than {self.max_items} values")
        if not self.items & _YIELD_MASK:
            switch_point()  # compiled, let other threads in (a load hashes the file meanwhile)
        marker = chr(view[pos])
        start = pos
        self.pos = pos = pos + 1
        if marker == "{" or marker == "[":
            if len(self.stack) >= MAX_DEPTH:
                raise UBJError(f"nesting deeper than {MAX_DEPTH} at byte {start}")
            if marker == "{":
                self.stack.append([{}, True, -1, None])
                return _OPENED
            return self.array(start)
        if marker == "Z":
            return None
        if marker == "T":
            return True
        if marker == "F":
            return False
        if marker == "S":
            n, pos = self.length(pos, "a string length")
            if n > end - pos:
                raise UBJError(f"a string of {n} bytes at byte {start}: only {end - pos} remain")
            self.pos = pos + n
            if n <= _KEEP_STR:
                return bytes(view[pos : pos + n]).decode("utf-8", "replace")
            return _LongStr(n)
        if marker in _SCALAR:
            fmt = _SCALAR[marker]
            if pos + fmt.size > end:
                raise UBJError(f"a number at byte {start}: the blob ends")
            self.pos = pos + fmt.size
            return fmt.unpack_from(view, pos)[0]
        raise UBJError(f"byte {start}: {marker!r} is not a value xgboost writes")

    def array(self, start: int) -> Any:
        """After '[' at ``start``: a typed array (returned as a :class:`Typed` over its bytes),
        or a counted or open array (opened: ``_OPENED``)."""
        view, end, pos = self.view, self.end, self.pos
        if pos < end and view[pos] == 0x24:  # '$': typed array
            if pos + 2 >= end:
                raise UBJError(f"a typed array at byte {start}: the blob ends")
            code = chr(view[pos + 1])
            if code not in _TYPED:
                raise UBJError(
                    f"a typed array of {code!r} at byte {start}: xgboost writes only d, i, U, l, L"
                )
            if view[pos + 2] != 0x23:  # '#'
                raise UBJError(f"a typed array at byte {start} without a count")
            n, pos = self.length(pos + 3, "a typed-array count")
            size = _TYPED[code][0]
            if n > (end - pos) // size:
                raise UBJError(
                    f"a typed array at byte {start} declares {n} elements of {size} "
                    f"byte(s); only {end - pos} bytes remain"
                )
            self.pos = pos + n * size
            return Typed(code, pos, n)
        if pos < end and view[pos] == 0x23:  # '#': counted array
            n, pos = self.length(pos + 1, "an array count")
            if n > end - pos:  # every value takes at least one byte
                raise UBJError(
                    f"an array at byte {start} declares {n} values; only {end - pos} bytes remain"
                )
            self.pos = pos
            self.stack.append([[], False, n, None])
            return _OPENED
        self.stack.append([[], False, -1, None])
        return _OPENED
