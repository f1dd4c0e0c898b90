r"""Red team 69: findings against red team 68's fixes (``_stored_inputs``' precomputed /
Isomap / frame-column cases, LABEL_HELPERS, the per-call bounds in widths.py:
components_ columns, GRAM_COMPONENTS, MAX_SELF_NEIGHBOURS, the Gaussian-process factor and
targets, MAX_MEDIAN_STAGES, ARRAYS_IN_ARITHMETIC; the HMAC readers of printed bytes).
Red team 69, 17:57 to 18:42 UTC 2026-12-03 (16 findings; rt69-13, rt69-14 and rt69-16 are
against the maintainer's working-tree fixes of rt69-10 and rt69-05, seen at 18:31-18:37: under the
committed ac1f020 rt69-13's files are refused and rt69-16's model loads, so those tests
pass there; rt69-14 is rt69-05 itself there).

"pure" is a snapshot of /work/main in /tmp/rt69p (SAFELOAD_PURE_PYTHON=1); "compiled" is
/work/main's .venv build with PYTHONPATH=/work/main/src.

rt69-01 (HARM: memory; rt68-16's kind for ``components_``: the Gram bound and
        ARRAYS_IN_ARITHMETIC read arrays only) GRAM_COMPONENTS reads
        ``_shape(components_)``, which a list of lists does not have, and
        ARRAYS_IN_ARITHMETIC does not list ``components_``: ``DictionaryLearning.transform``
        passes it to ``sparse_encode`` (``check_array`` makes it an array, then its Gram
        matrix), ``FactorAnalysis.transform`` computes ``Ih = eye(len(components_))`` and
        ``components_ / noise_variance_`` (an array). A ``DictionaryLearning(2)`` fitted on 4
        columns whose ``components_`` is ``[[0.0] * 4] * 16_384`` (one row, referenced;
        MiniBatchDictionaryLearning and FactorAnalysis alike): joblib xz, 0.6-3.7 KB; scan
        SAFE, load loads (pure); ``transform`` of ONE row (1, 4) asks 2 GB, as rt68-04.
        (Held: NMF, MiniBatchNMF and SparsePCA fail on a list: ``_check_init`` reads its
        length against ``n_components_`` / ``.T``.) Found by giving rt68-16's list to the
        other GRAM_COMPONENTS.
rt69-02 (HARM: CPU; against rt68-10's MAX_MEDIAN_STAGES: it counts a list or tuple only)
        The member bound reads ``estimators_`` when ``type(members) in (list, tuple)``, but
        ``staged_predict`` iterates ``estimators_`` and ``_get_median_predict`` slices it
        (``self.estimators_[:limit]``), which a one-dimensional object array of the members
        does as a list does (and the meta-estimator checks admit it). rt68-10's file (a stump
        fitted on 20 rows of one column, 800 copies of it) with ``estimators_`` an object
        array: joblib compress=3, 4 KB; scan SAFE, load loads (pure); ``staged_predict`` of
        ONE row (1, 1) reached stage 300 after 10 s of CPU (quadratic: ~45 s for all 800).
        Found by giving the counted container as the other sequence numpy slices.
rt69-03 (HARM: memory; against rt68-08's LABEL_HELPERS: the skip is by place, not by what
        the holder does with it) ``peak_input_copies`` drops from any holder's children the
        LabelBinarizer the holder keeps at ``_label_binarizer`` / ``label_binarizer_``,
        whatever the holder's class, and the same instance may also be the holder's member.
        A ``GridSearchCV(LabelBinarizer(), ...)`` whose ``best_estimator_`` is a
        LabelBinarizer fitted on 300,000 classes, with that instance also stored as its
        ``_label_binarizer`` (or ``label_binarizer_``: an extra attribute): joblib xz, 75 KB;
        scan SAFE, load loads (pure; without the extra attribute: refused, "300,000 columns
        per input column"); ``transform`` (the search's, to its best estimator) of 2,000
        labels asks 4.8 GB (a dense (2,000, 300,000) int array). Found by storing the member
        at the place the skip reads.
rt69-04 (HARM: memory; against rt68-06's ``_frame_columns`` cache: it is keyed by the
        names array and the indices dict, but its answer depends on the transformer's own
        ``transformers_``) ``_frame_columns`` remembers the distinct names a column
        transformer's kept branches read by ``id(feature_names_in_)`` and
        ``id(_transformer_to_input_indices)``, and which branches are kept (not "drop") is
        read from ``transformers_``, which is not part of the key. Two column transformers
        that share the names array and the indices dict (pickle's memo) but not their
        ``transformers_`` get the first one's count: a decoy (a MultiOutputRegressor stored
        as the holder's unfitted ``estimator`` template, whose one member is a pipeline
        starting with a column transformer that keeps both branches "a" (``c0``) and "b"
        (the other 299 names) of a 300-column frame) is counted first (leaves up), then
        rt68-06's holder, whose 20 members are one pipeline whose column transformer drops
        "b" in ``transformers_`` (so ``transform`` checks and reads ``c0`` only) and whose
        Ridge has 40,000 zero-weight targets, is divided by the cached 300. A zlib-compressed
        pickle stream (a joblib file: ``joblib.load`` detects the compressor; joblib's own
        writer writes each array anew, so the names array is not shared there), 60 KB; scan
        SAFE, load loads (pure and compiled; without the decoy: refused, "1,134,464 columns
        per input column"); ``predict`` of a 300-row one-column DataFrame asks 1.9 GB. (The
        test: 20,000 targets, 400 rows, 1.3 GB.) Found by asking what the cache's answer
        depends on beside its key.
rt69-05 (HARM: memory; rt68-11/15's kind: ARRAYS_IN_ARITHMETIC names ten attributes,
        and the output widths read the others by ``shape_of``) the projections' and kernel
        approximations' fitted arrays are multiplied by the input as lists too, and a list
        has no shape to count: ``PLSRegression.transform`` is ``X @ x_rotations_`` (and
        ``y @ y_rotations_`` for its y), ``PLSSVD.transform`` ``X @ x_weights_``, CCA's as
        PLS's, and ``Nystroem.transform`` computes ``pairwise_kernels(X, components_)``
        (``check_pairwise_arrays`` makes the list an array: (rows, n) before its
        ``normalization_``). A ``PLSRegression(1)`` fitted on one column whose
        ``x_rotations_`` is ``[[0.0] * 200_000]``: joblib xz, 1.9 KB; scan SAFE, load loads
        (pure; as an array: refused, "200,000 columns per input column"); ``transform`` of
        (2000, 1) asks 3.2 GB (it returns (rows, 200,000)). A ``Nystroem(2)`` whose
        ``components_`` is ``[[0.0]] * 200_000`` and ``normalization_`` (1, 200,000) zeros:
        1 KB; the same, for an output of (rows, 1). (Held, refused: RBFSampler's
        ``random_weights_`` as a list (``safe_sparse_dot`` reads ``.ndim``), LDA's
        ``scalings_``, QDA's ``rotations_``, BayesianRidge's ``sigma_``, NearestCentroid's
        ``centroids_``, KMeans' ``cluster_centers_`` as lists.) Found by giving each fitted
        array a transform multiplies by as a list.
rt69-06 (TRUST, low; against rt68-05/17's ``_PRINTABLE_RUN`` gate) a decoded form (base64
        or hex text of something) is read for text keys only when it holds 32 printable
        characters in a row (``[\x20-\x7e]{32}``: no newline), but a PEM armour line is 26
        characters ("-----BEGIN PUBLIC KEY-----"; an SSH2 key file's 31) and nothing makes
        the body's lines 32 or more: a P-256 public key as PEM whose base64 body is wrapped at
        31 characters or fewer (16, 24, 31), then base64-encoded (one line, or
        ``base64.encodebytes``' 76-column lines) or hex-encoded, is accepted as an HMAC secret
        (pure and compiled, 18:11); an RFC 4716 SSH2 file of an Ed25519 key wrapped at 30,
        base64-encoded, alike. The same PEM itself, or wrapped at 32, is refused (held).
        Found by asking which text forms have no 32-character run.
rt69-07 (HARM: memory; rt69-02's container against the member counts:
        ``_fitted_members`` and SIDE_BY_SIDE read ``estimators_`` only as a list or tuple)
        a one-dimensional object array of fitted members is iterated by every holder's
        predict as a list is, but ``_fitted_members`` takes it for one item (an array, no
        output method: the holder's own ``n_features_in_`` is then its width) and
        SIDE_BY_SIDE's sum of the members' outputs runs only for ``type(members) in (list,
        tuple)``. rt66-19's kind: a ``MultiOutputRegressor`` whose ``estimators_`` is an
        object array of 20 Ridges of 60,000 zero-weight targets each, on one column:
        joblib xz, 3.6 KB; scan SAFE, load loads (pure and compiled; as a list:
        refused, "1,134,464 columns per input column"); ``predict`` of (200, 1) asks 1.9 GB.
        (Held: a VotingRegressor's object array is refused, "without a list of
        estimators".) Found by giving rt69-02's object array to the holders the
        side-by-side count reads.
rt69-08 (HARM: memory; against rt68-03's fix: the components_ column check needs an
        ``n_features_in_``) the check that ``components_`` has a column per input feature
        runs only when ``n_features_in_`` is an int, and a fitted PCA without one loads (it is
        not required), while scikit-learn's ``validate_data(reset=False)`` checks no width
        when the attribute is missing: ``score_samples`` then broadcasts ``X - mean_`` and
        squares ``components_``' columns in ``get_precision``. rt68-03's file (a ``PCA(1)``
        fitted on one column, ``components_`` (1, 20,000) zeros) with ``mean_`` 20,000 zeros
        and ``n_features_in_`` deleted (FactorAnalysis with ``noise_variance_`` 20,000 ones
        alike): joblib xz, 0.7 KB; scan SAFE, load loads (pure); ``score_samples`` of ONE row
        (1, 1) asks 3.2 GB. (Held: ``n_features_in_`` as a float or numpy float: "not a
        count".) Found by removing the attribute the fix compares with (rt68-13's kind).
rt69-09 (HARM: memory; against rt68-11's ARRAYS_IN_ARITHMETIC: "an array" includes an
        object array, whose items may be arrays) the check asks only that ``shape_of``
        reads the value, and the output widths count an array's items; but an object array
        of shape (1,) (or ()) whose one item is ``zeros(300_000)`` broadcasts in ``X @
        coef_.T + intercept_`` to a (rows, 1) object array of 300,000-float arrays. A
        ``LogisticRegression`` fitted on two classes of one column with such an
        ``intercept_`` (a Ridge with a 0-d one alike): joblib xz, 1.0-1.1 KB; scan SAFE, load
        loads (pure and compiled, the working tree of 18:16); ``decision_function`` (and
        ``predict``) of (2000, 1) asks 4.8 GB. A Ridge's ``coef_`` as a (1,) object array
        of one such array (``X @ coef_.T``: (rows,) arrays) and a KernelRidge's
        ``dual_coef_`` as a (2,) one (``K @ dual_coef_``) alike (the working tree, 18:19); a
        KNeighborsRegressor's ``_y`` as a (4,) object array of such arrays (``predict``
        averages the neighbours' items: one array a row) alike, 1.1 KB (18:22).
        (Held: a Gaussian process's object ``alpha_``, "not finite".) Found by giving the
        fixed attribute as the array the check accepts that is not numbers.
rt69-10 (HONEST-REFUSED; against rt68-07's MAX_SELF_NEIGHBOURS and rt68-09's
        MAX_COVARIANCE_TARGETS) the new per-call bounds refuse ordinary fits: a
        ``GaussianProcessRegressor()`` (default kernel, optimised) fitted on 30 samples of 3
        features with 300 targets (a surrogate of a 300-point curve or spectrum: pickle
        160 KB): "a Gaussian process of more than 256 targets"; a
        ``KNeighborsRegressor(n_neighbors=100)`` fitted on 340,000 samples of 2 features (a
        spatial smoother over a city's addresses; 600,000 samples with k=64 alike: 21 MB):
        "340,000 fitted samples times 100 neighbours: kneighbors() with no input holds more
        than 33,554,432" (pure and compiled). Both predict their ordinary inputs in a few
        MB; only the optional forms (``return_cov``, ``kneighbors()`` with no input) are
        large, and those grow with what the file's own bytes pay for (the 300 targets are
        30 x 300 stored values; the index is 340,000 x 2 stored floats). Found by fitting the
        brief's honest models just past each bound.
rt69-11 (HARM: memory; a per-call product no bound reads, and a dtype that pays 1/8 of
        it) ``Isomap.reconstruction_error()`` (public, no input) computes ``G = -0.5 *
        dist_matrix_ ** 2``, recentres it with ``KernelCenterer.fit_transform`` (a copy) and
        squares it: three float64 (n, n) arrays for the (n, n) ``dist_matrix_`` the file
        stores, whatever its dtype. The width bound counts ``dist_matrix_``' columns per
        input column (the neighbours model's 4 here: 2,000 of 4,096), and nothing reads
        its dtype: an ``Isomap(n_neighbors=1, n_components=1)`` fitted on 3 samples of 4
        columns whose ``dist_matrix_`` is (8,000, 8,000) False (bool: 64 MB built): joblib
        xz, 10.7 KB; scan SAFE, load loads (pure, the working tree of 18:16);
        ``reconstruction_error()`` holds ~1.5 GB (512 MB per float64 copy). (A float64
        (6,000, 6,000) one, 288 MB built from a 43 KB file, loads too.) Found by listing the
        public methods that take no input and reading what they compute from stored arrays.
rt69-12 (HARM: memory; a public method with no input: ``partial_fit()``) ``Birch.
        partial_fit()`` without X "performs just the final global clustering step":
        ``AgglomerativeClustering(n_clusters).fit_predict(subcluster_centers_)``, whose ward
        linkage holds the condensed distances of every pair of subcluster centres, m(m-1)/2
        floats for m centres, whatever the CF tree (``root_``) holds. The width bound counts
        the centres per input column (4,000 of 4,096 on 5 columns), and the Birch checks
        compare the centres with their labels and norms only: a ``Birch(n_clusters=2)``
        fitted on 20 rows of 5 columns whose ``subcluster_centers_`` is (20,000, 5) zeros
        (``subcluster_labels_`` and ``_subcluster_norms`` 20,000 zeros): joblib compress=3,
        6.5 KB; scan SAFE, load loads (pure, the working tree of 18:16); ``partial_fit()``
        asks 1.6 GB (SECURITY.md's promise lists ``partial_fit``). Found by calling the
        methods whose input is optional with none.
rt69-13 (HARM: memory; against the working tree's rt69-10 fix, 18:31: the new allowances
        are paid with loaded items, which zeros buy for nothing in a compressed file) the
        k-neighbours bound now allows ``SELF_NEIGHBOUR_SPREAD`` (64) distances and indices
        per stored item of ``_fit_X``, and the Gaussian process bound ``y_train_``'s items /
        8 targets: an honest ``KNeighborsClassifier(n_neighbors=19_999, algorithm="brute")``
        fitted on 20,000 zero samples of 320 float32 columns (25.6 MB built; the width bound
        sees 62 neighbours per input column): joblib xz, 4.4 KB; scan SAFE, load loads (pure,
        the working tree of 18:32); ``kneighbors()`` with no input asks 6.4 GB (256 bytes of
        result per byte built). An honest ``GaussianProcessRegressor(optimizer=None)`` fitted
        on 8 samples of one column with 60,000 zero targets (y_train_'s 480,000 items pay
        60,000): joblib xz, 5.3 KB; scan SAFE, load loads; ``predict(X, return_cov=True)``
        of (100, 1) asks 4.8 GB, rt68-09 again with 8 samples in place of 2. Found by
        building the cheapest stored arrays the new allowances count.
rt69-14 (HARM: memory; against the working tree's rt69-05 fix, 18:31: ``_numeric_list``
        reads the first item only, and skips a bool) a fitted list is refused when its first
        item (up to three levels down) is a number other than a bool; a bool first item ends
        the walk with "not a number list", and numpy makes ``[[False, 0.0, ...]]`` a float
        array as it does a list of floats. rt69-05's ``PLSRegression`` with ``x_rotations_
        = [[False] + [0.0] * 199_999]``: joblib xz, 1.9 KB; scan SAFE, load loads (pure, the
        working tree of 18:33; a numpy bool or float first item is refused: held);
        ``transform`` of (2000, 1) asks 3.2 GB. The working tree of 18:38 reads a bool first
        item as a number, but a 0-d array first item (``[[np.array(0.0)] + [0.0] *
        199_999]``, which numpy also makes a float row) still passes: 1.9 KB, scan SAFE, load
        loads, the same transform. Found by giving the fix's first item the number types it
        skips.
rt69-15 (HONEST-REFUSED; found reading the working tree's rt69-05 fix, 18:35, and refused
        under ac1f020 too) ``ClassifierChain`` / ``RegressorChain`` keep ``order_ =
        self.order`` when it is a list (only a tuple becomes an array; the documented
        ``order : array-like``), and an honest ``ClassifierChain(LogisticRegression(),
        order=[2, 0, 1])`` fitted on 3 labels of 4 features (RegressorChain(Ridge()) alike)
        is refused: under ac1f020 "a chain's order_ is not a permutation of its estimators",
        under the working tree "fitted attribute order_ is a list of numbers, which fit
        stores as an array" (pure, 18:36). Found by listing the fitted attributes
        scikit-learn stores as a list of numbers (NUMBER_LISTS misses ``order_``).
rt69-16 (HONEST-REFUSED; against the working tree's rt69-05 fix, 18:37: NUMBER_LISTS is
        incomplete) an honest ``ARDRegression(compute_score=True)`` keeps ``scores_`` as a list
        of numpy floats (its log marginal likelihood per iteration; BayesianRidge makes its
        an array), and the working tree refuses it: "fitted attribute scores_ is a list of
        numbers, which fit stores as an array" (pure; loads under ac1f020). Found by fitting
        the estimators with their logging options on and listing the "_" attributes that are
        lists of numbers (the defaults of every ``all_estimators()`` class keep none outside
        NUMBER_LISTS; rt69-15's ``order_`` is the other). (b552ce8, committed 18:36, refuses
        only lists of more than 4,096 numbers: this test passes there.)
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    assert_refused_with,
    compressed_joblib,
    joblib_out_of_memory,
    load_honest,
)

# --- rt69-01: components_ as a list skips the Gram bound -------------------------------------


@pytest.mark.parametrize("kind", ["dictionary", "minibatch_dictionary", "factor_analysis"])
def test_rt69_01_components_as_list(tmp_path, kind):
    import warnings

    from sklearn.decomposition import (
        DictionaryLearning,
        FactorAnalysis,
        MiniBatchDictionaryLearning,
    )

    cls = {
        "dictionary": DictionaryLearning,
        "minibatch_dictionary": MiniBatchDictionaryLearning,
        "factor_analysis": FactorAnalysis,
    }[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls(2, max_iter=2).fit(np.random.RandomState(0).rand(40, 4))
    model.components_ = [[0.0] * 4] * 16_384
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "dictionary":  # (the harm shown once: 16,384 x 16,384, 2 GB, for one row)
        joblib_out_of_memory(path, "model.transform(numpy.zeros((1, 4)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt69-02: AdaBoostRegressor's members as an object array skip the stage bound -------------


def test_rt69_02_adaboost_members_object_array(tmp_path):
    from sklearn.ensemble import AdaBoostRegressor
    from sklearn.tree import DecisionTreeRegressor

    from redteam import HANG_CPU, PLAIN_JOBLIB_CALL, child

    members = 520
    rs = np.random.RandomState(0)
    model = AdaBoostRegressor(DecisionTreeRegressor(max_depth=1), n_estimators=3)
    model.fit(rs.rand(20, 1), rs.rand(20))
    held = np.empty(members, dtype=object)
    for i in range(members):
        held[i] = copy.deepcopy(model.estimators_[0])
    model.estimators_ = held
    model.estimator_weights_, model.estimator_errors_ = (
        np.ones(members),
        np.full(members, 0.1),
    )
    path = compressed_joblib(tmp_path, model, 20_000)
    call = "for _ in model.staged_predict(numpy.zeros((1, 1))): pass"  # (~17 s of CPU)
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)
    assert_refused_with(path)


# --- rt69-03: a member hidden as the holder's label binarizer ----------------------------------


@pytest.mark.parametrize("place", ["_label_binarizer", "label_binarizer_"])
def test_rt69_03_member_as_label_helper(tmp_path, place):
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import LabelBinarizer

    binarizer = LabelBinarizer().fit(np.arange(200_000))
    model = GridSearchCV(LabelBinarizer(), {"neg_label": [0]})
    model.best_estimator_ = binarizer
    setattr(model, place, binarizer)  # (the same instance: skipped as a helper)
    assert model.transform(np.arange(3)).shape == (3, 200_000)
    path = compressed_joblib(tmp_path, model, 100_000, ("xz", 6))
    if place == "_label_binarizer":  # (the harm shown once: (2,000, 200,000) int64, 3.2 GB)
        joblib_out_of_memory(path, "model.transform(numpy.arange(2000))", memory=GB // 2)
    assert_refused_with(path)


# --- rt69-04: the frame-columns cache answers for a transformer that drops the branch ---------


def _frame_cache_model(decoy: bool) -> Any:
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import Ridge
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.pipeline import make_pipeline

    rs = np.random.RandomState(0)
    cols = [f"c{i}" for i in range(300)]
    frame = pd.DataFrame(rs.rand(20, 300), columns=cols)
    both = [("a", "passthrough", ["c0"]), ("b", "passthrough", cols[1:])]
    first = make_pipeline(ColumnTransformer(both, remainder="drop"), Ridge())
    first.fit(frame, rs.rand(20))
    names, indices = first[0].feature_names_in_, first[0]._transformer_to_input_indices
    keep = ColumnTransformer(both, remainder="drop").fit(frame)
    keep.transformers_ = [
        keep.transformers_[0],
        ("b", "drop", cols[1:]),
        *keep.transformers_[2:],
    ]
    wide = Ridge().fit(rs.rand(20, 1), np.zeros((20, 20_000)))
    member = make_pipeline(keep, wide)
    model = MultiOutputRegressor(Ridge()).fit(rs.rand(20, 1), rs.rand(20, 2))
    model.estimators_ = []
    for _ in range(20):
        copied = copy.deepcopy(member)
        copied[0].feature_names_in_ = names  # (shared by pickle's memo)
        copied[0]._transformer_to_input_indices = indices
        model.estimators_.append(copied)
    if decoy:
        template = MultiOutputRegressor(Ridge()).fit(frame, rs.rand(20, 2))
        template.estimators_ = [first]
        model.estimator = template  # (an unfitted template's place: never called)
    assert model.predict(pd.DataFrame({"c0": np.zeros(2)})).shape == (20_000, 2, 20)
    return model


def test_rt69_04_frame_columns_cache(tmp_path):
    import pickle
    import zlib

    from redteam import parity

    # a pickle stream zlib-compressed is a joblib file (joblib.load detects the compressor):
    # the names array then is one object, as pickle's memo shares it (joblib's own writer
    # writes every array anew)
    plain = zlib.compress(pickle.dumps(_frame_cache_model(False), protocol=5), 6)
    assert parity(plain, tmp_path, "m.joblib", ["pandas"]) == (False, "refused")
    data = zlib.compress(pickle.dumps(_frame_cache_model(True), protocol=5), 6)
    assert len(data) < 100_000, len(data)
    path = tmp_path / "m.joblib"
    path.write_bytes(data)
    call = "model.predict(__import__('pandas').DataFrame({'c0': numpy.zeros(400)}))"
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert parity(data, tmp_path, "m.joblib", ["pandas"]) == (False, "refused")


# --- rt69-05: a projection's fitted arrays as lists ---------------------------------------------


@pytest.mark.parametrize("kind", ["pls", "pls_y", "cca", "plssvd", "nystroem"])
def test_rt69_05_projection_arrays_as_lists(tmp_path, kind):
    import warnings

    from sklearn.cross_decomposition import CCA, PLSSVD, PLSRegression
    from sklearn.kernel_approximation import Nystroem

    n = 200_000 if kind == "pls" else 20_000  # (past 4,096 a column; a list scans slowly)
    rs = np.random.RandomState(0)
    x, y = rs.rand(40, 1), rs.rand(40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind in ("pls", "pls_y"):
            model = PLSRegression(1).fit(x, y)
            setattr(model, "x_rotations_" if kind == "pls" else "y_rotations_", [[0.0] * n])
        elif kind == "cca":
            model = CCA(1).fit(x, y)
            model.x_rotations_ = [[0.0] * n]
        elif kind == "plssvd":
            model = PLSSVD(1).fit(np.c_[x, x], np.c_[y, y])
            model.x_weights_ = [[0.0] * n] * 2
        else:
            model = Nystroem(n_components=2).fit(x)
            model.components_, model.normalization_ = [[0.0]] * n, np.zeros((1, n))
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "pls":  # (the harm shown once: (2,000, 200,000), 3.2 GB)
        joblib_out_of_memory(path, "model.transform(numpy.zeros((2000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt69-06: encoded PEM files whose lines are shorter than the printable run -----------------


def _short_line_key(form: str) -> str:
    import base64
    import textwrap

    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    if form == "ssh2-30-base64":
        raw = ed25519.Ed25519PrivateKey.generate().public_key()
        blob = raw.public_bytes(s.Encoding.OpenSSH, s.PublicFormat.OpenSSH).split()[1].decode()
        text = "---- BEGIN SSH2 PUBLIC KEY ----\n" + "\n".join(textwrap.wrap(blob, 30))
        return base64.b64encode((text + "\n---- END SSH2 PUBLIC KEY ----\n").encode()).decode()
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = key.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
    width = int(form.split("-")[1])
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), width))
    pem = f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n".encode()
    if form.endswith("hex"):
        return pem.hex()
    if form.endswith("lines"):
        return base64.encodebytes(pem).decode()
    return base64.b64encode(pem).decode()


@pytest.mark.parametrize(
    "form",
    ["pem-16-base64", "pem-31-base64", "pem-24-lines", "pem-16-hex", "ssh2-30-base64"],
)
def test_rt69_06_encoded_short_line_pem(form):
    from redteam import assert_secret_refused

    assert_secret_refused(_short_line_key(form))


# --- rt69-07: a holder's members as an object array are not counted side by side ---------------


def test_rt69_07_members_object_array(tmp_path):
    from sklearn.linear_model import Ridge
    from sklearn.multioutput import MultiOutputRegressor

    rs = np.random.RandomState(0)
    wide = Ridge().fit(rs.rand(20, 1), np.zeros((20, 60_000)))
    model = MultiOutputRegressor(Ridge()).fit(rs.rand(20, 1), rs.rand(20, 2))
    held = np.empty(20, dtype=object)
    for i in range(20):
        held[i] = copy.deepcopy(wide)
    model.estimators_ = held
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    joblib_out_of_memory(path, "model.predict(numpy.zeros((200, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt69-08: rt68-03's file without n_features_in_ ---------------------------------------------


@pytest.mark.parametrize("kind", ["pca", "factor_analysis"])
def test_rt69_08_components_without_width(tmp_path, kind):
    from sklearn.decomposition import PCA, FactorAnalysis

    n = 20_000
    model = (PCA if kind == "pca" else FactorAnalysis)(1).fit(np.random.RandomState(0).rand(40, 1))
    model.components_, model.mean_ = np.zeros((1, n)), np.zeros(n)
    if kind == "factor_analysis":
        model.noise_variance_ = np.ones(n)
    del model.n_features_in_  # (scikit-learn then checks no width)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "pca":  # (the harm shown once: 20,000 x 20,000, 3.2 GB, for one row)
        joblib_out_of_memory(path, "model.score_samples(numpy.zeros((1, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt69-09: an intercept_ that is an object array of an array ---------------------------------


@pytest.mark.parametrize(
    "kind", ["logistic", "ridge_0d", "ridge_coef", "kernel_ridge_dual", "neighbours_y"]
)
def test_rt69_09_object_array_intercept(tmp_path, kind):
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsRegressor

    rs = np.random.RandomState(0)
    x = rs.rand(20, 1)
    if kind == "logistic":
        model = LogisticRegression().fit(x, np.arange(20) % 2)
        held = np.empty(1, dtype=object)
        held[0] = np.zeros(300_000)
    elif kind == "ridge_0d":
        model = Ridge().fit(x, rs.rand(20))
        held = np.empty((), dtype=object)
        held[()] = np.zeros(300_000)
    elif kind == "neighbours_y":  # (mean of _y[neighbours]: a 300,000-float array a row)
        model = KNeighborsRegressor(2).fit(rs.rand(4, 1), rs.rand(4))
        held = np.empty(4, dtype=object)
        for i in range(4):
            held[i] = np.zeros(300_000)
        model._y = held
    else:
        held = np.empty(1 if kind == "ridge_coef" else 2, dtype=object)
        for i in range(held.size):
            held[i] = np.zeros(300_000)
        if kind == "ridge_coef":  # (X @ coef_.T: (rows,) arrays of 300,000)
            model = Ridge().fit(x, rs.rand(20))
            model.coef_ = held
        else:  # (K @ dual_coef_ alike)
            model = KernelRidge().fit(np.array([[0.0], [1.0]]), np.array([0.0, 1.0]))
            model.dual_coef_ = held
        assert model.predict(np.zeros((2, 1))).shape == (2,)
    if kind in ("logistic", "ridge_0d"):
        model.intercept_ = held
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if kind == "logistic":  # (the harm shown once: 2,000 x 300,000 floats, 4.8 GB)
        call = "model.decision_function(numpy.zeros((2000, 1)))"
        joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt69-10: honest models past the new per-call bounds ----------------------------------------


@pytest.mark.parametrize("kind", ["gpr_targets", "knn_index"])
def test_rt69_10_honest_per_call_bounds_kept_refused(tmp_path, kind):
    """Kept as a documented refusal (SECURITY.md): paying these per-call results with the
    stored samples or targets let compressed zeros pay (rt69-13). Pinned: the refusal names
    the bound. (The KNN index is 34,000 places with k=1,000: the same product, a tenth of
    the fit.)"""
    import pickle

    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.neighbors import KNeighborsRegressor

    from safeload import SafeloadError, load_unsigned

    rs = np.random.RandomState(0)
    if kind == "gpr_targets":
        model = GaussianProcessRegressor(optimizer=None).fit(rs.rand(30, 3), rs.rand(30, 300))
        match = "300 targets, more than 256"
    else:
        x = rs.rand(34_000, 2)
        model = KNeighborsRegressor(n_neighbors=1_000).fit(x, rs.rand(34_000))
        match = "kneighbors\\(\\) with no input"
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    with pytest.raises(SafeloadError, match=match):
        load_unsigned(path)


# --- rt69-11: Isomap.reconstruction_error() over a bool dist_matrix_ ----------------------------


def test_rt69_11_isomap_reconstruction_error(tmp_path):
    from sklearn.manifold import Isomap

    model = Isomap(n_neighbors=1, n_components=1).fit(np.random.RandomState(0).rand(3, 4))
    model.dist_matrix_ = np.zeros((8000, 8000), dtype=bool)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    joblib_out_of_memory(path, "model.reconstruction_error()", memory=GB // 2)
    assert_refused_with(path)


# --- rt69-12: Birch.partial_fit() with no input clusters every stored subcluster centre --------


def test_rt69_12_birch_global_clustering(tmp_path):
    from sklearn.cluster import Birch

    n = 20_000
    model = Birch(n_clusters=2).fit(np.random.RandomState(0).rand(20, 5))
    model.subcluster_centers_ = np.zeros((n, 5))
    model.subcluster_labels_, model._subcluster_norms = (
        np.zeros(n, dtype=int),
        np.zeros(n),
    )
    path = compressed_joblib(tmp_path, model, 20_000)
    joblib_out_of_memory(path, "model.partial_fit()", memory=GB // 2)
    assert_refused_with(path)


# --- rt69-13: the rt69-10 allowances paid with compressible zeros -------------------------------


@pytest.mark.parametrize("kind", ["neighbours", "gaussian_process"])
def test_rt69_13_allowances_paid_by_zeros(tmp_path, kind):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.neighbors import KNeighborsClassifier

    if kind == "neighbours":
        n = 20_000
        model = KNeighborsClassifier(n_neighbors=n - 1, algorithm="brute")
        model.fit(np.zeros((n, 320), dtype=np.float32), np.arange(n) % 2)
        call = "model.kneighbors()"  # (20,000 x 19,999 distances and indices: 6.4 GB)
    else:
        model = GaussianProcessRegressor(optimizer=None)
        model.fit(np.arange(8.0)[:, None], np.zeros((8, 60_000)))
        call = "model.predict(numpy.zeros((100, 1)), return_cov=True)"  # (4.8 GB)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    joblib_out_of_memory(path, call, memory=GB // 2)
    assert_refused_with(path)


# --- rt69-14: a fitted list whose first item is a bool ------------------------------------------


@pytest.mark.parametrize("first", ["bool", "zero_d_array"])
def test_rt69_14_list_with_bool_first(tmp_path, first):
    import warnings

    from sklearn.cross_decomposition import PLSRegression

    rs = np.random.RandomState(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = PLSRegression(1).fit(rs.rand(40, 1), rs.rand(40))
    item = False if first == "bool" else np.array(0.0)  # (numpy makes either a float)
    model.x_rotations_ = [[item] + [0.0] * 199_999]
    assert model.transform(np.zeros((2, 1))).shape == (2, 200_000)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    if first == "bool":  # (the harm shown once: (2,000, 200,000), 3.2 GB)
        joblib_out_of_memory(path, "model.transform(numpy.zeros((2000, 1)))", memory=GB // 2)
    assert_refused_with(path)


# --- rt69-15: an honest chain with a list order -------------------------------------------------


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_rt69_15_honest_chain_list_order(tmp_path, kind):
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.multioutput import ClassifierChain, RegressorChain

    rs = np.random.RandomState(0)
    x = rs.rand(50, 4)
    if kind == "classifier":
        model = ClassifierChain(LogisticRegression(), order=[2, 0, 1])
        model.fit(x, rs.randint(0, 2, (50, 3)))
    else:
        model = RegressorChain(Ridge(), order=[2, 0, 1]).fit(x, rs.rand(50, 3))
    assert type(model.order_) is list  # (as fit keeps it)
    assert load_honest(model, tmp_path).predict(x[:3]).shape == (3, 3)


# --- rt69-16: an honest ARDRegression's scores_ list ------------------------------------------


def test_rt69_16_honest_ard_scores_list(tmp_path):
    from sklearn.linear_model import ARDRegression

    rs = np.random.RandomState(0)
    x = rs.rand(80, 4)
    model = ARDRegression(compute_score=True).fit(x, rs.rand(80))
    assert type(model.scores_) is list  # (as fit keeps it)
    assert load_honest(model, tmp_path).predict(x[:3]).shape == (3,)
