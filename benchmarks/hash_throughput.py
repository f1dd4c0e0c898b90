"""Hashing throughput in memory: SHA-256 (always recorded) and BLAKE3 (``safeload[fast]``).

    .venv/bin/python benchmarks/hash_throughput.py [--mib 1024]

The digests safeload computes, over one buffer already in memory (best of 5), next to
``sha256sum`` over a file of the same size, so the hashing floor of a load is plain to see.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from safeload import _progress


def _rate(size: int, fn: Callable[[], Any], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return size / best / 1e9


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mib", type=int, default=1024)
    args = ap.parse_args(argv)
    size = args.mib << 20
    data = bytearray(os.urandom(1 << 20)) * args.mib
    print(f"{args.mib} MiB, {os.cpu_count()} cores")
    sha = _rate(size, lambda: hashlib.sha256(data).digest())
    print(f"  SHA-256 (hashlib)         {sha:6.2f} GB/s")
    b3 = _progress.blake3_module()
    if b3 is None:
        print("  BLAKE3                    not installed (pip install safeload[fast])")
    else:
        one = _rate(size, lambda: b3.blake3(data, max_threads=1).digest())
        every = _rate(size, lambda: _progress.blake3_hex(data))
        print(f"  BLAKE3, 1 thread          {one:6.2f} GB/s  (while reading, in load)")
        print(f"  BLAKE3, all cores         {every:6.2f} GB/s  (verify, sign)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.bin"
        path.write_bytes(data)
        cmd = ["sha256sum", str(path)]
        rate = _rate(size, lambda: subprocess.run(cmd, capture_output=True, check=True), 3)
        print(f"  sha256sum (file)          {rate:6.2f} GB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
