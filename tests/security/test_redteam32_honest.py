"""The honest forms next to red team 32's fixes (``test_redteam32.py``): what scikit-learn's own
``fit`` writes at or near each new bound still loads, and ``scan`` agrees
(``parity.load_unsigned``); one step past the bound is refused by both."""

from __future__ import annotations

import collections
import datetime
import pathlib
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parity import load_unsigned
from redteam import refused, write

X = np.random.RandomState(0).rand(30, 4)
Y = (X[:, 0] > 0.5).astype(int)


def test_neighbours_fitted_on_a_sparse_matrix_load(tmp_path: Path) -> None:
    import scipy.sparse as sp
    from sklearn.neighbors import KNeighborsClassifier

    m = KNeighborsClassifier(n_neighbors=3, algorithm="brute").fit(sp.csr_matrix(X), Y)
    got = load_unsigned(write(tmp_path, pickle.dumps(m)))
    assert got.predict_proba(X[:2]).shape == (2, 2)


def test_neighbours_with_a_list_as_samples_are_refused(tmp_path: Path) -> None:
    from sklearn.neighbors import NearestNeighbors

    m = NearestNeighbors(n_neighbors=2).fit(X)
    m._fit_X = X.tolist()
    refused(tmp_path, pickle.dumps(m), "_fit_X", scan=True)


def test_count_vectorizer_and_multilabel_binarizer_load(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import MultiLabelBinarizer

    vec = CountVectorizer(ngram_range=(1, 3)).fit(["the cat sat", "the dog ran"])
    mlb = MultiLabelBinarizer().fit([[0, 1], [1, 2]])
    mlb.transform([[1]])  # fills _cached_dict
    got = load_unsigned(write(tmp_path, pickle.dumps((vec, mlb))))
    assert got[0].transform(["the cat"]).shape[1] == len(vec.vocabulary_)
    assert got[1].transform([[2]]).tolist() == [[0, 0, 1]]


@pytest.mark.parametrize(("ngrams", "ok"), [((1, 32), True), ((1, 33), False), ((0, 2), False)])
def test_ngram_range_bound(ngrams: tuple[int, int], ok: bool, tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import HashingVectorizer

    data = pickle.dumps(HashingVectorizer(ngram_range=ngrams, n_features=16))
    if ok:
        assert load_unsigned(write(tmp_path, data)).ngram_range == ngrams
    else:
        refused(tmp_path, data, "ngram_range", scan=True)


def test_n_features_in_as_a_numpy_int_loads(tmp_path: Path) -> None:
    from sklearn.preprocessing import StandardScaler

    m = StandardScaler().fit(X)
    m.n_features_in_ = np.int64(4)
    assert load_unsigned(write(tmp_path, pickle.dumps(m))).transform(X).shape == (30, 4)


def test_draws_above_the_training_set_with_an_int_max_samples_load(tmp_path: Path) -> None:
    """scikit-learn 1.9 lets an int ``max_samples`` draw more than the training set (with
    replacement): the count then equals ``max_samples``."""
    from sklearn.ensemble import BaggingClassifier, RandomForestClassifier

    forest = RandomForestClassifier(n_estimators=2, max_samples=50, random_state=0).fit(X, Y)
    bag = BaggingClassifier(n_estimators=2, max_samples=50, random_state=0).fit(X, Y)
    assert forest._n_samples_bootstrap == 50 and bag._max_samples == 50
    got = load_unsigned(write(tmp_path, pickle.dumps((forest, bag))))
    assert len(got[0].estimators_samples_[0]) == 50 == len(got[1].estimators_samples_[0])
    forest._n_samples_bootstrap = 51  # no longer what max_samples gives
    refused(tmp_path, pickle.dumps(forest), "draws more samples", scan=True)


def test_nmf_models_load(tmp_path: Path) -> None:
    from sklearn.decomposition import NMF, MiniBatchNMF

    models = (NMF(n_components=2, max_iter=50).fit(X), MiniBatchNMF(n_components=2).fit(X))
    got = load_unsigned(write(tmp_path, pickle.dumps(models)))
    assert got[1].transform(X[:1]).shape == (1, 2)


@pytest.mark.parametrize(("length", "ok"), [(1024, True), (1025, False)])
def test_feature_name_length_bound(length: int, ok: bool, tmp_path: Path) -> None:
    from sklearn.preprocessing import StandardScaler

    m = StandardScaler().fit(X)
    m.feature_names_in_ = np.array(["a" * length, "b", "c", "d"], dtype=object)
    if ok:
        assert len(load_unsigned(write(tmp_path, pickle.dumps(m))).feature_names_in_[0]) == length
    else:
        refused(tmp_path, pickle.dumps(m), "feature_names_in_", scan=True)


@pytest.mark.parametrize(
    ("template", "ok"),
    [
        ("{transformer_name}__{feature_name}", True),
        ("{feature_name}", True),
        ("{feature_name}_{feature_name}", False),
    ],
)
def test_name_template_uses_each_field_once(template: str, ok: bool, tmp_path: Path) -> None:
    from sklearn.compose import ColumnTransformer

    ct = ColumnTransformer([("a", "passthrough", [0])], verbose_feature_names_out=template)
    ct.fit(X)
    if ok:
        assert len(load_unsigned(write(tmp_path, pickle.dumps(ct))).get_feature_names_out()) == 1
    else:
        refused(tmp_path, pickle.dumps(ct), "more than once", scan=True)


def test_csc_samples_of_an_honest_size_load(tmp_path: Path) -> None:
    import scipy.sparse as sp
    from sklearn.kernel_ridge import KernelRidge

    m = KernelRidge().fit(sp.csc_matrix(X), X[:, 0])
    assert load_unsigned(write(tmp_path, pickle.dumps(m))).predict(X[:2]).shape == (2,)


@pytest.mark.parametrize(
    "value",
    [
        collections.Counter(),
        collections.Counter({"a": 2}),
        datetime.timedelta(0),
        pathlib.PurePosixPath("."),
        pathlib.PurePosixPath("a/b"),
        slice(1, 2, 3),
        complex(1, 2),
        collections.defaultdict(None, {"a": 1}),
    ],
)
def test_value_forms_pickle_writes_load_and_scan_safe(value: Any, tmp_path: Path) -> None:
    for protocol in (0, 2, 5):
        assert load_unsigned(write(tmp_path, pickle.dumps(value, protocol=protocol))) == value


def test_unions_with_pass_through_branches_load(tmp_path: Path) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.pipeline import FeatureUnion

    union = FeatureUnion([("a", "passthrough"), ("p", PCA(n_components=2))]).fit(X)
    ct = ColumnTransformer([("s", PCA(n_components=1), [0, 1])], remainder="passthrough").fit(X)
    got = load_unsigned(write(tmp_path, pickle.dumps((union, ct))))
    assert got[0].transform(X).shape == (30, 6) and got[1].transform(X).shape == (30, 3)


@pytest.mark.parametrize(("branches", "ok"), [(2, True), (3, False)])
def test_pass_through_width_bound(branches: int, ok: bool, tmp_path: Path) -> None:
    """Identity branches recording an input of 2**19 columns: two output 2**20, the bound."""
    from sklearn.pipeline import FeatureUnion

    union = FeatureUnion([(f"p{i}", "passthrough") for i in range(branches)]).fit(X)
    for _name, branch in union.transformer_list:
        branch.n_features_in_ = 2**19
    if ok:
        assert len(load_unsigned(write(tmp_path, pickle.dumps(union))).transformer_list) == 2
    else:
        refused(tmp_path, pickle.dumps(union), "pass-through", scan=True)


def test_union_with_a_wrapped_pass_through_loads(tmp_path: Path) -> None:
    """One identity branch, even inside a Pipeline, cannot widen a union (rt33-06's rule
    counts such branches)."""
    from sklearn.decomposition import PCA
    from sklearn.pipeline import FeatureUnion, Pipeline

    union = FeatureUnion([("a", Pipeline([("p", "passthrough")])), ("p", PCA(n_components=2))]).fit(
        X
    )
    got = load_unsigned(write(tmp_path, pickle.dumps(union)))
    assert got.transform(X).shape == (30, 6)
