"""The honest forms next to red team 36's fixes: what the new rules must keep loading (and scan
must call safe). Column selections in every form scikit-learn stores, worker counts a fitting
machine stores, per-row iteration counts at their defaults, labels of ordinary widths, and a
model whose graph has a cycle."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

import safeload
from redteam import load_honest


def _frame() -> pd.DataFrame:
    rng = np.random.RandomState(0)
    return pd.DataFrame(rng.rand(30, 4), columns=["a", "b", "c", "d"])


@pytest.mark.parametrize(
    "columns",
    [[0, 1], [-1, 0], slice(0, 2), np.array([True, False, True, False]), ["a", "c"], []],
    ids=str,
)
def test_column_selections_scikit_learn_stores(columns: Any, tmp_path: Any) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

    X = _frame()
    ct = ColumnTransformer([("s", StandardScaler(), columns)], remainder="passthrough").fit(X)
    loaded = load_honest(ct, tmp_path)
    assert np.allclose(loaded.transform(X), ct.transform(X))


@pytest.mark.parametrize("column", ["text", 0])
def test_a_single_column_selection(column: Any, tmp_path: Any) -> None:
    """A scalar selection hands the transformer one column as a vector (a vectorizer's
    documents)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    X = pd.DataFrame({"text": ["aa bb", "bb cc", "cc aa"], "n": [1.0, 2.0, 3.0]})
    ct = ColumnTransformer([("v", CountVectorizer(), column)]).fit(X)
    loaded = load_honest(ct, tmp_path)
    assert np.array_equal(np.asarray(loaded.transform(X)), np.asarray(ct.transform(X)))


def test_a_pandas_index_selection_is_refused_by_both(tmp_path: Any) -> None:
    """``X.columns[1:3]`` is stored as a pandas Index, which the column slot refuses as not
    plain data (with the pandas profile too): scan and load agree. Select with a list."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

    X = _frame()
    ct = ColumnTransformer([("s", StandardScaler(), X.columns[1:3])]).fit(X)
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(ct, protocol=5))
    assert not safeload.scan(path, profiles=["pandas"]).safe
    with pytest.raises(safeload.SafeloadError, match="pandas.Index"):
        safeload.load_unsigned(path, profiles=["pandas"])


@pytest.mark.parametrize("jobs", [None, 1, 2, 4, -1, -2])
def test_worker_counts_a_union_may_store(jobs: Any, tmp_path: Any) -> None:
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    X = np.random.RandomState(0).rand(10, 3)
    union = FeatureUnion([("a", StandardScaler()), ("b", MinMaxScaler())]).fit(X)
    union.n_jobs = jobs  # as fit(X) with n_jobs=jobs stores it, without starting the workers
    assert load_honest(union, tmp_path).n_jobs == jobs


def test_a_forest_keeps_its_thread_count(tmp_path: Any) -> None:
    """Forests predict on threads: their ``n_jobs`` keeps the thread bound (1,024)."""
    from sklearn.ensemble import RandomForestClassifier

    X = np.random.RandomState(0).rand(30, 3)
    forest = RandomForestClassifier(5, n_jobs=16, random_state=0).fit(X, X[:, 0] > 0.5)
    assert load_honest(forest, tmp_path).n_jobs == 16


def test_a_union_with_eight_workers_is_refused(tmp_path: Any) -> None:
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    X = np.random.RandomState(0).rand(10, 3)
    union = FeatureUnion([("a", StandardScaler())]).fit(X)
    union.n_jobs = 8  # as fit(X) with n_jobs=8 stores it, without starting 8 workers here
    data = pickle.dumps(union, protocol=5)
    assert not safeload.scan(data).safe
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    with pytest.raises(safeload.SafeloadError, match="n_jobs"):
        safeload.load_unsigned(path)


def test_default_per_row_counts_load(tmp_path: Any) -> None:
    from sklearn.decomposition import DictionaryLearning, LatentDirichletAllocation
    from sklearn.pipeline import FeatureUnion

    rng = np.random.RandomState(0)
    counts = rng.randint(0, 3, (20, 6))
    union = FeatureUnion(
        [
            ("lda", LatentDirichletAllocation(2, max_iter=2, random_state=0)),
            ("lda2", LatentDirichletAllocation(3, max_iter=2, random_state=0)),
            (
                "dl",
                DictionaryLearning(2, max_iter=2, transform_algorithm="lasso_cd", random_state=0),
            ),
        ]
    ).fit(counts.astype(float))
    loaded = load_honest(union, tmp_path)
    assert loaded.transform(counts.astype(float)).shape == (20, 7)


def test_imputer_triplets_load(tmp_path: Any) -> None:
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    X = np.random.RandomState(0).rand(30, 4)
    X[::5, 1] = np.nan
    X[::7, 3] = np.nan
    imputer = IterativeImputer(max_iter=3, n_nearest_features=2, random_state=0).fit(X)
    assert np.allclose(load_honest(imputer, tmp_path).transform(X), imputer.transform(X))


def test_labels_and_constants_of_ordinary_widths(tmp_path: Any) -> None:
    from sklearn.dummy import DummyClassifier, DummyRegressor

    X = np.zeros((6, 2))
    y = np.array(["spam", "ham", "eggs"] * 2)
    clf = DummyClassifier(strategy="constant", constant="ham").fit(X, y)
    assert list(load_honest(clf, tmp_path).predict(X[:2])) == ["ham", "ham"]
    reg = DummyRegressor(strategy="constant", constant=np.array([1.5])).fit(X, np.ones(6))
    assert load_honest(reg, tmp_path).predict(X[:1])[0] == 1.5


def test_a_cycle_in_an_honest_model(tmp_path: Any) -> None:
    """A spare attribute pointing back at the root closes a cycle: the components count it
    once, and a model whose names are few still loads."""
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    X = np.random.RandomState(0).rand(10, 3)
    scaler = StandardScaler().fit(X)
    union = FeatureUnion([("a", scaler), ("b", scaler)]).fit(X)
    scaler.owner_ = union
    loaded = load_honest(union, tmp_path)
    assert len(loaded.get_feature_names_out()) == 6


def test_non_ascii_names_within_the_bound(tmp_path: Any) -> None:
    from sklearn.preprocessing import OneHotEncoder

    X = pd.DataFrame({"caf\u00e9": ["x", "y"], "\U0001f600": ["p", "q"]})
    encoder = OneHotEncoder().fit(X)
    names = list(load_honest(encoder, tmp_path).get_feature_names_out())
    assert names[-1] == "\U0001f600_q"
