"""Red team 59 (START 23:58:45 UTC 2026-12-02, END 00:44 UTC 2026-12-03): fifteen findings.
Each test asserts the safe behaviour; a HARM test first shows the harm under plain pickle in a
child under limits (1 GB more address space, 30 s CPU: ``redteam.memory_harm_file``), then
checks safeload in this process (the harm needs a method call after the load).

"pure" is the 14f09bd-era snapshot in /tmp/rt59p (SAFELOAD_PURE_PYTHON=1); "compiled" is
/work/main as it stood when each was found. The maintainers fixed findings while this module
was being written: 6a8c6b3 (rt59-01, -02, -03), eb48f6b (rt59-04, -05), b1e3730 (rt59-06),
77eeac8 (rt59-07 to -11), f8673d8 (rt59-13, -14, -15), 9a5d930 (rt59-12). Every test
therefore carries no xfail mark now (regression tests, each with a comment naming its fix);
At END all 23 pass (about 30 s).

rt59-01 (HARM: memory) a width no count names: one DictVectorizer(sparse=False) fitted on
        4,096 keys listed 80 times in a FeatureUnion. Its output width is len(vocabulary_), a
        dict of str -> int: RepeatedOutputs reads labels, OUTPUT_COUNTS (DictVectorizer stores
        none of them: no n_features_in_) and arrays/sparse/pandas parts (a dict is none), so the
        instance met 80 times adds nothing; the unfold bound allows ~100 meetings of a 64 KB
        vocabulary. 64.6 KB file; ``transform`` of 2000 rows makes 80 x (2000, 4096) float64
        (5.2 GB) and hstacks them (another 5.2 GB). scan SAFE, load_unsigned loads: pure
        (/tmp/rt59p) and compiled. Found by asking which output widths live in a dict.

rt59-02 (HARM: memory) TargetEncoder's multiclass width is n_features_in_ x len(classes_)
        (``transform`` allocates ``np.empty((n, n_features * n_classes))`` whatever
        ``encodings_`` holds; its loop fills only the columns encodings_ lists). RepeatedOutputs
        counts the larger of the two (max over labels and OUTPUT_COUNTS), not the product, and
        no check ties len(encodings_) to the product. Union form: one TargetEncoder of 64
        inputs x 64 classes with a single encodings_ array listed 100 times in a FeatureUnion,
        5.7 KB: counted 98 x 320, true width 100 x 4,096 = 409,600 columns per row; transform of
        2000 rows 6.5 GB. Single form: n_features_in_ = 1,024, 2,048 classes, one encodings_
        array (80 KB; an honest fit stores 2,097,152 encodings_ arrays, hundreds of MB):
        transform allocates 2,097,152 columns per row, 32 GB for 2000 rows (the name ledger,
        at 4,194,304 names, is the only bound that bites). scan SAFE, load loads: pure and
        compiled. Found by reading TargetEncoder.transform for its allocation.
rt59-03 (HARM: memory) SplineTransformer's width is ``n_features_out_`` (transform's
        ``np.zeros((n, n_features_out_))``, n_features x ``bsplines_[0].c.shape[1]``), which is
        not in OUTPUT_COUNTS (``_n_features_out`` is), and its splines' coefficient arrays sit
        inside BSpline objects that RepeatedOutputs does not enter. check_spline_transformer
        ties n_features_out_ to the coefficient width but nothing ties the coefficients to
        their honest square shape (scikit-learn stores ``eye(n_splines)``): degree 0 over two
        knots with ``c`` of shape (1, 4096). Union: one such transformer listed 100 times in a
        FeatureUnion, 34.5 KB: counted 98 x n_features_in_ (1), true 409,600 columns per row,
        transform of 2000 rows 6.5 GB. Single: 256 features sharing one (1, 4096) ``c``, ~45
        KB, 1,048,576 columns per row (an honest spline of that width stores a 128 MB
        identity), 16 GB for 2000 rows. scan SAFE, load loads: pure and compiled. Found by
        listing which width attributes OUTPUT_COUNTS leaves out.
rt59-04 (HARM: memory) a bagging model's feature lists longer than its input:
        check_bagging requires each ``estimators_features_`` array to hold indexes inside
        ``n_features_in_`` and to be ``_max_features`` long, but not ``_max_features <=
        n_features_in_`` (scikit-learn draws at most n_features columns). A
        BaggingClassifier of one DummyClassifier on 4 inputs whose feature list is 131,072
        int8 zeros (``_max_features`` and the dummy's ``n_features_in_`` set to match): 132 KB;
        ``predict_proba`` builds ``X[:, features]``, (2000, 131072) float64, 2.1 GB for 2000
        rows (2**20 zeros: 1 MB file, 16 GB). The array is held once, so the whole-model
        bound does not read it. scan SAFE, load loads: pure and compiled. Found by reading
        what check_bagging compares the lists with.
rt59-05 (HONEST-REFUSED, low; refused before 14f09bd too: 17652e7 alike) rt57-07's
        FrozenEstimator case for classifiers: ``MultiOutputClassifier(FrozenEstimator(clf))
        .fit(X, Y)`` stores ``estimators_ = [frozen] * n_outputs`` (allowed since rt57-07) and
        ``classes_ = [e.classes_ for e in estimators_]``: one array n_outputs times, which
        _held_once refuses ("fitted attribute classes_ holds one array or instance more than
        once") even at 2 outputs of 2 classes (2.5 KB). Pure and compiled. Found by
        re-running rt57-07's fit with a classifier.
rt59-06 (HARM: memory, category_encoders profile) HashingEncoder's width is its
        ``n_components`` parameter, pinned only to [1, 2**24] (rt45-02), the kind of free width
        rt58-01's fix caps at MAX_FREE_COLUMNS = 2**18 per row for the count sketch
        (FREE_WIDTHS names only PolynomialCountSketch). Single: a HashingEncoder fitted with 8
        components, n_components then set to 2**24 (transform never reads its 8
        feature_names_out_): 858 bytes; ``transform`` of 100 rows allocates (100, 16,777,216)
        int64, 13 GB. Union: 200 *distinct* HashingEncoders of 4,096 components in a
        FeatureUnion (each met once, so RepeatedOutputs never reads n_components; a category_encoders
        class is no sklearn class, so the names bound's column count is 0): 46 KB, 819,200
        columns per row. scan SAFE, load loads (profiles=["category_encoders"]): pure and
        compiled. Found by asking which other classes have a parameter width.
rt59-07 (HONEST-REFUSED; new since 14f09bd's whole-model redesign: 17652e7 loads it)
        three nested ensembles over text pipelines, as scikit-learn fits them:
        StackingClassifier([VotingClassifier([VotingClassifier([tfidf+LogisticRegression,
        tfidf+MultinomialNB]), tfidf+LogisticRegression])]) on 2,000 short texts of a
        20,000-word vocabulary (2.0 MB): "its estimators would give 1,441,664 more output columns
        per input row through instances and arrays met more than 2 times (at most 682,942)"
        (1,176,108 at 14f09bd, before 6a8c6b3 added the names count). The innermost pipelines
        are met 8 times (estimators_ and named_estimators_ at each level), and each meeting is
        charged as output columns the vectorizer's vocabulary (its *sparse* output), its
        ``idf_`` length, the regressor's coef_ length and the names bound's count for the
        classifier and the pipeline (the input width, n_features_in_), while predict_proba
        gives 2 columns. Two levels load. Pure and compiled. Found by nesting honest text
        ensembles under the new count.
rt59-08 (HARM: memory) a chain's ``order_`` is not tied to its estimators: RegressorChain
        (ClassifierChain alike, _BaseChain._get_predictions) ends predict with ``inv_order =
        np.empty_like(order_); inv_order[order_] = arange(len(order_)); Y_output_chain[:,
        inv_order]``: one output column per item of order_. A RegressorChain of 256
        DummyRegressors (so that any int8 index is a valid column) whose ``order_`` is 2**20
        int8 zeros (np.empty of 1 MB is fresh zeroed memory; the one item written wraps to
        -1): 1.07 MB; predict of 2000 rows gathers (2000, 1,048,576) float64, 16 GB. Nothing
        checks order_ (no rule names it). scan SAFE, load loads: pure and compiled. Found by
        reading the multi-output predict paths for arrays that size a gather. (With a
        smaller order_, np.empty hands back used memory and the gather reads uninitialised
        int8 values as column indexes: an IndexError, bounds-checked.)
rt59-09 (HARM: memory) an unfitted GaussianProcessRegressor predicts from its prior, sized
        by the ``n_targets`` parameter alone (``np.zeros((n, n_targets))``; with return_std,
        ``np.repeat`` of the prior std n_targets times). scikit-learn's constraint is
        ``Interval(Integral, 1, None)`` and safeload adds no upper bound: n_targets = 2**20 is
        a 252-byte file (2**40 loads too); ``predict(X, return_std=True)`` of 2000 rows asks
        for 2 x 16 GB. scan SAFE, load loads: pure and compiled. Found by asking which
        parameters size a result when the model is *not* fitted.
rt59-10 (HARM: memory) rt57-01 through sparse wrappers: RepeatedOutputs keys a sparse matrix
        by the wrapper's id, and a file can make 200 *distinct* csr_matrix objects over one
        ``data``/``indices``/``indptr`` (one array reached many times is allowed). A
        MultiOutputRegressor of 200 distinct LinearRegression(fit_intercept=False) whose
        ``coef_`` are 200 such (4096, 4) CSR wrappers (one value a row): each wrapper is met
        once, so nothing counts; the shared arrays are inside the wrappers, which the parts
        walk does not enter (and sparse arrays add nothing to "stored"). 96.5 KB; ``predict``
        of 2000 rows computes 200 dense (2000, 4096) products, 13 GB. scan SAFE, load loads:
        pure and compiled (working tree at 00:23). Found by asking what a sparse part's key is.
rt59-11 (HARM: memory) LocallyLinearEmbedding.transform allocates ``np.empty((n,
        self.n_components))`` from the *parameter* and fills row i with
        ``embedding_[ind[i]].T @ weights[i]``: an ``embedding_`` of one column broadcasts into
        any width. LocallyLinearEmbedding(n_components=1).fit on 60 x 4, then n_components =
        2**20 (no check ties it to embedding_.shape[1]; scikit-learn's constraint has no upper
        bound): 4.3 KB; transform of 2000 rows writes (2000, 1,048,576) float64, 16 GB. The
        embedding_ (60, 1) is the only array: the width is a parameter no stored array pays
        for, met once. scan SAFE, load loads: pure and compiled. Found by grepping
        scikit-learn's predict/transform code for allocations sized by ``self.<param>``.
rt59-12 (TRUST, low) public keys in text forms that can be told from random bytes by fixed
        heads and checksums, accepted as HMAC secrets (rt57-03's kind): an age X25519
        recipient (``age1`` + bech32 with its checksum, 62 characters, what ``age-keygen -y``
        prints and ``.age-recipients`` files hold), a Tor v3 onion address (an Ed25519 key,
        checksum and version in 56 base32 characters + ``.onion``), a Nostr ``npub1`` key, and
        a JSON Web Key written not as strict JSON (YAML ``kty: OKP / crv: Ed25519 / x: ...``,
        a Python dict repr, JSON with a trailing comma: _is_json only parses strict JSON), and
        a COSE_Key (CBOR map kty OKP, alg EdDSA, crv Ed25519, x: 32 bytes; what WebAuthn
        stores as a credential's public key), raw (42 bytes), in base64url or hex.
        HMACKey accepts all (pure and compiled); the strict-JSON JWK and the OpenSSH blob
        are refused. Found by listing public-key text formats _public_key_form does not name.
rt59-13 (HARM: memory) OneVsOneClassifier over a precomputed-kernel estimator builds
        ``Xs = [X[:, idx] for idx in pairwise_indices_]`` before any pair predicts: one
        gather per pair, as wide as the stored index array, and nothing bounds
        ``pairwise_indices_`` (fit stores each pair's training rows, at most n_samples
        indexes below the kernel's width). OneVsOneClassifier(SVC(kernel="precomputed")) on 3
        classes whose three index arrays are 65,536 int8 zeros: 197 KB; ``predict`` of a
        (2000, 30) kernel gathers 3 x (2000, 65536) float64, 3.1 GB, then the SVC raises
        ValueError (the width is wrong). scan SAFE, load loads: pure and compiled. Found by
        asking which other stored index arrays size a gather (after rt59-04 and rt59-08).
rt59-14 (HARM: memory) 77eeac8's fix for rt59-10 keys a sparse part by its ``data`` buffer,
        but the width of a CSR coef_ is its rows, which its ``indptr`` pays for: 200 distinct
        (4096, 4) CSR wrappers sharing one ``indptr`` (4,097 int32) and ``indices``, each with
        its *own* one-value ``data`` array, are 200 parts met once each again. Same
        MultiOutputRegressor of 200 LinearRegression(fit_intercept=False): 52 KB; predict of
        2000 rows 13 GB. scan SAFE, load loads: compiled at 77eeac8 (and the pure 14f09bd
        snapshot). Found by re-reading _part_key against what sizes the product.
rt59-15 (HONEST-REFUSED, low) after eb48f6b admits rt59-05's model, a larger one of the same
        fit is refused by the whole-model count, which charges each meeting about five times
        its real width: MultiOutputClassifier(FrozenEstimator(LogisticRegression fitted on
        100 classes)).fit(X, Y of 100 outputs) (5.8 KB) predicts 100 x (n, 100) = 10,000
        probability columns per row, but "its estimators would give 49,699 more output
        columns per input row ... (at most 32,768)": the frozen model met 101 times is
        charged its labels, its coef_ and intercept_ lengths and its classes_ array each
        time, and the classes_ array again through the multi-output list (50 outputs of 200
        classes alike: 49,999). Refused at 14f09bd too (by rt59-05's rule). Pure and
        compiled (77eeac8). Found by scaling rt59-05's model.

Held (tried, safe; scan and load agreed on every file below): a DictVectorizer whose
vocabulary_ is an OrderedDict / Counter / defaultdict with a one-name feature_names_ (refused:
"vocabulary_ is not a dict"); the same DictVectorizer listed 120+ times (unfold bound); a
(W, W)-free spline after 6a8c6b3 ("wider than tall"); IsolationForest with long
estimators_features_ over a Tree of n_features W (refused after eb48f6b); ColumnTransformer
columns repeated (refused "selects an input column more than once"); IterativeImputer
neighbor_feat_idx repeated (refused); MissingIndicator / SimpleImputer indicator features_
repeated (refused); DummyRegressor n_outputs_ over a (1,1) constant_, DummyClassifier n_classes_
past classes_, DummyClassifier constant not in classes_ (all refused); VotingClassifier
sub-estimator classes_ past le_ (refused); KNeighborsClassifier _y past classes_ (refused);
_ConstantPredictor y_ (held by its check); CompoundKernel in a GP (refused: kernels list);
``bytes(N)`` as array data (refused by the static pass); CountVectorizer / HashingVectorizer
ngram_range (1, 100000) (refused, <= 32); LIL int64 matrices holding 2**100, "5", NaN, 1j, a
huge Decimal (refused alike by scan and load; 1.5 loads and is stored as 1); a
MultiOutputClassifier of 200 LRs with distinct sub-array-dtype classes_ but a shared dense
coef_ (refused: coef_ met 200 times); honest nested ensembles: Voting(Voting(RF)),
Stacking(Voting(RF)), Stacking(Voting(Voting(RF))) on 100 and 300 classes, Voting(Voting(text
pipelines)) of 20,000 words, CalibratedClassifierCV(FrozenEstimator(LR, 200 classes)) (all
load); MultiOutputClassifier(FrozenEstimator) at 2 x 2 (loads since eb48f6b); rt59-01..-11
files as joblib and skops: scan and load agree. HMACKey: an 821,004-secret fuzz (raw, hex,
base64 of 32-200 bytes, UTF-16/32 text with and without BOM, truncated wide text, random
OpenPGP/minisign/DER/PEM fragments, NUL-interleaved bytes) raised nothing but KeyFormatError;
the OpenSSH blob in base64 without its prefix, an upper-case ssh line and a signify line with
a tab are refused. Not findings, by the promise's own terms: an unfitted
GridSearchCV(cv=ShuffleSplit(n_splits=10**12)) or RandomForestClassifier(n_estimators=10**12)
loads (their cost is ``fit``'s, with honest-looking parameters, as scikit-learn's own);
``radius_neighbors()`` / ``kneighbors_graph()`` with X=None on an honest 20,000-sample
NearestNeighbors is quadratic in the file (honest behaviour).

Suspected, not finished: distinct pandas objects over one shared block as 200 estimators'
coef_ (rt59-10/-14's wrapper pattern; ``_part_key`` keys pandas parts by the object; a plain
pickle does not keep the sharing, so it needs a hand-written stream); 100 distinct brute-force
KNNs whose sparse ``_fit_X`` wrappers share one CSR buffer (loads at 77eeac8 with distinct
int64 ``_y``, 17 MB; with int8 ``_y`` about 2 MB for 100 searches of the shared 20,000
samples: sparse parts count nothing toward the "used" bound, CPU not measured); a
category_encoders OneHotEncoder whose ``mapping`` DataFrame is (1, W) int8 instead of square
(mapping DataFrames sit in dicts that the parts walk does not enter); a DummyClassifier whose
label is a 1 MB string (``np.tile`` of the label: 4 MB per row of predict, as honest fit
gives).
"""

# ruff: noqa: E501
from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pytest

from redteam import assert_refused, assert_refused_with, memory_harm_file, write

DICT_ROWS = "[{'f1': 1.0}] * 2000"


# --- rt59-01: DictVectorizer's width is its vocabulary dict ----------------------------------------


def _dict_vectorizer_union(keys: int = 4096, copies: int = 80):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.pipeline import FeatureUnion

    union = FeatureUnion([("d0", DictVectorizer(sparse=False))]).fit([{"a": 1}])
    wide = DictVectorizer(sparse=False).fit([{f"f{i}": 1 for i in range(keys)}])
    union.transformer_list = [(f"d{i}", wide) for i in range(copies)]
    return union


# rt59-01: one DictVectorizer listed 80 times: its vocabulary width is counted by nothing -- fixed during the session by 6a8c6b3: a regression test now (no xfail mark)
def test_rt59_01_dict_vectorizer_listed(tmp_path):
    data = pickle.dumps(_dict_vectorizer_union(), protocol=4)
    path = memory_harm_file(tmp_path, data, f"model.transform({DICT_ROWS})", limit=70_000)
    assert_refused(path)


# --- rt59-02: TargetEncoder's width is a product, counted as a maximum --------------------------------


def _target_encoder(features: int, classes: int):
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    te = TargetEncoder(random_state=0).fit(rng.randint(0, 2, (300, 4)), np.arange(300) % 3)
    te.categories_ = [np.array([0, 1]) for _ in range(features)]
    te.classes_ = np.arange(classes)
    te.target_mean_ = np.zeros(classes)
    te.n_features_in_ = features
    te.encodings_ = [te.encodings_[0]]  # transform's loop fills what is listed; the rest is np.empty
    return te


# rt59-02: TargetEncoder multiclass width n_features_in_ x classes, counted as max, encodings_ unchecked -- fixed during the session by 6a8c6b3: a regression test now (no xfail mark)
@pytest.mark.parametrize("form", ["union", "single"])
def test_rt59_02_target_encoder_width(tmp_path, form):
    if form == "union":
        from sklearn.pipeline import FeatureUnion
        from sklearn.preprocessing import TargetEncoder

        te = _target_encoder(64, 64)
        model = FeatureUnion([("t0", TargetEncoder())])
        model.transformer_list = [(f"t{i}", te) for i in range(100)]
        rows, limit = "numpy.random.RandomState(1).randint(0, 2, (2000, 64))", 10_000
    else:
        model = _target_encoder(1024, 2048)
        rows, limit = "numpy.random.RandomState(1).randint(0, 2, (2000, 1024))", 100_000
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=4), f"model.transform({rows})", limit=limit)
    assert_refused(path)


# --- rt59-03: SplineTransformer's n_features_out_ and its splines' coefficient width -------------------


def _spline(width: int, features: int):
    from scipy.interpolate import BSpline
    from sklearn.preprocessing import SplineTransformer

    est = SplineTransformer(degree=0, n_knots=2).fit(np.random.RandomState(0).rand(50, features))
    coef = np.ones((1, width))  # degree 0 over two knots: one coefficient row, any width
    extrapolate = est.bsplines_[0].extrapolate
    est.bsplines_ = [BSpline.construct_fast(np.array([0.0, 1.0]), coef, 0, extrapolate=extrapolate) for _ in range(features)]
    est.n_features_out_ = features * width
    return est


# rt59-03: SplineTransformer n_features_out_ uncounted; coefficients (1, W) instead of eye(W) -- fixed during the session by 6a8c6b3: a regression test now (no xfail mark)
@pytest.mark.parametrize("form", ["union", "single"])
def test_rt59_03_spline_width(tmp_path, form):
    if form == "union":
        from sklearn.pipeline import FeatureUnion
        from sklearn.preprocessing import SplineTransformer

        model = FeatureUnion([("s0", SplineTransformer())])
        model.transformer_list = [(f"s{i}", _spline(4096, 1)) for i in range(1)] * 100
        rows, limit = "numpy.random.RandomState(1).rand(2000, 1)", 40_000
    else:
        model = _spline(4096, 256)
        rows, limit = "numpy.random.RandomState(1).rand(2000, 256)", 60_000
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=4), f"model.transform({rows})", limit=limit)
    assert_refused(path)


# --- rt59-04: bagging feature lists longer than the input ------------------------------------------------


def _long_bagging(width: int = 131_072):
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import BaggingClassifier

    rng = np.random.RandomState(0)
    model = BaggingClassifier(DummyClassifier(), n_estimators=1, random_state=0).fit(rng.rand(60, 4), np.arange(60) % 2)
    model.estimators_features_ = [np.zeros(width, dtype=np.int8)]  # column 0, width times
    model._max_features = width
    model.estimators_[0].n_features_in_ = width
    return model


# rt59-04: bagging estimators_features_ longer than n_features_in_ (X[:, features] copies) -- fixed during the session by eb48f6b: a regression test now (no xfail mark)
def test_rt59_04_bagging_long_feature_list(tmp_path):
    data = pickle.dumps(_long_bagging(), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.predict_proba(numpy.random.RandomState(1).rand(2000, 4))", limit=140_000)
    assert_refused(path)


# --- rt59-05: MultiOutputClassifier over a FrozenEstimator: classes_ lists one array per output --------


# rt59-05: MultiOutputClassifier(FrozenEstimator(clf)).fit refused (classes_ held more than once) -- fixed during the session by eb48f6b: a regression test now (no xfail mark)
def test_rt59_05_multioutput_frozen_classifier(tmp_path):
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import MultiOutputClassifier

    import safeload

    rng = np.random.RandomState(0)
    X, y = rng.rand(40, 4), np.arange(40) % 2
    model = MultiOutputClassifier(FrozenEstimator(LogisticRegression().fit(X, y))).fit(X, np.stack([y, y], 1))
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    assert safeload.scan(path.read_bytes()).safe
    loaded = safeload.load_unsigned(path)
    assert loaded.predict_proba(X[:3])[0].shape == (3, 2)


# --- rt59-06: category_encoders HashingEncoder n_components, a free width ----------------------------


CE = ["category_encoders"]


def _hashing_encoder(components: int):
    import category_encoders as ce
    import pandas as pd

    est = ce.HashingEncoder(n_components=8, max_process=1).fit(pd.DataFrame({"a": ["x", "y", "z"] * 10}))
    est.n_components = components  # transform hashes into this many columns; nothing else reads it
    return est


# rt59-06: HashingEncoder n_components (2**24 allowed) is a free width no bound sums -- fixed during the session by b1e3730: a regression test now (no xfail mark)
@pytest.mark.parametrize("form", ["single", "union"])
def test_rt59_06_hashing_encoder_width(tmp_path, form):
    pytest.importorskip("category_encoders")
    if form == "single":
        model, rows = _hashing_encoder(2**24), 100
    else:
        from sklearn.pipeline import FeatureUnion

        model, rows = FeatureUnion([(f"h{i}", _hashing_encoder(4096)) for i in range(200)]), 2000
    call = f"model.transform(__import__('pandas').DataFrame({{'a': ['x'] * {rows}}}))"
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=5), call, limit=60_000)
    assert_refused_with(path, CE)


# --- rt59-07: three nested ensembles of text pipelines refused -----------------------------------------


def _nested_text_ensembles(vocabulary: int = 20_000, docs: int = 2000):
    from sklearn.ensemble import StackingClassifier, VotingClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline

    rng = np.random.RandomState(0)
    words = np.array([f"w{i}" for i in range(vocabulary)])
    texts = [" ".join(rng.choice(words, 30)) for _ in range(docs)]
    y = np.arange(docs) % 2

    def lr():
        return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=50))

    inner = VotingClassifier([("p", lr()), ("q", make_pipeline(TfidfVectorizer(), MultinomialNB()))], voting="soft")
    middle = VotingClassifier([("v2", inner), ("p2", lr())], voting="soft")
    return StackingClassifier([("v", middle)], cv=2).fit(texts, y), texts


# rt59-07: Stacking(Voting(Voting(text pipelines))) refused by the whole-model bound -- fixed during the session by 77eeac8: a regression test now (no xfail mark)
def test_rt59_07_nested_text_ensembles(tmp_path):
    import warnings

    import safeload

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model, texts = _nested_text_ensembles()
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    assert safeload.scan(path.read_bytes()).safe
    assert safeload.load_unsigned(path).predict_proba(texts[:3]).shape == (3, 2)


# --- rt59-08: a chain's order_ sizes predict's gather ------------------------------------------------------


def _long_order_chain(width: int = 1 << 20, estimators: int = 256):
    from sklearn.dummy import DummyRegressor
    from sklearn.multioutput import RegressorChain

    rng = np.random.RandomState(0)
    model = RegressorChain(DummyRegressor()).fit(rng.rand(60, 4), rng.rand(60, estimators))
    model.order_ = np.zeros(width, dtype=np.int8)  # every int8 is a valid column of 256
    return model


# rt59-08: RegressorChain order_ longer than its estimators: predict gathers one column per item -- fixed during the session by 77eeac8: a regression test now (no xfail mark)
def test_rt59_08_chain_order(tmp_path):
    data = pickle.dumps(_long_order_chain(), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.predict(numpy.random.RandomState(1).rand(2000, 4))", limit=1_100_000)
    assert_refused(path)


# --- rt59-09: an unfitted GaussianProcessRegressor's n_targets ---------------------------------------------


# rt59-09: unfitted GaussianProcessRegressor(n_targets=2**20) predicts (n, 2**20) from its prior -- fixed during the session by 77eeac8: a regression test now (no xfail mark)
def test_rt59_09_gpr_prior_targets(tmp_path):
    from sklearn.gaussian_process import GaussianProcessRegressor

    data = pickle.dumps(GaussianProcessRegressor(n_targets=1 << 20), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.predict(numpy.random.RandomState(1).rand(2000, 4), return_std=True)", limit=1_000)
    assert_refused(path)


# --- rt59-10: distinct sparse wrappers over shared buffers ---------------------------------------------------


def _shared_sparse_coefs(rows: int = 4096, copies: int = 200):
    import scipy.sparse as sp
    from sklearn.linear_model import LinearRegression
    from sklearn.multioutput import MultiOutputRegressor

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    data, indices, indptr = np.ones(rows), (np.arange(rows) % 4).astype(np.int32), np.arange(rows + 1, dtype=np.int32)

    def regressor():
        est = LinearRegression(fit_intercept=False).fit(X, rng.rand(60, 2))
        coef = sp.csr_matrix((data, indices, indptr), shape=(rows, 4), copy=False)
        coef.data, coef.indices, coef.indptr = data, indices, indptr  # one set of buffers for all
        est.coef_, est.intercept_ = coef, 0.0
        return est

    model = MultiOutputRegressor(LinearRegression()).fit(X, rng.rand(60, 2))
    model.estimators_ = [regressor() for _ in range(copies)]
    return model


# rt59-10: 200 distinct CSR coef_ wrappers over one set of buffers: RepeatedOutputs keys sparse parts by wrapper -- fixed during the session by 77eeac8: a regression test now (no xfail mark)
def test_rt59_10_shared_sparse_buffers(tmp_path):
    data = pickle.dumps(_shared_sparse_coefs(), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.predict(numpy.random.RandomState(1).rand(2000, 4))", limit=120_000)
    assert_refused(path)


# --- rt59-11: LocallyLinearEmbedding's n_components parameter sizes transform -----------------------------


def _wide_lle(width: int = 1 << 20):
    from sklearn.manifold import LocallyLinearEmbedding

    model = LocallyLinearEmbedding(n_components=1, n_neighbors=5).fit(np.random.RandomState(0).rand(60, 4))
    model.n_components = width  # transform's np.empty((n, n_components)); embedding_ (60, 1) broadcasts
    return model


# rt59-11: LocallyLinearEmbedding n_components (a parameter) sizes transform; embedding_ of one column broadcasts -- fixed during the session by 77eeac8: a regression test now (no xfail mark)
def test_rt59_11_lle_parameter_width(tmp_path):
    data = pickle.dumps(_wide_lle(), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.transform(numpy.random.RandomState(1).rand(2000, 4))", limit=10_000)
    assert_refused(path)


# --- rt59-12: public keys in recognisable text forms taken as HMAC secrets --------------------------------


# (valid encodings of one key, sha256(b"rt59 test key"): bech32 checksums and the onion checksum hold)
_PUBLIC_TEXT = {
    "age-recipient": b"age1zdn05aez48k3wmmugdka4ncxzzftnhw7hp5nukcj329twu39leuq8sk5ms\n",
    "onion-v3": b"cntpu5zcvhwro334inw5vtygccjltxo6xbut4wysrkflo4rf7z4n6iid.onion",
    "nostr-npub": b"npub1zdn05aez48k3wmmugdka4ncxzzftnhw7hp5nukcj329twu39leuq3gkn7t",
    "jwk-yaml": b"kty: OKP\ncrv: Ed25519\nx: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\n",
    "jwk-python-repr": b"{'kty': 'OKP', 'crv': 'Ed25519', 'x': '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'}",
    # COSE_Key {1: 1, 3: -8, -1: 6, -2: h'<32 bytes>'} (kty OKP, alg EdDSA, crv Ed25519, x)
    "cose-key-hex": b"a4010103272006215820" + hashlib.sha256(b"rt59 test key").hexdigest().encode(),
}


# rt59-12: age recipients, onion addresses, npub keys and non-JSON JWKs accepted as HMAC secrets -- fixed during the session by 9a5d930: a regression test now (no xfail mark)
@pytest.mark.parametrize("form", sorted(_PUBLIC_TEXT))
def test_rt59_12_public_key_text_forms(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_PUBLIC_TEXT[form])


# --- rt59-13: OneVsOne's pairwise_indices_ size one gather per pair ------------------------------------------


def _ovo_long_indices(width: int = 65_536):
    from sklearn.multiclass import OneVsOneClassifier
    from sklearn.svm import SVC

    X = np.random.RandomState(0).rand(30, 4)
    model = OneVsOneClassifier(SVC(kernel="precomputed")).fit(X @ X.T, np.arange(30) % 3)
    model.pairwise_indices_ = [np.zeros(width, dtype=np.int8) for _ in model.pairwise_indices_]
    return model


# rt59-13: OneVsOneClassifier pairwise_indices_ unbounded: predict gathers X[:, idx] per pair -- fixed during the session by f8673d8: a regression test now (no xfail mark)
def test_rt59_13_ovo_pairwise_indices(tmp_path):
    data = pickle.dumps(_ovo_long_indices(), protocol=5)
    call = "model.predict(numpy.random.RandomState(1).rand(2000, 30))"
    path = memory_harm_file(tmp_path, data, call, limit=210_000)
    assert_refused(path)


# --- rt59-14: rt59-10 again, one data array per wrapper over a shared indptr ------------------------------------


def _shared_indptr_coefs(rows: int = 4096, copies: int = 200):
    import scipy.sparse as sp
    from sklearn.linear_model import LinearRegression
    from sklearn.multioutput import MultiOutputRegressor

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    indices = np.zeros(1, np.int32)
    indptr = np.ones(rows + 1, np.int32)
    indptr[0] = 0  # one value, in row 0; every other row empty

    def regressor():
        est = LinearRegression(fit_intercept=False).fit(X, rng.rand(60, 2))
        data = np.ones(1)  # each wrapper its own data buffer (what _part_key reads)
        coef = sp.csr_matrix((data, indices, indptr), shape=(rows, 4), copy=False)
        coef.data, coef.indices, coef.indptr = data, indices, indptr
        est.coef_, est.intercept_ = coef, 0.0
        return est

    model = MultiOutputRegressor(LinearRegression()).fit(X, rng.rand(60, 2))
    model.estimators_ = [regressor() for _ in range(copies)]
    return model


# rt59-14: sparse parts keyed by data buffer: 200 wrappers with own data over one indptr -- fixed during the session by f8673d8: a regression test now (no xfail mark)
def test_rt59_14_shared_indptr(tmp_path):
    data = pickle.dumps(_shared_indptr_coefs(), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.predict(numpy.random.RandomState(1).rand(2000, 4))", limit=80_000)
    assert_refused(path)


# --- rt59-15: the same fit with 100 outputs of 100 classes, refused by the whole-model count -------------


# rt59-15: MultiOutputClassifier(FrozenEstimator(100-class LR)) on 100 outputs refused (each meeting charged ~5x its width) -- fixed during the session by f8673d8: a regression test now (no xfail mark)
def test_rt59_15_multioutput_frozen_wide(tmp_path):
    import warnings

    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.multioutput import MultiOutputClassifier

    import safeload

    rng = np.random.RandomState(0)
    X, y = rng.rand(500, 4), np.arange(500) % 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression(max_iter=30).fit(X, y)
    model = MultiOutputClassifier(FrozenEstimator(clf)).fit(X, np.stack([y] * 100, 1))
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    assert safeload.scan(path.read_bytes()).safe
    assert len(safeload.load_unsigned(path).predict_proba(X[:3])) == 100
