"""Red team 39 (an independent helper session from 16:14 UTC, pure-Python snapshot): its
reproducers. Each test first shows the harm under plain pickle (or joblib) in a child process
under resource limits where there is harm, then asserts what safeload should do: refuse, in
scan and in load_unsigned (or, for parity findings, give scan the verdict of the load)."""

from __future__ import annotations

import datetime
import functools
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import PLAIN_CALL, TIMED_PREDICT, cpu_seconds, write
from redteam import assert_refused as _assert_refused_in_process
from redteam import child as _child
from redteam import parity as _parity


def _value(kind: str) -> Any:
    """A value of a kind the stream walk does not build as a literal."""
    import scipy.sparse as sp
    from sklearn.preprocessing import StandardScaler

    return {
        "ndarray": np.array([1.0]),
        "str_ndarray": np.array(["pandas"]),
        "masked_array": np.ma.masked_array([1.0, 2.0], mask=[0, 1]),
        "csr_matrix": sp.csr_matrix(np.eye(2)),
        "RandomState": np.random.RandomState(0),
        "partial": functools.partial(np.sqrt),
        "date": datetime.date(2020, 1, 1),
        "estimator": StandardScaler(),
    }[kind]


_OBJECT_KINDS = [
    "ndarray",
    "str_ndarray",
    "masked_array",
    "csr_matrix",
    "RandomState",
    "partial",
    "date",
    "estimator",
]


# --- rt39-01: "forbidden" and "output_config" rows are judged by scan on literals only --------


def _rt39_01_model(attribute: str, kind: str) -> bytes:
    from sklearn.gaussian_process.kernels import RBF, CompoundKernel
    from sklearn.preprocessing import StandardScaler

    value = _value(kind)
    if attribute == "CompoundKernel.kernels":
        m: Any = CompoundKernel([RBF()])
        m.kernels = value
    else:
        m = StandardScaler().fit(np.random.RandomState(0).rand(10, 3))
        setattr(m, attribute, value)
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("kind", _OBJECT_KINDS)
@pytest.mark.parametrize(
    "attribute",
    [
        "_sklearn_output_config",
        "_skl_callbacks",
        "_callback_fit_ctx",
        "_parent_callback_ctx",
        "CompoundKernel.kernels",
    ],
)
def test_rt39_01_forbidden_row_non_literal_parity(
    attribute: str, kind: str, tmp_path: Path
) -> None:
    """~1-2 KB: a fitted StandardScaler whose ``_sklearn_output_config`` (dispatch kind
    ``output_config``: a dict of str to 'default'/'pandas'/'polars') or callback attributes
    ``_skl_callbacks``/``_callback_fit_ctx``/``_parent_callback_ctx`` (kind ``forbidden``:
    never set by a file), or a CompoundKernel whose ``kernels`` (``forbidden``), hold an
    ndarray, a masked array, a CSR matrix, a RandomState, a partial, a date or an estimator.
    load_unsigned refuses every one ("is a numpy.ndarray, not a dict", "may not be set by a
    file"); scan calls them SAFE. A list or an int there is refused by both. Root cause:
    ``trust/static_state.py``: ``_LITERAL_DONE`` lists ``output_config`` and ``forbidden``
    (``literal_state.state_problem`` judged them) but ``_ANY_VALUE_KINDS`` does not, so
    ``state_problem`` never hands a non-literal value of those rows to ``row_problem``, and
    ``literal_state`` only sees values ``param_value`` could build."""
    assert _parity(_rt39_01_model(attribute, kind), tmp_path) == (False, "refused")


# --- rt39-02: a masked array as a sparse matrix's index array hides it from check_format -------


def _rt39_02_masked_indices(kind: str) -> bytes:
    import scipy.sparse as sp
    from sklearn.neighbors import KNeighborsClassifier

    if kind == "csr_indptr":
        m: Any = sp.csr_matrix(np.eye(4))
        pointers = np.array([0, 30_000_000, 2, 3, 4], dtype=np.int32)  # row 0 ends past nnz
        m.indptr = np.ma.masked_array(pointers, mask=[False, True, False, False, False])
        return pickle.dumps(m, protocol=5)
    if kind == "csr_matrix":
        m = sp.csr_matrix(np.array([[1.0, 0, 0, 0], [0, 2.0, 0, 0]]))
        mat = m
    elif kind == "sparse_random_projection":
        from sklearn.random_projection import SparseRandomProjection

        X = np.random.RandomState(0).rand(20, 50)
        m = SparseRandomProjection(n_components=5, random_state=0).fit(X)
        mat = m.components_
    else:
        rs = np.random.RandomState(0)
        X = sp.csr_matrix(rs.rand(20, 4) * (rs.rand(20, 4) > 0.5))
        m = KNeighborsClassifier(3, algorithm="brute").fit(X, np.arange(20) % 2)
        mat = m._fit_X
    raw = mat.indices.copy()
    raw[-1] = 50_000_000  # a column 50 million past the matrix's 4
    mask = np.zeros(len(raw), bool)
    mask[-1] = True  # ... masked: scipy's checks reduce over the unmasked values only
    mat.indices = np.ma.masked_array(raw, mask=mask)
    return pickle.dumps(m, protocol=5)


_RT39_02_CALL = {
    "csr_matrix": "r = model.toarray()",
    "csr_indptr": "r = model.toarray()",
    "knn": (
        "import scipy.sparse as sp\n"
        "    r = model.predict(sp.csr_matrix(numpy.random.RandomState(1).rand(5, 4)))"
    ),
    "sparse_random_projection": "r = model.transform(numpy.random.RandomState(1).rand(5, 50))",
}


@pytest.mark.parametrize("kind", ["csr_matrix", "csr_indptr", "knn", "sparse_random_projection"])
def test_rt39_02_masked_sparse_indices_crash(kind: str, tmp_path: Path) -> None:
    """430 bytes (a bare 2x4 csr_matrix), ~2 KB (a KNeighborsClassifier fitted on sparse
    input) or ~3 KB (a SparseRandomProjection, whose ``components_`` is CSR): the matrix's
    ``indices`` is a ``numpy.ma.MaskedArray`` whose last entry, masked, is the column
    50,000,000. safeload's ``check_sparse`` (``trust/structures/arrays.py``)
    relies on scipy's ``check_format(full_check=True)``, which tests ``self.indices.max() >=
    N`` and ``self.indices.min() < 0`` (and ``indptr[0] != 0``, ``np.diff(indptr).min()``):
    numpy.ma reductions skip masked entries and a masked comparison is falsy, so every test
    passes, and check_format then replaces the array with ``np.asarray(self.indices)``, the
    raw data, out-of-range index included. The model that comes back holds a plain, out of
    range index array; ``toarray()`` (``csr_todense`` writes ``out[row, 50_000_000]``),
    the KNN's ``predict`` (scipy's sparse distance code) and the projection's ``transform``
    (``X @ components_.T``, sparsetools) crash with SIGSEGV, as under plain pickle. The bare
    matrix scans SAFE as well (the models scan unproven, but load_unsigned loads them). An
    interior ``indptr`` entry masked (``[0, 30_000_000, 2, 3, 4]`` for a 4x4 identity: the
    monotonicity test ``np.diff(indptr).min() < 0`` skips it) crashes ``toarray()`` the same
    way; a BSR matrix's masked ``indices`` pass too, and joblib files alike."""
    path = write(tmp_path, _rt39_02_masked_indices(kind))
    call = _RT39_02_CALL[kind]
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed and "call done" not in plain.stdout, str(plain)
    _assert_refused_in_process(path)


# --- rt39-03: masked structured node arrays pass safeload's own numpy checks ----------------


def _masked_field(nodes: Any, field: str, rows: Any, value: int) -> Any:
    """``nodes`` as a masked array whose ``field`` holds ``value`` at ``rows``, masked there."""
    nodes = nodes.copy()
    nodes[field][rows] = value
    mask = np.zeros(nodes.shape, dtype=np.ma.make_mask_descr(nodes.dtype))
    mask[field][rows] = True
    return np.ma.masked_array(nodes, mask=mask)


def _rt39_03_model(kind: str) -> bytes:
    rs = np.random.RandomState(0)
    if kind == "hgb_nodes":
        from sklearn.ensemble import HistGradientBoostingRegressor

        X = rs.rand(200, 4)
        m: Any = HistGradientBoostingRegressor(max_iter=3, random_state=0).fit(X, X[:, 0] + X[:, 1])
        for predictors in m._predictors:
            for p in predictors:
                split = np.flatnonzero(p.nodes["is_leaf"] == 0)[:1]  # the root
                p.nodes = _masked_field(p.nodes, "feature_idx", split, 100_000_000)
    elif kind == "hdbscan_tree":
        from sklearn.cluster import HDBSCAN

        m = HDBSCAN().fit(rs.rand(50, 2))
        tree = m._single_linkage_tree_
        m._single_linkage_tree_ = _masked_field(tree, "left_node", [0], 100_000_000)
    else:
        from sklearn.neighbors import KNeighborsClassifier

        algorithm = "kd_tree" if kind == "kd_tree_node_data" else "ball_tree"
        m = KNeighborsClassifier(3, algorithm=algorithm).fit(rs.rand(200, 3), np.arange(200) % 2)
        state = list(m._tree.__getstate__())
        nodes = np.asarray(state[2])
        leaves = np.flatnonzero(nodes["is_leaf"])
        # every leaf but the last ends 50 million samples past the 200 (masked there)
        masked = _masked_field(nodes, "idx_end", leaves[:-1], 50_000_000)
        state[2] = masked
        m._tree = _Reduced(m._tree.__reduce__(), tuple(state))
    return pickle.dumps(m, protocol=5)


class _Reduced:
    """Pickles as the reconstructor ``reduced`` (an object's own ``__reduce__``) with another
    BUILD ``state``."""

    def __init__(self, reduced: Any, state: Any) -> None:
        self.reduced, self.state = reduced, state

    def __reduce__(self) -> Any:
        return (self.reduced[0], self.reduced[1], self.state)


_RT39_03_CALL = {
    "hgb_nodes": "r = model.predict(numpy.random.RandomState(1).rand(5, 4))",
    "hdbscan_tree": "r = model.dbscan_clustering(0.1)",
    "kd_tree_node_data": "r = model.predict(numpy.random.RandomState(1).rand(50, 3))",
    "ball_tree_node_data": "r = model.predict(numpy.random.RandomState(1).rand(50, 3))",
}


@pytest.mark.parametrize(
    "kind", ["hgb_nodes", "hdbscan_tree", "kd_tree_node_data", "ball_tree_node_data"]
)
def test_rt39_03_masked_node_arrays_crash(kind: str, tmp_path: Path) -> None:
    """~10 KB: a HistGradientBoostingRegressor whose predictors' ``nodes`` are
    ``numpy.ma.MaskedArray``s of the node dtype, the root's ``feature_idx`` set to 100,000,000
    and masked; or an HDBSCAN whose ``_single_linkage_tree_`` is a masked HIERARCHY_dtype
    array whose first merge's ``left_node`` is 100,000,000, masked; or a KNeighborsClassifier
    whose KD or Ball tree's ``node_data`` (BUILD state item 2) is a masked NodeData array
    whose leaves end at sample 50,000,000 (of 200), masked. safeload's checks read
    the fields straight off the attribute (``trust/structures/hgb.py:check_predictor``:
    ``np.all(feature >= 0)``, ``np.all(feature < n_features)``; ``clustering.py:
    check_hdbscan``: ``np.all((nodes >= 0) & (nodes < limit))``; ``neighbors.py:
    check_binary_tree``: ``np.all((starts >= 0) & (starts <= ends) & (ends <= n_samples))``
    on the state ``__getstate__`` hands back, the very masked array): a masked array's
    comparison is masked where the data is, and ``np.all`` skips masked entries, so both
    pass. The Cython code (``_predict_from_raw_data``, ``labelling_at_cut``) takes the array
    through the buffer protocol, the raw data: ``predict`` reads ``X[row, 100_000_000]``,
    ``dbscan_clustering`` indexes its union-find arrays with the hidden node, the KD/Ball
    tree query reads ``idx_array[i]`` up to 50 million, and all
    crash with SIGSEGV, under plain pickle and after ``load_unsigned``. scan calls them
    unproven (its checks need what ``_mareconstruct`` returns), but ``load_unsigned`` loads
    them. ``isinstance(nodes, np.ndarray)`` lets a subclass in; the checks need
    ``type(x) is np.ndarray`` (or ``np.asarray`` first), and masked arrays should be refused
    wherever native code reads an array."""
    path = write(tmp_path, _rt39_03_model(kind))
    plain = _child(PLAIN_CALL.format(call=_RT39_03_CALL[kind]), path)
    assert plain.crashed and "call done" not in plain.stdout, str(plain)
    _assert_refused_in_process(path)


# --- rt39-04: parameters holding objects param_objects cannot class: scan SAFE, load refuses --


def _rt39_04_model(slot: str, kind: str) -> bytes:
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.tree import DecisionTreeRegressor

    X = np.random.RandomState(0).rand(30, 3)
    value: Any = {
        "masked_array": np.ma.masked_array([1.0]),
        "SeedSequence": np.random.SeedSequence(1),
        "MT19937": np.random.MT19937(0),
        "partial": functools.partial(np.sqrt),
    }[kind]
    m: Any
    if slot == "MultinomialNB.alpha":
        m = MultinomialNB().fit(X, np.arange(30) % 2)
        m.alpha = value
    else:
        m = DecisionTreeRegressor(max_depth=2).fit(X, X[:, 0])
        setattr(m, slot.split(".")[1], value)
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "slot,kind",
    [
        ("DecisionTreeRegressor.ccp_alpha", "masked_array"),
        ("DecisionTreeRegressor.ccp_alpha", "SeedSequence"),
        ("DecisionTreeRegressor.monotonic_cst", "MT19937"),
        ("MultinomialNB.alpha", "MT19937"),
        ("MultinomialNB.alpha", "partial"),
        ("DecisionTreeRegressor.monotonic_cst", "partial"),
    ],
)
def test_rt39_04_unclassed_parameter_objects_parity(slot: str, kind: str, tmp_path: Path) -> None:
    """~1-3 KB: a fitted DecisionTreeRegressor whose ``ccp_alpha`` (constraint: a float
    ``Interval`` only) holds a ``numpy.ma.MaskedArray`` or a ``SeedSequence``; a
    MultinomialNB whose ``alpha`` (a float interval or an array-like) holds an MT19937 or a
    ``functools.partial``; a tree whose ``monotonic_cst`` (array-like or None) holds a
    partial or an MT19937. load_unsigned refuses all of them (scikit-learn's own constraint
    check); scan calls them SAFE. ``trust/param_objects.py``: ``_made`` returns ``None`` (so
    nothing is refused) for any array, a plain ndarray being handled by
    ``static_state._plain_array``'s stand-in, which does not count a masked array made by
    ``_mareconstruct``; for objects made by numpy's ``__pyx_unpickle_SeedSequence`` and
    ``__bit_generator_ctor``, which ``_MADE_BY`` does not list (it lists only the RandomState
    and Generator helpers); and ``_object_test``'s ``arraylike`` test answers "maybe" for any
    object whose state is not a dict (``_instance_keys`` gives ``None`` for a partial's
    tuple state), although a partial has no ``__len__``, ``shape`` or ``__array__``. Found by
    the mutation sweep (52 corpus models, every attribute of every estimator set to ~60
    values): also MLPClassifier.hidden_layer_sizes, SimpleImputer.missing_values and
    DummyClassifier.constant as partials, and masked arrays in ~40 scalar parameters."""
    assert _parity(_rt39_04_model(slot, kind), tmp_path) == (False, "refused")


# --- rt39-05: keyword dicts with literal non-str keys: scan unproven, the load loads ----------


def _rt39_05_model(slot: str, key: Any) -> bytes:
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import FunctionTransformer

    X = np.random.RandomState(0).rand(30, 3)
    m: Any
    if slot == "KNeighborsClassifier.metric_params":
        m = KNeighborsClassifier(3).fit(X, np.arange(30) % 2)
        m.metric_params = {key: 2}
    elif slot == "FunctionTransformer.kw_args":
        m = FunctionTransformer(np.log1p).fit(X)
        m.kw_args = {key: 2}
    else:
        m = KernelRidge().fit(X, X[:, 0])
        m.kernel_params = {key: 2}
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("key", [1, None, b"p"], ids=["int", "None", "bytes"])
@pytest.mark.parametrize(
    "slot",
    [
        "KNeighborsClassifier.metric_params",
        "FunctionTransformer.kw_args",
        "KernelRidge.kernel_params",
    ],
)
def test_rt39_05_non_str_keyword_keys_parity(slot: str, key: Any, tmp_path: Path) -> None:
    """~1-3 KB: a fitted KNeighborsClassifier whose ``metric_params``, a FunctionTransformer
    whose ``kw_args`` or a KernelRidge whose ``kernel_params`` is ``{1: 2}`` (or a ``None``
    or bytes key): a literal dict the stream shows in full. load_unsigned loads it (the
    post-build rule refuses ``out=`` and str subclasses, and ``**{1: 2}`` only raises
    ``TypeError: keywords must be strings`` when the model is used); scan calls it unsafe:
    "unproven: a keyword that is not a plain string, which the walk cannot read"
    (``trust/static_state.py:_kwargs_problem``: a ``_Dict`` with ``unknown_keys`` or
    ``lossy`` set, which is how the walk marks non-str keys, is taken for rt24-17's
    ``numpy.str_('out')`` key). A false alarm only (scan is stricter); found by the mutation
    sweep (NearestNeighbors.effective_metric_params_ too). Closed by failing closed on both
    sides: a keyword dict whose key is not a plain str can never be used, so the load refuses
    it (``object_checks.keyword_key_problem``) and scan reads the literal key by the same rule."""
    assert _parity(_rt39_05_model(slot, key), tmp_path) == (False, "refused")


# --- rt39-06: a masked array in a fitted attribute a check reads: scan unproven, load loads ---


def _rt39_06_model(slot: str) -> bytes:
    from sklearn.linear_model import LinearRegression, LogisticRegression

    X = np.random.RandomState(0).rand(30, 3)
    m: Any
    if slot == "LinearRegression.coef_":
        m = LinearRegression().fit(X, X[:, 0])
        m.coef_ = np.ma.masked_array(m.coef_)
    elif slot == "FunctionTransformer.kw_args":
        from sklearn.preprocessing import FunctionTransformer

        m = FunctionTransformer(np.log1p).fit(X)
        m.kw_args = {"x": np.ma.masked_array([1.0])}
    else:
        m = LogisticRegression().fit(X, np.arange(30) % 2)
        m.classes_ = np.ma.masked_array(m.classes_)
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "slot", ["LinearRegression.coef_", "LogisticRegression.classes_", "FunctionTransformer.kw_args"]
)
def test_rt39_06_masked_fitted_attribute_parity(slot: str, tmp_path: Path) -> None:
    """~1 KB: a fitted LinearRegression whose ``coef_``, or a LogisticRegression whose
    ``classes_``, is the same values as a ``numpy.ma.MaskedArray`` with nothing masked.
    load_unsigned loads it (and ``predict`` works); scan calls it unsafe: "unproven: the
    LinearRegression check needs what numpy.ma.core._mareconstruct returns; a load checks it
    after building, scan cannot". Found by the array mutation sweep (every ndarray attribute
    of the corpus models made masked, re-typed or reshaped), which saw only masked arrays
    disagree: ~60 slots (``classes_``, ``coef_``, ``cluster_centers_``, ``_y``,
    ``labels_``, Birch's and histogram boosting's arrays). Likewise a FunctionTransformer whose
    ``kw_args`` is ``{"x": masked_array([1.0])}``: scan refuses it ("holds what
    numpy.ma.core._mareconstruct makes where only plain data is used"), the load takes a
    masked array as plain data (a plain ndarray there: both load). Either verdict is defensible,
    but they must agree; with rt39-02/03, refusing masked arrays in the load (where a
    native structure or a check reads them) would settle both."""
    assert _parity(_rt39_06_model(slot), tmp_path) in ((False, "refused"), (True, "loaded"))


# --- rt39-07: rt38-01 again: a cheap estimator listed many times costs per reference ------------


def _rt39_07_voting(n: int, repeat: bool) -> bytes:
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import VotingRegressor

    X = np.random.RandomState(0).rand(50, 4)
    if repeat:  # one DummyRegressor, a 2-byte memo reference per voter
        m = VotingRegressor([("a", DummyRegressor())]).fit(X, X[:, 0])
        m.estimators_ = m.estimators_ * n
    else:  # honest: n distinct voters
        m = VotingRegressor([(f"d{i}", DummyRegressor()) for i in range(n)]).fit(X, X[:, 0])
    return pickle.dumps(m, protocol=5)


def test_rt39_07_voting_repeats_cheap_estimator(tmp_path: Path) -> None:
    """80 KB: a VotingRegressor whose ``estimators_`` list one fitted DummyRegressor 40,000
    times by memo reference (2 bytes each). ``predict`` of 5 rows calls it 40,000 times:
    ~1 s of CPU, where an honest voting model of a larger size (700 distinct dummies, 90 KB)
    predicts in ~0.03 s: ~40x per byte, growing with the file (800 KB, 400,000 references:
    14 s per call; safeload's own post-build walk takes 8 s and scan 25 s on it). rt38-01's fix
    (``trust/object_checks.py:repeated_use_problem``) prices a repeated estimator by its own
    arrays' bytes times its meets, up to ``MAX_REPEATED_BYTES`` (64 MiB) or 8 times the
    arrays: a DummyRegressor holds 8 bytes of arrays, so up to ~8 million meets pass, each a
    Python-level ``predict`` (~30 microseconds), which is the per-call overhead rt38-01's
    docstring already names (1,000 references to a depth-1 tree in 3.8 KB). Scan SAFE,
    load_unsigned loads it. The bound should count meets too (honest ensembles meet an
    estimator once or twice)."""
    path = write(tmp_path, _rt39_07_voting(40_000, repeat=True))
    honest = write(tmp_path, _rt39_07_voting(700, repeat=False), "honest.pkl")
    assert honest.stat().st_size > path.stat().st_size
    slow = _child(TIMED_PREDICT, path)
    fast = _child(TIMED_PREDICT, honest)
    assert cpu_seconds(slow.stdout) > 10 * cpu_seconds(fast.stdout), (str(slow), str(fast))
    _assert_refused_in_process(path)
