"""The use-time rules answered from the classes' facts: the dispatch rows that apply to a class,
the attributes whose literal values the static pass checks, the state rules on those values,
and scikit-learn's parameter constraints encoded as data (:func:`params_valid`).

Each function taking ``cls`` takes what :mod:`safeload.trust.static` holds for a trusted name:
the class itself (answered by the same code a load runs) or its
:class:`~safeload.trust.facts.ClassFacts`. What the data cannot answer exactly raises
:class:`~safeload.trust.facts.NeedsImport` (see :mod:`safeload.trust.facts`).
"""

from __future__ import annotations

import math
from typing import Any

from safeload.trust.facts import ClassFacts, NeedsImport

__all__ = ["ATOM_TYPES", "dispatch_rows", "literal_attributes", "params_valid", "state_problem"]


#: The values the static pass holds literal parameters as (``literal_state.state_problem`` judges
#: exactly these types).
ATOM_TYPES: tuple[type, ...] = (bool, int, float, str, type(None))


def _satisfied(constraint: Any, value: Any) -> bool:
    """One encoded constraint on an atom (see :mod:`safeload.trust._gen_facts` for the forms,
    each the same test as the scikit-learn constraint it was made from)."""
    tag = constraint[0]
    kind = type(value).__name__
    if tag == "type":  # _InstancesOf, None, array-like, callable, HasMethods...: the type decides
        return kind in constraint[1]
    if tag == "interval":  # Interval(type, left, right, closed)
        _tag, kinds, left, right, closed = constraint
        if kind not in kinds:
            return False
        if kind == "float" and math.isnan(value):
            return False
        low = -math.inf if left is None else left
        high = math.inf if right is None else right
        if (value < low) if closed in ("left", "both") else (value <= low):
            return False
        return not ((value > high) if closed in ("right", "both") else (value >= high))
    if tag == "options":  # Options(type, options), StrOptions
        return kind in constraint[1] and value in frozenset(constraint[2])
    if tag == "nan":  # not Integral, Real, and nan
        return kind == "float" and math.isnan(value)
    if tag == "any":  # _RandomStates, _Booleans, _VerboseHelper, MissingValues, _CVObjects
        return any(_satisfied(c, value) for c in constraint[1])
    raise NeedsImport(f"constraint form {tag!r}")  # pragma: no cover - generated forms only


def params_valid(constraints: dict[str, Any], values: dict[str, Any]) -> bool:
    """``validate_parameter_constraints(constraints, values)`` does not raise, for atom
    values (``bool``, ``int``, ``float``, ``str``, ``None``, exactly). Raises
    :class:`NeedsImport` for a value or a parameter the data cannot judge."""
    for name, value in values.items():
        if name not in constraints:
            continue
        if type(value) not in ATOM_TYPES:
            raise NeedsImport(f"a {type(value).__name__} value for {name}")
        encoded = constraints[name]
        if encoded is None:
            raise NeedsImport(f"the constraints of {name}")
        if encoded == "no_validation":
            continue
        if not any(_satisfied(c, value) for c in encoded):
            return False
    return True


_ROWS: dict[int, tuple[Any, ...]] = {}
_LITERALS: dict[int, frozenset[str]] = {}


def dispatch_rows(cls: Any) -> tuple[Any, ...]:
    """:func:`safeload.trust.classes.fitted_dispatch_rows`."""
    from safeload.trust.classes import fitted_dispatch_rows

    if not isinstance(cls, ClassFacts):
        return fitted_dispatch_rows(cls)
    rows = _ROWS.get(id(cls))
    if rows is None:
        from safeload.trust.dispatch import ROWS
        from safeload.trust.profiles import PROFILE_ROWS

        rows = tuple(row for row in ROWS if cls.is_a(row.cls))
        rows += tuple(row for row in PROFILE_ROWS if row.cls in cls.mro_set)
        _ROWS[id(cls)] = rows  # facts objects live as long as the process (facts_for keeps them)
    return rows


def literal_attributes(cls: Any) -> frozenset[str]:
    """:func:`safeload.trust.literal_state.literal_attributes`."""
    from safeload.trust import literal_state

    if not isinstance(cls, ClassFacts):
        return literal_state.literal_attributes(cls)
    found = _LITERALS.get(id(cls))
    if found is None:
        rows = {r.attribute for r in dispatch_rows(cls) if r.kind in literal_state.LITERAL_KINDS}
        found = _LITERALS[id(cls)] = frozenset(rows | set(cls.constraints or ()))
    return found


_HIDES: dict[int, frozenset[str]] = {}


def _state_hides(cls: ClassFacts) -> frozenset[str]:
    """The names a state key may not hide: what the class defines, less the profiles'
    instance defaults (once per class, kept as :data:`_ROWS` is)."""
    names = _HIDES.get(id(cls))
    if names is None:
        from safeload.trust.profiles import INSTANCE_DEFAULTS

        names = cls.class_names
        for base in cls.mro:
            names = names - INSTANCE_DEFAULTS.get(base, frozenset())
        _HIDES[id(cls)] = names
    return names


def state_problem(cls: Any, keys: list[str], literals: dict[str, Any]) -> str | None:
    """:func:`safeload.trust.literal_state.state_problem`; from facts, the same rules with the
    parameter constraints checked by :func:`params_valid` (a refusal is found again, and
    worded, with the class: see :mod:`safeload.trust.static`)."""
    from safeload.trust import literal_state
    from safeload.trust.graph import Graph, UnsafeState, array_answer_problem
    from safeload.trust.kinds import apply

    if not isinstance(cls, ClassFacts):
        return literal_state.state_problem(cls, keys, literals)
    names = _state_hides(cls)
    for key in keys:
        if key in names or (key.startswith("__") and key.endswith("__")):
            return f"state key {key!r} would hide what {cls.qualname} itself defines"
        answers = array_answer_problem(key, cls.qualname)
        if answers:
            return answers
    graph = Graph(None, 0)
    for row in dispatch_rows(cls):
        if row.attribute in literals and row.kind in literal_state.LITERAL_KINDS:
            try:
                apply(row, literals[row.attribute], graph)
            except UnsafeState as exc:
                return f"{cls.qualname}.{row.attribute} {exc.problem}"
    constraints = cls.constraints
    if not constraints:
        return None
    # a value that is not an atom raises NeedsImport in params_valid: the classes judge it
    todo = {name: value for name, value in literals.items() if name in constraints}
    if todo and not params_valid(constraints, todo):
        return f"{cls.qualname} holds a parameter value it refuses"
    return None
