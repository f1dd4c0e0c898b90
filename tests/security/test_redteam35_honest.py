"""Honest counterparts of red team 35's reproducers: what scikit-learn writes for the same
estimators loads, scans safe, and its methods work after loading (a fix must keep these)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import load_honest


def test_column_transformer_names(tmp_path: Path) -> None:
    """rt35-01: a fitted ColumnTransformer with a pass-through and a scaled branch, on named
    columns (its _transformer_to_input_indices lists each column once)."""
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

    X = pd.DataFrame(np.random.RandomState(0).rand(20, 3), columns=["a" * 300, "b", "c"])
    m = ColumnTransformer(
        [("p", "passthrough", ["a" * 300]), ("s", StandardScaler(), ["b", "c"])]
    ).fit(X)
    loaded = load_honest(m, tmp_path)
    assert list(loaded.get_feature_names_out()) == list(m.get_feature_names_out())
    assert np.allclose(loaded.transform(X), m.transform(X))


def test_union_of_decompositions_names(tmp_path: Path) -> None:
    """rt35-03: PCA and TruncatedSVD branches name their outputs from components_."""
    from sklearn.decomposition import PCA, TruncatedSVD
    from sklearn.pipeline import FeatureUnion

    X = np.random.RandomState(0).rand(30, 6)
    m = FeatureUnion([("p" * 200, PCA(3)), ("t", TruncatedSVD(2))]).fit(X)
    loaded = load_honest(m, tmp_path)
    assert list(loaded.get_feature_names_out()) == list(m.get_feature_names_out())
    assert np.allclose(loaded.transform(X), m.transform(X))


@pytest.mark.parametrize("kind", ["rfe", "missing_indicator", "knn_imputer"])
def test_stored_feature_indexes(kind: str, tmp_path: Path) -> None:
    """rt35-04: support_, features_ and _valid_mask as scikit-learn stores them."""
    from sklearn.feature_selection import RFE
    from sklearn.impute import KNNImputer, MissingIndicator
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import FeatureUnion

    X = np.random.RandomState(0).rand(30, 5)
    X[0, 1] = X[3, 4] = np.nan
    if kind == "rfe":
        Xf = np.nan_to_num(X)
        m: Any = FeatureUnion([("u", RFE(LinearRegression(), n_features_to_select=2))])
        m.fit(Xf, Xf[:, 0])
    elif kind == "missing_indicator":
        Xf, m = X, MissingIndicator().fit(X)
    else:
        Xf, m = X, FeatureUnion([("u", KNNImputer())]).fit(X)
    loaded = load_honest(m, tmp_path)
    assert list(loaded.get_feature_names_out()) == list(m.get_feature_names_out())
    assert np.array_equal(loaded.transform(Xf), m.transform(Xf))


def test_target_encoder_named_columns(tmp_path: Path) -> None:
    """rt35-05/08: a multiclass TargetEncoder fitted on a DataFrame (feature_names_in_ an
    object array, classes_ an array of distinct labels)."""
    pd = pytest.importorskip("pandas")
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randint(0, 3, (60, 3)), columns=["x" * 500, "y", "z"])
    m = TargetEncoder(random_state=0).fit(X, np.arange(60) % 4)
    loaded = load_honest(m, tmp_path)
    assert list(loaded.get_feature_names_out()) == list(m.get_feature_names_out())


def test_stacking_names_after_fit(tmp_path: Path) -> None:
    """rt35-09: _n_feature_outs as fit stores it (a list)."""
    from sklearn.ensemble import StackingRegressor
    from sklearn.linear_model import LinearRegression

    X = np.random.RandomState(0).rand(30, 3)
    m = StackingRegressor([("a", LinearRegression())], cv=2).fit(X, X[:, 0])
    loaded = load_honest(m, tmp_path)
    assert list(loaded.get_feature_names_out()) == list(m.get_feature_names_out())


def test_union_with_one_transformer_twice(tmp_path: Path) -> None:
    """rt35-10/11: FeatureUnion fits its branches in place, so one transformer object listed
    twice stays one object in the file, as in these honest unions."""
    from sklearn.kernel_approximation import PolynomialCountSketch
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    sketch = PolynomialCountSketch(degree=2, n_components=50, random_state=0)
    m = FeatureUnion([("a", sketch), ("b", sketch)]).fit(rng.rand(20, 3))
    loaded = load_honest(m, tmp_path)
    X = rng.rand(4, 3)
    assert np.allclose(loaded.transform(X), m.transform(X))
    te = TargetEncoder(random_state=0)
    u = FeatureUnion([("a", te), ("b", te)]).fit(rng.randint(0, 3, (60, 2)), np.arange(60) % 3)
    assert list(load_honest(u, tmp_path).get_feature_names_out()) == list(u.get_feature_names_out())


@pytest.mark.parametrize("kind", ["tree", "forest"])
def test_trees_scan_and_load(kind: str, tmp_path: Path) -> None:
    """rt35-06: trees as scikit-learn pickles them (int64 n_classes, C-ordered float64 values)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier

    X = np.random.RandomState(0).rand(60, 4)
    y = np.arange(60) % 3
    m: Any = (
        DecisionTreeClassifier(max_depth=4) if kind == "tree" else RandomForestClassifier(5)
    ).fit(X, y)
    loaded = load_honest(m, tmp_path)
    assert np.array_equal(loaded.predict(X), m.predict(X))
