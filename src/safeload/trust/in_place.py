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

import functools
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from safeload.trust.dtype_kinds import short

__all__ = [
    "IN_PLACE_CONDITIONS",
    "IN_PLACE_PARAMETERS",
    "PRIVATE_COPY_SLOTS",
    "conditions_of",
    "grid_in_place_problem",
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

#: One in-place condition: (parameter, test) pairs that must all hold. A test is ``None`` for
#: "anything but true" (:func:`keeps_copy` false), the str the value equals (a str subclass
#: too: numpy.str_("precomputed") passes scikit-learn's ``StrOptions`` and its ``==``, rt44-01),
#: or a float the value is at least (a value that is no number could be anything: it meets it).
Condition = tuple[tuple[str, "str | float | None"], ...]

#: Classes that write into the caller's data under a condition on their parameters, by
#: ``module:qualname`` of the class (or a base). A class named here is judged by its rows
#: alone for the parameters they name; an in-place parameter (:data:`IN_PLACE_PARAMETERS`) they
#: do not name keeps the plain rule (off is refused).
#:
#: * HDBSCAN's ``copy`` (default ``"warn"``, which means False) matters only with
#:   ``metric="precomputed"``: ``fit`` writes the mutual reachability into the caller's
#:   distance matrix; any other metric computes a fresh one (rt42-01, rt44-01).
#: * TSNE with ``method="exact"`` and ``metric="precomputed"`` takes the validated input as
#:   its distances (not copied when the caller's matrix is already float64) and squares it
#:   in place, ``distances **= 2``; no copy parameter is involved (rt44-08).
#: * Coordinate descent's cross-validated models (LassoCV, ElasticNetCV and the multi-task
#:   ones) and MultiTaskElasticNet/MultiTaskLasso with ``fit_intercept`` not true: ``fit``
#:   passes ``copy_X and fit_intercept`` on, so with a ``sample_weight`` its ``_pre_fit``
#:   rescales the rows of the caller's Fortran-ordered ``X`` in place (scikit-learn's own
#:   ``# TODO: Sample_weights?``), whatever ``copy_X`` says.
#: * OneClassSVM with ``nu`` of 0.999 or more (scikit-learn takes ``0 < nu <= 1``): with
#:   uneven sample weights, libsvm's start of the one-class solver spreads ``nu * sum(C)``
#:   over the samples until nothing is left, and at ``nu = 1`` a rounding remainder runs it
#:   past its arrays (``fit`` aborts with a corrupted heap); below 0.999 the margin is
#:   ``0.001 * sum(C)``, far above any rounding.
#:
#: (The last two are not the file's doing: an honest model so made does it too. A model that
#: fits into a heap corruption, or rescales its caller's data, is refused all the same.)
IN_PLACE_CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "sklearn.cluster._hdbscan.hdbscan:HDBSCAN": ((("copy", None), ("metric", "precomputed")),),
    "sklearn.manifold._t_sne:TSNE": ((("metric", "precomputed"), ("method", "exact")),),
    "sklearn.linear_model._coordinate_descent:LinearModelCV": ((("fit_intercept", None),),),
    "sklearn.linear_model._coordinate_descent:MultiTaskElasticNet": ((("fit_intercept", None),),),
    "sklearn.svm._classes:OneClassSVM": ((("nu", 0.999),),),
}

#: What meeting a row of :data:`IN_PLACE_CONDITIONS` does, where it is not a write into the
#: caller's data.
_HARM: dict[str, str] = {
    "sklearn.svm._classes:OneClassSVM": "fit with uneven sample weights corrupts the heap",
}

#: A parameter a grid or distribution sets to a value the rule cannot list (a scipy
#: distribution, a dict, a str sampled by index...): it could be anything.
_ANY: Any = object()
#: A parameter the estimator does not hold: ``fit`` reading it raises.
_ABSENT: Any = object()

_SEARCH = "sklearn.model_selection._search:BaseSearchCV"

#: Attributes holding ``(name, estimator, ...)`` items whose names address the estimators in
#: ``set_params`` keys (Pipeline, FeatureUnion, ColumnTransformer, Voting and Stacking).
_NAMED = ("steps", "transformer_list", "transformers", "estimators")


def keeps_copy(value: Any) -> bool:
    """Whether a stored in-place parameter is true (a bool or numpy bool: what scikit-learn's
    ``"boolean"`` constraint takes)."""
    return type(value) in (bool, np.bool_) and bool(value)


def grid_value_problem(name: str, value: Any) -> str | None:
    """Why a parameter grid's candidate ``value`` for ``name`` (a key's last ``__`` part) is
    refused, or ``None``: ``fit`` sets it, and the refit runs on the caller's data."""
    if name in IN_PLACE_PARAMETERS and not keeps_copy(value):
        return f"is {short(value)}: the refit estimator would write into the data fit is given"
    return None


def conditions_of(mro: frozenset[str], params: frozenset[str]) -> tuple[Condition, ...]:
    """The in-place conditions of a class (its ``module:qualname`` set ``mro``, its
    constrained parameters ``params``): its :data:`IN_PLACE_CONDITIONS` rows, and "off" for
    each in-place parameter those rows do not name."""
    rows = tuple(c for owner, cs in IN_PLACE_CONDITIONS.items() if owner in mro for c in cs)
    named = {name for condition in rows for name, _test in condition}
    plain = tuple(
        ((name, None),) for name in sorted(IN_PLACE_PARAMETERS.intersection(params) - named)
    )
    return plain + rows


def _meets(test: str | float | None, value: Any) -> bool:
    if value is _ANY:
        return True
    if value is _ABSENT:
        return False
    if test is None:
        return not keeps_copy(value)
    if isinstance(test, float):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
            return True  # no number: scikit-learn may refuse it, but this rule cannot tell
        try:
            return bool(float(value) >= test)
        except (TypeError, ValueError, OverflowError):
            return True
    return isinstance(value, str) and str(value) == test


def _could_hold(condition: Condition, values: Callable[[str], list[Any]]) -> bool:
    """Whether some value each parameter could take meets its test (a grid's keys vary
    independently: the product of their candidates is tried)."""
    return all(any(_meets(test, v) for v in values(name)) for name, test in condition)


def _stored(state: dict[str, Any], name: str) -> list[Any]:
    return [state[name]] if name in state else [_ABSENT]


def _conditions(cls: Any) -> tuple[Condition, ...]:
    from safeload.trust import facts

    return conditions_of(facts.mro_names(cls), facts.constraint_names(cls))


def _describe(condition: Condition, values: Callable[[str], list[Any]]) -> str:
    from safeload.trust.dtype_kinds import short

    parts = []
    for name, _test in condition:
        shown = ["any value" if v is _ANY else short(v) for v in values(name) if v is not _ABSENT]
        parts.append(f"{name}={' or '.join(shown) or '?'}")
    return ", ".join(parts)


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
    so that it writes into the caller's data (an in-place parameter off, or another
    :data:`IN_PLACE_CONDITIONS` row holding), outside a private slot it alone holds; else
    the first search whose parameter grid could make one so (:func:`grid_in_place_problem`);
    else ``None``. ``state_of`` gives an instance's attributes (``None`` when it has none);
    ``held_once(obj, holder, slot)`` says whether ``holder.slot`` is the only reference to
    ``obj`` in the model."""
    from safeload.trust.shadow_values import class_of

    instances = list(instances)
    conditional: list[tuple[Any, tuple[Condition, ...], dict[str, Any]]] = []
    candidates: list[tuple[Any, str, Condition]] = []
    known: dict[int, tuple[Any, tuple[Condition, ...]]] = {}
    for obj in instances:
        cls = class_of(obj)
        seen = known.get(id(cls))
        if seen is None or seen[0] is not cls:
            seen = known[id(cls)] = (cls, _conditions(cls))
        conditions = seen[1]
        if not conditions:
            continue
        state = state_of(obj)
        if not state:
            continue
        conditional.append((obj, conditions, state))
        for condition in conditions:
            if _could_hold(condition, functools.partial(_stored, state)):
                candidates.append((obj, condition[0][0], condition))
                break
    if not conditional:
        return None
    private = private_slot_holders(instances, state_of) if candidates else {}
    for obj, name, condition in candidates:
        holder = private.get(id(obj))
        if holder is not None and len(condition) == 1 and held_once(obj, *holder):
            continue
        state = state_of(obj) or {}
        if len(condition) == 1 and condition[0][1] is None:
            why = (
                f"is {_short(state, name)}: kept so, the estimator's fit, transform or "
                f"predict writes into the caller's data (save it with {name}=True)"
            )
        else:
            why = (
                f"holds {_describe(condition, functools.partial(_stored, state))}: so set, "
                f"{_harm_of(obj)}"
            )
        if holder is not None:
            why += (
                "; its holder copies for the slot it sits in, but the model holds it elsewhere too"
            )
        return obj, name, why
    return grid_in_place_problem(instances, state_of, conditional)


def _harm_of(obj: Any) -> str:
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of

    mro = facts.mro_names(class_of(obj))
    for owner, harm in _HARM.items():
        if owner in mro:
            return f"the estimator's {harm}"
    return "the estimator's fit writes into the caller's data"


def grid_in_place_problem(
    instances: list[Any],
    state_of: Callable[[Any], dict[str, Any] | None],
    conditional: list[tuple[Any, tuple[Condition, ...], dict[str, Any]]],
) -> tuple[Any, str, str] | None:
    """(the search, its grid attribute, why) for the first search among ``instances`` whose
    ``param_grid`` or ``param_distributions`` could set an estimator's parameters so that
    one of its conditions holds (``conditional``: the estimators that have conditions, with
    their conditions and state); the refit runs on the caller's data. A key addresses the
    estimator its ``step__...__param`` path names from the search's ``estimator`` (step names
    first, then attributes); the grid's candidates for it replace the stored value. A key
    whose path cannot be followed exactly (a step the grid itself replaces, a name the model
    does not hold, a search inside another search) could address any of them: its candidates
    join the stored value. A candidate list is read item by item; anything else (a scipy
    distribution, a str, a dict) could be any value."""
    from safeload.trust import facts
    from safeload.trust.shadow_values import class_of

    searches = [obj for obj in instances if _SEARCH in facts.mro_names(class_of(obj))]
    if not searches:
        return None
    wanted = {name for _obj, cs, _state in conditional for c in cs for name, _test in c}
    for search in searches:
        state = state_of(search)
        if not state:
            continue
        root = state.get("estimator", _ABSENT) if len(searches) == 1 else _ABSENT
        for grid_name in ("param_grid", "param_distributions"):
            if grid_name not in state:
                continue
            why = _grid_problem(state[grid_name], root, wanted, conditional, state_of)
            if why is not None:
                return search, grid_name, why
    return None


def _grid_problem(
    grid: Any,
    root: Any,
    wanted: set[str],
    conditional: list[tuple[Any, tuple[Condition, ...], dict[str, Any]]],
    state_of: Callable[[Any], dict[str, Any] | None],
) -> str | None:
    if isinstance(grid, dict):
        grids = [grid]
    elif type(grid) in (list, tuple):
        grids = [one for one in grid if isinstance(one, dict)]  # scikit-learn refuses others
    else:
        return "is a grid the rule on in-place estimators cannot read"
    for one in grids:
        keys = list(one)
        if not all(isinstance(key, str) for key in keys):
            return "has a key that is not a parameter name"
        if any(key.rpartition("__")[2] in ("param_grid", "param_distributions") for key in keys):
            # a grid that sets a search's own grid: not followed
            return "sets a search's grid, which the rule on in-place estimators does not follow"
        exact: dict[tuple[int, str], list[Any]] = {}
        loose: dict[str, list[Any]] = {}
        for key in keys:
            path = key.split("__")
            name = path[-1]
            if name not in wanted:
                continue
            values = _candidates(one[key])
            target = _target(root, path[:-1], set(keys), state_of)
            if target is _ABSENT:
                loose.setdefault(name, []).extend(values)
            else:
                exact.setdefault((id(target), name), []).extend(values)
        if not exact and not loose:
            continue
        for obj, conditions, state in conditional:
            could = functools.partial(_grid_values, exact, loose, id(obj), state)
            for condition in conditions:
                if _could_hold(condition, could):
                    from safeload.trust import facts
                    from safeload.trust.shadow_values import class_of

                    harm = _harm_of(obj).replace("the estimator's ", "", 1)
                    return (
                        f"could set a {facts.qualname(class_of(obj))} to "
                        f"{_describe(condition, could)}: in the refit, {harm}"
                    )
    return None


def _grid_values(
    exact: dict[tuple[int, str], list[Any]],
    loose: dict[str, list[Any]],
    key: int,
    state: dict[str, Any],
    name: str,
) -> list[Any]:
    """What parameter ``name`` of the estimator (``id`` ``key``, attributes ``state``) could
    be after the grid sets it: the candidates of the keys that address it, else its stored
    value, and the candidates of the keys that could address it."""
    set_here = exact.get((key, name))
    base = set_here if set_here is not None else _stored(state, name)
    return base + loose.get(name, [])


def _candidates(value: Any) -> list[Any]:
    """The values a grid's or distribution's entry could give: a list's or tuple's items, a
    1-d array's; anything else could give any value."""
    if type(value) in (list, tuple):
        return list(value)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return list(value)
    return [_ANY]


def _target(
    root: Any, path: list[str], keys: set[str], state_of: Callable[[Any], dict[str, Any] | None]
) -> Any:
    """The object ``step__...`` (``path``) names from ``root`` as ``set_params`` follows it,
    or :data:`_ABSENT` when that is not exact."""
    current = root
    prefix = ""
    for part in path:
        if current is _ABSENT:
            return _ABSENT
        if any(f"{prefix}{attr}" in keys for attr in _NAMED):
            return _ABSENT  # the grid replaces the list the names come from
        prefix = f"{prefix}{part}__"
        if prefix[:-2] in keys:
            return _ABSENT  # the grid replaces this step
        current = _child(current, part, state_of)
    return current


def _named(name: Any, part: str) -> bool:
    return isinstance(name, str) and str(name) == part


def _child(obj: Any, part: str, state_of: Callable[[Any], dict[str, Any] | None]) -> Any:
    state = state_of(obj)
    if not state:
        return _ABSENT
    named = []
    for attr in _NAMED:
        items = state.get(attr)
        if isinstance(items, (list, tuple)) and type(items) in (list, tuple):
            for item in items:
                if type(item) in (list, tuple) and len(item) >= 2 and _named(item[0], part):
                    named.append(item[1])
    if len(named) == 1 and part not in state:
        return named[0]
    if not named and part in state:
        return state[part]
    return _ABSENT


def _short(state: dict[str, Any] | None, name: str) -> str:
    from safeload.trust.dtype_kinds import short

    return short(state.get(name)) if state is not None else "?"
