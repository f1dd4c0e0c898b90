"""The rules on what a BUILD gives an object and what SETITEM(S), APPEND(S) and ADDITEMS
put into a container: each a function of the symbolic values, returning why the stream is
refused or ``None``, and each tested on its own (tests/test_scan_hooks.py)."""

from __future__ import annotations

from typing import Final

from safeload._symbolic import (
    DTYPE_CLASSES,
    _Array,
    _Box,
    _Bytes,
    _Const,
    _Container,
    _Dict,
    _Global,
    _Obj,
    _Sym,
    _Tuple,
)
from safeload.pickle.names import (
    ARRAY_MAKERS,
    BIT_GENERATOR_CTOR,
    DICT_MAKERS,
    FROMBUFFER,
    GENERATOR_CTOR,
    LIST_MAKERS,
    ONE_NATIVE_STATE,
    PARTIAL,
    SET_MAKERS,
)
from safeload.policy import Policy, format_name
from safeload.trust.pandas_forms import ONE_BUILD


def _kind(sym: _Sym) -> str:
    """A short description of a symbolic value, with its article, for findings."""
    if isinstance(sym, _Obj):
        if sym.cls is None:
            return "an object of a class the pass cannot see"
        return f"an object made by {format_name(*sym.cls.pair)}"
    if isinstance(sym, _Box):
        return f"a {sym.kind}"
    if isinstance(sym, _Dict):
        return "a dict"
    if isinstance(sym, _Tuple):
        return "a tuple"
    if isinstance(sym, (_Array, _Bytes)):
        return "an array"
    return "a constant"


def mutation_problem(name: str, target: _Sym) -> str | None:
    """Why SETITEM(S)/APPEND(S)/ADDITEMS on ``target`` is refused, or ``None``.

    The pass models these opcodes only on a container the stream is still building: a dict
    (list, set) it made itself or one made by a call in ``DICT_MAKERS`` (...), not yet handed
    to a call or BUILD. Honest pickles fill each container right after making it, before
    anything consumes it (checked on the test corpora, every protocol and joblib)."""
    if name in ("SETITEM", "SETITEMS"):
        ok = isinstance(target, _Dict) or (
            isinstance(target, _Obj) and target.cls is not None and target.cls.pair in DICT_MAKERS
        )
        method = "__setitem__"
    elif name == "ADDITEMS":
        ok = (isinstance(target, _Box) and target.kind == "set") or (
            isinstance(target, _Obj) and target.cls is not None and target.cls.pair in SET_MAKERS
        )
        method = "add"
    else:
        ok = (isinstance(target, _Box) and target.kind == "list") or (
            isinstance(target, _Obj) and target.cls is not None and target.cls.pair in LIST_MAKERS
        )
        method = "append/extend"
    if not ok:
        return (
            f"{name} on {_kind(target)}: the unpickler would call its {method} (an array "
            "writes into data the pass checked, a list takes slice keys); only a plain "
            "container the stream is building may be filled"
        )
    if isinstance(target, _Container) and target.frozen:
        return (
            f"{name} changes {_kind(target)} after it was handed to a call or BUILD (the "
            "callee may keep it, as numpy keeps a dtype's fields dict, or may have copied it): "
            "the pass checked it as it was"
        )
    return None


def _is_dunder(key: str) -> bool:
    return len(key) > 4 and key.startswith("__") and key.endswith("__")


BUNCH: Final = ("sklearn.utils._bunch", "Bunch")


def bunch_keys_problem(keys: list[_Sym]) -> str | None:
    """A scikit-learn ``Bunch`` answers any attribute its type lacks with the item of that
    name (``Bunch.__getattr__``), and numpy reads ``__array_interface__``, ``__array__`` and
    ``__array_struct__`` off an object it converts: a Bunch with the item
    ``__array_interface__`` where a fitted array belongs made numpy build an array at an
    address the file chose (rt52-03). Its keys must be constant strings (the names
    scikit-learn gives its members, which never start with ``__``), and no dunder."""
    for key in keys:
        if isinstance(key, _Const) and isinstance(key.value, str):
            text: str = key.value
        else:
            return (
                "a Bunch item whose key is not a constant string: a Bunch answers attributes "
                "with its items, so the pass must see every name it answers"
            )
        if key.value.startswith("__"):
            return (
                f"a Bunch item named {text[:40]!r}: a Bunch answers attributes with its items, "
                "and a dunder name answers a protocol (numpy's __array_interface__ reads memory "
                "at the address it gives)"
            )
    return None


def bunch_state_problem(state: _Sym) -> str | None:
    """:func:`bunch_keys_problem` for the items ``copyreg._reconstructor(Bunch, dict, state)``
    copies in (``dict.__init__(bunch, state)``): a dict, or pairs of a key and a value."""
    if isinstance(state, _Dict):
        if state.lossy or state.unknown_keys:
            return bunch_keys_problem([state])  # (a key that is not a constant string)
        return bunch_keys_problem([_Const(k) for k in state.items])
    if isinstance(state, (_Box, _Tuple)):
        keys: list[_Sym] = []
        for pair in state.items:
            if not (isinstance(pair, _Tuple) and len(pair.items) == 2):
                return bunch_keys_problem([pair])
            keys.append(pair.items[0])
        return bunch_keys_problem(keys)
    return bunch_keys_problem([state])


def _has_setstate(target: _Sym, policy: Policy) -> bool:
    """Whether BUILD hands its state to the target's ``__setstate__`` (a trusted class that
    defines one; a bit generator made by name), so that a ``(state, slotstate)`` pair is not
    applied with ``setattr``. Anything the pass cannot resolve is taken not to."""
    if not (isinstance(target, _Obj) and target.cls is not None):
        return False
    pair = target.cls.pair
    if pair == BIT_GENERATOR_CTOR or pair in ONE_BUILD:
        return True  # pandas': the checked __setstate__ (safeload.trust.pandas_forms)
    if not policy.allows(*pair):
        return False  # refused anyway, as an untrusted name
    from safeload.trust.facts import setstate_from_facts

    known = setstate_from_facts(pair[0], pair[1])
    if known is not None:
        return known
    from safeload.trust.classes import resolve_class

    cls = resolve_class(*pair)
    return cls is not None and getattr(cls, "__setstate__", None) is not None


def state_keys_problem(state: _Sym, target: _Sym, policy: Policy) -> str | None:
    """Why a BUILD state's dicts are refused, or ``None``: a key the pass cannot evaluate
    (it could override a key the pass read; dunder keys are :func:`dunder_key`'s). For a
    class without ``__setstate__``, a ``(state, slotstate)`` pair's slot state must be
    ``None`` or a literal dict: the unpickler ``setattr``s each of its items on the object."""
    # the dicts whose keys reach setattr or a __setstate__: the state, and the items of a
    # tuple state (a slot state, a functools.partial's keywords, a Cython object's __dict__)
    dicts: list[_Sym] = list(state.items) if isinstance(state, _Tuple) else [state]
    if isinstance(state, _Tuple) and len(state.items) == 2:
        slots = state.items[1]
        if not (
            isinstance(slots, _Dict)
            or (isinstance(slots, _Const) and slots.value is None)
            or _has_setstate(target, policy)
        ):
            return (
                f"BUILD slot state that is {_kind(slots)}: the unpickler would setattr each "
                "of its items (__class__ included) on the object; only a literal dict is "
                "allowed"
            )
    for d in dicts:
        if not isinstance(d, _Dict):
            continue
        if d.unknown_keys:
            return (
                "BUILD state dict with a key made by a call: the pass cannot tell which key "
                "it is (builtins.str('shape') overrides 'shape')"
            )
    return None


def slot_items_problem(state: _Sym, target: _Sym, policy: Policy) -> str | None:
    """Hook: a ``(state, slot state)`` BUILD whose slot state has items, on a class without
    its own ``__setstate__``: the unpickler ``setattr``s each item while loading, running
    property setters (a sparse matrix's ``shape`` setter reshapes arrays nothing has checked
    yet, rt24-18). Pickle writes a slot state only for classes with ``__slots__``, and none on
    the allowlist is pickled with one."""
    if not (isinstance(state, _Tuple) and len(state.items) == 2):
        return None
    slots = state.items[1]
    if (
        isinstance(slots, _Dict)
        and (slots.items or slots.lossy or slots.unknown_keys)
        and not _has_setstate(target, policy)
    ):
        return (
            "BUILD slot state with items: the unpickler would setattr each while loading, "
            "running whatever setter the class defines; no allowed class is pickled with one"
        )
    return None


def _no_op_state(state: _Sym) -> bool:
    """Whether BUILD with ``state`` changes nothing on an object without ``__dict__`` or
    ``__setstate__``, as CPython's unpickler reads it: ``None``, or ``(None, {})`` (no state
    dict, an empty slot state). Any other state fails there: a state dict, even an empty one,
    needs the object's ``__dict__``; a slot state must be a dict, and each of its items is
    set as an attribute."""
    if isinstance(state, _Const):
        return state.value is None
    if isinstance(state, _Tuple) and len(state.items) == 2:
        first, slots = state.items
        return (
            isinstance(first, _Const)
            and first.value is None
            and isinstance(slots, _Dict)
            and not (slots.items or slots.lossy or slots.others or slots.unknown_keys)
        )
    return False


def literal_build_problem(state: _Sym, target: _Sym) -> str | None:
    """Hook: why a BUILD on a list, tuple, dict, set or frozenset the stream made itself (by
    its own opcodes) is refused, or ``None``: none of them has a ``__dict__`` or a
    ``__setstate__``, so the unpickler fails on any state but ``None`` or ``(None, {})``
    ("no attribute '__dict__'", "state is not a dictionary", "slot state is not a
    dictionary", rt43-05), and the load refuses the file. Pickle writes a BUILD only after
    the call that makes an object, never on a container literal."""
    if not isinstance(target, (_Tuple, _Dict, _Box)) or _no_op_state(state):
        return None
    return (
        f"BUILD with a state on {_kind(target)} the stream made: it has no attributes to "
        "set, and the unpickler fails on it"
    )


def sparse_state_problem(state: _Sym, target: _Sym) -> str | None:
    """Hook: why a BUILD on a scipy sparse matrix or array is refused, or ``None``: scipy's
    classes keep their state in ``__dict__`` and pickle writes it as one dict, so any other
    state fails in the load ("state is not a dictionary", or a ``__setstate__`` that raises),
    and scan, which rebuilds the matrix from that dict, must refuse it too (rt50-04)."""
    if not (isinstance(target, _Obj) and target.cls is not None):
        return None
    if not target.cls.pair[0].startswith("scipy.sparse."):
        return None
    if isinstance(state, _Dict) and not state.lossy:
        return None
    return (
        f"BUILD of {target.cls.pair[1]} with a state that is not the attribute dict scipy "
        "writes: the load fails on it"
    )


def partial_state_problem(state: _Sym, target: _Sym) -> str | None:
    """Hook: why a BUILD on a ``functools.partial`` is refused, or ``None``. Its
    ``__setstate__`` (``partial_setstate``) raises "invalid partial state" unless the state is
    a tuple of exactly four items: a callable, a tuple (a subclass is copied into one), a dict
    (a subclass is copied) or ``None``, and the instance dict or ``None``. pickle writes
    ``(func, args, keywords, dict-or-None)`` with a literal tuple and dicts, so the state must
    be those literals (a tuple or mapping made by a call, or an instance dict that is no dict,
    is refused in both the load and scan, which cannot read them), and the function a name
    or another partial (rt50-08)."""
    if not (isinstance(target, _Obj) and target.cls is not None and target.cls.pair == PARTIAL):
        return None
    what = "BUILD of functools.partial with a state partial.__setstate__ refuses"
    if not (isinstance(state, _Tuple) and len(state.items) == 4):
        return f"{what} (not a 4-tuple): the load fails on it"
    func = state.items[0]
    if not (isinstance(func, _Global) or isinstance(func, _Obj)):
        return f"{what} (its function is {_kind(func)}): the load fails on it"
    if not isinstance(state.items[1], _Tuple):
        return f"{what} or the pass cannot read (its arguments are {_kind(state.items[1])})"
    keywords = state.items[2]
    if not (
        isinstance(keywords, _Dict) or (isinstance(keywords, _Const) and keywords.value is None)
    ):
        return f"{what} or the pass cannot read (its keywords are {_kind(keywords)})"
    extra = state.items[3]
    if not (isinstance(extra, _Dict) or (isinstance(extra, _Const) and extra.value is None)):
        return f"{what} or the pass cannot read (its instance dict is {_kind(extra)})"
    return None


def generator_state_problem(state: _Sym, target: _Sym) -> str | None:
    """Hook: why a BUILD on a ``numpy.random.Generator`` (made by numpy's
    ``__generator_ctor``) is refused, or ``None``. numpy 1.x writes the bit generator's state
    dict as its BUILD state, numpy 2 writes no BUILD; ``Generator.__setstate__`` hands a dict
    to the bit generator's validating ``state`` setter (the static pass's probe makes the
    generator and hands it the same dict), and ignores anything else in numpy 2 where numpy 1
    fails on it. That other state is no writer's, so it is refused in both (rt50-09)."""
    if not (
        isinstance(target, _Obj) and target.cls is not None and target.cls.pair == GENERATOR_CTOR
    ):
        return None
    if isinstance(state, _Dict) and not state.lossy:
        return None
    return (
        f"BUILD of a numpy Generator with {_kind(state)} rather than its bit generator's "
        "state dict, which no writer makes (numpy 2 ignores it, numpy 1 fails on it)"
    )


def dunder_key(state: _Sym) -> str | None:
    """A dunder key (``__class__``, ``__sklearn_tags__``) among the attributes a BUILD state
    sets (a state dict, or the dicts of a ``(state, slotstate)`` pair), or ``None``: as a slot
    item ``__class__`` swaps the object's class under the pass, and in an instance dict a
    dunder shadows what the class defines."""
    dicts: list[_Sym] = [state]
    if isinstance(state, _Tuple):
        dicts = list(state.items) if len(state.items) == 2 else []
    for d in dicts:
        if isinstance(d, _Dict):
            for key in d.items:
                if _is_dunder(key):
                    return str(key)
    return None


def may_hold_globals(items: list[_Sym]) -> bool:
    """Whether stored ``items`` may carry a global as a value (a global, or a literal tuple or
    dict around one): only those are kept for the use-time pass."""
    for item in items:
        if isinstance(item, _Global) or isinstance(item, _Tuple) or isinstance(item, _Dict):
            return True
    return False


def rebuild_problem(target: _Obj) -> str | None:
    """Hook: why a BUILD on ``target`` is refused because it was given a state already, or
    was used (handed to a call or a state): numpy writes one state per array or dtype, and
    scikit-learn one per native structure (trees, neighbor trees, metrics), before anything
    uses it; another would change it under whatever holds it, after the pass checked it."""
    cls = target.cls
    if cls is not None and cls.pair in FROMBUFFER:
        # a protocol 5 array: numpy writes its data as the call's buffer and no state; one
        # would rewrite data the checks have read (a tree's nodes, rt26-07)
        return "BUILD on an array made by numpy's _frombuffer: numpy writes no state for it"
    if cls is None or (target.state is None and not target.frozen):
        return None
    if cls.pair in ARRAY_MAKERS or cls.pair in DTYPE_CLASSES:
        return (
            "BUILD on a numpy array or dtype that was already built or used (handed to a call "
            "or a state; numpy writes one state for each, before anything uses it)"
        )
    if cls.pair in ONE_NATIVE_STATE or cls.pair[0] == "sklearn.metrics._dist_metrics":
        return (
            f"a second BUILD on what {format_name(*cls.pair)} makes, or one after it was used: "
            "scikit-learn writes one state for its native structures (trees, neighbor trees, "
            "metrics), and the pass checks that one"
        )
    if target.state is not None:
        # pickle writes one state per object; a second one merges into the first (an
        # estimator's n_features_in_ after its tree was checked, rt24-19; a joblib
        # placeholder's alignment, rt24-02), and the checks saw each alone
        return (
            f"a second BUILD on what {format_name(*cls.pair)} makes: pickle writes one state "
            "per object, and the checks judge that one"
        )
    return None


#: Modules whose objects' Cython ``__setstate__`` reads its state by index without a bounds
#: check, and the items it reads: a neighbor tree 13 (``state[0]`` to ``state[12]``), a
#: distance metric 3 (``p``, ``vec``, ``mat``).
_INDEXED_STATES = {
    "sklearn.neighbors._kd_tree": 13,
    "sklearn.neighbors._ball_tree": 13,
    "sklearn.metrics._dist_metrics": 3,
}


def indexed_state_problem(target: _Obj, state: _Sym) -> str | None:
    """Hook: why the BUILD of a neighbor tree or distance metric is refused before its
    ``__setstate__`` runs, or ``None``. Cython compiles their ``state[i]`` without bounds
    checks: on a shorter tuple (or list) it reads past the items and the process crashes
    (a metric state ``(3.0,)``, a tree state of 12 items: SIGSEGV inside ``load_unsigned``,
    where the checks after building came too late). scikit-learn writes a literal tuple of
    exactly these items; anything else (a list, a tuple made by a call, a dict) is refused."""
    cls = target.cls
    if cls is None:
        return None
    need = _INDEXED_STATES.get(cls.pair[0])
    if need is None:
        return None
    if isinstance(state, _Tuple):
        have: int | None = len(state.items)
    elif isinstance(state, _Const) and type(state.value) is tuple:
        have = len(state.value)
    else:
        have = None
    if have is None or have < need:
        return (
            f"a state for {format_name(*cls.pair)} that is not a tuple of at least {need} "
            "items: its native __setstate__ reads them without a bounds check"
        )
    return None
