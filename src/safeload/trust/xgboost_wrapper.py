"""xgboost's scikit-learn wrappers held to their Booster: what a wrapper stores beside the
Booster must be what the Booster says.

``XGBClassifier`` keeps ``n_classes_`` as a plain attribute (``fit`` stores
``len(np.unique(y))``; xgboost's own ``load_model`` reads it from the Booster's ``num_class``,
2 for a binary objective), and its ``classes_`` is the property ``np.arange(n_classes_)``,
which scikit-learn's scorers, ``predict_proba`` and every meta-estimator read. Nothing else
bounds it: a 5 KB binary classifier saying ``n_classes_=2**31`` made ``classes_`` allocate
16 GB (rt45-03). So ``n_classes_`` must be the Booster's ``num_class`` for a multiclass
objective, and 1 or 2 otherwise (2 for binary labels, 1 for labels of one class).

The same function judges a built wrapper (its Booster's ``save_config()``) and scan's shadow
of one (the blob the stream holds, whose ``learner_model_param`` the static pass checked and
holds ``Config`` to), as the one-output rule does
(:func:`safeload.trust.structures.labels._xgboost_outputs`), so ``load`` and ``scan`` agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from safeload.trust import xgboost_model
from safeload.trust.shadow_values import Shadow, Unproven, state_item
from safeload.trust.xgboost_ubj import UBJError

__all__ = ["XGB_MODEL", "booster_model_param", "wrapper_problem"]

#: The base of xgboost's scikit-learn wrappers, as ``module:qualname``.
XGB_MODEL = "xgboost.sklearn:XGBModel"


def booster_model_param(booster: Any) -> dict[str, Any]:
    """``learner_model_param`` of an xgboost Booster: a built one's ``save_config()``, or,
    for scan's shadow of one, its blob's (raises :class:`Unproven` where the stream does not
    hold the blob's bytes)."""
    if type(booster) is Shadow:
        blob = state_item(booster, "handle")
        if not isinstance(blob, (bytes, bytearray, memoryview)):
            raise Unproven("the model blob of an xgboost Booster")
        return xgboost_model.blob_model_param(blob)
    import json

    config = json.loads(booster.save_config())
    param = config["learner"]["learner_model_param"]
    if not isinstance(param, dict):
        raise UBJError("learner_model_param is not a dict")
    return param


def wrapper_problem(names: frozenset[str], state: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(attribute, problem)`` for the instance attributes ``state`` of an object whose class
    (and bases) are ``names`` (``module:qualname``), or ``None``: an xgboost wrapper's
    ``n_classes_`` must be its Booster's (rt45-03)."""
    if XGB_MODEL not in names or "n_classes_" not in state:
        return None
    from safeload.trust.structures.common import is_int

    stored = state["n_classes_"]
    booster = state.get("_Booster")
    if booster is None:
        return "n_classes_", (
            "is stored without a Booster (an unfitted wrapper has neither): classes_ is "
            "np.arange(n_classes_)"
        )
    num_class = xgboost_model.param_num_class(booster_model_param(booster))
    wanted = (num_class,) if num_class >= 2 else (1, 2)
    if is_int(stored) and int(stored) in wanted:
        return None
    said = f"num_class {num_class}" if num_class >= 2 else "a binary or regression objective"
    return "n_classes_", (
        f"is {repr(stored)[:40]}, but its Booster has {said} ({' or '.join(map(str, wanted))} "
        "classes): classes_ is np.arange(n_classes_), which scorers and predict_proba read"
    )
