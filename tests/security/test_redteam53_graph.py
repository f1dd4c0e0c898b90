"""Neighbours of rt53-03/04/05: scan's shadow graph must be the graph the load's walk records.

The stray-metric and held-orphan rules and the sharing bound read that graph; a container the
shadow graph did not enter (a slice, a dict keyed by an object, a set it could not make) or a
node it counted differently made scan and load disagree.
"""

from __future__ import annotations

import collections
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import assert_counted_alike, assert_scan_predicts_load, tuple_dag

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _object_array(value: Any) -> Any:
    out = np.empty(1, dtype=object)
    out[0] = value
    return out


#: Where a model may hold an object: each form the load's walk enters.
_HOLDERS = {
    "set": lambda o: {o},
    "frozenset": lambda o: frozenset([o]),
    "slice-step": lambda o: slice(None, None, o),
    "ordered-dict-key": lambda o: collections.OrderedDict({o: 1}),
    "defaultdict-key": lambda o: collections.defaultdict(int, {o: 1}),
    "nested-tuple-key": lambda o: {(1, (o,)): 1},
    "object-array": _object_array,
    "slice-as-value": lambda o: {(1, 2): slice(1, o)},
    "frozenset-of-tuple-key": lambda o: {frozenset([(o, 1)]): 2},
}


@pytest.mark.parametrize("where", sorted(_HOLDERS))
@pytest.mark.parametrize("protocol", [2, 5])
def test_stray_metric_in_any_container(tmp_path, where, protocol):
    """rt51-07's stray weighted metric, held in each container the load's walk enters: both
    refuse it."""
    from sklearn.metrics import DistanceMetric

    metric = DistanceMetric.get_metric("mahalanobis", VI=np.eye(2))
    data = pickle.dumps([_HOLDERS[where](metric)], protocol=protocol)
    assert_scan_predicts_load(data, tmp_path, refused=True)


@pytest.fixture(scope="module")
def hgb_owner():
    from sklearn.ensemble import HistGradientBoostingRegressor

    X = np.random.RandomState(0).rand(50, 3)
    return HistGradientBoostingRegressor(max_iter=3).fit(X, X[:, 0])


_OWNER_HOLDERS = ["set", "frozenset", "slice-step", "ordered-dict-key", "nested-tuple-key"]


@pytest.mark.parametrize("where", [*_OWNER_HOLDERS, "object-array"])
@pytest.mark.parametrize("protocol", [2, 5])
def test_hgb_owner_in_any_container(tmp_path, hgb_owner, where, protocol):
    """A predictor whose owner the model holds in such a container is not an orphan to either
    side: both load it."""
    model = [hgb_owner._predictors[0][0], _HOLDERS[where](hgb_owner)]
    assert_scan_predicts_load(pickle.dumps(model, protocol=protocol), tmp_path)


def _nested(leaf: Any, fan: int) -> Any:
    return [[[leaf] * fan] * fan] * fan


@pytest.mark.parametrize(
    "leaf",
    [[], [1], {"a": 1}, (1, 2), np.array([1, 2], dtype=object), [[1]] * 8],
    ids=["empty-list", "atom-list", "atom-dict", "atoms-tuple", "object-array", "lists"],
)
@pytest.mark.parametrize("fan", [8, 12])
def test_shared_leaves_holding_no_object(tmp_path, leaf, fan):
    """A container holding no object is a leaf to the load's count, met once per reference:
    nested shared lists of such leaves load, and scan counts them the same way (rt53-05)."""
    assert_scan_predicts_load(pickle.dumps(_nested(leaf, fan), protocol=5), tmp_path)


def test_shared_estimator_leaves_are_counted(tmp_path):
    """An instance counts whatever it holds: the same nesting of one unfitted scaler is
    refused by both."""
    from sklearn.preprocessing import StandardScaler

    data = pickle.dumps(_nested(StandardScaler(), 8), protocol=5)
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _scaler_body() -> bytes:
    from sklearn.preprocessing import StandardScaler

    return pickle.dumps(StandardScaler().fit([[0.0], [1.0]]), protocol=2)[2:]


@pytest.mark.parametrize(("depth", "fan"), [(3, 8), (4, 6), (5, 6), (6, 3)])
@pytest.mark.parametrize("drop", [b"0", b"1"], ids=["POP", "POP_MARK"])
def test_dropped_dag_judged_as_the_load_judges_it(tmp_path, depth, fan, drop):
    """rt53-04's neighbours: a tuple DAG dropped by POP or by POP_MARK, under and over the
    bound: scan judges the dropped values with the load's rule."""
    start = b"(" if drop == b"1" else b""
    data = b"\x80\x02" + start + tuple_dag(depth, fan) + drop + _scaler_body()
    assert_scan_predicts_load(data, tmp_path)


def test_one_counting_rule_for_scan_and_load(tmp_path, monkeypatch):
    """Both sides call ``sharing.sharing_problem`` with graphs of the same size for an honest
    pipeline, a forest (whose Trees neither side enters) and rt53-05's nested lists."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.random.RandomState(0).rand(20, 2)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, X[:, 0] > 0.5)
    from sklearn.ensemble import RandomForestRegressor

    forest = RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0).fit(X, X[:, 0])
    for model in (pipe, forest, _nested([1], 8)):  # (rt53-05: [[mid] * 8] * 8, mid = [[1]] * 8)
        assert_counted_alike(pickle.dumps(model, protocol=5), tmp_path, monkeypatch)


def test_search_columns_counted_alike(tmp_path, monkeypatch):
    """A search's ``cv_results_`` columns are masked arrays, entered by both sides: scan
    through what the masked array's state holds (the object column's items, the fill value),
    as the load's walk enters the array it builds (rt53-03's cv-results form). A grid of
    estimators puts estimators in a column; both sides count the same graph and load."""
    import warnings

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    X = np.random.RandomState(0).rand(30, 2)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    grid = {"scale": [StandardScaler(), MinMaxScaler()], "clf__C": [0.1, 1.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(pipe, grid, cv=2).fit(X, np.arange(30) % 2)
    assert np.ma.isMaskedArray(search.cv_results_["param_scale"])
    assert_counted_alike(pickle.dumps(search, protocol=5), tmp_path, monkeypatch)
