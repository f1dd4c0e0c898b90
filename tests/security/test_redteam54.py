"""Red team 54's reproducers (helper-103, 15:16-16:01 UTC), all eleven fixed (normal tests; a
HARM test shows the harm under plain pickle first). Fixed: rt54-01/07/11 by one "what the walk
enters" (usetime.entered) for scan's graph and the load's walk; rt54-02/09 by one plain-data rule
(graph.MAX_DATA_DEPTH, a container met twice); rt54-03 by running the stored-sharing cap in scan
only where the load runs it (static_sharing.build_sharing_problem); rt54-04 in the walker;
rt54-05/06 in hmac_key; rt54-08 by refusing state keys that answer an array's sizes
(graph.ARRAY_ANSWERS); rt54-10 by admitting a Bunch beside a model.

rt54-01 (PARITY) scan's shadow graph (shadow._children) does not enter values the builder makes
        for real: a functools.partial (its args and keywords), a scipy sparse matrix (its
        attribute dict: data, indices, indptr, _shape, a COO's coords tuple), an extension
        type the load's walk reads through __reduce_ex__ (RandomState, Generator, every bit
        generator, a timezone, an aware datetime or time), a pure path's or UUID's slots. The load's walk (usetime._held/_instance_children)
        enters all of them, so the sharing bound counts other nodes and references: a shared
        DAG of partials, COO matrices or RandomStates is SAFE to scan and refused by the load;
        one of CSR/CSC/BSR/DIA matrices is refused by scan and loaded.
rt54-02 (PARITY) plain data that holds one container twice (a list, tuple, dict or array met
        twice: FunctionTransformer kw_args / inv_kw_args, a stored partial's keywords, a
        scorer's _kwargs, a neighbours model's metric_params, a ColumnTransformer triple's
        columns: every ``data`` row): the
        load's require_data (trust/graph.py) refuses "data holds one container twice"; scan's
        data rule (static_kinds.data_problem) has no such rule: SAFE. A skops file alike.
rt54-03 (PARITY) a list DAG stored in a dict (SETITEMS), or a tuple DAG as a list's item or an
        int-keyed dict's value: scan's stored-sharing
        rule (static_sharing.stored_sharing_problem: cap 8 x containers-holding-containers +
        64, no references) refuses it; the load runs that rule only when the stream hashes a
        container, and its use-time bound (8 x (objects + references) + 64) loads it.
rt54-04 (PARITY) a joblib object array whose nested pickle returns something other than an
        ndarray (a list, an int, a str, a tuple, an estimator): scan SAFE (walk_build's
        _joblib_array returns the nested value as it is), the load refuses ("bad object
        array", joblib_stream.py); joblib itself fails on it.
rt54-05 (TRUST) HMACKey still takes public-key material as its secret in common forms rt53-02's
        denylist misses: an RFC 4716 SSH2 public key (``ssh-keygen -e``), a PKCS#7 certificate
        bundle (.p7b, DER or base64), a DER CSR, a DER certificate chain, a TUF /
        securesystemslib key JSON (in-toto's key format), a minisign public key file, OpenSSL's
        colon-hex point, hex with a 0x prefix: whoever holds the public key makes valid MACs.
rt54-06 (TRUST, false refusal) about 1 in 250 random 33-byte (or 49-byte) HMAC secrets, raw or as
        the hex / base64 text `openssl rand -hex 33`, `openssl rand -base64 33` and
        `secrets.token_urlsafe(33)` print, is refused as "an X9.62 public key point": any
        33 bytes starting 02/03 whose rest is a P-256 x coordinate (half of them).
rt54-07 (PARITY) a class kept as a value where callables.CLASS_ATTRIBUTES allows it
        (RepeatedKFold.cv = KFold): the load's walk skips it (usetime._instance_children,
        _is_held_class), scan's shadow graph keeps the reference (shadow._shadow_graph), so
        scan's cap is higher: a DAG of RepeatedKFold plus a few more of them is SAFE to scan
        and refused by the load.
rt54-08 (HARM: memory) rt53-07's class of harm through another stand-in: an allowed estimator
        whose instance state holds ``shape=(10**9,)`` (any key that is an identifier and no
        name of its class is taken) in a fitted array's place. CategoricalNB.class_count_ so:
        scan SAFE, load_unsigned returns it, and predict runs
        ``np.zeros((n, class_count_.shape[0]))``: 16 GB asked by a 1.4 KB file (MemoryError
        under a 256 MB allowance, as rt53-07 showed); NearestCentroid.classes_
        (decision_function: np.empty((n, classes_.size))) and CalibratedClassifierCV.classes_
        (predict_proba) alike. The same stand-in is admitted in about 80 fitted array slots of
        common estimators (coef_, mean_, scale_, components_ of Nystroem, LDA's classes_...),
        and an OrderedDict or KFold given the attribute serves as well; a skops file alike.
rt54-09 (PARITY) plain data nested 17 to 20 levels deep (21 in a partial's keywords, whose
        walk starts one level lower): scan's symbolic readers stop at static_values.MAX_DEPTH
        = 16 ("unproven: a value nested more than 16 levels deep"), the load's require_data at
        depth 20: scan refuses what the load loads.
rt54-10 (HONEST-REFUSED, low) rt53-07's Bunch rule refuses a Bunch that scikit-learn's own
        functions return, kept in a plain container next to the model: {"model": clf,
        "importances": permutation_importance(clf, X, y)} (or [clf, result]), refused by scan
        and load alike; the same Bunch alone, as the root, loads.
rt54-11 (PARITY) a mapping keyed by an object (an estimator) that also holds a plainly keyed
        value: shadow_made's Unknown "keyed by an object" (OrderedDict, defaultdict) and
        shadow_builder's "a dict with keys that are not plain values" (a plain dict whose
        plain key comes first) list that value twice (the made mapping's values and again the
        stream's items), so scan's graph meets it twice per walk: a DAG there is refused by
        scan and loaded by the load.
"""

# ruff: noqa: E501
from __future__ import annotations

import collections
import datetime
import functools
import io
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

from redteam import assert_scan_predicts_load

sys.path.insert(0, str(Path(__file__).resolve().parent))


# --- rt54-01: scan's graph does not enter what the builder made for real ----------------------


def _dag(leaf, depth: int, fan: int):
    node = leaf
    for _ in range(depth):
        node = [node] * fan
    return node


def _leaf(name: str):
    import scipy.sparse as sp
    from sklearn.metrics import accuracy_score

    return {
        "partial": lambda: functools.partial(accuracy_score),
        "partial-keywords": lambda: functools.partial(accuracy_score, sample_weight=np.ones(3)),
        "coo": lambda: sp.coo_matrix(np.eye(2)),
        "coo-array": lambda: sp.coo_array(np.eye(2)),
        "lil": lambda: sp.lil_matrix(np.eye(2)),
        "randomstate": lambda: np.random.RandomState(0),
        "generator": lambda: np.random.default_rng(0),
        "pcg64": lambda: np.random.PCG64(0),
        "mt19937": lambda: np.random.MT19937(0),
        "aware-time": lambda: datetime.time(1, 2, tzinfo=datetime.timezone.utc),
        "timezone": lambda: datetime.timezone.utc,
        "aware-datetime": lambda: datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
        "csr": lambda: sp.csr_matrix(np.eye(2)),
        "csc": lambda: sp.csc_matrix(np.eye(2)),
        "bsr": lambda: sp.bsr_matrix(np.eye(2)),
        "dia": lambda: sp.dia_matrix(np.eye(2)),
        "csr-array": lambda: sp.csr_array(np.eye(2)),
        "listed-pure-path": lambda: [__import__("pathlib").PurePosixPath("/x")],
        "listed-uuid": lambda: [__import__("uuid").UUID(int=3)],
    }[name]()


#: (leaf, depth, fan): scan SAFE and the load refuses (the first group), or scan refuses and
#: the load loads (CSR, CSC, BSR, DIA: the load's walk counts their arrays and _shape as
#: references, which raise its cap).
_RT54_01 = [
    ("partial", 3, 6),
    ("partial-keywords", 2, 14),
    ("coo", 2, 14),
    ("coo-array", 2, 14),
    ("lil", 2, 14),
    ("randomstate", 2, 14),
    ("generator", 2, 14),
    ("pcg64", 2, 14),
    ("mt19937", 2, 14),
    ("aware-time", 2, 12),
    ("timezone", 2, 14),
    ("aware-datetime", 2, 14),
    ("csr", 3, 6),
    ("csc", 3, 6),
    ("bsr", 2, 20),
    ("dia", 2, 20),
    ("csr-array", 3, 6),
    ("listed-pure-path", 2, 12),  # (its slots: the load's walk enters them, scan does not)
    ("listed-uuid", 2, 12),
]


@pytest.mark.parametrize(("leaf", "depth", "fan"), _RT54_01)
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt54_01_made_for_real_not_entered(tmp_path, leaf, depth, fan, protocol):
    """A list DAG (``[[leaf] * fan] * fan``, depth levels) whose shared leaf is a value
    scan's shadow builder makes for real: ``shadow._children`` returns nothing for it (only
    shadows, Unknowns, plain containers, arrays and dict subclasses are entered), and
    ``_is_instance`` calls a partial no instance; the load's walk enters a partial's args and
    keywords, a sparse matrix's ``__dict__`` and an extension type's reduce parts, so the two
    sharing bounds count different graphs of the same file."""
    data = pickle.dumps(_dag(_leaf(leaf), depth, fan), protocol=protocol)
    pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


# --- rt54-02: data holding one container twice -------------------------------------------------


def _shared_data(form: str):
    from sklearn.metrics import fbeta_score
    from sklearn.preprocessing import FunctionTransformer

    shared = {
        "list": [1],
        "tuple": (1, 2),
        "dict": {"q": 1},
        "array": np.arange(3),
    }
    kind, _, where = form.partition(":")
    x = shared[kind]
    if where == "kw_args":
        return FunctionTransformer(kw_args={"a": [x, x]})
    if where == "two-keywords":
        return FunctionTransformer(kw_args={"a": x, "b": x})
    if where == "inv_kw_args":
        return FunctionTransformer(inv_kw_args={"a": (x, x)})
    if where == "scorer-kwargs":
        from sklearn.metrics import make_scorer

        return [make_scorer(fbeta_score, beta=1.0, labels=[x, x])]
    if where == "ct-columns":
        from sklearn.compose import ColumnTransformer
        from sklearn.preprocessing import StandardScaler

        return ColumnTransformer([("a", StandardScaler(), [x, x])])
    if where == "metric_params":
        from sklearn.neighbors import KNeighborsClassifier

        return KNeighborsClassifier(metric="minkowski", metric_params={"a": x, "b": x})
    return [functools.partial(fbeta_score, labels=[x, x], beta=1.0)]  # partial keywords


_RT54_02 = [
    f"{kind}:{where}"
    for kind in ("list", "tuple", "dict", "array")
    for where in (
        "kw_args",
        "two-keywords",
        "inv_kw_args",
        "partial",
        "scorer-kwargs",
        "metric_params",
        "ct-columns",
    )
    if kind == "list" or where in ("kw_args", "two-keywords", "inv_kw_args", "partial")
    if (kind, where) != ("array", "partial")  # (refused by both: an array in a partial)
]


@pytest.mark.parametrize("form", _RT54_02)
@pytest.mark.parametrize("protocol", [2, 5])
def test_rt54_02_data_holds_container_twice(tmp_path, form, protocol):
    """The load's ``require_data`` (the plain-data rule of kw_args, inv_kw_args, a partial's
    keywords and every ``data`` dispatch row) refuses a container met twice; scan's
    ``static_kinds.data_problem`` memoises by id and so never sees the second meeting:
    SAFE for a file the load refuses."""
    data = pickle.dumps(_shared_data(form), protocol=protocol)
    pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path)


# --- rt54-03: scan's stored-sharing rule is stricter than the load's bound --------------------


def _list_dag(depth: int, fan: int):
    node: list = [1]
    for _ in range(depth):
        node = [node] * fan
    return node


@pytest.mark.parametrize(
    "holder",
    ["dict-in-dict", "dict-in-list", "cv-results", "tuple-dag-in-list", "tuple-dag-int-key"],
)
@pytest.mark.parametrize(("depth", "fan"), [(4, 5), (4, 6), (3, 12)])
def test_rt54_03_stored_sharing_stricter(tmp_path, holder, depth, fan):
    """``trust.static.use_time_findings`` always runs ``stored_sharing_problem`` (its own cap,
    8 x the containers that hold containers + 64, from the items stored by SETITEMS/APPENDS);
    the load runs it only when the stream hashes a container and otherwise judges by the
    use-time bound, whose cap also counts references. The same file: scan refuses, the
    load loads."""
    dag = _list_dag(depth, fan)
    if holder.startswith("tuple-dag"):
        node: tuple = (1,)
        for _ in range(depth):
            node = (node,) * fan
        model = [node] if holder == "tuple-dag-in-list" else {1: node}
    elif holder == "dict-in-dict":
        model = {"a": {"b": dag}}
    elif holder == "dict-in-list":
        model = [{"b": dag}]
    else:
        import copy
        import warnings

        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GridSearchCV

        X = np.random.RandomState(0).rand(30, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search = GridSearchCV(LogisticRegression(), {"C": [1.0, 2.0]}, cv=2)
            search.fit(X, np.arange(30) % 2)
        model = copy.copy(search)
        model.cv_results_ = {**search.cv_results_, "extra": dag}
    data = pickle.dumps(model, protocol=4)
    assert_scan_predicts_load(data, tmp_path)


# --- rt54-04: a joblib object array's nested pickle that makes no array ------------------------


def _joblib_object_array_holding(value) -> bytes:
    import joblib

    objarr = np.array([1, "a"], dtype=object)
    buf = io.BytesIO()
    joblib.dump([objarr, 5], buf)
    data = buf.getvalue()
    nested = pickle.dumps(objarr, protocol=5)  # joblib's nested stream, at the outer protocol
    assert data.count(nested) == 1
    return data.replace(nested, pickle.dumps(value, protocol=5))


@pytest.mark.parametrize("what", ["list", "int", "str", "tuple", "estimator"])
def test_rt54_04_object_array_not_an_array(tmp_path, what):
    """The load's joblib reader (joblib_stream.py) refuses an object array whose nested pickle
    does not return an ndarray ("bad object array"), and joblib fails on it too (it reads
    the value's dtype); the static pass returns the nested value as the array and never asks
    what it is: scan calls the file SAFE."""
    import joblib
    from sklearn.preprocessing import StandardScaler

    value = {
        "list": [1, 2],
        "int": 7,
        "str": "x",
        "tuple": (np.array([1, "a"], dtype=object),),
        "estimator": StandardScaler(),
    }[what]
    data = _joblib_object_array_holding(value)
    with pytest.raises(AttributeError):
        joblib.load(io.BytesIO(data))
    assert_scan_predicts_load(data, tmp_path, refused=True, name="m.joblib")


# --- rt54-05 / rt54-06: HMACKey's public-key denylist ------------------------------------------


def _more_public_forms() -> dict[str, bytes]:
    import base64
    import json

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.serialization import pkcs7

    from certs import self_signed

    pub = ed25519.Ed25519PrivateKey.generate().public_key()
    spki = pub.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
    raw = pub.public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    blob = pub.public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH).split()[1].decode()
    rfc4716 = (
        "---- BEGIN SSH2 PUBLIC KEY ----\n"
        'Comment: "256-bit ED25519, converted by me@host from OpenSSH"\n'
        + "\n".join(blob[i : i + 70] for i in range(0, len(blob), 70))
        + "\n---- END SSH2 PUBLIC KEY ----\n"
    ).encode()
    ek = ec.generate_private_key(ec.SECP256R1())
    point = ek.public_key().public_bytes(s.Encoding.X962, s.PublicFormat.UncompressedPoint)
    cert = self_signed(ek)
    der = cert.public_bytes(s.Encoding.DER)
    p7 = pkcs7.serialize_certificates([cert], s.Encoding.DER)
    csr = x509.CertificateSigningRequestBuilder().subject_name(cert.subject).sign(ek, hashes.SHA256())
    return {
        "rfc4716-ssh2": rfc4716,
        "pkcs7-der": p7,
        "pkcs7-base64": base64.b64encode(p7),
        "csr-der": csr.public_bytes(s.Encoding.DER),
        "certificate-chain-der": der + der,
        "tuf-ed25519-json": json.dumps(
            {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": raw.hex()}}
        ).encode(),
        "tuf-ecdsa-json": json.dumps(
            {"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": point.hex()}}
        ).encode(),
        "minisign-public-key": b"untrusted comment: minisign public key 1234\n"
        + base64.b64encode(b"Ed" + b"12345678" + raw)
        + b"\n",
        "openssl-colon-hex": ":".join(f"{b:02x}" for b in point).encode(),
        # `openssl ec -pubin -text -noout`: the point as wrapped colon hex between labels
        "openssl-text": (
            "Public-Key: (256 bit)\npub:\n"
            + "".join(
                "    " + ":".join(f"{b:02x}" for b in point[i : i + 15]) + ":\n"
                for i in range(0, len(point), 15)
            ).rstrip(":\n")
            + "\nASN1 OID: prime256v1\nNIST CURVE: P-256\n"
        ).encode(),
        "spki-hex-0x": b"0x" + spki.hex().encode(),
    }


@pytest.mark.parametrize(
    "form",
    [
        "rfc4716-ssh2",
        "pkcs7-der",
        "pkcs7-base64",
        "csr-der",
        "certificate-chain-der",
        "tuf-ed25519-json",
        "tuf-ecdsa-json",
        "minisign-public-key",
        "openssl-colon-hex",
        "openssl-text",
        "spki-hex-0x",
    ],
)
def test_rt54_05_hmac_secret_public_forms(form):
    """Public files in everyday forms, each holding the public key whole (a certificate
    bundle, a CSR, a TUF/in-toto key, an SSH2 or minisign public key file): accepted as an
    HMAC secret, so whoever holds the public key can make valid MACs."""
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_more_public_forms()[form])


def _refused_random_secret(form: str) -> bytes:
    """The first 33 random bytes of a seeded stream that happen to be a valid compressed P-256
    point (about 1 in 256 draws; found with cryptography, not with safeload's own test),
    written in ``form``."""
    import base64
    import random

    from cryptography.hazmat.primitives.asymmetric import ec

    rng = random.Random(54)
    for _ in range(20000):
        raw = bytes(rng.getrandbits(8) for _ in range(33))
        if raw[0] not in (2, 3):
            continue
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            continue
        return {
            "raw": raw,
            "hex": raw.hex().encode() + b"\n",
            "base64": base64.b64encode(raw) + b"\n",
            "urlsafe": base64.urlsafe_b64encode(raw).rstrip(b"="),
        }[form]
    raise AssertionError("no refused secret found")


@pytest.mark.parametrize("form", ["raw", "hex", "base64", "urlsafe"])
def test_rt54_06_random_secret_refused(form):
    """A random 33-byte secret, as ``openssl rand`` or ``secrets`` print it, is a valid
    compressed P-256 point about once in 250 (first byte 02/03, then any x coordinate on
    the curve): HMACKey refuses it as a public key. Like a raw Ed25519 key, a compressed
    point cannot be told from random bytes (the secret from a seeded stream, found by
    search; HMACKey.from_hex takes the hex file form)."""
    from safeload.signing.hmac_key import HMACKey

    secret = _refused_random_secret(form)
    if form == "hex":
        HMACKey.from_hex(secret)
    else:
        HMACKey(secret)


# --- rt54-07: a class attribute the load's walk skips, counted by scan ------------------------


@pytest.mark.parametrize(
    ("splitter", "depth", "fan", "extra"),
    [
        ("RepeatedKFold", 2, 26, 5),
        ("RepeatedKFold", 2, 26, 6),
        ("RepeatedStratifiedKFold", 2, 24, 3),
        ("RepeatedStratifiedKFold", 4, 4, 3),
    ],
)
@pytest.mark.parametrize("protocol", [2, 4])
def test_rt54_07_class_attribute_reference(tmp_path, splitter, depth, fan, extra, protocol):
    """``[[[rkf] * 26] * 26, [RepeatedKFold() for _ in range(extra)]]``: each RepeatedKFold
    holds ``cv = KFold`` (the class; RepeatedStratifiedKFold's StratifiedKFold alike), which the load's walk does not record as an edge
    (CLASS_ATTRIBUTES) and scan's graph does; every extra RepeatedKFold raises scan's cap by
    8 more than the load's, so scan calls SAFE a file whose DAG the load refuses. (With
    KFold in its place, which holds no class, scan and load agree at every size.)"""
    from sklearn import model_selection

    cls = getattr(model_selection, splitter)
    model = [_list_dag_of(cls(), depth, fan), [cls() for _ in range(extra)]]
    data = pickle.dumps(model, protocol=protocol)
    assert_scan_predicts_load(data, tmp_path)


def _list_dag_of(leaf, depth: int, fan: int):
    node = leaf
    for _ in range(depth):
        node = [node] * fan
    return node


# --- rt54-08: an estimator answering .shape in a fitted array's place --------------------------


def _shape_answering_estimator(shape):
    """A StandardScaler (unfitted) whose instance dict also holds ``shape``, ``ndim`` and
    ``size``: attribute names the use-time key rule allows (identifiers that name nothing of
    StandardScaler's)."""
    from sklearn.preprocessing import StandardScaler

    stand_in = StandardScaler()
    stand_in.shape, stand_in.ndim, stand_in.size = shape, len(shape), shape[0]
    return stand_in


def _classifier_with(name: str, stand_in):
    """A small fitted classifier with one fitted array replaced by ``stand_in``."""
    import warnings

    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.naive_bayes import CategoricalNB
    from sklearn.neighbors import NearestCentroid
    from sklearn.svm import LinearSVC

    rng = np.random.RandomState(0)
    X = rng.rand(40, 4)
    y = (X[:, 0] > 0.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "CategoricalNB":
            model = CategoricalNB().fit(rng.randint(0, 3, (40, 4)), y)
            model.class_count_ = stand_in
        elif name == "NearestCentroid":
            model = NearestCentroid().fit(X, y)
            model.classes_ = stand_in
        else:
            model = CalibratedClassifierCV(LinearSVC(), cv=2).fit(X, y)
            model.classes_ = stand_in
    return model


#: (classifier, the honest call that allocates by the stand-in's .shape or .size)
_RT54_08 = {
    "CategoricalNB": "model.predict(numpy.ones((2, 4), dtype=int))",  # np.zeros((n, shape[0]))
    "NearestCentroid": "model.decision_function(numpy.ones((2, 4)))",  # np.empty((n, size))
    "CalibratedClassifierCV": "model.predict_proba(numpy.ones((2, 4)))",  # zeros((n, shape[0]))
}


@pytest.mark.parametrize("name", sorted(_RT54_08))
def test_rt54_08_estimator_answering_shape(tmp_path, name):
    """The harm under plain pickle first: the honest call allocates by the stand-in's
    ``shape``/``size`` (2 x 10**9 float64), stopped here by a 256 MB address-space allowance
    (MemoryError), from a file under 2 KB. Then safeload: rt53-07's fix admits a Bunch only
    as named_estimators_, but any allowed instance whose state holds ``shape`` answers it the
    same way (CategoricalNB.class_count_ was one of rt53-07's own slots); scan calls the file
    SAFE and load_unsigned returns it, and the same call after safeload allocates the same
    (in a child)."""
    from redteam import MB, PLAIN_CALL, assert_safeload_refuses, child

    call = _RT54_08[name]
    path = tmp_path / "m.pkl"
    model = _classifier_with(name, _shape_answering_estimator((10**9,)))
    path.write_bytes(pickle.dumps(model, protocol=4))
    assert path.stat().st_size < 4096
    ran = child(PLAIN_CALL.format(call=call), path, memory=256 * MB, cpu=20, timeout=120)
    assert "loaded" in ran.stdout and "call MemoryError" in ran.stdout, ran
    assert_safeload_refuses(path, call, memory=256 * MB, cpu=20, timeout=120)


# --- rt54-09: two depth bounds for plain data ------------------------------------------------


def _nested(depth: int, kind=list):
    value = 1
    for _ in range(depth):
        value = kind([value])
    return value


@pytest.mark.parametrize(
    ("kind", "depth"),
    [("list", 17), ("list", 20), ("tuple", 17), ("tuple", 20), ("partial", 18), ("partial", 21)],
)
def test_rt54_09_nesting_bounds(tmp_path, kind, depth):
    """FunctionTransformer(kw_args={'a': [[...[1]...]]}) or a stored partial's keywords
    nested ``depth`` levels: the load's ``require_data`` allows 20 levels (its ``depth > 20``
    rule), scan's readers call anything past 16 unproven."""
    from sklearn.metrics import fbeta_score
    from sklearn.preprocessing import FunctionTransformer

    if kind == "partial":
        model = [functools.partial(fbeta_score, labels=_nested(depth), beta=1.0)]
    else:
        model = FunctionTransformer(
            kw_args={"a": _nested(depth, list if kind == "list" else tuple)}
        )
    data = pickle.dumps(model, protocol=4)
    assert_scan_predicts_load(data, tmp_path)


# --- rt54-10: a Bunch scikit-learn returns, kept beside the model ----------------------------


@pytest.mark.parametrize("where", ["dict", "list"])
def test_rt54_10_bunch_result_beside_model(tmp_path, where):
    """Saving an experiment's artifacts together (a fitted model and the Bunch its
    permutation importance returned) is everyday use; the Bunch sits in a plain container,
    where no method of the model reads it as an array. Since rt53-07 both scan and the load
    refuse it (a Bunch only as the root or an ensemble's named_estimators_)."""
    import warnings

    from sklearn.inspection import permutation_importance
    from sklearn.linear_model import LogisticRegression

    from redteam import parity

    rng = np.random.RandomState(0)
    X = rng.rand(60, 3)
    y = (X[:, 0] > 0.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression().fit(X, y)
        result = permutation_importance(clf, X, y, n_repeats=2, random_state=0)
    model = {"model": clf, "importances": result} if where == "dict" else [clf, result]
    assert parity(pickle.dumps(model, protocol=5), tmp_path) == (True, "loaded")


# --- rt54-11: a dict subclass keyed by an object lists its items twice to scan ---------------


@pytest.mark.parametrize("kind", ["OrderedDict", "defaultdict", "dict-int-key-first"])
@pytest.mark.parametrize("protocol", [2, 4])
def test_rt54_11_keyed_by_object_items_twice(tmp_path, kind, protocol):
    """``{StandardScaler(): 1, 'a': [[[[[1]] * 5] * 5] * 5] * 5}`` as an OrderedDict or a
    defaultdict: shadow_made builds it with the string-keyed item set, then returns
    ``Unknown(..., (*made.keys(), *made.values(), *held), cls)`` where ``held`` is every key
    and value of the stream again; a plain dict ``{1: DAG, StandardScaler(): 1}``:
    shadow_builder's ``_Dict`` path puts ``out[1] = DAG`` before it meets the estimator key,
    then returns ``Unknown(..., (*out.values(), *others))``, ``others`` holding 1 and the
    DAG again. ``shadow._children`` enters them all, so the DAG is met twice (scan over its
    cap) where the load's walk meets it once (loaded)."""
    from sklearn.preprocessing import StandardScaler

    if kind == "dict-int-key-first":
        model: dict = {1: _list_dag(4, 5), StandardScaler(): 1}
    else:
        model = (
            collections.OrderedDict() if kind == "OrderedDict" else collections.defaultdict(list)
        )
        model[StandardScaler()] = 1
        model["a"] = _list_dag(4, 5)
    data = pickle.dumps(model, protocol=protocol)
    assert_scan_predicts_load(data, tmp_path)


@pytest.mark.parametrize("kind", ["OrderedDict", "KFold"])
def test_rt54_08_other_shape_answering_instances(tmp_path, kind):
    """The same harm through instances that are no estimators: an OrderedDict (its BUILD
    state sets its ``__dict__``) or a KFold given a ``shape`` attribute, as
    CategoricalNB's class_count_: plain pickle's predict asks for 16 GB, and safeload admits
    the file (scan SAFE, loaded)."""
    from sklearn.model_selection import KFold

    from redteam import MB, PLAIN_CALL, assert_safeload_refuses, child

    stand_in = {
        "OrderedDict": collections.OrderedDict,
        "KFold": KFold,
    }[kind]()
    stand_in.shape, stand_in.ndim, stand_in.size = (10**9,), 1, 10**9
    call = _RT54_08["CategoricalNB"]
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(_classifier_with("CategoricalNB", stand_in), protocol=4))
    ran = child(PLAIN_CALL.format(call=call), path, memory=256 * MB, cpu=20, timeout=120)
    assert "loaded" in ran.stdout and "call MemoryError" in ran.stdout, ran
    assert_safeload_refuses(path, call, memory=256 * MB, cpu=20, timeout=120)


# --- rt54-02 and rt54-08 through skops files (the same checks, another reader) ----------------


def test_rt54_02_skops_form(tmp_path):
    """A skops file of FunctionTransformer(kw_args={'a': [x, x]}): scan SAFE, the load
    refuses ("data holds one container twice"), as for pickle."""
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer


    x = [1]
    data = sio.dumps(FunctionTransformer(kw_args={"a": [x, x]}))
    assert_scan_predicts_load(data, tmp_path, name="m.skops")


_SKOPS_CALL = (
    "import skops.io as sio, numpy\n"
    "{load}\n"
    "print('loaded', flush=True)\n"
    "try:\n"
    "    model.predict(numpy.ones((2, 4), dtype=int))\n"
    "    print('call done', flush=True)\n"
    "except MemoryError:\n"
    "    print('call MemoryError', flush=True)\n"
)


def test_rt54_08_skops_form(tmp_path):
    """rt54-08's CategoricalNB in a skops file: skops (every type trusted) loads it and
    predict asks for 16 GB (MemoryError under 256 MB); safeload's scan calls it SAFE and
    load_unsigned returns it, and the same predict fails the same way."""
    import skops.io as sio

    from redteam import MB, child

    path = tmp_path / "m.skops"
    model = _classifier_with("CategoricalNB", _shape_answering_estimator((10**9,)))
    path.write_bytes(sio.dumps(model))
    plain = "model = sio.load(sys.argv[1], trusted=sio.get_untrusted_types(file=sys.argv[1]))"
    ran = child(_SKOPS_CALL.format(load=plain), path, memory=256 * MB, cpu=20, timeout=120)
    assert "loaded" in ran.stdout and "call MemoryError" in ran.stdout, ran
    safe = (
        "import safeload\n"
        "print('scan_safe', safeload.scan(sys.argv[1]).safe, flush=True)\n"
        "try:\n"
        "    model = safeload.load_unsigned(sys.argv[1])\n"
        "except safeload.SafeloadError as exc:\n"
        "    print('refused', flush=True)\n"
        "    raise SystemExit(0)"
    )
    ran = child(_SKOPS_CALL.format(load=safe), path, memory=256 * MB, cpu=20, timeout=120)
    assert "scan_safe False" in ran.stdout and "refused" in ran.stdout, ran
