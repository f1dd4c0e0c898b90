"""Reading a file into private memory right after another load freed its memory, three ways.

    .venv/bin/python benchmarks/huge_pages.py [--mb 1024] [--runs 10]

Before each read, ``pickle.load`` builds and frees a copy of the same data, as an interleaved
benchmark (or a process loading one model after another) does. Then ``safeload.io.read_once``
reads the file into a ``bytearray`` (what safeload does where there are no huge pages), into
anonymous memory with huge pages (``MADV_HUGEPAGE``), and with huge pages that fall back to
ordinary ones once a chunk reads slowly (what safeload does). With
the kernel's THP defrag setting at ``madvise``, a huge-page fault compacts memory on the spot
when no free 2 MB block is at hand; the fallback bounds that stall. Prints each mode's reads in
milliseconds, sorted, and the median.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from safeload import io as fileio


def _time_reads(path: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with path.open("rb") as fh:
            freed = pickle.load(fh)
        del freed
        start = time.perf_counter()
        data = fileio.read_once(path, 1 << 40)
        times.append((time.perf_counter() - start) * 1000)
        del data
    return sorted(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=1024, help="file size in MiB")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args(argv)
    try:
        modes_line = Path("/sys/kernel/mm/transparent_hugepage/defrag").read_text()
        defrag = modes_line.split("[", 1)[1].split("]", 1)[0]
    except (OSError, IndexError):
        defrag = "unknown"
    print(f"THP defrag: {defrag}; {args.mb} MiB, {args.runs} reads per mode")
    huge, slow = fileio.MADV_HUGEPAGE, fileio.SLOW_HUGE_READ
    modes = {
        "bytearray": (None, slow),
        "huge pages": (huge, 1e-300),  # a threshold no read is slower than: never falls back
        "huge, with fallback": (huge, slow),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.pkl"
        array = np.random.default_rng(0).random(args.mb << 17)
        path.write_bytes(pickle.dumps(array, protocol=5))
        del array
        try:
            for label, (madv, threshold) in modes.items():
                fileio.MADV_HUGEPAGE, fileio.SLOW_HUGE_READ = madv, threshold
                times = _time_reads(path, args.runs)
                shown = ", ".join(f"{t:.0f}" for t in times)
                print(f"{label:<20} median {statistics.median(times):7.1f} ms   [{shown}]")
        finally:
            fileio.MADV_HUGEPAGE, fileio.SLOW_HUGE_READ = huge, slow
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
