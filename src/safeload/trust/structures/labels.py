"""The labels classifiers predict and the counts that size their outputs: a VotingClassifier's
sub-estimators' codes, the dummy estimators' constants and output counts, and the meta-classifiers
that return another object's ``classes_``."""

from __future__ import annotations

from typing import Any

import numpy as np

from safeload.trust.shadow_values import class_of
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
