r"""Red team 70: findings against red team 69's fixes (``_numeric_list`` / NUMBER_LISTS /
MAX_NUMBER_LIST / ARRAYS_IN_ARITHMETIC, the member-container rule, the absolute per-call bounds
of ``_check_per_call_products``, the HMAC readers' ``_PRINTABLE_RUN`` gate) and around them.
Red team 70, 21:27 to 22:12 UTC 2026-12-03, on 93b9d78 (16 findings, 34 tests).

Ported by the maintainer with the marks removed: every finding is fixed but three, kept as
documented limits (strict xfails, SECURITY.md): rt70-07 (a KNNImputer's distances to every
fitted sample, as an honest one's) and rt70-08/09 (fit and partial_fit train with the file's
hyperparameters); rt70-16's SelectFromModel form is rt66-09's documented limit (its input
width is its estimator's, 200,000 here). rt70-11 builds 85 members of 85, not 60 of 60: 60
nested members cost 109,800 member predictions in staged_predict, what 469 plain members
cost, within the stage bound (MAX_MEDIAN_STAGES plain members, 125,250).

"pure" is a snapshot of /work/main/src in /tmp/rt70p (SAFELOAD_PURE_PYTHON=1); "compiled" is
/work/main's .venv build with PYTHONPATH=/work/main/src. Every test below xfailed under both
(scan SAFE and load_unsigned loads, or for the honest ones refuses, alike). Sizes are of the
joblib files the tests write (xz 6 unless said).

rt70-01 (HARM: memory; against rt69-05/rt69-14's ``_numeric_list``: it counts a list only when
        its first item, up to three levels down, is a number) a fitted list whose items are
        1-d arrays is "not a number list" (0), and numpy makes it the 2-D array a method
        multiplies by. ``PLSRegression(1).x_rotations_ = [np.zeros(200_000)]`` (a
        ``CCA``'s as a one-tuple, a ``PLSSVD``'s ``x_weights_`` as two arrays alike): 1.1-1.7
        KB; scan SAFE, load loads (pure and compiled; as a (1, 200,000) array: refused,
        "200,000 columns per input column"); ``transform`` of (2,000, 1) asks 3.2 GB. Found by
        giving the count the list form whose first item is not a number.
rt70-02 (HARM: memory; a per-row product no bound reads) ``LocallyLinearEmbedding.transform``
        asks its ``nbrs_`` for ``self.n_neighbors`` neighbours of each row and solves
        ``barycenter_weights``, a (k, k) Gram matrix per row. The width bound counts k per
        input column (4k/d: 4,096 allows k = 20,480 on 20 columns) and the k-neighbours bound
        reads ``nbrs_``' own n_neighbors (3): an LLE fitted on 40 rows of 20 columns, its
        ``nbrs_`` a NearestNeighbors on 20,000 zero samples, ``embedding_`` (20,000, 1)
        zeros, ``n_neighbors`` 19,999: 1.4 KB; scan SAFE, load loads (pure and compiled);
        ``transform`` of ONE row (1, 20) asks 3 GB ("Unable to allocate 2.98 GiB ...
        (19999, 19999)"). Found by listing the holders that pass their own n_neighbors to a
        fitted neighbours model.
rt70-03 (HONEST-REFUSED; against rt69-05's MAX_NUMBER_LIST: NUMBER_LISTS is incomplete)
        ``DictVectorizer`` keeps ``feature_names_`` as the dicts' keys, and scikit-learn
        supports non-str keys (``get_feature_names_out`` converts them): an honest
        ``DictVectorizer().fit`` over 400 bags of token ids ``{id: count}`` (5,810 distinct
        int ids; float keys alike) is refused, "fitted attribute feature_names_ is a list of
        more than 4,096 numbers, which fit stores as an array" (pure and compiled; pickle
        ~100 KB). Found by listing the fitted lists scikit-learn keeps whose items may be
        numbers.
rt70-04 (HARM: memory; against rt69-12's MAX_GLOBAL_CENTRES: it reads
        ``subcluster_centers_``, which ``partial_fit(X)`` recomputes) ``Birch._fit`` ends with
        ``np.concatenate([leaf.centroids_ for leaf in self._get_leaves()])`` and ward-links
        those. A ``Birch(n_clusters=2, threshold=10)`` fitted on 20 rows of 5 columns (one
        subcluster; a new row merges into it, so ``centroids_`` is not re-sliced) whose one
        leaf's ``centroids_`` / ``init_centroids_`` are (20,000, 5) zeros: 1.3 KB; scan SAFE,
        load loads (pure and compiled); ``partial_fit`` of ONE row asks 1.6 GB. Found by
        reading where ``partial_fit(X)`` takes its centres from.
rt70-05 (HARM: memory; rt70-01's kind, under the allowance: the 4,096 numbers a list may hold
        are per attribute, and the side-by-side width sum reads arrays only) a
        ``FeatureUnion`` of 20 ``PLSRegression(1)`` members whose ``x_rotations_`` is one
        shared list ``[[0.0] * 4000]``: 1.9 KB (a pickle of 60 KB is SAFE alike); scan SAFE,
        load loads (pure and compiled; as (1, 4,000) arrays: refused, "80,000 columns per
        input column"); ``transform`` of (5,000, 1) asks 3.2 GB. Found by adding up lists
        each under the bound.
rt70-06 (HARM: memory; rt69-14's kind with a first item that is not a number)
        ``[[datetime.timedelta(0)] + [0.0] * 99_999]`` as ``x_rotations_`` is "not a number
        list"; numpy makes it an object array and ``np.dot`` multiplies it (timedelta *
        float is a timedelta): 1.9 KB; scan SAFE, load loads (pure and compiled); ``transform`` of
        (4,000, 1) asks 3.2 GB of pointers (an object array of 400 million items). Found by
        asking which allowlisted values multiply by a float.
rt70-07 (HARM: memory and CPU; the k-neighbours bound needs ``n_samples_fit_``, which
        KNNImputer has not) ``KNNImputer.transform`` computes nan_euclidean distances of each
        row with a missing value to every fitted sample, in chunks of scikit-learn's 1 GB
        working memory: a ``KNNImputer(5)`` fitted on (400,000, 2) zeros: 1.7 KB; scan SAFE,
        load loads (pure and compiled); ``transform`` of 1,000 rows with a missing value held
        3.2 GB (max RSS) and took 26 s of CPU (one row: 3 MB, 0.06 s). An honest imputer of
        400,000 samples costs the same: only compressed zeros make the file small. Found by
        reading which neighbours models the per-call bound skips.
rt70-08 (HARM: CPU; fit-time counts no bound reads) ``fit`` honours a stored ``n_init``,
        ``max_iter`` or ``n_estimators`` (the promise lists ``fit``): a ``GaussianMixture(2)``
        with ``n_init = 10**7`` (KMeans alike), an ``SGDClassifier(tol=None)`` with
        ``max_iter = 10**7``, a ``RandomForestClassifier(warm_start=True)`` with
        ``n_estimators = 10**7``: 0.6-1.8 KB; scan SAFE, load loads (pure and compiled);
        ``fit`` on 20 rows of 2 columns runs past a 1 s CPU limit (hours: the
        initialisations, epochs or trees run in full). Found by trying the brief's untested
        idea.
rt70-09 (HARM: CPU; rt70-08's kind through a method with no input) ``Birch.partial_fit()``
        runs ``n_clusters.fit_predict(subcluster_centers_)`` when ``n_clusters`` is an
        estimator: a ``Birch`` fitted on 20 rows (20 subcluster centres) whose
        ``n_clusters`` is ``AffinityPropagation(max_iter=10**7, convergence_iter=10**7)``:
        1.7 KB; scan SAFE, load loads (pure and compiled); ``partial_fit()`` with no input
        was killed at 20 s of CPU (and past the test's 1 s). Found by reading what the
        no-input ``partial_fit`` calls (rt69-12's method).
rt70-10 (HONEST-REFUSED; the sharing bound) an honest ``Birch(n_clusters=3)`` fitted on 2,000
        points of a 100 x 100 map (default threshold 0.5: 44 leaves, 1,592 subclusters;
        pickle 346 KB) is refused by scan and load: "the model unfolds into more values than
        the file's size allows: memo references reuse memoised containers so often that
        printing or comparing it would build far more than the file holds" (pure and
        compiled; 400 points, 2 leaves, load). The CF tree's leaves are also a doubly
        linked list (``prev_leaf_`` / ``next_leaf_``), so the paths to them multiply. Found
        while building an honest Birch past MAX_GLOBAL_CENTRES (which this refuses first).
rt70-11 (HARM: CPU; against MAX_MEDIAN_STAGES and the meeting bound: both count one level)
        an ``AdaBoostRegressor`` whose members are ``AdaBoostRegressor``s:
        ``staged_predict`` predicts with the first k outer members at stage k, each with all
        of its own, so it is cubic. 85 outer members, each listing the same 85 stumps once
        (so ``_held_once`` and the 500-member bound hold; 120 are refused, "met
        122,798,464 bytes' worth by one predict"): 1.7 KB; scan SAFE, load loads (pure and
        compiled);
        ``staged_predict`` of ONE row took 46 s (the test: 60 members, past 1 s of CPU).
        Found by nesting the bounded ensemble in itself.
rt70-12 (TRUST, low; the text readers read ASCII only) a P-256 PEM public key or an OpenSSH
        Ed25519 line encoded in EBCDIC (code page 037 or 500: IBM mainframes' text files;
        also base64 of it) is accepted as an HMAC secret (pure and compiled): no reader
        decodes EBCDIC, and a decoded EBCDIC form has no ``_PRINTABLE_RUN`` (its letters are
        bytes 0x81-0xE9). Found by looking for printed forms whose bytes are not ASCII
        (UTF-16, with or without a BOM, inside base64, is read: held).
rt70-13 (HARM: memory; a vector no width check reads) a decomposition's ``mean_`` is added
        to or subtracted from the input without a width check: ``PCA(1).mean_`` (1, 200,000)
        zeros (or ``[np.zeros(200_000)]``), ``IncrementalPCA`` and ``SparsePCA`` alike:
        ``inverse_transform`` of (rows, 1) returns (rows, 200,000) (in a Pipeline alike);
        ``FactorAnalysis.mean_`` and ``PLSSVD._x_mean`` / ``_x_std``: ``transform``'s ``X -
        mean_`` is (rows, 200,000) before a ValueError. 0.9-1.1 KB; scan SAFE, load loads
        (pure and compiled); (2,000, 1) asks 3.2 GB. (Held, refused: LDA's ``xbar_``,
        BayesianRidge's ``sigma_``, GaussianNB's ``theta_``, QDA's ``means_`` so widened.)
        Found by listing the fitted vectors methods broadcast against the input.
rt70-14 (HARM: memory; rt70-13's kind for the matrices back to the input space)
        ``GaussianRandomProjection.inverse_components_`` (200,000, 1) (SparseRandomProjection
        alike), ``FastICA.mixing_`` (200,000, 1), ``KernelPCA.dual_coef_`` (40, 200,000) and
        ``PLSRegression.x_loadings_`` (200,000, 1) make ``inverse_transform`` of (rows, 1)
        return (rows, 200,000);
        ``BernoulliRBM(1).intercept_hidden_`` of 200,000 zeros makes ``score_samples``' free
        energy (rows, 200,000); ``SimpleImputer(add_indicator=True)``'s ``statistics_`` of
        200,000 zeros makes ``inverse_transform`` allocate (rows, 200,000). 0.75-11 KB; scan
        SAFE, load loads (pure and compiled); (2,000, 1) asks 3.2 GB (6.4 GB for the RBM).
        (Held: Nystroem's ``normalization_``.) Found as rt70-13.
rt70-15 (HARM: memory; an attribute without a trailing "_" sizes an allocation)
        ``_CalibratedClassifier.predict_proba`` allocates ``(rows, len(self.classes))``
        (``LabelEncoder`` keeps the distinct labels, ``len`` counts them all) before
        ``CalibratedClassifierCV`` adds it to its (rows, 2): members whose ``classes`` is
        ``[0, 1]`` and 199,998 zeros: 1.6 KB; scan SAFE, load loads (pure and compiled);
        ``predict_proba`` of (2,000, 1) asks 3.2 GB per member, then raises. Found by
        reading which of a helper's attributes size its output.
rt70-16 (HARM: memory; the support-mask width check covers SelectKBest's ``scores_`` and
        RFE's / SequentialFeatureSelector's ``support_`` (refused: "not one float / bool per
        input feature"), not VarianceThreshold's ``variances_`` nor SelectFromModel's
        ``estimator_.coef_``) a ``VarianceThreshold(0.5)`` fitted on one column whose
        ``variances_`` is 200,000 items (the first 1.0, the rest 0): 0.7 KB (a
        SelectFromModel whose ``estimator_`` is a Ridge of 200,000 columns, ``coef_`` alike:
        0.9 KB); scan SAFE, load loads (pure and compiled); ``inverse_transform`` of (2,000, 1)
        allocates (2,000, 200,000), 3.2 GB. Found with rt70-14, listing the
        ``inverse_transform``s that size their output from a stored vector.

Held (tried, refused by both): a kernel made a DAG of 24 shared Sums ("unfolds"); Bagging's
``estimators_features_`` longer than the input; FeatureAgglomeration's ``labels_`` longer than
the input; a Birch leaf chain with a cycle; KNN ``n_samples_fit_`` lying or a float; KNN
counts as numpy int64/int32/uint16; DummyClassifier ``n_classes_``; an SVC of 600 classes
(its pairs count as columns); first items of every numpy number type and 0-d arrays
(scan and load agree); calibrated members as a list or object array of one shared member
("unfolds"); a TransformedTargetRegressor over rt70-13's PCA, a GaussianProcessClassifier's
``W_sr_`` of 200,000 over one training sample, a KernelPCA's ``X_fit_`` of 200,000 zero rows
(the width count: "134,464" / "200,000 columns per input column"). HMAC: 20,000 random
secrets of 32-64 bytes in 19 forms (raw, hex, HEX, 0x, spaced/colon hex, base64 with/without
newline, url-safe, base32 lower/no-pad/hex alphabet, base85, ascii85, printable passwords
with and without spaces, UUID pairs, 64 digits) refused none but one base58 form (a 35-byte
secret starting 0x80 0x24, the P-256 multicodec: the documented base58 limit, at another
length); 21 pathological 100-300 KB texts took at
most 0.9 s each (linear), and hex/base64 nested three deep (up to 1 MB) at most 1.4 s.

Ideas not tested:
- scan/load time: 20,000 distinct calibrated members are a 2.4 KB xz file of 6.9 MB that
  scans in 67 s and loads in 40 s (pure), linear in the decompressed size (4,000 members:
  1.3 KB, scan 14 s pure / 6.7 s compiled, load 7.6 s / 2.5 s, plain joblib.load 0.5 s);
  ``predict_proba`` of one row then takes 14 s for 20,000. Whether that is the documented
  decompression limit (rt26b-03) or a member-count bound is missing was not settled.
- rt70-10's cause (the doubly linked leaf list) was inferred, not traced in ``sharing``.
- LLE's siblings: other holders that hand their own count to a fitted sub-model.
- rt70-13/14 through holders other than ``TransformedTargetRegressor`` (whose target
  transformer's inverse is counted: held, "134,464 columns") and ``Pipeline.inverse_transform``.
- Other helper objects' attributes without a trailing "_" (rt70-15's kind).
- EBCDIC code page 1047 (z/OS USS's default; Python has no codec) and other non-ASCII
  encodings of key text (rt70-12).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    assert_refused_with,
    compressed_joblib,
    joblib_out_of_memory,
    load_honest,
)

# --- rt70-01: a fitted list whose first item is a 1-d array -----------------------------------


@pytest.mark.parametrize("kind", ["pls_list", "cca_tuple", "plssvd_list"])
def test_rt70_01_list_of_arrays(tmp_path, kind):
    import warnings

    from sklearn.cross_decomposition import CCA, PLSSVD, PLSRegression

    n = 200_000
    rs = np.random.RandomState(0)
    x, y = rs.rand(40, 1), rs.rand(40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "pls_list":
            model = PLSRegression(1).fit(x, y)
            model.x_rotations_ = [np.zeros(n)]  # (numpy makes it a (1, n) array)
        elif kind == "cca_tuple":
            model = CCA(1).fit(x, y)
            model.x_rotations_ = (np.zeros(n),)
        else:
            model = PLSSVD(1).fit(np.c_[x, x], np.c_[y, y])
            model.x_weights_ = [np.zeros(n), np.zeros(n)]
    width = 2 if kind == "plssvd_list" else 1
    assert model.transform(np.zeros((2, width))).shape == (2, n)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "pls_list":  # (the harm shown once: (2,000, 200,000) floats, 3.2 GB)
        joblib_out_of_memory(path, "model.transform(numpy.zeros((2000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt70-02: LocallyLinearEmbedding's own n_neighbors over its nbrs_ --------------------------


def test_rt70_02_lle_gram_per_row(tmp_path):
    from sklearn.manifold import LocallyLinearEmbedding
    from sklearn.neighbors import NearestNeighbors

    d, n = 20, 20_000
    rs = np.random.RandomState(0)
    model = LocallyLinearEmbedding(n_neighbors=3, n_components=1).fit(rs.rand(40, d))
    model.nbrs_ = NearestNeighbors(n_neighbors=3).fit(np.zeros((n, d)))
    model.embedding_ = np.zeros((n, 1))
    model.n_neighbors = n - 1  # (transform asks nbrs_ for n - 1 neighbours of each row)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    # one row: barycenter_weights builds C @ C.T for the row's 19,999 neighbours, 3.2 GB
    joblib_out_of_memory(path, "model.transform(numpy.zeros((1, 20)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt70-03: an honest DictVectorizer over int-keyed dicts --------------------------------------


def test_rt70_03_honest_dict_vectorizer_int_keys(tmp_path):
    from sklearn.feature_extraction import DictVectorizer

    rs = np.random.RandomState(0)
    # bags of token ids ({id: count}, as a tokenizer's ids come), 5,810 distinct ids
    docs = [{int(k): 1.0 for k in rs.randint(0, 6000, 50)} for _ in range(400)]
    model = DictVectorizer().fit(docs)
    assert type(model.feature_names_) is list and len(model.feature_names_) > 4096
    assert type(model.feature_names_[0]) is int  # (as fit keeps them: the dicts' keys)
    loaded = load_honest(model, tmp_path)
    assert loaded.transform(docs[:3]).shape == (3, len(model.feature_names_))


# --- rt70-04: Birch.partial_fit(X) clusters the CF tree's leaves, not subcluster_centers_ ------


def test_rt70_04_birch_leaf_centroids(tmp_path):
    from sklearn.cluster import Birch

    d, n = 5, 20_000
    # (threshold 10: the 20 rows are one subcluster, and a new row merges into it)
    model = Birch(n_clusters=2, threshold=10.0).fit(np.random.RandomState(0).rand(20, d))
    leaf = model.root_  # (the one leaf, dummy_leaf_.next_leaf_)
    leaf.init_centroids_, leaf.init_sq_norm_ = np.zeros((n, d)), np.zeros(n)
    leaf.centroids_, leaf.squared_norm_ = leaf.init_centroids_, leaf.init_sq_norm_
    assert model.subcluster_centers_.shape == (1, d)  # (what the bound of rt69-12 reads)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    # one row: _fit concatenates the leaves' 20,000 centroids and ward-links them (1.6 GB)
    joblib_out_of_memory(path, "model.partial_fit(numpy.zeros((1, 5)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt70-05: lists under the 4,096 allowance, summed side by side by a union -----------------


def test_rt70_05_union_of_short_lists(tmp_path):
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.pipeline import FeatureUnion

    rs = np.random.RandomState(0)
    pls = PLSRegression(1).fit(rs.rand(40, 1), rs.rand(40))
    shared = [[0.0] * 4000]  # (under MAX_NUMBER_LIST; one list, met by every member)
    members = []
    for i in range(20):
        member = copy.deepcopy(pls)
        member.x_rotations_ = shared
        members.append((f"p{i}", member))
    model = FeatureUnion(members)
    assert model.transform(np.zeros((2, 1))).shape == (2, 80_000)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    # (5,000, 80,000) floats: 3.2 GB for 5,000 rows of one column
    joblib_out_of_memory(path, "model.transform(numpy.zeros((5000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt70-06: a fitted list whose first item is a timedelta ------------------------------------


def test_rt70_06_list_with_timedelta_first(tmp_path):
    import datetime
    import warnings

    from sklearn.cross_decomposition import PLSRegression

    rs = np.random.RandomState(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = PLSRegression(1).fit(rs.rand(40, 1), rs.rand(40))
    # numpy makes an object array of it; timedelta * float is a timedelta, 0.0 * float a float
    model.x_rotations_ = [[datetime.timedelta(0)] + [0.0] * 99_999]
    assert model.transform(np.zeros((2, 1))).shape == (2, 100_000)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    # (4,000, 100,000) object array: 3.2 GB of pointers alone, before the floats they hold
    joblib_out_of_memory(path, "model.transform(numpy.zeros((4000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt70-07: KNNImputer's distances to every fitted sample, with no n_samples_fit_ -------------


@pytest.mark.xfail(
    strict=True,
    reason="rt70-07, a documented limit (SECURITY.md): a KNNImputer measures each row with a "
    "missing value against every fitted sample, as an honest one of that size does",
)
def test_rt70_07_knn_imputer_zero_samples(tmp_path):
    from sklearn.impute import KNNImputer

    model = KNNImputer(n_neighbors=5).fit(np.zeros((400_000, 2)))
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    # rows with a missing value: nan_euclidean distances to all 400,000 samples, in chunks of
    # scikit-learn's 1 GB working memory (1,000 rows: 3.2 GB peak and 26 s of CPU, no limit)
    call = "x = numpy.zeros((1000, 2)); x[:, 0] = numpy.nan; model.transform(x)"
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt70-08: fit honours a stored n_init / max_iter / n_estimators of 10**7 --------------------


@pytest.mark.xfail(
    strict=True,
    reason="rt70-08/09, a documented limit (SECURITY.md): fit and partial_fit train with the "
    "file's hyperparameters (iterations, restarts, members); set your own before refitting",
)
@pytest.mark.parametrize("kind", ["mixture_n_init", "sgd_max_iter", "forest_warm_start"])
def test_rt70_08_fit_time_counts(tmp_path, kind):
    import warnings

    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import SGDClassifier
    from sklearn.mixture import GaussianMixture

    from redteam import PLAIN_JOBLIB_CALL, child

    rs = np.random.RandomState(0)
    x, y = rs.rand(20, 2), np.arange(20) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "mixture_n_init":
            model = GaussianMixture(2).fit(x)
            model.n_init = 10**7  # (fit runs 10**7 initialisations, whatever the data)
        elif kind == "sgd_max_iter":
            model = SGDClassifier(max_iter=5, tol=None).fit(x, y)
            model.max_iter = 10**7  # (tol=None: every epoch runs)
        else:
            model = RandomForestClassifier(3, warm_start=True).fit(x, y)
            model.n_estimators = 10**7  # (a warm-started fit adds trees up to it)
    path = compressed_joblib(tmp_path, model, 20_000)
    call = "model.fit(numpy.random.RandomState(0).rand(20, 2), numpy.arange(20) % 2)"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt70-09: Birch.partial_fit() with no input runs a stored clusterer's iterations -----------


@pytest.mark.xfail(
    strict=True,
    reason="rt70-08/09, a documented limit (SECURITY.md): fit and partial_fit train with the "
    "file's hyperparameters (iterations, restarts, members); set your own before refitting",
)
def test_rt70_09_birch_clusterer_iterations(tmp_path):
    from sklearn.cluster import AffinityPropagation, Birch

    from redteam import PLAIN_JOBLIB_CALL, child

    model = Birch(n_clusters=2, threshold=0.01).fit(np.random.RandomState(0).rand(20, 2))
    # (20 subcluster centres: far under MAX_GLOBAL_CENTRES; the clusterer's counts are fit-time
    # parameters no use-time budget reads, and convergence is checked from iteration 10**7 on)
    model.n_clusters = AffinityPropagation(max_iter=10**7, convergence_iter=10**7)
    path = compressed_joblib(tmp_path, model, 20_000)
    plain = child(PLAIN_JOBLIB_CALL.format(call="model.partial_fit()"), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt70-10: an honest Birch of 44 leaves is refused by the sharing bound ----------------------


def test_rt70_10_honest_birch_refused_as_unfolding(tmp_path):
    from sklearn.cluster import Birch

    rs = np.random.RandomState(0)
    x = rs.rand(2000, 2) * 100  # (2,000 places on a 100 x 100 km map, default threshold 0.5)
    model = Birch(n_clusters=3).fit(x)
    assert len(model._get_leaves()) == 44 and model.subcluster_centers_.shape == (1592, 2)
    # (refused today: "the model unfolds into more values than the file's size allows: memo
    # references reuse memoised containers so often that printing or comparing it would build
    # far more than the file holds"; the pickle is 346 KB)
    loaded = load_honest(model, tmp_path)
    assert (loaded.predict(x[:5]) == model.predict(x[:5])).all()


# --- rt70-11: AdaBoostRegressor members that are AdaBoostRegressors: staged_predict is cubic ---


def _nested_adaboost(k: int) -> Any:
    from sklearn.ensemble import AdaBoostRegressor
    from sklearn.tree import DecisionTreeRegressor

    rs = np.random.RandomState(0)
    x, y = rs.rand(20, 1), rs.rand(20)
    base = AdaBoostRegressor(DecisionTreeRegressor(max_depth=1), n_estimators=3).fit(x, y)
    stumps = [copy.deepcopy(base.estimators_[0]) for _ in range(k)]
    inners = []
    for _ in range(k):
        inner = copy.copy(base)  # (a shallow copy: its arrays are set anew below)
        inner.estimators_ = list(stumps)  # (the same k stumps: each once in every list)
        inner.estimator_weights_, inner.estimator_errors_ = np.ones(k), np.full(k, 0.1)
        inner.n_estimators = k
        inners.append(inner)
    outer = copy.deepcopy(base)
    outer.estimator = AdaBoostRegressor(DecisionTreeRegressor(max_depth=1))
    outer.estimators_ = inners
    outer.estimator_weights_, outer.estimator_errors_ = np.ones(k), np.full(k, 0.1)
    outer.n_estimators = k
    return outer


def test_rt70_11_nested_adaboost_staged_predict(tmp_path):
    from redteam import PLAIN_JOBLIB_CALL, child

    # 85 members of 85 shared stumps: 46 s for one row (60 of 60 are within the stage bound,
    # as 469 plain members are). The meeting bound counts one predict (120 of 120 are refused
    # by it); staged_predict runs the first k outer members at stage k, each with all its own
    path = compressed_joblib(tmp_path, _nested_adaboost(85), 20_000, ("xz", 6))
    call = "for _ in model.staged_predict(numpy.zeros((1, 1))): pass"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt70-12: a PEM or OpenSSH public key in EBCDIC is accepted as an HMAC secret --------------


def _ebcdic_key(form: str) -> bytes:
    import base64

    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    if form.startswith("openssh"):
        raw = ed25519.Ed25519PrivateKey.generate().public_key()
        text = raw.public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH).decode() + "\n"
    else:
        key = ec.generate_private_key(ec.SECP256R1()).public_key()
        text = key.public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo).decode()
    # (IBM mainframes keep text files in EBCDIC: code pages 037 and 500 are Python's)
    data = text.encode("cp500" if "cp500" in form else "cp037")
    return base64.b64encode(data) if form.endswith("base64") else data


@pytest.mark.parametrize("form", ["pem-cp037", "pem-cp500", "pem-cp037-base64", "openssh-cp037"])
def test_rt70_12_ebcdic_public_key_secret(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_ebcdic_key(form))


# --- rt70-13: a decomposition's mean_ wider than its input broadcasts ---------------------------


@pytest.mark.parametrize(
    "kind",
    ["pca_array", "pca_list", "incremental_pca", "sparse_pca", "factor_analysis", "plssvd"],
)
def test_rt70_13_wide_mean(tmp_path, kind):
    from sklearn.cross_decomposition import PLSSVD
    from sklearn.decomposition import PCA, FactorAnalysis, IncrementalPCA, SparsePCA

    n = 200_000
    x = np.random.RandomState(0).rand(40, 1)
    if kind.startswith("pca"):
        model = PCA(1).fit(x)
        # inverse_transform is X @ components_ + mean_: (rows, 1) + (1, n) is (rows, n)
        model.mean_ = np.zeros((1, n)) if kind == "pca_array" else [np.zeros(n)]
        assert model.inverse_transform(np.zeros((2, 1))).shape == (2, n)
        call = "model.inverse_transform(numpy.zeros((2000, 1)))"
    elif kind in ("incremental_pca", "sparse_pca"):
        model = (IncrementalPCA if kind == "incremental_pca" else SparsePCA)(1).fit(x)
        model.mean_ = np.zeros(n)
        assert model.inverse_transform(np.zeros((2, 1))).shape == (2, n)
        call = "model.inverse_transform(numpy.zeros((2000, 1)))"
    elif kind == "factor_analysis":
        model = FactorAnalysis(1).fit(x)
        model.mean_ = np.zeros(n)  # (transform's X - mean_ is (rows, n), then it raises)
        call = "model.transform(numpy.zeros((2000, 1)))"
    else:
        model = PLSSVD(1).fit(x, np.random.RandomState(1).rand(40, 2))
        model._x_mean, model._x_std = np.zeros(n), np.ones(n)  # ((X - _x_mean) / _x_std)
        call = "model.transform(numpy.zeros((2000, 1)))"
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind in ("pca_array", "factor_analysis"):  # ((2,000, 200,000) floats: 3.2 GB, 0.9 KB)
        joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt70-14: inverse_transform's matrices back to an input space wider than the input ---------


@pytest.mark.parametrize(
    "kind", ["random_projection", "fast_ica", "kernel_pca", "pls", "rbm", "simple_imputer"]
)
def test_rt70_14_wide_inverse_transform(tmp_path, kind):
    import warnings

    from sklearn.cross_decomposition import PLSRegression
    from sklearn.decomposition import FastICA, KernelPCA
    from sklearn.impute import SimpleImputer
    from sklearn.neural_network import BernoulliRBM
    from sklearn.random_projection import GaussianRandomProjection

    n = 200_000
    rs = np.random.RandomState(0)
    x = rs.rand(40, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "random_projection":  # (X @ inverse_components_.T)
            model = GaussianRandomProjection(1, compute_inverse_components=True).fit(x)
            model.inverse_components_ = np.zeros((n, 1))
        elif kind == "fast_ica":  # (X @ mixing_.T + mean_)
            model = FastICA(1, whiten="unit-variance").fit(x)
            model.mixing_ = np.zeros((n, 1))
        elif kind == "kernel_pca":  # (kernel(X, X_transformed_fit_) @ dual_coef_)
            model = KernelPCA(1, fit_inverse_transform=True).fit(x)
            model.dual_coef_ = np.zeros((40, n))
        elif kind == "pls":  # (X @ x_loadings_.T, times _x_std, plus _x_mean)
            model = PLSRegression(1).fit(x, rs.rand(40))
            model.x_loadings_ = np.zeros((n, 1))
        elif kind == "rbm":  # (score_samples' free energy: X @ components_.T + intercept_hidden_)
            model = BernoulliRBM(n_components=1).fit(x)
            model.intercept_hidden_ = np.zeros(n)
        else:  # (inverse_transform allocates (rows, len(statistics_)))
            missing = x.copy()
            missing[::3] = np.nan
            model = SimpleImputer(add_indicator=True).fit(missing)
            model.statistics_ = np.zeros(n)
    if kind == "rbm":
        assert model.score_samples(np.zeros((2, 1))).shape == (2,)
    elif kind == "simple_imputer":  # (its output: the imputed column and the indicator)
        assert model.inverse_transform(np.zeros((2, 2))).shape == (2, n)
    else:
        assert model.inverse_transform(np.zeros((2, 1))).shape == (2, n)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "random_projection":  # (the harm shown once: (2,000, 200,000), 3.2 GB, 0.8 KB)
        call = "model.inverse_transform(numpy.zeros((2000, 1)))"
        joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt70-15: a calibrated member's classes (no trailing "_") sizes its probabilities ----------


def test_rt70_15_calibrated_member_classes(tmp_path):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    rs = np.random.RandomState(0)
    model = CalibratedClassifierCV(LogisticRegression(), cv=2)
    model.fit(rs.rand(60, 1), np.arange(60) % 2)
    for member in model.calibrated_classifiers_:
        # _CalibratedClassifier.predict_proba allocates (rows, len(classes)) before the
        # holder adds it to its (rows, 2): len, not the distinct labels LabelEncoder keeps
        member.classes = np.r_[np.arange(2), np.zeros(199_998, dtype=np.int64)]
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    # (2,000 rows: a (2,000, 200,000) float array per member, 3.2 GB, then a ValueError)
    joblib_out_of_memory(path, "model.predict_proba(numpy.zeros((2000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt70-16: VarianceThreshold's variances_ longer than its input ----------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "variance_threshold",
        # (SelectFromModel's n_features_in_ is its estimator's: a selector over 200,000
        # features, whose inverse_transform is that wide, as rt66-09/16's documented limit)
        pytest.param(
            "select_from_model",
            marks=pytest.mark.xfail(
                strict=True,
                reason="rt66-09/16, a documented limit (SECURITY.md): inverse_transform "
                "returns rows as wide as the model's input, n_features_in_",
            ),
        ),
    ],
)
def test_rt70_16_selector_mask(tmp_path, kind):
    from sklearn.feature_selection import SelectFromModel, VarianceThreshold
    from sklearn.linear_model import Ridge

    n = 200_000
    rs = np.random.RandomState(0)
    x = rs.rand(40, 1) * 10
    weights = np.zeros(n)
    weights[0] = 1.0  # (one kept feature: the input's one column)
    if kind == "variance_threshold":
        model = VarianceThreshold(0.5).fit(x)
        model.variances_ = weights
    else:  # (the mask is estimator_.coef_ over the threshold: a Ridge of 200,000 columns)
        model = SelectFromModel(Ridge(), threshold=0.5).fit(x, rs.rand(40))
        model.estimator_ = Ridge().fit(np.zeros((2, n)), np.zeros(2))
        model.estimator_.coef_ = weights
    # inverse_transform is np.zeros((rows, support.size)) with the kept columns filled
    assert model.inverse_transform(np.zeros((2, 1))).shape == (2, n)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "variance_threshold":  # ((2,000, 200,000): 3.2 GB)
        call = "model.inverse_transform(numpy.zeros((2000, 1)))"
        joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)
