"""Red team 43's parity findings, all fixed (rt43-03/04/08 are in ``test_redteam43_cli.py``,
the xgboost rt43-01/09 in ``test_redteam43_xgboost.py``). Each test asserts that scan's
verdict is the load's; the honest counterparts that each fix must keep loading are next to
it."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

# --- rt43-02: a keyword name over 1 KB in a keyword dict: scan unsafe, load loads ------------


@pytest.mark.parametrize(
    "what",
    [
        "str-key",  # fixed: static_state._kwargs_problem reads _Big.text
        "bytes-value",  # fixed with rt42-02 (scan builds bytes over MAX_CONST)
    ],
)
@pytest.mark.parametrize(
    "slot", ["FunctionTransformer.kw_args", "SpectralClustering.kernel_params"]
)
def test_rt43_02_long_keyword_name_parity(slot: str, what: str, tmp_path: Path) -> None:
    """~1.5-3 KB, harmless: a fitted FunctionTransformer whose ``kw_args`` (or a
    SpectralClustering whose ``kernel_params``) is ``{"x" * 1025: 1}``. The load's keyword
    check takes any plain ``str`` key, and the load returns the model (with 1,024 characters
    both sides agree: SAFE, loaded). Scan reads a str over ``MAX_CONST`` as a ``_Big`` and its
    keyword rule does not take it: "unproven: a keyword that is not a plain string, which the
    walk cannot read", UNSAFE, though a ``_Big`` knows it is text (``_Big.text``, which
    rt42-06's fix reads for scorer names). A bytes key of the same length is refused by both.
    Found by a parity fuzz run (``parity_states.py`` with a ``{"x" * 1025: 1}`` palette
    value: ``target_encoder ... inv_kw_args``, ``spectral_clustering.kernel_params``).
    ``bytes-value``: ``{"a": b"x" * 1025}`` disagrees the same way (scan unsafe, loaded); it
    may share rt42-02's cause (bytes over ``MAX_CONST`` scan cannot read), here in a keyword
    dict rather than an iterable parameter. Fixed on scan's side: the keyword rule
    (``static_state._kwargs_problem``) takes a ``_Big`` with ``text`` for the plain str it
    is (no keyword the checks judge is that long); both load it. Making that change showed
    that scan's plain-data rule skipped a dict's non-literal keys and their values
    (:func:`test_rt43_02_data_dict_other_keys_parity`)."""
    import warnings

    from sklearn.cluster import SpectralClustering
    from sklearn.preprocessing import FunctionTransformer

    from redteam import parity

    warnings.simplefilter("ignore")
    X = np.random.RandomState(0).rand(30, 3)
    m: Any
    for size, expected in ((1024, (True, "loaded")), (1025, None)):
        stored = {"x" * size: 1} if what == "str-key" else {"a": b"x" * size}
        if slot == "FunctionTransformer.kw_args":
            m = FunctionTransformer(np.log1p).fit(X)
            m.kw_args = stored
        else:
            m = SpectralClustering(2, random_state=0).fit(X)
            m.kernel_params = stored
        safe, outcome = parity(pickle.dumps(m, protocol=5), tmp_path)
        if slot == "SpectralClustering.kernel_params" and what == "bytes-value":
            # (a kernel's parameters are numbers, or a str: bytes are refused by both since
            # rt71-12)
            expected = None
        if expected is not None:
            assert (safe, outcome) == expected
        else:
            assert safe == (outcome == "loaded"), (safe, outcome)


@pytest.mark.parametrize(
    "stored",
    ["int-key-function", "long-key-function", "function-key", "int-key-int"],
)
def test_rt43_02_data_dict_other_keys_parity(stored: str, tmp_path: Path) -> None:
    """A keyword dict's value that is itself a dict with a key that is not a literal str
    (``kw_args = {"a": {1: numpy.log1p}}``, a str over 1 KB as the key, or the function as
    the key): the load's plain-data rule (``graph.require_data``) refuses the function
    wherever it is. Scan's (``static_kinds.data_problem``) read only a dict's literal str
    keys' values and called the first two SAFE; it now judges the other keys and their values
    too. ``{1: 2}`` is plain data: both load it."""
    from sklearn.preprocessing import FunctionTransformer

    from redteam import parity

    X = np.random.RandomState(0).rand(30, 3)
    m = FunctionTransformer(np.log1p).fit(X)
    m.kw_args = {
        "a": {
            "int-key-function": {1: np.log1p},
            "long-key-function": {"x" * 1025: np.log1p},
            "function-key": {np.log1p: 1},
            "int-key-int": {1: 2},
        }[stored]
    }
    expected = (True, "loaded") if stored == "int-key-int" else (False, "refused")
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == expected


# --- rt43-05: BUILD on a container literal: scan SAFE, load refuses ---------------------------

_LITERALS = {
    "[]": b"]",
    "()": b")",
    "(1,)": b"K\x01\x85",
    "(1, 2)": b"K\x01K\x02\x86",
    "MARK 1 TUPLE": b"(K\x01t",
    "MARK 1 LIST": b"(K\x01l",
    "MARK DICT": b"(d",
    "{}": b"}",
    "set()": b"\x8f",
    "frozenset()": b"(\x91",
}
_STATES = {
    "{}": b"}",
    "{'x': 1}": b"}X\x01\x00\x00\x00xK\x01s",
    "[]": b"]",
    "(None, None)": b"NN\x86",
}


@pytest.mark.parametrize("state", sorted(_STATES))
@pytest.mark.parametrize("literal", sorted(_LITERALS))
def test_rt43_05_build_on_container_literal_parity(
    literal: str, state: str, tmp_path: Path
) -> None:
    """6-15 bytes, harmless: ``PROTO 5``, a container made by its own opcode (EMPTY_LIST,
    EMPTY_TUPLE, TUPLE1, TUPLE2, TUPLE, LIST, DICT, EMPTY_DICT, EMPTY_SET, FROZENSET), a
    state, BUILD, STOP. None of
    these has a ``__dict__`` or a ``__setstate__``, so the C unpickler's BUILD fails on any
    state but ``None`` ("'list' object has no attribute '__dict__'", "state is not a
    dictionary", "slot state is not a dictionary") and ``load_unsigned`` refuses the file.
    Scan calls every one SAFE with no finding. rt34-06 / rt35-13 taught the shadow builder
    the same failure for the results of calls (``_NO_DICT``: ``dict()``, ``range(1)``,
    ``object()``...), not for the containers the stream makes itself; ints, strings, bytes,
    floats and None given a state are already refused by both. (The same BUILD anywhere in a
    model, e.g. on an estimator's list attribute, is refused by the load the same way.)
    Fixed: the static pass both sides run refuses a BUILD on a container literal whose state
    is not a no-op (``state_rules.literal_build_problem``), so the load refuses before its
    unpickler runs and scan says UNSAFE. ``None`` and ``(None, {})`` change nothing in
    CPython's BUILD on these: both sides load them (:func:`test_rt43_05_no_op_build_loads`)."""
    from redteam import assert_scan_predicts_load

    data = b"\x80\x05" + _LITERALS[literal] + _STATES[state] + b"b."
    assert_scan_predicts_load(data, tmp_path, refused=True)
    # the same BUILD on a list an estimator holds (inside its state dict)
    nested = b"\x80\x05}X\x01\x00\x00\x00a" + _LITERALS[literal] + _STATES[state] + b"bs."
    assert_scan_predicts_load(nested, tmp_path, refused=True)


_MADE = {
    "list()": b"cbuiltins\nlist\n)R",
    "dict()": b"cbuiltins\ndict\n)R",
    "object()": b"cbuiltins\nobject\n)R",
    "Counter()": b"ccollections\nCounter\n)R",
    "Decimal('1')": b"cdecimal\nDecimal\nX\x01\x00\x00\x001\x85R",
    "PurePosixPath('a')": b"cpathlib\nPurePosixPath\nX\x01\x00\x00\x00a\x85R",
}


@pytest.mark.parametrize("state", [b"N", b"N}\x86"], ids=["None", "(None, {})"])
@pytest.mark.parametrize("target", [*sorted(_LITERALS), *_MADE])
def test_rt43_05_no_op_build_loads(target: str, state: bytes, tmp_path: Path) -> None:
    """The BUILD states CPython's unpickler takes on an object without ``__dict__`` or
    ``__setstate__`` (no state dict, an empty slot dict), on a container literal, on what
    ``list()``, ``dict()``, ``object()`` make, or on a standard-library value: the load
    loads, and scan says SAFE (it refused ``(None, {})`` on the results of calls before
    rt43-05's fix; on a Counter, a Decimal, a pure path, before the shadow builder ran BUILD
    as ``load_build`` does, ``shadow_made._build``)."""
    from redteam import assert_scan_predicts_load, parity

    data = b"\x80\x05" + (_MADE.get(target) or _LITERALS[target]) + state + b"b."
    assert parity(data, tmp_path) == (True, "loaded")
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("state", [b"NN\x86", b"}}\x86", b"}X\x01\x00\x00\x00aK\x01s"])
@pytest.mark.parametrize("target", [t for t in _MADE if t != "Counter()"])
def test_rt43_05_failing_build_on_made_value(target: str, state: bytes, tmp_path: Path) -> None:
    """A slot state of None, or a state dict, on a value without ``__dict__``: the unpickler
    fails, and both sides refuse (a Counter has a ``__dict__``: both load a state dict)."""
    from redteam import assert_scan_predicts_load

    data = b"\x80\x05" + _MADE[target] + state + b"b."
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt43-06: a class or function as the whole pickle (or in a top-level tuple): scan SAFE --


@pytest.mark.parametrize("wrap", ["bare", "tuple", "nested-tuple"])
@pytest.mark.parametrize(
    "value",
    ["StandardScaler", "numpy.dtype", "builtins.range", "decimal.Decimal", "Counter"],
)
def test_rt43_06_top_level_global_parity(value: str, wrap: str, tmp_path: Path) -> None:
    """About 30-70 bytes, harmless: ``pickle.dumps(StandardScaler)`` (the class, not an
    instance), ``pickle.dumps(numpy.dtype)``, ``range``, ``decimal.Decimal`` or
    ``collections.Counter``, alone or as ``(cls,)`` / ``((cls,),)``. The load's use-time walk
    refuses a class held as a value ("model: holds the class ... as a value; only numpy scalar
    types and builtin number types may be"; for Decimal and Counter, "holds the function
    safeload.pickle.narrowed._decimal_from_str / _counter_from_dict"). Scan calls each SAFE
    with no finding; the same global in a list, a dict, a set or an estimator's attribute is
    refused by both, so only the value the stream returns (and tuples around it) escapes
    scan's walk of held values. Found by a random opcode-sequence parity run
    (``fz/grammar43.py``: 70 of ~3,000 short streams disagreed, all of this kind, rt43-05's
    or rt43-07's). Fixed: scan's use-time rules judge the stream's value itself as a held
    value (``static._problems``: ``value_problem(analysis.root)``, which looks through
    tuples), so each is UNSAFE; an allowed scalar type or function there still loads on both
    sides (:func:`test_rt43_06_allowed_top_level_value_loads`)."""
    import collections
    import decimal

    from sklearn.preprocessing import StandardScaler

    from redteam import assert_scan_predicts_load

    obj: Any = {
        "StandardScaler": StandardScaler,
        "numpy.dtype": np.dtype,
        "builtins.range": range,
        "decimal.Decimal": decimal.Decimal,
        "Counter": collections.Counter,
    }[value]
    if wrap != "bare":
        obj = (obj,) if wrap == "tuple" else ((obj,),)
    assert_scan_predicts_load(pickle.dumps(obj, protocol=5), tmp_path, refused=True)


@pytest.mark.parametrize("value", ["float64", "log1p", "float", "dict", "tuple-of-both"])
def test_rt43_06_allowed_top_level_value_loads(value: str, tmp_path: Path) -> None:
    """The values a model may hold (a numpy scalar type, a function on the callable
    allowlist, a builtin number or dict type) as the whole pickle's value: loaded, SAFE."""
    from redteam import parity

    obj: Any = {
        "float64": np.float64,
        "log1p": np.log1p,
        "float": float,
        "dict": dict,
        "tuple-of-both": (np.float64, (np.log1p, 1)),
    }[value]
    assert parity(pickle.dumps(obj, protocol=5), tmp_path) == (True, "loaded")


# --- rt43-07: builtins.list/tuple/set held as a value anywhere: scan SAFE, load refuses ---------


@pytest.mark.parametrize("wrap", ["bare", "tuple", "list"])
@pytest.mark.parametrize("value", ["list", "tuple", "set"])
def test_rt43_07_container_type_as_value_parity(value: str, wrap: str, tmp_path: Path) -> None:
    """~1 KB, harmless: a fitted LogisticRegression with ``foo_ = list`` (the type), or
    ``(list,)`` or ``[list]``; likewise ``tuple`` and ``set``. The load refuses it: the
    restricted unpickler hands out its own stand-in for these three names, which the use-time
    walk reports as "model.foo_: holds the function builtins.list, which is not on the callable
    allowlist". Scan reads ``builtins.list`` as a type value (like ``float`` or ``dict``,
    which both sides pass) and calls the file SAFE. (``frozenset``, ``bytes`` and
    ``bytearray`` in the same places are refused by both.) Fixed on scan's side: no honest
    model holds these types as values (they are on the type-value list as a defaultdict's
    factory, which the load gets back as the builtin), so scan's rule on held globals
    refuses the narrowed container types (``static_values.NARROWED_TYPES``) except as a
    ``defaultdict``'s factory or a ``copyreg._reconstructor`` base, where the load does not
    keep the narrowed form (:func:`test_rt43_07_defaultdict_factory_loads`)."""
    from sklearn.linear_model import LogisticRegression

    from redteam import assert_scan_predicts_load

    X = np.random.RandomState(0).rand(20, 3)
    m = LogisticRegression().fit(X, np.arange(20) % 2)
    t = {"list": list, "tuple": tuple, "set": set}[value]
    m.foo_ = t if wrap == "bare" else ((t,) if wrap == "tuple" else [t])
    assert_scan_predicts_load(pickle.dumps(m, protocol=5), tmp_path, refused=True)


@pytest.mark.parametrize("protocol", [0, 2, 5])
@pytest.mark.parametrize("factory", ["list", "tuple", "set"])
def test_rt43_07_defaultdict_factory_loads(factory: str, protocol: int, tmp_path: Path) -> None:
    """A ``defaultdict(list)`` (``tuple``, ``set``) on an estimator, filled: the load hands
    the factory back as the builtin; both sides load it."""
    import collections

    from sklearn.linear_model import LogisticRegression

    from redteam import parity

    X = np.random.RandomState(0).rand(20, 3)
    m = LogisticRegression().fit(X, np.arange(20) % 2)
    t = {"list": list, "tuple": tuple, "set": set}[factory]
    m.groups_ = collections.defaultdict(t, {"a": t([1])})
    assert parity(pickle.dumps(m, protocol=protocol), tmp_path) == (True, "loaded")


# --- rt43-10: an SVM intercept checked through numpy.asarray: a one-step Pipeline passes ------


@pytest.mark.parametrize("sparse", [False, True])
def test_rt43_10_svm_intercept_sequence_parity(sparse: bool, tmp_path: Path) -> None:
    """~2 KB, harmless: a fitted SVR whose ``_intercept_`` is ``make_pipeline(StandardScaler())``
    instead of a float64 array of one value. The load's ``_check_svm_counts`` reads
    ``np.asarray(est._intercept_).shape == (1,)``: numpy takes a Pipeline (``__len__`` 1,
    ``__getitem__``) for a sequence of one object, so the check passes and the load returns the
    model (its ``predict`` then raises TypeError in libsvm's typed arguments: no native harm).
    Scan calls it UNSAFE: "crafted SVR: SVM intercept has the wrong length". A StandardScaler,
    a dict, a str or None there are refused by both. Found by a parity fuzz run
    (``parity_states.py`` with estimator values: ``svr_sparse:model._intercept_=pipeline``).
    Fixed on the load's side: ``check_svm`` holds ``support_``, ``_n_support`` (int),
    ``_intercept_``, ``_probA`` and ``_probB`` (float64) to numpy arrays by their type, not
    through ``numpy.asarray``, as every honest libsvm model stores them (dense and sparse, all
    five classes: :func:`test_rt43_10_honest_svms_load`); scan runs the same check, so both
    refuse."""
    import warnings

    import scipy.sparse as sp
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVR

    from redteam import parity

    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.rand(30, 4) * (rng.rand(30, 4) > 0.5)
    m = SVR().fit(sp.csr_matrix(X) if sparse else X, rng.rand(30))
    honest = m._intercept_
    m._intercept_ = make_pipeline(StandardScaler())
    safe, outcome = parity(pickle.dumps(m, protocol=5), tmp_path)
    assert safe == (outcome == "loaded"), (safe, outcome)
    assert outcome == "refused"
    for wrong in (honest.astype(np.float32), honest.tolist()):
        m._intercept_ = wrong  # not float64, or a list numpy would convert
        assert parity(pickle.dumps(m, protocol=5), tmp_path) == (False, "refused")


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    ("estimator", "probability"),
    [(name, False) for name in ("SVC", "NuSVC", "SVR", "NuSVR", "OneClassSVM")]
    + [("SVC", True), ("NuSVC", True)],
)
def test_rt43_10_honest_svms_load(
    estimator: str, sparse: bool, probability: bool, tmp_path: Path
) -> None:
    """Every libsvm estimator, fitted on dense and on sparse input (with probability
    estimates where it has them), still loads under rt43-10's stricter array types, and
    predicts as the original does."""
    import warnings

    import scipy.sparse as sp
    from sklearn import svm

    from redteam import load_honest

    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.rand(40, 4) * (rng.rand(40, 4) > 0.4)
    data = sp.csr_matrix(X) if sparse else X
    cls = getattr(svm, estimator)
    kwargs: dict[str, Any] = {"probability": True, "random_state": 0} if probability else {}
    if estimator == "OneClassSVM":
        m = cls().fit(data)
    elif estimator in ("SVR", "NuSVR"):
        m = cls().fit(data, rng.rand(40))
    else:
        m = cls(**kwargs).fit(data, np.arange(40) % 3)
    loaded = load_honest(m, tmp_path)
    np.testing.assert_array_equal(loaded.predict(data), m.predict(data))


# --- rt43-11: a scorer object as an SVM's kernel: scan SAFE, load refuses -----------------------


@pytest.mark.parametrize("kernel", ["scorer", "gp-RBF"])
@pytest.mark.parametrize("estimator", ["SVC", "SVR", "NuSVC", "OneClassSVM"])
def test_rt43_11_scorer_as_svm_kernel_parity(estimator: str, kernel: str, tmp_path: Path) -> None:
    """~2 KB, harmless: a fitted SVC (SVR, NuSVC, OneClassSVM) whose ``kernel`` is
    ``make_scorer(accuracy_score)`` (a ``_Scorer`` instance, callable), or a Gaussian-process
    kernel object ``RBF()`` (callable too). The load's
    ``check_svm`` takes a callable kernel for a precomputed one (``n_features_in_`` must equal
    ``shape_fit_[0]``, the training rows) and refuses the model: "SVM n_features_in_ disagrees
    with shape_fit_". Scan's shadow of the same check does not take the scorer for a callable
    (a ``functools.partial`` or a metric function there is refused by both), compares with
    ``shape_fit_[1]`` and calls the file SAFE with no finding: the direction the promise
    forbids most. Found by a parity fuzz run (``parity_states.py`` with estimator values:
    ``svc_rbf:model.kernel=scorer``). Fixed on scan's side: ``check_svm`` asks
    ``shadow_values.is_callable``, which answers for a scan's shadow as ``callable`` does for
    the built object (its class defines ``__call__``), so both sides take the object for a
    precomputed kernel and refuse the model; with the training rows kept as fit keeps them for
    a callable kernel (``_BaseLibSVM__Xfit``, rt75-09) both load it (a callable object is a
    valid kernel to scikit-learn's constraints, and libsvm then indexes only the training
    rows)."""
    import warnings

    from sklearn.gaussian_process.kernels import RBF
    from sklearn.metrics import accuracy_score, make_scorer
    from sklearn.svm import SVC, SVR, NuSVC, OneClassSVM

    from redteam import assert_scan_predicts_load, parity

    warnings.simplefilter("ignore")
    X = np.random.RandomState(0).rand(30, 3)
    cls: Any = {"SVC": SVC, "SVR": SVR, "NuSVC": NuSVC, "OneClassSVM": OneClassSVM}[estimator]
    m = cls().fit(X) if cls is OneClassSVM else cls().fit(X, np.arange(30) % 2)
    m.kernel = make_scorer(accuracy_score) if kernel == "scorer" else RBF()
    assert_scan_predicts_load(pickle.dumps(m, protocol=5), tmp_path, refused=True)
    m.n_features_in_ = 30  # as a precomputed kernel's: the training rows
    # (since rt75-09 a callable kernel needs the training rows its predict measures rows
    # against, which fit keeps and this model, fitted with a string kernel, lacks)
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == (False, "refused")
    del m.n_features_in_  # as fit with a callable kernel leaves it
    m._BaseLibSVM__Xfit = X
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == (True, "loaded")
