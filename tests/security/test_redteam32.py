"""Red team 32 (an independent helper session, 05:57:52-06:42:52 UTC on 6ca8fea): its
reproducers, kept as written. Each test first shows the harm under plain pickle in a child
process under resource limits, then asserts what safeload should do: refuse, in scan and in
load_unsigned (or, for the call forms, that scan and load agree). All failed on 6ca8fea; the
two findings not fixed yet are strict xfails (``OPEN``)."""

from __future__ import annotations

import pickle
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from redteam import (
    GB,
    PLAIN_CALL,
    assert_safeload_refuses,
    assert_scan_predicts_load,
    child,
    maxrss,
    open_finding,
    refused,
    write,
)

OPEN = partial(open_finding, 32)
_child = partial(child, cpu=20)
_assert_safeload_refuses = partial(assert_safeload_refuses, cpu=20)


# --- rt32-01: a sparse _fit_X is held to nothing (critical) -------------------------------------
# check_neighbors compares _fit_X with n_features_in_ and with _y only when _fit_X is an ndarray.
# A CSR _fit_X (what fit stores for sparse input) can be wider than the data, or have more rows
# than _y, and scikit-learn's native brute-force reductions index by both without bounds checks.


def _rt32_01_width(width: int) -> bytes:
    import scipy.sparse as sp
    from sklearn.neighbors import NearestNeighbors

    X = sp.csr_matrix(np.random.RandomState(0).rand(20, 3) + 1)
    m = NearestNeighbors(n_neighbors=1, algorithm="brute", metric="manhattan").fit(X)
    # 20 rows, one value each, but 2**24 columns: the dense-sparse pair reads every query row
    # as ``width`` floats (Y_data + j * n_features, n_features taken from the sparse side)
    m._fit_X = sp.csr_matrix(
        (np.ones(20), np.arange(20, dtype=np.int32), np.arange(21, dtype=np.int32)),
        shape=(20, width),
    )
    return pickle.dumps(m, protocol=5)


def test_rt32_01_sparse_fit_x_wider_than_the_input(tmp_path: Path) -> None:
    """970 B: NearestNeighbors.kneighbors(2 rows of 3 columns) reads 2**24 floats per query
    row from a 48-byte query array: SIGSEGV (plain pickle and load_unsigned alike, both
    builds). The same reduction serves KNeighbors*/RadiusNeighbors* predict."""
    path = write(tmp_path, _rt32_01_width(2**24))
    call = "r = model.kneighbors(numpy.ones((2, 3)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


def _rt32_01_labels(rows: int) -> bytes:
    import scipy.sparse as sp
    from sklearn.neighbors import KNeighborsClassifier

    X = sp.csr_matrix(np.random.RandomState(0).rand(20, 3) + 1)
    y = np.arange(20) % 2
    m = KNeighborsClassifier(n_neighbors=1, algorithm="brute", metric="manhattan").fit(X, y)
    # _y keeps its 20 labels; _fit_X gets ``rows`` rows, nearly all empty; query k is nearest
    # to a row far past the 20th, so ArgKminClassMode reads Y_labels[row] out of bounds and
    # then adds 1.0 at class_scores[i][that garbage label] (an out-of-bounds write)
    pos = sorted({rows - 1 - (rows >> k) for k in range(1, 16)} | {rows - 1})
    counts = np.zeros(rows, dtype=np.int32)
    counts[pos] = 3
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    data = np.repeat([10.0 * (j + 1) for j in range(len(pos))], 3)
    indices = np.tile(np.arange(3, dtype=np.int32), len(pos))
    m._fit_X = sp.csr_matrix((data, indices, indptr), shape=(rows, 3))
    m.n_samples_fit_ = rows
    return pickle.dumps(m, protocol=5)


def test_rt32_01_sparse_fit_x_with_more_rows_than_labels(tmp_path: Path) -> None:
    """264 KB: KNeighborsClassifier.predict_proba (and predict) on 16 honest rows reads
    labels past _y and writes class scores at the labels it read: SIGSEGV, plain pickle and
    load_unsigned alike (both builds)."""
    path = write(tmp_path, _rt32_01_labels(2**16))
    call = "r = model.predict_proba(numpy.repeat(10.0 * numpy.arange(1, 17)[:, None], 3, 1))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt32-11: MultiLabelBinarizer's _cached_dict as a list (critical) ---------------------------


@pytest.mark.parametrize("form", ["list", "tuple", "array"])
def test_rt32_11_multilabel_cache_that_is_not_a_dict(form: str, tmp_path: Path) -> None:
    """~400 B: check_index_maps checks ``_cached_dict`` only ``isinstance(mapping, dict)``;
    transform indexes it with the labels (``class_mapping[label]``), which a list, a tuple or
    an array serves for integer labels. The column numbers it holds go unchecked into a CSR
    matrix of ``len(class_mapping)`` columns, and ``toarray()`` (sparse_output=False, the
    default) writes at ``out[row * 2 + 2**31 - 1]``: SIGSEGV (a negative number writes
    before the buffer instead), plain pickle and load_unsigned alike."""
    from sklearn.preprocessing import MultiLabelBinarizer

    m = MultiLabelBinarizer().fit([[0, 1], [1]])
    values = [0, 2**31 - 1]
    m._cached_dict = {"list": values, "tuple": tuple(values), "array": np.array(values)}[form]
    path = write(tmp_path, pickle.dumps(m, protocol=2))
    call = "r = model.transform([[1]])"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


def test_rt32_11_vocabulary_as_a_numpy_record(tmp_path: Path) -> None:
    """1.4 KB: the same skipped check for ``vocabulary_``. A numpy structured scalar
    (``numpy.void``, built by numpy's ``scalar`` from a record dtype) answers
    ``vocabulary['the']`` with its field and ``len()`` with its field count, so
    CountVectorizer.transform makes a CSR matrix of 3 columns with column 2**31 - 1, and the
    next step's ``X @ coef_.T`` (scipy's csr_matvecs) reads ``coef_`` there: SIGSEGV on
    ``Pipeline.predict(['the cat'])``, plain pickle and load_unsigned alike."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    docs, y = ["the cat", "a dog", "the dog", "a cat"], [0, 1, 1, 0]
    pipe = Pipeline([("v", CountVectorizer()), ("c", LogisticRegression())]).fit(docs, y)
    fields = np.dtype([("the", "<i8"), ("cat", "<i8"), ("dog", "<i8")])
    pipe.steps[0][1].vocabulary_ = np.array((2**31 - 1, 0, 1), dtype=fields)[()]
    path = write(tmp_path, pickle.dumps(pipe, protocol=5))
    call = "r = model.predict(['the cat'])"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


def test_rt32_11_dict_vectorizer_vocabulary_as_a_numpy_record(tmp_path: Path) -> None:
    """~700 B: DictVectorizer(sparse=False) with ``vocabulary_`` a record whose field ``a``
    is 2**31 - 1 and whose field ``b`` holds the string "a": ``'a' in vocab`` (numpy.void
    compares values) and ``vocab['a']`` both answer, the CSR matrix gets column 2**31 - 1
    of 2, and ``toarray()`` writes there: SIGSEGV on ``transform([{'a': 1}])``."""
    from sklearn.feature_extraction import DictVectorizer

    m = DictVectorizer(sparse=False).fit([{"a": 1, "b": 2}])
    m.vocabulary_ = np.array((2**31 - 1, "a"), dtype=[("a", "<i8"), ("b", "<U1")])[()]
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.transform([{'a': 1}])"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt32-02: CSC hides the rows of any stored sample matrix, not only components_ ------------


def _rt32_02_csc_fit_x(rows: int) -> bytes:
    import scipy.sparse as sp
    from sklearn.neighbors import NearestNeighbors

    X = sp.csr_matrix(np.random.RandomState(0).rand(20, 3))
    m = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(X)
    # one stored value: not empty, so the empty-matrix rule does not apply; CSC: the index
    # pointer has 4 items whatever ``rows`` is (made directly: a lil_matrix of 2**26 rows
    # took a minute and a half to build)
    m._fit_X = sp.csc_matrix(([1.0], ([0], [0])), shape=(rows, 3))
    m.n_samples_fit_ = rows
    return pickle.dumps(m, protocol=5)


def test_rt32_02_csc_fit_x_rows_not_paid_for(tmp_path: Path) -> None:
    """710 B: NearestNeighbors.kneighbors(1 row) computes a (1, 2**26) distance row and
    converts _fit_X to CSR (index pointer of 2**26 items): ~1.4 GB RSS; 8 bytes * rows per
    query row in general, rows up to 2**31. KernelRidge.predict and KernelPCA.transform
    allocate the same (1, rows) kernel row from a CSC ``X_fit_`` before failing."""
    path = write(tmp_path, _rt32_02_csc_fit_x(2**26))
    call = "r = model.kneighbors(numpy.ones((1, 3)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 1000, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt32-03: a 0-d array n_features_in_ escapes the paid-width rule --------------------------


def test_rt32_03_n_features_in_as_0d_array(tmp_path: Path) -> None:
    """~500 B: _check_paid_widths only looks at ``int``/``np.integer``; ``numpy.array(10**7)``
    is neither, yet ``range()`` takes it: StandardScaler.get_feature_names_out() makes 10**7
    names (~900 MB). rt31-02 in another type."""
    from sklearn.preprocessing import StandardScaler

    m = StandardScaler().fit(np.random.RandomState(0).rand(20, 3))
    m.n_features_in_ = np.array(10**7)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 700, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt32-04: names repeated once per category outside the OneHotEncoder's own check ----------


def _rt32_04_target_encoder() -> bytes:
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    m = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 1)), rng.randint(0, 3, 60))
    assert m.target_type_ == "multiclass"
    m.feature_names_in_ = np.array(["f" * 65536], dtype=object)
    m.classes_ = np.arange(10_000)  # names are f"{feature}_{class}" for every pair
    return pickle.dumps(m, protocol=5)


def _rt32_04_pipeline() -> bytes:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    scaler = StandardScaler().fit(np.random.RandomState(0).rand(5, 1))
    scaler.feature_names_in_ = np.array(["f" * 65536], dtype=object)
    # the encoder was fitted on an array: its own names are "x0", and check_one_hot_names
    # passes; the pipeline hands it the scaler's 64 KB name instead
    encoder = OneHotEncoder().fit(np.arange(10_000).reshape(-1, 1))
    return pickle.dumps(Pipeline([("s", scaler), ("o", encoder)]), protocol=5)


def test_rt32_04_target_encoder_names_times_classes(tmp_path: Path) -> None:
    """146 KB: TargetEncoder.get_feature_names_out() writes the 64 KB feature name once per
    class: 655 MB of names (4,500x the file)."""
    path = write(tmp_path, _rt32_04_target_encoder())
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 600, str(plain)
    _assert_safeload_refuses(path, call)


def test_rt32_04_pipeline_feeds_long_names_to_one_hot(tmp_path: Path) -> None:
    """146 KB: Pipeline.get_feature_names_out() passes the scaler's 64 KB name into the
    encoder, which repeats it for 10,000 categories: 655 MB (also through a
    ColumnTransformer's feature_names_in_, or KBinsDiscretizer's internal encoder)."""
    path = write(tmp_path, _rt32_04_pipeline())
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 600, str(plain)
    _assert_safeload_refuses(path, call)


def test_rt32_04_one_hot_with_one_name_too_many(tmp_path: Path) -> None:
    """146 KB: check_one_hot_names reads feature_names_in_ only when it has one name per
    category list; with one extra name it measures "x0" instead, and scikit-learn still
    uses feature_names_in_[0] (64 KB) for each of 10,000 categories: 655 MB of names. The
    rt31-06 reproducer plus one 1-character name."""
    from sklearn.preprocessing import OneHotEncoder

    m = OneHotEncoder().fit(np.arange(10_000).reshape(-1, 1))
    m.feature_names_in_ = np.array(["f" * 65536, "y"], dtype=object)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 600, str(plain)
    _assert_safeload_refuses(path, call)


def test_rt32_04_column_transformer_template_repeats_a_long_name(tmp_path: Path) -> None:
    """68 KB: a ColumnTransformer's ``verbose_feature_names_out`` template may be 1,000
    characters, so ``"{feature_name}" * 71`` passes check_name_template; its own 64 KB
    feature name goes into an encoder of 100 categories (fitted on an array, own names "x0"),
    and every output name is 71 copies of it: 465 MB of names (6,800x the file); 10,000
    categories would be 46 GB from 148 KB."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    ct = ColumnTransformer(
        [("o", OneHotEncoder(), [0])], verbose_feature_names_out="{feature_name}" * 71
    ).fit(np.arange(100).reshape(-1, 1))
    ct.feature_names_in_ = np.array(["f" * 65536], dtype=object)
    path = write(tmp_path, pickle.dumps(ct, protocol=5))
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 450, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt32-05: a vectorizer's ngram_range has no upper bound -----------------------------------


def test_rt32_05_vectorizer_ngram_range(tmp_path: Path) -> None:
    """394 B: HashingVectorizer(ngram_range=(1, 10**9)).transform of one 1,500-word document
    (6 KB) makes every n-gram of every length: ~T**3/6 characters, 14 s and 2.3 GB; a
    3,000-word document ~8x that. CountVectorizer/TfidfVectorizer alike, analyzer='char'
    worse (cubic in characters)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    m = HashingVectorizer(ngram_range=(1, 10**9), n_features=2**10)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.transform([' '.join('w%d' % (i % 50) for i in range(1500))])"
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB, cpu=2)
    assert plain.crashed or "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call, cpu=2)


# --- rt32-06: step names scan does not see (scan safe, load refuses) --------------------------


def test_rt32_06_step_name_in_a_list_pair(tmp_path: Path) -> None:
    """The static pass measures step names only in (name, step) tuples: a [name, step] list
    (which the use-time kinds accept) of a 4 KB name scans safe and load refuses it."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = Pipeline([["n" * 4096, StandardScaler().fit(np.random.rand(5, 20))]])
    refused(tmp_path, pickle.dumps(pipe, protocol=5), "characters", scan=True)


def test_rt32_06_step_name_as_numpy_str(tmp_path: Path) -> None:
    """A ``numpy.str_`` name (a str subclass, built by numpy's scalar): scan measures only
    folded ``str`` constants and calls it safe; load's ``len(item[0])`` refuses it."""
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    union = FeatureUnion([(np.str_("n" * 4096), StandardScaler().fit(np.random.rand(5, 20)))])
    # refused as a name that is not a plain str, long or short (load and scan alike)
    refused(tmp_path, pickle.dumps(union, protocol=5), "not a str|not a .name", scan=True)


# --- rt32-07: a bagging model's sample count (rt31-03 fixed forests only) ---------------------


def test_rt32_07_bagging_max_samples_above_n_samples(tmp_path: Path) -> None:
    """2.5 KB: BaggingClassifier.estimators_samples_ (and a notebook's ``_repr_html_``, which
    reads every property) draws ``_max_samples`` bootstrap indexes per estimator from
    ``_n_samples``: fit makes it at most ``_n_samples`` (20); 10**8 is 1.6 GB for 2
    estimators (the test: 5 x 10**7, 0.8 GB, in half the time). IsolationForest(bootstrap=True)
    alike."""
    from sklearn.ensemble import BaggingClassifier

    X = np.random.RandomState(0).rand(20, 3)
    m = BaggingClassifier(n_estimators=2, random_state=0).fit(X, (X[:, 0] > 0.5).astype(int))
    m._max_samples = 5 * 10**7
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "s = model.estimators_samples_"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 700, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt32-08: MiniBatchNMF._n_components sizes transform's W ------------------------------------


def test_rt32_08_minibatch_nmf_n_components(tmp_path: Path) -> None:
    """1 KB: MiniBatchNMF.transform(1 row) runs ``_solve_W``, which allocates W and a copy of
    shape (n_samples, _n_components) from the stored count before anything compares it with
    components_: 1.7 GB RSS for 10**8 (then a ValueError), 16 GB for 10 rows."""
    from sklearn.decomposition import MiniBatchNMF

    X = np.random.RandomState(0).rand(30, 3)
    m = MiniBatchNMF(n_components=2, max_iter=5, random_state=0).fit(X)
    m._n_components = 10**8
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "try:\n        model.transform(numpy.ones((1, 3)))\n    except ValueError:\n        pass"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 1400, str(plain)
    _assert_safeload_refuses(path, call)


def test_rt32_03_forest_feature_importances_from_0d_width(tmp_path: Path) -> None:
    """7 KB: with n_features_in_ a 0-d array, a forest's trees may be built for 2**24
    features (the tree bound) without paying for them; ``feature_importances_`` (also read by
    ``_repr_html_``) allocates ``zeros(tree.n_features)`` per tree and stacks them: 8 trees
    take ~2 GB; n_trees * 128 MB in general."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.tree._tree import Tree

    X = np.random.RandomState(0).rand(40, 3)
    m = RandomForestClassifier(n_estimators=8, max_depth=2, random_state=0)
    m.fit(X, (X[:, 0] > 0.5).astype(int))
    width = 2**24
    for est in m.estimators_:
        old = est.tree_
        tree = Tree(width, np.array(old.n_classes), old.n_outputs)
        tree.__setstate__(old.__getstate__())
        est.tree_ = tree
        est.n_features_in_ = np.array(width)
    m.n_features_in_ = np.array(width)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.feature_importances_"
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)  # fails at 512 MB
    assert "call MemoryError" in plain.stdout or maxrss(plain.stdout) > 1500, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt32-09 (low): call forms scan and load judge differently (rt31-09 fixed OrderedDict only) --

_CALLS = {
    # scan SAFE, load refuses (the call fails inside the unpickler)
    "defaultdict(5)": b"ccollections\ndefaultdict\nK\x05\x85R.",
    "dict(5)": b"cbuiltins\ndict\nK\x05\x85R.",
    "object(5)": b"cbuiltins\nobject\nK\x05\x85R.",
    "complex('abc')": b"cbuiltins\ncomplex\nX\x03\x00\x00\x00abc\x85R.",
    "slice()": b"cbuiltins\nslice\n)R.",
    # scan UNSAFE, load returns the value
    "Counter()": b"ccollections\nCounter\n)R.",
    "timedelta()": b"cdatetime\ntimedelta\n)R.",
    "PurePosixPath()": b"cpathlib\nPurePosixPath\n)R.",
}


@pytest.mark.parametrize("name", sorted(_CALLS))
def test_rt32_09_call_forms_scan_equals_load(name: str, tmp_path: Path) -> None:
    """27 B or less each. The promise is equal verdicts; these differ in one direction or the
    other. Harmless, but a refusal must be predicted and a value the load returns must scan
    safe."""
    data = b"\x80\x02" + _CALLS[name]
    assert_scan_predicts_load(data, tmp_path)


# --- rt32-10 (medium): PolynomialFeatures.powers_ is n_output_features_ x n_features_in_ -------


def test_rt32_10_polynomial_powers_matrix(tmp_path: Path) -> None:
    """262 B, and an honest file of that shape too: PolynomialFeatures(degree=2) fitted on
    1,000 features. ``get_feature_names_out()`` (and the ``powers_`` property, which a
    notebook's fitted-attribute table reads) stacks one ``bincount(minlength=n_features_in_)``
    per output: 501,501 x 1,000 int64 = 4 GB (MemoryError under 1 GiB); at the 2**24-column
    cap (5,790 features) 776 GB. transform of one honest row is 4 MB: the names cost 1,000x
    what the model's own output does, and the file pays for neither."""
    from sklearn.preprocessing import PolynomialFeatures

    m = PolynomialFeatures(degree=2).fit(np.random.RandomState(0).rand(3, 1000))
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.get_feature_names_out()"
    # (under 512 MiB, not 1 GiB: the same MemoryError of 4 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


def test_rt32_03_n_features_in_paid_by_one_shared_array(tmp_path: Path) -> None:
    """41 KB: ``_stored_elements`` counts an array once per reference, so one 512-byte array
    listed 20,000 times in a spare attribute "pays" for n_features_in_ = 10**7:
    get_feature_names_out() makes 10**7 names (~900 MB). The stream's budget allows ~256
    counted elements per file byte this way (10**8 names, ~8 GB, from ~400 KB)."""
    from sklearn.preprocessing import StandardScaler

    m = StandardScaler().fit(np.random.RandomState(0).rand(20, 3))
    m.n_features_in_ = 10**7
    m.junk_ = [np.zeros(512, dtype=np.uint8)] * 20_000
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 700, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt32-12: ColumnTransformer templates compose: names grow 71x per layer ---------------------


def test_rt32_12_nested_column_transformer_templates(tmp_path: Path) -> None:
    """2.6 KB: a Pipeline of 5 ColumnTransformers, each passing one column through with
    ``verbose_feature_names_out="{feature_name}" * 71`` (994 characters, accepted). Each
    layer's get_feature_names_out formats the previous layer's name 71 times: one name of
    2 * 71**5 = 3.6e9 characters (MemoryError under 3 GiB); 4 layers 50 MB, 6 layers 256 GB.
    ``set_output(transform='pandas')`` makes transform call it too."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    X = np.random.RandomState(0).rand(20, 1)
    template = "{feature_name}" * 71
    steps = [
        (
            f"c{i}",
            ColumnTransformer([("a", "passthrough", [0])], verbose_feature_names_out=template).fit(
                X
            ),
        )
        for i in range(5)
    ]
    path = write(tmp_path, pickle.dumps(Pipeline(steps), protocol=5))
    call = "r = model.get_feature_names_out()"
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)  # the same, sooner
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt32-13: FeatureUnion branches compose: output width t**L from a few KB --------------------


def test_rt32_13_stacked_feature_unions_of_passthroughs(tmp_path: Path) -> None:
    """6.7 KB, as scikit-learn's own fit writes it: a Pipeline of 20 FeatureUnions of two
    "passthrough" branches (width 2**20 after them, each FunctionTransformer's
    n_features_in_ at most 2**20, so the paid-width rule passes) then one of 64.
    transform of one row of one column returns a (1, 2**26) array: 512 MB per input row
    (8 bytes in); 1,000 final branches would be 8 GB per row. get_feature_names_out makes
    2**26 names of ~130 characters."""
    from sklearn.pipeline import FeatureUnion, Pipeline

    steps = [
        (f"u{i}", FeatureUnion([("p0", "passthrough"), ("p1", "passthrough")])) for i in range(20)
    ]
    steps.append(("last", FeatureUnion([(f"p{j}", "passthrough") for j in range(64)])))
    pipe = Pipeline(steps).fit(np.ones((1, 1)))
    path = write(tmp_path, pickle.dumps(pipe, protocol=5))
    call = "r = model.transform(numpy.ones((1, 1)))"
    plain = _child(PLAIN_CALL.format(call=call), path)
    assert "call done" in plain.stdout and maxrss(plain.stdout) > 500, str(plain)
    _assert_safeload_refuses(path, call)
