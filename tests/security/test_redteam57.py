"""Red team 57 (helper-108, 18:58-19:43 UTC on 2026-12-02): ten findings, all fixed; each test
asserts the safe behaviour, and a HARM test first shows the harm under plain pickle, in a child
under limits (1 GB more address space, 30 s CPU).

Fixes: rt57-10's 0x-hex form 393ffdb, the rest in the next stop: LIL rows and values checked
before scipy converts them (rt57-04, arrays._check_lil); 1-D sparse arrays and BSR rows paid by
stored values (rt57-09, rt57-02); a sparse matrix's columns paid by the input's width only where
they are input features, by a pointer only for a square affinity matrix (rt57-06); the
whole-model bound counts every output width, not labels alone, in any container, against the
bytes of the arrays the model stores (rt57-01, rt57-05, rt57-08: object_checks._label_width);
FrozenEstimator may be listed many times (rt57-07); OpenPGP and minisign public keys are not
HMAC secrets, and an invalid-version certificate is a public-key form like any other (rt57-03,
rt57-10).

rt57-01 (HARM: memory) per-row output width that sharing multiplies, not named ``classes_``:
        a MultiOutputRegressor whose ``estimators_`` are 200 *distinct* LinearRegressions
        sharing one ``coef_`` of (4096, 4) and one ``intercept_`` of 4096 (a regressor fitted
        on 4096 targets). 176 KB file; ``predict`` of 2000 rows computes 200 results of
        (2000, 4096) and stacks them: 13 GB. 4b117f4's whole-model bound counts only
        ``classes_``/``classes`` (label columns); the repeated-bytes bound allows 64 MB of
        arrays met (200 x 160 KB = 32 MB passes). Found by asking which per-row output width
        rt56-05's fix did not name. scan SAFE, load_unsigned loads (pure and compiled).
        Form "dummy": 200 distinct DummyRegressors sharing one ``constant_`` of (1, 4096)
        (fit on 4096 targets): a 41 KB file, predict alike (13 GB).
rt57-02 (HARM: memory) a BSR matrix's rows "paid by the index pointer": a BSR index pointer has
        one entry per *block* row, so bsr_matrix of shape (2**20, 1) with blocksize (4096, 1)
        and one block (4,096 ones, 257 pointers) is a 35 KB file whose ``.shape[0]`` is 2**20.
        check_sparse exempts csr/bsr/lil from the "rows paid by stored values" rule, and
        widths._check_sparse_columns counts CSR/BSR rows as paid. As CategoricalNB.class_count_
        or a calibrator's ``classes`` (rt56-01's slots): predict_proba allocates
        (2000, 2**20), 16 GB. As LinearRegression.coef_ (shape (2**20, 4), 133 KB):
        predict computes X @ coef_.T dense, 16 GB. Found by reading check_sparse's format
        exemptions. scan SAFE, load_unsigned loads (pure and compiled).
rt57-03 (TRUST, low) public keys of signing tools HMACKey does not know, taken as secrets: an
        OpenPGP public key as ``gpg --export`` writes it (binary, 228 bytes for an Ed25519 key:
        what ``apt``'s ``signed-by`` keyrings and ``*.gpg`` files hold) or its base64, and a
        minisign / signify public key line (``RWQ...``: base64 of ``Ed`` + 8-byte key id + 32-byte
        key, 56 characters, the line READMEs print for ``minisign -P``), alone, with a newline
        or inside a command line. Both are told apart from random bytes by their fixed heads
        (an OpenPGP public-key packet 0x98/0x99/0xC6 with version 4/5 and an algorithm byte; 42
        bytes starting ``Ed``), unlike the raw 32-byte keys the docstring exempts. Found by
        listing public-key files that _public_key_form does not name. (Held: PKCS#1 RSA DER and
        its base64, an SSH line in known_hosts.)
rt57-04 (HARM: crash, in safeload itself) a lil_matrix whose ``rows``/``data`` object arrays
        are longer than its shape says: ``lil_matrix((1000, 1))`` with 1,000 values and
        ``_shape = (1, 1)`` (30 KB alone in a dict; ten rows, 599 bytes, crash safeload alike). scipy's ``tocsr`` allocates
        ``indptr = np.empty(M + 1)`` from the shape and ``_csparsetools.lil_get_lengths`` writes
        one length per *row object* into it without a bounds check: a heap overflow
        ("corrupted size vs. prev_size", "malloc(): unaligned tcache chunk detected", SIGSEGV).
        Plain pickle loads the file and ``m.tocsr()`` (any arithmetic, ``toarray``) aborts.
        safeload's own check_sparse calls ``matrix.tocsr().check_format(full_check=True)`` for
        LIL, so ``safeload.scan`` and ``safeload.load_unsigned`` both die (SIGSEGV/SIGABRT) on
        the file, pure Python and compiled alike: no verdict, the caller's process is killed.
        ``data`` lists longer than their ``rows`` lists (one row holding one column index and
        5,000 values, 45 KB) overflow alike in ``lil_flatten_to_array``: scan segfaults.
        The mirror form (``rows`` *shorter* than the shape: a (2**20, 1) shape over one row)
        makes tocsr read ``np.empty`` garbage: scan SAFE, and the load refuses by luck
        ("negative dimensions are not allowed", "ran out of memory checking what was built"):
        a parity finding whose outcome depends on the heap. With a shape of (2**24, 1) the
        tocsr pointer (64 MB) is a fresh mmap, all zeros, so the check passes every time: a
        1.6 KB file that scan calls SAFE and load_unsigned loads as CategoricalNB.class_count_
        (LIL is exempt from the row rule), and predict_proba asks for (2000, 2**24), 256 GB
        (test_rt57_04_lil_rows_short_harm). The joblib file of the same dict
        (``joblib.dump``) segfaults ``safeload.scan`` alike in a fresh interpreter; in a fork of
        the test zygote the overflow went unnoticed and both scan (SAFE) and load admitted it
        with the heap already corrupted. Found by asking what LIL's
        exemption from the row rule ("csr, bsr, lil") trusts.
rt57-05 (HARM: memory) rt57-01's sharing through the composites' own lists: a ColumnTransformer
        whose ``transformers_`` are 200 ``(name, pca, columns)`` tuples holding *one* fitted
        PCA of 4,096 components (``components_`` (4096, 4): _held_once skips tuples, which have
        no ``__dict__``), or 200 distinct PCAs sharing one ``components_``; a FeatureUnion of
        the same 200 (``transformer_list``, a parameter). 167-219 KB files; ``transform`` of
        2000 rows hstacks 200 x (2000, 4096), 13 GB. check_composite_width and the whole-model
        bounds pass them. scan SAFE, load_unsigned loads (pure and compiled). Found by asking
        where else a list meets one wide estimator many times.
rt57-06 (HARM: memory) a random feature map's *output* columns paid by its input side: after a
        HashingVectorizer (2**20 features, scikit-learn's default), an RBFSampler whose
        ``random_weights_`` is a sparse (2**20, 2**20) matrix of 16,384 ones (one per 64
        columns: check_sparse's column spread) and ``n_features_in_`` = 2**20.
        widths._check_sparse_columns lets the columns be paid by ``n_features_in_`` or by the
        rows (meant for coef_-like matrices and square affinity matrices), but a feature map's
        rows are its inputs and its columns its outputs (45af995's own docstring: "Scikit-learn
        stores those dense"; no fit makes this matrix sparse). ``transform`` of 2000 short
        texts computes a dense (2000, 2**20) projection, 16 GB. CSR: 4.4 MB (the 2**20-row
        pointer; by the label bound's own measure, one output column per 8 stored bytes,
        that pays for 550K columns, not 1M); BSR with blocks of (4096, 1) (rt57-02's block
        pointer): 133 KB. scan SAFE, load_unsigned loads (pure and compiled). Found by
        checking the three payers 45af995 accepts against where the columns go.
rt57-07 (HONEST-REFUSED, low) scikit-learn's own fit puts one instance in a fitted list many
        times when the base estimator is a FrozenEstimator (the documented replacement for
        ``cv="prefit"``, scikit-learn >= 1.6): ``FrozenEstimator.__sklearn_clone__`` returns
        itself, so ``MultiOutputRegressor(FrozenEstimator(pre)).fit(X, Y)`` stores
        ``estimators_ = [frozen] * n_outputs``, and a VotingClassifier / StackingClassifier
        listing one frozen model under two names stores it twice. 79c2173's _held_once
        ("fit makes one per output") refuses all three: "fitted attribute estimators_ holds one
        array or instance more than once". (Two FrozenEstimators around one classifier load.)
        Found by asking where fit does not clone.
rt57-08 (HARM: memory, pandas profile) 4b117f4's label bound counts ``classes_`` only when it
        is an ndarray (``_label_width``: ``isinstance(part, np.ndarray)``): rt56-05's own
        "multi-output-distinct" file with the shared labels as a ``pandas.Index`` of 4,096
        ints instead of an array (200 distinct LogisticRegressions sharing one classes_ Index,
        coef_ and intercept_, 219 KB) loads with profiles=["pandas"]; ``predict_proba`` of
        2000 rows returns 200 x (2000, 4096), 13 GB (``size(classes_)`` reads the Index's
        shape). scan SAFE, load_unsigned loads (pure and compiled). Without any profile the
        same file with ``classes_ = np.dtype(("i1", (4096,)))`` (a sub-array dtype at
        58b79bf's 4,096-item bound; LogisticRegression's ``size(classes_)`` is
        ``prod(dtype.shape)``) loads alike. Found by reading _label_width's type test.
rt57-09 (HARM: memory) a 1-D sparse array (scipy >= 1.15 makes ``csr_array`` 1-D): a
        ``csr_array`` of shape (2**20,) holding one value (index pointer [0, 1]) is a 1.5 KB
        file whose ``.shape[0]`` is 2**20. check_sparse's row rule exempts CSR ("rows an index
        pointer pays for", but a 1-D CSR's pointer has two items whatever its length) and both
        column rules only look at 2-D shapes (``len(shape) == 2``). As CategoricalNB's
        class_count_, a calibrator's ``classes`` or CalibratedClassifierCV's own ``classes_``
        (rt56-01's slots): predict_proba allocates (2000, 2**20), 16 GB. scan SAFE, load_unsigned loads (pure and compiled). (The 1-D
        COO and DOK arrays are refused.) Found by asking what shapes scipy's sparse arrays take.
rt57-10 (TRUST, low: an honest secret refused with an exception outside safeload's tree)
        ``HMACKey(b"0x" + 64 hex digits)`` (a 0x-prefixed hex secret, as web3 tooling and many
        config files write them; also inside text: ``b"secret: 0x..."``) raises
        ``ValueError: non-hexadecimal number found in fromhex() arg at position 1``.
        _decoded's token branch tests the token with ``_HEX_TEXT.fullmatch`` (which allows the
        ``0x`` prefix) and then calls ``bytes.fromhex`` on the whole token, prefix included
        (1197450 / e368197). Any 0x-hex token of 56+ characters in a secret does it; callers
        that catch SafeloadError (the CLI, keyring loaders) crash. Found by feeding 150,000
        random secrets in raw, hex, base64 and 0x-hex forms (no other refusal: the 0x form
        only). The same kind of escape from _der_form: a DER certificate whose version field
        is not 0-2 raises ``cryptography.x509.InvalidVersion`` (not in its ``failures``
        tuple) out of ``HMACKey(...)`` (found by mutating 1-4 bytes of DER keys and
        certificates, 20,000 cases: the only other exception type).
Skops road: rt57-01's MultiOutputRegressor (skops keeps the shared coef_ once, 1.4 MB) and
        rt57-02's BSR coef_ LinearRegression (6 KB zip) load through safeload's skops road and
        predict asks for 13 / 16 GB; rt57-09's 1-D csr_array class_count_ alike
        (test_rt57_01_02_skops).
Held (tried, safe): DIA (2**20, 2**20) over one stored value (nnz clipped to the data's
        width, refused); 1-D COO and DOK arrays (refused); a zero-itemsize structured array of
        2**20 items (refused by the pass); Bunch / estimator with a ``shape`` key as
        class_count_ (refused); two arrays over one memoised bytes object for distinct
        classes_ / coef_ (refused); VotingRegressor / StackingRegressor of shared regressors
        (named_estimators_ unfolding refused); MLP with a sparse last layer (refused);
        DummyClassifier with shared lists or sub-array dtypes as classes_ (refused); standard-
        library values from numpy scalars / 0-d arrays / NEWOBJ_EX keyword forms (20 + 10 forms,
        scan = load everywhere); honest forests / extra-trees of 300-1000 classes, OvR LinearSVC
        of 3,000 classes, calibrated GaussianNB of 2,000 classes, multi-output KNN (120 outputs)
        and forest (40 outputs), bagging, soft voting of 3,000 classes (all load); HMACKey on
        150,000 random raw / hex / base64 secrets of 32-65 bytes (none refused, 10 s), PKCS#1
        RSA DER and its base64 refused; VerifyKey / ECDSA from_pem on 6,000 mutated PEMs (only
        SafeloadError); a compressed joblib class_count_ of 2**20 zeros (9 KB, 16 GB) is the
        documented decompression limit, not counted.
"""

# ruff: noqa: E501
from __future__ import annotations

import pickle

import numpy as np
import pytest

from redteam import (
    GB,
    PANDAS_SAFE_CALL,
    PLAIN_CALL,
    PLAIN_SKOPS_CALL,
    assert_safeload_refuses,
    child,
    memory_harm_file,
    write,
)

# --- rt57-01: a shared regressor output width -------------------------------------------------------


def _shared_regressors(kind: str, outputs: int = 200):
    from sklearn.linear_model import LinearRegression

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    weights, intercept = np.zeros((4096, 4)), np.zeros(4096)
    base = LinearRegression().fit(X, rng.rand(60, 2))
    estimators = []
    for _ in range(outputs):
        est = LinearRegression()
        est.__dict__.update(vars(base))
        est.coef_, est.intercept_ = weights, intercept
        estimators.append(est)
    if kind == "dummy":
        from sklearn.dummy import DummyRegressor

        wide = DummyRegressor().fit(X, rng.rand(60, 4096))
        estimators = []
        for _ in range(outputs):
            est = DummyRegressor()
            est.__dict__.update(vars(wide))  # one constant_ of 4,096 outputs, shared
            estimators.append(est)
    from sklearn.multioutput import MultiOutputRegressor

    model = MultiOutputRegressor(LinearRegression()).fit(X, rng.rand(60, 2))
    model.estimators_ = estimators
    return pickle.dumps(model, protocol=5), "model.predict(numpy.random.RandomState(1).rand(2000, 4))"


@pytest.mark.parametrize("kind", ["multi-output", "dummy"])
def test_rt57_01_shared_regressor_width(tmp_path, kind):
    data, call = _shared_regressors(kind)
    path = memory_harm_file(tmp_path, data, call)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt57-02: BSR rows paid by block-row pointers ---------------------------------------------------


def _bsr_rows(slot: str):
    import scipy.sparse as sp
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.naive_bayes import CategoricalNB

    def bsr(cols: int):
        block = 4096
        pointers = np.array([0] + [1] * (2**20 // block))
        return sp.bsr_matrix((np.ones((1, block, cols)), np.array([0]), pointers), shape=(2**20, cols))

    rng = np.random.RandomState(0)
    y = np.arange(60) % 3
    if slot == "categorical-nb":
        model = CategoricalNB().fit(rng.randint(0, 3, (60, 4)), y)
        model.class_count_ = bsr(1)
        return pickle.dumps(model, protocol=5), "model.predict_proba(numpy.random.RandomState(1).randint(0, 3, (2000, 4)))"
    if slot == "calibrated-classes":
        model = CalibratedClassifierCV(LogisticRegression(), cv=2).fit(rng.rand(60, 4), y)
        for calibrated in model.calibrated_classifiers_:
            calibrated.classes = bsr(1)
        return pickle.dumps(model, protocol=5), "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"
    model = LinearRegression().fit(rng.rand(60, 4), rng.rand(60))
    model.coef_, model.intercept_ = bsr(4), 0.0
    return pickle.dumps(model, protocol=5), "model.predict(numpy.random.RandomState(1).rand(2000, 4))"


@pytest.mark.parametrize("slot", ["categorical-nb", "calibrated-classes", "linear-coef"])
def test_rt57_02_bsr_rows(tmp_path, slot):
    data, call = _bsr_rows(slot)
    path = memory_harm_file(tmp_path, data, call)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt57-03: OpenPGP and minisign public keys taken as HMAC secrets -------------------------------

#: ``gpg --export`` of an Ed25519 signing key ("rt57 <rt57@example.invalid>"), 228 bytes.
PGP_PUBLIC = bytes.fromhex(
    "9833046b106b6516092b06010401da470f0101074049dab6613016d4998b2b72cabd14e4283c8ced24b84813"
    "8f90d52b2637eb924db41b72743537203c72743537406578616d706c652e696e76616c69643e889004131608"
    "00381621040fabc79eb21fdd1a19340c38337edd872d3557ad05026b106b65021b03050b0908070206150a09"
    "080b020416020301021e01021780000a0910337edd872d3557ad458800ff69e91a4e0e000e10549f81b6a08c"
    "7bb8416380af757a3b32ec60db6e15c7c5e800ff497099476112d175e28b2addebf7798c279cba8d04112ecd"
    "1c8fa653bd5e6b0f"
)


def _signing_tool_keys() -> dict[str, bytes]:
    import base64

    minisign = base64.b64encode(b"Ed" + bytes.fromhex("0123456789abcdef") + bytes(range(32)))
    return {
        "pgp-binary": PGP_PUBLIC,
        "pgp-base64": base64.b64encode(PGP_PUBLIC),
        "minisign-line": minisign,
        "minisign-line-newline": minisign + b"\n",
        "minisign-command": b"minisign -Vm model.pkl -P " + minisign,
    }


@pytest.mark.parametrize("form", sorted(_signing_tool_keys()))
def test_rt57_03_signing_tool_public_keys(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_signing_tool_keys()[form])


# --- rt57-04: a LIL matrix whose row arrays disagree with its shape ---------------------------------


def _lil_rows(kind: str) -> bytes:
    import scipy.sparse as sp

    if kind == "data-longer":
        # one row of one column index, and 5,000 values: lil_flatten_to_array writes them all
        # into the array tocsr sized by the rows' lengths
        matrix = sp.lil_matrix((1, 1))
        matrix[0, 0] = 1.0
        matrix.data[0] = [1.0] * 5000
    elif kind == "longer":
        matrix = sp.lil_matrix((1000, 1))
        for i in range(1000):
            matrix[i, 0] = 1.0
        matrix._shape = (1, 1)
    else:
        matrix = sp.lil_matrix((1, 1))
        matrix[0, 0] = 1.0
        matrix._shape = (2**20, 1)
    return pickle.dumps({"a": matrix}, protocol=5)


@pytest.mark.parametrize("kind", ["longer", "data-longer"])
def test_rt57_04_lil_rows_overflow(tmp_path, kind):
    path = write(tmp_path, _lil_rows(kind))
    call = "[model['a'].tocsr() for _ in range(3)]; import gc; gc.collect(); [bytearray(64) for _ in range(10**5)]"
    shown = child(PLAIN_CALL.format(call=call), path, memory=1 * GB, cpu=30, timeout=60)
    # the write past tocsr's buffer happens either way; whether the process dies of it depends
    # on the heap's layout: with longer values lists scipy sometimes notices afterwards, when
    # it checks the pointer it has just overrun (a clean clone saw that once), or finds the
    # overrun wrote over the index pointer's own length (4607182418800017408, the bytes of
    # 1.0, once more in stop 44)
    # (or, a clean clone of eb70dc1, the overrun wrote over a memoryview's length: "Python int
    # too large to convert to C ssize_t" in lil_get_lengths)
    overrun = any(
        sign in shown.stderr
        for sign in (
            "Last value of index pointer",
            "index pointer size",
            "too large to convert to C ssize_t",
        )
    )
    assert "loaded" in shown.stdout and (shown.crashed or overrun), str(shown)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


def test_rt57_04_lil_rows_short_parity(tmp_path):
    # in a child: the load's tocsr reads uninitialised memory
    path = write(tmp_path, _lil_rows("shorter"))
    shown = child(
        "import safeload\n"
        "print('scan_safe', safeload.scan(open(sys.argv[1], 'rb').read()).safe, flush=True)\n",
        path, memory=1 * GB, cpu=30, timeout=60,
    )
    assert "scan_safe False" in shown.stdout, str(shown)


# --- rt57-05: one wide transformer met 200 times in a composite -------------------------------------


def _composite(kind: str, count: int = 200):
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.pipeline import FeatureUnion

    X = np.random.RandomState(0).rand(60, 4)
    components, variance = np.zeros((4096, 4)), np.ones(4096)
    base = PCA(n_components=3).fit(X)

    def wide():
        pca = PCA(n_components=3)
        pca.__dict__.update(vars(base))
        pca.components_, pca.n_components_, pca.explained_variance_ = components, 4096, variance
        return pca

    one = wide()
    parts = [one] * count if kind.endswith("same") else [wide() for _ in range(count)]
    if kind.startswith("column"):
        model = ColumnTransformer([("p0", PCA(2), [0, 1, 2, 3])]).fit(X)
        model.transformers_ = [(f"p{i}", e, [0, 1, 2, 3]) for i, e in enumerate(parts)]
        model.transformers = [(f"p{i}", PCA(2), [0, 1, 2, 3]) for i in range(count)]
        model._columns = [[0, 1, 2, 3]] * count
        model.output_indices_ = {f"p{i}": slice(i * 4096, (i + 1) * 4096) for i in range(count)}
        model.output_indices_["remainder"] = slice(0, 0)
    else:
        model = FeatureUnion([(f"p{i}", e) for i, e in enumerate(parts)])
    return pickle.dumps(model, protocol=5), "model.transform(numpy.random.RandomState(1).rand(2000, 4))"


@pytest.mark.parametrize("kind", ["column-same", "column-distinct", "union-same", "union-distinct"])
def test_rt57_05_composite_sharing(tmp_path, kind):
    data, call = _composite(kind)
    path = memory_harm_file(tmp_path, data, call)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt57-06: n_features_in_ pays for a feature map's output columns --------------------------------


def _hashed_feature_map(form: str):
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.kernel_approximation import RBFSampler
    from sklearn.pipeline import make_pipeline

    n = 2**20
    hashing = HashingVectorizer()
    sampler = RBFSampler(n_components=8, random_state=0).fit(hashing.transform(["a b c", "d e f"] * 30))
    assert sampler.n_features_in_ == n
    if form == "csr":
        k = n // 64
        weights = sp.csr_matrix((np.ones(k), (np.arange(k) * 64, np.arange(k) * 64)), shape=(n, n))
    else:
        pointer = np.array([0] + [4] * (n // 4096))
        weights = sp.bsr_matrix((np.ones((4, 4096, 1)), np.arange(4) * 64, pointer), shape=(n, n))
    sampler.random_weights_, sampler.random_offset_ = weights, np.zeros(1)
    del sampler._n_features_out
    call = "model.transform(['some words here %d' % i for i in range(2000)])"
    return pickle.dumps(make_pipeline(hashing, sampler), protocol=5), call


@pytest.mark.parametrize("form", ["csr", "bsr"])
def test_rt57_06_input_width_pays_outputs(tmp_path, form):
    data, call = _hashed_feature_map(form)
    path = memory_harm_file(tmp_path, data, call, limit=5_000_000)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt57-01 / rt57-02 through skops ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rt57-01", "rt57-02", "rt57-09"])
def test_rt57_01_02_skops(tmp_path, kind):
    import skops.io as sio

    if kind == "rt57-09":
        data, call = _one_dimensional_csr("categorical-nb")
    else:
        data, call = _shared_regressors("multi-output") if kind == "rt57-01" else _bsr_rows("linear-coef")
    path = tmp_path / "m.skops"
    sio.dump(pickle.loads(data), path)
    shown = child(PLAIN_SKOPS_CALL.format(call=call), path, memory=1 * GB, cpu=30, timeout=60)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    safe = child(
        "import safeload, numpy\n"
        "print('scan_safe', safeload.scan(sys.argv[1]).safe, flush=True)\n"
        "try:\n"
        "    model = safeload.load_unsigned(sys.argv[1])\n"
        "except safeload.SafeloadError as exc:\n"
        "    print('refused', str(exc)[:300], flush=True)\n"
        "    raise SystemExit(0)\n"
        "print('loaded', flush=True)\n",
        path, memory=1 * GB, cpu=30, timeout=60,
    )
    assert "scan_safe False" in safe.stdout and "refused" in safe.stdout, str(safe)


def test_rt57_04_lil_rows_overflow_joblib(tmp_path):
    import joblib

    path = tmp_path / "m.joblib"
    joblib.dump(pickle.loads(_lil_rows("longer")), path)
    shown = child(
        "import safeload\n"
        "print('scan_safe', safeload.scan(sys.argv[1]).safe, flush=True)\n"
        "try:\n"
        "    safeload.load_unsigned(sys.argv[1])\n"
        "    print('loaded', flush=True)\n"
        "except safeload.SafeloadError as exc:\n"
        "    print('refused', str(exc)[:300], flush=True)\n",
        path, memory=1 * GB, cpu=30, timeout=60,
    )
    assert not shown.crashed and "scan_safe False" in shown.stdout and "refused" in shown.stdout, str(shown)


# --- rt57-07: FrozenEstimator makes honest fitted lists hold one instance many times ---------------


def _frozen(kind: str):
    from sklearn.ensemble import StackingClassifier, VotingClassifier
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.multioutput import MultiOutputRegressor

    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 4), np.arange(60) % 2
    if kind == "multi-output":
        pre = LinearRegression().fit(X, rng.rand(60))
        return MultiOutputRegressor(FrozenEstimator(pre)).fit(X, rng.rand(60, 3))
    frozen = FrozenEstimator(LogisticRegression().fit(X, y))
    if kind == "voting":
        return VotingClassifier([("a", frozen), ("b", frozen)], voting="soft").fit(X, y)
    return StackingClassifier([("a", frozen), ("b", frozen)], cv=2).fit(X, y)


@pytest.mark.parametrize("kind", ["multi-output", "voting", "stacking"])
def test_rt57_07_frozen_estimator_lists(tmp_path, kind):
    import safeload

    model = _frozen(kind)
    assert model.estimators_[0] is model.estimators_[1]  # scikit-learn's own fit
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    assert safeload.scan(path.read_bytes()).safe
    safeload.load_unsigned(path)


# --- rt57-08: shared labels as a pandas Index escape the label bound -------------------------------


def _pandas_labels(form: str = "pandas-index"):
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import MultiOutputClassifier

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    Y = np.stack([np.arange(60) % 3, np.arange(60) % 2], 1)
    model = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    labels, weights, intercept = pd.Index(np.arange(4096)), np.zeros((4096, 4)), np.zeros(4096)
    if form == "subarray-dtype":
        # no profile needed: a dtype of 4,096 items (58b79bf's bound) answers size() alike
        labels = np.dtype(("i1", (4096,)))
    estimators = []
    for _ in range(200):
        est = LogisticRegression()
        est.__dict__.update(vars(model.estimators_[0]))
        est.classes_, est.coef_, est.intercept_ = labels, weights, intercept
        estimators.append(est)
    model.estimators_ = estimators
    return pickle.dumps(model, protocol=5), "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"




def test_rt57_08_pandas_index_labels(tmp_path):
    from redteam import assert_refused_by_both

    data, call = _pandas_labels()
    path = memory_harm_file(tmp_path, data, call)
    safe = child(PANDAS_SAFE_CALL.format(call=call), path, memory=1 * GB, cpu=30, timeout=60)
    assert_refused_by_both(safe)


def test_rt57_03_pgp_hex_file(tmp_path):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    path = tmp_path / "secret.hex"
    path.write_text(PGP_PUBLIC.hex() + "\n")  # `gpg --export KEY | xxd -p | tr -d '\\n'`
    with pytest.raises(KeyFormatError):
        HMACKey.from_file(path)


# --- rt57-09: a 1-D CSR array's length paid by a two-item index pointer ---------------------------


def _one_dimensional_csr(slot: str):
    import scipy.sparse as sp
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import CategoricalNB

    big = sp.csr_array((np.ones(1), np.array([0]), np.array([0, 1])), shape=(2**20,))
    assert big.shape == (2**20,) and big.nnz == 1
    rng = np.random.RandomState(0)
    y = np.arange(60) % 3
    if slot == "categorical-nb":
        model = CategoricalNB().fit(rng.randint(0, 3, (60, 4)), y)
        model.class_count_ = big
        return pickle.dumps(model, protocol=5), "model.predict_proba(numpy.random.RandomState(1).randint(0, 3, (2000, 4)))"
    model = CalibratedClassifierCV(LogisticRegression(), cv=2).fit(rng.rand(60, 4), y)
    if slot == "calibrated-cv-classes":
        model.classes_ = big
    else:
        for calibrated in model.calibrated_classifiers_:
            calibrated.classes = big
    return pickle.dumps(model, protocol=5), "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))"


@pytest.mark.parametrize("slot", ["categorical-nb", "calibrated-classes", "calibrated-cv-classes"])
def test_rt57_09_one_dimensional_csr(tmp_path, slot):
    data, call = _one_dimensional_csr(slot)
    path = memory_harm_file(tmp_path, data, call, limit=5_000)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- rt57-10: a 0x-prefixed hex secret raises ValueError ------------------------------------------


@pytest.mark.parametrize("form", ["0x-hex", "0x-hex-in-text"])
def test_rt57_10_prefixed_hex_secret(form):
    from safeload.signing.hmac_key import HMACKey

    secret = b"0x" + bytes(range(1, 33)).hex().encode()
    if form == "0x-hex-in-text":
        secret = b"secret: " + secret + b"\n"
    HMACKey(secret)  # a random secret: accepted (or at worst a KeyFormatError)


def test_rt57_10_der_bad_version():
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ec

    import certs
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    key = ec.derive_private_key(7, ec.SECP256R1())
    der = certs.make_cert("leaf", key, "leaf", key, ca=False).public_bytes(ser.Encoding.DER)
    assert der.count(b"\xa0\x03\x02\x01\x02") == 1
    mutated = der.replace(b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x48")
    try:
        HMACKey(mutated)  # not a certificate any parser reads: accepted, or refused as one
    except KeyFormatError:
        pass


def test_rt57_08_subarray_dtype_labels(tmp_path):
    data, call = _pandas_labels("subarray-dtype")
    path = memory_harm_file(tmp_path, data, call)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


def test_rt57_04_lil_rows_short_harm(tmp_path):
    import scipy.sparse as sp
    from sklearn.naive_bayes import CategoricalNB

    big = sp.lil_matrix((1, 1))
    big[0, 0] = 1.0
    big._shape = (2**24, 1)
    rng = np.random.RandomState(0)
    model = CategoricalNB().fit(rng.randint(0, 3, (60, 4)), np.arange(60) % 3)
    model.class_count_ = big
    call = "model.predict_proba(numpy.random.RandomState(1).randint(0, 3, (2000, 4)))"
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=5), call, limit=5_000)
    assert_safeload_refuses(path, call, memory=1 * GB, cpu=30, timeout=60)


# --- what the fixes keep loading ---------------------------------------------------------------------


def _honest(kind: str):
    import scipy.sparse as sp
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.ensemble import RandomForestClassifier, VotingClassifier
    from sklearn.linear_model import LinearRegression, Ridge
    from sklearn.multioutput import MultiOutputRegressor

    rng = np.random.RandomState(0)
    X = rng.rand(2000, 5)
    if kind == "voting-forests":
        # met twice each (estimators_ and named_estimators_): 188,000 columns over 94,000
        # label items, under ROW_OUTPUT_SPREAD
        forests = [(f"f{i}", RandomForestClassifier(30, max_depth=3, random_state=i)) for i in range(3)]
        return VotingClassifier(forests, voting="soft").fit(X, np.arange(2000) % 1000)
    if kind == "ridge-5000-targets":
        return Ridge().fit(X, rng.rand(2000, 5000))
    if kind == "multi-output-300":
        return MultiOutputRegressor(LinearRegression()).fit(X, rng.rand(2000, 300))
    if kind == "column-pcas":
        return ColumnTransformer([(f"p{i}", PCA(3), [0, 1, 2, 3]) for i in range(50)]).fit(X)
    matrix = sp.lil_matrix((5000, 6000))
    matrix[rng.randint(0, 5000, 300), rng.randint(0, 6000, 300)] = 1.0
    return {"a": matrix, "b": sp.csr_array(np.arange(5.0)), "c": sp.bsr_matrix(np.eye(8), blocksize=(2, 2))}


@pytest.mark.parametrize(
    "kind", ["voting-forests", "ridge-5000-targets", "multi-output-300", "column-pcas", "sparse"]
)
def test_rt57_honest_models_load(tmp_path, kind):
    """The output-width bound, the LIL, BSR and 1-D checks keep honest models: scan SAFE, load."""
    import safeload

    path = write(tmp_path, pickle.dumps(_honest(kind), protocol=5))
    assert safeload.scan(path).safe
    safeload.load_unsigned(path)


def test_rt57_03_random_secrets_of_a_minisign_length():
    """A minisign key is 42 bytes that start ``Ed``; random 42-byte secrets, raw or as text,
    are kept unless they start so (once in 65,536), and raw ones even then."""
    import base64
    import random

    from safeload.signing.hmac_key import HMACKey

    draw = random.Random(57)
    for _ in range(300):
        raw = bytes(draw.getrandbits(8) for _ in range(42))
        if raw.startswith(b"Ed"):
            continue
        for secret in (raw, base64.b64encode(raw), raw.hex().encode()):
            HMACKey(secret)
    HMACKey(b"Ed" + bytes(range(40)))
