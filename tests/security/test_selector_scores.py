"""A univariate selector's ``scores_`` and ``pvalues_`` must be one float per input feature
(rt53-07's neighbours): its support mask is sized by them, so any object answering ``shape``
(a Bunch, a sparse matrix) sized an allocation from the file. The red-team file shows the harm
under plain pickle; these hold the rule and the honest models beside it, for scan and load."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import assert_scan_predicts_load, load_honest

X = np.random.RandomState(0).rand(30, 4)
Y = (X[:, 0] > 0.5).astype(int)


def _filters() -> list[tuple[str, Any]]:
    from sklearn.feature_selection import (
        GenericUnivariateSelect,
        SelectFdr,
        SelectFpr,
        SelectFwe,
        SelectKBest,
        SelectPercentile,
        chi2,
        f_classif,
        f_regression,
        mutual_info_classif,
        r_regression,
    )

    return [
        ("kbest-all", SelectKBest(f_classif, k="all")),
        ("kbest-2", SelectKBest(chi2, k=2)),
        ("kbest-mi", SelectKBest(mutual_info_classif, k=2)),  # (scores only: pvalues_ None)
        ("kbest-r", SelectKBest(r_regression, k=1)),
        ("percentile", SelectPercentile(f_classif, percentile=50)),
        ("fpr", SelectFpr(f_regression, alpha=0.5)),
        ("fdr", SelectFdr(alpha=0.5)),
        ("fwe", SelectFwe(alpha=0.5)),
        ("generic", GenericUnivariateSelect(mode="k_best", param=2)),
    ]


@pytest.mark.parametrize("index", range(9))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_honest_selectors_load(tmp_path: Path, index: int, dtype: Any) -> None:
    label, selector = _filters()[index]
    selector.fit(X.astype(dtype), Y)
    loaded = load_honest(selector, tmp_path)
    assert loaded.transform(X).shape[1] == selector.transform(X).shape[1], label


def _with(key: str, value: Any) -> bytes:
    from sklearn.feature_selection import SelectKBest, f_classif

    model = SelectKBest(f_classif, k="all").fit(X, Y)
    setattr(model, key, value)
    return pickle.dumps(model, protocol=5)


def _forged() -> dict[str, Any]:
    import scipy.sparse as sp
    from sklearn.utils import Bunch

    return {
        "bunch": Bunch(shape=(10**6,)),
        "sparse": sp.csr_matrix((1, 4)),
        "list": [0.1, 0.2, 0.3, 0.4],
        "ints": np.arange(4),
        "2-d": np.ones((2, 2)),
        "wider": np.ones(5),
        "record": np.zeros(4, dtype=[("a", "f8")]),
    }


@pytest.mark.parametrize("key", ["scores_", "pvalues_"])
@pytest.mark.parametrize("form", sorted(_forged()))
def test_forged_scores_refused_by_scan_and_load(tmp_path: Path, key: str, form: str) -> None:
    assert_scan_predicts_load(_with(key, _forged()[form]), tmp_path, refused=True)
