"""Fitted estimators whose solvers index stored arrays: k-means and its kin, Birch, the widths of
linear models' coefficients, stored index maps, one-hot columns, libsvm models; and the label
codes a VotingClassifier's sub-estimators hold."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from safeload._numpy_state import MAX_EMPTY_DIM
from safeload.trust.shadow_values import Unproven, class_of
from safeload.trust.structures.arrays import check_csr
from safeload.trust.structures.common import (
    MAX_OBJECTS,
    MAX_OUTPUT_COLUMNS,
    MAX_TRANSFORM_ROUNDS,
    Array,
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


def check_linear_shapes(est: Any, context: Any) -> None:
    """Native solvers (SGD's weight vectors, coordinate descent) index the stored coefficients
    with the input's feature indexes: every coefficient array must be a vector or a matrix as
    wide as the input. Fail closed on the number of dimensions: SGD ravels whatever it holds
    (a 0-d array becomes one weight, written at every feature index of ``partial_fit``'s
    input), so an array of any other ``ndim`` is refused, not skipped. Without
    ``n_features_in_`` (scikit-learn then checks the input only against ``coef_``) every array
    must be as wide as the first one."""
    _check_paid_widths(est)
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
        require(coef.ndim in (1, 2), f"{name} has {coef.ndim} dimensions, not 1 or 2")
        if width is None:
            width = coef.shape[-1]
        require(coef.shape[-1] == width, f"{name} is not as wide as n_features_in_")
    if n_in is None:
        return
    if n_out is not None:
        # get_feature_names_out makes one name per output: honest counts are a dimension of
        # some fitted array (components, centres, samples), never more
        bound = _stored_elements(est, 2)
        from sklearn.kernel_approximation import PolynomialCountSketch

        if isinstance(est, PolynomialCountSketch):
            # its hashes are (degree, n_features_in_), fewer than its n_components outputs;
            # check_count_sketch caps n_components instead
            bound = max(bound, min(int(est.n_components), MAX_OUTPUT_COLUMNS))
        require(0 <= int(n_out) <= bound, "_n_features_out is out of range")


def _check_paid_widths(est: Any) -> None:
    """Widths that size what methods allocate must be paid for by stored data past
    :data:`MAX_EMPTY_DIM` (the bound on an empty array's axes). A stored ``n_features_in_``
    sizes ``get_feature_names_out``'s ``x0, x1, ...`` (one string per feature, rt31-02); the
    rows of a sparse ``components_`` size a projection's dense output, and scikit-learn stores
    it as CSR, whose index pointer has one item per row (a CSC one of 10**9 rows and 3 columns
    is 4 items, rt31-01). Read from the instance's own dict: on a meta-estimator
    ``n_features_in_`` is a property of its steps, which are checked themselves."""
    attrs = vars(est) if _has_dict(est) else {}
    n_in = attrs.get("n_features_in_")
    if isinstance(n_in, (int, np.integer)) and int(n_in) > MAX_EMPTY_DIM:
        require(
            int(n_in) <= _stored_elements(est, 2),
            "n_features_in_ is wider than any array the estimator stores",
        )
    shape = getattr(attrs.get("components_"), "_shape", None)
    if isinstance(shape, tuple) and len(shape) == 2 and int(shape[0]) > MAX_EMPTY_DIM:
        require(
            int(shape[0]) <= _stored_elements(est, 2),
            "sparse components_ has more rows than the estimator stores values",
        )


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


def _is_index_map(values: Any, n: int) -> bool:
    """``values`` are exactly the integers 0..n-1 (a vocabulary's column numbers)."""
    arr = (
        np.fromiter(values, dtype=np.int64, count=-1)
        if not isinstance(values, np.ndarray)
        else values
    )
    return bool(arr.shape == (n,) and np.array_equal(np.sort(arr), np.arange(n)))


def check_index_maps(est: Any, context: Any) -> None:
    """Vectorizers and binarizers turn stored maps into sparse column indexes, and scipy does not
    bound them before densifying: each map must number its columns 0..n-1 exactly."""
    for name in ("vocabulary_", "_cached_dict"):
        mapping = getattr(est, name, None)
        if isinstance(mapping, dict):
            require(
                all(type(v) in (int, np.int64, np.int32, np.intp) for v in mapping.values()),
                f"{name} values are not column numbers",
            )
            require(_is_index_map(mapping.values(), len(mapping)), f"{name} columns malformed")
    outs = getattr(est, "_n_features_outs", None)
    cats = getattr(est, "categories_", None)
    if outs is not None and cats is not None:
        check_one_hot_columns(est, list(outs), list(cats))


def _index_list(est: Any, name: str, n: int) -> list[Any] | None:
    """``est.name`` as a list of ``n`` per-feature entries (or ``None`` when absent)."""
    value = getattr(est, name, None)
    if value is None:
        return None
    items = list(value)
    require(len(items) == n, f"{name} disagrees with categories_")
    return items


def _int_array_within(values: Any, low: int, high: int) -> bool:
    """``values`` are integers, all in ``[low, high)``."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        return False
    return arr.size == 0 or low <= int(arr.min()) <= int(arr.max()) < high


def check_one_hot_columns(est: Any, outs: list[Any], cats: list[Any]) -> None:
    """OneHotEncoder.transform makes each output column from the category index: mapped through
    ``_default_to_infrequent_mappings[i]`` (``np.take``, values unchecked), decremented past
    ``_drop_idx_after_grouping[i]``, offset by the earlier ``_n_features_outs``. scipy does not
    bound the column indexes before ``toarray`` writes ``out[row * n_cols + col]``, so every
    column a category can reach must be in ``[0, _n_features_outs[i])``."""
    n = len(cats)
    require(len(outs) == n, "_n_features_outs disagrees with categories_")
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
        require(is_int(width_value), "_n_features_outs is not a count")
        width, size = int(width_value), len(cat)
        require(0 <= width <= size, "_n_features_outs out of range")
        if public_drop is not None and public_drop[i] is not None:
            require(_int_array_within(public_drop[i], 0, size), "drop_idx_ out of range")
        if rare is not None and rare[i] is not None:
            require(
                np.size(rare[i]) > 0 and _int_array_within(rare[i], 0, size),
                "_infrequent_indices out of range",
            )
        dropped = after is not None and after[i] is not None
        grouped = width + int(dropped)  # the category indexes transform can make
        mapping = mappings[i] if mappings is not None else None
        if mapping is None:  # transform uses the raw category index as the column
            require(grouped == size, "_n_features_outs disagrees with categories_")
        else:
            require(
                np.shape(mapping) == (size,) and _int_array_within(mapping, 0, grouped),
                "_default_to_infrequent_mappings maps past the output columns",
            )
        if dropped and after is not None:
            to_drop = after[i]
            require(
                is_int(to_drop) and 0 <= int(to_drop) < grouped,
                "_drop_idx_after_grouping out of range",
            )


def check_features_out(est: Any, context: Any) -> None:
    """get_feature_names_out builds one name per output column from ``_n_features_out``."""
    n_out = getattr(est, "_n_features_out", None)
    centers = getattr(est, "cluster_centers_", None)
    if n_out is not None and centers is not None:
        require(int(n_out) == np.asarray(centers).shape[0], "_n_features_out disagrees")


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
            require(
                np.shape(labels)[:1] == (n_centers,),
                "Birch subcluster_labels_ is not one label per subcluster center",
            )
    leaf = getattr(est, "dummy_leaf_", None)
    seen: set[int] = set()
    while leaf is not None:
        require(id(leaf) not in seen, "Birch leaf chain has a cycle")
        require(len(seen) < MAX_OBJECTS, "Birch leaf chain too long")
        seen.add(id(leaf))
        leaf = leaf.next_leaf_
    root = getattr(est, "root_", None)
    nodes: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        require(id(node) not in nodes, "Birch CF tree has a node reached twice (a cycle)")
        nodes.add(id(node))
        for sub in node.subclusters_:
            if sub.child_ is not None:
                stack.append(sub.child_)


def check_svm(est: Any, context: Any) -> None:
    """libsvm reads support vectors, dual coefficients and (for a precomputed kernel) the
    input's columns by counts and indexes stored in the model: they must agree exactly.

    Classifiers store one count per class, summing to the number of support vectors;
    regressors and one-class models store the total twice (or zeros in old versions). A
    missing or empty ``_dual_coef_`` reaches libsvm as a null pointer, so none is accepted.

    A model fitted on sparse input hands libsvm the raw CSR arrays of its support vectors and
    the data buffer of its dual coefficients (see :func:`check_csr`); with probability
    estimates on, libsvm copies one Platt pair per class pair and an empty ``_probA`` is a null
    pointer there.
    """
    support = getattr(est, "support_", None)
    if support is None:
        return  # not fitted
    support = np.asarray(support)
    require(support.ndim == 1 and support.dtype.kind in "iu", "SVM support_ is not indices")
    n_sv = support.shape[0]
    counts = np.asarray(est._n_support).astype(np.int64)
    require(counts.ndim == 1 and np.all(counts >= 0), "SVM support vector counts negative")
    shape_fit = tuple(int(n) for n in est.shape_fit_)
    require(len(shape_fit) == 2, "SVM shape_fit_ is not two sizes")
    sparse = bool(est._sparse)
    sv, dual = est.support_vectors_, est._dual_coef_
    require(hasattr(sv, "tocsr") == sparse, "SVM support vectors disagree with _sparse")
    require(hasattr(dual, "tocsr") == sparse, "SVM dual coefficients disagree with _sparse")
    precomputed = est.kernel == "precomputed" or callable(est.kernel)
    if precomputed:
        # the support indexes pick the input's columns (the training samples)
        require(
            n_sv == 0 or (int(support.min()) >= 0 and int(support.max()) < shape_fit[0]),
            "SVM support_ indexes past the training samples",
        )
    else:
        require(
            sv.shape == (n_sv, shape_fit[1]),
            "SVM support vectors disagree with support_ and shape_fit_",
        )
    n_features_in = getattr(est, "n_features_in_", None)
    require(
        n_features_in is not None
        and int(n_features_in) == (shape_fit[0] if precomputed else shape_fit[1]),
        "SVM n_features_in_ disagrees with shape_fit_",
    )
    _check_svm_counts(est, counts, dual, n_sv)
    if sparse:
        # libsvm's sparse kernels index the input row with support vector *values* when the
        # kernel is precomputed; scikit-learn never fits a sparse model with one
        require(not precomputed, "SVM sparse model has a precomputed or callable kernel")
        check_csr(sv, (n_sv, shape_fit[1]), "SVM support vectors")
        # libsvm reads rows x columns coefficients from the data buffer alone
        check_csr(dual, dual.shape, "SVM dual coefficients")
        require(
            dual.data.shape == (dual.shape[0] * dual.shape[1],),
            "SVM sparse dual coefficients are not fully stored",
        )


def _check_svm_counts(est: Any, counts: Array, dual: Any, n_sv: int) -> None:
    """The per-class support counts, dual coefficients, intercepts and Platt pairs of a libsvm
    model against each other (see :func:`check_svm`)."""
    classes = getattr(est, "classes_", None)
    intercept = np.asarray(est._intercept_)
    if classes is not None:
        n_class = len(classes)
        require(
            counts.shape == (n_class,) and int(counts.sum()) == n_sv,
            "SVM support vector counts disagree",
        )
        pairs = max(n_class * (n_class - 1) // 2, 1)
        require(dual.shape == (max(n_class - 1, 1), n_sv), "SVM dual coefficients disagree")
        require(intercept.shape == (pairs,), "SVM intercept has the wrong length")
    else:
        # libsvm takes the number of classes from len(_n_support): regressors and one-class
        # models store two counts
        require(counts.shape == (2,), "SVM support vector counts have the wrong length")
        require(np.all((counts == n_sv) | (counts == 0)), "SVM support vector counts disagree")
        require(dual.shape == (1, n_sv), "SVM dual coefficients disagree")
        require(intercept.shape == (1,), "SVM intercept has the wrong length")
    # libsvm's class pairs come from len(_n_support), for regressors too (two counts: one pair)
    pairs = max(counts.shape[0] * (counts.shape[0] - 1) // 2, 1)
    probability = getattr(est, "_effective_probability", getattr(est, "probability", False))
    require(
        isinstance(probability, (bool, int, np.bool_, np.integer)),
        "SVM probability flag is not a boolean",
    )
    for name in ("_probA", "_probB"):
        prob = np.asarray(getattr(est, name, np.empty(0)))
        allowed = ((pairs,),) if probability else ((0,), (pairs,))
        require(prob.shape in allowed, f"SVM {name} has the wrong length")


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


def check_covariance(est: Any, context: Any) -> None:
    """``mahalanobis`` (and ``EllipticEnvelope``'s predict, decision_function, score_samples)
    passes ``get_precision()`` as ``VI`` to scipy's C ``cdist``, which reads
    ``n_features ** 2`` doubles from it without a shape check (rt18-04); ``location_`` is the
    one point measured from. All must be sized to ``n_features_in_``."""
    cov = getattr(est, "covariance_", None)
    location = getattr(est, "location_", None)
    if cov is None and location is None:
        return  # not fitted
    n_in: Any = getattr(est, "n_features_in_", None)
    require(is_int(n_in), "fitted covariance estimator without n_features_in_")
    d = int(n_in)
    for name, shape in (
        ("location_", (d,)),
        ("covariance_", (d, d)),
        ("precision_", (d, d)),
        ("raw_location_", (d,)),
        ("raw_covariance_", (d, d)),
    ):
        value = getattr(est, name, None)
        if value is None and name in ("precision_", "raw_location_", "raw_covariance_"):
            continue  # store_precision=False; only MinCovDet stores the raw estimates
        require(
            isinstance(value, np.ndarray) and value.shape == shape and value.dtype.kind == "f",
            f"covariance {name} is not sized to n_features_in_ ({shape})",
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
        labels.shape == (int(n_in),) and _int_array_within(labels, 0, int(n_in)),
        "FeatureAgglomeration labels_ are not one cluster number per feature",
    )


def _bounded_comb(n: int, k: int) -> int:
    """``comb(n, k)``, refused when it is beyond :data:`MAX_OUTPUT_COLUMNS` (judged first in
    logarithms, so that a hostile degree never makes an exact bignum of millions of digits)."""
    import math

    if k < 0 or k > n:
        return 0
    k = min(k, n - k)
    log = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    require(log <= math.log(MAX_OUTPUT_COLUMNS) + 1, "polynomial expansion too wide")
    return math.comb(n, k)


def _polynomial_columns(
    n_features: int, min_degree: int, max_degree: int, interaction_only: bool, include_bias: bool
) -> int:
    """``PolynomialFeatures._num_combinations``, bounded (see :func:`_bounded_comb`)."""
    if interaction_only:
        total = 0
        for i in range(max(1, min_degree), min(max_degree, n_features) + 1):
            total += _bounded_comb(n_features, i)
            require(total <= MAX_OUTPUT_COLUMNS, "polynomial expansion too wide")
    else:
        total = _bounded_comb(n_features + max_degree, max_degree) - 1
        if min_degree > 0:
            d = min_degree - 1
            total -= _bounded_comb(n_features + d, d) - 1
    return total + int(include_bias)


def check_polynomial_features(est: Any, context: Any) -> None:
    """``transform`` allocates ``(n_samples, _n_out_full)`` and loops ``_max_degree`` times
    (rt18-10). Both sizes are what ``fit`` computes from ``n_features_in_`` and the degrees:
    they must be exactly that, the degrees must be the parameter's, and the width is capped at
    :data:`MAX_OUTPUT_COLUMNS`."""
    full: Any = getattr(est, "_n_out_full", None)
    n_out: Any = getattr(est, "n_output_features_", None)
    if full is None and n_out is None:
        return  # not fitted
    n_in: Any = getattr(est, "n_features_in_", None)
    low: Any = getattr(est, "_min_degree", None)
    high: Any = getattr(est, "_max_degree", None)
    require(
        is_int(n_in) and is_int(low) and is_int(high) and 0 <= int(low) <= int(high),
        "PolynomialFeatures degrees or n_features_in_ malformed",
    )
    require(0 <= int(n_in) <= MAX_OUTPUT_COLUMNS, "PolynomialFeatures n_features_in_ too large")
    require(int(high) <= MAX_TRANSFORM_ROUNDS, "PolynomialFeatures degree too large")
    degree = est.degree
    expected = (0, int(high)) if is_int(degree) else tuple(int(d) for d in degree)
    require(expected == (int(low), int(high)), "PolynomialFeatures degrees disagree with degree")
    interaction = bool(est.interaction_only)
    bias = bool(est.include_bias)
    require(
        is_int(n_out)
        and int(n_out) == _polynomial_columns(int(n_in), int(low), int(high), interaction, bias),
        "PolynomialFeatures n_output_features_ disagrees with n_features_in_ and degree",
    )
    require(
        is_int(full)
        and int(full) == _polynomial_columns(int(n_in), 0, int(high), interaction, bias),
        "PolynomialFeatures _n_out_full disagrees with n_features_in_ and degree",
    )


def check_count_sketch(est: Any, context: Any) -> None:
    """``PolynomialCountSketch.transform`` allocates ``(n_samples, degree, n_components)``
    complex numbers, and ``n_components`` is a parameter with no upper bound (rt18-10): the
    product is capped at :data:`MAX_OUTPUT_COLUMNS`. The hashes must be ``(degree,
    n_features_in_)``, indexes below ``n_components``, signs +-1."""
    n_components: Any = est.n_components
    degree: Any = est.degree
    require(
        is_int(n_components) and is_int(degree) and int(n_components) >= 1 and int(degree) >= 1,
        "PolynomialCountSketch n_components or degree malformed",
    )
    require(
        int(n_components) * int(degree) <= MAX_OUTPUT_COLUMNS,
        f"PolynomialCountSketch degree * n_components over {MAX_OUTPUT_COLUMNS}",
    )
    index = getattr(est, "indexHash_", None)
    if index is None:
        return  # not fitted
    n_in: Any = getattr(est, "n_features_in_", None)
    require(is_int(n_in), "fitted PolynomialCountSketch without n_features_in_")
    shape = (int(degree), int(n_in))
    signs = np.asarray(est.bitHash_)
    require(
        np.shape(index) == shape and _int_array_within(index, 0, int(n_components)),
        "PolynomialCountSketch indexHash_ disagrees with degree and n_components",
    )
    require(
        signs.shape == shape and bool(np.all((signs == 1) | (signs == -1))),
        "PolynomialCountSketch bitHash_ is not signs of shape (degree, n_features_in_)",
    )


def check_chi2_sampler(est: Any, context: Any) -> None:
    """``AdditiveChi2Sampler.transform`` appends two arrays as large as the input per sample
    step, and ``sample_steps`` is a parameter with no upper bound (rt18-10)."""
    steps: Any = est.sample_steps
    require(
        is_int(steps) and 1 <= int(steps) <= MAX_TRANSFORM_ROUNDS,
        f"AdditiveChi2Sampler sample_steps is not in [1, {MAX_TRANSFORM_ROUNDS}]",
    )


#: How many wrappers deep :func:`_sub_classes` unwraps a FrozenEstimator.
_MAX_FROZEN = 8


def _sub_classes(sub: Any) -> Any:
    """``sub.classes_``, or ``None`` when it has none. A FrozenEstimator answers its wrapped
    estimator's attributes through ``__getattr__``, which scan's shadow does not run: it is
    unwrapped here, for both, the way ``__getattr__`` would."""
    for _ in range(_MAX_FROZEN):
        cls = class_of(sub)
        if cls.__module__ != "sklearn.frozen._frozen" or cls.__qualname__ != "FrozenEstimator":
            break
        sub = getattr(sub, "estimator", None)
    try:
        return sub.classes_
    except AttributeError:
        return None


def check_voting_classifier(est: Any, context: Any) -> None:
    """``VotingClassifier`` fits its estimators on ``le_``'s codes, ``0..k-1``, and hard
    voting's ``predict`` runs ``np.bincount`` over each row of their predictions, which are
    their ``classes_`` values: a label of 2**31 asks for 16 GB per row (rt29-06). Every
    fitted sub-estimator's ``classes_`` is ``arange(len(le_.classes_))``, and the classifier's
    own ``classes_`` is ``le_.classes_``. (A FrozenEstimator is not refitted: it may hold the
    original labels instead, when they are not integers, which ``np.bincount`` refuses.)"""
    subs: Any = getattr(est, "estimators_", None)
    if subs is None:
        return  # not fitted
    encoder: Any = getattr(est, "le_", None)
    labels: Any = getattr(encoder, "classes_", None)
    require(
        isinstance(labels, np.ndarray) and labels.ndim == 1,
        "a fitted VotingClassifier without le_.classes_",
    )
    own: Any = getattr(est, "classes_", None)
    require(
        isinstance(own, np.ndarray) and np.array_equal(own, labels),
        "VotingClassifier classes_ disagrees with le_.classes_",
    )
    require(isinstance(subs, (list, tuple)), "VotingClassifier estimators_ is not a list")
    codes = np.arange(len(labels))
    for sub in subs:
        found = _sub_classes(sub)
        require(
            isinstance(found, np.ndarray) and found.ndim == 1,
            "a VotingClassifier sub-estimator without one array of classes_",
        )
        if found.dtype.kind in "iu":
            require(
                np.array_equal(found, codes),
                "a VotingClassifier sub-estimator's classes_ are not le_'s codes",
            )
        else:
            require(
                np.array_equal(found, codes) or np.array_equal(found, labels),
                "a VotingClassifier sub-estimator's classes_ are not le_'s codes",
            )


def _labels_equal(a: Any, b: Any) -> bool:
    """``a`` and ``b`` are the same labels: equal 1-D arrays, or lists of them."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_labels_equal(x, y) for x, y in zip(a, b, strict=True))
    return (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and a.ndim == 1
        and a.shape == b.shape
        and bool(np.array_equal(a, b))
    )


def check_dummy(est: Any, context: Any) -> None:
    """The dummy estimators size their predictions by ``n_outputs_`` and predict values they
    store: a DummyRegressor's ``np.full((n, n_outputs_), constant_)`` wrote 800 MB per row for
    ``n_outputs_ = 10**8`` (rt31-02); a DummyClassifier with the ``constant`` strategy predicts
    its ``constant`` whatever its ``classes_``, so hard voting counted a label of 2**31
    (rt31-07). ``fit`` stores one constant per output, and a classifier's constant is one of
    the classes it saw (scikit-learn refuses any other)."""
    outputs: Any = getattr(est, "n_outputs_", None)
    if outputs is None:
        return
    require(is_int(outputs) and int(outputs) >= 1, "dummy estimator n_outputs_ malformed")
    n = int(outputs)
    constant_: Any = getattr(est, "constant_", None)
    if constant_ is not None:  # a regressor
        require(
            isinstance(constant_, np.ndarray) and constant_.shape == (1, n),
            "DummyRegressor constant_ is not one value per output",
        )
        return
    classes: Any = getattr(est, "classes_", None)
    if classes is None:
        return
    per_output = [classes] if n == 1 else classes
    require(
        isinstance(per_output, list)
        and len(per_output) == n
        and all(isinstance(c, np.ndarray) and c.ndim == 1 for c in per_output),
        "DummyClassifier classes_ is not one array per output",
    )
    # "uniform" predict_proba is np.ones((n_samples, n_classes_[k])): one column per class
    counts = [int(c.shape[0]) for c in per_output]
    n_classes: Any = getattr(est, "n_classes_", None)
    require(
        n_classes is None
        or (n == 1 and is_int(n_classes) and int(n_classes) == counts[0])
        or (
            n > 1
            and isinstance(n_classes, list)
            and [int(k) if is_int(k) else -1 for k in n_classes] == counts
        ),
        "DummyClassifier n_classes_ disagrees with its classes_",
    )
    if getattr(est, "_strategy", None) == "constant":
        constant = np.reshape(np.asarray(est.constant, dtype=object), (-1,))
        require(
            constant.shape == (n,)
            and all(bool(np.isin(constant[k], per_output[k])) for k in range(n)),
            "DummyClassifier constant is not one of its classes",
        )


#: The most characters ``OneHotEncoder.get_feature_names_out`` may write from a file's names
#: and categories beyond :data:`NAME_SPREAD` times what they store (see
#: :func:`check_one_hot_names`).
MAX_ONE_HOT_NAME_CHARS = 1 << 24
NAME_SPREAD = 64


def check_one_hot_names(est: Any, context: Any) -> None:
    """``OneHotEncoder.get_feature_names_out`` writes ``f"{name}_{category}"`` for every
    category of every feature, so a feature's name is repeated once per category: a 64 KB
    name and 10,000 categories made 655 MB of names from a 146 KB file (rt31-06). The
    characters written may not pass :data:`MAX_ONE_HOT_NAME_CHARS` or, if more,
    :data:`NAME_SPREAD` times the characters and categories the encoder stores."""
    categories: Any = getattr(est, "categories_", None)
    if categories is None:
        return
    require(
        type(categories) is list and all(isinstance(c, np.ndarray) for c in categories),
        "OneHotEncoder categories_ is not a list of arrays",
    )
    counts = [int(c.size) for c in categories]
    names: Any = vars(est).get("feature_names_in_")
    if isinstance(names, np.ndarray) and names.ndim == 1 and names.shape[0] == len(counts):
        lengths = [len(str(name)) for name in names.tolist()]
    else:
        lengths = [len(f"x{i}") for i in range(len(counts))]
    written = sum((length + 1) * count for length, count in zip(lengths, counts, strict=True))
    stored = sum(lengths) + sum(counts)
    require(
        written <= max(MAX_ONE_HOT_NAME_CHARS, NAME_SPREAD * stored),
        f"OneHotEncoder's output names would repeat its feature names {written:,} characters",
    )


def check_label_sources(est: Any, context: Any) -> None:
    """Classifiers whose ``predict`` returns the labels of another object than their own
    ``classes_`` (a label encoder or binarizer's ``classes_``, a wrapped estimator's
    ``predict``), where ``fit`` stores that object's ``classes_`` as their own: the two must
    be equal. A VotingClassifier holds its sub-estimators' ``classes_`` to ``le_``'s codes
    (rt29-06), and those are what ``predict`` returns only if every classifier on the way is
    consistent: a StackingClassifier with other ``_label_encoder`` labels, or a
    SelfTrainingClassifier whose ``estimator_`` has others, made hard voting count a label of
    2**31 again. (StackingClassifier: ``_label_encoder``, a list of encoders for several
    outputs; SelfTrainingClassifier: ``estimator_``; MLPClassifier: ``_label_binarizer``;
    OneVsRestClassifier: ``label_binarizer_``; GaussianProcessClassifier:
    ``base_estimator_``.)"""
    cls = class_of(est)
    name = next(
        (_LABEL_SOURCES[k.__qualname__] for k in cls.__mro__ if k.__qualname__ in _LABEL_SOURCES),
        None,
    )
    source: Any = getattr(est, name, None) if name is not None else None
    if source is None:
        return  # not fitted (or not one of the classes above)
    own: Any = getattr(est, "classes_", None)
    if isinstance(source, list):
        theirs: Any = [getattr(one, "classes_", None) for one in source]
    else:
        theirs = _sub_classes(source)
    require(
        _labels_equal(own, theirs),
        f"{cls.__qualname__} classes_ disagrees with {name}'s classes_, the labels "
        "its predict returns",
    )


#: The classes :func:`check_label_sources` checks, and the attribute whose labels ``predict``
#: returns (the rows of :data:`safeload.validate._CHECKED_KINDS` name their modules).
_LABEL_SOURCES: dict[str, str] = {
    "StackingClassifier": "_label_encoder",
    "SelfTrainingClassifier": "estimator_",
    "MLPClassifier": "_label_binarizer",
    "OneVsRestClassifier": "label_binarizer_",
    "GaussianProcessClassifier": "base_estimator_",
}
