"""Red team 18: native node records read by name where the native code reads them by position,
and leaves that claim a split feature.

rt18-01: a KD/Ball tree whose ``node_data`` dtype has NodeData's formats and offsets but two
field names exchanged. Cython accepts it (it compares formats and offsets, not names); the
check read the fields by name, i.e. other bytes than the queries use, and ``predict`` read
``idx_array[-10**9]``. rt18-02: a decision tree's node records with the same names and formats
in another order; scikit-learn casts them by position, the static pass read them by name and
scan said safe. rt18-07: a leaf whose ``feature`` is not TREE_UNDEFINED (-2): ``export_text``
prints splits the model never makes and recurses into the leaf's -1 children without end.
Each shows the harm under the plain loader in a child, then the refusal by load and scan.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from harm import crashes, plain
from parity import load_unsigned
from safeload import MalformedArtifactError


def _relabelled(dtype: np.dtype[Any], swap: dict[str, str]) -> np.dtype[Any]:
    """``dtype`` with the same formats, offsets and itemsize, and some field names exchanged."""
    names = list(dtype.names or ())
    return np.dtype(
        {
            "names": [swap.get(n, n) for n in names],
            "formats": [dtype.fields[n][0] for n in names],  # type: ignore[index]
            "offsets": [dtype.fields[n][1] for n in names],  # type: ignore[index]
            "itemsize": dtype.itemsize,
        }
    )


def _neighbors(path: Path, algorithm: str) -> Any:
    """A KNeighborsClassifier whose tree's node records, read by offset as Cython does, make
    every node a leaf spanning samples -10**9..n; read by name they look sound."""
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.RandomState(0)
    x = rng.rand(40, 2)
    clf = KNeighborsClassifier(n_neighbors=3, algorithm=algorithm, leaf_size=5)
    clf.fit(x, (x[:, 0] > 0.5).astype(int))
    state = list(clf._tree.__getstate__())
    canonical = state[2].dtype
    evil = np.zeros(
        state[2].shape[0],
        dtype=_relabelled(canonical, {"idx_start": "is_leaf", "is_leaf": "idx_start"}),
    )
    raw = evil.view(canonical)
    raw["radius"] = state[2]["radius"]
    raw["idx_start"] = -(10**9)  # read by name as is_leaf: only required to be non-zero
    raw["idx_end"] = x.shape[0]
    raw["is_leaf"] = 1  # read by name as idx_start: inside [0, idx_end]
    state[2] = evil
    clf._tree.__setstate__(tuple(state))  # never queried in this process
    path.write_bytes(pickle.dumps(clf, protocol=5))
    return clf


@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree"])
def test_rt18_01_relabelled_neighbor_node_records(tmp_path: Path, algorithm: str) -> None:
    path = tmp_path / "knn.pkl"
    _neighbors(path, algorithm)
    crashes(path, "model.predict(np.full((2, 2), 0.5))")
    with pytest.raises(MalformedArtifactError, match="node_data is not scikit-learn's"):
        load_unsigned(path)  # and scan says unsafe (tests/parity.py)


def test_rt18_01_through_skops(tmp_path: Path) -> None:
    import skops.io as sio

    staged = tmp_path / "knn.pkl"
    clf = _neighbors(staged, "kd_tree")
    path = tmp_path / "knn.skops"
    sio.dump(clf, path)
    crashes(path, "model.predict(np.full((2, 2), 0.5))", loader="skops")
    with pytest.raises(MalformedArtifactError, match="node_data is not scikit-learn's"):
        safeload.load_unsigned(path)
    assert not safeload.scan(path).safe


def _tree_with(path: Path, nodes_of: Any) -> None:
    """A fitted DecisionTreeRegressor pickled with the node records ``nodes_of(nodes)``."""
    from sklearn.tree import DecisionTreeRegressor
    from sklearn.tree._tree import Tree

    rng = np.random.RandomState(0)
    x = rng.rand(50, 4)
    est = DecisionTreeRegressor(max_depth=3, random_state=0).fit(x, rng.rand(50))
    tree = est.tree_
    st = tree.__getstate__()
    state = {
        "max_depth": st["max_depth"],
        "node_count": st["node_count"],
        "nodes": nodes_of(st["nodes"]),
        "values": st["values"],
    }

    class _Stand:
        def __reduce__(self) -> Any:  # pickled exactly as a Tree with this state
            return (Tree, (tree.n_features, tree.n_classes, tree.n_outputs), state)

    est.tree_ = _Stand()
    path.write_bytes(pickle.dumps(est, protocol=5))


def _reordered(nodes: Any) -> Any:
    """The same names and formats with left_child and n_node_samples exchanged in position:
    by name a sound tree; scikit-learn's positional cast makes n_node_samples[0] = 10**9 the
    root's left child."""
    from sklearn.tree._tree import NODE_DTYPE

    order = list(NODE_DTYPE.names or ())
    i, j = order.index("left_child"), order.index("n_node_samples")
    order[i], order[j] = order[j], order[i]
    fields = NODE_DTYPE.fields
    assert fields is not None
    dtype = np.dtype(
        {
            "names": order,
            "formats": [fields[n][0] for n in order],
            "offsets": [fields[n][1] for n in order],
            "itemsize": NODE_DTYPE.itemsize,
        }
    )
    evil = np.zeros(nodes.shape[0], dtype=dtype)
    for name in NODE_DTYPE.names or ():
        evil[name] = nodes[name]
    evil["n_node_samples"][0] = 10**9
    return evil


def test_rt18_02_reordered_tree_node_records(tmp_path: Path) -> None:
    path = tmp_path / "tree.pkl"
    _tree_with(path, _reordered)
    crashes(path, "model.predict(np.full((2, 4), 0.5))")
    with pytest.raises(MalformedArtifactError):
        load_unsigned(path)  # scan must refuse it too (it said safe)
    assert not safeload.scan(path).safe


def _leaves_name_a_feature(nodes: Any) -> Any:
    nodes = nodes.copy()
    nodes["feature"][nodes["left_child"] == -1] = 0
    return nodes


def test_rt18_07_leaf_with_a_split_feature(tmp_path: Path) -> None:
    honest, evil = tmp_path / "honest.pkl", tmp_path / "evil.pkl"
    _tree_with(honest, lambda nodes: nodes)
    _tree_with(evil, _leaves_name_a_feature)
    call = "from sklearn.tree import export_text\nexport_text(model, max_depth=40)"
    assert plain(honest, call).returned  # an honest tree prints at once
    assert plain(evil, call, hang_after_load=1.5).hung
    with pytest.raises(MalformedArtifactError, match="leaf has a split feature|not a tree"):
        load_unsigned(evil)
    assert load_unsigned(honest) is not None
