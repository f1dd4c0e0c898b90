"""Decision trees: node arrays whose indexes ``predict`` follows unchecked (one C pass per tree
in ``safeload._treecheck`` where it is built, numpy otherwise). The estimators that hold trees
are in :mod:`.ensembles`, histogram gradient boosting in :mod:`.hgb`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from safeload.trust.structures.common import MAX_TREE_FEATURES, Array, require


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
