"""Red team 55's reproducers (helper-106, 16:08-16:53 UTC), all five fixed (normal tests; a HARM
test shows the harm under plain pickle first). Fixed: rt55-01 (a fitted attribute holds no
range, structures/widths.py), rt55-02 (scan judges a labels array by its shape, static.py),
rt55-03 (a set call is one level, static_params.py), rt55-04 (HMACKey reads secrets in linear
time), rt55-05 (an opaque pandas state is unproven to scan, shadow_made.py).

rt55-01 (HARM: memory) a ``range`` stands in for a fitted array (labels, priors, components): ``range`` is an atom to
        the walk (graph.ATOMS, bounded only by MAX_RANGE = 2**20 items) and the label-width
        checks (structures/widths.py) judge ``classes_`` only when it is an ndarray or a
        list/tuple. LabelBinarizer.classes_ = range(2**20) (a 227-byte file) and
        MultiLabelBinarizer.classes_ alike: scan SAFE, load_unsigned returns it, and
        ``transform`` of 2000 labels builds a dense (2000, 2**20) matrix: 16 GB asked
        (MemoryError under a 1 GB allowance), the rt53-07/rt54-08 class of harm.
        DummyClassifier.class_prior_ = range(2**20) alike (its n_classes_/classes_ agreement
        is checked, its prior is not): predict_proba broadcasts ones((n, 1)) * class_prior_.
        Found by replacing each 1-D fitted array of every all_estimators() default fit by
        range(2**20): of those scan calls SAFE and the load loads, these three allocate.
        KNeighborsClassifier and RadiusNeighborsClassifier (algorithm="brute", a metric such
        as "manhattan" that the pairwise-reduction class mode serves) alike: predict_proba
        passes unique_Y_labels=np.arange(len(classes_)) to ArgKminClassMode /
        RadiusNeighborsClassMode, whose result is (n_queries, len(classes_)): 16 GB for 2000
        rows. TargetEncoder(target_type="multiclass") alike: transform allocates
        np.empty((n, n_features * len(classes_))). OneVsOneClassifier alike:
        decision_function (and predict) call _ovr_decision_function(..., len(classes_)),
        which allocates two (n, len(classes_)) float arrays before it indexes anything.
        FactorAnalysis.components_ = range(2**20): transform of even 5 rows runs
        np.eye(len(components_)), 8 TB. GaussianProcessRegressor.X_train_ = range(2**20)
        alike (predict of 2000 rows). (A range is no label array and no fitted array: the
        fix is likely one rule, "a range is kept only where plain data is", rather than one
        per slot.)
        A skops file alike (skops writes the range as builtins.range; safeload's skops road
        admits it: scan SAFE, load_unsigned loads).
rt55-02 (PARITY, honest) a stored metric keyword ``labels`` that is an ndarray: a scorer's
        ``_kwargs`` (``make_scorer(f1_score, labels=np.unique(y), average="macro")``, alone or
        as a fitted GridSearchCV's ``scoring``), a stored partial's keywords or a
        FunctionTransformer's kw_args. The load's
        object_checks.keyword_problem takes a 1-D array of at most MAX_STORED_LABELS labels;
        scan's static._keyword_problem reads the value with static_params.param_value, which
        cannot build an array: "is not a value the pass can judge (unproven)". Scan refuses
        an honest model the load loads. In a skops file the load runs the same static rule
        first, so there it is HONEST-REFUSED: the fitted GridSearchCV dumped with skops
        (skops loads it, trusting f1_score, _Scorer and StratifiedKFold) is refused by
        load_unsigned "before loading".
rt55-03 (PARITY) frozensets nested 10 to 16 levels in plain data (FunctionTransformer kw_args /
        inv_kw_args, a neighbours model's metric_params) pickled with protocol 0 to 3, which
        write ``frozenset([...])`` as a REDUCE: the load's require_data counts one level per
        set (MAX_DATA_DEPTH 16) and loads; scan's parameter reader (static_params.param_value,
        "where the class checks its parameters") counts the call, its argument tuple and list
        as levels: "kw_args unproven: a dict, a value the stream walk cannot build". Protocol 4
        (FROZENSET opcode) agrees up to 16.
rt55-04 (TRUST, availability, low) HMACKey's text-form decoding is quadratic: the colon-hex
        block search (hmac_key._COLON_HEX_LINES.finditer, rt54-05's openssl-text form) rescans
        a long run of "aa:aa:..." from every pair when the run does not end in a newline.
        HMACKey(b"aa:" * 32000 + b"aaZ") (96 KB) takes 75 s of CPU before the key is even
        judged, 1 MB hours. Through the CLI the secret is bounded: a key file by 64 KB of hex
        (32 KB secret: about 7 s), --hmac-env by the kernel's 128 KB per variable (about 30 s);
        the Python API (HMACKey(bytes), from_hex) has no bound. The whitespace-joined forms
        take milliseconds on the same sizes.
rt55-05 (PARITY, pandas profile) a DataFrame or Series whose ``attrs`` hold an instance (an
        estimator, a RandomState): the load's checked __setstate__ (pandas_states.
        _check_frame_state) refuses "attrs are not a dict of plain values"; scan's
        shadow_made._pandas returns an Unknown without a problem when the state is opaque
        (holds a shadow), so no pandas check runs and scan says SAFE. Alone, or beside a model
        ({"model": clf, "data": df}).
"""

# ruff: noqa: E501
from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from redteam import (
    GB,
    PLAIN_CALL,
    PLAIN_SKOPS_CALL,
    assert_safeload_refuses,
    assert_scan_predicts_load,
    child,
    run_child,
    write,
)

# --- rt55-01: a range as a fitted label array ---------------------------------------------------


def _range_classes(kind: str):
    from sklearn.preprocessing import LabelBinarizer, MultiLabelBinarizer

    if kind == "dummy-prior":
        from sklearn.dummy import DummyClassifier

        X = np.random.RandomState(0).rand(60, 4)
        model = DummyClassifier().fit(X, np.arange(60) % 3)
        model.class_prior_ = range(2**20)
        call = "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"
        return pickle.dumps(model, protocol=5), call
    if kind in ("kneighbors", "radius-neighbors"):
        from sklearn.neighbors import KNeighborsClassifier, RadiusNeighborsClassifier

        X = np.random.RandomState(0).rand(60, 4)
        if kind == "kneighbors":
            model = KNeighborsClassifier(algorithm="brute", metric="manhattan")
        else:
            model = RadiusNeighborsClassifier(radius=5.0, algorithm="brute", metric="manhattan")
        model.fit(X, np.arange(60) % 3)
        model.classes_ = range(2**20)
        call = "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"
        return pickle.dumps(model, protocol=5), call
    if kind == "factor-analysis":
        from sklearn.decomposition import FactorAnalysis

        model = FactorAnalysis(n_components=2).fit(np.random.RandomState(0).rand(60, 4))
        model.components_ = range(2**20)
        call = "model.transform(numpy.random.RandomState(1).rand(5, 4))"
        return pickle.dumps(model, protocol=5), call
    if kind == "gaussian-process":
        from sklearn.gaussian_process import GaussianProcessRegressor

        X = np.random.RandomState(0).rand(60, 4)
        model = GaussianProcessRegressor().fit(X, X[:, 0])
        model.X_train_ = range(2**20)
        call = "model.predict(numpy.random.RandomState(1).rand(2000, 4))"
        return pickle.dumps(model, protocol=5), call
    if kind == "one-vs-one":
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsOneClassifier

        X = np.random.RandomState(0).rand(60, 4)
        model = OneVsOneClassifier(LogisticRegression()).fit(X, np.arange(60) % 3)
        model.classes_ = range(2**20)
        call = "model.decision_function(numpy.random.RandomState(1).rand(2000, 4))"
        return pickle.dumps(model, protocol=5), call
    if kind == "target-encoder":
        from sklearn.preprocessing import TargetEncoder

        X = np.random.RandomState(0).randint(0, 3, (60, 2))
        model = TargetEncoder(target_type="multiclass").fit(X, np.arange(60) % 3)
        model.classes_ = range(2**20)
        call = "model.transform(numpy.random.RandomState(1).randint(0, 3, (2000, 2)))"
        return pickle.dumps(model, protocol=5), call
    if kind == "label-binarizer":
        model = LabelBinarizer().fit(np.arange(40) % 3)
        call = "model.transform(numpy.arange(2000) % 3)"
    else:
        model = MultiLabelBinarizer().fit([[1, 2], [3]])
        call = "model.transform([[1, 2]] * 2000)"
    model.classes_ = range(2**20)
    return pickle.dumps(model, protocol=5), call


@pytest.mark.parametrize(
    "kind",
    [
        "label-binarizer",
        "multilabel-binarizer",
        "dummy-prior",
        "kneighbors",
        "radius-neighbors",
        "target-encoder",
        "one-vs-one",
        "factor-analysis",
        "gaussian-process",
    ],
)
def test_rt55_01_range_classes(tmp_path, kind):
    data, call = _range_classes(kind)
    assert len(data) < 100_000
    path = write(tmp_path, data)
    shown = child(PLAIN_CALL.format(call=call), path, memory=1 * GB, cpu=30, timeout=60)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt55-02: an array as a stored metric's labels ------------------------------------------------


def _labels_array(form: str):
    import functools

    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, make_scorer
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import FunctionTransformer

    X = np.random.RandomState(0).rand(60, 3)
    y = np.arange(60) % 3
    labels = np.unique(y)
    if form == "grid-search":
        scorer = make_scorer(f1_score, labels=labels, average="macro")
        return GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=2, scoring=scorer).fit(X, y)
    if form == "scorer":
        return make_scorer(f1_score, labels=labels, average="macro")
    if form == "kw_args":
        return FunctionTransformer(func=np.mean, kw_args={"labels": labels})
    return FunctionTransformer(func=functools.partial(f1_score, labels=labels, average="macro"))


@pytest.mark.parametrize("form", ["grid-search", "scorer", "partial", "kw_args"])
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt55_02_labels_array(tmp_path, form, protocol):
    data = pickle.dumps(_labels_array(form), protocol=protocol)
    assert_scan_predicts_load(data, tmp_path)


# --- rt55-03: frozensets written as calls, nested ----------------------------------------------


def _nested_frozensets(depth: int):
    value: object = 1
    for _ in range(depth):
        value = frozenset([value])
    return value


@pytest.mark.parametrize("where", ["kw_args", "inv_kw_args", "metric_params"])
@pytest.mark.parametrize("depth", [10, 16])
@pytest.mark.parametrize("protocol", [0, 2])
def test_rt55_03_nested_frozenset_calls(tmp_path, where, depth, protocol):
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import FunctionTransformer

    value = {"a": _nested_frozensets(depth)}
    model = (
        KNeighborsClassifier(metric_params=value)
        if where == "metric_params"
        else FunctionTransformer(**{where: value})
    )
    data = pickle.dumps(model, protocol=protocol)
    assert_scan_predicts_load(data, tmp_path)


# --- rt55-04: a colon-hex secret without its line end --------------------------------------------


def test_rt55_04_hmac_colon_hex_quadratic(tmp_path):
    secret = b"aa:" * 32000 + b"aaZ"  # 96 KB
    path = write(tmp_path, secret, "hmac.secret")
    code = (
        "from safeload.signing.hmac_key import HMACKey\n"
        "try:\n"
        "    HMACKey(open(sys.argv[1], 'rb').read())\n"
        "except Exception as exc:\n"
        "    print('raised', type(exc).__name__)\n"
        "print('returned', flush=True)\n"
    )
    # a linear reading takes milliseconds; 5 s of CPU is three orders of magnitude more
    done = run_child(code, path, cpu=5, timeout=60, imports=("safeload",))
    assert "returned" in done.stdout, str(done)


def test_rt55_01_range_classes_skops(tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import LabelBinarizer

    model = LabelBinarizer().fit(np.arange(40) % 3)
    model.classes_ = range(2**20)
    path = tmp_path / "m.skops"
    sio.dump(model, path)
    call = "model.transform(numpy.arange(2000) % 3)"
    shown = child(PLAIN_SKOPS_CALL.format(call=call), path, memory=1 * GB, cpu=30, timeout=60)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt55-05: a pandas object whose state holds an instance ----------------------------------------


@pytest.mark.parametrize("form", ["frame", "series", "beside-model"])
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt55_05_pandas_opaque_state(tmp_path, form, protocol):
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X = np.random.RandomState(0).rand(20, 2)
    clf = LogisticRegression().fit(X, np.arange(20) % 2)
    if form == "series":
        obj: object = pd.Series([1.0, 2.0])
        obj.attrs = {"m": clf}  # type: ignore[attr-defined]
    else:
        frame = pd.DataFrame({"a": [1.0, 2.0]})
        frame.attrs = {"s": StandardScaler()}
        obj = frame if form == "frame" else {"model": clf, "data": frame}
    assert_scan_predicts_load(pickle.dumps(obj, protocol=protocol), tmp_path, profiles=["pandas"])


def test_rt55_02_labels_array_skops(tmp_path):
    import skops.io as sio

    import safeload

    path = tmp_path / "gs.skops"
    sio.dump(_labels_array("grid-search"), path)
    sio.load(path, trusted=sio.get_untrusted_types(file=path))  # skops itself loads it
    assert safeload.scan(path).safe
    safeload.load_unsigned(path)
