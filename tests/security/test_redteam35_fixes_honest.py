"""Honest forms next to red team 35's fixes: what scikit-learn writes for the same estimators
loads, scans safe (scan and load agree) and works after loading."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload


def _model(kind: str) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.feature_selection import RFE
    from sklearn.impute import MissingIndicator, SimpleImputer
    from sklearn.linear_model import LinearRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder, TargetEncoder

    X = np.random.RandomState(0).rand(40, 3)
    y = (X[:, 0] > 0.5).astype(int)
    gaps = X.copy()
    gaps[0, 1] = np.nan
    made: dict[str, Any] = {
        # parameters that take arrays: scan judges them as the load does (rt35-02)
        "GaussianNB priors array": lambda: GaussianNB(priors=np.array([0.3, 0.7])).fit(X, y),
        "KBinsDiscretizer n_bins array": lambda: KBinsDiscretizer(n_bins=np.array([3, 4, 5])).fit(
            X
        ),
        # stored feature selections: masks and distinct indexes (rt35-01, rt35-04)
        "RFE support_": lambda: RFE(LinearRegression(), n_features_to_select=2).fit(X, X[:, 0]),
        "SimpleImputer indicator": lambda: SimpleImputer(add_indicator=True).fit(gaps),
        "MissingIndicator all": lambda: MissingIndicator(features="all").fit(gaps),
        "ColumnTransformer indexes": lambda: ColumnTransformer(
            [("a", OneHotEncoder(), [0]), ("b", "passthrough", [1, 2])]
        ).fit(np.round(X * 3)),
        # _n_features_out as a property (rt35-03), feature names as a list (rt35-05)
        "PCA": lambda: PCA(2).fit(X),
        "TargetEncoder": lambda: TargetEncoder(random_state=0).fit(
            np.round(X * 3).astype(int), np.arange(40) % 4
        ),
    }
    return made[kind]()


@pytest.mark.parametrize(
    "kind",
    [
        "GaussianNB priors array",
        "KBinsDiscretizer n_bins array",
        "RFE support_",
        "SimpleImputer indicator",
        "MissingIndicator all",
        "ColumnTransformer indexes",
        "PCA",
        "TargetEncoder",
    ],
)
def test_honest_forms_scan_safe_and_load(kind: str, tmp_path: Path) -> None:
    model = _model(kind)
    data = pickle.dumps(model, protocol=5)
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    report = safeload.scan(data)
    assert report.safe, report.findings
    loaded = safeload.load_unsigned(path)
    if hasattr(loaded, "get_feature_names_out"):
        assert list(loaded.get_feature_names_out()) == list(model.get_feature_names_out())
