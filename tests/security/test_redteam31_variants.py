"""Variants of red team 31's findings, written while fixing them, and the honest forms the fixes
must keep loading. Each attack first shows, in this process and at a size that is harmless
here, what plain pickle does: a result far larger than the file (the red team's reproducers in
``test_redteam31.py`` show the full-size harm in a child). Then safeload refuses the same
bytes, in ``scan`` and in ``load_unsigned`` (``parity.load_unsigned`` asserts the two agree)."""

from __future__ import annotations

import collections
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from parity import load_unsigned
from redteam import hgb_nodes, refused, write

X3 = np.random.RandomState(0).rand(20, 3)


# --- rt31-01: a sparse projection whose rows the file does not pay for -----------------------


def _projection(rows: int, values: int) -> Any:
    import scipy.sparse as sp
    from sklearn.random_projection import SparseRandomProjection

    m = SparseRandomProjection(n_components=2, random_state=0, dense_output=True).fit(X3)
    index = np.arange(values)
    # (a LIL matrix of 2**21 rows took 4 s to make: one list per row)
    matrix = sp.coo_matrix((np.ones(values), (index, index % 3)), shape=(rows, 3))
    m.components_ = matrix.tocsc()  # CSC: the index pointer has one item per column, not row
    return m


def test_sparse_projection_with_one_value_and_two_million_rows(tmp_path: Path) -> None:
    """Not empty, so the empty-matrix rule does not apply: one stored value and 2**21 rows.
    transform of one row is a dense 16 MB row from a file of 800 bytes."""
    data = pickle.dumps(_projection(2**21, 1), protocol=5)
    out = pickle.loads(data).transform(np.ones((1, 3)))
    assert out.shape == (1, 2**21) and out.nbytes > 20_000 * len(data)
    refused(tmp_path, data, "components_|sparse", scan=True)


def test_honest_sparse_projection_loads(tmp_path: Path) -> None:
    from sklearn.random_projection import SparseRandomProjection

    m = SparseRandomProjection(n_components=50, random_state=0).fit(np.random.rand(10, 400))
    got = load_unsigned(write(tmp_path, pickle.dumps(m, protocol=5)))
    assert got.transform(np.ones((1, 400))).shape == (1, 50)


def test_empty_sparse_matrix_of_an_honest_shape_loads(tmp_path: Path) -> None:
    import scipy.sparse as sp

    got = load_unsigned(write(tmp_path, pickle.dumps(sp.csr_matrix((1000, 2**20)), protocol=5)))
    assert got.shape == (1000, 2**20) and got.nnz == 0


# --- rt31-02: widths stored as numbers ----------------------------------------------------------


def test_dummy_classifier_uniform_n_classes(tmp_path: Path) -> None:
    """The red team's note p20: ``uniform`` predict_proba is ``ones((n, n_classes_))``."""
    from sklearn.dummy import DummyClassifier

    m = DummyClassifier(strategy="uniform").fit(X3, (X3[:, 0] > 0.5).astype(int))
    m.n_classes_ = 2**17
    data = pickle.dumps(m, protocol=5)
    out = pickle.loads(data).predict_proba(np.ones((10, 3)))
    assert out.shape == (10, 2**17) and out.nbytes > 10_000 * len(data)
    refused(tmp_path, data, "n_classes_", scan=True)


def test_dummy_classifier_multi_output_n_classes(tmp_path: Path) -> None:
    from sklearn.dummy import DummyClassifier

    y = np.stack([(X3[:, 0] > 0.5), (X3[:, 1] > 0.3)], axis=1).astype(int)
    m = DummyClassifier(strategy="uniform").fit(X3, y)
    assert load_unsigned(write(tmp_path, pickle.dumps(m))).predict_proba(X3)[1].shape == (20, 2)
    m.n_classes_ = [2, 2**17]
    refused(tmp_path, pickle.dumps(m), "n_classes_", scan=True)


def test_n_features_in_at_the_bound_loads(tmp_path: Path) -> None:
    from sklearn.preprocessing import FunctionTransformer

    m = FunctionTransformer().fit(X3)
    m.n_features_in_ = 2**20  # an honest width with nothing stored: a wide hashed input
    assert load_unsigned(write(tmp_path, pickle.dumps(m))).n_features_in_ == 2**20
    m.n_features_in_ = 2**20 + 1
    refused(tmp_path, pickle.dumps(m), "n_features_in_", scan=True)


# --- rt31-03: the bootstrap count ---------------------------------------------------------------


def test_forest_bootstrap_count_equal_to_the_samples_loads(tmp_path: Path) -> None:
    from sklearn.ensemble import RandomForestClassifier

    m = RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0)
    m.fit(X3, (X3[:, 0] > 0.5).astype(int))
    assert m._n_samples_bootstrap == m._n_samples == 20
    assert len(load_unsigned(write(tmp_path, pickle.dumps(m))).estimators_samples_) == 2
    unbagged = RandomForestClassifier(n_estimators=2, bootstrap=False, random_state=0)
    unbagged.fit(X3, (X3[:, 0] > 0.5).astype(int))
    assert (
        load_unsigned(write(tmp_path, pickle.dumps(unbagged), "b.pkl"))._n_samples_bootstrap is None
    )


@pytest.mark.parametrize("count", [0, 21, -1, 2.5])
def test_forest_bootstrap_count_out_of_range(count: Any, tmp_path: Path) -> None:
    from sklearn.ensemble import RandomForestClassifier

    m = RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0)
    m.fit(X3, (X3[:, 0] > 0.5).astype(int))
    m._n_samples_bootstrap = count
    refused(tmp_path, pickle.dumps(m), "draw", scan=True)


# --- rt31-04: a TreePredictor outside its estimator ---------------------------------------------


def test_predictor_held_by_its_estimator_and_elsewhere_loads(tmp_path: Path) -> None:
    """A predictor the estimator holds is bounded by its width wherever else it appears."""
    hgb, _nodes, _raw = hgb_nodes()
    pair = load_unsigned(write(tmp_path, pickle.dumps((hgb, hgb._predictors[0][0]))))
    assert pair[1] is pair[0]._predictors[0][0]


def test_honest_predictor_on_its_own_is_refused(tmp_path: Path) -> None:
    """scikit-learn never pickles a predictor alone; without its estimator nothing bounds
    its columns, so even one whose indexes happen to be small is refused."""
    hgb, _nodes, _raw = hgb_nodes()
    refused(tmp_path, pickle.dumps(hgb._predictors[0][0]), "TreePredictor", scan=True)


def test_predictor_beside_another_estimator_is_refused(tmp_path: Path) -> None:
    """Held next to (not inside) an honest estimator: still free-standing."""
    hgb, _nodes, _raw = hgb_nodes()
    other, _n, _r = hgb_nodes()
    stray = other._predictors[1][0]
    refused(tmp_path, pickle.dumps({"model": hgb, "spare": stray}), "TreePredictor", scan=True)


# --- rt31-06: names repeated once per output column ---------------------------------------------


def test_long_step_name_over_many_columns(tmp_path: Path) -> None:
    """One 4 KB step name over a 2,000-column scaler: 8 MB of names from a 52 KB file (the
    one-hot form's sibling: a name repeated per column)."""
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    union = FeatureUnion([("n" * 4096, StandardScaler().fit(np.random.rand(5, 2000)))])
    data = pickle.dumps(union, protocol=5)
    names = pickle.loads(data).get_feature_names_out()
    assert sum(len(n) for n in names) > 100 * len(data)
    refused(tmp_path, data, "characters", scan=True)


def test_step_name_at_the_bound_loads(tmp_path: Path) -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = Pipeline([("s" * 256, StandardScaler().fit(X3))])
    assert load_unsigned(write(tmp_path, pickle.dumps(pipe))).steps[0][0] == "s" * 256


def test_one_hot_with_honest_names_and_many_categories_loads(tmp_path: Path) -> None:
    from sklearn.preprocessing import OneHotEncoder

    m = OneHotEncoder().fit(np.arange(50_000).reshape(-1, 1))
    m.feature_names_in_ = np.array(["a column name of a reasonable length"], dtype=object)
    got = load_unsigned(write(tmp_path, pickle.dumps(m, protocol=5)))
    assert len(got.get_feature_names_out()) == 50_000


def test_one_hot_long_name_is_refused_at_a_smaller_size(tmp_path: Path) -> None:
    from sklearn.preprocessing import OneHotEncoder

    m = OneHotEncoder().fit(np.arange(3000).reshape(-1, 1))
    m.feature_names_in_ = np.array(["f" * 8192], dtype=object)
    data = pickle.dumps(m, protocol=5)
    names = pickle.loads(data).get_feature_names_out()
    assert sum(len(n) for n in names) > 500 * len(data)
    refused(tmp_path, data, "OneHotEncoder", scan=True)


# --- rt31-09: OrderedDict's arguments -----------------------------------------------------------


@pytest.mark.parametrize("arg", [b"K\x05", b"X\x03\x00\x00\x00abc", b"]K\x01K\x02\x86a"])
def test_ordered_dict_called_with_an_argument(arg: bytes, tmp_path: Path) -> None:
    """pickle writes ``OrderedDict()`` and then its items; any argument, even a list of
    pairs that the constructor would take, is refused in scan and load alike."""
    data = b"\x80\x02ccollections\nOrderedDict\n" + arg + b"\x85R."
    refused(tmp_path, data, "OrderedDict", scan=True)


def test_ordered_dict_as_pickle_writes_it_loads(tmp_path: Path) -> None:
    value = collections.OrderedDict([("a", 1), ("b", 2)])
    for protocol in range(6):
        got = load_unsigned(write(tmp_path, pickle.dumps(value, protocol=protocol)))
        assert got == value and type(got) is collections.OrderedDict
