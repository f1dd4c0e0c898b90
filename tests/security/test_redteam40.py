"""Red team 40 (an independent helper session from 17:10 UTC, pure-Python snapshot): its
reproducers. Each test first shows the harm under plain pickle (or joblib) in a child process
under resource limits where there is harm, then asserts what safeload should do: refuse, in
scan and in load_unsigned (or, for parity findings, give scan the verdict of the load)."""

from __future__ import annotations

import functools
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import TIMED_PREDICT, cpu_seconds, write
from redteam import child as _child
from redteam import parity as _parity


class _Reduce:
    """Pickles as ``func(*args)`` followed by BUILD of ``state``."""

    def __init__(self, func: Any, args: tuple[Any, ...], state: Any = None) -> None:
        self.func, self.args, self.state = func, args, state

    def __reduce__(self) -> Any:
        if self.state is None:
            return (self.func, self.args)
        return (self.func, self.args, self.state)


# --- rt40-01: a masked array made by numpy's _reconstruct escapes scan's masked-place rule ----


def _masked_by_reconstruct() -> _Reduce:
    from numpy._core.multiarray import _reconstruct

    ma = np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    return _Reduce(_reconstruct, (np.ma.MaskedArray, (0,), b"b"), ma.__reduce__()[2])


def _rt40_01_model(where: str) -> bytes:
    from sklearn.preprocessing import StandardScaler

    if where == "root":
        return pickle.dumps(_masked_by_reconstruct(), protocol=2)
    m = StandardScaler().fit(np.random.RandomState(0).rand(10, 3))
    if where == "mean_":
        m.mean_ = _masked_by_reconstruct()
    else:
        m.scale_ = [_masked_by_reconstruct()]
    return pickle.dumps(m, protocol=2)


@pytest.mark.parametrize("where", ["root", "mean_", "in_list"])
def test_rt40_01_masked_array_by_reconstruct_parity(where: str, tmp_path: Path) -> None:
    """~600 bytes: a fitted StandardScaler whose ``mean_`` (or the model itself, or an item
    of a list) is a ``numpy.ma.MaskedArray`` made as pickle makes a plain ndarray:
    ``numpy._core.multiarray._reconstruct(numpy.ma.MaskedArray, (0,), b'b')`` and a BUILD of
    the masked array's own 7-item state. load_unsigned refuses it ("is a masked array outside
    a search's cv_results_"); scan calls the file SAFE. Root cause:
    ``trust/static_masked.py``: ``MASKED_MAKERS`` lists ``_mareconstruct`` and the class (for
    NEWOBJ), and ``_made_pair`` looks through the helpers in ``_CLASS_FROM_FIRST_ARG``
    (``__newobj__``, ``_reconstructor``) but not through numpy's ``_reconstruct``, whose
    first argument is the class it makes (``ndarray.__new__(subtype, ...)``), so
    ``masked_place_problem`` never sees a masked array at all."""
    assert _parity(_rt40_01_model(where), tmp_path) == (False, "refused")


# --- rt40-02: a search's BUILD state dict given to two searches: cv_results_ held twice -------


def _rt40_02_model(kind: str) -> bytes:
    import copyreg

    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV

    X = np.random.RandomState(0).rand(30, 3)
    gs = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=2).fit(X, X.sum(1))
    state = dict(gs.__getstate__())
    state.pop("_sklearn_version")  # the walker refuses a shared state dict that holds it
    make = [
        _Reduce(copyreg._reconstructor, (GridSearchCV, object, None), state),
        _Reduce(copyreg._reconstructor, (GridSearchCV, object, None), state),
    ]
    root = make if kind == "two_searches" else [make[0], state]
    return pickle.dumps(root, protocol=2)


@pytest.mark.parametrize("kind", ["two_searches", "search_and_state"])
def test_rt40_02_shared_search_state_parity(kind: str, tmp_path: Path) -> None:
    """~3 KB: two GridSearchCV objects (protocol 2, ``copyreg._reconstructor``) given their
    state by BUILD of one memoised dict (without ``_sklearn_version``, which the walker
    watches in a shared state), or one search plus that dict as a second item of the root
    list. BUILD copies the dict into each instance's ``__dict__``, so after the load the
    ``cv_results_`` dict (which holds the masked ``param_alpha`` column) is referenced twice
    and load_unsigned refuses ("a search's cv_results_ that is also held elsewhere"); scan
    calls the file SAFE. Root cause: ``trust/static_masked.py:masked_place_problem`` counts
    references to the ``cv_results_`` dict over the stream's edges, where the state dict is
    one node that holds it once, however many instances BUILD copies it into."""
    assert _parity(_rt40_02_model(kind), tmp_path) == (False, "refused")


# --- rt40-03: distinct estimators sharing one stored array escape the repeated-use bound -----


def _rt40_03_voting(n: int, voters: int, shared_state: bool) -> bytes:
    import copy
    import copyreg
    import io

    from sklearn.ensemble import VotingRegressor
    from sklearn.neighbors import KNeighborsRegressor

    rs = np.random.RandomState(0)
    X, y = rs.rand(n, 8), rs.rand(n)
    knn = KNeighborsRegressor(3, algorithm="brute").fit(X, y)
    v = VotingRegressor([("k", KNeighborsRegressor(3, algorithm="brute"))]).fit(X[:10], y[:10])
    v.estimators_ = [copy.copy(knn) for _ in range(voters)]  # distinct objects, one _fit_X
    state = dict(knn.__getstate__())
    state.pop("_sklearn_version")
    ids = {id(e) for e in v.estimators_}

    class _P(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if shared_state and id(obj) in ids:
                return (copyreg.__newobj__, (KNeighborsRegressor,), state)
            return NotImplemented

    buf = io.BytesIO()
    _P(buf, protocol=4).dump(v)
    return buf.getvalue()


# (1,000 rows: numpy's BLAS made 100 rows finish inside the 1 s CPU limit on a fast machine)
_RT40_03_CALL = "r = model.predict(numpy.random.RandomState(1).rand(1_000, 8))"


@pytest.mark.parametrize("shared_state", [False, True], ids=["copies", "shared_state"])
def test_rt40_03_voting_distinct_knns_share_fit_x(shared_state: bool, tmp_path: Path) -> None:
    """760 KB: a VotingRegressor whose ``estimators_`` are 250 *distinct*
    KNeighborsRegressor objects (brute force) that all hold one 10,000 x 8 ``_fit_X`` (and
    ``_y``) through memo references (~165 bytes per voter, or ~7 bytes when every voter is
    NEWOBJ + BUILD of one memoised state dict). ``predict`` of 100 rows searches the 10,000
    samples once per voter: 5 to 15 s of CPU after safeload's load (killed at a 3 s CPU limit
    under plain pickle), where the one KNN the file really stores predicts in ~0.03 s (at
    20,000 samples, 1.4 MB: ~10 s where one KNN takes 0.04 s). This
    is rt38-01 (one KNN listed 250 times) with the voters made distinct: rt38-01's fix,
    ``trust/object_checks.py:whole_model_problem``, prices each instance's own arrays times
    its meets against ``REPEAT_SPREAD`` times ``stored``, but ``stored`` adds each instance's
    own arrays without deduplicating the roots that instances share, so 250 voters holding
    one array count it 250 times in the bound and ``used == stored`` always passes. Only
    the stream walk's memo-refetch budget (16 units per byte) limits the voters, to ~250
    times the file's stored samples. The same holds for per-call overhead: 40,000 distinct
    DummyRegressors sharing one state dict (8 bytes each, 320 KB) predict 5 rows in 0.65 s,
    where 2,000 honest ones (138 KB) take 0.03 s, and safeload's own scan and load of that
    file take 12 s and 8 s. Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt40_03_voting(10_000, 250, shared_state))
    plain = _child(
        "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n"
        f"{_RT40_03_CALL}\nprint('call done', flush=True)\n",
        path,
        cpu=1,  # predict takes 2.5 s or more of CPU; one KNN of these 10,000 samples 0.03 s
    )
    assert plain.crashed and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert _parity(path.read_bytes(), tmp_path) == (False, "refused")


def _rt40_03_dummies(n: int, keys: tuple[str, ...] | None) -> bytes:
    """A VotingRegressor whose ``estimators_`` are ``n`` distinct DummyRegressors, each
    NEWOBJ + BUILD of one memoised state dict (``keys is None``) or of its own dict holding
    ``keys`` (memoised keys and values)."""
    import copy
    import copyreg
    import io

    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import VotingRegressor

    X = np.random.RandomState(0).rand(50, 4)
    dummy = DummyRegressor().fit(X, X[:, 0])
    v = VotingRegressor([("a", DummyRegressor())]).fit(X, X[:, 0])
    v.estimators_ = [copy.copy(dummy) for _ in range(n)]
    state = dict(dummy.__getstate__())
    state.pop("_sklearn_version")
    ids = {id(e) for e in v.estimators_}

    class _P(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if id(obj) not in ids:
                return NotImplemented
            own = state if keys is None else {k: state[k] for k in keys}
            return (copyreg.__newobj__, (DummyRegressor,), own)

    buf = io.BytesIO()
    _P(buf, protocol=4).dump(v)
    return buf.getvalue()


@pytest.mark.parametrize(
    "keys", [None, ("constant_", "n_outputs_")], ids=["one_state", "own_small_states"]
)
def test_rt40_03_note_distinct_dummies_cost_per_object(
    keys: tuple[str, ...] | None, tmp_path: Path
) -> None:
    """rt40-03's note: 40,000 *distinct* DummyRegressors built from one memoised state dict
    (8 bytes each, 320 KB), or each from its own two-key dict of memoised keys and values (18
    bytes each, 720 KB). Met once each, so the repeated-use bound passed them; ``predict``
    of 5 rows made 40,000 Python-level calls (0.65 s, where 2,000 honest dummies, 261 KB,
    130 bytes each, predict in 0.03 s), and safeload took 12 s to scan the first file. A
    BUILD on an object now costs 32 bytes of the stream's budget
    (``INSTANCE_BUILD_UNITS``): the pass refuses both streams before building anything."""
    path = write(tmp_path, _rt40_03_dummies(40_000, keys))
    # (1,000 honest dummies: 2,000 print for 0.75 s, refused by the repr bound since rt88)
    honest = write(tmp_path, _rt40_03_dummies_honest(1_000), "honest.pkl")
    slow = _child(TIMED_PREDICT, path)
    fast = _child(TIMED_PREDICT, honest)
    per_byte_slow = cpu_seconds(slow.stdout) / path.stat().st_size
    per_byte_fast = cpu_seconds(fast.stdout) / honest.stat().st_size
    assert per_byte_slow > 3 * per_byte_fast, (str(slow), str(fast))
    data = path.read_bytes()
    assert _parity(data, tmp_path) == (False, "refused")
    with pytest.raises(safeload.SafeloadError, match="objects (given state|made)"):
        safeload.load_unsigned(path)
    if keys is None:  # (the same honest file in both cases: its load shown once, 1.5 s)
        assert safeload.load_unsigned(honest).predict(np.zeros((2, 4))).shape == (2,)


@functools.cache
def _rt40_03_dummies_honest(n: int) -> bytes:
    # (cached: both cases compare against the same fit of 2,000 dummies, 2 s of CPU)
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import VotingRegressor

    X = np.random.RandomState(0).rand(50, 4)
    m = VotingRegressor([(f"d{i}", DummyRegressor()) for i in range(n)]).fit(X, X[:, 0])
    return pickle.dumps(m, protocol=5)


# --- rt40-04: a dict subclass in an estimator-collection slot: scan SAFE, load refuses -------


def _rt40_04_value(kind: str) -> Any:
    import collections

    from sklearn.preprocessing import StandardScaler
    from sklearn.utils import Bunch

    if kind == "Counter":
        return collections.Counter({"a": 2})
    if kind == "Bunch":
        return Bunch(a=2)
    if kind == "OrderedDict":
        return collections.OrderedDict(a=2)
    if kind == "Counter_pairs":
        return collections.Counter({"a": StandardScaler()})
    return Bunch()  # "Bunch_empty"


def _rt40_04_model(where: str, kind: str) -> bytes:
    from sklearn.ensemble import AdaBoostRegressor, VotingRegressor
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    rs = np.random.RandomState(0)
    X, y = rs.rand(30, 3), rs.rand(30)
    if where == "VotingRegressor.estimators_":
        m: Any = VotingRegressor([("r", Ridge())]).fit(X, y)
        m.estimators_ = _rt40_04_value(kind)
    elif where == "VotingRegressor.named_estimators_":
        m = VotingRegressor([("r", Ridge())]).fit(X, y)
        m.named_estimators_ = _rt40_04_value(kind)
    elif where == "AdaBoostRegressor.estimators_":
        m = AdaBoostRegressor(n_estimators=2).fit(X, y)
        m.estimators_ = _rt40_04_value(kind)
    else:  # FeatureUnion.transformer_list (named_transformers)
        m = FeatureUnion([("s", StandardScaler())]).fit(X)
        m.transformer_list = _rt40_04_value(kind)
    return pickle.dumps(m, protocol=5)


_RT40_04_CASES = [
    ("VotingRegressor.estimators_", "Counter"),
    ("VotingRegressor.estimators_", "Bunch"),
    ("VotingRegressor.estimators_", "OrderedDict"),
    ("VotingRegressor.named_estimators_", "Counter"),
    ("AdaBoostRegressor.estimators_", "Bunch"),
    ("FeatureUnion.transformer_list", "Counter"),
    ("FeatureUnion.transformer_list", "Counter_pairs"),
    ("FeatureUnion.transformer_list", "OrderedDict"),
    ("FeatureUnion.transformer_list", "Bunch_empty"),
]


@pytest.mark.parametrize(("where", "kind"), _RT40_04_CASES)
def test_rt40_04_dict_subclass_in_estimator_slots_parity(
    where: str, kind: str, tmp_path: Path
) -> None:
    """~1-3 KB: a fitted VotingRegressor whose ``estimators_`` or ``named_estimators_`` (an
    AdaBoostRegressor's ``estimators_``; any ``estimators`` dispatch row: forests, stacking,
    CalibratedClassifierCV's ``calibrated_classifiers_``, MultiOutput*) is a
    ``collections.Counter({'a': 2})``, a ``Bunch(a=2)`` or an ``OrderedDict(a=2)``: a dict
    subclass holding something that is not an estimator; or a FeatureUnion whose
    ``transformer_list`` (dispatch kind ``named_transformers``) is any of them, even holding
    an estimator or empty. load_unsigned refuses each ("holds 2 where an estimator is used",
    "is a collections.Counter, not a list of (name, estimator) pairs"); scan calls them SAFE.
    Root cause: ``trust/static_kinds.py:_estimator_problem``: ``items_of`` gives nothing for
    a dict subclass made by a call (an ``_Obj``, not a ``_Dict``), and the branch "a Bunch or
    other container subclass: its items are not tracked" returns ``None`` (fine) for every
    kind but ``estimator``, where it should judge the items the stream sets (the Counter's
    dict argument, the SETITEMS of an OrderedDict or Bunch) or say unproven; for the named
    kinds the load takes a list or tuple only, so any container subclass there is refused."""
    assert _parity(_rt40_04_model(where, kind), tmp_path) == (False, "refused")


# --- rt40-05: a defaultdict as a checked parameter: scan unproven, load loads (lower) ---------


def _rt40_05_model(where: str) -> bytes:
    import collections

    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.model_selection import GridSearchCV
    from sklearn.tree import DecisionTreeClassifier

    rs = np.random.RandomState(0)
    X, y = rs.rand(40, 3), np.arange(40) % 2
    m: Any
    if where == "LogisticRegression.class_weight":
        m = LogisticRegression().fit(X, y)
        m.class_weight = collections.defaultdict(None, {0: 1.0, 1: 2.0})
    elif where == "DecisionTreeClassifier.class_weight":
        m = DecisionTreeClassifier(max_depth=2).fit(X, y)
        m.class_weight = collections.defaultdict(None, {0: 1.0})
    else:
        m = GridSearchCV(Ridge(), {"alpha": [1.0, 2.0]}, cv=2).fit(X, X[:, 0])
        m.param_grid = collections.defaultdict(None, {"alpha": [1.0, 2.0]})
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "where",
    [
        "LogisticRegression.class_weight",
        "DecisionTreeClassifier.class_weight",
        "GridSearchCV.param_grid",
    ],
)
def test_rt40_05_defaultdict_parameter_parity(where: str, tmp_path: Path) -> None:
    """~1-3 KB: a fitted LogisticRegression or DecisionTreeClassifier whose ``class_weight``
    (constraint ``dict``), or a GridSearchCV whose ``param_grid``, is a
    ``collections.defaultdict(None, {...})`` of plain items (as pickle writes it:
    ``defaultdict(None)`` and SETITEMS). load_unsigned returns the model (a defaultdict is a
    dict to the constraints, and the same items in an OrderedDict or Counter load and scan
    SAFE); scan calls it unsafe ("unproven: what collections.defaultdict makes, a value the
    stream walk cannot build"). Lower severity (scan stricter than the load). Root cause:
    ``trust/static_params.py``: ``_DICT_TYPES`` (what ``_dict_call_value`` rebuilds, added
    for OrderedDict and Counter parameters, rt38-04) leaves out ``defaultdict``, which stays
    in ``_VALUE_CLASSES`` (unproven) though its items are as readable."""
    assert _parity(_rt40_05_model(where), tmp_path) == (True, "loaded")


# --- rt40-06: MultiLabelBinarizer.classes_ as a list with a repeated label: OOB write ---------


def _rt40_06_mlb(repeats: int) -> bytes:
    from sklearn.preprocessing import MultiLabelBinarizer

    m = MultiLabelBinarizer().fit([["a", "b"], ["c"]])
    m._cached_dict = None  # transform rebuilds it: dict(zip(classes_, range(len(classes_))))
    m.classes_ = ["a"] * repeats + ["b"]  # a list: 2 bytes per memo reference to "a"
    return pickle.dumps(m, protocol=5)


_RT40_06_CALL = "r = model.transform([['b']] * 1000)"


def test_rt40_06_multilabel_binarizer_list_classes_oob_write(tmp_path: Path) -> None:
    """400 KB: a fitted MultiLabelBinarizer whose ``classes_`` is a *list* (not the array
    ``fit`` stores) of 200,000 references to ``"a"`` then ``"b"``, and whose ``_cached_dict``
    is None. ``transform`` rebuilds the map as ``dict(zip(classes_, range(len(classes_))))``:
    ``{'a': 199999, 'b': 200000}``, 2 entries, and builds a CSR matrix of shape
    ``(n, len(map)) = (n, 2)`` whose column indexes are the map's values (``csr_array`` checks
    no index bounds), then ``toarray()``: scipy's ``csr_todense`` writes
    ``out[row * 2 + 200000]``, 1.6 MB past a 16 KB buffer for 1,000 rows. The process
    segfaults (or, with fewer repeats, corrupts the heap and dies later), after safeload's
    load as under plain pickle; scan SAFE, load_unsigned loads it. Root cause:
    ``trust/structures/widths.py:_check_paid_widths`` holds ``classes_`` to
    ``_distinct_labels`` only when it is a 1-d ``numpy.ndarray``; a list or tuple of labels
    (which every other use of ``classes_`` takes) is never checked for repeats, and
    ``check_index_maps`` checks ``_cached_dict`` only when it is stored."""
    path = write(tmp_path, _rt40_06_mlb(200_000))
    # the harm, shown without relying on how a corrupted heap fails: the sparse result holds a
    # column past its width, which toarray() (sparse_output=False, as stored) writes to
    code = (
        "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n"
        "model.sparse_output = True\n"
        f"{_RT40_06_CALL}\nprint('columns', r.indices.max(), r.shape[1], flush=True)\n"
    )
    plain = _child(code, path)
    column, width = (int(n) for n in plain.stdout.split("columns")[1].split()[:2])
    assert column >= width, str(plain)
    assert _parity(path.read_bytes(), tmp_path) == (False, "refused")


# --- rt40-07: OneHotEncoder with unsorted numeric categories_: transform writes past its output --


def _rt40_07_encoder(n_features: int) -> bytes:
    from sklearn.preprocessing import OneHotEncoder

    X = np.tile(np.arange(3, dtype=float).reshape(-1, 1), (1, n_features))
    m = OneHotEncoder(sparse_output=False).fit(X)
    last = m.categories_[-1]
    m.categories_[-1] = last[::-1].copy()  # [2., 1., 0.]: unsorted, so searchsorted says 3
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("n_features", [1, 3])
def test_rt40_07_one_hot_unsorted_categories_oob_write(n_features: int, tmp_path: Path) -> None:
    """~520 bytes: a fitted OneHotEncoder (``sparse_output=False``) on a numeric column whose
    last ``categories_`` array is reversed, ``[2., 1., 0.]`` (same values, same length, so
    every width check holds). ``transform`` encodes numeric values with
    ``np.searchsorted(categories, values)`` (``utils/_encode.py:_encode``), which assumes a
    sorted array: for 2.0 it returns 3, one past the feature's block; ``_check_unknown``
    (``np.isin``) calls 2.0 known. The CSR matrix ``transform`` builds then holds column
    ``feature_indices[-1]``, the total width, in a row of that width, and ``toarray()``
    (scipy's ``csr_todense``, no bounds check) writes the 1.0 eight bytes past the end of the
    output buffer: the output row comes back all zeros, and after a few calls glibc aborts
    ("double free or corruption", SIGABRT), after safeload's load as under plain pickle;
    with several features the earlier rows' ones land in the next feature's block. Scan
    SAFE, load_unsigned loads it. Root cause:
    ``trust/structures/widths.py:check_one_hot_columns`` (and ``check_one_hot_names``)
    bound ``_n_features_outs``, drop indexes and infrequent mappings against
    ``len(categories_[i])``, but never require a numeric category array to be sorted (and
    distinct), which ``fit`` guarantees (``np.unique``) and the searchsorted encoding needs
    (KBinsDiscretizer's one-hot ``_encoder`` is the same class)."""
    path = write(tmp_path, _rt40_07_encoder(n_features))
    # the harm, shown without relying on how a corrupted heap fails: the sparse result holds a
    # column past its width, which toarray() (sparse_output=False, as stored) writes to
    code = (
        "import pickle, numpy\nmodel = pickle.load(open(sys.argv[1], 'rb'))\n"
        "model.sparse_output = True\n"
        "r = model.transform(numpy.full((1, len(model.categories_)), 2.0))\n"
        "print('columns', r.indices.max(), r.shape[1], flush=True)\n"
    )
    plain = _child(code, path)
    column, width = (int(n) for n in plain.stdout.split("columns")[1].split()[:2])
    assert column >= width, str(plain)
    assert _parity(path.read_bytes(), tmp_path) == (False, "refused")


# --- rt40-08: a dict subclass of scorers in a scorer slot: scan unsafe, load loads (lower) ----


def _rt40_08_search(kind: str) -> bytes:
    import collections

    from sklearn.linear_model import Ridge
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import GridSearchCV
    from sklearn.utils import Bunch

    X = np.random.RandomState(0).rand(30, 3)
    m = GridSearchCV(Ridge(), {"alpha": [1.0, 2.0]}, cv=2).fit(X, X[:, 0])
    m.scorer_ = {
        "Counter_empty": lambda: collections.Counter(),
        "Bunch": lambda: Bunch(r2=get_scorer("r2")),
        "OrderedDict": lambda: collections.OrderedDict(r2=get_scorer("r2")),
    }[kind]()
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("kind", ["Counter_empty", "Bunch", "OrderedDict"])
def test_rt40_08_dict_subclass_scorer_parity(kind: str, tmp_path: Path) -> None:
    """~2 KB: a fitted GridSearchCV whose ``scorer_`` (dispatch kind ``scorer``: a callable
    from the allowlist, or a dict of scorers when multimetric) is a ``Bunch`` or an
    ``OrderedDict`` mapping ``'r2'`` to scikit-learn's r2 scorer, or an empty ``Counter``
    (also HistGradientBoosting's ``_scorer``, TunedThresholdClassifierCV's
    ``_curve_scorer``). load_unsigned returns the model, as it does for the same items in a
    plain dict; scan calls it unsafe ("holds what collections.OrderedDict makes where a
    callable from the allowlist is used"). Lower severity (scan stricter than the load).
    Root cause: ``trust/static_kinds.py:_callable_problem`` / ``_scorers_refused`` take a
    literal dict (``_Dict``) as a dict of scorers but a dict subclass made by a call (an
    ``_Obj``) as a non-callable, where the load's ``kinds`` check takes any dict.
    Fixed by the load taking a plain dict only, as a multimetric search stores it (both
    refuse; the honest multimetric search is in test_redteam40_honest.py)."""
    assert _parity(_rt40_08_search(kind), tmp_path) == (False, "refused")
