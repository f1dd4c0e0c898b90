"""The honest forms next to red team 33's fixes: what scikit-learn writes for the same estimators
loads, scans safe (scan and load agree) and works after loading."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from safeload.trust.structures.names import MAX_NAME_BYTES


def _load_and_scan(tmp_path: Path, model: Any, protocol: int = 5) -> Any:
    data = pickle.dumps(model, protocol=protocol)
    path = tmp_path / "model.pkl"
    path.write_bytes(data)
    report = safeload.scan(data)
    assert report.safe, report.findings
    return safeload.load_unsigned(path)


@pytest.mark.parametrize("labels", ["int", "numpy int", "tuple", "str"])
def test_binarizer_index_maps_of_any_label_type(labels: str, tmp_path: Path) -> None:
    """rt33-09: scan now builds a dict whose keys are ints, numpy ints or tuples, and checks it
    as a load does, instead of skipping it."""
    from sklearn.preprocessing import MultiLabelBinarizer

    make = {"int": int, "numpy int": np.int64, "tuple": lambda k: (k,), "str": str}[labels]
    m = MultiLabelBinarizer().fit([[make(0), make(1)], [make(1)]])
    m.transform([[make(1)]])  # fills _cached_dict
    loaded = _load_and_scan(tmp_path, m, protocol=2)
    assert loaded.transform([[make(1)]]).tolist() == [[0, 1]]


@pytest.mark.parametrize(
    "body",
    [
        # (list({1: 2}) was here: a container builtin is no longer built from a dict, whose
        # values it drops, and scan and load both refuse it, rt87-05)
        b"cbuiltins\nlist\n]K\x01a\x85R.",  # list([1])
        b"cbuiltins\ndict\n]K\x01K\x02\x86a\x85R.",  # dict([(1, 2)])
        b"cbuiltins\ncomplex\nK\x01K\x02\x86R.",  # complex(1, 2)
        b"cbuiltins\nset\n]K\x01a\x85R.",  # set([1])
        b"ccollections\ndefaultdict\nN\x85R.",  # defaultdict(None)
    ],
)
def test_builtin_calls_a_load_accepts_scan_safe(body: bytes, tmp_path: Path) -> None:
    """rt33-11: the calls scan now makes to predict a refusal leave accepted calls alone."""
    data = b"\x80\x02" + body
    path = tmp_path / "v.pkl"
    path.write_bytes(data)
    assert safeload.scan(data).safe
    safeload.load_unsigned(path)


def test_sparsified_linear_model_densifies(tmp_path: Path) -> None:
    """rt33-10: a sparse coef_ as sparsify() writes it: as wide as the input."""
    from sklearn.linear_model import SGDClassifier

    X = np.random.RandomState(0).rand(40, 5)
    y = np.arange(40) % 3
    m = SGDClassifier(max_iter=5, tol=None, random_state=0).fit(X, y).sparsify()
    loaded = _load_and_scan(tmp_path, m)
    assert loaded.densify().coef_.shape == (3, 5)


def test_fitted_elastic_net_without_warm_start(tmp_path: Path) -> None:
    """rt33-20: only warm_start on a fitted coordinate-descent model is refused; the default
    model loads and refits on wider data, and warm_start may be set after loading."""
    from sklearn.linear_model import ElasticNet, Lasso

    X = np.random.RandomState(0).rand(30, 3)
    loaded = _load_and_scan(tmp_path, ElasticNet(alpha=1e-3).fit(X, X[:, 0]))
    wide = np.random.RandomState(1).rand(30, 8)
    assert loaded.fit(wide, wide[:, 0]).coef_.shape == (8,)
    _load_and_scan(tmp_path, Lasso(warm_start=True))  # not fitted: nothing stored to start from


def test_fitted_elastic_net_with_warm_start_refused(tmp_path: Path) -> None:
    from sklearn.linear_model import MultiTaskLasso

    X = np.random.RandomState(0).rand(30, 3)
    m = MultiTaskLasso(alpha=1e-3, warm_start=True).fit(X, X[:, :2])
    data = pickle.dumps(m)
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    assert not safeload.scan(data).safe
    with pytest.raises(safeload.MalformedArtifactError, match="warm_start"):
        safeload.load_unsigned(path)


def test_honest_name_makers_pass_the_names_bound(tmp_path: Path) -> None:
    """rt33-05/07/08/13/15, rt32-10: honest models of each name-making kind, at sizes real
    pipelines use, stay far under the whole-model names bound."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import (
        OneHotEncoder,
        PolynomialFeatures,
        StandardScaler,
        TargetEncoder,
    )

    rng = np.random.RandomState(0)
    X = rng.rand(60, 40)
    names = np.array([f"column_with_a_long_name_{i:03d}" for i in range(40)], dtype=object)
    import pandas as pd

    frame = pd.DataFrame(X, columns=names)
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("poly", PolynomialFeatures(degree=2)),
        ]
    ).fit(frame)
    assert len(_load_and_scan(tmp_path, pipe).get_feature_names_out()) == 861
    cats = rng.randint(0, 50, (200, 6))
    ct = ColumnTransformer(
        [("onehot", OneHotEncoder(), [0, 1, 2]), ("rest", "passthrough", [3, 4, 5])],
        verbose_feature_names_out="{transformer_name}::{feature_name}",
    ).fit(cats)
    assert len(_load_and_scan(tmp_path, ct).get_feature_names_out()) > 100
    target = TargetEncoder(random_state=0).fit(cats, rng.randint(0, 5, 200))
    assert len(_load_and_scan(tmp_path, target).get_feature_names_out()) == 30
    union = FeatureUnion([(f"s{i}", StandardScaler()) for i in range(8)]).fit(X)
    assert len(_load_and_scan(tmp_path, union).get_feature_names_out()) == 320


def test_wide_honest_scaler_is_paid_by_its_arrays(tmp_path: Path) -> None:
    """A scaler of 2**21 features (past the unpaid width, paid by its statistics): its 2**21
    names cost ~134 MB, counted twice, within the fixed 512 MiB."""
    from sklearn.preprocessing import StandardScaler

    m = StandardScaler().fit(np.random.RandomState(0).rand(2, 2**21).astype(np.float32))
    loaded = _load_and_scan(tmp_path, m)
    assert loaded.n_features_in_ == 2**21
    assert MAX_NAME_BYTES == 2**29


def test_polynomial_powers_bound(tmp_path: Path) -> None:
    """rt32-10: powers_ (outputs x features int64) counts against the bound: degree 2 on 300
    features (45,451 outputs, 109 MB) loads; on 1,000 (501,501 outputs, 4 GB) it is refused."""
    from sklearn.preprocessing import PolynomialFeatures

    small = PolynomialFeatures(degree=2).fit(np.zeros((1, 300)))
    assert _load_and_scan(tmp_path, small).n_output_features_ == 45_451
    big = PolynomialFeatures(degree=2).fit(np.zeros((1, 1000)))
    data = pickle.dumps(big)
    (tmp_path / "big.pkl").write_bytes(data)
    assert not safeload.scan(data).safe
    with pytest.raises(safeload.MalformedArtifactError, match="get_feature_names_out"):
        safeload.load_unsigned(tmp_path / "big.pkl")


def test_warm_start_kept_where_the_class_checks_the_width(tmp_path: Path) -> None:
    """rt34-11: SGD and logistic regression check the stored coefficients against new data,
    so a fitted one with warm_start loads and refits; HuberRegressor and the generalized
    linear models compute with numpy first (ValueError on another width) and load too;
    HuberRegressor hands them to L-BFGS-B unchecked and is refused like ElasticNet."""
    from sklearn.linear_model import (
        HuberRegressor,
        LogisticRegression,
        PoissonRegressor,
        SGDClassifier,
    )

    z = np.random.RandomState(0).rand(40, 3)
    _load_and_scan(tmp_path, PoissonRegressor(warm_start=True).fit(z, z[:, 0] + 1)).fit(z, z[:, 0])

    X = np.random.RandomState(0).rand(40, 3)
    y = (X[:, 0] > 0.5).astype(int)
    for model in (
        LogisticRegression(warm_start=True).fit(X, y),
        SGDClassifier(warm_start=True, max_iter=5, tol=None).fit(X, y),
    ):
        loaded = _load_and_scan(tmp_path, model)
        loaded.fit(X, y)
    for model in (HuberRegressor(warm_start=True, max_iter=5).fit(X, X[:, 0]),):
        data = pickle.dumps(model)
        (tmp_path / "w.pkl").write_bytes(data)
        assert not safeload.scan(data).safe
        with pytest.raises(safeload.MalformedArtifactError, match="warm_start"):
            safeload.load_unsigned(tmp_path / "w.pkl")
