"""Where a safeload load spends its time, stage by stage (best of 7 each).

    .venv/bin/python benchmarks/profile_stages.py [--trees 100]

Builds a RandomForestClassifier (20,000 x 30 synthetic rows), saves it signed as joblib and
pickle, and times each stage of loading on its own: reading into private memory, SHA-256, the
static pass over the opcodes (and, within it, the use-time rules it applies to what the stream
shows), the restricted C unpickler (copying arrays, and with arrays as views of the buffer, as a
load does), the use-time walk over the built model, and all post-build checks (the use-time
walk, dtypes, trees and the other native structures), next to the plain loaders. The stages
of one load overlap (hashing runs beside reading and the static pass), so they add up to more
than a load.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib

import safeload
from safeload import formats, validate
from safeload import io as fileio
from safeload.pickle.joblib_stream import load_joblib_stream
from safeload.pickle.unpickler import load_pickle_stream
from safeload.pickle.walker import Walker
from safeload.policy import Limits, resolve_policy
from safeload.trust import static, usetime


def _best(fn: Callable[[], Any], runs: int = 7) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _stages(path: Path, fmt: str, key: safeload.SigningKey) -> None:
    policy, limits = resolve_policy(None, ()), Limits()
    name = path.name
    data = fileio.read_once(path, limits.max_file_size)
    prepared = formats.prepare(data, fmt, policy, limits, name)
    assert prepared.analysis is not None
    reader = load_joblib_stream if fmt == "joblib" else load_pickle_stream
    obj = reader(prepared.stream, policy, limits, name, prepared.analysis)
    # the walker's record of builds and stored values, which analyze() drops after using it
    walked = Walker(prepared.stream, policy, limits, fmt == "joblib").run()

    def plain() -> Any:
        if fmt == "joblib":
            return joblib.load(path)
        with path.open("rb") as fh:
            return pickle.load(fh)

    # A pickle load with views rearranges its buffer: each run gets a fresh one, read beforehand.
    fresh = [fileio.read_once(path, limits.max_file_size) for _ in range(7)]

    def views() -> Any:
        buf = fresh.pop() if fmt == "pickle" else prepared.stream
        return reader(buf, policy, limits, name, prepared.analysis, views=True)

    stages: dict[str, Callable[[], Any]] = {
        f"plain {fmt} load": plain,
        "safeload.load (signed)": lambda: safeload.load(path, key.public_key),
        "read into private memory": lambda: fileio.read_once(path, 1 << 40),
        "sha256": lambda: hashlib.sha256(data).digest(),
        "static pass": lambda: formats.prepare(data, fmt, policy, limits, name),
        "restricted C unpickler": lambda: reader(
            prepared.stream, policy, limits, name, prepared.analysis
        ),
        "  the same, with views": views,
        "use-time rules (scan only)": lambda: static.use_time_findings(walked, policy),
        "use-time walk": lambda: usetime.check_use_time(obj, max_objects=1 << 40),
        "post-build checks (all)": lambda: validate.validate_loaded(obj, name),
    }
    count = prepared.analysis.opcode_count
    print(f"{name}: {path.stat().st_size / 1e6:.1f} MB, {count} opcodes")
    for label, fn in stages.items():
        print(f"  {label:<26}{_best(fn):8.1f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", type=int, default=100)
    args = ap.parse_args(argv)
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    x, y = make_classification(n_samples=20_000, n_features=30, random_state=0)
    forest = RandomForestClassifier(n_estimators=args.trees, random_state=0, n_jobs=-1).fit(x, y)
    key = safeload.SigningKey.generate()
    print(f"RandomForestClassifier, {args.trees} trees")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, name in (("joblib", "forest.joblib"), ("pickle", "forest.pkl")):
            path = Path(tmp) / name
            safeload.dump(forest, path, key)
            _stages(path, fmt, key)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
