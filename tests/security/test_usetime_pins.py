"""Fitted state that numpy or scikit-learn read as a dtype or as label codes (rt29-05,
rt29-06): ``SimpleImputer._fit_dtype`` and ``_fill_dtype``, HistGradientBoosting's
``_baseline_prediction``, and the ``classes_`` of a VotingClassifier's sub-estimators. Honest
models of every form load, predict the same and scan safe; a file that changes one of these is
refused by ``load_unsigned`` and called unsafe by ``scan``, with the shipped class facts and
without them. (The harm itself is shown in ``test_redteam29.py``.)"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parity import load_unsigned
from redteam import refused, verdicts, write


def _round_trip(tmp_path: Path, model: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Pickle ``model``, load it through safeload (scan must agree) and return what loaded."""
    data = pickle.dumps(model, protocol=4)
    loaded = load_unsigned(write(tmp_path, data))
    assert verdicts(data, monkeypatch) == {"safe"}
    return loaded


def _refused(
    tmp_path: Path, model: Any, problem: str, monkeypatch: pytest.MonkeyPatch, protocol: int = 4
) -> None:
    data = pickle.dumps(model, protocol=protocol)
    refused(tmp_path, data, problem, scan=True)
    assert verdicts(data, monkeypatch) == {"unsafe"}


# --- SimpleImputer: _fit_dtype and _fill_dtype are numpy dtypes of a number or object type ---

_NAN = np.nan
_FLOATS = np.array([[1.0, _NAN], [3.0, 4.0], [_NAN, 6.0]])
_INTS = np.array([[1, 2], [3, 4], [1, 6]], dtype=np.int32)
_WORDS = np.array([["a", None], ["b", "c"], ["a", "c"]], dtype=object)


def _imputers() -> list[tuple[str, Any, Any]]:
    from sklearn.impute import SimpleImputer

    found: list[tuple[str, Any, Any]] = []
    for keep in (False, True):
        for strategy in ("mean", "median", "most_frequent", "constant"):
            found.append(
                (
                    f"float-{strategy}-{keep}",
                    SimpleImputer(strategy=strategy, keep_empty_features=keep),
                    _FLOATS,
                )
            )
            found.append(
                (
                    f"float32-{strategy}-{keep}",
                    SimpleImputer(strategy=strategy, keep_empty_features=keep),
                    _FLOATS.astype(np.float32),
                )
            )
        for strategy in ("most_frequent", "constant"):
            found.append(
                (
                    f"int-{strategy}-{keep}",
                    SimpleImputer(strategy=strategy, missing_values=2, keep_empty_features=keep),
                    _INTS,
                )
            )
            found.append(
                (
                    f"object-{strategy}-{keep}",
                    SimpleImputer(strategy=strategy, missing_values=None, keep_empty_features=keep),
                    _WORDS,
                )
            )
    # a list of str rows is converted to an object array (dtype=object in _validate_input)
    found.append(
        (
            "list-of-str",
            SimpleImputer(strategy="most_frequent", missing_values="x"),
            [["a", "x"], ["b", "c"]],
        )
    )
    # a column with no observed value: dropped, or kept as the fill value
    empty = np.array([[1.0, _NAN], [2.0, _NAN]])
    found.append(("empty-dropped", SimpleImputer(), empty))
    found.append(("empty-kept", SimpleImputer(keep_empty_features=True), empty))
    return found


@pytest.mark.parametrize("case", _imputers(), ids=lambda c: c[0])
def test_honest_simple_imputers_load(
    case: tuple[str, Any, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _name, imputer, X = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Skipping features without any ..."
        imputer.fit(X)
        expected = imputer.transform(X)
        assert isinstance(imputer._fit_dtype, np.dtype)
        loaded = _round_trip(tmp_path, imputer, monkeypatch)
        got = loaded.transform(X)
    assert got.dtype == expected.dtype
    assert np.array_equal(np.asarray(got, dtype=object), np.asarray(expected, dtype=object))


def test_honest_imputer_on_a_dataframe_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pd = pytest.importorskip("pandas")
    from sklearn.impute import SimpleImputer

    df = pd.DataFrame({"a": ["x", None, "y"], "b": ["u", "u", None]})
    imputer = SimpleImputer(strategy="most_frequent").fit(df)
    loaded = _round_trip(tmp_path, imputer, monkeypatch)
    assert loaded.transform(df).tolist() == imputer.transform(df).tolist()


def _bunch(**kw: Any) -> Any:
    from sklearn.utils import Bunch

    return Bunch(**kw)


_BAD_DTYPES: dict[str, Any] = {
    "bunch": lambda: _bunch(kind="O", names=["a"], formats=["f8"], itemsize=2**20),
    "type-code": lambda: "f8",
    "type": lambda: np.float64,
    "str-dtype": lambda: np.dtype("S4096"),
    "unicode-dtype": lambda: np.dtype("U16"),
    "record-dtype": lambda: np.dtype([("a", "f8"), ("b", "f8")]),
    "subarray-dtype": lambda: np.dtype(("f8", (4,))),
    "void-dtype": lambda: np.dtype("V8"),
    "datetime-dtype": lambda: np.dtype("M8[s]"),
    "none": lambda: None,
}


@pytest.mark.parametrize("attribute", ["_fit_dtype", "_fill_dtype"])
@pytest.mark.parametrize("form", list(_BAD_DTYPES))
def test_imputer_dtypes_are_pinned(
    attribute: str, form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.impute import SimpleImputer

    imputer = SimpleImputer(keep_empty_features=True).fit(_FLOATS)
    setattr(imputer, attribute, _BAD_DTYPES[form]())
    _refused(tmp_path, imputer, rf"\.{attribute}: ", monkeypatch)


@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_imputer_object_dtype_loads_under_every_protocol(
    protocol: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dtype is pickled as ``numpy.dtype`` and a BUILD of its state: scan rebuilds it from
    the stream and judges the value, under old protocols too."""
    from sklearn.impute import SimpleImputer

    imputer = SimpleImputer(strategy="constant", missing_values=None).fit(_WORDS)
    data = pickle.dumps(imputer, protocol=protocol)
    loaded = load_unsigned(write(tmp_path, data))
    assert loaded._fit_dtype == np.dtype("O")
    assert verdicts(data, monkeypatch) == {"safe"}
    imputer._fill_dtype = np.dtype("S1048576")
    with pytest.raises(Exception, match="_fill_dtype|1,048,576"):
        load_unsigned(write(tmp_path, pickle.dumps(imputer, protocol=protocol), "b.pkl"))


# --- HistGradientBoosting: _baseline_prediction is one float per tree of an iteration -------


def _hgbs() -> list[tuple[str, Any, Any, Any]]:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    rng = np.random.RandomState(0)
    X = rng.rand(80, 3)
    return [
        ("regressor", HistGradientBoostingRegressor(max_iter=3), X, X[:, 0]),
        (
            "regressor-poisson",
            HistGradientBoostingRegressor(loss="poisson", max_iter=3),
            X,
            X[:, 0] + 0.1,
        ),
        ("binary", HistGradientBoostingClassifier(max_iter=3), X, X[:, 0] > 0.5),
        (
            "binary-str",
            HistGradientBoostingClassifier(max_iter=3),
            X,
            np.where(X[:, 0] > 0.5, "yes", "no"),
        ),
        ("multiclass", HistGradientBoostingClassifier(max_iter=3), X, (X[:, 0] * 3).astype(int)),
        (
            "early-stopped",
            HistGradientBoostingRegressor(max_iter=3, early_stopping=True, n_iter_no_change=1),
            X,
            X[:, 0],
        ),
    ]


@pytest.mark.parametrize("case", _hgbs(), ids=lambda c: c[0])
def test_honest_hgb_loads(
    case: tuple[str, Any, Any, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _name, model, X, y = case
    model.fit(X, y)
    loaded = _round_trip(tmp_path, model, monkeypatch)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert np.array_equal(
        np.asarray(list(loaded.staged_predict(X[:5]))),
        np.asarray(list(model.staged_predict(X[:5]))),
    )


def test_unfitted_hgb_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    loaded = _round_trip(tmp_path, HistGradientBoostingClassifier(max_iter=3), monkeypatch)
    assert loaded.max_iter == 3


_BAD_BASELINES: dict[str, Any] = {
    "bunch": lambda n: _bunch(dtype="S1048576"),
    "str": lambda n: "S1048576",
    "int-array": lambda n: np.zeros((1, n), dtype=np.int64),
    "object-array": lambda n: np.zeros((1, n), dtype=object),
    "str-array": lambda n: np.zeros((1, n), dtype="S64"),
    "record-array": lambda n: np.zeros((1, n), dtype=[("a", "f8")]),
    "wrong-size": lambda n: np.zeros((1, n + 1)),
    "scalar": lambda n: np.float64(0.0),
    "missing": lambda n: None,
}


@pytest.mark.parametrize("form", list(_BAD_BASELINES))
@pytest.mark.parametrize("kind", ["regressor", "multiclass"])
def test_hgb_baseline_prediction_is_pinned(
    form: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _name, model, X, y = next(c for c in _hgbs() if c[0] == kind)
    model.fit(X, y)
    value = _BAD_BASELINES[form](model.n_trees_per_iteration_)
    if value is None:
        del model._baseline_prediction
    else:
        model._baseline_prediction = value
    _refused(tmp_path, model, "_baseline_prediction", monkeypatch)


@pytest.mark.parametrize("attribute", ["_predictors", "_predictors=None"])
def test_hgb_fitted_state_without_predictors_is_refused(
    attribute: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``_raw_predict`` allocates ``(n_samples, n_trees_per_iteration_)`` before it reads a
    predictor, so the rt28-14 cross-check may not be skipped by dropping the predictors."""
    _name, model, X, y = _hgbs()[0]
    model.fit(X, y)
    if attribute == "_predictors":
        del model._predictors
    else:
        model._predictors = None
    model.n_trees_per_iteration_ = 2**28
    _refused(tmp_path, model, "without its predictors", monkeypatch)


# --- VotingClassifier: sub-estimators' classes_ are le_'s codes ------------------------------


def _data(labels: str) -> tuple[Any, Any]:
    rng = np.random.RandomState(0)
    X = rng.rand(90, 3)
    codes = (X[:, 0] * 3).astype(int)
    if labels == "str":
        return X, np.array(["ant", "bee", "cat"])[codes]
    if labels == "int-sparse":
        return X, np.array([-5, 7, 2**40])[codes]
    if labels == "binary-bool":
        return X, X[:, 0] > 0.5
    return X, codes


def _voters() -> list[tuple[str, Any]]:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    return [
        ("lr", LogisticRegression()),
        ("tree", DecisionTreeClassifier(max_depth=2, random_state=0)),
        ("forest", RandomForestClassifier(3, max_depth=2, random_state=0)),
        ("nb", GaussianNB()),
        ("pipe", make_pipeline(StandardScaler(), LogisticRegression())),
    ]


@pytest.mark.parametrize("labels", ["str", "int", "int-sparse", "binary-bool"])
@pytest.mark.parametrize("voting", ["hard", "soft"])
def test_honest_voting_classifiers_load(
    voting: str, labels: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.ensemble import VotingClassifier

    X, y = _data(labels)
    model = VotingClassifier(_voters(), voting=voting, weights=[1, 2, 1, 1, 1]).fit(X, y)
    loaded = _round_trip(tmp_path, model, monkeypatch)
    assert np.array_equal(loaded.predict(X), model.predict(X))


def test_honest_voting_with_a_dropped_and_a_nested_voter_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    X, y = _data("str")
    inner = VotingClassifier([("a", LogisticRegression()), ("b", LogisticRegression(C=0.1))])
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2)
    model = VotingClassifier(
        [("inner", inner), ("search", search), ("gone", "drop")], voting="hard"
    ).fit(X, y)
    loaded = _round_trip(tmp_path, model, monkeypatch)
    assert np.array_equal(loaded.predict(X), model.predict(X))


def test_honest_voting_with_a_frozen_estimator_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FrozenEstimator is not refitted on le_'s codes: with labels that are not integers (which
    hard voting's ``np.bincount`` refuses anyway) it keeps them, and soft voting works."""
    frozen = pytest.importorskip("sklearn.frozen")
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression

    X, y = _data("str")
    prefit = frozen.FrozenEstimator(LogisticRegression().fit(X, y))
    model = VotingClassifier([("frozen", prefit), ("lr", LogisticRegression())], voting="soft").fit(
        X, y
    )
    loaded = _round_trip(tmp_path, model, monkeypatch)
    assert np.array_equal(loaded.predict(X), model.predict(X))


def _poisoned_voting(form: str) -> Any:
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import LabelEncoder

    X, y = _data("int")
    sub = make_pipeline(LogisticRegression()) if form == "pipeline" else LogisticRegression()
    model = VotingClassifier([("a", sub), ("b", LogisticRegression())]).fit(X, y)
    first = model.estimators_[0]
    if form == "big-label":
        first.classes_ = np.array([0, 1, 2**31])
    elif form == "pipeline":
        first.steps[-1][1].classes_ = np.array([0, 1, 2**31])
    elif form == "shifted":
        first.classes_ = np.array([1, 2, 3])
    elif form == "too-few":
        first.classes_ = np.array([0, 1])
    elif form == "float-big":
        first.classes_ = np.array([0.0, 1.0, 2.0**31])
    elif form == "no-classes":
        model.estimators_[0] = LinearRegression().fit(X, y)
    elif form == "classes-bunch":
        first.classes_ = _bunch(a=1)
    elif form == "own-classes":
        model.classes_ = np.array([0, 1, 2**31])
    elif form == "le-missing":
        del model.le_
    elif form == "le-shorter":
        model.le_ = LabelEncoder().fit([0, 1])
        model.classes_ = model.le_.classes_
    elif form == "frozen-int":
        frozen = pytest.importorskip("sklearn.frozen")
        inner = LogisticRegression().fit(X, np.array([0, 1, 2**31])[y])
        model.estimators_[0] = frozen.FrozenEstimator(inner)
    elif form == "estimators-dict":
        model.estimators_ = {"a": first}
    return model


@pytest.mark.parametrize(
    "form",
    [
        "big-label",
        "pipeline",
        "shifted",
        "too-few",
        "float-big",
        "no-classes",
        "classes-bunch",
        "own-classes",
        "le-missing",
        "le-shorter",
        "frozen-int",
        "estimators-dict",
    ],
)
def test_voting_sub_estimator_classes_are_le_codes(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refused(tmp_path, _poisoned_voting(form), "VotingClassifier", monkeypatch)


# --- StackingClassifier: not held to le_'s codes (cv="prefit" keeps the original labels) ----


@pytest.mark.parametrize("cv", [None, "prefit"])
@pytest.mark.parametrize("labels", ["str", "int"])
def test_honest_stacking_classifiers_load(
    cv: str | None, labels: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """StackingClassifier encodes ``y`` with ``_label_encoder`` too, but with ``cv='prefit'``
    its ``estimators_`` are the estimators as given, fitted on the original labels; and no
    method sizes anything by their labels (the final estimator's predictions go through
    ``_label_encoder.inverse_transform``, which refuses unknown codes). So the VotingClassifier
    rule does not apply to it."""
    from sklearn.ensemble import StackingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    X, y = _data(labels)
    estimators: list[tuple[str, Any]] = [
        ("lr", LogisticRegression()),
        ("tree", DecisionTreeClassifier(max_depth=2, random_state=0)),
    ]
    if cv == "prefit":
        estimators = [(name, est.fit(X, y)) for name, est in estimators]
    model = StackingClassifier(estimators, LogisticRegression(), cv=cv).fit(X, y)
    loaded = _round_trip(tmp_path, model, monkeypatch)
    assert np.array_equal(loaded.predict(X), model.predict(X))


# --- classifiers whose predict returns another object's labels: classes_ is those labels ----


def _label_holders() -> list[tuple[str, Any]]:
    from sklearn.ensemble import StackingClassifier
    from sklearn.gaussian_process import GaussianProcessClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.semi_supervised import SelfTrainingClassifier

    return [
        ("stacking", StackingClassifier([("a", LogisticRegression())], LogisticRegression())),
        ("self-training", SelfTrainingClassifier(LogisticRegression())),
        ("mlp", MLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0)),
        ("one-vs-rest", OneVsRestClassifier(LogisticRegression())),
        ("gaussian-process", GaussianProcessClassifier()),
    ]


_HOLDERS = ["stacking", "self-training", "mlp", "one-vs-rest", "gaussian-process"]


@pytest.mark.parametrize("labels", ["str", "int", "binary-bool"])
@pytest.mark.parametrize("holder", _HOLDERS)
def test_honest_label_holders_load_inside_voting(
    holder: str, labels: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression

    X, y = _data(labels)
    if holder == "self-training" and labels == "str":
        y = y.astype(object)  # it refuses a str dtype array (-1 marks unlabelled samples)
    sub = dict(_label_holders())[holder]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLP's ConvergenceWarning
        alone = _round_trip(tmp_path, sub.fit(X, y), monkeypatch)
        model = VotingClassifier([("s", sub), ("lr", LogisticRegression())]).fit(X, y)
    assert np.array_equal(alone.predict(X), sub.predict(X))
    loaded = load_unsigned(write(tmp_path, pickle.dumps(model, protocol=4), "v.pkl"))
    assert np.array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("holder", _HOLDERS)
def test_label_holders_inside_voting_return_their_classes(
    holder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rt29-06 through a sub-estimator that keeps ``classes_`` at le_'s codes but predicts
    the labels of its encoder, binarizer or wrapped estimator: each is refused on its own."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import LabelBinarizer, LabelEncoder

    X, y = _data("int")
    sub = dict(_label_holders())[holder]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = VotingClassifier([("s", sub), ("lr", LogisticRegression())]).fit(X, y)
    fitted = model.estimators_[0]
    big = np.array([0, 1, 2**31])
    if holder == "stacking":
        fitted._label_encoder = LabelEncoder().fit(big)
    elif holder == "self-training":
        fitted.estimator_.classes_ = big
    elif holder == "mlp":
        fitted._label_binarizer = LabelBinarizer().fit(big)
    elif holder == "one-vs-rest":
        fitted.label_binarizer_ = LabelBinarizer().fit(big)
    else:
        fitted.base_estimator_.classes_ = big
    _refused(tmp_path, model, "classes_ disagrees with", monkeypatch)
