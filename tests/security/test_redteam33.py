"""Red team 33 (an independent helper session from 06:51 UTC on 55efc9b): its reproducers,
kept as written. Each test first shows the harm under plain pickle in a child process under
resource limits, then asserts what safeload should do: refuse, in scan and in load_unsigned
(or, for the parity findings, that scan's verdict equals load's). All failed on 55efc9b. The
critical ones except the upstream warm-start bug (rt33-20) are fixed, and rt33-06, 14, 16,
17 and 18; the rest are strict xfails (``OPEN``) until fixed."""

from __future__ import annotations

import pickle
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    PLAIN_CALL,
    assert_safeload_refuses,
    assert_scan_predicts_load,
    binunicode,
    child,
    global_,
    maxrss,
    open_finding,
    until_crash,
    write,
)

OPEN = partial(open_finding, 33)
_child = partial(child, cpu=20)
_assert_safeload_refuses = partial(assert_safeload_refuses, cpu=20)


def _csr_wide(rows: int, width: int) -> Any:
    """``rows`` rows of one stored value each, ``width`` columns (rt32-01's _fit_X)."""
    import scipy.sparse as sp

    return sp.csr_matrix(
        (np.ones(rows), np.arange(rows, dtype=np.int32), np.arange(rows + 1, dtype=np.int32)),
        shape=(rows, width),
    )


# --- rt33-01: a neighbours estimator without n_features_in_ has no width rule (critical) ----------


def _rt33_01_pipeline() -> bytes:
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = np.random.RandomState(0).rand(20, 3), np.arange(20) % 2
    knn = KNeighborsClassifier(n_neighbors=1, algorithm="brute", metric="manhattan")
    pipe = make_pipeline(StandardScaler(), knn).fit(X, y)
    knn._fit_X = _csr_wide(20, 2**24)
    del knn.n_features_in_  # check_neighbors compares _fit_X's width only when it is there
    return pickle.dumps(pipe, protocol=5)


def test_rt33_01_neighbours_without_n_features_in(tmp_path: Path) -> None:
    """1.7 KB: rt32-01 again, with the neighbours step's ``n_features_in_`` deleted.
    check_neighbors holds ``_fit_X``'s width to ``n_features_in_`` only when the attribute
    exists, and without it scikit-learn's ``validate_data(reset=False)`` checks no width
    either. The pipeline's scaler says 3 columns; KNeighborsClassifier.predict hands the
    (2, 3) query and a (20, 2**24) CSR ``_fit_X`` to ArgKminClassMode, which reads 2**24
    floats per query row: SIGSEGV (plain pickle and load_unsigned alike, both builds).
    NearestNeighbors.kneighbors, KNeighborsRegressor, RadiusNeighbors*, LocalOutlierFactor,
    Isomap's and LabelSpreading's inner NearestNeighbors alike."""
    path = write(tmp_path, _rt33_01_pipeline())
    call = "r = model.predict(numpy.ones((2, 3)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-02: effective_metric_ = "precomputed" skips the width rule; predict uses metric --------


def test_rt33_02_effective_metric_precomputed(tmp_path: Path) -> None:
    """1.3 KB: check_neighbors skips the ``_fit_X`` width check when ``effective_metric_`` is
    "precomputed". KNeighborsClassifier.predict/predict_proba (and RadiusNeighborsClassifier)
    choose the native ArgKminClassMode path from ``self.metric`` ("manhattan"), not
    ``effective_metric_``, so a 2**24-wide CSR ``_fit_X`` beside ``n_features_in_ = 3`` is
    read 2**24 floats per query row: SIGSEGV on predict(2 rows of 3), plain pickle and
    load_unsigned alike (both builds)."""
    import scipy.sparse as sp
    from sklearn.neighbors import KNeighborsClassifier

    X, y = sp.csr_matrix(np.random.RandomState(0).rand(20, 3) + 1), np.arange(20) % 2
    m = KNeighborsClassifier(n_neighbors=1, algorithm="brute", metric="manhattan").fit(X, y)
    m._fit_X = _csr_wide(20, 2**24)
    m.effective_metric_ = "precomputed"
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.predict(numpy.ones((2, 3)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-03: classes_ as a list of one array: the label rule and the vote disagree (critical) ----


def test_rt33_03_knn_classes_as_a_list_of_one(tmp_path: Path) -> None:
    """1.9 KB: check_neighbors bounds ``_y`` by ``len(classes_[k])`` when ``classes_`` is a
    list (the multi-output form), and a 1-D ``_y`` is one output, so ``classes_ = [array of
    N]`` with ``outputs_2d_ = False`` passes with labels up to N - 1. predict_proba passes
    ``unique_Y_labels = arange(len(classes_))`` = ``arange(1)`` to ArgKminClassMode, whose
    class scores are (n_queries, 1), and adds each vote at ``class_scores[i][_y[j]]``: with
    N = 3 the last rows write past the buffer and glibc aborts ("corrupted size vs.
    prev_size"); with N = 10**6 and 20,000 queries SIGSEGV. Plain pickle and load_unsigned
    alike (both builds)."""
    from sklearn.neighbors import KNeighborsClassifier

    X, y = np.random.RandomState(0).rand(40, 3), np.arange(40) % 2
    m = KNeighborsClassifier(n_neighbors=1, algorithm="brute", metric="manhattan").fit(X, y)
    m.classes_ = [np.zeros(3, dtype=np.int8)]
    m._y = np.full(40, 2, dtype=np.intp)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.predict_proba(numpy.random.rand(4, 3))"
    plain = until_crash(lambda: _child(PLAIN_CALL.format(call=call), path, fresh=True))
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-04: effective_metric_params_ carries the centers' norms (critical) ---------------------


def test_rt33_04_neighbours_y_norm_squared(tmp_path: Path) -> None:
    """16 MB (a model of 4M one-feature float32 samples; the smaller the heap the smaller it
    needs to be): NearestNeighbors.kneighbors passes ``effective_metric_params_`` to
    ArgKmin as ``metric_kwargs``, and EuclideanArgKmin takes ``Y_norm_squared`` from it with
    no length check (Birch's ``_subcluster_norms``, rt18-05, the same read). check_neighbors
    looks only at ``VI``, ``V`` and ``w``: a 1-item ``Y_norm_squared`` is read once per
    sample, 32 MB past the buffer: SIGSEGV on kneighbors(4 rows), plain pickle and
    load_unsigned alike (both builds). ``X_norm_squared`` alike, per query row."""
    from sklearn.neighbors import NearestNeighbors

    n = 4_000_000
    m = NearestNeighbors(n_neighbors=1, algorithm="brute", metric="euclidean")
    m.fit(np.random.RandomState(0).rand(20, 1).astype(np.float32))
    m._fit_X = np.ones((n, 1), dtype=np.float32)
    m.n_samples_fit_ = n
    m.effective_metric_params_ = {"Y_norm_squared": np.zeros(1)}
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.kneighbors(numpy.random.rand(4, 1).astype(numpy.float32))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-05: a column transformer's template text times 2**20 unpaid columns -----------------


def _rt33_05_column_transformer(layers: int) -> bytes:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    width = 2**20  # the unpaid width (MAX_EMPTY_DIM): n_features_in_ needs no stored array
    template = "A" * 980 + "{feature_name}"  # each field once, 994 characters: accepted
    steps = [
        (
            f"c{i}",
            ColumnTransformer(
                [("a", "passthrough", slice(0, width))], verbose_feature_names_out=template
            ),
        )
        for i in range(layers)
    ]
    pipe = Pipeline(steps).fit(np.zeros((1, width), dtype=np.float32))
    for _, ct in pipe.steps:
        # names are feature_names_in[indices]: a slice indexes as well as 2**20 stored ints
        ct._transformer_to_input_indices = {"a": slice(None), "remainder": slice(0, 0)}
    return pickle.dumps(pipe, protocol=5)


def test_rt33_05_column_transformer_template_text(tmp_path: Path) -> None:
    """1.9 KB: check_name_template allows 1,000 characters of literal text around the two
    fields, and ``n_features_in_`` up to 2**20 needs no stored data; a pass-through column
    transformer with ``_transformer_to_input_indices`` a slice writes 2**20 names of ~990
    characters: get_feature_names_out() takes 1.3 GB RSS (~700,000 bytes per file byte).
    Each further ColumnTransformer in a Pipeline adds 980 characters to every name (3 layers,
    2.3 KB: MemoryError under 3 GiB); ``set_output(transform='pandas')`` makes transform call
    it."""
    path = write(tmp_path, _rt33_05_column_transformer(1))
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 1000, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-06: the composite width rule counts only bare pass-through branches -----------------


@pytest.mark.parametrize("form", ["wrapped", "no width"])
def test_rt33_06_unions_of_passthroughs_the_width_rule_misses(form: str, tmp_path: Path) -> None:
    """~5-6 KB: rt32-13's pipeline of 20 unions of two pass-throughs then one of 64.
    "wrapped": every branch ``Pipeline([("p", "passthrough")])`` instead of "passthrough":
    check_composite_width counts a branch only if it is the string or an identity
    FunctionTransformer, and the pipeline stores no n_features_in_ either. "no width": fit's
    own identity FunctionTransformers with their ``n_features_in_`` deleted (transform does
    not need it): the widest known input is then 0, so each counts 0 columns. Either way
    transform of one row of one column returns (1, 2**26): 512 MB per 8-byte input row, both
    builds."""
    from sklearn.pipeline import FeatureUnion, Pipeline

    def branch() -> Any:
        return Pipeline([("p", "passthrough")]) if form == "wrapped" else "passthrough"

    steps = [(f"u{i}", FeatureUnion([("p0", branch()), ("p1", branch())])) for i in range(20)]
    steps.append(("last", FeatureUnion([(f"p{j}", branch()) for j in range(64)])))
    pipe = Pipeline(steps).fit(np.ones((1, 1)))
    if form == "no width":
        for _, union in pipe.steps:
            for _, identity in union.transformer_list:
                del identity.n_features_in_
    path = write(tmp_path, pickle.dumps(pipe, protocol=5))
    call = "r = model.transform(numpy.ones((1, 1)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 500, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-07: TargetEncoder's names are features x classes of 1,024-character names -----------


def test_rt33_07_target_encoder_features_times_classes(tmp_path: Path) -> None:
    """180 KB: the rt32-04 fix caps each name at 1,024 characters, but TargetEncoder writes
    every feature name once per class: 64 names of 1,024 characters and ``classes_`` of
    100,000 one-byte labels (nothing ties them to ``encodings_``, which keeps its 64 x 3
    arrays) make 6.4M names of ~1 KB: 7 GB, MemoryError under 1 GiB (~40,000 bytes per file
    byte; quadratic in the file's size)."""
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    m = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 64)), rng.randint(0, 3, 60))
    assert m.target_type_ == "multiclass"
    m.feature_names_in_ = np.array([f"{i:04d}" + "f" * 1020 for i in range(64)], dtype=object)
    m.classes_ = np.zeros(100_000, dtype=np.uint8)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.get_feature_names_out()"
    # (under 512 MiB, not 1 GiB: the same MemoryError of 7 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-08: names from another step times one-byte categories --------------------------------


def test_rt33_08_pipeline_names_times_int8_categories(tmp_path: Path) -> None:
    """4 MB: rt32-04's pipeline form after the 1,024-character cap. The scaler's four names of
    1,024 characters go into a OneHotEncoder (fitted on an array: own names "x0".."x3", so
    check_one_hot_names measures 3 characters per category) whose ``categories_`` are four
    int8 arrays of 10**6 (duplicates: nothing checks them unique); get_feature_names_out()
    writes 4M names of ~1 KB: 4 GB, MemoryError under 1 GiB (~1,000 bytes per file byte;
    an honest int64 category costs 8 bytes, so 128x is the honest ratio)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    scaler = StandardScaler().fit(np.random.RandomState(0).rand(5, 4))
    scaler.feature_names_in_ = np.array([f"{i:02d}" + "f" * 1022 for i in range(4)], dtype=object)
    enc = OneHotEncoder().fit(np.array([[0] * 4, [1] * 4], dtype=np.int8))
    enc.categories_ = [np.zeros(10**6, dtype=np.int8) for _ in range(4)]
    enc._n_features_outs = [10**6] * 4
    path = write(tmp_path, pickle.dumps(Pipeline([("s", scaler), ("o", enc)]), protocol=5))
    call = "r = model.get_feature_names_out()"
    # (under 512 MiB, not 1 GiB: the same MemoryError of 4 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-09: scan calls safe an index map it cannot build (non-str keys) ------------------------


@pytest.mark.parametrize("keys", ["int", "numpy int", "tuple"])
def test_rt33_09_index_map_with_keys_that_are_not_str(keys: str, tmp_path: Path) -> None:
    """~500 B: the shadow builder turns a dict with non-str keys into ``Unknown``, and
    check_index_maps skips an ``Unknown`` ("a load checks the real one"), so scan calls a
    MultiLabelBinarizer whose ``_cached_dict`` is ``{0: 0, 1: 2**31 - 1}`` (what fit writes
    for integer labels, with one column number changed) safe; load refuses it. Under plain
    pickle ``transform([[1]])`` writes at column 2**31 - 1: SIGSEGV (rt32-11's payload in
    the form scan cannot see). CountVectorizer's ``vocabulary_`` alike."""
    from sklearn.preprocessing import MultiLabelBinarizer

    make = {"int": int, "numpy int": np.int64, "tuple": lambda k: (k,)}[keys]
    labels = [[make(0), make(1)], [make(1)]]
    m = MultiLabelBinarizer().fit(labels)
    m._cached_dict = {make(0): 0, make(1): 2**31 - 1}
    data = pickle.dumps(m, protocol=2)
    path = write(tmp_path, data)
    if keys == "int":
        plain = _child(PLAIN_CALL.format(call="r = model.transform([[1]])"), path)
        assert plain.crashed, str(plain)
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt33-10: a sparse coef_ is held to no width; CSR columns cost nothing -----------------------


def test_rt33_10_sparse_coef_densify(tmp_path: Path) -> None:
    """1.1 KB: check_linear_shapes compares only ndarray coefficients with n_features_in_, so
    after ``sparsify()`` a CSR ``coef_`` may be (1, 2**31 - 1) with one stored value (a CSR
    matrix pays for its rows, never its columns; the empty-matrix rule needs nnz == 0).
    ``densify()`` (SparseCoefMixin: SGD*, LogisticRegression, Perceptron, LinearSVC, ...)
    asks for 16 GB (MemoryError under 3 GiB; untouched zero pages without a limit, which
    ``sparsify()`` then reads through). Rows multiply it too: 400 classes of 2**20 columns
    (n_features_in_ = 2**20 needs no stored data) are 3.3 GB from 12 KB."""
    import scipy.sparse as sp
    from sklearn.linear_model import SGDClassifier

    X = np.random.RandomState(0).rand(20, 3)
    m = SGDClassifier(max_iter=5, tol=None).fit(X, (X[:, 0] > 0.5).astype(int)).sparsify()
    indptr = np.array([0, 1], dtype=np.int32)
    m.coef_ = sp.csr_matrix((np.ones(1), np.zeros(1, np.int32), indptr), shape=(1, 2**31 - 1))
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "model.densify()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-11 (low): call forms scan and load still judge differently ---------------------------


_g, _u = global_, binunicode  # GLOBAL and BINUNICODE, short for the tables below


_CALLS = {
    # scan SAFE, load refuses (the call, or NEWOBJ on a narrowed stand-in, fails)
    "NEWOBJ Decimal('1')": _g("decimal", "Decimal") + _u("1") + b"\x85\x81.",
    "NEWOBJ tuple()": _g("builtins", "tuple") + b")\x81.",
    "NEWOBJ set()": _g("builtins", "set") + b")\x81.",
    "NEWOBJ bytes()": _g("builtins", "bytes") + b")\x81.",
    "dict((1, 2))": _g("builtins", "dict") + b"K\x01K\x02\x86\x85R.",
    "dict({}, {})": _g("builtins", "dict") + b"}}\x86R.",
    "defaultdict([])": _g("collections", "defaultdict") + b"]\x85R.",
    "defaultdict(None, 5)": _g("collections", "defaultdict") + b"NK\x05\x86R.",
    "complex(2**1024)": _g("builtins", "complex") + b"\x8a\x81" + b"\x00" * 128 + b"\x01\x85R.",
    "bytes('\\u0100', 'latin1')": _g("builtins", "bytes") + _u("\u0100") + _u("latin1") + b"\x86R.",
    "set([[]])": _g("builtins", "set") + b"]]a\x85R.",
    # scan UNSAFE, load returns the value
    "list({1: 2})": _g("builtins", "list") + b"}K\x01K\x02s\x85R.",
}


@pytest.mark.parametrize("name", sorted(_CALLS))
def test_rt33_11_call_forms_scan_equals_load(name: str, tmp_path: Path) -> None:
    """27 B or less each (rt32-09 fixed the forms it listed, not these). Harmless, but a
    refusal must be predicted and a value the load returns must scan safe."""
    data = b"\x80\x02" + _CALLS[name]
    assert_scan_predicts_load(data, tmp_path)


# --- rt33-12: an SVC without classes_ is checked as a regressor (critical) ---------------------


def test_rt33_12_sparse_svc_without_classes(tmp_path: Path) -> None:
    """2.2 MB (a sparse SVC of 50,000 support vectors; 20,000 crash too): check_svm picks its
    rules by ``classes_``: without it, the model is held to the regressors' form, where
    ``_n_support`` may be ``[n_sv, n_sv]``. libsvm takes the kind from ``_impl`` ("c_svc")
    and walks the second class's support vectors from offset n_sv, past the array of node
    pointers; scikit-learn's own check (n_support_ sums to the support vectors, the fix of
    CVE-2020-28975) runs only for dense models. decision_function (and predict) on 4 honest
    sparse rows: SIGSEGV, before scikit-learn notices ``classes_`` is missing; plain pickle
    and load_unsigned alike (both builds). NuSVC alike."""
    import scipy.sparse as sp
    from sklearn.svm import SVC

    n = 50_000
    X = sp.csr_matrix(np.random.RandomState(0).rand(400, 2))
    m = SVC(kernel="rbf", C=0.01).fit(X, (X.toarray()[:, 0] > 0.5).astype(int))
    m.support_ = np.arange(n, dtype=np.int32)
    m.support_vectors_ = sp.csr_matrix(np.ones((n, 2)))
    m._dual_coef_ = m.dual_coef_ = sp.csr_matrix(np.full((1, n), 0.5))
    m.shape_fit_ = (n, 2)
    del m.classes_
    m._n_support = np.array([n, n], dtype=np.int32)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.decision_function(scipy.sparse.csr_matrix(numpy.random.rand(4, 2)))"
    plain = _child("import scipy.sparse\n" + PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(
        path, call.replace("scipy.sparse.", "__import__('scipy.sparse').sparse.")
    )


# --- rt33-13: PolynomialFeatures names: outputs times 1,024-character input names ----------------


def test_rt33_13_polynomial_names_of_long_feature_names(tmp_path: Path) -> None:
    """3.5 KB: PolynomialFeatures(degree=200) on 3 features (accepted: degree <= 1,000 and
    1.37M outputs <= 2**24) with three 1,024-character names. get_feature_names_out joins
    up to three names per output: ~4 GB of names (MemoryError under 1 GiB here, 3 GiB in
    10 s), while ``powers_`` is only 33 MB and transform of one row 11 MB. rt32-10's
    residual is outputs x features ints; this is outputs x the name cap, ~10**6 bytes per
    file byte. The test uses degree 120 (302,620 outputs, 0.9 GB of names from the same
    3.5 KB; MemoryError under 512 MiB): building ``powers_``, which the names need first,
    takes most of the call's time, and this many outputs build it in a fifth of it."""
    from sklearn.preprocessing import PolynomialFeatures

    m = PolynomialFeatures(degree=120, include_bias=False).fit(np.ones((1, 3)))
    m.feature_names_in_ = np.array([f"{i:04d}" + "f" * 1020 for i in range(3)], dtype=object)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-14: _n_features_out is bounded only when n_features_in_ is there ---------------------


def test_rt33_14_n_features_out_without_n_features_in(tmp_path: Path) -> None:
    """522 B: check_linear_shapes bounds a stored ``_n_features_out`` by the stored elements
    (rt31-02) only after ``if n_in is None: return``. RBFSampler without ``n_features_in_``
    and ``_n_features_out = 10**8``: get_feature_names_out() makes 10**8 names
    "rbfsampler0".. (MemoryError under 2 GiB; ~8 GB; 10**9 is 80 GB from the same 522 B).
    Nystroem, SkewedChi2Sampler, random projections, LDA, PLS, Isomap, LLE, Birch, k-means,
    RBM, RandomTreesEmbedding (a stored ``_n_features_out``) alike."""
    from sklearn.kernel_approximation import RBFSampler

    m = RBFSampler(n_components=5, random_state=0).fit(np.random.RandomState(0).rand(10, 3))
    del m.n_features_in_
    m._n_features_out = 10**8
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)  # the same, sooner
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-15: one stored array pays for the width of every estimator that refers to it ----------


def test_rt33_15_one_array_pays_for_many_widths(tmp_path: Path) -> None:
    """10 MB: _stored_elements counts an array once per estimator (rt32-03), but each
    estimator is counted on its own: eight StandardScalers in a FeatureUnion, each with
    ``n_features_in_ = 10**7`` and a spare attribute referring to the same 10 MB uint8 array,
    all pass. get_feature_names_out() makes 8 x 10**7 prefixed names (~6 GB, MemoryError
    under 1 GiB); the names grow with the number of estimators (~300 bytes of file each),
    so 100 of them would be ~75 GB from the same 10 MB."""
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    shared = np.zeros(10**7, dtype=np.uint8)
    steps = []
    for i in range(8):
        s = StandardScaler().fit(np.random.RandomState(0).rand(5, 3))
        s.n_features_in_ = 10**7
        s.junk_ = shared
        steps.append((f"s{i}", s))
    path = write(tmp_path, pickle.dumps(FeatureUnion(steps), protocol=5))
    call = "r = model.get_feature_names_out()"
    # (under 512 MiB, not 1 GiB: the same MemoryError of ~6 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-16: n_neighbors past the stored samples sizes ArgKminClassMode's heaps ------------------


def test_rt33_16_n_neighbors_past_the_samples(tmp_path: Path) -> None:
    """1.2 KB, as fit writes it: KNeighborsClassifier(n_neighbors=2 * 10**8) fitted on 20
    samples (fit does not compare them; kneighbors refuses k > n_samples_fit_, but the
    predict/predict_proba fast path hands ``k=self.n_neighbors`` to ArgKminClassMode without
    that check). predict_proba of one row allocates heaps of k distances and indexes:
    3.2 GB per query row (3.2 GB RSS, or MemoryError under a tighter limit). Like rt32-07's draw
    counts, a k larger than the stored samples is only a number in the file."""
    from sklearn.neighbors import KNeighborsClassifier

    X, y = np.random.RandomState(0).rand(20, 3), np.arange(20) % 2
    m = KNeighborsClassifier(n_neighbors=200_000_000, algorithm="brute", metric="manhattan")
    path = write(tmp_path, pickle.dumps(m.fit(X, y), protocol=5))
    call = "r = model.predict_proba(numpy.random.rand(1, 3))"
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB)
    assert "call MemoryError" in plain.stdout or maxrss(plain.stdout) > 1500, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-17: IsolationForest's draw count under the bagging exemption ---------------------------


def test_rt33_17_isolation_forest_max_samples_exemption(tmp_path: Path) -> None:
    """6.3 KB: check_draw_count lets ``_max_samples`` exceed ``_n_samples`` when it equals an
    int ``max_samples``, because BaggingClassifier 1.9 keeps such a count (rt32-07). The
    rule is registered for BaseBagging, so it covers IsolationForest too, whose fit clamps
    ``max_samples`` to the training set (with a warning): an IsolationForest(bootstrap=True)
    with ``max_samples = _max_samples = 10**9`` and 20 samples is never written by fit.
    ``estimators_samples_`` (and ``_repr_html_``'s fitted-attribute table) draws 10**9
    indexes per tree: 8 GB each (MemoryError under 3 GiB)."""
    from sklearn.ensemble import IsolationForest

    X = np.random.RandomState(0).rand(20, 3)
    m = IsolationForest(n_estimators=2, bootstrap=True, random_state=0).fit(X)
    m.max_samples = m._max_samples = 10**9
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "s = model.estimators_samples_"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-18: a spare transformers_ attribute hides a FeatureUnion's branches ---------------------


def test_rt33_18_feature_union_with_a_spare_transformers_attribute(tmp_path: Path) -> None:
    """6.7 KB: rt32-13's own reproducer plus ``transformers_ = []`` on every FeatureUnion.
    check_composite_width reads ``transformers_`` first (the ColumnTransformer's fitted
    list), then ``transformers``, then ``transformer_list``; a FeatureUnion never reads
    ``transformers_``, so an empty one there hides its 2 and 64 bare pass-throughs. transform
    of one row of one column returns (1, 2**26): 512 MB per 8-byte input row, both builds."""
    from sklearn.pipeline import FeatureUnion, Pipeline

    steps = [
        (f"u{i}", FeatureUnion([("p0", "passthrough"), ("p1", "passthrough")])) for i in range(20)
    ]
    steps.append(("last", FeatureUnion([(f"p{j}", "passthrough") for j in range(64)])))
    pipe = Pipeline(steps).fit(np.ones((1, 1)))
    for _, union in pipe.steps:
        union.transformers_ = []
    path = write(tmp_path, pickle.dumps(pipe, protocol=5))
    call = "r = model.transform(numpy.ones((1, 1)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 500, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-19: a bin mapper's is_categorical_ may be None: a NULL memoryview (critical) ----------


def test_rt33_19_bin_mapper_is_categorical_none(tmp_path: Path) -> None:
    """~3 KB: check_bin_mapper accepts ``is_categorical_ is None``. ``_BinMapper.transform``
    (here as a Pipeline step; any _BinMapper the model holds) passes it to the native
    ``_map_to_bins`` as ``const uint8_t[::1] is_categorical``: Cython lets None through as a
    memoryview with a NULL buffer (scikit-learn compiles without initializedcheck), and
    ``is_categorical[feature_idx]`` reads address 0: SIGSEGV on transform(4 honest rows),
    plain pickle and load_unsigned alike, both builds."""
    from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("bins", _BinMapper())]).fit(np.random.RandomState(0).rand(100, 3))
    pipe[0].is_categorical_ = None
    path = write(tmp_path, pickle.dumps(pipe, protocol=5))
    call = "r = model.transform(numpy.random.rand(4, 3))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt33-20: warm_start=True hands the stored coef_ to coordinate descent unchecked -------------


def test_rt33_20_elastic_net_warm_start_refit_on_wider_data(tmp_path: Path) -> None:
    """~700 B, as scikit-learn writes it (an upstream bug any file can switch on):
    ElasticNet(warm_start=True) fitted on 3 features. ``fit`` on a new, wider data set passes
    the stored ``coef_[k]`` (3 values) as ``coef_init`` to ``enet_path``, which takes it
    without a shape check, and the native ``enet_coordinate_descent`` reads and writes
    ``w[ii]`` for every one of the new data's features: SIGSEGV (plain pickle and
    load_unsigned alike, both builds). Lasso and the other coordinate-descent linear models
    with ``warm_start`` alike. The writes past ``w`` fault in a fresh interpreter's heap; in
    a fork of the zygote (a larger heap) they land in mapped memory and the child spins to
    its CPU limit instead, so the plain child is a fresh interpreter."""
    from sklearn.linear_model import ElasticNet

    X = np.random.RandomState(0).rand(50, 3)
    m = ElasticNet(warm_start=True, alpha=1e-4).fit(X, X[:, 0])
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "X = numpy.random.rand(50, 200_000)\n    model.fit(X, X[:, 0])"
    plain = until_crash(lambda: _child(PLAIN_CALL.format(call=call), path, fresh=True))
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)
