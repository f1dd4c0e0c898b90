"""Red team 36 (an independent helper session from 12:06 UTC on 5b28ea4): its reproducers,
committed as strict xfails at the end of stop 30 (open findings for the next session). Each
test first shows the harm under plain pickle (or joblib) in a child process under resource
limits, then asserts what safeload SHOULD do: refuse, in scan and in load_unsigned (or, for
parity findings, that scan's verdict equals load's)."""

from __future__ import annotations

import pickle
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    PLAIN_CALL,
    SAFE_CALL,
    assert_safeload_refuses,
    assert_scan_predicts_load,
    child,
    global_,
    loky_workers_call,
    open_finding,
    workers_started,
    write,
)

OPEN = partial(open_finding, 36)


#: PLAIN_CALL for a joblib file (joblib.load, which reads compressed containers).
PLAIN_JOBLIB_CALL = PLAIN_CALL.replace("import pickle, numpy", "import joblib, numpy").replace(
    "pickle.load(open(sys.argv[1], 'rb'))", "joblib.load(sys.argv[1])"
)


# --- rt36-01: ColumnTransformer's transformers_ columns repeat one input column -----------------


def _rt36_01_column_repeat(n: int, branches: int) -> bytes:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion

    ct = ColumnTransformer([("p", "passthrough", [0])]).fit(np.random.RandomState(0).rand(5, 1))
    name, trans, _ = ct.transformers_[0]
    ct.transformers_[0] = (name, trans, np.zeros(n, dtype=np.int8))
    # the same column transformer (one memo reference each) as every branch
    return pickle.dumps(FeatureUnion([(f"b{i}", ct) for i in range(branches)]), protocol=5)


_CT_ROWS = "r = model.transform(numpy.zeros((50, 1)))"


def test_rt36_01_column_transformer_repeated_columns(tmp_path: Path) -> None:
    """100 KB: ColumnTransformer.transform hands each fitted branch
    ``_safe_indexing(X, columns, axis=1)`` with the ``columns`` stored as the third item of
    each ``transformers_`` triple. rt35-01's fix checks ``_transformer_to_input_indices``
    (distinct features) but not these columns: 10**5 int8 zeros repeat input column 0
    10**5 times (the identity FunctionTransformer, validate=False, checks no width), and a
    FeatureUnion listing that one column transformer as 80 branches (memo references, within
    the sharing bound) stacks 8 x 10**6 float64 columns: 64 MB per input row, ~630 bytes per
    file byte per row. 50 rows: 3.2 GB (MemoryError under 1 GiB). Scan SAFE, load_unsigned
    loads it (2 rows: a (2, 8 x 10**6) output measured after safeload's load). One column
    transformer alone, 4 x 10**6 zeros, joblib-compressed to 20 KB, alike (32 MB per row)."""
    path = write(tmp_path, _rt36_01_column_repeat(100_000, 80))
    # (under 512 MiB, not 1 GiB: the same MemoryError of 3.2 GB asked, sooner)
    plain = child(PLAIN_CALL.format(call=_CT_ROWS), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    assert_safeload_refuses(path, _CT_ROWS)


# --- rt36-02: IterativeImputer's triplets: neighbor_feat_idx repeats one input column ----------


def _rt36_02_imputer_neighbours(tmp_path: Path, n: int) -> Path:
    import joblib
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    X = np.random.RandomState(0).rand(20, 2)
    X[0, 0] = X[1, 1] = np.nan
    m = IterativeImputer(max_iter=2, random_state=0).fit(X)
    triplet = m.imputation_sequence_[0]
    assert triplet.feat_idx == 0
    m.imputation_sequence_ = [triplet._replace(neighbor_feat_idx=np.zeros(n, dtype=np.int8))]
    path = tmp_path / "m.joblib"
    joblib.dump(m, path, compress=3)
    return path


_II_ROWS = "X = numpy.ones((150, 2)); X[0, 0] = numpy.nan; r = model.transform(X)"


def test_rt36_02_iterative_imputer_neighbor_indexes(tmp_path: Path) -> None:
    """~30 KB (joblib, zlib level 3): IterativeImputer.transform, for each stored
    ``_ImputerTriplet(feat_idx, neighbor_feat_idx, estimator)``, builds
    ``_safe_indexing(X_filled, neighbor_feat_idx, axis=1)`` over every input row before the
    estimator's predict checks any width. Nothing checks ``neighbor_feat_idx`` (the dispatch
    row judges only the triplet's estimator): 4 x 10**6 int8 zeros repeat input column 0, so
    150 rows with one missing value become 4.8 GB (MemoryError under 3 GiB) before the
    estimator's ValueError; ~1,000 bytes per file byte per input row. Scan SAFE, load_unsigned
    loads it (10**6 zeros, 9 KB: the (3, 10**6) intermediate is built after safeload's load,
    then BayesianRidge raises)."""
    path = _rt36_02_imputer_neighbours(tmp_path, 4_000_000)
    assert path.stat().st_size < 60_000
    plain = child(PLAIN_JOBLIB_CALL.format(call=_II_ROWS), path)
    assert "call MemoryError" in plain.stdout, str(plain)
    assert_safeload_refuses(path, _II_ROWS)


# --- rt36-03: scan SAFE, load refuses: estimators as parameters, frozensets, None containers ---


def _rt36_03_model(name: str) -> Any:
    from sklearn.ensemble import (
        AdaBoostClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
        StackingClassifier,
    )
    from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import SplineTransformer, StandardScaler

    X = np.random.RandomState(0).rand(40, 4)
    y = (X[:, 0] > 0.5).astype(int)
    if name == "sgd alpha=LinearRegression()":
        m: Any = SGDClassifier(max_iter=5).fit(X, y)
        m.alpha = LinearRegression()
    elif name == "logreg C=[LinearRegression()]":
        m = LogisticRegression().fit(X, y)
        m.C = [LinearRegression()]
    elif name == "forest max_depth=LinearRegression()":
        m = RandomForestClassifier(3, max_depth=2, random_state=0).fit(X, y)
        m.max_depth = LinearRegression()
    elif name == "forest estimators_=frozenset()":
        m = RandomForestClassifier(3, max_depth=2, random_state=0).fit(X, y)
        m.estimators_ = frozenset()
    elif name == "ada estimators_=frozenset()":
        m = AdaBoostClassifier(n_estimators=2).fit(X, y)
        m.estimators_ = frozenset()
    elif name == "stacking named_estimators_=frozenset()":
        m = StackingClassifier([("a", LogisticRegression())], cv=2).fit(X, y)
        m.named_estimators_ = frozenset()
    elif name == "hgb _scorer=(1,)":
        m = HistGradientBoostingClassifier(max_iter=2).fit(X, y)
        m._scorer = (1,)
    elif name == "spline bsplines_=None":
        m = SplineTransformer().fit(X)
        m.bsplines_ = None
    elif name == "sgd loss=csr_matrix":
        import scipy.sparse as sp

        m = SGDClassifier(max_iter=5).fit(X, y)
        m.loss = sp.csr_matrix(np.eye(2))
    elif name == "sgd alpha=RandomState(0)":
        m = SGDClassifier(max_iter=5).fit(X, y)
        m.alpha = np.random.RandomState(0)
    elif name == "forest estimator_params=OrderedDict()":
        import collections

        m = RandomForestClassifier(3, max_depth=2, random_state=0).fit(X, y)
        m.estimator_params = collections.OrderedDict()
    elif name == "forest estimator_params=Decimal('1.5')":
        import decimal

        m = RandomForestClassifier(3, max_depth=2, random_state=0).fit(X, y)
        m.estimator_params = decimal.Decimal("1.5")
    elif name == "voting estimators=((name, est),)":
        from sklearn.ensemble import VotingClassifier

        m = VotingClassifier([("a", LogisticRegression())]).fit(X, y)
        m.estimators = (("a", LogisticRegression()),)
    elif name == "stacking estimators=((name, est),)":
        m = StackingClassifier([("a", LogisticRegression())], cv=2).fit(X, y)
        m.estimators = (("a", LogisticRegression()),)
    elif name == "hgb _scorer={1}":
        m = HistGradientBoostingClassifier(max_iter=2).fit(X, y)
        m._scorer = {1}
    elif name == "isotonic X_thresholds_=arange(3)":
        from sklearn.isotonic import IsotonicRegression

        m = IsotonicRegression().fit(X[:, 0], X[:, 1])
        m.X_thresholds_ = np.arange(3)
    else:
        m = FeatureUnion([("s", StandardScaler())]).fit(X)
        m.transformer_list = None
    return m


@pytest.mark.parametrize(
    "name",
    [
        "sgd alpha=LinearRegression()",
        "logreg C=[LinearRegression()]",
        "forest max_depth=LinearRegression()",
        "forest estimators_=frozenset()",
        "ada estimators_=frozenset()",
        "stacking named_estimators_=frozenset()",
        "hgb _scorer=(1,)",
        "spline bsplines_=None",
        "union transformer_list=None",
        "isotonic X_thresholds_=arange(3)",
        "sgd loss=csr_matrix",
        "sgd alpha=RandomState(0)",
        "forest estimator_params=OrderedDict()",
        "forest estimator_params=Decimal('1.5')",
        "hgb _scorer={1}",
        "voting estimators=((name, est),)",
        "stacking estimators=((name, est),)",
    ],
)
def test_rt36_03_scan_safe_load_refuses(name: str, tmp_path: Path) -> None:
    """Under 10 KB each, harmless: the load refuses each (a parameter holding an estimator
    or a list of estimators fails the class's ``_parameter_constraints``: "holds a value ...
    itself refuses"; a frozenset as ``estimators_``/``named_estimators_`` "is not a
    collection of estimators"; a tuple as HGB's ``_scorer`` "a stored callable must be on
    the callable allowlist"; None as ``bsplines_`` or ``transformer_list`` "is None, not a
    list"), but scan calls them SAFE. rt35-02's fix made scan judge array-valued parameters
    and list/tuple/dict estimator slots; an estimator instance as a parameter value (408 of
    414 disagreements of a mutation run over 26 estimators, every numeric or string
    parameter of every class), a sparse matrix or a RandomState as a parameter, a frozenset,
    a tuple or set where a scorer is used, an OrderedDict or Decimal as a list of parameter
    names, None where a list is iterated and a tuple of (name, estimator) pairs where the
    constraint is ``list`` (voting, stacking) are still skipped; IsotonicRegression's
    __setstate__ (interp1d of X_thresholds_ and y_thresholds_) raises on the load ("could not
    be loaded") where scan sees no problem with thresholds of unequal lengths or of any type.
    Found by replacing each attribute of fitted models with one of 26 values and comparing
    scan with load_unsigned."""
    data = pickle.dumps(_rt36_03_model(name), protocol=5)
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt36-04: the names bound counts characters as bytes: non-BMP names cost 4 bytes each -------


def _rt36_04_wide_names(classes: int, char: str) -> bytes:
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    te = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 64)), rng.randint(0, 3, 60))
    assert te.target_type_ == "multiclass"
    te.feature_names_in_ = np.array([f"{i:04d}" + char * 1020 for i in range(64)], dtype=object)
    te.classes_ = np.arange(classes, dtype=np.int32)
    return pickle.dumps(FeatureUnion([("u", te)]), protocol=5)


_NAMES = "r = model.get_feature_names_out()"


def test_rt36_04_names_bound_counts_characters(tmp_path: Path) -> None:
    """290 KB: names.py prices each generated name at 56 + its characters, the cost of a
    compact ASCII ``str``; CPython stores a str holding one character past U+FFFF at 4 bytes
    per character. 64 feature names of 1,024 characters (1,020 of them U+1F600, each within
    MAX_FEATURE_NAME) x 3,700 classes of a multiclass TargetEncoder, inside a one-branch
    FeatureUnion, are priced at ~515 MB (under the 512 MiB MAX_NAME_BYTES), but
    get_feature_names_out writes 236,800 names of 1,029 characters twice (the encoder's and
    the union's prefixed copy): 2,092 MB peak RSS measured after safeload's load (682 MB for
    the same model with ASCII names), MemoryError under 1.5 GiB here; ~7,000 bytes per file
    byte, 4 x the bound. Scan SAFE."""
    path = write(tmp_path, _rt36_04_wide_names(3700, "\U0001f600"))
    # (under 512 MiB, not 1.5 GiB: the same MemoryError of ~2 GB asked, sooner)
    plain = child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    assert_safeload_refuses(path, _NAMES)


# --- rt36-05: a text vectorizer's names are not counted, and a union prefixes each of them -------


def _rt36_05_union_of_vectorizer(keys: int, branches: int) -> bytes:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import FeatureUnion

    cv = CountVectorizer().fit(["aa bb cc"])
    cv.vocabulary_ = {f"{i:x}": i for i in range(keys)}
    # the same vectorizer (one memo reference each) as every branch, with 253-character labels
    return pickle.dumps(
        FeatureUnion([(f"{i:03d}" + "u" * 250, cv) for i in range(branches)]), protocol=5
    )


def test_rt36_05_union_prefixes_vectorizer_names(tmp_path: Path) -> None:
    """1.1 MB: names.py's ``_Ledger.add`` returns early for CountVectorizer/TfidfVectorizer/
    DictVectorizer (their names are their stored vocabulary keys, so only the longest key is
    recorded), adding nothing to the count of names; a FeatureUnion's own count is only its
    pass-through branches' width. But FeatureUnion.get_feature_names_out writes a new
    ``"{branch}__{key}"`` string for every key of every branch: one vectorizer of 10**5
    keys (a few characters each) listed as 80 branches (memo references; the path counts
    multiply a count of 0) with 253-character branch labels makes 8 x 10**6 new strings of
    ~260 characters, ~2.5 GB (MemoryError under 1 GiB; ~2,300 bytes per file byte; 2 x 10**4
    keys, 217 KB: 717 MB peak RSS measured after safeload's load, past the 512 MiB
    MAX_NAME_BYTES). ColumnTransformer branches alike. Scan SAFE."""
    path = write(tmp_path, _rt36_05_union_of_vectorizer(100_000, 80))
    # (under 512 MiB, not 1 GiB: the same MemoryError of ~2.5 GB asked, sooner)
    plain = child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    assert_safeload_refuses(path, _NAMES)


# --- rt36-06: load_unsigned raises a raw OverflowError on an infinite count ---------------------


def _rt36_06_model(name: str) -> Any:
    from sklearn.ensemble import BaggingClassifier, GradientBoostingRegressor, IsolationForest
    from sklearn.tree import DecisionTreeClassifier

    X = np.random.RandomState(0).rand(40, 4)
    y = (X[:, 0] > 0.5).astype(int)
    if name == "tree n_features_in_=inf":
        m: Any = DecisionTreeClassifier(max_depth=2).fit(X, y)
        m.n_features_in_ = float("inf")
    elif name == "tree n_outputs_=inf":
        m = DecisionTreeClassifier(max_depth=2).fit(X, y)
        m.n_outputs_ = float("inf")
    elif name == "gb n_trees_per_iteration_=inf":
        m = GradientBoostingRegressor(n_estimators=2).fit(X, X[:, 1])
        m.n_trees_per_iteration_ = float("inf")
    elif name == "iforest _max_features=inf":
        m = IsolationForest(n_estimators=2, random_state=0).fit(X)
        m._max_features = float("inf")
    elif name == "kmeans _n_features_out=inf":
        from sklearn.cluster import KMeans

        m = KMeans(2, n_init=1, random_state=0).fit(X)
        m._n_features_out = float("inf")
    elif name == "spline n_features_out_=inf":
        from sklearn.preprocessing import SplineTransformer

        m = SplineTransformer().fit(X)
        m.n_features_out_ = float("inf")
    elif name == "svc _n_support=-2**70":
        from sklearn.svm import SVC

        m = SVC().fit(X, y)
        m._n_support = -(2**70)
    else:
        m = BaggingClassifier(n_estimators=2, random_state=0).fit(X, y)
        m._max_features = float("inf")
    return m


@pytest.mark.parametrize(
    "name",
    [
        "tree n_features_in_=inf",
        "tree n_outputs_=inf",
        "gb n_trees_per_iteration_=inf",
        "iforest _max_features=inf",
        "bagging _max_features=inf",
        "kmeans _n_features_out=inf",
        "spline n_features_out_=inf",
        "svc _n_support=-2**70",
    ],
)
def test_rt36_06_raw_overflow_error(name: str, tmp_path: Path) -> None:
    """Under 10 KB each: the post-build checks call ``int()`` on stored counts
    (``check_tree_estimator``: ``features == int(n_in)``, and alike for the others) before
    checking they are ints, so ``float('inf')`` raises OverflowError out of
    ``load_unsigned`` instead of a SafeloadError (scan says unsafe; the model is not
    returned); a huge negative int as SVC's ``_n_support`` alike ("Python int too large to
    convert to C long"). A caller that handles refusals with ``except SafeloadError`` (as the
    documentation shows) crashes instead: the loader's error contract is broken by the file.
    Found by the same mutation run as rt36-03."""
    import safeload

    data = pickle.dumps(_rt36_06_model(name), protocol=5)
    path = write(tmp_path, data)
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path)
    assert not safeload.scan(data).safe


# --- rt36-07: the per-row iteration cap is per estimator; a union of one LDA multiplies it ------


def _rt36_07_union_of_lda(branches: int) -> bytes:
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.pipeline import FeatureUnion

    X = np.random.RandomState(0).randint(0, 3, (20, 10))
    m = LatentDirichletAllocation(n_components=5, max_iter=2, random_state=0).fit(X)
    m.max_doc_update_iter = 1_000  # PER_ROW_LIMITS allows it (rt35-12's cap)
    m.mean_change_tol = 0.0  # every document runs all of them
    return pickle.dumps(FeatureUnion([(f"{i:x}", m) for i in range(branches)]), protocol=5)


_LDA_CALL = "r = model.transform(numpy.random.RandomState(1).randint(0, 3, (40, 10)))"


def test_rt36_07_union_repeats_capped_lda(tmp_path: Path) -> None:
    """8.8 KB: rt35-12's fix caps LatentDirichletAllocation's ``max_doc_update_iter`` at
    1,000 E-step rounds per document (``mean_change_tol=0`` still makes each document run all
    of them: ~4 ms per document of 10 words and 5 topics). FeatureUnion.transform runs every
    branch, and one LDA listed as 200 branches (memo references: within the sharing bound and
    the pre-pass's unfolding bound) runs it 200 times: ~1 s of CPU per document, 40 documents
    ~40 s (20 branches: 4.06 s for 40 documents measured after safeload's load), 1,000
    documents ~17 minutes, killed at 2 s of CPU here; an honest model with the same arrays
    transforms them in milliseconds. ColumnTransformer branches alike. Scan SAFE."""
    path = write(tmp_path, _rt36_07_union_of_lda(200))
    plain = child(PLAIN_CALL.format(call=_LDA_CALL), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and plain.crashed, str(plain)
    assert "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_safeload_refuses(path, _LDA_CALL, cpu=4)


# --- rt36-08: scan SAFE, load refuses: allowed calls on arguments their callee refuses ----------


_g36 = global_


_CALLS_36 = {
    "numpy.dtype()": _g36("numpy", "dtype") + b")R.",
    "numpy.dtype(1)": _g36("numpy", "dtype") + b"K\x01\x85R.",
    "numpy.number()": _g36("numpy", "number") + b")R.",
    "numpy.integer(1)": _g36("numpy", "integer") + b"K\x01\x85R.",
    "multiarray.scalar()": _g36("numpy._core.multiarray", "scalar") + b")R.",
    "Generator()": _g36("numpy.random._generator", "Generator") + b")R.",
    "__pyx_unpickle_SeedSequence()": (
        _g36("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence") + b")R."
    ),
    "dok_matrix()": _g36("scipy.sparse._dok", "dok_matrix") + b")R.",
    "NumpyArrayWrapper()": _g36("joblib.numpy_pickle", "NumpyArrayWrapper") + b")R.",
    "__RandomState_ctor() BUILD {}": _g36("numpy.random", "__RandomState_ctor") + b")R}b.",
    "__RandomState_ctor() BUILD 0": _g36("numpy.random", "__RandomState_ctor") + b")RK\x00b.",
    "__generator_ctor() BUILD {}": _g36("numpy.random._pickle", "__generator_ctor") + b")R}b.",
}


@pytest.mark.parametrize("name", sorted(_CALLS_36))
def test_rt36_08_scan_safe_call_fails(name: str, tmp_path: Path) -> None:
    """Under 100 bytes each, harmless: the C unpickler calls each allowed name on the
    stream's arguments and the callee raises (``dtype() missing required argument``,
    ``__init__() takes exactly 1 positional argument``, "state dictionary is not valid"),
    so load_unsigned refuses ("could not be loaded"), while scan calls the stream SAFE. The
    pass's call rules (rt32-09) check the arity of a few builtins only; numpy's abstract
    scalar types, ``dtype``, ``multiarray.scalar``, ``Generator``, the SeedSequence
    unpickler, dok matrices and joblib's wrapper without arguments, and a RandomState or
    Generator made empty then given a state that is not numpy's, are not judged. Found by
    calling every non-scikit-learn name on the default allowlist on ten argument tuples, then
    BUILD with fifteen states."""
    import safeload

    data = b"\x80\x02" + _CALLS_36[name]
    path = write(tmp_path, data)
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path)
    assert not safeload.scan(data).safe, name


# --- rt36-09: rt35-15 again: a void dtype, or a tuple of label arrays, escapes the width rule ----


def _rt36_09_wide_labels(path: Path, kind: str) -> None:
    import joblib

    X = np.random.RandomState(0).rand(40, 3)
    if kind == "void_classes":
        from sklearn.linear_model import LogisticRegression

        m: Any = LogisticRegression().fit(X, np.arange(40) % 2)
        labels = np.zeros(2, dtype="V1048576")  # two distinct 1 MiB void items
        labels[1] = b"\x01"
        m.classes_ = labels
    elif kind == "dummy_regressor_constant_":
        from sklearn.dummy import DummyRegressor

        m = DummyRegressor().fit(X, X[:, 0])
        m.constant_ = np.array([["1"]], dtype="<U262144")  # shape (1, n_outputs_) as checked
    elif kind == "dummy_constant":
        from sklearn.dummy import DummyClassifier

        y = np.array(["a", "b"])[np.arange(40) % 2]
        m = DummyClassifier(strategy="constant", constant="a").fit(X, y)
        m.constant = np.array(["a"], dtype="<U262144")  # one of its classes, 1 MiB wide
    else:
        from sklearn.tree import DecisionTreeClassifier

        Y = np.stack([X[:, 0] > 0.5, X[:, 1] > 0.5], 1).astype(int).astype(str)
        m = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, Y)
        # one-character labels declared 1 MiB wide, as a tuple rather than scikit-learn's list
        m.classes_ = tuple(c.astype("<U262144") for c in m.classes_)
    joblib.dump(m, path, compress=("bz2", 9))


_WIDE_CALL = "r = model.predict(numpy.random.rand(4000, 3))"


@pytest.mark.parametrize(
    "kind", ["void_classes", "tuple_classes", "dummy_constant", "dummy_regressor_constant_"]
)
def test_rt36_09_wide_labels_again(kind: str, tmp_path: Path) -> None:
    """~500-700 B (bz2 joblib files; 1-4 MB as plain pickles): rt35-15's fix
    (``_check_label_widths``) bounds the item width of ``classes_``/``categories_`` arrays
    of kind ``U``/``S`` given as an array or a list. A ``V1048576`` (numpy void) classes_ of
    two distinct items is not a text dtype, and a multi-output tree's classes_ given as a
    tuple of ``<U262144`` arrays is not a list: both are skipped. LogisticRegression.predict
    returns ``classes_[indices]``, one 1 MiB item per row; the tree's predict allocates
    ``(n_samples, n_outputs)`` of ``classes_[0].dtype``, 2 MiB per row: 4,000 rows return
    4 GB / 8 GB (MemoryError under 3 GiB; 5 rows: 5 MB / 10 MB returned after safeload's
    load, from 713 bytes). A DummyClassifier with the constant strategy predicts
    ``np.tile(self.constant, (n, 1))``: check_dummy holds ``constant`` to its classes by
    value (``np.isin``), not by width, so ``np.array(['a'], dtype='<U262144')`` returns 1 MiB
    per row (519 bytes; 5 rows: 5 MB returned after safeload's load). A DummyRegressor's
    ``np.full((n, n_outputs_), constant_, dtype=constant_.dtype)``: check_dummy checks the
    shape of ``constant_``, not its dtype, so a ``<U262144`` constant_ of shape (1, 1) alike
    (380 bytes). Scan SAFE."""
    path = tmp_path / "m.joblib"
    _rt36_09_wide_labels(path, kind)
    assert path.stat().st_size < 5_000
    plain = child(PLAIN_JOBLIB_CALL.format(call=_WIDE_CALL), path)
    assert "call MemoryError" in plain.stdout, str(plain)
    assert_safeload_refuses(path, _WIDE_CALL)


# --- rt36-10: a back-reference (cycle) switches off the names bound's path counts (rt35-10) -----


def _rt36_10_union_with_cycle(branches: int, classes: int) -> bytes:
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    te = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 64)), rng.randint(0, 3, 60))
    assert te.target_type_ == "multiclass"
    te.feature_names_in_ = np.array([f"{i:04d}" + "f" * 1020 for i in range(64)], dtype=object)
    te.classes_ = np.arange(classes, dtype=np.int32)
    union = FeatureUnion([(f"{i:03d}" + "u" * 253, te) for i in range(branches)])
    te.back_ = union  # a spare attribute: the union -> list -> encoder -> union cycle
    return pickle.dumps(union, protocol=5)


def test_rt36_10_cycle_disables_path_counts(tmp_path: Path) -> None:
    """97 KB: rt35-10's file (one TargetEncoder, 64 names of 1,024 characters x 3,000
    classes, listed as 20 FeatureUnion branches with 256-character labels) plus one spare
    attribute on the encoder pointing back at the union. ``sharing.path_counts`` runs Kahn's
    algorithm from the root, which now has an in-edge from the cycle: nothing is ever ready,
    no count propagates, and every node gets ``max(1, 0) = 1``, so names.py counts the
    encoder's 192,000 names once instead of 20 times (without the back-reference the file is
    refused: "could write 3,840,000 names ... 10,529,280,000 bytes"). Any node with an
    in-edge from below (a cycle anywhere above the shared estimator) does the same.
    get_feature_names_out writes 20 x 192,000 names of ~1,284 characters, ~5 GB (MemoryError
    under 1 GiB; ~50,000 bytes per file byte). Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt36_10_union_with_cycle(20, 3000))
    # (under 512 MiB, not 1 GiB: the same MemoryError of ~5 GB asked, sooner)
    plain = child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    assert_safeload_refuses(path, _NAMES)


def _rt36_10_sketch_union_with_cycle(branches: int) -> bytes:
    from sklearn.kernel_approximation import PolynomialCountSketch
    from sklearn.pipeline import FeatureUnion

    sketch = PolynomialCountSketch(degree=1, n_components=2_000_000, random_state=0)
    sketch.fit(np.random.RandomState(0).rand(5, 1))
    union = FeatureUnion([(f"b{i}", sketch) for i in range(branches)])
    sketch.back_ = union  # the cycle that zeroes the path counts
    return pickle.dumps(union, protocol=5)


_TWO_ROWS = "r = model.transform(numpy.random.rand(2, 1))"


def test_rt36_10_cycle_reopens_rt35_11(tmp_path: Path) -> None:
    """1.2 KB: rt35-11's file (one PolynomialCountSketch of 2 x 10**6 components listed as 64
    FeatureUnion branches) plus ``sketch.back_ = union``: refused without the back-reference,
    scan SAFE and loaded with it, for the reason of rt36-10. transform of 2 rows of one
    feature stacks 64 x 2 x 10**6 columns: 2 GB of branch outputs plus 2 GB for the stacked
    copy (MemoryError under 3 GiB; ~3 million bytes per file byte per input row)."""
    # (the test: 20 branches under half a GiB)
    path = write(tmp_path, _rt36_10_sketch_union_with_cycle(20))
    plain = child(PLAIN_CALL.format(call=_TWO_ROWS), path, memory=GB // 2, cpu=30)
    assert "call MemoryError" in plain.stdout, str(plain)
    assert_safeload_refuses(path, _TWO_ROWS, cpu=30)


# --- rt36-11: transform_max_iter runs per row (lasso_cd), capped only per call at 100,000 -------


def _rt36_11_dictionary_lasso(components: int, features: int) -> bytes:
    from sklearn.decomposition import DictionaryLearning

    rng = np.random.RandomState(0)
    X = rng.rand(components + 5, features)
    m = DictionaryLearning(
        n_components=components, max_iter=1, transform_algorithm="lasso_cd", random_state=0
    ).fit(X)
    base = rng.rand(features)
    atoms = np.array([base + 1e-6 * rng.rand(features) for _ in range(components)])
    m.components_ = atoms / np.linalg.norm(atoms, axis=1, keepdims=True)  # nearly collinear
    m.transform_alpha = 1e-10  # coordinate descent on them never reaches its tolerance
    m.transform_max_iter = 100_000  # MAX_ITERATIONS allows it (the default is 1,000)
    return pickle.dumps(m, protocol=5)


_DL_CALL = "r = model.transform(numpy.random.RandomState(1).rand(20, 3))"


def test_rt36_11_dictionary_lasso_iterations_per_row(tmp_path: Path) -> None:
    """7.9 KB: DictionaryLearning/MiniBatchDictionaryLearning/SparseCoder with
    ``transform_algorithm='lasso_cd'`` encode through ``Lasso(max_iter=transform_max_iter)``
    fitted on all input rows as targets, and coordinate descent runs once per target: the
    count is per row, like rt35-12's ``max_doc_update_iter`` (PER_ROW_LIMITS, 1,000), but
    ``transform_max_iter`` keeps the per-call cap of 100,000. 300 nearly collinear unit atoms
    of 3 features and ``transform_alpha=1e-10`` never converge: every row runs all 100,000
    passes over a 300 x 300 Gram matrix, ~2.2 s of CPU per row (2 rows: 4.2 s measured after
    safeload's load; 0.04 s at the default 1,000), 20 rows ~45 s (killed at 2 s of CPU
    here), 1,000 rows ~37 minutes. Scan SAFE."""
    path = write(tmp_path, _rt36_11_dictionary_lasso(300, 3))
    plain = child(PLAIN_CALL.format(call=_DL_CALL), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and plain.crashed, str(plain)
    assert "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_safeload_refuses(path, _DL_CALL, cpu=4)


# --- rt36-12: a cycle hides nesting depth from deepest_nesting (MAX_ESTIMATOR_NESTING) ---------


def _rt36_12_hidden_nesting(above: int, below: int) -> bytes:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    def chain(n: int, leaf: Any) -> Any:
        node = leaf
        for _ in range(n):
            node = Pipeline([("s", node)])
        return node

    y = Pipeline([("s", chain(below - 1, StandardScaler()))])  # `below` levels under y
    x = chain(above, y)  # `above` pipelines, the innermost holding y
    y.back_ = x  # a spare attribute: y -> x closes a cycle
    # the root meets y first: x's depth is computed (and memoised) while y is on the path, so
    # the edge back to y counts nothing, and the root's own step x reuses that short depth
    return pickle.dumps(Pipeline([("y", y), ("x", x)]), protocol=5)


_REPR = "r = repr(model)"


def test_rt36_12_cycle_hides_nesting(tmp_path: Path) -> None:
    """891 bytes: ``sharing.deepest_nesting`` computes each node's depth once and reuses it,
    and an edge back into the current path counts nothing, so a node first met under one of
    its own descendants keeps a depth that leaves that descendant out (the flaw rt30-01 fixed
    in ``first_over_cap``). Root -> [y, x]: y holds 10 nested pipelines and a spare
    attribute pointing at x; x is 10 nested pipelines ending in y. x is first reached from y
    (y on the path), measured 10 deep; the root's step x reuses that: measured 12 (at most
    MAX_ESTIMATOR_NESTING), real 22 (root -> x's 10 -> y -> y's 10). repr (printing the
    model, a notebook's display) doubles its work per level: 5+5 levels 1.5 s, 6+6 8 s, 7+7
    23 s of CPU measured; 10+10 does not finish (killed at 2 s of CPU here), as rt31-08's
    24 levels never did. Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt36_12_hidden_nesting(10, 10))
    plain = child(PLAIN_CALL.format(call=_REPR), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and plain.crashed, str(plain)
    assert "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_safeload_refuses(path, _REPR, cpu=4)


# --- rt36-13: FeatureUnion.n_jobs starts that many worker processes (loky), up to 1,024 ----------


def _rt36_13_union_jobs(jobs: int) -> bytes:
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    m = FeatureUnion([("a", StandardScaler()), ("b", StandardScaler())])
    m.fit(np.random.RandomState(0).rand(5, 2))
    m.n_jobs = jobs  # the thread_count rule allows 1 to 1,024
    return pickle.dumps(m, protocol=5)


_JOBS_CALL = loky_workers_call("r = model.transform(numpy.random.rand(3, 2))", 8)


def test_rt36_13_union_n_jobs_starts_processes(tmp_path: Path) -> None:
    """1 KB: the dispatch rows hold every BaseEstimator's ``n_jobs`` to 1..1,024 as a
    *thread* count, but FeatureUnion.transform runs ``Parallel(n_jobs=self.n_jobs)`` on
    joblib's default backend, loky: worker *processes*, each a new interpreter importing
    numpy and scikit-learn (~100 MB each), which unpickle the branches with plain pickle.
    SECURITY.md promises that no process is started by any public method. With
    ``n_jobs=8`` transform of 3 rows starts 8 workers and loky's resource trackers
    (``n_jobs=64``: 66 child processes measured after safeload's load, on a 2-core machine;
    1,024, which the rule allows, would be ~100 GB of interpreters from a 1 KB file).
    ColumnTransformer.transform and MultiOutputRegressor.predict alike (``n_jobs=6``: 8
    child processes each, measured after safeload's load). Scan SAFE."""
    path = write(tmp_path, _rt36_13_union_jobs(8))
    plain = child(PLAIN_CALL.format(call=_JOBS_CALL), path, memory=8 * GB, cpu=60)
    assert workers_started(plain.stdout) >= 8, str(plain)
    safe = child(SAFE_CALL.format(call=_JOBS_CALL), path, memory=8 * GB, cpu=60)
    assert "refused" in safe.stdout or workers_started(safe.stdout) == 0, str(safe)
