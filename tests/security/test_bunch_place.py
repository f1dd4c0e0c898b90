"""A scikit-learn Bunch is admitted only where scikit-learn keeps one: as a voting or stacking
ensemble's ``named_estimators_`` (held once), or as data outside every other instance (the
loaded object itself, a dataset; or beside a model in plain containers, rt54-10).
A Bunch answers any attribute with its items, so anywhere else it answers a method's
``shape`` or ``dtype`` with the file's values: rt53-07 (``SelectKBest.scores_``, a 1 GB
allocation from 2 KB, shown under plain pickle in test_redteam53.py) and rt52-03
(``__array_interface__``). Scan and load refuse the same files."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

import safeload
from redteam import assert_scan_predicts_load, parity

X = np.random.RandomState(0).rand(40, 3)
Y = (X[:, 0] > 0.5).astype(int)


def _ensembles() -> dict[str, Any]:
    from sklearn.ensemble import (
        StackingClassifier,
        StackingRegressor,
        VotingClassifier,
        VotingRegressor,
    )
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.tree import DecisionTreeClassifier

    pair = [("lr", LogisticRegression()), ("dt", DecisionTreeClassifier(random_state=0))]
    return {
        "voting": VotingClassifier(pair).fit(X, Y),
        "stacking": StackingClassifier(pair).fit(X, Y),
        "voting-regressor": VotingRegressor([("lr", LinearRegression())]).fit(X, X[:, 1]),
        "stacking-regressor": StackingRegressor(
            [("a", LinearRegression()), ("b", LinearRegression())]
        ).fit(X, X[:, 1]),
        "in-pipeline": make_pipeline(VotingClassifier(pair)).fit(X, Y),
        "nested": VotingClassifier([("inner", VotingClassifier(pair))]).fit(X, Y),
    }


@pytest.mark.parametrize("name", sorted(_ensembles()))
@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_honest_ensembles_keep_their_bunch(tmp_path: Path, name: str, protocol: int) -> None:
    data = pickle.dumps(_ensembles()[name], protocol=protocol)
    assert b"Bunch" in data
    assert parity(data, tmp_path) == (True, "loaded")


def test_honest_joblib_ensemble_and_dataset(tmp_path: Path) -> None:
    """joblib's file of a voting model, and a dataset Bunch as the loaded object itself."""
    from sklearn.datasets import load_iris

    path = tmp_path / "m.joblib"
    joblib.dump(_ensembles()["voting"], path)
    assert safeload.scan(path).safe
    model = safeload.load_unsigned(path)
    assert list(model.named_estimators_) == ["lr", "dt"]
    iris = tmp_path / "iris"
    iris.mkdir()
    assert parity(pickle.dumps(load_iris(), protocol=5), iris) == (True, "loaded")


def _forged(kind: str) -> Any:
    from sklearn.linear_model import LinearRegression
    from sklearn.utils import Bunch

    voting = _ensembles()["voting"]
    if kind == "attribute":
        model: Any = LinearRegression().fit(X, Y)
        model.extra_ = Bunch(a=1)
    elif kind == "in-a-model-list":
        model = LinearRegression().fit(X, Y)
        model.extra_ = [Bunch(a=1)]
    elif kind == "shared-with-a-model":
        # the list beside the model holds the Bunch, and is the model's coefs_ too
        from sklearn.neural_network import MLPClassifier

        mlp = MLPClassifier(hidden_layer_sizes=(2,), max_iter=5).fit(X, Y)
        shared = [Bunch(shape=(10**9, 2)), *mlp.coefs_[1:]]
        mlp.coefs_ = shared
        model = [mlp, shared]
    elif kind == "in-a-model-dict":
        model = [LinearRegression().fit(X, Y)]
        model[0].extra_ = {"meta": Bunch(shape=(10**9,))}
    elif kind == "named-on-a-non-ensemble":
        model = LinearRegression().fit(X, Y)
        model.named_estimators_ = Bunch(a=1)
    elif kind == "held-twice":
        model = copy.deepcopy(voting)
        model.notes_ = model.named_estimators_
    elif kind == "in-an-ensemble-list":
        model = copy.deepcopy(voting)
        model.extra_ = [model.named_estimators_]
        del model.__dict__["named_estimators_"]
    else:  # a Bunch inside the ensemble's Bunch
        model = copy.deepcopy(voting)
        model.named_estimators_["inner"] = Bunch(shape=(10**9,))
    return model


@pytest.mark.parametrize(
    "kind",
    [
        "attribute",
        "in-a-model-list",
        "in-a-model-dict",
        "shared-with-a-model",
        "named-on-a-non-ensemble",
        "held-twice",
        "in-an-ensemble-list",
        "in-the-bunch",
    ],
)
@pytest.mark.parametrize("protocol", [1, 5])
def test_bunch_elsewhere_refused_by_scan_and_load(tmp_path: Path, kind: str, protocol: int) -> None:
    data = pickle.dumps(_forged(kind), protocol=protocol)
    pickle.loads(data)  # (plain pickle takes each)
    assert_scan_predicts_load(data, tmp_path, refused=True)


@pytest.mark.parametrize("where", ["list", "dict", "nested", "object-array"])
def test_bunch_beside_a_model_loads(tmp_path: Path, where: str) -> None:
    """A Bunch a user keeps next to a model (a result scikit-learn returned, a dataset) in the
    plain containers around it is data no method of the model reads: both load it (rt54-10),
    whatever items it has."""
    from sklearn.linear_model import LinearRegression
    from sklearn.utils import Bunch

    model = LinearRegression().fit(X, Y)
    result = Bunch(importances_mean=np.ones(3), shape=(10**9,))
    holder: Any = {
        "list": [model, result],
        "dict": {"model": model, "result": result},
        "nested": {"runs": [(model, {"result": result})]},
        "object-array": [model, np.array([result, None], dtype=object)],
    }[where]
    assert parity(pickle.dumps(holder, protocol=5), tmp_path) == (True, "loaded")
