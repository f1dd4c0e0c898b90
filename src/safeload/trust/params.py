"""Constructor parameters: scikit-learn's own constraints, and the grids a search sets.

An estimator's parameters are held to its class's ``_parameter_constraints``, with
scikit-learn's own ``validate_parameter_constraints``. A search's parameter grid is held to
the dispatch rows it could otherwise get around: ``fit`` applies each candidate with
``set_params``, after the load-time checks ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from safeload.trust.dispatch import ROWS, DispatchRow
from safeload.trust.dtype_kinds import short
from safeload.trust.graph import Graph, UnsafeState
from safeload.trust.in_place import IN_PLACE_PARAMETERS, grid_value_problem
from safeload.trust.kinds import apply, sequence
from safeload.trust.profiles import PROFILE_ROWS

#: (type, parameter, value) triples already validated; parameters of plain atoms only, which is
#: what most of a forest's hundreds of identical trees hold. It lives as long as the process,
#: so a text is kept only up to :data:`MAX_KEPT_TEXT` characters: a long valid str (a
#: vectorizer's token pattern of megabytes) kept 64 MB alive after two refused 33 KB files
#: (rt108-09).
VALID_ATOMS: set[tuple[type, str, Any]] = set()
#: The longest text :data:`VALID_ATOMS` keeps (100,000 entries of it: some 25 MB at most); an
#: int is kept up to 64 bits (an 8 MB int stayed alive after its file was refused, rt109-06).
MAX_KEPT_TEXT = 200


def check_params(
    cls: type,
    values: dict[str, Any],
    constraints: dict[str, Any],
    path: str | Callable[[], str],
) -> None:
    """Hold ``values`` to the class's own parameter constraints (atoms already found valid
    are skipped: most of a forest's hundreds of trees hold the same ones). ``path`` names the
    object in a refusal (a callable is asked only then: a path costs a walk up the graph)."""
    todo: dict[str, Any] = {}
    for name, value in values.items():
        if name not in constraints:
            continue
        if type(value) in (bool, int, float, str, type(None)):
            if (cls, name, (type(value), value)) in VALID_ATOMS:
                continue
        todo[name] = value
    if not todo:
        return
    if not _all_satisfied(cls, todo, constraints):
        _refuse(cls, todo, constraints, path)
    if len(VALID_ATOMS) < 100_000:
        for name, value in todo.items():
            if (
                type(value) in (bool, float, type(None))
                or (type(value) is int and value.bit_length() <= 64)
                or (type(value) is str and len(value) <= MAX_KEPT_TEXT)
            ):
                VALID_ATOMS.add((cls, name, (type(value), value)))


def _refuse(
    cls: type, todo: dict[str, Any], constraints: dict[str, Any], path: str | Callable[[], str]
) -> None:
    """scikit-learn's own verdict on ``todo``, raised as :class:`UnsafeState` naming the
    parameter it refuses (or returning, if it takes them after all)."""
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    # scikit-learn's refusal formats the value (``Got {param_val!r}``): its printer on a ring
    # of estimators ran for minutes inside the load, then raised a bare RecursionError
    # (rt105-05). A value that is no plain atom is judged here, without printing it.
    for name, value in todo.items():
        if type(value) in _ATOMS:
            continue
        try:
            made = _made(cls, name, constraints)
            refused = made is not None and not any(c.is_satisfied_by(value) for c in made)
        except Exception:
            made, refused = None, True
        if refused:
            if callable(path):
                path = path()
            raise UnsafeState(
                f"{path}.{name}",
                f"holds a value {cls.__name__} itself refuses (a {type(value).__name__}; it "
                f"must be {_described(made)})",
            )
    try:  # all at once first, for scikit-learn's own verdict
        validate_parameter_constraints(
            {name: constraints[name] for name in todo}, todo, caller_name=cls.__name__
        )
    except (InvalidParameterError, ValueError, TypeError):
        if callable(path):
            path = path()
        for name, value in todo.items():  # then one by one, to name the parameter
            try:
                validate_parameter_constraints(
                    {name: constraints[name]}, {name: value}, caller_name=cls.__name__
                )
            except (InvalidParameterError, ValueError, TypeError) as exc:
                raise UnsafeState(
                    f"{path}.{name}",
                    f"holds a value {cls.__name__} itself refuses ({str(exc).rstrip('.')})",
                ) from None
        raise UnsafeState(path, "its parameters together are refused") from None


#: (class, parameter) -> the parameter's constraints as scikit-learn makes them before it
#: tests a value (``make_constraint``), or ``None`` for ``"no_validation"``.
_MADE: dict[tuple[type, str], list[Any] | None] = {}


#: Values scikit-learn's refusal message prints cheaply.
_ATOMS = (bool, int, float, str, type(None))


def _made(cls: type, name: str, constraints: dict[str, Any]) -> list[Any] | None:
    """The constraints of ``cls``'s parameter ``name`` as scikit-learn makes them (once per
    class and parameter), ``None`` for ``"no_validation"``."""
    from sklearn.utils._param_validation import make_constraint

    if (cls, name) in _MADE:
        return _MADE[(cls, name)]
    given = constraints[name]
    made = None if given == "no_validation" else [make_constraint(c) for c in given]
    if len(_MADE) < 100_000:
        _MADE[(cls, name)] = made
    return made


def _described(made: list[Any] | None) -> str:
    """What the constraints ``made`` allow, in scikit-learn's words."""
    try:
        return " or ".join(str(c) for c in made or ())[:400] or "what it allows"
    except Exception:
        return "what it allows"


def _all_satisfied(cls: type, todo: dict[str, Any], constraints: dict[str, Any]) -> bool:
    """Whether every value in ``todo`` satisfies one of its constraints, tested the way
    ``validate_parameter_constraints`` tests them but with each class's constraints made once
    (making them is most of that function's cost, paid again for each of a forest's trees,
    whose ``random_state`` differs). ``False`` on any doubt, error included: the caller then
    asks scikit-learn itself, whose verdict and message stand."""
    try:
        for name, value in todo.items():
            made = _made(cls, name, constraints)
            if made is not None and not any(c.is_satisfied_by(value) for c in made):
                return False
    except Exception:
        return False
    return True


# --- parameter grids ------------------------------------------------------------------------

#: Kinds whose rows a parameter grid could otherwise get around: fit applies the grid with
#: set_params, after the load-time checks ran.
_GRID_KINDS = frozenset(
    {
        "none",
        "attr_path",
        "data",
        "one_of",
        "each_one_of",
        "forbidden",
        "params",
        "int_one",
        "thread_count",
        "numeric_dtype",
        # (a backtracking token_pattern, a vocabulary of one hash and a 2**28-column encoder
        # loaded as grid candidates and were set by fit, rt123-02, rt123-07)
        "regex",
        "vocabulary",
        "output_width",
    }
)


#: Classes whose attributes no grid key can reach: ``set_params`` follows ``get_params``,
#: which lists an object's own parameters and those of what it holds that has
#: ``get_params``, and neither these classes nor any allowlisted subclass of them has it
#: (``tests/test_params_grid.py`` checks that against every profile's allowlist). Their rows
#: judged every grid key with the same last part: a grid over CalibratedClassifierCV's
#: ``method`` (``'sigmoid'``, ``'isotonic'``) or a PowerTransformer's (``'box-cox'``) was
#: refused by the rows of ``_CalibratedClassifier.method`` and the routing
#: ``MethodMetadataRequest.method``, which a fit makes itself.
UNSETTABLE_OWNERS: dict[str, str] = {
    "sklearn.calibration:_CalibratedClassifier": "made by CalibratedClassifierCV.fit",
    "sklearn.utils._metadata_requests:MethodMetadataRequest": "made by metadata routing",
    "sklearn.metrics._scorer:_BaseScorer": "a scorer: make_scorer's product, no parameters",
    "sklearn.neural_network._stochastic_optimizers:SGDOptimizer": "made by MLP fit",
    "sklearn.compose._column_transformer:make_column_selector": "a column selector object",
    "lightgbm.basic:Booster": "made by LGBMModel.fit; its params come from the wrapper's",
}


def grid_rows(name: str) -> list[DispatchRow]:
    """The dispatch rows a grid could get around for parameter ``name`` (a grid key's last
    ``__`` part): for the load's check here and scan's in :mod:`safeload.trust.static`. Rows
    of classes a grid cannot reach (:data:`UNSETTABLE_OWNERS`) are not among them."""
    return [
        r
        for r in (*ROWS, *PROFILE_ROWS)
        if r.attribute == name and r.kind in _GRID_KINDS and r.cls not in UNSETTABLE_OWNERS
    ]


def check_grid(grid: Any, path: str, graph: Graph) -> None:
    grids = grid if type(grid) in (list, tuple) else [grid]
    for one in grids:
        if not isinstance(one, dict):
            if isinstance(one, Mapping):
                raise UnsafeState(path, f"a parameter grid that is {short(one)}, not a dict")
            continue  # scikit-learn refuses it in fit
        # an OrderedDict, Bunch or Counter is a grid to scikit-learn (any Mapping): checked
        # as a dict is (an OrderedDict grid set a pipeline's memory in fit, rt38-11)
        for key, candidates in one.items():
            if not isinstance(key, str):
                raise UnsafeState(path, f"grid key {short(key)} is not a parameter name")
            name = key.rpartition("__")[2]
            rows = grid_rows(name)
            if not rows and name not in IN_PLACE_PARAMETERS:
                continue
            values = sequence(candidates)
            for value in values if values is not None else [candidates]:
                problem = grid_value_problem(name, value)
                if problem:
                    raise UnsafeState(
                        f"{path}[{key!r}]",
                        f"fit would set {name} to a value a loaded model may not hold: {problem}",
                    )
                for row in rows:
                    try:
                        apply(row, value, graph)
                    except UnsafeState as exc:
                        raise UnsafeState(
                            f"{path}[{key!r}]",
                            f"fit would set {name} to a value a loaded model may not hold: "
                            f"{exc.problem}",
                        ) from None
