"""Fuzz the static scanner: it must never raise, whatever the bytes (problems are findings).

python fuzz/fuzz_scan.py [-runs=N] [-max_total_time=S] [CORPUS_DIR]
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["safeload"]):
    from safeload.pickle.walker import analyze
    from safeload.policy import Limits, Policy

POLICY = Policy.default()
LIMITS = Limits(max_depth=200, max_opcodes=100_000, max_item_size=1 << 20)


def test_one_input(data: bytes) -> None:
    joblib = bool(data[:1]) and data[0] & 1 == 1
    analyze(data, policy=POLICY, limits=LIMITS, joblib=joblib)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
