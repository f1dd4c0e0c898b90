"""The seed's pickle-vs-joblib comparison for a random forest, with safeload rows added.

Saves one RandomForestClassifier with plain pickle, plain joblib, and safeload (signed pickle,
signed joblib, signed skops), then loads each back and reports save time, load time, file size
and whether accuracy is preserved. Times are one run each, on this machine: for ratios measured
properly, see ``make bench``.

    python examples/random_forest_formats.py [--trees 100] [--samples 5000] [--quick]
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

import safeload


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", type=int, default=100)
    ap.add_argument("--samples", type=int, default=5000)
    ap.add_argument("--quick", action="store_true", help="10 trees on 500 samples")
    args = ap.parse_args(argv)
    trees, samples = (10, 500) if args.quick else (args.trees, args.samples)

    x, y = make_classification(n_samples=samples, n_features=20, random_state=0)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0)
    model = RandomForestClassifier(n_estimators=trees, random_state=0).fit(x_train, y_train)
    accuracy = model.score(x_test, y_test)
    key = safeload.SigningKey.generate()

    def save_pickle(p: Path) -> None:
        with p.open("wb") as fh:
            pickle.dump(model, fh)

    def load_pickle(p: Path) -> Any:
        with p.open("rb") as fh:
            return pickle.load(fh)  # unsafe on untrusted files: shown for comparison only

    rows: list[tuple[str, str, Callable[[Path], Any], Callable[[Path], Any]]] = [
        ("pickle", "rf.pkl", save_pickle, load_pickle),
        ("joblib", "rf.joblib", lambda p: joblib.dump(model, p), joblib.load),
        (
            "safeload pickle",
            "signed.pkl",
            lambda p: safeload.dump(model, p, key),
            lambda p: safeload.load(p, key.public_key),
        ),
        (
            "safeload joblib",
            "signed.joblib",
            lambda p: safeload.dump(model, p, key),
            lambda p: safeload.load(p, key.public_key),
        ),
        (
            "safeload skops",
            "signed.skops",
            lambda p: safeload.dump(model, p, key),
            lambda p: safeload.load(p, key.public_key),
        ),
    ]
    # Warm up once, untimed, so the first safeload row does not pay for one-off imports.
    warm, warm_sig = safeload.dumps(model, key, format="pickle")
    safeload.loads(warm, warm_sig, key.public_key)

    print(f"RandomForestClassifier, {trees} trees, {samples} samples, accuracy {accuracy:.4f}")
    print(f"{'method':<17}{'save s':>9}{'load s':>9}{'size KB':>10}  accuracy preserved")
    with tempfile.TemporaryDirectory() as tmp:
        for label, name, save, load in rows:
            path = Path(tmp) / name
            save_s, _ = _timed(lambda s=save, p=path: s(p))
            load_s, loaded = _timed(lambda ld=load, p=path: ld(p))
            size = path.stat().st_size / 1024
            kept = loaded.score(x_test, y_test) == accuracy
            verdict = "yes" if kept else "NO"
            print(f"{label:<17}{save_s:>9.3f}{load_s:>9.3f}{size:>10.1f}  {verdict}")
            assert kept
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
