"""The sharing bound on what a stream stores, before anything is built.

A frozenset whose items are a frozenset and a tuple of it, nested k times, is 2**k items to every
recursive walk (and to the C unpickler when it hashes such a value as a dict key, f03).
:func:`stored_sharing_problem` applies the load's bound (:mod:`safeload.trust.sharing`) to the
stream's literal containers; :func:`hashes_containers` says whether a load must run it first.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_sharing_problem", "hashes_containers", "stored_sharing_problem"]


def build_sharing_problem(analysis: Any) -> str | None:
    """The stored-sharing rule as a load applies it, for scan and load alike: only when the
    stream hashes a container (:func:`hashes_containers`), the one case where the C unpickler
    walks a shared value while building; otherwise the use-time bound on what was built (on
    the shadow graph for scan) judges sharing. One rule in one place, so that scan does not
    refuse with this cap (no references counted) a list DAG the load loads (rt54-03)."""
    return stored_sharing_problem(analysis) if hashes_containers(analysis) else None


def stored_sharing_problem(analysis: Any) -> str | None:
    """:func:`_sharing_problem` on what ``analysis`` stored: linear, so a load can run it too,
    before the C unpickler hashes a dict key (a tuple DAG as a key hashes in 2**k steps, f03).
    Call it in :func:`safeload.pickle.walker.analyze` before ``stored`` is dropped."""
    return _sharing_problem([items for _pos, _target, items in analysis.stored])


def hashes_containers(analysis: Any) -> bool:
    """Whether the stream hashes a container (a tuple or frozenset as a dict key or set item,
    directly or through a call to a dict or set constructor): the only way the C unpickler
    itself walks a shared value (f03). A load runs :func:`stored_sharing_problem` only then;
    ``True`` whenever unsure."""
    from safeload._symbolic import _Box, _Container, _Dict, _Obj

    for _pos, target, items in analysis.stored:
        if isinstance(target, _Dict):
            for i in range(0, len(items), 2):
                if isinstance(items[i], _Container):
                    return True
        elif isinstance(target, _Box):
            if target.kind != "list" and any(isinstance(i, _Container) for i in items):
                return True
        elif any(isinstance(i, _Container) for i in items):
            return True  # items added to something else: not modelled, so check
    for _pos, obj in analysis.calls:
        if isinstance(obj, _Obj) and obj.cls is not None and obj.cls.pair in _HASHING_CALLS:
            if isinstance(obj.args, _Container) and obj.args.depth > 2:
                return True
    return False


#: Constructors that hash what their arguments hold (keys or items).
_HASHING_CALLS = frozenset(
    {
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "dict"),
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("collections", "Counter"),
    }
)


def _container_kids(sym: Any) -> list[Any]:
    from safeload._symbolic import _Box, _Dict, _Tuple

    if isinstance(sym, _Tuple) or isinstance(sym, _Box):
        items: Any = sym.items
    elif isinstance(sym, _Dict):
        items = sym.items.values()
    else:
        return []
    return [i for i in items if isinstance(i, (_Tuple, _Box, _Dict))]


def _sharing_problem(stored: list[list[Any]]) -> str | None:
    """The load's sharing bound (:func:`safeload.trust.sharing.check_sharing`) on the literal
    containers stored in the stream, keys of dicts and items of sets included (the shadows of
    :mod:`safeload.trust.shadow` keep string keys only): a frozenset whose items are a frozenset
    and a tuple of it, nested k times, is 2**k items to every recursive walk. A container counts
    when it holds containers, as in the load's count. Linear: each node is visited once."""
    from safeload.trust.sharing import SHARING_FACTOR, SHARING_SLACK, first_over_cap

    edges: dict[int, list[int]] = {}
    roots: list[int] = []
    stack: list[Any] = []
    holds: dict[int, bool] = {}  # id -> whether it holds containers: one look per item (rt27-11)
    for items in stored:
        for item in items:
            key = id(item)
            held = holds.get(key)
            if held is None:
                held = holds[key] = bool(_container_kids(item))
            if held:
                roots.append(key)
                stack.append(item)
    while stack:
        node = stack.pop()
        if id(node) in edges:
            continue
        kids = _container_kids(node)
        edges[id(node)] = [id(k) for k in kids]
        stack.extend(kids)
    counted = {node for node, kids in edges.items() if kids}
    cap = SHARING_FACTOR * len(counted) + SHARING_SLACK
    if first_over_cap(roots, edges, counted, cap) is not None:
        return (
            f"shares containers so that recursive walks (repr, clone, the use-time walk) "
            f"would meet them more than {cap} times although it holds {len(counted)}: "
            "using it would take exponential time"
        )
    return None
