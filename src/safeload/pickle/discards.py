"""Keeping what a stream builds and then discards, so that the checks after a load see it.

The checks after building (:mod:`safeload.validate`) walk what the loaded model reaches. An
object the stream builds and then drops off the stack (``POP``, or ``POP_MARK`` for the items
since a MARK) is never reached: a crafted ``Tree``, ``RandomState`` or sparse matrix built and
popped before an honest model was judged by the static pass (which checks every object a
stream builds) and never by the load (rt50-03). A C unpickler offers no hook on what it
builds, so the load's stream is rewritten to hand each discarded value to a list instead:

- ``POP`` of a value becomes ``APPEND`` + ``POP``, and a ``GLOBAL`` of :data:`RECORDER` (which
  the load's ``find_class`` answers with the list) is put in front of the opcode that pushed
  the value's stack slot, so the list lies right below the value when it is appended;
- ``POP_MARK`` becomes ``APPENDS`` + ``POP``, with the list pushed in front of its MARK.

The unpickler then leaves the stack and the memo as the original stream would: the list is
pushed and popped within the slot the value held, the memo is untouched (``GLOBAL`` memoizes
nothing). Only the discards the static pass saw (``StreamAnalysis.discards``: values other than
constants) are rewritten, so honest streams, which discard nothing but the padding strings of
:mod:`safeload.pickle.aligned`, are read as they are.
"""

from __future__ import annotations

import mmap
import pickletools
from collections.abc import Iterable
from typing import Final

from safeload._opcodes import Cursor
from safeload.exceptions import MalformedArtifactError

__all__ = ["RECORDER", "discard_cuts"]

#: The name the rewritten stream asks ``find_class`` for: no file can name it (the static pass
#: refuses every name outside the policy, and no module has a space in its name).
RECORDER: Final = ("safeload discards", "recorder")
_PUSH_RECORDER: Final = b"c" + RECORDER[0].encode() + b"\n" + RECORDER[1].encode() + b"\n"


def _effects() -> dict[str, tuple[int, int, int]]:
    """Opcode name -> (items below a MARK it consumes, or -1 if it consumes no MARK; items it
    pops; items it pushes), from :mod:`pickletools`' stack descriptions."""
    mark = pickletools.markobject
    table: dict[str, tuple[int, int, int]] = {}
    for op in pickletools.opcodes:
        before = op.stack_before
        below = before.index(mark) if mark in before else -1
        table[op.name] = (below, len(before), len(op.stack_after))
    return table


_EFFECTS: Final = _effects()


def discard_cuts(
    data: bytes | bytearray | mmap.mmap,
    start: int,
    discards: Iterable[int],
    regions: dict[int, int],
    *,
    frames: bool = False,
) -> list[tuple[int, int, bytes]]:
    """The edits (``(start, end, replacement)`` at opcode boundaries, as
    :func:`safeload.pickle.unpickler._splice` applies them) that make the stream starting at
    ``start`` hand each value discarded at the offsets ``discards`` to the recorder list.
    ``regions`` maps the offset of each opcode after which the stream's bytes are not opcodes
    (a joblib array wrapper's BUILD) to where the opcodes resume. With ``frames``, the edits
    also drop the stream's FRAME opcodes, whose lengths the other edits change (a caller that
    splices the top-level stream drops them itself).

    The value a ``POP`` at ``r`` drops lies at depth ``d`` (items and MARKs below it); the
    opcode that pushed that slot is the last one before ``r`` that found the stack ``d`` deep,
    since the stack grows by at most one per opcode and stays deeper than ``d`` until ``r``.
    For ``POP_MARK`` the slot is its MARK's. A slot ``DUP`` pushed can hold a new value made
    from the copy (``None DUP <obj> TUPLE2 POP``), and no list can go below it (in front of
    the DUP, the DUP would copy the list): the static pass refuses any such drop in a stream
    that used DUP before it (rt52-01), so meeting one here is an error."""
    wanted = set(discards)
    cuts: list[tuple[int, int, bytes]] = []
    if not wanted:
        return cuts
    cur = Cursor(data)
    cur.pos = start
    depth = 0  # items and MARKs on the stack
    marks: list[int] = []  # the depth below each MARK
    last_at: dict[int, tuple[int, str]] = {}  # depth -> (offset, name) of the last opcode there
    while True:
        name, _arg, pos = cur.next()
        if pos in wanted:
            if name == "POP_MARK":
                target = marks[-1]
                edit = b"e0"
            else:  # POP of an item (the static pass lists no POP of a MARK)
                target = depth - 1
                edit = b"a0"
            pushed_at, pusher = last_at[target]
            if pusher == "DUP":
                raise MalformedArtifactError(f"a value dropped at {pos} lies in a slot DUP pushed")
            cuts.append((pushed_at, pushed_at, _PUSH_RECORDER))
            cuts.append((pos, pos + 1, edit))
        last_at[depth] = (pos, name)
        if frames and name == "FRAME":
            cuts.append((pos, cur.pos, b""))
        if name == "STOP":
            return cuts
        if name == "MARK":
            marks.append(depth)
            depth += 1
        elif name == "POP" and marks and marks[-1] + 1 == depth:
            depth = marks.pop()  # POP on a MARK drops the MARK
        else:
            below, pops, pushes = _EFFECTS[name]
            depth = marks.pop() - below + pushes if below >= 0 else depth - pops + pushes
        resume = regions.get(pos)
        if resume is not None:
            cur.pos = resume
