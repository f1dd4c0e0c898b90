"""Honest models still load under red team 31's rules: the dummy estimators' stored counts
and constants, distance metrics and HGB bin mappers on their own, empty arrays, and nested
estimators up to the depth honest models use (the crafted forms are refused in
tests/security/test_redteam31.py)."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import DistanceMetric
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import BallTree
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import safeload

X = np.random.RandomState(0).rand(60, 3)
Y = (X[:, 0] > 0.5).astype(int)
Y2 = np.c_[np.arange(60) % 2, np.arange(60) % 3]


def _nested(depth: int) -> Any:
    p: Any = "passthrough"
    for _ in range(depth):
        p = Pipeline([("n", p)])
    return p


def _deep_honest() -> Any:
    inner = make_pipeline(StandardScaler(), SelectFromModel(LogisticRegression()))
    ct = ColumnTransformer([("a", inner, [0, 1]), ("b", "passthrough", [2])])
    vote = VotingClassifier([("l", make_pipeline(StandardScaler(), LogisticRegression()))])
    stack = StackingClassifier([("b", BaggingClassifier(vote, n_estimators=2))], cv=2)
    return GridSearchCV(Pipeline([("ct", ct), ("clf", stack)]), {"clf__cv": [2]}, cv=2).fit(X, Y)


def _honest() -> dict[str, Any]:
    cases: dict[str, Any] = {}
    for strategy in ("most_frequent", "prior", "stratified", "uniform"):
        cases[f"dummy-{strategy}"] = DummyClassifier(strategy=strategy).fit(X, Y)
        cases[f"dummy-2-{strategy}"] = DummyClassifier(strategy=strategy).fit(X, Y2)
    cases["dummy-constant"] = DummyClassifier(strategy="constant", constant=1).fit(X, Y)
    labels = np.array(["a", "b"] * 30)
    cases["dummy-constant-str"] = DummyClassifier(strategy="constant", constant="b").fit(X, labels)
    cases["dummy-2-constant"] = DummyClassifier(strategy="constant", constant=[1, 2]).fit(X, Y2)
    cases["dummy-regressor"] = DummyRegressor().fit(X, X.sum(1))
    cases["dummy-regressor-2"] = DummyRegressor(strategy="median").fit(X, X[:, :2])
    # a weighted metric only inside a tree, which ties its size to the data (on its own its
    # sparse pairwise reads its weights unchecked, rt51-07: test_redteam51 refuses that)
    cases["metric-mahalanobis"] = BallTree(X, metric="mahalanobis", VI=np.eye(X.shape[1]))
    cases["metric-seuclidean"] = BallTree(X, metric="seuclidean", V=np.ones(X.shape[1]))
    cases["metric-euclidean"] = DistanceMetric.get_metric("euclidean")
    cases["bin-mapper"] = _BinMapper(n_bins=16).fit(X)
    cases["empty-arrays"] = {"a": np.zeros((0, 5)), "b": np.zeros((1000, 0)), "c": np.zeros(0)}
    # (12 pipelines deep is within the nesting limit, but its repr takes 3.6 s: the repr
    # bound refuses it, below; 9 deep, 0.07 s)
    cases["nested-9"] = _nested(9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases["deep-honest"] = _deep_honest()
    return cases


@pytest.mark.parametrize(("name", "model"), list(_honest().items()))
def test_honest_models_load_and_scan_safe(name: str, model: Any, tmp_path: Path) -> None:
    data = pickle.dumps(model, protocol=5)
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    assert safeload.scan(data).safe, name
    safeload.load_unsigned(path)


@pytest.mark.parametrize(
    ("name", "model", "refusal"),
    [
        ("nested-13", _nested(13), "nests 13 estimators"),
        ("nested-12", _nested(12), "its repr would cost"),
        ("empty-wide", {"a": np.zeros((0, 2**21))}, "empty array"),
        ("zero-items", {"a": np.zeros(5, dtype=[])}, "zero bytes"),
    ],
)
def test_refused_forms(name: str, model: Any, refusal: str, tmp_path: Path) -> None:
    data = pickle.dumps(model, protocol=5)
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    assert not safeload.scan(data).safe, name
    with pytest.raises(safeload.SafeloadError, match=refusal):
        safeload.load_unsigned(path)
