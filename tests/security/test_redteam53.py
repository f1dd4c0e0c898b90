"""Red team 53's reproducers (helper-100, 14:21-15:07 UTC), all eight fixed (normal tests; a
HARM test shows the harm under plain pickle first).

rt53-01 (PARITY) _codecs.encode(<not a str>, 'latin1'): an int, a date, a numpy float, a dtype,
        an estimator, or numpy.str_ with a wide character: scan SAFE, the load fails.
rt53-02 (TRUST) HMACKey takes a DER certificate, DER + newline, a PEM body, an OpenSSH blob or a
        JWK as its secret (public forms rt51-04 missed).
rt53-03 (PARITY, scan SAFE on a crashing file) scan's shadow graph (shadow._children) does not
        enter slices, masked object arrays (cv_results_) nor dict keys the builder could not make: a stray weighted metric there is
        SAFE (the load refuses; plain pickle crashes on sparse pairwise), an HGB owner there makes
        scan refuse what the load loads, a shared DAG there is SAFE (the load refuses).
rt53-04 (PARITY) a shared DAG dropped by POP: scan SAFE, the load's walk of the discards refuses.
rt53-05 (PARITY) nested shared lists: scan's sharing bound counts a leaf container the load's
        does not (scan refuses, the load loads).
rt53-06 (PARITY) newObj(newObj): SAFE to scan, the load fails.
rt53-07 (HARM: memory) a fitted array replaced by a Bunch (answering shape=(10**9,)) or an empty
        sparse matrix of a huge shape: SAFE and loaded; transform/predict/get_support allocate
        gigabytes from a file of a few KB.
rt53-08 (PARITY / allowlist) a joblib NumpyArrayWrapper fetched from the memo, or never built,
        reaches the model (safeload's own stand-in class, or a bare joblib wrapper).

Fixed: rt53-01 and rt53-06 in call_rules (encode's exact form; newObj takes only the helper's
own classes), rt53-02 in hmac_key, rt53-03 to rt53-05 by one graph and one sharing rule for
scan and load (shadow._children, sharing.sharing_problem; masked arrays made for real), rt53-07
by a Bunch's one place (structures/bunch.py), a univariate selector's scores and paid sparse
columns, rt53-08 in the walker (a wrapper fetched again, or never built).
"""

# ruff: noqa: E501
from __future__ import annotations

import io
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

from redteam import assert_scan_predicts_load, binunicode, global_

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _scaler():
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit([[0.0], [1.0]])


def _model_body(protocol: int = 2) -> bytes:
    """A fitted StandardScaler's opcodes after PROTO (ending with STOP)."""
    data = pickle.dumps(_scaler(), protocol=protocol)
    return data[2:] if protocol >= 2 else data


def _encode_int(number: bytes) -> bytes:
    """``_codecs.encode(<int>, 'latin1')``: protocol 2's bytes form given an int."""
    return global_("_codecs", "encode") + number + binunicode("latin1") + b"\x86R"


@pytest.mark.parametrize("number", [b"K\x05", b"J\xff\xff\xff\x7f", b"\x8a\x09" + b"\x01" * 9])
@pytest.mark.parametrize("how", ["kept", "dropped"])
def test_rt53_01_encode_of_int(tmp_path, number, how):
    call = _encode_int(number)
    data = b"\x80\x02" + (call + b"." if how == "kept" else call + b"0" + _model_body())
    with pytest.raises(TypeError):
        pickle.loads(data)  # the call fails under plain pickle too
    assert_scan_predicts_load(data, tmp_path, refused=True)


class _Call:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def _encode_object(which: str) -> bytes:
    import _codecs
    import datetime

    arg = {
        "date": datetime.date(2020, 1, 1),
        "float64": np.float64(1.0),
        "dtype": np.dtype("f8"),
        "wide-str_": np.str_("\u0100"),
        "estimator": _scaler(),
    }[which]
    return pickle.dumps(_Call(_codecs.encode, arg, "latin1"), protocol=2)[2:-1]


@pytest.mark.parametrize("which", ["date", "float64", "dtype", "wide-str_", "estimator"])
@pytest.mark.parametrize("how", ["kept", "dropped"])
def test_rt53_01_encode_of_object(tmp_path, which, how):
    """The shadow builder makes ``Unknown`` (no problem) of an encode whose argument is not
    plain data, and nothing else judges it; numpy's ``str_`` is a str, made for real, whose
    wide character latin1_text_problem never sees (it looks at constants only)."""
    call = _encode_object(which)
    data = b"\x80\x02" + (call + b"." if how == "kept" else call + b"0" + _model_body())
    with pytest.raises((TypeError, UnicodeEncodeError)):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _public_forms() -> dict[str, bytes]:
    """Public-key encodings that are not secrets, in forms rt51-04's check misses."""
    import base64
    import json

    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    from certs import self_signed

    pub = ed25519.Ed25519PrivateKey.generate().public_key()
    spki = pub.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
    ssh = pub.public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH)
    raw = pub.public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    ek = ec.generate_private_key(ec.SECP256R1())
    cert = self_signed(ek)
    return {
        "certificate-der": cert.public_bytes(s.Encoding.DER),
        "spki-der-newline": spki + b"\n",
        "pem-body-base64": base64.b64encode(spki),
        "openssh-blob": base64.b64decode(ssh.split()[1]),
        "openssh-blob-base64": ssh.split()[1],
        "jwk": json.dumps(
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            }
        ).encode(),
    }


@pytest.mark.parametrize(
    "form",
    [
        "certificate-der",
        "spki-der-newline",
        "pem-body-base64",
        "openssh-blob",
        "openssh-blob-base64",
        "jwk",
    ],
)
def test_rt53_02_hmac_secret_public_forms(form):
    """rt51-04 refuses DER SubjectPublicKeyInfo, PEM armour, OpenSSH lines and X9.62 points,
    but a DER certificate (the CA file's own form), the same DER with the newline a file
    read adds, the base64 body of a PEM file, an OpenSSH key blob (raw or base64, as in
    authorized_keys' second field) and a JWK are all public and still accepted: whoever
    holds the public key can then make valid MACs."""
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    secret = _public_forms()[form]
    with pytest.raises(KeyFormatError):
        HMACKey(secret)


# --- rt53-03: scan's shadow graph does not enter a slice or a dict's shadow keys ----------------


def _mahalanobis():
    from sklearn.metrics import DistanceMetric

    return DistanceMetric.get_metric("mahalanobis", VI=np.eye(2))


def _held_metric(where: str):
    metric = _mahalanobis()
    if where == "cv-results":
        import warnings

        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GridSearchCV

        X = np.random.RandomState(0).rand(30, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search = GridSearchCV(LogisticRegression(), {"class_weight": [None, "balanced"]}, cv=2)
            search.fit(X, np.arange(30) % 2)
        search.cv_results_["param_class_weight"][0] = metric  # a masked object array
        return search
    return {
        "slice": [slice(metric, None, None)],
        "dict-key": {metric: 1},
        "tuple-key": {(metric,): 1},
        "frozenset-key": {frozenset([metric]): 1},
    }[where]


#: The metric fetched from where the model holds it, then rt51-07's honest sparse pairwise.
_METRIC_CALL = {
    "slice": "metric = model[0].start",
    "dict-key": "metric = next(iter(model))",
    "tuple-key": "metric = next(iter(model))[0]",
    "frozenset-key": "metric = next(iter(next(iter(model))))",
    "cv-results": "metric = model.cv_results_['param_class_weight'].data[0]",
}
_SPARSE_PAIRWISE = (
    "import scipy.sparse\n"
    "    X = scipy.sparse.csr_matrix((numpy.ones(2), ([0, 1], [2**24 - 1, 7])), shape=(2, 2**24))\n"
    "    print(metric.pairwise(X)[0, :2], flush=True)"
)


@pytest.mark.parametrize("where", ["slice", "dict-key", "tuple-key", "frozenset-key", "cv-results"])
def test_rt53_03_stray_metric_in_slice_or_key(tmp_path, where):
    """``stray_metric_problem`` runs on scan's shadow graph (``shadow._children``), which
    does not enter a slice or a masked object array (a search's ``cv_results_`` column: only
    an exact ndarray is entered) and misses the shadow keys of a dict; the load's use-time
    walk enters all of them and refuses. scan calls a file SAFE whose honest use crashes: under plain
    pickle rt51-07's honest sparse pairwise on the metric, fetched from where the model holds
    it, kills the process (checked first, in a child)."""
    from redteam import PLAIN_CALL, child

    data = pickle.dumps(_held_metric(where), protocol=5)
    path = tmp_path / "plain.pkl"
    path.write_bytes(data)
    ran = child(
        PLAIN_CALL.format(call=_METRIC_CALL[where] + "\n    " + _SPARSE_PAIRWISE),
        path,
        cpu=20,
        timeout=120,
    )
    assert "loaded" in ran.stdout and "call done" not in ran.stdout and ran.returncode != 0, ran
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _hgb_owner_in(where: str):
    from sklearn.ensemble import HistGradientBoostingRegressor

    X = np.random.RandomState(0).rand(50, 3)
    owner = HistGradientBoostingRegressor(max_iter=3).fit(X, X[:, 0])
    predictor = owner._predictors[0][0]
    return {"slice": [predictor, slice(owner, None, None)], "dict-key": [predictor, {owner: 1}]}[
        where
    ]


@pytest.mark.parametrize("where", ["slice", "dict-key"])
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt53_03_hgb_owner_in_slice_or_key(tmp_path, where, protocol):
    """The same blind spot the other way: ``held_orphan_problem`` on scan's shadow graph does
    not see the owner estimator, so the predictor is called an orphan; the load's walk sees
    the owner and loads."""
    data = pickle.dumps(_hgb_owner_in(where), protocol=protocol)
    assert_scan_predicts_load(data, tmp_path)


# --- rt53-04 / rt53-05: the sharing bound, scan against load ----------------------------------


@pytest.mark.parametrize(("depth", "fan"), [(5, 6), (4, 9)])
def test_rt53_04_dropped_shared_dag(tmp_path, depth, fan):
    """validate_loaded walks the discards with the use-time walk, whose sharing bound
    (trust.sharing.check_sharing) refuses them; scan's shadows of dropped values (rt52-05)
    get the native checks but not the sharing bound, which shadow._sharing_problem runs on the
    model's root only."""
    from redteam import tuple_dag

    data = b"\x80\x02" + tuple_dag(depth, fan) + b"0" + _model_body()
    assert type(pickle.loads(data)).__name__ == "StandardScaler"
    assert_scan_predicts_load(data, tmp_path, refused=True)


def _nested_shared_lists():
    leaf = [1]
    mid = [leaf] * 8
    return [[mid] * 8] * 8


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_rt53_05_nested_shared_lists(tmp_path, protocol):
    """``[[mid] * 8] * 8`` with ``mid = [[1]] * 8``, pickled by pickle: scan's shadow graph
    counts the innermost list (it holds an atom) as a node, 585 met against a cap of 288; the
    load's walk (trust.sharing.check_sharing) does not count it: 73 met against 280, loaded. The tuple DAG of depth 3 and fan 6-8 is
    the same."""
    data = pickle.dumps(_nested_shared_lists(), protocol=protocol)
    assert_scan_predicts_load(data, tmp_path)


# --- rt53-06: scikit-learn's newObj given itself --------------------------------------------


@pytest.mark.parametrize(
    "module",
    ["sklearn.neighbors._kd_tree", "sklearn.neighbors._ball_tree", "sklearn.metrics._dist_metrics"],
)
@pytest.mark.parametrize("how", ["kept", "dropped"])
def test_rt53_06_newobj_of_itself(tmp_path, module, how):
    """call_rules' NEW_OBJ rule accepts any global of the helper's own module as its class,
    and the helper itself is one: ``newObj(newObj)`` is ``newObj.__new__(newObj)``, a
    TypeError in the load (rt52-06 refused NEWOBJ on a function; this is the helper's REDUCE
    form). Scan calls it SAFE, kept or dropped."""
    helper = binunicode(module) + binunicode("newObj") + b"\x93"
    call = helper + helper + b"\x85R"
    data = b"\x80\x04" + (call + b"." if how == "kept" else call + b"0" + _model_body(4))
    with pytest.raises(TypeError):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt53-07: a fitted array replaced by a Bunch or an empty sparse matrix of any shape ---------


def _fitted(name: str):
    from sklearn.decomposition import PCA
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.kernel_approximation import RBFSampler
    from sklearn.naive_bayes import CategoricalNB
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(40, 4)
    y = (X[:, 0] > 0.5).astype(int)
    make = {
        "SelectKBest": lambda: SelectKBest(f_classif, k="all").fit(X, y),
        "KNeighborsClassifier": lambda: KNeighborsClassifier(3).fit(X, y),
        "CategoricalNB": lambda: CategoricalNB().fit(rng.randint(0, 3, (40, 4)), y),
        "PCA": lambda: PCA(2).fit(X),
        "LinearDiscriminantAnalysis": lambda: LinearDiscriminantAnalysis().fit(X, y),
        "RBFSampler": lambda: RBFSampler(random_state=0).fit(X),
    }
    return make[name]()


#: (estimator, attribute, stand-in, the honest call that sizes an allocation by its .shape)
_SHAPED = {
    "selectkbest-scores-bunch": (
        "SelectKBest",
        "scores_",
        "bunch",
        "model.transform(numpy.ones((2, 4)))",
    ),
    "selectkbest-scores-csr": ("SelectKBest", "scores_", "csr", "model.get_support()"),
    "kneighbors-classes-bunch": (
        "KNeighborsClassifier",
        "classes_",
        "bunch",
        "model.predict_proba(numpy.ones((2, 4)))",
    ),
    "categoricalnb-class-count-bunch": (
        "CategoricalNB",
        "class_count_",
        "bunch",
        "model.predict(numpy.ones((2, 4), dtype=int))",
    ),
    "pca-components-csr": ("PCA", "components_", "csr", "model.score_samples(numpy.ones((2, 4)))"),
    "lda-scalings-csr": (
        "LinearDiscriminantAnalysis",
        "scalings_",
        "csr",
        "model.transform(numpy.ones((2, 4)))",
    ),
    "rbfsampler-weights-csr": (
        "RBFSampler",
        "random_weights_",
        "csr",
        "model.transform(numpy.ones((2, 4)))",
    ),
}


def _shaped_model(case: str):
    import scipy.sparse as sp
    from sklearn.utils import Bunch

    name, attr, kind, _call = _SHAPED[case]
    model = _fitted(name)
    honest = np.asarray(getattr(model, attr))
    if kind == "bunch":
        stand_in = Bunch(shape=(10**9, *honest.shape[1:]), ndim=honest.ndim, size=10**9)
    else:
        rows = 1 if honest.ndim == 1 else honest.shape[0]
        stand_in = sp.csr_matrix((rows, 10**9))
    setattr(model, attr, stand_in)
    return model


@pytest.mark.parametrize("case", sorted(_SHAPED))
def test_rt53_07_shaped_stand_in(tmp_path, case):
    """The harm under plain pickle first: the honest call allocates by the stand-in's
    ``.shape`` (gigabytes, from a file of a few KB), here stopped by a 256 MB address-space
    allowance (MemoryError). Then safeload: scan calls the file SAFE and load_unsigned
    returns it, and the same call after safeload allocates the same (in a child)."""
    from redteam import MB, PLAIN_CALL, assert_safeload_refuses, child

    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(_shaped_model(case), protocol=4))
    assert path.stat().st_size < 16384
    ran = child(
        PLAIN_CALL.format(call=_SHAPED[case][3]), path, memory=256 * MB, cpu=20, timeout=120
    )
    assert "loaded" in ran.stdout and "call MemoryError" in ran.stdout, ran
    assert_safeload_refuses(path, _SHAPED[case][3], memory=256 * MB, cpu=20, timeout=120)


# --- rt53-08: a joblib array wrapper fetched again from the memo -----------------------------


def _wrapper_from_memo(where: str) -> bytes:
    """A joblib stream ``[array, X]`` where ``X`` holds a BINGET of the first array wrapper's
    memo slot (the object NEWOBJ made, memoised before its BUILD): joblib's own pickler never
    refers to it again. ``where``: ``item`` (X is it) or ``knn-weights`` (a fitted
    KNeighborsClassifier whose ``weights`` is it)."""
    import pickletools

    import joblib
    from sklearn.neighbors import KNeighborsClassifier

    marker = "MARKERXYZ"
    if where == "item":
        second: object = marker
    else:
        X = np.random.RandomState(0).rand(10, 2)
        second = KNeighborsClassifier(3, weights="distance").fit(X, np.arange(10) % 2)
        second.weights = marker
    buf = io.BytesIO()
    joblib.dump([np.arange(3), second], buf, protocol=4)
    data = buf.getvalue()
    slot = 0
    for op, _arg, _pos in pickletools.genops(io.BytesIO(data)):
        if op.name == "NEWOBJ":
            break
        slot += op.name == "MEMOIZE"
    old = b"\x8c" + bytes([len(marker)]) + marker.encode()
    new = b"N0" * 3 + b"j" + slot.to_bytes(4, "little")  # same length: the FRAME stays right
    assert data.count(old) == 1 and len(new) == len(old)
    return data.replace(old, new)


@pytest.mark.parametrize("where", ["item", "knn-weights", "never-built"])
def test_rt53_08_wrapper_from_memo(tmp_path, where):
    """joblib.load returns its NumpyArrayWrapper object there; safeload's load returns the
    stand-in class it made for the load (``joblib_stream._wrapper_standin.<locals>.
    NumpyArrayWrapper``, outside the allowlist, callable, holding the load's _ArrayRegions
    and guard). As a list item both scan (SAFE) and the load admit it; as
    ``KNeighborsClassifier.weights`` scan refuses it (not callable, it thinks) while the load
    loads it (it is callable, so the parameter constraint passes), and ``predict`` then calls
    into safeload's reader. ``never-built``: a wrapper made by NEWOBJ and never given its
    BUILD (no array follows): the stream has no wrapper BUILD, so the load resolves joblib's
    real class and returns a bare ``joblib.numpy_pickle.NumpyArrayWrapper``, SAFE to scan.
    A stream that refers to a wrapper again, or keeps one unbuilt, should be refused."""
    import joblib

    if where == "never-built":
        wrapper = binunicode("joblib.numpy_pickle") + binunicode("NumpyArrayWrapper") + b"\x93"
        data = b"\x80\x04]" + wrapper + b")\x81a."
    else:
        data = _wrapper_from_memo(where)
    loaded = joblib.load(io.BytesIO(data))
    if where == "never-built":
        loaded = [None, loaded[0]]
    held = loaded[1].weights if where == "knn-weights" else loaded[1]
    assert type(held).__name__ == "NumpyArrayWrapper"
    assert_scan_predicts_load(data, tmp_path, refused=True, name="m.joblib")


def _shared_dag(depth: int, fan: int) -> list:
    node: list = [1]
    for _ in range(depth):
        node = [node] * fan
    return node


@pytest.mark.parametrize(("depth", "fan"), [(5, 6), (6, 5)])
def test_rt53_03_shared_dag_in_slice(tmp_path, depth, fan):
    """The same blind spot for the sharing bound (shadow._sharing_problem over
    shadow._children): the DAG on its own is refused by both; inside a slice scan does not
    see it and the load's walk does."""
    data = pickle.dumps([slice(_shared_dag(depth, fan), None, None)], protocol=4)
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- tests added with the fixes (helper-101): rt53-01 and rt53-06 neighbours ---------------


def _encode_forms() -> dict[str, bytes]:
    """Neighbours of rt53-01: ``_codecs.encode`` by INST and OBJ (the same call, another
    opcode) on an int, on bytes, on a narrow numpy ``str_`` (which CPython encodes, but which
    the pass cannot read: refused by both), and with the codec spelled otherwise than pickle's
    ``'latin1'``."""
    import _codecs

    latin1 = binunicode("latin1")
    return {
        "inst-int": b"(K\x05" + latin1 + b"i_codecs\nencode\n",
        "obj-int": b"(" + global_("_codecs", "encode") + b"K\x05" + latin1 + b"o",
        "bytes": pickle.dumps(_Call(_codecs.encode, b"ab", "latin1"), protocol=2)[2:-1],
        "narrow-str_": pickle.dumps(_Call(_codecs.encode, np.str_("ab"), "latin1"), protocol=2)[
            2:-1
        ],
        "latin-1": global_("_codecs", "encode")
        + binunicode("ab")
        + binunicode("latin-1")
        + b"\x86R",
        "three-args": global_("_codecs", "encode")
        + binunicode("ab")
        + latin1
        + binunicode("strict")
        + b"\x87R",
    }


@pytest.mark.parametrize("form", list(_encode_forms()))
@pytest.mark.parametrize("how", ["kept", "dropped"])
def test_rt53_01_encode_neighbours(tmp_path, form, how):
    """Only ``encode(<text constant>, 'latin1')`` is taken, by every call opcode, kept or
    dropped; the rest is refused by scan and load alike."""
    call = _encode_forms()[form]
    data = b"\x80\x02" + (call + b"." if how == "kept" else call + b"0" + _model_body())
    assert_scan_predicts_load(data, tmp_path, refused=True)


@pytest.mark.parametrize("opcode", ["reduce", "inst", "big"])
def test_rt53_01_encode_of_text_loads(tmp_path, opcode):
    """What pickle writes still loads: a text constant, small or large, encoded by 'latin1'."""
    text = (
        binunicode("ab\xff")
        if opcode != "big"
        else b"X" + (1 << 18).to_bytes(4, "little") + b"a" * (1 << 18)
    )
    if opcode == "inst":
        call = b"(" + text + binunicode("latin1") + b"i_codecs\nencode\n"
    else:
        call = global_("_codecs", "encode") + text + binunicode("latin1") + b"\x86R"
    from redteam import parity

    data = b"\x80\x02" + call + b"."
    assert pickle.loads(data).startswith(b"a")
    assert parity(data, tmp_path) == (True, "loaded")


def _stack_global(module: str, name: str) -> bytes:
    return binunicode(module) + binunicode(name) + b"\x93"


_KD = "sklearn.neighbors._kd_tree"
_RECONSTRUCTOR = _stack_global("copyreg", "_reconstructor")
_OBJECT = _stack_global("builtins", "object")


def _maker_forms() -> dict[str, bytes]:
    """Neighbours of rt53-06: the helper given itself by INST and OBJ (the same call, another
    opcode), given another module's helper or a function of the allowlist, and copyreg's
    ``_reconstructor`` (protocols 0-1's maker, ``object.__new__(cls)``) given a function or a
    constant as its class: each a TypeError in the load."""
    helper = _stack_global(_KD, "newObj")
    forms = {
        "inst-itself": b"(" + helper + b"i" + _KD.encode() + b"\nnewObj\n",
        "obj-itself": b"(" + helper + helper + b"o",
        "other-helper": helper
        + _stack_global("sklearn.metrics._dist_metrics", "newObj")
        + b"\x85R",
        "encode": helper + _stack_global("_codecs", "encode") + b"\x85R",
        "reconstructor-of-int": _RECONSTRUCTOR + b"K\x05" + _OBJECT + b"N\x87R",
    }
    for module, name in [
        (_KD, "newObj"),
        ("_codecs", "encode"),
        ("copyreg", "_reconstructor"),
        ("sklearn._loss._loss", "__pyx_unpickle_CyHalfMultinomialLoss"),
        ("sklearn.metrics", "accuracy_score"),
    ]:
        cls = _stack_global(module, name)
        forms[f"reconstructor-of-{name}"] = _RECONSTRUCTOR + cls + _OBJECT + b"N\x87R"
    return forms


@pytest.mark.parametrize("form", list(_maker_forms()))
@pytest.mark.parametrize("how", ["kept", "dropped"])
def test_rt53_06_maker_neighbours(tmp_path, form, how):
    call = _maker_forms()[form]
    data = b"\x80\x04" + (call + b"." if how == "kept" else call + b"0" + _model_body(4))
    with pytest.raises(TypeError):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_rt53_06_new_obj_classes_are_the_helpers_classes():
    """``names.NEW_OBJ_CLASSES`` are classes of the helper's own module on the default
    allowlist, and cover every metric and tree the allowlist names there (so a class scikit-
    learn writes by ``newObj`` is never refused, and the set cannot go stale)."""
    import importlib

    from safeload._allowlist import default_entries
    from safeload.pickle.names import NEW_OBJ, NEW_OBJ_CLASSES

    entries = default_entries()
    for module, name in NEW_OBJ_CLASSES:
        assert (module, "newObj") in NEW_OBJ
        assert isinstance(getattr(importlib.import_module(module), name), type)
        assert (module, name) in entries
    helpers = {module for module, _ in NEW_OBJ}
    named = {(m, q) for m, q in entries if m in helpers and q != "newObj"}
    assert named == NEW_OBJ_CLASSES


def test_rt53_06_honest_trees_and_metrics_load(tmp_path):
    """What scikit-learn writes by ``newObj`` still loads: both trees, with a weighted and an
    unweighted metric, at protocols 2 and 4."""
    from sklearn.neighbors import BallTree, KDTree

    from redteam import parity

    X = np.random.RandomState(0).rand(20, 3)
    models = [
        KDTree(X),
        BallTree(X),
        BallTree(X, metric="minkowski", p=3),
        BallTree(X, metric="mahalanobis", V=np.eye(3)),
    ]
    for model in models:
        for protocol in (2, 4):
            assert parity(pickle.dumps(model, protocol=protocol), tmp_path) == (True, "loaded")
