"""The state one stream's walk shares (:class:`Frame`) and the opcode tables the walk's loop
uses: the constants, the memo opcodes and the opcodes decoded inline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from safeload._symbolic import _Bytes, _Sym, _Tuple
from safeload.pickle.analysis import Unsafe

FIXED: Final = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}
#: Opcodes that push one constant (the value is the decoded argument, or fixed).
CONST_OPS: Final[dict[str, Any]] = {
    **FIXED,
    **{
        n: None
        for n in (
            "INT",
            "BININT",
            "BININT1",
            "BININT2",
            "LONG",
            "LONG1",
            "LONG4",
            "STRING",
            "BINSTRING",
            "SHORT_BINSTRING",
            "BINBYTES",
            "SHORT_BINBYTES",
            "BINBYTES8",
            "BYTEARRAY8",
            "UNICODE",
            "BINUNICODE",
            "SHORT_BINUNICODE",
            "BINUNICODE8",
            "FLOAT",
            "BINFLOAT",
        )
    },
}
#: Opcodes that occur at most a few times per stream; one membership test skips all of them.
PUT_OPS: Final = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
GET_OPS: Final = frozenset({"GET", "BINGET", "LONG_BINGET"})


#: The opcodes that make up most of a scikit-learn pickle, decoded inline by the walker (byte ->
#: name, argument length); they have no branch in the general chain. Anything else goes through
#: the general decoder, and so do these when their argument runs past the end of the buffer,
#: where the decoder raises. These make up about 80% of a forest's opcodes.
FAST: Final[dict[int, tuple[str, int]]] = {
    0x68: ("BINGET", 1),
    0x94: ("MEMOIZE", 0),
    0x71: ("BINPUT", 1),
    0x4B: ("BININT1", 1),
    0x4E: ("NONE", 0),
    0x28: ("MARK", 0),
    0x4D: ("BININT2", 2),
    0x88: ("NEWTRUE", 0),
    0x89: ("NEWFALSE", 0),
    0x29: ("EMPTY_TUPLE", 0),
    0x7D: ("EMPTY_DICT", 0),
}


def fetched_again(got: _Sym) -> None:
    """A memo GET or DUP pushes ``got`` a second time: a large bytearray in it (itself, or the
    buffer argument of a ``_frombuffer`` call) may now reach another consumer, so it stays a
    bytearray."""
    if isinstance(got, _Bytes):
        got.shared = True
    elif isinstance(got, _Tuple) and got.items:
        first = got.items[0]
        if isinstance(first, _Bytes):
            first.shared = True


# --- the walker ----------------------------------------------------------------------------


class Frame:
    """The state of one stream's walk that the opcode handlers share: the stack and the
    stacks a MARK put aside, the memo, the end of the current FRAME, the protocol, and where
    the stream starts. A nested joblib object array is walked with a frame of its own."""

    def __init__(self, top: bool) -> None:
        #: the top-level stream (not a joblib object array's nested pickle)
        self.top = top
        self.stack: list[_Sym] = []
        self.metastack: list[list[_Sym]] = []
        #: memo index -> value (``None``: unset)
        self.memo: list[_Sym | None] = []
        self.frame_end: int | None = None
        self.proto = 0
        self.start = 0
        #: the stream has duplicated a stack item (DUP) so far: a built value it then drops
        #: may lie in the slot DUP pushed, where the load cannot keep it (see note_discard)
        self.dup = False

    def pop(self, pos: int, name: str) -> _Sym:
        """Take the top item off the stack."""
        if not self.stack:
            raise Unsafe(pos, name, "stack underflow")
        return self.stack.pop()

    def peek(self, pos: int, name: str) -> _Sym:
        """The top item, left on the stack."""
        if not self.stack:
            raise Unsafe(pos, name, "stack underflow")
        return self.stack[-1]

    def pop_mark(self, pos: int, name: str) -> list[_Sym]:
        """Take the items above the last MARK off the stack (and the MARK)."""
        if not self.metastack:
            raise Unsafe(pos, name, "MARK expected but missing")
        items = self.stack
        self.stack = self.metastack.pop()
        return items


#: An opcode handler: (walker, frame, offset, opcode name, decoded argument) -> the stream's
#: value at STOP, else ``None``. The walker is the final class (safeload.pickle.walker).
Handler = Callable[[Any, Frame, int, str, Any], "_Sym | None"]
