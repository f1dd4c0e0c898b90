"""Red team 87's fixed findings, beside its reproducers (tests/security/test_redteam87.py):
containers nested top-down are held to the depth limit, and counted without Python's or the C
stack (rt87-04); a container builtin is not built from a dict, whose values it drops (rt87-05).
"""

from __future__ import annotations

import pickle
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import safeload
from redteam import assert_scan_predicts_load, write
from safeload._symbolic import _Box, _Const, _Dict
from safeload.pickle.costs import DeepNesting, unfolded
from safeload.policy import Limits

SRC = Path(safeload.__file__).parent


def top_down(levels: int) -> bytes:
    """``levels + 1`` lists, each appended to its holder while empty, then fetched from the
    memo to receive the next (9 bytes a level)."""
    out = bytearray(b"\x80\x04]\x94")
    for k in range(1, levels + 1):
        out += b"]\x94a0j" + struct.pack("<I", k)
    return bytes(out + b"0j" + struct.pack("<I", 0) + b".")


def bottom_up(levels: int) -> bytes:
    """``levels`` lists, each complete when it is appended."""
    return b"\x80\x04" + b"]" * levels + b"a" * (levels - 1) + b"."


def _depth(data: bytes) -> int:
    deepest, value = 0, pickle.loads(data)
    while isinstance(value, list) and value:
        deepest, value = deepest + 1, value[0]
    return deepest + 1


def test_top_down_nesting_is_what_plain_pickle_builds() -> None:
    # the attack's form: plain pickle builds every level, where the walk recorded each list at
    # the depth it had while empty
    assert _depth(top_down(60)) == 61
    assert _depth(bottom_up(60)) == 60


@pytest.mark.parametrize("form", [top_down, bottom_up])
def test_depth_limit_holds_for_nesting_built_either_way(tmp_path: Path, form) -> None:
    limits = Limits(max_depth=50)
    data = form(60)
    report = safeload.scan(data, limits=limits)
    assert not report.safe
    assert any("nested deeper than 50" in f.message for f in report.findings), report.findings
    path = write(tmp_path, data)
    with pytest.raises(safeload.SafeloadError, match="nested deeper than 50"):
        safeload.load_unsigned(path, limits=limits)


def test_depth_limit_is_not_met_within_it() -> None:
    limits = Limits(max_depth=50)
    for data in (top_down(40), bottom_up(49)):
        report = safeload.scan(data, limits=limits)
        assert not any("nested deeper" in f.message for f in report.findings), report.findings


def test_unfolded_counts_deep_chains_without_recursion() -> None:
    # a chain of 200,000 lists (no Python recursion limit, no C stack) counts every node
    inner = _Box([_Const(1)])
    for _ in range(199_999):
        inner = _Box([inner])
    assert unfolded(inner, 10**9, {}) == 200_001
    with pytest.raises(DeepNesting):
        unfolded(inner, 10**9, {}, max_depth=1_000)


def test_unfolded_counts_shared_and_cyclic_values_as_before() -> None:
    # a shared list counts once per path; a list holding itself counts one node for itself
    shared = _Box([_Const(1), _Const(2)])
    outer = _Box([shared, shared, shared])
    assert unfolded(outer, 10**6, {}) == 1 + 3 * 3
    loop = _Box([_Const(1)])
    loop.items.append(loop)
    assert unfolded(loop, 10**6, {}) == 3
    # a dict counts its keys as values and what it holds
    d = _Dict()
    d.items["k"] = outer
    assert unfolded(d, 10**6, {}) == 1 + 1 + 10
    # a memoised value met deeper still counts its own depth against the limit
    chain = _Box([_Const(1)])
    for _ in range(9):
        chain = _Box([chain])
    both = _Box([chain, _Box([_Box([chain])])])
    unfolded(both, 10**6, {}, max_depth=13)
    with pytest.raises(DeepNesting):
        unfolded(both, 10**6, {}, max_depth=12)


_CHILD = """
import sys, threading
sys.path.insert(0, sys.argv[1]) if sys.argv[1] != "-" else None
import safeload
data = open(sys.argv[2], "rb").read()
def run():
    report = safeload.scan(data)
    print(report.safe, report.findings[0].message if report.findings else "")
if sys.argv[3] == "thread":
    threading.stack_size(256 * 1024)  # a small stack: the count must not use it per level
    t = threading.Thread(target=run)
    t.start()
    t.join()
else:
    run()
"""


@pytest.mark.parametrize("build", ["compiled", "pure"])
def test_deep_top_down_nesting_refused_by_the_limit_not_a_crash(tmp_path: Path, build) -> None:
    # 35,000 levels (315 KB) overflowed the C stack of the compiled count; the pure build
    # refused them as a malformed stream (RecursionError), not by the limit
    path = write(tmp_path, top_down(35_000))
    where = "-"
    env = None
    if build == "pure":
        pure = tmp_path / "pure"
        ignored = shutil.ignore_patterns("*.so", "__pycache__")
        shutil.copytree(SRC, pure / "safeload", ignore=ignored)
        where = str(pure)
        env = {"SAFELOAD_PURE_PYTHON": "1", "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, where, str(path), "main"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 0, (run.returncode, run.stderr[-400:])
    assert run.stdout.startswith("False limit: containers nested deeper than 1000"), run.stdout


def test_scan_in_a_small_thread_stack(tmp_path: Path) -> None:
    # 999 levels built bottom-up in a thread of 256 KB: the compiled count took some 300
    # bytes of C stack a level and crashed there
    path = write(tmp_path, bottom_up(999))
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, "-", str(path), "thread"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, (run.returncode, run.stderr[-400:])
    assert run.stdout.startswith("False"), run.stdout


@pytest.mark.parametrize("builtin", ["list", "set", "tuple", "frozenset"])
def test_container_builtin_of_a_dict_refused_by_scan_and_load(tmp_path: Path, builtin) -> None:
    # list({'k': builtins.set}): plain pickle makes ['k'], the value dropped; scan judged
    # the value (unsafe) while the load returned ['k']. No pickler writes it: both refuse.
    data = (
        b"\x80\x05cbuiltins\n" + builtin.encode() + b"\n}X\x01\x00\x00\x00kcbuiltins\nset\ns\x85R."
    )
    assert list(pickle.loads(data)) == ["k"]
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_container_builtins_still_built_from_what_picklers_write(tmp_path: Path) -> None:
    # protocol 2's set and frozenset: a call on a list
    for value in ({1, 2}, frozenset({"a"})):
        data = pickle.dumps(value, protocol=2)
        assert_scan_predicts_load(data, tmp_path)
        assert safeload.load_unsigned(write(tmp_path, data)) == value
