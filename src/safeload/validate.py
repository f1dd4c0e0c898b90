"""Post-load checks for allowed types whose native code trusts stored index arrays.

A crafted ``sklearn.tree._tree.Tree`` with a child index out of range loads without complaint and
then crashes the process (or reads out of bounds) in ``predict``; a cycle makes ``predict`` loop
forever. The same holds for histogram-gradient-boosting predictors and KD/Ball trees. skops
refuses these types by default for this reason; safeload loads them and checks them here, after
they are built and before the object is handed to the caller.

Each check is vectorized over the stored arrays and raises ``MalformedArtifactError``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from safeload.exceptions import (
    LimitExceededError,
    MalformedArtifactError,
    UnsafeStateError,
)
from safeload.trust.shadow import Unproven, class_of

#: numpy 2.2's stubs (the newest numpy on Python 3.10) require ndarray's type arguments.
_Array = npt.NDArray[Any]

__all__ = ["validate_loaded"]

_ATOMS = (type(None), bool, int, float, complex, str, bytes, bytearray, range, slice)
MAX_OBJECTS = 50_000_000
#: Most features a decision tree may say it was fitted on. ``feature_importances_`` and the
#: partial-dependence helpers allocate one float per feature, so without a cap a small file could
#: ask for gigabytes with one integer (r15-12); 16 777 216 columns is far beyond any tree fitted
#: on dense data (and beyond ``HashingVectorizer``'s default of 2**20).
MAX_TREE_FEATURES = 2**24


class _Bad(Exception):
    pass


def _require(cond: Any, what: str) -> None:
    if not bool(cond):
        raise _Bad(what)


def _check_children(left: _Array, right: _Array, is_leaf: _Array, what: str) -> None:
    """Internal nodes point strictly forward and inside the array; leaves point nowhere; and
    every node but the root is the child of exactly one node.

    Forward-only children rule out cycles (so traversal terminates) and range checks rule out
    out-of-bounds reads. One parent each makes the nodes a tree rooted at node 0, every node
    reachable: without it a node shared by a deep and a shallow parent gets the shallow one's
    depth from ``compute_node_depths`` (the last parent wins), so the depth check passes while
    ``decision_path`` writes a path far longer than the buffer it sized from ``max_depth``, and
    the partial-dependence walk pushes shared nodes onto its stack more than once. Every tree
    scikit-learn builds numbers children after their parent, one parent each.
    """
    n = left.shape[0]
    _require(n >= 1, f"{what} has no nodes")
    idx = np.arange(n)
    internal = ~is_leaf
    li, ri, ii = left[internal], right[internal], idx[internal]
    _require(np.all((li > ii) & (li < n)), f"{what} has a left child index out of range")
    _require(np.all((ri > ii) & (ri < n)), f"{what} has a right child index out of range")
    parents = np.bincount(np.concatenate([li, ri]), minlength=n)
    _require(
        parents[0] == 0 and bool(np.all(parents[1:] == 1)),
        f"{what} is not a tree (a node has no parent or several)",
    )


def _check_tree(tree: Any, context: Any) -> None:
    state = tree.__getstate__()
    nodes = state["nodes"]
    node_count = int(state["node_count"])
    _require(isinstance(nodes, np.ndarray) and nodes.ndim == 1, "Tree nodes are not an array")
    _require(node_count == nodes.shape[0], "Tree node_count disagrees with its nodes")
    left = nodes["left_child"].astype(np.int64)
    right = nodes["right_child"].astype(np.int64)
    leaf = left == -1
    _require(np.array_equal(leaf, right == -1), "Tree node has exactly one child")
    _check_children(left, right, leaf, "Tree")
    feature = nodes["feature"].astype(np.int64)[~leaf]
    n_features = int(tree.n_features)
    _require(1 <= n_features <= MAX_TREE_FEATURES, "Tree n_features out of range")
    _require(np.all((feature >= 0) & (feature < n_features)), "Tree feature index out of range")
    values = state["values"]
    n_classes = np.asarray(tree.n_classes)
    _require(n_classes.shape == (int(tree.n_outputs),), "Tree n_classes has the wrong length")
    _require(
        np.all((n_classes >= 1) & (n_classes <= int(tree.max_n_classes))),
        "Tree n_classes out of range",
    )
    _require(
        values.shape == (node_count, int(tree.n_outputs), int(tree.max_n_classes)),
        "Tree value array has the wrong shape",
    )
    if "missing_go_to_left" in (nodes.dtype.names or ()):
        _require(np.all(nodes["missing_go_to_left"] <= 1), "Tree missing_go_to_left not 0/1")
    _check_tree_depth(tree)


def _check_tree_depth(tree: Any) -> None:
    """decision_path sizes its output by the stored max_depth and writes one entry per node on
    each path: the real depth may not exceed it. Nor may it be larger: the size is
    ``n_samples * (1 + max_depth)`` in a C integer, which wraps for a huge ``max_depth`` (r15-10).
    scikit-learn's builders and pruning store the depth they reached, so the two are equal.
    Called once the children are known to point forward and inside the array, which is what
    scikit-learn's depth computation needs."""
    depths = getattr(tree, "compute_node_depths", None)
    if depths is None:  # pragma: no cover - scikit-learn < 1.4
        return
    _require(
        int(np.max(depths())) - 1 == int(tree.max_depth), "Tree max_depth is not its real depth"
    )


def _trees_all_valid(trees: list[Any]) -> bool:
    """True only if every tree in ``trees`` passes every check of :func:`_check_tree`.

    A forest holds hundreds of trees, and per-tree numpy calls cost more than the arithmetic.
    Where setup.py built the C module :mod:`safeload._treecheck`, each tree's node records are
    checked in one pass in place (children, parents, features, flags and depth at once);
    otherwise the node arrays of many trees are checked together with numpy
    (:func:`_node_batch_valid`), in batches small enough to stay in cache. Either way this never
    gives a verdict of its own: on False (or any error) the caller runs :func:`_check_tree`
    tree by tree, which names the problem.
    """
    try:
        native = _native_tree_check()
        batch: list[tuple[_Array, int]] = []
        batch_nodes = 0
        for tree in trees:
            state = tree.__getstate__()
            nodes, values = state["nodes"], state["values"]
            count = int(state["node_count"])
            outputs, most = int(tree.n_outputs), int(tree.max_n_classes)
            n_features = int(tree.n_features)
            classes = tree.n_classes
            if not (
                isinstance(nodes, np.ndarray)
                and nodes.ndim == 1
                and count == nodes.shape[0]
                and count >= 1
                and isinstance(values, np.ndarray)
                and values.shape == (count, outputs, most)
                and isinstance(classes, np.ndarray)
                and classes.shape == (outputs,)
                and 1 <= min(classes.tolist()) <= max(classes.tolist()) <= most
                and 1 <= n_features <= MAX_TREE_FEATURES
            ):
                return False
            if native is not None:
                layout = _node_layout(nodes)
                if layout is None:
                    return False
                if not native(
                    nodes, count, nodes.dtype.itemsize, *layout, n_features, int(tree.max_depth)
                ):
                    return False
                continue
            batch.append((nodes, n_features))
            batch_nodes += count
            if batch_nodes >= _TREE_BATCH_NODES:
                if not _node_batch_valid(batch):
                    return False
                batch, batch_nodes = [], 0
        if native is not None:
            return True
        if batch and not _node_batch_valid(batch):
            return False
        for tree in trees:  # only now are the children known to be safe to follow
            if int(np.max(tree.compute_node_depths())) - 1 != int(tree.max_depth):
                return False
        return True
    except Exception:
        return False


#: False runs the numpy tree check even where the C module is built (tests compare the two).
_C_TREE_CHECK = True


def _native_tree_check() -> Callable[..., bool] | None:
    """The C one-pass tree check, or None on a pure-Python install."""
    if not _C_TREE_CHECK:
        return None
    try:
        from safeload._treecheck import nodes_ok
    except ImportError:
        return None
    return nodes_ok


def _node_layout(nodes: _Array) -> tuple[int, int, int, int] | None:
    """The byte offsets of ``left_child``, ``right_child``, ``feature`` and
    ``missing_go_to_left`` (-1 when absent) in C-contiguous node records whose index fields are
    native int64 and whose flag is uint8, as the C check reads them; None for any other layout
    (the numpy path then decides)."""
    fields = nodes.dtype.fields
    if fields is None or not nodes.flags.c_contiguous:
        return None
    offsets: list[int] = []
    for name in ("left_child", "right_child", "feature"):
        field = fields.get(name)
        if field is None or field[0] != np.dtype(np.int64) or not field[0].isnative:
            return None
        offsets.append(int(field[1]))
    missing = fields.get("missing_go_to_left")
    if missing is None:
        offsets.append(-1)
    elif missing[0] == np.dtype(np.uint8):
        offsets.append(int(missing[1]))
    else:
        return None
    return offsets[0], offsets[1], offsets[2], offsets[3]


#: Nodes checked per numpy pass: about 1 MiB of node records, which stays in a core's cache
#: while each field is read (8192 to 16384 measured fastest on a 300-tree forest).
_TREE_BATCH_NODES = 16_384
_U64 = np.uint64


def _node_batch_valid(batch: list[tuple[_Array, int]]) -> bool:
    """The child, feature and ``missing_go_to_left`` checks of :func:`_check_tree` for several
    trees' nodes at once.

    For the node at index ``i`` of a tree of ``n`` nodes, a child ``c`` is valid when
    ``i < c < n``, that is when ``c - (i + 1)``, read as an unsigned number, is below
    ``n - (i + 1)``: one subtraction and one comparison, and a negative ``c`` wraps around to a
    huge number and fails. Both children pass when the larger of the two differences does. A
    leaf has -1 for both children (``left & right == -1`` holds for nothing else) and no feature
    to check. Every step writes into arrays made here: the node records are never modified.
    """
    sizes = np.array([nodes.shape[0] for nodes, _ in batch], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    # concatenate copies each field out of the node records; the casts are then no-ops
    left = np.concatenate([n["left_child"] for n, _ in batch]).astype(np.int64, copy=False)
    right = np.concatenate([n["right_child"] for n, _ in batch]).astype(np.int64, copy=False)
    feature = np.concatenate([n["feature"] for n, _ in batch]).astype(np.int64, copy=False)
    leaf = np.bitwise_and(left, right) == -1
    first = np.arange(1, left.shape[0] + 1, dtype=np.int64)
    offsets = np.repeat(starts, sizes)
    first -= offsets
    span = np.repeat(sizes, sizes)
    span -= first  # never negative
    np.subtract(left, first, out=left)
    np.subtract(right, first, out=right)
    farthest = np.maximum(left.view(_U64), right.view(_U64))
    ok = farthest < span.view(_U64)
    if not bool((ok | leaf).all()):
        return False
    # One parent per node but each root (see _check_children). Children are now known to be in
    # range, and ``left`` holds ``c - (i + 1)``: not negative for an internal node, negative for
    # a leaf. Clamped at -1 and shifted by ``g + 1`` (``g`` the node's index in the batch), an
    # internal node's children become their batch indexes and a leaf's become its own index,
    # twice. So a node's count is its number of parents, plus 2 if it is a leaf: it must be
    # 1 + 2 * leaf for every node, less one for each tree's root, which has no parent.
    first += offsets  # g + 1
    for child in (left, right):
        np.maximum(child, -1, out=child)
        child += first
    parents = np.bincount(left, minlength=first.shape[0])
    parents += np.bincount(right, minlength=first.shape[0])
    expected = leaf.astype(np.int64)
    expected *= 2
    expected += 1
    expected[starts] -= 1
    if not np.array_equal(parents, expected):
        return False
    features = {f for _, f in batch}
    if len(features) == 1:  # a forest: one bound for every node
        ok &= feature.view(_U64) < _U64(features.pop())
    else:
        bounds = np.repeat(np.array([f for _, f in batch], dtype=np.uint64), sizes)
        ok &= feature.view(_U64) < bounds
    ok |= leaf
    if not bool(ok.all()):
        return False
    if "missing_go_to_left" in (batch[0][0].dtype.names or ()):
        flags = np.concatenate([n["missing_go_to_left"] for n, _ in batch])
        return int(flags.max()) <= 1
    return True


def _check_predictor(pred: Any, n_features: int | None) -> None:
    nodes = pred.nodes
    _require(isinstance(nodes, np.ndarray) and nodes.ndim == 1, "predictor nodes not an array")
    leaf = nodes["is_leaf"].astype(bool)
    _check_children(
        nodes["left"].astype(np.int64),
        nodes["right"].astype(np.int64),
        leaf,
        "gradient-boosting predictor",
    )
    feature = nodes["feature_idx"].astype(np.int64)[~leaf]
    _require(np.all(feature >= 0), "predictor feature index negative")
    if n_features is not None:
        _require(np.all(feature < n_features), "predictor feature index out of range")
    cat = nodes["is_categorical"].astype(bool) & ~leaf
    if np.any(cat):
        bits = nodes["bitset_idx"].astype(np.int64)[cat]
        for arr in (pred.binned_left_cat_bitsets, pred.raw_left_cat_bitsets):
            _require(
                np.all((bits >= 0) & (bits < np.asarray(arr).shape[0])),
                "predictor categorical bitset index out of range",
            )


def _check_hgb_preprocessor(pre: Any, n_features: int) -> None:
    """HistGradientBoosting skips its own input check when it has a preprocessor and feeds the
    preprocessor's output to the native predictors: the preprocessor must be the one the class
    builds (an ordinal encoder and a check_array pass-through over complementary columns), so
    its output has exactly ``n_features`` columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder
    from sklearn.utils.validation import check_array

    _require(class_of(pre) is ColumnTransformer, "gradient-boosting preprocessor is not its own")
    _require(int(pre.n_features_in_) == n_features, "preprocessor n_features_in_ disagrees")
    width = 0
    for name, trans, cols in pre.transformers_:
        mask = np.asarray(cols)
        if mask.dtype == bool:
            _require(mask.shape == (n_features,), "preprocessor column mask has the wrong length")
            count = int(mask.sum())
        else:
            _require(mask.ndim == 1 and mask.dtype.kind in "iu", "preprocessor columns malformed")
            _require(np.all((mask >= 0) & (mask < n_features)), "preprocessor column out of range")
            count = mask.shape[0]
        if name == "encoder":
            _require(
                class_of(trans) is OrdinalEncoder, "preprocessor encoder is not OrdinalEncoder"
            )
            _require(len(trans.categories_) == count, "preprocessor encoder width disagrees")
        elif name == "numerical":
            func = getattr(trans, "func", None)
            _require(
                class_of(trans) is FunctionTransformer
                and isinstance(func, functools.partial)
                and func.func is check_array,
                "preprocessor numerical step is not check_array",
            )
        else:
            _require(trans == "drop" and count == 0, "preprocessor has an unexpected step")
        width += count
    _require(width == n_features, "preprocessor output width disagrees with n_features_in_")


def _check_hgb(est: Any, context: Any) -> None:
    predictors = getattr(est, "_predictors", None)
    if predictors is None:
        return  # not fitted
    n_features = int(est.n_features_in_)
    pre = getattr(est, "_preprocessor", None)
    if pre is not None:
        _check_hgb_preprocessor(pre, n_features)
    for row in predictors:
        for pred in row:
            _check_predictor(pred, n_features)
    mapper = getattr(est, "_bin_mapper", None)
    is_cat = getattr(mapper, "is_categorical_", None)
    if is_cat is not None:
        _require(
            np.asarray(is_cat).shape == (n_features,),
            "bin mapper is_categorical_ has the wrong length",
        )


def _check_binary_tree(tree: Any, context: Any) -> None:
    st = tree.__getstate__()
    data, idx_array, node_data, node_bounds = st[0], st[1], st[2], st[3]
    n_levels, n_nodes = int(st[5]), int(st[6])
    # a breadth-first query sizes its node heap as n_samples // leaf_size (C division: 0 is
    # SIGFPE, r15-15); scikit-learn refuses leaf_size < 1. The counters are statistics.
    _require(int(st[4]) >= 1, "neighbor tree leaf_size is not positive")
    _require(all(int(c) >= 0 for c in st[7:11]), "neighbor tree counters are negative")
    sample_weight = st[12]
    _require(isinstance(data, np.ndarray) and data.ndim == 2, "neighbor tree data not 2-D")
    n_samples, n_features = data.shape
    _require(idx_array.shape == (n_samples,), "neighbor tree idx_array has the wrong length")
    _require(
        np.array_equal(np.sort(idx_array), np.arange(n_samples)),
        "neighbor tree idx_array is not a permutation of the samples",
    )
    _require(
        1 <= n_levels <= 64 and n_nodes == 2**n_levels - 1 == node_data.shape[0],
        "neighbor tree node count inconsistent",
    )
    starts, ends = node_data["idx_start"], node_data["idx_end"]
    _require(
        np.all((starts >= 0) & (starts <= ends) & (ends <= n_samples)),
        "neighbor tree node index range out of bounds",
    )
    first_leaf_level = (n_nodes - 1) // 2
    _require(
        np.all(node_data["is_leaf"][first_leaf_level:] != 0),
        "neighbor tree has children past its last level",
    )
    # a KD tree reads node_bounds[0] and [1] (lower and upper), a ball tree node_bounds[0]
    leading = 2 if class_of(tree).__name__.startswith("KDTree") else 1
    _require(
        node_bounds.ndim == 3 and node_bounds.shape == (leading, n_nodes, n_features),
        "neighbor tree node_bounds has the wrong shape",
    )
    if sample_weight is not None:
        _require(
            np.asarray(sample_weight).shape == (n_samples,),
            "neighbor tree sample_weight has the wrong length",
        )
    _check_metric(st[11], n_features)


def _check_metric(metric: Any, n_features: int) -> None:
    """The metric's native code reads its weight vector or matrix with the data's dimension as
    the length, so for the metrics that read them the sizes must be exact (a 1x1 Mahalanobis
    ``VI`` with 5-feature data reads past the matrix). Other metrics ignore them."""
    state = metric.__getstate__()
    _require(isinstance(state, tuple) and len(state) == 3, "distance metric state malformed")
    vec, mat = np.asarray(state[1]), np.asarray(state[2])
    kind = class_of(metric).__name__.removesuffix("64").removesuffix("32")
    if kind == "SEuclideanDistance":
        _require(vec.shape == (n_features,), "distance metric V has the wrong length")
    elif kind == "MinkowskiDistance":
        _require(
            vec.size == 0 or vec.shape == (n_features,),
            "distance metric weights have the wrong length",
        )
    elif kind == "MahalanobisDistance":
        _require(mat.shape == (n_features, n_features), "distance metric VI has the wrong shape")
    elif kind == "HaversineDistance":
        _require(n_features == 2, "haversine distance on data that is not 2-D")


def _tree_features(est: Any) -> int | None:
    tree = getattr(est, "tree_", None)
    return None if tree is None else int(tree.n_features)


def _check_tree_estimator(est: Any, context: Any) -> None:
    """A decision tree's native predict indexes the input's columns with the stored feature
    indices: its Tree must have been fitted on as many features as the estimator accepts, and
    the estimator must say how many that is (without ``n_features_in_`` scikit-learn skips the
    input's column check)."""
    n_in: Any = getattr(est, "n_features_in_", None)
    features = _tree_features(est)
    if features is not None:
        _require(n_in is not None, "a fitted tree without n_features_in_")
        _require(features == int(n_in), "tree n_features disagrees with n_features_in_")
    n_out = getattr(est, "n_outputs_", None)
    if n_out is not None and features is not None:
        _require(int(est.tree_.n_outputs) == int(n_out), "tree n_outputs disagrees")


def _check_forest(est: Any, context: Any) -> None:
    """Forests pass the validated input to every tree with ``check_input=False``."""
    n_in: Any = getattr(est, "n_features_in_", None)
    trees: Any = getattr(est, "estimators_", None)
    if trees is None:
        return
    _require(n_in is not None, "a fitted forest without n_features_in_")
    for tree in trees:
        features = _tree_features(tree)
        _require(features in (None, int(n_in)), "forest tree n_features disagrees with the forest")


def _check_bagging(est: Any, context: Any) -> None:
    """Bagging and isolation forests hand each sub-estimator the columns listed for it."""
    n_in: Any = getattr(est, "n_features_in_", None)
    subs: Any = getattr(est, "estimators_", None)
    feats: Any = getattr(est, "estimators_features_", None)
    if subs is None:
        return
    _require(n_in is not None and feats is not None, "a fitted bagging model without features")
    _require(len(subs) == len(feats), "bagging estimators and feature lists disagree")
    max_features = getattr(est, "_max_features", None)
    for sub, cols in zip(subs, feats, strict=True):
        cols = np.asarray(cols)
        _require(
            cols.ndim == 1 and cols.dtype.kind in "iu" and np.all((cols >= 0) & (cols < int(n_in))),
            "bagging feature indices out of range",
        )
        features = _tree_features(sub)
        if features is not None:
            _require(features == cols.shape[0], "bagging tree n_features disagrees")
        if max_features is not None:
            _require(cols.shape[0] == int(max_features), "bagging feature count disagrees")


def _check_kmeans(est: Any, context: Any) -> None:
    """k-means' native label assignment takes the number of features from the centers and
    uses it as the input's row stride."""
    centers = getattr(est, "cluster_centers_", None)
    if centers is None:
        return
    n_in: Any = getattr(est, "n_features_in_", None)
    _require(n_in is not None, "fitted k-means without n_features_in_")
    centers = np.asarray(centers)
    _require(
        centers.ndim == 2 and centers.shape[1] == int(n_in) and centers.dtype.kind == "f",
        "k-means cluster_centers_ disagree with n_features_in_",
    )


def _check_bisecting_kmeans(est: Any, context: Any) -> None:
    """predict recurses from ``_bisecting_tree`` and hands each pair of child centers (plus
    ``_X_mean``) to the native label assignment, which reads ``n_features_in_`` values per
    center; a leaf's ``label`` becomes the prediction. The tree must be a tree (a node reached
    twice is a cycle, or exponential work), binary, with ``2 * n_leaves - 1`` nodes, and its
    leaves must number the clusters 0 .. n_clusters - 1 in order."""
    from sklearn.cluster._bisect_k_means import _BisectingTree

    root = getattr(est, "_bisecting_tree", None)
    if root is None:
        return  # not fitted
    n_in = int(est.n_features_in_)
    centers = np.asarray(est.cluster_centers_)
    mean = getattr(est, "_X_mean", None)
    if mean is not None:
        _require(
            isinstance(mean, np.ndarray) and mean.shape == (n_in,), "_X_mean has the wrong shape"
        )
    seen: set[int] = set()
    labels: list[int] = []
    stack = [root]
    while stack:
        node = stack.pop()
        _require(class_of(node) is _BisectingTree, "bisecting tree node is not a _BisectingTree")
        _require(id(node) not in seen, "bisecting tree has a node reached twice (a cycle)")
        seen.add(id(node))
        _require(len(seen) <= 2 * centers.shape[0], "bisecting tree has more nodes than clusters")
        center = node.center
        _require(
            isinstance(center, np.ndarray)
            and center.shape == (n_in,)
            and center.dtype == centers.dtype,
            "bisecting tree center disagrees with n_features_in_",
        )
        left, right = node.left, node.right
        if left is None and right is None:
            label: Any = getattr(node, "label", None)
            _require(
                isinstance(label, (int, np.integer)) and not isinstance(label, bool),
                "bisecting tree leaf has no integer label",
            )
            labels.append(int(label))
            continue
        _require(left is not None and right is not None, "bisecting tree node has one child")
        stack.append(right)
        stack.append(left)
    # fit numbers the leaves left to right, in the order iter_leaves yields them
    _require(labels == list(range(centers.shape[0])), "bisecting tree labels disagree")
    _require(len(seen) == 2 * len(labels) - 1, "bisecting tree is not binary")


def _check_minibatch_kmeans(est: Any, context: Any) -> None:
    """partial_fit's native update writes one count per cluster into ``_counts``."""
    counts = getattr(est, "_counts", None)
    centers = getattr(est, "cluster_centers_", None)
    if counts is None or centers is None:
        return
    _require(
        np.asarray(counts).shape == (np.asarray(centers).shape[0],),
        "mini-batch k-means _counts disagree with the centers",
    )


def _check_linear_shapes(est: Any, context: Any) -> None:
    """Native solvers (SGD's weight vectors, coordinate descent) index the stored coefficients
    with the input's feature indexes: every coefficient array must be a vector or a matrix as
    wide as the input. Fail closed on the number of dimensions: SGD ravels whatever it holds
    (a 0-d array becomes one weight, written at every feature index of ``partial_fit``'s
    input), so an array of any other ``ndim`` is refused, not skipped. Without
    ``n_features_in_`` (scikit-learn then checks the input only against ``coef_``) every array
    must be as wide as the first one."""
    coefs: list[tuple[str, npt.NDArray[Any]]] = []
    for name in ("coef_", "_standard_coef", "_average_coef"):
        coef = getattr(est, name, None)
        if isinstance(coef, np.ndarray):
            coefs.append((name, coef))
    n_out = getattr(est, "_n_features_out", None)
    if not coefs and n_out is None:
        # Nothing here to size. n_features_in_ is not read: on a meta-estimator it is a property
        # that runs scikit-learn's tag machinery, which scan's shadows cannot always follow
        # (SelectFromModel around a forest: the forest's tags call type(self.estimator)(...)).
        return
    n_in: Any = getattr(est, "n_features_in_", None)
    width = None if n_in is None else int(n_in)
    for name, coef in coefs:
        _require(coef.ndim in (1, 2), f"{name} has {coef.ndim} dimensions, not 1 or 2")
        if width is None:
            width = coef.shape[-1]
        _require(coef.shape[-1] == width, f"{name} is not as wide as n_features_in_")
    if n_in is None:
        return
    if n_out is not None:
        # get_feature_names_out makes one name per output: honest counts are a dimension of
        # some fitted array (components, centres, samples), never more
        _require(0 <= int(n_out) <= _stored_elements(est, 2), "_n_features_out is out of range")


def _stored_elements(obj: Any, depth: int) -> int:
    """How many array elements ``obj`` stores, looking ``depth`` objects deep: an upper bound
    for any output width its fitted state can honestly describe."""
    total = 0
    values = list(vars(obj).values()) if _has_dict(obj) else []
    while values:
        v = values.pop()
        if isinstance(v, np.ndarray):
            total += int(v.size)
        elif isinstance(v, (list, tuple)) and len(v) < 100_000:
            values.extend(v)
        elif depth > 0 and not isinstance(v, type) and _has_dict(v):
            total += _stored_elements(v, depth - 1)
    return total


def _has_dict(obj: Any) -> bool:
    """Whether ``obj`` has a ``__dict__`` to count. scan's shadow of an object whose pickled
    state is not a dict (a KD tree inside Isomap's neighbours) cannot say: it counts as nothing,
    which only lowers the bound above. A load counts the real object's dict, which for those
    native objects is empty, so the two agree."""
    try:
        return hasattr(obj, "__dict__")
    except Unproven:
        return False


def _check_neighbors(est: Any, context: Any) -> None:
    """Brute-force neighbours read the stored samples with the query's width, and the
    classifiers' native class vote writes at ``scores[_y[j]]``."""
    n_in: Any = getattr(est, "n_features_in_", None)
    fit_x = getattr(est, "_fit_X", None)
    metric = getattr(est, "effective_metric_", None)
    if n_in is not None and isinstance(fit_x, np.ndarray) and metric != "precomputed":
        _require(
            fit_x.ndim == 2 and fit_x.shape[1] == int(n_in), "_fit_X disagrees with n_features_in_"
        )
    y_all = getattr(est, "_y", None)
    if isinstance(fit_x, np.ndarray) and y_all is not None:
        _require(np.shape(y_all)[:1] == fit_x.shape[:1], "neighbours _y disagrees with _fit_X")
    params = getattr(est, "effective_metric_params_", None) or {}
    if n_in is not None and isinstance(params, dict):
        d = int(n_in)
        for key, shape in (("VI", (d, d)), ("V", (d,)), ("w", (d,))):
            if key in params and params[key] is not None:
                _require(np.shape(params[key]) == shape, f"metric parameter {key} has wrong size")
    y, classes = getattr(est, "_y", None), getattr(est, "classes_", None)
    if y is not None and classes is not None:
        y = np.asarray(y)
        _require(y.dtype.kind in "iu", "neighbours _y is not class indexes")
        per_output = classes if isinstance(classes, list) else [classes]
        columns = y.reshape(y.shape[0], -1) if y.ndim else y.reshape(1, 1)
        _require(columns.shape[1] == len(per_output), "neighbours _y disagrees with classes_")
        for k, labels in enumerate(per_output):
            col = columns[:, k]
            _require(
                col.size == 0 or (int(col.min()) >= 0 and int(col.max()) < len(labels)),
                "neighbours _y indexes past classes_",
            )


def _is_index_map(values: Any, n: int) -> bool:
    """``values`` are exactly the integers 0..n-1 (a vocabulary's column numbers)."""
    arr = (
        np.fromiter(values, dtype=np.int64, count=-1)
        if not isinstance(values, np.ndarray)
        else values
    )
    return bool(arr.shape == (n,) and np.array_equal(np.sort(arr), np.arange(n)))


def _check_index_maps(est: Any, context: Any) -> None:
    """Vectorizers and binarizers turn stored maps into sparse column indexes, and scipy does not
    bound them before densifying: each map must number its columns 0..n-1 exactly."""
    for name in ("vocabulary_", "_cached_dict"):
        mapping = getattr(est, name, None)
        if isinstance(mapping, dict):
            _require(
                all(type(v) in (int, np.int64, np.int32, np.intp) for v in mapping.values()),
                f"{name} values are not column numbers",
            )
            _require(_is_index_map(mapping.values(), len(mapping)), f"{name} columns malformed")
    outs = getattr(est, "_n_features_outs", None)
    cats = getattr(est, "categories_", None)
    if outs is not None and cats is not None:
        _check_one_hot_columns(est, list(outs), list(cats))


def _index_list(est: Any, name: str, n: int) -> list[Any] | None:
    """``est.name`` as a list of ``n`` per-feature entries (or ``None`` when absent)."""
    value = getattr(est, name, None)
    if value is None:
        return None
    items = list(value)
    _require(len(items) == n, f"{name} disagrees with categories_")
    return items


def _int_array_within(values: Any, low: int, high: int) -> bool:
    """``values`` are integers, all in ``[low, high)``."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        return False
    return arr.size == 0 or low <= int(arr.min()) <= int(arr.max()) < high


def _check_one_hot_columns(est: Any, outs: list[Any], cats: list[Any]) -> None:
    """OneHotEncoder.transform makes each output column from the category index: mapped through
    ``_default_to_infrequent_mappings[i]`` (``np.take``, values unchecked), decremented past
    ``_drop_idx_after_grouping[i]``, offset by the earlier ``_n_features_outs``. scipy does not
    bound the column indexes before ``toarray`` writes ``out[row * n_cols + col]``, so every
    column a category can reach must be in ``[0, _n_features_outs[i])``."""
    n = len(cats)
    _require(len(outs) == n, "_n_features_outs disagrees with categories_")
    infrequent = bool(getattr(est, "_infrequent_enabled", False))
    public_drop = _index_list(est, "drop_idx_", n)
    after = (
        _index_list(est, "_drop_idx_after_grouping", n)
        if hasattr(est, "_drop_idx_after_grouping")
        else public_drop
    )
    mappings = _index_list(est, "_default_to_infrequent_mappings", n) if infrequent else None
    rare = _index_list(est, "_infrequent_indices", n) if infrequent else None
    for i, (width_value, cat) in enumerate(zip(outs, cats, strict=True)):
        _require(_is_int(width_value), "_n_features_outs is not a count")
        width, size = int(width_value), len(cat)
        _require(0 <= width <= size, "_n_features_outs out of range")
        if public_drop is not None and public_drop[i] is not None:
            _require(_int_array_within(public_drop[i], 0, size), "drop_idx_ out of range")
        if rare is not None and rare[i] is not None:
            _require(
                np.size(rare[i]) > 0 and _int_array_within(rare[i], 0, size),
                "_infrequent_indices out of range",
            )
        dropped = after is not None and after[i] is not None
        grouped = width + int(dropped)  # the category indexes transform can make
        mapping = mappings[i] if mappings is not None else None
        if mapping is None:  # transform uses the raw category index as the column
            _require(grouped == size, "_n_features_outs disagrees with categories_")
        else:
            _require(
                np.shape(mapping) == (size,) and _int_array_within(mapping, 0, grouped),
                "_default_to_infrequent_mappings maps past the output columns",
            )
        if dropped and after is not None:
            to_drop = after[i]
            _require(
                _is_int(to_drop) and 0 <= int(to_drop) < grouped,
                "_drop_idx_after_grouping out of range",
            )


#: Bit generators whose C code indexes a buffer with a position stored in its state, with no
#: bound of its own: MT19937 reads ``key[pos]`` and Philox ``buffer[buffer_pos]`` on the next
#: draw. (name -> (path to the position in the state dict, the largest honest value)).
_BITGEN_POSITIONS: dict[str, tuple[tuple[str, ...], int, tuple[str, ...], int]] = {
    "MT19937": (("state", "pos"), 624, ("state", "key"), 624),
    "Philox": (("buffer_pos",), 4, ("buffer",), 4),
}
#: Bit generators whose state holds no index (128-bit or fixed-size counters only).
_BITGEN_NO_INDEX = frozenset({"PCG64", "PCG64DXSM", "SFC64"})


def _random_state_dict(state: Any) -> Any:
    """The state dict of a bit generator or legacy random state, in the forms numpy's setters
    take it: the dict, ``(dict, seed_sequence)`` (a bit generator's pickled state) or the legacy
    tuple ``("MT19937", key, pos[, has_gauss, gauss])``. ``None`` when there is none."""
    if type(state) is tuple and len(state) == 2 and isinstance(state[0], dict):
        return state[0]
    if type(state) is tuple and len(state) in (3, 5) and state[0] == "MT19937":
        out = {"bit_generator": "MT19937", "state": {"key": state[1], "pos": state[2]}}
        if len(state) == 5:
            out["has_gauss"] = state[3]
        return out
    return state


def _is_int(value: Any) -> bool:
    return type(value) is not bool and isinstance(value, (int, np.integer))


def _check_random_state(gen: Any, context: Any) -> None:
    """numpy's bit-generator state setters store positions without a range check, and the next
    draw reads ``key[pos]`` / ``buffer[buffer_pos]`` in C: a stored position of 10**9 makes any
    method that draws (``fit``, ``predict`` of a stratified ``DummyClassifier``, ``sample``)
    read gigabytes past the buffer. Checked on the state numpy's own getter returns (on what the
    stream gives, for scan's shadows)."""
    if type(gen) is gen.__class__:  # a real object: numpy's getters say what it holds
        state = gen.get_state(legacy=False) if hasattr(gen, "get_state") else gen.state
    else:
        state = _random_state_dict(gen.__getstate__())
    if state is None:  # a bit generator built without state is freshly seeded
        return
    _require(isinstance(state, dict), "random state is not a dict")
    name = state.get("bit_generator")
    for flag in ("has_uint32", "has_gauss"):
        if flag in state:
            _require(_is_int(state[flag]) and int(state[flag]) in (0, 1), f"{flag} is not 0 or 1")
    if name in _BITGEN_NO_INDEX:
        return
    _require(name in _BITGEN_POSITIONS, f"unknown bit generator {name!r}")
    at, top, buf_at, size = _BITGEN_POSITIONS[str(name)]

    def get(path: tuple[str, ...]) -> Any:
        value: Any = state
        for part in path:
            _require(isinstance(value, dict) and part in value, f"{name} state has no {part}")
            value = value[part]
        return value

    pos = get(at)
    _require(_is_int(pos) and 0 <= int(pos) <= top, f"{name} {at[-1]} is out of range")
    _require(np.shape(get(buf_at))[:1] >= (size,), f"{name} {buf_at[-1]} is too short")


#: Largest seed-sequence pool accepted: numpy's default is 4 words, and spawning a child mixes
#: the pool in O(pool_size ** 2) steps.
_MAX_POOL_SIZE = 64


def _check_seed_sequence(seq: Any, context: Any) -> None:
    """``SeedSequence`` is rebuilt with typed fields set as the file gives them, never checked
    against each other: a 4-word pool with ``pool_size`` 1,000,000 makes ``Generator.spawn``
    run for hours (red team r15-18). The pool must be uint32 words, as many as ``pool_size``
    says, at most :data:`_MAX_POOL_SIZE`; the spawn key a short tuple of non-negative ints."""
    if type(seq) is seq.__class__:  # a real object
        fields = (seq.entropy, seq.n_children_spawned, seq.pool, seq.pool_size, seq.spawn_key)
    else:  # a shadow: the state tuple __pyx_unpickle_SeedSequence receives
        fields = seq.__getstate__()
    _require(type(fields) is tuple and len(fields) == 5, "seed sequence state malformed")
    _entropy, spawned, pool, pool_size, spawn_key = fields
    _require(_is_int(pool_size) and 1 <= int(pool_size) <= _MAX_POOL_SIZE, "pool_size too large")
    _require(
        isinstance(pool, np.ndarray) and pool.dtype == np.uint32 and pool.shape == (pool_size,),
        "seed sequence pool disagrees with pool_size",
    )
    _require(_is_int(spawned) and int(spawned) >= 0, "n_children_spawned is not a count")
    _require(
        type(spawn_key) is tuple
        and len(spawn_key) <= 64
        and all(_is_int(k) and int(k) >= 0 for k in spawn_key),
        "spawn_key is not a short tuple of non-negative ints",
    )


def _check_features_out(est: Any, context: Any) -> None:
    """get_feature_names_out builds one name per output column from ``_n_features_out``."""
    n_out = getattr(est, "_n_features_out", None)
    centers = getattr(est, "cluster_centers_", None)
    if n_out is not None and centers is not None:
        _require(int(n_out) == np.asarray(centers).shape[0], "_n_features_out disagrees")


def _check_birch(est: Any, context: Any) -> None:
    """Birch walks its leaf chain and its CF tree; a cycle in either never ends."""
    leaf = getattr(est, "dummy_leaf_", None)
    seen: set[int] = set()
    while leaf is not None:
        _require(id(leaf) not in seen, "Birch leaf chain has a cycle")
        _require(len(seen) < MAX_OBJECTS, "Birch leaf chain too long")
        seen.add(id(leaf))
        leaf = leaf.next_leaf_
    root = getattr(est, "root_", None)
    nodes: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        _require(id(node) not in nodes, "Birch CF tree has a node reached twice (a cycle)")
        nodes.add(id(node))
        for sub in node.subclusters_:
            if sub.child_ is not None:
                stack.append(sub.child_)


def _check_gradient_boosting(est: Any, context: Any) -> None:
    """``predict_stages`` (native) writes one output column per column of ``estimators_`` and
    indexes the input with each tree's feature indices."""
    trees: Any = getattr(est, "estimators_", None)
    if trees is None:
        return
    _require(
        isinstance(trees, np.ndarray) and trees.ndim == 2 and trees.dtype.hasobject,
        "gradient boosting estimators_ is not a 2-D object array",
    )
    per_iteration: Any = getattr(est, "n_trees_per_iteration_", None)
    _require(
        per_iteration is not None and trees.shape[1] == int(per_iteration),
        "gradient boosting estimators_ disagrees with n_trees_per_iteration_",
    )
    # the output buffer comes from init_'s predictions: one column for a regressor or a
    # binary classifier, one per class otherwise
    n_classes = getattr(est, "n_classes_", None)
    expected = 1 if n_classes is None or int(n_classes) <= 2 else int(n_classes)
    _require(int(per_iteration) == expected, "gradient boosting outputs disagree with classes")
    init = getattr(est, "init_", None)
    if n_classes is not None and init is not None and init != "zero":
        init_classes = getattr(init, "classes_", None)
        _require(
            init_classes is not None and len(init_classes) == int(n_classes),
            "gradient boosting init_ disagrees with the classes",
        )
        prior = getattr(init, "class_prior_", None)
        if prior is not None:  # DummyClassifier's predict_proba is as wide as its prior
            _require(np.shape(prior) == (int(n_classes),), "init_ class_prior_ disagrees")
    n_in = int(est.n_features_in_)
    from sklearn.tree import DecisionTreeRegressor

    for tree in trees.ravel().tolist():
        _require(class_of(tree) is DecisionTreeRegressor, "gradient boosting stage is not a tree")
        _require(_tree_features(tree) == n_in, "gradient boosting tree n_features disagrees")


def _check_svm(est: Any, context: Any) -> None:
    """libsvm reads support vectors, dual coefficients and (for a precomputed kernel) the
    input's columns by counts and indexes stored in the model: they must agree exactly.

    Classifiers store one count per class, summing to the number of support vectors;
    regressors and one-class models store the total twice (or zeros in old versions). A
    missing or empty ``_dual_coef_`` reaches libsvm as a null pointer, so none is accepted.

    A model fitted on sparse input hands libsvm the raw CSR arrays of its support vectors and
    the data buffer of its dual coefficients (see :func:`_check_csr`); with probability
    estimates on, libsvm copies one Platt pair per class pair and an empty ``_probA`` is a null
    pointer there.
    """
    support = getattr(est, "support_", None)
    if support is None:
        return  # not fitted
    support = np.asarray(support)
    _require(support.ndim == 1 and support.dtype.kind in "iu", "SVM support_ is not indices")
    n_sv = support.shape[0]
    counts = np.asarray(est._n_support).astype(np.int64)
    _require(counts.ndim == 1 and np.all(counts >= 0), "SVM support vector counts negative")
    shape_fit = tuple(int(n) for n in est.shape_fit_)
    _require(len(shape_fit) == 2, "SVM shape_fit_ is not two sizes")
    sparse = bool(est._sparse)
    sv, dual = est.support_vectors_, est._dual_coef_
    _require(hasattr(sv, "tocsr") == sparse, "SVM support vectors disagree with _sparse")
    _require(hasattr(dual, "tocsr") == sparse, "SVM dual coefficients disagree with _sparse")
    precomputed = est.kernel == "precomputed" or callable(est.kernel)
    if precomputed:
        # the support indexes pick the input's columns (the training samples)
        _require(
            n_sv == 0 or (int(support.min()) >= 0 and int(support.max()) < shape_fit[0]),
            "SVM support_ indexes past the training samples",
        )
    else:
        _require(
            sv.shape == (n_sv, shape_fit[1]),
            "SVM support vectors disagree with support_ and shape_fit_",
        )
    n_features_in = getattr(est, "n_features_in_", None)
    _require(
        n_features_in is not None
        and int(n_features_in) == (shape_fit[0] if precomputed else shape_fit[1]),
        "SVM n_features_in_ disagrees with shape_fit_",
    )
    classes = getattr(est, "classes_", None)
    intercept = np.asarray(est._intercept_)
    if classes is not None:
        n_class = len(classes)
        _require(
            counts.shape == (n_class,) and int(counts.sum()) == n_sv,
            "SVM support vector counts disagree",
        )
        pairs = max(n_class * (n_class - 1) // 2, 1)
        _require(dual.shape == (max(n_class - 1, 1), n_sv), "SVM dual coefficients disagree")
        _require(intercept.shape == (pairs,), "SVM intercept has the wrong length")
    else:
        # libsvm takes the number of classes from len(_n_support): regressors and one-class
        # models store two counts
        _require(counts.shape == (2,), "SVM support vector counts have the wrong length")
        _require(np.all((counts == n_sv) | (counts == 0)), "SVM support vector counts disagree")
        _require(dual.shape == (1, n_sv), "SVM dual coefficients disagree")
        _require(intercept.shape == (1,), "SVM intercept has the wrong length")
    # libsvm's class pairs come from len(_n_support), for regressors too (two counts: one pair)
    pairs = max(counts.shape[0] * (counts.shape[0] - 1) // 2, 1)
    probability = getattr(est, "_effective_probability", getattr(est, "probability", False))
    _require(
        isinstance(probability, (bool, int, np.bool_, np.integer)),
        "SVM probability flag is not a boolean",
    )
    for name in ("_probA", "_probB"):
        prob = np.asarray(getattr(est, name, np.empty(0)))
        allowed = ((pairs,),) if probability else ((0,), (pairs,))
        _require(prob.shape in allowed, f"SVM {name} has the wrong length")
    if sparse:
        # libsvm's sparse kernels index the input row with support vector *values* when the
        # kernel is precomputed; scikit-learn never fits a sparse model with one
        _require(not precomputed, "SVM sparse model has a precomputed or callable kernel")
        _check_csr(sv, (n_sv, shape_fit[1]), "SVM support vectors")
        # libsvm reads rows x columns coefficients from the data buffer alone
        _check_csr(dual, dual.shape, "SVM dual coefficients")
        _require(
            dual.data.shape == (dual.shape[0] * dual.shape[1],),
            "SVM sparse dual coefficients are not fully stored",
        )


def _check_csr(matrix: Any, shape: tuple[int, ...], what: str) -> None:
    """The CSR arrays native code walks without checking: libsvm takes the row count from
    ``len(indptr) - 1``, reads ``data[indptr[i]:indptr[i + 1]]`` for each row and uses the
    column indices as they are. So: CSR (a CSC or BSR matrix has the same three arrays with
    other meanings), of the expected shape by its own ``shape``, ``indptr`` non-decreasing from
    0 to the number of stored values, ``indices`` and ``data`` exactly that long, and every
    column index inside the shape. Read only: nothing here modifies the matrix."""
    _require(getattr(matrix, "format", None) == "csr", f"{what} are not a CSR matrix")
    _require(tuple(int(n) for n in matrix.shape) == tuple(shape), f"{what} have the wrong shape")
    rows, cols = shape
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for arr, name in ((indptr, "indptr"), (indices, "indices")):
        _require(
            isinstance(arr, np.ndarray) and arr.ndim == 1 and arr.dtype.kind in "iu",
            f"{what} {name} is not a 1-D integer array",
        )
    _require(isinstance(data, np.ndarray) and data.ndim == 1, f"{what} data is not 1-D")
    _require(indptr.shape == (rows + 1,), f"{what} indptr has the wrong length")
    nnz = int(indptr[-1])
    _require(int(indptr[0]) == 0, f"{what} indptr does not start at 0")
    _require(bool(np.all(np.diff(indptr) >= 0)), f"{what} indptr is not monotone")
    _require(indices.shape == (nnz,), f"{what} indices disagree with indptr")
    _require(data.shape == (nnz,), f"{what} data disagrees with indptr")
    _require(
        nnz == 0 or (int(indices.min()) >= 0 and int(indices.max()) < cols),
        f"{what} column index out of range",
    )


def _check_sparse(matrix: Any, context: Any) -> None:
    """Compressed sparse formats index their data with stored arrays; scipy's own full check
    bounds them (a crafted csr_matrix otherwise crashes ``toarray``)."""
    fmt = getattr(matrix, "format", None)
    if fmt in ("csr", "csc", "bsr"):
        matrix.check_format(full_check=True)
    elif fmt == "coo":
        rows, cols = matrix.shape
        r, c = np.asarray(matrix.row), np.asarray(matrix.col)
        _require(r.shape == c.shape == np.asarray(matrix.data).shape, "COO arrays disagree")
        _require(
            np.all((r >= 0) & (r < rows)) and np.all((c >= 0) & (c < cols)),
            "COO index out of range",
        )
    elif fmt == "dia":
        _require(
            np.asarray(matrix.data).ndim == 2
            and np.asarray(matrix.data).shape[0] == np.asarray(matrix.offsets).shape[0],
            "DIA arrays disagree",
        )
    elif fmt in ("lil", "dok"):
        matrix.tocsr().check_format(full_check=True)


def _check_date_time(value: Any, context: Any) -> None:
    """CPython rebuilds date, datetime and time from their pickled bytes checking only the month
    (or the hour): a file can make 2024-01-255 or 03:255:05, which then computes nonsense.
    Rebuilding from the public fields runs the constructor's checks (a ValueError refuses)."""
    import datetime as dt

    kind = type(value)
    if kind is dt.datetime:
        again: Any = dt.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
            fold=value.fold,
        )
    elif kind is dt.date:
        again = dt.date(value.year, value.month, value.day)
    elif kind is dt.time:
        again = dt.time(
            value.hour, value.minute, value.second, value.microsecond, value.tzinfo, fold=value.fold
        )
    else:
        return
    _require(again == value, f"{kind.__name__} fields disagree with the checked constructor")


#: Digits and exponent size a stored Decimal may have: int() and format(d, "f") materialise
#: every digit, so 1E+999999999999999999 exhausts memory. The bound is Python's own default
#: for int/str conversions (sys.int_info.default_max_str_digits).
_DECIMAL_DIGITS = 4300


def _check_decimal(value: Any, context: Any) -> None:
    _sign, digits, exponent = value.as_tuple()
    _require(len(digits) <= _DECIMAL_DIGITS, "Decimal has too many digits")
    if isinstance(exponent, int):  # "n", "N" or "F" for NaN, sNaN and infinity
        _require(abs(exponent) <= _DECIMAL_DIGITS, "Decimal exponent out of range")


def _check_uuid(value: Any, context: Any) -> None:
    """UUID.__setstate__ stores whatever the file gives as ``int``; its methods format and
    shift it as a 128-bit number."""
    import uuid

    number = value.int
    _require(type(number) is int and 0 <= number < 1 << 128, "UUID int out of range")
    _require(isinstance(value.is_safe, uuid.SafeUUID), "UUID is_safe is not a SafeUUID")


def _check_pure_path(value: Any, context: Any) -> None:
    """A pure path is rebuilt from its parts by REDUCE, but a BUILD can then overwrite its
    cached slots (the string, the parts): rebuilding from the parts must give the same path."""
    parts = value.parts
    _require(isinstance(parts, tuple) and all(type(p) is str for p in parts), "path parts not str")
    again = type(value)(*parts)
    _require(
        again.parts == parts and str(again) == str(value) and again == value,
        "path disagrees with its parts",
    )


def _check_bspline(spline: Any, context: Any) -> None:
    """scipy's spline evaluation (``_dierckx.evaluate_spline``), ``design_matrix`` and the
    derivative/integral routines find the knot interval of each x and read ``k + 1``
    coefficients and ``2k + 2`` knots around it, trusting that ``len(c) == len(t) - k - 1``
    and that the knots are sorted; a file sets all of them by BUILD."""
    from scipy.interpolate import BSpline

    asarray = spline.__dict__.get("_asarray")
    if asarray is not None:  # scipy >= 1.15 keeps the namespace's asarray
        from scipy._lib.array_api_compat import numpy as np_compat

        _require(asarray is np_compat.asarray, "BSpline _asarray is not numpy's asarray")
    _require(class_of(spline) is BSpline, "BSpline subclass")
    knots, coef, k = spline.__dict__.get("_t"), spline.__dict__.get("_c"), spline.k
    _require(type(k) is int and k >= 0, "BSpline degree is not a non-negative int")
    _require(
        isinstance(knots, np.ndarray) and knots.ndim == 1 and knots.dtype == np.float64,
        "BSpline knots are not a 1-D float64 array",
    )
    _require(knots.shape[0] >= 2 * k + 2, "BSpline has fewer than 2k+2 knots")
    _require(bool(np.all(np.isfinite(knots))), "BSpline knots are not finite")
    _require(bool(np.all(np.diff(knots) >= 0)), "BSpline knots are not sorted")
    _require(
        isinstance(coef, np.ndarray)
        and coef.ndim >= 1
        and coef.dtype in (np.float64, np.complex128),
        "BSpline coefficients are not a float64 array",
    )
    _require(coef.shape[0] == knots.shape[0] - k - 1, "BSpline coefficients disagree with knots")
    _require(spline.axis == 0, "BSpline axis is not 0")
    extrapolate = spline.extrapolate
    _require(
        type(extrapolate) is bool or extrapolate == "periodic",
        "BSpline extrapolate is not True, False or 'periodic'",
    )


def _check_spline_transformer(est: Any, context: Any) -> None:
    """transform writes ``spl(x)`` into a block of ``bsplines_[0].c.shape[1]`` columns per
    feature and slices knots by ``degree``: every spline must have that width and degree."""
    splines = getattr(est, "bsplines_", None)
    if splines is None:
        return  # not fitted
    n_features = int(est.n_features_in_)
    _require(
        type(splines) is list and len(splines) == n_features,
        "bsplines_ is not one spline per feature",
    )
    for spline in splines:
        _check_bspline(spline, context)  # before any of its arrays is read through _asarray
    first = splines[0].__dict__["_c"]
    _require(first.ndim == 2, "spline coefficients are not 2-D")
    width = first.shape[1]
    for spline in splines:
        _require(spline.k == est.degree, "spline degree disagrees with degree")
        coef = spline.__dict__["_c"]
        _require(coef.ndim == 2 and coef.shape[1] == width, "spline widths disagree")
        _require(spline.extrapolate == splines[0].extrapolate, "spline extrapolation differs")
    n_out = n_features * width - n_features * (1 - int(bool(est.include_bias)))
    _require(int(est.n_features_out_) == n_out, "n_features_out_ disagrees with the splines")


def _metadata_validators() -> list[tuple[type, Callable[[Any, Any], None]]]:
    import datetime
    import decimal
    import pathlib
    import uuid

    return [
        (datetime.date, _check_date_time),  # datetime is a date subclass
        (datetime.time, _check_date_time),
        (decimal.Decimal, _check_decimal),
        (uuid.UUID, _check_uuid),
        (pathlib.PurePath, _check_pure_path),
    ]


def _check_tree_predictor(pred: Any, context: Any) -> None:
    """A histogram-boosting predictor met on its own: its nodes against themselves (the
    estimator's check also holds them to its number of features)."""
    _check_predictor(pred, None)


def _binary_tree_base(cls: type) -> type:
    """The ``BinaryTree`` class ``KDTree`` or ``BallTree`` is built on (its node arrays are
    that class's), or the class itself."""
    return next((b for b in type.mro(cls) if b.__name__.startswith("BinaryTree")), cls)


#: The build-time checks of native structures: (module, class names, check), in the order they
#: run. A module or class that this installation lacks is skipped.
_CHECKED_KINDS: tuple[tuple[str, tuple[str, ...], Callable[[Any, Any], None]], ...] = (
    ("sklearn.tree._tree", ("Tree",), _check_tree),
    (
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting",
        ("BaseHistGradientBoosting",),
        _check_hgb,
    ),
    (
        "sklearn.ensemble._hist_gradient_boosting.predictor",
        ("TreePredictor",),
        _check_tree_predictor,
    ),
    ("sklearn.neighbors", ("KDTree", "BallTree"), _check_binary_tree),
    ("sklearn.tree._classes", ("BaseDecisionTree",), _check_tree_estimator),
    ("sklearn.ensemble._forest", ("BaseForest",), _check_forest),
    ("sklearn.ensemble._bagging", ("BaseBagging",), _check_bagging),
    ("sklearn.ensemble._gb", ("BaseGradientBoosting",), _check_gradient_boosting),
    ("sklearn.cluster._kmeans", ("_BaseKMeans",), _check_kmeans),
    ("sklearn.cluster._kmeans", ("_BaseKMeans",), _check_features_out),
    ("sklearn.cluster", ("Birch",), _check_birch),
    ("sklearn.cluster", ("MiniBatchKMeans",), _check_minibatch_kmeans),
    ("sklearn.cluster", ("BisectingKMeans",), _check_bisecting_kmeans),
    ("sklearn.neighbors._base", ("NeighborsBase",), _check_neighbors),
    ("sklearn.base", ("BaseEstimator",), _check_linear_shapes),
    ("sklearn.base", ("BaseEstimator",), _check_index_maps),
    ("numpy.random", ("BitGenerator", "RandomState"), _check_random_state),
    ("numpy.random", ("SeedSequence",), _check_seed_sequence),
    ("scipy.interpolate", ("BSpline",), _check_bspline),
    ("sklearn.preprocessing", ("SplineTransformer",), _check_spline_transformer),
    ("sklearn.svm._base", ("BaseLibSVM",), _check_svm),
    ("scipy.sparse", ("spmatrix", "sparray"), _check_sparse),
)


def _validators() -> list[tuple[type, Callable[[Any, Any], None]]]:
    import importlib

    found: list[tuple[type, Callable[[Any, Any], None]]] = _metadata_validators()
    for module_name, names, check in _CHECKED_KINDS:
        try:
            module = importlib.import_module(module_name)
            kinds = [getattr(module, name) for name in names]
        except (ImportError, AttributeError):  # pragma: no cover
            continue
        if check is _check_binary_tree:
            kinds = [_binary_tree_base(kind) for kind in kinds]
        found.extend((kind, check) for kind in kinds)
    return found


_CACHE: list[tuple[type, Callable[[Any, Any], None]]] | None = None


def check_applies(check: Callable[[Any, Any], None], cls: type) -> bool:
    """Whether ``check`` runs on instances of ``cls``. The checks every scikit-learn estimator
    gets (coefficient widths, index maps) read attributes such as ``coef_`` and
    ``n_features_in_``; the profile wrappers that compute those from their native model
    (:data:`safeload.trust.profiles.COMPUTED_ATTRIBUTES`) store no such arrays for scikit-learn's
    solvers to index, so those checks do not apply to them."""
    if check not in (_check_linear_shapes, _check_index_maps):
        return True
    return _computes_attributes(cls) is False


@functools.lru_cache(maxsize=1024)
def _computes_attributes(cls: type) -> bool:
    """Whether ``cls`` is a profile wrapper that computes ``coef_`` and the like (cached: a
    forest asks this once per tree)."""
    from safeload.trust.profiles import COMPUTED_ATTRIBUTES

    names = {f"{base.__module__}:{base.__qualname__}" for base in cls.__mro__}
    return not names.isdisjoint(COMPUTED_ATTRIBUTES)


def checks_for_scan() -> list[tuple[type, Callable[[Any, Any], None]]]:
    """The native-structure checks a load runs after building, as ``(class, check)`` pairs,
    for ``scan`` to run on the stream's shadows (:mod:`safeload.trust.shadow`). Decision trees'
    ``Tree`` is left out: the static pass checks its node arrays itself."""
    global _CACHE
    checks = _CACHE if _CACHE is not None else _validators()
    _CACHE = checks
    return [(cls, check) for cls, check in checks if check is not _check_tree]


def validate_loaded(obj: Any, source: str, *, max_objects: int = MAX_OBJECTS) -> None:
    """Check everything reachable from ``obj``: first that its state is safe to use
    (:mod:`safeload.trust.usetime`), then the native structures among the objects that walk
    found (which sees inside partials, slices, slots and extension types' state, so a structure
    cannot hide from these checks where a plain ``__dict__`` walk would miss it)."""
    global _CACHE
    instances, numpy_objects = _check_use_time(obj, source, max_objects)
    checks = _CACHE if _CACHE is not None else _validators()
    _CACHE = checks
    kinds = tuple(cls for cls, _ in checks)
    tree_kind = next((cls for cls, check in checks if check is _check_tree), None)
    trees: list[Any] = []  # checked together after the walk (see _trees_all_valid)
    dtypes: dict[int, str | None] = {}
    for o in numpy_objects:
        dt = o if isinstance(o, np.dtype) else o.dtype
        if id(dt) not in dtypes:  # every object here stays alive, so ids are not reused
            check_built_dtype(dt, dtypes, source)
    for o in instances:
        if isinstance(o, kinds):
            if tree_kind is not None and type(o) is tree_kind:
                trees.append(o)
            else:
                for cls, check in checks:
                    if isinstance(o, cls) and check_applies(check, type(o)):
                        _run_check(check, o, source)
    if trees and not _trees_all_valid(trees):
        for tree in trees:
            _run_check(_check_tree, tree, source)
        raise MalformedArtifactError(  # pragma: no cover - the per-tree checks name the problem
            f"{source} contains an invalid Tree. Nothing was returned.", path=source
        )


def check_built_dtype(dt: Any, seen: dict[int, str | None], source: str) -> None:
    """Refuse a dtype that numpy received but its constructors never make (see
    :func:`safeload._numpy_state.built_dtype_problem`): the check after building that backs the
    static pass's dtype check, for every array and dtype the walk reaches."""
    from safeload._numpy_state import built_dtype_problem

    problem = built_dtype_problem(dt, seen)
    if problem:
        raise MalformedArtifactError(
            f"{source} contains a {problem}. It was built but refused before use, because "
            "numpy would read or write outside its arrays. Nothing was returned.",
            path=source,
        )


def _check_use_time(obj: Any, source: str, max_objects: int) -> tuple[list[Any], list[Any]]:
    from safeload.trust.usetime import UnsafeState, WalkLimit, check_use_time

    try:
        return check_use_time(obj, max_objects=max_objects)
    except WalkLimit as exc:
        raise LimitExceededError(f"{source}: {exc.problem}", path=source) from None
    except UnsafeState as exc:
        advice = (
            "It was built but refused before use: only allowed types were built, but this "
            "state would let the model run code, write files or import modules when it is "
            "used. Nothing was returned."
        )
        raise UnsafeStateError(f"{source}: {exc}. {advice}", path=source) from None


def _run_check(check: Callable[[Any, Any], None], o: Any, source: str) -> None:
    try:
        check(o, None)
    except (_Bad, KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise MalformedArtifactError(
            f"{source} contains an invalid {type(o).__name__}: {exc}. It was built but refused "
            "before use, because its native code would read out of bounds, crash or never "
            "finish. Nothing was returned.",
            path=source,
        ) from exc
