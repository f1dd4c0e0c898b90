"""What red team 39's fixes must still load: searches, whose ``cv_results_`` holds masked arrays
(the one place a masked array is allowed, rt39-02/03/06), and ensembles of many distinct small
estimators (the per-meet cost of rt39-07). Each also scans safe: scan gives the load's verdict.
The refusals next to them pin the edges of the masked-array rule."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

import safeload
from parity import load_unsigned


def _search(kind: str) -> Any:
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV
    from sklearn.pipeline import Pipeline

    rs = np.random.RandomState(0)
    X, y = rs.rand(40, 3), rs.rand(40)
    if kind == "grid":
        search: Any = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=2)
    elif kind == "random":
        search = RandomizedSearchCV(Ridge(), {"alpha": [0.1, 1.0, 2.0]}, n_iter=2, cv=2)
    elif kind == "halving":
        search = HalvingGridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=2, min_resources=10)
    else:  # estimators as grid values: object-dtype masked columns
        search = GridSearchCV(Pipeline([("r", Ridge())]), {"r": [Ridge(), Ridge(alpha=2.0)]}, cv=2)
    return search.fit(X, y)


@pytest.fixture(scope="module")
def searches() -> dict[str, Any]:
    pytest.importorskip("sklearn.experimental.enable_halving_search_cv")
    return {kind: _search(kind) for kind in ("grid", "random", "halving", "estimators")}


@pytest.mark.parametrize("kind", ["grid", "random", "halving", "estimators"])
@pytest.mark.parametrize("writer", ["pickle-p2", "pickle-p5", "joblib"])
def test_search_results_with_masked_columns_load(
    kind: str, writer: str, searches: dict[str, Any], tmp_path: Path
) -> None:
    search = searches[kind]
    assert any(isinstance(v, np.ma.MaskedArray) for v in search.cv_results_.values())
    path = tmp_path / "search.bin"
    if writer == "joblib":
        joblib.dump(search, path)
    else:
        path.write_bytes(pickle.dumps(search, protocol=int(writer[-1])))
    loaded = load_unsigned(path)  # asserts scan safe too
    X = np.random.RandomState(1).rand(5, 3)
    np.testing.assert_allclose(loaded.predict(X), search.predict(X))
    for key, value in search.cv_results_.items():
        if isinstance(value, np.ma.MaskedArray):
            assert isinstance(loaded.cv_results_[key], np.ma.MaskedArray)


def _refused_both(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    report = safeload.scan(data)
    assert not report.safe
    with pytest.raises(safeload.SafeloadError) as info:
        safeload.load_unsigned(path)
    return str(info.value)


def test_masked_column_shared_into_a_fitted_attribute_is_refused(
    searches: dict[str, Any], tmp_path: Path
) -> None:
    """The masked column is allowed in cv_results_, and nowhere else: the same object (one
    memo entry) as the best estimator's coef_ is refused, where the load would otherwise see
    it first in the allowed place."""
    search = pickle.loads(pickle.dumps(searches["grid"]))
    search.best_estimator_.coef_ = search.cv_results_["param_alpha"]
    assert "masked array" in _refused_both(pickle.dumps(search, protocol=5), tmp_path)


def test_cv_results_dict_held_twice_is_refused(searches: dict[str, Any], tmp_path: Path) -> None:
    search = pickle.loads(pickle.dumps(searches["grid"]))
    search.best_params_ = search.cv_results_
    assert "held elsewhere" in _refused_both(pickle.dumps(search, protocol=5), tmp_path)


def test_masked_cv_results_outside_a_search_is_refused(
    searches: dict[str, Any], tmp_path: Path
) -> None:
    """A cv_results_ dict of another estimator (RFECV keeps plain arrays there) is no
    allowed place."""
    from sklearn.linear_model import Ridge

    model = Ridge().fit(np.random.rand(10, 2), np.random.rand(10))
    model.cv_results_ = {"param_alpha": np.ma.masked_array([1.0, 2.0], mask=[False, True])}
    _refused_both(pickle.dumps(model, protocol=5), tmp_path)


@pytest.mark.parametrize("count", [1, 700])
def test_voting_of_many_distinct_small_estimators_loads(count: int, tmp_path: Path) -> None:
    """rt39-07's bound prices each meeting of an estimator: 700 distinct dummies, each met
    twice (estimators_ and named_estimators_), are far inside it."""
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import VotingRegressor

    X = np.random.RandomState(0).rand(50, 4)
    model = VotingRegressor([(f"d{i}", DummyRegressor()) for i in range(count)]).fit(X, X[:, 0])
    path = tmp_path / "v.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    loaded = load_unsigned(path)
    np.testing.assert_allclose(loaded.predict(X[:3]), model.predict(X[:3]))


def test_bagging_of_many_trees_loads(tmp_path: Path) -> None:
    from sklearn.ensemble import BaggingClassifier

    rs = np.random.RandomState(0)
    X = rs.rand(60, 3)
    model = BaggingClassifier(n_estimators=400, max_samples=10, random_state=0).fit(
        X, (X[:, 0] > 0.5).astype(int)
    )
    path = tmp_path / "b.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    loaded = load_unsigned(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
