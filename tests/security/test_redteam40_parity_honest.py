"""What red team 40's fixes must still load, and scan safe: searches (one or several, with one
or several metrics) whose ``cv_results_`` holds masked arrays, each with its own state, and
arrays pickled as numpy pickles them (``_reconstruct`` of ``numpy.ndarray``)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

from parity import load_unsigned


def _fit_search(alpha: float, scoring: Any = None, refit: Any = True) -> Any:
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV

    rs = np.random.RandomState(0)
    X = rs.rand(30, 3)
    search = GridSearchCV(Ridge(), {"alpha": [alpha, 1.0]}, cv=2, scoring=scoring, refit=refit)
    return search.fit(X, X.sum(1))


def _write(obj: Any, writer: str, tmp_path: Path) -> Path:
    path = tmp_path / "m.bin"
    if writer == "joblib":
        joblib.dump(obj, path)
    else:
        path.write_bytes(pickle.dumps(obj, protocol=int(writer[-1])))
    return path


@pytest.mark.parametrize("writer", ["pickle-p2", "pickle-p5", "joblib"])
def test_two_searches_each_with_its_own_state_load(writer: str, tmp_path: Path) -> None:
    """Two searches in one file (rt40-02 refuses one state dict given to both)."""
    searches = [_fit_search(0.1), _fit_search(0.5)]
    loaded = load_unsigned(_write(searches, writer, tmp_path))
    assert all(isinstance(s.cv_results_["param_alpha"], np.ma.MaskedArray) for s in loaded)


@pytest.mark.parametrize("writer", ["pickle-p2", "pickle-p5", "joblib"])
def test_multimetric_search_loads(writer: str, tmp_path: Path) -> None:
    """A search with several metrics: its ``scorer_`` is a plain dict of scorers."""
    search = _fit_search(0.1, scoring=["r2", "neg_mean_squared_error"], refit="r2")
    assert type(search.scorer_) is dict
    loaded = load_unsigned(_write(search, writer, tmp_path))
    X = np.random.RandomState(1).rand(4, 3)
    np.testing.assert_allclose(loaded.predict(X), search.predict(X))


@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_plain_arrays_by_reconstruct_load(protocol: int, tmp_path: Path) -> None:
    """numpy pickles an ndarray as ``_reconstruct(numpy.ndarray, (0,), b'b')`` + BUILD below
    protocol 5: rt40-01 looks through ``_reconstruct`` for a masked class only."""
    from sklearn.preprocessing import StandardScaler

    m = StandardScaler().fit(np.random.RandomState(0).rand(10, 3))
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(m, protocol=protocol))
    np.testing.assert_allclose(load_unsigned(path).mean_, m.mean_)


@pytest.mark.parametrize("factory", [None, list, float])
def test_defaultdict_class_weight_loads(factory: Any, tmp_path: Path) -> None:
    """A defaultdict as ``class_weight`` (rt40-05): with no factory or a builtin type as its
    factory it is a dict to the parameter constraints, on both sides."""
    import collections

    from sklearn.linear_model import LogisticRegression

    rs = np.random.RandomState(0)
    X, y = rs.rand(20, 3), np.arange(20) % 2
    m = LogisticRegression().fit(X, y)
    m.class_weight = collections.defaultdict(factory, {0: 1.0, 1: 2.0})
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(m, protocol=5))
    loaded = load_unsigned(path)
    assert loaded.class_weight == {0: 1.0, 1: 2.0}
    assert loaded.class_weight.default_factory is factory
