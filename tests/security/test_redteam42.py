"""Red team 42's findings (rt42-01 is in ``test_redteam42_copy.py``, the fixed rt42-04, -07
and the voting form of -08 in ``test_redteam42_native.py``; the linear-intercept form of
rt42-08, closed by the same rule, and its Gaussian-process form, closed by holding
``_y_train_std`` and ``_y_train_mean`` to one value, are normal tests here, as are the fixed
rt42-02, -03 and -05, where scan now builds what the load builds). Each test shows
the harm under plain pickle in a child where there is one, then asserts what safeload should
do (refuse in scan and load, or agree between them)."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import OVR_PREDICT, child, parity, write

X = np.random.RandomState(0).rand(30, 3)
Y2 = np.arange(30) % 2

# --- rt42-02: long bytes in a parameter whose constraint takes any iterable --------------------


@pytest.mark.parametrize("size", [1025, 5000])
def test_rt42_02_long_bytes_cv_parity(size: int, tmp_path: Path) -> None:
    """~1.5-5.5 KB, harmless by itself: a fitted RidgeCV whose ``cv`` is ``b"x" * 1025``.
    scikit-learn's ``cv`` constraint (``_CVObjects``) takes any iterable that is not a str, so
    the load's parameter check passes bytes and the load returns the model. Scan reads a
    constant over ``MAX_CONST`` (1024) as ``_Big``, and ``param_value`` builds only a long
    ``str`` from one; ``only_data`` then called the bytes "a value the stream walk cannot build,
    where the class checks its parameters": unproven, UNSAFE. (1024 bytes: both sides pass.)
    Found by a parity fuzz run (``fuzz/parity_states.py`` with a new palette value). Fixed on
    scan's side: ``static_params.big_value`` builds a ``_Big``'s bytes (a bytearray when
    ``BYTEARRAY8`` pushed it) as the load makes them, and the constraint judges them: SAFE,
    as the load loads."""
    from sklearn.linear_model import RidgeCV

    m = RidgeCV().fit(X, Y2)
    m.cv = b"x" * 1024
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == (True, "loaded")
    m.cv = b"x" * size
    safe, outcome = parity(pickle.dumps(m, protocol=5), tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt42-03: a numpy void scalar as plain data: scan unsafe, load loads ------------------------


@pytest.mark.parametrize("kind", ["void", "structured"])
def test_rt42_03_void_scalar_plain_data_parity(kind: str, tmp_path: Path) -> None:
    """~2 KB, harmless by itself: a fitted FeatureUnion whose ``transformer_weights`` (a
    dispatch-table plain-data slot: "multiplies each block by weight") is ``numpy.void(b"ab")``
    or one record of a structured array. The load's ``graph.require_data`` admits any
    ``np.generic`` (``SCALARS``), so the load returns the model; scan's ``data_problem`` holds
    a numpy scalar to ``scalar_problem``, whose dtype codes are ``[biufcmMSU][0-9]{1,3}``
    only: a ``V2`` (or structured) scalar was "unproven: a numpy scalar whose dtype is not a
    literal numeric one", UNSAFE. Found by a parity fuzz run. Fixed on scan's side:
    ``scalar_problem`` makes the scalar with numpy's own ``multiarray.scalar`` from the
    rebuilt dtype and the payload, as the load does (no object dtype): SAFE."""
    from sklearn.decomposition import PCA
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    value: Any = (
        np.void(b"ab")
        if kind == "void"
        else np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")])[0]
    )
    m = FeatureUnion([("s", StandardScaler()), ("p", PCA(1))]).fit(X)
    m.transformer_weights = value
    safe, outcome = parity(pickle.dumps(m, protocol=5), tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)


@pytest.mark.parametrize("where", ["CountVectorizer.encoding", "RadiusNeighborsRegressor.params"])
def test_rt42_03_long_numpy_str_scalar_parity(where: str, tmp_path: Path) -> None:
    """~2-4 KB, harmless by itself, the same gap for text: a ``numpy.str_`` of 1,000
    characters as a fitted CountVectorizer's ``encoding`` (its constraint takes any ``str``,
    and ``np.str_`` is one), or as the value of a radius regressor's
    ``effective_metric_params_`` entry. The load admits it (a str for the constraint, an
    ``np.generic`` for plain data); scan cannot rebuild the scalar (a ``U`` dtype of 4,000
    bytes) and called it "unproven: what numpy._core.multiarray.scalar makes, a value the
    stream walk cannot build", UNSAFE (its dtype code ``U1000`` has four digits, past
    ``[0-9]{1,3}``). 999 characters: both sides agree. Found by a parity fuzz run. Fixed on
    scan's side, as the void scalar: numpy makes it from the rebuilt dtype, SAFE."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.neighbors import RadiusNeighborsRegressor

    m: Any
    if where == "CountVectorizer.encoding":
        m = CountVectorizer().fit(["aa bb cc", "bb cc dd"])
        m.encoding = np.str_("y" * 999)
        assert parity(pickle.dumps(m, protocol=5), tmp_path) == (True, "loaded")
        m.encoding = np.str_("y" * 1000)
    else:
        m = RadiusNeighborsRegressor().fit(X, Y2)
        m.effective_metric_params_ = {"p": np.str_("y" * 1000)}
    safe, outcome = parity(pickle.dumps(m, protocol=5), tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)


def test_rt42_02_long_bytes_vocabulary_parity(tmp_path: Path) -> None:
    """The same gap in a vectorizer's ``vocabulary`` (its constraint takes any iterable):
    ``b"x" * 5000`` loads and scanned UNSAFE (unproven); now SAFE (``big_value``)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    m = TfidfVectorizer().fit(["aa bb cc", "bb cc dd"])
    m.vocabulary = b"x" * 5000
    safe, outcome = parity(pickle.dumps(m, protocol=5), tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)


@pytest.mark.parametrize("payload", ["short", "long"])
@pytest.mark.parametrize("where", ["plain-data", "any-attribute", "bare"])
def test_rt42_03_scalar_payload_length_parity(payload: str, where: str, tmp_path: Path) -> None:
    """Found while fixing rt42-03, the direction the promise forbids most: a
    ``numpy.float64`` whose payload is 2 bytes instead of 8 (protocol 3, the bytes edited).
    The load's ``multiarray.scalar`` fails ("initialization string is too small"); scan called
    it SAFE: ``scalar_problem`` checked the dtype code and that the payload is bytes, not its
    length, and the shadow builder left a scalar it could not read unknown, which no check
    touched (as ``LinearRegression.extra_``, or a bare scalar). Both now make the scalar with
    numpy's own ``scalar``, as the load does: refused. A payload longer than the item size
    (numpy reads its first 8 bytes) loads, and scans SAFE (it was unproven in a plain-data
    slot)."""
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import FunctionTransformer

    value = np.float64(1.5)
    m: Any
    if where == "plain-data":
        # (a keyword dict's value; FeatureUnion.transformer_weights held it bare until
        # transformer_weights had to be a dict of numbers, rt71-12)
        m = FunctionTransformer(np.log1p).fit(X)
        m.kw_args = {"a": value}
    elif where == "any-attribute":
        m = LinearRegression().fit(X, Y2)
        m.extra_ = value
    else:
        m = value
    data = pickle.dumps(m, protocol=3)
    given = b"C\x08" + value.tobytes()
    assert data.count(given) == 1
    edited = b"C\x02ab" if payload == "short" else b"C\x0a" + value.tobytes() + b"zz"
    assert parity(data.replace(given, edited), tmp_path) == (
        (False, "refused") if payload == "short" else (True, "loaded")
    )


# --- rt42-05: a dict whose keys scan cannot build, where a class check reads it -----------------


@pytest.mark.parametrize("key", ["decimal", "dtype", "date"])
@pytest.mark.parametrize("where", ["MultiTaskLasso.coef_", "RBFSampler._gamma"])
def test_rt42_05_dict_with_built_keys_parity(key: str, where: str, tmp_path: Path) -> None:
    """~0.5-3.6 KB, harmless by itself: a fitted MultiTaskLasso whose ``coef_`` (or an
    RBFSampler whose ``_gamma``) is ``{Decimal('1.5'): 1}`` (or keyed by ``numpy.dtype('f8')``
    or ``datetime.date(2020, 1, 1)``: all allowlisted value types). The load's class checks
    (``check_linear_shapes``: ``coef_`` is not an ndarray, so it is skipped; for the sampler
    ``_stored_elements`` counts no array in it) pass the real dict, and the load returns the
    model. Scan's shadow of a dict whose keys are not plain values raised ``Unproven`` as soon
    as a check touched it: "unproven: the MultiTaskLasso check needs a dict with keys that are
    not plain values; a load checks it after building, scan cannot", UNSAFE. (The same dict in
    an attribute no check reads, or keyed by a float, str or tuple, scanned SAFE.) Found by a
    parity fuzz run with nested palette values. Fixed on scan's side: the shadow builder keys
    a dict by the standard-library values it makes for real and by numpy dtypes
    (``shadow_made.is_key``), which hash and compare as in the load: SAFE."""
    import datetime
    import decimal

    from sklearn.kernel_approximation import RBFSampler
    from sklearn.linear_model import MultiTaskLasso

    k: Any = {
        "decimal": decimal.Decimal("1.5"),
        "dtype": np.dtype("f8"),
        "date": datetime.date(2020, 1, 1),
    }[key]
    m: Any
    if where == "MultiTaskLasso.coef_":
        m = MultiTaskLasso().fit(X, np.c_[Y2, Y2])
        m.coef_ = {k: 1}
    else:
        m = RBFSampler(random_state=0).fit(X)
        m._gamma = {k: 1}
    safe, outcome = parity(pickle.dumps(m, protocol=5), tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt42-06: a dict keyed by built values in a scorer slot: scan SAFE, load refuses -----------


def _rt42_06_model(slot: str, key: Any) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, make_scorer
    from sklearn.model_selection import GridSearchCV, TunedThresholdClassifierCV

    warnings.simplefilter("ignore")
    Xs = np.random.RandomState(0).rand(60, 3)
    ys = np.arange(60) % 2
    m: Any
    if slot == "TunedThresholdClassifierCV._curve_scorer":
        m = TunedThresholdClassifierCV(LogisticRegression()).fit(Xs, ys)
        m._curve_scorer = {key: 1}
    elif slot == "GridSearchCV.scorer_":
        m = GridSearchCV(LogisticRegression(), {"C": [1, 2]}, cv=2).fit(Xs, ys)
        m.scorer_ = {key: 1}
    else:
        m = HistGradientBoostingClassifier(
            max_iter=2,
            early_stopping=True,
            scoring=make_scorer(accuracy_score),
            n_iter_no_change=1,
            validation_fraction=0.3,
        ).fit(Xs, ys)
        m._scorer = {key: 1}
    return m


@pytest.mark.parametrize(
    "slot",
    [
        "TunedThresholdClassifierCV._curve_scorer",
        "GridSearchCV.scorer_",
        "HistGradientBoostingClassifier._scorer",
    ],
)
@pytest.mark.parametrize("key", ["np.float64", "np.datetime64", "Decimal", "date", "dtype"])
def test_rt42_06_scorer_slot_dict_scan_safe_load_refuses(
    slot: str, key: str, tmp_path: Path
) -> None:
    """~1.1-4.3 KB: a fitted TunedThresholdClassifierCV whose ``_curve_scorer`` (or a search's
    ``scorer_``, or histogram boosting's early-stopping ``_scorer``: dispatch-table slots for
    a stored scorer or callable) is ``{numpy.float64(1.5): 1}``, a dict keyed by a value the
    stream makes by a call (a numpy scalar, datetime64, Decimal, date or dtype). The load
    refuses it: "holds a builtins.dict; a stored callable must be on the callable allowlist".
    Scan calls it SAFE with no finding: ``static_kinds._scorers_refused`` returns ``False``
    for a dict with ``unknown_keys`` ("judged after building"), so the scorer slot passes a
    dict whose keys the walk cannot build, and nothing else makes it unproven (with a str
    key, or the same dict in a list, scan refuses it too). The
    direction the promise forbids most: a file ``scan`` passes that ``load`` refuses. Found by
    a parity fuzz run (``keydict-np-dt`` on ``tuned_threshold._curve_scorer``)."""
    import datetime
    import decimal

    k: Any = {
        "np.float64": np.float64(1.5),
        "np.datetime64": np.datetime64("2020-01-01"),
        "Decimal": decimal.Decimal("1.5"),
        "date": datetime.date(2020, 1, 1),
        "dtype": np.dtype("f8"),
    }[key]
    safe, outcome = parity(pickle.dumps(_rt42_06_model(slot, k), protocol=5), tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)


@pytest.mark.parametrize("value", ["void-value", "long-bytes-item", "long-bytes-value"])
def test_rt42_06_scorer_slot_unread_items_scan_safe(value: str, tmp_path: Path) -> None:
    """The same function's other branches: a ``{"k": numpy.void(b"ab")}`` (a str key, a value
    the walk cannot read), a ``(b"x" * 1025,)`` or a ``{"k": b"x" * 1025}`` as a search's
    ``scorer_``: ``_is_str`` answers ``None`` (not shown) for the value or item, which
    ``_scorers_refused`` takes as "not refused", so scan says SAFE; the load refuses each
    (not a str, not a scorer)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    stored: Any = {
        "void-value": {"k": np.void(b"ab")},
        "long-bytes-item": (b"x" * 1025,),
        "long-bytes-value": {"k": b"x" * 1025},
    }[value]
    m = GridSearchCV(LogisticRegression(), {"C": [1, 2]}, cv=2).fit(X, Y2)
    m.scorer_ = stored
    safe, outcome = parity(pickle.dumps(m, protocol=5), tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)


@pytest.mark.parametrize(
    "value",
    [
        "date-in-list",
        "decimal-in-list",
        "bytearray-in-tuple",
        "long-bytearray-in-tuple",
        "datetime-in-list",
        "uuid-in-list",
    ],
)
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt42_02_unbuilt_items_in_iterable_parameter_parity(
    value: str, protocol: int, tmp_path: Path
) -> None:
    """The same gap for items the walk does not build inside a list or tuple: a
    RidgeClassifierCV's ``cv`` (any iterable) or a tree's ``monotonic_cst`` (array-like) of
    ``[datetime.date(2020, 1, 1), 1]``, ``[Decimal('1.5'), 1]`` or ``(bytearray(2000),)``.
    scikit-learn's constraint takes the list, so the load loads; scan's ``param_value``
    could not build the item and ``only_data`` called the parameter unproven, UNSAFE. Fixed
    on scan's side: ``static_params._made_value`` makes dates, ``Decimal``, pure paths,
    ``UUID`` and bytes or bytearray calls by the load's own (narrowed) forms, SAFE."""
    import datetime
    import decimal
    import uuid

    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.tree import DecisionTreeClassifier

    item: Any = {
        "date-in-list": [datetime.date(2020, 1, 1), 1],
        "decimal-in-list": [decimal.Decimal("1.5"), 1],
        "bytearray-in-tuple": (bytearray(b"x" * 2000),),
        # over 4 KB the walk holds a view of the stream: a bytearray still, as the load makes
        "long-bytearray-in-tuple": (bytearray(b"x" * 5000),),
        "datetime-in-list": [datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)],
        "uuid-in-list": [uuid.UUID(int=5)],
    }[value]
    m: Any = RidgeClassifierCV().fit(X, Y2)
    m.cv = item
    safe, outcome = parity(pickle.dumps(m, protocol=protocol), tmp_path)
    assert safe == (outcome == "loaded"), ("cv", safe, outcome)
    m = DecisionTreeClassifier(max_depth=2).fit(X, Y2)
    m.monotonic_cst = list(item)
    safe, outcome = parity(pickle.dumps(m, protocol=protocol), tmp_path)
    assert safe == (outcome == "loaded"), ("monotonic_cst", safe, outcome)


# --- rt42-09: a long str/bytes item in a (name, estimator) list: scan SAFE, load refuses -------


def _rt42_09_model(slot: str, item: Any) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import StandardScaler

    m: Any
    if slot == "FeatureUnion.transformer_list":
        m = FeatureUnion([("s", StandardScaler()), ("p", PCA(1))]).fit(X)
        m.transformer_list = (item,)
    elif slot == "Pipeline.steps":
        m = Pipeline([("s", StandardScaler()), ("c", LogisticRegression())]).fit(X, Y2)
        m.steps = (item,)
    else:
        m = ColumnTransformer([("a", StandardScaler(), [0])]).fit(X)
        m.transformers = (item,)
    return m


@pytest.mark.parametrize(
    ("slot", "item"),
    [
        ("FeatureUnion.transformer_list", b"x" * 1025),
        ("FeatureUnion.transformer_list", "x" * 1025),
        ("FeatureUnion.transformer_list", bytearray(b"x" * 1025)),
        ("Pipeline.steps", "x" * 1025),
        ("ColumnTransformer.transformers", "x" * 1025),
    ],
    ids=["union-bytes", "union-str", "union-bytearray", "pipeline-str", "column-str"],
)
def test_rt42_09_long_constant_in_pair_list_scan_safe(slot: str, item: Any, tmp_path: Path) -> None:
    """~1.2-1.9 KB: a fitted FeatureUnion whose ``transformer_list`` (a Pipeline's ``steps``,
    a ColumnTransformer's ``transformers``) is a 1-tuple holding one constant of 1,025 bytes
    or characters instead of a (name, estimator) pair. The load refuses it ("holds a
    builtins.bytes, not a (name, estimator) pair"). Scan calls it SAFE with no finding: a
    constant over ``MAX_CONST`` is a ``_Big``, which the pair-list rule does not judge (a
    10-byte one is refused by scan as by the load; a ``list`` instead of a tuple, or a
    ``np.str_``, is unproven). The direction the promise forbids most, next to rt41-02's
    long strings in estimator slots. Found by a parity fuzz run
    (``pipeline_feature_union:...transformer_list=tuple-bytes-1025``)."""
    safe, outcome = parity(pickle.dumps(_rt42_09_model(slot, item), protocol=5), tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt42-08: regressors whose predictions broadcast to more rows than the input -------------


def _rt42_08_gpr(rows: int = 1000) -> bytes:
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.multiclass import OneVsRestClassifier

    warnings.simplefilter("ignore")
    Xs = np.random.RandomState(0).rand(12, 3)
    Y = np.c_[np.arange(12) % 2, (np.arange(12) // 2) % 2]  # two labels: multilabel
    m = OneVsRestClassifier(GaussianProcessRegressor()).fit(Xs, Y)
    for e in m.estimators_:
        # fit stores one std per target (shape (1,) here); predict broadcasts
        # _y_train_std * (K_trans @ alpha_): (1000, 1) * (rows,) -> (1000, rows)
        e._y_train_std = np.ones((rows, 1))
        e._y_train_mean = np.full(1, 5.0)  # the shape fit stores; every score over 0.5
    return pickle.dumps(m, protocol=5)


def test_rt42_08_one_vs_rest_gaussian_process_broadcast_oob_write(tmp_path: Path) -> None:
    """~20 KB, the same regressor branch by another road: a fitted multilabel
    OneVsRestClassifier over GaussianProcessRegressors whose ``_y_train_std`` (one value per
    target, as fit stores it: shape (1,)) is an array of shape (1000, 1) (and ``_y_train_mean``
    ``[5.0]``, of the shape fit stores, so that every score passes the threshold).
    ``GaussianProcessRegressor.predict`` un-normalises with ``_y_train_std * y_mean +
    _y_train_mean``, which numpy broadcasts to (1000, rows): 1,000 rows of scores for any
    input. ``_one_score_problem`` returns early for a regressor, and
    ``OneVsRestClassifier.predict`` takes ``np.where(score > 0.5)[0]`` (row indexes up to
    999) as rows of a ``csc_matrix`` of ``rows`` rows; ``toarray()`` writes past it. Scan
    SAFE, load_unsigned loads it; ``predict`` of 1..300 rows kills the child with SIGSEGV."""
    path = write(tmp_path, _rt42_08_gpr())
    plain = child(OVR_PREDICT.format(load="pickle.load(open(sys.argv[1], 'rb'))"), path)
    assert plain.loaded and plain.crashed, str(plain)
    after = child(OVR_PREDICT.format(load="safeload.load_unsigned(sys.argv[1])"), path)
    assert not after.crashed, str(after)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


def _rt42_08_linear(kind: str, rows: int = 1000) -> bytes:
    from sklearn.linear_model import BayesianRidge, LinearRegression, Ridge
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVR

    warnings.simplefilter("ignore")
    cls: Any = {
        "LinearRegression": LinearRegression,
        "Ridge": Ridge,
        "BayesianRidge": BayesianRidge,
        "LinearSVR": LinearSVR,
    }[kind]
    Xs = np.random.RandomState(0).rand(12, 3)
    Y = np.c_[np.arange(12) % 2, (np.arange(12) // 2) % 2]  # two labels: multilabel
    m = OneVsRestClassifier(cls()).fit(Xs, Y)
    for e in m.estimators_:
        # X @ coef_.T + intercept_: (rows_in,) + (1000, 1) broadcasts to (1000, rows_in)
        e.intercept_ = np.full((rows, 1), 5.0)
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("kind", ["LinearRegression", "Ridge", "BayesianRidge", "LinearSVR"])
def test_rt42_08_one_vs_rest_linear_intercept_broadcast_oob_write(
    kind: str, tmp_path: Path
) -> None:
    """~17 KB, the simplest form: a fitted multilabel OneVsRestClassifier over linear
    regressors (LinearRegression, Ridge, BayesianRidge, LinearSVR) whose ``intercept_`` (a
    float, or one per target, as fit stores it) is an array of shape (1000, 1).
    ``X @ coef_.T + intercept_`` broadcasts to (1000, rows); ``check_linear_shapes`` holds
    ``coef_``'s width but not the intercept's shape (``_check_raveled_outputs`` only for the
    raveling SGD/PLS families), and ``_one_score_problem`` passes any regressor. predict's
    ``np.where(score > 0.5)[0]`` gives row indexes up to 999 for a ``csc_matrix`` of ``rows``
    rows, which ``toarray()`` writes past. Scan SAFE, load_unsigned loads it; ``predict`` of
    1..300 rows kills the child with SIGSEGV."""
    path = write(tmp_path, _rt42_08_linear(kind))
    plain = child(OVR_PREDICT.format(load="pickle.load(open(sys.argv[1], 'rb'))"), path)
    assert plain.loaded and plain.crashed, str(plain)
    after = child(OVR_PREDICT.format(load="safeload.load_unsigned(sys.argv[1])"), path)
    assert not after.crashed, str(after)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")
