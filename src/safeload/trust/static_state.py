"""An object's BUILD state judged from the stream: its keys, literal parameters and dispatch rows.

:func:`state_problem` applies to a trusted class's literal state what the load applies to its
``__dict__``: state keys that shadow the class, keyword dicts, scikit-learn's parameter
constraints, native libraries' parameters, kernel hyperparameters, search grids and the
dispatch rows (through :mod:`safeload.trust.static_kinds`).
"""

from __future__ import annotations

from typing import Any

from safeload.trust import facts, facts_rules
from safeload.trust.pandas_forms import PANDAS_NAMES
from safeload.trust.param_objects import object_refused
from safeload.trust.static_kinds import grid_problem, row_problem
from safeload.trust.static_params import only_data, param_value
from safeload.trust.static_values import class_of, describe

#: Kinds whose rule refuses a value the stream shows is not a literal (a list, an object):
#: :func:`literal_state.state_problem` judges only literals, so these are judged here too.
_ANY_VALUE_KINDS = frozenset(
    {"none", "int_one", "thread_count", "regex", "one_of", "output_config", "forbidden"}
)
#: Kinds :func:`literal_state.state_problem` already judged from literals.
_LITERAL_DONE = frozenset(
    {"one_of", "none", "output_config", "forbidden", "rebuilt", "int_one", "thread_count", "regex"}
)


def _pair_state(cls: Any, name: str, state: Any) -> tuple[str | None, Any]:
    """A ``(state, slot state)`` BUILD: (a problem, or ``None`` and the dict to judge, which
    is ``None`` when there is none)."""
    if len(state.items) != 2:
        return None, None
    owner = facts.setstate_owner(cls)
    if owner in _DICT_SETSTATE or (
        owner != "builtins.object" and _BASE_ESTIMATOR in facts.mro_names(cls)
    ):
        # they pop from or update with what they are given: a tuple fails every load
        # (rt23-04; the ones that delegate to BaseEstimator's, rt24-12)
        return f"{name} given a (state, slot state) pair: its __setstate__ takes a dict", None
    return None, _slot_merge(state.items[0], state.items[1], owner)


def _kwargs_problem(name: str, state: Any) -> str | None:
    """The keyword-argument dicts a model passes to a function (``kw_args``, ...): no
    ``out=``, and only plain string keys."""
    from safeload._symbolic import _Big, _Const, _Dict
    from safeload.trust.object_checks import KWARGS_ATTRIBUTES, keyword_key_problem

    for attribute in KWARGS_ATTRIBUTES.intersection(state.items):
        kwargs = state.items[attribute]
        if isinstance(kwargs, _Dict) and "out" in kwargs.items:
            return f"{name}.{attribute} binds out=, writing into a model array"
        if isinstance(kwargs, _Dict):
            from safeload.trust.static import _keyword_problem

            for key, value in kwargs.items.items():
                problem = _keyword_problem(key, value)
                if problem:
                    return f"{name}.{attribute}[{key!r}] {problem}"
        if isinstance(kwargs, _Dict) and (kwargs.lossy or kwargs.unknown_keys):
            others = kwargs.others or []
            unread = False
            for key in others[::2]:
                # a literal key that is no str (1, None, b"p"): refused as the load refuses
                # it (object_checks.keyword_key_problem, rt39-05)
                if isinstance(key, _Const):
                    problem = keyword_key_problem(key.value)
                    if problem:
                        return f"{name}.{attribute}[{key.value!r}] {problem}"
                elif not (isinstance(key, _Big) and key.text):
                    unread = True
                # (a str over MAX_CONST is a plain str key to the load, longer than any
                # keyword the checks judge, rt43-02)
            if unread:
                # a key made by a call: a str subclass (numpy.str_('out')) passes for a
                # keyword (rt24-17), and builtins.str("x") is a plain str the walk cannot read
                return (
                    f"{name}.{attribute} unproven: a keyword that is not a plain string, "
                    "which the walk cannot read"
                )
    return None


def state_problem(pair: tuple[str, str], state: Any) -> str | None:
    from safeload._symbolic import _Const, _Dict, _Tuple
    from safeload.trust.graph import UnsafeState
    from safeload.trust.object_checks import check_name_template

    if pair in PANDAS_NAMES:
        return None  # checked, with the real values, by safeload.trust.pandas_forms
    if not isinstance(state, (_Dict, _Tuple)):
        return None
    cls = class_of(pair)
    if cls is None or not facts.has_dict(cls):
        return None  # extension types take their state through __setstate__, not __dict__
    name = facts.qualname(cls)
    if isinstance(state, _Tuple):
        problem, state = _pair_state(cls, name, state)
        if problem or state is None:
            return problem
    problem = _kwargs_problem(name, state)
    if problem:
        return problem
    wanted = facts_rules.literal_attributes(cls)
    literals: dict[str, Any] = {}
    for key, sym in state.items.items():
        if key in wanted:
            if type(sym) is _Const:
                literals[key] = sym.value
                continue
            ok, value = param_value(sym)
            if ok:
                literals[key] = value
            elif _plain_array(sym) and key in facts.constraint_names(cls):
                # scikit-learn's constraints judge an ndarray by its type alone (array-like
                # takes any, every other constraint none): an empty one stands for it, so scan
                # refuses what the load's parameter check refuses (rt35-02)
                literals[key] = _ARRAY_STAND_IN
            elif (
                only_data(sym)
                and key in facts.constraint_names(cls)
                and not facts.unvalidated(cls, key)  # takes any value (rt41-03)
            ):
                return (
                    f"{name}.{key} unproven: {describe(sym)}, a value the stream walk cannot "
                    "build, where the class checks its parameters"
                )
            elif object_refused(cls, key, sym):
                # an estimator, a sparse matrix, a RandomState or a tuple of pairs that no
                # constraint of the parameter takes, judged by its class (rt36-03)
                return (
                    f"{name}.{key} holds {describe(sym)}, which {name}'s parameter constraints "
                    "refuse"
                )
    problem = facts_rules.state_problem(cls, list(state.items), literals)
    if problem:
        return problem
    ok, template = param_value(state.items.get("verbose_feature_names_out"))
    if ok and isinstance(template, str):
        try:
            check_name_template(template, name)
        except UnsafeState as exc:
            return f"{name}.verbose_feature_names_out {exc.problem}"
    if facts.is_kernel(cls):
        for key in state.items:
            if key.startswith("hyperparameter_"):
                return (
                    f"{name}.{key}: a kernel reads and writes every attribute named "
                    "hyperparameter_* by the name stored in it; only the class may define them"
                )
    if facts.is_search(cls):
        for grid_name in ("param_grid", "param_distributions"):
            if grid_name in state.items:
                problem = grid_problem(state.items[grid_name])
                if problem:
                    return f"{name}.{grid_name} {problem}"
    for row in facts_rules.dispatch_rows(cls):
        if row.attribute in state.items and (
            row.kind not in _LITERAL_DONE or row.kind in _ANY_VALUE_KINDS
        ):
            problem = row_problem(row, state.items[row.attribute], 0)
            if problem:
                return f"{name}.{row.attribute} {problem} (it drives {row.drives})"
    return None


#: ``__setstate__`` owners that take only a dict (see state_problem).
_DICT_SETSTATE = frozenset(
    {
        "sklearn.base.BaseEstimator",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.isotonic.IsotonicRegression",
    }
)
_BASE_ESTIMATOR = "sklearn.base:BaseEstimator"


#: What a plain numpy array parameter is judged as (see :func:`_plain_array`).
_ARRAY_STAND_IN = __import__("numpy").zeros(1)


def _plain_array(sym: Any) -> bool:
    """Whether the stream makes ``sym`` as a plain ``numpy.ndarray`` (``_reconstruct`` of
    ``ndarray``, ``_frombuffer``, or joblib's inline array), not a subclass."""
    from safeload._symbolic import _Global, _Obj, _Tuple

    if type(sym).__name__ == "_Array":
        return True
    if not (isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair[0].startswith("numpy")):
        return False
    if sym.cls.pair[1] == "_frombuffer":  # protocol 5's out-of-band form: always an ndarray
        return True
    if sym.cls.pair[1] != "_reconstruct":
        return False
    args = sym.args
    first = args.items[0] if isinstance(args, _Tuple) and args.items else None
    return isinstance(first, _Global) and first.pair == ("numpy", "ndarray")


def _slot_merge(main: Any, slots: Any, owner: str) -> Any:
    """The attributes a ``(state, slot state)`` BUILD sets, as one dict: with ``object``'s
    ``__setstate__`` the unpickler updates ``__dict__`` from the state and then ``setattr``s
    each slot item, so the rules must see both (rt23-09). For another ``__setstate__``, the
    state dict alone, as before; ``None`` when there is no dict to judge."""
    from safeload._symbolic import _Const, _Dict

    if owner != "builtins.object":
        return main if isinstance(main, _Dict) else None
    parts = [p for p in (main, slots) if not (isinstance(p, _Const) and p.value is None)]
    if not all(isinstance(p, _Dict) for p in parts):
        return main if isinstance(main, _Dict) else None
    merged = _Dict()
    for part in parts:
        merged.items.update(part.items)
        merged.lossy = merged.lossy or part.lossy
        merged.unknown_keys = merged.unknown_keys or part.unknown_keys
    return merged
