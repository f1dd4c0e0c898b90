"""Red team 74: reproducers (strict xfails) for the open findings, 03:55-04:41 UTC 2026-12-04,
on 47cd0d5 (red team 73's fixes: Birch leaf links and node fields, the unfold count of what a
leaf link alone holds, the AdaBoostRegressor stage cost through named tuples and other objects
and of gradient-boosting members, temperature scaling, IsotonicRegression's bounds, the HMAC
code-page readings, ``facts.module_and_qualname``).

"pure" is a snapshot of /work/main/src taken at 03:55 (47cd0d5) in /tmp/rt74p
(SAFELOAD_PURE_PYTHON=1, the .so files removed); "compiled" is /work/main's .venv build with
PYTHONPATH=/work/main/src (built at 47cd0d5). Every finding below was checked under both, with
the same outcome (scan SAFE and load_unsigned loads; rt74-04 and rt74-06 are HMACKey's own):
no parity finding. Sizes are joblib files (``compress=("xz", 6)`` unless said otherwise).

Ported by the maintainer at 04:50 (44bbf1e): all eight fixed, plain tests. rt74-06's test is
rewritten (the handler it counted is gone: it now counts HMACKey's Python-level calls, which
must not grow with the text). The red team attacked from 03:55 to 04:41 with a pause of about
six minutes: some 40 minutes of attack.

rt74-01 (HARM: memory; against ``check_birch``, which ties each CF node's ``n_features``,
        ``branching_factor`` and ``threshold`` to fit's (rt73-09) but not the estimator's own
        ``branching_factor`` to its nodes') an honest Birch (threshold 0.3, branching_factor 3,
        3 rows: the root is one full leaf) with the estimator's ``branching_factor`` set to
        10**9: 841 bytes (zlib); scan SAFE, load loads (pure and compiled). ``partial_fit`` of
        ONE row that splits the root runs ``_split_node(self.root_, threshold,
        branching_factor)`` with the ESTIMATOR's values and makes the new root the same way:
        three ``np.zeros((branching_factor + 1, n_features))``, "Unable to allocate 7.45 GiB for
        an array with shape (1000000001, 1)"; at 5 * 10**7 the three 400 MB nodes are made
        (calloc'd) and the model now holds 1.2 GB, which pickling it again writes out. (A
        ``fit`` with that parameter allocates alike: SECURITY.md's documented limit for
        training hyperparameters; but fitted state ties them, the root's ``init_centroids_``
        has ``branching_factor + 1`` rows, and ``partial_fit`` continues a fitted tree.) Found
        reading which of ``_fit``'s arguments come from the estimator rather than the nodes.
rt74-02 (HARM: memory; against ``check_birch``, which asks of ``subcluster_labels_`` only
        ``np.shape(labels)[:1] == (n_centers,)``) an honest Birch (6 subcluster centres) whose
        ``subcluster_labels_`` is a (6, 200,000) int64 zero array: 2.6 KB; scan SAFE, load
        loads (pure and compiled). ``predict`` returns ``subcluster_labels_[argmin]``: (rows,
        200,000), so ``predict`` of 2 rows returns (2, 200,000) and of 2,000 rows asks 3.2 GB
        (a (6, 1000, 200) array works alike; so does a 1-D array of '<U200000' strings, 1.9 KB:
        "Unable to allocate 1.49 GiB" for 2,000 rows). The width bound does not read it. Found
        asking what ``predict`` indexes with the argmin.
rt74-03 (HARM: CPU; against the AdaBoostRegressor stage bound, ``_member_predictions``, which
        costs a member that holds no estimator by its MEASURED_SAMPLES alone, ``max(1, items //
        2000)``: a kernel object is no estimator and its terms cost nothing) an
        AdaBoostRegressor whose members are each a ``KernelRidge`` whose ``kernel`` is a Sum of
        32 ``Matern(nu=0.7)`` terms (``kv`` per element), over 1,999 zero samples: each member
        counts 1 and its ``predict`` of one row takes 10 ms (a stump's 0.08 ms). 100 members:
        1.7 KB, scan SAFE, load loads (pure and compiled), ``staged_predict`` of ONE row makes
        5,050 member predictions (about 50 s), ``predict`` of one row 1.0 s; 500 members: 3.7 KB,
        scan 4.4 s + load 2.4 s (compiled), ``predict`` of one row 5.0 s, the first 20 of
        ``staged_predict``'s 500 stages 2.1 s (125,250 member predictions: some 21 minutes).
        The same with ``GaussianProcessRegressor`` members (same kernel, 1,999 zero samples,
        ``L_`` an empty scipy.sparse (1,999, 1,999) matrix, which the "rows of its factor L_"
        check accepts by shape): 100 members 5.3 KB, loads. The test uses 30 members (465
        member predictions, some 4.6 s). Found asking which members' costs live in a parameter.
rt74-04 (TRUST, low; against rt73-06's fix, ``_read_as_text``, which reads UTF-16/32 text back
        to bytes only with a BOM or when every character is <= U+00FF, and knows five code pages)
        a P-256 PEM public key in EBCDIC (cp037, cp500, cp273, cp1140) read with cp1252, cp437,
        cp850 or mac_roman and saved as UTF-16 or UTF-32 WITHOUT a BOM (LE or BE: what
        "utf-16-le", Java's "UTF-16LE" or .NET's ``UnicodeEncoding(false, false)`` write), or
        read with another single-byte page (cp1250, cp1251, cp852, cp866, cp858) and saved in
        any of UTF-8 (with or without BOM), UTF-16 or UTF-32, is accepted as an HMAC secret
        (pure and compiled; 928 of the 2 x 4 x 11 x 8 x 2 forms tried, OpenSSH Ed25519 alike).
        Found varying rt73-06's readers and wide forms.
rt74-05 (HARM: memory; against FITTED_NUMBERS' IsotonicRegression row (rt73-07), which bounds
        ``X_min_``/``X_max_`` but not the thresholds the interpolation is built from)
        ``IsotonicRegression(out_of_bounds="clip")`` whose ``y_thresholds_`` is (200,000, k)
        for its k ``X_thresholds_``: ``__setstate__`` rebuilds ``f_ = interp1d(X, y)``, which
        interpolates along y's LAST axis, so ``predict`` / ``transform`` of n values returns
        (200,000, n): 4.4 KB; scan SAFE, load loads (pure and compiled); ``predict`` of 2,000
        values asks 3.2 GB. The same in ``CalibratedClassifierCV(method="isotonic")``'s
        calibrators (5.2 KB; ``predict_proba`` makes the (200,000, rows) column before it fails
        to be stored). Found reading what else ``_transform`` broadcasts besides the bounds.
rt74-06 (HARM: CPU, availability, low; against rt73-06's ``_byte_value`` codec error handler)
        ``HMACKey`` on a 4 MB non-ASCII text secret calls the Python error handler once per
        character each of five code pages cannot encode: ``"a\\u4e2d" * N`` as UTF-16 with a
        BOM, 4 MB: 10,000,000 handler calls, 7.2 s (pure and compiled; 3f8b094, before the
        change: 1.4 s); as UTF-8: 4.2 s (1.3 s before); ``"a\\u0100"`` alike (7.1 s). The
        brief's bar: a 4 MB secret stays a few seconds. (The test counts handler calls, not
        time: a per-character Python callback is the cost.) Found timing large text secrets.
rt74-07 (HARM: CPU, against safeload's own scan and load; the unfold budget (16 units per
        decompressed byte) is bought with compressible padding, and the use-time checks walk a
        shared container once per holder at several microseconds an item) 200 distinct stumps
        in an AdaBoostRegressor, each with an attribute ``pad`` holding ONE shared list of
        50,000 floats, and a 1 MB zero array as padding: 1,568 bytes; scan SAFE in 26 s of CPU
        and load loads in 26 s (compiled); 100 x 50,000 (1.5 KB): 13 s + 13 s (pure); 500 x
        400,000 with 16 MB of padding (4.5 KB): scan killed at its 100 s CPU limit (maxrss
        350 MB). A VotingRegressor alike (1.5 KB): scan 9.2 s. The profile: object_checks'
        ``_add_parts``/``shape_of``, names' ``_collect_roots`` and widths' ``_estimators_in``
        (rt73-02's walk, 3 levels deep) each visit every item once per holder, with no memo by
        container. Found asking what ``_estimators_in``'s new walk costs safeload itself.
rt74-08 (HARM: CPU; no bound on a kernel's terms times the samples it is evaluated against)
        a ``KernelRidge`` whose ``kernel`` is a balanced Sum of T ``Matern(nu=0.7)`` terms over n
        zero samples costs T x n Bessel evaluations per input row: n = 60,000 (under the width
        bound's 65,536), T = 4,096: 10 KB, scan SAFE, load loads, ``predict`` of ONE row 34 s
        (compiled); T = 256: 1.9 KB, 2.1 s a row (pure and compiled). The same in
        ``LabelSpreading(kernel=...)`` (20,000 x 256: 2 KB, 0.79 s a row) and
        ``Nystroem(kernel=...)`` (4,000 components x 1,024 terms: 22 KB, 0.78 s a row). An
        honest single-kernel model of the same samples predicts a row in milliseconds. Found
        with rt74-03, taking the AdaBoost away.

Held (tried, refused by both or fine):
- The linked-node deferral in ``costs.unfolded`` (rt73-03's fix): a chain-only node is refused
  by ``check_birch``; a node reached only by a link outside any Birch (a Ridge attribute) with
  a chain of 50,000 nodes: refused ("containers nested deeper than 1000", even from a flat
  stream); honest Birch of 17 to 153 leaves at protocols 0, 1, 2 and 5 (``_reconstructor``
  spelling): load, partial_fit, predict as the original.
- check_birch: node ``is_leaf`` as numpy.bool_ or made by ``bool(1)``/``int("1")``/
  ``float("0.3")`` calls: refused by both; numpy scalars for n_features, branching_factor,
  threshold (float32 too), an int or NaN threshold, ``init_sq_norm_`` as a dict,
  ``squared_norm_`` as a list, float16 ``init_centroids_``: load and do no harm (errors at
  most); ``_subcluster_norms`` float16/float32/longdouble: cast, predictions unchanged;
  ``_n_features_out`` 10**9 (int or np.int64): refused.
- Honest Birch: one row, branching_factor 2 (54 leaves), a huge threshold, int and np.int64
  parameters, float32 and sparse input: load, partial_fit, predict.
- Temperature scaling: honest CalibratedClassifierCV(method="temperature") with ensemble=False,
  LinearSVC (2 and 4 classes), FrozenEstimator, a pipeline over GaussianNB, a random forest (5
  classes) and string labels: load, same probabilities. A member claiming "temperature" with a
  sigmoid or isotonic calibrator: ``column_or_1d`` / ``_check_input_data_shape`` raise.
- AdaBoostRegressor stage cost: a costly KNN hidden in a _CalibratedClassifier, a named tuple,
  tuples 3 deep, an OrderedDict or nested object arrays: counted alike by scan and load
  (refused by both); 4 tuples deep: not counted but not used by predict either. One HGB, GPR or
  KNN shared by every member: refused (sharing bound, "holds one instance more than once",
  meeting bytes); a GradientBoostingRegressor whose 99 stages are one deep chain tree: refused
  (unfold); HGB members with 8,000 shared one-leaf predictors: refused (meeting bound);
  GaussianMixture members of 4,000 components: refused (width bound sums members); members
  whose state is a (dict, None) pair: refused by both.
- IsotonicRegression thresholds 2-D X, unequal lengths, one or none: refused by both (scan
  simulates the rebuild). FeatureAgglomeration ``labels_``, MissingIndicator ``features_``,
  LabelEncoder/NearestCentroid/VotingClassifier ``classes_`` with a trailing axis, KNN
  classifiers of 100,000 outputs, GPR ``_y_train_mean``/``_y_train_std`` columns: refused.
- GPR with a sparse ``L_``: ``predict(return_std/return_cov)`` and ``sample_y`` raise
  ("object arrays are not supported"), no crash.
- HMAC: EBCDIC PEM double mojibake (cp1252 twice), base64/hex of the UTF-8 reading: refused;
  honest random secrets unchanged (the benchmark's forms).
- ``facts.module_and_qualname``: same keys as before for ClassFacts and classes; scan with and
  without facts agrees on the files above.

Ideas not tested:
- rt74-08's kernels in SVR/SVC (``_BaseLibSVM__Xfit`` is tied to ``shape_fit_``),
  GaussianProcessClassifier and KernelPCA; a kernel tree's intermediate (rows, n) arrays held
  across its depth (memory, not time).
- rt74-07 with other shared containers (dict values, tuples, object arrays of numbers) and in
  other holders than estimators; whether the padding alone (no sharing) makes any check
  superlinear.
- HistGradientBoosting AdaBoost members (each counts 1 whatever its iterations): safeload's
  own cost per predictor is about what staged_predict spends on it, not measured further.
"""

from __future__ import annotations

import codecs
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
    compressed_joblib,
    joblib_out_of_memory,
)


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


def _kernel_ridge(samples: int, terms: int) -> Any:
    """A KernelRidge over ``samples`` zero samples whose kernel is :func:`_matern_sum`."""
    from sklearn.kernel_ridge import KernelRidge

    rs = np.random.RandomState(0)
    x = rs.rand(40, 1)
    model = KernelRidge(kernel=_matern_sum(terms)).fit(x, x[:, 0])
    model.X_fit_, model.dual_coef_ = np.zeros((samples, 1)), np.zeros(samples)
    return model


# --- rt74-01: the estimator's branching_factor is not its nodes': a root split allocates by it --


def test_rt74_01_birch_estimator_branching_factor(tmp_path):
    from sklearn.cluster import Birch

    model = Birch(threshold=0.3, branching_factor=3, n_clusters=None).fit(
        np.array([[0.0], [1.0], [2.0]])
    )
    assert model.root_.is_leaf and len(model.root_.subclusters_) == 3  # (a full root leaf)
    model.branching_factor = 10**9  # (every node keeps 3 and a (4, 1) init_centroids_)
    path = compressed_joblib(tmp_path, model, 4_000)
    # partial_fit of one row splitting the root: _split_node(root, threshold, 10**9) and the
    # new root each np.zeros((10**9 + 1, 1)): 7.45 GiB
    joblib_out_of_memory(path, "model.partial_fit(numpy.array([[5.0]]))", memory=GB // 2)
    assert_refused_with(path)


# --- rt74-02: Birch subcluster_labels_ with a trailing axis: predict returns it per row -------


def test_rt74_02_birch_labels_trailing_axis(tmp_path):
    from sklearn.cluster import Birch

    x = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    model = Birch(threshold=0.3, branching_factor=3, n_clusters=None).fit(x)
    centres = model.subcluster_centers_.shape[0]
    model.subcluster_labels_ = np.zeros((centres, 200_000), dtype=np.int64)
    assert model.predict(x[:2]).shape == (2, 200_000)  # (subcluster_labels_[argmin])
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    # predict of 2,000 rows: (2,000, 200,000) int64, 3.2 GB
    joblib_out_of_memory(path, "model.predict(numpy.zeros((2000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt74-03: AdaBoostRegressor members whose predict cost is their kernel's terms ----------


def test_rt74_03_adaboost_kernel_members(tmp_path):
    from sklearn.ensemble import AdaBoostRegressor
    from sklearn.tree import DecisionTreeRegressor

    members = 30
    rs = np.random.RandomState(0)
    x = rs.rand(40, 1)
    model = AdaBoostRegressor(DecisionTreeRegressor(max_depth=1), n_estimators=3).fit(
        x, x[:, 0] + rs.rand(40)
    )
    # each a KernelRidge over 1,999 zero samples (counted max(1, 1,999 // 2,000) = 1) whose
    # kernel is a Sum of 32 Matern(nu=0.7) terms: 10 ms a prediction of one row
    model.estimators_ = [_kernel_ridge(1999, 32) for _ in range(members)]
    model.estimator_weights_ = np.ones(members)
    model.estimator_errors_ = np.full(members, 0.1)
    model.n_estimators = members
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    # staged_predict of one row: 465 member predictions, some 4.6 s
    call = "for _ in model.staged_predict(numpy.zeros((1, 1))): pass"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt74-04: EBCDIC key text read by a PC code page, saved without a BOM or by other pages ---


def _ansi(raw: bytes, page: str) -> str:
    """``raw`` decoded byte by byte with ``page``, an undefined byte as the code point of its
    value (as rt73-06's test reads cp1252's holes)."""
    out = []
    for byte in raw:
        try:
            out.append(bytes([byte]).decode(page))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


@pytest.mark.parametrize(
    "form",
    [
        "cp037-cp1252-utf-16-le",
        "cp500-cp437-utf-16-be",
        "cp273-cp850-utf-32-le",
        "cp1140-mac_roman-utf-32-be",
        "cp037-cp1250-utf-8",
        "cp037-cp1251-utf-16",
        "cp500-cp852-utf-8-sig",
        "cp037-cp866-utf-32",
    ],
)
def test_rt74_04_ebcdic_reader_forms(form):
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    page, reader, wide = form.split("-", 2)
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    text = key.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo).decode()
    # a mainframe key file opened with a PC code page and saved as Unicode
    secret = _ansi(text.encode(page), reader).encode(wide)
    with pytest.raises(KeyFormatError):
        HMACKey(secret)


# --- rt74-05: IsotonicRegression y_thresholds_ with a leading axis: interp1d returns it -------


@pytest.mark.parametrize("kind", ["isotonic", "calibrated_isotonic"])
def test_rt74_05_isotonic_y_thresholds_2d(tmp_path, kind):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    n = 200_000
    rs = np.random.RandomState(0)
    model: Any
    if kind == "isotonic":
        x = rs.rand(40)
        model = IsotonicRegression(out_of_bounds="clip").fit(x, x + rs.rand(40))
        calibrators = [model]
        call = "model.predict(numpy.zeros(2000))"
    else:
        x, y = rs.rand(40, 1), np.arange(40) % 2
        model = CalibratedClassifierCV(LogisticRegression(), cv=2, method="isotonic").fit(x, y)
        calibrators = [member.calibrators[0] for member in model.calibrated_classifiers_]
        call = "model.predict_proba(numpy.zeros((2000, 1)))"
    for iso in calibrators:
        # (__setstate__ rebuilds f_ = interp1d(X_thresholds_, y_thresholds_), along y's last axis)
        iso.y_thresholds_ = np.zeros((n, iso.X_thresholds_.shape[0]))
        iso._build_f(iso.X_thresholds_, iso.y_thresholds_)
    assert calibrators[0].predict(np.zeros(2)).shape == (n, 2)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    # (200,000, 2,000) floats: 3.2 GB
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt74-06: HMACKey calls a Python codec error handler per unencodable character -----------


def test_rt74_06_hmac_text_secret_handler_calls():
    # (rewritten at the port: the per-character error handler is gone; each page's reading is
    # one str.translate, and only for secrets up to MAX_REREAD_TEXT. What is asserted is that
    # the Python-level calls HMACKey makes do not grow with the text: 4 KB and 40 KB of
    # UTF-16 text alternating an ASCII letter and a character two pages hold)
    import sys

    from safeload.exceptions import KeyFormatError
    from safeload.signing import hmac_key

    def calls(repeat: int) -> int:
        secret = b"\xff\xfe" + ("a\u0100" * repeat).encode("utf-16-le")
        count = [0]

        def profile(frame: Any, event: str, arg: Any) -> None:
            if event == "call":
                count[0] += 1

        sys.setprofile(profile)
        try:
            try:
                hmac_key.HMACKey(secret)
            except KeyFormatError:
                pass
        finally:
            sys.setprofile(None)
        return count[0]

    with pytest.raises(LookupError):  # (no per-character handler is registered)
        codecs.lookup_error("safeload.byte_value")
    small, large = calls(1_000), calls(10_000)  # (4 KB and 40 KB, both read back)
    assert large <= 2 * small + 100, (small, large)


# --- rt74-07: one shared list walked once per holder: the budget bought with padding ----------

#: A child that scans and then loads the file, printing what each said.
_SCAN_THEN_LOAD = (
    "import safeload\n"
    "print('verdict', safeload.scan(sys.argv[1]).verdict, flush=True)\n"
    "try:\n"
    "    safeload.load_unsigned(sys.argv[1])\n"
    "    print('load loaded', flush=True)\n"
    "except safeload.SafeloadError:\n"
    "    print('load refused', flush=True)\n"
)


def test_rt74_07_shared_list_walked_per_holder(tmp_path):
    from sklearn.ensemble import AdaBoostRegressor
    from sklearn.tree import DecisionTreeRegressor

    members = 60
    rs = np.random.RandomState(0)
    x = rs.rand(40, 1)
    model = AdaBoostRegressor(DecisionTreeRegressor(max_depth=1), n_estimators=3).fit(
        x, x[:, 0] + rs.rand(40)
    )
    shared = [0.5] * 50_000  # (one list, pickled once)
    held = []
    for _ in range(members):
        stump = copy.deepcopy(model.estimators_[0])
        stump.pad = shared
        held.append(stump)
    model.estimators_ = held
    model.estimator_weights_ = np.ones(members)
    model.estimator_errors_ = np.full(members, 0.1)
    model.n_estimators = members
    model.padding = np.zeros(500_000 // 8)  # (compressible bytes: the unfold budget's 16 a byte)
    path = compressed_joblib(tmp_path, model, 4_000, ("xz", 6))
    # 3,000,000 item visits per walk: some 8 s of scan and 8 s of load for 1.5 KB (100
    # members: 13 s + 13 s pure); a scan and a load of a file this size take milliseconds
    done = child(_SCAN_THEN_LOAD, path, cpu=1.0)
    assert "verdict" in done.stdout and "load " in done.stdout, str(done)


# --- rt74-08: a kernel's terms times its fitted samples, per input row ------------------------


def test_rt74_08_kernel_ridge_composite_kernel(tmp_path):
    # 256 Matern terms over 60,000 zero samples: 2.1 s of CPU a row (4,096 terms: 34 s, 10 KB)
    model = _kernel_ridge(60_000, 256)
    path = compressed_joblib(tmp_path, model, 10_000, ("xz", 6))
    call = "model.predict(numpy.zeros((10, 1)))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)
