"""``sniff_format``'s byte check for joblib's array placeholder, against the regular expression
it replaced (``joblib.numpy_pickle``, up to 16 bytes of anything, ``NumpyArrayWrapper``)."""

from __future__ import annotations

import io
import pickle
import re

import joblib
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from safeload._sniff import _names_joblib_wrapper
from safeload.formats import sniff_format

_REGEX = re.compile(rb"joblib\.numpy_pickle.{0,16}?NumpyArrayWrapper", re.DOTALL)
_PIECES = st.sampled_from(
    [b"joblib.numpy_pickle", b"NumpyArrayWrapper", b"joblib.numpy_pick", b"ArrayWrapper", b"\n"]
)
_CHUNKS = st.one_of(_PIECES, st.binary(max_size=20))


@settings(max_examples=400, deadline=None)
@given(st.lists(_CHUNKS, max_size=8))
def test_find_agrees_with_the_regex(chunks: list[bytes]) -> None:
    head = b"".join(chunks)
    assert _names_joblib_wrapper(head, len(head)) == (_REGEX.search(head) is not None)


def test_gap_bounds() -> None:
    for gap in range(20):
        head = b"joblib.numpy_pickle" + b"\x00" * gap + b"NumpyArrayWrapper"
        assert _names_joblib_wrapper(head, len(head)) == (gap <= 16)


def test_real_files() -> None:
    model = {"w": np.arange(10.0)}
    buf = io.BytesIO()
    joblib.dump(model, buf)
    assert sniff_format(buf.getvalue()) == "joblib"
    for protocol in range(6):
        assert sniff_format(pickle.dumps(model, protocol=protocol)) == "pickle"
