"""Red team 84's rt84-06 (float16 components multiplied without BLAS) and rt84-09 (honest
weighted draws without replacement refused): the rules beside the fixes, and the honest models
they keep (the reproducers with their harm are in tests/security/test_redteam84.py)."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import numpy as np
import pytest

from redteam import (
    assert_refused,
    load_honest,
    write,
)
from safeload.trust.structures.ensembles import _weighted_rounds

# --- rt84-06: components of float16 (or another dtype without BLAS) ---------------------------


def _fitted(name: str, x: Any) -> Any:
    from sklearn import decomposition, random_projection

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name in ("GaussianRandomProjection", "SparseRandomProjection"):
            return getattr(random_projection, name)(3, random_state=0).fit(x)
        model = getattr(decomposition, name)(3)
        # (a few iterations: the stored dtypes are the same)
        params = model.get_params()
        model.set_params(**{k: v for k, v in (("max_iter", 5), ("random_state", 0)) if k in params})
        return model.fit(x)


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble, np.int64, np.complex128])
@pytest.mark.parametrize(
    "name",
    ["PCA", "TruncatedSVD", "NMF", "FactorAnalysis", "GaussianRandomProjection", "FastICA"],
)
def test_rt84_06_components_dtype_refused(tmp_path, name, dtype):
    # fit stores float64 (float32 for float32 input) whatever the input: any other dtype is
    # only what the file chose
    model = _fitted(name, np.random.RandomState(0).rand(40, 6))
    model.components_ = model.components_.astype(dtype)
    assert_refused(write(tmp_path, pickle.dumps(model, protocol=5)))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("PCA", "explained_variance_"),
        ("PCA", "noise_variance_"),
        ("IncrementalPCA", "explained_variance_"),
        ("IncrementalPCA", "noise_variance_"),
        ("FactorAnalysis", "noise_variance_"),
    ],
)
def test_rt84_06_arrays_multiplied_with_components_refused(tmp_path, name, key):
    # float64 components_, the array get_covariance / transform multiplies with them float16
    model = _fitted(name, np.random.RandomState(0).rand(40, 6))
    setattr(model, key, np.asarray(getattr(model, key)).astype(np.float16))
    assert_refused(write(tmp_path, pickle.dumps(model, protocol=5)))
    setattr(model, key, np.asarray(getattr(model, key)).astype(np.float32))
    load_honest(model, tmp_path)


@pytest.mark.parametrize("dtype", [np.longdouble, np.int64, np.complex128])
def test_rt84_06_sparse_projection_values_refused(tmp_path, dtype):
    # a sparse random projection's CSR values: float64 (float32 for float32 input), as fit
    # stores them (scipy has no float16 matrices)
    model = _fitted("SparseRandomProjection", np.random.RandomState(0).rand(40, 6))
    model.components_ = model.components_.astype(dtype)
    assert_refused(write(tmp_path, pickle.dumps(model, protocol=5)))


_WITH_COMPONENTS = [
    "PCA",
    "IncrementalPCA",
    "TruncatedSVD",
    "FastICA",
    "NMF",
    "MiniBatchNMF",
    "LatentDirichletAllocation",
    "SparsePCA",
    "MiniBatchSparsePCA",
    "DictionaryLearning",
    "MiniBatchDictionaryLearning",
    "FactorAnalysis",
    "GaussianRandomProjection",
    "SparseRandomProjection",
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64])
@pytest.mark.parametrize("name", _WITH_COMPONENTS)
def test_rt84_06_honest_components_load(tmp_path, name, dtype):
    # every decomposition and projection stores float64 or float32 components, whatever the
    # input's dtype (a SparsePCA keeps a float16 input's mean_, which it only subtracts)
    x = np.random.RandomState(0).rand(40, 6) * (10 if dtype is np.int64 else 1)
    model = _fitted(name, x.astype(dtype))
    loaded = load_honest(model, tmp_path)
    assert loaded.transform(x[:2].astype(model.components_.dtype)).shape[0] == 2


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64])
def test_rt84_06_honest_input_rows_and_others_load(tmp_path, dtype):
    from sklearn.cluster import DBSCAN
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.decomposition import KernelPCA, SparseCoder
    from sklearn.kernel_approximation import Nystroem
    from sklearn.neighbors import NeighborhoodComponentsAnalysis
    from sklearn.neural_network import BernoulliRBM

    # DBSCAN's and a Nystroem's components_ are training rows in the input's own dtype; a
    # SparseCoder's dictionary is a parameter (sparse_encode converts it); the others store
    # float arrays of their own
    rng = np.random.RandomState(0)
    x = (rng.rand(40, 4) * (10 if dtype is np.int64 else 1)).astype(dtype)
    y = np.arange(40) % 2
    models = [
        DBSCAN(eps=3.0).fit(x),
        Nystroem(n_components=5, random_state=0).fit(x),
        SparseCoder(np.eye(4, dtype=dtype), transform_algorithm="threshold").fit(x),
        KernelPCA(2).fit(x),
        BernoulliRBM(2, n_iter=2, random_state=0).fit(x),
        NeighborhoodComponentsAnalysis(2, max_iter=5, random_state=0).fit(x, y),
        PLSRegression(2).fit(x, y),
    ]
    for model in models:
        load_honest(model, tmp_path)


def test_rt84_06_gram_rule_still_reads_float32(tmp_path):
    from sklearn.decomposition import SparseCoder

    # the Gram bound reads shapes: float32 components at the bound load, past it refused
    coder: Any = SparseCoder(np.zeros((2_048, 2_048), np.float32), transform_algorithm="threshold")
    coder.fit(np.zeros((1, 2_048), np.float32))
    load_honest(coder, tmp_path)


# --- rt84-09: weighted draws of a few among many rows -----------------------------------------


def _numpy_rounds(weights: Any, drawn: int, seed: int) -> int:
    """The rounds of numpy's ``RandomState.choice(n, drawn, replace=False, p=...)``: its loop
    (draw the missing count, zero the found rows' weights, cumsum, searchsorted, unique)."""
    rng = np.random.RandomState(seed)
    p = weights / weights.sum()
    found = np.zeros(drawn, dtype=np.int64)
    have = rounds = 0
    while have < drawn:
        x = rng.rand(drawn - have)
        p[found[:have]] = 0
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        new = cdf.searchsorted(x, side="right")
        _, first = np.unique(new, return_index=True)
        new = new.take(np.sort(first))
        found[have : have + new.size] = new
        have += new.size
        rounds += 1
    # (the loop above is numpy's: its rows are the real call's)
    real = np.random.RandomState(seed).choice(
        weights.size, drawn, replace=False, p=weights / weights.sum()
    )
    assert np.array_equal(found, real)
    return rounds


@pytest.mark.parametrize(
    ("shape", "drawn"),
    [
        ("uniform_0.01", 256),
        ("uniform_0.01", 600),
        ("ones", 1_000),
        ("ones", 1_500),
        ("two_level", 16),
        ("two_level", 32),
        ("linear", 500),
        ("linear", 3_000),
        ("uniform_0.1", 1_500),
        ("uniform_0.1", 3_000),
        ("pareto", 1_500),
    ],
)
def test_rt84_09_rounds_counted_at_least_made(shape, drawn):
    # the share-of-weight count against numpy's loop over 60 seeds, for shapes that make
    # the most rounds it admits (a draw of half of equal weights: q = 1/2)
    n = 3_000
    weights = {
        "uniform_0.01": np.random.RandomState(1).uniform(0.01, 1.0, n),
        "ones": np.ones(n),
        "two_level": np.r_[np.full(64, 1e4), np.ones(n - 64)],
        "linear": np.arange(1, n + 1, dtype=float),
        "uniform_0.1": np.random.RandomState(2).uniform(0.1, 1.0, n),
        "pareto": np.random.RandomState(3).pareto(1.5, n) + 0.01,
    }[shape]
    counted, _ = _weighted_rounds(weights, drawn)
    assert counted < drawn
    made = max(_numpy_rounds(weights, drawn, seed) for seed in range(60))
    assert made <= counted, (made, counted)


def test_rt84_09_skewed_weights_still_counted_per_draw():
    # rt83-04's halving weights: the drawn largest hold all but ~2**-1000 of the sum, so
    # the spread rule counts (a round per draw), as before
    weights = np.zeros(4_000)
    weights[:1_074] = 2.0 ** -np.arange(1_074)
    assert _weighted_rounds(weights, 1_000) == (1_000, 1_000 * 1_001 // 2)
    # the whole positive population drawn: nothing is left past the drawn largest, a round
    # finds at least a third of the rows missing (it was 30 by the spread rule)
    assert _weighted_rounds(np.r_[np.ones(100), 2.0 * np.ones(100)], 200) == (20, 802)
    # one-or-two-of-many: two rounds followed, four more
    assert _weighted_rounds(np.random.RandomState(0).uniform(0.01, 1, 20_000), 256) == (8, 524)
