"""Fuzz the restricted readers: any input loads or raises a SafeloadError, never anything else.

    python fuzz/fuzz_load.py [-runs=N] [-max_total_time=S] [CORPUS_DIR]

The default policy is in force, so only allowlisted constructors run; a crash here is a bug in
safeload's checks or in a trusted type's native code.
"""

from __future__ import annotations

import sys
import warnings

import atheris

with atheris.instrument_imports(include=["safeload"]):
    from safeload import formats
    from safeload.exceptions import SafeloadError
    from safeload.policy import Limits, Policy
    from safeload.signing import unsigned_artifact

POLICY = Policy.default()
LIMITS = Limits(
    max_file_size=1 << 20,
    max_decompressed_size=1 << 22,
    max_depth=200,
    max_opcodes=100_000,
    max_item_size=1 << 20,
)
FORMATS = ("pickle", "joblib")


def test_one_input(data: bytes) -> None:
    fmt = FORMATS[data[0] & 1] if data else "pickle"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # consume: the fresh bytearray is the load's own, as in load(), so the view path runs
            artifact = unsigned_artifact(bytearray(data), "fuzz", fmt)
            formats.read(artifact, POLICY, LIMITS, "fuzz", consume=True)
        except SafeloadError:
            return


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
