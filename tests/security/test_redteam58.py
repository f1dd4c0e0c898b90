"""Red team 58 (START 23:09:42 UTC, END 23:55:17 UTC, 2026-12-02): thirteen findings. Each test asserts
the safe behaviour; a HARM test first shows the harm under plain pickle (or joblib / skops) in a
child under limits (1 GB more address space, 30 s CPU), then checks safeload in this process
(the harm needs a method call after the load, so loading alone starts nothing).

The code moved during the session, partly in answer to this module as it was being written:
b3792ca (23:23: output bound paid by stored bytes, not items), af6624c (about 23:38:
_longest_axis, every axis of anything stored is an output width; fixes rt58-02/03/04), and 695e26a
(seen in the working tree at 23:40, committed by 23:46; RepeatedOutputs: only instances and arrays met
more than twice count; object items count 1 byte; n_output_features_ / n_components / ...
added to OUTPUT_COUNTS), which makes rt58-05, -06, -08 and -09 pass. "pure" below is the
17652e7 snapshot in /tmp/rt58p (every finding reproduces there except rt58-08, which only the
af6624c code had); "compiled" is /work/main as it stood when each was found. Tests of findings
fixed during the session carry no xfail mark (regression tests, with a comment saying so).
61d1762 (about 23:46) fixed rt58-01, -07 and -11; at 23:55: 28 passed, 6 xfailed (58 s). After
the round, 14f09bd fixed rt58-12 (POLYNOMIAL_SPREAD) and rt58-13 (HMACKey reads UTF-16 and
UTF-32 text), and the names bound's NameLedger.joins rt58-10 (a composite's branches multiply
by the widest, not all): all thirteen pass.

rt58-01 (HARM: memory; fixed by 61d1762, MAX_FREE_COLUMNS) PolynomialCountSketch whose ``_n_features_out`` is deleted (transform
        never reads it): the whole-model bound counts its width only through that stored
        count (OUTPUT_COUNTS), and n_components is a parameter. n_components = 2,000,000,
        degree 1 (check_count_sketch allows degree * n_components <= 2**24): a 437-byte file;
        ``transform`` of 2000 rows allocates (2000, 1, 2,000,000) floats and their FFT, 32+ GB.
        With ``_n_features_out`` kept the same model is refused, and so is an honest
        PolynomialCountSketch(n_components=40,000) (rt58-06). Union form: 200 distinct
        sketches of 4,096 components without ``_n_features_out`` in a FeatureUnion, 50 KB
        (14 KB with shared hash arrays), transform of 2000 rows hstacks 13 GB. scan SAFE,
        load_unsigned loads: pure and compiled (live tree too); joblib (583 B) and skops
        (4.5 KB) files alike. Found by asking which widths are a parameter, not an array.
        Status at 23:43 (before 61d1762): both forms still loaded with the working tree, and now even WITH
        ``_n_features_out`` kept (its RepeatedOutputs reads widths only for instances met
        more than twice; 200 *distinct* sketches are met once each: a 15 KB union of 200
        sketches of 4,096 components with ``_n_features_out`` = 4096 loads, transform 13 GB;
        a 524 B single sketch of 2,000,000 components loads). The working tree calls a width
        met once honest "whatever it is" (check_count_sketch's 2**24 per row): if that is the
        design, the single form is by design; the union form (200 distinct instances, each
        storing a few bytes, adding up to 819,200 columns per row) is not paid by anything.
rt58-02 (HARM: memory; open at 17652e7, fixed by af6624c) per-row
        output widths not in OUTPUT_AXES, rt57-01's sharing (200 distinct estimators in a
        MultiOutput model sharing one wide array): KernelRidge ``dual_coef_`` (1, 4096) over
        one ``X_fit_`` row (43 KB), GaussianProcessRegressor ``alpha_`` / ``_y_train_std``
        (129 KB), GaussianMixture ``weights_``/``means_`` of 4,096 components under a
        MultiOutputClassifier's predict_proba (254 KB); 200 x (2000, 4096) = 13 GB for 2000
        rows. pure: scan SAFE, load loads; compiled at 17652e7 alike.
rt58-03 (HARM: memory; same status as rt58-02) transform widths not in OUTPUT_AXES, 200 in a
        FeatureUnion: Nystroem with one component and ``normalization_`` (4096, 1) (53 KB),
        SparseCoder's ``dictionary`` *parameter* (4096, 4) with transform_max_iter=1 (141 KB),
        Birch ``subcluster_centers_`` (4096, 4) without ``_n_features_out`` (218 KB); 13 GB.
rt58-04 (HARM: memory; same status) an inverse_transform width: 200 TransformedTargetRegressors
        in a MultiOutputRegressor sharing *one* PCA transformer_ whose ``components_`` is
        (1, 4096): predict runs ``inverse_transform`` (X @ components_: 4,096 columns, axis 1,
        which OUTPUT_AXES does not read) 200 times: 115 KB (134 KB with distinct PCAs), 13 GB.
rt58-05 (HARM: memory; fixed by 695e26a: object items count 1 byte) the whole-model bound's "stored" measure is inflated by an object array:
        numpy counts 8 bytes (or, at 17652e7, one item) per pointer while the file pays one
        opcode (NONE; BININT1 for small ints). rt57-01's 200 regressors sharing a 4,096-target
        coef_ (176 KB, refused) plus a (460, 460) object array of Nones as one regressor's
        ``singular_``: 388 KB, scan SAFE, load loads (pure and compiled, live tree too: 2-D so
        that _longest_axis reads 460, not 211,600), predict of 2000 rows 13 GB. At 17652e7
        bool / int8 pads loaded alike (1 byte per counted item); b3792ca (23:23) fixed those,
        not the object form. Found by asking what costs fewer file bytes than it counts.
rt58-06 (HONEST-REFUSED; loads since 695e26a) the whole-model bound refuses multi-target forests: a tree's values live
        in its Tree object, which is not an array the bound counts, while each tree's
        ``n_outputs_`` is counted: RandomForestRegressor(100 trees, max_depth=2) on 400
        targets (2.3 MB: "40,400 output columns per input row (more than 32,768)"),
        ExtraTreesRegressor(40, max_depth=1) on 1,000 targets; and
        PolynomialCountSketch(n_components=40,000).fit (545 B) ("40,000 ... more than
        32,768") while PolynomialFeatures(degree=40) of 135,751 columns loads. Pure and
        compiled (live tree too). Found by checking which honest widths have no array.
rt58-07 (TRUST, low: random secrets refused as public keys; fixed by 61d1762) _from_base64 decodes with
        ``base64.b64decode`` (not validating), which drops "-" and "_": url-safe base64 of a
        43-45-byte random secret that starts with "Ed" (``secrets.token_urlsafe(43)``) decodes
        to exactly 42 bytes when it holds as many of those characters as it is too long, and
        is refused as "a minisign or signify public key, as text" (97/300 of 43-byte, 45/300
        of 44-byte, 19/300 of 45-byte such secrets); 43-byte secrets starting "Ed" whose last
        byte is whitespace or NUL (7/256) are refused as base64 or hex after _trimmed. Each
        is about 1e-6 of random secrets, beyond the documented 1/65,536 of 42-byte base64.
        Found by a 300 s fuzz (2.1 M secrets raw/hex/base64/url-safe, 32-66 bytes, and mutated
        OpenPGP keys: no exception other than KeyFormatError; one refusal, this form).
rt58-08 (HONEST-REFUSED; af6624c only: loads again since 695e26a) _longest_axis counts a sparse
        matrix's columns as output width but pays nothing for its arrays (own_arrays reads
        ndarrays only): make_pipeline(HashingVectorizer(), KNeighborsClassifier()) fitted on
        500 short texts (127 KB: "1,058,556 output columns per input row (more than
        62,894)"), and with SVC (sparse support_vectors_, 142 KB). 17652e7 loads both.
rt58-09 (HARM: memory; fixed by 695e26a) one transformer whose width is a parameter times its input, listed 200
        times in a FeatureUnion: PolynomialFeatures(2) fitted on 90 inputs (4,186 columns,
        2.5 KB file), AdditiveChi2Sampler(sample_steps=512) on 4 inputs (4,092 columns, 2.4 KB):
        transform of 2000 rows hstacks 200 x (2000, ~4100), 13 GB. Neither keeps an array the
        whole-model bound reads nor a count in OUTPUT_COUNTS (n_output_features_ is not
        one), and the name ledger passes the shared instance (it refuses 200 *distinct* ones
        with absurd name lengths, rt58-10). scan SAFE, load loads: pure and compiled, joblib
        too. Found by asking which widths come from the input. (Pure snapshot also: one
        OneHotEncoder(sparse_output=False) of 90 x 46 categories listed 200 times, 38 KB,
        transform 13 GB; refused by the working tree.)
rt58-10 (HONEST-REFUSED; still open at 23:49) the name ledger's polynomial estimate grows with the number of
        polynomial branches: a ColumnTransformer of 16 PolynomialFeatures(2) over 3-column
        groups, then Ridge (4.4 KB; 160 output names of at most 12 characters) is refused:
        "get_feature_names_out could write 368 names of up to 6,881,280 characters"; 12
        branches load; a FeatureUnion of 16 PolynomialFeatures(2) on 4 inputs alike ("up to
        3,604,480 characters"). Pure and compiled.

rt58-11 (HARM: crash, heap overflow after a public method; fixed by 61d1762) _check_lil checks each row's index and
        value lists by length but not that they are distinct objects: a lil_matrix((1000, 10))
        of one value per row whose ``data`` object array holds *one* shared list [1.0] a 1,000
        times (10 KB pickle, 7.7 KB joblib) passes, scan SAFE, load_unsigned loads (pure and
        compiled). ``m[0, 5] = 2.0`` (LIL's own __setitem__) appends to row 0's indexes and to
        the shared values list, so every row now has two values and one index, and the next
        ``m.tocsr()`` (toarray, arithmetic) writes 2,000 values into a 1,001-slot buffer
        (rt57-04's lil_flatten_to_array overflow): "malloc(): invalid size (unsorted)",
        SIGABRT, in plain pickle and after safeload's load alike. Found by asking what the
        LIL check trusts besides lengths (arrays aliasing one buffer are refused, lists
        aliasing each other are not). (Rows sharing one index list also load.)

rt58-12 (HARM: memory; perhaps by design) PolynomialFeatures' output width is a product of
        parameters (degree) and the input width that no stored array pays for, like the count
        sketch's that 61d1762 caps at MAX_FREE_COLUMNS = 2**18 per row for the whole model:
        PolynomialFeatures(degree=80).fit on 4 inputs is a 261-byte file whose transform
        writes 1,929,501 columns per row, 31 GB for 2000 rows (degree 60: 635,376 columns,
        10 GB). scan SAFE, load loads (pure and compiled at 23:48). The name ledger stops it
        only past 512 MB of names (degree 100); the older MAX_OUTPUT_COLUMNS (2**24, r15-12)
        allows it. It is what scikit-learn's own fit makes for that degree, so refusing it is
        a policy choice; it is listed because rt58-01's fix draws the line at 2**18 for the
        same kind of width. Found by checking which FREE_WIDTHS 61d1762 names.

rt58-13 (TRUST, low) _public_key_form reads the secret as bytes of ASCII text only: a PEM public
        key or an OpenSSH public-key line saved as UTF-16LE (what Windows PowerShell 5.1's ``>``
        and Out-File write by default: ``Get-Content pub.pem > hmac.key``, with BOM and CRLF,
        or without BOM) is accepted as an HMAC secret (226-346 bytes), while the same text in
        UTF-8 is refused; a minisign key line in UTF-16 alike. Pure and compiled (HMACKey is
        unchanged in this respect since 17652e7). Found by re-testing 61d1762's minisign change
        with other text encodings.

Held (tried, safe): a FrozenEstimator wrapping a 4,096-target regressor listed 200 times
(counted by the whole-model bound through FrozenEstimator.estimator); 200 distinct
DecisionTreeRegressors sharing one 4,096-output Tree (n_outputs_ counted; n_outputs_=1 refused
"tree n_outputs disagrees"); a 3-D coef_ (refused); GradientBoosting estimators_ of 65,536
references to one tree (unfold bound); arrays over one memoised bytearray to inflate stored
bytes (refused "two arrays over one bytes object"); zero-itemsize dtypes V0 / ('f8', (0,)) /
empty struct (refused); KernelPCA with inconsistent centerer (refused); LocallyLinearEmbedding
wide embedding_ (repeated-bytes bound); PLS x_rotations_ with _n_features_out (counted);
SparseCoder with default transform_max_iter (iteration share); 200 distinct
PolynomialFeatures / AdditiveChi2Samplers (name ledger); SplineTransformer shared 200 times
(unfold bound); sparse: DOK with negative / out-of-range / float / 3-tuple keys, a DOK with
_shape of 2**20 rows, 1-D dok_array, 3-D coo_array, CSC with _shape rows past its values, DIA
_shape of 2**30 columns (all refused), COO with duplicates marked canonical, DIA offset -2**40,
CSR (4, 2**20) in a dict (load; harmless as such, widths checks cover estimator slots);
HMACKey: 2.1 M random secrets (raw, hex, base64, url-safe, with newline), 32-66 bytes: only
rt58-07's form refused; mutated OpenPGP keys raise only KeyFormatError. scan and load agreed on
every file above (no parity finding). Against the working tree at 23:43 also: 200 distinct
LinearRegressions sharing one sparse (4096, 4) coef_ (refused: the sparse object met 200
times), 200 DictVectorizers sharing one 4,096-name vocabulary (unfold bound), one
PolynomialFeatures listed 200 times in a ColumnTransformer's tuples (name ledger), an
aliased CSR (indices is indptr: loads, but eliminate_zeros / sort_indices / sum_duplicates /
setdiag / toarray stay consistent: no harm shown), and honest stacking of three forests of
200 classes, bagging of 50 trees, OvR of 200 classes, GridSearchCV over a polynomial pipeline
(all load).
"""

# ruff: noqa: E501
from __future__ import annotations

import pickle

import numpy as np
import pytest

from redteam import (
    GB,
    PLAIN_CALL,
    PLAIN_JOBLIB_CALL,
    assert_refused,
    child,
    memory_harm_file,
    write,
)

ROWS = "numpy.random.RandomState(1).rand(2000, 4)"
WIDE = 4096
COPIES = 200


def _multi_output(make, classifier=False):
    """A MultiOutput model whose ``estimators_`` are :data:`COPIES` *distinct* instances that
    ``make`` builds (each sharing the same wide arrays)."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.multioutput import MultiOutputClassifier, MultiOutputRegressor

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    if classifier:
        model = MultiOutputClassifier(LogisticRegression()).fit(X, np.stack([np.arange(60) % 2] * 2, 1))
    else:
        model = MultiOutputRegressor(LinearRegression()).fit(X, rng.rand(60, 2))
    model.estimators_ = [make() for _ in range(COPIES)]
    return model


# --- rt58-01: a count sketch's width is its n_components, counted only through _n_features_out ------


def _count_sketch(n_components: int = 2_000_000):
    from sklearn.kernel_approximation import PolynomialCountSketch

    fitted = PolynomialCountSketch(n_components=10, degree=1 if n_components > WIDE else 2, random_state=0).fit(np.random.RandomState(0).rand(60, 4))
    est = PolynomialCountSketch()
    est.__dict__.update(vars(fitted))
    est.n_components = n_components  # degree * n_components under check_count_sketch's 2**24
    del est._n_features_out  # what the whole-model bound reads; transform never does
    return est


# (open at 17652e7; fixed by 61d1762, committed during the session at about 23:46)
@pytest.mark.parametrize("form", ["single-2M", "union-200x4096"])
def test_rt58_01_count_sketch_without_n_features_out(tmp_path, form):
    if form == "single-2M":
        model, limit = _count_sketch(), 1_000
    else:
        from sklearn.pipeline import FeatureUnion

        model, limit = FeatureUnion([(f"p{i}", _count_sketch(WIDE)) for i in range(COPIES)]), 60_000
    data = pickle.dumps(model, protocol=5)
    path = memory_harm_file(tmp_path, data, f"model.transform({ROWS})", limit=limit)
    assert_refused(path)


# --- rt58-02: per-row output widths of regressors and mixtures not in OUTPUT_AXES -------------------


def _target_width(kind: str):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    call = f"model.predict({ROWS})"
    if kind == "kernel-ridge":
        from sklearn.kernel_ridge import KernelRidge

        fitted = KernelRidge().fit(X, rng.rand(60, 2))
        dual, fit_x = np.zeros((1, WIDE)), np.zeros((1, 4))  # one sample, 4,096 targets

        def make():
            est = KernelRidge()
            est.__dict__.update(vars(fitted))
            est.dual_coef_, est.X_fit_ = dual, fit_x
            return est

        return _multi_output(make), call
    if kind == "gaussian-process":
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF

        fitted = GaussianProcessRegressor(RBF(1.0), optimizer=None).fit(X, rng.rand(60, 2))
        alpha, mean, std = np.zeros((1, WIDE)), np.zeros(WIDE), np.ones(WIDE)
        train, chol = np.zeros((1, 4)), np.ones((1, 1))

        def make():
            est = GaussianProcessRegressor()
            est.__dict__.update(vars(fitted))
            est.alpha_, est.y_train_, est._y_train_mean, est._y_train_std = alpha, alpha, mean, std
            est.X_train_, est.L_ = train, chol
            return est

        return _multi_output(make), call
    from sklearn.mixture import GaussianMixture

    fitted = GaussianMixture(2, covariance_type="spherical").fit(X)
    weights, means, ones = np.full(WIDE, 1.0 / WIDE), np.zeros((WIDE, 4)), np.ones(WIDE)

    def make():
        est = GaussianMixture(2, covariance_type="spherical")
        est.__dict__.update(vars(fitted))
        est.weights_, est.means_, est.n_components = weights, means, WIDE
        est.precisions_cholesky_, est.covariances_, est.precisions_ = ones, ones, ones
        return est

    return _multi_output(make, classifier=True), f"model.predict_proba({ROWS})"


# (open at 17652e7; fixed by af6624c, committed during the session)
@pytest.mark.parametrize("kind", ["kernel-ridge", "gaussian-process", "gaussian-mixture"])
def test_rt58_02_target_widths(tmp_path, kind):
    model, call = _target_width(kind)
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=5), call, limit=300_000)
    assert_refused(path)


# --- rt58-03: transform widths uncounted ---------------------------------------------------------


def _transform_width(kind: str):
    from sklearn.pipeline import FeatureUnion

    X = np.random.RandomState(0).rand(60, 4)
    if kind == "nystroem":
        from sklearn.kernel_approximation import Nystroem

        fitted = Nystroem(n_components=10).fit(X)
        one, norm = fitted.components_[:1].copy(), np.zeros((WIDE, 1))

        def make():
            est = Nystroem(n_components=1)
            est.__dict__.update(vars(fitted))
            # one component, and a (4096, 1) normalization_: transform is K @ normalization_.T
            est.components_, est.normalization_ = one, norm
            est.component_indices_, est._n_features_out = np.zeros(1, int), 1
            return est

    elif kind == "sparse-coder":
        from sklearn.decomposition import SparseCoder

        atoms = np.zeros((WIDE, 4))
        atoms[:, 0] = 1.0

        def make():  # the dictionary is a parameter: _n_features_out is a property of it
            return SparseCoder(atoms, transform_algorithm="threshold", transform_max_iter=1)

    else:
        from sklearn.cluster import Birch

        fitted = Birch().fit(X)
        centers, norms, labels = np.zeros((WIDE, 4)), np.zeros(WIDE), np.arange(WIDE)

        def make():
            est = Birch()
            est.__dict__.update(vars(fitted))
            est.subcluster_centers_, est._subcluster_norms, est.subcluster_labels_ = centers, norms, labels
            del est._n_features_out  # (transform does not read it)
            return est


    model = FeatureUnion([(f"p{i}", make()) for i in range(COPIES)])
    return model, f"model.transform({ROWS})"


# (open at 17652e7; fixed by af6624c, committed during the session)
@pytest.mark.parametrize("kind", ["nystroem", "sparse-coder", "birch"])
def test_rt58_03_transform_widths(tmp_path, kind):
    model, call = _transform_width(kind)
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=5), call, limit=300_000)
    assert_refused(path)


# --- rt58-04: inverse_transform widths (TransformedTargetRegressor) ----------------------------------


def _inverse_width(shared: bool):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    fitted = TransformedTargetRegressor(LinearRegression(), transformer=PCA(1), check_inverse=False).fit(X, rng.rand(60, 3))
    pca_fitted = PCA(1).fit(rng.rand(60, WIDE))
    components, mean = np.zeros((1, WIDE)), np.zeros(WIDE)

    def pca():
        est = PCA(1)
        est.__dict__.update(vars(pca_fitted))
        est.components_, est.mean_ = components, mean  # inverse_transform: X @ (1, 4096)
        return est

    one = pca()

    def make():
        est = TransformedTargetRegressor(LinearRegression(), transformer=PCA(1), check_inverse=False)
        est.__dict__.update(vars(fitted))
        est.transformer_ = one if shared else pca()
        est.regressor_ = LinearRegression().fit(X, rng.rand(60, 1))
        return est

    return _multi_output(make), f"model.predict({ROWS})"


# (open at 17652e7; fixed by af6624c, committed during the session)
@pytest.mark.parametrize("shared", [True, False], ids=["one-pca", "distinct-pcas"])
def test_rt58_04_inverse_transform_width(tmp_path, shared):
    model, call = _inverse_width(shared)
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=5), call, limit=300_000 if shared else 400_000)
    assert_refused(path)


# --- rt58-05: one-byte items pay four output columns each --------------------------------------------


def _padded(pad: str, items: int = 460 * 460):
    from sklearn.linear_model import LinearRegression

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    fitted = LinearRegression().fit(X, rng.rand(60, 2))
    weights, intercept = np.zeros((WIDE, 4)), np.zeros(WIDE)

    def make():  # rt57-01's 200 distinct regressors sharing one 4,096-target coef_
        est = LinearRegression()
        est.__dict__.update(vars(fitted))
        est.coef_, est.intercept_ = weights, intercept
        return est

    model = _multi_output(make)
    # an object array: numpy counts 8 bytes of pointer per item, the file one opcode (NONE,
    # or BININT1's two bytes); b3792ca's bytes measure pays 4 output columns per 8 of them
    # (2-D, 460 x 460: the working tree's _longest_axis counts a 1-D pad's length as a width)
    values = [None] * items if pad == "object-none" else [i % 200 for i in range(items)]
    model.estimators_[0].singular_ = np.array(values, dtype=object).reshape(460, 460)
    return model, f"model.predict({ROWS})"


# (open at 17652e7 and af6624c; fixed by 695e26a, RepeatedOutputs)
@pytest.mark.parametrize("pad", ["object-none", "object-small-ints"])
def test_rt58_05_one_byte_items_pay(tmp_path, pad):
    model, call = _padded(pad)
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=5), call, limit=600_000)
    assert_refused(path)


# --- rt58-06: honest models the output-width bound refuses --------------------------------------------


def _honest(kind: str):
    rng = np.random.RandomState(0)
    if kind == "forest-400-targets":
        from sklearn.ensemble import RandomForestRegressor

        X = rng.rand(200, 5)
        return RandomForestRegressor(n_estimators=100, max_depth=2, random_state=0).fit(X, rng.rand(200, 400))
    if kind == "extra-trees-1000-targets":
        from sklearn.ensemble import ExtraTreesRegressor

        X = rng.rand(200, 5)
        return ExtraTreesRegressor(n_estimators=40, max_depth=1, random_state=0).fit(X, rng.rand(200, 1000))
    from sklearn.kernel_approximation import PolynomialCountSketch

    return PolynomialCountSketch(n_components=40_000, random_state=0).fit(rng.rand(60, 4))


# (open at 17652e7 and af6624c; fixed by 695e26a, RepeatedOutputs)
@pytest.mark.parametrize("kind", ["forest-400-targets", "extra-trees-1000-targets", "count-sketch-40000"])
def test_rt58_06_honest_refused(tmp_path, kind):
    import safeload

    path = write(tmp_path, pickle.dumps(_honest(kind), protocol=5))
    assert safeload.scan(path).safe
    safeload.load_unsigned(path)


# --- rt58-07: random secrets taken for minisign keys ----------------------------------------------


def _ed_secrets():
    """Random secrets that start with ``Ed`` (once in 65,536 random ones) but are *not* 42
    bytes: 43-46 bytes as ``secrets.token_urlsafe`` writes them (url-safe base64, unpadded),
    and 43 bytes ending in a whitespace or NUL byte as base64 or hex."""
    import base64
    import random

    draw = random.Random(58)
    found = {}
    for size in (43, 44, 45):
        while True:
            raw = b"Ed" + draw.randbytes(size - 2)
            text = base64.urlsafe_b64encode(raw).rstrip(b"=")
            # b64decode (not validating) drops "-" and "_": 56 characters left, 42 bytes
            if len(text) - text.count(b"-") - text.count(b"_") == 56:
                found[f"urlsafe-{size}"] = text
                break
    raw = b"Ed" + draw.randbytes(40) + b"\n"
    found["base64-43-trailing-newline-byte"] = base64.b64encode(raw)
    found["hex-43-trailing-nul-byte"] = (b"Ed" + draw.randbytes(40) + b"\x00").hex().encode()
    return found


# (open at 17652e7; fixed by 61d1762, committed during the session at about 23:46)
@pytest.mark.parametrize("form", sorted(_ed_secrets()))
def test_rt58_07_random_secret_taken_for_minisign(form):
    from safeload.signing.hmac_key import HMACKey

    HMACKey(_ed_secrets()[form])  # a random secret, not 42 bytes: must be accepted


# --- rt58-08: the working tree's _longest_axis refuses honest hashed-text neighbours / SVC ---------


def _hashed_text(kind: str):
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC

    rng = np.random.RandomState(0)
    words = [f"w{i}" for i in range(5000)]
    docs = [" ".join(rng.choice(words, 20)) for _ in range(500)]
    final = KNeighborsClassifier() if kind == "knn" else SVC()
    return make_pipeline(HashingVectorizer(), final).fit(docs, np.arange(500) % 3)


# (open at 17652e7 and af6624c; fixed by 695e26a, RepeatedOutputs)
@pytest.mark.parametrize("kind", ["knn", "svc"])
def test_rt58_08_hashed_text_models_load(tmp_path, kind):
    import safeload

    path = write(tmp_path, pickle.dumps(_hashed_text(kind), protocol=5))
    assert safeload.scan(path).safe
    safeload.load_unsigned(path)


# --- rt58-09: one PolynomialFeatures listed 200 times in a union ---------------------------------


def _polynomial_union(kind: str = "polynomial"):
    from sklearn.kernel_approximation import AdditiveChi2Sampler
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import PolynomialFeatures

    if kind == "polynomial":
        one = PolynomialFeatures(2).fit(np.random.RandomState(0).rand(60, 90))  # 4,186 columns
    else:  # 4 inputs x (2 * 512 - 1) = 4,092 columns
        one = AdditiveChi2Sampler(sample_steps=512, sample_interval=0.5).fit(np.random.RandomState(0).rand(60, 4))
    return FeatureUnion([(f"p{i}", one) for i in range(COPIES)])


# (open at 17652e7 and af6624c; fixed by 695e26a, RepeatedOutputs)
@pytest.mark.parametrize("kind", ["polynomial", "chi2-sampler"])
def test_rt58_09_shared_polynomial_union(tmp_path, kind):
    data = pickle.dumps(_polynomial_union(kind), protocol=5)
    width = 90 if kind == "polynomial" else 4
    path = memory_harm_file(tmp_path, data, f"model.transform(numpy.random.RandomState(1).rand(2000, {width}))", limit=5_000)
    assert_refused(path)


# --- rt58-10: the name ledger's polynomial estimate refuses an honest column transformer ----------


def _polynomial_groups(groups: int = 16):
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures

    X = np.random.RandomState(0).rand(200, 3 * groups)
    ct = ColumnTransformer([(f"g{i}", PolynomialFeatures(2), [3 * i, 3 * i + 1, 3 * i + 2]) for i in range(groups)])
    return make_pipeline(ct, Ridge()).fit(X, X.sum(1))



def test_rt58_10_polynomial_groups_load(tmp_path):
    import safeload

    model = _polynomial_groups()
    assert max(len(name) for name in model[:-1].get_feature_names_out()) <= 12
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    assert safeload.scan(path).safe
    safeload.load_unsigned(path)


# --- rt58-01 / rt58-09 through skops and joblib -------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "rt58-01-skops",  # (fixed by 61d1762, as rt58-01)
        "rt58-01-joblib",
        "rt58-09-joblib",  # (fixed by 695e26a, as rt58-09)
    ],
)
def test_rt58_01_09_skops_joblib(tmp_path, kind):
    import joblib
    import skops.io as sio

    import safeload
    from redteam import PLAIN_SKOPS_CALL

    if kind.startswith("rt58-01"):
        model, call = _count_sketch(), f"model.transform({ROWS})"
    else:
        model, call = _polynomial_union(), "model.transform(numpy.random.RandomState(1).rand(2000, 90))"
    if kind.endswith("skops"):
        path = tmp_path / "m.skops"
        sio.dump(model, path)
        shown = child(PLAIN_SKOPS_CALL.format(call=call), path, memory=1 * GB, cpu=30, timeout=60)
    else:
        path = tmp_path / "m.joblib"
        joblib.dump(model, path)
        shown = child(PLAIN_JOBLIB_CALL.format(call=call), path, memory=GB, cpu=30, timeout=60)
    assert path.stat().st_size < 10_000
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert not safeload.scan(path).safe
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path)


# --- rt58-11: a LIL matrix whose rows share one values list -------------------------------------


def _lil_shared_values(n: int = 1000) -> bytes:
    import scipy.sparse as sp

    matrix = sp.lil_matrix((n, 10))
    for i in range(n):
        matrix[i, 0] = 1.0
    shared = [1.0]  # one list object as every row's values: _check_lil sees one value per index
    matrix.data = np.empty(n, dtype=object)
    for i in range(n):
        matrix.data[i] = shared
    return pickle.dumps({"a": matrix}, protocol=5)


# (open at 17652e7; fixed by 61d1762, committed during the session at about 23:46)
def test_rt58_11_lil_shared_values_list(tmp_path):
    data = _lil_shared_values()
    path = write(tmp_path, data)
    call = "m = model['a']; m[0, 5] = 2.0; [m.tocsr() for _ in range(3)]; import gc; gc.collect(); [bytearray(64) for _ in range(10**5)]"
    shown = child(PLAIN_CALL.format(call=call), path, memory=1 * GB, cpu=30, timeout=60)
    # (the overrun kills the child, or scipy notices it after the write: rt57-04's test)
    overrun = "Last value of index pointer" in shown.stderr
    assert "loaded" in shown.stdout and (shown.crashed or overrun), str(shown)
    assert_refused(path)


# --- rt58-12: PolynomialFeatures' width is parameters too, outside MAX_FREE_COLUMNS ----------------


def test_rt58_12_polynomial_free_width(tmp_path):
    from sklearn.preprocessing import PolynomialFeatures

    model = PolynomialFeatures(degree=80).fit(np.random.RandomState(0).rand(60, 4))
    assert model.n_output_features_ == 1_929_501
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=5), f"model.transform({ROWS})", limit=1_000)
    assert_refused(path)


# --- rt58-13: public keys as UTF-16 text (Windows PowerShell 5.1's `>`) taken as secrets ---------


def _utf16_public_keys() -> dict[str, bytes]:
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    pem = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key().public_bytes(
        ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo
    )
    ssh = ec.derive_private_key(7, ec.SECP256R1()).public_key().public_bytes(
        ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH
    ) + b" user@host\n"
    found = {}
    for name, text in (("pem", pem), ("openssh-line", ssh)):
        # `Get-Content pub.pem > hmac.key` in Windows PowerShell 5.1: UTF-16LE, BOM, CRLF
        found[f"{name}-utf16le-bom"] = b"\xff\xfe" + text.decode().replace("\n", "\r\n").encode("utf-16-le")
        found[f"{name}-utf16le"] = text.decode().encode("utf-16-le")
    return found


@pytest.mark.parametrize("form", sorted(_utf16_public_keys()))
def test_rt58_13_utf16_public_keys(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_utf16_public_keys()[form])
