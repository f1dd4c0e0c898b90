"""Red team 48's reproducers (all fixed; each runs as a normal test).

Fixed by: the Cython helper judging the class and state it is given (rt48-02/03,
``shadow_builder._cython_failure``); float64 conversion of a tree's weight list, ranges and
numpy numbers accepted (rt48-01/08, ``neighbors._sample_weight``); finite parameters for
mixtures, covariance estimators and Gaussian processes (rt48-04, ``estimators``); a ``Tree``
built only in the form scikit-learn writes, in the load's static pass too (rt48-05/06,
``stream_arrays.tree_form_problem``); numpy's array shape, data size, ``_frombuffer`` and
scalar forms in the shared static pass (rt48-07/09, ``_numpy_state``); a masked array outside
``cv_results_`` refused by the load's static pass as by scan (rt48-08).

rt48-01 a KD/Ball tree state whose ``sample_weight`` (state[12]) is a list holding a Python
        int too large for a float (``10**400``): ``_sample_weight`` accepts any list of
        bool/int/float items, but ``BinaryTree.__setstate__`` runs
        ``np.asarray(weights, dtype=np.float64)``, which raises OverflowError: scan SAFE, load
        refuses (parity, no harm).
rt48-02 Cython's ``__pyx_unpickle_<Class>(cls, checksum, state)`` (SeedSequence,
        CyHalfMultinomialLoss) called with a first argument that is not the helper's own
        class (``object``, an estimator class, another Cython class): the load's helper runs
        ``<Class>.__new__(cls)``, which raises "not a subtype", but scan's
        ``shadow_builder._cython_failure`` calls the real helper on its *own* class (and
        ``_class`` then shadows whatever class the file named): scan SAFE, load refuses.
rt48-03 ``__pyx_unpickle_CyHalfMultinomialLoss`` given a state the Cython helper refuses
        (a non-empty tuple, a dict/list/str as its third argument, or a BUILD of ``{}`` /
        ``(1,)`` after it): ``_cython_failure`` probes the checksum with the state ``None``
        and models the state only for SeedSequence: scan SAFE, load refuses.
rt48-04 (harm: a hang) a ``GaussianMixture`` / ``BayesianGaussianMixture`` (covariance type
        ``full`` or ``tied``) whose stored ``covariances_`` holds infinities: it loads and
        scans SAFE; its public ``sample()`` hands each covariance to
        ``RandomState.multivariate_normal``, whose ``numpy.linalg.svd`` (LAPACK gesdd) on a
        3x3 matrix with four ``inf`` entries never returns. The generalisation of rt47-09
        (scipy's pinv with ``check_finite=False``): numpy's own ``linalg.svd``/``pinv`` never
        check finiteness either. No use-time check reads ``covariances_``. The same model
        written by joblib.dump or skops.io.dump also scans SAFE and loads.
rt48-05 (harm: load_unsigned segfaults) a decision tree whose ``Tree`` BUILD state holds
        ``'nodes'`` as a 0-d array or a numpy scalar (``numpy.float64(1.0)``, ``array(5)``):
        ``Tree.__setstate__`` reads ``node_ndarray.shape[0]`` through Cython's C view of
        the array's dimensions, which a 0-d array does not have, and dies with SIGSEGV. The
        load's own static pass runs with ``check_trees=False`` (the tree is "checked after
        building"), so nothing refuses the state before the C unpickler hands it to
        ``__setstate__``: ``load_unsigned`` kills the calling process, at every protocol.
        (``scan`` calls the file unsafe.)
rt48-06 (parity, false alarms) decision-tree ``Tree`` forms the load builds and keeps (its
        post-build checks pass) but scan refuses: ``node_count`` larger than the node array
        (``Tree._resize_c`` clamps it to the capacity), an ``n_classes`` array longer than
        ``n_outputs`` (Tree copies the first ``n_outputs``), ``n_classes``/``nodes``/
        ``values`` as masked arrays, ``n_outputs``/``max_depth`` as 0-d int arrays
        (``__index__``), and a protocol-5 big-endian ``values`` array (``__setstate__``
        memcpy's its bytes). Scan unsafe, load loads. (The non-native node array is already
        listed as known; these are not.)
rt48-07 (parity) an ndarray ``_reconstruct`` + BUILD state ``(version, shape, dtype,
        is_fortran, data)`` whose shape numpy's ``array_setstate`` refuses (a negative
        dimension: "impossible dimension"; ``None``/an int/a str: "must be sequence"; a
        float or bool dimension) or whose data length is not ``prod(shape) * itemsize``
        (data one item short, empty data, a dtype of another item size: "buffer size does
        not match array size"): the C unpickler raises and ``load_unsigned`` refuses; scan
        calls the same bytes SAFE. ``_numpy_state.array_header_problem`` (rt47-07's fix)
        models the version, flag, dtype and tuple length, not the shape or the data size.
        Inside an estimator (``LinearRegression.coef_``) the negative and ``None`` shapes are
        still SAFE to scan. Protocol 5's ``_frombuffer(buffer, dtype, shape, order)`` too: a
        shape whose size is not the buffer's, a float/bool dimension, an ``order`` of
        ``'X'``, ``'K'`` or an int make numpy's reshape raise in the load; scan SAFE.
rt48-08 (parity, false alarm) a DistanceMetric state (in a ball tree) whose ``vec`` or ``mat``
        is a masked array: Cython's typed memoryview takes its buffer and the load keeps it;
        ``cython_args.as_typed_view`` calls it unsafe ("unproven"). Scan unsafe, load loads.
        Likewise a KD/Ball tree ``sample_weight`` given as a ``range`` or a list of numpy
        floats (``np.asarray(..., float64)`` converts both; ``_sample_weight`` calls them
        unproven).
rt48-09 (parity) numpy's ``multiarray.scalar(dtype, data)`` (how a numpy scalar is pickled)
        with ``data`` a bytearray, ``None`` or an int ("initializing object must be a bytes
        object"), or a str too short for the dtype once latin-1 encoded (``scalar(U2, 'ab')``:
        "initialization string is too small"): the load fails, scan calls it SAFE. The
        shadow builder's ``read_scalar`` models a bytes payload only and leaves the rest
        unknown where no check reads it (a str payload of the right length loads in both).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import assert_scan_predicts_load, dumps_with, tree_pickle

# --- rt48-01: a tree sample_weight list with an int too large for a float ----------------------


class _TreeState:
    """Pickles as scikit-learn's own ``newObj(cls)`` + BUILD of ``state`` (a tree's reduce)."""

    def __init__(self, cls: Any, state: tuple) -> None:
        self.cls, self.state = cls, state

    def __reduce__(self) -> Any:
        reduced = self.cls(np.random.RandomState(0).rand(10, 2)).__reduce__()
        return (reduced[0], (self.cls,), self.state)


def _tree_state(cls: Any) -> list:
    return list(cls(np.random.RandomState(0).rand(10, 2)).__getstate__())


@pytest.mark.parametrize("form", ["list", "tuple"])
@pytest.mark.parametrize("kind", ["KDTree", "BallTree"])
def test_rt48_01_tree_weight_list_overflow_parity(kind: str, form: str, tmp_path: Path) -> None:
    import sklearn.neighbors

    cls = getattr(sklearn.neighbors, kind)
    state = _tree_state(cls)
    weights = [10**400] + [1] * 9
    state[12] = weights if form == "list" else tuple(weights)
    data = pickle.dumps(_TreeState(cls, tuple(state)), protocol=5)
    assert_scan_predicts_load(data, tmp_path)


def test_rt48_01_joblib_parity(tmp_path: Path) -> None:
    """rt48-01 inside a fitted KNeighborsClassifier written by joblib's pickler."""
    import io

    from joblib.numpy_pickle import NumpyPickler
    from sklearn.neighbors import KDTree, KNeighborsClassifier

    X = np.random.RandomState(0).rand(20, 3)
    model = KNeighborsClassifier(algorithm="kd_tree", n_neighbors=3).fit(X, X[:, 0] > 0.5)

    class _Pickler(NumpyPickler):
        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, KDTree):
                func, args, state = obj.__reduce__()
                return func, args, (*state[:12], [10**400] + [1] * 19)
            return NotImplemented

    buf = io.BytesIO()
    _Pickler(buf, protocol=4).dump(model)
    path = tmp_path / "m.joblib"
    path.write_bytes(buf.getvalue())
    safe = safeload.scan(path).safe
    try:
        safeload.load_unsigned(path)
        outcome = "loaded"
    except safeload.SafeloadError:
        outcome = "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


def test_rt48_01_honest_weight_list_loads(tmp_path: Path) -> None:
    from sklearn.neighbors import KDTree

    state = _tree_state(KDTree)
    state[12] = [2**70] * 10
    data = pickle.dumps(_TreeState(KDTree, tuple(state)), protocol=5)
    assert_scan_predicts_load(data, tmp_path)


# --- rt48-02 / rt48-03: Cython's __pyx_unpickle helpers, first argument and state ---------------


class _Reduce:
    """Pickles as ``func(*args)`` (REDUCE), then BUILD of ``state`` unless it is ``None``."""

    def __init__(self, func: Any, args: tuple, state: Any = None) -> None:
        self.func, self.args, self.state = func, args, state

    def __reduce__(self) -> Any:
        if self.state is None:
            return (self.func, self.args)
        return (self.func, self.args, self.state)


def _seed_sequence_args(cls: Any) -> tuple:
    from numpy.random.bit_generator import SeedSequence

    reduced = SeedSequence(5).__reduce__()
    return reduced[0], (cls, reduced[1][1], reduced[2])


def _multinomial_args(cls: Any, state: Any = ()) -> tuple:
    from sklearn._loss._loss import CyHalfMultinomialLoss

    reduced = CyHalfMultinomialLoss().__reduce__()
    return reduced[0], (cls, reduced[1][1], state)


def _other_class(name: str) -> Any:
    from sklearn._loss._loss import CyHalfSquaredError
    from sklearn.linear_model import LinearRegression

    return {
        "object": object,
        "LinearRegression": LinearRegression,
        "dict": dict,
        "CyHalfSquaredError": CyHalfSquaredError,
    }[name]


@pytest.mark.parametrize("helper", ["SeedSequence", "CyHalfMultinomialLoss"])
@pytest.mark.parametrize("other", ["object", "LinearRegression", "dict", "CyHalfSquaredError"])
def test_rt48_02_pyx_unpickle_foreign_class_parity(helper: str, other: str, tmp_path: Path) -> None:
    make = _seed_sequence_args if helper == "SeedSequence" else _multinomial_args
    func, args = make(_other_class(other))
    data = pickle.dumps(_Reduce(func, args), protocol=4)
    with pytest.raises(TypeError, match="not a subtype"):
        pickle.loads(data)  # (the plain load fails the same way: no harm, a parity finding)
    assert_scan_predicts_load(data, tmp_path)


_MULTINOMIAL_STATES = {
    "arg-tuple1": ((1,), None),
    "arg-dict": ({}, None),
    "arg-list": ([], None),
    "arg-str": ("x", None),
    "build-dict": (None, {"a": 1}),
    "build-tuple1": (None, (1,)),
}


@pytest.mark.parametrize("case", sorted(_MULTINOMIAL_STATES))
def test_rt48_03_multinomial_loss_state_parity(case: str, tmp_path: Path) -> None:
    from sklearn._loss._loss import CyHalfMultinomialLoss

    arg_state, build = _MULTINOMIAL_STATES[case]
    func, args = _multinomial_args(CyHalfMultinomialLoss, arg_state)
    data = pickle.dumps(_Reduce(func, args, build), protocol=4)
    with pytest.raises((TypeError, AttributeError)):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("state", [(), None])
def test_rt48_03_honest_multinomial_loss_loads(state: Any, tmp_path: Path) -> None:
    from sklearn._loss._loss import CyHalfMultinomialLoss

    func, args = _multinomial_args(CyHalfMultinomialLoss, state)
    data = pickle.dumps(_Reduce(func, args), protocol=4)
    safe, outcome = __import__("redteam").parity(data, tmp_path)
    assert safe and outcome == "loaded"


# --- rt48-04: GaussianMixture.sample on an infinite covariance: LAPACK's SVD never returns -------

#: A symmetric 3x3 "covariance" with four infinities on which numpy's ``linalg.svd`` (gesdd)
#: loops forever (found by fuzzing: any of several such matrices will do).
_HANGING_COVARIANCE = np.array(
    [
        [np.inf, np.inf, -0.99291149],
        [np.inf, 1.93808744, -0.12576361],
        [-0.99291149, -0.12576361, 0.57626583],
    ]
)

_SAMPLE = "model.sample(5)\nprint('returned', flush=True)\n"


def _mixture(kind: str, covariance_type: str, poison: bool) -> bytes:
    from sklearn.mixture import BayesianGaussianMixture, GaussianMixture

    cls = {"gmm": GaussianMixture, "bayes": BayesianGaussianMixture}[kind]
    model = cls(n_components=2, covariance_type=covariance_type, random_state=0)
    model.fit(np.random.RandomState(0).rand(50, 3))
    if poison:
        cov = model.covariances_.copy()
        if covariance_type == "full":
            cov[:] = _HANGING_COVARIANCE  # (every component: whichever sample() draws from)
        else:
            cov = _HANGING_COVARIANCE.copy()
        model.covariances_ = cov
    return pickle.dumps(model, protocol=5)


_MIXTURES = [("gmm", "full"), ("gmm", "tied"), ("bayes", "full")]


@pytest.mark.parametrize(("kind", "covariance_type"), _MIXTURES)
def test_rt48_04_plain_pickle_sample_hangs(kind: str, covariance_type: str, tmp_path: Path) -> None:
    from redteam import HANG_CPU, PLAIN_MODEL, child

    path = tmp_path / "m.pkl"
    path.write_bytes(_mixture(kind, covariance_type, poison=True))
    loaded = "print('loaded', flush=True)\n"
    # LAPACK's SVD never returns: HANG_CPU of CPU after the load shows the spin
    run = child(PLAIN_MODEL + loaded + _SAMPLE, path, cpu=HANG_CPU, timeout=60)
    assert "loaded" in run.stdout, run
    assert "returned" not in run.output and (run.crashed or run.hung), run
    honest = tmp_path / "h.pkl"
    honest.write_bytes(_mixture(kind, covariance_type, poison=False))
    run = child(PLAIN_MODEL + _SAMPLE, honest, cpu=3, timeout=60)
    assert "returned" in run.output, run


@pytest.mark.parametrize(("kind", "covariance_type"), _MIXTURES)
def test_rt48_04_non_finite_mixture_covariance_refused(
    kind: str, covariance_type: str, tmp_path: Path
) -> None:
    """~2 KB: ``load_unsigned`` returns the model and scan calls it SAFE; ``sample()`` then
    never returns (the child above). A fix refuses non-finite ``covariances_`` (or checks
    every stored matrix that a public method hands to an SVD/eigen solver)."""
    from redteam import assert_refused

    path = tmp_path / "m.pkl"
    path.write_bytes(_mixture(kind, covariance_type, poison=True))
    assert_refused(path)


@pytest.mark.parametrize(("kind", "covariance_type"), _MIXTURES)
def test_rt48_04_honest_mixture_loads(kind: str, covariance_type: str, tmp_path: Path) -> None:
    data = _mixture(kind, covariance_type, poison=False)
    assert safeload.scan(data).safe
    safeload.load_unsigned(__import__("redteam").write(tmp_path, data)).sample(5)


# --- rt48-05: a Tree whose 'nodes' is a 0-d array: Tree.__setstate__ segfaults the load ---------


def _tree_with_state(key: str, value: Any, protocol: int = 4, joblib: bool = False) -> bytes:
    """The red teams' tree file whose ``Tree`` state item ``key`` is ``value``."""
    return tree_pickle(state=lambda state: {**state, key: value}, protocol=protocol, joblib=joblib)


_ZERO_D_NODES = {
    "array-int": np.array(5),
    "array-float": np.array(1.0),
    "float64-scalar": np.float64(1.0),
}


@pytest.mark.parametrize("case", sorted(_ZERO_D_NODES))
def test_rt48_05_plain_pickle_segfaults(case: str, tmp_path: Path) -> None:
    from redteam import PLAIN, child

    path = tmp_path / "m.pkl"
    path.write_bytes(_tree_with_state("nodes", _ZERO_D_NODES[case]))
    run = child(PLAIN, path, cpu=10, timeout=60)
    assert run.crashed and "loaded" not in run.output, run


@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("case", sorted(_ZERO_D_NODES))
def test_rt48_05_load_unsigned_segfaults(case: str, protocol: int, tmp_path: Path) -> None:
    """~1.5 KB: ``load_unsigned`` must refuse it; today the child running it dies by SIGSEGV
    inside the C unpickler's BUILD (``Tree.__setstate__``), before any post-build check."""
    from redteam import LOAD_UNSIGNED, child

    path = tmp_path / "m.pkl"
    path.write_bytes(_tree_with_state("nodes", _ZERO_D_NODES[case], protocol))
    assert not safeload.scan(path.read_bytes()).safe
    run = child(LOAD_UNSIGNED, path, cpu=10, timeout=60)
    assert not run.crashed and "refused" in run.stdout, run


@pytest.mark.parametrize("case", sorted(_ZERO_D_NODES))
def test_rt48_05_joblib_load_unsigned_segfaults(case: str, tmp_path: Path) -> None:
    """rt48-05 in a joblib file (the arrays inline after their NumpyArrayWrapper)."""
    from redteam import LOAD_UNSIGNED, child

    path = tmp_path / "m.joblib"
    path.write_bytes(_tree_with_state("nodes", _ZERO_D_NODES[case], joblib=True))
    run = child(LOAD_UNSIGNED, path, cpu=10, timeout=60)
    assert not run.crashed and "refused" in run.stdout, run


# --- rt48-06: Tree forms the load keeps that scan refuses (false alarms) ------------------------


def _tree_with_args(change: Any) -> bytes:
    return tree_pickle(args=change)


def _honest_tree_state() -> dict:
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    return (
        DecisionTreeClassifier(max_depth=3).fit(X, (X[:, 0] > 0.5).astype(int)).tree_.__getstate__()
    )


_TREE_FALSE_ALARMS = {
    "node_count-past-nodes": lambda: _tree_with_state("node_count", 2**40),
    "node_count-plus-one": lambda: _tree_with_state(
        "node_count", _honest_tree_state()["node_count"] + 1
    ),
    "max_depth-0d-array": lambda: _tree_with_state(
        "max_depth", np.array(_honest_tree_state()["max_depth"])
    ),
    "values-masked": lambda: _tree_with_state(
        "values", np.ma.masked_array(_honest_tree_state()["values"])
    ),
    "nodes-masked": lambda: _tree_with_state(
        "nodes", np.ma.masked_array(_honest_tree_state()["nodes"])
    ),
    "values-big-endian-protocol-5": lambda: _tree_with_state(
        "values", _honest_tree_state()["values"].astype(">f8"), protocol=5
    ),
    "n_classes-longer": lambda: _tree_with_args(
        lambda a: (a[0], np.concatenate([a[1], a[1]]), a[2])
    ),
    "n_classes-masked": lambda: _tree_with_args(lambda a: (a[0], np.ma.masked_array(a[1]), a[2])),
    "n_outputs-0d-array": lambda: _tree_with_args(lambda a: (a[0], a[1], np.array(a[2]))),
}


@pytest.mark.parametrize("case", sorted(_TREE_FALSE_ALARMS))
def test_rt48_06_tree_false_alarms(case: str, tmp_path: Path) -> None:
    assert_scan_predicts_load(_TREE_FALSE_ALARMS[case](), tmp_path)


# --- rt48-07: an ndarray state whose shape or data size numpy refuses: scan SAFE, load refuses --


def _array_with_state(change: Any, top: str = "dict", protocol: int = 2) -> bytes:
    """A 3-item float64 array (in ``{'a': array}``, or as a fitted LinearRegression's
    ``coef_``) pickled with its ``ndarray.__setstate__`` tuple passed through ``change``."""
    from sklearn.linear_model import LinearRegression

    rng = np.random.RandomState(0)
    model = LinearRegression().fit(rng.rand(10, 3), rng.rand(10))
    obj: Any = {"a": model.coef_.copy()} if top == "dict" else model

    def reduce(o: Any) -> Any:
        if type(o) is np.ndarray and o.shape == (3,):
            func, args, state = o.__reduce__()
            return func, args, tuple(change(list(state)))
        return NotImplemented

    return dumps_with(obj, reduce, protocol=protocol)


def _set(index: int, value: Any) -> Any:
    def change(state: list) -> list:
        state[index] = value
        return state

    return change


_SHAPE_STATES = {
    "shape-negative": _set(1, (-3,)),
    "shape-none": _set(1, None),
    "shape-int": _set(1, 3),
    "shape-float": _set(1, (3.0,)),
    "shape-bool": _set(1, (True, 3)),
    "data-short": lambda s: [*s[:4], s[4][:-8]],
    "data-empty": _set(4, b""),
    "dtype-float32": _set(2, np.dtype("f4")),
}


@pytest.mark.parametrize("protocol", [2, 4])
@pytest.mark.parametrize("case", sorted(_SHAPE_STATES))
def test_rt48_07_array_state_shape_parity(case: str, protocol: int, tmp_path: Path) -> None:
    data = _array_with_state(_SHAPE_STATES[case], protocol=protocol)
    with pytest.raises((TypeError, ValueError)):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("case", ["shape-negative", "shape-none"])
def test_rt48_07_in_estimator_parity(case: str, tmp_path: Path) -> None:
    assert_scan_predicts_load(_array_with_state(_SHAPE_STATES[case], top="model"), tmp_path)


def test_rt48_07_honest_array_loads(tmp_path: Path) -> None:
    for top in ("dict", "model"):
        data = _array_with_state(lambda s: s, top=top)
        assert __import__("redteam").parity(data, tmp_path) == (True, "loaded")


# --- rt48-08: a distance metric's vec/mat as a masked array: scan unsafe, load loads -------------


@pytest.mark.parametrize(("metric", "index"), [("minkowski", 1), ("mahalanobis", 2)])
def test_rt48_08_metric_masked_view_parity(metric: str, index: int, tmp_path: Path) -> None:
    from sklearn.metrics import DistanceMetric
    from sklearn.neighbors import KNeighborsClassifier

    params = {"minkowski": {"p": 3, "w": np.ones(3)}, "mahalanobis": {"VI": np.eye(3)}}[metric]
    X = np.random.RandomState(0).rand(20, 3)
    model = KNeighborsClassifier(
        algorithm="ball_tree", metric=metric, metric_params=params, n_neighbors=3
    ).fit(X, (X[:, 0] > 0.5).astype(int))
    cls = type(DistanceMetric.get_metric(metric, **params))

    def reduce(obj: Any) -> Any:
        if isinstance(obj, cls):
            func, args, state = obj.__reduce__()
            state = list(state)
            state[index] = np.ma.masked_array(state[index])
            return func, args, tuple(state)
        return NotImplemented

    assert_scan_predicts_load(dumps_with(model, reduce, protocol=4), tmp_path)


_FROMBUFFER_ARGS = {
    "shape-4": (2, (4,)),
    "shape-2": (2, (2,)),
    "shape-empty": (2, ()),
    "shape-0": (2, (0,)),
    "shape-float": (2, (3.0,)),
    "shape-bool": (2, (True, 3)),
    "order-X": (3, "X"),
    "order-K": (3, "K"),
    "order-int": (3, 1),
}


@pytest.mark.parametrize("case", sorted(_FROMBUFFER_ARGS))
def test_rt48_07_frombuffer_args_parity(case: str, tmp_path: Path) -> None:
    index, value = _FROMBUFFER_ARGS[case]
    array = np.arange(3.0)

    def reduce(o: Any) -> Any:
        if type(o) is np.ndarray and o.shape == (3,):
            func, args = o.__reduce_ex__(5)[:2]
            args = list(args)
            args[index] = value
            return func, tuple(args)
        return NotImplemented

    data = dumps_with({"a": array}, reduce, protocol=5)
    with pytest.raises((TypeError, ValueError)):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


# --- rt48-09: numpy scalar() on a payload numpy refuses: scan SAFE, load refuses ---------------

_SCALAR_ARGS = {
    "bytearray": (np.dtype("f8"), bytearray(8)),
    "none": (np.dtype("f8"), None),
    "int": (np.dtype("f8"), 5),
    "str-short-for-U2": (np.dtype("U2"), "ab"),
}


class _Scalar:
    def __init__(self, args: tuple) -> None:
        self.args = args

    def __reduce__(self) -> Any:
        return (np.float64(1.5).__reduce__()[0], self.args)


@pytest.mark.parametrize("protocol", [2, 4])
@pytest.mark.parametrize("case", sorted(_SCALAR_ARGS))
def test_rt48_09_scalar_payload_parity(case: str, protocol: int, tmp_path: Path) -> None:
    data = pickle.dumps({"s": _Scalar(_SCALAR_ARGS[case])}, protocol=protocol)
    with pytest.raises((TypeError, ValueError)):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("form", ["range", "numpy-floats"])
def test_rt48_08_tree_weight_forms_parity(form: str, tmp_path: Path) -> None:
    from sklearn.neighbors import KDTree

    state = _tree_state(KDTree)
    state[12] = range(1, 11) if form == "range" else [np.float64(1.0)] * 10
    data = pickle.dumps(_TreeState(KDTree, tuple(state)), protocol=5)
    assert_scan_predicts_load(data, tmp_path)
