"""What values cost: how many nodes a symbolic value unfolds into (:func:`unfolded`), what a
BUILD copies (:func:`build_nodes`), what iterating calls make (:func:`iterated_text`), and
the classes whose BUILD does more than copy. The walk charges these to the stream's one
budget (``WalkBase.spend``) and counts the whole model against it when the walk ends; each
rule names the red-team finding it answers."""

from __future__ import annotations

from typing import Any, Final

from safeload._symbolic import (
    FOLD_UNITS_PER_BYTE,
    _Array,
    _Big,
    _Box,
    _Bytes,
    _Const,
    _Container,
    _Dict,
    _Obj,
    _Sym,
    _Tuple,
)
from safeload.pickle.call_rules import MAX_RANGE
from safeload.pickle.names import RANGE


def unfolded(
    sym: Any,
    cap: int,
    memo: dict[int, tuple[Any, int]],
    *,
    ranges: bool = True,
    max_depth: int = 0,
) -> int:
    """How many nodes ``sym`` unfolds into through tuples, lists, sets and dicts (a dict's
    keys and values), every shared container counted once per path; at most
    ``cap + 1``. ``memo`` (id -> the container and its count) makes it linear; it keeps each
    container, so an id stays its own while the memo lives. A ``range`` counts as many nodes
    as it has items: a callee that converts it makes them (``AdamOptimizer([R] * 2000)``
    allocated 2000 ranges of 2**20 floats, rt26-04). A string, bytes, int or array counts one
    node per 16 bytes (``BYTES_PER_NODE``): a callee copies or converts it, and one memoised
    64 KB array given 100,000 times is 6.5 GB (rt27-03, rt27-05; an int's hash is not cached
    and reads every digit, rt28-12); the arrays are entered in ``memo`` as the walk builds
    them (:func:`charge_array`). A call's result or any other object counts what it was made
    from: its arguments, its BUILD state and what the stream added to it; ``tuple(S)`` of a
    string counts one node per character (rt28-04/05/06). A container met again while it is
    being counted (a list holding itself) counts one node, as ``repr`` prints it. ``ranges=
    False`` counts a range as one node, as printing it does (a memo must not mix the two).

    A count that met a container still being counted above it holds only below that
    container, so it is not memoised: with ``B = [A, S]`` and ``A = [B] * 10``, ``A`` counted
    inside ``B`` is small (each ``B`` in it is one node), but ``A`` printed on its own prints
    ``S`` ten times; memoised, ``[B] + [A] * 10000`` counted 10,000 small copies of ``A``
    while ``repr`` built 6.5 GB (found in review). Counts are not memoised only inside a
    cycle, and each is bounded by ``cap``, so the count stays within ``cap`` steps beyond the
    values met.

    The count walks the values with a stack of its own, not Python's: containers appended to
    their holders while empty and filled afterwards (``] MEMOIZE APPEND POP LONG_BINGET``, 9
    bytes a level) nest as deep as the stream likes, where the depth the walk records as it
    nests them saw each one empty; counted recursively, 35,000 such levels overflowed the C
    stack of the compiled build (rt87-04). With ``max_depth``, a container met more than
    ``max_depth`` containers deep on a path the count follows (a cycle cut where it closes,
    as ``repr`` cuts it) raises :class:`DeepNesting`: the end of the walk asks this of the
    whole model, so the depth limit holds for the nesting the unpickler really builds."""
    linked: list[_Obj] = []
    total = _unfold(sym, cap, memo, ranges, linked, max_depth)
    # the objects only links lead to count once each (a leaf chain's nodes are the CF tree's
    # leaves, counted there; one held by a link alone would otherwise not count at all)
    done: set[int] = set()
    at = 0
    while at < len(linked) and total <= cap:
        node = linked[at]
        at += 1
        if id(node) in done or id(node) in memo:
            continue
        done.add(id(node))
        total += _unfold(node, cap, memo, ranges, linked, max_depth)
    return min(total, cap + 1)


class DeepNesting(Exception):
    """A container nested deeper than :func:`unfolded`'s ``max_depth``."""


#: ``_unfold``'s "met no container being counted above"
_NONE_MET: Final = 1 << 30


class _Frame:
    """A container :func:`_unfold` is counting: its items, the next one, the count so far,
    the shallowest container being counted that its count met again (``_NONE_MET``: none)
    and the most containers on one path below it, itself included (``levels``)."""

    __slots__ = ("at", "depth", "items", "key", "levels", "low", "sym", "total")

    def __init__(self, sym: _Container, items: list[_Sym], total: int, depth: int) -> None:
        self.sym = sym
        self.key = id(sym)
        self.items = items
        self.at = 0
        self.total = total
        self.low = _NONE_MET
        self.depth = depth
        self.levels = 1


def _unfold(
    sym: Any,
    cap: int,
    memo: dict[int, tuple[Any, int]],
    ranges: bool,
    linked: list[_Obj],
    max_depth: int,
) -> int:
    """:func:`unfolded`'s count of ``sym`` (its links appended to ``linked``), depth first
    on a stack of :class:`_Frame`. A container met again while it is being counted above
    (``active``: id -> its depth) counts one node, and the containers between are not
    memoised: their count holds only below it."""
    first = _opened(sym, memo, ranges, linked)
    if isinstance(first, int):
        return first
    active: dict[int, int] = {}
    #: per container memoised here, the most containers on one path from it (itself included)
    levels: dict[int, int] = {}
    stack: list[_Frame] = []
    entered: tuple[int, list[_Sym]] | None = first
    node: Any = sym
    depth = 0
    while True:
        if entered is not None:
            if max_depth and depth >= max_depth:
                raise DeepNesting(f"containers nested deeper than {max_depth}")
            frame = _Frame(node, entered[1], entered[0], depth)
            active[frame.key] = depth
            stack.append(frame)
            entered = None
        frame = stack[-1]
        if frame.at < len(frame.items) and frame.total <= cap:
            item = frame.items[frame.at]
            frame.at += 1
            key = id(item)
            if isinstance(item, _Container) and key not in memo:
                met = active.get(key)
                if met is not None:
                    frame.total += 1  # a cycle back to it counts one node
                    if met < frame.low:
                        frame.low = met
                    continue
            opened = _opened(item, memo, ranges, linked)
            if isinstance(opened, int):
                frame.total += opened
                below = levels.get(key, 1 if isinstance(item, _Container) else 0)
                if max_depth and frame.depth + 1 + below > max_depth:
                    raise DeepNesting(f"containers nested deeper than {max_depth}")
                if 1 + below > frame.levels:
                    frame.levels = 1 + below
                continue
            entered = opened
            node = item
            depth = frame.depth + 1
            continue
        stack.pop()
        del active[frame.key]
        total = min(frame.total, cap + 1)
        low = frame.low
        if low >= frame.depth:  # met nothing above it: the count holds wherever it is met
            memo[frame.key] = (frame.sym, total)
            levels[frame.key] = frame.levels
            low = _NONE_MET
        if not stack:
            return total
        parent = stack[-1]
        parent.total += total
        if low < parent.low:
            parent.low = low
        if 1 + frame.levels > parent.levels:
            parent.levels = 1 + frame.levels


def _opened(
    sym: Any, memo: dict[int, tuple[Any, int]], ranges: bool, linked: list[_Obj]
) -> int | tuple[int, list[_Sym]]:
    """What ``sym`` counts when it is not entered (a leaf, a memoised container, a range), or
    ``(the count of the container itself, the items to count in it)``."""
    if isinstance(sym, _Const):
        return const_nodes(sym.value)
    if isinstance(sym, _Big) or isinstance(sym, _Bytes):
        return 1 + sym.size // BYTES_PER_NODE
    if isinstance(sym, _Array):
        return 1 + sym.count * int(sym.dtype.itemsize) // BYTES_PER_NODE
    if not isinstance(sym, _Container):
        return 1  # a global, an opaque value
    known = memo.get(id(sym))
    if known is not None:
        return int(known[1])
    total = 1
    items: list[_Sym]
    if isinstance(sym, _Obj):
        cls = sym.cls
        if cls is not None and cls.pair == RANGE:
            # (and its bounds' digits: a range hashes and prints them, and one memoised
            # range(B, B + 1) of a 1 MB B stored as a key 20,000 times took 8.9 s, rt117-05)
            bounds = _range_bounds(sym.args)
            return (max(1, _range_items(sym.args)) if ranges else 1) + bounds
        if cls is not None and cls.pair in ITERATING_CALLS:
            total += iterated_text(sym)
        items = []
        if sym.args is not None:
            items.append(sym.args)
        links = UNWALKED_LINKS.get(cls.pair) if cls is not None else None
        if links is not None:
            items += _linked_state(sym, links, linked)
        elif sym.state is not None:
            items.append(sym.state)
        if sym.held:
            items += sym.held
    elif isinstance(sym, _Dict):
        items = list(sym.items.values()) + (sym.others or [])
        for name in sym.items:  # a key prints and compares as its value does
            total += const_nodes(name)
    elif isinstance(sym, _Tuple) or isinstance(sym, _Box):
        items = sym.items
    else:
        return 1
    return total, items


def const_nodes(value: Any) -> int:
    """What a constant costs in :func:`unfolded`: a string, bytes or int one node per 16
    bytes, anything else one node."""
    if isinstance(value, (str, bytes, bytearray)):
        return 1 + len(value) // BYTES_PER_NODE
    if type(value) is int:
        return 1 + value.bit_length() // (8 * BYTES_PER_NODE)
    return 1


def build_nodes(
    state: _Sym, cap: int, memo: dict[int, tuple[Any, int]], *, copies_data: bool
) -> int:
    """What a BUILD of ``state`` costs: ``__dict__.update`` copies each entry of a state
    dict (and of a ``(state, slotstate)`` pair); a native ``__setstate__`` (``copies_data``:
    a tree's, or any that takes a tuple) also copies what the state holds. One memoised
    20,000-key state built into 3,000 objects is 2 GB from a 200 KB file, one tree state
    built into 3,000 trees 17 GB from 5.8 MB (rt28-07). Other values are referenced, not
    copied: one node each."""
    parts: list[_Sym] = [state]
    if isinstance(state, _Tuple) and len(state.items) == 2:
        parts = list(state.items)
    elif isinstance(state, _Tuple):
        # a __setstate__ taking a tuple (functools.partial, numpy's random states) may copy
        # any of it: a partial copies a keyword mapping that is not exactly a dict (rt29)
        copies_data = True
    total = 1
    for part in parts:
        if isinstance(part, _Dict):
            values: list[_Sym] = list(part.items.values()) + (part.others or [])
        elif isinstance(part, _Tuple) or isinstance(part, _Box):
            values = part.items
        elif isinstance(part, _Obj):  # a dict a call made: update() copies all it holds
            total += unfolded(part, cap, memo)
            continue
        else:
            values = [part]
        if not copies_data:
            total += len(values)
            continue
        for value in values:
            if total > cap:
                return cap + 1
            if isinstance(value, _Tuple):
                total += 1  # immutable: kept, not copied (an array state's shape)
            elif isinstance(value, _Box):
                total += 1 + len(value.items)  # copied one reference per item at most
            elif isinstance(value, _Dict):
                total += 1 + len(value.items) + len(value.others or [])
            else:
                total += unfolded(value, cap, memo)
    return min(total, cap + 1)


#: What a BUILD on an instance costs against the stream's budget, beyond its state (see
#: ``Walker._charge_build``), in units (16 per byte of the stream): 32 bytes' worth. An
#: instance given its state is an object whose methods a model calls, each a Python-level
#: call at use time. 40,000 distinct DummyRegressors built from one memoised state dict, 8
#: bytes each (320 KB), predicted 20 times slower per byte than an honest voting model, whose
#: instances cost 130 bytes each (rt40-03's note), and took 12 s to scan. Honest corpus streams
#: spend 65 bytes or more per BUILD (2,000 DummyRegressors, each with its ``constant_``
#: array). numpy's arrays and dtypes and joblib's array wrappers are not charged: they are
#: data, not objects whose methods run.
INSTANCE_BUILD_UNITS: Final = 32 * FOLD_UNITS_PER_BYTE
#: The bytes of stream each container the stream makes (a tuple, list, dict, set or
#: frozenset, empty or not) needs: a stream makes at most one per 2 bytes, plus
#: :data:`CONTAINER_SLACK`. Every container is a node that the checks after building visit,
#: each several times (the sharing bound's graph, the use-time walk, the per-object checks):
#: some 35 microseconds per container in all (scan and load, pure Python; 20 compiled), where
#: a byte of an honest file costs about 2. Unbounded, a million one-byte empty dicts in a list
#: (1 MB, 2 KB as xz) took scan 19 s and load 15 s (rt78-05), and None in a one-item tuple in
#: another, 1.5 bytes a container, 27 s per MB compiled (rt79-08). The densest honest form is a
#: LIL sparse matrix's empty rows: two lists per row, each an EMPTY_LIST and a MEMOIZE, 2
#: bytes (an empty matrix of 100,000 rows is 200,000 lists in 400 KB). Counted on its own,
#: not in the fold budget (:meth:`WalkBase.spend`), which calls and keys share.
BYTES_PER_CONTAINER: Final = 2
CONTAINER_SLACK: Final = 4096
#: Modules whose classes' BUILDs are not charged :data:`INSTANCE_BUILD_UNITS`.
DATA_MODULES: Final = ("numpy", "joblib")


#: Classes on the allowlist whose hash reads the state BUILD gives them (see
#: ``Walker._charge_build``).
HASHED_BY_STATE: Final = frozenset({("uuid", "UUID")})

#: Classes on the allowlist whose ``__setstate__`` computes new arrays from the state's, and
#: how many copies of the state's data each BUILD makes: ``IsotonicRegression`` rebuilds its
#: ``interp1d`` (scipy copies both threshold arrays, argsorts and reorders them: about four
#: copies), HGB's ``TreePredictor`` re-casts its nodes to the record dtype (one copy). One
#: memoised 1 MB isotonic state built into 4,000 objects asked for 12 GB (rt29-02).
REBUILT_FROM_STATE: Final[dict[tuple[str, str], int]] = {
    ("sklearn.isotonic", "IsotonicRegression"): 4,
    ("sklearn.ensemble._hist_gradient_boosting.predictor", "TreePredictor"): 1,
}


#: Attributes that link objects of one class sideways, by class (module, qualname): a link to
#: another object of the same class (or ``None``) is not part of what the holder unfolds into,
#: and no recursive method follows it. Birch's CF-tree leaves link both ways (``prev_leaf_``,
#: ``next_leaf_``); counted as printed, each leaf counted the chain again, and an honest Birch
#: of 44 leaves (346 KB) unfolded past its budget (rt70-10). Only those links are left out: a
#: node's other state, and a link holding anything but a node, count as any object's do (the
#: whole node state left out let a 992-byte list DAG in a subcluster cost 42 s, rt71-06). The
#: sharing bound leaves the same edges out (``trust.sharing``), and ``check_birch`` walks the
#: chain with a set of the leaves seen.
UNWALKED_LINKS: Final[dict[tuple[str, str], frozenset[str]]] = {
    ("sklearn.cluster._birch", "_CFNode"): frozenset({"prev_leaf_", "next_leaf_"}),
}


def _linked_state(sym: _Obj, links: frozenset[str], linked: list[_Obj]) -> list[_Sym]:
    """What ``sym``'s BUILD state holds, less the :data:`UNWALKED_LINKS` entries (``links``)
    that hold ``None`` or an object of ``sym``'s own class; those objects are appended to
    ``linked``."""
    state = sym.state
    if not isinstance(state, _Dict):
        return [state] if state is not None else []
    kept: list[_Sym] = []
    for name, value in state.items.items():
        if name in links and _is_link(value, sym):
            if isinstance(value, _Obj):
                linked.append(value)
            continue
        kept.append(value)
    return kept + (state.others or [])


def _is_link(value: _Sym, holder: _Obj) -> bool:
    """Whether ``value`` is ``None`` or an object of ``holder``'s class."""
    if isinstance(value, _Const):
        return value.value is None
    if isinstance(value, _Obj):
        cls, own = value.cls, holder.cls
        return cls is not None and own is not None and cls.pair == own.pair
    return False


#: Callees that make one item per character of a string or bytes argument: ``list(S)`` of a
#: 4 MB string is 32 MB of pointers (rt28-06).
ITERATING_CALLS: Final = frozenset(
    {
        ("builtins", "list"),
        ("builtins", "tuple"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
    }
)


def iterated_text(made: _Obj) -> int:
    """What a call of :data:`ITERATING_CALLS` on one string or bytes makes, in units: one
    per character (an 8-byte pointer to a cached one-character string or small int), and
    :data:`WIDE_CHAR_UNITS` per character for a string with characters past U+00FF, each of
    which is a new string object (rt29); else 0. Also through
    ``copyreg._reconstructor(cls, base, text)``, and for bytes a call made (``_codecs.encode``,
    ``bytes``, ``bytearray``)."""
    arg = iterated_arg(made)
    if arg is None:
        return 0
    text = _text_behind(arg, 0)
    if text is None:
        return 0
    length, wide = text
    return length * (WIDE_CHAR_UNITS if wide else 1)


#: What one character past U+00FF costs when a callee iterates a string: a new 1-character
#: string object (about 80 bytes) and a pointer to it.
WIDE_CHAR_UNITS: Final = 6

#: What one row costs when a callee iterates an array: a new array view or numpy scalar
#: (up to about 112 bytes) and a pointer to it, whatever the row holds (an array of shape
#: (10**8, 0) has no data and 10**8 rows).
ARRAY_ROW_UNITS: Final = 7


def iterated_arg(made: _Obj) -> _Sym | None:
    """The one value a call of :data:`ITERATING_CALLS` iterates (``list(x)``, or
    ``copyreg._reconstructor(list, base, x)``), or ``None`` for any other call."""
    if made.cls is None or made.cls.pair not in ITERATING_CALLS:
        return None
    args = made.args
    if not isinstance(args, _Tuple) or len(args.items) not in (1, 3):
        return None
    return args.items[-1]


def _text_behind(sym: _Sym, depth: int) -> tuple[int, bool] | None:
    """The length of the string or bytes ``sym`` is (a constant, a large one, or what a call
    made from one: ``_codecs.encode(S, ...)``, ``bytes(B)``, ``bytearray(B)``), and whether
    it may hold characters past U+00FF; ``None`` when it is not one."""
    if isinstance(sym, _Const):
        value = sym.value
        if isinstance(value, str):
            return len(value), bool(value) and max(value) > "\xff"
        if isinstance(value, (bytes, bytearray)):
            return len(value), False
        return None
    if isinstance(sym, _Big):
        if sym.size == 0:
            return None
        value = sym.value
        wide = sym.text  # a string whose value was dropped may be wide
        if isinstance(value, str):
            wide = max(value) > "\xff"
        return sym.size, wide
    if isinstance(sym, _Bytes):
        return sym.size, False
    if depth < 8 and isinstance(sym, _Obj) and sym.cls is not None:
        args = sym.args
        if isinstance(args, _Tuple) and args.items and sym.cls.pair in TEXT_CALLS:
            inner = _text_behind(args.items[0], depth + 1)
            if inner is not None:
                return inner[0], False  # bytes: one small int per item
    return None


#: Calls that make bytes from their first argument's text or bytes, as long as it is.
TEXT_CALLS: Final = frozenset(
    {("_codecs", "encode"), ("builtins", "bytes"), ("builtins", "bytearray")}
)


#: What a string, bytes or array costs in :func:`unfolded`: one node per this many bytes.
BYTES_PER_NODE: Final = 16


def charge_array(array: _Sym, nodes: int, memo: dict[int, tuple[Any, int]]) -> None:
    """Enter an array the walk built in the memo of :func:`unfolded`, as ``nodes`` more
    nodes (its data; a masked array's mask adds its own)."""
    known = memo.get(id(array))
    memo[id(array)] = (array, nodes + (known[1] if known is not None else 0))


def _range_bounds(args: _Sym | None) -> int:
    """What a range call's int bounds cost beyond one node each (:func:`const_nodes`)."""
    if not isinstance(args, _Tuple):
        return 0
    return sum(const_nodes(i.value) - 1 for i in args.items if isinstance(i, _Const))


def _range_items(args: _Sym | None) -> int:
    """How many items a ``range`` call on ``args`` makes (bounded by :func:`_range_problem`,
    which runs on every range call first); ``MAX_RANGE`` when the pass cannot tell."""
    if not isinstance(args, _Tuple):
        return MAX_RANGE
    bounds = [i.value for i in args.items if isinstance(i, _Const) and type(i.value) is int]
    if len(bounds) != len(args.items) or not 1 <= len(bounds) <= 3:
        return MAX_RANGE
    try:
        return min(len(range(*bounds)), MAX_RANGE)
    except (ValueError, OverflowError):
        return MAX_RANGE
