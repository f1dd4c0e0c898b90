"""Which first bytes make a file a model to a folder scan, whatever its name."""

from __future__ import annotations

import io

import joblib
import numpy as np
import pytest

from safeload.formats import binary_model_head


@pytest.mark.parametrize(
    "compress",
    [("zlib", 1), ("zlib", 3), ("zlib", 6), ("zlib", 9), ("bz2", 1), ("bz2", 9), ("gzip", 3),
     ("lzma", 3), ("xz", 3)],
)  # fmt: skip
def test_joblib_compressed_files_are_models(compress: tuple[str, int]) -> None:
    out = io.BytesIO()
    joblib.dump({"w": np.arange(10)}, out, compress=compress)
    assert binary_model_head(out.getvalue()[:64])


@pytest.mark.parametrize(
    "text", [b"x", b"xgb_params: {}\n", b"x: 1\n", b"BZ notes\n", b"BZh notes", b"BZx"]
)
def test_text_starting_with_a_one_byte_magic_is_not(text: bytes) -> None:
    """joblib's zlib magic is the byte ``x`` and its bz2 magic ``BZ``: a text file starting
    so was taken for a compressed joblib file by a folder scan and reported UNSAFE."""
    assert not binary_model_head(text)
