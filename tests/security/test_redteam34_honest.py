"""Honest counterparts of red team 34's reproducers: what scikit-learn writes for the same
estimators loads, scans safe, and its methods work after loading (a fix must keep these)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import safeload
from redteam import load_honest


def test_voting_soft_names(tmp_path: Path) -> None:
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    X = np.random.RandomState(0).rand(60, 3)
    y = np.arange(60) % 4
    m = VotingClassifier(
        [("lr", LogisticRegression()), ("dt", DecisionTreeClassifier(max_depth=2))],
        voting="soft",
    ).fit(X, y)
    loaded = load_honest(m, tmp_path)
    assert list(loaded.get_feature_names_out()) == list(m.get_feature_names_out())


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_stacking_names(kind: str, tmp_path: Path) -> None:
    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from sklearn.linear_model import LinearRegression, LogisticRegression

    X = np.random.RandomState(0).rand(40, 3)
    if kind == "regressor":
        m = StackingRegressor([("a", LinearRegression())], cv=2, passthrough=True)
        m.fit(X, X[:, 0])
    else:
        m = StackingClassifier([("a", LogisticRegression())], cv=2).fit(X, np.arange(40) % 3)
    loaded = load_honest(m, tmp_path)
    assert list(loaded.get_feature_names_out()) == list(m.get_feature_names_out())


def test_additive_chi2_names(tmp_path: Path) -> None:
    from sklearn.kernel_approximation import AdditiveChi2Sampler

    m = AdditiveChi2Sampler(sample_steps=3).fit(np.random.RandomState(0).rand(5, 40))
    loaded = load_honest(m, tmp_path)
    assert len(loaded.get_feature_names_out()) == 40 * 5


def test_vectorizer_then_one_hot_names(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    docs = ["the cat sat", "the dog ran", "a cat ran"]
    vectorizer = CountVectorizer().fit(docs)
    counts = vectorizer.transform(docs).toarray()
    encoder = OneHotEncoder(handle_unknown="ignore").fit(counts)
    pipe = Pipeline([("v", vectorizer), ("o", encoder)])
    loaded = load_honest(pipe, tmp_path)
    assert list(loaded.get_feature_names_out()) == list(pipe.get_feature_names_out())


def test_target_encoder_multiclass_names(tmp_path: Path) -> None:
    import pandas as pd
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"colour": rng.choice(["r", "g", "b"], 90), "size": rng.randint(0, 3, 90)})
    m = TargetEncoder(random_state=0).fit(X, rng.randint(0, 3, 90))
    loaded = load_honest(m, tmp_path)
    assert list(loaded.get_feature_names_out()) == list(m.get_feature_names_out())


@pytest.mark.parametrize("average", [False, True])
def test_sgd_partial_fit_after_loading(average: bool, tmp_path: Path) -> None:
    from sklearn.linear_model import SGDClassifier

    X = np.random.RandomState(0).rand(40, 5)
    y = (X[:, 0] > 0.5).astype(int)
    m = SGDClassifier(max_iter=5, tol=None, average=average).fit(X, y)
    loaded = load_honest(m, tmp_path)
    loaded.partial_fit(X, y)
    assert loaded.coef_.shape == (1, 5)


def test_bz2_joblib_loads(tmp_path: Path) -> None:
    import joblib
    from sklearn.preprocessing import StandardScaler

    m = StandardScaler().fit(np.random.RandomState(0).rand(1000, 20))
    path = tmp_path / "m.joblib"
    joblib.dump(m, path, compress=("bz2", 3))
    assert safeload.scan(path.read_bytes()).safe
    loaded = safeload.load_unsigned(path)
    assert list(loaded.get_feature_names_out()) == [f"x{i}" for i in range(20)]
