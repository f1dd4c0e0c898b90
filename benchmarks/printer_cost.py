"""How the printer count of ``safeload.trust.structures.printing`` tracks what ``repr``
really takes (the calibration that was ``test_cost_follows_the_printer``: a timing, so it
lives here, not in the tests).

    .venv/bin/python benchmarks/printer_cost.py

For five model shapes (5,000 floats, a held imputer, nested pipelines, 10,000 strings, a
5,000-word vocabulary) it prints ``repr_cost(model) * TICK_NS`` beside the best of three
measured ``repr`` times (process time) and their ratio. The count is a bound, not a
forecast: at building the ratios were 0.8 to 1.9; a ratio outside 1/4 to 4 exits 1, and
says the count no longer follows the printer on this machine.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from safeload.trust.structures.printing import TICK_NS, repr_cost

#: the band a ratio must lie in (count / measured)
BAND = (1 / 4, 4.0)


def _imputer(value: Any) -> Any:
    from sklearn.impute import SimpleImputer

    return SimpleImputer(strategy="constant", fill_value=value)


def _nested(model: Any, depth: int) -> Any:
    from sklearn.pipeline import Pipeline

    for _ in range(depth):
        model = Pipeline([("step", model)])
    return model


def models() -> dict[str, Any]:
    """The five shapes, by name."""
    from sklearn.feature_extraction.text import CountVectorizer

    return {
        "floats": _imputer([[float(i) for i in range(5_000)]]),
        "held": _imputer([[[_imputer([0.5] * 5_000)]]]),
        "pipelines": _nested(_imputer([0.5] * 5_000), 2),
        "strings": _imputer([f"feature_{i:05d}" for i in range(10_000)]),
        "vocabulary": CountVectorizer(vocabulary={f"w{i}": i for i in range(5_000)}),
    }


def _timed(model: Any) -> float:
    start = time.process_time()
    repr(model)
    return time.process_time() - start


def main() -> int:
    """Print the table; 1 if a ratio leaves :data:`BAND`."""
    outside = 0
    print(f"{'model':<12} {'count s':>9} {'repr s':>9} {'ratio':>7}")
    for name, model in models().items():
        best = min(_timed(model) for _ in range(3))
        counted = repr_cost(model) * TICK_NS / 1e9
        ratio = counted / best
        flag = "" if BAND[0] < ratio < BAND[1] else "  outside 1/4..4"
        outside += bool(flag)
        print(f"{name:<12} {counted:9.4f} {best:9.4f} {ratio:7.2f}{flag}")
    return 1 if outside else 0


if __name__ == "__main__":
    sys.exit(main())
