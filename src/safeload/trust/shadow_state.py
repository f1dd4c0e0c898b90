"""What a BUILD gives an instance, as far as a scan models it without running the class.

:func:`dict_state` gives the attributes an instance of a class gets from a state, for the
classes whose ``__setstate__`` is ``object``'s or ends in a plain ``__dict__`` update (with the
fix-ups that matter to a check); :func:`shadowable` says which classes a shadow may stand for
from their facts alone.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from safeload.trust.facts import ClassFacts
from safeload.trust.shadow_values import is_real

TREE = ("sklearn.tree._tree", "Tree")


#: Classes whose own ``__setstate__`` ends in a plain ``__dict__`` update (any fix-ups it makes
#: afterwards are modelled in :meth:`shadow_builder.Builder._object` or do not matter to a
#: check).
_SETSTATE_UPDATES_DICT = frozenset(
    {
        "sklearn.base.BaseEstimator",  # drops _sklearn_version, warns
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",  # casts nodes
        "sklearn.isotonic.IsotonicRegression",  # rebuilds its interpolation function
        "scipy.sparse._coo.coo_matrix",  # renames row/col to coords
    }
)
#: Classes whose ``__setstate__`` leaves the instance ``__dict__`` empty: a Bunch ignores the
#: state (it keeps its items as a dict), numpy's random generators keep theirs natively.
_SETSTATE_IGNORES = frozenset(
    {
        "sklearn.utils._bunch.Bunch",
        "numpy.random.mtrand.RandomState",
        "numpy.random._generator.Generator",
        "numpy.random.bit_generator.BitGenerator",
        "numpy.random.bit_generator.SeedSequence",
    }
)
_PREDICTOR = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def dict_state(cls: type, state: Any) -> dict[str, Any] | None:
    """The attributes a BUILD with ``state`` gives an instance of ``cls``, when that is plain:
    the default ``__setstate__`` (a dict, or a dict and slots) or one that updates the dict
    (scikit-learn's drops ``_sklearn_version``). ``None`` when the class's own
    ``__setstate__`` decides in a way this module does not model."""
    owner = next((k for k in cls.__mro__ if "__setstate__" in vars(k)), object)
    if _qualified(owner) in _SETSTATE_IGNORES:
        return {}
    if not (owner is object or _qualified(owner) in _SETSTATE_UPDATES_DICT):
        return None
    attrs = plain_state(state, drop_version=False)
    if attrs is None:
        return None
    if "_sklearn_version" in attrs and issubclass(cls, _base_estimator()):
        del attrs["_sklearn_version"]
    if _qualified(owner) == _PREDICTOR:
        from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE

        nodes: Any = attrs.get("nodes")
        if is_real(nodes, np.ndarray) and nodes.dtype != PREDICTOR_RECORD_DTYPE:
            attrs["nodes"] = nodes.astype(PREDICTOR_RECORD_DTYPE, casting="same_kind")
    if _qualified(owner) == "scipy.sparse._coo.coo_matrix" and "coords" not in attrs:
        attrs["coords"] = (attrs.pop("row", None), attrs.pop("col", None))
    return attrs


def plain_state(state: Any, *, drop_version: bool) -> dict[str, Any] | None:
    """The attributes a default ``__setstate__`` (or ``BaseEstimator``'s, ``drop_version``)
    gives an instance from ``state``: a dict, or a dict and slots; ``None`` for another form."""
    if state is None:
        return {}
    if is_real(state, tuple) and len(state) == 2:
        main, slots = state
        merged = dict(main) if is_real(main, dict) else {} if main is None else None
        if merged is None or not (slots is None or is_real(slots, dict)):
            return None
        merged.update(slots or {})
        state = merged
    if not is_real(state, dict):
        return None
    attrs = dict(state)
    if drop_version:
        attrs.pop("_sklearn_version", None)
    return attrs


BASE_ESTIMATOR = "sklearn.base:BaseEstimator"
#: The ``__setstate__`` owners whose effect :func:`plain_state` models exactly.
_PLAIN_SETSTATE = frozenset({"builtins.object", "sklearn.base.BaseEstimator"})


def shadowable(cls: ClassFacts) -> bool:
    """Whether a shadow may stand for instances of the class with its facts alone: a
    scikit-learn class with a ``__dict__``, the default metaclass and a ``__setstate__`` of
    ``object`` or ``BaseEstimator``, none of the classes
    :meth:`shadow_builder.Builder._object` treats specially (decision trees' ``Tree``, HGB
    predictors, random states are not)."""
    return (
        cls.module.startswith("sklearn.")
        and cls.has_dict
        and cls.plain_meta
        and cls.setstate_owner in _PLAIN_SETSTATE
        and (cls.module, cls.qualname) != TREE
    )


@functools.lru_cache(maxsize=1)
def _base_estimator() -> type:
    try:
        from sklearn.base import BaseEstimator
    except ImportError:  # pragma: no cover
        return type("NoEstimator", (), {})
    base: type = BaseEstimator
    return base


_ISOTONIC = "sklearn.isotonic.IsotonicRegression"
#: The most bytes of thresholds a scan hands to scipy's ``interp1d`` to see whether it raises
#: (larger ones are held to its shape rules only, and those of a dtype other than a number's
#: are unproven).
_MAX_INTERP_BYTES = 16 << 20


def setstate_failure(owner: str, attrs: dict[str, Any] | None) -> str | None:
    """Why the class's own ``__setstate__`` raises on ``attrs`` (so a load fails on the BUILD),
    when the pass can tell. IsotonicRegression's rebuilds ``f_`` with
    ``interp1d(X_thresholds_, y_thresholds_)``, which raises on thresholds of unequal lengths
    or other shapes (rt36-03)."""
    if owner != _ISOTONIC or attrs is None:
        return None
    if "X_thresholds_" not in attrs or "y_thresholds_" not in attrs:
        return None  # _build_f is not called
    x, y = attrs["X_thresholds_"], attrs["y_thresholds_"]
    what = "IsotonicRegression's __setstate__ rebuilding f_ from its thresholds"
    if "out_of_bounds" not in attrs:
        return f"{what} reads out_of_bounds, which the state does not set: a load fails"
    if not all(_plain_array(v) for v in (x, y)):
        # interp1d of anything else (a sparse matrix, a set, a str, an object array, a
        # random state) is not modelled; no fit stores one, and every load seen fails on it,
        # some with a raw TypeError inside a check (found by fuzz/parity_states.py)
        return f"{what}: unproven: thresholds that are not plain numeric arrays"
    xa, ya = np.asarray(x), np.asarray(y)
    problem = _interp_shape_problem(xa, ya)
    if problem is None:
        if xa.nbytes + ya.nbytes <= _MAX_INTERP_BYTES:
            from scipy.interpolate import interp1d

            try:  # the load's own call, on the arrays it would build (numbers or strings)
                interp1d(xa, ya, kind="linear", bounds_error=None)
            except Exception as exc:
                problem = f"{type(exc).__name__}: {str(exc)[:80]}"
        elif not all(v.dtype.kind in "biuf" for v in (xa, ya)):
            problem = "unproven: large thresholds of a dtype other than a number's"
    return f"{what}: {problem}; a load fails" if problem else None


def _plain_array(value: Any) -> bool:
    """A real array of a dtype without objects, or an object array, list or tuple of atoms
    (numbers, strings, numpy scalars: the load's interp1d takes them too), or an atom."""
    if is_real(value, np.ndarray):
        if not value.dtype.hasobject:
            return True
        if value.dtype != object or value.size > _MAX_OBJECT_ITEMS:
            return False
        value = value.ravel().tolist()
    if type(value) in (list, tuple):
        return len(value) <= _MAX_OBJECT_ITEMS and all(_atom(v) for v in value)
    return value is None or type(value) in (bool, int, float)


#: The most items of an object array or list of thresholds the pass looks through.
_MAX_OBJECT_ITEMS = 1 << 16


def _atom(value: Any) -> bool:
    """A number or string, or a numpy scalar of a dtype without objects."""
    if type(value) in (bool, int, float, str):
        return True
    return is_real(value, np.generic) and not value.dtype.hasobject


def _interp_shape_problem(x: np.ndarray, y: np.ndarray) -> str | None:
    """The shape rules ``len(y)`` and ``interp1d(x, y)`` apply (scipy's ``_set_yi`` and
    ``interp1d.__init__``), and the load's rule on ``f_``: ``None`` when the shapes pass
    them."""
    if y.ndim == 0:
        return "len() of a 0-d y_thresholds_"
    if len(y) == 1:
        # a constant prediction: f_ is a lambda, which the load's "rebuilt" row refuses (it
        # takes interp1d only; found with rt36-03)
        return "one y threshold makes f_ a lambda, not the interp1d the load accepts"
    if x.ndim == 0:
        return "len() of a 0-d X_thresholds_"
    if y.shape[-1] != len(x):
        return "x and y arrays must be equal in length along interpolation axis"
    if x.ndim != 1:
        return "the x array must have exactly one dimension"
    if len(x) < 1:
        return "x and y arrays must have at least 1 entries"
    return None
