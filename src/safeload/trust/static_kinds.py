"""The dispatch table's kinds, and the plain-data rule, judged on the stream's symbolic values.

:func:`row_problem` says what :mod:`safeload.trust.kinds` would say about an attribute's value,
as far as the stream shows it; :func:`data_problem` is the load's plain-data rule;
:func:`grid_problem` judges what a search's ``fit`` would set from its parameter grid.
"""

from __future__ import annotations

from typing import Any

from safeload.trust import facts
from safeload.trust.in_place import IN_PLACE_PARAMETERS, grid_value_problem
from safeload.trust.static_params import DATA_CALLS, SCALAR_CALLS, param_value, scalar_problem
from safeload.trust.static_values import (
    array_items,
    describe,
    is_array,
    items_of,
    literal_value,
    made_class,
    reconstructed_from_dict,
    run_memo,
    value_names,
    value_problem,
)
from safeload.trust.structures.common import MAX_STEP_NAME

#: How many objects a grid candidate's own walk may meet (a constant: one).
_GRID_OBJECTS = 1_000


def grid_problem(grid: Any) -> str | None:
    """What a load's grid check says about a parameter grid, as far as the stream shows it:
    ``fit`` would ``set_params`` each candidate, after the load-time checks ran."""
    from safeload._symbolic import _Const, _Dict
    from safeload.trust.graph import Graph
    from safeload.trust.kinds import apply
    from safeload.trust.params import grid_rows

    grids = items_of(grid) if not isinstance(grid, _Dict) else [grid]
    if grids is None and _mapping_items(grid) is not None:
        grids = [grid]  # an OrderedDict, Counter or Bunch grid: a Mapping to scikit-learn
    for one in grids or ():
        if isinstance(one, _Dict):
            if one.lossy:
                return "has a grid key that is not a parameter name"
            pairs = list(one.items.items())
        else:
            held = _mapping_items(one)
            if held is None:
                continue  # no mapping: scikit-learn refuses it in fit
            if isinstance(held, str):
                return held
            pairs = []
            for i in range(0, len(held), 2):
                key = held[i]
                if not (isinstance(key, _Const) and type(key.value) is str):
                    return "has a grid key that is not a parameter name"
                pairs.append((key.value, held[i + 1]))
        for key, candidates in pairs:
            name = key.rpartition("__")[2]
            rows = grid_rows(name)
            if not rows and name not in IN_PLACE_PARAMETERS:
                continue
            values = items_of(candidates)
            for value in values if values is not None else [candidates]:
                if name in IN_PLACE_PARAMETERS:
                    known, candidate = param_value(value)
                    kept = (
                        grid_value_problem(name, candidate)
                        if known
                        else "unproven: a candidate the stream walk cannot read"
                    )
                    if kept:
                        return (
                            f"[{key!r}]: fit would set {name} to a value a loaded model may "
                            f"not hold: {kept}"
                        )
                for row in rows:
                    if isinstance(value, _Const):
                        try:
                            # a graph of its own: "data" and "params" rows walk the value
                            # as the load's graph walk does (None here made every such row
                            # refuse, an honest class_weight=[None, 'balanced'] grid too)
                            apply(row, value.value, Graph(None, _GRID_OBJECTS))
                        except Exception as exc:  # UnsafeState, or a value it cannot judge
                            problem: str | None = getattr(exc, "problem", None) or str(exc)
                        else:
                            problem = None
                    else:
                        problem = row_problem(row, value, 0)
                    if problem:
                        return (
                            f"[{key!r}]: fit would set {name} to a value a loaded model may not "
                            f"hold: {problem}"
                        )
    return None


def _mapping_items(sym: Any) -> list[Any] | str | None:
    """The keys and values, alternating, of a dict subclass the stream makes by a call (an
    OrderedDict, defaultdict or Bunch filled by SETITEMS, a Counter given a dict), which the
    load's grid check reads as it reads a dict (rt38-11); a problem when the stream does not
    show them; ``None`` for what is no dict subclass."""
    from safeload._symbolic import _Const, _Dict

    made = made_class(sym)  # (only of a call or NEWOBJ of a class)
    if made is None or "builtins:dict" not in facts.mro_names(made):
        return None
    args = items_of(sym.args) if sym.args is not None else []
    if sym.cls.pair == ("collections", "defaultdict"):
        args = []  # its argument is the default factory, not an item
    given = reconstructed_from_dict(sym)
    if given is not None:
        # protocols 0-1: copyreg._reconstructor(cls, dict, items), then SETITEMS (a Bunch
        # as an ensemble's named_estimators_ was unproven there, rt41-03)
        args = [given]
    unread = "unproven: a grid whose items the stream walk cannot read"
    if args is None or len(args) > 1 or (args and not isinstance(args[0], _Dict)):
        return unread
    found: list[Any] = []
    for given in args:
        if given.lossy or given.unknown_keys:
            return "has a grid key that is not a parameter name"
        for key, value in given.items.items():
            found += [_Const(key), value]
    found += sym.held or ()
    return found if len(found) % 2 == 0 else unread


def _text_length(sym: Any) -> int | None:
    """The length of a string constant (folded, or too large to fold), else ``None``."""
    from safeload._symbolic import _Big, _Const

    if isinstance(sym, _Const) and type(sym.value) is str:
        return len(sym.value)
    if isinstance(sym, _Big) and sym.text:
        return sym.size
    return None


def _estimator_ok(row: Any, sym: Any) -> bool:
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return sym.value is None or (isinstance(sym.value, str) and sym.value in row.values)
    cls = made_class(sym)
    return cls is not None and facts.is_estimator(cls)


def _instance_ok(row: Any, sym: Any) -> bool:
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return sym.value is None and None in row.values
    cls = made_class(sym)
    return cls is not None and facts.is_subclass_of_named(cls, row.values)


def row_problem(row: Any, sym: Any, depth: int) -> str | None:
    """What :mod:`safeload.trust.kinds` would say about ``sym`` in ``row``'s attribute, as far
    as the stream shows it; ``None`` when it is fine or cannot be judged from the stream."""
    kind = row.kind
    if kind in _ONLY_LITERAL:
        return _literal_kind_problem(kind, sym)
    if kind == "each_one_of":
        return _each_one_of_problem(row, sym)
    if kind in ("estimator", "estimators", "named_estimators", "named_transformers"):
        return _estimator_problem(row, sym, depth)
    if kind in ("instance_of", "each_instance_of", "kernel"):
        return _instance_problem(row, sym)
    if kind in ("callable", "scorer", "attr_path"):
        return _callable_problem(kind, sym)
    if kind == "data":
        return data_problem(sym, 0)
    if kind == "vocabulary":
        return _vocabulary_problem(sym)
    if kind == "output_width":
        if param_value(sym)[0]:
            return None  # judged as a literal by state_problem (an int, exactly)
        return f"holds {describe(sym)}, not an int count of output columns"
    if kind == "numeric_dtype":
        if param_value(sym)[0]:
            return None  # judged as a literal by state_problem (a type, a dtype, a type code)
        return f"holds {describe(sym)}, not a numeric scalar type"
    if kind == "fitted_dtype":
        if param_value(sym)[0]:
            return None  # judged as a literal by state_problem (a numpy.dtype, exactly)
        return f"holds {describe(sym)}, not a numpy dtype"
    if kind == "params":
        return _params_problem(row, sym)
    if kind == "forbidden":
        return "may not be set by a file"  # kinds._forbidden refuses every value
    if kind == "output_config":
        if param_value(sym)[0]:
            return None  # judged as a literal by state_problem (a dict of str to names)
        # kinds._output_config takes a plain dict of literal names only: an array, an
        # object or a dict holding one is refused (rt39-01)
        return f"holds {describe(sym)}, not a dict of output container names"
    return None


#: Kinds judged as literals by state_problem, with what else they accept.
_ONLY_LITERAL = {
    "int_one": "only the int 1 is accepted in a loaded model",
    "thread_count": "only an int thread count is accepted in a loaded model",
    "none": "only None is accepted in a loaded model",
    "regex": "only a str or None is accepted",
    "one_of": "only a str or None is accepted",
}


def _literal_kind_problem(kind: str, sym: Any) -> str | None:
    """The kinds whose value state_problem judges as a literal: anything else is refused."""
    from safeload._symbolic import _Const

    if kind in ("regex", "one_of"):
        if literal_value(sym)[0]:
            return None  # judged as a literal by state_problem (a str, exactly, or None)
    elif isinstance(sym, _Const):
        return None  # judged as a literal by state_problem
    return f"holds {describe(sym)}; {_ONLY_LITERAL[kind]}"


def _frombuffer(sym: Any) -> bool:
    from safeload._symbolic import _Obj

    return isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair[1] == "_frombuffer"


def _each_one_of_problem(row: Any, sym: Any) -> str | None:
    from safeload._symbolic import _Box, _Const, _Dict

    if (
        isinstance(sym, _Dict)
        or (isinstance(sym, _Box) and sym.kind != "list")
        or is_array(sym)
        or _frombuffer(sym)
    ):
        # the load takes a str, list or tuple only: no dict, set or array (rt35-02, rt38-14)
        return f"is {describe(sym)}, not a list of names"
    items = [sym] if isinstance(sym, _Const) else items_of(sym)
    if items is None:
        # the load takes a str (a numpy str scalar too) or a list or tuple of names: any
        # other object (an OrderedDict, a Decimal) is none of them (rt36-03)
        ok, value = param_value(sym)
        if not ok or not isinstance(value, str):
            return f"is {describe(sym)}, not a list of names"
        if value not in row.values:
            return f"holds {describe(sym)}, not one of the method names it accepts"
        return None
    for item in items:
        if isinstance(item, _Const) and (item.value is None and None in row.values):
            continue
        if not isinstance(item, _Const) or item.value not in row.values:
            return f"holds {describe(item)}, not one of the method names it accepts"
    return None


def _estimator_problem(row: Any, sym: Any, depth: int) -> str | None:
    """An estimator slot, or a list (of ``(name, estimator)`` pairs) of them."""
    from safeload._symbolic import _Box, _Const, _Dict, _Global, _Obj, _Tuple

    kind = row.kind
    named = kind in ("named_estimators", "named_transformers")
    if not named and _estimator_ok(row, sym):
        return None
    if isinstance(sym, _Const):  # a number or a name that is not one of the sentinels
        if named:  # the load takes a list or tuple only: None too is refused (rt36-03)
            return f"is {describe(sym)}, not a list of (name, estimator) pairs"
        return f"holds {describe(sym)} where an estimator is used"
    if kind == "estimators" and isinstance(sym, _Dict) and (sym.others or sym.unknown_keys):
        # the load refuses a dict whose keys are not names (scikit-learn iterates the keys)
        return f"is {describe(sym)} whose keys are not names (rt38-12)"
    items = None if kind == "estimator" else items_of(sym)
    if named and (isinstance(sym, _Dict) or _unordered(sym)):
        # the load takes a list or tuple of pairs only (kinds._named_estimators, rt35-02)
        return f"is {describe(sym)}, not a list of (name, estimator) pairs"
    if kind == "estimators" and _unordered(sym):
        # the load takes a dict, list, tuple or object array: a set or frozenset is none
        # (kinds._estimators, rt36-03)
        return f"is {describe(sym)}, not a collection of estimators"
    if items is None:
        made = made_class(sym)
        if made is not None and facts.is_container(made) and kind != "estimator":
            if "builtins:dict" not in facts.mro_names(made):
                # a container subclass that is no dict: its items are not tracked. In a
                # single estimator's slot the load takes none (an OrderedDict, a Counter:
                # rt38-08)
                return None
            if named:  # the load takes a list or tuple of pairs only
                return f"is {describe(sym)}, not a list of (name, estimator) pairs"
            # the load reads a dict subclass as a dict: str keys, estimators as values
            # (an OrderedDict as RegressorChain.estimators_, found by fuzz/parity_states.py)
            held = _mapping_items(sym)
            if isinstance(held, str) or held is None:
                return "unproven: a collection of estimators whose items the walk cannot read"
            if not all(isinstance(k, _Const) and type(k.value) is str for k in held[::2]):
                return f"is {describe(sym)} whose keys are not names (rt38-12)"
            items = held[1::2]
        elif isinstance(sym, _Obj) or isinstance(sym, _Global):
            return f"holds {describe(sym)} where an estimator is used"
        elif kind == "estimator" and isinstance(sym, (_Box, _Tuple, _Dict)):
            # a list, tuple, set or dict in a single estimator's slot: the load's check
            # refuses every one (rt35-02)
            return f"holds {describe(sym)} where an estimator is used"
        else:
            # what is left is opaque: a str or bytes over MAX_CONST (_Big), protocol 5's
            # bytearray (_Bytes) or a joblib numeric array (_Array). No estimator slot of the
            # load takes any of them: not an estimator, a sentinel name, a list, tuple, dict
            # or object array (rt41-02: a long str as SelectFromModel.estimator_ was SAFE)
            return f"holds {describe(sym)} where an estimator is used"
    for item in items:
        if kind != "estimators":
            width = 3 if kind == "named_transformers" else 2
            if (
                isinstance(item, (_Const, _Dict, _Global, _Obj))
                or _unordered(item)  # a set pair: the load takes lists and tuples (rt36-03)
                or (isinstance(item, (_Tuple, _Box)) and len(item.items) != width)
            ):
                return f"holds {describe(item)}, not a (name, estimator) pair"  # (rt35-02)
            if not isinstance(item, (_Tuple, _Box)):
                # what is left is opaque (objects were refused above): a long str or bytes
                # (_Big), a bytearray (_Bytes) or a joblib array. The load takes a plain
                # list or tuple only (rt42-09: each was SAFE, "judged after building")
                return f"holds {describe(item)}, not a (name, estimator) pair"
            # as kinds._step_name: a plain str (a pair may be a list as well as a tuple,
            # and numpy.str_ hid a long name from this count, rt32-06)
            length = _text_length(item.items[0])
            if length is None:
                return f"names a step with {describe(item.items[0])}, not a str"
            if length > MAX_STEP_NAME:
                return f"names a step with {length:,} characters (at most {MAX_STEP_NAME})"
            if kind == "named_transformers":
                # a triple's columns: a column selector, or plain data as the load holds them
                # (kinds._named_transformers: one list met twice there was SAFE, rt54-02)
                columns = item.items[2]
                selector = isinstance(columns, _Obj) and getattr(columns.cls, "pair", None) == (
                    "sklearn.compose._column_transformer",
                    "make_column_selector",
                )
                problem = None if selector else data_problem(columns, 0)
                if problem:
                    return f"[columns] {problem}"
            item = item.items[1]
        if (
            kind == "estimators"
            and depth < 3
            and items_of(item) is not None
            and not isinstance(item, _Dict)
            and not _unordered(item)
        ):  # the load recurses into lists, tuples and object arrays only (rt36-03)
            problem = row_problem(row, item, depth + 1)
            if problem:
                return problem
        elif not _estimator_ok(row, item):
            return f"holds {describe(item)} where an estimator is used"
    return None


def _unordered(sym: Any) -> bool:
    """Whether the stream makes ``sym`` as a set or frozenset literal."""
    from safeload._symbolic import _Box

    return isinstance(sym, _Box) and sym.kind != "list"


def _instance_problem(row: Any, sym: Any) -> str | None:
    from safeload._symbolic import _Const, _Dict, _Global

    kind = row.kind
    if kind == "each_instance_of" and (
        isinstance(sym, (_Const, _Dict, _Global)) or _unordered(sym)
    ):
        # the load takes a list, tuple or array only: None, a dict or a set is not one
        # (kinds._each_instance_of, rt36-03)
        return f"is {describe(sym)}, not a list"
    if kind == "each_instance_of" and _opaque_not_a_list(sym):
        return f"is {describe(sym)}, not a list"
    check = row if kind != "kernel" else _KERNEL_ROW
    items = [sym] if kind != "each_instance_of" else (items_of(sym) or [])
    for item in items:
        if isinstance(item, _Const) and item.value is None and kind == "kernel":
            continue
        if not _instance_ok(check, item):
            return f"holds {describe(item)}, not an instance of what it accepts"
    return None


def _opaque_not_a_list(sym: Any) -> bool:
    """Whether ``sym`` is an opaque value that ``kinds.sequence`` takes for no list of
    instances: a long str or bytes (``_Big``), a bytearray (``_Bytes``), or a joblib numeric
    array with an item (each a number, no instance) or more than 2 dimensions (rt41-02)."""
    from safeload._symbolic import _Array, _Opaque

    if isinstance(sym, _Array):
        return sym.count > 0 or len(sym.shape) > 2
    return isinstance(sym, _Opaque)


def _callable_problem(kind: str, sym: Any) -> str | None:
    from safeload._symbolic import _Const, _Global

    if isinstance(sym, _Const):
        if sym.value is None or isinstance(sym.value, str) or kind == "attr_path":
            return None  # strings: judged as literals by state_problem
        # a number or bytes where a callable or scorer is used: the load refuses (rt35-02)
        return f"holds {describe(sym)} where a callable from the allowlist is used"
    if isinstance(sym, _Global):
        problem = value_problem(sym, 0)
        if problem or kind == "attr_path":
            return problem
        callables, _types = value_names()
        if sym.pair not in callables:
            # a type (float, numpy.float64, dict) is allowed as a value, but the load calls
            # only functions of the callable allowlist here (rt38-09)
            return f"holds {describe(sym)}, which is not on the callable allowlist"
        return None
    if kind == "scorer" and (_text_length(sym) is not None or _is_str(sym)):
        # a scorer name of any length (kinds._scorer takes every str, a numpy str scalar
        # too; scikit-learn looks it up when the model is used), also one over MAX_CONST
        # (rt41-02; numpy.str_ found by fuzz/parity_states.py, seed 41)
        return None
    cls = made_class(sym)
    if cls is not None and ((kind == "scorer" and facts.is_scorer(cls)) or facts.is_partial(cls)):
        return None
    bad = f"holds {describe(sym)} where a callable from the allowlist is used"
    if kind == "scorer" and items_of(sym) is not None and not is_array(sym):
        # a dict or list of scorer names / scorers: held to what kinds._scorer takes
        verdict = _scorers_verdict(sym)
        if verdict is None:
            return None
        return bad if verdict else f"unproven: {describe(sym)} as a scorer, {_UNSHOWN}"
    return bad


_UNSHOWN = "with an item the stream walk cannot show to be a name or a scorer"


def _scorers_verdict(sym: Any) -> bool | None:
    """What the load's scorer check (``kinds._scorer``) says of a dict, list, tuple or set as
    a scorer: a dict of str keys to names or scorer instances, or a list, tuple or set (not
    a frozenset) of names, is taken (``None``); anything else falls to the callable rule,
    which takes no container (a tuple ``(1,)`` or a set ``{1}`` as HGB's ``_scorer``,
    rt36-03): refused (``True``). ``False`` where the stream does not show either: unproven,
    never passed (rt42-06: a dict keyed by ``numpy.float64(1.5)``, or holding a long bytes,
    was SAFE while the load refused it)."""
    from safeload._symbolic import _Box, _Dict

    if isinstance(sym, _Box) and sym.kind == "frozenset":
        return True
    if not isinstance(sym, _Dict):
        return _all_shown([_is_str(item) for item in sym.items])
    others = sym.others or []
    shown = [_is_str(key) for key in others[::2]]
    for value in [*sym.items.values(), *others[1::2]]:
        made = made_class(value)
        shown.append(True if made is not None and facts.is_scorer(made) else _is_str(value))
    return _all_shown(shown)


def _all_shown(shown: list[bool | None]) -> bool | None:
    """``True`` (refused) if any item is shown not to be taken, ``False`` (unproven) if any
    is not shown either way, else ``None`` (taken)."""
    if False in shown:
        return True
    return False if None in shown else None


def _is_str(sym: Any) -> bool | None:
    """Whether the load builds ``sym`` as a ``str`` (a subclass too); ``None`` when the
    stream does not show it."""
    from safeload._symbolic import _Big, _Box, _Bytes, _Dict, _Tuple

    ok, value = param_value(sym)
    if ok:
        return isinstance(value, str)
    if isinstance(sym, _Big):
        return sym.text  # a str or bytes too long to fold: its kind is known (rt42-06)
    if isinstance(sym, (_Box, _Dict, _Tuple, _Bytes)) or is_array(sym):
        return False
    made = made_class(sym)
    if made is not None and "builtins:str" not in facts.mro_names(made):
        return False
    return None


_NO_VALUE = object()


def _lightgbm_default(row: Any, key: Any, value: Any) -> bool:
    """:func:`safeload.trust.kinds._lightgbm_default` on the stream's literal (rt61-04)."""
    from safeload.trust.kinds import _lightgbm_default as built

    return value is not _NO_VALUE and built(row, key, value)


def _params_problem(row: Any, sym: Any) -> str | None:
    """A dict of parameters for a native library: no key that names a file, a path, a host or
    a stream, and plain data otherwise."""
    from safeload._symbolic import _Const, _Dict

    if isinstance(sym, _Const) and sym.value is None:
        return None
    if isinstance(sym, _Dict):
        for key, item in sym.items.items():
            value = item.value if isinstance(item, _Const) else _NO_VALUE
            if key in row.values and not _lightgbm_default(row, key, value):
                return (
                    f"holds the parameter {key!r}, which names a file, a path, a host or a "
                    "stream for the library's native code; a loaded model may not set it"
                )
        if sym.lossy or sym.unknown_keys:
            return "unproven: a parameter dict whose keys the stream walk cannot read"
        return data_problem(sym, 0)
    # kinds._params takes None or a plain dict only: a number, a tuple, a list, a long str,
    # a bytearray or an object made by a call is none (rt41-02: each was SAFE)
    return f"holds {describe(sym)}, not a dict of parameters"


def _vocabulary_problem(sym: Any) -> str | None:
    """:func:`safeload.trust.kinds._vocabulary` on the stream: plain data, and a dict's values
    the ints 0 to n - 1 (read from the literal dict the stream builds; any other dict, or a
    value that may be one, is unproven)."""
    from safeload._symbolic import _Array, _Big, _Box, _Const, _Dict, _Obj, _Tuple
    from safeload.trust.kinds import vocabulary_problem

    problem = data_problem(sym, 0)
    if problem:
        return problem
    if isinstance(sym, (_Const, _Big, _Box, _Tuple, _Array)) or is_array(sym):
        return None  # (None, or terms: a list's or array's items are counted as such)
    if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in _TERM_CALLS:
        return None  # (a set of terms, as protocol 2 writes one, or a range: counted)
    if not isinstance(sym, _Dict):
        return "unproven: a vocabulary made in a way the pass cannot read"
    entries: dict[Any, Any] = dict(sym.items)
    others = sym.others or []
    for i in range(0, len(others), 2):
        # (a key past the pass's constant size, or bytes: the dict the load makes holds it
        # once, the last value set for it kept, rt123-10)
        key = others[i]
        if isinstance(key, _Big) and key.value is not None:
            text = key.value if key.text else bytes(key.value)
        elif isinstance(key, _Const) and type(key.value) in (str, bytes):
            text = key.value
        else:
            return "unproven: a vocabulary whose keys are not all texts the pass reads"
        entries.pop((type(text), text), None)
        entries[(type(text), text)] = others[i + 1]
    values = []
    for value in entries.values():
        made, real = param_value(value)  # (a numpy integer scalar made as the load makes it)
        values.append(real if made else value)
    return vocabulary_problem(values)


class _KernelRow:
    values = ("sklearn.gaussian_process.kernels:Kernel", None)


_KERNEL_ROW = _KernelRow()


def data_problem(sym: Any, depth: int) -> str | None:
    """The load's plain-data rule (:func:`safeload.trust.graph.require_data`) on the stream's
    value ``sym``, met at ``depth``: the same containers, met in the same order, at the same
    depths (:data:`~safeload.trust.graph.MAX_DATA_DEPTH`), and no container met twice. One
    verdict per node and depth for the run (a fresh walk each, as each ``require_data`` call
    starts with nothing seen)."""
    from safeload._symbolic import _Const

    if isinstance(sym, _Const):
        return None
    memo = run_memo()
    key = ("data", id(sym), depth)
    if key not in memo:
        memo[key] = _data_walk(sym, depth, set())
    found: str | None = memo[key]
    return found


#: Calls that make a value the load's data rule takes whole, without looking inside (an atom:
#: bytes, a bytearray, a complex; or a numpy dtype).
_ATOM_CALLS = DATA_CALLS - {("builtins", "set"), ("builtins", "frozenset"), ("builtins", "slice")}
_SET_CALLS = frozenset({("builtins", "set"), ("builtins", "frozenset")})
_UNREAD_DATA = "unproven: a set or slice made from values the stream walk cannot read"
#: Calls that make a vocabulary of terms rather than a dict (a set, or a range: counted)
_TERM_CALLS = _SET_CALLS | {("builtins", "range")}


def _data_walk(sym: Any, depth: int, seen: set[int]) -> str | None:
    """:func:`data_problem`'s walk, in ``require_data``'s order: atoms and scalars first, then
    the container met twice (``seen``: every container node met so far; a stream node is one
    object to the load, the memo's references included), then the depth, then the items.
    The empty tuple is exempt, as there: it is one object to every load (rt54-02)."""
    from safeload._symbolic import _Array, _Box, _Const, _Dict, _Global, _Obj, _Tuple
    from safeload.trust.graph import MAX_DATA_DEPTH, TOO_DEEP, TWICE

    if isinstance(sym, _Const):
        return None
    if isinstance(sym, _Global):
        # plain data holds no functions, even allowed ones; type values (dtype=float) it may
        _callables, types = value_names()
        if sym.pair in types:
            return None
        return f"holds {describe(sym)} where only plain data is used"
    items: list[Any]
    if isinstance(sym, (_Tuple, _Box)):
        items = list(sym.items)
    elif isinstance(sym, _Dict):
        # the keys that are not literal strings, and their values, in ``others``: the load
        # holds every key and value to plain data ({1: numpy.log1p} in kw_args, rt43-02)
        items = [*sym.items.values(), *(sym.others or ())]
    elif isinstance(sym, _Array):
        items = []  # a joblib array of numbers: a container to the load, with no items
    elif is_array(sym):
        items = array_items(sym) or []
    elif isinstance(sym, _Obj):
        cls = sym.cls.pair if sym.cls is not None else None
        if cls in SCALAR_CALLS:
            return scalar_problem(sym)
        if cls == ("builtins", "range"):
            return _range_problem(sym)
        if cls in _ATOM_CALLS:
            # an atom to the load: what made it is plain data, judged on its own
            for part in (sym.args, *(sym.held or ())):
                if part is not None and (problem := data_problem(part, 0)):
                    return problem
            return None
        if cls in _SET_CALLS:
            # set(items): the list or tuple handed over is consumed, its items are the set's
            args = sym.args.items if isinstance(sym.args, _Tuple) else None
            if args is None or len(args) > 1:
                return _UNREAD_DATA
            given = args[0] if args else None
            if given is not None and not isinstance(given, (_Tuple, _Box)):
                return _UNREAD_DATA
            items = [*(given.items if given is not None else ()), *(sym.held or ())]
        elif cls == ("builtins", "slice"):
            if not isinstance(sym.args, _Tuple) or sym.held:
                return _UNREAD_DATA
            items = list(sym.args.items)
        else:
            return f"holds {describe(sym)} where only plain data is used"
    else:
        return None  # a long str or bytes, a bytearray: atoms
    if not (isinstance(sym, _Tuple) and not sym.items):
        if id(sym) in seen:
            return TWICE
        seen.add(id(sym))
    if depth > MAX_DATA_DEPTH:
        return TOO_DEEP
    for item in items:
        problem = _data_walk(item, depth + 1, seen)
        if problem:
            return problem
    return None


def _range_problem(sym: Any) -> str | None:
    """A ``range`` is plain data up to the load's bound (``usetime.MAX_RANGE``), judged on its
    literal arguments; one the walk cannot size is unproven (rt24-14)."""
    from safeload.trust.graph import MAX_RANGE, range_length

    ok, value = param_value(sym)
    if not ok or type(value) is not range:
        return "unproven: a range whose bounds the stream walk cannot read"
    if range_length(value) > MAX_RANGE:
        return f"holds a range of more than {MAX_RANGE:,} items (rt24-14)"
    return None
