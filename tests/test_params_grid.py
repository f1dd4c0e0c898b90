"""The grid rule judges a grid key only by rows of classes a key can reach.

A search's ``fit`` sets each candidate with ``set_params``, which reaches what ``get_params``
lists: an estimator's own parameters and those of the objects it holds that have
``get_params``. Rows of classes no key can reach (``params.UNSETTABLE_OWNERS``) once judged
every key with the same last part, so honest grids over ``method`` were refused.
"""

from __future__ import annotations

import functools
import importlib
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from safeload.policy import Policy
from safeload.trust.params import UNSETTABLE_OWNERS, grid_rows
from safeload.trust.profiles import PROFILES


def _resolve(name: str) -> Any:
    module, _, qualname = name.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


@functools.cache
def _allowlisted_classes() -> list[type]:
    names = set(Policy.default())
    for profile in PROFILES.values():
        names |= set(profile.names())
    found = []
    for module, qualname in sorted(names):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # numpy.core's deprecated aliases
                obj = _resolve(f"{module}:{qualname}")
        except (ImportError, AttributeError):  # a profile's library that is not installed
            obj = None
        if isinstance(obj, type):
            found.append(obj)
    return found


@pytest.mark.parametrize("owner", sorted(UNSETTABLE_OWNERS))
def test_no_grid_key_reaches_an_unsettable_owner(owner: str) -> None:
    """Neither the class nor any allowlisted subclass has ``set_params``/``get_params``."""
    try:
        cls = _resolve(owner)
    except ImportError:
        pytest.skip(f"{owner.partition(':')[0]} is not installed")
    settable = [
        c.__qualname__
        for c in _allowlisted_classes()
        if issubclass(c, cls) and (hasattr(c, "set_params") or hasattr(c, "get_params"))
    ]
    assert settable == []


def test_method_rows_left_for_grids() -> None:
    assert grid_rows("method") == []
    assert grid_rows("memory")  # rows of estimators stay


def _grid_model(kind: str) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import PowerTransformer

    warnings.simplefilter("ignore")
    X = np.random.RandomState(0).rand(40, 3) + 0.1
    y = X.sum(1)
    if kind == "calibration-method":
        model = GridSearchCV(
            CalibratedClassifierCV(LogisticRegression()), {"method": ["sigmoid", "isotonic"]}, cv=2
        )
        return model.fit(X, (y > y.mean()).astype(int))
    steps = Pipeline([("p", PowerTransformer()), ("lr", LinearRegression())])
    return GridSearchCV(steps, {"p__method": ["yeo-johnson", "box-cox"]}, cv=2).fit(X, y)


@pytest.mark.parametrize("kind", ["calibration-method", "power-transformer-method"])
def test_honest_grid_over_method_loads(kind: str, tmp_path: Path) -> None:
    """Refused before (by the rows of ``_CalibratedClassifier`` and ``MethodMetadataRequest``
    that fits make), both by the load and by scan."""
    data = pickle.dumps(_grid_model(kind), protocol=5)
    path = tmp_path / "search.pkl"
    path.write_bytes(data)
    assert safeload.scan(data).safe
    model = safeload.load_unsigned(path)
    assert model.predict(np.ones((2, 3))).shape == (2,)


def test_a_grid_setting_a_pipeline_memory_is_still_refused(tmp_path: Path) -> None:
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    model = GridSearchCV(Pipeline([("lr", LinearRegression())]), {"memory": [str(tmp_path)]})
    data = pickle.dumps(model, protocol=5)
    (tmp_path / "m.pkl").write_bytes(data)
    assert not safeload.scan(data).safe
    with pytest.raises(safeload.UnsafeStateError, match="memory"):
        safeload.load_unsigned(tmp_path / "m.pkl")


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize(
    "candidates",
    [[None, "balanced"], [None], [{0: 1.0, 1: 2.0}, None]],
    ids=["none-balanced", "none", "dict-none"],
)
def test_honest_grid_over_class_weight_loads(
    candidates: list[Any], protocol: int, tmp_path: Path
) -> None:
    """A constant candidate met in scan was judged by the rows of every class with a
    ``class_weight`` (LightGBM's "data" row among them) without a graph to walk it in, so
    scan refused this honest search while the load took it (found by helper-90)."""
    from sklearn.model_selection import GridSearchCV
    from sklearn.tree import DecisionTreeClassifier

    X = np.random.RandomState(0).rand(40, 3)
    y = (X[:, 0] > 0.5).astype(int)
    search = GridSearchCV(
        DecisionTreeClassifier(random_state=0), {"class_weight": candidates}, cv=2
    ).fit(X, y)
    data = pickle.dumps(search, protocol=protocol)
    path = tmp_path / "search.pkl"
    path.write_bytes(data)
    report = safeload.scan(data)
    assert report.safe, report
    assert (safeload.load_unsigned(path).predict(X) == search.predict(X)).all()
