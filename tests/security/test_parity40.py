"""Scan against load on the disagreement classes ``fuzz/parity_states.py`` found (issue 14:
``scan`` = ``load``), one small case each, and the honest forms next to the fixes: what
scikit-learn's ``fit`` stores and values a user passes keep loading, and scan calls them safe.

Each parity case is a fitted model with one attribute set to a value the fuzzer's palette
holds; both sides must give the load's verdict (refused)."""

from __future__ import annotations

import collections
import functools
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import safeload
from redteam import load_honest, parity

X = np.random.RandomState(0).rand(30, 3)
Y2 = np.arange(30) % 2


def _isotonic() -> Any:
    from sklearn.isotonic import IsotonicRegression

    return IsotonicRegression().fit(X[:, 0], X[:, 1])


def _knn_imputer() -> Any:
    from sklearn.impute import KNNImputer

    return KNNImputer().fit(X)


def _chain() -> Any:
    from sklearn.linear_model import Ridge
    from sklearn.multioutput import RegressorChain

    return RegressorChain(Ridge()).fit(X, X[:, :2])


def _calibrated() -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    return CalibratedClassifierCV(LogisticRegression(), cv=2).fit(X, Y2)


def _isolation_forest() -> Any:
    from sklearn.ensemble import IsolationForest

    return IsolationForest(n_estimators=2, random_state=0).fit(X)


def _radius() -> Any:
    from sklearn.neighbors import RadiusNeighborsClassifier

    return RadiusNeighborsClassifier(1.0, outlier_label=1).fit(X, Y2)


def _linear_svr() -> Any:
    from sklearn.svm import LinearSVR

    return LinearSVR().fit(X, X[:, 0])


def _fixed_threshold() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import FixedThresholdClassifier

    return FixedThresholdClassifier(LogisticRegression(), threshold=0.4).fit(X, Y2)


#: (model maker, attribute, value maker): each found by the fuzzer, scan SAFE and load refused.
_CASES: dict[str, tuple[Callable[[], Any], str, Callable[[], Any]]] = {
    # __setstate__ hands the thresholds to interp1d, which fails on them
    "isotonic-X-csr": (_isotonic, "X_thresholds_", lambda: sp.csr_matrix(np.eye(3))),
    "isotonic-y-bytearray": (_isotonic, "y_thresholds_", lambda: bytearray(b"x")),
    "isotonic-y-set": (_isotonic, "y_thresholds_", lambda: {1, 2}),
    "isotonic-X-random-state": (_isotonic, "X_thresholds_", lambda: np.random.RandomState(0)),
    # MissingValues: a number, a str, None, nan or pandas.NA, never a matrix
    "knn-imputer-missing-csr": (_knn_imputer, "missing_values", lambda: sp.csr_matrix(np.eye(2))),
    "knn-imputer-missing-rs": (_knn_imputer, "missing_values", lambda: np.random.RandomState(0)),
    # a dict subclass of estimators is read by its values, as a dict
    "chain-ordered-dict": (_chain, "estimators_", lambda: collections.OrderedDict(a=1)),
    "calibrated-counter": (
        _calibrated,
        "calibrated_classifiers_",
        lambda: collections.Counter(a=2),
    ),
    # constrained numbers holding objects (before the rt38 fixes)
    "isolation-max-features-rs": (
        _isolation_forest,
        "max_features",
        lambda: np.random.RandomState(0),
    ),
    "radius-outlier-csr": (_radius, "outlier_label", lambda: sp.csr_matrix(np.eye(2))),
    "linear-svr-epsilon-rs": (_linear_svr, "epsilon", lambda: np.random.RandomState(0)),
    "fixed-threshold-csr": (_fixed_threshold, "threshold", lambda: sp.csr_matrix(np.eye(2))),
    # an output config that is an array, on a fitted transformer
    "output-config-0d": (_knn_imputer, "_sklearn_output_config", lambda: np.array(5)),
}


@pytest.mark.parametrize("case", sorted(_CASES))
def test_fuzzed_state_parity(case: str, tmp_path: Path) -> None:
    make, attribute, value = _CASES[case]
    model = make()
    setattr(model, attribute, value())
    assert parity(pickle.dumps(model, protocol=5), tmp_path) == (False, "refused")


# --- honest counterparts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        "fitted",
        "object-array",
        "list-of-numpy-floats",
        "float32",
        "tuple",
    ],
)
def test_isotonic_thresholds_load(form: str, tmp_path: Path) -> None:
    """Thresholds interp1d takes keep loading: scan models object arrays as the load builds
    them. A list or tuple (which breaks predict: it reads the thresholds' dtype) is refused
    by both sides alike."""
    model = _isotonic()
    for name in ("X_thresholds_", "y_thresholds_"):
        value = getattr(model, name)
        changed = {
            "fitted": value,
            "object-array": value.astype(object),
            "list-of-numpy-floats": [np.float64(v) for v in value],
            "float32": value.astype(np.float32),
            "tuple": tuple(float(v) for v in value),
        }[form]
        setattr(model, name, changed)
    if form in ("list-of-numpy-floats", "tuple"):
        # refused by scan and load alike since red team 70: fit stores arrays, and a fitted
        # list of numbers broadcasts unread (widths.LIST_ATTRIBUTES)
        path = tmp_path / "m.pkl"
        path.write_bytes(pickle.dumps(model, protocol=5))
        assert not safeload.scan(path).safe
        with pytest.raises(safeload.SafeloadError):
            safeload.load_unsigned(path)
        return
    loaded = load_honest(model, tmp_path)
    assert np.allclose(loaded.predict(X[:3, 0]), _isotonic().predict(X[:3, 0]), atol=1e-5)


@pytest.mark.parametrize("missing", [np.nan, -1, 0.5, np.int64(3)])
def test_knn_imputer_missing_values(missing: Any, tmp_path: Path) -> None:
    from sklearn.impute import KNNImputer

    m = KNNImputer(missing_values=missing).fit(X)
    assert load_honest(m, tmp_path).transform(X[:3]).shape == (3, 3)


@pytest.mark.parametrize("missing", ["", None, "NA"])
def test_simple_imputer_missing_values(missing: Any, tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    data = np.array([["a", "b"], ["c", "a"], ["a", "c"]], dtype=object)
    m = SimpleImputer(missing_values=missing, strategy="most_frequent").fit(data)
    assert load_honest(m, tmp_path).transform(data[:2]).shape == (2, 2)


def test_estimators_held_in_bunches_and_lists(tmp_path: Path) -> None:
    """Voting and stacking models keep a Bunch of named estimators; chains and calibrated
    classifiers keep lists."""
    from sklearn.ensemble import StackingClassifier, VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    steps = [("lr", LogisticRegression()), ("dt", DecisionTreeClassifier(max_depth=2))]
    for model in (
        VotingClassifier(steps).fit(X, Y2),
        StackingClassifier(steps, cv=2).fit(X, Y2),
        _chain(),
        _calibrated(),
    ):
        assert load_honest(model, tmp_path).predict(X[:3]).shape[0] == 3


def test_estimators_in_a_dict_subclass_of_estimators(tmp_path: Path) -> None:
    """An OrderedDict of fitted estimators as RegressorChain.estimators_: scan reads the dict
    by its values (str keys, estimators) as the load does, and both refuse it, since fit
    stores a list (rt69-07; the chain's predict iterates the dict's keys, not estimators)."""
    model = _chain()
    model.estimators_ = collections.OrderedDict(
        (f"e{i}", e) for i, e in enumerate(model.estimators_)
    )
    assert parity(pickle.dumps(model, protocol=5), tmp_path) == (False, "refused")


@pytest.mark.parametrize(
    "slot",
    ["KNeighborsClassifier.metric_params", "FunctionTransformer.kw_args", "KernelRidge"],
)
def test_keyword_dicts_with_str_keys(slot: str, tmp_path: Path) -> None:
    """Keyword dicts with plain str keys keep loading (rt39-05 refuses only other keys)."""
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import FunctionTransformer

    if slot == "KNeighborsClassifier.metric_params":
        m: Any = KNeighborsClassifier(3, metric_params={"w": np.ones(3)}).fit(X, Y2)
    elif slot == "FunctionTransformer.kw_args":
        m = FunctionTransformer(np.log1p, kw_args={"casting": "same_kind"}).fit(X)
    else:
        m = KernelRidge(kernel="rbf", kernel_params={"gamma": 0.5}).fit(X, X[:, 0])
    loaded = load_honest(m, tmp_path)
    assert np.asarray(getattr(loaded, "predict", getattr(loaded, "transform", None))(X[:3])).size


def test_parameter_objects_that_constraints_take(tmp_path: Path) -> None:
    """A partial as a callable parameter and an array as an array-like one keep loading
    (rt39-04 refuses only objects no constraint takes)."""
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.tree import DecisionTreeRegressor

    ft = FunctionTransformer(functools.partial(np.sqrt)).fit(X)
    assert load_honest(ft, tmp_path).transform(X[:2]).shape == (2, 3)
    nb = MultinomialNB(alpha=np.array([1.0, 0.5, 0.2]), force_alpha=True).fit(X, Y2)
    assert load_honest(nb, tmp_path).predict(X[:2]).shape == (2,)
    tree = DecisionTreeRegressor(max_depth=2, monotonic_cst=[1, 0, -1]).fit(X, X[:, 0])
    assert load_honest(tree, tmp_path).predict(X[:2]).shape == (2,)
