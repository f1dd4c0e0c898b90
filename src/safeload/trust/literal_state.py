"""The use-time rules for literal state, as the static pass sees it in a stream.

``scan`` builds nothing: for an instance of a trusted class it knows the state keys and the
values the stream gives as literals. :func:`state_problem` says what the post-build check
would refuse in such a state (a key that hides what the class defines, a dispatch row whose
kind a literal decides, a parameter the class's constraints refuse).
"""

from __future__ import annotations

from typing import Any

from safeload.trust.classes import (
    CLEAN_KEYS,
    class_names,
    constraints_of,
    fitted_dispatch_rows,
    remember_clean,
)
from safeload.trust.graph import Graph, UnsafeState, array_answer_problem
from safeload.trust.kinds import apply
from safeload.trust.params import VALID_ATOMS, check_params

#: Kinds whose rule can be decided from a literal value alone.
LITERAL_KINDS = frozenset(
    {
        "one_of",
        "each_one_of",
        "none",
        "output_config",
        "attr_path",
        "forbidden",
        "int_one",
        "output_width",
        "thread_count",
        "regex",
        "numeric_dtype",
        "fitted_dtype",
    }
)


_LITERAL_ATTRS: dict[type, frozenset[str]] = {}


def literal_attributes(cls: type) -> frozenset[str]:
    """The attributes of ``cls`` whose literal values :func:`state_problem` judges."""
    found = _LITERAL_ATTRS.get(cls)
    if found is None:
        rows = {r.attribute for r in fitted_dispatch_rows(cls) if r.kind in LITERAL_KINDS}
        found = frozenset(rows | set(constraints_of(cls) or ()))
        _LITERAL_ATTRS[cls] = found
    return found


def state_problem(cls: type, keys: list[str], literals: dict[str, Any]) -> str | None:
    """What the post-build check would refuse in a state with these ``keys``, judged from the
    values known as literals; ``None`` when nothing can be said yet."""
    key_set = tuple(keys)
    if (cls, key_set) not in CLEAN_KEYS:
        names = class_names(cls)
        for key in keys:
            if key in names or (key.startswith("__") and key.endswith("__")):
                return (
                    f"state key {key!r} would hide what {cls.__qualname__} itself defines under "
                    "that name"
                )
            answers = array_answer_problem(key, cls.__qualname__)
            if answers:
                return answers
        if all(isinstance(k, str) and k.isidentifier() for k in keys):
            remember_clean(cls, key_set)
    graph = Graph(None, 0)
    for row in fitted_dispatch_rows(cls):
        if row.attribute in literals and row.kind in LITERAL_KINDS:
            try:
                apply(row, literals[row.attribute], graph)
            except UnsafeState as exc:
                return f"{cls.__qualname__}.{row.attribute} {exc.problem} (it drives {row.drives})"
    constraints = constraints_of(cls)
    if not constraints:
        return None
    todo = {}
    for name, value in literals.items():
        if name not in constraints:
            continue
        if type(value) not in (bool, int, float, str, type(None)):
            todo[name] = value  # a literal tuple, list, dict or numpy scalar (rt23-01)
        elif (cls, name, (type(value), value)) not in VALID_ATOMS:
            todo[name] = value
    if not todo:
        return None
    try:
        check_params(cls, todo, constraints, "")
    except UnsafeState as exc:
        return f"{cls.__qualname__}{exc.path} {exc.problem}"
    return None
