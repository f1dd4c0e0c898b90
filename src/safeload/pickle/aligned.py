"""Pickles whose large bytearrays start on a 16-byte boundary of the file.

At protocol 5 numpy writes an array's data as a ``BYTEARRAY8`` right after its 9-byte header,
wherever the stream happens to be. A load gives numpy a view of the file buffer instead of a
copy (see ``safeload.pickle.unpickler._rewrite_pickle``), and where the data is not aligned it
first moves the data back over its header: one more pass over every such array. safeload's
own writer avoids that by putting a few bytes of padding before each large ``BYTEARRAY8``: a
short string pushed and popped (``SHORT_BINUNICODE`` + ``POP``), which every unpickler reads
and drops. The padded stream loads to the same object under any unpickler; a padding inside a
``FRAME`` grows that frame's length by as much. Nothing is deserialized here: the arrays are
found by the static pass, as a load finds them.
"""

from __future__ import annotations

#: The data of each padded array starts at a multiple of this in the file.
ALIGNMENT = 16
_HEADER = 9  # the BYTEARRAY8 opcode and its 8-byte length
_FRAME_HEADER = 9  # the FRAME opcode and its 8-byte length
_SHORT_BINUNICODE = b"\x8c"
_POP = b"0"
_SHORTEST_PAD = 3  # SHORT_BINUNICODE, a zero length, POP


def _padding(size: int) -> bytes:
    """``size`` (3 to 255 + 3) bytes that push a string and pop it."""
    text = b"-" * (size - _SHORTEST_PAD)
    return _SHORT_BINUNICODE + bytes([len(text)]) + text + _POP


def align_bytearrays(data: bytes) -> bytes:
    """``data`` (a protocol 5 pickle) with each large ``BYTEARRAY8`` that a load would give
    numpy as a view (``StreamAnalysis.buffer_views``) moved to start its data at a multiple of
    ``ALIGNMENT``. A stream without one, or one the static pass finds anything wrong with, is
    returned unchanged."""
    from safeload.pickle.walker import analyze
    from safeload.policy import Policy

    found = analyze(data, policy=Policy(), use_time=False, check_trees=False)
    if found.problems or not found.buffer_views:
        return data
    frames = [
        (f, f + _FRAME_HEADER + int.from_bytes(data[f + 1 : f + _FRAME_HEADER], "little"))
        for f in found.frame_ops
    ]
    inserts: list[tuple[int, int]] = []  # (offset of the opcode, padding before it)
    grown: dict[int, int] = {}  # FRAME offset -> padding added inside it
    shift = 0
    for pos, _size in found.buffer_views:
        start = pos + shift + _HEADER  # where its data would start in the padded stream
        size = _SHORTEST_PAD + (-(start + _SHORTEST_PAD)) % ALIGNMENT
        inserts.append((pos, size))
        shift += size
        for f, end in frames:
            if f < pos < end:
                grown[f] = grown.get(f, 0) + size
    out = bytearray()
    cur = 0
    for pos, size in inserts:
        out += data[cur:pos]
        out += _padding(size)
        cur = pos
    out += data[cur:]
    _grow_frames(out, frames, grown, inserts)
    return bytes(out)


def _grow_frames(
    out: bytearray,
    frames: list[tuple[int, int]],
    grown: dict[int, int],
    inserts: list[tuple[int, int]],
) -> None:
    """Rewrite the length of each FRAME that received padding, at its offset in ``out``."""
    for start, _end in frames:
        extra = grown.get(start)
        if not extra:
            continue
        moved = start + sum(size for pos, size in inserts if pos < start)
        length = int.from_bytes(out[moved + 1 : moved + _FRAME_HEADER], "little")
        out[moved + 1 : moved + _FRAME_HEADER] = (length + extra).to_bytes(8, "little")
