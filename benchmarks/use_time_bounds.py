"""The honest sizes red team 83's use-time bounds admit, and what a call at them costs.

    .venv/bin/python benchmarks/use_time_bounds.py [--measure]

Prints, from the checks' own counts, the most training samples a Gaussian process may have
(``gaussian_process_cost`` under ``MAX_GP_NUMBERS`` and ``MAX_GP_WORK``) for a few common
kernels, and the most rows a forest fitted with sample or class weights may have
(``MAX_WEIGHTED_DRAW_NS``). With ``--measure`` it also fits models near those sizes and
times, on one thread, the calls the bounds are for (``log_marginal_likelihood`` with its
gradient, ``estimators_samples_``'s weighted draws), beside the count: some minutes.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
from sklearn.gaussian_process import GaussianProcessClassifier, GaussianProcessRegressor  # noqa: E402
from sklearn.gaussian_process._gpc import _BinaryGaussianProcessClassifierLaplace  # noqa: E402
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel  # noqa: E402

from safeload.trust.structures.ensembles import (  # noqa: E402
    MAX_WEIGHTED_DRAW_NS,
    WEIGHT_PASS_NS,
    weighted_draw_ns,
)
from safeload.trust.structures.estimators import (  # noqa: E402
    MAX_GP_NUMBERS,
    MAX_GP_WORK,
    gaussian_process_cost,
)


def _largest(fits: Callable[[int], bool]) -> int:
    """The largest size ``fits`` admits (a binary search; ``fits`` is monotone)."""
    low, high = 1, 1 << 28
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _shaped(shape: tuple[int, ...]) -> Any:
    """An array of ``shape`` that holds one number (the counts read shapes only)."""
    return np.broadcast_to(np.zeros(1), shape)


def _gp_fits(kernel: Any, features: int, targets: int, classifier: bool) -> Callable[[int], bool]:
    def fits(samples: int) -> bool:
        model: Any
        if classifier:
            model = _BinaryGaussianProcessClassifierLaplace(kernel=kernel)
        else:
            model = GaussianProcessRegressor(kernel=kernel)
            model.y_train_ = _shaped((samples, targets) if targets > 1 else (samples,))
        model.kernel_ = kernel
        model.X_train_ = _shaped((samples, features))
        numbers, work = gaussian_process_cost(model)
        return numbers <= MAX_GP_NUMBERS and work <= MAX_GP_WORK

    return fits


#: (label, kernel, features, targets, classifier)
_GPS: tuple[tuple[str, Any, int, int, bool], ...] = (
    ("regressor, RBF, 1 feature", RBF(1.0), 1, 1, False),
    (
        "regressor, C * RBF + White, 10 features",
        ConstantKernel() * RBF() + WhiteKernel(),
        10,
        1,
        False,
    ),
    (
        "regressor, C * RBF(10 scales) + White",
        ConstantKernel() * RBF(np.ones(10)) + WhiteKernel(),
        10,
        1,
        False,
    ),
    (
        "regressor, C * RBF + White, 256 targets",
        ConstantKernel() * RBF() + WhiteKernel(),
        10,
        256,
        False,
    ),
    ("classifier member, C * RBF, 10 features", ConstantKernel() * RBF(), 10, 1, True),
)


def _forest_rows(trees: int) -> int:
    return _largest(
        lambda rows: (
            trees * rows * (WEIGHT_PASS_NS + weighted_draw_ns(rows)) <= MAX_WEIGHTED_DRAW_NS
        )
    )


def _timed(call: Callable[[], Any]) -> tuple[float, float]:
    """(CPU seconds, peak traced MB) of ``call``."""
    tracemalloc.start()
    start = time.process_time()
    call()
    spent = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return spent, peak


def _measure_gp(
    label: str, kernel: Any, features: int, targets: int, classifier: bool, samples: int
) -> None:
    rng = np.random.RandomState(0)
    x = rng.rand(samples, features)
    model: Any
    if classifier:
        model = GaussianProcessClassifier(kernel=kernel, optimizer=None).fit(x, x[:, 0] > 0.5)
        member = model.base_estimator_
    else:
        y = rng.rand(samples, targets) if targets > 1 else rng.rand(samples)
        model = member = GaussianProcessRegressor(kernel=kernel, optimizer=None, alpha=1e-2).fit(
            x, y
        )
    theta = model.kernel_.theta
    spent, peak = _timed(lambda: model.log_marginal_likelihood(theta, eval_gradient=True))
    numbers, work = gaussian_process_cost(member)
    print(
        f"  {label}, {samples:,} samples: {spent:.2f} s, {peak:,.0f} MB "
        f"(counted {work:.3g} operations, {numbers * 8 / 2**20:,.0f} MB)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--measure", action="store_true", help="also time calls near the bounds")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"Gaussian processes (MAX_GP_NUMBERS {MAX_GP_NUMBERS:,}, MAX_GP_WORK {MAX_GP_WORK:,}):")
    largest = {}
    for label, kernel, features, targets, classifier in _GPS:
        largest[label] = _largest(_gp_fits(kernel, features, targets, classifier))
        print(f"  {label}: at most {largest[label]:,} samples")
    print(f"Weighted draws (MAX_WEIGHTED_DRAW_NS {MAX_WEIGHTED_DRAW_NS:,}):")
    for trees in (1, 10, 100, 500):
        print(
            f"  a forest of {trees} trees fitted with weights: at most {_forest_rows(trees):,} rows"
        )
    if not args.measure:
        return 0
    print("Measured near the bounds (one thread):")
    for label, kernel, features, targets, classifier in _GPS:
        _measure_gp(label, kernel, features, targets, classifier, int(largest[label] * 0.95))
    from sklearn.ensemble._forest import _generate_sample_indices

    for trees in (1, 100):
        rows = _forest_rows(trees)
        weights = np.ones(rows)
        sample = min(trees, 5)

        def draw(rows: int = rows, weights: Any = weights, sample: int = sample) -> None:
            for seed in range(sample):
                _generate_sample_indices(seed, rows, rows, weights)

        spent, _ = _timed(draw)
        print(f"  weighted draws, {trees} trees over {rows:,} rows: {spent / sample * trees:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
