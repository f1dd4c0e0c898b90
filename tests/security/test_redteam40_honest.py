"""What red team 40's fixes must still load: encoders with NaN and hand-given categories,
multi-output classifiers (``classes_`` a list of arrays), one-vs-rest KNNs that share their
training data as fit leaves it, and searches. Each also scans safe (scan gives the load's
verdict)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parity import load_unsigned

_RS = np.random.RandomState(0)
_X = _RS.rand(60, 3)
_Y = (_X[:, 0] * 3).astype(int)


def _round_trip(model: Any, tmp_path: Path) -> Any:
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    return load_unsigned(path)  # asserts scan safe too


def _encoders() -> dict[str, tuple[Any, Any]]:
    from sklearn.ensemble import RandomTreesEmbedding
    from sklearn.preprocessing import KBinsDiscretizer, OneHotEncoder, OrdinalEncoder

    with_nan = np.where(_X > 0.8, np.nan, np.round(_X * 4))
    words = np.array([["b"], ["a"], ["c"]] * 20, dtype=object)
    return {
        "one-hot with NaN": (OneHotEncoder(handle_unknown="ignore"), with_nan),
        "ordinal with NaN": (OrdinalEncoder(), with_nan),
        "one-hot, categories given unsorted (strings)": (
            OneHotEncoder(categories=[["c", "a", "b"]]),
            words,
        ),
        "one-hot, integer categories": (OneHotEncoder(), (_X * 5).astype(int)),
        "k-bins one-hot": (KBinsDiscretizer(4, encode="onehot"), _X),
        "random trees embedding": (RandomTreesEmbedding(n_estimators=3, random_state=0), _X),
    }


@pytest.mark.parametrize("name", list(_encoders()))
def test_fitted_encoders_load(name: str, tmp_path: Path) -> None:
    model, X = _encoders()[name]
    model.fit(X)
    loaded = _round_trip(model, tmp_path)
    expected = model.transform(X)
    got = loaded.transform(X)
    if hasattr(expected, "toarray"):
        expected, got = expected.toarray(), got.toarray()
    np.testing.assert_array_equal(got, expected)


def test_multi_output_classes_lists_load(tmp_path: Path) -> None:
    from sklearn.ensemble import RandomForestClassifier

    Y = np.c_[_Y, _Y % 2]
    model = RandomForestClassifier(5, random_state=0).fit(_X, Y)
    assert type(model.classes_) is list
    np.testing.assert_array_equal(_round_trip(model, tmp_path).predict(_X), model.predict(_X))


def test_multilabel_binarizer_loads(tmp_path: Path) -> None:
    from sklearn.preprocessing import MultiLabelBinarizer

    model = MultiLabelBinarizer().fit([["a", "b"], ["c"], ["b", "d"]])
    got = _round_trip(model, tmp_path).transform([["b"], ["a", "d"]])
    np.testing.assert_array_equal(got, model.transform([["b"], ["a", "d"]]))


def test_one_vs_rest_knns_sharing_their_data_load(tmp_path: Path) -> None:
    """fit hands each binary KNN the same validated X, so the pickle shares one _fit_X among
    them: honest sharing, within the repeated-use bound (rt40-03) at this size."""
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.neighbors import KNeighborsClassifier

    X = _RS.rand(2000, 8)
    model = OneVsRestClassifier(KNeighborsClassifier()).fit(X, (X[:, 0] * 5).astype(int))
    fits = {id(e._fit_X) for e in model.estimators_}
    assert len(fits) == 1  # one array, five estimators
    loaded = _round_trip(model, tmp_path)
    np.testing.assert_array_equal(loaded.predict(X[:20]), model.predict(X[:20]))
