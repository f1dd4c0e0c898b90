"""Red team 85's weighted-draw finding, fixed: weights of a few levels (class weights) are
followed level by level, checked against numpy's own loop (rt85-01)."""

from __future__ import annotations

import numpy as np
import pytest

from safeload.trust.structures.ensembles import _grouped_rounds, _weighted_rounds
from test_redteam84_fixes_e import _numpy_rounds


def _balanced(n: int, minority: float) -> np.ndarray:
    from sklearn.utils.class_weight import compute_sample_weight

    return compute_sample_weight("balanced", (np.arange(n) < int(n * minority)).astype(int))


@pytest.mark.parametrize(
    ("shape", "drawn"),
    [
        ("balanced_1%", 2_700),
        ("balanced_1%", 3_000),
        ("three_heavy", 300),
        ("ten_levels", 1_500),
        ("twenty_levels", 1_000),
        ("halving", 60),
    ],
)
def test_rt85_01_levels_counted_at_least_made(shape, drawn):
    weights = {
        "balanced_1%": _balanced(3_000, 0.01),
        "three_heavy": np.r_[np.full(3, 1_000.0), np.ones(297)],
        "ten_levels": np.repeat(2.0 ** np.arange(10), 300),
        "twenty_levels": np.repeat(4.0 ** np.arange(20), 50),
        "halving": 2.0 ** np.arange(60),
    }[shape]
    counted, _ = _weighted_rounds(weights, drawn)
    made = max(_numpy_rounds(weights.copy(), drawn, seed) for seed in range(30))
    assert made <= counted < drawn, (made, counted)


def test_rt85_01_levels_only_for_a_few_values():
    # a weight per row (more than 64 values): the bound by the lightest rows alone
    assert _grouped_rounds(np.arange(1.0, 101.0), 50) is None
    # two levels: "balanced" weights of a 1% class, 90% drawn (the bound alone: 450 rounds)
    rounds, draws = _weighted_rounds(_balanced(20_000, 0.01), 18_000)
    assert rounds < 30 and draws < 10 * 18_000
