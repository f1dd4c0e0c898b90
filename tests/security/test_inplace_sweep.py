"""What a sweep of scikit-learn's estimators found beyond copy/copy_X/copy_x (every estimator
of ``all_estimators()``, its constrained parameters varied one and two at a time, each public
method called on C/F-ordered, float32 and sparse inputs, with and without sample weights):
settings under which an honest-looking model writes into the caller's data or corrupts the
heap when a method is called. Each is shown under plain pickle in a child, then refused by
scan and by the load, and a search grid that would set it is refused too."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import child, load_honest, parity, write

_FIT_WEIGHTED_F = (
    "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n"
    "rng = numpy.random.default_rng(0)\n"
    "X = numpy.asfortranarray(rng.normal(size=(40, 5)))\n"
    "y = rng.normal(size=(40, {width}))\n"
    "y = y.ravel() if {width} == 1 else y\n"
    "before = X.copy()\n"
    "model.fit(X, y, sample_weight=rng.uniform(0.5, 2.0, 40))\n"
    "print('changed', not numpy.array_equal(before, X), flush=True)\n"
)


def _cd_model(kind: str, **params: Any) -> tuple[Any, int]:
    from sklearn.linear_model import (
        ElasticNetCV,
        LassoCV,
        MultiTaskElasticNet,
        MultiTaskElasticNetCV,
        MultiTaskLasso,
        MultiTaskLassoCV,
    )

    cls, width = {
        "LassoCV": (LassoCV, 1),
        "ElasticNetCV": (ElasticNetCV, 1),
        "MultiTaskLasso": (MultiTaskLasso, 2),
        "MultiTaskElasticNet": (MultiTaskElasticNet, 2),
        "MultiTaskLassoCV": (MultiTaskLassoCV, 2),
        "MultiTaskElasticNetCV": (MultiTaskElasticNetCV, 2),
    }[kind]
    if kind.endswith("CV"):
        params.setdefault("cv", 2)
    return cls(**params), width


_CD = ["LassoCV", "ElasticNetCV", "MultiTaskLasso", "MultiTaskElasticNet",
       "MultiTaskLassoCV", "MultiTaskElasticNetCV"]  # fmt: skip


@pytest.mark.parametrize("kind", _CD)
def test_coordinate_descent_without_intercept_rescales_the_callers_x(
    kind: str, tmp_path: Path
) -> None:
    """``fit_intercept=False`` (``copy_X`` left True): scikit-learn passes ``copy_X and
    fit_intercept`` on, and ``_pre_fit`` rescales the caller's Fortran-ordered ``X`` by the
    square roots of the sample weights, in place."""
    model, width = _cd_model(kind, fit_intercept=False)
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    shown = child(_FIT_WEIGHTED_F.format(width=width), path)
    assert "changed True" in shown.stdout, str(shown)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


@pytest.mark.parametrize("kind", ["LassoCV", "MultiTaskLasso"])
def test_coordinate_descent_with_intercept_loads(kind: str, tmp_path: Path) -> None:
    model, width = _cd_model(kind)
    rng = np.random.default_rng(0)
    y = rng.normal(size=(40, width))
    warnings.simplefilter("ignore")
    fitted = model.fit(rng.normal(size=(40, 5)), y.ravel() if width == 1 else y)
    loaded = load_honest(fitted, tmp_path)
    X = np.asfortranarray(rng.normal(size=(40, 5)))
    before = X.copy()
    loaded.fit(X, y.ravel() if width == 1 else y, sample_weight=rng.uniform(0.5, 2.0, 40))
    assert np.array_equal(X, before)


def test_a_grid_turning_the_intercept_off_is_refused(tmp_path: Path) -> None:
    from sklearn.linear_model import MultiTaskLasso
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    search = GridSearchCV(
        Pipeline([("m", MultiTaskLasso())]), {"m__fit_intercept": [True, False]}, cv=2
    )
    assert parity(pickle.dumps(search, protocol=5), tmp_path) == (False, "refused")
    honest = GridSearchCV(Pipeline([("m", MultiTaskLasso())]), {"m__alpha": [0.1, 1.0]}, cv=2)
    assert parity(pickle.dumps(honest, protocol=5), tmp_path) == (True, "loaded")


_ONE_CLASS_FIT = (
    "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n"
    "rng = numpy.random.default_rng(0)\n"
    "X = rng.normal(size=(40, 5)); w = rng.uniform(0.5, 2, 40)\n"
    "for i in range(50):\n"
    "    try:\n"
    "        model.fit(X, sample_weight=w)\n"
    "    except ValueError:\n"
    "        pass  # non-finite results, raised after the write\n"
    "print('returned', flush=True)\n"
)


def test_one_class_svm_with_nu_one_corrupts_the_heap(tmp_path: Path) -> None:
    """``OneClassSVM(nu=1.0)`` (scikit-learn allows ``0 < nu <= 1``) fitted with uneven sample
    weights: libsvm's one-class start runs past its arrays on a rounding remainder, and
    glibc aborts on the corrupted heap (within a few fits; some raise first on the
    non-finite coefficients the overrun leaves)."""
    from sklearn.svm import OneClassSVM

    path = write(tmp_path, pickle.dumps(OneClassSVM(nu=1.0), protocol=5))
    shown = child(_ONE_CLASS_FIT, path)
    assert shown.crashed and "returned" not in shown.stdout, str(shown)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")
    grid = {"nu": np.linspace(0.5, 1.0, 3)}
    from sklearn.model_selection import GridSearchCV

    searched = pickle.dumps(GridSearchCV(OneClassSVM(), grid, scoring="accuracy"), protocol=5)
    assert parity(searched, tmp_path) == (False, "refused")


def test_one_class_svm_with_usual_nu_loads(tmp_path: Path) -> None:
    from sklearn.svm import OneClassSVM

    X = np.random.default_rng(0).normal(size=(40, 5))
    for nu in (0.05, 0.5, 0.99):
        load_honest(OneClassSVM(nu=nu).fit(X), tmp_path).predict(X[:3])
