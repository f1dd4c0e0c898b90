"""scan = load on the states of KD/Ball trees and their distance metrics (rt47-02, rt47-03).

``BinaryTree64.__setstate__`` and ``DistanceMetric.__setstate__`` are Cython: they assign each
item of their state to a typed C field (a C-contiguous float64 or intp view, a record view, a
C ``intp_t`` or ``int``, a ``double``, a ``DistanceMetric64``), and the conversion raises on a
value of the wrong kind, so the load refuses the file. ``scan`` builds nothing and must say the
same of the same bytes. Each case below changes one item of a fitted model's tree or metric
state (through ``reducer_override``), pickles it (protocols 2 and 5, KD and Ball trees) or
dumps it with joblib's pickler (inline arrays, Fortran order and byte order kept), and asserts
that ``scan`` calls it safe exactly when ``load_unsigned`` loads it. The honest models of the
neighbours family, pickled and in skops form, must still scan SAFE and load.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import io
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import assert_scan_predicts_load, dumps_with


@functools.cache
def _model(algorithm: str) -> Any:
    """A KNeighborsClassifier fitted on 40x4 data (made once per algorithm)."""
    from sklearn.neighbors import KNeighborsClassifier

    X = np.random.RandomState(0).rand(40, 4)
    return KNeighborsClassifier(3, algorithm=algorithm).fit(X, (X[:, 0] > 0.5).astype(int))


def _reducer(model: Any, tree_change: Any, metric_change: Any) -> Callable[[Any], Any]:
    """A ``reducer_override`` that passes the tree's state (a list) through ``tree_change``
    and the tree's metric state through ``metric_change``."""
    from sklearn.metrics import DistanceMetric

    tree_type = type(model._tree)

    def reduce(obj: Any) -> Any:
        if tree_change is not None and type(obj) is tree_type:
            func, args, state = obj.__reduce__()
            return func, args, tuple(tree_change(list(state)))
        if metric_change is not None and isinstance(obj, DistanceMetric):
            func, args, state = obj.__reduce__()
            return func, args, tuple(metric_change(list(state)))
        return NotImplemented

    return reduce


def _dump(form: str, tree_change: Any = None, metric_change: Any = None) -> bytes:
    """The model of ``form`` (``kd-2``, ``ball-5``, ``kd-joblib``...) with its tree or metric
    state changed, as pickle (that protocol) or joblib bytes."""
    algorithm = "kd_tree" if form.startswith("kd") else "ball_tree"
    model = _model(algorithm)
    reduce = _reducer(model, tree_change, metric_change)
    if form.endswith("joblib"):
        return dumps_with(model, reduce, 4, joblib=True)
    return dumps_with(model, reduce, int(form.rsplit("-", 1)[1]))


def _slot(index: int, change: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any]]:
    def apply(state: list[Any]) -> list[Any]:
        if index == len(state):  # an item past the end (Cython reads the first ones)
            return [*state, change(None)]
        state[index] = change(state[index])
        return state

    return apply


def _read_only(a: Any) -> Any:
    a = np.array(a)
    a.flags.writeable = False
    return a


def _metric32(metric: Any) -> Any:
    from sklearn.metrics import DistanceMetric

    return DistanceMetric.get_metric("euclidean", dtype=np.float32)


def _renamed(a: Any) -> Any:
    dt = np.dtype({"names": list("abcd"), "formats": [f for _, f in a.dtype.descr]})
    return a.astype(dt)


#: (state index, change) of the tree state: each array slot in the dtypes, ranks, orders and
#: byte orders the views refuse or take; each count in the types intp_t or int refuses or takes.
_ARRAYS = {
    "float32": lambda a: a.astype(np.float32),
    "int32": lambda a: a.astype(np.int32),
    "int64": lambda a: a.astype(np.int64),
    "float64": lambda a: a.astype(np.float64),
    "object": lambda a: a.astype(object),
    "fortran": np.asfortranarray,
    "big-endian": lambda a: a.astype(a.dtype.newbyteorder(">")),
    "read-only": _read_only,
    "extra-dim": lambda a: a[None],
    "list": lambda a: a.tolist(),
    "None": lambda a: None,
}
_COUNTS = {
    "str": lambda n: str(n),
    "float": lambda n: float(n),
    "np.float64": lambda n: np.float64(n),
    "np.int32": lambda n: np.int32(n),
    "bool": lambda n: bool(n),
    "decimal": lambda n: decimal.Decimal(n),
    "None": lambda n: None,
    "2**40": lambda n: 2**40,
}
_TREE_CASES: dict[str, tuple[int, Callable[[Any], Any]]] = {
    **{f"data-{k}": (0, f) for k, f in _ARRAYS.items()},
    **{f"idx_array-{k}": (1, f) for k, f in _ARRAYS.items() if k != "fortran"},
    **{f"node_bounds-{k}": (3, f) for k, f in _ARRAYS.items()},
    "node_data-big-endian": (2, lambda a: a.astype(a.dtype.newbyteorder(">"))),
    "node_data-renamed": (2, _renamed),
    "node_data-2d": (2, lambda a: a[:, None]),
    "node_data-object": (2, lambda a: a.astype(object)),
    "node_data-read-only": (2, _read_only),
    "node_data-None": (2, lambda a: None),
    **{f"leaf_size-{k}": (4, f) for k, f in _COUNTS.items()},
    **{f"n_levels-{k}": (5, f) for k, f in _COUNTS.items() if k != "2**40"},
    **{f"n_nodes-{k}": (6, f) for k, f in _COUNTS.items() if k != "2**40"},
    **{f"n_trims-{k}": (7, f) for k, f in _COUNTS.items()},
    "n_leaves-float-1.5": (8, lambda n: 1.5),
    "n_splits-np.bool": (9, lambda n: np.bool_(False)),
    "n_calls-str": (10, lambda n: "1"),
    "n_calls-negative-float": (10, lambda n: -0.5),
    "n_calls-2**31": (10, lambda n: 2**31),
    "metric-None": (11, lambda m: None),
    "metric-str": (11, lambda m: "euclidean"),
    "metric-32-bit": (11, _metric32),
    "sample_weight-float64": (12, lambda w: np.ones(40)),
    "sample_weight-float32": (12, lambda w: np.ones(40, dtype=np.float32)),
    "sample_weight-int-list": (12, lambda w: [1] * 40),
    "sample_weight-2d": (12, lambda w: np.ones((40, 1))),
    "sample_weight-scalar": (12, lambda w: 1.0),
    "sample_weight-str": (12, lambda w: "1"),
    "sample_weight-short": (12, lambda w: np.ones(3)),
    "sample_weight-fortran-big-endian": (12, lambda w: np.ones(40, dtype=">f8")),
}


@pytest.mark.parametrize("form", ["kd-2", "ball-5"])
@pytest.mark.parametrize("case", sorted(_TREE_CASES))
def test_tree_state_parity(case: str, form: str, tmp_path: Path) -> None:
    index, change = _TREE_CASES[case]
    assert_scan_predicts_load(_dump(form, tree_change=_slot(index, change)), tmp_path)


#: Changes of the metric state ``(p, vec, mat)`` (the tree's Euclidean metric: ``vec`` and
#: ``mat`` are not read by its distance, only converted).
_METRIC_CASES: dict[str, tuple[int, Callable[[Any], Any]]] = {
    "p-str": (0, lambda p: "2.0"),
    "p-bytes": (0, lambda p: b"2"),
    "p-timedelta": (0, lambda p: datetime.timedelta(1)),
    "p-None": (0, lambda p: None),
    "p-complex": (0, lambda p: 2j),
    "p-decimal": (0, lambda p: decimal.Decimal(2)),
    "p-int": (0, lambda p: 2),
    "p-np.float32": (0, lambda p: np.float32(2)),
    "p-np.complex128": (0, lambda p: np.complex128(2)),
    "p-huge-int": (0, lambda p: 10**400),
    **{f"vec-{k}": (1, f) for k, f in _ARRAYS.items() if k not in ("fortran", "read-only")},
    "vec-empty": (1, lambda v: np.empty(0)),
    **{f"mat-{k}": (2, f) for k, f in _ARRAYS.items()},
    "mat-fortran-2x2": (2, lambda m: np.asfortranarray(np.eye(2))),
    "four-items": (3, lambda _: 1),
}


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")  # p-np.complex128
@pytest.mark.parametrize("form", ["kd-2", "ball-5"])
@pytest.mark.parametrize("case", sorted(_METRIC_CASES))
def test_metric_state_parity(case: str, form: str, tmp_path: Path) -> None:
    index, change = _METRIC_CASES[case]
    assert_scan_predicts_load(_dump(form, metric_change=_slot(index, change)), tmp_path)


_STANDALONE_METRICS = {
    "minkowski-32": ("minkowski", {"p": 3}, np.float32),
    "mahalanobis-64": ("mahalanobis", {"VI": np.eye(2)}, np.float64),
    "seuclidean-32": ("seuclidean", {"V": np.ones(2)}, np.float32),
}
_STANDALONE_CASES = {
    "unchanged": lambda s: s,
    "p-str": lambda s: ["2", *s[1:]],
    "p-timedelta": lambda s: [datetime.timedelta(1), *s[1:]],
    "vec-float32": lambda s: [s[0], np.asarray(s[1], np.float32), s[2]],
    "vec-None": lambda s: [s[0], None, s[2]],
    "mat-None": lambda s: [s[0], s[1], None],
    "four-items": lambda s: [*s, 1],
}


@pytest.mark.parametrize("metric", sorted(_STANDALONE_METRICS))
@pytest.mark.parametrize("case", sorted(_STANDALONE_CASES))
def test_standalone_metric_state_parity(case: str, metric: str, tmp_path: Path) -> None:
    """A metric pickled on its own (``check_distance_metric``), 32-bit ones too: their
    ``vec`` and ``mat`` are float64 views as well. A None ``vec`` or ``mat`` is taken by
    Cython, and the built metric reports ``array(None, dtype=object)`` for it: both refuse."""
    from sklearn.metrics import DistanceMetric

    name, params, dtype = _STANDALONE_METRICS[metric]
    built = DistanceMetric.get_metric(name, dtype=dtype, **params)
    change = _STANDALONE_CASES[case]

    def reduce(obj: Any) -> Any:
        if isinstance(obj, DistanceMetric):
            func, args, state = obj.__reduce__()
            return func, args, tuple(change(list(state)))
        return NotImplemented

    assert_scan_predicts_load(dumps_with(built, reduce, protocol=4), tmp_path)


#: The cases whose arrays joblib writes inline: its wrapper keeps Fortran order ('F', read
#: back as a transposed view) and writes the bytes in the array's byte order, which the load
#: swaps to native before the tree is built.
_JOBLIB_CASES = {
    "data-fortran": (0, np.asfortranarray),
    "data-float32": (0, lambda a: a.astype(np.float32)),
    "data-big-endian": (0, lambda a: a.astype(">f8")),
    "node_bounds-fortran": (3, np.asfortranarray),
    "node_bounds-big-endian": (3, lambda a: a.astype(">f8")),
    "idx_array-int32": (1, lambda a: a.astype(np.int32)),
    "idx_array-big-endian": (1, lambda a: a.astype(">i8")),
    "node_data-big-endian": (2, lambda a: a.astype(a.dtype.newbyteorder(">"))),
    "node_data-2d": (2, lambda a: a[:, None]),
    "leaf_size-float": (4, float),
}


@pytest.mark.parametrize("case", sorted(_JOBLIB_CASES))
def test_tree_state_parity_joblib(case: str, tmp_path: Path) -> None:
    index, change = _JOBLIB_CASES[case]
    assert_scan_predicts_load(_dump("kd-joblib", tree_change=_slot(index, change)), tmp_path)


@pytest.mark.parametrize("case", ["vec-int64", "mat-fortran-2x2", "mat-big-endian", "p-str"])
def test_metric_state_parity_joblib(case: str, tmp_path: Path) -> None:
    index, change = _METRIC_CASES[case]
    assert_scan_predicts_load(_dump("ball-joblib", metric_change=_slot(index, change)), tmp_path)


def _skops_with_array(slot: int, item: int | None, change: Callable[[Any], Any]) -> bytes:
    """The KD-tree model in skops form, the ``.npy`` member of its tree's state item ``slot``
    (of the metric's state item ``item`` for slot 11) rewritten with ``change`` of its array
    (``np.save`` keeps a Fortran order and a byte order in the header; ``np.load`` keeps them,
    unlike numpy's pickle for protocols 0-4)."""
    import json
    import zipfile

    import skops.io

    src = zipfile.ZipFile(io.BytesIO(skops.io.dumps(_model("kd_tree"))))
    files = {i.filename: src.read(i) for i in src.infolist()}
    schema = json.loads(files["schema.json"])
    node = schema["content"]["content"]["_tree"]["content"]["content"][slot]
    if item is not None:
        node = node["content"]["content"][item]
    buf = io.BytesIO()
    np.save(buf, change(np.load(io.BytesIO(files[node["file"]]))), allow_pickle=False)
    files[node["file"]] = buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, raw in files.items():
            dst.writestr(name, raw)
    return out.getvalue()


_SKOPS_CASES = {
    "data-big-endian": (0, None, lambda a: a.astype(">f8")),
    "data-fortran": (0, None, np.asfortranarray),
    "data-float32": (0, None, lambda a: a.astype(np.float32)),
    "idx_array-big-endian": (1, None, lambda a: a.astype(">i8")),
    "node_bounds-fortran": (3, None, np.asfortranarray),
    "metric-vec-big-endian": (11, 1, lambda a: a.astype(">f8")),
    "metric-mat-int64": (11, 2, lambda a: a.astype(np.int64)),
    "unchanged": (0, None, lambda a: a),
}


@pytest.mark.parametrize("case", sorted(_SKOPS_CASES))
def test_tree_state_parity_skops(case: str, tmp_path: Path) -> None:
    """In a skops file the arrays keep the byte order and Fortran order their ``.npy`` header
    gives, and Cython refuses a big-endian or Fortran view: scan must say what the load does
    (the scan of a skops file pickles what skops would build with protocol 5, whose arrays
    keep their byte order as the skops load does)."""
    slot, item, change = _SKOPS_CASES[case]
    data = _skops_with_array(slot, item, change)
    path = tmp_path / "m.skops"
    path.write_bytes(data)
    safe = safeload.scan(data).safe
    try:
        safeload.load_unsigned(path)
        outcome = "loaded"
    except safeload.SafeloadError:
        outcome = "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)
    assert outcome == ("loaded" if case == "unchanged" else "refused")


@pytest.mark.parametrize(
    ("what", "keep"), [("tree", 12), ("tree", 1), ("tree", 0), ("metric", 2), ("metric", 1)]
)
@pytest.mark.parametrize("form", ["kd-4", "ball-2"])
def test_short_state_refused_before_building(
    what: str, keep: int, form: str, tmp_path: Path
) -> None:
    """Cython reads ``state[0]`` .. ``state[12]`` of a tree and ``state[0..2]`` of a metric
    without bounds checks: a shorter tuple made ``load_unsigned`` crash (SIGSEGV) inside the
    rebuilder, before the checks after building ran. The static pass refuses it first, for
    scan and load alike. (A 2-item state at protocol 2+ is a (state, slotstate) pair, also
    refused.)"""
    cut = lambda state: state[:keep]  # noqa: E731
    data = _dump(form, **{f"{what}_change": cut})
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _honest_models() -> dict[str, Any]:
    from sklearn.neighbors import (
        KernelDensity,
        KNeighborsClassifier,
        KNeighborsRegressor,
        NearestNeighbors,
    )

    rng = np.random.RandomState(0)
    X = rng.rand(40, 4)
    y = (X[:, 0] > 0.5).astype(int)
    cov = np.cov(X.T)
    return {
        "knn-kd-minkowski-3": KNeighborsClassifier(3, algorithm="kd_tree", p=3).fit(X, y),
        "knn-ball-seuclidean": KNeighborsClassifier(
            3, algorithm="ball_tree", metric="seuclidean", metric_params={"V": X.var(0)}
        ).fit(X, y),
        "knn-ball-mahalanobis": KNeighborsRegressor(
            3,
            algorithm="ball_tree",
            metric="mahalanobis",
            metric_params={"VI": np.linalg.inv(cov)},
        ).fit(X, X[:, 1]),
        "knn-ball-haversine": KNeighborsClassifier(
            3, algorithm="ball_tree", metric="haversine"
        ).fit(X[:, :2], y),
        "knn-kd-chebyshev": KNeighborsRegressor(3, algorithm="kd_tree", metric="chebyshev").fit(
            X, X[:, 1]
        ),
        "nn-ball-minkowski-w": NearestNeighbors(
            algorithm="ball_tree", metric="minkowski", metric_params={"w": np.ones(4)}
        ).fit(X),
        "nn-kd": NearestNeighbors(algorithm="kd_tree").fit(X),
        "kde-kd": KernelDensity(algorithm="kd_tree").fit(X),
        "kde-ball-weighted": KernelDensity(algorithm="ball_tree").fit(
            X, sample_weight=rng.rand(40)
        ),
    }


@pytest.mark.parametrize("form", ["pickle-2", "pickle-5", "joblib", "skops"])
def test_honest_neighbors_scan_safe_and_load(form: str, tmp_path: Path) -> None:
    """Honest neighbours models (each tree and metric kind the rules touch) still scan SAFE
    and load, in every form."""
    for name, model in _honest_models().items():
        path = tmp_path / f"{name}.{form}"
        if form.startswith("pickle-"):
            data = pickle.dumps(model, protocol=int(form.split("-")[1]))
        elif form == "joblib":
            import joblib

            buf = io.BytesIO()
            joblib.dump(model, buf)
            data = buf.getvalue()
        else:
            import skops.io

            data = skops.io.dumps(model)
            path = tmp_path / f"{name}.skops"
        path.write_bytes(data)
        report = safeload.scan(data)
        assert report.safe, (name, report.findings)
        safeload.load_unsigned(path)
