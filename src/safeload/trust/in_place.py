"""Estimators stored with an in-place parameter off: they write into the caller's data.

``StandardScaler(copy=False).transform(X)`` scales the caller's ``X`` where it lies, a
``LinearRegression(copy_X=False).fit(X, y)`` centers it, ``KMeans(copy_x=False).fit(X)``
subtracts its mean and adds it back (rt42-01, rt41-11's harm through an estimator's own
parameter instead of a stored keyword). Each such parameter is a bool that passes scikit-learn's
``_parameter_constraints``, so the rule is here: every estimator a model holds keeps its
in-place parameters (:data:`IN_PLACE_PARAMETERS`) at ``True``, and a parameter grid may not set
them otherwise (a search's refit runs on the caller's data).

One exception, which an honest fit makes: ``PowerTransformer.fit`` stores
``StandardScaler(copy=False)`` as its ``_scaler``, and hands it only arrays it made itself when
its own ``copy`` is true (``_check_input`` copies first). Such a sub-estimator is allowed where
:data:`PRIVATE_COPY_SLOTS` names its slot, the holder's copy parameter is true, and nothing
else in the model holds it (a second reference, a pipeline step say, would pass it the
caller's array). The load counts references in the graph it walked
(:func:`safeload.trust.usetime.check_use_time`); scan counts them in the stream
(:mod:`safeload.trust.shadow`): the same rule on what either side sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = [
    "IN_PLACE_PARAMETERS",
    "PRIVATE_COPY_SLOTS",
    "grid_value_problem",
    "in_place_problem",
    "private_slot_holders",
]

#: Estimator parameters that, stored with any value but true, make ``fit``, ``transform``,
#: ``predict`` or ``inverse_transform`` write into the array the caller passed (or, for
#: ``copy_X`` of a KernelPCA, keep it as the model's own training data to write later).
IN_PLACE_PARAMETERS = frozenset({"copy", "copy_X", "copy_x"})

#: Slots where an honest fit stores a sub-estimator with its copy parameter off, and the
#: holder parameter that, true, makes the holder hand it only private copies:
#: (holder class ``module:qualname``, slot) -> the holder's parameter. scikit-learn 1.9's
#: own fits store no other (every estimator fitted with its defaults was searched).
PRIVATE_COPY_SLOTS: dict[tuple[str, str], str] = {
    ("sklearn.preprocessing._data:PowerTransformer", "_scaler"): "copy",
}

#: Classes whose in-place parameter is used only under a condition on another parameter:
#: HDBSCAN's ``copy`` (default ``"warn"``, which means False) only with
#: ``metric="precomputed"``, where ``fit`` writes the mutual reachability into the caller's
#: distance matrix; any other metric computes a fresh one.
_ONLY_WHEN: dict[str, tuple[str, str, Any]] = {
    "sklearn.cluster._hdbscan.hdbscan:HDBSCAN": ("copy", "metric", "precomputed"),
}


def keeps_copy(value: Any) -> bool:
    """Whether a stored in-place parameter is true (a bool or numpy bool: what scikit-learn's
    ``"boolean"`` constraint takes)."""
    return type(value) in (bool, np.bool_) and bool(value)


def grid_value_problem(name: str, value: Any) -> str | None:
    """Why a parameter grid's candidate ``value`` for ``name`` (a key's last ``__`` part) is
    refused, or ``None``: ``fit`` sets it, and the refit runs on the caller's data."""
    if name in IN_PLACE_PARAMETERS and not keeps_copy(value):
        return f"is {value!r}: the refit estimator would write into the data fit is given"
    return None


def _parameter_problem(
    mro: frozenset[str], params: frozenset[str], state: dict[str, Any]
) -> str | None:
    """The in-place parameter among ``params`` (the class's constrained parameters) that
    ``state`` holds with a value other than true, or ``None``."""
    for name in sorted(IN_PLACE_PARAMETERS.intersection(params)):
        if name not in state or keeps_copy(state[name]):
            continue
        condition = next((c for owner, c in _ONLY_WHEN.items() if owner in mro), None)
        if condition is not None and condition[0] == name:
            other = state.get(condition[1])
            # a str subclass too: numpy.str_("precomputed") passes scikit-learn's constraint
            # and its ``metric == "precomputed"`` (rt44-01)
            if not (isinstance(other, str) and str(other) == condition[2]):
                continue
        return name
    return None


def private_slot_holders(
    instances: Iterable[Any], state_of: Callable[[Any], dict[str, Any] | None]
) -> dict[int, tuple[Any, str]]:
    """The objects held in a :data:`PRIVATE_COPY_SLOTS` slot of a holder whose copy parameter
    is true, by id: (the holder, the slot)."""
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of

    found: dict[int, tuple[Any, str]] = {}
    for obj in instances:
        mro = facts.mro_names(class_of(obj))
        for (owner, slot), parameter in PRIVATE_COPY_SLOTS.items():
            if owner not in mro:
                continue
            state = state_of(obj)
            if state is not None and slot in state and keeps_copy(state.get(parameter)):
                found[id(state[slot])] = (obj, slot)
    return found


def in_place_problem(
    instances: Iterable[Any],
    state_of: Callable[[Any], dict[str, Any] | None],
    held_once: Callable[[Any, Any, str], bool],
) -> tuple[Any, str, str] | None:
    """(the object, its parameter, why) for the first estimator among ``instances`` stored
    with an in-place parameter off, outside a private slot it alone holds; else ``None``.
    ``state_of`` gives an instance's attributes (``None`` when it has none);
    ``held_once(obj, holder, slot)`` says whether ``holder.slot`` is the only reference to
    ``obj`` in the model."""
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of

    candidates: list[tuple[Any, str]] = []
    for obj in instances:
        cls = class_of(obj)
        params = facts.constraint_names(cls)
        if params.isdisjoint(IN_PLACE_PARAMETERS):
            continue
        state = state_of(obj)
        if not state:
            continue
        name = _parameter_problem(facts.mro_names(cls), params, state)
        if name is not None:
            candidates.append((obj, name))
    if not candidates:
        return None
    private = private_slot_holders(instances, state_of)
    for obj, name in candidates:
        holder = private.get(id(obj))
        if holder is not None and held_once(obj, *holder):
            continue
        why = (
            f"is {_short(state_of(obj), name)}: kept so, the estimator's fit, transform or "
            f"predict writes into the caller's data (save it with {name}=True)"
        )
        if holder is not None:
            why += (
                "; its holder copies for the slot it sits in, but the model holds it elsewhere too"
            )
        return obj, name, why
    return None


def _short(state: dict[str, Any] | None, name: str) -> str:
    from safeload.trust.dtype_kinds import short

    return short(state.get(name)) if state is not None else "?"
