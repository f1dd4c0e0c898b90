"""r15-05: a LightGBM model text whose trees disagree with ``tree_sizes`` aborts the process
inside LightGBM's loader, and one whose tree loops (``left_child[0]=0``) hangs ``predict``.
Each is shown under plain pickle in a child process, then refused by safeload with the
lightgbm profile, ``scan`` agreeing (``tests/parity.py``); honest models of every kind load.
The rules themselves are in :mod:`safeload.trust.lightgbm_text`."""

from __future__ import annotations

import copyreg
import io
import pickle
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.parity import load_unsigned

from harm import Child, plain
from safeload import SafeloadError
from safeload.trust.lightgbm_text import text_problem

lgb = pytest.importorskip("lightgbm")

RNG = np.random.RandomState(0)
X = RNG.rand(300, 5)
X[:, 4] = RNG.randint(0, 10, 300)
Y = ((X[:, 0] > 0.5) ^ (X[:, 4] % 3 == 0)).astype(int)
YR = X[:, 1] * 3 + (X[:, 4] == 4)


def _plain(path: Path, timeout: float, hang_after_load: float | None = None) -> Child:
    """Unpickle and predict five rows in a child."""
    return plain(
        path,
        "model.predict(X)",
        loads=None,
        data=(5, 5),
        timeout=timeout,
        hang_after_load=hang_after_load,
    )


def _model() -> Any:
    return lgb.LGBMClassifier(n_estimators=3, num_leaves=4, verbose=-1).fit(X, Y)


def _edit(text: str, key: str, edit: Callable[[list[str]], None], tree: int = 0) -> str:
    """``text`` with the ``key=`` line of tree ``tree`` changed by ``edit`` (on its values)."""
    lines = text.split("\n")
    seen = -1
    for i, line in enumerate(lines):
        if line.startswith("Tree="):
            seen = int(line[5:])
        if seen == tree and line.startswith(key + "="):
            values = line.split("=", 1)[1].split(" ")
            edit(values)
            lines[i] = key + "=" + " ".join(values)
            return "\n".join(lines)
    raise AssertionError(f"no {key} in tree {tree}")


def _resized(text: str) -> str:
    """``text`` with ``tree_sizes`` recomputed from its tree blocks (an edit that changes a
    tree's length then disagrees with nothing but the rule it targets)."""
    head, _, rest = text.partition("\nTree=")
    trees, _, tail = ("Tree=" + rest).partition("end of trees\n")
    blocks = ["Tree=" + b for b in trees.split("Tree=")[1:]]
    sizes = " ".join(str(len(b.encode())) for b in blocks)
    lines = [
        f"tree_sizes={sizes}" if ln.startswith("tree_sizes=") else ln for ln in head.split("\n")
    ]
    return "\n".join(lines) + "\n" + "".join(blocks) + "end of trees\n" + tail


def _write(tmp_path: Path, model: Any, text: str, name: str) -> Path:
    """``model`` pickled exactly as pickle writes it (NEWOBJ and one BUILD on its Booster),
    with the Booster's model text replaced by ``text``."""
    state = model.booster_.__getstate__()
    state["_handle"] = text
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=4)
    pickler.dispatch_table = {lgb.Booster: lambda b: (copyreg.__newobj__, (lgb.Booster,), state)}
    pickler.dump(model)
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return path


def _refused(path: Path, match: str) -> None:
    with pytest.raises(SafeloadError, match=match):
        load_unsigned(path, profiles=["lightgbm"])  # scan must agree (tests/parity.py)


def test_r15_05_tree_sizes_disagreement_aborts_plain_pickle(tmp_path: Path) -> None:
    model = _model()
    text = _edit(
        model.booster_.model_to_string(), "left_child", lambda v: v.__setitem__(0, "100000000")
    )
    path = _write(tmp_path, model, text, "abort.pkl")
    child = _plain(path, timeout=60)
    assert child.crashed, f"plain pickle should die on a signal: {child}"
    _refused(path, "disagree with tree_sizes")


def test_r15_05_self_loop_hangs_plain_predict(tmp_path: Path) -> None:
    model = _model()
    text = _edit(model.booster_.model_to_string(), "left_child", lambda v: v.__setitem__(0, "0"))
    assert text_problem(_resized(text).encode()) == text_problem(text.encode())  # same length
    path = _write(tmp_path, model, text, "loop.pkl")
    child = _plain(path, timeout=120, hang_after_load=1.5)
    assert child.hung and child.loaded, f"plain predict should hang: {child}"
    _refused(path, "a loop")


def _tree_edits(text: str) -> dict[str, tuple[str, str]]:
    """Crafted texts (same length where it matters) and what the refusal says."""

    def setter(i: int, v: str) -> Callable[[list[str]], None]:
        return lambda values: values.__setitem__(i, v)

    lines = text.split("\n")
    sizes = next(line for line in lines if line.startswith("tree_sizes="))
    swapped = sizes.split("=")[1].split(" ")
    swapped[0], swapped[1] = swapped[1], swapped[0]
    text = _resized(text)
    return {
        "leaf twice": (_edit(text, "right_child", setter(1, "-1")), "leaf 0 twice"),
        "leaf out of range": (_edit(text, "left_child", setter(1, "-9")), "out of range"),
        "child out of range": (_edit(text, "left_child", setter(0, "7")), "out of range"),
        "feature out of range": (_edit(text, "split_feature", setter(0, "9")), "feature 9"),
        "short array": (_resized(_edit(text, "threshold", lambda v: v.pop())), "threshold holds"),
        "categorical bit": (_edit(text, "decision_type", setter(0, "3")), "num_cat=0"),
        "num_leaves": (_edit(text, "num_leaves", setter(0, "0")), "num_leaves=0"),
        "swapped sizes": (text.replace(sizes, "tree_sizes=" + " ".join(swapped)), "tree_sizes"),
        "no tree_sizes": (text.replace(sizes + "\n", ""), "no tree_sizes"),
        "NUL": (text.replace("version=v4", "version=v4\0"), "cannot be checked"),
        "not a number": (_resized(_edit(text, "leaf_value", setter(0, "1x"))), "cannot be checked"),
        "iterations": (
            text.replace("num_class=1\n", "num_class=2\n").replace(
                "num_tree_per_iteration=1\n", "num_tree_per_iteration=2\n"
            ),
            "whole number of iterations",
        ),
        "trees per iteration": (
            text.replace("num_tree_per_iteration=1\n", "num_tree_per_iteration=2\n"),
            "differs from num_class",
        ),
        "tab": (_resized(_edit(text, "left_child", setter(1, "-1\t-2"))), "cannot be checked"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "leaf twice",
        "leaf out of range",
        "child out of range",
        "feature out of range",
        "short array",
        "categorical bit",
        "num_leaves",
        "swapped sizes",
        "no tree_sizes",
        "NUL",
        "not a number",
        "iterations",
        "trees per iteration",
        "tab",
    ],
)
def test_crafted_trees_are_refused(tmp_path: Path, case: str) -> None:
    model = _model()
    text, match = _tree_edits(model.booster_.model_to_string())[case]
    assert text_problem(text.encode()) is not None
    _refused(_write(tmp_path, model, text, "crafted.pkl"), match)


def test_categorical_bitset_index_is_checked() -> None:
    model = lgb.LGBMClassifier(n_estimators=3, verbose=-1, min_data_per_group=5, cat_smooth=1)
    model.fit(X, Y, categorical_feature=[4])
    text = model.booster_.model_to_string()
    assert "num_cat=0\n" not in text.split("Tree=0", 1)[1].split("Tree=1", 1)[0]
    assert text_problem(text.encode()) is None
    values = _edit(text, "cat_boundaries", lambda v: v.__setitem__(-1, str(int(v[-1]) + 1)))
    assert "cat_threshold" in (text_problem(values.encode()) or "")
    node = text.split("Tree=0", 1)[1].split("decision_type=", 1)[1].split("\n")[0].split(" ")
    cat = next(i for i, d in enumerate(node) if int(d) & 1)
    bad = _edit(text, "threshold", lambda v: v.__setitem__(cat, "7"))
    assert "bitset index" in (text_problem(bad.encode()) or "")


@pytest.mark.parametrize("where", ["tree", "header"])
@pytest.mark.parametrize("order", ["crafted first", "crafted last"])
def test_duplicate_keys_are_refused(tmp_path: Path, where: str, order: str) -> None:
    """A line written twice (rt43-01's rule, here for LightGBM's text): LightGBM keeps the
    last of two equal keys, in a tree (``left_child``) as in the header (``objective``), and
    whichever safeload checked, the other could be the one built. Either order is refused."""
    model = _model()
    text = _resized(model.booster_.model_to_string())
    if where == "tree":
        honest = next(line for line in text.split("\n") if line.startswith("left_child="))
        values = honest.split("=")[1].split(" ")
        crafted = "left_child=" + " ".join(["0", *values[1:]])  # node 0 loops to itself
        match = "sets left_child twice"
    else:
        honest = next(line for line in text.split("\n") if line.startswith("objective="))
        crafted = "objective=multiclass num_class:100000"  # rt41-07's write past the row
        match = "sets objective twice"
    pair = [crafted, honest] if order == "crafted first" else [honest, crafted]
    doubled = text.replace(honest + "\n", "\n".join(pair) + "\n", 1)
    if where == "tree":
        doubled = _resized(doubled)
    problem = text_problem(doubled.encode())
    assert problem is not None and match in problem, problem
    _refused(_write(tmp_path, model, doubled, "doubled.pkl"), match)


def _honest() -> dict[str, Any]:
    g = np.full(30, 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "binary": lgb.LGBMClassifier(n_estimators=5, verbose=-1).fit(X, Y),
            "one tree": lgb.LGBMRegressor(n_estimators=1, verbose=-1).fit(X, YR),
            "one leaf": lgb.LGBMRegressor(n_estimators=2, verbose=-1, min_child_samples=400).fit(
                X, YR
            ),
            "multiclass": lgb.LGBMClassifier(n_estimators=4, verbose=-1).fit(
                X, (X[:, 0] * 3).astype(int)
            ),
            "categorical": lgb.LGBMClassifier(n_estimators=5, verbose=-1, min_data_per_group=5).fit(
                X, Y, categorical_feature=[4]
            ),
            "linear": lgb.LGBMRegressor(n_estimators=5, verbose=-1, linear_tree=True).fit(X, YR),
            "ranker": lgb.LGBMRanker(n_estimators=4, verbose=-1, min_child_samples=5).fit(
                X, RNG.randint(0, 4, 300), group=g
            ),
            "many trees": lgb.LGBMClassifier(n_estimators=150, num_leaves=31, verbose=-1).fit(X, Y),
            "booster": lgb.train(
                {"objective": "regression", "verbose": -1, "num_leaves": 64, "min_data_in_leaf": 1},
                lgb.Dataset(X, YR),
                3,
            ),
        }


def test_honest_models_load(tmp_path: Path) -> None:
    for name, model in _honest().items():
        path = tmp_path / f"{name.replace(' ', '_')}.pkl"
        path.write_bytes(pickle.dumps(model, protocol=5))
        loaded = load_unsigned(path, profiles=["lightgbm"])
        np.testing.assert_allclose(loaded.predict(X[:5]), model.predict(X[:5]), err_msg=name)
