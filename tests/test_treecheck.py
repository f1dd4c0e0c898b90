"""The C tree check (``safeload._treecheck``) against the numpy one and a plain reference.

trees.trees_all_valid checks every decision tree a load builds, with the C module where
setup.py built it and with numpy otherwise. Both must say exactly what a plain Python reading
of the rules says (children after their parent and inside the array, -1 for both children of a
leaf, one parent per node but the root, features in range, missing_go_to_left 0 or 1, max_depth
the real depth), on trees scikit-learn fitted and on thousands of damaged copies. And through
the real ``Tree`` class: whatever the fast check accepts, the per-tree check that names problems
(trees.check_tree) accepts too.
"""

from __future__ import annotations

import os
import random
import shutil
import sysconfig
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.tree._tree import Tree

from safeload.trust.structures import common, trees

try:
    from safeload._treecheck import nodes_ok
except ImportError:  # a pure-Python install
    nodes_ok = None

needs_native = pytest.mark.skipif(nodes_ok is None, reason="safeload._treecheck not built")


def test_built_wherever_the_static_pass_is_compiled() -> None:
    if os.environ.get("SAFELOAD_PURE_PYTHON") == "1":
        pytest.skip("pure-Python install")
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip("no C compiler")
    assert nodes_ok is not None, "setup.py did not build safeload._treecheck"


def _reference(nodes: np.ndarray, n_features: int, max_depth: int) -> bool:
    """The rules, read as plainly as possible."""
    n = nodes.shape[0]
    if n < 1:
        return False
    left = [int(v) for v in nodes["left_child"]]
    right = [int(v) for v in nodes["right_child"]]
    feature = [int(v) for v in nodes["feature"]]
    if "missing_go_to_left" in (nodes.dtype.names or ()):
        if any(int(v) > 1 for v in nodes["missing_go_to_left"]):
            return False
    parents = [0] * n
    for i in range(n):
        if left[i] == -1 and right[i] == -1:
            if feature[i] != -2:
                return False
            continue
        if not (i < left[i] < n and i < right[i] < n):
            return False
        if not 0 <= feature[i] < n_features:
            return False
        parents[left[i]] += 1
        parents[right[i]] += 1
    if parents[0] != 0 or any(p != 1 for p in parents[1:]):
        return False
    depth = [0] * n
    depth[0] = 1
    for i in range(n):
        if not (left[i] == -1 and right[i] == -1):
            depth[left[i]] = depth[right[i]] = depth[i] + 1
    return max(depth) - 1 == max_depth


def _numpy(nodes: np.ndarray, n_features: int, max_depth: int) -> bool:
    """The numpy path of _trees_all_valid on bare node records (depth as the plain reading)."""
    if not trees.node_batch_valid([(nodes, n_features)]):
        return False
    return _reference(nodes, n_features, max_depth)  # children are sound: only depth differs


def _native(nodes: np.ndarray, n_features: int, max_depth: int) -> bool:
    layout = trees.node_layout(nodes)
    assert layout is not None
    return bool(
        nodes_ok(nodes, nodes.shape[0], nodes.dtype.itemsize, *layout, n_features, max_depth)
    )


def _fitted_trees() -> list[Any]:
    x, y = make_classification(n_samples=300, n_features=8, n_informative=5, random_state=0)
    xr, yr = make_regression(n_samples=200, n_features=6, n_targets=2, random_state=0)
    x_missing = x.copy()
    x_missing[::7, 2] = np.nan
    models = [
        DecisionTreeClassifier(random_state=0).fit(x, y),
        DecisionTreeClassifier(max_leaf_nodes=20, random_state=0).fit(x, y),  # best-first
        DecisionTreeClassifier(max_depth=1, random_state=0).fit(x, y),
        DecisionTreeClassifier(random_state=0).fit(x_missing, y),
        DecisionTreeRegressor(random_state=0).fit(xr, yr),
        DecisionTreeClassifier().fit([[0.0], [1.0]], [1, 1]),  # a single leaf
    ]
    trees = [m.tree_ for m in models]
    trees += [e.tree_ for e in RandomForestClassifier(5, random_state=0).fit(x, y).estimators_]
    trees += [e.tree_ for e in ExtraTreesRegressor(3, random_state=0).fit(xr, yr).estimators_]
    return trees


TREES = _fitted_trees()


@needs_native
def test_fitted_trees_pass_all_three() -> None:
    for tree in TREES:
        nodes = tree.__getstate__()["nodes"]
        args = (nodes, int(tree.n_features), int(tree.max_depth))
        assert _reference(*args) and _numpy(*args) and _native(*args)
    assert trees.trees_all_valid(TREES)


def _damage(rng: random.Random, nodes: np.ndarray, n_features: int) -> tuple[np.ndarray, int, int]:
    """A copy of ``nodes`` with one or two fields changed the way an attacker would."""
    nodes = nodes.copy()
    n = nodes.shape[0]
    depth_shift = 0
    for _ in range(rng.choice((1, 1, 2))):
        i = rng.randrange(n)
        field = rng.choice(("left_child", "right_child", "feature", "missing_go_to_left", "depth"))
        if field == "depth":
            depth_shift = rng.choice((-1, 1, 2**40))
            continue
        if field == "missing_go_to_left":
            nodes[field][i] = rng.choice((0, 1, 2, 255))
            continue
        bound = n_features if field == "feature" else n
        nodes[field][i] = rng.choice(
            (
                -1,
                -2,
                0,
                i,
                i - 1,
                i + 1,
                bound - 1,
                bound,
                bound + 1,
                -(2**63),
                2**63 - 1,
                rng.randrange(-n, 2 * n),
                int(nodes["left_child"][rng.randrange(n)]),
                int(nodes["right_child"][rng.randrange(n)]),
            )
        )
    return nodes, n_features, depth_shift


@needs_native
def test_damaged_trees_agree_with_the_reference() -> None:
    """Thousands of damaged copies: shared children, back edges, one-child leaves, features out
    of range, flags above 1, a wrong depth. All three readings must agree on every one."""
    rng = random.Random(1234)
    accepted = refused = 0
    for round_ in range(3000):
        tree = TREES[round_ % len(TREES)]
        original = tree.__getstate__()["nodes"]
        nodes, n_features, shift = _damage(rng, original, int(tree.n_features))
        max_depth = int(tree.max_depth) + shift
        want = _reference(nodes, n_features, max_depth)
        assert _native(nodes, n_features, max_depth) == want, round_
        assert _numpy(nodes, n_features, max_depth) == want, round_
        accepted += want
        refused += not want
    assert refused > 2000 and accepted > 50  # both outcomes are exercised


@needs_native
def test_what_the_fast_check_accepts_the_naming_check_accepts(monkeypatch: Any) -> None:
    """Through real Tree objects (never used to predict): the C path, the numpy path and the
    per-tree check that names the problem give one verdict."""
    rng = random.Random(99)
    for round_ in range(300):
        source = TREES[round_ % len(TREES)]
        state = dict(source.__getstate__())
        nodes, _, shift = _damage(rng, state["nodes"], int(source.n_features))
        state["nodes"] = nodes
        state["max_depth"] = int(source.max_depth) + shift
        tree = Tree(source.n_features, np.asarray(source.n_classes), source.n_outputs)
        tree.__setstate__(state)
        try:
            trees.check_tree(tree, None)
            named = True
        except (common.Bad, KeyError, ValueError, TypeError, IndexError):
            named = False
        monkeypatch.setattr(trees, "C_TREE_CHECK", True)
        fast_c = trees.trees_all_valid([tree])
        monkeypatch.setattr(trees, "C_TREE_CHECK", False)
        fast_numpy = trees.trees_all_valid([tree])
        assert fast_c == fast_numpy == named, round_


@needs_native
def test_a_layout_that_does_not_fit_the_buffer_is_refused() -> None:
    tree = TREES[0]
    nodes = tree.__getstate__()["nodes"]
    n, size = nodes.shape[0], nodes.dtype.itemsize
    layout = trees.node_layout(nodes)
    assert layout is not None
    nf, depth = int(tree.n_features), int(tree.max_depth)
    assert nodes_ok(nodes, n, size, *layout, nf, depth)
    assert not nodes_ok(nodes, n + 1, size, *layout, nf, depth)  # more records than bytes
    assert not nodes_ok(nodes, 0, size, *layout, nf, depth)
    assert not nodes_ok(nodes, n, 4, *layout, nf, depth)  # records too small for int64
    assert not nodes_ok(nodes, n, size, size - 7, *layout[1:], nf, depth)
    assert not nodes_ok(nodes, n, size, -1, *layout[1:], nf, depth)
    assert not nodes_ok(nodes, n, size, *layout[:3], size, nf, depth)
    assert not nodes_ok(nodes, n, size, *layout, 0, depth)
    assert not nodes_ok(nodes, n, size, *layout, nf, -1)
    with pytest.raises((TypeError, ValueError)):
        nodes_ok(nodes[::2], n // 2, size, *layout, nf, depth)  # not contiguous


def test_other_layouts_go_to_the_numpy_path() -> None:
    nodes = TREES[0].__getstate__()["nodes"]
    assert trees.node_layout(nodes) is not None
    assert trees.node_layout(nodes[::2]) is None
    swapped = nodes.astype(nodes.dtype.newbyteorder(">"))
    assert trees.node_layout(swapped) is None
    narrow = np.zeros(3, dtype=[("left_child", "<i4"), ("right_child", "<i4"), ("feature", "<i4")])
    assert trees.node_layout(narrow) is None
