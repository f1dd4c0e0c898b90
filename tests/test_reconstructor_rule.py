"""The ``copyreg._reconstructor`` rule (:mod:`safeload.trust.structures.reconstructor`) against
CPython itself: for every class of the default allowlist and every base copyreg writes, the
rule says ``base.__new__(cls)`` fails exactly when CPython refuses it; the facts' answer
agrees with the class's where the facts can tell; a state fails exactly when the builtin
refuses it (rt49-10)."""

from __future__ import annotations

import copyreg
from typing import Any

import pytest

from safeload.policy import Policy
from safeload.trust import facts
from safeload.trust.classes import resolve
from safeload.trust.shadow_builder import _python_class
from safeload.trust.structures.reconstructor import (
    BUILTIN_BASES,
    facts_new_failure,
    new_failure,
    state_failure,
)


def _allowed_classes() -> list[type]:
    found = []
    for module, qualname in Policy.default():
        value = resolve(module, qualname)
        # (numpy's classes are refused by the static pass before the rule is asked: copyreg
        # never makes them, call_rules._reconstructed_class_problem)
        if isinstance(value, type) and not value.__module__.startswith("numpy"):
            found.append(value)
    return found


def _real_new_fails(cls: type, base: type) -> bool:
    # ``base.__new__(cls)`` as copyreg calls it, with no state (a state only matters to the
    # conversion, judged by state_failure); the bare object is dropped at once
    state: Any = () if base in (tuple, frozenset, list, set, dict) else None
    try:
        if base is object:
            base.__new__(cls)
        elif state is None:
            base.__new__(cls)
        else:
            base.__new__(cls, state)
    except TypeError:
        return True
    return False


def test_rule_agrees_with_cpython_for_every_allowed_class() -> None:
    classes = _allowed_classes()
    assert len(classes) > 100
    wrong = [
        (cls, base)
        for cls in classes
        for base in BUILTIN_BASES
        if (new_failure(cls, base) is not None) != _real_new_fails(cls, base)
    ]
    assert not wrong, wrong[:10]


def test_facts_agree_with_the_class() -> None:
    checked = 0
    for cls in _allowed_classes():
        if not cls.__module__.startswith("sklearn."):
            continue
        try:
            known = facts.facts_for(cls.__module__, cls.__qualname__)
        except facts.NeedsImport:
            continue
        if known is None:
            continue
        for base in BUILTIN_BASES:
            try:
                said = facts_new_failure(known.mro, _python_class, base)
            except LookupError:
                continue  # (imported instead)
            assert (said is None) == (new_failure(cls, base) is None), (cls, base)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    "state",
    [None, 5, "ab", b"ab", 1.5, [(1, 2)], [(1, 2, 3)], {"a": 1}, (1, 2), [[1], [2]], "1e5", ""],
    ids=repr,
)
@pytest.mark.parametrize("base", BUILTIN_BASES, ids=lambda b: b.__name__)
def test_state_rule_agrees_with_copyreg(base: type, state: Any) -> None:
    sub = type("Sub", (base,), {})
    try:
        copyreg._reconstructor(sub, base, state)  # type: ignore[attr-defined]
        real = False
    except (TypeError, ValueError):
        real = True
    assert (state_failure(base, state) is not None) == real
