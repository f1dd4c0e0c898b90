"""Issue 14: ``scan`` gives ``load``'s verdict on native structures, from the stream alone.

A load builds the objects and runs the native-structure checks (``safeload.validate``) on them.
``scan`` builds nothing: it runs the same checks on shadows of the stream's values
(``safeload.trust.shadow``). For each family the load checks (libsvm models, KD/Ball trees,
histogram gradient-boosting predictors, sparse matrices, neighbours, k-means, coefficient
widths), an honest model scans safe and loads, and a crafted one is refused by both, for every
writer: pickle protocols 2, 4 and 5, joblib plain and compressed.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.neighbors import BallTree, KDTree, KNeighborsClassifier
from sklearn.svm import SVC, SVR

from safeload import SafeloadError, load_unsigned, scan
from safeload.trust import shadow_values

RNG = np.random.RandomState(0)
X = RNG.rand(80, 4)
Y = (X[:, 0] + X[:, 1] > 1).astype(int)


def _write(tmp_path: Path, obj: Any, writer: str) -> Path:
    if writer.startswith("joblib"):
        path = tmp_path / f"m-{writer}.joblib"
        joblib.dump(obj, path, compress=3 if writer == "joblib-zlib" else 0)
    else:
        path = tmp_path / f"m-{writer}.pkl"
        path.write_bytes(pickle.dumps(obj, protocol=int(writer[-1])))
    return path


WRITERS = ["pickle-2", "pickle-4", "pickle-5", "joblib", "joblib-zlib"]


def _svc_counts() -> tuple[Any, Any]:
    good = SVC().fit(X, Y)
    bad = SVC().fit(X, Y)
    bad._n_support = bad._n_support + 1000
    return good, bad


def _svr_sparse_dual() -> tuple[Any, Any]:
    good = SVR().fit(sp.csr_matrix(X), X[:, 0])
    bad = SVR().fit(sp.csr_matrix(X), X[:, 0])
    bad.support_ = bad.support_[:-1]
    return good, bad


def _kd_tree_index() -> tuple[Any, Any]:
    good = KDTree(X, leaf_size=8)
    state = list(good.__getstate__())
    idx = state[1].copy()
    idx[0] = 10**6
    state[1] = idx
    bad = KDTree.__new__(KDTree)
    bad.__setstate__(tuple(state))
    return good, bad


def _ball_tree_range() -> tuple[Any, Any]:
    good = BallTree(X, leaf_size=8)
    state = list(good.__getstate__())
    nodes = state[2].copy()
    nodes["idx_end"][0] = 10**6
    state[2] = nodes
    bad = BallTree.__new__(BallTree)
    bad.__setstate__(tuple(state))
    return good, bad


def _knn_classes() -> tuple[Any, Any]:
    good = KNeighborsClassifier(algorithm="kd_tree").fit(X, Y)
    bad = KNeighborsClassifier(algorithm="kd_tree").fit(X, Y)
    bad._y = bad._y + 7  # the native vote writes at scores[_y[j]]
    return good, bad


def _hgb_child() -> tuple[Any, Any]:
    good = HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(X, Y)
    bad = HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(X, Y)
    pred = bad._predictors[0][0]
    inner = np.flatnonzero(~pred.nodes["is_leaf"].astype(bool))
    pred.nodes["left"][inner[0]] = 10**6
    return good, bad


def _csr_index() -> tuple[Any, Any]:
    good = sp.random(6, 5, density=0.5, format="csr", random_state=0)
    bad = good.copy()
    bad.indices[0] = 10**6
    return good, bad


def _coo_row() -> tuple[Any, Any]:
    good = sp.random(6, 5, density=0.5, format="coo", random_state=0)
    bad = good.copy()
    bad.row[0] = 10**6
    return good, bad


def _kmeans_width() -> tuple[Any, Any]:
    good = KMeans(n_clusters=3, n_init=1, random_state=0).fit(X)
    bad = KMeans(n_clusters=3, n_init=1, random_state=0).fit(X)
    bad.cluster_centers_ = np.zeros((3, 2))
    return good, bad


def _sgd_width() -> tuple[Any, Any]:
    good = SGDClassifier(random_state=0).fit(X, Y)
    bad = SGDClassifier(random_state=0).fit(X, Y)
    bad.coef_ = np.zeros((1, 2))
    return good, bad


CASES: dict[str, Callable[[], tuple[Any, Any]]] = {
    "svc-support-counts": _svc_counts,
    "svr-sparse-dual": _svr_sparse_dual,
    "kd-tree-index": _kd_tree_index,
    "ball-tree-range": _ball_tree_range,
    "knn-class-index": _knn_classes,
    "hgb-predictor-child": _hgb_child,
    "csr-index": _csr_index,
    "coo-row": _coo_row,
    "kmeans-width": _kmeans_width,
    "sgd-coef-width": _sgd_width,
}


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_scan_gives_loads_verdict(case: str, writer: str, tmp_path: Path) -> None:
    good, bad = CASES[case]()
    honest = _write(tmp_path, good, writer)
    report = scan(honest)
    assert report.safe, report.findings
    load_unsigned(honest)
    crafted = _write(tmp_path, bad, writer)
    with pytest.raises(SafeloadError):
        load_unsigned(crafted)
    report = scan(crafted)
    assert not report.safe
    assert any("crafted" in f.message for f in report.findings), report.findings


def test_a_keyword_dict_with_an_int_key_is_refused_by_both(tmp_path: Path) -> None:
    """The pass keeps only the string keys of a dict. A neighbours model whose metric
    parameters (which the check reads) also have an integer key: ``**kwargs`` would raise on
    it, so the load refuses it and scan reads the literal key by the same rule (rt39-05;
    it used to be unproven to scan while a load accepted it)."""
    model = KNeighborsClassifier(
        algorithm="ball_tree", metric="mahalanobis", metric_params={"VI": np.eye(4)}
    ).fit(X, Y)
    model.effective_metric_params_[0] = "an integer key"
    path = _write(tmp_path, model, "pickle-4")
    report = scan(path)
    assert not report.safe
    assert "not a plain str" in report.findings[0].message, report.findings
    with pytest.raises(SafeloadError, match="not a plain str"):
        load_unsigned(path)


def test_shadows_answer_isinstance_as_the_real_object_and_never_run_unknowns() -> None:
    from sklearn.svm import SVC as RealSVC

    made = shadow_values.Shadow(RealSVC, {"kernel": "rbf"}, None)
    assert isinstance(made, RealSVC)
    assert made.kernel == "rbf"
    unknown = shadow_values.Unknown("a value the pass cannot see")
    for use in (
        lambda: isinstance(unknown, dict),
        lambda: hasattr(unknown, "__dict__"),
        lambda: np.asarray(unknown),
        lambda: int(unknown),
        lambda: unknown == "rbf",
    ):
        with pytest.raises(shadow_values.Unproven):
            use()


def _shared_pipelines(depth: int) -> Any:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    inner: Any = FunctionTransformer().fit(np.zeros((5, 2)))
    for _ in range(depth):
        pipe = Pipeline([("a", FunctionTransformer()), ("b", FunctionTransformer())])
        pipe.steps = [("a", inner), ("b", inner)]
        inner = pipe
    return inner


@pytest.mark.parametrize("depth", range(1, 11))
def test_scan_and_load_agree_on_the_sharing_bound(depth: int, tmp_path: Path) -> None:
    """The use-time walk's bound on objects shared through the memo (8 x objects + 64 visits),
    computed by scan on the shadows: the same verdict at every depth, on both sides of it."""
    path = _write(tmp_path, _shared_pipelines(depth), "pickle-4")
    try:
        load_unsigned(path)
        loads = True
    except SafeloadError:
        loads = False
    assert scan(path).safe == loads


def test_the_static_pass_knows_scikit_learns_tree_node_layout() -> None:
    """The pass reads tree nodes only in scikit-learn's own record layout (rt18-02), which it
    spells out without importing scikit-learn: the two must be equal."""
    from sklearn.tree._tree import NODE_DTYPE

    from safeload.pickle.stream_arrays import tree_node_dtype

    assert tree_node_dtype() == NODE_DTYPE
