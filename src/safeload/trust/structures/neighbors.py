"""KD and Ball trees and the distance metrics they hold: node bounds and index arrays that the
queries follow unchecked."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from safeload.trust import facts
from safeload.trust.shadow_values import (
    Shadow,
    Unknown,
    Unproven,
    class_of,
    is_real,
    sklearn_class,
    sklearn_name,
)
from safeload.trust.structures.common import is_int, reachable, require
from safeload.trust.structures.cython_args import as_c_double, as_c_int, as_typed_view

#: The class ``BinaryTree64.__setstate__`` types its metric slot with: a 32-bit metric, a
#: name or None makes it raise "Cannot convert ... to DistanceMetric64" (rt47-03).
_METRIC64 = "sklearn.metrics._dist_metrics:DistanceMetric64"

#: The tree state's counts and the C type ``BinaryTree64.__setstate__`` assigns each to
#: (probed value by value against scikit-learn 1.9.1): ``intp_t`` takes ``__index__`` only,
#: ``int`` takes ``__int__`` (a float truncates) and holds 32 bits.
_TREE_COUNTS = (
    (4, "leaf_size", "intp"),
    (5, "n_levels", "intp"),
    (6, "n_nodes", "intp"),
    (7, "n_trims", "int"),
    (8, "n_leaves", "int"),
    (9, "n_splits", "int"),
    (10, "n_calls", "int"),
)

#: numpy kinds that ``np.asarray(x, dtype=np.float64)`` converts whatever the items (bool,
#: integers, floats, complex, datetimes and timedeltas).
_NUMERIC_KINDS = frozenset("biufcmM")


def _opaque(value: Any, what: str) -> None:
    """A value the pass cannot see (an unknown, a shadow of an instance) is unproven."""
    if type(value) is Unknown or type(value) is Shadow:
        raise Unproven(f"{what}: a value the pass cannot see")


def _node_records(value: Any, canonical: Any) -> None:
    """``node_data`` becomes a C-contiguous ``const NodeData_t[::1]`` view: a 1-D buffer of
    the node record's layout in native byte order (a 2-D, Fortran-sliced, byte-swapped or
    object array, or a list, makes ``__setstate__`` raise). The checks below read its fields
    by name, so it must be scikit-learn's own record too (rt18-01)."""
    _opaque(value, "neighbor tree node_data")
    require(is_real(value, np.ndarray), "neighbor tree node_data is not an array")
    require(
        canonical is not None and value.dtype == canonical,
        "neighbor tree node_data is not scikit-learn's node record",
    )
    require(value.ndim == 1, "neighbor tree node_data is not one-dimensional")
    require(value.flags.c_contiguous, "neighbor tree node_data is not C-contiguous")


def _plain_number(value: Any) -> bool:
    """A Python number or a numpy number (not an object): what ``np.asarray`` converts to
    float64 by numpy's own code (a list of numpy floats, a range: rt48-08)."""
    return type(value) in (bool, int, float) or (
        is_real(value, (np.number, np.bool_)) and not value.dtype.hasobject
    )


def _sample_weight(value: Any) -> None:
    """``__setstate__`` makes ``np.asarray(state[12], dtype=np.float64)`` of a weight that is
    not None and views it as ``const float64_t[::1]``: any array converts but only a 1-D one
    fits (a scalar or a str is 0-D, a 2-D array is refused); a list of numbers is 1-D. What
    converting an object or string array's items gives is not modelled."""
    if value is None:
        return
    _opaque(value, "neighbor tree sample_weight")
    if is_real(value, np.ndarray):
        require(value.ndim == 1, "neighbor tree sample_weight is not one-dimensional")
        if value.dtype.kind not in _NUMERIC_KINDS:
            raise Unproven("neighbor tree sample_weight: items whose conversion is not modelled")
        return
    if is_real(value, (bool, int, float, complex, str, bytes, np.generic)):
        require(False, "neighbor tree sample_weight is a scalar, not a 1-D array")
    if is_real(value, (list, tuple, range)) and all(_plain_number(v) for v in value):
        try:  # (the list is in memory already: the file paid for each item)
            np.asarray(value, dtype=np.float64)
        except (OverflowError, ValueError, TypeError) as exc:
            # an int past a double's range: numpy raises, so the load fails (rt48-01)
            require(False, f"neighbor tree sample_weight does not convert to float64 ({exc})")
        return
    raise Unproven("neighbor tree sample_weight: a value whose conversion is not modelled")


def _tree_state_types(st: Any, canonical: Any) -> None:
    """What ``BinaryTree64.__setstate__`` does to each item of its state before any check
    runs: it assigns ``data`` and ``node_bounds`` to C-contiguous float64 views of 2 and 3
    dimensions, ``idx_array`` to an intp view, ``node_data`` to the node record's view, its
    counts to C integers, its metric to a ``DistanceMetric64`` and its weights to a float64
    view. Any of them of the wrong kind makes the C unpickler raise and the load refuse, so
    scan must refuse them too (rt47-03). On a built tree each item is what the conversion
    made, and every rule holds of it. (Cython accepts None for the arrays; no honest tree
    holds one, and the checks below read each.)"""
    require(is_real(st, tuple) and len(st) >= 13, "neighbor tree state malformed")
    as_typed_view(st[0], "neighbor tree data", "float64", 2, none_ok=False)
    as_typed_view(st[1], "neighbor tree idx_array", "intp", 1, none_ok=False)
    _node_records(st[2], canonical)
    as_typed_view(st[3], "neighbor tree node_bounds", "float64", 3, none_ok=False)
    for index, name, ctype in _TREE_COUNTS:
        as_c_int(st[index], f"neighbor tree {name}", ctype)
    metric = st[11]  # (a shadow of the metric: its class is the class the stream names)
    if type(metric) is Unknown:
        raise Unproven("neighbor tree metric: a value the pass cannot see")
    require(
        _METRIC64 in facts.mro_names(class_of(metric)),
        "neighbor tree metric is not a 64-bit DistanceMetric",
    )
    _sample_weight(st[12])


def check_binary_tree(tree: Any, context: Any) -> None:
    st = tree.__getstate__()
    # Cython accepts any record layout with NodeData's formats and offsets, whatever its field
    # names; the checks below read fields by name, so the names must be NodeData's (rt18-01)
    canonical = getattr(importlib.import_module(sklearn_class(tree).__module__), "NodeData", None)
    _tree_state_types(st, canonical)
    data, idx_array, node_data, node_bounds = st[0], st[1], st[2], st[3]
    n_levels, n_nodes = int(st[5]), int(st[6])
    # a breadth-first query sizes its node heap as n_samples // leaf_size (C division: 0 is
    # SIGFPE, r15-15); scikit-learn refuses leaf_size < 1. The counters are statistics.
    require(int(st[4]) >= 1, "neighbor tree leaf_size is not positive")
    require(all(int(c) >= 0 for c in st[7:11]), "neighbor tree counters are negative")
    sample_weight = st[12]
    require(isinstance(data, np.ndarray) and data.ndim == 2, "neighbor tree data not 2-D")
    n_samples, n_features = data.shape
    require(idx_array.shape == (n_samples,), "neighbor tree idx_array has the wrong length")
    require(
        np.array_equal(np.sort(idx_array), np.arange(n_samples)),
        "neighbor tree idx_array is not a permutation of the samples",
    )
    require(
        1 <= n_levels <= 64 and n_nodes == 2**n_levels - 1 == node_data.shape[0],
        "neighbor tree node count inconsistent",
    )
    starts, ends = node_data["idx_start"], node_data["idx_end"]
    require(
        np.all((starts >= 0) & (starts <= ends) & (ends <= n_samples)),
        "neighbor tree node index range out of bounds",
    )
    first_leaf_level = (n_nodes - 1) // 2
    require(
        np.all(node_data["is_leaf"][first_leaf_level:] != 0),
        "neighbor tree has children past its last level",
    )
    # a KD tree reads node_bounds[0] and [1] (lower and upper), a ball tree node_bounds[0]
    leading = 2 if sklearn_name(tree).startswith("KDTree") else 1
    require(
        node_bounds.ndim == 3 and node_bounds.shape == (leading, n_nodes, n_features),
        "neighbor tree node_bounds has the wrong shape",
    )
    if sample_weight is not None:
        require(
            np.asarray(sample_weight).shape == (n_samples,),
            "neighbor tree sample_weight has the wrong length",
        )
    check_metric(st[11], n_features)


def _metric_state(metric: Any) -> Any:
    """The metric's state ``(p, vec, mat)``, after the rules of what its Cython
    ``__setstate__`` does to it: ``p`` becomes a C double, ``vec`` and ``mat`` C-contiguous
    float64 views of 1 and 2 dimensions (for the 32-bit metrics too). A str or timedelta
    ``p``, an int64 or object array makes the C unpickler raise and the load refuse, so scan
    must too (rt47-02). ``vec`` or ``mat`` None is taken by Cython, but a built metric then
    reports ``array(None, dtype=object)`` for it, which the view rule refuses: both refuse."""
    state = metric.__getstate__()
    require(is_real(state, tuple) and len(state) >= 3, "distance metric state malformed")
    as_c_double(state[0], "distance metric p")
    as_typed_view(state[1], "distance metric vec", "float64", 1, none_ok=False)
    as_typed_view(state[2], "distance metric mat", "float64", 2, none_ok=False)
    return state


def check_metric(metric: Any, n_features: int) -> None:
    """The metric's native code reads its weight vector or matrix with the data's dimension as
    the length, so for the metrics that read them the sizes must be exact (a 1x1 Mahalanobis
    ``VI`` with 5-feature data reads past the matrix). Other metrics ignore them. (A state
    of more than three items is built as its first three, as on its own.)"""
    state = _metric_state(metric)
    vec, mat = np.asarray(state[1]), np.asarray(state[2])
    kind = sklearn_name(metric).removesuffix("64").removesuffix("32")
    if kind == "SEuclideanDistance":
        require(vec.shape == (n_features,), "distance metric V has the wrong length")
    elif kind == "MinkowskiDistance":
        require(
            vec.size == 0 or vec.shape == (n_features,),
            "distance metric weights have the wrong length",
        )
    elif kind == "MahalanobisDistance":
        require(mat.shape == (n_features, n_features), "distance metric VI has the wrong shape")
    elif kind == "HaversineDistance":
        require(n_features == 2, "haversine distance on data that is not 2-D")


def check_distance_metric(metric: Any, context: Any) -> None:
    """A distance metric on its own (the model itself, or held anywhere outside a KD/Ball
    tree): its ``__setstate__`` takes its ``size`` from its weight vector, Mahalanobis from
    ``VI``'s rows, and its native ``rdist`` reads ``size`` items of the vector or ``size x
    size`` of the matrix. A ``(3_000_000, 0)`` ``VI`` passed ``pairwise``'s width check and
    read megabytes past its one-item buffer (rt31-04). Inside a tree, :func:`check_metric`
    also holds the sizes to the data's width."""
    state = _metric_state(metric)
    vec, mat = np.asarray(state[1]), np.asarray(state[2])
    kind = sklearn_name(metric).removesuffix("64").removesuffix("32")
    if kind == "MahalanobisDistance":
        require(
            mat.ndim == 2 and mat.shape[0] == mat.shape[1],
            "Mahalanobis distance VI is not a square matrix",
        )
    else:
        require(vec.ndim == 1, "distance metric weight vector is not one-dimensional")


#: The metrics whose native code reads a weight vector or matrix (Minkowski only with a
#: non-empty ``w``; ``WMinkowskiDistance`` in the scikit-learn versions that have it).
_WEIGHTED_KINDS = frozenset({"SEuclideanDistance", "MahalanobisDistance", "WMinkowskiDistance"})
_METRIC_BASE = "sklearn.metrics._dist_metrics:DistanceMetric"
_TREE_BASES = frozenset(
    {"sklearn.neighbors._kd_tree:BinaryTree64", "sklearn.neighbors._ball_tree:BinaryTree64"}
)
#: Why a weighted metric held anywhere but in a neighbour tree's state is refused.
STRAY_WEIGHTED_METRIC = (
    "a weighted distance metric outside a neighbours structure: its sparse pairwise reads "
    "its weights with the data's width, unchecked"
)


def _weighted_metric(obj: Any) -> bool:
    """Whether ``obj`` (built, or a shadow) is a distance metric whose native code reads its
    weights: SEuclidean's ``V``, Mahalanobis' ``VI``, Minkowski's ``w`` when it has one (the
    state was checked already, by :func:`check_distance_metric`)."""
    cls = class_of(obj)
    if not isinstance(cls, type) or _METRIC_BASE not in facts.mro_names(cls):
        return False
    kind = sklearn_name(obj).removesuffix("64").removesuffix("32")
    if kind in _WEIGHTED_KINDS:
        return True
    return kind == "MinkowskiDistance" and np.asarray(_metric_state(obj)[1]).size > 0


def _is_tree(cls: Any) -> bool:
    return isinstance(cls, type) and not _TREE_BASES.isdisjoint(facts.mro_names(cls))


def stray_metric_problem(
    root: Any, edges: dict[int, list[int]], instances: list[Any]
) -> str | None:
    """Why the model is refused for a weighted distance metric it holds outside a KD or Ball
    tree, or ``None``. ``DistanceMetric.pairwise`` holds the data's width to the weights only
    for dense input: on a sparse matrix its native code reads ``V`` or ``w`` at every column
    index of the data, and Mahalanobis writes its buffer of ``VI``'s size at them, so a
    one-item ``V`` read past itself and a 2x2 ``VI`` crashed an honest
    ``metric.pairwise(csr_matrix(X))`` (rt51-07). A tree ties its metric's sizes to its data
    (:func:`check_metric`), and its metric is reachable from Python only through it; nothing
    ties a metric elsewhere. So every path from the model (``root``, along ``edges``: the
    load's use-time walk, or scan's shadow graph) to a weighted metric must enter a tree.
    Metrics built and discarded are out of reach and not counted."""
    weighted = {id(o) for o in instances if _weighted_metric(o)}
    if not weighted:
        return None
    trees = {id(o) for o in instances if _is_tree(class_of(o))}
    # (a tree's metric is the tree's, sized by its data: the walk does not enter a tree)
    if weighted & reachable(root, edges, stop=trees):
        return STRAY_WEIGHTED_METRIC
    return None


def _samples_shape(fit_x: Any) -> tuple[int, ...] | None:
    """The shape of a neighbours estimator's stored samples: a numpy array, or a sparse matrix
    (``fit`` keeps sparse input as CSR, and the native brute-force reductions take its width
    from it, rt32-01). Anything else is refused rather than left unchecked."""
    if fit_x is None:
        return None
    if isinstance(fit_x, np.ndarray):
        return tuple(int(n) for n in fit_x.shape)
    import scipy.sparse as sp

    cls = class_of(fit_x)
    require(
        isinstance(cls, type) and issubclass(cls, (sp.spmatrix, sp.sparray)),
        "neighbours _fit_X is neither an array nor a sparse matrix",
    )
    shape: Any = getattr(fit_x, "_shape", None)
    require(
        isinstance(shape, tuple) and len(shape) == 2 and all(is_int(n) for n in shape),
        "neighbours sparse _fit_X has no shape",
    )
    return (int(shape[0]), int(shape[1]))


#: Keys of a metric's parameters that are not the metric's: scikit-learn's Euclidean
#: reductions take precomputed squared norms from them and read one per sample unchecked.
_NORM_KEYS = frozenset({"X_norm_squared", "Y_norm_squared"})


def _check_metric_params(est: Any) -> None:
    """``metric_params`` and ``effective_metric_params_`` reach the native reductions as
    ``metric_kwargs``: no precomputed norms (a one-item ``Y_norm_squared`` read 32 MB past
    itself, rt33-04)."""
    for name in ("metric_params", "effective_metric_params_"):
        params = getattr(est, name, None)
        if isinstance(params, dict):
            require(_NORM_KEYS.isdisjoint(params), f"neighbours {name} holds precomputed norms")


def check_neighbors(est: Any, context: Any) -> None:
    """Brute-force neighbours read the stored samples with the query's width, and the
    classifiers' native class vote writes at ``scores[_y[j]]``."""
    n_in: Any = getattr(est, "n_features_in_", None)
    fit_x = getattr(est, "_fit_X", None)
    fit_shape = _samples_shape(fit_x)
    # predict chooses its native path from ``metric``, kneighbors from ``effective_metric_``:
    # the width rule is off only when both say precomputed, and then the stored samples are
    # the square distance matrix fit keeps (rt33-02)
    precomputed = (
        getattr(est, "effective_metric_", None) == "precomputed"
        and getattr(est, "metric", None) == "precomputed"
    )
    if fit_shape is not None:
        # a fitted model without n_features_in_ has no width rule at all (rt33-01)
        require(is_int(n_in), "fitted neighbours without an int n_features_in_")
        require(
            len(fit_shape) == 2 and fit_shape[1] == (fit_shape[0] if precomputed else int(n_in)),
            "_fit_X disagrees with n_features_in_",
        )
    _check_metric_params(est)
    n_fit: Any = getattr(est, "n_samples_fit_", None)
    if n_fit is not None:
        # kneighbors_graph / radius_neighbors_graph declare n_samples_fit_ columns for indexes
        # into the fitted samples; scipy does not bound them, and toarray() writes by them
        # (rt18-09): the count must be the samples the queries index, in _fit_X and the tree
        require(
            is_int(n_fit) and fit_shape is not None and int(n_fit) == fit_shape[0],
            "n_samples_fit_ disagrees with _fit_X",
        )
        tree = getattr(est, "_tree", None)
        if tree is not None and not isinstance(tree, str):
            data = tree.__getstate__()[0]
            require(
                np.shape(data)[:1] == (int(n_fit),),
                "n_samples_fit_ disagrees with the neighbour tree's samples",
            )
            # fit keeps the samples it built the tree from, dense (sparse input means brute
            # force): an empty sparse _fit_X beside a shared tree stored nothing, so 120
            # wrappers over one tree cost the whole-model bound nothing (rt60-06)
            require(
                issubclass(type(fit_x), np.ndarray) and np.shape(data) == fit_shape,
                "a neighbour tree beside samples that are not the dense array it was built from",
            )
    k: Any = getattr(est, "n_neighbors", None)
    if k is not None and fit_shape is not None and getattr(est, "classes_", None) is not None:
        # predict's native class vote sizes its heaps by n_neighbors; every other path refuses
        # more neighbours than samples (rt33-16)
        require(
            is_int(k) and 1 <= int(k) <= fit_shape[0],
            "neighbours n_neighbors is not between 1 and the stored samples",
        )
    y_all = getattr(est, "_y", None)
    if fit_shape is not None and y_all is not None:
        require(np.shape(y_all)[:1] == fit_shape[:1], "neighbours _y disagrees with _fit_X")
    params = getattr(est, "effective_metric_params_", None) or {}
    if n_in is not None and isinstance(params, dict):
        d = int(n_in)
        for key, shape in (("VI", (d, d)), ("V", (d,)), ("w", (d,))):
            if key in params and params[key] is not None:
                require(np.shape(params[key]) == shape, f"metric parameter {key} has wrong size")
    y, classes = getattr(est, "_y", None), getattr(est, "classes_", None)
    if y is not None and classes is not None:
        y = np.asarray(y)
        require(y.dtype.kind in "iu", "neighbours _y is not class indexes")
        # predict_proba sizes the class scores by len(classes_) unless outputs_2d_ is set:
        # the per-output list only goes with it (rt33-03)
        two_d: Any = getattr(est, "outputs_2d_", False)
        require(
            isinstance(two_d, (bool, np.bool_)) and isinstance(classes, list) == bool(two_d),
            "neighbours classes_ form disagrees with outputs_2d_",
        )
        per_output = classes if isinstance(classes, list) else [classes]
        columns = y.reshape(y.shape[0], -1) if y.ndim else y.reshape(1, 1)
        require(columns.shape[1] == len(per_output), "neighbours _y disagrees with classes_")
        for k, labels in enumerate(per_output):
            col = columns[:, k]
            require(
                col.size == 0 or (int(col.min()) >= 0 and int(col.max()) < len(labels)),
                "neighbours _y indexes past classes_",
            )


def binary_tree_base(cls: type) -> type:
    """The ``BinaryTree`` class ``KDTree`` or ``BallTree`` is built on (its node arrays are
    that class's), or the class itself."""
    return next((b for b in type.mro(cls) if b.__name__.startswith("BinaryTree")), cls)
