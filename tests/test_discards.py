"""safeload.pickle.discards: the rewritten stream builds what the original builds, and hands
each value a POP or POP_MARK drops to the recorder list."""

from __future__ import annotations

import io
import pickle

import pytest

from safeload.exceptions import MalformedArtifactError
from safeload.pickle.discards import RECORDER, discard_cuts


def _rewritten_load(data: bytes, discards: list[int]) -> tuple[object, list[object]]:
    recorder: list[object] = []

    class _Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> object:
            if (module, name) == RECORDER:
                return recorder
            return super().find_class(module, name)

    out = bytearray()
    cur = 0
    for start, end, replacement in sorted(discard_cuts(data, 0, discards, {}, frames=True)):
        out += data[cur:start] + replacement
        cur = end
    out += data[cur:]
    return _Unpickler(io.BytesIO(bytes(out))).load(), recorder


@pytest.mark.parametrize(
    ("data", "dropped"),
    [
        (b"\x80\x02]K\x01a0K\x02.", [[1]]),  # a list dropped
        (b"\x80\x02(]K\x01a]1K\x02.", [[1], []]),  # two dropped with their MARK
        (b"\x80\x02(K\x01]q\x00(K\x02e0h\x00t.", [[2]]),  # memoised, dropped inside a MARK
        (b"cbuiltins\nlist\n(tR0(dp0\n.", [[]]),  # a call's result (protocol 0)
        (b"\x80\x04\x95\x06\x00\x00\x00\x00\x00\x00\x00]\x94)0h\x00.", [()]),  # framed
    ],
    ids=["pop", "pop-mark", "memo-mark", "reduce", "frame"],
)
def test_rewritten_stream_keeps_what_it_drops(data, dropped):
    import pickletools

    pops = [pos for op, _arg, pos in pickletools.genops(data) if op.name in ("POP", "POP_MARK")]
    value, recorder = _rewritten_load(data, pops)
    assert value == pickle.loads(data)
    assert recorder == dropped


@pytest.mark.parametrize(
    "data",
    [
        b"\x80\x02]2K\x01a0.",  # the DUP'd list itself, filled
        b"\x80\x02N2]\x860.",  # a tuple made from the copy: no list can go below it
    ],
    ids=["dup-copy", "dup-replaced"],
)
def test_drop_from_a_dup_slot_is_an_error(data):
    """The static pass refuses a built value dropped after a DUP (rt52-01); the rewrite, given
    one, refuses rather than record nothing."""
    import pickletools

    pops = [pos for op, _arg, pos in pickletools.genops(data) if op.name == "POP"]
    with pytest.raises(MalformedArtifactError):
        discard_cuts(data, 0, pops, {})
