r"""Red team 67: findings against red team 66's fixes (the free predictor outputs and
SIDE_BY_SIDE, OUTPUT_ROWS, ``_stored_inputs``, ``_output_reach``, the HMAC literal forms).
Red team 67 = helper-118, 14:23:16 to 15:08:16 UTC 2026-12-03 (23 findings).

Ported by the maintainer with the marks removed: every finding was fixed during the round
but rt67-23, a documented limit (a strict xfail): a radius neighbours predictor may hold
every fitted sample within its radius for each row (counting it four times, as rt67-19's
k-neighbours fix does, would refuse rt66-07's honest 45,000-sample model again).

"pure" is a snapshot of /work/main in /tmp/rt67p (SAFELOAD_PURE_PYTHON=1); "compiled" is
/work/main's .venv build with PYTHONPATH=/work/main/src.

rt67-01 (HARM: CPU; rt66-12's kind, MeanShift's and NearestCentroid's in OUTPUT_ROWS)
        ``OutputCodeClassifier.predict`` is ``pairwise_distances_argmin(Y, code_book_)``: each
        row measured against every ``code_book_`` row (chunked, so no memory error), and
        nothing counts ``code_book_`` (not in OUTPUT_ROWS; its labels are ``classes_``, 3). An
        ``OutputCodeClassifier(LogisticRegression(), code_size=1)`` fitted on three classes of
        one column whose ``code_book_`` is replaced by 5,000,000 zero rows: joblib compress=3,
        525 KB (xz 9: 18 KB); scan SAFE, load loads (pure and compiled); ``predict`` takes
        ~15 ms of CPU a row (100 rows: 1.5 s), 2,000 rows ~30 s. (The test: 2,000,000 rows,
        1,000 input rows, killed at a 2 s CPU limit.) Found by listing the meta-estimators' own
        fitted arrays that predict measures a row against.
rt67-02 (HARM: memory; rt66-19's SIDE_BY_SIDE, its other holders) the one-vs-one and
        output-code classifiers hold every member's decision values at once:
        ``_predict_binary`` is ``np.ravel(estimator.decision_function(X))``, and
        ``OutputCodeClassifier.predict`` stacks it for every member
        (``np.array([_predict_binary(e, X) for e in estimators_]).T``),
        ``OneVsOneClassifier.decision_function`` alike (``np.vstack``). A member
        ``LogisticRegression`` whose ``coef_`` / ``intercept_`` have 32,000 zero rows is within
        FREE_PREDICTOR_OUTPUTS; 30 of them in an OutputCodeClassifier (``code_book_`` (3, 30)),
        or the 28 of an 8-class OneVsOneClassifier: joblib xz, 1-3 KB; scan SAFE, load loads
        (pure and compiled); ``predict`` (``decision_function``) of (200, 1) asks 1.5 GB.
        (OneVsRestClassifier refuses a member scoring more than one column: held.) Found by
        reading where scikit-learn's multiclass module keeps several members' results.
rt67-03 (HARM: memory; against ``_stored_inputs`` in rt66-19's fix) a SIDE_BY_SIDE
        wrapper's members are divided by the wrapper's OWN ``n_features_in_``, which
        ``MultiOutputRegressor`` (and the other multi-output wrappers, AdaBoostRegressor) stores
        at fit but never checks (predict hands X to the members unchecked). rt66-19's file (30
        Ridges of 32,000 zero-weight targets on one column) with ``n_features_in_ = 1000`` set
        on the wrapper: counted 927 columns per input column; joblib xz, 3 KB; scan SAFE, load
        loads (pure and compiled); ``predict`` of (200, 1) holds 1.5 GB. Found by asking which
        stored widths ``_stored_inputs`` trusts that nothing checks.
rt67-04 (HARM: memory; rt67-03 on the single-estimator path, ``_predictor_columns``)
        ``CalibratedClassifierCV`` stores its first classifier's ``n_features_in_`` at fit and
        never checks it (each calibrated member checks its own), and ``predict_proba`` starts
        with ``zeros((rows, len(classes_)))``: a calibrated ``GaussianNB`` of two classes on
        one column whose ``classes_`` is ``arange(100_000)`` and whose ``n_features_in_`` is
        30: counted (100,000 - 32,768) / 30 = 2,241 columns per input column; joblib xz,
        ~30 KB; scan SAFE, load loads (pure and compiled); ``predict_proba`` of (2000, 1) asks
        1.6 GB. (1,000,000 classes and 1,000, 252 KB, alike.) Found as rt67-03.
rt67-05 (HARM: memory; against rt66-11's fix, ``_output_reach``) a densifying
        ColumnTransformer densifies only a branch pipeline's last step, but a last step that
        keeps its input sparse hands the vectorizer's result on as it is:
        ``ColumnTransformer([("t", make_pipeline(HashingVectorizer(n_features=2**20),
        TfidfTransformer()), 0)], sparse_threshold=0)`` (the textbook pair; ``Normalizer``,
        ``MaxAbsScaler``, ``FunctionTransformer()`` alike) gives 1,048,576 dense columns a row
        and is counted as a sparse one: joblib xz, 1-4 KB; scan SAFE, load loads (pure and
        compiled); ``transform`` of 200 one-word documents asks 1.6 GB. (The bare vectorizer is
        refused: held.) Found by giving the branch a last step that preserves sparsity.
rt67-06 (HARM: memory; against FREE_PREDICTOR_OUTPUTS: two free widths multiplied)
        ``KNeighborsRegressor.predict`` is ``np.mean(_y[neigh_ind], axis=1)``: a dense
        ``(rows, n_neighbors, n_outputs)`` array, the neighbours count TIMES the targets, and
        each is counted alone, within the 32,768 free (``_graph_width``: n_neighbors + 1;
        ``_outputs_held``: ``_y``'s columns). A ``KNeighborsRegressor(n_neighbors=32_000,
        algorithm="brute")`` fitted on 32,000 zero samples of one column with 100 zero targets
        (an honest fit, no state edited): joblib compress=3, 113 KB; scan SAFE, load loads
        (pure and compiled); ``predict`` of (100, 1) asks 2.6 GB (3.2 million values a row,
        100 times the free allowance). (20,000 neighbours alike.) Found by asking which
        predictors hold two of the counted widths in one array.
rt67-07 (HARM: memory; against OUTPUT_ROWS) ``_outputs_held`` measures OUTPUT_ROWS'
        arrays by ``shape_of`` (arrays, sparse matrices, pandas), but the arrays broadcast just
        as well as Python lists and tuples: ``MultinomialNB.class_log_prior_`` as a list of
        1,000,000 zeros beside one ``feature_log_prob_`` row (``jll = X @ flp.T + list``),
        ``GaussianProcessRegressor(normalize_y=True)._y_train_std`` as a tuple of 1,000,000
        ones, ``GaussianMixture.weights_`` as a list (``log_prob + np.log(weights_)``),
        ``BayesianRidge.sigma_`` as ``[[0.0] * 10**6]`` (``X @ sigma_``): joblib xz, 2.5-6 KB
        each; scan SAFE, load loads (pure and compiled); ``predict`` / ``predict_proba``
        (``return_std=True``) of (200, 1) holds (200, 1,000,000), 1.6 GB. (Scanning them is
        slow too: the 5.5 KB GPR file took 35 s to scan and 10 s to load, compiled; 45 s
        each pure.) The test: 100,000 items, 2,000 rows. Found by giving OUTPUT_ROWS' arrays
        as the containers numpy broadcasts.
rt67-08 (TRUST, low; rt66-05/18's kind: where tools print public keys) the C-array and
        string-literal readers of rt66-05/18 match one spelling each; these printed forms of
        a DER public key are accepted as HMAC secrets (pure and compiled, 14:40): Node's
        ``console.log(buf)`` (``<Buffer 30 59 30 13 ...>``), ``hexdump -C`` and ``xxd``
        dumps, Go's ``fmt.Println(der)`` (``[48 89 48 19 ...]``), a C array in decimal
        (``{48,89,48,...}``) or in unpadded hex (``0x6``, printf ``%#x``), Python's
        ``[hex(b) for b in der]``, Java's ``new byte[]{(byte)0x30, ...}``, Kotlin's
        ``byteArrayOf(0x30.toByte(), ...)``, a JavaScript ``"\u0030\u0059..."`` string, and
        ``\x30\x59...`` outside quotes. (Refused, held: Python's ``list(der)`` and Java's
        ``Arrays.toString``, both ``[48, 89, ...]``; Rust/C# ``0x30, ...`` arrays; octal C
        strings; ``od -An -tx1``; ``bytes.fromhex`` upper-case.) Found by printing a DER key
        the ways other languages and dump tools print bytes.
rt67-09 (TRUST, low: CPU; against rt66-18's ``_STRING_LITERAL``) the literal pattern is tried
        from every quote, and an escaped quote (``\'``) both continues a literal and starts
        a new one: a secret of ``'`` and then ``\'`` repeated, never closed, is quadratic to
        scan (or worse): 20 KB take 2.4 s, 40 KB 11 s, 80 KB 50 s (compiled) before the key
        is accepted; a 4 MB secret would not finish. Found by timing secrets full of escaped
        quotes.
rt67-10 (HARM: memory; against rt65-20 / rt66-10's TransformedTargetRegressor widths, and
        past the documented rt66-09/16 limit: this is ``predict``) ``predict`` returns
        ``transformer_.inverse_transform(...)``, and ``_outputs_held`` reads only the target
        transformer's own ``n_features_in_`` / ``labels_`` / ``components_`` / ``mixing_``;
        rt66-16's inverse forms all reach it: a ``GaussianRandomProjection(1,
        compute_inverse_components=True)`` whose ``inverse_components_`` is (1,000,000, 1)
        (``components_`` stays (1, 2)), a ``VarianceThreshold`` whose ``variances_`` holds
        1,000,000 values (one above the threshold: ``zeros((rows, support.size))``), and a
        ``PCA(1)`` inside ``make_pipeline`` (the pipeline's attributes hold no
        ``components_``), each as the target transformer of ``TransformedTargetRegressor(
        Ridge(), check_inverse=False)`` fitted on two targets of one column: joblib xz,
        2-3.5 KB; scan SAFE, load loads (pure and compiled); ``predict`` of (200, 1) asks
        1.6 GB. SECURITY.md's advice (call ``inverse_transform`` only on trusted models) does
        not cover ``predict``. Found by putting the rt66-16 forms behind predict.
rt67-11 (HONEST-REFUSED; against FREE_PREDICTOR_OUTPUTS, rt66-13's fix) 32,768 free labels
        and 4,096 per input column more cover rt66-13's 10,000 places, but not the common
        geographic lookup: ``KNeighborsClassifier(n_neighbors=1)`` from latitude and longitude
        to the ~41,700 US ZIP codes (41,700 points, 2 features, 1.6 MB) is refused, "4,466
        columns per input column" (pure and compiled; the message still names transformers).
        Any nearest-label lookup on two coordinates past 40,960 labels is refused (world
        cities, postcodes of most countries, store locators). Found by building the honest
        neighbour of the free allowance at a real table's size.
rt67-12 (HARM: memory; against rt67-06's fix, ``_graph_width``) the neighbours-times-targets
        product is taken only for a two-dimensional ``_y``, but ``predict`` averages
        ``_y[neigh_ind]`` whatever its dimensions: rt67-06's fit with ``_y`` reshaped to
        (32,000, 1, 100) predicts (rows, 1, 100) and holds (rows, 32,000, 1, 100);
        ``_outputs_held`` reads ``_y``'s second axis, 1: joblib compress=3, 113 KB; scan SAFE,
        load loads (pure, 14:46, the working tree's fix); ``predict`` of (100, 1) asks 2.6 GB.
        Found by giving the fixed array another number of dimensions.
rt67-13 (HARM: memory; against OUTPUT_ROWS, rt66-14's kind) OUTPUT_ROWS reads one axis of
        each array, but the others broadcast against the input too: ``GaussianNB``'s
        ``_joint_log_likelihood`` computes ``(X - theta_[i, :]) ** 2 / var_[i, :]`` per class,
        a (rows, ``theta_`` columns) array (validate_data checks X against n_features_in_,
        1, not against ``theta_``); a ``full`` or ``tied`` ``GaussianMixture``'s log
        probability is ``X @ prec_chol - mu @ prec_chol``, as wide as ``precisions_cholesky_``'s
        LAST axis (OUTPUT_ROWS reads its first). A ``GaussianNB`` of two classes on one
        column with ``theta_`` / ``var_`` (2, 1,000,000) zeros and ones, ``GaussianMixture(1,
        covariance_type="full")`` with ``precisions_cholesky_`` (1, 1, 1,000,000) ones,
        ``"tied"`` with (1, 1,000,000) (``BayesianGaussianMixture`` alike): joblib xz, 2-5 KB;
        scan SAFE, load loads (pure, 14:47); ``predict`` of (200, 1) asks 1.6 GB. Found by
        reading which axes of OUTPUT_ROWS' arrays predict broadcasts against X.
rt67-14 (HONEST-REFUSED; against OUTPUT_ROWS' SVM entries, rt66-12's fix) an honest
        ``SVC()`` fitted on 65,000 samples of 2 features with noisy labels (``y = x0 + 1.5 *
        noise > 0``; 357 s to fit on this machine, 42,322 support vectors, joblib 721 KB) is
        refused: "4,777 columns per input column" (pure, 14:50). The support vectors are
        counted as outputs, 32,768 free and 4,096 per feature: any SVM past 40,960 support
        vectors on 2 features (36,864 on one) is refused, the size of a kernel SVM fitted on
        50,000-100,000 noisy rows. (20,000 samples, 13,105 vectors: loads.) The test stands
        in for the slow fit: a 2-feature fit whose support vectors (and ``dual_coef_``,
        ``support_``, ``_n_support``) are repeated per class to 42,322, as the fit gives them.
        Found by fitting the SVM sizes the brief named.
rt67-15 (HONEST-REFUSED; against rt67-05's fix in the working tree, DENSE_RESULTS) the
        densify reach walks a branch pipeline back from its last step until a step in
        DENSE_RESULTS, but a last step that holds the reductions (a FeatureUnion of two
        TruncatedSVDs, or a nested ``make_pipeline(TruncatedSVD(50))``) is no DENSE_RESULTS
        class, so the walk goes on to the vectorizer and densifies it: rt66-11's honest
        model with ``make_pipeline(TfidfVectorizer(), make_union(TruncatedSVD(50),
        TruncatedSVD(10, algorithm="arpack")))`` as its text branch (61 dense columns) is
        refused again, "4,549 columns per input column" (pure, 14:52); the nested form alike
        (51 columns). (``make_pipeline(TfidfVectorizer(), TruncatedSVD(50), StandardScaler())``
        loads: held.) Found by putting the workaround's reduction one level down.
rt67-16 (HARM: memory; rt66-14's kind for three more classes, none in OUTPUT_ROWS) arrays
        that broadcast against X before anything reduces them: ``LinearDiscriminantAnalysis``
        (solver "svd") ``transform`` is ``(X - xbar_) @ scalings_``: ``xbar_`` of 1,000,000
        zeros (``scalings_`` (1,000,000, 1) zeros, so OUTPUT_AXES reads 1 column) gives a
        (rows, 1,000,000) array; ``QuadraticDiscriminantAnalysis`` computes ``X - means_[i]``
        per class (``means_`` (2, 1,000,000), ``rotations_`` (1,000,000, 1) each);
        ``GaussianProcessClassifier``'s binary Laplace ``predict_proba`` computes
        ``W_sr_[:, np.newaxis] * K_star`` (``W_sr_`` (1,000,000, 1) against its 2 training
        samples: (1,000,000, 2, rows)). Each on one input column: joblib xz, 3-5 KB; scan
        SAFE, load loads (pure, 14:54); ``transform`` / ``predict`` / ``predict_proba`` of
        (200, 1) asks 1.6-3.2 GB. Found by reading predict and transform of the classes
        near OUTPUT_ROWS' for every fitted array they broadcast against X.
rt67-17 (HARM: CPU; rt66-12 / rt67-01's kind) ``AffinityPropagation.predict`` is
        ``pairwise_distances_argmin(X, cluster_centers_)``: every stored centre per row.
        ``cluster_centers_`` is in OUTPUT_AXES, but AffinityPropagation has no ``transform``
        (not a copy of the input) and is neither a KERNEL nor a NEIGHBOUR predictor, and not in
        OUTPUT_ROWS (MeanShift and NearestCentroid are): a fit on 20 points whose
        ``cluster_centers_`` is replaced by 2,000,000 zero rows: joblib compress=3, 73 KB;
        scan SAFE, load loads (pure, 14:55); ``predict`` takes ~6.5 ms of CPU a row (100 rows:
        0.65 s), 5,000 rows ~30 s (5,000,000 centres: ~15 ms a row). Found by listing the
        clusterers with predict and no transform.
rt67-18 (HARM: memory; against rt67-07/13's fix, ``_widest_axis``) OUTPUT_ROWS' arrays are
        now measured by their longest axis, a list's items included, but a multi-output
        ``DummyClassifier``'s ``predict_proba`` returns one array per output, each as wide as
        that output's ``class_prior_[k]``: the SUM of the list's items' widths, not the
        widest. A ``DummyClassifier(strategy="prior")`` fitted on 30 binary outputs of one
        column whose ``class_prior_`` is 30 arrays of 60,000 zeros (``classes_`` stays 30
        pairs; each item within the 65,536 free): joblib xz, 2.7 KB; scan SAFE, load loads
        (pure, 14:58, the working tree); ``predict_proba`` of (200, 1) holds 30 x (200,
        60,000), 2.9 GB. Found by asking what a list in OUTPUT_ROWS sizes: each item, or
        all of them at once.
rt67-19 (HARM: memory; against FREE_PREDICTOR_OUTPUTS = 65,536, the working tree's fix of
        rt67-11/14) the allowance counts one value per neighbour a row (512 KB), but a
        k-neighbours predictor holds several (rows, n_neighbors) arrays at once: the
        distances and indices ``kneighbors`` returns (and its chunk's argkmin heaps), the
        labels or targets ``_y[neigh_ind]``, the weights. An honest-shaped
        ``KNeighborsClassifier(n_neighbors=64_999, algorithm="brute")`` fitted on 65,000 zero
        samples of one column (``KNeighborsRegressor(weights="distance")`` alike): joblib
        compress=3, 5-6 KB; scan SAFE, load loads (pure, 15:00); ``predict_proba`` of (500, 1),
        a 4 KB input, raised the peak RSS by 1.0 GB (1,161 MB against 156 MB), about 2 MB a
        row, four times the allowance; (1000, 1) asks 2 GB (MemoryError under 1 GB). Found by
        measuring what a predictor at the free allowance really holds.
rt67-20 (TRUST, low: CPU; against rt67-08's fix in the working tree, ``_DECIMAL_BYTES``) the
        decimal item ``(?:25[0-5]|2[0-4]\d|1?\d?\d)`` matches ``11`` two ways (``1?`` or
        ``\d?`` takes the first digit), and a run of 15 items that cannot reach the 16 the
        pattern needs is retried every way: ``2**15`` tries per start, from each of the
        run's items. A secret of 200 blocks of ``"11 " * 14 + "11a "`` (9.2 KB) takes 2.1 s
        to read (pure, 14:58; ~10 ms per 46 bytes: a 4 MB secret ~15 minutes; the benchmark
        says a 4 MB secret's checks are linear). Found by timing the new patterns on runs
        just short of their minimum.
rt67-21 (HARM: memory; against rt67-10's fix in the working tree, ``_widest_under``) a
        TransformedTargetRegressor's inverse is measured by the longest axis under its
        target transformer, 4 estimator levels down and the first 4,096 items of each list:
        rt67-10's ``PCA(1)`` (``components_`` (1, 1,000,000)) inside five nested
        ``make_pipeline``s, or after 4,096 ``"passthrough"`` steps of one Pipeline, is not
        reached (three levels: refused, held): joblib xz, 3.5 KB / 6.5 KB; scan SAFE, load
        loads (pure, 14:59); ``predict`` of (200, 1) asks 1.6 GB. Found by nesting the fixed
        form past the walk's bounds.
rt67-22 (HARM: memory; against rt67-18's fix in the working tree, 15:04) a list in
        OUTPUT_ROWS is summed over its first 4,096 items and measured (``_widest_axis``) on
        its length and the first 4,096 items' axes: the items past 4,096 are not read. A
        multi-output ``DummyClassifier(strategy="prior")`` fitted on 4,100 binary outputs of
        one column whose ``class_prior_`` is 4,096 pairs and then 4 arrays of 300,000 zeros:
        joblib xz, ~10 KB; scan SAFE, load loads (pure, 15:05); ``predict_proba`` of (200, 1)
        holds 4 x (200, 300,000) besides the pairs, 1.9 GB. (5,000 outputs, the last 904
        of 10,000: alike.) The test takes ~13 s (over the budget: 4,097 outputs are the
        point; the load of 4,100 priors and label arrays is the slow part). Found by putting
        the wide items past the read prefix.
rt67-23 (HARM: memory; against rt67-19's fix in the working tree, 15:04) the four arrays a
        row are counted for the k-neighbours predictors only (``_graph_width``'s
        ``KNeighbors`` branch); a radius neighbours predictor holds the same distances,
        indices, labels and weights for every fitted sample in the radius, counted once: a
        ``RadiusNeighborsClassifier(radius=1.0, algorithm="brute")`` fitted on 65,000 zero
        samples of one column (``RadiusNeighborsRegressor`` alike): joblib compress=3, 5-6 KB;
        scan SAFE, load loads (pure, 15:06); ``predict_proba`` of (500, 1) raised the peak RSS
        by 1.0 GB (1,158 MB against 157 MB); 600 rows under half a GB raise MemoryError.
        Found by applying rt67-19 to the other neighbours predictors.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from redteam import (
    GB,
    assert_refused_with,
    assert_secret_refused,
    compressed_joblib,
    joblib_out_of_memory,
    load_honest,
)

# --- rt67-01: OutputCodeClassifier measures each row against every code_book_ row ------------


def test_rt67_01_output_code_book(tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OutputCodeClassifier

    from redteam import PLAIN_JOBLIB_CALL, child

    x = np.random.RandomState(0).rand(20, 1)
    model = OutputCodeClassifier(LogisticRegression(), code_size=1, random_state=0)
    model.fit(x, np.arange(20) % 3)
    model.code_book_ = np.zeros((2_000_000, len(model.estimators_)))
    path = compressed_joblib(tmp_path, model, 300_000)
    call = "model.predict(numpy.zeros((1000, 1)))"  # (~6 s of CPU)
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=1)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)
    assert_refused_with(path)


# --- rt67-02: one-vs-one and output-code members' decision values side by side ---------------


def _wide_logistic(x, y):
    from sklearn.linear_model import LogisticRegression

    member = LogisticRegression().fit(x, y)
    member.coef_, member.intercept_ = np.zeros((32_000, 1)), np.zeros(32_000)
    return member


@pytest.mark.parametrize("kind", ["output_code", "one_vs_one"])
def test_rt67_02_multiclass_side_by_side(tmp_path, kind):
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsOneClassifier, OutputCodeClassifier

    x = np.random.RandomState(0).rand(40, 1)
    if kind == "output_code":
        model = OutputCodeClassifier(LogisticRegression(), code_size=1, random_state=0)
        model.fit(x, np.arange(40) % 3)
        member = _wide_logistic(x, np.arange(40) % 2)
        model.estimators_ = [copy.deepcopy(member) for _ in range(30)]
        model.code_book_ = np.zeros((3, 30))
        call = "model.predict(numpy.zeros((200, 1)))"
    else:
        model = OneVsOneClassifier(LogisticRegression()).fit(x, np.arange(40) % 8)
        model.estimators_ = [_wide_logistic(x, np.arange(40) % 2) for _ in model.estimators_]
        call = "model.decision_function(numpy.zeros((200, 1)))"
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "output_code":  # (the harm shown once)
        joblib_out_of_memory(path, call, memory=500_000_000)
    assert_refused_with(path)


# --- rt67-03: a side-by-side wrapper's own n_features_in_, stored and never checked ----------


def test_rt67_03_wrapper_stored_width(tmp_path):
    from sklearn.linear_model import Ridge
    from sklearn.multioutput import MultiOutputRegressor

    rs = np.random.RandomState(0)
    x = rs.rand(20, 1)
    model = MultiOutputRegressor(Ridge()).fit(x, rs.rand(20, 2))
    member = Ridge().fit(x[:5], np.zeros((5, 32_000)))
    model.estimators_ = [copy.deepcopy(member) for _ in range(30)]
    model.n_features_in_ = 1000  # stored at fit, never checked by predict
    assert model.predict(np.zeros((2, 1))).shape == (32_000, 2, 30)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    joblib_out_of_memory(path, "model.predict(numpy.zeros((200, 1)))", memory=500_000_000)
    assert_refused_with(path)


# --- rt67-04: CalibratedClassifierCV's n_features_in_, stored and never checked --------------


def test_rt67_04_calibrated_stored_width(tmp_path):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.naive_bayes import GaussianNB

    x = np.random.RandomState(0).rand(40, 1)
    model = CalibratedClassifierCV(GaussianNB(), cv=2).fit(x, np.arange(40) % 2)
    model.classes_ = np.arange(100_000)
    model.n_features_in_ = 30  # stored at fit, never checked by predict_proba
    path = compressed_joblib(tmp_path, model, 150_000, ("xz", 6))
    joblib_out_of_memory(path, "model.predict_proba(numpy.zeros((2000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-05: a sparse-keeping last step hands the vectorizer's result to the densifier ------


@pytest.mark.parametrize("last", ["tfidf", "normalizer", "function"])
def test_rt67_05_densified_through_last_step(tmp_path, last):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, Normalizer

    step = {
        "tfidf": TfidfTransformer,
        "normalizer": Normalizer,
        "function": FunctionTransformer,
    }
    branch = make_pipeline(HashingVectorizer(n_features=2**20), step[last]())
    docs = np.array([["a b c"], ["d e f"]] * 10, dtype=object)
    model = ColumnTransformer([("t", branch, 0)], sparse_threshold=0).fit(docs)
    assert model.transform(docs[:1]).shape == (1, 2**20)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if last == "tfidf":  # (the harm shown once)
        call = "model.transform(numpy.full((200, 1), 'a', dtype=object))"
        joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt67-06: a k-neighbours regressor holds its neighbours times its targets ----------------


def test_rt67_06_neighbours_times_targets(tmp_path):
    from sklearn.neighbors import KNeighborsRegressor

    n = 32_000
    model = KNeighborsRegressor(n_neighbors=n, algorithm="brute")
    model.fit(np.zeros((n, 1)), np.zeros((n, 100)))
    path = compressed_joblib(tmp_path, model, 150_000)
    joblib_out_of_memory(path, "model.predict(numpy.zeros((100, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-07: OUTPUT_ROWS arrays as lists and tuples -----------------------------------------


def _listed_rows(kind, n):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.linear_model import BayesianRidge
    from sklearn.mixture import GaussianMixture
    from sklearn.naive_bayes import MultinomialNB

    rs = np.random.RandomState(0)
    x = rs.rand(20, 1)
    if kind == "naive_bayes":
        model = MultinomialNB().fit(x, np.arange(20) % 2)
        model.feature_log_prob_ = model.feature_log_prob_[:1]
        model.class_log_prior_ = [0.0] * n
    elif kind == "gpr":
        model = GaussianProcessRegressor(normalize_y=True).fit(x, rs.rand(20, 1))
        model._y_train_std = tuple([1.0] * n)
    elif kind == "mixture":
        model = GaussianMixture(1).fit(x)
        model.weights_ = [1.0] * n
    else:
        model = BayesianRidge().fit(x, rs.rand(20))
        model.sigma_ = [[0.0] * n]
    return model


@pytest.mark.parametrize("kind", ["naive_bayes", "gpr", "mixture", "bayesian_ridge"])
def test_rt67_07_output_rows_as_lists(tmp_path, kind):
    # (past FREE_PREDICTOR_OUTPUTS, 65,536 since the working tree's rt67-11 fix)
    path = compressed_joblib(tmp_path, _listed_rows(kind, 100_000), 20_000, ("xz", 6))
    if kind == "gpr":  # (the harm shown once: 2,000 x 100,000 values, 1.6 GB)
        joblib_out_of_memory(path, "model.predict(numpy.zeros((2000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-08: public keys as dump tools and other languages print bytes ----------------------


def _printed_key(form: str) -> str:
    import subprocess

    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = key.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
    if form in (
        "hexdump",
        "xxd",
    ):  # (a dump of the bytes, as xxd -g1 / hexdump -C print it)
        rows = []
        for i in range(0, len(der), 16):
            chunk = der[i : i + 16]
            text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
            if form == "hexdump":
                rows.append(f"{i:08x}  {chunk[:8].hex(' ')}  {chunk[8:].hex(' ')}  |{text}|")
            else:
                pairs = " ".join(chunk[j : j + 2].hex() for j in range(0, len(chunk), 2))
                rows.append(f"{i:08x}: {pairs}  {text}")
        return "\n".join(rows) + "\n"
    assert subprocess  # (no tool is run: the dumps are written as the tools print them)
    return {
        "node-buffer": lambda: "<Buffer " + der.hex(" ") + ">",
        "go-println": lambda: "[" + " ".join(str(b) for b in der) + "]",
        "c-decimal": lambda: "unsigned char k[] = {" + ",".join(str(b) for b in der) + "};",
        "c-unpadded": lambda: "{" + ", ".join(f"{b:#x}" for b in der) + "}",
        "python-hex-list": lambda: str([hex(b) for b in der]),
        "java-cast": lambda: "new byte[]{" + ", ".join(f"(byte)0x{b:02x}" for b in der) + "}",
        "kotlin": lambda: "byteArrayOf(" + ", ".join(f"0x{b:02x}.toByte()" for b in der) + ")",
        "js-unicode": lambda: '"' + "".join(f"\\u00{b:02x}" for b in der) + '"',
        "bare-escapes": lambda: "".join(f"\\x{b:02x}" for b in der),
    }[form]()


@pytest.mark.parametrize(
    "form",
    [
        "node-buffer",
        "hexdump",
        "xxd",
        "go-println",
        "c-decimal",
        "c-unpadded",
        "python-hex-list",
        "java-cast",
        "kotlin",
        "js-unicode",
        "bare-escapes",
    ],
)
def test_rt67_08_printed_byte_forms(form):
    assert_secret_refused(_printed_key(form))


# --- rt67-09: escaped quotes make the literal scan quadratic ---------------------------------


def test_rt67_09_escaped_quotes_quadratic():
    import time

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    secret = b"'" + b"\\'" * 10_000  # 20 KB: 2.4 s (40 KB: 11 s, 80 KB: 50 s)
    started = time.process_time()
    try:
        HMACKey(secret)
    except KeyFormatError:
        pass
    assert time.process_time() - started < 0.5


# --- rt67-10: TransformedTargetRegressor.predict through rt66-16's inverse forms -------------


@pytest.mark.parametrize("kind", ["random_projection", "variance", "pipeline_pca"])
def test_rt67_10_target_transformer_inverse(tmp_path, kind):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.decomposition import PCA
    from sklearn.feature_selection import VarianceThreshold
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.random_projection import GaussianRandomProjection

    rs = np.random.RandomState(0)
    x, y = rs.rand(20, 1), rs.rand(20, 2)
    n = 1_000_000
    transformer = {
        "random_projection": GaussianRandomProjection(1, compute_inverse_components=True),
        "variance": VarianceThreshold(),
        "pipeline_pca": make_pipeline(PCA(1)),
    }[kind]
    model = TransformedTargetRegressor(Ridge(), transformer=transformer, check_inverse=False)
    model.fit(x, y)
    target = model.transformer_
    if kind == "random_projection":
        target.inverse_components_ = np.zeros((n, 1))
    elif kind == "variance":
        target.variances_ = np.zeros(n)
        target.variances_[0] = 1.0
        model.regressor_.coef_, model.regressor_.intercept_ = (
            np.zeros((1, 1)),
            np.zeros(1),
        )
    else:
        pca = target[0]
        pca.components_, pca.mean_, pca.n_features_in_ = (
            np.zeros((1, n)),
            np.zeros(n),
            n,
        )
    assert model.predict(np.zeros((2, 1))).shape == (2, n)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "random_projection":  # (the harm shown once)
        joblib_out_of_memory(path, "model.predict(numpy.zeros((200, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-11: a nearest-ZIP-code lookup on latitude and longitude ----------------------------


def test_rt67_11_honest_zip_lookup(tmp_path):
    from sklearn.neighbors import KNeighborsClassifier

    rs = np.random.RandomState(0)
    places = np.c_[rs.uniform(25, 49, 41_700), rs.uniform(-124, -67, 41_700)]
    model = KNeighborsClassifier(n_neighbors=1).fit(places, np.arange(41_700))
    assert load_honest(model, tmp_path).predict(places[:3]).tolist() == [0, 1, 2]


# --- rt67-12: the same neighbours regressor with a three-dimensional _y ----------------------


def test_rt67_12_neighbours_times_3d_targets(tmp_path):
    from sklearn.neighbors import KNeighborsRegressor

    n = 20_000  # (the docstring's 32,000: the same, slower)
    model = KNeighborsRegressor(n_neighbors=n, algorithm="brute")
    model.fit(np.zeros((n, 1)), np.zeros((n, 100)))
    model._y = np.zeros((n, 1, 100))
    assert model.predict(np.zeros((2, 1))).shape == (2, 1, 100)
    path = compressed_joblib(tmp_path, model, 150_000)
    joblib_out_of_memory(path, "model.predict(numpy.zeros((100, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-13: OUTPUT_ROWS arrays broadcast along their other axes ----------------------------


@pytest.mark.parametrize("kind", ["gaussian_nb", "full", "tied"])
def test_rt67_13_output_rows_other_axes(tmp_path, kind):
    from sklearn.mixture import GaussianMixture
    from sklearn.naive_bayes import GaussianNB

    x = np.random.RandomState(0).rand(20, 1)
    n = 1_000_000
    if kind == "gaussian_nb":
        model = GaussianNB().fit(x, np.arange(20) % 2)
        model.theta_, model.var_ = np.zeros((2, n)), np.ones((2, n))
    else:
        model = GaussianMixture(1, covariance_type=kind).fit(x)
        model.precisions_cholesky_ = np.ones((1, 1, n) if kind == "full" else (1, n))
    assert model.predict(np.zeros((2, 1))).shape == (2,)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind != "tied":  # (the harm shown twice)
        joblib_out_of_memory(path, "model.predict(numpy.zeros((200, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-14: an honest SVC of 42,322 support vectors on two features -------------------------


def test_rt67_14_honest_svc_many_vectors(tmp_path):
    from sklearn.svm import SVC

    rs = np.random.RandomState(0)
    x = rs.randn(400, 2)
    model = SVC().fit(x, (x[:, 0] + 1.5 * rs.randn(400) > 0).astype(int))
    # what SVC().fit of 65,000 such rows gives (357 s): 42,322 support vectors
    counts = model._n_support
    per_class = [21_161, 21_161]
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    take = np.concatenate(
        [
            start + np.arange(n) % count
            for start, count, n in zip(starts, counts, per_class, strict=True)
        ]
    )
    model.support_vectors_ = model.support_vectors_[take]
    model._dual_coef_ = model.dual_coef_ = model.dual_coef_[:, take]
    model.support_ = model.support_[take]
    model._n_support = np.array(per_class, dtype=np.int32)
    assert load_honest(model, tmp_path).predict(x[:3]).shape == (3,)


# --- rt67-15: rt66-11's workaround with its reductions in a union or a nested pipeline ------


@pytest.mark.parametrize("form", ["union", "nested"])
def test_rt67_15_reduction_one_level_down(tmp_path, form):
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import TruncatedSVD
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.preprocessing import StandardScaler

    rs = np.random.RandomState(0)
    words = [f"w{i}" for i in range(9500)]
    frame = pd.DataFrame(
        {
            "text": [" ".join(rs.choice(words, 30)) for _ in range(1000)],
            "price": rs.rand(1000),
        }
    )
    if form == "union":
        reduce = make_union(TruncatedSVD(50), TruncatedSVD(10, algorithm="arpack"))
    else:
        reduce = make_pipeline(TruncatedSVD(50))
    columns = ColumnTransformer(
        [
            ("t", make_pipeline(TfidfVectorizer(), reduce), "text"),
            ("n", StandardScaler(), ["price"]),
        ],
        sparse_threshold=0,
    )
    model = make_pipeline(columns, HistGradientBoostingClassifier(max_iter=10))
    model.fit(frame, rs.randint(0, 2, 1000))
    assert model[0].transform(frame[:2]).shape[1] <= 61
    assert load_honest(model, tmp_path).predict(frame[:3]).shape == (3,)


# --- rt67-16: LDA's xbar_, QDA's means_, a binary GPC's W_sr_ broadcast against X ------------


@pytest.mark.parametrize("kind", ["lda", "qda", "gpc"])
def test_rt67_16_broadcast_fitted_arrays(tmp_path, kind):
    from sklearn.discriminant_analysis import (
        LinearDiscriminantAnalysis,
        QuadraticDiscriminantAnalysis,
    )
    from sklearn.gaussian_process import GaussianProcessClassifier

    x = np.random.RandomState(0).rand(40, 1)
    y = np.arange(40) % 2
    n = 1_000_000
    if kind == "lda":
        model = LinearDiscriminantAnalysis().fit(x, y)
        model.xbar_, model.scalings_ = np.zeros(n), np.zeros((n, 1))
        call = "model.transform(numpy.zeros((200, 1)))"
    elif kind == "qda":
        model = QuadraticDiscriminantAnalysis().fit(x, y)
        model.means_ = np.zeros((2, n))
        model.rotations_ = [np.zeros((n, 1)), np.zeros((n, 1))]
        call = "model.predict(numpy.zeros((200, 1)))"
    else:
        model = GaussianProcessClassifier().fit(np.array([[0.0], [1.0]]), [0, 1])
        model.base_estimator_.W_sr_ = np.zeros((n, 1))
        call = "model.predict_proba(numpy.zeros((200, 1)))"
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind != "qda":  # (the harm shown twice)
        joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt67-17: AffinityPropagation's predict measures every stored centre ---------------------


def test_rt67_17_affinity_propagation_centres(tmp_path):
    from sklearn.cluster import AffinityPropagation

    from redteam import PLAIN_JOBLIB_CALL, child

    model = AffinityPropagation(random_state=0).fit(np.random.RandomState(0).rand(20, 1))
    model.cluster_centers_ = np.zeros((2_000_000, 1))
    path = compressed_joblib(tmp_path, model, 150_000)
    call = "model.predict(numpy.zeros((1000, 1)))"  # (~6.5 s of CPU)
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=1)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)
    assert_refused_with(path)


# --- rt67-18: a multi-output dummy's class_prior_ list: the sum, not the widest --------------


def test_rt67_18_multi_output_priors_add_up(tmp_path):
    from sklearn.dummy import DummyClassifier

    labels = np.tile(np.arange(20) % 2, (30, 1)).T
    model = DummyClassifier(strategy="prior").fit(np.zeros((20, 1)), labels)
    model.class_prior_ = [np.zeros(60_000) for _ in range(30)]
    assert len(model.predict_proba(np.zeros((2, 1)))) == 30
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    joblib_out_of_memory(path, "model.predict_proba(numpy.zeros((200, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-19: a k-neighbours predictor at the free allowance holds four arrays of it ---------


def test_rt67_19_free_allowance_times_arrays(tmp_path):
    from sklearn.neighbors import KNeighborsClassifier

    n = 65_000
    model = KNeighborsClassifier(n_neighbors=n - 1, algorithm="brute")
    model.fit(np.zeros((n, 1)), np.arange(n) % 2)
    path = compressed_joblib(tmp_path, model, 20_000)
    # (1,000 rows ask 2 GB; 600 under half a GB fail sooner)
    joblib_out_of_memory(path, "model.predict_proba(numpy.zeros((600, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-20: a decimal item that matches two ways, in runs of 15 ------------------------------


def test_rt67_20_decimal_runs_backtrack():
    import time

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    secret = (b"11 " * 14 + b"11a ") * 200  # 9.2 KB: 2.1 s
    started = time.process_time()
    try:
        HMACKey(secret)
    except KeyFormatError:
        pass
    assert time.process_time() - started < 0.5


# --- rt67-21: the target transformer's inverse past the walk's depth and breadth -------------


@pytest.mark.parametrize("form", ["nested", "passthrough"])
def test_rt67_21_target_inverse_past_bounds(tmp_path, form):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.decomposition import PCA
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import Pipeline, make_pipeline

    rs = np.random.RandomState(0)
    x, y = rs.rand(20, 1), rs.rand(20, 2)
    n = 1_000_000
    if form == "nested":
        transformer = PCA(1)
        for _ in range(5):
            transformer = make_pipeline(transformer)
    else:
        transformer = Pipeline([(f"p{i}", "passthrough") for i in range(4096)] + [("pca", PCA(1))])
    model = TransformedTargetRegressor(Ridge(), transformer=transformer, check_inverse=False)
    model.fit(x, y)
    pca = model.transformer_
    while hasattr(pca, "steps"):
        pca = pca.steps[-1][1]
    pca.components_, pca.mean_ = np.zeros((1, n)), np.zeros(n)
    assert model.predict(np.zeros((2, 1))).shape == (2, n)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if form == "nested":  # (the harm shown once)
        joblib_out_of_memory(path, "model.predict(numpy.zeros((200, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-22: a multi-output dummy's wide priors past the first 4,096 -------------------------


def test_rt67_22_priors_past_read_prefix(tmp_path):
    from sklearn.dummy import DummyClassifier

    outputs = 4100
    labels = np.tile(np.arange(20) % 2, (outputs, 1)).T
    model = DummyClassifier(strategy="prior").fit(np.zeros((20, 1)), labels)
    pairs = [np.array([0.5, 0.5]) for _ in range(4096)]
    model.class_prior_ = pairs + [np.zeros(300_000) for _ in range(outputs - 4096)]
    assert model.predict_proba(np.zeros((2, 1)))[-1].shape == (2, 300_000)
    path = compressed_joblib(tmp_path, model, 40_000, ("xz", 6))
    joblib_out_of_memory(path, "model.predict_proba(numpy.zeros((200, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt67-23: radius neighbours predictors hold the same four arrays -------------------------


@pytest.mark.xfail(
    strict=True,
    reason="rt67-23, a documented limit (SECURITY.md): a radius neighbours predictor may hold "
    "every fitted sample within its radius for each row, in about four arrays",
)
def test_rt67_23_radius_free_allowance_times_arrays(tmp_path):
    from sklearn.neighbors import RadiusNeighborsClassifier

    n = 65_000
    model = RadiusNeighborsClassifier(radius=1.0, algorithm="brute")
    model.fit(np.zeros((n, 1)), np.arange(n) % 2)
    path = compressed_joblib(tmp_path, model, 20_000)
    joblib_out_of_memory(path, "model.predict_proba(numpy.zeros((600, 1)))", memory=GB // 2)
    assert_refused_with(path)
