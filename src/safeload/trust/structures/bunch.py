"""Where a scikit-learn ``Bunch`` may be held.

A ``Bunch`` answers any attribute its type lacks with the item of that name, so in a place
where a method expects an array it answers ``shape``, ``dtype``, ``size`` or a numpy protocol
with whatever the file stored: rt52-03 (``__array_interface__``) and rt53-07 (``shape``, sizing
an allocation) were two of the names. Rather than list the names a method might read,
safeload admits a Bunch only where scikit-learn keeps one: as the ``named_estimators_`` of a
voting or stacking ensemble (``_BaseHeterogeneousEnsemble``), or as the loaded object itself
(a dataset, from ``sklearn.datasets``).
"""

from __future__ import annotations

from typing import Any

from safeload.trust.structures.names import class_names

_BUNCH = "sklearn.utils._bunch:Bunch"
_ENSEMBLE = "sklearn.ensemble._base:_BaseHeterogeneousEnsemble"
#: The one attribute an ensemble keeps its Bunch in.
_ATTRIBUTE = "named_estimators_"


def _own_attribute(holder: Any, name: str) -> Any:
    """``holder``'s own ``name`` from its instance dict (a built object or a shadow), or
    ``None``: a property or a class attribute is not where the file put the Bunch."""
    try:
        found = vars(holder)
    except TypeError:
        return None
    return found.get(name) if type(found) is dict else None


def bunch_place_problem(root: Any, edges: dict[int, list[int]], instances: list[Any]) -> str | None:
    """Why the model is refused for a ``Bunch`` held other than where scikit-learn keeps one,
    or ``None``. ``root`` and ``edges`` (id -> ids of what it holds, once per reference) are
    the load's use-time walk or scan's shadow graph; ``instances`` what either reached. A Bunch
    other than the root must be held once, as an ensemble's own ``named_estimators_``."""
    bunches = {id(o) for o in instances if _BUNCH in class_names(o)}
    bunches.discard(id(root))
    if not bunches:
        return None
    by_id = {id(o): o for o in instances}
    held: dict[int, int] = {}
    for key, kids in edges.items():
        for kid in kids:
            if kid not in bunches:
                continue
            held[kid] = held.get(kid, 0) + 1
            holder = by_id.get(key)
            if (
                held[kid] > 1
                or holder is None
                or _ENSEMBLE not in class_names(holder)
                or id(_own_attribute(holder, _ATTRIBUTE)) != kid
            ):
                return (
                    "a scikit-learn Bunch held other than once, as a voting or stacking "
                    "ensemble's named_estimators_: a Bunch answers any attribute with its "
                    "items, so where a method reads an array's shape or dtype it would read "
                    "the file's values"
                )
    return None
