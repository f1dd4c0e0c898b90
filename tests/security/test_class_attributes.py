"""A repeated splitter keeps the splitter class it repeats (``RepeatedKFold().cv is KFold``),
and a search given its splits as a list keeps a ``_CVIterableWrapper``: honest searches and CV
estimators with either load and scan SAFE (rt49-13). The exemption is exact: the one class, in
the one attribute, of an object of the one owner class (``callables.CLASS_ATTRIBUTES``); a
class anywhere else is still a class kept as a value, refused by ``scan`` and ``load`` alike,
though plain pickle loads every file here."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    cross_val_score,
)

import safeload
from redteam import assert_scan_predicts_load, load_honest

_X = np.random.RandomState(0).rand(40, 3)
_Y = (_X[:, 0] > 0.5).astype(int)


def _search(cv: Any) -> GridSearchCV:
    return GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=cv).fit(_X, _Y)


@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("kind", [RepeatedKFold, RepeatedStratifiedKFold])
def test_honest_repeated_splitters_load(tmp_path: Path, kind: Any, protocol: int) -> None:
    model = _search(kind(n_splits=2, n_repeats=2, random_state=0))
    data = pickle.dumps(model, protocol=protocol)
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    assert safeload.scan(data).safe
    loaded = safeload.load_unsigned(path)
    assert (loaded.predict(_X) == model.predict(_X)).all()
    # the kept class is used: a loaded repeated splitter still splits as the original does
    again = list(loaded.cv.split(_X, _Y))
    assert [t.tolist() for t, _ in again] == [t.tolist() for t, _ in model.cv.split(_X, _Y)]


def test_honest_repeated_splitter_joblib(tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    joblib.dump(_search(RepeatedKFold(n_splits=2, n_repeats=2, random_state=0)), path)
    assert safeload.scan(path).safe
    assert safeload.load_unsigned(path).cv.cv is KFold


def test_honest_repeated_splitter_alone(tmp_path: Path) -> None:
    splitter = load_honest(RepeatedStratifiedKFold(n_splits=3, random_state=1), tmp_path)
    assert cross_val_score(LogisticRegression(), _X, _Y, cv=splitter).shape == (30,)


def test_honest_split_list_loads(tmp_path: Path) -> None:
    loaded = load_honest(_search(list(KFold(2).split(_X))), tmp_path)
    assert loaded.best_params_ in ({"C": 0.1}, {"C": 1.0})


def _with_attribute(owner: Any, name: str, value: Any) -> bytes:
    owner.__dict__[name] = value
    return pickle.dumps(owner, protocol=4)


def _crafted() -> dict[str, bytes]:
    from sklearn.preprocessing import StandardScaler

    return {
        # the other splitter class in the attribute
        "repeated-kfold-holds-stratified": _with_attribute(RepeatedKFold(), "cv", StratifiedKFold),
        "repeated-stratified-holds-kfold": _with_attribute(RepeatedStratifiedKFold(), "cv", KFold),
        # an allowlisted estimator class in the attribute
        "repeated-kfold-holds-estimator": _with_attribute(
            RepeatedKFold(), "cv", LogisticRegression
        ),
        # the right class, in another attribute
        "repeated-kfold-other-attribute": _with_attribute(RepeatedKFold(), "cvargs", KFold),
        # the right class, one level down
        "repeated-kfold-class-in-list": _with_attribute(RepeatedKFold(), "cv", [KFold]),
        # the right attribute and class, on another owner
        "kfold-holds-kfold": _with_attribute(KFold(), "cv", KFold),
        "scaler-holds-kfold": pickle.dumps({"model": StandardScaler(), "cv": KFold}, protocol=4),
    }


@pytest.mark.parametrize("name", sorted(_crafted()))
def test_class_outside_its_attribute_refused(tmp_path: Path, name: str) -> None:
    data = _crafted()[name]
    pickle.loads(data)  # plain pickle takes every one of them
    assert_scan_predicts_load(data, tmp_path, refused=True)
