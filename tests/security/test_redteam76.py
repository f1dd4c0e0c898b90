"""Red team 76: reproducers (strict xfails) for the open findings, 05:33-06:25 UTC 2026-12-04,
on c40a2bb (red team 74's fixes: Birch's branching_factor and integer labels, isotonic
y_thresholds_, the 16-term kernel bound and Matern's Bessel weight, AdaBoost's stage cost by
measured samples x kernel terms, the walked/own_arrays caches, HMAC's 39 code-page readings
up to MAX_REREAD_TEXT).

"pure" is a snapshot of /work/main/src at c40a2bb in /tmp/rt76p (SAFELOAD_PURE_PYTHON=1);
"compiled" is /work/main's .venv build. At 05:52 the maintainer committed red team 75's fixes
(f2fc2ba, 3d0092a): every finding below was checked again on a pure snapshot of 3d0092a
(/tmp/rt76n) and is still open there; rt76-12 is a regression of 3d0092a (c40a2bb refuses it,
so its test skips on builds without ``widths.KERNEL_WORK``). The file was run with
``--runxfail`` under pure c40a2bb, pure 3d0092a and the compiled build (9b1d586 by then):
every test failed at the intended assertion (scan's verdict, or HMACKey's acceptance), and
scan and load_unsigned of the 93 files made while attacking gave the same verdicts pure and
compiled: no parity finding. Final runs (06:22-06:25): pure c40a2bb 82 xfailed, 2 skipped;
pure 3d0092a and compiled 84 xfailed; no XPASS. The first test of a run pays the zygote's
start (some 2 s); the machine was shared (load 3 on 2 cores), so a few tests took 3 to 4 s
of wall time. Sizes are joblib files (``compress=("xz", 6)``). The attack ran without pause
from 05:33 to 06:25 (the report written in its last minutes).

Ported by the maintainer at 06:55 UTC: all seventeen fixed, plain tests. rt76-12's skip for
builds before rt75-08's fix is kept (harmless on this one).

rt76-01 (HARM: CPU; against MAX_LLE_NEIGHBOURS (rt70-02/rt71-10: k <= 1,024 a row) and the
        AdaBoostRegressor stage bound; LDA's per-row rounds have a whole-model share,
        MAX_PER_ROW_SHARE, an LLE's (k, k) solve has none) distinct
        Pipeline(LocallyLinearEmbedding(k=1,000), Ridge) members sharing one set of 1,001
        fitted samples and embedding: each predicts ONE row in 21 ms (a stump 0.08 ms) and
        counts 2 in the stage bound (its NearestNeighbors' 1,001 items // 2,000, and the
        Ridge). AdaBoostRegressor of 350 members: 9.9 KB, scan SAFE, load loads; predict of one
        row 7.4 s, staged_predict of one row 61,425 member predictions (some 21 minutes);
        VotingRegressor of 1,000 members: 18.5 KB, scan 2.9 s SAFE, predict 21 s a row (a
        union of them is refused by the columns bound). k = 1,024 is refused (4,097 columns).
        (The test: 20 AdaBoost members, 210 predictions; 60 voting members, 3 rows.)
        Found costing members whose work is neither samples nor trees.
rt76-02 (HARM: CPU; against the callable allowlist in two-argument slots, which refuses numpy
        functions only) ``KernelRidge(kernel=sklearn.metrics.max_error)`` (any allowlisted
        metric): pairwise_kernels hands a callable that is no GP kernel to _pairwise_callable,
        ONE Python call per (row, fitted sample) pair, some 100 us each. 60,000 zero samples:
        664 bytes, scan SAFE, load loads, predict of ONE row 6.4 s (the test: 20,000, 2.1 s
        a row; with "rbf" 1 ms; the
        allowlist refuses PyFuncDistance64 for exactly this). Nystroem(kernel=max_error) over
        4,000 components: 0.4 s a row. In an AdaBoostRegressor (3d0092a): 60 such members over
        1,999 samples each (counted 1: a function is no kernel term), 1.2 KB, scan SAFE, load
        loads, 0.22 s a member prediction: staged_predict of one row some 400 s (not in the
        test). Found asking which callables reach pairwise_kernels.
rt76-03 (HARM: memory; against check_kernel_values (``ndim <= 1`` for length_scale, kept by
        rt75-07's fix, "a number or flat numbers") and rt75-01's fix, which made the other
        hyperparameters one number) ``ExpSineSquared(length_scale=np.ones(200_000))``: it
        divides sin(pi d / p) by length_scale, so K(X, Y) of (rows, 1) is (rows, 200,000).
        KernelRidge on one sample: 856 bytes, scan SAFE, load loads; predict of 2,000 rows 3.2 GB.
        (RBF and Matern check an anisotropic length_scale against the input; RationalQuadratic
        raises.) Found reading which kernels broadcast length_scale.
rt76-04 (TRUST; against HMACKey's text readings, which know the EC/Ed25519 ``-text`` dump
        (rt54-05)) an RSA public key as ``openssl rsa -pubin -noout -text`` or ``pkey -text``
        prints it (the modulus in colon-hex lines), ``-modulus`` ("Modulus=9FAF..."; what one
        runs to match a key with a certificate), and ``openssl asn1parse -dump`` /
        ``-strparse 19`` of RSA, P-256 and Ed25519 public keys, and ``openssl ec -pubin -noout
        -text -conv_form compressed`` of a P-256 key (a compressed point is refused nowhere,
        rightly alone, but here it sits under "Public-Key:", "pub:" and "ASN1 OID"): accepted
        as HMAC secrets (pure and compiled); ``openssl x509 -noout -text`` of an RSA
        certificate alike (06:20, not in the test; an EC certificate's is refused). Found
        running OpenSSL's printing commands.
rt76-05 (TRUST; against the DER forms HMACKey knows: key, certificate, chain, CSR, PKCS#7)
        a certificate-only PKCS#12 (``serialize_key_and_certificates(None key)``), a Java
        truststore (``serialize_java_truststore``, unencrypted or with keytool's "changeit"),
        its base64, and a legacy JKS truststore (the JDK's cacerts format) of one certificate:
        public material, accepted as an HMAC secret (so is a certificate's DER with bytes
        before or after it, not in the test). Found with rt76-04.
rt76-06 (TRUST, low; against MAX_REREAD_TEXT (64 KB), which bounds rt74-04's code-page
        readings and rt75-03's decompression) an EBCDIC (cp037) key file opened with cp1252
        and saved as UTF-8 (with or without BOM), UTF-16 or UTF-32, past 64 KB: an
        authorized_keys of 700 Ed25519 keys (137 KB as UTF-8; 350 keys, 68 KB, alike) or a
        P-256 PEM after 70 KB of comment. The same text at 40 keys (7.7 KB) is refused. (A
        reading of the first and last 64 KB, or of each line, would keep the cost bounded.)
        On 3d0092a also gzip, bzip2 and xz of such a text (a PEM after 70 KB of comment:
        some 400 bytes), inflated to 64 KB only (its own test; on c40a2bb, which inflates
        nothing, it is accepted too). Found asking what a key text just over 64 KB does.
rt76-07 (HARM: memory; against FITTED_NUMBERS, which has no KernelDensity row) a fitted
        KernelDensity's ``bandwidth_`` (one float) as (200,000,) or (200,000, 1, 1):
        ``sample(n)`` returns rng.normal(data[i], bandwidth_), (n, 200,000): 1.0 KB, scan SAFE,
        load loads; sample(2,000) asks 3.2 GB. Found fuzzing every fitted scalar of
        all_estimators() with (200,000, ...) arrays (scan only, then the methods).
rt76-08 (HARM: memory; FITTED_NUMBERS, no PCA/IncrementalPCA row) ``noise_variance_`` (one
        number) as (100,000, 1, 1): ``get_covariance()`` (no input) computes exp_var -
        noise_variance_ and (components_.T * it) @ components_: (100,000, 50, 50) before
        _add_to_diagonal raises, 2 GB (200,000: 4 GB) from 1.5 KB; scan SAFE, load loads.
        (get_precision and score compare it with 0.0 first and raise.) Found by the same fuzz.
rt76-09 (HARM: memory; QDA's priors_ are read by nothing) QuadraticDiscriminantAnalysis with
        ``priors_`` (200,000, 1, 1): _decision_function adds np.log(priors_) to (rows, classes),
        so predict_proba of 2,000 rows is (200,000, 2,000, 2), 6.4 GB: 1.0 KB, scan SAFE, load
        loads. Found by the same fuzz.
rt76-10 (HARM: memory; against FEATURE_AXES (rt70-13/14), whose _check_feature_axes reads
        only ``shape[axis] == n_features_in_``) a per-feature array with a leading axis:
        ``mean_`` (200,000, 1, 3) on 3 features. FactorAnalysis.transform (X - mean_) of 2,000
        rows asks 9.6 GB; PCA, IncrementalPCA, SparsePCA (and MiniBatchSparsePCA)
        inverse_transform (X @ components_ + mean_) and PCA/FactorAnalysis score_samples alike:
        1.5 KB, scan SAFE, load loads. (Scalers add their arrays in place and raise.) Found by
        the fuzz with (200,000, 1) + shape. FastICA's mixing_ (feature axis 0) as (3, 1,
        200,000): inverse_transform is (rows, 200,000, 3) (the fuzz with shape + (n,)).
rt76-11 (HARM: memory; against MAX_LABEL_SLACK (rt35), which bounds padding past the longest
        label, not the label) classes_ of two labels of 200,000 real characters: predict
        returns classes_[argmax], 800 KB per row: LogisticRegression 932 bytes, scan SAFE,
        load loads, predict of 2,000 rows 1.6 GB; DecisionTreeClassifier, LabelEncoder
        (inverse_transform) alike, and OneHotEncoder/OrdinalEncoder FITTED as is on such
        categories (816 bytes: categories_ keeps '<U200000', inverse_transform one per row).
        (rt74-02's second form, fixed for Birch only.) A RadiusNeighborsClassifier fitted on
        such labels (1.4 KB) and TfidfVectorizer.inverse_transform over such terms load
        alike (not in the test). Found with rt76-07's fuzz in mind.
rt76-12 (HARM: CPU; a regression of f2fc2ba (rt75-08's fix): a kernel of up to 256 weighted
        terms loads when terms x MEASURED_SAMPLES items <= KERNEL_WORK, and LabelSpreading's
        and LabelPropagation's samples are ``X_``, none of MEASURED_SAMPLES) a LabelSpreading
        whose kernel is 25 Matern(nu=0.7) terms (250 weighted) over 60,000 zero samples:
        1.2 KB, refused by c40a2bb's flat 16, SAFE and loaded by 3d0092a; predict_proba 0.23 s
        a row (rt74-08's LabelSpreading form; an RBF 2 ms). Found re-reading rt75's fix.
rt76-13 (HARM: memory; LocalOutlierFactor's _lrd is read by nothing) LOF(novelty=True)
        whose ``_lrd`` (one density per fitted sample, (3,)) is (3, 200,000): score_samples
        divides _lrd[neighbours] by each row's own, (rows, 1, 200,000): 1.4 KB, scan SAFE,
        load loads, predict of 2,000 rows 3.2 GB; ``_distances_fit_X_`` (3, 1) as (3, 1,
        200,000) alike (06:21). Found reading score_samples' arrays.
rt76-14 (HARM: memory; against check_linear_shapes, which reads coef_'s width but not that
        intercept_ has one item per coef_ row) a binary LogisticRegression (coef_ (1, 2))
        with intercept_ (1, 200,000): decision_function is (rows, 200,000): 908 bytes, scan
        SAFE, load loads, 2,000 rows 3.2 GB; SGDClassifier, LinearSVC, LinearDiscriminant-
        Analysis (3-d result) alike. Found by the fuzz with trailing axes.
rt76-15 (HARM: memory; a decomposition's components_ may have three dimensions) PCA,
        TruncatedSVD, FastICA, IncrementalPCA with components_ (1, 2, 200,000) on 2 features:
        X @ components_.T is (200,000, rows, 1): 1.2 KB, transform of 2,000 rows 3.2 GB; a
        FactorAnalysis on one feature with (1, 1, 20,000): get_covariance() (no input) is
        np.dot(components_.T, components_), (20,000, 1, 1, 20,000), 3.2 GB. Found by the fuzz.
rt76-16 (HARM: memory; FITTED_NUMBERS, no LatentDirichletAllocation row) ``topic_word_prior_``
        (one number) as (200,000, 1, 1): score()/perplexity() compute (prior - components_) *
        log(components_), (200,000, 10, 100) for a 10-topic model over 100 words, 1.6 GB per
        array, for 2 documents: 17 KB, scan SAFE, load loads. Found by the fuzz.
rt76-17 (TRUST; against the token decoding of _decoded, which reads a base64 run line by line
        and joins the lines only when the whole text is base64) a P-256 or RSA-2048 PEM public
        key whose body is several lines and whose armour is not the exact "-----BEGIN": the
        dashes autocorrected to em/en dashes (a key pasted through a word processor or a
        wiki), "---", no dashes, the body quoted "> " in an e-mail reply, or the body as a
        YAML block or folded scalar ("public_key: |" then indented lines: a Helm value, a
        ConfigMap; rt56-03 refuses the one-line YAML-keyed body), an XML element, a TOML
        multi-line string, a Markdown code fence, a "Public key:" label above the lines, or
        the lines with only the END line (a YAML list, an INI continuation and a shell line
        continuation alike, not in the test): accepted (pure
        c40a2bb and 3d0092a, compiled); an Ed25519 key (one body line) is refused in all of
        them. A certificate's body alike: in a YAML block, or wrapped in lines inside an XML
        element (SAML metadata's ``<ds:X509Certificate>``; one line is refused), 06:20, not
        in the test. Found varying the PEM armour at the end of the window (06:11).

Held (tried, refused or harmless):
- Gamma/degree/coef0 arrays in KernelRidge, Nystroem, KernelPCA: refused by the parameter
  constraints; PairwiseKernel: not allowlisted. ConstantKernel/WhiteKernel arrays broadcast
  only to (rows, samples); RationalQuadratic's length_scale raises.
- KNeighbors with a metric function (effective_metric_ only strings), SVC with one (called
  once on whole arrays: raises), LabelSpreading with one (the same); KNNImputer's callable
  metric gets missing_values and raises.
- AdaBoostRegressor over SparseCoder pipelines (4,096 atoms: the columns bound; lasso_lars
  2,048: the per-row iteration share); over HistGradientBoosting members of 1,000 one-leaf
  predictors (4.2 ms a predict, 53 stumps; 20 members 3.4 KB but scan 10.9 s + load 8.5 s,
  safeload's own cost per predictor being about what staged_predict spends on it).
- Birch: branching_factor as numpy ints, uint8 nodes, bool branching factors: load and do
  no harm; a leaf's centroids_ of 20,000 rows is reset by append_subcluster before any split.
- HMAC: hashed known_hosts, @cert-authority, authorized_keys options, allowed_signers, an
  ECDSA OpenSSH line, its blob in base64 or hex, a shell export, a PEM on one line or with
  "\\n" escapes: refused.
- HMAC: EBCDIC (cp037, cp273, cp424, cp500, cp875, cp1026, cp1140) PEM and OpenSSH lines,
  NL 0x15 or LF 0x25: refused; COSE_Key (P-256, Ed25519) raw and base64url, PKCS#7 DER, RSA
  PKCS#1 DER, bare x||y: refused; `openssl pkey/ec -pubin -text` of P-256, `x509 -text`:
  refused; decompression is bounded at 64 KB.
- The _walked / own_arrays caches keep their containers alive (no id reuse); _FRAME_COLUMNS
  keys by a weakref'd names array.
- FITTED_NUMBERS and widths fuzz (all_estimators(), default fit, 2 and 3 classes): every other
  fitted scalar or small array as (200,000, 1, 1), (200,000, 1) + shape, shape + (20,000,)
  and lengthened axes: refused (the columns bound: GaussianMixture weights_, DummyClassifier
  class_prior_, ComplementNB feature_log_prob_, LabelSpreading label_distributions_, a 1-d
  LinearRegression intercept_...), raising before any allocation (scalers add in place,
  TargetEncoder assigns), or storage-paid widths.
- Integer fitted attributes set to 10**8 (all_estimators(), default fit): only
  BaggingClassifier.n_classes_ allocates, and it is refused.

Ideas not tested:
- KernelPCA(kernel=max_error) under the columns bound (4,096 samples: some 0.4 s a row); an
  unfitted GaussianProcessRegressor with a 250-weighted-term kernel (no samples measured on
  3d0092a): only predict(return_cov=True) and sample_y evaluate it, rows x rows.
- Long text in other places methods copy per row (DictVectorizer/TfidfVectorizer
  inverse_transform feature names, RadiusNeighborsClassifier outlier_label_).
- The fuzz on multi-output regressors (the meta-estimator fuzz, 16 fitted composites with
  every small fitted array of their members widened, found only rt76-14 again).
- Birch on 9b1d586 (2**16 centroid items for a free branching_factor): inner nodes whose own
  branching_factor is 65,535 (a 512 KB init_centroids_ each) over many full leaves of 3:
  every partial_fit row that splits a leaf makes two 512 KB nodes with the parent's value;
  the ratio to what the file's nodes already hold looked small (some 6x), not built.
- A certificate's DER at any offset of a secret (bytes before or after it are accepted).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    PLAIN_JOBLIB_CALL,
    assert_refused_with,
    child,
    code_page_reading,
    compressed_joblib,
    joblib_out_of_memory,
    self_signed_certificate,
)


def _stump_adaboost(members: list[Any]) -> Any:
    """An honest AdaBoostRegressor of stumps whose members are then ``members``."""
    from sklearn.ensemble import AdaBoostRegressor
    from sklearn.tree import DecisionTreeRegressor

    rs = np.random.RandomState(0)
    x = rs.rand(40, 1)
    model = AdaBoostRegressor(DecisionTreeRegressor(max_depth=1), n_estimators=3).fit(
        x, x[:, 0] + rs.rand(40)
    )
    model.estimators_ = members
    model.estimator_weights_ = np.ones(len(members))
    model.estimator_errors_ = np.full(len(members), 0.1)
    model.n_estimators = len(members)
    return model


# --- rt76-01: LLE's per-row (k, k) solve: no whole-model share, costs 1 in AdaBoost's stages ---


def _lle_pipelines(count: int, k: int) -> list[Any]:
    """``count`` distinct pipelines LocallyLinearEmbedding -> Ridge, each LLE with ``k``
    neighbours over ONE shared set of k + 1 fitted samples and embedding (pickled once)."""
    from sklearn.linear_model import Ridge
    from sklearn.manifold import LocallyLinearEmbedding
    from sklearn.neighbors import NearestNeighbors
    from sklearn.pipeline import make_pipeline

    rs = np.random.RandomState(0)
    x = rs.rand(40, 1)
    template = make_pipeline(LocallyLinearEmbedding(n_neighbors=5, n_components=1), Ridge())
    template.fit(x, x[:, 0])
    samples, embedding = rs.rand(k + 1, 1), np.zeros((k + 1, 1))
    held = []
    for _ in range(count):
        member = copy.deepcopy(template)
        lle = member[0]
        lle.n_neighbors = k  # (MAX_LLE_NEIGHBOURS is 1,024; 1,024 meets the columns bound)
        lle.nbrs_ = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(samples)
        lle.embedding_ = embedding
        held.append(member)
    return held


@pytest.mark.parametrize("kind", ["adaboost", "voting"])
def test_rt76_01_lle_members(tmp_path, kind):
    from sklearn.ensemble import VotingRegressor

    model: Any
    if kind == "adaboost":
        # 60 members, each counted 2 by the stage bound (an LLE whose parts are a
        # NearestNeighbors of 1,001 samples: max(1, 1,001 // 2,000), and a Ridge) and each
        # predicting one row in some 21 ms (a stump: 0.08 ms)
        model = _stump_adaboost(_lle_pipelines(20, 1000))
        call = "for _ in model.staged_predict(numpy.zeros((1, 1))): pass"  # (210: ~4.4 s)
    else:
        from sklearn.linear_model import Ridge
        from sklearn.utils import Bunch

        members = _lle_pipelines(60, 1000)
        x = np.random.RandomState(0).rand(40, 1)
        model = VotingRegressor([("m0", Ridge())]).fit(x, x[:, 0])
        model.estimators = [(f"m{i}", m) for i, m in enumerate(members)]
        model.estimators_ = members
        model.named_estimators_ = Bunch(**dict(model.estimators))
        call = "model.predict(numpy.zeros((3, 1)))"  # (180 solves of (1,000, 1,000): ~3.8 s)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt76-02: a metric function as a kernel: one Python call per (row, fitted sample) pair ---


@pytest.mark.parametrize("kind", ["kernel_ridge", "nystroem"])
def test_rt76_02_metric_function_as_kernel(tmp_path, kind):
    from sklearn.kernel_approximation import Nystroem
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.metrics import max_error

    x = np.random.RandomState(0).rand(5, 1)
    model: Any
    if kind == "kernel_ridge":
        # 20,000 zero samples (60,000, under the width bound's 65,536, alike): pairwise_kernels
        # hands a callable that is no GP kernel to _pairwise_callable, a Python call per pair
        # (some 100 us for max_error's validation): 2.1 s of CPU for ONE row (6.4 s over
        # 60,000; with "rbf": 1 ms)
        model = KernelRidge(kernel="rbf").fit(x, x[:, 0])
        model.kernel = max_error  # (on the callable allowlist as a metric)
        model.X_fit_, model.dual_coef_ = np.zeros((20_000, 1)), np.zeros(20_000)
        call = "model.predict(numpy.zeros((10, 1)))"
    else:
        # 4,000 components (under the columns bound's 4,096): 0.4 s of CPU a row
        model = Nystroem(kernel="rbf", n_components=5).fit(x)
        model.kernel = max_error
        model.components_ = np.zeros((4_000, 1))
        model.component_indices_ = np.arange(4_000)
        model.normalization_ = np.zeros((4_000, 4_000 // 4_000))
        call = "model.transform(numpy.zeros((100, 1)))"
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt76-03: ExpSineSquared's length_scale of n numbers broadcasts the kernel to n columns ---


def test_rt76_03_exp_sine_squared_length_scale(tmp_path):
    from sklearn.gaussian_process.kernels import RBF, ExpSineSquared
    from sklearn.kernel_ridge import KernelRidge

    x = np.array([[0.5]])
    model = KernelRidge(kernel=RBF()).fit(x, x[:, 0])  # (ONE fitted sample)
    # (check_kernel_values lets length_scale be an array of ndim <= 1, as an anisotropic RBF's
    # is; ExpSineSquared divides sin(pi d / p) by it: (rows, 1) / (200,000,))
    model.kernel = ExpSineSquared(length_scale=np.ones(200_000))
    assert model.kernel(np.zeros((3, 1)), x).shape == (3, 200_000)
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    # (2,000, 200,000) floats: 3.2 GB before the product with the one dual coefficient fails
    joblib_out_of_memory(path, "model.predict(numpy.zeros((2000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt76-04: an RSA public key as OpenSSL prints it (-text, -modulus, asn1parse) -----------


def _public_pem(kind: str) -> bytes:
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    key: Any = {
        "rsa": lambda: rsa.generate_private_key(65537, 2048),
        "p256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "ed25519": ed25519.Ed25519PrivateKey.generate,
    }[kind]().public_key()
    return key.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)


def _openssl(args: list[str], pem: bytes, tmp_path: Any) -> bytes:
    """What ``openssl ARGS -in pub.pem`` prints for the key file ``pem``."""
    import subprocess

    path = tmp_path / "pub.pem"
    path.write_bytes(pem)
    done = subprocess.run(
        ["openssl", *args, "-in", str(path)], capture_output=True, check=True, timeout=30
    )
    return done.stdout


@pytest.mark.parametrize(
    "kind,args",
    [
        ("rsa", "rsa -pubin -noout -text"),  # (EC keys' -text dump is refused, rt54-05)
        ("rsa", "rsa -pubin -noout -modulus"),  # ("Modulus=9FAF...": a key against a cert)
        ("rsa", "pkey -pubin -noout -text"),
        ("rsa", "asn1parse -dump"),
        ("rsa", "asn1parse -strparse 19"),
        ("p256", "asn1parse -dump"),
        ("ed25519", "asn1parse -dump"),
        # (a compressed point alone cannot be told from random bytes, but under OpenSSL's
        # "Public-Key: (256 bit)" / "pub:" / "ASN1 OID: prime256v1" it can)
        ("p256", "ec -pubin -noout -text -conv_form compressed"),
        ("ed25519", "pkey -pubin -noout -text"),
    ],
)
def test_rt76_04_public_key_openssl_prints(tmp_path, kind, args):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    printed = _openssl(args.split(), _public_pem(kind), tmp_path)
    assert len(printed) >= 32, printed
    with pytest.raises(KeyFormatError):
        HMACKey(printed)


# --- rt76-05: a certificate-only PKCS#12 (a Java truststore) ------------------------------------


def _jks_truststore(der: bytes) -> bytes:
    """A legacy Java KeyStore (keytool's format before Java 9; the JDK's ``cacerts``) of one
    trusted certificate, under keytool's "changeit"."""
    import hashlib
    import struct

    def utf(text: str) -> bytes:
        return struct.pack(">H", len(text)) + text.encode()

    body = b"\xfe\xed\xfe\xed" + struct.pack(">III", 2, 1, 2) + utf("signer")
    body += struct.pack(">Q", 0) + utf("X.509") + struct.pack(">I", len(der)) + der
    password = "changeit".encode("utf-16-be")
    return body + hashlib.sha1(password + b"Mighty Aphrodite" + body).digest()  # noqa: S324 (JKS's own integrity hash)


@pytest.mark.parametrize(
    "form", ["p12", "truststore", "truststore-changeit", "p12-base64", "jks-cacerts"]
)
def test_rt76_05_pkcs12_truststore(form):
    import base64

    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.serialization import pkcs12

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    _, cert = self_signed_certificate()
    entry = [pkcs12.PKCS12Certificate(cert, b"signer")]
    secret = {
        "p12": lambda: pkcs12.serialize_key_and_certificates(
            b"signer", None, cert, None, s.NoEncryption()
        ),
        "truststore": lambda: pkcs12.serialize_java_truststore(entry, s.NoEncryption()),
        # (keytool's default store password)
        "truststore-changeit": lambda: pkcs12.serialize_java_truststore(
            entry, s.BestAvailableEncryption(b"changeit")
        ),
        "p12-base64": lambda: base64.b64encode(
            pkcs12.serialize_java_truststore(entry, s.NoEncryption())
        ),
        "jks-cacerts": lambda: _jks_truststore(cert.public_bytes(s.Encoding.DER)),
    }[form]()
    with pytest.raises(KeyFormatError):
        HMACKey(secret)


# --- rt76-06: EBCDIC key text read by a code page, past MAX_REREAD_TEXT (64 KB) -----------------


@pytest.mark.parametrize("wide", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
@pytest.mark.parametrize("text", ["authorized_keys", "commented_pem"])
def test_rt76_06_code_page_text_past_64_kb(text, wide):
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import MAX_REREAD_TEXT, HMACKey

    if text == "authorized_keys":
        # a mainframe's authorized_keys of 700 Ed25519 keys (68 KB of text)
        lines = []
        for i in range(700):
            key = ed25519.Ed25519PrivateKey.generate().public_key()
            line = key.public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH).decode()
            lines.append(f"{line} user{i}@zos\n")
        plain = "".join(lines)
    else:
        # a P-256 PEM public key after 70 KB of comment
        key = ec.generate_private_key(ec.SECP256R1()).public_key()
        pem = key.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo).decode()
        plain = "# " + "signing key of the model registry " * 2_000 + "\n" + pem
    with pytest.raises(KeyFormatError):  # (the EBCDIC bytes themselves are refused)
        HMACKey(plain.encode("cp037"))
    # opened with cp1252 and saved as Unicode (what rt73-06 / rt74-04 read back, to 64 KB)
    secret = code_page_reading(plain.encode("cp037"), "cp1252").encode(wide)
    assert len(secret) > MAX_REREAD_TEXT
    with pytest.raises(KeyFormatError):
        HMACKey(secret)


@pytest.mark.parametrize("codec", ["gzip", "bz2", "lzma"])
def test_rt76_06_compressed_text_past_64_kb(codec):
    import importlib

    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    # (3d0092a inflates gzip, zlib, bzip2 and xz secrets to MAX_REREAD_TEXT, rt75-03: a
    # P-256 PEM after 70 KB of comment, compressed, is some 400 bytes; its first 1 KB form is
    # refused)
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    pem = key.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo).decode()
    short = ("# signing key\n" + pem).encode()
    with pytest.raises(KeyFormatError):
        HMACKey(importlib.import_module(codec).compress(short))
    text = ("# " + "signing key of the model registry " * 2_000 + "\n" + pem).encode()
    with pytest.raises(KeyFormatError):
        HMACKey(importlib.import_module(codec).compress(text))


# --- rt76-07: KernelDensity's bandwidth_ of n numbers: sample() draws n times each row --------


@pytest.mark.parametrize("shape", [(200_000,), (200_000, 1, 1)])
def test_rt76_07_kernel_density_bandwidth(tmp_path, shape):
    from sklearn.neighbors import KernelDensity

    model = KernelDensity(bandwidth=1.0).fit(np.array([[0.5]]))  # (ONE fitted sample)
    # (fit stores bandwidth_ as one float; FITTED_NUMBERS has no KernelDensity row.
    # sample(n) returns rng.normal(data[i], bandwidth_): (n, 1) with (200,000,) or
    # (200,000, 1, 1))
    model.bandwidth_ = np.ones(shape)
    assert model.sample(2).size == 2 * 200_000
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    # sample(2,000): 400,000,000 normal draws, 3.2 GB
    joblib_out_of_memory(path, "model.sample(2000)", memory=GB // 2)
    assert_refused_with(path)


# --- rt76-08: PCA's noise_variance_ of any shape: get_covariance() builds one matrix per item --


@pytest.mark.parametrize("kind", ["PCA", "IncrementalPCA"])
def test_rt76_08_pca_noise_variance(tmp_path, kind):
    from sklearn.decomposition import PCA, IncrementalPCA

    x = np.random.RandomState(0).rand(20, 50)
    model = {"PCA": PCA, "IncrementalPCA": IncrementalPCA}[kind](n_components=1).fit(x)
    # (fit stores noise_variance_ as one number; FITTED_NUMBERS has no PCA row.
    # get_covariance() takes no input: exp_var - noise_variance_ is (n, 1, 1), so
    # (components_.T * it) @ components_ is (n, 50, 50) before _add_to_diagonal raises)
    model.noise_variance_ = np.ones((100_000, 1, 1))
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    # (100,000, 50, 50) floats: 2 GB, from a call with no input at all
    joblib_out_of_memory(path, "model.get_covariance()", memory=GB // 2)
    assert_refused_with(path)


# --- rt76-09: QuadraticDiscriminantAnalysis priors_ of any shape broadcast the decision --------


def test_rt76_09_qda_priors(tmp_path):
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis

    rs = np.random.RandomState(0)
    x = rs.rand(40, 2)
    model = QuadraticDiscriminantAnalysis().fit(x, (x[:, 0] > 0.5).astype(int))
    # (_decision_function returns -0.5 * (norm2 + u) + np.log(priors_): (rows, 2) with
    # (200,000, 1, 1) is (200,000, rows, 2); a priors_ of one value per class is unchecked)
    model.priors_ = np.full((200_000, 1, 1), 0.5)
    assert model.decision_function(np.zeros((3, 2))).shape[0] == 200_000
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    # predict_proba of 2,000 rows: (200,000, 2,000, 2) floats, 6.4 GB
    joblib_out_of_memory(path, "model.predict_proba(numpy.zeros((2000, 2)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt76-10: FEATURE_AXES reads one axis: a per-feature array with a leading axis passes -------


@pytest.mark.parametrize(
    "kind", ["FactorAnalysis", "PCA", "IncrementalPCA", "SparsePCA", "FastICA-mixing"]
)
def test_rt76_10_feature_axis_leading_axis(tmp_path, kind):
    from sklearn.decomposition import PCA, FactorAnalysis, FastICA, IncrementalPCA, SparsePCA

    x = np.random.RandomState(0).rand(30, 3)
    if kind == "FastICA-mixing":
        # mixing_'s feature axis is 0 (FEATURE_AXES): (3, 1, 200,000) passes, and
        # inverse_transform's np.dot(X, mixing_.T) is (rows, 200,000, 3)
        ica = FastICA(n_components=1, random_state=0).fit(x)
        ica.mixing_ = np.zeros((3, 1, 200_000))
        path = compressed_joblib(tmp_path, ica, 10_000, ("xz", 6))
        call = "model.inverse_transform(numpy.zeros((2000, 1)))"  # (9.6 GB)
        joblib_out_of_memory(path, call, memory=GB // 2)
        assert_refused_with(path)
        return
    model = {
        "FactorAnalysis": FactorAnalysis,
        "PCA": PCA,
        "IncrementalPCA": IncrementalPCA,
        "SparsePCA": SparsePCA,
    }[kind](n_components=1).fit(x)
    # (_check_feature_axes asks shape[-1] == n_features_in_ (3) and nothing of the other
    # axes: X - mean_ with a (200,000, 1, 3) mean_ is (200,000, rows, 3))
    model.mean_ = np.zeros((200_000, 1, 3))
    if kind == "FactorAnalysis":
        call = "model.transform(numpy.zeros((2000, 3)))"  # (200,000, 2,000, 3): 9.6 GB
    else:
        call = "model.inverse_transform(numpy.zeros((2000, 1)))"  # (X @ components_ + mean_)
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt76-11: labels of 200,000 characters: predict copies one per row ------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "LogisticRegression",
        "DecisionTreeClassifier",
        "LabelEncoder",
        "OneHotEncoder",
        "OrdinalEncoder",
    ],
)
def test_rt76_11_long_text_labels(tmp_path, kind):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import LabelEncoder, OneHotEncoder, OrdinalEncoder
    from sklearn.tree import DecisionTreeClassifier

    if kind in ("OneHotEncoder", "OrdinalEncoder"):
        # fitted as is (no change after fit) on two categories of 200,000 characters:
        # categories_ keeps the input's '<U200000', and inverse_transform writes one per row
        cls = {"OneHotEncoder": OneHotEncoder, "OrdinalEncoder": OrdinalEncoder}[kind]
        encoder = cls().fit(np.array([["a" * 200_000], ["b" * 200_000]]))
        path = compressed_joblib(tmp_path, encoder, 10_000, ("xz", 6))
        # (2,000 rows of the first category: 1.6 GB)
        rows = (
            "numpy.tile([[1.0, 0.0]], (2000, 1))"
            if kind == "OneHotEncoder"
            else ("numpy.zeros((2000, 1))")
        )
        call = f"model.inverse_transform({rows})"
        joblib_out_of_memory(path, call, memory=GB // 2)
        assert_refused_with(path)
        return

    rs = np.random.RandomState(0)
    x = rs.rand(40, 1)
    y = (x[:, 0] > 0.5).astype(int)
    model: Any
    if kind == "LabelEncoder":
        model = LabelEncoder().fit(y)
        call = "model.inverse_transform(numpy.zeros(2000, dtype=int))"
    else:
        model = {
            "LogisticRegression": LogisticRegression,
            "DecisionTreeClassifier": DecisionTreeClassifier,
        }[kind]().fit(x, y)
        call = "model.predict(numpy.zeros((2000, 1)))"
    # (two labels of 200,000 real characters: no padding for MAX_LABEL_SLACK to refuse, and
    # 1.6 MB in the loaded model; predict returns classes_[argmax], 800 KB per row)
    model.classes_ = np.array(["a" * 200_000, "b" * 200_000])
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    # 2,000 rows: 1.6 GB
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt76-12 (3d0092a): rt75-08's terms x fitted items reads MEASURED_SAMPLES, not X_ -----------


@pytest.mark.parametrize("kind", ["LabelSpreading", "LabelPropagation"])
def test_rt76_12_label_spreading_kernel_terms(tmp_path, kind):
    from sklearn.gaussian_process.kernels import RBF
    from sklearn.semi_supervised import LabelPropagation, LabelSpreading

    from safeload.trust.structures import widths

    if not hasattr(widths, "KERNEL_WORK"):
        pytest.skip("a build before rt75-08's fix (its flat 16-term bound refuses this)")
    rs = np.random.RandomState(0)
    x = rs.rand(20, 1)
    cls = {"LabelSpreading": LabelSpreading, "LabelPropagation": LabelPropagation}[kind]
    model = cls(kernel=RBF()).fit(x, (x[:, 0] > 0.5).astype(int))
    # 25 Matern(nu=0.7) terms (250 weighted, under MAX_KERNEL_TERMS' 256) over 60,000 samples:
    # _check_kernel_terms multiplies the terms by the MEASURED_SAMPLES items, and X_ (the
    # samples predict_proba measures every row against, rt74-08's LabelSpreading) is none
    # of them, so 250 x 0 <= KERNEL_WORK. 0.23 s of CPU a row (an RBF: 2 ms)
    model.kernel = _matern_sum(25)
    n = 60_000
    model.X_ = np.zeros((n, 1))
    model.label_distributions_ = np.full((n, 2), 0.5)
    model.transduction_ = np.zeros(n, dtype=np.int64)
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    call = "model.predict_proba(numpy.zeros((20, 1)))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


def _matern_sum(terms: int) -> Any:
    """A balanced Sum of ``terms`` distinct ``Matern(nu=0.7)`` kernels (fixed bounds)."""
    from sklearn.gaussian_process.kernels import Matern

    parts = [
        Matern(length_scale=1.0 + i * 1e-3, nu=0.7, length_scale_bounds="fixed")
        for i in range(terms)
    ]
    while len(parts) > 1:
        parts = [
            parts[i] + parts[i + 1] if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]


# --- rt76-13: LocalOutlierFactor's _lrd with a trailing axis: every score a row of it ------------


@pytest.mark.parametrize("attr", ["_lrd", "_distances_fit_X_"])
def test_rt76_13_lof_lrd_trailing_axis(tmp_path, attr):
    from sklearn.neighbors import LocalOutlierFactor

    x = np.array([[0.0], [1.0], [2.0]])
    model = LocalOutlierFactor(n_neighbors=1, novelty=True).fit(x)
    # (fit stores one local reachability density per fitted sample, (3,); score_samples
    # divides _lrd[neighbours] by each row's own: (rows, 1, 200,000); and one distance per
    # neighbour, (3, 1): a (3, 1, 200,000) _distances_fit_X_ makes each row's dist_k alike)
    if attr == "_lrd":
        model._lrd = np.ones((3, 200_000))
    else:
        model._distances_fit_X_ = np.ones((3, 1, 200_000))
    assert model.score_samples(np.zeros((2, 1))).shape == (2, 200_000)
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    # predict of 2,000 rows: (2,000, 1, 200,000) floats, 3.2 GB
    joblib_out_of_memory(path, "model.predict(numpy.zeros((2000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt76-14: a linear classifier's intercept_ is not tied to coef_'s rows ---------------------


@pytest.mark.parametrize(
    "kind", ["LogisticRegression", "SGDClassifier", "LinearSVC", "LinearDiscriminantAnalysis"]
)
def test_rt76_14_intercept_not_coef_rows(tmp_path, kind):
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.svm import LinearSVC

    rs = np.random.RandomState(0)
    x = rs.rand(30, 2)
    cls: Any = {
        "LogisticRegression": LogisticRegression,
        "SGDClassifier": SGDClassifier,
        "LinearSVC": LinearSVC,
        "LinearDiscriminantAnalysis": LinearDiscriminantAnalysis,
    }[kind]
    model = cls().fit(x, (x[:, 0] > 0.5).astype(int))
    # (two classes: coef_ is (1, 2) and fit stores intercept_ as (1,); check_linear_shapes
    # reads coef_'s width only. X @ coef_.T + intercept_ is (rows, 200,000))
    model.intercept_ = np.zeros((1, 200_000))
    assert model.decision_function(np.zeros((3, 2))).size >= 3 * 200_000
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    # decision_function of 2,000 rows: (2,000, 200,000) floats, 3.2 GB
    joblib_out_of_memory(path, "model.decision_function(numpy.zeros((2000, 2)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt76-15: a decomposition's components_ of three dimensions --------------------------------


@pytest.mark.parametrize(
    "kind", ["PCA", "TruncatedSVD", "FastICA", "IncrementalPCA", "FactorAnalysis"]
)
def test_rt76_15_components_three_dimensions(tmp_path, kind):
    from sklearn.decomposition import PCA, FactorAnalysis, FastICA, IncrementalPCA, TruncatedSVD

    rs = np.random.RandomState(0)
    if kind == "FactorAnalysis":
        # one input feature: get_covariance() (no input) is np.dot(components_.T, components_),
        # and a (1, 1, 20,000) components_ makes it (20,000, 1, 1, 20,000): 3.2 GB from 160 KB
        factor = FactorAnalysis(n_components=1).fit(rs.rand(30, 1))
        factor.components_ = np.zeros((1, 1, 20_000))
        path = compressed_joblib(tmp_path, factor, 10_000, ("xz", 6))
        joblib_out_of_memory(path, "model.get_covariance()", memory=GB // 2)
        assert_refused_with(path)
        return
    x = rs.rand(30, 2)
    cls: Any = {
        "PCA": PCA,
        "TruncatedSVD": TruncatedSVD,
        "FastICA": FastICA,
        "IncrementalPCA": IncrementalPCA,
    }[kind]
    model = cls(n_components=1).fit(x)
    # (fit stores (n_components, n_features); a (1, 2, 200,000) array is as wide as the input
    # on the axis checked, and X @ components_.T is (200,000, rows, 1))
    model.components_ = np.zeros((1, 2, 200_000))
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    # transform of 2,000 rows: 3.2 GB
    joblib_out_of_memory(path, "model.transform(numpy.zeros((2000, 2)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt76-16: LatentDirichletAllocation's topic_word_prior_ of any shape: score() broadcasts ----


@pytest.mark.parametrize("call", ["score", "perplexity"])
def test_rt76_16_lda_topic_word_prior(tmp_path, call):
    from sklearn.decomposition import LatentDirichletAllocation

    rs = np.random.RandomState(0)
    x = rs.randint(0, 3, size=(30, 100))
    model = LatentDirichletAllocation(n_components=10, random_state=0, max_iter=2).fit(x)
    # (fit stores topic_word_prior_ as one number; _approx_bound's _loglikelihood computes
    # (prior - components_) * log(components_): with a (200,000, 1, 1) prior, (200,000, 10, 100))
    model.topic_word_prior_ = np.full((200_000, 1, 1), 0.1)
    path = compressed_joblib(tmp_path, model, 40_000, ("xz", 6))
    # (200,000, 10, 100) floats, several of them: 1.6 GB each, for 2 documents
    joblib_out_of_memory(path, f"model.{call}(numpy.ones((2, 100)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt76-17: a multi-line PEM body whose armour is not exact: decoded line by line -------------


@pytest.mark.parametrize("kind", ["p256", "rsa"])
@pytest.mark.parametrize(
    "form",
    [
        "em-dash",
        "en-dash",
        "three-dashes",
        "no-dashes",
        "quoted",
        "yaml-block",
        "yaml-folded",
        "xml",
        "toml",
        "markdown",
        "labelled",
        "end-only",
    ],
)
def test_rt76_17_pem_body_lines_without_armour(kind, form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    pem = _public_pem(kind).decode()
    lines = pem.strip().splitlines()
    text = {
        # (a word processor's or wiki's autocorrect of "--", a key pasted through it)
        "em-dash": pem.replace("-----", "\u2014\u2013\u2014"),
        "en-dash": pem.replace("-----", "\u2013" * 5),
        "three-dashes": pem.replace("-----", "---"),
        "no-dashes": pem.replace("-----", ""),
        # (an e-mail reply quoting the body)
        "quoted": "".join(f"> {line}\n" for line in lines[1:-1]),
        # (a YAML-keyed body on several lines: a Helm value or a Kubernetes ConfigMap; the
        # single-line YAML-keyed body is refused, rt56-03)
        "yaml-block": "public_key: |\n" + "".join(f"  {line}\n" for line in lines[1:-1]),
        "yaml-folded": "public_key: >-\n" + "".join(f"  {line}\n" for line in lines[1:-1]),
        "xml": "<publicKey>\n" + "\n".join(lines[1:-1]) + "\n</publicKey>\n",
        "toml": 'public_key = """\n' + "\n".join(lines[1:-1]) + '\n"""\n',
        "markdown": "```\n" + "\n".join(lines[1:-1]) + "\n```\n",
        "labelled": "Public key:\n" + "\n".join(lines[1:-1]) + "\n",
        # (the BEGIN line lost in a copy; the armour rule reads BEGIN lines only)
        "end-only": "\n".join(lines[1:]) + "\n",
    }[form]
    # (a body of one line, an Ed25519 key's, is refused in all these forms: each line is a
    # token decoded alone, and P-256's 2 lines or RSA-2048's 6 are never joined)
    with pytest.raises(KeyFormatError):
        HMACKey(text.encode())
