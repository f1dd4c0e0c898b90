"""The sharing bound on graphs with cycles (rt30-01): a sum made while a node above it on the
path was being counted leaves that node out, so it must not be reused where the walk meets
the node from elsewhere."""

from __future__ import annotations

from typing import Any

import pytest

from safeload.exceptions import UnsafeStateError
from safeload.trust.sharing import first_over_cap
from safeload.validate import validate_loaded


def _cycle_levels(k: int) -> Any:
    """``A_i = [B_i, R_(i-1)]``, ``B_i = [A_i]``, ``R_i = [A_i, B_i, B_i]``: 3 lists a level,
    and ``repr(R_k)`` about 3**k long (each ``B_i`` met from ``R_i`` prints ``A_i`` again)."""
    r: Any = "x"
    for _ in range(k):
        a: list[Any] = []
        b = [a]
        a += [b, r]
        r = [a, b, b]
    return r


def test_a_walk_back_into_a_cycle_is_counted_where_it_is_met_again() -> None:
    # A -> B -> A (cycle), root -> A and B many times: B's sum inside A leaves A out
    edges = {0: [1] + [2] * 50, 1: [2, 3], 2: [1], 3: []}
    walks = first_over_cap([0], edges, {0, 1, 2}, cap=100)
    assert walks == 0  # B met 50 times from the root meets A each time: 1 + 2 + 50 * 3 > 100
    assert first_over_cap([0], edges, {0, 1, 2}, cap=200) is None


def test_a_list_holding_itself_counts_once() -> None:
    edges = {0: [0, 0, 0]}
    assert first_over_cap([0], edges, {0}, cap=1) is None


def test_the_repr_of_levels_grows_as_the_bound_says() -> None:
    assert len(repr(_cycle_levels(5))) > 3**5 * 10  # what the bound stands for


@pytest.mark.parametrize("k", [30])
def test_exponential_cycles_are_refused_after_building(k: int) -> None:
    with pytest.raises(UnsafeStateError, match="exponential"):
        validate_loaded({"model": _cycle_levels(k)}, "cycles")


def test_honest_cycles_load() -> None:
    a: list[Any] = []
    a.append(a)
    validate_loaded({"model": [a, a]}, "honest")
    validate_loaded(_cycle_levels(3), "three levels")
