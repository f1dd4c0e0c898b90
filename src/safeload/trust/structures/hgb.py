"""Histogram gradient boosting: the native predictors' node arrays and categorical bitsets, the
bin mapper, the preprocessor the estimator feeds them through, its per-iteration outputs, and the
rule that a predictor belongs to an estimator (only the estimator bounds its feature indexes)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np

from safeload.trust.shadow_values import class_of, sklearn_name
from safeload.trust.structures.common import is_int, reachable, require
from safeload.trust.structures.trees import check_children


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
    # fit always stores one uint8 flag per feature; None reached the native code as a NULL
    # memoryview (rt33-19)
    require(
        isinstance(is_cat, np.ndarray) and is_cat.shape == (n,) and is_cat.dtype == np.uint8,
        "bin mapper is_categorical_ is not one uint8 flag per feature",
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
    # a fitted model with warm_start: the next fit resets n_features_in_ to the new data's,
    # bins it and predicts it with the stored predictors, whose split features are not
    # checked against its width (``predict_binned`` read column 2**20 - 1 of 3 columns,
    # rt42-04); the linear models' rule (``widths._check_warm_start``)
    require(
        not bool(getattr(est, "warm_start", False)),
        "a fitted histogram gradient boosting model with warm_start set: its next fit would "
        "predict with the stored predictors unchecked (a scikit-learn bug); set warm_start "
        "after loading",
    )
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
    else:
        # a regressor (or a model not fitted): one tree per iteration. predict ravels
        # _raw_predict's (n_samples, n_trees_per_iteration_), so three gave three values per
        # row, and a multilabel one-vs-rest took them as rows past its output (rt41-08)
        require(n == 1, "histogram gradient boosting regressor with several trees per iteration")
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


def held_orphan_problem(root: Any, edges: dict[int, list[int]], instances: list[Any]) -> str | None:
    """:func:`orphan_predictor_problem` on what the model (``root``, along ``edges``: scan's
    shadow graph) reaches: a predictor the model holds needs an owner the model holds, not one
    the stream built and dropped (rt52-02), as the load judges the model it returns."""
    seen = reachable(root, edges)
    return orphan_predictor_problem([o for o in instances if id(o) in seen])


def orphan_predictor_problem(instances: Iterable[Any]) -> str | None:
    """Why the histogram-boosting ``TreePredictor`` s among ``instances`` (what a load built,
    or scan's shadows of it) are refused, or ``None``. A predictor stores no width: only the
    estimator that holds it in ``_predictors`` bounds its split features by its
    ``n_features_in_`` (:func:`check_hgb`), and its ``predict`` reads the column each node
    names without a bounds check. scikit-learn never pickles one on its own, so one that no
    such estimator holds is refused (rt31-04)."""
    classes = [(obj, class_of(obj)) for obj in instances]
    if not any(
        isinstance(cls, type) and sklearn_name(obj) == "TreePredictor" for obj, cls in classes
    ):
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
