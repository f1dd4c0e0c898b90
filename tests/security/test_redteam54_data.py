"""Neighbours of rt54-02 / rt54-09 / rt54-03: the plain-data rule and the stored-sharing rule,
one verdict for scan and load.

The load's ``graph.require_data`` and scan's ``static_kinds.data_problem`` meet the same
containers at the same depths (``graph.MAX_DATA_DEPTH``) and refuse one met twice; the empty
tuple, one object to every load, is no second meeting. Values the data rule takes whole (a
dtype, bytes written as ``_codecs.encode``, a numpy scalar) are not counted as levels, and a
set written by protocols 0-3 as ``set([...])`` is one level, as it is to the load.
"""

from __future__ import annotations

import functools
import pickle

import numpy as np
import pytest

from redteam import assert_scan_predicts_load
from safeload.trust.graph import MAX_DATA_DEPTH


def _kw(value):
    from sklearn.preprocessing import FunctionTransformer

    return FunctionTransformer(kw_args={"a": value})


def _wrap(leaf, levels: int, kind=list):
    value = leaf
    for _ in range(levels):
        value = kind([value])
    return value


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_empty_tuples_are_no_sharing(tmp_path, protocol):
    """``()`` is CPython's one empty tuple, however many a stream writes: loaded, and SAFE."""
    data = pickle.dumps(_kw([(), (), {"b": ()}]), protocol=protocol)
    assert_scan_predicts_load(data, tmp_path)
    import safeload

    assert safeload.scan(data).safe


@pytest.mark.parametrize("protocol", [0, 2, 5])
@pytest.mark.parametrize(
    "shared",
    [
        pytest.param(lambda: [1], id="list"),
        pytest.param(lambda: {1, 2}, id="set"),
        pytest.param(lambda: frozenset({1}), id="frozenset"),
        pytest.param(lambda: slice(1, 2), id="slice"),
        pytest.param(lambda: np.arange(3), id="array"),
        pytest.param(lambda: np.array([1, "a"], dtype=object), id="object-array"),
    ],
)
def test_one_container_twice(tmp_path, protocol, shared):
    """Every container kind met twice, at each protocol's way of writing it: both refuse."""
    x = shared()
    data = pickle.dumps(_kw({"p": [x], "q": (x,)}), protocol=protocol)
    assert_scan_predicts_load(data, tmp_path, refused=True)


@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_shared_atoms_and_scalars_are_fine(tmp_path, protocol):
    """Atoms, numpy scalars and dtypes met twice are no container twice (the load takes them
    whole): loaded, and SAFE."""
    s, d, b = np.float64(1.5), np.dtype("f8"), b"xy"
    data = pickle.dumps(_kw([s, s, d, d, b, b, "t", "t"]), protocol=protocol)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("protocol", [0, 2, 5])
@pytest.mark.parametrize("extra", [0, 1])
@pytest.mark.parametrize(
    "leaf",
    [
        pytest.param(lambda: 1, id="int"),
        pytest.param(lambda: np.dtype("f8"), id="dtype"),
        pytest.param(lambda: b"xy", id="bytes"),
        pytest.param(lambda: np.float64(2.0), id="scalar"),
        pytest.param(lambda: {3}, id="set"),
        pytest.param(lambda: slice(1, 2), id="slice"),
        pytest.param(lambda: np.arange(2), id="array"),
    ],
)
def test_depth_bound_counts_alike(tmp_path, protocol, extra, leaf):
    """A leaf of each kind at the deepest level the data rule takes, and one level deeper:
    scan says SAFE exactly when the load loads (rt54-09's counting, every way of writing the
    leaf)."""
    # kw_args is level 0, its list level 1: the leaf's holder is at MAX_DATA_DEPTH + extra
    value = _wrap(leaf(), MAX_DATA_DEPTH - 1 + extra)
    data = pickle.dumps(_kw(value), protocol=protocol)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize("levels", [MAX_DATA_DEPTH - 1, MAX_DATA_DEPTH, MAX_DATA_DEPTH + 1])
def test_partial_keyword_depth(tmp_path, protocol, levels):
    """A stored partial's keyword nested about the bound: one verdict (its keyword readers
    start a level above the data rule)."""
    from sklearn.metrics import fbeta_score

    model = [functools.partial(fbeta_score, labels=_wrap(1, levels, tuple), beta=1.0)]
    assert_scan_predicts_load(pickle.dumps(model, protocol=protocol), tmp_path)


def test_data_dag_refused_fast(tmp_path):
    """A DAG of tuples 30 levels deep in kw_args (2**30 paths): both refuse at once, on the
    second meeting, not after unfolding it."""
    node: tuple = (1,)
    for _ in range(30):
        node = (node, node)
    assert_scan_predicts_load(pickle.dumps(_kw(node), protocol=4), tmp_path, refused=True)


@pytest.mark.parametrize("protocol", [2, 4])
def test_stored_sharing_as_a_dict_key_still_refused(tmp_path, protocol):
    """rt54-03's neighbour: a tuple DAG the C unpickler hashes as a dict key is still refused
    by both before building (the stored-sharing rule runs when the stream hashes one)."""
    node: tuple = (1,)
    for _ in range(20):
        node = (node, node)
    assert_scan_predicts_load(pickle.dumps({node: 1}, protocol=protocol), tmp_path, refused=True)
