"""BisectingKMeans (issue 15, item 1): the reference to its fit routine stays refused, with an
error that names the way out; without it the model loads by default and its cluster tree is
checked after building."""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.cluster import BisectingKMeans
from sklearn.cluster._bisect_k_means import _BisectingTree
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from parity import load_unsigned
from safeload import MalformedArtifactError, UntrustedTypeError, scan

X = np.random.RandomState(0).rand(200, 3)
WRITERS = ["p2.pkl", "p4.pkl", "p5.pkl", "plain.joblib", "zlib.joblib"]


def _write(path: Path, obj: Any) -> None:
    if path.name.endswith(".pkl"):
        path.write_bytes(pickle.dumps(obj, protocol=int(path.name[1])))
        return
    buf = io.BytesIO()
    joblib.dump(obj, buf, compress=("zlib", 3) if path.name.startswith("zlib") else 0)
    path.write_bytes(buf.getvalue())


def _fitted(**params: Any) -> BisectingKMeans:
    return BisectingKMeans(n_clusters=5, random_state=0, **params).fit(X)


@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
def test_the_fit_routine_is_refused_with_the_way_out(tmp_path: Path, algorithm: str) -> None:
    path = tmp_path / "p5.pkl"
    _write(path, _fitted(algorithm=algorithm))
    with pytest.raises(UntrustedTypeError) as info:
        load_unsigned(path)
    message = str(info.value)
    assert f"_kmeans_single_{algorithm}" in message and "del model._kmeans_single" in message
    assert not scan(path).safe


@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
@pytest.mark.parametrize("strategy", ["biggest_inertia", "largest_cluster"])
def test_without_the_reference_it_loads_predicts_and_refits(
    tmp_path: Path, algorithm: str, strategy: str
) -> None:
    model = _fitted(algorithm=algorithm, bisecting_strategy=strategy)
    del model._kmeans_single  # what the refusal tells the user to do
    x_new = np.random.RandomState(1).rand(50, 3)
    for writer in WRITERS:
        path = tmp_path / writer
        _write(path, model)
        assert scan(path).safe, writer
        loaded = load_unsigned(path)
        np.testing.assert_array_equal(loaded.predict(x_new), model.predict(x_new), writer)
        np.testing.assert_array_equal(loaded.transform(x_new), model.transform(x_new), writer)
    refitted = loaded.fit(X)  # fit sets the reference again
    np.testing.assert_array_equal(refitted.predict(x_new), model.predict(x_new))


def test_inside_a_pipeline(tmp_path: Path) -> None:
    model = make_pipeline(StandardScaler(), BisectingKMeans(n_clusters=4, random_state=0)).fit(X)
    del model[-1]._kmeans_single
    path = tmp_path / "p5.pkl"
    _write(path, model)
    np.testing.assert_array_equal(load_unsigned(path).predict(X), model.predict(X))


def _leaves(model: BisectingKMeans) -> list[Any]:
    return list(model._bisecting_tree.iter_leaves())


def _inner(model: BisectingKMeans) -> Any:
    return model._bisecting_tree.left if model._bisecting_tree.left.left else model._bisecting_tree


def _edit(change: Callable[[BisectingKMeans], None]) -> Callable[[], Any]:
    def build() -> Any:
        model = _fitted()
        del model._kmeans_single
        change(model)
        return model

    return build


def _cycle(model: BisectingKMeans) -> None:
    leaf = _leaves(model)[0]
    leaf.left, leaf.right = model._bisecting_tree, model._bisecting_tree


def _shared(model: BisectingKMeans) -> None:
    node = _inner(model)
    node.right = node.left


def _split_a_leaf(model: BisectingKMeans) -> None:
    leaf = _leaves(model)[0]
    leaf.left = _BisectingTree(center=np.zeros(3), indices=None, score=1.0)
    leaf.right = _BisectingTree(center=np.zeros(3), indices=None, score=1.0)


def _set_leaf(index: int, **state: Any) -> Callable[[BisectingKMeans], None]:
    return lambda model: _leaves(model)[index].__dict__.update(state)


HOSTILE: list[tuple[str, Callable[[], Any], str]] = [
    ("cycle", _edit(_cycle), "reached twice"),
    ("shared-child", _edit(_shared), "reached twice"),
    ("one-child", _edit(lambda m: setattr(_inner(m), "right", None)), "one child"),
    ("short-center", _edit(_set_leaf(0, center=np.zeros(1))), "center disagrees"),
    ("long-center", _edit(_set_leaf(1, center=np.zeros(300))), "center disagrees"),
    ("float32-center", _edit(_set_leaf(1, center=np.zeros(3, np.float32))), "center disagrees"),
    ("label-repeated", _edit(_set_leaf(1, label=0)), "labels disagree"),
    ("label-out-of-range", _edit(_set_leaf(2, label=10**6)), "labels disagree"),
    ("label-not-int", _edit(_set_leaf(2, label="2")), "no integer label"),
    ("label-missing", _edit(lambda m: delattr(_leaves(m)[0], "label")), "no integer label"),
    (
        "node-not-a-tree",
        _edit(lambda m: setattr(_inner(m), "left", BisectingKMeans())),
        "not a _BisectingTree",
    ),
    ("x-mean", _edit(lambda m: setattr(m, "_X_mean", np.zeros(7))), "_X_mean"),
    ("extra-leaf", _edit(_split_a_leaf), "no integer label"),
]


@pytest.mark.parametrize(
    ("label", "build", "message"), HOSTILE, ids=[label for label, _, _ in HOSTILE]
)
def test_hostile_bisecting_tree_is_refused(
    tmp_path: Path, label: str, build: Callable[[], Any], message: str
) -> None:
    path = tmp_path / "p5.pkl"
    _write(path, build())
    with pytest.raises(MalformedArtifactError, match=message) as info:
        load_unsigned(path)
    assert str(path) in str(info.value) and "BisectingKMeans" in str(info.value)


def test_tree_nodes_are_plain_objects() -> None:
    """What _BisectingTree is: no hooks of its own beyond __init__ and three methods."""
    hooks = {n for n in vars(_BisectingTree) if n.startswith("__") and n.endswith("__")}
    assert hooks <= {
        "__init__",
        "__dict__",
        "__weakref__",
        "__doc__",
        "__module__",
        "__slotnames__",  # copyreg's cache, once an instance was pickled
    }
