"""Findings of the fifteenth red-team round (default policy), one test each.

Each file is an ordinary fitted model with one stored value changed. Each test shows the harm
under plain pickle in a child process with resource limits (a crash is a negative return code,
a memory blow-up a MemoryError under RLIMIT_AS), then shows ``load_unsigned`` refusing the same
bytes and ``scan`` agreeing (``parity.load_unsigned`` asserts scan's verdict is load's), and
that honest models of the same classes still load.
"""

from __future__ import annotations

import io
import pickle
import pickletools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    IsolationForest,
    RandomForestClassifier,
)
from sklearn.neighbors import BallTree, KDTree, KernelDensity, KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from harm import Child, crashes, plain
from parity import load_unsigned
from safeload import MalformedArtifactError, UnsafeStateError

RNG = np.random.RandomState(0)
X = RNG.rand(200, 4)
Y = (X[:, 0] > 0.5).astype(int)


def _plain(
    path: Path,
    call: str,
    *,
    timeout: float = 60,
    fresh: bool = False,
    hang_after_load: float | None = None,
) -> Child:
    """Plain pickle + ``call`` in a child with 1 GiB of address space and 4,000 processes."""
    return plain(
        path,
        call,
        memory=1 << 30,
        processes=4000,
        timeout=timeout,
        fresh=fresh,
        hang_after_load=hang_after_load,
    )


def _crashes(path: Path, call: str) -> None:
    crashes(path, call, memory=1 << 30, processes=4000)


def _write(tmp_path: Path, obj: Any, name: str = "m.pkl") -> Path:
    path = tmp_path / name
    path.write_bytes(pickle.dumps(obj, protocol=4))
    return path


def _honest(tmp_path: Path, model: Any, name: str) -> Any:
    return load_unsigned(_write(tmp_path, model, name))


# --- r15-10: Tree max_depth wraps decision_path's buffer size ---------------------------------


@pytest.mark.parametrize("depth", [2**62, 2**63 - 1])
def test_tree_max_depth_must_be_the_real_depth(tmp_path: Path, depth: int) -> None:
    """r15-10: ``decision_path`` allocates ``n_samples * (1 + max_depth)`` in C; a huge stored
    max_depth wraps it to a few entries and the paths are written past the buffer."""
    model = DecisionTreeClassifier(max_depth=3).fit(X, Y)
    state = model.tree_.__getstate__()
    state["max_depth"] = depth
    model.tree_.__setstate__(state)
    path = _write(tmp_path, model)
    # 20,000 rows: the wrapped buffer (20,000 entries, or none) is overrun by 60,000 or more,
    # far enough to reach unmapped memory; 64 rows did not always crash (a small overrun can
    # land in the heap and be caught later by scipy's own check)
    # A corrupted heap either faults or leaves malloc spinning: both count as the harm shown.
    # the corruption shows (a crash or a hang) on a fresh interpreter's heap
    # (a spinning malloc is killed 5 s after the load: a sound decision_path of 20,000 rows
    # takes milliseconds)
    call = "model.decision_path(np.random.rand(20_000, 4))"
    child = _plain(path, call, timeout=20, fresh=True, hang_after_load=5)
    assert child.hung or child.crashed, f"plain pickle + decision_path should corrupt: {child}"
    with pytest.raises(MalformedArtifactError, match="max_depth"):
        load_unsigned(path)


def test_tree_max_depth_larger_than_the_tree_is_refused(tmp_path: Path) -> None:
    """scikit-learn stores the depth its builder reached, never the parameter: a tree that
    claims more is crafted (equality is what makes the bound unable to wrap)."""
    model = DecisionTreeClassifier(max_depth=3).fit(X, Y)
    state = model.tree_.__getstate__()
    state["max_depth"] = model.tree_.max_depth + 1
    model.tree_.__setstate__(state)
    with pytest.raises(MalformedArtifactError, match="max_depth"):
        load_unsigned(_write(tmp_path, model))


def test_honest_trees_store_their_real_depth(tmp_path: Path) -> None:
    early = DecisionTreeClassifier(max_depth=5).fit(X[:6], Y[:6])  # stops before depth 5
    assert early.tree_.max_depth < 5
    models = [
        early,
        DecisionTreeClassifier().fit(X, Y),
        DecisionTreeClassifier(max_leaf_nodes=5).fit(X, Y),
        DecisionTreeClassifier(ccp_alpha=0.02).fit(X, Y),
        DecisionTreeRegressor(max_depth=3).fit(X, X[:, 1]),
        DecisionTreeClassifier().fit(np.ones((5, 4)), [0, 1, 0, 1, 0]),  # one leaf, depth 0
        RandomForestClassifier(n_estimators=5, max_depth=40, random_state=0).fit(X, Y),
        ExtraTreesRegressor(n_estimators=5, random_state=0).fit(X, X[:, 0]),
        GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, Y),
        IsolationForest(n_estimators=5, random_state=0).fit(X),
    ]
    for i, model in enumerate(models):
        loaded = _honest(tmp_path, model, f"honest{i}.pkl")
        if hasattr(model, "decision_path"):  # forests return (indicator, n_nodes_ptr)
            path = loaded.decision_path(X[:5])
            assert (path[0] if isinstance(path, tuple) else path).shape[0] == 5


# --- r15-12: Tree n_features sizes feature_importances_ ---------------------------------------


def test_tree_n_features_is_capped(tmp_path: Path) -> None:
    """r15-12: ``feature_importances_`` allocates one float per stored feature: 2**28 of them
    is 2 GiB from a 1.4 KB file."""
    from sklearn.tree._tree import Tree

    n_features = 2**28
    model = DecisionTreeClassifier(max_depth=2).fit(X, Y)
    tree = Tree(n_features, model.tree_.n_classes, model.tree_.n_outputs)
    tree.__setstate__(model.tree_.__getstate__())
    model.tree_ = tree
    model.n_features_in_ = n_features
    path = _write(tmp_path, model)
    assert path.stat().st_size < 4096
    child = _plain(path, "model.feature_importances_")
    assert child.returncode == 1 and "MemoryError" in child.stderr, child
    with pytest.raises(MalformedArtifactError, match="n_features"):
        load_unsigned(path)


def test_honest_tree_feature_importances(tmp_path: Path) -> None:
    model = DecisionTreeClassifier(max_depth=2).fit(X, Y)
    loaded = _honest(tmp_path, model, "honest.pkl")
    assert np.allclose(loaded.feature_importances_, model.feature_importances_)


# --- r15-15: neighbor tree leaf_size 0 ---------------------------------------------------------


def _zero_leaf_size(tree: Any) -> None:
    state = list(tree.__getstate__())
    state[4] = 0
    tree.__setstate__(tuple(state))


def test_kernel_density_leaf_size_zero(tmp_path: Path) -> None:
    """r15-15: a breadth-first query sizes its heap as ``n_samples // leaf_size`` in C:
    ``KernelDensity.score_samples`` (breadth-first by default) dies of SIGFPE."""
    model = KernelDensity().fit(X)
    _zero_leaf_size(model.tree_)
    path = _write(tmp_path, model)
    _crashes(path, "model.score_samples(np.random.rand(3, 4))")
    with pytest.raises(MalformedArtifactError, match="leaf_size"):
        load_unsigned(path)


@pytest.mark.parametrize("kind", [KDTree, BallTree])
def test_neighbor_tree_leaf_size_zero(tmp_path: Path, kind: Any) -> None:
    tree = kind(X, leaf_size=10)
    _zero_leaf_size(tree)
    path = _write(tmp_path, tree)
    _crashes(path, "model.query(np.random.rand(3, 4), k=2, breadth_first=True)")
    with pytest.raises(MalformedArtifactError, match="leaf_size"):
        load_unsigned(path)


def test_knn_leaf_size_zero(tmp_path: Path) -> None:
    model = KNeighborsClassifier(algorithm="kd_tree").fit(X, Y)
    _zero_leaf_size(model._tree)
    with pytest.raises(MalformedArtifactError, match="leaf_size"):
        load_unsigned(_write(tmp_path, model))


def test_honest_neighbor_trees_load(tmp_path: Path) -> None:
    q = RNG.rand(3, 4)
    kde = KernelDensity().fit(X)
    assert np.allclose(_honest(tmp_path, kde, "kde.pkl").score_samples(q), kde.score_samples(q))
    # leaf_size larger than the data is honest (scikit-learn's default is 40)
    for i, tree in enumerate((KDTree(X[:5], leaf_size=40), BallTree(X, leaf_size=1))):
        loaded = _honest(tmp_path, tree, f"tree{i}.pkl")
        assert np.array_equal(loaded.query(q, k=2)[1], tree.query(q, k=2)[1])
    knn = KNeighborsClassifier(algorithm="ball_tree").fit(X, Y)
    assert np.array_equal(_honest(tmp_path, knn, "knn.pkl").predict(q), knn.predict(q))


# --- r15-16: k-means thread counts -------------------------------------------------------------


def test_kmeans_negative_thread_count(tmp_path: Path) -> None:
    """r15-16: ``predict`` hands ``_n_threads`` to OpenMP: -1 makes libgomp try to allocate
    about a terabyte and exit the process."""
    model = KMeans(n_clusters=3, n_init=1, random_state=0).fit(X)
    model._n_threads = -1
    path = _write(tmp_path, model)
    child = _plain(path, "model.predict(np.random.rand(5, 4))")
    assert child.returncode != 0 and "libgomp" in child.stderr, child
    with pytest.raises(UnsafeStateError, match="_n_threads"):
        load_unsigned(path)


@pytest.mark.parametrize("kind", [KMeans, MiniBatchKMeans])
def test_kmeans_huge_thread_count(tmp_path: Path, kind: Any) -> None:
    """r15-16: 100000 threads: ``score`` crashes while libgomp starts them (the child's
    RLIMIT_NPROC and RLIMIT_AS keep the machine safe)."""
    model = kind(n_clusters=3, n_init=1, random_state=0).fit(X)
    model._n_threads = 100_000
    path = _write(tmp_path, model)
    _crashes(path, "model.score(np.random.rand(5, 4))")
    with pytest.raises(UnsafeStateError, match="_n_threads"):
        load_unsigned(path)


@pytest.mark.parametrize("value", [0, 1025, 2.0, True, None])
def test_kmeans_thread_count_range(tmp_path: Path, value: Any) -> None:
    model = KMeans(n_clusters=3, n_init=1, random_state=0).fit(X)
    model._n_threads = value
    with pytest.raises(UnsafeStateError, match="_n_threads"):
        load_unsigned(_write(tmp_path, model))


def test_hgb_bin_mapper_thread_count(tmp_path: Path) -> None:
    model = HistGradientBoostingClassifier(max_iter=3).fit(X, Y)
    honest = _honest(tmp_path, model, "honest.pkl")
    assert np.array_equal(honest.predict(X[:5]), model.predict(X[:5]))
    model._bin_mapper.n_threads = 100_000
    with pytest.raises(UnsafeStateError, match="n_threads"):
        load_unsigned(_write(tmp_path, model))


def test_honest_kmeans_loads(tmp_path: Path) -> None:
    for i, model in enumerate(
        (
            KMeans(n_clusters=3, n_init=1, random_state=0).fit(X),
            MiniBatchKMeans(n_clusters=3, n_init=1, random_state=0).fit(X),
        )
    ):
        model._n_threads = 64  # fitted on a bigger machine than this one: still honest
        loaded = _honest(tmp_path, model, f"honest{i}.pkl")
        assert np.array_equal(loaded.predict(X[:5]), model.predict(X[:5]))


# --- r15-06: a second BUILD on a Tree -----------------------------------------------------------


def _strip_frames(data: bytes) -> bytes:
    ops = list(pickletools.genops(data))
    out = bytearray()
    for i, (op, _, pos) in enumerate(ops):
        end = ops[i + 1][2] if i + 1 < len(ops) else len(data)
        if op.name != "FRAME":
            out += data[pos:end]
    return bytes(out)


def _second_build(tree: Any, state: dict[str, Any], model: Any) -> bytes:
    """The model's pickle, then ``BINGET tree, BINGET state, BUILD``, then the model again."""
    buf = io.BytesIO()
    pickler = pickle._Pickler(buf, 4)  # type: ignore[attr-defined]
    pickler.dump((model, state))
    memo = pickler.memo

    def get(obj: Any) -> bytes:
        return b"j" + memo[id(obj)][0].to_bytes(4, "little")  # LONG_BINGET

    body = _strip_frames(buf.getvalue())[:-1]  # without STOP
    return body + b"0" + get(tree) + get(state) + b"b0" + get(model) + b"."


def _corrupt(state: dict[str, Any]) -> dict[str, Any]:
    bad = dict(state)
    nodes = bad["nodes"].copy()
    # both children far out of range: whichever way the root splits, predict reads a node
    # 64 GB past the array (one bad child crashed only when the split went its way)
    nodes["left_child"][0] = nodes["right_child"][0] = 10**9
    bad["nodes"] = nodes
    return bad


def test_tree_second_build(tmp_path: Path) -> None:
    """r15-06: the pass checked the first state, the Tree ends with the second: a second BUILD
    on a native structure is refused (and plain pickle + predict on such a file crashes)."""
    model = DecisionTreeClassifier(max_depth=3).fit(X, Y)
    path = tmp_path / "second.pkl"
    path.write_bytes(_second_build(model.tree_, _corrupt(model.tree_.__getstate__()), model))
    _crashes(path, "model.predict(np.random.rand(5, 4))")
    with pytest.raises(MalformedArtifactError, match="second BUILD"):
        load_unsigned(path)


def test_tree_second_build_restoring_a_valid_state(tmp_path: Path) -> None:
    """The reverse, where scan and load disagreed: a crafted first state, a valid second."""
    import copy

    model = DecisionTreeClassifier(max_depth=3).fit(X, Y)
    good = model.tree_.__getstate__()
    crafted = copy.deepcopy(model)
    crafted.tree_.__setstate__(_corrupt(good))
    path = tmp_path / "reverse.pkl"
    path.write_bytes(_second_build(crafted.tree_, good, crafted))
    with pytest.raises(MalformedArtifactError):
        load_unsigned(path)
    assert _honest(tmp_path, model, "honest.pkl").predict(X[:3]).shape == (3,)


def test_neighbor_tree_second_build(tmp_path: Path) -> None:
    tree = KDTree(X, leaf_size=10)
    state = tree.__getstate__()
    path = tmp_path / "kd.pkl"
    path.write_bytes(_second_build(tree, state, tree))  # type: ignore[arg-type]
    with pytest.raises(MalformedArtifactError, match="second BUILD"):
        load_unsigned(path)
