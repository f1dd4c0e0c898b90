"""The honest forms next to red team 37's fixes: stored keyword arguments and worker counts a
fitting machine writes, and iteration counts at their defaults, keep loading (and scan calls
them safe)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

from redteam import load_honest


@pytest.mark.parametrize("dtype", [None, "numeric", np.float32, "float64", [np.float64]])
def test_a_partial_of_check_array_with_a_numeric_dtype(dtype: Any, tmp_path: Any) -> None:
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.utils.validation import check_array

    m = FunctionTransformer(functools.partial(check_array, dtype=dtype)).fit(np.eye(2))
    assert load_honest(m, tmp_path).transform(np.eye(2)).shape == (2, 2)


@pytest.mark.parametrize("jobs", [None, 1, 2, -1])
def test_a_partial_of_mutual_info_with_few_workers(jobs: Any, tmp_path: Any) -> None:
    from sklearn.feature_selection import SelectKBest, mutual_info_classif

    X = np.random.RandomState(0).rand(30, 3)
    y = (X[:, 0] > 0.5).astype(int)
    score = functools.partial(mutual_info_classif, n_jobs=jobs, random_state=0)
    m = SelectKBest(score, k=2).fit(X, y)
    assert load_honest(m, tmp_path).transform(X).shape == (30, 2)


def test_nmf_models_at_their_defaults_in_a_union(tmp_path: Any) -> None:
    from sklearn.decomposition import NMF, MiniBatchNMF
    from sklearn.pipeline import FeatureUnion

    X = np.random.RandomState(0).rand(20, 5)
    union = FeatureUnion(
        [("a", NMF(2, random_state=0)), ("b", MiniBatchNMF(2, random_state=0))]
    ).fit(X)
    assert load_honest(union, tmp_path).transform(X).shape == (20, 4)


def test_sparse_pca_with_all_cores(tmp_path: Any) -> None:
    from sklearn.decomposition import SparsePCA

    X = np.random.RandomState(0).rand(20, 4)
    m = SparsePCA(2, n_jobs=-1, max_iter=5, random_state=0).fit(X)
    assert load_honest(m, tmp_path).n_jobs == -1


def test_empty_category_of_an_ordinary_width(tmp_path: Any) -> None:
    """``np.unique`` of an empty column keeps its (narrow) dtype: it loads."""
    from sklearn.preprocessing import OrdinalEncoder

    m = OrdinalEncoder().fit(np.array([["a"], ["b"]]))
    m.categories_ = [np.array([], dtype="<U1"), *m.categories_[1:]]
    assert load_honest(m, tmp_path) is not None
