"""Decision trees and the ensembles of them: node arrays whose indexes ``predict`` follows
unchecked (one C pass per tree in ``safeload._treecheck`` where it is built, numpy otherwise),
histogram-gradient-boosting predictors, and the estimators that hold trees."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from safeload.trust.shadow_values import class_of
from safeload.trust.structures.common import MAX_TREE_FEATURES, Array, is_int, require


def check_children(left: Array, right: Array, is_leaf: Array, what: str) -> None:
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
    require(n >= 1, f"{what} has no nodes")
    idx = np.arange(n)
    internal = ~is_leaf
    li, ri, ii = left[internal], right[internal], idx[internal]
    require(np.all((li > ii) & (li < n)), f"{what} has a left child index out of range")
    require(np.all((ri > ii) & (ri < n)), f"{what} has a right child index out of range")
    parents = np.bincount(np.concatenate([li, ri]), minlength=n)
    require(
        parents[0] == 0 and bool(np.all(parents[1:] == 1)),
        f"{what} is not a tree (a node has no parent or several)",
    )


def check_tree(tree: Any, context: Any) -> None:
    state = tree.__getstate__()
    nodes = state["nodes"]
    node_count = int(state["node_count"])
    require(isinstance(nodes, np.ndarray) and nodes.ndim == 1, "Tree nodes are not an array")
    require(node_count == nodes.shape[0], "Tree node_count disagrees with its nodes")
    left = nodes["left_child"].astype(np.int64)
    right = nodes["right_child"].astype(np.int64)
    leaf = left == -1
    require(np.array_equal(leaf, right == -1), "Tree node has exactly one child")
    check_children(left, right, leaf, "Tree")
    # scikit-learn writes TREE_UNDEFINED (-2) as a leaf's feature; export_text and
    # export_graphviz tell splits from leaves by it, and recurse into a leaf's -1 children
    # otherwise: splits the model never makes, exponential output (rt18-07)
    require(np.all(nodes["feature"][leaf] == -2), "Tree leaf has a split feature")
    feature = nodes["feature"].astype(np.int64)[~leaf]
    n_features = int(tree.n_features)
    require(1 <= n_features <= MAX_TREE_FEATURES, "Tree n_features out of range")
    require(np.all((feature >= 0) & (feature < n_features)), "Tree feature index out of range")
    values = state["values"]
    n_classes = np.asarray(tree.n_classes)
    require(n_classes.shape == (int(tree.n_outputs),), "Tree n_classes has the wrong length")
    require(
        np.all((n_classes >= 1) & (n_classes <= int(tree.max_n_classes))),
        "Tree n_classes out of range",
    )
    require(
        values.shape == (node_count, int(tree.n_outputs), int(tree.max_n_classes)),
        "Tree value array has the wrong shape",
    )
    if "missing_go_to_left" in (nodes.dtype.names or ()):
        require(np.all(nodes["missing_go_to_left"] <= 1), "Tree missing_go_to_left not 0/1")
    check_tree_depth(tree)


def check_tree_depth(tree: Any) -> None:
    """decision_path sizes its output by the stored max_depth and writes one entry per node on
    each path: the real depth may not exceed it. Nor may it be larger: the size is
    ``n_samples * (1 + max_depth)`` in a C integer, which wraps for a huge ``max_depth`` (r15-10).
    scikit-learn's builders and pruning store the depth they reached, so the two are equal.
    Called once the children are known to point forward and inside the array, which is what
    scikit-learn's depth computation needs."""
    depths = getattr(tree, "compute_node_depths", None)
    if depths is None:  # pragma: no cover - scikit-learn < 1.4
        return
    require(
        int(np.max(depths())) - 1 == int(tree.max_depth), "Tree max_depth is not its real depth"
    )


def trees_all_valid(trees: list[Any]) -> bool:
    """True only if every tree in ``trees`` passes every check of :func:`check_tree`.

    A forest holds hundreds of trees, and per-tree numpy calls cost more than the arithmetic.
    Where setup.py built the C module :mod:`safeload._treecheck`, each tree's node records are
    checked in one pass in place (children, parents, features, flags and depth at once);
    otherwise the node arrays of many trees are checked together with numpy
    (:func:`node_batch_valid`), in batches small enough to stay in cache. Either way this never
    gives a verdict of its own: on False (or any error) the caller runs :func:`check_tree`
    tree by tree, which names the problem.
    """
    try:
        native = native_tree_check()
        batch: list[tuple[Array, int]] = []
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
                layout = node_layout(nodes)
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
                if not node_batch_valid(batch):
                    return False
                batch, batch_nodes = [], 0
        if native is not None:
            return True
        if batch and not node_batch_valid(batch):
            return False
        for tree in trees:  # only now are the children known to be safe to follow
            if int(np.max(tree.compute_node_depths())) - 1 != int(tree.max_depth):
                return False
        return True
    except Exception:
        return False


#: False runs the numpy tree check even where the C module is built (tests compare the two).
C_TREE_CHECK = True


def native_tree_check() -> Callable[..., bool] | None:
    """The C one-pass tree check, or None on a pure-Python install."""
    if not C_TREE_CHECK:
        return None
    try:
        from safeload._treecheck import nodes_ok
    except ImportError:
        return None
    return nodes_ok


def node_layout(nodes: Array) -> tuple[int, int, int, int] | None:
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


def node_batch_valid(batch: list[tuple[Array, int]]) -> bool:
    """The child, feature and ``missing_go_to_left`` checks of :func:`check_tree` for several
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
    # One parent per node but each root (see check_children). Children are now known to be in
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
    if not bool((feature[leaf] == -2).all()):  # leaves carry TREE_UNDEFINED (see check_tree)
        return False
    if "missing_go_to_left" in (batch[0][0].dtype.names or ()):
        flags = np.concatenate([n["missing_go_to_left"] for n, _ in batch])
        return int(flags.max()) <= 1
    return True


def check_predictor(pred: Any, n_features: int | None) -> None:
    nodes = pred.nodes
    require(isinstance(nodes, np.ndarray) and nodes.ndim == 1, "predictor nodes not an array")
    leaf = nodes["is_leaf"].astype(bool)
    check_children(
        nodes["left"].astype(np.int64),
        nodes["right"].astype(np.int64),
        leaf,
        "gradient-boosting predictor",
    )
    feature = nodes["feature_idx"].astype(np.int64)[~leaf]
    require(np.all(feature >= 0), "predictor feature index negative")
    if n_features is not None:
        require(np.all(feature < n_features), "predictor feature index out of range")
    for arr in (pred.binned_left_cat_bitsets, pred.raw_left_cat_bitsets):
        # the native predictor reads 8 uint32 words (256 bits) from a row (red team 18)
        require(
            isinstance(arr, np.ndarray) and arr.ndim == 2 and arr.shape[1] == 8,
            "predictor categorical bitsets are not rows of 8 words",
        )
    cat = nodes["is_categorical"].astype(bool) & ~leaf
    if np.any(cat):
        bits = nodes["bitset_idx"].astype(np.int64)[cat]
        for arr in (pred.binned_left_cat_bitsets, pred.raw_left_cat_bitsets):
            require(
                np.all((bits >= 0) & (bits < np.asarray(arr).shape[0])),
                "predictor categorical bitset index out of range",
            )


def check_hgb_preprocessor(pre: Any, n_features: int) -> None:
    """HistGradientBoosting skips its own input check when it has a preprocessor and feeds the
    preprocessor's output to the native predictors: the preprocessor must be the one the class
    builds (an ordinal encoder and a check_array pass-through over complementary columns), so
    its output has exactly ``n_features`` columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder
    from sklearn.utils.validation import check_array

    require(class_of(pre) is ColumnTransformer, "gradient-boosting preprocessor is not its own")
    require(int(pre.n_features_in_) == n_features, "preprocessor n_features_in_ disagrees")
    width = 0
    for name, trans, cols in pre.transformers_:
        mask = np.asarray(cols)
        if mask.dtype == bool:
            require(mask.shape == (n_features,), "preprocessor column mask has the wrong length")
            count = int(mask.sum())
        else:
            require(mask.ndim == 1 and mask.dtype.kind in "iu", "preprocessor columns malformed")
            require(np.all((mask >= 0) & (mask < n_features)), "preprocessor column out of range")
            count = mask.shape[0]
        if name == "encoder":
            require(class_of(trans) is OrdinalEncoder, "preprocessor encoder is not OrdinalEncoder")
            require(len(trans.categories_) == count, "preprocessor encoder width disagrees")
        elif name == "numerical":
            func = getattr(trans, "func", None)
            require(
                class_of(trans) is FunctionTransformer
                and isinstance(func, functools.partial)
                and func.func is check_array,
                "preprocessor numerical step is not check_array",
            )
        else:
            require(trans == "drop" and count == 0, "preprocessor has an unexpected step")
        width += count
    require(width == n_features, "preprocessor output width disagrees with n_features_in_")


def check_bin_mapper(mapper: Any, context: Any) -> None:
    """HGB's ``_BinMapper``, wherever it is (inside an estimator or on its own): ``transform``
    checks the data's width against ``n_bins_non_missing_`` only, then its native
    ``_map_to_bins`` takes ``bin_thresholds_[j]`` and ``is_categorical_[j]`` for every column
    without bounds checks (an empty threshold list is a NULL item array: SIGSEGV, rt31-04).
    A fitted mapper holds one threshold array and one flag per feature."""
    counts: Any = getattr(mapper, "n_bins_non_missing_", None)
    if counts is None:
        return
    require(
        isinstance(counts, np.ndarray) and counts.ndim == 1,
        "bin mapper n_bins_non_missing_ malformed",
    )
    n = int(counts.shape[0])
    thresholds: Any = getattr(mapper, "bin_thresholds_", None)
    require(
        type(thresholds) is list
        and len(thresholds) == n
        and all(
            isinstance(t, np.ndarray) and t.ndim == 1 and t.dtype == np.float64 for t in thresholds
        ),
        "bin mapper bin_thresholds_ is not one float64 array per feature",
    )
    is_cat: Any = getattr(mapper, "is_categorical_", None)
    require(
        is_cat is None or (isinstance(is_cat, np.ndarray) and is_cat.shape == (n,)),
        "bin mapper is_categorical_ has the wrong length",
    )


def check_hgb(est: Any, context: Any) -> None:
    predictors = getattr(est, "_predictors", None)
    if predictors is None:
        # not fitted; but ``_raw_predict`` allocates from ``n_trees_per_iteration_`` and
        # ``_baseline_prediction.dtype`` before it reads a predictor, so a file may not keep
        # those without the predictors they must agree with (rt29-05)
        require(
            getattr(est, "n_trees_per_iteration_", None) is None
            and getattr(est, "_baseline_prediction", None) is None,
            "histogram gradient boosting fitted state without its predictors",
        )
        return
    n_features = int(est.n_features_in_)
    pre = getattr(est, "_preprocessor", None)
    if pre is not None:
        check_hgb_preprocessor(pre, n_features)
    mapper = getattr(est, "_bin_mapper", None)
    is_cat = getattr(mapper, "is_categorical_", None)
    categorical = np.zeros(n_features, dtype=bool)
    if is_cat is not None:
        require(
            np.asarray(is_cat).shape == (n_features,),
            "bin mapper is_categorical_ has the wrong length",
        )
        categorical = np.asarray(is_cat).astype(bool)
    _check_hgb_outputs(est, predictors)
    for row in predictors:
        for pred in row:
            check_predictor(pred, n_features)
            # a categorical split reads the known categories' bitset of its feature, which
            # exists only for features the bin mapper calls categorical (red team 18)
            nodes = pred.nodes
            cat = nodes["is_categorical"].astype(bool) & ~nodes["is_leaf"].astype(bool)
            require(
                bool(np.all(categorical[nodes["feature_idx"].astype(np.int64)[cat]])),
                "predictor splits by category on a feature that is not categorical",
            )


def _check_hgb_outputs(est: Any, predictors: Any) -> None:
    """``_raw_predict`` allocates ``(n_samples, n_trees_per_iteration_)`` items of
    ``_baseline_prediction``'s dtype and each iteration writes one column per predictor
    (rt28-14): the count is the length of every iteration's predictors, and a classifier's is
    its number of classes (one for two); the dtype is a float's (rt29-05)."""
    per_iteration: Any = getattr(est, "n_trees_per_iteration_", None)
    require(
        is_int(per_iteration) and int(per_iteration) >= 1,
        "histogram gradient boosting n_trees_per_iteration_ malformed",
    )
    n = int(per_iteration)
    for row in predictors:
        require(
            len(row) == n,
            "histogram gradient boosting predictors disagree with n_trees_per_iteration_",
        )
    classes = getattr(est, "classes_", None)
    if classes is not None:
        n_classes = len(classes)
        require(
            n == (1 if n_classes <= 2 else n_classes),
            "histogram gradient boosting n_trees_per_iteration_ disagrees with the classes",
        )
    elif not predictors:
        require(n == 1, "histogram gradient boosting n_trees_per_iteration_ without predictors")
    # ``_raw_predict`` allocates its output with ``_baseline_prediction.dtype`` and adds the
    # baseline to it: honestly ``fit_intercept_only(...).reshape((1, -1))``, one float per tree
    # of an iteration. A Bunch answers ``.dtype`` with a type code of the file's choosing, and
    # numpy reads a dict as a record spec (rt29-05).
    baseline: Any = getattr(est, "_baseline_prediction", None)
    require(
        isinstance(baseline, np.ndarray)
        and baseline.dtype.kind == "f"
        and baseline.dtype.fields is None
        and baseline.dtype.itemsize <= 16
        and baseline.ndim <= 2
        and baseline.size == n,
        "histogram gradient boosting _baseline_prediction is not one float per tree of an "
        "iteration",
    )


def tree_features(est: Any) -> int | None:
    tree = getattr(est, "tree_", None)
    return None if tree is None else int(tree.n_features)


def check_tree_estimator(est: Any, context: Any) -> None:
    """A decision tree's native predict indexes the input's columns with the stored feature
    indices: its Tree must have been fitted on as many features as the estimator accepts, and
    the estimator must say how many that is (without ``n_features_in_`` scikit-learn skips the
    input's column check)."""
    n_in: Any = getattr(est, "n_features_in_", None)
    features = tree_features(est)
    if features is not None:
        require(n_in is not None, "a fitted tree without n_features_in_")
        require(features == int(n_in), "tree n_features disagrees with n_features_in_")
    n_out = getattr(est, "n_outputs_", None)
    if n_out is not None and features is not None:
        require(int(est.tree_.n_outputs) == int(n_out), "tree n_outputs disagrees")


def check_forest(est: Any, context: Any) -> None:
    """Forests pass the validated input to every tree with ``check_input=False``."""
    n_in: Any = getattr(est, "n_features_in_", None)
    trees: Any = getattr(est, "estimators_", None)
    if trees is None:
        return
    require(n_in is not None, "a fitted forest without n_features_in_")
    for tree in trees:
        features = tree_features(tree)
        require(features in (None, int(n_in)), "forest tree n_features disagrees with the forest")
    _check_forest_outputs(est, trees)
    _check_bootstrap_count(est)


def _check_bootstrap_count(est: Any) -> None:
    """``estimators_samples_`` (and a notebook's display of the forest, whose table of fitted
    attributes reads every property) draws ``_n_samples_bootstrap`` indexes per tree; fitting
    makes it at most ``_n_samples`` (``max_samples`` is a fraction of the training set or a
    count no larger). A larger one is only a number in the file (rt31-03). What remains is the
    training-set size a file claims, which costs what the honest model trained on that many
    samples costs."""
    attrs = vars(est)
    drawn, samples = attrs.get("_n_samples_bootstrap"), attrs.get("_n_samples")
    if drawn is None:
        return
    require(
        is_int(drawn) and is_int(samples) and 1 <= int(drawn) <= int(samples),
        "forest _n_samples_bootstrap is not between 1 and its _n_samples",
    )


def _class_counts(classes: Any, n_outputs: int) -> list[int]:
    """The number of classes per output: ``classes_`` is one array for one output and a list
    of arrays for several (how forests and trees store it)."""
    if n_outputs == 1:
        require(np.ndim(classes) == 1, "classes_ is not one array of labels")
        return [len(classes)]
    require(
        isinstance(classes, list) and len(classes) == n_outputs,
        "classes_ does not hold one array of labels per output",
    )
    return [len(c) for c in classes]


def _check_forest_outputs(est: Any, trees: Any) -> None:
    """A forest sizes its predictions from its own ints (rt28-14): ``predict`` of a
    multi-output regressor allocates ``(n_samples, n_outputs_)``, ``predict_proba`` one
    ``(n_samples, k)`` array per ``k`` in ``n_classes_``. They must agree with ``classes_`` and
    with what every tree holds (``tree_.n_outputs``, ``tree_.n_classes``)."""
    n_out: Any = getattr(est, "n_outputs_", None)
    n_classes: Any = getattr(est, "n_classes_", None)
    if n_out is None:
        require(n_classes is None, "a forest with n_classes_ but no n_outputs_")
        return
    require(is_int(n_out) and int(n_out) >= 1, "forest n_outputs_ malformed")
    outputs = int(n_out)
    counts: list[int] | None = None
    if n_classes is not None:
        raw = np.atleast_1d(np.asarray(n_classes, dtype=object))
        require(
            raw.ndim == 1 and raw.shape[0] == outputs and all(is_int(k) for k in raw.tolist()),
            "forest n_classes_ disagrees with n_outputs_",
        )
        counts = [int(k) for k in raw.tolist()]
        classes = getattr(est, "classes_", None)
        require(
            classes is not None and _class_counts(classes, outputs) == counts,
            "forest n_classes_ disagrees with classes_",
        )
    for sub in trees:
        tree = getattr(sub, "tree_", None)
        if tree is None:
            continue
        require(int(tree.n_outputs) == outputs, "forest tree n_outputs disagrees with the forest")
        if counts is not None:
            require(
                [int(k) for k in np.asarray(tree.n_classes).tolist()] == counts,
                "forest tree n_classes disagrees with the forest",
            )


def check_bagging(est: Any, context: Any) -> None:
    """Bagging and isolation forests hand each sub-estimator the columns listed for it."""
    n_in: Any = getattr(est, "n_features_in_", None)
    subs: Any = getattr(est, "estimators_", None)
    feats: Any = getattr(est, "estimators_features_", None)
    if subs is None:
        return
    require(n_in is not None and feats is not None, "a fitted bagging model without features")
    n_classes: Any = getattr(est, "n_classes_", None)
    if n_classes is not None:
        # predict_proba allocates (n_samples, n_classes_) per sub-estimator (rt28-14)
        classes: Any = getattr(est, "classes_", None)
        require(
            is_int(n_classes) and classes is not None and np.ndim(classes) == 1,
            "bagging n_classes_ without one array of classes",
        )
        require(int(n_classes) == len(classes), "bagging n_classes_ disagrees with classes_")
    require(len(subs) == len(feats), "bagging estimators and feature lists disagree")
    max_features = getattr(est, "_max_features", None)
    for sub, cols in zip(subs, feats, strict=True):
        cols = np.asarray(cols)
        require(
            cols.ndim == 1 and cols.dtype.kind in "iu" and np.all((cols >= 0) & (cols < int(n_in))),
            "bagging feature indices out of range",
        )
        features = tree_features(sub)
        if features is not None:
            require(features == cols.shape[0], "bagging tree n_features disagrees")
        if max_features is not None:
            require(cols.shape[0] == int(max_features), "bagging feature count disagrees")


def check_gradient_boosting(est: Any, context: Any) -> None:
    """``predict_stages`` (native) writes one output column per column of ``estimators_`` and
    indexes the input with each tree's feature indices."""
    trees: Any = getattr(est, "estimators_", None)
    if trees is None:
        return
    require(
        isinstance(trees, np.ndarray) and trees.ndim == 2 and trees.dtype.hasobject,
        "gradient boosting estimators_ is not a 2-D object array",
    )
    per_iteration: Any = getattr(est, "n_trees_per_iteration_", None)
    require(
        per_iteration is not None and trees.shape[1] == int(per_iteration),
        "gradient boosting estimators_ disagrees with n_trees_per_iteration_",
    )
    # the output buffer comes from init_'s predictions: one column for a regressor or a
    # binary classifier, one per class otherwise
    n_classes = getattr(est, "n_classes_", None)
    expected = 1 if n_classes is None or int(n_classes) <= 2 else int(n_classes)
    require(int(per_iteration) == expected, "gradient boosting outputs disagree with classes")
    init = getattr(est, "init_", None)
    if init is not None and not (isinstance(init, str) and init == "zero"):
        _check_gb_init(est, init, n_classes)
    n_in = int(est.n_features_in_)
    from sklearn.tree import DecisionTreeRegressor

    for tree in trees.ravel().tolist():
        require(class_of(tree) is DecisionTreeRegressor, "gradient boosting stage is not a tree")
        require(tree_features(tree) == n_in, "gradient boosting tree n_features disagrees")


#: The strategies DummyClassifier's predict_proba knows (any other falls through to a list
#: of unset outputs).
_DUMMY_CLASSIFIER_STRATEGIES = frozenset(
    {"most_frequent", "prior", "stratified", "uniform", "constant"}
)


def _check_gb_init(est: Any, init: Any, n_classes: Any) -> None:
    """The raw-prediction buffer that the native ``predict_stages`` writes
    ``n_trees_per_iteration_`` columns of (bounds checks off) is ``init_``'s
    ``predict_proba`` (classifiers) or ``predict`` (regressors) output (rt18-08). Its width is
    provable only for the estimators scikit-learn fits by default, so ``init_`` is ``"zero"``
    or one of them, and every stored value that sizes its output agrees with the ensemble: a
    ``DummyClassifier`` with one output of the booster's classes (``n_classes_``,
    ``classes_`` and ``class_prior_`` alike, a known strategy), a ``DummyRegressor`` with one
    output (``constant_`` of shape (1, 1))."""
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.ensemble import GradientBoostingClassifier

    kind = class_of(init)
    if isinstance(est, GradientBoostingClassifier):
        require(
            kind is DummyClassifier,
            "gradient boosting classifier init_ is not 'zero' or a DummyClassifier (the only "
            "init estimators whose output width can be proven)",
        )
        require(is_int(n_classes) and int(n_classes) >= 2, "gradient boosting n_classes_ malformed")
        n = int(n_classes)
        require(
            is_int(init.n_outputs_) and int(init.n_outputs_) == 1,
            "gradient boosting init_ does not have one output",
        )
        require(
            is_int(init.n_classes_) and int(init.n_classes_) == n,
            "gradient boosting init_ n_classes_ disagrees with the classes",
        )
        require(
            np.ndim(init.classes_) == 1 and len(init.classes_) == n,
            "gradient boosting init_ disagrees with the classes",
        )
        prior = np.asarray(init.class_prior_)
        require(
            prior.shape == (n,) and prior.dtype.kind == "f",
            "gradient boosting init_ class_prior_ disagrees with the classes",
        )
        strategy = init._strategy
        require(
            isinstance(strategy, str) and strategy in _DUMMY_CLASSIFIER_STRATEGIES,
            "gradient boosting init_ strategy unknown",
        )
    else:
        require(
            kind is DummyRegressor,
            "gradient boosting regressor init_ is not 'zero' or a DummyRegressor (the only "
            "init estimators whose output width can be proven)",
        )
        require(
            is_int(init.n_outputs_) and int(init.n_outputs_) == 1,
            "gradient boosting init_ does not have one output",
        )
        require(
            np.shape(init.constant_) == (1, 1),
            "gradient boosting init_ constant_ is not one value",
        )


def orphan_predictor_problem(instances: Iterable[Any]) -> str | None:
    """Why the histogram-boosting ``TreePredictor`` s among ``instances`` (what a load built,
    or scan's shadows of it) are refused, or ``None``. A predictor stores no width: only the
    estimator that holds it in ``_predictors`` bounds its split features by its
    ``n_features_in_`` (:func:`check_hgb`), and its ``predict`` reads the column each node
    names without a bounds check. scikit-learn never pickles one on its own, so one that no
    such estimator holds is refused (rt31-04)."""
    classes = [(obj, class_of(obj)) for obj in instances]
    if not any(isinstance(cls, type) and cls.__name__ == "TreePredictor" for _obj, cls in classes):
        return None  # (without importing the estimator's module)
    from sklearn.ensemble._hist_gradient_boosting.gradient_boosting import (
        BaseHistGradientBoosting,
    )
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    predictors: list[Any] = []
    owned: set[int] = set()
    for obj, cls in classes:
        if not isinstance(cls, type):
            continue
        if issubclass(cls, TreePredictor):
            predictors.append(obj)
        elif issubclass(cls, BaseHistGradientBoosting):
            rows = getattr(obj, "_predictors", None)
            if type(rows) is list:
                for row in rows:
                    if type(row) is list:
                        owned.update(id(pred) for pred in row)
    if any(id(pred) not in owned for pred in predictors):
        return (
            "a histogram gradient-boosting TreePredictor outside the _predictors of its "
            "estimator: nothing bounds the feature columns its predict reads"
        )
    return None


def check_tree_predictor(pred: Any, context: Any) -> None:
    """A histogram-boosting predictor met on its own: its nodes against themselves (the
    estimator's check also holds them to its number of features)."""
    check_predictor(pred, None)
