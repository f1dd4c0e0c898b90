"""A sparse matrix's columns past MAX_EMPTY_DIM must be paid for by stored values, as its rows
already were (rt53-07's sparse form): an empty 1 x 10**9 CSR matrix in a fitted array's place
sized a dense result of 10**9 columns per input row (shown under plain pickle in
test_redteam53.py). Honest sparse models keep loading."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from redteam import assert_scan_predicts_load, parity
from safeload._numpy_state import MAX_EMPTY_DIM
from safeload.trust.structures.arrays import SPARSE_SPREAD

X = np.random.RandomState(0).rand(30, 4)
Y = (X[:, 0] > 0.5).astype(int)


def _holder(cols: int, stored: int, fmt: str) -> Any:
    """A fitted PCA whose ``components_`` is a sparse ``fmt`` matrix of one row and ``cols``
    columns with ``stored`` values."""
    from sklearn.decomposition import PCA

    model = PCA(1).fit(X)
    where = np.linspace(0, cols - 1, stored).astype(np.int64) if stored else np.zeros(0, int)
    matrix = sp.coo_matrix((np.ones(stored), (np.zeros(stored, int), where)), shape=(1, cols))
    model.components_ = matrix.asformat(fmt)
    return model


@pytest.mark.parametrize("fmt", ["csr", "coo", "lil", "dok", "bsr"])
@pytest.mark.parametrize("cols", [10**9, MAX_EMPTY_DIM + 1])
def test_unpaid_columns_refused(tmp_path: Path, fmt: str, cols: int) -> None:
    # one value, or none: far fewer than the 16,385 the columns need (a dok of the 8,192 that
    # are half of them took 7 s to build and check)
    stored = 1 if cols <= 10**7 else 0
    assert stored * SPARSE_SPREAD < cols - 1
    data = pickle.dumps(_holder(cols, stored, fmt), protocol=5)
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_column_pointer_pays_for_columns(tmp_path: Path) -> None:
    """A CSC matrix's column pointer has one item per column: its width is paid for (and the
    rows rule applies instead). The component itself is still the wrong width for PCA, which
    the width checks are free to refuse; scan and load agree either way."""
    data = pickle.dumps(_holder(MAX_EMPTY_DIM + 1, 0, "csc"), protocol=5)
    assert_scan_predicts_load(data, tmp_path)


def test_honest_hashed_text_models_load(tmp_path: Path) -> None:
    """HashingVectorizer's 2**20 columns (the bound itself), with a neighbours model and a
    linear one whose coef_ was sparsified."""
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline

    docs = ["the cat sat", "a dog ran", "cats and dogs", "the end"] * 5
    labels = np.arange(20) % 2
    knn = make_pipeline(HashingVectorizer(), KNeighborsClassifier(3)).fit(docs, labels)
    sgd = make_pipeline(HashingVectorizer(), SGDClassifier(random_state=0)).fit(docs, labels)
    sgd.steps[1][1].sparsify()
    for i, model in enumerate((knn, sgd)):
        folder = tmp_path / str(i)
        folder.mkdir()
        assert parity(pickle.dumps(model, protocol=5), folder) == (True, "loaded")
