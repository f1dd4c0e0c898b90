"""Where a stream may put a masked array: the scan's side of the load's rule.

numpy.ma's reductions and comparisons skip masked items, so a check that tests an index array
with ``max``, ``min`` or ``np.all`` passes a masked out-of-range index, while native code reads
the raw buffer (rt39-02, rt39-03). A load therefore allows a masked array only as a value of a
search's ``cv_results_`` dict, held by nothing else
(:func:`safeload.trust.usetime.check_use_time`). :func:`masked_place_problem` applies the same
rule to the stream's values before anything is built: every reference to what numpy.ma makes
must come from the ``cv_results_`` dict in the BUILD state of a search, and that dict, and
the state dict holding it (BUILD copies it into each instance it builds), must be referenced
once. A masked array is recognised by every maker the stream may use: ``_mareconstruct``, the
class under NEWOBJ or ``copyreg``, and numpy's ``_reconstruct`` given the class. What the
stream holds in a form the rule cannot read (a ``(state, slot state)`` BUILD, a dict made by a
call) counts as anywhere else: refused.
"""

from __future__ import annotations

from typing import Any

from safeload._symbolic import _Box, _Dict, _Global, _Obj, _Tuple
from safeload.pickle.names import RECONSTRUCT

__all__ = [
    "MASKED_MAKERS",
    "MASKED_PLACE",
    "is_masked_maker",
    "masked_place_problem",
    "stream_references",
]

#: The names a stream makes masked arrays with (numpy's pickle helper, and the class itself
#: for NEWOBJ or ``copyreg``).
MASKED_MAKERS = frozenset(
    {
        ("numpy.ma.core", "_mareconstruct"),
        ("numpy.ma", "MaskedArray"),
        ("numpy.ma.core", "MaskedArray"),
    }
)


def is_masked_maker(pair: tuple[str, str] | None) -> bool:
    """Whether ``pair`` names a maker of masked arrays: numpy's, or a loaded class deriving
    from ``MaskedArray`` (a trusted own subclass, which the load's rule meets as a masked
    array: rt105-09). Read from the loaded modules' namespaces, running nothing."""
    if pair is None:
        return False
    if pair in MASKED_MAKERS:
        return True
    import sys
    import types

    module, ma = sys.modules.get(pair[0]), sys.modules.get("numpy.ma")
    if type(module) is not types.ModuleType or ma is None or "." in pair[1]:
        return False
    found = vars(module).get(pair[1])
    return isinstance(found, type) and issubclass(found, ma.MaskedArray)


#: Why a masked array anywhere else is refused (the load's words too).
MASKED_PLACE = (
    "is a masked array outside a search's cv_results_: numpy.ma hides masked items from the "
    "checks, and native code reads them"
)
#: Helpers whose first argument is the class they make (``copyreg.__newobj__``, ...).
_CLASS_FROM_FIRST_ARG = frozenset({"newObj", "__newobj__", "__newobj_ex__", "_reconstructor"})
#: What :func:`_made_pair` says of such a helper given a class the stream does not name.
_UNNAMED = ("", "<a class the stream does not name>")


def _made_pair(sym: Any) -> tuple[str, str] | None:
    """The name of the class (or maker) an ``_Obj`` is made by, looking through the helpers
    that take the class as their first argument."""
    cls = sym.cls
    if not isinstance(cls, _Global):
        return None
    # numpy's ``_reconstruct(subtype, shape, dtype)`` is ``ndarray.__new__(subtype, ...)``:
    # with ``numpy.ma.MaskedArray`` first it makes a masked array (rt40-01)
    if cls.pair[1] in _CLASS_FROM_FIRST_ARG or cls.pair in RECONSTRUCT:
        args = sym.args
        first = args.items[0] if isinstance(args, _Tuple) and args.items else None
        # a class the stream does not name literally may be a masked array: fail closed
        return first.pair if isinstance(first, _Global) else _UNNAMED
    pair: tuple[str, str] = cls.pair
    return pair


def _walk(
    root: Any,
    edges: list[tuple[int, int]] | None,
    found: tuple[set[int], set[int], set[int]],
    nodes: dict[int, Any] | None = None,
) -> None:
    """Enter each value reachable from ``root`` once. Without ``edges``: record in
    ``found`` the masked arrays, the searches' ``cv_results_`` dicts and the BUILD state
    dicts that hold them; with it: record every (holder, value) reference (and in
    ``nodes``, each value entered, by id)."""
    from safeload.trust import facts
    from safeload.trust.static_values import class_of

    masked, results, states = found
    seen: set[int] = set()
    stack = [root]
    while stack:
        sym = stack.pop()
        key = id(sym)
        if key in seen:
            continue
        seen.add(key)
        if nodes is not None:
            nodes[key] = sym
        if isinstance(sym, (_Tuple, _Box)):
            kids: Any = sym.items
        elif isinstance(sym, _Dict):
            kids = list(sym.items.values())
            if sym.others:
                kids.extend(sym.others)
        elif isinstance(sym, _Obj):
            if edges is None:
                pair = _made_pair(sym)
                if is_masked_maker(pair) or pair == _UNNAMED:
                    masked.add(key)
                elif pair is not None and isinstance(sym.state, _Dict):
                    table = sym.state.items.get("cv_results_")
                    if isinstance(table, _Dict):
                        made = class_of(pair)
                        if made is not None and facts.is_search(made):
                            results.add(id(table))
                            states.add(id(sym.state))
            kids = [k for k in (sym.args, sym.state) if k is not None]
            if sym.held:
                kids.extend(sym.held)
        else:
            continue
        if edges is not None:
            edges.extend((key, id(kid)) for kid in kids)
        stack.extend(kids)


def masked_place_problem(root: Any) -> str | None:
    """Why the masked arrays reachable from ``root`` (a stream's value) are refused, or
    ``None``; linear in what the stream holds (each value is entered once or twice). The
    first walk only looks for masked arrays, which honest streams rarely hold; the references
    are recorded by a second walk when it finds one (recording them always was a quarter of
    the scan of a small forest)."""
    masked: set[int] = set()
    results: set[int] = set()
    states: set[int] = set()  # the BUILD state dicts that hold those cv_results_ dicts
    _walk(root, None, (masked, results, states))
    if not masked:
        return None
    edges: list[tuple[int, int]] = []
    _walk(root, edges, (masked, results, states))
    if id(root) in masked or id(root) in results or id(root) in states:
        return f"the model {MASKED_PLACE}"
    references = dict.fromkeys(results | states, 0)
    for parent, kid in edges:
        if kid in masked and parent not in results:
            return f"a value {MASKED_PLACE}"
        if kid in references:
            references[kid] += 1
    if any(count > 1 for count in references.values()):
        # BUILD copies its state dict into the instance, so a state dict held twice (two
        # searches' BUILD, or a BUILD and a value) gives its cv_results_ two holders (rt40-02)
        return "a search's cv_results_ that is also held elsewhere"
    return None


def stream_references(root: Any) -> tuple[dict[int, list[int]], dict[int, Any]]:
    """Every value reachable from the stream's ``root``, by id: the ids of the values that
    refer to it, once per reference; and the values themselves. Linear in what the stream
    holds (the rule on in-place parameters, :mod:`safeload.trust.in_place`, asks for it only
    when a sub-estimator sits in a private slot)."""
    edges: list[tuple[int, int]] = []
    nodes: dict[int, Any] = {}
    _walk(root, edges, (set(), set(), set()), nodes)
    found: dict[int, list[int]] = {}
    for holder, kid in edges:
        found.setdefault(kid, []).append(holder)
    return found, nodes
