"""Red team 31 (an independent helper session, 03:52-04:43 UTC on d79f7ff): its reproducers,
kept as written. Each test first shows the harm under plain pickle in a child process under
resource limits, then asserts what safeload should do: refuse, in scan and in
load_unsigned. All of them are fixed; ``test_redteam31_variants.py`` holds the variants
written while fixing them."""

from __future__ import annotations

import pickle
import struct
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    PLAIN_CALL,
    SAFE_CALL,
    assert_safeload_refuses,
    child,
    hgb_nodes,
    maxrss,
    write,
)

_child = partial(child, timeout=240)
_assert_safeload_refuses = partial(assert_safeload_refuses, timeout=240)


# --- rt31-01: a zero-size array (or an empty sparse matrix) with a huge other dimension ----------


def _rt31_01_mlp(width: int) -> bytes:
    from sklearn.neural_network import MLPRegressor

    X = np.random.RandomState(0).rand(20, 3)
    m = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X, X.sum(1))
    # layer 1 has 0 units: coefs_[1] is (0, width), 0 bytes; X @ (3, 0) @ (0, width) is
    # an (n_samples, width) float64 matrix, then += intercepts_[1] (shape (1,), broadcast)
    m.coefs_ = [np.zeros((3, 0)), np.zeros((0, width))]
    m.intercepts_ = [np.zeros((0,)), np.zeros((1,))]
    m.n_outputs_ = width
    for a in ("loss_curve_", "_best_coefs", "_best_intercepts", "_optimizer"):
        if hasattr(m, a):
            delattr(m, a)
    return pickle.dumps(m, protocol=5)


def test_rt31_01_mlp_zero_unit_layer_then_huge_layer(tmp_path: Path) -> None:
    """~6 KB: MLPRegressor.predict(1 row) writes an (1, 10**8) float64 matrix (800 MB RSS);
    10 rows 8 GB. Plain pickle and safeload behave the same; scan says SAFE. (The test shows
    the one row running out of half a GB, not writing its 800 MB: 5 s less.)"""
    path = write(tmp_path, _rt31_01_mlp(10**8))
    call = "r = model.predict(numpy.ones((1, 3)))"
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


def _rt31_01_srp(rows: int) -> bytes:
    import scipy.sparse as sp
    from sklearn.random_projection import SparseRandomProjection

    X = np.random.RandomState(0).rand(20, 3)
    m = SparseRandomProjection(n_components=2, random_state=0, dense_output=True).fit(X)
    # an empty CSC matrix of shape (rows, 3): its indptr has 4 items whatever ``rows`` is;
    # n_components_ (which _n_features_out reports) stays 2
    m.components_ = sp.csc_matrix((rows, 3), dtype=np.float64)
    return pickle.dumps(m, protocol=5)


def test_rt31_01_sparse_projection_empty_matrix_of_huge_shape(tmp_path: Path) -> None:
    """664 B: SparseRandomProjection.transform(1 row) returns a dense (1, 10**9) array: 8 GB
    asked (MemoryError under 3 GiB), and X rows * 8 GB in general."""
    path = write(tmp_path, _rt31_01_srp(10**9))
    call = "r = model.transform(numpy.ones((1, 3))); r.sum()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call MemoryError" in plain.stdout, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


# --- rt31-02: stored output counts that size predict's output --------------------------------


def _rt31_02_dummy(outputs: int) -> bytes:
    from sklearn.dummy import DummyRegressor

    X = np.random.RandomState(0).rand(20, 3)
    m = DummyRegressor().fit(X, X.sum(1))
    m.n_outputs_ = outputs  # constant_ stays (1, 1) and broadcasts
    return pickle.dumps(m, protocol=5)


def test_rt31_02_dummy_regressor_n_outputs(tmp_path: Path) -> None:
    """298 B: DummyRegressor.predict(1 row) runs np.full((1, n_outputs_), constant_): 800 MB
    written for 10**8, and rows * 8 * n_outputs_ bytes in general."""
    path = write(tmp_path, _rt31_02_dummy(10**8))
    call = "r = model.predict(numpy.ones((1, 3)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 700, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


def _rt31_02_n_features_in(n: int) -> bytes:
    from sklearn.preprocessing import StandardScaler

    m = StandardScaler().fit(np.random.RandomState(0).rand(20, 3))
    m.n_features_in_ = n  # nothing else agrees with it; only get_feature_names_out reads it
    return pickle.dumps(m, protocol=5)


def test_rt31_02_n_features_in_sizes_feature_names(tmp_path: Path) -> None:
    """483 B: StandardScaler.get_feature_names_out() makes one 'x{i}' string per
    n_features_in_: 10**7 takes ~930 MB and 1.6 s; 10**9 would be ~90 GB. (Also reached by
    set_output(transform='pandas') and by any ColumnTransformer/Pipeline holding it.)"""
    path = write(tmp_path, _rt31_02_n_features_in(10**7))
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 700, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


# --- rt31-03: _repr_html_ (a notebook's display) evaluates properties: estimators_samples_ ----


def _rt31_03_forest(bootstrap: int) -> bytes:
    from sklearn.ensemble import RandomForestClassifier

    X = np.random.RandomState(0).rand(20, 3)
    m = RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0)
    m.fit(X, (X[:, 0] > 0.5).astype(int))
    m._n_samples_bootstrap = bootstrap  # randint(0, _n_samples, this) per tree
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("call", ["h = model._repr_html_()", "s = model.estimators_samples_"])
def test_rt31_03_forest_bootstrap_count_via_repr_html(call: str, tmp_path: Path) -> None:
    """2.5 KB: displaying the forest in a notebook (``_repr_html_``, whose fitted-attribute
    table runs inspect.getmembers and so every property) regenerates the bootstrap indices of
    every tree: 2 trees x 10**8 int64 = 1.7 GB RSS and ~10 s; n_trees x 8 GB at 10**9. The
    test draws 5 x 10**7 per tree (0.8 GB of indices, in half the time), refused alike."""
    path = write(tmp_path, _rt31_03_forest(5 * 10**7))
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 700, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


# --- rt31-04: a free-standing MahalanobisDistance64 whose VI is (N, 0) -------------------------


class _Mahalanobis:
    """Pickles as sklearn's own ``newObj(MahalanobisDistance64)`` + BUILD ``(p, vec, mat)``
    (what ``DistanceMetric.__reduce__`` writes), with ``mat`` of shape ``(rows, 0)``."""

    def __init__(self, rows: int) -> None:
        self.rows = rows

    def __reduce__(self) -> Any:
        from sklearn.metrics._dist_metrics import MahalanobisDistance64, newObj

        return (newObj, (MahalanobisDistance64,), (2.0, np.zeros(0), np.zeros((self.rows, 0))))


def test_rt31_04_mahalanobis_out_of_bounds_read(tmp_path: Path) -> None:
    """269 B: ``__setstate__`` takes ``size`` from ``mat.shape[0]``; ``pairwise`` checks the
    input against ``size`` and its native ``rdist`` reads ``mat[i, j]`` for i, j < size. The
    unpickled (N, 0) array has strides (8, 8) over an allocation of one item, so it reads
    ~16 N bytes past it: SIGSEGV at N = 3*10**6 (smaller N leak heap bytes into the
    distances). check_metric only runs on a metric inside a KD/Ball tree; this one is the
    model itself (an allowlisted class: its public methods are in scope)."""
    n = 3_000_000
    path = write(tmp_path, pickle.dumps(_Mahalanobis(n), protocol=4))
    call = f"d = model.pairwise(numpy.ones((2, {n})))"
    plain = _child(PLAIN_CALL.format(call=call), path, fresh=True)  # reads a fresh heap
    if plain.returncode != -11:  # whether the read faults depends on the heap: once more
        plain = _child(PLAIN_CALL.format(call=call), path, fresh=True)
    assert plain.returncode == -11 and "loaded" in plain.stdout, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


def test_rt31_05_mahalanobis_setstate_allocates_rows(tmp_path: Path) -> None:
    """~400 B: 40 BUILDs of one memoised state tuple whose ``mat`` is (10**8, 0) (0 bytes):
    each ``MahalanobisDistance64.__setstate__`` runs ``np.zeros(mat.shape[0])``, 763 MiB,
    30 GB in all, while loading. Plain pickle: MemoryError under a 3 GiB limit. scan says SAFE
    and load_unsigned refuses only by running out of memory (REBUILT_FROM_STATE does not list
    the class; its BUILD is charged for 0 bytes)."""
    data = pickle.dumps([_Mahalanobis(10**8) for _ in range(40)], protocol=4)
    path = write(tmp_path, data)
    plain = _child(PLAIN_CALL.format(call="pass"), path)
    assert "MemoryError" in plain.stderr and "loaded" not in plain.stdout, plain.stdout
    safe = _child(SAFE_CALL.format(call="pass"), path)
    assert "scan_safe False" in safe.stdout, safe.stdout + safe.stderr


def _rt31_04_bin_mapper(n_features: int) -> bytes:
    from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper

    m = _BinMapper(n_bins=16).fit(np.random.RandomState(0).rand(50, 2))
    # transform checks X's width against n_bins_non_missing_ only; the native _map_to_bins
    # indexes the (Python) list bin_thresholds_ per feature without bounds checks
    m.bin_thresholds_ = []
    m.n_bins_non_missing_ = np.full(n_features, 15, dtype=np.uint32)
    m.is_categorical_ = np.zeros(n_features, dtype=np.uint8)
    return pickle.dumps(m, protocol=5)


def test_rt31_04_bin_mapper_thresholds_list_read_out_of_bounds(tmp_path: Path) -> None:
    """482 B: a free-standing HGB ``_BinMapper`` (allowlisted; its check runs only inside an
    HGB estimator, on ``is_categorical_``). ``transform`` reads ``bin_thresholds_[j]`` for
    every input column with Cython's unchecked list access: an empty list is a NULL item
    array (SIGSEGV); a 1-item list with 100,000 columns read a foreign object ('type') as a
    threshold array."""
    path = write(tmp_path, _rt31_04_bin_mapper(2))
    call = "b = model.transform(numpy.ones((4, 2)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.returncode == -11 and "loaded" in plain.stdout, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


# --- rt31-06: nested pipelines under one memoised long step name: get_params(deep=True) -------


def _rt31_06_nested(depth: int, name_len: int = 65536) -> bytes:
    from sklearn.pipeline import Pipeline

    name = "n" * name_len  # one str object: pickle writes it once and BINGETs it
    p: Any = "passthrough"
    for _ in range(depth):
        p = Pipeline([(name, p)])
    return pickle.dumps(p, protocol=4)


@pytest.mark.parametrize("depth", [64])  # red team 31 also ran 128: the same finding
def test_rt31_06_get_params_deep_quadratic_keys(depth: int, tmp_path: Path) -> None:
    """67.7 KB (depth 64): get_params(deep=True) prefixes every key of each level with the
    step name, so level j's keys are j * 64 KB long: 320 keys, 665 MB of key text, 1.4 GB RSS
    and 13 s (about 9,800 bytes per file byte; time is cubic in the depth). Depth 128 (71.7
    KB): MemoryError under a 3 GiB limit; there scan says unsafe ('too deep') but
    load_unsigned still returns the model."""
    path = write(tmp_path, _rt31_06_nested(depth))
    call = "d = model.get_params(deep=True)"
    # 512 MB: the same MemoryError, sooner
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2, cpu=30)
    assert "loaded" in plain.stdout, plain.stdout + plain.stderr
    assert "call MemoryError" in plain.stdout or maxrss(plain.stdout) > 1200, plain.stdout
    _assert_safeload_refuses(path, call)


# --- rt31-07: rt29-06 again: a DummyClassifier(strategy='constant') predicts its constant ----


def _rt31_07_voting(constant: int) -> bytes:
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression

    X = np.random.RandomState(0).rand(20, 3)
    y = (X[:, 0] > 0.5).astype(int)
    m = VotingClassifier(
        [("d", DummyClassifier(strategy="constant", constant=0)), ("l", LogisticRegression())],
        voting="hard",
    ).fit(X, y)
    # classes_ stay le_'s codes [0, 1] (what check_voting_classifier holds them to), but a
    # constant strategy's predict returns np.tile(self.constant, ...), not a classes_ value
    m.estimators_[0].constant = constant
    return pickle.dumps(m, protocol=5)


def test_rt31_07_voting_hard_bincount_of_dummy_constant(tmp_path: Path) -> None:
    """1.4 KB: VotingClassifier.predict runs np.bincount over each row of its sub-estimators'
    predictions; the DummyClassifier predicts 2**31 whatever its classes_: 16 GiB asked per
    row (MemoryError). scan SAFE, load_unsigned loads: a bypass of the rt29-06 fix."""
    path = write(tmp_path, _rt31_07_voting(2**31))
    call = "r = model.predict(numpy.ones((2, 3)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call MemoryError" in plain.stdout, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


def _rt31_06_union(depth: int = 64, name_len: int = 16384, features: int = 1000) -> bytes:
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    name = "n" * name_len
    p: Any = StandardScaler().fit(np.random.RandomState(0).rand(5, features))
    for _ in range(depth):
        p = FeatureUnion([(name, p)])
    return pickle.dumps(p, protocol=4)


def test_rt31_06_feature_names_nested_prefixes(tmp_path: Path) -> None:
    """43 KB: get_feature_names_out() of 64 nested FeatureUnions named by one memoised 16 KB
    string over a 1000-feature scaler: 1000 names of ~1 MB each, 1.05 GB of text, 2.2 GB RSS,
    9 s (~24,000 bytes per file byte). A stored set_output config of 'pandas' makes
    transform() call it too."""
    path = write(tmp_path, _rt31_06_union())
    call = "n = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB, cpu=30)
    assert "loaded" in plain.stdout, plain.stdout + plain.stderr
    assert "call MemoryError" in plain.stdout or maxrss(plain.stdout) > 1500, plain.stdout
    _assert_safeload_refuses(path, call)


# --- rt31-08: repr / _repr_html_ of nested estimators takes time exponential in the depth -----


def _rt31_08_nested(depth: int) -> bytes:
    from sklearn.pipeline import Pipeline

    p: Any = "passthrough"
    for _ in range(depth):
        p = Pipeline([("n", p)])
    return pickle.dumps(p, protocol=4)


@pytest.mark.parametrize("call", ["r = repr(model)", "h = model._repr_html_()"])
def test_rt31_08_repr_of_nested_pipelines_is_exponential(call: str, tmp_path: Path) -> None:
    """~2.6 KB: 24 Pipelines, each the only step of the next, step names of one character, no
    sharing (the end-of-walk count is linear). scikit-learn's pretty-printer roughly doubles
    its work per level (measured: depth 8 0.13 s, 10 0.45 s, 12 2.0 s for repr; _repr_html_
    0.27 / 1.0 / 4.6 s), so printing the model, or a notebook displaying it, never returns:
    killed at the CPU limit. The same holds for any estimator-in-estimator chain
    (BaggingClassifier(estimator=BaggingClassifier(...)): 0.02 / 0.12 / 0.5 s at 6 / 8 / 10)."""
    path = write(tmp_path, _rt31_08_nested(24))
    plain = _child(PLAIN_CALL.format(call=call), path, cpu=HANG_CPU)  # 2**20 steps and more: killed
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, plain.stdout
    assert plain.returncode is not None and plain.returncode < 0, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


def _rt31_08_nested_fitted(depth: int) -> bytes:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    X = np.random.RandomState(0).rand(20, 3)
    p: Any = LogisticRegression().fit(X, (X[:, 0] > 0.5).astype(int))
    for _ in range(depth):
        p = Pipeline([("n", p)])
    return pickle.dumps(p, protocol=4)


def test_rt31_08_predict_of_nested_pipelines_is_exponential(tmp_path: Path) -> None:
    """~1.7 KB: a fitted LogisticRegression inside 20 single-step Pipelines. Pipeline's
    __sklearn_tags__ asks get_tags of its first step and of its last step (the same object),
    and check_is_fitted asks get_tags at every level: predict takes ~3**depth steps (measured:
    depth 8 0.11 s, 10 0.89 s; get_tags alone 0.08 / 0.41 s). predict(20 rows) never
    returns: killed at the CPU limit."""
    path = write(tmp_path, _rt31_08_nested_fitted(20))
    call = "r = model.predict(numpy.ones((20, 3)))"
    plain = _child(PLAIN_CALL.format(call=call), path, cpu=HANG_CPU)  # 2**20 steps and more: killed
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, plain.stdout
    assert plain.returncode is not None and plain.returncode < 0, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


# --- rt31-09 (low): scan SAFE, load refuses: collections.OrderedDict called on an int ---------


def test_rt31_09_ordered_dict_of_an_int_scan_load_disagree(tmp_path: Path) -> None:
    """27 B: ``OrderedDict(10**9)``. scan says SAFE; load_unsigned fails inside the
    unpickler (TypeError: 'int' object is not iterable), so the verdicts differ. Harmless,
    but the pass models OrderedDict's argument as anything; it should accept only what
    pickle writes (no argument, or a list of pairs)."""
    data = (
        b"\x80\x02" + b"ccollections\nOrderedDict\n" + b"J" + struct.pack("<i", 10**9) + b"\x85R."
    )
    path = write(tmp_path, data)
    plain = _child(PLAIN_CALL.format(call="pass"), path)
    assert "TypeError" in plain.stderr, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, "pass")


def _rt31_04_predictor(feature: int) -> bytes:

    hgb, _nodes, _raw = hgb_nodes()
    pred = hgb._predictors[0][0]
    nodes = pred.nodes.copy()
    nodes["feature_idx"][np.flatnonzero(~nodes["is_leaf"].astype(bool))] = feature
    pred.nodes = nodes
    return pickle.dumps(pred, protocol=5)


def test_rt31_04_standalone_tree_predictor_feature_index(tmp_path: Path) -> None:
    """2.1 KB: a free-standing HGB ``TreePredictor`` is checked 'against itself'
    (check_tree_predictor passes n_features=None), so its split features are unbounded.
    ``predict`` on a 4-column input (the width the honest predictor was fitted on) reads
    column 10**8: SIGSEGV. Either bound the features of a predictor met on its own, or
    refuse a TreePredictor outside a HistGradientBoosting estimator."""
    path = write(tmp_path, _rt31_04_predictor(10**8))
    call = (
        "r = model.predict(numpy.zeros((4, 4)), numpy.zeros((0, 8), numpy.uint32), "
        "numpy.zeros(4, numpy.uint32), 1)"
    )
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.returncode == -11 and "loaded" in plain.stdout, plain.stdout + plain.stderr
    _assert_safeload_refuses(path, call)


def _rt31_06_one_hot(categories: int = 10_000, name_len: int = 65536) -> bytes:
    from sklearn.preprocessing import OneHotEncoder

    m = OneHotEncoder().fit(np.arange(categories).reshape(-1, 1))
    m.feature_names_in_ = np.array(["f" * name_len], dtype=object)
    return pickle.dumps(m, protocol=5)


def test_rt31_06_one_hot_names_feature_name_times_categories(tmp_path: Path) -> None:
    """146 KB: one 64 KB feature name and 10,000 categories: get_feature_names_out() makes
    10,000 names of 64 KB, 655 MB (790 MB RSS), ~4,500 bytes per file byte: the name is
    counted once, but every category's name repeats it."""
    path = write(tmp_path, _rt31_06_one_hot())
    call = "n = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 600, plain.stdout
    _assert_safeload_refuses(path, call)
