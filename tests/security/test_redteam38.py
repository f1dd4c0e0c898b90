"""Red team 38 (an independent helper session from 14:16 UTC on bd06cf8, pure-Python
snapshot): its reproducers. Each test first shows the harm under plain pickle (or joblib) in
a child process under resource limits, then asserts what safeload does: refuse, in scan and in
load_unsigned (or, for parity findings, give scan the verdict of the load)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import GB, HANG_CPU, LOAD_UNSIGNED, PLAIN, PLAIN_CALL, SCAN, write
from redteam import assert_refused as _assert_refused_in_process
from redteam import child as _child
from redteam import parity as _parity

# --- rt38-01: one costly estimator listed many times (stored arrays count once) ----------------


def _rt38_01_voting_of_knn(samples: int, copies: int) -> bytes:
    from sklearn.ensemble import VotingClassifier
    from sklearn.neighbors import KNeighborsClassifier

    rs = np.random.RandomState(0)
    X = rs.rand(samples, 8)
    m = VotingClassifier([("k", KNeighborsClassifier(algorithm="brute"))]).fit(
        X, np.arange(samples) % 2
    )
    m.estimators_ = m.estimators_ * copies  # one KNN, a memo reference per voter
    return pickle.dumps(m, protocol=5)


_KNN_CALL = "r = model.predict(numpy.random.RandomState(1).rand(1000, 8))"


def test_rt38_01_voting_repeats_brute_knn(tmp_path: Path) -> None:
    """1.4 MB: a VotingClassifier whose ``estimators_`` list one KNeighborsClassifier (20,000
    stored samples, brute force) 250 times, by memo reference (5 bytes each). ``predict`` of
    100 rows searches the 20,000 samples once per voter: 19.2 s CPU per call after safeload's
    load (killed at the HANG_CPU limit under plain pickle), where the same model with one voter
    takes 0.1 s. The whole-model budget counts a stored array once however often it is
    referenced (rt32), and the budget of rt36-07/rt37-03 counts only iteration counts, so
    nothing prices the neighbour search each reference repeats. The whole-model budget of ~16
    nodes per byte (an array one node per 16 bytes) lets the voters repeat the stored samples
    about 256 times over (about 290 voters at 1.4 MB), so ``predict`` costs ~250 times what an
    honest model of the file's size costs (one KNN, or 250 voters of 5.7 KB each), at any
    size: 10 MB, ~256 voters of 150,000 samples, minutes per call. The same holds for cheap
    estimators, where the repeated cost is Python's per-call overhead: 1,000 references to one
    depth-1 tree in 3.8 KB make ``predict`` of 5 rows take 0.25 s (a 3.8 KB honest voting
    model: ~1 ms). Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt38_01_voting_of_knn(20_000, 250))
    plain = _child(PLAIN_CALL.format(call=_KNN_CALL), path, cpu=HANG_CPU)
    assert plain.crashed and "loaded" in plain.stdout, str(plain)  # SIGXCPU
    assert "call done" not in plain.stdout, str(plain)
    _assert_refused_in_process(path)


# --- rt38-02: a SplineTransformer of huge degree with one coefficient column -------------------


def _rt38_02_spline(degree: int) -> bytes:
    from scipy.interpolate import BSpline
    from sklearn.preprocessing import SplineTransformer

    m = SplineTransformer(degree=3, n_knots=5).fit(np.random.RandomState(0).rand(50, 1))
    k = degree
    knots = np.r_[np.full(k, -1.0), 0.0, 1.0, np.full(k, 2.0)]  # 2k + 2 sorted knots
    coef = np.ones((len(knots) - k - 1, 1))  # one output column, not eye(n_splines)
    m.bsplines_ = [BSpline(knots, coef, k, extrapolate=m.bsplines_[0].extrapolate)]
    m.degree = k
    m.n_features_out_ = 1
    return pickle.dumps(m, protocol=5)


_SPLINE_CALL = "r = model.transform(numpy.random.RandomState(1).rand(100, 1))"


def test_rt38_02_spline_degree_cost(tmp_path: Path) -> None:
    """193 KB: a SplineTransformer on one feature whose spline has degree k = 8,000, the 2k + 2
    knots ``check_bspline`` asks for and a coefficient array of one column (``(k + 1, 1)``:
    ``check_spline_transformer`` holds the splines to one width and to ``degree``, not to
    ``n_splines`` columns as ``fit`` makes them). ``transform`` evaluates the spline at every
    value with de Boor's recursion, whose cost grows about as k**3 here: 10.9 s CPU for 10
    rows after safeload's load with scipy 1.16 (1.1 s per row; degree 2,000: 0.015 s per
    row); scipy 1.17's faster evaluation still takes 0.085 s per row (0.0044 s at degree
    2,000), so the child transforms 100 rows and is killed at the HANG_CPU limit under plain
    pickle. An honestly fitted SplineTransformer of this file size has ``c = eye(n_splines)``
    and so a degree below ~150, and transforms 100 rows in milliseconds. Scan SAFE,
    load_unsigned loaded it before the fix."""
    path = write(tmp_path, _rt38_02_spline(8_000))
    plain = _child(PLAIN_CALL.format(call=_SPLINE_CALL), path, cpu=HANG_CPU)
    assert plain.crashed and "loaded" in plain.stdout, str(plain)  # SIGXCPU
    assert "call done" not in plain.stdout, str(plain)
    _assert_refused_in_process(path)


# --- rt38-03: an object in a parameter whose constraints name an ABC type (Integral) ----------


def _rt38_03_outlier_label(kind: str) -> bytes:
    import scipy.sparse as sp
    from sklearn.neighbors import RadiusNeighborsClassifier

    X = np.random.RandomState(0).rand(40, 4)
    m = RadiusNeighborsClassifier(1.0).fit(X, np.arange(40) % 3)
    m.outlier_label = (
        np.random.RandomState(0) if kind == "RandomState" else sp.csr_matrix(np.eye(3))
    )
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("kind", ["RandomState", "csr_matrix"])
def test_rt38_03_abc_type_constraint_parity(kind: str, tmp_path: Path) -> None:
    """~5 KB: a fitted RadiusNeighborsClassifier whose ``outlier_label`` (constraints: an
    instance of ``numbers.Integral``, of ``str``, an array-like or None) holds a
    ``RandomState`` or a CSR matrix. load_unsigned refuses it (the class's own
    ``_parameter_constraints``: "must be an instance of 'int', an instance of 'str', an
    array-like or None"); scan calls it SAFE. rt36-03's ``param_objects.object_refused`` knows
    that neither class is an array-like (the sparse rule) and neither is a number, but
    ``_object_test`` answers "maybe" for any ``isa`` test of an ABC (``numbers.Integral``,
    encoded with a False "sure" flag), so one type constraint of ``Integral`` or ``Real``
    (not an ``Interval``) leaves every object to the load; SECURITY.md names exactly these
    objects (a sparse matrix, a RandomState) as ones scan refuses where every constraint
    refuses them. The mutation sweep found the same for GridSearchCV's and
    RandomizedSearchCV's ``error_score`` and ``pre_dispatch``, FixedThresholdClassifier's
    ``pos_label`` and ``threshold``, and TunedThresholdClassifierCV's ``scoring``."""
    assert _parity(_rt38_03_outlier_label(kind), tmp_path) == (False, "refused")


def _rt38_03_sweep(slot: str, value: str) -> bytes:
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.model_selection import (
        FixedThresholdClassifier,
        GridSearchCV,
        TunedThresholdClassifierCV,
    )
    from sklearn.neighbors import RadiusNeighborsClassifier

    X = np.random.RandomState(0).rand(40, 4)
    y = np.arange(40) % 2
    m: Any
    if slot == "GridSearchCV.error_score":
        m = GridSearchCV(Ridge(), {"alpha": [1, 2]}, cv=2).fit(X, X[:, 0])
    elif slot == "FixedThresholdClassifier.pos_label":
        m = FixedThresholdClassifier(LogisticRegression()).fit(X, y)
    elif slot == "TunedThresholdClassifierCV.scoring":
        m = TunedThresholdClassifierCV(LogisticRegression(), cv=2).fit(X, y)
    else:
        m = RadiusNeighborsClassifier(1.0).fit(X, y)
    made = {
        "RandomState": np.random.RandomState(0),
        "csr_matrix": sp.csr_matrix(np.eye(2)),
        "int64": np.int64(1),
        "float64": np.float64(0.5),
    }[value]
    setattr(m, slot.split(".")[1], made)
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    ("slot", "value", "expected"),
    [
        # numbers.Real, or "raise"
        ("GridSearchCV.error_score", "RandomState", (False, "refused")),
        ("GridSearchCV.error_score", "float64", (True, "loaded")),
        # numbers.Real, str, bool or None
        ("FixedThresholdClassifier.pos_label", "csr_matrix", (False, "refused")),
        ("FixedThresholdClassifier.pos_label", "int64", (True, "loaded")),
        # numpy.integer is registered with numbers.Integral, not a subclass of it
        ("RadiusNeighborsClassifier.outlier_label", "int64", (True, "loaded")),
        # a scorer name, a callable or a MutableMapping (dict is registered with it)
        ("TunedThresholdClassifierCV.scoring", "RandomState", (False, "refused")),
        ("TunedThresholdClassifierCV.scoring", "csr_matrix", (False, "refused")),
    ],
)
def test_rt38_03_abc_constraints_of_the_sweep(
    slot: str, value: str, expected: tuple[bool, str], tmp_path: Path
) -> None:
    """The mutation sweep's other ABC constraints (``numbers.Real``, ``MutableMapping``), and
    values an ABC takes only through a class registered with it (a numpy integer as an
    ``Integral``): scan gives the load's verdict both ways."""
    assert _parity(_rt38_03_sweep(slot, value), tmp_path) == expected


# --- rt38-04: an OrderedDict in an array-like parameter: scan unproven, load loads ------------


def _rt38_04_ordered_dict(name: str) -> bytes:
    import collections

    from sklearn.naive_bayes import MultinomialNB
    from sklearn.svm import SVC

    X = np.random.RandomState(0).rand(40, 4)
    y = np.arange(40) % 3
    if name.startswith("SVC.class_weight"):
        m: Any = SVC().fit(X, y)
        m.class_weight = {
            "SVC.class_weight": collections.OrderedDict([(0, 1.0), (1, 2.0), (2, 1.0)]),
            "SVC.class_weight Counter": collections.Counter({0: 1, 1: 2, 2: 1}),
            "SVC.class_weight empty": collections.OrderedDict(),
            "SVC.class_weight of an array": collections.OrderedDict([(0, np.ones(2))]),
        }[name]
    else:
        m = MultinomialNB().fit(X, y)
        m.class_prior = collections.OrderedDict(a=1)
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "name",
    [
        "SVC.class_weight",
        "MultinomialNB.class_prior",
        "SVC.class_weight Counter",
        "SVC.class_weight empty",
        "SVC.class_weight of an array",
    ],
)
def test_rt38_04_ordered_dict_parameter_parity(name: str, tmp_path: Path) -> None:
    """~1-5 KB: a fitted SVC whose ``class_weight`` is an ``OrderedDict`` of class weights (a
    value a user may honestly pass: the constraint is ``dict``, and ``fit`` accepts it), or a
    MultinomialNB whose ``class_prior`` is one (array-like: it has ``__len__``). load_unsigned
    loads both (scikit-learn's constraints take them); scan calls them unsafe: "unproven: what
    collections.OrderedDict makes, a value the stream walk cannot build, where the class checks
    its parameters". Found by the mutation sweep (every constraint-checked attribute of ~90
    fitted classes set to an OrderedDict: NearestCentroid.priors, CategoricalNB.class_prior,
    MultinomialNB.alpha and others alike). A false alarm only (scan is stricter). The walk
    now builds an OrderedDict or Counter from the stream (the call, then SETITEMS) for the
    constraints; one holding an array is no plain data, judged by its class (a dict)."""
    assert _parity(_rt38_04_ordered_dict(name), tmp_path) == (True, "loaded")


def _rt38_04_crafted(case: str) -> bytes:
    """An SVC whose ``class_weight`` is an OrderedDict pickle does not write: a dict key
    that cannot be hashed (SETITEMS fails), an odd SETITEMS, or a BUILD state on it."""
    from sklearn.svm import SVC

    m = SVC().fit(np.random.RandomState(0).rand(20, 3), np.arange(20) % 2)
    marker = b"class_weight_marker"
    m.class_weight = marker.decode()
    data = pickle.dumps(m, protocol=2)  # no FRAME: the stream can be spliced
    od = b"ccollections\nOrderedDict\n)R"  # GLOBAL, EMPTY_TUPLE, REDUCE: OrderedDict()
    tail = {
        "unhashable key": b"(]K\x01u",  # MARK, EMPTY_LIST, 1, SETITEMS
        "odd SETITEMS": b"(K\x00K\x01K\x02u",
        "BUILD state": b"(K\x00K\x01u}U\x01aK\x01sb",  # {0: 1}, then BUILD {'a': 1}
    }[case]
    literal = b"X" + len(marker).to_bytes(4, "little") + marker
    assert data.count(literal) == 1
    return data.replace(literal, od + tail)  # the BINPUT after it memoizes the OrderedDict


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("unhashable key", (False, "refused")),
        ("odd SETITEMS", (False, "refused")),
        ("BUILD state", (False, "loaded")),  # unproven: a false alarm, as before
    ],
)
def test_rt38_04_ordered_dicts_pickle_does_not_write(
    case: str, expected: tuple[bool, str], tmp_path: Path
) -> None:
    assert _parity(_rt38_04_crafted(case), tmp_path) == expected


# --- rt38-05: MiniBatchNMF.partial_fit runs fresh_restarts_max_iter, which nothing bounds -------


def _rt38_05_minibatch_nmf(iterations: int) -> bytes:
    from sklearn.decomposition import MiniBatchNMF

    m = MiniBatchNMF(3, max_iter=20, random_state=0).fit(np.random.RandomState(0).rand(20, 5))
    m.fresh_restarts_max_iter = iterations  # partial_fit solves W with it; not capped
    m.tol = 0.0  # _solve_W stops early only when tol > 0
    return pickle.dumps(m, protocol=5)


_NMF_PARTIAL_FIT = "r = model.partial_fit(numpy.random.RandomState(1).rand(5, 5))"


def test_rt38_05_minibatch_nmf_fresh_restarts(tmp_path: Path) -> None:
    """1.3 KB: a fitted MiniBatchNMF with ``fresh_restarts_max_iter = 10**12`` and ``tol = 0``.
    ``partial_fit`` (a public method the promise lists) calls ``_minibatch_step(X, None, H)``,
    and with ``W`` None it always solves W by ``_solve_W(X, H, fresh_restarts_max_iter)``,
    which stops early only when ``tol > 0``: 1.96 s CPU for 5 rows at 100,000 iterations after
    safeload's load, so about 7 months at 10**12 (killed at the HANG_CPU limit under plain
    pickle). rt37-04 capped the fitted ``_transform_max_iter`` (what ``transform`` runs) and
    MiniBatchDictionaryLearning's ``partial_fit`` runs the capped ``transform_max_iter``, but
    ``fresh_restarts_max_iter`` (default 30) is in neither ``ITERATION_LIMITS`` nor the
    whole-model budget. Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt38_05_minibatch_nmf(10**12))
    plain = _child(PLAIN_CALL.format(call=_NMF_PARTIAL_FIT), path, cpu=HANG_CPU)
    assert plain.crashed and "loaded" in plain.stdout, str(plain)  # SIGXCPU
    assert "call done" not in plain.stdout, str(plain)
    _assert_refused_in_process(path)


# --- rt38-06: a BUILD on a named tuple with a tuple state that is not a (state, slots) pair ---


def _rt38_06_triplet_build(state: tuple[Any, ...]) -> bytes:
    import copyreg
    import io

    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer
    from sklearn.impute._iterative import _ImputerTriplet

    X = np.random.RandomState(0).rand(30, 3)
    X[::4, 1] = np.nan
    m = IterativeImputer(max_iter=2).fit(X)
    buf = io.BytesIO()

    class _Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is _ImputerTriplet:  # NEWOBJ with its fields, then BUILD(state)
                return (copyreg.__newobj__, (type(obj), *obj), state)
            return NotImplemented

    _Pickler(buf, protocol=5).dump(m)
    return buf.getvalue()


@pytest.mark.parametrize("state", [(1,), (1, 2, 3)])
def test_rt38_06_named_tuple_tuple_state_parity(state: tuple[Any, ...], tmp_path: Path) -> None:
    """~6 KB: a fitted IterativeImputer whose ``_ImputerTriplet`` named tuples are each made by
    NEWOBJ with their fields and then given a BUILD whose state is the tuple ``(1,)`` (or
    ``(1, 2, 3)``). The unpickler reads a tuple state as ``(state, slotstate)`` only when it
    has two items; any other non-empty state needs a ``__dict__`` ("state is not a
    dictionary"), so plain pickle and load_unsigned fail ("could not be loaded:
    UnpicklingError"). rt37-08's ``_check_tuple_build`` refuses only states that are not
    tuples, so scan calls the file SAFE (the pair forms ``(None, {'feat_idx': 0})`` and
    ``({'a': 1}, None)`` are refused by both, ``(None, {})`` loads in both)."""
    assert _parity(_rt38_06_triplet_build(state), tmp_path) == (False, "refused")


# --- rt38-07: a ufunc's where= keyword: transform returns uninitialised memory -----------------


def _rt38_07_where_false() -> bytes:
    from sklearn.preprocessing import FunctionTransformer

    m = FunctionTransformer(np.log1p, kw_args={"where": False}).fit(np.zeros((2, 2)))
    return pickle.dumps(m, protocol=5)


_LEAK_CALL = (
    "secret = numpy.full((5000, 4), 1234.5678); s2 = secret * 1; del secret, s2\n"
    "    r = model.transform(numpy.ones((5000, 4)))\n"
    "    print('leaked', float((r == 1234.5678).mean()), 'first', r[0, 0])"
)


def test_rt38_07_ufunc_where_leaks_memory(tmp_path: Path) -> None:
    """281 bytes: ``FunctionTransformer(np.log1p, kw_args={'where': False})``. The keyword
    rules refuse ``out`` (rt-usetime) and bound ``n_jobs`` and ``dtype`` (rt37-02/07), but a
    ufunc called with ``where=False`` and no ``out`` computes nothing and returns the fresh
    ``np.empty`` output as it found it: ``transform`` returns whatever the allocator hands
    back. Measured after safeload's load and under plain pickle: a 5,000 x 4 array of a
    "secret" value freed just before, returned 100% intact as the transform's output (1,000
    rows: 99.9%), and on small inputs the output holds heap pointers read as doubles
    (6.9e-310: the process's addresses). A served model thus hands one caller's earlier data,
    or another tenant's, and the heap layout, to whoever calls ``transform``. Any allowlisted
    ufunc takes ``where`` (``partial(np.exp, where=False)`` as a ``func``/``inverse_func``
    alike). Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt38_07_where_false())
    plain = _child(PLAIN_CALL.format(call=_LEAK_CALL), path, cpu=10)
    assert "call done" in plain.stdout, str(plain)
    leaked = float(plain.stdout.split("leaked")[1].split()[0])
    assert leaked > 0.5, str(plain)  # the freed array's values came back as the output
    _assert_refused_in_process(path)


# --- rt38-08: an OrderedDict or Counter in a single estimator slot: scan SAFE -----------------


def _rt38_08_slot(slot: str, kind: str) -> bytes:
    import collections

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import Ridge
    from sklearn.manifold import LocallyLinearEmbedding
    from sklearn.model_selection import GridSearchCV

    X = np.random.RandomState(0).rand(40, 4)
    value = {
        "OrderedDict": collections.OrderedDict,
        "Counter": collections.Counter,
        "defaultdict": lambda: collections.defaultdict(list),
    }[kind]()
    m: Any
    if slot == "SelectFromModel.estimator_":
        m = SelectFromModel(Ridge()).fit(X, X[:, 0])
    elif slot == "LocallyLinearEmbedding.nbrs_":
        m = LocallyLinearEmbedding(n_neighbors=5, n_components=2).fit(X)
    elif slot == "GridSearchCV.best_estimator_":
        m = GridSearchCV(Ridge(), {"alpha": [1, 2]}, cv=2).fit(X, X[:, 0])
    else:
        m = HistGradientBoostingClassifier(max_iter=2).fit(X, np.arange(40) % 2)
    setattr(m, slot.split(".")[1], value)
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("kind", ["OrderedDict", "Counter", "defaultdict"])
@pytest.mark.parametrize(
    "slot",
    [
        "SelectFromModel.estimator_",
        "LocallyLinearEmbedding.nbrs_",
        "GridSearchCV.best_estimator_",
        "HistGradientBoostingClassifier._bin_mapper",
    ],
)
def test_rt38_08_dict_subclass_in_estimator_slot(slot: str, kind: str, tmp_path: Path) -> None:
    """400 bytes to 1.3 KB: a fitted SelectFromModel whose ``estimator_``, or a
    LocallyLinearEmbedding whose ``nbrs_``, is an empty ``collections.OrderedDict`` (or
    ``Counter``). load_unsigned refuses it ("holds a collections.OrderedDict where an
    estimator is used (it drives transform ...)"); scan calls it SAFE. A plain dict there is
    refused by both, and so is an OrderedDict as a Pipeline step or in bagging's
    ``estimators_`` (rt35's parity on containers in estimator slots): only the single-object
    slots miss the dict subclasses, which the stream makes by a call (``OrderedDict()``) rather
    than a literal. Found by the mutation sweep, which saw the same for Isomap's ``nbrs_`` and
    ``kernel_pca_``, the searches' ``best_estimator_``, the threshold classifiers'
    ``estimator_``, histogram boosting's ``_bin_mapper`` and ``_label_encoder``, and an
    OrderedDict as the whole ``estimators_`` of MultiOutputRegressor and the chains or
    ``calibrated_classifiers_`` of CalibratedClassifierCV. The static estimator rule skipped
    any container subclass (a Bunch's items are not tracked); in a single estimator's slot
    the load takes none, and now neither does scan (the collections' slots were already
    in parity)."""
    assert _parity(_rt38_08_slot(slot, kind), tmp_path) == (False, "refused")


def _rt38_08_collection(slot: str, full: bool) -> bytes:
    import collections

    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.multioutput import ClassifierChain, MultiOutputRegressor

    X = np.random.RandomState(0).rand(40, 4)
    y = np.arange(40) % 2
    m: Any
    if slot == "MultiOutputRegressor.estimators_":
        m = MultiOutputRegressor(Ridge()).fit(X, X[:, :2])
    elif slot == "ClassifierChain.estimators_":
        m = ClassifierChain(LogisticRegression()).fit(X, np.c_[y, 1 - y])
    else:
        m = CalibratedClassifierCV(LogisticRegression(), cv=2).fit(X, y)
    name = slot.split(".")[1]
    items = [(str(i), e) for i, e in enumerate(getattr(m, name))] if full else []
    setattr(m, name, collections.OrderedDict(items))
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("full", [False, True], ids=["empty", "of the fitted ones"])
@pytest.mark.parametrize(
    "slot",
    [
        "MultiOutputRegressor.estimators_",
        "ClassifierChain.estimators_",
        "CalibratedClassifierCV.calibrated_classifiers_",
    ],
)
def test_rt38_08_ordered_dict_as_a_collection_of_estimators(
    slot: str, full: bool, tmp_path: Path
) -> None:
    """The sweep's collection slots, held to the load's verdict: an OrderedDict (empty, or
    of the fitted estimators by name) as a whole ``estimators_`` or
    ``calibrated_classifiers_``, where the load reads a dict's values as the estimators."""
    safe, load = _parity(_rt38_08_collection(slot, full), tmp_path)
    assert safe == (load == "loaded"), (safe, load)


# --- rt38-09: a type value (float, numpy.float64, dict) in a callable slot: scan SAFE ---------


def _rt38_09_type_in_callable_slot(slot: str) -> bytes:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import FunctionTransformer

    X = np.random.RandomState(0).rand(40, 4)
    y = X[:, 0]
    m: Any
    if slot == "FunctionTransformer.func":
        m = FunctionTransformer(np.log1p).fit(X)
        m.func = np.float64
    elif slot == "TransformedTargetRegressor.inverse_func":
        m = TransformedTargetRegressor(Ridge(), func=np.log1p, inverse_func=np.expm1).fit(X, y)
        m.inverse_func = float
    else:
        m = GridSearchCV(Ridge(), {"alpha": [1, 2]}, cv=2).fit(X, y)
        m.scorer_ = dict
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "slot",
    [
        "FunctionTransformer.func",
        "TransformedTargetRegressor.inverse_func",
        "GridSearchCV.scorer_",
    ],
)
def test_rt38_09_type_value_in_callable_slot(slot: str, tmp_path: Path) -> None:
    """300 bytes to 3 KB: a fitted FunctionTransformer whose ``func`` is ``numpy.float64``, a
    TransformedTargetRegressor whose ``inverse_func`` is ``float``, or a GridSearchCV whose
    ``scorer_`` is ``dict`` (classes on ``TYPE_VALUE_ROWS``, which a model may keep as a
    dtype value). load_unsigned refuses each ("holds a builtins.type; a stored callable must
    be on the callable allowlist (it drives ...)"); scan calls each SAFE: the stream walk
    accepts an allowed type value in a slot where the load's dispatch row asks for an
    allowlisted function. (A ``numpy.str_`` as ``scorer_`` is the reverse: scan unsafe, the
    load loads it, as it loads a plain ``str``, which ``score`` then fails to call.)"""
    assert _parity(_rt38_09_type_in_callable_slot(slot), tmp_path) == (False, "refused")


# --- rt38-10: a scorer's labels keyword as range(2**20): score allocates 8 MB per row ----------


def _rt38_10_log_loss_range() -> bytes:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss, make_scorer
    from sklearn.model_selection import GridSearchCV

    X = np.random.RandomState(0).rand(40, 4)
    m = GridSearchCV(LogisticRegression(), {"C": [1, 2]}, cv=2).fit(X, np.arange(40) % 2)
    m.scorer_ = make_scorer(
        log_loss, response_method="predict_proba", greater_is_better=False, labels=range(2**20)
    )
    return pickle.dumps(m, protocol=5)


_SCORE_CALL = (
    "X = numpy.random.RandomState(1).rand(1000, 4)\n"
    "    try:\n"
    "        model.score(X, numpy.arange(1000) % 2)\n"
    "    except ValueError:\n"
    "        pass  # (after the allocation: predict_proba has 2 columns, not 2**20)"
)


def test_rt38_10_scorer_labels_range(tmp_path: Path) -> None:
    """2.2 KB: a fitted GridSearchCV whose ``scorer_`` is ``make_scorer(log_loss,
    labels=range(2**20))``: a ``range`` of 2**20 items, the most the pass keeps as data, in the
    scorer's ``_kwargs``. ``score(X, y)`` calls ``log_loss(y, proba, labels=...)``, which fits
    a LabelBinarizer on the labels and binarizes ``y`` densely: an int64 matrix of ``len(y) x
    2**20``, 8 MiB per input row, before it compares widths and raises. 1,000 rows ask for 8
    GiB: MemoryError under a 3 GiB limit under plain pickle (the honest scorer with the same
    labels stored as a list or an array is a file of 5 to 8 MB; a 2.2 KB file of honest labels
    holds a few hundred). ``keyword_problem`` bounds only ``n_jobs`` and ``dtype``. load_unsigned
    loads it; scan calls it unsafe ("_Scorer._kwargs unproven: a range whose bounds the stream
    walk cannot read"), so scan and load disagree too. ``brier_score_loss``, ``d2_log_loss_score``
    and ``d2_brier_score`` take ``labels`` alike."""
    path = write(tmp_path, _rt38_10_log_loss_range())
    plain = _child(PLAIN_CALL.format(call=_SCORE_CALL), path, memory=3 * GB, cpu=30)
    assert "call MemoryError" in plain.stdout or plain.crashed, str(plain)
    _assert_refused_in_process(path)


# --- rt38-11: a search's param_grid as an OrderedDict is not checked: fit writes a cache ------


def _rt38_11_ordered_grid(kind: str) -> bytes:
    import collections

    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.random.RandomState(0).rand(40, 4)
    pipe = Pipeline([("s", StandardScaler()), ("r", Ridge())])
    grid = collections.OrderedDict(memory=["rt38_cache"])  # a Mapping: ParameterGrid takes it
    m: Any
    if kind == "GridSearchCV.param_grid":
        m = GridSearchCV(pipe, {"r__alpha": [1.0]}, cv=2).fit(X, X[:, 0])
        m.param_grid = grid
    elif kind == "GridSearchCV.param_grid list":
        m = GridSearchCV(pipe, {"r__alpha": [1.0]}, cv=2).fit(X, X[:, 0])
        m.param_grid = [grid]
    else:
        m = RandomizedSearchCV(pipe, {"r__alpha": [1.0]}, n_iter=1, cv=2).fit(X, X[:, 0])
        m.param_distributions = grid
    return pickle.dumps(m, protocol=5)


_GRID_FIT = (
    "import os\n"
    "    X = numpy.random.RandomState(0).rand(40, 4)\n"
    "    model.fit(X, X[:, 0])\n"
    "    print('wrote', sum(len(f) for _, _, f in os.walk('rt38_cache')))"
)


@pytest.mark.parametrize(
    "kind",
    ["GridSearchCV.param_grid", "GridSearchCV.param_grid list", "RandomizedSearchCV"],
)
def test_rt38_11_ordered_dict_param_grid(kind: str, tmp_path: Path) -> None:
    """2.3 KB: a fitted GridSearchCV over a Pipeline whose ``param_grid`` is
    ``OrderedDict(memory=['rt38_cache'])`` (or a list holding it, or a RandomizedSearchCV's
    ``param_distributions``). ``params.check_grid`` judges only grids of type ``dict``
    exactly ("scikit-learn refuses it in fit"), but scikit-learn takes any ``Mapping``
    (``ParameterGrid``/``ParameterSampler``; the ``dict`` constraint is an ``isinstance``), so
    ``fit`` sets ``memory='rt38_cache'`` on the pipeline and joblib writes a cache there:
    ``.gitignore``, ``func_code.py``, ``output.pkl`` and ``metadata.json`` files (measured
    after safeload's load and under plain pickle: 8 files for 2 folds). The same grid as a
    ``dict`` is refused by both ("only None is accepted"); any other value the grid rows pin
    (``n_jobs``, a vectorizer's ``input='filename'``, a backtracking ``token_pattern``) passes
    the same way, and the path may be absolute. A ``Bunch``, ``defaultdict`` or ``Counter``
    grid loads alike. load_unsigned loads it; scan calls it unsafe ("param_grid unproven: what
    collections.OrderedDict makes")."""
    path = write(tmp_path, _rt38_11_ordered_grid(kind))
    plain = _child(PLAIN_CALL.format(call=_GRID_FIT), path, cpu=60)
    assert "call done" in plain.stdout and int(plain.stdout.split("wrote")[1].split()[0]) > 0
    _assert_refused_in_process(path)


def _rt38_11_grid(case: str) -> bytes:
    import collections

    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.random.RandomState(0).rand(40, 4)
    pipe = Pipeline([("s", StandardScaler()), ("r", Ridge())])
    m = GridSearchCV(pipe, {"r__alpha": [1.0]}, cv=2).fit(X, X[:, 0])
    od = collections.OrderedDict
    m.param_grid = {
        "OrderedDict of alphas": od(r__alpha=[1.0, 2.0]),
        "a list of one": [od(r__alpha=[1.0])],
        "memory None": od(memory=[None]),
        "memory an estimator": od(memory=[Ridge()]),
        "a million workers": od(r__n_jobs=[10**6]),
        "an int key": od([(1, [1.0])]),
        "Counter": collections.Counter(memory=1),
    }[case]
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("OrderedDict of alphas", (True, "loaded")),
        ("a list of one", (True, "loaded")),
        ("memory None", (True, "loaded")),
        ("memory an estimator", (False, "refused")),
        ("a million workers", (False, "refused")),
        ("an int key", (False, "refused")),
        ("Counter", (False, "refused")),
    ],
)
def test_rt38_11_mapping_grids_parity(
    case: str, expected: tuple[bool, str], tmp_path: Path
) -> None:
    """Once scan builds an OrderedDict parameter (rt38-04) it no longer calls every
    OrderedDict grid unproven: its grid rule reads the items of an OrderedDict or Counter
    grid as the load's ``check_grid`` reads any dict, so both refuse what fit would set
    against a dispatch row, and both load honest candidates."""
    assert _parity(_rt38_11_grid(case), tmp_path) == expected


# --- rt38-12: a dict as a stacking model's estimators_: sklearn calls the keys ----------------


def _rt38_12_stacking_dict(kind: str) -> bytes:
    import functools

    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    from sklearn.tree._tree import Tree
    from sklearn.utils.validation import check_array

    X = np.random.RandomState(0).rand(60, 6)
    s: Any
    if kind == "StackingRegressor":
        s = StackingRegressor(
            [("t", DecisionTreeRegressor(max_depth=1, random_state=0))], Ridge(), cv=2
        )
    else:
        s = StackingClassifier(
            [("t", DecisionTreeClassifier(max_depth=1, random_state=0))],
            LogisticRegression(),
            cv=2,
            stack_method="predict",
        )
    # float32 conversion first (an allowed partial), so the caller's X reaches Tree.predict as is
    to32 = FunctionTransformer(functools.partial(check_array, dtype=np.float32))
    m = Pipeline([("f", to32), ("s", s)]).fit(X, np.arange(60) % 2)
    dt = s.estimators_[0]
    state = dict(dt.tree_.__getstate__())
    nodes = state["nodes"].copy()
    nodes["feature"][0] = 2**24 - 1  # the root splits on feature 2**24 - 1
    state["nodes"] = nodes
    tree = Tree(2**24, dt.tree_.n_classes, 1)  # n_features at validate.MAX_TREE_FEATURES
    tree.__setstate__(state)
    s.estimators_ = {tree: dt}  # the walk checks the values; predict iterates the keys
    return pickle.dumps(m, protocol=5)


_STACK_CALL = "r = model.predict(numpy.random.RandomState(1).rand(3, 6))"


@pytest.mark.parametrize("kind", ["StackingClassifier", "StackingRegressor"])
def test_rt38_12_stacking_dict_estimators_keys(kind: str, tmp_path: Path) -> None:
    """2.8-3.2 KB: a Pipeline of ``FunctionTransformer(partial(check_array,
    dtype=np.float32))`` and a fitted StackingClassifier (``stack_method='predict'``) or
    StackingRegressor whose ``estimators_`` is a dict ``{tree: DecisionTree...}``, the key a
    bare ``sklearn.tree._tree.Tree`` whose root splits on feature 2**24 - 1 (``n_features`` =
    2**24, the most ``validate.MAX_TREE_FEATURES`` allows, and no estimator owns it, so no
    width rule ties it to ``n_features_in_``). The dispatch row ``_estimators`` takes a dict
    and checks its values; ``_BaseStacking._transform`` does ``zip(self.estimators_,
    self.stack_method_)``, which iterates the keys, and calls ``Tree.predict(X)`` on the
    caller's 3 x 6 float32 rows: ``_apply_dense`` reads ``X[i, 16777215]``, 64 MiB past the
    array: SIGSEGV (return code -11) under plain pickle and after safeload's load alike, for
    any input. (VotingClassifier's structure check requires a list and refuses the same dict.)
    The ``_estimators`` row takes a dict for every class it covers: ``MultiOutputRegressor``
    with ``estimators_ = {tree: dt, 0: dt}`` (1.7 KB; key 0 answers ``estimators_[0]``) loads,
    scan SAFE, and its ``predict`` on float32 rows dies with SIGSEGV too; OneVsRest, OneVsOne,
    RegressorChain and AdaBoost load such a dict (scan SAFE), forests load it (scan unsafe).
    Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt38_12_stacking_dict(kind))
    plain = _child(PLAIN_CALL.format(call=_STACK_CALL), path, cpu=30)
    assert plain.crashed and "call done" not in plain.stdout, str(plain)
    _assert_refused_in_process(path)


# --- rt38-13: a kernel's constant_value as a long string: np.full of query x train cells ------


def _rt38_13_gp_constant(length: int) -> bytes:
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel

    X = np.random.RandomState(0).rand(40, 2)
    m = GaussianProcessRegressor(ConstantKernel() * RBF()).fit(X, X[:, 0])
    m.kernel_.k1.constant_value = "a" * length  # kernels carry no parameter constraints
    return pickle.dumps(m, protocol=5)


_GP_CALL = "r = model.predict(numpy.random.RandomState(1).rand(1000, 2))"


def test_rt38_13_constant_kernel_string(tmp_path: Path) -> None:
    """~25 KB: a fitted GaussianProcessRegressor (40 training points) whose ``kernel_`` is
    ``ConstantKernel(constant_value='a' * 20_000) * RBF()``. ``predict(X)`` evaluates
    ``kernel_(X, X_train_)``, and ``ConstantKernel.__call__`` returns ``np.full((n_X,
    n_train), constant_value, dtype=np.array(constant_value).dtype)``: a ``<U20000`` array,
    80 KB per cell, before the product with RBF's floats raises UFuncTypeError. 1,000 query
    rows ask for 3.2 GB (MemoryError under a 1 GiB limit under plain pickle); measured after
    safeload's load with a 100,000-character string (120 KB file) and 100 rows: 1.7 GB peak
    RSS, then the exception. Kernels are not estimators, so no ``_parameter_constraints``
    apply, and the walk accepts any plain value as a hyperparameter (a ``bytes`` value, or a
    ``numpy.str_``, loads alike); an honest 25 KB GP allocates a few hundred KB for the same
    call. Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt38_13_gp_constant(20_000))
    # (under 512 MiB, not 1 GiB: the same MemoryError of 3.2 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=_GP_CALL), path, memory=GB // 2, cpu=30)
    assert "call MemoryError" in plain.stdout or plain.crashed, str(plain)
    _assert_refused_in_process(path)


# --- rt38-14: a numpy array as a list of names: scan refuses, the load loads ------------------


def _rt38_14_name_array(slot: str) -> bytes:
    from sklearn.ensemble import BaggingRegressor, StackingRegressor
    from sklearn.linear_model import Ridge

    X = np.random.RandomState(0).rand(40, 4)
    m: Any
    if slot.startswith("StackingRegressor.stack_method_"):
        m = StackingRegressor([("r", Ridge())], cv=2).fit(X, X[:, 0])
        dtype = object if slot.endswith("object array") else None
        m.stack_method_ = np.array(["predict"], dtype=dtype)  # what fit stores as a list
    else:
        m = BaggingRegressor(Ridge(), n_estimators=2).fit(X, X[:, 0])
        m.estimator_params = np.zeros((2, 0))
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "slot",
    [
        "StackingRegressor.stack_method_",
        "StackingRegressor.stack_method_ object array",
        "BaggingRegressor.estimator_params",
    ],
)
def test_rt38_14_name_list_array_parity(slot: str, tmp_path: Path) -> None:
    """~1-3 KB: a fitted StackingRegressor whose ``stack_method_`` is ``np.array(['predict'])``
    (it predicts as the list would), or a BaggingRegressor whose ``estimator_params`` is an
    empty ``(2, 0)`` float array (the mutation sweep's find; also AdaBoost, IsolationForest,
    RandomTreesEmbedding). The load's ``_each_one_of`` reads any array of at most 2
    dimensions through ``kinds.sequence`` (``ravel().tolist()``) and accepts it; scan
    refuses every array ("is a numpy array, not a list of names"). A false alarm only (scan
    is stricter).

    Fixed on the load's side (fail closed): scikit-learn's fit stores these as a list or
    tuple, and uses them row by row (``stack_method_[i]``, ``for p in estimator_params``),
    which is not the flat ``ravel().tolist()`` the check read: the (2, 0) array passed as no
    names at all, and ``fit`` then calls ``getattr(self, row)`` on an empty row. The load
    now takes a name, a list or a tuple, as scan does; an object array of names, which scan
    read item by item and passed, is refused by both."""
    assert _parity(_rt38_14_name_array(slot), tmp_path) == (False, "refused")


# --- rt38-15: a RandomState made by NEWOBJ without a state: a raw AttributeError out of load ---


def _g(module: str, name: str) -> bytes:
    return (
        b"\x8c" + bytes([len(module)]) + module.encode()
        + b"\x8c" + bytes([len(name)]) + name.encode() + b"\x93"
    )  # fmt: skip


def _rt38_15_bare_object(case: str) -> bytes:
    pair = {
        "RandomState": ("numpy.random.mtrand", "RandomState"),
        "RandomState in an estimator": ("numpy.random.mtrand", "RandomState"),
        "dok_matrix": ("scipy.sparse._dok", "dok_matrix"),
        "dok_array": ("scipy.sparse._dok", "dok_array"),
    }[case]
    made = _g(*pair) + b")\x81"  # NEWOBJ: __new__, no __init__, no BUILD
    if case != "RandomState in an estimator":
        return b"\x80\x04" + made + b"."
    sgd = _g("sklearn.linear_model._stochastic_gradient", "SGDClassifier") + b")\x81"
    return b"\x80\x04" + sgd + b"}\x8c\x0crandom_state" + made + b"sb."


@pytest.mark.parametrize(
    "case", ["RandomState", "RandomState in an estimator", "dok_matrix", "dok_array"]
)
def test_rt38_15_bare_object_raw_exception(case: str, tmp_path: Path) -> None:
    """40 bytes (118 inside an SGDClassifier's ``random_state``): ``numpy.random.mtrand.
    RandomState`` made by NEWOBJ with no arguments and no BUILD, so numpy's ``__cinit__``
    leaves ``_bit_generator`` None (plain pickle builds it; ``randint`` then fails with
    AttributeError). load_unsigned raises a raw ``AttributeError: 'NoneType' object has no
    attribute 'state'`` (the use-time walk's ``o.__reduce_ex__(4)`` in
    ``usetime._instance_children`` calls ``get_state``), not a SafeloadError; scan calls the
    file SAFE. A ``scipy.sparse`` ``dok_matrix`` or ``dok_array`` made the same way (37-40
    bytes) gives a raw ``AttributeError: ... no attribute '_dict'``, scan SAFE. (rt36-08 made
    scan predict a RandomState given a state numpy refuses; one given no state at all escapes
    both. Found by a sweep making every allowlisted class by NEWOBJ alone: see rt38-16 for
    the three that crash.)"""
    import safeload

    data = _rt38_15_bare_object(case)
    path = write(tmp_path, data)
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path)
    assert not safeload.scan(data).safe


# --- rt38-16: a bit generator made by NEWOBJ without __init__: load_unsigned itself segfaults --


def _rt38_16_bit_generator(case: str) -> bytes:
    name = case.split()[0]
    module = "numpy.random._philox" if name == "Philox" else "numpy.random._pcg64"
    made = _g(module, name) + b")\x81"  # NEWOBJ: __new__ without __init__
    if case.endswith("+ BUILD"):
        state = pickle.dumps(np.random.PCG64(1).state, protocol=4)[2:-1]
        if state[:1] == b"\x95":
            state = state[9:]  # drop the FRAME
        made += state + b"b"  # BUILD: __setstate__ writes through the unset pointer
    return b"\x80\x04" + made + b"."


@pytest.mark.parametrize("case", ["PCG64", "PCG64DXSM", "Philox", "PCG64 + BUILD"])
def test_rt38_16_bare_bit_generator_crashes_load(case: str, tmp_path: Path) -> None:
    """34-38 bytes: ``PROTO 4, STACK_GLOBAL numpy.random._pcg64 PCG64, EMPTY_TUPLE, NEWOBJ,
    STOP`` (or PCG64DXSM, Philox): the bit generator's ``__new__`` without ``__init__``, so its
    native state pointer is never set. Plain pickle builds it (using it raises). scan calls the
    file SAFE; ``load_unsigned`` dies with SIGSEGV (return code -11) inside safeload: the
    use-time walk (``usetime._instance_children``) calls ``o.__reduce_ex__(4)`` on every
    extension object, and the bit generator's ``__reduce__`` reads its ``state`` through the
    unset pointer. ``PCG64 + BUILD`` (149 bytes: the same NEWOBJ, then BUILD with the state
    dict numpy writes for ``PCG64(1)``): ``__setstate__`` writes through the pointer, so plain
    pickle and safeload's restricted unpickler both die with SIGSEGV while building (scan
    SAFE). A service that loads untrusted files with safeload is killed by a 34-byte file
    (MT19937 and SFC64 load; a RandomState made alike raises rt38-15's raw AttributeError)."""
    data = _rt38_16_bit_generator(case)
    path = write(tmp_path, data)
    plain = _child(PLAIN, path, cpu=10)
    if case.endswith("+ BUILD"):
        assert plain.crashed, str(plain)
    else:
        assert "loaded" in plain.stdout and not plain.crashed, str(plain)
    scan = _child(SCAN, path, cpu=10)
    load = _child(LOAD_UNSIGNED, path, cpu=10)
    assert "refused" in load.stdout and not load.crashed, str(load)  # today: SIGSEGV
    assert "verdict unsafe" in scan.stdout, str(scan)


# --- rt38-17: NEWOBJ-only FrozenEstimator and _ImputerTriplet: scan SAFE, the load refuses -----


def _rt38_17_case(case: str) -> bytes:
    bare_mt = _g("numpy.random._mt19937", "MT19937") + b")\x81"
    body = {
        "FrozenEstimator": _g("sklearn.frozen._frozen", "FrozenEstimator") + b")\x81",
        "_ImputerTriplet": _g("sklearn.impute._iterative", "_ImputerTriplet") + b")\x81",
        "Tree": _g("sklearn.tree._tree", "Tree") + b")\x81",
        "__randomstate_ctor(bare MT19937)": _g("numpy.random._pickle", "__randomstate_ctor")
        + b"("
        + bare_mt
        + b"tR",
        "__generator_ctor(bare MT19937)": _g("numpy.random._pickle", "__generator_ctor")
        + b"("
        + bare_mt
        + b"tR",
    }[case]
    return b"\x80\x04" + body + b"."


@pytest.mark.parametrize(
    "case",
    [
        "FrozenEstimator",
        "_ImputerTriplet",
        "Tree",
        "__randomstate_ctor(bare MT19937)",
        "__generator_ctor(bare MT19937)",
    ],
)
def test_rt38_17_newobj_alone_parity(case: str, tmp_path: Path) -> None:
    """47 and 50 bytes: ``STACK_GLOBAL``, ``EMPTY_TUPLE``, ``NEWOBJ``, ``STOP``. A
    FrozenEstimator made without state has no ``estimator``, and its ``__getattr__`` (which
    delegates to ``self.estimator``) recurses: load_unsigned refuses it ("invalid
    FrozenEstimator: maximum recursion depth exceeded"). An ``_ImputerTriplet`` named tuple
    made by NEWOBJ with no fields fails in the unpickler (``__new__() missing 3 required
    positional arguments``): load_unsigned refuses it ("could not be loaded: TypeError"); so
    does a decision ``Tree`` made by NEWOBJ without its three arguments.
    numpy's ``__randomstate_ctor`` or ``__generator_ctor`` given an MT19937 made by NEWOBJ
    alone (82-84 bytes) raise ValueError in plain pickle and in the load (refused). scan calls
    all five SAFE (rt37-08 predicts a BUILD on a named tuple, not its field count; rt36-08's
    probe runs numpy's helpers only on plain arguments). Found by the NEWOBJ-alone sweep over
    the allowlist (see rt38-15/16)."""
    assert _parity(_rt38_17_case(case), tmp_path) == (False, "refused")


def _rt38_17_frozen(case: str) -> bytes:
    """A FrozenEstimator pickled as NEWOBJ and its ``__dict__`` (what BaseEstimator's
    ``__getstate__`` writes), whatever that holds: the pickler's own ``__getstate__`` would
    itself recurse on these."""
    import copyreg
    import io

    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    fitted = LogisticRegression().fit(np.random.RandomState(0).rand(20, 3), np.arange(20) % 2)
    m: Any
    if case == "its own estimator":
        m = FrozenEstimator(None)
        m.estimator = m
    elif case == "a cycle of two":
        m = FrozenEstimator(None)
        m.estimator = FrozenEstimator(m)
    elif case == "a state without estimator":
        m = FrozenEstimator(fitted)
        del m.estimator
        m.n_features_in_ = 3
    else:  # "no estimator, in a pipeline"
        frozen = FrozenEstimator(fitted)
        del frozen.estimator
        m = Pipeline([("frozen", frozen)])
    buf = io.BytesIO()

    class _Pickler(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is FrozenEstimator:
                return (copyreg.__newobj__, (FrozenEstimator,), dict(vars(obj)))
            return NotImplemented

    _Pickler(buf, protocol=5).dump(m)
    return buf.getvalue()


@pytest.mark.parametrize(
    "case",
    [
        "its own estimator",
        "a cycle of two",
        "a state without estimator",
        "no estimator, in a pipeline",
    ],
)
def test_rt38_17_frozen_estimator_forwarding_never_ends(case: str, tmp_path: Path) -> None:
    """FrozenEstimator's ``__getattr__`` forwards every attribute it lacks to ``estimator``:
    without one (a BUILD that leaves it out, also inside a pipeline), or through a chain of
    FrozenEstimators that comes back to itself, any such look-up recurses until Python's
    limit. load_unsigned refused these only because a check after building
    (``check_linear_shapes``' ``getattr(est, 'coef_', None)``) met the recursion; scan called
    them SAFE. Both now apply one rule (``object_checks.delegation_problem``) before use."""
    assert _parity(_rt38_17_frozen(case), tmp_path) == (False, "refused")
