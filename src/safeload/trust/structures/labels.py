"""The labels classifiers predict and the counts that size their outputs: a VotingClassifier's
sub-estimators' codes, the dummy estimators' constants and output counts, and the meta-classifiers
that return another object's ``classes_``."""

from __future__ import annotations

from typing import Any

import numpy as np

from safeload.trust.facts import NeedsImport
from safeload.trust.shadow_values import Shadow, Unproven, class_of, state_item
from safeload.trust.structures.common import (
    is_int,
    require,
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
    original labels instead, when they are not integers, which ``np.bincount`` refuses.)
    And what each one's ``predict`` returns must be those ``classes_``
    (:func:`_voter_problem`): a radius classifier's outlier label (rt41-05), a regressor's
    constant or a ``_ConstantPredictor``'s value beside a spare ``classes_`` (rt41-06) were
    counted too. The rules hold whatever ``voting`` says: ``set_params`` can change it."""
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
        problem = _voter_problem(sub)
        require(problem is None, f"a VotingClassifier estimator {problem}")
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


#: The classes :func:`check_label_sources` checks, and the attribute whose labels ``predict``
#: returns (the rows of :data:`safeload.validate._CHECKED_KINDS` name their modules).
_LABEL_SOURCES: dict[str, str] = {
    "StackingClassifier": "_label_encoder",
    "SelfTrainingClassifier": "estimator_",
    "MLPClassifier": "_label_binarizer",
    "OneVsRestClassifier": "label_binarizer_",
    "GaussianProcessClassifier": "base_estimator_",
}


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


#: The only values ``_ConstantPredictor.y_`` holds: one-vs-rest's and one-vs-one's binary
#: columns (0 or 1) and an output code's column (1 and -1, or 1 and 0).
_CONSTANT_VALUES = frozenset({-1, 0, 1})


def check_constant_predictor(est: Any, context: Any) -> None:
    """``_ConstantPredictor`` stands in for a binary estimator whose training column held one
    value: ``fit`` stores that one value (``np.unique`` of the column) as ``y_``, and
    ``predict`` and ``decision_function`` return ``np.repeat(y_, n_samples)``. A ``y_`` of
    1,000 values gave 1,000 scores per row, and a multilabel one-vs-rest took them as row
    indexes past its indicator matrix (rt41-08); a value of 2**31 - 1 was counted by hard
    voting's ``np.bincount`` (rt41-06). ``y_`` is one integer, -1, 0 or 1."""
    y: Any = getattr(est, "y_", None)
    if y is None:
        return  # not fitted
    require(
        isinstance(y, np.ndarray)
        and y.shape == (1,)
        and y.dtype.kind in "biuf"
        and y.tolist()[0] in _CONSTANT_VALUES,
        "_ConstantPredictor y_ is not one value of a binary column",
    )


_CONSTANT = "sklearn.multiclass:_ConstantPredictor"
_CLASSIFIER = "sklearn.base:ClassifierMixin"
_REGRESSOR = "sklearn.base:RegressorMixin"
_OVR = "sklearn.multiclass:OneVsRestClassifier"
_PIPELINE = "sklearn.pipeline:Pipeline"

#: Wrappers whose ``predict`` is that of one estimator they hold, and the attribute that holds
#: it (and a Pipeline's last step).
_LABEL_DELEGATES: dict[str, str] = {
    "sklearn.model_selection._search:BaseSearchCV": "best_estimator_",
    "sklearn.frozen._frozen:FrozenEstimator": "estimator",
    "sklearn.semi_supervised._self_training:SelfTrainingClassifier": "estimator_",
}

#: Wrappers whose ``decision_function`` and ``predict_proba`` are those of one estimator they
#: hold (their ``predict`` maps its answers to labels of their own).
_SCORE_DELEGATES: dict[str, str] = {
    **_LABEL_DELEGATES,
    "sklearn.model_selection._classification_threshold:BaseThresholdClassifier": "estimator_",
    "sklearn.ensemble._stacking:StackingClassifier": "final_estimator_",
}

#: Classifiers whose ``decision_function`` has one column when they have two classes, by what
#: the class itself computes or a check of its own holds: libsvm's pairs (``check_svm`` ties
#: the support counts to ``classes_``), a discriminant's two scores subtracted, one-vs-one's
#: second column.
_BINARY_BY_CLASSES = (
    "sklearn.svm._base:BaseSVC",
    "sklearn.discriminant_analysis:DiscriminantAnalysisPredictionMixin",
    "sklearn.multiclass:OneVsOneClassifier",
)

_LINEAR = "sklearn.linear_model._base:LinearClassifierMixin"
_BOOSTED = (
    "sklearn.ensemble._gb:BaseGradientBoosting",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting:BaseHistGradientBoosting",
)
_ADABOOST = "sklearn.ensemble._weight_boosting:AdaBoostClassifier"
_BAGGING = "sklearn.ensemble._bagging:BaggingClassifier"

#: How deep :func:`_one_score_problem` follows wrappers.
_MAX_WRAPPED = 16


def check_one_vs_rest(est: Any, context: Any) -> None:
    """``OneVsRestClassifier`` asks each fitted estimator for one score per row
    (``_predict_binary``: a regressor's ``predict``, else ``np.ravel(decision_function(X))``,
    else ``predict_proba(X)[:, 1]``). For a multilabel (or binary) target, ``predict`` takes
    ``np.where(score > threshold)[0]`` as *row* indexes of a sparse indicator of
    ``n_samples`` rows, which scipy does not bound, and densifies it: a 3-class estimator's
    raveled scores (or a ``_ConstantPredictor`` repeating 1,000 values) wrote past the
    output (rt41-08). ``fit`` fits each estimator on one 0/1 column: every one must give one
    score per row (:func:`_one_score_problem`)."""
    subs: Any = getattr(est, "estimators_", None)
    if subs is None:
        return  # not fitted
    require(isinstance(subs, (list, tuple)), "OneVsRestClassifier estimators_ is not a list")
    for sub in subs:
        problem = _one_score_problem(sub, binary=True)
        require(problem is None, f"a OneVsRestClassifier estimator {problem}")


def _one_score_problem(est: Any, *, binary: bool, depth: int = 0) -> str | None:
    """Why ``_predict_binary(est, X)`` may not be one score per row of ``X``, or ``None``.
    ``binary``: a classifier must have two classes (a one-vs-rest estimator is fitted on one
    0/1 column; a bagged one may have seen one class, and then has no decision function to
    ravel). Wrappers are followed to the estimator that computes; a regressor's predictions
    have a row per input row (the checks of each regressor that ravels hold it to one
    output); a classifier (an estimator with ``classes_``) without ``decision_function``
    answers ``predict_proba(X)[:, 1]``; one with it must have a single decision column, which
    is shown for the families below and refused for any other."""
    if depth > _MAX_WRAPPED:
        return "wraps estimators too deeply"
    names = _mro_names(est)
    if _CONSTANT in names:
        return None  # y_ is one value (check_constant_predictor)
    inner = _delegate(est, names, _SCORE_DELEGATES)
    if inner is not _NOTHING:
        return _one_score_problem(inner, binary=binary, depth=depth + 1)
    if _REGRESSOR in names:
        # predict: a row per input row, if one output (the checks of each regressor that
        # ravels hold it to one); a VotingRegressor transposes a multi-output estimator's
        # predictions into one score per *output* (rt42-08)
        return _single_output_problem(est, depth + 1)
    classes = _sub_classes(est)
    if classes is None:
        # asked for decision_function, or predict_proba: not an estimator fit stores here
        return "is neither a classifier nor a regressor"
    # (a classifier by its classes_: GaussianProcessClassifier's binary Laplace estimators,
    # which its one-vs-rest holds, have no ClassifierMixin)
    two = isinstance(classes, np.ndarray) and classes.shape == (2,)
    if binary and not two:
        return "is not a classifier of two classes"
    if not _has_decision_function(est):
        return None
    if not two:
        return "has a decision function but not two classes"
    return _decision_columns_problem(est, names, depth)


def _decision_columns_problem(est: Any, names: frozenset[str], depth: int) -> str | None:
    """Why a two-class classifier's ``decision_function`` may have more than one column."""
    if not names.isdisjoint(_BINARY_BY_CLASSES):
        return None
    if _LINEAR in names:
        coef: Any = getattr(est, "coef_", None)
        intercept: Any = getattr(est, "intercept_", None)
        rows = coef.shape[0] if isinstance(coef, np.ndarray) and coef.ndim == 2 else None
        single = isinstance(coef, np.ndarray) and (coef.ndim == 1 or rows == 1)
        return None if single and np.size(intercept) == 1 else "scores more than one column"
    if not names.isdisjoint(_BOOSTED):
        per_iteration: Any = getattr(est, "n_trees_per_iteration_", None)
        return None if is_int(per_iteration) and int(per_iteration) == 1 else "boosts columns"
    if _ADABOOST in names:
        n: Any = getattr(est, "n_classes_", None)
        return None if is_int(n) and int(n) == 2 else "has n_classes_ other than its classes"
    if _LIGHTGBM in names:
        # decision_function is the raw score, one column per tree of an iteration: one for
        # a binary Booster (rt61-07: OneVsRest over LGBMClassifier, honest, was refused)
        return None if _lightgbm_per_iteration(est) == 1 else "boosts columns"
    if _OVR in names:
        subs: Any = getattr(est, "estimators_", None)
        if not (isinstance(subs, (list, tuple)) and len(subs) == 1):
            return "is a one-vs-rest of more than one estimator"
        return _one_score_problem(subs[0], binary=True, depth=depth + 1)
    if _BAGGING in names:
        subs = getattr(est, "estimators_", None)
        if not isinstance(subs, (list, tuple)):
            return "is a bagging ensemble without a list of estimators"
        for sub in subs:
            problem = _one_score_problem(sub, binary=False, depth=depth + 1)
            if problem is not None:
                return problem
        return None
    return "has a decision function of a kind not known to score one column"


_NOTHING = object()

_VOTING_REGRESSOR = "sklearn.ensemble._voting:VotingRegressor"
_TARGET_REGRESSOR = "sklearn.compose._target:TransformedTargetRegressor"

#: Regressors whose ``predict`` combines the predictions of the estimators in ``estimators_``
#: (averaged, summed or a weighted median of their arrays): each must have one output.
_REGRESSOR_ENSEMBLES = (
    _VOTING_REGRESSOR,
    "sklearn.ensemble._bagging:BaggingRegressor",
    "sklearn.ensemble._weight_boosting:AdaBoostRegressor",
)

#: Regressors whose ``predict`` is that of one estimator they hold.
_REGRESSOR_DELEGATES: dict[str, str] = {
    "sklearn.ensemble._stacking:StackingRegressor": "final_estimator_",
    "sklearn.linear_model._ransac:RANSACRegressor": "estimator_",
    _TARGET_REGRESSOR: "regressor_",
}

#: Regressors that predict several outputs by design.
_MULTI_OUTPUT = (
    "sklearn.multioutput:_MultiOutputEstimator",
    "sklearn.multioutput:_BaseChain",
)

#: Fitted arrays whose columns are a regressor's outputs (a vector for one output): the
#: class (or base) that stores them, and the attribute.
_OUTPUT_COLUMNS = (
    ("sklearn.neighbors._base:NeighborsBase", "_y"),
    ("sklearn.gaussian_process._gpr:GaussianProcessRegressor", "y_train_"),
    ("sklearn.kernel_ridge:KernelRidge", "dual_coef_"),
)


def check_voting_regressor(est: Any, context: Any) -> None:
    """``VotingRegressor.predict`` is ``np.average(np.asarray([e.predict(X) for e in
    estimators_]).T, axis=1)``: a multi-output estimator's (rows, k) predictions transpose to
    k scores whatever the number of rows, which a multilabel one-vs-rest took as rows past its
    indicator matrix (rt42-08). ``fit`` takes only a 1-D target, so every fitted estimator is
    a regressor of one output (:func:`_single_output_problem`)."""
    if getattr(est, "estimators_", None) is None:
        return  # not fitted
    problem = _single_output_problem(est)
    require(problem is None, f"a VotingRegressor {problem}")


def _single_output_problem(est: Any, depth: int = 0) -> str | None:
    """Why a regressor's ``predict`` may not be one value per row (or one column), or
    ``None``. Wrappers and ensembles are followed to the estimators that compute; a
    multi-output wrapper is refused; a regressor that stores its outputs' width (``n_outputs_``,
    ``coef_``'s rows, ``intercept_``, a dummy's ``constant_``, neighbours' ``_y``, a Gaussian
    process's ``y_train_``, a kernel ridge's ``dual_coef_``) must store one."""
    if depth > _MAX_WRAPPED:
        return "wraps estimators too deeply"
    names = _mro_names(est)
    inner = _delegate(est, names, {**_LABEL_DELEGATES, **_REGRESSOR_DELEGATES})
    if inner is not _NOTHING:
        if _TARGET_REGRESSOR in names:
            dim: Any = getattr(est, "_training_dim", None)
            if not (is_int(dim) and int(dim) == 1):
                return "transforms a target of more than one output"
        return _single_output_problem(inner, depth + 1)
    if _REGRESSOR not in names:
        return "holds an estimator that is not a regressor"
    if not names.isdisjoint(_MULTI_OUTPUT):
        return "holds a multi-output regressor"
    if not names.isdisjoint(_REGRESSOR_ENSEMBLES):
        subs: Any = getattr(est, "estimators_", None)
        if subs is None:
            return "holds an unfitted ensemble"
        if not isinstance(subs, (list, tuple)):
            return "holds an ensemble without a list of estimators"
        for sub in subs:
            problem = _single_output_problem(sub, depth + 1)
            if problem is not None:
                return problem
        return None
    attrs = _fitted_attrs(est)
    native = _native_outputs_problem(names, attrs)
    if native is not None:
        return native
    outputs = attrs.get("n_outputs_")
    if outputs is not None and not (is_int(outputs) and int(outputs) == 1):
        return "holds a regressor of more than one output"
    coef = attrs.get("coef_")
    if isinstance(coef, np.ndarray) and not (
        coef.ndim <= 1 or (coef.ndim == 2 and coef.shape[0] == 1)
    ):
        return "holds a regressor with coefficients for several outputs"
    for name in ("intercept_", "constant_"):
        value = attrs.get(name)
        if isinstance(value, np.ndarray) and value.size != 1:
            return f"holds a regressor whose {name} has several outputs"
    for owner, name in _OUTPUT_COLUMNS:
        value = attrs.get(name)
        if owner in names and isinstance(value, np.ndarray):
            if not (value.ndim == 1 or (value.ndim == 2 and value.shape[1] == 1)):
                return f"holds a regressor whose {name} has several outputs"
    for owner, name in _OUTPUT_SCALES:
        value = attrs.get(name)
        if owner in names and isinstance(value, np.ndarray) and value.size != 1:
            return f"holds a regressor whose {name} scales several outputs"
    return None


#: Fitted statistics ``predict`` multiplies or adds to every prediction: one value per
#: output, which numpy broadcasts. A Gaussian process's ``_y_train_std`` of shape (1000, 1)
#: turned each prediction into 1,000 rows of scores, which a multilabel one-vs-rest wrote
#: past its indicator matrix (rt42-08).
_OUTPUT_SCALES = (
    ("sklearn.gaussian_process._gpr:GaussianProcessRegressor", "_y_train_std"),
    ("sklearn.gaussian_process._gpr:GaussianProcessRegressor", "_y_train_mean"),
)


_XGBOOST = "xgboost.sklearn:XGBModel"
_LIGHTGBM_MODEL = "lightgbm.sklearn:LGBMModel"


def _native_outputs_problem(names: frozenset[str], attrs: dict[str, Any]) -> str | None:
    """Why an xgboost or LightGBM regressor (whose wrapper stores no output width) may
    predict more than one value per row, or ``None``: the width is its Booster's. xgboost's
    is ``max(num_class, num_target)`` of the learner's parameters (a 2-column ``y`` or
    ``multi_strategy`` trains ``num_target`` outputs, ``predict`` returns that many
    columns); LightGBM's is the model text's ``num_class`` (``predict`` reshapes to one
    column per class). The load asks the built Booster (``save_config()``,
    ``num_model_per_iteration()``, which ``lightgbm_text`` holds to ``num_class``); scan reads
    the blob and the text the stream holds, which the static pass checked."""
    if _XGBOOST in names:
        outputs = _xgboost_outputs(attrs.get("_Booster"))
    elif _LIGHTGBM_MODEL in names:
        outputs = _lightgbm_outputs(attrs.get("_Booster"))
    else:
        return None
    if outputs is None or outputs == 1:
        return None  # not fitted: predict raises
    return f"holds a regressor whose booster predicts {outputs} outputs"


def _xgboost_outputs(booster: Any) -> int | None:
    from safeload.trust import xgboost_model
    from safeload.trust.xgboost_wrapper import booster_model_param

    if booster is None:
        return None
    return xgboost_model.output_groups(booster_model_param(booster))


def _lightgbm_outputs(booster: Any) -> int | None:
    from safeload.trust.lightgbm_text import header_num_class

    if booster is None:
        return None
    if type(booster) is Shadow:
        text = state_item(booster, "_handle")
        if type(text) is not str:
            raise Unproven("the model text of a LightGBM Booster")
        found = header_num_class(text)
        require(found is not None, "a LightGBM model text without num_class")
        return found
    return int(booster.num_model_per_iteration())


def _fitted_attrs(est: Any) -> dict[str, Any]:
    """The instance attributes of ``est`` (a built object or a shadow)."""
    from safeload.trust.structures.widths import _has_dict

    found = vars(est) if _has_dict(est) else {}
    return found if type(found) is dict else {}


def _mro_names(est: Any) -> frozenset[str]:
    from safeload.trust.structures.names import class_names

    return class_names(est)


def _delegate(est: Any, names: frozenset[str], delegates: dict[str, str]) -> Any:
    """The estimator a wrapper answers with (a Pipeline's last step, or the attribute
    ``delegates`` names for one of its classes), or :data:`_NOTHING` for one that computes."""
    if _PIPELINE in names:
        steps: Any = getattr(est, "steps", None)
        require(
            isinstance(steps, list) and steps and isinstance(steps[-1], tuple),
            "a Pipeline without steps",
        )
        last: Any = steps[-1]
        require(len(last) == 2, "a Pipeline step is not a (name, estimator) pair")
        return last[1]
    for owner, attr in delegates.items():
        if owner in names:
            inner: Any = getattr(est, attr, None)
            require(inner is not None, f"a fitted {owner.split(':')[1]} without {attr}")
            return inner
    return _NOTHING


def _lightgbm_per_iteration(est: Any) -> int | None:
    """How many trees per iteration (raw-score columns) an LGBMClassifier's Booster has: a
    built one's ``num_model_per_iteration()``, scan's shadow's from its model text's header;
    ``None`` when it cannot be told."""
    from safeload.trust.shadow_values import Shadow

    booster: Any = vars(est).get("_Booster") if hasattr(est, "__dict__") else None
    if booster is None:
        return None
    if type(booster) is Shadow:
        from safeload.trust.lightgbm_text import header_num_class

        text = state_item(booster, "_handle")
        return header_num_class(text) if type(text) is str else None
    try:
        return int(booster.num_model_per_iteration())
    except Exception:
        return None


def _has_decision_function(est: Any) -> bool:
    """Whether the estimator's class defines ``decision_function`` (where scikit-learn makes
    it available only with a sub-estimator that has one, as if it did)."""
    cls = class_of(est)
    if not isinstance(cls, type):
        raise NeedsImport("a decision function of a class known by its facts")
    return getattr(cls, "decision_function", None) is not None


_RADIUS = "sklearn.neighbors._classification:RadiusNeighborsClassifier"
_LIGHTGBM = "lightgbm.sklearn:LGBMClassifier"


def _voter_problem(est: Any, depth: int = 0) -> str | None:
    """Why a VotingClassifier's fitted estimator may predict a label that is not among its
    ``classes_``, or ``None``. ``fit`` accepts only classifiers (scikit-learn refuses any other
    estimator), and a classifier's ``predict`` returns its ``classes_`` except where it says
    otherwise: a radius classifier's ``outlier_label_`` for a row with no neighbour (``fit``
    takes any label, but a voter's must be one of the codes), LightGBM's label encoder
    (``_le``, beside ``_classes``), a DummyClassifier's constant (``check_dummy``), and the
    classifiers :func:`check_label_sources` checks. Wrappers that predict with an estimator
    they hold are followed to it."""
    if depth > _MAX_WRAPPED:
        return "wraps estimators too deeply"
    names = _mro_names(est)
    inner = _delegate(est, names, _LABEL_DELEGATES)
    if inner is not _NOTHING:
        return _voter_problem(inner, depth + 1)
    if _CLASSIFIER not in names or _REGRESSOR in names or _CONSTANT in names:
        return "is not a classifier"
    if _RADIUS in names:
        outliers: Any = getattr(est, "outlier_label_", None)
        if outliers is not None and not _outliers_among_classes(outliers, _sub_classes(est)):
            return "predicts an outlier label that is not one of its classes"
    if _LIGHTGBM in names:
        encoder: Any = getattr(est, "_le", None)
        theirs: Any = getattr(encoder, "classes_", None)
        if not _labels_equal(theirs, _sub_classes(est)):
            return "predicts its label encoder's classes, not its classes_"
    return None


def _outliers_among_classes(outliers: Any, classes: Any) -> bool:
    """``fit`` stores one outlier label per output (a list); each must be one of that
    output's classes."""
    per_output = classes if isinstance(classes, list) else [classes]
    if not isinstance(outliers, (list, np.ndarray)) or len(outliers) != len(per_output):
        return False
    for label, labels in zip(list(outliers), per_output, strict=True):
        if not isinstance(labels, np.ndarray) or labels.ndim != 1:
            return False
        if isinstance(label, (list, tuple, np.ndarray)) or not bool(np.any(labels == label)):
            return False
    return True
