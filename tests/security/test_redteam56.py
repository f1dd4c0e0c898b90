"""Red team 56's reproducers (helper-107, 17:56-18:43 UTC), all eight fixed (normal tests; a HARM
test shows the harm under plain pickle first, in a child under limits). Fixed: rt56-01 (empty
axes at most 4,096; sparse rows without a row pointer paid one value each), rt56-02 (a sub-array
dtype refused in _frombuffer and joblib wrappers), rt56-03 (HMACKey decodes text up to three
deep, tokens, URL escapes, NUL ends), rt56-04 (a standard-library value made from an instance),
rt56-05 (a fitted list holds each object once; a whole-model bound on label columns), rt56-06
(an estimator's sparse columns past 4,096 paid), rt56-07 (a pandas RangeIndex past 4,096 paid by
stored values), rt56-08 (a sub-array dtype holds at most 4,096 items).

rt56-01 (HARM: memory) an unpaid axis of 2**20 in a fitted array's place that a method reads by
        ``.shape``: an empty ndarray ``np.empty((2**20, 0))`` (MAX_EMPTY_DIM = 2**20 is
        allowed: "the bound on an empty array's axes") or an empty sparse matrix of
        ``(2**20, 1)`` (COO or CSC; check_sparse's row rule only starts past MAX_EMPTY_DIM).
        CategoricalNB.class_count_ (ndarray or sparse): ``_joint_log_likelihood`` allocates
        ``np.zeros((n, class_count_.shape[0]))``, 16 GB for 2000 rows from a 1.4 KB file; the
        calibrators' ``_CalibratedClassifier.classes`` (no trailing underscore, so rt55-01's
        range rule never reads it; either form): ``predict_proba`` allocates
        ``np.zeros((n, classes.shape[0]))`` before anything else; CalibratedClassifierCV's own
        ``classes_`` as a sparse matrix (the ``classes_ is one array of labels`` rule only
        looks at ndarrays): ``xp.zeros((n, classes_.shape[0]))``. The rt53-07 / rt54-08 /
        rt55-01 class of harm with a stand-in that none of their rules reads: rt55-01's fix
        says "the harm needs 2**20", and the empty-axis bound admits exactly 2**20. Found by
        grepping scikit-learn for zeros/empty sized by ``self.<attr>.shape``. scan SAFE,
        load_unsigned loads (pure Python and compiled build alike). The working tree's fix
        (MAX_EMPTY_AXIS = 4096, the row rule from 4096 rows) leaves the sparse form open with
        one stored value per SPARSE_SPREAD = 64 rows: a COO matrix of (2**20, 1) holding 16,384
        ones is a 264 KB file, and the same two calls ask for 16 GB (form "spread-sparse",
        checked on a pure-Python copy of the working tree at 18:16). No fit stores a sparse
        matrix as class counts or calibrator classes: a type rule, not a spread, closes it.
rt56-02 (PARITY) numpy's ``_frombuffer(bytes(6), dtype(('i1', (2,))), (3,), 'C')`` (protocol 5's
        array form with a subarray dtype): the static pass sizes the buffer as shape x itemsize
        (3 x 2 = 6, "its shape's size") and calls the file SAFE; numpy's frombuffer expands the
        subarray to (3, 2) and ``reshape((3,))`` fails, so the load refuses ("could not be
        loaded: ValueError: cannot reshape array of size 6 into shape (3,)"). Alone in a dict,
        as StandardScaler.scale_, or as a metric's labels (e21c2f6's _vector_length reads
        the literal shape (3,)). 'F' order alike. The mirror form (shape (3, 2), which numpy
        builds) is refused by both ("not its shape's size"), so scan and load agree there but
        both refuse what numpy makes. Found by writing a labels array every way numpy can.
        joblib's inline array alike: a NumpyArrayWrapper of shape (3,) and dtype
        ('i1', (2,)) over 6 bytes is SAFE to scan, and joblib (and the load) fail with the
        same reshape error; this form is open on the working tree's fix too, which refuses
        the subarray dtype in _frombuffer only.
rt56-03 (TRUST, low) public keys still taken as HMAC secrets when encoded twice: _text_forms
        decodes base64/hex text once and then looks only for *binary* forms (DER, blob,
        point); the armour line, the OpenSSH line and JSON are only looked for in the raw
        secret. So ``base64 -w0 pub.pem`` (the everyday form of a Kubernetes Secret's data, a
        CI secret variable), ``base64 pub.pem`` (wrapped), ``base64 id_ed25519.pub``, the hex
        of a PEM file (``xxd -p pub.pem``) and a base64 DER body in quotes or after a
        ``public_key: `` YAML key are all accepted by HMACKey(...) as secrets: anyone with the
        public key can then make valid MACs. (The same key's PEM, DER, base64 DER and SSH line
        are refused.) Timing held: 27 adversarial shapes of 200-800 KB, all linear.
        Against the working tree's fix (1197450, "up to three text encodings deep and in
        base64/hex tokens inside text") three everyday forms still pass (test
        ..._residual): a URL-encoded certificate PEM (what nginx's $ssl_client_escaped_cert
        and AWS ALB's mTLS headers carry), a DER public key read with its C string's NUL,
        and an OpenSSH key's base64 blob inside text without its algorithm name.
rt56-04 (PARITY) a standard-library value made from an instance: ``datetime.date(est)``,
        ``datetime.timedelta(est)``, ``pathlib.PurePosixPath(est)`` (est any allowed instance,
        here a StandardScaler), by REDUCE, alone in a dict, beside a model or as a fitted
        attribute: scan SAFE (shadow_made._value_object returns an Unknown without a problem
        when an argument is a shadow: the rt55-05 pattern that 78e3034 fixed for pandas
        only), and the load fails ("could not be loaded: TypeError: 'StandardScaler' object
        cannot be interpreted as an integer" / "expected str, bytes or os.PathLike object").
        Protocols 2 and 5. Also datetime.time, datetime.datetime, datetime.timezone,
        PureWindowsPath and uuid.UUID(est) (all fixed on the working tree by 4f04611, which
        held 16 such forms in a re-check). (Decimal, complex, bytes, range, frozenset of one: both refuse;
        Counter/OrderedDict/slice holding one: both load.)
rt56-05 (HARM: memory) one fitted array shared by memo across a per-output list: every
        reference costs a BINGET (2 bytes) and sizes a dense (n, len(array)) result of its
        own. DummyClassifier (strategy "prior", fitted on two outputs) with classes_ =
        [C] * 200, class_prior_ = [P] * 200 (C = arange(4096), P its uniform prior, one
        object each), n_classes_ = [4096] * 200, n_outputs_ = 200: a 67 KB file whose
        predict_proba returns 200 arrays of (2000, 4096), 13 GB. KNeighborsClassifier
        fitted on two outputs with classes_ = [C] * 200 and _y = zeros((10, 200)): 51 KB,
        predict_proba alike. MultiOutputClassifier whose estimators_ are one
        LogisticRegression of 4096 classes met 200 times (198 KB): predict_proba alike (an
        estimator shared 200 times passes the sharing rule too). Distinct labels, agreeing counts, 1-D arrays: every per-item
        check holds, and the sharing rule counts 200 meetings of one array as linear in the
        file (it bounds walks, not what each reference sizes). Same files with range(4096)
        items are refused ("classes_ repeats a label" on the shared list), so the array is
        the stand-in. scan SAFE, load_unsigned loads, on the START snapshot and on the working
        tree with the rt56-01 fix (MAX_EMPTY_AXIS = 4096). A skops file alike (skops keeps one
        copy of the shared array and refers to it: the DummyClassifier is 216 KB): safeload's
        skops road loads it. Form "multi-output-distinct": 200 *distinct* LogisticRegression
        instances (about 400 bytes each) whose classes_, coef_ and intercept_ are the same
        three arrays (4096 labels): 218 KB, predict_proba alike. This one is open on the
        working tree's fix (79c2173, "a fitted list holds each array, sparse matrix and
        instance once"): each list holds each object once, the sharing is across estimators.
rt56-06 (HARM: memory) an empty CSR matrix of (4, 2**20) as a random feature map's
        random_weights_ (RBFSampler, SkewedChi2Sampler), with random_offset_ = zeros(1) and
        no ``_n_features_out`` (transform does not read it; with it, widths.py bounds it):
        a 588-byte file whose transform of 2000 rows computes X @ random_weights_ as a dense
        (2000, 2**20) matrix, 16 GB. LinearDiscriminantAnalysis.scalings_ alike (nothing else
        changed): transform computes (X - xbar_) @ scalings_ before it keeps
        _max_components columns. check_sparse lets it through twice: the empty rule asks
        empty_shape_problem, which only looks at shapes with a zero axis ((4, 2**20) has
        none), and the column rule starts past MAX_EMPTY_DIM = 2**20, not at it. rt53-07's
        case at exactly the bound. Open on the START snapshot. The working tree's fix
        (45af995: columns past 4,096 paid by stored values, index-pointer rows or the input's
        width) holds for the empty form and for a (4096, 2**20) one, but a CSR (4, 2**20)
        holding one value per 64 columns (16,384 ones, a 197 KB file) is "paid" and still
        makes transform compute (2000, 2**20), 16 GB (form "rbf-spread", open there).
rt56-07 (HARM: memory, pandas profile) a pandas ``RangeIndex(2**20)`` (three ints in the
        file), or an empty ``DataFrame(index=RangeIndex(2**20))`` (shape (2**20, 0)), in a
        fitted array's place that a method reads by ``.shape``: CategoricalNB.class_count_
        (1.5 KB file) or the calibrators' ``_CalibratedClassifier.classes`` (2 KB):
        predict_proba allocates (2000, 2**20), 16 GB. With profiles=["pandas"] scan is SAFE
        and load_unsigned loads, on the START snapshot and on the working tree's rt56-01 fix
        (a range's and an empty array's bounds do not reach a pandas index, which is the
        same unpaid length as rt55-01's range). rt55-01's own slots alike with a RangeIndex
        for the range: LabelBinarizer.classes_ (transform) and DummyClassifier.class_prior_
        (predict_proba) load and ask for 16 GB.
rt56-08 (HARM: memory) a numpy dtype as the stand-in: ``np.dtype((np.dtype([]), (2**20,)))``, a
        sub-array of 2**20 zero-byte records, has ``.shape == (2**20,)`` and itemsize 0, so
        the dtype rule ("a structured or sub-array dtype of more than 4,096 bytes per item")
        passes it (the same dtype of int8 items is refused for its 1 MB itemsize). As
        CategoricalNB.class_count_ or the calibrators' ``_CalibratedClassifier.classes``
        (a dtype is plain data, an atom to the walk): predict_proba asks for (2000, 2**20),
        16 GB, from a 1.5 KB file. scan SAFE, load_unsigned loads, START snapshot and working
        tree alike. (A dtype's shape is one more array answer that ARRAY_ANSWERS does not
        reach: it is the dtype's own.)
Held (tried, safe): see the final report; notably nested frozenset/set/list/tuple/dict/
        OrderedDict/Counter/defaultdict at depths 14-17 under protocols 0-5 (scan = load
        everywhere), a list appended to after set(list) consumed it (both refuse), masked /
        object / str / bool / datetime / view labels arrays (scan = load), HMACKey timing.
"""

# ruff: noqa: E501
from __future__ import annotations

import pickle

import numpy as np
import pytest

from redteam import (
    GB,
    PANDAS_SAFE_CALL,
    PLAIN_SKOPS_CALL,
    assert_safeload_refuses,
    assert_scan_predicts_load,
    child,
    memory_harm_file,
    write,
)

# --- rt56-01: an unpaid axis of 2**20 read by .shape ----------------------------------------------


def _unpaid_axis(slot: str, form: str):
    import scipy.sparse as sp
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import CategoricalNB

    if form == "empty-ndarray":
        big = np.empty((2**20, 0))
    elif form == "empty-sparse":
        big = sp.coo_matrix((2**20, 1))
    else:  # one stored value per 64 rows
        k = 2**20 // 64
        big = sp.coo_matrix((np.ones(k), (np.arange(k) * 64, np.zeros(k, dtype=np.int32))), shape=(2**20, 1))
    rng = np.random.RandomState(0)
    y = np.arange(60) % 3
    if slot == "categorical-nb":
        model = CategoricalNB().fit(rng.randint(0, 3, (60, 4)), y)
        model.class_count_ = big
        call = "model.predict_proba(numpy.random.RandomState(1).randint(0, 3, (2000, 4)))"
    else:
        model = CalibratedClassifierCV(LogisticRegression(), cv=2).fit(rng.rand(60, 4), y)
        if slot == "calibrated-classes":
            for calibrated in model.calibrated_classifiers_:
                calibrated.classes = big
        else:
            model.classes_ = big
        call = "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"
    return pickle.dumps(model, protocol=5), call


@pytest.mark.parametrize(
    "slot,form",
    [
        ("categorical-nb", "empty-ndarray"),
        ("categorical-nb", "empty-sparse"),
        ("calibrated-classes", "empty-ndarray"),
        ("calibrated-classes", "empty-sparse"),
        ("calibrated-cv-classes", "empty-sparse"),
        ("categorical-nb", "spread-sparse"),
        ("calibrated-classes", "spread-sparse"),
    ],
)
def test_rt56_01_unpaid_axis_by_shape(tmp_path, slot, form):
    data, call = _unpaid_axis(slot, form)
    path = memory_harm_file(tmp_path, data, call, limit=300_000)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt56-02: _frombuffer with a subarray dtype -----------------------------------------------------


def _frombuffer_subarray(where: str, order: str) -> bytes:
    import io

    from numpy._core.numeric import _frombuffer
    from sklearn.preprocessing import StandardScaler

    target = np.zeros(3, dtype=np.int16)
    if where == "dict":
        obj: object = {"a": target}
    elif where == "labels":
        from sklearn.metrics import f1_score, make_scorer

        obj = make_scorer(f1_score, labels=target, average="macro")
    else:
        obj = StandardScaler().fit(np.random.RandomState(0).rand(10, 3))
        obj.scale_ = target  # type: ignore[attr-defined]
    reduced = (_frombuffer, (bytes(6), np.dtype(("i1", (2,))), (3,), order))

    class _Pickler(pickle.Pickler):
        def reducer_override(self, o):  # type: ignore[no-untyped-def]
            return reduced if o is target else NotImplemented

    buf = io.BytesIO()
    _Pickler(buf, protocol=5).dump(obj)
    return buf.getvalue()


@pytest.mark.parametrize("where", ["dict", "scale_", "labels"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_rt56_02_frombuffer_subarray(tmp_path, where, order):
    assert_scan_predicts_load(_frombuffer_subarray(where, order), tmp_path)


# --- rt56-03: public keys encoded twice, taken as HMAC secrets -------------------------------------


def _public_key_texts() -> dict[str, bytes]:
    import base64

    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    pem = key.public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)
    der = key.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    ssh = key.public_bytes(ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH)
    return {
        "base64-of-pem": base64.b64encode(pem),
        "base64-of-pem-wrapped": base64.encodebytes(pem),
        "base64-of-ssh-line": base64.b64encode(ssh),
        "hex-of-pem": pem.hex().encode(),
        "quoted-base64-der": b'"' + base64.b64encode(der) + b'"',
        "yaml-line-base64-der": b"public_key: " + base64.b64encode(der) + b"\n",
    }


@pytest.mark.parametrize("form", sorted(_public_key_texts()))
def test_rt56_03_public_key_encoded_twice(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_public_key_texts()[form])


# --- rt56-04: a standard-library value made from an instance --------------------------------------


def _value_from_instance(kind: str, where: str, protocol: int) -> bytes:
    import datetime
    import io
    import pathlib
    import uuid

    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    func = {
        "date": datetime.date,
        "timedelta": datetime.timedelta,
        "pure-path": pathlib.PurePosixPath,
        "time": datetime.time,
        "datetime": datetime.datetime,
        "timezone": datetime.timezone,
        "windows-path": pathlib.PureWindowsPath,
        "uuid": uuid.UUID,
    }[kind]
    marker = object()
    reduced = (func, (StandardScaler(),))
    X = np.random.RandomState(0).rand(20, 2)
    clf = LogisticRegression().fit(X, np.arange(20) % 2)
    if where == "alone":
        obj: object = {"v": marker}
    elif where == "beside":
        obj = {"model": clf, "v": marker}
    else:
        clf.extra_ = marker  # type: ignore[attr-defined]
        obj = clf

    class _Pickler(pickle.Pickler):
        def reducer_override(self, o):  # type: ignore[no-untyped-def]
            return reduced if o is marker else NotImplemented

    buf = io.BytesIO()
    _Pickler(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


@pytest.mark.parametrize(
    "kind", ["date", "timedelta", "pure-path", "time", "datetime", "timezone", "windows-path", "uuid"]
)
@pytest.mark.parametrize("where", ["alone", "beside", "attr"])
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt56_04_value_from_instance(tmp_path, kind, where, protocol):
    assert_scan_predicts_load(_value_from_instance(kind, where, protocol), tmp_path)


# --- rt56-05: one fitted array shared across a per-output list --------------------------------------


def _shared_per_output(kind: str, outputs: int = 200):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    Y = np.stack([np.arange(60) % 3, np.arange(60) % 2], 1)
    labels = np.arange(4096)
    if kind == "dummy":
        from sklearn.dummy import DummyClassifier

        model = DummyClassifier(strategy="prior").fit(X, Y)
        prior = np.full(4096, 1 / 4096)
        model.classes_ = [labels] * outputs
        model.class_prior_ = [prior] * outputs
        model.n_classes_ = [4096] * outputs
        model.n_outputs_ = outputs
    elif kind == "multi-output":
        from sklearn.linear_model import LogisticRegression
        from sklearn.multioutput import MultiOutputClassifier

        model = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
        one = model.estimators_[0]
        one.classes_, one.coef_, one.intercept_ = labels, np.zeros((4096, 4)), np.zeros(4096)
        model.estimators_ = [one] * outputs
    elif kind == "multi-output-distinct":
        from sklearn.linear_model import LogisticRegression
        from sklearn.multioutput import MultiOutputClassifier

        model = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
        weights, intercept = np.zeros((4096, 4)), np.zeros(4096)
        estimators = []
        for _ in range(outputs):
            est = LogisticRegression()
            est.__dict__.update(vars(model.estimators_[0]))
            est.classes_, est.coef_, est.intercept_ = labels, weights, intercept
            estimators.append(est)
        model.estimators_ = estimators
    else:
        from sklearn.neighbors import KNeighborsClassifier

        model = KNeighborsClassifier(n_neighbors=1).fit(X[:10], Y[:10])
        model.classes_ = [labels] * outputs
        model._y = np.zeros((10, outputs), dtype=np.intp)
    call = "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"
    return pickle.dumps(model, protocol=5), call


@pytest.mark.parametrize("kind", ["dummy", "kneighbors", "multi-output", "multi-output-distinct"])
def test_rt56_05_shared_per_output(tmp_path, kind):
    data, call = _shared_per_output(kind)
    path = memory_harm_file(tmp_path, data, call, limit=250_000)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


def _joblib_subarray(where: str) -> bytes:
    import io

    from joblib.numpy_pickle import NumpyPickler
    from sklearn.preprocessing import StandardScaler

    target = np.zeros(6, dtype=np.int8)
    if where == "dict":
        obj: object = {"a": target}
    elif where == "labels":
        from sklearn.metrics import f1_score, make_scorer

        obj = make_scorer(f1_score, labels=target, average="macro")
    else:
        obj = StandardScaler().fit(np.random.RandomState(0).rand(10, 3))
        obj.scale_ = target  # type: ignore[attr-defined]

    class _Pickler(NumpyPickler):
        def _create_array_wrapper(self, array):  # type: ignore[no-untyped-def]
            wrapper = super()._create_array_wrapper(array)
            if array is target:
                wrapper.dtype, wrapper.shape = np.dtype(("i1", (2,))), (3,)
            return wrapper

    buf = io.BytesIO()
    _Pickler(buf).dump(obj)
    return buf.getvalue()


@pytest.mark.parametrize("where", ["dict", "scale_", "labels"])
def test_rt56_02_joblib_subarray(tmp_path, where):
    import joblib

    data = _joblib_subarray(where)
    path = write(tmp_path, data, "m.joblib")
    with pytest.raises(ValueError):
        joblib.load(path)
    import safeload

    safe = safeload.scan(path).safe
    try:
        safeload.load_unsigned(path)
        loaded = True
    except safeload.SafeloadError:
        loaded = False
    assert safe == loaded, (safe, loaded)


def test_rt56_05_shared_per_output_skops(tmp_path):
    import skops.io as sio

    data, call = _shared_per_output("dummy")
    path = tmp_path / "m.skops"
    sio.dump(pickle.loads(data), path)
    shown = child(PLAIN_SKOPS_CALL.format(call=call), path, memory=1 * GB, cpu=30, timeout=60)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt56-06: an empty sparse random feature map of 2**20 columns ---------------------------------


def _empty_feature_map(kind: str):
    import scipy.sparse as sp
    from sklearn.kernel_approximation import RBFSampler, SkewedChi2Sampler

    if kind == "lda":
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

        X = np.random.RandomState(0).rand(60, 4)
        lda = LinearDiscriminantAnalysis().fit(X, np.arange(60) % 3)
        lda.scalings_ = sp.csr_matrix((4, 2**20))
        return pickle.dumps(lda, protocol=5), "model.transform(numpy.random.RandomState(1).rand(2000, 4))"
    cls = SkewedChi2Sampler if kind == "skewed-chi2" else RBFSampler
    model = cls(n_components=8, random_state=0).fit(np.random.RandomState(0).rand(60, 4))
    model.random_weights_ = sp.csr_matrix((4, 2**20))
    if kind == "rbf-spread":
        k = 2**20 // 64
        ones, rows, cols = np.ones(k), np.zeros(k, dtype=np.int32), np.arange(k) * 64
        model.random_weights_ = sp.csr_matrix((ones, (rows, cols)), shape=(4, 2**20))
    model.random_offset_ = np.zeros(1)
    del model._n_features_out
    call = "model.transform(numpy.random.RandomState(1).rand(2000, 4))"
    return pickle.dumps(model, protocol=5), call


@pytest.mark.parametrize("kind", ["rbf", "skewed-chi2", "lda", "rbf-spread"])
def test_rt56_06_empty_feature_map(tmp_path, kind):
    data, call = _empty_feature_map(kind)
    path = memory_harm_file(tmp_path, data, call, limit=250_000)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt56-07: a pandas RangeIndex / empty frame in a fitted array's place ---------------------------




def _pandas_unpaid(form: str, slot: str):
    import pandas as pd
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import CategoricalNB

    big = pd.RangeIndex(2**20) if form == "range-index" else pd.DataFrame(index=pd.RangeIndex(2**20))
    rng = np.random.RandomState(0)
    y = np.arange(60) % 3
    if slot == "label-binarizer":
        from sklearn.preprocessing import LabelBinarizer

        model = LabelBinarizer().fit(np.arange(40) % 3)
        model.classes_ = big
        return pickle.dumps(model, protocol=5), "model.transform(numpy.arange(2000) % 3)"
    if slot == "dummy-prior":
        from sklearn.dummy import DummyClassifier

        model = DummyClassifier().fit(rng.rand(60, 4), y)
        model.class_prior_ = big
        return pickle.dumps(model, protocol=5), "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"
    if slot == "calibrated-classes":
        model = CalibratedClassifierCV(LogisticRegression(), cv=2).fit(rng.rand(60, 4), y)
        for calibrated in model.calibrated_classifiers_:
            calibrated.classes = big
        call = "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"
    else:
        model = CategoricalNB().fit(rng.randint(0, 3, (60, 4)), y)
        model.class_count_ = big
        call = "model.predict_proba(numpy.random.RandomState(1).randint(0, 3, (2000, 4)))"
    return pickle.dumps(model, protocol=5), call


@pytest.mark.parametrize(
    "form,slot",
    [
        ("range-index", "categorical-nb"),
        ("range-index", "calibrated-classes"),
        ("empty-frame", "categorical-nb"),
        ("empty-frame", "calibrated-classes"),
        ("range-index", "label-binarizer"),
        ("range-index", "dummy-prior"),
    ],
)
def test_rt56_07_pandas_unpaid_length(tmp_path, form, slot):
    from redteam import assert_refused_by_both

    data, call = _pandas_unpaid(form, slot)
    path = memory_harm_file(tmp_path, data, call, limit=5_000)
    safe = child(PANDAS_SAFE_CALL.format(call=call), path, memory=1 * GB, cpu=30, timeout=60)
    assert_refused_by_both(safe)


# --- rt56-08: a zero-itemsize sub-array dtype in a fitted array's place ----------------------------


def _dtype_stand_in(slot: str):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import CategoricalNB

    big = np.dtype((np.dtype([]), (2**20,)))
    assert big.shape == (2**20,) and big.itemsize == 0
    rng = np.random.RandomState(0)
    y = np.arange(60) % 3
    if slot == "calibrated-classes":
        model = CalibratedClassifierCV(LogisticRegression(), cv=2).fit(rng.rand(60, 4), y)
        for calibrated in model.calibrated_classifiers_:
            calibrated.classes = big
        call = "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"
    else:
        model = CategoricalNB().fit(rng.randint(0, 3, (60, 4)), y)
        model.class_count_ = big
        call = "model.predict_proba(numpy.random.RandomState(1).randint(0, 3, (2000, 4)))"
    return pickle.dumps(model, protocol=5), call


@pytest.mark.parametrize("slot", ["categorical-nb", "calibrated-classes"])
def test_rt56_08_dtype_stand_in(tmp_path, slot):
    data, call = _dtype_stand_in(slot)
    path = memory_harm_file(tmp_path, data, call, limit=5_000)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


def _public_key_residual_forms() -> dict[str, bytes]:
    import urllib.parse

    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    import certs

    ca_key = ec.derive_private_key(7, ec.SECP256R1())
    cert = certs.make_cert("leaf", ca_key, "leaf", ca_key, ca=False)
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    der = key.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    ssh = key.public_bytes(ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH)
    return {
        "url-encoded-certificate-pem": urllib.parse.quote(certs.pem(cert).decode()).encode(),
        "der-with-c-string-nul": der + b"\x00",
        "openssh-base64-blob-in-text": b"key " + ssh.split()[1] + b" end",
    }


@pytest.mark.parametrize("form", sorted(_public_key_residual_forms()))
def test_rt56_03_public_key_residual(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_public_key_residual_forms()[form])
