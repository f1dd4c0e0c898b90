"""The honest forms next to red team 38's parity fixes: what scikit-learn's own ``fit`` stores,
and values a user may pass, keep loading (and scan calls them safe) now that scan reads ABC
constraints (rt38-03), builds OrderedDict and Counter parameters (rt38-04), refuses dict
subclasses in estimator slots (rt38-08), and both sides take method and parameter names only
as a str, list or tuple (rt38-14) and refuse a FrozenEstimator without its estimator
(rt38-17)."""

from __future__ import annotations

import collections
from typing import Any

import numpy as np
import pytest

from redteam import load_honest

X = np.random.RandomState(0).rand(40, 4)
Y2 = np.arange(40) % 2
Y3 = np.arange(40) % 3


# --- rt38-03: values an ABC constraint takes ----------------------------------------------------


@pytest.mark.parametrize("label", [2, "most_frequent", None])
def test_radius_neighbors_outlier_labels(label: Any, tmp_path: Any) -> None:
    from sklearn.neighbors import RadiusNeighborsClassifier

    m = RadiusNeighborsClassifier(1.0, outlier_label=label).fit(X, Y3)
    assert load_honest(m, tmp_path).predict(X[:3]).shape == (3,)


@pytest.mark.parametrize("pos_label", [1, np.int64(1), None])
def test_fixed_threshold_pos_labels(pos_label: Any, tmp_path: Any) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import FixedThresholdClassifier

    m = FixedThresholdClassifier(LogisticRegression(), threshold=0.4, pos_label=pos_label)
    assert load_honest(m.fit(X, Y2), tmp_path).predict(X[:3]).shape == (3,)


@pytest.mark.parametrize("error_score", [np.nan, 0.0, np.float64(-1.0), "raise"])
def test_search_error_scores(error_score: Any, tmp_path: Any) -> None:
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV

    m = GridSearchCV(Ridge(), {"alpha": [1, 2]}, cv=2, error_score=error_score)
    assert load_honest(m.fit(X, X[:, 0]), tmp_path).predict(X[:3]).shape == (3,)


def test_tuned_threshold_with_a_scorer_name(tmp_path: Any) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import TunedThresholdClassifierCV

    m = TunedThresholdClassifierCV(LogisticRegression(), scoring="f1", cv=2).fit(X, Y2)
    assert load_honest(m, tmp_path).predict(X[:3]).shape == (3,)


# --- rt38-04: an OrderedDict or Counter a user passes -------------------------------------------


@pytest.mark.parametrize(
    "weights",
    [
        collections.OrderedDict([(0, 1.0), (1, 2.0), (2, 0.5)]),
        collections.OrderedDict([(2, 0.5), (0, 1.0)]),
        collections.Counter({0: 1, 1: 2, 2: 3}),
    ],
)
def test_class_weights_as_dict_subclasses(weights: Any, tmp_path: Any) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    for m in (SVC(class_weight=weights), LogisticRegression(class_weight=weights)):
        got = load_honest(m.fit(X, Y3), tmp_path)
        assert got.class_weight == weights
        assert type(got.class_weight) is type(weights)


def test_a_search_over_an_ordered_dict_grid(tmp_path: Any) -> None:
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV

    grid = collections.OrderedDict([("alpha", [0.5, 1.0]), ("fit_intercept", [True, False])])
    m = GridSearchCV(Ridge(), grid, cv=2).fit(X, X[:, 0])
    assert load_honest(m, tmp_path).predict(X[:3]).shape == (3,)


# --- rt38-08: estimators in single estimator slots, as fit stores them --------------------------


def test_single_estimator_slots(tmp_path: Any) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import Ridge
    from sklearn.manifold import Isomap, LocallyLinearEmbedding
    from sklearn.model_selection import GridSearchCV

    models = [
        SelectFromModel(Ridge()).fit(X, X[:, 0]),
        LocallyLinearEmbedding(n_neighbors=5, n_components=2).fit(X),
        Isomap(n_neighbors=5, n_components=2).fit(X),
        GridSearchCV(Ridge(), {"alpha": [1, 2]}, cv=2).fit(X, X[:, 0]),
        HistGradientBoostingClassifier(max_iter=3).fit(X, Y2),
    ]
    for m in models:
        got = load_honest(m, tmp_path)
        out = got.predict(X[:3]) if hasattr(got, "predict") else got.transform(X[:3])
        assert len(out) == 3


# --- rt38-14: method and parameter names as fit stores them -------------------------------------


def test_stacking_methods_chosen_by_auto(tmp_path: Any) -> None:
    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import LinearSVC

    clf = StackingClassifier(
        [("lr", LogisticRegression()), ("svc", LinearSVC()), ("knn", KNeighborsClassifier(3))],
        cv=2,
    ).fit(X, Y3)
    assert clf.stack_method_ == ["predict_proba", "decision_function", "predict_proba"]
    assert load_honest(clf, tmp_path).predict(X[:3]).shape == (3,)
    reg = StackingRegressor([("r", Ridge())], cv=2).fit(X, X[:, 0])
    assert load_honest(reg, tmp_path).predict(X[:3]).shape == (3,)


def test_ensembles_with_their_estimator_params(tmp_path: Any) -> None:
    from sklearn.ensemble import (
        AdaBoostClassifier,
        BaggingRegressor,
        ExtraTreesRegressor,
        IsolationForest,
        RandomForestClassifier,
        RandomTreesEmbedding,
    )
    from sklearn.linear_model import Ridge

    models = [
        BaggingRegressor(Ridge(), n_estimators=2).fit(X, X[:, 0]),
        RandomForestClassifier(n_estimators=2, random_state=0).fit(X, Y2),
        ExtraTreesRegressor(n_estimators=2, random_state=0).fit(X, X[:, 0]),
        AdaBoostClassifier(n_estimators=2).fit(X, Y2),
        IsolationForest(n_estimators=2, random_state=0).fit(X),
        RandomTreesEmbedding(n_estimators=2, random_state=0).fit(X),
    ]
    for m in models:
        assert isinstance(m.estimator_params, tuple)
        got = load_honest(m, tmp_path)
        out = got.transform(X[:3]) if hasattr(got, "transform") else got.predict(X[:3])
        assert out.shape[0] == 3


@pytest.mark.parametrize(
    "response_method", ["predict", ("decision_function", "predict_proba"), ["predict_proba"]]
)
def test_scorers_with_response_methods(response_method: Any, tmp_path: Any) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, make_scorer, roc_auc_score
    from sklearn.model_selection import GridSearchCV

    metric = accuracy_score if response_method == "predict" else roc_auc_score
    scorer = make_scorer(metric, response_method=response_method)
    m = GridSearchCV(LogisticRegression(), {"C": [1, 2]}, cv=2, scoring=scorer).fit(X, Y2)
    assert load_honest(m, tmp_path).score(X, Y2) >= 0


# --- rt38-17: FrozenEstimator as users wrap a fitted model --------------------------------------


def test_frozen_estimators(tmp_path: Any) -> None:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    fitted = LogisticRegression().fit(X, Y2)
    scaler = StandardScaler().fit(X)
    models = [
        FrozenEstimator(fitted),
        FrozenEstimator(FrozenEstimator(fitted)),
        Pipeline([("scale", FrozenEstimator(scaler)), ("lr", LogisticRegression())]).fit(X, Y2),
        CalibratedClassifierCV(FrozenEstimator(fitted)).fit(X, Y2),
    ]
    for m in models:
        assert load_honest(m, tmp_path).predict(X[:3]).shape == (3,)
