"""Clustering models whose solvers index stored arrays or walk stored links: k-means and its
bisecting and mini-batch forms, Birch's CF tree and leaf chain, HDBSCAN and feature
agglomeration."""

from __future__ import annotations

from typing import Any

import numpy as np

from safeload.trust.shadow_values import class_of
from safeload.trust.structures.common import (
    MAX_OBJECTS,
    int_array_within,
    is_int,
    require,
)


def check_kmeans(est: Any, context: Any) -> None:
    """k-means' native label assignment takes the number of features from the centers and
    uses it as the input's row stride."""
    centers = getattr(est, "cluster_centers_", None)
    if centers is None:
        return
    n_in: Any = getattr(est, "n_features_in_", None)
    require(n_in is not None, "fitted k-means without n_features_in_")
    centers = np.asarray(centers)
    require(
        centers.ndim == 2 and centers.shape[1] == int(n_in) and centers.dtype.kind == "f",
        "k-means cluster_centers_ disagree with n_features_in_",
    )


def check_bisecting_kmeans(est: Any, context: Any) -> None:
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
        require(
            isinstance(mean, np.ndarray) and mean.shape == (n_in,), "_X_mean has the wrong shape"
        )
    seen: set[int] = set()
    labels: list[int] = []
    stack = [root]
    while stack:
        node = stack.pop()
        require(class_of(node) is _BisectingTree, "bisecting tree node is not a _BisectingTree")
        require(id(node) not in seen, "bisecting tree has a node reached twice (a cycle)")
        seen.add(id(node))
        require(len(seen) <= 2 * centers.shape[0], "bisecting tree has more nodes than clusters")
        center = node.center
        require(
            isinstance(center, np.ndarray)
            and center.shape == (n_in,)
            and center.dtype == centers.dtype,
            "bisecting tree center disagrees with n_features_in_",
        )
        left, right = node.left, node.right
        if left is None and right is None:
            label: Any = getattr(node, "label", None)
            require(
                isinstance(label, (int, np.integer)) and not isinstance(label, bool),
                "bisecting tree leaf has no integer label",
            )
            labels.append(int(label))
            continue
        require(left is not None and right is not None, "bisecting tree node has one child")
        stack.append(right)
        stack.append(left)
    # fit numbers the leaves left to right, in the order iter_leaves yields them
    require(labels == list(range(centers.shape[0])), "bisecting tree labels disagree")
    require(len(seen) == 2 * len(labels) - 1, "bisecting tree is not binary")


def check_minibatch_kmeans(est: Any, context: Any) -> None:
    """partial_fit's native update writes one count per cluster into ``_counts``."""
    counts = getattr(est, "_counts", None)
    centers = getattr(est, "cluster_centers_", None)
    if counts is None or centers is None:
        return
    require(
        np.asarray(counts).shape == (np.asarray(centers).shape[0],),
        "mini-batch k-means _counts disagree with the centers",
    )


def check_birch(est: Any, context: Any) -> None:
    """Birch walks its leaf chain and its CF tree; a cycle in either never ends. ``predict``
    hands ``_subcluster_norms`` to the native ``EuclideanArgKmin`` as the centers' squared norms,
    read one per center with no length check (rt18-05): it must have one per center, and the
    centers as many columns as the input."""
    centers = getattr(est, "subcluster_centers_", None)
    if centers is not None:
        centers = np.asarray(centers)
        n_in: Any = getattr(est, "n_features_in_", None)
        require(
            n_in is not None and centers.ndim == 2 and centers.shape[1] == int(n_in),
            "Birch subcluster_centers_ disagree with n_features_in_",
        )
        n_centers = centers.shape[0]
        norms = getattr(est, "_subcluster_norms", None)
        require(
            isinstance(norms, np.ndarray)
            and norms.shape == (n_centers,)
            and norms.dtype.kind == "f",
            "Birch _subcluster_norms is not one squared norm per subcluster center",
        )
        labels = getattr(est, "subcluster_labels_", None)
        if labels is not None:
            # (one integer label, as fit_predict or arange makes them: predict returns
            # labels[argmin], so a (centres, 200,000) array gave every row 200,000 labels,
            # and labels of 200,000 characters 1.5 GB for 2,000 rows, rt74-02)
            require(
                isinstance(labels, np.ndarray)
                and labels.shape == (n_centers,)
                and labels.dtype.kind in "iu",
                "Birch subcluster_labels_ is not one integer label per subcluster center",
            )
    from sklearn.cluster._birch import _CFNode

    leaf = getattr(est, "dummy_leaf_", None)
    seen: set[int] = set()
    chain: list[Any] = []
    while leaf is not None:
        require(class_of(leaf) is _CFNode, "Birch leaf chain holds something other than a node")
        require(id(leaf) not in seen, "Birch leaf chain has a cycle")
        require(len(seen) < MAX_OBJECTS, "Birch leaf chain too long")
        seen.add(id(leaf))
        chain.append(leaf)
        leaf = leaf.next_leaf_
    root = getattr(est, "root_", None)
    nodes: set[int] = set()
    leaves: set[int] = set()
    stack = [root] if root is not None else []
    width: Any = getattr(est, "n_features_in_", None)
    largest = 0  # (the widest node's branching_factor)
    widest = 0  # (and the most centroid items a node holds)
    while stack:
        node = stack.pop()
        require(class_of(node) is _CFNode, "Birch CF tree holds something other than a node")
        require(id(node) not in nodes, "Birch CF tree has a node reached twice (a cycle)")
        nodes.add(id(node))
        _check_node_fields(node, width)
        largest = max(largest, int(node.branching_factor))
        widest = max(widest, int(node.init_centroids_.size))
        if node.is_leaf is True:
            leaves.add(id(node))
        else:
            # (fit links leaves only: a split's new inner nodes have no links)
            require(
                node.prev_leaf_ is None and node.next_leaf_ is None,
                "Birch inner CF node links to leaves",
            )
        for sub in _checked_subclusters(node, width):
            if sub.child_ is not None:
                stack.append(sub.child_)
    if root is not None:
        # partial_fit makes every new node with the estimator's branching_factor, not the
        # tree's: 10**9 on an honest tree asked 7.45 GiB for one row (rt74-01). It is a
        # node's that the file holds, or small: scikit-learn lets it change between calls
        # (set_params before a partial_fit, rt75-06)
        branching: Any = getattr(est, "branching_factor", None)
        require(
            is_int(branching)
            and 1 < int(branching)
            and (
                int(branching) <= largest
                or (int(branching) + 1) * int(width) <= max(MAX_FREE_NODE_ITEMS, 2 * widest)
            ),
            "Birch branching_factor is larger than its CF tree's nodes' (new nodes would "
            f"hold more than {MAX_FREE_NODE_ITEMS:,} items)",
        )
    if chain:
        # the chain after the dummy leaf is the CF tree's leaves, as fit links them: a node
        # held by the chain alone was checked by nothing (and no budget counts what a link
        # holds twice, rt73-03)
        require(
            {id(node) for node in chain[1:]} == leaves,
            "Birch leaf chain is not the CF tree's leaves",
        )
        _check_node_fields(chain[0], width)
        # and each leaf's prev_leaf_ is the one before it: a split writes through both links,
        # and a prev_leaf_ pointing forwards made the chain a cycle on one partial_fit row,
        # which _get_leaves then followed without end (rt73-08)
        for before, node in zip([None, *chain[:-1]], chain, strict=True):
            require(node.prev_leaf_ is before, "Birch leaf links do not mirror each other")


#: Items of a new CF node's centroid arrays (``branching_factor + 1`` rows of ``n_features``)
#: that a Birch's ``branching_factor`` may ask for although no node of its tree is that wide:
#: three float64 arrays of 512 KB per split (a file of many small nodes splits each of them on
#: partial_fit, each split making new nodes this wide), or twice what its widest node holds
#: (a Birch over 2,000 features whose factor went from 50 to 51, rt77-12).
MAX_FREE_NODE_ITEMS = 1 << 16


def _check_node_fields(node: Any, width: Any) -> None:
    """A CF node's own numbers, as fit makes them: a split makes its two new nodes with the
    node's ``n_features`` and ``branching_factor`` (``np.zeros((branching_factor + 1,
    n_features))``: 3 GB each from an ``n_features`` of 10**8, rt73-09), so they are the input
    width and its ``init_centroids_``'s rows less one; ``threshold`` is a number and
    ``is_leaf`` a bool."""
    features: Any = getattr(node, "n_features", None)
    branching: Any = getattr(node, "branching_factor", None)
    centroids: Any = getattr(node, "init_centroids_", None)
    threshold: Any = getattr(node, "threshold", None)
    require(
        is_int(features)
        and is_int(width)
        and int(features) == int(width)
        and is_int(branching)
        and isinstance(centroids, np.ndarray)
        and centroids.ndim == 2
        and centroids.shape[0] == int(branching) + 1
        and isinstance(threshold, (int, float, np.integer, np.floating))
        and not isinstance(threshold, bool)
        and type(getattr(node, "is_leaf", None)) is bool,
        "Birch CF node's n_features, branching_factor, threshold or is_leaf is not as fit makes it",
    )


def _checked_subclusters(node: Any, n_in: Any) -> list[Any]:
    """A CF node's subclusters, each as fit makes it: a ``_CFSubcluster`` whose sums and
    centroid are float vectors of one item per input feature, whose squared sums are numbers
    and whose child is a node or ``None``. ``partial_fit`` merges a new row into them and
    ``predict`` reads the node's ``centroids_``: a ``linear_sum_`` stored as a list DAG of
    400**3 floats became a 512 MB array on one row's merge (rt71-07)."""
    from sklearn.cluster._birch import _CFNode, _CFSubcluster

    subs: Any = getattr(node, "subclusters_", None)
    require(type(subs) is list, "Birch CF node's subclusters_ is not a list")
    for key in ("init_centroids_", "centroids_"):
        held = getattr(node, key, None)
        require(
            held is None
            or (
                isinstance(held, np.ndarray)
                and held.ndim == 2
                and held.dtype.kind == "f"
                and is_int(n_in)
                and held.shape[1] == int(n_in)
            ),
            f"Birch CF node's {key} is not a float array of one column per input feature",
        )
    for sub in subs:
        require(
            class_of(sub) is _CFSubcluster, "Birch CF node holds something other than a subcluster"
        )
        for key in ("linear_sum_", "centroid_"):
            held = getattr(sub, key, None)
            require(
                isinstance(held, np.ndarray)
                and held.dtype.kind == "f"
                and is_int(n_in)
                and held.shape == (int(n_in),),
                f"Birch subcluster's {key} is not a float vector of one item per input feature",
            )
        for key in ("squared_sum_", "sq_norm_"):
            held = getattr(sub, key, None)
            require(
                isinstance(held, (float, np.floating)),
                f"Birch subcluster's {key} is not a number",
            )
        require(
            is_int(getattr(sub, "n_samples_", None)), "Birch subcluster's n_samples_ is not a count"
        )
        child = getattr(sub, "child_", None)
        require(
            child is None or class_of(child) is _CFNode,
            "Birch subcluster's child_ is not a node",
        )
    return list(subs)


def check_hdbscan(est: Any, context: Any) -> None:
    """``dbscan_clustering`` runs the native ``labelling_at_cut`` over ``_single_linkage_tree_``:
    a union-find over ``2 * len(tree) + 1`` nodes, indexed (bounds checks off) by each row's
    ``left_node`` and ``right_node``, read and written (rt18-03). The array must have exactly
    the record layout the Cython code was compiled for (a typed memoryview compares formats and
    offsets, not names, so a relabelled dtype would be read by other fields than checked here),
    and row ``i`` may merge only points and earlier clusters: ``0 <= node < n_samples + i``."""
    tree = getattr(est, "_single_linkage_tree_", None)
    if tree is None:
        return  # not fitted
    from sklearn.cluster._hdbscan._tree import HIERARCHY_dtype

    require(
        isinstance(tree, np.ndarray) and tree.ndim == 1 and tree.dtype == HIERARCHY_dtype,
        "HDBSCAN _single_linkage_tree_ is not a single-linkage tree",
    )
    require(
        tree.dtype.names == HIERARCHY_dtype.names
        and all(tree.dtype.fields[n] == HIERARCHY_dtype.fields[n] for n in HIERARCHY_dtype.names),
        "HDBSCAN _single_linkage_tree_ has another record layout",
    )
    n_samples = tree.shape[0] + 1
    limit = n_samples + np.arange(tree.shape[0], dtype=np.int64)
    for field in ("left_node", "right_node"):
        nodes = tree[field].astype(np.int64)
        require(
            bool(np.all((nodes >= 0) & (nodes < limit))),
            f"HDBSCAN _single_linkage_tree_ {field} refers past the points and earlier clusters",
        )


def check_feature_agglomeration(est: Any, context: Any) -> None:
    """``transform`` runs ``np.bincount(labels_)``: one counter per label value up to the
    largest, so a single label of 2e9 asks for 15 GiB (rt18-10). Honest labels name the
    feature clusters: one per input feature, each below the number of features."""
    labels = getattr(est, "labels_", None)
    if labels is None:
        return  # not fitted
    n_in: Any = getattr(est, "n_features_in_", None)
    require(is_int(n_in), "fitted FeatureAgglomeration without n_features_in_")
    labels = np.asarray(labels)
    require(
        labels.shape == (int(n_in),) and int_array_within(labels, 0, int(n_in)),
        "FeatureAgglomeration labels_ are not one cluster number per feature",
    )
