"""How deep honest gradient boosting trees are, against safeload's SHAP path bound.

    .venv/bin/python benchmarks/tree_paths.py

Grows LightGBM (leaf-wise) and xgboost (``grow_policy="lossguide"``, ``max_depth=0``) trees of
255 to 4,096 leaves on two targets (a fast sine of ten features; a random walk on one sorted
feature), and prints for each model the largest mean squared leaf depth of its trees, the
deepest leaf, and whether ``load_unsigned`` loads it. ``safeload.trust.tree_paths`` allows
a mean of 1,024 (``PATH_WORK_PER_LEAF``), or 65,536 in all per tree.
"""

from __future__ import annotations

import json
import pickle
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

import safeload
from safeload.trust.tree_paths import PATH_WORK_PER_LEAF


def _lightgbm_paths(model: Any) -> tuple[float, int]:
    worst, deepest = 0.0, 0
    for info in model.booster_.dump_model()["tree_info"]:
        work = leaves = 0
        stack = [(info["tree_structure"], 0)]
        while stack:
            node, depth = stack.pop()
            if "split_index" in node:
                stack += [(node["left_child"], depth + 1), (node["right_child"], depth + 1)]
            else:
                work, leaves, deepest = work + depth * depth, leaves + 1, max(deepest, depth)
        worst = max(worst, work / max(leaves, 1))
    return worst, deepest


def _xgboost_paths(model: Any) -> tuple[float, int]:
    worst, deepest = 0.0, 0
    dumped = json.loads(bytes(model.get_booster().save_raw("json")))
    for tree in dumped["learner"]["gradient_booster"]["model"]["trees"]:
        parents, left = tree["parents"], np.array(tree["left_children"])
        depth = np.zeros(len(parents), dtype=np.int64)
        for i in range(1, len(parents)):
            depth[i] = depth[parents[i]] + 1
        leaf = left == -1
        worst = max(worst, float((depth[leaf] ** 2).sum() / leaf.sum()))
        deepest = max(deepest, int(depth.max()))
    return worst, deepest


def main() -> None:
    import lightgbm
    import xgboost

    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    n = 20_000
    X = rng.rand(n, 10)
    targets = {
        "sine": (X, np.sin(X[:, 0] * 50) + X[:, 1]),
        "walk": (np.sort(rng.rand(n, 1), axis=0), np.cumsum(rng.randn(n))),
    }
    print(f"bound: mean squared leaf depth {PATH_WORK_PER_LEAF}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.pkl"
        for target, (data, y) in targets.items():
            for leaves in (255, 1023, 4095):
                models = {
                    "lightgbm": lightgbm.LGBMRegressor(
                        n_estimators=5, num_leaves=leaves, min_child_samples=2, verbose=-1
                    ),
                    "xgboost": xgboost.XGBRegressor(
                        n_estimators=5,
                        grow_policy="lossguide",
                        max_leaves=leaves + 1,
                        max_depth=0,
                        min_child_weight=0,
                    ),
                }
                for lib, model in models.items():
                    model.fit(data, y)
                    paths = _lightgbm_paths if lib == "lightgbm" else _xgboost_paths
                    worst, deepest = paths(model)
                    path.write_bytes(pickle.dumps(model, protocol=5))
                    try:
                        safeload.load_unsigned(path, profiles=[lib])
                        verdict = "loads"
                    except safeload.SafeloadError as exc:
                        verdict = f"refused: {exc}"
                    print(
                        f"{lib:<9} {target:<5} {leaves + 1:>5} leaves: mean squared depth "
                        f"{worst:7.1f}, deepest {deepest:3d}, {verdict}"
                    )


if __name__ == "__main__":
    main()
