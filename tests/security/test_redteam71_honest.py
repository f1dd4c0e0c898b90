"""Red team 71's fixes next to the honest models they must keep loading: each model is fitted
as a user would, pickled, called SAFE by ``scan`` and loaded by ``load_unsigned``, and the
methods the rule reads are called on the loaded copy (their results equal the original's).

- rt71-01: PLS's target-side arrays are (targets, components): multi-target PLS, CCA and
  PLSSVD with ``transform(X, Y)`` and ``inverse_transform(X, Y)``.
- rt71-02/03: AdaBoostRegressor's stage bound costs what members hold and measure: KNN, SVR,
  pipeline and voting members, and 500 stumps (the bound itself).
- rt71-04: fitted lists at every depth: the lists scikit-learn keeps (MLP layers, a
  multi-output forest's classes).
- rt71-06/07: Birch of many leaves, after ``partial_fit``.
- rt71-10: LocallyLinearEmbedding with the usual neighbours.
- rt71-11: IterativeImputer of several rounds over several features.
- rt71-12: ``transformer_weights`` and ``kernel_params`` as numbers (numpy's too).
- rt71-13: the outlier detectors, threshold tuner, Bayesian ridges and sigmoid calibration.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from redteam import load_honest

RNG = np.random.RandomState(0)
X = RNG.rand(120, 4)
Y = X @ RNG.rand(4) + 0.1 * RNG.rand(120)
Y2 = np.c_[Y, X[:, 0] - X[:, 1]]
LABELS = (X[:, 0] + X[:, 1] > 1).astype(int)


def _same(model: Any, loaded: Any, method: str, *args: Any) -> None:
    expected = getattr(model, method)(*args)
    got = getattr(loaded, method)(*args)
    for want, have in zip(
        expected if isinstance(expected, tuple) else (expected,),
        got if isinstance(got, tuple) else (got,),
        strict=True,
    ):
        np.testing.assert_allclose(np.asarray(want, dtype=float), np.asarray(have, dtype=float))


@pytest.mark.parametrize("kind", ["PLSRegression", "PLSCanonical", "CCA", "PLSSVD"])
def test_pls_target_side(tmp_path, kind):
    from sklearn import cross_decomposition

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = getattr(cross_decomposition, kind)(n_components=2).fit(X, Y2)
    loaded = load_honest(model, tmp_path)
    _same(model, loaded, "transform", X[:5], Y2[:5])
    if kind != "PLSSVD":
        _same(model, loaded, "inverse_transform", X[:5, :2], Y2[:5])


def _adaboost(kind: str) -> Any:
    from sklearn.ensemble import AdaBoostRegressor, VotingRegressor
    from sklearn.linear_model import Ridge
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVR
    from sklearn.tree import DecisionTreeRegressor

    base: Any = {
        "knn": lambda: KNeighborsRegressor(5),
        "svr": lambda: SVR(),
        "pipeline": lambda: make_pipeline(StandardScaler(), DecisionTreeRegressor(max_depth=3)),
        "voting": lambda: VotingRegressor(
            [("t", DecisionTreeRegressor(max_depth=2)), ("r", Ridge())]
        ),
        "stumps": lambda: DecisionTreeRegressor(max_depth=1),
    }[kind]()
    count = 500 if kind == "stumps" else 20
    return AdaBoostRegressor(base, n_estimators=count, random_state=0).fit(X, Y)


@pytest.mark.parametrize("kind", ["knn", "svr", "pipeline", "voting", "stumps"])
def test_adaboost_members(tmp_path, kind):
    model = _adaboost(kind)
    loaded = load_honest(model, tmp_path)
    _same(model, loaded, "predict", X[:3])
    staged = list(loaded.staged_predict(X[:2]))
    assert len(staged) == len(model.estimators_)


def test_kept_lists(tmp_path):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.neural_network import MLPRegressor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPRegressor(hidden_layer_sizes=(8, 4), max_iter=50, random_state=0).fit(X, Y)
    _same(mlp, load_honest(mlp, tmp_path), "predict", X[:3])
    forest = RandomForestClassifier(5, random_state=0).fit(X, np.c_[LABELS, 1 - LABELS])
    assert type(forest.classes_) is list
    _same(forest, load_honest(forest, tmp_path), "predict", X[:3])


def test_birch_many_leaves(tmp_path):
    from sklearn.cluster import Birch

    points = RNG.rand(1500, 2)
    model = Birch(threshold=0.02, n_clusters=4).fit(points)
    model.partial_fit(points[:50])
    assert len(model._get_leaves()) > 8
    loaded = load_honest(model, tmp_path)
    _same(model, loaded, "predict", points[:5])
    loaded.partial_fit(points[50:60])


def test_lle(tmp_path):
    from sklearn.manifold import LocallyLinearEmbedding

    model = LocallyLinearEmbedding(n_neighbors=12, n_components=2, random_state=0).fit(X)
    _same(model, load_honest(model, tmp_path), "transform", X[:4])


def test_iterative_imputer(tmp_path):
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    holes = X.copy()
    holes[RNG.rand(*holes.shape) < 0.15] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = IterativeImputer(max_iter=4, random_state=0).fit(holes)
    assert len(model.imputation_sequence_) == model.n_iter_ * holes.shape[1]
    _same(model, load_honest(model, tmp_path), "transform", holes[:6])


@pytest.mark.parametrize("kind", ["union", "column_transformer", "nystroem", "kernel_pca"])
def test_parameter_dicts(tmp_path, kind):
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import KernelPCA
    from sklearn.kernel_approximation import Nystroem
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    model: Any
    if kind == "union":
        model = FeatureUnion(
            [("a", StandardScaler()), ("b", MinMaxScaler())],
            transformer_weights={"a": 2.0, "b": np.float64(0.5)},
        ).fit(X)
    elif kind == "column_transformer":
        model = ColumnTransformer(
            [("a", StandardScaler(), [0, 1]), ("b", MinMaxScaler(), [2])],
            transformer_weights={"a": 1, "b": np.int64(3)},
        ).fit(X)
    elif kind == "nystroem":
        model = Nystroem(
            kernel="polynomial", kernel_params={"degree": 2, "coef0": 1.0}, n_components=10
        ).fit(X)
    else:
        model = KernelPCA(3, kernel="rbf", kernel_params={"gamma": np.float64(0.3)}).fit(X)
    _same(model, load_honest(model, tmp_path), "transform", X[:4])


@pytest.mark.parametrize(
    "kind",
    [
        "elliptic_envelope",
        "isolation_forest",
        "lof",
        "one_class_svm",
        "sgd_one_class_svm",
        "tuned_threshold",
        "bayesian_ridge",
        "ard",
        "sigmoid_calibration",
    ],
)
def test_fitted_numbers(tmp_path, kind):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.covariance import EllipticEnvelope
    from sklearn.ensemble import IsolationForest
    from sklearn.linear_model import (
        ARDRegression,
        BayesianRidge,
        LogisticRegression,
        SGDOneClassSVM,
    )
    from sklearn.model_selection import TunedThresholdClassifierCV
    from sklearn.neighbors import LocalOutlierFactor
    from sklearn.svm import OneClassSVM

    makers: dict[str, Any] = {
        "elliptic_envelope": lambda: EllipticEnvelope(random_state=0).fit(X),
        "isolation_forest": lambda: IsolationForest(n_estimators=10, random_state=0).fit(X),
        "lof": lambda: LocalOutlierFactor(novelty=True).fit(X),
        "one_class_svm": lambda: OneClassSVM().fit(X),
        "sgd_one_class_svm": lambda: SGDOneClassSVM(random_state=0).fit(X),
        "tuned_threshold": lambda: TunedThresholdClassifierCV(LogisticRegression(), cv=2).fit(
            X, LABELS
        ),
        "bayesian_ridge": lambda: BayesianRidge().fit(X, Y),
        "ard": lambda: ARDRegression().fit(X, Y),
        "sigmoid_calibration": lambda: CalibratedClassifierCV(LogisticRegression(), cv=2).fit(
            X, LABELS
        ),
    }
    model = makers[kind]()
    loaded = load_honest(model, tmp_path)
    _same(model, loaded, "predict", X[:5])
    if kind in ("bayesian_ridge", "ard"):
        _same(model, loaded, "predict", X[:5], True)
    elif hasattr(model, "decision_function"):
        _same(model, loaded, "decision_function", X[:5])
