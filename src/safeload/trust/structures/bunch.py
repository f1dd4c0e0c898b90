"""Where a scikit-learn ``Bunch`` may be held.

A ``Bunch`` answers any attribute its type lacks with the item of that name, so in a place
where a method expects an array it answers ``shape``, ``dtype``, ``size`` or a numpy protocol
with whatever the file stored: rt52-03 (``__array_interface__``) and rt53-07 (``shape``, sizing
an allocation) were two of the names. Rather than list the names a method might read,
safeload admits a Bunch only where scikit-learn keeps one: as the ``named_estimators_`` of a
voting or stacking ensemble (``_BaseHeterogeneousEnsemble``), or as data the loaded object holds
outside any other instance (a dataset from ``sklearn.datasets``, a result beside a model).
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


def reachable_from(starts: list[int], edges: dict[int, list[int]]) -> set[int]:
    """The ids below ``starts`` along ``edges`` (the starts themselves only if reached)."""
    seen: set[int] = set()
    stack = list(starts)
    while stack:
        for kid in edges.get(stack.pop(), ()):
            if kid not in seen:
                seen.add(kid)
                stack.append(kid)
    return seen


def _top_region(root: Any, edges: dict[int, list[int]], by_id: dict[int, Any]) -> set[int]:
    """The ids reached from ``root`` without entering an instance other than a Bunch: the
    plain containers (lists, tuples, dicts, object arrays) and Bunches the loaded object holds
    as data, which only the caller's own code reads."""
    top = by_id.get(id(root))
    if top is not None and _BUNCH not in class_names(top):
        return set()  # (the loaded object is an instance: what it holds, its methods read)
    region = {id(root)}
    stack = [id(root)]
    while stack:
        for kid in edges.get(stack.pop(), ()):
            obj = by_id.get(kid)
            if kid in region or (obj is not None and _BUNCH not in class_names(obj)):
                continue
            region.add(kid)
            stack.append(kid)
    return region


def bunch_place_problem(root: Any, edges: dict[int, list[int]], instances: list[Any]) -> str | None:
    """Why the model is refused for a ``Bunch`` held other than where scikit-learn keeps one,
    or ``None``. ``root`` and ``edges`` (id -> ids of what it holds, once per reference) are
    the load's use-time walk or scan's shadow graph; ``instances`` what either reached. A Bunch
    must be held as an ensemble's own ``named_estimators_`` (once by that ensemble), or as data
    the loaded object holds outside every other instance: the root itself, or in the plain
    containers around a model (``{"model": clf, "importances": permutation_importance(...)}``,
    rt54-10), where no method of a model reads it."""
    bunches = {id(o) for o in instances if _BUNCH in class_names(o)}
    if not bunches - {id(root)}:
        return None
    by_id = {id(o): o for o in instances}
    # (a container the root holds and an instance holds too is the instance's: an estimator's
    # coefs_ may be the very list beside it that holds the Bunch)
    owned = reachable_from(
        [key for key, obj in by_id.items() if _BUNCH not in class_names(obj)], edges
    )
    region = _top_region(root, edges, by_id) - owned
    held: dict[tuple[int, int], int] = {}
    for key, kids in edges.items():
        for kid in kids:
            if kid not in bunches or key in region:
                continue
            held[key, kid] = held.get((key, kid), 0) + 1
            holder = by_id.get(key)
            if (
                held[key, kid] > 1
                or holder is None
                or _ENSEMBLE not in class_names(holder)
                or id(_own_attribute(holder, _ATTRIBUTE)) != kid
            ):
                return (
                    "a scikit-learn Bunch held by an object other than as a voting or stacking "
                    "ensemble's named_estimators_: a Bunch answers any attribute with its items, "
                    "so where a method reads an array's shape or dtype it would read the file's "
                    "values"
                )
    return None


def without_bunch_edges(
    root: int, edges: dict[int, list[int]], instances: list[Any]
) -> dict[int, list[int]]:
    """``edges`` without what a ``Bunch`` other than the root holds: the graph a model's own
    output methods walk. A Bunch is admitted only as an ensemble's ``named_estimators_``
    (:func:`bunch_place_problem`), which no ``predict`` or ``transform`` reads (they iterate
    ``estimators_``), or as data outside every instance. Counted through it, an estimator of
    three nested voting and stacking ensembles was met 8 times (rt59-07)."""
    bunches = {id(o) for o in instances if _BUNCH in class_names(o)} - {root}
    if not bunches:
        return edges
    return {key: ([] if key in bunches else kids) for key, kids in edges.items()}
