"""Fuzz the sidecar parser: any input either parses or raises SidecarFormatError.

python fuzz/fuzz_sidecar.py [-runs=N] [-max_total_time=S] [CORPUS_DIR]
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["safeload"]):
    from safeload.exceptions import SidecarFormatError
    from safeload.sidecar import parse_envelope, parse_statement


def test_one_input(data: bytes) -> None:
    try:
        envelope = parse_envelope(data, source="fuzz.sig")
    except SidecarFormatError:
        return
    try:
        parse_statement(envelope.payload, source="fuzz.sig")
    except SidecarFormatError:
        return


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
