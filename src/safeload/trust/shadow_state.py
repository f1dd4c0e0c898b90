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
