r"""Red team 68: findings against red team 67's fixes (the free predictor outputs,
``_stored_inputs`` / ``_checked_inputs``, SIDE_BY_SIDE, OUTPUT_ROWS, ``_widest_under``,
``_graph_width``, ``_output_reach``, the HMAC readers of printed bytes).
Red team 68, 16:46:00 to 17:31 UTC 2026-12-03 (17 findings; rt68-13 to rt68-17 are against
the maintainer's working-tree fixes of rt68-04, rt68-05, rt68-09, rt68-11 and rt68-12, seen
at 17:22-17:28).

"pure" is a snapshot of /work/main in /tmp/rt68p (SAFELOAD_PURE_PYTHON=1); "compiled" is
/work/main's .venv build with PYTHONPATH=/work/main/src.

rt68-01 (HARM: memory; against ``_checked_inputs``: a stored width that nothing checks)
        Every width of a predictor is divided by its own ``n_features_in_``, but a
        neighbours predictor with ``metric="precomputed"`` never checks it: ``kneighbors``
        runs ``_check_precomputed(X)`` instead of ``validate_data(reset=False)``, and the
        query needs only as many columns as ``_fit_X`` has rows. A
        ``KNeighborsClassifier(n_neighbors=1, metric="precomputed")`` fitted on a (2, 2)
        distance matrix whose ``classes_`` is ``arange(600_000)`` and whose ``n_features_in_``
        is 1000: counted (600,000 - 65,536) / 1000 = 535 columns per input column; joblib xz,
        150 KB; scan SAFE, load loads (pure and compiled); ``predict_proba`` of (1000, 2), a
        16 KB input, asks 4.5 GB (``zeros((rows, classes_.size))``, then summed: every page
        touched). (The test: 300,000 classes, 2,000 rows.) The other neighbours predictors
        with a precomputed metric alike (KNeighborsRegressor's targets, the radius ones).
        Found by asking which predictors store an input width that their methods do not
        check.
rt68-02 (HARM: memory; rt68-01's kind, against rt65-22's Isomap fix) ``Isomap.transform``
        hands X to ``nbrs_.kneighbors`` and never checks its own ``n_features_in_`` (found by
        setting ``n_features_in_ = 1000`` on every estimator of ``all_estimators()`` and
        calling its methods on the real width: Isomap is the only plain estimator beside the
        dummies, FunctionTransformer and the meta-estimators that accepts it). Its width (a
        dense row of every fitted sample, ``G_X = zeros((rows, n_samples_fit))``) is divided
        by that unchecked count: an ``Isomap(n_neighbors=1, n_components=1)`` whose ``nbrs_``
        is fitted on 500,000 zero samples of one column, ``dist_matrix_`` (1, 500,000) zeros,
        ``kernel_pca_`` (precomputed) widened to match and ``n_features_in_ = 1000``: counted
        500 columns per input column; joblib xz, 4 KB; scan SAFE, load loads (pure and
        compiled); ``transform`` of (300, 1) asks 1.1 GB (a copy more in KernelCenterer).
rt68-03 (HARM: memory; a per-call array no width bound reads) ``get_precision()`` (and
        ``get_covariance()``) of PCA, IncrementalPCA and FactorAnalysis builds an
        ``(n, n)`` matrix from ``components_``' COLUMNS, which nothing compares with
        ``n_features_in_`` (OUTPUT_AXES reads its rows; the covariance estimators' ``location_``
        is checked against ``n_features_in_``: held). ``PCA.score_samples`` / ``score`` and
        ``FactorAnalysis.score_samples`` / ``score`` call it before they validate X. A ``PCA(1)``
        fitted on one column whose ``components_`` is (1, 20,000) zeros (FactorAnalysis,
        IncrementalPCA alike): joblib xz, 712 bytes; scan SAFE, load loads (pure and compiled);
        ``score_samples`` of ONE row (1, 1) asks 3 GB (20,000 x 20,000). Found by an output
        sweep that measures the peak of traced allocations mid-call (tracemalloc) for
        one-axis mutants of every fitted array, not only what the method returns.
rt68-04 (HARM: memory; the same sweep: quadratic in an allowed width) the sparse coders'
        and NMF's ``transform`` build the Gram matrix of their components,
        ``(n_components, n_components)``, once per call: the width bound allows 4,096
        components per input column, so ``n`` input columns buy ``(4096 n)**2`` values,
        whatever the rows. ``DictionaryLearning(2)`` fitted on 4 columns with ``components_``
        (16,384, 4) zeros (``SparseCoder(zeros((16_384, 4)))`` and ``MiniBatchNMF`` alike):
        joblib xz, 0.6-1 KB; scan SAFE, load loads (pure and compiled); ``transform`` of ONE
        row (1, 4) asks 2 GB (16,384 x 16,384; 8 columns: 8 GB). Found by the same sweep.
rt68-05 (TRUST, low; rt67-08's kind: the printed-byte readers match separators and
        digit forms one by one) a DER P-256 public key printed these ways is accepted as an
        HMAC secret (pure and compiled, 17:04): .NET's ``BitConverter.ToString(der)`` and
        PowerShell's (``30-59-30-13-...``, the usual .NET hex print), Python's
        ``der.hex("-")`` / ``der.hex("_")`` / ``der.hex(".")``, hex pairs between commas
        (``30,59,30,...``), ``od -An -to1`` / ``od -b`` octal bytes (``060 131 060 ...``),
        bare octal escapes (``\060\131...``), zero-padded decimal (``048 089 048 ...``,
        ``%03d``), MASM's ``db 030h,059h,...``, Pascal/6502 ``$30,$59,...``, bits
        (``00110000 01011001 ...``), Python's ``[bin(b) for b in der]`` and PowerShell 7's
        ``Format-Hex`` (a 16-digit offset, which the dump-line reader's ``{4,8}`` misses).
        (Refused, held: Swift ``[UInt8]([0x30, ...])``, hex pairs in lines, ``0x30`` runs
        without separators, Java's signed bytes, C#'s decimal array, colon-hex lines.)
        Found by printing the key with the separators and digit forms the readers do not
        list.
rt68-06 (HARM: memory; against rt67-03's ``_stored_inputs``: a pipeline member's width is
        its first step's ``n_features_in_``, which a ColumnTransformer does not check on a
        DataFrame) ``ColumnTransformer.transform`` of a DataFrame fitted on a DataFrame only
        asks for the columns its non-dropped branches read (``_check_n_features`` runs for
        arrays only), so a column transformer fitted on 1,000 columns that keeps one reads a
        one-column frame, and its stored ``n_features_in_`` (1,000) becomes the member's and
        the holder's divisor (the standard tabular member: a pipeline that starts with a
        column transformer, fitted on a wide frame). rt67-03's file with each of the 30
        members ``make_pipeline(ColumnTransformer([("a", "passthrough", ["c0"])],
        remainder="drop"), Ridge())`` (32,000 zero-weight targets, fitted on a 1,000-column
        frame): joblib xz, 6.6 KB; scan SAFE, load loads (pure and compiled); ``predict`` of
        a 200-row one-column DataFrame holds 1.5 GB. (The test: 20 members of 60,000 targets
        on a 300-column frame, 1.9 GB; ~6 s, pandas.) Found by asking which first steps of
        a pipeline accept fewer columns than they store.
rt68-07 (HARM: memory; against rt67-19's four (rows, n_neighbors) arrays: the rows need not
        be the caller's) ``kneighbors()`` and ``kneighbors_graph()`` without X query every
        fitted sample against the others (documented: "If not provided, neighbors of each
        indexed point are returned"): ``(n_samples_fit, n_neighbors)`` distances and
        indices, however few rows the caller has. The width bound lets a k-neighbours
        predictor of one column take 16,000 neighbours (4 x 16,000 within 65,536 + 4,096),
        and nothing bounds the fitted samples it multiplies: a
        ``KNeighborsClassifier(n_neighbors=16_000, algorithm="brute")`` fitted on 20,000
        zero samples of one column (an honest fit): joblib compress=3, 2.4 KB; scan SAFE,
        load loads (pure and compiled); ``kneighbors()`` asks 2.4 GB for the indices alone
        (5 GB with the distances), with no input at all. Found by calling the neighbours
        methods with their optional arguments left out.
rt68-08 (HONEST-REFUSED; against "a transformer has no free allowance") a classifier's own
        ``LabelBinarizer`` (RidgeClassifier's and MLPClassifier's ``_label_binarizer``,
        OneVsRestClassifier's ``label_binarizer_``) is a fitted transformer in LABEL_COLUMNS
        with no ``n_features_in_``: it is counted as a dense column per class per input
        column, with no free outputs, though predict never hands it X (it only encodes y at
        fit, or decodes labels). So any of these classifiers over more than 4,096 classes is
        refused whatever its input width, although its own outputs are within the 65,536
        free: an honest ``RidgeClassifier()`` fitted on 4,200 classes of 5 features (or 5,000
        classes of 50), an honest ``MLPClassifier((10,), max_iter=1)`` alike: "its
        transformers and predictors would hold 4,200 columns per input column" (pure and
        compiled). (A OneVsRestClassifier over 4,200 classes of 20 features: the same
        message.) Found by building the brief's honest classifiers over many classes and
        reading which node the bound charged.
rt68-09 (HARM: memory; against FREE_PREDICTOR_OUTPUTS: the allowance is per row, this is per
        pair of rows) ``GaussianProcessRegressor.predict(X, return_cov=True)`` (a documented
        option) returns ``(rows, rows, n_targets)``: ``np.outer(y_cov, _y_train_std ** 2)``.
        An honest fit of 60,000 zero targets on two samples of one column (within the
        65,536 free outputs; ``optimizer=None``): joblib compress=3, 17.5 KB; scan SAFE,
        load loads (pure and compiled); ``predict`` of (100, 1) with ``return_cov=True``
        asks 4.5 GB (10,000 x 60,000); 1,000 rows would ask 450 GB. (``sample_y`` computes the
        same covariance, then an SVD of (rows, rows) per target.) Found by calling the
        predictors' methods with their documented options.
rt68-10 (HARM: CPU; a method beyond predict: member counts) ``AdaBoostRegressor.staged_predict``
        (and ``staged_score``) computes, at stage k, the weighted median of the first k
        members' predictions anew (``_get_median_predict(X, limit=k)``): k(k+1)/2 member
        predicts for k members, quadratic in a member count nothing bounds (the meetings'
        bound counts each member once, as predict meets it). A fit of a stump on 60 rows
        of one column whose ``estimators_`` are 1,500 copies of its stump (honest
        ``n_estimators=1500`` without the early stop gives the same shape): joblib
        compress=3, 11 KB; scan SAFE, load loads (pure, 17:13); ``staged_predict`` of ONE
        row (1, 1) took 6.3 s of CPU for its first 300 stages and ~20 s for 600; all 1,500
        stages ~160 s. (800 members in the test: ~45 s.) Found by calling the staged
        methods of ensembles whose members the bounds count once.
rt68-11 (HARM: memory; rt67-07's kind for the linear models: ``coef_`` / ``intercept_`` are
        measured by ``shape_of`` only) ``_outputs_held`` reads ``coef_`` rows and
        ``intercept_`` items only when they are arrays, but ``decision_function`` /
        ``predict`` is ``X @ coef_.T + intercept_``, and a Python list or tuple broadcasts
        as an array does. A ``LogisticRegression`` fitted on two classes of one column whose
        ``intercept_`` is a list of 300,000 zeros (a ``Ridge`` with ``coef_`` (1, 1) and a
        list or tuple ``intercept_`` alike): joblib xz, 0.9-1.3 KB; scan SAFE, load loads
        (pure and compiled); ``decision_function`` of (2000, 1) asks 4.5 GB. A ``KernelRidge``
        fitted on two samples whose ``dual_coef_`` is two references to one list of 300,000
        zeros (``_outputs_held`` reads ``shape_of(dual_coef_)`` only; ``predict`` is
        ``np.dot(K, dual_coef_)``): 1.1 KB, the same (pure, 17:20); a
        ``GaussianProcessRegressor`` whose ``alpha_`` is such a list (OUTPUT_COLUMNS are read
        by ``shape_of`` too; ``K_trans @ alpha_``): 4.3 KB, the same (pure, 17:21). (Scanning the
        1 KB file takes 4-6 s: the list is read item by item.) The test: 100,000 items,
        4,000 rows. Found by giving the linear models' arrays as the containers numpy
        broadcasts.
rt68-12 (HARM: memory and CPU; a method beyond predict) ``GaussianProcessRegressor.
        log_marginal_likelihood(theta)`` (public; any theta, the model's own
        ``kernel_.theta`` included) builds the kernel of every fitted sample against every
        other, ``(n, n)``, and its Cholesky factor. The fitted samples are counted as a
        predictor's per-row width (KERNEL_PREDICTORS, within the 65,536 free), and nothing
        ties ``X_train_`` to ``L_``, the ``(n, n)`` factor an honest fit of ``n`` samples
        stores and pays for with its bytes: a fit on two samples whose ``X_train_`` /
        ``y_train_`` / ``alpha_`` are replaced by 30,000 zero samples (``L_`` stays (2, 2)):
        joblib compress=3, 7.3 KB; scan SAFE, load loads (pure, 17:21);
        ``log_marginal_likelihood(model.kernel_.theta)`` asks 6.7 GB (30,000 x 30,000; and
        O(n**3) CPU for the factor, past the allocation). Found by calling the Gaussian
        process's public methods other than predict.
rt68-13 (HARM: memory; against the working tree's rt68-12 fix, 17:22) the fix compares
        ``X_train_`` / ``y_train_`` / ``alpha_`` with the factor ``L_`` only when ``L_`` has a
        shape; ``log_marginal_likelihood`` and ``predict`` (without std or cov) never read
        ``L_``: rt68-12's file with ``L_`` deleted: joblib compress=3, 7.3 KB; scan SAFE, load
        loads (the working tree, 17:22); ``predict`` works and
        ``log_marginal_likelihood(model.kernel_.theta)`` asks 6.7 GB. Found by removing the
        attribute the fix compares with.
rt68-14 (HARM: memory; against the working tree's rt68-09 fix, 17:22) the fix bounds the
        targets by ``y_train_``'s second axis, but ``return_cov`` multiplies by
        ``_y_train_std``: ``np.outer(y_cov, _y_train_std ** 2)``. A two-sample fit of one
        target whose ``alpha_`` is made (2, 1) and whose ``_y_train_std`` / ``_y_train_mean``
        are 60,000 ones / zeros (``y_train_`` stays one-dimensional; OUTPUT_ROWS counts the
        60,000 within the free allowance): joblib compress=3, 9 KB; scan SAFE, load loads
        (the working tree, 17:22); ``predict(X, return_cov=True)`` of (100, 1) asks 4.5 GB,
        as rt68-09. Found by giving the width the fix reads and the width the method
        multiplies by different arrays.
rt68-15 (HARM: memory; rt68-11's kind for OUTPUT_AXES, past the working tree's rt68-11 fix,
        17:24) the fitted samples a kernel predictor holds a row of (OUTPUT_AXES'
        ``X_fit_``, ``X_train_``) are measured by ``shape_of`` only, and the working tree's
        ARRAYS_IN_ARITHMETIC does not list them: ``KernelRidge.predict`` is
        ``pairwise_kernels(X, X_fit_) @ dual_coef_``, and ``check_pairwise_arrays`` turns a
        list into an array. A ``KernelRidge()`` fitted on two samples whose ``X_fit_`` is
        ``[[0.0]] * 1_000_000`` (one list, referenced) and whose ``dual_coef_`` is 1,000,000
        zeros: joblib xz, 2 KB; scan SAFE, load loads (pure, and the working tree, 17:24;
        scan 9 s, load 8 s); ``predict`` of (200, 1) asks 1.5 GB. (The test: 100,000
        samples, 4,000 rows, 3.2 GB.) Found by giving the fix's neighbour arrays as lists.
rt68-16 (HARM: memory; against the working tree's rt68-04 fix, 17:26) the Gram bound reads
        ``getattr(dictionary, "shape")``, but a SparseCoder's ``dictionary`` is a parameter
        that ``sparse_encode`` passes through ``check_array``: a list of lists has no shape
        and skips the check (the width bound measures it, ``_dictionary_shape``, and allows
        4,096 rows per input column). ``SparseCoder([[0.0] * 4] * 16_384)`` (one row,
        referenced): joblib xz, 356 bytes; scan SAFE, load loads (the working tree, 17:26;
        the array form is refused: held); ``transform`` of ONE row (1, 4) asks 2 GB. Found
        by giving the fixed attribute as a list.
rt68-17 (TRUST, low; against the working tree's rt68-05 fix, 17:28) still accepted as HMAC
        secrets (the working tree): Python's ``[oct(b) for b in der]`` (``'0o60', '0o131',
        ...``), decimal bytes between dashes or dots (``48-89-48-...``, ``48.89.48...``),
        ``x30 x59 ...``, Verilog ``8'h30, 8'h59, ...`` and the bits without separators
        (``0011000001011001...``). (Refused, held: hex between pipes, slashes, tabs,
        ``; `` or ``: ``, ``30h`` items, octal between dashes, dashed hex in lines of 16,
        ``0X`` items in lines of 8.) Found by varying rt68-05's separators and prefixes.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

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

# --- rt68-01: a precomputed-metric neighbours predictor's n_features_in_ is never checked -----


def test_rt68_01_precomputed_unchecked_width(tmp_path):
    from sklearn.neighbors import KNeighborsClassifier

    distances = np.array([[0.0, 1.0], [1.0, 0.0]])
    model = KNeighborsClassifier(n_neighbors=1, metric="precomputed").fit(distances, [0, 1])
    model.classes_ = np.arange(300_000, dtype=np.int32)
    model.n_features_in_ = 1000  # stored, never checked: the query is (rows, 2) distances
    assert model.predict_proba(np.zeros((2, 2))).shape == (2, 300_000)
    path = compressed_joblib(tmp_path, model, 200_000, ("xz", 6))
    joblib_out_of_memory(path, "model.predict_proba(numpy.zeros((2000, 2)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt68-02: Isomap's own n_features_in_ is never checked -------------------------------------


def test_rt68_02_isomap_unchecked_width(tmp_path):
    from sklearn.manifold import Isomap
    from sklearn.neighbors import NearestNeighbors

    n = 500_000
    model = Isomap(n_neighbors=1, n_components=1, neighbors_algorithm="brute")
    model.fit(np.array([[0.0], [1.0], [2.0]]))
    model.n_features_in_ = 1000  # stored, never checked: transform hands X to nbrs_
    model.nbrs_ = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(np.zeros((n, 1)))
    model.dist_matrix_ = np.zeros((1, n))
    kpca = model.kernel_pca_
    kpca.n_features_in_ = kpca._centerer.n_features_in_ = n
    kpca._centerer.K_fit_rows_ = np.zeros(n)
    kpca.eigenvectors_, kpca.X_fit_ = np.zeros((n, 1)), np.zeros((n, 1))
    assert model.transform(np.zeros((2, 1))).shape == (2, 1)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    joblib_out_of_memory(path, "model.transform(numpy.zeros((300, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt68-03: components_' columns size get_precision, before X is validated -----------------


@pytest.mark.parametrize("kind", ["pca", "factor_analysis", "incremental_pca"])
def test_rt68_03_precision_from_components_columns(tmp_path, kind):
    from sklearn.decomposition import PCA, FactorAnalysis, IncrementalPCA

    cls = {"pca": PCA, "factor_analysis": FactorAnalysis, "incremental_pca": IncrementalPCA}
    model = cls[kind](1).fit(np.random.RandomState(0).rand(40, 1))
    model.components_ = np.zeros((1, 20_000))
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "pca":  # (the harm shown once: 20,000 x 20,000, 3 GB, for one row)
        joblib_out_of_memory(path, "model.score_samples(numpy.zeros((1, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt68-04: the coders' Gram matrix, quadratic in the components the bound allows ----------


@pytest.mark.parametrize("kind", ["dictionary", "coder", "minibatch_nmf"])
def test_rt68_04_gram_of_components(tmp_path, kind):
    from sklearn.decomposition import DictionaryLearning, MiniBatchNMF, SparseCoder

    k = 16_384  # (4,096 per input column)
    x = np.random.RandomState(0).rand(40, 4)
    if kind == "coder":
        model = SparseCoder(np.zeros((k, 4)))
    elif kind == "dictionary":
        model = DictionaryLearning(2, max_iter=2).fit(x)
        model.components_ = np.zeros((k, 4))
    else:
        model = MiniBatchNMF(2, max_iter=10).fit(x)
        model.components_, model._n_components = np.zeros((k, 4)), k
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "dictionary":  # (the harm shown once: 16,384 x 16,384, 2 GB, for one row)
        joblib_out_of_memory(path, "model.transform(numpy.zeros((1, 4)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt68-05: public keys printed with other separators and digit forms ----------------------


def _printed_key_68(form: str) -> str:
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = key.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
    if form == "powershell7-format-hex":
        rows = ["          Offset Bytes                                           Ascii"]
        for i in range(0, len(der), 16):
            chunk = der[i : i + 16]
            text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
            rows.append(f"{i:016X} " + " ".join(f"{b:02X}" for b in chunk) + "  " + text)
        return "\n".join(rows) + "\n"
    return {
        "dotnet-bitconverter": lambda: "-".join(f"{b:02X}" for b in der),
        "python-hex-dash": lambda: der.hex("-"),
        "python-hex-underscore": lambda: der.hex("_"),
        "python-hex-dot": lambda: der.hex("."),
        "hex-comma": lambda: ",".join(f"{b:02x}" for b in der),
        "od-octal": lambda: "\n".join(
            " " + " ".join(f"{b:03o}" for b in der[i : i + 16]) for i in range(0, len(der), 16)
        ),
        "bare-octal-escapes": lambda: "".join(f"\\{b:03o}" for b in der),
        "decimal-padded": lambda: " ".join(f"{b:03d}" for b in der),
        "masm": lambda: "db " + ",".join(f"0{b:02X}h" for b in der),
        "pascal-dollar": lambda: ",".join(f"${b:02X}" for b in der),
        "bits": lambda: " ".join(f"{b:08b}" for b in der),
        "python-bin-list": lambda: str([bin(b) for b in der]),
    }[form]()


@pytest.mark.parametrize(
    "form",
    [
        "dotnet-bitconverter",
        "python-hex-dash",
        "python-hex-underscore",
        "python-hex-dot",
        "hex-comma",
        "od-octal",
        "bare-octal-escapes",
        "decimal-padded",
        "masm",
        "pascal-dollar",
        "bits",
        "python-bin-list",
        "powershell7-format-hex",
    ],
)
def test_rt68_05_printed_byte_forms(form):
    assert_secret_refused(_printed_key_68(form))


# --- rt68-06: a ColumnTransformer's stored width is not checked on a DataFrame ---------------


def test_rt68_06_column_transformer_frame_width(tmp_path):
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import Ridge
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.pipeline import make_pipeline

    rs = np.random.RandomState(0)
    frame = pd.DataFrame(rs.rand(20, 300), columns=[f"c{i}" for i in range(300)])
    keep = ColumnTransformer([("a", "passthrough", ["c0"])], remainder="drop")
    member = make_pipeline(keep, Ridge()).fit(frame, np.zeros((20, 60_000)))
    model = MultiOutputRegressor(Ridge()).fit(frame[["c0"]], rs.rand(20, 2))
    model.estimators_ = [copy.deepcopy(member) for _ in range(20)]
    assert model.predict(pd.DataFrame({"c0": np.zeros(2)})).shape == (60_000, 2, 20)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    call = "model.predict(__import__('pandas').DataFrame({'c0': numpy.zeros(200)}))"
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt68-07: kneighbors() without X queries every fitted sample -----------------------------


def test_rt68_07_kneighbors_of_the_index(tmp_path):
    from sklearn.neighbors import KNeighborsClassifier

    n = 20_000
    model = KNeighborsClassifier(n_neighbors=16_000, algorithm="brute")
    model.fit(np.zeros((n, 1)), np.arange(n) % 2)
    path = compressed_joblib(tmp_path, model, 20_000)
    joblib_out_of_memory(path, "model.kneighbors()", memory=GB // 2)
    assert_refused_with(path)


# --- rt68-08: a classifier's own label binarizer counts as a transformer of the input ---------


@pytest.mark.parametrize("kind", ["ridge", "mlp"])
def test_rt68_08_honest_many_classes(tmp_path, kind):
    import warnings

    from sklearn.linear_model import RidgeClassifier
    from sklearn.neural_network import MLPClassifier

    classes = 4200
    x = np.random.RandomState(0).rand(classes, 5)
    model = RidgeClassifier() if kind == "ridge" else MLPClassifier((10,), max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (MLP's convergence warning)
        model.fit(x, np.arange(classes))
    assert load_honest(model, tmp_path).predict(x[:3]).shape == (3,)


# --- rt68-09: a Gaussian process's return_cov holds rows x rows x targets --------------------


def test_rt68_09_gpr_return_cov(tmp_path):
    from sklearn.gaussian_process import GaussianProcessRegressor

    model = GaussianProcessRegressor(optimizer=None)
    model.fit(np.array([[0.0], [1.0]]), np.zeros((2, 60_000)))
    assert model.predict(np.zeros((3, 1)), return_cov=True)[1].shape == (3, 3, 60_000)
    path = compressed_joblib(tmp_path, model, 40_000)
    call = "model.predict(numpy.zeros((100, 1)), return_cov=True)"
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt68-10: AdaBoostRegressor.staged_predict is quadratic in its members -------------------


def test_rt68_10_adaboost_staged_quadratic(tmp_path):
    import pickle

    from sklearn.ensemble import AdaBoostRegressor
    from sklearn.tree import DecisionTreeRegressor

    from redteam import PLAIN_JOBLIB_CALL, child

    members = 520  # (past the bound of 500; 800 in the report)
    rs = np.random.RandomState(0)
    model = AdaBoostRegressor(DecisionTreeRegressor(max_depth=1), random_state=0)
    model.fit(rs.rand(60, 1), rs.rand(60))
    stump = pickle.dumps(model.estimators_[0])
    model.estimators_ = [pickle.loads(stump) for _ in range(members)]
    model.estimator_weights_, model.estimator_errors_ = np.ones(members), np.full(members, 0.1)
    path = compressed_joblib(tmp_path, model, 20_000)
    call = "for _ in model.staged_predict(numpy.zeros((1, 1))): pass"  # (~20 s of CPU)
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=1)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)
    assert_refused_with(path)


# --- rt68-11: a linear model's intercept_ as a list -------------------------------------------


@pytest.mark.parametrize("kind", ["logistic", "ridge", "kernel_ridge"])
def test_rt68_11_intercept_as_list(tmp_path, kind):
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.linear_model import LogisticRegression, Ridge

    rs = np.random.RandomState(0)
    x = rs.rand(20, 1)
    n = 100_000
    if kind == "logistic":
        model = LogisticRegression().fit(x, np.arange(20) % 2)
        model.intercept_ = [0.0] * n
        call = "model.decision_function(numpy.zeros((4000, 1)))"
    elif kind == "ridge":
        model = Ridge().fit(x, rs.rand(20))
        model.coef_, model.intercept_ = np.zeros((1, 1)), tuple([0.0] * n)
        call = "model.predict(numpy.zeros((4000, 1)))"
    else:
        model = KernelRidge().fit(np.array([[0.0], [1.0]]), rs.rand(2))
        row = [0.0] * n
        model.dual_coef_ = [row, row]  # (K @ dual_coef_: (rows, n))
        assert model.predict(np.zeros((2, 1))).shape == (2, n)
        call = "model.predict(numpy.zeros((4000, 1)))"
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "logistic":  # (the harm shown once: 4,000 x 100,000, 3.2 GB)
        joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt68-12: a Gaussian process's log_marginal_likelihood over its fitted samples ------------


def test_rt68_12_gpr_log_marginal_likelihood(tmp_path):
    from sklearn.gaussian_process import GaussianProcessRegressor

    n = 30_000
    model = GaussianProcessRegressor(optimizer=None)
    model.fit(np.array([[0.0], [1.0]]), np.array([0.0, 1.0]))
    model.X_train_, model.y_train_, model.alpha_ = np.zeros((n, 1)), np.zeros(n), np.zeros(n)
    path = compressed_joblib(tmp_path, model, 20_000)
    call = "model.log_marginal_likelihood(model.kernel_.theta)"
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt68-13: rt68-12's file without L_ --------------------------------------------------------


def test_rt68_13_gpr_without_factor(tmp_path):
    from sklearn.gaussian_process import GaussianProcessRegressor

    n = 30_000
    model = GaussianProcessRegressor(optimizer=None)
    model.fit(np.array([[0.0], [1.0]]), np.array([0.0, 1.0]))
    model.X_train_, model.y_train_, model.alpha_ = np.zeros((n, 1)), np.zeros(n), np.zeros(n)
    del model.L_  # (predict's mean and log_marginal_likelihood never read it)
    assert model.predict(np.zeros((2, 1))).shape == (2,)
    path = compressed_joblib(tmp_path, model, 20_000)
    call = "model.log_marginal_likelihood(model.kernel_.theta)"
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt68-14: return_cov's targets from _y_train_std, not y_train_ ------------------------------


def test_rt68_14_gpr_cov_by_train_std(tmp_path):
    from sklearn.gaussian_process import GaussianProcessRegressor

    model = GaussianProcessRegressor(optimizer=None)
    model.fit(np.array([[0.0], [1.0]]), np.array([0.0, 1.0]))
    model.alpha_ = model.alpha_[:, None]
    model._y_train_std, model._y_train_mean = np.ones(60_000), np.zeros(60_000)
    assert model.predict(np.zeros((3, 1)), return_cov=True)[1].shape == (3, 3, 60_000)
    path = compressed_joblib(tmp_path, model, 40_000)
    call = "model.predict(numpy.zeros((100, 1)), return_cov=True)"
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt68-15: a kernel predictor's fitted samples as a list -----------------------------------


def test_rt68_15_kernel_samples_as_list(tmp_path):
    from sklearn.kernel_ridge import KernelRidge

    n = 100_000
    model = KernelRidge().fit(np.array([[0.0], [1.0]]), np.array([0.0, 1.0]))
    model.X_fit_, model.dual_coef_ = [[0.0]] * n, np.zeros(n)
    assert model.predict(np.zeros((2, 1))).shape == (2,)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    joblib_out_of_memory(path, "model.predict(numpy.zeros((4000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt68-16: the coder's dictionary as a list skips the Gram bound ----------------------------


def test_rt68_16_coder_dictionary_as_list(tmp_path):
    from sklearn.decomposition import SparseCoder

    model = SparseCoder([[0.0] * 4] * 16_384)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    joblib_out_of_memory(path, "model.transform(numpy.zeros((1, 4)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt68-17: more printed forms past the working tree's rt68-05 fix ---------------------------


def _printed_key_68b(form: str) -> str:
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = key.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
    return {
        "python-oct-list": lambda: str([oct(b) for b in der]),
        "decimal-dash": lambda: "-".join(str(b) for b in der),
        "decimal-dot": lambda: ".".join(str(b) for b in der),
        "x-prefix": lambda: " ".join(f"x{b:02x}" for b in der),
        "verilog": lambda: ", ".join(f"8'h{b:02x}" for b in der),
        "bits-joined": lambda: "".join(f"{b:08b}" for b in der),
    }[form]()


@pytest.mark.parametrize(
    "form",
    ["python-oct-list", "decimal-dash", "decimal-dot", "x-prefix", "verilog", "bits-joined"],
)
def test_rt68_17_more_printed_forms(form):
    assert_secret_refused(_printed_key_68b(form))


# --- the honest models beside the new bounds ---------------------------------------------------


@functools.cache
def _honest_68() -> dict[str, Any]:
    """Honest fits next to each bound this round added: components with a column per input
    feature, Gram components, fitted samples times neighbours, Gaussian-process targets and
    factor, AdaBoostRegressor members, arrays in arithmetic (a float intercept, a sparse
    coef_), a classifier's label binarizer and a frame's column transformer."""
    import warnings

    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import NMF, PCA, FactorAnalysis, SparseCoder
    from sklearn.ensemble import AdaBoostRegressor
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.linear_model import LinearRegression, SGDClassifier
    from sklearn.manifold import Isomap
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline

    rs = np.random.RandomState(0)
    x, y = rs.rand(200, 12), rs.randint(0, 3, 200)
    frame = pd.DataFrame(x, columns=[f"c{i}" for i in range(12)])
    keep = ColumnTransformer([("a", "passthrough", ["c0", "c3"])], remainder="drop")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sgd = SGDClassifier(max_iter=5).fit(x, y)
        sgd.sparsify()
        return {
            "pca": PCA(5).fit(x),
            "factor_analysis": FactorAnalysis(4).fit(x),
            "nmf": NMF(20, max_iter=20).fit(x),
            "coder": SparseCoder(rs.rand(30, 12)),
            "knn": KNeighborsClassifier(15).fit(x, y),
            "gpr": GaussianProcessRegressor().fit(x[:50], rs.rand(50, 3)),
            "adaboost": AdaBoostRegressor(n_estimators=100, random_state=0).fit(x, rs.rand(200)),
            "no_intercept": LinearRegression(fit_intercept=False).fit(x, rs.rand(200)),
            "sparse_coef": sgd,
            "isomap": Isomap(n_neighbors=5, n_components=2).fit(x),
            "frame": make_pipeline(keep, LinearRegression()).fit(frame, rs.rand(200)),
        }


@pytest.mark.parametrize(
    "kind",
    [
        "pca",
        "factor_analysis",
        "nmf",
        "coder",
        "knn",
        "gpr",
        "adaboost",
        "no_intercept",
        "sparse_coef",
        "isomap",
        "frame",
    ],
)
def test_rt68_honest_beside_the_bounds(tmp_path, kind):
    model = _honest_68()[kind]
    loaded = load_honest(model, tmp_path, ["pandas"] if kind == "frame" else ())
    x = np.random.RandomState(1).rand(3, 12)
    if kind == "frame":
        import pandas as pd

        x = pd.DataFrame(x, columns=[f"c{i}" for i in range(12)])
    if kind == "gpr":
        assert loaded.predict(x, return_cov=True)[1].shape == (3, 3, 3)
    elif kind == "knn":
        assert loaded.kneighbors()[1].shape == (200, 15)
    elif kind == "adaboost":
        assert len(list(loaded.staged_predict(x))) == 100
    elif hasattr(loaded, "transform"):
        assert loaded.transform(x).shape[0] == 3
    else:
        assert loaded.predict(x).shape == (3,)


# --- the new bounds, as a scan of the bytes sees them ------------------------------------------


def _bounded_68(kind: str) -> Any:
    """One model past each bound this round added, pickled as bytes: a scan reads the classes
    as facts, not as the classes themselves (a first version of the bounds tested the class's
    ``__module__``, which a scan's facts do not have, and scanned these SAFE)."""
    import warnings

    from sklearn.decomposition import NMF, PCA
    from sklearn.ensemble import AdaBoostRegressor
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    rs = np.random.RandomState(0)
    m: Any
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "components":
            m = PCA(1).fit(rs.rand(40, 1))
            m.components_ = np.zeros((1, 20_000))
        elif kind == "gram":
            m = NMF(2, max_iter=5).fit(rs.rand(40, 4))
            m.components_, m._n_components = np.zeros((16_384, 4)), 16_384
        elif kind == "stages":
            m = AdaBoostRegressor(n_estimators=3).fit(rs.rand(20, 1), rs.rand(20))
            m.estimators_ = [copy.deepcopy(m.estimators_[0]) for _ in range(600)]
            m.estimator_weights_, m.estimator_errors_ = np.ones(600), np.full(600, 0.1)
        elif kind == "list_intercept":
            m = LogisticRegression().fit(rs.rand(20, 1), np.arange(20) % 2)
            m.intercept_ = [0.0] * 1000
        elif kind == "targets":
            m = GaussianProcessRegressor(optimizer=None)
            m.fit(np.array([[0.0], [1.0]]), np.zeros((2, 600)))
        else:
            m = KNeighborsClassifier(n_neighbors=2_000)
            m.fit(np.zeros((20_000, 1)), np.arange(20_000) % 2)
    return m


@pytest.mark.parametrize(
    "kind", ["components", "gram", "stages", "list_intercept", "targets", "self_neighbours"]
)
def test_rt68_bounds_scan_as_load(tmp_path, kind):
    import pickle

    from redteam import assert_scan_predicts_load

    data = pickle.dumps(_bounded_68(kind), protocol=5)
    assert_scan_predicts_load(data, tmp_path, refused=True)
