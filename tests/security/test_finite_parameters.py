"""Stored matrices that a public method hands to an SVD or eigen solver without a finiteness
check must be finite (rt47-09 random projections, rt48-04 Gaussian mixtures; covariance
estimators' ``get_precision`` and a Gaussian process's ``sample_y`` likewise): honest models
of each family load and scan SAFE, and the same model with one infinite entry is refused by
both (``tests/security/test_redteam47.py`` and ``test_redteam48.py`` show the hangs)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import assert_scan_predicts_load

_X = np.random.RandomState(0).rand(40, 3)


def _covariances() -> dict[str, Callable[[], Any]]:
    from sklearn import covariance as cov

    return {
        "empirical": lambda: cov.EmpiricalCovariance().fit(_X),
        "empirical-no-precision": lambda: cov.EmpiricalCovariance(store_precision=False).fit(_X),
        "min-cov-det": lambda: cov.MinCovDet(random_state=0).fit(_X),
        "ledoit-wolf": lambda: cov.LedoitWolf().fit(_X),
        "oas": lambda: cov.OAS().fit(_X),
        "shrunk": lambda: cov.ShrunkCovariance().fit(_X),
        "graphical-lasso": lambda: cov.GraphicalLasso(alpha=0.05).fit(_X),
        "elliptic-envelope": lambda: cov.EllipticEnvelope(random_state=0).fit(_X),
    }


def _processes() -> dict[str, Callable[[], Any]]:
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, Matern, WhiteKernel

    y = _X[:, 0] * 3 + 1
    return {
        "default": lambda: GaussianProcessRegressor(random_state=0).fit(_X, y),
        "normalized": lambda: GaussianProcessRegressor(normalize_y=True).fit(_X, y),
        "matern-inf-nu": lambda: GaussianProcessRegressor(Matern(nu=np.inf)).fit(_X, y),
        "rbf-white": lambda: GaussianProcessRegressor(RBF() + WhiteKernel()).fit(_X, y),
    }


_MODELS = {
    **{f"covariance-{k}": (v, "covariance_") for k, v in _covariances().items()},
    **{f"process-{k}": (v, "L_") for k, v in _processes().items()},
}


@pytest.mark.parametrize("name", sorted(_MODELS))
def test_honest_models_load_and_poisoned_ones_do_not(name: str, tmp_path: Path) -> None:
    make, attribute = _MODELS[name]
    model = make()
    data = pickle.dumps(model, protocol=5)
    assert_scan_predicts_load(data, tmp_path)
    assert safeload.scan(data).safe
    getattr(model, attribute)[-1, 0] = np.inf
    data = pickle.dumps(model, protocol=5)
    assert_scan_predicts_load(data, tmp_path)
    assert not safeload.scan(data).safe
